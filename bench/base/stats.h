/* Statistics for comparing results: medians, median absolute deviation, the Mann-Whitney U test. */
#ifndef CONCUR_STATS_H
#define CONCUR_STATS_H

#include <stddef.h>

/* The median of v[0..n), sorting v; 0 when empty. */
double cc_median(double *v, unsigned n);
/* Median of v[0..n) (v is not changed); 0 for none. */
double cc_median_of(const double *v, size_t n);
/* Median absolute deviation of v[0..n) (v is not changed). */
double cc_mad(const double *v, size_t n);

struct cc_utest {
	double u;     /* the smaller of U(a) and U(b) */
	double p;     /* two-sided p-value */
	double p_min; /* the smallest p these sample sizes can give: a test that cannot reach alpha means nothing */
	int exact;    /* 1: exact distribution (no ties, small samples); 0: normal approximation with tie correction */
};

/* Two-sided Mann-Whitney U test of a[0..na) against b[0..nb). 0, or -EINVAL when a sample is empty. */
int cc_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct cc_utest *out);

/* Two-sided p-value of Welch's t-test between a[0..na) and b[0..nb) (each at least 2). 1 when undefined. */
double cc_welch_p(const double *a, size_t na, const double *b, size_t nb);

struct cc_change {
	size_t index;  /* the first point after the change */
	double change; /* mean after / mean before - 1 */
	double p;
};

/*
 * Change points of series x[0..n) in the manner of Apache Otava / Hunter: binary
 * segmentation, each candidate split judged by Welch's t-test between at most window
 * (and at least 5) points on either side; a split is kept when p < p_max. Fills out (sorted by index,
 * at most max) and returns how many.
 */
size_t cc_change_points(const double *x, size_t n, size_t window, double p_max, struct cc_change *out, size_t max);

#endif
