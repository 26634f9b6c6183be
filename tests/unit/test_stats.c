/* Capture statistics (src/core/stats.c): rtt min/avg/max/mdev and per-packet counts. */
#include "pkt_helpers.h"

#include <math.h>
#include <stdio.h>

#include "rawprobe/packet.h"
#include "rawprobe/stats.h"

#define EPS 1e-9

static void test_rtt_hand_values(void **state)
{
	struct rp_rtt r;
	(void)state;

	/* 1, 2, 4 ms: avg 7/3, population variance 21/3 - 49/9 = 14/9 */
	memset(&r, 0, sizeof r);
	rp_rtt_add(&r, 1000000);
	rp_rtt_add(&r, 2000000);
	rp_rtt_add(&r, 4000000);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.min_ns, 1000000);
	assert_int_equal(r.max_ns, 4000000);
	assert_true(fabs(rp_rtt_avg_ms(&r) - 7.0 / 3.0) < EPS);
	assert_true(fabs(rp_rtt_mdev_ms(&r) - sqrt(14.0 / 9.0)) < EPS);
	assert_true(fabs(rp_rtt_mdev_ms(&r) - 1.247219128924647) < EPS);

	/* ping's example: 0.045 0.041 0.055 0.047 ms -> avg 0.047, mdev sqrt(0.000026) */
	memset(&r, 0, sizeof r);
	rp_rtt_add(&r, 45000);
	rp_rtt_add(&r, 41000);
	rp_rtt_add(&r, 55000);
	rp_rtt_add(&r, 47000);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.min_ns, 41000);
	assert_int_equal(r.max_ns, 55000);
	assert_true(fabs(rp_rtt_avg_ms(&r) - 0.047) < EPS);
	assert_true(fabs(rp_rtt_mdev_ms(&r) - 0.005099019513592785) < EPS);
}

static void test_rtt_min_max_order(void **state)
{
	struct rp_rtt r;
	(void)state;

	/* the first sample is neither the smallest nor the largest */
	memset(&r, 0, sizeof r);
	rp_rtt_add(&r, 5000000);
	rp_rtt_add(&r, 3000000);
	rp_rtt_add(&r, 7000000);
	rp_rtt_add(&r, 4000000);
	assert_int_equal(r.min_ns, 3000000);
	assert_int_equal(r.max_ns, 7000000);
	assert_true(fabs(rp_rtt_avg_ms(&r) - 4.75) < EPS);

	/* a 0 ns round trip (same timestamp) is a real minimum, not "unset" */
	memset(&r, 0, sizeof r);
	rp_rtt_add(&r, 0);
	rp_rtt_add(&r, 5000000);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.min_ns, 0);
	assert_int_equal(r.max_ns, 5000000);
	assert_true(fabs(rp_rtt_avg_ms(&r) - 2.5) < EPS);
	assert_true(fabs(rp_rtt_mdev_ms(&r) - 2.5) < EPS);

	memset(&r, 0, sizeof r);
	rp_rtt_add(&r, 9000000);
	rp_rtt_add(&r, 0);
	assert_int_equal(r.min_ns, 0);
	assert_int_equal(r.max_ns, 9000000);
}

static void test_rtt_single_and_equal(void **state)
{
	struct rp_rtt r;
	double m;
	(void)state;

	memset(&r, 0, sizeof r);
	rp_rtt_add(&r, 123456);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.min_ns, 123456);
	assert_int_equal(r.max_ns, 123456);
	assert_true(fabs(rp_rtt_avg_ms(&r) - 0.123456) < EPS);
	assert_true(fabs(rp_rtt_mdev_ms(&r)) < EPS);

	/* equal large samples: rounding must not make the variance negative (NaN mdev) */
	memset(&r, 0, sizeof r);
	for (int i = 0; i < 7; i++)
		rp_rtt_add(&r, 999999937);
	m = rp_rtt_mdev_ms(&r);
	assert_false(isnan(m));
	assert_true(m >= 0 && m < 1e-3);
	assert_true(fabs(rp_rtt_avg_ms(&r) - 999.999937) < 1e-6);

	memset(&r, 0, sizeof r);
	for (int i = 0; i < 1000; i++)
		rp_rtt_add(&r, 33333333);
	m = rp_rtt_mdev_ms(&r);
	assert_false(isnan(m));
	assert_true(m >= 0 && m < 1e-3);
}

/* ------------------------------------------------------------ rp_capstats_add */

static struct rp_packet mk(enum rp_l3 l3, enum rp_l4 l4, uint32_t caplen, uint32_t len)
{
	struct rp_packet p;
	memset(&p, 0, sizeof p);
	p.l3 = l3;
	p.l4 = l4;
	p.caplen = caplen;
	p.len = len;
	p.dlt = 1;
	p.resp_ns = -1;
	if (l3 == RP_L3_IPV4) {
		p.ip.have = 0x7ff;
		p.ip.version = 4;
		p.ip.ihl = 5;
		p.ip.proto = l4 == RP_L4_ICMP ? 1 : l4 == RP_L4_UDP ? 17 : l4 == RP_L4_TCP ? 6 : 47;
	}
	return p;
}

static struct rp_packet mk_echo(uint8_t type, int64_t resp_ns, bool dup)
{
	struct rp_packet p = mk(RP_L3_IPV4, RP_L4_ICMP, 98, 98);
	p.icmp.have = RP_ICMP_TYPE | RP_ICMP_CODE | RP_ICMP_CSUM | RP_ICMP_REST | RP_ICMP_ID |
			 RP_ICMP_SEQ;
	p.icmp.type = type;
	p.icmp.checksum_ok = RP_CHECK_OK;
	p.resp_ns = resp_ns;
	p.dup = dup;
	return p;
}

