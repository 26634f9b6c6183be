/*
 * trace probes with Paris traceroute's constant flow identifiers, the
 * socket filter that lets only their answers through, and what an answer
 * means (RFC 792: time exceeded, destination unreachable, echo reply).
 */
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>

#include "rawprobe/bytes.h"
#include "rawprobe/buf.h"
#include "rawprobe/checksum.h"
#include "rawprobe/trace.h"

#define IPV4_HDR 20
#define L4_HDR 8 /* ICMP echo and UDP headers alike */
#define PROTO_ICMP 1
#define PROTO_UDP 17

static uint16_t rnd16(const uint8_t *r)
{
	return (uint16_t)(r[0] << 8 | r[1]);
}

/* One's complement addition of two 16-bit words. */
static uint16_t ones_add(uint16_t a, uint16_t b)
{
	uint32_t s = (uint32_t)a + b;

	return (uint16_t)((s & 0xffff) + (s >> 16));
}

void rp_trace_spec_init(struct rp_trace_spec *s, enum rp_trace_proto proto, uint32_t src,
			uint32_t dst, unsigned first_ttl, unsigned hops, unsigned per_hop,
			size_t data_len, const uint8_t rnd[8])
{
	unsigned n = hops * per_hop;

	memset(s, 0, sizeof *s);
	s->proto = proto;
	s->src = src;
	s->dst = dst;
	s->first_ttl = (uint8_t)first_ttl;
	s->per_hop = (uint8_t)per_hop;
	s->nprobes = n;
	s->data_len = data_len;
	s->icmp_id = (uint16_t)(rnd16(rnd) | 1); /* never 0 */
	s->dport = RP_TRACE_UDP_PORT;
	/* An ephemeral port (32768-60999, Linux's range) that no other run of ours is likely to hold. */
	s->sport = (uint16_t)(32768 + rnd16(rnd + 2) % 28232);
	/* ip_id + k and tag + k stay within 1..0xfffe for every probe k < n. */
	s->ip_id = (uint16_t)(1 + rnd16(rnd + 4) % (0xfffeu - n));
	s->tag = (uint16_t)(1 + rnd16(rnd + 6) % (0xfffeu - n));
}

size_t rp_trace_probe_len(const struct rp_trace_spec *s)
{
	return IPV4_HDR + L4_HDR + s->data_len;
}

uint8_t rp_trace_probe_ttl(const struct rp_trace_spec *s, unsigned k)
{
	return (uint8_t)(s->first_ttl + k / s->per_hop);
}

static void ipv4_header(uint8_t *h, const struct rp_trace_spec *s, unsigned k, size_t total)
{
	memset(h, 0, IPV4_HDR);
	h[0] = 0x45;
	rp_store_be16(h + 2, (uint16_t)total);
	rp_store_be16(h + 4, (uint16_t)(s->ip_id + k));
	h[8] = rp_trace_probe_ttl(s, k);
	h[9] = s->proto == RP_TRACE_ICMP ? PROTO_ICMP : PROTO_UDP;
	memcpy(h + 12, &s->src, 4);
	memcpy(h + 16, &s->dst, 4);
	rp_store_be16(h + 10, rp_csum(h, IPV4_HDR));
}

/* traceroute's filler, "@ABC...", after the two bytes that keep the flow. */
static void data_fill(uint8_t *d, size_t len)
{
	for (size_t i = 2; i < len; i++)
		d[i] = (uint8_t)(0x40 + (i & 0x3f));
}

/*
 * seq + ~seq is the same (negative zero) for every seq, so the checksum
 * over the message is too.
 */
static void icmp_probe(uint8_t *m, const struct rp_trace_spec *s, unsigned k)
{
	uint16_t seq = (uint16_t)(k + 1);
	size_t len = L4_HDR + s->data_len;

	m[0] = 8; /* echo request */
	m[1] = 0;
	rp_store_be16(m + 2, 0);
	rp_store_be16(m + 4, s->icmp_id);
	rp_store_be16(m + 6, seq);
	data_fill(m + L4_HDR, s->data_len);
	rp_store_be16(m + L4_HDR, (uint16_t)~seq);
	rp_store_be16(m + 2, rp_csum(m, len));
}

/*
 * The checksum field says which probe this is; the first two data bytes
 * are chosen so that it is also the right checksum: with S the sum of
 * everything else, S + W must be ~tag, so W = ~tag - S = ~tag + ~S.
 */
