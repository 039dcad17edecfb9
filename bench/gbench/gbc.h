/*
 * gbc: a C interface to Google Benchmark, the only C++ in concur.
 *
 * C code registers benchmarks, drives the iteration loop with manual time,
 * sets counters, labels and errors, and adds a top-level object to the JSON
 * that Google Benchmark writes. Google Benchmark's own JSON is kept as the
 * library writes it; the extra object is spliced in before the closing brace,
 * so tools that read that format keep working. One exception: a non-finite
 * statistic the library computed (0/0 for the cv of an all-zero counter) is
 * left out, because NaN is not JSON.
 */
#ifndef CONCUR_GBC_H
#define CONCUR_GBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gbc_state gbc_state; /* a benchmark::State */
typedef void gbc_fn(gbc_state *st, void *arg);

/* Google Benchmark's Counter::Flags, same values. */
enum gbc_counter_flags {
	GBC_COUNTER_DEFAULT = 0,
	GBC_COUNTER_IS_RATE = 1u << 0,
	GBC_COUNTER_AVG_THREADS = 1u << 1,
	GBC_COUNTER_ITERATION_INVARIANT = 1u << 2,
	GBC_COUNTER_AVG_ITERATIONS = 1u << 3,
	GBC_COUNTER_INVERT = 1u << 31,
};

enum gbc_time_unit { GBC_NS, GBC_US, GBC_MS, GBC_S };

struct gbc_bench_opts {
	int64_t iterations;  /* 0: let Google Benchmark choose */
	int repetitions;     /* 0: the run's (gbc_run_opts); unlike the library's own, not added to the name */
	bool manual_time;    /* time comes from gbc_set_iteration_time */
	enum gbc_time_unit unit;
};

/* Registers a benchmark; fn(st, arg) runs once per repetition. 0 or -EINVAL. */
int gbc_register(const char *name, gbc_fn *fn, void *arg, const struct gbc_bench_opts *opts);

bool gbc_keep_running(gbc_state *st);
void gbc_set_iteration_time(gbc_state *st, double seconds);
/* Sets a user counter; a NaN or infinite value is refused with -EDOM (JSON has no such numbers). */
int gbc_set_counter(gbc_state *st, const char *name, double value, unsigned flags);
void gbc_set_label(gbc_state *st, const char *label);
void gbc_skip_with_error(gbc_state *st, const char *msg);
bool gbc_error_occurred(const gbc_state *st);
/* Adds a string to the JSON "context" object. */
void gbc_add_context(const char *key, const char *value);

/* Returns the JSON text (malloc'd, the value only) to add under the extra key; NULL when it could not
 * be made (out of memory): the document is still handed to the sink, without it, and gbc_run returns
 * -ENODATA. */
typedef char *gbc_extra_fn(void *arg);
/* Receives the finished JSON document; returns 0 or -errno. */
typedef int gbc_sink_fn(const char *json, size_t len, void *arg);

struct gbc_output {
	const char *extra_key; /* e.g. "concur" */
	gbc_extra_fn *extra;
	gbc_sink_fn *sink;
	void *arg;
};

/*
 * Run-wide settings. They go through Google Benchmark's own flags rather than
 * per-benchmark calls, because per-benchmark settings are appended to the
 * benchmark's name ("/repeats:5") and run-wide ones are not.
 */
struct gbc_run_opts {
	const char *filter; /* Google Benchmark regex; NULL: all */
	int repetitions;    /* 0: library default (1) */
	bool one_iteration; /* each repetition is exactly one iteration */
};

/* Runs the registered benchmarks and hands the JSON to out->sink. Returns the
 * number of benchmarks run, or -errno if the sink failed (-ENODATA: the extra object could not be
 * made, and the sink got the document without it). */
long gbc_run(const struct gbc_run_opts *opts, const struct gbc_output *out);

/* The library version this was built against, e.g. "1.7.1" ("unknown" if not known). */
const char *gbc_library_version(void);

#ifdef __cplusplus
}
#endif
#endif
