/*
 * concur plot FILES... [--out DIR]: charts from result files. For each figure a
 * TSV data file is written under DIR/data and plots/<figure>.gp renders it to
 * SVG and PNG; DIR/index.html shows them with a summary table and opens as a
 * file, with no server. Figures: scaling (speedup vs workers, ideal line and
 * physical cores marked, machines overlaid), every model at all cores
 * (throughput and CPU time), per-task latency percentiles, spawn cost, and,
 * for a workload swept over one parameter (task size, ratio), speedup by its
 * value. A swept workload's other figures come one per point of the sweep.
 */
#define _GNU_SOURCE
#include "cli/plot.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/verbs.h"
#include "core/exitcodes.h"

extern char **environ;

#ifndef CONCUR_PLOTS_DIR
#define CONCUR_PLOTS_DIR "plots"
#endif

static const char *plots_dir(void)
{
	const char *d = getenv("CONCUR_PLOTS"); /* where the scripts are, if not where the build put them */
	return d && *d ? d : CONCUR_PLOTS_DIR;
}

int plot_check_gnuplot(const char *verb)
{
	const char *path = getenv("PATH");
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path ? path : "");
	for (char *dir = strtok(buf, ":"); dir; dir = strtok(NULL, ":")) {
		char exe[4200];
		snprintf(exe, sizeof(exe), "%s/gnuplot", dir);
		if (access(exe, X_OK) == 0)
			return 0;
	}
	fprintf(stderr, "concur: %s: gnuplot not found: install it (Debian: apt-get install gnuplot-nox; "
			"or run scripts/deps.sh)\n", verb);
	return CC_EXIT_NO_RESOURCE;
}

void plot_safe_name(char *dst, size_t len, const char *name)
{
	size_t k = 0;
	for (; name[k] && k + 1 < len; k++) {
		char c = name[k];
		dst[k] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				 ? c
				 : '_';
	}
	dst[k] = 0;
}

