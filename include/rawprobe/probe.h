/*
 * ICMP echo probes: building them (IPv4 header and echo request, or the
 * echo request alone for datagram sockets) and recognising what comes back
 * for them (echo replies, and ICMP errors that quote a probe).
 *
 * A probe with 16 or more data bytes starts its data with a stamp: the send
 * time and a SipHash MAC over (target, id, seq, send time) under a per-run
 * key. A reply's stamp proves it answers our probe and carries the send
 * time, so replies can be matched without per-probe state.
 */
#ifndef RAWPROBE_PROBE_H
#define RAWPROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawprobe/packet.h"
#include "rawprobe/siphash.h"

#define RP_IPV4_HDR 20
#define RP_ICMP_ECHO_HDR 8
#define RP_STAMP_LEN 16 /* send time (8 bytes, ns) and MAC (8 bytes) */
#define RP_ECHO_DATA_MAX (65535 - RP_IPV4_HDR - RP_ICMP_ECHO_HDR)

struct rp_echo_spec {
	uint32_t src, dst; /* network byte order; src 0 lets the kernel choose (raw(7)) */
	uint16_t ip_id;
	uint8_t ttl, tos;
	bool df;
	uint16_t id, seq;
	size_t data_len;              /* echo data bytes (ping -s) */
	const uint8_t *pattern;       /* fill after the stamp, repeated; NULL: counting bytes */
	size_t pattern_len;
	int64_t sent_ns;              /* CLOCK_REALTIME, nanoseconds */
	const struct rp_sipkey *key;  /* stamps the data when data_len >= RP_STAMP_LEN */
};

/*
 * Writes the IPv4 header (with_ip) and the echo request into out; returns
 * the bytes written, or 0 when cap is too small. Checksums are computed.
 */
size_t rp_echo_build(uint8_t *out, size_t cap, const struct rp_echo_spec *s, bool with_ip);

/* Rewrites seq, send time, stamp and checksums of a message built by rp_echo_build. */
void rp_echo_restamp(uint8_t *icmp, size_t icmp_len, uint32_t dst, uint16_t seq, int64_t sent_ns,
		     const struct rp_sipkey *key);

/* The MAC a probe's stamp carries. */
uint64_t rp_stamp_mac(const struct rp_sipkey *key, uint32_t dst, uint16_t id, uint16_t seq,
		      int64_t sent_ns);

enum rp_reply_kind {
	RP_REPLY_NONE,  /* not about one of our probes */
	RP_REPLY_ECHO,  /* an echo reply with our identifier */
	RP_REPLY_ERROR, /* an ICMP error quoting one of our echo requests */
};

enum rp_stamp_state {
	RP_STAMP_ABSENT, /* the probe had no stamp, or the reply did not carry all of it */
	RP_STAMP_OK,
	RP_STAMP_BAD,    /* a stamp whose MAC does not verify: forged, foreign or corrupted */
};

struct rp_reply {
	enum rp_reply_kind kind;
	uint32_t from;    /* who sent this message (network order) */
	uint32_t target;  /* whom the probe was for: 'from' for echo replies, the quoted destination for errors */
	uint16_t id, seq;
	uint8_t ttl;      /* of the reply datagram */
	uint8_t type, code;
	uint32_t icmp_len; /* ICMP bytes of the reply (ping's "64 bytes") */
	bool checksum_bad;
	enum rp_stamp_state stamp;
	int64_t sent_ns;  /* from the stamp, when it verified */
};

/*
 * Recognises a reply to our probes in an IPv4 datagram decoded by rp_decode
 * (raw link type, checksums verified); ip points at its first byte, caplen
 * bytes long. key NULL: no stamps expected. Returns r->kind != RP_REPLY_NONE.
 */
bool rp_reply_match(struct rp_reply *r, const struct rp_packet *pkt, const uint8_t *ip,
		    size_t caplen, uint16_t id, const struct rp_sipkey *key);

#endif
