/*
 * tcpdump-like text lines. One call per packet; everything is written into
 * the output buffer directly (no printf on the per-packet path).
 */
#include <arpa/inet.h>
#include <time.h>

#include "print.h"
#include "rawprobe/decode.h"
#include "rawprobe/names.h"

#define LINE_RESERVE 1024 /* room for one line without a flush in the middle */

void rp_text_state_init(struct rp_text_state *st)
{
	st->minute_start = INT64_MIN;
	st->have_prev = false;
	st->hhmm_len = st->date_len = 0;
}

/* ------------------------------------------------------------ timestamps */

static void put_frac(struct rp_out *o, uint32_t nsec, bool nano)
{
	rp_out_char(o, '.');
	if (nano)
		rp_out_u64w(o, nsec, 9);
	else
		rp_out_u64w(o, nsec / 1000, 6);
}

/* Calendar fields change once a minute at most: cache "YYYY-MM-DD HH:MM:" per minute. */
static void refresh_minute(struct rp_text_state *st, int64_t sec, bool utc)
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
		st->minute_start = INT64_MIN;
		st->hhmm_len = st->date_len = 0;
		return;
	}
	st->minute_start = sec - tm.tm_sec;
	st->hhmm_len = (unsigned)strftime(st->hhmm, sizeof st->hhmm, "%Y-%m-%d %H:%M:", &tm);
	st->date_len = 11;
}

static void put_clock(struct rp_out *o, struct rp_text_state *st, const struct rp_text_opts *opt,
		      const struct rp_packet *pkt, bool date)
{
	int64_t sec = pkt->ts_sec;

	if (st->minute_start == INT64_MIN || sec < st->minute_start || sec >= st->minute_start + 60)
		refresh_minute(st, sec, opt->utc);
	if (st->hhmm_len == 0) { /* a time the C library cannot convert */
		rp_out_i64(o, sec);
	} else {
		unsigned from = date ? 0 : st->date_len;
		rp_out_mem(o, st->hhmm + from, st->hhmm_len - from);
		rp_out_u64w(o, (uint64_t)(sec - st->minute_start), 2);
	}
	put_frac(o, pkt->ts_nsec, opt->nano);
}

static void put_delta(struct rp_out *o, int64_t sec, uint32_t nsec, int64_t psec, uint32_t pnsec,
		      bool nano)
{
	int64_t ns = (sec - psec) * 1000000000 + ((int64_t)nsec - (int64_t)pnsec);

	if (ns < 0) {
		rp_out_char(o, '-');
		ns = -ns;
	}
	rp_out_u64(o, (uint64_t)(ns / 1000000000));
	put_frac(o, (uint32_t)(ns % 1000000000), nano);
}

static void put_timestamp(struct rp_out *o, struct rp_text_state *st,
			  const struct rp_text_opts *opt, const struct rp_packet *pkt)
{
	if (!st->have_prev) {
		st->first_sec = st->prev_sec = pkt->ts_sec;
		st->first_nsec = st->prev_nsec = pkt->ts_nsec;
		st->have_prev = true;
	}
	switch (opt->tsfmt) {
	case RP_TS_NONE:
		return;
	case RP_TS_TIME:
		put_clock(o, st, opt, pkt, false);
		break;
	case RP_TS_DATE:
		put_clock(o, st, opt, pkt, true);
		break;
	case RP_TS_EPOCH:
		rp_out_i64(o, pkt->ts_sec);
		put_frac(o, pkt->ts_nsec, opt->nano);
		break;
	case RP_TS_DELTA:
		put_delta(o, pkt->ts_sec, pkt->ts_nsec, st->prev_sec, st->prev_nsec, opt->nano);
		break;
	case RP_TS_SINCE_FIRST:
		put_delta(o, pkt->ts_sec, pkt->ts_nsec, st->first_sec, st->first_nsec, opt->nano);
		break;
	}
	st->prev_sec = pkt->ts_sec;
	st->prev_nsec = pkt->ts_nsec;
	rp_out_char(o, ' ');
}

