/* IPv4 header and options: rp_ipv4_decode (src/core/ipv4.c). */
#include "pkt_helpers.h"

#include "rawprobe/decode.h"
#include "rawprobe/packet.h"

#define ALL_FIELDS                                                                                \
	(RP_IP_VHL | RP_IP_TOS | RP_IP_LEN | RP_IP_ID | RP_IP_FRAG | RP_IP_TTL | RP_IP_PROTO |     \
	 RP_IP_CSUM | RP_IP_SRC | RP_IP_DST)

struct ipres {
	struct exact mem;
	struct rp_ipv4 ip;
	struct rp_buf payload;
	char why[RP_MALFORMED_MAX];
	enum rp_status st;
};

/* Decodes cap bytes of d (copied to an exact-size buffer) as a datagram that had 'wire' bytes. */
static void dec(struct ipres *r, const uint8_t *d, size_t cap, size_t wire, unsigned flags)
{
	struct rp_buf b;
	memset(r, 0, sizeof *r);
	r->mem = exact_copy(d, cap);
	b = rp_buf_make(r->mem.p, cap, wire);
	r->st = rp_ipv4_decode(&r->ip, &b, flags, &r->payload, r->why);
}

static void done(struct ipres *r)
{
	exact_free(&r->mem);
}

static void expect_malformed(struct ipres *r)
{
	if (r->st != RP_DEC_MALFORMED)
		fail_msg("status %d, want RP_DEC_MALFORMED (why \"%s\")", r->st, r->why);
	if (!starts_with(r->why, "ip: ") || strlen(r->why) <= 4)
		fail_msg("why is \"%s\", want \"ip: ...\"", r->why);
}

static void test_normal_header(void **state)
{
	struct pb p;
	struct ipres r;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&p);
	s.tos = 0xb8;
	s.ttl = 63;
	s.id = 0xbeef;
	s.frag = 0x4000;
	s.src = ip4(192, 168, 1, 10);
	s.dst = ip4(172, 16, 254, 3);
	pb_ipv4(&p, &s, 48);
	pb_pattern(&p, 28);

	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.ip.have & ALL_FIELDS, ALL_FIELDS);
	assert_int_equal(r.ip.version, 4);
	assert_int_equal(r.ip.ihl, 5);
	assert_int_equal(r.ip.tos, 0xb8);
	assert_int_equal(r.ip.len, 48);
	assert_int_equal(r.ip.id, 0xbeef);
	assert_int_equal(r.ip.frag, 0x4000);
	assert_int_equal(r.ip.ttl, 63);
	assert_int_equal(r.ip.proto, 17);
	assert_int_equal(r.ip.checksum, get_be16(p.d + 10));
	assert_int_equal(r.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.ip.checksum_want, get_be16(p.d + 10));
	assert_memory_equal(&r.ip.src, p.d + 12, 4);
	assert_memory_equal(&r.ip.dst, p.d + 16, 4);
	assert_int_equal(r.ip.src, ip4(192, 168, 1, 10));
	assert_int_equal(r.ip.dst, ip4(172, 16, 254, 3));
	assert_int_equal(r.ip.nopts, 0);
	assert_ptr_equal(r.ip.hdr.data, r.mem.p);
	assert_int_equal(r.ip.hdr.cap, 20);
	assert_false(rp_ip_is_fragment(&r.ip));

	assert_ptr_equal(r.payload.data, r.mem.p + 20);
	assert_int_equal(r.payload.cap, 28);
	assert_int_equal(r.payload.wire, 28);
	done(&r);
}

