/*
 * Crafted datagrams (src/core/craft.c, craft_match.c): every kind built and
 * decoded back by the core decoder, overrides, limits, renumbering, the
 * sending path, and which answers belong to a probe.
 */
#include "pkt_helpers.h"

#include <stdio.h>

#include "rawprobe/craft.h"
#include "rawprobe/decode.h"

#define SRC ip4(10, 200, 0, 1)
#define DST ip4(10, 200, 0, 2)
#define ROUTER ip4(10, 200, 0, 254)

static uint8_t zeros[RP_CRAFT_MAX + 1];
static struct rp_packet pkt;
static struct exact dg; /* the last datagram built, exactly its size */
static struct exact pl; /* the payload, exactly its size */

static int cleanup(void **state)
{
	(void)state;
	exact_free(&dg);
	exact_free(&pl);
	return 0;
}

static struct rp_craft spec(enum rp_craft_l4 l4)
{
	struct rp_craft c;

	rp_craft_init(&c);
	c.src = SRC;
	c.dst = DST;
	c.id = 0x1234;
	c.icmp.id = 0x4242;
	c.l4 = l4;
	c.udp.sport = 40000;
	c.udp.dport = 53;
	c.tcp.sport = 40001;
	c.tcp.dport = 80;
	c.tcp.seq = 1000;
	return c;
}

/* A counting payload of n bytes, in a buffer of exactly n bytes. */
static void payload(struct rp_craft *c, size_t n)
{
	uint8_t tmp[2048];

	assert_true(n <= sizeof tmp);
	for (size_t i = 0; i < n; i++)
		tmp[i] = (uint8_t)(i * 7 + 1);
	exact_free(&pl);
	pl = exact_copy(tmp, n);
	c->payload = pl.p;
	c->payload_len = n;
	c->set |= RP_CS_PAYLOAD;
}

/* Builds c into a buffer of exactly its size (one byte less fails) and decodes it into pkt. */
static size_t build(const struct rp_craft *c)
{
	size_t want = rp_craft_size(c), len;

	exact_free(&dg);
	dg = exact_copy(zeros, want);
	assert_int_equal(rp_craft_build(c, dg.p, want - 1), 0);
	len = rp_craft_build(c, dg.p, want);
	assert_int_equal(len, want);
	rp_decode(&pkt, T_DLT_IPV4, dg.p, (uint32_t)len, (uint32_t)len, RP_DECODE_CHECKSUMS);
	return len;
}

static void assert_ip_ok(size_t len, uint8_t proto)
{
	assert_int_equal(pkt.l3, RP_L3_IPV4);
	assert_null(pkt.malformed);
	assert_int_equal(pkt.ip.version, 4);
	assert_int_equal(pkt.ip.len, len);
	assert_int_equal(pkt.ip.proto, proto);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
	assert_true(pkt.ip.src == SRC && pkt.ip.dst == DST);
}

/* ------------------------------------------------------------ IPv4 */

static void test_default_echo(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	(void)state;

	assert_int_equal(rp_craft_check(&c, NULL), 0);
	assert_int_equal(build(&c), 28);
	assert_ip_ok(28, 1);
	assert_int_equal(pkt.ip.ihl, 5);
	assert_int_equal(pkt.ip.tos, 0);
	assert_int_equal(pkt.ip.ttl, 64);
	assert_int_equal(pkt.ip.id, 0x1234);
	assert_int_equal(pkt.ip.frag, 0);
	assert_int_equal(pkt.l4, RP_L4_ICMP);
	assert_int_equal(pkt.icmp.type, 8);
	assert_int_equal(pkt.icmp.code, 0);
	assert_int_equal(rp_icmp_id(&pkt.icmp), 0x4242);
	assert_int_equal(rp_icmp_seq(&pkt.icmp), 1);
	assert_int_equal(pkt.icmp.checksum_ok, RP_CHECK_OK);
	assert_false(rp_craft_needs_link_send(&c));
	assert_int_equal(rp_craft_build(&c, NULL, 100), 0);
}

static void test_ip_fields(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	(void)state;

	c.tos = 0xb8;
	c.ttl = 3;
	c.frag = RP_IP_DF | RP_IP_MF | (1480 / 8);
	c.set |= RP_CS_PROTO;
	c.proto = 1;
	payload(&c, 33);
	assert_int_equal(build(&c), 61);
	assert_int_equal(pkt.ip.tos, 0xb8);
	assert_int_equal(pkt.ip.ttl, 3);
	assert_int_equal(pkt.ip.frag, RP_IP_DF | RP_IP_MF | 185);
	assert_int_equal(rp_ip_frag_bytes(&pkt.ip), 1480);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(pkt.l4, RP_L4_NONE); /* not the first fragment */
	assert_memory_equal(dg.p + 28, pl.p, 33);
	assert_int_equal(ref_csum(dg.p + 20, 41), 0);

	/* --proto over a transport: the header says so, the transport stays. */
	c = spec(RP_CRAFT_UDP);
	c.set |= RP_CS_PROTO;
	c.proto = 47;
	build(&c);
	assert_int_equal(pkt.ip.proto, 47);
	assert_int_equal(get_be16(dg.p + 20), 40000);
}

