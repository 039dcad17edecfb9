/* Every workload and scenario concur has: the lists (workloads/list.h, scenarios/list.h and, in the test
 * build, tests/workloads/list.h) gathered into one table. */
#ifndef CONCUR_REGISTRY_H
#define CONCUR_REGISTRY_H

#include "work/workload.h"

/* The list expands here into one extern declaration per workload. */
#define WL(sym) extern const struct wl_desc sym;
#include "workloads/list.h"
#include "scenarios/list.h"
#ifdef CONCUR_TEST_WORKLOADS /* the test build adds workloads that misbehave on purpose */
#include "tests/workloads/list.h"
#endif
#undef WL

extern const struct wl_desc *const wl_all[];
extern const unsigned wl_count;

/* Finds "hash" or "cpu/hash"; NULL if unknown. */
const struct wl_desc *wl_find(const char *name);

#endif
