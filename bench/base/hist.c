/*
 * Bucket layout: values below 2*SUB have a bucket each; above, each power of
 * two [2^k, 2^(k+1)) is split into SUB equal sub-buckets.
 */
#include "base/hist.h"

#include <string.h>

static unsigned bucket_of(uint64_t v)
{
	if (v < 2 * CC_HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63 - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - 6; /* log2(SUB) = 6: v >> shift lies in [SUB, 2*SUB) */
	return 2 * CC_HIST_SUB + (shift - 1) * CC_HIST_SUB + (unsigned)((v >> shift) - CC_HIST_SUB);
}

/* The largest value that falls into bucket b. */
static uint64_t bucket_top(unsigned b)
{
	if (b < 2 * CC_HIST_SUB)
		return b;
	unsigned shift = (b - 2 * CC_HIST_SUB) / CC_HIST_SUB + 1;
	uint64_t sub = (b - 2 * CC_HIST_SUB) % CC_HIST_SUB + CC_HIST_SUB;
	return ((sub + 1) << shift) - 1;
}

void cc_hist_reset(struct cc_hist *h) { memset(h, 0, sizeof(*h)); }

void cc_hist_record(struct cc_hist *h, uint64_t v)
{
	h->n[bucket_of(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

void cc_hist_merge(struct cc_hist *into, const struct cc_hist *from)
{
	if (!from->count) /* its buckets are all zero: 100,000 coroutines' empty ones cost nothing */
		return;
	for (unsigned b = 0; b < CC_HIST_BUCKETS; b++)
		into->n[b] += from->n[b];
	into->count += from->count;
	if (from->max > into->max)
		into->max = from->max;
}

uint64_t cc_hist_quantile(const struct cc_hist *h, double q)
{
	if (!h->count)
		return 0;
	if (q >= 1.0)
		return h->max;
	uint64_t rank = (uint64_t)(q * (double)h->count) + 1; /* 1-based rank of the quantile */
	if (rank > h->count)
		rank = h->count;
	uint64_t seen = 0;
	for (unsigned b = 0; b < CC_HIST_BUCKETS; b++) {
		seen += h->n[b];
		if (seen >= rank) {
			uint64_t top = bucket_top(b);
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}
