/*
 * What the mpi models (models/mpi.c, in the cell process) and their ranks (mpi/rank.c, the concur-mpi
 * program mpiexec starts) agree on: the command line a rank rebuilds its job from, plain values only,
 * and the report rank 0 writes back into a file the cell process maps.
 *
 *   concur-mpi REPORT WORKLOAD NTASKS STRIDE CHUNK SPIN_NS CPUS P0,P1,... BUSY_RATE
 *
 * CPUS may also be "@POLICY" (a placement policy's name, --pin's): each host plans its own ranks by its own
 * topology, as concur run plans one machine (the mpi models on several hosts).
 *
 * CHUNK 0 is the static variant (block distribution, every rank a worker); otherwise rank 0 is the master
 * handing out CHUNK positions at a time and ranks 1..W the workers. For a scenario (the mpi executor)
 * every rank is the role of its number, NTASKS its operations, and CHUNK is 0. CPUS is "-" (unpinned) or the OS CPU
 * of each worker, comma-separated; P the workload's parameter values in its table's order; BUSY_RATE the
 * run's busy-loop calibration (steps per ms: cpu/spin and mix/cpu-io do the same work on every rank).
 */
#ifndef CONCUR_MODELS_MPI_H
#define CONCUR_MODELS_MPI_H

#include <stdint.h>

#include "models/model.h"
#include "work/worker.h"
#include "work/workload.h"

#define MPI_REPORT_MAGIC 0x636f6e6375726d70ull /* "concurmp" */

struct mpi_report {
	uint64_t magic;    /* written last: a report without it was never finished */
	int64_t start_ns;  /* every rank had passed the start gate (CLOCK_MONOTONIC of rank 0's host) */
	int64_t end_ns;    /* every worker had finished (rank 0's clock, for ranks on other hosts) */
	unsigned workers;  /* W reports follow */
	unsigned hosts;    /* distinct host names among the ranks */
	unsigned chunks;   /* chunks the master handed out (0: static) */
	unsigned one_host; /* every rank ran on rank 0's host: the clocks compare */
	int64_t gate_cpu_ns; /* the ranks' CPU time from the gate to their ends, together (the rest: the launch) */
	struct cc_host host[CC_MAX_HOSTS]; /* the first hosts, in rank order */
	/* a scenario: what rank 0 found settling its roles (models/roles.h), and its figures */
	int err;
	char why[256];
	double metrics[SC_MAX_METRICS];
	/* then W x struct cc_worker_out, then, for a workload with task_cost, NTASKS x int64_t end times */
};

static inline uint64_t mpi_report_size(unsigned workers, uint64_t done_ns)
{
	return sizeof(struct mpi_report) + workers * sizeof(struct cc_worker_out) + done_ns * sizeof(int64_t);
}

#endif
