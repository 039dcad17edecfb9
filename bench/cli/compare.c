/*
 * concur compare BASE NEW: per benchmark, the change from BASE to NEW and a
 * verdict that holds across runs on a shared machine.
 *
 * BASE is one result file or several (a directory, --last K of them): the run is
 * the unit of replication, so a change must stand out of the spread between the
 * base runs as well as of the spread within them. Before any benchmark, the
 * machine itself is compared through the reference probes each run took between
 * its benchmarks; a benchmark is judged by its time against the probe taken
 * beside it, which a slower machine moves as much as the benchmark, so that one
 * change of the machine is not reported as 160 regressions. Different work
 * (checksums that differ) is never called faster or slower. --gate turns a real
 * slowdown, different work or nothing to compare into exit status 1.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "cli/plot.h"
#include "cli/results.h"
#include "cli/verbs.h"
#include "core/exitcodes.h"
#include "core/plan.h"
#include "base/stats.h"

#define MAX_BASE 64

enum verdict { V_SAME, V_FASTER, V_SLOWER, V_UNSTABLE, V_INCONCLUSIVE, V_DIFFERENT, V_NVERDICTS };
static const char *const verdict_names[V_NVERDICTS] = {"same",     "faster",       "slower",
						       "unstable", "inconclusive", "different work"};

struct row {
	const struct series *new;
	const struct series *base[MAX_BASE];
	unsigned nbase;
	bool by_probe;   /* judged on time against the reference probe */
	int kind;        /* the probe the benchmark follows; -1 when unknown */
	double base_med, new_med; /* raw medians (ns): the base's median of its runs' medians */
	double change;   /* the change judged: against the probe when by_probe, else raw */
	double raw_change;
	double spread;   /* the change the base's own variation could make */
	double p, p_min; /* U test of the repetitions' raw times (one base run) */
	enum verdict verdict;
	char why[160];
};

/* The machine in base and new: each probe's change, and whether it is real. */
struct drift {
	double change[CC_PROBE_KINDS]; /* new median / base median - 1 */
	double p[CC_PROBE_KINDS];
	bool known[CC_PROBE_KINDS], moved[CC_PROBE_KINDS];
};

/* Spread of one run's repetitions as a fraction of their median: 1.4826 MAD, a robust sigma; of the
 * times against the probe when those are judged. */
static double within_sigma(const struct series *s, bool by_probe)
{
	if (by_probe)
		return s->relative_sigma;
	double m = series_median(s);
	return m > 0 && s->n >= 2 ? 1.4826 * cc_mad(s->ns, s->n) / m : 0;
}

/* Probes moved when their medians differ by more than 3% and their samples say so (U test). */
static void measure_drift(struct result_file *base, size_t nbase, const struct result_file *new, double alpha,
			  struct drift *d)
{
	memset(d, 0, sizeof(*d));
	for (int k = 0; k < CC_PROBE_KINDS; k++) {
		size_t n = 0;
		for (size_t b = 0; b < nbase; b++)
			n += base[b].nprobe[k];
		if (!n || !new->nprobe[k])
			continue;
		double *pool = malloc(n * sizeof(*pool));
		if (!pool)
			continue;
		n = 0;
		for (size_t b = 0; b < nbase; b++) {
			memcpy(pool + n, base[b].probe[k], base[b].nprobe[k] * sizeof(*pool));
			n += base[b].nprobe[k];
		}
		double bm = cc_median_of(pool, n), nm = cc_median_of(new->probe[k], new->nprobe[k]);
		struct cc_utest t = {.p = 1, .p_min = 1};
		cc_mann_whitney(pool, n, new->probe[k], new->nprobe[k], &t);
		free(pool);
		d->known[k] = bm > 0;
		d->change[k] = bm > 0 ? nm / bm - 1 : 0;
		d->p[k] = t.p;
		/* too few samples for the test: only a large move counts */
		bool tested = t.p_min < alpha;
		d->moved[k] = fabs(d->change[k]) > 0.03 && (tested ? t.p < alpha : fabs(d->change[k]) > 0.10);
	}
}

