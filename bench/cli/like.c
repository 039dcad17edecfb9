/*
 * concur run --like BASE.json: this run does exactly the work BASE did. The
 * parameters come from the flags as always (the suite defaults to BASE's); what
 * a run measures at setup and what the suite derives from estimates comes from
 * BASE instead: the busy loop's calibration and every workload instance's task
 * count. Then the checksums of the two runs agree and compare can hold them to it.
 *
 * BASE is parsed in an arena of its own that is unmapped as soon as the little
 * that is kept has been copied out: a parsed result file is megabytes of small
 * allocations, and left in the heap that every cell process and every fork per
 * task copies, it made process-per-task 60% slower (measured: 158 vs 100 ms a
 * batch of cpu/spin) than a run without --like.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cli/verbs.h"
#include "base/busy.h"

/* "class/workload name=value name=value": one workload instance, as both sides describe it. */
static void instance_key(char *buf, size_t len, const char *cls, const char *wl, const char *const *names,
			 const int64_t *values, unsigned n)
{
	size_t at = (size_t)snprintf(buf, len, "%s/%s", cls, wl);
	for (unsigned k = 0; k < n && at < len; k++)
		at += (size_t)snprintf(buf + at, len - at, " %s=%" PRId64, names[k], values[k]);
}

static struct {
	char *base;
	size_t used, cap;
} arena;

static void *arena_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n > arena.cap - arena.used)
		return NULL; /* jansson reports it as out of memory */
	void *p = arena.base + arena.used;
	arena.used += n;
	return p;
}

static void arena_free(void *p) { (void)p; } /* the whole arena goes at once */

static int bad_file(char *err, size_t len, const char *path, const char *what)
{
	snprintf(err, len, "--like: %s: %s", path, what);
	return -EINVAL;
}

/* Copies out of the parsed document what the run needs: calibration, suite, tasks per instance. */
static int extract(json_t *doc, struct cli_like *like, char *err, size_t len)
{
	json_t *concur = json_object_get(doc, "concur");
	if (!json_is_object(concur))
		return bad_file(err, len, like->path, "not a concur result (no \"concur\" object)");
	json_t *benches = json_object_get(concur, "benchmarks");
	if (!json_is_array(benches))
		return bad_file(err, len, like->path, "concur.benchmarks is not an array");
	json_t *cal = json_object_get(concur, "calibration");
	json_t *rate = json_object_get(cal, "busy_steps_per_ms");
	if (cal && !json_is_integer(rate))
		return bad_file(err, len, like->path, "concur.calibration.busy_steps_per_ms is not a whole number");
	if (rate && (json_integer_value(rate) < 1 || json_integer_value(rate) > 1000000000))
		return bad_file(err, len, like->path, "concur.calibration.busy_steps_per_ms is out of range (1 to 10^9)");
	like->busy_rate = rate ? (uint64_t)json_integer_value(rate) : 0;
	const char *suite = json_string_value(json_object_get(json_object_get(concur, "run"), "suite"));
	like->suite = suite ? cc_suite_find(suite) : NULL;

	like->inst = calloc(json_array_size(benches) + 1, sizeof(*like->inst));
	if (!like->inst)
		return bad_file(err, len, like->path, strerror(ENOMEM));
	size_t i;
	json_t *b;
	json_array_foreach(benches, i, b)
	{
		const char *cls = json_string_value(json_object_get(b, "class"));
		const char *wl = json_string_value(json_object_get(b, "workload"));
		/* the instance's batch, from which each cell's follows (older files: the cell's, the same then) */
		json_t *params = json_object_get(b, "params"), *tasks = json_object_get(b, "instance_tasks");
		if (!tasks)
			tasks = json_object_get(b, "tasks");
		if (!cls || !wl || !json_is_object(params) || !json_is_integer(tasks) || json_integer_value(tasks) < 1 ||
		    json_object_size(params) > WL_MAX_PARAMS)
			continue; /* not an instance this concur can match: it matches nothing */
		const char *names[WL_MAX_PARAMS];
		int64_t values[WL_MAX_PARAMS];
		unsigned n = 0;
		const char *name;
		json_t *v;
		json_object_foreach(params, name, v)
		{
			names[n] = name;
			values[n++] = json_is_integer(v) ? json_integer_value(v) : INT64_MIN;
		}
		struct cli_like_instance *in = &like->inst[like->ninst];
		instance_key(in->key, sizeof(in->key), cls, wl, names, values, n);
		in->tasks = (uint64_t)json_integer_value(tasks);
		bool seen = false;
		for (size_t k = 0; k < like->ninst && !seen; k++)
			seen = !strcmp(like->inst[k].key, in->key);
		like->ninst += !seen;
	}
	return 0;
}

int cli_like_load(const char *path, struct cli_like *like, char *err, size_t len)
{
	json_error_t je;
	struct stat st;
	memset(like, 0, sizeof(*like));
	like->path = path;
	if (stat(path, &st) < 0) {
		snprintf(err, len, "--like: %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	/* parsed JSON takes a few times the text; reserved, not committed, and returned whole */
	arena.cap = (size_t)st.st_size * 16 + (1 << 20);
	arena.used = 0;
	arena.base = mmap(NULL, arena.cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena.base == MAP_FAILED) {
		snprintf(err, len, "--like: %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	json_set_alloc_funcs(arena_alloc, arena_free);
	json_t *doc = json_load_file(path, 0, &je);
	int rc = 0;
	if (!doc) {
		snprintf(err, len, "--like: %s:%d:%d: %s", path, je.line, je.column, je.text);
		rc = -EINVAL;
	} else {
		rc = extract(doc, like, err, len);
		json_decref(doc);
	}
	json_set_alloc_funcs(malloc, free);
	munmap(arena.base, arena.cap);
	arena.base = NULL;
	return rc;
}

void cli_like_free(struct cli_like *like)
{
	free(like->inst);
	memset(like, 0, sizeof(*like));
}

int cli_like_apply(const struct cli_like *like, struct cc_plan *plan)
{
	if (like->busy_rate)
		cc_busy_set_rate(like->busy_rate);
	else
		fprintf(stderr, "concur: run: --like: %s records no calibration (an older concur): busy loops are "
				"calibrated anew, so cpu/spin and mix/cpu-io may do different work\n", like->path);
	unsigned missing = 0;
	for (unsigned i = 0; i < plan->ninst; i++) {
		struct cc_instance *in = &plan->inst[i];
		const char *names[WL_MAX_PARAMS];
		unsigned n = wl_param_count(in->wl);
		for (unsigned k = 0; k < n; k++)
			names[k] = in->wl->params[k].name;
		char key[sizeof(like->inst[0].key)];
		instance_key(key, sizeof(key), wl_class_name(in->wl->cls), in->wl->name, names, in->params, n);
		uint64_t tasks = 0;
		for (size_t k = 0; k < like->ninst && !tasks; k++)
			if (!strcmp(like->inst[k].key, key))
				tasks = like->inst[k].tasks;
		if (tasks) {
			in->ntasks = tasks;
		} else {
			fprintf(stderr, "concur: run: --like: %s has no %s: it runs with its own task count\n", like->path,
				key);
			missing++;
		}
	}
	for (unsigned k = 0; k < plan->ncells; k++)
		plan->cells[k].ntasks = cc_cell_tasks(plan, &plan->cells[k]);
	plan->like = like->path;
	return missing ? -ENOENT : 0;
}