/* ------------------------------------------------------------ link layer */

static void put_mac(struct rp_out *o, const uint8_t *m)
{
	for (int i = 0; i < 6; i++) {
		if (i)
			rp_out_char(o, ':');
		rp_out_hex(o, m[i], 2);
	}
}

static void put_ethertype(struct rp_out *o, uint32_t type)
{
	const char *name = rp_ethertype_name((uint16_t)type);

	if (name) {
		rp_out_str(o, name);
		rp_out_char(o, ' ');
	}
	RP_OUT_LIT(o, "(0x");
	rp_out_hex(o, type, 4);
	rp_out_char(o, ')');
}

static void put_vlan_tag(struct rp_out *o, uint16_t tci)
{
	RP_OUT_LIT(o, "vlan ");
	rp_out_u64(o, tci & 0x0fff);
	RP_OUT_LIT(o, ", p ");
	rp_out_u64(o, tci >> 13);
	if (tci & 0x1000)
		RP_OUT_LIT(o, ", DEI");
	RP_OUT_LIT(o, ", ");
}

/* The type a link header names: ethertype, or an 802.3 length field. */
static void put_link_type(struct rp_out *o, const struct rp_packet *pkt, uint32_t type)
{
	if (pkt->dlt == 1 && type < 0x0600) {
		RP_OUT_LIT(o, "802.3 length ");
		rp_out_u64(o, type);
	} else {
		RP_OUT_LIT(o, "ethertype ");
		put_ethertype(o, type);
	}
	RP_OUT_LIT(o, ", ");
}

/* -e, as tcpdump -e: "src > dst, ethertype 802.1Q (0x8100), length 102: vlan 100, p 0, ethertype IPv4 (0x0800), " */
static void put_link_header(struct rp_out *o, const struct rp_packet *pkt)
{
	bool typed = pkt->l3 != RP_L3_NONE && pkt->other_kind != RP_OTHER_FAMILY &&
		     pkt->other_kind != RP_OTHER_IPVER;

	if (pkt->mac) {
		put_mac(o, pkt->mac + 6);
		RP_OUT_LIT(o, " > ");
		put_mac(o, pkt->mac);
		RP_OUT_LIT(o, ", ");
	}
	if (typed)
		put_link_type(o, pkt, pkt->nvlan ? pkt->vlan_tpid[0] : pkt->ethertype);
	RP_OUT_LIT(o, "length ");
	rp_out_u64(o, pkt->len);
	RP_OUT_LIT(o, ": ");
	for (unsigned i = 0; i < pkt->nvlan; i++) {
		put_vlan_tag(o, pkt->vlan[i]);
		put_link_type(o, pkt, i + 1 < pkt->nvlan ? pkt->vlan_tpid[i + 1] : pkt->ethertype);
	}
}

static void put_vlans(struct rp_out *o, const struct rp_packet *pkt)
{
	for (unsigned i = 0; i < pkt->nvlan; i++)
		put_vlan_tag(o, pkt->vlan[i]);
}

static bool family_is_ipv6(uint32_t family)
{
	return family == 10 || family == 24 || family == 28 || family == 30;
}

/* A frame that carries no IPv4: say what it carries. */
static void put_other(struct rp_out *o, const struct rp_packet *pkt)
{
	switch (pkt->other_kind) {
	case RP_OTHER_8023:
		RP_OUT_LIT(o, "802.3 LLC");
		break;
	case RP_OTHER_IPVER:
		RP_OUT_LIT(o, "IP6");
		break;
	case RP_OTHER_FAMILY:
		if (family_is_ipv6(pkt->ethertype)) {
			RP_OUT_LIT(o, "IP6");
		} else {
			RP_OUT_LIT(o, "address family ");
			rp_out_u64(o, pkt->ethertype);
		}
		break;
	default:
		if (pkt->ethertype == 0x86dd) {
			RP_OUT_LIT(o, "IP6");
		} else if (pkt->ethertype == 0x0806) {
			RP_OUT_LIT(o, "ARP");
		} else {
			RP_OUT_LIT(o, "ethertype ");
			put_ethertype(o, pkt->ethertype);
		}
		break;
	}
	RP_OUT_LIT(o, ", length ");
	rp_out_u64(o, pkt->len);
}

