/*
 * spawn/thread: create one thread and join it, per operation (pthread_create + pthread_join): what a
 * thread-per-task model pays per task before any work. Each thread returns its number, checked.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "work/scenario.h"

static void *child(void *arg) { return arg; }

static int role(struct sc_role *r, char *why, size_t len)
{
	for (uint64_t i = 0; i < r->ops; i++) {
		pthread_t t;
		void *got;
		int64_t t0 = sc_tick(r, i);
		int rc = pthread_create(&t, NULL, child, (void *)(uintptr_t)i);
		if (rc) {
			snprintf(why, len, "pthread_create: %s", strerror(rc));
			return -rc;
		}
		pthread_join(t, &got);
		sc_tock(r, t0);
		if ((uintptr_t)got != (uintptr_t)i) {
			snprintf(why, len, "thread %llu returned %llu", (unsigned long long)i, (unsigned long long)(uintptr_t)got);
			return -EPROTO;
		}
		r->out->checksum += cc_fold(i, i);
	}
	return 0;
}

static const struct sc_desc scenario = {
	.roles = 1,
	.executors = SC_THREADS | SC_PROCESSES,
	.op = "create and join",
	.role = role,
};

static double op_ns(const int64_t *params)
{
	(void)params;
	return 30000;
}

const struct wl_desc sc_spawn_thread = {
	.name = "thread",
	.cls = WL_SPAWN,
	.headline = "spawn",
	.summary = "create a thread and join it: the price of a thread per task",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 2000,
	.task_ns = op_ns,
	.scenario = &scenario,
};
