/*
 * sync/timer: a wake-up asked for `us` microseconds ahead, and how late it comes (the notes' Timer:
 * a timer that fires late is the failure users meet). `method` says how the role waits: 0
 * clock_nanosleep, 1 a timerfd read, 2 a condition variable's timed wait, 3 a coroutine's sleep (in a
 * scheduler of the role's own: the coroutine runtime's timer heap and poller). The latency percentiles
 * are the lateness (the wake-up less the time asked for).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "coro/sched.h"
#include "work/scenario.h"

enum { P_US, P_METHOD };
enum { NANOSLEEP, TIMERFD, CONDVAR, CORO };

struct waiter {
	struct sc_role *r;
	int err;
	char *why;
	size_t len;
};

static struct timespec ns_ts(int64_t ns) { return (struct timespec){ns / 1000000000, ns % 1000000000}; }

/* Waits until `at` (CLOCK_MONOTONIC ns) the method's way; 0 or an errno value. */
static int wait_until(int method, int64_t at, int tfd, pthread_mutex_t *m, pthread_cond_t *c)
{
	struct timespec until = ns_ts(at);
	switch (method) {
	case NANOSLEEP: {
		int rc;
		while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL)) == EINTR)
			;
		return rc;
	}
	case TIMERFD: {
		struct itimerspec it = {.it_value = until};
		uint64_t fired;
		if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL) < 0)
			return errno;
		while (read(tfd, &fired, sizeof(fired)) < 0)
			if (errno != EINTR)
				return errno;
		return 0;
	}
	case CONDVAR: {
		int rc = 0;
		pthread_mutex_lock(m);
		while (rc != ETIMEDOUT && cc_now_ns() < at) /* nobody signals: only the timeout wakes it */
			if ((rc = pthread_cond_timedwait(c, m, &until)) && rc != ETIMEDOUT)
				break;
		pthread_mutex_unlock(m);
		return rc == ETIMEDOUT ? 0 : rc;
	}
	default:
		coro_sleep_ns(at - cc_now_ns());
		return 0;
	}
}

static void wait_all(void *p)
{
	struct waiter *w = p;
	struct sc_role *r = w->r;
	int method = (int)r->params[P_METHOD], tfd = -1;
	int64_t us = r->params[P_US];
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c, &ca);
	pthread_condattr_destroy(&ca);
	if (method == TIMERFD && (tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) < 0) {
		w->err = -errno;
		snprintf(w->why, w->len, "timerfd_create: %s", strerror(errno));
	}
	for (uint64_t i = 0; i < r->ops && !w->err; i++) {
		sc_tick(r, i);
		int64_t at = cc_now_ns() + us * 1000;
		int rc = wait_until(method, at, tfd, &m, &c);
		int64_t late = cc_now_ns() - at;
		if (rc) {
			w->err = -rc;
			snprintf(w->why, w->len, "waiting: %s", strerror(rc));
			break;
		}
		if (late < 0 && late > -1000)
			late = 0; /* a thread moved to a CPU whose clock reads a few ns behind: not early */
		if (late < 0) {
			snprintf(w->why, w->len, "woke %lld ns early", (long long)-late);
			w->err = -EPROTO;
			break;
		}
		cc_hist_record(&r->out->hist, (uint64_t)late);
		sc_tock(r, 0);
		r->out->checksum += cc_fold(i, (uint64_t)us);
	}
	if (tfd >= 0)
		close(tfd);
	pthread_cond_destroy(&c);
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct waiter w = {r, 0, why, len};
	if (r->params[P_METHOD] != CORO || coro_running()) {
		wait_all(&w);
		return w.err;
	}
	struct coro_sched *sched;
	int err = coro_sched_create(r->coro, &sched);
	if (err) {
		snprintf(why, len, "creating a coroutine scheduler: %s", strerror(-err));
		return err;
	}
	if (!(err = coro_spawn(sched, wait_all, &w)))
		err = coro_sched_run(sched);
	coro_sched_destroy(sched);
	if (err)
		snprintf(why, len, "the coroutine scheduler: %s", strerror(-err));
	return err ? err : w.err;
}

static const struct sc_desc scenario = {
	.roles = 1,
	.executors = SC_THREADS | SC_PROCESSES,
	.op = "a wake-up us ahead (the latency: how late)",
	.latency_of = "lateness of a wake-up",
	.role = role,
};

static double op_ns(const int64_t *params) { return (double)params[P_US] * 1000 + 60000; }

const struct wl_desc sc_sync_timer = {
	.name = "timer",
	.cls = WL_SYNC,
	.summary = "a wake-up asked for us ahead, by clock_nanosleep, timerfd, a condvar's timed wait or a "
		   "coroutine's sleep: how late it comes",
	.params = (const struct wl_param[]){{"us", WL_INT, 1000, 1, 10000000, "how far ahead the wake-up is asked for"},
					    {"method", WL_INT, NANOSLEEP, NANOSLEEP, CORO,
					     "0 clock_nanosleep, 1 timerfd, 2 condvar timed wait, 3 coroutine sleep"},
					    {0}},
	.smoke = (const int64_t[]){100, NANOSLEEP},
	.default_tasks = 50,
	.task_ns = op_ns,
	.sweep = "us=100,1000,10000;method=0,1,2,3",
	.scenario = &scenario,
};
