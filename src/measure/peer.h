/*
 * The server `rawprobe bench` starts for itself: a forked child that opens
 * the server engine (rawprobe/server.h) on the address, says it is ready
 * over a pipe, serves until asked to finish, then sends back its totals.
 *
 *   rp_peer_start(&p, &addr, RP_SERVE_SINK, ...)   the address to connect to is p.addr
 *   ... measure against p.addr ...
 *   rp_peer_finish(&p, &totals, ...)                drains, stops and reaps the child
 */
#ifndef RAWPROBE_MEASURE_PEER_H
#define RAWPROBE_MEASURE_PEER_H

#include <stddef.h>
#include <sys/types.h>

#include "rawprobe/server.h"
#include "rawprobe/sockaddr.h"

struct rp_peer {
	pid_t pid;
	int fd;                 /* our end of the report pipe */
	struct rp_sockaddr addr; /* where it listens (port 0 resolved) */
};

/*
 * Forks the server for A in MODE and waits (up to timeout_ms) for it to be
 * listening. 0 on success; -1 with err filled (the engine's own message
 * when it could not open the address). An empty HOST or port 0 is fine.
 */
int rp_peer_start(struct rp_peer *p, const struct rp_sockaddr *a, enum rp_serve_mode mode,
		  int timeout_ms, char *err, size_t errlen);

/*
 * Asks the server to finish: it serves on until what was sent to it has
 * been read (every client gone, or the datagram queue empty), then reports
 * its totals and exits. Call it after the clients are closed. 0 with T
 * filled; -1 with err filled (the child is reaped either way).
 */
int rp_peer_finish(struct rp_peer *p, struct rp_server_totals *t, int timeout_ms, char *err,
		   size_t errlen);

/* Kills and reaps the child at once, on an error path; idempotent. */
void rp_peer_kill(struct rp_peer *p);

#endif
