/*
 * rp_gencap: writes a deterministic synthetic capture for benchmarking
 * `rawprobe read` (classic pcap, microsecond timestamps, Ethernet).
 *
 *   rp_gencap [--seed S] [-n N] OUTFILE      N packets of a realistic mix
 *   rp_gencap --sweep16 OUTFILE              an answering ping sweep of a /16
 *
 * The mix, seen from host 10.200.0.1 behind gateway 10.200.0.254:
 *   - ping sessions: echo request/reply pairs (some unanswered, a few
 *     duplicated), some with Record Route or Timestamp options, some large
 *     enough to be fragmented;
 *   - traceroute: UDP and ICMP probes answered by Time Exceeded (quoting 28
 *     bytes or the whole probe), Port Unreachable, Host Unreachable;
 *   - DNS over UDP: small queries, answers of DNS sizes, a few fragmented;
 *   - HTTP over TCP: handshake with options, request, response segments,
 *     ACKs, FIN exchange (and now and then a refused connection).
 * Frames average about 434 bytes. Timestamps grow by 1 to 7 microseconds a
 * packet. Checksums are right except for a small counted fraction.
 *
 * The output depends only on the seed and the packet count, and the first
 * K packets of an N-packet file are the K-packet file: `-n 20000` is a
 * prefix of `-n 1000000`. A summary goes to stderr, to compare with what a
 * reader reports.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	ETH_HLEN = 14,
	MTU = 1500,
	FRAME_MAX = ETH_HLEN + MTU,
	ETH_MIN = 60,            /* a received frame is padded to this (without FCS) */
	DGRAM_MAX = 4096,        /* largest datagram built before fragmentation */
	SLOTS = 4096,            /* packets waiting to be written */
	EVENT_MAX_PKTS = 128,    /* most packets one event may queue */
	PING_SESSIONS = 32,
	SWEEP_HOSTS = 65536,
};

#define BASE_USEC (UINT64_C(1700000000) * 1000000u)
#define HOST_ADDR 0x0ac80001u     /* 10.200.0.1   this capture's host */
#define GW_ADDR 0x0ac800feu       /* 10.200.0.254 its gateway */
#define DNS_ADDR 0x0ac80035u      /* 10.200.0.53  its resolver */
#define PING_NET 0x0ac90000u      /* 10.201.0.0/16 ping targets, sweep */
#define WEB_NET 0x0aca0000u       /* 10.202.0.0/16 web servers */
#define ROUTER_NET 0x0acb0000u    /* 10.203.0.0/16 routers: 10.203.HOP.N */

/* ---- deterministic random numbers: splitmix64 ---- */

struct rng {
	uint64_t s;
};

static uint64_t rng_u64(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_u64(r) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability per_mille / 1000. */
static bool rng_pm(struct rng *r, uint32_t per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

static void rng_fill(struct rng *r, uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = rng_u64(r);
		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t v = rng_u64(r);
		memcpy(p, &v, n);
	}
}

/* ---- bytes ---- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* RFC 1071 sum of 16-bit words (odd byte padded with zero). */
static uint64_t sum16(const uint8_t *p, size_t n, uint64_t acc)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Transport checksum with the RFC 768 / RFC 793 pseudo-header. */
static uint16_t l4_sum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len)
{
	uint64_t acc = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
	return fold(sum16(l4, len, acc));
}

/* A wrong checksum that no reader can take for the right one (0 and 0xffff are equivalent). */
static uint16_t spoil(uint16_t good)
{
	uint16_t bad = (uint16_t)(good ^ 0x0f0f);
	return bad == 0 ? (uint16_t)(good ^ 0x00f0) : bad;
}

/* ---- the generator state ---- */

enum tag { TAG_NONE, TAG_REQ, TAG_REPLY, TAG_DUP };

/* What was spoiled in a datagram, counted when its (first) frame is written. */
enum mark { BAD_IP = 1, BAD_ICMP = 2, BAD_UDP = 4, BAD_TCP = 8, NO_UDP_SUM = 16 };

struct slot {
	uint64_t due, seq; /* written when `written` reaches due; seq keeps queue order */
	uint16_t len;
	uint8_t tag, mark;
	uint8_t frame[FRAME_MAX];
};

struct ping_session {
	uint32_t dst;
	uint16_t id, seq;
	uint16_t left;     /* pings before the session ends */
	uint16_t size;     /* ICMP data bytes */
	uint8_t opt;       /* 0 none, 1 record route, 2 timestamps only, 3 timestamps and addresses */
	uint8_t hops;
};

struct counts {
	uint64_t frames, bytes;
	uint64_t bad_ip, bad_icmp, bad_udp, bad_tcp, udp_nocsum;
	uint64_t echo_req, echo_reply, echo_dup;
	uint64_t icmp, udp, tcp, other, fragments;
};

struct gen {
	struct rng rng;
	FILE *out;
	uint64_t written, limit, seq, now_us;
	struct slot *slots;
	uint32_t *free_list, nfree;
	uint32_t *heap, nheap;
	struct ping_session ping[PING_SESSIONS];
	uint16_t next_ping_id, next_port;
	uint32_t bad_pm_x10; /* checksum errors per 10,000 datagrams */
	uint8_t mark;        /* enum mark bits of the datagram being built */
	struct counts c;
};

static const uint8_t host_mac[6] = {0x02, 0x00, 0x00, 0xc8, 0x00, 0x01};
static const uint8_t gw_mac[6] = {0x02, 0x00, 0x00, 0xc8, 0x00, 0xfe};

