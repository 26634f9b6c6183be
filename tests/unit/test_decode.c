/* The whole decoder: rp_decode and rp_dlt_supported (src/core/decode.c), frames built by hand. */
#include "pkt_helpers.h"

#include "rawprobe/decode.h"
#include "rawprobe/packet.h"

struct dres {
	struct exact mem;
	struct rp_packet pkt;
};

/* Decodes caplen bytes of d (an exact-size copy) of a frame that had len bytes. */
static void dec_into(struct dres *r, int dlt, const uint8_t *d, size_t caplen, size_t len)
{
	r->mem = exact_copy(d, caplen);
	rp_decode(&r->pkt, dlt, r->mem.p, (uint32_t)caplen, (uint32_t)len, RP_DECODE_CHECKSUMS);
}

static void dec(struct dres *r, int dlt, const uint8_t *d, size_t caplen, size_t len)
{
	memset(r, 0, sizeof *r);
	dec_into(r, dlt, d, caplen, len);
}

static void done(struct dres *r)
{
	exact_free(&r->mem);
}

static void expect_clean(const struct rp_packet *pkt, const char *what)
{
	if (pkt->malformed != NULL)
		fail_msg("%s: malformed \"%s\"", what, pkt->malformed);
	if (pkt->cut != RP_LAYER_NONE)
		fail_msg("%s: cut %d", what, pkt->cut);
}

static void expect_malformed(const struct rp_packet *pkt, const char *prefix)
{
	if (pkt->malformed == NULL)
		fail_msg("not malformed, want \"%s...\"", prefix);
	if (!starts_with(pkt->malformed, prefix) || strlen(pkt->malformed) <= strlen(prefix))
		fail_msg("malformed \"%s\", want \"%s...\"", pkt->malformed, prefix);
	/* it points into the packet's own buffer, so it outlives the decoder's stack */
	assert_true(pkt->malformed >= pkt->malformed_buf &&
		    pkt->malformed < pkt->malformed_buf + RP_MALFORMED_MAX);
	assert_non_null(memchr(pkt->malformed_buf, 0, RP_MALFORMED_MAX));
}

static const struct {
	int dlt, build;
	unsigned type;
	size_t hlen;
	const char *name;
} dlts[] = {
	{ T_DLT_EN10MB, T_DLT_EN10MB, 0x0800, 14, "EN10MB" },
	{ T_DLT_RAW, T_DLT_RAW, 0, 0, "RAW 12" },
	{ T_DLT_RAW_OPENBSD, T_DLT_RAW, 0, 0, "RAW 14" },
	{ T_DLT_RAW_LINKTYPE, T_DLT_RAW, 0, 0, "RAW 101" },
	{ T_DLT_IPV4, T_DLT_IPV4, 0, 0, "IPV4" },
	{ T_DLT_LINUX_SLL, T_DLT_LINUX_SLL, 0x0800, 16, "LINUX_SLL" },
	{ T_DLT_LINUX_SLL2, T_DLT_LINUX_SLL2, 0x0800, 20, "LINUX_SLL2" },
	{ T_DLT_NULL, T_DLT_NULL, 2, 4, "NULL little-endian" },
	{ T_DLT_NULL, T_NULL_BE, 2, 4, "NULL big-endian" },
	{ T_DLT_LOOP, T_DLT_LOOP, 2, 4, "LOOP" },
};

static void test_echo_behind_every_dlt(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		struct pb p;
		struct dres r;
		size_t hl;
		pb_reset(&p);
		hl = pb_link(&p, dlts[i].build, dlts[i].type);
		pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 77, 3, 56);
		dec(&r, dlts[i].dlt, p.d, p.n, p.n);
		expect_clean(&r.pkt, dlts[i].name);
		if (r.pkt.l3 != RP_L3_IPV4 || r.pkt.l4 != RP_L4_ICMP)
			fail_msg("%s: l3 %d l4 %d", dlts[i].name, r.pkt.l3, r.pkt.l4);
		assert_int_equal(r.pkt.l3_offset, hl);
		assert_int_equal(r.pkt.ip.src, ip4(10, 0, 0, 1));
		assert_int_equal(r.pkt.ip.dst, ip4(10, 0, 0, 2));
		assert_int_equal(r.pkt.ip.len, 84);
		assert_int_equal(r.pkt.ip.checksum_ok, RP_CHECK_OK);
		assert_int_equal(r.pkt.icmp.type, RP_ICMP_ECHO);
		assert_int_equal(rp_icmp_id(&r.pkt.icmp), 77);
		assert_int_equal(rp_icmp_seq(&r.pkt.icmp), 3);
		assert_int_equal(r.pkt.icmp.length, 64);
		assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_OK);
		assert_false(r.pkt.has_inner);
		assert_int_equal(r.pkt.nvlan, 0);
		if (dlts[i].dlt == T_DLT_EN10MB) {
			assert_non_null(r.pkt.mac);
			assert_memory_equal(r.pkt.mac, MAC_DST, 6);
			assert_memory_equal(r.pkt.mac + 6, MAC_SRC, 6);
			assert_int_equal(r.pkt.ethertype, 0x0800);
		} else {
			assert_null(r.pkt.mac);
		}
		done(&r);
	}
}

