/*
 * Results: builds the "concur" object that sits beside Google Benchmark's own
 * JSON (see docs/result.schema.json), writes files atomically, and prints the
 * human summary. Only cells whose every repetition ran are reported.
 */
#define _GNU_SOURCE
#include "core/report.h"
#include "work/scenario.h"
#include "coro/sched.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "concur_build.h"
#include "base/busy.h"
#include "core/runner.h"
#include "core/sysinfo.h"
#include "gbench/gbc.h"

/* Every figure of a benchmark entry: its unit, how repetitions aggregate, which way is better. */
static const struct metric {
	const char *name, *unit, *aggregate, *better, *help;
} metrics[] = {
	{"wall_s", "s", "median", "lower", "parallel region: start gate opened until the last worker finished"},
	{"spawn_s", "s", "median", "lower", "creating the workers until all passed the start gate"},
	{"cpu_s", "s", "median", "lower", "user+system CPU of the cell process and its children over the batch"},
	{"tasks_per_s", "1/s", "median", "higher", "tasks / median wall_s"},
	{"speedup", "x", "median", "higher", "serial's median wall_s / this median wall_s, same run"},
	{"latency", "ns", "histogram", "lower", "per-task duration, all repetitions merged"},
	{"cv", "1", "stddev/mean", "lower", "coefficient of variation of wall_s across repetitions"},
	{"relative", "1", "median", "lower",
	 "wall_s of each repetition over the reference probe taken just before it (probe.kind): follows the code, "
	 "not the machine"},
	{0},
};

void cc_machine_id(char out[13])
{
	const struct cc_sysinfo *si;
	cc_sysinfo_get(&si);
	char key[256];
	snprintf(key, sizeof(key), "%s|%u|%u|%" PRIu64, si->cpu_model, si->cores, si->pus,
		 (uint64_t)((si->memory_bytes + (1ull << 29)) >> 30)); /* GiB, rounded: the kernel's reserve varies */
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	snprintf(out, 13, "%012" PRIx64, (uint64_t)(h & 0xffffffffffffull));
}

static json_t *machine_json(const struct topo *t, json_t *doctor)
{
	const struct cc_sysinfo *si;
	int err = cc_sysinfo_get(&si);
	char id[13];
	cc_machine_id(id);
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:i, s:s}", "id", id, "hostname",
			      si->hostname, "cpu_model", si->cpu_model, "kernel", si->kernel, "memory_bytes",
			      (json_int_t)si->memory_bytes, "cores", si->cores, "pus", si->pus, "packages",
			      si->packages, "numa_nodes", si->numa_nodes, "hwloc_version", si->hwloc_version);
	if (err)
		json_object_set_new(m, "topology_error", json_string(strerror(-err)));
	if (t)
		json_object_set_new(m, "topology", topo_json(t));
	if (doctor)
		json_object_set(m, "doctor", doctor); /* a reference of our own: the report may be built twice */
	return m;
}

static json_t *build_json(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "concur_version", CONCUR_VERSION, "compiler",
			 CONCUR_COMPILER, "flags", CONCUR_C_FLAGS, "build_type", CONCUR_BUILD_TYPE, "sanitize",
			 CONCUR_SANITIZE, "git_commit", CONCUR_GIT_COMMIT, "benchmark_library",
			 gbc_library_version());
}

void cc_report_add_context(void)
{
	char id[13];
	cc_machine_id(id);
	gbc_add_context("concur_version", CONCUR_VERSION);
	gbc_add_context("concur_machine_id", id);
	gbc_add_context("concur_git_commit", CONCUR_GIT_COMMIT);
}

/* {median, mean, min, max} of one double field of every measured repetition. */
static json_t *stat_json(const struct cc_cell *c, size_t offset)
{
	double v[c->nreps], sum = 0;
	for (unsigned k = 0; k < c->nreps; k++) {
		v[k] = *(const double *)((const char *)&c->reps[k] + offset);
		sum += v[k];
	}
	double med = cc_median(v, c->nreps); /* sorts v */
	return json_pack("{s:f, s:f, s:f, s:f}", "median", med, "mean", sum / c->nreps, "min", v[0], "max",
			 v[c->nreps - 1]);
}

static double median_of(const struct cc_cell *c, double (*get)(const struct cc_rep *))
{
	double v[c->nreps];
	for (unsigned k = 0; k < c->nreps; k++)
		v[k] = get(&c->reps[k]);
	return cc_median(v, c->nreps);
}

static double rep_cpu(const struct cc_rep *r)
{
	return r->user_s + r->sys_s + r->child_user_s + r->child_sys_s + r->helpers_s;
}
static double rep_helpers(const struct cc_rep *r) { return r->helpers_s; }
static double rep_user(const struct cc_rep *r) { return r->user_s; }
static double rep_sys(const struct cc_rep *r) { return r->sys_s; }
static double rep_cuser(const struct cc_rep *r) { return r->child_user_s; }
static double rep_csys(const struct cc_rep *r) { return r->child_sys_s; }
static double rep_vcsw(const struct cc_rep *r) { return (double)r->nvcsw; }
static double rep_ivcsw(const struct cc_rep *r) { return (double)r->nivcsw; }
static double rep_rss(const struct cc_rep *r) { return (double)r->max_rss_kb; }
static double rep_worker_rss(const struct cc_rep *r) { return r->worker_rss_kb; }

/* A scenario's figures per operation: every role's CPU time and context switches together. */
struct per_op {
	double ns, cpu_ns, vcsw, ivcsw, bytes_per_s;
};

static struct per_op scenario_per_op(const struct cc_cell *c)
{
	const struct sc_desc *sc = c->inst->wl->scenario;
	double ops = (double)c->ntasks, wall = cc_cell_median_wall(c);
	struct per_op o = {wall * 1e9 / ops, median_of(c, rep_cpu) * 1e9 / ops, median_of(c, rep_vcsw) / ops,
			   median_of(c, rep_ivcsw) / ops, -1};
	if (sc->bytes_per_op && wall > 0)
		o.bytes_per_s = (double)sc->bytes_per_op(c->inst->params) * ops / wall;
	return o;
}

/* A scenario's own figure k over the repetitions, as it says they combine. */
static double metric_of(const struct cc_cell *c, unsigned k)
{
	double v[c->nreps ? c->nreps : 1], top = 0;
	for (unsigned r = 0; r < c->nreps; r++)
		top = (v[r] = c->reps[r].metrics[k]) > top || r == 0 ? v[r] : top;
	return wl_metrics(c->inst->wl)[k].agg == SC_MAX ? top : cc_median(v, c->nreps);
}

