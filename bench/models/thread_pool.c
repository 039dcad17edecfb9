/*
 * thread-pool: persistent pinned workers fed one task at a time through the
 * pool's bounded queue (tpool_map: one queue entry per task, which is what a
 * pool user's submit costs). Creating the pool is spawn_s; the timed region is
 * steady state, from the first submit until the last task completes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "models/model.h"
#include "pool/tpool.h"

static uint64_t tp_task(void *arg, uint64_t i, unsigned k, int *err)
{
	struct cc_pool_run *r = arg;
	(void)err;
	cc_worker_task(r->job, &r->w[k], i);
	return 0;
}

static int thread_pool_run(const struct cc_job *job, struct cc_outcome *out)
{
	struct cc_pool_run r = {job, calloc(job->workers, sizeof(struct cc_worker_out)), false};
	struct tpool *p;
	if (!r.w) {
		snprintf(out->why, sizeof(out->why), "thread-pool: allocating %u workers: %s", job->workers,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	struct tpool_opts o = {.workers = job->workers, .capacity = job->opts.queue, .spin_ns = job->opts.spin_ns,
			       .on_start = cc_pool_worker_start, .on_stop = cc_pool_worker_stop, .arg = &r};
	int64_t t0 = cc_now_ns();
	int err = tpool_create(&o, &p);
	if (err) {
		snprintf(out->why, sizeof(out->why), "thread-pool: creating %u workers: %s", job->workers,
			 strerror(-err));
		free(r.w);
		return err;
	}
	int64_t start = cc_now_ns();
	err = tpool_map(p, tp_task, &r, job->ntasks, NULL, NULL);
	int64_t end = cc_now_ns();
	uint64_t spun = 0, slept = 0;
	for (unsigned k = 0; k < job->workers; k++) {
		struct tpool_worker_stats st = tpool_stats(p, k);
		spun += st.idle_spun, slept += st.idle_slept;
	}
	tpool_shutdown(p, true); /* on_stop runs in every worker: their reports are final after this */
	out->spawn_s = (double)(start - t0) / 1e9;
	cc_outcome_collect(out, r.w, job->workers, start, end);
	snprintf(out->note, sizeof(out->note),
		 "idle waits: %" PRIu64 " ended spinning, %" PRIu64 " after sleeping (spin %u ns, queue %u)", spun,
		 slept, job->opts.spin_ns, job->opts.queue);
	free(r.w);
	if (err)
		snprintf(out->why, sizeof(out->why), "thread-pool: a task failed: %s", strerror(-err));
	return err;
}

const struct cc_model model_thread_pool = {
	.name = "thread-pool",
	.summary = "persistent pinned workers, bounded lock-free queue, one queue entry per task",
	.run = thread_pool_run,
};
