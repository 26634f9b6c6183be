/* ICMP messages and the datagrams ICMP errors quote: rp_icmp_decode, rp_inner_decode. */
#include "pkt_helpers.h"

#include "rawprobe/decode.h"
#include "rawprobe/packet.h"

/* bytes 0 to 7 all captured; ID and SEQ are bytes 4-5 and 6-7, whatever the type */
#define HDR_BITS (RP_ICMP_TYPE | RP_ICMP_CODE | RP_ICMP_CSUM | RP_ICMP_REST | RP_ICMP_ID | RP_ICMP_SEQ)
#define TS_BITS (RP_ICMP_OTIME | RP_ICMP_RTIME | RP_ICMP_TTIME)

struct icres {
	struct exact mem;
	struct rp_icmp c;
	struct rp_buf quote;
	char why[RP_MALFORMED_MAX];
	enum rp_status st;
};

static void dec(struct icres *r, const uint8_t *d, size_t cap, size_t wire, bool can_check,
		unsigned flags)
{
	struct rp_buf b;
	memset(r, 0, sizeof *r);
	r->mem = exact_copy(d, cap);
	b = rp_buf_make(r->mem.p, cap, wire);
	r->st = rp_icmp_decode(&r->c, &b, can_check, flags, &r->quote, r->why);
}

static void done(struct icres *r)
{
	exact_free(&r->mem);
}

static void expect_malformed(const char *why, enum rp_status st, const char *prefix)
{
	if (st != RP_DEC_MALFORMED)
		fail_msg("status %d, want RP_DEC_MALFORMED (why \"%s\")", st, why);
	if (!starts_with(why, prefix) || strlen(why) <= strlen(prefix))
		fail_msg("why is \"%s\", want \"%s...\"", why, prefix);
}

static void test_echo_request_and_reply(void **state)
{
	static const unsigned types[] = { RP_ICMP_ECHO, RP_ICMP_ECHOREPLY };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct pb p;
		struct icres r;
		pb_reset(&p);
		pb_icmp_idseq(&p, types[i], 0x1234, 0xfedc, 56);
		dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_int_equal(r.c.have, HDR_BITS);
		assert_int_equal(r.c.type, types[i]);
		assert_int_equal(r.c.code, 0);
		assert_int_equal(r.c.checksum, get_be16(p.d + 2));
		assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
		assert_int_equal(r.c.checksum_want, get_be16(p.d + 2));
		assert_int_equal(r.c.rest, 0x1234fedcu);
		assert_int_equal(rp_icmp_id(&r.c), 0x1234);
		assert_int_equal(rp_icmp_seq(&r.c), 0xfedc);
		assert_int_equal(r.c.length, 64);
		done(&r);
	}
}

static void test_echo_scapy_vector(void **state)
{
	uint8_t m[64] = { 0x08, 0x00, 0x00, 0x9f, 0x00, 0x4d, 0x00, 0x01 };
	struct icres r;
	(void)state;

	for (int i = 0; i < 56; i++)
		m[8 + i] = (uint8_t)i;
	dec(&r, m, sizeof m, sizeof m, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.c.checksum, 0x009f);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	assert_int_equal(rp_icmp_id(&r.c), 77);
	assert_int_equal(rp_icmp_seq(&r.c), 1);
	done(&r);
}

static void test_timestamp(void **state)
{
	static const unsigned types[] = { RP_ICMP_TSTAMP, RP_ICMP_TSTAMPREPLY };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct pb p;
		struct icres r;
		pb_reset(&p);
		pb_u8(&p, types[i]);
		pb_u8(&p, 0);
		pb_be16(&p, 0);
		pb_be16(&p, 0x0a0b);
		pb_be16(&p, 3);
		pb_be32(&p, 43200000);  /* 12:00 UTC in ms */
		pb_be32(&p, 43200017);
		pb_be32(&p, 0x80000001); /* high bit: non-standard time */
		icmp_fix_csum(&p, 0, p.n);
		dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_int_equal(r.c.have, HDR_BITS | TS_BITS);
		assert_int_equal(r.c.type, types[i]);
		assert_int_equal(rp_icmp_id(&r.c), 0x0a0b);
		assert_int_equal(rp_icmp_seq(&r.c), 3);
		assert_int_equal(r.c.otime, 43200000);
		assert_int_equal(r.c.rtime, 43200017);
		assert_int_equal(r.c.ttime, 0x80000001u);
		assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
		assert_int_equal(r.c.length, 20);
		done(&r);

		/* capture cut after otime and 2 bytes of rtime */
		dec(&r, p.d, 14, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_not_equal(r.st, RP_DEC_MALFORMED);
		assert_int_equal(r.c.have, HDR_BITS | RP_ICMP_OTIME);
		assert_int_equal(r.c.otime, 43200000);
		assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
		done(&r);
	}
}

