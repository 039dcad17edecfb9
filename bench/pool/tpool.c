/* The thread pool; see tpool.h. */
#define _GNU_SOURCE
#include "pool/tpool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A map is queued as one range entry per worker; each claims indices from next until
 * none are left. A single queue entry per index would make the one submitting thread
 * the bottleneck for short tasks. */
enum { ENTRY_FUTURE, ENTRY_RANGE };

struct map {
	tpool_fn *fn;
	void *ctx;
	uint64_t n;
	tpool_each *each;
	void *arg;
	_Alignas(64) atomic_uint_fast64_t next; /* claimed by workers, one index at a time */
	_Alignas(64) atomic_uint_fast64_t left; /* tasks not yet finished */
	atomic_int first_err;
	struct tpool_future done; /* completed when left reaches 0 */
	/* Range entries that may still touch the map: each worker lets go after its last
	 * access, so the map outlives its completion until the last one has (then it is freed). */
	atomic_uint refs;
};


struct worker {
	struct tpool *pool;
	unsigned index;
	pthread_t tid;
	_Alignas(64) atomic_uint_fast64_t tasks; /* written by its worker only; read by anyone */
	struct wait_stats idle;
};

struct tpool {
	struct tpool_opts o;
	atomic_int state;     /* RUNNING, DRAINING (shutdown waiting), STOPPING (not waiting) */
	atomic_uint started;  /* workers through on_start */
	struct bell work;     /* rung when a task is queued or the state changes */
	struct bell space;    /* rung when a slot frees up, for blocked submitters */
	struct bell done;     /* rung when any future completes */
	struct worker *w;
	unsigned nthreads;
	struct ring *ring;    /* last: variable size */
};

enum { RUNNING, DRAINING, STOPPING };

static void complete(struct tpool *p, struct tpool_future *f, uint64_t result, int err)
{
	f->result = result;
	f->err = err;
	if (f->cb)
		f->cb(f, f->cb_arg);
	atomic_store(&f->state, 1);
	bell_ring(&p->done, true);
}

static void first_error(struct map *m, int err)
{
	int none = 0;
	if (err)
		atomic_compare_exchange_strong(&m->first_err, &none, err);
}

/* Finishes count tasks of m; the last one completes the map. */
static void map_finished(struct tpool *p, struct map *m, uint64_t count)
{
	if (count && atomic_fetch_sub(&m->left, count) == count)
		complete(p, &m->done, 0, atomic_load(&m->first_err));
}

/* The last access of a range entry to its map. */
static void map_release(struct tpool *p, struct map *m)
{
	if (atomic_fetch_sub(&m->refs, 1) == 1)
		bell_ring(&p->done, true);
}

static uint64_t run_range(struct tpool *p, struct map *m, unsigned worker)
{
	uint64_t ran = 0, i;
	while (atomic_load_explicit(&p->state, memory_order_relaxed) != STOPPING &&
	       (i = atomic_fetch_add_explicit(&m->next, 1, memory_order_relaxed)) < m->n) {
		int err = 0;
		uint64_t v = m->fn(m->ctx, i, worker, &err);
		if (m->each)
			m->each(m->arg, i, v, err, worker);
		first_error(m, err);
		ran++;
	}
	map_finished(p, m, ran);
	map_release(p, m);
	return ran;
}

/* Runs one queue entry; returns how many tasks that was. */
static uint64_t run_entry(struct tpool *p, const struct pool_entry *e, unsigned worker)
{
	if (e->kind == ENTRY_RANGE)
		return run_range(p, e->target, worker);
	int err = 0;
	uint64_t v = ((tpool_fn *)e->fn)(e->ctx, e->i, worker, &err);
	if (e->target)
		complete(p, e->target, v, err);
	return 1;
}

/* Counts a future's task before completing it (so counts are exact once it is done);
 * a range's tasks as it runs them. */
