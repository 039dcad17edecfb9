/*
 * coro-pool: M:N. --workers pinned threads, each running --coroutines
 * coroutines on a scheduler of its own. Tasks come from one shared index, so
 * a thread whose coroutines finish early keeps claiming work: the load
 * balances itself without moving coroutines between threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/model.h"

static int coro_pool_run(const struct cc_job *job, struct cc_outcome *out)
{
	unsigned n = job->workers;
	struct cc_coro_run r = {.job = job, .w = calloc(n, sizeof(*r.w)), .slot = calloc(n, sizeof(*r.slot))};
	int64_t t0, start;
	int err = -ENOMEM;
	if (!r.w || !r.slot) {
		snprintf(out->why, sizeof(out->why), "coro-pool: allocating %u workers: %s", n, strerror(ENOMEM));
		goto out;
	}
	cc_gate_init(&r.gate);
	atomic_init(&r.next, 0);
	err = cc_start_threads(n, cc_coro_worker, &r, &r.gate, &t0, &start, out->why, sizeof(out->why), "coro-pool");
	if (!err)
		err = cc_coro_finish(&r, n, t0, start, out, "coro-pool");
out:
	free(r.w);
	free(r.slot);
	return err;
}

const struct cc_model model_coro_pool = {
	.name = "coro-pool",
	.summary = "--workers pinned threads x --coroutines coroutines each, one scheduler per thread (M:N)",
	.coroutines_per_worker = true,
	.run = coro_pool_run,
};
