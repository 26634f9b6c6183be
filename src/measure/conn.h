/* The measuring side's sockets: blocking, with a bound on every wait. */
#ifndef RAWPROBE_MEASURE_CONN_H
#define RAWPROBE_MEASURE_CONN_H

#include <stddef.h>

#include "measure.h"

/*
 * A blocking client socket connected to A (unix-dgram: autobound, so
 * answers can come back), TCP_NODELAY on tcp, and no send or receive that
 * waits longer than ctl->timeout_ms. The descriptor, or -1 with err filled.
 */
int rp_conn_open(const struct rp_sockaddr *a, const struct rp_bench_ctl *ctl, char *err,
		 size_t errlen);

/* Sets how long one send or receive may wait. */
int rp_conn_set_wait(int fd, int wait_ms);

int rp_measure_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message for an I/O error: errno as text, with the timeout named for EAGAIN. */
const char *rp_conn_strerror(int e, int wait_ms, char *buf, size_t len);

static inline bool rp_ctl_stopped(const struct rp_bench_ctl *ctl)
{
	return ctl->stop && *ctl->stop;
}

#endif
