/*
 * Byte-stream clients (tcp, unix): echo reads straight into the client's
 * ring and writes from it; sink and discard read 256 KiB at a time into
 * one shared buffer; source writes from the shared chargen pattern.
 * A unit of reply and chat is a line.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_internal.h"

int rp_stream_start(struct rp_client *c)
{
	struct rp_server *s = c->srv;
	int on = 1;

	/* Echoed and chat bytes go out as they come: no Nagle wait behind a delayed ack. */
	if (s->addr.kind == RP_SOCK_TCP)
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	switch (s->o.mode) {
	case RP_SERVE_ECHO:
	case RP_SERVE_REPLY:
		return rp_ring_init(&c->out, s->o.queue_max);
	case RP_SERVE_CHAT:
		c->line = malloc(s->o.msg_max);
		if (!c->line)
			return -1;
		return rp_ring_init(&c->out, s->o.queue_max);
	default:
		return 0;
	}
}

/* Reads and throws away (discard, sink, and whatever a source client sends). */
static void read_drop(struct rp_client *c)
{
	struct rp_server *s = c->srv;

	for (int i = 0; i < RP_READ_BUDGET; i++) {
		ssize_t n = read(c->fd, s->scratch, RP_SCRATCH);

		if (n > 0) {
			rp_account_in(s, c, (size_t)n, 1);
			if ((size_t)n < RP_SCRATCH)
				return;
		} else if (n == 0) {
			c->rd_eof = true;
			return;
		} else {
			rp_client_io_failed(c, "read");
			return;
		}
	}
}

static void flush_ring(struct rp_client *c)
{
	while (c->out.len) {
		ssize_t n = rp_ring_write(&c->out, c->fd);

		if (n < 0) {
			rp_client_io_failed(c, "write");
			return;
		}
		rp_account_out(c->srv, c, (size_t)n, 1);
	}
}

static void read_echo(struct rp_client *c)
{
	for (int i = 0; i < RP_READ_BUDGET && rp_ring_room(&c->out); i++) {
		size_t room = rp_ring_room(&c->out);
		ssize_t n = rp_ring_read(&c->out, c->fd);

		if (n == 0) {
			c->rd_eof = true;
			break;
		}
		if (n < 0) {
			rp_client_io_failed(c, "read");
			return;
		}
		rp_account_in(c->srv, c, (size_t)n, 1);
		flush_ring(c);
		if (c->closed)
			return;
		/* A short read emptied the socket: epoll (level-triggered) reports more, no EAGAIN read needed. */
		if ((size_t)n < room)
			break;
	}
	flush_ring(c);
}

/* Queues the replies owed, as far as the ring has room. */
static void queue_replies(struct rp_client *c)
{
	const struct rp_server_opts *o = &c->srv->o;

	while (c->replies_due && rp_ring_room(&c->out) >= o->reply_len + 1) {
		rp_ring_put(&c->out, o->reply, o->reply_len);
		rp_ring_put(&c->out, "\n", 1);
		c->replies_due--;
	}
}

static void read_reply(struct rp_client *c)
{
	struct rp_server *s = c->srv;
	ssize_t n = read(c->fd, s->scratch, RP_SCRATCH);

	if (n < 0) {
		rp_client_io_failed(c, "read");
		return;
	}
	if (n == 0) {
		c->rd_eof = true;
		c->replies_due += c->partial_line; /* a last line without its newline */
		c->partial_line = false;
	} else {
		const char *p = s->scratch, *end = s->scratch + n, *nl;

		rp_account_in(s, c, (size_t)n, 1);
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			c->replies_due++;
			p = nl + 1;
		}
		c->partial_line = p < end;
	}
	queue_replies(c);
	flush_ring(c);
}

/* One line (or a piece of an over-long one) to every other client. */
static void broadcast(struct rp_client *from, const char *p, size_t n)
{
	struct rp_server *s = from->srv;
	struct rp_client *o, *next;

	for (o = s->first; o; o = next) {
		next = o->next;
		if (o == from || o->closed)
			continue;
		if (!rp_ring_put(&o->out, p, n)) {
			s->t.dropped++;
			rp_server_emit(s, RP_EV_DROPPED, o->id, o->peer,
				       "not reading: chat queue full, disconnected", 0, NULL);
			rp_client_close(o, "chat queue full");
			continue;
		}
		rp_client_settle(o, !o->rd_eof, true);
	}
}

static void read_chat(struct rp_client *c)
{
	size_t cap = c->srv->o.msg_max, start = 0;
	ssize_t n = read(c->fd, c->line + c->line_len, cap - c->line_len);
	char *nl;

	if (n < 0) {
		rp_client_io_failed(c, "read");
		return;
	}
	if (n == 0) {
		c->rd_eof = true;
		if (c->line_len)
			broadcast(c, c->line, c->line_len);
		c->line_len = 0;
		return;
	}
	rp_account_in(c->srv, c, (size_t)n, 1);
	c->line_len += (size_t)n;
	while ((nl = memchr(c->line + start, '\n', c->line_len - start)) != NULL) {
		size_t end = (size_t)(nl - c->line) + 1;

		broadcast(c, c->line + start, end - start);
		start = end;
	}
	if (start == 0 && c->line_len == cap) {
		broadcast(c, c->line, cap); /* longer than a line may be: passed on in pieces */
		start = cap;
	}
	memmove(c->line, c->line + start, c->line_len - start);
	c->line_len -= start;
}

static void write_source(struct rp_client *c)
{
	struct rp_server *s = c->srv;
	ssize_t n = send(c->fd, s->chargen + c->source_off, RP_SCRATCH, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		rp_client_io_failed(c, "write");
		return;
	}
	c->source_off = (c->source_off + (size_t)n) % RP_CHARGEN_PERIOD;
	rp_account_out(s, c, (size_t)n, 1);
}

static void read_side(struct rp_client *c)
{
	switch (c->srv->o.mode) {
	case RP_SERVE_ECHO: read_echo(c); break;
	case RP_SERVE_REPLY: read_reply(c); break;
	case RP_SERVE_CHAT: read_chat(c); break;
	default: read_drop(c); break;
	}
}

static void write_side(struct rp_client *c)
{
	if (c->srv->o.mode == RP_SERVE_SOURCE) {
		write_source(c);
		return;
	}
	flush_ring(c);
	if (c->srv->o.mode == RP_SERVE_REPLY && !c->closed) {
		queue_replies(c);
		flush_ring(c);
	}
}

static void settle(struct rp_client *c)
{
	bool in = !c->rd_eof, out = c->out.len > 0;

	switch (c->srv->o.mode) {
	case RP_SERVE_ECHO: in = in && rp_ring_room(&c->out) > 0; break;
	case RP_SERVE_REPLY: in = in && c->replies_due == 0; out = out || c->replies_due; break;
	case RP_SERVE_SOURCE: out = true; break; /* until the client goes, not only its sending side */
	default: break;
	}
	rp_client_settle(c, in, out);
}

void rp_stream_io(struct rp_client *c, uint32_t ev)
{
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (c->events & EPOLLIN))
		read_side(c);
	if (!c->closed && (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && (c->events & EPOLLOUT))
		write_side(c);
	if (!c->closed)
		settle(c);
}
