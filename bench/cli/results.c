/* Reading result files for compare and history; see results.h. */
#include "cli/results.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exitcodes.h"
#include "core/plan.h"

static double unit_ns(const char *unit)
{
	return !unit ? 1 : !strcmp(unit, "us") ? 1e3 : !strcmp(unit, "ms") ? 1e6 : !strcmp(unit, "s") ? 1e9 : 1;
}

struct series *results_find(struct result_file *f, const char *name)
{
	for (size_t k = 0; k < f->n; k++)
		if (!strcmp(f->s[k].name, name))
			return &f->s[k];
	return NULL;
}

static void strip_suffix(char *name)
{
	size_t len = strlen(name), suf = strlen("/manual_time");
	if (len > suf && !strcmp(name + len - suf, "/manual_time"))
		name[len - suf] = 0;
}

int results_load(const char *verb, const char *path, struct result_file *f)
{
	json_error_t err;
	memset(f, 0, sizeof(*f));
	f->path = path;
	json_t *doc = json_load_file(path, 0, &err);
	if (!doc) {
		fprintf(stderr, "concur: %s: %s:%d:%d: %s\n", verb, path, err.line, err.column, err.text);
		return CC_EXIT_USAGE;
	}
	json_t *benches = json_object_get(doc, "benchmarks");
	if (!json_is_array(benches)) {
		fprintf(stderr, "concur: %s: %s: not Google Benchmark JSON (no \"benchmarks\" array)\n", verb, path);
		json_decref(doc);
		return CC_EXIT_USAGE;
	}
	f->s = calloc(json_array_size(benches) + 1, sizeof(*f->s));
	size_t i;
	json_t *b;
	json_array_foreach(benches, i, b)
	{
		const char *type = json_string_value(json_object_get(b, "run_type"));
		const char *name = json_string_value(json_object_get(b, "run_name"));
		json_t *t = json_object_get(b, "real_time");
		if ((type && strcmp(type, "iteration")) || json_is_true(json_object_get(b, "error_occurred")) ||
		    !json_is_number(t))
			continue;
		if (!name)
			name = json_string_value(json_object_get(b, "name"));
		if (!name)
			continue;
		char key[256];
		snprintf(key, sizeof(key), "%s", name);
		strip_suffix(key);
		struct series *s = results_find(f, key);
		if (!s) {
			s = &f->s[f->n++];
			snprintf(s->name, sizeof(s->name), "%s", key);
			s->ns = calloc(json_array_size(benches), sizeof(double));
			s->speedup = -1;
		}
		s->ns[s->n++] = json_number_value(t) * unit_ns(json_string_value(json_object_get(b, "time_unit")));
	}
	const char *date = json_string_value(json_object_get(json_object_get(doc, "context"), "date"));
	snprintf(f->date, sizeof(f->date), "%s", date ? date : "");
	json_t *concur = json_object_get(doc, "concur"), *cb;
	const char *id = json_string_value(json_object_get(json_object_get(concur, "machine"), "id"));
	if (!id)
		id = json_string_value(json_object_get(json_object_get(doc, "context"), "host_name"));
	snprintf(f->machine, sizeof(f->machine), "%s", id ? id : "unknown");
	json_array_foreach(json_object_get(concur, "benchmarks"), i, cb)
	{
		struct series *s = results_find(f, json_string_value(json_object_get(cb, "name")) ?: "");
		if (!s)
			continue;
		json_t *sp = json_object_get(cb, "speedup");
		s->speedup = json_is_number(sp) ? json_number_value(sp) : -1;
		s->workers = (int)json_integer_value(json_object_get(cb, "workers"));
		s->noisy = json_is_true(json_object_get(cb, "noisy"));
	}
	json_decref(doc);
	return 0;
}

void results_free(struct result_file *f)
{
	for (size_t k = 0; k < f->n; k++)
		free(f->s[k].ns);
	free(f->s);
}

double series_median(const struct series *s)
{
	double *v = malloc(s->n * sizeof(double));
	if (!v)
		return 0;
	memcpy(v, s->ns, s->n * sizeof(double));
	double m = cc_median(v, (unsigned)s->n);
	free(v);
	return m;
}
