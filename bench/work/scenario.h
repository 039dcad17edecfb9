/*
 * The scenario: the second kind of benchmark, for roles that interact (a ping-pong, a hand-over, a
 * child created and reaped) rather than a batch of independent tasks. A scenario is a workload
 * descriptor (core/workload.h: name, class, summary, parameters, default operation count) whose
 * .scenario points at one of these; its file lives in scenarios/<class>/ and its line in
 * scenarios/list.h. The harness starts the roles (as threads or processes, bound to the CPUs the
 * pair policy picks), opens the start gate, times the batch and checks it (models/roles.h); the
 * scenario never creates its roles.
 */
#ifndef CONCUR_SCENARIO_H
#define CONCUR_SCENARIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/hist.h"
#include "coro/sched.h"
#include "work/worker.h"
#include "work/workload.h"

/* How roles can run: the executors a scenario declares (bit mask). Coroutines are roles of one thread
 * (so only same-cpu is planned for them): a role must then give up the thread only through the
 * coroutine runtime (coro_yield, coro_wait_fd, cio_*), never block it. */
/* SC_GIL: threads under one global interpreter lock (base/gil.h), as the gil model runs them; its switch
 * interval is the scenario's gil_interval_us parameter when it has one and it is not 0, else --gil-interval. */
/* SC_MPI: ranks of a job mpiexec starts (the mpi model, where MPI is built), possibly on several hosts: each
 * rank has its own state (set up by each, shared with no other) and talks to the others through r->link
 * alone. */
enum sc_executor { SC_THREADS = 1, SC_PROCESSES = 2, SC_COROUTINES = 4, SC_GIL = 8, SC_MPI = 16 };

/* Messages between roles that share no memory (the mpi executor's ranks): blocking sends and receives,
 * tagged; from SC_ANY_ROLE receives from whichever role sends first. 0, or -EIO. */
#define SC_ANY_ROLE (-1)
struct sc_link {
	int (*send)(unsigned to, int tag, const void *buf, size_t len);
	/* *sender and *got (when not NULL): who sent, and the bytes that arrived (at most len) */
	int (*recv)(int from, int tag, void *buf, size_t len, unsigned *sender, size_t *got);
};

/* What one role is given: the shared state, its number, how many operations, and its report. */
struct sc_role {
	void *state;           /* the scenario's state: shared memory, reachable by every role */
	const int64_t *params; /* in the parameter table's order */
	unsigned role, roles;
	uint64_t ops;               /* operations in this batch */
	struct cc_worker_out *out;  /* checksum (fold what arrived), latency samples, CPU samples */
	unsigned stride;            /* time one operation in this many */
	const struct coro_opts *coro; /* the run's coroutine backend, stack size and poller */
	const struct sc_link *link;   /* the mpi executor's messages; NULL for the others */
};

struct sc_desc {
	unsigned roles;      /* how many roles (a ping-pong: 2); 0: each --workers count from min_roles to
			      * max_roles (a ring of N) */
	unsigned min_roles, max_roles;
	unsigned executors;  /* enum sc_executor bits */
	bool one_cpu;        /* its roles take turns on one CPU by design (sched_yield): only same-cpu is planned */
	bool spins;          /* its roles busy-wait for each other: never planned on one CPU, where each wait
			      * would last out the scheduler's time slice */
	/* Optional, for a family of scenarios that share their code (ipc/: one channel each): what this one
	 * is. When set, the state begins with a const void * that the harness sets to it before setup. */
	const void *impl;
	/* Optional: whether this machine can run it with these parameters (a channel that cannot carry a
	 * message of this size); 0, or -EINVAL with why, and the plan leaves it out saying why. */
	int (*plannable)(const void *impl, const int64_t *params, char *why, size_t len);
	size_t state_bytes;  /* the shared state: zeroed, in a shared mapping, before every batch */
	const char *op;      /* what one operation is: "round trip", "fork and reap" */
	/* Optional: what the latency samples measure when their distribution is the scenario's result (a
	 * timer's lateness): concur plot then draws it as a percentile curve. */
	const char *latency_of;
	/* Optional: before the roles start (descriptors made here are inherited by process roles); 0 or
	 * -errno with why. */
	int (*setup)(void *state, const int64_t *params, unsigned roles, char *why, size_t len);
	void (*teardown)(void *state, unsigned roles);
	/* Runs role r->role for r->ops operations; 0, or -errno with why. A role times its operations with
	 * sc_tick/sc_tock and folds what it received into r->out->checksum (cc_fold). */
	int (*role)(struct sc_role *r, char *why, size_t len);
	/* Wakes every role blocked on the channel so that it fails at once (a poison token, a shutdown):
	 * the harness calls it from the first role that fails, since the others may wait forever for what
	 * that role will not send. Required when there are several roles. */
	void (*stop)(void *state);
	/* Optional: after the roles, what the harness cannot see (a child left unreaped); 0 or -EPROTO
	 * with why. The harness itself checks that every role completed every operation (sc_tock counts
	 * them). */
	int (*verify)(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len);
	/* Optional, for roles that do differing numbers of operations (consumers take what comes): how many
	 * all of them together do for a batch of `ops`; the harness then checks that sum, not each role. */
	uint64_t (*total_ops)(const int64_t *params, unsigned roles, uint64_t ops);
	/* Optional: bytes one operation moves, for bytes/s. */
	int64_t (*bytes_per_op)(const int64_t *params);
	/* Optional, for the estimates: what a batch costs beside its operations (wl_desc.task_ns each): a server's
	 * connections, a fork each for a process per connection. */
	double (*run_ns)(const void *impl, const int64_t *params);
	/* Optional: its own figures (at most SC_MAX_METRICS, the list ending with a NULL name), and after a
	 * batch that verified, their values in that order. */
	const struct sc_metric *metrics;
	void (*measure)(const void *state, const int64_t *params, uint64_t ops, double *values);
};

/* Operation i begins: its start time if it is one of the timed ones (of role 0, whose operations,
 * round trips for instance, stand for the scenario's), else 0. Samples the CPU every 64 operations,
 * as workers do. */
int64_t sc_tick(struct sc_role *r, uint64_t i);
/* ... and ends: recorded when it was timed, and counted. */
void sc_tock(struct sc_role *r, int64_t t0);

/* The duration estimate (wl_desc.task_ns) of a ping-pong's round trip: two wake-ups across CPUs on a
 * VM, about 20 us (on one CPU about a tenth of that). */
double sc_round_trip_ns(const int64_t *params);

/* A mutex and n condition variables shared by every role, threads or processes (process-shared, the
 * conditions' timed waits on CLOCK_MONOTONIC): 0, or -errno with why. */
int sc_shared_mutex_conds(pthread_mutex_t *m, pthread_cond_t *const *conds, unsigned n, char *why, size_t len);

/* Gives the CPU to the other roles: sched_yield, or coro_yield in a coroutine. */
void sc_yield(void);

#endif
