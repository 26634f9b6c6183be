/*
 * trace probes and answers (src/core/trace.c): every probe of a trace has
 * the same flow fields and checksum (ICMP) or ports (UDP) yet stays
 * identifiable; answers quoting 28 bytes are matched to the right probe,
 * other programs' are not; unreachable codes become traceroute's markers;
 * the socket filter, run by libpcap's BPF interpreter, agrees.
 */
#include "pkt_helpers.h"

#include <linux/filter.h>
#include <pcap/pcap.h>

#include "rawprobe/decode.h"
#include "rawprobe/trace.h"

#define DLT_IPV4 228

static const uint8_t RND[8] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };

#define SRC ip4(10, 201, 1, 1)
#define DST ip4(10, 201, 4, 2)
#define ROUTER ip4(10, 201, 2, 2)

static struct rp_trace_spec spec(enum rp_trace_proto proto, unsigned hops, unsigned q, size_t data)
{
	struct rp_trace_spec s;

	rp_trace_spec_init(&s, proto, SRC, DST, 1, hops, q, data, RND);
	return s;
}

static size_t build(const struct rp_trace_spec *s, unsigned k, struct pb *p)
{
	pb_reset(p);
	p->n = rp_trace_build(s, k, p->d, sizeof p->d);
	assert_int_equal(p->n, rp_trace_probe_len(s));
	return p->n;
}

/* ------------------------------------------------------------ building */

static void check_ip(const struct rp_trace_spec *s, const struct pb *p, unsigned k, unsigned proto)
{
	const uint8_t *h = p->d;

	assert_int_equal(h[0], 0x45);
	assert_int_equal(get_be16(h + 2), p->n);
	assert_int_equal(get_be16(h + 4), (uint16_t)(s->ip_id + k));
	assert_int_equal(h[8], s->first_ttl + k / s->per_hop);
	assert_int_equal(h[9], proto);
	assert_memory_equal(h + 12, &s->src, 4);
	assert_memory_equal(h + 16, &s->dst, 4);
	assert_int_equal(ref_csum(h, 20), 0);
}

/* ICMP: one identifier and one checksum for the whole trace, a sequence number per probe. */
static void test_icmp_flow_constant(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_ICMP, 30, 3, 32);
	struct pb p;
	unsigned csum0 = 0;
	uint8_t seen[RP_TRACE_PROBES_MAX] = { 0 };
	(void)state;

	assert_int_equal(s.nprobes, 90);
	for (unsigned k = 0; k < s.nprobes; k++) {
		const uint8_t *m = p.d + 20;
		build(&s, k, &p);
		check_ip(&s, &p, k, 1);
		assert_int_equal(m[0], 8);
		assert_int_equal(m[1], 0);
		assert_int_equal(ref_csum(m, p.n - 20), 0); /* a right checksum */
		assert_int_equal(get_be16(m + 4), s.icmp_id);
		if (k == 0)
			csum0 = get_be16(m + 2);
		assert_int_equal(get_be16(m + 2), csum0);    /* the same in every probe */
		assert_int_equal(get_be16(m + 6), k + 1);    /* which probe */
		assert_false(seen[get_be16(m + 6)]);
		seen[get_be16(m + 6)] = 1;
	}
}

/* The same holds at the extremes: the largest trace, the smallest data. */
static void test_icmp_flow_constant_extremes(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_ICMP, 255, 10, RP_TRACE_ICMP_DATA_MIN);
	struct pb p;
	unsigned csum0;
	(void)state;

	build(&s, 0, &p);
	csum0 = get_be16(p.d + 22);
	for (unsigned k = 0; k < s.nprobes; k++) {
		build(&s, k, &p);
		assert_int_equal(get_be16(p.d + 22), csum0);
		assert_int_equal(ref_csum(p.d + 20, p.n - 20), 0);
		assert_int_not_equal(get_be16(p.d + 4), 0); /* a zero IP id the kernel would replace */
	}
}

static void check_udp(const struct rp_trace_spec *s, const struct pb *p)
{
	const uint8_t *u = p->d + 20;
	size_t len = p->n - 20;

	assert_int_equal(get_be16(u), s->sport);
	assert_int_equal(get_be16(u + 2), s->dport);
	assert_int_equal(get_be16(u + 4), len);
	assert_int_equal(ref_fold(ref_sum(ref_pseudo(s->src, s->dst, 17, (unsigned)len), u, len)), 0);
}

