/*
 * A latency histogram in fixed memory, in the manner of HdrHistogram:
 * log-linear buckets, exact below 256 ns and within 1/128 (0.8 %) of the
 * value above, up to 2^41 ns (36 minutes). Percentiles never need the
 * samples, so a billion round trips cost the same 35 KiB as ten.
 */
#ifndef RAWPROBE_MEASURE_HIST_H
#define RAWPROBE_MEASURE_HIST_H

#include <stddef.h>
#include <stdint.h>

#define RP_HIST_SUB_BITS 7                       /* 128 buckets per power of two */
#define RP_HIST_SUB (1u << RP_HIST_SUB_BITS)
#define RP_HIST_MAX_SHIFT 33                     /* values up to 2^41 ns are kept apart */
#define RP_HIST_BUCKETS ((RP_HIST_MAX_SHIFT + 2) * RP_HIST_SUB)

struct rp_hist {
	uint64_t n;
	uint64_t min_ns, max_ns;
	double sum_ns;
	uint64_t count[RP_HIST_BUCKETS];
};

void rp_hist_init(struct rp_hist *h);
/* Negative values count as 0; values beyond the range go to the last bucket (max stays exact). */
void rp_hist_add(struct rp_hist *h, int64_t ns);
void rp_hist_merge(struct rp_hist *into, const struct rp_hist *from);

/* Bucket of a value and the values a bucket holds (lowest, highest). */
size_t rp_hist_index(uint64_t ns);
uint64_t rp_hist_bucket_low(size_t i);
uint64_t rp_hist_bucket_high(size_t i);

/*
 * The value at percentile p (0 < p <= 100): the middle of the bucket holding
 * the sample of rank ceil(p/100 * n) (nearest-rank), so within 0.4 % of that
 * sample and not biased either way; exact below 256 ns; never above the
 * largest sample nor below the smallest; p 100 is the largest. 0 when empty.
 */
uint64_t rp_hist_percentile(const struct rp_hist *h, double p);
double rp_hist_mean(const struct rp_hist *h);

/* One row of the terminal picture: samples in [lo_ns, hi_ns). */
struct rp_hist_row {
	uint64_t lo_ns, hi_ns, count;
};

/*
 * Groups the buckets into at most max_rows rows with log-spaced bounds
 * (quarter, half or whole powers of two, the finest that fits), from the row
 * of the smallest sample to the row of the largest. Returns the number of
 * rows written (0 when empty).
 */
size_t rp_hist_rows(const struct rp_hist *h, struct rp_hist_row *rows, size_t max_rows);

#endif
