/*
 * gil: threads as CPython runs them. One pthread per worker, tasks shared out through an atomic index as
 * in threads, but a worker computes only while it holds one global interpreter lock (base/gil.h): the
 * others wait their turn, ask for the lock after the switch interval (--gil-interval), and get it at
 * the holder's next yield point (between tasks, and between slices of the work inside the workloads
 * that have them). Blocking calls of the IO layer release it, so waiting work still overlaps.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/gil.h"
#include "models/model.h"
#include "work/scenario.h"

struct gil_run {
	const struct cc_job *job;
	atomic_uint_fast64_t next;
	struct cc_gate gate;
	struct cc_gil gil;
	struct cc_worker_out *w;
};

static void gil_main(unsigned k, void *p)
{
	struct gil_run *r = p;
	cc_worker_bind(r->job, k, false, &r->w[k]);
	if (!cc_gate_pass(&r->gate))
		return;
	cc_gil_enter(&r->gil);
	cc_worker_loop(r->job, &r->next, &r->w[k]);
	cc_gil_leave();
}

static int gil_run(const struct cc_job *job, struct cc_outcome *out)
{
	struct gil_run r = {.job = job, .w = calloc(job->workers, sizeof(struct cc_worker_out))};
	unsigned interval_us = job->opts.gil_interval_us ? job->opts.gil_interval_us : 5000;
	int64_t t0, start;
	int err = r.w ? cc_gil_init(&r.gil, (int64_t)interval_us * 1000) : -ENOMEM;
	if (err) {
		snprintf(out->why, sizeof(out->why), "gil: setting up %u workers and the lock: %s", job->workers,
			 strerror(-err));
		free(r.w);
		return err;
	}
	cc_gate_init(&r.gate);
	atomic_init(&r.next, 0);
	err = cc_start_threads(job->workers, gil_main, &r, &r.gate, &t0, &start, out->why, sizeof(out->why), "gil");
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, r.w, job->workers, start, 0);
		snprintf(out->note, sizeof(out->note),
			 "GIL interval %u us: %" PRIu64 " switches, %" PRIu64 " drop requests, %" PRIu64
			 " forced waits, %" PRIu64 " releases around IO",
			 interval_us, cc_gil_switches(&r.gil), (uint64_t)atomic_load(&r.gil.drop_requests),
			 (uint64_t)atomic_load(&r.gil.forced_waits), (uint64_t)atomic_load(&r.gil.io_releases));
	}
	cc_gil_destroy(&r.gil);
	free(r.w);
	return err;
}

const struct cc_model model_gil = {
	.name = "gil",
	.executor = SC_GIL,
	.summary = "threads under one CPython-style global interpreter lock (switch interval, drop requests, "
		   "forced switching, released around IO)",
	.run = gil_run,
};
