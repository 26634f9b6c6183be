/* The latency histogram: bucket bounds, percentiles on known inputs, rows, drawing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hist.h"
#include "histdraw.h"

static struct rp_hist *new_hist(void)
{
	struct rp_hist *h = malloc(sizeof *h);

	assert_non_null(h);
	rp_hist_init(h);
	return h;
}

static void test_empty(void **state)
{
	struct rp_hist *h = new_hist();
	struct rp_hist_row rows[4];

	(void)state;
	assert_int_equal(rp_hist_percentile(h, 50), 0);
	assert_int_equal(rp_hist_rows(h, rows, 4), 0);
	free(h);
}

/* Every value lies in its bucket, small values have a bucket each, widths stay under 1/128. */
static void test_buckets(void **state)
{
	uint64_t v;

	(void)state;
	for (v = 0; v < 256; v++) {
		assert_int_equal(rp_hist_index(v), v);
		assert_int_equal(rp_hist_bucket_low(v), v);
		assert_int_equal(rp_hist_bucket_high(v), v);
	}
	for (v = 256; v < (1ull << 40); v = v * 3 / 2 + 7) {
		size_t i = rp_hist_index(v);
		uint64_t lo = rp_hist_bucket_low(i), hi = rp_hist_bucket_high(i);

		assert_true(lo <= v && v <= hi);
		assert_true((double)(hi - lo + 1) <= (double)lo / 128.0 + 1e-9);
		assert_int_equal(rp_hist_index(lo), i);
		assert_int_equal(rp_hist_index(hi), i);
		assert_int_equal(rp_hist_index(hi + 1), i + 1);
	}
	assert_int_equal(rp_hist_index(UINT64_MAX), RP_HIST_BUCKETS - 1);
}

/* 1..100 ns: below 256 every bucket is exact, so nearest-rank percentiles are exact. */
static void test_percentiles_exact(void **state)
{
	struct rp_hist *h = new_hist();

	(void)state;
	for (int v = 100; v >= 1; v--)
		rp_hist_add(h, v);
	assert_int_equal(h->n, 100);
	assert_int_equal(h->min_ns, 1);
	assert_int_equal(h->max_ns, 100);
	assert_int_equal(rp_hist_percentile(h, 50), 50);
	assert_int_equal(rp_hist_percentile(h, 90), 90);
	assert_int_equal(rp_hist_percentile(h, 99), 99);
	assert_int_equal(rp_hist_percentile(h, 99.9), 100);
	assert_int_equal(rp_hist_percentile(h, 100), 100);
	assert_int_equal(rp_hist_percentile(h, 0.5), 1);
	assert_true(rp_hist_mean(h) == 50.5);
	free(h);
}

/* Large values: within 0.4 % of the sample of that rank; min and max exact; negatives are 0. */
static void test_percentiles_large(void **state)
{
	struct rp_hist *h = new_hist();
	uint64_t p;

	(void)state;
	for (int i = 0; i < 900; i++)
		rp_hist_add(h, 12000);   /* 12 us */
	for (int i = 0; i < 99; i++)
		rp_hist_add(h, 250000);  /* 250 us */
	rp_hist_add(h, 4000000);         /* one 4 ms outlier */
	p = rp_hist_percentile(h, 50);
	assert_true(p >= 12000 && p <= 12048);
	p = rp_hist_percentile(h, 90);
	assert_true(p >= 12000 && p <= 12048);
	p = rp_hist_percentile(h, 99);
	assert_true(p >= 249000 && p <= 251000);
	p = rp_hist_percentile(h, 99.9); /* rank 999: the last 250 us sample, not the outlier */
	assert_true(p >= 249000 && p <= 251000);
	assert_int_equal(rp_hist_percentile(h, 100), 4000000);
	assert_int_equal(h->min_ns, 12000);
	assert_int_equal(h->max_ns, 4000000);
	rp_hist_add(h, -5);
	assert_int_equal(h->min_ns, 0);
	free(h);
}