void plot_quote(char *dst, size_t len, const char *s)
{
	size_t at = 0;
	if (len < 3) {
		snprintf(dst, len, "%s", len == 3 ? "''" : "");
		return;
	}
	dst[at++] = '\'';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t need = c == '\'' ? 2 : 1;
		if (at + need + 2 > len) /* room for the closing quote and the terminator */
			break;
		if (c == '\'')
			dst[at++] = '\'';
		dst[at++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[at++] = '\'';
	dst[at] = 0;
}

void plot_data_string(FILE *f, const char *s, const char *suffix)
{
	fputc('"', f);
	for (int part = 0; part < 2; part++)
		for (const char *p = part ? suffix : s; p && *p; p++)
			fputc(*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	fputc('"', f);
}

void plot_html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

int plot_render(const char *script, const char *data, const char *out, const char *vars)
{
	static const char *const fmts[] = {"svg", "png"};
	for (int f = 0; f < 2; f++) {
		/* static: 50 KiB would not fit a small stack limit (ulimit -s 64), and figures are drawn one at a time */
		static char expr[24576], path[4200], qdir[4300], qout[8500], qdata[8500];
		plot_quote(qdir, sizeof(qdir), plots_dir());
		plot_quote(qout, sizeof(qout), out);
		plot_quote(qdata, sizeof(qdata), data);
		snprintf(expr, sizeof(expr), "set loadpath %s; fmt='%s'; out=%s; data=%s; %s", qdir, fmts[f], qout,
			 qdata, vars);
		snprintf(path, sizeof(path), "%s/%s", plots_dir(), script);
		char *argv[] = {"gnuplot", "-e", expr, path, NULL};
		pid_t pid;
		int st, rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
		if (rc) {
			fprintf(stderr, "concur: plot: running gnuplot: %s\n", strerror(rc));
			return -1;
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "concur: plot: gnuplot failed on %s for %s.%s\n", script, out, fmts[f]);
			return -1;
		}
	}
	return 0;
}

struct pcell {
	const char *machine, *file, *model, *pin;
	char *workload; /* class/name, then " param=value" for each swept parameter: one series of figures */
	char *base;     /* class/name */
	const char *swept; /* the parameter, when exactly one is swept; else NULL */
	long long value;   /* ... and its value here */
	int workers, cores;
	double speedup, tasks_per_s, cpu_s, spawn_s, wall_s;
	double lat[4];
	int valid, noisy;
};

struct pset {
	struct pcell *c;
	size_t n, cap;
	json_t **docs;
	size_t ndocs;
};

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static int load_cells(struct pset *s, const char *path)
{
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	if (!doc) {
		if (err.line < 1)
			fprintf(stderr, "concur: plot: %s: %s\n", path, err.text);
		else
			fprintf(stderr, "concur: plot: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
		return CC_EXIT_USAGE;
	}
	json_t *concur = json_object_get(doc, "concur");
	if (!concur) {
		fprintf(stderr, "concur: plot: %s: no concur block (plain Google Benchmark output): nothing to draw\n",
			path);
		json_decref(doc);
		return 0;
	}
	json_t **docs = realloc(s->docs, (s->ndocs + 1) * sizeof(*s->docs));
	if (!docs) {
		json_decref(doc);
		return CC_EXIT_FAIL;
	}
	s->docs = docs;
	s->docs[s->ndocs++] = doc;
	json_t *m = json_object_get(concur, "machine");
	const char *machine = json_string_value(json_object_get(m, "id"));
	int cores = (int)json_integer_value(json_object_get(json_object_get(m, "topology"), "cores"));
	size_t i;
	json_t *b;
	size_t skipped = 0;
	json_array_foreach(json_object_get(concur, "benchmarks"), i, b)
	{
		/* every field read from a file is checked: an entry without the names a figure needs is left out */
		if (!json_is_object(b) || !json_is_string(json_object_get(b, "class")) ||
		    !json_is_string(json_object_get(b, "workload")) || !json_is_string(json_object_get(b, "model")) ||
		    !json_is_string(json_object_get(b, "pin"))) {
			skipped++;
			continue;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 64;
			struct pcell *grown = realloc(s->c, cap * sizeof(*s->c));
			if (!grown) {
				fprintf(stderr, "concur: plot: %s: %s\n", path, strerror(ENOMEM));
				return CC_EXIT_FAIL;
			}
			s->c = grown;
			s->cap = cap;
		}
		struct pcell *c = &s->c[s->n++];
		char wl[256];
		int len = snprintf(wl, sizeof(wl), "%s/%s", json_string_value(json_object_get(b, "class")) ?: "?",
				   json_string_value(json_object_get(b, "workload")) ?: "?");
		json_t *lat = json_object_get(b, "latency"), *sweep = json_object_get(b, "sweep"), *v;
		const char *param;
		*c = (struct pcell){
			.machine = machine ? machine : "?",
			.file = path,
			.base = strdup(wl),
			.value = -1,
			.model = json_string_value(json_object_get(b, "model")),
			.pin = json_string_value(json_object_get(b, "pin")),
			.workers = (int)json_integer_value(json_object_get(b, "workers")),
			.cores = cores > 0 ? cores : 1,
			.speedup = num(b, "speedup"),
			.tasks_per_s = num(b, "tasks_per_s"),
			.cpu_s = num(b, "cpu_s"),
			.spawn_s = num(json_object_get(b, "spawn_s"), "median"),
			.wall_s = num(json_object_get(b, "wall_s"), "median"),
			.lat = {num(lat, "p50"), num(lat, "p90"), num(lat, "p99"), num(lat, "p999")},
			.valid = json_is_true(json_object_get(b, "valid")),
			.noisy = json_is_true(json_object_get(b, "noisy")),
		};
		json_object_foreach(sweep, param, v)
		{
			if (len < (int)sizeof(wl))
				len += snprintf(wl + len, sizeof(wl) - (size_t)len, " %s=%lld", param,
						(long long)json_integer_value(v));
			if (json_object_size(sweep) == 1) {
				c->swept = param;
				c->value = (long long)json_integer_value(v);
			}
		}
		c->workload = strdup(wl);
	}
	if (skipped)
		fprintf(stderr, "concur: plot: %s: %zu entr%s of concur.benchmarks left out: not an object with string "
				"class, workload, model and pin\n",
			path, skipped, skipped == 1 ? "y" : "ies");
	return 0;
}

/* Distinct values of a string field of the cells, in first-seen order. */
static size_t distinct(const struct pset *s, size_t offset, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < s->n; k++) {
		const char *v = *(const char *const *)((const char *)&s->c[k] + offset);
		size_t j = 0;
		while (j < n && strcmp(out[j], v))
			j++;
		if (j == n && n < max)
			out[n++] = v;
	}
	return n;
}

#define FIELD(f) offsetof(struct pcell, f)

struct figures {
	const char *dir;
	bool draw; /* false: the data files and the index only (the fuzz targets: no gnuplot) */
	char names[1024][256]; /* rendered figures, for the index */
	size_t n;
};

static FILE *open_data(const struct figures *fig, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/data/%s.tsv", fig->dir, name);
	return fopen(path, "w");
}

/* Names the figure "<kind>-<workload>" (name: 256 bytes) and opens its data file (path: 4200 bytes). */
static FILE *figure_data(const struct figures *fig, const char *kind, const char *wl, char *name, char *path)
{
	char safe[200];
	plot_safe_name(safe, sizeof(safe), wl);
	snprintf(name, 256, "%s-%s", kind, safe);
	return open_data(fig, name, path, 4200);
}

/* Starts a data block (a series) of a multi-series figure: blocks are separated by two blank lines. */
static void series_header(FILE *f, size_t *blocks, const char *title, const char *suffix, const char *column)
{
	fputs((*blocks)++ ? "\n\n" : "", f);
	plot_data_string(f, title, suffix);
	fprintf(f, "\t\"%s\"\n", column);
}

static void render(struct figures *fig, const char *script, const char *name, const char *data, const char *vars)
{
	char out[4200];
	snprintf(out, sizeof(out), "%s/%s", fig->dir, name);
	if ((!fig->draw || plot_render(script, data, out, vars) == 0) && fig->n < sizeof(fig->names) / sizeof(fig->names[0]))
		snprintf(fig->names[fig->n++], 256, "%s", name);
}

/* The worker count that stands for "all cores" in a set: the cores, else the largest below, else the least. */
static int all_cores_point(const struct pset *s, const char *machine, const char *workload)
{
	int best = -1, least = 1 << 30;
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		if (strcmp(c->machine, machine) || strcmp(c->workload, workload) || !strcmp(c->model, "serial"))
			continue;
		if (c->workers <= c->cores && c->workers > best)
			best = c->workers;
		if (c->workers < least)
			least = c->workers;
	}
	return best > 0 ? best : least;
}

