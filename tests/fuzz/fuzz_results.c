/*
 * Fuzz target: a result file, as every verb that reads one takes it from another person: compare (as
 * base and new, gated), history, plot (its data files and index, without gnuplot), and run --like.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/results.h"
#include "cli/verbs.h"
#include "fuzz.h"

static char plot_dir[] = "/tmp/concur-fuzz-plot-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_plot_dir(void) { nftw(plot_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (!mkdtemp(plot_dir)) {
		perror("mkdtemp");
		abort();
	}
	atexit(remove_plot_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_as_file(data, size);
	struct result_file f;
	if (results_load("fuzz", path, &f) == 0) {
		for (size_t k = 0; k < f.n; k++)
			if (!results_find(&f, f.s[k].name))
				abort(); /* every series is found by its name */
		if (f.n)
			series_median(&f.s[0]);
		results_free(&f);
	}
	struct cc_compare_opts cmp = {.threshold = 0.05, .alpha = 0.01, .gate = true, .format = "json"};
	cli_compare(path, path, &cmp);
	struct cc_history_opts hist = {.window = 30, .p = 0.001, .json = true};
	const char *args[] = {path};
	cli_history(args, 1, &hist);
	cli_plot(args, 1, plot_dir, false);
	struct cli_like like;
	char err[512];
	cli_like_load(path, &like, err, sizeof(err));
	cli_like_free(&like);
	return 0;
}
