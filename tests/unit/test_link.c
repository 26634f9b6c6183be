/* The link layer: rp_link_decode (src/core/link.c) for every supported DLT. */
#include "pkt_helpers.h"

#include "rawprobe/decode.h"
#include "rawprobe/packet.h"

struct lres {
	struct exact mem;
	struct rp_packet pkt;
	struct rp_buf l3;
	char why[RP_MALFORMED_MAX];
	enum rp_status st;
};

static void dec(struct lres *r, int dlt, const uint8_t *d, size_t cap, size_t wire)
{
	struct rp_buf b;
	memset(r, 0, sizeof *r);
	r->mem = exact_copy(d, cap);
	b = rp_buf_make(r->mem.p, cap, wire);
	r->st = rp_link_decode(&r->pkt, dlt, &b, &r->l3, r->why);
}

static void done(struct lres *r)
{
	exact_free(&r->mem);
}

/* An IPv4 echo request behind each link type: l3 is IPv4 and the view starts at the IP header. */
static void test_ipv4_behind_every_dlt(void **state)
{
	static const struct {
		int dlt, build;
		unsigned type;
		size_t hlen;
	} cases[] = {
		{ T_DLT_EN10MB, T_DLT_EN10MB, 0x0800, 14 },
		{ T_DLT_RAW, T_DLT_RAW, 0, 0 },
		{ T_DLT_RAW_OPENBSD, T_DLT_RAW, 0, 0 },
		{ T_DLT_RAW_LINKTYPE, T_DLT_RAW, 0, 0 },
		{ T_DLT_IPV4, T_DLT_IPV4, 0, 0 },
		{ T_DLT_LINUX_SLL, T_DLT_LINUX_SLL, 0x0800, 16 },
		{ T_DLT_LINUX_SLL2, T_DLT_LINUX_SLL2, 0x0800, 20 },
		{ T_DLT_NULL, T_DLT_NULL, 2, 4 },
		{ T_DLT_NULL, T_NULL_BE, 2, 4 },
		{ T_DLT_LOOP, T_DLT_LOOP, 2, 4 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pb p;
		struct lres r;
		size_t hl;
		pb_reset(&p);
		hl = pb_link(&p, cases[i].build, cases[i].type);
		assert_int_equal(hl, cases[i].hlen);
		pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 77, 1, 56);
		dec(&r, cases[i].dlt, p.d, p.n, p.n);
		if (r.st != RP_DEC_OK)
			fail_msg("case %zu (dlt %d): status %d, why \"%s\"", i, cases[i].dlt, r.st, r.why);
		if (r.pkt.l3 != RP_L3_IPV4)
			fail_msg("case %zu (dlt %d): l3 %d, want RP_L3_IPV4", i, cases[i].dlt, r.pkt.l3);
		assert_int_equal(r.pkt.l3_offset, hl);
		assert_ptr_equal(r.l3.data, r.mem.p + hl);
		assert_int_equal(r.l3.cap, 84);
		assert_int_equal(r.l3.wire, 84);
		assert_int_equal(r.pkt.nvlan, 0);
		if (cases[i].dlt == T_DLT_EN10MB) {
			assert_ptr_equal(r.pkt.mac, r.mem.p);
			assert_int_equal(r.pkt.ethertype, 0x0800);
		} else {
			assert_null(r.pkt.mac);
		}
		if (cases[i].dlt == T_DLT_LINUX_SLL || cases[i].dlt == T_DLT_LINUX_SLL2)
			assert_int_equal(r.pkt.ethertype, 0x0800);
		done(&r);

		/* the same frame cut by the capture: the l3 view keeps the wire length */
		dec(&r, cases[i].dlt, p.d, hl + 10, p.n);
		assert_int_equal(r.st, RP_DEC_OK);
		assert_int_equal(r.pkt.l3, RP_L3_IPV4);
		assert_int_equal(r.l3.cap, 10);
		assert_int_equal(r.l3.wire, 84);
		done(&r);
	}
}

