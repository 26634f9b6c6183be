/* UDP and TCP: rp_udp_decode, rp_tcp_decode, rp_tcpopt_sack_block (src/core/udp.c, tcp.c). */
#include "pkt_helpers.h"

#include "rawprobe/decode.h"
#include "rawprobe/packet.h"

#define UDP_ALL (RP_UDP_SPORT | RP_UDP_DPORT | RP_UDP_LEN | RP_UDP_CSUM)
#define TCP_FIXED                                                                                 \
	(RP_TCP_SPORT | RP_TCP_DPORT | RP_TCP_SEQ | RP_TCP_ACK | RP_TCP_HLEN | RP_TCP_FLAGS |      \
	 RP_TCP_WIN | RP_TCP_CSUM | RP_TCP_URP)

/* The IPv4 header the transport decoders take their pseudo-header from, filled by hand. */
static void mk_ip(struct rp_ipv4 *ip, uint8_t proto, size_t l4len)
{
	memset(ip, 0, sizeof *ip);
	ip->have = 0x7ff;
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->proto = proto;
	ip->len = (uint16_t)(20 + l4len);
	ip->id = 1;
	ip->frag = RP_IP_DF;
	ip->checksum_ok = RP_CHECK_OK;
	ip->src = ip4(10, 0, 0, 1);
	ip->dst = ip4(10, 0, 0, 2);
}

struct l4res {
	struct exact mem;
	struct rp_ipv4 ip;
	struct rp_udp u;
	struct rp_tcp t;
	char why[RP_MALFORMED_MAX];
	enum rp_status st;
};

static void dec_udp(struct l4res *r, const uint8_t *d, size_t cap, size_t wire, bool can_check,
		    unsigned flags)
{
	struct rp_buf b;
	memset(r, 0, sizeof *r);
	mk_ip(&r->ip, 17, wire);
	r->mem = exact_copy(d, cap);
	b = rp_buf_make(r->mem.p, cap, wire);
	r->st = rp_udp_decode(&r->u, &b, &r->ip, can_check, flags, r->why);
}

static void dec_tcp(struct l4res *r, const uint8_t *d, size_t cap, size_t wire, bool can_check,
		    unsigned flags)
{
	struct rp_buf b;
	memset(r, 0, sizeof *r);
	mk_ip(&r->ip, 6, wire);
	r->mem = exact_copy(d, cap);
	b = rp_buf_make(r->mem.p, cap, wire);
	r->st = rp_tcp_decode(&r->t, &b, &r->ip, can_check, flags, r->why);
}

static void done(struct l4res *r)
{
	exact_free(&r->mem);
}

static void expect_malformed(const struct l4res *r, const char *prefix)
{
	if (r->st != RP_DEC_MALFORMED)
		fail_msg("status %d, want RP_DEC_MALFORMED (why \"%s\")", r->st, r->why);
	if (!starts_with(r->why, prefix) || strlen(r->why) <= strlen(prefix))
		fail_msg("why is \"%s\", want \"%s...\"", r->why, prefix);
}

/* A UDP datagram with a correct checksum over 10.0.0.1 > 10.0.0.2. */
static size_t build_udp(struct pb *p, unsigned sport, unsigned dport, size_t datalen)
{
	size_t o;
	pb_reset(p);
	o = pb_udp(p, sport, dport, datalen);
	l4_fix_csum(p, o, 6, 8 + datalen, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 17);
	return p->n;
}

/* ------------------------------------------------------------ UDP */

