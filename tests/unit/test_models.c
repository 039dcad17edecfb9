/*
 * Every model against every workload: the same checksum as serial, every task
 * done exactly once, every task timed; and the processes model's handling of
 * workers that crash, exit non-zero or compute something else.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/registry.h"
#include "models/model.h"
#include "models/roles.h"
#include "scenarios/ipc/channel.h"
#include "scenarios/queue/queue.h"
#include "scenarios/sync/lock.h"

struct ran {
	int rc;
	struct cc_outcome out;
	struct cc_worker_info workers[64];
	struct cc_hist hist;
};

/* Sets wl up with small params (NULL: the defaults); like the runner, once for all models. */
static void *setup(const struct wl_desc *wl, const int64_t *params)
{
	int64_t p[WL_MAX_PARAMS];
	for (unsigned k = 0; k < wl_param_count(wl); k++)
		p[k] = params ? params[k] : wl->smoke ? wl->smoke[k] : wl->params[k].def;
	if (wl == &wl_cpu_spin && !params)
		p[0] = 2000; /* 2 us: the test stays quick */
	void *ctx = NULL;
	assert_int_equal(wl->setup ? wl->setup(p, &ctx) : 0, 0);
	return ctx;
}

static void teardown(const struct wl_desc *wl, void *ctx)
{
	if (wl->teardown)
		wl->teardown(ctx);
}

/* Runs the job as the runner does: a workload that changes shared state is reset before and
 * must verify after (sync/counter's total exact under every model). */
static void run_ordered(const struct cc_model *m, const struct wl_desc *wl, void *ctx, unsigned workers,
			uint64_t ntasks, const uint64_t *order, int64_t *done_ns, struct ran *r)
{
	struct cc_job job = {.wl = wl, .ctx = ctx, .ntasks = ntasks, .workers = workers, .latency_stride = 1,
			     .opts = {.queue = 64, .spin_ns = 10000, .coroutines = 5}, .order = order,
			     .done_ns = done_ns};
	memset(r, 0, sizeof(*r));
	r->out.workers = r->workers;
	r->out.hist = &r->hist;
	if (wl->reset)
		wl->reset(ctx);
	r->rc = m->run(&job, &r->out);
	if (!r->rc && wl->verify) {
		r->rc = wl->verify(ctx, ntasks, r->out.why, sizeof(r->out.why));
		if (r->rc)
			print_error("%s: %s\n", m->name, r->out.why);
	}
}

static void run(const struct cc_model *m, const struct wl_desc *wl, void *ctx, unsigned workers, uint64_t ntasks,
		struct ran *r)
{
	run_ordered(m, wl, ctx, workers, ntasks, NULL, NULL, r);
}

/* Tasks of every model's run below: a count no worker count divides. Under ThreadSanitizer a thread or
 * process per task costs milliseconds (the test took 155 s of its 300 alone, and passed 300 beside the
 * e2e tests), so fewer there. */
#ifdef __SANITIZE_THREAD__
#define EVERY_MODEL_TASKS 65
#else
#define EVERY_MODEL_TASKS 257
#endif