static void judge(struct row *r, const struct drift *d, const struct cc_compare_opts *o)
{
	const struct series *n = r->new;
	double vb[MAX_BASE], raw[MAX_BASE];
	for (unsigned b = 0; b < r->nbase; b++) {
		if (n->checksum[0] && r->base[b]->checksum[0] && strcmp(n->checksum, r->base[b]->checksum)) {
			r->verdict = V_DIFFERENT;
			snprintf(r->why, sizeof(r->why), "checksums differ (%s in base, %s new): not the same work",
				 r->base[b]->checksum, n->checksum);
		}
	}
	r->kind = n->probe;
	if (r->kind < 0) { /* a file without times against a probe: the probe its workload follows */
		char wl[96];
		const char *slash = strchr(n->name, '/');
		snprintf(wl, sizeof(wl), "%.*s", slash ? (int)(strcspn(slash + 1, "/") + (size_t)(slash - n->name) + 1) : 0,
			 n->name);
		const struct wl_desc *desc = wl[0] ? wl_find(wl) : NULL;
		r->kind = desc ? cc_workload_probe(desc) : -1;
	}
	/* Against the probe when every file has the time against it, and either the cell took the probe
	 * beside each batch (it follows the vCPU's speed to a fraction of a percent) or the machine
	 * changed (a probe taken between benchmarks is coarser than a quiet machine's own noise). */
	r->by_probe = n->relative > 0;
	bool in_cell = n->probe_in_cell;
	for (unsigned b = 0; b < r->nbase; b++) {
		r->by_probe &= r->base[b]->relative > 0 && r->base[b]->probe == n->probe;
		in_cell &= r->base[b]->probe_in_cell;
	}
	r->by_probe &= in_cell;
	double sigma = within_sigma(n, r->by_probe);
	size_t reps = n->n;
	for (unsigned b = 0; b < r->nbase; b++) {
		raw[b] = series_median(r->base[b]);
		vb[b] = r->by_probe ? r->base[b]->relative : raw[b];
		sigma = fmax(sigma, within_sigma(r->base[b], r->by_probe));
		reps = r->base[b]->n < reps ? r->base[b]->n : reps;
	}
	r->new_med = series_median(n);
	r->base_med = cc_median_of(raw, r->nbase);
	double center = cc_median_of(vb, r->nbase), value = r->by_probe ? n->relative : r->new_med;
	r->change = center > 0 ? value / center - 1 : 0;
	r->raw_change = r->base_med > 0 ? r->new_med / r->base_med - 1 : 0;
	/* Between base runs: the largest deviation from their median, and a 4-sigma bound for one more run
	 * from their standard deviation (the new run is one more draw, and K runs estimate it loosely). */
	double between = 0, mean = 0, var = 0;
	for (unsigned b = 0; b < r->nbase && r->nbase >= 2; b++) {
		between = fmax(between, fabs(vb[b] / center - 1));
		mean += vb[b] / r->nbase;
	}
	for (unsigned b = 0; b < r->nbase && r->nbase >= 2; b++)
		var += (vb[b] - mean) * (vb[b] - mean) / (r->nbase - 1);
	if (r->nbase >= 2 && mean > 0)
		between = fmax(between, 4 * sqrt(var) / mean * sqrt(1 + 1.0 / r->nbase));
	/* The difference of two medians of a few repetitions: 2.5 sigma would cover the noise within runs,
	 * but runs also differ from each other in ways a run's own repetitions never show (measured here:
	 * per-task spawning moved 5-6% between runs whose repetitions agreed to 2%), so 3.5. */
	r->spread = fmax(between, 3.5 * sigma);
	struct cc_utest t = {.p = 1, .p_min = 1};
	if (r->nbase == 1)
		cc_mann_whitney(r->base[0]->ns, r->base[0]->n, n->ns, n->n, &t);
	r->p = t.p;
	r->p_min = t.p_min;
	if (r->verdict == V_DIFFERENT)
		return;
	if (r->nbase == 1 && reps < 3) {
		r->verdict = V_INCONCLUSIVE;
		snprintf(r->why, sizeof(r->why), "too few repetitions (%zu) to know the spread: use 5 rounds or more, or "
						 "several base runs",
			 reps);
		return;
	}
	double bar = fmax(o->threshold, r->spread);
	/* with one base run and repetitions enough for the test, it must agree too */
	bool test_agrees = r->nbase > 1 || r->by_probe || t.p_min >= o->alpha || t.p < o->alpha;
	if (fabs(r->change) <= bar || !test_agrees) {
		r->verdict = r->spread > o->threshold ? V_UNSTABLE : V_SAME;
		if (r->verdict == V_UNSTABLE)
			snprintf(r->why, sizeof(r->why), "varies by %.1f%% %s: changes below that cannot be told",
				 100 * r->spread, between >= 3.5 * sigma ? "between base runs" : "within a run");
		return;
	}
	r->verdict = r->change > 0 ? V_SLOWER : V_FASTER;
	/* The machine moved on this probe: dividing by the probe corrects a benchmark only as far as it
	 * suffers what the probe does (a contended lock suffers more: measured, sync/counter moved 11% when
	 * the cpu probe moved 4%), so the correction itself is trusted to no better than its size. */
	if (r->by_probe && d->moved[r->kind] && fabs(r->change) <= bar + fabs(d->change[r->kind])) {
		r->verdict = V_INCONCLUSIVE;
		snprintf(r->why, sizeof(r->why), "%+.1f%% against its probe, but the machine changed (%s probe %+.1f%%) "
						 "by about as much",
			 100 * r->change, cc_probe_names[r->kind], 100 * d->change[r->kind]);
	} else if (!r->by_probe && r->kind >= 0 && d->moved[r->kind]) {
		r->verdict = V_INCONCLUSIVE;
		snprintf(r->why, sizeof(r->why), "the machine changed (%s probe %+.1f%%): a change it shares with the "
						 "machine cannot be told apart",
			 cc_probe_names[r->kind], 100 * d->change[r->kind]);
	}
}

