/* The `bench --json` objects: exactly the contract's keys, numbers and nulls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "measure.h"

static void test_throughput(void **state)
{
	struct rp_tput_result r = { .bytes = 4ull << 30, .seconds = 0.8 };
	char buf[512];
	int n;

	(void)state;
	n = rp_json_throughput(buf, sizeof buf, "unix:/tmp/x", &r);
	assert_string_equal(buf, "{\"type\":\"throughput\", \"addr\":\"unix:/tmp/x\", \"bytes\":4294967296, "
				 "\"seconds\":0.800000, \"mib_per_s\":5120.00}\n");
	assert_int_equal(n, (int)strlen(buf));
	r.seconds = 0; /* nothing measured: a rate we cannot know is null */
	rp_json_throughput(buf, sizeof buf, "tcp:127.0.0.1:7000", &r);
	assert_non_null(strstr(buf, "\"mib_per_s\":null}"));
}

static void test_messages(void **state)
{
	struct rp_msgs_result r = { .sent = 1000000, .received = 999000, .received_known = true,
				    .seconds = 2.0 };
	char buf[512];

	(void)state;
	rp_json_messages(buf, sizeof buf, "unix-dgram:/tmp/x", 64, &r);
	assert_string_equal(buf, "{\"type\":\"messages\", \"addr\":\"unix-dgram:/tmp/x\", \"size\":64, "
				 "\"sent\":1000000, \"received\":999000, \"msg_per_s\":499500.0}\n");
	r.received_known = false; /* --remote sink: nothing came back */
	rp_json_messages(buf, sizeof buf, "udp:127.0.0.1:9", 64, &r);
	assert_string_equal(buf, "{\"type\":\"messages\", \"addr\":\"udp:127.0.0.1:9\", \"size\":64, "
				 "\"sent\":1000000, \"received\":null, \"msg_per_s\":500000.0}\n");
}

static void test_rr(void **state)
{
	struct rp_rr_result *r = calloc(1, sizeof *r);
	char buf[512];

	(void)state;
	assert_non_null(r);
	rp_hist_init(&r->hist);
	for (int v = 1; v <= 200; v++) /* ns below 256: exact buckets */
		rp_hist_add(&r->hist, v);
	r->n = 200;
	rp_json_rr(buf, sizeof buf, "tcp:127.0.0.1:7000", r);
	assert_string_equal(buf, "{\"type\":\"rr\", \"addr\":\"tcp:127.0.0.1:7000\", \"n\":200, "
				 "\"p50_us\":0.100, \"p90_us\":0.180, \"p99_us\":0.198, \"p999_us\":0.200}\n");
	rp_hist_init(&r->hist);
	r->n = 0;
	rp_json_rr(buf, sizeof buf, "unix:@x", r);
	assert_string_equal(buf, "{\"type\":\"rr\", \"addr\":\"unix:@x\", \"n\":0, \"p50_us\":null, "
				 "\"p90_us\":null, \"p99_us\":null, \"p999_us\":null}\n");
	free(r);
}

/* A unix path may hold anything: quotes, backslashes and control bytes are escaped. */
static void test_escaping(void **state)
{
	struct rp_tput_result r = { .bytes = 1, .seconds = 1 };
	char buf[512];

	(void)state;
	rp_json_throughput(buf, sizeof buf, "unix:/tmp/a\"b\\c\nd", &r);
	assert_non_null(strstr(buf, "\"addr\":\"unix:/tmp/a\\\"b\\\\c\\u000ad\""));
}

/* A short buffer: terminated, nothing written past it, the needed length returned. */
static void test_truncation(void **state)
{
	struct rp_tput_result r = { .bytes = 1, .seconds = 1 };
	char buf[40], full[512];
	int need;

	(void)state;
	memset(buf, 'Z', sizeof buf);
	need = rp_json_throughput(buf, 32, "unix:/tmp/x", &r);
	assert_int_equal(need, rp_json_throughput(full, sizeof full, "unix:/tmp/x", &r));
	assert_int_equal(strlen(buf), 31);
	assert_memory_equal(buf, full, 31);
	assert_int_equal(buf[32], 'Z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throughput),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