static void test_address_mask(void **state)
{
	static const unsigned types[] = { RP_ICMP_MASKREQ, RP_ICMP_MASKREPLY };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct pb p;
		struct icres r;
		pb_reset(&p);
		pb_u8(&p, types[i]);
		pb_u8(&p, 0);
		pb_be16(&p, 0);
		pb_be16(&p, 99);
		pb_be16(&p, 100);
		pb_be32(&p, 0xfffff000); /* 255.255.240.0 */
		icmp_fix_csum(&p, 0, p.n);
		dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_int_equal(r.c.have, HDR_BITS | RP_ICMP_MASK);
		assert_int_equal(rp_icmp_id(&r.c), 99);
		assert_int_equal(rp_icmp_seq(&r.c), 100);
		assert_int_equal(r.c.mask, ip4(255, 255, 240, 0)); /* network byte order */
		assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
		done(&r);

		dec(&r, p.d, 11, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.c.have, HDR_BITS);
		done(&r);
	}
}

static void pb_radv(struct pb *p, unsigned announced, unsigned present)
{
	pb_u8(p, RP_ICMP_ROUTERADVERT);
	pb_u8(p, 0);
	pb_be16(p, 0);
	pb_u8(p, announced);
	pb_u8(p, 2);
	pb_be16(p, 1800);
	for (unsigned i = 0; i < present; i++) {
		pb_be32(p, 0x0a000001u + i);
		pb_be32(p, i == 1 ? 0x80000000u : i * 256u); /* entry 1: the "never use" preference */
	}
	icmp_fix_csum(p, 0, p->n);
}

static void test_router_advert(void **state)
{
	struct pb p;
	struct icres r;
	(void)state;

	pb_reset(&p);
	pb_radv(&p, 3, 3);
	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_true((r.c.have & HDR_BITS) == HDR_BITS);
	assert_int_equal(r.c.rest, 0x03020708u);
	assert_int_equal(r.c.radv_count, 3);
	assert_int_equal(r.c.radv_kept, 3);
	assert_int_equal(r.c.radv[0].addr, ip4(10, 0, 0, 1));
	assert_int_equal(r.c.radv[0].pref, 0);
	assert_int_equal(r.c.radv[1].addr, ip4(10, 0, 0, 2));
	assert_int_equal(r.c.radv[1].pref, INT32_MIN);
	assert_int_equal(r.c.radv[2].addr, ip4(10, 0, 0, 3));
	assert_int_equal(r.c.radv[2].pref, 512);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.c.length, 32);
	done(&r);

	/* capture ends in the middle of the second entry */
	dec(&r, p.d, 20, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.c.radv_count, 3);
	assert_int_equal(r.c.radv_kept, 1);
	assert_int_equal(r.c.radv[0].addr, ip4(10, 0, 0, 1));
	assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
	done(&r);
}

static void test_router_advert_many_entries(void **state)
{
	struct pb p;
	struct icres r;
	(void)state;

	pb_reset(&p);
	pb_radv(&p, 20, 20);
	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.c.radv_count, 20);
	assert_int_equal(r.c.radv_kept, RP_RADV_MAX);
	for (unsigned i = 0; i < RP_RADV_MAX; i++) {
		uint8_t a[4];
		put_be32(a, 0x0a000001u + i);
		assert_memory_equal(&r.c.radv[i].addr, a, 4);
	}
	assert_int_equal(r.c.radv[15].pref, 15 * 256);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	done(&r);
}

static void test_redirect_gateway(void **state)
{
	struct pb p;
	struct icres r;
	struct ipspec s = ipspec_default(1);
	(void)state;

	pb_reset(&p);
	pb_u8(&p, RP_ICMP_REDIRECT);
	pb_u8(&p, 1);
	pb_be16(&p, 0);
	pb_be32(&p, 0x0a0000fe); /* gateway 10.0.0.254 */
	pb_ipv4(&p, &s, 28);
	pb_icmp_idseq(&p, 8, 5, 6, 0);
	icmp_fix_csum(&p, 0, p.n);

	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.c.type, RP_ICMP_REDIRECT);
	assert_int_equal(r.c.code, 1);
	assert_int_equal(r.c.rest, 0x0a0000fe);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	assert_ptr_equal(r.quote.data, r.mem.p + 8);
	assert_int_equal(r.quote.cap, 28);
	assert_int_equal(r.quote.wire, 28);
	done(&r);
}

