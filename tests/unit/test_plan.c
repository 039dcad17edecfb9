/* Plans: suites, worker sweeps, parameters, filters and the names of cells. */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "core/registry.h"
#include "core/plan.h"

/* A --param as the command line gives it: the plan parses the text against each selected workload. */
static struct cc_param_override param_override(const struct wl_desc *wl, const char *name, const char *text)
{
	struct cc_param_override o = {.wl = wl};
	snprintf(o.name, sizeof(o.name), "%s", name);
	snprintf(o.text, sizeof(o.text), "%s", text);
	return o;
}

static struct topo big; /* 2 packages x 2 NUMA x 2 L3 x 8 cores x 2 threads */

static int load_topology(void **state)
{
	(void)state;
	return topo_load(&big, "pack:2 numa:2 l3:2 core:8 pu:2", NULL);
}

static int free_topology(void **state)
{
	(void)state;
	topo_free(&big);
	return 0;
}

static void worker_sweeps(void **state)
{
	(void)state;
	unsigned w[CC_MAX_LIST], n;
	n = cc_default_workers(cc_suite_find("smoke"), &big, w, CC_MAX_LIST);
	assert_int_equal(n, 2);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 2);
	const unsigned standard[] = {1, 8, 16, 64, 128, 256};
	n = cc_default_workers(cc_suite_find("standard"), &big, w, CC_MAX_LIST);
	assert_int_equal(n, 6);
	assert_memory_equal(w, standard, sizeof(standard));
	n = cc_default_workers(cc_suite_find("quick"), &big, w, CC_MAX_LIST);
	assert_int_equal(n, 5); /* quick leaves out the oversubscribed point */
	assert_int_equal(w[4], 128);
}

