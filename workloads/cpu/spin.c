/*
 * cpu/spin: busy work calibrated to about `ns` nanoseconds per task; ns=0 is an
 * empty task, for measuring a model's per-task overhead.
 * The chain's end (core/busy.h) is the task's result.
 */
#include <errno.h>
#include <stdlib.h>

#include "base/busy.h"
#include "work/workload.h"

struct spin_ctx {
	uint64_t steps;
};

static uint64_t spin_task(const void *p, uint64_t i)
{
	const struct spin_ctx *c = p;
	return cc_busy(i | 1, c->steps);
}

static int spin_setup(const int64_t *params, void **ctx)
{
	struct spin_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->steps = cc_busy_steps(params[0]);
	*ctx = c;
	return 0;
}

static void spin_teardown(void *p) { free(p); }

static double spin_ns(const int64_t *params) { return 200 + (double)params[0]; }

static const struct wl_param spin_params[] = {
	{"ns", WL_INT, 10000, 0, 10000000000, "busy work per task in nanoseconds (0: empty task)"},
	{0},
};

const struct wl_desc wl_cpu_spin = {
	.name = "spin",
	.cls = WL_CPU,
	.summary = "calibrated busy loop of ns nanoseconds per task (ns=0: overhead only)",
	.params = spin_params,
	.default_tasks = 2000,
	.setup = spin_setup,
	.teardown = spin_teardown,
	.task = spin_task,
	.task_ns = spin_ns,
	.sweep = "ns=1000,10000,100000",
};
