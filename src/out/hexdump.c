/* Hex dump lines in the layout of tcpdump -x and -X. */
#include "print.h"

void rp_hexdump(struct rp_out *o, const uint8_t *p, size_t len, bool ascii)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		char *w = rp_out_reserve(o, 128), *start = w;

		*w++ = '\t';
		*w++ = '0';
		*w++ = 'x';
		for (int s = 12; s >= 0; s -= 4)
			*w++ = hex[(off >> s) & 0xf];
		*w++ = ':';
		*w++ = ' ';
		for (size_t i = 0; i < 16; i++) {
			if (i % 2 == 0 && (i < n || ascii))
				*w++ = ' ';
			if (i < n) {
				*w++ = hex[p[off + i] >> 4];
				*w++ = hex[p[off + i] & 0xf];
			} else if (ascii) {
				*w++ = ' ';
				*w++ = ' ';
			}
		}
		if (ascii) {
			*w++ = ' ';
			*w++ = ' ';
			for (size_t i = 0; i < n; i++) {
				uint8_t c = p[off + i];
				*w++ = c >= 0x20 && c < 0x7f ? (char)c : '.';
			}
		}
		*w++ = '\n';
		o->len += (size_t)(w - start);
	}
}
