/* The producers and consumers every queue/ scenario runs: see queue.h. */
#define _GNU_SOURCE
#include "queue.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void split_roles(const int64_t *params, unsigned roles, unsigned *producers, unsigned *consumers)
{
	unsigned p = params[Q_SPLIT] == 0 ? 1 : params[Q_SPLIT] == 1 ? roles - 1 : roles / 2;
	*producers = p ? p : 1;
	*consumers = roles - *producers;
}

/* What item (p, i) folds to: the same whoever gets it. */
static uint64_t item_fold(uint32_t p, uint64_t i) { return cc_fold(((uint64_t)p << 40) ^ i, p); }

int queue_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	struct queue_state *s = state;
	split_roles(params, roles, &s->producers, &s->consumers);
	if (!s->consumers) {
		snprintf(why, len, "%u roles: a queue needs a producer and a consumer", roles);
		return -EINVAL;
	}
	unsigned capacity = (unsigned)params[Q_CAPACITY];
	s->q_bytes = s->ops->bytes(capacity);
	s->q = mmap(NULL, s->q_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->q == MAP_FAILED) {
		int err = -errno;
		s->q = NULL;
		snprintf(why, len, "mapping a queue of %u items: %s", capacity, strerror(errno));
		return err;
	}
	return s->ops->init(s->q, capacity, why, len);
}

void queue_teardown(void *state, unsigned roles)
{
	(void)roles;
	struct queue_state *s = state;
	if (!s->q)
		return;
	if (s->ops->destroy)
		s->ops->destroy(s->q);
	munmap(s->q, s->q_bytes);
}

void queue_stop(void *state)
{
	struct queue_state *s = state;
	if (s->q)
		s->ops->stop(s->q);
}

/* Waits as the scenario says (for ever, or timed and retried), counting the timeouts. */
static int put_item(struct queue_state *s, const struct q_item *it, int64_t timeout_ns, bool *blocked)
{
	int rc;
	bool waited = false;
	*blocked = false;
	while ((rc = s->ops->put(s->q, it, timeout_ns, &waited)) == ETIMEDOUT)
		atomic_fetch_add_explicit(&s->timeouts, 1, memory_order_relaxed);
	*blocked = waited;
	return rc;
}

static int get_item(struct queue_state *s, struct q_item *it, int64_t timeout_ns)
{
	int rc;
	while ((rc = s->ops->get(s->q, it, timeout_ns)) == ETIMEDOUT)
		atomic_fetch_add_explicit(&s->timeouts, 1, memory_order_relaxed);
	return rc;
}

static int produce(struct sc_role *r, struct queue_state *s, int64_t timeout_ns, char *why, size_t len)
{
	uint64_t blocked_n = 0;
	for (uint64_t i = 0; i < r->ops; i++) {
		sc_tick(r, i); /* the latency recorded is an item's put to its get, by the consumer */
		struct q_item it = {r->role, (uint32_t)(cc_fold(i, r->role) & 0xffff), i,
				    i % r->stride == 0 ? cc_now_ns() : 0};
		bool blocked;
		int rc = put_item(s, &it, timeout_ns, &blocked);
		if (rc) {
			snprintf(why, len, "put of item %llu: %s", (unsigned long long)i, strerror(rc));
			return -rc;
		}
		blocked_n += blocked;
		sc_tock(r, 0);
	}
	atomic_fetch_add(&s->put_blocked, blocked_n);
	if (s->ops->join) { /* the notes' JoinableQueue: the producer waits until every item is done */
		int64_t t0 = cc_now_ns();
		int rc = s->ops->join(s->q);
		if (rc) {
			snprintf(why, len, "join: %s", strerror(rc));
			return -rc;
		}
		long long waited = cc_now_ns() - t0, was = atomic_load(&s->join_wait_ns);
		while (waited > was && !atomic_compare_exchange_weak(&s->join_wait_ns, &was, waited))
			;
	}
	/* what it put is in the queue before it counts as done (a feeder's list written out), so that the
	 * sentinels come after every item */
	int rc = s->ops->flush ? s->ops->flush(s->q) : 0;
	if (rc) {
		snprintf(why, len, "flushing what was put: %s", strerror(rc));
		return -rc;
	}
	/* the last producer done tells every consumer to stop, one sentinel each */
	if (atomic_fetch_add(&s->producers_done, 1) + 1 == s->producers) {
		for (unsigned c = 0; c < s->consumers && !rc; c++) {
			struct q_item end = {UINT32_MAX, 0, Q_SENTINEL, 0};
			bool blocked;
			if ((rc = put_item(s, &end, timeout_ns, &blocked)))
				snprintf(why, len, "put of a sentinel: %s", strerror(rc));
		}
		if (!rc && s->ops->flush && (rc = s->ops->flush(s->q)))
			snprintf(why, len, "flushing the sentinels: %s", strerror(rc));
	}
	return -rc;
}

