/*
 * spawn/fork: fork a child that exits at once and reap it, per operation (fork + _exit + waitpid):
 * what a process-per-task model pays per task. fork copies the parent's page tables, so its cost grows
 * with the parent's resident memory: `touch` bytes are mapped and written first, and a sweep of it
 * measures the growth. Every child's exit status is checked and every child is reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

static pid_t start(uint64_t i, char *why, size_t len)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit((int)(i & 0x7f));
	if (pid < 0) {
		pid = -errno;
		snprintf(why, len, "fork: %s", strerror(errno));
	}
	return pid;
}

static int role(struct sc_role *r, char *why, size_t len) { return spawn_each(r, start, why, len); }

static const struct sc_desc scenario = SPAWN_SCENARIO("fork and reap", role);

static double op_ns(const int64_t *params) { return 150000 + (double)params[0] / 4096 * 40; }

const struct wl_desc sc_spawn_fork = {
	.name = "fork",
	.cls = WL_SPAWN,
	.headline = "spawn",
	.summary = "fork a child that exits at once and reap it, the parent holding touch bytes: a process per task",
	.params = (const struct wl_param[]){SPAWN_TOUCH_PARAM, {0}},
	.smoke = (const int64_t[]){0},
	.default_tasks = 200,
	.task_ns = op_ns,
	.sweep = SPAWN_TOUCH_SWEEP,
	.scenario = &scenario,
};
