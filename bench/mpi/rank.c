/*
 * concur-mpi: one rank of the mpi models (models/mpi.h has its command line). Each rank rebuilds the
 * job from plain values, sets the workload up itself (ranks share no memory) and, pinned where the plan
 * says, waits at MPI_Barrier: the start gate. Then either
 *   - dynamic (the notes' task queue): rank 0 the master, answering each worker's request with the next
 *     chunk of positions; a worker keeps two requests outstanding, so that the next chunk is on its way
 *     while it computes this one; or
 *   - static: every rank a worker, taking its block of positions, no master in the loop.
 * The workers' reports (checksum, histogram, placement, host) are gathered on rank 0 (the notes' result
 * queue), which writes them into the report file of the cell process that launched the job.
 *
 * For a scenario (the mpi executor, work/scenario.h) every rank is the role of its number: it sets the
 * scenario's state up for itself, runs its role a few operations untimed before the gate (MPI connects a
 * pair of ranks on their first message, which osu_latency's skipped iterations also keep out), and talks
 * to the other roles through MPI_Send and MPI_Recv; rank 0 then settles the batch (every operation done,
 * verified, measured) as sc_run does for threads and processes.
 *
 * A failing rank says why on standard error and aborts the job: mpiexec then ends every rank.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <mpi.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/busy.h"
#include "base/clock.h"
#include "core/registry.h"
#include "core/report.h"
#include "core/sysinfo.h"
#include "models/model.h"
#include "models/mpi.h"
#include "models/roles.h"
#include "work/scenario.h"

enum { TAG_REQUEST = 1, TAG_CHUNK = 2 };

/* What each rank sends rank 0: its worker's report, and its host (the master's report is empty). */
struct rank_report {
	struct cc_host host;
	int64_t cpu_ns; /* the rank's CPU time from the gate to its end */
	struct cc_worker_out out;
};

static int64_t cpu_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int rank;

/* The index of host `name` among the n listed, or -1. */
static int listed_host(const struct cc_host *listed, unsigned n, const char *name)
{
	for (unsigned h = 0; h < n; h++)
		if (!strcmp(listed[h].name, name))
			return (int)h;
	return -1;
}

/* Whether a rank before q ran on q's host. */
static bool host_before(const struct rank_report *all, int q)
{
	for (int p = 0; p < q; p++)
		if (!strcmp(all[p].host.name, all[q].host.name))
			return true;
	return false;
}

static _Noreturn __attribute__((format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "concur-mpi: rank %d: ", rank);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	MPI_Abort(MPI_COMM_WORLD, 1);
	_exit(1);
}

static uint64_t number(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno)
		die("%s: not a number: '%s'", what, s);
	return v;
}

/* "a,b,c" into at most max values; returns how many. */
static unsigned numbers(const char *s, int64_t *out, unsigned max, const char *what)
{
	unsigned n = 0;
	for (const char *p = s; *p;) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (end == p || errno || n == max || (*end && *end != ','))
			die("%s: expected at most %u comma-separated integers, got '%s'", what, max, s);
		out[n++] = v;
		p = *end ? end + 1 : end;
	}
	return n;
}

/* Waits for req without holding a CPU the workers need: spins spin_ns, then polls every 20 us (an MPI
 * wait would busy-poll, and the master has no CPU of its own). */
static void wait_gently(MPI_Request *req, MPI_Status *st, unsigned spin_ns)
{
	int done = 0;
	int64_t spin_until = cc_now_ns() + spin_ns;
	MPI_Test(req, &done, st);
	while (!done) {
		if (cc_now_ns() > spin_until)
			nanosleep(&(struct timespec){0, 20000}, NULL);
		MPI_Test(req, &done, st);
	}
}

