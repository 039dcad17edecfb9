/*
 * concur plot's page, index.html: the answer first (the machine, the run, the headline), then a table
 * of contents, then a section per workload with its summary table beside its figures, and how to read
 * each kind of figure. Everything read from a result file is escaped; nothing is fetched from the
 * network (the page, its SVGs and data files are one folder); the same files give the same page, byte
 * for byte (no rendering time in it).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/registry.h"
#include "cli/plot.h"
#include "cli/plotset.h"
#include "work/workload.h"

/* More files than this (a history) show the newest in the run table and the rest in the Files section. */
#define RUNS_AT_TOP 3

static const char *jstr(json_t *o, const char *k, const char *otherwise)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : otherwise;
}

static void html(FILE *f, const char *s) { plot_html(f, s); }

/* An id for a section: "wl-" and the name with anything but letters, digits, '-' and '.' as '_'. */
static void anchor(char *buf, size_t len, const char *base)
{
	char safe[200];
	plot_safe_name(safe, sizeof(safe), base);
	snprintf(buf, len, "wl-%s", safe);
}

static const char *class_title(const char *cls)
{
	static const char *const titles[][2] = {{"cpu", "CPU-bound"},   {"io", "IO-bound"},     {"mix", "Mixed CPU and IO"},
						{"mem", "Memory-bound"}, {"sync", "Synchronisation"}, {"ipc", "IPC"},
						{"server", "Serving"},  {"spawn", "Spawning and reaping"},
						{"switch", "Context switches"}, {"queue", "Queues"},
						{"dist", "Beyond one machine (MPI)"}};
	for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]); k++)
		if (!strcmp(cls, titles[k][0]))
			return titles[k][1];
	return cls;
}

/* The class of a base name ("cpu/hash" -> "cpu"), into buf. */
static const char *class_of(char *buf, size_t len, const char *base)
{
	snprintf(buf, len, "%.*s", (int)strcspn(base, "/"), base);
	return buf;
}

/* The newest file of each machine, in order of first appearance: the machines of the page. */
static size_t machines(const struct pset *s, const struct pfile **out, size_t max)
{
	size_t n = 0;
	for (size_t k = s->nfiles; k-- > 0;) {
		size_t j = 0;
		while (j < n && strcmp(out[j]->id, s->files[k].id))
			j++;
		if (j == n && n < max)
			out[n++] = &s->files[k];
	}
	for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) { /* oldest machine first, as the files */
		const struct pfile *t = out[a];
		out[a] = out[b];
		out[b] = t;
	}
	return n;
}

static json_t *doctor_check(json_t *machine, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_object_get(machine, "doctor"), "checks"), i, c)
	if (!strcmp(jstr(c, "check", ""), name))
		return c;
	return NULL;
}

