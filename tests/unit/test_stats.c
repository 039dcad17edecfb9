/* The Mann-Whitney U test against values worked out by hand, and the median absolute deviation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/stats.h"

static void separated_samples(void **state)
{
	(void)state;
	const double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
	struct cc_utest t;
	assert_int_equal(cc_mann_whitney(a, 5, b, 5, &t), 0);
	assert_true(t.exact);
	assert_true(t.u == 0);
	assert_true(fabs(t.p - 2.0 / 252) < 1e-12); /* 2 of the C(10,5) = 252 arrangements */
	assert_true(fabs(t.p_min - 2.0 / 252) < 1e-12);
	assert_int_equal(cc_mann_whitney(b, 5, a, 5, &t), 0); /* two-sided: symmetric */
	assert_true(fabs(t.p - 2.0 / 252) < 1e-12);
}

static void interleaved_samples(void **state)
{
	(void)state;
	const double a[] = {1, 3, 5, 7}, b[] = {2, 4, 6, 8};
	struct cc_utest t;
	cc_mann_whitney(a, 4, b, 4, &t);
	/* U(a) = 0+1+2+3 = 6. For sizes 4 and 4 the counts of U = 0, 1, 2 ... are
	 * 1 1 2 3 5 5 7 7 8 ... (of 70), so P(U <= 6) = 24/70 and two-sided p = 48/70 */
	assert_true(t.u == 6);
	assert_true(fabs(t.p - 48.0 / 70) < 1e-12);
}

static void tiny_samples_cannot_be_significant(void **state)
{
	(void)state;
	const double a[] = {1, 2, 3}, b[] = {7, 8, 9};
	struct cc_utest t;
	cc_mann_whitney(a, 3, b, 3, &t);
	assert_true(fabs(t.p - 0.1) < 1e-12); /* 2 of C(6,3) = 20 */
	assert_true(t.p_min > 0.01);
}

static void identical_samples_and_ties(void **state)
{
	(void)state;
	const double a[] = {5, 5, 5, 5, 5, 5}, b[] = {5, 5, 5, 5, 5, 5};
	struct cc_utest t;
	cc_mann_whitney(a, 6, b, 6, &t);
	assert_false(t.exact);
	assert_true(t.p == 1);
	const double c[] = {1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, d[] = {20, 21, 22, 22, 23, 24, 25, 26, 27, 28, 29, 30};
	cc_mann_whitney(c, 12, d, 12, &t);
	assert_false(t.exact); /* ties: normal approximation */
	assert_true(t.p < 1e-4);
}

static void large_samples_use_the_normal_approximation(void **state)
{
	(void)state;
	double a[40], b[40];
	for (int k = 0; k < 40; k++)
		a[k] = k, b[k] = k + 0.5;
	struct cc_utest t;
	cc_mann_whitney(a, 40, b, 40, &t);
	assert_false(t.exact);
	assert_true(t.p > 0.5);
	assert_int_equal(cc_mann_whitney(a, 0, b, 40, &t), -22);
}

static void median_absolute_deviation(void **state)
{
	(void)state;
	const double v[] = {1, 1, 2, 2, 4, 6, 9};
	assert_true(cc_mad(v, 7) == 1); /* median 2; deviations 1 1 0 0 2 4 7 */
	assert_true(v[6] == 9);          /* not reordered */
}

static void welch_t_test(void **state)
{
	(void)state;
	const double a[] = {1, 2, 3, 4, 5}, b[] = {1, 2, 3, 4, 5}, c[] = {11, 12, 13, 14, 15};
	assert_true(fabs(cc_welch_p(a, 5, b, 5) - 1) < 1e-9);
	/* t = -10, df = 8: p = 8.5e-6 (two-sided) */
	double p = cc_welch_p(a, 5, c, 5);
	assert_true(p > 8e-6 && p < 9e-6);
	const double d[] = {1, 2, 3, 4, 6}; /* means 3 and 3.2: far from significant */
	assert_true(cc_welch_p(a, 5, d, 5) > 0.8);
}

/* A deterministic noisy series: the same small wobble everywhere. */
static double wobble(size_t k) { return ((k * 7919) % 13) / 13.0 - 0.5; }

static void change_points_find_a_step(void **state)
{
	(void)state;
	double x[60];
	for (size_t k = 0; k < 60; k++)
		x[k] = 100 + wobble(k) * 2 + (k >= 37 ? 15 : 0);
	struct cc_change c[8];
	size_t n = cc_change_points(x, 60, 30, 0.001, c, 8);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].index, 37);
	assert_true(c[0].change > 0.13 && c[0].change < 0.17);
	for (size_t k = 0; k < 60; k++) /* two steps, down then back up */
		x[k] = 50 + wobble(k) + (k >= 20 && k < 40 ? -10 : 0);
	n = cc_change_points(x, 60, 30, 0.001, c, 8);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].index, 20);
	assert_int_equal(c[1].index, 40);
	assert_true(c[0].change < 0 && c[1].change > 0);
}

static void change_points_ignore_noise(void **state)
{
	(void)state;
	double x[80];
	for (size_t k = 0; k < 80; k++)
		x[k] = 100 + wobble(k) * 10; /* large but stationary noise */
	struct cc_change c[8];
	assert_int_equal(cc_change_points(x, 80, 30, 0.001, c, 8), 0);
	assert_int_equal(cc_change_points(x, 3, 30, 0.001, c, 8), 0); /* too short to say anything */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(separated_samples),
		cmocka_unit_test(interleaved_samples),
		cmocka_unit_test(tiny_samples_cannot_be_significant),
		cmocka_unit_test(identical_samples_and_ties),
		cmocka_unit_test(large_samples_use_the_normal_approximation),
		cmocka_unit_test(median_absolute_deviation),
		cmocka_unit_test(welch_t_test),
		cmocka_unit_test(change_points_find_a_step),
		cmocka_unit_test(change_points_ignore_noise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