/* UDP: both ports fixed, the probe number in the (right) checksum. */
static void test_udp_flow_constant(void **state)
{
	size_t sizes[] = { 2, 3, 32, 1001 };
	(void)state;

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct rp_trace_spec s = spec(RP_TRACE_UDP, 255, 10, sizes[i]);
		struct pb p;
		for (unsigned k = 0; k < s.nprobes; k += (k < 100 ? 1 : 7)) {
			build(&s, k, &p);
			check_ip(&s, &p, k, 17);
			check_udp(&s, &p);
			assert_int_equal(get_be16(p.d + 26), (uint16_t)(s.tag + k));
		}
	}
}

/* Under two data bytes the checksum cannot carry the probe number: the IP id does. */
static void test_udp_tiny_data(void **state)
{
	(void)state;
	for (size_t data = 0; data < 2; data++) {
		struct rp_trace_spec s = spec(RP_TRACE_UDP, 5, 3, data);
		struct pb p;
		unsigned csum0;
		build(&s, 0, &p);
		csum0 = get_be16(p.d + 26);
		assert_int_not_equal(csum0, 0);
		for (unsigned k = 0; k < s.nprobes; k++) {
			build(&s, k, &p);
			check_ip(&s, &p, k, 17);
			check_udp(&s, &p);
			assert_int_equal(get_be16(p.d + 26), csum0);
		}
	}
}

/* Whatever the random bytes, every probe's id and tag stay in 1..0xfffe and distinct. */
static void test_spec_ranges(void **state)
{
	static const uint8_t lo[8] = { 0 };
	static const uint8_t hi[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *rnd[] = { lo, hi, RND };
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		struct rp_trace_spec s;
		rp_trace_spec_init(&s, RP_TRACE_UDP, SRC, DST, 1, 255, 10, 32, rnd[i]);
		assert_int_not_equal(s.icmp_id, 0);
		assert_true(s.sport >= 32768 && s.sport < 61000);
		assert_int_equal(s.dport, RP_TRACE_UDP_PORT);
		assert_true(s.ip_id >= 1 && (unsigned)s.ip_id + s.nprobes - 1 <= 0xfffe);
		assert_true(s.tag >= 1 && (unsigned)s.tag + s.nprobes - 1 <= 0xfffe);
	}
}

static void test_build_bounds(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_ICMP, 2, 3, 32);
	uint8_t buf[128];
	(void)state;

	assert_int_equal(rp_trace_build(&s, 0, buf, 59), 0);
	assert_int_equal(rp_trace_build(&s, 6, buf, sizeof buf), 0); /* no probe 6 in 2 x 3 */
	assert_int_equal(rp_trace_build(&s, 5, buf, sizeof buf), 60);
	assert_int_equal(rp_trace_probe_ttl(&s, 5), 2);
}

/* ------------------------------------------------------------ answers */

/* Option bytes in the outer header of the errors built below (a multiple of 4). */
static size_t outer_opts;

/*
 * An ICMP error from 'from' quoting the first 'quote' bytes of probe p as a
 * router does: TTL 1 on arrival, header checksum fixed.
 */
static void error_about(struct pb *out, uint32_t from, unsigned type, unsigned code, uint32_t rest,
			const struct pb *probe, size_t quote)
{
	static const uint8_t nops[40] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	struct ipspec s = ipspec_default(1);
	uint8_t q[PB_MAX];
	size_t o;

	s.opts = outer_opts ? nops : NULL;
	s.optlen = outer_opts;
	memcpy(q, probe->d, probe->n);
	q[8] = 1;
	ip_fix_csum(q);
	s.src = from;
	s.dst = SRC;
	s.ttl = 63;
	pb_reset(out);
	pb_ipv4(out, &s, (unsigned)(20 + outer_opts + 8 + quote));
	o = pb_u8(out, type);
	pb_u8(out, code);
	pb_be16(out, 0);
	pb_be32(out, rest);
	pb_bytes(out, q, quote);
	icmp_fix_csum(out, o, 8 + quote);
}

/* The echo reply a target sends for probe p. */
static void reply_to(struct pb *out, const struct pb *probe)
{
	memcpy(out->d, probe->d, probe->n);
	out->n = probe->n;
	memcpy(out->d + 12, probe->d + 16, 4);
	memcpy(out->d + 16, probe->d + 12, 4);
	out->d[8] = 60;
	ip_fix_csum(out->d);
	out->d[20] = 0;
	icmp_fix_csum(out, 20, out->n - 20);
}

static bool classify(const struct rp_trace_spec *s, const struct pb *p, struct rp_trace_answer *a)
{
	static struct rp_packet pkt;
	struct exact e = exact_copy(p->d, p->n);
	bool ok;

	rp_decode(&pkt, DLT_IPV4, e.p, (uint32_t)p->n, (uint32_t)p->n, RP_DECODE_CHECKSUMS);
	ok = rp_trace_classify(s, &pkt, e.p, p->n, a);
	exact_free(&e);
	return ok;
}