/* ------------------------------------------------------------ IPv4 */

static void put_ip_option(struct rp_out *o, const struct rp_ipv4 *ip, const struct rp_ipopt *opt)
{
	const char *name = rp_ipopt_name(opt->type);
	unsigned n = rp_ipopt_route_count(ip, opt);

	if (name) {
		rp_out_str(o, name);
	} else {
		RP_OUT_LIT(o, "opt-");
		rp_out_u64(o, opt->type);
	}
	if (opt->type == RP_IPOPT_EOL || opt->type == RP_IPOPT_NOP)
		return;
	for (unsigned i = 0; i < n; i++) {
		rp_out_char(o, ' ');
		rp_out_ip4(o, rp_ipopt_route_addr(ip, opt, i));
	}
	if (n || opt->type == RP_IPOPT_TS) {
		RP_OUT_LIT(o, " ptr ");
		rp_out_u64(o, rp_ipopt_pointer(ip, opt));
	}
	RP_OUT_LIT(o, " len ");
	rp_out_u64(o, opt->len);
}

static void put_frag_flags(struct rp_out *o, uint16_t frag)
{
	bool any = false;

	RP_OUT_LIT(o, "flags [");
	if (frag & RP_IP_RSVD) {
		RP_OUT_LIT(o, "rsvd");
		any = true;
	}
	if (frag & RP_IP_DF) {
		if (any)
			rp_out_char(o, ' ');
		RP_OUT_LIT(o, "DF");
		any = true;
	}
	if (frag & RP_IP_MF) {
		if (any)
			rp_out_char(o, ' ');
		rp_out_char(o, '+');
		any = true;
	}
	if (!any)
		RP_OUT_LIT(o, "none");
	rp_out_char(o, ']');
}

/* -v: "(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length 84) " */
static void put_ip_detail(struct rp_out *o, const struct rp_ipv4 *ip)
{
	const char *pname = rp_ipproto_name(ip->proto);

	RP_OUT_LIT(o, "(tos 0x");
	rp_out_hex(o, ip->tos, 0);
	RP_OUT_LIT(o, ", ttl ");
	rp_out_u64(o, ip->ttl);
	RP_OUT_LIT(o, ", id ");
	rp_out_u64(o, ip->id);
	RP_OUT_LIT(o, ", offset ");
	rp_out_u64(o, rp_ip_frag_bytes(ip));
	RP_OUT_LIT(o, ", ");
	put_frag_flags(o, ip->frag);
	RP_OUT_LIT(o, ", proto ");
	rp_out_str(o, pname ? pname : "unknown");
	RP_OUT_LIT(o, " (");
	rp_out_u64(o, ip->proto);
	RP_OUT_LIT(o, "), length ");
	rp_out_u64(o, ip->len);
	if (ip->checksum_ok == RP_CHECK_BAD) {
		RP_OUT_LIT(o, ", bad cksum 0x");
		rp_out_hex(o, ip->checksum, 4);
		RP_OUT_LIT(o, " (->0x");
		rp_out_hex(o, ip->checksum_want, 4);
		RP_OUT_LIT(o, ")!");
	}
	if (ip->nopts) {
		RP_OUT_LIT(o, ", options (");
		for (unsigned i = 0; i < ip->nopts; i++) {
			if (i)
				RP_OUT_LIT(o, ", ");
			put_ip_option(o, ip, &ip->opts[i]);
		}
		rp_out_char(o, ')');
	}
	RP_OUT_LIT(o, ") ");
}

