/*
 * The core-to-core matrix: how long a cache line takes to travel between two CPUs. Two threads,
 * pinned to the pair, take turns on one line by compare-and-swap (core-to-core-latency's method); a
 * round trip is two transfers, so the one-way time is half of it.
 */
#ifndef CONCUR_C2C_H
#define CONCUR_C2C_H

#include <stddef.h>

#include "topo/topo.h"

struct c2c_opts {
	unsigned round_trips; /* per batch */
	unsigned batches;     /* the pair's figure is their median */
	double timeout_s;     /* a pair that has not finished by then is given up (a vCPU descheduled) */
};

/* The one-way time between OS CPUs a and b in ns, placement checked: 0, or -errno with why (a bind
 * that failed or did not hold, a thread not created, -ETIMEDOUT). */
int c2c_pair(const struct topo *t, unsigned a, unsigned b, const struct c2c_opts *o, double *one_way_ns, char *why,
	     size_t len);

/* Up to k CPUs (OS numbers, in topology order) spread over the machine: one hardware thread of each
 * core in scatter order (every package, NUMA node and L3 before a second core of any), then the other
 * hardware threads. Returns how many (all of them when k is 0 or at least their number). */
unsigned c2c_sample(const struct topo *t, unsigned k, unsigned *cpus);

#endif
