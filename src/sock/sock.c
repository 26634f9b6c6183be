/*
 * Socket helpers (Redis anet.c style): listen, connect with a timeout,
 * options, peer text. Each closes what it opened on every error path and
 * leaves errno as the failing call set it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sock_internal.h"

int rp_sock_fail(char *err, size_t errlen, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

int64_t rp_sock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* A failed open: the socket closed and, when we created it, its file removed; errno kept. Returns -1. */
static int undo_open(int fd, struct rp_sock_file *file)
{
	close_keep_errno(fd);
	if (file) {
		int saved = errno;

		rp_sock_file_remove(file);
		errno = saved;
	}
	return -1;
}

bool rp_sock_errno_refused(int e)
{
	return e == ECONNREFUSED || e == ENOENT || e == ETIMEDOUT || e == EHOSTUNREACH ||
	       e == ENETUNREACH || e == ECONNRESET;
}

int rp_sock_set_nonblock(int fd, bool on, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0)
		return rp_sock_fail(err, errlen, "fcntl O_NONBLOCK: %s", strerror(errno));
	return 0;
}

int rp_sock_set_buffers(int fd, int rcvbuf, int sndbuf, char *err, size_t errlen)
{
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
		return rp_sock_fail(err, errlen, "SO_RCVBUF %d: %s", rcvbuf, strerror(errno));
	if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0)
		return rp_sock_fail(err, errlen, "SO_SNDBUF %d: %s", sndbuf, strerror(errno));
	return 0;
}

int rp_sock_set_nodelay(int fd, char *err, size_t errlen)
{
	int on = 1, type = 0;
	socklen_t tl = sizeof type;

	/* Only TCP has Nagle's algorithm to turn off; for the others this is a no-op. */
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &type, &tl) < 0 || type != IPPROTO_TCP)
		return 0;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) < 0)
		return rp_sock_fail(err, errlen, "TCP_NODELAY: %s", strerror(errno));
	return 0;
}

/* An [::] socket that also takes IPv4; 0.0.0.0 when the kernel has no IPv6. */
static int wildcard_socket(const struct rp_sockaddr *a, struct rp_sockaddr *bound)
{
	int fd, off = 0;

	*bound = *a;
	fd = socket(AF_INET6, a->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->protocol);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		return fd;
	}
	if (errno != EAFNOSUPPORT)
		return -1;
	struct sockaddr_in *sin = (struct sockaddr_in *)&bound->ss;
	uint16_t port = ((const struct sockaddr_in6 *)&a->ss)->sin6_port;

	memset(&bound->ss, 0, sizeof bound->ss);
	sin->sin_family = AF_INET;
	sin->sin_port = port;
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	bound->family = AF_INET;
	bound->len = sizeof *sin;
	return socket(AF_INET, a->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->protocol);
}

static int bind_inet(int fd, const struct rp_sockaddr *a, char *err, size_t errlen)
{
	int on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		return rp_sock_fail(err, errlen, "SO_REUSEADDR: %s", strerror(errno));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		if (errno == EADDRINUSE)
			return rp_sock_fail(err, errlen,
					    "%s is in use by another socket; stop it or choose another port",
					    a->text);
		if (errno == EACCES)
			return rp_sock_fail(err, errlen,
					    "binding %s needs privileges (ports below 1024): run as root, or choose a port above 1023",
					    a->text);
		return rp_sock_fail(err, errlen, "cannot bind %s: %s", a->text, strerror(errno));
	}
	return 0;
}

static int bind_abstract(int fd, const struct rp_sockaddr *a, char *err, size_t errlen)
{
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
		return 0;
	if (errno == EADDRINUSE)
		return rp_sock_fail(err, errlen,
				    "the abstract name %s is in use by another server; choose another name",
				    a->text);
	return rp_sock_fail(err, errlen, "cannot bind %s: %s", a->text, strerror(errno));
}

int rp_sock_listen(const struct rp_sockaddr *a, const struct rp_listen_opts *o,
		   struct rp_sock_file *file, char *err, size_t errlen)
{
	struct rp_sockaddr bound = *a;
	int fd, rc;

	if (file)
		memset(file, 0, sizeof *file);
	if (rp_sockaddr_is_file(a) && rp_sockfile_claim(a, err, errlen) < 0)
		return -1;
	if (a->wildcard)
		fd = wildcard_socket(a, &bound);
	else
		fd = socket(a->family, a->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->protocol);
	if (fd < 0)
		return rp_sock_fail(err, errlen, "socket for %s: %s", a->text, strerror(errno));
	if (a->family == AF_UNIX && !a->abstract)
		rc = rp_sockfile_bind(fd, &bound, o->set_mode, o->mode, file, err, errlen);
	else if (a->family == AF_UNIX)
		rc = bind_abstract(fd, a, err, errlen);
	else
		rc = bind_inet(fd, &bound, err, errlen);
	if (rc == 0)
		rc = rp_sock_set_buffers(fd, o->rcvbuf, o->sndbuf, err, errlen);
	if (rc == 0 && rp_sockaddr_is_connected(a) &&
	    listen(fd, o->backlog > 0 ? o->backlog : SOMAXCONN) < 0)
		rc = rp_sock_fail(err, errlen, "listen on %s: %s", a->text, strerror(errno));
	if (rc < 0)
		return undo_open(fd, file);
	return fd;
}