static void test_vlan_tags(void **state)
{
	struct pb p;
	struct lres r;
	(void)state;

	/* 802.1Q: priority 1, VID 100 */
	pb_reset(&p);
	pb_eth(&p, 0x8100);
	pb_be16(&p, 0x2064);
	pb_be16(&p, 0x0800);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.nvlan, 1);
	assert_int_equal(r.pkt.vlan[0], 0x2064);
	assert_int_equal(r.pkt.ethertype, 0x0800);
	assert_int_equal(r.pkt.l3_offset, 18);
	assert_ptr_equal(r.l3.data, r.mem.p + 18);
	assert_int_equal(r.l3.wire, 36);
	done(&r);

	/* QinQ: 802.1ad outer (PCP 7, DEI, VID 0xfff), 802.1Q inner VID 1 */
	pb_reset(&p);
	pb_eth(&p, 0x88a8);
	pb_be16(&p, 0xffff);
	pb_be16(&p, 0x8100);
	pb_be16(&p, 0x0001);
	pb_be16(&p, 0x0800);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	assert_int_equal(r.st, RP_DEC_OK);
	assert_int_equal(r.pkt.l3, RP_L3_IPV4);
	assert_int_equal(r.pkt.nvlan, 2);
	assert_int_equal(r.pkt.vlan[0], 0xffff);
	assert_int_equal(r.pkt.vlan[1], 0x0001);
	assert_int_equal(r.pkt.l3_offset, 22);
	assert_ptr_equal(r.l3.data, r.mem.p + 22);
	done(&r);

	/* a VLAN-tagged ARP frame */
	pb_reset(&p);
	pb_eth(&p, 0x8100);
	pb_be16(&p, 0x000a);
	pb_be16(&p, 0x0806);
	pb_fill(&p, 0, 28);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.pkt.l3, RP_L3_OTHER);
	assert_int_equal(r.pkt.nvlan, 1);
	assert_int_equal(r.pkt.vlan[0], 0x000a);
	assert_int_equal(r.pkt.other_kind, RP_OTHER_ETHERTYPE);
	assert_int_equal(r.pkt.ethertype, 0x0806);
	done(&r);
}

static void test_too_many_vlan_tags(void **state)
{
	struct pb p;
	struct lres r;
	(void)state;

	/* six stacked tags: more than RP_VLAN_MAX; must not overflow the array */
	pb_reset(&p);
	pb_eth(&p, 0x8100);
	for (int i = 0; i < 6; i++) {
		pb_be16(&p, 0x0100u + (unsigned)i);
		pb_be16(&p, i < 5 ? 0x8100 : 0x0800);
	}
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	assert_true(r.pkt.nvlan <= RP_VLAN_MAX);
	for (unsigned i = 0; i < r.pkt.nvlan; i++)
		assert_int_equal(r.pkt.vlan[i], 0x0100 + i);
	done(&r);
}

static void test_other_payloads(void **state)
{
	static const struct {
		int dlt, build;
		unsigned type;
		uint8_t kind;
		uint32_t want;
	} cases[] = {
		{ T_DLT_EN10MB, T_DLT_EN10MB, 0x0806, RP_OTHER_ETHERTYPE, 0x0806 },
		{ T_DLT_EN10MB, T_DLT_EN10MB, 0x86dd, RP_OTHER_ETHERTYPE, 0x86dd },
		{ T_DLT_LINUX_SLL, T_DLT_LINUX_SLL, 0x86dd, RP_OTHER_ETHERTYPE, 0x86dd },
		{ T_DLT_LINUX_SLL2, T_DLT_LINUX_SLL2, 0x0806, RP_OTHER_ETHERTYPE, 0x0806 },
		{ T_DLT_NULL, T_DLT_NULL, 30, RP_OTHER_FAMILY, 30 },  /* AF_INET6 on macOS/FreeBSD */
		{ T_DLT_NULL, T_NULL_BE, 24, RP_OTHER_FAMILY, 24 },   /* AF_INET6 on NetBSD/OpenBSD */
		{ T_DLT_LOOP, T_DLT_LOOP, 28, RP_OTHER_FAMILY, 28 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pb p;
		struct lres r;
		size_t hl;
		pb_reset(&p);
		hl = pb_link(&p, cases[i].build, cases[i].type);
		pb_u8(&p, 0x60); /* an IPv6-looking header */
		pb_fill(&p, 0, 47);
		dec(&r, cases[i].dlt, p.d, p.n, p.n);
		if (r.st == RP_DEC_MALFORMED || r.pkt.l3 != RP_L3_OTHER)
			fail_msg("case %zu: status %d l3 %d, want RP_L3_OTHER (why \"%s\")", i, r.st,
				 r.pkt.l3, r.why);
		assert_int_equal(r.pkt.other_kind, cases[i].kind);
		assert_int_equal(r.pkt.ethertype, cases[i].want);
		assert_int_equal(r.pkt.l3_offset, hl);
		done(&r);
	}
}

static void test_raw_ipv6(void **state)
{
	static const int dlts[] = { T_DLT_RAW, T_DLT_RAW_OPENBSD, T_DLT_RAW_LINKTYPE };
	struct pb p;
	(void)state;

	pb_reset(&p);
	pb_u8(&p, 0x60);
	pb_fill(&p, 0, 39);
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		struct lres r;
		dec(&r, dlts[i], p.d, p.n, p.n);
		assert_int_not_equal(r.st, RP_DEC_MALFORMED);
		assert_int_equal(r.pkt.l3, RP_L3_OTHER);
		assert_int_equal(r.pkt.other_kind, RP_OTHER_IPVER);
		assert_int_equal(r.pkt.ethertype, 6);
		done(&r);
	}
}