static void parameters_parse_and_check_bounds(void **state)
{
	(void)state;
	const struct wl_param bytes = {"size", WL_BYTES, 16, 8, 1 << 30, ""};
	const struct wl_param count = {"ns", WL_INT, 0, 0, 1000, ""};
	int64_t v;
	assert_int_equal(cc_param_parse(&bytes, "64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(cc_param_parse(&bytes, "2m", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(cc_param_parse(&bytes, "4", &v), -ERANGE);
	assert_int_equal(cc_param_parse(&bytes, "2G", &v), -ERANGE);
	assert_int_equal(cc_param_parse(&bytes, "12KB", &v), -EINVAL);
	assert_int_equal(cc_param_parse(&count, "4K", &v), -EINVAL);
	assert_int_equal(cc_param_parse(&count, "ten", &v), -EINVAL);
	assert_int_equal(cc_param_parse(&count, "", &v), -EINVAL);
	assert_int_equal(cc_param_parse(&count, "-1", &v), -ERANGE);
	assert_int_equal(cc_param_parse(&count, "1000", &v), 0);
	assert_int_equal(cc_param_parse(&count, "99999999999999999999999", &v), -EINVAL);
}

static struct cc_select base(const char *suite)
{
	struct cc_select s = {.suite = cc_suite_find(suite), .timeout_s = 60, .max_cv = 0.05, .topo = &big};
	s.workloads[s.nworkloads++] = &wl_cpu_hash;
	s.workloads[s.nworkloads++] = &wl_cpu_spin;
	return s;
}

static void cells_are_named_and_serial_runs_once(void **state)
{
	(void)state;
	struct cc_select s = base("standard");
	unsigned ws[] = {1, 2, 8};
	memcpy(s.workers, ws, sizeof(ws));
	s.nworkers = 3;
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	/* per workload: serial once + (model_count - 1) models x 3 counts, the mpi models (where built) on
	 * cpu/hash only */
	unsigned cpu_only = 0;
	for (unsigned m = 0; m < model_count; m++)
		cpu_only += model_all[m]->cpu_headline_only;
	assert_int_equal(p.ncells, 2 * (1 + (model_count - 1 - cpu_only) * 3) + cpu_only * 3);
	assert_string_equal(p.cells[0].name, "cpu/hash/serial/workers:1/pin:core");
	assert_ptr_equal(p.cells[3].baseline, &p.cells[0]);
	assert_string_equal(p.cells[3].name, "cpu/hash/threads/workers:8/pin:core");
	assert_int_equal(p.repetitions, 5);
	assert_int_equal(p.inst[0].ntasks, wl_cpu_hash.default_tasks);
	unsigned serial = 0;
	for (unsigned k = 0; k < p.ncells; k++)
		serial += p.cells[k].model == &model_serial;
	assert_int_equal(serial, 2);
	cc_plan_free(&p);
}

static void filters_and_overrides(void **state)
{
	(void)state;
	struct cc_select s = base("smoke");
	s.filter = "threads/workers:2";
	s.tasks = 7;
	s.repetitions = 4;
	s.params[s.nparams++] = param_override(&wl_cpu_hash, "size", "4096");
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ncells, 2);
	assert_string_equal(p.cells[0].name, "cpu/hash/threads/workers:2/pin:core");
	assert_null(p.cells[0].baseline); /* filtered out: the runner computes the reference itself */
	assert_int_equal(p.inst[0].params[0], 4096);
	assert_int_equal(p.inst[1].params[0], wl_cpu_spin.params[0].def);
	assert_int_equal(p.inst[0].ntasks, 7);
	assert_int_equal(p.repetitions, 4);
	cc_plan_free(&p);
}

static void placements_are_a_dimension(void **state)
{
	(void)state;
	struct cc_select s = base("smoke");
	s.nworkloads = 1;
	s.pins[s.npins++] = TOPO_NONE;
	s.pins[s.npins++] = TOPO_SCATTER;
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	/* serial x 2 placements + (models - 1) x 2 placements x 2 counts */
	assert_int_equal(p.ncells, 2 + (model_count - 1) * 4);
	assert_string_equal(p.cells[1].name, "cpu/hash/serial/workers:1/pin:scatter");
	for (unsigned k = 2; k < p.ncells; k++) /* each compares with serial under its own placement */
		assert_int_equal(p.cells[k].baseline->pin, p.cells[k].pin);
	cc_plan_free(&p);
	s.workers_auto = true;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--workers auto"));
}

static void smoke_scales_tasks_down(void **state)
{
	(void)state;
	struct cc_select s = base("smoke");
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_true(p.inst[0].ntasks < wl_cpu_hash.default_tasks);
	assert_true(p.inst[0].ntasks >= 1);
	cc_plan_free(&p);
}

static void bad_selections_name_the_flag(void **state)
{
	(void)state;
	struct cc_plan p;
	char err[256];
	struct cc_select s = base("smoke");
	s.filter = "([";
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--filter"));
	s.filter = "nothing-is-called-this";
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no benchmark matches"));
	s = base("smoke");
	s.nworkloads = 1; /* hash only */
	s.params[s.nparams++] = param_override(NULL, "ns", "5");
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--param"));
}

static void parameter_lists_and_names(void **state)
{
	(void)state;
	const struct wl_param *size = &wl_cpu_hash.params[0];
	int64_t v[CC_MAX_POINTS];
	unsigned n;
	char bad[32];
	assert_int_equal(cc_param_parse_list(size, "1K,16K,1G", v, CC_MAX_POINTS, &n, bad, sizeof(bad)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[2], 1LL << 30);
	assert_int_equal(cc_param_parse_list(size, "1K,x", v, CC_MAX_POINTS, &n, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "x");
	assert_int_equal(cc_param_parse_list(size, "1K,", v, CC_MAX_POINTS, &n, bad, sizeof(bad)), -EINVAL);
	assert_int_equal(cc_param_parse_list(size, "16,4", v, CC_MAX_POINTS, &n, bad, sizeof(bad)), -ERANGE);
	assert_string_equal(bad, "4");
	assert_int_equal(cc_param_parse_list(size, "1K,1024", v, CC_MAX_POINTS, &n, bad, sizeof(bad)), -EEXIST);
	assert_int_equal(cc_param_parse_list(size, "8,9,10", v, 2, &n, bad, sizeof(bad)), -E2BIG);
	char text[32];
	cc_param_format(size, 1024, text, sizeof(text));
	assert_string_equal(text, "1K");
	cc_param_format(size, 1536, text, sizeof(text));
	assert_string_equal(text, "1536");
	cc_param_format(size, 3LL << 30, text, sizeof(text));
	assert_string_equal(text, "3G");
	cc_param_format(&wl_cpu_spin.params[0], 1024, text, sizeof(text)); /* not bytes: as it is */
	assert_string_equal(text, "1024");
}

static void a_list_sweeps_a_parameter(void **state)
{
	(void)state;
	struct cc_select s = {.suite = cc_suite_find("standard"), .timeout_s = 60, .topo = &big};
	s.workloads[s.nworkloads++] = &wl_mix_cpu_io;
	s.models[s.nmodels++] = &model_serial;
	s.params[s.nparams++] = param_override(NULL, "cpu_us", "10,1000,10000");
	s.params[s.nparams++] = param_override(NULL, "wait_us", "7");
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ninst, 3);
	assert_int_equal(p.ncells, 3);
	assert_string_equal(p.cells[0].name, "mix/cpu-io/serial/workers:1/pin:core/cpu_us:10");
	assert_string_equal(p.cells[2].name, "mix/cpu-io/serial/workers:1/pin:core/cpu_us:10000");
	assert_int_equal(p.inst[1].params[1], 7);
	/* the default (1000) is the base point; the others keep about its work */
	assert_true(p.inst[1].at_base && !p.inst[0].at_base && !p.inst[2].at_base);
	assert_true(p.inst[0].ntasks > p.inst[1].ntasks && p.inst[1].ntasks > p.inst[2].ntasks);
	assert_true(p.inst[0].ntasks == 4 * p.inst[1].ntasks); /* 106x shorter, but at most 4x as many */
	assert_true(p.inst[2].ntasks * 16 >= p.inst[1].ntasks);
	for (unsigned k = 0; k < 3; k++)
		assert_ptr_equal(p.cells[k].baseline, &p.cells[k]);
	cc_plan_free(&p);
	s.tasks = 5; /* --tasks fixes every point */
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.inst[0].ntasks, 5);
	assert_int_equal(p.inst[2].ntasks, 5);
	cc_plan_free(&p);
	/* two lists: every combination; an invalid one (cpu_us=0, wait_us=0) is an error */
	s.params[1] = param_override(NULL, "wait_us", "0,5");
	s.params[0] = param_override(NULL, "cpu_us", "0,5");
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cpu_us"));
	s.params[0] = param_override(NULL, "cpu_us", "1,5");
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ninst, 4);
	assert_string_equal(p.cells[3].name, "mix/cpu-io/serial/workers:1/pin:core/cpu_us:5/wait_us:5");
	cc_plan_free(&p);
	/* more combinations than a plan takes: refused, naming the flag */
	s.workloads[0] = &wl_io_tcp;
	s.nparams = 0;
	struct cc_param_override size = param_override(NULL, "size", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16");
	struct cc_param_override cpu = param_override(NULL, "server_cpu", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
	s.params[s.nparams++] = size;
	s.params[s.nparams++] = param_override(NULL, "connect", "0,1");
	s.params[s.nparams++] = cpu;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--param: io/tcp: the sweeps make more than 256 combinations"));
}

/* A scenario's cells: its executors, its roles, every pair policy this machine has (one role: one CPU);
 * batches keep core, and --pin picks either kind. */
static const struct cc_cell *cell_named(const struct cc_plan *p, const char *name)
{
	for (unsigned k = 0; k < p->ncells; k++)
		if (!strcmp(p->cells[k].name, name))
			return &p->cells[k];
	return NULL;
}

static const char *unplanned_why(const struct cc_plan *p, const char *name)
{
	for (unsigned k = 0; k < p->nunplanned; k++)
		if (!strcmp(p->unplanned[k].name, name))
			return p->unplanned[k].why;
	return NULL;
}

static void a_scenario_goes_by_pair_policies(void **state)
{
	(void)state;
	struct cc_select s = {.suite = cc_suite_find("smoke"), .timeout_s = 60, .topo = &big};
	s.workloads[s.nworkloads++] = &sc_switch_pipe;
	s.workloads[s.nworkloads++] = &sc_spawn_fork;
	s.workloads[s.nworkloads++] = &wl_cpu_hash;
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	static const char *const want[] = {
		"switch/pipe/threads/workers:2/pin:same-cpu", "switch/pipe/threads/workers:2/pin:smt",
		"switch/pipe/threads/workers:2/pin:same-l3", "switch/pipe/threads/workers:2/pin:cross-l3",
		"switch/pipe/threads/workers:2/pin:cross-numa", "switch/pipe/threads/workers:2/pin:cross-package",
		"switch/pipe/processes/workers:2/pin:same-cpu", "spawn/fork/threads/workers:1/pin:same-cpu",
		"spawn/fork/processes/workers:1/pin:same-cpu", "cpu/hash/serial/workers:1/pin:core"};
	for (unsigned k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		bool found = false;
		for (unsigned c = 0; c < p.ncells && !found; c++)
			found = !strcmp(p.cells[c].name, want[k]);
		if (!found)
			print_error("missing %s\n", want[k]);
		assert_true(found);
	}
	for (unsigned c = 0; c < p.ncells; c++) {
		const char *n = p.cells[c].name;
		assert_true(strncmp(n, "spawn/", 6) || strstr(n, "pin:same-cpu")); /* one role, one CPU */
		assert_true(strncmp(n, "switch/", 7) || !strstr(n, "/serial/"));  /* executors only */
		assert_true(strncmp(n, "cpu/", 4) || strstr(n, "pin:core"));
	}
	cc_plan_free(&p);
	/* roles as coroutines share one thread: only same-cpu */
	struct cc_select y = {.suite = cc_suite_find("smoke"), .timeout_s = 60, .topo = &big};
	y.workloads[y.nworkloads++] = &sc_switch_yield;
	y.models[y.nmodels++] = &model_coroutines;
	y.models[y.nmodels++] = &model_threads;
	assert_int_equal(cc_plan_build(&y, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ncells, 2);
	assert_string_equal(p.cells[0].name, "switch/yield/threads/workers:2/pin:same-cpu");
	assert_string_equal(p.cells[1].name, "switch/yield/coroutines/workers:2/pin:same-cpu");
	cc_plan_free(&p);
	/* one role of a swept scenario sits on its pair's first CPU: planned once, at the first pair planned */
	struct cc_select one = {.suite = cc_suite_find("smoke"), .timeout_s = 60, .topo = &big};
	one.workloads[one.nworkloads++] = &sc_sync_mutex;
	one.workloads[one.nworkloads++] = &sc_sync_spin_tas;
	one.models[one.nmodels++] = &model_threads;
	assert_int_equal(cc_plan_build(&one, &p, err, sizeof(err)), 0);
	unsigned single[2] = {0, 0};
	for (unsigned c = 0; c < p.ncells; c++)
		single[p.cells[c].inst->wl == &sc_sync_spin_tas] += p.cells[c].workers == 1;
	assert_int_equal(single[0], 1);
	assert_int_equal(single[1], 1);
	assert_non_null(cell_named(&p, "sync/mutex/threads/workers:1/pin:same-cpu"));
	assert_non_null(cell_named(&p, "sync/mutex/threads/workers:2/pin:cross-l3"));
	assert_non_null(cell_named(&p, "sync/spin-tas/threads/workers:1/pin:smt")); /* spins: never same-cpu */
	const char *why = unplanned_why(&p, "sync/mutex/threads/workers:1/pin:cross-l3");
	assert_non_null(why);
	assert_non_null(strstr(why, "pin:same-cpu"));
	cc_plan_free(&p);
	s.pins[s.npins++] = TOPO_CROSS_PACKAGE; /* --pin cross-package: the scenario's only, no batch */
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ncells, 2);
	assert_string_equal(p.cells[0].name, "switch/pipe/threads/workers:2/pin:cross-package");
	cc_plan_free(&p);
}

static void the_full_suite_runs_each_workloads_sweep(void **state)
{
	(void)state;
	struct cc_select s = {.suite = cc_suite_find("full"), .timeout_s = 60, .topo = &big};
	s.models[s.nmodels++] = &model_serial;
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	unsigned swept = 0;
	for (unsigned w = 0; w < wl_count; w++) {
		unsigned ninst = 0, nbase = 0;
		if (wl_all[w]->scenario)
			continue; /* planned for their executors, not serial: a_scenario_goes_by_pair_policies */
		for (unsigned i = 0; i < p.ninst; i++) {
			ninst += p.inst[i].wl == wl_all[w];
			nbase += p.inst[i].wl == wl_all[w] && p.inst[i].at_base;
		}
		assert_int_equal(nbase, 1); /* every sweep includes the default */
		if (wl_all[w]->sweep) {
			assert_true(ninst > 1);
			swept++;
		} else { /* every workload has one but the test build's misbehaving one */
			assert_string_equal(wl_all[w]->name, "fault");
		}
	}
	assert_true(swept > 0);
	cc_plan_free(&p);
	/* a value given replaces the workload's sweep */
	s.workloads[s.nworkloads++] = &wl_cpu_hash;
	s.params[s.nparams++] = param_override(NULL, "size", "4096");
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ninst, 1);
	assert_string_equal(p.cells[0].name, "cpu/hash/serial/workers:1/pin:core");
	cc_plan_free(&p);
}

/* --workers auto: io and mix workloads go on far past the cores, each far point with a batch that gives
 * every worker tasks and a reference of its own; the CPU-bound sweep is unchanged. */
static void the_waiting_sweep_goes_past_the_cores(void **state)
{
	(void)state;
	struct cc_select s = {.suite = cc_suite_find("standard"), .timeout_s = 60, .topo = &big, .workers_auto = true};
	s.workloads[s.nworkloads++] = &wl_io_sleep;
	s.workloads[s.nworkloads++] = &wl_cpu_hash;
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	/* the topology's sweep ends at 256 on this machine: the far points are those beyond it */
	const struct cc_cell *t = cell_named(&p, "io/sleep/threads/workers:1024/pin:core");
	assert_non_null(t);
	assert_true(t->far);
	assert_int_equal(t->ntasks, 2048);
	assert_ptr_equal(cc_cell_reference(t), &model_coroutines);
	assert_true(cc_cell_own_batch(t));
	assert_null(cell_named(&p, "io/sleep/threads/workers:10000/pin:core")); /* threads stop at 1,024 */
	assert_non_null(cell_named(&p, "io/sleep/coroutines/workers:10000/pin:core"));
	const struct cc_cell *own = cell_named(&p, "io/sleep/threads/workers:64/pin:core"); /* the topology's */
	assert_non_null(own);
	assert_false(own->far);
	const char *why = unplanned_why(&p, "io/sleep/coroutines/workers:100000/pin:core");
	assert_non_null(why); /* 200,000 tasks of ~50 us on one thread: past what a point may take */
	assert_non_null(strstr(why, "estimated"));
	why = unplanned_why(&p, "io/sleep/coro-pool/workers:1024/pin:core");
	assert_non_null(why);
	assert_non_null(strstr(why, "coroutines sweeps coroutines"));
	assert_null(cell_named(&p, "cpu/hash/threads/workers:1024/pin:core")); /* CPU-bound: unchanged */
	for (unsigned k = 0; k < p.ncells; k++) {
		const struct cc_cell *c = &p.cells[k];
		assert_true(c->ntasks >= (c->far ? 2ull * c->workers : 1));
		if (c->model->spawn_each_ns) /* a fork per task: a short batch, checked against serial's of it */
			assert_true(c->ntasks <= c->inst->ntasks && c->ntasks <= 500);
		if (!c->far)
			assert_ptr_equal(cc_cell_reference(c), &model_serial);
	}
	cc_plan_free(&p);
	/* the standard suite's own sweep takes the io headline's workload only, and less far */
	s.workers_auto = false;
	s.workloads[0] = &wl_io_tcp;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	for (unsigned k = 0; k < p.ncells; k++)
		assert_false(p.cells[k].far);
	cc_plan_free(&p);
	s.workloads[0] = &wl_io_sleep;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_non_null(cell_named(&p, "io/sleep/threads/workers:1024/pin:core")); /* within 32 a CPU */
	assert_null(cell_named(&p, "io/sleep/coroutines/workers:10000/pin:core"));
	assert_non_null(unplanned_why(&p, "io/sleep/coroutines/workers:10000/pin:core"));
	cc_plan_free(&p);
	/* --tasks fixes every batch */
	s.tasks = 40;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	for (unsigned k = 0; k < p.ncells; k++)
		assert_int_equal(p.cells[k].ntasks, 40);
	cc_plan_free(&p);
	/* counts given past the CPUs meet the same bounds: here the descriptors a connection each needs */
	struct rlimit few = {4096, 4096};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &few), 0); /* lowered for good: the last check of this test */
	s = (struct cc_select){.suite = cc_suite_find("standard"), .timeout_s = 60, .topo = &big};
	s.workloads[s.nworkloads++] = &wl_io_tcp;
	s.models[s.nmodels++] = &model_coroutines;
	s.workers[s.nworkers++] = 1000;
	s.workers[s.nworkers++] = 100000;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_non_null(cell_named(&p, "io/tcp/coroutines/workers:1000/pin:core"));
	why = unplanned_why(&p, "io/tcp/coroutines/workers:100000/pin:core");
	assert_non_null(why);
	assert_non_null(strstr(why, "descriptors"));
	cc_plan_free(&p);
}