/* The benchmark's own figures by name (wl_metrics); NULL when it has none. */
static json_t *metrics_json(const struct cc_cell *c)
{
	const struct sc_metric *m = wl_metrics(c->inst->wl);
	json_t *own = m ? json_object() : NULL;
	for (unsigned k = 0; own && k < SC_MAX_METRICS && m[k].name; k++)
		json_object_set_new(own, m[k].name,
				    json_pack("{s:f, s:s, s:s, s:s}", "value", metric_of(c, k), "unit", m[k].unit,
					      "aggregate", m[k].agg == SC_MAX ? "max" : "median", "help", m[k].help));
	return own;
}

static json_t *scenario_json(const struct cc_cell *c)
{
	const struct sc_desc *sc = c->inst->wl->scenario;
	struct per_op o = scenario_per_op(c);
	json_t *roles = json_array();
	for (unsigned k = 0; k < c->workers; k++)
		json_array_append_new(roles, json_pack("{s:i, s:i}", "role", k, "cpu", c->cpus ? c->cpus[k] : -1));
	json_t *j = json_pack("{s:s, s:s, s:I, s:o, s:f, s:f, s:f, s:f}", "executor", c->model->name, "op", sc->op,
			      "ops", (json_int_t)c->ntasks, "roles", roles, "ns_per_op", o.ns, "cpu_ns_per_op",
			      o.cpu_ns, "voluntary_csw_per_op", o.vcsw, "involuntary_csw_per_op", o.ivcsw);
	if (o.bytes_per_s >= 0)
		json_object_set_new(j, "bytes_per_s", json_real(o.bytes_per_s));
	if (sc->latency_of)
		json_object_set_new(j, "latency_of", json_string(sc->latency_of));
	json_t *own = metrics_json(c);
	if (own)
		json_object_set_new(j, "metrics", own);
	return j;
}

static const char *status_name(enum cc_status s)
{
	static const char *const names[] = {"incomplete", "ok", "failed", "timeout", "checksum_mismatch"};
	return names[s];
}

/* speedup against serial in this run; < 0 when there is no serial figure to compare with */
static double cell_speedup(const struct cc_cell *c)
{
	const struct cc_cell *s = c->baseline;
	if (!s || s->status != CC_OK || !c->nreps)
		return -1;
	/* per task: a cell's batch may be its own (plan.c, cc_cell_tasks) */
	return cc_cell_median_wall(s) / (double)s->ntasks / (cc_cell_median_wall(c) / (double)c->ntasks);
}

static json_t *placement_json(const struct cc_cell *c)
{
	json_t *req = json_array(), *seen = json_array(), *ivcsw = json_array();
	for (unsigned k = 0; k < c->workers; k++) {
		const struct cc_worker_info *w = &c->workers_info[k];
		if (c->cpus) /* a model that records hosts (mpi) may plan on each: what each worker was given */
			json_array_append_new(req, json_integer(c->nhosts ? w->cpu_requested : c->cpus[k]));
		json_t *cpus = json_array();
		for (unsigned o = 0; o < w->nobserved; o++)
			json_array_append_new(cpus, json_integer(w->observed[o]));
		json_array_append_new(seen, cpus);
		json_array_append_new(ivcsw, json_integer(w->nivcsw));
	}
	json_t *p = json_pack("{s:s, s:o, s:o, s:i, s:o, s:b, s:b}", "policy", topo_policy_name(c->pin), "requested",
			      req, "observed", seen, "migrations", c->migrations, "involuntary_csw", ivcsw,
			      "oversubscribed", c->oversubscribed, "valid", !c->placement_bad);
	if (c->placement_bad)
		json_object_set_new(p, "reason", json_string(c->placement_why));
	if (c->nhosts) { /* which of the benchmark's hosts each worker ran on */
		json_t *hosts = json_array();
		for (unsigned k = 0; k < c->workers; k++)
			json_array_append_new(hosts, json_integer(c->workers_info[k].host));
		json_object_set_new(p, "hosts", hosts);
	}
	return p;
}

/* The machine's speed around probe sample `at`: the median of the samples within two of it, so that
 * one disturbed sample does not move a repetition, while a drift over minutes still does. */
static double probe_near(const struct cc_plan *p, unsigned at, int kind)
{
	double v[5];
	unsigned n = 0;
	for (unsigned s = at >= 2 ? at - 2 : 0; s <= at + 2 && s < p->nprobes; s++)
		if (p->probes[s].v[kind] > 0)
			v[n++] = p->probes[s].v[kind];
	return n ? cc_median(v, n) : 0;
}

/* The hosts the workers ran on (mpi's ranks): each one's name, machine id and shape, and its ranks. */
static json_t *hosts_json(const struct cc_cell *c)
{
	json_t *list = json_array();
	for (unsigned k = 0; k < c->nhosts; k++) {
		const struct cc_host *h = &c->hosts[k];
		json_array_append_new(list, json_pack("{s:s%, s:s%, s:s%, s:i, s:i, s:i, s:i, s:i}", "hostname", h->name,
						      strnlen(h->name, sizeof(h->name)), "machine_id", h->machine_id,
						      strnlen(h->machine_id, sizeof(h->machine_id)), "cpu_model",
						      h->cpu_model, strnlen(h->cpu_model, sizeof(h->cpu_model)), "ranks",
						      h->ranks, "pus", h->pus, "cores", h->cores, "packages", h->packages,
						      "numa_nodes", h->numa_nodes));
	}
	return json_pack("{s:i, s:o}", "count", c->hosts_total, "list", list);
}

/* The cell's wall time against its reference probe: for the cpu probe the one the cell took on its
 * own CPUs around each batch ("cell"), else those the run took between benchmarks ("run"). */
static json_t *probe_relative_json(const struct cc_plan *p, const struct cc_cell *c)
{
	int kind = cc_workload_probe(c->inst->wl);
	bool in_cell = kind == CC_PROBE_CPU;
	double v[c->nreps ? c->nreps : 1];
	unsigned n = 0;
	for (unsigned k = 0; k < c->nreps; k++) {
		double ref = in_cell ? c->reps[k].cell_probe_ns : probe_near(p, c->reps[k].probe, kind);
		if (ref > 0)
			v[n++] = c->reps[k].wall_s * 1e9 / ref;
	}
	if (!n)
		return NULL;
	double med = cc_median(v, n);
	/* a robust sigma (1.4826 MAD) of the repetitions, as a fraction: what compare holds a change to */
	double dev[n];
	for (unsigned k = 0; k < n; k++)
		dev[k] = fabs(v[k] - med);
	double sigma = med > 0 ? 1.4826 * cc_median(dev, n) / med : 0;
	return json_pack("{s:s, s:s, s:f, s:f}", "kind", cc_probe_names[kind], "taken", in_cell ? "cell" : "run",
			 "relative", med, "relative_sigma", sigma);
}

