/* Reading result files for compare and history; see results.h. */
#include "cli/results.h"

#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/exitcodes.h"
#include "core/plan.h"
#include "base/stats.h"

static double unit_ns(const char *unit)
{
	return !unit ? 1 : !strcmp(unit, "us") ? 1e3 : !strcmp(unit, "ms") ? 1e6 : !strcmp(unit, "s") ? 1e9 : 1;
}

struct series *results_find(struct result_file *f, const char *name)
{
	json_t *at = f->index ? json_object_get(f->index, name) : NULL; /* a hash: files of 100,000 names */
	return at ? &f->s[json_integer_value(at)] : NULL;
}

/* Appends one repetition's time to s, growing its array by doubling; 0 or -ENOMEM. */
static int series_add(struct series *s, double ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		double *v = realloc(s->ns, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->ns = v;
		s->cap = cap;
	}
	s->ns[s->n++] = ns;
	return 0;
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
		if (err.line < 1) /* not a position in the file: the file itself (missing, unreadable) */
			fprintf(stderr, "concur: %s: %s: %s\n", verb, path, err.text);
		else
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
	f->index = json_object();
	if (!f->s || !f->index)
		goto nomem;
	size_t i, bad = 0, first_bad = 0;
	json_t *b;
	json_array_foreach(benches, i, b)
	{
		const char *type = json_string_value(json_object_get(b, "run_type"));
		const char *name = json_string_value(json_object_get(b, "run_name"));
		json_t *t = json_object_get(b, "real_time");
		if ((type && strcmp(type, "iteration")) || json_is_true(json_object_get(b, "error_occurred")))
			continue;
		if (!name)
			name = json_string_value(json_object_get(b, "name"));
		if (!name)
			continue;
		/* a time is a positive number of at most a day: anything else would compare as nonsense
		 * ("-150% faster"), so it is left out of every output alike, and said */
		double ns = json_is_number(t) ? json_number_value(t) * unit_ns(json_string_value(json_object_get(b, "time_unit"))) : -1;
		if (!(ns > 0 && ns <= 86400e9)) {
			first_bad = bad++ ? first_bad : i;
			continue;
		}
		char key[256];
		snprintf(key, sizeof(key), "%s", name);
		strip_suffix(key);
		struct series *s = results_find(f, key);
		if (!s) {
			s = &f->s[f->n];
			snprintf(s->name, sizeof(s->name), "%s", key);
			s->speedup = -1;
			if (json_object_set_new(f->index, key, json_integer((json_int_t)f->n)))
				goto nomem;
			f->n++;
		}
		if (series_add(s, ns))
			goto nomem;
	}
	if (bad)
		fprintf(stderr, "concur: %s: %s: %zu row%s left out: real_time is not a positive number of at most a day "
				"(first: benchmarks[%zu])\n",
			verb, path, bad, bad == 1 ? "" : "s", first_bad);
	const char *date = json_string_value(json_object_get(json_object_get(doc, "context"), "date"));
	snprintf(f->date, sizeof(f->date), "%s", date ? date : "");
	json_t *concur = json_object_get(doc, "concur"), *cb;
	const char *id = json_string_value(json_object_get(json_object_get(concur, "machine"), "id"));
	if (!id)
		id = json_string_value(json_object_get(json_object_get(doc, "context"), "host_name"));
	snprintf(f->machine, sizeof(f->machine), "%s", id ? id : "unknown");
	for (size_t k = 0; k < f->n; k++) { /* the class is the name's first part; the concur block may say */
		f->s[k].relative = -1;
		f->s[k].huge_mib = -1;
		f->s[k].probe = -1;
		snprintf(f->s[k].cls, sizeof(f->s[k].cls), "%.*s", (int)strcspn(f->s[k].name, "/"), f->s[k].name);
	}
	json_array_foreach(json_object_get(concur, "benchmarks"), i, cb)
	{
		struct series *s = results_find(f, json_string_value(json_object_get(cb, "name")) ?: "");
		if (!s)
			continue;
		json_t *sp = json_object_get(cb, "speedup");
		s->speedup = json_is_number(sp) ? json_number_value(sp) : -1;
		s->workers = (int)json_integer_value(json_object_get(cb, "workers"));
		s->noisy = json_is_true(json_object_get(cb, "noisy"));
		json_t *huge = json_object_get(json_object_get(cb, "huge_pages"), "bytes_max");
		s->huge_mib = json_is_integer(huge) && json_integer_value(huge) >= 0 ?
				      (double)json_integer_value(huge) / (1 << 20) : -1;
		const char *sum = json_string_value(json_object_get(cb, "checksum"));
		if (sum && strlen(sum) == 16 && strspn(sum, "0123456789abcdef") == 16)
			snprintf(s->checksum, sizeof(s->checksum), "%s", sum);
		json_t *probe = json_object_get(cb, "probe"), *rel = json_object_get(probe, "relative");
		int kind = cc_probe_find(json_string_value(json_object_get(probe, "kind")) ?: "");
		if (kind >= 0 && json_is_number(rel) && json_number_value(rel) > 0) {
			s->probe = kind;
			s->relative = json_number_value(rel);
			const char *taken = json_string_value(json_object_get(probe, "taken"));
			s->probe_in_cell = taken && !strcmp(taken, "cell");
			json_t *sig = json_object_get(probe, "relative_sigma");
			s->relative_sigma = json_is_number(sig) && json_number_value(sig) >= 0 ? json_number_value(sig) : 0;
		}
	}
	json_t *samples = json_object_get(json_object_get(concur, "probes"), "samples"), *row;
	for (int k = 0; k < CC_PROBE_KINDS; k++)
		if (!(f->probe[k] = calloc(json_array_size(samples) + 1, sizeof(double))))
			goto nomem;
	json_array_foreach(samples, i, row)
	{
		for (int k = 0; k < CC_PROBE_KINDS; k++) {
			json_t *v = json_object_get(row, cc_probe_names[k]);
			if (json_is_number(v) && json_number_value(v) > 0)
				f->probe[k][f->nprobe[k]++] = json_number_value(v);
		}
	}
	json_t *steal = json_object_get(json_object_get(concur, "probes"), "steal_pct");
	f->steal_pct = json_is_number(steal) ? json_number_value(steal) : -1;
	json_t *check;
	json_array_foreach(json_object_get(json_object_get(json_object_get(concur, "machine"), "doctor"), "checks"), i,
			   check)
	{
		const char *name = json_string_value(json_object_get(check, "check"));
		const char *value = json_string_value(json_object_get(check, "value"));
		if (name && value && f->ndoctor < sizeof(f->doctor) / sizeof(f->doctor[0])) {
			snprintf(f->doctor[f->ndoctor].check, sizeof(f->doctor[0].check), "%s", name);
			snprintf(f->doctor[f->ndoctor].value, sizeof(f->doctor[0].value), "%s", value);
			f->ndoctor++;
		}
	}
	json_decref(doc);
	return 0;
nomem:
	fprintf(stderr, "concur: %s: %s: %s\n", verb, path, strerror(ENOMEM));
	json_decref(doc);
	results_free(f);
	return CC_EXIT_FAIL;
}

