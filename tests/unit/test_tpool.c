/* The thread pool: futures, errors, callbacks, map, both shutdowns, a full queue, start hooks. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pool/tpool.h"

static uint64_t square(void *ctx, uint64_t i, unsigned worker, int *err)
{
	(void)ctx, (void)worker, (void)err;
	return i * i;
}

static uint64_t fail_on_7(void *ctx, uint64_t i, unsigned worker, int *err)
{
	(void)ctx, (void)worker;
	if (i == 7)
		*err = -EDOM;
	return i;
}

static struct tpool *make(unsigned workers, unsigned capacity, unsigned spin_ns)
{
	struct tpool *p = NULL;
	struct tpool_opts o = {.workers = workers, .capacity = capacity, .spin_ns = spin_ns};
	assert_int_equal(tpool_create(&o, &p), 0);
	return p;
}

static void bad_options(void **state)
{
	(void)state;
	struct tpool *p;
	assert_int_equal(tpool_create(&(struct tpool_opts){.workers = 0, .capacity = 4}, &p), -EINVAL);
	assert_int_equal(tpool_create(&(struct tpool_opts){.workers = 2, .capacity = 0}, &p), -EINVAL);
	assert_int_equal(tpool_create(NULL, &p), -EINVAL);
}

/* More futures than queue slots: submitters block and resume; every result arrives. */
static void futures_through_a_small_queue(void **state)
{
	(void)state;
	enum { N = 2000 };
	static struct tpool_future f[N];
	const unsigned workers[] = {1, 2, 4};
	for (unsigned w = 0; w < 3; w++) {
		struct tpool *p = make(workers[w], 8, w == 1 ? 0 : 20000);
		for (uint64_t i = 0; i < N; i++) {
			tpool_future_init(&f[i], NULL, NULL);
			assert_int_equal(tpool_submit(p, square, NULL, i, &f[i]), 0);
		}
		uint64_t tasks = 0;
		for (uint64_t i = 0; i < N; i++) {
			assert_int_equal(tpool_wait(p, &f[i]), 0);
			assert_int_equal(f[i].result, i * i);
		}
		for (unsigned k = 0; k < workers[w]; k++)
			tasks += tpool_stats(p, k).tasks;
		assert_int_equal(tasks, N);
		assert_int_equal(tpool_shutdown(p, true), 0);
	}
}

static void task_errors_reach_the_future(void **state)
{
	(void)state;
	struct tpool *p = make(2, 16, 0);
	struct tpool_future ok, bad;
	tpool_future_init(&ok, NULL, NULL);
	tpool_future_init(&bad, NULL, NULL);
	tpool_submit(p, fail_on_7, NULL, 6, &ok);
	tpool_submit(p, fail_on_7, NULL, 7, &bad);
	assert_int_equal(tpool_wait(p, &ok), 0);
	assert_int_equal(tpool_wait(p, &bad), -EDOM);
	tpool_shutdown(p, true);
}

static void count_call(struct tpool_future *f, void *arg)
{
	atomic_uint *calls = arg;
	assert_false(tpool_done(f)); /* the callback runs before the future is marked done */
	atomic_fetch_add(calls, 1);
}

static void callbacks_run_once_before_waiters_wake(void **state)
{
	(void)state;
	enum { N = 300 };
	static struct tpool_future f[N];
	atomic_uint calls;
	atomic_init(&calls, 0);
	struct tpool *p = make(3, 32, 1000);
	for (uint64_t i = 0; i < N; i++) {
		tpool_future_init(&f[i], count_call, &calls);
		tpool_submit(p, square, NULL, i, &f[i]);
	}
	for (uint64_t i = 0; i < N; i++)
		tpool_wait(p, &f[i]);
	assert_int_equal(atomic_load(&calls), N);
	tpool_shutdown(p, true);
}

struct tally {
	atomic_uint_fast64_t sum, calls, errors;
};

static void add_up(void *arg, uint64_t i, uint64_t result, int err, unsigned worker)
{
	struct tally *t = arg;
	(void)i, (void)worker;
	atomic_fetch_add(&t->sum, result);
	atomic_fetch_add(&t->calls, 1);
	if (err)
		atomic_fetch_add(&t->errors, 1);
}

