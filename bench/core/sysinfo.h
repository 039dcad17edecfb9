/* Facts about this machine and this build, for results and their context. */
#ifndef CONCUR_SYSINFO_H
#define CONCUR_SYSINFO_H

#include <stdint.h>

struct cc_sysinfo {
	char cpu_model[128];
	char hostname[128];
	char kernel[256];
	unsigned cores, pus, packages, numa_nodes;
	uint64_t memory_bytes;
	char hwloc_version[32];
};

/* Fills si (hwloc for the counts); 0 or -errno. Cached after the first call. */
int cc_sysinfo_get(const struct cc_sysinfo **si);

#endif
