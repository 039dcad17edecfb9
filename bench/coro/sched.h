/*
 * The coroutine scheduler: one per thread, never shared.
 *
 * spawn puts a coroutine on the run queue; coro_sched_run runs the queue
 * round by round until every coroutine has finished. A coroutine gives up the
 * thread only where it chooses to: yield (back of the queue), sleep (a timer
 * heap), waiting on a wait group, or waiting for a file descriptor (the poller:
 * epoll, or io_uring when built with liburing). Between rounds the scheduler
 * fires due timers and, if anything waits on a descriptor or nothing is
 * runnable, asks the poller, sleeping until the next timer when idle.
 */
#ifndef CONCUR_CORO_SCHED_H
#define CONCUR_CORO_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coro/ctx.h"
#include "coro/stack.h"

enum coro_poller { CORO_POLL_EPOLL, CORO_POLL_URING, CORO_NPOLLERS };

struct coro_opts {
	const struct coro_backend *backend; /* NULL: the default (coro_backends[0]) */
	size_t stack_size;                  /* 0: CORO_STACK_DEFAULT */
	enum coro_poller poller;
};

struct coro_stats {
	uint64_t spawned, switches; /* switches: resumptions of a coroutine by the scheduler */
	uint64_t peak_live, stacks;  /* stacks: carved from slabs (the pool's high-water mark) */
	uint64_t polls;              /* calls into the poller */
};

struct coro_sched;
struct coro;

/* 0, or -errno: -EINVAL for a bad stack size, -ENOSYS for a poller not built here. */
int coro_sched_create(const struct coro_opts *o, struct coro_sched **out);
/* Only when no coroutine is left (after coro_sched_run returned). */
void coro_sched_destroy(struct coro_sched *s);
/* 0, or -errno (-ENOMEM when no stack could be mapped). */
int coro_spawn(struct coro_sched *s, void (*fn)(void *), void *arg);
/* Runs until every coroutine has finished: 0; -EDEADLK if the live ones all wait on
 * wait groups nothing can finish; another -errno if the poller failed. */
int coro_sched_run(struct coro_sched *s);
struct coro_stats coro_sched_stats(const struct coro_sched *s);

/* Inside a coroutine. */
bool coro_running(void); /* is the caller a coroutine? */
void coro_yield(void);
void coro_sleep_ns(int64_t ns);
/* Parks until fd is ready for events (POLLIN, POLLOUT); returns the poll revents, or -errno
 * (-EPERM: fd cannot be polled, a regular file). */
int coro_wait_fd(int fd, unsigned events);

/* A wait group: add before spawning, done in each coroutine, wait in one. */
struct coro_wg {
	unsigned count;
	struct coro *waiter;
};
void coro_wg_add(struct coro_wg *wg, unsigned n);
void coro_wg_done(struct coro_wg *wg);
void coro_wg_wait(struct coro_wg *wg);

const char *coro_poller_name(enum coro_poller p);
/* -1 if unknown; a known poller may still be unbuilt (coro_poller_built). */
int coro_poller_find(const char *name);
bool coro_poller_built(enum coro_poller p);
const char *coro_poller_names(void); /* the built ones, for messages */

#endif
