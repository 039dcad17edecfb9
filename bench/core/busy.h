/*
 * Calibrated busy work, for workloads that compute for a set time (cpu/spin,
 * mix/cpu-io): a fixed number of steps of a dependent xorshift chain, so that
 * every model does exactly the same work (a deadline-based spin would not),
 * with the step count chosen once at setup.
 */
#ifndef CONCUR_BUSY_H
#define CONCUR_BUSY_H

#include <stdint.h>

static inline uint64_t cc_busy(uint64_t x, uint64_t steps)
{
	for (uint64_t s = 0; s < steps; s++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		__asm__ volatile("" : "+r"(x)); /* one step per iteration: no unrolling into closed forms */
	}
	return x;
}

/* Steps of cc_busy that take about ns nanoseconds here (the fastest of several timed runs,
 * so a preempted run does not skew it). */
uint64_t cc_busy_steps(int64_t ns);

#endif
