/*
 * Sending IPv4 datagrams through a packet socket, so no field is rewritten
 * on the way out. The next hop comes from the kernel: the route
 * (RTM_GETROUTE), the interface's link type (RTM_GETLINK), the neighbour
 * entry (RTM_GETNEIGH), and when there is none, a resolution the kernel is
 * asked to start and whose outcome it announces on RTNLGRP_NEIGH.
 */
#include <net/if.h> /* before the linux/ headers, whose if.h then steps aside */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rawprobe/icmpsock.h"
#include "rawprobe/linktx.h"
#include "rawprobe/privs.h"

#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)
#define DISCARD_PORT 9

/* One netlink socket and the buffer its answers land in. */
struct nl {
	int fd;
	uint32_t seq;
	union {
		struct nlmsghdr h; /* aligns the buffer for the headers read from it */
		uint8_t b[32768];
	} buf;
};

/* A request: the header, the family header, then attributes. */
struct nl_req {
	struct nlmsghdr h;
	union {
		struct rtmsg rt;
		struct ifinfomsg ifi;
		struct ndmsg nd;
	} u;
	uint8_t attrs[64];
};

struct route {
	uint8_t type;      /* RTN_* */
	int oif;
	uint32_t gateway;  /* 0: the destination is on the link */
	bool gateway_v6;   /* RTA_VIA with an IPv6 next hop */
};

struct link {
	unsigned short type; /* ARPHRD_* */
	unsigned flags;      /* IFF_* */
	char name[IF_NAMESIZE];
	uint8_t addr[16], broadcast[16];
	uint8_t addr_len;
};

struct neigh {
	uint16_t state;
	uint8_t lladdr[16];
	uint8_t lladdr_len;
};

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static const char *ntoa(uint32_t a, char *s)
{
	return inet_ntop(AF_INET, &a, s, INET_ADDRSTRLEN);
}

int rp_link_tx_open(struct rp_link_tx *t, char *err, size_t errlen)
{
	int saved;

	memset(t, 0, sizeof *t);
	t->fd = -1;
	if (rp_privs_raise_net_raw() != 0) {
		snprintf(err, errlen, "a packet socket needs CAP_NET_RAW; run as root or install "
			 "rawprobe with setcap cap_net_raw+p");
		errno = EPERM;
		return -1;
	}
	/* Protocol 0: the socket sends and never receives. */
	t->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	saved = errno;
	rp_privs_lower();
	errno = saved;
	if (t->fd >= 0)
		return 0;
	if (errno == EPERM || errno == EACCES)
		snprintf(err, errlen, "packet socket: %s (needs CAP_NET_RAW); run as root or install "
			 "rawprobe with setcap cap_net_raw+p", strerror(errno));
	else
		fail(err, errlen, "packet socket");
	return -1;
}

