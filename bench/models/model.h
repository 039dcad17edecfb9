/*
 * The execution-model interface and what every model shares.
 *
 * A model runs tasks [0, ntasks) of one workload on W workers and fills a
 * cc_outcome. It owns spawning, the start gate and timing of the parallel
 * region; the worker loop itself (claim a task, run it, time it, fold it) is
 * cc_worker_loop, identical in every model so they all do the same work.
 */
#ifndef CONCUR_MODEL_H
#define CONCUR_MODEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/hist.h"
#include "work/scenario.h"
#include "work/worker.h"
#include "work/workload.h"
#include "coro/sched.h"
#include "topo/topo.h"

/* Settings some models use (from --queue, --spin-ns, --max-live, --coro-*, --poller, --coroutines, --shape). */
struct cc_model_opts {
	unsigned queue;    /* pool queue capacity */
	unsigned spin_ns;  /* how long idle pool workers and waiters spin before sleeping */
	unsigned max_live; /* per-task models: most threads/processes alive at once (0: no bound) */
	struct coro_opts coro; /* coroutine models: backend, stack size, poller */
	unsigned coroutines;   /* coro-pool and hybrid: coroutines per worker thread */
	unsigned shape_processes, shape_threads; /* hybrid: 0 = derived from the workers and the topology */
	unsigned gil_interval_us; /* gil: the switch interval (CPython's sys.setswitchinterval) */
	uint64_t mpi_chunk;       /* mpi: tasks a worker asks the master for at a time (0: from the task length) */
	const char *mpi_hosts;    /* mpi: where mpiexec runs the ranks (NULL: this host), a list or a hostfile */
	bool mpi_hostfile;        /* mpi_hosts names a hostfile */
};

struct cc_job {
	const struct wl_desc *wl;
	const void *ctx; /* the workload's setup result */
	uint64_t ntasks;
	unsigned workers;
	unsigned latency_stride; /* time one task in this many (1: every task) */
	const struct topo *topo; /* for binding */
	const int *cpu;          /* OS CPU per worker; NULL: unpinned (the OS decides) */
	int pin;                 /* the placement policy cpu comes from (enum topo_policy), for a launcher that
				  * plans on each host of its own (mpi on several hosts) */
	struct cc_model_opts opts;
	const int64_t *params;   /* the instance's parameter values (scenarios read them) */
	const uint64_t *order;   /* the task at each position of the queue (cc_task_order); NULL: 0, 1, 2 ... */
	int64_t *done_ns;        /* each position's end time (every process sees it); NULL: not kept */
};

/* A host a model's workers ran on (the mpi models' ranks, possibly on several): who it is and its shape,
 * as the run's own machine is recorded. */
#define CC_MAX_HOSTS 16
struct cc_host {
	char name[64], machine_id[13], cpu_model[64];
	unsigned ranks, pus, cores, packages, numa_nodes;
};

struct cc_outcome {
	double spawn_s;        /* creating workers until all have passed the start gate */
	double wall_s;         /* gate opened until the last worker finished */
	int64_t start_ns;      /* when the gate opened: every task of the batch has arrived */
	uint64_t checksum;     /* order-independent fold of every task's result */
	char note[160];        /* what the model wants said about this run (pool wait statistics...) */
	struct cc_worker_info *workers; /* caller-provided, one per worker */
	struct cc_hist *hist;   /* caller-provided; merged latencies */
	char why[256];          /* set when run() fails */
	double metrics[SC_MAX_METRICS]; /* a scenario's own figures, in its table's order */
	struct cc_host hosts[CC_MAX_HOSTS]; /* the hosts of a model that says (mpi), the first CC_MAX_HOSTS */
	unsigned nhosts, hosts_total;        /* ... how many of them, and how many there were */
};

/* What one worker of a model is: a thread or coroutine of the cell process (its memory is the process's
 * growth over the workers), a forked process (its memory is that process's growth over what it inherited),
 * a program started anew (mpi's ranks: its whole peak), or threads inside processes (no one figure). */
