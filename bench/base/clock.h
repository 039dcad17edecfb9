/* Monotonic time in nanoseconds; comparable across the processes of one machine. */
#ifndef CONCUR_CLOCK_H
#define CONCUR_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t cc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The cost of one cc_now_ns() call here, in ns (the minimum over many pairs). */
double cc_clock_cost_ns(void);

#endif
