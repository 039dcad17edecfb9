/*
 * sync/value: the notes' multiprocessing.Value and Array: every role adds 1 to a shared array of
 * `size` counters (size 1: a Value('i')) `ops` times, `how`: 0 under a process-shared lock (Value
 * with lock=True, what the notes do), 1 with atomic adds (no lock), 2 with plain loads and stores and
 * no lock at all (lock=False: the notes' lost update). With a lock or atomics the counters must come out
 * exact, or the cell fails; without, the updates lost are counted (lost_pct) — the lesson, not a fault.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "work/scenario.h"

enum { P_SIZE, P_HOW };
enum { LOCKED, ATOMIC, UNLOCKED };
enum { MAX_SIZE = 1024 };

struct state {
	pthread_mutex_t lock;
	unsigned roles;
	_Alignas(64) uint64_t counter[MAX_SIZE];
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params;
	struct state *s = p;
	s->roles = roles;
	return sc_shared_mutex_conds(&s->lock, NULL, 0, why, len);
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	pthread_mutex_destroy(&((struct state *)p)->lock);
}

static void stop(void *p) { (void)p; /* nothing waits on another role: each does its own adds */ }

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	size_t n = (size_t)r->params[P_SIZE];
	int how = (int)r->params[P_HOW];
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		if (how == LOCKED) {
			int rc = pthread_mutex_lock(&s->lock);
			if (rc) {
				snprintf(why, len, "pthread_mutex_lock: %s", strerror(rc));
				return -rc;
			}
			for (size_t k = 0; k < n; k++)
				s->counter[k]++;
			pthread_mutex_unlock(&s->lock);
		} else if (how == ATOMIC) {
			for (size_t k = 0; k < n; k++)
				__atomic_fetch_add(&s->counter[k], 1, __ATOMIC_RELAXED);
		} else { /* a read, then a write: another role's add in between is lost */
			for (size_t k = 0; k < n; k++) {
				uint64_t v = __atomic_load_n(&s->counter[k], __ATOMIC_RELAXED);
				__atomic_store_n(&s->counter[k], v + 1, __ATOMIC_RELAXED);
			}
		}
		sc_tock(r, t);
	}
	r->out->checksum += cc_fold(r->role, r->ops);
	return 0;
}

static uint64_t total(const struct state *s, size_t n)
{
	uint64_t sum = 0;
	for (size_t k = 0; k < n; k++)
		sum += __atomic_load_n(&s->counter[k], __ATOMIC_RELAXED);
	return sum;
}

static int verify(const void *p, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	const struct state *s = p;
	size_t n = (size_t)params[P_SIZE];
	uint64_t want = s->roles * ops * n, got = total(s, n);
	if (params[P_HOW] == UNLOCKED || got == want)
		return 0;
	snprintf(why, len, "%llu adds %s made %llu", (unsigned long long)want,
		 params[P_HOW] == LOCKED ? "under the lock" : "with atomics", (unsigned long long)got);
	return -EPROTO;
}

static void measure(const void *p, const int64_t *params, uint64_t ops, double *values)
{
	const struct state *s = p;
	size_t n = (size_t)params[P_SIZE];
	double want = (double)(s->roles * ops * n);
	values[0] = want > 0 ? 100.0 * (want - (double)total(s, n)) / want : 0;
}

static const struct sc_metric metrics[] = {
	{"lost_pct", "%", "adds lost (how=2, no lock: the notes' lost update; 0 otherwise, checked)", SC_MEDIAN},
	{0},
};

static const struct sc_desc scenario = {
	.min_roles = 1,
	.max_roles = 64,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "an add to every counter of the array (each role)",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.stop = stop,
	.verify = verify,
	.metrics = metrics,
	.measure = measure,
};

static double op_ns(const int64_t *params) { return 200 + (double)params[P_SIZE] * 5; }

const struct wl_desc sc_sync_value = {
	.name = "value",
	.cls = WL_SYNC,
	.summary = "every role adds to a shared Value or Array under a process lock, with atomics, or unlocked "
		   "(the lost update)",
	.params = (const struct wl_param[]){{"size", WL_INT, 1, 1, MAX_SIZE, "counters in the array (1: a Value)"},
					    {"how", WL_INT, LOCKED, LOCKED, UNLOCKED,
					     "0 under a process-shared lock, 1 atomic adds, 2 no lock (updates get lost)"},
					    {0}},
	.default_tasks = 10000,
	.task_ns = op_ns,
	.sweep = "how=0,1,2;size=1,64",
	.scenario = &scenario,
};
