/*
 * A decoded packet: what the core's decoders fill and the output sinks print.
 *
 * Each layer has a 'have' bit set per field that was captured; a field whose
 * bit is clear was cut off by the capture length (printed as null). Checksum
 * verdicts are tri-state because some cannot be checked (short capture,
 * fragments, UDP checksum 0).
 */
#ifndef RAWPROBE_PACKET_H
#define RAWPROBE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "rawprobe/buf.h"

enum rp_check {
	RP_CHECK_NONE = -1, /* could not be checked */
	RP_CHECK_BAD = 0,
	RP_CHECK_OK = 1,
};

/* ------------------------------------------------------------ IPv4 */

enum {
	RP_IP_VHL = 1u << 0, /* version and ihl */
	RP_IP_TOS = 1u << 1,
	RP_IP_LEN = 1u << 2,
	RP_IP_ID = 1u << 3,
	RP_IP_FRAG = 1u << 4,
	RP_IP_TTL = 1u << 5,
	RP_IP_PROTO = 1u << 6,
	RP_IP_CSUM = 1u << 7,
	RP_IP_SRC = 1u << 8,
	RP_IP_DST = 1u << 9,
	RP_IP_OPTS = 1u << 10, /* the whole option area was captured */
};

#define RP_IP_DF 0x4000
#define RP_IP_MF 0x2000
#define RP_IP_RSVD 0x8000
#define RP_IP_OFFMASK 0x1fff

#define RP_IPOPT_MAX 40 /* 40 option bytes hold at most 40 one-byte options */

enum {
	RP_IPOPT_EOL = 0,
	RP_IPOPT_NOP = 1,
	RP_IPOPT_RR = 7,
	RP_IPOPT_TS = 68,
	RP_IPOPT_LSRR = 131,
	RP_IPOPT_SSRR = 137,
	RP_IPOPT_RA = 148,
};

struct rp_ipopt {
	uint8_t type;
	uint8_t len; /* 1 for EOL and NOP */
	uint8_t off; /* where it starts in the header */
};

struct rp_ipv4 {
	uint32_t have;
	uint8_t version, ihl, tos, ttl, proto;
	uint16_t len, id, frag, checksum;
	uint16_t checksum_want; /* computed value, valid when checksum_ok != NONE */
	int8_t checksum_ok;
	uint32_t src, dst; /* network byte order */
	uint8_t nopts;
	struct rp_ipopt opts[RP_IPOPT_MAX];
	struct rp_buf hdr; /* the header bytes as captured, for option details */
};

static inline bool rp_ip_is_fragment(const struct rp_ipv4 *ip)
{
	return (ip->frag & (RP_IP_MF | RP_IP_OFFMASK)) != 0;
}

static inline bool rp_ip_first_fragment(const struct rp_ipv4 *ip)
{
	return (ip->frag & RP_IP_OFFMASK) == 0;
}

static inline unsigned rp_ip_frag_bytes(const struct rp_ipv4 *ip)
{
	return (ip->frag & RP_IP_OFFMASK) * 8u;
}

/* ------------------------------------------------------------ ICMP */

enum {
	RP_ICMP_TYPE = 1u << 0,
	RP_ICMP_CODE = 1u << 1,
	RP_ICMP_CSUM = 1u << 2,
	RP_ICMP_REST = 1u << 3, /* bytes 4 to 7: id/seq, gateway, pointer, mtu... */
	RP_ICMP_OTIME = 1u << 4,
	RP_ICMP_RTIME = 1u << 5,
	RP_ICMP_TTIME = 1u << 6,
	RP_ICMP_MASK = 1u << 7,
	RP_ICMP_ID = 1u << 8,  /* bytes 4 and 5 */
	RP_ICMP_SEQ = 1u << 9, /* bytes 6 and 7 */
};

