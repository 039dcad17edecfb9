/*
 * tpool: a thread pool. Persistent workers take tasks from one bounded MPMC
 * ring (no allocation per task); results come back through futures (submit,
 * wait, result, error, completion callback) or through map over a range.
 * Idle workers spin for a budget, then sleep; the statistics say which
 * happened. Library code: returns 0 or -errno, prints nothing.
 *
 * Invariant: a future is completed exactly once, by the worker that ran its
 * task or, for tasks still queued when the pool stops without waiting, by
 * tpool_shutdown with -ECANCELED.
 */
#ifndef CONCUR_TPOOL_H
#define CONCUR_TPOOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pool/ring.h"

struct tpool;

/* A task: performs task i; sets *err (-errno) to fail. worker is the index of the running worker. */
typedef uint64_t tpool_fn(void *ctx, uint64_t i, unsigned worker, int *err);

struct tpool_future;
typedef void tpool_callback(struct tpool_future *f, void *arg);

struct tpool_future {
	atomic_uint state; /* 0 pending, 1 done (a futex word) */
	uint64_t result;
	int err;
	tpool_callback *cb; /* runs in the completing thread, once, before waiters wake */
	void *cb_arg;
};

struct tpool_opts {
	unsigned workers;  /* >= 1 */
	unsigned capacity; /* queue slots, >= 1 (rounded up to a power of two) */
	unsigned spin_ns;  /* how long an idle worker or a waiter spins before sleeping (0: sleep at once) */
	/* Run in each worker before it takes tasks (pinning goes here) and as it exits; optional. */
	void (*on_start)(unsigned worker, void *arg);
	void (*on_stop)(unsigned worker, void *arg);
	void *arg;
};

/* A worker's counts; tasks is counted before the task's future completes, so it is exact
 * once every future of interest is done. */
struct tpool_worker_stats {
	uint64_t tasks;
	uint64_t idle_spun;  /* idle waits that ended while spinning */
	uint64_t idle_slept; /* ... and after sleeping */
};

/* Creates the pool; every worker has started (on_start done) when it returns. 0 or -EINVAL / -errno. */
int tpool_create(const struct tpool_opts *opts, struct tpool **out);

void tpool_future_init(struct tpool_future *f, tpool_callback *cb, void *cb_arg);
/* Queues fn(ctx, i) for f (which may be NULL: fire and forget). Blocks while the
 * queue is full. -ESHUTDOWN once the pool is shutting down. */
int tpool_submit(struct tpool *p, tpool_fn *fn, void *ctx, uint64_t i, struct tpool_future *f);
/* Waits for f; returns its error (0 on success). */
int tpool_wait(struct tpool *p, struct tpool_future *f);
static inline bool tpool_done(struct tpool_future *f) { return atomic_load(&f->state) == 1; }

/* Runs fn(ctx, i) for i in [0, n), calling each(arg, i, result, err, worker) in the
 * worker as each finishes; waits for all. Returns the first error. Queued as one range
 * per worker, from which workers claim one index at a time. */
typedef void tpool_each(void *arg, uint64_t i, uint64_t result, int err, unsigned worker);
int tpool_map(struct tpool *p, tpool_fn *fn, void *ctx, uint64_t n, tpool_each *each, void *arg);

unsigned tpool_workers(const struct tpool *p);
/* false once tpool_shutdown has begun */
bool tpool_accepting(const struct tpool *p);
struct tpool_worker_stats tpool_stats(const struct tpool *p, unsigned worker);

/* Stops the pool and frees it. wait: every queued task runs first; otherwise running
 * tasks finish and queued ones complete with -ECANCELED. Returns how many were cancelled.
 * No other thread may submit, map or wait on this pool once it is called; a future
 * cancelled here is read directly (tpool_done(f), f->err). */
unsigned tpool_shutdown(struct tpool *p, bool wait);

#endif
