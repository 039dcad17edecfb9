/*
 * processes: one forked child per worker. The task index, the start gate and
 * every worker's report live in one shared anonymous mapping; every child is
 * reaped, and one that dies or exits non-zero fails the run with its status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "models/model.h"
#include "work/scenario.h"

struct shared {
	const struct cc_job *job;
	struct cc_gate gate;
	atomic_uint_fast64_t next;
	struct cc_worker_out w[];
};

static void child_main(unsigned k, void *p)
{
	struct shared *sh = p;
	cc_worker_bind(sh->job, k, true, &sh->w[k]);
	if (cc_gate_pass(&sh->gate))
		cc_worker_loop(sh->job, &sh->next, &sh->w[k]);
}

static int processes_run(const struct cc_job *job, struct cc_outcome *out)
{
	unsigned n = job->workers;
	size_t size = sizeof(struct shared) + n * sizeof(struct cc_worker_out);
	int64_t t0, start;
	struct shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		int err = -errno;
		snprintf(out->why, sizeof(out->why), "processes: mmap %zu bytes: %s", size, strerror(errno));
		return err;
	}
	sh->job = job;
	cc_gate_init(&sh->gate);
	atomic_init(&sh->next, 0);
	int err = cc_start_processes(n, child_main, sh, &sh->gate, n, &t0, &start, out->why, sizeof(out->why),
				     "processes", NULL);
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, sh->w, n, start, 0);
	}
	munmap(sh, size);
	return err;
}

const struct cc_model model_processes = {
	.name = "processes",
	.executor = SC_PROCESSES,
	.unit = CC_UNIT_PROCESS,
	.summary = "one forked process per worker, results back through shared memory",
	.run = processes_run,
};