static void run_entry_counted(struct tpool *p, const struct pool_entry *e, struct worker *w)
{
	if (e->kind == ENTRY_FUTURE)
		atomic_fetch_add_explicit(&w->tasks, 1, memory_order_relaxed);
	uint64_t ran = run_entry(p, e, w->index);
	if (e->kind == ENTRY_RANGE)
		atomic_fetch_add_explicit(&w->tasks, ran, memory_order_relaxed);
}

static bool work_or_stop(void *arg)
{
	struct tpool *p = arg;
	return !ring_empty(p->ring) || atomic_load(&p->state) != RUNNING;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct tpool *p = w->pool;
	struct pool_entry e;
	if (p->o.on_start)
		p->o.on_start(w->index, p->o.arg);
	atomic_fetch_add(&p->started, 1);
	bell_ring(&p->done, true);
	for (;;) {
		if (atomic_load_explicit(&p->state, memory_order_relaxed) == STOPPING)
			break;
		if (ring_pop(p->ring, &e)) {
			/* "at or below", not "at": concurrent pops can skip any one count */
			if (ring_count(p->ring) <= (p->ring->mask + 1) / 2)
				bell_ring(&p->space, false);
			run_entry_counted(p, &e, w);
			continue;
		}
		if (atomic_load(&p->state) == DRAINING && ring_empty(p->ring))
			break;
		bell_wait(&p->work, work_or_stop, p, p->o.spin_ns, -1, &w->idle);
	}
	if (p->o.on_stop)
		p->o.on_stop(w->index, p->o.arg);
	return NULL;
}

static bool all_started(void *arg)
{
	struct tpool *p = arg;
	return atomic_load(&p->started) == p->nthreads;
}

int tpool_create(const struct tpool_opts *opts, struct tpool **out)
{
	if (!opts || !opts->workers || !opts->capacity)
		return -EINVAL;
	size_t cap = pool_pow2(opts->capacity);
	struct tpool *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->o = *opts;
	p->ring = aligned_alloc(64, (ring_bytes(cap) + 63) & ~(size_t)63);
	p->w = aligned_alloc(64, opts->workers * sizeof(*p->w)); /* sizeof is a multiple of the 64-byte alignment */
	int err = -ENOMEM;
	if (!p->ring || !p->w)
		goto fail;
	memset(p->w, 0, opts->workers * sizeof(*p->w));
	ring_init(p->ring, cap);
	bell_init(&p->work);
	bell_init(&p->space);
	bell_init(&p->done);
	atomic_init(&p->state, RUNNING);
	atomic_init(&p->started, 0);
	for (; p->nthreads < opts->workers; p->nthreads++) {
		struct worker *w = &p->w[p->nthreads];
		w->pool = p;
		w->index = p->nthreads;
		int rc = pthread_create(&w->tid, NULL, worker_main, w);
		if (rc) {
			err = -rc;
			goto stop;
		}
	}
	bell_wait(&p->done, all_started, p, 0, -1, NULL);
	*out = p;
	return 0;
stop:
	tpool_shutdown(p, false);
	return err;
fail:
	free(p->ring);
	free(p->w);
	free(p);
	return err;
}

void tpool_future_init(struct tpool_future *f, tpool_callback *cb, void *cb_arg)
{
	atomic_init(&f->state, 0);
	f->result = 0;
	f->err = 0;
	f->cb = cb;
	f->cb_arg = cb_arg;
}

/* A blocked submitter resumes once the queue is half empty, not at every free slot:
 * waking it for each pop would take a CPU from a worker once per task. */
static bool half_empty(void *arg)
{
	struct tpool *p = arg;
	return ring_count(p->ring) <= (p->ring->mask + 1) / 2 || atomic_load(&p->state) != RUNNING;
}

