/*
 * rawprobe craft's output: the first line, each answer (read's line or
 * JSON object, with the probe it answers and its round trip), the summary.
 * The line and object of `read` are made in a scratch buffer first: the
 * printers write whole lines, and craft trims the line (no "IP ", no
 * newline) and adds its own keys in front of the object.
 */
#include <stdbool.h>
#include <string.h>

#include "craft.h"
#include "print.h"
#include "rawprobe/names.h"

/* The printers write whole lines; a line is made in here first, then trimmed and copied. */
static char scratch_mem[16384];

void craft_print_line(struct rp_out *out, const struct rp_packet *pkt, int verbose, bool bare)
{
	struct rp_text_opts topt = { .tsfmt = RP_TS_NONE, .verbose = verbose };
	struct rp_text_state st;
	struct rp_out s;
	const char *p;
	size_t n;

	rp_out_init(&s, -1, scratch_mem, sizeof scratch_mem);
	rp_text_state_init(&st);
	rp_text_packet(&s, &st, &topt, pkt, NULL);
	p = s.buf;
	n = s.len;
	if (n && p[n - 1] == '\n')
		n--;
	if (bare && n >= 3 && !memcmp(p, "IP ", 3)) {
		p += 3;
		n -= 3;
	}
	rp_out_mem(out, p, n);
}

void craft_print_json(struct rp_out *out, const struct rp_packet *pkt, const char *lead, size_t lead_len)
{
	struct rp_out s;

	rp_out_init(&s, -1, scratch_mem, sizeof scratch_mem);
	rp_json_packet(&s, pkt, "RAW");
	rp_out_reserve(out, lead_len + s.len + 1);
	rp_out_char(out, '{');
	rp_out_mem(out, lead, lead_len);
	rp_out_mem(out, s.buf + 1, s.len - 1); /* read's object without its opening brace */
}

static void describe_probe(struct rp_out *o, const struct rp_craft *c)
{
	const char *name;

	switch (c->l4) {
	case RP_CRAFT_ICMP:
		name = rp_icmp_type_name(c->icmp.type);
		RP_OUT_LIT(o, "ICMP ");
		if (name) {
			rp_out_str(o, name);
		} else {
			RP_OUT_LIT(o, "type ");
			rp_out_u64(o, c->icmp.type);
		}
		if (c->icmp.code) {
			RP_OUT_LIT(o, " code ");
			rp_out_u64(o, c->icmp.code);
		}
		if (rp_icmp_has_idseq(c->icmp.type) && !(c->set & RP_CS_ICMP_REST)) {
			RP_OUT_LIT(o, " id ");
			rp_out_u64(o, c->icmp.id);
			RP_OUT_LIT(o, " seq ");
			rp_out_u64(o, c->icmp.seq);
		}
		break;
	case RP_CRAFT_UDP:
		RP_OUT_LIT(o, "UDP ");
		rp_out_u64(o, c->udp.sport);
		RP_OUT_LIT(o, " > ");
		rp_out_u64(o, c->udp.dport);
		break;
	case RP_CRAFT_TCP:
		RP_OUT_LIT(o, "TCP ");
		rp_out_u64(o, c->tcp.sport);
		RP_OUT_LIT(o, " > ");
		rp_out_u64(o, c->tcp.dport);
		rp_out_char(o, ' ');
		rp_text_tcp_flags(o, c->tcp.flags);
		RP_OUT_LIT(o, " seq ");
		rp_out_u64(o, c->tcp.seq);
		break;
	default:
		RP_OUT_LIT(o, "IP proto ");
		rp_out_u64(o, c->proto);
		return;
	}
	if (c->set & RP_CS_PROTO) { /* a transport under another protocol's number */
		RP_OUT_LIT(o, " (IP proto ");
		rp_out_u64(o, c->proto);
		rp_out_char(o, ')');
	}
}

void craft_out_first_line(struct rp_out *o, const char *target, const struct rp_craft *c, size_t len,
			  unsigned nfrags, bool link)
{
	RP_OUT_LIT(o, "CRAFT ");
	rp_out_str(o, target);
	RP_OUT_LIT(o, ": ");
	rp_out_u64(o, len);
	RP_OUT_LIT(o, " bytes");
	if (nfrags > 1) {
		RP_OUT_LIT(o, " in ");
		rp_out_u64(o, nfrags);
		RP_OUT_LIT(o, " fragments");
	}
	RP_OUT_LIT(o, ", ");
	describe_probe(o, c);
	if (link)
		RP_OUT_LIT(o, ", packet socket\n");
	else
		RP_OUT_LIT(o, ", raw socket\n");
}

