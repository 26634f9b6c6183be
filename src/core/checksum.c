/*
 * RFC 1071 checksum. Sums native-order 64-bit words with end-around carry
 * (RFC 1071 section 2(B): the sum is byte-order independent and may be taken
 * over wider words), folds once at the end, and swaps to wire order last.
 */
#include <arpa/inet.h>
#include <string.h>

#include "rawprobe/checksum.h"

static inline uint64_t add_carry(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v);
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

uint64_t rp_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len >= 32) {
		sum = add_carry(sum, load64(p));
		sum = add_carry(sum, load64(p + 8));
		sum = add_carry(sum, load64(p + 16));
		sum = add_carry(sum, load64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		sum = add_carry(sum, load64(p));
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		sum = add_carry(sum, w);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		sum = add_carry(sum, w);
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0; /* the odd byte is the high half of a zero-padded word */
		memcpy(&w, p, 1);
		sum = add_carry(sum, w);
	}
	return sum;
}

static uint16_t fold16(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t rp_csum_fold(uint64_t sum)
{
	return ntohs((uint16_t)~fold16(sum));
}

uint16_t rp_csum(const void *data, size_t len)
{
	return rp_csum_fold(rp_csum_add(0, data, len));
}

uint64_t rp_csum_pseudo4(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint32_t len)
{
	uint8_t ph[12];
	uint16_t len16 = htons((uint16_t)len);

	memcpy(ph, &src_be, 4);
	memcpy(ph + 4, &dst_be, 4);
	ph[8] = 0;
	ph[9] = proto;
	memcpy(ph + 10, &len16, 2);
	return rp_csum_add(0, ph, sizeof ph);
}

bool rp_csum_check(uint64_t sum, uint16_t field, uint16_t *want)
{
	uint16_t field_native = htons(field);

	/* One's complement subtraction of the field is addition of its complement. */
	*want = rp_csum_fold(sum + (uint16_t)~field_native);
	return rp_csum_fold(sum) == 0;
}

uint16_t rp_csum_update(uint16_t check, uint16_t from, uint16_t to)
{
	uint32_t sum = (uint32_t)(uint16_t)~check + (uint16_t)~from + to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
