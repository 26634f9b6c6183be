/* rawprobe craft: what its files share (options, the run's sockets, output helpers). */
#ifndef RAWPROBE_CMD_CRAFT_H
#define RAWPROBE_CMD_CRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"
#include "rawprobe/craft.h"
#include "rawprobe/linktx.h"

#define CRAFT_SUB "craft"
#define CRAFT_WORKERS_MAX 4
#define CRAFT_DLT_RAW 228        /* LINKTYPE_IPV4: a bare datagram, as sockets give and take them */
#define CRAFT_FRAGS_MAX 2048     /* 65535 bytes cut at the smallest MTU (68) take 1366 */
/* Room for a datagram of len bytes in fragments: each repeats a header of up to 60 bytes. */
#define CRAFT_FRAGS_BYTES(len) ((len) + CRAFT_FRAGS_MAX * 60)
#define CRAFT_USER_INTERVAL_MIN_NS 2000000 /* anyone but root: 2 ms, as iputils ping */

struct craft_opts {
	struct rp_craft spec;
	const char *dst_arg;          /* --dst as given (resolved after the privilege drop) */
	const char *icmp_code_arg;    /* read once the type is known */
	const char *icmp_opt;         /* the first --icmp-* option given, NULL if none */
	const char *udp_opt, *tcp_opt;
	const char *l4_csum_opt;      /* which --*-checksum option set spec.l4_csum */
	uint32_t icmp_fields;         /* the --icmp-* options given, bit (option - first) */
	bool icmp_id_set, tcp_seq_set, otime_set, sport_random;
	bool tos_set, dscp_set, ecn_set;
	uint8_t dscp, ecn;
	/* payload: at most one source */
	const char *payload_opt;
	const char *file_arg;
	uint8_t *payload;             /* 65535 bytes, owned */
	unsigned fragment_mtu;        /* --fragment, 0: only when the route needs it */
	/* sending */
	uint64_t count;
	bool count_set;
	int64_t interval_ns;
	bool interval_set, rate_set;
	uint64_t rate;
	const char *interface;
	bool link;
	/* listening and output */
	int64_t wait_ns;
	bool quiet, json, dry_run;
	int verbose;
	int hex;                      /* 0, 1 (-x), 2 (-X: with ASCII) */
	const char *pcap_path;
	/* --from-pcap */
	const char *from_pcap;
	char *filter;                 /* the arguments after the options, joined */
	uint32_t rewrite_dst, rewrite_src;
	bool rewrite_dst_set, rewrite_src_set;
};

/* Sockets opened while CAP_NET_RAW could still be raised. */
struct craft_socks {
	int raw[CRAFT_WORKERS_MAX];   /* IPPROTO_RAW senders, one per worker; -1 when unused */
	struct rp_link_tx link[CRAFT_WORKERS_MAX];
	bool have_link;               /* link[] opened (fd >= 0) */
	unsigned nworkers;
	int rx[3];                    /* receivers: ICMP, then the probe's protocol; -1 when unused */
	unsigned nrx;
};

/* craft_send.c: the sockets (before the drop), then the run (after it). */
void craft_open_senders(struct craft_socks *s, const struct craft_opts *o, bool raw, bool link,
			unsigned nworkers);
void craft_open_receivers(struct craft_socks *s, const struct craft_opts *o);
int craft_run(struct craft_opts *o, struct craft_socks *s, uint32_t route_mtu);

/* craft_replay.c: --from-pcap, sockets opened and privileges dropped. */
int craft_replay(struct craft_opts *o, struct craft_socks *s);

/* ------------------------------------------------------------ craft_out.c */

struct rp_packet;
struct rp_rtt;

/* A datagram's line as `read -t` prints it, without the newline; bare: without "IP ". */
void craft_print_line(struct rp_out *out, const struct rp_packet *pkt, int verbose, bool bare);
/* read's JSON object for pkt, with leading keys (raw JSON text ending in ','). */
void craft_print_json(struct rp_out *out, const struct rp_packet *pkt, const char *lead, size_t lead_len);

/* "CRAFT 10.200.0.2: 28 bytes, ICMP echo request id 4660 seq 1, raw socket" */
void craft_out_first_line(struct rp_out *o, const char *target, const struct rp_craft *c, size_t len,
			  unsigned nfrags, bool link);

struct craft_answer {
	uint64_t probe;   /* 1-based */
	int64_t rtt_ns;   /* -1: not known */
	bool dup, error;
};

/* An answer's line ("...  probe=1 time=0.051 ms") and hex dump, or its JSON object. */
void craft_out_answer(struct rp_out *o, const struct craft_opts *opt, const struct rp_packet *p,
		      const uint8_t *d, size_t n, const struct craft_answer *a);

struct craft_tally {
	const char *target;
	uint64_t sent, replies, errors, dups;
	const struct rp_rtt *rtt;
	int64_t elapsed_ns;
};

void craft_out_summary(struct rp_out *o, bool json, const struct craft_tally *t);

/*
 * Whether a datagram may leave from addr for anyone but root: one of this
 * host's unicast addresses (an interface's, or loopback's 127/8), or 0.0.0.0.
 */
bool craft_source_is_local(uint32_t addr);

/* The size fragments are cut to (0: the datagram goes whole); refuses what cannot be sent. */
unsigned craft_frag_mtu(const struct craft_opts *o, size_t len, unsigned route_mtu);

/* A send that failed for good: one line, saying why where errno tells (a firewall's EPERM). */
_Noreturn void craft_fail_send(const char *target, int err);

/* SIGINT and SIGTERM end the run with its summary; blocked except while waiting. */
void craft_catch_signals(void);
/*
 * Sleeps until 'until' (monotonic ns), or until fd (when >= 0) has room to
 * send. False when a signal asked to stop.
 */
bool craft_wait_until(int64_t until, int fd);


#endif
