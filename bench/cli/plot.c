/*
 * concur plot FILES|DIRS... [--out DIR]: charts from result files. For each figure a
 * TSV data file is written under DIR/data and plots/<kind>.gp renders it to SVG and
 * PNG; DIR/index.html (page.c) shows them. The kinds are one table below: scaling
 * (speedup vs workers, ideal line and physical cores marked, machines overlaid),
 * every model at all cores (throughput and CPU time), per-task latency
 * percentiles, spawn cost, and, for a workload swept over one parameter (task
 * size, ratio), speedup by its value. A swept workload's other figures come one
 * per point of the sweep. Every model keeps its colour, point and dash in every
 * figure (its place in the model list).
 */
#define _GNU_SOURCE
#include "cli/plot.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/plotset.h"
#include "cli/results.h"
#include "cli/verbs.h"
#include "models/model.h"
#include "core/exitcodes.h"
#include "base/proc.h"

extern char **environ;

#ifndef CONCUR_PLOTS_DIR
#define CONCUR_PLOTS_DIR "plots"
#endif
#ifndef CONCUR_INSTALL_DATADIR
#define CONCUR_INSTALL_DATADIR "share"
#endif

/* The gnuplot scripts: $CONCUR_PLOTS, else where an installed concur has them (share/concur/plots beside
 * its bin/), else the source tree this concur was built from. */
static const char *plots_dir(void)
{
	static char installed[PATH_MAX], resolved[PATH_MAX];
	const char *d = getenv("CONCUR_PLOTS");
	if (d && *d)
		return d;
	if (cc_beside_exe("../" CONCUR_INSTALL_DATADIR "/concur/plots/style.gp", R_OK, installed, sizeof(installed))) {
		*strrchr(installed, '/') = 0;
		return realpath(installed, resolved) ? resolved : installed; /* without bin/.. in what it says */
	}
	return CONCUR_PLOTS_DIR;
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

/* gnuplot runs as jobs, as many at once as this process may use CPUs (at least two), each drawing one figure's
 * SVG and then its PNG: starting gnuplot costs about as much as drawing a PNG (30 ms here), so one start a figure
 * and every CPU busy took the page from 23 s to 12 s. */
static struct {
	pid_t pid;
	bool *failed;
	char what[512];
} jobs[64];
static unsigned njobs;

static unsigned job_slots(void)
{
	static unsigned slots; /* asked once: the affinity does not change while figures are drawn */
	cpu_set_t set;
	if (!slots) {
		unsigned n = sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set) : 2;
		slots = n < 2 ? 2 : n > sizeof(jobs) / sizeof(jobs[0]) ? sizeof(jobs) / sizeof(jobs[0]) : n;
	}
	return slots;
}

/* Waits for one job to end (any other child that ends meanwhile is reaped and ignored). */
static void job_wait_one(void)
{
	int st;
	pid_t pid = waitpid(-1, &st, 0);
	if (pid < 0) {
		if (errno != EINTR) /* no child at all: the jobs are gone */
			njobs = 0;
		return;
	}
	for (unsigned k = 0; k < njobs; k++) {
		if (jobs[k].pid != pid)
			continue;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "concur: plot: gnuplot failed on %s\n", jobs[k].what);
			*jobs[k].failed = true;
		}
		jobs[k] = jobs[--njobs];
		return;
	}
}

void plot_wait(void)
{
	while (njobs)
		job_wait_one();
}

void plot_render_start(const char *script, const char *data, const char *out, const char *vars, bool *failed)
{
	/* static: 50 KiB would not fit a small stack limit (ulimit -s 64); posix_spawn has copied them when it returns */
	static char expr[24576], path[4200], qdir[4300], qout[8500], qdata[8500];
	unsigned slots = job_slots();
	plot_quote(qdir, sizeof(qdir), plots_dir());
	plot_quote(qout, sizeof(qout), out);
	plot_quote(qdata, sizeof(qdata), data);
	snprintf(path, sizeof(path), "%s/%s", plots_dir(), script);
	snprintf(expr, sizeof(expr), "set loadpath %s; fmt='svg'; out=%s; data=%s; %s", qdir, qout, qdata, vars);
	while (njobs >= slots)
		job_wait_one();
	/* the script twice: every setting it makes it makes again, with fmt the only difference */
	char png[] = "fmt='png'", *argv[] = {"gnuplot", "-e", expr, path, "-e", png, path, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc) {
		fprintf(stderr, "concur: plot: running gnuplot: %s\n", strerror(rc));
		*failed = true;
		return;
	}
	jobs[njobs].pid = pid;
	jobs[njobs].failed = failed;
	snprintf(jobs[njobs].what, sizeof(jobs[njobs].what), "%s for %s (.svg, .png)", script, out);
	njobs++;
}

int plot_render(const char *script, const char *data, const char *out, const char *vars)
{
	bool failed = false;
	plot_render_start(script, data, out, vars, &failed);
	plot_wait();
	return failed ? -1 : 0;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static const char *str(json_t *o, const char *k, const char *otherwise)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : otherwise;
}

/* Reads a file: 0, or an exit code after saying why. */
static int load_file(struct pfile *file)
{
	json_error_t err;
	json_t *doc = json_load_file(file->path, 0, &err);
	if (!doc) {
		if (err.line < 1)
			fprintf(stderr, "concur: plot: %s: %s\n", file->path, err.text);
		else
			fprintf(stderr, "concur: plot: %s:%d:%d: %s\n", file->path, err.line, err.column, err.text);
		return CC_EXIT_USAGE;
	}
	file->doc = doc;
	json_t *concur = json_object_get(doc, "concur");
	file->id = str(json_object_get(concur, "machine"), "id", "?");
	file->date = str(json_object_get(doc, "context"), "date", "");
	if (!concur)
		fprintf(stderr, "concur: plot: %s: no concur block (plain Google Benchmark output): nothing to draw\n",
			file->path);
	return 0;
}

