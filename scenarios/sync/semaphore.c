/*
 * sync/semaphore: a process-shared POSIX semaphore of `count` taken by every role (sem_wait, the work
 * inside, sem_post): the notes' Semaphore guarding a resource `count` users may hold at once. With
 * count 1 it is a lock, checked as one; with more, the check is that no more than count roles were ever
 * inside together. (switch/semaphore is the other use: a signal handed back and forth.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "lock.h"

static int init(void *lock, const int64_t *params, char *why, size_t len)
{
	if (sem_init(lock, 1, (unsigned)params[LOCK_THIRD]) == 0)
		return 0;
	int err = -errno;
	snprintf(why, len, "sem_init: %s", strerror(errno));
	return err;
}

static void destroy(void *lock) { sem_destroy(lock); }

static int acquire(void *lock)
{
	while (sem_wait(lock) < 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

static void release(void *lock) { sem_post(lock); }
static unsigned admits(const int64_t *params) { return (unsigned)params[LOCK_THIRD]; }

static const struct lock_ops ops = {
	.init = init, .destroy = destroy, .acquire = acquire, .release = release, .admits = admits};
static const struct sc_desc scenario = LOCK_SCENARIO(&ops);

_Static_assert(sizeof(sem_t) <= LOCK_BYTES, "the semaphore fits the room for a lock");

const struct wl_desc sc_sync_semaphore = {
	.name = "semaphore",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a process-shared POSIX semaphore of count taken by every role: count users of a resource at once",
	.params = (const struct wl_param[]){LOCK_INSIDE_PARAM, LOCK_OUTSIDE_PARAM,
					    {"count", WL_INT, 2, 1, 64, "roles it lets in at once"}, {0}},
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = "count=1,2,4;inside_ns=0,1000",
	.scenario = &scenario,
};
