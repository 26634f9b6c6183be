/* The ICMP socket engine: raw with IP_HDRINCL, or the unprivileged datagram fallback. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rawprobe/checksum.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/privs.h"
#include "rawprobe/probe.h"

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static uint16_t random_id(void)
{
	uint16_t id = 0;

	while (id == 0)
		if (getrandom(&id, sizeof id, 0) != sizeof id)
			id = (uint16_t)(getpid() ^ time(NULL));
	return id;
}

static int bind_device(int fd, const char *device, char *err, size_t errlen)
{
	if (!device)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1) != 0) {
		snprintf(err, errlen, "cannot bind to interface %s: %s", device, strerror(errno));
		return -1;
	}
	return 0;
}

/* CAP_NET_RAW is effective only for the length of this function. */
int rp_raw_socket(int proto, const char *device, char *err, size_t errlen)
{
	int fd, saved;

	if (rp_privs_raise_net_raw() != 0)
		return -1;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	saved = errno;
	if (fd >= 0 && bind_device(fd, device, err, errlen) != 0) {
		saved = errno;
		close(fd);
		fd = -1;
	}
	rp_privs_lower();
	errno = saved;
	return fd;
}

static int open_dgram(struct rp_icmp_sock *s, const struct rp_icmp_sock_opts *o, char *err,
		      size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = o->source };
	socklen_t sl = sizeof sin;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);

	if (fd < 0)
		return -1;
	/* Binding port 0 makes the kernel pick the echo identifier now, so we know it. */
	if (bind_device(fd, o->device, err, errlen) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	s->id = ntohs(sin.sin_port);
	s->local = sin.sin_addr.s_addr;
	return fd;
}

enum rp_open_error rp_icmp_sock_open(struct rp_icmp_sock *s, const struct rp_icmp_sock_opts *o,
				     char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	err[0] = '\0';
	s->fd = rp_raw_socket(IPPROTO_ICMP, o->device, err, errlen);
	if (s->fd >= 0) {
		s->mode = RP_ICMP_RAW;
		s->id = random_id();
		return RP_OPEN_OK;
	}
	if (err[0])
		return RP_OPEN_FAILED;
	if (errno != EPERM && errno != EACCES) {
		fail(err, errlen, "raw ICMP socket");
		return RP_OPEN_FAILED;
	}
	if (o->raw_only)
		return RP_OPEN_NO_PRIVILEGE;
	s->fd = open_dgram(s, o, err, errlen);
	if (s->fd >= 0) {
		s->mode = RP_ICMP_DGRAM;
		return RP_OPEN_OK;
	}
	if (err[0])
		return RP_OPEN_FAILED;
	if (errno == EPERM || errno == EACCES)
		return RP_OPEN_NO_PRIVILEGE;
	fail(err, errlen, "ICMP datagram socket");
	return RP_OPEN_FAILED;
}

/*
 * Socket filter for the raw socket, so replies to other programs never wake
 * us: accept echo replies with our id, and errors whose quoted datagram is
 * an ICMP echo request with our id. The packet starts at the IPv4 header.
 */
unsigned rp_icmp_id_filter(uint16_t id, struct sock_filter *out)
{
	const struct sock_filter code[RP_ID_FILTER_LEN] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),            /* X = outer header length */
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),             /* A = ICMP type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ICMP_ECHOREPLY, 0, 2),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),             /* echo reply: its id */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, id, 11, 12),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 8 + 9),         /* error: quoted protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 10),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 8),             /* quoted version/ihl */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x0f),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 2),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),                   /* X = outer + quoted header lengths */
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 8),             /* quoted ICMP type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ICMP_ECHO, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 8 + 4),         /* quoted id */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, id, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};

	memcpy(out, code, sizeof code);
	return RP_ID_FILTER_LEN;
}

static int attach_id_filter(int fd, uint16_t id)
{
	struct sock_filter code[RP_ID_FILTER_LEN];
	struct sock_fprog prog = { .len = (unsigned short)rp_icmp_id_filter(id, code), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int setup_raw(struct rp_icmp_sock *s, char *err, size_t errlen)
{
	int one = 1;
	/* ICMP_FILTER's bits are the types to drop: keep replies and the errors. */
	struct icmp_filter keep = { .data = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) |
					      (1u << ICMP_SOURCE_QUENCH) | (1u << ICMP_REDIRECT) |
					      (1u << ICMP_TIME_EXCEEDED) | (1u << ICMP_PARAMETERPROB)) };

	if (setsockopt(s->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) != 0)
		return fail(err, errlen, "IP_HDRINCL");
	if (setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &keep, sizeof keep) != 0)
		return fail(err, errlen, "ICMP_FILTER");
	if (attach_id_filter(s->fd, s->id) != 0)
		return fail(err, errlen, "attaching the socket filter");
	return 0;
}

