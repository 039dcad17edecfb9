/*
 * The epoll poller. A descriptor is registered while some coroutine waits on
 * it and removed as soon as none does, so a descriptor closed and reused by
 * the program can never deliver a stale wake-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "coro/poller.h"

struct fd_waiters {
	struct coro *reader, *writer;
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
	free(p->fds);
	free(p);
}

/* Makes epoll watch what fd's waiters need; nothing if none. */
static int ep_update(struct coro_poller_state *p, int fd)
{
	struct fd_waiters *w = &p->fds[fd];
	unsigned want = (w->reader ? EPOLLIN : 0) | (w->writer ? EPOLLOUT : 0);
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
	struct coro **slot = (events & EPOLLOUT) ? &w->writer : &w->reader;
	if (*slot)
		return -EBUSY;
	*slot = c;
	int err = ep_update(p, fd);
	if (err)
		*slot = NULL;
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
		struct coro *r = (e & (EPOLLIN | broken)) ? w->reader : NULL;
		struct coro *wr = (e & (EPOLLOUT | broken)) ? w->writer : NULL;
		if (r)
			w->reader = NULL;
		if (wr)
			w->writer = NULL;
		int err = ep_update(p, fd);
		if (err)
			return err;
		if (r)
			wake(sched, r, (int)e);
		if (wr)
			wake(sched, wr, (int)e);
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
