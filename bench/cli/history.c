/*
 * concur history DIR|FILES...: per benchmark, the series of medians across
 * result files in the order of their dates, and its change points (binary
 * segmentation with windowed Welch t-tests, in the style of Apache Otava /
 * Hunter), with the size of each change. Text, or JSON with --json.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plot.h"
#include "cli/results.h"
#include "cli/verbs.h"
#include "core/exitcodes.h"
#include "base/stats.h"

#define MAX_CHANGES 64

/* The history chart of one benchmark: its medians, the change points marked. */
static void chart(const char *dir, const char *name, const double *x, size_t n, const struct cc_change *c, size_t nc)
{
	char safe[200], data[4200], out[4200], vars[1024];
	plot_safe_name(safe, sizeof(safe), name);
	snprintf(data, sizeof(data), "%s/data/history-%s.tsv", dir, safe);
	snprintf(out, sizeof(out), "%s/history-%s", dir, safe);
	FILE *f = fopen(data, "w");
	if (!f)
		return;
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%zu\t%.6g\n", k, x[k]);
	fprintf(f, "\n\n");
	for (size_t k = 0; k < nc; k++)
		fprintf(f, "%zu\t%.6g\n", c[k].index, x[c[k].index]);
	fclose(f);
	char qname[600];
	plot_quote(qname, sizeof(qname), name);
	snprintf(vars, sizeof(vars), "changes=%zu; title=%s", nc, qname);
	plot_render("history.gp", data, out, vars);
}

int cli_history(const char *const *args, unsigned nargs, const struct cc_history_opts *o)
{
	int rc = CC_EXIT_OK;
	if (o->out) {
		char data[4200];
		snprintf(data, sizeof(data), "%s/data", o->out);
		if ((rc = plot_check_gnuplot("history")))
			return rc;
		if (plot_mkdirs(data) < 0) {
			fprintf(stderr, "concur: history: --out: cannot create %s: %s\n", data, strerror(errno));
			return CC_EXIT_USAGE;
		}
	}
	struct result_file *files;
	size_t nfiles;
	if ((rc = results_load_set("history", args, nargs, &files, &nfiles)))
		return rc;
	for (size_t f = 1; f < nfiles; f++) {
		if (strcmp(files[f].machine, files[0].machine)) { /* as compare says: raw times compare the machines */
			fprintf(stderr, "concur: history: the files come from different machines (%s in %s, %s in %s): a "
					"change point may be a change of machine\n",
				files[0].machine, files[0].path, files[f].machine, files[f].path);
			break;
		}
	}

	json_t *list = json_array();
	double *x = calloc(nfiles, sizeof(double));
	size_t *at = calloc(nfiles, sizeof(size_t));
	struct cc_change cps[MAX_CHANGES];
	/* every benchmark once, in the order it first appears */
	for (size_t f = 0; f < nfiles; f++) {
		for (size_t b = 0; b < files[f].n; b++) {
			const char *name = files[f].s[b].name;
			bool seen = false;
			for (size_t g = 0; g < f && !seen; g++)
				seen = results_find(&files[g], name) != NULL;
			if (seen)
				continue;
			size_t n = 0;
			for (size_t g = f; g < nfiles; g++) {
				struct series *s = results_find(&files[g], name);
				if (s && s->n) {
					x[n] = series_median(s);
					at[n++] = g;
				}
			}
			size_t nc = cc_change_points(x, n, o->window, o->p, cps, MAX_CHANGES);
			if (o->out && n >= 2)
				chart(o->out, name, x, n, cps, nc);
			json_t *points = json_array(), *changes = json_array();
			for (size_t k = 0; k < n; k++)
				json_array_append_new(points, json_pack("{s:s, s:s, s:f}", "date", files[at[k]].date, "file",
									files[at[k]].path, "median_ns", x[k]));
			for (size_t c = 0; c < nc; c++)
				json_array_append_new(changes,
						      json_pack("{s:I, s:s, s:s, s:f, s:f}", "index", (json_int_t)cps[c].index,
								"date", files[at[cps[c].index]].date, "file",
								files[at[cps[c].index]].path, "change", cps[c].change, "p",
								cps[c].p));
			if (!o->json) {
				printf("%s  (%zu run%s%s%s%s%s)\n", name, n, n == 1 ? "" : "s", n ? ", " : "",
				       n ? files[at[0]].date : "", n > 1 ? " .. " : "", n > 1 ? files[at[n - 1]].date : "");
				for (size_t c = 0; c < nc; c++)
					printf("  change at run %zu (%s, %s): %+.1f%% (p %.2g)\n", cps[c].index,
					       files[at[cps[c].index]].date, files[at[cps[c].index]].path,
					       100 * cps[c].change, cps[c].p);
				if (!nc)
					printf("  no change point%s\n", n < 10 ? " (fewer than 10 runs: too short to find one)" : "");
			}
			json_array_append_new(list, json_pack("{s:s, s:o, s:o}", "name", name, "points", points,
							      "change_points", changes));
		}
	}
	if (o->json) {
		json_t *doc = json_pack("{s:I, s:f, s:o}", "window", (json_int_t)o->window, "p", o->p, "benchmarks", list);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else {
		json_decref(list);
	}
	free(x);
	free(at);
	for (size_t f = 0; f < nfiles; f++)
		results_free(&files[f]);
	free(files);
	return rc;
}
