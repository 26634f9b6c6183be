/*
 * The measurements behind `rawprobe bench`: bulk throughput over byte
 * streams, message rate over datagram and seqpacket sockets, and
 * request/response round trips, each against a server that is either our
 * own (forked, see peer.h) or one already running (--remote).
 *
 * Nothing here prints or exits. A measurement stops early, keeping what it
 * measured so far, when *ctl->stop becomes non-zero; the caller's signal
 * handler sets it and writes a byte to ctl->wake_fd so that waits return.
 * The caller ignores SIGPIPE: a server that goes away is an error to
 * report, not a signal to die of.
 */
#ifndef RAWPROBE_MEASURE_H
#define RAWPROBE_MEASURE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "rawprobe/sockaddr.h"

#define RP_BENCH_MAX_PARALLEL 64

struct rp_bench_ctl {
	volatile sig_atomic_t *stop; /* may be NULL */
	int wake_fd;                 /* readable once stop is set; -1 if none */
	int timeout_ms;              /* connect, and the longest wait for the server; > 0 */
	bool remote;                 /* the server is not ours: it may echo what we send */
};

struct rp_tput_opts {
	uint64_t bytes;   /* in all, split evenly over the connections */
	size_t msg_size;  /* bytes per write */
	unsigned parallel;
};

struct rp_tput_result {
	uint64_t bytes;      /* accepted by the kernel on our side */
	uint64_t bytes_back; /* what the server sent back (an echo server, with --remote) */
	double seconds;      /* first write to the server's close of the last connection */
	bool interrupted;
};

struct rp_msgs_opts {
	uint64_t count;   /* messages in all */
	size_t msg_size;
	unsigned parallel;
};

struct rp_msgs_result {
	uint64_t sent;
	uint64_t received;   /* filled by the caller from the server's count, or echoes counted */
	bool received_known; /* false: JSON null */
	double seconds;      /* first send to the last message in (or the last send when unknown) */
	int64_t start_ns;    /* CLOCK_MONOTONIC of the first send */
	int64_t end_ns;      /* of the last send, or of the last echo counted */
	bool interrupted;
};

struct rp_rr_opts {
	uint64_t count;
	size_t msg_size;
};

struct rp_rr_result {
	uint64_t n;    /* round trips completed */
	uint64_t lost; /* datagrams without an answer within the wait */
	struct rp_hist hist;
	bool interrupted;
};

/* 0 on success, -1 with err filled; a stop is a success with `interrupted` set. */
int rp_measure_throughput(const struct rp_sockaddr *a, const struct rp_tput_opts *o,
			  const struct rp_bench_ctl *ctl, struct rp_tput_result *r, char *err,
			  size_t errlen);
int rp_measure_messages(const struct rp_sockaddr *a, const struct rp_msgs_opts *o,
			const struct rp_bench_ctl *ctl, struct rp_msgs_result *r, char *err,
			size_t errlen);
/* r->hist is initialised here: a struct rp_rr_result is about 36 KiB, keep it off small stacks. */
int rp_measure_rr(const struct rp_sockaddr *a, const struct rp_rr_opts *o,
		  const struct rp_bench_ctl *ctl, struct rp_rr_result *r, char *err, size_t errlen);

double rp_tput_mib_per_s(const struct rp_tput_result *r);
double rp_msgs_per_s(const struct rp_msgs_result *r);

/*
 * The contract's `bench --json` objects, one line each with its newline;
 * the return value is what snprintf returns.
 */
int rp_json_throughput(char *buf, size_t len, const char *addr, const struct rp_tput_result *r);
int rp_json_messages(char *buf, size_t len, const char *addr, size_t size,
		     const struct rp_msgs_result *r);
int rp_json_rr(char *buf, size_t len, const char *addr, const struct rp_rr_result *r);

#endif