/* Options encoded by the text parser, decoded back by the core's decoder. */
static void test_ip_options(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	struct rp_craft_err e;
	const struct rp_ipopt *o;
	(void)state;

	assert_int_equal(rp_craft_parse_ipopt(&c, "ra", &e), 0);
	assert_int_equal(rp_craft_parse_ipopt(&c, "lsrr=10.200.0.9,10.200.0.2", &e), 0);
	assert_int_equal(rp_craft_parse_ipopt(&c, "nop", &e), 0);
	assert_int_equal(rp_craft_parse_ipopt(&c, "ts=2", &e), 0);
	assert_int_equal(rp_craft_parse_ipopt(&c, "hex:99 03 ff", &e), 0); /* one of no name */
	assert_int_equal(c.ip_opts_len, 4 + 11 + 1 + 12 + 3);
	assert_int_equal(build(&c), 20 + 32 + 8);
	assert_ip_ok(60, 1);
	assert_int_equal(pkt.ip.ihl, 13);
	assert_int_equal(pkt.ip.nopts, 6);
	o = pkt.ip.opts;
	assert_int_equal(o[0].type, RP_IPOPT_RA);
	assert_int_equal(o[0].len, 4);
	assert_int_equal(o[1].type, RP_IPOPT_LSRR);
	assert_int_equal(o[1].len, 11);
	assert_int_equal(rp_ipopt_pointer(&pkt.ip, &o[1]), 4);
	assert_int_equal(rp_ipopt_route_count(&pkt.ip, &o[1]), 2);
	assert_true(rp_ipopt_route_addr(&pkt.ip, &o[1], 0) == ip4(10, 200, 0, 9));
	assert_true(rp_ipopt_route_addr(&pkt.ip, &o[1], 1) == ip4(10, 200, 0, 2));
	assert_int_equal(o[2].type, RP_IPOPT_NOP);
	assert_int_equal(o[3].type, RP_IPOPT_TS);
	assert_int_equal(o[3].len, 12);
	assert_int_equal(rp_ipopt_pointer(&pkt.ip, &o[3]), 5);
	assert_int_equal(o[4].type, 0x99);
	assert_int_equal(o[4].len, 3);
	assert_int_equal(o[5].type, RP_IPOPT_EOL); /* the padding */
	assert_int_equal(o[5].off, 51);
	assert_int_equal(pkt.icmp.checksum_ok, RP_CHECK_OK);

	/* rr alone: as many slots as fit, 9; ssrr; each decoded. */
	c = spec(RP_CRAFT_ICMP);
	assert_int_equal(rp_craft_parse_ipopt(&c, "rr", &e), 0);
	build(&c);
	assert_ip_ok(68, 1);
	assert_int_equal(pkt.ip.ihl, 15);
	assert_int_equal(pkt.ip.opts[0].type, RP_IPOPT_RR);
	assert_int_equal(pkt.ip.opts[0].len, 39);
	assert_int_equal(rp_ipopt_route_count(&pkt.ip, &pkt.ip.opts[0]), 9);
	assert_int_equal(rp_ipopt_pointer(&pkt.ip, &pkt.ip.opts[0]), 4);
	assert_int_equal(pkt.ip.opts[1].type, RP_IPOPT_EOL);

	c = spec(RP_CRAFT_ICMP);
	assert_int_equal(rp_craft_parse_ipopt(&c, "ssrr=10.200.0.7", &e), 0);
	build(&c);
	assert_ip_ok(36, 1);
	assert_int_equal(pkt.ip.opts[0].type, RP_IPOPT_SSRR);
	assert_true(rp_ipopt_route_addr(&pkt.ip, &pkt.ip.opts[0], 0) == ip4(10, 200, 0, 7));
}

/* ------------------------------------------------------------ ICMP */

