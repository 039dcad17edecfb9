/*
 * concur lessons: the course notes' claims in their order, each with the command that measures it and
 * what a result file says about it on the machine that made it (docs/lessons.md is this page for the
 * reference VM). Everything read from a file is data: it enters the Markdown only inside code spans,
 * with backticks and line breaks taken out, and numbers are formatted here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/verbs.h"
#include "core/exitcodes.h"
#include "core/report.h"

struct lessons {
	FILE *f;
	json_t *benches; /* concur.benchmarks of the result file */
	json_t *headline;
	json_t *micro;   /* concur-micro --json's benchmarks, or NULL */
	const char *path;
};

/* A string from the file, as a code span: never Markdown or HTML. */
static void code(FILE *f, const char *s)
{
	fputc('`', f);
	for (size_t k = 0; s && s[k] && k < 120; k++)
		fputc(s[k] == '`' ? '\'' : (unsigned char)s[k] < 0x20 ? ' ' : s[k], f);
	fputc('`', f);
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_number(v) ? json_number_value(v) : -1;
}

/* A duration in ns, in the unit that reads best. */
static void dur(FILE *f, double ns)
{
	if (ns < 0)
		fputs("?", f);
	else if (ns < 1e3)
		fprintf(f, "%.0f ns", ns);
	else if (ns < 1e6)
		fprintf(f, "%.3g µs", ns / 1e3);
	else if (ns < 1e9)
		fprintf(f, "%.3g ms", ns / 1e6);
	else
		fprintf(f, "%.3g s", ns / 1e9);
}

/* Whether benchmark b is of class/workload wl. */
static bool is(json_t *b, const char *wl)
{
	const char *cls = str(b, "class"), *name = str(b, "workload"), *slash = strchr(wl, '/');
	return cls && name && slash && strlen(cls) == (size_t)(slash - wl) && !strncmp(cls, wl, (size_t)(slash - wl)) &&
	       !strcmp(name, slash + 1);
}

static double metric(json_t *b, const char *name)
{
	json_t *m = json_object_get(b, "metrics");
	if (!m)
		m = json_object_get(json_object_get(b, "scenario"), "metrics");
	return num(json_object_get(m, name), "value");
}

static void missing(const struct lessons *l, const char *what)
{
	fprintf(l->f, "- Not in this result file: %s. Run the command above.\n", what);
}

/* Every benchmark of a scenario, one line each: executor, roles, placement, time per operation and the
 * figures named (metrics). */
static unsigned scenario_lines(const struct lessons *l, const char *wl, const char *const *metrics, unsigned nm)
{
	size_t i;
	json_t *b;
	unsigned n = 0;
	json_array_foreach(l->benches, i, b)
	{
		json_t *sc = json_object_get(b, "scenario");
		if (!is(b, wl) || !sc || !str(b, "status") || strcmp(str(b, "status"), "ok"))
			continue;
		fputs("- ", l->f);
		code(l->f, str(b, "name"));
		fputs(": ", l->f);
		dur(l->f, num(sc, "ns_per_op"));
		fputs(" per operation", l->f);
		double p99 = num(json_object_get(b, "latency"), "p99");
		if (p99 > 0) {
			fputs(", p99 ", l->f);
			dur(l->f, p99);
		}
		for (unsigned k = 0; k < nm; k++) {
			double v = metric(b, metrics[k]);
			if (v >= 0)
				fprintf(l->f, ", %s %.4g", metrics[k], v);
		}
		fputs("\n", l->f);
		n++;
	}
	return n;
}

/* The cheapest way per placement and roles, from the headline's question key. */
static unsigned cheapest_lines(const struct lessons *l, const char *key)
{
	size_t i;
	json_t *row;
	unsigned n = 0;
	json_array_foreach(json_object_get(json_object_get(l->headline, key), "cheapest"), i, row)
	{
		fputs("- ", l->f);
		code(l->f, str(row, "pin"));
		fprintf(l->f, ", %lld role%s: ", (long long)num(row, "roles"), num(row, "roles") == 1 ? "" : "s");
		code(l->f, str(row, "scenario"));
		fputs(" as ", l->f);
		code(l->f, str(row, "executor"));
		fputs(", ", l->f);
		dur(l->f, num(row, "ns_per_op"));
		fputs(" per operation\n", l->f);
		n++;
	}
	return n;
}