static void scaling(struct figures *fig, const struct pset *s, const char *wl, const char **machines, size_t nm)
{
	char name[256], path[4200], suffix[80];
	FILE *f = figure_data(fig, "scaling", wl, name, path);
	if (!f)
		return;
	const char *models[32];
	size_t nmod = distinct(s, FIELD(model), models, 32), blocks = 0;
	int cores = 1;
	for (size_t m = 0; m < nmod; m++)
		for (size_t h = 0; h < nm; h++) {
			size_t rows = 0;
			for (size_t k = 0; k < s->n; k++) { /* cells come in worker order within a model */
				const struct pcell *c = &s->c[k];
				if (strcmp(c->workload, wl) || strcmp(c->model, models[m]) || strcmp(c->machine, machines[h]) ||
				    c->speedup < 0 || !strcmp(c->model, "serial"))
					continue;
				snprintf(suffix, sizeof(suffix), "%s%s", nm > 1 ? " @" : "", nm > 1 ? machines[h] : "");
				if (!rows++)
					series_header(f, &blocks, models[m], suffix, "speedup");
				fprintf(f, "%d\t%.6g\n", c->workers, c->speedup);
				cores = c->cores;
			}
		}
	fclose(f);
	char vars[1024], qwl[512];
	plot_quote(qwl, sizeof(qwl), wl);
	snprintf(vars, sizeof(vars), "cores=%d; title=%s", cores, qwl);
	if (blocks)
		render(fig, "scaling.gp", name, path, vars);
}

