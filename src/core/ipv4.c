/* IPv4 header (RFC 791): fields, options, fragments, header checksum. */
#include <stdio.h>

#include "rawprobe/checksum.h"
#include "rawprobe/decode.h"
#include "ipv4_internal.h"
#include "option_internal.h"

/* The usual case: all 20 fixed bytes captured, one check for all of them. */
static void read_whole_fields(struct rp_ipv4 *ip, const uint8_t *h)
{
	ip->version = h[0] >> 4;
	ip->ihl = h[0] & 0x0f;
	ip->tos = h[1];
	ip->len = rp_load_be16(h + 2);
	ip->id = rp_load_be16(h + 4);
	ip->frag = rp_load_be16(h + 6);
	ip->ttl = h[8];
	ip->proto = h[9];
	ip->checksum = rp_load_be16(h + 10);
	memcpy(&ip->src, h + 12, 4);
	memcpy(&ip->dst, h + 16, 4);
	ip->have = ip->version == 4 ? RP_IP_VHL | RP_IP_TOS | RP_IP_LEN | RP_IP_ID | RP_IP_FRAG |
					      RP_IP_TTL | RP_IP_PROTO | RP_IP_CSUM | RP_IP_SRC | RP_IP_DST
				    : RP_IP_VHL;
}

static void read_fields(struct rp_ipv4 *ip, const struct rp_buf *b)
{
	uint8_t vhl;

	ip->nopts = 0;
	ip->checksum_ok = RP_CHECK_NONE;
	if (rp_buf_has(b, 0, 20)) {
		read_whole_fields(ip, b->data);
		return;
	}
	ip->have = 0;
	if (!rp_get_u8(b, 0, &vhl))
		return;
	ip->have |= RP_IP_VHL;
	ip->version = vhl >> 4;
	ip->ihl = vhl & 0x0f;
	if (ip->version != 4)
		return; /* the rest is not an IPv4 header: nothing to report from it */
	if (rp_get_u8(b, 1, &ip->tos))
		ip->have |= RP_IP_TOS;
	if (rp_get_be16(b, 2, &ip->len))
		ip->have |= RP_IP_LEN;
	if (rp_get_be16(b, 4, &ip->id))
		ip->have |= RP_IP_ID;
	if (rp_get_be16(b, 6, &ip->frag))
		ip->have |= RP_IP_FRAG;
	if (rp_get_u8(b, 8, &ip->ttl))
		ip->have |= RP_IP_TTL;
	if (rp_get_u8(b, 9, &ip->proto))
		ip->have |= RP_IP_PROTO;
	if (rp_get_be16(b, 10, &ip->checksum))
		ip->have |= RP_IP_CSUM;
	if (rp_buf_has(b, 12, 4)) {
		ip->src = rp_raw32(b, 12);
		ip->have |= RP_IP_SRC;
	}
	if (rp_buf_has(b, 16, 4)) {
		ip->dst = rp_raw32(b, 16);
		ip->have |= RP_IP_DST;
	}
}

/*
 * Lists the options in bytes 20 to hlen of h (RFC 791 section 3.1). The
 * caller proved all hlen bytes captured; each option is checked against hlen.
 */
static enum rp_status read_options(struct rp_ipv4 *ip, const uint8_t *h, size_t hlen,
				   const char *layer, char *why)
{
	size_t off = 20;

	while (off < hlen && ip->nopts < RP_IPOPT_MAX) {
		uint8_t type, len;
		if (rp_option_at(h, off, hlen, layer, &type, &len, why) != RP_DEC_OK)
			return RP_DEC_MALFORMED;
		ip->opts[ip->nopts].type = type;
		ip->opts[ip->nopts].len = len;
		ip->opts[ip->nopts].off = (uint8_t)off;
		ip->nopts++;
		off += len;
		if (type == RP_IPOPT_EOL) /* the rest is padding */
			break;
	}
	return RP_DEC_OK;
}

