/*
 * ipc/socketpair: a message of `size` bytes to the other role and back over a UNIX stream socketpair,
 * the latency of one round trip against message size. Every message carries its sequence number and
 * a pattern derived from it, both checked on arrival, so a channel that loses, reorders or corrupts
 * data fails the cell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/scenario.h"

enum { P_SIZE };

struct state {
	int fd[2]; /* first: the socketpair hooks' */
};

/* Message i: its number, then bytes that depend on it and on their place. */
static void fill(unsigned char *m, size_t size, uint64_t i)
{
	memcpy(m, &i, sizeof(i));
	for (size_t k = sizeof(i); k < size; k++)
		m[k] = (unsigned char)(i * 31 + k);
}

static int send_all(int fd, const unsigned char *m, size_t size, char *why, size_t len)
{
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, m + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;
			snprintf(why, len, "write: %s", n < 0 ? strerror(errno) : "wrote nothing");
			return err;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Receives message i whole and checks it; its checksum into *sum. */
static int recv_check(int fd, unsigned char *m, size_t size, uint64_t i, uint64_t *sum, char *why, size_t len)
{
	for (size_t off = 0; off < size;) {
		ssize_t n = read(fd, m + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;
			snprintf(why, len, "read: %s after %zu of %zu bytes", n < 0 ? strerror(errno) : "end of file", off,
				 size);
			return err;
		}
		off += (size_t)n;
	}
	uint64_t seq;
	memcpy(&seq, m, sizeof(seq));
	size_t bad = seq == i ? sizeof(seq) : 0;
	while (bad && bad < size && m[bad] == (unsigned char)(i * 31 + bad))
		bad++;
	if (bad != size) {
		snprintf(why, len, "message %llu arrived corrupt (at byte %zu; sequence %llu)", (unsigned long long)i, bad,
			 (unsigned long long)seq);
		return -EPROTO;
	}
	*sum += cc_fold(i, seq + size);
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	size_t size = (size_t)r->params[P_SIZE];
	unsigned char *m = malloc(size);
	if (!m) {
		snprintf(why, len, "a buffer of %zu bytes: %s", size, strerror(ENOMEM));
		return -ENOMEM;
	}
	int err = 0, fd = s->fd[r->role];
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		int64_t t = sc_tick(r, i);
		if (r->role == 0) {
			fill(m, size, i);
			err = send_all(fd, m, size, why, len) ?: recv_check(fd, m, size, i, &r->out->checksum, why, len);
		} else {
			err = recv_check(fd, m, size, i, &r->out->checksum, why, len) ?: send_all(fd, m, size, why, len);
		}
		if (!err)
			sc_tock(r, t);
	}
	free(m);
	return err;
}

static int64_t bytes_per_op(const int64_t *params) { return 2 * params[P_SIZE]; }

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "round trip",
	.setup = sc_socketpair_setup,
	.teardown = sc_socketpair_teardown,
	.role = role,
	.stop = sc_socketpair_stop,
	.bytes_per_op = bytes_per_op,
};

static double op_ns(const int64_t *params) { return 20000 + (double)params[P_SIZE] * 2; }

const struct wl_desc sc_ipc_socketpair = {
	.name = "socketpair",
	.cls = WL_IPC,
	.summary = "a checked message of size bytes there and back over a UNIX stream socketpair: latency by size",
	.params = (const struct wl_param[]){{"size", WL_BYTES, 64, 8, 1 << 20, "message bytes"}, {0}},
	.default_tasks = 2500,
	.task_ns = op_ns,
	.sweep = "size=8,512,4K,64K,1M",
	.scenario = &scenario,
};
