/*
 * The workload descriptor: the one header every workload file fills in.
 *
 * A workload does one unit of work per task and returns a value that is folded
 * into the cell's checksum; it never creates threads or processes (models do)
 * and keeps no mutable state shared between tasks, so every model can run it.
 * Adding a workload is its file plus one line in workloads/list.h (core/registry.h gathers them).
 */
#ifndef CONCUR_WORKLOAD_H
#define CONCUR_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

enum wl_class { WL_CPU, WL_IO, WL_MIX, WL_SYNC, WL_IPC, WL_SERVER, WL_MEM, WL_SPAWN, WL_SWITCH, WL_QUEUE, WL_DIST };

struct sc_desc; /* core/scenario.h */

enum wl_ptype {
	WL_INT,   /* a plain integer */
	WL_BYTES, /* an integer that also accepts K, M, G (x1024) suffixes */
};

#define WL_MAX_PARAMS 8

struct wl_param {
	const char *name;
	enum wl_ptype type;
	int64_t def, min, max;
	const char *help;
};

#define SC_MAX_METRICS 8

/* A figure a benchmark reports besides its times, CPU and context switches (a scenario's zombies alive
 * at most, a task batch's turnaround): its name (a JSON key), its unit, and how repetitions combine
 * (their median, or their largest: a worst case stays the worst). */
struct sc_metric {
	const char *name, *unit, *help;
	enum sc_agg { SC_MEDIAN, SC_MAX } agg;
};

struct wl_desc {
	const char *name; /* without the class: "hash" */
	enum wl_class cls;
	const char *summary;
	const struct wl_param *params; /* ends with an entry whose name is NULL */
	uint64_t default_tasks;        /* tasks in one batch of the standard suite */
	const int64_t *smoke;          /* parameter values (table order) for the smoke suite and the tests;
					* NULL: the defaults are small enough */
	/* Prepares what tasks read (params in table order); 0 or -errno. Optional. */
	int (*setup)(const int64_t *params, void **ctx);
	void (*teardown)(void *ctx);
	/* Performs task i; ctx is shared by all workers and read-only here. */
	uint64_t (*task)(const void *ctx, uint64_t i);
	/* Optional. Checks parameters together (one alone is checked against its bounds): 0, or
	 * -EINVAL with why naming the parameter and the limit ("n=100000: ... exceeds memory"). */
	int (*validate)(const int64_t *params, char *why, size_t len);
	/* Optional, for workloads whose tasks change shared state on purpose (sync/counter):
	 * reset before each batch; verify after it (0, or -EPROTO with why). */
	void (*reset)(void *ctx);
	int (*verify)(const void *ctx, uint64_t ntasks, char *why, size_t len);
	/* Optional: about how long one task takes alone, for the suites' duration estimates and for
	 * keeping each point of a sweep near the same amount of work. */
	double (*task_ns)(const int64_t *params);
	/* Optional, for the estimates: about how long setup takes (it runs again every round, so that no other
	 * workload's fork copies its memory). NULL: a few ms. */
	double (*setup_ns)(const int64_t *params);
	/* Optional, for a workload whose tasks compute and wait (io, mix): how much of task_ns is computing, which
	 * overlaps only across cores. NULL: about CC_WAIT_CPU_NS (core/plan.h). */
	double (*task_cpu_ns)(const int64_t *params);
	/* Optional: the points the full suite sweeps, in --param syntax, axes separated by ";" ("size=8,4K;stream=0,1"). */
	const char *sweep;
	/* Optional: the points the standard suite sweeps, where its question needs more than one ("conns=1,100,1000"). */
	const char *sweep_standard;
	/* Optional, for workloads with large buffers: how many of their bytes transparent huge pages back
	 * now (wl_huge_bytes), recorded with every repetition, since it can move a memory workload's time
	 * threefold between runs; -1 when it cannot be told. */
	int64_t (*huge_bytes)(const void *ctx);
	/* Optional: the reference probe (core/probe.h) whose speed this workload's follows, which compare
	 * uses to tell a change of the machine from a change of concur: "cpu", "mem_bw", "mem_lat" or
	 * "wake". NULL: by class (cpu, mix, sync: cpu; mem: mem_lat; the rest: wake). */
	const char *probe;
	/* Optional, for workloads whose setup starts helper processes that are not the cell's children (io/pipe
	 * and io/tcp's responder): the CPU seconds they have used so far (cc_proc_cpu_s), counted into each
	 * batch's CPU time, since a request served is CPU spent. */
	double (*helpers_cpu_s)(const void *ctx);
	/* Optional: the question of the run's headline it answers (core/report.c: "cpu", "io", "mixed" by
	 * one workload each; "spawn", "ipc" by every scenario that names them). */
	const char *headline;
	/* Set for a scenario (core/scenario.h): roles that interact, not a batch of tasks; task is then
	 * NULL and default_tasks counts operations. */
	const struct sc_desc *scenario;
	/* Optional, for a workload whose tasks differ in length (cpu/tail): about what task i costs, in any
	 * unit. Such a workload has WL_ORDER_PARAM, the order its tasks enter the one queue every model takes
	 * them from, and reports each task's turnaround, from the batch's start (when every task has
	 * arrived) to the task's end (wl_metrics). */
	double (*task_cost)(const void *ctx, uint64_t i);
	/* Descriptors a task holds open while it runs (a connection, a file): bounds how many workers the waiting
	 * sweep runs at once (core/plan.h, CC_FAR_COUNTS) by the descriptors allowed. */
	unsigned fds_each;
};

