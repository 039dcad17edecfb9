/*
 * concur compare BASE.json NEW.json: benchmarks matched by name, the medians,
 * the change, a two-sided Mann-Whitney U test over the repetitions, and a
 * verdict. Reads any Google Benchmark JSON; uses the concur block (speedup,
 * noise flags, machine) when there is one. --gate turns a real slowdown into
 * exit status 1.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/results.h"
#include "cli/verbs.h"
#include "core/exitcodes.h"
#include "core/plan.h"
#include "core/stats.h"

struct row {
	const struct series *base, *new;
	double base_med, new_med, change, p, p_min;
	const char *verdict;
};

/* The verdict: slower or faster only when the test is significant, the change is above the
 * threshold and above the base's own noise (3 x its median absolute deviation). */
static void judge(struct row *r, const struct cc_compare_opts *o)
{
	struct cc_utest t;
	r->base_med = series_median(r->base);
	r->new_med = series_median(r->new);
	r->change = r->base_med > 0 ? (r->new_med - r->base_med) / r->base_med : 0;
	cc_mann_whitney(r->base->ns, r->base->n, r->new->ns, r->new->n, &t);
	r->p = t.p;
	r->p_min = t.p_min;
	double noise = 3 * cc_mad(r->base->ns, r->base->n);
	bool significant = t.p < o->alpha && fabs(r->new_med - r->base_med) > noise;
	if (t.p_min >= o->alpha)
		r->verdict = "too few";
	else if (significant && r->change > o->threshold)
		r->verdict = "slower";
	else if (significant && r->change < -o->threshold)
		r->verdict = "faster";
	else if (r->base->noisy || r->new->noisy || (r->base_med > 0 && noise / r->base_med > o->threshold))
		r->verdict = "noisy";
	else
		r->verdict = "same";
}

static void print_time(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.3f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.3f us", ns / 1e3);
	else
		snprintf(buf, len, "%.1f ns", ns);
}

static void print_rows(const struct row *rows, size_t n, const struct cc_compare_opts *o, bool machines_differ)
{
	bool md = !strcmp(o->format, "md");
	const char *sep = md ? " | " : "  ";
	if (md)
		printf("| benchmark | base | new | change | p | verdict |%s\n|---|---:|---:|---:|---:|---|%s\n",
		       machines_differ ? " speedup base | speedup new |" : "", machines_differ ? "---:|---:|" : "");
	else
		printf("%-52s%s%12s%s%12s%s%8s%s%8s%s%-8s%s\n", "benchmark", sep, "base", sep, "new", sep, "change",
		       sep, "p", sep, "verdict", machines_differ ? "  speedup base -> new (efficiency)" : "");
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[k];
		char b[32], w[32], extra[96] = "";
		print_time(b, sizeof(b), r->base_med);
		print_time(w, sizeof(w), r->new_med);
		if (machines_differ && r->base->speedup >= 0 && r->new->speedup >= 0) {
			int workers = r->base->workers > 0 ? r->base->workers : 1;
			snprintf(extra, sizeof(extra), md ? " %.2fx | %.2fx |" : "  %.2fx -> %.2fx (%.0f%% -> %.0f%%)",
				 r->base->speedup, r->new->speedup, 100 * r->base->speedup / workers,
				 100 * r->new->speedup / workers);
		} else if (machines_differ && md) {
			snprintf(extra, sizeof(extra), " | |");
		}
		if (md)
			printf("| %s | %s | %s | %+.1f%% | %.3g | %s |%s\n", r->base->name, b, w, 100 * r->change, r->p,
			       r->verdict, extra);
		else
			printf("%-52s%s%12s%s%12s%s%+7.1f%%%s%8.3g%s%-8s%s\n", r->base->name, sep, b, sep, w, sep,
			       100 * r->change, sep, r->p, sep, r->verdict, extra);
	}
}

static void print_json(const struct row *rows, size_t n, const struct cc_compare_opts *o, const struct result_file *base,
		       const struct result_file *new, bool machines_differ)
{
	json_t *list = json_array();
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[k];
		json_t *j = json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:s, s:I, s:I}", "name", r->base->name,
				      "base_median_ns", r->base_med, "new_median_ns", r->new_med, "change",
				      r->change, "p", r->p, "p_min", r->p_min, "verdict", r->verdict, "base_repetitions",
				      (json_int_t)r->base->n, "new_repetitions", (json_int_t)r->new->n);
		if (r->base->speedup >= 0 && r->new->speedup >= 0) {
			json_object_set_new(j, "base_speedup", json_real(r->base->speedup));
			json_object_set_new(j, "new_speedup", json_real(r->new->speedup));
		}
		json_array_append_new(list, j);
	}
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:b, s:f, s:f, s:o}", "base", base->path, "new", new->path,
				"base_machine", base->machine, "new_machine", new->machine, "machines_differ",
				machines_differ, "threshold", o->threshold, "alpha", o->alpha, "benchmarks", list);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(doc);
}

int cli_compare(const char *base_path, const char *new_path, const struct cc_compare_opts *o)
{
	struct result_file base, new;
	int rc = results_load("compare", base_path, &base);
	if (rc)
		return rc;
	if ((rc = results_load("compare", new_path, &new))) {
		results_free(&base);
		return rc;
	}
	bool machines_differ = strcmp(base.machine, new.machine) != 0;
	if (machines_differ)
		fprintf(stderr,
			"concur: compare: the files come from different machines (%s, %s): raw times compare the "
			"machines; speedup against serial and efficiency per worker are machine-independent\n",
			base.machine, new.machine);
	struct row *rows = calloc(base.n + 1, sizeof(*rows));
	size_t n = 0, slower = 0, too_few = 0;
	for (size_t k = 0; k < base.n; k++) {
		struct series *b = &base.s[k], *w = results_find(&new, b->name);
		if (!w) {
			fprintf(stderr, "concur: compare: only in %s: %s\n", base.path, b->name);
			continue;
		}
		rows[n] = (struct row){.base = b, .new = w};
		judge(&rows[n], o);
		slower += !strcmp(rows[n].verdict, "slower");
		too_few += !strcmp(rows[n].verdict, "too few");
		n++;
	}
	for (size_t k = 0; k < new.n; k++)
		if (!results_find(&base, new.s[k].name))
			fprintf(stderr, "concur: compare: only in %s: %s\n", new.path, new.s[k].name);
	if (!strcmp(o->format, "json"))
		print_json(rows, n, o, &base, &new, machines_differ);
	else
		print_rows(rows, n, o, machines_differ);
	if (too_few)
		fprintf(stderr,
			"concur: compare: %zu benchmark%s with too few repetitions for the test to mean anything: "
			"the smallest p-value they can give is not below --alpha %g (use --repetitions 5 or more)\n",
			too_few, too_few == 1 ? " has" : "s have", o->alpha);
	rc = CC_EXIT_OK;
	if (o->gate && slower) {
		fprintf(stderr, "concur: compare: gate: %zu benchmark%s slower by more than %.1f%% (p < %g):", slower,
			slower == 1 ? "" : "s", 100 * o->threshold, o->alpha);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(rows[k].verdict, "slower"))
				fprintf(stderr, " %s (%+.1f%%)", rows[k].base->name, 100 * rows[k].change);
		fprintf(stderr, "\n");
		rc = CC_EXIT_FAIL;
	} else if (o->gate) {
		fprintf(stderr, "concur: compare: gate: passed (%zu benchmarks compared)\n", n);
	}
	free(rows);
	results_free(&base);
	results_free(&new);
	return rc;
}
