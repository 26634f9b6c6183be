/*
 * Which received datagrams answer a crafted probe: the reply its protocol
 * calls for, coming back from the target to the address the probe left
 * from, or an ICMP error from anywhere that quotes the probe.
 *
 * Direction matters: the probe itself, seen again on loopback, goes from
 * src to dst, and every rule below wants the other way round (or, for an
 * error, a quote of the probe, which the probe does not carry). A probe to
 * its own address with equal ports cannot be told apart from its reply by
 * its bytes; the command must look at the packet's direction there.
 */
#include "rawprobe/craft.h"
#include "craft_internal.h"

/* The reply type of an ICMP query; -1 for types nothing answers but an error. */
static int icmp_reply_type(uint8_t type)
{
	switch (type) {
	case RP_ICMP_ECHO: return RP_ICMP_ECHOREPLY;
	case RP_ICMP_TSTAMP: return RP_ICMP_TSTAMPREPLY;
	case RP_ICMP_IREQ: return RP_ICMP_IREQREPLY;
	case RP_ICMP_MASKREQ: return RP_ICMP_MASKREPLY;
	case RP_ICMP_ROUTERSOLICIT: return RP_ICMP_ROUTERADVERT;
	default: return -1;
	}
}

/*
 * The packet comes from the target (the header's destination, or a source
 * route's final one) to us (any address of ours when src is unknown).
 */
static bool from_target(const struct rp_craft *c, uint32_t src, const struct rp_ipv4 *ip)
{
	if ((ip->have & (RP_IP_SRC | RP_IP_DST)) != (RP_IP_SRC | RP_IP_DST))
		return false;
	if (src != 0 && ip->dst != src)
		return false;
	return ip->src == c->dst || (c->ip_opts_len && ip->src == rp_craft_final_dst(c));
}

/* The destination a quote of our probe may show: the header's, or a later hop of its source route. */
static bool our_destination(const struct rp_craft *c, uint32_t dst)
{
	uint32_t route[RP_CRAFT_ROUTE_MAX];
	unsigned n;

	if (dst == c->dst)
		return true;
	n = c->ip_opts_len ? rp_craft_route(c, route) : 0;
	for (unsigned i = 0; i < n; i++)
		if (route[i] == dst)
			return true;
	return false;
}

static bool icmp_reply(const struct rp_craft *c, const struct rp_packet *pkt)
{
	int want = icmp_reply_type(c->icmp.type);
	const struct rp_icmp *m = &pkt->icmp;

	if (want < 0 || pkt->l4 != RP_L4_ICMP || !(m->have & RP_ICMP_TYPE) || m->type != want)
		return false;
	if (!rp_icmp_has_idseq(m->type))
		return true;
	return (m->have & RP_ICMP_ID) && rp_icmp_id(m) == rp_craft_icmp_id(c);
}

static bool ports_reply(uint32_t have, uint32_t sport_bit, uint32_t dport_bit, uint16_t sport,
			uint16_t dport, uint16_t our_sport, uint16_t our_dport)
{
	return (have & sport_bit) && (have & dport_bit) && sport == our_dport && dport == our_sport;
}

static bool is_reply(const struct rp_craft *c, uint32_t src, const struct rp_packet *pkt)
{
	if (!from_target(c, src, &pkt->ip))
		return false;
	switch (c->l4) {
	case RP_CRAFT_ICMP:
		return icmp_reply(c, pkt);
	case RP_CRAFT_UDP:
		return pkt->l4 == RP_L4_UDP &&
		       ports_reply(pkt->udp.have, RP_UDP_SPORT, RP_UDP_DPORT, pkt->udp.sport,
				   pkt->udp.dport, c->udp.sport, c->udp.dport);
	case RP_CRAFT_TCP:
		return pkt->l4 == RP_L4_TCP &&
		       ports_reply(pkt->tcp.have, RP_TCP_SPORT, RP_TCP_DPORT, pkt->tcp.sport,
				   pkt->tcp.dport, c->tcp.sport, c->tcp.dport);
	default:
		return (pkt->ip.have & RP_IP_PROTO) && pkt->ip.proto == rp_craft_proto(c);
	}
}

/*
 * The quoted transport names our probe: ICMP by type, code and (for the
 * types that carry one, or with --icmp-rest) id, UDP and TCP by ports;
 * never by sequence, as any probe of the run counts. A quote that stops
 * before those fields, or a transport the header does not carry under its
 * own number (--proto over --udp...), is judged by addresses and protocol.
 */
static bool quote_transport(const struct rp_craft *c, const struct rp_inner *in)
{
	uint8_t natural = c->l4 == RP_CRAFT_UDP ? 17 : c->l4 == RP_CRAFT_TCP ? 6 : 1;

	if (c->l4 == RP_CRAFT_RAW || rp_craft_proto(c) != natural || in->l4 == RP_L4_NONE)
		return true;
	switch (c->l4) {
	case RP_CRAFT_ICMP: {
		const struct rp_icmp *m = &in->icmp;
		if (!(m->have & RP_ICMP_TYPE))
			return true;
		if (m->type != c->icmp.type || ((m->have & RP_ICMP_CODE) && m->code != c->icmp.code))
			return false;
		if (!(m->have & RP_ICMP_ID))
			return true;
		if (rp_icmp_has_idseq(c->icmp.type) || (c->set & RP_CS_ICMP_REST))
			return rp_icmp_id(m) == rp_craft_icmp_id(c);
		return true;
	}
	case RP_CRAFT_UDP:
		return in->l4 == RP_L4_UDP &&
		       (!(in->udp.have & RP_UDP_SPORT) || in->udp.sport == c->udp.sport) &&
		       (!(in->udp.have & RP_UDP_DPORT) || in->udp.dport == c->udp.dport);
	default:
		return in->l4 == RP_L4_TCP &&
		       (!(in->tcp.have & RP_TCP_SPORT) || in->tcp.sport == c->tcp.sport) &&
		       (!(in->tcp.have & RP_TCP_DPORT) || in->tcp.dport == c->tcp.dport);
	}
}

/* An ICMP error, from any router, sent to us and quoting our probe. */
static bool is_error(const struct rp_craft *c, uint32_t src, const struct rp_packet *pkt)
{
	const struct rp_ipv4 *q = &pkt->inner.ip;
	const uint32_t need = RP_IP_SRC | RP_IP_DST | RP_IP_PROTO;

	if (pkt->l4 != RP_L4_ICMP || !(pkt->icmp.have & RP_ICMP_TYPE) ||
	    !rp_icmp_is_error(pkt->icmp.type) || !pkt->has_inner)
		return false;
	if (src != 0 && (!(pkt->ip.have & RP_IP_DST) || pkt->ip.dst != src))
		return false;
	if ((q->have & need) != need || !our_destination(c, q->dst) || q->proto != rp_craft_proto(c))
		return false;
	if (src != 0 && q->src != src)
		return false;
	return quote_transport(c, &pkt->inner);
}

enum rp_craft_answer rp_craft_match(const struct rp_craft *c, uint32_t src,
				    const struct rp_packet *pkt)
{
	if (pkt->l3 != RP_L3_IPV4)
		return RP_ANSWER_NONE;
	if (is_error(c, src, pkt))
		return RP_ANSWER_ERROR;
	return is_reply(c, src, pkt) ? RP_ANSWER_REPLY : RP_ANSWER_NONE;
}