static void test_udp_fields_and_checksum(void **state)
{
	struct pb p;
	struct l4res r;
	unsigned good;
	(void)state;

	for (size_t datalen = 0; datalen <= 33; datalen += 11) { /* odd and even lengths */
		build_udp(&p, 5353, 53, datalen);
		dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_int_equal(r.u.have, UDP_ALL);
		assert_int_equal(r.u.sport, 5353);
		assert_int_equal(r.u.dport, 53);
		assert_int_equal(r.u.len, 8 + datalen);
		assert_int_equal(r.u.checksum, get_be16(p.d + 6));
		assert_int_equal(r.u.checksum_ok, RP_CHECK_OK);
		assert_int_equal(r.u.checksum_want, r.u.checksum);
		done(&r);
	}

	build_udp(&p, 5353, 53, 9);
	good = get_be16(p.d + 6);
	put_be16(p.d + 6, good ^ 0x0f0f);
	dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK); /* bad checksum is not malformed */
	assert_int_equal(r.u.checksum_ok, RP_CHECK_BAD);
	assert_int_equal(r.u.checksum_want, good);
	done(&r);

	/* the pseudo-header counts: the same bytes between other addresses are bad */
	build_udp(&p, 5353, 53, 9);
	{
		struct rp_buf b;
		struct exact e = exact_copy(p.d, p.n);
		memset(&r, 0, sizeof r);
		mk_ip(&r.ip, 17, p.n);
		r.ip.dst = ip4(10, 0, 0, 3);
		b = rp_buf_make(e.p, p.n, p.n);
		r.st = rp_udp_decode(&r.u, &b, &r.ip, true, RP_DECODE_CHECKSUMS, r.why);
		assert_int_equal(r.u.checksum_ok, RP_CHECK_BAD);
		exact_free(&e);
	}
}

static void test_udp_scapy_vector(void **state)
{
	static const uint8_t udp[] = { 0x14, 0xe9, 0x00, 0x35, 0x00, 0x11, 0xf7, 0x04, 'r',
				       'a',  'w',  'p',  'r',  'o',  'b',  'e',  '!' };
	struct l4res r;
	(void)state;

	dec_udp(&r, udp, sizeof udp, sizeof udp, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.u.checksum, 0xf704);
	assert_int_equal(r.u.checksum_ok, RP_CHECK_OK);
	done(&r);
}

static void test_udp_checksum_zero_and_ffff(void **state)
{
	struct pb p;
	struct l4res r;
	uint64_t s0;
	unsigned x;
	(void)state;

	/* 0 on the wire: the sender did not compute one */
	build_udp(&p, 1, 2, 4);
	put_be16(p.d + 6, 0);
	dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_true(r.u.have & RP_UDP_CSUM);
	assert_int_equal(r.u.checksum, 0);
	assert_int_equal(r.u.checksum_ok, RP_CHECK_NONE);
	done(&r);

	/* a datagram whose checksum computes to 0 goes out as ffff (RFC 768) and is good */
	pb_reset(&p);
	pb_udp(&p, 1, 2, 2);
	put_be16(p.d + 8, 0);
	s0 = ref_sum(ref_pseudo(ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 17, 10), p.d, 10);
	while (s0 >> 16)
		s0 = (s0 & 0xffff) + (s0 >> 16);
	x = (unsigned)(~s0 & 0xffff); /* makes the folded sum ffff, so the checksum 0 */
	put_be16(p.d + 8, x);
	assert_int_equal(ref_fold(ref_sum(ref_pseudo(ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 17, 10), p.d, 10)), 0);
	put_be16(p.d + 6, 0xffff);
	dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.u.checksum, 0xffff);
	assert_int_equal(r.u.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.u.checksum_want, 0xffff); /* what the field should hold: never 0 */
	done(&r);
}

static void test_udp_uncheckable(void **state)
{
	struct pb p;
	struct l4res r;
	(void)state;

	build_udp(&p, 1000, 2000, 40);
	dec_udp(&r, p.d, 20, p.n, true, RP_DECODE_CHECKSUMS); /* capture cut */
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.u.have, UDP_ALL);
	assert_int_equal(r.u.checksum_ok, RP_CHECK_NONE);
	done(&r);

	dec_udp(&r, p.d, p.n, p.n, false, RP_DECODE_CHECKSUMS); /* a first fragment */
	assert_int_equal(r.u.checksum_ok, RP_CHECK_NONE);
	done(&r);

	p.d[20] ^= 0xff;
	dec_udp(&r, p.d, p.n, p.n, true, 0); /* without the flag: never wrongly good */
	assert_int_not_equal(r.u.checksum_ok, RP_CHECK_OK);
	done(&r);
}

