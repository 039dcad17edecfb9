/*
 * The plan: a suite and the user's filters expanded into cells
 * (workload instance × model × workers × placement), and the state each cell
 * accumulates while it runs.
 */
#ifndef CONCUR_PLAN_H
#define CONCUR_PLAN_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/hist.h"
#include "base/stats.h"
#include "models/model.h"
#include "core/probe.h"
#include "work/workload.h"
#include "topo/topo.h"

#define CC_MAX_WORKERS 100000 /* coroutines on one thread go this far; threads and processes meet far_fits first */
#define CC_MAX_LIST 64
#define CC_MAX_POINTS 16     /* values in one parameter's sweep */
#define CC_MAX_INSTANCES 256 /* parameter combinations of one workload */

/* The waiting sweep: for workloads whose tasks wait (io, mix), worker counts far past the cores, where
 * threads, processes and coroutines part ways (CC_FAR_COUNTS). */
enum cc_far {
	CC_FAR_NONE,
	CC_FAR_HEADLINE, /* the workload that answers the headline's io question */
	CC_FAR_ALL,      /* every io and mix workload (--workers auto) */
};
#define CC_FAR_COUNTS {16, 64, 256, 1024, 10000, 100000}
#define CC_FAR_MAX_OS 1024        /* threads and processes go this far; coroutines on one thread all the way */
/* a suite's own waiting sweep (CC_FAR_HEADLINE) goes to this many workers a CPU (64 on 2 CPUs, where 64 processes
 * already take 2.5 times as long as 64 threads and 256 cost a second a repetition); --workers auto goes on */
#define CC_FAR_HEADLINE_PER_CPU 32
#define CC_FAR_TASKS_EACH 2       /* a far point's batch gives each worker this many tasks */
/* a far point whose repetition (its workers started, the warm-up's on the CPUs, the batch) would take longer
 * here is left out, with why: a quarter of this in a suite's waiting sweep, all of it with --workers auto */
#define CC_FAR_MAX_REP_S 2.0
/* A model that starts a thread or process per task runs at most this long a batch of its spawning
 * (by spawn_each_ns): the same figure as a longer one, without minutes of forks. */
#define CC_PER_TASK_BATCH_S 0.05
#define CC_PER_TASK_MIN 16
/* The CPU a task that waits takes on its thread besides its waiting, for estimates (a coroutine's timer
 * and poller calls in a VM: about 50 us measured). */
#define CC_WAIT_CPU_NS 50000

struct cc_suite {
	const char *name;
	const char *summary;
	unsigned repetitions; /* rounds: the plan runs this many times over, each benchmark once a round */
	double task_scale; /* multiplies each workload's default_tasks */
	double min_batch_s; /* a batch's serial time is at least this (by the workload's task_ns estimate) */
	unsigned sweep_max; /* 0: the topology's sweep (topo_sweep); else 1 .. sweep_max */
	bool oversubscribe; /* the topology's sweep keeps its 2x point */
	bool sweeps;        /* each workload's own sweep (wl_desc.sweep) runs */
	bool smoke_values;  /* workloads run at their smoke values (wl_desc.smoke), not their defaults */
	enum cc_far waits_far; /* which workloads' worker sweep goes on past the cores (cc_far_counts) */
	bool standard_sweeps;  /* without sweeps: each workload's sweep_standard runs */
	/* the headline workloads sweep the workers; every other batch workload runs at the machine's size (the
	 * largest count of the sweep within the CPUs), and the servers on the nearest pair of two cores */
	bool focused;
};

extern const struct cc_suite cc_suites[];
const struct cc_suite *cc_suite_find(const char *name);

struct cc_param_override {
	const struct wl_desc *wl; /* NULL: every selected workload that has the parameter */
	char name[32];
	char text[256]; /* the values as given: each selected workload parses them against its own bounds */
	int64_t values[CC_MAX_POINTS]; /* more than one: a sweep */
	unsigned nvalues;
};

/* What the user asked for; zero/NULL fields mean "the suite's choice". */
struct cc_select {
	const struct cc_suite *suite;
	const char *filter; /* POSIX extended regex over benchmark names */
	const struct cc_model *models[CC_MAX_LIST];
	unsigned nmodels;
	const struct wl_desc *workloads[CC_MAX_LIST];
	unsigned nworkloads;
	unsigned workers[CC_MAX_LIST];
	unsigned nworkers;    /* 0: the suite's sweep */
	bool workers_auto;    /* --workers auto was given */
	enum topo_policy pins[TOPO_NPOLICIES];
	unsigned npins;       /* 0: core */
	const struct topo *topo; /* this machine: sweeps and placement come from it */
	unsigned repetitions;
	unsigned max_repetitions; /* 0: twice the rounds; noisy benchmarks get extra rounds up to this */
	uint64_t tasks;
	struct cc_param_override params[CC_MAX_LIST];
	unsigned nparams;
	double timeout_s;
	double max_cv;
	struct cc_model_opts mopts;
};

