/*
 * spawn/vfork: vfork a child that exits at once and reap it (vfork + _exit + waitpid). The child
 * borrows the parent's memory until it exits, so nothing is copied: against spawn/fork, at the same
 * `touch`, this is what the page-table copy costs. (Only _exit may follow vfork; a program would exec.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

/* The child exits inside this frame, never returning through it: the caller's variables stay the
 * parent's alone. */
__attribute__((noinline)) static pid_t vfork_exiting(int status)
{
	pid_t pid = vfork();
	if (pid == 0)
		_exit(status);
	return pid;
}

static pid_t start(uint64_t i, char *why, size_t len)
{
	pid_t pid = vfork_exiting((int)(i & 0x7f));
	if (pid < 0) {
		pid = -errno;
		snprintf(why, len, "vfork: %s", strerror(errno));
	}
	return pid;
}

static int role(struct sc_role *r, char *why, size_t len) { return spawn_each(r, start, why, len); }

static const struct sc_desc scenario = SPAWN_SCENARIO("vfork and reap", role);

static double op_ns(const int64_t *params)
{
	(void)params;
	return 60000;
}

const struct wl_desc sc_spawn_vfork = {
	.name = "vfork",
	.cls = WL_SPAWN,
	.headline = "spawn",
	.summary = "vfork a child that exits at once and reap it, the parent holding touch bytes: no memory copied",
	.params = (const struct wl_param[]){SPAWN_TOUCH_PARAM, {0}},
	.smoke = (const int64_t[]){0},
	.default_tasks = 500,
	.task_ns = op_ns,
	.sweep = SPAWN_TOUCH_SWEEP,
	.scenario = &scenario,
};
