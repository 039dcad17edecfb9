/* What every model shares: the model table, the worker loop, the start gate. */
#define _GNU_SOURCE
#include "models/model.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/gil.h"
#include "base/proc.h"

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
	/* Reports start zeroed (calloc, fresh mappings), and an empty histogram's buckets are zero: clearing
	 * its 30 KiB again would fault them in, concur's own cost inside the timed region (300 MB for
	 * 10,000 coroutines); only a used one is cleared. */
	if (out->hist.count)
		cc_hist_reset(&out->hist);
	out->hist.max = 0;
	sample_cpu(w);
}

void cc_worker_task(const struct cc_job *job, struct cc_worker_out *out, uint64_t pos)
{
	uint64_t v, i = cc_job_task(job, pos);
	cc_gil_yield_point(); /* between tasks, as between bytecodes */
	if (out->until_sample == 0) {
		int64_t t0 = cc_now_ns();
		v = job->wl->task(job->ctx, i);
		cc_hist_record(&out->hist, (uint64_t)(cc_now_ns() - t0));
		out->until_sample = job->latency_stride ? job->latency_stride : 1;
	} else {
		v = job->wl->task(job->ctx, i);
	}
	if (job->done_ns)
		job->done_ns[pos] = cc_now_ns();
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

struct start_arg {
	void (*fn)(unsigned k, void *arg);
	void *arg;
	unsigned k;
};

static void *thread_entry(void *p)
{
	struct start_arg *a = p;
	a->fn(a->k, a->arg);
	return NULL;
}

int cc_start_threads(unsigned n, void (*fn)(unsigned k, void *arg), void *arg, struct cc_gate *gate,
		     int64_t *t0_ns, int64_t *start_ns, char *why, size_t len, const char *who)
{
	pthread_t *tid = calloc(n, sizeof(*tid));
	struct start_arg *a = calloc(n, sizeof(*a));
	unsigned created = 0;
	int err = 0;
	if (!tid || !a) {
		err = -ENOMEM;
		snprintf(why, len, "%s: allocating %u workers: %s", who, n, strerror(ENOMEM));
		goto out;
	}
	*t0_ns = cc_now_ns();
	for (; created < n; created++) {
		a[created] = (struct start_arg){fn, arg, created};
		int rc = pthread_create(&tid[created], NULL, thread_entry, &a[created]);
		if (rc) {
			err = -rc;
			snprintf(why, len, "%s: pthread_create for worker %u: %s", who, created, strerror(rc));
			cc_gate_abandon(gate);
			break;
		}
	}
	if (!err) {
		cc_gate_wait_all(gate, n, -1); /* a thread cannot vanish alone: a crash ends the whole process */
		*start_ns = cc_now_ns();
		cc_gate_open(gate);
	}
	for (unsigned k = 0; k < created; k++)
		pthread_join(tid[k], NULL);
out:
	free(tid);
	free(a);
	return err;
}

/* Reaps pids[0..n) in the order they end (0 marks one reaped); notes the first abnormal end in why and
 * then calls died(arg): survivors waiting on the dead one (a scenario's roles) must be told, or they
 * would wait for the watchdog. Returns 0 or -ECHILD. */
static int reap_all(pid_t *pids, unsigned n, char *why, size_t len, const char *what, void (*died)(void *),
		    void *arg)
{
	int err = 0;
	for (unsigned left = n; left > 0; left--) {
		siginfo_t si = {0};
		unsigned k = n;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) == 0) /* who ended, left to reap */
			for (k = 0; k < n && (!pids[k] || pids[k] != si.si_pid); k++)
				;
		if (k == n) /* interrupted, or not one of ours: the next of ours, in order */
			for (k = 0; !pids[k]; k++)
				;
		int st;
		while (waitpid(pids[k], &st, 0) < 0 && errno == EINTR)
			;
		pids[k] = 0;
		if (!err && cc_proc_describe_status(st, why, len, what, k)) {
			err = -ECHILD;
			if (died)
				died(arg);
		}
	}
	return err;
}

