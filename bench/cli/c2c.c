/*
 * concur c2c: the core-to-core matrix. For every ordered pair of the chosen CPUs, the one-way time of
 * a cache line between them (core/c2c.h), printed as a matrix with a summary by relation (SMT
 * siblings, same L3, across L3s, NUMA nodes, packages), written as JSON (--out) and drawn as a heatmap
 * with the topology's boundaries marked (--plot). With --synthetic it plans only: which CPUs, how many
 * pairs, about how long; a real machine of hundreds of CPUs takes time in proportion to the pairs, so
 * --sample K measures K CPUs spread over it.
 */
#include <errno.h>
#include <signal.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plot.h"
#include "cli/verbs.h"
#include "core/c2c.h"
#include "core/exitcodes.h"
#include "core/report.h"
#include "core/runner.h"
#include "base/stats.h"

#define C2C_MAX_DRAWN 1024 /* a heatmap of more CPUs is not read, and its labels outgrow gnuplot's command line */

enum relation { R_SMT, R_SAME_L3, R_CROSS_L3, R_CROSS_NUMA, R_CROSS_PACKAGE, R_N };
static const char *const relation_names[R_N] = {"smt", "same-l3", "cross-l3", "cross-numa", "cross-package"};

static const struct topo_place *place_of(const struct topo *t, unsigned cpu)
{
	for (unsigned k = 0; k < t->npu; k++)
		if (t->pus[k].pu_os == cpu)
			return &t->pus[k];
	return NULL;
}

/* What lies between two CPUs: the pair policies' relations, the nearest that holds. */
static enum relation relation_of(const struct topo_place *a, const struct topo_place *b)
{
	if (a->package != b->package)
		return R_CROSS_PACKAGE;
	if (a->numa != b->numa)
		return R_CROSS_NUMA;
	if (a->l3 != b->l3)
		return R_CROSS_L3;
	return a->core == b->core ? R_SMT : R_SAME_L3;
}

/* The heatmap's data: the matrix (NaN on the diagonal and where a pair failed), and the boundaries
 * between cores, L3s, NUMA nodes and packages as line segments. */
static int draw(const struct topo *t, const unsigned *cpus, unsigned n, const double *m, const char *dir)
{
	char data[4200], bounds[4200], out[4200], vars[256];
	if (plot_mkdirs(dir) < 0) {
		fprintf(stderr, "concur: c2c: --plot: cannot create %s: %s\n", dir, strerror(errno));
		return CC_EXIT_USAGE;
	}
	snprintf(data, sizeof(data), "%s/c2c.tsv", dir);
	snprintf(bounds, sizeof(bounds), "%s/c2c-bounds.tsv", dir);
	snprintf(out, sizeof(out), "%s/c2c", dir);
	FILE *f = fopen(data, "w"), *b = fopen(bounds, "w");
	if (!f || !b) {
		fprintf(stderr, "concur: c2c: --plot: cannot write into %s: %s\n", dir, strerror(errno));
		if (f)
			fclose(f);
		if (b)
			fclose(b);
		return CC_EXIT_USAGE;
	}
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < n; j++)
			fprintf(f, "%s%.6g", j ? "\t" : "", m[i * n + j] > 0 ? m[i * n + j] : NAN);
		fputc('\n', f);
	}
	/* a boundary before CPU i when it is in another core (level 1) .. package (level 4) than i-1 */
	fprintf(b, "# x y dx dy level(1 core, 2 L3, 3 NUMA, 4 package)\n");
	for (unsigned i = 1; i < n; i++) {
		const struct topo_place *p = place_of(t, cpus[i - 1]), *q = place_of(t, cpus[i]);
		int level = p->package != q->package ? 4 : p->numa != q->numa ? 3 : p->l3 != q->l3 ? 2 : p->core != q->core ? 1 : 0;
		if (level)
			fprintf(b, "%g\t%g\t0\t%u\t%d\n%g\t%g\t%u\t0\t%d\n", i - 0.5, -0.5, n, level, -0.5, i - 0.5, n, level);
	}
	fclose(f);
	fclose(b);
	char qb[8500];
	plot_quote(qb, sizeof(qb), bounds);
	snprintf(vars, sizeof(vars), "n=%u; bounds=", n);
	static char all[9000 + C2C_MAX_DRAWN * 6];
	int at = snprintf(all, sizeof(all), "%s%s; cpus='", vars, qb);
	for (unsigned k = 0; k < n; k++)
		at += snprintf(all + at, sizeof(all) - (size_t)at, "%s%u", k ? " " : "", cpus[k]);
	snprintf(all + at, sizeof(all) - (size_t)at, "'");
	if (plot_render("c2c.gp", data, out, all))
		return CC_EXIT_FAIL;
	fprintf(stderr, "concur: c2c: the heatmap: %s.svg and %s.png\n", out, out);
	return 0;
}