static void map_over_a_range(void **state)
{
	(void)state;
	struct tpool *p = make(2, 64, 5000);
	struct tally t = {0};
	assert_int_equal(tpool_map(p, square, NULL, 1000, add_up, &t), 0);
	assert_int_equal(atomic_load(&t.calls), 1000);
	assert_int_equal(atomic_load(&t.sum), 999ull * 1000 * 1999 / 6);
	struct tally u = {0};
	assert_int_equal(tpool_map(p, fail_on_7, NULL, 100, add_up, &u), -EDOM);
	assert_int_equal(atomic_load(&u.calls), 100); /* a failure does not stop the others */
	assert_int_equal(atomic_load(&u.errors), 1);
	assert_int_equal(tpool_map(p, square, NULL, 0, add_up, &u), 0);
	tpool_shutdown(p, true);
}

static atomic_int release, entered;

static uint64_t block_until_released(void *ctx, uint64_t i, unsigned worker, int *err)
{
	(void)ctx, (void)worker, (void)err;
	atomic_store(&entered, 1);
	while (!atomic_load(&release))
		sched_yield();
	return i;
}

static void *release_when_stopping(void *arg)
{
	struct tpool *p = arg;
	while (tpool_accepting(p))
		sched_yield();
	atomic_store(&release, 1);
	return NULL;
}

static void shutdown_without_waiting_cancels_the_queue(void **state)
{
	(void)state;
	struct tpool_future f[6];
	struct tpool *p = make(1, 8, 0);
	atomic_store(&release, 0);
	atomic_store(&entered, 0);
	for (unsigned i = 0; i < 6; i++) {
		tpool_future_init(&f[i], NULL, NULL);
		tpool_submit(p, block_until_released, NULL, i, &f[i]);
	}
	pthread_t helper;
	pthread_create(&helper, NULL, release_when_stopping, p);
	while (!atomic_load(&entered)) /* the only worker is inside task 0 */
		sched_yield();
	unsigned cancelled = tpool_shutdown(p, false);
	pthread_join(helper, NULL);
	assert_int_equal(cancelled, 5);
	assert_int_equal(f[0].err, 0);
	for (unsigned i = 1; i < 6; i++) {
		assert_true(tpool_done(&f[i]));
		assert_int_equal(f[i].err, -ECANCELED);
	}
}

static void shutdown_waiting_runs_everything(void **state)
{
	(void)state;
	enum { N = 500 };
	static struct tpool_future f[N];
	struct tpool *p = make(2, 1024, 0);
	for (uint64_t i = 0; i < N; i++) {
		tpool_future_init(&f[i], NULL, NULL);
		tpool_submit(p, square, NULL, i, &f[i]);
	}
	assert_int_equal(tpool_shutdown(p, true), 0);
	for (uint64_t i = 0; i < N; i++) {
		assert_true(tpool_done(&f[i]));
		assert_int_equal(f[i].err, 0);
		assert_int_equal(f[i].result, i * i);
	}
}

static pthread_t main_thread;
static atomic_uint started_mask;

static void note_start(unsigned worker, void *arg)
{
	(void)arg;
	assert_false(pthread_equal(pthread_self(), main_thread));
	atomic_fetch_or(&started_mask, 1u << worker);
}

static void start_hook_runs_in_every_worker(void **state)
{
	(void)state;
	main_thread = pthread_self();
	atomic_init(&started_mask, 0);
	struct tpool *p = NULL;
	struct tpool_opts o = {.workers = 5, .capacity = 4, .on_start = note_start};
	assert_int_equal(tpool_create(&o, &p), 0);
	assert_int_equal(atomic_load(&started_mask), 0x1f); /* all started before create returns */
	assert_int_equal(tpool_workers(p), 5);
	tpool_shutdown(p, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_options),
		cmocka_unit_test(futures_through_a_small_queue),
		cmocka_unit_test(task_errors_reach_the_future),
		cmocka_unit_test(callbacks_run_once_before_waiters_wake),
		cmocka_unit_test(map_over_a_range),
		cmocka_unit_test(shutdown_without_waiting_cancels_the_queue),
		cmocka_unit_test(shutdown_waiting_runs_everything),
		cmocka_unit_test(start_hook_runs_in_every_worker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