static json_t *cell_json(const struct cc_plan *p, const struct cc_cell *c)
{
	const struct wl_desc *wl = c->inst->wl;
	char hex[17];
	json_t *params = json_object();
	for (unsigned k = 0; k < wl_param_count(wl); k++)
		json_object_set_new(params, wl->params[k].name, json_integer(c->inst->params[k]));
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:I, s:i, s:s, s:b}", "name", c->name, "class",
			      wl_class_name(wl->cls), "workload", wl->name, "model", c->model->name, "workers",
			      c->workers, "pin", topo_policy_name(c->pin), "params", params, "tasks",
			      (json_int_t)c->ntasks, "repetitions", c->nreps, "status", status_name(c->status),
			      "valid", c->status == CC_OK && !c->placement_bad);
	if (c->inst->nswept) {
		json_t *sweep = json_object();
		for (unsigned a = 0; a < c->inst->nswept; a++)
			json_object_set_new(sweep, wl->params[c->inst->swept[a]].name,
					    json_integer(c->inst->params[c->inst->swept[a]]));
		json_object_set_new(b, "sweep", sweep);
	}
	if (cc_cell_own_batch(c))
		json_object_set_new(b, "instance_tasks", json_integer((json_int_t)c->inst->ntasks));
	if (c->status != CC_OK)
		json_object_set_new(b, "error", json_string(c->error));
	uint64_t ref;
	if (cc_cell_ref(c, &ref)) {
		snprintf(hex, sizeof(hex), "%016" PRIx64, ref);
		json_object_set_new(b, "reference_checksum", json_string(hex));
		if (!wl->scenario)
			json_object_set_new(b, "reference", json_string(cc_cell_reference(c)->name));
	}
	if (!c->nreps)
		return b;
	snprintf(hex, sizeof(hex), "%016" PRIx64, c->reps[c->nreps - 1].checksum);
	json_object_set_new(b, "checksum", json_string(hex));
	json_object_set_new(b, "checksum_ok", json_boolean(c->status != CC_MISMATCH));
	json_object_set_new(b, "kind", json_string(wl->scenario ? "scenario" : "tasks"));
	json_object_set_new(b, "wall_s", stat_json(c, offsetof(struct cc_rep, wall_s)));
	json_object_set_new(b, "spawn_s", stat_json(c, offsetof(struct cc_rep, spawn_s)));
	json_object_set_new(b, "cpu_s", json_real(median_of(c, rep_cpu)));
	double wall = cc_cell_median_wall(c), cv = cc_cell_cv(c), speedup = cell_speedup(c);
	if (wall > 0)
		json_object_set_new(b, "tasks_per_s", json_real((double)c->ntasks / wall));
	if (!wl->scenario && median_of(c, rep_worker_rss) >= 0)
		json_object_set_new(b, "rss_per_worker_kb", json_real(median_of(c, rep_worker_rss)));
	if (speedup >= 0)
		json_object_set_new(b, "speedup", json_real(speedup));
	if (cv >= 0)
		json_object_set_new(b, "cv", json_real(cv));
	json_object_set_new(b, "noisy", json_boolean(cc_cell_noisy(p, c)));
	int64_t huge_min = INT64_MAX, huge_max = -1;
	for (unsigned k = 0; k < c->nreps; k++) {
		if (c->reps[k].huge_bytes < 0)
			continue;
		huge_min = c->reps[k].huge_bytes < huge_min ? c->reps[k].huge_bytes : huge_min;
		huge_max = c->reps[k].huge_bytes > huge_max ? c->reps[k].huge_bytes : huge_max;
	}
	if (huge_max >= 0)
		json_object_set_new(b, "huge_pages", json_pack("{s:I, s:I}", "bytes_min", (json_int_t)huge_min,
								"bytes_max", (json_int_t)huge_max));
	json_t *probe = probe_relative_json(p, c);
	if (probe)
		json_object_set_new(b, "probe", probe);

	const struct cc_latency *l = &c->latency;
	char sampling[48];
	if (c->latency_stride <= 1)
		snprintf(sampling, sizeof(sampling), "every task");
	else
		snprintf(sampling, sizeof(sampling), "1 in %u tasks", c->latency_stride);
	json_object_set_new(b, "latency",
			    json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "unit", "ns", "sampling", sampling,
				      "samples", (json_int_t)l->samples, "p50", (json_int_t)l->p50, "p90",
				      (json_int_t)l->p90, "p99", (json_int_t)l->p99, "p999", (json_int_t)l->p999, "max",
				      (json_int_t)l->max));
	json_object_set_new(b, "rusage",
			    json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "user_s", median_of(c, rep_user), "sys_s",
				      median_of(c, rep_sys), "children_user_s", median_of(c, rep_cuser),
				      "children_sys_s", median_of(c, rep_csys), "helpers_s", median_of(c, rep_helpers),
				      "voluntary_csw", median_of(c, rep_vcsw), "involuntary_csw", median_of(c, rep_ivcsw),
				      "max_rss_kb", median_of(c, rep_rss)));
	json_t *wt = json_array();
	for (unsigned k = 0; k < c->workers; k++)
		json_array_append_new(wt, json_integer((json_int_t)c->workers_info[k].tasks));
	json_object_set_new(b, "worker_tasks", wt);
	json_object_set_new(b, "placement", placement_json(c));
	if (c->note[0])
		json_object_set_new(b, "model_note", json_string(c->note));
	if (c->nhosts)
		json_object_set_new(b, "hosts", hosts_json(c));
	if (wl->scenario)
		json_object_set_new(b, "scenario", scenario_json(c));
	else if (wl->task_cost)
		json_object_set_new(b, "metrics", metrics_json(c));
	return b;
}