static void assert_default_quote(uint8_t ttl)
{
	assert_true(pkt.has_inner);
	assert_true(pkt.inner.ip.src == DST && pkt.inner.ip.dst == SRC);
	assert_int_equal(pkt.inner.ip.proto, 17);
	assert_int_equal(pkt.inner.ip.len, 28);
	assert_int_equal(pkt.inner.ip.ttl, ttl);
	assert_int_equal(pkt.inner.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(pkt.inner.l4, RP_L4_UDP);
	assert_int_equal(pkt.inner.udp.len, 8);
	assert_int_equal(pkt.inner.udp.dport, 33434);
	assert_int_equal(pkt.inner.udp.checksum_ok, RP_CHECK_OK);
}

static void build_icmp(struct rp_craft *c, uint8_t type, uint8_t code, size_t want)
{
	c->icmp.type = type;
	c->icmp.code = code;
	assert_int_equal(build(c), want);
	assert_ip_ok(want, 1);
	assert_int_equal(pkt.l4, RP_L4_ICMP);
	assert_int_equal(pkt.icmp.type, type);
	assert_int_equal(pkt.icmp.code, code);
	assert_int_equal(pkt.icmp.checksum_ok, RP_CHECK_OK);
}

static void test_icmp_queries(void **state)
{
	static const uint8_t idseq[] = { 0, 8, 15, 16 };
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	(void)state;

	c.icmp.seq = 77;
	for (size_t i = 0; i < sizeof idseq; i++) {
		build_icmp(&c, idseq[i], 0, 28);
		assert_int_equal(rp_icmp_id(&pkt.icmp), 0x4242);
		assert_int_equal(rp_icmp_seq(&pkt.icmp), 77);
	}
	c.icmp.otime = 12345678;
	c.icmp.rtime = 0x01020304;
	c.icmp.ttime = 0xfffffffe;
	build_icmp(&c, 13, 0, 40);
	assert_int_equal(pkt.icmp.otime, 12345678);
	assert_int_equal(pkt.icmp.rtime, 0x01020304);
	assert_int_equal(pkt.icmp.ttime, 0xfffffffe);
	assert_int_equal(rp_icmp_seq(&pkt.icmp), 77);
	build_icmp(&c, 14, 0, 40);
	assert_int_equal(pkt.icmp.otime, 12345678);

	c.icmp.mask = ip4(255, 255, 252, 0);
	build_icmp(&c, 17, 0, 32);
	assert_true(pkt.icmp.mask == ip4(255, 255, 252, 0));
	assert_int_equal(rp_icmp_id(&pkt.icmp), 0x4242);
	build_icmp(&c, 18, 0, 32);
	assert_true(pkt.icmp.mask == ip4(255, 255, 252, 0));

	/* Router solicitation: 4 reserved bytes; advertisement: entries from the payload. */
	build_icmp(&c, 10, 0, 28);
	assert_int_equal(pkt.icmp.rest, 0);
	payload(&c, 16);
	build_icmp(&c, 9, 0, 44);
	assert_int_equal(pkt.icmp.radv_count, 2);
	assert_int_equal(pkt.icmp.rest & 0xffff, 1800);
}

static void test_icmp_errors(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	(void)state;

	/* Without a payload, each error quotes a plausible datagram. */
	c.icmp.mtu = 1400;
	build_icmp(&c, 3, 4, 56);
	assert_int_equal(pkt.icmp.rest, 1400);
	assert_default_quote(64);
	build_icmp(&c, 3, 3, 56);
	assert_int_equal(pkt.icmp.rest, 1400);
	build_icmp(&c, 11, 0, 56);
	assert_int_equal(pkt.icmp.rest, 0);
	assert_default_quote(1);
	build_icmp(&c, 4, 0, 56);
	assert_default_quote(64);
	c.icmp.gateway = ip4(10, 200, 0, 254);
	build_icmp(&c, 5, 1, 56);
	assert_int_equal(pkt.icmp.rest, 0x0ac800fe);
	assert_default_quote(64);
	c.icmp.pointer = 9;
	build_icmp(&c, 12, 0, 56);
	assert_int_equal(pkt.icmp.rest, 9u << 24);
	assert_default_quote(64);

	/* A payload given (even empty) replaces the quote. */
	payload(&c, 0);
	c.payload = NULL;
	c.icmp.type = 3;
	c.icmp.code = 3;
	assert_int_equal(build(&c), 28);
	assert_true(starts_with(pkt.malformed, "icmp: quoted ip: no header"));
	payload(&c, 5);
	c.icmp.type = 11;
	c.icmp.code = 0;
	assert_int_equal(build(&c), 33);
	assert_memory_equal(dg.p + 28, pl.p, 5);
	assert_int_equal(pkt.icmp.checksum_ok, RP_CHECK_OK);

	/* --icmp-rest wins over every typed field, and --count leaves it alone. */
	c = spec(RP_CRAFT_ICMP);
	c.set |= RP_CS_ICMP_REST;
	memcpy(c.icmp.rest, "\xde\xad\xbe\xef", 4);
	build_icmp(&c, 8, 0, 28);
	assert_int_equal(pkt.icmp.rest, 0xdeadbeef);
	rp_craft_renumber(&c, dg.p, 28, 5);
	assert_int_equal(get_be16(dg.p + 26), 0xbeef);
	assert_int_equal(ref_csum(dg.p + 20, 8), 0);
}

/* ------------------------------------------------------------ checksums */

static void test_checksum_overrides(void **state)
{
	static const enum rp_craft_l4 kinds[] = { RP_CRAFT_ICMP, RP_CRAFT_UDP, RP_CRAFT_TCP };
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		struct rp_craft c = spec(kinds[i]);
		int8_t *ok = kinds[i] == RP_CRAFT_ICMP ? &pkt.icmp.checksum_ok :
			     kinds[i] == RP_CRAFT_UDP ? &pkt.udp.checksum_ok : &pkt.tcp.checksum_ok;
		size_t at = kinds[i] == RP_CRAFT_ICMP ? 22 : kinds[i] == RP_CRAFT_UDP ? 26 : 36;
		uint16_t right;
		payload(&c, 11);
		build(&c);
		assert_int_equal(*ok, RP_CHECK_OK);
		assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
		right = (uint16_t)get_be16(dg.p + at);

		c.set |= RP_CS_L4_CSUM_BAD;
		build(&c);
		assert_int_equal(*ok, RP_CHECK_BAD);
		assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
		assert_int_equal(get_be16(dg.p + at), right ^ 1);

		c.set |= RP_CS_L4_CSUM; /* a value wins over "bad" */
		c.l4_csum = 0xabcd;
		build(&c);
		assert_int_equal(get_be16(dg.p + at), 0xabcd);

		c.set &= ~(uint32_t)(RP_CS_L4_CSUM | RP_CS_L4_CSUM_BAD);
		c.set |= RP_CS_IP_CSUM_BAD;
		build(&c);
		assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_BAD);
		assert_int_equal(pkt.ip.checksum, pkt.ip.checksum_want ^ 1);
		assert_int_equal(*ok, RP_CHECK_OK);
		c.set |= RP_CS_IP_CSUM;
		c.ip_csum = 0x1111;
		build(&c);
		assert_int_equal(pkt.ip.checksum, 0x1111);
	}
}

/* A 2-byte UDP payload chosen so that the right checksum comes out as 'want' before RFC 768's rule. */
static void udp_steer(struct rp_craft *c, uint16_t want_sum)
{
	uint8_t p[2] = { 0, 0 };
	uint64_t s;
	uint16_t w;

	exact_free(&pl);
	pl = exact_copy(p, 2);
	c->payload = pl.p;
	c->payload_len = 2;
	c->set |= RP_CS_PAYLOAD;
	/* The sum of everything but the payload word, then the word that brings it to want_sum. */
	s = ref_pseudo(c->src, c->dst, 17, 10) + c->udp.sport + c->udp.dport + 10;
	w = (uint16_t)~ref_fold(s); /* the folded sum */
	s = (uint64_t)want_sum + (uint16_t)~w;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	pl.p[0] = (uint8_t)(s >> 8);
	pl.p[1] = (uint8_t)s;
}

