/*
 * The topology as flat tables of places (one per PU, one per core) with the
 * logical index of each level above them, which is all the placement policies
 * need. Levels the machine lacks (no L3, no NUMA) count as one domain.
 */
#define _GNU_SOURCE
#include "topo/topo.h"

#include <errno.h>
#include <hwloc.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const policy_names[] = {"none",     "core", "compact",  "scatter",    "pu",
					    "same-cpu", "smt",  "same-l3",  "cross-l3",   "cross-numa",
					    "cross-package"};

const char *topo_policy_name(enum topo_policy p) { return policy_names[p]; }

int topo_policy_parse(const char *name)
{
	for (int k = 0; k < TOPO_NPOLICIES; k++)
		if (!strcmp(name, policy_names[k]))
			return k;
	return -1;
}

const char *topo_hwloc_version(void) { return HWLOC_VERSION; }

static unsigned level_index(hwloc_topology_t h, hwloc_obj_t pu, hwloc_obj_type_t type)
{
	if (type == HWLOC_OBJ_NUMANODE) { /* memory objects are not ancestors in hwloc 2: match cpusets */
		hwloc_obj_t n = NULL;
		while ((n = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_NUMANODE, n)))
			if (hwloc_bitmap_isset(n->cpuset, pu->os_index))
				return n->logical_index;
		return 0;
	}
	hwloc_obj_t a = hwloc_get_ancestor_obj_by_type(h, type, pu);
	return a ? a->logical_index : 0;
}

static struct topo_place place_of(hwloc_topology_t h, hwloc_obj_t pu)
{
	return (struct topo_place){
		.pu_os = pu->os_index,
		.pu = pu->logical_index,
		.core = level_index(h, pu, HWLOC_OBJ_CORE),
		.l3 = level_index(h, pu, HWLOC_OBJ_L3CACHE),
		.numa = level_index(h, pu, HWLOC_OBJ_NUMANODE),
		.package = level_index(h, pu, HWLOC_OBJ_PACKAGE),
	};
}

static unsigned count(hwloc_topology_t h, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(h, type);
	return n > 0 ? (unsigned)n : 1;
}

/* The key of a core at one level of the scatter hierarchy. */
static unsigned key_at(const struct topo_place *c, int level)
{
	return level == 0 ? c->package : level == 1 ? c->numa : c->l3;
}

/*
 * Scatter order of cores idx[0..n): group by package, then NUMA node, then L3,
 * order each group recursively, and deal the groups out round-robin, so that
 * consecutive workers land as far apart as the machine allows.
 */