/* Adds a file's benchmarks to s: 0, or an exit code after saying why. */
static int load_cells(struct pset *s, const struct pfile *file)
{
	json_t *concur = json_object_get(file->doc, "concur"), *m = json_object_get(concur, "machine");
	int cores = (int)json_integer_value(json_object_get(json_object_get(m, "topology"), "cores"));
	size_t i, skipped = 0;
	json_t *b;
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
				fprintf(stderr, "concur: plot: %s: %s\n", file->path, strerror(ENOMEM));
				return CC_EXIT_FAIL;
			}
			s->c = grown;
			s->cap = cap;
		}
		struct pcell *c = &s->c[s->n];
		char wl[256];
		int len = snprintf(wl, sizeof(wl), "%s/%s", str(b, "class", "?"), str(b, "workload", "?"));
		json_t *lat = json_object_get(b, "latency"), *sweep = json_object_get(b, "sweep"), *v;
		const char *param;
		*c = (struct pcell){
			.file = file,
			.machine = file->label,
			.base = strdup(wl),
			.value = -1,
			.model = str(b, "model", "?"),
			.pin = str(b, "pin", "?"),
			.status = str(b, "status", "?"),
			.workers = (int)json_integer_value(json_object_get(b, "workers")),
			.cores = cores > 0 ? cores : 1,
			.speedup = num(b, "speedup"),
			.tasks_per_s = num(b, "tasks_per_s"),
			.cpu_s = num(b, "cpu_s"),
			.spawn_s = num(json_object_get(b, "spawn_s"), "median"),
			.rss_per_worker_kb = num(b, "rss_per_worker_kb"),
			.wall_s = num(json_object_get(b, "wall_s"), "median"),
			.lat = {num(lat, "p50"), num(lat, "p90"), num(lat, "p99"), num(lat, "p999"), num(lat, "max")},
			.latency_of = str(json_object_get(b, "scenario"), "latency_of", NULL),
			.valid = json_is_true(json_object_get(b, "valid")),
			.noisy = json_is_true(json_object_get(b, "noisy")),
			.scenario = !strcmp(str(b, "kind", ""), "scenario"),
			.ns_per_op = num(json_object_get(b, "scenario"), "ns_per_op"),
			.cpu_ns_per_op = num(json_object_get(b, "scenario"), "cpu_ns_per_op"),
			.bytes_per_s = num(json_object_get(b, "scenario"), "bytes_per_s"),
			.fairness = num(json_object_get(json_object_get(json_object_get(b, "scenario"), "metrics"),
							"fairness_jain"),
					"value"),
		};
		static const char *const turnaround[] = {"turnaround_mean_ms", "turnaround_p50_ms", "turnaround_p99_ms",
							 "turnaround_max_ms"};
		for (unsigned t = 0; t < 4; t++)
			c->turnaround[t] = num(json_object_get(json_object_get(b, "metrics"), turnaround[t]), "value");
		json_t *own = json_object_get(json_object_get(b, "scenario"), "metrics");
		json_t *conns = json_object_get(json_object_get(b, "params"), "conns");
		c->conns = !strcmp(str(b, "class", ""), "server") && json_is_integer(conns) ? json_integer_value(conns) : -1;
		c->rate = json_integer_value(json_object_get(json_object_get(b, "params"), "rate"));
		c->requests_per_s = num(json_object_get(own, "requests_per_s"), "value");
		c->server_cpu_us = num(json_object_get(own, "server_cpu_us_per_req"), "value");
		c->server_rss_kb = fmax(num(json_object_get(own, "server_rss_kb"), "value"),
					num(json_object_get(own, "child_rss_kb"), "value"));
		char others[256] = "";
		json_t *sc = json_object_get(b, "scenario");
		double vcsw = num(sc, "voluntary_csw_per_op"), ivcsw = num(sc, "involuntary_csw_per_op");
		c->csw_per_op = vcsw >= 0 && ivcsw >= 0 ? vcsw + ivcsw : -1;
		json_object_foreach(sweep, param, v)
		{
			if (len < (int)sizeof(wl))
				len += snprintf(wl + len, sizeof(wl) - (size_t)len, " %s=%lld", param,
						(long long)json_integer_value(v));
			if (json_object_size(sweep) == 1) {
				c->swept = param;
				c->value = (long long)json_integer_value(v);
			}
			if (!c->axis) {
				c->axis = param;
				c->axis_value = (long long)json_integer_value(v);
			} else {
				size_t at = strlen(others);
				snprintf(others + at, sizeof(others) - at, " %s=%lld", param, (long long)json_integer_value(v));
			}
		}
		c->workload = strdup(wl);
		c->others = strdup(others);
		if (!c->workload || !c->base || !c->others) {
			free(c->others);
			free(c->workload);
			free(c->base);
			fprintf(stderr, "concur: plot: %s: %s\n", file->path, strerror(ENOMEM));
			return CC_EXIT_FAIL;
		}
		s->n++;
	}
	if (skipped)
		fprintf(stderr, "concur: plot: %s: %zu entr%s of concur.benchmarks left out: not an object with string "
				"class, workload, model and pin\n",
			file->path, skipped, skipped == 1 ? "y" : "ies");
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

/* A model's line type in every figure: its place in the model list (style.gp has 12 distinct ones, and
 * cycles beyond). */
static int model_style(const char *model)
{
	for (unsigned k = 0; k < model_count; k++)
		if (!strcmp(model_all[k]->name, model))
			return (int)k + 1;
	return (int)model_count + 1;
}

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

/* The line and dash styles of a figure's series, as gnuplot reads them: lts='3 1 5'; dts='1 1 2'. */
struct styles {
	char lt[256], dt[256];
};

/* Starts a data block (a series) of a multi-series figure: blocks are separated by two blank lines. The
 * series is drawn in line type style (a model's: model_style), dashed by machine when there are several. */
static void series_header(FILE *f, size_t *blocks, struct styles *st, int style, const char *title,
			  const char *suffix, const char *column, size_t machine, size_t nmachines)
{
	fputs((*blocks)++ ? "\n\n" : "", f);
	plot_data_string(f, title, suffix);
	fprintf(f, "\t\"%s\"\n", column);
	size_t lt = strlen(st->lt), dt = strlen(st->dt);
	snprintf(st->lt + lt, sizeof(st->lt) - lt, "%s%d", lt ? " " : "", style);
	snprintf(st->dt + dt, sizeof(st->dt) - dt, "%s%d", dt ? " " : "", nmachines > 1 ? (int)machine % 5 + 1 : 0);
}

/* What a figure kind draws from: the set, one workload (or base, for per-base kinds), and the machines. */
struct fctx {
	struct figures *fig;
	const struct pset *s;
	const char *wl, *base;
	const char **machines;
	size_t nm;
};

/* A kind of figure (the table at the end of the figures). */
struct figure_kind {
	const char *kind, *title;
	const char *how; /* how to read it, for the page */
	void (*draw)(const struct fctx *x, const struct figure_kind *k);
	bool per_base; /* drawn once for a workload's whole sweep, not per point */
	unsigned of;   /* what it draws: OF_TASKS, OF_SCENARIOS or both */
};
enum { OF_TASKS = 1, OF_SCENARIOS = 2 };

static void render(struct figures *fig, const struct figure_kind *k, const char *script, const char *name,
		   const char *data, const char *vars, const char *base, const char *title)
{
	char out[4200];
	snprintf(out, sizeof(out), "%s/%s", fig->dir, name);
	if (fig->n == sizeof(fig->fig) / sizeof(fig->fig[0]))
		return;
	struct pfigure *f = &fig->fig[fig->n++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->title, sizeof(f->title), "%s", title);
	f->kind = k->kind;
	f->how = k->how;
	f->base = base;
	f->failed = false;
	if (fig->draw) /* drawn while the next figures' data is made; plot_wait before the page */
		plot_render_start(script, data, out, vars, &f->failed);
}

/* " (size=64)": the sweep point of a workload's figures, from its name; "" when it has none. */
static void sweep_point(char *buf, size_t len, const char *wl)
{
	const char *sp = strchr(wl, ' ');
	if (sp)
		snprintf(buf, len, " (%s)", sp + 1);
	else if (len)
		buf[0] = 0;
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
	return best > 0 ? best : least < 1 << 30 ? least : -1; /* -1: the machine does not have it */
}


