/*
 * JSON Lines, keys exactly as CONTRACT.md names them. A field the capture
 * did not hold is null; a layer that is not there is no key at all.
 */
#include <arpa/inet.h>

#include "print.h"
#include "rawprobe/decode.h"

/* ------------------------------------------------------------ values */

/* "\"name\":" as a literal of known size: the keys are fixed, so no escaping is needed. */
#define KEY(o, lit) RP_OUT_LIT((o), "\"" lit "\":")
#define NKEY(o, lit) RP_OUT_LIT((o), ",\"" lit "\":")

static void null_or_u64(struct rp_out *o, bool have, uint64_t v)
{
	if (have)
		rp_out_u64(o, v);
	else
		RP_OUT_LIT(o, "null");
}

static void null_or_bool(struct rp_out *o, bool have, bool v)
{
	if (!have)
		RP_OUT_LIT(o, "null");
	else if (v)
		RP_OUT_LIT(o, "true");
	else
		RP_OUT_LIT(o, "false");
}

static void null_or_ip(struct rp_out *o, bool have, uint32_t addr)
{
	if (!have) {
		RP_OUT_LIT(o, "null");
		return;
	}
	rp_out_char(o, '"');
	rp_out_ip4(o, addr);
	rp_out_char(o, '"');
}

static void check_verdict(struct rp_out *o, int8_t ok)
{
	null_or_bool(o, ok != RP_CHECK_NONE, ok == RP_CHECK_OK);
}

/* ------------------------------------------------------------ layers */

static void json_ip(struct rp_out *o, const struct rp_ipv4 *ip)
{
	uint32_t h = ip->have;
	bool frag = h & RP_IP_FRAG;

	KEY(o, "version");
	null_or_u64(o, h & RP_IP_VHL, ip->version);
	NKEY(o, "ihl");
	null_or_u64(o, h & RP_IP_VHL, ip->ihl);
	NKEY(o, "tos");
	null_or_u64(o, h & RP_IP_TOS, ip->tos);
	NKEY(o, "len");
	null_or_u64(o, h & RP_IP_LEN, ip->len);
	NKEY(o, "id");
	null_or_u64(o, h & RP_IP_ID, ip->id);
	NKEY(o, "df");
	null_or_bool(o, frag, ip->frag & RP_IP_DF);
	NKEY(o, "mf");
	null_or_bool(o, frag, ip->frag & RP_IP_MF);
	NKEY(o, "frag_off");
	null_or_u64(o, frag, rp_ip_frag_bytes(ip));
	NKEY(o, "ttl");
	null_or_u64(o, h & RP_IP_TTL, ip->ttl);
	NKEY(o, "proto");
	null_or_u64(o, h & RP_IP_PROTO, ip->proto);
	NKEY(o, "checksum");
	null_or_u64(o, h & RP_IP_CSUM, ip->checksum);
	NKEY(o, "checksum_ok");
	check_verdict(o, ip->checksum_ok);
	NKEY(o, "src");
	null_or_ip(o, h & RP_IP_SRC, ip->src);
	NKEY(o, "dst");
	null_or_ip(o, h & RP_IP_DST, ip->dst);
	if ((h & RP_IP_VHL) && ip->ihl > 5) {
		NKEY(o, "options");
		if (!(h & RP_IP_OPTS)) {
			RP_OUT_LIT(o, "null");
			return;
		}
		rp_out_char(o, '[');
		for (unsigned i = 0; i < ip->nopts; i++) {
			rp_out_str(o, i ? ",{\"type\":" : "{\"type\":");
			rp_out_u64(o, ip->opts[i].type);
			NKEY(o, "len");
			rp_out_u64(o, ip->opts[i].len);
			rp_out_char(o, '}');
		}
		rp_out_char(o, ']');
	}
}

static void json_udp(struct rp_out *o, const struct rp_udp *u)
{
	KEY(o, "sport");
	null_or_u64(o, u->have & RP_UDP_SPORT, u->sport);
	NKEY(o, "dport");
	null_or_u64(o, u->have & RP_UDP_DPORT, u->dport);
	NKEY(o, "len");
	null_or_u64(o, u->have & RP_UDP_LEN, u->len);
	NKEY(o, "checksum");
	null_or_u64(o, u->have & RP_UDP_CSUM, u->checksum);
	NKEY(o, "checksum_ok");
	check_verdict(o, u->checksum_ok);
}

