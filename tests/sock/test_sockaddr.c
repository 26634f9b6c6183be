/* Unit tests of the socket address parser (include/rawprobe/sockaddr.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "rawprobe/sockaddr.h"

static struct rp_sockaddr a;
static char err[256];

static int parse(const char *spec, int flags)
{
	err[0] = '\0';
	return rp_sockaddr_parse(spec, flags, &a, err, sizeof err);
}

static uint16_t port_of(void)
{
	if (a.family == AF_INET)
		return ntohs(((struct sockaddr_in *)&a.ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port);
}

static void test_tcp_ipv4(void **state)
{
	(void)state;
	assert_int_equal(parse("tcp:127.0.0.1:7000", 0), 0);
	assert_int_equal(a.kind, RP_SOCK_TCP);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.socktype, SOCK_STREAM);
	assert_int_equal(a.len, sizeof(struct sockaddr_in));
	assert_int_equal(port_of(), 7000);
	assert_string_equal(a.text, "tcp:127.0.0.1:7000");
	assert_true(rp_sockaddr_is_stream(&a));
	assert_true(rp_sockaddr_is_connected(&a));
	assert_false(rp_sockaddr_is_dgram(&a));
}

static void test_ipv6_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("udp:[::1]:53", 0), 0);
	assert_int_equal(a.kind, RP_SOCK_UDP);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.socktype, SOCK_DGRAM);
	assert_int_equal(port_of(), 53);
	assert_string_equal(a.text, "udp:[::1]:53");
	assert_true(rp_sockaddr_is_dgram(&a));
	/* Bare: the last colon ends the host. */
	assert_int_equal(parse("tcp:::1:8080", 0), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(port_of(), 8080);
	assert_string_equal(a.text, "tcp:[::1]:8080");
}

static void test_empty_host(void **state)
{
	(void)state;
	assert_int_equal(parse("tcp::7000", RP_ADDR_LISTEN), 0);
	assert_true(a.wildcard);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(&((struct sockaddr_in6 *)&a.ss)->sin6_addr, &in6addr_any, sizeof in6addr_any);
	assert_int_equal(port_of(), 7000);
	assert_int_equal(parse("udp::0", RP_ADDR_LISTEN), 0); /* port 0: the kernel picks */
	/* A client needs a host and a real port. */
	assert_int_equal(parse("tcp::7000", 0), -1);
	assert_non_null(strstr(err, "no host"));
	assert_int_equal(parse("tcp:127.0.0.1:0", 0), -1);
}

static void test_name(void **state)
{
	(void)state;
	assert_int_equal(parse("tcp:localhost:22", 0), 0);
	if (a.family == AF_INET)
		assert_int_equal(ntohl(((struct sockaddr_in *)&a.ss)->sin_addr.s_addr) >> 24, 127);
	else
		assert_int_equal(a.family, AF_INET6);
	assert_int_equal(port_of(), 22);
	assert_int_equal(parse("tcp:no-such-host.invalid:80", 0), -1);
	assert_non_null(strstr(err, "cannot resolve"));
}

static void test_unix_path(void **state)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a.ss;

	(void)state;
	assert_int_equal(parse("unix:/tmp/rp.sock", 0), 0);
	assert_int_equal(a.kind, RP_SOCK_UNIX_STREAM);
	assert_int_equal(a.family, AF_UNIX);
	assert_false(a.abstract);
	assert_true(rp_sockaddr_is_file(&a));
	assert_string_equal(sun->sun_path, "/tmp/rp.sock");
	assert_int_equal(a.len, offsetof(struct sockaddr_un, sun_path) + strlen("/tmp/rp.sock") + 1);
	assert_string_equal(a.text, "unix:/tmp/rp.sock");
	assert_int_equal(parse("unix-dgram:rel/path", 0), 0);
	assert_int_equal(a.socktype, SOCK_DGRAM);
	assert_true(rp_sockaddr_is_dgram(&a));
	assert_int_equal(parse("unix-seqpacket:/x", 0), 0);
	assert_int_equal(a.socktype, SOCK_SEQPACKET);
	assert_true(rp_sockaddr_is_seqpacket(&a));
	assert_true(rp_sockaddr_is_connected(&a));
	assert_false(rp_sockaddr_is_stream(&a));
}

static void test_unix_abstract(void **state)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a.ss;

	(void)state;
	assert_int_equal(parse("unix:@name", 0), 0);
	assert_true(a.abstract);
	assert_false(rp_sockaddr_is_file(&a));
	assert_int_equal(sun->sun_path[0], '\0');
	assert_memory_equal(sun->sun_path + 1, "name", 4);
	/* Unpadded: the length ends the name, so "@name" is not "@name\0\0...". */
	assert_int_equal(a.len, offsetof(struct sockaddr_un, sun_path) + 5);
	assert_string_equal(a.text, "unix:@name");
	assert_int_equal(parse("unix-seqpacket:@x", 0), 0);
	assert_string_equal(a.text, "unix-seqpacket:@x");
}

static void test_unix_limits(void **state)
{
	char spec[300], path[200];

	(void)state;
	memset(path, 'p', sizeof path);
	path[107] = '\0'; /* 107 bytes + NUL: the most sun_path holds */
	path[0] = '/';
	snprintf(spec, sizeof spec, "unix:%s", path);
	assert_int_equal(parse(spec, 0), 0);
	path[107] = 'p';
	path[108] = '\0';
	snprintf(spec, sizeof spec, "unix:%s", path);
	assert_int_equal(parse(spec, 0), -1);
	assert_non_null(strstr(err, "limit"));
	assert_int_equal(parse("unix:", 0), -1);
	assert_int_equal(parse("unix:@", 0), -1);
}

static void test_errors(void **state)
{
	static const char *bad[] = {
		"", "tcp", "foo:bar", "TCP:1.2.3.4:5", "unixx:/x", "tcp:1.2.3.4", "tcp:1.2.3.4:",
		"tcp:1.2.3.4:x", "tcp:1.2.3.4:65536", "tcp:1.2.3.4:-1", "tcp:1.2.3.4:80x",
		"tcp:[::1:80", "tcp:[::1]80", "udp:[::1]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i], RP_ADDR_LISTEN), -1);
		assert_true(strlen(err) > 10); /* every error says something */
	}
}

static void test_format(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[RP_SOCKADDR_TEXTLEN];

	(void)state;
	memcpy(sun.sun_path, "\0" "0001f", 6); /* what autobind gives */
	rp_sockaddr_format(RP_SOCK_UNIX_DGRAM, (struct sockaddr *)&sun,
			   offsetof(struct sockaddr_un, sun_path) + 6, buf, sizeof buf);
	assert_string_equal(buf, "unix-dgram:@0001f");
	rp_sockaddr_format(RP_SOCK_UNIX_STREAM, (struct sockaddr *)&sun, sizeof(sa_family_t), buf,
			   sizeof buf);
	assert_string_equal(buf, "unix:(unnamed)");
	rp_sockaddr_format(RP_SOCK_TCP, (struct sockaddr *)&sun, 0, buf, 4); /* tiny buffer */
	assert_int_equal(strlen(buf), 3);
	assert_string_equal(rp_sock_kind_name(RP_SOCK_UNIX_SEQPACKET), "unix-seqpacket");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_ipv4),     cmocka_unit_test(test_ipv6_forms),
		cmocka_unit_test(test_empty_host),   cmocka_unit_test(test_name),
		cmocka_unit_test(test_unix_path),    cmocka_unit_test(test_unix_abstract),
		cmocka_unit_test(test_unix_limits),  cmocka_unit_test(test_errors),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
