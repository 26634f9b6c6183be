/*
 * Big-endian fields at a pointer, unchecked: for packets being written, for
 * rereading what was just written, and for decoders once buf.h's
 * rp_buf_has() has proved the bytes are there. Everything else reads the
 * outside world through buf.h's bounds-checked views.
 */
#ifndef RAWPROBE_BYTES_H
#define RAWPROBE_BYTES_H

#include <stdint.h>

static inline uint16_t rp_load_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rp_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rp_load_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void rp_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void rp_store_be32(uint8_t *p, uint32_t v)
{
	rp_store_be16(p, (uint16_t)(v >> 16));
	rp_store_be16(p + 2, (uint16_t)v);
}

static inline void rp_store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

#endif
