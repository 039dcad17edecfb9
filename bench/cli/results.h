/* Result files as the comparing verbs read them: per benchmark, one time per repetition. */
#ifndef CONCUR_CLI_RESULTS_H
#define CONCUR_CLI_RESULTS_H

#include <stddef.h>

struct series {
	char name[256]; /* the benchmark's name, without Google Benchmark's /manual_time */
	double *ns;     /* one real time per repetition, in ns */
	size_t n;
	double speedup; /* from the concur block; < 0 when unknown */
	int workers;
	int noisy;
};

struct result_file {
	const char *path;
	char machine[64];
	char date[40]; /* the context's date: results sort by it */
	struct series *s;
	size_t n;
};

/* Loads any Google Benchmark JSON (the concur block when there is one): 0, or an exit code
 * after saying on stderr, as verb, what is wrong and where (file:line:column). */
int results_load(const char *verb, const char *path, struct result_file *f);
void results_free(struct result_file *f);
struct series *results_find(struct result_file *f, const char *name);
double series_median(const struct series *s);

#endif
