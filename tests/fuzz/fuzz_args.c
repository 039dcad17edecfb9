/*
 * Fuzz target: a command line (one argument a line, the first the verb) as concur reads it, every flag
 * value checked; for run and list the plan is then built on a synthetic machine of 16 hardware threads.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "topo/topo.h"
#include "fuzz.h"

static struct topo machine;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (topo_load(&machine, "pack:2 numa:1 l3:1 core:4 pu:2", NULL))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cli cli; /* tens of KiB: not on the stack */
	char *line = fuzz_as_string(data, size, 8192), *argv[66] = {"concur"};
	int argc = 1;
	for (char *tok; argc < 65 && (tok = strsep(&line, "\n"));)
		argv[argc++] = tok;
	argv[argc] = NULL;
	cli_init(&cli);
	if (cli_parse(&cli, argc, argv) || cli.help || cli.version || !(cli.v & (V_RUN | V_LIST)))
		return 0;
	struct cc_plan plan;
	cli.sel.topo = &machine;
	if (!cli.sel.suite) /* as main() does */
		cli.sel.suite = cc_suite_find("standard");
	if (cc_plan_build(&cli.sel, &plan, cli.err, sizeof(cli.err)) == 0)
		cc_plan_free(&plan);
	return 0;
}
