/* The ping-pong and the stream every ipc/ scenario runs over its channel: see channel.h. */
#define _GNU_SOURCE
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coro/sched.h"

enum { CHUNK = 64 << 10 }; /* a byte stream moves at most this much per call, so a stop is seen between */

static bool is_socket(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static ssize_t send_part(struct ipc_state *s, int d, const void *m, size_t n)
{
	if (s->chan->send)
		return s->chan->send(s, d, m, n);
	/* a socket's peer gone is an error, not a SIGPIPE; a pipe's reader never goes (the cell holds it) */
	return s->sock[d] ? send(s->fd[d][1], m, n, MSG_NOSIGNAL) : write(s->fd[d][1], m, n);
}

static ssize_t recv_part(struct ipc_state *s, int d, void *m, size_t cap)
{
	return s->chan->recv ? s->chan->recv(s, d, m, cap) : read(s->fd[d][0], m, cap);
}

/* As coroutines of one thread, a role must not block the thread: its descriptors are non-blocking and a
 * call that would block waits in the coroutine runtime for the descriptor instead. 1 when it waited
 * (try again), 0 when the call did not fail for that, -errno when waiting failed. */
static int coro_wait(ssize_t r, int fd, unsigned events)
{
	if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || !coro_running())
		return 0;
	int w = coro_wait_fd(fd, events);
	return w < 0 ? w : 1;
}

static int stopped(struct ipc_state *s, char *why, size_t len)
{
	if (!atomic_load_explicit(&s->stopped, memory_order_relaxed))
		return 0;
	snprintf(why, len, "stopped: the other role failed");
	return -ECANCELED;
}

/* Sends n bytes in direction d: one call for a datagram channel, parts of at most CHUNK for a stream. */
static int send_msg(struct ipc_state *s, int d, const void *m, size_t n, char *why, size_t len)
{
	for (size_t off = 0; off < n;) {
		size_t part = s->chan->datagram ? n : n - off < CHUNK ? n - off : CHUNK;
		ssize_t r = send_part(s, d, (const char *)m + off, part);
		int w = coro_wait(r, s->fd[d][1], POLLOUT);
		if ((r < 0 && errno == EINTR) || w > 0)
			continue;
		if (w < 0) {
			snprintf(why, len, "waiting to send: %s", strerror(-w));
			return w;
		}
		if (r < 0 || (s->chan->datagram && (size_t)r != n)) {
			int err = r < 0 ? -errno : -EIO;
			snprintf(why, len, "send: %s", r < 0 ? strerror(errno) : "a datagram sent short");
			return err;
		}
		off += (size_t)r;
		int err = off < n ? stopped(s, why, len) : 0;
		if (err)
			return err;
	}
	return 0;
}

/* Receives n bytes in direction d into m (room for n + 8: a longer datagram shows as too long). */
static int recv_msg(struct ipc_state *s, int d, void *m, size_t n, char *why, size_t len)
{
	for (size_t off = 0; off < n;) {
		ssize_t r = recv_part(s, d, (char *)m + off, s->chan->datagram ? n + 8 : n - off);
		int w = coro_wait(r, s->fd[d][0], POLLIN);
		if ((r < 0 && errno == EINTR) || w > 0)
			continue;
		if (w < 0) {
			snprintf(why, len, "waiting to receive: %s", strerror(-w));
			return w;
		}
		if (r < 0 && s->chan->datagram && (errno == EAGAIN || errno == ETIMEDOUT)) {
			snprintf(why, len, "nothing arrived within the receive timeout: a message was lost");
			return -EPROTO;
		}
		if (r <= 0) {
			int err = r < 0 ? -errno : -EIO;
			snprintf(why, len, "receive: %s after %zu of %zu bytes", r < 0 ? strerror(errno) : "end of stream",
				 off, n);
			return err;
		}
		if (s->chan->datagram && (size_t)r != n) {
			snprintf(why, len, "a message of %zd bytes arrived where %zu were due", r, n);
			return -EPROTO;
		}
		off += (size_t)r;
		int err = stopped(s, why, len);
		if (err)
			return err;
	}
	return 0;
}

/* Message i: its number, then bytes that depend on it and on their place. */
static void fill(unsigned char *m, size_t size, uint64_t i)
{
	memcpy(m, &i, sizeof(i));
	for (size_t k = sizeof(i); k < size; k++)
		m[k] = (unsigned char)(i * 31 + k);
}

static int check(const unsigned char *m, size_t size, uint64_t i, uint64_t *sum, char *why, size_t len)
{
	uint64_t seq;
	memcpy(&seq, m, sizeof(seq));
	size_t good = seq == i ? sizeof(seq) : 0;
	while (good && good < size && m[good] == (unsigned char)(i * 31 + good))
		good++;
	if (good != size) {
		snprintf(why, len, "message %llu arrived corrupt (at byte %zu; sequence %llu)", (unsigned long long)i, good,
			 (unsigned long long)seq);
		return -EPROTO;
	}
	*sum += cc_fold(i, seq + size);
	return 0;
}

static int ping_pong(struct sc_role *r, struct ipc_state *s, unsigned char *m, char *why, size_t len)
{
	int err = 0;
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		int64_t t = sc_tick(r, i);
		if (r->role == 0) {
			fill(m, s->size, i);
			err = send_msg(s, 0, m, s->size, why, len) ?: recv_msg(s, 1, m, s->size, why, len) ?:
			      check(m, s->size, i, &r->out->checksum, why, len);
		} else {
			err = recv_msg(s, 0, m, s->size, why, len) ?: check(m, s->size, i, &r->out->checksum, why, len) ?:
			      send_msg(s, 1, m, s->size, why, len);
		}
		if (!err)
			sc_tock(r, t);
	}
	return err;
}

