/* The cost of reading the clock, which decides how finely tasks can be timed. */
#include "base/clock.h"

double cc_clock_cost_ns(void)
{
	double best = 1e9;
	for (int r = 0; r < 50; r++) {
		int64_t t0 = cc_now_ns(), t1 = t0;
		for (int k = 0; k < 100; k++)
			t1 = cc_now_ns();
		double per = (double)(t1 - t0) / 100;
		if (per < best)
			best = per;
	}
	return best > 0 ? best : 1;
}