static void test_ethernet_padding(void **state)
{
	struct pb p;
	struct dres r;
	(void)state;

	/* a 28-byte echo reply padded to the 60-byte Ethernet minimum */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	pb_ipv4_echo(&p, 0, ip4(10, 0, 0, 2), ip4(10, 0, 0, 1), 9, 9, 0);
	pb_fill(&p, 0xee, 18);
	assert_int_equal(p.n, 60);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "padded echo reply");
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(r.pkt.icmp.length, 8);
	assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_OK);
	done(&r);
}

static void test_vlan_and_qinq(void **state)
{
	struct pb p;
	struct dres r;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x8100);
	pb_be16(&p, 0xa07b); /* PCP 5, VID 123 */
	pb_be16(&p, 0x0800);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, 16);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "802.1Q");
	assert_int_equal(r.pkt.nvlan, 1);
	assert_int_equal(r.pkt.vlan[0], 0xa07b);
	assert_int_equal(r.pkt.l3_offset, 18);
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_OK);
	done(&r);

	pb_reset(&p);
	pb_eth(&p, 0x88a8);
	pb_be16(&p, 0x0064);
	pb_be16(&p, 0x8100);
	pb_be16(&p, 0x00c8);
	pb_be16(&p, 0x0800);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, 16);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "QinQ");
	assert_int_equal(r.pkt.nvlan, 2);
	assert_int_equal(r.pkt.vlan[0], 100);
	assert_int_equal(r.pkt.vlan[1], 200);
	assert_int_equal(r.pkt.l3_offset, 22);
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	done(&r);
}

static void test_non_ipv4(void **state)
{
	struct pb p;
	struct dres r;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0806);
	pb_be16(&p, 1);
	pb_be16(&p, 0x0800);
	pb_u8(&p, 6);
	pb_u8(&p, 4);
	pb_be16(&p, 1);
	pb_fill(&p, 0, 20);
	pb_fill(&p, 0, 18);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "ARP");
	assert_int_equal(r.pkt.l3, RP_L3_OTHER);
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	assert_int_equal(r.pkt.other_kind, RP_OTHER_ETHERTYPE);
	assert_int_equal(r.pkt.ethertype, 0x0806);
	done(&r);

	pb_reset(&p);
	pb_eth(&p, 0x86dd);
	pb_u8(&p, 0x60);
	pb_fill(&p, 0, 39);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "IPv6");
	assert_int_equal(r.pkt.l3, RP_L3_OTHER);
	assert_int_equal(r.pkt.ethertype, 0x86dd);
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	done(&r);

	pb_reset(&p);
	pb_u8(&p, 0x60);
	pb_fill(&p, 0, 39);
	dec(&r, T_DLT_RAW, p.d, p.n, p.n);
	assert_null(r.pkt.malformed);
	assert_int_equal(r.pkt.l3, RP_L3_OTHER);
	assert_int_equal(r.pkt.other_kind, RP_OTHER_IPVER);
	assert_int_equal(r.pkt.ethertype, 6);
	done(&r);
}

static void test_zero_length_frame(void **state)
{
	static const uint8_t none[1] = { 0 };
	(void)state;

	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		struct dres r;
		dec(&r, dlts[i].dlt, none, 0, 0);
		if (r.pkt.malformed == NULL)
			fail_msg("%s: a zero-length frame is not malformed", dlts[i].name);
		if (strstr(r.pkt.malformed, ": ") == NULL)
			fail_msg("%s: malformed \"%s\" is not \"layer: what\"", dlts[i].name,
				 r.pkt.malformed);
		assert_int_equal(r.pkt.l4, RP_L4_NONE);
		if (dlts[i].hlen)
			assert_int_equal(r.pkt.l3, RP_L3_NONE);
		done(&r);
	}
}