/* One measured repetition. */
struct cc_rep {
	double wall_s, spawn_s;
	double user_s, sys_s, child_user_s, child_sys_s;
	double helpers_s; /* the workload's helper processes (a responder): wl_desc.helpers_cpu_s */
	long nvcsw, nivcsw, max_rss_kb;
	double worker_rss_kb; /* one worker's memory at its peak (runner.c); < 0 unknown */
	uint64_t checksum;
	int64_t huge_bytes;   /* of the workload's buffers, backed by transparent huge pages; -1 unknown */
	double cell_probe_ns; /* the cpu probe on the cell's CPUs around the batch (core/probe.h) */
	unsigned probe; /* the reference probe sample taken last before it */
	double metrics[SC_MAX_METRICS]; /* a scenario's own figures (sc_desc.metrics) */
};

/* A workload with its parameter values, set up once and shared by its cells. */
struct cc_instance {
	const struct wl_desc *wl;
	int64_t params[WL_MAX_PARAMS];
	uint64_t ntasks;
	/* the parameters this run sweeps (they name the cells), and whether this instance has each
	 * at its value outside the sweep (the workload's default or the single value given) */
	unsigned nswept;
	unsigned swept[WL_MAX_PARAMS];
	bool at_base;
	void *ctx;
	int setup_err; /* 0, or -errno from setup */
	bool ready;
	/* the reference checksum: what serial computes for these tasks, or a scenario's roles as unpinned
	 * threads; per number of roles for a scenario whose roles vary, and per batch (cc_cell_ref) */
	struct {
		unsigned roles;
		uint64_t ntasks;
		uint64_t sum;
	} refs[CC_MAX_LIST];
	unsigned nrefs;
};

enum cc_status { CC_PENDING, CC_OK, CC_FAILED, CC_TIMEOUT, CC_MISMATCH };

struct cc_cell {
	struct cc_instance *inst;
	const struct cc_model *model;
	unsigned workers;
	enum topo_policy pin;
	bool far;        /* a point of the waiting sweep (CC_FAR_COUNTS) */
	uint64_t ntasks; /* its batch (cc_cell_tasks) */
	const struct cc_cell *baseline; /* serial for the same instance (same placement if planned); NULL: none */
	char name[192];
	/* results */
	unsigned attempts; /* repetitions started so far (one a round) */
	unsigned nreps;    /* of which measured */
	unsigned replayed; /* repetitions handed to Google Benchmark for the report */
	struct cc_rep *reps; /* room for the plan's max_repetitions */
	enum cc_status status;
	char error[320];
	unsigned latency_stride;
	struct cc_hist *hist; /* every repetition's latencies, in a mapping no fork copies (runner.c) */
	/* ... and what the report keeps of them */
	struct cc_latency {
		uint64_t samples, p50, p90, p99, p999, max;
	} latency;
	/* placement */
	int *cpus;                      /* OS CPU per worker; NULL when unpinned */
	bool oversubscribed;            /* more workers than places: they share */
	bool placement_bad;             /* in some repetition a bind failed or a worker ran elsewhere */
	char placement_why[256];
	unsigned migrations;            /* summed over repetitions and workers */
	char note[160];                 /* the model's note from the last repetition */
	struct cc_worker_info *workers_info; /* from the last repetition */
	struct cc_host *hosts;               /* the hosts the workers ran on, when the model says (mpi) */
	unsigned nhosts, hosts_total;        /* ... listed, and in all */
};

struct cc_plan {
	const struct cc_suite *suite;
	unsigned repetitions;     /* rounds */
	unsigned max_repetitions; /* with the extra rounds of noisy benchmarks */
	double timeout_s;
	double max_cv;
	struct cc_model_opts mopts;
	struct cc_probe_sample *probes; /* reference probes, in the order taken */
	unsigned nprobes;
	unsigned rounds_run;
	double steal_pct; /* CPU time the hypervisor stole over the run; < 0 when unknown */
	double duration_s; /* the run's wall time, calibration and probes included */
	/* what the selection asked for that this plan leaves out, and why (list --why; the JSON) */
	struct cc_unplanned {
		char name[192];
		char why[128];
	} *unplanned;
	unsigned nunplanned;
	bool tasks_given; /* --tasks: every cell's batch is the instance's */
	uint64_t busy_rate; /* busy steps per ms the run used (core/busy.h) */
	const char *like; /* the result file whose work this run repeats; NULL: none */
	struct cc_instance *inst;
	unsigned ninst;
	struct cc_cell *cells;
	unsigned ncells;
	const struct topo *topo;
};

