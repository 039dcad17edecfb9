/*
 * A global interpreter lock built as CPython builds its own (Python/ceval_gil.c), for the gil model and
 * the convoy scenario: threads that run under it take turns, as CPython's threads do.
 *
 * - The lock is a flag guarded by a mutex, with a condition signalled when it is released.
 * - A thread that wants it waits on that condition for the switch interval; if the interval passes and
 *   no switch happened meanwhile, it sets the drop request. The holder checks the request at its yield
 *   points (cc_gil_yield_point: between tasks, and between slices of a task's work, as CPython checks its
 *   eval breaker between bytecodes) and drops the lock, then asks for it again.
 * - Forced switching: a holder that drops on request waits until another thread has taken the lock, so
 *   that it cannot take it straight back.
 * - Around every blocking call of the IO layer (coro/io.h) the lock is released and taken again, as
 *   CPython releases it around blocking system calls.
 *
 * Threads outside any GIL pay one thread-local load at a yield point and nothing else.
 */
#ifndef CONCUR_GIL_H
#define CONCUR_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct cc_gil {
	pthread_mutex_t mutex;
	pthread_cond_t released;     /* signalled when the lock is dropped */
	pthread_mutex_t switch_mutex;
	pthread_cond_t taken;        /* signalled when a thread takes it (forced switching) */
	bool locked;                 /* under mutex */
	const void *last_holder;     /* under switch_mutex (and mutex when written) */
	uint64_t switch_number;      /* changes of holder, under mutex */
	atomic_int drop_request;
	int64_t interval_ns;
	/* what happened, for the results */
	atomic_uint_fast64_t drop_requests, forced_waits, io_releases;
};

/* 0, or -errno. interval_ns >= 1000. */
int cc_gil_init(struct cc_gil *g, int64_t interval_ns);
void cc_gil_destroy(struct cc_gil *g);
/* Changes of holder so far. */
uint64_t cc_gil_switches(struct cc_gil *g);

/* The calling thread runs under g from now on: it takes g (waiting its turn), and its yield points and
 * IO-layer calls act on g until cc_gil_leave, which drops it for good. */
void cc_gil_enter(struct cc_gil *g);
void cc_gil_leave(void);

/* The GIL the calling thread runs under; NULL: none. */
extern _Thread_local struct cc_gil *cc_gil_current;

/* Drops the lock (waiting until another thread has taken it) and takes it again. */
void cc_gil_switch(void);

/* A point where the work may be interrupted: if another thread has asked for the lock, hand it over. */
static inline void cc_gil_yield_point(void)
{
	struct cc_gil *g = cc_gil_current;
	if (__builtin_expect(g != NULL, 0) && atomic_load_explicit(&g->drop_request, memory_order_relaxed))
		cc_gil_switch();
}

/* Around a blocking call (the IO layer): released before, taken again after; errno is kept. No-ops
 * outside a GIL. */
void cc_gil_blocking_begin(void);
void cc_gil_blocking_end(void);

#endif
