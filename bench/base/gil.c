/* The global interpreter lock; see gil.h. */
#include "base/gil.h"

#include <errno.h>
#include <time.h>

_Thread_local struct cc_gil *cc_gil_current;
static _Thread_local char thread_token; /* its address names the calling thread */

int cc_gil_init(struct cc_gil *g, int64_t interval_ns)
{
	pthread_condattr_t ca;
	int rc;
	if (interval_ns < 1000)
		return -EINVAL;
	*g = (struct cc_gil){.interval_ns = interval_ns};
	if ((rc = pthread_condattr_init(&ca)))
		return -rc;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the interval is not bent by clock changes */
	rc = pthread_mutex_init(&g->mutex, NULL);
	if (!rc && (rc = pthread_cond_init(&g->released, &ca)))
		pthread_mutex_destroy(&g->mutex);
	if (!rc && (rc = pthread_mutex_init(&g->switch_mutex, NULL))) {
		pthread_cond_destroy(&g->released);
		pthread_mutex_destroy(&g->mutex);
	}
	if (!rc && (rc = pthread_cond_init(&g->taken, NULL))) {
		pthread_mutex_destroy(&g->switch_mutex);
		pthread_cond_destroy(&g->released);
		pthread_mutex_destroy(&g->mutex);
	}
	pthread_condattr_destroy(&ca);
	return -rc;
}

void cc_gil_destroy(struct cc_gil *g)
{
	pthread_cond_destroy(&g->taken);
	pthread_mutex_destroy(&g->switch_mutex);
	pthread_cond_destroy(&g->released);
	pthread_mutex_destroy(&g->mutex);
}

uint64_t cc_gil_switches(struct cc_gil *g)
{
	pthread_mutex_lock(&g->mutex);
	uint64_t n = g->switch_number;
	pthread_mutex_unlock(&g->mutex);
	return n;
}

static void take(struct cc_gil *g)
{
	pthread_mutex_lock(&g->mutex);
	while (g->locked) {
		uint64_t seen = g->switch_number;
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		int64_t ns = until.tv_nsec + g->interval_ns;
		until.tv_sec += ns / 1000000000, until.tv_nsec = ns % 1000000000;
		bool timed_out = pthread_cond_timedwait(&g->released, &g->mutex, &until) == ETIMEDOUT;
		/* a whole interval waited and the holder is the same one: ask it to drop the lock */
		if (timed_out && g->locked && g->switch_number == seen) {
			atomic_store_explicit(&g->drop_request, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&g->drop_requests, 1, memory_order_relaxed);
		}
	}
	pthread_mutex_lock(&g->switch_mutex); /* last_holder changes under it: see drop() */
	g->locked = true;
	if (g->last_holder != &thread_token) {
		g->last_holder = &thread_token;
		g->switch_number++;
	}
	pthread_cond_signal(&g->taken);
	pthread_mutex_unlock(&g->switch_mutex);
	/* whoever asked, the lock has changed hands: a waiter still waiting asks again after its interval */
	atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
	pthread_mutex_unlock(&g->mutex);
}

/* forced: when the drop was asked for, wait until another thread has taken the lock. */
static void drop(struct cc_gil *g, bool forced)
{
	pthread_mutex_lock(&g->mutex);
	g->locked = false;
	pthread_cond_signal(&g->released);
	pthread_mutex_unlock(&g->mutex);
	if (!forced || !atomic_load_explicit(&g->drop_request, memory_order_relaxed))
		return;
	pthread_mutex_lock(&g->switch_mutex);
	if (g->last_holder == &thread_token) {
		atomic_fetch_add_explicit(&g->forced_waits, 1, memory_order_relaxed);
		while (g->last_holder == &thread_token) /* the waiter that asked takes it, and signals */
			pthread_cond_wait(&g->taken, &g->switch_mutex);
	}
	pthread_mutex_unlock(&g->switch_mutex);
}

void cc_gil_enter(struct cc_gil *g)
{
	cc_gil_current = g;
	take(g);
}

void cc_gil_leave(void)
{
	struct cc_gil *g = cc_gil_current;
	if (!g)
		return;
	cc_gil_current = NULL;
	drop(g, false); /* for good: nobody is kept waiting for this thread to be switched out */
}

void cc_gil_switch(void)
{
	struct cc_gil *g = cc_gil_current;
	drop(g, true);
	take(g); /* other threads may run now */
}

void cc_gil_blocking_begin(void)
{
	struct cc_gil *g = cc_gil_current;
	if (!g)
		return;
	int saved = errno;
	atomic_fetch_add_explicit(&g->io_releases, 1, memory_order_relaxed);
	drop(g, true);
	errno = saved;
}

void cc_gil_blocking_end(void)
{
	struct cc_gil *g = cc_gil_current;
	if (!g)
		return;
	int saved = errno;
	take(g);
	errno = saved;
}