static int push(struct tpool *p, const struct pool_entry *e)
{
	while (!ring_push(p->ring, e)) {
		if (atomic_load(&p->state) != RUNNING)
			return -ESHUTDOWN;
		bell_wait(&p->space, half_empty, p, p->o.spin_ns, -1, NULL);
	}
	bell_ring(&p->work, false);
	return 0;
}

int tpool_submit(struct tpool *p, tpool_fn *fn, void *ctx, uint64_t i, struct tpool_future *f)
{
	if (atomic_load(&p->state) != RUNNING)
		return -ESHUTDOWN;
	struct pool_entry e = {(void *)fn, ctx, i, f, ENTRY_FUTURE};
	return push(p, &e);
}

static bool future_done(void *arg) { return tpool_done(arg); }

int tpool_wait(struct tpool *p, struct tpool_future *f)
{
	bell_wait(&p->done, future_done, f, p->o.spin_ns, -1, NULL);
	return f->err;
}

static bool map_unheld(void *arg)
{
	struct map *m = arg;
	return atomic_load(&m->refs) == 0;
}

int tpool_map(struct tpool *p, tpool_fn *fn, void *ctx, uint64_t n, tpool_each *each, void *arg)
{
	if (!n)
		return 0;
	struct map *m = aligned_alloc(64, sizeof(struct map)); /* 64-aligned members: not on the stack */
	if (!m)
		return -ENOMEM;
	*m = (struct map){.fn = fn, .ctx = ctx, .n = n, .each = each, .arg = arg};
	atomic_init(&m->next, 0);
	atomic_init(&m->left, n);
	atomic_init(&m->first_err, 0);
	tpool_future_init(&m->done, NULL, NULL);
	unsigned ranges = n < p->nthreads ? (unsigned)n : p->nthreads, queued = 0;
	atomic_init(&m->refs, ranges);
	int rc = 0;
	while (queued < ranges) {
		struct pool_entry e = {NULL, NULL, 0, m, ENTRY_RANGE};
		if ((rc = push(p, &e)))
			break;
		queued++;
	}
	if (queued < ranges) { /* shutting down: the ranges never queued hold nothing */
		first_error(m, rc);
		if (atomic_fetch_sub(&m->refs, ranges - queued) == ranges - queued) {
			free(m);
			return rc;
		}
	}
	tpool_wait(p, &m->done);
	bell_wait(&p->done, map_unheld, m, p->o.spin_ns, -1, NULL);
	rc = m->done.err;
	free(m);
	return rc;
}

unsigned tpool_workers(const struct tpool *p) { return p->nthreads; }

bool tpool_accepting(const struct tpool *p) { return atomic_load(&p->state) == RUNNING; }

struct tpool_worker_stats tpool_stats(const struct tpool *p, unsigned worker)
{
	struct worker *w = &p->w[worker];
	return (struct tpool_worker_stats){atomic_load(&w->tasks), atomic_load(&w->idle.spun),
					   atomic_load(&w->idle.slept)};
}

unsigned tpool_shutdown(struct tpool *p, bool wait)
{
	unsigned cancelled = 0;
	atomic_store(&p->state, wait ? DRAINING : STOPPING);
	bell_ring(&p->work, true);
	bell_ring(&p->space, true);
	for (unsigned k = 0; k < p->nthreads; k++)
		pthread_join(p->w[k].tid, NULL);
	struct pool_entry e;
	while (ring_pop(p->ring, &e)) { /* only when not waiting: what no worker took */
		cancelled++;
		if (e.kind == ENTRY_RANGE) { /* what no worker claimed of it is cancelled */
			struct map *m = e.target;
			uint64_t taken = atomic_exchange(&m->next, m->n);
			first_error(m, -ECANCELED);
			map_finished(p, m, taken < m->n ? m->n - taken : 0);
			map_release(p, m);
		} else if (e.target) {
			complete(p, e.target, 0, -ECANCELED);
		}
	}
	free(p->ring);
	free(p->w);
	free(p);
	return cancelled;
}
