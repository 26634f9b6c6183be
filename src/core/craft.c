/*
 * Hand-made IPv4 datagrams: the header and its options (RFC 791), then ICMP
 * (RFC 792, 950, 1191, 1256), UDP (RFC 768), TCP (RFC 9293) or a raw
 * payload. Every field has a default. Checksums are computed over the
 * bytes really built (whatever --ip-len or --udp-len claim), then replaced
 * where the spec overrides them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rawprobe/bytes.h"
#include "rawprobe/checksum.h"
#include "rawprobe/craft.h"
#include "craft_internal.h"

#define IP_HDR 20
#define ICMP_HDR 8
#define UDP_HDR 8
#define TCP_HDR 20
#define OPTS_MAX 40
#define WORDS_MAX 15 /* a 4-bit length field */

/*
 * What an ICMP error quotes when the user gave no payload: a UDP datagram
 * from the error's target to its sender, as a traceroute probe would be.
 */
#define QUOTE_LEN (IP_HDR + UDP_HDR)
#define QUOTE_ID 1
#define QUOTE_SPORT 49152
#define QUOTE_DPORT 33434

#define RADV_LIFETIME 1800 /* RFC 1256 section 4.1: the default AdvertisementLifetime */

void rp_craft_init(struct rp_craft *c)
{
	memset(c, 0, sizeof *c);
	c->ttl = 64;
	c->l4 = RP_CRAFT_ICMP;
	c->icmp.type = RP_ICMP_ECHO;
	c->icmp.seq = 1;
	c->tcp.flags = RP_TH_SYN;
	c->tcp.win = 64240;
}

/* ------------------------------------------------------------ sizes */

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t ip_hdr_len(const struct rp_craft *c)
{
	return IP_HDR + pad4(c->ip_opts_len);
}

/* The value of the header length field: --ihl, or the header really built. */
static unsigned ihl_words(const struct rp_craft *c)
{
	if (c->set & RP_CS_IHL)
		return c->ihl_words & 0x0f;
	return (unsigned)(ip_hdr_len(c) / 4);
}

static unsigned tcp_hlen_words(const struct rp_craft *c)
{
	if (c->set & RP_CS_TCP_HLEN)
		return c->tcp.hlen_words & 0x0f;
	return (unsigned)((TCP_HDR + pad4(c->tcp.opts_len)) / 4);
}

/* Bytes an ICMP message of this type carries after its 8-byte header, before the data. */
static size_t icmp_body_len(uint8_t type)
{
	switch (type) {
	case RP_ICMP_TSTAMP: case RP_ICMP_TSTAMPREPLY:
		return 12; /* originate, receive, transmit */
	case RP_ICMP_MASKREQ: case RP_ICMP_MASKREPLY:
		return 4;
	default:
		return 0;
	}
}

static bool default_quote(const struct rp_craft *c)
{
	return c->l4 == RP_CRAFT_ICMP && rp_icmp_is_error(c->icmp.type) && !(c->set & RP_CS_PAYLOAD);
}

/* The transport header's bytes, before the payload. */
static size_t l4_hdr_len(const struct rp_craft *c)
{
	switch (c->l4) {
	case RP_CRAFT_ICMP: return ICMP_HDR + icmp_body_len(c->icmp.type);
	case RP_CRAFT_UDP: return UDP_HDR;
	case RP_CRAFT_TCP: return TCP_HDR + pad4(c->tcp.opts_len);
	default: return 0;
	}
}

static size_t data_len(const struct rp_craft *c)
{
	return default_quote(c) ? QUOTE_LEN : c->payload_len;
}

size_t rp_craft_size(const struct rp_craft *c)
{
	size_t hdrs = ip_hdr_len(c) + l4_hdr_len(c), data = data_len(c);

	return data > SIZE_MAX - hdrs ? SIZE_MAX : hdrs + data;
}

/* ------------------------------------------------------------ check */

