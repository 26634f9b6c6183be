/* ICMP echo probes: building them and recognising the replies (RFC 792). */
#include <string.h>

#include "rawprobe/bytes.h"
#include "rawprobe/buf.h"
#include "rawprobe/checksum.h"
#include "rawprobe/probe.h"

uint64_t rp_stamp_mac(const struct rp_sipkey *key, uint32_t dst, uint16_t id, uint16_t seq,
		      int64_t sent_ns)
{
	uint8_t msg[16];

	memcpy(msg, &dst, 4);
	rp_store_be16(msg + 4, id);
	rp_store_be16(msg + 6, seq);
	rp_store_be64(msg + 8, (uint64_t)sent_ns);
	return rp_siphash24(key, msg, sizeof msg);
}

static void ipv4_header_build(uint8_t *h, const struct rp_echo_spec *s, size_t total)
{
	h[0] = 0x45;
	h[1] = s->tos;
	rp_store_be16(h + 2, (uint16_t)total);
	rp_store_be16(h + 4, s->ip_id);
	rp_store_be16(h + 6, s->df ? RP_IP_DF : 0);
	h[8] = s->ttl;
	h[9] = 1; /* ICMP */
	rp_store_be16(h + 10, 0);
	memcpy(h + 12, &s->src, 4);
	memcpy(h + 16, &s->dst, 4);
	rp_store_be16(h + 10, rp_csum(h, RP_IPV4_HDR));
}

/* The data after the stamp: the pattern repeated, or counting bytes as iputils fills it. */
static void data_fill(uint8_t *d, size_t from, size_t len, const uint8_t *pat, size_t patlen)
{
	for (size_t i = from; i < len; i++)
		d[i] = pat && patlen ? pat[(i - from) % patlen] : (uint8_t)i;
}

void rp_echo_restamp(uint8_t *icmp, size_t icmp_len, uint32_t dst, uint16_t seq, int64_t sent_ns,
		     const struct rp_sipkey *key)
{
	uint16_t id = (uint16_t)(icmp[4] << 8 | icmp[5]);

	rp_store_be16(icmp + 6, seq);
	if (key && icmp_len >= RP_ICMP_ECHO_HDR + RP_STAMP_LEN) {
		rp_store_be64(icmp + 8, (uint64_t)sent_ns);
		rp_store_be64(icmp + 16, rp_stamp_mac(key, dst, id, seq, sent_ns));
	}
	rp_store_be16(icmp + 2, 0);
	rp_store_be16(icmp + 2, rp_csum(icmp, icmp_len));
}

size_t rp_echo_build(uint8_t *out, size_t cap, const struct rp_echo_spec *s, bool with_ip)
{
	size_t ip_len = with_ip ? RP_IPV4_HDR : 0;
	size_t icmp_len = RP_ICMP_ECHO_HDR + s->data_len;
	bool stamped = s->key && s->data_len >= RP_STAMP_LEN;
	uint8_t *icmp = out + ip_len;

	if (s->data_len > RP_ECHO_DATA_MAX || cap < ip_len + icmp_len)
		return 0;
	icmp[0] = RP_ICMP_ECHO;
	icmp[1] = 0;
	rp_store_be16(icmp + 4, s->id);
	data_fill(icmp + RP_ICMP_ECHO_HDR, stamped ? RP_STAMP_LEN : 0, s->data_len, s->pattern,
		  s->pattern_len);
	rp_echo_restamp(icmp, icmp_len, s->dst, s->seq, s->sent_ns, stamped ? s->key : NULL);
	if (with_ip)
		ipv4_header_build(out, s, ip_len + icmp_len);
	return ip_len + icmp_len;
}

/* The stamp at off in view b, checked against (dst, id, seq). */
static enum rp_stamp_state stamp_check(const struct rp_buf *b, size_t off, uint32_t dst, uint16_t id,
				       uint16_t seq, const struct rp_sipkey *key, int64_t *sent_ns)
{
	int64_t sent;

	if (!key || !rp_buf_has(b, off, RP_STAMP_LEN))
		return RP_STAMP_ABSENT;
	sent = (int64_t)rp_load_be64(b->data + off);
	if (rp_load_be64(b->data + off + 8) != rp_stamp_mac(key, dst, id, seq, sent))
		return RP_STAMP_BAD;
	*sent_ns = sent;
	return RP_STAMP_OK;
}

static bool echo_reply_match(struct rp_reply *r, const struct rp_packet *pkt,
			     const struct rp_buf *ip, uint16_t id, const struct rp_sipkey *key)
{
	const struct rp_icmp *c = &pkt->icmp;

	if (!(c->have & RP_ICMP_ID) || rp_icmp_id(c) != id)
		return false;
	r->kind = RP_REPLY_ECHO;
	r->target = r->from;
	r->id = id;
	r->seq = rp_icmp_seq(c);
	r->stamp = stamp_check(ip, pkt->ip.ihl * 4u + RP_ICMP_ECHO_HDR, r->target, id, r->seq, key,
			       &r->sent_ns);
	return true;
}

static bool error_match(struct rp_reply *r, const struct rp_packet *pkt, const struct rp_buf *ip,
			uint16_t id, const struct rp_sipkey *key)
{
	const struct rp_inner *in = &pkt->inner;
	size_t inner_icmp;

	if (!pkt->has_inner || in->l4 != RP_L4_ICMP || !(in->icmp.have & RP_ICMP_ID) ||
	    in->icmp.type != RP_ICMP_ECHO || rp_icmp_id(&in->icmp) != id || !(in->ip.have & RP_IP_DST))
		return false;
	r->kind = RP_REPLY_ERROR;
	r->target = in->ip.dst;
	r->id = id;
	r->seq = rp_icmp_seq(&in->icmp);
	inner_icmp = pkt->ip.ihl * 4u + RP_ICMP_ECHO_HDR + in->ip.ihl * 4u;
	r->stamp = stamp_check(ip, inner_icmp + RP_ICMP_ECHO_HDR, r->target, id, r->seq, key,
			       &r->sent_ns);
	return true;
}

bool rp_reply_match(struct rp_reply *r, const struct rp_packet *pkt, const uint8_t *ip,
		    size_t caplen, uint16_t id, const struct rp_sipkey *key)
{
	struct rp_buf b = rp_buf_make(ip, caplen, caplen);
	const struct rp_icmp *c = &pkt->icmp;

	memset(r, 0, sizeof *r);
	if (pkt->l3 != RP_L3_IPV4 || pkt->l4 != RP_L4_ICMP || !(c->have & RP_ICMP_TYPE) ||
	    rp_ip_is_fragment(&pkt->ip))
		return false;
	r->from = pkt->ip.src;
	r->ttl = pkt->ip.ttl;
	r->type = c->type;
	r->code = c->code;
	r->icmp_len = c->length;
	r->checksum_bad = c->checksum_ok == RP_CHECK_BAD;
	if (c->type == RP_ICMP_ECHOREPLY)
		return echo_reply_match(r, pkt, &b, id, key);
	if (rp_icmp_is_error(c->type))
		return error_match(r, pkt, &b, id, key);
	return false;
}
