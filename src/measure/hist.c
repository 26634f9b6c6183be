/*
 * Log-linear buckets: values below 2 * RP_HIST_SUB have a bucket each; above,
 * each power of two [2^e, 2^(e+1)) is cut into RP_HIST_SUB equal buckets, so
 * the bucket width is 2^(e - RP_HIST_SUB_BITS): a relative error under 1/128.
 */
#include <math.h>
#include <string.h>

#include "hist.h"

void rp_hist_init(struct rp_hist *h)
{
	memset(h, 0, sizeof *h);
}

static int top_bit(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

size_t rp_hist_index(uint64_t v)
{
	unsigned shift;

	if (v < 2 * RP_HIST_SUB)
		return (size_t)v;
	shift = (unsigned)top_bit(v) - RP_HIST_SUB_BITS;
	if (shift > RP_HIST_MAX_SHIFT)
		return RP_HIST_BUCKETS - 1;
	return (size_t)shift * RP_HIST_SUB + (size_t)(v >> shift);
}

uint64_t rp_hist_bucket_low(size_t i)
{
	unsigned shift;

	if (i < 2 * RP_HIST_SUB)
		return i;
	shift = (unsigned)(i / RP_HIST_SUB) - 1;
	return (uint64_t)(i - (size_t)shift * RP_HIST_SUB) << shift;
}

uint64_t rp_hist_bucket_high(size_t i)
{
	unsigned shift = i < 2 * RP_HIST_SUB ? 0 : (unsigned)(i / RP_HIST_SUB) - 1;

	if (i == RP_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return rp_hist_bucket_low(i) + ((uint64_t)1 << shift) - 1;
}

void rp_hist_add(struct rp_hist *h, int64_t ns)
{
	uint64_t v = ns < 0 ? 0 : (uint64_t)ns;

	if (h->n == 0 || v < h->min_ns)
		h->min_ns = v;
	if (v > h->max_ns)
		h->max_ns = v;
	h->n++;
	h->sum_ns += (double)v;
	h->count[rp_hist_index(v)]++;
}

void rp_hist_merge(struct rp_hist *into, const struct rp_hist *from)
{
	if (from->n == 0)
		return;
	if (into->n == 0 || from->min_ns < into->min_ns)
		into->min_ns = from->min_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
	into->n += from->n;
	into->sum_ns += from->sum_ns;
	for (size_t i = 0; i < RP_HIST_BUCKETS; i++)
		into->count[i] += from->count[i];
}

uint64_t rp_hist_percentile(const struct rp_hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	size_t i;

	if (h->n == 0)
		return 0;
	if (p <= 0)
		return h->min_ns;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->n - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank >= h->n)
		return h->max_ns;
	for (i = rp_hist_index(h->min_ns); i < RP_HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank)
			break;
	}
	if (i >= RP_HIST_BUCKETS - 1)
		return h->max_ns;
	v = rp_hist_bucket_low(i) + (rp_hist_bucket_high(i) - rp_hist_bucket_low(i)) / 2;
	if (v > h->max_ns)
		v = h->max_ns;
	if (v < h->min_ns)
		v = h->min_ns;
	return v;
}

double rp_hist_mean(const struct rp_hist *h)
{
	return h->n ? h->sum_ns / (double)h->n : 0;
}

/* Row bound k of a scale with `per` rows per power of two: 2^(k/per), rounded. */
static uint64_t row_bound(int k, int per)
{
	return (uint64_t)llround(exp2((double)k / per));
}

/* The row (of a scale with `per` rows per power of two) that holds v. */
static int row_of(uint64_t v, int per)
{
	int k;

	if (v < 1)
		v = 1;
	k = (int)floor(log2((double)v) * per);
	while (k > 0 && row_bound(k, per) > v)
		k--;
	while (row_bound(k + 1, per) <= v)
		k++;
	return k;
}

size_t rp_hist_rows(const struct rp_hist *h, struct rp_hist_row *rows, size_t max_rows)
{
	static const int scales[] = { 4, 2, 1 };
	int per = 1, first, last, k;
	size_t n = 0, i;

	if (h->n == 0 || max_rows == 0)
		return 0;
	for (i = 0; i < sizeof scales / sizeof scales[0]; i++) {
		per = scales[i];
		if ((size_t)(row_of(h->max_ns, per) - row_of(h->min_ns, per)) < max_rows)
			break;
	}
	first = row_of(h->min_ns, per);
	last = row_of(h->max_ns, per);
	if ((size_t)(last - first) >= max_rows)
		first = last - (int)max_rows + 1; /* still too wide: the lowest rows fold into the first */
	for (k = first; k <= last; k++) {
		rows[n].lo_ns = k == first ? (h->min_ns < row_bound(k, per) ? h->min_ns : row_bound(k, per))
					    : row_bound(k, per);
		rows[n].hi_ns = row_bound(k + 1, per);
		rows[n].count = 0;
		n++;
	}
	/* Each bucket goes to the row of its lowest value (rows are much wider than buckets). */
	for (i = rp_hist_index(h->min_ns); i <= rp_hist_index(h->max_ns); i++) {
		int r;

		if (!h->count[i])
			continue;
		r = row_of(rp_hist_bucket_low(i) < h->min_ns ? h->min_ns : rp_hist_bucket_low(i), per) - first;
		if (r < 0)
			r = 0;
		if (r >= (int)n)
			r = (int)n - 1;
		rows[r].count += h->count[i];
	}
	return n;
}
