/* The sweep scheduler (src/core/sweep.c): retries, timeouts, duplicates, fixed memory. */
#include <arpa/inet.h>

#include "pkt_helpers.h"

#include "rawprobe/sweep.h"

#define MS 1000000LL

static struct rp_sweep sw;

static void start(unsigned count, unsigned retries, unsigned window)
{
	struct rp_sweep_config c = { .count = count, .retries = retries, .timeout_ns = 100 * MS,
				     .interval_ns = 50 * MS, .window = window };
	assert_int_equal(rp_sweep_init(&sw, &c), 0);
}

static uint32_t A(unsigned n) { return ip4(10, 200, 16, n); }

static void next(int64_t now, uint32_t want_addr, uint16_t want_seq)
{
	uint32_t addr;
	uint16_t seq;

	assert_true(rp_sweep_next_probe(&sw, now, &addr, &seq));
	assert_int_equal(addr, want_addr);
	assert_int_equal(seq, want_seq);
}

static enum rp_sweep_verdict echo(uint32_t addr, uint16_t seq, int64_t rtt, int64_t now)
{
	return rp_sweep_reply(&sw, addr, seq, false, rtt, 0, 0, 0, now);
}

static void test_answer_and_retry(void **state)
{
	struct rp_sweep_result r;
	uint32_t addr;
	uint16_t seq;
	(void)state;

	start(1, 1, 4);
	assert_true(rp_sweep_add(&sw, A(1), 0));
	assert_true(rp_sweep_add(&sw, A(2), 0));
	assert_false(rp_sweep_add(&sw, A(2), 0)); /* already in progress */
	next(0, A(1), 0);
	next(0, A(2), 0);
	assert_false(rp_sweep_next_probe(&sw, 0, &addr, &seq));
	assert_true(rp_sweep_next_event(&sw) == 100 * MS);

	assert_int_equal(echo(A(1), 0, 2 * MS, 2 * MS), RP_SWEEP_FIRST);
	assert_true(rp_sweep_pop_done(&sw, &r));
	assert_int_equal(r.addr, A(1));
	assert_int_equal(r.sent, 1);
	assert_int_equal(r.received, 1);
	assert_true(r.rtt.n == 1 && r.rtt.min_ns == 2 * MS);
	/* Done targets are forgotten: a late copy is unknown. */
	assert_int_equal(echo(A(1), 0, 3 * MS, 3 * MS), RP_SWEEP_UNKNOWN);

	/* A(2) times out and is sent again with the next sequence number. */
	rp_sweep_expire(&sw, 99 * MS);
	assert_false(rp_sweep_next_probe(&sw, 99 * MS, &addr, &seq));
	rp_sweep_expire(&sw, 100 * MS);
	next(100 * MS, A(2), 1);
	rp_sweep_expire(&sw, 200 * MS);
	assert_true(rp_sweep_pop_done(&sw, &r));
	assert_int_equal(r.addr, A(2));
	assert_int_equal(r.sent, 2);
	assert_int_equal(r.received, 0);
	assert_false(rp_sweep_pop_done(&sw, &r));
	assert_int_equal(rp_sweep_active(&sw), 0);
	assert_true(rp_sweep_next_event(&sw) == INT64_MAX);
	rp_sweep_free(&sw);
}

static void test_late_answer_to_first_attempt(void **state)
{
	struct rp_sweep_result r;
	(void)state;

	start(1, 2, 4);
	rp_sweep_add(&sw, A(3), 0);
	next(0, A(3), 0);
	rp_sweep_expire(&sw, 100 * MS);
	next(100 * MS, A(3), 1);
	/* The answer to attempt 0 arrives after attempt 1 went: it answers the probe. */
	assert_int_equal(echo(A(3), 0, 130 * MS, 130 * MS), RP_SWEEP_FIRST);
	/* Then attempt 1's answer: a duplicate. A sequence never sent: unknown. */
	assert_int_equal(echo(A(3), 5, 1, 131 * MS), RP_SWEEP_UNKNOWN);
	assert_true(rp_sweep_pop_done(&sw, &r));
	assert_int_equal(r.sent, 2);
	assert_int_equal(r.received, 1);
	assert_int_equal(r.duplicates, 0);
	rp_sweep_free(&sw);
}