enum cc_unit { CC_UNIT_THREAD, CC_UNIT_PROCESS, CC_UNIT_PROGRAM, CC_UNIT_MIXED };

struct cc_model {
	const char *name;
	const char *summary;
	bool single_worker; /* runs only with workers = 1 */
	bool one_thread;    /* its workers share one OS thread: placed as one */
	bool coroutines_per_worker; /* each worker runs --coroutines coroutines (coro-pool, hybrid) */
	unsigned spawn_each_ns;     /* for duration estimates: creating a worker per task costs about this */
	enum cc_unit unit;          /* what one worker is, for the memory each costs */
	bool separate_memory;       /* its workers share no memory with the cell, not even the workload's
				     * setup (mpi ranks, possibly on other hosts) */
	bool cpu_headline_only;     /* a suite runs it on the CPU headline's workload only (each batch costs a
				     * launch, a fraction of a second); --models naming it runs it on every one */
	unsigned executor;          /* the scenario executor it is (enum sc_executor in work/scenario.h), 0: none */
	/* Runs the job; 0, or -errno with out->why saying what failed. */
	int (*run)(const struct cc_job *job, struct cc_outcome *out);
	/* Optional: runs a scenario's roles itself (the mpi executor's ranks, in a program it launches) and
	 * checks them as sc_settle does (models/roles.h); without it sc_run starts them. */
	int (*run_roles)(const struct cc_job *job, struct cc_outcome *out);
};

#define MODEL(sym) extern const struct cc_model sym;
#include "models/list.h"
#undef MODEL

extern const struct cc_model *const model_all[];
extern const unsigned model_count;
const struct cc_model *model_find(const char *name);

/* In worker k, before the start gate: binds it as job->cpu says (the calling thread,
 * or with process the whole process) and records the outcome in out. */
void cc_worker_bind(const struct cc_job *job, unsigned k, bool process, struct cc_worker_out *out);

/*
 * The work of a worker, the same in every model: begin (in the worker, once
 * placed), then one call per position of the queue (run its task, time one in latency_stride, fold its
 * result, sample the CPU every 64 tasks), then end (in the worker).
 */
void cc_worker_begin(struct cc_worker_out *out);
void cc_worker_task(const struct cc_job *job, struct cc_worker_out *out, uint64_t pos);
void cc_worker_end(struct cc_worker_out *out);

/* What a pool model gives its pool's hooks: the job, one report per worker, and whether the
 * workers are processes (bound with process binding) or threads. */
struct cc_pool_run {
	const struct cc_job *job;
	struct cc_worker_out *w;
	bool process;
};

/* Pool hooks (arg: a struct cc_pool_run): in worker k, bind and begin; end as it exits. */
void cc_pool_worker_start(unsigned k, void *arg);
void cc_pool_worker_stop(unsigned k, void *arg);

/* The task at a position of the job's queue: the models take positions 0, 1, 2 ... in turn. */
static inline uint64_t cc_job_task(const struct cc_job *job, uint64_t pos)
{
	return job->order ? job->order[pos] : pos;
}

/* The queue a workload with task_cost is run from, as its WL_ORDER_PARAM says: the task at each position
 * (malloc'd; NULL with *err 0 for first come first served, which needs no table; *err -ENOMEM). */
uint64_t *cc_task_order(const struct wl_desc *wl, const void *ctx, const int64_t *params, uint64_t n, int *err);
/* Turnaround figures (wl_metrics' order: mean, p50, p99, max in ms) of n tasks that ended at done_ns[]
 * in a batch that started at start_ns. */
void cc_turnaround(const int64_t *done_ns, uint64_t n, int64_t start_ns, double *values);

/* begin; claim tasks from *next until none are left; end. */
void cc_worker_loop(const struct cc_job *job, atomic_uint_fast64_t *next, struct cc_worker_out *out);

/* Gathers the workers' reports into out (checksum, per-worker info, histogram). The
 * wall time runs from start_ns to end_ns, or to the last worker's finish if end_ns is 0. */
void cc_outcome_collect(struct cc_outcome *out, const struct cc_worker_out *w, unsigned n, int64_t start_ns,
			int64_t end_ns);

