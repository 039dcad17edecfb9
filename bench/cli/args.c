/*
 * concur's command line: the verbs, their option tables, validation. Only this
 * file says what a flag accepts; every bad value is caught before anything runs,
 * with a message naming the flag and what it accepts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/registry.h"
#include "cli/args.h"
#include "core/exitcodes.h"
#include "core/report.h"
#include "topo/topo.h"

typedef int opt_setter(struct cli *cli, const char *val);

struct opt {
	const char *name, *metavar, *help;
	opt_setter *set;
	unsigned verbs; /* where it means something */
};

static int bad(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cli->err, sizeof(cli->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Splits a comma list, calling each(cli, item) for every item. */
static int each_item(struct cli *cli, const char *flag, const char *val, int (*each)(struct cli *, const char *))
{
	char buf[1024];
	if (!*val || snprintf(buf, sizeof(buf), "%s", val) >= (int)sizeof(buf))
		return bad(cli, "%s: expected a comma-separated list, got '%s'", flag, val);
	char *rest = buf, *tok;
	while ((tok = strsep(&rest, ","))) {
		if (!*tok)
			return bad(cli, "%s: empty item in '%s'", flag, val);
		int rc = each(cli, tok);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s == '-' || !*s)
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Appends "[prefix/]name" to a comma-separated list of the allowed values. */
static void append_name(char *list, size_t len, const char *prefix, const char *name)
{
	size_t used = strlen(list);
	snprintf(list + used, len - used, "%s%s%s%s", used ? ", " : "", prefix, *prefix ? "/" : "", name);
}

static int set_suite(struct cli *cli, const char *v)
{
	cli->sel.suite = cc_suite_find(v);
	return cli->sel.suite ? 0 : bad(cli, "--suite: unknown suite '%s' (smoke, quick, ci, standard, full)", v);
}

static int set_filter(struct cli *cli, const char *v)
{
	cli->sel.filter = v;
	return 0;
}

/* The mpi models' options exist in every build; without MPI they say what to install (exit 4). */
static int mpi_absent(struct cli *cli, const char *flag)
{
#ifdef CONCUR_HAVE_MPI
	(void)cli, (void)flag;
	return 0;
#else
	bad(cli, "%s: this concur was built without MPI: install Open MPI (Debian: apt-get install openmpi-bin "
		 "libopenmpi-dev; or run scripts/deps.sh) and build again", flag);
	return -ENOTSUP;
#endif
}

static int add_model(struct cli *cli, const char *v)
{
	const struct cc_model *m = model_find(v);
	if (!m && (!strcmp(v, "mpi") || !strcmp(v, "mpi-static")) && mpi_absent(cli, "--models"))
		return -ENOTSUP;
	if (!m) {
		char names[512] = "";
		for (unsigned k = 0; k < model_count; k++)
			append_name(names, sizeof(names), "", model_all[k]->name);
		return bad(cli, "--models: unknown model '%s' (%s)", v, names);
	}
	if (cli->sel.nmodels == CC_MAX_LIST)
		return bad(cli, "--models: more than %d", CC_MAX_LIST);
	cli->sel.models[cli->sel.nmodels++] = m;
	return 0;
}

static int set_models(struct cli *cli, const char *v) { return each_item(cli, "--models", v, add_model); }

static int add_workload(struct cli *cli, const char *v)
{
	const struct wl_desc *wl = wl_find(v);
	if (!wl) {
		char names[512] = "";
		for (unsigned k = 0; k < wl_count; k++)
			append_name(names, sizeof(names), wl_class_name(wl_all[k]->cls), wl_all[k]->name);
		return bad(cli, "--workloads: unknown workload '%s' (%s)", v, names);
	}
	if (cli->sel.nworkloads == CC_MAX_LIST)
		return bad(cli, "--workloads: more than %d", CC_MAX_LIST);
	cli->sel.workloads[cli->sel.nworkloads++] = wl;
	return 0;
}

static int set_workloads(struct cli *cli, const char *v) { return each_item(cli, "--workloads", v, add_workload); }

static int add_workers(struct cli *cli, const char *v)
{
	uint64_t n;
	if (parse_u64(v, 1, CC_MAX_WORKERS, &n))
		return bad(cli, "--workers: '%s' is not a worker count from 1 to %d (or 'auto')", v, CC_MAX_WORKERS);
	if (cli->sel.nworkers == CC_MAX_LIST)
		return bad(cli, "--workers: more than %d counts", CC_MAX_LIST);
	cli->sel.workers[cli->sel.nworkers++] = (unsigned)n;
	return 0;
}

static int set_workers(struct cli *cli, const char *v)
{
	cli->sel.nworkers = 0;
	cli->sel.workers_auto = !strcmp(v, "auto"); /* the topology's sweep */
	return cli->sel.workers_auto ? 0 : each_item(cli, "--workers", v, add_workers);
}

static int add_pin(struct cli *cli, const char *v)
{
	int p = topo_policy_parse(v);
	if (p < 0)
		return bad(cli, "--pin: unknown placement policy '%s' (none, core, compact, scatter, pu; for scenarios "
				"same-cpu, smt, same-l3, cross-l3, cross-numa, cross-package)", v);
	for (unsigned k = 0; k < cli->sel.npins; k++)
		if (cli->sel.pins[k] == (enum topo_policy)p)
			return 0;
	cli->sel.pins[cli->sel.npins++] = (enum topo_policy)p;
	return 0;
}

static int set_pin(struct cli *cli, const char *v)
{
	cli->sel.npins = 0;
	return each_item(cli, "--pin", v, add_pin);
}

static int set_repetitions(struct cli *cli, const char *v)
{
	uint64_t n;
	if (parse_u64(v, 1, 1000, &n))
		return bad(cli, "--repetitions: '%s' is not a count from 1 to 1000", v);
	cli->sel.repetitions = cli->c2c.batches = (unsigned)n;
	return 0;
}


static int set_like(struct cli *cli, const char *v)
{
	if (!*v)
		return bad(cli, "--like: empty file name");
	cli->like = v;
	return 0;
}

static int set_tasks(struct cli *cli, const char *v)
{
	uint64_t n;
	if (parse_u64(v, 1, UINT64_C(1) << 40, &n))
		return bad(cli, "--tasks: '%s' is not a task count from 1 to 2^40", v);
	cli->sel.tasks = n;
	return 0;
}

static int set_param(struct cli *cli, const char *v)
{
	struct cc_param_override *o = &cli->sel.params[cli->sel.nparams];
	const char *eq = strchr(v, '='), *dot = memchr(v, '.', eq ? (size_t)(eq - v) : 0);
	if (!eq || eq == v || !eq[1])
		return bad(cli, "--param: expected name=value[,value...] or workload.name=value, got '%s'", v);
	if (cli->sel.nparams == CC_MAX_LIST)
		return bad(cli, "--param: more than %d", CC_MAX_LIST);
	const char *name = dot ? dot + 1 : v;
	char wlname[64], pname[sizeof(o->name)];
	if (dot) {
		snprintf(wlname, sizeof(wlname), "%.*s", (int)(dot - v), v);
		if (!(o->wl = wl_find(wlname)))
			return bad(cli, "--param: unknown workload '%s' in '%s'", wlname, v);
	}
	snprintf(pname, sizeof(pname), "%.*s", (int)(eq - name), name);
	/* Bounds differ between workloads: the value must suit one that has the parameter here, and the
	 * plan holds it to each selected one (--workloads io/tcp --param size=64 is not mem/stream's business). */
	bool found = false, suits = false;
	char first_err[sizeof(cli->err)] = "";
	if (snprintf(o->text, sizeof(o->text), "%s", eq + 1) >= (int)sizeof(o->text))
		return bad(cli, "--param: %s: the value list is longer than %zu characters", pname, sizeof(o->text) - 1);
	for (unsigned k = 0; k < wl_count && !suits; k++) {
		const struct wl_desc *wl = wl_all[k];
		int idx = wl_param_index(wl, pname);
		if (idx < 0 || (o->wl && o->wl != wl))
			continue;
		found = true;
		suits = !cc_param_parse_for(wl, idx, o->text, o->values, &o->nvalues, first_err[0] ? cli->err : first_err,
					    sizeof(first_err));
	}
	if (!found)
		return bad(cli, "--param: no workload has a parameter '%s'%s%s", pname, o->wl ? " in " : "",
			   o->wl ? o->wl->name : "");
	if (!suits)
		return bad(cli, "%s", first_err);
	snprintf(o->name, sizeof(o->name), "%s", pname);
	cli->sel.nparams++;
	return 0;
}

/* --queue-order fifo,lifo,priority: the order parameter (WL_ORDER_PARAM) of every workload that has one. */
static int set_queue_order(struct cli *cli, const char *v)
{
	static const char *const names[] = {"fifo", "lifo", "priority"};
	char list[64] = "", *save = NULL, copy[256];
	if (snprintf(copy, sizeof(copy), "%s", v) >= (int)sizeof(copy))
		return bad(cli, "--queue-order: '%.40s...' is too long", v);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned k = 0;
		while (k < 3 && strcmp(t, names[k]))
			k++;
		if (k == 3)
			return bad(cli, "--queue-order: '%s' is not fifo, lifo or priority", t);
		if (strchr(list, (int)('0' + k)))
			return bad(cli, "--queue-order: '%s' twice", t);
		if (strlen(list) + 3 > sizeof(list))
			return bad(cli, "--queue-order: too many orders in '%s'", v);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%u", list[0] ? "," : "", k);
	}
	if (!list[0])
		return bad(cli, "--queue-order: expected fifo, lifo or priority, got '%s'", v);
	for (unsigned k = 0; k < wl_count; k++) {
		char param[128];
		if (!wl_all[k]->task_cost)
			continue;
		snprintf(param, sizeof(param), "%s/%s.order=%s", wl_class_name(wl_all[k]->cls), wl_all[k]->name, list);
		int err = set_param(cli, param);
		if (err)
			return err;
	}
	return 0;
}

static int set_plot_dir(struct cli *cli, const char *v)
{
	if (!*v)
		return bad(cli, "%s: empty directory name", cli->v == V_RUN ? "--plot" : "--out");
	cli->plot_dir = v;
	return 0;
}

static int set_out(struct cli *cli, const char *v)
{
	if (cli->v != V_RUN && cli->v != V_C2C && cli->v != V_LESSONS)
		return set_plot_dir(cli, v);
	if (!*v)
		return bad(cli, "--out: empty file name");
	int rc = cc_check_writable(v, false);
	if (rc == -EINVAL)
		return bad(cli, "--out: '%s' is not a regular file, a new name, a character device, a FIFO or '-'", v);
	if (rc)
		return bad(cli, "--out: cannot write '%s': %s", v, strerror(-rc));
	cli->out = cli->c2c.out = v;
	return 0;
}

/* An unsigned count from min to max for flag. */
static int set_count(struct cli *cli, const char *flag, const char *v, uint64_t min, uint64_t max, unsigned *out)
{
	uint64_t n;
	if (parse_u64(v, min, max, &n))
		return bad(cli, "%s: '%s' is not a whole number from %" PRIu64 " to %" PRIu64, flag, v, min, max);
	*out = (unsigned)n;
	return 0;
}

static int set_max_repetitions(struct cli *cli, const char *v)
{
	return set_count(cli, "--max-repetitions", v, 1, 1000, &cli->sel.max_repetitions);
}

static int set_queue(struct cli *cli, const char *v)
{
	return set_count(cli, "--queue", v, 1, 1u << 24, &cli->sel.mopts.queue);
}

static int set_spin(struct cli *cli, const char *v)
{
	return set_count(cli, "--spin-ns", v, 0, 1000000000, &cli->sel.mopts.spin_ns);
}

static int set_max_live(struct cli *cli, const char *v)
{
	return set_count(cli, "--max-live", v, 1, 1u << 22, &cli->sel.mopts.max_live);
}

/* --gil-interval: microseconds, or a number with us, ms or s ("5ms", as sys.setswitchinterval(0.005)). */
static int set_gil_interval(struct cli *cli, const char *v)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	double scale = !strcmp(end, "") || !strcmp(end, "us") ? 1 : !strcmp(end, "ms") ? 1e3 : !strcmp(end, "s") ? 1e6 : -1;
	if (end == v || errno || scale < 0 || !(x * scale >= 1 && x * scale <= 10e6))
		return bad(cli, "--gil-interval: '%s' is not a switch interval from 1us to 10s (a number of "
				"microseconds, or with us, ms or s)", v);
	cli->sel.mopts.gil_interval_us = (unsigned)(x * scale + 0.5);
	return 0;
}

static int set_port(struct cli *cli, const char *v)
{
	unsigned port = 0;
	int rc = set_count(cli, "--port", v, 0, 65535, &port);
	cli->port = (int)port;
	return rc;
}

static int set_bind(struct cli *cli, const char *v)
{
	struct in_addr a;
	if (inet_pton(AF_INET, v, &a) != 1)
		return bad(cli, "--bind: '%s' is not an IPv4 address (127.0.0.1 by default; 0.0.0.0 for every interface)",
			   v);
	cli->bind = v;
	return 0;
}

static int set_coroutines(struct cli *cli, const char *v)
{
	return set_count(cli, "--coroutines", v, 1, 1u << 20, &cli->sel.mopts.coroutines);
}

static int set_mpi_chunk(struct cli *cli, const char *v)
{
	if (mpi_absent(cli, "--mpi-chunk"))
		return -ENOTSUP;
	if (parse_u64(v, 1, UINT64_C(1) << 40, &cli->sel.mopts.mpi_chunk))
		return bad(cli, "--mpi-chunk: '%s' is not a task count from 1 to 2^40", v);
	return 0;
}

/* A host name or address as mpiexec's --host takes it (name[:slots]): letters, digits, '.', '-', '_', ':'. */
static int set_hosts(struct cli *cli, const char *v)
{
	if (mpi_absent(cli, "--hosts"))
		return -ENOTSUP;
	if (cli->sel.mopts.mpi_hosts)
		return bad(cli, "--hosts: the hosts are given already (by --hosts or --hostfile)");
	size_t n = strlen(v), ok = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:,");
	if (!n || n > 4096 || ok != n || *v == ',' || *v == '-' || strstr(v, ",,") || v[n - 1] == ',')
		return bad(cli, "--hosts: expected host names separated by commas (letters, digits, '.', '-', '_', "
				"':slots'), got '%.200s'", v);
	cli->sel.mopts.mpi_hosts = v;
	return 0;
}

static int set_hostfile(struct cli *cli, const char *v)
{
	if (mpi_absent(cli, "--hostfile"))
		return -ENOTSUP;
	if (cli->sel.mopts.mpi_hosts)
		return bad(cli, "--hostfile: the hosts are given already (by --hosts or --hostfile)");
	struct stat st;
	if (stat(v, &st) < 0 || !S_ISREG(st.st_mode) || access(v, R_OK) < 0)
		return bad(cli, "--hostfile: '%.200s' is not a readable file", v);
	cli->sel.mopts.mpi_hosts = v;
	cli->sel.mopts.mpi_hostfile = true;
	return 0;
}

static int set_coro_backend(struct cli *cli, const char *v)
{
	cli->sel.mopts.coro.backend = coro_backend_find(v);
	if (!cli->sel.mopts.coro.backend)
		return bad(cli, "--coro-backend: '%s' is not built here (built: %s)", v, coro_backend_names());
	return 0;
}

static int set_coro_stack(struct cli *cli, const char *v)
{
	const struct wl_param p = {"--coro-stack", WL_BYTES, 0, CORO_STACK_MIN, CORO_STACK_MAX, NULL};
	int64_t n;
	if (cc_param_parse(&p, v, &n))
		return bad(cli, "--coro-stack: '%s' is not a size from %dK to %dM (K, M suffixes allowed)", v,
			   CORO_STACK_MIN / 1024, CORO_STACK_MAX / (1024 * 1024));
	cli->sel.mopts.coro.stack_size = (size_t)n;
	return 0;
}

static int set_poller(struct cli *cli, const char *v)
{
	int p = coro_poller_find(v);
	if (p < 0 || !coro_poller_built((enum coro_poller)p))
		return bad(cli, "--poller: '%s' is not %s here (built: %s)", v, p < 0 ? "a poller" : "built",
			   coro_poller_names());
	cli->sel.mopts.coro.poller = (enum coro_poller)p;
	return 0;
}

static int set_shape(struct cli *cli, const char *v)
{
	unsigned p, t, c;
	int used = 0;
	if (sscanf(v, "%ux%ux%u%n", &p, &t, &c, &used) != 3 || v[used] || !p || !t || !c || p > CC_MAX_WORKERS ||
	    t > CC_MAX_WORKERS || c > (1u << 20) || (uint64_t)p * t > CC_MAX_WORKERS)
		return bad(cli, "--shape: '%s' is not PxTxC (processes x threads x coroutines, each at least 1, "
				"P*T at most %u)", v, CC_MAX_WORKERS);
	cli->sel.mopts.shape_processes = p;
	cli->sel.mopts.shape_threads = t;
	cli->sel.mopts.coroutines = c;
	return 0;
}

/* --shape fixes the workers of a run at P*T: a --workers list that disagrees cannot run. */
static int check_shape(struct cli *cli)
{
	struct cc_model_opts *m = &cli->sel.mopts;
	if (!m->shape_processes)
		return 0;
	unsigned pt = m->shape_processes * m->shape_threads;
	if (cli->sel.workers_auto)
		return bad(cli, "--shape %ux%ux%u: --workers auto does not go with a fixed shape", m->shape_processes,
			   m->shape_threads, m->coroutines);
	for (unsigned k = 0; k < cli->sel.nworkers; k++)
		if (cli->sel.workers[k] != pt)
			return bad(cli, "--shape %ux%ux%u: does not multiply out to --workers %u (P x T = %u)",
				   m->shape_processes, m->shape_threads, m->coroutines, cli->sel.workers[k], pt);
	if (!cli->sel.nworkers)
		cli->sel.workers[cli->sel.nworkers++] = pt;
	return 0;
}

static int set_timeout(struct cli *cli, const char *v)
{
	char *end;
	double t = strtod(v, &end);
	if (end == v || *end || !isfinite(t) || t <= 0 || t > 86400 * 7)
		return bad(cli, "--timeout: '%s' is not a number of seconds above 0 and up to a week", v);
	cli->sel.timeout_s = cli->c2c.timeout_s = t;
	return 0;
}

static int set_max_cv(struct cli *cli, const char *v)
{
	char *end;
	double cv = strtod(v, &end);
	bool pct = *end == '%';
	if (end == v || *(end + pct) || !isfinite(cv) || cv <= 0 || cv > 1000)
		return bad(cli, "--max-cv: '%s' is not a positive percentage such as 5%%", v);
	cli->sel.max_cv = cv / 100; /* a percentage, with or without the sign */
	return 0;
}

static int set_synthetic(struct cli *cli, const char *v)
{
	cli->synthetic = cli->c2c.synthetic = v;
	return 0;
}

static int set_sample(struct cli *cli, const char *v)
{
	return set_count(cli, "--sample", v, 2, 16384, &cli->c2c.sample);
}

static int set_round_trips(struct cli *cli, const char *v)
{
	return set_count(cli, "--round-trips", v, 10, 10000000, &cli->c2c.round_trips);
}

static int set_xml(struct cli *cli, const char *v)
{
	cli->xml = v;
	return 0;
}

static int set_why(struct cli *cli, const char *v)
{
	(void)v;
	cli->why = true;
	return 0;
}

static int set_pairs(struct cli *cli, const char *v)
{
	(void)v;
	cli->pairs = true;
	return 0;
}

static int set_json(struct cli *cli, const char *v)
{
	(void)v;
	cli->json = cli->hist.json = true;
	return 0;
}

/* A percentage ("5%" or "5") or, for --alpha, a probability; into a fraction. */
static int set_fraction(struct cli *cli, const char *flag, const char *v, bool percent, double *out)
{
	char *end;
	double x = strtod(v, &end);
	bool sign = *end == '%';
	if (end == v || end[sign] || !isfinite(x) || x <= 0 || (percent ? x >= 1000 : x >= 1) || (sign && !percent))
		return bad(cli, "%s: '%s' is not %s", flag, v, percent ? "a positive percentage such as 5%" :
									     "a probability between 0 and 1 such as 0.01");
	*out = percent ? x / 100 : x;
	return 0;
}

static int set_threshold(struct cli *cli, const char *v)
{
	return set_fraction(cli, "--threshold", v, true, &cli->cmp.threshold);
}

static int set_alpha(struct cli *cli, const char *v) { return set_fraction(cli, "--alpha", v, false, &cli->cmp.alpha); }

static int set_gate(struct cli *cli, const char *v)
{
	(void)v;
	cli->cmp.gate = true;
	return 0;
}

static int set_strict(struct cli *cli, const char *v)
{
	(void)v;
	cli->cmp.strict = true;
	return 0;
}

static int set_last(struct cli *cli, const char *v)
{
	unsigned k = 0;
	int rc = set_count(cli, "--last", v, 1, 64, &k);
	cli->cmp.last = k;
	return rc;
}

static int set_window(struct cli *cli, const char *v)
{
	unsigned w = 0;
	int rc = set_count(cli, "--window", v, 5, 100000, &w);
	if (!rc)
		cli->hist.window = w;
	return rc;
}

static int set_p(struct cli *cli, const char *v) { return set_fraction(cli, "--p", v, false, &cli->hist.p); }

static int set_format(struct cli *cli, const char *v)
{
	if (strcmp(v, "table") && strcmp(v, "md") && strcmp(v, "json") && strcmp(v, "html"))
		return bad(cli, "--format: '%s' is not one of table, md, json, html", v);
	cli->cmp.format = v;
	return 0;
}

#define PLAN (V_RUN | V_LIST)
#define PLAN_SERVE (PLAN | V_SERVE)
static const struct opt opts[] = {
	{"suite", "S", "smoke, quick, ci, standard (default) or full", set_suite, PLAN},
	{"filter", "RE", "only benchmarks whose name matches this extended regex", set_filter, PLAN},
	{"models", "a,b", "only these execution models", set_models, PLAN},
	{"workloads", "a,b", "only these workloads (hash or cpu/hash)", set_workloads, PLAN},
	{"workers", "1,2,4|auto", "worker counts (auto: 1, cores per L3, per NUMA node, all cores, all hardware "
				  "threads, 2x; the suite's default). For coroutines: coroutines on its one thread; "
				  "coro-pool, hybrid: pinned threads",
	 set_workers, PLAN_SERVE | V_TOPO},
	{"pin", "POLICY[,..]", "placement: none, core (default), compact, scatter, pu; scenarios: same-cpu, smt, "
			       "same-l3, cross-l3, cross-numa, cross-package (default: every one the machine has)",
	 set_pin, PLAN | V_TOPO},
	{"repetitions", "N", "rounds: the plan runs N times over, each benchmark once a round (default: the "
			      "suite's); c2c: batches per pair (default 5)",
	 set_repetitions, PLAN | V_C2C},
	{"max-repetitions", "N", "benchmarks still above --max-cv get extra rounds up to N repetitions (default: "
				 "twice the rounds)",
	 set_max_repetitions, PLAN},
	{"like", "BASE.json", "do exactly BASE's work: its calibration and task counts (and its suite unless "
			      "--suite is given)",
	 set_like, PLAN},
	{"tasks", "N", "tasks per batch (default: the workload's, scaled by the suite)", set_tasks, PLAN},
	{"param", "[wl.]name=v[,v...]", "set a workload parameter; a list sweeps it (repeatable)", set_param, PLAN_SERVE},
	{"out", "FILE|DIR", "run: results file (default results/<machine-id>/<UTC time>.json); c2c: the matrix as "
			    "JSON; lessons: the Markdown page (default standard output); plot, history: the directory "
			    "for charts (default plots/out)",
	 set_out, V_RUN | V_PLOT | V_HISTORY | V_C2C | V_LESSONS},
	{"plot", "DIR", "after the run, draw its charts into DIR/<machine-id>/ (make bench: plots/out); c2c: the "
			"heatmap into DIR",
	 set_plot_dir, V_RUN | V_C2C},
	{"sample", "K", "c2c: measure K CPUs spread over the machine (every package, NUMA node and L3 first), not "
			"all of them",
	 set_sample, V_C2C},
	{"round-trips", "N", "c2c: round trips per batch (default 2000)", set_round_trips, V_C2C},
	{"timeout", "SECONDS", "watchdog per benchmark repetition (default 600); c2c: per pair (default 10)",
	 set_timeout, V_RUN | V_C2C},
	{"queue", "N", "pool queue capacity, rounded up to a power of two (default 1024)", set_queue, V_RUN},
	{"queue-order", "LIST", "the order the tasks of a workload with tasks of differing lengths (cpu/tail) are "
				"taken in: fifo, lifo, priority (shortest first), or a list of them to compare",
	 set_queue_order, PLAN},
	{"spin-ns", "NS", "idle pool workers and waiters spin this long before sleeping (default 50000)", set_spin,
	 V_RUN},
	{"max-live", "N", "per-task models: at most N threads or processes alive at once (default: no bound)",
	 set_max_live, V_RUN},
	{"coroutines", "N", "coro-pool, hybrid: coroutines per worker thread (default 64)", set_coroutines, V_RUN},
	{"mpi-chunk", "N", "mpi: tasks a worker asks the master for at a time (default: about 0.5 ms of work, at "
			   "least 8 chunks a worker)", set_mpi_chunk, V_RUN},
	{"hosts", "A,B", "mpi: run the ranks on these hosts (mpiexec --host; name:slots), not only here",
	 set_hosts, V_RUN},
	{"hostfile", "FILE", "mpi: run the ranks on the hosts of this file (mpiexec --hostfile)", set_hostfile,
	 V_RUN},
	{"port", "N", "serve: the port (default 0: any free one, printed)", set_port, V_SERVE},
	{"bind", "ADDR", "serve: the IPv4 address to listen on (default 127.0.0.1, this machine only; 0.0.0.0: every "
			 "interface, for a load generator on another machine)", set_bind, V_SERVE},
	{"gil-interval", "T", "gil: the switch interval, in microseconds or with us, ms or s (default 5ms, as "
			      "CPython's)", set_gil_interval, V_RUN},
	{"shape", "PxTxC", "hybrid: P processes x T threads x C coroutines; --workers must be P*T", set_shape,
	 V_RUN | V_LIST},
	{"coro-backend", "NAME", "coroutine context switch: asm (default where built) or ucontext",
	 set_coro_backend, V_RUN},
	{"coro-stack", "BYTES", "coroutine stack size, at least 16K (default 64K)", set_coro_stack, V_RUN},
	{"poller", "NAME", "what parked coroutines wait on: epoll (default) or io_uring (if built with liburing)",
	 set_poller, V_RUN},
	{"max-cv", "PCT", "mark a benchmark noisy above this variation across repetitions (default 5%)", set_max_cv,
	 V_RUN},
	{"synthetic", "DESC", "a synthetic machine, e.g. \"pack:2 numa:2 l3:2 core:8 pu:2\" (c2c: plan only)",
	 set_synthetic, V_TOPO | V_C2C},
	{"xml", "FILE", "a machine exported by hwloc (lstopo file.xml)", set_xml, V_TOPO},
	{"why", NULL, "list: also what the selection leaves out and why (\"# not planned: NAME: WHY\" lines)", set_why,
	 V_LIST},
	{"pairs", NULL, "the two CPUs each pair policy (same-cpu, smt, same-l3, cross-l3, cross-numa, cross-package) "
			"picks for a scenario's roles",
	 set_pairs, V_TOPO},
	{"json", NULL, "print JSON instead of text", set_json, V_TOPO | V_DOCTOR | V_HISTORY},
	{"window", "N", "history: at most N runs each side of a candidate change (default 30)", set_window, V_HISTORY},
	{"p", "P", "history: keep a change whose t-test gives p below P (default 0.001)", set_p, V_HISTORY},
	{"threshold", "PCT", "a change smaller than this is not a regression (default 5%)", set_threshold, V_COMPARE},
	{"alpha", "P", "significance level of the U tests (repetitions of one base run; probe samples) (default 0.01)",
	 set_alpha, V_COMPARE},
	{"gate", NULL, "exit 1 when a benchmark is slower beyond the threshold and the base's spread, did "
		       "different work, or nothing could be compared",
	 set_gate, V_COMPARE},
	{"strict", NULL, "the gate also fails on inconclusive and unstable benchmarks", set_strict, V_COMPARE},
	{"last", "K", "BASE is a directory of runs: only its last K by date (default all, at most 64)", set_last,
	 V_COMPARE},
	{"format", "F", "table (default), md, json or html (a page of its own)", set_format, V_COMPARE},
	{0},
};

static const struct {
	const char *name;
	enum verb v;
	const char *help;
} verbs[] = {
	{"run", V_RUN, "run benchmarks; progress on stderr, JSON to --out"},
	{"list", V_LIST, "print every benchmark the selection would run, one a line"},
	{"topo", V_TOPO, "the topology, the worker sweep, and the placement plan for --workers/--pin"},
	{"doctor", V_DOCTOR, "check this machine for sources of noise, with remedies"},
	{"compare", V_COMPARE, "BASE NEW.json: the machine's drift, then per benchmark change, spread, verdict; "
			       "BASE a file or a directory of runs; --gate for CI"},
	{"history", V_HISTORY, "DIR|FILES...: each benchmark's medians over time, change points marked"},
	{"plot", V_PLOT, "FILES|DIRS...: charts (SVG, PNG) and index.html, with gnuplot"},
	{"c2c", V_C2C, "the core-to-core matrix: one-way cache-line time between every pair of CPUs (--sample K)"},
	{"serve", V_SERVE, "IO-MODEL: one echo server of server/ alone on 127.0.0.1 until Ctrl-C (--port, --bind, --workers, --param)"},
	{"lessons", V_LESSONS, "RESULT.json [MICRO.json]: the course notes' claims with this run's figures, as Markdown"},
	{0},
};

/* How many file arguments a verb takes, at most and at least. */
static unsigned verb_args(enum verb v)
{
	return v & (V_COMPARE | V_LESSONS) ? 2 : v & (V_HISTORY | V_PLOT) ? 256 : v == V_SERVE ? 1 : 0;
}
static unsigned verb_min_args(enum verb v)
{
	return v == V_COMPARE ? 2 : v & (V_HISTORY | V_PLOT | V_LESSONS | V_SERVE) ? 1 : 0;
}

void cli_usage(FILE *f)
{
	fprintf(f, "usage: concur <command> [options]\n\ncommands:\n");
	for (unsigned k = 0; verbs[k].name; k++)
		fprintf(f, "  %-8s %s\n", verbs[k].name, verbs[k].help);
	fprintf(f, "\noptions (the commands each applies to):\n");
	for (const struct opt *o = opts; o->name; o++) {
		char lhs[64], where[64] = "";
		snprintf(lhs, sizeof(lhs), "--%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
		for (unsigned k = 0; verbs[k].name; k++)
			if (o->verbs & verbs[k].v)
				snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s", *where ? "," : "",
					 verbs[k].name);
		fprintf(f, "  %-30s %s [%s]\n", lhs, o->help, where);
	}
	fprintf(f, "\n  --help, --version\n\nworkloads:\n");
	for (unsigned k = 0; k < wl_count; k++) {
		const struct wl_desc *wl = wl_all[k];
		fprintf(f, "  %s/%-18s %s\n", wl_class_name(wl->cls), wl->name, wl->summary);
		for (const struct wl_param *p = wl->params; p && p->name; p++)
			fprintf(f, "      %-10s %s (default %" PRId64 ", %" PRId64 "..%" PRId64 ")\n", p->name, p->help,
				p->def, p->min, p->max);
	}
	fprintf(f, "\nmodels:\n");
	for (unsigned k = 0; k < model_count; k++)
		fprintf(f, "  %-20s %s\n", model_all[k]->name, model_all[k]->summary);
	fprintf(f, "\nsuites:\n");
	for (const struct cc_suite *s = cc_suites; s->name; s++)
		fprintf(f, "  %-20s %s\n", s->name, s->summary);
	fprintf(f, "\nexit status: 0 ok, 1 a benchmark failed (compare --gate: a regression, different work or nothing "
		   "compared), 2 bad usage, 3 compare --gate: inconclusive, 5 run: results not written (full disk; a copy "
		   "is saved in $TMPDIR, /dev/shm or /tmp), 130 interrupted\n");
}

int cli_usage_error(const char *verb, const char *msg)
{
	fprintf(stderr, "concur: %s: %s\nTry 'concur --help'.\n", verb, msg);
	return CC_EXIT_USAGE;
}

/* Parses argv[first..] into cli. 0, or an exit code. */
static int parse_opts(struct cli *cli, int argc, char **argv, int first)
{
	for (int k = first; k < argc; k++) {
		const char *a = argv[k];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli->help = true;
			return 0;
		}
		if (strncmp(a, "--", 2)) {
			if (cli->nargs < verb_args(cli->v)) {
				cli->args[cli->nargs++] = a;
				continue;
			}
			snprintf(cli->err, sizeof(cli->err), "unexpected argument '%s'", a);
			return cli_usage_error(cli->verb, cli->err);
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o;
		for (o = opts; o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, name, len))
				break;
		if (!o->name || !(o->verbs & cli->v)) {
			snprintf(cli->err, sizeof(cli->err), "unknown option '%.*s'", (int)len + 2, a);
			return cli_usage_error(cli->verb, cli->err);
		}
		const char *val = !o->metavar ? "" : eq ? eq + 1 : (k + 1 < argc ? argv[++k] : NULL);
		if (!o->metavar && eq) {
			snprintf(cli->err, sizeof(cli->err), "--%s takes no value", o->name);
			return cli_usage_error(cli->verb, cli->err);
		}
		if (!val || (!eq && o->metavar && !strncmp(val, "--", 2))) { /* "--out --out x.json" */
			snprintf(cli->err, sizeof(cli->err), "--%s needs a value (%s)%s%s%s", o->name, o->metavar,
				 val ? ", got the option '" : "", val ? val : "", val ? "'" : "");
			return cli_usage_error(cli->verb, cli->err);
		}
		int err = o->set(cli, val);
		if (err == -ENOTSUP) { /* asked for what this build lacks */
			fprintf(stderr, "concur: %s: %s\n", cli->verb, cli->err);
			return CC_EXIT_UNSUPPORTED;
		}
		if (err)
			return cli_usage_error(cli->verb, cli->err);
	}
	return 0;
}

