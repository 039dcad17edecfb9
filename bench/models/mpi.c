/*
 * mpi, mpi-static: the batch on MPI ranks, the notes' distributed task queue on the engine clusters run.
 * The cell process starts mpiexec with concur-mpi (mpi/rank.c) as the program, hands each rank its job
 * as plain values on the command line (models/mpi.h), and reads back what rank 0 gathered from a report
 * file it maps. mpi: rank 0 the master handing out chunks of positions on request, ranks 1..W the
 * workers; mpi-static: W ranks each taking a block of positions, no master in the loop.
 *
 * mpiexec runs with --bind-to none (each rank binds itself to the CPU the plan gives it, with hwloc, as
 * every model's workers do) and --oversubscribe (the master holds no CPU: it sleeps between requests).
 * It dies with the cell process (PR_SET_PDEATHSIG), and each rank with it: a rank that hangs is ended by
 * the watchdog's kill of the cell, a rank that dies by mpiexec ending the job; either fails the cell with
 * what mpiexec said.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/busy.h"
#include "base/clock.h"
#include "base/proc.h"
#include "models/model.h"
#include "models/mpi.h"
#include "work/scenario.h"

/* A chunk carries at least this much work, so that a request and its answer (microseconds on one host,
 * tens between hosts) stay a few percent of it; and a worker gets at least 8 chunks, to balance. */
#define MPI_CHUNK_WORK_NS 500000.0
#define MPI_CHUNKS_PER_WORKER 8

static uint64_t chunk_of(const struct cc_job *job)
{
	if (job->opts.mpi_chunk)
		return job->opts.mpi_chunk;
	double task_ns = job->wl->task_ns ? job->wl->task_ns(job->params) : 0;
	uint64_t by_work = task_ns > 0 ? (uint64_t)ceil(MPI_CHUNK_WORK_NS / task_ns) : 1;
	uint64_t by_balance = job->ntasks / ((uint64_t)job->workers * MPI_CHUNKS_PER_WORKER);
	uint64_t chunk = by_work < by_balance ? by_work : by_balance;
	return chunk ? chunk : 1;
}

/* The rank program has the workloads of the concur it is beside: the tests' misbehaving ones with concur-test. */
#ifdef CONCUR_TEST_WORKLOADS
#define MPI_RANK_PROGRAM "concur-test-mpi"
#else
#define MPI_RANK_PROGRAM "concur-mpi"
#endif

static const char *rank_path(void)
{
	static char beside[PATH_MAX];
	return cc_beside_exe(MPI_RANK_PROGRAM, X_OK, beside, sizeof(beside));
}

/* A temporary file of size bytes, its name in path (PATH_MAX); fd or -errno. */
static int temp_file(char *path, uint64_t size)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, PATH_MAX, "%s/concur-mpi-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int err = -errno;
		close(fd);
		unlink(path);
		return err;
	}
	return fd;
}

/* The last line mpiexec and the ranks wrote that is not empty, for the cell's reason. */
static void last_words(int fd, char *buf, size_t len)
{
	char text[4096];
	off_t end = lseek(fd, 0, SEEK_END), from = end > (off_t)sizeof(text) - 1 ? end - (off_t)sizeof(text) + 1 : 0;
	ssize_t n = pread(fd, text, sizeof(text) - 1, from);
	text[n > 0 ? n : 0] = 0;
	char *line = NULL;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		if (strspn(p, " \t-*") < strlen(p) && !strstr(p, "--------"))
			line = p;
	snprintf(buf, len, "%s", line ? line : "(it said nothing)");
}

/* mpiexec's command line: the launcher's options, then the rank program and its job (models/mpi.h). */
struct launch {
	char ranks[16], tasks[24], stride[16], chunk[24], spin[16], rate[24], params[WL_MAX_PARAMS * 24];
	char *cpus; /* malloc'd: a number per worker */
	const char *argv[24];
};

