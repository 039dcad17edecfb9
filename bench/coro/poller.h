/* What the scheduler needs from a poller (epoll or io_uring); internal to bench/coro. */
#ifndef CONCUR_CORO_POLLER_H
#define CONCUR_CORO_POLLER_H

#include <stdint.h>

struct coro;
struct coro_poller_state;

/* Called by the poller for each coroutine whose descriptor became ready. */
typedef void (*coro_wake_fn)(void *sched, struct coro *c, int revents);

struct coro_poller_ops {
	const char *name;
	int (*init)(struct coro_poller_state **p);
	void (*fini)(struct coro_poller_state *p);
	/* Wakes c once when fd is ready for events; one reader and one writer per fd at a time. */
	int (*arm)(struct coro_poller_state *p, int fd, unsigned events, struct coro *c);
	/* Waits up to timeout_ns (-1: until something is ready; 0: just look) and wakes what is
	 * ready; returns how many were woken, or -errno. */
	int (*wait)(struct coro_poller_state *p, int64_t timeout_ns, coro_wake_fn wake, void *sched);
};

extern const struct coro_poller_ops coro_poller_epoll;
#ifdef CONCUR_HAVE_LIBURING
extern const struct coro_poller_ops coro_poller_uring;
#endif

#endif
