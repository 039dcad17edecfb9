/*
 * Fuzz target: a synthetic topology (concur topo --synthetic), loaded by hwloc under concur's bounds,
 * then its worker sweep and every placement policy's plan, as text and as JSON.
 */
#include <stdbool.h>

#include "cli/verbs.h"
#include "topo/topo.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first byte chooses the output, the rest is the description */
	if (!size)
		return 0;
	struct cc_select sel = {.workers = {1, 3, 64}, .nworkers = 3,
				.pins = {TOPO_NONE, TOPO_CORE, TOPO_COMPACT, TOPO_SCATTER, TOPO_PU}, .npins = 5};
	cli_topo(fuzz_as_string(data + 1, size - 1, 4096), NULL, &sel, data[0] & 2, data[0] & 1);
	return 0;
}
