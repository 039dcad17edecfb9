/* The workload table, built from workloads/list.h, and lookups over it. */
#include "core/workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WL(sym) &sym,
const struct wl_desc *const wl_all[] = {
#include "workloads/list.h"
#ifdef CONCUR_TEST_WORKLOADS
#include "tests/workloads/list.h"
#endif
};
#undef WL
const unsigned wl_count = sizeof(wl_all) / sizeof(wl_all[0]);

const char *wl_class_name(enum wl_class cls)
{
	static const char *const names[] = {"cpu", "io", "mix", "sync", "ipc", "server", "mem"};
	return names[cls];
}

const struct wl_desc *wl_find(const char *name)
{
	for (unsigned i = 0; i < wl_count; i++) {
		const struct wl_desc *wl = wl_all[i];
		const char *cls = wl_class_name(wl->cls);
		size_t n = strlen(cls);
		if (!strcmp(name, wl->name) || (!strncmp(name, cls, n) && name[n] == '/' && !strcmp(name + n + 1, wl->name)))
			return wl;
	}
	return NULL;
}

unsigned wl_param_count(const struct wl_desc *wl)
{
	unsigned n = 0;
	while (wl->params && wl->params[n].name)
		n++;
	return n;
}

int wl_param_index(const struct wl_desc *wl, const char *name)
{
	for (unsigned i = 0; i < wl_param_count(wl); i++)
		if (!strcmp(wl->params[i].name, name))
			return (int)i;
	return -1;
}

int wl_check_memory(uint64_t bytes, const char *what, char *why, size_t len)
{
	uint64_t mem = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	if (bytes <= mem / 2)
		return 0;
	snprintf(why, len, "%s need %llu MiB of memory, more than half of this machine's %llu MiB", what,
		 (unsigned long long)(bytes >> 20), (unsigned long long)(mem >> 20));
	return -EINVAL;
}
