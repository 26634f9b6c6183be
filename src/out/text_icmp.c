/* Text lines: ICMP, in tcpdump's words, and the datagram an error quotes. */
#include <arpa/inet.h>

#include "rawprobe/decode.h"
#include "rawprobe/names.h"
#include "text_internal.h"

static void put_id_seq(struct rp_out *o, const struct rp_icmp *c)
{
	if (c->have & RP_ICMP_ID) {
		RP_OUT_LIT(o, ", id ");
		rp_out_u64(o, rp_icmp_id(c));
	}
	if (c->have & RP_ICMP_SEQ) {
		RP_OUT_LIT(o, ", seq ");
		rp_out_u64(o, rp_icmp_seq(c));
	}
}

static void put_inner_dst(struct rp_out *o, const struct rp_packet *pkt)
{
	if (pkt->has_inner && (pkt->inner.ip.have & RP_IP_DST))
		rp_out_ip4(o, pkt->inner.ip.dst);
	else
		rp_out_char(o, '?');
}

/* tcpdump's wording for destination unreachable (RFC 792, RFC 1812 codes). */
static void put_unreach(struct rp_out *o, const struct rp_packet *pkt)
{
	const struct rp_icmp *c = &pkt->icmp;
	const struct rp_inner *in = &pkt->inner;

	switch (c->code) {
	case 0:
		RP_OUT_LIT(o, "net ");
		put_inner_dst(o, pkt);
		RP_OUT_LIT(o, " unreachable");
		return;
	case 1:
		RP_OUT_LIT(o, "host ");
		put_inner_dst(o, pkt);
		RP_OUT_LIT(o, " unreachable");
		return;
	case 2:
		put_inner_dst(o, pkt);
		RP_OUT_LIT(o, " protocol ");
		if (pkt->has_inner && (in->ip.have & RP_IP_PROTO))
			rp_out_u64(o, in->ip.proto);
		else
			rp_out_char(o, '?');
		RP_OUT_LIT(o, " unreachable");
		return;
	case 3:
		put_inner_dst(o, pkt);
		if (pkt->has_inner && in->l4 == RP_L4_UDP && (in->udp.have & RP_UDP_DPORT)) {
			RP_OUT_LIT(o, " udp port ");
			rp_out_u64(o, in->udp.dport);
		} else if (pkt->has_inner && in->l4 == RP_L4_TCP && (in->tcp.have & RP_TCP_DPORT)) {
			RP_OUT_LIT(o, " tcp port ");
			rp_out_u64(o, in->tcp.dport);
		} else {
			RP_OUT_LIT(o, " port");
		}
		RP_OUT_LIT(o, " unreachable");
		return;
	case 4:
		put_inner_dst(o, pkt);
		RP_OUT_LIT(o, " unreachable - need to frag");
		if (c->have & RP_ICMP_REST) {
			RP_OUT_LIT(o, " (mtu ");
			rp_out_u64(o, c->rest & 0xffff);
			rp_out_char(o, ')');
		}
		return;
	default: {
		const char *why = rp_icmp_code_name(c->type, c->code);
		put_inner_dst(o, pkt);
		RP_OUT_LIT(o, " unreachable - ");
		if (why) {
			rp_out_str(o, why);
		} else {
			RP_OUT_LIT(o, "code ");
			rp_out_u64(o, c->code);
		}
		return;
	}
	}
}

static void put_code_suffix(struct rp_out *o, const struct rp_icmp *c)
{
	const char *name = rp_icmp_code_name(c->type, c->code);

	if (name) {
		RP_OUT_LIT(o, " - ");
		rp_out_str(o, name);
	} else if (c->code) {
		RP_OUT_LIT(o, ", code ");
		rp_out_u64(o, c->code);
	}
}

static void put_router_advert(struct rp_out *o, const struct rp_icmp *c)
{
	RP_OUT_LIT(o, "router advertisement");
	if (!(c->have & RP_ICMP_REST))
		return;
	RP_OUT_LIT(o, ", lifetime ");
	rp_out_u64(o, c->rest & 0xffff);
	RP_OUT_LIT(o, ", ");
	rp_out_u64(o, c->radv_count);
	rp_out_str(o, c->radv_count == 1 ? " addr" : " addrs");
	for (unsigned i = 0; i < c->radv_kept; i++) {
		rp_out_str(o, i ? ", " : ": ");
		rp_out_ip4(o, c->radv[i].addr);
		RP_OUT_LIT(o, " pref ");
		rp_out_i64(o, c->radv[i].pref);
	}
}

