/* concur topo: what hwloc sees, the worker sweep, and worker -> PU -> core -> L3 -> NUMA -> package plans. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/verbs.h"
#include "core/report.h"
#include "core/exitcodes.h"
#include "topo/topo.h"

static void print_size(unsigned long long b)
{
	if (b >= 1ull << 20)
		printf("%llu MiB", b >> 20);
	else
		printf("%llu KiB", b >> 10);
}

static void print_topology(const struct topo *t, const unsigned *sweep, unsigned nsweep)
{
	char allowed[1024];
	struct topo_cache caches[8];
	unsigned nc = topo_caches(t, caches, 8);
	topo_allowed_list(t, allowed, sizeof(allowed));
	printf("topology: %s (hwloc %s)\n", t->source, topo_hwloc_version());
	printf("  packages %u, NUMA nodes %u, L3 domains %u, cores %u, hardware threads %u (SMT %s)\n", t->npackage,
	       t->nnuma, t->nl3, t->ncore, t->npu, t->npu > t->ncore ? "on" : "off");
	printf("  caches:");
	for (unsigned k = 0; k < nc; k++) {
		printf("%s L%u%s ", k ? "," : "", caches[k].level, !strcmp(caches[k].type, "instruction") ? "i" :
								   !strcmp(caches[k].type, "data")      ? "d" : "");
		print_size(caches[k].size);
		printf(" x%u", caches[k].count);
	}
	printf("%s\n  allowed CPUs: %s\n  worker sweep (--workers auto):", nc ? "" : " none reported", allowed);
	for (unsigned k = 0; k < nsweep; k++)
		printf("%s %u", k ? "," : "", sweep[k]);
	printf("\n");
}

static void print_plan(const struct topo *t, enum topo_policy p, unsigned n, const struct topo_place **pl,
		       bool over)
{
	unsigned places = p == TOPO_PU ? t->npu : t->ncore;
	printf("\nplan: %u worker%s, --pin %s", n, n == 1 ? "" : "s", topo_policy_name(p));
	if (p == TOPO_NONE) {
		printf(": unpinned, the OS places every worker\n");
		return;
	}
	if (over)
		printf(" (oversubscribed: %u places for %u workers)", places, n);
	printf("\n  %6s %6s %6s %6s %6s %8s\n", "worker", "cpu", "core", "l3", "numa", "package");
	for (unsigned k = 0; k < n; k++)
		printf("  %6u %6u %6u %6u %6u %8u\n", k, pl[k]->pu_os, pl[k]->core, pl[k]->l3, pl[k]->numa,
		       pl[k]->package);
}

static json_t *plan_json(enum topo_policy p, unsigned n, const struct topo_place **pl, bool over)
{
	json_t *w = json_array();
	for (unsigned k = 0; k < n && p != TOPO_NONE; k++)
		json_array_append_new(w, json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "worker", k, "cpu", pl[k]->pu_os,
						   "core", pl[k]->core, "l3", pl[k]->l3, "numa", pl[k]->numa,
						   "package", pl[k]->package));
	return json_pack("{s:s, s:i, s:b, s:o}", "policy", topo_policy_name(p), "workers", n, "oversubscribed", over,
			 "plan", w);
}

/* Every pair policy and the two CPUs it picks here (what scenarios' roles are bound to). */
static json_t *pairs_report(const struct topo *t, bool print)
{
	json_t *list = json_array();
	if (print)
		printf("\npairs (scenarios: --pin same-cpu .. cross-package):\n");
	for (int p = TOPO_FIRST_PAIR; p < TOPO_NPOLICIES; p++) {
		unsigned cpu[2];
		bool have = topo_pair(t, (enum topo_policy)p, cpu);
		json_t *o = json_pack("{s:s, s:b}", "policy", topo_policy_name((enum topo_policy)p), "available", have);
		if (have)
			json_object_set_new(o, "cpus", json_pack("[i, i]", cpu[0], cpu[1]));
		json_array_append_new(list, o);
		if (print && have)
			printf("  %-14s cpus %u and %u\n", topo_policy_name((enum topo_policy)p), cpu[0], cpu[1]);
		else if (print)
			printf("  %-14s not on this machine\n", topo_policy_name((enum topo_policy)p));
	}
	return list;
}

