/*
 * sync/rlock: a process-shared recursive pthread mutex (the notes' RLock), each acquisition entering it
 * `depth` times and leaving it as many: what re-entry costs over a plain mutex.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lock.h"

struct rlock {
	pthread_mutex_t m;
	unsigned depth;
};

static int init(void *lock, const int64_t *params, char *why, size_t len)
{
	struct rlock *l = lock;
	l->depth = (unsigned)params[LOCK_THIRD];
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ?:
		 pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) ?: pthread_mutex_init(&l->m, &a);
	pthread_mutexattr_destroy(&a);
	if (rc)
		snprintf(why, len, "pthread_mutex_init (recursive): %s", strerror(rc));
	return -rc;
}

static void destroy(void *lock) { pthread_mutex_destroy(&((struct rlock *)lock)->m); }

static int acquire(void *lock)
{
	struct rlock *l = lock;
	for (unsigned d = 0; d < l->depth; d++) {
		int rc = pthread_mutex_lock(&l->m);
		if (rc) {
			while (d--)
				pthread_mutex_unlock(&l->m);
			return rc;
		}
	}
	return 0;
}

static void release(void *lock)
{
	struct rlock *l = lock;
	for (unsigned d = 0; d < l->depth; d++)
		pthread_mutex_unlock(&l->m);
}

static const struct lock_ops ops = {.init = init, .destroy = destroy, .acquire = acquire, .release = release};
static const struct sc_desc scenario = LOCK_SCENARIO(&ops);

_Static_assert(sizeof(struct rlock) <= LOCK_BYTES, "the recursive lock fits the room for a lock");

const struct wl_desc sc_sync_rlock = {
	.name = "rlock",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a process-shared recursive mutex (RLock) entered depth times per acquisition by every role",
	.params = (const struct wl_param[]){LOCK_INSIDE_PARAM, LOCK_OUTSIDE_PARAM,
					    {"depth", WL_INT, 3, 1, 64, "times each acquisition enters the lock"}, {0}},
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = "depth=1,3,10",
	.scenario = &scenario,
};