static int consume(struct sc_role *r, struct queue_state *s, int64_t timeout_ns, char *why, size_t len)
{
	uint64_t n = 0, fold = 0;
	for (;;) {
		sc_tick(r, n);
		struct q_item it;
		int rc = get_item(s, &it, timeout_ns);
		if (rc) {
			snprintf(why, len, "get after %llu items: %s", (unsigned long long)n, strerror(rc));
			return -rc;
		}
		if (it.seq == Q_SENTINEL)
			break;
		if (it.put_ns)
			cc_hist_record(&r->out->hist, cc_since_ns(it.put_ns));
		fold += item_fold(it.producer, it.seq);
		n++;
		if (s->ops->done)
			s->ops->done(s->q);
		sc_tock(r, 0);
	}
	atomic_fetch_add(&s->got, n);
	atomic_fetch_add(&s->got_fold, fold);
	r->out->checksum += fold;
	return 0;
}

int queue_role(struct sc_role *r, char *why, size_t len)
{
	struct queue_state *s = r->state;
	int64_t timeout_ns = r->params[Q_TIMEOUT] ? r->params[Q_TIMEOUT] * 1000 : -1;
	return r->role < s->producers ? produce(r, s, timeout_ns, why, len) : consume(r, s, timeout_ns, why, len);
}

int queue_verify(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)params;
	const struct queue_state *s = state;
	uint64_t want = 0, got = atomic_load(&s->got);
	for (uint32_t p = 0; p < s->producers; p++)
		for (uint64_t i = 0; i < ops; i++)
			want += item_fold(p, i);
	if (got == s->producers * ops && atomic_load(&s->got_fold) == want)
		return 0;
	snprintf(why, len, "%llu items put, %llu got%s", (unsigned long long)(s->producers * ops),
		 (unsigned long long)got,
		 got == s->producers * ops ? ", but not the same ones: an item lost and another doubled" : "");
	return -EPROTO;
}

void queue_measure(const void *state, const int64_t *params, uint64_t ops, double *values)
{
	(void)params;
	const struct queue_state *s = state;
	values[0] = 100.0 * (double)atomic_load(&s->put_blocked) / (double)(s->producers * ops);
	values[1] = (double)atomic_load(&s->timeouts);
	values[2] = (double)atomic_load(&s->join_wait_ns) / 1e3;
}

const struct sc_metric queue_metrics[] = {
	{"put_blocked_pct", "%", "puts that found the queue full and waited for room", SC_MEDIAN},
	{"timeouts", "waits", "puts and gets that timed out and were tried again (timeout_us > 0)", SC_MEDIAN},
	{"join_wait_us", "us", "a joinable queue: from the last put to join returning, the longest producer's",
	 SC_MEDIAN},
	{0},
};

uint64_t queue_total_ops(const int64_t *params, unsigned roles, uint64_t ops)
{
	unsigned producers, consumers;
	split_roles(params, roles, &producers, &consumers);
	return 2 * producers * ops; /* each item's put and its get */
}

/* Rough, for the plan's estimates: a put and a get with a wake-up now and then. */
double queue_op_ns(const int64_t *params)
{
	(void)params;
	return 2000;
}