static void test_flags_and_offset(void **state)
{
	static const struct {
		uint16_t frag;
		bool df, mf;
		unsigned bytes;
	} cases[] = {
		{ 0x0000, false, false, 0 },    { 0x4000, true, false, 0 },
		{ 0x2000, false, true, 0 },     { 0x20b9, false, true, 1480 },
		{ 0x00b9, false, false, 1480 }, { 0x1ffe, false, false, 65520 },
		{ 0x6001, true, true, 8 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pb p;
		struct ipres r;
		struct ipspec s = ipspec_default(1);
		pb_reset(&p);
		s.frag = cases[i].frag;
		pb_ipv4(&p, &s, 28);
		pb_pattern(&p, 8);
		dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_true(r.ip.have & RP_IP_FRAG);
		assert_int_equal(r.ip.frag, cases[i].frag);
		assert_int_equal((r.ip.frag & RP_IP_DF) != 0, cases[i].df);
		assert_int_equal((r.ip.frag & RP_IP_MF) != 0, cases[i].mf);
		assert_int_equal(rp_ip_frag_bytes(&r.ip), cases[i].bytes);
		assert_int_equal(rp_ip_is_fragment(&r.ip), cases[i].mf || cases[i].bytes != 0);
		assert_int_equal(rp_ip_first_fragment(&r.ip), cases[i].bytes == 0);
		assert_int_equal(r.ip.checksum_ok, RP_CHECK_OK);
		done(&r);
	}
}

/* The last offset (65528) plus 8 bytes ends past 65535: no datagram can hold it. */
static void test_fragment_past_max_datagram(void **state)
{
	struct pb p;
	struct ipres r;
	struct ipspec s = ipspec_default(1);
	(void)state;

	pb_reset(&p);
	s.frag = 0x1fff;
	pb_ipv4(&p, &s, 28);
	pb_pattern(&p, 8);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	expect_malformed(&r);
	done(&r);

	/* 65528 + 7 = 65535: the largest legal end */
	pb_reset(&p);
	pb_ipv4(&p, &s, 27);
	pb_pattern(&p, 7);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(rp_ip_frag_bytes(&r.ip), 65528);
	done(&r);
}

static void test_checksum_bad(void **state)
{
	struct pb p;
	struct ipres r;
	struct ipspec s = ipspec_default(1);
	unsigned good;
	(void)state;

	pb_reset(&p);
	pb_ipv4(&p, &s, 28);
	pb_pattern(&p, 8);
	good = get_be16(p.d + 10);
	put_be16(p.d + 10, good ^ 0x0101);

	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	/* a bad checksum is not malformed: checksum_ok reports it */
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.ip.checksum, good ^ 0x0101);
	assert_int_equal(r.ip.checksum_ok, RP_CHECK_BAD);
	/* checksum_want is the value the field should have held (tcpdump's "->b861") */
	assert_int_equal(r.ip.checksum_want, good);
	assert_int_equal(r.payload.cap, 8);
	done(&r);

	/* a bad checksum in any other header byte is caught too */
	pb_reset(&p);
	pb_ipv4(&p, &s, 28);
	pb_pattern(&p, 8);
	p.d[8] = 1; /* ttl changed after the checksum was computed */
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.ip.checksum_ok, RP_CHECK_BAD);
	done(&r);
}

static void test_checksum_without_flag_never_wrong(void **state)
{
	struct pb p;
	struct ipres r;
	struct ipspec s = ipspec_default(1);
	(void)state;

	/* Without RP_DECODE_CHECKSUMS the verdict may be NONE, but never a wrong one. */
	pb_reset(&p);
	pb_ipv4(&p, &s, 20);
	dec(&r, p.d, p.n, p.n, 0);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_not_equal(r.ip.checksum_ok, RP_CHECK_BAD);
	done(&r);
	p.d[10] ^= 0xff;
	dec(&r, p.d, p.n, p.n, 0);
	assert_int_not_equal(r.ip.checksum_ok, RP_CHECK_OK);
	done(&r);
}