int cli_topo(const char *synthetic, const char *xml, const struct cc_select *sel, bool pairs, bool json)
{
	struct topo t;
	if (synthetic && xml) {
		fprintf(stderr, "concur: topo: --synthetic and --xml: give one or the other\n");
		return CC_EXIT_USAGE;
	}
	int rc = topo_load(&t, synthetic, xml);
	if (rc) {
		if (rc == -E2BIG)
			fprintf(stderr, "concur: topo: --synthetic: '%s' is larger than concur plans for: more than %d "
					"hardware threads, %d objects, or levels too wide for hwloc to build in a "
					"quarter of a second (thousands of siblings)\n", synthetic, TOPO_MAX_PUS,
				TOPO_MAX_OBJECTS);
		else if (rc == -EFBIG)
			fprintf(stderr, "concur: topo: --xml: '%s' is not a regular file of at most %d MiB\n", xml,
				TOPO_MAX_XML_BYTES >> 20);
		else if (synthetic)
			fprintf(stderr, "concur: topo: --synthetic: hwloc cannot read '%s' (example: \"pack:2 numa:2 "
					"l3:2 core:8 pu:2\")\n", synthetic);
		else if (xml)
			fprintf(stderr, "concur: topo: --xml: cannot load '%s': %s\n", xml,
				rc == -ENOENT ? "no such file" : "not a topology hwloc can read");
		else
			fprintf(stderr, "concur: topo: loading this machine's topology: %s\n", strerror(-rc));
		return synthetic || xml ? CC_EXIT_USAGE : CC_EXIT_NO_RESOURCE;
	}
	for (unsigned k = 0; k < sel->npins && sel->workers_auto; k++) {
		if (sel->pins[k] == TOPO_NONE) {
			fprintf(stderr, "concur: topo: --workers auto: the sweep places workers on the topology, "
					"which --pin none does not; use core, compact, scatter or pu\n");
			topo_free(&t);
			return CC_EXIT_USAGE;
		}
	}
	unsigned sweep[16], nsweep = topo_sweep(&t, sweep, 16);
	const unsigned *counts = sel->nworkers ? sel->workers : sweep;
	unsigned ncounts = sel->nworkers ? sel->nworkers : sel->workers_auto || sel->npins ? nsweep : 0;
	enum topo_policy core = TOPO_CORE;
	const enum topo_policy *pins = sel->npins ? sel->pins : &core;
	unsigned npins = sel->npins ? sel->npins : 1;

	json_t *plans = json_array();
	if (!json)
		print_topology(&t, sweep, nsweep);
	for (unsigned p = 0; p < npins; p++) {
		pairs |= topo_policy_is_pair(pins[p]);
		for (unsigned c = 0; c < ncounts && !topo_policy_is_pair(pins[p]); c++) {
			const struct topo_place *pl[counts[c]];
			bool over = topo_plan(&t, pins[p], counts[c], pl);
			if (json)
				json_array_append_new(plans, plan_json(pins[p], counts[c], pl, over));
			else
				print_plan(&t, pins[p], counts[c], pl, over);
		}
	}
	if (json) {
		json_t *sw = json_array();
		for (unsigned k = 0; k < nsweep; k++)
			json_array_append_new(sw, json_integer(sweep[k]));
		json_t *doc = json_pack("{s:o, s:o, s:o, s:o}", "topology", topo_json(&t), "sweep", sw, "plans", plans,
					"pairs", pairs_report(&t, false));
		if (!synthetic && !xml) { /* this machine: the id its results are filed under */
			char id[13];
			cc_machine_id(id);
			json_object_set_new(doc, "machine_id", json_string(id));
		}
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else {
		json_decref(plans);
		if (pairs)
			json_decref(pairs_report(&t, true));
	}
	topo_free(&t);
	return CC_EXIT_OK;
}
