/*
 * sync/rwlock: a process-shared pthread reader-writer lock taken by every role, `readers` percent of
 * the acquisitions shared (reads, which may overlap) and the rest exclusive (writes): what the notes'
 * readers-writers problem costs, and whether readers scale. The writes still exclude everything: the
 * counter they increment is checked.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lock.h"

static int init(void *lock, const int64_t *params, char *why, size_t len)
{
	(void)params;
	pthread_rwlockattr_t a;
	pthread_rwlockattr_init(&a);
	int rc = pthread_rwlockattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ?: pthread_rwlock_init(lock, &a);
	pthread_rwlockattr_destroy(&a);
	if (rc)
		snprintf(why, len, "pthread_rwlock_init: %s", strerror(rc));
	return -rc;
}

static void destroy(void *lock) { pthread_rwlock_destroy(lock); }
static int acquire(void *lock) { return pthread_rwlock_wrlock(lock); }
static int acquire_shared(void *lock) { return pthread_rwlock_rdlock(lock); }
static void release(void *lock) { pthread_rwlock_unlock(lock); }

static const struct lock_ops ops = {.init = init, .destroy = destroy, .acquire = acquire, .release = release,
				    .acquire_shared = acquire_shared, .release_shared = release};
static const struct sc_desc scenario = LOCK_SCENARIO(&ops);

_Static_assert(sizeof(pthread_rwlock_t) <= LOCK_BYTES, "the rwlock fits the room for a lock");

const struct wl_desc sc_sync_rwlock = {
	.name = "rwlock",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a process-shared reader-writer lock, readers percent of the acquisitions shared: do readers scale",
	.params = (const struct wl_param[]){LOCK_INSIDE_PARAM, LOCK_OUTSIDE_PARAM,
					    {"readers", WL_INT, 90, 0, 100, "percent of the acquisitions that are reads"},
					    {0}},
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = "readers=0,50,90,100;inside_ns=0,1000",
	.scenario = &scenario,
};
