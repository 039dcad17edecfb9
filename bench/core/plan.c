/* Suites, and the expansion of a suite plus the user's selection into cells. */
#include "core/registry.h"
#include "core/plan.h"
#include "models/roles.h"
#include "coro/stack.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

const struct cc_suite cc_suites[] = {
	{"smoke", "every model and workload once at 1 and 2 workers, tiny batches: checks that all works", 1, 0.05, 0,
	 2, false, false, true, CC_FAR_NONE, false, false},
	{"quick", "3 rounds, quarter-size batches of at least 5 ms", 3, 0.25, 0.005, 0, false, false, false,
	 CC_FAR_NONE, false, false},
	{"ci", "for the CI gate (make bench-ci): the quick suite's benchmarks with full-size batches of at least "
	       "20 ms, 5 rounds",
	 5, 1.0, 0.02, 0, false, false, false, CC_FAR_NONE, false, false},
	{"standard", "5 rounds, full batches of at least 10 ms; the headline workloads on workers up to 2x the "
		     "CPUs (io/sleep on far past them), the other workloads at the machine's size; every scenario, the "
		     "servers at 1, 100 and 1,000 connections on two cores",
	 5, 1.0, 0.01, 0, true, false, false, CC_FAR_HEADLINE, true, true},
	{"full", "10 rounds, double batches of at least 20 ms, workers up to 2x the CPUs (io and mix workloads far "
		 "past them), each workload's parameter sweep",
	 10, 2.0, 0.02, 0, true, true, false, CC_FAR_ALL, false, false},
	{0},
};