static void scaling(const struct fctx *x, const struct figure_kind *k)
{
	const char *title = k->title;
	char name[256], path[4200], suffix[120], point[200];
	FILE *f = figure_data(x->fig, "scaling", x->wl, name, path);
	if (!f)
		return;
	const char *models[32];
	size_t nmod = distinct(x->s, FIELD(model), models, 32), blocks = 0;
	struct styles st = {"", ""};
	int cores = 1;
	for (size_t m = 0; m < nmod; m++)
		for (size_t h = 0; h < x->nm; h++) {
			size_t rows = 0;
			for (size_t k = 0; k < x->s->n; k++) { /* cells come in worker order within a model */
				const struct pcell *c = &x->s->c[k];
				if (strcmp(c->workload, x->wl) || strcmp(c->model, models[m]) ||
				    strcmp(c->machine, x->machines[h]) || c->speedup < 0 || !strcmp(c->model, "serial"))
					continue;
				snprintf(suffix, sizeof(suffix), "%s%s", x->nm > 1 ? " @" : "", x->nm > 1 ? x->machines[h] : "");
				if (!rows++)
					series_header(f, &blocks, &st, model_style(models[m]), models[m], suffix, "speedup", h, x->nm);
				fprintf(f, "%d\t%.6g\n", c->workers, c->speedup);
				cores = c->cores;
			}
		}
	fclose(f);
	char vars[2048], qwl[512];
	plot_quote(qwl, sizeof(qwl), x->wl);
	snprintf(vars, sizeof(vars), "cores=%d; title=%s; lts='%s'; dts='%s'", cores, qwl, st.lt, st.dt);
	sweep_point(point, sizeof(point), x->wl);
	char full[320];
	snprintf(full, sizeof(full), "%s%s", title, point);
	if (blocks)
		render(x->fig, k, "scaling.gp", name, path, vars, x->base, full);
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

/* Every model at all cores, one bar per machine. */
static void models_at_all_cores(const struct fctx *x, const struct figure_kind *k)
{
	const char *title = k->title;
	char name[256], path[4200], vars[2048], workers[128] = "", point[200];
	const char *models[32];
	size_t nmod = distinct(x->s, FIELD(model), models, 32), rows = 0;
	int w[16];
	for (size_t m = 0; m < x->nm; m++)
		if ((w[m] = all_cores_point(x->s, x->machines[m], x->wl)) > 0)
			snprintf(workers + strlen(workers), sizeof(workers) - strlen(workers), "%s%d", *workers ? ", " : "",
				 w[m]);
	FILE *f = figure_data(x->fig, "models", x->wl, name, path);
	if (!f)
		return;
	fprintf(f, "\"model\"");
	for (int col = 0; col < 2; col++) /* throughput, then CPU time: a column per machine */
		for (size_t m = 0; m < x->nm; m++) {
			fputc('\t', f);
			plot_data_string(f, x->nm > 1 ? x->machines[m] : col ? "cpu s" : "tasks/s", "");
		}
	fprintf(f, "\n");
	for (size_t k = 0; k < nmod; k++) {
		const struct pcell *c[16];
		bool any = false;
		for (size_t m = 0; m < x->nm; m++)
			any |= (c[m] = at_point(x->s, x->wl, x->machines[m], models[k], w[m])) != NULL;
		if (!any)
			continue;
		plot_data_string(f, models[k], !strcmp(models[k], "serial") ? " (1)" : "");
		for (size_t m = 0; m < x->nm; m++)
			c[m] ? fprintf(f, "\t%.6g", c[m]->tasks_per_s) : fprintf(f, "\t?");
		for (size_t m = 0; m < x->nm; m++)
			c[m] ? fprintf(f, "\t%.6g", c[m]->cpu_s) : fprintf(f, "\t?");
		fprintf(f, "\n");
		rows++;
	}
	fclose(f);
	char qwl[512], qworkers[512], full[320];
	plot_quote(qwl, sizeof(qwl), x->wl);
	plot_quote(qworkers, sizeof(qworkers), workers);
	snprintf(vars, sizeof(vars), "machines=%zu; workers=%s; title=%s", x->nm, qworkers, qwl);
	sweep_point(point, sizeof(point), x->wl);
	snprintf(full, sizeof(full), "%s (%s workers)%s", title, workers, point);
	if (rows)
		render(x->fig, k, "models.gp", name, path, vars, x->base, full);
}

/* The latency percentiles at all cores, one figure per machine. */
static void latency(const struct fctx *x, const struct figure_kind *k)
{
	const char *title = k->title;
	char safe[200], name[256], path[4200], vars[2048], point[200];
	const char *models[32];
	size_t nmod = distinct(x->s, FIELD(model), models, 32);
	plot_safe_name(safe, sizeof(safe), x->wl);
	sweep_point(point, sizeof(point), x->wl);
	for (size_t m = 0; m < x->nm; m++) {
		int w = all_cores_point(x->s, x->machines[m], x->wl);
		if (w < 0)
			continue;
		char safe_machine[64];
		plot_safe_name(safe_machine, sizeof(safe_machine), x->machines[m]);
		snprintf(name, sizeof(name), "latency-%.180s%s%.32s", safe, x->nm > 1 ? "-" : "", x->nm > 1 ? safe_machine : "");
		FILE *f = open_data(x->fig, name, path, sizeof(path));
		if (!f)
			return;
		size_t rows = 0;
		for (size_t k = 0; k < nmod; k++) {
			const struct pcell *c = at_point(x->s, x->wl, x->machines[m], models[k], w);
			if (!c || c->lat[4] <= 0) /* nothing sampled (operations of 20 ns, one in 256,000 timed) */
				continue;
			plot_data_string(f, c->model, !strcmp(c->model, "serial") ? " (1)" : "");
			fprintf(f, "\t%.6g\t%.6g\t%.6g\t%.6g\n", fmax(c->lat[0], 1), fmax(c->lat[1], 1),
				fmax(c->lat[2], 1), fmax(c->lat[3], 1));
			rows++;
		}
		fclose(f);
		char full[320], qtitle[1100], gtitle[512];
		snprintf(gtitle, sizeof(gtitle), "%s%s%s", x->wl, x->nm > 1 ? " on " : "", x->nm > 1 ? x->machines[m] : "");
		plot_quote(qtitle, sizeof(qtitle), gtitle);
		snprintf(vars, sizeof(vars), "workers='%d'; title=%s", w, qtitle);
		snprintf(full, sizeof(full), "%s (%d workers)%s%s%s", title, w, point, x->nm > 1 ? " on " : "",
			 x->nm > 1 ? x->machines[m] : "");
		if (rows)
			render(x->fig, k, "latency.gp", name, path, vars, x->base, full);
	}
}

/* A figure of one value of a cell by workers, one line per model (and machine), drawn by script; a value
 * of 0 or less is left out. */
static void by_workers(const struct fctx *x, const struct figure_kind *k, const char *stem, const char *script,
		       const char *unit, double (*value)(const struct pcell *))
{
	char name[256], path[4200], vars[2048], point[200], suffix[120];
	FILE *f = figure_data(x->fig, stem, x->wl, name, path);
	if (!f)
		return;
	const char *models[32];
	size_t nmod = distinct(x->s, FIELD(model), models, 32), blocks = 0, points = 0;
	struct styles st = {"", ""};
	for (size_t m = 0; m < nmod; m++)
		for (size_t h = 0; h < x->nm; h++) {
			size_t rows = 0;
			for (size_t k = 0; k < x->s->n; k++) {
				const struct pcell *c = &x->s->c[k];
				if (strcmp(c->workload, x->wl) || strcmp(c->model, models[m]) ||
				    strcmp(c->machine, x->machines[h]) || value(c) <= 0)
					continue;
				snprintf(suffix, sizeof(suffix), "%s%s", x->nm > 1 ? " @" : "", x->nm > 1 ? x->machines[h] : "");
				if (!rows++)
					series_header(f, &blocks, &st, model_style(models[m]), models[m], suffix, unit, h, x->nm);
				fprintf(f, "%d\t%.6g\n", c->workers, value(c));
				points++;
			}
		}
	fclose(f);
	char qwl[512], full[320];
	plot_quote(qwl, sizeof(qwl), x->wl);
	snprintf(vars, sizeof(vars), "title=%s; lts='%s'; dts='%s'", qwl, st.lt, st.dt);
	sweep_point(point, sizeof(point), x->wl);
	snprintf(full, sizeof(full), "%s%s", k->title, point);
	if (points > 1) /* one point compares nothing (a server's one executor at one placement) */
		render(x->fig, k, script, name, path, vars, x->base, full);
}

static double spawn_us(const struct pcell *c) { return c->spawn_s * 1e6; }

static void spawn_cost(const struct fctx *x, const struct figure_kind *k)
{
	by_workers(x, k, "spawn", "spawn.gp", "us", spawn_us);
}

static double worker_kib(const struct pcell *c) { return c->rss_per_worker_kb; }

/* Of the workloads whose tasks wait (io, mix): what their sweep past the cores is for. */
static void worker_memory(const struct fctx *x, const struct figure_kind *k)
{
	if (!strncmp(x->base, "io/", 3) || !strncmp(x->base, "mix/", 4))
		by_workers(x, k, "memory", "memory.gp", "KiB", worker_kib);
}

/* A workload swept over one parameter (make crossover's task lengths, mix/cpu-io's ratios):
 * speedup by its value, one line per model (and machine) at its most workers. */
static void crossover(const struct fctx *x, const struct figure_kind *k)
{
	const char *title = k->title;
	const char *param = NULL;
	long long least = -1, most = -1;
	for (size_t k = 0; k < x->s->n; k++) {
		const struct pcell *c = &x->s->c[k];
		if (strcmp(c->base, x->base) || !c->swept)
			continue;
		if (param && strcmp(param, c->swept))
			return; /* files sweeping different parameters: no common axis */
		param = c->swept;
		least = least < 0 || c->value < least ? c->value : least;
		most = c->value > most ? c->value : most;
	}
	if (!param || least == most)
		return;
	char name[256], path[4200], vars[2048], suffix[200];
	FILE *f = figure_data(x->fig, "crossover", x->base, name, path);
	if (!f)
		return;
	const char *models[32];
	size_t nmod = distinct(x->s, FIELD(model), models, 32), blocks = 0;
	struct styles st = {"", ""};
	for (size_t m = 0; m < nmod; m++)
		for (size_t h = 0; h < x->nm && strcmp(models[m], "serial"); h++) {
			size_t rows = 0;
			int w = 0;
			for (size_t k = 0; k < x->s->n; k++) /* the most workers this model has */
				if (!strcmp(x->s->c[k].base, x->base) && !strcmp(x->s->c[k].model, models[m]) &&
				    !strcmp(x->s->c[k].machine, x->machines[h]) && x->s->c[k].workers > w)
					w = x->s->c[k].workers;
			for (size_t k = 0; k < x->s->n; k++) {
				const struct pcell *c = &x->s->c[k];
				if (strcmp(c->base, x->base) || !c->swept || strcmp(c->model, models[m]) || c->workers != w ||
				    strcmp(c->machine, x->machines[h]) || c->speedup <= 0)
					continue;
				snprintf(suffix, sizeof(suffix), " (%d workers)%s%s", w, x->nm > 1 ? " @" : "",
					 x->nm > 1 ? x->machines[h] : "");
				if (!rows++)
					series_header(f, &blocks, &st, model_style(models[m]), models[m], suffix, "speedup", h, x->nm);
				fprintf(f, "%lld\t%.6g\n", c->value > 0 ? c->value : 1, c->speedup);
			}
		}
	fclose(f);
	/* a logarithmic axis for magnitudes (sizes, times), a plain one for choices (variant 0..3) */
	char qbase[512], qparam[128], full[320];
	plot_quote(qbase, sizeof(qbase), x->base);
	plot_quote(qparam, sizeof(qparam), param);
	snprintf(vars, sizeof(vars), "title=%s; param=%s; logx=%d; lts='%s'; dts='%s'", qbase, qparam,
		 most >= 100 * (least > 0 ? least : 1), st.lt, st.dt);
	snprintf(full, sizeof(full), "%s %s", title, param);
	if (blocks)
		render(x->fig, k, "crossover.gp", name, path, vars, x->base, full);
}

/* The executor-and-placement pairs a scenario ran at, in first-seen order ("threads same-cpu"). */
/* A scenario cell's place in its figures: executor and placement, and the roles when they vary. */
static void place_label(const struct pcell *c, char *l, size_t len)
{
	if (c->roles_vary)
		snprintf(l, len, "%s %s, %d roles", c->model, c->pin, c->workers);
	else
		snprintf(l, len, "%s %s", c->model, c->pin);
}

static size_t placements(const struct pset *s, const char *wl, char (*out)[64], size_t max)
{
	size_t n = 0;
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		char label[64];
		if (strcmp(c->workload, wl) || !c->scenario)
			continue;
		place_label(c, label, sizeof(label));
		size_t j = 0;
		while (j < n && strcmp(out[j], label))
			j++;
		if (j == n && n < max)
			snprintf(out[n++], 64, "%s", label);
	}
	return n;
}

