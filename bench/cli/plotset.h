/* What concur plot reads from result files and what it drew: shared by the figures (plot.c) and the
 * page that shows them (page.c). */
#ifndef CONCUR_CLI_PLOTSET_H
#define CONCUR_CLI_PLOTSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct json_t json_t;

/* One result file. */
struct pfile {
	char *path;
	json_t *doc;      /* the whole file, for the page's machine, run and headline */
	const char *id;   /* the machine id; "?" when the file has none */
	const char *date; /* the context's date; "" when none */
	char label[96];   /* how figures and tables name it: the machine id, with the date when a machine
			   * has several files (a history) */
};

/* One benchmark of a file, with what the figures need. */
struct pcell {
	const struct pfile *file;
	const char *machine; /* the file's label */
	const char *model, *pin, *status;
	char *workload;    /* class/name, then " param=value" for each swept parameter: one series of figures */
	char *base;        /* class/name: the page's section */
	const char *swept; /* the parameter, when exactly one is swept; else NULL */
	long long value;   /* ... and its value here */
	const char *axis;  /* the first parameter swept, whatever the others (a scenario's x axis); else NULL */
	long long axis_value;
	char *others;      /* " param=value" of the other swept parameters: one figure each ("" when none) */
	int workers, cores;
	double speedup, tasks_per_s, cpu_s, spawn_s, wall_s;
	double rss_per_worker_kb; /* < 0 when unknown */
	double lat[5];     /* p50, p90, p99, p99.9, max in ns; < 0 when unknown */
	const char *latency_of; /* a scenario whose latency distribution is its result: what it measures */
	bool valid, noisy;
	bool scenario;     /* roles that interact: the per-operation figures below, no speedup */
	bool roles_vary;   /* ... whose number of roles differs between its cells (a lock, a queue) */
	double fairness;   /* a scenario's fairness_jain, < 0 when it has none */
	double ns_per_op, cpu_ns_per_op, csw_per_op, bytes_per_s; /* < 0 when unknown */
	double turnaround[4]; /* a task batch's turnaround mean, p50, p99, max in ms; < 0 when it has none */
	/* a server/ scenario: its connections, requests per second, server CPU us per request and peak RSS in
	 * KiB (the server's, or its largest child's when larger); < 0 when unknown */
	long long conns, rate; /* rate: the open loop's requests per second; 0 closed loop */
	double requests_per_s, server_cpu_us, server_rss_kb;
};

struct pset {
	struct pcell *c;
	size_t n, cap;
	struct pfile *files; /* sorted by date */
	size_t nfiles;
};

/* A figure drawn: its files are <name>.svg, <name>.png and data/<name>.tsv. */
struct pfigure {
	char name[256];
	const char *kind;  /* an entry of the kinds table (plot.c) */
	const char *how;   /* how to read that kind */
	const char *base;  /* the section it belongs to (class/name) */
	char title[320];   /* for a person: what it shows, and of which sweep point or machine */
	bool failed;       /* gnuplot failed on it: left off the page */
};

struct figures {
	const char *dir;
	bool draw; /* false: the data files and the index only (the fuzz targets: no gnuplot) */
	struct pfigure fig[1024];
	size_t n;
};

/* Writes dir/index.html: machine, run and headline first, then a section per workload with its
 * table beside its figures. compare: a page of the compare table beside it, or NULL. */
void page_write(const struct figures *fig, const struct pset *s, const char *compare);

#endif
