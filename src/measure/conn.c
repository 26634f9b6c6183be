#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "conn.h"
#include "rawprobe/sock.h"

int rp_measure_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int rp_conn_set_wait(int fd, int wait_ms)
{
	struct timeval tv = { .tv_sec = wait_ms / 1000, .tv_usec = (wait_ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		return -1;
	return 0;
}

int rp_conn_open(const struct rp_sockaddr *a, const struct rp_bench_ctl *ctl, char *err,
		 size_t errlen)
{
	int wait_ms = ctl->timeout_ms;
	char why[256];
	int fd = rp_sock_connect(a, wait_ms, NULL, NULL, why, sizeof why);

	if (fd < 0 && ctl->remote && rp_sock_errno_refused(errno))
		return rp_measure_fail(err, errlen, "%s (--remote: start a server there, e.g. "
				       "'rawprobe serve --sink %s', or drop --remote)", why, a->text);
	if (fd < 0)
		return rp_measure_fail(err, errlen, "%s", why);
	/* rp_sock_set_nodelay is for tcp only: it fails with ENOPROTOOPT on udp */
	if (rp_sock_set_nonblock(fd, false, why, sizeof why) < 0 ||
	    (a->kind == RP_SOCK_TCP && rp_sock_set_nodelay(fd, why, sizeof why) < 0)) {
		close(fd);
		return rp_measure_fail(err, errlen, "%s: %s", a->text, why);
	}
	if (rp_conn_set_wait(fd, wait_ms) < 0) {
		rp_measure_fail(err, errlen, "%s: setsockopt: %s", a->text, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

const char *rp_conn_strerror(int e, int wait_ms, char *buf, size_t len)
{
	if (e == EAGAIN || e == EWOULDBLOCK)
		snprintf(buf, len, "the server did not move for %d ms (--timeout)", wait_ms);
	else
		snprintf(buf, len, "%s", strerror(e));
	return buf;
}
