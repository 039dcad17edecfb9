/*
 * switch/ring: a token goes round a ring of N roles (N from --workers, 2 to 64) through a pipe between
 * each and the next, every role touching `touch` bytes of its own memory before it passes the token on
 * (lmbench's lat_ctx: a context switch with a working set to refill). One operation is a lap: N hops,
 * N context switches when the roles share a CPU. Every token carries the lap's number, checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "work/scenario.h"

enum { P_TOUCH };
#define MAX_ROLES 64

struct state {
	int fd[MAX_ROLES][2]; /* role k reads fd[k][0]; it writes to the next role's fd[k+1][1] */
	unsigned n;
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params;
	struct state *s = p;
	for (s->n = 0; s->n < roles; s->n++)
		if (pipe(s->fd[s->n]) < 0) {
			int err = -errno;
			snprintf(why, len, "pipe %u of %u: %s", s->n, roles, strerror(errno));
			return err; /* teardown closes the ones made */
		}
	return 0;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	for (unsigned k = 0; k < s->n; k++) {
		close(s->fd[k][0]);
		close(s->fd[k][1]);
	}
}

/* A token no lap carries, into every pipe: whoever waits reads it and fails. */
static void stop(void *p)
{
	struct state *s = p;
	uint64_t poison = UINT64_MAX;
	for (unsigned k = 0; k < s->n; k++)
		if (write(s->fd[k][1], &poison, sizeof(poison)) < 0)
			continue; /* a full pipe wakes its reader anyway */
}

static int hop(int in, int out, uint64_t lap, bool first, char *why, size_t len)
{
	uint64_t v = lap;
	ssize_t n = 1;
	if (!first) {
		while ((n = read(in, &v, sizeof(v))) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(v) || v != lap) {
			snprintf(why, len, "lap %llu: %s", (unsigned long long)lap,
				 n != (ssize_t)sizeof(v) ? "the token did not arrive" : "another lap's token arrived");
			return -EPROTO;
		}
	}
	if (out >= 0 && write(out, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
		snprintf(why, len, "write: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	size_t touch = (size_t)r->params[P_TOUCH];
	volatile unsigned char *mem = touch ? malloc(touch) : NULL;
	if (touch && !mem) {
		snprintf(why, len, "touch=%zu: %s", touch, strerror(ENOMEM));
		return -ENOMEM;
	}
	int in = s->fd[r->role][0], out = s->fd[(r->role + 1) % r->roles][1], err = 0;
	uint64_t sum = 0;
	for (uint64_t lap = 0; lap < r->ops && !err; lap++) {
		int64_t t = sc_tick(r, lap);
		/* role 0 starts each lap and ends it when the token is back */
		err = hop(in, out, lap, r->role == 0, why, len);
		for (size_t b = 0; b < touch && !err; b += 64)
			sum += mem[b]++;
		if (!err && r->role == 0)
			err = hop(in, -1, lap, false, why, len);
		if (!err) {
			sc_tock(r, t);
			if (r->role == 0) /* the laps completed, whatever the ring's size: the same work for the check */
				r->out->checksum += cc_fold(lap, lap);
		}
	}
	(void)sum;
	free((void *)mem);
	return err;
}

static const struct sc_desc scenario = {
	.roles = 0,
	.min_roles = 2,
	.max_roles = MAX_ROLES,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "lap of the ring",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.stop = stop,
};

static double op_ns(const int64_t *params) { return 2 * (sc_round_trip_ns(params) + (double)params[P_TOUCH] / 16); }

const struct wl_desc sc_switch_ring = {
	.name = "ring",
	.cls = WL_SWITCH,
	.summary = "a token round a ring of --workers roles through pipes, each touching touch bytes: lat_ctx",
	.params = (const struct wl_param[]){{"touch", WL_BYTES, 0, 0, 64 << 20, "bytes each role touches per hop"}, {0}},
	.default_tasks = 1000,
	.task_ns = op_ns,
	.sweep = "touch=0,16K,256K",
	.scenario = &scenario,
};