int cc_start_processes(unsigned n, void (*fn)(unsigned k, void *arg), void *arg, struct cc_gate *gate,
		       unsigned arrivals, int64_t *t0_ns, int64_t *start_ns, char *why, size_t len, const char *who,
		       void (*died)(void *arg))
{
	pid_t *pids = calloc(n, sizeof(*pids)), self = getpid();
	unsigned forked = 0;
	int err = 0;
	char what[48];
	snprintf(what, sizeof(what), "%s: worker", who);
	if (!pids) {
		snprintf(why, len, "%s: allocating %u workers: %s", who, n, strerror(ENOMEM));
		return -ENOMEM;
	}
	fflush(NULL); /* nothing buffered may be written twice */
	*t0_ns = cc_now_ns();
	for (; forked < n; forked++) {
		pid_t pid = fork();
		if (pid == 0) {
			if (cc_proc_child_init(self) < 0)
				_exit(127);
			fn(forked, arg);
			_exit(0); /* not exit(): the parent's atexit handlers and stdio buffers are not ours */
		}
		if (pid < 0) {
			err = -errno;
			snprintf(why, len, "%s: fork for worker %u: %s", who, forked, strerror(errno));
			goto abandon;
		}
		pids[forked] = pid;
	}
	/* A child can die before it reaches the gate; look for that while waiting. */
	while (cc_gate_wait_all(gate, arrivals, 50) == -ETIMEDOUT) {
		for (unsigned k = 0; k < forked; k++) {
			int st;
			if (waitpid(pids[k], &st, WNOHANG) == pids[k]) {
				cc_proc_describe_status(st, why, len, what, k);
				pids[k] = pids[--forked]; /* it is reaped: keep it out of reap_all */
				err = -ECHILD;
				goto abandon;
			}
		}
	}
	*start_ns = cc_now_ns();
	cc_gate_open(gate);
	err = reap_all(pids, forked, why, len, what, died, arg);
	free(pids);
	return err;

abandon:
	cc_gate_abandon(gate);
	reap_all(pids, forked, why + strlen(why), 0, what, NULL, NULL);
	free(pids);
	return err;
}

struct coro_arg {
	const struct cc_job *job;
	atomic_uint_fast64_t *next;
	struct cc_worker_out *out;
	bool own_report;
};

static void coro_worker(void *p)
{
	struct coro_arg *a = p;
	if (a->own_report)
		cc_worker_begin(a->out);
	for (;;) {
		uint64_t i = atomic_fetch_add_explicit(a->next, 1, memory_order_relaxed);
		if (i >= a->job->ntasks)
			break;
		cc_worker_task(a->job, a->out, i);
		coro_yield();
	}
	if (a->own_report)
		cc_worker_end(a->out);
}

int cc_coro_prepare(struct cc_coro_thread *t, const struct cc_job *job, atomic_uint_fast64_t *next, unsigned ncoro,
		    struct cc_worker_out *out, bool per_coroutine, char *why, size_t len)
{
	*t = (struct cc_coro_thread){.args = calloc(ncoro, sizeof(*t->args))};
	t->err = t->args ? coro_sched_create(&job->opts.coro, &t->sched) : -ENOMEM;
	if (t->err) {
		snprintf(why, len, "creating a coroutine scheduler (%s poller): %s",
			 coro_poller_name(job->opts.coro.poller), strerror(-t->err));
		return t->err;
	}
	for (unsigned k = 0; k < ncoro; k++) {
		t->args[k] = (struct coro_arg){job, next, &out[per_coroutine ? k : 0], per_coroutine};
		t->err = coro_spawn(t->sched, coro_worker, &t->args[k]);
		if (t->err) {
			snprintf(why, len, "spawning coroutine %u of %u: %s", k, ncoro, strerror(-t->err));
			/* the ones spawned must still run to their end before the scheduler can go:
			 * pushing the index past the last task makes that immediate */
			atomic_store(next, job->ntasks);
			break;
		}
	}
	return t->err;
}

int cc_coro_go(struct cc_coro_thread *t, struct coro_stats *st, char *why, size_t len)
{
	int err = t->err;
	if (t->sched) {
		int rc = coro_sched_run(t->sched);
		if (rc && !err) {
			err = rc;
			snprintf(why, len, "coroutine scheduler: %s", strerror(-rc));
		}
		if (st)
			*st = coro_sched_stats(t->sched);
		coro_sched_destroy(t->sched);
	}
	free(t->args);
	*t = (struct cc_coro_thread){0};
	return err;
}

