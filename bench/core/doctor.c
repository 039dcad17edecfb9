/* The doctor's checks; see doctor.h. Absent files mean the machine does not expose the knob. */
#define _GNU_SOURCE
#include "core/doctor.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

/* The first line of a file, trimmed; false if it cannot be read. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static struct dr_finding *add(struct dr_finding *f, unsigned *n, const char *check, bool warning,
			      const char *remedy, const char *fmt, ...)
{
	struct dr_finding *x = &f[(*n)++];
	va_list ap;
	va_start(ap, fmt);
	x->check = check;
	x->warning = warning;
	vsnprintf(x->value, sizeof(x->value), fmt, ap);
	va_end(ap);
	snprintf(x->remedy, sizeof(x->remedy), "%s", warning ? remedy : "");
	return x;
}

static void check_hypervisor(struct dr_finding *f, unsigned *n)
{
	char line[4096], vendor[128] = "";
	bool hv = false;
	FILE *c = fopen("/proc/cpuinfo", "r");
	while (c && fgets(line, sizeof(line), c))
		if (!strncmp(line, "flags", 5)) {
			hv = strstr(line, " hypervisor") != NULL;
			break;
		}
	if (c)
		fclose(c);
	if (!read_line("/sys/class/dmi/id/product_name", vendor, sizeof(vendor)))
		read_line("/sys/hypervisor/type", vendor, sizeof(vendor));
	add(f, n, "hypervisor", hv,
	    "expect steal time and slow cross-CPU wake-ups; compare only with runs on the same kind of VM",
	    hv ? "running in a virtual machine%s%s" : "bare metal", *vendor ? ": " : "", vendor);
}

static void check_governor(struct dr_finding *f, unsigned *n)
{
	char gov[64];
	if (!read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof(gov))) {
		add(f, n, "governor", false, "", "no cpufreq interface (fixed frequency or set by the host)");
		return;
	}
	add(f, n, "governor", strcmp(gov, "performance") != 0, "cpupower frequency-set -g performance", "%s", gov);
}

static void check_turbo(struct dr_finding *f, unsigned *n)
{
	char v[16];
	if (read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof(v)))
		add(f, n, "turbo", v[0] == '0', "echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo",
		    v[0] == '0' ? "turbo boost on (intel_pstate)" : "turbo boost off");
	else if (read_line("/sys/devices/system/cpu/cpufreq/boost", v, sizeof(v)))
		add(f, n, "turbo", v[0] == '1', "echo 0 > /sys/devices/system/cpu/cpufreq/boost",
		    v[0] == '1' ? "frequency boost on" : "frequency boost off");
	else
		add(f, n, "turbo", false, "", "not exposed here");
}

static void check_smt(const struct topo *t, struct dr_finding *f, unsigned *n)
{
	char v[16];
	bool on = read_line("/sys/devices/system/cpu/smt/active", v, sizeof(v)) ? v[0] == '1' : t->npu > t->ncore;
	add(f, n, "smt", on,
	    "siblings share a core: use --pin core, or echo off > /sys/devices/system/cpu/smt/control",
	    on ? "on (%u hardware threads on %u cores)" : "off (%u hardware threads, %u cores)", t->npu, t->ncore);
}

/* Other processes that are running right now (state R), not counting this one. */
static unsigned busy_processes(char *names, size_t len)
{
	unsigned busy = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	names[0] = 0;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == getpid())
			continue;
		char path[300], stat[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (!read_line(path, stat, sizeof(stat)))
			continue;
		char *open = strchr(stat, '('), *close = strrchr(stat, ')');
		if (!open || !close || close[1] != ' ' || close[2] != 'R')
			continue;
		busy++;
		size_t used = strlen(names);
		snprintf(names + used, len - used, "%s%.*s", used ? ", " : "", (int)(close - open - 1), open + 1);
	}
	if (d)
		closedir(d);
	return busy;
}

static void check_load(const struct topo *t, struct dr_finding *f, unsigned *n)
{
	double load[1] = {0};
	char names[160];
	getloadavg(load, 1);
	unsigned busy = busy_processes(names, sizeof(names));
	bool warn = load[0] > 0.25 * t->npu || busy > 0;
	add(f, n, "load", warn, "stop other work, or expect it to share the CPUs with the benchmark",
	    busy ? "load average %.2f; running now: %s" : "load average %.2f%s", load[0], busy ? names : "");
}

