/*
 * coroutines: every worker is a coroutine, all on one pinned thread (so
 * --workers counts coroutines). They take turns after every task, and a task
 * that waits on IO through the IO layer parks its coroutine while the others
 * run. CPU-bound work gains nothing and pays for the switches: that is what
 * this model is here to show next to the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "models/model.h"
#include "work/scenario.h"

static int coroutines_run(const struct cc_job *job, struct cc_outcome *out)
{
	unsigned n = job->workers;
	struct cc_worker_out *w = calloc(n, sizeof(*w));
	atomic_uint_fast64_t next;
	struct coro_stats st = {0};
	if (!w) {
		snprintf(out->why, sizeof(out->why), "coroutines: allocating %u reports: %s", n, strerror(ENOMEM));
		return -ENOMEM;
	}
	atomic_init(&next, 0);
	cc_worker_bind(job, 0, false, &w[0]);
	for (unsigned k = 1; k < n; k++)
		w[k].info.cpu_requested = w[0].info.cpu_requested, w[k].info.bind_err = w[0].info.bind_err;
	struct cc_coro_thread t;
	int64_t t0 = cc_now_ns();
	cc_coro_prepare(&t, job, &next, n, w, true, out->why, sizeof(out->why));
	int64_t start = cc_now_ns();
	int err = cc_coro_go(&t, &st, out->why, sizeof(out->why));
	int64_t end = cc_now_ns();
	/* each coroutine counted the thread's involuntary switches over its own life: keep one count */
	for (unsigned k = 1; k < n; k++)
		w[k].info.nivcsw = 0;
	out->spawn_s = (double)(start - t0) / 1e9;
	cc_outcome_collect(out, w, n, start, end);
	cc_coro_note(job, &st, out);
	free(w);
	return err;
}

const struct cc_model model_coroutines = {
	.name = "coroutines",
	.executor = SC_COROUTINES,
	.summary = "--workers coroutines on one pinned thread, taking turns after every task",
	.one_thread = true,
	.run = coroutines_run,
};
