/*
 * Placement plans on synthetic machines (exact, worked out by hand), the worker
 * sweep, oversubscription, XML round trips, bad descriptions, and a real bind
 * on this machine that is read back and observed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "topo/topo.h"

#define BIG "pack:2 numa:2 l3:2 core:8 pu:2" /* 64 cores, 128 PUs: core c has PUs 2c, 2c+1 */
#define HUGE "pack:2 numa:4 l3:4 core:8 pu:2" /* 256 cores, 512 PUs */

static void load(struct topo *t, const char *desc) { assert_int_equal(topo_load(t, desc, NULL), 0); }

/* The OS CPU numbers the plan gives n workers. */
static void plan_os(const struct topo *t, enum topo_policy p, unsigned n, unsigned *os, bool *over)
{
	const struct topo_place *pl[n];
	*over = topo_plan(t, p, n, pl);
	for (unsigned k = 0; k < n; k++)
		os[k] = pl[k] ? pl[k]->pu_os : ~0u;
}

#define assert_plan(t, policy, n, over_want, ...)                                                                   \
	do {                                                                                                        \
		const unsigned want[] = {__VA_ARGS__};                                                               \
		unsigned got[n];                                                                                     \
		bool over;                                                                                           \
		plan_os(t, policy, n, got, &over);                                                                   \
		assert_memory_equal(got, want, sizeof(want));                                                        \
		assert_int_equal(over, over_want);                                                                   \
	} while (0)

static void counts(void **state)
{
	(void)state;
	struct topo t;
	load(&t, BIG);
	assert_int_equal(t.npackage, 2);
	assert_int_equal(t.nnuma, 4);
	assert_int_equal(t.nl3, 8);
	assert_int_equal(t.ncore, 64);
	assert_int_equal(t.npu, 128);
	assert_int_equal(t.cores[9].pu_os, 18);
	assert_int_equal(t.cores[9].l3, 1);
	assert_int_equal(t.cores[40].numa, 2);
	assert_int_equal(t.cores[40].package, 1);
	topo_free(&t);
}

static void policies_on_two_packages(void **state)
{
	(void)state;
	struct topo t;
	load(&t, BIG);
	assert_plan(&t, TOPO_COMPACT, 4, false, 0, 2, 4, 6);
	/* packages first, then NUMA nodes, then L3 domains, then cores */
	assert_plan(&t, TOPO_SCATTER, 8, false, 0, 64, 32, 96, 16, 80, 48, 112);
	assert_plan(&t, TOPO_SCATTER, 10, false, 0, 64, 32, 96, 16, 80, 48, 112, 2, 66);
	/* the same cores as scatter, handed out in topology order */
	assert_plan(&t, TOPO_CORE, 4, false, 0, 32, 64, 96);
	assert_plan(&t, TOPO_CORE, 2, false, 0, 64);
	assert_plan(&t, TOPO_PU, 3, false, 0, 1, 2);
	assert_plan(&t, TOPO_NONE, 2, false, ~0u, ~0u);
	topo_free(&t);
}

static void oversubscription_wraps(void **state)
{
	(void)state;
	struct topo t;
	load(&t, BIG);
	unsigned os[129];
	bool over;
	plan_os(&t, TOPO_COMPACT, 64, os, &over);
	assert_false(over);
	plan_os(&t, TOPO_COMPACT, 66, os, &over);
	assert_true(over);
	assert_int_equal(os[64], 0);
	assert_int_equal(os[65], 2);
	plan_os(&t, TOPO_PU, 128, os, &over);
	assert_false(over);
	plan_os(&t, TOPO_PU, 129, os, &over);
	assert_true(over);
	assert_int_equal(os[128], 0);
	plan_os(&t, TOPO_CORE, 65, os, &over);
	assert_true(over);
	assert_int_equal(os[63], 126);
	assert_int_equal(os[64], 0);
	topo_free(&t);
}

static void small_machine(void **state)
{
	(void)state;
	struct topo t;
	load(&t, "pack:1 core:2 pu:1");
	assert_int_equal(t.ncore, 2);
	assert_int_equal(t.nl3, 1); /* absent levels count as one domain */
	assert_plan(&t, TOPO_SCATTER, 3, true, 0, 1, 0);
	assert_plan(&t, TOPO_CORE, 2, false, 0, 1);
	unsigned w[8], n = topo_sweep(&t, w, 8);
	assert_int_equal(n, 3);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 2);
	assert_int_equal(w[2], 4);
	topo_free(&t);
}

