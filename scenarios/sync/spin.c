/*
 * sync/spin-tas and sync/spin-ticket: spinlocks in shared memory, never sleeping. spin-tas is
 * test-and-test-and-set with a pause (whoever sees it free first wins: fast, unfair); spin-ticket
 * serves roles in the order they arrived (fair, and every hand-over pays a cache-line transfer). A
 * spinning waiter burns its CPU: cpu_ns_per_op shows it. Never planned on one CPU, nor with more
 * roles than CPUs to spin on, where a waiter would spin out the holder's time slice.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "base/busy.h"
#include "lock.h"

static int init(void *lock, const int64_t *params, char *why, size_t len)
{
	(void)lock, (void)params, (void)why, (void)len;
	return 0; /* zeroed: free, ticket 0 served */
}

static int tas_acquire(void *lock)
{
	atomic_uint *l = lock;
	while (atomic_exchange_explicit(l, 1, memory_order_acquire))
		while (atomic_load_explicit(l, memory_order_relaxed))
			cc_relax();
	return 0;
}

static void tas_release(void *lock) { atomic_store_explicit((atomic_uint *)lock, 0, memory_order_release); }

struct ticket {
	atomic_uint next, serving;
};

static int ticket_acquire(void *lock)
{
	struct ticket *t = lock;
	unsigned mine = atomic_fetch_add_explicit(&t->next, 1, memory_order_relaxed);
	while (atomic_load_explicit(&t->serving, memory_order_acquire) != mine)
		cc_relax();
	return 0;
}

static void ticket_release(void *lock)
{
	struct ticket *t = lock;
	atomic_store_explicit(&t->serving, atomic_load_explicit(&t->serving, memory_order_relaxed) + 1,
			      memory_order_release);
}

static const struct lock_ops tas = {.init = init, .acquire = tas_acquire, .release = tas_release};
static const struct lock_ops ticket = {.init = init, .acquire = ticket_acquire, .release = ticket_release};
static const struct sc_desc tas_scenario = LOCK_SCENARIO(&tas, .spins = true);
static const struct sc_desc ticket_scenario = LOCK_SCENARIO(&ticket, .spins = true);

const struct wl_desc sc_sync_spin_tas = {
	.name = "spin-tas",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a test-and-test-and-set spinlock with pause taken by every role: fast, unfair, burns CPU",
	.params = LOCK_PARAMS,
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = LOCK_SWEEP,
	.scenario = &tas_scenario,
};

const struct wl_desc sc_sync_spin_ticket = {
	.name = "spin-ticket",
	.cls = WL_SYNC,
	.headline = "lock",
	.summary = "a ticket spinlock taken by every role: served in arrival order, fair, burns CPU",
	.params = LOCK_PARAMS,
	.default_tasks = LOCK_OPS,
	.task_ns = lock_op_ns,
	.sweep = LOCK_SWEEP,
	.scenario = &ticket_scenario,
};
