/*
 * A bounded multi-producer multi-consumer ring of fixed-size entries, lock-free
 * and without allocation per entry (after Dmitry Vyukov's bounded MPMC queue:
 * each cell carries a sequence number that says whose turn it is). It lives in
 * caller-provided memory, so the same ring works between threads or, in a
 * shared mapping, between processes.
 */
#ifndef CONCUR_POOL_RING_H
#define CONCUR_POOL_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One task as the pools pass it around. */
struct pool_entry {
	void *fn;     /* the task function, typed by the pool */
	void *ctx;    /* its argument (in a process pool: valid in every forked worker) */
	uint64_t i;   /* the task's index */
	void *target; /* where the result goes: a future, a map, or nothing */
	unsigned kind;
};

struct ring_cell {
	atomic_size_t seq;
	struct pool_entry e;
};

struct ring {
	size_t mask;
	_Alignas(64) atomic_size_t head; /* next to pop; producers and consumers on separate lines */
	_Alignas(64) atomic_size_t tail; /* next to push */
	_Alignas(64) struct ring_cell cells[];
};

/* Bytes a ring of capacity entries needs; capacity must be a power of two. */
size_t ring_bytes(size_t capacity);
void ring_init(struct ring *r, size_t capacity);
/* false when full / empty; never blocks */
bool ring_push(struct ring *r, const struct pool_entry *e);
bool ring_pop(struct ring *r, struct pool_entry *e);
/* Snapshots: may be stale by the time they are used. */
bool ring_empty(struct ring *r);
static inline size_t ring_count(struct ring *r) { return atomic_load(&r->tail) - atomic_load(&r->head); }

/*
 * A doorbell: waiters spin for a while, then sleep on a futex; ringing wakes a
 * sleeper only if there is one, so the fast path costs one atomic load.
 * Works between processes when it lives in a shared mapping.
 */
struct bell {
	atomic_uint epoch;
	atomic_uint sleepers;
};

void bell_init(struct bell *b);
/* Wakes one sleeper (all with all=true), if any sleeps. */
void bell_ring(struct bell *b, bool all);

/* Counts of how waits ended: by spinning, or after sleeping (read while others wait: atomic). */
struct wait_stats {
	atomic_uint_fast64_t spun;
	atomic_uint_fast64_t slept;
};

/*
 * Waits until ready(arg) is true: spins about spin_ns nanoseconds, then sleeps
 * until rung (re-checking ready after every wake-up). With timeout_ms >= 0,
 * returns false if that passes first; true once ready.
 */
bool bell_wait(struct bell *b, bool (*ready)(void *), void *arg, unsigned spin_ns, int timeout_ms,
	       struct wait_stats *st);

/* Rounds n up to a power of two (n >= 1). */
size_t pool_pow2(size_t n);

#endif
