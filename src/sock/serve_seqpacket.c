/*
 * Seqpacket clients (unix-seqpacket): messages kept whole. Up to RP_BATCH
 * messages come in with one recvmmsg into the shared slots and, in echo,
 * go back with one sendmmsg; only what the socket would not take is copied
 * into the client's queue, and the client is not read again until that
 * queue is empty. A zero-length read is the end of the connection (a
 * zero-length message cannot be told from it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "server_internal.h"

#define LINE 74 /* one chargen line per --source message */

int rp_seq_start(struct rp_client *c)
{
	const struct rp_server_opts *o = &c->srv->o;
	size_t cap = o->queue_max;

	/* Echo must be able to keep the rest of one batch; chat one message. */
	if (o->mode == RP_SERVE_ECHO && cap < RP_BATCH * (o->msg_max + 4))
		cap = RP_BATCH * (o->msg_max + 4);
	if (cap < o->msg_max + 4)
		cap = o->msg_max + 4;
	rp_msgq_init(&c->mq, cap);
	return 0;
}

static void report_truncated(struct rp_server *s, struct rp_client *c, size_t real)
{
	char detail[96];

	s->t.truncated++;
	snprintf(detail, sizeof detail, "message of %zu bytes is larger than the %zu-byte buffer (--size): dropped",
		 real, s->o.msg_max);
	rp_server_emit(s, RP_EV_TRUNCATED, c ? c->id : 0, c ? c->peer : "?", detail, real, NULL);
}

/*
 * One recvmmsg. Returns the number of whole messages, compacted into
 * s->siov[0..n) (pointing into the slots); sets rd_eof at a zero-length
 * read; -1 when nothing was there or the client was closed.
 */
static int recv_batch(struct rp_client *c)
{
	struct rp_server *s = c->srv;
	int n, kept = 0;
	size_t bytes = 0, msgs = 0;

	for (int i = 0; i < RP_BATCH; i++) {
		s->riov[i].iov_len = s->o.msg_max;
		s->rmsg[i].msg_hdr.msg_name = NULL;
		s->rmsg[i].msg_hdr.msg_namelen = 0;
		s->rmsg[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(c->fd, s->rmsg, RP_BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n < 0) {
		rp_client_io_failed(c, "recvmmsg");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t len = s->rmsg[i].msg_len;

		if (len == 0) {
			c->rd_eof = true;
			break;
		}
		bytes += len;
		msgs++;
		if (s->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			report_truncated(s, c, len);
			continue;
		}
		s->siov[kept] = (struct iovec){ s->riov[i].iov_base, len };
		kept++;
	}
	/* Accounted once per batch: one clock read, not one per message. */
	if (msgs)
		rp_account_in(s, c, bytes, msgs);
	return kept;
}

static void flush_queue(struct rp_client *c)
{
	size_t msgs;
	ssize_t n = rp_msgq_send(&c->mq, c->fd, &msgs);

	if (n < 0)
		rp_client_io_failed(c, "send");
	else if (msgs)
		rp_account_out(c->srv, c, (size_t)n, msgs);
}

static void echo_batch(struct rp_client *c, int n)
{
	struct rp_server *s = c->srv;
	int sent;
	size_t bytes = 0;

	for (int i = 0; i < n; i++) {
		s->smsg[i].msg_hdr.msg_name = NULL;
		s->smsg[i].msg_hdr.msg_namelen = 0;
	}
	sent = sendmmsg(c->fd, s->smsg, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0) {
		if (rp_client_io_failed(c, "sendmmsg"))
			return;
		sent = 0;
	}
	for (int i = 0; i < sent; i++)
		bytes += s->siov[i].iov_len;
	if (sent)
		rp_account_out(s, c, bytes, (size_t)sent);
	for (int i = sent; i < n; i++)
		rp_msgq_put(&c->mq, s->siov[i].iov_base, s->siov[i].iov_len); /* fits: see rp_seq_start */
}

static void queue_replies(struct rp_client *c)
{
	const struct rp_server_opts *o = &c->srv->o;

	while (c->replies_due && rp_msgq_put(&c->mq, o->reply, o->reply_len))
		c->replies_due--;
}

static void broadcast(struct rp_client *from, const struct iovec *m)
{
	struct rp_server *s = from->srv;
	struct rp_client *o, *next;

	for (o = s->first; o; o = next) {
		next = o->next;
		if (o == from || o->closed)
			continue;
		if (!rp_msgq_put(&o->mq, m->iov_base, m->iov_len)) {
			s->t.dropped++;
			rp_server_emit(s, RP_EV_DROPPED, o->id, o->peer,
				       "not reading: chat queue full, disconnected", 0, NULL);
			rp_client_close(o, "chat queue full");
			continue;
		}
		rp_client_settle(o, !o->rd_eof, true);
	}
}

static void read_side(struct rp_client *c)
{
	struct rp_server *s = c->srv;

	for (int round = 0; round < RP_READ_BUDGET && !c->closed && !c->rd_eof; round++) {
		int n = recv_batch(c);

		if (n < 0)
			return;
		if (s->o.mode == RP_SERVE_ECHO) {
			echo_batch(c, n);
			if (!rp_msgq_empty(&c->mq))
				return; /* the socket is full: wait for it */
		} else if (s->o.mode == RP_SERVE_REPLY) {
			c->replies_due += (uint64_t)n;
			queue_replies(c);
			flush_queue(c);
			if (c->replies_due)
				return;
		} else if (s->o.mode == RP_SERVE_CHAT) {
			for (int i = 0; i < n; i++)
				broadcast(c, &s->siov[i]);
		}
		if (n < RP_BATCH)
			return;
	}
}

static void write_source(struct rp_client *c)
{
	struct rp_server *s = c->srv;
	int sent;
	size_t off = c->source_off;

	for (int i = 0; i < RP_BATCH; i++) {
		s->siov[i] = (struct iovec){ s->chargen + off, LINE };
		s->smsg[i].msg_hdr.msg_name = NULL;
		s->smsg[i].msg_hdr.msg_namelen = 0;
		off = (off + LINE) % RP_CHARGEN_PERIOD;
	}
	sent = sendmmsg(c->fd, s->smsg, RP_BATCH, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0) {
		rp_client_io_failed(c, "sendmmsg");
		return;
	}
	c->source_off = (c->source_off + (size_t)sent * LINE) % RP_CHARGEN_PERIOD;
	rp_account_out(s, c, (size_t)sent * LINE, (size_t)sent);
}

static void write_side(struct rp_client *c)
{
	if (c->srv->o.mode == RP_SERVE_SOURCE) {
		write_source(c);
		return;
	}
	flush_queue(c);
	if (c->srv->o.mode == RP_SERVE_REPLY && !c->closed) {
		queue_replies(c);
		flush_queue(c);
	}
}

static void settle(struct rp_client *c)
{
	bool pending = !rp_msgq_empty(&c->mq);
	bool in = !c->rd_eof, out = pending;

	switch (c->srv->o.mode) {
	case RP_SERVE_ECHO: in = in && !pending; break;
	case RP_SERVE_REPLY: in = in && c->replies_due == 0; out = out || c->replies_due; break;
	case RP_SERVE_SOURCE: out = true; break;
	default: break;
	}
	rp_client_settle(c, in, out);
}

void rp_seq_io(struct rp_client *c, uint32_t ev)
{
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (c->events & EPOLLIN))
		read_side(c);
	if (!c->closed && (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && (c->events & EPOLLOUT))
		write_side(c);
	if (!c->closed)
		settle(c);
}
