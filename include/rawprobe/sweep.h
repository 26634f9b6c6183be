/*
 * The sweep scheduler: which probe goes out next to which of many targets,
 * and what each reply or timeout means, in memory fixed by the window (the
 * targets in progress at once), not by the number of targets. No I/O and no
 * clock of its own: the caller passes the time, feeds targets from its
 * generator while there is room, sends what it is told and reports replies.
 *
 * Each target gets 'count' probes one after another, 'interval' apart; an
 * unanswered probe is sent again up to 'retries' times, each attempt with
 * its own sequence number so a late answer to an earlier attempt still counts.
 */
#ifndef RAWPROBE_SWEEP_H
#define RAWPROBE_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "rawprobe/stats.h"

struct rp_sweep_config {
	unsigned count;      /* probes per target, >= 1 */
	unsigned retries;    /* extra attempts for an unanswered probe */
	int64_t timeout_ns;  /* how long an attempt waits for its answer */
	int64_t interval_ns; /* between probes to one target */
	unsigned window;     /* targets in progress at once */
};

/* What is known about one target when it is done. */
struct rp_sweep_result {
	uint32_t addr;      /* network byte order */
	uint32_t sent, received, duplicates, errors;
	struct rp_rtt rtt;
	uint32_t error_from; /* the last ICMP error: who sent it, its type and code */
	uint8_t error_type, error_code;
};

enum rp_sweep_verdict {
	RP_SWEEP_FIRST,   /* the answer to an outstanding probe */
	RP_SWEEP_DUP,     /* a second answer to a probe already answered */
	RP_SWEEP_UNKNOWN, /* no such target in progress, or a sequence never sent */
};

struct rp_sweep_slot;

struct rp_sweep {
	struct rp_sweep_config cfg;
	struct rp_sweep_slot *slots;
	uint32_t *free_list, nfree;
	uint32_t *table; uint32_t table_mask;  /* address -> slot + 1, linear probing */
	uint32_t *heap, nheap;                 /* slots waiting to send, by ready time */
	uint32_t flight_head, flight_tail;     /* slots with an attempt out, by deadline */
	uint32_t *done, done_head, done_n;     /* finished slots, in finishing order */
	uint32_t active;
};

int rp_sweep_init(struct rp_sweep *sw, const struct rp_sweep_config *cfg);
void rp_sweep_free(struct rp_sweep *sw);

/* Room for one more target (the window is not full and no finished target is waiting to be read). */
bool rp_sweep_has_room(const struct rp_sweep *sw);
/* Starts a target: its first probe is due now. False when the address is already in progress. */
bool rp_sweep_add(struct rp_sweep *sw, uint32_t addr, int64_t now);

/* The next probe due by 'now', marked sent at 'now'; false when none is due. */
bool rp_sweep_next_probe(struct rp_sweep *sw, int64_t now, uint32_t *addr, uint16_t *seq);
/* A probe that could not be sent (the kernel refused it): counts as lost. */
void rp_sweep_send_failed(struct rp_sweep *sw, uint32_t addr, int64_t now);

/* An answer: an echo reply (rtt_ns >= 0) or an ICMP error about the probe. */
enum rp_sweep_verdict rp_sweep_reply(struct rp_sweep *sw, uint32_t addr, uint16_t seq,
				     bool is_error, int64_t rtt_ns, uint32_t error_from,
				     uint8_t type, uint8_t code, int64_t now);

/* Times out the attempts whose deadline has passed. */
void rp_sweep_expire(struct rp_sweep *sw, int64_t now);

/* When something is next due (a probe or a deadline); INT64_MAX when nothing is. */
int64_t rp_sweep_next_event(const struct rp_sweep *sw);

/* Takes a finished target's result; false when none is waiting. Frees its slot. */
bool rp_sweep_pop_done(struct rp_sweep *sw, struct rp_sweep_result *out);

/* Targets in progress or finished but not yet popped. */
static inline uint32_t rp_sweep_active(const struct rp_sweep *sw) { return sw->active; }

#endif
