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
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/scenario.h"

enum { P_TOUCH };

struct state {
	void *touched;
	size_t bytes;
};

static int setup(void *p, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)roles;
	struct state *s = p;
	s->bytes = (size_t)params[P_TOUCH];
	if (!s->bytes)
		return 0;
	s->touched = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->touched == MAP_FAILED) {
		int err = -errno;
		s->touched = NULL;
		snprintf(why, len, "touch=%zu: mapping: %s", s->bytes, strerror(errno));
		return err;
	}
	memset(s->touched, 1, s->bytes); /* resident: its page tables are what fork copies */
	return 0;
}

static void teardown(void *p, unsigned roles)
{
	(void)roles;
	struct state *s = p;
	if (s->touched)
		munmap(s->touched, s->bytes);
}

static int role(struct sc_role *r, char *why, size_t len)
{
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		pid_t pid = fork();
		if (pid == 0)
			_exit((int)(i & 0x7f));
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
		sc_tock(r, t);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != (int)(i & 0x7f)) {
			snprintf(why, len, "child %llu ended with status 0x%x", (unsigned long long)i, st);
			return -EPROTO;
		}
		r->out->checksum += cc_fold(i, (uint64_t)WEXITSTATUS(st));
	}
	return 0;
}

static int verify(const void *p, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)params;
	(void)p, (void)ops;
	if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
		return 0;
	snprintf(why, len, "a child is left unreaped");
	return -EPROTO;
}

static const struct sc_desc scenario = {
	.roles = 1,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "fork and reap",
	.setup = setup,
	.teardown = teardown,
	.role = role,
	.verify = verify,
};

static double op_ns(const int64_t *params) { return 150000 + (double)params[P_TOUCH] / 4096 * 40; }

const struct wl_desc sc_spawn_fork = {
	.name = "fork",
	.cls = WL_SPAWN,
	.summary = "fork a child that exits at once and reap it, the parent holding touch bytes: a process per task",
	.params = (const struct wl_param[]){{"touch", WL_BYTES, 0, 0, 1LL << 30, "resident bytes of the parent"}, {0}},
	.smoke = (const int64_t[]){0},
	.default_tasks = 500,
	.task_ns = op_ns,
	.sweep = "touch=0,1M,16M,256M",
	.scenario = &scenario,
};
