/*
 * queue/lossy: a test scenario whose queue loses an item on purpose: the FIFO of queue/fifo's driver,
 * but its get drops item `lose_at` of producer 0 and hands out the next one instead (lose_at = 0:
 * never), so the consumers' count falls short and the cell must fail saying so while the run goes on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "scenarios/queue/queue.h"

struct lossy {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	unsigned n, head, capacity;
	uint64_t lose_at;
	bool stopped;
	struct q_item items[];
};

static size_t bytes(unsigned capacity) { return sizeof(struct lossy) + capacity * sizeof(struct q_item); }

static int init(void *p, unsigned capacity, char *why, size_t len)
{
	struct lossy *q = p;
	q->capacity = capacity;
	q->lose_at = 3; /* what the parameter below documents: the test build's fixed fault */
	return sc_shared_mutex_conds(&q->lock, (pthread_cond_t *const[]){&q->not_empty}, 1, why, len);
}

/* Unbounded in effect (the capacity is made large enough): the test is about loss, not room. */
static int put(void *p, const struct q_item *it, int64_t timeout_ns, bool *blocked)
{
	(void)timeout_ns, (void)blocked;
	struct lossy *q = p;
	pthread_mutex_lock(&q->lock);
	int rc = q->n == q->capacity ? ENOSPC : 0;
	if (!rc) {
		q->items[(q->head + q->n++) % q->capacity] = *it;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static int get(void *p, struct q_item *it, int64_t timeout_ns)
{
	(void)timeout_ns;
	struct lossy *q = p;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->n && !q->stopped)
			pthread_cond_wait(&q->not_empty, &q->lock);
		if (q->stopped)
			break;
		*it = q->items[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->n--;
		if (!(it->producer == 0 && it->seq == q->lose_at && q->lose_at))
			break; /* else the fault: this one is dropped, the next handed out */
	}
	int rc = q->stopped ? ECANCELED : 0;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static void stop(void *p)
{
	struct lossy *q = p;
	pthread_mutex_lock(&q->lock);
	q->stopped = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

static const struct queue_ops ops = {bytes, init, NULL, put, get, stop, NULL, NULL, NULL};
static const struct sc_desc scenario = QUEUE_SCENARIO(&ops);

const struct wl_desc wl_test_lossy = {
	.name = "lossy",
	.cls = WL_QUEUE,
	.summary = "(test) a FIFO that drops producer 0's item 3",
	.params = (const struct wl_param[]){{"room", WL_INT, 65536, 1, Q_MAX_CAPACITY, "items it holds (the driver's capacity)"},
					    {"split", WL_INT, 0, 0, 2, "as queue/fifo's"},
					    {"timeout_us", WL_INT, 0, 0, 0, "unused"},
					    {0}},
	.default_tasks = 100,
	.task_ns = queue_op_ns,
	.scenario = &scenario,
};