/* The capture cut at every byte of the header: exactly the captured fields have their bits. */
static void check_cut_at_every_byte(const uint8_t *d, size_t hl, size_t total)
{
	static const struct {
		uint32_t bit;
		size_t end; /* bytes needed */
	} fields[] = {
		{ RP_IP_VHL, 1 },   { RP_IP_TOS, 2 },  { RP_IP_LEN, 4 },   { RP_IP_ID, 6 },
		{ RP_IP_FRAG, 8 },  { RP_IP_TTL, 9 },  { RP_IP_PROTO, 10 }, { RP_IP_CSUM, 12 },
		{ RP_IP_SRC, 16 },  { RP_IP_DST, 20 },
	};

	for (size_t k = 0; k < hl; k++) {
		struct ipres r;
		dec(&r, d, k, total, RP_DECODE_CHECKSUMS);
		if (r.st != RP_DEC_CUT)
			fail_msg("cut at %zu of %zu: status %d, want RP_DEC_CUT (why \"%s\")", k, hl, r.st,
				 r.why);
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			bool want = k >= fields[f].end;
			bool got = (r.ip.have & fields[f].bit) != 0;
			if (want != got)
				fail_msg("cut at %zu of %zu: have bit %#x is %d, want %d", k, hl,
					 (unsigned)fields[f].bit, got, want);
		}
		if (r.ip.have & RP_IP_OPTS)
			fail_msg("cut at %zu of %zu: RP_IP_OPTS set with the option area cut", k, hl);
		assert_int_equal(r.ip.checksum_ok, RP_CHECK_NONE);
		if (k >= 1) {
			assert_int_equal(r.ip.version, 4);
			assert_int_equal(r.ip.ihl, hl / 4);
		}
		if (k >= 4)
			assert_int_equal(r.ip.len, total);
		if (k >= 6)
			assert_int_equal(r.ip.id, 0x1234);
		if (k >= 9)
			assert_int_equal(r.ip.ttl, 64);
		if (k >= 10)
			assert_int_equal(r.ip.proto, 1);
		if (k >= 12)
			assert_int_equal(r.ip.checksum, get_be16(d + 10));
		if (k >= 16)
			assert_memory_equal(&r.ip.src, d + 12, 4);
		if (k >= 20)
			assert_memory_equal(&r.ip.dst, d + 16, 4);
		done(&r);
	}
}

static void test_cut_at_every_byte(void **state)
{
	static const uint8_t opts[] = { RP_IPOPT_NOP, RP_IPOPT_NOP, RP_IPOPT_NOP, RP_IPOPT_EOL };
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	pb_ipv4(&p, &s, 64);
	pb_pattern(&p, 44);
	check_cut_at_every_byte(p.d, 20, 64);

	/* header complete, payload cut: OK, header checksum checkable, payload view cut */
	dec(&r, p.d, 20, 64, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.ip.have & ALL_FIELDS, ALL_FIELDS);
	assert_int_equal(r.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.payload.cap, 0);
	assert_int_equal(r.payload.wire, 44);
	done(&r);
	dec(&r, p.d, 30, 64, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_ptr_equal(r.payload.data, r.mem.p + 20);
	assert_int_equal(r.payload.cap, 10);
	assert_int_equal(r.payload.wire, 44);
	done(&r);

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 40);
	pb_pattern(&p, 16);
	check_cut_at_every_byte(p.d, 24, 40);

	dec(&r, p.d, 24, 40, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_true(r.ip.have & RP_IP_OPTS);
	assert_int_equal(r.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.payload.wire, 16);
	done(&r);
}

struct optwant {
	uint8_t type, len, off;
};

static void check_opts(const struct rp_ipv4 *ip, const struct optwant *w, size_t n)
{
	if (ip->nopts != n)
		fail_msg("nopts %u, want %zu", ip->nopts, n);
	for (size_t i = 0; i < n; i++) {
		if (ip->opts[i].type != w[i].type || ip->opts[i].len != w[i].len ||
		    ip->opts[i].off != w[i].off)
			fail_msg("option %zu: type %u len %u off %u, want %u %u %u", i, ip->opts[i].type,
				 ip->opts[i].len, ip->opts[i].off, w[i].type, w[i].len, w[i].off);
	}
}

static void test_options_rr_ra_unknown(void **state)
{
	/* NOP, RR (2 slots, both filled), RA, an unknown type 0x5e, EOL: 20 bytes */
	static const uint8_t opts[] = {
		RP_IPOPT_NOP,
		RP_IPOPT_RR, 11, 12, 10, 0, 0, 1, 10, 0, 0, 2,
		RP_IPOPT_RA, 4, 0, 0,
		0x5e, 3, 0xaa,
		RP_IPOPT_EOL,
	};
	static const struct optwant want[] = {
		{ RP_IPOPT_NOP, 1, 20 }, { RP_IPOPT_RR, 11, 21 }, { RP_IPOPT_RA, 4, 32 },
		{ 0x5e, 3, 36 },         { RP_IPOPT_EOL, 1, 39 },
	};
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 48);
	pb_icmp_idseq(&p, 8, 1, 1, 0);

	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.ip.ihl, 10);
	assert_true(r.ip.have & RP_IP_OPTS);
	assert_int_equal(r.ip.checksum_ok, RP_CHECK_OK);
	check_opts(&r.ip, want, 5);
	assert_int_equal(r.ip.hdr.cap, 40);

	assert_int_equal(rp_ipopt_pointer(&r.ip, &r.ip.opts[1]), 12);
	assert_int_equal(rp_ipopt_route_count(&r.ip, &r.ip.opts[1]), 2);
	/* addresses in network byte order, like src and dst */
	assert_int_equal(rp_ipopt_route_addr(&r.ip, &r.ip.opts[1], 0), ip4(10, 0, 0, 1));
	assert_int_equal(rp_ipopt_route_addr(&r.ip, &r.ip.opts[1], 1), ip4(10, 0, 0, 2));

	assert_ptr_equal(r.payload.data, r.mem.p + 40);
	assert_int_equal(r.payload.cap, 8);
	assert_int_equal(r.payload.wire, 8);
	done(&r);
}