/* Speedups of models on a task workload at each worker count the run has. */
static unsigned speedup_lines(const struct lessons *l, const char *wl, const char *const *models, unsigned nm)
{
	unsigned n = 0;
	for (unsigned m = 0; m < nm; m++) {
		size_t i;
		json_t *b;
		unsigned shown = 0;
		json_array_foreach(l->benches, i, b)
		{
			if (!is(b, wl) || !str(b, "model") || strcmp(str(b, "model"), models[m]) || json_object_get(b, "sweep") ||
			    num(b, "speedup") < 0 || !str(b, "pin") || strcmp(str(b, "pin"), "core"))
				continue;
			if (!shown++) {
				fputs("- ", l->f);
				code(l->f, wl);
				fputs(" under ", l->f);
				code(l->f, models[m]);
				fputs(":", l->f);
				n++;
			}
			fprintf(l->f, "%s %.2fx at %lld worker%s", shown > 1 ? ";" : "", num(b, "speedup"),
				(long long)num(b, "workers"), num(b, "workers") == 1 ? "" : "s");
		}
		if (shown)
			fputs("\n", l->f);
	}
	return n;
}

static void memory(const struct lessons *l)
{
	static const char *const m[] = {"lost_pct"};
	if (!scenario_lines(l, "sync/value", m, 1))
		missing(l, "sync/value");
}

static void creating(const struct lessons *l)
{
	if (!cheapest_lines(l, "spawn"))
		missing(l, "the spawn/ scenarios");
	static const char *const none[] = {NULL};
	static const char *const each[] = {"spawn/thread", "spawn/fork", "spawn/vfork", "spawn/posix-spawn", "spawn/exec",
					   "spawn/coroutine"};
	for (unsigned k = 0; k < 6; k++)
		scenario_lines(l, each[k], none, 0);
}

static void reaping(const struct lessons *l)
{
	static const char *const zm[] = {"zombies_max", "zombie_p50_us", "zombie_max_us"};
	static const char *const none[] = {NULL};
	unsigned n = scenario_lines(l, "spawn/zombie", zm, 3) + scenario_lines(l, "spawn/daemon", none, 0);
	if (!n)
		missing(l, "spawn/zombie and spawn/daemon");
}

static void locks(const struct lessons *l)
{
	static const char *const dm[] = {"deadlocks_per_1000"};
	unsigned n = cheapest_lines(l, "lock") + scenario_lines(l, "sync/deadlock", dm, 1);
	if (!n)
		missing(l, "the sync/ locks and sync/deadlock");
}

static void queues(const struct lessons *l)
{
	static const char *const jm[] = {"join_wait_us"};
	static const char *const tm[] = {"turnaround_mean_ms", "turnaround_p99_ms", "turnaround_max_ms"};
	unsigned n = cheapest_lines(l, "queue") + scenario_lines(l, "queue/joinable", jm, 1);
	size_t i;
	json_t *b;
	json_array_foreach(l->benches, i, b) /* the scheduling lesson: every order the run has */
	{
		const char *model = str(b, "model") ? str(b, "model") : "";
		if (!is(b, "cpu/tail") || metric(b, tm[0]) < 0 ||
		    (strcmp(model, "serial") && strcmp(model, "thread-pool") && strcmp(model, "process-pool")))
			continue;
		fputs("- ", l->f);
		code(l->f, str(b, "name"));
		fputs(":", l->f);
		for (unsigned k = 0; k < 3; k++)
			fprintf(l->f, " %s %.3g ms%s", tm[k], metric(b, tm[k]), k < 2 ? "," : "\n");
		n++;
	}
	if (!n)
		missing(l, "the queue/ scenarios and cpu/tail");
}