static void test_udp(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_UDP);
	(void)state;

	payload(&c, 21);
	assert_int_equal(build(&c), 49);
	assert_ip_ok(49, 17);
	assert_int_equal(pkt.udp.sport, 40000);
	assert_int_equal(pkt.udp.dport, 53);
	assert_int_equal(pkt.udp.len, 29);
	assert_int_equal(pkt.udp.checksum_ok, RP_CHECK_OK);
	assert_int_equal(ref_fold(ref_sum(ref_pseudo(SRC, DST, 17, 29), dg.p + 20, 29)), 0);
	assert_memory_equal(dg.p + 28, pl.p, 21);

	/* --udp-len: the field lies; the checksum covers what was really built. */
	c.set |= RP_CS_UDP_LEN;
	c.udp.len = 12;
	build(&c);
	assert_int_equal(pkt.udp.len, 12);
	assert_int_equal(ref_fold(ref_sum(ref_pseudo(SRC, DST, 17, 29), dg.p + 20, 29)), 0);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
	c.udp.len = 200;
	build(&c);
	assert_int_equal(get_be16(dg.p + 24), 200);
	assert_non_null(pkt.malformed);
	assert_true(starts_with(pkt.malformed, "udp: length 200"));

	/* A computed 0 goes out as 0xffff; "bad" is never 0. */
	c = spec(RP_CRAFT_UDP);
	udp_steer(&c, 0xffff); /* sum all ones: checksum 0 */
	build(&c);
	assert_int_equal(get_be16(dg.p + 26), 0xffff);
	assert_int_equal(pkt.udp.checksum_ok, RP_CHECK_OK);
	udp_steer(&c, 0xfffe); /* checksum 1: flipping bit 0 would give 0 */
	build(&c);
	assert_int_equal(get_be16(dg.p + 26), 1);
	c.set |= RP_CS_L4_CSUM_BAD;
	build(&c);
	assert_int_equal(get_be16(dg.p + 26), 3);
	assert_int_equal(pkt.udp.checksum_ok, RP_CHECK_BAD);
	/* An explicit 0 is "no checksum". */
	c.set |= RP_CS_L4_CSUM;
	c.l4_csum = 0;
	build(&c);
	assert_int_equal(get_be16(dg.p + 26), 0);
	assert_int_equal(pkt.udp.checksum_ok, RP_CHECK_NONE);
}

/* With a source route the pseudo-header names the final destination, the route's last hop. */
static void test_source_route_pseudo_header(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_UDP);
	struct rp_craft_err e;
	(void)state;

	assert_int_equal(rp_craft_parse_ipopt(&c, "lsrr=10.200.0.9,10.200.0.3", &e), 0);
	payload(&c, 4);
	assert_int_equal(build(&c), 32 + 12);
	assert_int_equal(ref_fold(ref_sum(ref_pseudo(SRC, ip4(10, 200, 0, 3), 17, 12), dg.p + 32, 12)), 0);
}

static void test_tcp(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_TCP);
	struct rp_craft_err e;
	const struct rp_tcpopt *o;
	uint32_t l, r;
	(void)state;

	assert_int_equal(build(&c), 40);
	assert_ip_ok(40, 6);
	assert_int_equal(pkt.tcp.sport, 40001);
	assert_int_equal(pkt.tcp.dport, 80);
	assert_int_equal(pkt.tcp.seq, 1000);
	assert_int_equal(pkt.tcp.ack, 0);
	assert_int_equal(pkt.tcp.hlen, 20);
	assert_int_equal(pkt.tcp.flags, RP_TH_SYN);
	assert_int_equal(pkt.tcp.win, 64240);
	assert_int_equal(pkt.tcp.urp, 0);
	assert_int_equal(pkt.tcp.checksum_ok, RP_CHECK_OK);

	c.tcp.ack = 0xfeedface;
	c.tcp.flags = RP_TH_ACK | RP_TH_PSH | RP_TH_URG;
	c.tcp.win = 7;
	c.tcp.urp = 3;
	assert_int_equal(rp_craft_parse_tcpopt(&c, "mss=1460,sack-ok,ts=1:2,nop,ws=7", &e), 0);
	assert_int_equal(rp_craft_parse_tcpopt(&c, "sack=10-20", &e), 0);
	payload(&c, 13);
	assert_int_equal(c.tcp.opts_len, 4 + 2 + 10 + 1 + 3 + 10);
	assert_int_equal(build(&c), 20 + 20 + 32 + 13);
	assert_ip_ok(85, 6);
	assert_int_equal(pkt.tcp.hlen, 52);
	assert_int_equal(pkt.tcp.ack, 0xfeedface);
	assert_int_equal(pkt.tcp.flags, RP_TH_ACK | RP_TH_PSH | RP_TH_URG);
	assert_int_equal(pkt.tcp.win, 7);
	assert_int_equal(pkt.tcp.urp, 3);
	assert_int_equal(pkt.tcp.payload, 13);
	assert_int_equal(pkt.tcp.checksum_ok, RP_CHECK_OK);
	assert_int_equal(pkt.tcp.nopts, 7);
	o = pkt.tcp.opts;
	assert_int_equal(o[0].kind, RP_TCPOPT_MSS);
	assert_int_equal(o[0].a, 1460);
	assert_int_equal(o[1].kind, RP_TCPOPT_SACKOK);
	assert_int_equal(o[2].kind, RP_TCPOPT_TIMESTAMP);
	assert_int_equal(o[2].a, 1);
	assert_int_equal(o[2].b, 2);
	assert_int_equal(o[3].kind, RP_TCPOPT_NOP);
	assert_int_equal(o[4].kind, RP_TCPOPT_WSCALE);
	assert_int_equal(o[4].a, 7);
	assert_int_equal(o[5].kind, RP_TCPOPT_SACK);
	assert_true(rp_tcpopt_sack_block(&pkt.tcp, &o[5], 0, &l, &r));
	assert_true(l == 10 && r == 20);
	assert_int_equal(o[6].kind, RP_TCPOPT_EOL); /* zero padding */
	assert_memory_equal(dg.p + 72, pl.p, 13);

	/* --tcp-hlen lies; the checksum still covers the segment. */
	c.set |= RP_CS_TCP_HLEN;
	c.tcp.hlen_words = 5;
	build(&c);
	assert_int_equal(pkt.tcp.hlen, 20);
	assert_int_equal(pkt.tcp.checksum_ok, RP_CHECK_OK);
	c.tcp.hlen_words = 15;
	build(&c);
	assert_int_equal(dg.p[32] >> 4, 15);
	assert_int_equal(pkt.tcp.checksum_ok, RP_CHECK_OK);
	c.tcp.hlen_words = 2;
	build(&c);
	assert_true(starts_with(pkt.malformed, "tcp: header length 8 < 20"));
}

