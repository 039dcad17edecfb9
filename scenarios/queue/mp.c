/*
 * queue/mp: what the notes' multiprocessing.Queue is ("Queue is pipes and locks"): a pipe, a lock for
 * its readers and one for its writers, a semaphore for the bound, and in every producer a feeder
 * thread. A put takes a slot of the bound and hands the item to the producer's feeder (a local list
 * under a mutex and a condition); the feeder writes items to the pipe under the write lock (a pickle
 * there; here the item's bytes, fewer than PIPE_BUF so a write is whole). A get takes the read lock,
 * reads one item and gives its slot back. A producer's feeder is started at its first put and flushed
 * and joined after its last, as a process's is when it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"

struct mpq {
	int fd[2];
	pthread_mutex_t rlock, wlock;
	sem_t slots; /* the bound: maxsize */
	atomic_bool stopped;
};

/* A producer's feeder thread and its local list (per thread: a role is a thread or a process). */
struct feeder {
	struct mpq *q;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct q_item *items;
	size_t n, cap, head;
	bool closing;
	int err;
};

static __thread struct feeder *mine;

static size_t bytes(unsigned capacity)
{
	(void)capacity;
	return sizeof(struct mpq);
}

static int init(void *p, unsigned capacity, char *why, size_t len)
{
	struct mpq *q = p;
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ?: pthread_mutex_init(&q->rlock, &a) ?:
		 pthread_mutex_init(&q->wlock, &a);
	pthread_mutexattr_destroy(&a);
	if (!rc && sem_init(&q->slots, 1, capacity) < 0)
		rc = errno;
	if (!rc && pipe2(q->fd, O_CLOEXEC) < 0)
		rc = errno;
	if (rc)
		snprintf(why, len, "a pipe, two process-shared locks and a semaphore: %s", strerror(rc));
	return -rc;
}

static void destroy(void *p)
{
	struct mpq *q = p;
	close(q->fd[0]);
	close(q->fd[1]);
	sem_destroy(&q->slots);
	pthread_mutex_destroy(&q->wlock);
	pthread_mutex_destroy(&q->rlock);
}

static void *feed(void *arg)
{
	struct feeder *f = arg;
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->n && !f->closing)
			pthread_cond_wait(&f->more, &f->lock);
		if (!f->n)
			break;
		struct q_item it = f->items[f->head];
		f->head = (f->head + 1) % f->cap;
		f->n--;
		pthread_mutex_unlock(&f->lock);
		pthread_mutex_lock(&f->q->wlock);
		ssize_t w;
		while ((w = write(f->q->fd[1], &it, sizeof(it))) < 0 && errno == EINTR)
			;
		pthread_mutex_unlock(&f->q->wlock);
		pthread_mutex_lock(&f->lock);
		if (w != (ssize_t)sizeof(it)) {
			f->err = w < 0 ? errno : EIO;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static int start_feeder(struct mpq *q)
{
	struct feeder *f = calloc(1, sizeof(*f));
	if (!f)
		return ENOMEM;
	f->q = q;
	f->cap = 64;
	f->items = malloc(f->cap * sizeof(*f->items));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->more, NULL);
	int rc = f->items ? pthread_create(&f->thread, NULL, feed, f) : ENOMEM;
	if (rc) {
		free(f->items);
		free(f);
		return rc;
	}
	mine = f;
	return 0;
}

/* Waits for a slot of the bound (for ever, or until the timeout); 0, ETIMEDOUT or ECANCELED. */
static int take_slot(struct mpq *q, int64_t timeout_ns, bool *blocked)
{
	if (sem_trywait(&q->slots) == 0)
		return 0;
	*blocked = true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until); /* sem_timedwait's clock */
	int64_t ns = until.tv_nsec + (timeout_ns > 0 ? timeout_ns : 0);
	until = (struct timespec){until.tv_sec + ns / 1000000000, ns % 1000000000};
	for (;;) {
		if (atomic_load(&q->stopped))
			return ECANCELED;
		if ((timeout_ns < 0 ? sem_wait(&q->slots) : sem_timedwait(&q->slots, &until)) == 0)
			return atomic_load(&q->stopped) ? ECANCELED : 0;
		if (errno != EINTR)
			return errno;
	}
}

