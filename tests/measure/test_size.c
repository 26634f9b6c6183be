/* Byte counts with binary suffixes, as --bytes and --msg-size take them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "size.h"

static uint64_t ok(const char *s)
{
	uint64_t v = 12345;

	assert_int_equal(rp_size_parse(s, &v), 0);
	return v;
}

static void bad(const char *s)
{
	uint64_t v = 12345;

	assert_int_equal(rp_size_parse(s, &v), -1);
	assert_int_equal(v, 12345); /* untouched */
}

static void test_plain(void **state)
{
	(void)state;
	assert_int_equal(ok("0"), 0);
	assert_int_equal(ok("1"), 1);
	assert_int_equal(ok("65536"), 65536);
	assert_int_equal(ok("18446744073709551615"), UINT64_MAX);
}

static void test_suffixes(void **state)
{
	(void)state;
	assert_int_equal(ok("256K"), 256 * 1024);
	assert_int_equal(ok("256k"), 256 * 1024);
	assert_int_equal(ok("1M"), 1024 * 1024);
	assert_int_equal(ok("1m"), 1024 * 1024);
	assert_int_equal(ok("4G"), 4ull << 30);
	assert_int_equal(ok("2T"), 2ull << 40);
	assert_int_equal(ok("4GiB"), 4ull << 30);
	assert_int_equal(ok("4GB"), 4ull << 30);
	assert_int_equal(ok("8MiB"), 8ull << 20);
	assert_int_equal(ok("16777215T"), 16777215ull << 40);
}

static void test_errors(void **state)
{
	(void)state;
	bad("");
	bad("G");
	bad("-1");
	bad("+1");
	bad(" 1");
	bad("1 ");
	bad("1.5G");
	bad("4X");
	bad("4Gb");
	bad("4GiBs");
	bad("4KK");
	bad("0x10");
	bad("16777216T");            /* 2^64 */
	bad("18446744073709551616"); /* 2^64 */
	bad("99999999999999999999999");
	assert_int_equal(rp_size_parse(NULL, &(uint64_t){ 0 }), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