static bool filter_passes(const struct rp_trace_spec *s, const struct pb *p)
{
	struct sock_filter code[RP_TRACE_FILTER_LEN];
	unsigned n = rp_trace_filter(s, code);

	assert_true(n > 0 && n <= RP_TRACE_FILTER_LEN);
	/* struct sock_filter and struct bpf_insn share one layout: code, jt, jf, k. */
	return bpf_filter((const struct bpf_insn *)code, p->d, (u_int)p->n, (u_int)p->n) != 0;
}

/* What the filter lets through is what the classifier takes, and the reverse. */
static void expect(const struct rp_trace_spec *s, const struct pb *p, enum rp_trace_kind kind,
		   unsigned probe)
{
	struct rp_trace_answer a;
	bool ours = classify(s, p, &a);

	assert_int_equal(a.kind, kind);
	assert_int_equal(ours, kind != RP_TRACE_NONE);
	if (ours)
		assert_int_equal(a.probe, probe);
	/* The filter is coarser (it cannot check a probe number) but never stricter. */
	if (ours)
		assert_true(filter_passes(s, p));
}

static void test_icmp_time_exceeded(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_ICMP, 30, 3, 32);
	struct pb probe, err;
	struct rp_trace_answer a;
	(void)state;

	for (unsigned k = 0; k < s.nprobes; k += 7) {
		build(&s, k, &probe);
		error_about(&err, ROUTER, 11, 0, 0, &probe, 28); /* RFC 792: 8 bytes of the probe */
		expect(&s, &err, RP_TRACE_HOP, k);
		error_about(&err, ROUTER, 11, 0, 0, &probe, probe.n);
		expect(&s, &err, RP_TRACE_HOP, k);
	}
	build(&s, 4, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	assert_true(classify(&s, &err, &a));
	assert_int_equal(a.from, ROUTER);
	assert_int_equal(a.ttl, 63);
	assert_int_equal(a.type, 11);
	assert_int_equal(a.icmp_len, 36);
	assert_int_equal(rp_trace_probe_ttl(&s, a.probe), 2);
}

/* Someone else's probe, or a quote too short to tell, is not an answer. */
static void test_icmp_foreign(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_ICMP, 30, 3, 32);
	struct rp_trace_spec other = s, elsewhere = s, from_else = s, many = s;
	struct pb probe, err;
	(void)state;

	other.icmp_id = (uint16_t)(s.icmp_id + 1);
	elsewhere.dst = ip4(10, 201, 9, 9);
	from_else.src = ip4(10, 201, 1, 7);
	many.nprobes = 255 * 3;
	build(&other, 3, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&s, &err));
	build(&elsewhere, 3, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&s, &err));
	build(&from_else, 3, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	/* A sequence number past this trace's probes (a longer trace with our id). */
	build(&many, 200, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	/* Cut inside the quoted ICMP header: no sequence number, no answer. */
	build(&s, 3, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 26);
	expect(&s, &err, RP_TRACE_NONE, 0);
	/* Source quench and redirect quote probes but answer none. */
	error_about(&err, ROUTER, 4, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	error_about(&err, ROUTER, 5, 1, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	/* A corrupted error. */
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	err.d[24] ^= 0x40;
	expect(&s, &err, RP_TRACE_NONE, 0);
}

static void test_icmp_echo_reply(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_ICMP, 30, 3, 32);
	struct rp_trace_spec other = s;
	struct pb probe, reply;
	struct rp_trace_answer a;
	(void)state;

	build(&s, 13, &probe);
	reply_to(&reply, &probe);
	expect(&s, &reply, RP_TRACE_ARRIVED, 13);
	assert_true(classify(&s, &reply, &a));
	assert_int_equal(a.from, DST);
	assert_int_equal(a.icmp_len, 40);
	/* The compensation bytes were ours: a reply without them is not. */
	reply.d[28] ^= 1;
	icmp_fix_csum(&reply, 20, reply.n - 20);
	expect(&s, &reply, RP_TRACE_NONE, 0);
	other.icmp_id ^= 0x100;
	build(&other, 13, &probe);
	reply_to(&reply, &probe);
	expect(&s, &reply, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&s, &reply));
	/* UDP traces take no echo replies. */
	other = spec(RP_TRACE_UDP, 30, 3, 32);
	build(&s, 13, &probe);
	reply_to(&reply, &probe);
	expect(&other, &reply, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&other, &reply));
}

