/*
 * spawn/posix-spawn: posix_spawn the tiny executable (scenarios/spawn/tiny) and reap it. glibc starts
 * the child sharing the parent's memory (clone with CLONE_VM, as vfork), so unlike spawn/exec its cost
 * should not grow with the parent's `touch` bytes: the sweep says whether it does here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

static pid_t start(uint64_t i, char *why, size_t len)
{
	const char *path = spawn_exit_path();
	char status[8], *argv[3], *const envp[] = {NULL};
	spawn_exit_argv(i, status, argv);
	pid_t pid;
	int rc = path ? posix_spawn(&pid, path, NULL, NULL, argv, envp) : ENOENT;
	if (!rc)
		return pid;
	snprintf(why, len, "posix_spawn %s: %s", path ? path : "concur-exit", strerror(rc));
	return -rc;
}

static int role(struct sc_role *r, char *why, size_t len) { return spawn_each(r, start, why, len); }

static const struct sc_desc scenario = SPAWN_SCENARIO("posix_spawn and reap", role, .plannable = spawn_exit_plannable);

static double op_ns(const int64_t *params)
{
	(void)params;
	return 300000;
}

const struct wl_desc sc_spawn_posix_spawn = {
	.name = "posix-spawn",
	.cls = WL_SPAWN,
	.headline = "spawn",
	.summary = "posix_spawn a tiny program and reap it, the parent holding touch bytes: no memory copied",
	.params = (const struct wl_param[]){SPAWN_TOUCH_PARAM, {0}},
	.smoke = (const int64_t[]){0},
	.default_tasks = 50,
	.task_ns = op_ns,
	.sweep = SPAWN_TOUCH_SWEEP,
	.scenario = &scenario,
};
