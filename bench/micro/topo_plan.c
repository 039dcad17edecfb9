/*
 * Micro-benchmarks of planning for big machines: loading a synthetic topology
 * (which computes the scatter order) and planning every policy for 2x its
 * hardware threads, on a 256-core, 512-thread machine. Also main() of
 * concur-micro: `make micro` prints a table of medians; --json prints the
 * Google Benchmark JSON as well.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "micro/micro.h"
#include "topo/topo.h"

#define MACHINE_256 "pack:2 numa:4 l3:4 core:8 pu:2"

static struct topo big;

static void load_256(gbc_state *st, void *arg)
{
	(void)arg;
	while (gbc_keep_running(st)) {
		struct topo t;
		if (topo_load(&t, MACHINE_256, NULL)) {
			gbc_skip_with_error(st, "topo_load failed");
			return;
		}
		topo_free(&t);
	}
}

static void plan_512(gbc_state *st, void *arg)
{
	enum topo_policy p = (enum topo_policy)(long)arg;
	unsigned n = 2 * big.npu;
	const struct topo_place **pl = malloc(n * sizeof(*pl));
	unsigned sink = 0;
	while (gbc_keep_running(st)) {
		topo_plan(&big, p, n, pl);
		sink += pl[n - 1]->pu_os; /* the plan is used: it cannot be optimised away */
	}
	gbc_set_counter(st, "last_cpu", sink ? (double)pl[n - 1]->pu_os : 0, GBC_COUNTER_DEFAULT);
	free(pl);
}

static void sweep(gbc_state *st, void *arg)
{
	(void)arg;
	unsigned out[16], total = 0;
	while (gbc_keep_running(st))
		total += topo_sweep(&big, out, 16);
	gbc_set_counter(st, "points", total ? (double)out[0] : 0, GBC_COUNTER_DEFAULT);
}

/* Fields Google Benchmark writes itself; the rest of a row's numbers are counters. */
static bool is_gb_field(const char *key)
{
	static const char *const own[] = {"real_time", "cpu_time", "iterations", "repetitions", "repetition_index",
					  "threads", "family_index", "per_family_instance_index", NULL};
	for (unsigned k = 0; own[k]; k++)
		if (!strcmp(key, own[k]))
			return true;
	return false;
}

static int print_table(const char *json, size_t len, void *arg)
{
	json_error_t err;
	json_t *doc = json_loadb(json, len, 0, &err);
	if (!doc)
		return -1;
	if (arg)
		fwrite(json, 1, len, stdout);
	size_t i;
	json_t *b;
	fprintf(stderr, "%-50s %14s  %s\n", "benchmark (topo: a 256-core, 512-thread machine)", "median of 3",
		"counters");
	json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
	{
		const char *agg = json_string_value(json_object_get(b, "aggregate_name"));
		if (!agg || strcmp(agg, "median"))
			continue;
		fprintf(stderr, "%-50s %11.2f %-2s ", json_string_value(json_object_get(b, "run_name")),
			json_number_value(json_object_get(b, "real_time")),
			json_string_value(json_object_get(b, "time_unit")));
		const char *key;
		json_t *v;
		json_object_foreach(b, key, v)
		{
			if (json_is_real(v) && !is_gb_field(key))
				fprintf(stderr, " %s=%.4g", key, json_number_value(v));
		}
		fprintf(stderr, "\n");
	}
	json_decref(doc);
	return 0;
}

int micro_register_topo(void)
{
	if (topo_load(&big, MACHINE_256, NULL))
		return -1;
	struct gbc_bench_opts us = {.unit = GBC_US};
	gbc_register("topo/load/synthetic-256", load_256, NULL, &us);
	static const enum topo_policy policies[] = {TOPO_CORE, TOPO_COMPACT, TOPO_SCATTER, TOPO_PU};
	for (unsigned k = 0; k < 4; k++) {
		char name[64];
		snprintf(name, sizeof(name), "topo/plan/%s/workers:1024", topo_policy_name(policies[k]));
		gbc_register(name, plan_512, (void *)(long)policies[k], &us);
	}
	gbc_register("topo/sweep", sweep, NULL, &us);
	return 0;
}

int main(int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	const char *filter = argc > 1 && !json ? argv[1] : argc > 2 ? argv[2] : NULL;
	if (micro_register_topo() || micro_register_pools() || micro_register_coro()) {
		fprintf(stderr, "concur-micro: cannot load a topology\n");
		return 1;
	}
	const struct gbc_output out = {.sink = print_table, .arg = json ? &json : NULL};
	const struct gbc_run_opts ropts = {.filter = filter, .repetitions = 3};
	long n = gbc_run(&ropts, &out);
	topo_free(&big);
	return n > 0 ? 0 : 1;
}