void rp_link_tx_close(struct rp_link_tx *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static void sockaddr_ll_fill(const struct rp_link_tx *t, struct sockaddr_ll *to)
{
	memset(to, 0, sizeof *to);
	to->sll_family = AF_PACKET;
	to->sll_protocol = htons(ETH_P_IP);
	to->sll_ifindex = t->ifindex;
	to->sll_halen = t->lladdr_len < sizeof to->sll_addr ? t->lladdr_len : sizeof to->sll_addr;
	memcpy(to->sll_addr, t->lladdr, to->sll_halen); /* at most 8: rp_link_tx_resolve sees to it */
}

long rp_link_tx_send(const struct rp_link_tx *t, const uint8_t *dg, size_t len)
{
	struct sockaddr_ll to;

	sockaddr_ll_fill(t, &to);
	return sendto(t->fd, dg, len, 0, (struct sockaddr *)&to, sizeof to);
}

int rp_link_tx_send_batch(const struct rp_link_tx *t, const struct rp_tx *tx, unsigned n)
{
	enum { BATCH = 64 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll to;
	unsigned sent = 0;

	sockaddr_ll_fill(t, &to);
	while (sent < n) {
		unsigned k = n - sent < BATCH ? n - sent : BATCH;
		int rc;

		for (unsigned i = 0; i < k; i++) {
			iov[i].iov_base = (void *)tx[sent + i].data;
			iov[i].iov_len = tx[sent + i].len;
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = sizeof to,
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		rc = sendmmsg(t->fd, msgs, k, 0);
		if (rc < 0)
			return sent ? (int)sent : -1;
		sent += (unsigned)rc;
		if ((unsigned)rc < k)
			break;
	}
	return (int)sent;
}

/* ---- rtnetlink ---- */

static int nl_open(struct nl *nl, unsigned groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -1;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int saved = errno;
		close(nl->fd);
		nl->fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static void nl_req_init(struct nl_req *r, uint16_t type, uint16_t flags, size_t family_len)
{
	memset(r, 0, sizeof *r);
	r->h.nlmsg_len = NLMSG_LENGTH(family_len);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | flags;
}

static void nl_req_attr(struct nl_req *r, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((uint8_t *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	/* Requests here carry at most two 4-byte attributes; a longer one would be cut off. */
	if (NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len) > sizeof *r)
		return;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* The whole message at *off in len bytes, stepping *off past it; NULL after the last. */
static const struct nlmsghdr *nl_next(const uint8_t *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *h;

	if (*off > len || len - *off < sizeof *h)
		return NULL;
	h = (const struct nlmsghdr *)(buf + *off);
	if (h->nlmsg_len < sizeof *h || h->nlmsg_len > len - *off)
		return NULL;
	*off += NLMSG_ALIGN(h->nlmsg_len);
	return h;
}

/*
 * Sends a request and reads the kernel's answer to it: 0 with *reply set to
 * the answer (NULL for a bare acknowledgement), or the negative errno the
 * kernel answered with. The kernel answers a single request before sendto
 * returns, so nothing here blocks.
 */
static int nl_talk(struct nl *nl, struct nl_req *r, const struct nlmsghdr **reply)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	*reply = NULL;
	r->h.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		return -errno;
	for (int tries = 0; tries < 16; tries++) {
		ssize_t got = recv(nl->fd, nl->buf.b, sizeof nl->buf.b, MSG_DONTWAIT | MSG_TRUNC);
		const struct nlmsghdr *h;
		size_t off = 0;

		if (got < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if ((size_t)got > sizeof nl->buf.b)
			return -EMSGSIZE;
		while ((h = nl_next(nl->buf.b, (size_t)got, &off))) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
					return -EPROTO;
				return e->error;
			}
			*reply = h;
			return 0;
		}
	}
	return -EPROTO;
}

/* Attributes after a family header of hdr_len bytes, each kept once its length is checked. */
static void nl_attrs(const struct nlmsghdr *h, size_t hdr_len, const struct rtattr **tb, unsigned max)
{
	size_t off = NLMSG_SPACE(hdr_len);

	memset(tb, 0, (max + 1) * sizeof *tb);
	while (off <= h->nlmsg_len && h->nlmsg_len - off >= sizeof(struct rtattr)) {
		const struct rtattr *a = (const struct rtattr *)((const uint8_t *)h + off);
		unsigned type = a->rta_type & NLA_TYPE_MASK;

		if (a->rta_len < sizeof *a || a->rta_len > h->nlmsg_len - off)
			break;
		if (type <= max)
			tb[type] = a;
		off += RTA_ALIGN(a->rta_len);
	}
}

static bool attr_u32(const struct rtattr *a, uint32_t *v)
{
	if (!a || RTA_PAYLOAD(a) != sizeof *v)
		return false;
	memcpy(v, RTA_DATA(a), sizeof *v);
	return true;
}

/* Copies a link address of 1 to 16 bytes; 0 when the attribute is absent or unfit. */
static uint8_t attr_lladdr(const struct rtattr *a, uint8_t *out)
{
	size_t n = a ? RTA_PAYLOAD(a) : 0;

	if (n == 0 || n > 16)
		return 0;
	memcpy(out, RTA_DATA(a), n);
	return (uint8_t)n;
}

/* ---- the route ---- */

static void route_failed(int error, uint32_t dst, const char *device, char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN];

	ntoa(dst, a);
	switch (error) {
	case EINVAL:
		snprintf(err, errlen, "the route to %s is a blackhole: the kernel discards what is sent "
			 "there; check `ip route get %s`", a, a);
		break;
	case EHOSTUNREACH:
		snprintf(err, errlen, "the route to %s is an unreachable route; check `ip route get %s`", a, a);
		break;
	case EACCES:
		snprintf(err, errlen, "the route to %s is a prohibit route; check `ip route get %s`", a, a);
		break;
	case ENETUNREACH:
		snprintf(err, errlen, "no route to %s%s%s; add one or choose the interface with -I",
			 a, device ? " through " : "", device ? device : "");
		break;
	default:
		snprintf(err, errlen, "route lookup for %s: %s", a, strerror(error));
	}
}

static int route_get(struct nl *nl, uint32_t dst, int oif, const char *device, struct route *r,
		     char *err, size_t errlen)
{
	const struct rtattr *tb[RTA_MAX + 1];
	const struct nlmsghdr *h;
	const struct rtmsg *rtm;
	struct nl_req q;
	uint32_t v;
	int rc;

	nl_req_init(&q, RTM_GETROUTE, 0, sizeof q.u.rt);
	q.u.rt.rtm_family = AF_INET;
	q.u.rt.rtm_dst_len = 32;
	nl_req_attr(&q, RTA_DST, &dst, 4);
	if (oif)
		nl_req_attr(&q, RTA_OIF, &oif, 4);
	rc = nl_talk(nl, &q, &h);
	if (rc == 0 && (!h || h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof *rtm)))
		rc = -EPROTO;
	if (rc != 0) {
		route_failed(-rc, dst, device, err, errlen);
		return -1;
	}
	rtm = NLMSG_DATA(h);
	memset(r, 0, sizeof *r);
	r->type = rtm->rtm_type;
	nl_attrs(h, sizeof *rtm, tb, RTA_MAX);
	if (attr_u32(tb[RTA_OIF], &v))
		r->oif = (int)v;
	attr_u32(tb[RTA_GATEWAY], &r->gateway);
	r->gateway_v6 = tb[RTA_VIA] != NULL;
	switch (r->type) {
	case RTN_BLACKHOLE:
		route_failed(EINVAL, dst, device, err, errlen);
		return -1;
	case RTN_UNREACHABLE:
		route_failed(EHOSTUNREACH, dst, device, err, errlen);
		return -1;
	case RTN_PROHIBIT:
		route_failed(EACCES, dst, device, err, errlen);
		return -1;
	}
	if (r->oif <= 0) {
		char a[INET_ADDRSTRLEN];
		snprintf(err, errlen, "the route to %s names no output interface", ntoa(dst, a));
		return -1;
	}
	return 0;
}

/* ---- the interface ---- */

static int link_get(struct nl *nl, int ifindex, struct link *l, char *err, size_t errlen)
{
	const struct rtattr *tb[IFLA_MAX + 1];
	const struct nlmsghdr *h;
	const struct ifinfomsg *ifi;
	struct nl_req q;
	int rc;

	nl_req_init(&q, RTM_GETLINK, 0, sizeof q.u.ifi);
	q.u.ifi.ifi_family = AF_UNSPEC;
	q.u.ifi.ifi_index = ifindex;
	rc = nl_talk(nl, &q, &h);
	if (rc == 0 && (!h || h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof *ifi)))
		rc = -EPROTO;
	if (rc != 0) {
		snprintf(err, errlen, "interface %d: %s", ifindex, strerror(-rc));
		return -1;
	}
	ifi = NLMSG_DATA(h);
	memset(l, 0, sizeof *l);
	l->type = ifi->ifi_type;
	l->flags = ifi->ifi_flags;
	nl_attrs(h, sizeof *ifi, tb, IFLA_MAX);
	if (tb[IFLA_IFNAME] && RTA_PAYLOAD(tb[IFLA_IFNAME]) > 0) {
		size_t n = RTA_PAYLOAD(tb[IFLA_IFNAME]);
		memcpy(l->name, RTA_DATA(tb[IFLA_IFNAME]), n < sizeof l->name ? n : sizeof l->name - 1);
	}
	if (!l->name[0] && !if_indextoname((unsigned)ifindex, l->name))
		snprintf(l->name, sizeof l->name, "if%d", ifindex);
	l->addr_len = attr_lladdr(tb[IFLA_ADDRESS], l->addr);
	if (attr_lladdr(tb[IFLA_BROADCAST], l->broadcast) != l->addr_len)
		memset(l->broadcast, 0xff, sizeof l->broadcast);
	if (!(l->flags & IFF_UP)) {
		snprintf(err, errlen, "interface %s is down; bring it up (ip link set %s up)", l->name, l->name);
		return -1;
	}
	return 0;
}

/*
 * The link address the kernel itself would use without asking the
 * neighbour table (as net/ipv4/arp.c arp_constructor decides): none for
 * links without a header, the device's own for loopback and NOARP links,
 * the broadcast address for broadcast routes and point-to-point links, the
 * mapped group address for multicast on Ethernet. False when only ARP knows.
 */
static bool lladdr_without_arp(const struct link *l, const struct route *r, uint32_t nexthop,
			       struct rp_link_tx *t)
{
	const uint8_t *a = (const uint8_t *)&nexthop;

	if (l->addr_len == 0 || l->type == ARPHRD_LOOPBACK) {
		t->lladdr_len = 0;
		return true;
	}
	if (r->type == RTN_MULTICAST && l->type == ARPHRD_ETHER && l->addr_len == 6) {
		const uint8_t group[6] = { 0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3] };
		memcpy(t->lladdr, group, 6);
	} else if (l->flags & IFF_NOARP) {
		memcpy(t->lladdr, l->addr, l->addr_len);
	} else if (r->type == RTN_BROADCAST || (l->flags & IFF_POINTOPOINT)) {
		memcpy(t->lladdr, l->broadcast, l->addr_len);
	} else {
		return false;
	}
	t->lladdr_len = l->addr_len;
	return true;
}

