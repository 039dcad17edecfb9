/*
 * Micro-benchmarks of the coroutine runtime (registered into concur-micro),
 * each on one pinned CPU, per backend where it matters:
 *   coro/switch/<backend>        one-way context switch (ns_per_switch)
 *   coro/resume+yield/<backend>  the scheduler resuming a coroutine that yields (ns_per_op)
 *   coro/create+destroy/<backend> spawn, run to the end, stack back to the pool (ns_per_op)
 *   coro/sleep-10ms/coroutines:100000/<poller>  100,000 coroutines each sleeping
 *       10 ms: RSS per idle coroutine (all parked), lateness of the wake-ups,
 *       and the whole run from spawning the first to the last finishing, with
 *       a cold stack pool (the first time) and a warm one (after).
 */
#define _GNU_SOURCE
#include "micro/micro.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/clock.h"
#include "coro/io.h"
#include "coro/sched.h"

#define BATCH 10000

static int pinned_cpu = -1;

static void pin(void)
{
	if (pinned_cpu < 0)
		pinned_cpu = sched_getcpu();
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(pinned_cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/* ---- raw switch ---- */

static struct {
	const struct coro_backend *b;
	void *main, *other;
} sw;

static void bounce(void *arg)
{
	(void)arg;
	for (;;)
		sw.b->swap(sw.other, sw.main);
}

static void switch_one_way(gbc_state *st, void *arg)
{
	pin();
	sw.b = arg;
	sw.main = aligned_alloc(16, sw.b->ctx_size);
	sw.other = aligned_alloc(16, sw.b->ctx_size);
	size_t size = 64 * 1024;
	void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sw.main || !sw.other || stack == MAP_FAILED) {
		gbc_skip_with_error(st, "allocating contexts");
		return;
	}
	sw.b->make(sw.other, stack, size, bounce, NULL);
	double ns = 0, switches = 0;
	while (gbc_keep_running(st)) {
		int64_t t0 = cc_now_ns();
		for (int k = 0; k < BATCH; k++)
			sw.b->swap(sw.main, sw.other); /* there and back: two switches */
		int64_t dt = cc_now_ns() - t0;
		gbc_set_iteration_time(st, (double)dt / 1e9);
		ns += (double)dt, switches += 2 * BATCH;
	}
	gbc_set_counter(st, "ns_per_switch", ns / switches, GBC_COUNTER_DEFAULT);
	munmap(stack, size); /* the bouncing context is abandoned mid-loop: nothing of it is live */
	free(sw.main);
	free(sw.other);
}

/* ---- through the scheduler ---- */

static void yielder(void *arg)
{
	long n = (long)arg;
	for (long k = 0; k < n; k++)
		coro_yield();
}

static void nothing(void *arg) { (void)arg; }

struct sched_bench {
	const struct coro_backend *b;
	bool create; /* create+destroy; else resume+yield */
};

static void through_scheduler(gbc_state *st, void *arg)
{
	const struct sched_bench *sb = arg;
	pin();
	struct coro_opts o = {.backend = sb->b};
	struct coro_sched *s;
	if (coro_sched_create(&o, &s)) {
		gbc_skip_with_error(st, "coro_sched_create failed");
		return;
	}
	double ns = 0, ops = 0;
	while (gbc_keep_running(st)) {
		int64_t t0 = cc_now_ns();
		int err = 0;
		if (sb->create)
			for (int k = 0; k < BATCH && !err; k++)
				err = coro_spawn(s, nothing, NULL);
		else
			err = coro_spawn(s, yielder, (void *)(long)BATCH);
		if (err || coro_sched_run(s)) {
			gbc_skip_with_error(st, "spawn or run failed");
			break;
		}
		int64_t dt = cc_now_ns() - t0;
		gbc_set_iteration_time(st, (double)dt / 1e9);
		ns += (double)dt, ops += BATCH;
	}
	if (ops)
		gbc_set_counter(st, "ns_per_op", ns / ops, GBC_COUNTER_DEFAULT);
	coro_sched_destroy(s);
}

/* ---- 100,000 sleepers ---- */

#define SLEEPERS 100000
#define SLEEP_NS 10000000

static struct {
	int64_t *late; /* per sleeper: woke this long after its deadline */
	unsigned n;
	long rss_parked;
} sl;

static long rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

static void sleeper(void *arg)
{
	(void)arg;
	int64_t deadline = cc_now_ns() + SLEEP_NS;
	cio_sleep_ns(SLEEP_NS);
	sl.late[sl.n++] = cc_now_ns() - deadline;
}

/* Spawned last: runs once every sleeper has parked. */
static void measure_parked(void *arg)
{
	(void)arg;
	sl.rss_parked = rss_bytes();
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* One scheduler for the whole benchmark: the first iteration finds its stack pool empty and
 * maps and touches a page per coroutine (that is the RSS figure, and cold_run_ms); the others
 * reuse the pooled stacks, which is the steady state a long-running program sees. */
static void sleepers(gbc_state *st, void *arg)
{
	pin();
	struct coro_opts o = {.poller = (enum coro_poller)(long)arg};
	struct coro_sched *s = NULL;
	sl.late = malloc(SLEEPERS * sizeof(*sl.late));
	if (!sl.late || coro_sched_create(&o, &s)) {
		gbc_skip_with_error(st, "coro_sched_create failed (poller unavailable?)");
		free(sl.late);
		return;
	}
	double per = 0, cold = 0, p50 = 0, p99 = 0, max = 0, total = 0, warm = 0;
	while (gbc_keep_running(st)) {
		long before = rss_bytes();
		sl.n = 0;
		int64_t t0 = cc_now_ns();
		int err = 0;
		for (int k = 0; k < SLEEPERS && !err; k++)
			err = coro_spawn(s, sleeper, NULL);
		if (err || coro_spawn(s, measure_parked, NULL) || coro_sched_run(s)) {
			gbc_skip_with_error(st, "spawn or run failed");
			break;
		}
		int64_t dt = cc_now_ns() - t0;
		gbc_set_iteration_time(st, (double)dt / 1e9);
		if (!cold) {
			per = (double)(sl.rss_parked - before) / SLEEPERS;
			cold = (double)dt / 1e6;
			continue;
		}
		qsort(sl.late, sl.n, sizeof(*sl.late), cmp_i64);
		p50 += (double)sl.late[sl.n / 2] / 1e3;
		p99 += (double)sl.late[sl.n * 99 / 100] / 1e3;
		max += (double)sl.late[sl.n - 1] / 1e3;
		total += (double)dt / 1e6;
		warm++;
	}
	coro_sched_destroy(s);
	free(sl.late);
	if (cold) {
		gbc_set_counter(st, "rss_bytes_per_idle_coroutine", per, GBC_COUNTER_DEFAULT);
		gbc_set_counter(st, "cold_run_ms", cold, GBC_COUNTER_DEFAULT);
	}
	if (warm) {
		gbc_set_counter(st, "late_p50_us", p50 / warm, GBC_COUNTER_DEFAULT);
		gbc_set_counter(st, "late_p99_us", p99 / warm, GBC_COUNTER_DEFAULT);
		gbc_set_counter(st, "late_max_us", max / warm, GBC_COUNTER_DEFAULT);
		gbc_set_counter(st, "run_ms", total / warm, GBC_COUNTER_DEFAULT);
	}
}

int micro_register_coro(void)
{
	static struct sched_bench sb[2][4];
	struct gbc_bench_opts ns = {.manual_time = true, .unit = GBC_NS};
	struct gbc_bench_opts ms = {.manual_time = true, .unit = GBC_MS};
	char name[96];
	for (unsigned k = 0; k < coro_backend_count && k < 4; k++) {
		const struct coro_backend *b = coro_backends[k];
		snprintf(name, sizeof(name), "coro/switch/%s", b->name);
		gbc_register(name, switch_one_way, (void *)b, &ns);
		sb[0][k] = (struct sched_bench){b, false};
		snprintf(name, sizeof(name), "coro/resume+yield/%s", b->name);
		gbc_register(name, through_scheduler, &sb[0][k], &ns);
		sb[1][k] = (struct sched_bench){b, true};
		snprintf(name, sizeof(name), "coro/create+destroy/%s", b->name);
		gbc_register(name, through_scheduler, &sb[1][k], &ns);
	}
	for (int p = 0; p < CORO_NPOLLERS; p++) {
		if (!coro_poller_built((enum coro_poller)p))
			continue;
		snprintf(name, sizeof(name), "coro/sleep-10ms/coroutines:%d/%s", SLEEPERS,
			 coro_poller_name((enum coro_poller)p));
		gbc_register(name, sleepers, (void *)(long)p, &ms);
	}
	return 0;
}
