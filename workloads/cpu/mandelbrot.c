/*
 * cpu/mandelbrot: one row of a width x width image of the Mandelbrot set
 * (real -2..1, imaginary -1.5..1.5), at most `iters` iterations a point.
 * Floating point with a data-dependent trip count; task i draws row
 * i % width and returns the sum of the iteration counts.
 */
#include <errno.h>
#include <stdlib.h>

#include "base/gil.h"
#include "work/workload.h"

struct mandel_ctx {
	unsigned width, iters;
};

static uint64_t mandel_task(const void *p, uint64_t i)
{
	const struct mandel_ctx *c = p;
	double ci = -1.5 + 3.0 * (double)(i % c->width) / c->width;
	uint64_t total = 0;
	for (unsigned x = 0; x < c->width; x++) {
		double cr = -2.0 + 3.0 * x / c->width, zr = 0, zi = 0;
		unsigned k = 0;
		while (k < c->iters && zr * zr + zi * zi <= 4.0) {
			double t = zr * zr - zi * zi + cr;
			zi = 2 * zr * zi + ci;
			zr = t;
			k++;
		}
		total += k;
		cc_gil_yield_point();
	}
	return total;
}

static int mandel_setup(const int64_t *params, void **ctx)
{
	struct mandel_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->width = (unsigned)params[0];
	c->iters = (unsigned)params[1];
	*ctx = c;
	return 0;
}

static void mandel_teardown(void *p) { free(p); }

/* About a fifth of a row's points reach the iteration cap; a step is ~1.5 ns. */
static double mandel_ns(const int64_t *params) { return (double)params[0] * (double)params[1] * 0.3; }

static const struct wl_param mandel_params[] = {
	{"width", WL_INT, 512, 1, 65536, "points per row (and rows in the image)"},
	{"iters", WL_INT, 256, 1, 1000000, "most iterations per point"},
	{0},
};

const struct wl_desc wl_cpu_mandelbrot = {
	.name = "mandelbrot",
	.cls = WL_CPU,
	.summary = "one row of the Mandelbrot set per task (floating point, data-dependent loops)",
	.params = mandel_params,
	.default_tasks = 1024,
	.smoke = (const int64_t[]){64, 64},
	.setup = mandel_setup,
	.teardown = mandel_teardown,
	.task = mandel_task,
	.task_ns = mandel_ns,
	.sweep = "iters=64,256,1024",
};