/* A memory workload whose huge pages differ between the runs: said beside its verdict. */
static void note_huge_pages(struct row *r)
{
	double base = r->base[r->nbase - 1]->huge_mib, new = r->new->huge_mib;
	if (base < 0 || new < 0 || fabs(base - new) < 2 || r->verdict == V_SAME || r->verdict == V_DIFFERENT)
		return;
	size_t at = strlen(r->why);
	snprintf(r->why + at, sizeof(r->why) - at, "%shuge pages back %.0f MiB of its buffers in base, %.0f MiB new",
		 at ? "; " : "", base, new);
}

/* Per class, the median change raw and judged: a change the whole class shares shows here once, and
 * whether the probes took it away (the machine) or not (the code, or a machine the probe misses). */
static void print_classes(const struct row *rows, size_t n)
{
	enum { MAX_CLASSES = 16 }; /* concur has 7; other files' names may have more: the first 16 */
	const char *classes[MAX_CLASSES];
	size_t nclasses = 0;
	for (size_t k = 0; k < n && nclasses < MAX_CLASSES; k++) {
		bool seen = false;
		for (size_t c = 0; c < nclasses && !seen; c++)
			seen = !strcmp(classes[c], rows[k].new->cls);
		if (!seen)
			classes[nclasses++] = rows[k].new->cls;
	}
	double *raw = malloc((n + 1) * sizeof(*raw)), *judged = malloc((n + 1) * sizeof(*judged));
	for (size_t c = 0; c < nclasses && raw && judged; c++) {
		size_t m = 0, probed = 0;
		for (size_t j = 0; j < n; j++) {
			if (strcmp(rows[j].new->cls, classes[c]) || rows[j].verdict == V_DIFFERENT)
				continue;
			raw[m] = rows[j].raw_change;
			judged[m++] = rows[j].change;
			probed += rows[j].by_probe;
		}
		if (m < 2)
			continue;
		fprintf(stderr, "concur: compare: %-6s %3zu benchmarks, median change %+.1f%%", classes[c], m,
			100 * cc_median_of(raw, m));
		if (probed)
			fprintf(stderr, ", %+.1f%% against their probe", 100 * cc_median_of(judged, m));
		fputc('\n', stderr);
	}
	free(raw);
	free(judged);
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

/* The machine first: probes, steal time, and the doctor's findings that differ. */
static void print_machine(const struct result_file *base, size_t nbase, const struct result_file *new,
			  const struct drift *d)
{
	const struct result_file *b0 = &base[nbase - 1];
	bool any = false;
	for (int k = 0; k < CC_PROBE_KINDS; k++) {
		if (!d->known[k])
			continue;
		if (!any)
			fprintf(stderr, "concur: compare: the machine, by its reference probes (new against base):\n");
		any = true;
		fprintf(stderr, "  %-8s %+6.1f%% %s%s\n", cc_probe_names[k], 100 * d->change[k],
			d->change[k] > 0 ? "slower" : "faster",
			!d->moved[k]     ? "" :
			k == CC_PROBE_CPU ? "  <- the machine changed: cpu-bound benchmarks are judged against their probe" :
					    "  <- the machine changed: a change beyond the bar on this kind is inconclusive");
	}
	if (!any)
		fprintf(stderr, "concur: compare: no reference probes in %s: a change of the machine cannot be told "
				"from a change of the code\n",
			new->nprobe[0] ? b0->path : new->path);
	if (b0->steal_pct >= 0 || new->steal_pct >= 0)
		fprintf(stderr, "  steal    %.1f%% of CPU time in base, %.1f%% new\n", b0->steal_pct, new->steal_pct);
	for (unsigned k = 0; k < new->ndoctor; k++)
		for (unsigned j = 0; j < b0->ndoctor; j++)
			if (!strcmp(new->doctor[k].check, b0->doctor[j].check) &&
			    strcmp(new->doctor[k].value, b0->doctor[j].value) && strcmp(new->doctor[k].check, "clock_cost"))
				fprintf(stderr, "  %-8s base: %s\n  %-8s new:  %s\n", new->doctor[k].check, b0->doctor[j].value,
					"", new->doctor[k].value);
}

static void print_rows(FILE *to, const struct row *rows, size_t n, const struct cc_compare_opts *o,
		       bool machines_differ)
{
	bool md = !strcmp(o->format, "md");
	if (md)
		fprintf(to, "| benchmark | base | new | change | against probe | ± base spread | verdict | why |\n"
			    "|---|---:|---:|---:|---:|---:|---|---|\n");
	else
		fprintf(to, "%-52s  %12s  %12s  %8s  %9s  %8s  %-14s%s\n", "benchmark", "base", "new", "change",
			"vs probe", "spread", "verdict", machines_differ ? "  speedup base -> new" : "");
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[k];
		char b[32], w[32], rel[16] = "-";
		print_time(b, sizeof(b), r->base_med);
		print_time(w, sizeof(w), r->new_med);
		if (r->by_probe)
			snprintf(rel, sizeof(rel), "%+.1f%%", 100 * r->change);
		if (md) {
			fprintf(to, "| %s | %s | %s | %+.1f%% | %s | %.1f%% | %s | %s |\n", r->new->name, b, w,
				100 * r->raw_change, rel, 100 * r->spread, verdict_names[r->verdict], r->why);
			continue;
		}
		fprintf(to, "%-52s  %12s  %12s  %+7.1f%%  %9s  %7.1f%%  %-14s", r->new->name, b, w, 100 * r->raw_change,
			rel, 100 * r->spread, verdict_names[r->verdict]);
		if (machines_differ && r->base[0]->speedup >= 0 && r->new->speedup >= 0) {
			int w = r->new->workers > 0 ? r->new->workers : 1;
			fprintf(to, "  %.2fx -> %.2fx (%.0f%% -> %.0f%%)", r->base[0]->speedup, r->new->speedup,
				100 * r->base[0]->speedup / w, 100 * r->new->speedup / w);
		}
		if (r->why[0])
			fprintf(to, "  %s", r->why);
		fputc('\n', to);
	}
}

