/*
 * The epoll poller. A descriptor is registered while some coroutine waits on
 * it and removed as soon as none does, so a descriptor closed and reused by
 * the program can never deliver a stale wake-up. Any number of coroutines may
 * wait on one descriptor (500 coroutines sharing io/pipe's control socket did:
 * with one waiter a direction, the second got EBUSY and its task failed); the
 * first waiter takes no allocation, the others go to a list woken with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "coro/poller.h"

struct waitq {
	struct coro *first;
	struct coro **more; /* the other waiters, kept allocated for the next time */
	unsigned nmore, cap;
};

struct fd_waiters {
	struct waitq reader, writer;
	unsigned registered; /* the events epoll watches for this fd; 0: not registered */
};

struct coro_poller_state {
	int epfd;
	struct fd_waiters *fds;
	size_t nfds;
};

static int ep_init(struct coro_poller_state **out)
{
	struct coro_poller_state *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		int e = errno;
		free(p);
		return -e;
	}
	*out = p;
	return 0;
}

static void ep_fini(struct coro_poller_state *p)
{
	close(p->epfd);
	for (size_t k = 0; k < p->nfds; k++)
		free(p->fds[k].reader.more), free(p->fds[k].writer.more);
	free(p->fds);
	free(p);
}

static int waitq_add(struct waitq *q, struct coro *c)
{
	if (!q->first) {
		q->first = c;
		return 0;
	}
	if (q->nmore == q->cap) {
		unsigned cap = q->cap ? 2 * q->cap : 8;
		struct coro **grown = realloc(q->more, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		q->more = grown, q->cap = cap;
	}
	q->more[q->nmore++] = c;
	return 0;
}

/* Takes the last one added back (arming failed). */
static void waitq_undo(struct waitq *q)
{
	if (q->nmore)
		q->nmore--;
	else
		q->first = NULL;
}

/* Wakes every waiter of q and empties it. */
static void waitq_wake(struct waitq *q, coro_wake_fn wake, void *sched, int events)
{
	struct coro *first = q->first;
	unsigned n = q->nmore;
	q->first = NULL, q->nmore = 0;
	if (first)
		wake(sched, first, events);
	for (unsigned k = 0; k < n; k++)
		wake(sched, q->more[k], events);
}

/* Makes epoll watch what fd's waiters need; nothing if none. */
static int ep_update(struct coro_poller_state *p, int fd)
{
	struct fd_waiters *w = &p->fds[fd];
	unsigned want = (w->reader.first ? EPOLLIN : 0) | (w->writer.first ? EPOLLOUT : 0);
	if (want == w->registered)
		return 0;
	struct epoll_event ev = {.events = want, .data.fd = fd};
	int op = !want ? EPOLL_CTL_DEL : w->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(p->epfd, op, fd, &ev) < 0 && !(op == EPOLL_CTL_DEL && errno == EBADF))
		return -errno;
	w->registered = want;
	return 0;
}

static int ep_arm(struct coro_poller_state *p, int fd, unsigned events, struct coro *c)
{
	if (fd < 0)
		return -EBADF;
	if ((size_t)fd >= p->nfds) {
		size_t n = p->nfds ? p->nfds : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct fd_waiters *grown = realloc(p->fds, n * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		memset(grown + p->nfds, 0, (n - p->nfds) * sizeof(*grown));
		p->fds = grown, p->nfds = n;
	}
	struct fd_waiters *w = &p->fds[fd];
	struct waitq *q = (events & EPOLLOUT) ? &w->writer : &w->reader;
	int err = waitq_add(q, c);
	if (err)
		return err;
	if ((err = ep_update(p, fd)))
		waitq_undo(q);
	return err;
}

static int ep_wait(struct coro_poller_state *p, int64_t timeout_ns, coro_wake_fn wake, void *sched)
{
	struct epoll_event ev[64];
	struct timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
	int n = epoll_pwait2(p->epfd, ev, 64, timeout_ns < 0 ? NULL : &ts, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int k = 0; k < n; k++) {
		int fd = ev[k].data.fd;
		struct fd_waiters *w = &p->fds[fd];
		unsigned e = ev[k].events, broken = EPOLLERR | EPOLLHUP;
		/* the waiters leave the queues before epoll is updated, and are woken after */
		struct waitq r = {0}, wr = {0};
		if (e & (EPOLLIN | broken))
			r = w->reader, w->reader.first = NULL, w->reader.nmore = 0;
		if (e & (EPOLLOUT | broken))
			wr = w->writer, w->writer.first = NULL, w->writer.nmore = 0;
		int err = ep_update(p, fd);
		waitq_wake(&r, wake, sched, (int)e); /* woken even if the update failed: they retry */
		waitq_wake(&wr, wake, sched, (int)e);
		if (err)
			return err;
	}
	return n;
}

const struct coro_poller_ops coro_poller_epoll = {
	.name = "epoll",
	.init = ep_init,
	.fini = ep_fini,
	.arm = ep_arm,
	.wait = ep_wait,
};
