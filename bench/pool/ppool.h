/*
 * ppool: a process pool. Pre-forked workers take work from a ring in shared
 * memory (futex wake-ups across processes) and fold results into their own
 * slot of that memory. A run hands out tasks [0, n) as one range per worker;
 * workers claim one index at a time. A worker that dies on a task (a signal,
 * a non-zero exit, a kill from outside) is noticed while the caller waits: the
 * task is recorded as failed with the reason, a new worker is forked in its
 * place, and the run goes on. Every worker is reaped; none outlives the pool
 * or its creator.
 *
 * fn and ctx must be valid in the workers: set up before ppool_create (fork
 * copies them). One run at a time, from the thread that created the pool.
 */
#ifndef CONCUR_PPOOL_H
#define CONCUR_PPOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ppool;

typedef uint64_t ppool_fn(const void *ctx, uint64_t i, unsigned worker);
/* Folds task i's result into an accumulator (NULL: plain sum). */
typedef uint64_t ppool_fold(uint64_t i, uint64_t v);

struct ppool_opts {
	unsigned workers;  /* >= 1 */
	unsigned capacity; /* ring slots, >= 1 */
	unsigned spin_ns;  /* idle workers spin this long before sleeping */
	/* In each worker after fork, before it takes work (pinning goes here), and as it exits. */
	void (*on_start)(unsigned worker, void *arg);
	void (*on_stop)(unsigned worker, void *arg);
	void *arg;
	ppool_fold *fold;
};

struct ppool_result {
	uint64_t acc;       /* the fold of every completed task's result */
	uint64_t completed; /* tasks that returned */
	uint64_t failed;    /* tasks whose worker died */
	char why[256];      /* the first failure: task, worker, signal or status */
};

/* Forks the workers; all have started when it returns. 0 or -EINVAL / -errno. */
int ppool_create(const struct ppool_opts *opts, struct ppool **out);
/* Runs fn(ctx, i) for i in [0, n) and waits. 0 if every task completed, -ECHILD if some failed. */
int ppool_run(struct ppool *p, ppool_fn *fn, const void *ctx, uint64_t n, struct ppool_result *res);
/* The pid of worker k now (it changes when a worker is replaced). */
pid_t ppool_worker_pid(const struct ppool *p, unsigned k);
/* Workers forked to replace ones that died. */
unsigned ppool_replaced(const struct ppool *p);
/* Stops and reaps every worker (killing any still busy after a grace period) and frees the pool. */
void ppool_destroy(struct ppool *p);

#endif
