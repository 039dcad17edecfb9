/*
 * spawn/zombie: the zombie lesson. The role forks children that exit at once, one per operation, and
 * reaps them one of four ways (`reap`): 0 waitpid on each child at once (the notes' join), 1 a SIGCHLD
 * handler reaping whatever has ended, 2 a waitpid(-1, WNOHANG) sweep after each fork (a polling loop),
 * 3 only after the last fork. A child is a zombie from its exit until it is reaped: each child stamps
 * the time it exits, the reaper the time it reaps, and the scenario reports how long zombies lived
 * (median and longest) and how many were alive at once at most. Every child is reaped in the end, its
 * status checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/busy.h"
#include "base/clock.h"
#include "spawn.h"

enum { P_REAP };
enum { REAP_WAIT, REAP_HANDLER, REAP_POLL, REAP_END };

struct state {
	_Atomic uint64_t exited; /* children that have stamped their exit (in every process: shared) */
	double zombies_max, life_p50_us, life_max_us; /* the role's findings, for measure */
};

/* One role's run, private to it (the handler reaches it through `current`). */
struct run {
	struct state *s;
	int64_t *exit_ns; /* per child, shared with the children: stamped just before _exit */
	pid_t *pid;       /* per child */
	double *life_us;  /* per reaped child */
	_Atomic uint64_t reaped, forked, zombies_max;
	atomic_bool reaping, again; /* the handler can run on two threads at once (threads executor) */
	uint64_t sum, bad; /* bad: a child that ended otherwise (or unknown), its number + 1 */
};

/* The run the handler works for, and how many handlers are inside it: with the roles as threads the
 * handler can run on another thread, even just as the role ends, which then waits them out. */
static struct run *_Atomic current;
static atomic_uint handlers;

/* Children that have exited and are not reaped yet: zombies, or about to be (sampled after each fork
 * and at each reap, the one being reaped counted). */
static void note_alive(struct run *run)
{
	uint64_t alive = atomic_load(&run->s->exited) - atomic_load(&run->reaped);
	uint64_t top = atomic_load(&run->zombies_max);
	while (alive > top && !atomic_compare_exchange_weak(&run->zombies_max, &top, alive))
		;
}

/* Child pid's number: the search starts where reaping in forking order would be; n if it is unknown. */
static uint64_t child_number(const struct run *run, pid_t pid, uint64_t n)
{
	uint64_t from = atomic_load_explicit(&run->reaped, memory_order_relaxed);
	for (uint64_t k = 0; k < n; k++) {
		uint64_t i = (from + k) % n;
		if (run->pid[i] == pid)
			return i;
	}
	return n;
}

/* Reaps one ended child (any when pid is -1; without waiting when nohang); 1 if one was, 0 if none had
 * ended (nohang), -1 on error (errno). Async-signal-safe: the handler calls it, maybe on another thread
 * than the role's (threads executor), where a child can end before the role has recorded its pid:
 * then it waits for the record, which the role makes right after fork returns. */
static int reap_one(struct run *run, pid_t pid, bool nohang)
{
	int st;
	pid_t got;
	while ((got = waitpid(pid, &st, nohang ? WNOHANG : 0)) < 0 && errno == EINTR)
		;
	if (got <= 0)
		return got;
	int64_t now = cc_now_ns();
	note_alive(run);
	uint64_t n = atomic_load_explicit(&run->forked, memory_order_acquire), i = child_number(run, got, n);
	for (int64_t until = now + 1000000000; i == n && cc_now_ns() < until; i = child_number(run, got, n)) {
		cc_relax();
		n = atomic_load_explicit(&run->forked, memory_order_acquire);
	}
	uint64_t done = atomic_load_explicit(&run->reaped, memory_order_relaxed);
	if (i == n || !WIFEXITED(st) || WEXITSTATUS(st) != (int)(i & 0x7f)) {
		if (!run->bad)
			run->bad = i + 1;
	} else {
		run->life_us[done] = now > run->exit_ns[i] ? (double)(now - run->exit_ns[i]) / 1e3 : 0; /* cc_since_ns */
		run->sum += cc_fold(i, (uint64_t)WEXITSTATUS(st));
	}
	atomic_store_explicit(&run->reaped, done + 1, memory_order_release);
	return 1;
}

/* One reaper at a time: a handler that finds another at work leaves it a note to look again, so a child
 * whose signal came to this thread is never left behind. */
static void on_sigchld(int sig)
{
	(void)sig;
	int saved = errno;
	atomic_fetch_add(&handlers, 1); /* before looking: the role's end waits for it from here */
	struct run *run = atomic_load(&current);
	if (run)
		atomic_store(&run->again, true);
	while (run && atomic_load(&run->again) && !atomic_exchange(&run->reaping, true)) {
		atomic_store(&run->again, false);
		while (reap_one(run, -1, true) > 0)
			;
		atomic_store(&run->reaping, false);
	}
	atomic_fetch_sub(&handlers, 1);
	errno = saved;
}

