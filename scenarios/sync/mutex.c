/*
 * sync/mutex and sync/mutex-adaptive: a process-shared pthread mutex taken by every role, the default
 * kind (sleeps in the kernel at once when taken) and glibc's adaptive kind (spins a while first, as
 * PTHREAD_MUTEX_ADAPTIVE_NP). The notes' Lock.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lock.h"

static int init_kind(void *lock, int kind, char *why, size_t len)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ?: pthread_mutexattr_settype(&a, kind) ?:
		 pthread_mutex_init(lock, &a);
	pthread_mutexattr_destroy(&a);
	if (rc)
		snprintf(why, len, "pthread_mutex_init: %s", strerror(rc));
	return -rc;
}

static int init_default(void *lock, const int64_t *params, char *why, size_t len)
{
	(void)params;
	return init_kind(lock, PTHREAD_MUTEX_DEFAULT, why, len);
}

static int init_adaptive(void *lock, const int64_t *params, char *why, size_t len)
{
	(void)params;
	return init_kind(lock, PTHREAD_MUTEX_ADAPTIVE_NP, why, len);
}

static void destroy(void *lock) { pthread_mutex_destroy(lock); }
static int acquire(void *lock) { return pthread_mutex_lock(lock); }
static void release(void *lock) { pthread_mutex_unlock(lock); }

static const struct lock_ops plain = {.init = init_default, .destroy = destroy, .acquire = acquire, .release = release};
static const struct lock_ops adaptive = {.init = init_adaptive, .destroy = destroy, .acquire = acquire,
					 .release = release};
static const struct sc_desc plain_scenario = LOCK_SCENARIO(&plain);
static const struct sc_desc adaptive_scenario = LOCK_SCENARIO(&adaptive);

const struct wl_desc sc_sync_mutex = {
	.name = "mutex",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a process-shared pthread mutex (default kind) taken by every role: cost, hand-over, fairness",
	.params = LOCK_PARAMS,
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = LOCK_SWEEP,
	.scenario = &plain_scenario,
};

const struct wl_desc sc_sync_mutex_adaptive = {
	.name = "mutex-adaptive",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a process-shared adaptive pthread mutex (spins before sleeping) taken by every role",
	.params = LOCK_PARAMS,
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = LOCK_SWEEP,
	.scenario = &adaptive_scenario,
};
