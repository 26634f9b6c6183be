/*
 * ICMP (RFC 792, 950, 1191, 1256, 4884): the fields each type carries, the
 * checksum, and the datagram an error quotes.
 */
#include <stdio.h>

#include "rawprobe/checksum.h"
#include "rawprobe/decode.h"
#include "ipv4_internal.h"

/* Bytes a message of this type needs beyond the 8-byte header. */
static size_t body_needed(uint8_t type)
{
	switch (type) {
	case RP_ICMP_TSTAMP: case RP_ICMP_TSTAMPREPLY:
		return 12; /* originate, receive, transmit (RFC 792) */
	case RP_ICMP_MASKREQ: case RP_ICMP_MASKREPLY:
		return 4; /* RFC 950 */
	default:
		return 0;
	}
}

static void read_times(struct rp_icmp *c, const struct rp_buf *b)
{
	if (rp_get_be32(b, 8, &c->otime))
		c->have |= RP_ICMP_OTIME;
	if (rp_get_be32(b, 12, &c->rtime))
		c->have |= RP_ICMP_RTIME;
	if (rp_get_be32(b, 16, &c->ttime))
		c->have |= RP_ICMP_TTIME;
}

/* RFC 1256 section 3: entries of 'size' 32-bit words after the header. */
static enum rp_status read_router_advert(struct rp_icmp *c, const struct rp_buf *b, char *why)
{
	unsigned n = c->rest >> 24, words = (c->rest >> 16) & 0xff;
	size_t need;

	c->radv_count = (uint8_t)n;
	if (words < 2) {
		snprintf(why, RP_MALFORMED_MAX, "icmp: router advertisement entry size %u < 2", words);
		return RP_DEC_MALFORMED;
	}
	need = 8 + (size_t)n * words * 4;
	if (need > b->wire) {
		snprintf(why, RP_MALFORMED_MAX, "icmp: router advertisement of %u entries needs %zu bytes, has %zu",
			 n, need, b->wire);
		return RP_DEC_MALFORMED;
	}
	for (unsigned i = 0; i < n && c->radv_kept < RP_RADV_MAX; i++) {
		size_t at = 8 + (size_t)i * words * 4;
		uint32_t pref;
		if (!rp_buf_has(b, at, 8))
			break;
		c->radv[c->radv_kept].addr = rp_raw32(b, at);
		rp_get_be32(b, at + 4, &pref);
		c->radv[c->radv_kept].pref = (int32_t)pref;
		c->radv_kept++;
	}
	return c->radv_kept == n || c->radv_kept == RP_RADV_MAX ? RP_DEC_OK : RP_DEC_CUT;
}