int cli_c2c(const struct cc_c2c_opts *o)
{
	struct topo t;
	int rc = topo_load(&t, o->synthetic, NULL);
	if (rc) {
		fprintf(stderr, "concur: c2c: %s%s: %s\n", o->synthetic ? "--synthetic " : "loading this machine",
			o->synthetic ? o->synthetic : "", rc == -E2BIG ? "larger than concur plans for" : strerror(-rc));
		return o->synthetic ? CC_EXIT_USAGE : CC_EXIT_NO_RESOURCE;
	}
	unsigned *cpus = calloc(t.npu, sizeof(*cpus)), n = cpus ? c2c_sample(&t, o->sample, cpus) : 0;
	double *m = n ? calloc((size_t)n * n, sizeof(*m)) : NULL;
	struct c2c_opts co = {o->round_trips, o->batches, o->timeout_s};
	if (!m) {
		fprintf(stderr, "concur: c2c: %s\n", strerror(ENOMEM));
		free(cpus);
		topo_free(&t);
		return CC_EXIT_FAIL;
	}
	size_t pairs = (size_t)n * (n - 1);
	/* about 200 ns a round trip within a package, and as much again to start, bind and join a pair */
	double estimate_s = (double)pairs * ((co.batches + 1.0) * co.round_trips * 200e-9 + 200e-6);
	fprintf(stderr, "concur: c2c: %u CPUs of %u%s, %zu ordered pairs, %u batches of %u round trips each: about "
			"%.0f s (estimate)\n",
		n, t.npu, n < t.npu ? " (--sample: spread over every package, NUMA node and L3)" : "", pairs, co.batches,
		co.round_trips, estimate_s);
	if (o->plot_dir && n > C2C_MAX_DRAWN) {
		fprintf(stderr, "concur: c2c: --plot: a heatmap of %u CPUs is not drawn (at most %d): use --sample\n", n,
			C2C_MAX_DRAWN);
		free(m);
		free(cpus);
		topo_free(&t);
		return CC_EXIT_USAGE;
	}
	if (o->synthetic) { /* a description cannot be measured: the plan is the answer */
		printf("cpus:");
		for (unsigned k = 0; k < n; k++)
			printf(" %u", cpus[k]);
		printf("\npairs: %zu\n", pairs);
		free(m);
		free(cpus);
		topo_free(&t);
		return CC_EXIT_OK;
	}
	size_t failed = 0;
	json_t *fails = json_array();
	for (unsigned i = 0; i < n && !cc_stop_signal; i++)
		for (unsigned j = 0; j < n && !cc_stop_signal; j++) {
			char why[200];
			if (i == j)
				continue;
			if (c2c_pair(&t, cpus[i], cpus[j], &co, &m[(size_t)i * n + j], why, sizeof(why))) {
				m[(size_t)i * n + j] = -1;
				failed++;
				fprintf(stderr, "concur: c2c: %u -> %u: %s\n", cpus[i], cpus[j], why);
				json_array_append_new(fails, json_pack("{s:i, s:i, s:s}", "from", cpus[i], "to", cpus[j], "why", why));
			}
		}
	/* the matrix, and the median by relation */
	double *by[R_N];
	size_t nby[R_N] = {0};
	for (int r = 0; r < R_N; r++)
		by[r] = calloc(pairs ? pairs : 1, sizeof(double));
	json_t *rows = json_array();
	printf("one-way ns, from (rows) to (columns)\n%6s", "");
	for (unsigned j = 0; j < n; j++)
		printf(" %6u", cpus[j]);
	putchar('\n');
	for (unsigned i = 0; i < n; i++) {
		json_t *row = json_array();
		printf("%6u", cpus[i]);
		for (unsigned j = 0; j < n; j++) {
			double v = m[(size_t)i * n + j];
			if (i == j || v <= 0) {
				printf(" %6s", i == j ? "-" : "fail");
				json_array_append_new(row, json_null());
				continue;
			}
			printf(" %6.0f", v);
			json_array_append_new(row, json_real(v));
			enum relation r = relation_of(place_of(&t, cpus[i]), place_of(&t, cpus[j]));
			if (by[r])
				by[r][nby[r]++] = v;
		}
		putchar('\n');
		json_array_append_new(rows, row);
	}
	json_t *rel = json_object();
	printf("\nmedian one-way ns by relation:");
	for (int r = 0; r < R_N; r++) {
		if (!nby[r])
			continue;
		double med = cc_median_of(by[r], nby[r]);
		printf(" %s %.0f (%zu pairs);", relation_names[r], med, nby[r]);
		json_object_set_new(rel, relation_names[r], json_pack("{s:f, s:I}", "median_ns", med, "pairs", (json_int_t)nby[r]));
	}
	printf("\n");
	for (int r = 0; r < R_N; r++)
		free(by[r]);
	rc = failed ? CC_EXIT_FAIL : cc_stop_signal ? 128 + (int)cc_stop_signal : CC_EXIT_OK;
	if (o->out) {
		char id[13];
		cc_machine_id(id);
		json_t *c = json_array();
		for (unsigned k = 0; k < n; k++)
			json_array_append_new(c, json_integer(cpus[k]));
		json_t *doc = json_pack("{s:s, s:o, s:o, s:i, s:i, s:o, s:o, s:o}", "machine_id", id, "topology",
					topo_json(&t), "cpus", c, "round_trips", co.round_trips, "batches", co.batches,
					"one_way_ns", rows, "by_relation", rel, "failed", fails);
		char *text = json_dumps(doc, JSON_INDENT(2));
		int w = text ? cc_write_result(o->out, text, strlen(text)) : -ENOMEM;
		if (w) {
			fprintf(stderr, "concur: c2c: writing %s: %s\n", o->out, strerror(-w));
			rc = CC_EXIT_NOT_WRITTEN;
		} else {
			fprintf(stderr, "concur: c2c: written to %s\n", o->out);
		}
		free(text);
		json_decref(doc);
	} else {
		json_decref(rows);
		json_decref(rel);
		json_decref(fails);
	}
	if (o->plot_dir && !cc_stop_signal) {
		int prc = draw(&t, cpus, n, m, o->plot_dir);
		rc = rc ? rc : prc;
	}
	free(m);
	free(cpus);
	topo_free(&t);
	return rc;
}