/* Messages one way; the receiver says how many it has every window and at the end. */
static int stream(struct sc_role *r, struct ipc_state *s, unsigned char *m, char *why, size_t len)
{
	uint64_t window = IPC_WINDOW_BYTES / s->size;
	window = window < 1 ? 1 : window > 64 ? 64 : window;
	int err = 0;
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		int64_t t = sc_tick(r, i);
		bool ack = (i + 1) % window == 0 || i + 1 == r->ops;
		uint64_t got = i + 1;
		if (r->role == 0) {
			fill(m, s->size, i);
			err = send_msg(s, 0, m, s->size, why, len);
			if (!err && ack && !(err = recv_msg(s, 1, m, sizeof(got), why, len))) {
				memcpy(&got, m, sizeof(got));
				if (got != i + 1) {
					snprintf(why, len, "acknowledged %llu messages where %llu were sent",
						 (unsigned long long)got, (unsigned long long)(i + 1));
					err = -EPROTO;
				}
			}
		} else {
			err = recv_msg(s, 0, m, s->size, why, len) ?: check(m, s->size, i, &r->out->checksum, why, len);
			if (!err && ack) {
				memcpy(m, &got, sizeof(got));
				err = send_msg(s, 1, m, sizeof(got), why, len);
			}
		}
		if (!err)
			sc_tock(r, t);
	}
	return err;
}

int ipc_role(struct sc_role *r, char *why, size_t len)
{
	struct ipc_state *s = r->state;
	for (int k = 0; k < 4 && coro_running(); k++) /* the same descriptions for every role: idempotent */
		if (s->fd[k / 2][k % 2] >= 0 && fcntl(s->fd[k / 2][k % 2], F_SETFL, O_NONBLOCK) < 0) {
			int err = -errno;
			snprintf(why, len, "making the channel non-blocking for coroutines: %s", strerror(errno));
			return err;
		}
	unsigned char *m = malloc(s->size + 16);
	if (!m) {
		snprintf(why, len, "a buffer of %zu bytes: %s", s->size, strerror(ENOMEM));
		return -ENOMEM;
	}
	int err = (r->params[IPC_STREAM] ? stream : ping_pong)(r, s, m, why, len);
	free(m);
	return err;
}

int ipc_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)roles;
	struct ipc_state *s = state;
	s->size = (size_t)params[IPC_SIZE];
	for (int d = 0; d < 2; d++)
		s->fd[d][0] = s->fd[d][1] = -1;
	int err = s->chan->open(s, s->size, why, len);
	for (int d = 0; d < 2 && !err; d++) /* once, not a failed send() per message on a pipe */
		s->sock[d] = s->fd[d][1] >= 0 && is_socket(s->fd[d][1]);
	return err;
}

void ipc_teardown(void *state, unsigned roles)
{
	(void)roles;
	struct ipc_state *s = state;
	for (int k = 0; k < 4; k++) { /* a socket can be both ends of both directions: close it once */
		int fd = s->fd[k / 2][k % 2];
		for (int j = 0; j < k && fd >= 0; j++)
			fd = s->fd[j / 2][j % 2] == fd ? -1 : fd;
		if (fd >= 0)
			close(fd);
	}
	if (s->chan->close)
		s->chan->close(s);
	if (s->mem)
		munmap(s->mem, s->mem_bytes);
}

/* Wakes whoever waits on a pipe or FIFO without closing it (the other roles hold it too): through a
 * non-blocking descriptor of its own, empty it (a writer waiting for room goes on) and put a few bytes
 * in (a reader waiting for data wakes, sees `stopped` or a corrupt message). */
static void poison_pipe(int fd)
{
	char path[64], junk[4096];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int own = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (own < 0)
		return;
	while (read(own, junk, sizeof(junk)) > 0)
		;
	memset(junk, 0xff, 8);
	if (write(own, junk, 8) < 0) { /* full again: its reader has data to wake to */
	}
	close(own);
}

void ipc_stop(void *state)
{
	struct ipc_state *s = state;
	atomic_store(&s->stopped, true);
	if (s->chan->wake) {
		s->chan->wake(s);
		return;
	}
	for (int d = 0; d < 2; d++) {
		if (s->fd[d][0] < 0)
			continue;
		if (s->sock[d]) {
			shutdown(s->fd[d][0], SHUT_RDWR);
			shutdown(s->fd[d][1], SHUT_RDWR);
		} else {
			poison_pipe(s->fd[d][0]);
		}
	}
}

int ipc_plannable(const void *impl, const int64_t *params, char *why, size_t len)
{
	const struct ipc_chan *chan = impl;
	return chan->carries ? chan->carries((size_t)params[IPC_SIZE], why, len) : 0;
}

int64_t ipc_bytes_per_op(const int64_t *params)
{
	return params[IPC_STREAM] ? params[IPC_SIZE] : 2 * params[IPC_SIZE];
}

/* Rough, for the plan's estimates: a round trip is two wake-ups (about 20 us across CPUs on a VM); a
 * streamed message mostly a copy in and out. */
double ipc_op_ns(const int64_t *params)
{
	double size = (double)params[IPC_SIZE];
	return params[IPC_STREAM] ? 2000 + size * 0.5 : 20000 + size * 2;
}
