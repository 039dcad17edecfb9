/*
 * ipc/mq: checked messages of `size` bytes through two POSIX message queues (one each way), there and
 * back or streamed: the kernel's message-preserving queue with priorities. A queue's message size is
 * capped by fs.mqueue.msgsize_max (unless the user may exceed it) and all of a user's queues by
 * RLIMIT_MSGQUEUE: the plan tries the size and leaves out what this machine refuses, saying which limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "channel.h"

/* A queue for messages of size bytes, its name gone as soon as it is open (nothing is left behind in
 * /dev/mqueue even if the cell is killed). Its descriptor, or -errno. */
static int make_queue(size_t size)
{
	static atomic_uint serial;
	struct rlimit rl = {0};
	getrlimit(RLIMIT_MSGQUEUE, &rl);
	/* what the kernel charges per message: its bytes and a little bookkeeping; two queues share the limit */
	rlim_t fit = rl.rlim_cur == RLIM_INFINITY ? 8 : rl.rlim_cur / 2 / (size + 64);
	struct mq_attr attr = {.mq_maxmsg = fit < 8 ? (long)fit : 8, .mq_msgsize = (long)size};
	if (attr.mq_maxmsg < 1)
		return -EMFILE;
	char name[64];
	snprintf(name, sizeof(name), "/concur-%d-%u", (int)getpid(), atomic_fetch_add(&serial, 1));
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
	if (q == (mqd_t)-1)
		return -errno;
	mq_unlink(name);
	return q;
}

static void explain(int err, size_t size, char *why, size_t len)
{
	if (err == -EINVAL)
		snprintf(why, len, "a message queue refuses messages of %zu bytes here (fs.mqueue.msgsize_max)", size);
	else if (err == -EMFILE)
		snprintf(why, len, "two message queues of %zu-byte messages exceed RLIMIT_MSGQUEUE here", size);
	else
		snprintf(why, len, "mq_open: %s", strerror(-err));
}

static int open_queues(struct ipc_state *s, size_t size, char *why, size_t len)
{
	for (int d = 0; d < 2; d++) {
		int q = make_queue(size);
		if (q < 0) {
			explain(q, size, why, len);
			return q;
		}
		s->fd[d][0] = s->fd[d][1] = q;
	}
	return 0;
}

static int carries(size_t size, char *why, size_t len)
{
	int q[2] = {make_queue(size), make_queue(size)}, err = q[0] < 0 ? q[0] : q[1] < 0 ? q[1] : 0;
	for (int k = 0; k < 2; k++)
		if (q[k] >= 0)
			close(q[k]);
	if (err == -EINVAL || err == -EMFILE) {
		explain(err, size, why, len);
		return -EINVAL;
	}
	return 0; /* anything else is not about the size: the cell will say */
}

static ssize_t send_mq(struct ipc_state *s, int d, const void *m, size_t n)
{
	return mq_send(s->fd[d][1], m, n, 0) < 0 ? -1 : (ssize_t)n;
}

/* The buffer has room for a whole message of the queue's size and more (channel.c): an
 * acknowledgement is received into it too. */
static ssize_t recv_mq(struct ipc_state *s, int d, void *m, size_t cap)
{
	(void)cap;
	return mq_receive(s->fd[d][0], m, s->size + 8, NULL);
}

/* Non-blocking from now on for everyone; a queue emptied (a sender waiting for room goes on) and given
 * one short message (a receiver waiting wakes to a message that fails its check). */
static void wake(struct ipc_state *s)
{
	struct mq_attr nb = {.mq_flags = O_NONBLOCK};
	char *buf = malloc(s->size + 8), junk = 0;
	for (int d = 0; d < 2; d++) {
		mqd_t q = s->fd[d][0];
		if (q < 0 || mq_setattr(q, &nb, NULL) < 0)
			continue;
		while (buf && mq_receive(q, buf, s->size + 8, NULL) >= 0)
			;
		if (mq_send(q, &junk, 1, 0) < 0) { /* full: its receiver has a message to wake to */
		}
	}
	free(buf);
}

static const struct ipc_chan chan = {
	.datagram = true, .open = open_queues, .carries = carries, .send = send_mq, .recv = recv_mq, .wake = wake};
static const struct sc_desc scenario = IPC_SCENARIO(&chan, IPC_FDS);

const struct wl_desc sc_ipc_mq = {
	.name = "mq",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes through two POSIX message queues: latency (stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &scenario,
};
