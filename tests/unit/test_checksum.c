/* The Internet checksum (src/core/checksum.c) against a plain RFC 1071 reference. */
#include "pkt_helpers.h"

#include "rawprobe/checksum.h"

static void check_one(const uint8_t *p, size_t len, const char *what, size_t align)
{
	uint16_t want = ref_csum(p, len);
	uint16_t got = rp_csum(p, len);
	uint16_t got2 = rp_csum_fold(rp_csum_add(0, p, len));
	if (got != want || got2 != want)
		fail_msg("%s len %zu align %zu: rp_csum %04x, fold(add) %04x, reference %04x", what, len,
			 align, got, got2, want);
}

static void test_random_every_length_and_alignment(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint8_t src[300 + 8];
	(void)state;

	for (size_t len = 0; len <= 300; len++) {
		for (size_t align = 0; align < 8; align++) {
			struct exact e;
			for (size_t i = 0; i < len; i++)
				src[i] = (uint8_t)rng_next(&seed);
			e = exact_copy_at(src, len, align);
			check_one(e.p, len, "random", align);
			exact_free(&e);
		}
	}
}

static void test_patterns_every_length(void **state)
{
	static const uint8_t fills[] = { 0x00, 0xff, 0x80, 0x01, 0xfe };
	uint8_t src[300];
	(void)state;

	for (size_t f = 0; f < sizeof fills; f++) {
		memset(src, fills[f], sizeof src);
		for (size_t len = 0; len <= 300; len++) {
			for (size_t align = 0; align < 8; align += 3) {
				struct exact e = exact_copy_at(src, len, align);
				check_one(e.p, len, "fill", align);
				exact_free(&e);
			}
		}
	}
}

/* Long buffers: a 16-bit accumulator would overflow many times over. */
static void test_long_buffers(void **state)
{
	static const size_t lens[] = { 65535, 65536, 65537, 1u << 20, (1u << 20) + 3 };
	uint64_t seed = 12345;
	(void)state;

	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		size_t len = lens[k];
		uint8_t *p = malloc(len);
		assert_non_null(p);
		memset(p, 0xff, len);
		check_one(p, len, "0xff long", 0);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rng_next(&seed);
		check_one(p, len, "random long", 0);
		free(p);
	}
}

/* Chained calls: every even split point, the second part at an odd address. */
static void test_chained_every_even_split(void **state)
{
	uint64_t seed = 77;
	uint8_t src[301];
	(void)state;

	for (size_t len = 0; len <= 301; len += (len < 40 ? 1 : 13)) {
		for (size_t i = 0; i < len; i++)
			src[i] = (uint8_t)rng_next(&seed);
		for (size_t split = 0; split <= len; split += 2) {
			struct exact a = exact_copy_at(src, split, 2);
			struct exact b = exact_copy_at(src + split, len - split, 1);
			uint64_t s = rp_csum_add(0, a.p, split);
			uint16_t got = rp_csum_fold(rp_csum_add(s, b.p, len - split));
			uint16_t want = ref_csum(src, len);
			if (got != want)
				fail_msg("len %zu split %zu: %04x, reference %04x", len, split, got, want);
			exact_free(&a);
			exact_free(&b);
		}
	}
}

/* Three calls: two even-length parts, then an odd tail. */
static void test_chained_three_parts(void **state)
{
	uint64_t seed = 99;
	uint8_t src[101];
	uint64_t s;
	(void)state;

	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)rng_next(&seed);
	s = rp_csum_add(0, src, 12);
	s = rp_csum_add(s, src + 12, 40);
	s = rp_csum_add(s, src + 52, 49);
	assert_int_equal(rp_csum_fold(s), ref_csum(src, sizeof src));

	/* many chained calls on 0xff words: the running sum must not lose carries */
	{
		static uint8_t ff[64];
		memset(ff, 0xff, sizeof ff);
		memset(ff + 60, 0x01, 4);
		s = 0;
		for (int i = 0; i < 100000; i++)
			s = rp_csum_add(s, ff, sizeof ff);
		{
			uint64_t r = 0;
			for (int i = 0; i < 100000; i++)
				r = ref_sum(r, ff, sizeof ff);
			assert_int_equal(rp_csum_fold(s), ref_fold(r));
		}
	}
}

