/*
 * cpu/fault (tests only): does a little work per task, and at task `at`
 * misbehaves as `mode` says: 1 crashes (SIGSEGV), 2 hangs, 3 exits with status
 * 3, 4 returns a result that differs between processes (a wrong checksum), 5
 * needs 1 MiB of stack (fine on a thread's, an overflow on a small coroutine's).
 * With where=1 it misbehaves only inside a worker process of a model (not in
 * the cell process), so the serial reference run still succeeds.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "work/workload.h"

struct fault_ctx {
	int64_t mode, at, where;
};

static int fault_setup(const int64_t *params, void **ctx)
{
	struct fault_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -1;
	c->mode = params[0], c->at = params[1], c->where = params[2];
	*ctx = c;
	return 0;
}

static void fault_teardown(void *ctx) { free(ctx); }

static int deep(int n)
{
	volatile char frame[1024];
	frame[0] = (char)n;
	return n ? deep(n - 1) + frame[0] : 0;
}

static uint64_t fault_task(const void *p, uint64_t i)
{
	const struct fault_ctx *c = p;
	/* the runner makes every cell process a group leader; model workers are not, and MPI ranks (each
	 * a group of its own) know their rank from the launcher (Open MPI's variable, MPICH's) */
	bool in_worker_process = getpid() != getpgrp() || getenv("OMPI_COMM_WORLD_RANK") || getenv("PMI_RANK");
	if ((int64_t)i == c->at && (!c->where || in_worker_process)) {
		switch (c->mode) {
		case 1:
			raise(SIGSEGV);
			break;
		case 2:
			for (;;)
				pause();
		case 3:
			_exit(3);
		case 4:
			return (uint64_t)getpid();
		case 5:
			deep(1024);
			break;
		}
	}
	return i * 2654435761u;
}

static const struct wl_param fault_params[] = {
	{"mode", WL_INT, 0, 0, 5, "0 none, 1 crash, 2 hang, 3 exit(3), 4 wrong result, 5 1 MiB of stack"},
	{"at", WL_INT, 0, 0, 1 << 30, "the task that misbehaves"},
	{"where", WL_INT, 0, 0, 1, "0 anywhere, 1 only in a model's worker process"},
	{0},
};

const struct wl_desc wl_test_fault = {
	.name = "fault",
	.cls = WL_CPU,
	.summary = "test only: misbehaves at one task (crash, hang, exit, wrong result)",
	.params = fault_params,
	.default_tasks = 200,
	.setup = fault_setup,
	.teardown = fault_teardown,
	.task = fault_task,
};