static void machine_table(FILE *f, const struct pfile *const *m, size_t nm)
{
	static const char *const rows[] = {"machine", "CPU", "topology", "caches", "kernel", "memory", "hypervisor",
					   "governor", "warnings"};
	fputs("<section class=\"box\"><h2>Machine</h2>\n<table class=\"facts\">\n", f);
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		fprintf(f, "<tr><th>%s</th>", rows[r]);
		for (size_t k = 0; k < nm; k++) {
			json_t *mach = json_object_get(json_object_get(m[k]->doc, "concur"), "machine");
			json_t *t = json_object_get(mach, "topology");
			fputs("<td>", f);
			switch (r) {
			case 0: html(f, m[k]->id); break;
			case 1: html(f, jstr(mach, "cpu_model", "?")); break;
			case 2: {
				static const char *const parts[][3] = {{"packages", "package", "packages"},
								       {"numa_nodes", "NUMA node", "NUMA nodes"},
								       {"l3_domains", "L3", "L3s"},
								       {"cores", "core", "cores"},
								       {"pus", "hardware thread", "hardware threads"}};
				for (int p = 0; p < 5; p++) {
					json_int_t n = json_integer_value(json_object_get(t, parts[p][0]));
					fprintf(f, "%s%lld %s", p ? ", " : "", n, parts[p][n == 1 ? 1 : 2]);
				}
				break;
			}
			case 3: {
				size_t i;
				json_t *c;
				json_array_foreach(json_object_get(t, "caches"), i, c)
				{
					double kib = (double)json_integer_value(json_object_get(c, "size")) / 1024;
					fprintf(f, "%sL%lld%s ", i ? ", " : "", json_integer_value(json_object_get(c, "level")),
						!strcmp(jstr(c, "type", ""), "instruction") ? "i"
						: !strcmp(jstr(c, "type", ""), "data")      ? "d"
											    : "");
					kib >= 1024 ? fprintf(f, "%.0f MiB", kib / 1024) : fprintf(f, "%.0f KiB", kib);
					fprintf(f, " ×%lld", json_integer_value(json_object_get(c, "count")));
				}
				break;
			}
			case 4: html(f, jstr(mach, "kernel", "?")); break;
			case 5: {
				json_t *mem = json_object_get(mach, "memory_bytes");
				json_is_number(mem) ? fprintf(f, "%.1f GiB", json_number_value(mem) / (1 << 30)) : fputs("?", f);
				break;
			}
			case 6:
			case 7: html(f, jstr(doctor_check(mach, r == 6 ? "hypervisor" : "governor"), "value", "?")); break;
			default: {
				size_t i, shown = 0;
				json_t *c;
				json_array_foreach(json_object_get(json_object_get(mach, "doctor"), "checks"), i, c)
				{
					if (strcmp(jstr(c, "status", ""), "warning"))
						continue;
					fputs(shown++ ? "<br>" : "", f);
					html(f, jstr(c, "check", "?"));
					fputs(": ", f);
					html(f, jstr(c, "value", ""));
				}
				if (!shown)
					fputs("none", f);
			}
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></section>\n", f);
}

/* A file's benchmarks that failed, were noisy or invalid: counts for the run table. */
struct problems {
	size_t total, failed, noisy, invalid;
};

static struct problems count_problems(const struct pset *s, const struct pfile *file)
{
	struct problems p = {0};
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		if (c->file != file)
			continue;
		p.total++;
		p.failed += strcmp(c->status, "ok") != 0;
		p.noisy += c->noisy;
		p.invalid += !c->valid && !strcmp(c->status, "ok");
	}
	return p;
}

static void run_row(FILE *f, const struct pset *s, const struct pfile *file)
{
	json_t *concur = json_object_get(file->doc, "concur"), *run = json_object_get(concur, "run");
	json_t *build = json_object_get(concur, "build"), *d = json_object_get(run, "duration_s");
	struct problems p = count_problems(s, file);
	fputs("<tr><td>", f);
	html(f, file->label);
	fputs("</td><td>", f);
	html(f, jstr(run, "suite", "?"));
	fputs("</td><td>", f);
	html(f, file->date);
	fputs("</td><td>", f);
	html(f, jstr(build, "git_commit", "?"));
	fputs("</td><td>", f);
	if (json_is_number(d))
		fprintf(f, json_number_value(d) < 10 ? "%.1f s" : "%.0f s", json_number_value(d));
	else
		fputs("?", f);
	fprintf(f, "</td><td>%zu</td>", p.total);
	fprintf(f, p.failed ? "<td class=\"bad\"><a href=\"#failed\">%zu</a></td>" : "<td>%zu</td>", p.failed);
	fprintf(f, p.noisy ? "<td><a href=\"#noisy\">%zu</a></td>" : "<td>%zu</td>", p.noisy);
	fprintf(f, p.invalid ? "<td class=\"bad\"><a href=\"#invalid\">%zu</a></td>" : "<td>%zu</td>", p.invalid);
	fputs("</tr>\n", f);
}

static void run_table(FILE *f, const struct pset *s)
{
	fputs("<section class=\"box\"><h2>Run</h2>\n<table class=\"runs\"><tr><th>run</th><th>suite</th><th>date</th>"
	      "<th>commit</th><th>took</th><th>benchmarks</th><th>failed</th><th>noisy</th><th>invalid</th></tr>\n",
	      f);
	size_t first = s->nfiles > RUNS_AT_TOP ? s->nfiles - 1 : 0;
	for (size_t k = first; k < s->nfiles; k++)
		run_row(f, s, &s->files[k]);
	fputs("</table>\n", f);
	if (first)
		fprintf(f, "<p>the newest of %zu runs: <a href=\"#files\">all of them</a></p>\n", s->nfiles);
	fputs("</section>\n", f);
}

/* A headline question of scenarios: the cheapest per placement, each linked to its section. */
static void scenario_question(FILE *f, json_t *q, const char *machine)
{
	json_t *row;
	size_t i;
	fputs("<tr><td>", f);
	html(f, jstr(q, "question", "?"));
	fputs("</td><td>", f);
	json_array_foreach(json_object_get(q, "cheapest"), i, row)
	{
		const char *name = jstr(row, "scenario", "");
		json_t *before;
		size_t j;
		bool seen = false;
		json_array_foreach(json_object_get(q, "cheapest"), j, before)
			seen |= j < i && !strcmp(jstr(before, "scenario", ""), name);
		if (seen) /* each scenario linked once */
			continue;
		char id[256];
		anchor(id, sizeof(id), name);
		fputs(i ? ", <a href=\"#" : "<a href=\"#", f);
		html(f, id);
		fputs("\">", f);
		html(f, name);
		fputs("</a>", f);
	}
	fputs("</td>", f);
	if (machine) {
		fputs("<td>", f);
		html(f, machine);
		fputs("</td>", f);
	}
	fputs("<td colspan=\"4\" class=\"win\">", f);
	json_array_foreach(json_object_get(q, "cheapest"), i, row)
	{
		fputs(i ? "; " : "", f);
		html(f, jstr(row, "pin", "?"));
		fprintf(f, " ×%lld: ", (long long)json_integer_value(json_object_get(row, "roles")));
		html(f, jstr(row, "scenario", "?"));
		fputs(" (", f);
		html(f, jstr(row, "executor", "?"));
		double ns = json_number_value(json_object_get(row, "ns_per_op"));
		fprintf(f, ns >= 100 ? ") %.0f ns" : ") %.3g ns", ns);
	}
	json_array_foreach(json_object_get(q, "by_connections"), i, row) /* servers: at each connection count */
	{
		fputs(i ? "; " : "<br>by connections: ", f);
		html(f, jstr(row, "pin", "?"));
		fprintf(f, " %lld: ", (long long)json_integer_value(json_object_get(row, "conns")));
		html(f, jstr(row, "scenario", "?"));
		fprintf(f, " %.0f/s, p99 %.0f µs, %.1f µs CPU", json_number_value(json_object_get(row, "requests_per_s")),
			(double)json_integer_value(json_object_get(row, "p99_ns")) / 1e3,
			json_number_value(json_object_get(row, "server_cpu_us_per_req")));
	}
	fputs("</td></tr>\n", f);
}

/* The headline: per question of the newest file of each machine, the fastest model at all cores. Its
 * questions are whatever the file's headline holds, so a new headline line needs nothing here. */
static void headline(FILE *f, const struct pfile *const *m, size_t nm)
{
	fprintf(f, "<h2 id=\"headline\">Headline: the fastest way to run each kind of work here</h2>\n"
		   "<table id=\"headline-table\"><tr><th>question</th><th>workload</th>%s<th>fastest at all cores</th>"
		   "<th>speedup over serial</th><th>CPU s (serial's)</th><th>beside it</th></tr>\n",
		nm > 1 ? "<th>machine</th>" : "");
	size_t shown = 0;
	for (size_t k = 0; k < nm; k++) {
		const char *key;
		json_t *q;
		json_object_foreach(json_object_get(json_object_get(m[k]->doc, "concur"), "headline"), key, q)
		{
			if (json_object_get(q, "cheapest")) {
				scenario_question(f, q, nm > 1 ? m[k]->label : NULL);
				shown++;
				continue;
			}
			const char *fastest = jstr(q, "fastest_at_all_cores", NULL);
			json_int_t all = json_integer_value(json_object_get(q, "all_cores"));
			json_t *win = NULL, *serial = NULL, *row, *best_other = NULL;
			size_t i;
			json_array_foreach(json_object_get(q, "rows"), i, row)
			{
				const char *model = jstr(row, "model", "");
				if (!strcmp(model, "serial"))
					serial = row;
				else if (fastest && !strcmp(model, fastest) &&
					 json_integer_value(json_object_get(row, "workers")) == all)
					win = row;
			}
			json_array_foreach(json_object_get(q, "rows"), i, row) /* the runner-up, for "by how much" */
			{
				const char *model = jstr(row, "model", "");
				double sp = json_number_value(json_object_get(row, "speedup"));
				if (row != win && strcmp(model, fastest ? fastest : "") &&
				    json_integer_value(json_object_get(row, "workers")) == all &&
				    (!best_other || sp > json_number_value(json_object_get(best_other, "speedup"))))
					best_other = row;
			}
			char id[256];
			anchor(id, sizeof(id), jstr(q, "workload", ""));
			fputs("<tr><td>", f);
			html(f, jstr(q, "question", key));
			fputs("</td><td><a href=\"#", f);
			html(f, id);
			fputs("\">", f);
			html(f, jstr(q, "workload", "?"));
			fputs("</a></td>", f);
			if (nm > 1) {
				fputs("<td>", f);
				html(f, m[k]->label);
				fputs("</td>", f);
			}
			if (!win) {
				fputs("<td colspan=\"4\">no model completed at all cores</td></tr>\n", f);
				continue;
			}
			fprintf(f, "<td class=\"win\">");
			html(f, fastest);
			fprintf(f, " (%lld workers)</td><td>%.2fx</td><td>%.4g", all,
				json_number_value(json_object_get(win, "speedup")),
				json_number_value(json_object_get(win, "cpu_s")));
			if (serial)
				fprintf(f, " (%.4g)", json_number_value(json_object_get(serial, "cpu_s")));
			fputs("</td><td>", f);
			if (best_other) {
				html(f, jstr(best_other, "model", "?"));
				fprintf(f, " %.2fx", json_number_value(json_object_get(best_other, "speedup")));
			}
			fputs("</td></tr>\n", f);
			shown++;
		}
	}
	if (!shown)
		fprintf(f, "<tr><td colspan=\"%d\">the run held none of the headline's workloads (cpu/hash, io/sleep, "
			   "mix/cpu-io): see the sections below</td></tr>\n", nm > 1 ? 7 : 6);
	fputs("</table>\n", f);
}

/* Distinct bases in first-seen order. */
static size_t bases(const struct pset *s, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < s->n; k++) {
		size_t j = 0;
		while (j < n && strcmp(out[j], s->c[k].base))
			j++;
		if (j == n && n < max)
			out[n++] = s->c[k].base;
	}
	return n;
}