static void set_malformed(struct rp_packet *p, const char *why)
{
	snprintf(p->malformed_buf, sizeof p->malformed_buf, "%s", why);
	p->malformed = p->malformed_buf;
}

static void test_capstats_counts(void **state)
{
	struct rp_capstats s;
	struct rp_packet pk[15];
	uint64_t bytes = 0;
	int n = 0;
	(void)state;

	pk[n++] = mk_echo(RP_ICMP_ECHO, -1, false);
	pk[n++] = mk_echo(RP_ICMP_ECHOREPLY, 45000, false);
	pk[n++] = mk_echo(RP_ICMP_ECHOREPLY, 90000, true);   /* duplicate */
	pk[n++] = mk_echo(RP_ICMP_ECHOREPLY, -1, false);     /* no request seen */
	pk[n++] = mk_echo(RP_ICMP_ECHO, -1, false);
	pk[n++] = mk_echo(RP_ICMP_ECHOREPLY, 0, false);      /* same timestamp: rtt 0 */
	pk[n] = mk(RP_L3_IPV4, RP_L4_ICMP, 70, 70);          /* time exceeded quoting UDP */
	pk[n].icmp.type = RP_ICMP_TIMXCEED;
	pk[n].has_inner = true;
	pk[n].inner.l4 = RP_L4_UDP;
	n++;
	pk[n++] = mk(RP_L3_IPV4, RP_L4_UDP, 60, 1514);       /* short capture: len counts */
	pk[n++] = mk(RP_L3_IPV4, RP_L4_TCP, 54, 54);
	pk[n] = mk(RP_L3_IPV4, RP_L4_TCP, 54, 54);
	set_malformed(&pk[n++], "tcp: header length 16 < 20");
	pk[n++] = mk(RP_L3_OTHER, RP_L4_NONE, 42, 60);       /* ARP */
	pk[n++] = mk(RP_L3_IPV4, RP_L4_OTHER, 100, 100);     /* GRE */
	pk[n++] = mk(RP_L3_IPV4, RP_L4_NONE, 200, 1500);     /* non-first fragment (of a GRE datagram) */
	pk[n] = mk(RP_L3_IPV4, RP_L4_NONE, 34, 34);
	set_malformed(&pk[n++], "ip: header length 12 < 20");
	pk[n++] = mk_echo(RP_ICMP_ECHO, -1, false);
	assert_int_equal(n, 15);

	memset(&s, 0, sizeof s);
	for (int i = 0; i < n; i++) {
		rp_capstats_add(&s, &pk[i]);
		bytes += pk[i].len;
	}

	assert_int_equal(s.packets, 15);
	assert_int_equal(s.bytes, bytes);
	assert_int_equal(s.malformed, 2);
	assert_int_equal(s.icmp, 8);
	assert_int_equal(s.udp, 1);
	assert_int_equal(s.tcp, 2);
	/* "other" is everything else, so the four counts add up to the packets */
	assert_int_equal(s.other, 4);
	assert_int_equal(s.echo_requests, 3);
	/* replies: every echo reply packet (4), or without the duplicate (3) */
	if (s.echo_replies != 4 && s.echo_replies != 3)
		fail_msg("echo_replies %llu, want 4 (or 3 without the duplicate)",
			 (unsigned long long)s.echo_replies);
	assert_int_equal(s.echo_duplicates, 1);
	assert_int_equal(s.echo_unanswered, 0);
	/* rtt: first replies only, the 0 ns one included, the duplicate not */
	assert_int_equal(s.rtt.n, 2);
	assert_int_equal(s.rtt.min_ns, 0);
	assert_int_equal(s.rtt.max_ns, 45000);
	assert_true(fabs(rp_rtt_avg_ms(&s.rtt) - 0.0225) < EPS);
}

static void test_capstats_bad_checksum_reply_has_rtt(void **state)
{
	struct rp_capstats s;
	struct rp_packet p = mk_echo(RP_ICMP_ECHOREPLY, 1234567, false);
	(void)state;

	p.icmp.checksum_ok = RP_CHECK_BAD;
	memset(&s, 0, sizeof s);
	rp_capstats_add(&s, &p);
	assert_int_equal(s.packets, 1);
	assert_int_equal(s.malformed, 0);
	assert_int_equal(s.icmp, 1);
	assert_int_equal(s.rtt.n, 1);
	assert_int_equal(s.rtt.min_ns, 1234567);
}

/* Two workers' figures merged equal the figures of all samples added to one. */
static void test_rtt_merge(void **state)
{
	static const int64_t a[] = { 5000, 12000, 7000 }, b[] = { 3000, 40000 };
	struct rp_rtt x = { 0 }, y = { 0 }, all = { 0 }, none = { 0 };
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		rp_rtt_add(&x, a[i]);
		rp_rtt_add(&all, a[i]);
	}
	for (size_t i = 0; i < 2; i++) {
		rp_rtt_add(&y, b[i]);
		rp_rtt_add(&all, b[i]);
	}
	rp_rtt_merge(&x, &none);
	rp_rtt_merge(&none, &y);
	rp_rtt_merge(&x, &none);
	assert_int_equal(x.n, 5);
	assert_true(x.min_ns == 3000 && x.max_ns == 40000);
	assert_true(x.sum_ns == all.sum_ns && x.sum2_ns == all.sum2_ns);
	assert_true(rp_rtt_mdev_ms(&x) == rp_rtt_mdev_ms(&all));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtt_hand_values),
		cmocka_unit_test(test_rtt_merge),
		cmocka_unit_test(test_rtt_min_max_order),
		cmocka_unit_test(test_rtt_single_and_equal),
		cmocka_unit_test(test_capstats_counts),
		cmocka_unit_test(test_capstats_bad_checksum_reply_has_rtt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