/* Fills e (when given) and returns -1: how every check ends when it refuses. */
int rp_craft_fail(struct rp_craft_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Lengths the user overrides (--ihl, --ip-len, --udp-len, --tcp-hlen) and
 * checksums are deliberate malformations and pass; what is refused is what
 * cannot be built at all: more bytes than a field or the datagram holds.
 */
int rp_craft_check(const struct rp_craft *c, struct rp_craft_err *e)
{
	size_t hdrs;

	if (c->l4 != RP_CRAFT_ICMP && c->l4 != RP_CRAFT_UDP && c->l4 != RP_CRAFT_TCP &&
	    c->l4 != RP_CRAFT_RAW)
		return rp_craft_fail(e, "transport: unknown kind %d", (int)c->l4);
	if (c->ip_opts_len > OPTS_MAX)
		return rp_craft_fail(e, "--ip-opt: the options take %u bytes; at most %d", c->ip_opts_len,
			    OPTS_MAX);
	if (c->l4 == RP_CRAFT_TCP && c->tcp.opts_len > OPTS_MAX)
		return rp_craft_fail(e, "--tcp-opt: the options take %u bytes; at most %d", c->tcp.opts_len,
			    OPTS_MAX);
	if ((c->set & RP_CS_IHL) && c->ihl_words > WORDS_MAX)
		return rp_craft_fail(e, "--ihl: %u words; the field holds 0-15", c->ihl_words);
	if (c->l4 == RP_CRAFT_TCP && (c->set & RP_CS_TCP_HLEN) && c->tcp.hlen_words > WORDS_MAX)
		return rp_craft_fail(e, "--tcp-hlen: %u words; the field holds 0-15", c->tcp.hlen_words);
	if (c->l4 == RP_CRAFT_RAW && !(c->set & RP_CS_PROTO))
		return rp_craft_fail(e, "--proto: a raw payload needs a protocol number; give --proto 0-255");
	if (c->l4 == RP_CRAFT_RAW && (c->set & (RP_CS_L4_CSUM | RP_CS_L4_CSUM_BAD)))
		return rp_craft_fail(e, "transport checksum: a raw --proto payload has no transport header; "
			       "drop the --icmp/--udp/--tcp-checksum option");
	if (c->payload_len && !c->payload)
		return rp_craft_fail(e, "payload: %zu bytes announced, none given", c->payload_len);
	hdrs = ip_hdr_len(c) + l4_hdr_len(c);
	if (data_len(c) > RP_CRAFT_MAX - hdrs)
		return rp_craft_fail(e, "payload: %zu bytes with %zu bytes of headers; at most %zu",
			    data_len(c), hdrs, RP_CRAFT_MAX - hdrs);
	return 0;
}

/* ------------------------------------------------------------ checksums */

/* The right value made wrong in one bit; for UDP never 0, which means "no checksum". */
static uint16_t csum_spoil(uint16_t right, bool udp)
{
	uint16_t bad = right ^ 1;

	return udp && bad == 0 ? right ^ 2 : bad;
}

/*
 * Bytes the header checksum covers: what the length field declares, as
 * receivers and the raw socket compute it, when that lies inside the
 * datagram; otherwise the header really built.
 */
static size_t ip_csum_span(const struct rp_craft *c, size_t len)
{
	size_t declared = ihl_words(c) * 4u;

	return declared >= IP_HDR && declared <= len ? declared : ip_hdr_len(c);
}

static void ip_checksum(const struct rp_craft *c, uint8_t *dg, size_t len)
{
	uint16_t right;

	rp_store_be16(dg + 10, 0);
	right = rp_csum(dg, ip_csum_span(c, len));
	if (c->set & RP_CS_IP_CSUM)
		rp_store_be16(dg + 10, c->ip_csum);
	else if (c->set & RP_CS_IP_CSUM_BAD)
		rp_store_be16(dg + 10, csum_spoil(right, false));
	else
		rp_store_be16(dg + 10, right);
}

/* Where the transport's checksum field lies in its header; 0 for raw payloads. */
static size_t l4_csum_at(const struct rp_craft *c)
{
	switch (c->l4) {
	case RP_CRAFT_ICMP: return 2;
	case RP_CRAFT_UDP: return 6;
	case RP_CRAFT_TCP: return 16;
	default: return 0;
	}
}

/*
 * With a source route the pseudo-header names the final destination, not
 * the next hop in the header: the checksum is judged by the final host,
 * whose header names it by then (tcpdump's ip_finddst checks it so at any hop).
 */
static void l4_checksum(const struct rp_craft *c, uint8_t *dg, size_t len)
{
	size_t off = ip_hdr_len(c), n = len - off, at = l4_csum_at(c);
	uint8_t *p = dg + off;
	uint64_t sum = 0;
	uint16_t right;

	if (!at)
		return;
	rp_store_be16(p + at, 0);
	if (c->l4 == RP_CRAFT_UDP)
		sum = rp_csum_pseudo4(c->src, rp_craft_final_dst(c), 17, (uint32_t)n);
	else if (c->l4 == RP_CRAFT_TCP)
		sum = rp_csum_pseudo4(c->src, rp_craft_final_dst(c), 6, (uint32_t)n);
	right = rp_csum_fold(rp_csum_add(sum, p, n));
	if (c->l4 == RP_CRAFT_UDP && right == 0)
		right = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	if (c->set & RP_CS_L4_CSUM)
		rp_store_be16(p + at, c->l4_csum);
	else if (c->set & RP_CS_L4_CSUM_BAD)
		rp_store_be16(p + at, csum_spoil(right, c->l4 == RP_CRAFT_UDP));
	else
		rp_store_be16(p + at, right);
}

/* ------------------------------------------------------------ headers */

static void write_ipv4(const struct rp_craft *c, uint8_t *h, size_t total)
{
	size_t hl = ip_hdr_len(c);

	h[0] = (uint8_t)(0x40 | ihl_words(c));
	h[1] = c->tos;
	rp_store_be16(h + 2, (c->set & RP_CS_IP_LEN) ? c->ip_len : (uint16_t)total);
	rp_store_be16(h + 4, c->id);
	rp_store_be16(h + 6, c->frag);
	h[8] = c->ttl;
	h[9] = rp_craft_proto(c);
	rp_store_be16(h + 10, 0);
	memcpy(h + 12, &c->src, 4);
	memcpy(h + 16, &c->dst, 4);
	memcpy(h + IP_HDR, c->ip_opts, c->ip_opts_len);
	memset(h + IP_HDR + c->ip_opts_len, RP_IPOPT_EOL, hl - IP_HDR - c->ip_opts_len);
}

/* Bytes 4 to 7: what each type keeps there, unless --icmp-rest says otherwise. */
static void write_icmp_rest(const struct rp_craft *c, uint8_t *r)
{
	const struct rp_craft_icmp *m = &c->icmp;

	memset(r, 0, 4);
	if (c->set & RP_CS_ICMP_REST) {
		memcpy(r, m->rest, 4);
		return;
	}
	if (rp_icmp_has_idseq(m->type)) {
		rp_store_be16(r, m->id);
		rp_store_be16(r + 2, m->seq);
		return;
	}
	switch (m->type) {
	case RP_ICMP_UNREACH:
		rp_store_be16(r + 2, m->mtu); /* RFC 1191: next-hop MTU, with code 4 */
		break;
	case RP_ICMP_REDIRECT:
		memcpy(r, &m->gateway, 4);
		break;
	case RP_ICMP_PARAMPROB:
		r[0] = m->pointer;
		break;
	case RP_ICMP_ROUTERADVERT: /* RFC 1256: entries of 2 words, one per 8 payload bytes */
		r[0] = (uint8_t)(c->payload_len / 8 > 255 ? 255 : c->payload_len / 8);
		r[1] = 2;
		rp_store_be16(r + 2, RADV_LIFETIME);
		break;
	default:
		break;
	}
}

/* A datagram the error's target could have sent us, with right checksums. */
static void write_quote(const struct rp_craft *c, uint8_t *q)
{
	uint8_t *u = q + IP_HDR;
	uint16_t sum;

	q[0] = 0x45;
	q[1] = 0;
	rp_store_be16(q + 2, QUOTE_LEN);
	rp_store_be16(q + 4, QUOTE_ID);
	rp_store_be16(q + 6, RP_IP_DF);
	q[8] = c->icmp.type == RP_ICMP_TIMXCEED ? 1 : 64; /* a router quotes what it got */
	q[9] = 17;
	rp_store_be16(q + 10, 0);
	memcpy(q + 12, &c->dst, 4);
	memcpy(q + 16, &c->src, 4);
	rp_store_be16(q + 10, rp_csum(q, IP_HDR));
	rp_store_be16(u, QUOTE_SPORT);
	rp_store_be16(u + 2, QUOTE_DPORT);
	rp_store_be16(u + 4, UDP_HDR);
	rp_store_be16(u + 6, 0);
	sum = rp_csum_fold(rp_csum_add(rp_csum_pseudo4(c->dst, c->src, 17, UDP_HDR), u, UDP_HDR));
	rp_store_be16(u + 6, sum ? sum : 0xffff);
}

static void write_icmp(const struct rp_craft *c, uint8_t *p)
{
	const struct rp_craft_icmp *m = &c->icmp;
	uint8_t *body = p + ICMP_HDR;

	p[0] = m->type;
	p[1] = m->code;
	rp_store_be16(p + 2, 0);
	write_icmp_rest(c, p + 4);
	if (m->type == RP_ICMP_TSTAMP || m->type == RP_ICMP_TSTAMPREPLY) {
		rp_store_be32(body, m->otime);
		rp_store_be32(body + 4, m->rtime);
		rp_store_be32(body + 8, m->ttime);
	} else if (m->type == RP_ICMP_MASKREQ || m->type == RP_ICMP_MASKREPLY) {
		memcpy(body, &m->mask, 4);
	}
	if (default_quote(c))
		write_quote(c, p + l4_hdr_len(c));
}

static void write_udp(const struct rp_craft *c, uint8_t *p, size_t len)
{
	rp_store_be16(p, c->udp.sport);
	rp_store_be16(p + 2, c->udp.dport);
	rp_store_be16(p + 4, (c->set & RP_CS_UDP_LEN) ? c->udp.len : (uint16_t)len);
	rp_store_be16(p + 6, 0);
}

static void write_tcp(const struct rp_craft *c, uint8_t *p)
{
	const struct rp_craft_tcp *t = &c->tcp;
	size_t optspace = pad4(t->opts_len);

	rp_store_be16(p, t->sport);
	rp_store_be16(p + 2, t->dport);
	rp_store_be32(p + 4, t->seq);
	rp_store_be32(p + 8, t->ack);
	p[12] = (uint8_t)(tcp_hlen_words(c) << 4);
	p[13] = t->flags;
	rp_store_be16(p + 14, t->win);
	rp_store_be16(p + 16, 0);
	rp_store_be16(p + 18, t->urp);
	memcpy(p + TCP_HDR, t->opts, t->opts_len);
	memset(p + TCP_HDR + t->opts_len, RP_TCPOPT_EOL, optspace - t->opts_len); /* zero padding */
}

size_t rp_craft_build(const struct rp_craft *c, uint8_t *out, size_t cap)
{
	struct rp_craft_err e;
	size_t len, off;
	uint8_t *l4;

	if (rp_craft_check(c, &e) != 0)
		return 0;
	len = rp_craft_size(c);
	if (!out || cap < len)
		return 0;
	off = ip_hdr_len(c);
	l4 = out + off;
	write_ipv4(c, out, len);
	switch (c->l4) {
	case RP_CRAFT_ICMP: write_icmp(c, l4); break;
	case RP_CRAFT_UDP: write_udp(c, l4, len - off); break;
	case RP_CRAFT_TCP: write_tcp(c, l4); break;
	default: break;
	}
	if (!default_quote(c) && c->payload_len)
		memcpy(l4 + l4_hdr_len(c), c->payload, c->payload_len);
	l4_checksum(c, out, len);
	ip_checksum(c, out, len);
	return len;
}

/* ------------------------------------------------------------ renumbering */

/*
 * Writes v into the 16-bit field at f; a checksum of ours at *check follows
 * by RFC 1624. False when the field already held v.
 */
static bool field_set(uint8_t *f, uint16_t v, uint8_t *check, bool ours)
{
	uint16_t old = rp_load_be16(f);

	if (old == v)
		return false;
	rp_store_be16(f, v);
	if (ours)
		rp_store_be16(check, rp_csum_update(rp_load_be16(check), old, v));
	return true;
}

/* The IP id of probe n: the run's base plus n, through 1..65535 (0 would be the kernel's to fill). */
static void renumber_ip_id(const struct rp_craft *c, uint8_t *dg, size_t len, uint32_t n)
{
	bool ours = !(c->set & (RP_CS_IP_CSUM | RP_CS_IP_CSUM_BAD));
	uint16_t id;

	if ((c->set & RP_CS_ID) || c->id == 0)
		return;
	id = (uint16_t)((c->id - 1u + (n % 65535u)) % 65535u + 1u);
	if (field_set(dg + 4, id, dg + 10, ours) && (c->set & RP_CS_IP_CSUM_BAD))
		ip_checksum(c, dg, len);
}

static void renumber_l4(const struct rp_craft *c, uint8_t *dg, size_t len, uint32_t n)
{
	bool ours = !(c->set & (RP_CS_L4_CSUM | RP_CS_L4_CSUM_BAD));
	uint8_t *p = dg + ip_hdr_len(c);
	uint8_t *check = p + l4_csum_at(c);
	bool changed = false;

	if (c->l4 == RP_CRAFT_ICMP) {
		if (!rp_icmp_has_idseq(c->icmp.type) || (c->set & RP_CS_ICMP_REST))
			return;
		changed = field_set(p + 6, (uint16_t)(c->icmp.seq + n), check, ours);
	} else if (c->l4 == RP_CRAFT_TCP) {
		uint32_t seq = c->tcp.seq + n;
		changed = field_set(p + 4, (uint16_t)(seq >> 16), check, ours);
		changed |= field_set(p + 6, (uint16_t)seq, check, ours);
	}
	if (changed && (c->set & RP_CS_L4_CSUM_BAD) && !(c->set & RP_CS_L4_CSUM))
		l4_checksum(c, dg, len);
}

void rp_craft_renumber(const struct rp_craft *c, uint8_t *dg, size_t len, uint32_t n)
{
	if (!dg || len != rp_craft_size(c) || len > RP_CRAFT_MAX)
		return; /* not a datagram built from c */
	renumber_ip_id(c, dg, len, n);
	renumber_l4(c, dg, len, n);
}

/* ------------------------------------------------------------ sending path */

/*
 * Linux's raw_send_hdrinc() (net/ipv4/raw.c), for a header of ihl words and
 * a datagram of len bytes: ihl * 4 > len is refused (EINVAL); ihl < 5 is
 * refused since the fix for CVE-2026-64114 (6.18.34 and the other stable
 * lines; older kernels passed it untouched); otherwise the kernel sets the
 * total length to len and recomputes the checksum over ihl * 4 bytes always,
 * and fills the source and the id when they are 0. So the packet socket is
 * needed exactly when one of those would change what was built:
 *   - the declared header length is under 20 bytes or past the datagram;
 *   - the user set the checksum (a value, or "bad"): the kernel's would replace it
 *     (a value that happens to be right is not worth telling apart: the id
 *     changes per probe);
 *   - --ip-len differs from the real length;
 *   - --id 0 or --src 0.0.0.0 given explicitly.
 * The checksum we compute ourselves covers ihl * 4 bytes exactly as the
 * kernel's does, so an --ihl override from 5 up to the datagram's length
 * alone goes through the raw socket unchanged.
 */
bool rp_craft_needs_link_send(const struct rp_craft *c)
{
	size_t declared = ihl_words(c) * 4u, len = rp_craft_size(c);

	if (declared < IP_HDR || declared > len)
		return true;
	if (c->set & (RP_CS_IP_CSUM | RP_CS_IP_CSUM_BAD))
		return true;
	if ((c->set & RP_CS_IP_LEN) && c->ip_len != len)
		return true;
	if ((c->set & RP_CS_ID) && c->id == 0)
		return true;
	return (c->set & RP_CS_SRC) && c->src == 0;
}