static int setup_dgram(struct rp_icmp_sock *s, const struct rp_icmp_sock_opts *o, char *err,
		       size_t errlen)
{
	int one = 1, ttl = o->ttl, tos = o->tos;

	if (setsockopt(s->fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) != 0 ||
	    setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one) != 0)
		return fail(err, errlen, "ICMP datagram socket options");
	if (ttl && setsockopt(s->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0)
		return fail(err, errlen, "IP_TTL");
	if (tos && setsockopt(s->fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) != 0)
		return fail(err, errlen, "IP_TOS");
	if (o->pmtudisc >= 0 &&
	    setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &o->pmtudisc, sizeof o->pmtudisc) != 0)
		return fail(err, errlen, "IP_MTU_DISCOVER");
	return 0;
}

int rp_icmp_sock_setup(struct rp_icmp_sock *s, const struct rp_icmp_sock_opts *o, char *err,
		       size_t errlen)
{
	int one = 1;

	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0)
		return fail(err, errlen, "SO_TIMESTAMPNS");
	if (o->rcvbuf > 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf);
	return s->mode == RP_ICMP_RAW ? setup_raw(s, err, errlen) : setup_dgram(s, o, err, errlen);
}

void rp_icmp_sock_close(struct rp_icmp_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Why a UDP connect found no route; EINVAL is what a blackhole route gives. */
static void route_error(char *err, size_t errlen)
{
	if (errno == EINVAL)
		snprintf(err, errlen, "the routing table discards traffic to it (a blackhole route)");
	else
		fail(err, errlen, "no route to the target");
}

int rp_route_source(uint32_t dst, const char *device, uint32_t *src, unsigned *mtu, char *err,
		    size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1025) };
	socklen_t sl = sizeof sin;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (fd < 0)
		return fail(err, errlen, "UDP socket for the route lookup");
	sin.sin_addr.s_addr = dst;
	/* Connecting a UDP socket sends nothing: it only asks the routing table. */
	if (device && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1) != 0)
		snprintf(err, errlen, "cannot use interface %s: %s", device, strerror(errno));
	else if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
		route_error(err, errlen);
	else if (getsockname(fd, (struct sockaddr *)&sin, &sl) != 0)
		fail(err, errlen, "getsockname");
	else {
		int m = 0;
		socklen_t ml = sizeof m;
		*src = sin.sin_addr.s_addr;
		if (mtu)
			*mtu = getsockopt(fd, IPPROTO_IP, IP_MTU, &m, &ml) == 0 && m > 0 ? (unsigned)m : 1500;
		rc = 0;
	}
	close(fd);
	return rc;
}

int rp_icmp_send(struct rp_icmp_sock *s, const struct rp_tx *tx, unsigned n)
{
	enum { BATCH = 64 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to[BATCH];
	size_t skip = s->mode == RP_ICMP_DGRAM ? RP_IPV4_HDR : 0;
	unsigned sent = 0;

	while (sent < n) {
		unsigned k = n - sent < BATCH ? n - sent : BATCH;
		int rc;

		for (unsigned i = 0; i < k; i++) {
			const struct rp_tx *t = &tx[sent + i];
			to[i] = (struct sockaddr_in){ .sin_family = AF_INET };
			to[i].sin_addr.s_addr = t->dst;
			iov[i].iov_base = (void *)(t->data + skip);
			iov[i].iov_len = t->len - skip;
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to[i], .msg_namelen = sizeof to[i],
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		if (k == 1) {
			/* One datagram (flood ping): sendmsg, without sendmmsg's bookkeeping. */
			ssize_t len = sendmsg(s->fd, &msgs[0].msg_hdr, 0);
			rc = len < 0 ? -1 : 1;
		} else {
			rc = sendmmsg(s->fd, msgs, k, 0);
		}
		if (rc < 0)
			return sent ? (int)sent : -1;
		sent += (unsigned)rc;
		s->tx_key += (unsigned)rc;
		if ((unsigned)rc < k)
			break;
	}
	return (int)sent;
}
