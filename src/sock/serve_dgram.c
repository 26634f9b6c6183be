/*
 * The datagram socket of udp and unix-dgram: one socket serves every peer.
 * Up to RP_BATCH datagrams come in with one recvmmsg (each with its
 * sender's address) and the answers go out with one sendmmsg. An answer
 * the kernel will not take now (a unix-dgram peer's queue is full) is
 * dropped and counted rather than waited for: there is no readiness to
 * wait on for one peer of an unconnected socket, and one slow peer must
 * not stall the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server_internal.h"
#include "sock_internal.h"

static void report(struct rp_server *s, enum rp_server_event_type type, const void *name,
		   socklen_t namelen, const char *detail, size_t size)
{
	char peer[RP_PEER_TEXT];

	if (!s->o.log)
		return;
	rp_sockaddr_format(s->addr.kind, name, namelen, peer, sizeof peer);
	rp_server_emit(s, type, 0, peer, detail, size, NULL);
}

static void report_truncated(struct rp_server *s, const struct msghdr *h, size_t real)
{
	char detail[112];

	s->t.truncated++;
	snprintf(detail, sizeof detail,
		 "datagram of %zu bytes is larger than the %zu-byte buffer (--size): dropped", real,
		 s->o.msg_max);
	report(s, RP_EV_TRUNCATED, h->msg_name, h->msg_namelen, detail, real);
}

/* Sends smsg[0..n); what the kernel refuses is dropped, the rest still goes. */
static void send_batch(struct rp_server *s, int n)
{
	int i = 0;

	while (i < n) {
		int k = sendmmsg(s->fd, s->smsg + i, (unsigned)(n - i), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			s->t.dropped++;
			report(s, RP_EV_DROPPED, s->smsg[i].msg_hdr.msg_name,
			       s->smsg[i].msg_hdr.msg_namelen,
			       errno == EAGAIN ? "peer not reading: answer dropped" : strerror(errno), 0);
			i++;
			continue;
		}
		for (int j = i; j < i + k; j++)
			rp_account_out(s, NULL, s->smsg[j].msg_hdr.msg_iov->iov_len, 1);
		i += k;
	}
}

static int64_t peer_ttl(const struct rp_server *s)
{
	return s->o.idle_timeout_ns ? s->o.idle_timeout_ns : RP_CHAT_PEER_IDLE_NS;
}

/* Forgets peers silent for longer than the idle time. */
static void expire_peers(struct rp_server *s, int64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < s->npeers; i++)
		if (s->peers[i].last + peer_ttl(s) > now)
			s->peers[k++] = s->peers[i];
	s->npeers = k;
}

/* The sender's entry in the peer table, added (evicting the quietest) if new. */
static struct rp_dgram_peer *remember(struct rp_server *s, const struct msghdr *h, int64_t now)
{
	size_t oldest = 0;

	if (!s->peers) {
		s->peers_cap = s->o.max_clients ? s->o.max_clients : RP_CHAT_PEERS_DEFAULT;
		s->peers = calloc(s->peers_cap, sizeof *s->peers);
		if (!s->peers)
			return NULL;
	}
	for (size_t i = 0; i < s->npeers; i++) {
		if (s->peers[i].len == h->msg_namelen && !memcmp(&s->peers[i].ss, h->msg_name, h->msg_namelen))
			return &s->peers[i];
		if (s->peers[i].last < s->peers[oldest].last)
			oldest = i;
	}
	if (s->npeers == s->peers_cap)
		report(s, RP_EV_DROPPED, &s->peers[oldest].ss, s->peers[oldest].len,
		       "chat peer forgotten: table full (--max-clients)", 0);
	else
		oldest = s->npeers++;
	memset(&s->peers[oldest], 0, sizeof s->peers[oldest]);
	memcpy(&s->peers[oldest].ss, h->msg_name, h->msg_namelen);
	s->peers[oldest].len = h->msg_namelen;
	s->peers[oldest].last = now;
	report(s, RP_EV_ACCEPT, h->msg_name, h->msg_namelen, "new chat peer", 0);
	return &s->peers[oldest];
}

/* One datagram to every other peer: sends straight away, a batch per RP_BATCH peers. */
static void chat(struct rp_server *s, const struct msghdr *h, const struct iovec *m)
{
	int64_t now = rp_sock_now_ns();
	struct rp_dgram_peer *me;
	int n = 0;

	expire_peers(s, now);
	me = remember(s, h, now);
	if (!me)
		return;
	me->last = now;
	for (size_t i = 0; i < s->npeers; i++) {
		if (&s->peers[i] == me)
			continue;
		s->siov[n] = *m;
		s->smsg[n].msg_hdr.msg_name = &s->peers[i].ss;
		s->smsg[n].msg_hdr.msg_namelen = s->peers[i].len;
		if (++n == RP_BATCH) {
			send_batch(s, n);
			n = 0;
		}
	}
	send_batch(s, n);
}

/* The answer to datagram i into smsg[n]; false when the mode answers nothing. */
static bool answer(struct rp_server *s, int i, int n, size_t len)
{
	struct msghdr *h = &s->smsg[n].msg_hdr;

	switch (s->o.mode) {
	case RP_SERVE_ECHO:
		s->siov[n] = (struct iovec){ s->riov[i].iov_base, len };
		break;
	case RP_SERVE_SOURCE:
		s->siov[n] = (struct iovec){ s->chargen, len < RP_SCRATCH ? len : RP_SCRATCH };
		break;
	case RP_SERVE_REPLY:
		s->siov[n] = (struct iovec){ (void *)s->o.reply, s->o.reply_len };
		break;
	default:
		return false;
	}
	h->msg_name = &s->names[i];
	h->msg_namelen = s->rmsg[i].msg_hdr.msg_namelen;
	return true;
}

/* One recvmmsg and its answers; the number of datagrams read, or -1. */
static int serve_batch(struct rp_server *s)
{
	int n, out = 0;
	size_t bytes = 0;

	for (int i = 0; i < RP_BATCH; i++) {
		struct msghdr *h = &s->rmsg[i].msg_hdr;

		s->riov[i].iov_len = s->o.msg_max;
		h->msg_name = &s->names[i];
		h->msg_namelen = sizeof s->names[i];
		h->msg_flags = 0;
	}
	n = recvmmsg(s->fd, s->rmsg, RP_BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			rp_server_emit(s, RP_EV_ERROR, 0, "?", strerror(errno), 0, NULL);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &s->rmsg[i].msg_hdr;
		size_t len = s->rmsg[i].msg_len;

		bytes += len;
		if (h->msg_flags & MSG_TRUNC)
			report_truncated(s, h, len);
		else if (s->o.mode == RP_SERVE_CHAT)
			chat(s, h, &(struct iovec){ s->riov[i].iov_base, len });
		else if (answer(s, i, out, len))
			out++;
	}
	/* Accounted once per batch: one clock read, not one per datagram. */
	if (n > 0)
		rp_account_in(s, NULL, bytes, (size_t)n);
	send_batch(s, out);
	return n;
}

void rp_dgram_io(struct rp_server *s)
{
	for (int round = 0; round < RP_READ_BUDGET; round++)
		if (serve_batch(s) < RP_BATCH)
			return;
}
