/*
 * io/sleep: each task waits `us` microseconds and does nothing else: the
 * course notes' time.sleep tasks, pure waiting. Through the IO layer, so a
 * coroutine parks while a thread or process blocks. The ideal wall time with
 * enough concurrency is one wait; serial takes tasks x us.
 */
#include <errno.h>
#include <stdlib.h>

#include "work/workload.h"
#include "coro/io.h"

static uint64_t sleep_task(const void *p, uint64_t i)
{
	int64_t us = *(const int64_t *)p;
	cio_sleep_ns(us * 1000);
	return i * 0x9e3779b97f4a7c15ull;
}

static int sleep_setup(const int64_t *params, void **ctx)
{
	int64_t *us = malloc(sizeof(*us));
	if (!us)
		return -ENOMEM;
	*us = params[0];
	*ctx = us;
	return 0;
}

static void sleep_teardown(void *p) { free(p); }

static double sleep_ns(const int64_t *params) { return (double)params[0] * 1000 + 50000; }

static const struct wl_param sleep_params[] = {
	{"us", WL_INT, 10000, 0, 60000000, "microseconds each task waits"},
	{0},
};

const struct wl_desc wl_io_sleep = {
	.name = "sleep",
	.cls = WL_IO,
	.headline = "io",
	.summary = "each task waits us microseconds (time.sleep): pure waiting",
	.params = sleep_params,
	.default_tasks = 10,
	.smoke = (const int64_t[]){200},
	.setup = sleep_setup,
	.teardown = sleep_teardown,
	.task = sleep_task,
	.task_ns = sleep_ns,
	.sweep = "us=100,1000,10000",
};