static int scatter_order(const struct topo_place *cores, unsigned *idx, unsigned n, int level)
{
	if (level == 3 || n <= 1)
		return 0;
	unsigned *tmp = malloc(4 * (size_t)n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	unsigned ngroups = 0, *start = tmp, *len = tmp + n, *keys = tmp + 2 * n, *sorted = tmp + 3 * n;
	int err = 0;
	for (unsigned k = 0; k < n; k++) { /* distinct keys in first-seen order */
		unsigned key = key_at(&cores[idx[k]], level), g;
		for (g = 0; g < ngroups && keys[g] != key; g++)
			;
		if (g == ngroups)
			keys[ngroups] = key, len[ngroups++] = 0;
		len[g]++;
	}
	for (unsigned g = 0, at = 0; g < ngroups; at += len[g++])
		start[g] = at;
	unsigned fill[ngroups];
	memset(fill, 0, sizeof(fill));
	for (unsigned k = 0; k < n; k++) { /* stable grouping */
		unsigned key = key_at(&cores[idx[k]], level), g = 0;
		while (keys[g] != key)
			g++;
		sorted[start[g] + fill[g]++] = idx[k];
	}
	for (unsigned g = 0; g < ngroups && !err; g++) /* each group in its own scatter order */
		err = scatter_order(cores, sorted + start[g], len[g], level + 1);
	unsigned out = 0;
	for (unsigned round = 0; out < n; round++)
		for (unsigned g = 0; g < ngroups; g++)
			if (round < len[g])
				idx[out++] = sorted[start[g] + round];
	free(tmp);
	return err;
}

/* Whether a synthetic description stays within what concur plans for: 0, -E2BIG when it does not, or
 * -EINVAL when its parentheses do not balance (an attribute list left open hid the arities after it
 * from this count but not from hwloc: the fuzzer's "node(2 l3:44 ..." took 2 GiB). Its levels are
 * "[type:]arity[(attributes)]" ("pack:2 core:8", "2 8", even "l3:2core:8"): an arity is a number after
 * ':' or starting a word, outside parentheses. The hardware threads are the product of the arities,
 * the objects the sum of the running products. hwloc gives every object bitmaps as wide as the
 * machine (91,000 objects of 39,000 threads took 2 GiB) and inserts each object among its siblings one
 * by one, comparing bitmaps: a level costs parents x arity^2 x width, measured at about 1 ns a unit
 * ("pack:32 core:512 pu:1", 2.1e9 units, took 2.2 s; "pack:16 numa:4 l3:8 core:16 pu:2" is 4e7). */
static int synthetic_check(const char *desc)
{
	double arity[64], objects = 0, level = 1, cost = 0;
	unsigned n = 0;
	int depth = 0;
	for (const char *p = desc; *p; p++) {
		if (*p == ')' && !depth)
			return -EINVAL;
		depth += (*p == '(') - (*p == ')');
		bool starts = p == desc || p[-1] == ':' || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n';
		if (!depth && starts && *p >= '0' && *p <= '9') {
			if (n == 64)
				return -E2BIG;
			arity[n++] = strtod(p, NULL);
		}
	}
	if (depth) /* an attribute list left open hides the arities after it from this count, not from hwloc */
		return -EINVAL;
	for (unsigned k = 0; k < n; k++) {
		cost += level * arity[k] * arity[k]; /* times the width, known at the end */
		objects += level *= arity[k];
	}
	return level <= TOPO_MAX_PUS && objects <= TOPO_MAX_OBJECTS && cost * (level / 64 + 1) <= TOPO_MAX_COST ? 0 : -E2BIG;
}

int topo_load(struct topo *t, const char *synthetic, const char *xml)
{
	hwloc_topology_t h;
	int err = 0;
	memset(t, 0, sizeof(*t));
	if (synthetic && (err = synthetic_check(synthetic)))
		return err;
	if (xml) {
		struct stat st;
		if (stat(xml, &st) < 0)
			return errno == ENOENT ? -ENOENT : -EINVAL;
		if (!S_ISREG(st.st_mode) || st.st_size > TOPO_MAX_XML_BYTES)
			return -EFBIG;
	}
	if (hwloc_topology_init(&h) < 0)
		return -ENOMEM;
	if (synthetic && hwloc_topology_set_synthetic(h, synthetic) < 0)
		err = -EINVAL;
	else if (xml && hwloc_topology_set_xml(h, xml) < 0)
		err = errno == ENOENT ? -ENOENT : -EINVAL;
	else if (hwloc_topology_load(h) < 0)
		err = -errno ? -errno : -EIO;
	if (err)
		goto fail;
	t->hwloc = h;
	snprintf(t->source, sizeof(t->source), "%s", synthetic ? "synthetic" : xml ? "xml" : "this machine");
	t->npu = (unsigned)hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);
	t->ncore = count(h, HWLOC_OBJ_CORE);
	t->nl3 = count(h, HWLOC_OBJ_L3CACHE);
	t->nnuma = count(h, HWLOC_OBJ_NUMANODE);
	t->npackage = count(h, HWLOC_OBJ_PACKAGE);
	t->pus = calloc(t->npu ? t->npu : 1, sizeof(*t->pus));
	t->cores = calloc(t->npu ? t->npu : 1, sizeof(*t->cores));
	t->scatter = calloc(t->npu ? t->npu : 1, sizeof(*t->scatter));
	if (!t->npu || !t->pus || !t->cores || !t->scatter) {
		err = t->npu ? -ENOMEM : -EINVAL;
		goto fail_tables;
	}
	unsigned ncores = 0;
	int last_core = -1;
	for (unsigned k = 0; k < t->npu; k++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(h, HWLOC_OBJ_PU, k);
		t->pus[k] = place_of(h, pu);
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(h, HWLOC_OBJ_CORE, pu);
		int id = core ? (int)core->logical_index : (int)k; /* no cores known: each PU is one */
		if (id != last_core) {
			t->cores[ncores] = t->pus[k];
			t->cores[ncores].core = ncores;
			t->scatter[ncores] = ncores;
			ncores++;
			last_core = id;
		}
	}
	t->ncore = ncores;
	err = scatter_order(t->cores, t->scatter, ncores, 0);
	if (err)
		goto fail_tables;
	return 0;
fail_tables:
	t->hwloc = NULL;
	free(t->pus);
	free(t->cores);
	free(t->scatter);
fail:
	hwloc_topology_destroy(h);
	memset(t, 0, sizeof(*t));
	return err;
}