static void contents(FILE *f, const char *const *b, size_t nb, bool files, bool compare)
{
	fputs("<nav><h2>Contents</h2><ul>\n", f);
	char cls[32], prev[32] = "";
	for (size_t k = 0; k < nb; k++) {
		class_of(cls, sizeof(cls), b[k]);
		if (strcmp(cls, prev)) {
			fprintf(f, "%s<li>%s: ", *prev ? "</li>\n" : "", class_title(cls));
			snprintf(prev, sizeof(prev), "%s", cls);
		} else {
			fputs(", ", f);
		}
		char id[256];
		anchor(id, sizeof(id), b[k]);
		fprintf(f, "<a href=\"#%s\">", id);
		html(f, b[k] + strlen(cls) + (b[k][strlen(cls)] == '/'));
		fputs("</a>", f);
	}
	fprintf(f, "%s<li><a href=\"#problems\">failed, noisy and invalid benchmarks</a></li>\n"
		   "<li><a href=\"#reading\">how to read the figures</a></li>\n",
		nb ? "</li>\n" : "");
	if (files)
		fputs("<li><a href=\"#files\">the result files</a></li>\n", f);
	if (compare)
		fputs("<li><a href=\"compare.html\">the oldest run against the newest: compare</a></li>\n", f);
	fputs("</ul></nav>\n", f);
}