bool doctor_cpu_times(unsigned long long *total, unsigned long long *steal)
{
	char line[512];
	unsigned long long v[8] = {0};
	if (!read_line("/proc/stat", line, sizeof(line)) ||
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &v[6], &v[7]) < 8)
		return false;
	*total = 0;
	for (int k = 0; k < 8; k++)
		*total += v[k];
	*steal = v[7];
	return true;
}

static void check_steal(double seconds, struct dr_finding *f, unsigned *n)
{
	unsigned long long t0, s0, t1, s1;
	if (!doctor_cpu_times(&t0, &s0)) {
		add(f, n, "steal", false, "", "not reported by this kernel");
		return;
	}
	struct timespec ts = {(time_t)seconds, (long)((seconds - (long)seconds) * 1e9)};
	nanosleep(&ts, NULL);
	doctor_cpu_times(&t1, &s1);
	double pct = t1 > t0 ? 100.0 * (double)(s1 - s0) / (double)(t1 - t0) : 0;
	add(f, n, "steal", pct > 1.0, "the host is running other guests on these CPUs: repeat runs and compare medians",
	    "%.1f%% of CPU time stolen by the hypervisor over %.2f s", pct, seconds);
}

static void check_aslr(struct dr_finding *f, unsigned *n)
{
	char v[8];
	if (!read_line("/proc/sys/kernel/randomize_va_space", v, sizeof(v))) {
		add(f, n, "aslr", false, "", "not exposed here");
		return;
	}
	add(f, n, "aslr", v[0] != '0', "addresses (and so alignment) change run to run: setarch -R, or "
				       "echo 0 > /proc/sys/kernel/randomize_va_space",
	    v[0] == '0' ? "off" : "on (randomize_va_space=%s)", v);
}

static void check_thp(struct dr_finding *f, unsigned *n)
{
	char v[128];
	if (!read_line("/sys/kernel/mm/transparent_hugepage/enabled", v, sizeof(v))) {
		add(f, n, "thp", false, "", "not exposed here");
		return;
	}
	bool always = strstr(v, "[always]") != NULL;
	add(f, n, "thp", always,
	    "huge pages come and go with memory layout: echo madvise > /sys/kernel/mm/transparent_hugepage/enabled",
	    "transparent huge pages: %s", v);
}

static void check_isolated(struct dr_finding *f, unsigned *n)
{
	char v[256] = "";
	read_line("/sys/devices/system/cpu/isolated", v, sizeof(v));
	add(f, n, "isolated_cpus", false, "", *v ? "isolated CPUs: %s (run concur on them with taskset)" :
						"none isolated (isolcpus= on the kernel command line reserves CPUs for benchmarks)",
	    v);
}

static void check_timer(struct dr_finding *f, unsigned *n)
{
	struct timespec res;
	clock_getres(CLOCK_MONOTONIC, &res);
	double res_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
	add(f, n, "timer_resolution", res_ns > 1000, "a coarse clock: short tasks cannot be timed here",
	    "CLOCK_MONOTONIC resolution %.0f ns", res_ns);
	char src[64] = "unknown";
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", src, sizeof(src));
	double cost = cc_clock_cost_ns();
	add(f, n, "clock_cost", cost > 100,
	    "reading the clock is slow (tsc is fast): see /sys/devices/system/clocksource/clocksource0",
	    "%.1f ns per clock read (clocksource %s)", cost, src);
}

unsigned doctor_run(const struct topo *t, double steal_sample_s, struct dr_finding *out)
{
	unsigned n = 0;
	check_hypervisor(out, &n);
	check_governor(out, &n);
	check_turbo(out, &n);
	check_smt(t, out, &n);
	check_load(t, out, &n);
	check_steal(steal_sample_s, out, &n);
	check_aslr(out, &n);
	check_thp(out, &n);
	check_isolated(out, &n);
	check_timer(out, &n);
	return n;
}

json_t *doctor_json(const struct dr_finding *f, unsigned n, double steal_sample_s)
{
	json_t *checks = json_array();
	unsigned warnings = 0;
	for (unsigned k = 0; k < n; k++) {
		json_t *c = json_pack("{s:s, s:s, s:s}", "check", f[k].check, "status", f[k].warning ? "warning" : "ok",
				      "value", f[k].value);
		if (f[k].warning)
			json_object_set_new(c, "remedy", json_string(f[k].remedy));
		warnings += f[k].warning;
		json_array_append_new(checks, c);
	}
	return json_pack("{s:o, s:i, s:f}", "checks", checks, "warnings", warnings, "steal_sample_s", steal_sample_s);
}
