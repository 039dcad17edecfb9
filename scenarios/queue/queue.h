/*
 * What every queue/ scenario shares: producers putting `ops` items each into one bounded queue
 * (`capacity`), consumers getting them until each gets its sentinel (one per consumer, put once every
 * producer is done, as the notes stop their consumers), the roles from --workers split by `split`:
 * 0 one producer and the rest consumers (1xN), 1 the rest producers and one consumer (Nx1), 2 half and
 * half (NxN); with two roles all three are 1x1. `timeout_us` > 0 makes every put and get a timed one
 * that retries when it times out (put/get with a timeout), 0 blocking ones.
 *
 * Reported: the time per item (a producer's put, wall / ops), the put-to-get latency of sampled items
 * (stamped at the put) as the latency percentiles, how often a put found the queue full
 * (put_blocked_pct) and how many waits timed out. Nothing lost or doubled: the consumers' count and
 * the fold of every (producer, sequence) they got must equal the producers'.
 *
 * A queue file fills in a struct queue_ops and its descriptor with QUEUE_SCENARIO and QUEUE_PARAMS.
 */
#ifndef CONCUR_QUEUE_H
#define CONCUR_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "work/scenario.h"

enum { Q_CAPACITY, Q_SPLIT, Q_TIMEOUT };

/* What travels: who put it, its number (UINT64_MAX: a sentinel), and when it was put (0: not sampled). */
struct q_item {
	uint32_t producer;
	uint32_t key; /* a priority queue's order: small first (derived from the item, so every run the same) */
	uint64_t seq;
	int64_t put_ns;
};

#define Q_SENTINEL UINT64_MAX
#define Q_MAX_CAPACITY 65536

struct queue_ops {
	/* Bytes of the queue's own state for this capacity (in the scenario's shared memory). */
	size_t (*bytes)(unsigned capacity);
	int (*init)(void *q, unsigned capacity, char *why, size_t len);
	void (*destroy)(void *q);
	/* Puts / gets one item, waiting at most timeout_ns (< 0: for ever): 0, ETIMEDOUT, ECANCELED (the
	 * scenario stopped) or another errno value. put says in *blocked whether it had to wait for room. */
	int (*put)(void *q, const struct q_item *it, int64_t timeout_ns, bool *blocked);
	int (*get)(void *q, struct q_item *it, int64_t timeout_ns);
	/* Wakes every waiter so that it sees the stop (it returns ECANCELED). */
	void (*stop)(void *q);
	/* Optional: after a consumer has handled an item (a joinable queue's task_done). */
	void (*done)(void *q);
	/* Optional: a producer after its last put waits until every item put is done (join). */
	int (*join)(void *q);
	/* Optional: a producer after its last put (and sentinels) makes sure what it put is in the queue
	 * (a feeder thread's list written out), before it counts as done. */
	int (*flush)(void *q);
};

struct queue_state {
	const struct queue_ops *ops; /* first: set by the harness (sc_desc.impl) */
	void *q;                     /* the queue, in its own shared mapping */
	size_t q_bytes;
	unsigned producers, consumers;
	atomic_uint producers_done;
	atomic_ullong put_blocked, timeouts, got, got_fold;
	atomic_llong join_wait_ns; /* the longest of the producers' waits in join */
};

int queue_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len);
void queue_teardown(void *state, unsigned roles);
void queue_stop(void *state);
int queue_role(struct sc_role *r, char *why, size_t len);
int queue_verify(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len);
void queue_measure(const void *state, const int64_t *params, uint64_t ops, double *values);
uint64_t queue_total_ops(const int64_t *params, unsigned roles, uint64_t ops);
double queue_op_ns(const int64_t *params);
extern const struct sc_metric queue_metrics[];

#define QUEUE_SCENARIO(ops_, ...)                                                                              \
	{                                                                                                      \
		.min_roles = 2, .max_roles = 64, .executors = SC_THREADS | SC_PROCESSES,                       \
		.state_bytes = sizeof(struct queue_state), .op = "an item put (each producer's), and got",    \
		.impl = (ops_), .setup = queue_setup, .teardown = queue_teardown, .role = queue_role,          \
		.stop = queue_stop, .verify = queue_verify, .metrics = queue_metrics,                          \
		.measure = queue_measure, .total_ops = queue_total_ops, __VA_ARGS__                            \
	}

#define QUEUE_PARAMS                                                                                           \
	(const struct wl_param[])                                                                              \
	{                                                                                                      \
		{"capacity", WL_INT, 64, 1, Q_MAX_CAPACITY, "items the queue holds before a put waits"},      \
		    {"split", WL_INT, 0, 0, 2, "0: 1 producer x the rest, 1: the rest x 1 consumer, 2: half x half"}, \
		    {"timeout_us", WL_INT, 0, 0, 10000000, "0: blocking put and get; else each waits this long, then retries"}, \
		{                                                                                              \
			0                                                                                      \
		}                                                                                              \
	}

#define QUEUE_SWEEP "capacity=1,64,4096;split=0,1,2"
#define QUEUE_OPS 5000

#endif
