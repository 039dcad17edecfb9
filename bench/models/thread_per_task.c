/*
 * thread-per-task: a new pthread for every task, joined oldest first, with at
 * most --max-live alive (default: as many as the system gives; running out is
 * reported and waited out). Task i runs on place i % workers. Spawning is part
 * of the timed work here, and that is the point: spawn_s is 0 and the note
 * says how many threads were created.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "models/model.h"
#include "models/pertask.h"

struct tpt_arg {
	struct tpt_run *run;
	uint64_t i;
};

struct tpt_run {
	const struct cc_job *job;
	struct cc_task_record *rec;
	pthread_t *tid;
	struct tpt_arg *args; /* one per task: each thread's argument */
};

static void *task_thread(void *p)
{
	struct tpt_arg *a = p;
	const struct cc_job *job = a->run->job;
	int cpu = job->cpu ? job->cpu[a->i % job->workers] : -1;
	cc_task_run(job, a->i, cpu, false, &a->run->rec[a->i]);
	return NULL;
}

static int tpt_start(uint64_t i, void *arg)
{
	struct tpt_run *r = arg;
	r->args[i] = (struct tpt_arg){r, i};
	return -pthread_create(&r->tid[i], NULL, task_thread, &r->args[i]);
}

static int tpt_reap(uint64_t i, bool nowait, void *arg)
{
	struct tpt_run *r = arg;
	return nowait ? -pthread_tryjoin_np(r->tid[i], NULL) : -pthread_join(r->tid[i], NULL);
}

static int thread_per_task_run(const struct cc_job *job, struct cc_outcome *out)
{
	struct tpt_run r = {job, calloc(job->ntasks, sizeof(*r.rec)), calloc(job->ntasks, sizeof(pthread_t)),
			    calloc(job->ntasks, sizeof(struct tpt_arg))};
	struct cc_worker_out *w = calloc(job->workers, sizeof(*w));
	int err = 0;
	if (!r.rec || !r.tid || !w || !r.args) {
		err = -ENOMEM;
		snprintf(out->why, sizeof(out->why), "thread-per-task: allocating %" PRIu64 " task records: %s",
			 job->ntasks, strerror(ENOMEM));
		goto out;
	}
	const struct cc_spawner s = {tpt_start, tpt_reap, &r};
	int64_t start = cc_now_ns();
	struct cc_spawn_stats st = cc_spawn_each(job->ntasks, job->opts.max_live, &s);
	int64_t end = cc_now_ns();
	if (st.err) {
		err = st.err;
		snprintf(out->why, sizeof(out->why), "thread-per-task: pthread_create: %s", strerror(-err));
		goto out;
	}
	cc_task_collect(job, r.rec, w);
	out->spawn_s = 0; /* inside wall_s: creating the threads is the work measured */
	cc_outcome_collect(out, w, job->workers, start, end);
	snprintf(out->note, sizeof(out->note),
		 "%" PRIu64 " threads created inside the timed region; at most %" PRIu64 " alive%s; %" PRIu64
		 " refused by the system's limit and retried",
		 job->ntasks, st.max_live, job->opts.max_live ? " (--max-live)" : "", st.limit_hits);
out:
	free(r.rec);
	free(r.tid);
	free(w);
	free(r.args);
	return err;
}

const struct cc_model model_thread_per_task = {
	.name = "thread-per-task",
	.summary = "a new pthread for every task, joined as they finish (--max-live bounds how many are alive)",
	.spawn_each_ns = 100000, /* pthread_create+join on a small VM */
	.run = thread_per_task_run,
};
