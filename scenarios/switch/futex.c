/*
 * switch/futex: two roles hand a turn back and forth through one word of shared memory, each
 * sleeping in futex_wait until the other wakes it (perf bench futex's wake/wait, the primitive under
 * every mutex and condition variable). One operation is a round trip. Works the same between threads
 * and between processes: the word lives in the shared state, so the futex is not process-private.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "work/scenario.h"

struct state {
	_Atomic uint32_t turn; /* 2i: role 0's turn in round i; 2i+1: role 1's (mod 2^32) */
	atomic_bool stopped;   /* a role failed: the others give up */
};

static int wait_turn(struct state *s, uint32_t want, char *why, size_t len)
{
	for (;;) {
		uint32_t now = atomic_load_explicit(&s->turn, memory_order_acquire);
		if (now == want)
			return 0;
		if (atomic_load(&s->stopped)) {
			snprintf(why, len, "stopped: the other role failed");
			return -ECANCELED;
		}
		if (now != want - 1) { /* only the other role's turn may stand between */
			snprintf(why, len, "turn %u found where %u or %u was due", now, want - 1, want);
			return -EPROTO;
		}
		if (syscall(SYS_futex, &s->turn, FUTEX_WAIT, now, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR) {
			int err = -errno;
			snprintf(why, len, "futex wait: %s", strerror(errno));
			return err;
		}
	}
}

static void give_turn(struct state *s, uint32_t next)
{
	atomic_store_explicit(&s->turn, next, memory_order_release);
	syscall(SYS_futex, &s->turn, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	for (uint64_t i = 0; i < r->ops; i++) {
		uint32_t mine = (uint32_t)(2 * i + r->role);
		int64_t t = sc_tick(r, i);
		int err = wait_turn(s, mine, why, len);
		if (err)
			return err;
		give_turn(s, mine + 1);
		if (r->role == 0 && (err = wait_turn(s, mine + 2, why, len))) /* the round trip ends when it is back */
			return err;
		sc_tock(r, t);
		r->out->checksum += cc_fold(i, mine);
	}
	return 0;
}

static int verify(const void *p, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)params;
	const struct state *s = p;
	if (atomic_load(&s->turn) == (uint32_t)(2 * ops)) /* every turn taken, none skipped */
		return 0;
	snprintf(why, len, "the turn ended at %u, not %llu", atomic_load(&s->turn), (unsigned long long)(2 * ops));
	return -EPROTO;
}

/* Stopped, and the word changed so that a waiter's futex_wait returns: every waiter wakes and gives up. */
static void stop(void *p)
{
	struct state *s = p;
	atomic_store(&s->stopped, true);
	atomic_fetch_add(&s->turn, 1u << 31);
	syscall(SYS_futex, &s->turn, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static const struct sc_desc scenario = {
	.roles = 2,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "round trip",
	.role = role,
	.stop = stop,
	.verify = verify,
};

const struct wl_desc sc_switch_futex = {
	.name = "futex",
	.cls = WL_SWITCH,
	.summary = "a turn handed back and forth by futex wait and wake on a shared word: the cost under every lock",
	.params = (const struct wl_param[]){{0}},
	.default_tasks = 1000,
	.task_ns = sc_round_trip_ns,
	.scenario = &scenario,
};
