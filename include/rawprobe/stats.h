/* Whole-capture statistics for `read --stats`: counts and echo round trips. */
#ifndef RAWPROBE_STATS_H
#define RAWPROBE_STATS_H

#include <stdint.h>

#include "rawprobe/packet.h"

/* Running min/avg/max/mdev of round-trip times, as ping keeps them. */
struct rp_rtt {
	uint64_t n;
	int64_t min_ns, max_ns;
	double sum_ns, sum2_ns; /* sum and sum of squares, for the population deviation */
};

void rp_rtt_add(struct rp_rtt *r, int64_t ns);
/* Adds the figures of 'from' to 'into', as if its samples had been added one by one. */
void rp_rtt_merge(struct rp_rtt *into, const struct rp_rtt *from);
/* Milliseconds; mdev is the population standard deviation (as iputils ping). */
double rp_rtt_avg_ms(const struct rp_rtt *r);
double rp_rtt_mdev_ms(const struct rp_rtt *r);

struct rp_capstats {
	uint64_t packets, bytes, malformed;
	uint64_t icmp, udp, tcp, other;
	uint64_t echo_requests, echo_replies, echo_duplicates;
	uint64_t echo_unanswered; /* copied from the echo table at the end */
	struct rp_rtt rtt;        /* first replies (bad checksums included), not duplicates */
};

/* Counts one decoded packet (after echo pairing has set resp_ns and dup). */
void rp_capstats_add(struct rp_capstats *s, const struct rp_packet *pkt);

#endif