static void udp_probe(uint8_t *m, const struct rp_trace_spec *s, unsigned k)
{
	size_t len = L4_HDR + s->data_len;
	uint64_t pseudo = rp_csum_pseudo4(s->src, s->dst, PROTO_UDP, (uint32_t)len);
	uint16_t tag = (uint16_t)(s->tag + k), csum;

	rp_store_be16(m, s->sport);
	rp_store_be16(m + 2, s->dport);
	rp_store_be16(m + 4, (uint16_t)len);
	rp_store_be16(m + 6, 0);
	data_fill(m + L4_HDR, s->data_len);
	if (s->data_len < 2) {
		if (s->data_len == 1)
			m[L4_HDR] = 0x40;
		csum = rp_csum_fold(rp_csum_add(pseudo, m, len));
		rp_store_be16(m + 6, csum ? csum : 0xffff);
		return;
	}
	rp_store_be16(m + L4_HDR, 0);
	csum = rp_csum_fold(rp_csum_add(pseudo, m, len)); /* ~S */
	rp_store_be16(m + L4_HDR, ones_add((uint16_t)~tag, csum));
	rp_store_be16(m + 6, tag);
}

size_t rp_trace_build(const struct rp_trace_spec *s, unsigned k, uint8_t *out, size_t cap)
{
	size_t len = rp_trace_probe_len(s);

	if (cap < len || k >= s->nprobes)
		return 0;
	if (s->proto == RP_TRACE_ICMP)
		icmp_probe(out + IPV4_HDR, s, k);
	else
		udp_probe(out + IPV4_HDR, s, k);
	ipv4_header(out, s, k, len);
	return len;
}

/* ------------------------------------------------------------ the socket filter */

/* Classic BPF jumps are relative to the next instruction; these take absolute ones. */
#define J(at, to) ((uint8_t)((to) - (at) - 1))
#define JEQ(at, k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), J(at, t), J(at, f))

/*
 * X = outer header length; errors (3, 11, 12) quoting our protocol to our
 * destination go on with X = outer + quoted header lengths, where the
 * quoted transport header starts at X + 8.
 */
#define ERROR_PREFIX(ERR, REJECT, proto, dst)                                          \
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),                 /* ERR: A = type */  \
	JEQ(ERR + 1, 3, ERR + 4, ERR + 2),                                              \
	JEQ(ERR + 2, 11, ERR + 4, ERR + 3),                                             \
	JEQ(ERR + 3, 12, ERR + 4, REJECT),                                              \
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 8 + 9),             /* quoted protocol */ \
	JEQ(ERR + 5, proto, ERR + 6, REJECT),                                           \
	BPF_STMT(BPF_LD | BPF_W | BPF_IND, 8 + 16),            /* quoted destination */ \
	JEQ(ERR + 7, dst, ERR + 8, REJECT),                                             \
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 8),                                          \
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x0f),                                      \
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 2),                                         \
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),                                         \
	BPF_STMT(BPF_MISC | BPF_TAX, 0)

static unsigned icmp_filter(const struct rp_trace_spec *s, uint32_t dst, struct sock_filter *out)
{
	enum { ERR = 5, TAIL = ERR + 13, ACCEPT = TAIL + 4, REJECT = ACCEPT + 1 };
	const struct sock_filter code[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
		JEQ(2, 0, 3, ERR),                              /* echo reply */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
		JEQ(4, s->icmp_id, ACCEPT, REJECT),
		ERROR_PREFIX(ERR, REJECT, PROTO_ICMP, dst),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 8),          /* TAIL: quoted type */
		JEQ(TAIL + 1, 8, TAIL + 2, REJECT),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 8 + 4),      /* quoted identifier */
		JEQ(TAIL + 3, s->icmp_id, ACCEPT, REJECT),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	_Static_assert(sizeof code / sizeof code[0] == REJECT + 1, "icmp filter layout");
	_Static_assert(REJECT + 1 <= RP_TRACE_FILTER_LEN, "icmp filter length");

	memcpy(out, code, sizeof code);
	return REJECT + 1;
}

static unsigned udp_filter(const struct rp_trace_spec *s, uint32_t dst, struct sock_filter *out)
{
	enum { ERR = 1, TAIL = ERR + 13, ACCEPT = TAIL + 2, REJECT = ACCEPT + 1 };
	const struct sock_filter code[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		ERROR_PREFIX(ERR, REJECT, PROTO_UDP, dst),
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 8),          /* TAIL: quoted ports */
		JEQ(TAIL + 1, (uint32_t)s->sport << 16 | s->dport, ACCEPT, REJECT),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	_Static_assert(sizeof code / sizeof code[0] == REJECT + 1, "udp filter layout");

	memcpy(out, code, sizeof code);
	return REJECT + 1;
}

unsigned rp_trace_filter(const struct rp_trace_spec *s, struct sock_filter *out)
{
	uint8_t d[4];
	uint32_t dst;

	memcpy(d, &s->dst, 4);
	dst = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	return s->proto == RP_TRACE_ICMP ? icmp_filter(s, dst, out) : udp_filter(s, dst, out);
}

/* ------------------------------------------------------------ answers */