static void json_tcp(struct rp_out *o, const struct rp_tcp *t)
{
	uint32_t h = t->have;

	KEY(o, "sport");
	null_or_u64(o, h & RP_TCP_SPORT, t->sport);
	NKEY(o, "dport");
	null_or_u64(o, h & RP_TCP_DPORT, t->dport);
	NKEY(o, "seq");
	null_or_u64(o, h & RP_TCP_SEQ, t->seq);
	NKEY(o, "ack");
	null_or_u64(o, h & RP_TCP_ACK, t->ack);
	NKEY(o, "hlen");
	null_or_u64(o, h & RP_TCP_HLEN, t->hlen);
	NKEY(o, "flags");
	null_or_u64(o, h & RP_TCP_FLAGS, t->flags);
	NKEY(o, "win");
	null_or_u64(o, h & RP_TCP_WIN, t->win);
	NKEY(o, "checksum");
	null_or_u64(o, h & RP_TCP_CSUM, t->checksum);
	NKEY(o, "checksum_ok");
	check_verdict(o, t->checksum_ok);
	if ((h & RP_TCP_HLEN) && t->hlen > 20) {
		NKEY(o, "options");
		if (!(h & RP_TCP_OPTS)) {
			RP_OUT_LIT(o, "null");
			return;
		}
		rp_out_char(o, '[');
		for (unsigned i = 0; i < t->nopts; i++) {
			rp_out_str(o, i ? ",{\"kind\":" : "{\"kind\":");
			rp_out_u64(o, t->opts[i].kind);
			NKEY(o, "len");
			rp_out_u64(o, t->opts[i].len);
			rp_out_char(o, '}');
		}
		rp_out_char(o, ']');
	}
}

/* The fields beyond type, code and checksum that each type carries. */
static void json_icmp_fields(struct rp_out *o, const struct rp_icmp *c)
{
	bool rest = c->have & RP_ICMP_REST;

	if (rp_icmp_has_idseq(c->type)) {
		NKEY(o, "id");
		null_or_u64(o, c->have & RP_ICMP_ID, rp_icmp_id(c));
		NKEY(o, "seq");
		null_or_u64(o, c->have & RP_ICMP_SEQ, rp_icmp_seq(c));
	}
	switch (c->type) {
	case RP_ICMP_UNREACH:
		if (c->code == 4) {
			NKEY(o, "mtu");
			null_or_u64(o, rest, c->rest & 0xffff);
		}
		break;
	case RP_ICMP_REDIRECT:
		NKEY(o, "gateway");
		null_or_ip(o, rest, htonl(c->rest));
		break;
	case RP_ICMP_PARAMPROB:
		NKEY(o, "pointer");
		null_or_u64(o, rest, c->rest >> 24);
		break;
	case RP_ICMP_TSTAMP:
	case RP_ICMP_TSTAMPREPLY:
		NKEY(o, "originate");
		null_or_u64(o, c->have & RP_ICMP_OTIME, c->otime);
		NKEY(o, "receive");
		null_or_u64(o, c->have & RP_ICMP_RTIME, c->rtime);
		NKEY(o, "transmit");
		null_or_u64(o, c->have & RP_ICMP_TTIME, c->ttime);
		break;
	case RP_ICMP_MASKREQ:
	case RP_ICMP_MASKREPLY:
		NKEY(o, "mask");
		null_or_ip(o, c->have & RP_ICMP_MASK, c->mask);
		break;
	case RP_ICMP_ROUTERADVERT:
		NKEY(o, "lifetime");
		null_or_u64(o, rest, c->rest & 0xffff);
		NKEY(o, "addrs");
		if (!rest || c->radv_kept < c->radv_count) {
			RP_OUT_LIT(o, "null");
			break;
		}
		rp_out_char(o, '[');
		for (unsigned i = 0; i < c->radv_kept; i++) {
			rp_out_str(o, i ? ",{\"addr\":" : "{\"addr\":");
			null_or_ip(o, true, c->radv[i].addr);
			NKEY(o, "pref");
			rp_out_i64(o, c->radv[i].pref);
			rp_out_char(o, '}');
		}
		rp_out_char(o, ']');
		break;
	default:
		break;
	}
}

static void json_icmp_head(struct rp_out *o, const struct rp_icmp *c)
{
	KEY(o, "type");
	null_or_u64(o, c->have & RP_ICMP_TYPE, c->type);
	NKEY(o, "code");
	null_or_u64(o, c->have & RP_ICMP_CODE, c->code);
	NKEY(o, "checksum");
	null_or_u64(o, c->have & RP_ICMP_CSUM, c->checksum);
	NKEY(o, "checksum_ok");
	check_verdict(o, c->checksum_ok);
	if (c->have & RP_ICMP_TYPE)
		json_icmp_fields(o, c);
}

static void json_transport(struct rp_out *o, enum rp_l4 l4, const struct rp_icmp *c,
			   const struct rp_udp *u, const struct rp_tcp *t)
{
	switch (l4) {
	case RP_L4_ICMP:
		NKEY(o, "icmp");
		rp_out_char(o, '{');
		json_icmp_head(o, c);
		rp_out_char(o, '}');
		break;
	case RP_L4_UDP:
		NKEY(o, "udp");
		rp_out_char(o, '{');
		json_udp(o, u);
		rp_out_char(o, '}');
		break;
	case RP_L4_TCP:
		NKEY(o, "tcp");
		rp_out_char(o, '{');
		json_tcp(o, t);
		rp_out_char(o, '}');
		break;
	default:
		break;
	}
}

