/* The coroutine scheduler; see sched.h. */
#define _GNU_SOURCE
#include "coro/sched.h"

#include <errno.h>
#include <poll.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coro/poller.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define CORO_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define CORO_TSAN 1
#endif

/* A coroutine lives at the top of its own stack: spawning allocates nothing else. */
#ifdef CORO_TSAN
/*
 * ThreadSanitizer takes milliseconds to create and destroy a fiber, so a finished coroutine's is
 * kept for the next (every switch synchronises, so reuse hides no race) -- a bounded number of
 * times: a coroutine never returns from its entry, and each use leaves that frame on the fiber's
 * shadow stack, which is 64 Ki entries deep.
 */
#define TSAN_FIBER_USES 1024
struct tsan_fiber {
	void *handle;
	unsigned uses;
};
#endif

struct coro {
	struct coro_sched *s;
	struct coro *next; /* in the run queue */
	void (*fn)(void *);
	void *arg;
	void *stack;
	int revents;
	bool done;
#ifdef CORO_TSAN
	struct tsan_fiber fiber;
#endif
	alignas(16) unsigned char ctx[]; /* the backend's */
};

struct timer {
	int64_t at;
	struct coro *c;
};

struct coro_sched {
	const struct coro_backend *backend;
	const struct coro_poller_ops *poller;
	struct coro_poller_state *ps;
	struct coro_stacks stacks;
	struct coro *current;
	struct coro *head, *tail; /* the run queue */
	size_t runnable;
	struct timer *heap; /* sleepers, earliest first; the deadline is kept beside the pointer so
			     * that ordering never touches the coroutines' own pages */
	size_t nheap, heapcap;
	uint64_t live, fd_waiters;
	struct coro_stats st;
#ifdef CORO_ASAN
	const void *main_bottom;
	size_t main_size;
	void *main_fake;
#endif
#ifdef CORO_TSAN
	void *main_fiber;
	struct tsan_fiber spare_fibers[64];
	unsigned nspare;
#endif
	alignas(16) unsigned char main_ctx[]; /* the thread's own context while a coroutine runs */
};

static __thread struct coro_sched *tls_sched;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const struct coro_poller_ops *const pollers[CORO_NPOLLERS] = {
	[CORO_POLL_EPOLL] = &coro_poller_epoll,
#ifdef CONCUR_HAVE_LIBURING
	[CORO_POLL_URING] = &coro_poller_uring,
#endif
};
static const char *const poller_names[CORO_NPOLLERS] = {"epoll", "io_uring"};

const char *coro_poller_name(enum coro_poller p) { return p < CORO_NPOLLERS ? poller_names[p] : "?"; }
bool coro_poller_built(enum coro_poller p) { return p < CORO_NPOLLERS && pollers[p]; }

int coro_poller_find(const char *name)
{
	for (int p = 0; p < CORO_NPOLLERS; p++)
		if (!strcmp(poller_names[p], name))
			return p;
	return -1;
}

const char *coro_poller_names(void)
{
#ifdef CONCUR_HAVE_LIBURING
	return "epoll, io_uring";
#else
	return "epoll";
#endif
}

static void *running_stack(void *sched)
{
	struct coro_sched *s = sched;
	return s->current ? s->current->stack : NULL;
}

int coro_sched_create(const struct coro_opts *o, struct coro_sched **out)
{
	const struct coro_backend *b = o->backend ? o->backend : coro_backends[0];
	if (o->poller >= CORO_NPOLLERS || !pollers[o->poller])
		return -ENOSYS;
	struct coro_sched *s = aligned_alloc(16, (sizeof(*s) + b->ctx_size + 15) & ~(size_t)15);
	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->backend = b;
	s->poller = pollers[o->poller];
	int err = coro_stacks_init(&s->stacks, o->stack_size ? o->stack_size : CORO_STACK_DEFAULT);
	if (!err)
		err = s->poller->init(&s->ps);
	if (!err)
		err = coro_guard_thread_init(running_stack, s, s->stacks.size, s->stacks.guard);
	if (err) {
		if (s->ps)
			s->poller->fini(s->ps);
		free(s);
		return err;
	}
#ifdef CORO_TSAN
	s->main_fiber = __tsan_get_current_fiber();
#endif
	*out = s;
	return 0;
}

