/* The verbs that are more than running a plan: each returns an exit code. */
#ifndef CONCUR_CLI_VERBS_H
#define CONCUR_CLI_VERBS_H

#include <stdbool.h>

#include "core/plan.h"

/* concur topo: the topology, the sweep, and the plan for sel's worker counts and policies. */
int cli_topo(const char *synthetic, const char *xml, const struct cc_select *sel, bool json);
/* concur doctor: noise sources with remedies. */
int cli_doctor(bool json);

#endif
