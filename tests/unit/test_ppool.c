/*
 * The process pool: results folded through shared memory, reuse across runs,
 * and workers that crash, exit non-zero or are killed from outside: each task
 * is recorded as failed with the reason, the worker is replaced, the pool goes
 * on, and no child is left once it is destroyed.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pool/ppool.h"

/* What the workers tell the test, in memory they share with it. */
struct board {
	atomic_int started[8];
	atomic_int victim; /* pid of a worker waiting to be killed */
};
static struct board *board;

static uint64_t square(const void *ctx, uint64_t i, unsigned worker)
{
	(void)ctx, (void)worker;
	return i * i;
}

static uint64_t misbehave(const void *ctx, uint64_t i, unsigned worker)
{
	const int *how = ctx;
	(void)worker;
	if (i == 17) {
		if (*how == 1)
			raise(SIGSEGV);
		if (*how == 2)
			_exit(3);
		if (*how == 3) { /* wait to be killed from outside */
			atomic_store(&board->victim, getpid());
			for (;;)
				pause();
		}
	}
	return i * i;
}

static void note_start(unsigned worker, void *arg)
{
	(void)arg;
	atomic_store(&board->started[worker], getpid());
}

static struct ppool *make(unsigned workers, const int *how)
{
	(void)how;
	struct ppool *p = NULL;
	struct ppool_opts o = {.workers = workers, .capacity = 16, .spin_ns = 1000, .on_start = note_start};
	assert_int_equal(ppool_create(&o, &p), 0);
	return p;
}

static void assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void bad_options(void **state)
{
	(void)state;
	struct ppool *p;
	assert_int_equal(ppool_create(&(struct ppool_opts){.workers = 0, .capacity = 4}, &p), -EINVAL);
	assert_int_equal(ppool_create(&(struct ppool_opts){.workers = 1, .capacity = 0}, &p), -EINVAL);
	assert_int_equal(ppool_create(NULL, &p), -EINVAL);
}

static void results_come_back_through_shared_memory(void **state)
{
	(void)state;
	const uint64_t n = 1000, want = (n - 1) * n * (2 * n - 1) / 6;
	for (unsigned w = 1; w <= 3; w++) {
		memset(board, 0, sizeof(*board));
		struct ppool *p = make(w, NULL);
		for (unsigned k = 0; k < w; k++) { /* the start hook ran in each worker, not here */
			assert_true(atomic_load(&board->started[k]) > 0);
			assert_int_not_equal(atomic_load(&board->started[k]), getpid());
			assert_int_equal(atomic_load(&board->started[k]), ppool_worker_pid(p, k));
		}
		for (int run = 0; run < 3; run++) { /* the same workers, run after run */
			struct ppool_result res;
			assert_int_equal(ppool_run(p, square, NULL, n, &res), 0);
			assert_int_equal(res.acc, want);
			assert_int_equal(res.completed, n);
			assert_int_equal(res.failed, 0);
		}
		struct ppool_result one;
		assert_int_equal(ppool_run(p, square, NULL, 1, &one), 0);
		assert_int_equal(one.completed, 1);
		assert_int_equal(ppool_replaced(p), 0);
		ppool_destroy(p);
		assert_no_children();
	}
}

/* A worker dies on task 17 as `how` says; the run records it and the pool carries on. */
static void assert_recovers(int how, const char *why)
{
	static int shared_how; /* copied into the workers by fork */
	shared_how = how;
	struct ppool *p = make(2, &shared_how);
	struct ppool_result res;
	const uint64_t n = 100;
	assert_int_equal(ppool_run(p, misbehave, &shared_how, n, &res), -ECHILD);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.completed, n - 1);
	assert_int_equal(res.acc, (n - 1) * n * (2 * n - 1) / 6 - 17 * 17);
	assert_non_null(strstr(res.why, "task 17 failed"));
	assert_non_null(strstr(res.why, why));
	assert_int_equal(ppool_replaced(p), 1);
	shared_how = 0;
	assert_int_equal(ppool_run(p, square, NULL, n, &res), 0); /* the replacement works */
	assert_int_equal(res.completed, n);
	ppool_destroy(p);
	assert_no_children();
}

static void a_crash_fails_one_task(void **state)
{
	(void)state;
	assert_recovers(1, "killed by signal 11");
}

static void a_nonzero_exit_fails_one_task(void **state)
{
	(void)state;
	assert_recovers(2, "exited with status 3");
}

static void *kill_the_victim(void *arg)
{
	(void)arg;
	int pid;
	while (!(pid = atomic_load(&board->victim)))
		sched_yield();
	kill(pid, SIGKILL);
	return NULL;
}

static void a_kill_from_outside_fails_one_task(void **state)
{
	(void)state;
	atomic_store(&board->victim, 0);
	pthread_t t;
	pthread_create(&t, NULL, kill_the_victim, NULL);
	assert_recovers(3, "killed by signal 9");
	pthread_join(t, NULL);
}

int main(void)
{
	board = mmap(NULL, sizeof(*board), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_options),
		cmocka_unit_test(results_come_back_through_shared_memory),
		cmocka_unit_test(a_crash_fails_one_task),
		cmocka_unit_test(a_nonzero_exit_fails_one_task),
		cmocka_unit_test(a_kill_from_outside_fails_one_task),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
