/* The MPMC ring and the doorbell; see ring.h. */
#include "pool/ring.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

size_t ring_bytes(size_t capacity) { return sizeof(struct ring) + capacity * sizeof(struct ring_cell); }

void ring_init(struct ring *r, size_t capacity)
{
	r->mask = capacity - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	for (size_t k = 0; k < capacity; k++)
		atomic_init(&r->cells[k].seq, k);
}

bool ring_push(struct ring *r, const struct pool_entry *e)
{
	size_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	for (;;) {
		struct ring_cell *c = &r->cells[pos & r->mask];
		size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		intptr_t diff = (intptr_t)seq - (intptr_t)pos;
		if (diff == 0) { /* the cell is free for position pos: claim it */
			if (atomic_compare_exchange_weak_explicit(&r->tail, &pos, pos + 1, memory_order_relaxed,
								  memory_order_relaxed)) {
				c->e = *e;
				atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
				return true;
			}
		} else if (diff < 0) {
			return false; /* a whole lap behind: full */
		} else {
			pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
		}
	}
}

bool ring_pop(struct ring *r, struct pool_entry *e)
{
	size_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	for (;;) {
		struct ring_cell *c = &r->cells[pos & r->mask];
		size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		intptr_t diff = (intptr_t)seq - (intptr_t)(pos + 1);
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(&r->head, &pos, pos + 1, memory_order_relaxed,
								  memory_order_relaxed)) {
				*e = c->e;
				/* free the cell for the push one lap later */
				atomic_store_explicit(&c->seq, pos + r->mask + 1, memory_order_release);
				return true;
			}
		} else if (diff < 0) {
			return false; /* not yet written: empty */
		} else {
			pos = atomic_load_explicit(&r->head, memory_order_relaxed);
		}
	}
}

bool ring_empty(struct ring *r)
{
	size_t head = atomic_load(&r->head);
	struct ring_cell *c = &r->cells[head & r->mask];
	return (intptr_t)atomic_load(&c->seq) - (intptr_t)(head + 1) < 0;
}

size_t pool_pow2(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

static long futex(atomic_uint *addr, int op, unsigned val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0); /* shared: rings may live across fork */
}

void bell_init(struct bell *b)
{
	atomic_init(&b->epoch, 0);
	atomic_init(&b->sleepers, 0);
}

void bell_ring(struct bell *b, bool all)
{
	/* Paired with bell_wait: either the waiter sees the new state before it sleeps, or we
	 * see it counted as a sleeper and wake it. The fence orders the caller's store of that
	 * state (often only a release store) before our load of sleepers: without it x86 may
	 * satisfy the load from before the store leaves the store buffer, both sides read the
	 * old values, and the waiter sleeps through its wake-up (a process-pool worker was seen
	 * to hang so in io/tcp). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&b->sleepers)) {
		atomic_fetch_add(&b->epoch, 1);
		futex(&b->epoch, FUTEX_WAKE, all ? INT_MAX : 1, NULL);
	}
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

bool bell_wait(struct bell *b, bool (*ready)(void *), void *arg, unsigned spin_ns, int timeout_ms,
	       struct wait_stats *st)
{
	if (ready(arg))
		return true;
	if (spin_ns) {
		/* Check after every pause (a pause is ~140 cycles on recent x86: checking less
		 * often would set the latency floor); read the clock every 64. After the first
		 * microsecond, yield at each clock read, so that a spinner never keeps the
		 * thread it waits for off a shared CPU. */
		int64_t begin = cc_now_ns(), until = begin + spin_ns;
		for (unsigned n = 1;; n++) {
			cpu_relax();
			if (ready(arg)) {
				if (st)
					atomic_fetch_add_explicit(&st->spun, 1, memory_order_relaxed);
				return true;
			}
			if ((n & 63) == 0) {
				int64_t t = cc_now_ns();
				if (t >= until)
					break;
				if (t - begin > 1000)
					sched_yield();
			}
		}
	}
	int64_t deadline = timeout_ms >= 0 ? cc_now_ns() + (int64_t)timeout_ms * 1000000 : 0;
	for (;;) {
		unsigned e = atomic_load(&b->epoch);
		atomic_fetch_add(&b->sleepers, 1);
		bool now = ready(arg);
		if (!now) {
			struct timespec ts, *tsp = NULL;
			if (timeout_ms >= 0) {
				int64_t left = deadline - cc_now_ns();
				if (left <= 0) {
					atomic_fetch_sub(&b->sleepers, 1);
					return false;
				}
				ts = (struct timespec){left / 1000000000, left % 1000000000};
				tsp = &ts;
			}
			futex(&b->epoch, FUTEX_WAIT, e, tsp);
			now = ready(arg);
		}
		atomic_fetch_sub(&b->sleepers, 1);
		if (st)
			atomic_fetch_add_explicit(&st->slept, 1, memory_order_relaxed);
		if (now)
			return true;
		if (timeout_ms >= 0 && cc_now_ns() >= deadline)
			return false;
	}
}
