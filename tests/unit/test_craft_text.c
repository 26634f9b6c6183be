/* The craft options written as text (src/core/craft_text.c): what they accept, encode and refuse. */
#include "pkt_helpers.h"

#include <stdio.h>

#include "rawprobe/craft.h"

static struct rp_craft_err err;

static void expect_msg(const char *want)
{
	if (strcmp(err.msg, want) != 0) {
		print_error("got '%s'\nwant '%s'\n", err.msg, want);
		fail();
	}
}

/* Parses text as given in an exact-size heap copy, so a read past its end is caught. */
static int ipopt(struct rp_craft *c, const char *text)
{
	struct exact e = exact_copy(text, strlen(text) + 1);
	int r;

	memset(&err, 0, sizeof err);
	r = rp_craft_parse_ipopt(c, (const char *)e.p, &err);
	exact_free(&e);
	return r;
}

static int tcpopt(struct rp_craft *c, const char *text)
{
	struct exact e = exact_copy(text, strlen(text) + 1);
	int r;

	memset(&err, 0, sizeof err);
	r = rp_craft_parse_tcpopt(c, (const char *)e.p, &err);
	exact_free(&e);
	return r;
}

static long hex(const char *text, uint8_t *out, size_t cap)
{
	struct exact e = exact_copy(text, strlen(text) + 1);
	struct exact o = exact_copy(out, cap);
	long r;

	memset(&err, 0, sizeof err);
	r = rp_craft_parse_hex((const char *)e.p, o.p, cap, &err);
	if (cap)
		memcpy(out, o.p, cap);
	exact_free(&e);
	exact_free(&o);
	return r;
}

/* ------------------------------------------------------------ hex */

static void test_hex(void **state)
{
	uint8_t b[8];
	(void)state;

	assert_int_equal(hex("deadbeef", b, 8), 4);
	assert_memory_equal(b, "\xde\xad\xbe\xef", 4);
	assert_int_equal(hex("DE:AD be\tEF", b, 8), 4);
	assert_memory_equal(b, "\xde\xad\xbe\xef", 4);
	assert_int_equal(hex("0x01 0X0203", b, 8), 3);
	assert_memory_equal(b, "\x01\x02\x03", 3);
	assert_int_equal(hex("0xdeadbeef", b, 4), 4);
	assert_int_equal(hex("", b, 8), 0);
	assert_int_equal(hex(" : ", b, 8), 0);

	assert_int_equal(hex("abc", b, 8), -1);
	expect_msg("'abc': 'abc' is not whole bytes; give two hex digits per byte");
	assert_int_equal(hex("a:bc", b, 8), -1);
	assert_int_equal(hex("zz", b, 8), -1);
	expect_msg("'zz': 'z' is not a hex digit; give pairs like de:ad:be:ef");
	assert_int_equal(hex("0x", b, 8), -1);
	assert_int_equal(hex("0102030405", b, 4), -1);
	expect_msg("'0102030405': more than 4 bytes");
	assert_int_equal(hex("01-02", b, 8), -1);
}

/* ------------------------------------------------------------ IP options */

static void test_ipopt_encodings(void **state)
{
	struct rp_craft c;
	static const uint8_t lsrr[] = { 131, 11, 4, 10, 200, 0, 9, 10, 200, 0, 2 };
	static const uint8_t ts2[] = { 68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	(void)state;

	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "rr=2"), 0);
	assert_int_equal(c.ip_opts_len, 11);
	assert_memory_equal(c.ip_opts, "\x07\x0b\x04\0\0\0\0\0\0\0\0", 11);

	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "LSRR=10.200.0.9,10.200.0.2"), 0);
	assert_int_equal(ipopt(&c, "ssrr=1.2.3.4"), 0);
	assert_int_equal(ipopt(&c, "ts=2"), 0);
	assert_int_equal(ipopt(&c, "ra"), 0);
	assert_int_equal(ipopt(&c, "nop"), 0);
	assert_int_equal(ipopt(&c, "eol"), 0);
	assert_int_equal(c.ip_opts_len, 11 + 7 + 12 + 4 + 1 + 1);
	assert_memory_equal(c.ip_opts, lsrr, 11);
	assert_memory_equal(c.ip_opts + 11, "\x89\x07\x04\x01\x02\x03\x04", 7);
	assert_memory_equal(c.ip_opts + 18, ts2, 12);
	assert_memory_equal(c.ip_opts + 30, "\x94\x04\x00\x00\x01\x00", 6);

	/* Without a count, rr and ts take what room is left, at most 9. */
	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "rr"), 0);
	assert_int_equal(c.ip_opts_len, 39);
	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "ts"), 0);
	assert_int_equal(c.ip_opts_len, 40);
	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "ra"), 0);
	assert_int_equal(ipopt(&c, "rr"), 0);
	assert_int_equal(c.ip_opts_len, 4 + 3 + 8 * 4);
	assert_int_equal(c.ip_opts[5], 35);

	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "hex:94 04 00 00"), 0);
	assert_int_equal(c.ip_opts_len, 4);
	assert_memory_equal(c.ip_opts, "\x94\x04\x00\x00", 4);
}