static void pools(const struct lessons *l)
{
	static const char *const m[] = {"thread-pool", "process-pool", "threads", "processes"};
	if (!speedup_lines(l, "cpu/hash", m, 4))
		missing(l, "cpu/hash under the pools");
	static const char *const io[] = {"thread-pool", "threads", "coro-pool"};
	speedup_lines(l, "io/sleep", io, 3);
}

/* concur-micro's median of a benchmark (its counter, or real time when counter is NULL). */
static double micro(const struct lessons *l, const char *name, const char *counter)
{
	size_t i;
	json_t *b;
	json_array_foreach(l->micro, i, b)
	{
		const char *run = str(b, "run_name"), *agg = str(b, "aggregate_name");
		if (run && agg && !strcmp(agg, "median") && !strncmp(run, name, strlen(name)) &&
		    (!run[strlen(name)] || !strcmp(run + strlen(name), "/manual_time")))
			return counter ? num(b, counter) : num(b, "real_time");
	}
	return -1;
}

static void submission(const struct lessons *l)
{
	if (!l->micro) {
		fprintf(l->f, "- Not in this result file: the pools' own figures come from `concur-micro --json > "
			      "micro.json`; give that file as the second argument.\n");
		return;
	}
	static const char *const apply[] = {"pool/thread/submit-wait/same-cpu/spinning",
					    "pool/thread/submit-wait/cross-cpu/spinning",
					    "pool/thread/submit-wait/cross-cpu/sleeping"};
	for (unsigned k = 0; k < 3; k++) {
		double v = micro(l, apply[k], NULL);
		if (v < 0)
			continue;
		fputs("- apply, one task submitted and waited for: ", l->f);
		code(l->f, apply[k]);
		fputs(" ", l->f);
		dur(l->f, v);
		fputs(" a task\n", l->f);
	}
	for (unsigned w = 1; w <= 2; w++) {
		char each[64], map[64];
		snprintf(each, sizeof(each), "pool/thread/submit-each/workers:%u", w);
		snprintf(map, sizeof(map), "pool/thread/map/workers:%u", w);
		double e = micro(l, each, "ns_per_task"), m = micro(l, map, "ns_per_task");
		if (e >= 0) {
			fprintf(l->f, "- apply_async, every task submitted with a future, then waited for, %u worker%s: ", w,
				w == 1 ? "" : "s");
			dur(l->f, e);
			fputs(" a task", l->f);
			if (m >= 0) {
				fputs("; map: ", l->f);
				dur(l->f, m);
				fputs(" a task", l->f);
			}
			fputs("\n", l->f);
		}
	}
}

static void gil(const struct lessons *l)
{
	json_t *cpu = json_object_get(l->headline, "cpu"), *g = json_object_get(cpu, "gil");
	if (g) {
		fputs("- CPU-bound (", l->f);
		code(l->f, str(cpu, "workload"));
		fprintf(l->f, "): under a GIL the best speedup is %.2fx (at %lld worker%s); free threads reach %.2fx.\n",
			num(g, "best_speedup"), (long long)num(g, "workers"), num(g, "workers") == 1 ? "" : "s",
			num(g, "threads_best_speedup"));
	}
	static const char *const m[] = {"gil", "threads", "processes"};
	unsigned n = (g != NULL) + speedup_lines(l, "io/sleep", m, 2) + speedup_lines(l, "mix/cpu-io", m, 3);
	static const char *const none[] = {NULL};
	n += scenario_lines(l, "sync/convoy", none, 0);
	if (!n)
		missing(l, "the gil model and sync/convoy");
}

static void coroutines(const struct lessons *l)
{
	static const char *const m[] = {"coroutines", "coro-pool", "threads"};
	static const char *const none[] = {NULL};
	unsigned n = speedup_lines(l, "io/sleep", m, 3) + scenario_lines(l, "spawn/coroutine", none, 0);
	if (!n)
		missing(l, "io/sleep under the coroutine models");
}

