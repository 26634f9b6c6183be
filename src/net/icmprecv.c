/*
 * Receiving for the ICMP engine: recvmmsg batches with kernel timestamps.
 * Datagram sockets hand over the ICMP message alone (and ICMP errors
 * through the error queue); both are turned back into the IPv4 datagrams
 * they arrived as, so that one decoder serves both kinds of socket.
 */
#include <errno.h>
#include <time.h> /* before errqueue.h, which needs struct timespec */
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rawprobe/checksum.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/probe.h"

#define CTL_LEN 256

int rp_rx_batch_init(struct rp_rx_batch *b, unsigned cap, size_t max_datagram)
{
	memset(b, 0, sizeof *b);
	b->cap = cap;
	/* Errors quote our probe behind two more headers: room for them too. */
	b->slot = (RP_RX_HEADROOM + max_datagram + 2 * RP_IPV4_HDR + 16 + 63) & ~(size_t)63;
	b->mem = malloc(cap * b->slot);
	b->msgs = calloc(cap, sizeof *b->msgs);
	b->iov = calloc(cap, sizeof *b->iov);
	b->from = calloc(cap, sizeof *b->from);
	b->ctl = calloc(cap, CTL_LEN);
	b->data = calloc(cap, sizeof *b->data);
	b->len = calloc(cap, sizeof *b->len);
	b->ts_ns = calloc(cap, sizeof *b->ts_ns);
	b->truncated = calloc(cap, sizeof *b->truncated);
	if (!b->mem || !b->msgs || !b->iov || !b->from || !b->ctl || !b->data || !b->len ||
	    !b->ts_ns || !b->truncated) {
		rp_rx_batch_free(b);
		return -1;
	}
	return 0;
}

void rp_rx_batch_free(struct rp_rx_batch *b)
{
	free(b->mem);
	free(b->msgs);
	free(b->iov);
	free(b->from);
	free(b->ctl);
	free(b->data);
	free(b->len);
	free(b->ts_ns);
	free(b->truncated);
	memset(b, 0, sizeof *b);
}

static void prepare(struct rp_rx_batch *b, unsigned i, size_t headroom)
{
	b->iov[i].iov_base = b->mem + i * b->slot + headroom;
	b->iov[i].iov_len = b->slot - headroom;
	b->msgs[i].msg_hdr = (struct msghdr){
		.msg_name = &b->from[i], .msg_namelen = sizeof b->from[i],
		.msg_iov = &b->iov[i], .msg_iovlen = 1,
		.msg_control = b->ctl + i * CTL_LEN, .msg_controllen = CTL_LEN,
	};
}

static int64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct ancillary {
	int64_t ts_ns;
	int ttl;
	const struct sock_extended_err *ee;
};

static void read_ancillary(struct msghdr *m, struct ancillary *a)
{
	a->ts_ns = -1;
	a->ttl = -1;
	a->ee = NULL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof ts);
			a->ts_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			memcpy(&a->ttl, CMSG_DATA(c), sizeof a->ttl);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) {
			a->ee = (const struct sock_extended_err *)CMSG_DATA(c);
		}
	}
	if (a->ts_ns < 0)
		a->ts_ns = now_realtime_ns();
}

/* An IPv4 header in front of a payload of len bytes (checksum filled). */
static void ipv4_header_write(uint8_t *h, uint32_t src, uint32_t dst, uint8_t ttl, size_t len)
{
	uint16_t total = (uint16_t)(RP_IPV4_HDR + len), csum;

	memset(h, 0, RP_IPV4_HDR);
	h[0] = 0x45;
	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	h[8] = ttl;
	h[9] = IPPROTO_ICMP;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	csum = rp_csum(h, RP_IPV4_HDR);
	h[10] = (uint8_t)(csum >> 8);
	h[11] = (uint8_t)csum;
}

static uint32_t from_addr(const struct sockaddr_storage *ss)
{
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr;
}