static void test_param_problem_pointer(void **state)
{
	struct pb p;
	struct icres r;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&p);
	pb_u8(&p, RP_ICMP_PARAMPROB);
	pb_u8(&p, 0);
	pb_be16(&p, 0);
	pb_u8(&p, 9); /* pointer to the protocol byte */
	pb_fill(&p, 0, 3);
	pb_ipv4(&p, &s, 28);
	pb_udp(&p, 1000, 2000, 0);
	icmp_fix_csum(&p, 0, p.n);

	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.c.rest >> 24, 9);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.quote.wire, 28);
	done(&r);
}

static void test_frag_needed_mtu(void **state)
{
	struct pb p;
	struct icres r;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&p);
	pb_u8(&p, RP_ICMP_UNREACH);
	pb_u8(&p, 4);
	pb_be16(&p, 0);
	pb_be16(&p, 0);
	pb_be16(&p, 1400);
	pb_ipv4(&p, &s, 1500);
	pb_udp(&p, 1000, 2000, 0);
	icmp_fix_csum(&p, 0, p.n);

	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.c.type, RP_ICMP_UNREACH);
	assert_int_equal(r.c.code, 4);
	assert_int_equal(r.c.rest & 0xffff, 1400);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	done(&r);
}

static void test_other_types(void **state)
{
	static const unsigned types[] = { RP_ICMP_ROUTERSOLICIT, RP_ICMP_SOURCEQUENCH, 42, 255 };
	(void)state;

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct pb p;
		struct icres r;
		pb_reset(&p);
		pb_u8(&p, types[i]);
		pb_u8(&p, 0);
		pb_be16(&p, 0);
		pb_be32(&p, 0);
		if (rp_icmp_is_error((uint8_t)types[i])) {
			struct ipspec s = ipspec_default(17);
			pb_ipv4(&p, &s, 28);
			pb_udp(&p, 1, 2, 0);
		}
		icmp_fix_csum(&p, 0, p.n);
		dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_true((r.c.have & HDR_BITS) == HDR_BITS);
		assert_int_equal(r.c.type, types[i]);
		assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
		done(&r);
	}
}