void topo_free(struct topo *t)
{
	if (t->hwloc)
		hwloc_topology_destroy(t->hwloc);
	free(t->pus);
	free(t->cores);
	free(t->scatter);
	memset(t, 0, sizeof(*t));
}

static int cmp_core(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

bool topo_plan(const struct topo *t, enum topo_policy p, unsigned n, const struct topo_place **out)
{
	unsigned places = p == TOPO_PU ? t->npu : t->ncore, pair[2];
	bool paired = topo_policy_is_pair(p) && topo_pair(t, p, pair);
	if (p == TOPO_NONE || topo_policy_is_pair(p)) { /* a pair's roles take turns on its two CPUs */
		for (unsigned k = 0; k < n; k++) {
			out[k] = NULL;
			for (unsigned i = 0; paired && i < t->npu && !out[k]; i++)
				if (t->pus[i].pu_os == pair[k % 2])
					out[k] = &t->pus[i];
		}
		return false;
	}
	/* core: the cores scatter would pick for n workers, given out in topology order,
	 * so that neighbouring workers share a domain while all domains are used */
	unsigned take = n < places ? n : places, chosen[take ? take : 1];
	if (p == TOPO_CORE) {
		memcpy(chosen, t->scatter, take * sizeof(unsigned));
		qsort(chosen, take, sizeof(unsigned), cmp_core);
	}
	for (unsigned k = 0; k < n; k++) {
		unsigned i = k % places;
		switch (p) {
		case TOPO_PU:
			out[k] = &t->pus[i];
			break;
		case TOPO_COMPACT:
			out[k] = &t->cores[i];
			break;
		case TOPO_SCATTER:
			out[k] = &t->cores[t->scatter[i]];
			break;
		default:
			out[k] = &t->cores[chosen[k % take]];
			break;
		}
	}
	return n > places;
}

/* Whether places a and b (different cores) stand in the relation a pair policy names. */
static bool pair_fits(enum topo_policy p, const struct topo_place *a, const struct topo_place *b)
{
	switch (p) {
	case TOPO_SAME_L3: return a->l3 == b->l3;
	case TOPO_CROSS_L3: return a->l3 != b->l3 && a->numa == b->numa && a->package == b->package;
	case TOPO_CROSS_NUMA: return a->numa != b->numa && a->package == b->package;
	case TOPO_CROSS_PACKAGE: return a->package != b->package;
	default: return false;
	}
}

bool topo_pair(const struct topo *t, enum topo_policy p, unsigned cpu[2])
{
	if (!t->npu)
		return false;
	if (p == TOPO_SAME_CPU) {
		cpu[0] = cpu[1] = t->pus[0].pu_os;
		return true;
	}
	if (p == TOPO_SMT) { /* the first core with two hardware threads */
		for (unsigned k = 0; k + 1 < t->npu; k++)
			if (t->pus[k].core == t->pus[k + 1].core) {
				cpu[0] = t->pus[k].pu_os, cpu[1] = t->pus[k + 1].pu_os;
				return true;
			}
		return false;
	}
	if ((p == TOPO_SAME_L3 && !t->nl3) || (p == TOPO_CROSS_L3 && t->nl3 < 2) || (p == TOPO_CROSS_NUMA && t->nnuma < 2) ||
	    (p == TOPO_CROSS_PACKAGE && t->npackage < 2))
		return false; /* without the domains, no pair: no need to look */
	/* the first core, and the first core after it that stands in the relation */
	for (unsigned a = 0; a < t->ncore; a++)
		for (unsigned b = a + 1; b < t->ncore; b++)
			if (pair_fits(p, &t->cores[a], &t->cores[b])) {
				cpu[0] = t->cores[a].pu_os, cpu[1] = t->cores[b].pu_os;
				return true;
			}
	return false;
}

static void add_point(unsigned *v, unsigned *n, unsigned max, unsigned x)
{
	for (unsigned k = 0; k < *n; k++)
		if (v[k] == x)
			return;
	if (*n < max)
		v[(*n)++] = x;
}

unsigned topo_sweep(const struct topo *t, unsigned *out, unsigned max)
{
	unsigned n = 0;
	add_point(out, &n, max, 1);
	add_point(out, &n, max, (t->ncore + t->nl3 - 1) / t->nl3);
	add_point(out, &n, max, (t->ncore + t->nnuma - 1) / t->nnuma);
	add_point(out, &n, max, t->ncore);
	add_point(out, &n, max, t->npu);
	add_point(out, &n, max, 2 * t->npu);
	qsort(out, n, sizeof(*out), cmp_core);
	return n;
}

int topo_bind(const struct topo *t, unsigned pu_os, bool process, char *why, size_t len)
{
	hwloc_topology_t h = t->hwloc;
	hwloc_bitmap_t want = hwloc_bitmap_alloc(), got = hwloc_bitmap_alloc();
	int flags = process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD, err = 0;
	if (!want || !got) {
		err = -ENOMEM;
		snprintf(why, len, "binding to CPU %u: %s", pu_os, strerror(ENOMEM));
		goto out;
	}
	hwloc_bitmap_only(want, pu_os);
	if (hwloc_set_cpubind(h, want, flags) < 0) {
		err = -errno;
		snprintf(why, len, "binding %s to CPU %u refused: %s", process ? "process" : "thread", pu_os,
			 strerror(errno));
		goto out;
	}
	if (hwloc_get_cpubind(h, got, flags) < 0 || !hwloc_bitmap_isequal(want, got)) {
		char *s = NULL;
		hwloc_bitmap_list_asprintf(&s, got);
		err = -EPERM;
		snprintf(why, len, "bound %s to CPU %u but it reads back as '%s'", process ? "process" : "thread",
			 pu_os, s ? s : "?");
		free(s);
	}
out:
	hwloc_bitmap_free(want);
	hwloc_bitmap_free(got);
	return err;
}

unsigned topo_caches(const struct topo *t, struct topo_cache *out, unsigned max)
{
	static const struct {
		hwloc_obj_type_t type;
		unsigned level;
		const char *kind;
	} kinds[] = {
		{HWLOC_OBJ_L1CACHE, 1, "data"},     {HWLOC_OBJ_L1ICACHE, 1, "instruction"},
		{HWLOC_OBJ_L2CACHE, 2, "unified"},  {HWLOC_OBJ_L3CACHE, 3, "unified"},
		{HWLOC_OBJ_L4CACHE, 4, "unified"},
	};
	unsigned n = 0;
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && n < max; k++) {
		int count = hwloc_get_nbobjs_by_type(t->hwloc, kinds[k].type);
		hwloc_obj_t o = count > 0 ? hwloc_get_obj_by_type(t->hwloc, kinds[k].type, 0) : NULL;
		if (o && o->attr)
			out[n++] = (struct topo_cache){kinds[k].level, kinds[k].kind, o->attr->cache.size,
						       (unsigned)count};
	}
	return n;
}

void topo_allowed_list(const struct topo *t, char *buf, size_t len)
{
	char *s = NULL;
	hwloc_bitmap_list_asprintf(&s, hwloc_topology_get_allowed_cpuset(t->hwloc));
	snprintf(buf, len, "%s", s ? s : "");
	free(s);
}

json_t *topo_json(const struct topo *t)
{
	char allowed[1024];
	struct topo_cache caches[8];
	unsigned n = topo_caches(t, caches, 8);
	json_t *cj = json_array();
	for (unsigned k = 0; k < n; k++)
		json_array_append_new(cj, json_pack("{s:i, s:s, s:I, s:i}", "level", caches[k].level, "type",
						    caches[k].type, "size", (json_int_t)caches[k].size, "count",
						    caches[k].count));
	topo_allowed_list(t, allowed, sizeof(allowed));
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:o, s:s, s:s}", "source", t->source, "packages",
			 t->npackage, "numa_nodes", t->nnuma, "l3_domains", t->nl3, "cores", t->ncore, "pus", t->npu,
			 "smt", t->npu > t->ncore, "caches", cj, "allowed_cpuset", allowed, "hwloc_version",
			 topo_hwloc_version());
}
