/*
 * sync/counter: every task adds `increments` to one shared counter, one at a
 * time, the course notes' two threads each adding 5,000,000 under a lock. The
 * variant chooses how the counter is protected:
 *   0 mutex    a pthread mutex around each increment
 *   1 spin     a pthread spinlock around each increment
 *   2 atomic   one atomic fetch-add per increment
 *   3 sharded  per-thread counters on their own cache lines, summed at the end
 * The counter lives in shared memory with process-shared locks, so the
 * process models contend on it too. After every batch the total must be
 * exactly tasks x increments (verify); a task's result is its own count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/gil.h"
#include "work/workload.h"

#define SHARDS 64

struct counter_ctx {
	int variant;
	uint64_t increments;
	pthread_mutex_t mutex;
	pthread_spinlock_t spin;
	alignas(64) uint64_t locked; /* the mutex and spin variants' counter */
	alignas(64) atomic_uint_fast64_t atomic;
	struct {
		alignas(64) atomic_uint_fast64_t n;
	} shard[SHARDS];
};

static uint64_t counter_task(const void *p, uint64_t i)
{
	struct counter_ctx *c = (struct counter_ctx *)p; /* shared and changed on purpose */
	(void)i;
	switch (c->variant) {
	case 0:
		for (uint64_t k = 0; k < c->increments; k++) {
			pthread_mutex_lock(&c->mutex);
			c->locked++;
			pthread_mutex_unlock(&c->mutex);
			if ((k & 255) == 255)
				cc_gil_yield_point();
		}
		break;
	case 1:
		for (uint64_t k = 0; k < c->increments; k++) {
			pthread_spin_lock(&c->spin);
			c->locked++;
			pthread_spin_unlock(&c->spin);
			if ((k & 255) == 255)
				cc_gil_yield_point();
		}
		break;
	case 2:
		for (uint64_t k = 0; k < c->increments; k++)
			atomic_fetch_add_explicit(&c->atomic, 1, memory_order_relaxed);
		break;
	default: {
		/* threads rarely share a shard; when they do the add is still atomic, only slower */
		atomic_uint_fast64_t *mine = &c->shard[(unsigned)gettid() % SHARDS].n;
		for (uint64_t k = 0; k < c->increments; k++)
			atomic_fetch_add_explicit(mine, 1, memory_order_relaxed);
	}
	}
	return c->increments;
}

static void counter_reset(void *p)
{
	struct counter_ctx *c = p;
	c->locked = 0;
	atomic_store(&c->atomic, 0);
	for (unsigned k = 0; k < SHARDS; k++)
		atomic_store(&c->shard[k].n, 0);
}

static int counter_verify(const void *p, uint64_t ntasks, char *why, size_t len)
{
	const struct counter_ctx *c = p;
	uint64_t total = c->locked + atomic_load(&c->atomic);
	for (unsigned k = 0; k < SHARDS; k++)
		total += atomic_load(&c->shard[k].n);
	if (total == ntasks * c->increments)
		return 0;
	snprintf(why, len, "sync/counter: the counter reads %llu after %llu tasks of %llu increments (lost %lld)",
		 (unsigned long long)total, (unsigned long long)ntasks, (unsigned long long)c->increments,
		 (long long)(ntasks * c->increments - total));
	return -EPROTO;
}

static int counter_setup(const int64_t *params, void **ctx)
{
	/* shared: forked workers must add to the same counter */
	struct counter_ctx *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return -errno;
	c->variant = (int)params[0];
	c->increments = (uint64_t)params[1];
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	int err = pthread_mutex_init(&c->mutex, &ma);
	pthread_mutexattr_destroy(&ma);
	if (!err)
		err = pthread_spin_init(&c->spin, PTHREAD_PROCESS_SHARED);
	if (err) {
		munmap(c, sizeof(*c));
		return -err;
	}
	counter_reset(c);
	*ctx = c;
	return 0;
}

static void counter_teardown(void *p)
{
	struct counter_ctx *c = p;
	pthread_mutex_destroy(&c->mutex);
	pthread_spin_destroy(&c->spin);
	munmap(c, sizeof(*c));
}

static double counter_ns(const int64_t *params) { return (double)params[1] * (params[0] < 2 ? 20 : 6); }

static const struct wl_param counter_params[] = {
	{"variant", WL_INT, 0, 0, 3, "0 mutex, 1 spinlock, 2 atomic, 3 sharded per-thread counters"},
	{"increments", WL_INT, 10000, 1, 1000000000, "increments per task, one at a time"},
	{0},
};

const struct wl_desc wl_sync_counter = {
	.name = "counter",
	.cls = WL_SYNC,
	.summary = "every task increments one shared counter; variant: mutex, spin, atomic, sharded",
	.params = counter_params,
	.default_tasks = 100,
	.smoke = (const int64_t[]){0, 200},
	.setup = counter_setup,
	.teardown = counter_teardown,
	.task = counter_task,
	.reset = counter_reset,
	.verify = counter_verify,
	.task_ns = counter_ns,
	.sweep = "variant=0,1,2,3",
};
