/*
 * ipc/socketpair: checked messages of `size` bytes over a UNIX stream socketpair, there and back
 * (latency) or streamed one way (bandwidth): the channel ipc/pipe is compared with, full duplex in one
 * object.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "channel.h"

static int open_pair(struct ipc_state *s, size_t size, char *why, size_t len)
{
	(void)size;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		int err = -errno;
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return err;
	}
	s->fd[0][1] = s->fd[1][0] = sv[0]; /* role 0's end */
	s->fd[0][0] = s->fd[1][1] = sv[1];
	return 0;
}

static const struct ipc_chan chan = {.open = open_pair};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_socketpair = {
	.name = "socketpair",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes over a UNIX stream socketpair: latency (stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