static void finish(struct rp_icmp_sock *s, struct rp_rx_batch *b, unsigned i, size_t got)
{
	struct msghdr *m = &b->msgs[i].msg_hdr;
	uint8_t *slot = b->mem + i * b->slot;
	struct ancillary a;

	read_ancillary(m, &a);
	b->ts_ns[i] = a.ts_ns;
	b->truncated[i] = (m->msg_flags & MSG_TRUNC) != 0;
	if (got > b->iov[i].iov_len)
		got = b->iov[i].iov_len;
	if (s->mode == RP_ICMP_RAW) {
		b->data[i] = slot + RP_RX_HEADROOM;
		b->len[i] = got;
		return;
	}
	ipv4_header_write(slot, from_addr(&b->from[i]), s->local, a.ttl < 0 ? 0 : (uint8_t)a.ttl, got);
	b->data[i] = slot;
	b->len[i] = RP_IPV4_HDR + got;
}

/*
 * A queued error on a datagram socket becomes the ICMP error datagram it
 * was: from the offender, quoting an IPv4 header to the original
 * destination and our echo request as the kernel returned it.
 */
static void error_rebuild(struct rp_icmp_sock *s, struct rp_rx_batch *b, unsigned i, size_t got,
			  const struct sock_extended_err *ee)
{
	uint8_t *slot = b->mem + i * b->slot;
	uint8_t *icmp = slot + RP_IPV4_HDR;
	uint8_t *quote = icmp + 8;
	const struct sockaddr_in *offender = (const struct sockaddr_in *)SO_EE_OFFENDER(ee);
	size_t icmp_len = 8 + RP_IPV4_HDR + got;
	uint16_t csum;

	/* The request sits at quote + 20 already (see rp_icmp_recv); write the headers around it. */
	ipv4_header_write(quote, s->local, from_addr(&b->from[i]), 64, got);
	memset(icmp, 0, 8);
	icmp[0] = ee->ee_type;
	icmp[1] = ee->ee_code;
	if (ee->ee_type == 3 && ee->ee_code == 4) { /* fragmentation needed: the next-hop MTU */
		icmp[6] = (uint8_t)(ee->ee_info >> 8);
		icmp[7] = (uint8_t)ee->ee_info;
	}
	csum = rp_csum(icmp, icmp_len);
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
	ipv4_header_write(slot, offender->sin_family == AF_INET ? offender->sin_addr.s_addr : 0,
			  s->local, 0, icmp_len);
	b->data[i] = slot;
	b->len[i] = RP_IPV4_HDR + icmp_len;
}

static void read_errors(struct rp_icmp_sock *s, struct rp_rx_batch *b, unsigned max)
{
	const size_t headroom = 2 * RP_IPV4_HDR + 8;

	while (b->n < max) {
		unsigned i = b->n;
		struct ancillary a;
		ssize_t got;

		prepare(b, i, headroom);
		got = recvmsg(s->fd, &b->msgs[i].msg_hdr, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (got < 0)
			return;
		read_ancillary(&b->msgs[i].msg_hdr, &a);
		if (!a.ee || a.ee->ee_origin != SO_EE_ORIGIN_ICMP)
			continue; /* local errors (EMSGSIZE...) were already reported by send */
		b->ts_ns[i] = a.ts_ns;
		b->truncated[i] = false;
		error_rebuild(s, b, i, (size_t)got, a.ee);
		b->n++;
	}
}

/*
 * With IP_RECVERR a datagram socket reports an ICMP error once as the
 * errno of the next read; the error itself waits in the error queue.
 */
static bool pending_error(int e)
{
	return e == EHOSTUNREACH || e == ENETUNREACH || e == ECONNREFUSED || e == EMSGSIZE ||
	       e == EPROTO || e == ETIMEDOUT || e == EACCES || e == EHOSTDOWN || e == ENONET ||
	       e == EOPNOTSUPP;
}

int rp_icmp_tx_stamps_on(struct rp_icmp_sock *s, char *err, size_t errlen)
{
	int flags = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE |
		    SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;

	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0) {
		snprintf(err, errlen, "SO_TIMESTAMPING: %s", strerror(errno));
		return -1;
	}
	s->tx_stamps = true;
	s->tx_key = 0;
	return 0;
}

