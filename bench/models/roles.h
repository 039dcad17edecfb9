/* Running a scenario's roles (work/scenario.h) as threads, processes or coroutines of one thread: the
 * executors, which start, bind and gate roles with the same code the models use for workers. */
#ifndef CONCUR_ROLES_H
#define CONCUR_ROLES_H

#include <stdbool.h>

#include "models/model.h"
#include "work/scenario.h"

/* Whether model is an executor of scenario sc (threads, processes, coroutines, gil, mpi). */
bool sc_runs_as(const struct sc_desc *sc, const struct cc_model *model);
/* After a batch of the job's scenario, its roles' reports w (job->workers of them) and the state its
 * verify and measure hooks read: nothing lost (every role completed every operation, or the roles
 * together the scenario's total), verified, measured into out->metrics. 0, or -EPROTO/-errno with
 * out->why. */
int sc_settle(const struct cc_job *job, const struct cc_worker_out *w, const void *state, struct cc_outcome *out);
/* Runs one batch of the job's scenario with its roles as model says (threads, processes, coroutines): the
 * state set up, the roles started through the start gate and bound as job->cpu says, timed from the
 * gate to the last role's end, then verified and torn down. 0, or -errno with out->why. */
int sc_run(const struct cc_job *job, const struct cc_model *model, struct cc_outcome *out);

#endif
