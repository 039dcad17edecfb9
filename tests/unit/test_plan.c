/* Plans: suites, worker sweeps, parameters, filters and the names of cells. */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/plan.h"

static void worker_sweeps(void **state)
{
	(void)state;
	unsigned w[CC_MAX_LIST], n;
	n = cc_default_workers(cc_suite_find("smoke"), 64, w, CC_MAX_LIST);
	assert_int_equal(n, 2);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 2);
	n = cc_default_workers(cc_suite_find("standard"), 2, w, CC_MAX_LIST);
	assert_int_equal(n, 3);
	assert_int_equal(w[2], 4);
	n = cc_default_workers(cc_suite_find("quick"), 6, w, CC_MAX_LIST);
	assert_int_equal(n, 4); /* 1 2 4 6: the machine's own count is always a point */
	assert_int_equal(w[3], 6);
	n = cc_default_workers(cc_suite_find("full"), 1, w, CC_MAX_LIST);
	assert_int_equal(n, 2); /* 1 and 2x oversubscribed */
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
	struct cc_select s = {.suite = cc_suite_find(suite), .timeout_s = 60, .max_cv = 0.05};
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
	/* per workload: serial once + (model_count - 1) models x 3 counts */
	assert_int_equal(p.ncells, 2 * (1 + (model_count - 1) * 3));
	assert_string_equal(p.cells[0].name, "cpu/hash/serial/workers:1/pin:none");
	assert_ptr_equal(p.inst[0].serial, &p.cells[0]);
	assert_string_equal(p.cells[3].name, "cpu/hash/threads/workers:8/pin:none");
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
	s.params[s.nparams++] = (struct cc_param_override){&wl_cpu_hash, "size", 4096};
	struct cc_plan p;
	char err[256];
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), 0);
	assert_int_equal(p.ncells, 2);
	assert_string_equal(p.cells[0].name, "cpu/hash/threads/workers:2/pin:none");
	assert_null(p.inst[0].serial); /* filtered out: the runner computes the reference itself */
	assert_int_equal(p.inst[0].params[0], 4096);
	assert_int_equal(p.inst[1].params[0], wl_cpu_spin.params[0].def);
	assert_int_equal(p.inst[0].ntasks, 7);
	assert_int_equal(p.repetitions, 4);
	cc_plan_free(&p);
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
	s.params[s.nparams++] = (struct cc_param_override){NULL, "ns", 5};
	assert_int_equal(cc_plan_build(&s, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--param"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worker_sweeps),
		cmocka_unit_test(parameters_parse_and_check_bounds),
		cmocka_unit_test(cells_are_named_and_serial_runs_once),
		cmocka_unit_test(filters_and_overrides),
		cmocka_unit_test(smoke_scales_tasks_down),
		cmocka_unit_test(bad_selections_name_the_flag),
		cmocka_unit_test(statistics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
