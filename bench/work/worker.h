/*
 * What one worker (a model's worker, or a scenario's role) reports to whoever started it: where it ran,
 * how much it did, what it computed, how long its timed tasks took. Models and scenarios both fill it.
 */
#ifndef CONCUR_WORKER_H
#define CONCUR_WORKER_H

#include <stdint.h>

#include "base/hist.h"

#define CC_MAX_OBSERVED 8

/* Where one worker ran and how much it did. */
struct cc_worker_info {
	uint64_t tasks;
	int cpu_requested;  /* -1: unpinned */
	int bind_err;       /* 0, or -errno from binding */
	unsigned nobserved; /* distinct CPUs seen (sampled at start, every 64 tasks, at the end) */
	int observed[CC_MAX_OBSERVED];
	unsigned migrations; /* changes of CPU between samples */
	long nivcsw;         /* involuntary context switches while working */
	int host;            /* the host it ran on, of a job that records its hosts (mpi's ranks): an index into
			      * the outcome's hosts, -1 past them; 0 for the models of one machine */
};

/* What one worker reports; lives in memory its coordinator can read (shared for processes). */
struct cc_worker_out {
	struct cc_worker_info info;
	uint64_t checksum;
	int64_t finish_ns;
	unsigned until_sample; /* tasks until the next timed one */
	long nivcsw_start;
	struct cc_hist hist;
};

/* Folds task i's result into a checksum; a sum of mixes, so the order tasks ran in does not matter. */
static inline uint64_t cc_fold(uint64_t i, uint64_t v)
{
	uint64_t z = v ^ (i * 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Notes that the worker was seen on cpu: a change from the last one is a migration. */
void cc_worker_note_cpu(struct cc_worker_info *w, int cpu);

#endif
