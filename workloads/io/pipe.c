/*
 * io/pipe: request/reply through pipes to a responder process that upper-cases
 * what it receives: the same exchange as io/tcp, over the cheapest IPC channel.
 * Setup forks the responder; teardown stops and reaps it. A channel is two
 * pipes, opened by the client the first time it needs one and handed to the
 * responder over a Unix socket (SCM_RIGHTS), then kept in a per-process pool.
 * Requests are at most PIPE_BUF bytes, so a request and its reply each fit in
 * any pipe and neither side can wait on the other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/proc.h"
#include "work/workload.h"
#include "coro/io.h"
#include "echo.h"

struct pipe_ctx {
	size_t size;
	int control; /* our end of the socket channels are handed over on (non-blocking, like the responder's) */
	pid_t responder;
	struct echo_pool pool;
};

/* Two descriptors in one message, or none. */
union fd_pair_msg {
	struct cmsghdr hdr;
	char space[CMSG_SPACE(2 * sizeof(int))];
};

/* The responder: a new channel arrives as its request pipe's read end and its reply pipe's write end. */
static int admit_pipes(int control, struct echo_chan *ch)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union fd_pair_msg cm;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.space, .msg_controllen = sizeof(cm.space)};
	ssize_t r = recvmsg(control, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (r == 0)
		return -1; /* every client end is closed */
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(2 * sizeof(int)))
		return 0; /* not one of ours: drop it */
	int fds[2];
	memcpy(fds, CMSG_DATA(h), sizeof(fds));
	*ch = (struct echo_chan){fds[0], fds[1]};
	return 1;
}

/* The client: opens both pipes, hands the responder its ends and keeps ours. */
static int open_channel(const struct pipe_ctx *c, struct echo_chan *ch)
{
	int req[2], rep[2];
	if (pipe2(req, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		echo_chan_close((struct echo_chan){req[0], req[1]});
		return -1;
	}
	char byte = 'p';
	struct iovec iov = {&byte, 1};
	union fd_pair_msg cm;
	memset(&cm, 0, sizeof(cm));
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.space, .msg_controllen = sizeof(cm.space)};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(h), (int[]){req[0], rep[1]}, 2 * sizeof(int));
	ssize_t sent;
	/* the socket is shared by every worker: a full one parks a coroutine instead of its thread */
	while ((sent = sendmsg(c->control, &m, MSG_DONTWAIT)) < 0 && (errno == EAGAIN || errno == EINTR))
		if (errno == EAGAIN && cio_wait(c->control, POLLOUT) < 0)
			break;
	echo_chan_close((struct echo_chan){req[0], rep[1]}); /* the responder's ends: it has its own now */
	*ch = (struct echo_chan){rep[0], req[1]};
	if (sent < 0) {
		echo_chan_close(*ch);
		return -1;
	}
	return 0;
}

static uint64_t pipe_task(const void *p, uint64_t i)
{
	struct pipe_ctx *c = (struct pipe_ctx *)p; /* the pool changes; the rest is read-only */
	struct echo_chan ch;
	if (!echo_pool_take(&c->pool, &ch) && open_channel(c, &ch) < 0) {
		wl_fail("io/pipe: opening a channel to the responder: %s", strerror(errno));
		return 0;
	}
	uint64_t h = echo_exchange(ch, c->size, i);
	if (h)
		echo_pool_put(&c->pool, ch);
	else
		echo_chan_close(ch);
	return h;
}

static int pipe_setup(const int64_t *params, void **ctx)
{
	struct pipe_ctx *c = calloc(1, sizeof(*c));
	int sv[2];
	if (!c)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0) {
		int e = errno;
		free(c);
		return -e;
	}
	c->size = (size_t)params[0];
	c->control = sv[0];
	echo_pool_init(&c->pool);
	c->responder = echo_start(sv[1], admit_pipes, params[1]);
	close(sv[1]); /* only the responder receives */
	if (c->responder < 0) {
		int e = (int)c->responder;
		close(c->control);
		echo_pool_destroy(&c->pool);
		free(c);
		return e;
	}
	*ctx = c;
	return 0;
}

static void pipe_teardown(void *p)
{
	struct pipe_ctx *c = p;
	echo_pool_destroy(&c->pool);
	close(c->control);
	echo_stop(c->responder);
	free(c);
}

static int pipe_validate(const int64_t *params, char *why, size_t len)
{
	return echo_check_cpu(params[1], why, len);
}

static double pipe_ns(const int64_t *params) { return 10000 + 2 * (double)params[0]; }

static const struct wl_param pipe_params[] = {
	{"size", WL_BYTES, 64, 1, PIPE_BUF, "bytes per request (and per reply), at most PIPE_BUF"},
	ECHO_CPU_PARAM,
	{0},
};

/* The responder serves every request: its CPU time is the batch's too. */
static double helpers_cpu_s(const void *p) { return cc_proc_cpu_s(((const struct pipe_ctx *)p)->responder); }

const struct wl_desc wl_io_pipe = {
	.helpers_cpu_s = helpers_cpu_s,
	.name = "pipe",
	.cls = WL_IO,
	.summary = "request/reply through a pair of pipes to an upper-casing responder process",
	.params = pipe_params,
	.default_tasks = 1000, /* many exchanges per channel: 128 coroutines open 128 of them */
	.setup = pipe_setup,
	.teardown = pipe_teardown,
	.task = pipe_task,
	.validate = pipe_validate,
	.task_ns = pipe_ns,
	.fds_each = 2, /* a pipe each way */
	.sweep = "size=64,4K",
};
