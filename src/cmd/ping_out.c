/*
 * What ping prints: iputils' words and number formats for the text lines,
 * the contract's objects for JSON Lines.
 */
#include <stdio.h>

#include "ping.h"

static const char *const unreach[] = {
	"Destination Net Unreachable",
	"Destination Host Unreachable",
	"Destination Protocol Unreachable",
	"Destination Port Unreachable",
	NULL, /* 4: fragmentation needed, with the MTU */
	"Source Route Failed",
	"Destination Net Unknown",
	"Destination Host Unknown",
	"Source Host Isolated",
	"Destination Net Prohibited",
	"Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service",
	"Packet filtered",
	"Precedence Violation",
	"Precedence Cutoff",
};

static const char *const redirect[] = {
	"Redirect Network",
	"Redirect Host",
	"Redirect Type of Service and Network",
	"Redirect Type of Service and Host",
};

static void bad_code(struct rp_out *o, const char *what, uint8_t code)
{
	rp_out_str(o, what);
	RP_OUT_LIT(o, ", Bad Code: ");
	rp_out_u64(o, code);
}

void ping_out_icmp_error(struct rp_out *o, uint8_t type, uint8_t code, uint32_t rest)
{
	switch (type) {
	case RP_ICMP_UNREACH:
		if (code == 4) {
			RP_OUT_LIT(o, "Frag needed and DF set (mtu = ");
			rp_out_u64(o, rest & 0xffff);
			rp_out_char(o, ')');
		} else if (code < sizeof unreach / sizeof unreach[0]) {
			rp_out_str(o, unreach[code]);
		} else {
			bad_code(o, "Dest Unreachable", code);
		}
		break;
	case RP_ICMP_SOURCEQUENCH:
		RP_OUT_LIT(o, "Source Quench");
		break;
	case RP_ICMP_REDIRECT:
		if (code < 4)
			rp_out_str(o, redirect[code]);
		else
			bad_code(o, "Redirect", code);
		RP_OUT_LIT(o, "(New nexthop: ");
		rp_out_ip4(o, __builtin_bswap32(rest));
		rp_out_char(o, ')');
		break;
	case RP_ICMP_TIMXCEED:
		if (code == 0)
			RP_OUT_LIT(o, "Time to live exceeded");
		else if (code == 1)
			RP_OUT_LIT(o, "Frag reassembly time exceeded");
		else
			bad_code(o, "Time exceeded", code);
		break;
	case RP_ICMP_PARAMPROB:
		RP_OUT_LIT(o, "Parameter problem: pointer = ");
		rp_out_u64(o, rest >> 24);
		break;
	default:
		RP_OUT_LIT(o, "Bad ICMP type: ");
		rp_out_u64(o, type);
	}
}

void ping_out_time(struct rp_out *o, int64_t ns)
{
	int64_t us = (ns + 500) / 1000;

	if (us < 0)
		us = 0;
	/* iputils keeps three significant decimals: 0.045, 1.23, 12.3, 123. */
	if (us >= 100000 - 50) {
		rp_out_u64(o, (uint64_t)(us + 500) / 1000);
	} else if (us >= 10000 - 5) {
		rp_out_u64(o, (uint64_t)(us + 50) / 1000);
		rp_out_char(o, '.');
		rp_out_u64(o, (uint64_t)((us + 50) % 1000) / 100);
	} else if (us >= 1000) {
		rp_out_u64(o, (uint64_t)(us + 5) / 1000);
		rp_out_char(o, '.');
		rp_out_u64w(o, (uint64_t)((us + 5) % 1000) / 10, 2);
	} else {
		rp_out_char(o, '0');
		rp_out_char(o, '.');
		rp_out_u64w(o, (uint64_t)us, 3);
	}
}

double ping_loss_pct(uint64_t sent, uint64_t received)
{
	uint64_t got = received > sent ? sent : received;

	return sent ? (double)(sent - got) * 100.0 / (double)sent : 0.0;
}

void ping_out_loss(struct rp_out *o, uint64_t sent, uint64_t received)
{
	char tmp[32];
	int n;

	/* iputils: %g of a float, so 25%, 33.3333%. */
	n = snprintf(tmp, sizeof tmp, "%g%%", (double)(float)ping_loss_pct(sent, received));
	rp_out_mem(o, tmp, (size_t)n);
}

/* min/avg/max/mdev with three decimals, as the summary prints them. */
static void rtt_figure(struct rp_out *o, double ms)
{
	rp_out_fixed(o, ms, 3);
}