static void put_addr_port(struct rp_out *o, bool have_addr, uint32_t addr, bool have_port,
			  uint16_t port)
{
	if (have_addr)
		rp_out_ip4(o, addr);
	else
		rp_out_char(o, '?');
	if (have_port) {
		rp_out_char(o, '.');
		rp_out_u64(o, port);
	}
}

/* "10.0.0.1.5353 > 10.0.0.2.53" with ports when the transport has them. */
static void put_endpoints(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
			  const struct rp_udp *u, const struct rp_tcp *t)
{
	bool ports = false;
	uint16_t sp = 0, dp = 0;

	if (l4 == RP_L4_UDP && (u->have & (RP_UDP_SPORT | RP_UDP_DPORT)) == (RP_UDP_SPORT | RP_UDP_DPORT)) {
		ports = true;
		sp = u->sport;
		dp = u->dport;
	} else if (l4 == RP_L4_TCP &&
		   (t->have & (RP_TCP_SPORT | RP_TCP_DPORT)) == (RP_TCP_SPORT | RP_TCP_DPORT)) {
		ports = true;
		sp = t->sport;
		dp = t->dport;
	}
	put_addr_port(o, ip->have & RP_IP_SRC, ip->src, ports, sp);
	RP_OUT_LIT(o, " > ");
	put_addr_port(o, ip->have & RP_IP_DST, ip->dst, ports, dp);
}

/* ------------------------------------------------------------ transport */

static void put_cksum_verdict(struct rp_out *o, const char *proto, int8_t ok, uint16_t have,
			      uint16_t want, int verbose)
{
	if (ok == RP_CHECK_BAD) {
		RP_OUT_LIT(o, " [bad ");
		rp_out_str(o, proto);
		RP_OUT_LIT(o, " cksum 0x");
		rp_out_hex(o, have, 4);
		RP_OUT_LIT(o, " -> 0x");
		rp_out_hex(o, want, 4);
		RP_OUT_LIT(o, "!]");
	} else if (ok == RP_CHECK_OK && verbose) {
		RP_OUT_LIT(o, " [");
		rp_out_str(o, proto);
		RP_OUT_LIT(o, " sum ok]");
	}
}

static void put_udp(struct rp_out *o, const struct rp_udp *u)
{
	RP_OUT_LIT(o, "UDP");
	if (u->have & RP_UDP_LEN) {
		RP_OUT_LIT(o, ", length ");
		rp_out_u64(o, u->len >= 8 ? u->len - 8u : 0);
	}
}

static void put_tcp_flags(struct rp_out *o, uint8_t f)
{
	static const struct { uint8_t bit; char c; } order[] = {
		{ RP_TH_FIN, 'F' }, { RP_TH_SYN, 'S' }, { RP_TH_RST, 'R' }, { RP_TH_PSH, 'P' },
		{ RP_TH_ACK, '.' }, { RP_TH_URG, 'U' }, { RP_TH_ECE, 'E' }, { RP_TH_CWR, 'W' },
	};

	RP_OUT_LIT(o, "Flags [");
	if (!f)
		RP_OUT_LIT(o, "none");
	for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
		if (f & order[i].bit)
			rp_out_char(o, order[i].c);
	rp_out_char(o, ']');
}

