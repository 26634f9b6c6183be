/*
 * rawprobe craft: every field of an IPv4 datagram from the command line.
 * Options fill a struct rp_craft (the core checks and builds it); the
 * sockets are opened with CAP_NET_RAW raised only around socket(2), every
 * privilege is dropped, and only then are files, names and packets read.
 * Sending and listening are in craft_send.c, --from-pcap in craft_replay.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "craft.h"
#include "print.h"
#include "rawprobe/decode.h"
#include "rawprobe/frag.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/privs.h"

#define PAYLOAD_MAX 65535

static const char usage_text[] =
	"usage: rawprobe craft --dst ADDR [options]\n"
	"       rawprobe craft --from-pcap FILE [--rewrite-dst ADDR] [--rewrite-src ADDR] [FILTER]\n"
	"Builds an IPv4 datagram field by field, sends it, prints the answers decoded.\n"
	"IPv4:  --src ADDR (not a local address: root only)  --tos N | --dscp N --ecn N\n"
	"       --id N  --ttl N (64)  --df  --mf  --frag-off BYTES  --proto N\n"
	"       --ip-opt rr[=N]|ts[=N]|lsrr=A,B..|ssrr=A,B..|ra|nop|eol|hex:HEX (repeatable)\n"
	"       --ihl WORDS  --ip-len N  --ip-checksum N|bad\n"
	"ICMP (the default, echo request):\n"
	"       --icmp-type T  --icmp-code C (numbers or names)  --icmp-id N  --icmp-seq N\n"
	"       --icmp-otime N --icmp-rtime N --icmp-ttime N  --icmp-mask A.B.C.D\n"
	"       --icmp-pointer N  --icmp-gateway ADDR  --icmp-mtu N  --icmp-rest HEX (4 bytes)\n"
	"       --icmp-checksum N|bad\n"
	"UDP:   --udp [SPORT]:DPORT  --udp-len N  --udp-checksum N|bad\n"
	"TCP:   --tcp [SPORT]:DPORT  --tcp-flags SAFRPUEC (S)  --tcp-seq N  --tcp-ack N\n"
	"       --tcp-win N (64240)  --tcp-urp N  --tcp-hlen WORDS  --tcp-checksum N|bad\n"
	"       --tcp-opt mss=1460,sack-ok,ts=V:E,ws=7,nop,eol,hex:HEX (repeatable)\n"
	"Other: --proto N alone: a raw payload after the IP header\n"
	"Payload (one of): --data TEXT  --hex HEX  --file PATH  --size N (00 01 02 ...)\n"
	"       --fragment MTU        split the datagram into fragments of at most MTU bytes\n"
	"Sending:\n"
	"  -c, --count N          datagrams to send (1)\n"
	"  -i, --interval SECS    between them (1; under 0.002 root only)\n"
	"      --rate PPS         datagrams per second (0: as fast as possible; over 500 root only)\n"
	"  -I, --interface DEV    send through DEV\n"
	"      --link             send through a packet socket even when a raw socket would do\n"
	"Listening and output:\n"
	"  -W, --wait SECS        listen after the last datagram (1; 0: do not listen)\n"
	"  -q, --quiet            the first line and the summary only\n"
	"  -n, --numeric          numeric output (names are never looked up anyway)\n"
	"  -v, --verbose          the IP header's details on each answer\n"
	"  -x, -X                 hex dump of each answer (-X with ASCII)\n"
	"      --json             JSON Lines: read's object per answer, then a summary\n"
	"      --pcap FILE        save what was sent and the answers (raw IPv4)\n"
	"      --dry-run          print the datagram decoded, and its bytes; send nothing\n"
	"Replay:\n"
	"      --from-pcap FILE   send the IPv4 datagrams of a capture (FILTER: BPF syntax)\n"
	"      --rewrite-dst ADDR --rewrite-src ADDR  with the checksums made right again\n"
	"  The capture's timing is kept unless --rate or --interval is given; -c limits.\n";

enum {
	OPT_DST = 256, OPT_SRC, OPT_TOS, OPT_DSCP, OPT_ECN, OPT_ID, OPT_TTL, OPT_DF, OPT_MF,
	OPT_FRAG_OFF, OPT_PROTO, OPT_IP_OPT, OPT_IHL, OPT_IP_LEN, OPT_IP_CSUM,
	OPT_ICMP_TYPE, OPT_ICMP_CODE, OPT_ICMP_ID, OPT_ICMP_SEQ, OPT_ICMP_OTIME, OPT_ICMP_RTIME,
	OPT_ICMP_TTIME, OPT_ICMP_MASK, OPT_ICMP_POINTER, OPT_ICMP_GATEWAY, OPT_ICMP_MTU,
	OPT_ICMP_REST, OPT_ICMP_CSUM,
	OPT_UDP, OPT_UDP_LEN, OPT_UDP_CSUM,
	OPT_TCP, OPT_TCP_FLAGS, OPT_TCP_SEQ, OPT_TCP_ACK, OPT_TCP_WIN, OPT_TCP_URP, OPT_TCP_HLEN,
	OPT_TCP_OPT, OPT_TCP_CSUM,
	OPT_DATA, OPT_HEX, OPT_FILE, OPT_SIZE, OPT_FRAGMENT,
	OPT_RATE, OPT_LINK, OPT_JSON, OPT_PCAP, OPT_DRY_RUN,
	OPT_FROM_PCAP, OPT_REWRITE_DST, OPT_REWRITE_SRC, OPT_HELP,
};

static const struct option longopts[] = {
	{ "dst", required_argument, NULL, OPT_DST },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "tos", required_argument, NULL, OPT_TOS },
	{ "dscp", required_argument, NULL, OPT_DSCP },
	{ "ecn", required_argument, NULL, OPT_ECN },
	{ "id", required_argument, NULL, OPT_ID },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "df", no_argument, NULL, OPT_DF },
	{ "mf", no_argument, NULL, OPT_MF },
	{ "frag-off", required_argument, NULL, OPT_FRAG_OFF },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ "ip-opt", required_argument, NULL, OPT_IP_OPT },
	{ "ihl", required_argument, NULL, OPT_IHL },
	{ "ip-len", required_argument, NULL, OPT_IP_LEN },
	{ "ip-checksum", required_argument, NULL, OPT_IP_CSUM },
	{ "icmp-type", required_argument, NULL, OPT_ICMP_TYPE },
	{ "icmp-code", required_argument, NULL, OPT_ICMP_CODE },
	{ "icmp-id", required_argument, NULL, OPT_ICMP_ID },
	{ "icmp-seq", required_argument, NULL, OPT_ICMP_SEQ },
	{ "icmp-otime", required_argument, NULL, OPT_ICMP_OTIME },
	{ "icmp-rtime", required_argument, NULL, OPT_ICMP_RTIME },
	{ "icmp-ttime", required_argument, NULL, OPT_ICMP_TTIME },
	{ "icmp-mask", required_argument, NULL, OPT_ICMP_MASK },
	{ "icmp-pointer", required_argument, NULL, OPT_ICMP_POINTER },
	{ "icmp-gateway", required_argument, NULL, OPT_ICMP_GATEWAY },
	{ "icmp-mtu", required_argument, NULL, OPT_ICMP_MTU },
	{ "icmp-rest", required_argument, NULL, OPT_ICMP_REST },
	{ "icmp-checksum", required_argument, NULL, OPT_ICMP_CSUM },
	{ "udp", required_argument, NULL, OPT_UDP },
	{ "udp-len", required_argument, NULL, OPT_UDP_LEN },
	{ "udp-checksum", required_argument, NULL, OPT_UDP_CSUM },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "tcp-flags", required_argument, NULL, OPT_TCP_FLAGS },
	{ "tcp-seq", required_argument, NULL, OPT_TCP_SEQ },
	{ "tcp-ack", required_argument, NULL, OPT_TCP_ACK },
	{ "tcp-win", required_argument, NULL, OPT_TCP_WIN },
	{ "tcp-urp", required_argument, NULL, OPT_TCP_URP },
	{ "tcp-hlen", required_argument, NULL, OPT_TCP_HLEN },
	{ "tcp-opt", required_argument, NULL, OPT_TCP_OPT },
	{ "tcp-checksum", required_argument, NULL, OPT_TCP_CSUM },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "hex", required_argument, NULL, OPT_HEX },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "fragment", required_argument, NULL, OPT_FRAGMENT },
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "interface", required_argument, NULL, 'I' },
	{ "link", no_argument, NULL, OPT_LINK },
	{ "wait", required_argument, NULL, 'W' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "from-pcap", required_argument, NULL, OPT_FROM_PCAP },
	{ "rewrite-dst", required_argument, NULL, OPT_REWRITE_DST },
	{ "rewrite-src", required_argument, NULL, OPT_REWRITE_SRC },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* An option as the user wrote it, for messages: "--ttl", "-c" (one static buffer: copy to keep). */
