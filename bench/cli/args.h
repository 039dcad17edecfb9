/* concur's command line read into what the verbs need: every value checked, nothing run. */
#ifndef CONCUR_CLI_ARGS_H
#define CONCUR_CLI_ARGS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/verbs.h"
#include "core/plan.h"

enum verb { V_RUN = 1, V_LIST = 2, V_TOPO = 4, V_DOCTOR = 8, V_COMPARE = 16, V_HISTORY = 32, V_PLOT = 64, V_C2C = 128, V_LESSONS = 256, V_SERVE = 512 };

struct cli {
	const char *verb;
	enum verb v;
	struct cc_select sel;
	const char *out;
	const char *like; /* run --like BASE.json */
	const char *synthetic, *xml;
	bool json;
	bool pairs; /* topo --pairs */
	bool why;   /* list --why */
	struct cc_c2c_opts c2c;
	struct cc_compare_opts cmp;
	struct cc_history_opts hist;
	const char *plot_dir; /* run --plot, plot --out, history --out */
	int port;             /* serve --port */
	const char *bind;     /* serve --bind, checked (NULL: 127.0.0.1) */
	const char *args[256]; /* positional arguments, for the verbs that take files */
	unsigned nargs;
	bool help, version; /* --help, --version: print that and stop */
	char err[PATH_MAX + 512];
};

/* The defaults of every verb. */
void cli_init(struct cli *cli);
/* Reads argv (argv[1] the verb): 0 with cli filled (cli->help or cli->version set: print that and
 * stop), or an exit code after saying on stderr which flag is wrong and what it accepts. */
int cli_parse(struct cli *cli, int argc, char **argv);
void cli_usage(FILE *f);
/* Says msg as a usage error of verb; the usage exit code. */
int cli_usage_error(const char *verb, const char *msg);

#endif
