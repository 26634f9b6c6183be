/*
 * Message rate over datagram and seqpacket sockets: each connection sends
 * its share of msg_size messages in sendmmsg batches. Against our own
 * server (a sink) the count that matters is the server's, which the caller
 * gets from it afterwards; against a remote server we count what comes
 * back (an echo server answers every message), with recvmmsg batches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "clock.h"
#include "conn.h"
#include "workers.h"

#define BATCH 64               /* messages per sendmmsg / recvmmsg */
#define ECHO_QUIET_MS 200      /* --remote: the answers are over after this much silence */
#define RCVBUF (4 * 1024 * 1024) /* room for echoes; the kernel caps it at rmem_max */

struct msgs_shared {
	char *data;      /* the one message everybody sends */
	size_t msg_size;
};

static void *msgs_send(void *arg)
{
	struct rp_worker *w = arg;
	const struct msgs_shared *sh = w->arg;
	struct iovec iov = { .iov_base = sh->data, .iov_len = sh->msg_size };
	struct mmsghdr m[BATCH];

	memset(m, 0, sizeof m);
	for (int i = 0; i < BATCH; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (w->sent < w->quota && !rp_ctl_stopped(w->ctl)) {
		uint64_t left = w->quota - w->sent;
		int n = sendmmsg(w->fd, m, left < BATCH ? (unsigned)left : BATCH, MSG_NOSIGNAL);

		if (n < 0 && (errno == EINTR || errno == ENOBUFS))
			continue; /* ENOBUFS: udp's device queue was full for a moment */
		if (n < 0) {
			w->send_errno = errno;
			break;
		}
		w->sent += (uint64_t)n;
	}
	w->sent_ns = rp_now_ns();
	w->sending = false;
	rp_worker_done(w);
	return NULL;
}

static void *msgs_recv(void *arg)
{
	struct rp_worker *w = arg;
	const struct msgs_shared *sh = w->arg;
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	char *buf = malloc(BATCH * sh->msg_size);

	memset(m, 0, sizeof m);
	for (int i = 0; buf && i < BATCH; i++) {
		iov[i].iov_base = buf + (size_t)i * sh->msg_size;
		iov[i].iov_len = sh->msg_size;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (buf && !(!w->sending && w->back >= w->sent)) {
		int n = recvmmsg(w->fd, m, BATCH, MSG_WAITFORONE, NULL);

		if (n > 0) {
			w->back += (uint64_t)n;
			w->back_ns = rp_now_ns();
			continue;
		}
		if (n == 0 || (n < 0 && errno != EINTR && !(errno == EAGAIN && w->sending)))
			break; /* quiet after the last send, closed, or shut down by a stop */
	}
	free(buf);
	rp_worker_done(w);
	return NULL;
}

static int first_error(const struct rp_crew *c, const struct rp_sockaddr *a, int wait_ms,
		       char *err, size_t errlen)
{
	char why[128];

	for (unsigned i = 0; i < c->n; i++)
		if (c->w[i].send_errno)
			return rp_measure_fail(err, errlen, "sending to %s: %s", a->text,
					       rp_conn_strerror(c->w[i].send_errno, wait_ms, why,
								sizeof why));
	return 0;
}

/* --remote: answers are awaited for a short quiet time, and with room to land in. */
static void prepare_echo(struct rp_crew *c)
{
	int rcvbuf = RCVBUF;

	for (unsigned i = 0; i < c->n; i++) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = ECHO_QUIET_MS * 1000 };

		setsockopt(c->w[i].fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		setsockopt(c->w[i].fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
}

int rp_measure_messages(const struct rp_sockaddr *a, const struct rp_msgs_opts *o,
			const struct rp_bench_ctl *ctl, struct rp_msgs_result *r, char *err,
			size_t errlen)
{
	struct msgs_shared sh = { .msg_size = o->msg_size };
	struct rp_crew *c = malloc(sizeof *c);
	int rc;

	memset(r, 0, sizeof *r);
	sh.data = calloc(1, o->msg_size);
	if (!c || !sh.data) {
		free(c);
		free(sh.data);
		return rp_measure_fail(err, errlen, "out of memory for %zu-byte messages", o->msg_size);
	}
	rc = rp_crew_open(c, a, o->parallel, o->count, ctl, &sh, err, errlen);
	if (rc == 0) {
		if (ctl->remote)
			prepare_echo(c);
		r->start_ns = rp_now_ns();
		rc = rp_crew_run(c, msgs_send, ctl->remote ? msgs_recv : NULL, err, errlen);
		r->interrupted = rc == 1;
		for (unsigned i = 0; i < c->n; i++) {
			const struct rp_worker *w = &c->w[i];

			r->sent += w->sent;
			r->received += w->back;
			if (w->sent_ns > r->end_ns)
				r->end_ns = w->sent_ns;
			if (w->back_ns > r->end_ns)
				r->end_ns = w->back_ns;
		}
		r->received_known = ctl->remote && r->received > 0;
		if (!r->end_ns)
			r->end_ns = rp_now_ns();
		r->seconds = (double)(r->end_ns - r->start_ns) / 1e9;
		if (rc == 0)
			rc = first_error(c, a, ctl->timeout_ms, err, errlen);
		else if (rc == 1)
			rc = 0;
		rp_crew_close(c);
	}
	free(c);
	free(sh.data);
	return rc;
}