static void every_model_matches_serial(void **state)
{
	(void)state;
	static const unsigned workers[] = {1, 2, 3, 7};
	static struct ran ref, got;
	for (unsigned w = 0; w < wl_count; w++) {
		const struct wl_desc *wl = wl_all[w];
		if (wl->scenario)
			continue; /* roles, not tasks: every_scenario_verifies_under_each_executor */
		void *ctx = setup(wl, NULL);
		run(&model_serial, wl, ctx, 1, EVERY_MODEL_TASKS, &ref);
		assert_int_equal(ref.rc, 0);
		for (unsigned m = 0; m < model_count; m++) {
			if (model_all[m]->separate_memory)
				continue; /* a program of its own per rank, set up there: tests/e2e (Mpi) */
			for (unsigned k = 0; k < 4; k++) {
				if (model_all[m]->single_worker && workers[k] > 1)
					continue;
				run(model_all[m], wl, ctx, workers[k], EVERY_MODEL_TASKS, &got);
				if (got.rc || got.out.checksum != ref.out.checksum)
					print_error("%s under %s, %u workers: %s\n", wl->name, model_all[m]->name,
						    workers[k], got.rc ? got.out.why : "checksum differs");
				assert_int_equal(got.rc, 0);
				assert_int_equal(got.out.checksum, ref.out.checksum);
				uint64_t sum = 0;
				for (unsigned i = 0; i < workers[k]; i++)
					sum += got.workers[i].tasks;
				assert_int_equal(sum, EVERY_MODEL_TASKS);
				assert_int_equal(got.hist.count, EVERY_MODEL_TASKS); /* stride 1: every task timed */
				assert_true(got.out.wall_s > 0);
				assert_true(got.out.spawn_s >= 0);
			}
		}
		teardown(wl, ctx);
	}
}

/* cpu/tail taken in each order under every model: the same tasks (serial's first-come checksum), lifo the
 * reverse, priority every short task before any long one, and every task's end time recorded from every
 * worker, thread or process, with turnaround figures that hold together. */