static void test_udp_cut_header(void **state)
{
	struct pb p;
	(void)state;

	build_udp(&p, 0xabcd, 0x1234, 10);
	for (size_t k = 0; k < 8; k++) {
		struct l4res r;
		uint32_t want = 0;
		dec_udp(&r, p.d, k, p.n, true, RP_DECODE_CHECKSUMS);
		if (k >= 2)
			want |= RP_UDP_SPORT;
		if (k >= 4)
			want |= RP_UDP_DPORT;
		if (k >= 6)
			want |= RP_UDP_LEN;
		if (r.st != RP_DEC_CUT)
			fail_msg("cut at %zu: status %d, want RP_DEC_CUT (why \"%s\")", k, r.st, r.why);
		if (r.u.have != want)
			fail_msg("cut at %zu: have %#x, want %#x", k, (unsigned)r.u.have, (unsigned)want);
		if (k >= 2)
			assert_int_equal(r.u.sport, 0xabcd);
		if (k >= 6)
			assert_int_equal(r.u.len, 18);
		assert_int_equal(r.u.checksum_ok, RP_CHECK_NONE);
		done(&r);
	}
}

static void test_udp_length_malformed(void **state)
{
	struct pb p;
	struct l4res r;
	(void)state;

	for (unsigned len = 0; len < 8; len++) {
		build_udp(&p, 1, 2, 8);
		put_be16(p.d + 4, len);
		dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		expect_malformed(&r, "udp: ");
		done(&r);
	}

	/* the length names more than the IP payload holds */
	build_udp(&p, 1, 2, 8);
	put_be16(p.d + 4, 17);
	dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	expect_malformed(&r, "udp: ");
	done(&r);
	/* ... also when the capture was cut before the end */
	dec_udp(&r, p.d, 10, p.n, true, RP_DECODE_CHECKSUMS);
	expect_malformed(&r, "udp: ");
	done(&r);

	/* an IP payload shorter than a UDP header */
	build_udp(&p, 1, 2, 0);
	dec_udp(&r, p.d, 6, 6, true, RP_DECODE_CHECKSUMS);
	expect_malformed(&r, "udp: ");
	done(&r);

	/* the length smaller than the payload is fine */
	build_udp(&p, 1, 2, 8);
	put_be16(p.d + 4, 12);
	l4_fix_csum(&p, 0, 6, 12, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 17);
	dec_udp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.u.len, 12);
	assert_int_equal(r.u.checksum_ok, RP_CHECK_OK);
	done(&r);
}

/* A first fragment: the UDP length names the whole datagram, more than this fragment holds. */
static void test_udp_first_fragment_length(void **state)
{
	struct pb p;
	struct l4res r;
	(void)state;

	build_udp(&p, 5000, 6000, 992); /* udp length 1000 */
	dec_udp(&r, p.d, 40, 40, false, RP_DECODE_CHECKSUMS);
	if (r.st == RP_DEC_MALFORMED)
		fail_msg("first fragment reported malformed: \"%s\"", r.why);
	assert_int_equal(r.u.have, UDP_ALL);
	assert_int_equal(r.u.len, 1000);
	assert_int_equal(r.u.checksum_ok, RP_CHECK_NONE);
	done(&r);
}

/* ------------------------------------------------------------ TCP */

static size_t build_tcp(struct pb *p, const uint8_t *opts, size_t optlen, size_t datalen)
{
	size_t o;
	pb_reset(p);
	o = pb_tcp(p, 40000, 80, 0xdeadbeef, 0x01020304, RP_TH_SYN | RP_TH_ACK | RP_TH_ECE, 29200,
		   opts, optlen, datalen);
	put_be16(p->d + o + 18, 0x0007); /* urgent pointer */
	l4_fix_csum(p, o, 16, p->n - o, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 6);
	return p->n;
}