/* The table as a page of its own (concur plot links it): every name from the files escaped. */
static void print_html(FILE *to, const struct row *rows, size_t n, const struct result_file *base, size_t nbase,
		       const struct result_file *new, bool machines_differ)
{
	fprintf(to, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>concur compare</title>\n"
		    "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:90%%}"
		    "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}td:first-child,td:last-child,"
		    "th{text-align:left}.slower,.different_work{color:#b00}.faster{color:#070}</style></head><body>\n"
		    "<h1>concur compare</h1>\n<p>base: ");
	for (size_t b = 0; b < nbase; b++) {
		fprintf(to, "%s<code>", b ? ", " : "");
		plot_html(to, base[b].path);
		fputs("</code>", to);
	}
	fputs(" (machine ", to);
	plot_html(to, base[nbase - 1].machine);
	fputs(")<br>new: <code>", to);
	plot_html(to, new->path);
	fputs("</code> (machine ", to);
	plot_html(to, new->machine);
	fprintf(to, ")%s</p>\n<table><tr><th>benchmark</th><th>base</th><th>new</th><th>change</th><th>against probe</th>"
		    "<th>± base spread</th><th>verdict</th>%s<th>why</th></tr>\n",
		machines_differ ? "; the machines differ: compare speedups, not times" : "",
		machines_differ ? "<th>speedup base → new</th>" : "");
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[k];
		char b[32], w[32];
		print_time(b, sizeof(b), r->base_med);
		print_time(w, sizeof(w), r->new_med);
		fputs("<tr><td>", to);
		plot_html(to, r->new->name);
		fprintf(to, "</td><td>%s</td><td>%s</td><td>%+.1f%%</td>", b, w, 100 * r->raw_change);
		if (r->by_probe)
			fprintf(to, "<td>%+.1f%%</td>", 100 * r->change);
		else
			fputs("<td>-</td>", to);
		fprintf(to, "<td>%.1f%%</td><td class=\"%s\">%s</td>", 100 * r->spread, verdict_names[r->verdict],
			verdict_names[r->verdict]);
		if (machines_differ && r->base[0]->speedup >= 0 && r->new->speedup >= 0)
			fprintf(to, "<td>%.2fx → %.2fx</td>", r->base[0]->speedup, r->new->speedup);
		else if (machines_differ)
			fputs("<td>-</td>", to);
		fputs("<td>", to);
		plot_html(to, r->why);
		fputs("</td></tr>\n", to);
	}
	fputs("</table>\n</body></html>\n", to);
}