static void test_cut_link_ip_icmp(void **state)
{
	struct pb p;
	struct dres r;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 5, 6, 56);

	for (size_t k = 0; k < 14; k++) {
		dec(&r, T_DLT_EN10MB, p.d, k, p.n);
		if (r.pkt.cut != RP_LAYER_LINK)
			fail_msg("caplen %zu: cut %d, want RP_LAYER_LINK", k, r.pkt.cut);
		assert_null(r.pkt.malformed);
		assert_int_equal(r.pkt.l3, RP_L3_NONE);
		assert_int_equal(r.pkt.l4, RP_L4_NONE);
		done(&r);
	}

	for (size_t k = 14; k < 34; k++) {
		dec(&r, T_DLT_EN10MB, p.d, k, p.n);
		if (r.pkt.cut != RP_LAYER_IP)
			fail_msg("caplen %zu: cut %d, want RP_LAYER_IP", k, r.pkt.cut);
		assert_null(r.pkt.malformed);
		assert_int_equal(r.pkt.l3, RP_L3_IPV4);
		assert_int_equal(r.pkt.l4, RP_L4_NONE);
		assert_int_equal(r.pkt.ip.checksum_ok, RP_CHECK_NONE);
		assert_int_equal(r.pkt.l3_offset, 14);
		done(&r);
	}

	/* type and code captured, checksum and id/seq not */
	dec(&r, T_DLT_EN10MB, p.d, 36, p.n);
	assert_int_equal(r.pkt.cut, RP_LAYER_ICMP);
	assert_null(r.pkt.malformed);
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(r.pkt.icmp.have, RP_ICMP_TYPE | RP_ICMP_CODE);
	assert_int_equal(r.pkt.icmp.type, 8);
	assert_int_equal(r.pkt.ip.checksum_ok, RP_CHECK_OK);
	done(&r);

	/* header complete, payload cut: IP checksum checked, ICMP's cannot be */
	dec(&r, T_DLT_EN10MB, p.d, 42, p.n);
	assert_null(r.pkt.malformed);
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(r.pkt.ip.checksum_ok, RP_CHECK_OK);
	assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_NONE);
	assert_int_equal(rp_icmp_seq(&r.pkt.icmp), 6);
	done(&r);
}

static void test_nonfirst_fragment(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s = ipspec_default(1);
	(void)state;

	/* non-first fragment of an ICMP datagram: no transport */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s.frag = 0x00b9; /* offset 1480, last fragment */
	pb_ipv4(&p, &s, 20 + 100);
	pb_pattern(&p, 100);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "non-first fragment");
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	assert_int_equal(rp_ip_frag_bytes(&r.pkt.ip), 1480);
	done(&r);

	/* a middle one (MF and an offset), whose first bytes would look like a UDP header */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(17);
	s.frag = RP_IP_MF | 3;
	pb_ipv4(&p, &s, 20 + 24);
	pb_be16(&p, 1);
	pb_be16(&p, 2);
	pb_be16(&p, 3); /* a "length" of 3 would be malformed */
	pb_fill(&p, 0, 18);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "middle fragment");
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	done(&r);
}

/* first fragment of a UDP datagram (MF, offset 0): UDP decoded, checksum not checkable */
static void test_first_fragment_udp(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s = ipspec_default(17);
	size_t ipo, l4;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s.frag = RP_IP_MF;
	ipo = pb_ipv4(&p, &s, 20 + 8 + 32);
	l4 = pb_udp(&p, 5000, 6000, 1000);
	p.n = ipo + 20 + 8 + 32; /* only 32 bytes of the 1000 are in this fragment */
	l4_fix_csum(&p, l4, 6, 1008, s.src, s.dst, 17); /* over the whole (absent) datagram */
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "first UDP fragment");
	assert_int_equal(r.pkt.l4, RP_L4_UDP);
	assert_int_equal(r.pkt.udp.sport, 5000);
	assert_int_equal(r.pkt.udp.len, 1008);
	assert_int_equal(r.pkt.udp.checksum_ok, RP_CHECK_NONE);
	done(&r);
}