static void json_inner(struct rp_out *o, const struct rp_inner *in)
{
	NKEY(o, "inner");
	RP_OUT_LIT(o, "{\"ip\":{");
	json_ip(o, &in->ip);
	rp_out_char(o, '}');
	json_transport(o, in->l4, &in->icmp, &in->udp, &in->tcp);
	rp_out_char(o, '}');
}

static void json_icmp(struct rp_out *o, const struct rp_packet *pkt)
{
	NKEY(o, "icmp");
	rp_out_char(o, '{');
	json_icmp_head(o, &pkt->icmp);
	if (pkt->resp_ns >= 0) {
		NKEY(o, "resptime_ms");
		rp_out_ms_exact(o, pkt->resp_ns);
		if (pkt->dup)
			RP_OUT_LIT(o, ",\"dup\":true");
	}
	if (pkt->has_inner)
		json_inner(o, &pkt->inner);
	rp_out_char(o, '}');
}

/* ------------------------------------------------------------ the object */

void rp_json_packet(struct rp_out *o, const struct rp_packet *pkt, const char *link_name)
{
	rp_out_reserve(o, 1024);
	RP_OUT_LIT(o, "{\"frame\":");
	rp_out_u64(o, pkt->frame);
	NKEY(o, "ts");
	rp_out_char(o, '"');
	rp_out_i64(o, pkt->ts_sec);
	rp_out_char(o, '.');
	rp_out_u64w(o, pkt->ts_nsec, 9);
	rp_out_char(o, '"');
	NKEY(o, "caplen");
	rp_out_u64(o, pkt->caplen);
	NKEY(o, "len");
	rp_out_u64(o, pkt->len);
	NKEY(o, "link");
	if (link_name)
		rp_out_json_str(o, link_name);
	else
		RP_OUT_LIT(o, "null");
	if (pkt->nvlan) {
		NKEY(o, "vlan");
		for (unsigned i = 0; i < pkt->nvlan; i++) {
			rp_out_char(o, i ? ',' : '[');
			rp_out_u64(o, pkt->vlan[i] & 0x0fff);
		}
		rp_out_char(o, ']');
	}
	if (pkt->l3 == RP_L3_IPV4) {
		NKEY(o, "ip");
		rp_out_char(o, '{');
		json_ip(o, &pkt->ip);
		rp_out_char(o, '}');
		if (pkt->l4 == RP_L4_ICMP)
			json_icmp(o, pkt);
		else
			json_transport(o, pkt->l4, &pkt->icmp, &pkt->udp, &pkt->tcp);
	}
	if (pkt->malformed) {
		NKEY(o, "malformed");
		rp_out_json_str(o, pkt->malformed);
	}
	RP_OUT_LIT(o, "}\n");
}

/* ------------------------------------------------------------ summary */

static void json_ms(struct rp_out *o, bool have, double ms)
{
	if (have)
		rp_out_fixed(o, ms, 6);
	else
		RP_OUT_LIT(o, "null");
}

void rp_json_stats(struct rp_out *o, const struct rp_capstats *s)
{
	const struct rp_rtt *r = &s->rtt;
	bool have = r->n > 0;

	RP_OUT_LIT(o, "{\"packets\":");
	rp_out_u64(o, s->packets);
	NKEY(o, "bytes");
	rp_out_u64(o, s->bytes);
	NKEY(o, "malformed");
	rp_out_u64(o, s->malformed);
	RP_OUT_LIT(o, ",\"proto\":{\"icmp\":");
	rp_out_u64(o, s->icmp);
	NKEY(o, "udp");
	rp_out_u64(o, s->udp);
	NKEY(o, "tcp");
	rp_out_u64(o, s->tcp);
	NKEY(o, "other");
	rp_out_u64(o, s->other);
	RP_OUT_LIT(o, "},\"icmp_echo\":{\"requests\":");
	rp_out_u64(o, s->echo_requests);
	NKEY(o, "replies");
	rp_out_u64(o, s->echo_replies);
	NKEY(o, "unanswered");
	rp_out_u64(o, s->echo_unanswered);
	NKEY(o, "duplicates");
	rp_out_u64(o, s->echo_duplicates);
	RP_OUT_LIT(o, ",\"rtt_ms\":{\"min\":");
	json_ms(o, have, (double)r->min_ns / 1e6);
	NKEY(o, "avg");
	json_ms(o, have, rp_rtt_avg_ms(r));
	NKEY(o, "max");
	json_ms(o, have, (double)r->max_ns / 1e6);
	NKEY(o, "mdev");
	json_ms(o, have, rp_rtt_mdev_ms(r));
	RP_OUT_LIT(o, "}}}\n");
}
