/*
 * sync/convoy: the GIL's convoy, seen from the thread that waits on IO. Role 0 sends requests of `size`
 * bytes to an upper-casing responder and waits for each reply, while every other role computes until
 * role 0 is done. Under the gil executor each blocking send and receive releases the lock, and taking it
 * back waits until a computing holder reaches a yield point after the switch interval: up to an interval
 * per call, whatever the reply's speed. As threads (no GIL) the scheduler shares the CPUs; as processes the
 * computing roles are processes of their own, the notes' remedy. One operation is a request and its
 * checked reply. The responder is a thread of the cell outside any GIL, as a server process would be.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/busy.h"
#include "coro/io.h"
#include "work/scenario.h"

enum { P_SIZE, P_INTERVAL };
#define MAX_SIZE 65536

struct state {
	int fd[2]; /* fd[0] role 0's end, fd[1] the responder's */
	pthread_t responder;
	bool responding;
	size_t size;
	uint64_t slice_steps; /* a computing role's busy work between looks at done */
	atomic_bool done;
};

static void *respond(void *p)
{
	struct state *s = p;
	char *buf = malloc(s->size);
	while (buf && cio_read_full(s->fd[1], buf, s->size) == (ssize_t)s->size) {
		for (size_t k = 0; k < s->size; k++)
			buf[k] = (char)toupper((unsigned char)buf[k]);
		if (cio_write_full(s->fd[1], buf, s->size) != (ssize_t)s->size)
			break;
	}
	free(buf);
	return NULL;
}

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)roles;
	struct state *s = p;
	s->size = (size_t)params[P_SIZE];
	s->slice_steps = cc_busy_steps(100000);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->fd) < 0) {
		int err = -errno;
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return err;
	}
	int rc = pthread_create(&s->responder, NULL, respond, s);
	if (rc) {
		snprintf(why, len, "starting the responder: %s", strerror(rc));
		close(s->fd[0]);
		close(s->fd[1]);
		return -rc;
	}
	s->responding = true;
	return 0;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	shutdown(s->fd[0], SHUT_RDWR); /* the responder reads the end */
	if (s->responding)
		pthread_join(s->responder, NULL);
	close(s->fd[0]);
	close(s->fd[1]);
}

static void stop(void *p)
{
	struct state *s = p;
	atomic_store(&s->done, true);
	shutdown(s->fd[0], SHUT_RDWR); /* role 0 blocked in a read returns */
}

static int client(struct sc_role *r, struct state *s, char *why, size_t len)
{
	char *req = malloc(s->size), *rep = malloc(s->size);
	int err = req && rep ? 0 : -ENOMEM;
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		for (size_t k = 0; k < s->size; k++)
			req[k] = (char)('a' + (i + k) % 26);
		int64_t t0 = sc_tick(r, i);
		errno = 0;
		if (cio_write_full(s->fd[0], req, s->size) != (ssize_t)s->size ||
		    cio_read_full(s->fd[0], rep, s->size) != (ssize_t)s->size) {
			err = errno ? -errno : -EPIPE;
			snprintf(why, len, "request %llu: %s", (unsigned long long)i,
				 atomic_load(&s->done) ? "stopped: another role failed" : strerror(-err));
			break;
		}
		sc_tock(r, t0);
		for (size_t k = 0; k < s->size && !err; k++)
			if (rep[k] != (char)('A' + (i + k) % 26)) {
				snprintf(why, len, "request %llu: byte %zu of the reply is %#x, not the upper-cased request",
					 (unsigned long long)i, k, (unsigned char)rep[k]);
				err = -EPROTO;
			}
		r->out->checksum += cc_fold(i, (uint64_t)(unsigned char)rep[i % s->size]);
	}
	atomic_store(&s->done, true);
	free(req);
	free(rep);
	return err;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	if (r->role == 0)
		return client(r, s, why, len);
	uint64_t x = r->role;
	while (!atomic_load_explicit(&s->done, memory_order_relaxed))
		x = cc_busy(x | 1, s->slice_steps); /* yield points inside, as between bytecodes */
	__asm__ volatile("" ::"r"(x));
	return 0;
}

static uint64_t total_ops(const int64_t *params, unsigned roles, uint64_t ops)
{
	(void)params, (void)roles;
	return ops; /* role 0's requests; the others compute and count nothing */
}

static double op_ns(const int64_t *params)
{
	(void)params;
	return 10e6; /* under a GIL two switch intervals of 5 ms; as threads or processes tens of microseconds */
}

static const struct sc_desc scenario = {
	.min_roles = 2,
	.max_roles = 64,
	.executors = SC_THREADS | SC_PROCESSES | SC_GIL,
	.state_bytes = sizeof(struct state),
	.op = "a request and its reply, beside roles that compute",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.stop = stop,
	.total_ops = total_ops,
};

const struct wl_desc sc_sync_convoy = {
	.name = "convoy",
	.cls = WL_SYNC,
	.summary = "one role's requests to an echo responder while the other roles compute: under a GIL each "
		   "blocking call waits up to a switch interval to get the lock back (the convoy)",
	.params = (const struct wl_param[]){{"size", WL_BYTES, 64, 1, MAX_SIZE, "bytes of a request and of its reply"},
					    {"gil_interval_us", WL_INT, 0, 0, 10000000,
					     "the gil executor's switch interval (0: --gil-interval)"},
					    {0}},
	.default_tasks = 10,
	.task_ns = op_ns,
	.sweep = "gil_interval_us=1000,5000,20000,100000",
	.scenario = &scenario,
};
