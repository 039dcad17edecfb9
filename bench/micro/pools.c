/*
 * Micro-benchmarks of the pools (registered into concur-micro): warm
 * submit-to-complete latency of one task, same CPU and cross CPU, with the
 * worker spinning or asleep; per-task dispatch cost at 1 and 2 workers; the
 * process pool's round trip. Times are per task (manual time), in ns. (Bare
 * pthread_create+join and fork+exit+wait are scenarios now: spawn/thread, spawn/fork.)
 */
#define _GNU_SOURCE
#include "micro/micro.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>

#include "base/clock.h"
#include "pool/ppool.h"
#include "pool/tpool.h"
#include "topo/topo.h"

static struct topo here;

/* Batches are timed whole (Google Benchmark must see the real iteration time to
 * choose how many to run); the per-task figure is the counter ns_per_task. */
struct per_task {
	double ns;
	uint64_t tasks;
};

static void per_task_add(gbc_state *st, struct per_task *pt, int64_t t0, uint64_t tasks)
{
	int64_t dt = cc_now_ns() - t0;
	gbc_set_iteration_time(st, (double)dt / 1e9);
	pt->ns += (double)dt;
	pt->tasks += tasks;
}

static void per_task_report(gbc_state *st, const struct per_task *pt)
{
	if (pt->tasks)
		gbc_set_counter(st, "ns_per_task", pt->ns / (double)pt->tasks, GBC_COUNTER_DEFAULT);
}

struct placement {
	int caller, worker[2]; /* OS CPUs; -1: not pinned */
	unsigned spin_ns;
	unsigned workers;
};

static uint64_t empty(void *ctx, uint64_t i, unsigned worker, int *err)
{
	(void)ctx, (void)worker, (void)err;
	return i;
}

static uint64_t empty_p(const void *ctx, uint64_t i, unsigned worker)
{
	(void)ctx, (void)worker;
	return i;
}

static void bind_worker(unsigned k, void *arg)
{
	const struct placement *pl = arg;
	char why[128];
	if (pl->worker[k % 2] >= 0)
		topo_bind(&here, (unsigned)pl->worker[k % 2], false, why, sizeof(why));
}

static void bind_worker_process(unsigned k, void *arg)
{
	const struct placement *pl = arg;
	char why[128];
	if (pl->worker[k % 2] >= 0)
		topo_bind(&here, (unsigned)pl->worker[k % 2], true, why, sizeof(why));
}

static bool bind_caller(gbc_state *st, const struct placement *pl)
{
	char why[128];
	if (pl->caller >= 0 && topo_bind(&here, (unsigned)pl->caller, false, why, sizeof(why))) {
		gbc_skip_with_error(st, why);
		return false;
	}
	return true;
}

