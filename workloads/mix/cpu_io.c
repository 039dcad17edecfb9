/*
 * mix/cpu-io: each task computes for `cpu_us` microseconds (the calibrated
 * chain of core/busy.h) and then waits `wait_us` through the IO layer. Sweeping
 * the ratio shows where threads, processes, pools and coroutines cross over:
 * waiting overlaps under any model with enough workers, computing only across
 * cores.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/busy.h"
#include "work/workload.h"
#include "coro/io.h"

struct mix_ctx {
	uint64_t steps;
	int64_t wait_ns;
};

static uint64_t mix_task(const void *p, uint64_t i)
{
	const struct mix_ctx *c = p;
	uint64_t v = cc_busy(i | 1, c->steps);
	if (c->wait_ns)
		cio_sleep_ns(c->wait_ns);
	return v;
}

static int mix_validate(const int64_t *params, char *why, size_t len)
{
	if (params[0] == 0 && params[1] == 0) {
		snprintf(why, len, "cpu_us=0 and wait_us=0: a task must compute or wait (ratio undefined)");
		return -EINVAL;
	}
	return 0;
}

static int mix_setup(const int64_t *params, void **ctx)
{
	struct mix_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->steps = cc_busy_steps(params[0] * 1000);
	c->wait_ns = params[1] * 1000;
	*ctx = c;
	return 0;
}

static void mix_teardown(void *p) { free(p); }

static double mix_ns(const int64_t *params) { return (double)(params[0] + params[1]) * 1000 + 50000; }
static double mix_cpu_ns(const int64_t *params) { return (double)params[0] * 1000 + 50000; }

static const struct wl_param mix_params[] = {
	{"cpu_us", WL_INT, 1000, 0, 10000000, "microseconds of computing per task"},
	{"wait_us", WL_INT, 1000, 0, 10000000, "microseconds of waiting per task, after computing"},
	{0},
};

const struct wl_desc wl_mix_cpu_io = {
	.name = "cpu-io",
	.cls = WL_MIX,
	.headline = "mixed",
	.summary = "each task computes cpu_us then waits wait_us: where the models cross over",
	.params = mix_params,
	.default_tasks = 50,
	.smoke = (const int64_t[]){20, 50},
	.setup = mix_setup,
	.teardown = mix_teardown,
	.task = mix_task,
	.validate = mix_validate,
	.task_ns = mix_ns,
	.task_cpu_ns = mix_cpu_ns,
	.sweep = "cpu_us=10,100,1000,10000",
};
