/*
 * Hand-made IPv4 datagrams (`rawprobe craft`): a specification holding
 * every field of IPv4, ICMP, UDP and TCP, with correct defaults for every
 * field the user did not set; building it into bytes; checking it for values
 * that cannot be built; and recognising the replies that belong to it.
 *
 * No I/O here: the command parses options into a struct rp_craft, the core
 * checks and builds it, the command sends it.
 */
#ifndef RAWPROBE_CRAFT_H
#define RAWPROBE_CRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawprobe/packet.h"

#define RP_CRAFT_MAX 65535 /* IPv4 total length limit */

/* Which fields the user set (rp_craft.set); everything else gets its default. */
enum {
	RP_CS_SRC = 1u << 0,       /* --src (also 0.0.0.0) */
	RP_CS_ID = 1u << 1,        /* --id (also 0) */
	RP_CS_IHL = 1u << 2,       /* --ihl override (words) */
	RP_CS_IP_LEN = 1u << 3,    /* --ip-len override */
	RP_CS_IP_CSUM = 1u << 4,   /* --ip-checksum N */
	RP_CS_IP_CSUM_BAD = 1u << 5, /* --ip-checksum bad: the right one, made wrong */
	RP_CS_PROTO = 1u << 6,     /* --proto N (else from the transport chosen) */
	RP_CS_L4_CSUM = 1u << 7,   /* --icmp-checksum/--udp-checksum/--tcp-checksum N */
	RP_CS_L4_CSUM_BAD = 1u << 8,
	RP_CS_ICMP_REST = 1u << 9, /* --icmp-rest HEX: bytes 4..7 exactly as given */
	RP_CS_UDP_LEN = 1u << 10,  /* --udp-len override */
	RP_CS_TCP_HLEN = 1u << 11, /* --tcp-hlen override (data offset, words) */
	RP_CS_PAYLOAD = 1u << 12,  /* payload given (data/hex/file/size): no default payload */
};

enum rp_craft_l4 {
	RP_CRAFT_ICMP, /* default */
	RP_CRAFT_UDP,
	RP_CRAFT_TCP,
	RP_CRAFT_RAW,  /* --proto N without a transport: the payload follows the IP header */
};

struct rp_craft_icmp {
	uint8_t type, code;   /* default 8/0 (echo request) */
	uint16_t id, seq;     /* echo, timestamp, info, mask; default id: the run's, seq 1.. */
	uint8_t rest[4];      /* with RP_CS_ICMP_REST: bytes 4..7, overriding the typed fields */
	uint32_t otime, rtime, ttime; /* timestamp (13, 14); otime default: ms since midnight UTC,
				       * filled by the command (rp_craft_init leaves 0: no clock here) */
	uint32_t mask;        /* address mask (17, 18), network order */
	uint8_t pointer;      /* parameter problem (12) */
	uint32_t gateway;     /* redirect (5), network order */
	uint16_t mtu;         /* destination unreachable, fragmentation needed (3/4) */
};

struct rp_craft_udp {
	uint16_t sport, dport;
	uint16_t len;         /* with RP_CS_UDP_LEN */
};

struct rp_craft_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;        /* RP_TH_*; default SYN */
	uint16_t win, urp;    /* default window 64240 */
	uint8_t hlen_words;   /* with RP_CS_TCP_HLEN */
	uint8_t opts[40];     /* encoded TCP options, padded by the builder to 4 bytes */
	uint8_t opts_len;
};

struct rp_craft {
	uint32_t set;          /* RP_CS_* */
	/* IPv4 */
	uint32_t src, dst;     /* network order; src 0 and not set: the kernel's choice, but the
				* UDP/TCP pseudo-header and an error's default quote need the real
				* one: the command fills it (rp_route_source) without RP_CS_SRC */
	uint8_t tos, ttl;      /* default 0, 64 */
	uint16_t id;           /* without RP_CS_ID: the run's non-zero base, probe n gets id + n */
	uint8_t ihl_words;     /* with RP_CS_IHL */
	uint16_t ip_len;       /* with RP_CS_IP_LEN */
	uint16_t frag;         /* flags and offset as on the wire: RP_IP_DF|RP_IP_MF|offset/8 */
	uint8_t proto;         /* with RP_CS_PROTO */
	uint16_t ip_csum;      /* with RP_CS_IP_CSUM */
	uint8_t ip_opts[40];   /* encoded options, padded by the builder to 4 bytes with EOL */
	uint8_t ip_opts_len;
	/* transport */
	enum rp_craft_l4 l4;
	struct rp_craft_icmp icmp;
	struct rp_craft_udp udp;
	struct rp_craft_tcp tcp;
	uint16_t l4_csum;      /* with RP_CS_L4_CSUM */
	/* payload (not owned) */
	const uint8_t *payload;
	size_t payload_len;
};