static const char *dashed(int ch)
{
	static char name[40];

	snprintf(name, sizeof name, "-%c", ch);
	for (const struct option *l = longopts; l->name; l++)
		if (l->val == ch && ch >= 256)
			snprintf(name, sizeof name, "--%s", l->name);
	return name;
}

/* ------------------------------------------------------------ values */

/* A whole number in [min, max]: decimal, or hex after 0x as header fields are often written. */
static uint64_t num(int ch, const char *arg, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	if (arg[0] != '0' || (arg[1] != 'x' && arg[1] != 'X'))
		return cmd_parse_uint(CRAFT_SUB, dashed(ch), arg, min, max);
	errno = 0;
	v = strtoull(arg + 2, &end, 16);
	if (arg[2] == '\0' || arg[2] == '-' || arg[2] == '+' || *end != '\0')
		cmd_fail(CRAFT_SUB, "%s value '%s' is not a whole number from %llu to %llu", dashed(ch), arg,
			 (unsigned long long)min, (unsigned long long)max);
	if (errno == ERANGE || v > max)
		cmd_fail(CRAFT_SUB, "%s value is %s: too large (%llu at most)", dashed(ch), arg,
			 (unsigned long long)max);
	if (v < min)
		cmd_fail(CRAFT_SUB, "%s value is %s: too small (%llu at least)", dashed(ch), arg,
			 (unsigned long long)min);
	return v;
}

static uint32_t parse_addr(int ch, const char *arg)
{
	struct in_addr a;

	if (inet_pton(AF_INET, arg, &a) != 1)
		cmd_fail(CRAFT_SUB, "%s value '%s' is not an IPv4 address (A.B.C.D)", dashed(ch), arg);
	return a.s_addr;
}

static void fail_craft(const struct rp_craft_err *e)
{
	cmd_fail(CRAFT_SUB, "%s", e->msg);
}

/* "N" or "bad" for a checksum field. */
static void parse_checksum(int ch, const char *arg, uint16_t *value, uint32_t *set, uint32_t flag_value,
			   uint32_t flag_bad)
{
	*set &= ~(flag_value | flag_bad);
	if (!strcmp(arg, "bad")) {
		*set |= flag_bad;
		return;
	}
	if (arg[0] == '\0' || strspn(arg, "0123456789abcdefABCDEFxX") != strlen(arg))
		cmd_fail(CRAFT_SUB, "%s value '%s' is neither a number from 0 to 65535 nor 'bad'", dashed(ch),
			 arg);
	*value = (uint16_t)num(ch, arg, 0, 65535);
	*set |= flag_value;
}

static uint16_t parse_port(int ch, const char *all, const char *part)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(part, &end, 10);
	if (part[0] == '\0' || part[0] == '-' || *end != '\0' || errno || v > 65535)
		cmd_fail(CRAFT_SUB, "%s value '%s': port '%s' is not a number from 0 to 65535 "
			 "(give SPORT:DPORT, SPORT may be empty)", dashed(ch), all, part);
	return (uint16_t)v;
}