/* ---- the neighbour ---- */

/* Reads one RTM_NEWNEIGH: true when it is about (ifindex, addr) over IPv4. */
static bool neigh_parse(const struct nlmsghdr *h, int ifindex, uint32_t addr, struct neigh *n)
{
	const struct rtattr *tb[NDA_MAX + 1];
	const struct ndmsg *nd;
	uint32_t dst;

	if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof *nd))
		return false;
	nd = NLMSG_DATA(h);
	if (nd->ndm_family != AF_INET || nd->ndm_ifindex != ifindex)
		return false;
	nl_attrs(h, sizeof *nd, tb, NDA_MAX);
	if (!attr_u32(tb[NDA_DST], &dst) || dst != addr)
		return false;
	n->state = nd->ndm_state;
	n->lladdr_len = attr_lladdr(tb[NDA_LLADDR], n->lladdr);
	return true;
}

static bool neigh_usable(const struct neigh *n, uint8_t addr_len)
{
	return (n->state & NUD_USABLE) && n->lladdr_len == addr_len;
}

/* 1 with n filled, 0 when the table has no entry, -errno on failure. */
static int neigh_get(struct nl *nl, int ifindex, uint32_t addr, struct neigh *n)
{
	const struct nlmsghdr *h;
	struct nl_req q;
	int rc;

	nl_req_init(&q, RTM_GETNEIGH, 0, sizeof q.u.nd);
	q.u.nd.ndm_family = AF_INET;
	q.u.nd.ndm_ifindex = ifindex;
	nl_req_attr(&q, NDA_DST, &addr, 4);
	rc = nl_talk(nl, &q, &h);
	if (rc == -ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	return h && neigh_parse(h, ifindex, addr, n) ? 1 : -EPROTO;
}

/*
 * Asks the kernel to resolve addr on the interface. RTM_NEWNEIGH with
 * NTF_USE starts ARP without sending anything else, but needs
 * CAP_NET_ADMIN, which rawprobe never keeps; without it, a zero-length UDP
 * datagram to the discard port does the same: the kernel holds it in the
 * neighbour's queue and sends ARP.
 */
static int neigh_trigger(struct nl *nl, const struct rp_link_tx *t, char *err, size_t errlen)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DISCARD_PORT) };
	const struct nlmsghdr *h;
	struct nl_req q;
	int fd, rc;

	nl_req_init(&q, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_ACK, sizeof q.u.nd);
	q.u.nd.ndm_family = AF_INET;
	q.u.nd.ndm_ifindex = t->ifindex;
	q.u.nd.ndm_flags = NTF_USE;
	nl_req_attr(&q, NDA_DST, &t->nexthop, 4);
	rc = nl_talk(nl, &q, &h);
	if (rc == 0)
		return 0;
	if (rc != -EPERM && rc != -EACCES) {
		errno = -rc;
		return fail(err, errlen, "asking the kernel to resolve the next hop");
	}
	to.sin_addr.s_addr = t->nexthop;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(err, errlen, "UDP socket to start ARP");
	rc = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t->ifname, (socklen_t)strlen(t->ifname) + 1);
	if (rc == 0)
		rc = (int)sendto(fd, "", 0, 0, (struct sockaddr *)&to, sizeof to);
	if (rc < 0)
		fail(err, errlen, "UDP datagram to start ARP");
	close(fd);
	return rc < 0 ? -1 : 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads neighbour notifications until one says (t->ifindex, t->nexthop) is
 * usable or failed, or the deadline passes. 1 usable, 0 not (yet), -1 error.
 */
