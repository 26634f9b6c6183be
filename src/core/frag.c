/* IPv4 fragmentation: RFC 791 section 3.2. */
#include <stdbool.h>
#include <string.h>

#include "rawprobe/bytes.h"
#include "rawprobe/checksum.h"
#include "rawprobe/frag.h"
#include "rawprobe/packet.h"

/* The options of header h that go into every fragment (copy flag, RFC 791 "copied flag"), padded. */
static size_t copied_options(const uint8_t *h, size_t hlen, uint8_t *to)
{
	size_t i = 20, n = 0;

	while (i < hlen) {
		uint8_t type = h[i];
		size_t olen;

		if (type == RP_IPOPT_EOL)
			break;
		if (type == RP_IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || h[i + 1] < 2 || i + h[i + 1] > hlen)
			break;
		olen = h[i + 1];
		if (type & 0x80) {
			memcpy(to + n, h + i, olen);
			n += olen;
		}
		i += olen;
	}
	while (n % 4)
		to[n++] = RP_IPOPT_EOL;
	return n;
}

static void finish_header(uint8_t *h, size_t hlen, size_t total, size_t frag_field)
{
	h[0] = (uint8_t)(0x40 | (hlen / 4));
	rp_store_be16(h + 2, total);
	rp_store_be16(h + 6, frag_field);
	rp_store_be16(h + 10, 0);
	rp_store_be16(h + 10, rp_csum(h, hlen));
}

int rp_ipv4_fragment(const uint8_t *dg, size_t len, size_t mtu, uint8_t *out, size_t out_cap,
		     struct rp_frag *frags, unsigned max_frags)
{
	size_t hlen = (dg[0] & 0x0f) * 4u, data_len = len - hlen, pos = 0, at = 0;
	uint16_t field = (uint16_t)(dg[6] << 8 | dg[7]);
	size_t base = (field & RP_IP_OFFMASK) * 8u;
	uint8_t later[60];
	size_t later_hlen;
	unsigned n = 0;

	memcpy(later, dg, 20);
	later_hlen = 20 + copied_options(dg, hlen, later + 20);
	if (len <= mtu) {
		if (max_frags < 1 || out_cap < len)
			return -1;
		memcpy(out, dg, len);
		frags[0] = (struct rp_frag){ 0, len };
		return 1;
	}
	while (pos < data_len) {
		const uint8_t *h = n == 0 ? dg : later;
		size_t fh = n == 0 ? hlen : later_hlen;
		size_t room = mtu > fh ? (mtu - fh) & ~(size_t)7 : 0;
		size_t take = data_len - pos < room ? data_len - pos : room;
		bool last = pos + take == data_len;
		size_t ff = (field & (RP_IP_DF | RP_IP_RSVD)) | ((base + pos) / 8);

		if (room == 0 || n == max_frags || at + fh + take > out_cap)
			return -1;
		if (!last || (field & RP_IP_MF))
			ff |= RP_IP_MF;
		memcpy(out + at, h, fh);
		memcpy(out + at + fh, dg + hlen + pos, take);
		finish_header(out + at, fh, fh + take, ff);
		frags[n++] = (struct rp_frag){ at, fh + take };
		at += fh + take;
		pos += take;
	}
	return (int)n;
}
