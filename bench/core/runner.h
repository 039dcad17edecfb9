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

struct cc_run_info {
	const char *out_path;
	int argc;
	char **argv;
	json_t *doctor; /* the doctor's findings before the run; owned by the caller */
};

/* Makes this process a subreaper so that no descendant escapes reaping. Call once, early. */
int cc_runner_init(void);

/* Runs the plan and writes the results. Returns an exit code (enum cc_exit). */
int cc_run(struct cc_plan *plan, const struct cc_run_info *info);

#endif