static void die(const char *what)
{
	fprintf(stderr, "rp_gencap: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void write_or_die(struct gen *g, const void *p, size_t n)
{
	if (fwrite(p, 1, n, g->out) != n)
		die("write");
}

static void pcap_file_header(struct gen *g)
{
	uint8_t h[24];

	le32(h, 0xa1b2c3d4u);      /* microsecond timestamps */
	h[4] = 2, h[5] = 0;         /* version 2.4, little-endian */
	h[6] = 4, h[7] = 0;
	le32(h + 8, 0);             /* thiszone */
	le32(h + 12, 0);            /* sigfigs */
	le32(h + 16, 262144);       /* snaplen */
	le32(h + 20, 1);            /* LINKTYPE_ETHERNET */
	write_or_die(g, h, sizeof h);
}

static void pcap_record(struct gen *g, const uint8_t *frame, size_t len)
{
	uint8_t h[16];

	le32(h, (uint32_t)(g->now_us / 1000000u));
	le32(h + 4, (uint32_t)(g->now_us % 1000000u));
	le32(h + 8, (uint32_t)len);
	le32(h + 12, (uint32_t)len);
	write_or_die(g, h, sizeof h);
	write_or_die(g, frame, len);
	g->c.frames++;
	g->c.bytes += len;
}

/* Frames by the IP protocol field (fragments included), as a reader's statistics count them. */
static void count_proto(struct gen *g, const uint8_t *frame)
{
	uint8_t proto = frame[ETH_HLEN + 9];

	if (proto == 1)
		g->c.icmp++;
	else if (proto == 17)
		g->c.udp++;
	else if (proto == 6)
		g->c.tcp++;
	else
		g->c.other++;
	if ((frame[ETH_HLEN + 6] & 0x3f) || frame[ETH_HLEN + 7] || (frame[ETH_HLEN + 6] & 0x20))
		g->c.fragments++;
}

/* ---- the queue of packets waiting for their time: a binary heap on (due, seq) ---- */

static bool slot_before(const struct gen *g, uint32_t a, uint32_t b)
{
	const struct slot *x = &g->slots[a], *y = &g->slots[b];
	return x->due != y->due ? x->due < y->due : x->seq < y->seq;
}

static void heap_push(struct gen *g, uint32_t s)
{
	uint32_t i = g->nheap++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!slot_before(g, s, g->heap[parent]))
			break;
		g->heap[i] = g->heap[parent];
		i = parent;
	}
	g->heap[i] = s;
}

static uint32_t heap_pop(struct gen *g)
{
	uint32_t top = g->heap[0], last = g->heap[--g->nheap], i = 0;

	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= g->nheap)
			break;
		if (child + 1 < g->nheap && slot_before(g, g->heap[child + 1], g->heap[child]))
			child++;
		if (!slot_before(g, g->heap[child], last))
			break;
		g->heap[i] = g->heap[child];
		i = child;
	}
	if (g->nheap > 0)
		g->heap[i] = last;
	return top;
}

static void emit_next(struct gen *g)
{
	uint32_t s = heap_pop(g);
	struct slot *sl = &g->slots[s];

	pcap_record(g, sl->frame, sl->len);
	count_proto(g, sl->frame);
	if (sl->tag == TAG_REQ)
		g->c.echo_req++;
	else if (sl->tag == TAG_REPLY)
		g->c.echo_reply++;
	else if (sl->tag == TAG_DUP)
		g->c.echo_dup++;
	g->c.bad_ip += (sl->mark & BAD_IP) != 0;
	g->c.bad_icmp += (sl->mark & BAD_ICMP) != 0;
	g->c.bad_udp += (sl->mark & BAD_UDP) != 0;
	g->c.bad_tcp += (sl->mark & BAD_TCP) != 0;
	g->c.udp_nocsum += (sl->mark & NO_UDP_SUM) != 0;
	g->free_list[g->nfree++] = s;
	g->written++;
	g->now_us += rng_range(&g->rng, 1, 7);
}

/* ---- building datagrams ---- */

/* Direction of a frame on the host's link. */
enum dir { OUT, IN };

struct ip_spec {
	uint32_t src, dst;
	uint8_t proto, ttl, tos;
	bool df;
	const uint8_t *opt; /* options, a multiple of 4 bytes */
	size_t optlen;
};

static size_t ip_hlen(const struct ip_spec *s)
{
	return 20 + s->optlen;
}

/* Fills the header in front of an already written payload; returns the datagram length. */
static size_t ip_finish(struct gen *g, uint8_t *d, const struct ip_spec *s, size_t payload)
{
	size_t hlen = ip_hlen(s), total = hlen + payload;

	d[0] = (uint8_t)(0x40 | hlen / 4);
	d[1] = s->tos;
	put16(d + 2, (uint32_t)total);
	put16(d + 4, rng_below(&g->rng, 65536));
	put16(d + 6, s->df ? 0x4000 : 0);
	d[8] = s->ttl;
	d[9] = s->proto;
	put16(d + 10, 0);
	put32(d + 12, s->src);
	put32(d + 16, s->dst);
	if (s->optlen)
		memcpy(d + 20, s->opt, s->optlen);
	put16(d + 10, fold(sum16(d, hlen, 0)));
	return total;
}

static void ip_resum(uint8_t *d)
{
	size_t hlen = (size_t)(d[0] & 0x0f) * 4;

	put16(d + 10, 0);
	put16(d + 10, fold(sum16(d, hlen, 0)));
}

static uint32_t new_slot(struct gen *g)
{
	if (g->nfree == 0) {
		fprintf(stderr, "rp_gencap: internal error: packet queue full\n");
		exit(2);
	}
	return g->free_list[--g->nfree];
}

static void queue_frame(struct gen *g, uint32_t delay, enum dir dir, const uint8_t *d, size_t len,
			enum tag tag)
{
	uint32_t s = new_slot(g);
	struct slot *sl = &g->slots[s];
	size_t flen = ETH_HLEN + len;