static void test_count_interval_dup_error(void **state)
{
	struct rp_sweep_result r;
	uint32_t addr;
	uint16_t seq;
	(void)state;

	start(3, 0, 4);
	rp_sweep_add(&sw, A(4), 0);
	next(0, A(4), 0);
	assert_int_equal(echo(A(4), 0, 1 * MS, 1 * MS), RP_SWEEP_FIRST);
	assert_int_equal(echo(A(4), 0, 2 * MS, 2 * MS), RP_SWEEP_DUP);
	/* The next probe is due an interval after the previous one went. */
	assert_false(rp_sweep_next_probe(&sw, 49 * MS, &addr, &seq));
	assert_true(rp_sweep_next_event(&sw) == 50 * MS);
	next(50 * MS, A(4), 1);
	assert_int_equal(rp_sweep_reply(&sw, A(4), 1, true, -1, ip4(10, 200, 0, 1), 3, 1, 51 * MS),
			 RP_SWEEP_FIRST);
	next(100 * MS, A(4), 2);
	rp_sweep_expire(&sw, 200 * MS); /* no retries: lost */
	assert_true(rp_sweep_pop_done(&sw, &r));
	assert_int_equal(r.sent, 3);
	assert_int_equal(r.received, 1);
	assert_int_equal(r.duplicates, 1);
	assert_int_equal(r.errors, 1);
	assert_int_equal(r.error_from, ip4(10, 200, 0, 1));
	assert_int_equal(r.error_type, 3);
	assert_int_equal(r.error_code, 1);
	rp_sweep_free(&sw);
}

static void test_send_failed(void **state)
{
	struct rp_sweep_result r;
	(void)state;

	start(1, 3, 2);
	rp_sweep_add(&sw, A(5), 0);
	next(0, A(5), 0);
	rp_sweep_send_failed(&sw, A(5), 0);
	assert_true(rp_sweep_pop_done(&sw, &r));
	assert_int_equal(r.sent, 0);
	assert_int_equal(r.received, 0);
	rp_sweep_free(&sw);
}

/* 20,000 targets through a window of 16: each reported once, room only as results are taken. */
static void test_window_bounds_memory(void **state)
{
	struct rp_sweep_result r;
	uint64_t added = 0, reported = 0, sum_added = 0, sum_reported = 0;
	int64_t now = 0;
	(void)state;

	start(1, 1, 16);
	while (reported < 20000) {
		uint32_t addr;
		uint16_t seq;
		while (added < 20000 && rp_sweep_has_room(&sw)) {
			uint32_t a = htonl(0x0ac80000u + (uint32_t)added);
			assert_true(rp_sweep_add(&sw, a, now));
			sum_added += a;
			added++;
		}
		assert_true(rp_sweep_active(&sw) <= 16);
		while (rp_sweep_next_probe(&sw, now, &addr, &seq))
			if ((ntohl(addr) & 3) != 0) /* one in four never answers */
				echo(addr, seq, 1 * MS, now + 1 * MS);
		now += 100 * MS;
		rp_sweep_expire(&sw, now);
		while (rp_sweep_pop_done(&sw, &r)) {
			reported++;
			sum_reported += r.addr;
			assert_int_equal(r.sent, (ntohl(r.addr) & 3) ? 1 : 2);
		}
	}
	assert_true(sum_added == sum_reported);
	assert_int_equal(rp_sweep_active(&sw), 0);
	rp_sweep_free(&sw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_and_retry),
		cmocka_unit_test(test_late_answer_to_first_attempt),
		cmocka_unit_test(test_count_interval_dup_error),
		cmocka_unit_test(test_send_failed),
		cmocka_unit_test(test_window_bounds_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
