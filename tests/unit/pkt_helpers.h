/*
 * Helpers shared by the unit tests: a byte builder, a plain RFC 1071
 * reference checksum (independent of src/core/checksum.c), builders for
 * IPv4/ICMP/UDP/TCP written byte by byte, and exact-size copies so that
 * AddressSanitizer catches any read past the captured length.
 *
 * Everything is static inline so that a test file that uses only part of
 * it does not trip -Wunused-function.
 */
#ifndef RP_TEST_PKT_HELPERS_H
#define RP_TEST_PKT_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ------------------------------------------------------------ byte builder */

#define PB_MAX 4096

struct pb {
	uint8_t d[PB_MAX];
	size_t n;
};

static inline void pb_reset(struct pb *p)
{
	memset(p->d, 0, sizeof p->d);
	p->n = 0;
}

static inline size_t pb_u8(struct pb *p, unsigned v)
{
	assert_true(p->n < PB_MAX);
	p->d[p->n] = (uint8_t)v;
	return p->n++;
}

static inline size_t pb_be16(struct pb *p, unsigned v)
{
	size_t o = p->n;
	pb_u8(p, (v >> 8) & 0xff);
	pb_u8(p, v & 0xff);
	return o;
}

static inline size_t pb_be32(struct pb *p, uint32_t v)
{
	size_t o = p->n;
	pb_be16(p, v >> 16);
	pb_be16(p, v & 0xffff);
	return o;
}

static inline size_t pb_le32(struct pb *p, uint32_t v)
{
	size_t o = p->n;
	pb_u8(p, v & 0xff);
	pb_u8(p, (v >> 8) & 0xff);
	pb_u8(p, (v >> 16) & 0xff);
	pb_u8(p, v >> 24);
	return o;
}

static inline size_t pb_bytes(struct pb *p, const void *src, size_t n)
{
	size_t o = p->n;
	assert_true(n <= PB_MAX - p->n);
	if (n)
		memcpy(p->d + p->n, src, n);
	p->n += n;
	return o;
}

static inline size_t pb_fill(struct pb *p, unsigned v, size_t n)
{
	size_t o = p->n;
	for (size_t i = 0; i < n; i++)
		pb_u8(p, v);
	return o;
}

/* A counting pattern, so that payload bytes are not all alike. */
static inline size_t pb_pattern(struct pb *p, size_t n)
{
	size_t o = p->n;
	for (size_t i = 0; i < n; i++)
		pb_u8(p, (unsigned)(i * 7 + 1) & 0xff);
	return o;
}

static inline void put_be16(uint8_t *d, unsigned v)
{
	d[0] = (uint8_t)(v >> 8);
	d[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *d, uint32_t v)
{
	d[0] = (uint8_t)(v >> 24);
	d[1] = (uint8_t)(v >> 16);
	d[2] = (uint8_t)(v >> 8);
	d[3] = (uint8_t)v;
}

static inline unsigned get_be16(const uint8_t *d)
{
	return (unsigned)d[0] << 8 | d[1];
}

/* An IPv4 address as the core stores it: network byte order in memory. */
static inline uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	uint8_t x[4] = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d };
	uint32_t v;
	memcpy(&v, x, 4);
	return v;
}

/* ------------------------------------------------------------ exact copies */

/*
 * A heap copy of exactly n bytes (at 'align' bytes past a fresh allocation),
 * so one byte more is an ASan heap-buffer-overflow. Free with exact_free.
 */
struct exact {
	uint8_t *base;
	uint8_t *p;
};

/*
 * Live copies stay reachable from here, so that a failing assertion (which
 * longjmps past exact_free) is not also reported as a leak by LeakSanitizer.
 */
#define EXACT_LIVE_MAX 64
static void *exact_live[EXACT_LIVE_MAX];

static inline void exact_track(void *base, void *old)
{
	for (size_t i = 0; i < EXACT_LIVE_MAX; i++) {
		if (exact_live[i] == old) {
			exact_live[i] = base;
			return;
		}
	}
	/* full (many failed tests): the copy is simply not tracked */
}

static inline struct exact exact_copy_at(const void *src, size_t n, size_t align)
{
	struct exact e;
	e.base = malloc(align + n);
	if (align + n)
		assert_non_null(e.base);
	e.p = e.base ? e.base + align : NULL;
	if (n)
		memcpy(e.p, src, n);
	if (e.base)
		exact_track(e.base, NULL);
	return e;
}

