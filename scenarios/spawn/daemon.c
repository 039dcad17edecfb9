/*
 * spawn/daemon: start a daemon and reap it, per operation: fork, the child calls setsid (a session and
 * process group of its own, no controlling terminal) and forks the daemon, then exits; the daemon
 * (which exits at once here) is orphaned, and the role, a child subreaper (PR_SET_CHILD_SUBREAPER),
 * inherits and reaps it. Both exit statuses are checked: no daemon escapes, none is left a zombie.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

static int daemonize_and_reap(uint64_t i, uint64_t *sum, char *why, size_t len)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setsid() < 0)
			_exit(126);
		pid_t d = fork();
		_exit(d < 0 ? 125 : d == 0 ? (int)(i & 0x7f) : 0); /* the daemon's status, or its parent's 0 */
	}
	if (pid < 0) {
		int err = -errno;
		snprintf(why, len, "fork: %s", strerror(errno));
		return err;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			int err = -errno;
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return err;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(why, len, "the daemon's parent %llu ended with status 0x%x (126: setsid, 125: fork failed)",
			 (unsigned long long)i, st);
		return -EPROTO;
	}
	pid_t d = waitpid(-1, &st, 0); /* the orphan, now ours */
	while (d < 0 && errno == EINTR)
		d = waitpid(-1, &st, 0);
	if (d < 0) {
		int err = -errno;
		snprintf(why, len, "daemon %llu was not reparented here: waitpid: %s", (unsigned long long)i, strerror(errno));
		return err;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != (int)(i & 0x7f)) {
		snprintf(why, len, "daemon %llu ended with status 0x%x", (unsigned long long)i, st);
		return -EPROTO;
	}
	*sum += cc_fold(i, (uint64_t)WEXITSTATUS(st));
	return 0;
}

static int role(struct sc_role *r, char *why, size_t len)
{
	int was = 0, err = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &was);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		err = -errno;
		snprintf(why, len, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		return err;
	}
	for (uint64_t i = 0; i < r->ops && !err; i++) {
		int64_t t = sc_tick(r, i);
		if (!(err = daemonize_and_reap(i, &r->out->checksum, why, len)))
			sc_tock(r, t);
	}
	prctl(PR_SET_CHILD_SUBREAPER, was);
	return err;
}

static const struct sc_desc scenario = {
	.roles = 1,
	.executors = SC_THREADS | SC_PROCESSES,
	.op = "daemonize and reap (fork, setsid, fork)",
	.role = role,
	.verify = spawn_none_left,
};

static double op_ns(const int64_t *params)
{
	(void)params;
	return 300000;
}

const struct wl_desc sc_spawn_daemon = {
	.name = "daemon",
	.cls = WL_SPAWN,
	.summary = "start a daemon (fork, setsid, fork) and reap it as the subreaper it is orphaned to",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 50,
	.task_ns = op_ns,
	.scenario = &scenario,
};
