/* Result files as the comparing verbs read them: per benchmark, one time per repetition. */
#ifndef CONCUR_CLI_RESULTS_H
#define CONCUR_CLI_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/probe.h"

struct series {
	char name[256]; /* the benchmark's name, without Google Benchmark's /manual_time */
	double *ns;     /* one real time per repetition, in ns */
	size_t n, cap;
	double speedup; /* from the concur block; < 0 when unknown */
	int workers;
	int noisy;
	char cls[16];       /* the class, from the concur block or the name */
	char checksum[17];  /* "" when the file records none */
	double relative;    /* wall time over its reference probe (concur block); < 0 when unknown */
	double relative_sigma; /* the repetitions' spread of it, a fraction */
	bool probe_in_cell;
	double huge_mib;       /* the most of the buffers that huge pages backed, MiB; < 0 unknown */    /* the probe was taken by the cell around each batch (not between benchmarks) */
	int probe;          /* that probe's kind; -1 when unknown */
};

struct result_file {
	const char *path;
	bool owns_path; /* path is malloc'd (found in a directory) */
	char machine[64];
	char date[40]; /* the context's date: results sort by it */
	struct series *s;
	size_t n;
	struct json_t *index; /* name -> position in s */
	/* the reference probes' samples (concur.probes), per kind */
	double *probe[CC_PROBE_KINDS];
	size_t nprobe[CC_PROBE_KINDS];
	double steal_pct; /* over the run; < 0 when unknown */
	struct doctor_check {
		char check[24], value[160];
	} doctor[16];
	unsigned ndoctor;
};

/* Loads every result file named or found (*.json, recursively) under a directory, sorted by date.
 * 0 with *files (free each and the array) and *n, or an exit code after saying why on stderr. */
int results_load_set(const char *verb, const char *const *args, unsigned nargs, struct result_file **files,
		     size_t *n);

/* The result files named or found (*.json, recursively) under the directories named, at most 4096
 * (said when more): 0 with *paths (free with results_paths_free), or an exit code after saying why. */
int results_paths(const char *verb, const char *const *args, unsigned nargs, char ***paths, size_t *n);
void results_paths_free(char **paths, size_t n);

/* Loads any Google Benchmark JSON (the concur block when there is one): 0, or an exit code
 * after saying on stderr, as verb, what is wrong and where (file:line:column). */
int results_load(const char *verb, const char *path, struct result_file *f);
void results_free(struct result_file *f);
struct series *results_find(struct result_file *f, const char *name);
double series_median(const struct series *s);

#endif
