/*
 * What every sync/ lock scenario shares: roles taking one lock `ops` times each, `inside_ns` of work
 * inside the critical section and `outside_ns` between (WebKit's LockSpeedTest axes), with the roles
 * from --workers. One role is the uncontended cost of acquire + release; several are contention, and
 * the scenario reports besides the time:
 * - the hand-over latency (a lock released by one role and acquired by another that was already
 *   waiting: the release stamped inside the critical section, the acquisition read right after), as
 *   the latency percentiles (with one role they are the acquire + release times);
 * - fairness: each role's share of the acquisitions when the first role finished its own (every role
 *   still wanting the lock), as Jain's index (1: all equal, 1/n: one role had it all) and the smallest
 *   share against an equal one, since an unfair lock can win throughput by starving roles.
 * Mutual exclusion is checked: a counter incremented without atomics inside the critical section (by
 * every exclusive acquisition) must come out at their number.
 *
 * A lock file fills in a struct lock_ops and its descriptor with LOCK_SCENARIO and LOCK_PARAMS.
 */
#ifndef CONCUR_SYNC_LOCK_H
#define CONCUR_SYNC_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>

#include "work/scenario.h"

#define LOCK_MAX_ROLES 64
#define LOCK_BYTES 128 /* room for any lock here (a process-shared pthread mutex is 40 bytes) */

enum { LOCK_INSIDE, LOCK_OUTSIDE, LOCK_THIRD }; /* the third: the recursive lock's depth, the rwlock's readers */

struct lock_ops {
	/* Makes the lock in `lock` (LOCK_BYTES, zeroed, in memory every role reaches: process-shared). */
	int (*init)(void *lock, const int64_t *params, char *why, size_t len);
	void (*destroy)(void *lock);
	int (*acquire)(void *lock); /* 0, or an errno value */
	void (*release)(void *lock);
	/* Optional, a reader-writer lock: taken shared by the acquisitions its third parameter's percentage
	 * says are reads (the same ones in every run); a read only reads what is under the lock. */
	int (*acquire_shared)(void *lock);
	void (*release_shared)(void *lock);
	/* Optional, a counting semaphore: how many roles it lets in at once (its third parameter); the check
	 * is then that no more were ever inside together. */
	unsigned (*admits)(const int64_t *params);
};

struct lock_state {
	const struct lock_ops *ops; /* first: set by the harness (sc_desc.impl) */
	_Alignas(64) unsigned char lock[LOCK_BYTES];
	_Alignas(64) uint64_t inside;    /* incremented without atomics under the lock (by writers) */
	atomic_ullong writes;           /* the exclusive acquisitions made: what inside must come to */
	atomic_uint occupants, most;    /* a counting semaphore: roles inside now, and at most */
	int64_t released_ns;            /* when the last holder released it */
	unsigned holder;                /* ... and who that was */
	_Alignas(64) struct {
		_Atomic uint64_t done; /* acquisitions of this role so far */
		char pad[56];
	} role[LOCK_MAX_ROLES];
	atomic_bool first_done;             /* a role has finished: the shares are taken */
	uint64_t share[LOCK_MAX_ROLES];     /* every role's acquisitions at that moment */
	atomic_bool stopped;
};

int lock_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len);
void lock_teardown(void *state, unsigned roles);
void lock_stop(void *state);
int lock_role(struct sc_role *r, char *why, size_t len);
int lock_verify(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len);
void lock_measure(const void *state, const int64_t *params, uint64_t ops, double *values);
double lock_op_ns(const int64_t *params);
extern const struct sc_metric lock_metrics[];

#define LOCK_SCENARIO(ops_, ...)                                                                               \
	{                                                                                                      \
		.min_roles = 1, .max_roles = LOCK_MAX_ROLES, .executors = SC_THREADS | SC_PROCESSES,           \
		.state_bytes = sizeof(struct lock_state), .op = "acquire and release (each role)",            \
		.impl = (ops_), .setup = lock_setup, .teardown = lock_teardown, .role = lock_role,             \
		.stop = lock_stop, .verify = lock_verify, .metrics = lock_metrics, .measure = lock_measure,    \
		__VA_ARGS__                                                                                    \
	}

#define LOCK_INSIDE_PARAM {"inside_ns", WL_INT, 0, 0, 1000000, "work inside the critical section (ns)"}
#define LOCK_OUTSIDE_PARAM {"outside_ns", WL_INT, 0, 0, 1000000, "work between acquisitions (ns)"}
#define LOCK_PARAMS (const struct wl_param[]){LOCK_INSIDE_PARAM, LOCK_OUTSIDE_PARAM, {0}}
#define LOCK_SWEEP "inside_ns=0,100,1000;outside_ns=0,1000"
#define LOCK_OPS 10000

#endif
