/*
 * The coroutine runtime: every context-switch backend, the scheduler (yield,
 * wait groups, sleep order, many coroutines), the IO layer over a socketpair,
 * a pipe and loopback TCP under every poller, the guard page, leaks, and bad
 * options. Nothing here depends on timing beyond "a sleep is never early".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "coro/ctx.h"
#include "coro/io.h"
#include "coro/sched.h"

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- raw contexts: ping-pong on every backend ---- */

static struct {
	const struct coro_backend *b;
	void *main, *other;
	int trace[64];
	int n;
	int rounding_seen;
} pp;

static void pingpong_entry(void *arg)
{
	long rounds = (long)arg;
	/* this side runs rounding up; the main side must not see it, nor this side lose it */
	fesetround(FE_UPWARD);
	for (long r = 0; r < rounds; r++) {
		pp.trace[pp.n++] = 2 * (int)r + 1;
		pp.b->swap(pp.other, pp.main);
	}
	pp.rounding_seen = fegetround();
	pp.b->swap(pp.other, pp.main);
	abort(); /* never resumed again */
}

static void pingpong_every_backend(void **state)
{
	(void)state;
	assert_true(coro_backend_count >= 1);
	for (unsigned k = 0; k < coro_backend_count; k++) {
		pp.b = coro_backends[k];
		pp.n = 0;
		pp.main = aligned_alloc(16, pp.b->ctx_size);
		pp.other = aligned_alloc(16, pp.b->ctx_size);
		size_t size = 64 * 1024;
		void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(stack != MAP_FAILED);
		pp.b->make(pp.other, stack, size, pingpong_entry, (void *)10L);
		for (int r = 0; r < 10; r++) {
			pp.b->swap(pp.main, pp.other);
			assert_int_equal(fegetround(), FE_TONEAREST);
			pp.trace[pp.n++] = 2 * r + 2;
		}
		pp.b->swap(pp.main, pp.other);
		assert_int_equal(pp.rounding_seen, FE_UPWARD);
		assert_int_equal(pp.n, 20);
		for (int i = 0; i < 20; i++)
			assert_int_equal(pp.trace[i], i + 1); /* strictly alternating */
		munmap(stack, size);
		free(pp.main);
		free(pp.other);
	}
	assert_non_null(coro_backend_find("ucontext"));
	assert_null(coro_backend_find("setjmp"));
}

/* ---- the scheduler ---- */

static struct coro_sched *make_sched(const struct coro_backend *b, enum coro_poller p)
{
	struct coro_sched *s = NULL;
	struct coro_opts o = {.backend = b, .poller = p};
	int err = coro_sched_create(&o, &s);
	assert_int_equal(err, 0);
	return s;
}

/* io_uring may be built yet refused at run time (a seccomp profile); such a poller is skipped. */
static bool poller_usable(enum coro_poller p)
{
	struct coro_sched *s = NULL;
	struct coro_opts o = {.poller = p};
	if (!coro_poller_built(p) || coro_sched_create(&o, &s))
		return false;
	coro_sched_destroy(s);
	return true;
}

struct counter {
	long value;
	struct coro_wg *wg;
};

static void yield_three_times(void *p)
{
	struct counter *c = p;
	for (int k = 0; k < 3; k++) {
		c->value++;
		coro_yield();
	}
	coro_wg_done(c->wg);
}

/* ThreadSanitizer gives every coroutine a fiber of its own and allows about 8,000 threads. */
#if defined(__SANITIZE_THREAD__)
#define MANY 2000
#else
#define MANY 10000
#endif

static struct {
	struct coro_wg wg;
	long total;
} many;

static void count_then_done(void *p)
{
	(void)p;
	coro_yield();
	many.total++;
	coro_wg_done(&many.wg);
}

static void waiter(void *p)
{
	(void)p;
	coro_wg_wait(&many.wg);
	assert_int_equal(many.total, MANY);
	many.total = -1; /* ran after every other coroutine finished */
}

