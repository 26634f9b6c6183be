/* Echo request/reply pairing in bounded memory (src/core/echo.c). */
#include "pkt_helpers.h"

#include "rawprobe/echo.h"
#include "rawprobe/packet.h"

#define MS 1000000LL
#define SEC 1000000000LL

static const uint32_t *addrs(void)
{
	static uint32_t a[4];
	a[0] = ip4(10, 0, 0, 1);
	a[1] = ip4(10, 0, 0, 2);
	a[2] = ip4(10, 0, 0, 3);
	a[3] = ip4(192, 168, 0, 1);
	return a;
}

static void test_capacity_rounding(void **state)
{
	static const struct {
		uint32_t ask, want;
	} cases[] = {
		{ 0, 16 }, { 1, 16 }, { 15, 16 }, { 16, 16 }, { 17, 32 }, { 1000, 1024 }, { 1024, 1024 },
		{ 1025, 2048 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rp_echo_table t;
		memset(&t, 0, sizeof t);
		assert_int_equal(rp_echo_init(&t, cases[i].ask, 10 * SEC), 0);
		if (t.cap != cases[i].want)
			fail_msg("capacity %u: cap %u, want %u", cases[i].ask, t.cap, cases[i].want);
		assert_non_null(t.ring);
		assert_non_null(t.bucket);
		assert_true(t.nbucket >= 1);
		assert_int_equal(t.count, 0);
		assert_int_equal(t.unanswered, 0);
		assert_int_equal(t.window_ns, 10 * SEC);
		rp_echo_free(&t);
	}
}

static void test_request_then_reply(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = -5;
	bool dup = true;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 64, 10 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 77, 1, 1000 * SEC);
	assert_true(rp_echo_reply(&t, a[1], a[0], 77, 1, 1000 * SEC + 45000, &rtt, &dup));
	assert_int_equal(rtt, 45000);
	assert_false(dup);

	/* second and third replies: duplicates, rtt still from the request */
	rtt = -5;
	assert_true(rp_echo_reply(&t, a[1], a[0], 77, 1, 1000 * SEC + 90000, &rtt, &dup));
	assert_int_equal(rtt, 90000);
	assert_true(dup);
	dup = false;
	assert_true(rp_echo_reply(&t, a[1], a[0], 77, 1, 1000 * SEC + 100000, &rtt, &dup));
	assert_true(dup);

	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 0);
	rp_echo_free(&t);
}

static void test_reply_without_request(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = 0;
	bool dup = false;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 10 * SEC), 0);
	assert_false(rp_echo_reply(&t, a[1], a[0], 77, 1, 5, &rtt, &dup));

	rp_echo_request(&t, a[0], a[1], 77, 1, 100);
	/* not reversed: the same direction as the request */
	assert_false(rp_echo_reply(&t, a[0], a[1], 77, 1, 200, &rtt, &dup));
	/* from a third host */
	assert_false(rp_echo_reply(&t, a[2], a[0], 77, 1, 200, &rtt, &dup));
	/* to a third host */
	assert_false(rp_echo_reply(&t, a[1], a[2], 77, 1, 200, &rtt, &dup));
	/* other id, other seq */
	assert_false(rp_echo_reply(&t, a[1], a[0], 78, 1, 200, &rtt, &dup));
	assert_false(rp_echo_reply(&t, a[1], a[0], 77, 2, 200, &rtt, &dup));
	assert_false(rp_echo_reply(&t, a[1], a[0], 1, 77, 200, &rtt, &dup));
	/* none of those consumed it */
	assert_true(rp_echo_reply(&t, a[1], a[0], 77, 1, 300, &rtt, &dup));
	assert_int_equal(rtt, 200);
	assert_false(dup);
	rp_echo_free(&t);
}

static void test_same_id_seq_to_two_hosts(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = 0;
	bool dup = true;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 10 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 5, 5, 1 * MS);
	rp_echo_request(&t, a[0], a[2], 5, 5, 2 * MS);
	rp_echo_request(&t, a[3], a[1], 5, 5, 3 * MS);
	assert_true(rp_echo_reply(&t, a[2], a[0], 5, 5, 10 * MS, &rtt, &dup));
	assert_int_equal(rtt, 8 * MS);
	assert_false(dup);
	assert_true(rp_echo_reply(&t, a[1], a[0], 5, 5, 11 * MS, &rtt, &dup));
	assert_int_equal(rtt, 10 * MS);
	assert_false(dup);
	assert_true(rp_echo_reply(&t, a[1], a[3], 5, 5, 12 * MS, &rtt, &dup));
	assert_int_equal(rtt, 9 * MS);
	assert_false(dup);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 0);
	rp_echo_free(&t);
}

