/* concur-micro: micro-benchmarks of the harness's own parts, each file registering its own. */
#ifndef CONCUR_MICRO_H
#define CONCUR_MICRO_H

#include "gbench/gbc.h"

int micro_register_topo(void);
int micro_register_pools(void);
int micro_register_coro(void);

#endif