/* The standard suite: the headline's workload sweeps the workers, the others run at the machine's size, the
 * servers on the nearest two cores; --workers and --pin choose again. */
static void the_standard_suite_focuses(void **state)
{
	(void)state;
	struct cc_select s = base("standard");
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_non_null(cell_named(&p, "cpu/hash/threads/workers:8/pin:core"));
	assert_non_null(cell_named(&p, "cpu/hash/threads/workers:256/pin:core"));
	assert_non_null(cell_named(&p, "cpu/spin/serial/workers:1/pin:core"));
	assert_non_null(cell_named(&p, "cpu/spin/process-per-task/workers:128/pin:core"));
	unsigned spin = 0, cpu_only = 0;
	for (unsigned m = 0; m < model_count; m++)
		cpu_only += model_all[m]->cpu_headline_only;
	for (unsigned k = 0; k < p.ncells; k++) {
		const struct cc_cell *c = &p.cells[k];
		spin += c->inst->wl == &wl_cpu_spin;
		if ((c->inst->wl == &wl_cpu_spin && c->model != &model_serial) || c->model->cpu_headline_only)
			assert_int_equal(c->workers, 128); /* the largest count of the sweep within the 128 CPUs */
	}
	assert_int_equal(spin, model_count - cpu_only); /* serial, and every other model once */
	cc_plan_free(&p);
	s.workers[s.nworkers++] = 8; /* counts given: every workload runs them */
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_non_null(cell_named(&p, "cpu/spin/threads/workers:8/pin:core"));
	cc_plan_free(&p);

	s = (struct cc_select){.suite = cc_suite_find("standard"), .timeout_s = 60, .topo = &big};
	s.workloads[s.nworkloads++] = &sc_server_epoll;
	s.workloads[s.nworkloads++] = &sc_switch_pipe;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	unsigned servers = 0;
	for (unsigned k = 0; k < p.ncells; k++)
		if (p.cells[k].inst->wl == &sc_server_epoll) {
			assert_int_equal(p.cells[k].pin, TOPO_SAME_L3);
			servers++;
		}
	assert_int_equal(servers, 3); /* at 1, 100 and 1,000 connections */
	assert_non_null(cell_named(&p, "switch/pipe/threads/workers:2/pin:cross-numa")); /* the others: every pair */
	cc_plan_free(&p);
	s.pins[s.npins++] = TOPO_SAME_CPU;
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_non_null(cell_named(&p, "server/epoll/processes/workers:2/pin:same-cpu/conns:1000"));
	cc_plan_free(&p);
}

