/* Buffered output and the number formatting of the printers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "outbuf.h"

void rp_out_init(struct rp_out *o, int fd, char *storage, size_t cap)
{
	o->fd = fd;
	o->buf = storage;
	o->len = 0;
	o->cap = cap;
	o->err = 0;
}

int rp_out_flush(struct rp_out *o)
{
	size_t done = 0;

	if (o->fd < 0 || o->err) {
		o->len = 0;
		return o->err ? -1 : 0;
	}
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			break;
		}
		done += (size_t)n;
	}
	o->len = 0;
	return o->err ? -1 : 0;
}

void rp_out_mem_slow(struct rp_out *o, const void *p, size_t n)
{
	const char *c = p;

	rp_out_flush(o);
	while (n > o->cap) { /* larger than the buffer: write through in pieces */
		memcpy(o->buf, c, o->cap);
		o->len = o->cap;
		rp_out_flush(o);
		c += o->cap;
		n -= o->cap;
	}
	memcpy(o->buf, c, n);
	o->len = n;
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static unsigned count_digits(uint64_t v)
{
	unsigned n = 1;

	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

/* Writes v's digits so that they end at end, two at a time. */
static void write_digits(char *end, uint64_t v)
{
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		end -= 2;
		end[0] = digit_pairs[2 * r];
		end[1] = digit_pairs[2 * r + 1];
	}
	if (v >= 10) {
		end[-2] = digit_pairs[2 * v];
		end[-1] = digit_pairs[2 * v + 1];
	} else {
		end[-1] = (char)('0' + v);
	}
}

/* Numbers are formatted in place in the buffer: no copy, no call to memcpy. */
void rp_out_u64(struct rp_out *o, uint64_t v)
{
	unsigned n = count_digits(v);
	char *p = rp_out_reserve(o, 20);

	write_digits(p + n, v);
	o->len += n;
}

void rp_out_i64(struct rp_out *o, int64_t v)
{
	if (v < 0) {
		rp_out_char(o, '-');
		rp_out_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		rp_out_u64(o, (uint64_t)v);
	}
}

void rp_out_u64w(struct rp_out *o, uint64_t v, unsigned width)
{
	unsigned n = count_digits(v), w = width > 20 ? 20 : width;
	char *p = rp_out_reserve(o, 20);

	if (n < w) {
		memset(p, '0', w - n);
		p += w - n;
		o->len += w - n;
	}
	write_digits(p + n, v);
	o->len += n;
}

void rp_out_hex(struct rp_out *o, uint64_t v, unsigned width)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16], *end = tmp + sizeof tmp, *p = end;

	do {
		*--p = hex[v & 0xf];
		v >>= 4;
	} while (v && p > tmp);
	while ((unsigned)(end - p) < width && p > tmp)
		*--p = '0';
	rp_out_mem(o, p, (size_t)(end - p));
}

void rp_out_ip4(struct rp_out *o, uint32_t addr_be)
{
	const uint8_t *b = (const uint8_t *)&addr_be;
	char *p = rp_out_reserve(o, 16), *start = p;

	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			v %= 100;
			*p++ = digit_pairs[2 * v];
			*p++ = digit_pairs[2 * v + 1];
		} else if (v >= 10) {
			*p++ = digit_pairs[2 * v];
			*p++ = digit_pairs[2 * v + 1];
		} else {
			*p++ = (char)('0' + v);
		}
		*p++ = '.';
	}
	o->len += (size_t)(p - start) - 1;
}

void rp_out_ms3(struct rp_out *o, int64_t ns)
{
	uint64_t us;

	if (ns < 0) {
		rp_out_char(o, '-');
		ns = -ns;
	}
	us = ((uint64_t)ns + 500) / 1000; /* rounded to the microsecond */
	rp_out_u64(o, us / 1000);
	rp_out_char(o, '.');
	rp_out_u64w(o, us % 1000, 3);
}

void rp_out_ms_exact(struct rp_out *o, int64_t ns)
{
	uint64_t u, frac;
	unsigned digits = 6;

	if (ns < 0) {
		rp_out_char(o, '-');
		ns = -ns;
	}
	u = (uint64_t)ns;
	frac = u % 1000000;
	while (digits > 3 && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	rp_out_u64(o, u / 1000000);
	rp_out_char(o, '.');
	rp_out_u64w(o, frac, digits);
}

void rp_out_fixed(struct rp_out *o, double v, unsigned decimals)
{
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "%.*f", (int)decimals, v);
	if (n > 0)
		rp_out_mem(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void rp_out_json_str(struct rp_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	rp_out_char(o, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			rp_out_char(o, '\\');
			rp_out_char(o, (char)c);
		} else if (c < 0x20) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
			rp_out_mem(o, esc, sizeof esc);
		} else {
			rp_out_char(o, (char)c);
		}
	}
	rp_out_char(o, '"');
}
