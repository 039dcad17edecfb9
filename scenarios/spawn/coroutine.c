/*
 * spawn/coroutine: create a coroutine and run it to its end, per operation (coro_spawn, then the
 * scheduler runs it and returns): against spawn/thread, what a coroutine per task costs in concur's
 * runtime (its stack from the pool, two switches). The backend and stack size are the run's
 * (--coro-backend, --coro-stack). Each coroutine stores its number, checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "work/scenario.h"
#include "coro/sched.h"

struct child {
	uint64_t want, got;
};

static void child(void *p)
{
	struct child *c = p;
	c->got = c->want;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct coro_sched *sched;
	int err = coro_sched_create(r->coro, &sched);
	if (err) {
		snprintf(why, len, "creating a coroutine scheduler: %s", strerror(-err));
		return err;
	}
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		struct child c = {i, ~i};
		int64_t t = sc_tick(r, i);
		if ((err = coro_spawn(sched, child, &c)) || (err = coro_sched_run(sched))) {
			snprintf(why, len, "coroutine %llu: %s", (unsigned long long)i, strerror(-err));
			break;
		}
		sc_tock(r, t);
		if (c.got != i) {
			snprintf(why, len, "coroutine %llu stored %llu", (unsigned long long)i, (unsigned long long)c.got);
			err = -EPROTO;
		}
		r->out->checksum += cc_fold(i, c.got);
	}
	coro_sched_destroy(sched);
	return err;
}

static const struct sc_desc scenario = {
	.roles = 1,
	.executors = SC_THREADS | SC_PROCESSES,
	.op = "create and run to its end",
	.role = role,
};

static double op_ns(const int64_t *params)
{
	(void)params;
	return 300;
}

const struct wl_desc sc_spawn_coroutine = {
	.name = "coroutine",
	.cls = WL_SPAWN,
	.headline = "spawn",
	.summary = "create a coroutine and run it to its end: the price of a coroutine per task",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 100000,
	.task_ns = op_ns,
	.scenario = &scenario,
};