static void print_json(FILE *to, const struct row *rows, size_t n, const struct cc_compare_opts *o, struct result_file *base,
		       size_t nbase, const struct result_file *new, const struct drift *d, bool machines_differ,
		       const char *gate)
{
	json_t *list = json_array(), *bases = json_array(), *machine = json_object();
	for (size_t k = 0; k < n; k++) {
		const struct row *r = &rows[k];
		json_t *j = json_pack("{s:s, s:f, s:f, s:f, s:f, s:b, s:f, s:f, s:s, s:I, s:I}", "name", r->new->name,
				      "base_median_ns", r->base_med, "new_median_ns", r->new_med, "change",
				      r->raw_change, "judged_change", r->change, "against_probe", r->by_probe, "spread",
				      r->spread, "p", r->p, "verdict", verdict_names[r->verdict], "base_runs",
				      (json_int_t)r->nbase, "new_repetitions", (json_int_t)r->new->n);
		if (r->why[0])
			json_object_set_new(j, "why", json_string(r->why));
		if (r->by_probe)
			json_object_set_new(j, "probe", json_string(cc_probe_names[r->kind]));
		if (r->base[0]->speedup >= 0 && r->new->speedup >= 0) {
			json_object_set_new(j, "base_speedup", json_real(r->base[0]->speedup));
			json_object_set_new(j, "new_speedup", json_real(r->new->speedup));
		}
		json_array_append_new(list, j);
	}
	for (size_t b = 0; b < nbase; b++)
		json_array_append_new(bases, json_string(base[b].path));
	for (int k = 0; k < CC_PROBE_KINDS; k++)
		if (d->known[k])
			json_object_set_new(machine, cc_probe_names[k],
					    json_pack("{s:f, s:f, s:b}", "change", d->change[k], "p", d->p[k], "moved",
						      d->moved[k]));
	json_t *doc = json_pack("{s:o, s:s, s:s, s:s, s:b, s:f, s:f, s:o, s:o}", "base", bases, "new", new->path,
				"base_machine", base[nbase - 1].machine, "new_machine", new->machine, "machines_differ",
				machines_differ, "threshold", o->threshold, "alpha", o->alpha, "probes", machine,
				"benchmarks", list);
	if (gate)
		json_object_set_new(doc, "gate", json_string(gate));
	json_dumpf(doc, to, JSON_INDENT(2));
	fputc('\n', to);
	json_decref(doc);
}

