/* Capture statistics: per-protocol counts and echo round-trip figures. */
#include <math.h>

#include "rawprobe/stats.h"

void rp_rtt_add(struct rp_rtt *r, int64_t ns)
{
	if (r->n == 0 || ns < r->min_ns)
		r->min_ns = ns;
	if (r->n == 0 || ns > r->max_ns)
		r->max_ns = ns;
	r->n++;
	r->sum_ns += (double)ns;
	r->sum2_ns += (double)ns * (double)ns;
}

void rp_rtt_merge(struct rp_rtt *into, const struct rp_rtt *from)
{
	if (from->n == 0)
		return;
	if (into->n == 0 || from->min_ns < into->min_ns)
		into->min_ns = from->min_ns;
	if (into->n == 0 || from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
	into->n += from->n;
	into->sum_ns += from->sum_ns;
	into->sum2_ns += from->sum2_ns;
}

double rp_rtt_avg_ms(const struct rp_rtt *r)
{
	return r->n ? r->sum_ns / (double)r->n / 1e6 : 0.0;
}

double rp_rtt_mdev_ms(const struct rp_rtt *r)
{
	double avg, var;

	if (r->n == 0)
		return 0.0;
	avg = r->sum_ns / (double)r->n;
	var = r->sum2_ns / (double)r->n - avg * avg;
	return var > 0 ? sqrt(var) / 1e6 : 0.0;
}

void rp_capstats_add(struct rp_capstats *s, const struct rp_packet *pkt)
{
	s->packets++;
	s->bytes += pkt->len;
	if (pkt->malformed)
		s->malformed++;
	if (pkt->l3 == RP_L3_IPV4 && (pkt->ip.have & RP_IP_PROTO)) {
		switch (pkt->ip.proto) {
		case 1: s->icmp++; break;
		case 17: s->udp++; break;
		case 6: s->tcp++; break;
		default: s->other++; break;
		}
	} else {
		s->other++;
	}
	if (pkt->l4 != RP_L4_ICMP || !(pkt->icmp.have & RP_ICMP_REST))
		return;
	if (pkt->icmp.type == RP_ICMP_ECHO) {
		s->echo_requests++;
	} else if (pkt->icmp.type == RP_ICMP_ECHOREPLY) {
		s->echo_replies++;
		if (pkt->resp_ns >= 0) {
			if (pkt->dup)
				s->echo_duplicates++;
			else
				rp_rtt_add(&s->rtt, pkt->resp_ns);
		}
	}
}