static void test_tcp_fields_and_checksum(void **state)
{
	struct pb p;
	struct l4res r;
	unsigned good;
	(void)state;

	build_tcp(&p, NULL, 0, 13);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.have & TCP_FIXED, TCP_FIXED);
	assert_int_equal(r.t.sport, 40000);
	assert_int_equal(r.t.dport, 80);
	assert_int_equal(r.t.seq, 0xdeadbeefu);
	assert_int_equal(r.t.ack, 0x01020304u);
	assert_int_equal(r.t.hlen, 20);
	assert_int_equal(r.t.flags, RP_TH_SYN | RP_TH_ACK | RP_TH_ECE);
	assert_int_equal(r.t.win, 29200);
	assert_int_equal(r.t.urp, 7);
	assert_int_equal(r.t.checksum, get_be16(p.d + 16));
	assert_int_equal(r.t.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.t.checksum_want, r.t.checksum);
	assert_int_equal(r.t.payload, 13);
	assert_int_equal(r.t.nopts, 0);
	done(&r);

	good = get_be16(p.d + 16);
	p.d[25] ^= 0x20; /* payload byte */
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.checksum_ok, RP_CHECK_BAD);
	assert_int_equal(r.t.checksum, good);
	assert_int_not_equal(r.t.checksum_want, good);
	done(&r);

	/* cut capture, or a fragment: cannot be checked */
	build_tcp(&p, NULL, 0, 13);
	dec_tcp(&r, p.d, 30, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.checksum_ok, RP_CHECK_NONE);
	assert_int_equal(r.t.payload, 13);
	done(&r);
	dec_tcp(&r, p.d, p.n, p.n, false, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.t.checksum_ok, RP_CHECK_NONE);
	done(&r);
}

static void test_tcp_scapy_vector(void **state)
{
	static const uint8_t tcp[] = { 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
				       0x00, 0x00, 0x70, 0x02, 0xff, 0xff, 0xd3, 0x84, 0x00, 0x00,
				       0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07 };
	struct l4res r;
	(void)state;

	dec_tcp(&r, tcp, sizeof tcp, sizeof tcp, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.hlen, 28);
	assert_int_equal(r.t.flags, RP_TH_SYN);
	assert_int_equal(r.t.win, 65535);
	assert_int_equal(r.t.checksum, 0xd384);
	assert_int_equal(r.t.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.t.nopts, 3);
	assert_int_equal(r.t.opts[0].kind, RP_TCPOPT_MSS);
	assert_int_equal(r.t.opts[0].a, 1460);
	assert_int_equal(r.t.opts[1].kind, RP_TCPOPT_NOP);
	assert_int_equal(r.t.opts[2].kind, RP_TCPOPT_WSCALE);
	assert_int_equal(r.t.opts[2].a, 7);
	assert_int_equal(r.t.payload, 0);
	done(&r);
}

static void test_tcp_cut_header(void **state)
{
	static const struct {
		uint32_t bit;
		size_t end;
	} fields[] = {
		{ RP_TCP_SPORT, 2 },  { RP_TCP_DPORT, 4 }, { RP_TCP_SEQ, 8 },   { RP_TCP_ACK, 12 },
		{ RP_TCP_HLEN, 13 },  { RP_TCP_FLAGS, 14 }, { RP_TCP_WIN, 16 }, { RP_TCP_CSUM, 18 },
		{ RP_TCP_URP, 20 },
	};
	static const uint8_t opts[] = { RP_TCPOPT_MSS, 4, 0x05, 0xb4 };
	struct pb p;
	(void)state;

	build_tcp(&p, opts, sizeof opts, 10);
	for (size_t k = 0; k < 24; k++) {
		struct l4res r;
		dec_tcp(&r, p.d, k, p.n, true, RP_DECODE_CHECKSUMS);
		if (r.st != RP_DEC_CUT)
			fail_msg("cut at %zu: status %d, want RP_DEC_CUT (why \"%s\")", k, r.st, r.why);
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
			bool want = k >= fields[f].end;
			bool got = (r.t.have & fields[f].bit) != 0;
			if (want != got)
				fail_msg("cut at %zu: have bit %#x is %d, want %d", k,
					 (unsigned)fields[f].bit, got, want);
		}
		if (r.t.have & RP_TCP_OPTS)
			fail_msg("cut at %zu: RP_TCP_OPTS set with the options cut", k);
		assert_int_equal(r.t.checksum_ok, RP_CHECK_NONE);
		if (k >= 8)
			assert_int_equal(r.t.seq, 0xdeadbeefu);
		if (k >= 13)
			assert_int_equal(r.t.hlen, 24);
		done(&r);
	}
}