static void test_window_expiry(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = 0;
	bool dup = false;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 1 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 1, 1, 0);
	rp_echo_request(&t, a[0], a[1], 1, 2, 500 * MS);
	rp_echo_request(&t, a[0], a[1], 1, 3, 600 * MS);
	/* seq 1 waited 2 s with a 1 s window: gone */
	assert_false(rp_echo_reply(&t, a[1], a[0], 1, 1, 2 * SEC, &rtt, &dup));
	/* seq 2 and 3 expired as well; a fresh request is matched */
	assert_false(rp_echo_reply(&t, a[1], a[0], 1, 3, 2 * SEC, &rtt, &dup));
	rp_echo_request(&t, a[0], a[1], 1, 4, 2 * SEC + 100 * MS);
	assert_true(rp_echo_reply(&t, a[1], a[0], 1, 4, 2 * SEC + 200 * MS, &rtt, &dup));
	assert_int_equal(rtt, 100 * MS);
	rp_echo_finish(&t);
	/* seq 1, 2, 3 never answered; seq 4 answered */
	assert_int_equal(t.unanswered, 3);
	rp_echo_free(&t);

	/* the boundary: a reply exactly 'window' after the request matches, one ns later not */
	assert_int_equal(rp_echo_init(&t, 16, 1 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 9, 1, 10 * SEC);
	rp_echo_request(&t, a[0], a[1], 9, 2, 10 * SEC);
	assert_true(rp_echo_reply(&t, a[1], a[0], 9, 1, 11 * SEC, &rtt, &dup));
	assert_int_equal(rtt, 1 * SEC);
	assert_false(rp_echo_reply(&t, a[1], a[0], 9, 2, 11 * SEC + 1, &rtt, &dup));
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 1);
	rp_echo_free(&t);

	/* a late duplicate after the window is not matched, and the answered request is not unanswered */
	assert_int_equal(rp_echo_init(&t, 16, 1 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 3, 3, 0);
	assert_true(rp_echo_reply(&t, a[1], a[0], 3, 3, 10 * MS, &rtt, &dup));
	assert_false(rp_echo_reply(&t, a[1], a[0], 3, 3, 5 * SEC, &rtt, &dup));
	rp_echo_request(&t, a[0], a[1], 3, 4, 6 * SEC); /* pushes the old one out */
	assert_int_equal(t.unanswered, 0);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 1);
	rp_echo_free(&t);
}

static void test_expiry_counts_unanswered_once(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt;
	bool dup;
	(void)state;

	/* one request per 100 ms for 100 s, window 1 s, no replies at all */
	assert_int_equal(rp_echo_init(&t, 64, 1 * SEC), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		rp_echo_request(&t, a[0], a[1], 7, (uint16_t)i, (int64_t)i * 100 * MS);
		assert_true(t.count <= t.cap);
	}
	assert_false(rp_echo_reply(&t, a[1], a[0], 7, 0, 100 * SEC, &rtt, &dup));
	assert_true(t.unanswered <= 1000);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 1000);
	rp_echo_free(&t);
}

static void test_table_full_evicts_oldest(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = 0;
	bool dup = false;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 1000 * SEC), 0);
	assert_int_equal(t.cap, 16);
	for (uint16_t s = 0; s < 16; s++)
		rp_echo_request(&t, a[0], a[1], 1, s, s * MS);
	assert_int_equal(t.count, 16);
	assert_int_equal(t.unanswered, 0);
	/* the 17th pushes seq 0 out: it was never answered */
	rp_echo_request(&t, a[0], a[1], 1, 16, 16 * MS);
	assert_int_equal(t.count, 16);
	assert_int_equal(t.unanswered, 1);
	assert_false(rp_echo_reply(&t, a[1], a[0], 1, 0, 20 * MS, &rtt, &dup));
	for (uint16_t s = 1; s <= 16; s++) {
		if (!rp_echo_reply(&t, a[1], a[0], 1, s, 20 * MS, &rtt, &dup))
			fail_msg("seq %u not matched after the eviction of seq 0", s);
		assert_int_equal(rtt, (20 - s) * MS);
		assert_false(dup);
	}
	/* answered ones pushed out are not unanswered */
	for (uint16_t s = 100; s < 116; s++)
		rp_echo_request(&t, a[0], a[1], 1, s, 30 * MS);
	assert_int_equal(t.unanswered, 1);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 17);
	rp_echo_free(&t);
}

