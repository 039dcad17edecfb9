/*
 * cpu/tail: the scheduling lesson of the course notes (first come first served, shortest job first).
 * Most tasks are short and one in `every` is `ratio` times longer, which one being fixed by the task's
 * number, so every model and every run has the same tasks. Every task of a batch has arrived when it
 * starts; `order` is the queue discipline they are taken in, and the turnaround figures show what it
 * does: a long task at the head of a FIFO queue holds up every short one behind it, shortest first
 * gives the least mean turnaround and leaves the long tasks to the end.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/busy.h"
#include "work/worker.h"
#include "work/workload.h"

struct tail_ctx {
	uint64_t short_steps, long_steps;
	int64_t ratio, every;
};

/* One long task in each run of `every` numbers, at a place the run's number picks. */
static bool is_long(const struct tail_ctx *c, uint64_t i)
{
	uint64_t run = i / (uint64_t)c->every;
	return i % (uint64_t)c->every == cc_fold(run, 0x7a11) % (uint64_t)c->every;
}

static uint64_t tail_task(const void *p, uint64_t i)
{
	const struct tail_ctx *c = p;
	return cc_busy(i | 1, is_long(c, i) ? c->long_steps : c->short_steps);
}

static double tail_cost(const void *p, uint64_t i)
{
	const struct tail_ctx *c = p;
	return is_long(c, i) ? (double)c->ratio : 1.0;
}

static int tail_setup(const int64_t *params, void **ctx)
{
	struct tail_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->short_steps = cc_busy_steps(params[0] * 1000);
	c->long_steps = cc_busy_steps(params[0] * params[1] * 1000);
	c->ratio = params[1];
	c->every = params[2];
	*ctx = c;
	return 0;
}

static void tail_teardown(void *p) { free(p); }

/* The mean task: (every - 1) short ones and a long one in each run of every. */
static double tail_ns(const int64_t *params)
{
	return 1000.0 * (double)params[0] * ((double)(params[2] - 1) + (double)params[1]) / (double)params[2];
}

static const struct wl_param tail_params[] = {
	{"us", WL_INT, 10, 1, 1000000, "a short task's busy work in microseconds"},
	{"ratio", WL_INT, 100, 1, 100000, "how many times longer a long task is"},
	{"every", WL_INT, 50, 2, 1000000, "one task in this many is long"},
	WL_ORDER_PARAM,
	{0},
};

const struct wl_desc wl_cpu_tail = {
	.name = "tail",
	.cls = WL_CPU,
	.summary = "heavy-tailed task lengths (one in every is ratio times longer) taken in FIFO, LIFO or "
		   "shortest-first order: the turnaround of each discipline",
	.params = tail_params,
	.default_tasks = 500,
	.smoke = (const int64_t[]){10, 100, 20, WL_ORDER_FIFO},
	.setup = tail_setup,
	.teardown = tail_teardown,
	.task = tail_task,
	.task_cost = tail_cost,
	.task_ns = tail_ns,
	.sweep = "order=0,1,2",
};
