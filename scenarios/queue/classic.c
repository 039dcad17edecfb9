/*
 * queue/fifo, queue/lifo, queue/priority and queue/joinable: what Python's queue.Queue, LifoQueue,
 * PriorityQueue and multiprocessing's JoinableQueue are: a bounded container under one mutex with two
 * condition variables (not empty, not full), process-shared so that the roles can be processes too.
 * FIFO is a ring, LIFO a stack, priority a binary heap on the item's key (smallest first). joinable is
 * the FIFO with task_done and join: a count of unfinished items and a condition for it reaching zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "queue.h"

enum order { FIFO, LIFO, PRIORITY };

struct classic {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full, all_done;
	enum order order;
	bool stopped;
	unsigned capacity, n, head; /* FIFO: the oldest at head; LIFO: the top at n - 1; PRIORITY: a heap */
	uint64_t unfinished;        /* put and not yet done (joinable) */
	struct q_item items[];
};

static size_t bytes(unsigned capacity) { return sizeof(struct classic) + capacity * sizeof(struct q_item); }

static int init_order(void *p, unsigned capacity, enum order order, char *why, size_t len)
{
	struct classic *q = p;
	q->order = order;
	q->capacity = capacity;
	return sc_shared_mutex_conds(&q->lock, (pthread_cond_t *const[]){&q->not_empty, &q->not_full, &q->all_done}, 3,
				     why, len);
}

static int init_fifo(void *q, unsigned c, char *why, size_t len) { return init_order(q, c, FIFO, why, len); }
static int init_lifo(void *q, unsigned c, char *why, size_t len) { return init_order(q, c, LIFO, why, len); }
static int init_priority(void *q, unsigned c, char *why, size_t len) { return init_order(q, c, PRIORITY, why, len); }

static void destroy(void *p)
{
	struct classic *q = p;
	pthread_cond_destroy(&q->all_done);
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->lock);
}

/* A sentinel goes out after every item (key 0 would jump the heap's line; on a stack it goes to the bottom). */
static bool before(const struct q_item *a, const struct q_item *b)
{
	uint64_t ka = a->seq == Q_SENTINEL ? UINT64_MAX : a->key, kb = b->seq == Q_SENTINEL ? UINT64_MAX : b->key;
	return ka < kb;
}

static void push(struct classic *q, const struct q_item *it)
{
	if (q->order == FIFO) {
		q->items[(q->head + q->n++) % q->capacity] = *it;
		return;
	}
	unsigned k = q->n++;
	if (q->order == LIFO && it->seq == Q_SENTINEL) { /* to the bottom: out after every item */
		memmove(&q->items[1], &q->items[0], k * sizeof(*it));
		k = 0;
	}
	q->items[k] = *it;
	while (q->order == PRIORITY && k && before(&q->items[k], &q->items[(k - 1) / 2])) { /* sift up */
		struct q_item t = q->items[k];
		q->items[k] = q->items[(k - 1) / 2];
		q->items[(k - 1) / 2] = t;
		k = (k - 1) / 2;
	}
}

static void pop(struct classic *q, struct q_item *it)
{
	if (q->order == FIFO) {
		*it = q->items[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->n--;
		return;
	}
	if (q->order == LIFO) {
		*it = q->items[--q->n];
		return;
	}
	*it = q->items[0];
	q->items[0] = q->items[--q->n];
	for (unsigned k = 0;;) { /* sift down */
		unsigned l = 2 * k + 1, r = l + 1, m = k;
		if (l < q->n && before(&q->items[l], &q->items[m]))
			m = l;
		if (r < q->n && before(&q->items[r], &q->items[m]))
			m = r;
		if (m == k)
			break;
		struct q_item t = q->items[k];
		q->items[k] = q->items[m];
		q->items[m] = t;
		k = m;
	}
}

/* Waits on cond (the lock held) until woken or `until`; ETIMEDOUT, ECANCELED, or 0 to look again. */
static int wait_on(struct classic *q, pthread_cond_t *cond, int64_t timeout_ns, const struct timespec *until)
{
	if (q->stopped)
		return ECANCELED;
	int rc = timeout_ns < 0 ? pthread_cond_wait(cond, &q->lock) : pthread_cond_timedwait(cond, &q->lock, until);
	return q->stopped ? ECANCELED : rc;
}

static struct timespec deadline(int64_t timeout_ns)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	int64_t ns = (int64_t)t.tv_nsec + (timeout_ns > 0 ? timeout_ns : 0);
	return (struct timespec){t.tv_sec + ns / 1000000000, ns % 1000000000};
}

