/*
 * Topology and placement: the machine (or a synthetic or XML description of
 * one) as seen by hwloc, the placement policies that map workers to hardware
 * threads, the worker-count sweep derived from it, and binding with read-back.
 */
#ifndef CONCUR_TOPO_H
#define CONCUR_TOPO_H

#include <stdbool.h>
#include <stddef.h>

/* How workers are placed: the task policies (core .. pu) spread a batch's workers; the pair policies
 * (same-cpu .. cross-package) place the roles of a scenario that interact by what lies between two
 * CPUs. none leaves either to the OS. */
enum topo_policy {
	TOPO_NONE,
	TOPO_CORE,
	TOPO_COMPACT,
	TOPO_SCATTER,
	TOPO_PU,
	TOPO_SAME_CPU,      /* both on one hardware thread: they take turns */
	TOPO_SMT,           /* sibling hardware threads of one core */
	TOPO_SAME_L3,       /* two cores that share an L3 */
	TOPO_CROSS_L3,      /* two cores of one NUMA node under different L3s */
	TOPO_CROSS_NUMA,    /* two NUMA nodes of one package */
	TOPO_CROSS_PACKAGE, /* two packages */
	TOPO_NPOLICIES
};
#define TOPO_FIRST_PAIR TOPO_SAME_CPU

/* One hardware thread, with the logical index of every level above it. */
struct topo_place {
	unsigned pu_os;      /* the OS's CPU number: what binding and sched_getcpu use */
	unsigned pu, core, l3, numa, package; /* logical indices (0 when the level is absent) */
};

struct topo {
	void *hwloc; /* hwloc_topology_t */
	char source[64]; /* "this machine", "synthetic", "xml" */
	unsigned npu, ncore, nl3, nnuma, npackage;
	struct topo_place *pus;   /* every allowed PU, in logical order */
	struct topo_place *cores; /* the first allowed PU of every core, in logical order */
	unsigned *scatter;        /* core indices in scatter order */
};

/* What a description may hold: a synthetic one of more hardware threads or objects (every level's
 * objects counted), or an XML export larger than this, is refused before hwloc builds it (a million PUs
 * took minutes and gigabytes). Four times the largest machines built. */
#define TOPO_MAX_PUS 16384
#define TOPO_MAX_OBJECTS 65536
/* ... and hwloc's time to build it: parents x arity^2 x bitmap words over the levels, about 1 ns each
 * (so at most a quarter of a second; machines as built are far below) */
#define TOPO_MAX_COST 2.5e8
#define TOPO_MAX_XML_BYTES (64 << 20)

/* Loads this machine (restricted to the CPUs this process may use), a synthetic
 * description ("pack:2 numa:2 l3:2 core:8 pu:2") or an XML export. 0 or -errno
 * (-EINVAL for a malformed description or file, -E2BIG for a synthetic machine of more than
 * TOPO_MAX_PUS hardware threads, TOPO_MAX_OBJECTS objects or TOPO_MAX_COST, -EFBIG for an XML file that is not a regular file of at most
 * TOPO_MAX_XML_BYTES). */
int topo_load(struct topo *t, const char *synthetic, const char *xml);
void topo_free(struct topo *t);

const char *topo_policy_name(enum topo_policy p);
/* -1 if unknown */
int topo_policy_parse(const char *name);

static inline bool topo_policy_is_pair(enum topo_policy p) { return p >= TOPO_FIRST_PAIR; }
/* The two CPUs (OS numbers) a pair policy picks, the first such pair in topology order: true, or false
 * when the machine has no such pair (no SMT, one L3, one NUMA node, one package). */
bool topo_pair(const struct topo *t, enum topo_policy p, unsigned cpu[2]);
/* The PU (index into t->pus) for each of n workers under policy; NULL entries for TOPO_NONE and for
 * a pair policy the machine has not. A pair policy's roles alternate between its two CPUs. Returns
 * true if workers had to share places (oversubscribed; never for a pair policy, whose sharing is
 * what same-cpu asks for). */
bool topo_plan(const struct topo *t, enum topo_policy p, unsigned n, const struct topo_place **out);

/* The worker counts that matter here: 1, cores per L3, cores per NUMA node, all
 * cores, all PUs, 2x PUs; sorted, without repeats. Returns how many. */
unsigned topo_sweep(const struct topo *t, unsigned *out, unsigned max);

/* Binds the calling thread (or, with process, the whole calling process) to one
 * PU and reads the binding back. 0, or -errno with the reason in why. */
int topo_bind(const struct topo *t, unsigned pu_os, bool process, char *why, size_t len);

struct topo_cache {
	unsigned level;
	const char *type; /* "data", "instruction", "unified" */
	unsigned long long size;
	unsigned count;
};

/* The caches, one entry per level and type; returns how many (at most max). */
unsigned topo_caches(const struct topo *t, struct topo_cache *out, unsigned max);

/* The allowed cpuset as a list string ("0-3,8"). */
void topo_allowed_list(const struct topo *t, char *buf, size_t len);
const char *topo_hwloc_version(void);

typedef struct json_t json_t;
/* The topology as the results' machine.topology object. */
json_t *topo_json(const struct topo *t);

#endif
