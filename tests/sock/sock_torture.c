/*
 * Test client for `rawprobe serve`: N clients at once on one epoll, each
 * sending random data and checking what comes back, by length and by a
 * 64-bit FNV-1a hash.
 *
 *   sock_torture ADDR MODE CLIENTS [SEED]
 *     MODE: echo discard sink source chat reply   (reply expects TEXT "pong")
 *   sock_torture stall ADDR         writes and never reads; prints how far it got once the
 *                                   server stops reading, then waits for stdin to close
 *   sock_torture rude ADDR          clients that vanish mid-transfer, half-close, or say nothing
 *   sock_torture trunc ADDR SIZE    a message of SIZE bytes (over the server's --size), then a
 *                                   small one: only the small one may come back
 *
 * With one client, the client runs several rounds with sizes from 1 byte up
 * to 4 MiB (streams) or the largest datagram; with many, one round each of
 * random sizes up to 64 KiB. Prints "sent_bytes=N sent_msgs=M" on success;
 * exit 0 pass, 1 fail (with the reason on stderr).
 *
 * Datagrams have no flow control. So that the kernel never drops one, the
 * clients keep at most 4 messages each in flight (a unix-dgram receive queue
 * holds 10: net.unix.max_dgram_qlen) and at most 512 KiB in flight in all
 * (well under the 4 MiB receive buffer the server asks for, and under the
 * default 208 KiB a client socket has for its own answers, per client).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rawprobe/sockaddr.h"

#define DEADLINE_S 50
#define WINDOW 4
#define INFLIGHT_MAX (512 * 1024)
#define TXBUF (64 * 1024)
#define RXBUF (256 * 1024)
#define MSG_MAX_UNIX 65536
#define MSG_MAX_UDP 65507
#define REPLY "pong"
#define CHARGEN_PERIOD (95 * 74)
#define CHAT_LINE_MAX 200

enum mode { ECHO, DISCARD, SINK, SOURCE, CHAT, REPLYM };

struct expect {
	uint32_t len;
	uint64_t hash;
};

struct client {
	int fd, idx, round;
	uint64_t rng;
	bool connecting, shut, done, eof;
	/* streams */
	uint64_t to_send, sent, recvd, to_recv;
	uint64_t h_tx, h_rx;
	char *tx;
	size_t tx_len, tx_off;
	char *line; /* chat on streams: the line being assembled */
	size_t line_len;
	/* messages */
	uint32_t n_msgs, msgs_sent, msgs_recvd;
	struct expect win[WINDOW];
	uint32_t win_len[WINDOW]; /* bytes sent, for the in-flight count */
	uint64_t inflight;
	/* chat */
	uint32_t joins, lines_recvd;
	bool heard;        /* chat: some other client heard this one */
	int64_t joined_at; /* chat: when it last said who it is */
};

static struct {
	struct rp_sockaddr addr;
	enum mode mode;
	int nclients, ep, rounds;
	bool stream, dgram, many;
	uint64_t inflight;
	uint64_t sent_bytes, sent_msgs;
	struct client *cl;
	int done;
	char chargen[RXBUF + CHARGEN_PERIOD];
	char rx[RXBUF];
	/* chat: the lines of the sender, by number */
	uint32_t chat_lines, chat_sent, *chat_got;
	struct expect *chat_exp;
	int chat_known;
} T;

static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t next64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(uint64_t *s, char *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = next64(s);

		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = next64(s);

		memcpy(p, &v, n);
	}
}