void ping_text_summary(struct rp_out *o, const struct ping_summary *s)
{
	RP_OUT_LIT(o, "\n--- ");
	rp_out_str(o, s->target);
	RP_OUT_LIT(o, " ping statistics ---\n");
	rp_out_u64(o, s->transmitted);
	RP_OUT_LIT(o, " packets transmitted, ");
	rp_out_u64(o, s->received);
	RP_OUT_LIT(o, " received");
	if (s->duplicates) {
		RP_OUT_LIT(o, ", +");
		rp_out_u64(o, s->duplicates);
		RP_OUT_LIT(o, " duplicates");
	}
	if (s->corrupted) {
		RP_OUT_LIT(o, ", +");
		rp_out_u64(o, s->corrupted);
		RP_OUT_LIT(o, " corrupted");
	}
	if (s->errors) {
		RP_OUT_LIT(o, ", +");
		rp_out_u64(o, s->errors);
		RP_OUT_LIT(o, " errors");
	}
	RP_OUT_LIT(o, ", ");
	ping_out_loss(o, s->transmitted, s->received);
	RP_OUT_LIT(o, " packet loss, time ");
	rp_out_u64(o, (uint64_t)((s->elapsed_ns + 500000) / 1000000));
	RP_OUT_LIT(o, "ms\n");
	if (s->rtt->n) {
		RP_OUT_LIT(o, "rtt min/avg/max/mdev = ");
		rtt_figure(o, (double)s->rtt->min_ns / 1e6);
		rp_out_char(o, '/');
		rtt_figure(o, rp_rtt_avg_ms(s->rtt));
		rp_out_char(o, '/');
		rtt_figure(o, (double)s->rtt->max_ns / 1e6);
		rp_out_char(o, '/');
		rtt_figure(o, rp_rtt_mdev_ms(s->rtt));
		RP_OUT_LIT(o, " ms");
		if (s->ipg && s->transmitted > 1) {
			RP_OUT_LIT(o, ", ipg/ewma ");
			rtt_figure(o, (double)s->elapsed_ns / 1e6 / (double)(s->transmitted - 1));
			rp_out_char(o, '/');
			rtt_figure(o, (double)s->ewma_ns / 1e6);
			RP_OUT_LIT(o, " ms");
		}
		rp_out_char(o, '\n');
	}
}

static void json_head(struct rp_out *o, const char *type, const char *target)
{
	RP_OUT_LIT(o, "{\"type\":\"");
	rp_out_str(o, type);
	RP_OUT_LIT(o, "\",\"target\":");
	rp_out_json_str(o, target);
}

static void json_addr(struct rp_out *o, const char *key, uint32_t addr)
{
	rp_out_str(o, key);
	rp_out_char(o, '"');
	rp_out_ip4(o, addr);
	rp_out_char(o, '"');
}

void ping_json_reply(struct rp_out *o, const char *target, uint32_t from, uint16_t seq, int ttl,
		     uint32_t bytes, int64_t rtt_ns, bool dup, bool checksum_bad)
{
	json_head(o, "reply", target);
	json_addr(o, ",\"from\":", from);
	RP_OUT_LIT(o, ",\"seq\":");
	rp_out_u64(o, seq);
	RP_OUT_LIT(o, ",\"ttl\":");
	if (ttl >= 0)
		rp_out_u64(o, (uint64_t)ttl);
	else
		RP_OUT_LIT(o, "null");
	RP_OUT_LIT(o, ",\"bytes\":");
	rp_out_u64(o, bytes);
	RP_OUT_LIT(o, ",\"rtt_ms\":");
	if (rtt_ns >= 0)
		rp_out_ms_exact(o, rtt_ns);
	else
		RP_OUT_LIT(o, "null");
	if (dup)
		RP_OUT_LIT(o, ",\"dup\":true");
	else
		RP_OUT_LIT(o, ",\"dup\":false");
	if (checksum_bad)
		RP_OUT_LIT(o, ",\"checksum_ok\":false");
	RP_OUT_LIT(o, "}\n");
}

void ping_json_timeout(struct rp_out *o, const char *target, uint16_t seq)
{
	json_head(o, "timeout", target);
	RP_OUT_LIT(o, ",\"seq\":");
	rp_out_u64(o, seq);
	RP_OUT_LIT(o, "}\n");
}

void ping_json_error(struct rp_out *o, const char *target, uint32_t from, uint16_t seq,
		     uint8_t type, uint8_t code)
{
	json_head(o, "error", target);
	json_addr(o, ",\"from\":", from);
	RP_OUT_LIT(o, ",\"seq\":");
	rp_out_u64(o, seq);
	RP_OUT_LIT(o, ",\"icmp_type\":");
	rp_out_u64(o, type);
	RP_OUT_LIT(o, ",\"icmp_code\":");
	rp_out_u64(o, code);
	RP_OUT_LIT(o, "}\n");
}

void ping_json_summary(struct rp_out *o, const struct ping_summary *s)
{
	double loss = ping_loss_pct(s->transmitted, s->received);

	json_head(o, "summary", s->target);
	RP_OUT_LIT(o, ",\"transmitted\":");
	rp_out_u64(o, s->transmitted);
	RP_OUT_LIT(o, ",\"received\":");
	rp_out_u64(o, s->received);
	RP_OUT_LIT(o, ",\"duplicates\":");
	rp_out_u64(o, s->duplicates);
	RP_OUT_LIT(o, ",\"errors\":");
	rp_out_u64(o, s->errors);
	RP_OUT_LIT(o, ",\"loss_pct\":");
	rp_out_fixed(o, loss, 1);
	RP_OUT_LIT(o, ",\"rtt_ms\":");
	if (s->rtt->n) {
		RP_OUT_LIT(o, "{\"min\":");
		rp_out_ms_exact(o, s->rtt->min_ns);
		RP_OUT_LIT(o, ",\"avg\":");
		rp_out_fixed(o, rp_rtt_avg_ms(s->rtt), 6); /* to the nanosecond, as read --stats --json */
		RP_OUT_LIT(o, ",\"max\":");
		rp_out_ms_exact(o, s->rtt->max_ns);
		RP_OUT_LIT(o, ",\"mdev\":");
		rp_out_fixed(o, rp_rtt_mdev_ms(s->rtt), 6);
		RP_OUT_LIT(o, "}");
	} else {
		RP_OUT_LIT(o, "null");
	}
	RP_OUT_LIT(o, "}\n");
}
