/*
 * hybrid: P processes x T threads x C coroutines, every thread pinned. The
 * shape comes from --shape PxTxC; without it, one process per NUMA node the
 * workers span (the usual reason to add processes in C is memory locality),
 * --workers / P threads in each and --coroutines per thread. Everything the
 * threads share (task index, gate, reports) is one shared mapping.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "models/model.h"

struct hybrid {
	struct cc_coro_run run;
	unsigned threads; /* per process */
};

struct hybrid_thread {
	struct hybrid *h;
	unsigned k;
};

static void *hybrid_thread(void *p)
{
	struct hybrid_thread *t = p;
	cc_coro_worker(t->k, &t->h->run);
	return NULL;
}

static void hybrid_process(unsigned p, void *arg)
{
	struct hybrid *h = arg;
	pthread_t tid[h->threads];
	struct hybrid_thread t[h->threads];
	for (unsigned k = 0; k < h->threads; k++) {
		t[k] = (struct hybrid_thread){h, p * h->threads + k};
		int rc = pthread_create(&tid[k], NULL, hybrid_thread, &t[k]);
		if (rc) {
			/* the coordinator sees this process end before the gate and abandons the run */
			snprintf(h->run.slot[t[k].k].why, sizeof(h->run.slot[0].why), "pthread_create: %s", strerror(rc));
			_exit(1);
		}
	}
	for (unsigned k = 0; k < h->threads; k++)
		pthread_join(tid[k], NULL);
}

/* Processes by default: how many NUMA nodes the workers' CPUs span, if that divides them evenly. */
static unsigned default_processes(const struct cc_job *job)
{
	const struct topo *t = job->topo;
	unsigned nodes = 0;
	bool seen[64] = {false};
	for (unsigned k = 0; job->cpu && t && k < job->workers; k++)
		for (unsigned i = 0; i < t->npu; i++)
			if ((int)t->pus[i].pu_os == job->cpu[k] && t->pus[i].numa < 64 && !seen[t->pus[i].numa]) {
				seen[t->pus[i].numa] = true;
				nodes++;
			}
	if (!job->cpu && t)
		nodes = t->nnuma;
	return nodes && job->workers % nodes == 0 ? nodes : 1;
}

static int hybrid_run(const struct cc_job *job, struct cc_outcome *out)
{
	unsigned n = job->workers;
	unsigned procs = job->opts.shape_processes ? job->opts.shape_processes : default_processes(job);
	if (n % procs) {
		snprintf(out->why, sizeof(out->why), "hybrid: %u processes do not divide %u workers (--shape)", procs, n);
		return -EINVAL;
	}
	size_t size = sizeof(struct hybrid) + n * (sizeof(struct cc_worker_out) + sizeof(struct cc_coro_slot));
	struct hybrid *h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED) {
		int err = -errno;
		snprintf(out->why, sizeof(out->why), "hybrid: mmap %zu bytes: %s", size, strerror(errno));
		return err;
	}
	h->threads = n / procs;
	h->run.job = job;
	h->run.w = (struct cc_worker_out *)(h + 1);
	h->run.slot = (struct cc_coro_slot *)(h->run.w + n);
	cc_gate_init(&h->run.gate);
	atomic_init(&h->run.next, 0);
	int64_t t0, start;
	int err = cc_start_processes(procs, hybrid_process, h, &h->run.gate, n, &t0, &start, out->why,
				     sizeof(out->why), "hybrid", NULL);
	if (!err)
		err = cc_coro_finish(&h->run, n, t0, start, out, "hybrid");
	if (!err) {
		size_t at = strlen(out->note);
		snprintf(out->note + at, sizeof(out->note) - at, "; shape %ux%ux%u", procs, h->threads,
			 job->opts.coroutines);
	}
	munmap(h, size);
	return err;
}

const struct cc_model model_hybrid = {
	.name = "hybrid",
	.unit = CC_UNIT_MIXED,
	.summary = "P processes x T threads x C coroutines, every thread pinned (--shape PxTxC)",
	.coroutines_per_worker = true,
	.run = hybrid_run,
};