#define FNV_INIT 0xcbf29ce484222325ULL
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* RFC 864 as the test reads it: 72 characters per line rotating by one, CRLF. */
static void chargen_fill(char *buf, size_t len)
{
	size_t i = 0;

	for (unsigned line = 0; i < len; line = (line + 1) % 95) {
		for (unsigned k = 0; k < 72 && i < len; k++)
			buf[i++] = (char)(' ' + (line + k) % 95);
		if (i < len)
			buf[i++] = '\r';
		if (i < len)
			buf[i++] = '\n';
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A size from 1 to max, spread evenly over the powers of two (many small, some large). */
static uint64_t random_size(uint64_t *s, uint64_t max)
{
	unsigned bits = 0;
	uint64_t top;

	while ((1ULL << bits) < max)
		bits++;
	top = 1ULL << (next64(s) % (bits + 1));
	top = 1 + next64(s) % top;
	return top > max ? max : top;
}

static uint64_t msg_max(void)
{
	return T.addr.kind == RP_SOCK_UDP ? MSG_MAX_UDP : MSG_MAX_UNIX;
}

/* Stream sizes for the one-client rounds: 1 byte to 4 MiB. */
static const uint64_t stream_rounds[] = { 1, 2, 100, 4095, 65536, 65537, 262145, 1048576, 4194304 + 17 };
#define NROUNDS (sizeof stream_rounds / sizeof stream_rounds[0])

static int open_socket(void)
{
	int fd = socket(T.addr.family, T.addr.socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sa_family_t fam = AF_UNIX;

	if (fd < 0)
		fail("socket: %s", strerror(errno));
	if (T.addr.kind == RP_SOCK_UNIX_DGRAM &&
	    bind(fd, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = fam }, sizeof fam) < 0)
		fail("autobind: %s", strerror(errno));
	return fd;
}

static void watch(struct client *c, bool out)
{
	struct epoll_event e = { .events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c };

	if (epoll_ctl(T.ep, EPOLL_CTL_MOD, c->fd, &e) < 0)
		fail("epoll_ctl: %s", strerror(errno));
}

static void plan_round(struct client *c)
{
	c->sent = c->recvd = c->to_recv = 0;
	c->h_tx = c->h_rx = FNV_INIT;
	c->tx_len = c->tx_off = 0;
	c->msgs_sent = c->msgs_recvd = 0;
	c->shut = c->eof = false;
	if (T.many)
		c->to_send = random_size(&c->rng, 65536);
	else
		c->to_send = stream_rounds[c->round % NROUNDS];
	if (T.mode == SOURCE)
		c->to_recv = c->to_send;
	c->n_msgs = T.many ? 3 : 40;
	if (T.mode == REPLYM && T.stream)
		c->to_send = (uint64_t)c->n_msgs * 4; /* lines of "x y\n" */
}

static void start(struct client *c)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };

	c->fd = open_socket();
	if (connect(c->fd, (struct sockaddr *)&T.addr.ss, T.addr.len) < 0) {
		if (errno != EINPROGRESS)
			fail("client %d: connect %s: %s", c->idx, T.addr.text, strerror(errno));
		c->connecting = true;
	}
	if (epoll_ctl(T.ep, EPOLL_CTL_ADD, c->fd, &e) < 0)
		fail("epoll_ctl add: %s", strerror(errno));
	plan_round(c);
}