static void test_raw(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_RAW);
	struct rp_craft_err e;
	(void)state;

	payload(&c, 7);
	assert_int_equal(rp_craft_check(&c, &e), -1);
	assert_true(starts_with(e.msg, "--proto: a raw payload needs a protocol number"));
	assert_int_equal(rp_craft_build(&c, zeros, sizeof zeros), 0);
	c.set |= RP_CS_PROTO;
	c.proto = 47;
	assert_int_equal(build(&c), 27);
	assert_ip_ok(27, 47);
	assert_int_equal(pkt.l4, RP_L4_OTHER);
	assert_memory_equal(dg.p + 20, pl.p, 7);
	c.set |= RP_CS_L4_CSUM_BAD;
	assert_int_equal(rp_craft_check(&c, &e), -1);
	assert_true(starts_with(e.msg, "transport checksum: "));
}

/* ------------------------------------------------------------ length overrides */

static void test_ip_length_overrides(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	(void)state;

	/* --ihl 6: the checksum covers the 24 bytes the header claims, as the kernel's would. */
	c.set |= RP_CS_IHL;
	c.ihl_words = 6;
	assert_int_equal(build(&c), 28);
	assert_int_equal(dg.p[0], 0x46);
	assert_int_equal(pkt.ip.ihl, 6);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(ref_csum(dg.p, 24), 0);
	assert_false(rp_craft_needs_link_send(&c));

	/* --ihl 4: malformed for every receiver; the checksum covers the 20 bytes built. */
	c.ihl_words = 4;
	build(&c);
	assert_int_equal(dg.p[0], 0x44);
	assert_true(starts_with(pkt.malformed, "ip: header length 16 < 20"));
	assert_int_equal(ref_csum(dg.p, 20), 0);
	assert_true(rp_craft_needs_link_send(&c));

	/* --ihl 15 on a 28-byte datagram: past its end. */
	c.ihl_words = 15;
	build(&c);
	assert_true(starts_with(pkt.malformed, "ip: header length 60 > 28"));
	assert_int_equal(ref_csum(dg.p, 20), 0);
	assert_true(rp_craft_needs_link_send(&c));

	/* Smaller than the options it must hold: allowed, deliberately wrong. */
	c = spec(RP_CRAFT_ICMP);
	assert_int_equal(rp_craft_parse_ipopt(&c, "rr=2", NULL), 0);
	c.set |= RP_CS_IHL;
	c.ihl_words = 5;
	assert_int_equal(build(&c), 40);
	assert_int_equal(pkt.ip.ihl, 5);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);

	/* --ip-len, shorter and longer than the truth. */
	c = spec(RP_CRAFT_ICMP);
	payload(&c, 10);
	c.set |= RP_CS_IP_LEN;
	c.ip_len = 30;
	assert_int_equal(build(&c), 38);
	assert_int_equal(pkt.ip.len, 30);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(ref_csum(dg.p + 20, 18), 0); /* ICMP over all 18 bytes built */
	c.ip_len = 1000;
	build(&c);
	assert_true(starts_with(pkt.malformed, "ip: total length 1000 > 38"));
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_OK);
	assert_true(rp_craft_needs_link_send(&c));
	c.ip_len = 38; /* the true length: the kernel would write the same */
	assert_false(rp_craft_needs_link_send(&c));
}

/* ------------------------------------------------------------ limits */

static void expect_refusal(const struct rp_craft *c, const char *msg)
{
	struct rp_craft_err e;

	memset(&e, 0, sizeof e);
	assert_int_equal(rp_craft_check(c, &e), -1);
	if (strcmp(e.msg, msg) != 0) {
		print_error("got '%s'\nwant '%s'\n", e.msg, msg);
		fail();
	}
	assert_int_equal(rp_craft_build(c, zeros, sizeof zeros), 0);
}

static void test_limits(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_UDP);
	static uint8_t big[65600];
	(void)state;

	c.payload = big;
	c.payload_len = 65600;
	c.set |= RP_CS_PAYLOAD;
	expect_refusal(&c, "payload: 65600 bytes with 28 bytes of headers; at most 65507");
	c.payload_len = 65508;
	expect_refusal(&c, "payload: 65508 bytes with 28 bytes of headers; at most 65507");
	c.payload_len = 65507;
	assert_int_equal(rp_craft_check(&c, NULL), 0);
	assert_int_equal(rp_craft_size(&c), 65535);
	c.payload_len = SIZE_MAX;
	expect_refusal(&c, "payload: 18446744073709551615 bytes with 28 bytes of headers; at most 65507");

	/* The maximum, built into exactly its size and decoded. */
	c = spec(RP_CRAFT_TCP);
	assert_int_equal(rp_craft_parse_ipopt(&c, "rr", NULL), 0);
	assert_int_equal(rp_craft_parse_tcpopt(&c, "mss=1,mss=2,mss=3,mss=4,mss=5,mss=6,mss=7,mss=8,mss=9,mss=10", NULL), 0);
	c.payload = big;
	c.payload_len = 65535 - 60 - 60 + 1;
	c.set |= RP_CS_PAYLOAD;
	expect_refusal(&c, "payload: 65416 bytes with 120 bytes of headers; at most 65415");
}

static void test_limits_fields(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_TCP);
	(void)state;

	c.ip_opts_len = 44;
	expect_refusal(&c, "--ip-opt: the options take 44 bytes; at most 40");
	c.ip_opts_len = 0;
	c.tcp.opts_len = 41;
	expect_refusal(&c, "--tcp-opt: the options take 41 bytes; at most 40");
	c.tcp.opts_len = 0;
	c.set |= RP_CS_IHL;
	c.ihl_words = 16;
	expect_refusal(&c, "--ihl: 16 words; the field holds 0-15");
	c.ihl_words = 0;
	assert_int_equal(rp_craft_check(&c, NULL), 0);
	c.set |= RP_CS_TCP_HLEN;
	c.tcp.hlen_words = 16;
	expect_refusal(&c, "--tcp-hlen: 16 words; the field holds 0-15");
	c = spec(RP_CRAFT_UDP);
	c.payload_len = 3;
	expect_refusal(&c, "payload: 3 bytes announced, none given");
	c = spec(RP_CRAFT_UDP);
	c.l4 = (enum rp_craft_l4)9;
	expect_refusal(&c, "transport: unknown kind 9");
}

