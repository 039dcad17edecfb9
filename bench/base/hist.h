/*
 * A log-linear latency histogram in the manner of HdrHistogram: fixed memory,
 * no allocation while recording, relative error under 1/64 (1.6 %) over the
 * whole 64-bit range of nanoseconds.
 */
#ifndef CONCUR_HIST_H
#define CONCUR_HIST_H

#include <stdint.h>

#define CC_HIST_SUB 64 /* sub-buckets per power of two */
#define CC_HIST_BUCKETS (2 * CC_HIST_SUB + (64 - 7) * CC_HIST_SUB) /* msb 7..63 */

struct cc_hist {
	uint64_t count;
	uint64_t max;
	uint64_t n[CC_HIST_BUCKETS];
};

void cc_hist_reset(struct cc_hist *h);
void cc_hist_record(struct cc_hist *h, uint64_t v);
void cc_hist_merge(struct cc_hist *into, const struct cc_hist *from);
/* The value at quantile q (0..1): the upper edge of its bucket, never above max. 0 if empty. */
uint64_t cc_hist_quantile(const struct cc_hist *h, double q);

#endif