	memcpy(sl->frame, dir == OUT ? gw_mac : host_mac, 6);
	memcpy(sl->frame + 6, dir == OUT ? host_mac : gw_mac, 6);
	put16(sl->frame + 12, 0x0800);
	memcpy(sl->frame + ETH_HLEN, d, len);
	if (dir == IN && flen < ETH_MIN) {
		memset(sl->frame + flen, 0, ETH_MIN - flen);
		flen = ETH_MIN;
	}
	sl->len = (uint16_t)flen;
	sl->tag = (uint8_t)tag;
	sl->mark = g->mark;
	g->mark = 0; /* the marks go with the first frame of a datagram */
	sl->due = g->written + delay;
	sl->seq = g->seq++;
	heap_push(g, s);
}

/*
 * Queues a datagram, cut into RFC 791 fragments when it is larger than the
 * MTU (this generator never fragments datagrams that carry options).
 */
static void queue_dgram(struct gen *g, uint32_t delay, enum dir dir, const uint8_t *d, size_t len,
			enum tag tag)
{
	uint8_t frag[MTU];
	size_t hlen = (size_t)(d[0] & 0x0f) * 4, chunk = (MTU - hlen) & ~(size_t)7, off;

	if (len <= MTU) {
		queue_frame(g, delay, dir, d, len, tag);
		return;
	}
	for (off = 0; off < len - hlen; off += chunk) {
		size_t n = len - hlen - off < chunk ? len - hlen - off : chunk;
		bool more = off + n < len - hlen;
		memcpy(frag, d, hlen);
		memcpy(frag + hlen, d + hlen + off, n);
		put16(frag + 2, (uint32_t)(hlen + n));
		put16(frag + 6, (more ? 0x2000u : 0) | (uint32_t)(off / 8));
		ip_resum(frag);
		queue_frame(g, delay, dir, frag, hlen + n, TAG_NONE);
	}
}

/* Whether this datagram gets a bad checksum; which one is the caller's choice. */
static bool unlucky(struct gen *g)
{
	return rng_below(&g->rng, 10000) < g->bad_pm_x10;
}

/* Spoils the IP header checksum of a built datagram now and then (not of fragments). */
static void maybe_spoil_ip(struct gen *g, uint8_t *d, size_t len)
{
	if (len <= MTU && rng_below(&g->rng, 10000) < g->bad_pm_x10 / 4) {
		put16(d + 10, spoil((uint16_t)get16(d + 10)));
		g->mark |= BAD_IP;
	}
}

/* ICMP message in d+hlen of icmp_len bytes: sets the checksum, sometimes wrong. */
static void icmp_sum(struct gen *g, uint8_t *icmp, size_t icmp_len, bool may_spoil)
{
	uint16_t c;

	put16(icmp + 2, 0);
	c = fold(sum16(icmp, icmp_len, 0));
	if (may_spoil && unlucky(g)) {
		c = spoil(c);
		g->mark |= BAD_ICMP;
	}
	put16(icmp + 2, c);
}

/* ---- ping ---- */

/*
 * Peers come from small pools, as in a host's real capture. tcpdump -n
 * caches address strings in a table hashed on the first 12 bits of the
 * address (as stored on a little-endian machine), so every address of
 * 10.200.0.0/13 lands in one of 8 chains: thousands of distinct peers
 * would measure that pathology instead of printing speed. The /16 sweep
 * is the file that shows it on purpose.
 */
static uint32_t ping_target(struct gen *g)
{
	return PING_NET | rng_range(&g->rng, 0x0101, 0x01fe); /* 254 hosts */
}

static uint32_t web_server(struct gen *g)
{
	return WEB_NET | rng_range(&g->rng, 0x0101, 0x02f4);  /* 500 hosts */
}

static void ping_session_new(struct gen *g, struct ping_session *p)
{
	uint32_t r = rng_below(&g->rng, 1000);

	p->dst = ping_target(g);
	p->id = g->next_ping_id++;
	p->seq = 1;
	p->left = (uint16_t)rng_range(&g->rng, 5, 300);
	p->hops = (uint8_t)rng_range(&g->rng, 2, 12);
	p->opt = 0;
	if (r < 30)
		p->opt = 1, p->size = 56;
	else if (r < 40)
		p->opt = 2, p->size = 56;
	else if (r < 50)
		p->opt = 3, p->size = 56;
	else if (r < 80)
		p->size = (uint16_t)rng_range(&g->rng, 1473, 3972); /* fragmented */
	else if (r < 180)
		p->size = 1472;                                    /* a full 1500-byte packet */
	else if (r < 330)
		p->size = (uint16_t)rng_range(&g->rng, 0, 1400);
	else
		p->size = 56;
}

