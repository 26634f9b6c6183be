/*
 * The server engine: one epoll loop in the spirit of Redis ae.c. The
 * listening (or datagram) socket and every client are level-triggered
 * epoll entries; a client is watched for reading only while its pending
 * output has room, which is the whole of the backpressure. Clients sit on
 * a list ordered by last activity, so the idle timeout is the wait's
 * timeout and costs nothing per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "server_internal.h"
#include "sock_internal.h"

#define MAX_EVENTS 256
#define ACCEPT_BUDGET 64

static int listener_tag; /* epoll data of the server's own socket */

void rp_server_emit(struct rp_server *s, enum rp_server_event_type type, uint64_t id,
		    const char *peer, const char *detail, size_t size,
		    const struct rp_client_stats *st)
{
	struct rp_server_event ev = {
		.type = type, .id = id, .peer = peer ? peer : "?", .detail = detail ? detail : "",
		.size = size, .stats = st,
	};

	if (s->o.log)
		s->o.log(s->o.log_arg, &ev);
}

static void list_remove(struct rp_server *s, struct rp_client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		s->last = c->prev;
	c->prev = c->next = NULL;
}

static void list_append(struct rp_server *s, struct rp_client *c)
{
	c->prev = s->last;
	c->next = NULL;
	if (s->last)
		s->last->next = c;
	else
		s->first = c;
	s->last = c;
}

void rp_client_touch(struct rp_client *c)
{
	struct rp_server *s = c->srv;

	if (!s->o.idle_timeout_ns)
		return;
	c->last_active = rp_sock_now_ns();
	if (s->last != c) {
		list_remove(s, c);
		list_append(s, c);
	}
}

void rp_account_in(struct rp_server *s, struct rp_client *c, size_t bytes, size_t msgs)
{
	int64_t now = s->o.mode == RP_SERVE_SINK ? rp_sock_now_ns() : 0;

	s->t.bytes_in += bytes;
	s->t.msgs_in += msgs;
	if (now) {
		if (!s->t.first_in_ns)
			s->t.first_in_ns = now;
		s->t.last_in_ns = now;
	}
	if (c) {
		c->st.bytes_in += bytes;
		c->st.msgs_in += msgs;
		if (now)
			c->st.end_ns = now;
		rp_client_touch(c);
	}
}

void rp_account_out(struct rp_server *s, struct rp_client *c, size_t bytes, size_t msgs)
{
	s->t.bytes_out += bytes;
	s->t.msgs_out += msgs;
	if (c) {
		c->st.bytes_out += bytes;
		c->st.msgs_out += msgs;
		rp_client_touch(c);
	}
}

void rp_client_close(struct rp_client *c, const char *why)
{
	struct rp_server *s = c->srv;

	if (c->closed)
		return;
	c->closed = true;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (s->o.mode != RP_SERVE_SINK || !c->st.end_ns)
		c->st.end_ns = rp_sock_now_ns();
	list_remove(s, c);
	s->t.clients_now--;
	rp_server_emit(s, RP_EV_CLOSE, c->id, c->peer, why, 0, &c->st);
	c->next = s->dead;
	s->dead = c;
}

bool rp_client_io_failed(struct rp_client *c, const char *what)
{
	char why[96];

	if (errno == EAGAIN || errno == EINTR)
		return false;
	if (errno == ECONNRESET || errno == EPIPE)
		snprintf(why, sizeof why, "reset by peer");
	else
		snprintf(why, sizeof why, "%s: %s", what, strerror(errno));
	rp_client_close(c, why);
	return true;
}

