/*
 * Output sinks for decoded packets: tcpdump-like text lines and the JSON
 * Lines of CONTRACT.md. Both read only the decoded struct, never raw bytes
 * (except the hex dump, which prints bytes by definition).
 */
#ifndef RAWPROBE_PRINT_H
#define RAWPROBE_PRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "outbuf.h"
#include "rawprobe/packet.h"
#include "rawprobe/stats.h"

enum rp_tsfmt {
	RP_TS_TIME,        /* HH:MM:SS.ffffff (default, tcpdump) */
	RP_TS_NONE,        /* -t */
	RP_TS_EPOCH,       /* -tt */
	RP_TS_DELTA,       /* -ttt: since the previous packet */
	RP_TS_DATE,        /* -tttt: YYYY-MM-DD HH:MM:SS.ffffff */
	RP_TS_SINCE_FIRST, /* -ttttt */
};

struct rp_text_opts {
	enum rp_tsfmt tsfmt;
	bool nano;    /* nine fractional digits instead of six */
	bool utc;     /* UTC instead of local time */
	int verbose;  /* -v */
	int hex;      /* 0, 1 (-x: from the network layer), 2 (-xx: whole frame) */
	bool ascii;   /* -X: hex and ASCII */
	bool link;    /* -e: link-level header */
};

/* Time state the text printer keeps between packets (cached local time, deltas). */
struct rp_text_state {
	int64_t minute_start; /* epoch second where the cached minute begins, or INT64_MIN */
	char hhmm[32];        /* "YYYY-MM-DD HH:MM:" for that minute */
	unsigned hhmm_len, date_len;
	int64_t prev_sec, first_sec;
	uint32_t prev_nsec, first_nsec;
	bool have_prev;
};

void rp_text_state_init(struct rp_text_state *st);

/* One tcpdump-like line (plus hex dump lines) for a packet. frame is the raw frame for -x. */
void rp_text_packet(struct rp_out *o, struct rp_text_state *st, const struct rp_text_opts *opt,
		    const struct rp_packet *pkt, const uint8_t *frame);

/* One JSON object and a newline. link_name is pcap_datalink_val_to_name's answer (or NULL). */
void rp_json_packet(struct rp_out *o, const struct rp_packet *pkt, const char *link_name);

/* The summary of `read --stats`: ping-like lines, or the contract's JSON object. */
void rp_text_stats(struct rp_out *o, const struct rp_capstats *s, const char *name);
void rp_json_stats(struct rp_out *o, const struct rp_capstats *s);

/* TCP flags as tcpdump writes them: "[S.]", "[none]". */
void rp_text_tcp_flags(struct rp_out *o, uint8_t flags);

/* Hex dump lines of len bytes, tcpdump -x style ("\t0x0000:  4500 0054 ..."), optional ASCII. */
void rp_hexdump(struct rp_out *o, const uint8_t *p, size_t len, bool ascii);

#endif
