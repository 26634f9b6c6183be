/*
 * A buffered writer to a file descriptor with the number formatting the
 * printers need. No stdio, no allocation per packet: text is built in place
 * and written in large chunks.
 */
#ifndef RAWPROBE_OUTBUF_H
#define RAWPROBE_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rp_out {
	int fd;         /* -1: discard everything (fuzzing, benchmarks) */
	char *buf;
	size_t len, cap;
	int err;        /* errno of the first failed write, 0 if none */
};

/* cap must be at least 4096. */
void rp_out_init(struct rp_out *o, int fd, char *storage, size_t cap);
/* Writes what is buffered; -1 (and o->err set) when the write failed. */
int rp_out_flush(struct rp_out *o);

/* Room for n more bytes, flushing first if needed; n must be <= cap. */
static inline char *rp_out_reserve(struct rp_out *o, size_t n)
{
	if (o->cap - o->len < n)
		rp_out_flush(o);
	return o->buf + o->len;
}

/* Flushes and copies when p does not fit; out of line so the fast path stays small. */
void rp_out_mem_slow(struct rp_out *o, const void *p, size_t n);

static inline void rp_out_mem(struct rp_out *o, const void *p, size_t n)
{
	if (o->cap - o->len < n) {
		rp_out_mem_slow(o, p, n);
		return;
	}
	memcpy(o->buf + o->len, p, n); /* constant n at most call sites: a few moves */
	o->len += n;
}

static inline void rp_out_str(struct rp_out *o, const char *s) { rp_out_mem(o, s, strlen(s)); }

static inline void rp_out_char(struct rp_out *o, char c)
{
	if (o->len == o->cap)
		rp_out_flush(o);
	o->buf[o->len++] = c;
}

/* String literals without strlen ("" lit "" refuses anything but a literal). */
#define RP_OUT_LIT(o, lit) rp_out_mem((o), "" lit "", sizeof("" lit "") - 1)

void rp_out_u64(struct rp_out *o, uint64_t v);
void rp_out_i64(struct rp_out *o, int64_t v);
/* Zero-padded to width digits. */
void rp_out_u64w(struct rp_out *o, uint64_t v, unsigned width);
/* Lower-case hex; width 0 for no padding. */
void rp_out_hex(struct rp_out *o, uint64_t v, unsigned width);
/* Dotted quad from a network-order address. */
void rp_out_ip4(struct rp_out *o, uint32_t addr_be);
/* Nanoseconds as milliseconds with three decimals (ping style: 0.045). */
void rp_out_ms3(struct rp_out *o, int64_t ns);
/* Nanoseconds as milliseconds, exact, trailing zeros dropped (JSON: 0.045123). */
void rp_out_ms_exact(struct rp_out *o, int64_t ns);
/* A double with the given decimals (summary lines, not per packet). */
void rp_out_fixed(struct rp_out *o, double v, unsigned decimals);
/* A JSON string literal with quotes and escapes. */
void rp_out_json_str(struct rp_out *o, const char *s);

#endif