/* "SPORT:DPORT", SPORT may be empty (a random ephemeral port). */
static void parse_ports(struct craft_opts *o, int ch, const char *arg, uint16_t *sport,
			uint16_t *dport)
{
	const char *colon = strchr(arg, ':');
	char sp[16];
	size_t n;

	if (!colon)
		cmd_fail(CRAFT_SUB, "%s value '%s' is not SPORT:DPORT (e.g. %s :80, or 40000:80)",
			 dashed(ch), arg, dashed(ch));
	n = (size_t)(colon - arg);
	if (n >= sizeof sp)
		cmd_fail(CRAFT_SUB, "%s value '%s': the source port is not a number from 0 to 65535",
			 dashed(ch), arg);
	memcpy(sp, arg, n);
	sp[n] = '\0';
	o->sport_random = n == 0;
	if (n)
		*sport = parse_port(ch, arg, sp);
	*dport = parse_port(ch, arg, colon + 1);
}

static void set_payload(struct craft_opts *o, int ch)
{
	if (o->payload_opt)
		cmd_fail(CRAFT_SUB, "%s and %s both give the payload; give one of --data, --hex, --file, --size",
			 o->payload_opt, dashed(ch));
	o->payload_opt = ch == OPT_DATA ? "--data" : ch == OPT_HEX ? "--hex" : ch == OPT_FILE ? "--file"
										 : "--size";
	o->spec.set |= RP_CS_PAYLOAD;
}

static void payload_data(struct craft_opts *o, const char *arg)
{
	size_t n = strlen(arg);

	set_payload(o, OPT_DATA);
	if (n > PAYLOAD_MAX)
		cmd_fail(CRAFT_SUB, "--data is %zu bytes; at most %d", n, PAYLOAD_MAX);
	memcpy(o->payload, arg, n);
	o->spec.payload = o->payload;
	o->spec.payload_len = n;
}

static void payload_hex(struct craft_opts *o, const char *arg)
{
	struct rp_craft_err e;
	long n;

	set_payload(o, OPT_HEX);
	n = rp_craft_parse_hex(arg, o->payload, PAYLOAD_MAX, &e);
	if (n < 0)
		cmd_fail(CRAFT_SUB, "--hex: %s", e.msg);
	o->spec.payload = o->payload;
	o->spec.payload_len = (size_t)n;
}

static void payload_size(struct craft_opts *o, const char *arg)
{
	size_t n = (size_t)num(OPT_SIZE, arg, 0, PAYLOAD_MAX);

	set_payload(o, OPT_SIZE);
	for (size_t i = 0; i < n; i++)
		o->payload[i] = (uint8_t)i;
	o->spec.payload = o->payload;
	o->spec.payload_len = n;
}

static void icmp_rest(struct craft_opts *o, const char *arg)
{
	struct rp_craft_err e;
	uint8_t b[8];
	long n = rp_craft_parse_hex(arg, b, sizeof b, &e);

	if (n < 0)
		cmd_fail(CRAFT_SUB, "--icmp-rest: %s", e.msg);
	if (n != 4)
		cmd_fail(CRAFT_SUB, "--icmp-rest value '%s' is %ld bytes; it takes exactly 4 (8 hex digits, "
			 "bytes 4-7 of the ICMP header)", arg, n);
	memcpy(o->spec.icmp.rest, b, 4);
	o->spec.set |= RP_CS_ICMP_REST;
}

/* ------------------------------------------------------------ options */

static void opt_ip(struct craft_opts *o, int ch, const char *arg)
{
	struct rp_craft *c = &o->spec;
	struct rp_craft_err e;
	unsigned v;

	switch (ch) {
	case OPT_SRC: c->src = parse_addr(ch, arg); c->set |= RP_CS_SRC; break;
	case OPT_TOS: c->tos = (uint8_t)num(ch, arg, 0, 255); o->tos_set = true; break;
	case OPT_DSCP: o->dscp = (uint8_t)num(ch, arg, 0, 63); o->dscp_set = true; break;
	case OPT_ECN: o->ecn = (uint8_t)num(ch, arg, 0, 3); o->ecn_set = true; break;
	case OPT_ID: c->id = (uint16_t)num(ch, arg, 0, 65535); c->set |= RP_CS_ID; break;
	case OPT_TTL: c->ttl = (uint8_t)num(ch, arg, 0, 255); break;
	case OPT_DF: c->frag |= RP_IP_DF; break;
	case OPT_MF: c->frag |= RP_IP_MF; break;
	case OPT_FRAG_OFF:
		v = (unsigned)num(ch, arg, 0, 65528);
		if (v % 8)
			cmd_fail(CRAFT_SUB, "--frag-off value is %u: not a multiple of 8 (0 to 65528 bytes, "
				 "in steps of 8)", v);
		c->frag = (uint16_t)((c->frag & ~RP_IP_OFFMASK) | v / 8);
		break;
	case OPT_PROTO: c->proto = (uint8_t)num(ch, arg, 0, 255); c->set |= RP_CS_PROTO; break;
	case OPT_IP_OPT:
		if (rp_craft_parse_ipopt(c, arg, &e) != 0)
			fail_craft(&e);
		break;
	case OPT_IHL: c->ihl_words = (uint8_t)num(ch, arg, 0, 15); c->set |= RP_CS_IHL; break;
	case OPT_IP_LEN: c->ip_len = (uint16_t)num(ch, arg, 0, 65535); c->set |= RP_CS_IP_LEN; break;
	case OPT_IP_CSUM:
		parse_checksum(ch, arg, &c->ip_csum, &c->set, RP_CS_IP_CSUM, RP_CS_IP_CSUM_BAD);
		break;
	}
}

