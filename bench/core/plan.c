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

static void add_unique(unsigned *v, unsigned *n, unsigned max, unsigned x)
{
	for (unsigned k = 0; k < *n; k++)
		if (v[k] == x)
			return;
	if (*n < max)
		v[(*n)++] = x;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

unsigned cc_default_workers(const struct cc_suite *suite, unsigned ncpu, unsigned *out, unsigned max)
{
	unsigned n = 0;
	if (suite->sweep_max) {
		for (unsigned w = 1; w <= suite->sweep_max; w++)
			add_unique(out, &n, max, w);
		return n;
	}
	for (unsigned w = 1; w < ncpu; w *= 2)
		add_unique(out, &n, max, w);
	add_unique(out, &n, max, ncpu);
	if (suite->oversubscribe)
		add_unique(out, &n, max, 2 * ncpu);
	qsort(out, n, sizeof(*out), cmp_unsigned);
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
	for (unsigned k = 0; k < wl_param_count(wl); k++)
		in->params[k] = wl->params[k].def;
	for (unsigned k = 0; k < sel->nparams; k++) {
		const struct cc_param_override *o = &sel->params[k];
		int idx = wl_param_index(wl, o->name);
		if ((o->wl == NULL || o->wl == wl) && idx >= 0)
			in->params[idx] = o->value;
	}
	uint64_t n = sel->tasks ? sel->tasks : (uint64_t)llround((double)wl->default_tasks * suite->task_scale);
	in->ntasks = n ? n : 1;
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
	if (!nworkers) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nworkers = cc_default_workers(sel->suite, ncpu > 0 ? (unsigned)ncpu : 1, workers, CC_MAX_LIST);
	} else {
		memcpy(workers, sel->workers, nworkers * sizeof(*workers));
	}

	unsigned nwl = sel->nworkloads ? sel->nworkloads : wl_count;
	size_t max_cells = (size_t)nwl * model_count * nworkers;
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
		bool used = false;
		for (unsigned m = 0; m < model_count; m++) {
			const struct cc_model *model = model_all[m];
			if (!selected_model(sel, model))
				continue;
			for (unsigned k = 0; k < nworkers; k++) {
				/* serial is the baseline: it runs once, at one worker, whatever the sweep */
				unsigned nw = model->single_worker ? 1 : workers[k];
				if (model->single_worker && k > 0)
					break;
				struct cc_cell *c = &plan->cells[plan->ncells];
				snprintf(c->name, sizeof(c->name), "%s/%s/%s/workers:%u/pin:none", wl_class_name(wl->cls),
					 wl->name, model->name, nw);
				if (have_re && regexec(&re, c->name, 0, NULL, 0))
					continue;
				c->inst = in;
				c->model = model;
				c->workers = nw;
				if (model == &model_serial)
					in->serial = c;
				plan->ncells++;
				used = true;
			}
		}
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

void cc_plan_free(struct cc_plan *plan)
{
	for (unsigned k = 0; k < plan->ncells; k++) {
		free(plan->cells[k].reps);
		free(plan->cells[k].hist);
		free(plan->cells[k].worker_tasks);
	}
	for (unsigned k = 0; k < plan->ninst; k++)
		if (plan->inst[k].ready && plan->inst[k].wl->teardown)
			plan->inst[k].wl->teardown(plan->inst[k].ctx);
	free(plan->cells);
	free(plan->inst);
	memset(plan, 0, sizeof(*plan));
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
