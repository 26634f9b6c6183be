/*
 * The craft options written as text: IP options (RFC 791 section 3.1,
 * RFC 2113), TCP options (RFC 9293, 7323, 2018), TCP flags, ICMP types and
 * codes by name, and hex strings. Each parser fills its result only when
 * the whole text is good; errors name the option and what is allowed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "craft_internal.h"
#include "rawprobe/bytes.h"
#include "rawprobe/craft.h"
#include "rawprobe/names.h"

#define OPTS_MAX 40
#define ROUTE_MAX 9 /* (40 - 3) / 4 addresses in an RR, LSRR or SSRR option */
#define TS_MAX 9    /* (40 - 4) / 4 timestamps */
#define SACK_MAX 4  /* (40 - 2) / 8 blocks */


/* A whole decimal (or 0x hex) number in [0, max]; false on anything else. */
static bool parse_num(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	char tmp[24], *end;
	int base = 10;

	if (n == 0 || n >= sizeof tmp || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (n > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)tmp[2]))
			return false;
	}
	errno = 0;
	*v = strtoul(tmp, &end, base);
	return errno == 0 && *end == '\0' && *v <= max;
}

/* "name" or "name=..." at the start of s (n bytes): the value after '=' or NULL. */
static bool word_is(const char *s, size_t n, const char *name, const char **value, size_t *vlen)
{
	size_t k = strlen(name);

	if (n < k || strncasecmp(s, name, k) != 0)
		return false;
	if (n == k) {
		*value = NULL;
		*vlen = 0;
		return true;
	}
	if (s[k] != '=')
		return false;
	*value = s + k + 1;
	*vlen = n - k - 1;
	return true;
}

/* ------------------------------------------------------------ hex */

static int hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static bool hex_separator(int ch)
{
	return ch == ' ' || ch == '\t' || ch == ':';
}

/*
 * Groups of hex digits with an even count each ("deadbeef", "de:ad be ef",
 * "0xde 0xad"), separated by spaces, tabs or colons; a group may start with
 * 0x. The message does not name an option: callers put theirs in front.
 */
