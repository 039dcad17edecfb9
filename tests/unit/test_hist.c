/* The latency histogram: exact small values, bounded relative error, merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/hist.h"

static struct cc_hist *new_hist(void)
{
	struct cc_hist *h = malloc(sizeof(*h));
	cc_hist_reset(h);
	return h;
}

static void empty_is_zero(void **state)
{
	(void)state;
	struct cc_hist *h = new_hist();
	assert_int_equal(cc_hist_quantile(h, 0.5), 0);
	assert_int_equal(h->count, 0);
	free(h);
}

static void small_values_are_exact(void **state)
{
	(void)state;
	struct cc_hist *h = new_hist();
	for (uint64_t v = 0; v < 128; v++) {
		cc_hist_reset(h);
		cc_hist_record(h, v);
		assert_int_equal(cc_hist_quantile(h, 0.5), v);
	}
	free(h);
}

/* A single value comes back no lower than itself and at most 1/64 higher, across the range. */
static void relative_error_is_bounded(void **state)
{
	(void)state;
	struct cc_hist *h = new_hist();
	for (uint64_t v = 100; v < UINT64_MAX / 3; v = v * 3 + 7) {
		cc_hist_reset(h);
		cc_hist_record(h, v);
		cc_hist_record(h, v * 2); /* so that max does not clamp the answer for v */
		uint64_t q = cc_hist_quantile(h, 0.25);
		assert_true(q >= v);
		assert_true((double)q <= (double)v * (1.0 + 1.0 / 64));
	}
	free(h);
}

static void quantiles_of_uniform(void **state)
{
	(void)state;
	struct cc_hist *h = new_hist();
	for (uint64_t v = 1; v <= 100000; v++)
		cc_hist_record(h, v);
	assert_int_equal(h->count, 100000);
	assert_int_equal(h->max, 100000);
	const double qs[] = {0.5, 0.9, 0.99, 0.999};
	for (unsigned k = 0; k < 4; k++) {
		double want = qs[k] * 100000, got = (double)cc_hist_quantile(h, qs[k]);
		assert_true(got >= want * (1 - 1.0 / 64) && got <= want * (1 + 1.0 / 64));
	}
	assert_int_equal(cc_hist_quantile(h, 1.0), 100000);
	free(h);
}

static void merge_adds_up(void **state)
{
	(void)state;
	struct cc_hist *a = new_hist(), *b = new_hist();
	for (int k = 0; k < 99; k++)
		cc_hist_record(a, 1000);
	cc_hist_record(b, 5000000);
	cc_hist_merge(a, b);
	assert_int_equal(a->count, 100);
	assert_int_equal(a->max, 5000000);
	assert_true(cc_hist_quantile(a, 0.5) >= 1000 && cc_hist_quantile(a, 0.5) <= 1016);
	assert_int_equal(cc_hist_quantile(a, 0.999), 5000000);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_is_zero),
		cmocka_unit_test(small_values_are_exact),
		cmocka_unit_test(relative_error_is_bounded),
		cmocka_unit_test(quantiles_of_uniform),
		cmocka_unit_test(merge_adds_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