static void test_answered_then_evicted_dup(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = 0;
	bool dup = false;
	(void)state;

	/* an answered request stays for duplicates until pushed out */
	assert_int_equal(rp_echo_init(&t, 16, 1000 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 2, 0, 0);
	assert_true(rp_echo_reply(&t, a[1], a[0], 2, 0, 1, &rtt, &dup));
	for (uint16_t s = 1; s < 16; s++)
		rp_echo_request(&t, a[0], a[1], 2, s, s);
	assert_true(rp_echo_reply(&t, a[1], a[0], 2, 0, 100, &rtt, &dup));
	assert_true(dup);
	rp_echo_request(&t, a[0], a[1], 2, 16, 200);
	assert_false(rp_echo_reply(&t, a[1], a[0], 2, 0, 300, &rtt, &dup));
	assert_int_equal(t.unanswered, 0);
	rp_echo_free(&t);
}

static void test_finish_counts_waiting(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt;
	bool dup;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 10 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 1, 1, 0);
	rp_echo_request(&t, a[0], a[1], 1, 2, 1);
	rp_echo_request(&t, a[0], a[2], 1, 1, 2);
	assert_true(rp_echo_reply(&t, a[1], a[0], 1, 2, 3, &rtt, &dup));
	assert_int_equal(t.unanswered, 0);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 2);
	rp_echo_free(&t);

	/* an empty table */
	assert_int_equal(rp_echo_init(&t, 16, 10 * SEC), 0);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 0);
	rp_echo_free(&t);
}

/*
 * Near misses by the thousand: with a small table many of them share the
 * request's hash bucket, so a lookup that skipped any key field would match.
 */
static void test_no_false_match_in_crowded_buckets(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	int64_t rtt = 0;
	bool dup = false;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 3600 * SEC), 0);
	rp_echo_request(&t, a[0], a[1], 0x1111, 0x2222, 0);
	for (uint32_t i = 0; i < 2000; i++) {
		uint32_t other = ip4(10, 9, (i >> 8) & 0xff, i & 0xff);
		uint16_t v = (uint16_t)(0x2223 + i);
		if (rp_echo_reply(&t, other, a[0], 0x1111, 0x2222, 1, &rtt, &dup))
			fail_msg("reply from 10.9.%u.%u matched", (i >> 8) & 0xff, i & 0xff);
		if (rp_echo_reply(&t, a[1], other, 0x1111, 0x2222, 1, &rtt, &dup))
			fail_msg("reply to 10.9.%u.%u matched", (i >> 8) & 0xff, i & 0xff);
		if (rp_echo_reply(&t, a[1], a[0], 0x1111, v, 1, &rtt, &dup))
			fail_msg("reply with seq %#x matched", v);
		if (rp_echo_reply(&t, a[1], a[0], v, 0x2222, 1, &rtt, &dup))
			fail_msg("reply with id %#x matched", v);
	}
	assert_true(rp_echo_reply(&t, a[1], a[0], 0x1111, 0x2222, 2, &rtt, &dup));
	assert_int_equal(rtt, 2);
	assert_false(dup);
	rp_echo_free(&t);
}

/* A long capture through a small table: memory fixed, every request accounted for. */
static void test_memory_is_fixed(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	struct rp_echo_entry *ring;
	uint32_t *bucket;
	uint32_t cap, nbucket;
	uint64_t answered = 0;
	int64_t rtt;
	bool dup;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 20, 3600 * SEC), 0);
	ring = t.ring;
	bucket = t.bucket;
	cap = t.cap;
	nbucket = t.nbucket;
	assert_int_equal(cap, 32);
	for (uint32_t i = 0; i < 200000; i++) {
		uint16_t id = (uint16_t)(i >> 16), seq = (uint16_t)i;
		rp_echo_request(&t, a[0], a[1], id, seq, (int64_t)i * 1000);
		if (i % 3 == 0) {
			assert_true(rp_echo_reply(&t, a[1], a[0], id, seq, (int64_t)i * 1000 + 7, &rtt, &dup));
			assert_int_equal(rtt, 7);
			answered++;
		}
		if (t.count > cap)
			fail_msg("count %u > cap %u after %u requests", t.count, cap, i + 1);
	}
	assert_ptr_equal(t.ring, ring);
	assert_ptr_equal(t.bucket, bucket);
	assert_int_equal(t.cap, cap);
	assert_int_equal(t.nbucket, nbucket);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 200000 - answered);
	rp_echo_free(&t);
}

/* Many requests that share a hash-friendly pattern: every one findable in a big table. */
static void test_many_waiting(void **state)
{
	struct rp_echo_table t;
	int64_t rtt;
	bool dup;
	uint32_t dst = ip4(10, 0, 0, 1);
	(void)state;

	assert_int_equal(rp_echo_init(&t, 4096, 3600 * SEC), 0);
	for (uint32_t i = 0; i < 4096; i++) {
		uint32_t src = ip4(10, 1, (i >> 8) & 0xff, i & 0xff);
		rp_echo_request(&t, dst, src, 1, 1, i);
	}
	for (uint32_t i = 4096; i-- > 0;) {
		uint32_t src = ip4(10, 1, (i >> 8) & 0xff, i & 0xff);
		if (!rp_echo_reply(&t, src, dst, 1, 1, 5000, &rtt, &dup))
			fail_msg("request %u not found", i);
		assert_int_equal(rtt, 5000 - (int64_t)i);
	}
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 0);
	rp_echo_free(&t);
}

