/*
 * sync/futex-lock: concur's own lock on one futex word, spin then park, the design point that anchors
 * the field (WebKit's WTF::Lock, Drepper's "Futexes Are Tricky" mutex 3): 0 free, 1 held, 2 held with
 * sleepers. An acquirer spins a while (the holder is likely to let go soon), then marks the lock
 * contended and sleeps in futex_wait; a release wakes one sleeper only if the word says there are any.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/busy.h"
#include "lock.h"

enum { FREE, HELD, CONTENDED, SPINS = 100 };

static int init(void *lock, const int64_t *params, char *why, size_t len)
{
	(void)lock, (void)params, (void)why, (void)len;
	return 0; /* zeroed: free */
}

static int acquire(void *lock)
{
	atomic_uint *w = lock;
	unsigned expect = FREE;
	for (int k = 0; k < SPINS; k++) {
		expect = FREE;
		if (atomic_compare_exchange_weak_explicit(w, &expect, HELD, memory_order_acquire, memory_order_relaxed))
			return 0;
		cc_relax();
	}
	/* contended from now: whoever holds it must wake someone on release */
	while (atomic_exchange_explicit(w, CONTENDED, memory_order_acquire) != FREE)
		if (syscall(SYS_futex, w, FUTEX_WAIT, CONTENDED, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR)
			return errno;
	return 0;
}

static void release(void *lock)
{
	atomic_uint *w = lock;
	if (atomic_exchange_explicit(w, FREE, memory_order_release) == CONTENDED)
		syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static const struct lock_ops ops = {.init = init, .acquire = acquire, .release = release};
static const struct sc_desc scenario = LOCK_SCENARIO(&ops);

const struct wl_desc sc_sync_futex_lock = {
	.name = "futex-lock",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "concur's own futex lock, spin then park (WebKit's design) taken by every role",
	.params = LOCK_PARAMS,
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = LOCK_SWEEP,
	.scenario = &scenario,
};