static inline struct exact exact_copy(const void *src, size_t n)
{
	return exact_copy_at(src, n, 0);
}

static inline void exact_free(struct exact *e)
{
	if (e->base)
		exact_track(NULL, e->base);
	free(e->base);
	e->base = e->p = NULL;
}

/* ------------------------------------------------------------ reference checksum */

/* RFC 1071 section 4.1 in its plainest form: 16-bit big-endian words, odd byte padded. */
static inline uint64_t ref_sum(uint64_t acc, const uint8_t *d, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		acc += (uint64_t)((unsigned)d[i] << 8 | d[i + 1]);
	if (i < n)
		acc += (uint64_t)d[i] << 8;
	return acc;
}

static inline uint16_t ref_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static inline uint16_t ref_csum(const uint8_t *d, size_t n)
{
	return ref_fold(ref_sum(0, d, n));
}

static inline uint64_t ref_pseudo(uint32_t src_nbo, uint32_t dst_nbo, uint8_t proto, unsigned len)
{
	uint8_t ph[12];
	memcpy(ph, &src_nbo, 4);
	memcpy(ph + 4, &dst_nbo, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(len >> 8);
	ph[11] = (uint8_t)len;
	return ref_sum(0, ph, 12);
}

/* ------------------------------------------------------------ IPv4 */

struct ipspec {
	uint8_t tos, ttl, proto;
	uint16_t id, frag;
	uint32_t src, dst; /* network byte order */
	const uint8_t *opts;
	size_t optlen; /* a multiple of 4, at most 40 */
};

static inline struct ipspec ipspec_default(uint8_t proto)
{
	struct ipspec s = { 0, 64, proto, 0x1234, 0x4000, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), NULL, 0 };
	return s;
}

static inline void ip_fix_csum(uint8_t *h)
{
	size_t hl = (size_t)(h[0] & 15) * 4;
	h[10] = h[11] = 0;
	put_be16(h + 10, ref_csum(h, hl));
}

/* An IPv4 header for a datagram of 'total' bytes, correct checksum. Returns its offset. */
static inline size_t pb_ipv4(struct pb *p, const struct ipspec *s, unsigned total)
{
	size_t o = p->n;
	size_t hl = 20 + s->optlen;
	assert_true(hl % 4 == 0 && hl <= 60);
	pb_u8(p, 0x40 | (unsigned)(hl / 4));
	pb_u8(p, s->tos);
	pb_be16(p, total);
	pb_be16(p, s->id);
	pb_be16(p, s->frag);
	pb_u8(p, s->ttl);
	pb_u8(p, s->proto);
	pb_be16(p, 0);
	pb_bytes(p, &s->src, 4);
	pb_bytes(p, &s->dst, 4);
	pb_bytes(p, s->opts, s->optlen);
	ip_fix_csum(p->d + o);
	return o;
}

/* ------------------------------------------------------------ ICMP, UDP, TCP */

static inline void icmp_fix_csum(struct pb *p, size_t o, size_t len)
{
	put_be16(p->d + o + 2, 0);
	put_be16(p->d + o + 2, ref_csum(p->d + o, len));
}

/* Echo request/reply (or any id/seq type) with 'datalen' pattern bytes. */
static inline size_t pb_icmp_idseq(struct pb *p, unsigned type, unsigned id, unsigned seq,
				   size_t datalen)
{
	size_t o = pb_u8(p, type);
	pb_u8(p, 0);
	pb_be16(p, 0);
	pb_be16(p, id);
	pb_be16(p, seq);
	pb_pattern(p, datalen);
	icmp_fix_csum(p, o, p->n - o);
	return o;
}

/* Transport checksum over pseudo-header and 'len' bytes at l4; csum_at is the field's offset in it. */
static inline void l4_fix_csum(struct pb *p, size_t l4, size_t csum_at, size_t len, uint32_t src,
			       uint32_t dst, uint8_t proto)
{
	uint16_t c;
	put_be16(p->d + l4 + csum_at, 0);
	c = ref_fold(ref_sum(ref_pseudo(src, dst, proto, (unsigned)len), p->d + l4, len));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put_be16(p->d + l4 + csum_at, c);
}