/* The settings models ran with, the coroutine runtime's among them. */
static json_t *model_settings_json(const struct cc_model_opts *m)
{
	const struct coro_backend *b = m->coro.backend ? m->coro.backend : coro_backends[0];
	json_t *coro = json_pack("{s:s, s:s, s:b, s:I, s:s, s:s}", "backend", b->name, "asm_arch", coro_asm_arch(),
				 "portable", !strcmp(b->name, "ucontext"), "stack_bytes",
				 (json_int_t)(m->coro.stack_size ? m->coro.stack_size : CORO_STACK_DEFAULT), "guard",
				 coro_guard_name(coro_guard_probe()), "poller", coro_poller_name(m->coro.poller));
	json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:o}", "queue", m->queue, "spin_ns", m->spin_ns, "max_live",
			      m->max_live, "coroutines", m->coroutines, "coro", coro);
	json_object_set_new(o, "gil_interval_us", json_integer(m->gil_interval_us ? m->gil_interval_us : 5000));
	if (m->shape_processes) {
		char shape[48];
		snprintf(shape, sizeof(shape), "%ux%ux%u", m->shape_processes, m->shape_threads, m->coroutines);
		json_object_set_new(o, "shape", json_string(shape));
	}
	return o;
}

/*
 * The headline: the course notes' questions, each answered by the workloads that name it (wl_desc.headline).
 * A question of workloads is answered by one, every model at 1 worker and at all cores (the largest
 * planned worker count up to the cores of this machine), on the first placement planned, at the
 * workload's base parameters when it is swept. CPU-bound: speedup and CPU time. IO-bound: wall time
 * against the ideal of a single wait (its first parameter), and memory. Mixed: wall time, and which
 * model wins at each ratio the run has. A question of scenarios is answered by every scenario naming
 * it, at its base parameters: each executor and placement's time per operation, and the cheapest per
 * placement (same-CPU and cross-CPU never mixed).
 */
static const struct question {
	const char *key, *question;
	bool scenarios;  /* answered by every scenario naming it */
	bool one_wait;   /* its workload's first parameter is a task's wait in us: the ideal is one of them */
	bool by_ratio;   /* the winner at each ratio of its workload's cpu_us to wait_us */
	bool gil_line;   /* what the gil model's best speedup was, beside the free threads' */
	bool by_conns;   /* the fastest of its scenarios at each number of connections (servers) */
	bool scaling;    /* where each model's speedup peaked on the waiting sweep, and a worker's memory */
} questions[] = {
	{"cpu", "CPU-bound: speedup over serial and CPU time", false, false, false, true, false, false},
	{"io", "IO-bound: wall time against the ideal of one wait, and memory", false, true, false, false, false, true},
	{"mixed", "mixed: which model wins at each ratio of computing to waiting", false, false, true, false, false,
	 true},
	{"spawn", "spawning: the cheapest unit of work to create and reap", true, false, false, false, false, false},
	{"ipc", "IPC: the fastest channel there and back", true, false, false, false, false, false},
	{"lock", "locks: the fastest, alone and contended", true, false, false, false, false, false},
	{"queue", "queues: the fastest from producers to consumers", true, false, false, false, false, false},
	{"serve", "serving: the fastest IO model for a closed loop of requests", true, false, false, false, true,
	 false},
};

/* The waiting sweep, per model of one instance and placement: where its speedup peaked, the most workers
 * it ran, and one worker's memory there. NULL when the instance has no point past the cores. */
static json_t *scaling_json(const struct cc_plan *p, const struct cc_instance *in, enum topo_policy pin)
{
	struct {
		const struct cc_model *m;
		const struct cc_cell *peak, *most;
	} by[32];
	unsigned n = 0;
	bool far = false;
	for (unsigned k = 0; k < p->ncells; k++) {
		const struct cc_cell *c = &p->cells[k];
		if (c->inst != in || c->pin != pin)
			continue;
		far |= c->far;
		if (c->status != CC_OK || !c->nreps || cell_speedup(c) < 0 || c->model->single_worker)
			continue;
		unsigned b = 0;
		while (b < n && by[b].m != c->model)
			b++;
		if (b == n && n < 32)
			by[n++] = (typeof(by[0])){c->model, c, c};
		if (b == n)
			continue;
		if (cell_speedup(c) > cell_speedup(by[b].peak))
			by[b].peak = c;
		if (c->workers > by[b].most->workers)
			by[b].most = c;
	}
	if (!far)
		return NULL;
	json_t *a = json_array();
	for (unsigned b = 0; b < n; b++) {
		json_t *row = json_pack("{s:s, s:f, s:i, s:i, s:f}", "model", by[b].m->name, "peak_speedup",
					cell_speedup(by[b].peak), "peak_workers", by[b].peak->workers, "most_workers",
					by[b].most->workers, "speedup_at_most", cell_speedup(by[b].most));
		if (median_of(by[b].most, rep_worker_rss) >= 0)
			json_object_set_new(row, "rss_per_worker_kb", json_real(median_of(by[b].most, rep_worker_rss)));
		json_array_append_new(a, row);
	}
	return a;
}

/* The best speedup of the gil model and of threads on one instance and placement, at any worker count:
 * what a GIL leaves of the threads' gain. NULL when gil did not run. */
static json_t *gil_best_json(const struct cc_plan *p, const struct cc_instance *in, enum topo_policy pin)
{
	const struct cc_cell *best[2] = {NULL, NULL}; /* gil, threads */
	for (unsigned k = 0; k < p->ncells; k++) {
		const struct cc_cell *c = &p->cells[k];
		int m = c->model == &model_gil ? 0 : c->model == &model_threads ? 1 : -1;
		if (m < 0 || c->inst != in || c->pin != pin || c->status != CC_OK || !c->nreps || cell_speedup(c) < 0)
			continue;
		if (!best[m] || cell_speedup(c) > cell_speedup(best[m]))
			best[m] = c;
	}
	if (!best[0])
		return NULL;
	json_t *g = json_pack("{s:f, s:i}", "best_speedup", cell_speedup(best[0]), "workers", best[0]->workers);
	if (best[1])
		json_object_set_new(g, "threads_best_speedup", json_real(cell_speedup(best[1])));
	return g;
}

/* The instance of wl (or, wl NULL, of any workload) answering question key at its base parameters, else
 * its first (a sweep that leaves the base out). */
static const struct cc_instance *instance_for(const struct cc_plan *p, const char *key, const struct wl_desc *wl)
{
	const struct cc_instance *first = NULL;
	for (unsigned i = 0; i < p->ninst; i++) {
		if (!p->inst[i].wl->headline || strcmp(p->inst[i].wl->headline, key) || (wl && p->inst[i].wl != wl))
			continue;
		if (p->inst[i].at_base)
			return &p->inst[i];
		if (!first)
			first = &p->inst[i];
	}
	return first;
}