static void ten_thousand_coroutines(void **state)
{
	(void)state;
	for (unsigned k = 0; k < coro_backend_count; k++) {
		struct coro_sched *s = make_sched(coro_backends[k], CORO_POLL_EPOLL);
		memset(&many, 0, sizeof(many));
		coro_wg_add(&many.wg, MANY);
		assert_int_equal(coro_spawn(s, waiter, NULL), 0);
		for (int i = 0; i < MANY; i++)
			assert_int_equal(coro_spawn(s, count_then_done, NULL), 0);
		assert_int_equal(coro_sched_run(s), 0);
		assert_int_equal(many.total, -1);
		struct coro_stats st = coro_sched_stats(s);
		assert_int_equal(st.spawned, MANY + 1);
		assert_int_equal(st.peak_live, MANY + 1);
		coro_sched_destroy(s);
	}
}

static void yields_interleave(void **state)
{
	(void)state;
	struct coro_sched *s = make_sched(NULL, CORO_POLL_EPOLL);
	struct coro_wg wg = {0};
	struct counter c[4];
	coro_wg_add(&wg, 4);
	for (int k = 0; k < 4; k++) {
		c[k] = (struct counter){0, &wg};
		assert_int_equal(coro_spawn(s, yield_three_times, &c[k]), 0);
	}
	assert_int_equal(coro_sched_run(s), 0);
	for (int k = 0; k < 4; k++)
		assert_int_equal(c[k].value, 3);
	/* 4 coroutines x (3 yields + the final run) */
	assert_int_equal(coro_sched_stats(s).switches, 16);
	assert_false(coro_running());
	coro_sched_destroy(s);
}

static struct {
	int order[8];
	int n;
	int64_t early; /* a sleeper that woke before its time */
} sleeps;

static void sleeper(void *p)
{
	int ms = (int)(intptr_t)p;
	int64_t t0 = now_ns();
	cio_sleep_ns((int64_t)ms * 1000000);
	if (now_ns() - t0 < (int64_t)ms * 1000000)
		sleeps.early++;
	sleeps.order[sleeps.n++] = ms;
}

static void sleep_order(void **state)
{
	(void)state;
	for (int p = 0; p < CORO_NPOLLERS; p++) {
		if (!poller_usable((enum coro_poller)p))
			continue;
		struct coro_sched *s = make_sched(NULL, (enum coro_poller)p);
		memset(&sleeps, 0, sizeof(sleeps));
		/* spawned longest first; they must wake shortest first, 20 ms apart */
		static const int ms[] = {100, 0, 60, 20, 80, 40};
		for (int k = 0; k < 6; k++)
			assert_int_equal(coro_spawn(s, sleeper, (void *)(intptr_t)ms[k]), 0);
		assert_int_equal(coro_sched_run(s), 0);
		assert_int_equal(sleeps.n, 6);
		assert_int_equal(sleeps.early, 0);
		for (int k = 0; k < 6; k++)
			assert_int_equal(sleeps.order[k], 20 * k);
		coro_sched_destroy(s);
	}
}

static struct coro_wg never;

static void wait_forever(void *p)
{
	(void)p;
	coro_wg_wait(&never);
}

static void deadlock_is_reported(void **state)
{
	(void)state;
	struct coro_sched *s = make_sched(NULL, CORO_POLL_EPOLL);
	coro_wg_add(&never, 1);
	assert_int_equal(coro_spawn(s, wait_forever, NULL), 0);
	assert_int_equal(coro_sched_run(s), -EDEADLK);
	/* finish it properly so the scheduler can go */
	coro_wg_done(&never);
	assert_int_equal(coro_sched_run(s), 0);
	coro_sched_destroy(s);
}

/* ---- the IO layer inside coroutines ---- */

#define ROUNDS 500

struct link {
	int rd, wr; /* this side reads rd, writes wr */
	long sum;
	int err;
};

/* The client sends 1..ROUNDS and expects each back plus one. */
static void client(void *p)
{
	struct link *l = p;
	for (uint32_t i = 1; i <= ROUNDS && !l->err; i++) {
		uint32_t v;
		if (cio_write_full(l->wr, &i, 4) != 4 || cio_read_full(l->rd, &v, 4) != 4 || v != i + 1)
			l->err = errno ? errno : EPROTO;
		l->sum += v;
	}
}