/* The cell of a scenario at one executor and placement ("threads same-cpu") on machine; NULL if none. */
static const struct pcell *at_placement(const struct pset *s, const char *wl, const char *machine, const char *label)
{
	for (size_t k = 0; k < s->n; k++) {
		const struct pcell *c = &s->c[k];
		char l[64];
		place_label(c, l, sizeof(l));
		if (!strcmp(c->workload, wl) && !strcmp(c->machine, machine) && !strcmp(l, label) && c->ns_per_op > 0)
			return c;
	}
	return NULL;
}

/* A scenario at every executor and placement: time and CPU time per operation, a bar per machine. */
static void by_placement(const struct fctx *x, const struct figure_kind *k)
{
	char name[256], path[4200], vars[2048], point[200], full[320], qwl[512];
	static char labels[64][64];
	size_t np = placements(x->s, x->wl, labels, 64), rows = 0;
	if (!np)
		return;
	FILE *f = figure_data(x->fig, "placement", x->wl, name, path);
	if (!f)
		return;
	fprintf(f, "\"placement\"");
	for (int col = 0; col < 2; col++)
		for (size_t m = 0; m < x->nm; m++) {
			fputc('\t', f);
			plot_data_string(f, x->nm > 1 ? x->machines[m] : col ? "cpu ns" : "ns", "");
		}
	fputc('\n', f);
	for (size_t p = 0; p < np; p++) {
		plot_data_string(f, labels[p], "");
		for (int col = 0; col < 2; col++)
			for (size_t m = 0; m < x->nm; m++) {
				const struct pcell *c = at_placement(x->s, x->wl, x->machines[m], labels[p]);
				double v = !c ? -1 : col ? c->cpu_ns_per_op : c->ns_per_op;
				v > 0 ? fprintf(f, "\t%.6g", v) : fprintf(f, "\t?");
			}
		fputc('\n', f);
		rows++;
	}
	fclose(f);
	plot_quote(qwl, sizeof(qwl), x->wl);
	snprintf(vars, sizeof(vars), "machines=%zu; title=%s", x->nm, qwl);
	sweep_point(point, sizeof(point), x->wl);
	snprintf(full, sizeof(full), "%s%s", k->title, point);
	if (rows > 1 || x->nm > 1) /* one bar of one machine compares nothing */
		render(x->fig, k, "placement.gp", name, path, vars, x->base, full);
}

