/* Suites, and the expansion of a suite plus the user's selection into cells. */
#include "core/plan.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct cc_suite cc_suites[] = {
	{"smoke", "every model and workload once at 1 and 2 workers, tiny batches: checks that all works", 1, 0.05, 2,
	 false},
	{"quick", "3 repetitions, quarter-size batches", 3, 0.25, 0, false},
	{"standard", "5 repetitions, full batches, workers up to 2x the CPUs", 5, 1.0, 0, true},
	{"full", "10 repetitions, double batches, workers up to 2x the CPUs", 10, 2.0, 0, true},
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

static bool selected_model(const struct cc_select *sel, const struct cc_model *m)
{
	if (!sel->nmodels)
		return true;
	for (unsigned k = 0; k < sel->nmodels; k++)
		if (sel->models[k] == m)
			return true;
	return false;
}

static void setup_instance(const struct cc_select *sel, const struct wl_desc *wl, struct cc_instance *in,
			  const struct cc_suite *suite)
{
	in->wl = wl;
	bool tiny = wl->smoke && !strcmp(suite->name, "smoke");
	for (unsigned k = 0; k < wl_param_count(wl); k++)
		in->params[k] = tiny ? wl->smoke[k] : wl->params[k].def;
	for (unsigned k = 0; k < sel->nparams; k++) {
		const struct cc_param_override *o = &sel->params[k];
		int idx = wl_param_index(wl, o->name);
		if ((o->wl == NULL || o->wl == wl) && idx >= 0)
			in->params[idx] = o->value;
	}
	uint64_t n = sel->tasks ? sel->tasks : (uint64_t)llround((double)wl->default_tasks * suite->task_scale);
	in->ntasks = n ? n : 1;
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

int cc_plan_build(const struct cc_select *sel, struct cc_plan *plan, char *err, size_t errlen)
{
	regex_t re;
	bool have_re = false;
	unsigned workers[CC_MAX_LIST], nworkers = sel->nworkers;

	memset(plan, 0, sizeof(*plan));
	plan->suite = sel->suite;
	plan->repetitions = sel->repetitions ? sel->repetitions : sel->suite->repetitions;
	plan->timeout_s = sel->timeout_s;
	plan->max_cv = sel->max_cv;
	plan->mopts = sel->mopts;

	if (sel->filter) {
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
			snprintf(err, errlen, "--param: no selected workload has a parameter '%s'", sel->params[k].name);
			goto fail;
		}
	}
	enum topo_policy pins[TOPO_NPOLICIES] = {TOPO_CORE};
	unsigned npins = sel->npins ? sel->npins : 1;
	if (sel->npins)
		memcpy(pins, sel->pins, npins * sizeof(*pins));
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
	size_t max_cells = (size_t)nwl * model_count * nworkers * npins;
	plan->topo = sel->topo;
	plan->inst = calloc(nwl, sizeof(*plan->inst));
	plan->cells = calloc(max_cells, sizeof(*plan->cells));
	if (!plan->inst || !plan->cells) {
		snprintf(err, errlen, "plan: %s", strerror(ENOMEM));
		goto fail;
	}
	for (unsigned w = 0; w < nwl; w++) {
		const struct wl_desc *wl = sel->nworkloads ? sel->workloads[w] : wl_all[w];
		struct cc_instance *in = &plan->inst[plan->ninst];
		setup_instance(sel, wl, in, sel->suite);
		char why[200];
		if (wl->validate && wl->validate(in->params, why, sizeof(why))) {
			snprintf(err, errlen, "--param: %s/%s: %s", wl_class_name(wl->cls), wl->name, why);
			goto fail;
		}
		bool used = false;
		unsigned first = plan->ncells;
		for (unsigned m = 0; m < model_count; m++) {
			const struct cc_model *model = model_all[m];
			if (!selected_model(sel, model))
				continue;
			for (unsigned p = 0; p < npins; p++) {
				for (unsigned k = 0; k < nworkers; k++) {
					/* serial is the baseline: it runs once, at one worker, whatever the sweep */
					unsigned nw = model->single_worker ? 1 : workers[k];
					if (model->single_worker && k > 0)
						break;
					struct cc_cell *c = &plan->cells[plan->ncells];
					snprintf(c->name, sizeof(c->name), "%s/%s/%s/workers:%u/pin:%s",
						 wl_class_name(wl->cls), wl->name, model->name, nw,
						 topo_policy_name(pins[p]));
					if (have_re && regexec(&re, c->name, 0, NULL, 0))
						continue;
					c->inst = in;
					c->model = model;
					c->workers = nw;
					c->pin = pins[p];
					plan->ncells++;
					used = true;
				}
			}
		}
		link_baselines(plan->cells + first, plan->ncells - first);
		if (used)
			plan->ninst++;
	}
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
	cc_plan_free(plan);
	return -EINVAL;
}

void cc_plan_teardown(struct cc_plan *plan)
{
	for (unsigned k = 0; k < plan->ninst; k++) {
		struct cc_instance *in = &plan->inst[k];
		if (in->ready && in->wl->teardown)
			in->wl->teardown(in->ctx);
		in->ready = false;
	}
}

void cc_plan_free(struct cc_plan *plan)
{
	for (unsigned k = 0; k < plan->ncells; k++) {
		free(plan->cells[k].reps);
		free(plan->cells[k].hist);
		free(plan->cells[k].workers_info);
		free(plan->cells[k].cpus);
	}
	cc_plan_teardown(plan);
	free(plan->cells);
	free(plan->inst);
	memset(plan, 0, sizeof(*plan));
}

double cc_plan_estimate_s(const struct cc_plan *plan, unsigned cpus)
{
	double total = 0;
	for (unsigned k = 0; k < plan->ncells; k++) {
		const struct cc_cell *c = &plan->cells[k];
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
		double batch = (double)c->inst->ntasks * task / 1e9 / (par > 0 ? par : 1);
		/* warm-up (a tenth) and each repetition in a fresh cell process (~12 ms here) */
		total += plan->repetitions * (1.1 * batch + 0.012);
	}
	return total;
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double cc_median(double *v, unsigned n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