static unsigned all_cores(const struct cc_plan *p, const struct cc_instance *in)
{
	unsigned best = 0, cores = p->topo ? p->topo->ncore : 1;
	for (unsigned k = 0; k < p->ncells; k++) {
		unsigned w = p->cells[k].workers;
		if (p->cells[k].inst == in && w <= cores && w > best)
			best = w;
	}
	return best ? best : 1;
}

/* The fastest model at all cores for one instance: its cell, or NULL if none finished. */
static const struct cc_cell *fastest_at_all_cores(const struct cc_plan *p, const struct cc_instance *in,
						  enum topo_policy pin)
{
	unsigned all = all_cores(p, in);
	const struct cc_cell *best = NULL;
	for (unsigned k = 0; k < p->ncells; k++) {
		const struct cc_cell *c = &p->cells[k];
		if (c->inst == in && c->pin == pin && c->status == CC_OK && c->nreps && c->workers == all &&
		    (!best || cc_cell_median_wall(c) < cc_cell_median_wall(best)))
			best = c;
	}
	return best;
}

/* Mixed: the winner at every ratio the run has, in plan order. */
static json_t *by_ratio_json(const struct cc_plan *p, const struct wl_desc *wl, enum topo_policy pin)
{
	json_t *list = json_array();
	for (unsigned i = 0; i < p->ninst; i++) {
		const struct cc_instance *in = &p->inst[i];
		const struct cc_cell *best = in->wl == wl ? fastest_at_all_cores(p, in, pin) : NULL;
		if (!best)
			continue;
		int cpu = wl_param_index(in->wl, "cpu_us"), wait = wl_param_index(in->wl, "wait_us");
		if (cpu < 0 || wait < 0)
			continue;
		json_t *row = json_pack("{s:I, s:I, s:s, s:f}", "cpu_us", (json_int_t)in->params[cpu], "wait_us",
					(json_int_t)in->params[wait], "fastest", best->model->name, "wall_s",
					cc_cell_median_wall(best));
		double speedup = cell_speedup(best);
		if (speedup >= 0)
			json_object_set_new(row, "speedup", json_real(speedup));
		json_array_append_new(list, row);
	}
	return list;
}

/* A question of scenarios: a row per executor and placement of every scenario naming it (at its base
 * parameters, else its first point), and the cheapest per placement; NULL when none completed. */
static json_t *scenario_question(const struct cc_plan *p, const struct question *q)
{
	json_t *rows = json_array(), *cheapest = json_array();
	struct {
		enum topo_policy pin;
		unsigned roles;
		const struct cc_cell *best;
	} by[64];
	unsigned nby = 0;
	for (unsigned k = 0; k < p->ncells; k++) {
		const struct cc_cell *c = &p->cells[k];
		const struct wl_desc *wl = c->inst->wl;
		if (!wl->scenario || !wl->headline || strcmp(wl->headline, q->key) || c->status != CC_OK || !c->nreps ||
		    instance_for(p, q->key, wl) != c->inst)
			continue;
		char name[96];
		snprintf(name, sizeof(name), "%s/%s", wl_class_name(wl->cls), wl->name);
		struct per_op o = scenario_per_op(c);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:i, s:f, s:f}", "scenario", name, "executor",
						      c->model->name, "pin", topo_policy_name(c->pin), "roles",
						      c->workers, "ns_per_op", o.ns, "cpu_ns_per_op", o.cpu_ns));
		unsigned b = 0; /* the cheapest per placement and number of roles */
		while (b < nby && (by[b].pin != c->pin || by[b].roles != c->workers))
			b++;
		if (b == nby && nby < 64)
			by[nby++] = (typeof(by[0])){c->pin, c->workers, NULL};
		if (b < nby && (!by[b].best || cc_cell_median_wall(c) / (double)c->ntasks <
						     cc_cell_median_wall(by[b].best) / (double)by[b].best->ntasks))
			by[b].best = c;
	}
	for (unsigned b = 0; b < nby; b++) {
		const struct cc_cell *c = by[b].best;
		char name[96];
		snprintf(name, sizeof(name), "%s/%s", wl_class_name(c->inst->wl->cls), c->inst->wl->name);
		json_array_append_new(cheapest, json_pack("{s:s, s:i, s:s, s:s, s:f}", "pin", topo_policy_name(c->pin),
							  "roles", c->workers, "scenario", name, "executor",
							  c->model->name, "ns_per_op", scenario_per_op(c).ns));
	}
	if (!json_array_size(rows)) {
		json_decref(rows);
		json_decref(cheapest);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:o, s:o}", "question", q->question, "kind", "scenarios", "rows", rows,
			 "cheapest", cheapest);
}

/* A benchmark's own figure by name (wl_metrics); < 0 when it has none. */
static double metric_named(const struct cc_cell *c, const char *name)
{
	const struct sc_metric *m = wl_metrics(c->inst->wl);
	for (unsigned k = 0; m && k < SC_MAX_METRICS && m[k].name; k++)
		if (!strcmp(m[k].name, name))
			return metric_of(c, k);
	return -1;
}

/* Per placement and number of connections, the closed-loop server answering the most requests a second,
 * with its p99 and its CPU per request: every point the run has, not only the base one. */
static json_t *by_conns_json(const struct cc_plan *p, const char *key)
{
	struct {
		enum topo_policy pin;
		int64_t conns;
		const struct cc_cell *best;
		double rate;
	} by[128];
	unsigned nby = 0;
	for (unsigned k = 0; k < p->ncells; k++) {
		const struct cc_cell *c = &p->cells[k];
		const struct wl_desc *wl = c->inst->wl;
		int conns = wl_param_index(wl, "conns"), rate = wl_param_index(wl, "rate");
		double rps = metric_named(c, "requests_per_s");
		if (!wl->headline || strcmp(wl->headline, key) || c->status != CC_OK || !c->nreps || conns < 0 ||
		    (rate >= 0 && c->inst->params[rate]) || rps <= 0)
			continue;
		unsigned b = 0;
		while (b < nby && (by[b].pin != c->pin || by[b].conns != c->inst->params[conns]))
			b++;
		if (b == nby && nby < 128)
			by[nby++] = (typeof(by[0])){c->pin, c->inst->params[conns], NULL, 0};
		if (b < nby && rps > by[b].rate)
			by[b].best = c, by[b].rate = rps;
	}
	json_t *a = json_array();
	for (unsigned b = 0; b < nby; b++) {
		const struct cc_cell *c = by[b].best;
		char name[96];
		snprintf(name, sizeof(name), "%s/%s", wl_class_name(c->inst->wl->cls), c->inst->wl->name);
		json_array_append_new(a, json_pack("{s:s, s:I, s:s, s:f, s:I, s:f}", "pin", topo_policy_name(c->pin),
						   "conns", (json_int_t)by[b].conns, "scenario", name, "requests_per_s",
						   by[b].rate, "p99_ns", (json_int_t)c->latency.p99, "server_cpu_us_per_req",
						   fmax(metric_named(c, "server_cpu_us_per_req"), 0)));
	}
	return a;
}

