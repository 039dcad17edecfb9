/*
 * processes: one forked child per worker. The task index, the start gate and
 * every worker's report live in one shared anonymous mapping; every child is
 * reaped, and one that dies or exits non-zero fails the run with its status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/model.h"
#include "core/proc.h"

struct shared {
	struct cc_gate gate;
	atomic_uint_fast64_t next;
	struct cc_worker_out w[];
};

static _Noreturn void child_main(const struct cc_job *job, struct shared *sh, unsigned k, pid_t parent)
{
	if (cc_proc_child_init(parent) < 0)
		_exit(127);
	cc_worker_bind(job, k, true, &sh->w[k]);
	if (cc_gate_pass(&sh->gate))
		cc_worker_loop(job, &sh->next, &sh->w[k]);
	_exit(0); /* not exit(): the parent's atexit handlers and stdio buffers are not ours */
}

/* Reaps pids[0..n); notes the first abnormal end in why. Returns 0 or -ECHILD. */
static int reap_all(const pid_t *pids, unsigned n, char *why, size_t len)
{
	int err = 0;
	for (unsigned k = 0; k < n; k++) {
		int st;
		while (waitpid(pids[k], &st, 0) < 0 && errno == EINTR)
			;
		if (!err && cc_proc_describe_status(st, why, len, "processes: worker", k)) {
			err = -ECHILD;
		}
	}
	return err;
}

static int processes_run(const struct cc_job *job, struct cc_outcome *out)
{
	unsigned n = job->workers, forked = 0;
	size_t size = sizeof(struct shared) + n * sizeof(struct cc_worker_out);
	int err = 0;

	struct shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		err = -errno;
		snprintf(out->why, sizeof(out->why), "processes: mmap %zu bytes: %s", size, strerror(errno));
		return err;
	}
	pid_t pids[n];
	cc_gate_init(&sh->gate);
	atomic_init(&sh->next, 0);
	pid_t self = getpid();

	int64_t t0 = cc_now_ns();
	for (; forked < n; forked++) {
		pid_t pid = fork();
		if (pid == 0)
			child_main(job, sh, forked, self);
		if (pid < 0) {
			err = -errno;
			snprintf(out->why, sizeof(out->why), "processes: fork for worker %u: %s", forked,
				 strerror(errno));
			goto abandon;
		}
		pids[forked] = pid;
	}
	/* A child can die before it reaches the gate; look for that while waiting. */
	while (cc_gate_wait_all(&sh->gate, n, 50) == -ETIMEDOUT) {
		for (unsigned k = 0; k < n; k++) {
			int st;
			if (waitpid(pids[k], &st, WNOHANG) == pids[k]) {
				cc_proc_describe_status(st, out->why, sizeof(out->why), "processes: worker", k);
				pids[k] = pids[--n]; /* it is reaped: keep it out of reap_all */
				forked = n;
				err = -ECHILD;
				goto abandon;
			}
		}
	}
	int64_t start = cc_now_ns();
	cc_gate_open(&sh->gate);
	err = reap_all(pids, forked, out->why, sizeof(out->why));
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, sh->w, n, start, 0);
	}
	munmap(sh, size);
	return err;

abandon:
	cc_gate_abandon(&sh->gate);
	reap_all(pids, forked, out->why + strlen(out->why), 0);
	munmap(sh, size);
	return err;
}

const struct cc_model model_processes = {
	.name = "processes",
	.summary = "one forked process per worker, results back through shared memory",
	.run = processes_run,
};