/* first fragment of an ICMP echo whose checksum happens to be right for the fragment alone */
static void test_first_fragment_icmp(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s = ipspec_default(1);
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s.frag = RP_IP_MF;
	pb_ipv4(&p, &s, 20 + 48);
	pb_icmp_idseq(&p, 8, 11, 12, 40);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "first ICMP fragment");
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(rp_icmp_id(&r.pkt.icmp), 11);
	assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_NONE);
	done(&r);
}

/* first fragment of a TCP segment: decoded, checksum not checkable */
static void test_first_fragment_tcp(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s = ipspec_default(6);
	size_t l4;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s.frag = RP_IP_MF | RP_IP_DF;
	pb_ipv4(&p, &s, 20 + 40);
	l4 = pb_tcp(&p, 1, 2, 3, 4, RP_TH_ACK, 5, NULL, 0, 20);
	l4_fix_csum(&p, l4, 16, 40, s.src, s.dst, 6);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "first TCP fragment");
	assert_int_equal(r.pkt.l4, RP_L4_TCP);
	assert_int_equal(r.pkt.tcp.checksum_ok, RP_CHECK_NONE);
	done(&r);
}

static void test_transports(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s;
	size_t l4;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(17);
	pb_ipv4(&p, &s, 20 + 8 + 13);
	l4 = pb_udp(&p, 5353, 53, 13);
	l4_fix_csum(&p, l4, 6, 21, s.src, s.dst, 17);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "UDP");
	assert_int_equal(r.pkt.l4, RP_L4_UDP);
	assert_int_equal(r.pkt.udp.dport, 53);
	assert_int_equal(r.pkt.udp.checksum_ok, RP_CHECK_OK);
	done(&r);

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(6);
	pb_ipv4(&p, &s, 20 + 20 + 7);
	l4 = pb_tcp(&p, 80, 40000, 1, 2, RP_TH_ACK | RP_TH_PSH, 512, NULL, 0, 7);
	l4_fix_csum(&p, l4, 16, 27, s.src, s.dst, 6);
	pb_fill(&p, 0, 6); /* Ethernet padding must not enter the checksum */
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "TCP");
	assert_int_equal(r.pkt.l4, RP_L4_TCP);
	assert_int_equal(r.pkt.tcp.sport, 80);
	assert_int_equal(r.pkt.tcp.payload, 7);
	assert_int_equal(r.pkt.tcp.checksum_ok, RP_CHECK_OK);
	done(&r);

	/* GRE: another IP protocol */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(47);
	pb_ipv4(&p, &s, 20 + 8);
	pb_fill(&p, 0, 8);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "GRE");
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.l4, RP_L4_OTHER);
	assert_int_equal(r.pkt.ip.proto, 47);
	done(&r);
}

static void test_malformed_stops_at_its_layer(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s;
	size_t ipo, l4;
	(void)state;

	/* IP header length 12 */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	ipo = pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	p.d[ipo] = 0x43;
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_malformed(&r.pkt, "ip: ");
	assert_string_equal(r.pkt.malformed, "ip: header length 12 < 20");
	assert_non_null(r.pkt.mac); /* the link layer stays */
	assert_int_equal(r.pkt.l3_offset, 14);
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	assert_false(r.pkt.has_inner);
	done(&r);

	/* UDP length 4: IP stays decoded */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(17);
	s.src = ip4(192, 0, 2, 33);
	ipo = pb_ipv4(&p, &s, 20 + 12);
	l4 = pb_udp(&p, 1, 2, 4);
	put_be16(p.d + l4 + 4, 4);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_malformed(&r.pkt, "udp: ");
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.ip.src, ip4(192, 0, 2, 33));
	assert_int_equal(r.pkt.ip.checksum_ok, RP_CHECK_OK);
	done(&r);

	/* ICMP message of 4 bytes */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(1);
	pb_ipv4(&p, &s, 24);
	pb_u8(&p, 8);
	pb_u8(&p, 0);
	pb_be16(&p, 0xf7ff);
	pb_fill(&p, 0, 22); /* padding */
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_malformed(&r.pkt, "icmp: ");
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.ip.len, 24);
	done(&r);

	/* TCP data offset 4 */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s = ipspec_default(6);
	pb_ipv4(&p, &s, 40);
	l4 = pb_tcp(&p, 1, 2, 3, 4, 0, 5, NULL, 0, 0);
	p.d[l4 + 12] = 0x40;
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_malformed(&r.pkt, "tcp: ");
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	done(&r);

	/* IP total length beyond the frame */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	ipo = pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	put_be16(p.d + ipo + 2, 200);
	ip_fix_csum(p.d + ipo);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_malformed(&r.pkt, "ip: ");
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	done(&r);
}

