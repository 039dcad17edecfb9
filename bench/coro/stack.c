/* Coroutine stacks and overflow reporting; see stack.h. */
#define _GNU_SOURCE
#include "coro/stack.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13 */
#endif

struct coro_stack_slab {
	void *base;
	size_t len;
	struct coro_stack_slab *next;
};

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

const char *coro_guard_name(enum coro_guard g) { return g == CORO_GUARD_MADVISE ? "madvise" : "mprotect"; }

enum coro_guard coro_guard_probe(void)
{
	size_t pg = page_size();
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return CORO_GUARD_MPROTECT;
	enum coro_guard g = madvise(p, pg, MADV_GUARD_INSTALL) == 0 ? CORO_GUARD_MADVISE : CORO_GUARD_MPROTECT;
	munmap(p, 2 * pg);
	return g;
}

int coro_stacks_init(struct coro_stacks *s, size_t size)
{
	size_t pg = page_size();
	if (size < CORO_STACK_MIN || size > CORO_STACK_MAX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->size = (size + pg - 1) & ~(pg - 1);
	s->guard = pg;
	s->guard_kind = CORO_GUARD_MADVISE;
	return 0;
}

static int guard_install(struct coro_stacks *s, char *at)
{
	if (s->guard_kind == CORO_GUARD_MADVISE) {
		if (madvise(at, s->guard, MADV_GUARD_INSTALL) == 0)
			return 0;
		if (errno != EINVAL)
			return -errno;
		s->guard_kind = CORO_GUARD_MPROTECT; /* an older kernel: from now on, for every stack */
	}
	return mprotect(at, s->guard, PROT_NONE) == 0 ? 0 : -errno;
}

static int slab_add(struct coro_stacks *s)
{
	size_t slot = s->guard + s->size, len = slot * CORO_SLAB;
	struct coro_stack_slab *slab = malloc(sizeof(*slab));
	void **grown = realloc(s->free, (s->cap + CORO_SLAB) * sizeof(void *));
	if (!slab || !grown) {
		free(slab);
		return -ENOMEM;
	}
	s->free = grown;
	char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
			  -1, 0);
	if (base == MAP_FAILED) {
		free(slab);
		return -errno;
	}
	for (unsigned k = 0; k < CORO_SLAB; k++) {
		int err = guard_install(s, base + k * slot);
		if (err) {
			munmap(base, len);
			free(slab);
			return err;
		}
	}
	*slab = (struct coro_stack_slab){base, len, s->slabs};
	s->slabs = slab;
	s->cap += CORO_SLAB;
	for (unsigned k = CORO_SLAB; k-- > 0;) /* handed out lowest address first */
		s->free[s->nfree++] = base + k * slot + s->guard;
	s->allocated += CORO_SLAB;
	return 0;
}

void *coro_stack_get(struct coro_stacks *s)
{
	if (!s->nfree) {
		int err = slab_add(s);
		if (err) {
			errno = -err;
			return NULL;
		}
	}
	return s->free[--s->nfree];
}

void coro_stack_put(struct coro_stacks *s, void *stack) { s->free[s->nfree++] = stack; }

void coro_stacks_destroy(struct coro_stacks *s)
{
	while (s->slabs) {
		struct coro_stack_slab *next = s->slabs->next;
		munmap(s->slabs->base, s->slabs->len);
		free(s->slabs);
		s->slabs = next;
	}
	free(s->free);
	memset(s, 0, sizeof(*s));
}

/* ---- overflow reporting ---- */

static __thread struct {
	void *(*stack)(void *arg); /* the running coroutine's stack, or NULL */
	void *arg;
	size_t size, guard;
	void *altstack;
	unsigned users; /* schedulers alive on this thread: the alternate stack goes with the last */
} running;

#define ALTSTACK (64 * 1024) /* where the SIGSEGV handler runs: the faulting stack is full */

static struct sigaction previous;
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static char *report_buf;
static size_t report_len;

void coro_guard_report_to(char *buf, size_t len)
{
	report_buf = buf;
	report_len = len;
}

/* Appends s to buf at *at; async-signal-safe. */
static void put(char *buf, size_t len, size_t *at, const char *s)
{
	while (*s && *at + 1 < len)
		buf[(*at)++] = *s++;
	buf[*at] = 0;
}

static void put_num(char *buf, size_t len, size_t *at, size_t v)
{
	char d[24];
	int n = 0;
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 23);
	char s[24];
	for (int k = 0; k < n; k++)
		s[k] = d[n - 1 - k];
	s[n] = 0;
	put(buf, len, at, s);
}

/* Ends the process as SIGSEGV's default action would (a core dump if enabled). */
static void die_of_segv(void)
{
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV); /* delivered at once: SA_NODEFER left it unblocked */
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, lo = running.stack ? (uintptr_t)running.stack(running.arg) : 0;
	if (lo && a < lo && a >= lo - running.guard) {
		char msg[200];
		size_t at = 0;
		put(msg, sizeof(msg), &at, "coroutine stack overflow: a coroutine needed more than its ");
		put_num(msg, sizeof(msg), &at, running.size / 1024);
		put(msg, sizeof(msg), &at, " KiB stack and hit the guard page (raise --coro-stack)");
		if (report_buf) {
			size_t r = 0;
			put(report_buf, report_len, &r, msg);
		}
		put(msg, sizeof(msg), &at, "\n");
		ssize_t w = write(STDERR_FILENO, "concur: ", 8);
		w = write(STDERR_FILENO, msg, at);
		(void)w;
		die_of_segv();
	}
	if (previous.sa_flags & SA_SIGINFO)
		previous.sa_sigaction(sig, si, uc);
	else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)
		previous.sa_handler(sig);
	else
		die_of_segv(); /* a fault, or a SIGSEGV sent with kill or raise, that is not ours */
}

/* (Re)installs the handler unless it is in place: other code (a test framework, say) may have
 * replaced it since; whatever is there is chained to for faults that are not ours. */
static void install_handler(void)
{
	struct sigaction cur, sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
	sigemptyset(&sa.sa_mask);
	pthread_mutex_lock(&handler_lock);
	if (sigaction(SIGSEGV, NULL, &cur) == 0 && !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_segv)) {
		previous = cur;
		sigaction(SIGSEGV, &sa, NULL);
	}
	pthread_mutex_unlock(&handler_lock);
}

int coro_guard_thread_init(void *(*stack)(void *arg), void *arg, size_t size, size_t guard)
{
	install_handler();
	running.stack = stack, running.arg = arg, running.size = size, running.guard = guard;
	stack_t cur;
	if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) {
		running.users++;
		return 0; /* the thread has one already (ours, or a sanitizer's) */
	}
	void *p = mmap(NULL, ALTSTACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	stack_t ss = {.ss_sp = p, .ss_size = ALTSTACK, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) < 0) {
		int e = errno;
		munmap(p, ALTSTACK);
		return -e;
	}
	running.altstack = p;
	running.users++;
	return 0;
}

void coro_guard_thread_fini(void)
{
	if (running.users && --running.users)
		return;
	running.stack = NULL;
	if (!running.altstack)
		return;
	stack_t ss = {.ss_flags = SS_DISABLE};
	sigaltstack(&ss, NULL);
	munmap(running.altstack, ALTSTACK);
	running.altstack = NULL;
}
