/* What the files of the socket library share and nobody else needs. */
#ifndef RAWPROBE_SOCK_INTERNAL_H
#define RAWPROBE_SOCK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rawprobe/sock.h"

/* Fills err (if errlen) and returns -1; errno is preserved. */
int rp_sock_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Makes A's path free to bind: nothing there, or a stale socket that is
 * removed. -1 (errno EEXIST: not a socket; EADDRINUSE: a live server)
 * with err filled, and the path untouched.
 */
int rp_sockfile_claim(const struct rp_sockaddr *a, char *err, size_t errlen);

/* bind(2) of a unix file with the asked mode, recording the inode in FILE. */
int rp_sockfile_bind(int fd, const struct rp_sockaddr *a, bool set_mode, mode_t mode,
		     struct rp_sock_file *file, char *err, size_t errlen);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t rp_sock_now_ns(void);

#endif
