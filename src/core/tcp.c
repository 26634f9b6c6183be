/* TCP (RFC 9293): header fields, options, checksum over the pseudo-header. */
#include <stdio.h>

#include "rawprobe/checksum.h"
#include "rawprobe/decode.h"
#include "option_internal.h"

static void read_fields(struct rp_tcp *t, const struct rp_buf *b)
{
	uint8_t off;

	t->nopts = 0;
	t->checksum_ok = RP_CHECK_NONE;
	t->payload = 0;
	if (rp_buf_has(b, 0, 20)) { /* the usual case: one check for the fixed header */
		const uint8_t *h = b->data;
		t->sport = rp_load_be16(h);
		t->dport = rp_load_be16(h + 2);
		t->seq = rp_load_be32(h + 4);
		t->ack = rp_load_be32(h + 8);
		t->hlen = (uint8_t)((h[12] >> 4) * 4);
		t->flags = h[13];
		t->win = rp_load_be16(h + 14);
		t->checksum = rp_load_be16(h + 16);
		t->urp = rp_load_be16(h + 18);
		t->have = RP_TCP_SPORT | RP_TCP_DPORT | RP_TCP_SEQ | RP_TCP_ACK | RP_TCP_HLEN |
			  RP_TCP_FLAGS | RP_TCP_WIN | RP_TCP_CSUM | RP_TCP_URP;
		return;
	}
	t->have = 0;
	if (rp_get_be16(b, 0, &t->sport))
		t->have |= RP_TCP_SPORT;
	if (rp_get_be16(b, 2, &t->dport))
		t->have |= RP_TCP_DPORT;
	if (rp_get_be32(b, 4, &t->seq))
		t->have |= RP_TCP_SEQ;
	if (rp_get_be32(b, 8, &t->ack))
		t->have |= RP_TCP_ACK;
	if (rp_get_u8(b, 12, &off)) {
		t->hlen = (uint8_t)((off >> 4) * 4);
		t->have |= RP_TCP_HLEN;
	}
	if (rp_get_u8(b, 13, &t->flags))
		t->have |= RP_TCP_FLAGS;
	if (rp_get_be16(b, 14, &t->win))
		t->have |= RP_TCP_WIN;
	if (rp_get_be16(b, 16, &t->checksum))
		t->have |= RP_TCP_CSUM;
	if (rp_get_be16(b, 18, &t->urp))
		t->have |= RP_TCP_URP;
}

/* The values of the options rawprobe names; others keep kind and length only. */
static void option_values(struct rp_tcpopt *o, const uint8_t *opt)
{
	o->a = o->b = 0;
	switch (o->kind) {
	case RP_TCPOPT_MSS:
		if (o->len == 4)
			o->a = rp_load_be16(opt + 2);
		break;
	case RP_TCPOPT_WSCALE:
		if (o->len == 3)
			o->a = opt[2];
		break;
	case RP_TCPOPT_TIMESTAMP:
		if (o->len == 10) {
			o->a = rp_load_be32(opt + 2);
			o->b = rp_load_be32(opt + 6);
		}
		break;
	case RP_TCPOPT_SACK:
		if (o->len >= 10) {
			o->a = rp_load_be32(opt + 2);
			o->b = rp_load_be32(opt + 6);
		}
		break;
	default:
		break;
	}
}

/*
 * Lists the options in bytes 20 to hlen of h. The caller proved all hlen
 * bytes captured; every option is checked against hlen before it is read.
 */
static enum rp_status read_options(struct rp_tcp *t, const uint8_t *h, char *why)
{
	size_t off = 20;

	while (off < t->hlen && t->nopts < RP_TCPOPT_MAX) {
		struct rp_tcpopt *o = &t->opts[t->nopts];
		uint8_t kind, len;
		if (rp_option_at(h, off, t->hlen, "tcp", &kind, &len, why) != RP_DEC_OK)
			return RP_DEC_MALFORMED;
		o->kind = kind;
		o->len = len;
		o->off = (uint8_t)off;
		option_values(o, h + off);
		t->nopts++;
		off += len;
		if (kind == RP_TCPOPT_EOL)
			break;
	}
	return RP_DEC_OK;
}

enum rp_status rp_tcp_decode(struct rp_tcp *t, const struct rp_buf *b, const struct rp_ipv4 *ip,
			     bool can_check, unsigned flags, char *why)
{
	read_fields(t, b);
	if (b->wire < 20) {
		snprintf(why, RP_MALFORMED_MAX, "tcp: segment length %zu < 20", b->wire);
		return RP_DEC_MALFORMED;
	}
	/*
	 * The checksum covers the whole segment whatever its header says, so a
	 * malformed header or option does not hide a checkable checksum.
	 */
	if (can_check && (flags & RP_DECODE_CHECKSUMS) && rp_buf_has(b, 0, b->wire)) {
		uint64_t sum = rp_csum_pseudo4(ip->src, rp_ipv4_final_dst(ip), 6, (uint32_t)b->wire);
		t->checksum_ok = rp_csum_check(rp_csum_add(sum, b->data, b->wire), t->checksum,
					       &t->checksum_want) ? RP_CHECK_OK : RP_CHECK_BAD;
	}
	if (!(t->have & RP_TCP_HLEN))
		return RP_DEC_CUT;
	if (t->hlen < 20) {
		snprintf(why, RP_MALFORMED_MAX, "tcp: header length %u < 20", t->hlen);
		return RP_DEC_MALFORMED;
	}
	if (t->hlen > b->wire) {
		snprintf(why, RP_MALFORMED_MAX, "tcp: header length %u > %zu bytes in the segment",
			 t->hlen, b->wire);
		return RP_DEC_MALFORMED;
	}
	t->payload = (uint32_t)(b->wire - t->hlen);
	t->hdr = rp_buf_slice(b, 0, t->hlen);
	if (!rp_buf_has(b, 0, t->hlen))
		return RP_DEC_CUT;
	t->have |= RP_TCP_OPTS;
	return t->hlen > 20 ? read_options(t, b->data, why) : RP_DEC_OK;
}

bool rp_tcpopt_sack_block(const struct rp_tcp *t, const struct rp_tcpopt *o, unsigned i,
			  uint32_t *left, uint32_t *right)
{
	size_t at = o->off + 2u + 8u * i;

	if (o->kind != RP_TCPOPT_SACK || o->len < 2 || i >= (o->len - 2u) / 8u)
		return false;
	return rp_get_be32(&t->hdr, at, left) && rp_get_be32(&t->hdr, at + 4, right);
}