/* A scenario swept over one parameter: time per operation by its value, a line per executor and
 * placement (and machine). */
/* One figure of op_sweep: the cells of the base whose other swept parameters are `others`, time per
 * operation (or, bandwidth, bytes per second) against the first. */
static void op_sweep_figure(const struct fctx *x, const struct figure_kind *k, const char *param, const char *others,
			    bool bandwidth)
{
	char name[256], path[4200], vars[2048], suffix[200], full[320], qbase[512], qparam[128], series[300];
	static char labels[64][64];
	size_t np = 0, blocks = 0;
	for (size_t i = 0; i < x->s->n; i++) /* every placement of any point */
		if (!strcmp(x->s->c[i].base, x->base) && np < 64) {
			char l[64];
			snprintf(l, sizeof(l), "%s %s", x->s->c[i].model, x->s->c[i].pin);
			size_t j = 0;
			while (j < np && strcmp(labels[j], l))
				j++;
			if (j == np)
				snprintf(labels[np++], 64, "%s", l);
		}
	snprintf(series, sizeof(series), "%s%s", x->base, others);
	FILE *f = figure_data(x->fig, k->kind, series, name, path);
	if (!f)
		return;
	struct styles st = {"", ""};
	for (size_t p = 0; p < np; p++)
		for (size_t h = 0; h < x->nm; h++) {
			size_t rows = 0;
			for (size_t i = 0; i < x->s->n; i++) {
				const struct pcell *c = &x->s->c[i];
				char l[64];
				snprintf(l, sizeof(l), "%s %s", c->model, c->pin);
				double y = bandwidth ? c->bytes_per_s / 1e6 : c->ns_per_op;
				if (strcmp(c->base, x->base) || !c->axis || strcmp(c->others, others) || strcmp(l, labels[p]) ||
				    strcmp(c->machine, x->machines[h]) || y <= 0)
					continue;
				snprintf(suffix, sizeof(suffix), "%s%s", x->nm > 1 ? " @" : "", x->nm > 1 ? x->machines[h] : "");
				if (!rows++) /* styled by its placement's place, not a model's */
					series_header(f, &blocks, &st, (int)p + 1, labels[p], suffix, bandwidth ? "MB/s" : "ns",
						      h, x->nm);
				fprintf(f, "%lld\t%.6g\n", c->axis_value > 0 ? c->axis_value : 1, y);
			}
		}
	fclose(f);
	plot_quote(qbase, sizeof(qbase), series);
	plot_quote(qparam, sizeof(qparam), param);
	snprintf(vars, sizeof(vars), "title=%s; param=%s; what='%s'; better='%s'; lts='%s'; dts='%s'", qbase, qparam,
		 bandwidth ? "MB/s" : "ns per operation", bandwidth ? "higher" : "lower", st.lt, st.dt);
	snprintf(full, sizeof(full), "%s %s%s", k->title, param, others);
	if (blocks)
		render(x->fig, k, "opsweep.gp", name, path, vars, x->base, full);
}

/* A scenario swept over a parameter (a message's size): per value of the other swept parameters, the time
 * per operation against it (opsweep), or the bytes per second where a size is involved (bandwidth). */
static void op_sweep(const struct fctx *x, const struct figure_kind *k)
{
	bool bandwidth = !strcmp(k->kind, "bandwidth");
	const char *param = NULL, *others[32];
	size_t no = 0;
	for (size_t i = 0; i < x->s->n; i++) {
		const struct pcell *c = &x->s->c[i];
		if (strcmp(c->base, x->base) || !c->scenario || !c->axis || (bandwidth && c->bytes_per_s <= 0))
			continue;
		if (param && strcmp(param, c->axis))
			return; /* files sweeping different parameters first: no common axis */
		param = c->axis;
		size_t j = 0;
		while (j < no && strcmp(others[j], c->others))
			j++;
		if (j == no && no < 32)
			others[no++] = c->others;
	}
	for (size_t j = 0; j < no; j++)
		op_sweep_figure(x, k, param, others[j], bandwidth);
}

/* Marks the scenarios whose number of roles differs between cells of one series (a lock's 1, 2, 4). */
static int by_workload(const void *a, const void *b)
{
	return strcmp((*(struct pcell *const *)a)->workload, (*(struct pcell *const *)b)->workload);
}

/* (Sorted by series, so that a history directory of thousands of cells is not compared pair by pair.) */
static void mark_roles_vary(struct pset *s)
{
	struct pcell **sc = malloc((s->n ? s->n : 1) * sizeof(*sc));
	size_t n = 0;
	for (size_t k = 0; sc && k < s->n; k++)
		if (s->c[k].scenario)
			sc[n++] = &s->c[k];
	if (sc)
		qsort(sc, n, sizeof(*sc), by_workload);
	for (size_t a = 0, b; sc && a < n; a = b) {
		bool vary = false;
		for (b = a; b < n && !strcmp(sc[b]->workload, sc[a]->workload); b++)
			vary |= sc[b]->workers != sc[a]->workers;
		for (size_t k = a; k < b; k++)
			sc[k]->roles_vary = vary;
	}
	free(sc);
}

/* A scenario whose roles vary: time per operation (roles) or Jain's fairness (fairness) against the
 * number of roles, one line per executor and placement (and machine). */
static void by_roles(const struct fctx *x, const struct figure_kind *k)
{
	bool fairness = !strcmp(k->kind, "fairness");
	char name[256], path[4200], vars[2048], suffix[200], full[320], qwl[512], point[200];
	static char labels[64][64];
	size_t np = 0, blocks = 0;
	for (size_t i = 0; i < x->s->n && np < 64; i++) {
		const struct pcell *c = &x->s->c[i];
		if (strcmp(c->workload, x->wl) || !c->roles_vary || (fairness && c->fairness < 0))
			continue;
		char l[64];
		snprintf(l, sizeof(l), "%s %s", c->model, c->pin);
		size_t j = 0;
		while (j < np && strcmp(labels[j], l))
			j++;
		if (j == np)
			snprintf(labels[np++], 64, "%s", l);
	}
	if (!np)
		return;
	FILE *f = figure_data(x->fig, k->kind, x->wl, name, path);
	if (!f)
		return;
	struct styles st = {"", ""};
	for (size_t p = 0; p < np; p++)
		for (size_t h = 0; h < x->nm; h++) {
			size_t rows = 0;
			for (size_t i = 0; i < x->s->n; i++) {
				const struct pcell *c = &x->s->c[i];
				char l[64];
				snprintf(l, sizeof(l), "%s %s", c->model, c->pin);
				double y = fairness ? c->fairness : c->ns_per_op;
				if (strcmp(c->workload, x->wl) || strcmp(l, labels[p]) || strcmp(c->machine, x->machines[h]) ||
				    y <= 0)
					continue;
				snprintf(suffix, sizeof(suffix), "%s%s", x->nm > 1 ? " @" : "", x->nm > 1 ? x->machines[h] : "");
				if (!rows++)
					series_header(f, &blocks, &st, (int)p + 1, labels[p], suffix, fairness ? "jain" : "ns", h,
						      x->nm);
				fprintf(f, "%d\t%.6g\n", c->workers, y);
			}
		}
	fclose(f);
	plot_quote(qwl, sizeof(qwl), x->wl);
	snprintf(vars, sizeof(vars), "title=%s; what='%s'; better='%s'; logy=%d; lts='%s'; dts='%s'", qwl,
		 fairness ? "Jain fairness index" : "ns per operation (each role)", fairness ? "higher" : "lower",
		 !fairness, st.lt, st.dt);
	sweep_point(point, sizeof(point), x->wl);
	snprintf(full, sizeof(full), "%s%s", k->title, point);
	if (blocks)
		render(x->fig, k, "roles.gp", name, path, vars, x->base, full);
}

