/* The core-to-core matrix's measurement: see c2c.h. */
#define _GNU_SOURCE
#include "core/c2c.h"

#include "base/busy.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/stats.h"

/* The line the pair takes turns on, alone in its cache line (and the next: adjacent-line prefetch). */
struct line {
	_Alignas(128) _Atomic uint64_t turn;
	atomic_bool give_up;
	char pad[128 - sizeof(uint64_t) - sizeof(atomic_bool)];
};

struct side {
	const struct topo *t;
	unsigned cpu;
	struct line *l;
	uint64_t rounds;
	unsigned parity; /* 0: the initiator, 1: the responder */
	int64_t deadline_ns;
	int err;
	char why[160];
};

/* Takes turns 2k+parity for k < rounds: each by compare-and-swap from the other's last one. */
static int take_turns(struct side *s, uint64_t first, uint64_t rounds)
{
	for (uint64_t k = first; k < first + rounds; k++) {
		uint64_t want = 2 * k + s->parity, spins = 0;
		for (;;) {
			uint64_t expect = want;
			if (atomic_compare_exchange_weak_explicit(&s->l->turn, &expect, want + 1, memory_order_acq_rel,
								  memory_order_relaxed))
				break;
			if ((++spins & 0xfffff) == 0 && (atomic_load(&s->l->give_up) || cc_now_ns() > s->deadline_ns)) {
				atomic_store(&s->l->give_up, true);
				return -ETIMEDOUT;
			}
			cc_relax();
		}
	}
	return 0;
}

static int bind_here(struct side *s)
{
	int err = topo_bind(s->t, s->cpu, false, s->why, sizeof(s->why));
	if (!err && sched_getcpu() != (int)s->cpu) {
		snprintf(s->why, sizeof(s->why), "bound to CPU %u but running on %d", s->cpu, sched_getcpu());
		err = -EXDEV;
	}
	return err;
}

static void *responder(void *p)
{
	struct side *s = p;
	if ((s->err = bind_here(s))) {
		atomic_store(&s->l->give_up, true);
		return NULL;
	}
	s->err = take_turns(s, 0, s->rounds);
	return NULL;
}

struct initiator {
	struct side side;
	const struct c2c_opts *o;
	double *batch_ns;
};

static void *initiator(void *p)
{
	struct initiator *in = p;
	struct side *s = &in->side;
	if ((s->err = bind_here(s))) {
		atomic_store(&s->l->give_up, true);
		return NULL;
	}
	/* a warm-up batch, then the measured ones; the responder runs them all as one stream of turns */
	uint64_t at = 0;
	for (unsigned b = 0; b <= in->o->batches && !s->err; b++) {
		int64_t t0 = cc_now_ns();
		s->err = take_turns(s, at, in->o->round_trips);
		if (b > 0)
			in->batch_ns[b - 1] = (double)(cc_now_ns() - t0) / in->o->round_trips;
		at += in->o->round_trips;
	}
	return NULL;
}

int c2c_pair(const struct topo *t, unsigned a, unsigned b, const struct c2c_opts *o, double *one_way_ns, char *why,
	     size_t len)
{
	struct line *l = aligned_alloc(128, sizeof(*l));
	double *batch_ns = calloc(o->batches ? o->batches : 1, sizeof(*batch_ns));
	if (!l || !batch_ns) {
		free(l);
		free(batch_ns);
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	memset(l, 0, sizeof(*l));
	uint64_t rounds = (uint64_t)o->round_trips * (o->batches + 1);
	int64_t deadline = cc_now_ns() + (int64_t)(o->timeout_s * 1e9);
	struct initiator in = {{t, a, l, rounds, 0, deadline, 0, ""}, o, batch_ns};
	struct side re = {t, b, l, rounds, 1, deadline, 0, ""};
	pthread_t ti, tr;
	int err = -pthread_create(&tr, NULL, responder, &re);
	if (err) {
		snprintf(why, len, "pthread_create: %s", strerror(-err));
		goto out;
	}
	if ((err = -pthread_create(&ti, NULL, initiator, &in))) {
		snprintf(why, len, "pthread_create: %s", strerror(-err));
		atomic_store(&l->give_up, true);
		pthread_join(tr, NULL);
		goto out;
	}
	pthread_join(ti, NULL);
	pthread_join(tr, NULL);
	err = in.side.err ? in.side.err : re.err;
	if (err == -ETIMEDOUT)
		snprintf(why, len, "not done after %.0f s (a CPU descheduled?)", o->timeout_s);
	else if (err)
		snprintf(why, len, "%s", in.side.err ? in.side.why : re.why);
	else
		*one_way_ns = cc_median_of(batch_ns, o->batches) / 2;
out:
	free(l);
	free(batch_ns);
	return err;
}

unsigned c2c_sample(const struct topo *t, unsigned k, unsigned *cpus)
{
	unsigned n = 0, want = k && k < t->npu ? k : t->npu;
	bool *take = calloc(t->npu ? t->npu : 1, sizeof(*take)); /* by logical PU index */
	if (!take)
		return 0;
	for (unsigned c = 0; c < t->ncore && n < want; c++, n++)
		take[t->cores[t->scatter[c]].pu] = true;
	for (unsigned p = 0; p < t->npu && n < want; p++) /* then the siblings */
		if (!take[p])
			take[p] = true, n++;
	n = 0;
	for (unsigned p = 0; p < t->npu; p++) /* in topology order: neighbours side by side in the matrix */
		if (take[p])
			cpus[n++] = t->pus[p].pu_os;
	free(take);
	return n;
}