static void test_ipopt_refusals(void **state)
{
	struct rp_craft c;
	(void)state;

	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "rr"), 0);
	assert_int_equal(ipopt(&c, "ra"), -1);
	expect_msg("--ip-opt: the options take 43 bytes; at most 40");
	assert_int_equal(c.ip_opts_len, 39); /* nothing appended */
	assert_int_equal(ipopt(&c, "nop"), 0);
	assert_int_equal(ipopt(&c, "nop"), -1);
	expect_msg("--ip-opt: the options take 41 bytes; at most 40");
	assert_int_equal(ipopt(&c, "ts"), -1);
	expect_msg("--ip-opt: ts: no room left, the options before take 40 bytes of 40");

	rp_craft_init(&c);
	assert_int_equal(ipopt(&c, "rr=10"), -1);
	expect_msg("--ip-opt: rr=10: give 1-9 slots");
	assert_int_equal(ipopt(&c, "rr=0"), -1);
	assert_int_equal(ipopt(&c, "rr=x"), -1);
	assert_int_equal(ipopt(&c, "ts=10"), -1);
	assert_int_equal(ipopt(&c, "lsrr"), -1);
	expect_msg("--ip-opt: lsrr needs addresses: lsrr=A.B.C.D,A.B.C.D,...");
	assert_int_equal(ipopt(&c, "lsrr="), -1);
	assert_int_equal(ipopt(&c, "lsrr=10.0.0.1,"), -1);
	expect_msg("--ip-opt: lsrr: '' is not an IPv4 address");
	assert_int_equal(ipopt(&c, "ssrr=10.0.0.256"), -1);
	expect_msg("--ip-opt: ssrr: '10.0.0.256' is not an IPv4 address");
	assert_int_equal(ipopt(&c, "lsrr=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8,9.9.9.9,1.2.3.4"), -1);
	expect_msg("--ip-opt: lsrr: more than 9 addresses; at most 9 fit in 40 bytes");
	assert_int_equal(ipopt(&c, "rrr"), -1);
	expect_msg("--ip-opt: 'rrr' is not an option; use rr[=N], ts[=N], lsrr=A,B.., ssrr=A,B.., ra, nop, eol or hex:HEX");
	assert_int_equal(ipopt(&c, "ra=1"), -1);
	assert_int_equal(ipopt(&c, "hex:"), -1);
	expect_msg("--ip-opt: hex: no bytes; give hex:HEX");
	assert_int_equal(ipopt(&c, "hex:0g"), -1);
	expect_msg("--ip-opt: hex: 'g' is not a hex digit; give pairs like de:ad:be:ef");
	assert_int_equal(c.ip_opts_len, 0);
}

/* ------------------------------------------------------------ TCP options */

static void test_tcpopt(void **state)
{
	struct rp_craft c;
	static const uint8_t want[] = {
		2, 4, 0x05, 0xb4,                   /* mss=1460 */
		4, 2,                               /* sack-ok */
		8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, /* ts=1:4294967295 */
		1,                                  /* nop */
		3, 3, 7,                            /* ws=7 */
		0,                                  /* eol */
	};
	(void)state;

	rp_craft_init(&c);
	assert_int_equal(tcpopt(&c, "mss=1460,sack-ok,ts=1:4294967295,nop,ws=7,eol"), 0);
	assert_int_equal(c.tcp.opts_len, sizeof want);
	assert_memory_equal(c.tcp.opts, want, sizeof want);
	/* Appended by a second --tcp-opt. */
	assert_int_equal(tcpopt(&c, "sack=1-2:3-4"), 0);
	assert_int_equal(c.tcp.opts_len, sizeof want + 18);
	assert_memory_equal(c.tcp.opts + sizeof want,
			    "\x05\x12\0\0\0\x01\0\0\0\x02\0\0\0\x03\0\0\0\x04", 18);

	rp_craft_init(&c);
	assert_int_equal(tcpopt(&c, "SACKOK,hex:fe04abcd,ts=5,MSS=0x10"), 0);
	assert_memory_equal(c.tcp.opts, "\x04\x02\xfe\x04\xab\xcd\x08\x0a\0\0\0\x05\0\0\0\0\x02\x04\x00\x10", 20);
}

