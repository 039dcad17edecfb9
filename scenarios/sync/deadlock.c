/*
 * sync/deadlock: the notes' deadlock, measured. Two roles each take two process-shared mutexes, hold
 * the first `hold_us` and then try the second with a timed lock. With `order` 0 they take them in
 * opposite orders (role 0: A then B; role 1: B then A), and whenever both hold their first at once
 * each waits for the other's: a deadlock, broken here by the timeout (`timeout_us`) and counted. With
 * `order` 1 both take A first, and a deadlock cannot happen: the verify hook fails the cell if one
 * did. Reported: deadlocks per thousand attempts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/busy.h"
#include "work/scenario.h"

enum { P_ORDER, P_HOLD, P_TIMEOUT };

struct state {
	pthread_mutex_t lock[2];
	atomic_ullong deadlocks;
	atomic_bool stopped;
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	struct state *s = p;
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ?: pthread_mutex_init(&s->lock[0], &a) ?:
		 pthread_mutex_init(&s->lock[1], &a);
	pthread_mutexattr_destroy(&a);
	if (rc)
		snprintf(why, len, "pthread_mutex_init: %s", strerror(rc));
	return -rc;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	pthread_mutex_destroy(&s->lock[0]);
	pthread_mutex_destroy(&s->lock[1]);
}

static void stop(void *p)
{
	struct state *s = p;
	atomic_store(&s->stopped, true);
}

/* Takes `first` and, within the timeout, `second`: 0 with both held, ETIMEDOUT (a deadlock, broken:
 * the first let go), or another errno value. */
static int take_both(struct state *s, int first, uint64_t hold, int64_t timeout_ns, uint64_t *x)
{
	int rc = pthread_mutex_lock(&s->lock[first]);
	if (rc)
		return rc;
	*x = cc_busy(*x, hold);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until); /* pthread_mutex_timedlock's clock */
	until.tv_nsec += timeout_ns % 1000000000;
	until.tv_sec += timeout_ns / 1000000000 + until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	rc = pthread_mutex_timedlock(&s->lock[!first], &until);
	if (rc)
		pthread_mutex_unlock(&s->lock[first]);
	return rc;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	int first = r->params[P_ORDER] ? 0 : (int)r->role; /* opposite orders, or both A first */
	uint64_t hold = cc_busy_steps(r->params[P_HOLD] * 1000), x = r->role + 1;
	for (uint64_t i = 0; i < r->ops; i++) {
		if (atomic_load(&s->stopped)) {
			snprintf(why, len, "stopped: the other role failed");
			return -ECANCELED;
		}
		int64_t t = sc_tick(r, i);
		int rc = take_both(s, first, hold, r->params[P_TIMEOUT] * 1000, &x);
		if (rc == ETIMEDOUT) {
			atomic_fetch_add(&s->deadlocks, 1);
		} else if (rc) {
			snprintf(why, len, "taking the locks: %s", strerror(rc));
			return -rc;
		} else {
			pthread_mutex_unlock(&s->lock[!first]);
			pthread_mutex_unlock(&s->lock[first]);
		}
		sc_tock(r, t);
	}
	__asm__ volatile("" ::"r"(x));
	r->out->checksum += cc_fold(r->role, r->ops); /* how many deadlocks varies run to run: not the work */
	return 0;
}

static int verify(const void *p, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)ops;
	const struct state *s = p;
	unsigned long long n = atomic_load(&s->deadlocks);
	if (!params[P_ORDER] || !n)
		return 0;
	snprintf(why, len, "%llu deadlocks with both roles taking the locks in the same order", n);
	return -EPROTO;
}

static void measure(const void *p, const int64_t *params, uint64_t ops, double *values)
{
	(void)params;
	const struct state *s = p;
	values[0] = (double)atomic_load(&s->deadlocks) * 1000 / (double)(2 * ops);
}

static const struct sc_metric metrics[] = {
	{"deadlocks_per_1000", "per 1000 attempts", "attempts (of both roles) that deadlocked and timed out", SC_MEDIAN},
	{0},
};

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "take two locks, or time out deadlocked (each role)",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.stop = stop,
	.verify = verify,
	.metrics = metrics,
	.measure = measure,
};

/* Rough: across CPUs most attempts with a hold deadlock and wait out half the timeout on average. */
static double op_ns(const int64_t *params)
{
	return 2000 + (double)params[P_HOLD] * 1000 + (params[P_HOLD] ? (double)params[P_TIMEOUT] * 500 : 0);
}

const struct wl_desc sc_sync_deadlock = {
	.name = "deadlock",
	.cls = WL_SYNC,
	.summary = "two roles take two locks in opposite orders (order=0) or the same (1), a timed lock breaking "
		   "deadlocks: how often they happen",
	.params = (const struct wl_param[]){{"order", WL_INT, 0, 0, 1, "0: opposite orders, 1: the same order"},
					    {"hold_us", WL_INT, 10, 0, 100000, "time holding the first lock before the second"},
					    {"timeout_us", WL_INT, 200, 1, 10000000, "how long the second is waited for"},
					    {0}},
	.smoke = (const int64_t[]){0, 10, 200},
	.default_tasks = 100,
	.task_ns = op_ns,
	.sweep = "order=0,1;hold_us=0,10,100",
	.scenario = &scenario,
};