static void test_known_vectors(void **state)
{
	/* RFC 1071 section 3: the folded sum of these bytes is ddf2. */
	static const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* An IPv4 header whose checksum field is b861. */
	static const uint8_t iphdr[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
					 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	/* An ICMP echo request (id 77, seq 1, 56 bytes 00..37) as scapy built it: checksum 009f. */
	uint8_t icmp[64] = { 0x08, 0x00, 0x00, 0x9f, 0x00, 0x4d, 0x00, 0x01 };
	struct exact e;
	uint8_t zeroed[sizeof iphdr];
	(void)state;

	for (int i = 0; i < 56; i++)
		icmp[8 + i] = (uint8_t)i;

	e = exact_copy(rfc1071, sizeof rfc1071);
	assert_int_equal(rp_csum(e.p, sizeof rfc1071), 0x220d);
	assert_int_equal(rp_csum_fold(rp_csum_add(0, e.p, sizeof rfc1071)), 0x220d);
	exact_free(&e);

	/* a header with its checksum in place sums to ffff: the checksum over it is 0 */
	e = exact_copy(iphdr, sizeof iphdr);
	assert_int_equal(rp_csum(e.p, sizeof iphdr), 0x0000);
	exact_free(&e);
	memcpy(zeroed, iphdr, sizeof iphdr);
	zeroed[10] = zeroed[11] = 0;
	e = exact_copy(zeroed, sizeof zeroed);
	assert_int_equal(rp_csum(e.p, sizeof zeroed), 0xb861);
	exact_free(&e);

	e = exact_copy(icmp, sizeof icmp);
	assert_int_equal(rp_csum(e.p, sizeof icmp), 0);
	e.p[2] = e.p[3] = 0;
	assert_int_equal(rp_csum(e.p, sizeof icmp), 0x009f);
	exact_free(&e);
}

static void test_small_edges(void **state)
{
	static const uint8_t one[] = { 0xab };
	static const uint8_t ffff[] = { 0xff, 0xff };
	static const uint8_t carry[] = { 0xff, 0xff, 0x00, 0x01 };
	static const uint8_t odd3[] = { 0x12, 0x34, 0x56 };
	struct exact e;
	(void)state;

	assert_int_equal(rp_csum_fold(0), 0xffff);
	e = exact_copy(one, 0);
	assert_int_equal(rp_csum(e.p, 0), 0xffff);
	exact_free(&e);

	e = exact_copy(one, 1); /* odd byte is the high half of a word: ab00 */
	assert_int_equal(rp_csum(e.p, 1), 0x54ff);
	exact_free(&e);
	e = exact_copy(ffff, 2);
	assert_int_equal(rp_csum(e.p, 2), 0x0000);
	exact_free(&e);
	e = exact_copy(carry, 4); /* ffff + 0001 = 1 0000 -> 0001 -> fffe */
	assert_int_equal(rp_csum(e.p, 4), 0xfffe);
	exact_free(&e);
	e = exact_copy(odd3, 3); /* 1234 + 5600 = 6834 -> 97cb */
	assert_int_equal(rp_csum(e.p, 3), 0x97cb);
	exact_free(&e);
}

/* Property: a buffer with its own checksum inserted at an even offset sums to 0. */
static void test_inserted_checksum_verifies(void **state)
{
	uint64_t seed = 4242;
	uint8_t src[200];
	(void)state;

	for (size_t len = 2; len <= sizeof src; len += 2) {
		size_t at = (size_t)(rng_next(&seed) % (len / 2)) * 2;
		struct exact e;
		for (size_t i = 0; i < len; i++)
			src[i] = (uint8_t)rng_next(&seed);
		src[at] = src[at + 1] = 0;
		put_be16(src + at, ref_csum(src, len));
		e = exact_copy(src, len);
		assert_int_equal(rp_csum(e.p, len), 0);
		e.p[at] ^= 0x10; /* one flipped bit is caught */
		assert_int_not_equal(rp_csum(e.p, len), 0);
		exact_free(&e);
	}
}

static void test_pseudo_header(void **state)
{
	uint64_t seed = 5;
	uint8_t body[301];
	(void)state;

	/* alone: equals the reference over the 12 pseudo-header bytes */
	for (int i = 0; i < 2000; i++) {
		uint32_t src = (uint32_t)rng_next(&seed), dst = (uint32_t)rng_next(&seed);
		uint8_t proto = (uint8_t)rng_next(&seed);
		unsigned len = (unsigned)(rng_next(&seed) % 65536);
		uint16_t got = rp_csum_fold(rp_csum_pseudo4(src, dst, proto, len));
		uint16_t want = ref_fold(ref_pseudo(src, dst, proto, len));
		if (got != want)
			fail_msg("pseudo %08x %08x %u %u: %04x, reference %04x", src, dst, proto, len, got,
				 want);
	}

	/* chained with a body of every length, odd ones included (the body is the last call) */
	for (size_t len = 0; len <= 300; len++) {
		uint32_t src = ip4(10, 0, 0, 1), dst = ip4(192, 168, 200, 254);
		struct exact e;
		uint16_t got, want;
		for (size_t i = 0; i < len; i++)
			body[i] = (uint8_t)rng_next(&seed);
		e = exact_copy_at(body, len, len % 4);
		got = rp_csum_fold(rp_csum_add(rp_csum_pseudo4(src, dst, 17, (uint32_t)len), e.p, len));
		want = ref_fold(ref_sum(ref_pseudo(src, dst, 17, (unsigned)len), body, len));
		if (got != want)
			fail_msg("pseudo + body len %zu: %04x, reference %04x", len, got, want);
		exact_free(&e);
	}
}

/* UDP and TCP segments whose checksums scapy computed (an independent judge). */
static void test_pseudo_known_vectors(void **state)
{
	/* 10.0.0.1.5353 > 10.0.0.2.53 UDP "rawprobe!": checksum f704 (odd length 17) */
	static const uint8_t udp[] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x11, 0xf7, 0x04, 'r',
				       'a',  'w',  'p',  'r',  'o',  'b',  'e',  '!' };
	/* 10.0.0.1.40000 > 10.0.0.2.80 SYN seq 1 win 65535 [mss 1460,nop,wscale 7]: d384 */
	static const uint8_t tcp[] = { 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
				       0x00, 0x00, 0x70, 0x02, 0xff, 0xff, 0xd3, 0x84, 0x00, 0x00,
				       0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07 };
	uint32_t src = ip4(10, 0, 0, 1), dst = ip4(10, 0, 0, 2);
	struct exact e;
	uint64_t s;
	(void)state;

	e = exact_copy(udp, sizeof udp);
	s = rp_csum_add(rp_csum_pseudo4(src, dst, 17, sizeof udp), e.p, sizeof udp);
	assert_int_equal(rp_csum_fold(s), 0);
	e.p[6] = e.p[7] = 0;
	s = rp_csum_add(rp_csum_pseudo4(src, dst, 17, sizeof udp), e.p, sizeof udp);
	assert_int_equal(rp_csum_fold(s), 0xf704);
	exact_free(&e);

	e = exact_copy(tcp, sizeof tcp);
	s = rp_csum_add(rp_csum_pseudo4(src, dst, 6, sizeof tcp), e.p, sizeof tcp);
	assert_int_equal(rp_csum_fold(s), 0);
	e.p[16] = e.p[17] = 0;
	s = rp_csum_add(rp_csum_pseudo4(src, dst, 6, sizeof tcp), e.p, sizeof tcp);
	assert_int_equal(rp_csum_fold(s), 0xd384);
	exact_free(&e);

	/* the protocol and the length are part of the sum */
	s = rp_csum_add(rp_csum_pseudo4(src, dst, 6, sizeof udp), udp, sizeof udp);
	assert_int_not_equal(rp_csum_fold(s), 0);
	s = rp_csum_add(rp_csum_pseudo4(src, dst, 17, sizeof udp + 2), udp, sizeof udp);
	assert_int_not_equal(rp_csum_fold(s), 0);
	s = rp_csum_add(rp_csum_pseudo4(dst, src, 17, sizeof udp), udp, sizeof udp);
	assert_int_equal(rp_csum_fold(s), 0); /* swapping the addresses does not change a sum */
}