static long hex_span(const char *s, size_t n, uint8_t *out, size_t cap, char *why, size_t whylen)
{
	size_t i = 0, bytes = 0;

	while (i < n) {
		size_t start;
		if (hex_separator((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
			i += 2;
		start = i;
		while (i < n && !hex_separator((unsigned char)s[i])) {
			if (hex_digit((unsigned char)s[i]) < 0) {
				snprintf(why, whylen, "'%c' is not a hex digit; give pairs like de:ad:be:ef",
					 s[i]);
				return -1;
			}
			i++;
		}
		if ((i - start) % 2 || i == start) {
			snprintf(why, whylen, "'%.*s' is not whole bytes; give two hex digits per byte",
				 (int)(i - start > 20 ? 20 : i - start), s + start);
			return -1;
		}
		for (size_t k = start; k < i; k += 2, bytes++) {
			if (bytes >= cap) {
				snprintf(why, whylen, "more than %zu bytes", cap);
				return -1;
			}
			out[bytes] = (uint8_t)(hex_digit((unsigned char)s[k]) << 4 |
					       hex_digit((unsigned char)s[k + 1]));
		}
	}
	return (long)bytes;
}

long rp_craft_parse_hex(const char *text, uint8_t *out, size_t cap, struct rp_craft_err *e)
{
	char why[120];
	long n = hex_span(text, strlen(text), out, cap, why, sizeof why);

	if (n < 0)
		rp_craft_fail(e, "'%.24s': %s", text, why);
	return n;
}

/* ------------------------------------------------------------ IP options */

static int parse_count(const char *opt, const char *v, size_t vlen, unsigned max, unsigned *n,
		       struct rp_craft_err *e)
{
	unsigned long x;

	if (!parse_num(v, vlen, max, &x) || x == 0)
		return rp_craft_fail(e, "--ip-opt: %s=%.*s: give 1-%u slots", opt, (int)(vlen > 12 ? 12 : vlen),
			    v, max);
	*n = (unsigned)x;
	return 0;
}

/*
 * Slots for rr/ts: as given, or as many as fit in what the options before
 * left (at most 9). fixed is the option's bytes before its slots.
 */
static int slots(const char *opt, const char *v, size_t vlen, unsigned used, unsigned fixed,
		 unsigned max, unsigned *n, struct rp_craft_err *e)
{
	if (v)
		return parse_count(opt, v, vlen, max, n, e);
	if (used + fixed + 4 > OPTS_MAX)
		return rp_craft_fail(e, "--ip-opt: %s: no room left, the options before take %u bytes of %d",
			    opt, used, OPTS_MAX);
	*n = (OPTS_MAX - used - fixed) / 4;
	if (*n > max)
		*n = max;
	return 0;
}

/* RR (RFC 791): type, length, pointer 4, then n empty address slots. */
static int opt_rr(uint8_t *o, unsigned n)
{
	o[0] = RP_IPOPT_RR;
	o[1] = (uint8_t)(3 + 4 * n);
	o[2] = 4;
	memset(o + 3, 0, 4 * n);
	return (int)(3 + 4 * n);
}

/* TS (RFC 791): pointer 5, overflow 0, flag 0 (timestamps only), n empty slots. */
static int opt_ts(uint8_t *o, unsigned n)
{
	o[0] = RP_IPOPT_TS;
	o[1] = (uint8_t)(4 + 4 * n);
	o[2] = 5;
	o[3] = 0;
	memset(o + 4, 0, 4 * n);
	return (int)(4 + 4 * n);
}

/* LSRR/SSRR: the route's addresses, pointer 4 (the first of them is next). */
static int opt_route(uint8_t *o, uint8_t type, const char *name, const char *v, size_t vlen,
		     struct rp_craft_err *e)
{
	unsigned n = 0;
	size_t i = 0;

	if (!v || vlen == 0)
		return rp_craft_fail(e, "--ip-opt: %s needs addresses: %s=A.B.C.D,A.B.C.D,...", name, name);
	while (i <= vlen) {
		char addr[INET_ADDRSTRLEN];
		size_t j = i;
		while (j < vlen && v[j] != ',')
			j++;
		if (n == ROUTE_MAX)
			return rp_craft_fail(e, "--ip-opt: %s: more than %d addresses; at most %d fit in 40 bytes",
				    name, ROUTE_MAX, ROUTE_MAX);
		if (j - i >= sizeof addr)
			return rp_craft_fail(e, "--ip-opt: %s: '%.20s' is not an IPv4 address", name, v + i);
		memcpy(addr, v + i, j - i);
		addr[j - i] = '\0';
		if (inet_pton(AF_INET, addr, o + 3 + 4 * n) != 1)
			return rp_craft_fail(e, "--ip-opt: %s: '%s' is not an IPv4 address", name, addr);
		n++;
		i = j + 1;
	}
	o[0] = type;
	o[1] = (uint8_t)(3 + 4 * n);
	o[2] = 4;
	return (int)(3 + 4 * n);
}

/* Router alert (RFC 2113): value 0, "examine this packet". */
static int opt_ra(uint8_t *o)
{
	o[0] = RP_IPOPT_RA;
	o[1] = 4;
	o[2] = 0;
	o[3] = 0;
	return 4;
}

/* Encodes one option into o (room for 40 bytes); its length, or -1. */
static int ipopt_encode(const char *s, unsigned used, uint8_t *o, struct rp_craft_err *e)
{
	size_t n = strlen(s), vlen;
	const char *v;
	unsigned k;

	if (word_is(s, n, "rr", &v, &vlen))
		return slots("rr", v, vlen, used, 3, ROUTE_MAX, &k, e) ? -1 : opt_rr(o, k);
	if (word_is(s, n, "ts", &v, &vlen))
		return slots("ts", v, vlen, used, 4, TS_MAX, &k, e) ? -1 : opt_ts(o, k);
	if (word_is(s, n, "lsrr", &v, &vlen))
		return opt_route(o, RP_IPOPT_LSRR, "lsrr", v, vlen, e);
	if (word_is(s, n, "ssrr", &v, &vlen))
		return opt_route(o, RP_IPOPT_SSRR, "ssrr", v, vlen, e);
	if (strcasecmp(s, "ra") == 0)
		return opt_ra(o);
	if (strcasecmp(s, "nop") == 0) {
		o[0] = RP_IPOPT_NOP;
		return 1;
	}
	if (strcasecmp(s, "eol") == 0) {
		o[0] = RP_IPOPT_EOL;
		return 1;
	}
	if (strncasecmp(s, "hex:", 4) == 0) {
		char why[120];
		long len = hex_span(s + 4, n - 4, o, OPTS_MAX, why, sizeof why);
		if (len < 0)
			return rp_craft_fail(e, "--ip-opt: hex: %s", why);
		if (len == 0)
			return rp_craft_fail(e, "--ip-opt: hex: no bytes; give hex:HEX");
		return (int)len;
	}
	return rp_craft_fail(e, "--ip-opt: '%.20s' is not an option; use rr[=N], ts[=N], lsrr=A,B.., "
		       "ssrr=A,B.., ra, nop, eol or hex:HEX", s);
}

int rp_craft_parse_ipopt(struct rp_craft *c, const char *text, struct rp_craft_err *e)
{
	uint8_t o[OPTS_MAX];
	int len = ipopt_encode(text, c->ip_opts_len, o, e);

	if (len < 0)
		return -1;
	if (c->ip_opts_len + len > OPTS_MAX)
		return rp_craft_fail(e, "--ip-opt: the options take %u bytes; at most %d",
			    c->ip_opts_len + (unsigned)len, OPTS_MAX);
	memcpy(c->ip_opts + c->ip_opts_len, o, (size_t)len);
	c->ip_opts_len = (uint8_t)(c->ip_opts_len + len);
	return 0;
}

/* ------------------------------------------------------------ TCP options */

/* "A:B" or "A-B" as two numbers up to max each; B optional when b_optional. */
static bool parse_pair(const char *v, size_t vlen, char sep, unsigned long max,
		       unsigned long *a, unsigned long *b, bool b_optional)
{
	const char *mid = memchr(v, sep, vlen);

	if (!mid) {
		*b = 0;
		return b_optional && parse_num(v, vlen, max, a);
	}
	return parse_num(v, (size_t)(mid - v), max, a) &&
	       parse_num(mid + 1, vlen - (size_t)(mid - v) - 1, max, b);
}

/* SACK (RFC 2018): blocks L-R separated by ':'. */
static int tcpopt_sack(const char *v, size_t vlen, uint8_t *o, struct rp_craft_err *e)
{
	unsigned n = 0;
	size_t i = 0;

	while (v && i <= vlen && vlen) {
		size_t j = i;
		unsigned long l, r;
		while (j < vlen && v[j] != ':')
			j++;
		if (n == SACK_MAX)
			return rp_craft_fail(e, "--tcp-opt: sack: more than %d blocks do not fit", SACK_MAX);
		if (!parse_pair(v + i, j - i, '-', UINT32_MAX, &l, &r, false))
			return rp_craft_fail(e, "--tcp-opt: sack: '%.*s' is not LEFT-RIGHT (numbers 0-4294967295)",
				    (int)(j - i > 24 ? 24 : j - i), v + i);
		rp_store_be32(o + 2 + 8 * n, (uint32_t)l);
		rp_store_be32(o + 6 + 8 * n, (uint32_t)r);
		n++;
		i = j + 1;
	}
	if (n == 0)
		return rp_craft_fail(e, "--tcp-opt: sack needs blocks: sack=LEFT-RIGHT[:LEFT-RIGHT...]");
	o[0] = RP_TCPOPT_SACK;
	o[1] = (uint8_t)(2 + 8 * n);
	return (int)(2 + 8 * n);
}

static int tcpopt_number(const char *name, const char *what, const char *v, size_t vlen,
			 unsigned long max, unsigned long *x, struct rp_craft_err *e)
{
	if (!v)
		return rp_craft_fail(e, "--tcp-opt: %s needs a value: %s=N (0-%lu)", name, name, max);
	if (!parse_num(v, vlen, max, x))
		return rp_craft_fail(e, "--tcp-opt: %s=%.*s: %s is 0-%lu", name, (int)(vlen > 12 ? 12 : vlen),
			    v, what, max);
	return 0;
}

/* One item of the list (s, n bytes) into o (room for 40 bytes); its length, or -1. */
static int tcpopt_encode(const char *s, size_t n, uint8_t *o, struct rp_craft_err *e)
{
	const char *v;
	size_t vlen;
	unsigned long a, b;

	if (word_is(s, n, "mss", &v, &vlen)) {
		if (tcpopt_number("mss", "the segment size", v, vlen, 65535, &a, e))
			return -1;
		o[0] = RP_TCPOPT_MSS;
		o[1] = 4;
		rp_store_be16(o + 2, (uint32_t)a);
		return 4;
	}
	if (word_is(s, n, "ws", &v, &vlen)) {
		if (tcpopt_number("ws", "window scale", v, vlen, 14, &a, e)) /* RFC 7323 section 2.3 */
			return -1;
		o[0] = RP_TCPOPT_WSCALE;
		o[1] = 3;
		o[2] = (uint8_t)a;
		return 3;
	}
	if (word_is(s, n, "ts", &v, &vlen)) {
		if (!v || !parse_pair(v, vlen, ':', UINT32_MAX, &a, &b, true))
			return rp_craft_fail(e, "--tcp-opt: ts needs ts=VALUE:ECHO (numbers 0-4294967295)");
		o[0] = RP_TCPOPT_TIMESTAMP;
		o[1] = 10;
		rp_store_be32(o + 2, (uint32_t)a);
		rp_store_be32(o + 6, (uint32_t)b);
		return 10;
	}
	if (word_is(s, n, "sack", &v, &vlen))
		return tcpopt_sack(v, vlen, o, e);
	if ((n == 7 && strncasecmp(s, "sack-ok", 7) == 0) || (n == 6 && strncasecmp(s, "sackok", 6) == 0)) {
		o[0] = RP_TCPOPT_SACKOK;
		o[1] = 2;
		return 2;
	}
	if ((n == 3 && strncasecmp(s, "nop", 3) == 0) || (n == 3 && strncasecmp(s, "eol", 3) == 0)) {
		o[0] = tolower((unsigned char)s[0]) == 'n' ? RP_TCPOPT_NOP : RP_TCPOPT_EOL;
		return 1;
	}
	if (n >= 4 && strncasecmp(s, "hex:", 4) == 0) {
		char why[120];
		long len = hex_span(s + 4, n - 4, o, OPTS_MAX, why, sizeof why);
		if (len <= 0)
			return rp_craft_fail(e, "--tcp-opt: hex: %s", len < 0 ? why : "no bytes; give hex:HEX");
		return (int)len;
	}
	return rp_craft_fail(e, "--tcp-opt: '%.*s' is not an option; use mss=N, sack-ok, ts=V:E, ws=N, "
		       "sack=L-R, nop, eol or hex:HEX", (int)(n > 20 ? 20 : n), s);
}

int rp_craft_parse_tcpopt(struct rp_craft *c, const char *text, struct rp_craft_err *e)
{
	uint8_t all[OPTS_MAX];
	size_t used = c->tcp.opts_len, i = 0, n = strlen(text);

	if (used > OPTS_MAX)
		return rp_craft_fail(e, "--tcp-opt: the options take %zu bytes; at most %d", used, OPTS_MAX);
	memcpy(all, c->tcp.opts, used);
	while (i <= n) {
		uint8_t o[OPTS_MAX];
		size_t j = i;
		int len;
		while (j < n && text[j] != ',')
			j++;
		if (j == i)
			return rp_craft_fail(e, "--tcp-opt: an empty item in '%.30s'; separate options by one comma",
				    text);
		len = tcpopt_encode(text + i, j - i, o, e);
		if (len < 0)
			return -1;
		if (used + (size_t)len > OPTS_MAX)
			return rp_craft_fail(e, "--tcp-opt: the options take %zu bytes; at most %d",
				    used + (size_t)len, OPTS_MAX);
		memcpy(all + used, o, (size_t)len);
		used += (size_t)len;
		i = j + 1;
	}
	memcpy(c->tcp.opts, all, used);
	c->tcp.opts_len = (uint8_t)used;
	return 0;
}

/* ------------------------------------------------------------ TCP flags */

static int flag_bit(int ch)
{
	static const char letters[] = "FSRPAUEC"; /* bit 0 (FIN) to bit 7 (CWR) */
	const char *at = ch ? strchr(letters, toupper(ch)) : NULL;

	return at ? 1 << (at - letters) : -1;
}

/* Letters in any order and case, a number 0-255, or "none" for no flag at all. */
int rp_craft_parse_tcp_flags(const char *text, uint8_t *flags, struct rp_craft_err *e)
{
	unsigned long v;
	unsigned acc = 0;

	if (isdigit((unsigned char)text[0])) {
		if (!parse_num(text, strlen(text), 255, &v))
			return rp_craft_fail(e, "--tcp-flags: '%.20s': a number is 0-255", text);
		*flags = (uint8_t)v;
		return 0;
	}
	if (strcasecmp(text, "none") == 0) {
		*flags = 0;
		return 0;
	}
	if (!text[0])
		return rp_craft_fail(e, "--tcp-flags: empty; give letters of SAFRPUEC, a number 0-255 or none");
	for (const char *p = text; *p; p++) {
		int bit = flag_bit((unsigned char)*p);
		if (bit < 0)
			return rp_craft_fail(e, "--tcp-flags: '%c' in '%.20s' is not a flag; use letters of "
				       "SAFRPUEC, a number 0-255 or none", *p, text);
		acc |= (unsigned)bit;
	}
	*flags = (uint8_t)acc;
	return 0;
}

/* ------------------------------------------------------------ ICMP names */

struct icmp_name {
	const char *name;
	uint8_t value;
};

/* Short names as ping, hping3 and iptables users type them; names.h's long ones also work. */
static const struct icmp_name type_names[] = {
	{ "echo-reply", 0 }, { "dest-unreach", 3 }, { "unreachable", 3 },
	{ "destination-unreachable", 3 }, { "source-quench", 4 }, { "redirect", 5 },
	{ "echo-request", 8 }, { "echo", 8 }, { "router-advert", 9 }, { "router-solicit", 10 },
	{ "time-exceeded", 11 }, { "param-problem", 12 }, { "parameter-problem", 12 },
	{ "timestamp", 13 }, { "timestamp-request", 13 }, { "timestamp-reply", 14 },
	{ "info-request", 15 }, { "info-reply", 16 }, { "mask-request", 17 },
	{ "address-mask-request", 17 }, { "mask-reply", 18 }, { "address-mask-reply", 18 },
};

struct icmp_code_name {
	uint8_t type;
	const char *name;
	uint8_t value;
};

static const struct icmp_code_name code_names[] = {
	{ 3, "net-unreach", 0 }, { 3, "host-unreach", 1 }, { 3, "proto-unreach", 2 },
	{ 3, "port-unreach", 3 }, { 3, "frag-needed", 4 }, { 3, "source-route-failed", 5 },
	{ 3, "net-unknown", 6 }, { 3, "host-unknown", 7 }, { 3, "host-isolated", 8 },
	{ 3, "net-prohibited", 9 }, { 3, "host-prohibited", 10 }, { 3, "net-tos-unreach", 11 },
	{ 3, "host-tos-unreach", 12 }, { 3, "admin-prohibited", 13 },
	{ 3, "host-precedence-violation", 14 }, { 3, "precedence-cutoff", 15 },
	{ 5, "redirect-net", 0 }, { 5, "redirect-host", 1 }, { 5, "redirect-tos-net", 2 },
	{ 5, "redirect-tos-host", 3 },
	{ 11, "ttl-exceeded", 0 }, { 11, "frag-reassembly", 1 },
	{ 12, "pointer", 0 }, { 12, "missing-option", 1 }, { 12, "bad-length", 2 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A user's name against one of names.h ("port unreachable"): '-' stands for ' '. */
static bool long_name_is(const char *text, const char *name)
{
	if (!name)
		return false;
	for (; *text && *name; text++, name++) {
		int a = *text == '-' ? ' ' : tolower((unsigned char)*text);
		if (a != tolower((unsigned char)*name))
			return false;
	}
	return *text == '\0' && *name == '\0';
}

int rp_craft_parse_icmp_type(const char *text, uint8_t *type, struct rp_craft_err *e)
{
	unsigned long v;

	if (isdigit((unsigned char)text[0])) {
		if (!parse_num(text, strlen(text), 255, &v))
			return rp_craft_fail(e, "--icmp-type: '%.20s': a number is 0-255", text);
		*type = (uint8_t)v;
		return 0;
	}
	for (size_t i = 0; i < NELEM(type_names); i++) {
		if (strcasecmp(text, type_names[i].name) == 0) {
			*type = type_names[i].value;
			return 0;
		}
	}
	for (unsigned t = 0; t < 256; t++) {
		if (long_name_is(text, rp_icmp_type_name((uint8_t)t))) {
			*type = (uint8_t)t;
			return 0;
		}
	}
	return rp_craft_fail(e, "--icmp-type: '%.24s' is not a type; give 0-255 or a name like echo-request, "
		       "dest-unreach, time-exceeded, timestamp", text);
}

/* The short name of a type, for messages. */
static const char *type_label(uint8_t type)
{
	const char *name = rp_icmp_type_name(type);

	for (size_t i = 0; i < NELEM(type_names); i++)
		if (type_names[i].value == type)
			return type_names[i].name;
	return name ? name : "unnamed";
}

/* Which type a code name belongs to, for a helpful refusal; -1 when none. */
static int code_owner(const char *text)
{
	for (size_t i = 0; i < NELEM(code_names); i++)
		if (strcasecmp(text, code_names[i].name) == 0)
			return code_names[i].type;
	for (unsigned t = 0; t < 256; t++)
		for (unsigned k = 0; k < 16; k++)
			if (long_name_is(text, rp_icmp_code_name((uint8_t)t, (uint8_t)k)))
				return (int)t;
	return -1;
}

int rp_craft_parse_icmp_code(uint8_t type, const char *text, uint8_t *code, struct rp_craft_err *e)
{
	unsigned long v;
	int owner;

	if (isdigit((unsigned char)text[0])) {
		if (!parse_num(text, strlen(text), 255, &v))
			return rp_craft_fail(e, "--icmp-code: '%.20s': a number is 0-255", text);
		*code = (uint8_t)v;
		return 0;
	}
	for (size_t i = 0; i < NELEM(code_names); i++) {
		if (code_names[i].type == type && strcasecmp(text, code_names[i].name) == 0) {
			*code = code_names[i].value;
			return 0;
		}
	}
	for (unsigned k = 0; k < 256; k++) {
		if (long_name_is(text, rp_icmp_code_name(type, (uint8_t)k))) {
			*code = (uint8_t)k;
			return 0;
		}
	}
	owner = code_owner(text);
	if (owner >= 0)
		return rp_craft_fail(e, "--icmp-code: %.24s is a code of type %d (%s), not of type %u (%s); "
			       "give 0-255 or a code of that type", text, owner,
			    type_label((uint8_t)owner), type, type_label(type));
	return rp_craft_fail(e, "--icmp-code: '%.24s' is not a code of type %u (%s); give 0-255%s", text, type,
		    type_label(type),
		    type == 3 ? " or a name like port-unreach, host-unreach, frag-needed" :
		    type == 11 ? " or ttl-exceeded, frag-reassembly" :
		    type == 5 ? " or redirect-net, redirect-host" : "");
}