static void put_tcp_option(struct rp_out *o, const struct rp_tcp *t, const struct rp_tcpopt *op)
{
	switch (op->kind) {
	case RP_TCPOPT_EOL:
		RP_OUT_LIT(o, "eol");
		return;
	case RP_TCPOPT_NOP:
		RP_OUT_LIT(o, "nop");
		return;
	case RP_TCPOPT_MSS:
		if (op->len != 4)
			break;
		RP_OUT_LIT(o, "mss ");
		rp_out_u64(o, op->a);
		return;
	case RP_TCPOPT_WSCALE:
		if (op->len != 3)
			break;
		RP_OUT_LIT(o, "wscale ");
		rp_out_u64(o, op->a);
		return;
	case RP_TCPOPT_SACKOK:
		RP_OUT_LIT(o, "sackOK");
		return;
	case RP_TCPOPT_TIMESTAMP:
		if (op->len != 10)
			break;
		RP_OUT_LIT(o, "TS val ");
		rp_out_u64(o, op->a);
		RP_OUT_LIT(o, " ecr ");
		rp_out_u64(o, op->b);
		return;
	case RP_TCPOPT_SACK: {
		uint32_t l, r;
		RP_OUT_LIT(o, "sack ");
		rp_out_u64(o, (op->len - 2u) / 8u);
		for (unsigned i = 0; rp_tcpopt_sack_block(t, op, i, &l, &r); i++) {
			RP_OUT_LIT(o, " {");
			rp_out_u64(o, l);
			rp_out_char(o, ':');
			rp_out_u64(o, r);
			rp_out_char(o, '}');
		}
		return;
	}
	default:
		break;
	}
	RP_OUT_LIT(o, "opt-");
	rp_out_u64(o, op->kind);
	RP_OUT_LIT(o, " len ");
	rp_out_u64(o, op->len);
}

static void put_tcp(struct rp_out *o, const struct rp_tcp *t)
{
	if (!(t->have & RP_TCP_FLAGS)) {
		RP_OUT_LIT(o, "TCP");
		return;
	}
	put_tcp_flags(o, t->flags);
	if (t->have & RP_TCP_SEQ) {
		RP_OUT_LIT(o, ", seq ");
		rp_out_u64(o, t->seq);
	}
	if ((t->flags & RP_TH_ACK) && (t->have & RP_TCP_ACK)) {
		RP_OUT_LIT(o, ", ack ");
		rp_out_u64(o, t->ack);
	}
	if (t->have & RP_TCP_WIN) {
		RP_OUT_LIT(o, ", win ");
		rp_out_u64(o, t->win);
	}
	if ((t->flags & RP_TH_URG) && (t->have & RP_TCP_URP)) {
		RP_OUT_LIT(o, ", urg ");
		rp_out_u64(o, t->urp);
	}
	if (t->nopts) {
		RP_OUT_LIT(o, ", options [");
		for (unsigned i = 0; i < t->nopts; i++) {
			if (i)
				rp_out_char(o, ',');
			put_tcp_option(o, t, &t->opts[i]);
		}
		rp_out_char(o, ']');
	}
	if (t->have & RP_TCP_OPTS) {
		RP_OUT_LIT(o, ", length ");
		rp_out_u64(o, t->payload);
	}
}

/* ------------------------------------------------------------ ICMP */

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

static void put_l4_summary(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
			   const struct rp_udp *u, const struct rp_tcp *t);

/* -v on an error: the quoted datagram, as one more short IP line. */
static void put_inner(struct rp_out *o, const struct rp_inner *in)
{
	RP_OUT_LIT(o, ", quoting IP ");
	put_endpoints(o, &in->ip, in->l4, &in->udp, &in->tcp);
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
		put_l4_summary(o, &in->ip, in->l4, &in->udp, &in->tcp);
	}
	if (in->ip.have & RP_IP_TTL) {
		RP_OUT_LIT(o, " (ttl ");
		rp_out_u64(o, in->ip.ttl);
		RP_OUT_LIT(o, ", id ");
		rp_out_u64(o, in->ip.id);
		rp_out_char(o, ')');
	}
}

static void put_icmp(struct rp_out *o, const struct rp_packet *pkt, int verbose)
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

static void put_proto_name(struct rp_out *o, uint8_t proto)
{
	const char *name = rp_ipproto_name(proto);

	if (name) {
		rp_out_str(o, name);
	} else {
		RP_OUT_LIT(o, "ip-proto-");
		rp_out_u64(o, proto);
	}
}