/* 65535 bytes exactly: 60 of IP header, 60 of TCP header, the rest payload. */
static void test_largest(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_TCP);
	static uint8_t big[65535];
	(void)state;

	assert_int_equal(rp_craft_parse_ipopt(&c, "rr", NULL), 0);
	assert_int_equal(rp_craft_parse_tcpopt(&c, "mss=1,mss=2,mss=3,mss=4,mss=5,mss=6,mss=7,mss=8,mss=9,mss=10", NULL), 0);
	memset(big, 0xa5, sizeof big);
	c.payload = big;
	c.payload_len = 65535 - 120;
	c.set |= RP_CS_PAYLOAD;
	assert_int_equal(build(&c), 65535);
	assert_ip_ok(65535, 6);
	assert_int_equal(pkt.tcp.hlen, 60);
	assert_int_equal(pkt.tcp.checksum_ok, RP_CHECK_OK);
}

/* ------------------------------------------------------------ renumbering */

/* Probe n renumbered in place equals probe n built from scratch. */
static void renumber_equals_rebuild(struct rp_craft c, uint32_t n)
{
	struct rp_craft d = c;
	size_t len = rp_craft_size(&c);
	struct exact a = exact_copy(zeros, len), b = exact_copy(zeros, len);

	assert_int_equal(rp_craft_build(&c, a.p, len), len);
	rp_craft_renumber(&c, a.p, len, 3);  /* from another probe, not only from 0 */
	rp_craft_renumber(&c, a.p, len, n);
	if (c.l4 == RP_CRAFT_ICMP && rp_icmp_has_idseq(c.icmp.type) && !(c.set & RP_CS_ICMP_REST))
		d.icmp.seq = (uint16_t)(c.icmp.seq + n);
	if (c.l4 == RP_CRAFT_TCP)
		d.tcp.seq = c.tcp.seq + n;
	if (!(c.set & RP_CS_ID) && c.id != 0) {
		d.id = (uint16_t)((c.id - 1u + n % 65535u) % 65535u + 1u);
		d.set |= RP_CS_ID;
	}
	assert_int_equal(rp_craft_build(&d, b.p, len), len);
	if (memcmp(a.p, b.p, len) != 0) {
		print_error("renumber %u differs from a rebuild (l4 %d, set %#x)\n", n, c.l4, c.set);
		fail();
	}
	exact_free(&a);
	exact_free(&b);
}

static void test_renumber(void **state)
{
	uint64_t rng = 42;
	(void)state;

	for (int round = 0; round < 400; round++) {
		struct rp_craft c = spec((enum rp_craft_l4)(round % 3));
		uint32_t n = round < 40 ? (uint32_t)round : (uint32_t)rng_next(&rng);
		c.id = (uint16_t)rng_next(&rng);
		c.icmp.seq = (uint16_t)rng_next(&rng);
		c.tcp.seq = (uint32_t)rng_next(&rng);
		payload(&c, (size_t)(rng_next(&rng) % 50));
		if (round % 7 == 1)
			c.set |= RP_CS_IP_CSUM_BAD;
		if (round % 5 == 2)
			c.set |= RP_CS_L4_CSUM_BAD;
		if (round % 11 == 3) {
			c.set |= RP_CS_L4_CSUM;
			c.l4_csum = 0x5555;
		}
		if (round % 13 == 4) {
			c.set |= RP_CS_IP_CSUM;
			c.ip_csum = 0x7777;
		}
		if (round % 9 == 5)
			c.set |= RP_CS_ID;
		if (round % 17 == 6)
			c.icmp.type = RP_ICMP_TSTAMP;
		renumber_equals_rebuild(c, n);
	}
}

static void test_renumber_fields(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	size_t len;
	(void)state;

	c.id = 65535;
	c.icmp.seq = 65535;
	len = build(&c);
	rp_craft_renumber(&c, dg.p, len, 1);
	assert_int_equal(get_be16(dg.p + 4), 1); /* 0 is skipped */
	assert_int_equal(get_be16(dg.p + 26), 0);
	assert_int_equal(ref_csum(dg.p, 20), 0);
	assert_int_equal(ref_csum(dg.p + 20, 8), 0);
	rp_craft_renumber(&c, dg.p, len, 65535);
	assert_int_equal(get_be16(dg.p + 4), 65535);

	/* An id base of 0 is the kernel's to fill: left 0. A set id is kept. */
	c.id = 0;
	len = build(&c);
	rp_craft_renumber(&c, dg.p, len, 9);
	assert_int_equal(get_be16(dg.p + 4), 0);
	assert_int_equal(get_be16(dg.p + 26), 8);
	c.id = 77;
	c.set |= RP_CS_ID;
	len = build(&c);
	rp_craft_renumber(&c, dg.p, len, 9);
	assert_int_equal(get_be16(dg.p + 4), 77);

	/* A "bad" checksum stays one bit off the new right value. */
	c = spec(RP_CRAFT_TCP);
	c.set |= RP_CS_L4_CSUM_BAD | RP_CS_IP_CSUM_BAD;
	len = build(&c);
	rp_craft_renumber(&c, dg.p, len, 100);
	rp_decode(&pkt, T_DLT_IPV4, dg.p, (uint32_t)len, (uint32_t)len, RP_DECODE_CHECKSUMS);
	assert_int_equal(pkt.tcp.seq, 1100);
	assert_int_equal(pkt.tcp.checksum_ok, RP_CHECK_BAD);
	assert_int_equal(pkt.tcp.checksum, pkt.tcp.checksum_want ^ 1);
	assert_int_equal(pkt.ip.checksum_ok, RP_CHECK_BAD);
	assert_int_equal(pkt.ip.checksum, pkt.ip.checksum_want ^ 1);

	/* Not a datagram of this spec: untouched. */
	c = spec(RP_CRAFT_ICMP);
	len = build(&c);
	rp_craft_renumber(&c, dg.p, len - 1, 5);
	assert_int_equal(get_be16(dg.p + 26), 1);
}

/* ------------------------------------------------------------ sending path */

