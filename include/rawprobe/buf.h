/*
 * The bounds-checked reader every decoder goes through.
 *
 * A view has two lengths: 'cap' bytes are in memory (captured), 'wire' bytes
 * were in the packet as it travelled (wire >= cap). A field inside 'cap' can
 * be read; a field past 'cap' but inside 'wire' exists but was not captured
 * (its value is unknown, JSON null); a field past 'wire' is not in the packet
 * at all, which a decoder reports as malformed. Nothing reads past 'cap'.
 */
#ifndef RAWPROBE_BUF_H
#define RAWPROBE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawprobe/bytes.h"

struct rp_buf {
	const uint8_t *data;
	size_t cap;  /* bytes readable at data */
	size_t wire; /* bytes the packet had here; always >= cap */
};

enum rp_avail {
	RP_AVAIL,      /* captured: readable */
	RP_UNCAPTURED, /* in the packet, cut off by the capture length */
	RP_BEYOND,     /* past the end of the packet itself */
};

static inline struct rp_buf rp_buf_make(const uint8_t *data, size_t cap, size_t wire)
{
	struct rp_buf b = { data, cap, wire < cap ? cap : wire };
	return b;
}

/* Where n bytes at off stand: readable, cut by the capture, or past the packet. */
static inline enum rp_avail rp_buf_avail(const struct rp_buf *b, size_t off, size_t n)
{
	if (off > b->wire || n > b->wire - off)
		return RP_BEYOND;
	if (off > b->cap || n > b->cap - off)
		return RP_UNCAPTURED;
	return RP_AVAIL;
}

static inline bool rp_buf_has(const struct rp_buf *b, size_t off, size_t n)
{
	return off <= b->cap && n <= b->cap - off;
}

/* The view of [off, off + len) inside b, both lengths clamped to b's. */
static inline struct rp_buf rp_buf_slice(const struct rp_buf *b, size_t off, size_t len)
{
	struct rp_buf s = { b->data, 0, 0 };
	if (off <= b->wire) {
		s.wire = b->wire - off < len ? b->wire - off : len;
	}
	if (off <= b->cap) {
		s.data = b->data + off;
		s.cap = b->cap - off < len ? b->cap - off : len;
	}
	if (s.cap > s.wire)
		s.cap = s.wire;
	return s;
}

/* The rest of b after off. */
static inline struct rp_buf rp_buf_tail(const struct rp_buf *b, size_t off)
{
	return rp_buf_slice(b, off, SIZE_MAX);
}

/* Checked reads: true and *v set when captured, false (and *v = 0) when not. */
static inline bool rp_get_u8(const struct rp_buf *b, size_t off, uint8_t *v)
{
	if (!rp_buf_has(b, off, 1)) {
		*v = 0;
		return false;
	}
	*v = b->data[off];
	return true;
}

static inline bool rp_get_be16(const struct rp_buf *b, size_t off, uint16_t *v)
{
	if (!rp_buf_has(b, off, 2)) {
		*v = 0;
		return false;
	}
	*v = (uint16_t)(b->data[off] << 8 | b->data[off + 1]);
	return true;
}

static inline bool rp_get_be32(const struct rp_buf *b, size_t off, uint32_t *v)
{
	if (!rp_buf_has(b, off, 4)) {
		*v = 0;
		return false;
	}
	*v = (uint32_t)b->data[off] << 24 | (uint32_t)b->data[off + 1] << 16 |
	     (uint32_t)b->data[off + 2] << 8 | b->data[off + 3];
	return true;
}

/*
 * rp_load_be16/32 (bytes.h) load without a check: decoders use them only
 * after one rp_buf_has() has proved that a whole header is captured.
 */

/* Little-endian 32 bits, for link headers written in the capturing host's order. */
static inline bool rp_get_le32(const struct rp_buf *b, size_t off, uint32_t *v)
{
	if (!rp_buf_has(b, off, 4)) {
		*v = 0;
		return false;
	}
	*v = (uint32_t)b->data[off + 3] << 24 | (uint32_t)b->data[off + 2] << 16 |
	     (uint32_t)b->data[off + 1] << 8 | b->data[off];
	return true;
}

#endif