static void finish(struct client *c)
{
	epoll_ctl(T.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (++c->round < T.rounds) {
		start(c);
		return;
	}
	c->done = true;
	T.done++;
}

/* One message (or a short line, sent whole on a stream far from full); false: try later. */
static bool send_bytes(struct client *c, const void *p, size_t n)
{
	ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

	if (w < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return false;
	if (w < 0)
		fail("client %d: send: %s", c->idx, strerror(errno));
	if ((size_t)w != n)
		fail("client %d: %zu bytes went out as %zd", c->idx, n, w);
	return true;
}

/* Streams: the random bytes, generated a buffer at a time. */
static void stream_send(struct client *c)
{
	while (c->sent < c->to_send) {
		if (c->tx_off == c->tx_len) {
			size_t n = c->to_send - c->sent < TXBUF ? (size_t)(c->to_send - c->sent) : TXBUF;

			if (T.mode == REPLYM)
				for (size_t i = 0; i < n; i++)
					c->tx[i] = "x y\n"[(c->sent + i) % 4];
			else
				fill(&c->rng, c->tx, n);
			c->h_tx = fnv(c->h_tx, c->tx, n);
			c->tx_len = n;
			c->tx_off = 0;
		}
		ssize_t w = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off, MSG_NOSIGNAL);

		if (w < 0 && errno == EAGAIN) {
			watch(c, true);
			return;
		}
		if (w < 0)
			fail("client %d: send: %s", c->idx, strerror(errno));
		c->tx_off += (size_t)w;
		c->sent += (uint64_t)w;
		T.sent_bytes += (uint64_t)w;
	}
	if (!c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
		watch(c, false);
	}
}

/* Message i of a client, the same however often it is made (a send may have to wait). */
static size_t make_msg(const struct client *c, char *buf)
{
	uint64_t s = c->rng ^ ((uint64_t)(c->msgs_sent + 1) * 0xd6e8feb86659fd93ULL) ^ (uint64_t)c->round << 40;
	uint64_t max = T.many ? 16384 : msg_max();
	size_t len;

	/* No answers to pace the sender: keep a UDP burst inside the server's receive buffer. */
	if (T.addr.kind == RP_SOCK_UDP && (T.mode == DISCARD || T.mode == SINK))
		max = T.many ? 1024 : 32768;
	len = (size_t)random_size(&s, max);
	fill(&s, buf, len);
	return len;
}

/* Messages: up to WINDOW outstanding when answers are expected. */
static void msg_send(struct client *c)
{
	bool answered = T.mode == ECHO || T.mode == REPLYM || (T.mode == SOURCE && T.dgram);
	static char buf[MSG_MAX_UNIX];

	while (c->msgs_sent < c->n_msgs) {
		size_t len;

		if (answered && c->msgs_sent - c->msgs_recvd >= WINDOW)
			break;
		len = make_msg(c, buf);
		if (answered && T.dgram && T.inflight && T.inflight + len > INFLIGHT_MAX)
			break;
		if (!send_bytes(c, buf, len)) {
			watch(c, true);
			return;
		}
		if (answered) {
			struct expect *e = &c->win[c->msgs_sent % WINDOW];

			e->len = (uint32_t)len;
			e->hash = fnv(FNV_INIT, T.mode == SOURCE ? T.chargen : buf, len);
			if (T.mode == REPLYM) {
				e->len = strlen(REPLY);
				e->hash = fnv(FNV_INIT, REPLY, strlen(REPLY));
			}
			if (T.dgram) {
				c->inflight += len;
				T.inflight += len;
			}
			c->win_len[c->msgs_sent % WINDOW] = (uint32_t)len;
		}
		c->msgs_sent++;
		T.sent_bytes += len;
		T.sent_msgs++;
	}
	watch(c, false);
	if (c->msgs_sent == c->n_msgs && !answered) {
		if (T.dgram) {
			finish(c);
		} else if (!c->shut) {
			shutdown(c->fd, SHUT_WR);
			c->shut = true;
		}
	}
}

static void msg_got(struct client *c, const char *p, size_t n)
{
	struct expect *e;

	if (c->msgs_recvd >= c->msgs_sent)
		fail("client %d: an answer nobody asked for (%zu bytes)", c->idx, n);
	e = &c->win[c->msgs_recvd % WINDOW];
	if (n != e->len || fnv(FNV_INIT, p, n) != e->hash)
		fail("client %d: answer %u: %zu bytes, expected %u%s", c->idx, c->msgs_recvd, n, e->len,
		     n == e->len ? " (content differs)" : "");
	if (T.dgram) {
		c->inflight -= c->win_len[c->msgs_recvd % WINDOW];
		T.inflight -= c->win_len[c->msgs_recvd % WINDOW];
	}
	c->msgs_recvd++;
	if (c->msgs_recvd == c->n_msgs)
		finish(c);
}

static void stream_check_end(struct client *c)
{
	uint64_t want = T.mode == ECHO ? c->sent : 0;
	uint64_t h = T.mode == ECHO ? c->h_tx : FNV_INIT;

	if (T.mode == REPLYM) {
		want = c->n_msgs * (strlen(REPLY) + 1);
		h = FNV_INIT;
		for (uint32_t i = 0; i < c->n_msgs; i++)
			h = fnv(fnv(h, REPLY, strlen(REPLY)), "\n", 1);
	}
	if (c->recvd != want || c->h_rx != h)
		fail("client %d round %d: %llu bytes back of %llu%s", c->idx, c->round,
		     (unsigned long long)c->recvd, (unsigned long long)want,
		     c->recvd == want ? " (content differs)" : "");
	finish(c);
}

static void stream_recv(struct client *c)
{
	for (int i = 0; i < 8; i++) {
		ssize_t n = recv(c->fd, T.rx, RXBUF, 0);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			fail("client %d: recv: %s", c->idx, strerror(errno));
		if (n == 0) {
			if (T.mode == SOURCE)
				fail("client %d: the source closed after %llu bytes", c->idx,
				     (unsigned long long)c->recvd);
			stream_check_end(c);
			return;
		}
		if (T.mode == SOURCE) {
			size_t take = c->to_recv - c->recvd < (uint64_t)n ? (size_t)(c->to_recv - c->recvd) : (size_t)n;

			if (memcmp(T.rx, T.chargen + c->recvd % CHARGEN_PERIOD, take) != 0)
				fail("client %d: source data at %llu is not the chargen pattern", c->idx,
				     (unsigned long long)c->recvd);
			c->recvd += take;
			if (c->recvd == c->to_recv) {
				finish(c);
				return;
			}
			continue;
		}
		c->h_rx = fnv(c->h_rx, T.rx, (size_t)n);
		c->recvd += (uint64_t)n;
	}
}

static void msg_recv(struct client *c)
{
	for (int i = 0; i < 16 && !c->done && c->fd >= 0; i++) {
		ssize_t n = recv(c->fd, T.rx, RXBUF, MSG_TRUNC);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			fail("client %d: recv: %s", c->idx, strerror(errno));
		if (n > RXBUF)
			fail("client %d: an answer of %zd bytes", c->idx, n);
		if (n == 0 && !T.dgram) {
			if (T.mode == DISCARD || T.mode == SINK) {
				finish(c);
				return;
			}
			fail("client %d: closed by the server after %u answers", c->idx, c->msgs_recvd);
		}
		if (T.mode == SOURCE && !T.dgram) {
			/* seqpacket source: one chargen line per message, in order */
			size_t off = (size_t)c->msgs_recvd * 74 % CHARGEN_PERIOD;

			if (n != 74 || memcmp(T.rx, T.chargen + off, 74) != 0)
				fail("client %d: source message %u is not chargen line", c->idx, c->msgs_recvd);
			if (++c->msgs_recvd == c->n_msgs) {
				finish(c);
				return;
			}
			continue;
		}
		msg_got(c, T.rx, (size_t)n);
	}
}

/* ---- chat: client 0 speaks, the others listen ---- */

static void chat_line(uint32_t k, char *buf, size_t *len)
{
	uint64_t s = 0x1234 + k;
	size_t n = 2 + next64(&s) % CHAT_LINE_MAX;

	buf[0] = 'd';
	for (size_t i = 1; i < n; i++)
		buf[i] = (char)('a' + next64(&s) % 26);
	if (T.stream)
		buf[n++] = '\n';
	*len = n;
}

/*
 * Who hears whom: a listener says "r<n>" until some other client has
 * heard it, which proves the server knows it (a datagram server learns its
 * peers only from what they send; a stream server reads a client only
 * after accepting it). At most CHAT_JOINING listeners are joining at once
 * and each join goes to every peer, so no unix-dgram queue (10 messages)
 * overflows. The data lines ("d...") start when every listener is known.
 */
#define CHAT_JOINING 4
#define CHAT_RESEND_MS 200

static void chat_unit(struct client *c, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (p[0] == 'r') {
		char num[12] = { 0 };
		int who;

		memcpy(num, p + 1, n - 1 < sizeof num - 1 ? n - 1 : sizeof num - 1);
		who = atoi(num); /* a message has no terminator of its own */
		if (who >= 0 && who < T.nclients && who != c->idx && !T.cl[who].heard) {
			T.cl[who].heard = true;
			T.chat_known += who > 0; /* the speaker joins too, but need not be heard */
		}
		return;
	}
	if (c->idx == 0)
		fail("the speaker got its own line back");
	if (c->lines_recvd >= T.chat_sent)
		fail("client %d: a line that was not sent", c->idx);
	struct expect *e = &T.chat_exp[c->lines_recvd];

	if (n != e->len || fnv(FNV_INIT, p, n) != e->hash)
		fail("client %d: chat line %u differs (%zu bytes, expected %u)", c->idx, c->lines_recvd, n, e->len);
	T.chat_got[c->lines_recvd]++;
	if (++c->lines_recvd == T.chat_lines)
		finish(c);
}

/* Listeners joining: in order, a few at a time, again until heard. */
static void chat_join(void)
{
	int64_t now = now_ms();
	char msg[16];

	for (int i = 0; i < T.nclients; i++) {
		struct client *c = &T.cl[i];
		int len;

		if (c->heard || c->connecting || c->fd < 0 || (i == 0 && T.chat_sent))
			continue;
		if (i > T.chat_known + CHAT_JOINING)
			break;
		if (c->joined_at && now - c->joined_at < CHAT_RESEND_MS)
			continue;
		len = snprintf(msg, sizeof msg, T.stream ? "r%d\n" : "r%d", i);
		if (send_bytes(c, msg, (size_t)len))
			c->joined_at = now;
	}
}

static void chat_recv(struct client *c)
{
	for (int i = 0; i < 16 && !c->done; i++) {
		ssize_t n = recv(c->fd, T.rx, RXBUF, 0);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			fail("client %d: recv: %s", c->idx, strerror(errno));
		if (n == 0 && !T.dgram)
			fail("client %d: chat closed after %u lines", c->idx, c->lines_recvd);
		if (!T.stream) {
			chat_unit(c, T.rx, (size_t)n);
			continue;
		}
		for (ssize_t k = 0; k < n; k++) {
			c->line[c->line_len++] = T.rx[k];
			if (T.rx[k] == '\n' || c->line_len == CHAT_LINE_MAX + 2) {
				chat_unit(c, c->line, c->line_len);
				c->line_len = 0;
			}
		}
	}
}

static void chat_send(struct client *c)
{
	char buf[CHAT_LINE_MAX + 2];
	size_t len;
	uint32_t window = T.many ? 2 : 16, all_got = 0;

	if (c->idx != 0) {
		watch(c, false);
		return;
	}
	if (T.chat_known < T.nclients - 1) {
		watch(c, false);
		return;
	}
	while (all_got < T.chat_sent && T.chat_got[all_got] == (uint32_t)T.nclients - 1)
		all_got++;
	while (T.chat_sent < T.chat_lines && T.chat_sent - all_got < window) {
		chat_line(T.chat_sent, buf, &len);
		if (!send_bytes(c, buf, len)) {
			watch(c, true);
			return;
		}
		T.chat_exp[T.chat_sent] = (struct expect){ (uint32_t)len, fnv(FNV_INIT, buf, len) };
		T.chat_sent++;
		T.sent_bytes += len;
		T.sent_msgs++;
	}
	if (T.chat_sent == T.chat_lines) {
		finish(c);
		return;
	}
	watch(c, false);
}

static void step(struct client *c, uint32_t ev)
{
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof err;

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err)
			fail("client %d: connect: %s", c->idx, strerror(err));
		c->connecting = false;
	}
	if (T.mode == CHAT) {
		if (ev & EPOLLIN)
			chat_recv(c);
		if (!c->done)
			chat_send(c);
		return;
	}
	if (T.stream) {
		if (T.mode != SOURCE && (ev & EPOLLOUT))
			stream_send(c);
		if (T.mode == SOURCE && !c->shut) {
			c->shut = true;
			watch(c, false);
		}
		if (ev & (EPOLLIN | EPOLLHUP))
			stream_recv(c);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		msg_recv(c);
	if (!c->done && c->fd >= 0 && !(T.mode == SOURCE && !T.dgram))
		msg_send(c);
	else if (!c->done && c->fd >= 0)
		watch(c, false);
}