static void test_needs_link_send(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_UDP);
	(void)state;

	assert_false(rp_craft_needs_link_send(&c));
	c.set |= RP_CS_IP_CSUM_BAD;
	assert_true(rp_craft_needs_link_send(&c));
	c = spec(RP_CRAFT_UDP);
	c.set |= RP_CS_IP_CSUM;
	assert_true(rp_craft_needs_link_send(&c));

	/* id and source: 0 given explicitly; 0 by default is the kernel's choice. */
	c = spec(RP_CRAFT_UDP);
	c.id = 0;
	assert_false(rp_craft_needs_link_send(&c));
	c.set |= RP_CS_ID;
	assert_true(rp_craft_needs_link_send(&c));
	c.id = 5;
	assert_false(rp_craft_needs_link_send(&c));
	c = spec(RP_CRAFT_UDP);
	c.src = 0;
	assert_false(rp_craft_needs_link_send(&c));
	c.set |= RP_CS_SRC;
	assert_true(rp_craft_needs_link_send(&c));
	c.src = ip4(10, 200, 9, 9); /* spoofed, not zero: the kernel keeps it */
	assert_false(rp_craft_needs_link_send(&c));

	/* Transport overrides never matter to the kernel. */
	c = spec(RP_CRAFT_UDP);
	c.set |= RP_CS_L4_CSUM_BAD | RP_CS_UDP_LEN;
	c.udp.len = 3;
	assert_false(rp_craft_needs_link_send(&c));

	/* ihl: 5 up to the datagram's length is fine; under 5 or past the end is not. */
	c = spec(RP_CRAFT_UDP); /* 28 bytes */
	c.set |= RP_CS_IHL;
	for (unsigned w = 0; w <= 15; w++) {
		c.ihl_words = (uint8_t)w;
		assert_int_equal(rp_craft_needs_link_send(&c), w < 5 || w > 7);
	}
	c.set |= RP_CS_IP_LEN;
	c.ihl_words = 5;
	c.ip_len = 28;
	assert_false(rp_craft_needs_link_send(&c));
	c.ip_len = 27;
	assert_true(rp_craft_needs_link_send(&c));
}

/* ------------------------------------------------------------ answers */

static enum rp_craft_answer answer(const struct rp_craft *c, const struct pb *p)
{
	static struct rp_packet rx;
	struct exact e = exact_copy(p->d, p->n);
	enum rp_craft_answer a;

	rp_decode(&rx, T_DLT_IPV4, e.p, (uint32_t)p->n, (uint32_t)p->n, RP_DECODE_CHECKSUMS);
	a = rp_craft_match(c, SRC, &rx);
	exact_free(&e);
	return a;
}

/* An ICMP error from 'from' to 'to' quoting qlen bytes of q. */
static void pb_icmp_error(struct pb *p, uint32_t from, uint32_t to, unsigned type, unsigned code,
			  const uint8_t *q, size_t qlen)
{
	struct ipspec s = ipspec_default(1);
	size_t o;

	s.src = from;
	s.dst = to;
	pb_reset(p);
	pb_ipv4(p, &s, (unsigned)(28 + qlen));
	o = pb_u8(p, type);
	pb_u8(p, code);
	pb_be16(p, 0);
	pb_be32(p, 0);
	pb_bytes(p, q, qlen);
	icmp_fix_csum(p, o, p->n - o);
}

/* The probe as built, in p. */
static void pb_probe(struct pb *p, const struct rp_craft *c)
{
	pb_reset(p);
	p->n = rp_craft_build(c, p->d, sizeof p->d);
	assert_true(p->n > 0);
}