enum {
	RP_ICMP_ECHOREPLY = 0,
	RP_ICMP_UNREACH = 3,
	RP_ICMP_SOURCEQUENCH = 4,
	RP_ICMP_REDIRECT = 5,
	RP_ICMP_ECHO = 8,
	RP_ICMP_ROUTERADVERT = 9,
	RP_ICMP_ROUTERSOLICIT = 10,
	RP_ICMP_TIMXCEED = 11,
	RP_ICMP_PARAMPROB = 12,
	RP_ICMP_TSTAMP = 13,
	RP_ICMP_TSTAMPREPLY = 14,
	RP_ICMP_IREQ = 15,
	RP_ICMP_IREQREPLY = 16,
	RP_ICMP_MASKREQ = 17,
	RP_ICMP_MASKREPLY = 18,
};

#define RP_RADV_MAX 16 /* router advertisement entries kept; the count says how many there were */

struct rp_radv_entry {
	uint32_t addr; /* network byte order */
	int32_t pref;
};

struct rp_icmp {
	uint32_t have;
	uint8_t type, code;
	uint16_t checksum, checksum_want;
	int8_t checksum_ok;
	uint32_t rest;   /* bytes 4 to 7, as one big-endian word */
	uint32_t length; /* the ICMP message's length on the wire */
	uint32_t otime, rtime, ttime; /* timestamp messages */
	uint32_t mask;                /* address mask, network byte order */
	uint8_t radv_count;           /* router advertisement: entries announced */
	uint8_t radv_kept;            /* entries captured and stored below */
	struct rp_radv_entry radv[RP_RADV_MAX];
};

/* Types that carry an identifier and a sequence number in bytes 4 to 7. */
static inline bool rp_icmp_has_idseq(uint8_t type)
{
	return type == RP_ICMP_ECHOREPLY || type == RP_ICMP_ECHO ||
	       (type >= RP_ICMP_TSTAMP && type <= RP_ICMP_MASKREPLY);
}

/* Error types that quote the datagram that caused them. */
static inline bool rp_icmp_is_error(uint8_t type)
{
	return type == RP_ICMP_UNREACH || type == RP_ICMP_SOURCEQUENCH || type == RP_ICMP_REDIRECT ||
	       type == RP_ICMP_TIMXCEED || type == RP_ICMP_PARAMPROB;
}

static inline uint16_t rp_icmp_id(const struct rp_icmp *c) { return (uint16_t)(c->rest >> 16); }
static inline uint16_t rp_icmp_seq(const struct rp_icmp *c) { return (uint16_t)c->rest; }

/* ------------------------------------------------------------ UDP */

enum {
	RP_UDP_SPORT = 1u << 0,
	RP_UDP_DPORT = 1u << 1,
	RP_UDP_LEN = 1u << 2,
	RP_UDP_CSUM = 1u << 3,
};

struct rp_udp {
	uint32_t have;
	uint16_t sport, dport, len, checksum, checksum_want;
	int8_t checksum_ok;
};

/* ------------------------------------------------------------ TCP */

enum {
	RP_TCP_SPORT = 1u << 0,
	RP_TCP_DPORT = 1u << 1,
	RP_TCP_SEQ = 1u << 2,
	RP_TCP_ACK = 1u << 3,
	RP_TCP_HLEN = 1u << 4,
	RP_TCP_FLAGS = 1u << 5,
	RP_TCP_WIN = 1u << 6,
	RP_TCP_CSUM = 1u << 7,
	RP_TCP_URP = 1u << 8,
	RP_TCP_OPTS = 1u << 9, /* the whole option area was captured */
};

enum {
	RP_TH_FIN = 0x01,
	RP_TH_SYN = 0x02,
	RP_TH_RST = 0x04,
	RP_TH_PSH = 0x08,
	RP_TH_ACK = 0x10,
	RP_TH_URG = 0x20,
	RP_TH_ECE = 0x40,
	RP_TH_CWR = 0x80,
};

enum {
	RP_TCPOPT_EOL = 0,
	RP_TCPOPT_NOP = 1,
	RP_TCPOPT_MSS = 2,
	RP_TCPOPT_WSCALE = 3,
	RP_TCPOPT_SACKOK = 4,
	RP_TCPOPT_SACK = 5,
	RP_TCPOPT_TIMESTAMP = 8,
};