enum rp_status rp_ipv4_header(struct rp_ipv4 *ip, const struct rp_buf *b, unsigned flags,
			      bool quoted, char *why)
{
	const char *layer = quoted ? "icmp: quoted ip" : "ip";
	size_t hlen;

	read_fields(ip, b);
	if (!(ip->have & RP_IP_VHL)) {
		if (b->wire == 0) {
			snprintf(why, RP_MALFORMED_MAX, "%s: no header, 0 bytes", layer);
			return RP_DEC_MALFORMED;
		}
		return RP_DEC_CUT;
	}
	if (ip->version != 4) {
		snprintf(why, RP_MALFORMED_MAX, "%s: version %u, not 4", layer, ip->version);
		return RP_DEC_MALFORMED;
	}
	hlen = ip->ihl * 4u;
	if (hlen < 20) {
		snprintf(why, RP_MALFORMED_MAX, "%s: header length %zu < 20", layer, hlen);
		return RP_DEC_MALFORMED;
	}
	if (b->wire < hlen) {
		snprintf(why, RP_MALFORMED_MAX, "%s: header length %zu > %zu bytes %s", layer, hlen,
			 b->wire, quoted ? "quoted" : "in the frame");
		return RP_DEC_MALFORMED;
	}
	ip->hdr = rp_buf_slice(b, 0, hlen);
	/* The header checksum can be judged whenever the header is all here, even if it is wrong. */
	if ((flags & RP_DECODE_CHECKSUMS) && rp_buf_has(b, 0, hlen))
		ip->checksum_ok = rp_csum_check(rp_csum_add(0, b->data, hlen), ip->checksum,
						&ip->checksum_want) ? RP_CHECK_OK : RP_CHECK_BAD;
	if (ip->have & RP_IP_LEN) {
		if (ip->len < hlen) {
			snprintf(why, RP_MALFORMED_MAX, "%s: total length %u < header length %zu", layer,
				 ip->len, hlen);
			return RP_DEC_MALFORMED;
		}
		if (!quoted && ip->len > b->wire) {
			snprintf(why, RP_MALFORMED_MAX, "%s: total length %u > %zu bytes in the frame",
				 layer, ip->len, b->wire);
			return RP_DEC_MALFORMED;
		}
	}
	if (!rp_buf_has(b, 0, hlen))
		return RP_DEC_CUT;
	ip->have |= RP_IP_OPTS;
	if (hlen > 20 && read_options(ip, b->data, hlen, layer, why) == RP_DEC_MALFORMED)
		return RP_DEC_MALFORMED;
	if (rp_ip_frag_bytes(ip) + (ip->len - hlen) > 65535u) {
		snprintf(why, RP_MALFORMED_MAX, "%s: fragment ends at byte %zu > 65535", layer,
			 rp_ip_frag_bytes(ip) + (ip->len - hlen));
		return RP_DEC_MALFORMED;
	}
	return RP_DEC_OK;
}

enum rp_status rp_ipv4_decode(struct rp_ipv4 *ip, const struct rp_buf *b, unsigned flags,
			      struct rp_buf *payload, char *why)
{
	enum rp_status st = rp_ipv4_header(ip, b, flags, false, why);

	if (st == RP_DEC_OK)
		*payload = rp_buf_slice(b, ip->ihl * 4u, ip->len - ip->ihl * 4u);
	return st;
}

unsigned rp_ipopt_route_count(const struct rp_ipv4 *ip, const struct rp_ipopt *o)
{
	if (o->type != RP_IPOPT_RR && o->type != RP_IPOPT_LSRR && o->type != RP_IPOPT_SSRR)
		return 0;
	if (o->len < 3 || !rp_buf_has(&ip->hdr, o->off, o->len))
		return 0;
	return (o->len - 3u) / 4u;
}

uint32_t rp_ipopt_route_addr(const struct rp_ipv4 *ip, const struct rp_ipopt *o, unsigned i)
{
	size_t at = o->off + 3u + 4u * i;

	if (i >= rp_ipopt_route_count(ip, o) || !rp_buf_has(&ip->hdr, at, 4))
		return 0;
	return rp_raw32(&ip->hdr, at);
}

/*
 * RFC 1122 3.3.5: the transport checksum of a source-routed datagram covers
 * the final destination. Until the route is used up (pointer within the
 * option) that is the option's last address; afterwards it is the header's.
 */
uint32_t rp_ipv4_final_dst(const struct rp_ipv4 *ip)
{
	for (unsigned i = 0; i < ip->nopts; i++) {
		const struct rp_ipopt *o = &ip->opts[i];
		unsigned n;

		if (o->type != RP_IPOPT_LSRR && o->type != RP_IPOPT_SSRR)
			continue;
		n = rp_ipopt_route_count(ip, o);
		if (n == 0 || rp_ipopt_pointer(ip, o) > o->len)
			return ip->dst;
		return rp_ipopt_route_addr(ip, o, n - 1);
	}
	return ip->dst;
}

uint8_t rp_ipopt_pointer(const struct rp_ipv4 *ip, const struct rp_ipopt *o)
{
	uint8_t ptr = 0;

	if (o->len >= 3)
		rp_get_u8(&ip->hdr, o->off + 2u, &ptr);
	return ptr;
}
