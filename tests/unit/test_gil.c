/*
 * The global interpreter lock (base/gil.h): one holder at a time; a waiter asks for it after the
 * interval and the holder hands it over at a yield point, to another thread (forced switching); blocking
 * calls of the IO layer release it. The hold times are measured and printed, not asserted: a loaded
 * machine stretches them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/busy.h"
#include "base/clock.h"
#include "base/gil.h"
#include "coro/io.h"

#define THREADS 3
#define MAX_HOLDS 4096

struct turns {
	struct cc_gil gil;
	atomic_int inside;   /* threads between taking and dropping: never more than one */
	atomic_int overlaps;
	atomic_int not_handed_over;
	pthread_mutex_t m;
	int64_t holds[MAX_HOLDS]; /* ns a holder kept the lock before a requested switch */
	unsigned nholds;
	int64_t work_ns;
	uint64_t slice; /* busy steps between yield points: calibrated once, before the threads start */
	pthread_barrier_t all_here; /* every thread created before any takes the lock: they must contend */
};

static void *compute(void *p)
{
	struct turns *t = p;
	uint64_t slice = t->slice;
	pthread_barrier_wait(&t->all_here);
	cc_gil_enter(&t->gil);
	int64_t since = cc_now_ns(), until = since + t->work_ns;
	while (cc_now_ns() < until) {
		if (atomic_fetch_add(&t->inside, 1) != 0)
			atomic_fetch_add(&t->overlaps, 1);
		uint64_t x = slice | 1;
		for (uint64_t k = 0; k < slice; k++) { /* cc_busy_chain without its yield points */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			__asm__ volatile("" : "+r"(x));
		}
		atomic_fetch_sub(&t->inside, 1);
		if (atomic_load_explicit(&t->gil.drop_request, memory_order_relaxed)) {
			int64_t held = cc_now_ns() - since;
			uint64_t before = cc_gil_switches(&t->gil);
			cc_gil_switch();
			/* forced switching: another thread took the lock before this one got it back */
			if (cc_gil_switches(&t->gil) < before + 2)
				atomic_fetch_add(&t->not_handed_over, 1);
			since = cc_now_ns();
			pthread_mutex_lock(&t->m);
			if (t->nholds < MAX_HOLDS)
				t->holds[t->nholds++] = held;
			pthread_mutex_unlock(&t->m);
		}
	}
	cc_gil_leave();
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void computing_threads_take_turns_at_the_interval(void **state)
{
	(void)state;
	static struct turns t;
	t = (struct turns){.work_ns = 150000000, .slice = cc_busy_steps(20000)}; /* 20 us between yield points */
	pthread_mutex_init(&t.m, NULL);
	pthread_barrier_init(&t.all_here, NULL, THREADS);
	assert_int_equal(cc_gil_init(&t.gil, 2000000), 0); /* 2 ms */
	pthread_t th[THREADS];
	for (unsigned k = 0; k < THREADS; k++)
		assert_int_equal(pthread_create(&th[k], NULL, compute, &t), 0);
	for (unsigned k = 0; k < THREADS; k++)
		pthread_join(th[k], NULL);
	assert_int_equal(atomic_load(&t.overlaps), 0);
	assert_int_equal(atomic_load(&t.not_handed_over), 0);
	/* three threads computing for 150 ms each under a 2 ms interval must have been asked to switch */
	assert_true(atomic_load(&t.gil.drop_requests) >= 1);
	/* forced_waits counts the drops that found nobody had taken the lock yet: how often depends on the
	 * scheduler, so it is printed, not asserted; that the lock was always handed over is (not_handed_over) */
	assert_true(cc_gil_switches(&t.gil) >= 2);
	assert_true(t.nholds >= 1);
	qsort(t.holds, t.nholds, sizeof(t.holds[0]), by_value);
	printf("# interval 2.000 ms: %u requested switches, holds min %.3f ms, median %.3f ms, max %.3f ms; "
	       "%llu switches, %llu drop requests, %llu forced waits\n",
	       t.nholds, t.holds[0] / 1e6, t.holds[t.nholds / 2] / 1e6, t.holds[t.nholds - 1] / 1e6,
	       (unsigned long long)cc_gil_switches(&t.gil), (unsigned long long)atomic_load(&t.gil.drop_requests),
	       (unsigned long long)atomic_load(&t.gil.forced_waits));
	cc_gil_destroy(&t.gil);
	pthread_mutex_destroy(&t.m);
	pthread_barrier_destroy(&t.all_here);
}

struct exchange {
	struct cc_gil gil;
	int fd[2];
	char got;
};

/* Holds the lock, then blocks in a read that only the other thread's write can end: it returns only
 * if the read released the lock. */
static void *reader(void *p)
{
	struct exchange *x = p;
	cc_gil_enter(&x->gil);
	assert_int_equal(cio_read(x->fd[0], &x->got, 1), 1);
	cc_gil_leave();
	return NULL;
}

static void *writer(void *p)
{
	struct exchange *x = p;
	cc_gil_enter(&x->gil);
	assert_int_equal(cio_write(x->fd[1], "g", 1), 1);
	cc_gil_leave();
	return NULL;
}

static void a_blocking_read_releases_the_lock(void **state)
{
	(void)state;
	static struct exchange x;
	assert_int_equal(cc_gil_init(&x.gil, 5000000), 0);
	assert_int_equal(pipe(x.fd), 0);
	pthread_t r, w;
	assert_int_equal(pthread_create(&r, NULL, reader, &x), 0);
	usleep(20000); /* the reader is most likely blocked by now; if not, the writer waits its turn */
	assert_int_equal(pthread_create(&w, NULL, writer, &x), 0);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	assert_int_equal(x.got, 'g');
	assert_true(atomic_load(&x.gil.io_releases) >= 2);
	close(x.fd[0]);
	close(x.fd[1]);
	cc_gil_destroy(&x.gil);
}

static void outside_a_gil_nothing_changes(void **state)
{
	(void)state;
	assert_null(cc_gil_current);
	cc_gil_yield_point(); /* no-ops */
	cc_gil_blocking_begin();
	cc_gil_blocking_end();
	cc_gil_leave();
	struct cc_gil g;
	assert_int_equal(cc_gil_init(&g, 999), -EINVAL); /* under a microsecond */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(computing_threads_take_turns_at_the_interval),
		cmocka_unit_test(a_blocking_read_releases_the_lock),
		cmocka_unit_test(outside_a_gil_nothing_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
