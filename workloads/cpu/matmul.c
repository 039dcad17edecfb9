/*
 * cpu/matmul: C = A x B for n x n doubles, cache-blocked. Task i computes
 * one band of 16 rows of C (band i % (n/16)) in 16 x 64 tiles, running the
 * inner dimension in blocks of 64, and returns a hash of the band's bits.
 * A and B are 2 n^2 doubles: n = 256 fits in a 1 MiB L2, n = 1024 needs
 * 16 MiB and exceeds most L3 slices, so n chooses which cache the
 * multiply lives in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/gil.h"
#include "work/workload.h"

#define BAND 16
#define TILE 64

struct mm_ctx {
	size_t n;
	double *a, *b;
};

static size_t min_sz(size_t x, size_t y) { return x < y ? x : y; }

static uint64_t matmul_task(const void *p, uint64_t i)
{
	const struct mm_ctx *c = p;
	size_t n = c->n, bands = (n + BAND - 1) / BAND;
	size_t r0 = (size_t)(i % bands) * BAND, r1 = min_sz(r0 + BAND, n);
	double tile[BAND][TILE];
	uint64_t h = 0x9e3779b97f4a7c15ull ^ i;
	for (size_t j0 = 0; j0 < n; j0 += TILE) {
		size_t j1 = min_sz(j0 + TILE, n);
		memset(tile, 0, sizeof(tile));
		for (size_t k0 = 0; k0 < n; k0 += TILE) {
			size_t k1 = min_sz(k0 + TILE, n);
			for (size_t r = r0; r < r1; r++)
				for (size_t k = k0; k < k1; k++) {
					double a = c->a[r * n + k];
					const double *brow = c->b + k * n;
					for (size_t j = j0; j < j1; j++)
						tile[r - r0][j - j0] += a * brow[j];
				}
		}
		for (size_t r = 0; r < r1 - r0; r++)
			for (size_t j = 0; j < j1 - j0; j++) {
				uint64_t bits;
				memcpy(&bits, &tile[r][j], 8);
				h = (h ^ bits) * 0x100000001b3ull;
			}
		cc_gil_yield_point();
	}
	return h;
}

static uint64_t mm_bytes(const int64_t *params) { return 2 * (uint64_t)params[0] * (uint64_t)params[0] * 8; }

static int matmul_validate(const int64_t *params, char *why, size_t len)
{
	char what[48];
	snprintf(what, sizeof(what), "n=%lld: A and B", (long long)params[0]);
	return wl_check_memory(mm_bytes(params), what, why, len);
}

static int matmul_setup(const int64_t *params, void **ctx)
{
	struct mm_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->n = (size_t)params[0];
	c->a = malloc(c->n * c->n * sizeof(double));
	c->b = malloc(c->n * c->n * sizeof(double));
	if (!c->a || !c->b) {
		free(c->a), free(c->b), free(c);
		return -ENOMEM;
	}
	/* small exact values: every sum is exact, whatever the order */
	for (size_t k = 0; k < c->n * c->n; k++) {
		c->a[k] = (double)((k * 7) % 13) - 6;
		c->b[k] = (double)((k * 5) % 11) - 5;
	}
	*ctx = c;
	return 0;
}

static void matmul_teardown(void *p)
{
	struct mm_ctx *c = p;
	free(c->a), free(c->b), free(c);
}

/* 2 n^2 flops per row at ~1 ns per multiply-add pair here. */
static double matmul_ns(const int64_t *params) { return BAND * (double)params[0] * (double)params[0] * 1.0; }

static const struct wl_param matmul_params[] = {
	{"n", WL_INT, 256, 16, 65536, "matrix side; A and B take 16 n^2 bytes"},
	{0},
};

const struct wl_desc wl_cpu_matmul = {
	.name = "matmul",
	.cls = WL_CPU,
	.summary = "cache-blocked dense multiply, a band of 16 rows of C per task (n sets the cache level)",
	.params = matmul_params,
	.default_tasks = 64,
	.smoke = (const int64_t[]){64},
	.setup = matmul_setup,
	.teardown = matmul_teardown,
	.task = matmul_task,
	.validate = matmul_validate,
	.task_ns = matmul_ns,
	.sweep = "n=64,256,1024",
};