/* Waits for a non-blocking tcp connect to finish; 0 or -1 with errno. */
static int connect_wait(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int64_t deadline = rp_sock_now_ns() + (int64_t)timeout_ms * 1000000;
	int soerr = 0, n;
	socklen_t len = sizeof soerr;

	for (;;) {
		int left = -1;

		if (timeout_ms > 0) {
			int64_t ns = deadline - rp_sock_now_ns();

			if (ns <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			left = (int)((ns + 999999) / 1000000);
		}
		n = poll(&p, 1, left);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR)
			return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/*
 * A unix stream connect cannot be waited for with poll (a full backlog
 * answers EAGAIN at once), so it blocks, bounded by SO_SNDTIMEO.
 */
static int connect_unix(int fd, const struct rp_sockaddr *a, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	struct timeval zero = { 0 };
	int rc, saved;

	if (timeout_ms > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	do
		rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	while (rc < 0 && errno == EINTR);
	saved = errno;
	if (rc < 0 && (saved == EAGAIN || saved == EINPROGRESS))
		saved = ETIMEDOUT;
	if (timeout_ms > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, sizeof zero);
	errno = saved;
	return rc;
}

/* Binds a unix-dgram client so that replies have somewhere to go. */
static int bind_client(int fd, const char *bind_path, struct rp_sock_file *file, char *err,
		       size_t errlen)
{
	struct rp_sockaddr me;
	sa_family_t fam = AF_UNIX;
	char spec[RP_SOCKADDR_TEXTLEN + 16];

	if (!bind_path) {
		/* Autobind: the kernel picks a unique abstract name. */
		if (bind(fd, (const struct sockaddr *)&(struct sockaddr_un){ .sun_family = fam },
			 sizeof fam) < 0)
			return rp_sock_fail(err, errlen, "autobind: %s", strerror(errno));
		return 0;
	}
	snprintf(spec, sizeof spec, "unix-dgram:%s", bind_path);
	if (rp_sockaddr_parse(spec, 0, &me, err, errlen) < 0)
		return -1;
	if (rp_sockaddr_is_file(&me) && rp_sockfile_claim(&me, err, errlen) < 0)
		return -1;
	if (!rp_sockaddr_is_file(&me)) {
		if (bind(fd, (const struct sockaddr *)&me.ss, me.len) < 0)
			return rp_sock_fail(err, errlen, "cannot bind %s: %s", me.text, strerror(errno));
		return 0;
	}
	return rp_sockfile_bind(fd, &me, false, 0, file, err, errlen);
}

int rp_sock_connect(const struct rp_sockaddr *a, int timeout_ms, const char *bind_path,
		    struct rp_sock_file *file, char *err, size_t errlen)
{
	int fd, rc;

	if (file)
		memset(file, 0, sizeof *file);
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC | (a->family == AF_UNIX ? 0 : SOCK_NONBLOCK),
		    a->protocol);
	if (fd < 0)
		return rp_sock_fail(err, errlen, "socket for %s: %s", a->text, strerror(errno));
	if (a->kind == RP_SOCK_UNIX_DGRAM && bind_client(fd, bind_path, file, err, errlen) < 0) {
		close_keep_errno(fd);
		return -1;
	}
	if (a->family == AF_UNIX) {
		rc = connect_unix(fd, a, timeout_ms);
	} else {
		rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
		if (rc < 0 && errno == EINPROGRESS)
			rc = connect_wait(fd, timeout_ms);
	}
	if (rc == 0 && a->family == AF_UNIX)
		rc = rp_sock_set_nonblock(fd, true, err, errlen);
	else if (rc < 0)
		rp_sock_fail(err, errlen, "cannot connect to %s: %s", a->text,
			     errno == ETIMEDOUT ? "timed out" : strerror(errno));
	if (rc < 0)
		return undo_open(fd, file);
	return fd;
}

void rp_sock_peer_text(enum rp_sock_kind kind, int fd, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (kind == RP_SOCK_UNIX_STREAM || kind == RP_SOCK_UNIX_SEQPACKET) {
		struct ucred cred;
		socklen_t clen = sizeof cred;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
			snprintf(buf, buflen, "pid %ld uid %lu gid %lu", (long)cred.pid,
				 (unsigned long)cred.uid, (unsigned long)cred.gid);
			return;
		}
	} else if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		rp_sockaddr_format(kind, (struct sockaddr *)&ss, len, buf, buflen);
		return;
	}
	snprintf(buf, buflen, "?");
}