static void test_options_lsrr_ssrr(void **state)
{
	/* NOP, LSRR with 2 hops (pointer 4: none used yet), SSRR with 1 hop (pointer 8: used), EOL */
	static const uint8_t opts[] = {
		RP_IPOPT_NOP,
		RP_IPOPT_LSRR, 11, 4, 192, 0, 2, 1, 198, 51, 100, 7,
		RP_IPOPT_SSRR, 7, 8, 203, 0, 113, 9,
		RP_IPOPT_EOL,
	};
	static const struct optwant want[] = {
		{ RP_IPOPT_NOP, 1, 20 },
		{ RP_IPOPT_LSRR, 11, 21 },
		{ RP_IPOPT_SSRR, 7, 32 },
		{ RP_IPOPT_EOL, 1, 39 },
	};
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	s.dst = ip4(10, 9, 9, 9);
	pb_ipv4(&p, &s, 40);

	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	check_opts(&r.ip, want, 4);
	/* dst is the header's field, not the last hop of the route */
	assert_int_equal(r.ip.dst, ip4(10, 9, 9, 9));
	assert_int_equal(rp_ipopt_pointer(&r.ip, &r.ip.opts[1]), 4);
	assert_int_equal(rp_ipopt_route_count(&r.ip, &r.ip.opts[1]), 2);
	assert_int_equal(rp_ipopt_route_addr(&r.ip, &r.ip.opts[1], 0), ip4(192, 0, 2, 1));
	assert_int_equal(rp_ipopt_route_addr(&r.ip, &r.ip.opts[1], 1), ip4(198, 51, 100, 7));
	assert_int_equal(rp_ipopt_pointer(&r.ip, &r.ip.opts[2]), 8);
	assert_int_equal(rp_ipopt_route_count(&r.ip, &r.ip.opts[2]), 1);
	assert_int_equal(rp_ipopt_route_addr(&r.ip, &r.ip.opts[2], 0), ip4(203, 0, 113, 9));
	assert_int_equal(r.payload.wire, 0);
	done(&r);
}

