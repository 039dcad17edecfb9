/*
 * cpu/spin: busy work calibrated to about `ns` nanoseconds per task; ns=0 is an
 * empty task, for measuring a model's per-task overhead.
 *
 * The work is a fixed number of steps of a dependent xorshift chain, so every
 * model does exactly the same work (a deadline-based spin would not). The step
 * count is calibrated once, at setup, and the chain's end is the task's result.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/workload.h"

struct spin_ctx {
	uint64_t steps;
};

static uint64_t spin(uint64_t x, uint64_t steps)
{
	for (uint64_t s = 0; s < steps; s++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		__asm__ volatile("" : "+r"(x)); /* one step per iteration: no unrolling into closed forms */
	}
	return x;
}

static uint64_t spin_task(const void *p, uint64_t i)
{
	const struct spin_ctx *c = p;
	return spin(i | 1, c->steps);
}

/* Steps per ns: the fastest of several timed runs, so a preempted run does not skew it. */
static double steps_per_ns(void)
{
	const uint64_t probe = 200000;
	double best = 0;
	for (int r = 0; r < 7; r++) {
		int64_t t0 = cc_now_ns();
		uint64_t x = spin((uint64_t)r + 1, probe);
		int64_t dt = cc_now_ns() - t0;
		__asm__ volatile("" ::"r"(x));
		double rate = (double)probe / (double)(dt > 0 ? dt : 1);
		if (rate > best)
			best = rate;
	}
	return best;
}

static int spin_setup(const int64_t *params, void **ctx)
{
	struct spin_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->steps = params[0] ? (uint64_t)((double)params[0] * steps_per_ns() + 0.5) : 0;
	*ctx = c;
	return 0;
}

static void spin_teardown(void *p) { free(p); }

static const struct wl_param spin_params[] = {
	{"ns", WL_INT, 10000, 0, 10000000000, "busy work per task in nanoseconds (0: empty task)"},
	{0},
};

const struct wl_desc wl_cpu_spin = {
	.name = "spin",
	.cls = WL_CPU,
	.summary = "calibrated busy loop of ns nanoseconds per task (ns=0: overhead only)",
	.params = spin_params,
	.default_tasks = 10000,
	.setup = spin_setup,
	.teardown = spin_teardown,
	.task = spin_task,
};