/* A UDP header + datalen pattern bytes; checksum left 0 (call l4_fix_csum). */
static inline size_t pb_udp(struct pb *p, unsigned sport, unsigned dport, size_t datalen)
{
	size_t o = pb_be16(p, sport);
	pb_be16(p, dport);
	pb_be16(p, (unsigned)(8 + datalen));
	pb_be16(p, 0);
	pb_pattern(p, datalen);
	return o;
}

/* A TCP header with options (padded by the caller to a multiple of 4) and payload. */
static inline size_t pb_tcp(struct pb *p, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
			    unsigned flags, unsigned win, const uint8_t *opts, size_t optlen,
			    size_t datalen)
{
	size_t o = pb_be16(p, sport);
	assert_true(optlen % 4 == 0 && optlen <= 40);
	pb_be16(p, dport);
	pb_be32(p, seq);
	pb_be32(p, ack);
	pb_u8(p, (unsigned)((20 + optlen) / 4) << 4);
	pb_u8(p, flags);
	pb_be16(p, win);
	pb_be16(p, 0);
	pb_be16(p, 0);
	pb_bytes(p, opts, optlen);
	pb_pattern(p, datalen);
	return o;
}

/* A whole IPv4 + ICMP echo datagram (type 8 or 0). Returns the IP offset. */
static inline size_t pb_ipv4_echo(struct pb *p, unsigned type, uint32_t src, uint32_t dst,
				  unsigned id, unsigned seq, size_t datalen)
{
	struct ipspec s = ipspec_default(1);
	size_t o;
	s.src = src;
	s.dst = dst;
	o = pb_ipv4(p, &s, (unsigned)(20 + 8 + datalen));
	pb_icmp_idseq(p, type, id, seq, datalen);
	return o;
}

/* ------------------------------------------------------------ link headers */

/* libpcap DLT_ values, written out so the tests need no pcap headers. */
enum {
	T_DLT_NULL = 0,
	T_DLT_EN10MB = 1,
	T_DLT_RAW = 12,
	T_DLT_RAW_OPENBSD = 14,
	T_DLT_RAW_LINKTYPE = 101,
	T_DLT_LOOP = 108,
	T_DLT_LINUX_SLL = 113,
	T_DLT_IPV4 = 228,
	T_DLT_LINUX_SLL2 = 276,
};

#define T_NULL_BE 1000 /* pb_link: DLT_NULL with the family written big-endian */

static const uint8_t MAC_DST[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };
static const uint8_t MAC_SRC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static inline void pb_eth(struct pb *p, unsigned ethertype)
{
	pb_bytes(p, MAC_DST, 6);
	pb_bytes(p, MAC_SRC, 6);
	pb_be16(p, ethertype);
}

/*
 * A link header for 'dlt' naming 'type' (an ethertype for Ethernet/SLL/SLL2,
 * an address family for NULL/LOOP; ignored for the raw types). Returns the
 * header's length, where the network layer starts.
 */
static inline size_t pb_link(struct pb *p, int dlt, unsigned type)
{
	size_t o = p->n;
	switch (dlt) {
	case T_DLT_EN10MB:
		pb_eth(p, type);
		break;
	case T_DLT_LINUX_SLL:
		pb_be16(p, 0);      /* packet type: to us */
		pb_be16(p, 1);      /* ARPHRD_ETHER */
		pb_be16(p, 6);      /* address length */
		pb_bytes(p, MAC_SRC, 6);
		pb_be16(p, 0);      /* address padding */
		pb_be16(p, type);
		break;
	case T_DLT_LINUX_SLL2:
		pb_be16(p, type);
		pb_be16(p, 0);      /* reserved */
		pb_be32(p, 3);      /* interface index */
		pb_be16(p, 1);      /* ARPHRD_ETHER */
		pb_u8(p, 0);        /* packet type */
		pb_u8(p, 6);        /* address length */
		pb_bytes(p, MAC_SRC, 6);
		pb_be16(p, 0);
		break;
	case T_DLT_NULL:
		pb_le32(p, type);   /* written by a little-endian host */
		break;
	case T_NULL_BE:
		pb_be32(p, type);   /* written by a big-endian host */
		break;
	case T_DLT_LOOP:
		pb_be32(p, type);   /* always network order */
		break;
	default:
		break;
	}
	return p->n - o;
}

/* ------------------------------------------------------------ misc */

static inline bool starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A small deterministic PRNG (xorshift64*), so failures reproduce. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