/* The servers side by side (drawn once, with the first server/ section): per placement, requests per second,
 * p99 latency, server CPU per request or server memory per connection against the connections, one line per
 * IO model (and machine). */
static void serving(const struct fctx *x, const struct figure_kind *k)
{
	static const char *const whats[][3] = {{"serve-rate", "requests per second", "higher"},
					      {"serve-p99", "p99 latency (us)", "lower"},
					      {"serve-cpu", "server CPU us per request", "lower"},
					      {"serve-memory", "server KiB per connection", "lower"},
					      {"serve-knee", "p99 latency (us) from when each request was due", "lower"}};
	unsigned w = 0;
	while (w < 5 && strcmp(whats[w][0], k->kind))
		w++;
	bool open = w == 4; /* against the open loop's offered rate; the others against connections, closed loop */
	const char *first = NULL, *pins[8], *bases[64];
	size_t npin = 0, nb = 0;
	for (size_t i = 0; i < x->s->n; i++) {
		const struct pcell *c = &x->s->c[i];
		if (c->conns < 0)
			continue;
		first = first ? first : c->base;
		if ((c->rate > 0) != open)
			continue;
		size_t j = 0;
		while (j < npin && strcmp(pins[j], c->pin))
			j++;
		if (j == npin && npin < 8)
			pins[npin++] = c->pin;
		for (j = 0; j < nb && strcmp(bases[j], c->base);)
			j++;
		if (j == nb && nb < 64)
			bases[nb++] = c->base;
	}
	if (w == 5 || !first || strcmp(first, x->base))
		return;
	for (size_t p = 0; p < npin; p++) {
		char name[256], path[4200], vars[2048], full[320], label[160], safe_pin[64], qtitle[200];
		plot_safe_name(safe_pin, sizeof(safe_pin), pins[p]);
		snprintf(label, sizeof(label), "servers-%s", pins[p]);
		FILE *f = figure_data(x->fig, k->kind, label, name, path);
		if (!f)
			return;
		struct styles st = {"", ""};
		size_t blocks = 0;
		for (size_t b = 0; b < nb; b++)
			for (size_t h = 0; h < x->nm; h++) {
				size_t rows = 0;
				for (long long last = 0;;) { /* the points in order of connections */
					const struct pcell *next = NULL;
					for (size_t i = 0; i < x->s->n; i++) {
						const struct pcell *c = &x->s->c[i];
						long long at = open ? c->rate : c->conns;
						if (c->conns >= 0 && (c->rate > 0) == open && at > last && !strcmp(c->base, bases[b]) &&
						    !strcmp(c->pin, pins[p]) && !strcmp(c->machine, x->machines[h]) &&
						    (!next || at < (open ? next->rate : next->conns)))
							next = c;
					}
					if (!next)
						break;
					last = open ? next->rate : next->conns;
					double y = w == 0 ? next->requests_per_s : w == 1 || w == 4 ? next->lat[2] / 1e3 :
						   w == 2 ? next->server_cpu_us : next->server_rss_kb / (double)next->conns;
					if (y <= 0)
						continue;
					char suffix[80];
					snprintf(suffix, sizeof(suffix), "%s%.64s", x->nm > 1 ? " @" : "", x->nm > 1 ? x->machines[h] : "");
					if (!rows++)
						series_header(f, &blocks, &st, (int)b + 1, bases[b] + strlen("server/"), suffix, "y", h, x->nm);
					fprintf(f, "%lld\t%.6g\n", last, y);
				}
			}
		fclose(f);
		snprintf(full, sizeof(full), "servers at %s", pins[p]);
		plot_quote(qtitle, sizeof(qtitle), full);
		snprintf(vars, sizeof(vars), "title=%s; param='%s'; what='%s'; better='%s'; lts='%s'; dts='%s'", qtitle,
			 open ? "offered requests per second" : "connections", whats[w][1], whats[w][2], st.lt, st.dt);
		snprintf(full, sizeof(full), "%s, servers at %s", k->title, pins[p]);
		if (blocks)
			render(x->fig, k, "opsweep.gp", name, path, vars, x->base, full);
	}
}

/* A workload of tasks of differing lengths: each model's turnaround (mean, p50, p99, max) at its all-cores point,
 * for every queue order it ran in, one figure per machine. */
static void turnaround(const struct fctx *x, const struct figure_kind *k)
{
	static const char *const orders[] = {"fifo", "lifo", "priority"};
	const char *wls[16], *models[32];
	size_t nw = 0, nmod = distinct(x->s, FIELD(model), models, 32);
	for (size_t i = 0; i < x->s->n; i++) { /* the base's points: one per order */
		const struct pcell *c = &x->s->c[i];
		size_t j = 0;
		while (j < nw && strcmp(wls[j], c->workload))
			j++;
		if (j == nw && nw < 16 && !strcmp(c->base, x->base) && c->turnaround[0] >= 0)
			wls[nw++] = c->workload;
	}
	for (size_t m = 0; m < x->nm && nw; m++) {
		char safe[200], name[256], path[4200], vars[2048], full[320], qtitle[1100], gtitle[512], label[96];
		char safe_machine[64];
		plot_safe_name(safe, sizeof(safe), x->base);
		plot_safe_name(safe_machine, sizeof(safe_machine), x->machines[m]);
		snprintf(name, sizeof(name), "turnaround-%.180s%s%.32s", safe, x->nm > 1 ? "-" : "",
			 x->nm > 1 ? safe_machine : "");
		FILE *f = open_data(x->fig, name, path, sizeof(path));
		if (!f)
			return;
		size_t rows = 0;
		for (size_t md = 0; md < nmod; md++)
			for (size_t w = 0; w < nw; w++) {
				const struct pcell *c =
					at_point(x->s, wls[w], x->machines[m], models[md], all_cores_point(x->s, x->machines[m], wls[w]));
				if (!c || c->turnaround[0] < 0)
					continue;
				bool named = c->swept && !strcmp(c->swept, "order") && c->value >= 0 && c->value <= 2;
				snprintf(label, sizeof(label), "%s %d%s%s", c->model, c->workers, named ? " " : "",
					 named ? orders[c->value] : "");
				plot_data_string(f, label, "");
				fprintf(f, "\t%.6g\t%.6g\t%.6g\t%.6g\n", c->turnaround[0], c->turnaround[1], c->turnaround[2],
					c->turnaround[3]);
				rows++;
			}
		fclose(f);
		snprintf(gtitle, sizeof(gtitle), "%s%s%s", x->base, x->nm > 1 ? " on " : "", x->nm > 1 ? x->machines[m] : "");
		plot_quote(qtitle, sizeof(qtitle), gtitle);
		snprintf(vars, sizeof(vars), "title=%s", qtitle);
		snprintf(full, sizeof(full), "%s%s%s", k->title, x->nm > 1 ? " on " : "", x->nm > 1 ? x->machines[m] : "");
		if (rows)
			render(x->fig, k, "turnaround.gp", name, path, vars, x->base, full);
	}
}

