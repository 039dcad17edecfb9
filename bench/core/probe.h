/*
 * Reference probes: short, fixed measurements of the machine itself, taken
 * between benchmarks, so that a change of the machine (a slower vCPU, steal
 * time, memory bandwidth taken by a neighbour) can be told apart from a change
 * of what is measured. Their work never changes with concur's code, calibration
 * or parameters: a probe that moves means the machine moved.
 */
#ifndef CONCUR_PROBE_H
#define CONCUR_PROBE_H

#include <stdbool.h>

#include "topo/topo.h"

enum cc_probe_kind {
	CC_PROBE_CPU,     /* a dependent integer chain: ns for a fixed number of steps */
	CC_PROBE_MEM_BW,  /* reading a buffer larger than the caches: ns per MiB */
	CC_PROBE_MEM_LAT, /* a random pointer chase over that buffer: ns per load */
	CC_PROBE_WAKE,    /* a futex ping-pong between two CPUs: ns per one-way wake-up */
	CC_PROBE_KINDS
};

struct cc_probe_sample {
	double t_s; /* since the run started */
	double v[CC_PROBE_KINDS]; /* ns, lower is faster; 0 when not measured */
};

extern const char *const cc_probe_names[CC_PROBE_KINDS];
extern const char *const cc_probe_help[CC_PROBE_KINDS];
int cc_probe_find(const char *name); /* -1 when unknown */

/* Allocates the probes' buffer (kept out of every fork: cells do not pay for it); 0 or -errno. */
int cc_probe_init(const struct topo *t);
/* Takes one sample of every kind (about 40 ms here: the cross-CPU wake-ups and the 64 MiB passes). */
void cc_probe_take(struct cc_probe_sample *s, double t_s);
void cc_probe_fini(void);

/* The cpu probe in a cell, beside the batch it times, in ns per 2^20 steps (the unit of the cpu probe).
 * The speed of a vCPU here moves by 5% within seconds, and differs between vCPUs, so only a probe
 * taken on the same CPUs just before and after the batch follows it; one short chain alone varies by
 * 5% (measured), the median of several does not. Takes CC_PROBE_CELL_SAMPLES chains of 2^17 steps
 * on each distinct CPU of cpus[0..n) (at most CC_PROBE_MAX_CPUS) into out (room for
 * CC_PROBE_CELL_SAMPLES * CC_PROBE_MAX_CPUS) and returns how many. The caller's affinity is restored.
 * cpus NULL: where the caller runs. About 1 ms a CPU; a cell calls it before and after its batch. */
#define CC_PROBE_MAX_CPUS 8
#define CC_PROBE_CELL_SAMPLES 4
unsigned cc_probe_cpu_on(const int *cpus, unsigned n, double *out);

#endif
