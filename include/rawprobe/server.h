/*
 * The server engine behind `rawprobe serve` (and the server `rawprobe bench`
 * starts for itself): one epoll loop, non-blocking sockets, thousands of
 * clients, bounded memory per client. It never prints: events go to a
 * callback.
 *
 * Opening (socket, bind, listen) is separate from running, so a caller can
 * fork, open, report readiness, then run:
 *
 *   rp_server_open(&srv, &addr, &opts, err, sizeof err);   // errors here: exit 2
 *   printf("listening on %s\n", rp_server_address(srv));
 *   rp_server_run(srv, &stop, &waitmask, err, sizeof err);
 *   rp_server_totals(srv, &t);
 *   rp_server_close(srv);                                   // removes our unix file
 *
 * Modes, per unit (a line for byte streams, a message for seqpacket and datagrams):
 *   ECHO     everything back to its sender (datagrams to the sender's address)
 *   DISCARD  read and drop
 *   SINK     read and drop, counting bytes and messages (the caller prints rates)
 *   SOURCE   generated data (RFC 864 chargen lines) until the client closes;
 *            datagram kinds answer each datagram with one generated datagram of
 *            the same size
 *   CHAT     each unit from one client goes to every other client; a client whose
 *            queue is full when a unit arrives is disconnected (memory stays bounded,
 *            the others are not held back); datagram peers are remembered for
 *            idle_timeout (default 60 s), at most max_clients of them
 *   REPLY    each unit is answered with the fixed reply (streams: reply + "\n" per line)
 *
 * Backpressure: a connected client's pending output has a fixed cap; when it
 * is full the client is not read from (EPOLLIN off) until it drains. Datagram
 * replies that the kernel cannot take right now (a unix-dgram peer's queue is
 * full) are dropped and counted: one slow datagram peer never stalls the others.
 * A datagram or seqpacket message larger than msg_max is detected (MSG_TRUNC),
 * counted, reported through the callback, and not answered.
 */
#ifndef RAWPROBE_SERVER_H
#define RAWPROBE_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rawprobe/sockaddr.h"

enum rp_serve_mode {
	RP_SERVE_ECHO,
	RP_SERVE_DISCARD,
	RP_SERVE_SINK,
	RP_SERVE_SOURCE,
	RP_SERVE_CHAT,
	RP_SERVE_REPLY,
};

/* What one client (or, for datagram sockets, one message burst) moved. */
struct rp_client_stats {
	uint64_t bytes_in, bytes_out;
	uint64_t msgs_in, msgs_out; /* streams: read/write calls that moved data */
	int64_t start_ns, end_ns;   /* CLOCK_MONOTONIC */
};

enum rp_server_event_type {
	RP_EV_ACCEPT,    /* a client connected: peer, id */
	RP_EV_CLOSE,     /* a client is gone: peer, id, stats, detail ("closed", "reset", ...) */
	RP_EV_REFUSED,   /* over max_clients: closed at once; peer */
	RP_EV_IDLE,      /* closed after idle_timeout; followed by RP_EV_CLOSE */
	RP_EV_TRUNCATED, /* a message larger than msg_max: peer, size (the real length) */
	RP_EV_DROPPED,   /* a datagram reply the kernel would not take, or a slow chat client */
	RP_EV_ERROR,     /* anything else worth a log line: detail */
};

struct rp_server_event {
	enum rp_server_event_type type;
	uint64_t id;          /* client number, from 1, in order of acceptance; 0 for datagrams */
	const char *peer;     /* address or SO_PEERCRED text; never NULL */
	const char *detail;   /* never NULL */
	size_t size;          /* RP_EV_TRUNCATED: the message's real length */
	const struct rp_client_stats *stats; /* RP_EV_CLOSE only */
};

typedef void (*rp_server_log_fn)(void *arg, const struct rp_server_event *ev);

struct rp_server_opts {
	enum rp_serve_mode mode;
	const char *reply;      /* RP_SERVE_REPLY */
	size_t reply_len;
	unsigned max_clients;   /* 0: no limit beyond RLIMIT_NOFILE */
	int64_t idle_timeout_ns;/* 0: none */
	int backlog;            /* 0: SOMAXCONN */
	mode_t file_mode;       /* unix socket file permissions when set_mode */
	bool set_mode;
	size_t queue_max;       /* per-client pending output cap; 0: 256 KiB */
	size_t msg_max;         /* largest datagram/seqpacket message accepted; 0: 65536 */
	rp_server_log_fn log;   /* may be NULL */
	void *log_arg;
};

struct rp_server_totals {
	uint64_t connections;   /* accepted (datagram kinds: 0) */
	uint64_t refused;       /* over max_clients */
	uint64_t idle_closed;
	uint64_t truncated;     /* messages larger than msg_max */
	uint64_t dropped;       /* datagram replies not sent, chat clients cut off */
	uint64_t bytes_in, bytes_out, msgs_in, msgs_out;
	unsigned clients_now, clients_peak;
	int64_t start_ns, first_in_ns, last_in_ns; /* CLOCK_MONOTONIC; 0 if nothing came in */
};

struct rp_server;

/*
 * Creates the listening (or bound datagram) socket for A. 0 on success; -1
 * with err filled (a live server on a unix path, a path that is not a
 * socket, an address in use, ...); errno from the failing call.
 */
int rp_server_open(struct rp_server **srv, const struct rp_sockaddr *a,
		   const struct rp_server_opts *o, char *err, size_t errlen);

/* The bound address as text, with the port the kernel chose for port 0. */
const char *rp_server_address(const struct rp_server *srv);
/* The listening/bound descriptor (for a caller that wants to poll it itself). */
int rp_server_fd(const struct rp_server *srv);

/*
 * Serves until *stop becomes non-zero. When waitmask is not NULL the wait
 * runs under it (epoll_pwait): block the stop signals in the caller, pass
 * a mask with them unblocked, and a signal cannot slip in between the test
 * of *stop and the wait. 0 when stopped; -1 with err filled on a failure of
 * the loop itself (never because of a client).
 */
int rp_server_run(struct rp_server *srv, volatile sig_atomic_t *stop, const sigset_t *waitmask,
		  char *err, size_t errlen);

void rp_server_totals(const struct rp_server *srv, struct rp_server_totals *t);

/* Closes every client and the socket, removes our unix file; NULL is fine. */
void rp_server_close(struct rp_server *srv);

#endif
