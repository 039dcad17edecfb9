/* The per-task models' shared loop and records; see pertask.h. */
#define _GNU_SOURCE
#include "models/pertask.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "base/clock.h"

struct cc_spawn_stats cc_spawn_each(uint64_t n, unsigned max_live, const struct cc_spawner *s)
{
	struct cc_spawn_stats st = {0};
	uint64_t oldest = 0;  /* the first task whose worker is not yet reaped */
	uint64_t started = 0; /* workers started: tasks [0, started) */
	for (uint64_t i = 0; i < n; i++) {
		while (max_live && i - oldest >= max_live)
			s->reap(oldest++, false, s->arg);
		int rc;
		while ((rc = s->start(i, s->arg)) == -EAGAIN && oldest < i) {
			st.limit_hits++; /* the system's limit: wait for the oldest, then try again */
			s->reap(oldest++, false, s->arg);
		}
		if (rc) {
			st.err = rc;
			break;
		}
		started = i + 1;
		while (oldest < i && s->reap(oldest, true, s->arg) != -EBUSY)
			oldest++;
		if (i + 1 - oldest > st.max_live)
			st.max_live = i + 1 - oldest;
	}
	for (; oldest < started; oldest++)
		s->reap(oldest, false, s->arg);
	return st;
}

void cc_task_run(const struct cc_job *job, uint64_t pos, int cpu, bool process, struct cc_task_record *rec)
{
	char why[160];
	rec->bind_err = cpu >= 0 ? topo_bind(job->topo, (unsigned)cpu, process, why, sizeof(why)) : 0;
	bool timed = pos % (job->latency_stride ? job->latency_stride : 1) == 0;
	int64_t t0 = timed ? cc_now_ns() : 0;
	rec->result = job->wl->task(job->ctx, cc_job_task(job, pos));
	int64_t t1 = timed || job->done_ns ? cc_now_ns() : 0;
	rec->ns = timed ? (uint64_t)(t1 - t0) : 0;
	if (job->done_ns)
		job->done_ns[pos] = t1;
	rec->cpu = sched_getcpu();
}

void cc_task_collect(const struct cc_job *job, const struct cc_task_record *rec, struct cc_worker_out *w)
{
	unsigned places = job->workers;
	for (unsigned k = 0; k < places; k++) {
		memset(&w[k].info, 0, sizeof(w[k].info));
		w[k].info.cpu_requested = job->cpu ? job->cpu[k] : -1;
		w[k].checksum = 0;
		cc_hist_reset(&w[k].hist);
	}
	uint64_t stride = job->latency_stride ? job->latency_stride : 1;
	for (uint64_t i = 0; i < job->ntasks; i++) { /* i: a position in the queue */
		struct cc_worker_out *o = &w[i % places];
		o->checksum += cc_fold(cc_job_task(job, i), rec[i].result);
		o->info.tasks++;
		if (rec[i].bind_err && !o->info.bind_err)
			o->info.bind_err = rec[i].bind_err;
		cc_worker_note_cpu(&o->info, rec[i].cpu);
		if (i % stride == 0)
			cc_hist_record(&o->hist, rec[i].ns);
	}
}
