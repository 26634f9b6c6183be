/* rawprobe ping: what its files share (options, the run context, output). */
#ifndef RAWPROBE_CMD_PING_H
#define RAWPROBE_CMD_PING_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "outbuf.h"
#include "pcapw.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/probe.h"
#include "rawprobe/stats.h"
#include "rawprobe/sweep.h"

#define PING_SUB "ping"

struct ping_opts {
	uint64_t count;          /* 0: until interrupted */
	int64_t interval_ns;
	bool interval_set;
	size_t size;             /* echo data bytes */
	uint8_t ttl, tos;
	int pmtudisc;            /* -1 want (default), IP_PMTUDISC_DO, IP_PMTUDISC_DONT */
	int64_t timeout_ns;      /* -W */
	bool timeout_set;
	int64_t deadline_ns;     /* -w, 0: none */
	bool flood, quiet, numeric, timestamps, outstanding, json;
	unsigned preload;
	const char *interface;   /* -I NAME */
	uint32_t source;         /* -I ADDR (network order), 0: the kernel's choice */
	uint8_t pattern[16];
	size_t pattern_len;
	const char *pcap_path;
	uint64_t rate;           /* --rate PPS, 0: not given */
	bool alive_only, unreachable_only;
	unsigned retries;
	bool retries_set;
};

/* Everything a run needs once the socket is open and privileges are gone. */
struct ping_ctx {
	struct ping_opts *o;
	struct rp_icmp_sock sock;
	struct rp_sipkey key;
	struct rp_out out;
	struct rp_pcapw *pcap;
	struct rp_rx_batch rx;
	struct rp_packet pkt;
	uint16_t ip_id;
};

/* Set by the signal handlers, read by the loops (of every sweep worker: atomic, lock-free). */
extern atomic_int ping_stop, ping_status;

/* A sweep may split its targets among this many workers, each with its own socket and core. */
#define PING_WORKERS_MAX 4

/*
 * The top of every probing loop: false once SIGINT/SIGTERM came or 'end'
 * (monotonic ns) passed; calls status(arg) when SIGQUIT asked for a line.
 */
bool ping_keep_going(int64_t now, int64_t end, void (*status)(void *), void *arg);
/* Waits for the socket or until 'until' (monotonic ns); signals end the wait early. */
int ping_wait(struct ping_ctx *c, int64_t until);
/* Builds one probe into buf (IPv4 header included); returns its length. */
size_t ping_build(struct ping_ctx *c, uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		  uint16_t seq, int64_t sent_ns);
/* Decodes received datagram i and matches it; false when it is not about our probes. */
bool ping_match(struct ping_ctx *c, unsigned i, struct rp_reply *r);

/* One target: iputils ping. Sweep: fping. Both return the exit status. */
int ping_one(struct ping_ctx *ctx, unsigned nworkers, const char *name, uint32_t target);
/* ctx: nworkers contexts, each with its own socket (opened before privileges went). */
int ping_sweep(struct ping_ctx *ctx, unsigned nworkers, char **specs, int nspecs);

/* ------------------------------------------------------------ output (ping_out.c) */

/* iputils' words for an ICMP error ("Destination Host Unreachable"). */
void ping_out_icmp_error(struct rp_out *o, uint8_t type, uint8_t code, uint32_t rest);
/* iputils' time format: 0.045, 1.23, 12.3, 123 (ms). */
void ping_out_time(struct rp_out *o, int64_t ns);
void ping_out_loss(struct rp_out *o, uint64_t sent, uint64_t received);
/* Per cent of probes unanswered (0 when none went): the one loss figure every output prints. */
double ping_loss_pct(uint64_t sent, uint64_t received);

struct ping_summary {
	const char *target;
	uint64_t transmitted, received, duplicates, corrupted, errors;
	const struct rp_rtt *rtt;
	int64_t elapsed_ns;
	bool ipg;               /* flood: add ipg/ewma */
	int64_t ewma_ns;
};

void ping_json_reply(struct rp_out *o, const char *target, uint32_t from, uint16_t seq, int ttl,
		     uint32_t bytes, int64_t rtt_ns, bool dup, bool checksum_bad);
void ping_json_timeout(struct rp_out *o, const char *target, uint16_t seq);
void ping_json_error(struct rp_out *o, const char *target, uint32_t from, uint16_t seq,
		     uint8_t type, uint8_t code);
void ping_json_summary(struct rp_out *o, const struct ping_summary *s);
void ping_text_summary(struct rp_out *o, const struct ping_summary *s);

#endif
