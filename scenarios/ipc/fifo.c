/*
 * ipc/fifo: checked messages of `size` bytes through two named pipes (mkfifo), there and back or
 * streamed: the notes' way for unrelated processes to share a pipe. The names live in a private
 * directory only while the channel is opened; the kernel's pipe underneath is the same as ipc/pipe's,
 * which this measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"

/* Opens both ends of the FIFO at path: the read end first without blocking (no writer yet), then the
 * write end, then the read end back to blocking. */
static int open_fifo(const char *path, int fd[2])
{
	if (mkfifo(path, 0600) < 0 || (fd[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
	    (fd[1] = open(path, O_WRONLY | O_CLOEXEC)) < 0 || fcntl(fd[0], F_SETFL, 0) < 0)
		return -errno;
	return 0;
}

static int open_fifos(struct ipc_state *s, size_t size, char *why, size_t len)
{
	(void)size;
	const char *tmp = getenv("TMPDIR");
	char dir[256], path[2][280] = {"", ""};
	snprintf(dir, sizeof(dir), "%s/concur-fifo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		int err = -errno;
		snprintf(why, len, "a directory for the FIFOs in %s: %s", tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return err;
	}
	int err = 0;
	for (int d = 0; d < 2 && !err; d++) {
		snprintf(path[d], sizeof(path[d]), "%s/%d", dir, d);
		if ((err = open_fifo(path[d], s->fd[d])))
			snprintf(why, len, "FIFO %s: %s", path[d], strerror(-err));
	}
	for (int d = 0; d < 2; d++) /* opened: the names are no longer needed, and nothing is left behind */
		if (path[d][0])
			unlink(path[d]);
	rmdir(dir);
	return err;
}

static const struct ipc_chan chan = {.open = open_fifos};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_fifo = {
	.name = "fifo",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes through two named pipes (mkfifo): latency (stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