static void test_tcp_hlen_malformed(void **state)
{
	struct pb p;
	struct l4res r;
	(void)state;

	for (unsigned doff = 0; doff < 5; doff++) {
		build_tcp(&p, NULL, 0, 20);
		p.d[12] = (uint8_t)(doff << 4);
		dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
		expect_malformed(&r, "tcp: ");
		assert_true(r.t.have & RP_TCP_SPORT);
		assert_int_equal(r.t.sport, 40000);
		done(&r);
	}

	/* 60-byte header in a 40-byte segment */
	build_tcp(&p, NULL, 0, 20);
	p.d[12] = 15 << 4;
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	expect_malformed(&r, "tcp: ");
	done(&r);
	/* ... also with the capture cut: the wire length decides */
	dec_tcp(&r, p.d, 24, p.n, true, RP_DECODE_CHECKSUMS);
	expect_malformed(&r, "tcp: ");
	done(&r);

	/* a segment shorter than 20 bytes */
	build_tcp(&p, NULL, 0, 0);
	dec_tcp(&r, p.d, 16, 16, true, RP_DECODE_CHECKSUMS);
	expect_malformed(&r, "tcp: ");
	done(&r);

	/* hlen == segment: valid, no payload */
	build_tcp(&p, NULL, 0, 0);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.payload, 0);
	done(&r);
}

struct optwant {
	uint8_t kind, len, off;
	uint32_t a, b;
	bool check_ab;
};

static void check_opts(const struct rp_tcp *t, const struct optwant *w, size_t n)
{
	if (t->nopts != n)
		fail_msg("nopts %u, want %zu", t->nopts, n);
	for (size_t i = 0; i < n; i++) {
		const struct rp_tcpopt *o = &t->opts[i];
		if (o->kind != w[i].kind || o->len != w[i].len || o->off != w[i].off)
			fail_msg("option %zu: kind %u len %u off %u, want %u %u %u", i, o->kind, o->len,
				 o->off, w[i].kind, w[i].len, w[i].off);
		if (w[i].check_ab && (o->a != w[i].a || o->b != w[i].b))
			fail_msg("option %zu (kind %u): a %u b %u, want %u %u", i, o->kind, o->a, o->b,
				 w[i].a, w[i].b);
	}
}

