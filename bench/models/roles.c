/* Running a scenario's roles: see roles.h. */
#define _GNU_SOURCE
#include "models/roles.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/gil.h"
#include "work/workload.h"
#include "coro/sched.h"

bool sc_runs_as(const struct sc_desc *sc, const struct cc_model *model)
{
	return (sc->executors & model->executor) != 0;
}

/* One mapping shared by the coordinator and every role, threads or processes. */
struct shared {
	const struct cc_job *job;
	bool process;
	struct cc_gate gate;
	struct {
		int err;
		char why[200];
	} failed[8]; /* the first roles' failures; the rest say only that they failed */
	unsigned nfailed;
	struct cc_gil *gil;      /* the gil executor's lock; NULL for the others */
	struct cc_worker_out *w; /* one per role, after the header */
	void *state;             /* the scenario's, after the reports */
};

/* Role k's operations, wherever it runs (a thread, a process, a coroutine). */
static void role_body(struct shared *sh, unsigned k)
{
	const struct cc_job *job = sh->job;
	cc_worker_begin(&sh->w[k]);
	struct sc_role r = {sh->state, job->params, k, job->workers, job->ntasks, &sh->w[k],
			    job->latency_stride ? job->latency_stride : 1, &job->opts.coro, NULL};
	char why[200] = "";
	int err = job->wl->scenario->role(&r, why, sizeof(why));
	cc_worker_end(&sh->w[k]);
	if (err) {
		unsigned at = __atomic_fetch_add(&sh->nfailed, 1, __ATOMIC_RELAXED);
		if (at == 0 && job->wl->scenario->stop) /* the others must not wait for this one */
			job->wl->scenario->stop(sh->state);
		if (at < 8) {
			sh->failed[at].err = err;
			snprintf(sh->failed[at].why, sizeof(sh->failed[at].why), "role %u: %s", k, why[0] ? why : strerror(-err));
		}
	}
}

/* A role process died (a crash, a kill): the others may wait for it forever. */
static void role_died(void *p)
{
	struct shared *sh = p;
	if (sh->job->wl->scenario->stop)
		sh->job->wl->scenario->stop(sh->state);
}

static void role_main(unsigned k, void *p)
{
	struct shared *sh = p;
	cc_worker_bind(sh->job, k, sh->process, &sh->w[k]);
	if (!cc_gate_pass(&sh->gate))
		return;
	if (sh->gil)
		cc_gil_enter(sh->gil);
	role_body(sh, k);
	cc_gil_leave();
}

/* The gil executor's switch interval: the scenario's own gil_interval_us when set, else the run's. */
static int64_t gil_interval_ns(const struct cc_job *job)
{
	int k = wl_param_index(job->wl, "gil_interval_us");
	int64_t us = k >= 0 && job->params[k] > 0 ? job->params[k] : job->opts.gil_interval_us;
	return (us > 0 ? us : 5000) * 1000;
}

struct coro_role {
	struct shared *sh;
	unsigned k;
};

static void coro_role(void *p)
{
	struct coro_role *r = p;
	role_body(r->sh, r->k);
}

/* Every role a coroutine of the calling thread, bound where role 0 goes: no gate, since nothing runs
 * until the scheduler does. 0, or -errno with why. */
static int run_coroutines(struct shared *sh, unsigned n, int64_t *t0, int64_t *start, char *why, size_t len)
{
	const struct cc_job *job = sh->job;
	struct coro_sched *sched;
	struct coro_role *args = calloc(n, sizeof(*args));
	int err = args ? coro_sched_create(&job->opts.coro, &sched) : -ENOMEM;
	if (err) {
		snprintf(why, len, "coroutines: creating the scheduler: %s", strerror(-err));
		free(args);
		return err;
	}
	cc_worker_bind(job, 0, false, &sh->w[0]);
	for (unsigned k = 1; k < n; k++)
		sh->w[k].info = sh->w[0].info; /* one thread: one placement */
	*t0 = cc_now_ns();
	for (unsigned k = 0; k < n && !err; k++) {
		args[k] = (struct coro_role){sh, k};
		if ((err = coro_spawn(sched, coro_role, &args[k])))
			snprintf(why, len, "coroutines: spawning role %u: %s", k, strerror(-err));
	}
	*start = cc_now_ns();
	if (err && job->wl->scenario->stop) /* the roles spawned must still end before the scheduler can go */
		job->wl->scenario->stop(sh->state);
	int rc = coro_sched_run(sched);
	if (rc && !err) {
		err = rc;
		snprintf(why, len, "coroutines: the scheduler: %s", strerror(-rc));
	}
	coro_sched_destroy(sched);
	free(args);
	return err;
}