/* Chat: when the speaker is waiting for its window, a listener's progress frees it. */
static void kick_speaker(void)
{
	if (T.mode != CHAT)
		return;
	chat_join();
	if (!T.cl[0].done)
		chat_send(&T.cl[0]);
}

static enum mode parse_mode(const char *s)
{
	static const char *names[] = { "echo", "discard", "sink", "source", "chat", "reply" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(s, names[i]))
			return (enum mode)i;
	fail("unknown mode %s", s);
}

static void parse_addr(const char *spec)
{
	char err[256];

	if (rp_sockaddr_parse(spec, 0, &T.addr, err, sizeof err) < 0)
		fail("%s", err);
	T.stream = rp_sockaddr_is_stream(&T.addr);
	T.dgram = rp_sockaddr_is_dgram(&T.addr);
}

static int run_matrix(int argc, char **argv)
{
	struct epoll_event evs[256];
	int64_t deadline = now_ms() + DEADLINE_S * 1000;
	uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : (uint64_t)time(NULL);

	parse_addr(argv[1]);
	T.mode = parse_mode(argv[2]);
	T.nclients = atoi(argv[3]);
	if (T.nclients < 1 || (T.mode == CHAT && T.nclients < 2))
		fail("bad client count");
	T.many = T.nclients > 2;
	T.rounds = (T.many || T.mode == CHAT) ? 1 : (T.stream ? (int)NROUNDS : 3);
	chargen_fill(T.chargen, sizeof T.chargen);
	T.chat_lines = T.many ? 10 : 500;
	T.chat_got = calloc(T.chat_lines, sizeof *T.chat_got);
	T.chat_exp = calloc(T.chat_lines, sizeof *T.chat_exp);
	T.cl = calloc((size_t)T.nclients, sizeof *T.cl);
	T.ep = epoll_create1(0);
	for (int i = 0; i < T.nclients; i++) {
		struct client *c = &T.cl[i];

		c->idx = i;
		c->rng = seed * 1000003 + (uint64_t)i;
		c->tx = malloc(TXBUF);
		c->line = malloc(CHAT_LINE_MAX + 3);
		start(c);
	}
	while (T.done < T.nclients) {
		int n = epoll_wait(T.ep, evs, 256, T.mode == CHAT ? 50 : 1000);

		if (now_ms() > deadline)
			fail("%d of %d clients unfinished after %d s (lost data?); client 0 sent %u msgs, got %u",
			     T.nclients - T.done, T.nclients, DEADLINE_S, T.cl[0].msgs_sent, T.cl[0].msgs_recvd);
		for (int i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;

			if (!c->done)
				step(c, evs[i].events);
		}
		kick_speaker();
		/* Datagram clients waiting on the global in-flight limit. */
		if (T.dgram)
			for (int i = 0; i < T.nclients; i++)
				if (!T.cl[i].done && T.cl[i].fd >= 0 && T.mode != CHAT &&
				    T.cl[i].msgs_sent < T.cl[i].n_msgs && T.cl[i].inflight == 0)
					msg_send(&T.cl[i]);
	}
	printf("sent_bytes=%llu sent_msgs=%llu\n", (unsigned long long)T.sent_bytes,
	       (unsigned long long)T.sent_msgs);
	return 0;
}

