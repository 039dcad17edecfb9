/* serial: the calling thread runs every task in order; the baseline of every speedup. */
#include "base/clock.h"
#include "models/model.h"

static int serial_run(const struct cc_job *job, struct cc_outcome *out)
{
	static struct cc_worker_out w; /* static: the histogram is too big for some stacks */
	atomic_uint_fast64_t next;

	atomic_init(&next, 0);
	cc_worker_bind(job, 0, false, &w);
	int64_t start = cc_now_ns();
	cc_worker_loop(job, &next, &w);
	out->spawn_s = 0; /* nothing is created */
	cc_outcome_collect(out, &w, 1, start, 0);
	return 0;
}

const struct cc_model model_serial = {
	.name = "serial",
	.summary = "one thread runs every task in order (the baseline)",
	.single_worker = true,
	.run = serial_run,
};
