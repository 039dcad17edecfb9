/*
 * switch/condvar: two roles hand a turn back and forth under a mutex and a condition variable, both
 * process-shared (the notes' Condition): each waits until the turn is its own, takes it, passes it and
 * signals. One operation is a round trip: two lock hand-overs and two wake-ups.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "work/scenario.h"

struct state {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint64_t turn; /* 2i: role 0's turn in round i, 2i+1: role 1's */
	bool stopped;
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	struct state *s = p;
	return sc_shared_mutex_conds(&s->lock, (pthread_cond_t *const[]){&s->changed}, 1, why, len);
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
}

static void stop(void *p)
{
	struct state *s = p;
	pthread_mutex_lock(&s->lock);
	s->stopped = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

/* Under the lock: waits for turn want; 0, or -ECANCELED when the other role failed. */
static int await(struct state *s, uint64_t want, char *why, size_t len)
{
	while (s->turn != want && !s->stopped)
		pthread_cond_wait(&s->changed, &s->lock);
	if (!s->stopped)
		return 0;
	snprintf(why, len, "stopped: the other role failed");
	return -ECANCELED;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	int err = 0;
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		uint64_t mine = 2 * i + r->role;
		int64_t t = sc_tick(r, i);
		pthread_mutex_lock(&s->lock);
		if (!(err = await(s, mine, why, len))) {
			s->turn = mine + 1;
			pthread_cond_signal(&s->changed);
			if (r->role == 0) /* the round trip ends when the turn is back */
				err = await(s, mine + 2, why, len);
		}
		pthread_mutex_unlock(&s->lock);
		if (!err) {
			sc_tock(r, t);
			r->out->checksum += cc_fold(i, mine);
		}
	}
	return err;
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

const struct wl_desc sc_switch_condvar = {
	.name = "condvar",
	.cls = WL_SWITCH,
	.summary = "a turn passed back and forth under a process-shared mutex and condition variable",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 1000,
	.task_ns = sc_round_trip_ns,
	.scenario = &scenario,
};
