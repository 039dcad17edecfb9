/*
 * The runner; see runner.h. The plan runs in rounds: each round runs every
 * benchmark once, so that the repetitions of each are spread over the whole run
 * and a slow drift of the machine reaches all of them alike, rather than one
 * benchmark's five back-to-back repetitions seeing a quiet minute and the next
 * one's a busy one. Benchmarks still too noisy after the rounds get extra rounds
 * of their own, up to a cap. Reference probes of the machine are taken between
 * benchmarks. One repetition is one cell process: it warms up, picks the latency
 * sampling stride, then runs the measured batch and reports through a shared
 * mapping; the parent only waits (on a pidfd, so the watchdog costs nothing).
 *
 * Google Benchmark then reports what was measured: each benchmark is registered
 * with its own repetition count and replays its measured repetitions as manual
 * time, so the JSON is the library's own, aggregates included.
 */
#define _GNU_SOURCE
#include "core/runner.h"
#include "models/roles.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/busy.h"
#include "base/clock.h"
#include "core/doctor.h"
#include "core/exitcodes.h"
#include "base/proc.h"
#include "core/report.h"
#include "coro/stack.h"
#include "gbench/gbc.h"

volatile sig_atomic_t cc_stop_signal;

/* Clock reads cost this many times less than the tasks they time, at most. */
#define LATENCY_OVERHEAD_FACTOR 100

/* What a cell process reports to its parent. */
struct cell_report {
	int err;
	char why[256];
	char note[160];
	char fatal[200]; /* what a dying worker said about why (a coroutine stack overflow) */
	char failed[200]; /* what a task that could not do its work said (wl_fail) */
	int failed_claim;
	double spawn_s, wall_s;
	double probe_ns; /* the cpu probe on the cell's CPUs, before and after the batch, averaged */
	uint64_t checksum;
	unsigned stride;
	struct rusage self, children; /* deltas over the measured batch */
	double helpers_s;             /* ... and of the workload's helper processes' CPU time */
	double worker_rss_kb;         /* the memory one worker cost at its peak; < 0 unknown (cc_model.unit) */
	double metrics[SC_MAX_METRICS]; /* a scenario's own */
	struct cc_host hosts[CC_MAX_HOSTS];
	unsigned nhosts, hosts_total;
	struct cc_hist hist;
	struct cc_worker_info workers[];
};

static struct {
	struct cc_plan *plan;
	const struct cc_run_info *info;
	double clock_ns;
	int64_t start_ns;
	int64_t last_probe_ns;
	unsigned cells_started;
	unsigned probes_cap;
	struct cc_hist *hists; /* one per cell, in a mapping no fork copies */
	size_t hists_bytes;
	char rescued[PATH_MAX]; /* where the results went when --out could not take them; "" if nowhere */
} run;

/* Reference probes at most this often: enough to follow the machine over minutes, cheap beside the
 * cells (40 ms every 2 s: 2% of a run). */
#define PROBE_EVERY_NS 2000000000

int cc_runner_init(void)
{
	/* Orphans of a killed cell process are re-parented to us, so we can reap them. */
	return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -errno : 0;
}

static double tv_s(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

static void rusage_delta(struct rusage *d, const struct rusage *a, const struct rusage *b)
{
	d->ru_utime.tv_sec = b->ru_utime.tv_sec - a->ru_utime.tv_sec;
	d->ru_utime.tv_usec = b->ru_utime.tv_usec - a->ru_utime.tv_usec;
	d->ru_stime.tv_sec = b->ru_stime.tv_sec - a->ru_stime.tv_sec;
	d->ru_stime.tv_usec = b->ru_stime.tv_usec - a->ru_stime.tv_usec;
	d->ru_nvcsw = b->ru_nvcsw - a->ru_nvcsw;
	d->ru_nivcsw = b->ru_nivcsw - a->ru_nivcsw;
	d->ru_maxrss = b->ru_maxrss; /* a high-water mark, not a sum */
}

/* This process's resident memory now, in KiB; 0 when unreadable. */
static long resident_kb(void)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fscanf(f, "%*d %ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* What one worker cost in memory at its peak, from the cell process's resident memory before any worker
 * (rss0) and the peaks after the batch: a thread's or coroutine's share of the process's growth, or a
 * worker process's own growth over what it inherited (its peak, less the pages it shares with the cell
 * process from the fork); < 0 for threads inside processes, which no one figure describes. It includes
 * the pages of the worker's report to concur that it touched (a page or two: the histogram's buckets
 * are faulted in only where latencies land), as every model's workers do alike. */