static void l4_checksum_opt(struct craft_opts *o, int ch, const char *arg)
{
	if (o->l4_csum_opt && strcmp(o->l4_csum_opt, dashed(ch)) != 0)
		cmd_fail(CRAFT_SUB, "%s and %s both set the transport checksum; give the one of the probe's "
			 "protocol", o->l4_csum_opt, dashed(ch));
	o->l4_csum_opt = ch == OPT_ICMP_CSUM ? "--icmp-checksum" : ch == OPT_UDP_CSUM ? "--udp-checksum"
										       : "--tcp-checksum";
	parse_checksum(ch, arg, &o->spec.l4_csum, &o->spec.set, RP_CS_L4_CSUM, RP_CS_L4_CSUM_BAD);
}

static void opt_icmp(struct craft_opts *o, int ch, const char *arg)
{
	struct rp_craft_icmp *m = &o->spec.icmp;
	struct rp_craft_err e;

	if (!o->icmp_opt && ch != OPT_ICMP_CSUM)
		o->icmp_opt = strdup(dashed(ch));
	o->icmp_fields |= 1u << (ch - OPT_ICMP_TYPE);
	switch (ch) {
	case OPT_ICMP_TYPE:
		if (rp_craft_parse_icmp_type(arg, &m->type, &e) != 0)
			fail_craft(&e);
		break;
	case OPT_ICMP_CODE: o->icmp_code_arg = arg; break;
	case OPT_ICMP_ID: m->id = (uint16_t)num(ch, arg, 0, 65535); o->icmp_id_set = true; break;
	case OPT_ICMP_SEQ: m->seq = (uint16_t)num(ch, arg, 0, 65535); break;
	case OPT_ICMP_OTIME: m->otime = (uint32_t)num(ch, arg, 0, UINT32_MAX); o->otime_set = true; break;
	case OPT_ICMP_RTIME: m->rtime = (uint32_t)num(ch, arg, 0, UINT32_MAX); break;
	case OPT_ICMP_TTIME: m->ttime = (uint32_t)num(ch, arg, 0, UINT32_MAX); break;
	case OPT_ICMP_MASK: m->mask = parse_addr(ch, arg); break;
	case OPT_ICMP_POINTER: m->pointer = (uint8_t)num(ch, arg, 0, 255); break;
	case OPT_ICMP_GATEWAY: m->gateway = parse_addr(ch, arg); break;
	case OPT_ICMP_MTU: m->mtu = (uint16_t)num(ch, arg, 0, 65535); break;
	case OPT_ICMP_REST: icmp_rest(o, arg); break;
	case OPT_ICMP_CSUM: l4_checksum_opt(o, ch, arg); break;
	}
}

static void opt_udp_tcp(struct craft_opts *o, int ch, const char *arg)
{
	struct rp_craft *c = &o->spec;
	struct rp_craft_err e;

	/* The checksum options are judged with the transport chosen (check_transport). */
	if (ch >= OPT_UDP && ch < OPT_UDP_CSUM && !o->udp_opt)
		o->udp_opt = strdup(dashed(ch));
	if (ch >= OPT_TCP && ch < OPT_TCP_CSUM && !o->tcp_opt)
		o->tcp_opt = strdup(dashed(ch));
	switch (ch) {
	case OPT_UDP:
		parse_ports(o, ch, arg, &c->udp.sport, &c->udp.dport);
		c->l4 = RP_CRAFT_UDP;
		break;
	case OPT_UDP_LEN: c->udp.len = (uint16_t)num(ch, arg, 0, 65535); c->set |= RP_CS_UDP_LEN; break;
	case OPT_UDP_CSUM: l4_checksum_opt(o, ch, arg); break;
	case OPT_TCP:
		parse_ports(o, ch, arg, &c->tcp.sport, &c->tcp.dport);
		c->l4 = RP_CRAFT_TCP;
		break;
	case OPT_TCP_FLAGS:
		if (rp_craft_parse_tcp_flags(arg, &c->tcp.flags, &e) != 0)
			fail_craft(&e);
		break;
	case OPT_TCP_SEQ: c->tcp.seq = (uint32_t)num(ch, arg, 0, UINT32_MAX); o->tcp_seq_set = true; break;
	case OPT_TCP_ACK: c->tcp.ack = (uint32_t)num(ch, arg, 0, UINT32_MAX); break;
	case OPT_TCP_WIN: c->tcp.win = (uint16_t)num(ch, arg, 0, 65535); break;
	case OPT_TCP_URP: c->tcp.urp = (uint16_t)num(ch, arg, 0, 65535); break;
	case OPT_TCP_HLEN: c->tcp.hlen_words = (uint8_t)num(ch, arg, 0, 15); c->set |= RP_CS_TCP_HLEN; break;
	case OPT_TCP_OPT:
		if (rp_craft_parse_tcpopt(c, arg, &e) != 0)
			fail_craft(&e);
		break;
	case OPT_TCP_CSUM: l4_checksum_opt(o, ch, arg); break;
	}
}

static void opt_run(struct craft_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'c': o->count = num(ch, arg, 1, UINT32_MAX); o->count_set = true; break;
	case 'i':
		o->interval_ns = cmd_parse_seconds(CRAFT_SUB, "-i", arg, 0, 86400);
		o->interval_set = true;
		break;
	case OPT_RATE: o->rate = num(ch, arg, 0, 10000000); o->rate_set = true; break;
	case 'I':
		if (strlen(arg) >= 16 || arg[0] == '\0')
			cmd_fail(CRAFT_SUB, "-I value '%s' is not an interface name (see ip link)", arg);
		o->interface = arg;
		break;
	case OPT_LINK: o->link = true; break;
	case 'W': o->wait_ns = cmd_parse_seconds(CRAFT_SUB, "-W", arg, 0, 3600); break;
	case 'q': o->quiet = true; break;
	case 'n': break; /* nothing is ever looked up */
	case 'v': o->verbose++; break;
	case 'x': o->hex = o->hex > 1 ? o->hex : 1; break;
	case 'X': o->hex = 2; break;
	case OPT_JSON: o->json = true; break;
	case OPT_PCAP: o->pcap_path = arg; break;
	case OPT_DRY_RUN: o->dry_run = true; break;
	case OPT_FROM_PCAP: o->from_pcap = arg; break;
	case OPT_REWRITE_DST: o->rewrite_dst = parse_addr(ch, arg); o->rewrite_dst_set = true; break;
	case OPT_REWRITE_SRC: o->rewrite_src = parse_addr(ch, arg); o->rewrite_src_set = true; break;
	}
}