static void test_icmp_error_inner(void **state)
{
	struct pb p;
	struct dres r;
	struct ipspec s = ipspec_default(1), q = ipspec_default(17);
	size_t icmp, udp;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x0800);
	s.src = ip4(10, 200, 0, 254);
	s.dst = ip4(10, 200, 0, 1);
	pb_ipv4(&p, &s, 20 + 8 + 28);
	icmp = pb_u8(&p, RP_ICMP_TIMXCEED);
	pb_u8(&p, 0);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	q.ttl = 1;
	q.src = ip4(10, 200, 0, 1);
	q.dst = ip4(10, 200, 5, 5);
	pb_ipv4(&p, &q, 20 + 8 + 24); /* the original was 52 bytes; 28 quoted */
	udp = pb_udp(&p, 44444, 33434, 0);
	put_be16(p.d + udp + 4, 32);
	icmp_fix_csum(&p, icmp, p.n - icmp);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	expect_clean(&r.pkt, "time exceeded");
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(r.pkt.icmp.type, RP_ICMP_TIMXCEED);
	assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_OK);
	assert_true(r.pkt.has_inner);
	assert_int_equal(r.pkt.inner.ip.ttl, 1);
	assert_int_equal(r.pkt.inner.ip.len, 52);
	assert_int_equal(r.pkt.inner.ip.dst, ip4(10, 200, 5, 5));
	assert_int_equal(r.pkt.inner.l4, RP_L4_UDP);
	assert_int_equal(r.pkt.inner.udp.sport, 44444);
	assert_int_equal(r.pkt.inner.udp.dport, 33434);
	assert_int_equal(r.pkt.inner.udp.len, 32);
	done(&r);

	/* the quote shorter than an IP header: malformed, the ICMP layer stays */
	pb_reset(&p);
	pb_eth(&p, 0x0800);
	pb_ipv4(&p, &s, 20 + 8 + 12);
	icmp = pb_u8(&p, RP_ICMP_UNREACH);
	pb_u8(&p, 1);
	pb_be16(&p, 0);
	pb_be32(&p, 0);
	pb_ipv4(&p, &q, 60);
	p.n -= 8; /* keep 12 bytes of the quoted header */
	icmp_fix_csum(&p, icmp, p.n - icmp);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	if (r.pkt.malformed == NULL || strstr(r.pkt.malformed, ": ") == NULL)
		fail_msg("short quote: malformed \"%s\"", r.pkt.malformed ? r.pkt.malformed : "(null)");
	assert_int_equal(r.pkt.l4, RP_L4_ICMP);
	assert_int_equal(r.pkt.icmp.type, RP_ICMP_UNREACH);
	assert_int_equal(r.pkt.icmp.code, 1);
	done(&r);
}

static void test_reuse_clears_state(void **state)
{
	struct pb p, q;
	struct dres r;
	size_t ipo;
	(void)state;

	/* first a VLAN frame whose IP header is malformed... */
	pb_reset(&p);
	pb_eth(&p, 0x8100);
	pb_be16(&p, 5);
	pb_be16(&p, 0x0800);
	ipo = pb_ipv4_echo(&p, 0, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	p.d[ipo] = 0x42;
	memset(&r, 0, sizeof r);
	dec_into(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	assert_non_null(r.pkt.malformed);
	assert_int_equal(r.pkt.nvlan, 1);
	exact_free(&r.mem);

	/* ...then a time exceeded, leaving has_inner... */
	pb_reset(&q);
	{
		struct ipspec s = ipspec_default(1), qs = ipspec_default(17);
		size_t icmp;
		pb_ipv4(&q, &s, 56);
		icmp = pb_u8(&q, 11);
		pb_u8(&q, 0);
		pb_be16(&q, 0);
		pb_be32(&q, 0);
		pb_ipv4(&q, &qs, 28);
		pb_udp(&q, 1, 2, 0);
		icmp_fix_csum(&q, icmp, q.n - icmp);
	}
	dec_into(&r, T_DLT_RAW, q.d, q.n, q.n);
	assert_null(r.pkt.malformed);
	assert_true(r.pkt.has_inner);
	assert_int_equal(r.pkt.nvlan, 0);
	assert_null(r.pkt.mac);
	exact_free(&r.mem);

	/* ...then a plain cut echo over RAW into the same struct */
	pb_reset(&p);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 3), ip4(10, 0, 0, 4), 2, 2, 8);
	dec_into(&r, T_DLT_RAW, p.d, 24, p.n);
	assert_null(r.pkt.malformed);
	assert_false(r.pkt.has_inner);
	assert_int_equal(r.pkt.nvlan, 0);
	assert_null(r.pkt.mac);
	assert_int_equal(r.pkt.cut, RP_LAYER_ICMP);
	assert_int_equal(r.pkt.l3_offset, 0);
	assert_int_equal(r.pkt.ip.src, ip4(10, 0, 0, 3));
	assert_int_equal(r.pkt.ip.nopts, 0);
	exact_free(&r.mem);

	/* and a complete one: cut is back to NONE */
	dec_into(&r, T_DLT_RAW, p.d, p.n, p.n);
	expect_clean(&r.pkt, "reused struct");
	assert_int_equal(r.pkt.icmp.checksum_ok, RP_CHECK_OK);
	exact_free(&r.mem);
}

