/*
 * linktx_send: sends one IPv4 datagram through rawprobe's packet-socket path
 * (src/net/linktx.c), for the namespace tests of it.
 *
 *   linktx_send [--admin] [-I DEV] [-t MS] DST HEX
 *
 * HEX is the whole datagram, IPv4 header first, sent exactly as given.
 * Without --admin the process keeps only CAP_NET_RAW, permitted and not
 * effective, as `rawprobe craft` does (so the next hop is resolved without
 * CAP_NET_ADMIN); with --admin it keeps what it was started with.
 * Prints "IFNAME NEXTHOP LLADDR" on stdout once resolved; errors go to stderr
 * as one line, exit 2.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rawprobe/linktx.h"
#include "rawprobe/privs.h"

static int die(const char *what)
{
	fprintf(stderr, "linktx_send: %s\n", what);
	return 2;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

int main(int argc, char **argv)
{
	static uint8_t dg[65536];
	const char *device = NULL;
	int timeout_ms = 1000, admin = 0, i = 1;
	char err[256], hop[INET_ADDRSTRLEN];
	struct rp_link_tx t;
	struct in_addr dst;
	long len, sent;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--admin"))
			admin = 1;
		else if (!strcmp(argv[i], "-I") && i + 1 < argc)
			device = argv[++i];
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			timeout_ms = atoi(argv[++i]);
		else
			return die("usage: linktx_send [--admin] [-I DEV] [-t MS] DST HEX");
	}
	if (argc - i != 2)
		return die("usage: linktx_send [--admin] [-I DEV] [-t MS] DST HEX");
	if (inet_pton(AF_INET, argv[i], &dst) != 1)
		return die("DST is not an IPv4 address");
	len = hex_decode(argv[i + 1], dg, sizeof dg);
	if (len < 0)
		return die("HEX is not an even string of hex digits of at most 65536 bytes");
	if (!admin && rp_privs_keep_net_raw(err, sizeof err) != 0)
		return die(err);
	if (rp_link_tx_open(&t, err, sizeof err) != 0)
		return die(err);
	if (rp_link_tx_resolve(&t, dst.s_addr, device, timeout_ms, err, sizeof err) != 0)
		return die(err);
	printf("%s %s ", t.ifname, inet_ntop(AF_INET, &t.nexthop, hop, sizeof hop));
	for (unsigned k = 0; k < t.lladdr_len; k++)
		printf("%s%02x", k ? ":" : "", t.lladdr[k]);
	printf("%s\n", t.lladdr_len ? "" : "-");
	fflush(stdout);
	sent = rp_link_tx_send(&t, dg, (size_t)len);
	if (sent != len) {
		perror("linktx_send: sendto");
		return 2;
	}
	rp_link_tx_close(&t);
	return 0;
}