int sc_settle(const struct cc_job *job, const struct cc_worker_out *w, const void *state, struct cc_outcome *out)
{
	const struct sc_desc *sc = job->wl->scenario;
	unsigned n = job->workers;
	uint64_t total = 0;
	int err = 0;
	for (unsigned k = 0; k < n && !err; k++) { /* nothing lost: every role completed every operation */
		total += w[k].info.tasks;
		if (!sc->total_ops && w[k].info.tasks != job->ntasks) {
			snprintf(out->why, sizeof(out->why), "role %u completed %llu of %llu operations", k,
				 (unsigned long long)w[k].info.tasks, (unsigned long long)job->ntasks);
			err = -EPROTO;
		}
	}
	/* roles whose counts vary (consumers): the scenario's own check says what went missing, first */
	uint64_t want = sc->total_ops ? sc->total_ops(job->params, n, job->ntasks) : 0;
	if (!err && sc->total_ops && sc->verify)
		err = sc->verify(state, job->params, job->ntasks, out->why, sizeof(out->why));
	if (!err && sc->total_ops && total != want) {
		snprintf(out->why, sizeof(out->why), "the roles completed %llu operations together of %llu",
			 (unsigned long long)total, (unsigned long long)want);
		err = -EPROTO;
	}
	if (!err && !sc->total_ops && sc->verify)
		err = sc->verify(state, job->params, job->ntasks, out->why, sizeof(out->why));
	if (!err && sc->measure)
		sc->measure(state, job->params, job->ntasks, out->metrics);
	return err;
}

int sc_run(const struct cc_job *job, const struct cc_model *model, struct cc_outcome *out)
{
	const struct sc_desc *sc = job->wl->scenario;
	unsigned n = job->workers;
	size_t head = (sizeof(struct shared) + 63) & ~(size_t)63, reports = n * sizeof(struct cc_worker_out);
	size_t size = head + ((reports + 63) & ~(size_t)63) + sc->state_bytes;
	int64_t t0 = 0, start = 0;
	struct shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		int err = -errno;
		snprintf(out->why, sizeof(out->why), "%s: mapping %zu bytes of shared state: %s", model->name, size,
			 strerror(errno));
		return err;
	}
	sh->job = job;
	sh->process = model == &model_processes;
	sh->w = (struct cc_worker_out *)((char *)sh + head);
	sh->state = (char *)sh + head + ((reports + 63) & ~(size_t)63);
	cc_gate_init(&sh->gate);
	if (sc->impl)
		*(const void **)sh->state = sc->impl;
	int err = sc->setup ? sc->setup(sh->state, job->params, n, out->why, sizeof(out->why)) : 0;
	if (err)
		goto out;
	struct cc_gil gil;
	if (model == &model_gil && (err = cc_gil_init(&gil, gil_interval_ns(job)))) {
		snprintf(out->why, sizeof(out->why), "gil: setting up the lock: %s", strerror(-err));
		goto torn;
	}
	sh->gil = model == &model_gil ? &gil : NULL;
	if (model == &model_coroutines)
		err = run_coroutines(sh, n, &t0, &start, out->why, sizeof(out->why));
	else if (sh->process)
		err = cc_start_processes(n, role_main, sh, &sh->gate, n, &t0, &start, out->why, sizeof(out->why),
					 model->name, role_died);
	else
		err = cc_start_threads(n, role_main, sh, &sh->gate, &t0, &start, out->why, sizeof(out->why), model->name);
	/* the cause: a role process that died (what the others met follows from it), else the first failure */
	if (sh->nfailed && err != -ECHILD) {
		err = sh->failed[0].err;
		snprintf(out->why, sizeof(out->why), "%s%s", sh->failed[0].why,
			 sh->nfailed > 1 ? " (and other roles failed)" : "");
	}
	if (!err)
		err = sc_settle(job, sh->w, sh->state, out);
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, sh->w, n, start, 0);
	}
	if (sh->gil) {
		snprintf(out->note, sizeof(out->note),
			 "GIL interval %lld us: %llu switches, %llu drop requests, %llu forced waits, %llu releases "
			 "around IO",
			 (long long)(gil.interval_ns / 1000), (unsigned long long)cc_gil_switches(&gil),
			 (unsigned long long)atomic_load(&gil.drop_requests), (unsigned long long)atomic_load(&gil.forced_waits),
			 (unsigned long long)atomic_load(&gil.io_releases));
		cc_gil_destroy(&gil);
	}
torn:
	if (sc->teardown)
		sc->teardown(sh->state, n);
out:
	munmap(sh, size);
	return err;
}