static void test_tcp_options(void **state)
{
	/* mss, nop, wscale, sackOK, nop, nop, timestamps, unknown 254, nop, eol: 28 bytes */
	static const uint8_t opts[] = {
		RP_TCPOPT_MSS, 4, 0x23, 0x28,              /* 20: mss 9000 */
		RP_TCPOPT_NOP,                             /* 24 */
		RP_TCPOPT_WSCALE, 3, 14,                   /* 25 */
		RP_TCPOPT_SACKOK, 2,                       /* 28 */
		RP_TCPOPT_NOP, RP_TCPOPT_NOP,              /* 30, 31 */
		RP_TCPOPT_TIMESTAMP, 10, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x01, 0x00, /* 32 */
		254, 4, 0xf9, 0x89,                        /* 42: experimental */
		RP_TCPOPT_NOP,                             /* 46 */
		RP_TCPOPT_EOL,                             /* 47 */
	};
	static const struct optwant want[] = {
		{ RP_TCPOPT_MSS, 4, 20, 9000, 0, false },
		{ RP_TCPOPT_NOP, 1, 24, 0, 0, false },
		{ RP_TCPOPT_WSCALE, 3, 25, 14, 0, false },
		{ RP_TCPOPT_SACKOK, 2, 28, 0, 0, false },
		{ RP_TCPOPT_NOP, 1, 30, 0, 0, false },
		{ RP_TCPOPT_NOP, 1, 31, 0, 0, false },
		{ RP_TCPOPT_TIMESTAMP, 10, 32, 0x89abcdefu, 256, true },
		{ 254, 4, 42, 0, 0, false },
		{ RP_TCPOPT_NOP, 1, 46, 0, 0, false },
		{ RP_TCPOPT_EOL, 1, 47, 0, 0, false },
	};
	struct pb p;
	struct l4res r;
	(void)state;

	build_tcp(&p, opts, sizeof opts, 5);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.hlen, 48);
	assert_true(r.t.have & RP_TCP_OPTS);
	assert_int_equal(r.t.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.t.payload, 5);
	check_opts(&r.t, want, sizeof want / sizeof want[0]);
	assert_int_equal(r.t.opts[0].a, 9000);
	assert_int_equal(r.t.opts[2].a, 14);
	assert_ptr_equal(r.t.hdr.data, r.mem.p);
	assert_int_equal(r.t.hdr.cap, 48);
	done(&r);
}

static void test_tcp_sack_blocks(void **state)
{
	static const uint8_t opts[] = {
		RP_TCPOPT_NOP, RP_TCPOPT_NOP,
		RP_TCPOPT_SACK, 26,
		0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00, /* 4096-8192 */
		0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00, /* 12288-16384 */
		0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x10, /* wraps */
		RP_TCPOPT_NOP, RP_TCPOPT_NOP, RP_TCPOPT_NOP, RP_TCPOPT_EOL,
	};
	struct pb p;
	struct l4res r;
	uint32_t left = 1, right = 1;
	(void)state;

	build_tcp(&p, opts, sizeof opts, 0);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.nopts, 7);
	assert_int_equal(r.t.opts[2].kind, RP_TCPOPT_SACK);
	assert_int_equal(r.t.opts[2].len, 26);
	assert_int_equal(r.t.opts[2].off, 22);
	assert_int_equal(r.t.opts[2].a, 4096);
	assert_int_equal(r.t.opts[2].b, 8192);
	assert_true(rp_tcpopt_sack_block(&r.t, &r.t.opts[2], 0, &left, &right));
	assert_int_equal(left, 4096);
	assert_int_equal(right, 8192);
	assert_true(rp_tcpopt_sack_block(&r.t, &r.t.opts[2], 1, &left, &right));
	assert_int_equal(left, 12288);
	assert_int_equal(right, 16384);
	assert_true(rp_tcpopt_sack_block(&r.t, &r.t.opts[2], 2, &left, &right));
	assert_int_equal(left, 0xffffff00u);
	assert_int_equal(right, 0x10);
	assert_false(rp_tcpopt_sack_block(&r.t, &r.t.opts[2], 3, &left, &right));
	assert_false(rp_tcpopt_sack_block(&r.t, &r.t.opts[2], 1000, &left, &right));
	assert_int_equal(r.t.opts[6].kind, RP_TCPOPT_EOL);
	assert_int_equal(r.t.opts[6].off, 51);
	done(&r);
}