const struct cc_suite *cc_suite_find(const char *name)
{
	for (const struct cc_suite *s = cc_suites; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

unsigned cc_default_workers(const struct cc_suite *suite, const struct topo *t, unsigned *out, unsigned max)
{
	unsigned n = 0;
	if (suite->sweep_max) {
		for (unsigned w = 1; w <= suite->sweep_max && n < max; w++)
			out[n++] = w;
		return n;
	}
	unsigned sweep[16], m = topo_sweep(t, sweep, 16); /* sorted, no repeats */
	for (unsigned k = 0; k < m && n < max; k++)
		if (suite->oversubscribe || sweep[k] <= t->npu)
			out[n++] = sweep[k];
	return n;
}

int cc_param_parse(const struct wl_param *p, const char *text, int64_t *value)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (end == text || errno)
		return -EINVAL;
	if (p->type == WL_BYTES && *end) {
		int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : -1;
		if (shift < 0 || end[1] || v > (INT64_MAX >> shift) || v < 0)
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	if (v < p->min || v > p->max)
		return -ERANGE;
	*value = v;
	return 0;
}

int cc_param_parse_list(const struct wl_param *p, const char *text, int64_t *values, unsigned max, unsigned *n,
			char *bad, size_t badlen)
{
	*n = 0;
	for (const char *item = text;; item++) {
		size_t len = strcspn(item, ",");
		snprintf(bad, badlen, "%.*s", (int)len, item);
		if (*n == max)
			return -E2BIG;
		int rc = cc_param_parse(p, bad, &values[*n]);
		if (rc)
			return rc;
		for (unsigned k = 0; k < *n; k++)
			if (values[k] == values[*n])
				return -EEXIST;
		++*n;
		item += len;
		if (!*item)
			return 0;
	}
}

int cc_param_parse_for(const struct wl_desc *wl, int idx, const char *text, int64_t *values, unsigned *n, char *err,
		       size_t errlen)
{
	const struct wl_param *p = &wl->params[idx];
	char item[64];
	int rc = cc_param_parse_list(p, text, values, CC_MAX_POINTS, n, item, sizeof(item));
	if (rc == -E2BIG)
		snprintf(err, errlen, "--param: %s lists more than %d values", p->name, CC_MAX_POINTS);
	else if (rc == -EEXIST)
		snprintf(err, errlen, "--param: %s lists %s twice", p->name, item);
	else if (rc)
		snprintf(err, errlen, "--param: %s/%s %s='%s' is %s: expected %s from %" PRId64 " to %" PRId64 " (%s)",
			 wl_class_name(wl->cls), wl->name, p->name, item, rc == -ERANGE ? "out of range" : "not a number",
			 p->type == WL_BYTES ? "bytes (K, M, G suffixes allowed)" : "an integer", p->min, p->max, p->help);
	return rc ? -EINVAL : 0;
}

void cc_param_format(const struct wl_param *p, int64_t v, char *buf, size_t len)
{
	static const char suffix[] = "KMG";
	int unit = -1;
	while (p->type == WL_BYTES && v && unit < 2 && v % 1024 == 0) {
		v /= 1024;
		unit++;
	}
	if (unit >= 0)
		snprintf(buf, len, "%" PRId64 "%c", v, suffix[unit]);
	else
		snprintf(buf, len, "%" PRId64, v);
}

static bool selected_model(const struct cc_select *sel, const struct cc_model *m)
{
	if (!sel->nmodels)
		return true;
	for (unsigned k = 0; k < sel->nmodels; k++)
		if (sel->models[k] == m)
			return true;
	return false;
}

/* A workload's parameters as the run varies them: one value each outside the swept ones. */
struct wl_plan {
	int64_t base[WL_MAX_PARAMS];
	unsigned naxes;
	struct {
		unsigned param;
		unsigned n;
		int64_t values[CC_MAX_POINTS];
	} axes[WL_MAX_PARAMS];
	unsigned ninst; /* the product of the axes' sizes */
};

/* Base values (defaults, the smoke suite's, then single values given), and what is swept: the
 * lists given, and in a suite with sweeps the workload's own unless the user set that parameter. */
static int plan_workload(const struct cc_select *sel, const struct wl_desc *wl, struct wl_plan *wp, char *err,
			 size_t errlen)
{
	const struct cc_param_override *given[WL_MAX_PARAMS] = {0};
	bool tiny = wl->smoke && sel->suite->smoke_values;
	memset(wp, 0, sizeof(*wp));
	static int64_t parsed[WL_MAX_PARAMS][CC_MAX_POINTS]; /* this workload's own reading of each --param */
	unsigned nparsed[WL_MAX_PARAMS] = {0};
	for (unsigned k = 0; k < sel->nparams; k++) { /* a later --param wins */
		int idx = wl_param_index(wl, sel->params[k].name);
		if ((!sel->params[k].wl || sel->params[k].wl == wl) && idx >= 0)
			given[idx] = &sel->params[k];
	}
	for (unsigned k = 0; k < WL_MAX_PARAMS; k++) /* held to this workload's bounds, not another's */
		if (given[k] && cc_param_parse_for(wl, (int)k, given[k]->text, parsed[k], &nparsed[k], err, errlen))
			return -EINVAL;
	/* the workload's own sweep: "name=v1,v2,..." axes separated by ';' */
	int64_t own_values[WL_MAX_PARAMS][CC_MAX_POINTS];
	unsigned own_n[WL_MAX_PARAMS] = {0};
	const char *sweep = sel->suite->sweeps ? wl->sweep : sel->suite->standard_sweeps ? wl->sweep_standard : NULL;
	for (const char *axis = sweep; axis && *axis;) {
		const char *eq = strchr(axis, '='), *end = strchr(axis, ';');
		char name[32], list[160], bad[64];
		size_t n = end ? (size_t)(end - axis) : strlen(axis);
		int own = eq && eq < axis + n ? (snprintf(name, sizeof(name), "%.*s", (int)(eq - axis), axis),
						  wl_param_index(wl, name)) : -1;
		if (own >= 0)
			snprintf(list, sizeof(list), "%.*s", (int)(axis + n - eq - 1), eq + 1);
		if (own < 0 || cc_param_parse_list(&wl->params[own], list, own_values[own], CC_MAX_POINTS, &own_n[own],
						   bad, sizeof(bad))) {
			snprintf(err, errlen, "%s/%s: its sweep '%s' is not a parameter list", wl_class_name(wl->cls),
				 wl->name, sweep);
			return -EINVAL;
		}
		axis = end ? end + 1 : NULL;
	}
	wp->ninst = 1;
	for (unsigned k = 0; k < wl_param_count(wl); k++) {
		wp->base[k] = tiny ? wl->smoke[k] : wl->params[k].def;
		const int64_t *values = own_values[k];
		unsigned n = own_n[k];
		if (given[k]) {
			values = parsed[k];
			n = nparsed[k];
		}
		if (n == 1)
			wp->base[k] = values[0];
		if (n <= 1)
			continue;
		wp->axes[wp->naxes].param = k;
		wp->axes[wp->naxes].n = n;
		memcpy(wp->axes[wp->naxes].values, values, n * sizeof(*values));
		wp->naxes++;
		wp->ninst *= n;
		if (wp->ninst > CC_MAX_INSTANCES) {
			snprintf(err, errlen, "--param: %s/%s: the sweeps make more than %d combinations",
				 wl_class_name(wl->cls), wl->name, CC_MAX_INSTANCES);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Instance `which` of the workload's combinations (the last axis varies fastest). A point
 * of a sweep keeps about the work of the base point: its task count scales inversely with
 * the task's estimated time, within 1/16 to 4 times (more would make a fork per task of an
 * empty task dominate the suite); --tasks fixes it.
 */
static void setup_instance(const struct cc_select *sel, const struct wl_desc *wl, const struct wl_plan *wp,
			   unsigned which, struct cc_instance *in)
{
	in->wl = wl;
	memcpy(in->params, wp->base, sizeof(in->params));
	in->nswept = wp->naxes;
	in->at_base = true;
	for (unsigned a = wp->naxes; a-- > 0;) {
		unsigned param = wp->axes[a].param;
		in->swept[a] = param;
		in->params[param] = wp->axes[a].values[which % wp->axes[a].n];
		in->at_base &= in->params[param] == wp->base[param];
		which /= wp->axes[a].n;
	}
	double n = (double)wl->default_tasks * sel->suite->task_scale;
	if (wp->naxes && wl->task_ns) {
		double base = wl->task_ns(wp->base), point = wl->task_ns(in->params);
		double ratio = point > 0 ? base / point : 4;
		n *= ratio < 1.0 / 16 ? 1.0 / 16 : ratio > 4 ? 4 : ratio;
	}
	/* a batch too short to time well is a blip any hiccup of the machine moves */
	double task_ns = wl->task_ns ? wl->task_ns(in->params) : 0;
	if (task_ns > 0 && n * task_ns < sel->suite->min_batch_s * 1e9)
		n = ceil(sel->suite->min_batch_s * 1e9 / task_ns);
	uint64_t tasks = sel->tasks ? sel->tasks : (uint64_t)llround(n);
	in->ntasks = tasks ? tasks : 1;
}

/* Points each cell of one instance at its serial baseline: the same placement if planned, else any. */
static void link_baselines(struct cc_cell *cells, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		cells[k].baseline = NULL;
		for (unsigned s = 0; s < n; s++) {
			if (cells[s].model != &model_serial)
				continue;
			if (!cells[k].baseline || cells[s].pin == cells[k].pin)
				cells[k].baseline = &cells[s];
		}
	}
}

static enum cc_far far_of(const struct cc_select *sel)
{
	return sel->workers_auto ? CC_FAR_ALL : sel->nworkers ? CC_FAR_NONE : sel->suite->waits_far;
}

static bool far_sweeps_all(const struct cc_select *sel) { return far_of(sel) == CC_FAR_ALL; }

/* Whether the waiting sweep takes in workload wl under this selection. */
static bool far_sweeps(const struct cc_select *sel, const struct wl_desc *wl)
{
	enum cc_far far = far_of(sel);
	if (wl->scenario || (wl->cls != WL_IO && wl->cls != WL_MIX) || !sel->topo)
		return false;
	return far == CC_FAR_ALL || (far == CC_FAR_HEADLINE && wl->headline && !strcmp(wl->headline, "io"));
}

static unsigned long long proc_number(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* Whether n workers of model m can wait at once here for workload wl, within what the machine allows
 * (threads, processes, descriptors, memory, mappings): 0, or -E2BIG with why. */
static int far_fits(const struct cc_select *sel, const struct cc_model *m, const struct wl_desc *wl, unsigned n,
		    char *why, size_t len)
{
	struct rlimit rl;
	if (!m->one_thread) {
		bool procs = m->unit == CC_UNIT_PROCESS || m->unit == CC_UNIT_PROGRAM;
		unsigned long long cap = proc_number(procs ? "/proc/sys/kernel/pid_max" : "/proc/sys/kernel/threads-max");
		if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (!cap || rl.rlim_cur < cap))
			cap = rl.rlim_cur;
		if (cap && n > cap / 2) {
			snprintf(why, len, "%u %s are more than half of the %llu this machine allows (%s, ulimit -u)", n,
				 procs ? "processes" : "threads", cap, procs ? "kernel.pid_max" : "kernel.threads-max");
			return -E2BIG;
		}
	}
	if (wl->fds_each && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    (unsigned long long)n * wl->fds_each + 256 > rl.rlim_max) {
		snprintf(why, len, "%u workers hold %llu descriptors at once, more than the %llu allowed (ulimit -Hn)", n,
			 (unsigned long long)n * wl->fds_each, (unsigned long long)rl.rlim_max);
		return -E2BIG;
	}
	if (m->one_thread) {
		size_t stack = sel->mopts.coro.stack_size ? sel->mopts.coro.stack_size : CORO_STACK_DEFAULT;
		char what[64];
		snprintf(what, sizeof(what), "%u coroutine stacks", n);
		if (wl_check_memory((uint64_t)n * (stack + 4096), what, why, len))
			return -E2BIG;
		unsigned long long maps = proc_number("/proc/sys/vm/max_map_count");
		if (coro_guard_probe() == CORO_GUARD_MPROTECT && maps && 2ull * n + 4096 > maps) {
			snprintf(why, len, "%u coroutines' stack guards need %llu mappings; vm.max_map_count is %llu",
				 n, 2ull * n, maps);
			return -E2BIG;
		}
	}
	return 0;
}

uint64_t cc_cell_tasks(const struct cc_plan *plan, const struct cc_cell *c)
{
	uint64_t n = c->inst->ntasks;
	if (plan->tasks_given)
		return n;
	if (c->far && n < (uint64_t)CC_FAR_TASKS_EACH * c->workers)
		n = (uint64_t)CC_FAR_TASKS_EACH * c->workers;
	if (c->model->spawn_each_ns) {
		uint64_t cap = (uint64_t)(CC_PER_TASK_BATCH_S * 1e9 / c->model->spawn_each_ns);
		cap = cap < CC_PER_TASK_MIN ? CC_PER_TASK_MIN : cap;
		n = n < cap ? n : cap;
	}
	return n;
}

bool cc_cell_own_batch(const struct cc_cell *c) { return c->ntasks != c->inst->ntasks; }

const struct cc_model *cc_cell_reference(const struct cc_cell *c)
{
	return c->far && cc_cell_own_batch(c) ? &model_coroutines : &model_serial;
}

/* Notes that the selection's cell `name` is not planned, and why (when the filter keeps it). */
__attribute__((format(printf, 4, 5))) static void unplanned(struct cc_plan *plan, const regex_t *re, const char *name,
							    const char *fmt, ...)
{
	if (re && regexec(re, name, 0, NULL, 0))
		return;
	if ((plan->nunplanned & (plan->nunplanned - 1)) == 0) { /* 0, 1, 2, 4 ...: grow by doubling */
		struct cc_unplanned *grown = realloc(plan->unplanned, 2 * (plan->nunplanned + 1) * sizeof(*grown));
		if (!grown)
			return; /* an explanation is not worth failing the plan for */
		plan->unplanned = grown;
	}
	struct cc_unplanned *u = &plan->unplanned[plan->nunplanned++];
	snprintf(u->name, sizeof(u->name), "%s", name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->why, sizeof(u->why), fmt, ap);
	va_end(ap);
}

/* In a focused suite, the one worker count of a workload outside the headline (and of the models the suites
 * run on the headline at one count): the largest of the sweep within the CPUs; 0 for the whole sweep. */
static unsigned focus_count(const struct cc_select *sel, const struct wl_desc *wl, const struct cc_model *m,
			    const unsigned *workers, unsigned nworkers)
{
	if (!sel->suite->focused || sel->nworkers || sel->workers_auto || !sel->topo || wl->scenario ||
	    m->single_worker || (wl->headline && !m->cpu_headline_only))
		return 0;
	unsigned at = nworkers ? workers[0] : 0;
	for (unsigned k = 0; k < nworkers; k++)
		if (workers[k] <= sel->topo->npu)
			at = workers[k];
	return at;
}

/* In a focused suite, the servers' one placement: the load generator and the server on the nearest two
 * cores (both on one CPU where the machine has a single core). */
static bool focus_pair(const struct cc_select *sel, const struct wl_desc *wl, enum topo_policy pin)
{
	if (!sel->suite->focused || sel->npins || wl->cls != WL_SERVER || !sel->topo)
		return true;
	static const enum topo_policy nearest[] = {TOPO_SAME_L3, TOPO_CROSS_L3, TOPO_CROSS_NUMA, TOPO_CROSS_PACKAGE,
						   TOPO_SMT};
	unsigned cpu[2];
	for (unsigned k = 0; k < sizeof(nearest) / sizeof(nearest[0]); k++)
		if (topo_pair(sel->topo, nearest[k], cpu))
			return pin == nearest[k];
	return pin == TOPO_SAME_CPU;
}

/* The cells of one instance that the filter keeps, named <class>/<workload>/<model>/workers:<n>/pin:<policy>
 * and then /<param>:<value> for each swept parameter. Returns how many. */
static unsigned plan_instance(struct cc_plan *plan, const struct cc_select *sel, struct cc_instance *in,
			      const unsigned *workers, unsigned nworkers, const enum topo_policy *pins, unsigned npins,
			      const regex_t *re)
{
	const struct wl_desc *wl = in->wl;
	static const unsigned far_counts[] = CC_FAR_COUNTS;
	unsigned counts[CC_MAX_LIST + sizeof(far_counts) / sizeof(far_counts[0])], ncounts = nworkers;
	memcpy(counts, workers, nworkers * sizeof(*workers));
	for (unsigned k = 0; far_sweeps(sel, wl) && k < sizeof(far_counts) / sizeof(far_counts[0]); k++)
		if (!nworkers || far_counts[k] > workers[nworkers - 1])
			counts[ncounts++] = far_counts[k];
	char swept[96] = "";
	for (unsigned a = 0, len = 0; a < in->nswept && len < sizeof(swept); a++) {
		const struct wl_param *p = &wl->params[in->swept[a]];
		char v[32];
		cc_param_format(p, in->params[in->swept[a]], v, sizeof(v));
		len += (unsigned)snprintf(swept + len, sizeof(swept) - len, "/%s:%s", p->name, v);
	}
	unsigned first = plan->ncells;
	const struct sc_desc *sc = wl->scenario;
	char name[192], why[128];
	if (sc && sc->plannable && sc->plannable(sc->impl, in->params, why, sizeof(why))) {
		snprintf(name, sizeof(name), "%s/%s/*%s", wl_class_name(wl->cls), wl->name, swept);
		unplanned(plan, re, name, "%s", why);
		return 0;
	}
	for (unsigned m = 0; m < model_count; m++) {
		const struct cc_model *model = model_all[m];
		if (!selected_model(sel, model) || (!sc && !wl->task))
			continue;
		if (sc && !sc_runs_as(sc, model)) {
			if (sel->nmodels) { /* asked for by name: say why not */
				snprintf(name, sizeof(name), "%s/%s/%s%s", wl_class_name(wl->cls), wl->name, model->name, swept);
				unplanned(plan, re, name, "%s is not an executor of this scenario", model->name);
			}
			continue;
		}
		unsigned focus = focus_count(sel, wl, model, workers, nworkers);
		int one_role_cpu = -1; /* where a sweep's single role was planned, and by which pair */
		enum topo_policy one_role_pin = TOPO_NONE;
		for (unsigned p = 0; p < npins; p++) {
			bool pair = topo_policy_is_pair(pins[p]);
			unsigned cpu[2];
			if (!focus_pair(sel, wl, pins[p]))
				continue;
			for (unsigned k = 0; k < (sc && sc->roles ? 1 : ncounts); k++) {
				/* serial is the baseline: it runs once, at one worker, whatever the sweep; a
				 * scenario has its roles, or takes them from the sweep within its bounds */
				unsigned nw = sc && sc->roles ? sc->roles : model->single_worker ? 1 : counts[k];
				bool far = k >= nworkers;
				if (far && !model->one_thread && nw > CC_FAR_MAX_OS)
					continue; /* the waiting sweep takes threads and processes to 1,024 */
				if (model->single_worker && k > 0)
					break;
				if (focus && nw != focus)
					continue;
				snprintf(name, sizeof(name), "%s/%s/%s/workers:%u/pin:%s%s", wl_class_name(wl->cls), wl->name,
					 model->name, nw, topo_policy_name(pins[p]), swept);
				/* what leaves out a whole placement leaves out every count of the sweep */
				char any[192];
				if (sc && sc->roles)
					snprintf(any, sizeof(any), "%s", name);
				else
					snprintf(any, sizeof(any), "%s/%s/%s/workers:*/pin:%s%s", wl_class_name(wl->cls), wl->name,
						 model->name, topo_policy_name(pins[p]), swept);
				/* a scenario's roles go by pair policies, a batch's workers by the others (none: either) */
				if ((sc && !pair && pins[p] != TOPO_NONE) || (!sc && pair)) {
					if (sel->npins)
						unplanned(plan, re, any, "%s places %s", topo_policy_name(pins[p]),
							  pair ? "a scenario's roles, not a batch's workers" :
								 "a batch's workers, not a scenario's roles (same-cpu .. cross-package)");
					break;
				}
				if (sc && pair && !topo_pair(sel->topo, pins[p], cpu)) {
					unplanned(plan, re, any, "this machine has no %s pair (concur topo --pairs)",
						  topo_policy_name(pins[p]));
					break;
				}
				if (sc && sc->roles == 1 && pins[p] != TOPO_SAME_CPU && pins[p] != TOPO_NONE) {
					unplanned(plan, re, any, "one role: no pair to place");
					break;
				}
				if (sc && sc->spins && pins[p] == TOPO_SAME_CPU) {
					unplanned(plan, re, any, "its roles busy-wait for each other: on one CPU each wait "
								 "would last a time slice");
					break;
				}
				if (sc && (sc->one_cpu || model->one_thread) && pins[p] != TOPO_SAME_CPU &&
				    !(model->one_thread && pins[p] == TOPO_NONE)) {
					unplanned(plan, re, any, sc->one_cpu ? "its roles take turns on one CPU by design" :
										 "coroutines share one thread: same-cpu only");
					break;
				}
				unsigned spin_cpus = pins[p] == TOPO_NONE && sel->topo ? sel->topo->npu : 2;
				if (sc && sc->spins && nw > spin_cpus) {
					unplanned(plan, re, name, "%u roles busy-wait on %u CPUs: a waiter would spin out "
								  "the holder's time slice", nw, spin_cpus);
					continue;
				}
				if (sc && !sc->roles && (nw < sc->min_roles || nw > sc->max_roles)) {
					unplanned(plan, re, name, "takes %u to %u roles", sc->min_roles, sc->max_roles);
					continue;
				}
				/* a single role sits on its pair's first CPU: another pair from that CPU is the same cell */
				if (sc && pair && nw == 1 && one_role_cpu == (int)cpu[0]) {
					unplanned(plan, re, name, "one role: on the same CPU as at pin:%s",
						  topo_policy_name(one_role_pin));
					continue;
				}
				if (!sc && model->cpu_headline_only && !sel->nmodels &&
				    (!wl->headline || strcmp(wl->headline, "cpu"))) {
					unplanned(plan, re, any, "the suites run it on the CPU headline's workload only: a "
								 "batch of %s costs a launch (--models %s runs it)",
						  model->name, model->name);
					break;
				}
				if (model->cpu_headline_only && !sel->nmodels && !sel->nworkers && sel->topo &&
				    nw > sel->topo->npu) {
					unplanned(plan, re, name, "the suites run %s up to the %u CPUs: past them its ranks "
								  "share CPUs, a launch a batch (--workers or --models runs it)",
						  model->name, sel->topo->npu);
					continue;
				}
				if (!sc && model->separate_memory && (wl->reset || wl->verify)) {
					unplanned(plan, re, any, "its tasks change memory that every worker shares; %s's "
								 "ranks share none", model->name);
					break;
				}
				if (far && model->separate_memory) {
					if (k == nworkers)
						unplanned(plan, re, name, "and on: %s's ranks wait as processes do (the "
									  "processes model sweeps them)", model->name);
					continue;
				}
				if (far && (model->coroutines_per_worker || model->spawn_each_ns)) {
					if (model->coroutines_per_worker && k == nworkers) /* said once, at the first */
						unplanned(plan, re, name, "and on: its workers are pinned threads of "
									  "--coroutines each (coroutines sweeps coroutines)");
					continue;
				}
				/* a model that starts a thread or process per task runs them on its workers' places in turn:
				 * past the CPUs the sweep's counts repeat the same places, and the same figures */
				if (!sc && model->spawn_each_ns && (!sel->nworkers || sel->workers_auto) && sel->topo &&
				    nw > sel->topo->npu) {
					unplanned(plan, re, name, "a %s per task: past the %u CPUs more workers are the same "
								  "places again (--workers %u runs it)",
						  model == &model_thread_per_task ? "thread" : "process", sel->topo->npu, nw);
					continue;
				}
				if (far && far_of(sel) == CC_FAR_HEADLINE && nw > CC_FAR_HEADLINE_PER_CPU * sel->topo->npu) {
					unplanned(plan, re, name, "the suite's waiting sweep stops at %u workers, %u a CPU "
								  "(--workers auto goes on)",
						  CC_FAR_HEADLINE_PER_CPU * sel->topo->npu, CC_FAR_HEADLINE_PER_CPU);
					continue;
				}
				/* past the CPUs, whatever asked for it: what the machine allows */
				if (!sc && sel->topo && nw > sel->topo->npu && far_fits(sel, model, wl, nw, why, sizeof(why))) {
					unplanned(plan, re, name, "%s", why);
					continue;
				}
				if (re && regexec(re, name, 0, NULL, 0))
					continue;
				struct cc_cell *c = &plan->cells[plan->ncells];
				*c = (struct cc_cell){.inst = in, .model = model, .workers = nw, .pin = pins[p], .far = far};
				snprintf(c->name, sizeof(c->name), "%s", name);
				c->ntasks = cc_cell_tasks(plan, c);
				double rep_s = cc_cell_estimate_s(plan, c, sel->topo ? sel->topo->npu : 1) /
					       plan->repetitions;
				double most_s = far_sweeps_all(sel) ? CC_FAR_MAX_REP_S : CC_FAR_MAX_REP_S / 4;
				if (far && rep_s > most_s) {
					unplanned(plan, re, name, "a repetition (%" PRIu64 " tasks) is estimated at %.1f s, "
								  "past the %.1f s a point may take%s", c->ntasks, rep_s,
						  most_s, far_sweeps_all(sel) ? "" : " (--workers auto: 4x)");
					continue;
				}
				plan->ncells++;
				if (sc && pair && nw == 1) {
					one_role_cpu = (int)cpu[0];
					one_role_pin = pins[p];
				}
			}
		}
	}
	link_baselines(plan->cells + first, plan->ncells - first);
	return plan->ncells - first;
}

/* Refuses a filter whose compilation could take gigabytes: glibc's regcomp copies a repeated part once
 * per repetition, so nested intervals multiply ("((a{99}){99}){99}") and stacked operators ("c++++")
 * grew past 2 GiB in the fuzzer. Benchmark names need neither: a filter is at most 512 characters,
 * takes one repetition operator at a time (two in a row are undefined in POSIX anyway), and copies no
 * part more than 1000 times. 0, or -EINVAL with why. */
static int filter_check(const char *re, char *why, size_t len)
{
	enum { MAX_LEN = 512, MAX_DEPTH = 32, MAX_COPIES = 1000 };
	unsigned long inner[MAX_DEPTH + 1] = {1}; /* per open group: the most copies of anything inside */
	unsigned long last = 0;                   /* copies of the atom or group just read; 0: none */
	unsigned depth = 0;
	bool repeated = false; /* the last thing read was a repetition operator */
	if (strlen(re) > MAX_LEN) {
		snprintf(why, len, "is longer than %d characters", MAX_LEN);
		return -EINVAL;
	}
	for (const char *p = re; *p; p++) {
		unsigned long bound = 0;
		switch (*p) {
		case '(':
			if (depth == MAX_DEPTH) {
				snprintf(why, len, "nests groups deeper than %d", MAX_DEPTH);
				return -EINVAL;
			}
			inner[++depth] = 1;
			last = 0, repeated = false;
			continue;
		case ')':
			last = depth ? inner[depth--] : 1;
			repeated = false;
			break;
		case '*': case '+': case '?': case '{':
			if (repeated) {
				snprintf(why, len, "has two repetition operators in a row (at '%.8s')", p - 1);
				return -EINVAL;
			}
			repeated = true;
			if (*p == '{') {
				char *end;
				unsigned long lo = strtoul(p + 1, &end, 10), hi = lo + 1;
				if (*end == ',')
					hi = end[1] == '}' ? lo + 1 : strtoul(end + 1, &end, 10);
				else
					hi = lo;
				bound = hi > lo ? hi : lo;
				if (end[*end == ','] == '}')
					p = end + (*end == ',');
			}
			if (bound && last && (bound > MAX_COPIES || last * bound > MAX_COPIES)) {
				snprintf(why, len, "repeats a part more than %d times", MAX_COPIES);
				return -EINVAL;
			}
			if (bound && last)
				inner[depth] = inner[depth] > last * bound ? inner[depth] : last * bound;
			continue;
		case '[': /* a bracket expression is one atom; ']' first in it is a member */
			p += p[1] == '^';
			p += p[1] == ']';
			while (p[1] && p[1] != ']')
				p++;
			p += !!p[1];
			last = 1, repeated = false;
			break;
		case '\\':
			p += !!p[1];
			/* fall through */
		default:
			last = 1, repeated = false;
		}
		if (last > inner[depth])
			inner[depth] = last;
	}
	return 0;
}

int cc_plan_build(const struct cc_select *sel, struct cc_plan *plan, char *err, size_t errlen)
{
	regex_t re;
	bool have_re = false;
	unsigned workers[CC_MAX_LIST], nworkers = sel->nworkers;
	struct wl_plan *wps = NULL;

	memset(plan, 0, sizeof(*plan));
	plan->suite = sel->suite;
	plan->repetitions = sel->repetitions ? sel->repetitions : sel->suite->repetitions;
	plan->max_repetitions = sel->max_repetitions ? sel->max_repetitions : 2 * plan->repetitions;
	if (plan->max_repetitions < plan->repetitions)
		plan->max_repetitions = plan->repetitions;
	plan->timeout_s = sel->timeout_s;
	plan->max_cv = sel->max_cv;
	plan->mopts = sel->mopts;

	if (sel->filter) {
		char why[96];
		if (filter_check(sel->filter, why, sizeof(why))) {
			snprintf(err, errlen, "--filter: '%.80s%s' %s", sel->filter, strlen(sel->filter) > 80 ? "..." : "", why);
			return -EINVAL;
		}
		int rc = regcomp(&re, sel->filter, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];
			regerror(rc, &re, msg, sizeof(msg));
			snprintf(err, errlen, "--filter: bad regular expression '%s': %s", sel->filter, msg);
			return -EINVAL;
		}
		have_re = true;
	}
	/* Every parameter override must mean something. */
	for (unsigned k = 0; k < sel->nparams; k++) {
		bool used = false;
		for (unsigned w = 0; w < (sel->nworkloads ? sel->nworkloads : wl_count); w++) {
			const struct wl_desc *wl = sel->nworkloads ? sel->workloads[w] : wl_all[w];
			if ((!sel->params[k].wl || sel->params[k].wl == wl) && wl_param_index(wl, sel->params[k].name) >= 0)
				used = true;
		}
		if (!used) {
			if (sel->params[k].wl && sel->params[k].wl->task_cost && !strcmp(sel->params[k].name, "order"))
				snprintf(err, errlen, "--queue-order: no selected workload has tasks of differing lengths "
						      "(%s/%s has)", wl_class_name(sel->params[k].wl->cls),
					 sel->params[k].wl->name);
			else
				snprintf(err, errlen, "--param: no selected workload has a parameter '%s'",
					 sel->params[k].name);
			goto fail;
		}
	}
	/* without --pin: core for batches, every pair policy for scenarios (those the machine has) */
	enum topo_policy pins[TOPO_NPOLICIES] = {TOPO_CORE};
	unsigned npins = sel->npins ? sel->npins : 1;
	if (sel->npins)
		memcpy(pins, sel->pins, npins * sizeof(*pins));
	else
		for (int p = TOPO_FIRST_PAIR; p < TOPO_NPOLICIES; p++)
			pins[npins++] = (enum topo_policy)p;
	for (unsigned k = 0; k < npins && sel->workers_auto; k++) {
		if (pins[k] == TOPO_NONE) {
			snprintf(err, errlen, "--workers auto: the sweep places workers on the topology, which "
					      "--pin none does not; use --pin core, compact, scatter or pu, or give counts");
			goto fail;
		}
	}
	if (!nworkers) {
		nworkers = cc_default_workers(sel->suite, sel->topo, workers, CC_MAX_LIST);
	} else {
		memcpy(workers, sel->workers, nworkers * sizeof(*workers));
	}

	unsigned nwl = sel->nworkloads ? sel->nworkloads : wl_count;
	size_t ninst = 0, ncounts = 0; /* instances, and worker counts over them (the waiting sweep adds some) */
	wps = calloc(nwl, sizeof(*wps));
	if (!wps) {
		snprintf(err, errlen, "plan: %s", strerror(ENOMEM));
		goto fail;
	}
	for (unsigned w = 0; w < nwl; w++) {
		const struct wl_desc *wl = sel->nworkloads ? sel->workloads[w] : wl_all[w];
		if (plan_workload(sel, wl, &wps[w], err, errlen))
			goto fail;
		/* a scenario's roles take the pair policies, a batch's workers the others; none goes with either */
		unsigned its_pins = 0;
		for (unsigned p = 0; p < npins; p++)
			its_pins += pins[p] == TOPO_NONE || topo_policy_is_pair(pins[p]) == (wl->scenario != NULL);
		ninst += wps[w].ninst;
		ncounts += wps[w].ninst * its_pins *
			   (nworkers + 1 + (far_sweeps(sel, wl) ? sizeof((unsigned[])CC_FAR_COUNTS) / sizeof(unsigned) : 0));
	}
	plan->topo = sel->topo;
	plan->inst = calloc(ninst, sizeof(*plan->inst));
	plan->tasks_given = sel->tasks != 0;
	plan->cells = calloc(ncounts * model_count, sizeof(*plan->cells));
	if (!plan->inst || !plan->cells) {
		snprintf(err, errlen, "plan: %s", strerror(ENOMEM));
		goto fail;
	}
	for (unsigned w = 0; w < nwl; w++) {
		const struct wl_desc *wl = sel->nworkloads ? sel->workloads[w] : wl_all[w];
		for (unsigned i = 0; i < wps[w].ninst; i++) {
			struct cc_instance *in = &plan->inst[plan->ninst];
			setup_instance(sel, wl, &wps[w], i, in);
			char why[200];
			if (wl->validate && wl->validate(in->params, why, sizeof(why))) {
				snprintf(err, errlen, "--param: %s/%s: %s", wl_class_name(wl->cls), wl->name, why);
				goto fail;
			}
			if (plan_instance(plan, sel, in, workers, nworkers, pins, npins, have_re ? &re : NULL))
				plan->ninst++;
		}
	}
	free(wps);
	wps = NULL;
	if (have_re)
		regfree(&re);
	if (!plan->ncells) {
		snprintf(err, errlen, "--filter/--models/--workloads: no benchmark matches the selection");
		cc_plan_free(plan);
		return -EINVAL;
	}
	return 0;
fail:
	if (have_re)
		regfree(&re);
	free(wps);
	cc_plan_free(plan);
	return -EINVAL;
}

static unsigned ref_roles(const struct cc_cell *c)
{
	return c->inst->wl->scenario && !c->inst->wl->scenario->roles ? c->workers : 0;
}

bool cc_cell_ref(const struct cc_cell *c, uint64_t *sum)
{
	const struct cc_instance *in = c->inst;
	for (unsigned k = 0; k < in->nrefs; k++)
		if (in->refs[k].roles == ref_roles(c) && in->refs[k].ntasks == c->ntasks) {
			*sum = in->refs[k].sum;
			return true;
		}
	return false;
}

void cc_cell_set_ref(const struct cc_cell *c, uint64_t sum)
{
	struct cc_instance *in = c->inst;
	if (in->nrefs < CC_MAX_LIST) /* a sweep of roles, or of batches, is at most CC_MAX_LIST long */
		in->refs[in->nrefs++] = (typeof(in->refs[0])){ref_roles(c), c->ntasks, sum};
}

void cc_instance_teardown(struct cc_instance *in)
{
	if (in->ready && in->wl->teardown)
		in->wl->teardown(in->ctx);
	in->ready = false;
}

void cc_plan_teardown(struct cc_plan *plan)
{
	for (unsigned k = 0; k < plan->ninst; k++)
		cc_instance_teardown(&plan->inst[k]);
}

void cc_plan_free(struct cc_plan *plan)
{
	for (unsigned k = 0; k < plan->ncells; k++) {
		free(plan->cells[k].reps);
		free(plan->cells[k].workers_info);
		free(plan->cells[k].hosts);
		free(plan->cells[k].cpus);
	}
	cc_plan_teardown(plan);
	free(plan->probes);
	free(plan->unplanned);
	free(plan->cells);
	free(plan->inst);
	memset(plan, 0, sizeof(*plan));
}

double cc_cell_estimate_s(const struct cc_plan *plan, const struct cc_cell *c, unsigned cpus)
{
	const struct wl_desc *wl = c->inst->wl;
	double task = wl->task_ns ? wl->task_ns(c->inst->params) : 2000;
	bool waits = wl->cls == WL_IO || wl->cls == WL_MIX;
	double par = c->model->single_worker ? 1 : c->workers;
	if (waits && c->model->coroutines_per_worker)
		par *= plan->mopts.coroutines;
	if (!waits && c->model->one_thread)
		par = 1; /* coroutines on one thread compute one at a time */
	if (!waits && par > cpus)
		par = cpus;
	task += c->model->spawn_each_ns;
	double batch = (double)c->ntasks * task / 1e9 / (par > 0 ? par : 1);
	/* starting the workers, for the warm-up (a far point's on as many as CPUs) and again for the batch (a
	 * thread ~30 us; a fork with its exit and wait ~1.2 ms, spawn/fork's figure on a 2-vCPU VM) */
	double start = c->model->one_thread ? 0 : c->model->unit == CC_UNIT_PROCESS ? 1.2e-3 : 30e-6;
	double started = c->far && c->workers > cpus ? c->workers + cpus : 2.0 * c->workers;
	double starting = c->model->single_worker || c->model->spawn_each_ns ? 0 : started * start;
	if (c->model->unit == CC_UNIT_PROGRAM) /* a launch (mpiexec: 0.39 to 0.53 s measured here), no warm-up */
		starting = 0.45;
	/* a waiting task still computes (at least its share of the IO layer's calls): on one thread, or on
	 * the cores, that part does not overlap */
	double threads = c->model->one_thread ? 1 : par < cpus ? par : cpus;
	double cpu = wl->task_cpu_ns ? wl->task_cpu_ns(c->inst->params) : CC_WAIT_CPU_NS;
	if (waits && batch < (double)c->ntasks * cpu / 1e9 / threads)
		batch = (double)c->ntasks * cpu / 1e9 / threads;
	const struct sc_desc *sc = wl->scenario;
	if (sc && sc->run_ns)
		batch += sc->run_ns(sc->impl, c->inst->params) / 1e9;
	/* the instance is set up before its first cell, every round */
	double setup = wl->setup_ns && (c == plan->cells || c[-1].inst != c->inst) ? wl->setup_ns(c->inst->params) / 1e9 : 0;
	/* warm-up (a tenth) and each repetition in a fresh cell process (~12 ms here) */
	return plan->repetitions * (1.1 * batch + starting + 0.012 + setup);
}

/* Instance set-up once a round, and a share for the reference probes (40 ms each, at most once every 2 s);
 * rough, but the standard suite measured 175-179 s against this estimate of 180 s. */
static double rounds_overhead_s(const struct cc_plan *plan)
{
	return plan->repetitions * (plan->ninst * 0.005 + 0.02);
}

double cc_plan_estimate_s(const struct cc_plan *plan, unsigned cpus)
{
	double total = 0;
	for (unsigned k = 0; k < plan->ncells; k++)
		total += cc_cell_estimate_s(plan, &plan->cells[k], cpus);
	return total + rounds_overhead_s(plan);
}

void cc_cell_keep_latency(struct cc_cell *c)
{
	const struct cc_hist *h = c->hist;
	if (h)
		c->latency = (struct cc_latency){h->count,
						 cc_hist_quantile(h, 0.5),
						 cc_hist_quantile(h, 0.9),
						 cc_hist_quantile(h, 0.99),
						 cc_hist_quantile(h, 0.999),
						 h->max};
}

/* A placement holds when every bind succeeded and every worker was only ever seen on its CPU. */
void cc_cell_check_placement(struct cc_cell *c)
{
	for (unsigned k = 0; k < c->workers && !c->placement_bad; k++) {
		const struct cc_worker_info *w = &c->workers_info[k];
		c->migrations += w->migrations;
		if (w->bind_err) {
			c->placement_bad = true;
			snprintf(c->placement_why, sizeof(c->placement_why), "worker %u: binding to CPU %d failed: %s",
				 k, w->cpu_requested, strerror(-w->bind_err));
		}
		for (unsigned o = 0; o < w->nobserved && c->cpus && !c->placement_bad; o++) {
			if (w->observed[o] != w->cpu_requested) {
				c->placement_bad = true;
				snprintf(c->placement_why, sizeof(c->placement_why),
					 "worker %u: bound to CPU %d but seen on CPU %d", k, w->cpu_requested,
					 w->observed[o]);
			}
		}
	}
}

double cc_cell_median_wall(const struct cc_cell *c)
{
	double v[c->nreps ? c->nreps : 1];
	for (unsigned k = 0; k < c->nreps; k++)
		v[k] = c->reps[k].wall_s;
	return cc_median(v, c->nreps);
}

double cc_cell_cv(const struct cc_cell *c)
{
	if (c->nreps < 2)
		return -1;
	double mean = 0, var = 0;
	for (unsigned k = 0; k < c->nreps; k++)
		mean += c->reps[k].wall_s;
	mean /= c->nreps;
	for (unsigned k = 0; k < c->nreps; k++)
		var += (c->reps[k].wall_s - mean) * (c->reps[k].wall_s - mean);
	var /= c->nreps - 1;
	return mean > 0 ? sqrt(var) / mean : 0;
}

bool cc_cell_reported(const struct cc_cell *c) { return c->nreps || c->status > CC_OK; }

bool cc_cell_noisy(const struct cc_plan *p, const struct cc_cell *c)
{
	return c->status <= CC_OK && cc_cell_cv(c) > p->max_cv;
}

int cc_workload_probe(const struct wl_desc *wl)
{
	int k = wl->probe ? cc_probe_find(wl->probe) : -1;
	if (k >= 0)
		return k;
	switch (wl->cls) {
	case WL_CPU:
	case WL_MIX:
	case WL_SYNC:
		return CC_PROBE_CPU;
	case WL_MEM:
		return CC_PROBE_MEM_LAT;
	default:
		return CC_PROBE_WAKE;
	}
}