static double worker_rss_kb(const struct cc_model *m, unsigned workers, long rss0, long self_peak, long child_peak)
{
	if (m->unit == CC_UNIT_PROGRAM) /* inherits nothing; the largest of the job's processes (mpiexec's if it is) */
		return (double)child_peak;
	long grown = (m->unit == CC_UNIT_PROCESS ? child_peak : self_peak) - rss0;
	if (m->unit == CC_UNIT_MIXED || !rss0)
		return -1;
	grown = grown > 0 ? grown : 0;
	return m->unit == CC_UNIT_PROCESS ? (double)grown : (double)grown / workers;
}

/* Chooses to time one task in `stride` so that clock reads stay under 1/FACTOR of the work. */
static unsigned latency_stride(double task_ns)
{
	double s = ceil(run.clock_ns * LATENCY_OVERHEAD_FACTOR / (task_ns > 0.01 ? task_ns : 0.01));
	return s < 1 ? 1 : s > (1 << 20) ? (1 << 20) : (unsigned)s;
}

/* Runs the job once; a workload that changes shared state on purpose is reset before and
 * verified after (sync/counter's total must be exact). */
static int run_verified(const struct cc_model *model, const struct cc_job *job, struct cc_outcome *o, void *ctx)
{
	if (job->wl->scenario) /* a scenario sets up, runs and verifies its roles itself */
		return model->run_roles ? model->run_roles(job, o) : sc_run(job, model, o);
	if (job->wl->reset)
		job->wl->reset(ctx);
	int err = model->run(job, o);
	if (!err && job->wl->verify)
		err = job->wl->verify(ctx, job->ntasks, o->why, sizeof(o->why));
	return err;
}