void coro_sched_destroy(struct coro_sched *s)
{
	if (!s)
		return;
	coro_guard_thread_fini();
#ifdef CORO_TSAN
	while (s->nspare)
		__tsan_destroy_fiber(s->spare_fibers[--s->nspare].handle);
#endif
	s->poller->fini(s->ps);
	coro_stacks_destroy(&s->stacks);
	free(s->heap);
	free(s);
}

struct coro_stats coro_sched_stats(const struct coro_sched *s)
{
	struct coro_stats st = s->st;
	st.stacks = s->stacks.allocated;
	return st;
}

/* ---- switching, with the sanitizers told which stack is live ---- */

static void switch_to_coro(struct coro_sched *s, struct coro *c)
{
#ifdef CORO_ASAN
	__sanitizer_start_switch_fiber(&s->main_fake, c->stack, s->stacks.size);
#endif
#ifdef CORO_TSAN
	__tsan_switch_to_fiber(c->fiber.handle, 0);
#endif
	s->backend->swap(s->main_ctx, c->ctx);
#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(s->main_fake, NULL, NULL);
#endif
}

/* From the running coroutine back to the scheduler; last: it has finished and never resumes. */
static void switch_to_main(struct coro_sched *s, struct coro *c, bool last)
{
#ifdef CORO_ASAN
	void *fake = NULL;
	__sanitizer_start_switch_fiber(last ? NULL : &fake, s->main_bottom, s->main_size);
#endif
#ifdef CORO_TSAN
	__tsan_switch_to_fiber(s->main_fiber, 0);
#endif
	(void)last;
	s->backend->swap(c->ctx, s->main_ctx);
#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

static void coro_entry(void *p)
{
	struct coro *c = p;
	struct coro_sched *s = c->s;
#ifdef CORO_ASAN
	__sanitizer_finish_switch_fiber(NULL, &s->main_bottom, &s->main_size);
#endif
	c->fn(c->arg);
	c->done = true;
	switch_to_main(s, c, true);
	abort(); /* a finished coroutine is never resumed */
}

/* ---- the run queue and the timer heap ---- */

static void make_ready(struct coro_sched *s, struct coro *c)
{
	c->next = NULL;
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->runnable++;
}

static struct coro *next_ready(struct coro_sched *s)
{
	struct coro *c = s->head;
	s->head = c->next;
	if (!s->head)
		s->tail = NULL;
	s->runnable--;
	return c;
}

static int heap_push(struct coro_sched *s, struct coro *c, int64_t at)
{
	if (s->nheap == s->heapcap) {
		size_t n = s->heapcap ? 2 * s->heapcap : 64;
		struct timer *grown = realloc(s->heap, n * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		s->heap = grown, s->heapcap = n;
	}
	size_t i = s->nheap++;
	while (i && s->heap[(i - 1) / 2].at > at) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = (struct timer){at, c};
	return 0;
}

static struct coro *heap_pop(struct coro_sched *s)
{
	struct coro *top = s->heap[0].c;
	struct timer last = s->heap[--s->nheap];
	size_t i = 0, n = s->nheap;
	for (;;) {
		size_t k = 2 * i + 1;
		if (k >= n)
			break;
		if (k + 1 < n && s->heap[k + 1].at < s->heap[k].at)
			k++;
		if (s->heap[k].at >= last.at)
			break;
		s->heap[i] = s->heap[k];
		i = k;
	}
	if (n)
		s->heap[i] = last;
	return top;
}

/* ---- coroutines ---- */

int coro_spawn(struct coro_sched *s, void (*fn)(void *), void *arg)
{
	char *stack = coro_stack_get(&s->stacks);
	if (!stack)
		return -errno;
	size_t head = (sizeof(struct coro) + s->backend->ctx_size + 63) & ~(size_t)63;
	struct coro *c = (struct coro *)(stack + s->stacks.size - head);
	*c = (struct coro){.s = s, .fn = fn, .arg = arg, .stack = stack};
	s->backend->make(c->ctx, stack, s->stacks.size - head, coro_entry, c);
#ifdef CORO_TSAN
	if (s->nspare)
		c->fiber = s->spare_fibers[--s->nspare];
	else
		c->fiber = (struct tsan_fiber){__tsan_create_fiber(0), 0};
	c->fiber.uses++;
#endif
	s->live++;
	s->st.spawned++;
	if (s->live > s->st.peak_live)
		s->st.peak_live = s->live;
	make_ready(s, c);
	return 0;
}

static void resume(struct coro_sched *s, struct coro *c)
{
	s->current = c;
	s->st.switches++;
	switch_to_coro(s, c);
	s->current = NULL;
	if (c->done) {
#ifdef CORO_TSAN
		if (c->fiber.uses < TSAN_FIBER_USES &&
		    s->nspare < sizeof(s->spare_fibers) / sizeof(s->spare_fibers[0]))
			s->spare_fibers[s->nspare++] = c->fiber;
		else
			__tsan_destroy_fiber(c->fiber.handle);
#endif
		coro_stack_put(&s->stacks, c->stack);
		s->live--;
	}
}

static void wake(void *sched, struct coro *c, int revents)
{
	c->revents = revents;
	make_ready(sched, c);
}

static void fire_timers(struct coro_sched *s, int64_t now)
{
	while (s->nheap && s->heap[0].at <= now)
		make_ready(s, heap_pop(s));
}

int coro_sched_run(struct coro_sched *s)
{
	struct coro_sched *outer = tls_sched;
	int err = 0;
	tls_sched = s;
	while (s->live) {
		if (s->nheap)
			fire_timers(s, now_ns());
		/* one round: what is runnable now; what it makes runnable waits for the next */
		for (size_t n = s->runnable; n; n--)
			resume(s, next_ready(s));
		if (!s->live)
			break;
		if (s->runnable && !s->fd_waiters)
			continue;
		int64_t timeout = s->runnable ? 0 : -1;
		if (!s->runnable && s->nheap) {
			int64_t left = s->heap[0].at - now_ns();
			timeout = left > 0 ? left : 0;
		}
		if (timeout < 0 && !s->fd_waiters) {
			err = -EDEADLK; /* everyone waits on a wait group that nothing left can finish */
			break;
		}
		s->st.polls++;
		int n = s->poller->wait(s->ps, timeout, wake, s);
		if (n < 0) {
			err = n;
			break;
		}
	}
	tls_sched = outer;
	return err;
}

/* ---- inside a coroutine ---- */

bool coro_running(void) { return tls_sched && tls_sched->current; }

static void park(struct coro_sched *s)
{
	struct coro *c = s->current;
	switch_to_main(s, c, false);
}

void coro_yield(void)
{
	struct coro_sched *s = tls_sched;
	make_ready(s, s->current);
	park(s);
}

void coro_sleep_ns(int64_t ns)
{
	struct coro_sched *s = tls_sched;
	struct coro *c = s->current;
	if (heap_push(s, c, now_ns() + (ns > 0 ? ns : 0)) < 0) {
		struct timespec ts = {ns / 1000000000, ns % 1000000000}; /* no memory for the heap: block instead */
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		return;
	}
	park(s);
}

int coro_wait_fd(int fd, unsigned events)
{
	struct coro_sched *s = tls_sched;
	struct coro *c = s->current;
	int err = s->poller->arm(s->ps, fd, events, c);
	if (err)
		return err;
	s->fd_waiters++;
	park(s);
	s->fd_waiters--;
	return c->revents;
}

void coro_wg_add(struct coro_wg *wg, unsigned n) { wg->count += n; }

void coro_wg_done(struct coro_wg *wg)
{
	if (--wg->count == 0 && wg->waiter) {
		struct coro *w = wg->waiter;
		wg->waiter = NULL;
		make_ready(w->s, w);
	}
}

void coro_wg_wait(struct coro_wg *wg)
{
	struct coro_sched *s = tls_sched;
	if (!wg->count)
		return;
	wg->waiter = s->current;
	park(s);
}
