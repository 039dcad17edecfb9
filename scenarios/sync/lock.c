/* The roles every sync/ lock scenario runs: see lock.h. */
#define _GNU_SOURCE
#include "lock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/busy.h"

int lock_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	struct lock_state *s = state;
	if (roles > LOCK_MAX_ROLES) {
		snprintf(why, len, "%u roles: at most %d", roles, LOCK_MAX_ROLES);
		return -EINVAL;
	}
	return s->ops->init(s->lock, params, why, len);
}

void lock_teardown(void *state, unsigned roles)
{
	(void)roles;
	struct lock_state *s = state;
	if (s->ops->destroy)
		s->ops->destroy(s->lock);
}

/* A role that failed leaves the others to finish their own acquisitions: nothing waits on it but the
 * lock, which it never keeps. */
void lock_stop(void *state)
{
	struct lock_state *s = state;
	atomic_store(&s->stopped, true);
}

/* The first role done takes everyone's count: the shares while all still wanted the lock. */
static void take_shares(struct lock_state *s, unsigned roles)
{
	if (atomic_exchange(&s->first_done, true))
		return;
	for (unsigned k = 0; k < roles; k++)
		s->share[k] = atomic_load_explicit(&s->role[k].done, memory_order_relaxed);
}

int lock_role(struct sc_role *r, char *why, size_t len)
{
	struct lock_state *s = r->state;
	uint64_t inside = cc_busy_steps(r->params[LOCK_INSIDE]), outside = cc_busy_steps(r->params[LOCK_OUTSIDE]);
	uint64_t x = r->role + 1, writes = 0;
	bool alone = r->roles == 1;
	int64_t read_pct = s->ops->acquire_shared ? r->params[LOCK_THIRD] : 0;
	bool counting = s->ops->admits && s->ops->admits(r->params) > 1;
	for (uint64_t i = 0; i < r->ops; i++) {
		if (atomic_load_explicit(&s->stopped, memory_order_relaxed)) {
			snprintf(why, len, "stopped: another role failed");
			return -ECANCELED;
		}
		/* alone: the acquire and release timed; else, on sampled acquisitions, the hand-over */
		int64_t t = alone ? sc_tick(r, i) : 0, wait_from = 0;
		if (!alone && (i & 63) == 0)
			sc_tick(r, i); /* the CPU sample */
		if (!alone && i % r->stride == 0)
			wait_from = cc_now_ns();
		bool read = read_pct && (int64_t)(cc_fold(i, r->role) % 100) < read_pct; /* the same ones every run */
		int rc = read ? s->ops->acquire_shared(s->lock) : s->ops->acquire(s->lock);
		if (rc) {
			snprintf(why, len, "acquiring the lock: %s", strerror(rc));
			return -rc;
		}
		if (wait_from && !counting) {
			int64_t released = s->released_ns;
			if (s->holder != r->role && released > wait_from) /* it was waiting when the other let go */
				cc_hist_record(&r->out->hist, cc_since_ns(released));
		}
		if (counting) { /* several may be inside: counted, not incremented */
			unsigned now = atomic_fetch_add_explicit(&s->occupants, 1, memory_order_relaxed) + 1,
				 most = atomic_load_explicit(&s->most, memory_order_relaxed);
			while (now > most && !atomic_compare_exchange_weak(&s->most, &most, now))
				;
		} else if (read) {
			x += s->inside; /* a reader reads */
		} else {
			s->inside++;
			writes++;
		}
		x = cc_busy(x, inside);
		if (!alone && !read && !counting) { /* readers, and a semaphore's holders, overlap: no hand-over */
			s->holder = r->role;
			s->released_ns = cc_now_ns();
		}
		if (counting)
			atomic_fetch_sub_explicit(&s->occupants, 1, memory_order_relaxed);
		if (read)
			s->ops->release_shared(s->lock);
		else
			s->ops->release(s->lock);
		x = cc_busy(x, outside);
		atomic_store_explicit(&s->role[r->role].done, i + 1, memory_order_relaxed);
		sc_tock(r, t);
	}
	atomic_fetch_add(&s->writes, writes);
	take_shares(s, r->roles);
	__asm__ volatile("" ::"r"(x)); /* the work is kept; what a role folds is what it did */
	r->out->checksum += cc_fold(r->role, r->ops);
	return 0;
}

int lock_verify(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)ops;
	const struct lock_state *s = state;
	unsigned admits = s->ops && s->ops->admits ? s->ops->admits(params) : 1, most = atomic_load(&s->most);
	if (admits > 1) {
		if (most <= admits)
			return 0;
		snprintf(why, len, "a semaphore of %u let %u roles in at once", admits, most);
		return -EPROTO;
	}
	unsigned long long writes = atomic_load(&s->writes);
	if (s->inside == writes)
		return 0;
	snprintf(why, len, "mutual exclusion broken: %llu increments under the lock came out as %llu", writes,
		 (unsigned long long)s->inside);
	return -EPROTO;
}

/* Jain's index of the shares, and the smallest share against an equal one (1: fair). */
void lock_measure(const void *state, const int64_t *params, uint64_t ops, double *values)
{
	(void)params, (void)ops;
	const struct lock_state *s = state;
	double sum = 0, squares = 0, least = -1;
	unsigned n = 0;
	while (n < LOCK_MAX_ROLES && atomic_load(&s->role[n].done))
		n++;
	for (unsigned k = 0; k < n; k++) {
		double v = (double)s->share[k];
		sum += v;
		squares += v * v;
		least = least < 0 || v < least ? v : least;
	}
	values[0] = squares > 0 ? sum * sum / (n * squares) : 1;
	values[1] = sum > 0 ? least * n / sum : 1;
}

const struct sc_metric lock_metrics[] = {
	{"fairness_jain", "index", "Jain's index of the roles' shares of the lock while all wanted it (1: equal)",
	 SC_MEDIAN},
	{"min_share", "of an equal share", "the least served role's share, against an equal one (1: fair, 0: starved)",
	 SC_MEDIAN},
	{0},
};

/* Rough, for the plan's estimates: a contended hand-over across CPUs (about a microsecond; alone an
 * acquire and release is tens of ns, but a batch must be long enough for the contended ones), then the work. */
double lock_op_ns(const int64_t *params)
{
	return 1000 + (double)params[LOCK_INSIDE] + (double)params[LOCK_OUTSIDE];
}
