/*
 * sync/barrier and sync/spin-barrier: every role waits at a barrier `ops` times (the notes' Barrier):
 * a process-shared pthread barrier (sleeps in the kernel), and a sense-reversing spin barrier (the
 * last to arrive flips the sense the others spin on; never planned on one CPU or with more roles than
 * CPUs). One operation is an episode: all roles arrived and released. Nobody passes early: each role
 * counts its arrival before waiting and, once released, must find every role of the episode counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/busy.h"
#include "work/scenario.h"

struct state {
	pthread_barrier_t barrier;
	_Alignas(64) atomic_uint left;    /* the spin barrier: roles still to arrive this episode */
	_Alignas(64) atomic_uint sense;   /* ... and the sense released roles see */
	_Alignas(64) atomic_ullong arrived; /* arrivals so far, every episode */
	atomic_bool stopped;
	bool spin;
};

static int setup_pthread(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params;
	struct state *s = p;
	pthread_barrierattr_t a;
	pthread_barrierattr_init(&a);
	int rc = pthread_barrierattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ?: pthread_barrier_init(&s->barrier, &a, roles);
	pthread_barrierattr_destroy(&a);
	if (rc)
		snprintf(why, len, "pthread_barrier_init: %s", strerror(rc));
	return -rc;
}

static void teardown_pthread(void *p, unsigned roles)
{
	(void)roles;
	pthread_barrier_destroy(&((struct state *)p)->barrier);
}

static int setup_spin(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)why, (void)len;
	struct state *s = p;
	s->spin = true;
	atomic_store(&s->left, roles);
	return 0;
}

/* A role that failed leaves the others waiting at the pthread barrier (the watchdog ends the cell);
 * spinners see the flag. */
static void stop(void *p) { atomic_store(&((struct state *)p)->stopped, true); }

static int spin_wait(struct state *s, unsigned roles, unsigned *local_sense)
{
	*local_sense ^= 1;
	if (atomic_fetch_sub_explicit(&s->left, 1, memory_order_acq_rel) == 1) {
		atomic_store_explicit(&s->left, roles, memory_order_relaxed);
		atomic_store_explicit(&s->sense, *local_sense, memory_order_release);
		return 0;
	}
	while (atomic_load_explicit(&s->sense, memory_order_acquire) != *local_sense)
		if (atomic_load_explicit(&s->stopped, memory_order_relaxed))
			return ECANCELED;
		else
			cc_relax();
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	unsigned local_sense = 0;
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		atomic_fetch_add_explicit(&s->arrived, 1, memory_order_relaxed);
		int rc = s->spin ? spin_wait(s, r->roles, &local_sense) : pthread_barrier_wait(&s->barrier);
		if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD) {
			snprintf(why, len, "waiting at the barrier: %s", strerror(rc));
			return -rc;
		}
		unsigned long long seen = atomic_load_explicit(&s->arrived, memory_order_relaxed);
		if (seen < (i + 1) * r->roles) {
			snprintf(why, len, "released from episode %llu with %llu of %llu arrivals counted",
				 (unsigned long long)i, seen, (unsigned long long)((i + 1) * r->roles));
			return -EPROTO;
		}
		sc_tock(r, t);
	}
	r->out->checksum += cc_fold(r->role, r->ops);
	return 0;
}

/* Rough: an episode is a wake-up of every role, about 20 us on one CPU here and 100 across vCPUs. */
static double op_ns(const int64_t *params)
{
	(void)params;
	return 20000;
}

static const struct sc_desc pthread_scenario = {
	.min_roles = 2, .max_roles = 64, .executors = SC_THREADS | SC_PROCESSES, .state_bytes = sizeof(struct state),
	.op = "a barrier episode (every role arrived, all released)", .setup = setup_pthread,
	.teardown = teardown_pthread, .role = role, .stop = stop};
static const struct sc_desc spin_scenario = {
	.min_roles = 2, .max_roles = 64, .executors = SC_THREADS | SC_PROCESSES, .spins = true,
	.state_bytes = sizeof(struct state), .op = "a barrier episode (every role arrived, all released)",
	.setup = setup_spin, .role = role, .stop = stop};

const struct wl_desc sc_sync_barrier = {
	.name = "barrier",
	.cls = WL_SYNC,
	.summary = "every role waits at a process-shared pthread barrier, episode after episode (Barrier)",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 500,
	.task_ns = op_ns,
	.scenario = &pthread_scenario,
};

const struct wl_desc sc_sync_spin_barrier = {
	.name = "spin-barrier",
	.cls = WL_SYNC,
	.summary = "every role waits at a sense-reversing spin barrier, episode after episode",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 500,
	.task_ns = op_ns,
	.scenario = &spin_scenario,
};