static int put(void *p, const struct q_item *it, int64_t timeout_ns, bool *blocked)
{
	struct classic *q = p;
	struct timespec until = deadline(timeout_ns);
	int rc = 0;
	pthread_mutex_lock(&q->lock);
	while (!rc && q->n == q->capacity) {
		*blocked = true;
		rc = wait_on(q, &q->not_full, timeout_ns, &until);
	}
	if (!rc) {
		push(q, it);
		q->unfinished += it->seq != Q_SENTINEL;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static int get(void *p, struct q_item *it, int64_t timeout_ns)
{
	struct classic *q = p;
	struct timespec until = deadline(timeout_ns);
	int rc = 0;
	pthread_mutex_lock(&q->lock);
	while (!rc && q->n == 0)
		rc = wait_on(q, &q->not_empty, timeout_ns, &until);
	if (!rc) {
		pop(q, it);
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static void stop(void *p)
{
	struct classic *q = p;
	pthread_mutex_lock(&q->lock);
	q->stopped = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_cond_broadcast(&q->all_done);
	pthread_mutex_unlock(&q->lock);
}

static void task_done(void *p)
{
	struct classic *q = p;
	pthread_mutex_lock(&q->lock);
	if (--q->unfinished == 0)
		pthread_cond_broadcast(&q->all_done);
	pthread_mutex_unlock(&q->lock);
}

static int join(void *p)
{
	struct classic *q = p;
	int rc = 0;
	pthread_mutex_lock(&q->lock);
	while (!rc && q->unfinished)
		rc = wait_on(q, &q->all_done, -1, NULL);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static const struct queue_ops fifo = {bytes, init_fifo, destroy, put, get, stop, NULL, NULL, NULL};
static const struct queue_ops lifo = {bytes, init_lifo, destroy, put, get, stop, NULL, NULL, NULL};
static const struct queue_ops priority = {bytes, init_priority, destroy, put, get, stop, NULL, NULL, NULL};
static const struct queue_ops joinable = {bytes, init_fifo, destroy, put, get, stop, task_done, join, NULL};
static const struct sc_desc fifo_scenario = QUEUE_SCENARIO(&fifo);
static const struct sc_desc lifo_scenario = QUEUE_SCENARIO(&lifo);
static const struct sc_desc priority_scenario = QUEUE_SCENARIO(&priority);
static const struct sc_desc joinable_scenario = QUEUE_SCENARIO(&joinable);

#define CLASSIC(sym, name_, summary_, scenario_)                                                              \
	const struct wl_desc sym = {.name = name_, .cls = WL_QUEUE, .headline = "queue", .summary = summary_, \
				    .params = QUEUE_PARAMS, .default_tasks = QUEUE_OPS, .task_ns = queue_op_ns,  \
				    .sweep = QUEUE_SWEEP, .scenario = &scenario_}

CLASSIC(sc_queue_fifo, "fifo", "producers and consumers through a bounded FIFO under a mutex and two conditions "
			       "(queue.Queue)", fifo_scenario);
CLASSIC(sc_queue_lifo, "lifo", "the same as a stack (LifoQueue): the newest item out first", lifo_scenario);
CLASSIC(sc_queue_priority, "priority", "the same as a binary heap (PriorityQueue): the smallest key out first",
	priority_scenario);
CLASSIC(sc_queue_joinable, "joinable", "the FIFO with task_done and join (JoinableQueue): how long a producer's "
				       "join waits after its last put", joinable_scenario);
