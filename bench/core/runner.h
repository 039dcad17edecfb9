/*
 * The runner: registers each cell of a plan with Google Benchmark and runs it.
 * Every repetition runs in a fresh "cell process" in its own process group, so
 * a cell that crashes, hangs past the watchdog or is interrupted is killed and
 * reaped with everything it started, and the run goes on (or stops cleanly).
 */
#ifndef CONCUR_RUNNER_H
#define CONCUR_RUNNER_H

#include <signal.h>

#include "core/plan.h"

/* Set by the CLI's signal handler; the runner stops at the next chance. */
extern volatile sig_atomic_t cc_stop_signal;

typedef struct json_t json_t;

/* What the run tells its caller as it goes (the core prints nothing: the CLI does, from these). */
enum cc_event_kind {
	CC_EV_PLAN,     /* it begins: text says how many benchmarks, rounds, and about how long */
	CC_EV_CELL,     /* a benchmark's first round begins: text is its progress line */
	CC_EV_ROUND,    /* a later round begins */
	CC_EV_FAILED,   /* a benchmark failed (cell): text says why */
	CC_EV_WARNING,  /* something to know that does not stop the run */
	CC_EV_STOPPED,  /* a stop signal: what was measured so far is written */
	CC_EV_MEASURED, /* every benchmark is done and the results are written or not: plan holds them all */
	CC_EV_WRITTEN,  /* text: where the results are */
	CC_EV_ERROR,    /* the results could not be written whole: text says what was saved */
};

struct cc_event {
	enum cc_event_kind kind;
	const struct cc_plan *plan;
	const struct cc_cell *cell; /* CC_EV_CELL, CC_EV_FAILED */
	const char *text;
};

struct cc_run_info {
	const char *out_path;
	int argc;
	char **argv;
	json_t *doctor; /* the doctor's findings before the run; owned by the caller */
	void (*on_event)(const struct cc_event *e, void *arg); /* NULL: nothing is said */
	void *event_arg;
};

/* Makes this process a subreaper so that no descendant escapes reaping. Call once, early. */
int cc_runner_init(void);

/* Runs the plan and writes the results. Returns an exit code (enum cc_exit). */
int cc_run(struct cc_plan *plan, const struct cc_run_info *info);

#endif