static int launch_argv(struct launch *l, const struct cc_job *job, bool dynamic, uint64_t chunk, const char *rank,
		       const char *report)
{
	unsigned a = 0, ranks = job->workers + (dynamic ? 1 : 0);
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	size_t cpus_len = job->cpu ? (size_t)job->workers * 12 + 32 : 2, at = 0;
	if (!(l->cpus = malloc(cpus_len)))
		return -ENOMEM;
	snprintf(l->ranks, sizeof(l->ranks), "%u", ranks);
	snprintf(l->tasks, sizeof(l->tasks), "%" PRIu64, job->ntasks);
	snprintf(l->stride, sizeof(l->stride), "%u", job->latency_stride);
	snprintf(l->chunk, sizeof(l->chunk), "%" PRIu64, dynamic ? chunk : 0);
	/* a master without a CPU of its own spinning would take a worker's */
	snprintf(l->spin, sizeof(l->spin), "%u", online > 0 && ranks <= (unsigned long)online ? job->opts.spin_ns : 0);
	snprintf(l->rate, sizeof(l->rate), "%" PRIu64, cc_busy_rate());
	snprintf(l->cpus, cpus_len, "-");
	if (job->cpu && job->opts.mpi_hosts) /* other hosts: each plans its ranks on its own topology */
		snprintf(l->cpus, cpus_len, "@%s", topo_policy_name(job->pin));
	for (unsigned k = 0; job->cpu && !job->opts.mpi_hosts && k < job->workers; k++) /* 12 bytes: ",-2147483648" */
		at += (size_t)snprintf(l->cpus + at, cpus_len - at, "%s%d", k ? "," : "", job->cpu[k]);
	l->params[0] = 0;
	at = 0;
	for (unsigned k = 0; job->wl->params && job->wl->params[k].name; k++)
		at += (size_t)snprintf(l->params + at, sizeof(l->params) - at, "%s%" PRId64, k ? "," : "", job->params[k]);
	l->argv[a++] = CONCUR_MPIEXEC;
	l->argv[a++] = "-n";
	l->argv[a++] = l->ranks;
	l->argv[a++] = "--oversubscribe";
	l->argv[a++] = "--bind-to";
	l->argv[a++] = "none";
	if (job->opts.mpi_hosts) {
		l->argv[a++] = job->opts.mpi_hostfile ? "--hostfile" : "--host";
		l->argv[a++] = job->opts.mpi_hosts;
	}
	const char *job_args[] = {rank, report, job->wl->name, l->tasks, l->stride, l->chunk, l->spin, l->cpus,
				  l->params, l->rate};
	for (unsigned k = 0; k < sizeof(job_args) / sizeof(job_args[0]); k++)
		l->argv[a++] = job_args[k];
	l->argv[a] = NULL;
	return 0;
}