static void test_tcpopt_refusals(void **state)
{
	struct rp_craft c;
	(void)state;

	rp_craft_init(&c);
	assert_int_equal(tcpopt(&c, "ws=20"), -1);
	expect_msg("--tcp-opt: ws=20: window scale is 0-14");
	assert_int_equal(tcpopt(&c, "mss=65536"), -1);
	expect_msg("--tcp-opt: mss=65536: the segment size is 0-65535");
	assert_int_equal(tcpopt(&c, "mss"), -1);
	expect_msg("--tcp-opt: mss needs a value: mss=N (0-65535)");
	assert_int_equal(tcpopt(&c, "mss=-1"), -1);
	assert_int_equal(tcpopt(&c, "mss=010x"), -1);
	assert_int_equal(tcpopt(&c, "ts"), -1);
	expect_msg("--tcp-opt: ts needs ts=VALUE:ECHO (numbers 0-4294967295)");
	assert_int_equal(tcpopt(&c, "ts=1:4294967296"), -1);
	assert_int_equal(tcpopt(&c, "sack"), -1);
	expect_msg("--tcp-opt: sack needs blocks: sack=LEFT-RIGHT[:LEFT-RIGHT...]");
	assert_int_equal(tcpopt(&c, "sack=1-2:3"), -1);
	expect_msg("--tcp-opt: sack: '3' is not LEFT-RIGHT (numbers 0-4294967295)");
	assert_int_equal(tcpopt(&c, "sack=1-2:3-4:5-6:7-8:9-10"), -1);
	expect_msg("--tcp-opt: sack: more than 4 blocks do not fit");
	assert_int_equal(tcpopt(&c, "mss=1,,nop"), -1);
	expect_msg("--tcp-opt: an empty item in 'mss=1,,nop'; separate options by one comma");
	assert_int_equal(tcpopt(&c, ""), -1);
	assert_int_equal(tcpopt(&c, "nop,"), -1);
	assert_int_equal(tcpopt(&c, "window=3"), -1);
	expect_msg("--tcp-opt: 'window=3' is not an option; use mss=N, sack-ok, ts=V:E, ws=N, sack=L-R, nop, eol or hex:HEX");
	assert_int_equal(c.tcp.opts_len, 0);

	/* A list that overflows leaves the options as they were. */
	assert_int_equal(tcpopt(&c, "ts=1:2,ts=3:4,ts=5:6"), 0);
	assert_int_equal(tcpopt(&c, "mss=1,ts=1:1"), -1);
	expect_msg("--tcp-opt: the options take 44 bytes; at most 40");
	assert_int_equal(c.tcp.opts_len, 30);
	assert_int_equal(tcpopt(&c, "mss=1,sack-ok,nop,nop,nop,nop"), 0);
	assert_int_equal(c.tcp.opts_len, 40);
}

/* ------------------------------------------------------------ flags */

static int flags(const char *text, uint8_t *f)
{
	memset(&err, 0, sizeof err);
	return rp_craft_parse_tcp_flags(text, f, &err);
}

static void test_tcp_flags(void **state)
{
	uint8_t f = 0x55;
	(void)state;

	assert_int_equal(flags("S", &f), 0);
	assert_int_equal(f, RP_TH_SYN);
	assert_int_equal(flags("sa", &f), 0);
	assert_int_equal(f, RP_TH_SYN | RP_TH_ACK);
	assert_int_equal(flags("CEUAPRSF", &f), 0);
	assert_int_equal(f, 0xff);
	assert_int_equal(flags("FF", &f), 0);
	assert_int_equal(f, RP_TH_FIN);
	assert_int_equal(flags("rA", &f), 0);
	assert_int_equal(f, RP_TH_RST | RP_TH_ACK);
	assert_int_equal(flags("none", &f), 0);
	assert_int_equal(f, 0);
	assert_int_equal(flags("18", &f), 0);
	assert_int_equal(f, 18);
	assert_int_equal(flags("0x29", &f), 0);
	assert_int_equal(f, 0x29);
	assert_int_equal(flags("0", &f), 0);
	assert_int_equal(f, 0);

	f = 7;
	assert_int_equal(flags("256", &f), -1);
	expect_msg("--tcp-flags: '256': a number is 0-255");
	assert_int_equal(flags("SX", &f), -1);
	expect_msg("--tcp-flags: 'X' in 'SX' is not a flag; use letters of SAFRPUEC, a number 0-255 or none");
	assert_int_equal(flags("", &f), -1);
	expect_msg("--tcp-flags: empty; give letters of SAFRPUEC, a number 0-255 or none");
	assert_int_equal(flags("S A", &f), -1);
	assert_int_equal(flags("1S", &f), -1);
	assert_int_equal(f, 7);
}

/* ------------------------------------------------------------ ICMP names */

