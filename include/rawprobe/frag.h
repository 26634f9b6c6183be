/* IPv4 fragmentation (RFC 791 section 3.2, "Fragmentation and reassembly"). */
#ifndef RAWPROBE_FRAG_H
#define RAWPROBE_FRAG_H

#include <stddef.h>
#include <stdint.h>

struct rp_frag {
	size_t off, len; /* where the fragment is in the output buffer, and its length */
};

/*
 * Splits the IPv4 datagram dg (len bytes, header checked by the caller) into
 * fragments of at most mtu bytes, written one after another into out. Every
 * fragment but the last carries a multiple of 8 data bytes; options whose
 * copy flag is set are repeated in every fragment, the others only in the
 * first; checksums are recomputed. A datagram that is itself a fragment is
 * split further (offsets add up, its MF is kept on the last piece).
 * Returns the number of fragments (1 when it fits), or -1 when mtu is too
 * small to carry 8 data bytes, or out or frags is too small.
 */
int rp_ipv4_fragment(const uint8_t *dg, size_t len, size_t mtu, uint8_t *out, size_t out_cap,
		     struct rp_frag *frags, unsigned max_frags);

#endif