static void put_l4_summary(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
			   const struct rp_udp *u, const struct rp_tcp *t)
{
	if (l4 == RP_L4_UDP) {
		put_udp(o, u);
	} else if (l4 == RP_L4_TCP) {
		put_tcp(o, t);
	} else {
		put_proto_name(o, ip->proto);
		if (l4 == RP_L4_OTHER) { /* fragments say their length in the (frag ...) mark */
			RP_OUT_LIT(o, ", length ");
			rp_out_u64(o, ip->len - ip->ihl * 4u);
		}
	}
}

static void put_frag(struct rp_out *o, const struct rp_ipv4 *ip)
{
	RP_OUT_LIT(o, " (frag ");
	rp_out_u64(o, ip->id);
	rp_out_char(o, ':');
	rp_out_u64(o, ip->len - ip->ihl * 4u);
	rp_out_char(o, '@');
	rp_out_u64(o, rp_ip_frag_bytes(ip));
	if (ip->frag & RP_IP_MF)
		rp_out_char(o, '+');
	rp_out_char(o, ')');
}

static const char *layer_name(enum rp_layer l)
{
	switch (l) {
	case RP_LAYER_LINK: return "link";
	case RP_LAYER_IP: return "ip";
	case RP_LAYER_ICMP: return "icmp";
	case RP_LAYER_UDP: return "udp";
	case RP_LAYER_TCP: return "tcp";
	case RP_LAYER_INNER: return "icmp quote";
	default: return "?";
	}
}

static void put_ipv4(struct rp_out *o, const struct rp_packet *pkt, int verbose)
{
	const struct rp_ipv4 *ip = &pkt->ip;

	if (!(ip->have & (RP_IP_SRC | RP_IP_DST))) { /* no addresses to show: cut or not IPv4 */
		RP_OUT_LIT(o, "IP, length ");
		rp_out_u64(o, pkt->len);
		return;
	}
	RP_OUT_LIT(o, "IP ");
	if (verbose && (ip->have & RP_IP_OPTS))
		put_ip_detail(o, ip);
	put_endpoints(o, ip, pkt->l4, &pkt->udp, &pkt->tcp);
	rp_out_char(o, ':');
	if (!(ip->have & RP_IP_OPTS) || (pkt->l4 == RP_L4_NONE && rp_ip_first_fragment(ip)))
		return; /* the IP header itself was cut or malformed */
	rp_out_char(o, ' ');
	if (pkt->l4 == RP_L4_ICMP)
		put_icmp(o, pkt, verbose);
	else
		put_l4_summary(o, ip, pkt->l4, &pkt->udp, &pkt->tcp);
	if (rp_ip_is_fragment(ip) && !pkt->malformed)
		put_frag(o, ip);
	if (ip->checksum_ok == RP_CHECK_BAD && !verbose) {
		RP_OUT_LIT(o, " [bad ip cksum 0x");
		rp_out_hex(o, ip->checksum, 4);
		RP_OUT_LIT(o, " -> 0x");
		rp_out_hex(o, ip->checksum_want, 4);
		RP_OUT_LIT(o, "!]");
	}
	if (pkt->l4 == RP_L4_ICMP)
		put_cksum_verdict(o, "icmp", pkt->icmp.checksum_ok, pkt->icmp.checksum,
				  pkt->icmp.checksum_want, verbose);
	else if (pkt->l4 == RP_L4_UDP)
		put_cksum_verdict(o, "udp", pkt->udp.checksum_ok, pkt->udp.checksum,
				  pkt->udp.checksum_want, verbose);
	else if (pkt->l4 == RP_L4_TCP)
		put_cksum_verdict(o, "tcp", pkt->tcp.checksum_ok, pkt->tcp.checksum,
				  pkt->tcp.checksum_want, verbose);
}

/* ------------------------------------------------------------ the line */