static void put_icmp_body(struct rp_out *o, const struct rp_packet *pkt)
{
	const struct rp_icmp *c = &pkt->icmp;
	const char *name = rp_icmp_type_name(c->type);

	switch (c->type) {
	case RP_ICMP_UNREACH:
		put_unreach(o, pkt);
		return;
	case RP_ICMP_REDIRECT:
		RP_OUT_LIT(o, "redirect ");
		put_inner_dst(o, pkt);
		rp_out_str(o, c->code == 0 ? " to net " : c->code == 1 ? " to host " :
			      c->code == 2 ? " to tos-net " : " to tos-host ");
		rp_out_ip4(o, htonl(c->rest));
		return;
	case RP_ICMP_TIMXCEED:
		if (c->code == 0)
			RP_OUT_LIT(o, "time exceeded in-transit");
		else if (c->code == 1)
			RP_OUT_LIT(o, "ip reassembly time exceeded");
		else {
			RP_OUT_LIT(o, "time exceeded, code ");
			rp_out_u64(o, c->code);
		}
		return;
	case RP_ICMP_PARAMPROB:
		RP_OUT_LIT(o, "parameter problem");
		if (c->code == 0 && (c->have & RP_ICMP_REST)) {
			RP_OUT_LIT(o, " - octet ");
			rp_out_u64(o, c->rest >> 24);
		} else {
			put_code_suffix(o, c);
		}
		return;
	case RP_ICMP_ROUTERADVERT:
		put_router_advert(o, c);
		return;
	default:
		break;
	}
	if (name) {
		rp_out_str(o, name);
	} else {
		RP_OUT_LIT(o, "type ");
		rp_out_u64(o, c->type);
	}
	if (rp_icmp_has_idseq(c->type))
		put_id_seq(o, c);
	if (!name || (c->code && !rp_icmp_is_error(c->type))) {
		RP_OUT_LIT(o, ", code ");
		rp_out_u64(o, c->code);
	}
	if (c->type == RP_ICMP_TSTAMP || c->type == RP_ICMP_TSTAMPREPLY) {
		if (c->have & RP_ICMP_OTIME) {
			RP_OUT_LIT(o, ", org ");
			rp_out_u64(o, c->otime);
		}
		if (c->have & RP_ICMP_RTIME) {
			RP_OUT_LIT(o, ", recv ");
			rp_out_u64(o, c->rtime);
		}
		if (c->have & RP_ICMP_TTIME) {
			RP_OUT_LIT(o, ", xmit ");
			rp_out_u64(o, c->ttime);
		}
	}
	if (c->type == RP_ICMP_MASKREPLY && (c->have & RP_ICMP_MASK)) {
		RP_OUT_LIT(o, ", mask ");
		rp_out_ip4(o, c->mask);
	}
}

static void put_inner(struct rp_out *o, const struct rp_inner *in)
{
	RP_OUT_LIT(o, ", quoting IP ");
	rp_text_endpoints(o, &in->ip, in->l4, &in->udp, &in->tcp);
	if (in->l4 == RP_L4_ICMP && (in->icmp.have & RP_ICMP_TYPE)) {
		const char *name = rp_icmp_type_name(in->icmp.type);
		RP_OUT_LIT(o, ": ICMP ");
		if (name) {
			rp_out_str(o, name);
		} else {
			RP_OUT_LIT(o, "type ");
			rp_out_u64(o, in->icmp.type);
		}
		if (rp_icmp_has_idseq(in->icmp.type))
			put_id_seq(o, &in->icmp);
	} else if (in->l4 != RP_L4_NONE) {
		RP_OUT_LIT(o, ": ");
		rp_text_l4_summary(o, &in->ip, in->l4, &in->udp, &in->tcp);
	}
	if (in->ip.have & RP_IP_TTL) {
		RP_OUT_LIT(o, " (ttl ");
		rp_out_u64(o, in->ip.ttl);
		RP_OUT_LIT(o, ", id ");
		rp_out_u64(o, in->ip.id);
		rp_out_char(o, ')');
	}
}

void rp_text_icmp(struct rp_out *o, const struct rp_packet *pkt, int verbose)
{
	const struct rp_icmp *c = &pkt->icmp;

	RP_OUT_LIT(o, "ICMP");
	if (!(c->have & RP_ICMP_TYPE))
		return;
	rp_out_char(o, ' ');
	put_icmp_body(o, pkt);
	RP_OUT_LIT(o, ", length ");
	rp_out_u64(o, c->length);
	if (pkt->resp_ns >= 0) {
		RP_OUT_LIT(o, ", time ");
		rp_out_ms3(o, pkt->resp_ns);
		RP_OUT_LIT(o, " ms");
		if (pkt->dup)
			RP_OUT_LIT(o, " (DUP!)");
	}
	if (verbose && pkt->has_inner)
		put_inner(o, &pkt->inner);
}
