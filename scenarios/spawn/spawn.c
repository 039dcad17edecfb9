/* What the spawn/ scenarios share: see spawn.h. */
#define _GNU_SOURCE
#include "spawn.h"
#include "base/proc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int spawn_touch_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)roles;
	struct spawn_touch *s = state;
	s->bytes = (size_t)params[0];
	if (!s->bytes)
		return 0;
	s->mem = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->mem == MAP_FAILED) {
		int err = -errno;
		s->mem = NULL;
		snprintf(why, len, "touch=%zu: mapping: %s", s->bytes, strerror(errno));
		return err;
	}
	memset(s->mem, 1, s->bytes); /* resident */
	return 0;
}

void spawn_touch_teardown(void *state, unsigned roles)
{
	(void)roles;
	struct spawn_touch *s = state;
	if (s->mem)
		munmap(s->mem, s->bytes);
}

int spawn_reap(pid_t pid, uint64_t i, uint64_t *sum, char *why, size_t len)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			int err = -errno;
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return err;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != (int)(i & 0x7f)) {
		snprintf(why, len, "child %llu ended with status 0x%x", (unsigned long long)i, st);
		return -EPROTO;
	}
	*sum += cc_fold(i, (uint64_t)WEXITSTATUS(st));
	return 0;
}

int spawn_each(struct sc_role *r, pid_t (*start)(uint64_t i, char *why, size_t len), char *why, size_t len)
{
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		pid_t pid = start(i, why, len);
		int err = pid < 0 ? pid : spawn_reap(pid, i, &r->out->checksum, why, len);
		if (err)
			return err;
		sc_tock(r, t);
	}
	return 0;
}

void spawn_exit_argv(uint64_t i, char status[8], char *argv[3])
{
	snprintf(status, 8, "%d", (int)(i & 0x7f));
	argv[0] = (char *)"concur-exit";
	argv[1] = status;
	argv[2] = NULL;
}

int spawn_none_left(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)state, (void)params, (void)ops;
	if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
		return 0;
	snprintf(why, len, "a child is left unreaped");
	return -EPROTO;
}

const char *spawn_exit_path(void)
{
	static char beside[PATH_MAX];
	if (cc_beside_exe("concur-exit", X_OK, beside, sizeof(beside))) /* installed, or the build's */
		return beside;
	return access(CONCUR_EXIT_PATH, X_OK) == 0 ? CONCUR_EXIT_PATH : NULL;
}

int spawn_exit_plannable(const void *impl, const int64_t *params, char *why, size_t len)
{
	(void)impl, (void)params;
	if (spawn_exit_path())
		return 0;
	snprintf(why, len, "the tiny executable concur-exit is neither beside this program nor at %s", CONCUR_EXIT_PATH);
	return -EINVAL;
}