static _Noreturn void cell_process(const struct cc_cell *c, const struct cc_model *model, unsigned workers,
				   bool reference, struct cell_report *r, pid_t parent)
{
	setpgid(0, 0);
	if (cc_proc_child_init(parent) < 0)
		_exit(127);
	coro_guard_report_to(r->fatal, sizeof(r->fatal));
	wl_fail_report_to(r->failed, sizeof(r->failed), &r->failed_claim);
	/* the reference run is unpinned: only its checksum counts */
	struct cc_job job = {.wl = c->inst->wl, .ctx = c->inst->ctx, .ntasks = c->ntasks, .workers = workers,
			     .latency_stride = UINT_MAX, .topo = run.plan->topo, .cpu = reference ? NULL : c->cpus,
			     .pin = reference ? TOPO_NONE : (int)c->pin,
			     .opts = run.plan->mopts, .params = c->inst->params};
	struct cc_outcome o = {.workers = r->workers, .hist = &r->hist};
	struct rusage s0, s1, c0, c1;
	uint64_t *order = cc_task_order(c->inst->wl, c->inst->ctx, c->inst->params, c->ntasks, &r->err);
	size_t done_bytes = c->ntasks * sizeof(int64_t);
	long rss0_kb = resident_kb(); /* before any worker: what each one adds is measured from here */
	if (r->err) {
		snprintf(o.why, sizeof(o.why), "ordering %" PRIu64 " tasks: %s", c->ntasks, strerror(-r->err));
		goto out;
	}
	job.order = order;
	if (c->inst->wl->task_cost && !reference) { /* every task's end, seen from every process */
		job.done_ns = mmap(NULL, done_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (job.done_ns == MAP_FAILED) {
			r->err = -errno;
			snprintf(o.why, sizeof(o.why), "mapping %zu bytes for task end times: %s", done_bytes,
				 strerror(errno));
			goto out;
		}
	}

	if (!reference && model->unit == CC_UNIT_PROGRAM) {
		/* a program's workers start afresh at each launch: a warm-up launch would warm nothing of the
		 * next and cost a launch (mpiexec: 0.4 s here); the stride comes from the estimate of a task */
		const struct wl_desc *wl = c->inst->wl;
		job.latency_stride = latency_stride(wl->task_ns ? wl->task_ns(c->inst->params) : 2000);
	} else if (!reference) {
		/* Warm-up on a tenth of the batch, timing every task: faults pages in and
		 * measures a task's typical length (wall time would add the wake-up of workers). */
		job.ntasks = c->ntasks / 10 ? c->ntasks / 10 : 1;
		job.latency_stride = 1;
		/* a point of the waiting sweep warms up on as many workers as CPUs: its batch starts its 1,024
		 * threads or 256 processes afresh, so starting them for the warm-up too would double the cell's
		 * time and warm nothing the batch uses */
		unsigned npu = run.plan->topo ? run.plan->topo->npu : 1;
		if (c->far && job.workers > npu) {
			job.workers = npu;
			job.ntasks = CC_FAR_TASKS_EACH * npu < job.ntasks ? CC_FAR_TASKS_EACH * npu : job.ntasks;
		}
		r->err = run_verified(model, &job, &o, c->inst->ctx);
		if (r->err)
			goto out;
		job.latency_stride = latency_stride((double)cc_hist_quantile(&r->hist, 0.5));
		job.ntasks = c->ntasks;
		job.workers = workers;
	}
	r->stride = job.latency_stride;
	/* the cpu probe on the cell's CPUs just before and just after the batch (unpinned: where it runs), for
	 * the workloads judged against it (the others against the run's probes: a few ms a batch saved) */
	double probe[2 * CC_PROBE_CELL_SAMPLES * CC_PROBE_MAX_CPUS];
	bool cell_probe = !reference && cc_workload_probe(c->inst->wl) == CC_PROBE_CPU;
	unsigned nprobe = cell_probe ? cc_probe_cpu_on(job.cpu, workers, probe) : 0;
	double (*helpers)(const void *) = c->inst->wl->helpers_cpu_s, h0 = helpers ? helpers(c->inst->ctx) : -1;
	getrusage(RUSAGE_SELF, &s0);
	getrusage(RUSAGE_CHILDREN, &c0);
	r->err = run_verified(model, &job, &o, c->inst->ctx);
	getrusage(RUSAGE_SELF, &s1);
	getrusage(RUSAGE_CHILDREN, &c1);
	double h1 = helpers ? helpers(c->inst->ctx) : -1;
	r->helpers_s = h0 >= 0 && h1 >= h0 ? h1 - h0 : 0;
	rusage_delta(&r->self, &s0, &s1);
	rusage_delta(&r->children, &c0, &c1);
	r->worker_rss_kb = worker_rss_kb(model, workers, rss0_kb, s1.ru_maxrss, c1.ru_maxrss);
	if (cell_probe) {
		nprobe += cc_probe_cpu_on(job.cpu, workers, probe + nprobe);
		r->probe_ns = cc_median(probe, nprobe);
	}
	if (job.done_ns && !r->err)
		cc_turnaround(job.done_ns, job.ntasks, o.start_ns, o.metrics);
	r->spawn_s = o.spawn_s;
	r->wall_s = o.wall_s;
	r->checksum = o.checksum;
	memcpy(r->metrics, o.metrics, sizeof(r->metrics));
	memcpy(r->note, o.note, sizeof(r->note));
	memcpy(r->hosts, o.hosts, sizeof(r->hosts));
	r->nhosts = o.nhosts < CC_MAX_HOSTS ? o.nhosts : CC_MAX_HOSTS;
	r->hosts_total = o.hosts_total;
out:
	memcpy(r->why, o.why, sizeof(r->why));
	_exit(0);
}

/* Waits for pid until deadline_ns or a stop signal. 0 when it ended (status in *st), else -ETIMEDOUT / -EINTR. */
static int wait_child(pid_t pid, int64_t deadline_ns, int *st)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int rc = 0;
	for (;;) {
		pid_t got = waitpid(pid, st, WNOHANG);
		if (got == pid)
			break;
		if (cc_stop_signal) {
			rc = -EINTR;
			break;
		}
		int64_t left_ms = (deadline_ns - cc_now_ns()) / 1000000;
		if (left_ms <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		/* Without pidfd (kernels before 5.3) poll the child every 10 ms. */
		struct pollfd pfd = {pidfd, POLLIN, 0};
		poll(&pfd, pidfd >= 0 ? 1 : 0, pidfd >= 0 ? (int)(left_ms < INT_MAX ? left_ms : INT_MAX) : 10);
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

/*
 * Runs one batch of cell c in a cell process. Returns 0 with *out mapped (the
 * caller unmaps), or an error: -ETIMEDOUT, -EINTR (stop signal), or another
 * -errno with the reason in why.
 */
static int run_batch(struct cc_cell *c, const struct cc_model *model, unsigned workers, bool reference,
		     int64_t deadline_ns, struct cell_report **out, size_t *size, char *why, size_t whylen)
{
	*size = sizeof(struct cell_report) + workers * sizeof(struct cc_worker_info);
	struct cell_report *r = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		snprintf(why, whylen, "mapping the cell report: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL); /* nothing buffered may be written twice */
	cc_proc_reap_ended(); /* what the last cell left dying */
	pid_t self = getpid(), pid = fork();
	if (pid == 0)
		cell_process(c, model, workers, reference, r, self);
	if (pid < 0) {
		int e = errno;
		snprintf(why, whylen, "fork of the cell process: %s", strerror(e));
		munmap(r, *size);
		return -e;
	}
	setpgid(pid, pid); /* also in the child: whichever runs first, the group exists before any kill */
	int st = 0, rc = wait_child(pid, deadline_ns, &st);
	cc_proc_kill_group(pid); /* a timed-out or interrupted cell, or anything a crashed one left behind */
	if (rc == -ETIMEDOUT)
		snprintf(why, whylen, "timed out after %.0f s (--timeout); killed", run.plan->timeout_s);
	else if (rc == -EINTR)
		snprintf(why, whylen, "interrupted");
	else if (cc_proc_describe_status(st, why, whylen, "cell process", 0))
		rc = -ECHILD;
	else if (r->failed[0]) { /* before the checksum: a task that could not work is not a wrong result */
		snprintf(why, whylen, "a task could not do its work: %s", r->failed);
		rc = -EIO;
	} else if (r->err) {
		snprintf(why, whylen, "%s", r->why[0] ? r->why : strerror(-r->err));
		rc = r->err;
	}
	if (rc == -ETIMEDOUT && r->failed[0]) {
		size_t at = strlen(why);
		snprintf(why + at, whylen - at, " (a task had failed: %s)", r->failed);
	}
	if (rc && r->fatal[0]) {
		size_t at = strlen(why);
		snprintf(why + at, whylen - at, ": %s", r->fatal);
	}
	if (rc) {
		munmap(r, *size);
		return rc;
	}
	*out = r;
	return 0;
}

/* Tells the caller (the CLI prints it). printf-style text. */
__attribute__((format(printf, 3, 4))) static void say(enum cc_event_kind kind, const struct cc_cell *cell,
						      const char *fmt, ...)
{
	if (!run.info || !run.info->on_event)
		return;
	char text[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct cc_event e = {kind, run.plan, cell, text};
	run.info->on_event(&e, run.info->event_arg);
}

static void fail_cell(struct cc_cell *c, enum cc_status status, const char *fmt, const char *detail)
{
	c->status = status;
	snprintf(c->error, sizeof(c->error), fmt, detail);
	say(CC_EV_FAILED, c, "%s: %s", c->name, c->error);
}

static int ensure_instance(struct cc_instance *in)
{
	if (!in->ready && !in->setup_err && in->wl->setup) {
		in->setup_err = in->wl->setup(in->params, &in->ctx);
		in->ready = !in->setup_err;
	} else if (!in->wl->setup) {
		in->ready = true;
	}
	return in->setup_err;
}

/* The reference checksum: what serial computes for the same tasks. Runs serial if the plan does not.
 * 0, -EINTR when stopped, or another -errno with the cell failed. */
static int ensure_reference(struct cc_cell *c, int64_t deadline)
{
	struct cc_instance *in = c->inst;
	uint64_t known;
	if (cc_cell_ref(c, &known) || (c->model == &model_serial && !cc_cell_own_batch(c)))
		return 0;
	struct cell_report *r;
	size_t size;
	char why[256];
	/* a scenario's reference: its roles unpinned, as threads when it has them (else as processes: a server
	 * that forks must not carry its client's sockets into its children; else as its own executor, mpi's ranks);
	 * a cell of that executor is its own reference, as serial is: its first batch (the same code, pinned) */
	const struct sc_desc *sc = in->wl->scenario;
	const struct cc_model *ref = !sc                                 ? cc_cell_reference(c)
				     : sc_runs_as(sc, &model_threads)   ? &model_threads
				     : sc_runs_as(sc, &model_processes) ? &model_processes
									: c->model;
	if (sc && ref == c->model)
		return 0;
	int rc = run_batch(c, ref, sc || ref->one_thread ? c->workers : 1, true, deadline, &r, &size, why, sizeof(why));
	if (rc == -EINTR)
		return rc;
	if (rc) {
		char what[160];
		snprintf(what, sizeof(what), "the reference run (%s) failed: %%s",
			 sc ? "its roles unpinned" : ref == &model_serial ? "serial" : "coroutines on one unpinned thread");
		fail_cell(c, CC_FAILED, what, why);
		return rc;
	}
	cc_cell_set_ref(c, r->checksum);
	munmap(r, size);
	return 0;
}

/* The OS CPU of each worker under the cell's policy, from this machine's topology. */
static int plan_cpus(struct cc_cell *c)
{
	if (c->pin == TOPO_NONE)
		return 0;
	const struct topo_place **pl = calloc(c->workers, sizeof(*pl));
	c->cpus = calloc(c->workers, sizeof(*c->cpus));
	if (!pl || !c->cpus) {
		free(pl);
		return -ENOMEM;
	}
	/* workers that share one thread (coroutines) share its place */
	unsigned places = c->model->one_thread ? 1 : c->workers;
	c->oversubscribed = topo_plan(run.plan->topo, c->pin, places, pl);
	for (unsigned k = 0; k < c->workers; k++)
		c->cpus[k] = (int)pl[k < places ? k : 0]->pu_os;
	free(pl);
	return 0;
}

static double elapsed_s(void) { return (double)(cc_now_ns() - run.start_ns) / 1e9; }

/* The time left: what the cells done took, scaled by how the estimates of the cells left compare
 * with theirs, so that a long cell ahead is foreseen rather than averaged in. */
static void progress(const struct cc_cell *c)
{
	const struct cc_plan *p = run.plan;
	unsigned k = ++run.cells_started, cpus = p->topo ? p->topo->npu : 1;
	double elapsed = elapsed_s(), done = 0, left = 0;
	for (const struct cc_cell *o = p->cells; o < p->cells + p->ncells; o++) {
		double one = cc_cell_estimate_s(p, o, cpus) / p->repetitions;
		done += one * (p->rounds_run + (o < c));
		left += one * (p->repetitions - p->rounds_run - (o < c));
	}
	char left_s[48] = "";
	if (done > 0 && elapsed > 0)
		snprintf(left_s, sizeof(left_s), ", about %.0f s left", elapsed / done * left);
	say(CC_EV_CELL, c, "[%u/%u] %s  (%.1f s elapsed%s)", k, p->ncells, c->name, elapsed, left_s);
}

/* A reference probe, if the last is more than PROBE_EVERY_NS old (or force). */
static void maybe_probe(bool force)
{
	struct cc_plan *p = run.plan;
	int64_t now = cc_now_ns();
	if (!force && now - run.last_probe_ns < PROBE_EVERY_NS)
		return;
	if (p->nprobes == run.probes_cap) {
		unsigned cap = run.probes_cap ? 2 * run.probes_cap : 64;
		struct cc_probe_sample *n = realloc(p->probes, cap * sizeof(*n));
		if (!n)
			return; /* the benchmarks matter more than one more probe */
		p->probes = n;
		run.probes_cap = cap;
	}
	cc_probe_take(&p->probes[p->nprobes++], elapsed_s());
	run.last_probe_ns = cc_now_ns();
}

static int prepare_cell(struct cc_cell *c)
{
	struct cc_plan *p = run.plan;
	c->reps = calloc(p->max_repetitions, sizeof(*c->reps));
	c->workers_info = calloc(c->workers, sizeof(*c->workers_info));
	c->hist = &run.hists[c - p->cells];
	if (!c->reps || !c->workers_info || plan_cpus(c) < 0) {
		fail_cell(c, CC_FAILED, "allocating results: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	return 0;
}

/* One repetition of cell c: 0, or -EINTR when a stop signal came (the cell is left as it was). */
static int measure_rep(struct cc_cell *c)
{
	struct cc_plan *p = run.plan;
	if (c->attempts++ == 0 && prepare_cell(c))
		return 0;
	int64_t deadline = cc_now_ns() + (int64_t)(p->timeout_s * 1e9);
	if (ensure_instance(c->inst)) {
		fail_cell(c, CC_FAILED, "workload setup failed: %s", strerror(-c->inst->setup_err));
		return 0;
	}
	int rc = ensure_reference(c, deadline);
	if (rc)
		return rc == -EINTR ? rc : 0;

	struct cell_report *r;
	size_t size;
	char why[256];
	const struct wl_desc *wl = c->inst->wl;
	int64_t huge = wl->huge_bytes ? wl->huge_bytes(c->inst->ctx) : -1;
	rc = run_batch(c, c->model, c->workers, false, deadline, &r, &size, why, sizeof(why));
	if (rc == -EINTR)
		return rc;
	if (rc) {
		fail_cell(c, rc == -ETIMEDOUT ? CC_TIMEOUT : CC_FAILED, "%s", why);
		return 0;
	}
	uint64_t ref;
	if (!cc_cell_ref(c, &ref)) { /* serial, or a scenario's reference executor: its first batch is the reference */
		cc_cell_set_ref(c, r->checksum);
		ref = r->checksum;
	}
	if (r->checksum != ref) {
		snprintf(why, sizeof(why), "checksum %016" PRIx64 " differs from %s's %016" PRIx64, r->checksum,
			 wl->scenario ? "the reference run" : cc_cell_reference(c)->name, ref);
		fail_cell(c, CC_MISMATCH, "%s: the model did not do the same work", why);
		munmap(r, size);
		return 0;
	}
	c->reps[c->nreps++] = (struct cc_rep){
		.wall_s = r->wall_s,
		.spawn_s = r->spawn_s,
		.user_s = tv_s(r->self.ru_utime),
		.sys_s = tv_s(r->self.ru_stime),
		.child_user_s = tv_s(r->children.ru_utime),
		.child_sys_s = tv_s(r->children.ru_stime),
		.helpers_s = r->helpers_s,
		.nvcsw = r->self.ru_nvcsw + r->children.ru_nvcsw,
		.nivcsw = r->self.ru_nivcsw + r->children.ru_nivcsw,
		.max_rss_kb = r->self.ru_maxrss > r->children.ru_maxrss ? r->self.ru_maxrss : r->children.ru_maxrss,
		.worker_rss_kb = r->worker_rss_kb,
		.checksum = r->checksum,
		.cell_probe_ns = r->probe_ns,
		.huge_bytes = huge,
		.probe = p->nprobes ? p->nprobes - 1 : 0,
	};
	memcpy(c->reps[c->nreps - 1].metrics, r->metrics, sizeof(r->metrics));
	cc_hist_merge(c->hist, &r->hist);
	memcpy(c->workers_info, r->workers, c->workers * sizeof(*r->workers));
	cc_cell_check_placement(c);
	c->latency_stride = r->stride;
	memcpy(c->note, r->note, sizeof(c->note));
	if (r->nhosts && !c->hosts) /* the last repetition's, as the note: a launch may place ranks elsewhere */
		c->hosts = malloc(CC_MAX_HOSTS * sizeof(*c->hosts));
	if (r->nhosts && c->hosts) {
		memcpy(c->hosts, r->hosts, r->nhosts * sizeof(*c->hosts));
		c->nhosts = r->nhosts;
		c->hosts_total = r->hosts_total;
	}
	munmap(r, size);
	if (c->nreps >= p->repetitions && c->status == CC_PENDING)
		c->status = CC_OK;
	return 0;
}

/*
 * One round: every cell that wants a repetition runs once, in plan order. An instance is set
 * up before its first cell of the round and torn down after its last, so forks never copy
 * another workload's memory. extra: only noisy cells (the adaptive rounds), and none once until_s
 * has passed. -EINTR when stopped.
 */
static int run_round(bool extra, double until_s)
{
	struct cc_plan *p = run.plan;
	unsigned wanted = 0;
	for (struct cc_cell *c = p->cells; c < p->cells + p->ncells; c++)
		wanted += c->status <= CC_OK && (!extra || cc_cell_noisy(p, c));
	if (!wanted)
		return 0;
	if (p->rounds_run)
		say(CC_EV_ROUND, NULL, "round %u%s: %u benchmark%s  (%.1f s elapsed)", p->rounds_run + 1,
			extra ? " (extra, for noisy benchmarks)" : "", wanted, wanted == 1 ? "" : "s", elapsed_s());
	int rc = 0;
	for (struct cc_cell *c = p->cells; c < p->cells + p->ncells && !rc; c++) {
		if (cc_stop_signal)
			return -EINTR;
		bool want = c->status <= CC_OK && (!extra || (cc_cell_noisy(p, c) && elapsed_s() < until_s));
		if (want) {
			maybe_probe(false);
			if (p->rounds_run == 0)
				progress(c);
			rc = measure_rep(c);
		}
		/* an instance's cells are consecutive: after its last, free its memory and servers */
		if (c + 1 == p->cells + p->ncells || c[1].inst != c->inst)
			cc_instance_teardown(c->inst);
	}
	if (!rc)
		p->rounds_run++;
	return rc;
}

static void set_counters(gbc_state *st, const struct cc_cell *c, const struct cc_rep *rep)
{
	const struct cc_cell *serial = c->baseline;
	gbc_set_counter(st, "tasks_per_s", (double)c->ntasks / rep->wall_s, GBC_COUNTER_DEFAULT);
	gbc_set_counter(st, "spawn_s", rep->spawn_s, GBC_COUNTER_DEFAULT);
	gbc_set_counter(st, "cpu_s", rep->user_s + rep->sys_s + rep->child_user_s + rep->child_sys_s + rep->helpers_s,
			GBC_COUNTER_DEFAULT);
	gbc_set_counter(st, "voluntary_csw", (double)rep->nvcsw, GBC_COUNTER_DEFAULT);
	gbc_set_counter(st, "involuntary_csw", (double)rep->nivcsw, GBC_COUNTER_DEFAULT);
	if (serial && serial->status == CC_OK && serial->nreps) /* per task: the batches may differ */
		gbc_set_counter(st, "speedup", cc_cell_median_wall(serial) / (double)serial->ntasks /
						       (rep->wall_s / (double)c->ntasks), GBC_COUNTER_DEFAULT);
	const struct sc_metric *m = wl_metrics(c->inst->wl);
	for (unsigned k = 0; m && k < SC_MAX_METRICS && m[k].name; k++)
		gbc_set_counter(st, m[k].name, rep->metrics[k], GBC_COUNTER_DEFAULT);
}

/* Google Benchmark's repetition of a cell: the next measured repetition, replayed as manual time. */
static void cell_replay(gbc_state *st, void *arg)
{
	struct cc_cell *c = arg;
	if (c->status > CC_OK || c->replayed >= c->nreps) {
		gbc_skip_with_error(st, c->status > CC_OK ? c->error : "incomplete");
		return;
	}
	const struct cc_rep *rep = &c->reps[c->replayed++];
	while (gbc_keep_running(st))
		gbc_set_iteration_time(st, rep->wall_s);
	set_counters(st, c, rep);
}

static char *extra_json(void *arg)
{
	(void)arg;
	return cc_report_concur(run.plan, run.info, cc_stop_signal != 0, run.clock_ns);
}

/* Writes the results to --out; when that fails (a full disk, an unwritable device), minutes of
 * measurements are still kept: a copy goes to $TMPDIR, else /dev/shm (memory, so a full disk does not
 * stop it), else /tmp. */
static int sink(const char *json, size_t len, void *arg)
{
	(void)arg;
	int rc = cc_write_result(run.info->out_path, json, len);
	const char *dirs[] = {getenv("TMPDIR"), "/dev/shm", "/tmp"};
	for (unsigned k = 0; rc && k < 3 && !run.rescued[0]; k++) {
		if (!dirs[k] || !*dirs[k])
			continue;
		snprintf(run.rescued, sizeof(run.rescued), "%s/concur-rescued-%ld.json", dirs[k], (long)getpid());
		if (cc_write_atomic(run.rescued, json, len))
			run.rescued[0] = 0;
	}
	return rc;
}

/* Hands what was measured to Google Benchmark, which writes the JSON. Returns the library's count or -errno. */
static long report(void)
{
	struct cc_plan *p = run.plan;
	for (unsigned k = 0; k < p->ncells; k++) {
		struct cc_cell *c = &p->cells[k];
		if (!cc_cell_reported(c))
			continue; /* not reached before a stop */
		cc_cell_keep_latency(c);
		/* each benchmark with its own repetition count: the rounds it ran, or one error row */
		struct gbc_bench_opts opts = {.manual_time = true, .unit = GBC_MS,
					      .repetitions = c->status > CC_OK || !c->nreps ? 1 : (int)c->nreps};
		if (gbc_register(c->name, cell_replay, c, &opts) < 0) {
			say(CC_EV_WARNING, c, "run: registering %s failed", c->name);
			return -ENOMEM;
		}
	}
	cc_report_add_context();
	const struct gbc_output out = {.extra_key = "concur", .extra = extra_json, .sink = sink};
	const struct gbc_run_opts ropts = {.one_iteration = true};
	return gbc_run(&ropts, &out);
}

int cc_run(struct cc_plan *plan, const struct cc_run_info *info)
{
	run.plan = plan;
	run.info = info;
	run.clock_ns = cc_clock_cost_ns();
	run.start_ns = cc_now_ns();
	run.cells_started = 0;
	plan->rounds_run = 0;
	plan->busy_rate = cc_busy_rate(); /* measured once, before anything runs, or the --like run's */
	run.hists_bytes = plan->ncells * sizeof(struct cc_hist);
	run.hists = mmap(NULL, run.hists_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (run.hists == MAP_FAILED) {
		say(CC_EV_ERROR, NULL, "run: mapping latency histograms for %u benchmarks: %s; nothing was run, no "
				       "results written", plan->ncells, strerror(errno));
		return CC_EXIT_NOT_WRITTEN;
	}
	/* 30 KiB a cell: copied into every fork, they would make the later cells' forks slower */
	madvise(run.hists, run.hists_bytes, MADV_DONTFORK);
	if (cc_probe_init(plan->topo) < 0)
		say(CC_EV_WARNING, NULL, "run: no memory probes (mapping 64 MiB failed): %s", strerror(errno));

	say(CC_EV_PLAN, NULL, "running %u benchmarks, suite %s, %u round%s (up to %u for noisy ones), about %.0f s "
			      "(estimate)",
		plan->ncells, plan->suite->name, plan->repetitions, plan->repetitions == 1 ? "" : "s",
		plan->max_repetitions, cc_plan_estimate_s(plan, plan->topo ? plan->topo->npu : 1));
	unsigned long long total0, steal0, total1, steal1;
	bool have_steal = doctor_cpu_times(&total0, &steal0);
	plan->steal_pct = -1;
	int rc = 0;
	maybe_probe(true);
	while (!rc && plan->rounds_run < plan->repetitions) {
		unsigned before = plan->rounds_run;
		rc = run_round(false, 0);
		if (plan->rounds_run == before)
			break; /* every benchmark has failed: no round is left to run */
	}
	/* Extra rounds for noisy benchmarks take at most a twentieth of the time the rounds took, stopping
	 * within a round when it is up: measured on the standard suite here, three in four benchmarks still
	 * noisy after the rounds stay noisy after five more (the noise is the machine's), so more time buys
	 * little and would break the suite's 3-minute budget. */
	double rounds_s = elapsed_s(), extra_until_s = rounds_s * 1.05;
	while (!rc && plan->rounds_run < plan->max_repetitions && plan->rounds_run >= plan->repetitions &&
	       elapsed_s() < extra_until_s) {
		unsigned before = plan->rounds_run;
		rc = run_round(true, extra_until_s);
		if (plan->rounds_run == before)
			break; /* nothing noisy left */
	}
	if (!rc)
		maybe_probe(true);
	if (have_steal && doctor_cpu_times(&total1, &steal1) && total1 > total0)
		plan->steal_pct = 100.0 * (double)(steal1 - steal0) / (double)(total1 - total0);
	if (rc == -EINTR)
		say(CC_EV_STOPPED, NULL, "stopped by signal %d; writing the benchmarks measured so far", (int)cc_stop_signal);
	cc_plan_teardown(plan); /* servers stopped, temporary files removed */
	cc_proc_reap_ended();
	cc_probe_fini();
	for (unsigned k = 0; k < plan->ncells; k++) /* a stop leaves cells short of their rounds */
		if (plan->cells[k].status == CC_PENDING && plan->cells[k].nreps)
			plan->cells[k].status = rc == -EINTR ? CC_PENDING : CC_OK;

	plan->duration_s = elapsed_s();
	long n = report();
	say(CC_EV_MEASURED, NULL, "measured");
	munmap(run.hists, run.hists_bytes);
	for (unsigned k = 0; k < plan->ncells; k++)
		plan->cells[k].hist = NULL;
	if (n == -ENODATA) { /* written, but what compare, history and plot read is missing */
		say(CC_EV_ERROR, NULL, "run: results written to %s without their concur block: making it ran out of memory",
		    info->out_path);
		return CC_EXIT_NOT_WRITTEN;
	}
	if (n < 0) {
		say(CC_EV_ERROR, NULL, "run: writing %s: %s; %s%s", info->out_path, strerror((int)-n),
		    run.rescued[0] ? "the results were saved to " : "no copy could be saved either: the results are lost",
		    run.rescued);
		return CC_EXIT_NOT_WRITTEN;
	}
	say(CC_EV_WRITTEN, NULL, "results written to %s", info->out_path);
	if (cc_stop_signal)
		return 128 + (int)cc_stop_signal;
	for (unsigned k = 0; k < plan->ncells; k++)
		if (plan->cells[k].status != CC_OK)
			return CC_EXIT_FAIL;
	return CC_EXIT_OK;
}