/* The first option that builds a packet, for the conflict with --from-pcap. */
static const char *spec_opt;

static void parse_opt(struct craft_opts *o, int ch, char **argv)
{
	const char *arg = optarg;

	if (ch >= OPT_SRC && ch <= OPT_FRAGMENT && !spec_opt)
		spec_opt = strdup(dashed(ch));
	if (ch >= OPT_SRC && ch <= OPT_IP_CSUM) {
		opt_ip(o, ch, arg);
		return;
	}
	if (ch >= OPT_ICMP_TYPE && ch <= OPT_ICMP_CSUM) {
		opt_icmp(o, ch, arg);
		return;
	}
	if (ch >= OPT_UDP && ch <= OPT_TCP_CSUM) {
		opt_udp_tcp(o, ch, arg);
		return;
	}
	switch (ch) {
	case OPT_DST:
		o->dst_arg = arg;
		return;
	case OPT_DATA: payload_data(o, arg); return;
	case OPT_HEX: payload_hex(o, arg); return;
	case OPT_FILE: set_payload(o, ch); o->file_arg = arg; return;
	case OPT_SIZE: payload_size(o, arg); return;
	case OPT_FRAGMENT: o->fragment_mtu = (unsigned)num(ch, arg, 68, 65535); return;
	case 'c': case 'i': case OPT_RATE: case 'I': case OPT_LINK: case 'W': case 'q': case 'n':
	case 'v': case 'x': case 'X': case OPT_JSON: case OPT_PCAP: case OPT_DRY_RUN:
	case OPT_FROM_PCAP: case OPT_REWRITE_DST: case OPT_REWRITE_SRC:
		opt_run(o, ch, arg);
		return;
	case OPT_HELP:
		fputs(usage_text, stdout);
		exit(RP_EXIT_OK);
	default:
		cmd_bad_option(CRAFT_SUB, ch, argv);
	}
}

/* ------------------------------------------------------------ combinations */

static const char *l4_word(enum rp_craft_l4 l4)
{
	switch (l4) {
	case RP_CRAFT_UDP: return "UDP";
	case RP_CRAFT_TCP: return "TCP";
	case RP_CRAFT_RAW: return "raw --proto";
	default: return "ICMP";
	}
}

/* Which message types use the typed ICMP fields (RFC 792, 950, 1191). */
static void check_icmp_fields(const struct craft_opts *o)
{
	static const struct {
		int opt;
		const char *types;
	} uses[] = {
		{ OPT_ICMP_ID, "echo, timestamp, information or address mask messages" },
		{ OPT_ICMP_SEQ, "echo, timestamp, information or address mask messages" },
		{ OPT_ICMP_OTIME, "timestamp messages (types 13, 14)" },
		{ OPT_ICMP_RTIME, "timestamp messages (types 13, 14)" },
		{ OPT_ICMP_TTIME, "timestamp messages (types 13, 14)" },
		{ OPT_ICMP_MASK, "address mask messages (types 17, 18)" },
		{ OPT_ICMP_POINTER, "parameter problem messages (type 12)" },
		{ OPT_ICMP_GATEWAY, "redirect messages (type 5)" },
		{ OPT_ICMP_MTU, "destination unreachable messages (type 3, code 4)" },
	};
	uint8_t t = o->spec.icmp.type;

	if (o->spec.set & RP_CS_ICMP_REST)
		return; /* bytes 4-7 given whole: the typed fields are not used */
	for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++) {
		int opt = uses[i].opt;
		bool ok;

		if (!(o->icmp_fields & (1u << (opt - OPT_ICMP_TYPE))))
			continue;
		if (opt == OPT_ICMP_ID || opt == OPT_ICMP_SEQ)
			ok = rp_icmp_has_idseq(t);
		else if (opt == OPT_ICMP_MASK)
			ok = t == RP_ICMP_MASKREQ || t == RP_ICMP_MASKREPLY;
		else if (opt == OPT_ICMP_POINTER)
			ok = t == RP_ICMP_PARAMPROB;
		else if (opt == OPT_ICMP_GATEWAY)
			ok = t == RP_ICMP_REDIRECT;
		else if (opt == OPT_ICMP_MTU)
			ok = t == RP_ICMP_UNREACH;
		else
			ok = t == RP_ICMP_TSTAMP || t == RP_ICMP_TSTAMPREPLY;
		if (!ok)
			cmd_fail(CRAFT_SUB, "%s applies to %s; this message is type %u (set --icmp-type, or "
				 "give bytes 4-7 with --icmp-rest)", dashed(opt), uses[i].types, t);
	}
}