static void placement_checks(void **state)
{
	(void)state;
	int cpus[2] = {4, 5};
	struct cc_worker_info w[2] = {
		{.cpu_requested = 4, .nobserved = 1, .observed = {4}},
		{.cpu_requested = 5, .nobserved = 1, .observed = {5}, .migrations = 0},
	};
	struct cc_cell c = {.workers = 2, .cpus = cpus, .workers_info = w};
	cc_cell_check_placement(&c);
	assert_false(c.placement_bad);
	w[1].nobserved = 2, w[1].observed[1] = 7, w[1].migrations = 1; /* worker 1 wandered */
	cc_cell_check_placement(&c);
	assert_true(c.placement_bad);
	assert_string_equal(c.placement_why, "worker 1: bound to CPU 5 but seen on CPU 7");
	assert_int_equal(c.migrations, 1);

	struct cc_cell d = {.workers = 2, .cpus = cpus, .workers_info = w};
	w[1].nobserved = 1;
	w[0].bind_err = -EINVAL; /* what a container's cpuset does to a bind */
	cc_cell_check_placement(&d);
	assert_true(d.placement_bad);
	assert_non_null(strstr(d.placement_why, "worker 0: binding to CPU 4 failed"));

	struct cc_cell e = {.workers = 2, .cpus = NULL, .workers_info = w}; /* unpinned: anywhere is fine */
	w[0].bind_err = 0, w[0].observed[0] = 1;
	cc_cell_check_placement(&e);
	assert_false(e.placement_bad);
}