static void unbind_caller(void)
{
	/* back to every allowed CPU, so later benchmarks start unpinned */
	cpu_set_t all;
	CPU_ZERO(&all);
	for (unsigned k = 0; k < here.npu; k++)
		CPU_SET(here.pus[k].pu_os, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

/* One task submitted, then waited for: the warm round trip through the queue. */
static void thread_submit_wait(gbc_state *st, void *arg)
{
	const struct placement *pl = arg;
	struct tpool *p;
	struct tpool_opts o = {.workers = 1, .capacity = 64, .spin_ns = pl->spin_ns, .on_start = bind_worker,
			       .arg = (void *)pl};
	if (!bind_caller(st, pl) || tpool_create(&o, &p)) {
		unbind_caller();
		return;
	}
	struct tpool_future f;
	for (int warm = 0; warm < 100; warm++) {
		tpool_future_init(&f, NULL, NULL);
		tpool_submit(p, empty, NULL, 0, &f);
		tpool_wait(p, &f);
	}
	while (gbc_keep_running(st)) {
		int64_t t0 = cc_now_ns();
		tpool_future_init(&f, NULL, NULL);
		tpool_submit(p, empty, NULL, 1, &f);
		tpool_wait(p, &f);
		gbc_set_iteration_time(st, (double)(cc_now_ns() - t0) / 1e9);
	}
	tpool_shutdown(p, true);
	unbind_caller();
}

#define BATCH 4096

/* Per-task cost of single submits with futures (a batch submitted, then waited for). */
static void thread_submit_batch(gbc_state *st, void *arg)
{
	const struct placement *pl = arg;
	static struct tpool_future f[BATCH];
	struct tpool *p;
	struct tpool_opts o = {.workers = pl->workers, .capacity = 1024, .spin_ns = pl->spin_ns,
			       .on_start = bind_worker, .arg = (void *)pl};
	if (tpool_create(&o, &p))
		return;
	struct per_task pt = {0};
	while (gbc_keep_running(st)) {
		int64_t t0 = cc_now_ns();
		for (unsigned i = 0; i < BATCH; i++) {
			tpool_future_init(&f[i], NULL, NULL);
			tpool_submit(p, empty, NULL, i, &f[i]);
		}
		for (unsigned i = 0; i < BATCH; i++)
			tpool_wait(p, &f[i]);
		per_task_add(st, &pt, t0, BATCH);
	}
	per_task_report(st, &pt);
	tpool_shutdown(p, true);
}

/* Per-task cost of map (workers claim indices from a shared counter). */
static void thread_map(gbc_state *st, void *arg)
{
	const struct placement *pl = arg;
	struct tpool *p;
	struct tpool_opts o = {.workers = pl->workers, .capacity = 64, .spin_ns = pl->spin_ns,
			       .on_start = bind_worker, .arg = (void *)pl};
	if (tpool_create(&o, &p))
		return;
	const uint64_t n = 1 << 18;
	struct per_task pt = {0};
	while (gbc_keep_running(st)) {
		int64_t t0 = cc_now_ns();
		tpool_map(p, empty, NULL, n, NULL, NULL);
		per_task_add(st, &pt, t0, n);
	}
	per_task_report(st, &pt);
	tpool_shutdown(p, true);
}

/* One task through the process pool and back: ring, futex wake-up, shared-memory result. */
static void process_round_trip(gbc_state *st, void *arg)
{
	const struct placement *pl = arg;
	struct ppool *p;
	struct ppool_opts o = {.workers = pl->workers, .capacity = 64, .spin_ns = pl->spin_ns,
			       .on_start = bind_worker_process, .arg = (void *)pl};
	struct ppool_result res;
	const uint64_t n = pl->caller == -2 ? 1 << 16 : 1; /* caller -2: a batch, unpinned */
	if ((pl->caller >= 0 && !bind_caller(st, pl)) || ppool_create(&o, &p)) {
		unbind_caller();
		return;
	}
	for (int warm = 0; warm < 100; warm++)
		ppool_run(p, empty_p, NULL, 1, &res);
	struct per_task pt = {0};
	while (gbc_keep_running(st)) {
		int64_t t0 = cc_now_ns();
		ppool_run(p, empty_p, NULL, n, &res);
		per_task_add(st, &pt, t0, n);
	}
	per_task_report(st, &pt);
	ppool_destroy(p);
	unbind_caller();
}

static struct placement places[32];
static unsigned nplaces;

static const struct placement *place(int caller, int w0, int w1, unsigned spin, unsigned workers)
{
	if (nplaces == sizeof(places) / sizeof(places[0]))
		abort(); /* a broken invariant: the table is sized for the benchmarks below */
	places[nplaces] = (struct placement){caller, {w0, w1}, spin, workers};
	return &places[nplaces++];
}

int micro_register_pools(void)
{
	if (topo_load(&here, NULL, NULL))
		return -1;
	int a = (int)here.pus[0].pu_os, b = here.npu > 1 ? (int)here.pus[here.npu - 1].pu_os : -1;
	const unsigned spin = 1000000, sleep = 0;
	struct gbc_bench_opts ns = {.manual_time = true, .unit = GBC_NS};
	gbc_register("pool/thread/submit-wait/same-cpu/spinning", thread_submit_wait, (void *)place(a, a, a, spin, 1), &ns);
	if (b >= 0) {
		gbc_register("pool/thread/submit-wait/cross-cpu/spinning", thread_submit_wait,
			     (void *)place(a, b, b, spin, 1), &ns);
		gbc_register("pool/thread/submit-wait/cross-cpu/sleeping", thread_submit_wait,
			     (void *)place(a, b, b, sleep, 1), &ns);
	}
	gbc_register("pool/thread/submit-wait/same-cpu/sleeping", thread_submit_wait, (void *)place(a, a, a, sleep, 1),
		     &ns);
	for (unsigned w = 1; w <= 2; w++) {
		char name[80];
		snprintf(name, sizeof(name), "pool/thread/submit-each/workers:%u", w);
		gbc_register(name, thread_submit_batch, (void *)place(-1, a, b >= 0 ? b : a, spin, w), &ns);
		snprintf(name, sizeof(name), "pool/thread/map/workers:%u", w);
		gbc_register(name, thread_map, (void *)place(-1, a, b >= 0 ? b : a, spin, w), &ns);
		snprintf(name, sizeof(name), "pool/process/map/workers:%u", w);
		gbc_register(name, process_round_trip, (void *)place(-2, a, b >= 0 ? b : a, spin, w), &ns);
	}
	gbc_register("pool/process/round-trip/same-cpu/spinning", process_round_trip, (void *)place(a, a, a, spin, 1),
		     &ns);
	gbc_register("pool/process/round-trip/same-cpu/sleeping", process_round_trip,
		     (void *)place(a, a, a, sleep, 1), &ns);
	if (b >= 0)
		gbc_register("pool/process/round-trip/cross-cpu/spinning", process_round_trip,
			     (void *)place(a, b, b, spin, 1), &ns);
	return 0;
}