/* A scenario whose latency distribution is its result (a timer's lateness): its percentiles as a curve,
 * a line per sweep point, executor and placement (and machine), on a "nines" axis. */
static void percentiles(const struct fctx *x, const struct figure_kind *k)
{
	static const double nines[] = {0.30103, 1, 2, 3, 4}; /* -log10(1 - p) of p50 .. p99.9; max drawn at 4 */
	char name[256], path[4200], vars[2048], full[320], qbase[512], label[300], what[160] = "";
	size_t blocks = 0;
	struct styles st = {"", ""};
	FILE *f = NULL;
	for (size_t i = 0; i < x->s->n; i++) {
		const struct pcell *c = &x->s->c[i];
		if (strcmp(c->base, x->base) || !c->latency_of || c->lat[0] < 0)
			continue;
		if (!f && !(f = figure_data(x->fig, k->kind, x->base, name, path)))
			return;
		snprintf(what, sizeof(what), "%s", c->latency_of);
		snprintf(label, sizeof(label), "%s %s%s", c->model, c->pin, c->workload + strlen(c->base));
		size_t h = 0;
		while (h < x->nm && strcmp(x->machines[h], c->machine))
			h++;
		char suffix[80];
		snprintf(suffix, sizeof(suffix), "%s%.64s", x->nm > 1 ? " @" : "", x->nm > 1 ? c->machine : "");
		series_header(f, &blocks, &st, (int)(blocks % 12) + 1, label, suffix, "us", h, x->nm);
		for (unsigned q = 0; q < 5; q++)
			if (c->lat[q] >= 0)
				fprintf(f, "%g\t%.6g\n", nines[q], fmax(c->lat[q] / 1e3, 0.001));
	}
	if (!f)
		return;
	fclose(f);
	plot_quote(qbase, sizeof(qbase), x->base);
	char qwhat[400];
	plot_quote(qwhat, sizeof(qwhat), what);
	snprintf(vars, sizeof(vars), "title=%s; what=%s; lts='%s'; dts='%s'", qbase, qwhat, st.lt, st.dt);
	snprintf(full, sizeof(full), "%s: %s", k->title, what);
	if (blocks)
		render(x->fig, k, "percentiles.gp", name, path, vars, x->base, full);
}

/* Every kind of figure: a new kind is a function and a line here (and its paragraph in docs/figures.md). */
static const struct figure_kind kinds[] = {
	{"scaling", "Speedup against serial by workers",
	 "Speedup over serial (up is better) against the number of workers, one line per model: the dotted line "
	 "is the ideal (n workers, n times faster) and the dashed vertical line the physical cores. A line that "
	 "bends away from the ideal before the cores has hit a shared limit (memory bandwidth, a lock, the "
	 "kernel); past the cores, only waiting work can still gain.",
	 scaling, false, OF_TASKS},
	{"models", "Every model at all cores: throughput and CPU time",
	 "Every model at the all-cores point side by side: tasks per second on the left (up is better) and the CPU "
	 "time the batch cost on the right (down is better). The cheapest model to run is not always the fastest: "
	 "spinning pools buy speed with CPU, per-task processes pay for their start-up.",
	 models_at_all_cores, false, OF_TASKS},
	{"latency", "Per-task latency percentiles",
	 "How long one task took from being handed out to being done, at the all-cores point: the median (p50) and "
	 "the tail (p90, p99, p99.9), on a logarithmic axis (down is better). A wide gap between p50 and p99 means "
	 "some tasks waited behind others: queueing, a wake-up, a preemption.",
	 latency, false, OF_TASKS | OF_SCENARIOS},
	{"serve-rate", "Requests per second by connections",
	 "Every IO model of server/ side by side at one placement: the replies per second the closed-loop generator got "
	 "(every connection with one request outstanding, counted after all are open) against the connections, on "
	 "logarithmic axes (up is better). Where a line falls, that way of serving stops keeping up.",
	 serving, true, OF_SCENARIOS},
	{"serve-p99", "p99 latency by connections",
	 "The same servers: the 99th percentile of a request's time, from its send to its checked reply, against the "
	 "connections (down is better). With every connection busy it grows with them: the requests queue.",
	 serving, true, OF_SCENARIOS},
	{"serve-cpu", "Server CPU per request by connections",
	 "The server's CPU time (its threads and children) per request against the connections (down is better): "
	 "busy polling pays a CPU whatever comes; a thread or process per connection pays switches.",
	 serving, true, OF_SCENARIOS},
	{"serve-memory", "Server memory per connection",
	 "The server's peak resident memory (or its largest child's) divided by the connections (down is better): what "
	 "a thread, a process or a coroutine per connection costs in memory.",
	 serving, true, OF_SCENARIOS},
	{"serve-knee", "Open-loop latency by offered rate",
	 "The servers under an open loop (--param rate=...): requests sent at a fixed rate whatever comes back, the "
	 "p99 counted from when each request was due, against the offered rate (down is better). Flat, then a knee: "
	 "past the rate a server can answer, requests queue and the latency climbs without bound.",
	 serving, true, OF_SCENARIOS},
	{"turnaround", "Turnaround by model and queue order",
	 "Tasks of differing lengths, all there at the start, taken in first-come (fifo), last-come (lifo) or "
	 "shortest-first (priority) order: for each model at all cores (its worker count after its name), the time "
	 "from the start to a task's end, its mean, median, 99th percentile and the last (the makespan), in ms "
	 "(down is better). Shortest first gives the least mean: no short task waits behind a long one; but the "
	 "long ones all wait to the end, and with several workers the batch can end later than in fifo order.",
	 turnaround, true, OF_TASKS},
	{"percentiles", "Latency distribution",
	 "A scenario whose result is how its latencies spread (a timer: how late a wake-up comes): the latency at "
	 "the median, 90th, 99th and 99.9th percentile and the largest, one line per sweep point, executor and "
	 "placement, on logarithmic axes (down is better). The right end is what a user meets once in a while: a "
	 "line that rises steeply there has a tail a median hides.",
	 percentiles, true, OF_SCENARIOS},
	{"spawn", "Cost of starting the workers",
	 "The time to create the workers (threads, processes, coroutines, a pool) before the first task, by worker "
	 "count, on logarithmic axes (down is better): a fork costs more than a thread, a thread more than a "
	 "coroutine, and a pool pays it once for many batches.",
	 spawn_cost, false, OF_TASKS | OF_SCENARIOS},
	{"memory", "Memory of one worker",
	 "A workload whose tasks wait (io, mix), run far past the cores: the memory one worker cost at its peak against "
	 "the workers, on logarithmic axes (down is better). A thread's or coroutine's share of the cell process's "
	 "growth, a worker process's growth over what it inherited, with the page or two of its report to concur. "
	 "A process costs hundreds of KiB, a thread about ten, a coroutine a few: what each waiting unit costs.",
	 worker_memory, false, OF_TASKS},
	{"placement", "Time and CPU per operation by executor and placement",
	 "A scenario (roles that interact) at every executor and placement it ran at: the time of one operation "
	 "(a round trip, a fork and reap) on the left and the CPU time every role together spent on it on the right, "
	 "on logarithmic axes (down is better). same-cpu is two roles taking turns on one CPU; the cross-CPU "
	 "placements pay for waking the other CPU, which on a virtual machine costs tens of microseconds. A CPU "
	 "time well above the wall time means a role spins while it waits.",
	 by_placement, false, OF_SCENARIOS},
	{"opsweep", "Time per operation by",
	 "A scenario swept over one parameter (a message's size): the time of one operation against its value, one "
	 "line per executor and placement, on logarithmic axes (down is better), a figure per value of any other "
	 "parameter swept (stream=0, stream=1). Flat on the left is the fixed cost of a switch or a wake-up; the "
	 "slope on the right is copying.",
	 op_sweep, true, OF_SCENARIOS},
	{"bandwidth", "Bytes per second by",
	 "A scenario that moves data swept over one parameter (a message's size): the bytes moved per second against "
	 "its value, one line per executor and placement, on logarithmic axes (up is better). There and back "
	 "(stream=0) counts both directions; streamed (stream=1) is the channel's bandwidth.",
	 op_sweep, true, OF_SCENARIOS},
	{"roles", "Time per operation by roles",
	 "A scenario whose roles come from the worker count (a lock, a queue): the time of one operation of each "
	 "role against how many roles there are, one line per executor and placement, on a logarithmic axis (down "
	 "is better). Flat is a primitive that scales; a steep rise is contention. On one CPU the roles take "
	 "turns, across CPUs they wait for each other.",
	 by_roles, false, OF_SCENARIOS},
	{"fairness", "Fairness by roles",
	 "A lock's fairness against how many roles want it: Jain's index of each role's share of the acquisitions "
	 "while all still wanted it (1: equal shares; 1/n: one role had it all; up is better). An unfair lock can "
	 "win throughput by starving roles; on one CPU the roles take turns by time slices, so the first finishes "
	 "before the others start, which shows as 1/n.",
	 by_roles, false, OF_SCENARIOS},
	{"crossover", "Speedup by",
	 "A workload swept over one parameter (a task's length, the share of waiting): speedup over serial by its "
	 "value, one line per model at its most workers. Below the dotted 1x line running the work that way is "
	 "slower than not running it concurrently at all; where a line crosses it is the crossover.",
	 crossover, true, OF_TASKS},
	{0},
};

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