static int neigh_wait(struct nl *mon, struct nl *req, const struct rp_link_tx *t, uint8_t addr_len,
		      int64_t deadline, struct neigh *n)
{
	for (;;) {
		struct pollfd p = { .fd = mon->fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		const struct nlmsghdr *h;
		size_t off = 0;
		ssize_t got;
		int ready;

		if (left <= 0)
			return 0;
		ready = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready <= 0)
			continue;
		got = recv(mon->fd, mon->buf.b, sizeof mon->buf.b, MSG_DONTWAIT);
		if (got < 0 && errno == ENOBUFS) {
			/* Notifications were lost: ask the table directly. */
			if (neigh_get(req, t->ifindex, t->nexthop, n) == 1) {
				if (neigh_usable(n, addr_len))
					return 1;
				if (n->state & NUD_FAILED)
					return 0;
			}
			continue;
		}
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		while ((h = nl_next(mon->buf.b, (size_t)got, &off))) {
			if (!neigh_parse(h, t->ifindex, t->nexthop, n))
				continue;
			if (neigh_usable(n, addr_len))
				return 1;
			if (n->state & NUD_FAILED)
				return 0;
		}
	}
}

/* waited_ms: how long the wait lasted; gave_up: the kernel declared the neighbour failed first. */
static void no_answer(const struct rp_link_tx *t, uint32_t dst, int64_t waited_ms, bool gave_up,
		      char *err, size_t errlen)
{
	char hop[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN], gateway[64] = "";

	ntoa(t->nexthop, hop);
	if (t->nexthop != dst)
		snprintf(gateway, sizeof gateway, " (the gateway to %s)", ntoa(dst, d));
	snprintf(err, errlen, "%s%s: no ARP answer on %s within %g s%s; is the next hop up?", hop, gateway,
		 t->ifname, (double)(gave_up ? (waited_ms + 50) / 100 * 100 : waited_ms) / 1000.0,
		 gave_up ? " (the kernel stopped asking)" : "");
}