static void test_checksum_bad_and_uncheckable(void **state)
{
	struct pb p;
	struct icres r;
	unsigned good;
	(void)state;

	pb_reset(&p);
	pb_icmp_idseq(&p, 8, 1, 2, 56);
	good = get_be16(p.d + 2);
	p.d[40] ^= 0x04;
	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK); /* a bad checksum is not malformed */
	assert_int_equal(r.c.checksum_ok, RP_CHECK_BAD);
	assert_int_not_equal(r.c.checksum_want, good);
	done(&r);

	pb_reset(&p);
	pb_icmp_idseq(&p, 8, 1, 2, 56);
	put_be16(p.d + 2, good ^ 0x8000);
	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.c.checksum, good ^ 0x8000);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_BAD);
	assert_int_equal(r.c.checksum_want, good);
	done(&r);

	/* good checksum, capture cut inside the payload: cannot be checked */
	pb_reset(&p);
	pb_icmp_idseq(&p, 8, 1, 2, 56);
	dec(&r, p.d, 63, 64, true, RP_DECODE_CHECKSUMS);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.c.have, HDR_BITS);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
	assert_int_equal(r.c.length, 64);
	done(&r);

	/* can_check false (a fragment): NONE whether the checksum is good or bad */
	dec(&r, p.d, p.n, p.n, false, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
	done(&r);
	p.d[30] ^= 1;
	dec(&r, p.d, p.n, p.n, false, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
	/* and without the flag a bad checksum is never reported good */
	done(&r);
	dec(&r, p.d, p.n, p.n, true, 0);
	assert_int_not_equal(r.c.checksum_ok, RP_CHECK_OK);
	done(&r);
}

static void test_short_message_malformed(void **state)
{
	static const uint8_t m[8] = { 8, 0, 0xf7, 0xff, 0, 0, 0, 0 };
	(void)state;

	for (size_t len = 0; len < 8; len++) {
		struct icres r;
		dec(&r, m, len, len, true, RP_DECODE_CHECKSUMS);
		expect_malformed(r.why, r.st, "icmp: ");
		done(&r);
	}
}

static void test_cut_header_every_byte(void **state)
{
	struct pb p;
	(void)state;

	pb_reset(&p);
	pb_icmp_idseq(&p, 8, 0x0102, 0x0304, 56);
	for (size_t k = 0; k < 8; k++) {
		struct icres r;
		uint32_t want = 0;
		dec(&r, p.d, k, 64, true, RP_DECODE_CHECKSUMS);
		if (k >= 1)
			want |= RP_ICMP_TYPE;
		if (k >= 2)
			want |= RP_ICMP_CODE;
		if (k >= 4)
			want |= RP_ICMP_CSUM;
		if (k >= 6)
			want |= RP_ICMP_ID;
		if (r.st != RP_DEC_CUT)
			fail_msg("cut at %zu: status %d, want RP_DEC_CUT (why \"%s\")", k, r.st, r.why);
		if (r.c.have != want)
			fail_msg("cut at %zu: have %#x, want %#x", k, (unsigned)r.c.have, (unsigned)want);
		assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
		assert_int_equal(r.c.length, 64);
		if (k >= 1)
			assert_int_equal(r.c.type, 8);
		if (k >= 4)
			assert_int_equal(r.c.checksum, get_be16(p.d + 2));
		if (k >= 6)
			assert_int_equal(rp_icmp_id(&r.c), 0x0102);
		done(&r);
	}
}

/* ------------------------------------------------------------ quotes */

struct inres {
	struct exact mem;
	struct rp_inner in;
	char why[RP_MALFORMED_MAX];
	enum rp_status st;
};

static void dec_inner(struct inres *r, const uint8_t *d, size_t cap, size_t wire)
{
	struct rp_buf b;
	memset(r, 0, sizeof *r);
	r->mem = exact_copy(d, cap);
	b = rp_buf_make(r->mem.p, cap, wire);
	r->st = rp_inner_decode(&r->in, &b, RP_DECODE_CHECKSUMS, r->why);
}

/* Outer time exceeded around a quote, through rp_icmp_decode, then the quote through rp_inner_decode. */
static void test_time_exceeded_full_udp_quote(void **state)
{
	struct pb p;
	struct icres r;
	struct rp_inner in;
	char why[RP_MALFORMED_MAX] = "";
	struct ipspec s = ipspec_default(17);
	size_t udp;
	enum rp_status st;
	(void)state;

	pb_reset(&p);
	pb_u8(&p, RP_ICMP_TIMXCEED);
	pb_u8(&p, 0);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	s.ttl = 1;
	s.id = 0x4242;
	s.src = ip4(10, 200, 0, 1);
	s.dst = ip4(10, 200, 9, 9);
	pb_ipv4(&p, &s, 40);
	udp = pb_udp(&p, 40001, 33434, 12);
	l4_fix_csum(&p, udp, 6, 20, s.src, s.dst, 17);
	icmp_fix_csum(&p, 0, p.n);

	dec(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_OK);
	assert_ptr_equal(r.quote.data, r.mem.p + 8);
	assert_int_equal(r.quote.cap, 40);
	assert_int_equal(r.quote.wire, 40);

	memset(&in, 0, sizeof in);
	st = rp_inner_decode(&in, &r.quote, RP_DECODE_CHECKSUMS, why);
	assert_int_equal(st, RP_DEC_OK);
	assert_int_equal(in.ip.have & 0x3ff, 0x3ff);
	assert_int_equal(in.ip.version, 4);
	assert_int_equal(in.ip.ttl, 1);
	assert_int_equal(in.ip.id, 0x4242);
	assert_int_equal(in.ip.len, 40);
	assert_int_equal(in.ip.proto, 17);
	assert_int_equal(in.ip.src, ip4(10, 200, 0, 1));
	assert_int_equal(in.ip.dst, ip4(10, 200, 9, 9));
	assert_int_not_equal(in.ip.checksum_ok, RP_CHECK_BAD);
	assert_int_equal(in.l4, RP_L4_UDP);
	assert_int_equal(in.udp.have, RP_UDP_SPORT | RP_UDP_DPORT | RP_UDP_LEN | RP_UDP_CSUM);
	assert_int_equal(in.udp.sport, 40001);
	assert_int_equal(in.udp.dport, 33434);
	assert_int_equal(in.udp.len, 20);
	assert_int_equal(in.udp.checksum, get_be16(p.d + 8 + 20 + 6));
	assert_int_not_equal(in.udp.checksum_ok, RP_CHECK_BAD);
	done(&r);
}

/* RFC 792: the IP header and the first 8 bytes. The UDP length names 20 bytes: not malformed here. */
static void test_quote_udp_header_only(void **state)
{
	struct pb p;
	struct inres r;
	struct ipspec s = ipspec_default(17);
	size_t udp;
	(void)state;

	pb_reset(&p);
	pb_ipv4(&p, &s, 40);
	udp = pb_udp(&p, 5353, 53, 12);
	l4_fix_csum(&p, udp, 6, 20, s.src, s.dst, 17);
	dec_inner(&r, p.d, 28, 28);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.ip.len, 40);
	assert_int_equal(r.in.l4, RP_L4_UDP);
	assert_int_equal(r.in.udp.have, RP_UDP_SPORT | RP_UDP_DPORT | RP_UDP_LEN | RP_UDP_CSUM);
	assert_int_equal(r.in.udp.sport, 5353);
	assert_int_equal(r.in.udp.dport, 53);
	assert_int_equal(r.in.udp.len, 20);
	assert_int_equal(r.in.udp.checksum_ok, RP_CHECK_NONE);
	exact_free(&r.mem);
}

