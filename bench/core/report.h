/* Results: the "concur" JSON object, machine and build facts, atomic writes, the summary table. */
#ifndef CONCUR_REPORT_H
#define CONCUR_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/plan.h"

#define CC_SCHEMA_VERSION 1

struct cc_run_info;

/* The "concur" object for a plan's completed cells, as JSON text (malloc'd); NULL on failure. */
char *cc_report_concur(const struct cc_plan *plan, const struct cc_run_info *info, bool interrupted,
		       double clock_ns);
/* Adds machine and build facts to Google Benchmark's "context". */
void cc_report_add_context(void);
/* Writes data to path atomically: temporary file, fsync, rename, fsync of the directory. 0 or -errno. */
int cc_write_atomic(const char *path, const char *data, size_t len);
/* Checks that path can be written (creating its directory if it is ours); 0 or -errno. A result path is
 * "-" (standard output), a character device or FIFO (written to directly), or a regular file or a new
 * name (replaced atomically); anything else (a directory, a block device, a socket) is -EINVAL. */
int cc_check_writable(const char *path, bool create_dirs);
/* Writes a result to path as cc_check_writable describes; 0 or -errno. */
int cc_write_result(const char *path, const char *data, size_t len);
/* The per-workload table: model, workers, median time, speedup, CPU time, flags. */
void cc_report_summary(FILE *f, const struct cc_plan *plan);

/* A short stable id for this machine: hash of CPU model, cores, threads and memory size. */
void cc_machine_id(char out[13]);

#endif