static json_t *headline_json(const struct cc_plan *p)
{
	json_t *h = json_object();
	for (unsigned q = 0; q < sizeof(questions) / sizeof(questions[0]); q++) {
		if (questions[q].scenarios) {
			json_t *a = scenario_question(p, &questions[q]);
			if (a && questions[q].by_conns)
				json_object_set_new(a, "by_connections", by_conns_json(p, questions[q].key));
			if (a)
				json_object_set_new(h, questions[q].key, a);
			continue;
		}
		const struct cc_instance *in = instance_for(p, questions[q].key, NULL);
		if (!in || !p->ncells)
			continue;
		unsigned all = all_cores(p, in);
		enum topo_policy pin = p->cells[0].pin;
		json_t *params = json_object(), *rows = json_array();
		for (unsigned k = 0; k < wl_param_count(in->wl); k++)
			json_object_set_new(params, in->wl->params[k].name, json_integer(in->params[k]));
		double ideal = questions[q].one_wait ? (double)in->params[0] / 1e6 : 0;
		for (unsigned k = 0; k < p->ncells; k++) {
			const struct cc_cell *c = &p->cells[k];
			if (c->inst != in || c->pin != pin || c->status != CC_OK || !c->nreps ||
			    (c->workers != 1 && c->workers != all))
				continue;
			double wall = cc_cell_median_wall(c), speedup = cell_speedup(c);
			json_t *row = json_pack("{s:s, s:i, s:f, s:f}", "model", c->model->name, "workers", c->workers,
						"wall_s", wall, "cpu_s", median_of(c, rep_cpu));
			if (speedup >= 0)
				json_object_set_new(row, "speedup", json_real(speedup));
			if (ideal > 0) {
				json_object_set_new(row, "times_ideal", json_real(wall / ideal));
				json_object_set_new(row, "max_rss_kb", json_real(median_of(c, rep_rss)));
			}
			json_array_append_new(rows, row);
		}
		const struct cc_cell *winner = fastest_at_all_cores(p, in, pin);
		char workload[96];
		snprintf(workload, sizeof(workload), "%s/%s", wl_class_name(in->wl->cls), in->wl->name);
		json_t *a = json_pack("{s:s, s:s, s:o, s:i, s:o}", "question", questions[q].question, "workload",
				      workload, "params", params, "all_cores", all, "rows", rows);
		if (ideal > 0)
			json_object_set_new(a, "ideal_s", json_real(ideal));
		if (winner)
			json_object_set_new(a, "fastest_at_all_cores", json_string(winner->model->name));
		if (questions[q].by_ratio)
			json_object_set_new(a, "by_ratio", by_ratio_json(p, in->wl, pin));
		json_t *gil = questions[q].gil_line ? gil_best_json(p, in, pin) : NULL;
		if (gil)
			json_object_set_new(a, "gil", gil);
		json_t *scaling = questions[q].scaling ? scaling_json(p, in, pin) : NULL;
		if (scaling)
			json_object_set_new(a, "scaling", scaling);
		json_object_set_new(h, questions[q].key, a);
	}
	return h;
}

