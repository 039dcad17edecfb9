/*
 * mem/chase: dependent loads around one random cycle through `size` bytes
 * of 64-byte nodes (Sattolo's shuffle, fixed seed): each load's address is
 * the previous load's value, so nothing overlaps and a task measures memory
 * latency at that footprint. Task i starts at a node picked from i and
 * returns where `steps` loads took it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/gil.h"
#include "work/workload.h"

struct node {
	uint64_t next;
	char pad[56]; /* one node per cache line */
};

struct chase_ctx {
	uint64_t n, steps;
	struct node *nodes;
};

static uint64_t chase_task(const void *p, uint64_t i)
{
	const struct chase_ctx *c = p;
	uint64_t at = (i * 0x9e3779b97f4a7c15ull) % c->n;
	for (uint64_t s = 0; s < c->steps; s++) {
		at = c->nodes[at].next;
		if ((s & 4095) == 4095)
			cc_gil_yield_point();
	}
	return at;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int chase_validate(const int64_t *params, char *why, size_t len)
{
	char what[48];
	snprintf(what, sizeof(what), "size=%lld: the nodes", (long long)params[0]);
	return wl_check_memory((uint64_t)params[0], what, why, len);
}

static int chase_setup(const int64_t *params, void **ctx)
{
	struct chase_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->n = (uint64_t)params[0] / sizeof(struct node);
	c->steps = (uint64_t)params[1];
	c->nodes = wl_buffer_alloc(c->n * sizeof(struct node), params[2]);
	if (!c->nodes) {
		free(c);
		return -ENOMEM;
	}
	/* Sattolo: a uniformly random permutation that is one single cycle */
	for (uint64_t k = 0; k < c->n; k++)
		c->nodes[k].next = k;
	uint64_t seed = 42;
	for (uint64_t k = c->n - 1; k > 0; k--) {
		uint64_t j = splitmix(&seed) % k, t = c->nodes[k].next;
		c->nodes[k].next = c->nodes[j].next;
		c->nodes[j].next = t;
	}
	*ctx = c;
	return 0;
}

static void chase_teardown(void *p)
{
	struct chase_ctx *c = p;
	wl_buffer_free(c->nodes, c->n * sizeof(struct node));
	free(c);
}

static int64_t chase_huge_bytes(const void *p)
{
	const struct chase_ctx *c = p;
	const void *bufs[] = {c->nodes};
	size_t sizes[] = {c->n * sizeof(struct node)};
	return wl_huge_bytes(bufs, sizes, 1);
}

/* ~100 ns a load beyond the caches. */
static double chase_ns(const int64_t *params) { return (double)params[1] * 100; }

/* Sattolo's swaps, two misses each, and the buffer freed after the round: about 350 ns a node (0.36 s a round for
 * the default's 64 MiB, measured on a 2-vCPU VM). */
static double chase_setup_ns(const int64_t *params) { return (double)params[0] / 64 * 350; }

static const struct wl_param chase_params[] = {
	{"size", WL_BYTES, 64 << 20, 4 << 10, 1LL << 40, "bytes of nodes in the cycle (64 bytes a node)"},
	{"steps", WL_INT, 20000, 1, 1000000000, "dependent loads per task"},
	WL_THP_PARAM,
	{0},
};

const struct wl_desc wl_mem_chase = {
	.name = "chase",
	.cls = WL_MEM,
	.summary = "dependent loads around a random cycle of size bytes: memory latency",
	.params = chase_params,
	.default_tasks = 16,
	.smoke = (const int64_t[]){256 << 10, 1000, WL_THP_DEFAULT},
	.setup = chase_setup,
	.teardown = chase_teardown,
	.task = chase_task,
	.validate = chase_validate,
	.task_ns = chase_ns,
	.setup_ns = chase_setup_ns,
	.huge_bytes = chase_huge_bytes,
	.sweep = "size=32K,1M,64M",
};