static void test_option_timestamp(void **state)
{
	/* TS, flag 0 (timestamps only), two stamps, pointer 13 (full) */
	static const uint8_t opts[] = {
		RP_IPOPT_TS, 12, 13, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	};
	static const struct optwant want[] = { { RP_IPOPT_TS, 12, 20 } };
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 32);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	check_opts(&r.ip, want, 1);
	assert_int_equal(rp_ipopt_pointer(&r.ip, &r.ip.opts[0]), 13);
	done(&r);
}

static void test_options_eol_ends_list(void **state)
{
	/* RFC 791: EOL ends the option list; what follows is padding, not options */
	static const uint8_t opts[] = { RP_IPOPT_NOP, RP_IPOPT_EOL, 0, 0, 0, 0, 0, 0 };
	static const struct optwant want[] = { { RP_IPOPT_NOP, 1, 20 }, { RP_IPOPT_EOL, 1, 21 } };
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 28);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	check_opts(&r.ip, want, 2);
	done(&r);
}

static void test_forty_nops(void **state)
{
	uint8_t opts[40];
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	memset(opts, RP_IPOPT_NOP, sizeof opts);
	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 60);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.ip.ihl, 15);
	assert_int_equal(r.ip.nopts, RP_IPOPT_MAX);
	for (unsigned i = 0; i < RP_IPOPT_MAX; i++) {
		assert_int_equal(r.ip.opts[i].type, RP_IPOPT_NOP);
		assert_int_equal(r.ip.opts[i].len, 1);
		assert_int_equal(r.ip.opts[i].off, 20 + i);
	}
	done(&r);
}

static void check_bad_options(const uint8_t *opts, size_t optlen, const char *what)
{
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = optlen;
	pb_ipv4(&p, &s, (unsigned)(20 + optlen + 8));
	pb_pattern(&p, 8);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	if (r.st != RP_DEC_MALFORMED)
		fail_msg("%s: status %d, want RP_DEC_MALFORMED", what, r.st);
	expect_malformed(&r);
	done(&r);
}

static void test_options_malformed(void **state)
{
	static const uint8_t len0[] = { RP_IPOPT_RR, 0, 4, 0 };
	static const uint8_t len1[] = { RP_IPOPT_NOP, RP_IPOPT_RA, 1, 0 };
	static const uint8_t past[] = { RP_IPOPT_RR, 9, 4, 0, 0, 0, 0, 0 }; /* 9 > 8 bytes left */
	static const uint8_t nolen[] = { RP_IPOPT_NOP, RP_IPOPT_NOP, RP_IPOPT_NOP, RP_IPOPT_TS };
	static const uint8_t unk_past[] = { 0x5e, 200, 0, 0 };
	(void)state;

	check_bad_options(len0, sizeof len0, "option length 0");
	check_bad_options(len1, sizeof len1, "option length 1");
	check_bad_options(past, sizeof past, "option past the header");
	check_bad_options(nolen, sizeof nolen, "length byte past the header");
	check_bad_options(unk_past, sizeof unk_past, "unknown option past the header");
}

static void test_option_fits_exactly(void **state)
{
	static const uint8_t opts[] = { RP_IPOPT_NOP, RP_IPOPT_RR, 7, 4, 0, 0, 0, 0 };
	static const struct optwant want[] = { { RP_IPOPT_NOP, 1, 20 }, { RP_IPOPT_RR, 7, 21 } };
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 28);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	check_opts(&r.ip, want, 2);
	assert_int_equal(rp_ipopt_route_count(&r.ip, &r.ip.opts[1]), 1);
	assert_int_equal(rp_ipopt_pointer(&r.ip, &r.ip.opts[1]), 4);
	done(&r);
}

static void test_header_length_below_20(void **state)
{
	(void)state;
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		struct pb p;
		struct ipspec s = ipspec_default(1);
		struct ipres r;
		pb_reset(&p);
		pb_ipv4(&p, &s, 28);
		pb_pattern(&p, 8);
		p.d[0] = (uint8_t)(0x40 | ihl);
		dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
		expect_malformed(&r);
		assert_true(r.ip.have & RP_IP_VHL);
		assert_int_equal(r.ip.ihl, ihl);
		if (ihl == 3)
			assert_string_equal(r.why, "ip: header length 12 < 20");
		done(&r);
	}
}