/* Defaults for everything: an ICMP echo request to dst with TTL 64. */
void rp_craft_init(struct rp_craft *c);

/*
 * A value the spec cannot be built with: the option it came from and what
 * is allowed ("--ip-opt: options take 44 bytes; at most 40").
 */
struct rp_craft_err {
	char msg[160];
};

/* Checks what option parsing alone cannot (sizes, combinations). 0, or -1 with e filled. */
int rp_craft_check(const struct rp_craft *c, struct rp_craft_err *e);

/* Bytes the datagram takes (its real length, whatever --ip-len says). */
size_t rp_craft_size(const struct rp_craft *c);

/*
 * Builds the datagram into out (cap >= rp_craft_size); returns its length,
 * 0 when the spec fails rp_craft_check. Checksums are right unless the spec
 * sets them; a checksum "bad" is the right value changed in one bit (and
 * never 0 for UDP, which would mean "no checksum").
 */
size_t rp_craft_build(const struct rp_craft *c, uint8_t *out, size_t cap);

/*
 * Sets the ICMP sequence (or the TCP sequence, or nothing for UDP/raw) of a
 * datagram already built for probe number n of a --count run, and fixes the
 * checksums the spec left to us. Lets the send loop build once.
 * n is 0-based: ICMP seq = icmp.seq + n (id/seq types, unless --icmp-rest),
 * TCP seq = tcp.seq + n, and without RP_CS_ID the IP id = id + n, skipping 0
 * (1..65535 cyclic; an id base of 0 stays 0, the kernel's). Checksums we
 * own follow by RFC 1624; "bad" ones are redone, given values are kept.
 */
void rp_craft_renumber(const struct rp_craft *c, uint8_t *dg, size_t len, uint32_t n);

/*
 * True where an IP_HDRINCL raw socket would change what was built (raw(7):
 * the header checksum and total length always, the id and source when 0,
 * and a header length under 5 words is refused): such datagrams go out
 * through a packet socket instead.
 */
bool rp_craft_needs_link_send(const struct rp_craft *c);

/* ---------------------------------------------------------- option text */

/*
 * Appends one IP option given as text to c->ip_opts: rr[=N], ts[=N],
 * lsrr=A,B,..., ssrr=A,B,..., ra, nop, eol, hex:HEX. -1 with e filled.
 */
int rp_craft_parse_ipopt(struct rp_craft *c, const char *text, struct rp_craft_err *e);
/* TCP options: "mss=1460,sack-ok,ts=V:E,ws=7,nop,eol,hex:HEX", appended. */
int rp_craft_parse_tcpopt(struct rp_craft *c, const char *text, struct rp_craft_err *e);
/* TCP flags from letters S A F R P U E C (any order, case-insensitive), a number 0-255, or "none". */
int rp_craft_parse_tcp_flags(const char *text, uint8_t *flags, struct rp_craft_err *e);
/* ICMP type and code by number or name ("echo-request", "port-unreachable"...). */
int rp_craft_parse_icmp_type(const char *text, uint8_t *type, struct rp_craft_err *e);
int rp_craft_parse_icmp_code(uint8_t type, const char *text, uint8_t *code, struct rp_craft_err *e);
/*
 * Hex digits, optionally separated by spaces, colons or "0x"; returns bytes, -1 on error.
 * Each group between separators holds whole bytes (an even digit count). The
 * message does not name the option (--hex, --icmp-rest...): put it in front.
 */
long rp_craft_parse_hex(const char *text, uint8_t *out, size_t cap, struct rp_craft_err *e);

/* ---------------------------------------------------------- replies */

enum rp_craft_answer {
	RP_ANSWER_NONE,   /* not about our probe */
	RP_ANSWER_REPLY,  /* echo/timestamp/info/mask reply; UDP or TCP from the target's port */
	RP_ANSWER_ERROR,  /* an ICMP error quoting our probe */
};

/*
 * Whether a received datagram (decoded with rp_decode, raw link type)
 * answers the probe c describes: the reply type of our ICMP request with
 * our id (any seq of the run), a TCP or UDP segment from dst:dport to
 * our sport, or an ICMP error whose quote has our addresses, protocol and
 * (for ICMP) id or (for UDP/TCP) ports. src is the source the probe left
 * with (the kernel's choice when c->src was 0).
 */
enum rp_craft_answer rp_craft_match(const struct rp_craft *c, uint32_t src,
				    const struct rp_packet *pkt);

#endif
