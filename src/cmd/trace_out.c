/*
 * What trace prints: traceroute's lines, or the contract's JSON Lines
 * (ping's reply, timeout and error objects with "hop", then a summary).
 */
#include "rawprobe/stats.h"
#include "trace.h"

void trace_out_header(struct trace_run *r)
{
	struct rp_out *o = &r->out;

	if (r->o->json)
		return;
	RP_OUT_LIT(o, "trace to ");
	rp_out_str(o, r->name);
	RP_OUT_LIT(o, " (");
	rp_out_str(o, r->addr);
	RP_OUT_LIT(o, "), ");
	rp_out_u64(o, r->o->max_ttl);
	RP_OUT_LIT(o, " hops max, ");
	rp_out_u64(o, rp_trace_probe_len(&r->spec));
	RP_OUT_LIT(o, " byte packets\n");
}

static int64_t probe_rtt(const struct trace_probe *p)
{
	int64_t rtt = p->recv_real - p->sent_real;

	return rtt < 0 ? 0 : rtt;
}

/*
 * traceroute's line: "%2u ", then per probe the address when it differs
 * from the last one shown, "  0.123 ms" and a marker, or " *".
 */
static void text_hop(struct trace_run *r, unsigned hop)
{
	struct rp_out *o = &r->out;
	unsigned ttl = r->o->first_ttl + hop;
	uint32_t shown = 0;
	bool any = false;

	rp_out_reserve(o, 128 + r->spec.per_hop * 64u);
	if (ttl < 10)
		rp_out_char(o, ' ');
	rp_out_u64(o, ttl);
	rp_out_char(o, ' ');
	for (unsigned j = 0; j < r->spec.per_hop; j++) {
		const struct trace_probe *p = trace_hop_probe(r, hop, j);
		char marker[RP_TRACE_MARKER_LEN];

		if (p->state != PROBE_ANSWERED) {
			RP_OUT_LIT(o, " *");
			continue;
		}
		if (!any || p->answer.from != shown) {
			rp_out_char(o, ' ');
			rp_out_ip4(o, p->answer.from);
			shown = p->answer.from;
			any = true;
		}
		RP_OUT_LIT(o, "  ");
		rp_out_ms3(o, probe_rtt(p));
		RP_OUT_LIT(o, " ms");
		rp_trace_marker(&p->answer, marker, sizeof marker);
		if (marker[0]) {
			rp_out_char(o, ' ');
			rp_out_str(o, marker);
		}
	}
	rp_out_char(o, '\n');
}

static void json_head(struct trace_run *r, const char *type, unsigned hop)
{
	struct rp_out *o = &r->out;

	RP_OUT_LIT(o, "{\"type\":\"");
	rp_out_str(o, type);
	RP_OUT_LIT(o, "\",\"target\":\"");
	rp_out_str(o, r->addr);
	RP_OUT_LIT(o, "\",\"hop\":");
	rp_out_u64(o, r->o->first_ttl + hop);
}

static void json_from_seq(struct rp_out *o, const struct trace_probe *p, unsigned k)
{
	RP_OUT_LIT(o, ",\"from\":\"");
	rp_out_ip4(o, p->answer.from);
	RP_OUT_LIT(o, "\",\"seq\":");
	rp_out_u64(o, k + 1);
}