static void notes(FILE *f, const struct pcell *c)
{
	if (strcmp(c->status, "ok")) {
		fputs("<td class=\"bad\">", f);
		html(f, c->status);
	} else if (!c->valid) {
		fputs("<td class=\"bad\">invalid", f);
	} else {
		fputs(c->noisy ? "<td class=\"noisy\">noisy" : "<td>", f);
	}
	fputs("</td>", f);
}

static void section(FILE *f, const struct figures *fig, const struct pset *s, const char *base, size_t nmachines)
{
	char id[256];
	anchor(id, sizeof(id), base);
	const struct wl_desc *wl = wl_find(base);
	fprintf(f, "<section id=\"%s\"><h3>", id);
	html(f, base);
	fputs("</h3>\n", f);
	if (wl) {
		fputs("<p class=\"q\">", f);
		html(f, wl->summary);
		fputs("</p>\n", f);
	}
	bool swept = false, scenario = false; /* a column for the sweep point only when there is one */
	for (size_t k = 0; k < s->n; k++)
		if (!strcmp(s->c[k].base, base)) {
			swept |= strcmp(s->c[k].workload, base) != 0;
			scenario |= s->c[k].scenario;
		}
	fprintf(f, "<div class=\"body\"><table class=\"summary\"><tr>%s%s%s</tr>\n", nmachines > 1 ? "<th>run</th>" : "",
		swept ? "<th>point</th>" : "",
		scenario ? "<th>executor</th><th>roles</th><th>pin</th><th>ns per op</th><th>p99 ns</th><th>cpu ns/op</th>"
			   "<th>csw/op</th><th>notes</th>"
			 : "<th>model</th><th>workers</th><th>pin</th><th>median ms</th><th>speedup</th><th>cpu s</th>"
			   "<th>notes</th>");
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		if (strcmp(c->base, base))
			continue;
		fputs("<tr>", f);
		if (nmachines > 1) {
			fputs("<td>", f);
			html(f, c->machine);
			fputs("</td>", f);
		}
		if (swept) {
			fputs("<td>", f);
			html(f, c->workload + strlen(base));
			fputs("</td>", f);
		}
		fputs("<td>", f);
		html(f, c->model);
		fprintf(f, "</td><td>%d</td><td>", c->workers);
		html(f, c->pin);
		fputs("</td>", f);
		if (scenario) {
			c->ns_per_op >= 0 ? fprintf(f, "<td>%.0f</td>", c->ns_per_op) : fputs("<td>-</td>", f);
			c->lat[2] >= 0 ? fprintf(f, "<td>%.0f</td>", c->lat[2]) : fputs("<td>-</td>", f);
			c->cpu_ns_per_op >= 0 ? fprintf(f, "<td>%.0f</td>", c->cpu_ns_per_op) : fputs("<td>-</td>", f);
			c->csw_per_op >= 0 ? fprintf(f, "<td>%.2f</td>", c->csw_per_op) : fputs("<td>-</td>", f);
		} else {
			c->wall_s >= 0 ? fprintf(f, "<td>%.3f</td>", c->wall_s * 1e3) : fputs("<td>-</td>", f);
			c->speedup >= 0 ? fprintf(f, "<td>%.2fx</td>", c->speedup) : fputs("<td>-</td>", f);
			c->cpu_s >= 0 ? fprintf(f, "<td>%.3f</td>", c->cpu_s) : fputs("<td>-</td>", f);
		}
		notes(f, c);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<div class=\"figs\">\n", f);
	for (size_t k = 0; k < fig->n; k++) {
		const struct pfigure *p = &fig->fig[k];
		if (strcmp(p->base, base))
			continue;
		fprintf(f, "<figure><a href=\"%s.svg\"><img src=\"%s.svg\" alt=\"", p->name, p->name);
		html(f, p->title);
		fputs("\"></a><figcaption>", f);
		html(f, p->title);
		fprintf(f, " · <a href=\"data/%s.tsv\">data</a> · <a href=\"%s.png\">PNG</a> · <a href=\"#reading-%s\">how "
			   "to read</a></figcaption></figure>\n",
			p->name, p->name, p->kind);
	}
	fputs("</div></div></section>\n", f);
}