static int put(void *p, const struct q_item *it, int64_t timeout_ns, bool *blocked)
{
	struct mpq *q = p;
	int rc = it->seq == Q_SENTINEL ? 0 : take_slot(q, timeout_ns, blocked); /* sentinels are outside the bound */
	if (rc || (!mine && (rc = start_feeder(q))))
		return rc;
	struct feeder *f = mine;
	pthread_mutex_lock(&f->lock);
	if (f->n == f->cap) { /* the local list grows, as a deque does */
		struct q_item *grown = malloc(2 * f->cap * sizeof(*grown));
		if (!grown) {
			pthread_mutex_unlock(&f->lock);
			return ENOMEM;
		}
		for (size_t k = 0; k < f->n; k++)
			grown[k] = f->items[(f->head + k) % f->cap];
		free(f->items);
		f->items = grown;
		f->head = 0;
		f->cap *= 2;
	}
	f->items[(f->head + f->n++) % f->cap] = *it;
	pthread_cond_signal(&f->more);
	rc = f->err;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

/* After a producer's last put: its feeder writes what is left, and ends. */
static int flush(void *p)
{
	(void)p;
	struct feeder *f = mine;
	if (!f)
		return 0;
	pthread_mutex_lock(&f->lock);
	f->closing = true;
	pthread_cond_signal(&f->more);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	int rc = f->err;
	pthread_cond_destroy(&f->more);
	pthread_mutex_destroy(&f->lock);
	free(f->items);
	free(f);
	mine = NULL;
	return rc;
}

static int get(void *p, struct q_item *it, int64_t timeout_ns)
{
	struct mpq *q = p;
	pthread_mutex_lock(&q->rlock);
	struct pollfd ready = {q->fd[0], POLLIN, 0};
	int timeout_ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
	if (timeout_ns >= 0 && poll(&ready, 1, timeout_ms) == 0) { /* get(timeout=...): as multiprocessing polls */
		pthread_mutex_unlock(&q->rlock);
		return ETIMEDOUT;
	}
	ssize_t r;
	while ((r = read(q->fd[0], it, sizeof(*it))) < 0 && errno == EINTR)
		;
	pthread_mutex_unlock(&q->rlock);
	if (atomic_load(&q->stopped))
		return ECANCELED;
	if (r != (ssize_t)sizeof(*it))
		return r < 0 ? errno : EIO;
	if (it->seq != Q_SENTINEL)
		sem_post(&q->slots);
	return 0;
}

/* Readers wake to a short write (then see the stop); a producer waiting for a slot, to a post. */
static void stop(void *p)
{
	struct mpq *q = p;
	atomic_store(&q->stopped, true);
	char junk[64] = {0};
	for (int k = 0; k < 64; k++) {
		sem_post(&q->slots);
		if (write(q->fd[1], junk, 1) < 0)
			break;
	}
}

static const struct queue_ops ops = {bytes, init, destroy, put, get, stop, NULL, NULL, flush};
static const struct sc_desc scenario = QUEUE_SCENARIO(&ops);

const struct wl_desc sc_queue_mp = {
	.name = "mp",
	.cls = WL_QUEUE,
	.headline = "queue",
	.summary = "producers and consumers through a pipe with read and write locks, a bound and a feeder thread per "
		   "producer: how multiprocessing.Queue is built",
	.params = QUEUE_PARAMS,
	.default_tasks = QUEUE_OPS,
	.task_ns = queue_op_ns,
	.sweep = QUEUE_SWEEP,
	.scenario = &scenario,
};
