/*
 * ipc/udp: checked datagrams of `size` bytes between two UDP sockets on 127.0.0.1, there and back or
 * streamed. UDP may drop what the receiver's buffer cannot hold; the stream's window (64 KiB in flight)
 * keeps it within the default buffer, and a datagram lost anyway fails the cell as lost, never
 * silently. A datagram carries at most 65,507 bytes: larger sizes are not planned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "channel.h"

enum { UDP_MAX = 65507 }; /* 65,535 less the IPv4 and UDP headers */

static int open_udp(struct ipc_state *s, size_t size, char *why, size_t len)
{
	(void)size;
	int sk[2] = {-1, -1}, err = 0;
	struct sockaddr_in a[2];
	const char *step = "socket";
	for (int k = 0; k < 2 && !err; k++) {
		socklen_t al = sizeof(a[k]);
		a[k] = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		if ((step = "socket", sk[k] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
		    (step = "bind 127.0.0.1", bind(sk[k], (struct sockaddr *)&a[k], sizeof(a[k]))) < 0 ||
		    (step = "getsockname", getsockname(sk[k], (struct sockaddr *)&a[k], &al)) < 0)
			err = -errno;
	}
	for (int k = 0; k < 2 && !err; k++)
		if ((step = "connect", connect(sk[k], (struct sockaddr *)&a[!k], sizeof(a[!k]))) < 0)
			err = -errno;
	/* a datagram lost would leave its receiver waiting: after this long it says so instead */
	struct timeval patience = {.tv_sec = 5};
	for (int k = 0; k < 2 && !err; k++)
		if ((step = "SO_RCVTIMEO", setsockopt(sk[k], SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience))) < 0)
			err = -errno;
	if (err)
		snprintf(why, len, "UDP on 127.0.0.1: %s: %s", step, strerror(-err));
	s->fd[0][1] = s->fd[1][0] = sk[0];
	s->fd[0][0] = s->fd[1][1] = sk[1];
	return err;
}

static int carries(size_t size, char *why, size_t len)
{
	if (size <= UDP_MAX)
		return 0;
	snprintf(why, len, "a UDP datagram carries at most %d bytes", UDP_MAX);
	return -EINVAL;
}

static const struct ipc_chan chan = {.datagram = true, .open = open_udp, .carries = carries};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_udp = {
	.name = "udp",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked datagrams of size bytes over UDP on 127.0.0.1: latency (stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