/* An echo reply to probe seq - 1: our identifier, and the data bytes that only our probe had. */
static bool echo_reply(const struct rp_trace_spec *s, const struct rp_packet *pkt,
		       const struct rp_buf *ip, struct rp_trace_answer *a)
{
	uint16_t seq = rp_icmp_seq(&pkt->icmp), comp, want = (uint16_t)~seq;

	if (s->proto != RP_TRACE_ICMP || !(pkt->icmp.have & RP_ICMP_ID) ||
	    rp_icmp_id(&pkt->icmp) != s->icmp_id || seq == 0 || seq > s->nprobes)
		return false;
	if (!rp_get_be16(ip, pkt->ip.ihl * 4u + L4_HDR, &comp) || comp != want)
		return false;
	a->kind = RP_TRACE_ARRIVED;
	a->probe = seq - 1u;
	return true;
}

/* The probe an ICMP error quotes, from the quoted headers: false when it is not one of ours. */
static bool quoted_probe(const struct rp_trace_spec *s, const struct rp_inner *in, unsigned *k)
{
	const unsigned ip_need = RP_IP_PROTO | RP_IP_SRC | RP_IP_DST | RP_IP_ID;
	uint16_t n;

	if ((in->ip.have & ip_need) != ip_need || in->ip.dst != s->dst ||
	    (s->src && in->ip.src != s->src))
		return false;
	if (s->proto == RP_TRACE_ICMP) {
		const unsigned need = RP_ICMP_TYPE | RP_ICMP_ID | RP_ICMP_SEQ;
		if (in->l4 != RP_L4_ICMP || (in->icmp.have & need) != need || in->icmp.type != 8 ||
		    rp_icmp_id(&in->icmp) != s->icmp_id)
			return false;
		n = (uint16_t)(rp_icmp_seq(&in->icmp) - 1);
	} else {
		const unsigned need = RP_UDP_SPORT | RP_UDP_DPORT | RP_UDP_CSUM;
		if (in->l4 != RP_L4_UDP || (in->udp.have & need) != need ||
		    in->udp.sport != s->sport || in->udp.dport != s->dport)
			return false;
		n = s->data_len >= 2 ? (uint16_t)(in->udp.checksum - s->tag)
				     : (uint16_t)(in->ip.id - s->ip_id);
	}
	if (n >= s->nprobes)
		return false;
	*k = n;
	return true;
}

static bool error_answer(const struct rp_trace_spec *s, const struct rp_packet *pkt,
			 struct rp_trace_answer *a)
{
	uint8_t type = pkt->icmp.type, code = pkt->icmp.code;

	if (!pkt->has_inner || !quoted_probe(s, &pkt->inner, &a->probe))
		return false;
	if (type == RP_ICMP_TIMXCEED)
		a->kind = RP_TRACE_HOP;
	else if (type == RP_ICMP_UNREACH && code == 3 && s->proto == RP_TRACE_UDP)
		a->kind = RP_TRACE_ARRIVED;
	else if (type == RP_ICMP_UNREACH || type == RP_ICMP_PARAMPROB)
		a->kind = RP_TRACE_STOPPED;
	else
		return false; /* source quench, redirect: not an answer to a probe */
	if (type == RP_ICMP_UNREACH && code == 4 && (pkt->icmp.have & RP_ICMP_REST))
		a->mtu = (uint16_t)pkt->icmp.rest;
	return true;
}

bool rp_trace_classify(const struct rp_trace_spec *s, const struct rp_packet *pkt,
		       const uint8_t *ip, size_t caplen, struct rp_trace_answer *a)
{
	struct rp_buf b = rp_buf_make(ip, caplen, caplen);
	const struct rp_icmp *c = &pkt->icmp;
	bool ours;

	memset(a, 0, sizeof *a);
	if (pkt->l3 != RP_L3_IPV4 || pkt->l4 != RP_L4_ICMP || !(c->have & RP_ICMP_TYPE) ||
	    rp_ip_is_fragment(&pkt->ip) || c->checksum_ok == RP_CHECK_BAD)
		return false;
	a->from = pkt->ip.src;
	a->ttl = pkt->ip.ttl;
	a->type = c->type;
	a->code = c->code;
	a->icmp_len = c->length;
	if (c->type == RP_ICMP_ECHOREPLY)
		ours = echo_reply(s, pkt, &b, a);
	else
		ours = rp_icmp_is_error(c->type) && error_answer(s, pkt, a);
	if (!ours)
		a->kind = RP_TRACE_NONE;
	return ours;
}

/* BSD traceroute's letters for the destination unreachable codes (RFC 792, RFC 1812). */
static const char unreach_marker[16][3] = {
	"!N", "!H", "!P", "", "!F", "!S", "!U", "!W",
	"!I", "!A", "!Z", "!Q", "!T", "!X", "!V", "!C",
};

const char *rp_trace_marker(const struct rp_trace_answer *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a->kind != RP_TRACE_STOPPED)
		return buf;
	if (a->type == RP_ICMP_PARAMPROB)
		snprintf(buf, len, "!E");
	else if (a->code == 4 && a->mtu)
		snprintf(buf, len, "!F-%u", a->mtu);
	else if (a->code < 16 && unreach_marker[a->code][0])
		snprintf(buf, len, "%s", unreach_marker[a->code]);
	else
		snprintf(buf, len, "!<%u>", a->code);
	return buf;
}