/* ---- the special clients ---- */

static int connect_blocking(void)
{
	int fd = open_socket();

	fcntl(fd, F_SETFL, 0);
	if (connect(fd, (struct sockaddr *)&T.addr.ss, T.addr.len) < 0)
		fail("connect %s: %s", T.addr.text, strerror(errno));
	return fd;
}

/* Writes until the server stops reading (no progress for 1 s), reports, waits. */
static int run_stall(void)
{
	static char buf[65536];
	uint64_t total = 0;
	int64_t last = now_ms(), end = now_ms() + 20000;
	int fd = connect_blocking();
	char c;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (now_ms() - last < 1000) {
		ssize_t w = send(fd, buf, sizeof buf, MSG_NOSIGNAL);

		if (w > 0) {
			total += (uint64_t)w;
			last = now_ms();
		} else if (w < 0 && errno != EAGAIN) {
			fail("stall: send: %s", strerror(errno));
		} else {
			poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 100);
		}
		if (now_ms() > end)
			fail("stall: the server kept reading for 20 s (%llu bytes): no backpressure",
			     (unsigned long long)total);
	}
	printf("stalled_after=%llu\n", (unsigned long long)total);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	close(fd);
	return 0;
}

/* Clients that behave badly; the server must shrug each one off. */
static int run_rude(void)
{
	static char buf[1 << 20];
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd;

	for (int i = 0; i < 20; i++) {
		fd = connect_blocking(); /* says nothing */
		close(fd);
		fd = connect_blocking(); /* half-closes at once, then leaves */
		shutdown(fd, SHUT_WR);
		close(fd);
		fd = connect_blocking(); /* sends a lot, leaves without reading */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		send(fd, buf, sizeof buf, MSG_NOSIGNAL);
		close(fd);
		fd = connect_blocking(); /* sends, then resets (tcp RST) */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		send(fd, buf, 100000, MSG_NOSIGNAL);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(fd);
	}
	printf("rude clients done\n");
	return 0;
}

