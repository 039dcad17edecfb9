/*
 * dist/dispatch: the notes' distributed task queue with empty tasks, so that what is left is the queue's
 * own cost: MPI rank 0 the master, handing out `chunk` task numbers at a time to whichever worker asks
 * (ranks 1..N-1); a worker's request carries the results of its last chunk (the result queue). One
 * operation is a task; time per operation is the queue's cost per task, the figure Dask and Ray publish
 * for their schedulers (about 1 ms a task). The master checks that every task came back once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work/scenario.h"

enum { CHUNK };
#define TAG_ASK 21
#define TAG_GIVE 22

/* A worker's request: the results of the chunk it did (count 0: none yet). The master's answer: the
 * next chunk (count 0: no more). */
struct msg {
	uint64_t first, count, sum;
};

static int master(struct sc_role *r, char *why, size_t len)
{
	uint64_t next = 0, chunk = (uint64_t)r->params[CHUNK], back = 0, handed = 0;
	unsigned char *seen = calloc(r->ops ? r->ops : 1, 1);
	if (!seen) {
		snprintf(why, len, "%llu tasks to check off: out of memory", (unsigned long long)r->ops);
		return -ENOMEM;
	}
	int err = 0;
	for (unsigned ended = 0; ended < r->roles - 1 && !err;) {
		int64_t t = sc_tick(r, handed);
		struct msg m;
		unsigned from;
		size_t got;
		if ((err = r->link->recv(SC_ANY_ROLE, TAG_ASK, &m, sizeof(m), &from, &got)))
			break;
		if (got != sizeof(m) || m.count > r->ops || m.first > r->ops - m.count) {
			snprintf(why, len, "role %u returned tasks %llu+%llu of %llu", from, (unsigned long long)m.first,
				 (unsigned long long)m.count, (unsigned long long)r->ops);
			err = -EPROTO;
			break;
		}
		for (uint64_t i = m.first; i < m.first + m.count && !err; i++)
			if (seen[i]++) {
				snprintf(why, len, "task %llu came back twice", (unsigned long long)i);
				err = -EPROTO;
			}
		back += m.count;
		r->out->checksum += m.sum;
		struct msg give = {next, r->ops - next < chunk ? r->ops - next : chunk, 0};
		next += give.count;
		if (!err)
			err = r->link->send(from, TAG_GIVE, &give, sizeof(give));
		ended += give.count == 0;
		for (uint64_t k = 0; k < give.count; k++) /* a task handed out is the master's operation */
			sc_tock(r, k ? 0 : t);
		handed += give.count;
	}
	if (!err && back != r->ops) {
		snprintf(why, len, "%llu of %llu tasks came back", (unsigned long long)back, (unsigned long long)r->ops);
		err = -EPROTO;
	}
	free(seen);
	return err;
}

static int worker(struct sc_role *r)
{
	struct msg m = {0, 0, 0};
	for (;;) {
		int err = r->link->send(0, TAG_ASK, &m, sizeof(m));
		size_t got;
		if (!err)
			err = r->link->recv(0, TAG_GIVE, &m, sizeof(m), NULL, &got);
		if (!err && got != sizeof(m))
			err = -EPROTO;
		if (err || !m.count)
			return err;
		m.sum = 0;
		for (uint64_t i = m.first; i < m.first + m.count; i++) { /* an empty task: its number is its result */
			int64_t t = sc_tick(r, i);
			m.sum += cc_fold(i, i);
			sc_tock(r, t);
		}
	}
}

static int role(struct sc_role *r, char *why, size_t len)
{
	int err = r->role == 0 ? master(r, why, len) : worker(r);
	if (err && !why[0])
		snprintf(why, len, "%s", err == -EPROTO ? "a message of the wrong size" : strerror(-err));
	return err;
}

/* Every task handed out by the master and done by a worker. */
static uint64_t total_ops(const int64_t *params, unsigned roles, uint64_t ops)
{
	(void)params, (void)roles;
	return 2 * ops;
}

/* Rough, for the plan: a request and its answer, a few microseconds through shared memory, per chunk. */
static double op_ns(const int64_t *params) { return 10000.0 / (double)params[CHUNK]; }

static const struct sc_desc scenario = {
	.min_roles = 2,
	.max_roles = 4096,
	.executors = SC_MPI,
	.spins = true, /* a blocking MPI_Recv polls: ranks sharing a CPU would wait out each other's time slices */
	.op = "task",
	.role = role,
	.total_ops = total_ops,
};

const struct wl_desc sc_dist_dispatch = {
	.name = "dispatch",
	.cls = WL_DIST,
	.summary = "empty tasks through a master and its workers on MPI ranks: the task queue's own cost per task",
	.params = (const struct wl_param[]){{"chunk", WL_INT, 1, 1, 1 << 20, "tasks handed out per request"}, {0}},
	.default_tasks = 10000,
	.task_ns = op_ns,
	.sweep = "chunk=1,16,256",
	.probe = "wake",
	.scenario = &scenario,
};