/* The option block a ping carries (request) or brings back (reply, nrec hops recorded). */
static size_t ping_options(struct gen *g, const struct ping_session *p, uint8_t *o, bool reply)
{
	unsigned n, i, nrec, over;

	memset(o, 0, 40);
	if (p->opt == 0)
		return 0;
	if (p->opt == 1) {
		/* RFC 791 record route: 9 slots, pointer to the first free one, EOL pad. */
		nrec = reply ? (p->hops * 2u + 1 > 9 ? 9u : p->hops * 2u + 1) : 0;
		o[0] = 7, o[1] = 39, o[2] = (uint8_t)(4 + 4 * nrec);
		for (i = 0; i < nrec; i++) {
			uint32_t hop = i < p->hops ? i + 1u : 2u * p->hops + 1u - i;
			uint32_t a = i == p->hops ? p->dst : ROUTER_NET | (hop & 0xff) << 8 | (i < p->hops ? 1u : 2u);
			put32(o + 3 + 4 * i, a);
		}
		return 40;
	}
	/* RFC 791 internet timestamp: 68, len, pointer, overflow/flag. */
	n = p->opt == 2 ? 9 : 4;
	o[0] = 68;
	o[1] = (uint8_t)(4 + n * (p->opt == 2 ? 4 : 8));
	nrec = reply ? (p->hops * 2u > n ? n : p->hops * 2u) : 0;
	o[2] = (uint8_t)(5 + nrec * (p->opt == 2 ? 4 : 8));
	over = reply && p->hops * 2u > n ? p->hops * 2u - n : 0;
	o[3] = (uint8_t)((over > 15 ? 15 : over) << 4 | (p->opt == 2 ? 0 : 1));
	for (i = 0; i < nrec; i++) {
		uint32_t ms = (uint32_t)((g->now_us / 1000u) % 86400000u) + i;
		if (p->opt == 2) {
			put32(o + 4 + 4 * i, ms);
		} else {
			put32(o + 4 + 8 * i, ROUTER_NET | ((i + 1) & 0xff) << 8 | 1);
			put32(o + 8 + 8 * i, ms);
		}
	}
	return 40;
}

/* Echo data as Linux ping sends it: a timeval then bytes counting up from 0x10. */
static void echo_data(struct gen *g, uint8_t *p, size_t n)
{
	size_t i;
	uint8_t tv[16] = {0};

	le32(tv, (uint32_t)(g->now_us / 1000000u));
	le32(tv + 8, (uint32_t)(g->now_us % 1000000u));
	for (i = 0; i < n; i++)
		p[i] = i < sizeof tv ? tv[i] : (uint8_t)(0x10 + i - sizeof tv);
}

static size_t echo_build(struct gen *g, uint8_t *d, const struct ip_spec *ip, uint8_t type,
			 uint16_t id, uint16_t seq, size_t size)
{
	uint8_t *icmp = d + ip_hlen(ip);
	size_t total;

	icmp[0] = type, icmp[1] = 0;
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	echo_data(g, icmp + 8, size);
	total = ip_finish(g, d, ip, 8 + size);
	icmp_sum(g, icmp, 8 + size, total <= MTU);
	maybe_spoil_ip(g, d, total);
	return total;
}

static void ev_ping(struct gen *g)
{
	struct ping_session *p = &g->ping[rng_below(&g->rng, PING_SESSIONS)];
	uint8_t d[DGRAM_MAX], opt[40];
	struct ip_spec ip = {0};
	size_t len;
	bool frag;
	uint32_t rtt;

	if (p->left == 0)
		ping_session_new(g, p);
	p->left--;
	frag = p->size > 1472;
	ip.src = HOST_ADDR, ip.dst = p->dst, ip.proto = 1, ip.ttl = 64, ip.df = !frag;
	ip.optlen = ping_options(g, p, opt, false);
	ip.opt = opt;
	len = echo_build(g, d, &ip, 8, p->id, p->seq, p->size);
	queue_dgram(g, 0, OUT, d, len, frag ? TAG_NONE : TAG_REQ);

	if (!rng_pm(&g->rng, 40)) { /* 4% get no answer */
		rtt = rng_range(&g->rng, 2, 40) * p->hops;
		ip.src = p->dst, ip.dst = HOST_ADDR, ip.ttl = (uint8_t)(64 - p->hops), ip.df = false;
		ip.optlen = ping_options(g, p, opt, true);
		len = echo_build(g, d, &ip, 0, p->id, p->seq, p->size);
		queue_dgram(g, rtt, IN, d, len, frag ? TAG_NONE : TAG_REPLY);
			if (rng_pm(&g->rng, 10)) { /* 1% answered twice */
			len = echo_build(g, d, &ip, 0, p->id, p->seq, p->size);
			queue_dgram(g, rtt + rng_range(&g->rng, 1, 30), IN, d, len, frag ? TAG_NONE : TAG_DUP);
				}
	}
	p->seq++;
}

/* ---- ICMP errors ---- */

/*
 * An ICMP error from 'from' quoting the datagram q (as it reached 'from':
 * TTL and checksum already adjusted), 28 bytes of it or as much as fits in
 * 576 (RFC 1812 4.3.2.3), queued after 'delay' packets.
 */
static void icmp_error(struct gen *g, uint32_t delay, uint32_t from, uint8_t type, uint8_t code,
		       const uint8_t *q, size_t qlen, bool short_quote, uint8_t ttl)
{
	uint8_t d[576];
	struct ip_spec ip = {0};
	uint8_t *icmp = d + 20;
	size_t n = short_quote ? 28 : 576 - 28, len;

	if (n > qlen)
		n = qlen;
	icmp[0] = type, icmp[1] = code;
	put32(icmp + 4, 0);
	memcpy(icmp + 8, q, n);
	ip.src = from, ip.dst = HOST_ADDR, ip.proto = 1, ip.ttl = ttl, ip.tos = 0xc0;
	len = ip_finish(g, d, &ip, 8 + n);
	icmp_sum(g, icmp, 8 + n, true);
	maybe_spoil_ip(g, d, len);
	queue_dgram(g, delay, IN, d, len, TAG_NONE);
}

static uint32_t router(uint32_t hop, uint32_t n)
{
	return ROUTER_NET | (hop & 0xff) << 8 | n;
}