static void test_quote_tcp_first_8_bytes(void **state)
{
	struct pb p;
	struct inres r;
	struct ipspec s = ipspec_default(6);
	(void)state;

	pb_reset(&p);
	pb_ipv4(&p, &s, 60);
	pb_tcp(&p, 40000, 80, 0x11223344, 0x55667788, RP_TH_SYN, 65535, NULL, 0, 20);
	dec_inner(&r, p.d, 28, 28);
	if (r.st == RP_DEC_MALFORMED)
		fail_msg("8 bytes of TCP in a quote reported malformed: \"%s\"", r.why);
	assert_int_equal(r.in.ip.proto, 6);
	assert_int_equal(r.in.l4, RP_L4_TCP);
	assert_int_equal(r.in.tcp.have, RP_TCP_SPORT | RP_TCP_DPORT | RP_TCP_SEQ);
	assert_int_equal(r.in.tcp.sport, 40000);
	assert_int_equal(r.in.tcp.dport, 80);
	assert_int_equal(r.in.tcp.seq, 0x11223344u);
	assert_int_equal(r.in.tcp.checksum_ok, RP_CHECK_NONE);
	exact_free(&r.mem);

	/* 12 bytes: the ack number too, nothing more */
	dec_inner(&r, p.d, 32, 32);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.tcp.have, RP_TCP_SPORT | RP_TCP_DPORT | RP_TCP_SEQ | RP_TCP_ACK);
	assert_int_equal(r.in.tcp.ack, 0x55667788u);
	exact_free(&r.mem);
}

static void test_quote_icmp_echo(void **state)
{
	struct pb p;
	struct inres r;
	(void)state;

	pb_reset(&p);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 99), 0x7777, 12, 56);
	dec_inner(&r, p.d, 28, 28);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.ip.len, 84);
	assert_int_equal(r.in.ip.proto, 1);
	assert_int_equal(r.in.ip.dst, ip4(10, 0, 0, 99));
	assert_int_equal(r.in.l4, RP_L4_ICMP);
	assert_int_equal(r.in.icmp.have & HDR_BITS, HDR_BITS);
	assert_int_equal(r.in.icmp.type, 8);
	assert_int_equal(rp_icmp_id(&r.in.icmp), 0x7777);
	assert_int_equal(rp_icmp_seq(&r.in.icmp), 12);
	/* 8 of the 64 bytes quoted: the checksum cannot be checked */
	assert_int_equal(r.in.icmp.checksum_ok, RP_CHECK_NONE);
	exact_free(&r.mem);
}

static void test_quote_with_ip_options(void **state)
{
	static const uint8_t opts[] = { RP_IPOPT_RR, 7, 4, 0, 0, 0, 0, RP_IPOPT_EOL };
	struct pb p;
	struct inres r;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&p);
	s.opts = opts;
	s.optlen = sizeof opts;
	pb_ipv4(&p, &s, 36);
	pb_udp(&p, 7, 9, 0);
	dec_inner(&r, p.d, p.n, p.n);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.ip.ihl, 7);
	assert_int_equal(r.in.ip.nopts, 2);
	assert_int_equal(r.in.l4, RP_L4_UDP);
	assert_int_equal(r.in.udp.dport, 9);
	exact_free(&r.mem);
}