void craft_out_answer(struct rp_out *o, const struct craft_opts *opt, const struct rp_packet *p,
		      const uint8_t *d, size_t n, const struct craft_answer *a)
{
	if (opt->quiet)
		return;
	if (opt->json) {
		static char mem[4096];
		struct rp_out lead;
		rp_out_init(&lead, -1, mem, sizeof mem);
		if (!a->error)
			RP_OUT_LIT(&lead, "\"type\":\"reply\",\"probe\":");
		else
			RP_OUT_LIT(&lead, "\"type\":\"error\",\"probe\":");
		rp_out_u64(&lead, a->probe);
		RP_OUT_LIT(&lead, ",\"rtt_ms\":");
		if (a->rtt_ns >= 0)
			rp_out_ms_exact(&lead, a->rtt_ns);
		else
			RP_OUT_LIT(&lead, "null");
		if (a->dup)
			RP_OUT_LIT(&lead, ",\"dup\":true");
		rp_out_char(&lead, ',');
		craft_print_json(o, p, lead.buf, lead.len);
		return;
	}
	rp_out_reserve(o, 2048);
	craft_print_line(o, p, opt->verbose, true);
	RP_OUT_LIT(o, "  probe=");
	rp_out_u64(o, a->probe);
	if (a->rtt_ns >= 0) {
		RP_OUT_LIT(o, " time=");
		rp_out_ms3(o, a->rtt_ns);
		RP_OUT_LIT(o, " ms");
	}
	if (a->dup)
		RP_OUT_LIT(o, " (DUP!)");
	rp_out_char(o, '\n');
	if (opt->hex)
		rp_hexdump(o, d, n, opt->hex == 2);
}

static void summary_text(struct rp_out *o, const struct craft_tally *t)
{
	RP_OUT_LIT(o, "\n--- ");
	rp_out_str(o, t->target);
	RP_OUT_LIT(o, " craft statistics ---\n");
	rp_out_u64(o, t->sent);
	RP_OUT_LIT(o, " packets sent, ");
	rp_out_u64(o, t->replies + t->errors);
	RP_OUT_LIT(o, " answers (");
	rp_out_u64(o, t->replies);
	RP_OUT_LIT(o, " replies, ");
	rp_out_u64(o, t->errors);
	RP_OUT_LIT(o, " errors)");
	if (t->dups) {
		RP_OUT_LIT(o, ", +");
		rp_out_u64(o, t->dups);
		RP_OUT_LIT(o, " duplicates");
	}
	RP_OUT_LIT(o, ", time ");
	rp_out_u64(o, (uint64_t)(t->elapsed_ns / 1000000));
	RP_OUT_LIT(o, "ms\n");
	if (t->rtt->n) {
		RP_OUT_LIT(o, "rtt min/avg/max/mdev = ");
		rp_out_ms3(o, t->rtt->min_ns);
		rp_out_char(o, '/');
		rp_out_fixed(o, rp_rtt_avg_ms(t->rtt), 3);
		rp_out_char(o, '/');
		rp_out_ms3(o, t->rtt->max_ns);
		rp_out_char(o, '/');
		rp_out_fixed(o, rp_rtt_mdev_ms(t->rtt), 3);
		RP_OUT_LIT(o, " ms\n");
	}
}

static void summary_json(struct rp_out *o, const struct craft_tally *t)
{
	RP_OUT_LIT(o, "{\"type\":\"summary\",\"target\":\"");
	rp_out_str(o, t->target);
	RP_OUT_LIT(o, "\",\"sent\":");
	rp_out_u64(o, t->sent);
	RP_OUT_LIT(o, ",\"replies\":");
	rp_out_u64(o, t->replies);
	RP_OUT_LIT(o, ",\"errors\":");
	rp_out_u64(o, t->errors);
	RP_OUT_LIT(o, ",\"duplicates\":");
	rp_out_u64(o, t->dups);
	RP_OUT_LIT(o, ",\"rtt_ms\":");
	if (t->rtt->n) {
		RP_OUT_LIT(o, "{\"min\":");
		rp_out_ms_exact(o, t->rtt->min_ns);
		RP_OUT_LIT(o, ",\"avg\":");
		rp_out_fixed(o, rp_rtt_avg_ms(t->rtt), 6);
		RP_OUT_LIT(o, ",\"max\":");
		rp_out_ms_exact(o, t->rtt->max_ns);
		RP_OUT_LIT(o, ",\"mdev\":");
		rp_out_fixed(o, rp_rtt_mdev_ms(t->rtt), 6);
		rp_out_char(o, '}');
	} else {
		RP_OUT_LIT(o, "null");
	}
	RP_OUT_LIT(o, "}\n");
}

void craft_out_summary(struct rp_out *o, bool json, const struct craft_tally *t)
{
	if (json)
		summary_json(o, t);
	else
		summary_text(o, t);
}
