/* Echo probes: building, stamps, and recognising replies and errors (src/core/probe.c). */
#include "pkt_helpers.h"

#include "rawprobe/decode.h"
#include "rawprobe/probe.h"
#include "rawprobe/siphash.h"

static const struct rp_sipkey KEY = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
#define SENT 1700000000123456789LL

/* The paper's test key (bytes 00..0f) and two of its reference outputs. */
static void test_siphash_vectors(void **state)
{
	uint8_t msg[15];
	(void)state;

	for (unsigned i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	assert_true(rp_siphash24(&KEY, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(rp_siphash24(&KEY, msg, 15) == 0xa129ca6149be45e5ULL);
	assert_true(rp_siphash24(&KEY, msg, 8) == 0x93f5f5799a932462ULL);
}

static struct rp_echo_spec spec(size_t data_len)
{
	struct rp_echo_spec s = {
		.src = ip4(10, 200, 1, 1), .dst = ip4(10, 200, 1, 2), .ip_id = 0x1234, .ttl = 7,
		.tos = 0x10, .df = true, .id = 0xbeef, .seq = 3, .data_len = data_len,
		.sent_ns = SENT, .key = &KEY,
	};
	return s;
}

static void test_build_fields(void **state)
{
	uint8_t b[200];
	struct rp_echo_spec s = spec(56);
	size_t n = rp_echo_build(b, sizeof b, &s, true);
	(void)state;

	assert_int_equal(n, 84);
	assert_int_equal(b[0], 0x45);
	assert_int_equal(b[1], 0x10);
	assert_int_equal(get_be16(b + 2), 84);
	assert_int_equal(get_be16(b + 4), 0x1234);
	assert_int_equal(get_be16(b + 6), 0x4000);
	assert_int_equal(b[8], 7);
	assert_int_equal(b[9], 1);
	assert_int_equal(ref_csum(b, 20), 0);
	assert_memory_equal(b + 12, &s.src, 4);
	assert_memory_equal(b + 16, &s.dst, 4);
	assert_int_equal(b[20], 8);
	assert_int_equal(b[21], 0);
	assert_int_equal(ref_csum(b + 20, 64), 0);
	assert_int_equal(get_be16(b + 24), 0xbeef);
	assert_int_equal(get_be16(b + 26), 3);
	/* After the 16-byte stamp, iputils' counting fill. */
	for (unsigned i = 16; i < 56; i++)
		assert_int_equal(b[28 + i], i);
	/* Too small a buffer: nothing. Without the IP header: the ICMP part alone. */
	assert_int_equal(rp_echo_build(b, 83, &s, true), 0);
	assert_int_equal(rp_echo_build(b, sizeof b, &s, false), 64);
	assert_int_equal(b[0], 8);
	assert_int_equal(ref_csum(b, 64), 0);
}

static void test_build_pattern_and_short(void **state)
{
	uint8_t b[100];
	static const uint8_t pat[] = { 0xab, 0xcd, 0xef };
	struct rp_echo_spec s = spec(24);
	(void)state;

	s.pattern = pat;
	s.pattern_len = 3;
	assert_int_equal(rp_echo_build(b, sizeof b, &s, true), 52);
	for (unsigned i = 16; i < 24; i++)
		assert_int_equal(b[28 + i], pat[(i - 16) % 3]);
	/* Under 16 data bytes there is no stamp: the data is all pattern. */
	s = spec(8);
	s.pattern = pat;
	s.pattern_len = 3;
	assert_int_equal(rp_echo_build(b, sizeof b, &s, true), 36);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(b[28 + i], pat[i % 3]);
	s.df = false;
	s.data_len = RP_ECHO_DATA_MAX + 1;
	assert_int_equal(rp_echo_build(b, sizeof b, &s, true), 0);
}

/* The reply a host would send: addresses swapped, type 0, checksums redone. */
static size_t make_reply(uint8_t *r, const uint8_t *probe, size_t n)
{
	memcpy(r, probe, n);
	memcpy(r + 12, probe + 16, 4);
	memcpy(r + 16, probe + 12, 4);
	r[8] = 61;
	r[10] = r[11] = 0;
	put_be16(r + 10, ref_csum(r, 20));
	r[20] = 0;
	r[22] = r[23] = 0;
	put_be16(r + 22, ref_csum(r + 20, n - 20));
	return n;
}

static bool match(struct rp_reply *r, const uint8_t *d, size_t n, uint16_t id)
{
	static struct rp_packet pkt;
	struct exact e = exact_copy(d, n);
	bool ok;

	rp_decode(&pkt, T_DLT_IPV4, e.p, (uint32_t)n, (uint32_t)n, RP_DECODE_CHECKSUMS);
	ok = rp_reply_match(r, &pkt, e.p, n, id, &KEY);
	exact_free(&e);
	return ok;
}

static void test_match_echo_reply(void **state)
{
	uint8_t probe[100], rep[100];
	struct rp_echo_spec s = spec(56);
	struct rp_reply r;
	size_t n = rp_echo_build(probe, sizeof probe, &s, true);
	(void)state;

	make_reply(rep, probe, n);
	assert_true(match(&r, rep, n, 0xbeef));
	assert_int_equal(r.kind, RP_REPLY_ECHO);
	assert_int_equal(r.from, s.dst);
	assert_int_equal(r.target, s.dst);
	assert_int_equal(r.seq, 3);
	assert_int_equal(r.ttl, 61);
	assert_int_equal(r.icmp_len, 64);
	assert_false(r.checksum_bad);
	assert_int_equal(r.stamp, RP_STAMP_OK);
	assert_true(r.sent_ns == SENT);
	/* Another program's identifier: not ours. */
	assert_false(match(&r, rep, n, 0xbeee));
	assert_int_equal(r.kind, RP_REPLY_NONE);
}

static void test_match_forged_and_corrupt(void **state)
{
	uint8_t probe[100], rep[100];
	struct rp_echo_spec s = spec(56);
	struct rp_reply r;
	size_t n = rp_echo_build(probe, sizeof probe, &s, true);
	(void)state;

	/* A stamp that does not verify (MAC byte changed, checksum made right again). */
	make_reply(rep, probe, n);
	rep[28 + 15] ^= 1;
	rep[22] = rep[23] = 0;
	put_be16(rep + 22, ref_csum(rep + 20, n - 20));
	assert_true(match(&r, rep, n, 0xbeef));
	assert_int_equal(r.stamp, RP_STAMP_BAD);
	/* The right stamp, answered from another address: the MAC covers the target. */
	make_reply(rep, probe, n);
	put_be32(rep + 12, 0x0ac80163);
	ip_fix_csum(rep);
	assert_true(match(&r, rep, n, 0xbeef));
	assert_int_equal(r.stamp, RP_STAMP_BAD);
	/* A wrong ICMP checksum is reported, the reply still recognised. */
	make_reply(rep, probe, n);
	rep[23] ^= 0xff;
	assert_true(match(&r, rep, n, 0xbeef));
	assert_true(r.checksum_bad);
	/* The same sequence number with the right stamp again: the matcher keeps no state (dups are the caller's). */
	make_reply(rep, probe, n);
	assert_true(match(&r, rep, n, 0xbeef));
	assert_true(match(&r, rep, n, 0xbeef));
	assert_int_equal(r.stamp, RP_STAMP_OK);
	/* An echo request, not a reply. */
	assert_false(match(&r, probe, n, 0xbeef));
}

/* An ICMP error from 'router' quoting 'quote_len' bytes of the probe. */
static size_t make_error(uint8_t *e, uint8_t type, uint8_t code, const uint8_t *probe, size_t quote_len)
{
	struct pb p;
	struct ipspec ip = ipspec_default(1);
	size_t o;

	pb_reset(&p);
	ip.src = ip4(10, 200, 9, 1);
	ip.dst = ip4(10, 200, 1, 1);
	pb_ipv4(&p, &ip, (unsigned)(20 + 8 + quote_len));
	o = pb_u8(&p, type);
	pb_u8(&p, code);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	pb_bytes(&p, probe, quote_len);
	icmp_fix_csum(&p, o, 8 + quote_len);
	memcpy(e, p.d, p.n);
	return p.n;
}

static void test_match_errors(void **state)
{
	uint8_t probe[100], err[200];
	struct rp_echo_spec s = spec(56);
	struct rp_reply r;
	size_t n = rp_echo_build(probe, sizeof probe, &s, true), en;
	(void)state;

	en = make_error(err, 11, 0, probe, n);
	assert_true(match(&r, err, en, 0xbeef));
	assert_int_equal(r.kind, RP_REPLY_ERROR);
	assert_int_equal(r.from, ip4(10, 200, 9, 1));
	assert_int_equal(r.target, s.dst);
	assert_int_equal(r.seq, 3);
	assert_int_equal(r.type, 11);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.stamp, RP_STAMP_OK);
	assert_true(r.sent_ns == SENT);
	/* RFC 792's minimum quote (header + 8 bytes): recognised, no stamp. */
	en = make_error(err, 3, 1, probe, 28);
	assert_true(match(&r, err, en, 0xbeef));
	assert_int_equal(r.kind, RP_REPLY_ERROR);
	assert_int_equal(r.code, 1);
	assert_int_equal(r.stamp, RP_STAMP_ABSENT);
	/* Quoting someone else's echo request. */
	en = make_error(err, 3, 1, probe, n);
	assert_false(match(&r, err, en, 0xbeee));
	/* A quote cut inside the ICMP header has no id: not recognised. */
	en = make_error(err, 3, 1, probe, 24);
	assert_false(match(&r, err, en, 0xbeef));
}

static void test_restamp(void **state)
{
	uint8_t probe[100], rep[100];
	struct rp_echo_spec s = spec(56);
	struct rp_reply r;
	size_t n = rp_echo_build(probe, sizeof probe, &s, true);
	(void)state;

	rp_echo_restamp(probe + 20, n - 20, s.dst, 77, SENT + 5, &KEY);
	assert_int_equal(ref_csum(probe + 20, n - 20), 0);
	make_reply(rep, probe, n);
	assert_true(match(&r, rep, n, 0xbeef));
	assert_int_equal(r.seq, 77);
	assert_int_equal(r.stamp, RP_STAMP_OK);
	assert_true(r.sent_ns == SENT + 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_build_fields),
		cmocka_unit_test(test_build_pattern_and_short),
		cmocka_unit_test(test_match_echo_reply),
		cmocka_unit_test(test_match_forged_and_corrupt),
		cmocka_unit_test(test_match_errors),
		cmocka_unit_test(test_restamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
