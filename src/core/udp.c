/* UDP (RFC 768): ports, length, checksum over the pseudo-header. */
#include <stdio.h>

#include "rawprobe/checksum.h"
#include "rawprobe/decode.h"

enum rp_status rp_udp_decode(struct rp_udp *u, const struct rp_buf *b, const struct rp_ipv4 *ip,
			     bool can_check, unsigned flags, char *why)
{
	u->checksum_ok = RP_CHECK_NONE;
	if (rp_buf_has(b, 0, 8)) {
		u->sport = rp_load_be16(b->data);
		u->dport = rp_load_be16(b->data + 2);
		u->len = rp_load_be16(b->data + 4);
		u->checksum = rp_load_be16(b->data + 6);
		u->have = RP_UDP_SPORT | RP_UDP_DPORT | RP_UDP_LEN | RP_UDP_CSUM;
	} else {
		u->have = 0;
		if (rp_get_be16(b, 0, &u->sport))
			u->have |= RP_UDP_SPORT;
		if (rp_get_be16(b, 2, &u->dport))
			u->have |= RP_UDP_DPORT;
		if (rp_get_be16(b, 4, &u->len))
			u->have |= RP_UDP_LEN;
		if (rp_get_be16(b, 6, &u->checksum))
			u->have |= RP_UDP_CSUM;
	}
	if (b->wire < 8) {
		snprintf(why, RP_MALFORMED_MAX, "udp: datagram length %zu < 8", b->wire);
		return RP_DEC_MALFORMED;
	}
	if (u->have & RP_UDP_LEN) {
		if (u->len < 8) {
			snprintf(why, RP_MALFORMED_MAX, "udp: length %u < 8", u->len);
			return RP_DEC_MALFORMED;
		}
		/* A first fragment holds only part of the datagram its length names. */
		if (u->len > b->wire && can_check) {
			snprintf(why, RP_MALFORMED_MAX, "udp: length %u > %zu bytes in the datagram",
				 u->len, b->wire);
			return RP_DEC_MALFORMED;
		}
	}
	if (!rp_buf_has(b, 0, 8))
		return RP_DEC_CUT;
	/* A zero checksum means the sender computed none (RFC 768). */
	if (u->checksum != 0 && can_check && (flags & RP_DECODE_CHECKSUMS) && rp_buf_has(b, 0, u->len)) {
		uint64_t sum = rp_csum_pseudo4(ip->src, rp_ipv4_final_dst(ip), 17, u->len);
		u->checksum_ok = rp_csum_check(rp_csum_add(sum, b->data, u->len), u->checksum,
					       &u->checksum_want) ? RP_CHECK_OK : RP_CHECK_BAD;
		if (u->checksum_want == 0)
			u->checksum_want = 0xffff; /* zero is sent as all ones */
	}
	return RP_DEC_OK;
}
