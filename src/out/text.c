/*
 * tcpdump-like text lines: the timestamp, the link layer, the IPv4 header,
 * the line's markers, and the summary of --stats. ICMP and the transports
 * print from text_icmp.c and text_l4.c. Everything is written into the
 * output buffer directly (no printf on the per-packet path).
 */
#include <time.h>

#include "rawprobe/decode.h"
#include "rawprobe/names.h"
#include "text_internal.h"

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
void rp_text_endpoints(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
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
	rp_text_endpoints(o, ip, pkt->l4, &pkt->udp, &pkt->tcp);
	rp_out_char(o, ':');
	if (!(ip->have & RP_IP_OPTS) || (pkt->l4 == RP_L4_NONE && rp_ip_first_fragment(ip)))
		return; /* the IP header itself was cut or malformed */
	rp_out_char(o, ' ');
	if (pkt->l4 == RP_L4_ICMP)
		rp_text_icmp(o, pkt, verbose);
	else
		rp_text_l4_summary(o, ip, pkt->l4, &pkt->udp, &pkt->tcp);
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
		rp_text_cksum_verdict(o, "icmp", pkt->icmp.checksum_ok, pkt->icmp.checksum,
				  pkt->icmp.checksum_want, verbose);
	else if (pkt->l4 == RP_L4_UDP)
		rp_text_cksum_verdict(o, "udp", pkt->udp.checksum_ok, pkt->udp.checksum,
				  pkt->udp.checksum_want, verbose);
	else if (pkt->l4 == RP_L4_TCP)
		rp_text_cksum_verdict(o, "tcp", pkt->tcp.checksum_ok, pkt->tcp.checksum,
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