static void sweeps(void **state)
{
	(void)state;
	struct topo t;
	unsigned w[8];
	load(&t, BIG);
	const unsigned big[] = {1, 8, 16, 64, 128, 256};
	assert_int_equal(topo_sweep(&t, w, 8), 6);
	assert_memory_equal(w, big, sizeof(big));
	topo_free(&t);
	load(&t, HUGE);
	const unsigned huge[] = {1, 8, 32, 256, 512, 1024};
	assert_int_equal(topo_sweep(&t, w, 8), 6);
	assert_memory_equal(w, huge, sizeof(huge));
	topo_free(&t);
}

static void a_256_core_machine(void **state)
{
	(void)state;
	struct topo t;
	load(&t, HUGE);
	assert_int_equal(t.ncore, 256);
	assert_plan(&t, TOPO_SCATTER, 4, false, 0, 256, 64, 320);
	assert_plan(&t, TOPO_CORE, 4, false, 0, 64, 256, 320);
	assert_plan(&t, TOPO_COMPACT, 2, false, 0, 2);
	assert_plan(&t, TOPO_PU, 3, false, 0, 1, 2);
	unsigned os[513];
	bool over;
	plan_os(&t, TOPO_PU, 513, os, &over);
	assert_true(over);
	assert_int_equal(os[511], 511);
	assert_int_equal(os[512], 0); /* wraps round */
	/* every core exactly once in the scatter order */
	unsigned seen[256] = {0};
	for (unsigned k = 0; k < 256; k++)
		seen[t.scatter[k]]++;
	for (unsigned k = 0; k < 256; k++)
		assert_int_equal(seen[k], 1);
	topo_free(&t);
}

static void xml_round_trip(void **state)
{
	(void)state;
	hwloc_topology_t h;
	char path[] = "/tmp/concur-topo-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	hwloc_topology_init(&h);
	hwloc_topology_set_synthetic(h, BIG);
	hwloc_topology_load(h);
	assert_int_equal(hwloc_topology_export_xml(h, path, 0), 0);
	hwloc_topology_destroy(h);
	struct topo t;
	assert_int_equal(topo_load(&t, NULL, path), 0);
	assert_string_equal(t.source, "xml");
	assert_plan(&t, TOPO_SCATTER, 4, false, 0, 64, 32, 96);
	topo_free(&t);

	FILE *f = fopen(path, "w");
	fputs("<topology><object type=", f);
	fclose(f);
	assert_int_equal(topo_load(&t, NULL, path), -EINVAL);
	unlink(path);
	assert_true(topo_load(&t, NULL, "/nonexistent/topo.xml") < 0);
}

static void bad_descriptions(void **state)
{
	(void)state;
	struct topo t;
	assert_int_equal(topo_load(&t, "garbage:2", NULL), -EINVAL);
	assert_int_equal(topo_load(&t, "pack:x", NULL), -EINVAL);
	assert_int_equal(topo_policy_parse("sideways"), -1);
	assert_int_equal(topo_policy_parse("scatter"), TOPO_SCATTER);
}

static void binding_this_machine_holds(void **state)
{
	(void)state;
	struct topo t;
	char why[256] = "";
	assert_int_equal(topo_load(&t, NULL, NULL), 0);
	assert_true(t.npu >= 1);
	const struct topo_place *pl[1];
	topo_plan(&t, TOPO_COMPACT, 1, pl);
	unsigned target = t.pus[t.npu - 1].pu_os; /* the last allowed CPU: most likely not where we are */
	int rc = topo_bind(&t, target, false, why, sizeof(why));
	assert_int_equal(rc, 0);
	assert_int_equal(sched_getcpu(), (int)target);
	char allowed[64];
	topo_allowed_list(&t, allowed, sizeof(allowed));
	assert_true(strlen(allowed) > 0);
	topo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts),
		cmocka_unit_test(policies_on_two_packages),
		cmocka_unit_test(oversubscription_wraps),
		cmocka_unit_test(small_machine),
		cmocka_unit_test(sweeps),
		cmocka_unit_test(a_256_core_machine),
		cmocka_unit_test(xml_round_trip),
		cmocka_unit_test(bad_descriptions),
		cmocka_unit_test(binding_this_machine_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