/* rp_csum_check: verdict over bytes that include the field, and the value the field should hold. */
static void test_check_and_want(void **state)
{
	uint64_t seed = 31337;
	uint8_t src[128];
	(void)state;

	for (size_t len = 4; len <= sizeof src; len++) {
		size_t at = (size_t)(rng_next(&seed) % (len / 2 - 1)) * 2;
		uint16_t good, want = 0x5a5a, field;
		struct exact e;
		for (size_t i = 0; i < len; i++)
			src[i] = (uint8_t)rng_next(&seed);
		src[at] = src[at + 1] = 0;
		good = ref_csum(src, len);
		put_be16(src + at, good);
		e = exact_copy(src, len);
		if (!rp_csum_check(rp_csum_add(0, e.p, len), good, &want) || want != good)
			fail_msg("len %zu: good checksum %04x: verdict false or want %04x", len, good, want);

		/* a wrong field: false, and want is still the right value */
		field = (uint16_t)(good ^ (1u << (len % 16)));
		put_be16(e.p + at, field);
		want = 0x5a5a;
		if (rp_csum_check(rp_csum_add(0, e.p, len), field, &want))
			fail_msg("len %zu: wrong field %04x accepted", len, field);
		if (want != good)
			fail_msg("len %zu: field %04x, want %04x, should be %04x", len, field, want, good);

		/* a changed data byte: false, want follows the data */
		put_be16(e.p + at, good);
		e.p[len - 1] ^= 0x40;
		if (rp_csum_check(rp_csum_add(0, e.p, len), good, &want))
			fail_msg("len %zu: corrupted data accepted", len);
		e.p[at] = e.p[at + 1] = 0;
		assert_int_equal(want, ref_csum(e.p, len));
		exact_free(&e);
	}

	/* with a pseudo-header in the sum (the scapy UDP vector) */
	{
		static const uint8_t udp[] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x11, 0xf7, 0x04, 'r',
					       'a',  'w',  'p',  'r',  'o',  'b',  'e',  '!' };
		uint32_t s = ip4(10, 0, 0, 1), d = ip4(10, 0, 0, 2);
		uint16_t want = 0;
		assert_true(rp_csum_check(rp_csum_add(rp_csum_pseudo4(s, d, 17, 17), udp, 17), 0xf704, &want));
		assert_int_equal(want, 0xf704);
		d = ip4(10, 0, 0, 3);
		assert_false(rp_csum_check(rp_csum_add(rp_csum_pseudo4(s, d, 17, 17), udp, 17), 0xf704, &want));
		assert_int_not_equal(want, 0xf704);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_every_length_and_alignment),
		cmocka_unit_test(test_patterns_every_length),
		cmocka_unit_test(test_long_buffers),
		cmocka_unit_test(test_chained_every_even_split),
		cmocka_unit_test(test_chained_three_parts),
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_small_edges),
		cmocka_unit_test(test_inserted_checksum_verifies),
		cmocka_unit_test(test_pseudo_header),
		cmocka_unit_test(test_pseudo_known_vectors),
		cmocka_unit_test(test_check_and_want),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