/* A router's time exceeded and the destination's answer are replies; other errors are errors. */
static void json_probe(struct trace_run *r, unsigned hop, unsigned j)
{
	struct rp_out *o = &r->out;
	const struct trace_probe *p = trace_hop_probe(r, hop, j);
	unsigned k = hop * r->spec.per_hop + j;

	rp_out_reserve(o, 512);
	if (p->state != PROBE_ANSWERED) {
		json_head(r, "timeout", hop);
		RP_OUT_LIT(o, ",\"seq\":");
		rp_out_u64(o, k + 1);
	} else if (p->answer.kind == RP_TRACE_STOPPED) {
		json_head(r, "error", hop);
		json_from_seq(o, p, k);
		RP_OUT_LIT(o, ",\"icmp_type\":");
		rp_out_u64(o, p->answer.type);
		RP_OUT_LIT(o, ",\"icmp_code\":");
		rp_out_u64(o, p->answer.code);
	} else {
		json_head(r, "reply", hop);
		json_from_seq(o, p, k);
		RP_OUT_LIT(o, ",\"ttl\":");
		rp_out_u64(o, p->answer.ttl);
		RP_OUT_LIT(o, ",\"bytes\":");
		rp_out_u64(o, p->answer.icmp_len);
		RP_OUT_LIT(o, ",\"rtt_ms\":");
		rp_out_ms_exact(o, probe_rtt(p));
		RP_OUT_LIT(o, ",\"dup\":false");
	}
	RP_OUT_LIT(o, "}\n");
}

void trace_out_hop(struct trace_run *r, unsigned hop)
{
	if (!r->o->json) {
		text_hop(r, hop);
		return;
	}
	for (unsigned j = 0; j < r->spec.per_hop; j++)
		json_probe(r, hop, j);
}

struct tally {
	uint64_t sent, replies, errors;
	struct rp_rtt rtt; /* the destination's answers */
};

static void tally_hops(struct trace_run *r, struct tally *t)
{
	for (unsigned hop = 0; hop < r->next_print; hop++) {
		for (unsigned j = 0; j < r->spec.per_hop; j++) {
			const struct trace_probe *p = trace_hop_probe(r, hop, j);
			t->sent++;
			if (p->state != PROBE_ANSWERED)
				continue;
			if (p->answer.kind == RP_TRACE_STOPPED) {
				t->errors++;
				continue;
			}
			t->replies++;
			if (p->answer.kind == RP_TRACE_ARRIVED)
				rp_rtt_add(&t->rtt, probe_rtt(p));
		}
	}
}

void trace_out_summary(struct trace_run *r, bool reached)
{
	struct rp_out *o = &r->out;
	struct tally t = { 0 };
	uint64_t lost;

	if (!r->o->json)
		return;
	tally_hops(r, &t);
	lost = t.sent - t.replies; /* as ping counts it: errors are not replies */
	RP_OUT_LIT(o, "{\"type\":\"summary\",\"target\":\"");
	rp_out_str(o, r->addr);
	RP_OUT_LIT(o, "\",\"transmitted\":");
	rp_out_u64(o, t.sent);
	RP_OUT_LIT(o, ",\"received\":");
	rp_out_u64(o, t.replies);
	RP_OUT_LIT(o, ",\"duplicates\":");
	rp_out_u64(o, r->duplicates);
	RP_OUT_LIT(o, ",\"errors\":");
	rp_out_u64(o, t.errors);
	RP_OUT_LIT(o, ",\"loss_pct\":");
	rp_out_fixed(o, t.sent ? (double)lost * 100.0 / (double)t.sent : 0.0, 1);
	RP_OUT_LIT(o, ",\"rtt_ms\":");
	if (t.rtt.n) {
		RP_OUT_LIT(o, "{\"min\":");
		rp_out_ms_exact(o, t.rtt.min_ns);
		RP_OUT_LIT(o, ",\"avg\":");
		rp_out_fixed(o, rp_rtt_avg_ms(&t.rtt), 6);
		RP_OUT_LIT(o, ",\"max\":");
		rp_out_ms_exact(o, t.rtt.max_ns);
		RP_OUT_LIT(o, ",\"mdev\":");
		rp_out_fixed(o, rp_rtt_mdev_ms(&t.rtt), 6);
		RP_OUT_LIT(o, "}");
	} else {
		RP_OUT_LIT(o, "null");
	}
	RP_OUT_LIT(o, ",\"hops\":");
	rp_out_u64(o, r->next_print ? r->o->first_ttl + r->next_print - 1 : 0);
	RP_OUT_LIT(o, ",\"reached\":");
	if (reached)
		RP_OUT_LIT(o, "true}\n");
	else
		RP_OUT_LIT(o, "false}\n");
}
