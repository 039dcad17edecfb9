/*
 * process-per-task: fork for every task; the child runs it, writes its record
 * into shared memory and exits; every child is reaped, oldest first, with at
 * most --max-live alive. A child that dies or exits non-zero fails the run
 * with its status (the others still run and are reaped). Task i runs on place
 * i % workers. Spawning is part of the timed work: spawn_s is 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "models/model.h"
#include "models/pertask.h"
#include "base/proc.h"

struct ppt_run {
	const struct cc_job *job;
	struct cc_task_record *rec; /* shared with the children */
	pid_t *pid;
	pid_t parent;
	char why[200]; /* the first child that failed */
};

static int ppt_start(uint64_t i, void *arg)
{
	struct ppt_run *r = arg;
	pid_t pid = fork();
	if (pid == 0) {
		if (cc_proc_child_init(r->parent) < 0)
			_exit(127);
		const struct cc_job *job = r->job;
		cc_task_run(job, i, job->cpu ? job->cpu[i % job->workers] : -1, true, &r->rec[i]);
		_exit(0);
	}
	if (pid < 0)
		return -errno;
	r->pid[i] = pid;
	return 0;
}

static int ppt_reap(uint64_t i, bool nowait, void *arg)
{
	struct ppt_run *r = arg;
	int st;
	pid_t got;
	while ((got = waitpid(r->pid[i], &st, nowait ? WNOHANG : 0)) < 0 && errno == EINTR)
		;
	if (got == 0)
		return -EBUSY;
	if (got < 0)
		return -errno;
	char what[48];
	snprintf(what, sizeof(what), "process-per-task: the child for task");
	if (!r->why[0])
		cc_proc_describe_status(st, r->why, sizeof(r->why), what, (unsigned)i);
	return 0;
}

static int process_per_task_run(const struct cc_job *job, struct cc_outcome *out)
{
	size_t size = job->ntasks * sizeof(struct cc_task_record);
	struct ppt_run r = {.job = job, .parent = getpid()};
	r.rec = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r.pid = calloc(job->ntasks, sizeof(pid_t));
	struct cc_worker_out *w = calloc(job->workers, sizeof(*w));
	int err = 0;
	if (r.rec == MAP_FAILED || !r.pid || !w) {
		err = -ENOMEM;
		snprintf(out->why, sizeof(out->why), "process-per-task: allocating %" PRIu64 " task records: %s",
			 job->ntasks, strerror(ENOMEM));
		goto out;
	}
	fflush(NULL);
	const struct cc_spawner s = {ppt_start, ppt_reap, &r};
	int64_t start = cc_now_ns();
	struct cc_spawn_stats st = cc_spawn_each(job->ntasks, job->opts.max_live, &s);
	int64_t end = cc_now_ns();
	if (st.err) {
		err = st.err;
		snprintf(out->why, sizeof(out->why), "process-per-task: fork: %s", strerror(-err));
		goto out;
	}
	if (r.why[0]) {
		err = -ECHILD;
		snprintf(out->why, sizeof(out->why), "%s", r.why);
		goto out;
	}
	cc_task_collect(job, r.rec, w);
	out->spawn_s = 0; /* inside wall_s: forking is the work measured */
	cc_outcome_collect(out, w, job->workers, start, end);
	snprintf(out->note, sizeof(out->note),
		 "%" PRIu64 " processes forked inside the timed region; at most %" PRIu64 " alive%s; %" PRIu64
		 " refused by the system's limit and retried",
		 job->ntasks, st.max_live, job->opts.max_live ? " (--max-live)" : "", st.limit_hits);
out:
	if (r.rec != MAP_FAILED)
		munmap(r.rec, size);
	free(r.pid);
	free(w);
	return err;
}

const struct cc_model model_process_per_task = {
	.name = "process-per-task",
	.unit = CC_UNIT_PROCESS,
	.summary = "fork for every task, results through shared memory, every child reaped",
	.spawn_each_ns = 2000000, /* fork+exit+wait from a cell process: 2.2 ms measured on a 2-vCPU VM */
	.run = process_per_task_run,
};