/* The headline as text, from its JSON: the file and the terminal cannot disagree. */
static void headline_print(FILE *f, json_t *h)
{
	const char *key;
	json_t *a;
	json_object_foreach(h, key, a)
	{
		json_t *rows = json_object_get(a, "rows"), *row;
		size_t i;
		if (json_object_get(a, "cheapest")) { /* a question of scenarios: the cheapest per placement */
			fprintf(f, "%s\n", json_string_value(json_object_get(a, "question")));
			json_array_foreach(json_object_get(a, "cheapest"), i, row)
			{
				long long roles = (long long)json_integer_value(json_object_get(row, "roles"));
				fprintf(f, "  %-14s %2lld %-5s  %-22s as %-12s %12.0f ns per op\n",
					json_string_value(json_object_get(row, "pin")), roles, roles == 1 ? "role" : "roles",
					json_string_value(json_object_get(row, "scenario")),
					json_string_value(json_object_get(row, "executor")),
					json_number_value(json_object_get(row, "ns_per_op")));
			}
			json_array_foreach(json_object_get(a, "by_connections"), i, row)
				fprintf(f, "  %-14s %5lld conns  %-22s %10.0f requests/s, p99 %.0f us, %.1f us CPU a request\n",
					json_string_value(json_object_get(row, "pin")),
					(long long)json_integer_value(json_object_get(row, "conns")),
					json_string_value(json_object_get(row, "scenario")),
					json_number_value(json_object_get(row, "requests_per_s")),
					(double)json_integer_value(json_object_get(row, "p99_ns")) / 1e3,
					json_number_value(json_object_get(row, "server_cpu_us_per_req")));
			fputc('\n', f);
			continue;
		}
		double ideal = json_number_value(json_object_get(a, "ideal_s"));
		fprintf(f, "%s  (%s; all cores = %lld workers)\n", json_string_value(json_object_get(a, "question")),
			json_string_value(json_object_get(a, "workload")),
			(long long)json_integer_value(json_object_get(a, "all_cores")));
		fprintf(f, "  %-16s %7s %12s %9s %10s%s\n", "model", "workers", "median ms", "speedup", "cpu s",
			ideal > 0 ? "  x ideal   max RSS MiB" : "");
		json_array_foreach(rows, i, row)
		{
			json_t *sp = json_object_get(row, "speedup");
			fprintf(f, "  %-16s %7lld %12.3f ", json_string_value(json_object_get(row, "model")),
				(long long)json_integer_value(json_object_get(row, "workers")),
				json_number_value(json_object_get(row, "wall_s")) * 1e3);
			if (sp)
				fprintf(f, "%8.2fx ", json_number_value(sp));
			else
				fprintf(f, "%9s ", "-");
			fprintf(f, "%10.3f", json_number_value(json_object_get(row, "cpu_s")));
			if (ideal > 0)
				fprintf(f, "  %7.1fx %13.1f", json_number_value(json_object_get(row, "times_ideal")),
					json_number_value(json_object_get(row, "max_rss_kb")) / 1024);
			fputc('\n', f);
		}
		json_t *w = json_object_get(a, "fastest_at_all_cores"), *gil = json_object_get(a, "gil");
		if (w)
			fprintf(f, "  fastest at all cores: %s\n", json_string_value(w));
		if (gil) {
			json_t *threads = json_object_get(gil, "threads_best_speedup");
			long long w = (long long)json_integer_value(json_object_get(gil, "workers"));
			fprintf(f, "  under a GIL, the best CPU-bound speedup would be %.2fx (gil, %lld worker%s)",
				json_number_value(json_object_get(gil, "best_speedup")), w, w == 1 ? "" : "s");
			if (threads)
				fprintf(f, "; free threads reached %.2fx", json_number_value(threads));
			fputc('\n', f);
		}
		json_t *scaling = json_object_get(a, "scaling");
		if (json_array_size(scaling)) {
			fprintf(f, "  past the cores: where each model's speedup peaked, and one worker's memory at its most\n"
				   "  %-16s %12s %10s %12s %9s %14s\n", "model", "peak speedup", "at workers", "most workers",
				"speedup", "KiB a worker");
			json_array_foreach(scaling, i, row)
			{
				json_t *rss = json_object_get(row, "rss_per_worker_kb");
				fprintf(f, "  %-16s %11.2fx %10lld %12lld %8.2fx ", json_string_value(json_object_get(row, "model")),
					json_number_value(json_object_get(row, "peak_speedup")),
					(long long)json_integer_value(json_object_get(row, "peak_workers")),
					(long long)json_integer_value(json_object_get(row, "most_workers")),
					json_number_value(json_object_get(row, "speedup_at_most")));
				if (rss)
					fprintf(f, "%14.1f\n", json_number_value(rss));
				else
					fprintf(f, "%14s\n", "-");
			}
		}
		json_t *ratios = json_object_get(a, "by_ratio");
		if (json_array_size(ratios) > 1) {
			fprintf(f, "  at each ratio, all cores:\n  %10s %10s  %-16s %12s %9s\n", "cpu us", "wait us",
				"fastest", "median ms", "speedup");
			json_array_foreach(ratios, i, row)
			{
				json_t *sp = json_object_get(row, "speedup");
				fprintf(f, "  %10lld %10lld  %-16s %12.3f ",
					(long long)json_integer_value(json_object_get(row, "cpu_us")),
					(long long)json_integer_value(json_object_get(row, "wait_us")),
					json_string_value(json_object_get(row, "fastest")),
					json_number_value(json_object_get(row, "wall_s")) * 1e3);
				if (sp)
					fprintf(f, "%8.2fx\n", json_number_value(sp));
				else
					fprintf(f, "%9s\n", "-");
			}
		}
		fputc('\n', f);
	}
}

/* What sets the amount of work besides the parameters and task counts: reused by run --like. */
static json_t *calibration_json(const struct cc_plan *p)
{
	json_t *c = json_pack("{s:I, s:s}", "busy_steps_per_ms", (json_int_t)p->busy_rate, "busy_source",
			      cc_busy_rate_measured() ? "measured" : "like");
	if (p->like)
		json_object_set_new(c, "like", json_string(p->like));
	return c;
}

/* The reference probes: what each kind measures, every sample with its time, and the medians. */
static json_t *probes_json(const struct cc_plan *p)
{
	json_t *kinds = json_object(), *samples = json_array(), *median = json_object();
	for (int k = 0; k < CC_PROBE_KINDS; k++) {
		json_object_set_new(kinds, cc_probe_names[k], json_pack("{s:s, s:s}", "unit", "ns", "help",
									 cc_probe_help[k]));
		double v[p->nprobes ? p->nprobes : 1];
		unsigned n = 0;
		for (unsigned s = 0; s < p->nprobes; s++)
			if (p->probes[s].v[k] > 0)
				v[n++] = p->probes[s].v[k];
		if (n)
			json_object_set_new(median, cc_probe_names[k], json_real(cc_median(v, n)));
	}
	for (unsigned s = 0; s < p->nprobes; s++) {
		json_t *row = json_pack("{s:f}", "t_s", p->probes[s].t_s);
		for (int k = 0; k < CC_PROBE_KINDS; k++)
			if (p->probes[s].v[k] > 0)
				json_object_set_new(row, cc_probe_names[k], json_real(p->probes[s].v[k]));
		json_array_append_new(samples, row);
	}
	json_t *o = json_pack("{s:o, s:o, s:o}", "kinds", kinds, "median", median, "samples", samples);
	if (p->steal_pct >= 0)
		json_object_set_new(o, "steal_pct", json_real(p->steal_pct));
	return o;
}

char *cc_report_concur(const struct cc_plan *p, const struct cc_run_info *info, bool interrupted,
		       double clock_ns)
{
	json_t *argv = json_array(), *benches = json_array(), *mt = json_object();
	for (int k = 0; k < info->argc; k++)
		json_array_append_new(argv, json_string(info->argv[k]));
	for (unsigned k = 0; k < p->ncells; k++)
		if (cc_cell_reported(&p->cells[k]))
			json_array_append_new(benches, cell_json(p, &p->cells[k]));
	for (const struct metric *m = metrics; m->name; m++)
		json_object_set_new(mt, m->name,
				    json_pack("{s:s, s:s, s:s, s:s}", "unit", m->unit, "aggregate", m->aggregate,
					      "better", m->better, "help", m->help));
	json_t *run = json_pack("{s:s, s:o, s:i, s:i, s:i, s:f, s:f, s:b, s:f, s:f}", "suite", p->suite->name, "argv",
				argv, "repetitions", p->repetitions, "max_repetitions", p->max_repetitions,
				"rounds_run", p->rounds_run, "timeout_s", p->timeout_s, "max_cv", p->max_cv,
				"interrupted", interrupted, "clock_read_ns", clock_ns, "duration_s", p->duration_s);
	json_object_set_new(run, "models", model_settings_json(&p->mopts));
	if (p->nunplanned) {
		json_t *un = json_array();
		for (unsigned k = 0; k < p->nunplanned; k++)
			json_array_append_new(un, json_pack("{s:s, s:s}", "name", p->unplanned[k].name, "why", p->unplanned[k].why));
		json_object_set_new(run, "not_planned", un);
	}
	json_t *root = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "schema_version", CC_SCHEMA_VERSION, "run",
				 run, "machine", machine_json(p->topo, info->doctor), "build", build_json(), "metrics", mt,
				 "benchmarks", benches, "headline", headline_json(p));
	if (!root)
		return NULL;
	json_object_set_new(root, "calibration", calibration_json(p));
	json_object_set_new(root, "probes", probes_json(p));
	/* 2-space indent at depth 1, matching Google Benchmark's layout */
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	return text;
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int dir_of(const char *path, char *dir, size_t len)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	snprintf(dir, len, "%s", dirname(buf));
	return 0;
}

