/*
 * Pairs ICMP echo replies with the requests they answer, in bounded memory.
 *
 * Requests wait in a fixed-size table for at most 'window' nanoseconds of
 * capture time (and are pushed out oldest first when the table is full), so
 * a capture of any length runs in the same memory. A request stays after
 * its first reply so that later replies are recognised as duplicates.
 */
#ifndef RAWPROBE_ECHO_H
#define RAWPROBE_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#include "rawprobe/packet.h"

struct rp_echo_entry;

struct rp_echo_table {
	struct rp_echo_entry *ring; /* requests in arrival order */
	uint32_t *bucket;           /* hash -> ring index + 1, 0 when empty */
	uint32_t cap;               /* ring slots, a power of two */
	uint32_t nbucket;
	uint32_t head, count;       /* oldest entry, entries in use */
	int64_t window_ns;
	uint64_t unanswered;        /* requests that left the table without a reply */
};

/* capacity is rounded up to a power of two (at least 16); 0 on success, -1 out of memory. */
int rp_echo_init(struct rp_echo_table *t, uint32_t capacity, int64_t window_ns);
void rp_echo_free(struct rp_echo_table *t);

/* An echo request from src to dst (network order) at capture time ts_ns. */
void rp_echo_request(struct rp_echo_table *t, uint32_t src, uint32_t dst, uint16_t id,
		     uint16_t seq, int64_t ts_ns);

/*
 * An echo reply from src to dst. True when it answers a waiting request:
 * *rtt_ns is the time since that request, *dup says an earlier reply already
 * answered it.
 */
bool rp_echo_reply(struct rp_echo_table *t, uint32_t src, uint32_t dst, uint16_t id,
		   uint16_t seq, int64_t ts_ns, int64_t *rtt_ns, bool *dup);

/*
 * Pairs one decoded packet: an echo request waits in the table; an echo
 * reply that answers one gets pkt->resp_ns and pkt->dup.
 */
void rp_echo_packet(struct rp_echo_table *t, struct rp_packet *pkt);

/* Ends the capture: every request still waiting without a reply is unanswered. */
void rp_echo_finish(struct rp_echo_table *t);

#endif
