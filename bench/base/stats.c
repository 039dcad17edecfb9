/*
 * The Mann-Whitney U test, two-sided. For small samples without ties the p-value
 * comes from the exact distribution of U (counted with the usual recurrence);
 * otherwise from the normal approximation with continuity and tie corrections.
 */
#include "base/stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>


#define EXACT_MAX 30 /* both samples at most this large: count the exact distribution */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double cc_median(double *v, unsigned n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double cc_median_of(const double *v, size_t n)
{
	if (!n)
		return 0;
	double *c = malloc(n * sizeof(*c));
	if (!c)
		return 0;
	memcpy(c, v, n * sizeof(*c));
	double m = cc_median(c, (unsigned)n);
	free(c);
	return m;
}

double cc_mad(const double *v, size_t n)
{
	if (!n)
		return 0;
	double med = cc_median_of(v, n), *d = malloc(n * sizeof(*d));
	if (!d)
		return 0;
	for (size_t k = 0; k < n; k++)
		d[k] = fabs(v[k] - med);
	double mad = cc_median(d, (unsigned)n);
	free(d);
	return mad;
}

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->v, b = ((const struct ranked *)y)->v;
	return (a > b) - (a < b);
}

/* P(U <= u) for sizes m, n without ties: counts of arrangements by U, over C(m+n, m). */
static double exact_cdf(size_t m, size_t n, double u)
{
	size_t max = m * n;
	/* f[j][k]: arrangements of j a's and i b's with U = k, built up over i (rows reused) */
	double *f = calloc((m + 1) * (max + 1), sizeof(double)), *g = calloc((m + 1) * (max + 1), sizeof(double));
	if (!f || !g) {
		free(f);
		free(g);
		return NAN;
	}
#define AT(t, j, k) (t)[(j) * (max + 1) + (k)]
	for (size_t j = 0; j <= m; j++)
		AT(f, j, 0) = 1; /* no b's: U = 0 */
	for (size_t i = 1; i <= n; i++) {
		memset(g, 0, (m + 1) * (max + 1) * sizeof(double));
		for (size_t j = 0; j <= m; j++)
			for (size_t k = 0; k <= j * i; k++) {
				/* the largest element is a b (adds nothing) or an a (beats all i b's) */
				double v = AT(f, j, k);
				if (j && k >= i)
					v = AT(f, j, k) + AT(g, j - 1, k - i);
				AT(g, j, k) = v;
			}
		double *t = f;
		f = g;
		g = t;
	}
	double below = 0, total = 0;
	for (size_t k = 0; k <= max; k++) {
		total += AT(f, m, k);
		if ((double)k <= u + 1e-9)
			below += AT(f, m, k);
	}
#undef AT
	free(f);
	free(g);
	return below / total;
}

int cc_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct cc_utest *out)
{
	if (!na || !nb)
		return -EINVAL;
	size_t n = na + nb;
	struct ranked *r = malloc(n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t k = 0; k < na; k++)
		r[k] = (struct ranked){a[k], 1};
	for (size_t k = 0; k < nb; k++)
		r[na + k] = (struct ranked){b[k], 0};
	qsort(r, n, sizeof(*r), cmp_ranked);
	double rank_a = 0, ties = 0; /* sum over tie groups of t^3 - t */
	int tied = 0;
	for (size_t k = 0; k < n;) {
		size_t e = k;
		while (e + 1 < n && r[e + 1].v == r[k].v)
			e++;
		double avg = (double)(k + e) / 2 + 1, t = (double)(e - k + 1);
		if (t > 1)
			tied = 1, ties += t * t * t - t;
		for (size_t j = k; j <= e; j++)
			if (r[j].from_a)
				rank_a += avg;
		k = e + 1;
	}
	free(r);
	double ua = rank_a - (double)na * (double)(na + 1) / 2, ub = (double)na * (double)nb - ua;
	out->u = ua < ub ? ua : ub;
	if (!tied && na <= EXACT_MAX && nb <= EXACT_MAX) {
		out->exact = 1;
		out->p = fmin(1, 2 * exact_cdf(na, nb, out->u));
		out->p_min = fmin(1, 2 * exact_cdf(na, nb, 0));
	} else {
		out->exact = 0;
		double mu = (double)na * (double)nb / 2;
		double var = (double)na * (double)nb / 12 * ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
		double z = var > 0 ? (fabs(out->u - mu) - 0.5) / sqrt(var) : 0;
		out->p = var > 0 ? fmin(1, erfc(fmax(z, 0) / sqrt(2))) : 1;
		double z0 = var > 0 ? (mu - 0.5) / sqrt(var) : 0;
		out->p_min = var > 0 ? erfc(z0 / sqrt(2)) : 1;
	}
	return 0;
}