static void test_unsupported_dlt(void **state)
{
	struct pb p;
	struct dres r;
	(void)state;

	pb_reset(&p);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	dec(&r, 147, p.d, p.n, p.n);
	assert_int_not_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.l4, RP_L4_NONE);
	done(&r);
}

/* Invariants every decoded packet keeps, whatever the bytes. */
static void check_invariants(const struct rp_packet *pkt, unsigned iter)
{
	if (pkt->malformed) {
		if (pkt->malformed < pkt->malformed_buf ||
		    pkt->malformed >= pkt->malformed_buf + RP_MALFORMED_MAX ||
		    memchr(pkt->malformed_buf, 0, RP_MALFORMED_MAX) == NULL ||
		    strstr(pkt->malformed, ": ") == NULL)
			fail_msg("iteration %u: malformed text not \"layer: what\" in its buffer", iter);
	}
	if (pkt->l4 != RP_L4_NONE && pkt->l3 != RP_L3_IPV4)
		fail_msg("iteration %u: l4 %d without IPv4", iter, pkt->l4);
	if (pkt->has_inner && (pkt->l4 != RP_L4_ICMP || !rp_icmp_is_error(pkt->icmp.type)))
		fail_msg("iteration %u: inner without an ICMP error", iter);
	assert_true(pkt->nvlan <= RP_VLAN_MAX);
	if (pkt->l3 == RP_L3_IPV4 && pkt->malformed == NULL && pkt->cut == RP_LAYER_NONE) {
		if ((pkt->ip.have & 0x3ff) != 0x3ff)
			fail_msg("iteration %u: whole IPv4 header but have %#x", iter, (unsigned)pkt->ip.have);
		for (unsigned i = 0; i < pkt->ip.nopts; i++) {
			const struct rp_ipopt *o = &pkt->ip.opts[i];
			if (o->off < 20 || o->len < 1 || o->off + o->len > pkt->ip.ihl * 4u)
				fail_msg("iteration %u: ip option %u at %u len %u outside the header", iter, i,
					 o->off, o->len);
			(void)rp_ipopt_route_count(&pkt->ip, o);
			(void)rp_ipopt_route_addr(&pkt->ip, o, 0);
			(void)rp_ipopt_route_addr(&pkt->ip, o, 9);
			(void)rp_ipopt_pointer(&pkt->ip, o);
		}
	}
	assert_true(pkt->ip.nopts <= RP_IPOPT_MAX);
	if (pkt->l4 == RP_L4_TCP && pkt->malformed == NULL && (pkt->tcp.have & RP_TCP_OPTS)) {
		assert_true(pkt->tcp.nopts <= RP_TCPOPT_MAX);
		for (unsigned i = 0; i < pkt->tcp.nopts; i++) {
			const struct rp_tcpopt *o = &pkt->tcp.opts[i];
			uint32_t l, r;
			if (o->off < 20 || o->len < 1 || o->off + o->len > pkt->tcp.hlen)
				fail_msg("iteration %u: tcp option %u at %u len %u outside the header", iter, i,
					 o->off, o->len);
			for (unsigned k = 0; k < 5; k++)
				(void)rp_tcpopt_sack_block(&pkt->tcp, o, k, &l, &r);
		}
	}
	if (pkt->l4 == RP_L4_ICMP && pkt->malformed == NULL) {
		assert_true(pkt->icmp.radv_kept <= RP_RADV_MAX);
		assert_true(pkt->icmp.radv_kept <= pkt->icmp.radv_count);
	}
	assert_true(pkt->ip.checksum_ok >= -1 && pkt->ip.checksum_ok <= 1);
}

