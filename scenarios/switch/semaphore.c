/*
 * switch/semaphore: two roles post to and wait on a pair of POSIX semaphores in shared memory
 * (unnamed, process-shared: the notes' Semaphore used as a signal): one operation is a round trip.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "work/scenario.h"

struct state {
	sem_t go[2]; /* [0]: role 1 may go, [1]: role 0 may */
	atomic_bool stopped;
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	struct state *s = p;
	if (sem_init(&s->go[0], 1, 0) == 0 && sem_init(&s->go[1], 1, 0) == 0)
		return 0;
	snprintf(why, len, "sem_init: %s", strerror(errno));
	return -errno;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	sem_destroy(&s->go[0]);
	sem_destroy(&s->go[1]);
}

static void stop(void *p)
{
	struct state *s = p;
	atomic_store(&s->stopped, true);
	sem_post(&s->go[0]);
	sem_post(&s->go[1]);
}

static int await(struct state *s, int k, char *why, size_t len)
{
	while (sem_wait(&s->go[k]) < 0)
		if (errno != EINTR) {
			snprintf(why, len, "sem_wait: %s", strerror(errno));
			return -errno;
		}
	if (!atomic_load(&s->stopped))
		return 0;
	snprintf(why, len, "stopped: the other role failed");
	return -ECANCELED;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		int err = 0;
		if (r->role == 0) {
			sem_post(&s->go[0]);
			err = await(s, 1, why, len);
		} else if (!(err = await(s, 0, why, len))) {
			sem_post(&s->go[1]);
		}
		if (err)
			return err;
		sc_tock(r, t);
		r->out->checksum += cc_fold(i, 2);
	}
	return 0;
}

static int verify(const void *p, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)params, (void)ops;
	struct state *s = (struct state *)p; /* sem_getvalue takes a non-const sem_t */
	int v0, v1;
	sem_getvalue(&s->go[0], &v0);
	sem_getvalue(&s->go[1], &v1);
	if (!v0 && !v1)
		return 0;
	snprintf(why, len, "posts left unconsumed: %d and %d", v0, v1);
	return -EPROTO;
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
	.verify = verify,
};

const struct wl_desc sc_switch_semaphore = {
	.name = "semaphore",
	.cls = WL_SWITCH,
	.summary = "post and wait back and forth on two process-shared POSIX semaphores",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 1000,
	.task_ns = sc_round_trip_ns,
	.scenario = &scenario,
};
