/* concur doctor: the noise checks, as a table with remedies or as JSON. */
#include <jansson.h>
#include <stdio.h>

#include "cli/verbs.h"
#include "core/doctor.h"
#include "core/exitcodes.h"

int cli_doctor(bool json)
{
	struct topo t;
	if (topo_load(&t, NULL, NULL)) {
		fprintf(stderr, "concur: doctor: cannot load this machine's topology with hwloc\n");
		return CC_EXIT_NO_RESOURCE;
	}
	struct dr_finding f[DR_MAX_FINDINGS];
	unsigned n = doctor_run(&t, 1.0, f), warnings = 0;
	topo_free(&t);
	if (json) {
		json_t *doc = doctor_json(f, n, 1.0);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		return CC_EXIT_OK;
	}
	for (unsigned k = 0; k < n; k++) {
		printf("%-8s %-17s %s\n", f[k].warning ? "warning" : "ok", f[k].check, f[k].value);
		if (f[k].warning)
			printf("%-8s %-17s -> %s\n", "", "", f[k].remedy);
		warnings += f[k].warning;
	}
	printf("\n%u warning%s: %s\n", warnings, warnings == 1 ? "" : "s",
	       warnings ? "results from this machine will be noisier than they need to be" : "a quiet machine");
	return CC_EXIT_OK;
}
