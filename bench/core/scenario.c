/* Running a scenario's roles: see scenario.h. */
#define _GNU_SOURCE
#include "core/scenario.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/workload.h"

int64_t sc_tick(struct sc_role *r, uint64_t i)
{
	if ((i & 63) == 0)
		cc_worker_note_cpu(&r->out->info, sched_getcpu());
	return r->role == 0 && i % r->stride == 0 ? cc_now_ns() : 0; /* role 0's operations stand for all */
}

void sc_tock(struct sc_role *r, int64_t t0)
{
	if (t0)
		cc_hist_record(&r->out->hist, (uint64_t)(cc_now_ns() - t0));
	r->out->info.tasks++;
}

bool sc_runs_as(const struct sc_desc *sc, const struct cc_model *model)
{
	return (model == &model_threads && (sc->executors & SC_THREADS)) ||
	       (model == &model_processes && (sc->executors & SC_PROCESSES));
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
	struct cc_worker_out *w; /* one per role, after the header */
	void *state;             /* the scenario's, after the reports */
};

static void role_main(unsigned k, void *p)
{
	struct shared *sh = p;
	const struct cc_job *job = sh->job;
	cc_worker_bind(job, k, sh->process, &sh->w[k]);
	if (!cc_gate_pass(&sh->gate))
		return;
	cc_worker_begin(&sh->w[k]);
	struct sc_role r = {sh->state, job->params, k, job->workers, job->ntasks, &sh->w[k],
			    job->latency_stride ? job->latency_stride : 1};
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
	int err = sc->setup ? sc->setup(sh->state, job->params, n, out->why, sizeof(out->why)) : 0;
	if (err)
		goto out;
	if (sh->process)
		err = cc_start_processes(n, role_main, sh, &sh->gate, n, &t0, &start, out->why, sizeof(out->why),
					 model->name);
	else
		err = cc_start_threads(n, role_main, sh, &sh->gate, &t0, &start, out->why, sizeof(out->why), model->name);
	if (sh->nfailed) { /* the first failure is the cause; what the others met follows from it */
		err = sh->failed[0].err;
		snprintf(out->why, sizeof(out->why), "%s%s", sh->failed[0].why,
			 sh->nfailed > 1 ? " (and other roles failed)" : "");
	}
	for (unsigned k = 0; k < n && !err; k++) /* nothing lost: every role completed every operation */
		if (sh->w[k].info.tasks != job->ntasks) {
			snprintf(out->why, sizeof(out->why), "role %u completed %llu of %llu operations", k,
				 (unsigned long long)sh->w[k].info.tasks, (unsigned long long)job->ntasks);
			err = -EPROTO;
		}
	if (!err && sc->verify)
		err = sc->verify(sh->state, job->params, job->ntasks, out->why, sizeof(out->why));
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, sh->w, n, start, 0);
	}
	if (sc->teardown)
		sc->teardown(sh->state, n);
out:
	munmap(sh, size);
	return err;
}

int sc_socketpair_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	int *fd = state;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0)
		return 0;
	int err = -errno;
	snprintf(why, len, "socketpair: %s", strerror(errno));
	fd[0] = fd[1] = -1;
	return err;
}

void sc_socketpair_stop(void *state)
{
	int *fd = state;
	shutdown(fd[0], SHUT_RDWR);
	shutdown(fd[1], SHUT_RDWR);
}

void sc_socketpair_teardown(void *state, unsigned roles)
{
	(void)roles;
	int *fd = state;
	for (int k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
}