static void test_match_icmp(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	struct pb p, probe;
	(void)state;

	pb_reset(&p);
	pb_ipv4_echo(&p, 0, DST, SRC, 0x4242, 9, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, DST, SRC, 0x4243, 1, 0); /* another run's id */
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, ip4(10, 200, 0, 3), SRC, 0x4242, 1, 0); /* another host */
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, DST, ip4(10, 200, 0, 3), 0x4242, 1, 0); /* to someone else */
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);

	/* Our own request, seen again on loopback. */
	pb_probe(&probe, &c);
	assert_int_equal(answer(&c, &probe), RP_ANSWER_NONE);

	/* A router's time exceeded quoting it; quoting another id. */
	pb_icmp_error(&p, ROUTER, SRC, 11, 0, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
	pb_icmp_error(&p, ROUTER, ip4(10, 200, 0, 3), 11, 0, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	probe.d[24] ^= 1;
	pb_icmp_error(&p, ROUTER, SRC, 11, 0, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);

	/* Timestamp: its reply type, not an echo reply. */
	c.icmp.type = RP_ICMP_TSTAMP;
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, DST, SRC, 0x4242, 1, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_reset(&p);
	{
		struct ipspec s = ipspec_default(1);
		s.src = DST;
		s.dst = SRC;
		pb_ipv4(&p, &s, 40);
		pb_icmp_idseq(&p, 14, 0x4242, 1, 12);
	}
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);

	/* A reply type as the probe: nothing replies to it; our own copy is not an answer. */
	c.icmp.type = RP_ICMP_ECHOREPLY;
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, DST, SRC, 0x4242, 1, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_probe(&probe, &c);
	pb_icmp_error(&p, ROUTER, SRC, 3, 13, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
}

/* A source-routed probe: the reply comes from the route's end; a quote may name any hop. */
static void test_match_source_route(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	struct pb p, probe;
	(void)state;

	assert_int_equal(rp_craft_parse_ipopt(&c, "lsrr=10.200.0.9,10.200.0.3", NULL), 0);
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, ip4(10, 200, 0, 3), SRC, 0x4242, 1, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);
	pb_reset(&p);
	pb_ipv4_echo(&p, 0, ip4(10, 200, 0, 9), SRC, 0x4242, 1, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_probe(&probe, &c);
	memcpy(probe.d + 16, (uint32_t[]){ ip4(10, 200, 0, 9) }, 4); /* as the first hop forwarded it */
	ip_fix_csum(probe.d);
	pb_icmp_error(&p, ROUTER, SRC, 11, 0, probe.d, 40);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
	memcpy(probe.d + 16, (uint32_t[]){ ip4(10, 200, 0, 8) }, 4);
	ip_fix_csum(probe.d);
	pb_icmp_error(&p, ROUTER, SRC, 11, 0, probe.d, 40);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
}

static void test_match_icmp_error_probe(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_ICMP);
	struct pb p, probe;
	(void)state;

	c.icmp.type = RP_ICMP_UNREACH;
	c.icmp.code = 3;
	pb_probe(&probe, &c);
	assert_int_equal(answer(&c, &probe), RP_ANSWER_NONE);
	pb_icmp_error(&p, ROUTER, SRC, 11, 0, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
	probe.d[21] = 1; /* another code */
	pb_icmp_error(&p, ROUTER, SRC, 11, 0, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
}

static void test_match_udp(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_UDP);
	struct ipspec s = ipspec_default(17);
	struct pb p, probe;
	size_t o;
	(void)state;

	s.src = DST;
	s.dst = SRC;
	pb_reset(&p);
	pb_ipv4(&p, &s, 28 + 4);
	o = pb_udp(&p, 53, 40000, 4);
	l4_fix_csum(&p, o, 6, 12, DST, SRC, 17);
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);
	pb_reset(&p);
	pb_ipv4(&p, &s, 28);
	pb_udp(&p, 54, 40000, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_reset(&p);
	pb_ipv4(&p, &s, 28);
	pb_udp(&p, 53, 40001, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);

	pb_probe(&probe, &c);
	assert_int_equal(answer(&c, &probe), RP_ANSWER_NONE);
	/* Port unreachable from the target, quoting the probe (as Linux does, whole). */
	pb_icmp_error(&p, DST, SRC, 3, 3, probe.d, probe.n);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
	pb_icmp_error(&p, ROUTER, SRC, 3, 1, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
	probe.d[23] ^= 1; /* another destination port */
	pb_icmp_error(&p, DST, SRC, 3, 3, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	probe.d[23] ^= 1;
	probe.d[9] = 6; /* a TCP datagram with the same ports */
	pb_icmp_error(&p, DST, SRC, 3, 3, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
}

static void test_match_tcp(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_TCP);
	struct ipspec s = ipspec_default(6);
	struct pb p, probe;
	size_t o;
	(void)state;

	s.src = DST;
	s.dst = SRC;
	pb_reset(&p);
	pb_ipv4(&p, &s, 40);
	o = pb_tcp(&p, 80, 40001, 0, 1001, RP_TH_RST | RP_TH_ACK, 0, NULL, 0, 0);
	l4_fix_csum(&p, o, 16, 20, DST, SRC, 6);
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);
	pb_reset(&p);
	pb_ipv4(&p, &s, 40);
	pb_tcp(&p, 80, 40001, 5, 1001, RP_TH_SYN | RP_TH_ACK, 65535, NULL, 0, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);
	pb_reset(&p);
	pb_ipv4(&p, &s, 40);
	pb_tcp(&p, 81, 40001, 0, 1001, RP_TH_RST | RP_TH_ACK, 0, NULL, 0, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_reset(&p);
	pb_ipv4(&p, &s, 40);
	pb_tcp(&p, 80, 40002, 0, 1001, RP_TH_RST | RP_TH_ACK, 0, NULL, 0, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);

	pb_probe(&probe, &c);
	assert_int_equal(answer(&c, &probe), RP_ANSWER_NONE);
	pb_icmp_error(&p, ROUTER, SRC, 3, 13, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
	probe.d[20] ^= 1; /* another source port */
	pb_icmp_error(&p, ROUTER, SRC, 3, 13, probe.d, 28);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
}

static void test_match_raw(void **state)
{
	struct rp_craft c = spec(RP_CRAFT_RAW);
	struct ipspec s = ipspec_default(47);
	struct pb p, probe;
	(void)state;

	c.set |= RP_CS_PROTO;
	c.proto = 47;
	payload(&c, 4);
	s.src = DST;
	s.dst = SRC;
	pb_reset(&p);
	pb_ipv4(&p, &s, 24);
	pb_be32(&p, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_REPLY);
	s.proto = 50;
	pb_reset(&p);
	pb_ipv4(&p, &s, 24);
	pb_be32(&p, 0);
	assert_int_equal(answer(&c, &p), RP_ANSWER_NONE);
	pb_probe(&probe, &c);
	assert_int_equal(answer(&c, &probe), RP_ANSWER_NONE);
	pb_icmp_error(&p, DST, SRC, 3, 2, probe.d, probe.n);
	assert_int_equal(answer(&c, &p), RP_ANSWER_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_default_echo, cleanup),
		cmocka_unit_test_teardown(test_ip_fields, cleanup),
		cmocka_unit_test_teardown(test_ip_options, cleanup),
		cmocka_unit_test_teardown(test_icmp_queries, cleanup),
		cmocka_unit_test_teardown(test_icmp_errors, cleanup),
		cmocka_unit_test_teardown(test_checksum_overrides, cleanup),
		cmocka_unit_test_teardown(test_udp, cleanup),
		cmocka_unit_test_teardown(test_source_route_pseudo_header, cleanup),
		cmocka_unit_test_teardown(test_tcp, cleanup),
		cmocka_unit_test_teardown(test_raw, cleanup),
		cmocka_unit_test_teardown(test_ip_length_overrides, cleanup),
		cmocka_unit_test_teardown(test_limits, cleanup),
		cmocka_unit_test_teardown(test_limits_fields, cleanup),
		cmocka_unit_test_teardown(test_largest, cleanup),
		cmocka_unit_test_teardown(test_renumber, cleanup),
		cmocka_unit_test_teardown(test_renumber_fields, cleanup),
		cmocka_unit_test_teardown(test_needs_link_send, cleanup),
		cmocka_unit_test_teardown(test_match_icmp, cleanup),
		cmocka_unit_test_teardown(test_match_source_route, cleanup),
		cmocka_unit_test_teardown(test_match_icmp_error_probe, cleanup),
		cmocka_unit_test_teardown(test_match_udp, cleanup),
		cmocka_unit_test_teardown(test_match_tcp, cleanup),
		cmocka_unit_test_teardown(test_match_raw, cleanup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