static int mpi_launch(const struct cc_job *job, struct cc_outcome *out, bool dynamic)
{
	const char *rank = rank_path();
	if (!rank) {
		snprintf(out->why, sizeof(out->why), "mpi: the rank program %s is not beside this program",
			 MPI_RANK_PROGRAM);
		return -ENOENT;
	}
	uint64_t chunk = chunk_of(job), ndone = job->done_ns ? job->ntasks : 0;
	uint64_t bytes = mpi_report_size(job->workers, ndone);
	char report[PATH_MAX], log[PATH_MAX];
	int rfd = temp_file(report, bytes), lfd = rfd < 0 ? rfd : temp_file(log, 0), err = 0;
	if (rfd < 0 || lfd < 0) {
		err = rfd < 0 ? rfd : lfd;
		snprintf(out->why, sizeof(out->why), "mpi: a temporary file: %s", strerror(-err));
		if (rfd >= 0) {
			close(rfd);
			unlink(report);
		}
		return err;
	}
	unlink(log);
	struct mpi_report *r = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	struct launch l;
	if (launch_argv(&l, job, dynamic, chunk, rank, report) < 0)
		r = MAP_FAILED, errno = ENOMEM;
	/* ranks mpiexec leaves dying as it ends a failed job become ours to reap (the cell is a process of its
	 * own per batch) */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int64_t t0 = cc_now_ns();
	pid_t self = getpid(), pid = r == MAP_FAILED ? -1 : fork();
	if (pid == 0) {
		if (cc_proc_child_init(self) < 0)
			_exit(127);
		dup2(lfd, STDOUT_FILENO);
		dup2(lfd, STDERR_FILENO);
		if (geteuid() == 0) { /* Open MPI refuses root unless told twice (CI, containers) */
			setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
			setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
		}
		execv(l.argv[0], (char *const *)l.argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", l.argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		err = -errno;
		snprintf(out->why, sizeof(out->why), "mpi: %s: %s",
			 r == MAP_FAILED ? "the report and the command line" : "fork", strerror(errno));
	} else {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		/* every rank has SIGKILL as its parent-death signal, sent again as it is re-parented: this ends */
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
		char said[160], status[48] = "";
		if (cc_proc_describe_status(st, status, sizeof(status), "mpiexec", 0) ||
		    __atomic_load_n(&r->magic, __ATOMIC_ACQUIRE) != MPI_REPORT_MAGIC) {
			last_words(lfd, said, sizeof(said));
			snprintf(out->why, sizeof(out->why), "mpi: the job failed: %s (%s)", said,
				 *status ? status + strlen("mpiexec 0 ") : "no report from rank 0");
			err = -ECHILD;
		}
	}
	if (!err && r->err) { /* a scenario's roles that did not settle: rank 0 says why */
		snprintf(out->why, sizeof(out->why), "%.*s", (int)sizeof(r->why), r->why);
		err = r->err;
	}
	if (!err && r->workers != job->workers) {
		snprintf(out->why, sizeof(out->why), "mpi: rank 0 reported %u workers, not %u", r->workers, job->workers);
		err = -EPROTO;
	}
	if (!err) {
		const struct cc_worker_out *w = (const struct cc_worker_out *)(r + 1);
		if (ndone)
			memcpy(job->done_ns, w + job->workers, ndone * sizeof(int64_t));
		memcpy(out->metrics, r->metrics, sizeof(out->metrics));
		out->nhosts = r->hosts < CC_MAX_HOSTS ? r->hosts : CC_MAX_HOSTS;
		memcpy(out->hosts, r->host, out->nhosts * sizeof(*out->hosts));
		out->hosts_total = r->hosts;
		out->spawn_s = (double)(r->start_ns - t0) / 1e9;
		/* on several hosts the finish times are other clocks': rank 0's end of the gathering instead */
		cc_outcome_collect(out, w, job->workers, r->start_ns, r->one_host ? 0 : r->end_ns);
		/* the CPU time counted is the launch's too (mpiexec, MPI_Init): the timed region's is said apart */
		unsigned ranks = job->workers + dynamic;
		int n = snprintf(out->note, sizeof(out->note), "%u rank%s on %u host%s, %.3g ms CPU from the gate", ranks,
				 ranks == 1 ? "" : "s", r->hosts, r->hosts == 1 ? "" : "s", (double)r->gate_cpu_ns / 1e6);
		if (dynamic)
			snprintf(out->note + n, sizeof(out->note) - (size_t)n,
				 ", a master handing out %u chunks of %" PRIu64 " tasks", r->chunks, chunk);
	}
	free(l.cpus);
	if (r != MAP_FAILED)
		munmap(r, bytes);
	close(rfd);
	close(lfd);
	unlink(report);
	return err;
}

static int mpi_run(const struct cc_job *job, struct cc_outcome *out) { return mpi_launch(job, out, true); }
static int mpi_static_run(const struct cc_job *job, struct cc_outcome *out) { return mpi_launch(job, out, false); }

const struct cc_model model_mpi = {
	.name = "mpi",
	.summary = "MPI ranks (mpiexec): a master hands out chunks of tasks on request, the notes' task queue",
	.unit = CC_UNIT_PROGRAM,
	.separate_memory = true,
	.cpu_headline_only = true,
	.executor = SC_MPI,
	.run = mpi_run,
	.run_roles = mpi_static_run, /* every rank a role: no master of the harness's */
};

const struct cc_model model_mpi_static = {
	.name = "mpi-static",
	.summary = "MPI ranks (mpiexec), each a block of the tasks: no master in the loop",
	.unit = CC_UNIT_PROGRAM,
	.separate_memory = true,
	.cpu_headline_only = true,
	.run = mpi_static_run,
};