/* Answers requests until every worker has been told twice (once per outstanding request) there is no more. */
static unsigned master(uint64_t ntasks, uint64_t chunk, int workers, unsigned spin_ns)
{
	uint64_t next = 0, range[2];
	unsigned chunks = 0;
	for (int ended = 0; ended < 2 * workers;) {
		char dummy;
		MPI_Request req;
		MPI_Status st;
		MPI_Irecv(&dummy, 1, MPI_CHAR, MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &req);
		wait_gently(&req, &st, spin_ns);
		range[0] = next;
		range[1] = ntasks - next < chunk ? ntasks - next : chunk;
		next += range[1];
		if (range[1])
			chunks++;
		else
			ended++;
		MPI_Send(range, 2, MPI_UINT64_T, st.MPI_SOURCE, TAG_CHUNK, MPI_COMM_WORLD);
	}
	return chunks;
}

static void worker_dynamic(const struct cc_job *job, struct cc_worker_out *out)
{
	char dummy = 0;
	uint64_t range[2];
	MPI_Send(&dummy, 1, MPI_CHAR, 0, TAG_REQUEST, MPI_COMM_WORLD);
	MPI_Send(&dummy, 1, MPI_CHAR, 0, TAG_REQUEST, MPI_COMM_WORLD);
	for (int outstanding = 2; outstanding;) {
		MPI_Recv(range, 2, MPI_UINT64_T, 0, TAG_CHUNK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (!range[1]) {
			outstanding--;
			continue;
		}
		MPI_Send(&dummy, 1, MPI_CHAR, 0, TAG_REQUEST, MPI_COMM_WORLD);
		for (uint64_t pos = range[0]; pos < range[0] + range[1]; pos++)
			cc_worker_task(job, out, pos);
	}
}

/* Text of another host for the results: printable ASCII, the rest '?' (the report is JSON, read elsewhere). */
static void printable(char *s, size_t len, const char *from)
{
	size_t k = 0;
	for (; k + 1 < len && from[k]; k++)
		s[k] = from[k] >= 0x20 && from[k] < 0x7f ? from[k] : '?';
	s[k] = 0;
}

/* This rank's host: its name, machine id (as concur run records its own) and shape. */
static void describe_host(struct cc_host *h)
{
	const struct cc_sysinfo *si;
	char name[256] = "";
	gethostname(name, sizeof(name) - 1);
	printable(h->name, sizeof(h->name), name);
	cc_machine_id(h->machine_id);
	if (cc_sysinfo_get(&si) == 0) {
		printable(h->cpu_model, sizeof(h->cpu_model), si->cpu_model);
		h->pus = si->pus, h->cores = si->cores, h->packages = si->packages, h->numa_nodes = si->numa_nodes;
	}
}

/* This host's CPU for this worker rank under the named policy: the workers on this host (the master is
 * none) planned on this host's topology, as concur run plans one machine. Collective: every rank calls it. */
static int plan_here(const struct topo *topo, const char *policy, bool has_master)
{
	int pin = topo_policy_parse(policy), working = !(has_master && rank == 0), local = 0, nlocal = 1;
	if (pin < 0 || pin == TOPO_NONE)
		die("CPUS: '@%s' is not a placement policy", policy);
	MPI_Comm workers, here;
	MPI_Comm_split(MPI_COMM_WORLD, working ? 0 : MPI_UNDEFINED, rank, &workers);
	if (!working)
		return -1;
	MPI_Comm_split_type(workers, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &here);
	MPI_Comm_rank(here, &local);
	MPI_Comm_size(here, &nlocal);
	MPI_Comm_free(&here);
	MPI_Comm_free(&workers);
	const struct topo_place **pl = calloc((size_t)nlocal, sizeof(*pl));
	if (!pl)
		die("planning %d ranks: out of memory", nlocal);
	topo_plan(topo, (enum topo_policy)pin, (unsigned)nlocal, pl);
	if (!pl[local])
		die("this host has no %s placement (concur topo --pairs)", policy);
	int cpu = (int)pl[local]->pu_os;
	free(pl);
	return cpu;
}

/* The mpi executor's messages: blocking, as osu_latency's. MPI's default error handler aborts the job on
 * a failure, so a failed call seldom returns; when one does, the role fails. */
static int link_send(unsigned to, int tag, const void *buf, size_t len)
{
	if (len > INT_MAX)
		return -EMSGSIZE;
	return MPI_Send(buf, (int)len, MPI_BYTE, (int)to, tag, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -EIO;
}

static int link_recv(int from, int tag, void *buf, size_t len, unsigned *sender, size_t *got)
{
	MPI_Status st;
	int n = 0;
	if (len > INT_MAX)
		return -EMSGSIZE;
	if (MPI_Recv(buf, (int)len, MPI_BYTE, from == SC_ANY_ROLE ? MPI_ANY_SOURCE : from, tag, MPI_COMM_WORLD,
		     &st) != MPI_SUCCESS ||
	    MPI_Get_count(&st, MPI_BYTE, &n) != MPI_SUCCESS)
		return -EIO;
	if (sender)
		*sender = (unsigned)st.MPI_SOURCE;
	if (got)
		*got = (size_t)n;
	return 0;
}

static const struct sc_link mpi_link = {link_send, link_recv};

/* Operations a role runs before the gate: a pair's first messages set up its connection. */
#define ROLE_WARMUP_OPS 100

/* This rank's role of the scenario, on its own state: set up, warmed up and placed before the gate, run
 * after it. Returns the state (rank 0 settles the batch with it). */
static void *role_prepare(const struct cc_job *job, struct sc_role *r, struct cc_worker_out *out)
{
	const struct sc_desc *sc = job->wl->scenario;
	char why[200] = "";
	void *state = calloc(1, sc->state_bytes ? sc->state_bytes : 1);
	struct cc_worker_out *scratch = calloc(1, sizeof(*scratch));
	if (!state || !scratch)
		die("the state of %s: out of memory", job->wl->name);
	if (sc->impl)
		*(const void **)state = sc->impl;
	int err = sc->setup ? sc->setup(state, job->params, job->workers, why, sizeof(why)) : 0;
	if (err)
		die("setting up %s: %s", job->wl->name, why[0] ? why : strerror(-err));
	cc_worker_bind(job, (unsigned)rank, true, out);
	*r = (struct sc_role){state, job->params, (unsigned)rank, job->workers,
			      job->ntasks < ROLE_WARMUP_OPS ? job->ntasks : ROLE_WARMUP_OPS, scratch,
			      job->latency_stride ? job->latency_stride : 1, NULL, &mpi_link};
	if ((err = sc->role(r, why, sizeof(why))))
		die("role %d, warming up: %s", rank, why[0] ? why : strerror(-err));
	free(scratch);
	r->ops = job->ntasks;
	r->out = out;
	return state;
}

static void role_run(const struct cc_job *job, struct sc_role *r)
{
	char why[200] = "";
	int err = job->wl->scenario->role(r, why, sizeof(why));
	if (err)
		die("role %d: %s", rank, why[0] ? why : strerror(-err));
}

int main(int argc, char **argv)
{
	/* dies with mpiexec: no rank outlives the job that the cell process's watchdog may kill */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	MPI_Init(&argc, &argv);
	int size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc != 10)
		die("usage: concur-mpi REPORT WORKLOAD NTASKS STRIDE CHUNK SPIN_NS CPUS PARAMS BUSY_RATE (got %d "
		    "arguments)", argc - 1);
	if (cc_busy_set_rate(number(argv[9], "BUSY_RATE")))
		die("BUSY_RATE: out of range: '%s'", argv[9]);
	const struct wl_desc *wl = wl_find(argv[2]);
	const struct sc_desc *sc = wl ? wl->scenario : NULL;
	if (!wl || !(wl->task || (sc && (sc->executors & SC_MPI))))
		die("no workload or mpi scenario '%s' in this concur-mpi (the same build on every host?)", argv[2]);
	if (wl->reset || wl->verify)
		die("%s changes memory every worker shares: ranks share none", wl->name);
	uint64_t ntasks = number(argv[3], "NTASKS"), chunk = number(argv[5], "CHUNK");
	if (wl->task_cost && ntasks > INT_MAX) /* the end times are reduced in one MPI call, counted in an int */
		die("%" PRIu64 " tasks: at most %d with task end times", ntasks, INT_MAX);
	unsigned stride = (unsigned)number(argv[4], "STRIDE"), spin_ns = (unsigned)number(argv[6], "SPIN_NS");
	bool dynamic = chunk > 0 && !sc;
	int workers = dynamic ? size - 1 : size, k = dynamic ? rank - 1 : rank;
	if (workers < 1)
		die("%d ranks: the task queue needs a master and at least one worker", size);
	int64_t params[WL_MAX_PARAMS] = {0}, *cpus = calloc((size_t)workers, sizeof(*cpus));
	int *cpu_of = calloc((size_t)workers, sizeof(*cpu_of));
	if (!cpus || !cpu_of)
		die("out of memory");
	bool per_host = argv[7][0] == '@';
	unsigned ncpus = per_host ? (unsigned)workers : strcmp(argv[7], "-") ? numbers(argv[7], cpus, (unsigned)workers, "CPUS") : 0;
	if (ncpus && ncpus != (unsigned)workers)
		die("%u CPUs for %d workers", ncpus, workers);
	numbers(argv[8], params, WL_MAX_PARAMS, "PARAMS");

	struct topo topo = {0};
	for (unsigned c = 0; c < ncpus && !per_host; c++)
		cpu_of[c] = (int)cpus[c];
	if (ncpus && topo_load(&topo, NULL, NULL))
		die("loading this host's topology (hwloc) failed");
	if (per_host && k >= 0)
		cpu_of[k] = plan_here(&topo, argv[7] + 1, dynamic);
	else if (per_host)
		plan_here(&topo, argv[7] + 1, dynamic); /* the master takes part in splitting the ranks */
	void *ctx = NULL;
	int err = wl->setup ? wl->setup(params, &ctx) : 0;
	if (err)
		die("setting up %s: %s", wl->name, strerror(-err));
	uint64_t *order = sc ? NULL : cc_task_order(wl, ctx, params, ntasks, &err);
	if (err)
		die("ordering %" PRIu64 " tasks: %s", ntasks, strerror(-err));
	int64_t *done_ns = wl->task_cost ? calloc(ntasks, sizeof(int64_t)) : NULL;
	if (wl->task_cost && !done_ns)
		die("%" PRIu64 " task end times: out of memory", ntasks);
	struct cc_job job = {.wl = wl, .ctx = ctx, .ntasks = ntasks, .workers = (unsigned)workers,
			     .latency_stride = stride, .topo = ncpus ? &topo : NULL, .cpu = ncpus ? cpu_of : NULL,
			     .params = params, .order = order, .done_ns = done_ns};
	struct rank_report *mine = calloc(1, sizeof(*mine));
	if (!mine)
		die("out of memory");
	describe_host(&mine->host);
	bool working = k >= 0;
	struct sc_role role;
	void *state = sc ? role_prepare(&job, &role, &mine->out) : NULL;
	if (working && !sc)
		cc_worker_bind(&job, (unsigned)k, true, &mine->out);
	if (working)
		cc_worker_begin(&mine->out);

	MPI_Barrier(MPI_COMM_WORLD); /* every rank placed and set up: the gate */
	int64_t start_ns = cc_now_ns(), cpu0 = cpu_now_ns();
	unsigned chunks = 0;
	if (sc)
		role_run(&job, &role);
	else if (!working)
		chunks = master(ntasks, chunk, workers, spin_ns);
	else if (dynamic)
		worker_dynamic(&job, &mine->out);
	else
		for (uint64_t pos = ntasks * (uint64_t)k / workers; pos < ntasks * (uint64_t)(k + 1) / workers; pos++)
			cc_worker_task(&job, &mine->out, pos);
	if (working)
		cc_worker_end(&mine->out);
	mine->cpu_ns = cpu_now_ns() - cpu0;

	/* the result queue: every rank's report to rank 0 (the master's own is dropped) */
	struct rank_report *all = rank == 0 ? calloc((size_t)size, sizeof(*all)) : NULL;
	if (rank == 0 && !all)
		die("gathering %d reports: out of memory", size);
	MPI_Gather(mine, sizeof(*mine), MPI_BYTE, all, sizeof(*mine), MPI_BYTE, 0, MPI_COMM_WORLD);
	int64_t end_ns = cc_now_ns();
	if (done_ns)
		MPI_Reduce(rank == 0 ? MPI_IN_PLACE : done_ns, done_ns, (int)ntasks, MPI_INT64_T, MPI_MAX, 0,
			   MPI_COMM_WORLD);
	if (wl->teardown)
		wl->teardown(ctx);
	if (rank == 0) {
		uint64_t bytes = mpi_report_size((unsigned)workers, done_ns ? ntasks : 0);
		/* the cell process made it this size for its job: another size is another job's, or another
		 * build's idea of the layout (mapping past its end would crash) */
		struct stat st;
		int fd = open(argv[1], O_RDWR);
		if (fd < 0 || fstat(fd, &st) < 0)
			die("the report file %s (rank 0 runs on the launching host): %s", argv[1], strerror(errno));
		if ((uint64_t)st.st_size != bytes)
			die("the report file %s has %lld bytes, not the %" PRIu64 " of this job", argv[1],
			    (long long)st.st_size, bytes);
		struct mpi_report *r = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (r == MAP_FAILED)
			die("mapping the report file %s: %s", argv[1], strerror(errno));
		struct cc_worker_out *w = (struct cc_worker_out *)(r + 1);
		unsigned hosts = 0, one_host = 1;
		for (int q = 0, n = 0; q < size; q++) { /* the distinct hosts in rank order, each with its ranks */
			int h = listed_host(r->host, hosts < CC_MAX_HOSTS ? hosts : CC_MAX_HOSTS, all[q].host.name);
			if (h < 0 && !host_before(all, q)) { /* a new host: listed while there is room, counted anyway */
				if (hosts < CC_MAX_HOSTS)
					r->host[h = (int)hosts] = all[q].host;
				hosts++;
			}
			if (h >= 0)
				r->host[h].ranks++;
			one_host &= !strcmp(all[q].host.name, all[0].host.name);
			r->gate_cpu_ns += all[q].cpu_ns;
			if (q == 0 && dynamic) /* the master's report is dropped */
				continue;
			w[n] = all[q].out;
			w[n++].info.host = h;
		}
		if (done_ns)
			memcpy(w + workers, done_ns, ntasks * sizeof(int64_t));
		if (sc) { /* the roles' reports are all here, and rank 0's state: settled as sc_run settles */
			struct cc_outcome settled = {0};
			r->err = sc_settle(&job, w, state, &settled);
			memcpy(r->why, settled.why, sizeof(r->why));
			memcpy(r->metrics, settled.metrics, sizeof(r->metrics));
		}
		r->start_ns = start_ns;
		r->end_ns = end_ns;
		r->workers = (unsigned)workers;
		r->hosts = hosts;
		r->chunks = chunks;
		r->one_host = one_host;
		__atomic_store_n(&r->magic, MPI_REPORT_MAGIC, __ATOMIC_RELEASE);
		munmap(r, bytes);
		close(fd);
	}
	if (sc && sc->teardown)
		sc->teardown(state, job.workers);
	MPI_Finalize();
	return 0;
}