static void test_version_not_4(void **state)
{
	static const unsigned versions[] = { 0, 5, 6, 15 };
	(void)state;
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		struct pb p;
		struct ipspec s = ipspec_default(1);
		struct ipres r;
		pb_reset(&p);
		pb_ipv4(&p, &s, 28);
		pb_pattern(&p, 8);
		p.d[0] = (uint8_t)(versions[i] << 4 | 5);
		dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
		expect_malformed(&r);
		assert_int_equal(r.ip.version, versions[i]);
		done(&r);
	}
}

static void test_total_length_below_header(void **state)
{
	static const uint8_t opts[] = { 1, 1, 1, 0 };
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	pb_reset(&p);
	pb_ipv4(&p, &s, 19);
	pb_pattern(&p, 8);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	expect_malformed(&r);
	assert_int_equal(r.ip.len, 19);
	done(&r);

	/* 20 < 24-byte header with options */
	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 20);
	pb_pattern(&p, 8);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	expect_malformed(&r);
	done(&r);

	/* total length == header length: valid, empty payload */
	pb_reset(&p);
	pb_ipv4(&p, &s, 24);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.payload.cap, 0);
	assert_int_equal(r.payload.wire, 0);
	done(&r);
}

static void test_total_length_beyond_wire(void **state)
{
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	/* the header claims 100 bytes, the packet on the wire had 36 */
	pb_reset(&p);
	pb_ipv4(&p, &s, 100);
	pb_pattern(&p, 16);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	expect_malformed(&r);
	assert_int_equal(r.ip.len, 100);
	done(&r);

	/* same with a short capture: still wrong, the wire length says so */
	dec(&r, p.d, 24, 36, RP_DECODE_CHECKSUMS);
	expect_malformed(&r);
	done(&r);

	/* one byte short of its total length */
	pb_reset(&p);
	pb_ipv4(&p, &s, 37);
	pb_pattern(&p, 16);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	expect_malformed(&r);
	done(&r);
}

static void test_padding_excluded_from_payload(void **state)
{
	struct pb p;
	struct ipspec s = ipspec_default(1);
	struct ipres r;
	(void)state;

	/* a 28-byte datagram in a 46-byte minimum Ethernet payload: 18 bytes of padding */
	pb_reset(&p);
	pb_ipv4(&p, &s, 28);
	pb_icmp_idseq(&p, 8, 7, 9, 0);
	pb_fill(&p, 0, 18);
	dec(&r, p.d, p.n, p.n, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.payload.cap, 8);
	assert_int_equal(r.payload.wire, 8);
	assert_ptr_equal(r.payload.data, r.mem.p + 20);
	done(&r);

	/* captured 24 of the 46: payload is 4 captured of 8 */
	dec(&r, p.d, 24, 46, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.payload.cap, 4);
	assert_int_equal(r.payload.wire, 8);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_header),
		cmocka_unit_test(test_flags_and_offset),
		cmocka_unit_test(test_fragment_past_max_datagram),
		cmocka_unit_test(test_checksum_bad),
		cmocka_unit_test(test_checksum_without_flag_never_wrong),
		cmocka_unit_test(test_cut_at_every_byte),
		cmocka_unit_test(test_options_rr_ra_unknown),
		cmocka_unit_test(test_options_lsrr_ssrr),
		cmocka_unit_test(test_option_timestamp),
		cmocka_unit_test(test_options_eol_ends_list),
		cmocka_unit_test(test_forty_nops),
		cmocka_unit_test(test_options_malformed),
		cmocka_unit_test(test_option_fits_exactly),
		cmocka_unit_test(test_header_length_below_20),
		cmocka_unit_test(test_version_not_4),
		cmocka_unit_test(test_total_length_below_header),
		cmocka_unit_test(test_total_length_beyond_wire),
		cmocka_unit_test(test_padding_excluded_from_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
