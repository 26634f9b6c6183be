/*
 * Connections driven by threads, for the bulk measurements: each
 * connection has a sender and (when something may come back) a receiver;
 * the calling thread only waits for them or for a stop.
 */
#ifndef RAWPROBE_MEASURE_WORKERS_H
#define RAWPROBE_MEASURE_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "measure.h"

struct rp_worker {
	int fd;
	uint64_t quota;       /* bytes or messages to send */
	uint64_t sent, back;  /* bytes or messages sent, and received back */
	int64_t sent_ns;      /* when the sender finished */
	int64_t back_ns;      /* when the last thing came back, or the end of stream */
	int send_errno, recv_errno;
	atomic_bool sending;  /* the sender is not done yet */
	bool has_sender, has_receiver; /* threads started */
	pthread_t sender, receiver;
	const struct rp_bench_ctl *ctl;
	void *arg;            /* the measurement's shared parameters */
	int done_fd;          /* a byte per finished thread */
};

typedef void *(*rp_worker_fn)(void *);

struct rp_crew {
	struct rp_worker w[RP_BENCH_MAX_PARALLEL];
	unsigned n;
	int done[2];          /* pipe: threads say they are done */
};

/* Opens n connections (none is left open on failure). */
int rp_crew_open(struct rp_crew *c, const struct rp_sockaddr *a, unsigned n, uint64_t total,
		 const struct rp_bench_ctl *ctl, void *arg, char *err, size_t errlen);
/*
 * Starts the threads (signals blocked in them) and waits for all of them,
 * or for a stop, after which every connection is shut down so that blocked
 * calls return. 0 when all finished, 1 when stopped early, -1 (err filled)
 * when a thread could not start.
 */
int rp_crew_run(struct rp_crew *c, rp_worker_fn send_fn, rp_worker_fn recv_fn, char *err,
		size_t errlen);
void rp_crew_close(struct rp_crew *c);
/* A thread is done: wakes the waiting thread. */
void rp_worker_done(struct rp_worker *w);

#endif