/* A one-block SACK followed by other options: block 1 does not exist. */
static void test_tcp_sack_then_more(void **state)
{
	static const uint8_t opts[] = {
		RP_TCPOPT_SACK, 10, 0, 0, 0, 1, 0, 0, 0, 2,             /* 20 */
		RP_TCPOPT_TIMESTAMP, 10, 0, 0, 0, 3, 0, 0, 0, 4,        /* 30 */
	};
	struct pb p;
	struct l4res r;
	uint32_t left = 0, right = 0;
	(void)state;

	build_tcp(&p, opts, sizeof opts, 0);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.nopts, 2);
	assert_true(rp_tcpopt_sack_block(&r.t, &r.t.opts[0], 0, &left, &right));
	assert_int_equal(left, 1);
	assert_int_equal(right, 2);
	assert_false(rp_tcpopt_sack_block(&r.t, &r.t.opts[0], 1, &left, &right));
	/* not a SACK option */
	assert_false(rp_tcpopt_sack_block(&r.t, &r.t.opts[1], 0, &left, &right));
	assert_int_equal(r.t.opts[1].a, 3);
	assert_int_equal(r.t.opts[1].b, 4);
	done(&r);
}

/* EOL ends the option list (RFC 9293 3.2); the zeros after it are padding. */
static void test_tcp_eol_ends_list(void **state)
{
	static const uint8_t opts[] = { RP_TCPOPT_NOP, RP_TCPOPT_EOL, 0, 0, 0, 0, 0, 0 };
	struct pb p;
	struct l4res r;
	(void)state;

	build_tcp(&p, opts, sizeof opts, 0);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.t.nopts, 2);
	assert_int_equal(r.t.opts[1].kind, RP_TCPOPT_EOL);
	assert_int_equal(r.t.opts[1].off, 21);
	done(&r);
}

static void check_tcp_bad_opts(const uint8_t *opts, size_t optlen, const char *what)
{
	struct pb p;
	struct l4res r;
	build_tcp(&p, opts, optlen, 4);
	dec_tcp(&r, p.d, p.n, p.n, true, RP_DECODE_CHECKSUMS);
	if (r.st != RP_DEC_MALFORMED)
		fail_msg("%s: status %d, want RP_DEC_MALFORMED", what, r.st);
	expect_malformed(&r, "tcp: ");
	done(&r);
}

static void test_tcp_option_malformed(void **state)
{
	static const uint8_t past[] = { RP_TCPOPT_NOP, RP_TCPOPT_MSS, 8, 0x05, 0xb4, 0, 0, 0 };
	static const uint8_t past_unknown[] = { RP_TCPOPT_NOP, RP_TCPOPT_NOP, 99, 3 };
	static const uint8_t no_len[] = { RP_TCPOPT_NOP, RP_TCPOPT_NOP, RP_TCPOPT_NOP, RP_TCPOPT_TIMESTAMP };
	static const uint8_t len0[] = { RP_TCPOPT_MSS, 0, 0x05, 0xb4 };
	static const uint8_t len1[] = { RP_TCPOPT_SACKOK, 1, 0, 0 };
	(void)state;

	check_tcp_bad_opts(past, sizeof past, "mss running past the header");
	check_tcp_bad_opts(past_unknown, sizeof past_unknown, "unknown running past the header");
	check_tcp_bad_opts(no_len, sizeof no_len, "length byte past the header");
	check_tcp_bad_opts(len0, sizeof len0, "option length 0");
	check_tcp_bad_opts(len1, sizeof len1, "option length 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_fields_and_checksum),
		cmocka_unit_test(test_udp_scapy_vector),
		cmocka_unit_test(test_udp_checksum_zero_and_ffff),
		cmocka_unit_test(test_udp_uncheckable),
		cmocka_unit_test(test_udp_cut_header),
		cmocka_unit_test(test_udp_length_malformed),
		cmocka_unit_test(test_udp_first_fragment_length),
		cmocka_unit_test(test_tcp_fields_and_checksum),
		cmocka_unit_test(test_tcp_scapy_vector),
		cmocka_unit_test(test_tcp_cut_header),
		cmocka_unit_test(test_tcp_hlen_malformed),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_tcp_sack_blocks),
		cmocka_unit_test(test_tcp_sack_then_more),
		cmocka_unit_test(test_tcp_eol_ends_list),
		cmocka_unit_test(test_tcp_option_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
