/*
 * Calibrated busy work, for workloads that compute for a set time (cpu/spin,
 * mix/cpu-io): a fixed number of steps of a dependent xorshift chain, so that
 * every model does exactly the same work (a deadline-based spin would not).
 *
 * The step count comes from one rate per run: measured once, recorded in the
 * result (concur.calibration), and reusable from another run's result, so that
 * two runs with the same parameters do the same work and give the same checksum.
 */
#ifndef CONCUR_BUSY_H
#define CONCUR_BUSY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/gil.h"

/* Steps between two yield points of a GIL (base/gil.h): a few microseconds, as a few bytecodes. */
#define CC_BUSY_SLICE 4096

static inline uint64_t cc_busy_chain(uint64_t x, uint64_t steps)
{
	for (uint64_t done = 0; done < steps;) {
		uint64_t end = steps - done > CC_BUSY_SLICE ? done + CC_BUSY_SLICE : steps;
		for (; done < end; done++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			__asm__ volatile("" : "+r"(x)); /* one step per iteration: no unrolling into closed forms */
		}
		cc_gil_yield_point();
	}
	return x;
}

static inline uint64_t cc_busy(uint64_t x, uint64_t steps)
{
#ifdef CONCUR_SELFTEST_SLOWDOWN_PCT
	/* Only in a build made for checking the CI gate (scripts/gate-check.sh): this many percent
	 * more steps per task, whose end is discarded, so the result and checksum stay the same. */
	uint64_t extra = cc_busy_chain(x, steps * CONCUR_SELFTEST_SLOWDOWN_PCT / 100);
	__asm__ volatile("" ::"r"(extra));
#endif
	return cc_busy_chain(x, steps);
}

/* Steps of cc_busy that take about ns nanoseconds at this run's rate (cc_busy_rate). */
uint64_t cc_busy_steps(int64_t ns);

/* Steps per millisecond: the rate set, else measured here on first use (the fastest of several
 * timed runs, so a preempted run does not skew it). A whole number, so that a result file
 * holds it exactly and another run can do exactly the same work. */
uint64_t cc_busy_rate(void);
/* Uses another run's rate (concur run --like); 0, or -EINVAL unless 1 <= rate <= 10^9. */
int cc_busy_set_rate(uint64_t steps_per_ms);
/* Whether the rate was measured here (false: set from another run). */
bool cc_busy_rate_measured(void);

/* One step of a busy-wait: tells the CPU (and a sibling hardware thread) that this one is spinning. */
static inline void cc_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

#endif
