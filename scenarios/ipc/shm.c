/*
 * ipc/shm-spin and ipc/shm-futex: checked messages of `size` bytes through two single-producer,
 * single-consumer byte rings in shared memory (64 KiB each way), there and back or streamed. The only
 * difference is how a role waits for data or room: shm-spin busy-waits (the lowest latency, a whole CPU
 * burnt per waiting role, which cpu_ns_per_op shows: ipc-bench's complaint about its own shm figures;
 * planned only across CPUs), shm-futex sleeps in futex_wait and is woken by the other role only when
 * it sleeps. Both copy a message in and out, as a pipe does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/busy.h"
#include "channel.h"

enum { RING = 64 << 10 };

struct ring {
	_Alignas(64) _Atomic uint32_t head; /* bytes written, mod 2^32: the producer's */
	_Atomic uint32_t head_waiter;       /* the consumer sleeps (futex) until head moves */
	_Alignas(64) _Atomic uint32_t tail; /* bytes read: the consumer's */
	_Atomic uint32_t tail_waiter;       /* the producer sleeps until tail moves */
	_Alignas(64) unsigned char buf[RING];
};

static struct ring *ring_of(struct ipc_state *s, int d) { return (struct ring *)s->mem + d; }

static int open_rings(struct ipc_state *s, size_t size, char *why, size_t len)
{
	(void)size;
	s->mem_bytes = 2 * sizeof(struct ring);
	void *m = mmap(NULL, s->mem_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		int err = -errno;
		snprintf(why, len, "mapping %zu bytes of rings: %s", s->mem_bytes, strerror(errno));
		return err;
	}
	s->mem = m;
	return 0;
}

/* Waits until *word is no longer seen; -1 with errno ECANCELED once the scenario is stopped. */
static int wait_move(struct ipc_state *s, _Atomic uint32_t *word, _Atomic uint32_t *waiter, uint32_t seen, bool spin)
{
	while (atomic_load_explicit(word, memory_order_acquire) == seen) {
		if (atomic_load_explicit(&s->stopped, memory_order_relaxed)) {
			errno = ECANCELED;
			return -1;
		}
		if (spin) {
			cc_relax();
			continue;
		}
		atomic_store(waiter, 1); /* then look again: a move between is seen, or its mover sees the waiter */
		if (atomic_load(word) == seen)
			syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0);
	}
	return 0;
}

static void moved(_Atomic uint32_t *word, _Atomic uint32_t *waiter, bool spin)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (!spin && atomic_exchange(waiter, 0))
		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static ssize_t ring_send(struct ipc_state *s, int d, const void *m, size_t n, bool spin)
{
	struct ring *r = ring_of(s, d);
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed), t;
	while ((t = atomic_load_explicit(&r->tail, memory_order_acquire)) + RING == h)
		if (wait_move(s, &r->tail, &r->tail_waiter, t, spin) < 0)
			return -1;
	size_t room = RING - (h - t), at = h % RING;
	n = n < room ? n : room;
	size_t first = n < RING - at ? n : RING - at;
	memcpy(r->buf + at, m, first);
	memcpy(r->buf, (const char *)m + first, n - first);
	atomic_store_explicit(&r->head, h + (uint32_t)n, memory_order_release);
	moved(&r->head, &r->head_waiter, spin);
	return (ssize_t)n;
}

static ssize_t ring_recv(struct ipc_state *s, int d, void *m, size_t n, bool spin)
{
	struct ring *r = ring_of(s, d);
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed), h;
	while ((h = atomic_load_explicit(&r->head, memory_order_acquire)) == t)
		if (wait_move(s, &r->head, &r->head_waiter, h, spin) < 0)
			return -1;
	size_t have = h - t, at = t % RING;
	n = n < have ? n : have;
	size_t first = n < RING - at ? n : RING - at;
	memcpy(m, r->buf + at, first);
	memcpy((char *)m + first, r->buf, n - first);
	atomic_store_explicit(&r->tail, t + (uint32_t)n, memory_order_release);
	moved(&r->tail, &r->tail_waiter, spin);
	return (ssize_t)n;
}

static ssize_t send_spin(struct ipc_state *s, int d, const void *m, size_t n) { return ring_send(s, d, m, n, true); }
static ssize_t recv_spin(struct ipc_state *s, int d, void *m, size_t n) { return ring_recv(s, d, m, n, true); }
static ssize_t send_futex(struct ipc_state *s, int d, const void *m, size_t n) { return ring_send(s, d, m, n, false); }
static ssize_t recv_futex(struct ipc_state *s, int d, void *m, size_t n) { return ring_recv(s, d, m, n, false); }

/* `stopped` is set: spinners see it; sleepers are woken to see it. */
static void wake(struct ipc_state *s)
{
	for (int d = 0; d < 2 && s->mem; d++) {
		struct ring *r = ring_of(s, d);
		syscall(SYS_futex, &r->head, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
		syscall(SYS_futex, &r->tail, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	}
}

static const struct ipc_chan spin = {.open = open_rings, .send = send_spin, .recv = recv_spin, .wake = wake};
static const struct ipc_chan futex = {.open = open_rings, .send = send_futex, .recv = recv_futex, .wake = wake};
static const struct sc_desc spin_scenario = IPC_SCENARIO(&spin, IPC_THREADS_PROCESSES, .spins = true);
static const struct sc_desc futex_scenario = IPC_SCENARIO(&futex, IPC_THREADS_PROCESSES);

const struct wl_desc sc_ipc_shm_spin = {
	.name = "shm-spin",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes through shared-memory rings, waiting by spinning: latency (stream=0) "
		   "or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &spin_scenario,
};

const struct wl_desc sc_ipc_shm_futex = {
	.name = "shm-futex",
	.cls = WL_IPC,
	.headline = "ipc",
	.summary = "checked messages of size bytes through shared-memory rings, waiting in futex_wait: latency "
		   "(stream=0) or bandwidth (1)",
	.params = IPC_PARAMS,
	.default_tasks = IPC_OPS,
	.task_ns = ipc_op_ns,
	.sweep = IPC_SWEEP,
	.scenario = &futex_scenario,
};