/*
 * Builds the plan. Returns 0, or -EINVAL with a message naming the flag in
 * err (bad regex, nothing selected, a parameter no selected workload has).
 */
int cc_plan_build(const struct cc_select *sel, struct cc_plan *plan, char *err, size_t errlen);
void cc_plan_free(struct cc_plan *plan);
/* The reference checksum for cell c's work (its instance, its batch, and its roles where a scenario's
 * vary): true with *sum if known. */
bool cc_cell_ref(const struct cc_cell *c, uint64_t *sum);
void cc_cell_set_ref(const struct cc_cell *c, uint64_t sum);
/* Whether cell c's batch differs from its instance's, so that serial's reference does not hold for it
 * and a reference of its own is run (plan.c: a point of the waiting sweep, a per-task model's cap). */
bool cc_cell_own_batch(const struct cc_cell *c);
/* The model whose run of a batch cell's tasks gives its reference checksum: serial, or for a point of the
 * waiting sweep with a batch of its own coroutines on one unpinned thread (serial would take the workers'
 * count times as long; the coroutines model is itself held to serial at the sweep's other points). */
const struct cc_model *cc_cell_reference(const struct cc_cell *c);
/* A cell's batch: its instance's, capped at CC_PER_TASK_BATCH_S of spawning for a model that spawns per task,
 * raised to CC_FAR_TASKS_EACH tasks a worker at a point of the waiting sweep; --tasks fixes it. */
uint64_t cc_cell_tasks(const struct cc_plan *plan, const struct cc_cell *c);
/* Tears down every instance set up so far (servers stopped, files removed); idempotent. */
void cc_plan_teardown(struct cc_plan *plan);
/* Tears one instance down, if it is set up: its memory, servers and files go. */
void cc_instance_teardown(struct cc_instance *in);

/* The default worker sweep for a suite on a machine. */
unsigned cc_default_workers(const struct cc_suite *suite, const struct topo *t, unsigned *out, unsigned max);

/* Parses a parameter value by its type (WL_BYTES takes K/M/G); 0 or -EINVAL / -ERANGE. */
int cc_param_parse(const struct wl_param *p, const char *text, int64_t *value);
/* Parses a comma-separated list of values ("1K,16K"): 0, or -EINVAL / -ERANGE with *bad set to
 * the item at fault, -E2BIG for more than max values, -EEXIST for a value listed twice. */
int cc_param_parse_list(const struct wl_param *p, const char *text, int64_t *values, unsigned max, unsigned *n,
			char *bad, size_t badlen);
/* Parses a --param value list against parameter idx of wl: 0, or -EINVAL with err saying, under "--param",
 * which workload, parameter and item are at fault and what is accepted. */
int cc_param_parse_for(const struct wl_desc *wl, int idx, const char *text, int64_t *values, unsigned *n, char *err,
		       size_t errlen);
/* A parameter value as it appears in benchmark names: bytes with the largest exact K/M/G suffix. */
void cc_param_format(const struct wl_param *p, int64_t v, char *buf, size_t len);
/* About how long one cell takes here, in seconds (see cc_plan_estimate_s). */
double cc_cell_estimate_s(const struct cc_plan *plan, const struct cc_cell *c, unsigned cpus);

/* When the measuring is over: keeps the percentiles of a cell's latencies for the report. */
void cc_cell_keep_latency(struct cc_cell *c);

/* After a repetition (c->workers_info filled): adds its migrations, and marks the
 * placement invalid, with the reason, if a bind failed or a pinned worker was seen
 * on any other CPU. */
void cc_cell_check_placement(struct cc_cell *c);

/* About how long the plan takes to run here, in seconds, from each workload's task_ns estimate
 * (2 us where it has none): waiting overlaps across workers, computing only across cpus. */
double cc_plan_estimate_s(const struct cc_plan *plan, unsigned cpus);

/* Statistics over a cell's measured repetitions. */
double cc_cell_median_wall(const struct cc_cell *c);
/* Coefficient of variation of wall time; < 0 when fewer than two repetitions. */
double cc_cell_cv(const struct cc_cell *c);
/* Whether the report lists a cell: it measured something, or failed (a stop leaves others out). */
bool cc_cell_reported(const struct cc_cell *c);
/* Whether a cell that has not failed varies more than the plan's max_cv across repetitions. */
bool cc_cell_noisy(const struct cc_plan *p, const struct cc_cell *c);
/* The reference probe (enum cc_probe_kind) whose speed a workload's follows. */
int cc_workload_probe(const struct wl_desc *wl);

#endif