static int by_date(const void *a, const void *b)
{
	const struct pfile *x = a, *y = b;
	int c = strcmp(x->date, y->date);
	return c ? c : strcmp(x->path, y->path);
}

/* Names each file for figures and tables: its machine id, with its date when the machine has several. */
static void label_files(struct pset *s)
{
	for (size_t k = 0; k < s->nfiles; k++) {
		struct pfile *f = &s->files[k];
		bool shared = false;
		for (size_t j = 0; j < s->nfiles && !shared; j++)
			shared = j != k && !strcmp(s->files[j].id, f->id);
		snprintf(f->label, sizeof(f->label), "%.40s%s%.16s", f->id, shared ? " " : "", shared ? f->date : "");
	}
}

/* With several files: the oldest against the newest, as `concur compare --format html`, into
 * dir/compare.html. Its name, or NULL when there is none. */
static const char *compare_page(const struct pset *s, const char *dir)
{
	static char path[4200];
	if (s->nfiles < 2)
		return NULL;
	snprintf(path, sizeof(path), "%s/compare.html", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return NULL;
	struct cc_compare_opts o = {.threshold = 0.05, .alpha = 0.01, .format = "html", .to = f};
	int rc = cli_compare(s->files[0].path, s->files[s->nfiles - 1].path, &o);
	fclose(f);
	return rc == CC_EXIT_OK ? "compare.html" : (unlink(path), NULL);
}

int cli_plot(const char *const *args, unsigned nargs, const char *dir, bool draw)
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
	char **paths;
	size_t npaths;
	if ((rc = results_paths("plot", args, nargs, &paths, &npaths)))
		return rc;
	struct pset s = {.files = calloc(npaths, sizeof(*s.files))};
	if (!s.files)
		rc = CC_EXIT_FAIL;
	for (size_t k = 0; k < npaths && !rc; k++) {
		s.files[s.nfiles] = (struct pfile){.path = paths[k], .id = "?", .date = ""};
		paths[k] = NULL;
		rc = load_file(&s.files[s.nfiles++]);
	}
	results_paths_free(paths, npaths);
	if (!rc) { /* the cells point at their files: in their final order, labelled */
		qsort(s.files, s.nfiles, sizeof(*s.files), by_date);
		label_files(&s);
	}
	for (size_t k = 0; k < s.nfiles && !rc; k++)
		rc = load_cells(&s, &s.files[k]);
	if (rc)
		goto out;
	mark_roles_vary(&s);
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
	size_t nw = distinct(&s, FIELD(workload), wls, 256), nb = distinct(&s, FIELD(base), bases, 64),
	       nm = distinct(&s, FIELD(machine), machines, 16);
	for (size_t b = 0; b < nb; b++)
		for (const struct figure_kind *k = kinds; k->kind; k++) {
			struct fctx x = {&fig, &s, bases[b], bases[b], machines, nm};
			bool scenario = false;
			for (size_t c = 0; c < s.n && !scenario; c++)
				scenario = s.c[c].scenario && !strcmp(s.c[c].base, bases[b]);
			if (!(k->of & (scenario ? OF_SCENARIOS : OF_TASKS)))
				continue;
			if (k->per_base) {
				k->draw(&x, k);
				continue;
			}
			for (size_t w = 0; w < nw; w++) {
				x.wl = wls[w];
				bool of_base = false;
				for (size_t c = 0; c < s.n && !of_base; c++)
					of_base = s.c[c].workload == wls[w] && !strcmp(s.c[c].base, bases[b]);
				if (of_base)
					k->draw(&x, k);
			}
		}
	plot_wait();
	size_t drawn = 0; /* a figure gnuplot failed on is left off the page (it said so) */
	for (size_t k = 0; k < fig.n; k++)
		if (!fig.fig[k].failed)
			fig.fig[drawn++] = fig.fig[k];
	fig.n = drawn;
	page_write(&fig, &s, compare_page(&s, dir));
	fprintf(stderr, "concur: plot: the page: %s/index.html (%zu figures%s)\n", dir, fig.n, draw ? ", SVG and PNG" : "");
out:
	for (size_t k = 0; k < s.n; k++) {
		free(s.c[k].workload);
		free(s.c[k].base);
		free(s.c[k].others);
	}
	free(s.c);
	for (size_t k = 0; k < s.nfiles; k++) {
		json_decref(s.files[k].doc);
		free(s.files[k].path);
	}
	free(s.files);
	return rc;
}