static void every_queue_order_runs_the_same_tasks(void **state)
{
	(void)state;
	enum { N = 120 };
	static struct ran ref, got;
	int64_t p[] = {2, 20, 10, WL_ORDER_FIFO};
	void *ctx = setup(&wl_cpu_tail, p);
	run(&model_serial, &wl_cpu_tail, ctx, 1, N, &ref);
	int64_t *done = mmap(NULL, N * sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(done != MAP_FAILED);
	for (int64_t o = WL_ORDER_FIFO; o <= WL_ORDER_PRIORITY; o++) {
		int err;
		p[3] = o;
		uint64_t *order = cc_task_order(&wl_cpu_tail, ctx, p, N, &err);
		assert_int_equal(err, 0);
		assert_true((order == NULL) == (o == WL_ORDER_FIFO));
		if (o == WL_ORDER_LIFO)
			for (uint64_t k = 0; k < N; k++)
				assert_int_equal(order[k], N - 1 - k);
		if (o == WL_ORDER_PRIORITY) { /* every short task first, each cost class in arrival order */
			unsigned longs = 0;
			for (uint64_t k = 0; k < N; k++) {
				double c = wl_cpu_tail.task_cost(ctx, order[k]);
				longs += c > 1;
				assert_true(k == 0 || c > wl_cpu_tail.task_cost(ctx, order[k - 1]) || order[k] > order[k - 1]);
				assert_true(c == 1 || k >= N - N / 10);
			}
			assert_int_equal(longs, N / 10); /* one in every 10 */
		}
		for (unsigned m = 0; m < model_count; m++) {
			if (model_all[m]->separate_memory)
				continue; /* tests/e2e (Mpi) runs cpu/tail's queue under them */
			unsigned workers = model_all[m]->single_worker ? 1 : 2;
			memset(done, 0, N * sizeof(int64_t));
			run_ordered(model_all[m], &wl_cpu_tail, ctx, workers, N, order, done, &got);
			assert_int_equal(got.rc, 0);
			assert_int_equal(got.out.checksum, ref.out.checksum);
			for (uint64_t k = 0; k < N; k++)
				if (done[k] < got.out.start_ns) {
					print_error("%s: place %llu ended %lld ns before the start\n", model_all[m]->name,
						    (unsigned long long)k, (long long)(got.out.start_ns - done[k]));
					fail();
				}
			double t[4];
			cc_turnaround(done, N, got.out.start_ns, t);
			assert_true(t[0] > 0 && t[0] <= t[3]);
			assert_true(t[1] <= t[2] && t[2] <= t[3]);
			assert_true(t[3] <= got.out.wall_s * 1e3 + 1e-6);
		}
		free(order);
	}
	munmap(done, N * sizeof(int64_t));
	teardown(&wl_cpu_tail, ctx);
}

static void more_workers_than_tasks(void **state)
{
	(void)state;
	static struct ran ref, got;
	void *ctx = setup(&wl_cpu_hash, NULL);
	run(&model_serial, &wl_cpu_hash, ctx, 1, 3, &ref);
	for (unsigned m = 1; m < model_count; m++) {
		if (model_all[m]->separate_memory)
			continue; /* tests/e2e (Mpi) */
		run(model_all[m], &wl_cpu_hash, ctx, 16, 3, &got);
		assert_int_equal(got.rc, 0);
		assert_int_equal(got.out.checksum, ref.out.checksum);
	}
	teardown(&wl_cpu_hash, ctx);
}

static void a_different_result_changes_the_checksum(void **state)
{
	(void)state;
	static struct ran ref, got;
	const int64_t wrong_in_workers[] = {4, 10, 1};
	void *ctx = setup(&wl_test_fault, wrong_in_workers);
	run(&model_serial, &wl_test_fault, ctx, 1, 50, &ref);
	run(&model_processes, &wl_test_fault, ctx, 2, 50, &got);
	teardown(&wl_test_fault, ctx);
	assert_int_equal(got.rc, 0);
	assert_int_not_equal(got.out.checksum, ref.out.checksum);
}

/* A worker process that misbehaves (fault params: mode, at, where=1) fails the run, saying how. */
static void assert_worker_failure(const struct cc_model *m, const int64_t *fault, unsigned workers,
				  const char *why)
{
	static struct ran got;
	void *ctx = setup(&wl_test_fault, fault);
	run(m, &wl_test_fault, ctx, workers, 50, &got);
	teardown(&wl_test_fault, ctx);
	assert_int_equal(got.rc, -ECHILD);
	assert_non_null(strstr(got.out.why, why));
}

static const struct cc_model *const forking[] = {&model_processes, &model_process_per_task, &model_process_pool,
						 &model_hybrid};

static void crashed_worker_fails_the_run(void **state)
{
	(void)state;
	for (unsigned k = 0; k < 4; k++)
		assert_worker_failure(forking[k], (const int64_t[]){1, 5, 1}, 2, "killed by signal 11");
	assert_worker_failure(&model_process_pool, (const int64_t[]){1, 5, 1}, 2, "task 5 failed");
}

static void worker_exit_status_is_reported(void **state)
{
	(void)state;
	for (unsigned k = 0; k < 4; k++)
		assert_worker_failure(forking[k], (const int64_t[]){3, 0, 1}, 3, "exited with status 3");
}

/* --max-live bounds the per-task models without changing what they compute. */
static void per_task_models_respect_max_live(void **state)
{
	(void)state;
	static struct ran ref, got;
	void *ctx = setup(&wl_cpu_hash, NULL);
	run(&model_serial, &wl_cpu_hash, ctx, 1, 40, &ref);
	const struct cc_model *per_task[] = {&model_thread_per_task, &model_process_per_task};
	for (unsigned m = 0; m < 2; m++) {
		for (unsigned live = 1; live <= 3; live += 2) {
			struct cc_job job = {.wl = &wl_cpu_hash, .ctx = ctx, .ntasks = 40, .workers = 2, .latency_stride = 1,
					     .opts = {.max_live = live}};
			memset(&got, 0, sizeof(got));
			got.out.workers = got.workers;
			got.out.hist = &got.hist;
			assert_int_equal(per_task[m]->run(&job, &got.out), 0);
			assert_int_equal(got.out.checksum, ref.out.checksum);
			/* a bound, not a target: fewer are alive when tasks end before the next starts */
			const char *at = strstr(got.out.note, "at most ");
			assert_non_null(at);
			unsigned alive = (unsigned)strtoul(at + 8, NULL, 10);
			assert_true(alive >= 1 && alive <= live);
			assert_int_equal(got.workers[0].tasks + got.workers[1].tasks, 40);
		}
	}
	teardown(&wl_cpu_hash, ctx);
}

/* Runs scenario wl with these parameters under each executor it declares, unpinned: it verifies (nothing
 * lost, every child reaped), role 0 times and counts every operation, and every executor folds the same
 * checksum. The test build's broken channel must fail, saying where. */
static void scenario_verifies(const struct wl_desc *wl, const int64_t *params)
{
	static const struct cc_model *const executors[] = {&model_threads, &model_processes, &model_coroutines,
							   &model_gil};
	uint64_t sum[4] = {0};
	unsigned ran = 0;
	for (unsigned e = 0; e < 4; e++) {
		if (!sc_runs_as(wl->scenario, executors[e]))
			continue;
		struct cc_worker_info info[8] = {0};
		struct cc_hist hist;
		cc_hist_reset(&hist);
		struct cc_outcome out = {.workers = info, .hist = &hist};
		unsigned roles = wl->scenario->roles ? wl->scenario->roles : 3; /* a ring of 3, three roles on a lock */
		struct cc_job job = {.wl = wl, .ntasks = 40, .workers = roles, .latency_stride = 1, .params = params};
		int rc = sc_run(&job, executors[e], &out);
		if (!strcmp(wl->name, "broken")) {
			assert_int_equal(rc, -EPROTO);
			assert_non_null(strstr(out.why, "token 2 came back as 258"));
			continue;
		}
		if (!strcmp(wl->name, "lossy")) { /* the test build's queue that drops an item */
			assert_int_equal(rc, -EPROTO);
			assert_non_null(strstr(out.why, "items put"));
			continue;
		}
		if (rc)
			print_error("%s/%s as %s: %s\n", wl_class_name(wl->cls), wl->name, executors[e]->name, out.why);
		assert_int_equal(rc, 0);
		uint64_t total = 0;
		for (unsigned k = 0; k < roles; k++) {
			total += info[k].tasks;
			if (!wl->scenario->total_ops) /* else consumers take what comes */
				assert_int_equal(info[k].tasks, 40);
		}
		if (wl->scenario->total_ops)
			assert_int_equal(total, wl->scenario->total_ops(params, roles, 40));
		if (wl->cls != WL_SYNC && wl->cls != WL_QUEUE) /* a lock's are its hand-overs, a queue's its items */
			assert_int_equal(hist.count, 40);
		sum[e] = out.checksum;
		ran++;
	}
	uint64_t first = 0; /* the same work whatever runs the roles (of the executors the scenario has) */
	for (unsigned e = 0; e < 4; e++) {
		if (sum[e] && !first)
			first = sum[e];
		assert_true(sum[e] == 0 || sum[e] == first);
	}
	assert_true(!ran || first != 0);
}

/* Every scenario at its smoke values and every way it has; the ipc/ channels also streamed, and with messages of an odd size
 * larger than a pipe's buffer (moved in parts), wherever the channel carries them. */
static void every_scenario_verifies_under_each_executor(void **state)
{
	(void)state;
	for (unsigned w = 0; w < wl_count; w++) {
		const struct wl_desc *wl = wl_all[w];
		if (!wl->scenario)
			continue;
		int64_t params[WL_MAX_PARAMS];
		for (unsigned k = 0; k < wl_param_count(wl); k++)
			params[k] = wl->smoke ? wl->smoke[k] : wl->params[k].def;
		scenario_verifies(wl, params);
		/* every way a scenario has: of reaping (spawn/zombie), of waiting (sync/timer), of ordering locks
		 * (sync/deadlock: the same order must never deadlock) */
		static const char *const ways[] = {"reap", "method", "order", "split", "how"};
		for (unsigned k = 0; k < 5; k++) {
			int at = wl_param_index(wl, ways[k]);
			for (int64_t v = 0; at >= 0 && v <= wl->params[at].max; v++) {
				params[at] = v;
				scenario_verifies(wl, params);
			}
			if (at >= 0)
				params[at] = wl->smoke ? wl->smoke[at] : wl->params[at].def;
		}
		int capacity = wl_param_index(wl, "capacity"), timeout = wl_param_index(wl, "timeout_us");
		if (capacity >= 0 && timeout >= 0) { /* a queue of one item, waits timed and retried: full and empty often */
			params[capacity] = 1;
			params[timeout] = 50;
			scenario_verifies(wl, params);
			params[capacity] = wl->params[capacity].def;
			params[timeout] = 0;
		}
		int size = wl_param_index(wl, "size"), stream = wl_param_index(wl, "stream");
		if (size < 0 || stream < 0)
			continue;
		static const int64_t variants[][2] = {{64, 1}, {100003, 0}, {100003, 1}};
		for (unsigned v = 0; v < 3; v++) {
			char why[128];
			params[size] = variants[v][0];
			params[stream] = variants[v][1];
			if (!wl->scenario->plannable || !wl->scenario->plannable(wl->scenario->impl, params, why, sizeof(why)))
				scenario_verifies(wl, params);
		}
	}
}

/* A role that waits on an ipc/ channel for what will never come, and the stop hook called as the
 * harness calls it when the other role fails (from a thread) or dies (from the cell process): the
 * waiting role (a reader, or a writer the channel has no room for) must end at once with an error, never hang. Each channel, streamed and not, waiting
 * as a thread and as a process. */
struct waiter {
	struct sc_role r;
	int rc;
};

static void *wait_in_role(void *p)
{
	struct waiter *w = p;
	char why[200];
	w->rc = ipc_role(&w->r, why, sizeof(why));
	return NULL;
}

static void ipc_stop_wakes_a_waiting_role(void **state)
{
	(void)state;
	for (unsigned w = 0; w < wl_count; w++) {
		const struct wl_desc *wl = wl_all[w];
		if (!wl->scenario || wl->scenario->setup != ipc_setup)
			continue;
		for (int variant = 0; variant < 4; variant++) {
			int64_t params[2] = {variant & 1 ? 100003 : 64, variant >> 1};
			char why[200];
			if (wl->scenario->plannable(wl->scenario->impl, params, why, sizeof(why)))
				continue;
			struct ipc_state *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			assert_true(s != MAP_FAILED);
			s->chan = wl->scenario->impl;
			assert_int_equal(ipc_setup(s, params, 2, why, sizeof(why)), 0);
			struct cc_worker_out out = {0};
			cc_hist_reset(&out.hist);
			/* role 1 waits for role 0's first message, which never comes; streamed, role 0 sends
			 * into a channel nobody empties (a large message fills it), then waits for an ack */
			struct waiter wt = {{s, params, params[1] ? 0 : 1, 2, 10, &out, 1, NULL, NULL}, 1};
			pid_t child = -1;
			pthread_t t;
			if (variant & 2) {
				child = fork();
				if (child == 0) {
					wait_in_role(&wt);
					_exit(wt.rc ? 0 : 1);
				}
			} else {
				assert_int_equal(pthread_create(&t, NULL, wait_in_role, &wt), 0);
			}
			usleep(20000);
			ipc_stop(s);
			if (child > 0) {
				int st;
				assert_int_equal(waitpid(child, &st, 0), child);
				assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
			} else {
				pthread_join(t, NULL);
				assert_int_not_equal(wt.rc, 0);
			}
			ipc_teardown(s, 2);
			munmap(s, sizeof(*s));
		}
	}
}

static unsigned admits_two(const int64_t *params)
{
	(void)params;
	return 2;
}

/* A lock that let two roles in at once loses increments made under it: the verify hook must say so.
 * (A real race cannot be made to happen on demand, so the count a broken lock would leave is set.) And
 * the fairness figures: equal shares give 1, one role served alone gives 1/n and a share of 0. */
static void a_lock_that_breaks_exclusion_fails_and_fairness_is_measured(void **state)
{
	(void)state;
	static struct lock_state s;
	char why[200] = "";
	for (unsigned k = 0; k < 3; k++)
		atomic_store(&s.role[k].done, 40);
	s.inside = 3 * 40;
	atomic_store(&s.writes, 3 * 40);
	assert_int_equal(lock_verify(&s, NULL, 40, why, sizeof(why)), 0);
	s.inside = 3 * 40 - 1;
	assert_int_equal(lock_verify(&s, NULL, 40, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "mutual exclusion broken: 120 increments under the lock came out as 119"));
	static const struct lock_ops semaphore_of_two = {.admits = admits_two}; /* 3 roles let in at once: too many */
	s.ops = &semaphore_of_two;
	atomic_store(&s.most, 2);
	assert_int_equal(lock_verify(&s, NULL, 40, why, sizeof(why)), 0);
	atomic_store(&s.most, 3);
	assert_int_equal(lock_verify(&s, NULL, 40, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "a semaphore of 2 let 3 roles in at once"));
	s.ops = NULL;
	double v[SC_MAX_METRICS];
	s.share[0] = s.share[1] = s.share[2] = 10;
	lock_measure(&s, NULL, 40, v);
	assert_true(v[0] > 0.999 && v[1] > 0.999);
	s.share[0] = 30, s.share[1] = s.share[2] = 0;
	lock_measure(&s, NULL, 40, v);
	assert_true(v[0] > 0.333 && v[0] < 0.334 && v[1] == 0);
}

/* A queue that lost an item, or handed one out twice in place of another, fails: the consumers' count
 * and the fold of what they got must be the producers'. */
static void a_queue_that_loses_or_doubles_an_item_fails(void **state)
{
	(void)state;
	static struct queue_state s;
	char why[200] = "";
	s.producers = 2;
	uint64_t fold = 0;
	for (uint32_t p = 0; p < 2; p++)
		for (uint64_t i = 0; i < 10; i++)
			fold += cc_fold(((uint64_t)p << 40) ^ i, p);
	atomic_store(&s.got, 20);
	atomic_store(&s.got_fold, fold);
	assert_int_equal(queue_verify(&s, NULL, 10, why, sizeof(why)), 0);
	atomic_store(&s.got, 19);
	assert_int_equal(queue_verify(&s, NULL, 10, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "20 items put, 19 got"));
	atomic_store(&s.got, 20);
	atomic_store(&s.got_fold, fold - cc_fold(3, 0) + cc_fold(4, 0)); /* item 3 lost, item 4 twice */
	assert_int_equal(queue_verify(&s, NULL, 10, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "not the same ones"));
}

static void fold_is_order_independent(void **state)
{
	(void)state;
	uint64_t a = cc_fold(1, 10) + cc_fold(2, 20), b = cc_fold(2, 20) + cc_fold(1, 10);
	assert_int_equal(a, b);
	assert_int_not_equal(cc_fold(1, 20) + cc_fold(2, 10), a); /* but results stay tied to their task */
}

int main(void)
{
	setpgid(0, 0); /* the fault workload tells worker processes apart by their process group */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_model_matches_serial),
		cmocka_unit_test(every_queue_order_runs_the_same_tasks),
		cmocka_unit_test(more_workers_than_tasks),
		cmocka_unit_test(a_different_result_changes_the_checksum),
		cmocka_unit_test(crashed_worker_fails_the_run),
		cmocka_unit_test(worker_exit_status_is_reported),
		cmocka_unit_test(per_task_models_respect_max_live),
		cmocka_unit_test(every_scenario_verifies_under_each_executor),
		cmocka_unit_test(ipc_stop_wakes_a_waiting_role),
		cmocka_unit_test(a_lock_that_breaks_exclusion_fails_and_fairness_is_measured),
		cmocka_unit_test(a_queue_that_loses_or_doubles_an_item_fails),
		cmocka_unit_test(fold_is_order_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