static void test_ieee8023_length_field(void **state)
{
	struct pb p;
	struct lres r;
	(void)state;

	/* 802.3 + LLC (STP): the type field is a length */
	pb_reset(&p);
	pb_eth(&p, 38);
	pb_u8(&p, 0x42);
	pb_u8(&p, 0x42);
	pb_u8(&p, 0x03);
	pb_fill(&p, 0, 35);
	dec(&r, T_DLT_EN10MB, p.d, p.n, p.n);
	assert_int_not_equal(r.st, RP_DEC_MALFORMED);
	assert_int_equal(r.pkt.l3, RP_L3_OTHER);
	assert_int_equal(r.pkt.other_kind, RP_OTHER_8023);
	done(&r);
}

static void test_cut_inside_link_header(void **state)
{
	static const struct {
		int dlt, build;
		unsigned type;
	} cases[] = {
		{ T_DLT_EN10MB, T_DLT_EN10MB, 0x0800 },
		{ T_DLT_LINUX_SLL, T_DLT_LINUX_SLL, 0x0800 },
		{ T_DLT_LINUX_SLL2, T_DLT_LINUX_SLL2, 0x0800 },
		{ T_DLT_NULL, T_DLT_NULL, 2 },
		{ T_DLT_LOOP, T_DLT_LOOP, 2 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pb p;
		size_t hl;
		pb_reset(&p);
		hl = pb_link(&p, cases[i].build, cases[i].type);
		pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
		for (size_t k = 0; k < hl; k++) {
			struct lres r;
			/* cut by the capture: not malformed */
			dec(&r, cases[i].dlt, p.d, k, p.n);
			if (r.st != RP_DEC_CUT)
				fail_msg("dlt %d cut at %zu: status %d, want RP_DEC_CUT (why \"%s\")",
					 cases[i].dlt, k, r.st, r.why);
			assert_int_equal(r.pkt.l3, RP_L3_NONE);
			done(&r);
			/* the frame itself that short: malformed */
			dec(&r, cases[i].dlt, p.d, k, k);
			if (r.st != RP_DEC_MALFORMED)
				fail_msg("dlt %d frame of %zu bytes: status %d, want RP_DEC_MALFORMED",
					 cases[i].dlt, k, r.st);
			if (r.why[0] == 0 || strstr(r.why, ": ") == NULL)
				fail_msg("dlt %d frame of %zu bytes: why \"%s\" is not \"layer: what\"",
					 cases[i].dlt, k, r.why);
			assert_int_equal(r.pkt.l3, RP_L3_NONE);
			done(&r);
		}
	}
}

static void test_cut_inside_vlan_tag(void **state)
{
	struct pb p;
	(void)state;

	pb_reset(&p);
	pb_eth(&p, 0x8100);
	pb_be16(&p, 0x0064);
	pb_be16(&p, 0x0800);
	pb_ipv4_echo(&p, 8, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 1, 8);
	for (size_t k = 14; k < 18; k++) {
		struct lres r;
		dec(&r, T_DLT_EN10MB, p.d, k, p.n);
		if (r.st != RP_DEC_CUT)
			fail_msg("cut at %zu: status %d, want RP_DEC_CUT", k, r.st);
		assert_int_equal(r.pkt.l3, RP_L3_NONE);
		done(&r);
		dec(&r, T_DLT_EN10MB, p.d, k, k);
		assert_int_equal(r.st, RP_DEC_MALFORMED);
		done(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_behind_every_dlt),
		cmocka_unit_test(test_vlan_tags),
		cmocka_unit_test(test_too_many_vlan_tags),
		cmocka_unit_test(test_other_payloads),
		cmocka_unit_test(test_raw_ipv6),
		cmocka_unit_test(test_ieee8023_length_field),
		cmocka_unit_test(test_cut_inside_link_header),
		cmocka_unit_test(test_cut_inside_vlan_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
