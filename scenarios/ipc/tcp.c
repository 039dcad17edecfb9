/*
 * ipc/tcp: checked messages of `size` bytes over one TCP connection on 127.0.0.1 (Nagle off, as a
 * request/response protocol sets it), there and back or streamed: what the loopback network stack
 * costs over a UNIX socket. The listener is closed as soon as the connection is made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"

static int open_tcp(struct ipc_state *s, size_t size, char *why, size_t len)
{
	(void)size;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int one = 1, err = 0, c = -1, l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	const char *step = "socket";
	if (l < 0 || (step = "bind 127.0.0.1", bind(l, (struct sockaddr *)&a, sizeof(a))) < 0 ||
	    (step = "listen", listen(l, 1)) < 0 || (step = "getsockname", getsockname(l, (struct sockaddr *)&a, &al)) < 0 ||
	    (step = "socket", c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    (step = "connect", connect(c, (struct sockaddr *)&a, sizeof(a))) < 0 ||
	    (step = "accept", s->fd[0][0] = s->fd[1][1] = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		err = -errno;
		snprintf(why, len, "TCP on 127.0.0.1: %s: %s", step, strerror(errno));
	}
	s->fd[0][1] = s->fd[1][0] = c; /* role 0's end: closed by teardown even when accept failed */
	if (!err && (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
		     setsockopt(s->fd[0][0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)) {
		err = -errno;
		snprintf(why, len, "TCP_NODELAY: %s", strerror(errno));
	}
	if (l >= 0)
		close(l);
	return err;
}

static const struct ipc_chan chan = {.open = open_tcp};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_tcp = {
	.name = "tcp",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes over TCP on 127.0.0.1: latency (stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
