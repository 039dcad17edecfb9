/*
 * concur's entry point: reads the command line (cli/args.c) and runs the verb.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "concur_build.h"
#include "core/exitcodes.h"
#include "core/plan.h"
#include "core/report.h"
#include "cli/args.h"
#include "cli/plot.h"
#include "cli/verbs.h"
#include "core/doctor.h"
#include "core/runner.h"
#include "topo/topo.h"

/* What the run says as it goes, on stderr; once every benchmark is done, the summary and the headline. */
static void say(const struct cc_event *e, void *arg)
{
	(void)arg;
	if (e->kind == CC_EV_MEASURED) {
		cc_report_summary(stderr, e->plan);
		return;
	}
	fprintf(stderr, "%sconcur: %s\n", e->kind == CC_EV_STOPPED ? "\n" : "", e->text);
}

static void on_signal(int sig) { cc_stop_signal = sig; }

static void default_out(char *buf, size_t len)
{
	char id[13], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	cc_machine_id(id);
	snprintf(buf, len, "results/%s/%s.json", id, stamp);
}

int main(int argc, char **argv)
{
	/* static, not on the stack: its option tables are tens of KiB, and a small stack limit (ulimit -s 64)
	 * must be a reason to fail cleanly, never a crash */
	static struct cli cli;
	cli_init(&cli);
	int rc = cli_parse(&cli, argc, argv);
	if (rc)
		return rc;
	if (cli.help) {
		cli_usage(stdout);
		return CC_EXIT_OK;
	}
	if (cli.version) {
		printf("concur %s (%s)\n", CONCUR_VERSION, CONCUR_GIT_COMMIT);
		return CC_EXIT_OK;
	}
	if (cli.v == V_TOPO)
		return cli_topo(cli.synthetic, cli.xml, &cli.sel, cli.pairs, cli.json);
	if (cli.v == V_DOCTOR)
		return cli_doctor(cli.json);
	if (cli.v == V_C2C) {
		struct sigaction sa = {.sa_handler = on_signal}; /* Ctrl-C stops between pairs */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		cli.c2c.plot_dir = cli.plot_dir;
		return cli_c2c(&cli.c2c);
	}
	if (cli.v == V_COMPARE)
		return cli_compare(cli.args[0], cli.args[1], &cli.cmp);
	if (cli.v == V_HISTORY) {
		cli.hist.out = cli.plot_dir;
		return cli_history(cli.args, cli.nargs, &cli.hist);
	}
	if (cli.v == V_SERVE)
		return cli_serve(cli.args[0], cli.bind, cli.port, &cli.sel);
	if (cli.v == V_LESSONS)
		return cli_lessons(cli.args[0], cli.nargs > 1 ? cli.args[1] : NULL, cli.out);
	if (cli.v == V_PLOT)
		return cli_plot(cli.args, cli.nargs, cli.plot_dir ? cli.plot_dir : "plots/out", true);
	struct cli_like like = {0};
	if (cli.like) {
		if (cli.sel.tasks)
			return cli_usage_error(cli.verb, "--tasks and --like: the task counts come from the --like file");
		if (cli_like_load(cli.like, &like, cli.err, sizeof(cli.err))) {
			cli_like_free(&like);
			return cli_usage_error(cli.verb, cli.err);
		}
		if (!cli.sel.suite)
			cli.sel.suite = like.suite;
	}
	if (!cli.sel.suite)
		cli.sel.suite = cc_suite_find("standard");
	if (cli.v == V_RUN && cli.plot_dir) { /* before the run, not after it: minutes of measuring must not end in "cannot draw" */
		struct stat out_st;
		int prc = 0;
		if (cli.out && (!strcmp(cli.out, "-") || (stat(cli.out, &out_st) == 0 && !S_ISREG(out_st.st_mode))))
			prc = cli_usage_error(cli.verb, "--plot: draws from the results file, so --out must be a file, not '-' or "
						    "a device");
		else if ((prc = plot_check_gnuplot("run")))
			;
		else if (plot_mkdirs(cli.plot_dir) < 0 || access(cli.plot_dir, W_OK) < 0) {
			snprintf(cli.err, sizeof(cli.err), "--plot: cannot write into '%s': %s", cli.plot_dir, strerror(errno));
			prc = cli_usage_error(cli.verb, cli.err);
		}
		if (prc) {
			cli_like_free(&like);
			return prc;
		}
	}

	struct topo topo;
	rc = topo_load(&topo, NULL, NULL);
	if (rc) {
		fprintf(stderr, "concur: %s: loading this machine's topology with hwloc: %s\n", cli.verb, strerror(-rc));
		return CC_EXIT_NO_RESOURCE;
	}
	cli.sel.topo = &topo;
	struct cc_plan plan;
	if (cc_plan_build(&cli.sel, &plan, cli.err, sizeof(cli.err))) {
		topo_free(&topo);
		cli_like_free(&like);
		return cli_usage_error(cli.verb, cli.err);
	}
	if (cli.like) {
		cli_like_apply(&like, &plan); /* an instance BASE lacks keeps its own count, and is said so */
		cli_like_free(&like);
	}
	if (!strcmp(cli.verb, "list")) {
		for (unsigned k = 0; k < plan.ncells; k++)
			printf("%s\n", plan.cells[k].name);
		for (unsigned k = 0; cli.why && k < plan.nunplanned; k++) /* '#': scripts reading names skip them */
			printf("# not planned: %s: %s\n", plan.unplanned[k].name, plan.unplanned[k].why);
		/* on stderr: stdout stays one name a line for scripts */
		fprintf(stderr, "concur: list: %u benchmarks x %u repetitions, about %.0f s on this machine (estimate)\n",
			plan.ncells, plan.repetitions, cc_plan_estimate_s(&plan, topo.npu));
		cc_plan_free(&plan);
		topo_free(&topo);
		cli_like_free(&like);
		return CC_EXIT_OK;
	}

	char out[PATH_MAX];
	if (cli.out) {
		snprintf(out, sizeof(out), "%s", cli.out);
	} else {
		default_out(out, sizeof(out));
		int e = cc_check_writable(out, true);
		if (e) {
			snprintf(cli.err, sizeof(cli.err), "cannot write '%s': %s (use --out)", out, strerror(-e));
			return cli_usage_error(cli.verb, cli.err);
		}
	}
	if (cc_runner_init() < 0)
		fprintf(stderr, "concur: run: cannot become a subreaper: %s\n", strerror(errno));
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: waits must wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* A short steal sample: the run should not wait a second for a snapshot. */
	struct dr_finding findings[DR_MAX_FINDINGS];
	unsigned nfind = doctor_run(&topo, 0.25, findings);
	for (unsigned k = 0; k < nfind; k++)
		if (findings[k].warning)
			fprintf(stderr, "concur: doctor: %s: %s (%s)\n", findings[k].check, findings[k].value,
				findings[k].remedy);
	struct cc_run_info info = {.out_path = out, .argc = argc, .argv = argv,
				   .doctor = doctor_json(findings, nfind, 0.25), .on_event = say};
	rc = cc_run(&plan, &info);
	json_decref(info.doctor);
	if (cli.plot_dir && (rc == CC_EXIT_OK || rc == CC_EXIT_FAIL)) {
		char dir[PATH_MAX], id[13];
		cc_machine_id(id);
		snprintf(dir, sizeof(dir), "%s/%s", cli.plot_dir, id);
		const char *files[] = {out};
		int prc = cli_plot(files, 1, dir, true);
		if (prc && !rc)
			rc = prc;
	}
	cc_plan_free(&plan);
	topo_free(&topo);
	cli_like_free(&like);
	return rc;
}
