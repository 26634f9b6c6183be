/*
 * Decoders: bytes in, a struct rp_packet out. They never print, never
 * allocate and never read past the captured length. A decoder that finds
 * the packet itself wrong writes why into 'why' (RP_MALFORMED_MAX bytes,
 * "layer: what") and stops at that layer; earlier layers stay decoded.
 */
#ifndef RAWPROBE_DECODE_H
#define RAWPROBE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "rawprobe/buf.h"
#include "rawprobe/packet.h"

enum {
	RP_DECODE_CHECKSUMS = 1u << 0, /* verify every checksum (costs a pass over the payload) */
};

enum rp_status {
	RP_DEC_OK,        /* decoded; the payload view is set */
	RP_DEC_CUT,       /* the capture ended inside the header: fields present as captured */
	RP_DEC_MALFORMED, /* the packet is wrong here: 'why' says how */
};

/* Decodes one frame of link type dlt (a DLT_ value from libpcap). */
void rp_decode(struct rp_packet *pkt, int dlt, const uint8_t *data, uint32_t caplen,
	       uint32_t len, unsigned flags);

/* True for the link types rp_decode understands. */
bool rp_dlt_supported(int dlt);

/*
 * Link layer: finds the network layer. Sets pkt->l3 (IPv4 or OTHER), the
 * VLAN tags, the ethertype, and *l3 to the network-layer bytes.
 */
enum rp_status rp_link_decode(struct rp_packet *pkt, int dlt, const struct rp_buf *frame,
			      struct rp_buf *l3, char *why);

/* IPv4 header and options; *payload is the datagram's payload (per total length). */
enum rp_status rp_ipv4_decode(struct rp_ipv4 *ip, const struct rp_buf *b, unsigned flags,
			      struct rp_buf *payload, char *why);

/*
 * ICMP message b (the whole IP payload). can_check says the payload is the
 * whole message (not a fragment), so the checksum may be verified. For
 * error types, *quote is set to the quoted datagram.
 */
enum rp_status rp_icmp_decode(struct rp_icmp *c, const struct rp_buf *b, bool can_check,
			      unsigned flags, struct rp_buf *quote, char *why);

/* UDP and TCP; ip supplies the pseudo-header for the checksum. */
enum rp_status rp_udp_decode(struct rp_udp *u, const struct rp_buf *b, const struct rp_ipv4 *ip,
			     bool can_check, unsigned flags, char *why);
enum rp_status rp_tcp_decode(struct rp_tcp *t, const struct rp_buf *b, const struct rp_ipv4 *ip,
			     bool can_check, unsigned flags, char *why);

/*
 * The datagram quoted by an ICMP error, decoded as far as it was quoted.
 * A quote shorter than its own IP header is malformed; a quote that stops
 * inside the transport header is normal (RFC 792 asks for 8 bytes) and
 * leaves the missing fields absent, as a short capture does.
 */
enum rp_status rp_inner_decode(struct rp_inner *in, const struct rp_buf *quote, unsigned flags,
			       char *why);

/* Option details, read through the bounds-checked view kept in the header. */
/* Addresses in a route-recording option (RR, LSRR, SSRR): how many are captured. */
unsigned rp_ipopt_route_count(const struct rp_ipv4 *ip, const struct rp_ipopt *o);
uint32_t rp_ipopt_route_addr(const struct rp_ipv4 *ip, const struct rp_ipopt *o, unsigned i);
/* The pointer byte of RR, LSRR, SSRR and TS options (0 when not captured). */
uint8_t rp_ipopt_pointer(const struct rp_ipv4 *ip, const struct rp_ipopt *o);
/* Where a datagram is going in the end: a source route's last hop, else dst (for pseudo-headers). */
uint32_t rp_ipv4_final_dst(const struct rp_ipv4 *ip);
/* SACK block i of a SACK option; false when not captured. */
bool rp_tcpopt_sack_block(const struct rp_tcp *t, const struct rp_tcpopt *o, unsigned i,
			  uint32_t *left, uint32_t *right);

#endif