static void server(void *p)
{
	struct link *l = p;
	for (int i = 0; i < ROUNDS && !l->err; i++) {
		uint32_t v;
		if (cio_read_full(l->rd, &v, 4) != 4)
			l->err = errno ? errno : EPROTO;
		v++;
		if (cio_write_full(l->wr, &v, 4) != 4)
			l->err = errno ? errno : EPROTO;
	}
}

static void pingpong_over(struct link *a, struct link *b, enum coro_poller p)
{
	struct coro_sched *s = make_sched(NULL, p);
	assert_int_equal(coro_spawn(s, server, b), 0);
	assert_int_equal(coro_spawn(s, client, a), 0);
	assert_int_equal(coro_sched_run(s), 0);
	assert_int_equal(a->err, 0);
	assert_int_equal(b->err, 0);
	assert_int_equal(a->sum, (long)ROUNDS * (ROUNDS + 1) / 2 + ROUNDS);
	/* both sides waited: one thread could only have done this by parking */
	assert_true(coro_sched_stats(s).polls > 0);
	coro_sched_destroy(s);
}

static void io_over_socketpair_and_pipe(void **state)
{
	(void)state;
	for (int p = 0; p < CORO_NPOLLERS; p++) {
		if (!poller_usable((enum coro_poller)p))
			continue;
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		struct link a = {sv[0], sv[0], 0, 0}, b = {sv[1], sv[1], 0, 0};
		pingpong_over(&a, &b, (enum coro_poller)p);
		close(sv[0]);
		close(sv[1]);

		int up[2], down[2]; /* blocking pipes: the layer must not block the thread anyway */
		assert_int_equal(pipe2(up, O_CLOEXEC), 0);
		assert_int_equal(pipe2(down, O_CLOEXEC), 0);
		struct link c = {down[0], up[1], 0, 0}, d = {up[0], down[1], 0, 0};
		pingpong_over(&c, &d, (enum coro_poller)p);
		for (int k = 0; k < 2; k++)
			close(up[k]), close(down[k]);
	}
}

static struct {
	int listener;
	struct sockaddr_in addr;
	struct link srv, cli;
} tcp;

static void tcp_server(void *p)
{
	(void)p;
	int c = cio_accept(tcp.listener, NULL, NULL);
	if (c < 0) {
		tcp.srv.err = errno;
		return;
	}
	tcp.srv.rd = tcp.srv.wr = c;
	server(&tcp.srv);
	close(c);
}

static void tcp_client(void *p)
{
	(void)p;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || cio_connect(fd, (struct sockaddr *)&tcp.addr, sizeof(tcp.addr)) < 0) {
		tcp.cli.err = errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	tcp.cli.rd = tcp.cli.wr = fd;
	client(&tcp.cli);
	close(fd);
}

static void io_over_loopback_tcp(void **state)
{
	(void)state;
	for (int p = 0; p < CORO_NPOLLERS; p++) {
		if (!poller_usable((enum coro_poller)p))
			continue;
		memset(&tcp, 0, sizeof(tcp));
		tcp.listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		tcp.addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(tcp.addr);
		assert_int_equal(bind(tcp.listener, (struct sockaddr *)&tcp.addr, len), 0);
		assert_int_equal(listen(tcp.listener, 8), 0);
		assert_int_equal(getsockname(tcp.listener, (struct sockaddr *)&tcp.addr, &len), 0);
		struct coro_sched *s = make_sched(NULL, (enum coro_poller)p);
		/* the server first: its accept must park, not block the thread the client needs */
		assert_int_equal(coro_spawn(s, tcp_server, NULL), 0);
		assert_int_equal(coro_spawn(s, tcp_client, NULL), 0);
		assert_int_equal(coro_sched_run(s), 0);
		assert_int_equal(tcp.srv.err, 0);
		assert_int_equal(tcp.cli.err, 0);
		assert_int_equal(tcp.cli.sum, (long)ROUNDS * (ROUNDS + 1) / 2 + ROUNDS);
		coro_sched_destroy(s);
		close(tcp.listener);
	}
}

