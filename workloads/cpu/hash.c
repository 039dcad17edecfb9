/*
 * cpu/hash: hash a buffer of `size` bytes, seeded with the task number.
 * A 64-bit multiply-rotate hash over 8-byte words (in the spirit of wyhash and
 * xxHash, written here): real work that is neither memory- nor branch-bound at
 * L1/L2 sizes. The result depends on every byte, so the compiler cannot drop it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "work/workload.h"

struct hash_ctx {
	size_t size;
	unsigned char *buf;
};

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t hash_task(const void *p, uint64_t i)
{
	const struct hash_ctx *c = p;
	uint64_t h = 0x243f6a8885a308d3ull ^ i;
	size_t k = 0;
	for (; k + 8 <= c->size; k += 8) {
		uint64_t w;
		memcpy(&w, c->buf + k, 8);
		h = rotl(h ^ (w * 0x9e3779b97f4a7c15ull), 29) * 0xff51afd7ed558ccdull;
	}
	for (; k < c->size; k++)
		h = (h ^ c->buf[k]) * 0x100000001b3ull;
	return h ^ (h >> 32);
}

static int hash_setup(const int64_t *params, void **ctx)
{
	struct hash_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->size = (size_t)params[0];
	c->buf = malloc(c->size);
	if (!c->buf) {
		free(c);
		return -ENOMEM;
	}
	uint64_t x = 0x853c49e6748fea9bull; /* fixed seed: every run hashes the same bytes */
	for (size_t k = 0; k < c->size; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		c->buf[k] = (unsigned char)x;
	}
	*ctx = c;
	return 0;
}

static void hash_teardown(void *p)
{
	struct hash_ctx *c = p;
	free(c->buf);
	free(c);
}

/* 0.19 ns a byte on the 2-vCPU reference VM */
static double hash_ns(const int64_t *params) { return 200 + 0.19 * (double)params[0]; }

static const struct wl_param hash_params[] = {
	{"size", WL_BYTES, 16384, 8, 1 << 30, "bytes hashed per task"},
	{0},
};

const struct wl_desc wl_cpu_hash = {
	.name = "hash",
	.cls = WL_CPU,
	.headline = "cpu",
	.summary = "hash a buffer (size bytes) per task: pure CPU work on cached data",
	.params = hash_params,
	.default_tasks = 4000,
	.setup = hash_setup,
	.teardown = hash_teardown,
	.task = hash_task,
	.task_ns = hash_ns,
	.sweep = "size=1K,16K,256K",
};
