/*
 * sync/event: one role wakes all the others, again and again (the notes' Event.set and Condition's
 * notify): role 0 starts generation i and wakes the waiting roles `how`: 0 a condition variable
 * signalled once per waiter, 1 the same broadcast once, 2 an event of concur's own (a generation word
 * and one FUTEX_WAKE of everyone, no mutex); each waiter, woken into generation i, acknowledges, and
 * role 0 waits until all have. One operation is a generation: set, every waiter woken and acknowledged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "work/scenario.h"

enum { P_HOW };
enum { SIGNAL_EACH, BROADCAST, FUTEX_EVENT };

struct state {
	pthread_mutex_t lock;
	pthread_cond_t set, acked;
	_Alignas(64) _Atomic uint32_t generation; /* the event: role 0 moves it on */
	_Alignas(64) _Atomic uint32_t acks;       /* waiters woken into the current generation */
	atomic_bool stopped;
};

static long futex(_Atomic uint32_t *w, int op, uint32_t v)
{
	return syscall(SYS_futex, w, op, v, NULL, NULL, 0);
}

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	struct state *s = p;
	return sc_shared_mutex_conds(&s->lock, (pthread_cond_t *const[]){&s->set, &s->acked}, 2, why, len);
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	pthread_cond_destroy(&s->acked);
	pthread_cond_destroy(&s->set);
	pthread_mutex_destroy(&s->lock);
}

static void stop(void *p)
{
	struct state *s = p;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->stopped, true);
	pthread_cond_broadcast(&s->set);
	pthread_cond_broadcast(&s->acked);
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add(&s->generation, 1u << 31); /* futex waiters see the word move */
	futex(&s->generation, FUTEX_WAKE, INT_MAX);
	futex(&s->acks, FUTEX_WAKE, INT_MAX);
}

static int stopped(struct state *s, char *why, size_t len)
{
	snprintf(why, len, "stopped: another role failed");
	(void)s;
	return -ECANCELED;
}

/* Role 0: generation g set, the waiters woken, their acknowledgements awaited. */
static int set_and_wait(struct state *s, int how, uint32_t g, unsigned waiters, char *why, size_t len)
{
	if (how == FUTEX_EVENT) {
		atomic_store(&s->acks, 0);
		atomic_store_explicit(&s->generation, g, memory_order_release);
		futex(&s->generation, FUTEX_WAKE, INT_MAX);
		uint32_t a;
		while ((a = atomic_load_explicit(&s->acks, memory_order_acquire)) < waiters) {
			if (atomic_load(&s->stopped))
				return stopped(s, why, len);
			futex(&s->acks, FUTEX_WAIT, a);
		}
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->acks, 0);
	atomic_store(&s->generation, g);
	if (how == BROADCAST)
		pthread_cond_broadcast(&s->set);
	else
		for (unsigned k = 0; k < waiters; k++)
			pthread_cond_signal(&s->set);
	while (atomic_load(&s->acks) < waiters && !atomic_load(&s->stopped))
		pthread_cond_wait(&s->acked, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return atomic_load(&s->stopped) ? stopped(s, why, len) : 0;
}

/* A waiter: until generation g, then acknowledged. */
static int wait_for(struct state *s, int how, uint32_t g, unsigned waiters, char *why, size_t len)
{
	if (how == FUTEX_EVENT) {
		uint32_t now;
		while ((now = atomic_load_explicit(&s->generation, memory_order_acquire)) != g) {
			if (atomic_load(&s->stopped))
				return stopped(s, why, len);
			futex(&s->generation, FUTEX_WAIT, now);
		}
		if (atomic_fetch_add(&s->acks, 1) + 1 == waiters)
			futex(&s->acks, FUTEX_WAKE, 1);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	while (atomic_load(&s->generation) != g && !atomic_load(&s->stopped))
		pthread_cond_wait(&s->set, &s->lock);
	if (atomic_fetch_add(&s->acks, 1) + 1 == waiters)
		pthread_cond_signal(&s->acked);
	pthread_mutex_unlock(&s->lock);
	return atomic_load(&s->stopped) ? stopped(s, why, len) : 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	int how = (int)r->params[P_HOW];
	unsigned waiters = r->roles - 1;
	for (uint64_t i = 0; i < r->ops; i++) {
		uint32_t g = (uint32_t)(i + 1) & 0x7fffffff;
		int64_t t = sc_tick(r, i);
		int err = r->role == 0 ? set_and_wait(s, how, g, waiters, why, len) : wait_for(s, how, g, waiters, why, len);
		if (err)
			return err;
		sc_tock(r, t);
	}
	r->out->checksum += cc_fold(r->role, r->ops);
	return 0;
}

static double op_ns(const int64_t *params)
{
	(void)params;
	return 40000; /* every waiter woken: tens of microseconds, a hundred across vCPUs here */
}

static const struct sc_desc scenario = {
	.min_roles = 2,
	.max_roles = 64,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "a generation: set, every waiter woken and acknowledged",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.stop = stop,
};

const struct wl_desc sc_sync_event = {
	.name = "event",
	.cls = WL_SYNC,
	.summary = "one role wakes all the others, again and again: a condition signalled per waiter, broadcast, "
		   "or a futex event (Event, Condition)",
	.params = (const struct wl_param[]){{"how", WL_INT, BROADCAST, SIGNAL_EACH, FUTEX_EVENT,
					     "0 condvar signal per waiter, 1 condvar broadcast, 2 futex event"},
					    {0}},
	.default_tasks = 300,
	.task_ns = op_ns,
	.sweep = "how=0,1,2",
	.scenario = &scenario,
};
