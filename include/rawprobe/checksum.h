/* The Internet checksum (RFC 1071), one implementation for every protocol. */
#ifndef RAWPROBE_CHECKSUM_H
#define RAWPROBE_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One's complement sum of len bytes, not yet folded or inverted, added to
 * 'sum'. Chain calls to cover a pseudo-header and a body; every call but
 * the last must cover an even number of bytes.
 */
uint64_t rp_csum_add(uint64_t sum, const void *data, size_t len);

/* Folds a running sum to 16 bits and inverts it: the value for the wire. */
uint16_t rp_csum_fold(uint64_t sum);

/* The checksum of one buffer, as it goes on the wire (host byte order). */
uint16_t rp_csum(const void *data, size_t len);

/* The running sum of the IPv4 pseudo-header (RFC 768, RFC 793 section 3.1). */
uint64_t rp_csum_pseudo4(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint32_t len);

/*
 * Checks a checksum field lying inside the bytes that 'sum' covers: true when
 * they sum to zero. *want gets the value the field should have held.
 */
bool rp_csum_check(uint64_t sum, uint16_t field, uint16_t *want);

/*
 * RFC 1624 equation 3: the checksum (host order) after a 16-bit word it
 * covers went from 'from' to 'to', without summing the rest again.
 */
uint16_t rp_csum_update(uint16_t check, uint16_t from, uint16_t to);

#endif
