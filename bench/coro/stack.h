/*
 * Coroutine stacks: mmap'd (so committed page by page as they are touched),
 * a guard page below each, handed out from a per-scheduler pool.
 *
 * Stacks are carved from slabs of CORO_SLAB stacks so that 100,000 coroutines
 * stay far below the kernel's limit on mappings (vm.max_map_count, 65,530 by
 * default). The guard is installed with MADV_GUARD_INSTALL where the kernel has
 * it (6.13+), which adds no mapping; otherwise with mprotect, which splits the
 * slab into two mappings per stack and can meet that limit.
 *
 * A freed stack goes back to the pool with its touched pages still committed:
 * reuse then costs nothing. Memory returns to the system when the pool is
 * destroyed.
 */
#ifndef CONCUR_CORO_STACK_H
#define CONCUR_CORO_STACK_H

#include <stddef.h>

#define CORO_STACK_DEFAULT (64 * 1024)
#define CORO_STACK_MIN (16 * 1024) /* a signal handler runs on the interrupted stack: leave it room */
#define CORO_STACK_MAX (64 * 1024 * 1024)
#define CORO_SLAB 64

enum coro_guard { CORO_GUARD_MADVISE, CORO_GUARD_MPROTECT };

struct coro_stack_slab;

struct coro_stacks {
	size_t size;  /* usable bytes per stack, a multiple of the page size */
	size_t guard; /* bytes of guard below each */
	enum coro_guard guard_kind;
	void **free;  /* stacks ready for reuse (their low end) */
	size_t nfree, cap;
	struct coro_stack_slab *slabs;
	size_t allocated; /* stacks carved so far */
};

/* size: bytes asked for (rounded up to pages); 0, or -EINVAL if out of [MIN, MAX]. */
int coro_stacks_init(struct coro_stacks *s, size_t size);
/* The low end of a stack of s->size bytes; NULL with errno set if memory ran out. */
void *coro_stack_get(struct coro_stacks *s);
void coro_stack_put(struct coro_stacks *s, void *stack);
void coro_stacks_destroy(struct coro_stacks *s);
const char *coro_guard_name(enum coro_guard g);
/* How guards will be installed on this kernel. */
enum coro_guard coro_guard_probe(void);

/*
 * Overflow reporting. Each thread that runs coroutines calls
 * coro_guard_thread_init, which gives it an alternate signal stack and
 * registers running(arg): the low end of the stack of the coroutine running
 * on this thread, or NULL. A fault in the guard page below it then prints a
 * clear message (and copies it to the buffer given to coro_guard_report_to)
 * before the process dies of SIGSEGV as it would have. Nothing is done per
 * switch: the handler asks only when a fault happens.
 */
int coro_guard_thread_init(void *(*running)(void *arg), void *arg, size_t size, size_t guard);
void coro_guard_thread_fini(void);
void coro_guard_report_to(char *buf, size_t len);

#endif
