/* Every workload and scenario, from their lists, and lookups over them: see registry.h. */
#include "core/registry.h"

#include <string.h>

#define WL(sym) &sym,
const struct wl_desc *const wl_all[] = {
#include "workloads/list.h"
#include "scenarios/list.h"
#ifdef CONCUR_TEST_WORKLOADS
#include "tests/workloads/list.h"
#endif
};
#undef WL
const unsigned wl_count = sizeof(wl_all) / sizeof(wl_all[0]);

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

