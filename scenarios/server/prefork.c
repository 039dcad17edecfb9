/*
 * server/prefork: `workers` processes forked up front, each blocking in accept on the one listener and
 * serving the connection it gets until the client closes it, then accepting again (Apache's prefork). A
 * process serves one connection at a time: a client that keeps more connections open than there are
 * processes waits for ever, so those points are not planned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "server.h"

static _Noreturn void child(struct srv_state *s, pid_t parent)
{
	char *buf = malloc(s->size);
	int rc = buf && cc_proc_child_init(parent) == 0 ? 0 : -ENOMEM;
	while (!rc) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			rc = srv_stopping(s) ? 1 : -errno; /* the listener shut down: done */
			break;
		}
		while ((rc = srv_serve_one(s, fd, buf)) == 1)
			;
		close(fd);
	}
	_exit(rc < 0 ? 1 : 0);
}

static int serve(struct srv_state *s, char *why, size_t len)
{
	int err = 0;
	unsigned started = 0;
	for (; started < s->workers; started++) {
		pid_t pid = fork();
		if (pid == 0)
			child(s, getppid());
		if (pid < 0) {
			err = -errno;
			snprintf(why, len, "forking worker %u of %u: %s", started + 1, s->workers, strerror(errno));
			srv_stop(s); /* the ones started end */
			break;
		}
	}
	for (unsigned k = 0; k < started; k++) {
		int st;
		pid_t pid;
		while ((pid = wait(&st)) < 0 && errno == EINTR)
			;
		if (pid < 0)
			break;
		if ((!WIFEXITED(st) || WEXITSTATUS(st)) && !err) {
			err = -EPROTO;
			snprintf(why, len, "worker process %d %s %d", (int)pid, WIFSIGNALED(st) ? "was killed by signal" : "exited with",
				 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
	}
	return err;
}

static int plannable(const int64_t *params, char *why, size_t len)
{
	if (params[SRV_CONNS] <= params[SRV_WORKERS])
		return 0;
	snprintf(why, len, "conns=%lld > workers=%lld: a process serves one connection at a time, and the generator keeps "
			   "all of them open", (long long)params[SRV_CONNS], (long long)params[SRV_WORKERS]);
	return -EINVAL;
}

static const struct srv_model model = {.serve = serve, .plannable = plannable};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_prefork, "prefork", "workers processes forked up front, each blocking in accept and serving one "
	 "connection at a time", scenario);