static const char *const serve_metrics[] = {"requests_per_s", "server_cpu_us_per_req", "server_rss_kb"};

static void io_models(const struct lessons *l)
{
	static const char *const models[] = {"server/nonblocking", "server/select", "server/poll", "server/epoll",
					     "server/epoll-et", "server/io-uring"};
	unsigned n = cheapest_lines(l, "serve");
	for (unsigned k = 0; k < 6; k++)
		n += scenario_lines(l, models[k], serve_metrics, 3);
	if (!n)
		missing(l, "the server/ scenarios");
}

static void servers(const struct lessons *l)
{
	static const char *const models[] = {"server/blocking-process", "server/blocking-thread", "server/prefork",
					     "server/thread-pool", "server/coroutines", "server/coro-pool", "server/hybrid"};
	unsigned n = 0;
	for (unsigned k = 0; k < 7; k++)
		n += scenario_lines(l, models[k], serve_metrics, 3);
	if (!n)
		missing(l, "the server/ scenarios");
}

static void distributed(const struct lessons *l)
{
	fputs("- Not measured yet: concur has no model that spans hosts (the mpi model is not built).\n", l->f);
}

static const struct lesson {
	const char *title, *claim, *command;
	void (*here)(const struct lessons *l);
} lessons[] = {
	{"Processes do not share memory",
	 "A process's memory is its own: another sees it only through memory shared on purpose (Value, Array), and "
	 "updates of it that no lock guards are lost.",
	 "concur run --workloads sync/value --param how=0,1,2", memory},
	{"Creating a process costs more than creating a thread",
	 "fork copies a process; a thread shares one; a coroutine is a stack and a switch.",
	 "concur run --workloads spawn/thread,spawn/fork,spawn/vfork,spawn/posix-spawn,spawn/exec,spawn/coroutine",
	 creating},
	{"join, daemons, zombies and orphans",
	 "A child that ends stays a zombie until its parent reaps it; a daemon is reaped by init.",
	 "concur run --workloads spawn/zombie,spawn/daemon --param reap=0,1,2,3", reaping},
	{"Locks, and deadlock",
	 "A lock makes shared updates safe at a price; two locks taken in opposite orders deadlock, one order never "
	 "does.",
	 "concur run --workloads sync/mutex,sync/spin-tas,sync/futex-lock,sync/deadlock --param order=0,1", locks},
	{"Queues and producer/consumer",
	 "Producers and consumers meet through a blocking queue; JoinableQueue.join waits for every task_done; the order "
	 "a queue serves in decides who waits (first come first served against shortest first).",
	 "concur run --workloads queue/fifo,queue/joinable,queue/mp,cpu/tail --queue-order fifo,lifo,priority", queues},
	{"Pools sized to the CPUs",
	 "A pool of as many workers as CPUs runs CPU-bound work fastest; more workers only add switching, while waiting "
	 "work gains past the CPUs.",
	 "concur run --workloads cpu/hash,io/sleep --models thread-pool,process-pool,threads,processes,coro-pool",
	 pools},
	{"apply against apply_async",
	 "Submitting a task and waiting for it before the next (apply) makes the pool take turns; submitting all, then "
	 "waiting (apply_async, map), keeps every worker busy.",
	 "concur-micro --json 'pool/thread' > micro.json", submission},
	{"The GIL",
	 "CPython's threads take turns on one lock: no speedup for CPU-bound work, the same overlap as threads for "
	 "waiting work, and an IO thread beside computing ones waits up to a switch interval after every call.",
	 "concur run --workloads cpu/hash,io/sleep,mix/cpu-io,sync/convoy --models serial,threads,processes,gil",
	 gil},
	{"Coroutines and event loops",
	 "One thread switching between coroutines at every wait serves many waits at a fraction of a thread's cost.",
	 "concur run --workloads io/sleep,spawn/coroutine --models serial,threads,coroutines,coro-pool", coroutines},
	{"The IO models",
	 "Blocking, non-blocking, multiplexed (select, poll, epoll) and asynchronous IO serve many connections at "
	 "different costs.",
	 "concur run --filter '^server/' --param conns=1,10,100,1000", io_models},
	{"Servers: a process, a thread or a coroutine per connection",
	 "The notes' echo servers: a process or a thread per client, or coroutines on one thread (gevent).",
	 "concur run --filter '^server/(blocking|prefork|thread-pool|coro|hybrid)' --param conns=1,10,100,1000", servers},
	{"The distributed task queue",
	 "A master puts tasks on a queue that workers on other hosts take, and collects their results.", "-",
	 distributed},
	{0},
};