/* Standard output, a character device or a FIFO: written to as it is, never renamed over (as root, a
 * rename over /dev/null would replace the device with a regular file). */
static bool written_directly(const char *path, struct stat *st)
{
	return !strcmp(path, "-") || (stat(path, st) == 0 && (S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode)));
}

static int write_all(int fd, const char *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

int cc_write_result(const char *path, const char *data, size_t len)
{
	struct stat st;
	if (!written_directly(path, &st))
		return cc_write_atomic(path, data, len);
	if (!strcmp(path, "-")) {
		fflush(stdout);
		return write_all(STDOUT_FILENO, data, len);
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, data, len);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

int cc_check_writable(const char *path, bool create_dirs)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16];
	struct stat st;
	if (written_directly(path, &st))
		return !strcmp(path, "-") || access(path, W_OK) == 0 ? 0 : -errno;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	int rc = dir_of(path, dir, sizeof(dir));
	if (!rc && create_dirs)
		rc = mkdir_p(dir);
	if (rc)
		return rc;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) /* a symbolic link to something that is not a file */
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	snprintf(tmp, sizeof(tmp), "%s/.concur-XXXXXX", dir);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(tmp);
	return 0;
}

int cc_write_atomic(const char *path, const char *data, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16];
	int rc = dir_of(path, dir, sizeof(dir));
	if (rc)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask); /* mkstemp makes 0600; results are ordinary files */
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		rc = -errno;
		goto fail;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto fail;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) { /* the rename itself must survive a crash */
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

/* The notes column of a cell: its failure, or why its figures are to be read with care. */
static void summary_notes(FILE *f, const struct cc_plan *p, const struct cc_cell *c)
{
	if (c->status > CC_OK)
		fprintf(f, "%s: %s", status_name(c->status), c->error);
	else if (c->status == CC_PENDING)
		fprintf(f, "incomplete");
	else if (c->placement_bad)
		fprintf(f, "PLACEMENT INVALID: %s", c->placement_why);
	else if (cc_cell_noisy(p, c))
		fprintf(f, "noisy (cv %.1f%%)", cc_cell_cv(c) * 100);
	if (c->status == CC_OK && c->oversubscribed)
		fprintf(f, "%soversubscribed", cc_cell_noisy(p, c) || c->placement_bad ? ", " : "");
	fputc('\n', f);
}

/* The benchmark's own figures (wl_metrics), which lead the notes. */
static void metrics_print(FILE *f, const struct cc_cell *c)
{
	const struct sc_metric *m = wl_metrics(c->inst->wl);
	for (unsigned j = 0; m && j < SC_MAX_METRICS && m[j].name; j++)
		fprintf(f, "%s=%.4g ", m[j].name, metric_of(c, j));
}

/* A scenario's table: per operation, the time, every role's CPU time and context switches. */
static void scenario_summary(FILE *f, const struct cc_plan *p, const struct cc_instance *in)
{
	fprintf(f, ")\n  %-16s %5s %-14s %12s %10s %12s %9s  %s\n", "executor", "roles", "pin", "ns per op", "p99 ns",
		"cpu ns/op", "csw/op", "notes");
	for (unsigned k = 0; k < p->ncells; k++) {
		const struct cc_cell *c = &p->cells[k];
		if (c->inst != in || !c->attempts)
			continue;
		fprintf(f, "  %-16s %5u %-14s ", c->model->name, c->workers, topo_policy_name(c->pin));
		if (c->nreps) {
			struct per_op o = scenario_per_op(c);
			fprintf(f, "%12.0f %10llu %12.0f %9.2f  ", o.ns, (unsigned long long)c->latency.p99, o.cpu_ns,
				o.vcsw + o.ivcsw);
			metrics_print(f, c);
		} else {
			fprintf(f, "%12s %10s %12s %9s  ", "-", "-", "-", "-");
		}
		summary_notes(f, p, c);
	}
}

void cc_report_summary(FILE *f, const struct cc_plan *p)
{
	for (unsigned i = 0; i < p->ninst; i++) {
		const struct cc_instance *in = &p->inst[i];
		const struct sc_desc *sc = in->wl->scenario;
		fprintf(f, "\n%s/%s  (%" PRIu64 " %s", wl_class_name(in->wl->cls), in->wl->name, in->ntasks,
			sc ? "operations: " : "tasks");
		if (sc)
			fprintf(f, "%s", sc->op);
		for (unsigned k = 0; k < wl_param_count(in->wl); k++)
			fprintf(f, ", %s=%" PRId64, in->wl->params[k].name, in->params[k]);
		if (sc) {
			scenario_summary(f, p, in);
			continue;
		}
		fprintf(f, ")\n  %-16s %7s %-8s %12s %9s %10s  %s\n", "model", "workers", "pin", "median ms", "speedup",
			"cpu s", "notes");
		for (unsigned k = 0; k < p->ncells; k++) {
			const struct cc_cell *c = &p->cells[k];
			if (c->inst != in || !c->attempts)
				continue;
			fprintf(f, "  %-16s %7u %-8s ", c->model->name, c->workers, topo_policy_name(c->pin));
			if (c->nreps)
				fprintf(f, "%12.3f ", cc_cell_median_wall(c) * 1e3);
			else
				fprintf(f, "%12s ", "-");
			double s = cell_speedup(c);
			if (s >= 0)
				fprintf(f, "%8.2fx ", s);
			else
				fprintf(f, "%9s ", "-");
			if (c->nreps) {
				fprintf(f, "%10.3f  ", median_of(c, rep_cpu));
				metrics_print(f, c);
			} else
				fprintf(f, "%10s  ", "-");
			summary_notes(f, p, c);
		}
	}
	fputc('\n', f);
	json_t *h = headline_json(p);
	if (json_object_size(h)) {
		fprintf(f, "Headline\n\n");
		headline_print(f, h);
	}
	json_decref(h);
}
