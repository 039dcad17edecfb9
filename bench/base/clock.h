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

/* Nanoseconds from `since`, a stamp another thread or process may have taken on another CPU: on a VM
 * those clocks can disagree by a few ns, so a stamp just taken there can read as a little ahead; that
 * is 0 here, never a negative time. */
static inline uint64_t cc_since_ns(int64_t since)
{
	int64_t now = cc_now_ns();
	return now > since ? (uint64_t)(now - since) : 0;
}

/* The cost of one cc_now_ns() call here, in ns (the minimum over many pairs). */
double cc_clock_cost_ns(void);

#endif