void cli_init(struct cli *cli)
{
	*cli = (struct cli){
		.sel = {.timeout_s = 600, .max_cv = 0.05, .mopts = {.queue = 1024, .spin_ns = 50000, .coroutines = 64, .gil_interval_us = 5000}},
		.cmp = {.threshold = 0.05, .alpha = 0.01, .format = "table"},
		.hist = {.window = 30, .p = 0.001},
		.c2c = {.batches = 5, .round_trips = 2000, .timeout_s = 10}};
}

int cli_parse(struct cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stderr);
		return CC_EXIT_USAGE;
	}
	cli->verb = argv[1];
	if (!strcmp(cli->verb, "--help") || !strcmp(cli->verb, "-h") || !strcmp(cli->verb, "help")) {
		cli->help = true;
		return 0;
	}
	if (!strcmp(cli->verb, "--version")) {
		if (argc > 2) {
			snprintf(cli->err, sizeof(cli->err), "unexpected argument '%s'", argv[2]);
			return cli_usage_error(cli->verb, cli->err);
		}
		cli->version = true;
		return 0;
	}
	for (unsigned k = 0; verbs[k].name; k++)
		if (!strcmp(cli->verb, verbs[k].name))
			cli->v = verbs[k].v;
	if (!cli->v) {
		char names[256] = "";
		for (unsigned k = 0; verbs[k].name; k++)
			append_name(names, sizeof(names), "", verbs[k].name);
		snprintf(cli->err, sizeof(cli->err), "unknown command (%s)", names);
		return cli_usage_error(cli->verb, cli->err);
	}
	int rc = parse_opts(cli, argc, argv, 2);
	if (rc || cli->help)
		return rc;
	if (check_shape(cli))
		return cli_usage_error(cli->verb, cli->err);
	if (cli->nargs < verb_min_args(cli->v)) {
		snprintf(cli->err, sizeof(cli->err), "needs %s",
			 cli->v == V_COMPARE ? "2 files (BASE.json NEW.json)" : "result files or directories");
		return cli_usage_error(cli->verb, cli->err);
	}
	return 0;
}