/* The cell of model at the all-cores point of machine (serial: its one worker); NULL if none. */
static const struct pcell *at_point(const struct pset *s, const char *wl, const char *machine, const char *model, int w)
{
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		if (!strcmp(c->workload, wl) && !strcmp(c->machine, machine) && !strcmp(c->model, model) &&
		    (!strcmp(model, "serial") || c->workers == w) && c->tasks_per_s >= 0 && c->lat[0] >= 0)
			return c;
	}
	return NULL;
}

/* Every model at all cores, one bar per machine; and the latency percentiles, one figure per machine. */
static void at_all_cores(struct figures *fig, const struct pset *s, const char *wl, const char **machines, size_t nm)
{
	char safe[200], name[256], path[4200], vars[2048], workers[128] = "";
	const char *models[32];
	size_t nmod = distinct(s, FIELD(model), models, 32), rows = 0;
	int w[16];
	for (size_t m = 0; m < nm; m++) {
		w[m] = all_cores_point(s, machines[m], wl);
		snprintf(workers + strlen(workers), sizeof(workers) - strlen(workers), "%s%d", m ? ", " : "", w[m]);
	}
	plot_safe_name(safe, sizeof(safe), wl);
	FILE *f = figure_data(fig, "models", wl, name, path);
	if (!f)
		return;
	fprintf(f, "\"model\"");
	for (size_t m = 0; m < nm; m++)
		fprintf(f, "\t\"%s\"", nm > 1 ? machines[m] : "tasks/s");
	for (size_t m = 0; m < nm; m++)
		fprintf(f, "\t\"%s\"", nm > 1 ? machines[m] : "cpu s");
	fprintf(f, "\n");
	for (size_t k = 0; k < nmod; k++) {
		const struct pcell *c[16];
		bool any = false;
		for (size_t m = 0; m < nm; m++)
			any |= (c[m] = at_point(s, wl, machines[m], models[k], w[m])) != NULL;
		if (!any)
			continue;
		plot_data_string(f, models[k], !strcmp(models[k], "serial") ? " (1)" : "");
		for (size_t m = 0; m < nm; m++)
			c[m] ? fprintf(f, "\t%.6g", c[m]->tasks_per_s) : fprintf(f, "\t?");
		for (size_t m = 0; m < nm; m++)
			c[m] ? fprintf(f, "\t%.6g", c[m]->cpu_s) : fprintf(f, "\t?");
		fprintf(f, "\n");
		rows++;
	}
	fclose(f);
	char qwl[512], qworkers[512];
	plot_quote(qwl, sizeof(qwl), wl);
	plot_quote(qworkers, sizeof(qworkers), workers);
	snprintf(vars, sizeof(vars), "machines=%zu; workers=%s; title=%s", nm, qworkers, qwl);
	if (rows)
		render(fig, "models.gp", name, path, vars);

	for (size_t m = 0; m < nm; m++) {
		char safe_machine[64];
		plot_safe_name(safe_machine, sizeof(safe_machine), machines[m]);
		snprintf(name, sizeof(name), "latency-%.180s%s%.32s", safe, nm > 1 ? "-" : "", nm > 1 ? safe_machine : "");
		if (!(f = open_data(fig, name, path, sizeof(path))))
			return;
		rows = 0;
		for (size_t k = 0; k < nmod; k++) {
			const struct pcell *c = at_point(s, wl, machines[m], models[k], w[m]);
			if (!c)
				continue;
			plot_data_string(f, c->model, !strcmp(c->model, "serial") ? " (1)" : "");
			fprintf(f, "\t%.6g\t%.6g\t%.6g\t%.6g\n", fmax(c->lat[0], 1), fmax(c->lat[1], 1),
				fmax(c->lat[2], 1), fmax(c->lat[3], 1));
			rows++;
		}
		fclose(f);
		char title[512], qtitle[1100];
		snprintf(title, sizeof(title), "%s%s%s", wl, nm > 1 ? " on " : "", nm > 1 ? machines[m] : "");
		plot_quote(qtitle, sizeof(qtitle), title);
		snprintf(vars, sizeof(vars), "workers='%d'; title=%s", w[m], qtitle);
		if (rows)
			render(fig, "latency.gp", name, path, vars);
	}
}

