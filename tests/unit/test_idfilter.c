/*
 * The raw socket's BPF program (src/net/icmpsock.c), run through libpcap's
 * interpreter of the same classic BPF: our replies and errors about our
 * probes pass, everything else stays in the kernel.
 */
#include "pkt_helpers.h"

#include <linux/filter.h>
#include <pcap/pcap.h>

#include "rawprobe/icmpsock.h"

#define ID 0x4242

static bool passes(const struct pb *p)
{
	struct sock_filter code[RP_ID_FILTER_LEN];
	unsigned n = rp_icmp_id_filter(ID, code);

	/* struct sock_filter and struct bpf_insn share one layout: code, jt, jf, k. */
	return bpf_filter((const struct bpf_insn *)code, p->d, (u_int)p->n, (u_int)p->n) != 0 && n;
}

static void echo(struct pb *p, unsigned type, unsigned id)
{
	pb_reset(p);
	pb_ipv4_echo(p, type, ip4(10, 200, 1, 2), ip4(10, 200, 1, 1), id, 1, 56);
}

/* An ICMP error quoting 'inner' (an IPv4 datagram), with optional outer options. */
static void error_quoting(struct pb *p, unsigned type, const struct pb *inner, size_t quote,
			  size_t outer_opts)
{
	static const uint8_t nops[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	struct ipspec s = ipspec_default(1);
	size_t o;

	s.opts = outer_opts ? nops : NULL;
	s.optlen = outer_opts;
	pb_reset(p);
	pb_ipv4(p, &s, (unsigned)(20 + outer_opts + 8 + quote));
	o = pb_u8(p, type);
	pb_u8(p, 0);
	pb_be16(p, 0);
	pb_be32(p, 0);
	pb_bytes(p, inner->d, quote);
	icmp_fix_csum(p, o, 8 + quote);
}

static void test_echo_replies(void **state)
{
	struct pb p;
	(void)state;

	echo(&p, 0, ID);
	assert_true(passes(&p));
	echo(&p, 0, ID + 1);
	assert_false(passes(&p));
	echo(&p, 8, ID); /* our own request looped back */
	assert_false(passes(&p));
}

static void test_errors(void **state)
{
	struct pb probe, other, udp, p;
	struct ipspec s = ipspec_default(17);
	(void)state;

	pb_reset(&probe);
	pb_ipv4_echo(&probe, 8, ip4(10, 200, 1, 1), ip4(10, 200, 9, 9), ID, 3, 56);
	pb_reset(&other);
	pb_ipv4_echo(&other, 8, ip4(10, 200, 1, 1), ip4(10, 200, 9, 9), ID + 7, 3, 56);
	pb_reset(&udp);
	pb_ipv4(&udp, &s, 20 + 8 + 8);
	pb_udp(&udp, 0x4242, 0x4242, 8);

	error_quoting(&p, 11, &probe, 28, 0);
	assert_true(passes(&p));
	error_quoting(&p, 3, &probe, probe.n, 8); /* outer header with options */
	assert_true(passes(&p));
	error_quoting(&p, 12, &other, 28, 0);
	assert_false(passes(&p));
	error_quoting(&p, 3, &udp, 28, 0);
	assert_false(passes(&p));
	/* A quote cut before the id: the filter's load fails, which rejects. */
	error_quoting(&p, 3, &probe, 22, 0);
	assert_false(passes(&p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_replies),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