static void check_transport(struct craft_opts *o)
{
	struct rp_craft *c = &o->spec;
	struct rp_craft_err e;

	if (o->udp_opt && o->tcp_opt)
		cmd_fail(CRAFT_SUB, "%s and %s exclude each other: a probe has one transport", o->udp_opt,
			 o->tcp_opt);
	if (o->icmp_opt && (o->udp_opt || o->tcp_opt))
		cmd_fail(CRAFT_SUB, "%s is for ICMP probes and %s makes a %s probe; drop one", o->icmp_opt,
			 o->udp_opt ? o->udp_opt : o->tcp_opt, o->udp_opt ? "UDP" : "TCP");
	if (o->udp_opt && c->l4 != RP_CRAFT_UDP)
		cmd_fail(CRAFT_SUB, "%s needs --udp SPORT:DPORT", o->udp_opt);
	if (o->tcp_opt && c->l4 != RP_CRAFT_TCP)
		cmd_fail(CRAFT_SUB, "%s needs --tcp SPORT:DPORT", o->tcp_opt);
	if (!o->udp_opt && !o->tcp_opt && !o->icmp_opt && (c->set & RP_CS_PROTO))
		c->l4 = RP_CRAFT_RAW;
	if (o->l4_csum_opt) {
		const char *want = c->l4 == RP_CRAFT_UDP ? "--udp-checksum" : c->l4 == RP_CRAFT_TCP ?
			"--tcp-checksum" : c->l4 == RP_CRAFT_ICMP ? "--icmp-checksum" : NULL;
		if (!want || strcmp(want, o->l4_csum_opt) != 0)
			cmd_fail(CRAFT_SUB, "%s does not apply to this probe (%s)%s%s", o->l4_csum_opt,
				 l4_word(c->l4), want ? "; use " : "", want ? want : "");
	}
	if (o->icmp_code_arg && rp_craft_parse_icmp_code(c->icmp.type, o->icmp_code_arg, &c->icmp.code,
							 &e) != 0)
		fail_craft(&e);
}

static void check_ip(struct craft_opts *o)
{
	if (o->tos_set && (o->dscp_set || o->ecn_set))
		cmd_fail(CRAFT_SUB, "--tos and --%s both set the TOS byte; give --tos, or --dscp and --ecn",
			 o->dscp_set ? "dscp" : "ecn");
	if (o->dscp_set || o->ecn_set)
		o->spec.tos = (uint8_t)(o->dscp << 2 | o->ecn);
	if (o->fragment_mtu && (o->spec.set & RP_CS_IHL))
		cmd_fail(CRAFT_SUB, "--fragment cannot split a datagram whose --ihl is overridden (the "
			 "fragments' headers would be wrong); drop one of them");
}

/* Flooding and intervals under 2 ms are root's only, as iputils ping has it. */
static void check_pace(struct craft_opts *o)
{
	bool root = rp_privs_real_root();

	if (o->rate_set && o->interval_set)
		cmd_fail(CRAFT_SUB, "-i and --rate both set the pace; give one of them");
	if (o->rate_set && o->rate == 0 && !root)
		cmd_fail(CRAFT_SUB, "--rate 0 (as fast as possible) is for root only, as ping's flood; "
			 "use --rate 500 or less");
	if (o->rate_set && o->rate > 500 && !root)
		cmd_fail(CRAFT_SUB, "--rate %llu: more than 500 packets per second is for root only; "
			 "use --rate 500 or less", (unsigned long long)o->rate);
	if (o->interval_set && o->interval_ns < CRAFT_USER_INTERVAL_MIN_NS && !root)
		cmd_fail(CRAFT_SUB, "-i %g: intervals under 2 ms are for root only, as in iputils ping; "
			 "use -i 0.002 or more", (double)o->interval_ns / 1e9);
	if (o->rate_set)
		o->interval_ns = o->rate ? 1000000000 / (int64_t)o->rate : 0;
}

static void join_filter(struct craft_opts *o, int argc, char **argv)
{
	size_t len = 1;

	if (optind >= argc)
		return;
	if (!o->from_pcap)
		cmd_fail(CRAFT_SUB, "unexpected argument '%s'; the target is --dst ADDR (a filter goes with "
			 "--from-pcap FILE)", argv[optind]);
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->filter = calloc(1, len);
	if (!o->filter)
		cmd_fail(CRAFT_SUB, "out of memory");
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->filter, " ");
		strcat(o->filter, argv[i]);
	}
}

static void check_replay(struct craft_opts *o)
{
	if (!o->from_pcap) {
		if (o->rewrite_dst_set || o->rewrite_src_set)
			cmd_fail(CRAFT_SUB, "--rewrite-%s applies to --from-pcap FILE; to craft a packet use --%s",
				 o->rewrite_dst_set ? "dst" : "src", o->rewrite_dst_set ? "dst" : "src");
		return;
	}
	if (o->dst_arg)
		cmd_fail(CRAFT_SUB, "--from-pcap sends the capture's datagrams; give --rewrite-dst ADDR "
			 "instead of --dst");
	if (spec_opt)
		cmd_fail(CRAFT_SUB, "%s does not apply to --from-pcap, which sends the capture's datagrams "
			 "as they are (only --rewrite-dst/--rewrite-src change them)", spec_opt);
	if (o->dry_run)
		cmd_fail(CRAFT_SUB, "--dry-run does not apply to --from-pcap; 'rawprobe read FILE' shows "
			 "the capture");
}

static void check_opts(struct craft_opts *o, int argc, char **argv)
{
	join_filter(o, argc, argv);
	check_replay(o);
	if (!o->from_pcap && !o->dst_arg)
		cmd_fail(CRAFT_SUB, "no destination given; usage: rawprobe craft --dst ADDR [options]");
	check_pace(o);
	if (o->from_pcap)
		return;
	check_transport(o);
	check_icmp_fields(o);
	check_ip(o);
}

/* ------------------------------------------------------------ defaults */

static void random_bytes(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n) {
		/* No entropy source: anything that differs between runs will do for ids. */
		uint64_t x = (uint64_t)cmd_real_ns() ^ (uint64_t)getpid() << 32;
		for (size_t i = 0; i < n; i++, x = x * 6364136223846793005u + 1442695040888963407u)
			((uint8_t *)p)[i] = (uint8_t)(x >> 56);
	}
}

static uint16_t random_nonzero16(void)
{
	uint16_t v = 0;

	while (v == 0)
		random_bytes(&v, sizeof v);
	return v;
}

/* Milliseconds since midnight UTC (RFC 792's timestamp). */
static uint32_t ms_since_midnight(void)
{
	return (uint32_t)((cmd_real_ns() / 1000000) % 86400000);
}