/* Every failed, noisy or invalid benchmark, under the anchors the run table links. */
static void problems(FILE *f, const struct pset *s)
{
	static const char *const kinds[] = {"failed", "noisy", "invalid"};
	fputs("<section id=\"problems\"><h2>Failed, noisy and invalid benchmarks</h2>\n", f);
	for (int kind = 0; kind < 3; kind++) {
		fprintf(f, "<h3 id=\"%s\">%s</h3><ul>\n", kinds[kind], kinds[kind]);
		size_t n = 0;
		for (size_t k = 0; k < s->n; k++) {
			const struct pcell *c = &s->c[k];
			bool ok = !strcmp(c->status, "ok");
			if (kind == 0 ? ok : kind == 1 ? !c->noisy : !ok || c->valid)
				continue;
			char id[256];
			anchor(id, sizeof(id), c->base);
			fprintf(f, "<li><a href=\"#%s\">", id);
			html(f, c->workload);
			fputs("</a> ", f);
			html(f, c->model);
			fprintf(f, " workers:%d pin:", c->workers);
			html(f, c->pin);
			if (s->nfiles > 1) {
				fputs(" (", f);
				html(f, c->machine);
				fputs(")", f);
			}
			if (kind == 0) {
				fputs(": ", f);
				html(f, c->status);
			}
			fputs("</li>\n", f);
			n++;
		}
		fprintf(f, "%s</ul>\n", n ? "" : "<li>none</li>");
	}
	fputs("</section>\n", f);
}

