/*
 * The doctor: what on this machine makes benchmark results noisy, each
 * finding with a one-line remedy. Reads /proc and /sys; changes nothing.
 */
#ifndef CONCUR_DOCTOR_H
#define CONCUR_DOCTOR_H

#include <stdbool.h>

#include "topo/topo.h"

struct dr_finding {
	const char *check;
	bool warning;
	char value[160];
	char remedy[200];
};

#define DR_MAX_FINDINGS 16

/* Runs every check; steal time is sampled over steal_sample_s seconds. Returns how many findings. */
/* Summed jiffies of the "cpu" line of /proc/stat, and the steal column; false when unreadable. */
bool doctor_cpu_times(unsigned long long *total, unsigned long long *steal);
unsigned doctor_run(const struct topo *t, double steal_sample_s, struct dr_finding *out);

typedef struct json_t json_t;
json_t *doctor_json(const struct dr_finding *f, unsigned n, double steal_sample_s);

#endif
