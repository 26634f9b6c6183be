/* Names for output (src/core/names.c): the documented names, NULL where documented. */
#include "pkt_helpers.h"

#include "rawprobe/names.h"

static void test_icmp_type_names(void **state)
{
	(void)state;
	assert_string_equal(rp_icmp_type_name(8), "echo request");
	assert_string_equal(rp_icmp_type_name(3), "destination unreachable");
	assert_non_null(rp_icmp_type_name(0));
	assert_non_null(rp_icmp_type_name(11));
	assert_non_null(rp_icmp_type_name(13));
	/* the names differ: a table shifted by one would not */
	assert_string_not_equal(rp_icmp_type_name(0), rp_icmp_type_name(8));
	assert_string_not_equal(rp_icmp_type_name(11), rp_icmp_type_name(12));
	/* unassigned types (RFC 792 and the IANA registry leave 1, 2 and 7 unassigned) */
	assert_null(rp_icmp_type_name(1));
	assert_null(rp_icmp_type_name(2));
	assert_null(rp_icmp_type_name(7));
	for (unsigned t = 0; t < 256; t++) {
		const char *n = rp_icmp_type_name((uint8_t)t);
		if (n != NULL && n[0] == 0)
			fail_msg("type %u has an empty name", t);
	}
}

static void test_icmp_code_names(void **state)
{
	(void)state;
	assert_non_null(rp_icmp_code_name(3, 1));  /* host unreachable */
	assert_non_null(rp_icmp_code_name(3, 4));  /* fragmentation needed */
	assert_non_null(rp_icmp_code_name(11, 0)); /* ttl exceeded in transit */
	assert_non_null(rp_icmp_code_name(3, 0));
	assert_string_not_equal(rp_icmp_code_name(3, 0), rp_icmp_code_name(3, 1));
	assert_null(rp_icmp_code_name(8, 0));     /* echo has no named codes */
	assert_null(rp_icmp_code_name(3, 200));   /* no such code */
}

static void test_ipproto_names(void **state)
{
	(void)state;
	assert_string_equal(rp_ipproto_name(1), "ICMP");
	assert_string_equal(rp_ipproto_name(17), "UDP");
	assert_string_equal(rp_ipproto_name(47), "GRE");
	assert_non_null(rp_ipproto_name(6));
	assert_string_equal(rp_ipproto_name(6), "TCP");
	assert_string_not_equal(rp_ipproto_name(6), rp_ipproto_name(17));
}

static void test_ethertype_names(void **state)
{
	(void)state;
	assert_string_equal(rp_ethertype_name(0x0806), "ARP");
	/* names.h's comment says "IP6"; tcpdump (and the replay goldens) say "IPv6" */
	assert_string_equal(rp_ethertype_name(0x86dd), "IPv6");
	assert_string_equal(rp_ethertype_name(0x0800), "IPv4");
	assert_null(rp_ethertype_name(0x1234));
}

static void test_ipopt_names(void **state)
{
	static const struct {
		uint8_t type;
		const char *name;
	} opts[] = {
		{ 0, "EOL" }, { 1, "NOP" }, { 7, "RR" }, { 68, "TS" },
		{ 131, "LSRR" }, { 137, "SSRR" }, { 148, "RA" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		assert_string_equal(rp_ipopt_name(opts[i].type), opts[i].name);
	assert_null(rp_ipopt_name(0x5e));
	assert_null(rp_ipopt_name(255));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_type_names),
		cmocka_unit_test(test_icmp_code_names),
		cmocka_unit_test(test_ipproto_names),
		cmocka_unit_test(test_ethertype_names),
		cmocka_unit_test(test_ipopt_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