/*
 * Damaged copies of valid frames, cut at random capture lengths, through
 * every link type: exact-size buffers, so ASan sees any read past caplen.
 */
static void test_damaged_frames_never_overread(void **state)
{
	static const uint8_t ipopts[] = { RP_IPOPT_NOP, RP_IPOPT_RR, 7, 4, 0, 0, 0, 0,
					  RP_IPOPT_TS, 8, 5, 0, 0, 0, 0, 0 };
	static const uint8_t tcpopts[] = { 2, 4, 5, 180, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
					   1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct pb seeds[6];
	uint64_t seed = 0xdecade;
	(void)state;

	for (int k = 0; k < 6; k++) {
		struct pb *p = &seeds[k];
		struct ipspec s;
		size_t l4, icmp;
		pb_reset(p);
		switch (k) {
		case 0:
			pb_ipv4_echo(p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, 24);
			break;
		case 1:
			s = ipspec_default(17);
			s.opts = ipopts;
			s.optlen = sizeof ipopts;
			pb_ipv4(p, &s, 36 + 8 + 10);
			l4 = pb_udp(p, 1, 2, 10);
			l4_fix_csum(p, l4, 6, 18, s.src, s.dst, 17);
			break;
		case 2:
			s = ipspec_default(6);
			pb_ipv4(p, &s, 20 + 20 + sizeof tcpopts + 3);
			l4 = pb_tcp(p, 1, 2, 3, 4, 0x12, 5, tcpopts, sizeof tcpopts, 3);
			l4_fix_csum(p, l4, 16, 20 + sizeof tcpopts + 3, s.src, s.dst, 6);
			break;
		case 3:
		case 4:
			s = ipspec_default(1);
			pb_ipv4(p, &s, 20 + 8 + 20 + 20);
			icmp = pb_u8(p, k == 3 ? 11 : 3);
			pb_u8(p, k == 3 ? 0 : 4);
			pb_be16(p, 0);
			pb_be32(p, 1400);
			s = ipspec_default(k == 3 ? 6 : 1);
			pb_ipv4(p, &s, 20 + 20);
			if (k == 3)
				pb_tcp(p, 1, 2, 3, 4, 0x02, 5, NULL, 0, 0);
			else
				pb_icmp_idseq(p, 8, 1, 1, 12);
			icmp_fix_csum(p, icmp, p->n - icmp);
			break;
		default: /* router advertisement, 3 entries */
			s = ipspec_default(1);
			pb_ipv4(p, &s, 20 + 8 + 24);
			icmp = pb_u8(p, RP_ICMP_ROUTERADVERT);
			pb_u8(p, 0);
			pb_be16(p, 0);
			pb_be32(p, 0x03020708);
			pb_fill(p, 0x11, 24);
			icmp_fix_csum(p, icmp, 32);
			break;
		}
	}

	unsigned n_malformed = 0, n_cut = 0, n_l4 = 0, n_inner = 0;
	for (unsigned iter = 0; iter < 30000; iter++) {
		const struct pb *src = &seeds[rng_next(&seed) % 6];
		size_t d = rng_next(&seed) % (sizeof dlts / sizeof dlts[0]);
		struct pb f;
		size_t hl, len, caplen;
		unsigned flips;
		struct dres r;

		pb_reset(&f);
		if (dlts[d].build == T_DLT_EN10MB && rng_next(&seed) % 3 == 0) {
			pb_eth(&f, 0x8100);
			pb_be16(&f, 7);
			pb_be16(&f, 0x0800);
			hl = 18;
		} else {
			hl = pb_link(&f, dlts[d].build, dlts[d].type);
		}
		pb_bytes(&f, src->d, src->n);
		flips = (unsigned)(rng_next(&seed) % 5);
		for (unsigned i = 0; i < flips; i++) {
			/* mostly in the headers, where the decisions are */
			size_t at = hl + (size_t)(rng_next(&seed) % (rng_next(&seed) % 2 ? 48 : f.n - hl));
			if (at < f.n)
				f.d[at] = (uint8_t)rng_next(&seed);
		}
		len = f.n;
		if (rng_next(&seed) % 4 == 0)
			len = (size_t)(rng_next(&seed) % (f.n + 1)); /* the frame itself shorter */
		caplen = rng_next(&seed) % 2 ? len : (size_t)(rng_next(&seed) % (len + 1));
		memset(&r, 0, sizeof r);
		dec_into(&r, dlts[d].dlt, f.d, caplen, len);
		check_invariants(&r.pkt, iter);
		n_malformed += r.pkt.malformed != NULL;
		n_cut += r.pkt.cut != RP_LAYER_NONE;
		n_l4 += r.pkt.l4 != RP_L4_NONE && r.pkt.malformed == NULL && r.pkt.cut == RP_LAYER_NONE;
		n_inner += r.pkt.has_inner;
		done(&r);
	}
	/* the damage reached every kind of outcome */
	if (n_malformed < 1000 || n_cut < 1000 || n_l4 < 1000 || n_inner < 500)
		fail_msg("outcomes: %u malformed, %u cut, %u clean transports, %u inner", n_malformed, n_cut,
			 n_l4, n_inner);
}

static void test_dlt_supported(void **state)
{
	static const int yes[] = { 0, 1, 12, 14, 101, 108, 113, 228, 276 };
	static const int no[] = { -1, 147, 162, 65535, 100000 };
	(void)state;

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!rp_dlt_supported(yes[i]))
			fail_msg("rp_dlt_supported(%d) is false", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (rp_dlt_supported(no[i]))
			fail_msg("rp_dlt_supported(%d) is true", no[i]);
}

/*
 * A source-routed UDP datagram: its checksum covers the route's last
 * address while the route is in progress, the header's dst once it is used
 * up (RFC 1122 3.3.5). A decoder using dst alone calls the first one bad.
 */
static void udp_lsrr(struct pb *p, uint8_t ptr, uint32_t dst, uint32_t final_dst)
{
	uint8_t opt[12] = { 131, 11, ptr };
	struct ipspec s = ipspec_default(17);
	size_t l4;

	memcpy(opt + 3, &dst, 4);
	memcpy(opt + 7, &final_dst, 4);
	s.opts = opt;
	s.optlen = sizeof opt;
	s.dst = dst;
	pb_reset(p);
	pb_ipv4(p, &s, 32 + 8 + 4);
	l4 = pb_udp(p, 4000, 53, 4);
	l4_fix_csum(p, l4, 6, 12, s.src, final_dst, 17);
}

static void test_source_route_pseudo_header(void **state)
{
	struct pb p;
	struct dres r;
	uint32_t hop = ip4(10, 0, 0, 254), final = ip4(10, 0, 9, 9);

	(void)state;
	udp_lsrr(&p, 4, hop, final);
	dec(&r, 228, p.d, p.n, p.n);
	expect_clean(&r.pkt, "route in progress");
	assert_int_equal(r.pkt.udp.checksum_ok, RP_CHECK_OK);
	done(&r);

	udp_lsrr(&p, 12, final, final); /* used up: dst is the final destination */
	dec(&r, 228, p.d, p.n, p.n);
	assert_int_equal(r.pkt.udp.checksum_ok, RP_CHECK_OK);
	done(&r);

	udp_lsrr(&p, 4, hop, final);
	p.d[20 + 2] = 12; /* claims the route is done: dst alone no longer fits the checksum */
	ip_fix_csum(p.d);
	dec(&r, 228, p.d, p.n, p.n);
	assert_int_equal(r.pkt.udp.checksum_ok, RP_CHECK_BAD);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_behind_every_dlt),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_vlan_and_qinq),
		cmocka_unit_test(test_non_ipv4),
		cmocka_unit_test(test_zero_length_frame),
		cmocka_unit_test(test_cut_link_ip_icmp),
		cmocka_unit_test(test_nonfirst_fragment),
		cmocka_unit_test(test_first_fragment_udp),
		cmocka_unit_test(test_first_fragment_icmp),
		cmocka_unit_test(test_first_fragment_tcp),
		cmocka_unit_test(test_transports),
		cmocka_unit_test(test_malformed_stops_at_its_layer),
		cmocka_unit_test(test_icmp_error_inner),
		cmocka_unit_test(test_reuse_clears_state),
		cmocka_unit_test(test_unsupported_dlt),
		cmocka_unit_test(test_damaged_frames_never_overread),
		cmocka_unit_test(test_dlt_supported),
		cmocka_unit_test(test_source_route_pseudo_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