/* The regularized incomplete beta function I_x(a, b), by its continued fraction. */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1);
	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	double h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d, c = 1 + num / c;
		d = fabs(d) < tiny ? tiny : d, c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d, c = 1 + num / c;
		d = fabs(d) < tiny ? tiny : d, c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-12)
			break;
	}
	return h;
}

static double incomplete_beta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
	return x < (a + 1) / (a + b + 2) ? front * beta_cf(a, b, x) / a : 1 - front * beta_cf(b, a, 1 - x) / b;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
	double m = 0, s = 0;
	for (size_t k = 0; k < n; k++)
		m += v[k];
	m /= (double)n;
	for (size_t k = 0; k < n; k++)
		s += (v[k] - m) * (v[k] - m);
	*mean = m;
	*var = n > 1 ? s / (double)(n - 1) : 0;
}

/* Welch's test: the p-value, and |t| in *abs_t (p underflows to 0 long before |t| stops growing). */
static double welch(const double *a, size_t na, const double *b, size_t nb, double *abs_t)
{
	*abs_t = 0;
	if (na < 2 || nb < 2)
		return 1;
	double ma, va, mb, vb;
	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	double sa = va / (double)na, sb = vb / (double)nb, se = sa + sb;
	if (se <= 0) { /* no spread at all: equal or certainly different */
		*abs_t = ma == mb ? 0 : INFINITY;
		return ma == mb ? 1 : 0;
	}
	double t = (ma - mb) / sqrt(se);
	*abs_t = fabs(t);
	double df = se * se / (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	return incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

double cc_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double t;
	return welch(a, na, b, nb, &t);
}

/* Fewer points than this on a side, and a t-test judges the noise, not the series. */
#define MIN_SIDE 5

/* The split of x[lo, hi) (at least MIN_SIDE points each side) with the largest |t| among those
 * with p < p_max: 0 if there is none. */
static size_t best_split(const double *x, size_t lo, size_t hi, size_t window, double p_max, double *p_out)
{
	size_t best = 0;
	double best_t = -1;
	*p_out = 1;
	for (size_t k = lo + MIN_SIDE; k + MIN_SIDE <= hi; k++) {
		size_t left = k - lo < window ? k - lo : window, right = hi - k < window ? hi - k : window;
		double t, p = welch(x + k - left, left, x + k, right, &t);
		if (p < p_max && t > best_t)
			best_t = t, best = k, *p_out = p;
	}
	return best;
}

static int cmp_change(const void *a, const void *b)
{
	size_t x = ((const struct cc_change *)a)->index, y = ((const struct cc_change *)b)->index;
	return (x > y) - (x < y);
}

static struct cc_change describe(const double *x, size_t lo, size_t k, size_t hi, size_t window, double p)
{
	size_t left = k - lo < window ? k - lo : window, right = hi - k < window ? hi - k : window;
	double before, after, v;
	mean_var(x + k - left, left, &before, &v);
	mean_var(x + k, right, &after, &v);
	return (struct cc_change){k, before != 0 ? after / before - 1 : 0, p};
}

static void segment(const double *x, size_t lo, size_t hi, size_t window, double p_max, struct cc_change *out,
		    size_t *n, size_t max)
{
	if (hi - lo < 2 * MIN_SIDE || *n >= max)
		return;
	double p;
	size_t k = best_split(x, lo, hi, window, p_max, &p);
	if (!k)
		return;
	out[(*n)++] = describe(x, lo, k, hi, window, p);
	segment(x, lo, k, window, p_max, out, n, max);
	segment(x, k, hi, window, p_max, out, n, max);
}

/* One split over a whole range can land off a step when the level comes back later (a dip):
 * place each change point again, between its neighbours, until none moves. */
static void refine(const double *x, size_t n, size_t window, double p_max, struct cc_change *c, size_t found)
{
	for (int pass = 0; pass < 8; pass++) {
		bool moved = false;
		for (size_t i = 0; i < found; i++) {
			size_t lo = i ? c[i - 1].index : 0, hi = i + 1 < found ? c[i + 1].index : n;
			double p;
			size_t k = best_split(x, lo, hi, window, p_max, &p);
			if (k && k != c[i].index) {
				moved = true;
				c[i] = describe(x, lo, k, hi, window, p);
			}
		}
		if (!moved)
			break;
	}
}

size_t cc_change_points(const double *x, size_t n, size_t window, double p_max, struct cc_change *out, size_t max)
{
	size_t found = 0;
	window = window ? window : n;
	segment(x, 0, n, window, p_max, out, &found, max);
	qsort(out, found, sizeof(*out), cmp_change);
	refine(x, n, window, p_max, out, found);
	return found;
}