#define RP_TCPOPT_MAX 40

struct rp_tcpopt {
	uint8_t kind;
	uint8_t len; /* 1 for EOL and NOP */
	uint8_t off; /* where it starts in the TCP header */
	uint32_t a, b; /* mss, wscale, ts val/ecr; first SACK block */
};

struct rp_tcp {
	uint32_t have;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;  /* header length in bytes */
	uint8_t flags; /* byte 13: CWR ECE URG ACK PSH RST SYN FIN */
	uint16_t win, checksum, checksum_want, urp;
	int8_t checksum_ok;
	uint32_t payload; /* payload bytes on the wire */
	uint8_t nopts;
	struct rp_tcpopt opts[RP_TCPOPT_MAX];
	struct rp_buf hdr; /* the header bytes as captured, for SACK blocks */
};

/* ------------------------------------------------------------ the packet */

enum rp_l3 {
	RP_L3_NONE,  /* nothing recognised (link header cut or malformed) */
	RP_L3_IPV4,
	RP_L3_OTHER, /* a well-formed frame carrying something else (ARP, IPv6...) */
};

enum rp_l4 {
	RP_L4_NONE,  /* no transport decoded (non-first fragment, malformed, cut) */
	RP_L4_ICMP,
	RP_L4_UDP,
	RP_L4_TCP,
	RP_L4_OTHER, /* another IP protocol */
};

/* The layer a capture cut short, for the "[|icmp]" marker. */
enum rp_layer {
	RP_LAYER_NONE,
	RP_LAYER_LINK,
	RP_LAYER_IP,
	RP_LAYER_ICMP,
	RP_LAYER_UDP,
	RP_LAYER_TCP,
	RP_LAYER_INNER,
};

/* The datagram an ICMP error quotes. */
struct rp_inner {
	struct rp_ipv4 ip;
	enum rp_l4 l4;
	struct rp_icmp icmp;
	struct rp_udp udp;
	struct rp_tcp tcp;
};

/* What the link header said about the payload when it is not IPv4. */
enum rp_other_kind {
	RP_OTHER_ETHERTYPE, /* 'ethertype' holds it (Ethernet, SLL, SLL2) */
	RP_OTHER_8023,      /* 802.3 length field: LLC frame */
	RP_OTHER_FAMILY,    /* NULL/LOOP address family in 'ethertype' */
	RP_OTHER_IPVER,     /* raw IP with version 'ethertype' (6 for IPv6) */
};

#define RP_VLAN_MAX 4
#define RP_MALFORMED_MAX 96

struct rp_packet {
	/* from the capture */
	uint64_t frame; /* 1-based */
	int64_t ts_sec;
	uint32_t ts_nsec;
	uint32_t caplen, len;
	int dlt;

	/* link layer */
	uint8_t nvlan;
	uint16_t vlan[RP_VLAN_MAX]; /* TCI: priority 3 bits, DEI, VID 12 bits */
	uint16_t vlan_tpid[RP_VLAN_MAX]; /* the type that announced each tag (0x8100, 0x88a8...) */
	uint8_t other_kind;         /* enum rp_other_kind, when l3 == RP_L3_OTHER */
	uint32_t ethertype;         /* the payload type the link header named */
	const uint8_t *mac;         /* Ethernet: destination then source, 12 bytes, or NULL */
	uint32_t l3_offset;         /* where the network layer starts in the frame */

	enum rp_l3 l3;
	struct rp_ipv4 ip;
	enum rp_l4 l4;
	struct rp_icmp icmp;
	struct rp_udp udp;
	struct rp_tcp tcp;
	bool has_inner;
	struct rp_inner inner;

	enum rp_layer cut;        /* first layer the capture length cut short */
	const char *malformed;    /* NULL, or what was wrong; points into malformed_buf */
	char malformed_buf[RP_MALFORMED_MAX];

	/* echo pairing, filled by the caller (rp_echo_*) */
	int64_t resp_ns; /* -1 when this is not a matched echo reply */
	bool dup;
};

#endif