static void files(FILE *f, const struct pset *s, const char *compare)
{
	fputs("<section id=\"files\"><h2>The result files</h2>\n<table class=\"runs\"><tr><th>run</th><th>suite</th>"
	      "<th>date</th><th>commit</th><th>took</th><th>benchmarks</th><th>failed</th><th>noisy</th>"
	      "<th>invalid</th></tr>\n",
	      f);
	for (size_t k = 0; k < s->nfiles; k++)
		run_row(f, s, &s->files[k]);
	fputs("</table>\n<ul>\n", f);
	for (size_t k = 0; k < s->nfiles; k++) {
		fputs("<li>", f);
		html(f, s->files[k].label);
		fputs(": <code>", f);
		html(f, s->files[k].path);
		fputs("</code></li>\n", f);
	}
	fputs("</ul>\n", f);
	if (compare)
		fprintf(f, "<p>The oldest run against the newest, benchmark by benchmark, as <code>concur compare</code> "
			   "judges them: <a href=\"%s\">compare</a>.</p>\n",
			compare);
	fputs("</section>\n", f);
}

static void reading(FILE *f, const struct figures *fig)
{
	fputs("<section id=\"reading\"><h2>How to read the figures</h2>\n", f);
	for (size_t k = 0; k < fig->n; k++) {
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = fig->fig[j].kind == fig->fig[k].kind;
		if (seen)
			continue;
		fprintf(f, "<h3 id=\"reading-%s\">%s</h3><p>", fig->fig[k].kind, fig->fig[k].kind);
		html(f, fig->fig[k].how);
		fputs("</p>\n", f);
	}
	fputs("<p>Every model keeps its colour, point shape and dash in every figure; with several machines the dash "
	      "tells the machine. Speedup is against <code>serial</code> on the same machine; CPU time counts every "
	      "process and thread of the benchmark, helpers included.</p>\n</section>\n",
	      f);
}

void page_write(const struct figures *fig, const struct pset *s, const char *compare)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/index.html", fig->dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "concur: plot: cannot write %s\n", path);
		return;
	}
	const struct pfile *m[16];
	size_t nm = machines(s, m, 16);
	const char *b[64];
	size_t nb = bases(s, b, 64);
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>concur results</title>\n<style>"
	      "body{font-family:sans-serif;margin:1em 1.5em;color:#222}h1{font-size:1.4em;margin:.2em 0}"
	      "h2{font-size:1.15em;margin:.8em 0 .3em}h3{margin:.8em 0 .2em}"
	      ".top{display:flex;flex-wrap:wrap;gap:0 2em}.box{flex:0 1 auto}.box h2{margin-top:0}"
	      "table{border-collapse:collapse;font-size:85%}td,th{border:1px solid #ccc;padding:.15em .45em;"
	      "text-align:right;vertical-align:top}th{background:#f4f4f4}td:first-child,th:first-child,.facts td"
	      "{text-align:left}.facts th{text-align:left;white-space:nowrap}"
	      "#headline-table td:nth-child(-n+2){text-align:left}.win{font-weight:bold;text-align:left}"
	      ".bad{color:#b00}.noisy{color:#a60}.q{margin:.1em 0 .5em;color:#555}"
	      ".body{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}.summary{flex:0 0 auto}"
	      ".figs{flex:1 1 30em;min-width:0}"
	      "figure{margin:0 0 1em}figure img{width:100%;max-width:960px;border:1px solid #ddd}"
	      "figcaption{font-size:85%;color:#444}nav li{margin:.15em 0}</style></head><body>\n"
	      "<h1>concur: which way of running this work is fastest here</h1>\n<div class=\"top\">\n",
	      f);
	machine_table(f, m, nm);
	run_table(f, s);
	fputs("</div>\n", f);
	headline(f, m, nm);
	contents(f, b, nb, s->nfiles > 1, compare != NULL);
	char cls[32], prev[32] = "";
	for (size_t k = 0; k < nb; k++) {
		if (strcmp(class_of(cls, sizeof(cls), b[k]), prev)) {
			fprintf(f, "<h2>%s</h2>\n", class_title(cls));
			snprintf(prev, sizeof(prev), "%s", cls);
		}
		section(f, fig, s, b[k], s->nfiles);
	}
	problems(f, s);
	if (s->nfiles > 1)
		files(f, s, compare);
	reading(f, fig);
	fputs("</body></html>\n", f);
	if (fclose(f))
		fprintf(stderr, "concur: plot: writing %s failed\n", path);
}
