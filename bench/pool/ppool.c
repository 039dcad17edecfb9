/*
 * The process pool; see ppool.h. Everything the workers and the caller share
 * lives in one anonymous shared mapping: the ring, the doorbells, the current
 * run and one slot per worker. Invariant: a task is counted exactly once, as
 * completed by its worker or as failed by the caller when its worker died.
 * A worker claims a task (fetch_add) and only then says so in its slot, so a
 * task in a dead worker's slot was certainly its own. A death in the two
 * instructions between the claim and saying so leaves a task nobody owns; the
 * caller counts such tasks as lost once the workers are idle and make no
 * progress for a second.
 */
#define _GNU_SOURCE
#include "pool/ppool.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/proc.h"
#include "pool/ring.h"

#define NO_TASK UINT64_MAX

struct slot {
	_Alignas(64) atomic_int pid;
	atomic_uint_fast64_t current; /* the task it is running, or NO_TASK */
	uint64_t acc;                 /* written by the worker only; read once the run is complete */
	uint64_t tasks;
};

struct run {
	ppool_fn *fn;
	const void *ctx;
	uint64_t n;
	_Alignas(64) atomic_uint_fast64_t next;
	_Alignas(64) atomic_uint_fast64_t finished; /* completed + failed */
	atomic_uint_fast64_t failed;
};

struct shared {
	atomic_int stop;
	struct bell work, done;
	struct run run;
	struct slot slots[]; /* then the ring */
};

struct ppool {
	struct ppool_opts o;
	struct shared *sh;
	struct ring *ring;
	size_t size;
	pid_t parent;
	unsigned replaced;
};

static bool work_or_stop(void *arg)
{
	struct ppool *p = arg;
	return !ring_empty(p->ring) || atomic_load(&p->sh->stop);
}

static void run_range(struct ppool *p, unsigned k)
{
	struct run *r = &p->sh->run;
	struct slot *s = &p->sh->slots[k];
	uint64_t i;
	while ((i = atomic_fetch_add(&r->next, 1)) < r->n) {
		atomic_store(&s->current, i);
		uint64_t v = r->fn(r->ctx, i, k);
		s->acc += p->o.fold ? p->o.fold(i, v) : v;
		s->tasks++;
		atomic_store(&s->current, NO_TASK);
		if (atomic_fetch_add(&r->finished, 1) + 1 == r->n)
			bell_ring(&p->sh->done, true);
	}
}

static _Noreturn void worker_main(struct ppool *p, unsigned k)
{
	if (cc_proc_child_init(p->parent) < 0)
		_exit(127);
	if (p->o.on_start)
		p->o.on_start(k, p->o.arg);
	struct pool_entry e;
	atomic_store(&p->sh->slots[k].pid, getpid());
	bell_ring(&p->sh->done, true);
	while (!atomic_load(&p->sh->stop)) {
		if (ring_pop(p->ring, &e))
			run_range(p, k);
		else
			bell_wait(&p->sh->work, work_or_stop, p, p->o.spin_ns, -1, NULL);
	}
	if (p->o.on_stop)
		p->o.on_stop(k, p->o.arg);
	_exit(0);
}

static int spawn(struct ppool *p, unsigned k)
{
	struct slot *s = &p->sh->slots[k];
	atomic_store(&s->pid, 0);
	atomic_store(&s->current, NO_TASK);
	s->acc = s->tasks = 0;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		worker_main(p, k);
	if (pid < 0)
		return -errno;
	/* negative until the worker says it has started; if it already has, its word stands */
	int unset = 0;
	atomic_compare_exchange_strong(&s->pid, &unset, -pid);
	return 0;
}

static bool all_started(void *arg)
{
	struct ppool *p = arg;
	for (unsigned k = 0; k < p->o.workers; k++)
		if (atomic_load(&p->sh->slots[k].pid) <= 0)
			return false;
	return true;
}

int ppool_create(const struct ppool_opts *opts, struct ppool **out)
{
	if (!opts || !opts->workers || !opts->capacity)
		return -EINVAL;
	struct ppool *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	size_t cap = pool_pow2(opts->capacity);
	size_t head = sizeof(struct shared) + opts->workers * sizeof(struct slot);
	head = (head + 63) & ~(size_t)63;
	p->o = *opts;
	p->size = head + ring_bytes(cap);
	p->parent = getpid();
	p->sh = mmap(NULL, p->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->sh == MAP_FAILED) {
		int err = -errno;
		free(p);
		return err;
	}
	p->ring = (struct ring *)((char *)p->sh + head);
	ring_init(p->ring, cap);
	bell_init(&p->sh->work);
	bell_init(&p->sh->done);
	for (unsigned k = 0; k < opts->workers; k++) {
		int err = spawn(p, k);
		if (err) {
			p->o.workers = k; /* destroy reaps only those forked */
			ppool_destroy(p);
			return err;
		}
	}
	/* a worker that dies before it starts would leave us waiting: look while waiting */
	while (!bell_wait(&p->sh->done, all_started, p, 0, 50, NULL)) {
		for (unsigned k = 0; k < opts->workers; k++) {
			pid_t pid = -atomic_load(&p->sh->slots[k].pid);
			if (pid > 0 && waitpid(pid, NULL, WNOHANG) == pid) {
				atomic_store(&p->sh->slots[k].pid, 0);
				ppool_destroy(p);
				return -ECHILD;
			}
		}
	}
	*out = p;
	return 0;
}

