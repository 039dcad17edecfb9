/* What every model shares: the model table, the worker loop, the start gate. */
#define _GNU_SOURCE
#include "core/model.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/clock.h"

#define MODEL(sym) &sym,
const struct cc_model *const model_all[] = {
#include "models/list.h"
};
#undef MODEL
const unsigned model_count = sizeof(model_all) / sizeof(model_all[0]);

const struct cc_model *model_find(const char *name)
{
	for (unsigned i = 0; i < model_count; i++)
		if (!strcmp(model_all[i]->name, name))
			return model_all[i];
	return NULL;
}

void cc_worker_bind(const struct cc_job *job, unsigned k, bool process, struct cc_worker_out *out)
{
	char why[160];
	out->info.cpu_requested = job->cpu ? job->cpu[k] : -1;
	out->info.bind_err = job->cpu ? topo_bind(job->topo, (unsigned)job->cpu[k], process, why, sizeof(why)) : 0;
}

static void sample_cpu(struct cc_worker_info *w) { cc_worker_note_cpu(w, sched_getcpu()); }

void cc_worker_note_cpu(struct cc_worker_info *w, int cpu)
{
	if (w->nobserved && w->observed[w->nobserved - 1] == cpu)
		return;
	for (unsigned k = 0; k < w->nobserved; k++)
		if (w->observed[k] == cpu)
			goto moved; /* back on one seen before */
	if (w->nobserved < CC_MAX_OBSERVED)
		w->observed[w->nobserved++] = cpu;
	else
		w->observed[CC_MAX_OBSERVED - 1] = cpu; /* the list is full: keep the latest */
	if (w->nobserved == 1)
		return;
moved:
	w->migrations++;
}

static long involuntary_switches(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_nivcsw : 0;
}

void cc_worker_begin(struct cc_worker_out *out)
{
	struct cc_worker_info *w = &out->info;
	w->tasks = w->nobserved = w->migrations = 0;
	out->checksum = 0;
	out->until_sample = 0;
	out->nivcsw_start = involuntary_switches();
	cc_hist_reset(&out->hist);
	sample_cpu(w);
}

void cc_worker_task(const struct cc_job *job, struct cc_worker_out *out, uint64_t i)
{
	uint64_t v;
	if (out->until_sample == 0) {
		int64_t t0 = cc_now_ns();
		v = job->wl->task(job->ctx, i);
		cc_hist_record(&out->hist, (uint64_t)(cc_now_ns() - t0));
		out->until_sample = job->latency_stride ? job->latency_stride : 1;
	} else {
		v = job->wl->task(job->ctx, i);
	}
	out->until_sample--;
	out->checksum += cc_fold(i, v);
	if ((++out->info.tasks & 63) == 0)
		sample_cpu(&out->info);
}

void cc_worker_end(struct cc_worker_out *out)
{
	sample_cpu(&out->info);
	out->info.nivcsw = involuntary_switches() - out->nivcsw_start;
	out->finish_ns = cc_now_ns();
}

void cc_pool_worker_start(unsigned k, void *arg)
{
	struct cc_pool_run *r = arg;
	cc_worker_bind(r->job, k, r->process, &r->w[k]);
	cc_worker_begin(&r->w[k]);
}

void cc_pool_worker_stop(unsigned k, void *arg)
{
	struct cc_pool_run *r = arg;
	cc_worker_end(&r->w[k]);
}

void cc_worker_loop(const struct cc_job *job, atomic_uint_fast64_t *next, struct cc_worker_out *out)
{
	cc_worker_begin(out);
	for (;;) {
		/* relaxed: the index only hands out work; results travel through out, published by join/exit */
		uint64_t i = atomic_fetch_add_explicit(next, 1, memory_order_relaxed);
		if (i >= job->ntasks)
			break;
		cc_worker_task(job, out, i);
	}
	cc_worker_end(out);
}

void cc_outcome_collect(struct cc_outcome *out, const struct cc_worker_out *w, unsigned n, int64_t start_ns,
			int64_t end_ns)
{
	int64_t last = start_ns;
	out->checksum = 0;
	cc_hist_reset(out->hist);
	for (unsigned k = 0; k < n; k++) {
		out->checksum += w[k].checksum;
		out->workers[k] = w[k].info;
		cc_hist_merge(out->hist, &w[k].hist);
		if (w[k].finish_ns > last)
			last = w[k].finish_ns;
	}
	out->wall_s = (double)((end_ns ? end_ns : last) - start_ns) / 1e9;
}

static long futex(atomic_uint *addr, int op, unsigned val, const struct timespec *ts)
{
	/* no FUTEX_PRIVATE_FLAG: the gate is shared with forked children */
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

void cc_gate_init(struct cc_gate *g)
{
	atomic_init(&g->arrived, 0);
	atomic_init(&g->open, 0);
}

bool cc_gate_pass(struct cc_gate *g)
{
	atomic_fetch_add(&g->arrived, 1);
	futex(&g->arrived, FUTEX_WAKE, 1, NULL);
	unsigned o;
	while ((o = atomic_load(&g->open)) == 0)
		futex(&g->open, FUTEX_WAIT, 0, NULL);
	return o == 1;
}

int cc_gate_wait_all(struct cc_gate *g, unsigned n, int timeout_ms)
{
	int64_t deadline = cc_now_ns() + (int64_t)timeout_ms * 1000000;
	unsigned a;
	while ((a = atomic_load(&g->arrived)) < n) {
		int64_t left = deadline - cc_now_ns();
		if (timeout_ms >= 0 && left <= 0)
			return -ETIMEDOUT;
		struct timespec ts = {left / 1000000000, left % 1000000000};
		futex(&g->arrived, FUTEX_WAIT, a, timeout_ms >= 0 ? &ts : NULL);
	}
	return 0;
}

static void gate_set(struct cc_gate *g, unsigned v)
{
	atomic_store(&g->open, v);
	futex(&g->open, FUTEX_WAKE, INT_MAX, NULL);
}

void cc_gate_open(struct cc_gate *g) { gate_set(g, 1); }
void cc_gate_abandon(struct cc_gate *g) { gate_set(g, 2); }