enum rp_status rp_icmp_decode(struct rp_icmp *c, const struct rp_buf *b, bool can_check,
			      unsigned flags, struct rp_buf *quote, char *why)
{
	size_t need;

	c->have = 0;
	c->checksum_ok = RP_CHECK_NONE;
	c->length = (uint32_t)b->wire;
	c->radv_count = c->radv_kept = 0;
	if (rp_buf_has(b, 0, 8)) { /* the usual case: one check for the 8-byte header */
		c->type = b->data[0];
		c->code = b->data[1];
		c->checksum = rp_load_be16(b->data + 2);
		c->rest = rp_load_be32(b->data + 4);
		c->have = RP_ICMP_TYPE | RP_ICMP_CODE | RP_ICMP_CSUM | RP_ICMP_REST | RP_ICMP_ID |
			  RP_ICMP_SEQ;
	} else {
		uint16_t id;
		if (rp_get_u8(b, 0, &c->type))
			c->have |= RP_ICMP_TYPE;
		if (rp_get_u8(b, 1, &c->code))
			c->have |= RP_ICMP_CODE;
		if (rp_get_be16(b, 2, &c->checksum))
			c->have |= RP_ICMP_CSUM;
		if (rp_get_be16(b, 4, &id)) { /* the capture stopped between id and seq */
			c->rest = (uint32_t)id << 16;
			c->have |= RP_ICMP_ID;
		}
	}
	if (b->wire < 8) {
		snprintf(why, RP_MALFORMED_MAX, "icmp: message length %zu < 8", b->wire);
		return RP_DEC_MALFORMED;
	}
	if (!(c->have & RP_ICMP_TYPE))
		return RP_DEC_CUT;
	need = 8 + body_needed(c->type);
	if (b->wire < need) {
		snprintf(why, RP_MALFORMED_MAX, "icmp: type %u message length %zu < %zu", c->type,
			 b->wire, need);
		return RP_DEC_MALFORMED;
	}
	if (can_check && (flags & RP_DECODE_CHECKSUMS) && (c->have & RP_ICMP_CSUM) &&
	    rp_buf_has(b, 0, b->wire))
		c->checksum_ok = rp_csum_check(rp_csum_add(0, b->data, b->wire), c->checksum,
					       &c->checksum_want) ? RP_CHECK_OK : RP_CHECK_BAD;

	if (c->type == RP_ICMP_TSTAMP || c->type == RP_ICMP_TSTAMPREPLY)
		read_times(c, b);
	if ((c->type == RP_ICMP_MASKREQ || c->type == RP_ICMP_MASKREPLY) && rp_buf_has(b, 8, 4)) {
		c->mask = rp_raw32(b, 8);
		c->have |= RP_ICMP_MASK;
	}
	if (c->type == RP_ICMP_ROUTERADVERT && (c->have & RP_ICMP_REST)) {
		enum rp_status st = read_router_advert(c, b, why);
		if (st != RP_DEC_OK)
			return st;
	}
	if (rp_icmp_is_error(c->type))
		*quote = rp_buf_tail(b, 8);
	return rp_buf_has(b, 0, need) ? RP_DEC_OK : RP_DEC_CUT;
}

/*
 * The quoted transport header: its view runs to the length the quoted IP
 * header claims, so fields the quote left out read as not captured.
 */
static struct rp_buf quoted_payload(const struct rp_ipv4 *ip, const struct rp_buf *quote)
{
	size_t hlen = ip->ihl * 4u, claimed = ip->len - hlen;
	struct rp_buf p = { quote->data, 0, claimed };

	if (hlen <= quote->cap) {
		p.data = quote->data + hlen;
		p.cap = quote->cap - hlen < claimed ? quote->cap - hlen : claimed;
	}
	return p;
}

static enum rp_status inner_transport(struct rp_inner *in, const struct rp_buf *tb, bool whole,
				      unsigned flags, char *why)
{
	struct rp_buf unused;

	switch (in->ip.proto) {
	case 1:
		in->l4 = RP_L4_ICMP;
		return rp_icmp_decode(&in->icmp, tb, whole, flags, &unused, why);
	case 17:
		in->l4 = RP_L4_UDP;
		return rp_udp_decode(&in->udp, tb, &in->ip, whole, flags, why);
	case 6:
		in->l4 = RP_L4_TCP;
		return rp_tcp_decode(&in->tcp, tb, &in->ip, whole, flags, why);
	default:
		in->l4 = RP_L4_OTHER;
		return RP_DEC_OK;
	}
}

enum rp_status rp_inner_decode(struct rp_inner *in, const struct rp_buf *quote, unsigned flags,
			       char *why)
{
	enum rp_status st = rp_ipv4_header(&in->ip, quote, flags, true, why);
	struct rp_buf tb;
	bool whole;
	char inner_why[RP_MALFORMED_MAX];

	in->l4 = RP_L4_NONE;
	if (st != RP_DEC_OK)
		return st;
	if (!rp_ip_first_fragment(&in->ip))
		return RP_DEC_OK;
	tb = quoted_payload(&in->ip, quote);
	/* Checksums of the quoted transport can be checked only when all of it is quoted. */
	whole = !rp_ip_is_fragment(&in->ip) && tb.cap == tb.wire;
	inner_why[0] = '\0';
	st = inner_transport(in, &tb, whole, flags, inner_why);
	if (st == RP_DEC_MALFORMED) {
		snprintf(why, RP_MALFORMED_MAX, "icmp: quoted %.*s", RP_MALFORMED_MAX - 14, inner_why);
		return st;
	}
	return RP_DEC_OK; /* a quote that stops inside the transport header is normal */
}
