/*
 * What the per-task models (thread-per-task, process-per-task) share: the
 * loop that starts one worker per task while keeping at most max_live alive,
 * reaping the oldest first, and treating "no more threads/processes" (EAGAIN)
 * as a limit to report and wait out, not a crash; and per-task records (result,
 * duration, CPU) that are folded into per-place reports at the end.
 */
#ifndef CONCUR_PERTASK_H
#define CONCUR_PERTASK_H

#include <stdint.h>

#include "models/model.h"

/* One task's record; written by the worker that ran it (in shared memory for processes). */
struct cc_task_record {
	uint64_t result;
	uint64_t ns; /* its duration, when timed; 0 otherwise */
	int32_t cpu; /* where it ran */
	int32_t bind_err;
};

struct cc_spawner {
	/* Starts the worker for task i: 0, or -errno (-EAGAIN: at the system's limit). */
	int (*start)(uint64_t i, void *arg);
	/* Reaps the worker of task i; with nowait, returns -EBUSY if it is still running. */
	int (*reap)(uint64_t i, bool nowait, void *arg);
	void *arg;
};

struct cc_spawn_stats {
	uint64_t limit_hits;  /* starts refused for lack of threads/processes, then retried */
	uint64_t max_live;    /* most workers alive at once */
	int err;              /* the first error that stopped the loop, or 0 */
};

/* Runs tasks [0, n): starts each, never more than max_live (0: no bound) alive. Every worker
 * started is reaped before it returns, whatever happens. */
struct cc_spawn_stats cc_spawn_each(uint64_t n, unsigned max_live, const struct cc_spawner *s);

/* Runs the task at position pos of the job's queue (cc_job_task) in the calling worker and fills its
 * record (binding to cpu if >= 0 first). */
void cc_task_run(const struct cc_job *job, uint64_t pos, int cpu, bool process, struct cc_task_record *rec);

/* Folds the records into one report per place (position i ran on place i % workers). */
void cc_task_collect(const struct cc_job *job, const struct cc_task_record *rec, struct cc_worker_out *w);

#endif