/* Everything the user left to us: the run's identifiers, ports and sequence. */
static void fill_defaults(struct craft_opts *o)
{
	struct rp_craft *c = &o->spec;
	uint16_t port;

	if (!(c->set & RP_CS_ID))
		c->id = random_nonzero16();
	if (!o->icmp_id_set)
		c->icmp.id = random_nonzero16();
	if (!o->tcp_seq_set)
		random_bytes(&c->tcp.seq, sizeof c->tcp.seq);
	if (c->icmp.type == RP_ICMP_TSTAMP && !o->otime_set)
		c->icmp.otime = ms_since_midnight();
	random_bytes(&port, sizeof port);
	port = (uint16_t)(32768 + port % (60999 - 32768 + 1)); /* Linux's default ephemeral range */
	if (o->sport_random && c->l4 == RP_CRAFT_UDP)
		c->udp.sport = port;
	if (o->sport_random && c->l4 == RP_CRAFT_TCP)
		c->tcp.sport = port;
}

/* --file, read after every privilege is gone. */
static void load_file(struct craft_opts *o)
{
	int fd;
	size_t got = 0;
	struct stat st;

	if (!o->file_arg)
		return;
	fd = open(o->file_arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		cmd_fail(CRAFT_SUB, "--file: cannot open '%s': %s", o->file_arg, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		cmd_fail(CRAFT_SUB, "--file: '%s' is a directory; give a file whose bytes are the payload",
			 o->file_arg);
	for (;;) {
		ssize_t n = read(fd, o->payload + got, PAYLOAD_MAX + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			cmd_fail(CRAFT_SUB, "--file: reading '%s': %s", o->file_arg, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > PAYLOAD_MAX)
			cmd_fail(CRAFT_SUB, "--file: '%s' is larger than %d bytes, more than a datagram holds",
				 o->file_arg, PAYLOAD_MAX);
	}
	close(fd);
	o->spec.payload = o->payload;
	o->spec.payload_len = got;
}

static void check_spec(const struct craft_opts *o)
{
	const struct rp_craft *c = &o->spec;
	struct rp_craft_err e;
	size_t size = rp_craft_size(c), hdrs = size - c->payload_len;

	/* Said with the option that gave the payload, which the core does not know. */
	if (o->payload_opt && c->payload_len <= size && size > RP_CRAFT_MAX)
		cmd_fail(CRAFT_SUB, "%s: a payload of %zu bytes does not fit; with %zu bytes of headers "
			 "a datagram holds 0 to %zu", o->payload_opt, c->payload_len, hdrs,
			 RP_CRAFT_MAX - hdrs);
	if (rp_craft_check(c, &e) != 0)
		fail_craft(&e);
}

/* --dst as an address, or a name looked up (after the privilege drop). */
static void resolve_dst(struct craft_opts *o)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_RAW };
	struct addrinfo *res;
	struct in_addr a;
	int rc;

	if (inet_pton(AF_INET, o->dst_arg, &a) == 1) {
		o->spec.dst = a.s_addr;
		return;
	}
	rc = getaddrinfo(o->dst_arg, NULL, &hints, &res);
	if (rc != 0)
		cmd_fail(CRAFT_SUB, "--dst %s: %s; give an IPv4 address or a name that resolves to one",
			 o->dst_arg, gai_strerror(rc));
	o->spec.dst = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
	freeaddrinfo(res);
}

/* bind(2) takes local addresses, but also broadcast and multicast ones, and any at all with ip_nonlocal_bind. */
static bool bindable(uint32_t addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = addr };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
	close(fd);
	return ok;
}

