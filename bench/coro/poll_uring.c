/*
 * The io_uring poller (built when liburing is found): each wait is a one-shot
 * POLL_ADD whose completion carries the coroutine; arming only queues the
 * request, and the scheduler's next wait submits everything queued and reaps
 * completions in the same system call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>

#include "coro/poller.h"

#define URING_ENTRIES 256

struct coro_poller_state {
	struct io_uring ring;
};

static int ur_init(struct coro_poller_state **out)
{
	struct coro_poller_state *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	int err = io_uring_queue_init(URING_ENTRIES, &p->ring, 0);
	if (err < 0) {
		free(p);
		return err; /* -ENOSYS or -EPERM where io_uring is absent or forbidden */
	}
	*out = p;
	return 0;
}

static void ur_fini(struct coro_poller_state *p)
{
	io_uring_queue_exit(&p->ring);
	free(p);
}

static int ur_arm(struct coro_poller_state *p, int fd, unsigned events, struct coro *c)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&p->ring);
	if (!sqe) { /* the submission queue is full: hand it to the kernel and take a fresh entry */
		int err = io_uring_submit(&p->ring);
		if (err < 0)
			return err;
		sqe = io_uring_get_sqe(&p->ring);
		if (!sqe)
			return -EBUSY;
	}
	io_uring_prep_poll_add(sqe, fd, events);
	io_uring_sqe_set_data(sqe, c);
	return 0;
}

static int ur_wait(struct coro_poller_state *p, int64_t timeout_ns, coro_wake_fn wake, void *sched)
{
	struct __kernel_timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
	struct io_uring_cqe *cqe;
	int err;
	if (timeout_ns == 0)
		err = io_uring_submit(&p->ring);
	else
		err = io_uring_submit_and_wait_timeout(&p->ring, &cqe, 1, timeout_ns < 0 ? NULL : &ts, NULL);
	if (err < 0 && err != -ETIME && err != -EINTR)
		return err;
	unsigned head, n = 0;
	io_uring_for_each_cqe(&p->ring, head, cqe)
	{
		n++;
		wake(sched, io_uring_cqe_get_data(cqe), cqe->res);
	}
	io_uring_cq_advance(&p->ring, n);
	return (int)n;
}

const struct coro_poller_ops coro_poller_uring = {
	.name = "io_uring",
	.init = ur_init,
	.fini = ur_fini,
	.arm = ur_arm,
	.wait = ur_wait,
};