#define MAX_FILES 4096

static char **paths;
static size_t npaths, nfound;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	size_t len = strlen(path);
	if (type == FTW_F && len > 5 && !strcmp(path + len - 5, ".json") && nfound++ < MAX_FILES)
		paths[npaths++] = strdup(path);
	return 0;
}

static int by_date(const void *a, const void *b)
{
	const struct result_file *x = a, *y = b;
	int c = strcmp(x->date, y->date);
	return c ? c : strcmp(x->path, y->path);
}

int results_paths(const char *verb, const char *const *args, unsigned nargs, char ***out, size_t *n)
{
	int rc = CC_EXIT_OK;
	paths = calloc(MAX_FILES, sizeof(*paths));
	npaths = nfound = 0;
	if (!paths)
		return CC_EXIT_FAIL;
	for (unsigned k = 0; k < nargs && !rc; k++) {
		struct stat st;
		if (stat(args[k], &st) < 0) {
			fprintf(stderr, "concur: %s: %s: %s\n", verb, args[k], strerror(errno));
			rc = CC_EXIT_USAGE;
		} else if (S_ISDIR(st.st_mode)) {
			nftw(args[k], collect, 16, FTW_PHYS);
		} else if (nfound++ < MAX_FILES) {
			paths[npaths++] = strdup(args[k]);
		}
	}
	if (!rc && nfound > npaths)
		fprintf(stderr, "concur: %s: %zu result files found, more than %d: only the first %d are read\n", verb,
			nfound, MAX_FILES, MAX_FILES);
	if (!rc && !npaths) {
		fprintf(stderr, "concur: %s: no result files (*.json) in %s\n", verb, nargs == 1 ? args[0] : "the arguments");
		rc = CC_EXIT_USAGE;
	}
	for (size_t k = 0; k < npaths && !rc; k++)
		if (!paths[k])
			rc = CC_EXIT_FAIL;
	if (rc) {
		results_paths_free(paths, npaths);
		return rc;
	}
	*out = paths;
	*n = npaths;
	return 0;
}

void results_paths_free(char **list, size_t n)
{
	for (size_t k = 0; list && k < n; k++)
		free(list[k]);
	free(list);
}

int results_load_set(const char *verb, const char *const *args, unsigned nargs, struct result_file **files,
		     size_t *n)
{
	char **list;
	size_t nlist;
	*files = NULL;
	*n = 0;
	int rc = results_paths(verb, args, nargs, &list, &nlist);
	if (rc)
		return rc;
	if (!(*files = calloc(nlist, sizeof(**files))))
		rc = CC_EXIT_FAIL;
	for (size_t k = 0; k < nlist && !rc; k++) {
		if ((rc = results_load(verb, list[k], &(*files)[*n])) == 0) {
			(*files)[*n].path = list[k];
			(*files)[*n].owns_path = true;
			list[k] = NULL; /* the file keeps its path */
			++*n;
		}
	}
	if (rc) {
		for (size_t k = 0; k < *n; k++)
			results_free(&(*files)[k]);
		free(*files);
		*files = NULL;
		*n = 0;
	} else {
		qsort(*files, *n, sizeof(**files), by_date);
	}
	results_paths_free(list, nlist);
	return rc;
}

void results_free(struct result_file *f)
{
	for (size_t k = 0; f->s && k <= f->n; k++) /* n, and the one being filled when memory ran out */
		free(f->s[k].ns);
	free(f->s);
	json_decref(f->index);
	f->s = NULL;
	f->index = NULL;
	for (int k = 0; k < CC_PROBE_KINDS; k++)
		free(f->probe[k]);
	if (f->owns_path)
		free((char *)f->path);
}

double series_median(const struct series *s) { return cc_median_of(s->ns, s->n); }
