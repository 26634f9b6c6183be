/* Text lines: the UDP and TCP summaries, and other IP protocols by name. */
#include "rawprobe/decode.h"
#include "rawprobe/names.h"
#include "text_internal.h"

void rp_text_cksum_verdict(struct rp_out *o, const char *proto, int8_t ok, uint16_t have,
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

void rp_text_tcp_flags(struct rp_out *o, uint8_t f)
{
	static const struct { uint8_t bit; char c; } order[] = {
		{ RP_TH_FIN, 'F' }, { RP_TH_SYN, 'S' }, { RP_TH_RST, 'R' }, { RP_TH_PSH, 'P' },
		{ RP_TH_ACK, '.' }, { RP_TH_URG, 'U' }, { RP_TH_ECE, 'E' }, { RP_TH_CWR, 'W' },
	};

	rp_out_char(o, '[');
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
	RP_OUT_LIT(o, "Flags ");
	rp_text_tcp_flags(o, t->flags);
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

void rp_text_l4_summary(struct rp_out *o, const struct rp_ipv4 *ip, enum rp_l4 l4,
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
