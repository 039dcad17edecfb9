/* Calibration of the busy chain; see busy.h. */
#include "core/busy.h"

#include "core/clock.h"

uint64_t cc_busy_steps(int64_t ns)
{
	if (ns <= 0)
		return 0;
	const uint64_t probe = 200000;
	double best = 0;
	for (int r = 0; r < 7; r++) {
		int64_t t0 = cc_now_ns();
		uint64_t x = cc_busy((uint64_t)r + 1, probe);
		int64_t dt = cc_now_ns() - t0;
		__asm__ volatile("" ::"r"(x));
		double rate = (double)probe / (double)(dt > 0 ? dt : 1);
		if (rate > best)
			best = rate;
	}
	return (uint64_t)((double)ns * best + 0.5);
}