/* A traceroute UDP probe (Linux traceroute: 32 data bytes, ports from 33434) and its answer. */
static void ev_trace_udp(struct gen *g)
{
	uint8_t d[128];
	uint8_t *udp = d + 20;
	struct ip_spec ip = {0};
	uint32_t ttl = rng_range(&g->rng, 1, 20), hops = rng_range(&g->rng, 3, 20), r, i;
	uint16_t c;
	size_t len;

	ip.src = HOST_ADDR, ip.dst = ping_target(g), ip.proto = 17, ip.ttl = (uint8_t)ttl;
	put16(udp, 50000u + rng_below(&g->rng, 2000));
	put16(udp + 2, 33434u + rng_below(&g->rng, 90));
	put16(udp + 4, 8 + 32);
	put16(udp + 6, 0);
	for (i = 0; i < 32; i++)
		udp[8 + i] = (uint8_t)(0x40 + i);
	c = l4_sum(ip.src, ip.dst, 17, udp, 40);
	put16(udp + 6, c ? c : 0xffff);
	len = ip_finish(g, d, &ip, 40);
	queue_dgram(g, 0, OUT, d, len, TAG_NONE);

	r = rng_below(&g->rng, 100);
	if (ttl < hops && r < 75) {
		/* The router at hop ttl got it with TTL 1. */
		uint32_t from = router(ttl, 1 + ttl % 4);
		d[8] = 1;
		ip_resum(d);
		icmp_error(g, rng_range(&g->rng, 2, 8) * ttl, from, 11, 0, d, len, ttl % 2 == 0,
			   (uint8_t)(255 - ttl + 1));
	} else if (ttl >= hops && r < 85) {
		d[8] = (uint8_t)(ttl - hops + 1);
		ip_resum(d);
		icmp_error(g, rng_range(&g->rng, 2, 8) * hops, ip.dst, 3, 3, d, len, false,
			   (uint8_t)(64 - hops + 1));
	}
}

/* An echo probe that dies on the way: Time Exceeded, or Host Unreachable from the gateway. */
static void ev_trace_icmp(struct gen *g)
{
	uint8_t d[DGRAM_MAX];
	struct ip_spec ip = {0};
	uint32_t ttl = rng_range(&g->rng, 1, 12), r = rng_below(&g->rng, 100);
	uint16_t id = (uint16_t)(0x8000u | rng_below(&g->rng, 0x8000));
	size_t len, size = r < 80 ? 32 : 56;

	ip.src = HOST_ADDR, ip.dst = PING_NET | rng_range(&g->rng, 0x2001, 0x2040), ip.proto = 1;
	ip.ttl = r < 80 ? (uint8_t)ttl : 64;
	len = echo_build(g, d, &ip, 8, id, (uint16_t)rng_range(&g->rng, 1, 3000), size);
	queue_dgram(g, 0, OUT, d, len, TAG_REQ);
	if (r < 80) {
		d[8] = 1;
		ip_resum(d);
		icmp_error(g, rng_range(&g->rng, 2, 8) * ttl, router(ttl, 1 + ttl % 4), 11, 0, d, len,
			   ttl % 3 == 0, (uint8_t)(255 - ttl + 1));
	} else if (r < 92) {
		/* No ARP answer on the last hop: the gateway says so, seconds later. */
		icmp_error(g, rng_range(&g->rng, 200, 900), GW_ADDR, 3, 1, d, len, false, 64);
	} else if (r < 97) {
		d[8] = 60;
		ip_resum(d);
		icmp_error(g, rng_range(&g->rng, 10, 60), router(4, 9), 3, 13, d, len, false, 60);
	}
}

/* ---- DNS ---- */

/* Writes a domain name like h1234.svc17.example.test; returns its length. */
static size_t dns_name(uint8_t *p, uint32_t host, uint32_t svc)
{
	char label[16];
	size_t n = 0;
	int k;

	k = snprintf(label, sizeof label, "h%" PRIu32, host);
	p[n++] = (uint8_t)k;
	memcpy(p + n, label, (size_t)k);
	n += (size_t)k;
	k = snprintf(label, sizeof label, "svc%" PRIu32, svc);
	p[n++] = (uint8_t)k;
	memcpy(p + n, label, (size_t)k);
	n += (size_t)k;
	memcpy(p + n, "\7example\4test", 14); /* and the root label */
	return n + 14;
}

/* The EDNS(0) OPT pseudo-record (RFC 6891) advertising a 4096-byte UDP size. */
static size_t dns_opt(uint8_t *p)
{
	static const uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
	memcpy(p, opt, sizeof opt);
	return sizeof opt;
}

static void udp_finish(struct gen *g, uint8_t *d, struct ip_spec *ip, size_t dlen, bool nocsum,
		       bool may_spoil, uint32_t delay, enum dir dir)
{
	uint8_t *udp = d + 20;
	size_t len;
	uint16_t c = 0;

	put16(udp + 4, (uint32_t)(8 + dlen));
	put16(udp + 6, 0);
	if (!nocsum) {
		c = l4_sum(ip->src, ip->dst, 17, udp, 8 + dlen);
		if (c == 0)
			c = 0xffff;
		if (may_spoil && 8 + dlen + 20 <= MTU && unlucky(g)) {
			c = spoil(c);
			g->mark |= BAD_UDP;
		}
	} else {
		g->mark |= NO_UDP_SUM;
	}
	put16(udp + 6, c);
	len = ip_finish(g, d, ip, 8 + dlen);
	maybe_spoil_ip(g, d, len);
	queue_dgram(g, delay, dir, d, len, TAG_NONE);
}

