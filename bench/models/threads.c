/* threads: one pthread per worker; tasks are handed out through one atomic index. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/model.h"

struct thread_arg {
	const struct cc_job *job;
	unsigned index;
	atomic_uint_fast64_t *next;
	struct cc_gate *gate;
	struct cc_worker_out *out;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	cc_worker_bind(a->job, a->index, false, a->out);
	if (cc_gate_pass(a->gate))
		cc_worker_loop(a->job, a->next, a->out);
	return NULL;
}

static int threads_run(const struct cc_job *job, struct cc_outcome *out)
{
	unsigned n = job->workers, created = 0;
	struct cc_gate gate;
	atomic_uint_fast64_t next;
	int err = -ENOMEM;
	int64_t start = 0;

	pthread_t *tid = calloc(n, sizeof(*tid));
	struct thread_arg *args = calloc(n, sizeof(*args));
	struct cc_worker_out *w = calloc(n, sizeof(*w));
	if (!tid || !args || !w) {
		snprintf(out->why, sizeof(out->why), "threads: allocating %u workers: %s", n, strerror(ENOMEM));
		goto out;
	}
	cc_gate_init(&gate);
	atomic_init(&next, 0);

	int64_t t0 = cc_now_ns();
	for (; created < n; created++) {
		args[created] = (struct thread_arg){job, created, &next, &gate, &w[created]};
		int rc = pthread_create(&tid[created], NULL, thread_main, &args[created]);
		if (rc) {
			err = -rc;
			snprintf(out->why, sizeof(out->why), "threads: pthread_create for worker %u: %s", created,
				 strerror(rc));
			cc_gate_abandon(&gate);
			goto join;
		}
	}
	cc_gate_wait_all(&gate, n, -1); /* a thread cannot vanish alone: a crash ends the whole process */
	start = cc_now_ns();
	cc_gate_open(&gate);
	err = 0;
join:
	for (unsigned k = 0; k < created; k++)
		pthread_join(tid[k], NULL);
	if (!err) {
		out->spawn_s = (double)(start - t0) / 1e9;
		cc_outcome_collect(out, w, n, start, 0);
	}
out:
	free(tid);
	free(args);
	free(w);
	return err;
}

const struct cc_model model_threads = {
	.name = "threads",
	.summary = "one pthread per worker, tasks shared out through an atomic index",
	.run = threads_run,
};