int cli_compare(const char *base_path, const char *new_path, const struct cc_compare_opts *o)
{
	struct result_file *base, new;
	size_t nbase;
	int rc = results_load_set("compare", &base_path, 1, &base, &nbase);
	if (rc)
		return rc;
	if ((rc = results_load("compare", new_path, &new))) {
		for (size_t b = 0; b < nbase; b++)
			results_free(&base[b]);
		free(base);
		return rc;
	}
	/* the last K runs of a history; at most MAX_BASE */
	size_t keep = o->last && o->last < nbase ? o->last : nbase, first = nbase - (keep < MAX_BASE ? keep : MAX_BASE);
	struct result_file *bset = base + first;
	size_t nb = nbase - first;
	bool machines_differ = false;
	for (size_t b = 0; b < nb; b++)
		machines_differ |= strcmp(bset[b].machine, new.machine) != 0;
	if (machines_differ)
		fprintf(stderr,
			"concur: compare: the files come from different machines (%s, %s): raw times compare the "
			"machines; speedup against serial and efficiency per worker are machine-independent\n",
			bset[nb - 1].machine, new.machine);
	if (nb > 1)
		fprintf(stderr, "concur: compare: base: %zu runs (%s .. %s)\n", nb, bset[0].date, bset[nb - 1].date);
	struct drift d;
	measure_drift(bset, nb, &new, o->alpha, &d);
	print_machine(bset, nb, &new, &d);

	struct row *rows = calloc(new.n + 1, sizeof(*rows));
	size_t n = 0, count[V_NVERDICTS] = {0};
	for (size_t k = 0; k < new.n; k++) {
		struct row *r = &rows[n];
		*r = (struct row){.new = &new.s[k]};
		for (size_t b = 0; b < nb; b++) {
			const struct series *s = results_find(&bset[b], new.s[k].name);
			if (s && s->n)
				r->base[r->nbase++] = s;
		}
		if (!r->nbase || !new.s[k].n) {
			fprintf(stderr, "concur: compare: only in %s: %s\n", new.path, new.s[k].name);
			continue;
		}
		judge(r, &d, o);
		note_huge_pages(r);
		count[r->verdict]++;
		n++;
	}
	for (size_t b = 0; b < nb; b++)
		for (size_t k = 0; k < bset[b].n; k++)
			if (!results_find(&new, bset[b].s[k].name) && (b + 1 == nb || !results_find(&bset[nb - 1], bset[b].s[k].name)))
				fprintf(stderr, "concur: compare: not in %s: %s\n", new.path, bset[b].s[k].name);

	/* the gate's verdict, with its reason */
	const char *gate = NULL;
	char reason[200] = "";
	if (o->gate) {
		if (!n)
			gate = "fail", snprintf(reason, sizeof(reason), "nothing to compare: no benchmark measured in both");
		else if (count[V_SLOWER])
			gate = "fail", snprintf(reason, sizeof(reason), "%zu benchmark%s slower beyond %.1f%% and the base's spread",
						count[V_SLOWER], count[V_SLOWER] == 1 ? "" : "s", 100 * o->threshold);
		else if (count[V_DIFFERENT])
			gate = "fail", snprintf(reason, sizeof(reason), "%zu benchmark%s did different work: make NEW with "
								  "concur run --like BASE",
						count[V_DIFFERENT], count[V_DIFFERENT] == 1 ? "" : "s");
		else if (o->strict && (count[V_INCONCLUSIVE] || count[V_UNSTABLE]))
			gate = "fail", snprintf(reason, sizeof(reason), "--strict: %zu inconclusive, %zu unstable",
						count[V_INCONCLUSIVE], count[V_UNSTABLE]);
		else if (count[V_INCONCLUSIVE] + count[V_UNSTABLE] == n)
			gate = "inconclusive",
			snprintf(reason, sizeof(reason), "no benchmark could be judged (%zu inconclusive, %zu unstable): "
							 "neither a pass nor a regression",
				 count[V_INCONCLUSIVE], count[V_UNSTABLE]);
		else
			gate = "pass";
	}
	FILE *to = o->to ? o->to : stdout;
	if (!strcmp(o->format, "json"))
		print_json(to, rows, n, o, bset, nb, &new, &d, machines_differ, gate);
	else if (!strcmp(o->format, "html"))
		print_html(to, rows, n, bset, nb, &new, machines_differ);
	else
		print_rows(to, rows, n, o, machines_differ);

	print_classes(rows, n);
	fprintf(stderr, "concur: compare: %zu benchmarks:", n);
	for (int v = 0; v < V_NVERDICTS; v++)
		if (count[v])
			fprintf(stderr, " %zu %s,", count[v], verdict_names[v]);
	fprintf(stderr, " (threshold %.1f%%)\n", 100 * o->threshold);
	if (count[V_UNSTABLE] || count[V_INCONCLUSIVE]) {
		fprintf(stderr, "concur: compare: not judged, with why:\n");
		for (size_t k = 0; k < n; k++)
			if (rows[k].verdict == V_UNSTABLE || rows[k].verdict == V_INCONCLUSIVE)
				fprintf(stderr, "  %-14s %s: %s\n", verdict_names[rows[k].verdict], rows[k].new->name,
					rows[k].why);
	}
	rc = CC_EXIT_OK;
	if (gate) {
		fprintf(stderr, "concur: compare: gate: %s%s%s\n", gate, reason[0] ? ": " : "", reason);
		for (size_t k = 0; k < n && count[V_SLOWER]; k++)
			if (rows[k].verdict == V_SLOWER)
				fprintf(stderr, "  slower %s (%+.1f%%%s; spread %.1f%%)\n", rows[k].new->name,
					100 * rows[k].change, rows[k].by_probe ? " against its probe" : "",
					100 * rows[k].spread);
		/* inconclusive is its own status (3, the house code for "skipped"), so that CI can tell it
		 * from both a pass and a regression */
		rc = !strcmp(gate, "pass") ? CC_EXIT_OK : !strcmp(gate, "inconclusive") ? CC_EXIT_NO_RESOURCE : CC_EXIT_FAIL;
	}
	free(rows);
	for (size_t b = 0; b < nbase; b++)
		results_free(&base[b]);
	free(base);
	results_free(&new);
	return rc;
}
