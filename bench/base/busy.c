/* Calibration of the busy chain; see busy.h. */
#include "base/busy.h"

#include <errno.h>

#include "base/clock.h"

static uint64_t rate; /* steps per ms; 0 until measured or set */
static bool measured;

static uint64_t measure(void)
{
	const uint64_t probe = 200000;
	double best = 0;
	for (int r = 0; r < 7; r++) {
		int64_t t0 = cc_now_ns();
		uint64_t x = cc_busy((uint64_t)r + 1, probe);
		int64_t dt = cc_now_ns() - t0;
		__asm__ volatile("" ::"r"(x));
		double v = (double)probe / (double)(dt > 0 ? dt : 1);
		if (v > best)
			best = v;
	}
	uint64_t per_ms = (uint64_t)(best * 1e6 + 0.5);
	return per_ms ? per_ms : 1;
}

uint64_t cc_busy_rate(void)
{
	if (rate <= 0) {
		rate = measure();
		measured = true;
	}
	return rate;
}

int cc_busy_set_rate(uint64_t steps_per_ms)
{
	if (steps_per_ms < 1 || steps_per_ms > 1000000000)
		return -EINVAL;
	rate = steps_per_ms;
	measured = false;
	return 0;
}

bool cc_busy_rate_measured(void) { return measured; }

uint64_t cc_busy_steps(int64_t ns)
{
	if (ns <= 0)
		return 0;
	/* exact integer arithmetic: the same rate gives the same steps everywhere (ns < 2^34, rate < 2^30) */
	return ((uint64_t)ns * cc_busy_rate() + 500000) / 1000000;
}
