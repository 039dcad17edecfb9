/* What the spawn/ scenarios share: the parent's resident memory they are measured against, reaping a
 * child with its status checked, the check that none is left, and the tiny executable. */
#ifndef CONCUR_SPAWN_H
#define CONCUR_SPAWN_H

#include <sys/types.h>

#include "work/scenario.h"

/* The parent holds this many resident bytes (its page tables are what fork copies). */
#define SPAWN_TOUCH_PARAM {"touch", WL_BYTES, 0, 0, 1LL << 30, "resident bytes of the parent"}
#define SPAWN_TOUCH_SWEEP "touch=0,1M,16M,256M"

struct spawn_touch {
	void *mem;
	size_t bytes;
};

/* Maps and writes `bytes` (the scenario's state begins with a struct spawn_touch). */
int spawn_touch_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len);
void spawn_touch_teardown(void *state, unsigned roles);

/* Reaps child pid (its number i, expected to exit with i & 0x7f) and folds its status into *sum. 0, or
 * -errno / -EPROTO with why. */
int spawn_reap(pid_t pid, uint64_t i, uint64_t *sum, char *why, size_t len);
/* The loop of the scenarios that start a child per operation: start child i (its pid, or -errno with
 * why), reap it, count it. 0, or -errno with why. */
int spawn_each(struct sc_role *r, pid_t (*start)(uint64_t i, char *why, size_t len), char *why, size_t len);
/* The arguments that make the tiny executable exit with i & 0x7f: argv[1] points into status. */
void spawn_exit_argv(uint64_t i, char status[8], char *argv[3]);
/* The verify hook of them all: no child of this process is left unreaped. */
int spawn_none_left(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len);

/* The descriptor of a scenario that starts a child per operation (spawn_each with its role), the
 * parent holding `touch` bytes: op says what one operation is, the rest (.plannable) follows. */
#define SPAWN_SCENARIO(op_, role_, ...)                                                                    \
	{                                                                                                  \
		.roles = 1, .executors = SC_THREADS | SC_PROCESSES, .state_bytes = sizeof(struct spawn_touch), \
		.op = (op_), .setup = spawn_touch_setup, .teardown = spawn_touch_teardown, .role = (role_),  \
		.verify = spawn_none_left, __VA_ARGS__                                                     \
	}

/* The tiny executable (scenarios/spawn/tiny): beside the running program (an installed concur), else
 * where the build made it; NULL when neither exists. */
const char *spawn_exit_path(void);
/* The plannable hook of the scenarios that start it. */
int spawn_exit_plannable(const void *impl, const int64_t *params, char *why, size_t len);

#endif
