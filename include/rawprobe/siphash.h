/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit MAC, short-input
 * fast. Probes carry one over (target, id, seq, send time) so that replies
 * can be checked without keeping state per probe, as OpenBSD ping does.
 */
#ifndef RAWPROBE_SIPHASH_H
#define RAWPROBE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct rp_sipkey {
	uint64_t k0, k1;
};

uint64_t rp_siphash24(const struct rp_sipkey *key, const void *data, size_t len);

#endif