bool craft_source_is_local(uint32_t addr)
{
	struct ifaddrs *all;
	bool found = false;

	if (addr == htonl(INADDR_ANY))
		return true; /* no source at all: nobody else's */
	if (ntohl(addr) >> 24 == IN_LOOPBACKNET) /* the whole of 127/8 is lo's, not only its 127.0.0.1 */
		return bindable(addr);
	if (getifaddrs(&all) != 0)
		return false;
	for (const struct ifaddrs *i = all; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr == addr;
	freeifaddrs(all);
	return found;
}

/* A source that is not one of ours is spoofing: root's decision only (CONTRACT.md). */
static void check_source(const struct craft_opts *o)
{
	char a[INET_ADDRSTRLEN];

	if (!(o->spec.set & RP_CS_SRC) || rp_privs_real_root() || craft_source_is_local(o->spec.src))
		return;
	cmd_fail(CRAFT_SUB, "--src %s is not an address of this host: sending from it (spoofing) "
		 "is for root only", inet_ntop(AF_INET, &o->spec.src, a, sizeof a));
}

/*
 * The route's source (unless --src) and MTU. A dry run goes on without a
 * route (source 0.0.0.0, nothing fragmented for the route's sake).
 */
static unsigned route_source(struct craft_opts *o, bool must)
{
	char err[256];
	uint32_t src;
	unsigned mtu = 0;

	if (rp_route_source(o->spec.dst, o->interface, &src, &mtu, err, sizeof err) != 0) {
		if (must)
			cmd_fail(CRAFT_SUB, "--dst %s: %s", o->dst_arg, err);
		return 0;
	}
	if (!(o->spec.set & RP_CS_SRC))
		o->spec.src = src;
	return mtu;
}

/* ------------------------------------------------------------ shared helpers */

/*
 * The size fragments are cut to: --fragment, or the route's MTU when the
 * datagram is larger (a raw socket refuses it whole with EMSGSIZE); 0 when
 * it goes whole.
 */
unsigned craft_frag_mtu(const struct craft_opts *o, size_t len, unsigned route_mtu)
{
	if (o->fragment_mtu) {
		if (route_mtu && o->fragment_mtu > route_mtu && len > route_mtu)
			cmd_fail(CRAFT_SUB, "--fragment %u: the fragments would be larger than the route's "
				 "MTU %u, which the kernel refuses (EMSGSIZE); use --fragment %u or less",
				 o->fragment_mtu, route_mtu, route_mtu);
		return len > o->fragment_mtu ? o->fragment_mtu : 0;
	}
	if (!route_mtu || len <= route_mtu)
		return 0;
	if (o->spec.frag & RP_IP_DF)
		cmd_fail(CRAFT_SUB, "the datagram is %zu bytes, more than the route's MTU %u, and --df "
			 "forbids fragments: the kernel refuses it (EMSGSIZE); drop --df, or send less",
			 len, route_mtu);
	return route_mtu;
}

/* ------------------------------------------------------------ dry run */

static void dry_packet(struct rp_out *out, const struct craft_opts *o, const uint8_t *d, size_t n,
		       uint64_t frame, int64_t now)
{
	static struct rp_packet pkt;

	rp_decode(&pkt, CRAFT_DLT_RAW, d, (uint32_t)n, (uint32_t)n, RP_DECODE_CHECKSUMS);
	pkt.frame = frame;
	pkt.ts_sec = now / 1000000000;
	pkt.ts_nsec = (uint32_t)(now % 1000000000);
	if (o->json) {
		static const char lead[] = "\"type\":\"packet\",";
		craft_print_json(out, &pkt, lead, sizeof lead - 1);
		return;
	}
	craft_print_line(out, &pkt, o->verbose ? o->verbose : 1, false);
	rp_out_char(out, '\n');
	rp_hexdump(out, d, n, o->hex == 2);
}

/* Every datagram (every fragment) the run would send, decoded as `read` shows it, and its bytes. */
static int dry_run(struct craft_opts *o, unsigned route_mtu)
{
	static char outmem[1 << 16];
	struct rp_out out;
	size_t len = rp_craft_size(&o->spec), cap;
	unsigned mtu = craft_frag_mtu(o, len, route_mtu);
	uint8_t *dg = malloc(len), *frags = NULL;
	struct rp_frag *fr = NULL;
	uint64_t frame = 0;
	int64_t now = cmd_real_ns();

	cap = CRAFT_FRAGS_BYTES(len);
	if (mtu) {
		frags = malloc(cap);
		fr = calloc(CRAFT_FRAGS_MAX, sizeof *fr);
	}
	if (!dg || (mtu && (!frags || !fr)))
		cmd_fail(CRAFT_SUB, "out of memory");
	if (rp_craft_build(&o->spec, dg, len) != len)
		cmd_fail(CRAFT_SUB, "the datagram could not be built");
	rp_out_init(&out, STDOUT_FILENO, outmem, sizeof outmem);
	for (uint64_t k = 0; k < o->count && !out.err; k++) {
		int n = 1;
		rp_craft_renumber(&o->spec, dg, len, (uint32_t)k);
		if (mtu) {
			n = rp_ipv4_fragment(dg, len, mtu, frags, cap, fr, CRAFT_FRAGS_MAX);
			if (n < 0)
				cmd_fail(CRAFT_SUB, "--fragment %u: too small for this datagram's header and "
					 "8 bytes of data", mtu);
		}
		for (int i = 0; i < n; i++)
			dry_packet(&out, o, mtu ? frags + fr[i].off : dg, mtu ? fr[i].len : len, ++frame, now);
	}
	rp_out_flush(&out);
	if (out.err)
		cmd_fail(CRAFT_SUB, "writing the output failed: %s", strerror(out.err));
	free(dg);
	free(frags);
	free(fr);
	return RP_EXIT_OK;
}

/* ------------------------------------------------------------ the flow */

static void drop_privileges(void)
{
	char err[256];

	if (rp_privs_drop_all(err, sizeof err) != 0)
		cmd_fail(CRAFT_SUB, "cannot drop privileges (%s); refusing to go on with them", err);
}

/*
 * Send workers, one per core, where one core cannot keep the pace (as
 * ping's): the target's work runs on the sending core over veth. Never
 * when one capture file must hold everything in order.
 */
static unsigned send_workers(const struct craft_opts *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->pcap_path || o->interval_ns > 50000 || o->count < 1000 || cpus < 2)
		return 1;
	return cpus > CRAFT_WORKERS_MAX ? CRAFT_WORKERS_MAX : (unsigned)cpus;
}

/*
 * Whether the packet socket is needed: --link, or a field the raw socket
 * would rewrite. Before --file is read its length is unknown; where that
 * length decides (--ip-len, --ihl), both kinds of socket are opened.
 */
static void open_senders(struct craft_opts *o, struct craft_socks *s)
{
	bool link = o->link || rp_craft_needs_link_send(&o->spec);
	bool unsure = o->file_arg && (o->spec.set & (RP_CS_IP_LEN | RP_CS_IHL));

	craft_open_senders(s, o, !link || unsure, link || unsure, send_workers(o));
}

int cmd_craft(int argc, char **argv)
{
	static struct craft_opts o;
	struct craft_socks socks;
	unsigned mtu;
	int ch;

	o.payload = malloc(PAYLOAD_MAX + 1);
	if (!o.payload)
		cmd_fail(CRAFT_SUB, "out of memory");
	rp_craft_init(&o.spec);
	o.count = 1;
	o.interval_ns = 1000000000;
	o.wait_ns = 1000000000;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:i:I:W:qnvxX", longopts, NULL)) != -1)
		parse_opt(&o, ch, argv);
	check_opts(&o, argc, argv);
	if (o.from_pcap) {
		craft_open_senders(&socks, &o, true, true, 1);
		drop_privileges();
		return craft_replay(&o, &socks);
	}
	fill_defaults(&o);
	if (!o.file_arg)
		check_spec(&o); /* refusals before any socket */
	if (o.dry_run) {
		drop_privileges();
		resolve_dst(&o);
		load_file(&o);
		check_spec(&o);
		mtu = route_source(&o, false);
		return dry_run(&o, mtu);
	}
	open_senders(&o, &socks);
	if (o.wait_ns > 0)
		craft_open_receivers(&socks, &o);
	drop_privileges();
	resolve_dst(&o);
	check_source(&o);
	load_file(&o);
	check_spec(&o);
	mtu = route_source(&o, true);
	return craft_run(&o, &socks, mtu);
}