/* The queue disciplines of WL_ORDER_PARAM: first come first served, last come first served, and
 * priority to the cheapest task (shortest job first; ties in arrival order). */
enum wl_order { WL_ORDER_FIFO, WL_ORDER_LIFO, WL_ORDER_PRIORITY };
#define WL_ORDER_PARAM {"order", WL_INT, WL_ORDER_FIFO, WL_ORDER_FIFO, WL_ORDER_PRIORITY, \
	"the order tasks are taken in: 0 first come first served (FIFO), 1 last come first served (LIFO), " \
	"2 shortest first (priority by task_cost)"}

/* The benchmark's own figures (a scenario's metrics, a task batch's turnaround), the list ending with
 * a NULL name; NULL: none. */
const struct sc_metric *wl_metrics(const struct wl_desc *wl);

const char *wl_class_name(enum wl_class cls);
/* For validate: 0 if bytes fit in half of this machine's memory, else -EINVAL with why saying
 * "<what> need N MiB of memory, more than half of this machine's M MiB". */
int wl_check_memory(uint64_t bytes, const char *what, char *why, size_t len);
/* A task that cannot do its work because a resource ran out (descriptors, memory, a server gone) says
 * why here, from any thread or process of the cell, and the cell fails with that reason instead of a
 * checksum mismatch or a hang. The first reason is kept. printf-style. */
void wl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For the runner: where wl_fail writes (shared with every process the cell forks); NULL: nowhere. */
void wl_fail_report_to(char *buf, size_t len, int *claim);

/* Transparent huge pages for a workload's buffers (its "thp" parameter). */
enum wl_thp { WL_THP_DEFAULT, WL_THP_ASK, WL_THP_FORBID };
#define WL_THP_PARAM {"thp", WL_INT, WL_THP_DEFAULT, WL_THP_DEFAULT, WL_THP_FORBID, \
	"transparent huge pages for the buffers: 0 the system's policy, 1 ask for them (madvise), 2 forbid them"}
/* Anonymous memory of its own mapping, huge pages asked for or forbidden as thp says; NULL on failure. */
void *wl_buffer_alloc(size_t bytes, int64_t thp);
void wl_buffer_free(void *p, size_t bytes);
/* Bytes of the mappings holding bufs[0..n) (of sizes[0..n)) that transparent huge pages back, from
 * /proc/self/smaps (a mapping the kernel merged with a neighbour counts once); -1 when unreadable. */
int64_t wl_huge_bytes(const void *const *bufs, const size_t *sizes, unsigned n);

unsigned wl_param_count(const struct wl_desc *wl);
int wl_param_index(const struct wl_desc *wl, const char *name);

#endif
