/* Machine facts: /proc/cpuinfo, uname, sysconf and hwloc. */
#include "core/sysinfo.h"

#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void read_cpu_model(char *out, size_t len)
{
	snprintf(out, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (colon && !strncmp(line, "model name", 10)) {
			colon += 1 + (colon[1] == ' ');
			colon[strcspn(colon, "\n")] = 0;
			snprintf(out, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static int count(hwloc_topology_t t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);
	return n > 0 ? n : 1;
}

int cc_sysinfo_get(const struct cc_sysinfo **out)
{
	static struct cc_sysinfo si;
	static int done, err;
	if (!done) {
		struct utsname u;
		read_cpu_model(si.cpu_model, sizeof(si.cpu_model));
		if (uname(&u) == 0) {
			snprintf(si.hostname, sizeof(si.hostname), "%s", u.nodename);
			snprintf(si.kernel, sizeof(si.kernel), "%s %s %s", u.sysname, u.release, u.version);
		}
		long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
		si.memory_bytes = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;
		snprintf(si.hwloc_version, sizeof(si.hwloc_version), "%s", HWLOC_VERSION);
		hwloc_topology_t t;
		if (hwloc_topology_init(&t) < 0)
			err = -ENOMEM;
		else if (hwloc_topology_load(t) < 0)
			err = -EIO;
		else {
			si.cores = count(t, HWLOC_OBJ_CORE);
			si.pus = count(t, HWLOC_OBJ_PU);
			si.packages = count(t, HWLOC_OBJ_PACKAGE);
			si.numa_nodes = count(t, HWLOC_OBJ_NUMANODE);
		}
		if (err != -ENOMEM)
			hwloc_topology_destroy(t);
		done = 1;
	}
	*out = &si;
	return err;
}