void rp_client_settle(struct rp_client *c, bool want_in, bool want_out)
{
	uint32_t ev = (want_in ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0);
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (c->closed)
		return;
	if (!ev) {
		rp_client_close(c, c->rd_eof ? "closed" : "done");
		return;
	}
	if (ev != c->events && epoll_ctl(c->srv->ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
		c->events = ev;
}

static void free_dead(struct rp_server *s)
{
	while (s->dead) {
		struct rp_client *c = s->dead;

		s->dead = c->next;
		rp_ring_free(&c->out);
		rp_msgq_free(&c->mq);
		free(c->line);
		free(c);
	}
}

/*
 * Out of descriptors: the pending connection would keep the listener
 * readable forever. The spare descriptor is given up to accept and close
 * it, so the client hears a clean close rather than nothing.
 */
static void shed_connection(struct rp_server *s)
{
	int fd;

	if (s->spare_fd < 0)
		return;
	close(s->spare_fd);
	fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	s->t.refused++;
	rp_server_emit(s, RP_EV_REFUSED, 0, "?", "out of file descriptors", 0, NULL);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static bool over_limit(struct rp_server *s, int fd)
{
	char peer[RP_PEER_TEXT];

	if (!s->o.max_clients || s->t.clients_now < s->o.max_clients)
		return false;
	s->t.refused++;
	if (s->o.log) {
		rp_sock_peer_text(s->addr.kind, fd, peer, sizeof peer);
		rp_server_emit(s, RP_EV_REFUSED, 0, peer, "too many clients (--max-clients)", 0, NULL);
	}
	close(fd);
	return true;
}

static void add_client(struct rp_server *s, int fd)
{
	struct rp_client *c = calloc(1, sizeof *c);
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };
	int rc;

	if (!c) {
		close(fd);
		rp_server_emit(s, RP_EV_ERROR, 0, "?", "out of memory for a client", 0, NULL);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->id = ++s->next_id;
	c->st.start_ns = c->last_active = rp_sock_now_ns();
	c->events = EPOLLIN;
	if (s->o.log)
		rp_sock_peer_text(s->addr.kind, fd, c->peer, sizeof c->peer);
	rc = rp_sockaddr_is_seqpacket(&s->addr) ? rp_seq_start(c) : rp_stream_start(c);
	e.data.ptr = c;
	if (rc < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		rp_server_emit(s, RP_EV_ERROR, c->id, c->peer, "cannot take the client (memory)", 0, NULL);
		rp_ring_free(&c->out);
		rp_msgq_free(&c->mq);
		free(c->line);
		free(c);
		close(fd);
		return;
	}
	list_append(s, c);
	s->t.connections++;
	if (++s->t.clients_now > s->t.clients_peak)
		s->t.clients_peak = s->t.clients_now;
	rp_server_emit(s, RP_EV_ACCEPT, c->id, c->peer, "", 0, NULL);
	if (s->o.mode == RP_SERVE_SOURCE)
		rp_client_settle(c, true, true);
}

static void accept_clients(struct rp_server *s)
{
	for (int i = 0; i < ACCEPT_BUDGET; i++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				shed_connection(s);
			else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				rp_server_emit(s, RP_EV_ERROR, 0, "?", strerror(errno), 0, NULL);
			return;
		}
		if (!over_limit(s, fd))
			add_client(s, fd);
	}
}

static void client_event(struct rp_client *c, uint32_t ev)
{
	if (rp_sockaddr_is_seqpacket(&c->srv->addr))
		rp_seq_io(c, ev);
	else
		rp_stream_io(c, ev);
	/* Hung up and no longer read: nothing more can come of it. */
	if (!c->closed && (ev & (EPOLLHUP | EPOLLERR)) && !(c->events & EPOLLIN))
		rp_client_close(c, (ev & EPOLLERR) ? "error" : "hung up");
}

/* Closes clients idle for too long; returns the wait until the next one may be (ms). */
static int expire_idle(struct rp_server *s)
{
	int64_t now, due;

	if (!s->o.idle_timeout_ns)
		return -1;
	now = rp_sock_now_ns();
	if (rp_sockaddr_is_dgram(&s->addr))
		return -1; /* chat peers age out as messages come (serve_dgram.c) */
	while (s->first && s->first->last_active + s->o.idle_timeout_ns <= now) {
		struct rp_client *c = s->first;

		s->t.idle_closed++;
		rp_server_emit(s, RP_EV_IDLE, c->id, c->peer, "idle timeout", 0, NULL);
		rp_client_close(c, "idle timeout");
	}
	if (!s->first)
		return -1;
	due = s->first->last_active + s->o.idle_timeout_ns - now;
	return (int)((due + 999999) / 1000000);
}

static int alloc_buffers(struct rp_server *s, char *err, size_t errlen)
{
	s->scratch = malloc(RP_SCRATCH);
	s->chargen = malloc(RP_SCRATCH + RP_CHARGEN_PERIOD);
	if (!rp_sockaddr_is_stream(&s->addr))
		s->slots = malloc((size_t)RP_BATCH * s->o.msg_max);
	if (!s->scratch || !s->chargen || (!rp_sockaddr_is_stream(&s->addr) && !s->slots))
		return rp_sock_fail(err, errlen, "out of memory for buffers");
	rp_chargen_fill(s->chargen, RP_SCRATCH + RP_CHARGEN_PERIOD);
	for (int i = 0; i < RP_BATCH; i++) {
		if (s->slots)
			s->riov[i] = (struct iovec){ s->slots + (size_t)i * s->o.msg_max, s->o.msg_max };
		s->rmsg[i].msg_hdr.msg_iov = &s->riov[i];
		s->rmsg[i].msg_hdr.msg_iovlen = 1;
		s->smsg[i].msg_hdr.msg_iov = &s->siov[i];
		s->smsg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

static int open_socket(struct rp_server *s, char *err, size_t errlen)
{
	struct rp_listen_opts lo = {
		.backlog = s->o.backlog, .mode = s->o.file_mode, .set_mode = s->o.set_mode,
	};
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &listener_tag };

	if (rp_sockaddr_is_dgram(&s->addr))
		lo.rcvbuf = lo.sndbuf = RP_DGRAM_SOCKBUF;
	s->fd = rp_sock_listen(&s->addr, &lo, &s->file, err, errlen);
	if (s->fd < 0)
		return -1;
	if (rp_sockaddr_local(s->addr.kind, s->fd, s->text, sizeof s->text) < 0)
		snprintf(s->text, sizeof s->text, "%s", s->addr.text);
	if (s->addr.abstract || rp_sockaddr_is_file(&s->addr))
		snprintf(s->text, sizeof s->text, "%s", s->addr.text);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, s->fd, &e) < 0)
		return rp_sock_fail(err, errlen, "epoll: %s", strerror(errno));
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return 0;
}

int rp_server_open(struct rp_server **srvp, const struct rp_sockaddr *a,
		   const struct rp_server_opts *o, char *err, size_t errlen)
{
	struct rp_server *s = calloc(1, sizeof *s);

	*srvp = NULL;
	if (!s)
		return rp_sock_fail(err, errlen, "out of memory");
	s->addr = *a;
	s->o = *o;
	s->fd = s->ep = s->spare_fd = -1;
	if (!s->o.queue_max)
		s->o.queue_max = RP_DEFAULT_QUEUE;
	if (!s->o.msg_max)
		s->o.msg_max = RP_DEFAULT_MSG;
	if (alloc_buffers(s, err, errlen) < 0 || open_socket(s, err, errlen) < 0) {
		int saved = errno;

		rp_server_close(s);
		errno = saved;
		return -1;
	}
	s->t.start_ns = rp_sock_now_ns();
	*srvp = s;
	return 0;
}

const char *rp_server_address(const struct rp_server *s)
{
	return s->text;
}

int rp_server_fd(const struct rp_server *s)
{
	return s->fd;
}

static void dispatch(struct rp_server *s, const struct epoll_event *e)
{
	if (e->data.ptr == &listener_tag) {
		if (rp_sockaddr_is_dgram(&s->addr))
			rp_dgram_io(s);
		else
			accept_clients(s);
		return;
	}
	struct rp_client *c = e->data.ptr;

	if (!c->closed)
		client_event(c, e->events);
}

int rp_server_run(struct rp_server *s, volatile sig_atomic_t *stop, const sigset_t *waitmask,
		  char *err, size_t errlen)
{
	struct epoll_event events[MAX_EVENTS];

	while (!*stop) {
		int timeout = expire_idle(s);
		int n;

		free_dead(s);
		n = epoll_pwait(s->ep, events, MAX_EVENTS, timeout, waitmask);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return rp_sock_fail(err, errlen, "epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++)
			dispatch(s, &events[i]);
	}
	/* What reached a datagram socket before the stop is still counted (sink totals). */
	if (rp_sockaddr_is_dgram(&s->addr))
		rp_dgram_io(s);
	free_dead(s);
	return 0;
}

void rp_server_totals(const struct rp_server *s, struct rp_server_totals *t)
{
	*t = s->t;
}

void rp_server_close(struct rp_server *s)
{
	if (!s)
		return;
	while (s->first)
		rp_client_close(s->first, "server stopped");
	free_dead(s);
	if (s->fd >= 0)
		close(s->fd);
	if (s->ep >= 0)
		close(s->ep);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	rp_sock_file_remove(&s->file);
	free(s->scratch);
	free(s->slots);
	free(s->chargen);
	free(s->peers);
	free(s);
}