/*
 * The worker loop as coroutines on the calling thread, in two steps so that
 * creating them is spawn time and not work time. cc_coro_prepare makes a
 * scheduler and ncoro coroutines, each to claim tasks from *next and yield
 * after each one, as a cooperative scheduler's tasks take turns. With
 * per_coroutine, out[k] is coroutine k's report and it begins and ends it;
 * otherwise all share out[0] and the caller begins and ends it. cc_coro_go runs
 * them to the end and frees everything, also after a failed prepare. Both:
 * 0, or -errno with the reason in why.
 */
struct cc_coro_thread {
	struct coro_sched *sched;
	struct coro_arg *args;
	int err;
};
int cc_coro_prepare(struct cc_coro_thread *t, const struct cc_job *job, atomic_uint_fast64_t *next, unsigned ncoro,
		    struct cc_worker_out *out, bool per_coroutine, char *why, size_t len);
int cc_coro_go(struct cc_coro_thread *t, struct coro_stats *st, char *why, size_t len);

/*
 * The start gate: workers arrive and sleep; the coordinator waits for all of
 * them, notes the time and opens it. Works across fork (futex on shared memory).
 */
struct cc_gate {
	atomic_uint arrived;
	atomic_uint open; /* 0 closed, 1 go, 2 abandon */
};

void cc_gate_init(struct cc_gate *g);
/* Returns true to go, false if the coordinator abandoned the run. */
bool cc_gate_pass(struct cc_gate *g);
/* Waits up to timeout_ms (< 0: for ever) for n arrivals; 0, or -ETIMEDOUT. */
int cc_gate_wait_all(struct cc_gate *g, unsigned n, int timeout_ms);
void cc_gate_open(struct cc_gate *g);
void cc_gate_abandon(struct cc_gate *g);

/*
 * Starting workers behind the start gate, as threads or as processes. Both
 * start n workers, worker k running fn(k, arg); wait until `arrivals` have
 * reached the gate (a process worker may start several threads, each passing
 * it), note the time in *start_ns and open it; then wait for every worker to
 * end. *t0_ns is when the first was being created. 0, or -errno with the reason
 * in why, prefixed with who ("threads: ..."); on failure the gate is abandoned
 * and every worker already started is joined or reaped.
 */
int cc_start_threads(unsigned n, void (*fn)(unsigned k, void *arg), void *arg, struct cc_gate *gate,
		     int64_t *t0_ns, int64_t *start_ns, char *why, size_t len, const char *who);
/* Each child first makes itself die with its parent; one that dies or exits non-zero fails the run, and
 * died(arg), if given, is called at once so that the others can be stopped. */
int cc_start_processes(unsigned n, void (*fn)(unsigned k, void *arg), void *arg, struct cc_gate *gate,
		       unsigned arrivals, int64_t *t0_ns, int64_t *start_ns, char *why, size_t len, const char *who,
		       void (*died)(void *arg));

/* What a pinned thread running coroutines (coro-pool, hybrid) reports besides its cc_worker_out. */
struct cc_coro_slot {
	struct coro_stats st;
	int err;
	char why[200];
};

/* A run of pinned coroutine threads; in shared memory when they live in several processes. */
struct cc_coro_run {
	const struct cc_job *job;
	atomic_uint_fast64_t next;
	struct cc_gate gate;
	struct cc_worker_out *w;   /* one per thread */
	struct cc_coro_slot *slot; /* one per thread */
};

/* The outcome's note for a coroutine model: backend, poller, stack and the scheduler's counts. */
void cc_coro_note(const struct cc_job *job, const struct coro_stats *st, struct cc_outcome *out);
/* Thread k of a cc_coro_run: binds to its CPU, passes the gate, runs job->opts.coroutines coroutines. */
void cc_coro_worker(unsigned k, void *run);
/* After n threads ended: the first thread's failure, or the outcome collected with its note. */
int cc_coro_finish(struct cc_coro_run *r, unsigned n, int64_t t0, int64_t start, struct cc_outcome *out,
		   const char *who);

#endif
