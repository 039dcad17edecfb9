/*
 * switch/eventfd: two roles signal each other through a pair of eventfds, each read returning the one
 * increment the other wrote: the lightest kernel object a thread or process can block on and be woken
 * through. One operation is a round trip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "work/scenario.h"

#define POISON (1ull << 40) /* what stop writes: no round adds that much */

struct state {
	int efd[2]; /* [0]: to role 1, [1]: to role 0 */
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	struct state *s = p;
	s->efd[1] = -1;
	if ((s->efd[0] = eventfd(0, EFD_CLOEXEC)) < 0 || (s->efd[1] = eventfd(0, EFD_CLOEXEC)) < 0) {
		int err = -errno;
		snprintf(why, len, "eventfd: %s", strerror(errno));
		if (s->efd[0] >= 0)
			close(s->efd[0]);
		return err;
	}
	return 0;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	close(s->efd[0]);
	close(s->efd[1]);
}

static void stop(void *p)
{
	struct state *s = p;
	uint64_t v = POISON;
	for (int k = 0; k < 2; k++)
		if (write(s->efd[k], &v, sizeof(v)) < 0)
			continue; /* a full counter wakes its reader anyway */
}

static int signal_(int fd, char *why, size_t len)
{
	uint64_t one = 1;
	if (write(fd, &one, sizeof(one)) == sizeof(one))
		return 0;
	snprintf(why, len, "eventfd write: %s", strerror(errno));
	return -errno;
}

/* Waits for the other role's one increment. */
static int await(int fd, uint64_t i, char *why, size_t len)
{
	uint64_t v;
	ssize_t n;
	while ((n = read(fd, &v, sizeof(v))) < 0 && errno == EINTR)
		;
	if (n != sizeof(v)) {
		snprintf(why, len, "eventfd read: %s", n < 0 ? strerror(errno) : "short");
		return n < 0 ? -errno : -EIO;
	}
	if (v != 1) {
		snprintf(why, len, "round %llu: the counter held %llu, not 1%s", (unsigned long long)i,
			 (unsigned long long)v, v >= POISON ? " (the other role failed)" : "");
		return -EPROTO;
	}
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		int err = r->role == 0 ? signal_(s->efd[0], why, len) ?: await(s->efd[1], i, why, len)
				       : await(s->efd[0], i, why, len) ?: signal_(s->efd[1], why, len);
		if (err)
			return err;
		sc_tock(r, t);
		r->out->checksum += cc_fold(i, 1);
	}
	return 0;
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

const struct wl_desc sc_switch_eventfd = {
	.name = "eventfd",
	.cls = WL_SWITCH,
	.summary = "one increment back and forth through two eventfds: the lightest kernel wake-up",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 1000,
	.task_ns = sc_round_trip_ns,
	.scenario = &scenario,
};
