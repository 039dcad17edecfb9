/* What workloads and scenarios share: class names, parameters, memory checks, wl_fail, buffers. */
#include "work/workload.h"
#include "work/scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *wl_class_name(enum wl_class cls)
{
	static const char *const names[] = {"cpu", "io", "mix", "sync", "ipc", "server", "mem", "spawn", "switch", "queue", "dist"};
	return names[cls];
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

void *wl_buffer_alloc(size_t bytes, int64_t thp)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* before the first touch: the pages are chosen when they fault in */
	if (thp == WL_THP_ASK)
		madvise(p, bytes, MADV_HUGEPAGE);
	else if (thp == WL_THP_FORBID)
		madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

void wl_buffer_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

int64_t wl_huge_bytes(const void *const *bufs, const size_t *sizes, unsigned n)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	char line[512];
	bool inside = false;
	int64_t total = 0;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		unsigned long long kb;
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2) { /* a mapping's first line */
			inside = false;
			for (unsigned k = 0; k < n && !inside; k++) {
				uintptr_t b = (uintptr_t)bufs[k];
				inside = b < hi && b + sizes[k] > lo;
			}
		} else if (inside && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
			total += (int64_t)kb * 1024;
		}
	}
	fclose(f);
	return total;
}

static struct {
	char *buf;
	size_t len;
	int *claim;
} fail_report;

void wl_fail_report_to(char *buf, size_t len, int *claim)
{
	fail_report.buf = buf;
	fail_report.len = len;
	fail_report.claim = claim;
}

void wl_fail(const char *fmt, ...)
{
	int unclaimed = 0;
	if (!fail_report.buf || !__atomic_compare_exchange_n(fail_report.claim, &unclaimed, 1, false, __ATOMIC_ACQ_REL,
							      __ATOMIC_ACQUIRE))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fail_report.buf, fail_report.len, fmt, ap);
	va_end(ap);
}

const struct sc_metric *wl_metrics(const struct wl_desc *wl)
{
	static const struct sc_metric turnaround[] = {
		{"turnaround_mean_ms", "ms", "mean time from the batch's start to a task's end", SC_MEDIAN},
		{"turnaround_p50_ms", "ms", "median time from the batch's start to a task's end", SC_MEDIAN},
		{"turnaround_p99_ms", "ms", "99th percentile of the time from the batch's start to a task's end",
		 SC_MEDIAN},
		{"turnaround_max_ms", "ms", "the last task's end: the batch's makespan", SC_MEDIAN},
		{0},
	};
	if (wl->scenario)
		return wl->scenario->metrics;
	return wl->task_cost ? turnaround : NULL;
}