static void spawn_cost(struct figures *fig, const struct pset *s, const char *wl)
{
	char name[256], path[4200], vars[1024];
	FILE *f = figure_data(fig, "spawn", wl, name, path);
	if (!f)
		return;
	const char *models[32];
	size_t nmod = distinct(s, FIELD(model), models, 32), blocks = 0;
	for (size_t m = 0; m < nmod; m++) {
		size_t rows = 0;
		for (size_t k = 0; k < s->n; k++) {
			const struct pcell *c = &s->c[k];
			if (strcmp(c->workload, wl) || strcmp(c->model, models[m]) || c->spawn_s <= 0)
				continue;
			if (!rows++)
				series_header(f, &blocks, models[m], "", "us");
			fprintf(f, "%d\t%.6g\n", c->workers, c->spawn_s * 1e6);
		}
	}
	fclose(f);
	char qwl[512];
	plot_quote(qwl, sizeof(qwl), wl);
	snprintf(vars, sizeof(vars), "title=%s", qwl);
	if (blocks)
		render(fig, "spawn.gp", name, path, vars);
}

/* A workload swept over one parameter (make crossover's task lengths, mix/cpu-io's ratios):
 * speedup by its value, one line per model at its most workers. */
static void crossover(struct figures *fig, const struct pset *s, const char *base)
{
	const char *param = NULL;
	long long least = -1, most = -1;
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		if (strcmp(c->base, base) || !c->swept)
			continue;
		if (param && strcmp(param, c->swept))
			return; /* files sweeping different parameters: no common axis */
		param = c->swept;
		least = least < 0 || c->value < least ? c->value : least;
		most = c->value > most ? c->value : most;
	}
	if (!param || least == most)
		return;
	char name[256], path[4200], vars[1024], suffix[40];
	FILE *f = figure_data(fig, "crossover", base, name, path);
	if (!f)
		return;
	const char *models[32];
	size_t nmod = distinct(s, FIELD(model), models, 32), blocks = 0;
	for (size_t m = 0; m < nmod; m++) {
		if (!strcmp(models[m], "serial"))
			continue;
		size_t rows = 0;
		int w = 0;
		for (size_t k = 0; k < s->n; k++) /* the most workers this model has */
			if (!strcmp(s->c[k].base, base) && !strcmp(s->c[k].model, models[m]) && s->c[k].workers > w)
				w = s->c[k].workers;
		for (size_t k = 0; k < s->n; k++) {
			const struct pcell *c = &s->c[k];
			if (strcmp(c->base, base) || !c->swept || strcmp(c->model, models[m]) || c->workers != w ||
			    c->speedup <= 0)
				continue;
			snprintf(suffix, sizeof(suffix), " (%d workers)", w);
			if (!rows++)
				series_header(f, &blocks, models[m], suffix, "speedup");
			fprintf(f, "%lld\t%.6g\n", c->value > 0 ? c->value : 1, c->speedup);
		}
	}
	fclose(f);
	/* a logarithmic axis for magnitudes (sizes, times), a plain one for choices (variant 0..3) */
	char qbase[512], qparam[128];
	plot_quote(qbase, sizeof(qbase), base);
	plot_quote(qparam, sizeof(qparam), param);
	snprintf(vars, sizeof(vars), "title=%s; param=%s; logx=%d", qbase, qparam, most >= 100 * (least > 0 ? least : 1));
	if (blocks)
		render(fig, "crossover.gp", name, path, vars);
}