static void test_merge(void **state)
{
	struct rp_hist *a = new_hist(), *b = new_hist(), *all = new_hist();

	(void)state;
	for (int v = 1; v <= 5000; v++) {
		rp_hist_add(v % 2 ? a : b, v * 7);
		rp_hist_add(all, v * 7);
	}
	rp_hist_merge(a, b);
	assert_int_equal(a->n, all->n);
	assert_int_equal(a->min_ns, all->min_ns);
	assert_int_equal(a->max_ns, all->max_ns);
	assert_memory_equal(a->count, all->count, sizeof a->count);
	assert_int_equal(rp_hist_percentile(a, 99), rp_hist_percentile(all, 99));
	free(a);
	free(b);
	free(all);
}

/* Rows: ordered, log-spaced, the first holds the minimum, the last the maximum, nothing lost. */
static void test_rows(void **state)
{
	struct rp_hist *h = new_hist();
	struct rp_hist_row rows[RP_HISTDRAW_ROWS];
	uint64_t sum = 0;
	size_t n;

	(void)state;
	for (int i = 0; i < 1000; i++)
		rp_hist_add(h, 8000 + (i % 50) * 100); /* 8 - 13 us */
	rp_hist_add(h, 2000000);                       /* 2 ms */
	n = rp_hist_rows(h, rows, RP_HISTDRAW_ROWS);
	assert_true(n >= 2 && n <= RP_HISTDRAW_ROWS);
	assert_true(rows[0].lo_ns <= 8000 && 8000 < rows[0].hi_ns);
	assert_true(rows[n - 1].lo_ns <= 2000000 && 2000000 < rows[n - 1].hi_ns);
	for (size_t i = 0; i < n; i++) {
		assert_true(rows[i].lo_ns < rows[i].hi_ns);
		if (i)
			assert_int_equal(rows[i].lo_ns, rows[i - 1].hi_ns);
		sum += rows[i].count;
	}
	assert_int_equal(sum, h->n);
	assert_int_equal(rows[n - 1].count, 1);
	/* a narrow range gets the finest scale: quarter powers of two */
	rp_hist_init(h);
	rp_hist_add(h, 10000);
	rp_hist_add(h, 19000);
	n = rp_hist_rows(h, rows, RP_HISTDRAW_ROWS);
	assert_int_equal(n, 4);
	/* too wide for max_rows: the lowest rows fold into the first */
	rp_hist_init(h);
	rp_hist_add(h, 1000);
	rp_hist_add(h, 1000000000);
	n = rp_hist_rows(h, rows, 5);
	assert_int_equal(n, 5);
	assert_int_equal(rows[0].count + rows[4].count, 2);
	free(h);
}

/* Display columns of a UTF-8 line (every byte that does not continue a character). */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void test_draw(void **state)
{
	struct rp_hist_row full = { 9510, 11314, 123456 }, small = { 11314, 13454, 1 };
	char line[256], us[16];

	(void)state;
	rp_histdraw_row(line, sizeof line, &full, 123456, 200000, false);
	assert_non_null(strstr(line, "123456"));
	assert_non_null(strstr(line, "61.7%"));
	assert_non_null(strstr(line, "9.51"));
	assert_non_null(strstr(line, "11.3"));
	assert_int_equal(strspn(strchr(line, '#'), "#"), RP_HISTDRAW_BAR);
	assert_true(columns(line) < 80);
	rp_histdraw_row(line, sizeof line, &full, 123456, 200000, true);
	assert_true(columns(line) < 80);
	assert_non_null(strstr(line, "\u2588"));
	rp_histdraw_row(line, sizeof line, &small, 123456, 200000, false);
	assert_int_equal(strspn(strchr(line, '#'), "#"), 1); /* a sliver, not nothing */
	rp_histdraw_us(us, sizeof us, 9510);
	assert_string_equal(us, "9.51");
	rp_histdraw_us(us, sizeof us, 123456);
	assert_string_equal(us, "123");
	rp_histdraw_us(us, sizeof us, 2500000000ull);
	assert_string_equal(us, "2.5s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_percentiles_exact),
		cmocka_unit_test(test_percentiles_large),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_draw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