static int fork_all(struct sc_role *r, struct run *run, int mode, char *why, size_t len)
{
	sigset_t chld, was;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (uint64_t i = 0; i < r->ops; i++) {
		int64_t t = sc_tick(r, i);
		pthread_sigmask(SIG_BLOCK, &chld, &was); /* the handler, on this thread, after the record */
		pid_t pid = fork();
		if (pid == 0) {
			run->exit_ns[i] = cc_now_ns();
			atomic_fetch_add(&run->s->exited, 1);
			_exit((int)(i & 0x7f));
		}
		if (pid < 0) {
			int err = -errno;
			pthread_sigmask(SIG_SETMASK, &was, NULL);
			snprintf(why, len, "fork: %s", strerror(errno));
			return err;
		}
		run->pid[i] = pid;
		atomic_store_explicit(&run->forked, i + 1, memory_order_release); /* after pid[i] */
		pthread_sigmask(SIG_SETMASK, &was, NULL);
		note_alive(run);
		if (mode == REAP_WAIT && reap_one(run, pid, false) < 0) {
			int err = -errno;
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return err;
		}
		while (mode == REAP_POLL && reap_one(run, -1, true) > 0)
			;
		sc_tock(r, t);
	}
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int role(struct sc_role *r, char *why, size_t len)
{
	struct state *s = r->state;
	int mode = (int)r->params[P_REAP], err = 0;
	uint64_t n = r->ops;
	struct run run = {.s = s};
	atomic_store(&s->exited, 0);
	run.exit_ns = mmap(NULL, n * sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	run.pid = calloc(n, sizeof(*run.pid));
	run.life_us = calloc(n, sizeof(*run.life_us));
	if (run.exit_ns == MAP_FAILED || !run.pid || !run.life_us) {
		snprintf(why, len, "%llu children's records: %s", (unsigned long long)n, strerror(ENOMEM));
		err = -ENOMEM;
		goto out;
	}
	atomic_store(&current, &run);
	struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP}, old;
	sigemptyset(&sa.sa_mask);
	if (mode == REAP_HANDLER)
		sigaction(SIGCHLD, &sa, &old);
	err = fork_all(r, &run, mode, why, len);
	/* the end: every child reaped, whatever the way (the handler's, waited for) */
	while (atomic_load(&run.reaped) < atomic_load(&run.forked)) {
		note_alive(&run);
		if (mode == REAP_HANDLER) {
			usleep(50); /* the handler may run on another thread of this process */
			continue;
		}
		if (reap_one(&run, -1, false) < 0)
			break;
	}
	if (mode == REAP_HANDLER)
		sigaction(SIGCHLD, &old, NULL);
	atomic_store(&current, NULL);
	while (atomic_load(&handlers)) /* a handler that began before: this frame is its run */
		cc_relax();
	if (!err && run.bad) {
		snprintf(why, len, "child %llu ended otherwise than it should", (unsigned long long)run.bad - 1);
		err = -EPROTO;
	}
	if (!err) {
		uint64_t got = atomic_load(&run.reaped);
		qsort(run.life_us, got, sizeof(double), by_value);
		s->zombies_max = (double)atomic_load(&run.zombies_max);
		s->life_p50_us = got ? run.life_us[got / 2] : 0;
		s->life_max_us = got ? run.life_us[got - 1] : 0;
		r->out->checksum += run.sum;
	}
out:
	if (run.exit_ns != MAP_FAILED && run.exit_ns)
		munmap(run.exit_ns, n * sizeof(int64_t));
	free(run.pid);
	free(run.life_us);
	return err;
}

static void measure(const void *p, const int64_t *params, uint64_t ops, double *values)
{
	(void)params, (void)ops;
	const struct state *s = p;
	values[0] = s->zombies_max;
	values[1] = s->life_p50_us;
	values[2] = s->life_max_us;
}

static const struct sc_metric metrics[] = {
	{"zombies_max", "children", "zombies alive at once, at most", SC_MAX},
	{"zombie_p50_us", "us", "how long a zombie lived, median", SC_MEDIAN},
	{"zombie_max_us", "us", "how long a zombie lived, longest", SC_MAX},
	{0},
};

static const struct sc_desc scenario = {
	.roles = 1,
	.executors = SC_THREADS | SC_PROCESSES,
	.state_bytes = sizeof(struct state),
	.op = "fork, the child exits",
	.role = role,
	.verify = spawn_none_left,
	.metrics = metrics,
	.measure = measure,
};

static double op_ns(const int64_t *params)
{
	(void)params;
	return 150000;
}

const struct wl_desc sc_spawn_zombie = {
	.name = "zombie",
	.cls = WL_SPAWN,
	.summary = "fork children that exit at once, reaped at once, by a SIGCHLD handler, by polling or at the "
		   "end: how long zombies live and how many pile up",
	.params = (const struct wl_param[]){{"reap", WL_INT, REAP_HANDLER, REAP_WAIT, REAP_END,
					     "0 waitpid each at once, 1 SIGCHLD handler, 2 poll after each fork, 3 at the end"},
					    {0}},
	.default_tasks = 100,
	.task_ns = op_ns,
	.sweep = "reap=0,1,2,3",
	.scenario = &scenario,
};
