/* What the text printers share across their files; not a public API. */
#ifndef RAWPROBE_TEXT_INTERNAL_H
#define RAWPROBE_TEXT_INTERNAL_H

#include "print.h"

/* "10.0.0.1.5353 > 10.0.0.2.53": addresses, with ports when the transport has them. */
void rp_text_endpoints(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
		       const struct rp_udp *u, const struct rp_tcp *t);
/* "UDP, length 32", "Flags [S], seq 1, ...", or the protocol's name and length. */
void rp_text_l4_summary(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
			const struct rp_udp *u, const struct rp_tcp *t);
/* " [bad udp cksum 0x1234 -> 0x5678!]", or with -v " [udp sum ok]". */
void rp_text_cksum_verdict(struct rp_out *o, const char *proto, int8_t ok, uint16_t have,
			   uint16_t want, int verbose);
/* "ICMP echo request, id 77, seq 1, length 64", RTT and (DUP!), and with -v the quote. */
void rp_text_icmp(struct rp_out *o, const struct rp_packet *pkt, int verbose);

#endif