/* A message over the server's buffer, then a small one: only the small one returns. */
static int run_trunc(size_t big)
{
	char *buf = calloc(1, big);
	int fd = connect_blocking();
	int sndbuf = (int)(big * 2 + 65536);
	ssize_t n;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (send(fd, buf, big, 0) != (ssize_t)big)
		fail("trunc: cannot send %zu bytes: %s", big, strerror(errno));
	if (send(fd, "small", 5, 0) != 5)
		fail("trunc: send: %s", strerror(errno));
	if (poll(&p, 1, 5000) != 1)
		fail("trunc: no answer to the small message");
	n = recv(fd, T.rx, RXBUF, MSG_TRUNC);
	if (n != 5 || memcmp(T.rx, "small", 5) != 0)
		fail("trunc: first answer is %zd bytes, expected the 5-byte one", n);
	printf("only the small message came back\n");
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "stall")) {
		parse_addr(argv[2]);
		return run_stall();
	}
	if (argc >= 3 && !strcmp(argv[1], "rude")) {
		parse_addr(argv[2]);
		return run_rude();
	}
	if (argc >= 4 && !strcmp(argv[1], "trunc")) {
		parse_addr(argv[2]);
		return run_trunc(strtoul(argv[3], NULL, 10));
	}
	if (argc < 4)
		fail("usage: sock_torture ADDR MODE CLIENTS [SEED] | stall ADDR | rude ADDR | trunc ADDR SIZE");
	return run_matrix(argc, argv);
}