void cc_coro_note(const struct cc_job *job, const struct coro_stats *st, struct cc_outcome *out)
{
	const struct coro_opts *o = &job->opts.coro;
	snprintf(out->note, sizeof(out->note),
		 "%s switch, %s poller, %zu KiB stacks; %" PRIu64 " coroutines, %" PRIu64 " resumptions, %" PRIu64
		 " polls",
		 (o->backend ? o->backend : coro_backends[0])->name, coro_poller_name(o->poller),
		 (o->stack_size ? o->stack_size : CORO_STACK_DEFAULT) / 1024, st->spawned, st->switches, st->polls);
}

void cc_coro_worker(unsigned k, void *run)
{
	struct cc_coro_run *r = run;
	struct cc_coro_thread t;
	struct cc_coro_slot *slot = &r->slot[k];
	cc_worker_bind(r->job, k, false, &r->w[k]);
	cc_coro_prepare(&t, r->job, &r->next, r->job->opts.coroutines, &r->w[k], false, slot->why, sizeof(slot->why));
	if (cc_gate_pass(&r->gate)) {
		cc_worker_begin(&r->w[k]);
		slot->err = cc_coro_go(&t, &slot->st, slot->why, sizeof(slot->why));
		cc_worker_end(&r->w[k]);
	} else {
		atomic_store(&r->next, r->job->ntasks); /* abandoned: the coroutines end at once */
		cc_coro_go(&t, NULL, slot->why, sizeof(slot->why));
	}
}

int cc_coro_finish(struct cc_coro_run *r, unsigned n, int64_t t0, int64_t start, struct cc_outcome *out,
		   const char *who)
{
	struct coro_stats sum = {0};
	for (unsigned k = 0; k < n; k++) {
		if (r->slot[k].err) {
			snprintf(out->why, sizeof(out->why), "%s: worker %u: %s", who, k, r->slot[k].why);
			return r->slot[k].err;
		}
		sum.spawned += r->slot[k].st.spawned, sum.switches += r->slot[k].st.switches;
		sum.polls += r->slot[k].st.polls;
	}
	out->spawn_s = (double)(start - t0) / 1e9;
	cc_outcome_collect(out, r->w, n, start, 0);
	cc_coro_note(r->job, &sum, out);
	return 0;
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
	out->start_ns = start_ns;
}

static int cheaper_first(const void *a, const void *b, void *job)
{
	const struct cc_job *j = job;
	uint64_t i = *(const uint64_t *)a, k = *(const uint64_t *)b;
	double ci = j->wl->task_cost(j->ctx, i), ck = j->wl->task_cost(j->ctx, k);
	return ci < ck ? -1 : ci > ck ? 1 : (i > k) - (i < k);
}

uint64_t *cc_task_order(const struct wl_desc *wl, const void *ctx, const int64_t *params, uint64_t n, int *err)
{
	int k = wl->task_cost ? wl_param_index(wl, "order") : -1;
	*err = 0;
	if (k < 0 || params[k] == WL_ORDER_FIFO)
		return NULL;
	uint64_t *order = malloc((n ? n : 1) * sizeof(*order));
	if (!order) {
		*err = -ENOMEM;
		return NULL;
	}
	for (uint64_t p = 0; p < n; p++)
		order[p] = params[k] == WL_ORDER_LIFO ? n - 1 - p : p;
	if (params[k] == WL_ORDER_PRIORITY) {
		struct cc_job costs = {.wl = wl, .ctx = ctx};
		qsort_r(order, n, sizeof(*order), cheaper_first, &costs);
	}
	return order;
}

void cc_turnaround(const int64_t *done_ns, uint64_t n, int64_t start_ns, double *values)
{
	struct cc_hist h;
	double sum = 0;
	cc_hist_reset(&h);
	for (uint64_t p = 0; p < n; p++) {
		int64_t t = done_ns[p] - start_ns;
		cc_hist_record(&h, t > 0 ? (uint64_t)t : 0);
		sum += t > 0 ? (double)t : 0;
	}
	values[0] = n ? sum / (double)n / 1e6 : 0;
	values[1] = (double)cc_hist_quantile(&h, 0.5) / 1e6;
	values[2] = (double)cc_hist_quantile(&h, 0.99) / 1e6;
	values[3] = (double)h.max / 1e6;
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
