/*
 * cpu/primes: count the primes in a range of `span` integers by trial
 * division. Integer divides and unpredictable branches: the opposite of
 * cpu/hash's straight-line multiplies. Task i takes the range starting at
 * `from` + i * span; the count is the result.
 */
#include <errno.h>
#include <stdlib.h>

#include <stdbool.h>

#include "base/gil.h"
#include "work/workload.h"

struct primes_ctx {
	uint64_t from, span;
};

static bool is_prime(uint64_t n)
{
	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (uint64_t d = 3; d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

static uint64_t primes_task(const void *p, uint64_t i)
{
	const struct primes_ctx *c = p;
	uint64_t lo = c->from + i * c->span, count = 0;
	for (uint64_t n = lo; n < lo + c->span; n++) {
		count += is_prime(n);
		cc_gil_yield_point();
	}
	return count;
}

static int primes_setup(const int64_t *params, void **ctx)
{
	struct primes_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->span = (uint64_t)params[0];
	c->from = (uint64_t)params[1];
	*ctx = c;
	return 0;
}

static void primes_teardown(void *p) { free(p); }

/* About sqrt(n)/2 odd divisors for a prime, far fewer for most composites: ~sqrt(n)/8 on average. */
static double primes_ns(const int64_t *params)
{
	double n = (double)params[1];
	double d = 1;
	while (d * d < n)
		d *= 2;
	return (double)params[0] * (d / 8) * 1.5;
}

static const struct wl_param primes_params[] = {
	{"span", WL_INT, 2000, 1, 100000000, "integers tested per task"},
	{"from", WL_INT, 1000000, 0, 1000000000000, "first integer of task 0's range"},
	{0},
};

const struct wl_desc wl_cpu_primes = {
	.name = "primes",
	.cls = WL_CPU,
	.summary = "count primes in a range of span integers by trial division (integer, branchy)",
	.params = primes_params,
	.default_tasks = 250,
	.smoke = (const int64_t[]){200, 1000000},
	.setup = primes_setup,
	.teardown = primes_teardown,
	.task = primes_task,
	.task_ns = primes_ns,
	.sweep = "span=200,2000,20000",
};