static void ev_dns(struct gen *g)
{
	uint8_t d[DGRAM_MAX];
	uint8_t *udp = d + 20, *m = udp + 8;
	struct ip_spec ip = {0};
	uint32_t host = rng_below(&g->rng, 100000), svc = rng_below(&g->rng, 300);
	uint16_t txid = (uint16_t)rng_below(&g->rng, 65536), sport = (uint16_t)rng_range(&g->rng, 32768, 60999);
	uint32_t r = rng_below(&g->rng, 1000), i, nans, delay;
	bool nocsum;
	uint16_t qtype = r < 850 ? 1 : 16; /* A or TXT */
	size_t n = 12, qname_len;

	/* query */
	put16(m, txid);
	put16(m + 2, 0x0100); /* RD */
	put16(m + 4, 1), put16(m + 6, 0), put16(m + 8, 0), put16(m + 10, 1);
	qname_len = dns_name(m + n, host, svc);
	n += qname_len;
	put16(m + n, qtype), put16(m + n + 2, 1);
	n += 4;
	n += dns_opt(m + n);
	put16(udp, sport), put16(udp + 2, 53);
	ip.src = HOST_ADDR, ip.dst = DNS_ADDR, ip.proto = 17, ip.ttl = 64;
	udp_finish(g, d, &ip, n, false, true, 0, OUT);
	if (rng_pm(&g->rng, 20)) /* 2% lost */
		return;

	/* answer: same question, then records pointing back at it (0xc00c) */
	put16(m + 2, 0x8180); /* QR RD RA */
	n = 12 + qname_len + 4;
	if (qtype == 1) {
		nans = rng_range(&g->rng, 1, 8);
		for (i = 0; i < nans; i++, n += 16) {
			put16(m + n, 0xc00c), put16(m + n + 2, 1), put16(m + n + 4, 1);
			put32(m + n + 6, rng_range(&g->rng, 30, 3600));
			put16(m + n + 10, 4);
			put32(m + n + 12, web_server(g));
		}
	} else {
		/* TXT: mostly a few hundred bytes, 1 in 6 big enough to be fragmented */
		size_t want = rng_pm(&g->rng, 160) ? rng_range(&g->rng, 1600, 3600) : rng_range(&g->rng, 100, 460);
		nans = 0;
		while (want > 0 && n + 12 + 2 + 255 + 11 < DGRAM_MAX - 28) {
			size_t chunk = want > 255 ? 255 : want, j;
			put16(m + n, 0xc00c), put16(m + n + 2, 16), put16(m + n + 4, 1);
			put32(m + n + 6, 300);
			put16(m + n + 10, (uint32_t)(chunk + 1));
			m[n + 12] = (uint8_t)chunk;
			for (j = 0; j < chunk; j++)
				m[n + 13 + j] = (uint8_t)('a' + rng_below(&g->rng, 26));
			n += 13 + chunk;
			want -= chunk;
			nans++;
		}
	}
	put16(m + 6, nans);
	n += dns_opt(m + n);
	put16(udp, 53), put16(udp + 2, sport);
	ip.src = DNS_ADDR, ip.dst = HOST_ADDR, ip.ttl = 64;
	nocsum = rng_pm(&g->rng, 30); /* 3% without checksum; one draw per statement keeps */
	delay = rng_range(&g->rng, 3, 60); /* the output the same whatever the compiler */
	udp_finish(g, d, &ip, n, nocsum, true, delay, IN);
}

/* ---- TCP ---- */

struct tcp_conn {
	uint32_t client, server;
	uint16_t cport, sport;
	uint32_t cseq, sseq; /* next sequence number each side sends */
	uint32_t tsval_c, tsval_s;
};

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };

static void tcp_segment(struct gen *g, const struct tcp_conn *t, bool from_client, uint8_t flags,
			uint32_t ack, const uint8_t *data, size_t dlen, uint32_t delay)
{
	uint8_t d[MTU];
	uint8_t *tcp = d + 20, *o = tcp + 20;
	struct ip_spec ip = {0};
	size_t olen = 0, len;
	uint16_t c;

	if (flags & TH_SYN) {
		/* Linux order: mss, sackOK, timestamp, nop, wscale */
		o[0] = 2, o[1] = 4, put16(o + 2, 1460);
		o[4] = 4, o[5] = 2;
		o[6] = 8, o[7] = 10;
		put32(o + 8, from_client ? t->tsval_c : t->tsval_s);
		put32(o + 12, from_client ? 0 : t->tsval_c);
		o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 7;
		olen = 20;
	} else if (!(flags & TH_RST)) {
		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
		put32(o + 4, from_client ? t->tsval_c : t->tsval_s);
		put32(o + 8, from_client ? t->tsval_s : t->tsval_c);
		olen = 12;
	}
	put16(tcp, from_client ? t->cport : t->sport);
	put16(tcp + 2, from_client ? t->sport : t->cport);
	put32(tcp + 4, from_client ? t->cseq : t->sseq);
	put32(tcp + 8, (flags & TH_ACK) ? ack : 0);
	tcp[12] = (uint8_t)((20 + olen) / 4 << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & TH_SYN) ? (from_client ? 64240 : 65160) : (flags & TH_RST) ? 0 : 502);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (dlen)
		memcpy(o + olen, data, dlen);
	c = l4_sum(from_client ? t->client : t->server, from_client ? t->server : t->client, 6, tcp,
		   20 + olen + dlen);
	if (unlucky(g)) {
		c = spoil(c);
		g->mark |= BAD_TCP;
	}
	put16(tcp + 16, c);
	ip.src = from_client ? t->client : t->server;
	ip.dst = from_client ? t->server : t->client;
	ip.proto = 6, ip.ttl = from_client ? 64 : 55, ip.df = true;
	len = ip_finish(g, d, &ip, 20 + olen + dlen);
	maybe_spoil_ip(g, d, len);
	queue_dgram(g, delay, from_client ? OUT : IN, d, len, TAG_NONE);
}

/* Response body sizes: mostly small objects, a tail of larger ones (at most 24 segments). */
static size_t http_body_size(struct gen *g)
{
	uint32_t r = rng_below(&g->rng, 100);

	if (r < 30)
		return rng_range(&g->rng, 200, 1300);
	if (r < 65)
		return rng_range(&g->rng, 1300, 6000);
	if (r < 88)
		return rng_range(&g->rng, 6000, 18000);
	return rng_range(&g->rng, 20000, 30000);
}