static void count_failed(struct ppool *p, uint64_t count)
{
	struct run *r = &p->sh->run;
	atomic_fetch_add(&r->failed, count);
	if (atomic_fetch_add(&r->finished, count) + count >= r->n)
		bell_ring(&p->sh->done, true);
}

/* Reaps dead workers: their task (if any) failed; a new worker takes the slot. Returns how many died. */
static unsigned check_workers(struct ppool *p, struct ppool_result *res)
{
	unsigned died = 0;
	for (unsigned k = 0; k < p->o.workers; k++) {
		struct slot *s = &p->sh->slots[k];
		pid_t pid = abs(atomic_load(&s->pid)); /* started or not */
		int st;
		if (pid == 0 || waitpid(pid, &st, WNOHANG) != pid)
			continue;
		uint64_t task = atomic_load(&s->current);
		char why[160];
		cc_proc_describe_status(st, why, sizeof(why), "worker", k);
		if (!res->why[0]) {
			if (task != NO_TASK)
				snprintf(res->why, sizeof(res->why), "task %" PRIu64 " failed: %s (pid %d); replaced",
					 task, why, pid);
			else
				snprintf(res->why, sizeof(res->why), "%s (pid %d) between tasks; replaced", why, pid);
		}
		if (task != NO_TASK)
			count_failed(p, 1);
		died++;
		p->replaced++;
		res->acc += s->acc; /* what it finished before dying still counts; the new worker starts at 0 */
		res->completed += s->tasks;
		if (spawn(p, k) == 0) { /* its range entry died with it: give the new worker one */
			struct pool_entry e = {0};
			ring_push(p->ring, &e);
			bell_ring(&p->sh->work, true);
		}
	}
	return died;
}

/* After a death: tasks claimed but never announced are lost once nothing is left to claim,
 * every worker is idle and nothing has finished for a second. */
static void count_lost(struct ppool *p, uint64_t *last_finished, int64_t *still_since)
{
	struct run *r = &p->sh->run;
	uint64_t finished = atomic_load(&r->finished);
	if (finished != *last_finished || atomic_load(&r->next) < r->n) {
		*last_finished = finished;
		*still_since = cc_now_ns();
		return;
	}
	for (unsigned k = 0; k < p->o.workers; k++)
		if (atomic_load(&p->sh->slots[k].current) != NO_TASK)
			return;
	if (cc_now_ns() - *still_since > 1000000000LL && finished < r->n)
		count_failed(p, r->n - finished);
}

static bool run_finished(void *arg)
{
	struct ppool *p = arg;
	return atomic_load(&p->sh->run.finished) >= p->sh->run.n;
}

int ppool_run(struct ppool *p, ppool_fn *fn, const void *ctx, uint64_t n, struct ppool_result *res)
{
	struct run *r = &p->sh->run;
	memset(res, 0, sizeof(*res));
	for (unsigned k = 0; k < p->o.workers; k++)
		p->sh->slots[k].acc = p->sh->slots[k].tasks = 0;
	r->fn = fn;
	r->ctx = ctx;
	r->n = n;
	atomic_store(&r->failed, 0);
	atomic_store(&r->finished, 0);
	atomic_store(&r->next, 0); /* last: it publishes the run */
	unsigned ranges = n < p->o.workers ? (unsigned)n : p->o.workers;
	for (unsigned k = 0; k < ranges; k++) {
		struct pool_entry e = {0};
		while (!ring_push(p->ring, &e))
			check_workers(p, res);
	}
	bell_ring(&p->sh->work, ranges > 1);
	/* wait in short sleeps: a worker that dies does not ring */
	bool deaths = false;
	uint64_t last_finished = 0;
	int64_t still_since = cc_now_ns();
	while (!bell_wait(&p->sh->done, run_finished, p, p->o.spin_ns, 20, NULL)) {
		deaths |= check_workers(p, res) > 0;
		if (deaths)
			count_lost(p, &last_finished, &still_since);
	}
	check_workers(p, res);
	while (ring_pop(p->ring, &(struct pool_entry){0})) /* ranges no worker needed */
		;
	for (unsigned k = 0; k < p->o.workers; k++) {
		res->acc += p->sh->slots[k].acc;
		res->completed += p->sh->slots[k].tasks;
	}
	res->failed = atomic_load(&r->failed);
	return res->failed ? -ECHILD : 0;
}

pid_t ppool_worker_pid(const struct ppool *p, unsigned k) { return atomic_load(&p->sh->slots[k].pid); }

unsigned ppool_replaced(const struct ppool *p) { return p->replaced; }

void ppool_destroy(struct ppool *p)
{
	atomic_store(&p->sh->stop, 1);
	bell_ring(&p->sh->work, true);
	int64_t grace_end = cc_now_ns() + 2000000000LL; /* a task still running gets two seconds */
	for (unsigned k = 0; k < p->o.workers; k++) {
		pid_t pid = atomic_load(&p->sh->slots[k].pid);
		pid = pid < 0 ? -pid : pid;
		if (pid <= 0)
			continue;
		while (waitpid(pid, NULL, WNOHANG) == 0) {
			if (cc_now_ns() > grace_end) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				break;
			}
			usleep(1000);
		}
	}
	munmap(p->sh, p->size);
	free(p);
}
