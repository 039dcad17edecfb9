/*
 * queue/ring: producers and consumers through concur's own lock-free bounded MPMC ring (pool/ring.h,
 * after Dmitry Vyukov's: a sequence number per cell says whose turn it is) with two doorbells for the
 * waits (spin about 2 us, then sleep on a futex, woken only if someone sleeps): what the classic
 * mutex-and-conditions queue is compared with. The capacity is rounded up to a power of two, and two at least.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>

#include "pool/ring.h"
#include "queue.h"

enum { SPIN_NS = 2000 };

struct ringq {
	struct bell not_empty, not_full;
	atomic_bool stopped;
	_Alignas(64) unsigned char ring[]; /* struct ring */
};

static struct ring *ring_of(struct ringq *q) { return (struct ring *)q->ring; }

/* Vyukov's ring needs two cells at least: a capacity of one is made two. */
static size_t cells(unsigned capacity) { return capacity < 2 ? 2 : pool_pow2(capacity); }

static size_t bytes(unsigned capacity) { return sizeof(struct ringq) + ring_bytes(cells(capacity)); }

static int init(void *p, unsigned capacity, char *why, size_t len)
{
	(void)why, (void)len;
	struct ringq *q = p;
	bell_init(&q->not_empty);
	bell_init(&q->not_full);
	ring_init(ring_of(q), cells(capacity));
	return 0;
}

struct attempt {
	struct ringq *q;
	struct pool_entry e;
	bool put, done;
};

/* The bell's readiness check does the operation itself: true once it happened, or once stopped. */
static bool try_once(void *arg)
{
	struct attempt *a = arg;
	if (atomic_load_explicit(&a->q->stopped, memory_order_relaxed))
		return true;
	a->done = a->put ? ring_push(ring_of(a->q), &a->e) : ring_pop(ring_of(a->q), &a->e);
	return a->done;
}

static int run(struct attempt *a, int64_t timeout_ns, bool *waited)
{
	struct ringq *q = a->q;
	if (!try_once(a)) {
		*waited = true;
		int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
		if (!bell_wait(a->put ? &q->not_full : &q->not_empty, try_once, a, SPIN_NS, ms, NULL))
			return ETIMEDOUT;
	}
	if (!a->done)
		return ECANCELED;
	bell_ring(a->put ? &q->not_empty : &q->not_full, false);
	return 0;
}

static int put(void *p, const struct q_item *it, int64_t timeout_ns, bool *blocked)
{
	struct attempt a = {p, {(void *)(uintptr_t)it->key, (void *)(intptr_t)it->put_ns, it->seq, NULL, it->producer},
			    true, false};
	return run(&a, timeout_ns, blocked);
}

static int get(void *p, struct q_item *it, int64_t timeout_ns)
{
	struct attempt a = {p, {0}, false, false};
	bool waited = false;
	int rc = run(&a, timeout_ns, &waited);
	if (!rc)
		*it = (struct q_item){a.e.kind, (uint32_t)(uintptr_t)a.e.fn, a.e.i, (int64_t)(intptr_t)a.e.ctx};
	return rc;
}

static void stop(void *p)
{
	struct ringq *q = p;
	atomic_store(&q->stopped, true);
	bell_ring(&q->not_empty, true);
	bell_ring(&q->not_full, true);
}

static const struct queue_ops ops = {bytes, init, NULL, put, get, stop, NULL, NULL, NULL};
static const struct sc_desc scenario = QUEUE_SCENARIO(&ops);

const struct wl_desc sc_queue_ring = {
	.name = "ring",
	.cls = WL_QUEUE,
	.headline = "queue",
	.summary = "producers and consumers through concur's lock-free MPMC ring with spin-then-sleep doorbells",
	.params = QUEUE_PARAMS,
	.default_tasks = QUEUE_OPS,
	.task_ns = queue_op_ns,
	.sweep = QUEUE_SWEEP,
	.scenario = &scenario,
};
