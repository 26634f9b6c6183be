/*
 * rp_ping_floor: the floor of the `rawprobe ping` rate benchmark. One raw
 * ICMP socket, echo requests built once, sent with sendmmsg in batches as
 * fast as the kernel takes them; with --recv, every reply is drained with
 * recvmmsg between batches and counted. Nothing is timed per probe, matched
 * or printed. Over veth the target's echo work runs on the sender's core, so
 * no single-threaded pinger can send, have answered and read faster than
 * this: it is the kernel's own echo limit for one core.
 *
 *   rp_ping_floor [--recv | --flood] DST PACKETS    needs CAP_NET_RAW (run it as root)
 *
 * --flood is the floor of `ping -f`: one probe in flight, sendmsg then a
 * blocking recvmsg (10 ms at most, as iputils waits) for its reply.
 *
 * With RP_FLOOR_HDRINCL=1 in the environment the probes carry an IPv4 header
 * of their own (IP_HDRINCL, as rawprobe sends them): the floor for that way
 * of sending, which costs the kernel more for on-link destinations (it does
 * not cache their route: FLOWI_FLAG_KNOWN_NH in raw_sendmsg).
 * Prints one line: sent, received, seconds, sent/s, received/s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 56
#define MAX_SECONDS 30   /* whatever PACKETS says */
#define DRAIN_MS 1000    /* wait for the last replies */
#define RECV_BUF 2048

struct echo {
	uint8_t ip[20]; /* sent only with IP_HDRINCL */
	struct icmphdr h;
	uint8_t data[PAYLOAD];
};

static bool hdrincl;
static struct in_addr dst_addr;
static struct echo out[BATCH];
static struct iovec out_iov[BATCH];
static struct mmsghdr out_msg[BATCH];
static uint8_t in_buf[BATCH][RECV_BUF];
static struct iovec in_iov[BATCH];
static struct mmsghdr in_msg[BATCH];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void prepare(uint16_t id)
{
	for (int i = 0; i < BATCH; i++) {
		out[i].h.type = ICMP_ECHO;
		out[i].h.un.echo.id = htons(id);
		memset(out[i].data, 0x5a, sizeof out[i].data);
		if (hdrincl) {
			/* Source, id and header checksum 0: the kernel fills them in (raw(7)). */
			out[i].ip[0] = 0x45;
			out[i].ip[3] = (uint8_t)(sizeof out[i]);
			out[i].ip[8] = 64;
			out[i].ip[9] = IPPROTO_ICMP;
			memcpy(out[i].ip + 16, &dst_addr, 4);
			out_iov[i] = (struct iovec){ out[i].ip, sizeof out[i] };
		} else {
			out_iov[i] = (struct iovec){ &out[i].h, sizeof out[i] - sizeof out[i].ip };
		}
		out_msg[i].msg_hdr = (struct msghdr){ .msg_iov = &out_iov[i], .msg_iovlen = 1 };
		in_iov[i] = (struct iovec){ in_buf[i], RECV_BUF };
		in_msg[i].msg_hdr = (struct msghdr){ .msg_iov = &in_iov[i], .msg_iovlen = 1 };
	}
}

static void number(uint64_t first, int n)
{
	for (int i = 0; i < n; i++) {
		out[i].h.un.echo.sequence = htons((uint16_t)(first + (uint64_t)i));
		out[i].h.checksum = 0;
		out[i].h.checksum = checksum(&out[i].h, sizeof out[i] - sizeof out[i].ip);
	}
}

/* Echo replies carrying our identifier among what is queued now. */
static uint64_t drain(int fd, uint16_t id)
{
	uint64_t got = 0;
	int n;

	while ((n = recvmmsg(fd, in_msg, BATCH, MSG_DONTWAIT, NULL)) > 0) {
		for (int i = 0; i < n; i++) {
			const uint8_t *p = in_buf[i];
			size_t ihl = (size_t)(p[0] & 0x0f) * 4;
			const struct icmphdr *h = (const struct icmphdr *)(p + ihl);

			if (in_msg[i].msg_len >= ihl + sizeof *h && h->type == ICMP_ECHOREPLY &&
			    h->un.echo.id == htons(id))
				got++;
		}
	}
	return got;
}

/* One in flight: each reply (or 10 ms) lets the next probe go. */
static uint64_t flood(int fd, uint16_t id, uint64_t total, double stop, uint64_t *received)
{
	struct timeval wait = { .tv_sec = 0, .tv_usec = 10000 };
	uint64_t sent = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
	while (sent < total && (sent % 1024 || now() < stop)) {
		number(sent, 1);
		if (sendmsg(fd, &out_msg[0].msg_hdr, 0) < 0)
			continue;
		sent++;
		for (;;) {
			ssize_t n = recvmsg(fd, &in_msg[0].msg_hdr, 0);
			const uint8_t *p = in_buf[0];
			const struct icmphdr *h = (const struct icmphdr *)(p + (p[0] & 0x0f) * 4);

			if (n < 0)
				break;
			if (h->type == ICMP_ECHOREPLY && h->un.echo.id == htons(id)) {
				(*received)++;
				break;
			}
		}
	}
	return sent;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	bool flood_mode = argc == 4 && strcmp(argv[1], "--flood") == 0;
	bool recv_too = argc == 4 && (flood_mode || strcmp(argv[1], "--recv") == 0);
	uint64_t total, sent = 0, received = 0;
	uint16_t id = (uint16_t)getpid();
	double t0, t1, stop;
	char *end;
	int fd;

	if (argc != 3 + recv_too || inet_pton(AF_INET, argv[1 + recv_too], &dst.sin_addr) != 1) {
		fprintf(stderr, "usage: rp_ping_floor [--recv | --flood] DST PACKETS\n");
		return 2;
	}
	total = strtoull(argv[2 + recv_too], &end, 10);
	if (*end || total == 0) {
		fprintf(stderr, "rp_ping_floor: PACKETS must be a positive whole number\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
		fprintf(stderr, "rp_ping_floor: raw ICMP socket: %s (needs CAP_NET_RAW)\n",
			strerror(errno));
		return 2;
	}
	hdrincl = getenv("RP_FLOOR_HDRINCL") && strcmp(getenv("RP_FLOOR_HDRINCL"), "1") == 0;
	dst_addr = dst.sin_addr;
	if (hdrincl && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &(int){ 1 }, sizeof(int)) != 0) {
		fprintf(stderr, "rp_ping_floor: IP_HDRINCL: %s\n", strerror(errno));
		return 2;
	}
	prepare(id);
	t0 = now();
	stop = t0 + MAX_SECONDS;
	if (flood_mode)
		sent = flood(fd, id, total, stop, &received);
	while (!flood_mode && sent < total && now() < stop) {
		int n = total - sent < BATCH ? (int)(total - sent) : BATCH;

		number(sent, n);
		n = sendmmsg(fd, out_msg, (unsigned)n, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "rp_ping_floor: sendmmsg: %s\n", strerror(errno));
			return 2;
		}
		sent += n > 0 ? (uint64_t)n : 0;
		if (recv_too)
			received += drain(fd, id);
	}
	t1 = now();
	if (recv_too) {
		double deadline = now() + DRAIN_MS / 1e3;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		while (received < sent && now() < deadline && poll(&pfd, 1, 50) >= 0)
			received += drain(fd, id);
	}
	printf("sent %" PRIu64 " received %" PRIu64 " seconds %.3f sent/s %.0f received/s %.0f\n",
	       sent, received, t1 - t0, (double)sent / (t1 - t0),
	       recv_too ? (double)received / (t1 - t0) : 0.0);
	close(fd);
	return 0;
}