static void ev_tcp(struct gen *g)
{
	struct tcp_conn t;
	uint8_t req[700], resp[40000];
	uint32_t rtt = rng_range(&g->rng, 3, 40), at, c_isn, s_isn, seg, nseg;
	size_t qlen, hlen, body, total, off;
	int k;

	t.client = HOST_ADDR;
	t.server = web_server(g);
	t.cport = g->next_port;
	g->next_port = (uint16_t)(g->next_port >= 60999 ? 32768 : g->next_port + 1);
	t.sport = 80;
	c_isn = (uint32_t)rng_u64(&g->rng), s_isn = (uint32_t)rng_u64(&g->rng);
	t.tsval_c = (uint32_t)rng_u64(&g->rng), t.tsval_s = (uint32_t)rng_u64(&g->rng);
	t.cseq = c_isn, t.sseq = s_isn;

	tcp_segment(g, &t, true, TH_SYN, 0, NULL, 0, 0);
	if (rng_pm(&g->rng, 30)) { /* refused */
		t.sseq = 0;
		tcp_segment(g, &t, false, TH_RST | TH_ACK, c_isn + 1, NULL, 0, rtt);
		return;
	}
	tcp_segment(g, &t, false, TH_SYN | TH_ACK, c_isn + 1, NULL, 0, rtt);
	t.cseq = c_isn + 1, t.sseq = s_isn + 1;
	t.tsval_c += 1;
	tcp_segment(g, &t, true, TH_ACK, t.sseq, NULL, 0, rtt + 1);

	k = snprintf((char *)req, sizeof req,
		     "GET /obj/%" PRIu32 " HTTP/1.1\r\nHost: 10.202.%u.%u\r\nUser-Agent: rp-bench/1.0\r\n"
		     "Accept: */*\r\nX-Pad: ",
		     rng_below(&g->rng, 1000000), (unsigned)(t.server >> 8 & 0xff), (unsigned)(t.server & 0xff));
	qlen = (size_t)k + rng_range(&g->rng, 0, 400);
	memset(req + k, 'p', qlen - (size_t)k);
	memcpy(req + qlen, "\r\n\r\n", 4);
	qlen += 4;
	tcp_segment(g, &t, true, TH_PSH | TH_ACK, t.sseq, req, qlen, rtt + 2);
	t.cseq += (uint32_t)qlen;

	body = http_body_size(g);
	k = snprintf((char *)resp, sizeof resp,
		     "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
		     body);
	hlen = (size_t)k;
	rng_fill(&g->rng, resp + hlen, body);
	total = hlen + body;
	nseg = (uint32_t)((total + 1447) / 1448);
	at = 2 * rtt + 2;
	t.tsval_s += 1;
	for (seg = 0, off = 0; seg < nseg; seg++, off += 1448) {
		size_t n = total - off < 1448 ? total - off : 1448;
		tcp_segment(g, &t, false, (seg + 1 == nseg ? TH_PSH : 0) | TH_ACK, t.cseq, resp + off, n,
			    at + seg);
		t.sseq += (uint32_t)n;
		if (seg % 2 == 1 || seg + 1 == nseg) /* delayed ACK: every second segment */
			tcp_segment(g, &t, true, TH_ACK, t.sseq, NULL, 0, at + seg + rtt);
	}
	at += nseg + rtt + 1;
	t.tsval_c += 2;
	tcp_segment(g, &t, true, TH_FIN | TH_ACK, t.sseq, NULL, 0, at);
	t.cseq++;
	tcp_segment(g, &t, false, TH_FIN | TH_ACK, t.cseq, NULL, 0, at + rtt);
	t.sseq++;
	tcp_segment(g, &t, true, TH_ACK, t.sseq, NULL, 0, at + rtt + 1);
}

/* ---- the mixed capture ---- */

static void gen_event(struct gen *g)
{
	uint32_t r = rng_below(&g->rng, 1000);

	if (r < 510)
		ev_ping(g);
	else if (r < 560)
		ev_trace_udp(g);
	else if (r < 590)
		ev_trace_icmp(g);
	else if (r < 870)
		ev_dns(g);
	else
		ev_tcp(g);
}

static void gen_mixed(struct gen *g)
{
	uint32_t i;

	g->slots = calloc(SLOTS, sizeof *g->slots);
	g->free_list = calloc(SLOTS, sizeof *g->free_list);
	g->heap = calloc(SLOTS, sizeof *g->heap);
	if (!g->slots || !g->free_list || !g->heap)
		die("memory");
	for (i = 0; i < SLOTS; i++)
		g->free_list[g->nfree++] = SLOTS - 1 - i;
	g->next_ping_id = (uint16_t)rng_below(&g->rng, 65536);
	g->next_port = 32768;
	g->bad_pm_x10 = 20; /* 0.2% of datagrams: a wrong transport checksum */

	while (g->written < g->limit) {
		if (g->nheap > 0 && (g->slots[g->heap[0]].due <= g->written || g->nfree < EVENT_MAX_PKTS))
			emit_next(g);
		else
			gen_event(g);
	}
	free(g->slots);
	free(g->free_list);
	free(g->heap);
}

/* ---- the /16 sweep ---- */

struct sweep_ev {
	uint64_t t_us;
	uint32_t host; /* 0..65535: 10.201.0.0 + host */
	uint32_t reply;
};

static int sweep_cmp(const void *a, const void *b)
{
	const struct sweep_ev *x = a, *y = b;

	if (x->t_us != y->t_us)
		return x->t_us < y->t_us ? -1 : 1;
	if (x->reply != y->reply)
		return x->reply < y->reply ? -1 : 1;
	return x->host < y->host ? -1 : x->host > y->host;
}

