/* The verbs that are more than running a plan: each returns an exit code. */
#ifndef CONCUR_CLI_VERBS_H
#define CONCUR_CLI_VERBS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/plan.h"

/* concur topo: the topology, the sweep, the plan for sel's worker counts and policies, and with pairs
 * (or a pair policy in sel) the CPUs of every pair policy. */
int cli_topo(const char *synthetic, const char *xml, const struct cc_select *sel, bool pairs, bool json);
/* concur doctor: noise sources with remedies. */
int cli_doctor(bool json);

struct cc_compare_opts {
	double threshold; /* a fraction: 0.05 */
	double alpha;
	bool gate;
	bool strict;        /* the gate also fails on inconclusive and unstable benchmarks */
	size_t last;        /* of a directory of base runs, only the last K by date; 0: all */
	const char *format; /* table, md, json, html */
	FILE *to;           /* where the table goes; NULL: standard output */
};

struct cc_history_opts {
	size_t window; /* at most this many runs on each side of a candidate change */
	double p;      /* a change is kept when its t-test's p is below this */
	bool json;
	const char *out; /* draw each series' chart here too; NULL: no charts */
};

/* concur history: series and change points over result files and directories. */
int cli_history(const char *const *args, unsigned nargs, const struct cc_history_opts *o);

/* concur plot: figures (SVG, PNG) and index.html in dir; 3 without gnuplot. Without draw, only the
 * figures' data files and the index (gnuplot is not run). */
int cli_plot(const char *const *files, unsigned nfiles, const char *dir, bool draw);

/* concur lessons: the course notes' claims with this result file's figures, as Markdown on standard output
 * or atomically into out; micro (concur-micro --json's output) adds the pools' own figures. */
int cli_lessons(const char *result, const char *micro, const char *out);

/* concur serve: an IO model of server/ alone on host:port (host an IPv4 address, NULL: 127.0.0.1; port 0:
 * any free port) until a signal. */
int cli_serve(const char *name, const char *host, int port, const struct cc_select *sel);

/* run --like BASE.json: the work of another run (cli/like.c). */
struct cli_like {
	const char *path;
	uint64_t busy_rate;           /* 0: BASE records none */
	const struct cc_suite *suite; /* BASE's, if it names one concur has */
	struct cli_like_instance {
		char key[320]; /* class/workload name=value ... */
		uint64_t tasks;
	} *inst;              /* BASE's workload instances */
	size_t ninst;
};
/* Reads BASE: 0, or -EINVAL with err saying what is wrong where. */
int cli_like_load(const char *path, struct cli_like *like, char *err, size_t len);
/* Gives the plan BASE's calibration and task counts; -ENOENT when some instance is not in BASE (said on
 * stderr; it keeps its own count). */
int cli_like_apply(const struct cli_like *like, struct cc_plan *plan);
void cli_like_free(struct cli_like *like);

/* concur c2c: the core-to-core matrix (cli/c2c.c). */
struct cc_c2c_opts {
	const char *synthetic; /* plan only, on this description */
	unsigned sample;       /* at most this many CPUs, spread over the machine; 0: all */
	unsigned batches, round_trips;
	double timeout_s;      /* per pair */
	const char *out;       /* JSON here; NULL: none */
	const char *plot_dir;  /* the heatmap here; NULL: none */
};
int cli_c2c(const struct cc_c2c_opts *o);

/* concur compare: under gate, exit 1 when a benchmark is really slower, the work differs or nothing was
 * compared, 3 when no benchmark could be judged; 2 for unreadable files. */
int cli_compare(const char *base, const char *new, const struct cc_compare_opts *o);

#endif
