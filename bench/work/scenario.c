/* What a scenario's role calls: see scenario.h. */
#define _GNU_SOURCE
#include "work/scenario.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t sc_tick(struct sc_role *r, uint64_t i)
{
	if ((i & 63) == 0)
		cc_worker_note_cpu(&r->out->info, sched_getcpu());
	return r->role == 0 && i % r->stride == 0 ? cc_now_ns() : 0; /* role 0's operations stand for all */
}

void sc_tock(struct sc_role *r, int64_t t0)
{
	if (t0)
		cc_hist_record(&r->out->hist, (uint64_t)(cc_now_ns() - t0));
	r->out->info.tasks++;
}

double sc_round_trip_ns(const int64_t *params)
{
	(void)params;
	return 20000;
}

void sc_yield(void)
{
	if (coro_running())
		coro_yield();
	else
		sched_yield();
}


int sc_shared_mutex_conds(pthread_mutex_t *m, pthread_cond_t *const *conds, unsigned n, char *why, size_t len)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	int rc = pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) ?:
		 pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED) ?: pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ?:
		 pthread_mutex_init(m, &ma);
	for (unsigned k = 0; k < n && !rc; k++)
		rc = pthread_cond_init(conds[k], &ca);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_destroy(&ca);
	if (rc)
		snprintf(why, len, "a process-shared mutex and condition variables: %s", strerror(rc));
	return -rc;
}
