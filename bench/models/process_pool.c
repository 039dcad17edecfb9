/*
 * process-pool: pre-forked pinned workers fed through the pool's ring in
 * shared memory; each worker's report lives in a shared mapping. Forking the
 * pool is spawn_s; the timed region is steady state. A task whose worker dies
 * fails the run with the reason (the pool replaces the worker).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "base/clock.h"
#include "models/model.h"
#include "pool/ppool.h"

static uint64_t pp_task(const void *arg, uint64_t i, unsigned k)
{
	const struct cc_pool_run *r = arg;
	cc_worker_task(r->job, &r->w[k], i);
	return 0;
}

static int process_pool_run(const struct cc_job *job, struct cc_outcome *out)
{
	size_t size = job->workers * sizeof(struct cc_worker_out);
	/* the reports are shared with the worker processes */
	struct cc_pool_run r = {job, mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
				true};
	if (r.w == MAP_FAILED) {
		int err = -errno;
		snprintf(out->why, sizeof(out->why), "process-pool: mapping %zu bytes: %s", size, strerror(-err));
		return err;
	}
	struct ppool_opts o = {.workers = job->workers, .capacity = job->opts.queue, .spin_ns = job->opts.spin_ns,
			       .on_start = cc_pool_worker_start, .on_stop = cc_pool_worker_stop, .arg = &r};
	struct ppool *p;
	int64_t t0 = cc_now_ns();
	int err = ppool_create(&o, &p);
	if (err) {
		snprintf(out->why, sizeof(out->why), "process-pool: forking %u workers: %s", job->workers,
			 strerror(-err));
		munmap(r.w, size);
		return err;
	}
	struct ppool_result res;
	int64_t start = cc_now_ns();
	err = ppool_run(p, pp_task, &r, job->ntasks, &res);
	int64_t end = cc_now_ns();
	unsigned replaced = ppool_replaced(p);
	ppool_destroy(p); /* on_stop has run in every worker: their reports are final */
	out->spawn_s = (double)(start - t0) / 1e9;
	cc_outcome_collect(out, r.w, job->workers, start, end);
	snprintf(out->note, sizeof(out->note), "%u worker%s replaced (spin %u ns, queue %u)", replaced,
		 replaced == 1 ? "" : "s", job->opts.spin_ns, job->opts.queue);
	if (err)
		snprintf(out->why, sizeof(out->why), "process-pool: %" PRIu64 " task%s failed; %.180s", res.failed,
			 res.failed == 1 ? "" : "s", res.why);
	munmap(r.w, size);
	return err;
}

const struct cc_model model_process_pool = {
	.name = "process-pool",
	.unit = CC_UNIT_PROCESS,
	.summary = "pre-forked pinned workers fed through a shared-memory ring, replaced if they die",
	.run = process_pool_run,
};
