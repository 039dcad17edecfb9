/*
 * mem/stream: a STREAM-style triad over three arrays of `size` bytes each,
 * sized beyond the last-level cache so that every task streams from memory
 * and workers share the machine's bandwidth: as workers are added, the
 * speedup flattens where bandwidth saturates. Tasks share the arrays, so
 * they only read them: task i folds a[j] + s * b[j] + c[j] over chunk
 * i % chunks of `chunk` bytes (three read streams; STREAM's triad has two
 * reads and a write).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "work/workload.h"

struct stream_ctx {
	size_t n, per_chunk; /* doubles */
	double *a, *b, *c;
};

static uint64_t stream_task(const void *p, uint64_t i)
{
	const struct stream_ctx *s = p;
	size_t chunks = s->n / s->per_chunk, lo = (size_t)(i % chunks) * s->per_chunk;
	double sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0; /* four chains: the adds do not limit the loads */
	for (size_t j = lo; j < lo + s->per_chunk; j += 4) {
		sum0 += s->a[j] + 3.0 * s->b[j] + s->c[j];
		sum1 += s->a[j + 1] + 3.0 * s->b[j + 1] + s->c[j + 1];
		sum2 += s->a[j + 2] + 3.0 * s->b[j + 2] + s->c[j + 2];
		sum3 += s->a[j + 3] + 3.0 * s->b[j + 3] + s->c[j + 3];
	}
	double sum = (sum0 + sum1) + (sum2 + sum3);
	uint64_t bits;
	memcpy(&bits, &sum, 8);
	return bits;
}

static int stream_validate(const int64_t *params, char *why, size_t len)
{
	if (params[1] > params[0]) {
		snprintf(why, len, "chunk=%lld: larger than size=%lld", (long long)params[1], (long long)params[0]);
		return -EINVAL;
	}
	char what[48];
	snprintf(what, sizeof(what), "size=%lld: three arrays", (long long)params[0]);
	return wl_check_memory(3 * (uint64_t)params[0], what, why, len);
}

static void stream_teardown(void *p)
{
	struct stream_ctx *s = p;
	size_t bytes = s->n * sizeof(double);
	wl_buffer_free(s->a, bytes), wl_buffer_free(s->b, bytes), wl_buffer_free(s->c, bytes);
	free(s);
}

static int stream_setup(const int64_t *params, void **ctx)
{
	struct stream_ctx *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->per_chunk = ((size_t)params[1] / sizeof(double)) & ~(size_t)3;
	s->n = (size_t)params[0] / sizeof(double) / s->per_chunk * s->per_chunk;
	s->a = wl_buffer_alloc(s->n * sizeof(double), params[2]);
	s->b = wl_buffer_alloc(s->n * sizeof(double), params[2]);
	s->c = wl_buffer_alloc(s->n * sizeof(double), params[2]);
	if (!s->a || !s->b || !s->c) {
		stream_teardown(s);
		return -ENOMEM;
	}
	for (size_t j = 0; j < s->n; j++) /* touched here: no task pays for first-touch faults */
		s->a[j] = (double)(j % 7), s->b[j] = (double)(j % 5), s->c[j] = (double)(j % 3);
	*ctx = s;
	return 0;
}

static int64_t stream_huge_bytes(const void *p)
{
	const struct stream_ctx *s = p;
	const void *bufs[] = {s->a, s->b, s->c};
	size_t bytes = s->n * sizeof(double), sizes[] = {bytes, bytes, bytes};
	return wl_huge_bytes(bufs, sizes, 3);
}

/* Three streams at ~8 GB/s from memory. */
static double stream_ns(const int64_t *params) { return 3.0 * (double)params[1] / 8.0; }

/* Three arrays faulted in and filled, and freed after the round: about 4.3 ns a byte (0.43 s a round for the
 * default's 3 x 32 MiB, measured on a 2-vCPU VM). */
static double stream_setup_ns(const int64_t *params) { return 3.0 * (double)params[0] * 4.3; }

static const struct wl_param stream_params[] = {
	{"size", WL_BYTES, 32 << 20, 64 << 10, 1LL << 40, "bytes per array (three arrays)"},
	{"chunk", WL_BYTES, 1 << 20, 4 << 10, 1LL << 30, "bytes of each array one task reads"},
	WL_THP_PARAM,
	{0},
};

const struct wl_desc wl_mem_stream = {
	.name = "stream",
	.cls = WL_MEM,
	.summary = "STREAM-style triad over three arrays beyond the LLC: shared memory bandwidth",
	.params = stream_params,
	.default_tasks = 96,
	.smoke = (const int64_t[]){256 << 10, 64 << 10, WL_THP_DEFAULT},
	.setup = stream_setup,
	.teardown = stream_teardown,
	.task = stream_task,
	.validate = stream_validate,
	.task_ns = stream_ns,
	.setup_ns = stream_setup_ns,
	.huge_bytes = stream_huge_bytes,
	.probe = "mem_bw",
	.sweep = "size=1M,32M,256M",
};