static void type_is(const char *text, unsigned want)
{
	uint8_t t = 0;

	memset(&err, 0, sizeof err);
	if (rp_craft_parse_icmp_type(text, &t, &err) != 0 || t != want) {
		print_error("type '%s': got %u (%s), want %u\n", text, t, err.msg, want);
		fail();
	}
}

static void code_is(unsigned type, const char *text, unsigned want)
{
	uint8_t k = 0;

	memset(&err, 0, sizeof err);
	if (rp_craft_parse_icmp_code((uint8_t)type, text, &k, &err) != 0 || k != want) {
		print_error("code %u '%s': got %u (%s), want %u\n", type, text, k, err.msg, want);
		fail();
	}
}

static void test_icmp_types(void **state)
{
	uint8_t t = 99;
	(void)state;

	type_is("echo-request", 8);
	type_is("Echo-Reply", 0);
	type_is("echo", 8);
	type_is("dest-unreach", 3);
	type_is("unreachable", 3);
	type_is("destination-unreachable", 3);
	type_is("source-quench", 4);
	type_is("redirect", 5);
	type_is("router-advert", 9);
	type_is("router-advertisement", 9); /* names.h's name, hyphenated */
	type_is("router-solicit", 10);
	type_is("time-exceeded", 11);
	type_is("param-problem", 12);
	type_is("parameter-problem", 12);
	type_is("timestamp", 13);
	type_is("timestamp-request", 13);
	type_is("timestamp-reply", 14);
	type_is("info-request", 15);
	type_is("information-request", 15);
	type_is("info-reply", 16);
	type_is("mask-request", 17);
	type_is("mask-reply", 18);
	type_is("address-mask-reply", 18);
	type_is("0", 0);
	type_is("255", 255);
	type_is("0x2a", 42);

	assert_int_equal(rp_craft_parse_icmp_type("256", &t, &err), -1);
	expect_msg("--icmp-type: '256': a number is 0-255");
	assert_int_equal(rp_craft_parse_icmp_type("echo-requests", &t, &err), -1);
	expect_msg("--icmp-type: 'echo-requests' is not a type; give 0-255 or a name like echo-request, dest-unreach, time-exceeded, timestamp");
	assert_int_equal(rp_craft_parse_icmp_type("", &t, &err), -1);
	assert_int_equal(rp_craft_parse_icmp_type("-1", &t, &err), -1);
	assert_int_equal(t, 99);
}

static void test_icmp_codes(void **state)
{
	uint8_t k = 99;
	(void)state;

	code_is(3, "net-unreach", 0);
	code_is(3, "host-unreach", 1);
	code_is(3, "proto-unreach", 2);
	code_is(3, "port-unreach", 3);
	code_is(3, "Port-Unreachable", 3);
	code_is(3, "frag-needed", 4);
	code_is(3, "fragmentation-needed", 4);
	code_is(3, "source-route-failed", 5);
	code_is(3, "net-unknown", 6);
	code_is(3, "host-unknown", 7);
	code_is(3, "admin-prohibited", 13);
	code_is(3, "communication-administratively-prohibited", 13);
	code_is(3, "precedence-cutoff", 15);
	code_is(5, "redirect-net", 0);
	code_is(5, "redirect-host", 1);
	code_is(11, "ttl-exceeded", 0);
	code_is(11, "frag-reassembly", 1);
	code_is(12, "bad-length", 2);
	code_is(8, "0", 0);
	code_is(3, "200", 200);

	assert_int_equal(rp_craft_parse_icmp_code(8, "port-unreach", &k, &err), -1);
	expect_msg("--icmp-code: port-unreach is a code of type 3 (dest-unreach), not of type 8 (echo-request); give 0-255 or a code of that type");
	assert_int_equal(rp_craft_parse_icmp_code(3, "ttl-exceeded", &k, &err), -1);
	expect_msg("--icmp-code: ttl-exceeded is a code of type 11 (time-exceeded), not of type 3 (dest-unreach); give 0-255 or a code of that type");
	assert_int_equal(rp_craft_parse_icmp_code(3, "nope", &k, &err), -1);
	expect_msg("--icmp-code: 'nope' is not a code of type 3 (dest-unreach); give 0-255 or a name like port-unreach, host-unreach, frag-needed");
	assert_int_equal(rp_craft_parse_icmp_code(3, "256", &k, &err), -1);
	expect_msg("--icmp-code: '256': a number is 0-255");
	assert_int_equal(k, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_ipopt_encodings),
		cmocka_unit_test(test_ipopt_refusals),
		cmocka_unit_test(test_tcpopt),
		cmocka_unit_test(test_tcpopt_refusals),
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_icmp_types),
		cmocka_unit_test(test_icmp_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
