/*
 * spawn/exec: fork, then execve the tiny executable (scenarios/spawn/tiny), and reap it: how the
 * notes' subprocess starts a program, the fork's page-table copy (it grows with `touch`) and the new
 * program's start both paid. Compare spawn/posix-spawn, which starts the same program without the
 * copy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

static pid_t start(uint64_t i, char *why, size_t len)
{
	const char *path = spawn_exit_path();
	char status[8], *argv[3], *const envp[] = {NULL};
	spawn_exit_argv(i, status, argv);
	if (!path) {
		snprintf(why, len, "the tiny executable concur-exit is missing");
		return -ENOENT;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	if (pid < 0) {
		pid = -errno;
		snprintf(why, len, "fork: %s", strerror(errno));
	}
	return pid;
}

static int role(struct sc_role *r, char *why, size_t len) { return spawn_each(r, start, why, len); }

static const struct sc_desc scenario = SPAWN_SCENARIO("fork, exec and reap", role, .plannable = spawn_exit_plannable);

static double op_ns(const int64_t *params) { return 400000 + (double)params[0] / 4096 * 40; }

const struct wl_desc sc_spawn_exec = {
	.name = "exec",
	.cls = WL_SPAWN,
	.headline = "spawn",
	.summary = "fork and exec a tiny program and reap it, the parent holding touch bytes: subprocess's way",
	.params = (const struct wl_param[]){SPAWN_TOUCH_PARAM, {0}},
	.smoke = (const int64_t[]){0},
	.default_tasks = 50,
	.task_ns = op_ns,
	.sweep = SPAWN_TOUCH_SWEEP,
	.scenario = &scenario,
};