static int load(const char *path, json_t **doc)
{
	json_error_t err;
	if (!(*doc = json_load_file(path, 0, &err))) {
		if (err.line < 1)
			fprintf(stderr, "concur: lessons: %s: %s\n", path, err.text);
		else
			fprintf(stderr, "concur: lessons: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
		return CC_EXIT_USAGE;
	}
	return 0;
}

int cli_lessons(const char *result, const char *micro_path, const char *out)
{
	json_t *doc = NULL, *mdoc = NULL;
	int rc = load(result, &doc);
	if (rc)
		return rc;
	json_t *concur = json_object_get(doc, "concur");
	if (!json_is_array(json_object_get(concur, "benchmarks"))) {
		fprintf(stderr, "concur: lessons: %s: no concur.benchmarks array: not a concur result file\n", result);
		json_decref(doc);
		return CC_EXIT_USAGE;
	}
	if (micro_path && (rc = load(micro_path, &mdoc))) {
		json_decref(doc);
		return rc;
	}
	if (mdoc && !json_is_array(json_object_get(mdoc, "benchmarks"))) {
		fprintf(stderr, "concur: lessons: %s: no benchmarks array: not concur-micro --json output\n", micro_path);
		json_decref(doc);
		json_decref(mdoc);
		return CC_EXIT_USAGE;
	}
	char *text = NULL;
	size_t len = 0;
	struct lessons l = {open_memstream(&text, &len), json_object_get(concur, "benchmarks"),
			    json_object_get(concur, "headline"), json_object_get(mdoc, "benchmarks"), result};
	if (!l.f) {
		fprintf(stderr, "concur: lessons: %s\n", strerror(errno));
		json_decref(doc);
		json_decref(mdoc);
		return CC_EXIT_FAIL;
	}
	json_t *m = json_object_get(concur, "machine"), *run = json_object_get(concur, "run");
	fprintf(l.f, "# The course notes' lessons, measured\n\nEach claim of the notes, in their order, with the command "
		     "that measures it and what this machine gave. Made by `concur lessons` from a result file of machine ");
	code(l.f, str(m, "id"));
	fputs(" (", l.f);
	code(l.f, str(m, "cpu_model"));
	fputs("), suite ", l.f);
	code(l.f, str(run, "suite"));
	fputs(", dated ", l.f);
	code(l.f, str(json_object_get(doc, "context"), "date"));
	fputs(". A figure is the median over the run's repetitions; a benchmark's name says its model, workers and "
	      "placement.\n",
	      l.f);
	for (unsigned k = 0; lessons[k].title; k++) {
		fprintf(l.f, "\n## %u. %s\n\n%s\n\n", k + 1, lessons[k].title, lessons[k].claim);
		if (strcmp(lessons[k].command, "-"))
			fprintf(l.f, "Measured by: `%s`\n\n", lessons[k].command);
		lessons[k].here(&l);
	}
	fclose(l.f);
	if (out) {
		int err = cc_write_result(out, text, len);
		if (err) {
			fprintf(stderr, "concur: lessons: writing %s: %s\n", out, strerror(-err));
			rc = CC_EXIT_FAIL;
		}
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	json_decref(doc);
	json_decref(mdoc);
	return rc;
}
