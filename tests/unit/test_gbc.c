/*
 * The Google Benchmark shim: registration, manual time, counters (non-finite
 * refused), labels, errors, custom context, and the extra object spliced into
 * the library's JSON without disturbing it.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "gbench/gbc.h"

static int counter_nan_rc, counter_inf_rc, counter_ok_rc;
static char *captured;
static size_t captured_len;

static void bench_basic(gbc_state *st, void *arg)
{
	int *calls = arg;
	(*calls)++;
	while (gbc_keep_running(st))
		gbc_set_iteration_time(st, 0.002);
	counter_ok_rc = gbc_set_counter(st, "answer", 42, GBC_COUNTER_DEFAULT);
	counter_nan_rc = gbc_set_counter(st, "nan", NAN, GBC_COUNTER_DEFAULT);
	counter_inf_rc = gbc_set_counter(st, "inf", INFINITY, GBC_COUNTER_DEFAULT);
	gbc_set_label(st, "a label");
}

static void bench_error(gbc_state *st, void *arg)
{
	(void)arg;
	gbc_skip_with_error(st, "it broke");
	assert_true(gbc_error_occurred(st));
}

static char *extra(void *arg)
{
	(void)arg;
	return strdup("{\"hello\": [1, 2]}");
}

static int capture(const char *json, size_t len, void *arg)
{
	(void)arg;
	free(captured);
	captured = strndup(json, len);
	captured_len = len;
	return 0;
}

static int failing_sink(const char *json, size_t len, void *arg)
{
	(void)json, (void)len, (void)arg;
	return -EIO;
}

static int basic_calls;

static int setup(void **state)
{
	(void)state;
	struct gbc_bench_opts manual = {.manual_time = true, .unit = GBC_MS};
	if (gbc_register("shim/basic", bench_basic, &basic_calls, &manual) ||
	    gbc_register("shim/error", bench_error, NULL, NULL))
		return -1;
	gbc_add_context("shim_key", "shim value");
	return 0;
}

static void registration_refuses_nonsense(void **state)
{
	(void)state;
	assert_int_equal(gbc_register("", bench_error, NULL, NULL), -EINVAL);
	assert_int_equal(gbc_register("x", NULL, NULL, NULL), -EINVAL);
}

static json_t *find_bench(json_t *benches, const char *prefix)
{
	size_t i;
	json_t *b;
	json_array_foreach(benches, i, b)
	{
		if (!strncmp(json_string_value(json_object_get(b, "name")), prefix, strlen(prefix)))
			return b;
	}
	return NULL;
}

static void run_writes_library_json_plus_extra(void **state)
{
	(void)state;
	const struct gbc_output out = {.extra_key = "concur", .extra = extra, .sink = capture};
	const struct gbc_run_opts opts = {.repetitions = 3, .one_iteration = true};
	long n = gbc_run(&opts, &out);
	assert_int_equal(n, 2);
	assert_int_equal(basic_calls, 3); /* one call per repetition, one iteration each */
	assert_int_equal(counter_ok_rc, 0);
	assert_int_equal(counter_nan_rc, -EDOM);
	assert_int_equal(counter_inf_rc, -EDOM);

	json_error_t err;
	json_t *doc = json_loads(captured, 0, &err);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "context"), "shim_key")),
			    "shim value");
	json_t *benches = json_object_get(doc, "benchmarks");
	json_t *basic = find_bench(benches, "shim/basic");
	assert_non_null(basic);
	assert_string_equal(json_string_value(json_object_get(basic, "name")), "shim/basic/manual_time");
	assert_true(fabs(json_real_value(json_object_get(basic, "real_time")) - 2.0) < 1e-9); /* 2 ms, manual */
	assert_string_equal(json_string_value(json_object_get(basic, "time_unit")), "ms");
	assert_true(json_number_value(json_object_get(basic, "answer")) == 42);
	assert_null(json_object_get(basic, "nan"));
	assert_null(json_object_get(basic, "inf"));
	assert_string_equal(json_string_value(json_object_get(basic, "label")), "a label");
	assert_non_null(find_bench(benches, "shim/basic/manual_time_median"));
	json_t *bad = find_bench(benches, "shim/error");
	assert_true(json_is_true(json_object_get(bad, "error_occurred")));
	assert_string_equal(json_string_value(json_object_get(bad, "error_message")), "it broke");
	json_t *hello = json_object_get(json_object_get(doc, "concur"), "hello");
	assert_int_equal(json_array_size(hello), 2);
	json_decref(doc);

	/* The library's own text is untouched: cut the spliced object out and it still parses whole. */
	char *cut = strstr(captured, ",\n  \"concur\": ");
	assert_non_null(cut);
	strcpy(cut, "\n}\n");
	doc = json_loads(captured, 0, &err);
	assert_non_null(doc);
	assert_null(json_object_get(doc, "concur"));
	assert_true(json_array_size(json_object_get(doc, "benchmarks")) > 4);
	json_decref(doc);
}

static void sink_failure_is_returned(void **state)
{
	(void)state;
	const struct gbc_output out = {.extra_key = "concur", .extra = extra, .sink = failing_sink};
	const struct gbc_run_opts opts = {.filter = "shim/error", .one_iteration = true};
	assert_int_equal(gbc_run(&opts, &out), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration_refuses_nonsense),
		cmocka_unit_test(run_writes_library_json_plus_extra),
		cmocka_unit_test(sink_failure_is_returned),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);
	free(captured);
	return rc;
}
