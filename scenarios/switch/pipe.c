/*
 * switch/pipe: two roles pass a token back and forth through a pair of pipes (lmbench's lat_pipe,
 * perf bench sched pipe): one operation is a round trip, two context switches when the roles share a
 * CPU, two cross-CPU wake-ups when they do not. Every token carries its sequence number, checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "work/scenario.h"

struct state {
	int ping[2], pong[2];
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	struct state *s = p;
	s->ping[0] = s->ping[1] = s->pong[0] = s->pong[1] = -1;
	if (pipe(s->ping) < 0 || pipe(s->pong) < 0) {
		int err = -errno;
		snprintf(why, len, "pipe: %s", strerror(errno));
		return err;
	}
	return 0;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	for (int k = 0; k < 2; k++) {
		if (s->ping[k] >= 0)
			close(s->ping[k]);
		if (s->pong[k] >= 0)
			close(s->pong[k]);
	}
}

/* One token over fd, all of it or an error. */
static int put(int fd, uint64_t v, char *why, size_t len)
{
	ssize_t n;
	while ((n = write(fd, &v, sizeof(v))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(v))
		return 0;
	snprintf(why, len, "write: %s", n < 0 ? strerror(errno) : "short");
	return n < 0 ? -errno : -EIO;
}

static int get(int fd, uint64_t want, char *why, size_t len)
{
	uint64_t v;
	ssize_t n;
	while ((n = read(fd, &v, sizeof(v))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(v)) {
		snprintf(why, len, "read: %s", n < 0 ? strerror(errno) : n == 0 ? "end of file" : "short");
		return n < 0 ? -errno : -EIO;
	}
	if (v != want) {
		snprintf(why, len, "token %llu arrived where %llu was due", (unsigned long long)v, (unsigned long long)want);
		return -EPROTO;
	}
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	int err = 0;
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		int64_t t = sc_tick(r, i);
		if (r->role == 0)
			err = put(s->ping[1], i, why, len) ?: get(s->pong[0], i, why, len);
		else
			err = get(s->ping[0], i, why, len) ?: put(s->pong[1], i, why, len);
		if (err)
			break;
		sc_tock(r, t);
		r->out->checksum += cc_fold(i, i);
	}
	return err;
}

/* A token no round carries, into both pipes: whoever waits reads it and fails. */
static void stop(void *p)
{
	struct state *s = p;
	uint64_t poison = UINT64_MAX;
	for (int k = 0; k < 2; k++) /* a full pipe holds a token already: its reader wakes anyway */
		if (write((k ? s->pong : s->ping)[1], &poison, sizeof(poison)) < 0)
			continue;
}

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "round trip",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.stop = stop,
};

const struct wl_desc sc_switch_pipe = {
	.name = "pipe",
	.cls = WL_SWITCH,
	.summary = "a token back and forth through two pipes: the round trip of two context switches (lat_pipe)",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 1000,
	.task_ns = sc_round_trip_ns,
	.scenario = &scenario,
};