/* 1 when the neighbour is usable (n filled), 0 when it did not answer in time, -1 with err filled. */
static int neigh_find(struct nl *req, struct nl *mon, const struct rp_link_tx *t, uint8_t addr_len,
		      int64_t deadline, struct neigh *n, char *err, size_t errlen)
{
	int rc = neigh_get(req, t->ifindex, t->nexthop, n);

	if (rc < 0) {
		errno = -rc;
		return fail(err, errlen, "neighbour lookup");
	}
	if (rc == 1 && neigh_usable(n, addr_len))
		return 1;
	if (neigh_trigger(req, t, err, errlen) != 0)
		return -1;
	rc = neigh_wait(mon, req, t, addr_len, deadline, n);
	if (rc < 0)
		return fail(err, errlen, "waiting for the neighbour table");
	/* An answer may have come as the time ran out. */
	if (rc == 0 && neigh_get(req, t->ifindex, t->nexthop, n) == 1 && neigh_usable(n, addr_len))
		rc = 1;
	return rc;
}

static int neigh_resolve(struct nl *req, struct rp_link_tx *t, uint32_t dst, uint8_t addr_len,
			 int timeout_ms, char *err, size_t errlen)
{
	int64_t start = now_ms(), deadline = start + (timeout_ms > 0 ? timeout_ms : 0);
	struct neigh n = { 0 };
	struct nl mon;
	int rc;

	/* Subscribe first, so the answer cannot slip between the lookup and the wait. */
	if (nl_open(&mon, 1u << (RTNLGRP_NEIGH - 1)) != 0)
		return fail(err, errlen, "netlink socket for neighbour notifications");
	rc = neigh_find(req, &mon, t, addr_len, deadline, &n, err, errlen);
	nl_close(&mon);
	if (rc == 0) {
		bool gave_up = (n.state & NUD_FAILED) && now_ms() < deadline;
		no_answer(t, dst, gave_up ? now_ms() - start : timeout_ms, gave_up, err, errlen);
	}
	if (rc != 1)
		return -1;
	memcpy(t->lladdr, n.lladdr, n.lladdr_len);
	t->lladdr_len = n.lladdr_len;
	return 0;
}

