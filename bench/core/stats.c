/*
 * The Mann-Whitney U test, two-sided. For small samples without ties the p-value
 * comes from the exact distribution of U (counted with the usual recurrence);
 * otherwise from the normal approximation with continuity and tie corrections.
 */
#include "core/stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan.h"

#define EXACT_MAX 30 /* both samples at most this large: count the exact distribution */

double cc_mad(const double *v, size_t n)
{
	if (!n)
		return 0;
	double *d = malloc(n * sizeof(*d));
	if (!d)
		return 0;
	memcpy(d, v, n * sizeof(*d));
	double med = cc_median(d, (unsigned)n);
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