/*
 * Every address of 10.201.0.0/16 gets one echo request (2 microseconds
 * apart, as a fast sweeper sends them) and answers 0.2 to 20 ms later, so
 * thousands of requests wait for their reply at any time.
 */
static void gen_sweep(struct gen *g)
{
	struct sweep_ev *ev = calloc(2 * SWEEP_HOSTS, sizeof *ev);
	uint8_t d[128], frame[128];
	struct ip_spec ip = {0};
	uint16_t id = 0x5e5e;
	uint64_t t0 = g->now_us;
	uint32_t i;

	if (!ev)
		die("memory");
	for (i = 0; i < SWEEP_HOSTS; i++) {
		ev[2 * i].t_us = t0 + 2u * i;
		ev[2 * i].host = i;
		ev[2 * i].reply = 0;
		ev[2 * i + 1].t_us = t0 + 2u * i + rng_range(&g->rng, 200, 20000);
		ev[2 * i + 1].host = i;
		ev[2 * i + 1].reply = 1;
	}
	qsort(ev, 2 * SWEEP_HOSTS, sizeof *ev, sweep_cmp);
	for (i = 0; i < 2 * SWEEP_HOSTS; i++) {
		uint32_t target = PING_NET | ev[i].host;
		size_t len;

		g->now_us = ev[i].t_us;
		ip.proto = 1;
		if (!ev[i].reply)
			ip.src = HOST_ADDR, ip.dst = target, ip.ttl = 64, ip.df = true;
		else
			ip.src = target, ip.dst = HOST_ADDR, ip.ttl = 61, ip.df = false;
		/* the seq is the host number, so every pair is distinct */
		len = echo_build(g, d, &ip, ev[i].reply ? 0 : 8, id, (uint16_t)ev[i].host, 56);
		memcpy(frame, ev[i].reply ? host_mac : gw_mac, 6);
		memcpy(frame + 6, ev[i].reply ? gw_mac : host_mac, 6);
		put16(frame + 12, 0x0800);
		memcpy(frame + ETH_HLEN, d, len);
		pcap_record(g, frame, ETH_HLEN + len);
		count_proto(g, frame);
			if (ev[i].reply)
			g->c.echo_reply++;
		else
			g->c.echo_req++;
	}
	free(ev);
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fputs("usage: rp_gencap [--sweep16] [--seed S] [-n N] OUTFILE\n"
	      "  -n N        packets of the mixed capture (default 1000000)\n"
	      "  --sweep16   instead, an answering ping sweep of 10.201.0.0/16 (131072 packets)\n"
	      "  --seed S    another deterministic mix (default 1)\n"
	      "  OUTFILE     '-' for standard output\n",
	      f);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static void summary(const struct gen *g, const char *path, bool sweep)
{
	const struct counts *c = &g->c;

	fprintf(stderr,
		"rp_gencap: %s: %" PRIu64 " packets (%s), %" PRIu64 " frame bytes, average %.1f\n"
		"  frames: icmp %" PRIu64 ", udp %" PRIu64 ", tcp %" PRIu64 ", other %" PRIu64 "; %" PRIu64 " of them fragments\n"
		"  bad checksums: ip %" PRIu64 ", icmp %" PRIu64 ", udp %" PRIu64 ", tcp %" PRIu64
		"; udp without checksum %" PRIu64 "\n"
		"  unfragmented echo: requests %" PRIu64 ", replies %" PRIu64 ", unanswered %" PRIu64
		", duplicates %" PRIu64 "\n",
		path, c->frames, sweep ? "/16 sweep" : "mixed", c->bytes,
		c->frames ? (double)c->bytes / (double)c->frames : 0.0, c->icmp, c->udp, c->tcp, c->other, c->fragments,
		c->bad_ip, c->bad_icmp, c->bad_udp, c->bad_tcp, c->udp_nocsum, c->echo_req, c->echo_reply,
		c->echo_req - c->echo_reply, c->echo_dup);
}

int main(int argc, char **argv)
{
	static char iobuf[1 << 20];
	static struct gen g;
	uint64_t n = 1000000, seed = 1;
	bool sweep = false, have_n = false;
	const char *path = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--sweep16")) {
			sweep = true;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--packets")) {
			if (!parse_u64(i + 1 < argc ? argv[++i] : NULL, 1000000000, &n) || n == 0) {
				fprintf(stderr, "rp_gencap: -n wants a packet count from 1 to 1000000000\n");
				return 2;
			}
			have_n = true;
		} else if (!strcmp(a, "--seed")) {
			if (!parse_u64(i + 1 < argc ? argv[++i] : NULL, UINT64_MAX, &seed)) {
				fprintf(stderr, "rp_gencap: --seed wants a non-negative integer\n");
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "rp_gencap: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "rp_gencap: one OUTFILE only (got %s and %s)\n", path, a);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	if (sweep && have_n) {
		fprintf(stderr, "rp_gencap: --sweep16 has a fixed size (131072 packets); drop -n\n");
		return 2;
	}

	g.rng.s = seed * UINT64_C(0x2545f4914f6cdd1d) + 0x726177u;
	g.limit = n;
	g.now_us = BASE_USEC;
	g.out = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!g.out)
		die(path);
	setvbuf(g.out, iobuf, _IOFBF, sizeof iobuf);
	pcap_file_header(&g);
	if (sweep)
		gen_sweep(&g);
	else
		gen_mixed(&g);
	if (fflush(g.out) != 0 || (g.out != stdout && fclose(g.out) != 0))
		die(path);
	summary(&g, path, sweep);
	return 0;
}
