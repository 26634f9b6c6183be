/*
 * Small socket helpers in the manner of Redis anet.c: each does one thing,
 * returns a file descriptor (or 0) on success and -1 with err filled on
 * failure, and closes what it opened on every error path. errno is kept
 * from the failing call, so callers can tell a refused connection
 * (ECONNREFUSED, ENOENT for a missing unix path, ETIMEDOUT) from the rest.
 * Every descriptor is close-on-exec.
 */
#ifndef RAWPROBE_SOCK_H
#define RAWPROBE_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rawprobe/sockaddr.h"

/*
 * A unix socket file this process created: removed at the end only if the
 * path still names the same inode (another server may have replaced it).
 */
struct rp_sock_file {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	dev_t dev;
	ino_t ino;
	bool owned;
};

struct rp_listen_opts {
	int backlog;       /* listen(2) backlog; 0: SOMAXCONN */
	mode_t mode;       /* permissions of a unix socket file, when set_mode */
	bool set_mode;
	int rcvbuf, sndbuf; /* SO_RCVBUF / SO_SNDBUF when > 0 (datagram servers want room) */
};

/*
 * Opens the server side of A: socket, SO_REUSEADDR (tcp, udp), bind, and
 * listen for the connected kinds. Non-blocking. For a unix file:
 *  - a stale socket at the path (connect is refused) is removed and replaced;
 *  - a live server at the path, or a path that is not a socket: -1, errno
 *    EADDRINUSE or EEXIST, and nothing on disk is touched;
 *  - o->set_mode: the file gets o->mode (see sockfile.c for why umask);
 *  - FILE (may be NULL only for abstract/ip kinds) records the inode for
 *    rp_sock_file_remove.
 * An empty HOST (a->wildcard) listens dual-stack on [::], or on 0.0.0.0
 * when the kernel has no IPv6.
 */
int rp_sock_listen(const struct rp_sockaddr *a, const struct rp_listen_opts *o,
		   struct rp_sock_file *file, char *err, size_t errlen);

/* Removes the file if it is still the one we created; idempotent. */
void rp_sock_file_remove(struct rp_sock_file *file);

/*
 * Opens the client side of A and connects within timeout_ms (<= 0: no
 * limit). For datagram kinds connect(2) only fixes the peer; a unix-dgram
 * client is bound first, to BIND_PATH if given (recorded in FILE, which
 * the caller removes) or autobound to an abstract name, so replies can
 * come back. The returned descriptor is non-blocking.
 */
int rp_sock_connect(const struct rp_sockaddr *a, int timeout_ms, const char *bind_path,
		    struct rp_sock_file *file, char *err, size_t errlen);

/* True for the errno values that mean "nobody there" (exit 1 in connect). */
bool rp_sock_errno_refused(int e);

int rp_sock_set_nonblock(int fd, bool on, char *err, size_t errlen);
/* SO_RCVBUF / SO_SNDBUF; bytes <= 0 leaves the setting alone. */
int rp_sock_set_buffers(int fd, int rcvbuf, int sndbuf, char *err, size_t errlen);
/* TCP_NODELAY on a tcp socket; a no-op for the others. */
int rp_sock_set_nodelay(int fd, char *err, size_t errlen);

/*
 * Who is at the other end of a connected socket, for logs:
 * "pid 1234 uid 0 gid 0" from SO_PEERCRED for unix sockets, the address
 * ("tcp:127.0.0.1:41234") for tcp. Never fails; "?" when unknown.
 */
void rp_sock_peer_text(enum rp_sock_kind kind, int fd, char *buf, size_t buflen);

#endif
