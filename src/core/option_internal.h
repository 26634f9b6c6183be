/* Shared by the IPv4 and TCP decoders; not part of the public core API. */
#ifndef RAWPROBE_OPTION_INTERNAL_H
#define RAWPROBE_OPTION_INTERNAL_H

#include <stdio.h>

#include "rawprobe/decode.h"

/*
 * One option at h[off] of a header of hlen bytes, all of them captured.
 * IPv4 and TCP options share this layout (RFC 791 section 3.1, RFC 9293
 * section 3.1): kinds 0 (end of list) and 1 (no-operation) are one byte;
 * every other kind has a length byte that counts the kind byte and itself.
 */
static inline enum rp_status rp_option_at(const uint8_t *h, size_t off, size_t hlen,
					  const char *layer, uint8_t *kind, uint8_t *len, char *why)
{
	*kind = h[off];
	*len = 1;
	if (*kind <= 1)
		return RP_DEC_OK;
	if (off + 1 >= hlen) {
		snprintf(why, RP_MALFORMED_MAX, "%s: option %u has no length byte", layer, *kind);
		return RP_DEC_MALFORMED;
	}
	*len = h[off + 1];
	if (*len < 2) {
		snprintf(why, RP_MALFORMED_MAX, "%s: option %u has length %u < 2", layer, *kind, *len);
		return RP_DEC_MALFORMED;
	}
	if (off + *len > hlen) {
		snprintf(why, RP_MALFORMED_MAX, "%s: option %u length %u runs past the header", layer,
			 *kind, *len);
		return RP_DEC_MALFORMED;
	}
	return RP_DEC_OK;
}

#endif
