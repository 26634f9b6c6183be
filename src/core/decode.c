/* From a captured frame to a decoded packet: link, IPv4, transport, quoted datagram. */
#include <stdio.h>

#include "rawprobe/decode.h"

static void mark_malformed(struct rp_packet *pkt)
{
	pkt->malformed = pkt->malformed_buf;
}

static void cut_at(struct rp_packet *pkt, enum rp_layer layer)
{
	if (pkt->cut == RP_LAYER_NONE)
		pkt->cut = layer;
}

static void decode_icmp(struct rp_packet *pkt, const struct rp_buf *b, bool whole, unsigned flags)
{
	struct rp_buf quote;
	enum rp_status st;

	pkt->l4 = RP_L4_ICMP;
	st = rp_icmp_decode(&pkt->icmp, b, whole, flags, &quote, pkt->malformed_buf);
	if (st == RP_DEC_MALFORMED) {
		mark_malformed(pkt);
		return;
	}
	if (st == RP_DEC_CUT) {
		cut_at(pkt, RP_LAYER_ICMP);
		return;
	}
	if (!rp_icmp_is_error(pkt->icmp.type))
		return;
	pkt->has_inner = true;
	st = rp_inner_decode(&pkt->inner, &quote, flags, pkt->malformed_buf);
	if (st == RP_DEC_MALFORMED)
		mark_malformed(pkt);
	else if (quote.cap < quote.wire) /* the capture, not the quote, stopped short */
		cut_at(pkt, RP_LAYER_INNER);
}

static void decode_transport(struct rp_packet *pkt, const struct rp_buf *b, unsigned flags)
{
	const struct rp_ipv4 *ip = &pkt->ip;
	/* A fragment's checksum covers bytes that are not all here. */
	bool whole = !rp_ip_is_fragment(ip);
	enum rp_status st;
	enum rp_layer layer;

	if (!rp_ip_first_fragment(ip))
		return;
	switch (ip->proto) {
	case 1:
		decode_icmp(pkt, b, whole, flags);
		return;
	case 17:
		pkt->l4 = RP_L4_UDP;
		layer = RP_LAYER_UDP;
		st = rp_udp_decode(&pkt->udp, b, ip, whole, flags, pkt->malformed_buf);
		break;
	case 6:
		pkt->l4 = RP_L4_TCP;
		layer = RP_LAYER_TCP;
		st = rp_tcp_decode(&pkt->tcp, b, ip, whole, flags, pkt->malformed_buf);
		break;
	default:
		pkt->l4 = RP_L4_OTHER;
		return;
	}
	if (st == RP_DEC_MALFORMED)
		mark_malformed(pkt);
	else if (st == RP_DEC_CUT)
		cut_at(pkt, layer);
}

static void decode_ipv4(struct rp_packet *pkt, const struct rp_buf *b, unsigned flags)
{
	struct rp_buf payload;
	enum rp_status st = rp_ipv4_decode(&pkt->ip, b, flags, &payload, pkt->malformed_buf);

	if (st == RP_DEC_MALFORMED)
		mark_malformed(pkt);
	else if (st == RP_DEC_CUT)
		cut_at(pkt, RP_LAYER_IP);
	else
		decode_transport(pkt, &payload, flags);
}

void rp_decode(struct rp_packet *pkt, int dlt, const uint8_t *data, uint32_t caplen,
	       uint32_t len, unsigned flags)
{
	struct rp_buf frame = rp_buf_make(data, caplen, len), l3;
	enum rp_status st;

	pkt->dlt = dlt;
	pkt->caplen = caplen;
	pkt->len = len;
	pkt->nvlan = 0;
	pkt->ethertype = 0;
	pkt->other_kind = RP_OTHER_ETHERTYPE;
	pkt->mac = NULL;
	pkt->l3_offset = 0;
	pkt->l3 = RP_L3_NONE;
	pkt->l4 = RP_L4_NONE;
	pkt->has_inner = false;
	pkt->cut = RP_LAYER_NONE;
	pkt->malformed = NULL;
	pkt->malformed_buf[0] = '\0';
	pkt->resp_ns = -1;
	pkt->dup = false;

	if (len == 0) {
		snprintf(pkt->malformed_buf, RP_MALFORMED_MAX, "frame: length 0");
		mark_malformed(pkt);
		return;
	}
	st = rp_link_decode(pkt, dlt, &frame, &l3, pkt->malformed_buf);
	if (st == RP_DEC_MALFORMED) {
		mark_malformed(pkt);
		return;
	}
	if (st == RP_DEC_CUT) {
		cut_at(pkt, RP_LAYER_LINK);
		return;
	}
	if (pkt->l3 == RP_L3_IPV4)
		decode_ipv4(pkt, &l3, flags);
}
