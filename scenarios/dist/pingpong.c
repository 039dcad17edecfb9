/*
 * dist/pingpong: two MPI ranks pass a message of `size` bytes back and forth with MPI_Send and MPI_Recv,
 * osu_latency's method: one operation is a round trip, a message's latency half of it (one_way_us, the
 * figure osu_latency prints), and its bandwidth the bytes there and back over the round trip (Intel MPI
 * Benchmarks' PingPong figure). The first operations, which set up the pair's connection, run before
 * the gate (the executor's warm-up, osu_latency's skipped iterations). Each message carries its
 * sequence number at both ends, checked on arrival.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work/scenario.h"

enum { SIZE };
#define TAG_PING 11

struct state {
	int64_t elapsed_ns; /* role 0's round trips, from its first to its last */
	uint64_t ops;
};

/* Message i's sequence number, at both ends when there is room (a copy cut short shows at its end). */
static void stamp(unsigned char *buf, size_t size, uint64_t i)
{
	size_t n = size < sizeof(i) ? size : sizeof(i);
	memcpy(buf, &i, n);
	if (size >= 2 * sizeof(i))
		memcpy(buf + size - sizeof(i), &i, sizeof(i));
}

static int check(const unsigned char *buf, size_t size, size_t got, uint64_t i, char *why, size_t len)
{
	unsigned char want[2 * sizeof(i)];
	stamp(want, sizeof(want), i);
	size_t n = size < sizeof(i) ? size : sizeof(i);
	if (got != size) {
		snprintf(why, len, "message %llu: %zu bytes arrived of %zu", (unsigned long long)i, got, size);
		return -EPROTO;
	}
	if (memcmp(buf, want, n) || (size >= 2 * sizeof(i) && memcmp(buf + size - sizeof(i), want, sizeof(i)))) {
		snprintf(why, len, "message %llu arrived with another's sequence number", (unsigned long long)i);
		return -EPROTO;
	}
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	size_t size = (size_t)r->params[SIZE], got = 0;
	unsigned peer = r->role ^ 1;
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf) {
		snprintf(why, len, "a message of %zu bytes: out of memory", size);
		return -ENOMEM;
	}
	memset(buf, 0, size);
	int err = 0;
	int64_t first = cc_now_ns();
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		int64_t t = sc_tick(r, i);
		if (r->role == 0) {
			stamp(buf, size, i);
			err = r->link->send(peer, TAG_PING, buf, size) ?: r->link->recv((int)peer, TAG_PING, buf, size, NULL, &got);
		} else {
			err = r->link->recv((int)peer, TAG_PING, buf, size, NULL, &got);
		}
		if (!err)
			err = check(buf, size, got, i, why, len);
		if (!err && r->role == 1) /* the message back is the one that came */
			err = r->link->send(peer, TAG_PING, buf, size);
		if (err)
			break;
		sc_tock(r, t);
		r->out->checksum += cc_fold(i, i);
	}
	if (r->role == 0) {
		s->elapsed_ns = cc_now_ns() - first;
		s->ops = r->ops;
	}
	free(buf);
	if (err && !why[0])
		snprintf(why, len, "MPI: %s", strerror(-err));
	return err;
}

static const struct sc_metric metrics[] = {
	{"one_way_us", "us", "a message's latency: half the mean round trip (osu_latency's figure)", SC_MEDIAN},
	{0},
};

static void measure(const void *state, const int64_t *params, uint64_t ops, double *values)
{
	(void)params, (void)ops;
	const struct state *s = state;
	values[0] = s->ops ? (double)s->elapsed_ns / (double)s->ops / 2 / 1e3 : 0;
}

static int64_t bytes_per_op(const int64_t *params) { return 2 * params[SIZE]; }

/* Rough, for the plan: a few microseconds through shared memory, and a copy each way at a few GB/s. */
static double op_ns(const int64_t *params) { return 5000 + (double)params[SIZE] * 1.0; }

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_MPI,
	.spins = true, /* a blocking MPI_Recv polls: on one CPU the other rank would wait out a time slice */
	.state_bytes = sizeof(struct state),
	.op = "round trip",
	.role = role,
	.bytes_per_op = bytes_per_op,
	.metrics = metrics,
	.measure = measure,
};

const struct wl_desc sc_dist_pingpong = {
	.name = "pingpong",
	.cls = WL_DIST,
	.summary = "MPI_Send/MPI_Recv of size bytes there and back between two ranks: latency and bandwidth by message "
		   "size (osu_latency)",
	.params = (const struct wl_param[]){{"size", WL_BYTES, 8, 1, 64LL << 20, "bytes in each message"}, {0}},
	.default_tasks = 10000,
	.task_ns = op_ns,
	.sweep = "size=1,64,1K,16K,256K,4M",
	.probe = "wake",
	.scenario = &scenario,
};