static void write_index(const struct figures *fig, const struct pset *s)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/index.html", fig->dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>concur results</title>\n"
		   "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}img{max-width:100%%;"
		   "border:1px solid #ddd;margin:.5em 0}table{border-collapse:collapse;font-size:90%%}"
		   "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}td:first-child,th:first-child"
		   "{text-align:left}.bad{color:#b00}</style></head><body>\n<h1>concur results</h1>\n<p>from ");
	for (size_t k = 0, shown = 0; k < s->n; k++) {
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = s->c[j].file == s->c[k].file;
		if (seen)
			continue;
		fprintf(f, "%s<code>", shown++ ? ", " : "");
		plot_html(f, s->c[k].file);
		fprintf(f, "</code> (machine ");
		plot_html(f, s->c[k].machine);
		fprintf(f, ")");
	}
	fprintf(f, "</p>\n");
	for (size_t k = 0; k < fig->n; k++)
		fprintf(f, "<h2>%s</h2>\n<a href=\"%s.svg\"><img src=\"%s.svg\" alt=\"%s\"></a>\n", fig->names[k],
			fig->names[k], fig->names[k], fig->names[k]);
	fprintf(f, "<h2>Summary</h2>\n<table><tr><th>workload</th><th>model</th><th>workers</th><th>pin</th>"
		   "<th>median ms</th><th>speedup</th><th>cpu s</th><th>notes</th></tr>\n");
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		fprintf(f, "<tr><td>");
		plot_html(f, c->workload);
		fprintf(f, "</td><td>");
		plot_html(f, c->model);
		fprintf(f, "</td><td>%d</td><td>", c->workers);
		plot_html(f, c->pin);
		fprintf(f, "</td><td>%.3f</td>", c->wall_s * 1e3);
		if (c->speedup >= 0)
			fprintf(f, "<td>%.2fx</td>", c->speedup);
		else
			fprintf(f, "<td>-</td>");
		fprintf(f, "<td>%.3f</td><td%s>%s</td></tr>\n", c->cpu_s, c->valid ? "" : " class=\"bad\"",
			!c->valid ? "invalid" : c->noisy ? "noisy" : "");
	}
	fprintf(f, "</table>\n</body></html>\n");
	fclose(f);
}

int plot_mkdirs(const char *dir)
{
	char buf[4200];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0777);
			*p = '/';
		}
	return mkdir(buf, 0777) < 0 && errno != EEXIST ? -errno : 0;
}

int cli_plot(const char *const *files, unsigned nfiles, const char *dir, bool draw)
{
	int rc = draw ? plot_check_gnuplot("plot") : 0;
	if (rc)
		return rc;
	char data[4200];
	snprintf(data, sizeof(data), "%s/data", dir);
	if (plot_mkdirs(data) < 0) {
		fprintf(stderr, "concur: plot: --out: cannot create %s: %s\n", data, strerror(errno));
		return CC_EXIT_USAGE;
	}
	struct pset s = {0};
	for (unsigned k = 0; k < nfiles; k++)
		if ((rc = load_cells(&s, files[k])))
			goto out;
	if (!s.n) {
		fprintf(stderr, "concur: plot: no concur benchmarks in the files: nothing to draw\n");
		rc = CC_EXIT_USAGE;
		goto out;
	}
	static struct figures fig;
	fig.dir = dir;
	fig.draw = draw;
	fig.n = 0;
	const char *wls[256], *bases[64], *machines[16];
	size_t nw = distinct(&s, FIELD(workload), wls, 256), nm = distinct(&s, FIELD(machine), machines, 16);
	for (size_t w = 0; w < nw; w++) {
		scaling(&fig, &s, wls[w], machines, nm);
		at_all_cores(&fig, &s, wls[w], machines, nm);
		spawn_cost(&fig, &s, wls[w]);
	}
	for (size_t b = 0, nb = distinct(&s, FIELD(base), bases, 64); b < nb; b++)
		crossover(&fig, &s, bases[b]);
	write_index(&fig, &s);
	fprintf(stderr, "concur: plot: %zu figures (SVG and PNG) and index.html in %s\n", fig.n, dir);
out:
	for (size_t k = 0; k < s.n; k++) {
		free(s.c[k].workload);
		free(s.c[k].base);
	}
	free(s.c);
	for (size_t k = 0; k < s.ndocs; k++)
		json_decref(s.docs[k]);
	free(s.docs);
	return rc;
}