static void test_udp_answers(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_UDP, 30, 3, 32);
	struct rp_trace_spec tiny = spec(RP_TRACE_UDP, 30, 3, 0);
	struct rp_trace_spec other = s;
	struct pb probe, err;
	(void)state;

	for (unsigned k = 0; k < s.nprobes; k += 11) {
		build(&s, k, &probe);
		error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
		expect(&s, &err, RP_TRACE_HOP, k);
		error_about(&err, DST, 3, 3, 0, &probe, 28);
		expect(&s, &err, RP_TRACE_ARRIVED, k);
		build(&tiny, k, &probe);
		error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
		expect(&tiny, &err, RP_TRACE_HOP, k);
	}
	other.sport ^= 1;
	build(&other, 5, &probe);
	error_about(&err, DST, 3, 3, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&s, &err));
	other = s;
	other.dport = 33435;
	build(&other, 5, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&s, &err));
	/* An ICMP trace to the same place does not take UDP answers, nor the reverse. */
	other = spec(RP_TRACE_ICMP, 30, 3, 32);
	build(&s, 5, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&other, &err, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&other, &err));
	build(&other, 5, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_NONE, 0);
	assert_false(filter_passes(&s, &err));
}

static const char *marker_of(const struct rp_trace_spec *s, unsigned type, unsigned code,
			     uint32_t rest, enum rp_trace_kind kind)
{
	static char buf[RP_TRACE_MARKER_LEN];
	struct pb probe, err;
	struct rp_trace_answer a;

	build(s, 7, &probe);
	error_about(&err, ROUTER, type, code, rest, &probe, 28);
	expect(s, &err, kind, 7);
	classify(s, &err, &a);
	return rp_trace_marker(&a, buf, sizeof buf);
}

static void test_markers(void **state)
{
	struct rp_trace_spec icmp = spec(RP_TRACE_ICMP, 30, 3, 32);
	struct rp_trace_spec udp = spec(RP_TRACE_UDP, 30, 3, 32);
	static const char *const want[16] = {
		"!N", "!H", "!P", "!<3>", "!F", "!S", "!U", "!W",
		"!I", "!A", "!Z", "!Q", "!T", "!X", "!V", "!C",
	};
	(void)state;

	for (unsigned code = 0; code < 16; code++)
		assert_string_equal(marker_of(&icmp, 3, code, 0, RP_TRACE_STOPPED), want[code]);
	assert_string_equal(marker_of(&icmp, 3, 4, 1400, RP_TRACE_STOPPED), "!F-1400");
	assert_string_equal(marker_of(&icmp, 3, 21, 0, RP_TRACE_STOPPED), "!<21>");
	assert_string_equal(marker_of(&icmp, 12, 0, 0, RP_TRACE_STOPPED), "!E");
	assert_string_equal(marker_of(&icmp, 11, 0, 0, RP_TRACE_HOP), "");
	assert_string_equal(marker_of(&udp, 3, 3, 0, RP_TRACE_ARRIVED), "");
	assert_string_equal(marker_of(&udp, 3, 1, 0, RP_TRACE_STOPPED), "!H");
}

/* The filter on its own: quotes cut short, an outer header with options. */
static void test_filter_edges(void **state)
{
	struct rp_trace_spec s = spec(RP_TRACE_UDP, 30, 3, 32);
	struct pb probe, err;
	(void)state;

	build(&s, 2, &probe);
	error_about(&err, ROUTER, 3, 3, 0, &probe, 22);
	assert_false(filter_passes(&s, &err));
	/* The ports but not the checksum: the filter passes it, the classifier cannot tell which probe. */
	error_about(&err, ROUTER, 3, 3, 0, &probe, 24);
	assert_true(filter_passes(&s, &err));
	expect(&s, &err, RP_TRACE_NONE, 0);
	error_about(&err, ROUTER, 3, 3, 0, &probe, 28);
	assert_true(filter_passes(&s, &err));
	error_about(&err, ROUTER, 12, 0, 0, &probe, 28);
	assert_true(filter_passes(&s, &err));
	error_about(&err, ROUTER, 0, 0, 0, &probe, 28); /* not an error type */
	assert_false(filter_passes(&s, &err));
	outer_opts = 8;
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_HOP, 2);
	s = spec(RP_TRACE_ICMP, 30, 3, 32);
	build(&s, 2, &probe);
	error_about(&err, ROUTER, 11, 0, 0, &probe, 28);
	expect(&s, &err, RP_TRACE_HOP, 2);
	outer_opts = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_flow_constant),
		cmocka_unit_test(test_icmp_flow_constant_extremes),
		cmocka_unit_test(test_udp_flow_constant),
		cmocka_unit_test(test_udp_tiny_data),
		cmocka_unit_test(test_spec_ranges),
		cmocka_unit_test(test_build_bounds),
		cmocka_unit_test(test_icmp_time_exceeded),
		cmocka_unit_test(test_icmp_foreign),
		cmocka_unit_test(test_icmp_echo_reply),
		cmocka_unit_test(test_udp_answers),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_filter_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