int rp_link_tx_resolve(struct rp_link_tx *t, uint32_t dst, const char *device, int timeout_ms,
		       char *err, size_t errlen)
{
	struct route r;
	struct link l;
	struct nl nl;
	int oif = 0, rc = -1;

	if (device && !(oif = (int)if_nametoindex(device))) {
		snprintf(err, errlen, "no interface named %s (see ip link)", device);
		return -1;
	}
	if (nl_open(&nl, 0) != 0)
		return fail(err, errlen, "netlink socket");
	if (route_get(&nl, dst, oif, device, &r, err, errlen) != 0 || link_get(&nl, r.oif, &l, err, errlen) != 0)
		goto out;
	if (r.gateway_v6) {
		char a[INET_ADDRSTRLEN];
		snprintf(err, errlen, "the route to %s goes through an IPv6 next hop, which the packet "
			 "socket path does not support", ntoa(dst, a));
		goto out;
	}
	t->ifindex = r.oif;
	memcpy(t->ifname, l.name, sizeof t->ifname);
	t->ifname[sizeof t->ifname - 1] = '\0';
	/* A local route (dst is ours) already names lo, where the datagram loops back. */
	t->nexthop = r.type == RTN_LOCAL || !r.gateway ? dst : r.gateway;
	t->lladdr_len = 0;
	if (l.addr_len > sizeof ((struct sockaddr_ll *)0)->sll_addr) {
		snprintf(err, errlen, "%s has %u-byte link addresses; the packet socket path takes at most 8",
			 l.name, l.addr_len);
		goto out;
	}
	if (lladdr_without_arp(&l, &r, t->nexthop, t))
		rc = 0;
	else
		rc = neigh_resolve(&nl, t, dst, l.addr_len, timeout_ms, err, errlen);
out:
	nl_close(&nl);
	return rc;
}
