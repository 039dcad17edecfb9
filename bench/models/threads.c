/* threads: one pthread per worker; tasks are handed out through one atomic index. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/model.h"
#include "work/scenario.h"

struct threads_run {
	const struct cc_job *job;
	atomic_uint_fast64_t next;
	struct cc_gate gate;
	struct cc_worker_out *w;
};

static void thread_main(unsigned k, void *p)
{
	struct threads_run *r = p;
	cc_worker_bind(r->job, k, false, &r->w[k]);
	if (cc_gate_pass(&r->gate))
		cc_worker_loop(r->job, &r->next, &r->w[k]);
}

static int threads_run(const struct cc_job *job, struct cc_outcome *out)
{
	struct threads_run r = {.job = job, .w = calloc(job->workers, sizeof(struct cc_worker_out))};
	int64_t t0, start;
	if (!r.w) {
		snprintf(out->why, sizeof(out->why), "threads: allocating %u workers: %s", job->workers,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	cc_gate_init(&r.gate);
	atomic_init(&r.next, 0);
	int err = cc_start_threads(job->workers, thread_main, &r, &r.gate, &t0, &start, out->why, sizeof(out->why),
				   "threads");
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, r.w, job->workers, start, 0);
	}
	free(r.w);
	return err;
}

const struct cc_model model_threads = {
	.name = "threads",
	.executor = SC_THREADS,
	.summary = "one pthread per worker, tasks shared out through an atomic index",
	.run = threads_run,
};
