/*
 * Bulk throughput over byte streams: each connection writes its share in
 * msg_size writes, half-closes, and reads until the server closes. A sink
 * closes once it has read everything, so the clock stops when the last
 * byte has crossed, not when the last write was queued. An echo server
 * (--remote) sends everything back: the receiver reads it as it comes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "conn.h"
#include "workers.h"

#define READ_SIZE (256 * 1024)

struct tput_shared {
	const char *data;
	size_t msg_size;
};

static void *tput_send(void *arg)
{
	struct rp_worker *w = arg;
	const struct tput_shared *sh = w->arg;

	while (w->sent < w->quota && !rp_ctl_stopped(w->ctl)) {
		uint64_t left = w->quota - w->sent;
		ssize_t n = send(w->fd, sh->data, left < sh->msg_size ? (size_t)left : sh->msg_size,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->send_errno = errno;
			break;
		}
		w->sent += (uint64_t)n;
	}
	w->sent_ns = rp_now_ns();
	shutdown(w->fd, SHUT_WR);
	w->sending = false;
	rp_worker_done(w);
	return NULL;
}

static void *tput_recv(void *arg)
{
	struct rp_worker *w = arg;
	char *buf = malloc(READ_SIZE);

	while (buf) {
		ssize_t n = recv(w->fd, buf, READ_SIZE, 0);

		if (n > 0) {
			w->back += (uint64_t)n;
			continue;
		}
		if (n == 0) {
			w->back_ns = rp_now_ns();
			break;
		}
		if (errno == EINTR || ((errno == EAGAIN || errno == EWOULDBLOCK) && w->sending))
			continue; /* a sink says nothing while we write, however long that takes */
		w->recv_errno = errno;
		break;
	}
	if (!buf)
		w->recv_errno = ENOMEM;
	free(buf);
	rp_worker_done(w);
	return NULL;
}

static int crew_errors(const struct rp_crew *c, const struct rp_sockaddr *a, int wait_ms,
		       char *err, size_t errlen)
{
	char why[128];

	for (unsigned i = 0; i < c->n; i++) {
		const struct rp_worker *w = &c->w[i];

		if (w->send_errno)
			return rp_measure_fail(err, errlen, "sending to %s: %s", a->text,
					       rp_conn_strerror(w->send_errno, wait_ms, why, sizeof why));
		if (w->recv_errno)
			return rp_measure_fail(err, errlen, "reading from %s: %s", a->text,
					       rp_conn_strerror(w->recv_errno, wait_ms, why, sizeof why));
	}
	return 0;
}

int rp_measure_throughput(const struct rp_sockaddr *a, const struct rp_tput_opts *o,
			  const struct rp_bench_ctl *ctl, struct rp_tput_result *r, char *err,
			  size_t errlen)
{
	struct tput_shared sh = { .msg_size = o->msg_size };
	struct rp_crew *c = malloc(sizeof *c);
	char *data = malloc(o->msg_size);
	int64_t start, end = 0;
	int rc;

	memset(r, 0, sizeof *r);
	if (!c || !data) {
		free(c);
		free(data);
		return rp_measure_fail(err, errlen, "out of memory for %zu-byte writes", o->msg_size);
	}
	memset(data, 'x', o->msg_size);
	sh.data = data;
	rc = rp_crew_open(c, a, o->parallel, o->bytes, ctl, &sh, err, errlen);
	if (rc == 0) {
		start = rp_now_ns();
		rc = rp_crew_run(c, tput_send, tput_recv, err, errlen);
		r->interrupted = rc == 1;
		for (unsigned i = 0; i < c->n; i++) {
			r->bytes += c->w[i].sent;
			r->bytes_back += c->w[i].back;
			if (c->w[i].back_ns > end)
				end = c->w[i].back_ns;
		}
		if (r->interrupted || !end)
			end = rp_now_ns();
		r->seconds = (double)(end - start) / 1e9;
		if (rc == 0)
			rc = crew_errors(c, a, ctl->timeout_ms, err, errlen);
		else if (rc == 1)
			rc = 0;
		rp_crew_close(c);
	}
	free(c);
	free(data);
	return rc;
}