static void put_hex(struct rp_out *o, const struct rp_text_opts *opt, const struct rp_packet *pkt,
		    const uint8_t *frame)
{
	size_t from = 0;

	if (opt->hex == 1 && pkt->l3 != RP_L3_NONE && pkt->l3_offset <= pkt->caplen)
		from = pkt->l3_offset;
	rp_hexdump(o, frame + from, pkt->caplen - from, opt->ascii);
}

void rp_text_packet(struct rp_out *o, struct rp_text_state *st, const struct rp_text_opts *opt,
		    const struct rp_packet *pkt, const uint8_t *frame)
{
	rp_out_reserve(o, LINE_RESERVE);
	put_timestamp(o, st, opt, pkt);
	if (opt->link)
		put_link_header(o, pkt);
	else
		put_vlans(o, pkt);
	switch (pkt->l3) {
	case RP_L3_IPV4:
		put_ipv4(o, pkt, opt->verbose);
		break;
	case RP_L3_OTHER:
		put_other(o, pkt);
		break;
	default:
		if (!pkt->malformed && pkt->cut == RP_LAYER_NONE) {
			RP_OUT_LIT(o, "link type ");
			rp_out_u64(o, (uint64_t)pkt->dlt);
		} else {
			RP_OUT_LIT(o, "frame");
		}
		RP_OUT_LIT(o, ", length ");
		rp_out_u64(o, pkt->len);
		break;
	}
	if (pkt->cut != RP_LAYER_NONE) {
		RP_OUT_LIT(o, " [|");
		rp_out_str(o, layer_name(pkt->cut));
		rp_out_char(o, ']');
	}
	if (pkt->malformed) {
		RP_OUT_LIT(o, " [malformed: ");
		rp_out_str(o, pkt->malformed);
		rp_out_char(o, ']');
	}
	rp_out_char(o, '\n');
	if (opt->hex)
		put_hex(o, opt, pkt, frame);
}

/* ------------------------------------------------------------ summary */

void rp_text_stats(struct rp_out *o, const struct rp_capstats *s, const char *name)
{
	const struct rp_rtt *r = &s->rtt;

	RP_OUT_LIT(o, "--- ");
	rp_out_str(o, name);
	RP_OUT_LIT(o, " statistics ---\n");
	rp_out_u64(o, s->packets);
	RP_OUT_LIT(o, " packets, ");
	rp_out_u64(o, s->bytes);
	RP_OUT_LIT(o, " bytes, ");
	rp_out_u64(o, s->malformed);
	RP_OUT_LIT(o, " malformed\nicmp ");
	rp_out_u64(o, s->icmp);
	RP_OUT_LIT(o, ", udp ");
	rp_out_u64(o, s->udp);
	RP_OUT_LIT(o, ", tcp ");
	rp_out_u64(o, s->tcp);
	RP_OUT_LIT(o, ", other ");
	rp_out_u64(o, s->other);
	RP_OUT_LIT(o, "\nicmp echo: ");
	rp_out_u64(o, s->echo_requests);
	RP_OUT_LIT(o, " requests, ");
	rp_out_u64(o, s->echo_replies);
	RP_OUT_LIT(o, " replies, ");
	rp_out_u64(o, s->echo_unanswered);
	RP_OUT_LIT(o, " unanswered, ");
	rp_out_u64(o, s->echo_duplicates);
	RP_OUT_LIT(o, " duplicates\n");
	if (r->n) {
		RP_OUT_LIT(o, "rtt min/avg/max/mdev = ");
		rp_out_ms3(o, r->min_ns);
		rp_out_char(o, '/');
		rp_out_fixed(o, rp_rtt_avg_ms(r), 3);
		rp_out_char(o, '/');
		rp_out_ms3(o, r->max_ns);
		rp_out_char(o, '/');
		rp_out_fixed(o, rp_rtt_mdev_ms(r), 3);
		RP_OUT_LIT(o, " ms\n");
	}
}