static void statistics(void **state)
{
	(void)state;
	double v[] = {5, 1, 3, 2, 4};
	assert_true(cc_median(v, 5) == 3);
	double w[] = {4, 1, 3, 2};
	assert_true(cc_median(w, 4) == 2.5);
	struct cc_rep reps[3] = {{.wall_s = 1}, {.wall_s = 1}, {.wall_s = 1}};
	struct cc_cell c = {.reps = reps, .nreps = 3};
	assert_true(cc_cell_cv(&c) == 0);
	reps[2].wall_s = 4; /* mean 2, sample sd sqrt(3) */
	assert_true(cc_cell_cv(&c) > 0.86 && cc_cell_cv(&c) < 0.87);
	c.nreps = 1;
	assert_true(cc_cell_cv(&c) < 0);
}

/* Every workload follows a probe that exists, and a batch never falls under the suite's minimum. */
static void probes_and_minimum_batches(void **state)
{
	(void)state;
	for (unsigned k = 0; k < wl_count; k++) {
		if (wl_all[k]->probe)
			assert_true(cc_probe_find(wl_all[k]->probe) >= 0);
		int kind = cc_workload_probe(wl_all[k]);
		assert_true(kind >= 0 && kind < CC_PROBE_KINDS);
		/* a workload whose tasks differ in length is ordered by its "order" parameter (WL_ORDER_PARAM) */
		int order = wl_param_index(wl_all[k], "order");
		if (wl_all[k]->task_cost)
			assert_true(order >= 0 && wl_all[k]->params[order].max == WL_ORDER_PRIORITY);
	}
	assert_int_equal(cc_workload_probe(wl_find("cpu/spin")), CC_PROBE_CPU);
	assert_int_equal(cc_workload_probe(wl_find("mem/stream")), CC_PROBE_MEM_BW);
	assert_int_equal(cc_workload_probe(wl_find("io/sleep")), CC_PROBE_WAKE);

	struct topo t;
	assert_int_equal(topo_load(&t, "pack:1 core:2 pu:1", NULL), 0);
	struct cc_select sel = {.suite = cc_suite_find("standard"), .topo = &t, .workloads = {wl_find("cpu/spin")},
				.nworkloads = 1, .models = {&model_serial}, .nmodels = 1};
	sel.params[0] = param_override(NULL, "ns", "0");
	sel.nparams = 1;
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&sel, &p, err, sizeof(err)), 0);
	/* empty tasks (about 200 ns each): 2000 of them would be 0.4 ms; the standard suite asks for 10 ms */
	assert_true(p.inst[0].ntasks * 200.0 >= 0.01 * 1e9);
	assert_int_equal(p.max_repetitions, 2 * p.repetitions);
	cc_plan_free(&p);
	sel.max_repetitions = 3;
	sel.repetitions = 7; /* a cap below the rounds is the rounds */
	assert_int_equal(cc_plan_build(&sel, &p, err, sizeof(err)), 0);
	assert_int_equal(p.max_repetitions, 7);
	cc_plan_free(&p);
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worker_sweeps),
		cmocka_unit_test(parameters_parse_and_check_bounds),
		cmocka_unit_test(cells_are_named_and_serial_runs_once),
		cmocka_unit_test(filters_and_overrides),
		cmocka_unit_test(placements_are_a_dimension),
		cmocka_unit_test(smoke_scales_tasks_down),
		cmocka_unit_test(bad_selections_name_the_flag),
		cmocka_unit_test(parameter_lists_and_names),
		cmocka_unit_test(a_list_sweeps_a_parameter),
		cmocka_unit_test(a_scenario_goes_by_pair_policies),
		cmocka_unit_test(the_full_suite_runs_each_workloads_sweep),
		cmocka_unit_test(the_waiting_sweep_goes_past_the_cores),
		cmocka_unit_test(the_standard_suite_focuses),
		cmocka_unit_test(placement_checks),
		cmocka_unit_test(statistics),
		cmocka_unit_test(probes_and_minimum_batches),
	};
	return cmocka_run_group_tests(tests, load_topology, free_topology);
}