/* A quoted first fragment, quoted in full: its checksum covers bytes that are not there. */
static void test_quote_of_fragment(void **state)
{
	struct pb p;
	struct inres r;
	struct ipspec s = ipspec_default(1);
	(void)state;

	pb_reset(&p);
	s.frag = RP_IP_MF;
	pb_ipv4(&p, &s, 20 + 16);
	pb_icmp_idseq(&p, 8, 3, 4, 8); /* checksum right for these 16 bytes alone */
	dec_inner(&r, p.d, p.n, p.n);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.l4, RP_L4_ICMP);
	assert_int_equal(rp_icmp_seq(&r.in.icmp), 4);
	assert_int_equal(r.in.icmp.checksum_ok, RP_CHECK_NONE);
	exact_free(&r.mem);

	/* and a quoted datagram that is whole and fully quoted can be checked */
	pb_reset(&p);
	s.frag = 0;
	pb_ipv4(&p, &s, 20 + 16);
	pb_icmp_idseq(&p, 8, 3, 4, 8);
	dec_inner(&r, p.d, p.n, p.n);
	assert_int_equal(r.in.l4, RP_L4_ICMP);
	assert_int_not_equal(r.in.icmp.checksum_ok, RP_CHECK_BAD);
	exact_free(&r.mem);
}

static void test_quote_shorter_than_ip_header(void **state)
{
	struct pb p;
	struct inres r;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&p);
	pb_ipv4(&p, &s, 28);
	pb_udp(&p, 7, 9, 0);
	for (size_t len = 0; len < 20; len++) {
		dec_inner(&r, p.d, len, len);
		if (r.st != RP_DEC_MALFORMED)
			fail_msg("quote of %zu bytes: status %d, want RP_DEC_MALFORMED", len, r.st);
		if (r.why[0] == 0 || strstr(r.why, ": ") == NULL)
			fail_msg("quote of %zu bytes: why \"%s\" is not \"layer: what\"", len, r.why);
		exact_free(&r.mem);
	}

	/* a quote cut by the capture (not by the router) is only cut */
	dec_inner(&r, p.d, 10, 28);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.ip.have & RP_IP_SRC, 0);
	assert_true(r.in.ip.have & RP_IP_VHL);
	exact_free(&r.mem);

	/* exactly the IP header: stops at the transport, not malformed */
	dec_inner(&r, p.d, 20, 20);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.in.ip.proto, 17);
	exact_free(&r.mem);
}

static void test_error_quote_cut_by_capture(void **state)
{
	struct pb p;
	struct icres r;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&p);
	pb_u8(&p, RP_ICMP_UNREACH);
	pb_u8(&p, 3);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	pb_ipv4(&p, &s, 28);
	pb_udp(&p, 7, 9, 0);
	icmp_fix_csum(&p, 0, p.n);
	dec(&r, p.d, 20, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.c.checksum_ok, RP_CHECK_NONE);
	assert_ptr_equal(r.quote.data, r.mem.p + 8);
	assert_int_equal(r.quote.cap, 12);
	assert_int_equal(r.quote.wire, 28);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_request_and_reply),
		cmocka_unit_test(test_echo_scapy_vector),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_address_mask),
		cmocka_unit_test(test_router_advert),
		cmocka_unit_test(test_router_advert_many_entries),
		cmocka_unit_test(test_redirect_gateway),
		cmocka_unit_test(test_param_problem_pointer),
		cmocka_unit_test(test_frag_needed_mtu),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_checksum_bad_and_uncheckable),
		cmocka_unit_test(test_short_message_malformed),
		cmocka_unit_test(test_cut_header_every_byte),
		cmocka_unit_test(test_time_exceeded_full_udp_quote),
		cmocka_unit_test(test_quote_udp_header_only),
		cmocka_unit_test(test_quote_tcp_first_8_bytes),
		cmocka_unit_test(test_quote_icmp_echo),
		cmocka_unit_test(test_quote_with_ip_options),
		cmocka_unit_test(test_quote_of_fragment),
		cmocka_unit_test(test_quote_shorter_than_ip_header),
		cmocka_unit_test(test_error_quote_cut_by_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
