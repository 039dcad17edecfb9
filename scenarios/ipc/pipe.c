/*
 * ipc/pipe: checked messages of `size` bytes through two pipes (one each way), there and back
 * (latency) or streamed one way (bandwidth: lmbench's bw_pipe). A message larger than the pipe's
 * buffer (64 KiB by default) needs both roles running to pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"

static int open_pipes(struct ipc_state *s, size_t size, char *why, size_t len)
{
	(void)size;
	for (int d = 0; d < 2; d++)
		if (pipe2(s->fd[d], O_CLOEXEC) < 0) {
			int err = -errno;
			snprintf(why, len, "pipe: %s", strerror(errno));
			return err;
		}
	return 0;
}

static const struct ipc_chan chan = {.open = open_pipes};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_pipe = {
	.name = "pipe",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes through two pipes: latency (stream=0) or bandwidth (1, bw_pipe)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