static void io_layer_blocks_outside_coroutines(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(cio_write_full(sv[0], "ping", 4), 4);
	char buf[4];
	assert_int_equal(cio_read_full(sv[1], buf, 4), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_true(cio_wait(sv[1], POLLOUT) & POLLOUT);
	int64_t t0 = now_ns();
	assert_int_equal(cio_sleep_ns(2000000), 0);
	assert_true(now_ns() - t0 >= 2000000);
	close(sv[0]);
	close(sv[1]);
}

/* ---- the guard page ---- */

static int deep(int n)
{
	volatile char frame[512];
	frame[0] = (char)n;
	return n ? deep(n - 1) + frame[0] : 0;
}

static void overflow(void *p)
{
	(void)p;
	deep(1 << 20);
}

static void guard_page_catches_overflow(void **state)
{
	(void)state;
	char *report = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(report != MAP_FAILED);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		coro_guard_report_to(report, 4096);
		struct coro_sched *s = NULL;
		struct coro_opts o = {.stack_size = CORO_STACK_MIN};
		if (coro_sched_create(&o, &s) || coro_spawn(s, overflow, NULL))
			_exit(2);
		coro_sched_run(s);
		_exit(3); /* the overflow went unnoticed */
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
	assert_non_null(strstr(report, "coroutine stack overflow"));
	assert_non_null(strstr(report, "16 KiB"));
	munmap(report, 4096);
}

/* ---- leaks and bad options ---- */

static unsigned count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned n = 0;
	int ch;
	while (f && (ch = fgetc(f)) != EOF)
		n += ch == '\n';
	if (f)
		fclose(f);
	return n;
}

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void nothing_left_after_a_run(void **state)
{
	(void)state;
	for (int p = 0; p < CORO_NPOLLERS; p++) {
		if (!poller_usable((enum coro_poller)p))
			continue;
		/* a first run on this thread sets up what stays (the alternate signal stack is freed too) */
		unsigned fds = count_fds(), maps = count_lines("/proc/self/maps");
		struct coro_sched *s = make_sched(NULL, (enum coro_poller)p);
		memset(&many, 0, sizeof(many));
		coro_wg_add(&many.wg, 200);
		for (int i = 0; i < 200; i++)
			assert_int_equal(coro_spawn(s, count_then_done, NULL), 0);
		assert_int_equal(coro_sched_run(s), 0);
		assert_true(coro_sched_stats(s).stacks >= 200);
		coro_sched_destroy(s);
		assert_int_equal(count_fds(), fds);
		assert_int_equal(count_lines("/proc/self/maps"), maps);
	}
}

static void bad_options(void **state)
{
	(void)state;
	struct coro_sched *s = NULL;
	struct coro_opts small = {.stack_size = CORO_STACK_MIN - 1};
	assert_int_equal(coro_sched_create(&small, &s), -EINVAL);
	struct coro_opts huge = {.stack_size = (size_t)CORO_STACK_MAX + 4096};
	assert_int_equal(coro_sched_create(&huge, &s), -EINVAL);
	struct coro_opts bad_poller = {.poller = CORO_NPOLLERS};
	assert_int_equal(coro_sched_create(&bad_poller, &s), -ENOSYS);
	if (!coro_poller_built(CORO_POLL_URING)) {
		struct coro_opts uring = {.poller = CORO_POLL_URING};
		assert_int_equal(coro_sched_create(&uring, &s), -ENOSYS);
	}
	assert_int_equal(coro_poller_find("kqueue"), -1);
	assert_int_equal(coro_poller_find("epoll"), CORO_POLL_EPOLL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pingpong_every_backend),
		cmocka_unit_test(ten_thousand_coroutines),
		cmocka_unit_test(yields_interleave),
		cmocka_unit_test(sleep_order),
		cmocka_unit_test(deadlock_is_reported),
		cmocka_unit_test(io_over_socketpair_and_pipe),
		cmocka_unit_test(io_over_loopback_tcp),
		cmocka_unit_test(io_layer_blocks_outside_coroutines),
		cmocka_unit_test(guard_page_catches_overflow),
		cmocka_unit_test(nothing_left_after_a_run),
		cmocka_unit_test(bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
