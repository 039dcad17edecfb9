/*
 * ipc/broken: a test scenario whose channel corrupts data on purpose. Two roles pass tokens over a
 * socketpair like ipc/socketpair, but the second role sends back token `bad_at` changed (bad_at = 0:
 * never), so the first must catch it and the cell fail with the reason while the run goes on.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "work/scenario.h"

enum { P_BAD_AT, P_CRASH_AT };

struct state {
	int fd[2]; /* first: the pair hooks' */
	pid_t role0; /* so that only a role of its own process is killed, never the cell */
};

static int pair_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)params, (void)roles;
	int *fd = state;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0)
		return 0;
	int err = -errno;
	snprintf(why, len, "socketpair: %s", strerror(errno));
	fd[0] = fd[1] = -1;
	return err;
}

static void pair_stop(void *state)
{
	int *fd = state;
	shutdown(fd[0], SHUT_RDWR);
	shutdown(fd[1], SHUT_RDWR);
}

static void pair_teardown(void *state, unsigned roles)
{
	(void)roles;
	int *fd = state;
	for (int k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	int fd = s->fd[r->role];
	uint64_t bad_at = (uint64_t)r->params[P_BAD_AT];
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		uint64_t v = i;
		if (r->role == 1 && (read(fd, &v, sizeof(v)) != sizeof(v) || v != i)) {
			snprintf(why, len, "token %llu lost", (unsigned long long)i);
			return -EPROTO;
		}
		if (r->role == 1 && bad_at && i == bad_at)
			v ^= 0x100; /* the corruption */
		if (r->role == 0 && i == 0)
			s->role0 = getpid();
		if (r->role == 1 && r->params[P_CRASH_AT] && i == (uint64_t)r->params[P_CRASH_AT] && getpid() != s->role0)
			raise(SIGKILL); /* the other role waits for a reply that never comes */
		if (write(fd, &v, sizeof(v)) != sizeof(v)) {
			snprintf(why, len, "write: %s", strerror(errno));
			return -EIO;
		}
		if (r->role == 0) {
			if (read(fd, &v, sizeof(v)) != sizeof(v)) {
				snprintf(why, len, "token %llu never came back", (unsigned long long)i);
				return -EPROTO;
			}
			if (v != i) {
				snprintf(why, len, "token %llu came back as %llu", (unsigned long long)i, (unsigned long long)v);
				return -EPROTO;
			}
			r->out->checksum += cc_fold(i, v);
		}
		sc_tock(r, t);
	}
	if (r->role == 0)
		shutdown(fd, SHUT_WR); /* the other role, if still waiting, sees the end */
	return 0;
}

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "round trip",
	.setup = pair_setup,
	.teardown = pair_teardown,
	.role = role,
	.stop = pair_stop,
};

const struct wl_desc wl_test_broken = {
	.name = "broken",
	.cls = WL_IPC,
	.summary = "(test) a socketpair channel that corrupts token bad_at on its way back",
	.params = (const struct wl_param[]){{"bad_at", WL_INT, 7, 0, 1 << 20, "the token corrupted (0: none)"},
					     {"crash_at", WL_INT, 0, 0, 1 << 20, "role 1 is killed at this token (0: never)"},
					     {0}},
	.smoke = (const int64_t[]){2, 0}, /* the smoke suite's few operations reach it */
	.default_tasks = 100,
	.scenario = &scenario,
};