/* rp_echo_packet: the same pairing driven by decoded packets (built by hand here). */
static struct rp_packet echo_pkt(uint8_t type, uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
				 int64_t sec, uint32_t nsec)
{
	struct rp_packet p;
	memset(&p, 0, sizeof p);
	p.ts_sec = sec;
	p.ts_nsec = nsec;
	p.l3 = RP_L3_IPV4;
	p.l4 = RP_L4_ICMP;
	p.ip.have = 0x7ff;
	p.ip.version = 4;
	p.ip.ihl = 5;
	p.ip.proto = 1;
	p.ip.src = src;
	p.ip.dst = dst;
	p.icmp.have = RP_ICMP_TYPE | RP_ICMP_CODE | RP_ICMP_CSUM | RP_ICMP_REST | RP_ICMP_ID |
			 RP_ICMP_SEQ;
	p.icmp.type = type;
	p.icmp.rest = (uint32_t)id << 16 | seq;
	p.resp_ns = -1;
	return p;
}

static void test_echo_packet(void **state)
{
	const uint32_t *a = addrs();
	struct rp_echo_table t;
	struct rp_packet p;
	(void)state;

	assert_int_equal(rp_echo_init(&t, 16, 10 * SEC), 0);
	/* request just before a second boundary, reply just after: 45 us */
	p = echo_pkt(RP_ICMP_ECHO, a[0], a[1], 77, 1, 1700000000, 999999000);
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, -1);
	assert_false(p.dup);

	p = echo_pkt(RP_ICMP_ECHOREPLY, a[1], a[0], 77, 1, 1700000001, 44000);
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, 45000);
	assert_false(p.dup);

	p = echo_pkt(RP_ICMP_ECHOREPLY, a[1], a[0], 77, 1, 1700000001, 100000);
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, 101000);
	assert_true(p.dup);

	/* a reply nobody asked for */
	p = echo_pkt(RP_ICMP_ECHOREPLY, a[1], a[0], 77, 2, 1700000001, 200000);
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, -1);
	assert_false(p.dup);

	/* a reply whose id/seq were not captured cannot be paired */
	p = echo_pkt(RP_ICMP_ECHO, a[0], a[1], 78, 1, 1700000002, 0);
	rp_echo_packet(&t, &p);
	p = echo_pkt(RP_ICMP_ECHOREPLY, a[1], a[0], 78, 1, 1700000002, 5000);
	p.icmp.have &= ~(uint32_t)(RP_ICMP_REST | RP_ICMP_SEQ);
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, -1);
	/* a UDP packet is not an echo, whatever its icmp struct holds */
	p = echo_pkt(RP_ICMP_ECHOREPLY, a[1], a[0], 78, 1, 1700000002, 6000);
	p.l4 = RP_L4_UDP;
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, -1);
	/* the request is still waiting for its real reply */
	p = echo_pkt(RP_ICMP_ECHOREPLY, a[1], a[0], 78, 1, 1700000002, 7000);
	rp_echo_packet(&t, &p);
	assert_int_equal(p.resp_ns, 7000);

	/* a request whose id/seq were not captured is not stored */
	p = echo_pkt(RP_ICMP_ECHO, a[0], a[1], 79, 1, 1700000003, 0);
	p.icmp.have &= ~(uint32_t)(RP_ICMP_REST | RP_ICMP_SEQ);
	rp_echo_packet(&t, &p);
	rp_echo_finish(&t);
	assert_int_equal(t.unanswered, 0);
	rp_echo_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_rounding),
		cmocka_unit_test(test_request_then_reply),
		cmocka_unit_test(test_reply_without_request),
		cmocka_unit_test(test_same_id_seq_to_two_hosts),
		cmocka_unit_test(test_window_expiry),
		cmocka_unit_test(test_expiry_counts_unanswered_once),
		cmocka_unit_test(test_table_full_evicts_oldest),
		cmocka_unit_test(test_answered_then_evicted_dup),
		cmocka_unit_test(test_finish_counts_waiting),
		cmocka_unit_test(test_no_false_match_in_crowded_buckets),
		cmocka_unit_test(test_memory_is_fixed),
		cmocka_unit_test(test_many_waiting),
		cmocka_unit_test(test_echo_packet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
