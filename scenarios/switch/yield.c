/*
 * switch/yield: two roles on one CPU pass a turn by yielding alone: each yields until the turn is its
 * own, so a switch between two runnable roles is the whole cost, with no sleep and no wake-up. As
 * threads or processes that is the kernel scheduler's switch (sched_yield); as coroutines, concur's
 * own (coro_yield: the asm or the ucontext backend, --coro-backend). Only same-cpu is planned: on two
 * CPUs the roles would just spin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "work/scenario.h"

struct state {
	_Atomic uint64_t turn; /* 2i: role 0's turn in round i, 2i+1: role 1's */
	atomic_bool stopped;
};

static void stop(void *p) { atomic_store(&((struct state *)p)->stopped, true); }

static int await(struct state *s, uint64_t want, char *why, size_t len)
{
	while (atomic_load_explicit(&s->turn, memory_order_acquire) != want) {
		if (atomic_load(&s->stopped)) {
			snprintf(why, len, "stopped: the other role failed");
			return -ECANCELED;
		}
		sc_yield();
	}
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	for (uint64_t i = 0; i < r->ops; i++) {
		uint64_t mine = 2 * i + r->role;
		int64_t t = sc_tick(r, i);
		int err = await(s, mine, why, len);
		if (err)
			return err;
		atomic_store_explicit(&s->turn, mine + 1, memory_order_release);
		if (r->role == 0 && (err = await(s, mine + 2, why, len)))
			return err;
		sc_tock(r, t);
		r->out->checksum += cc_fold(i, mine);
	}
	return 0;
}

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_THREADS | SC_PROCESSES | SC_COROUTINES,
	.one_cpu = true,
	.state_bytes = sizeof(struct state),
	.op = "round trip",
	.role = role,
	.stop = stop,
};

static double op_ns(const int64_t *params)
{
	(void)params;
	return 2000;
}

const struct wl_desc sc_switch_yield = {
	.name = "yield",
	.cls = WL_SWITCH,
	.summary = "a turn passed by yielding between two roles on one CPU: the kernel's switch, or a coroutine's",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 10000,
	.task_ns = op_ns,
	.scenario = &scenario,
};
