/* Shared by the IPv4 and ICMP decoders; not part of the public core API. */
#ifndef RAWPROBE_IPV4_INTERNAL_H
#define RAWPROBE_IPV4_INTERNAL_H

#include <string.h>

#include "rawprobe/decode.h"

/*
 * The header of an IPv4 datagram. A quoted header (inside an ICMP error) is
 * not checked against the bytes that follow it: the quote holds only a part.
 */
enum rp_status rp_ipv4_header(struct rp_ipv4 *ip, const struct rp_buf *b, unsigned flags,
			      bool quoted, char *why);

/* Four bytes as they lie in memory (addresses stay in network order). Caller checked them. */
static inline uint32_t rp_raw32(const struct rp_buf *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b->data + off, 4);
	return v;
}

#endif
