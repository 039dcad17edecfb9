/*
 * ipc/unix-dgram: checked messages of `size` bytes as datagrams over a UNIX datagram socketpair, there
 * and back or streamed: message boundaries kept by the kernel, and a sender that blocks rather than
 * drops when the receiver falls behind. A datagram must fit the socket's send buffer, which the system
 * caps (net.core.wmem_max): larger sizes are not planned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"

/* Send buffers big enough for one datagram of size (the kernel doubles what it is given for its own
 * bookkeeping, and counts that against the datagram too). */
static int size_buffers(const int sv[2], size_t size, char *why, size_t len)
{
	int want = size > (1 << 30) ? 1 << 30 : (int)size + 4096;
	for (int k = 0; k < 2; k++) {
		int got = 0;
		socklen_t gl = sizeof(got);
		if (setsockopt(sv[k], SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)) < 0 ||
		    getsockopt(sv[k], SOL_SOCKET, SO_SNDBUF, &got, &gl) < 0) {
			int err = -errno;
			snprintf(why, len, "SO_SNDBUF: %s", strerror(errno));
			return err;
		}
		if ((size_t)got / 2 < size + 1024) {
			snprintf(why, len, "a UNIX datagram of %zu bytes does not fit the send buffer this machine allows "
				 "(%d bytes: net.core.wmem_max)", size, got / 2);
			return -EINVAL;
		}
	}
	return 0;
}

static int open_pair(struct ipc_state *s, size_t size, char *why, size_t len)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
		int err = -errno;
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return err;
	}
	s->fd[0][1] = s->fd[1][0] = sv[0];
	s->fd[0][0] = s->fd[1][1] = sv[1];
	return size_buffers(sv, size, why, len);
}

static int carries(size_t size, char *why, size_t len)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0; /* cannot tell here: the cell will say */
	int err = size_buffers(sv, size, why, len);
	close(sv[0]);
	close(sv[1]);
	return err;
}

static const struct ipc_chan chan = {.datagram = true, .open = open_pair, .carries = carries};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_unix_dgram = {
	.name = "unix-dgram",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked datagrams of size bytes over a UNIX datagram socketpair: latency (stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
