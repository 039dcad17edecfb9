/*
 * concur run --like BASE.json: this run does exactly the work BASE did. The
 * parameters come from the flags as always (the suite defaults to BASE's); what
 * a run measures at setup and what the suite derives from estimates comes from
 * BASE instead: the busy loop's calibration and every workload instance's task
 * count. Then the checksums of the two runs agree and compare can hold them to it.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/verbs.h"
#include "core/busy.h"

/* "class/workload name=value name=value": one workload instance, as both sides describe it. */
static void instance_key(char *buf, size_t len, const char *cls, const char *wl, const char *const *names,
			 const int64_t *values, unsigned n)
{
	size_t at = (size_t)snprintf(buf, len, "%s/%s", cls, wl);
	for (unsigned k = 0; k < n && at < len; k++)
		at += (size_t)snprintf(buf + at, len - at, " %s=%" PRId64, names[k], values[k]);
}

static int bad_file(char *err, size_t len, const char *path, const char *what)
{
	snprintf(err, len, "--like: %s: %s", path, what);
	return -EINVAL;
}

int cli_like_load(const char *path, struct cli_like *like, char *err, size_t len)
{
	json_error_t je;
	memset(like, 0, sizeof(*like));
	like->path = path;
	like->doc = json_load_file(path, 0, &je);
	if (!like->doc) {
		snprintf(err, len, "--like: %s:%d:%d: %s", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	json_t *concur = json_object_get(like->doc, "concur");
	if (!json_is_object(concur))
		return bad_file(err, len, path, "not a concur result (no \"concur\" object)");
	like->benches = json_object_get(concur, "benchmarks");
	if (!json_is_array(like->benches))
		return bad_file(err, len, path, "concur.benchmarks is not an array");
	json_t *cal = json_object_get(concur, "calibration");
	json_t *rate = json_object_get(cal, "busy_steps_per_ms");
	if (cal && !json_is_integer(rate))
		return bad_file(err, len, path, "concur.calibration.busy_steps_per_ms is not a whole number");
	if (rate && (json_integer_value(rate) < 1 || json_integer_value(rate) > 1000000000))
		return bad_file(err, len, path, "concur.calibration.busy_steps_per_ms is out of range (1 to 10^9)");
	like->busy_rate = rate ? (uint64_t)json_integer_value(rate) : 0;
	const char *suite = json_string_value(json_object_get(json_object_get(concur, "run"), "suite"));
	like->suite = suite ? cc_suite_find(suite) : NULL;
	return 0;
}

void cli_like_free(struct cli_like *like)
{
	json_decref(like->doc);
	memset(like, 0, sizeof(*like));
}

/* BASE's task count for an instance with this key; 0 when BASE has no such instance. */
static uint64_t base_tasks(const struct cli_like *like, const char *key)
{
	size_t i;
	json_t *b;
	json_array_foreach(like->benches, i, b)
	{
		const char *cls = json_string_value(json_object_get(b, "class"));
		const char *wl = json_string_value(json_object_get(b, "workload"));
		json_t *params = json_object_get(b, "params"), *tasks = json_object_get(b, "tasks");
		if (!cls || !wl || !json_is_object(params) || !json_is_integer(tasks) || json_integer_value(tasks) < 1 ||
		    json_object_size(params) > WL_MAX_PARAMS)
			continue;
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
		char theirs[512];
		instance_key(theirs, sizeof(theirs), cls, wl, names, values, n);
		if (!strcmp(theirs, key))
			return (uint64_t)json_integer_value(tasks);
	}
	return 0;
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
		char key[512];
		instance_key(key, sizeof(key), wl_class_name(in->wl->cls), in->wl->name, names, in->params, n);
		uint64_t tasks = base_tasks(like, key);
		if (tasks) {
			in->ntasks = tasks;
		} else {
			fprintf(stderr, "concur: run: --like: %s has no %s: it runs with its own task count\n", like->path,
				key);
			missing++;
		}
	}
	plan->like = like->path;
	return missing ? -ENOENT : 0;
}