/* A transmit report's key and software time; key UINT32_MAX when it is not one we can use. */
static void tx_report(struct msghdr *m, uint32_t *key, int64_t *ts_ns)
{
	bool have_key = false, have_ts = false;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
			struct scm_timestamping t;
			memcpy(&t, CMSG_DATA(c), sizeof t);
			*ts_ns = (int64_t)t.ts[0].tv_sec * 1000000000 + t.ts[0].tv_nsec;
			have_ts = *ts_ns != 0;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) {
			struct sock_extended_err ee;
			memcpy(&ee, CMSG_DATA(c), sizeof ee);
			*key = ee.ee_data;
			have_key = ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING;
		}
	}
	if (!have_key || !have_ts)
		*key = UINT32_MAX; /* read and dropped */
}

#define TX_REPORT_BATCH 32
#define TX_REPORT_CTL 256 /* SCM_TIMESTAMPING and IP_RECVERR, with room to spare */

void rp_icmp_tx_stamps(struct rp_icmp_sock *s, uint32_t first_key, unsigned n, int64_t *ts_ns)
{
	struct mmsghdr msgs[TX_REPORT_BATCH];
	uint8_t ctl[TX_REPORT_BATCH][TX_REPORT_CTL];
	unsigned found = 0, budget = 4 * n + 64;

	if (!s->tx_stamps)
		return;
	/* Bounded: the reports for this batch and any left over from before; done once all came. */
	while (budget > 0 && (n == 0 || found < n)) {
		unsigned want = budget < TX_REPORT_BATCH ? budget : TX_REPORT_BATCH;
		int got;

		memset(msgs, 0, sizeof msgs);
		for (unsigned i = 0; i < want; i++) {
			msgs[i].msg_hdr.msg_control = ctl[i];
			msgs[i].msg_hdr.msg_controllen = TX_REPORT_CTL;
		}
		got = recvmmsg(s->fd, msgs, want, MSG_ERRQUEUE | MSG_DONTWAIT, NULL);
		if (got <= 0)
			return;
		budget -= (unsigned)got;
		for (int i = 0; i < got; i++) {
			uint32_t key;
			int64_t ts;

			tx_report(&msgs[i].msg_hdr, &key, &ts);
			if ((uint32_t)(key - first_key) < n) {
				ts_ns[key - first_key] = ts;
				found++;
			}
		}
		if ((unsigned)got < want)
			return;
	}
}

int rp_icmp_recv(struct rp_icmp_sock *s, struct rp_rx_batch *b, unsigned max)
{
	int got;

	if (max == 0 || max > b->cap)
		max = b->cap;
	b->n = 0;
	for (unsigned i = 0; i < max; i++)
		prepare(b, i, RP_RX_HEADROOM);
	/* One expected (flood ping): plain recvmsg, cheaper than recvmmsg's second look. */
	if (max == 1) {
		ssize_t len = recvmsg(s->fd, &b->msgs[0].msg_hdr, MSG_DONTWAIT);
		got = len < 0 ? -1 : 1;
		if (len >= 0)
			b->msgs[0].msg_len = (unsigned)len;
	} else {
		got = recvmmsg(s->fd, b->msgs, max, MSG_DONTWAIT, NULL);
	}
	if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
	    !(s->mode == RP_ICMP_DGRAM && pending_error(errno)))
		return -1;
	for (int i = 0; i < got; i++)
		finish(s, b, (unsigned)i, b->msgs[i].msg_len);
	b->n = got > 0 ? (unsigned)got : 0;
	if (s->mode == RP_ICMP_DGRAM)
		read_errors(s, b, max);
	else if (s->tx_stamps)
		rp_icmp_tx_stamps(s, 0, 0, NULL); /* late reports: drained, or poll would never sleep */
	return (int)b->n;
}
