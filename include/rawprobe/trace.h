/*
 * Probes for `rawprobe trace` and what their answers mean. No I/O here.
 *
 * Every probe of one trace belongs to the same flow, as Paris traceroute
 * makes them, so that a load balancer hashing on the first bytes of the
 * transport header sends them all along one path:
 *   ICMP  the identifier and the checksum are the same in every probe; the
 *         sequence number (probe number + 1) varies and the first two data
 *         bytes (its one's complement) compensate it in the checksum;
 *   UDP   both ports are the same in every probe; the probe number goes
 *         into the checksum field (tag + probe), made right by the first two
 *         data bytes; with fewer than two data bytes, into the IP identifier.
 * The IP identifier is ip_id + probe number in both modes.
 *
 * A probe is identified from the first 8 bytes of its transport header and
 * its IP header, all that RFC 792 asks a router to quote.
 */
#ifndef RAWPROBE_TRACE_H
#define RAWPROBE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawprobe/packet.h"

#define RP_TRACE_HOPS_MAX 255
#define RP_TRACE_PER_HOP_MAX 10
#define RP_TRACE_PROBES_MAX (RP_TRACE_HOPS_MAX * RP_TRACE_PER_HOP_MAX)
#define RP_TRACE_UDP_PORT 33434   /* traceroute's first port */
#define RP_TRACE_ICMP_DATA_MIN 2  /* room for the checksum compensation */
#define RP_TRACE_DATA_MAX (65535 - 20 - 8)
#define RP_TRACE_FILTER_LEN 24    /* instructions rp_trace_filter writes at most */
#define RP_TRACE_MARKER_LEN 16

enum rp_trace_proto {
	RP_TRACE_ICMP, /* echo requests (traceroute -I) */
	RP_TRACE_UDP,  /* UDP to a closed port (traceroute's default, -U) */
};

struct rp_trace_spec {
	enum rp_trace_proto proto;
	uint32_t src, dst;     /* network order */
	uint8_t first_ttl;     /* probe k has TTL first_ttl + k / per_hop */
	uint8_t per_hop;
	unsigned nprobes;      /* hops x per_hop, at most RP_TRACE_PROBES_MAX */
	size_t data_len;       /* bytes after the ICMP or UDP header */
	uint16_t icmp_id;      /* ICMP: every probe's identifier */
	uint16_t sport, dport; /* UDP: every probe's ports */
	uint16_t ip_id;        /* probe k has IP identifier ip_id + k (never 0) */
	uint16_t tag;          /* UDP: probe k has checksum tag + k (never 0 or 0xffff) */
};

/*
 * Fills a spec for hops first_ttl .. first_ttl + hops - 1 with per_hop probes
 * each; the run's identifiers come from rnd (random bytes), kept inside the
 * ranges that leave every probe's fields valid and distinct.
 */
void rp_trace_spec_init(struct rp_trace_spec *s, enum rp_trace_proto proto, uint32_t src,
			uint32_t dst, unsigned first_ttl, unsigned hops, unsigned per_hop,
			size_t data_len, const uint8_t rnd[8]);

/* Bytes of every probe, IPv4 header included. */
size_t rp_trace_probe_len(const struct rp_trace_spec *s);

/* The TTL of probe k. */
uint8_t rp_trace_probe_ttl(const struct rp_trace_spec *s, unsigned k);

/* Writes probe k (IPv4 header and all) into out; its length, or 0 when cap is too small. */
size_t rp_trace_build(const struct rp_trace_spec *s, unsigned k, uint8_t *out, size_t cap);

/*
 * The classic BPF program for the raw ICMP socket: errors quoting a probe of
 * this trace (to its destination, with its identifier or ports) and, for
 * ICMP probes, echo replies with its identifier. Returns the instruction
 * count (at most RP_TRACE_FILTER_LEN).
 */
struct sock_filter;
unsigned rp_trace_filter(const struct rp_trace_spec *s, struct sock_filter *out);

enum rp_trace_kind {
	RP_TRACE_NONE,    /* not about a probe of this trace */
	RP_TRACE_HOP,     /* time exceeded: a router at the probe's TTL */
	RP_TRACE_ARRIVED, /* the destination: echo reply (ICMP), port unreachable (UDP) */
	RP_TRACE_STOPPED, /* any other error: the path ends there, with a marker */
};

struct rp_trace_answer {
	enum rp_trace_kind kind;
	unsigned probe;    /* the probe's number, 0-based */
	uint32_t from;     /* the answer's source (network order) */
	uint8_t ttl;       /* of the answer */
	uint8_t type, code;
	uint16_t mtu;      /* fragmentation needed: the next hop's MTU, 0 when not given */
	uint32_t icmp_len; /* ICMP bytes of the answer */
};

/*
 * Recognises an answer to a probe of trace s in an IPv4 datagram decoded by
 * rp_decode (raw link type, checksums verified); ip points at its first byte,
 * caplen bytes long. Returns a->kind != RP_TRACE_NONE.
 */
bool rp_trace_classify(const struct rp_trace_spec *s, const struct rp_packet *pkt,
		       const uint8_t *ip, size_t caplen, struct rp_trace_answer *a);

/*
 * traceroute's marker for an answer: "" for a hop or the destination, else
 * !N !H !P !F-MTU !S !U !W !I !A !Z !Q !T !X !V !C for the unreachable codes,
 * !<code> for other codes, !E for a parameter problem. Returns buf.
 */
const char *rp_trace_marker(const struct rp_trace_answer *a, char *buf, size_t len);

#endif
