/* Shared by the craft builder and the answer matcher; not part of the public core API. */
#ifndef RAWPROBE_CRAFT_INTERNAL_H
#define RAWPROBE_CRAFT_INTERNAL_H

#include <string.h>

#include "rawprobe/craft.h"

/* Fills e (when given) with the message and returns -1. */
int rp_craft_fail(struct rp_craft_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The protocol number the IP header carries: --proto, or the transport's. */
static inline uint8_t rp_craft_proto(const struct rp_craft *c)
{
	if (c->set & RP_CS_PROTO)
		return c->proto;
	switch (c->l4) {
	case RP_CRAFT_UDP: return 17;
	case RP_CRAFT_TCP: return 6;
	case RP_CRAFT_ICMP: return 1;
	default: return 0;
	}
}

/* The ICMP identifier as it goes out: --icmp-rest overrides the typed field. */
static inline uint16_t rp_craft_icmp_id(const struct rp_craft *c)
{
	if (c->set & RP_CS_ICMP_REST)
		return (uint16_t)(c->icmp.rest[0] << 8 | c->icmp.rest[1]);
	return c->icmp.id;
}

#define RP_CRAFT_ROUTE_MAX 9 /* addresses in a 39-byte LSRR or SSRR option */

/*
 * The source route (LSRR or SSRR) among c's options: its addresses in order,
 * into route, and how many. The header's destination is the next hop; the
 * route's last address is the final destination (RFC 791 section 3.1).
 */
static inline unsigned rp_craft_route(const struct rp_craft *c, uint32_t route[RP_CRAFT_ROUTE_MAX])
{
	size_t off = 0, end = c->ip_opts_len < 40 ? c->ip_opts_len : 40;
	unsigned n = 0;

	while (off < end && c->ip_opts[off] != 0 /* EOL */) {
		uint8_t type = c->ip_opts[off], len;
		if (type == 1) { /* NOP */
			off++;
			continue;
		}
		if (off + 1 >= end)
			break;
		len = c->ip_opts[off + 1];
		if (len < 2 || off + len > end)
			break;
		if (type == 131 || type == 137) {
			n = 0;
			for (size_t at = off + 3; at + 4 <= off + len && n < RP_CRAFT_ROUTE_MAX; at += 4)
				memcpy(&route[n++], c->ip_opts + at, 4);
		}
		off += len;
	}
	return n;
}

/* Where the datagram is going in the end: the source route's last hop, or dst. */
static inline uint32_t rp_craft_final_dst(const struct rp_craft *c)
{
	uint32_t route[RP_CRAFT_ROUTE_MAX];
	unsigned n = rp_craft_route(c, route);

	return n ? route[n - 1] : c->dst;
}

#endif
