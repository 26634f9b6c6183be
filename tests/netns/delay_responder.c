/*
 * delay_responder: answers ICMP echo requests after a fixed delay, for the
 * namespace tests of `rawprobe ping` (this kernel has no netem to delay them).
 * Run it in a namespace whose own echo replies are off
 * (net.ipv4.icmp_echo_ignore_all=1).
 *
 *   delay_responder -d MS -t SECONDS
 *
 * Prints "ready" on stdout once its socket is open, then answers every echo
 * request MS milliseconds after it arrived, for at most SECONDS, and prints
 * what it did on stderr. The delay is the same for every request, so the
 * pending replies are due in arrival order: the timer queue is a ring, its
 * head armed on a timerfd; nothing sleeps per packet.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#define QUEUE_LEN 1024 /* replies waiting at once; more are dropped and counted */
#define MSG_MAX 1500   /* largest ICMP message answered */

struct pending {
	struct timespec due;
	struct sockaddr_in to;
	size_t len;
	unsigned char msg[MSG_MAX];
};

struct responder {
	int sock;
	int timer;
	long delay_ns;
	struct pending queue[QUEUE_LEN];
	size_t head, count;
	unsigned long answered, dropped, ignored;
};

static void die(const char *what)
{
	fprintf(stderr, "delay_responder: %s: %s\n", what, strerror(errno));
	exit(2);
}

static struct timespec now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static struct timespec add_ns(struct timespec ts, long ns)
{
	ts.tv_sec += ns / 1000000000L;
	ts.tv_nsec += ns % 1000000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static int before_or_at(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static uint16_t inet_checksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int open_socket(void)
{
	struct icmp_filter only_echo = {.data = ~(1U << ICMP_ECHO)};
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0)
		die("raw ICMP socket");
	if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &only_echo, sizeof(only_echo)) < 0)
		die("ICMP_FILTER");
	return fd;
}

/* Arms the timer for the head of the queue, or disarms it when empty. */
static void arm(struct responder *r)
{
	struct itimerspec when = {0};

	if (r->count)
		when.it_value = r->queue[r->head].due;
	if (timerfd_settime(r->timer, TFD_TIMER_ABSTIME, &when, NULL) < 0)
		die("timerfd_settime");
}

/* Turns one received datagram (IP header and ICMP) into a queued reply. */
static void enqueue(struct responder *r, const unsigned char *pkt, size_t len,
		    const struct sockaddr_in *from, struct timespec arrived)
{
	size_t ihl, icmp_len;
	struct pending *p;
	uint16_t sum;

	if (len < 20 || (ihl = (size_t)(pkt[0] & 0x0f) * 4) < 20 || len < ihl + 8 ||
	    pkt[ihl] != ICMP_ECHO || pkt[ihl + 1] != 0) {
		r->ignored++;
		return;
	}
	icmp_len = len - ihl;
	if (r->count == QUEUE_LEN || icmp_len > MSG_MAX) {
		r->dropped++;
		return;
	}
	p = &r->queue[(r->head + r->count) % QUEUE_LEN];
	memcpy(p->msg, pkt + ihl, icmp_len);
	p->msg[0] = ICMP_ECHOREPLY;
	p->msg[2] = p->msg[3] = 0;
	sum = inet_checksum(p->msg, icmp_len);
	p->msg[2] = (unsigned char)(sum >> 8);
	p->msg[3] = (unsigned char)(sum & 0xff);
	p->len = icmp_len;
	p->to = *from;
	p->due = add_ns(arrived, r->delay_ns);
	if (r->count++ == 0)
		arm(r);
}

static void receive_all(struct responder *r)
{
	unsigned char pkt[65536];
	struct sockaddr_in from;
	socklen_t fromlen;
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(r->sock, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			die("recvfrom");
		}
		enqueue(r, pkt, (size_t)n, &from, now());
	}
}

static void send_due(struct responder *r)
{
	uint64_t expirations;
	struct timespec t = now();

	if (read(r->timer, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		die("timerfd read");
	while (r->count && before_or_at(r->queue[r->head].due, t)) {
		struct pending *p = &r->queue[r->head];

		if (sendto(r->sock, p->msg, p->len, 0, (struct sockaddr *)&p->to, sizeof(p->to)) < 0)
			r->dropped++;
		else
			r->answered++;
		r->head = (r->head + 1) % QUEUE_LEN;
		r->count--;
	}
	arm(r);
}

static long parse_arg(const char *s, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > max) {
		fprintf(stderr, "delay_responder: %s '%s': expected 0..%ld\n", what, s, max);
		exit(2);
	}
	return v;
}

static void run(struct responder *r, long seconds)
{
	struct timespec end = add_ns(now(), seconds * 1000000000L);
	struct pollfd fds[2] = {{.fd = r->sock, .events = POLLIN}, {.fd = r->timer, .events = POLLIN}};

	for (;;) {
		struct timespec t = now();
		long left_ms;

		if (before_or_at(end, t))
			return;
		left_ms = (end.tv_sec - t.tv_sec) * 1000 + (end.tv_nsec - t.tv_nsec) / 1000000 + 1;
		if (poll(fds, 2, left_ms > INT_MAX ? INT_MAX : (int)left_ms) < 0 && errno != EINTR)
			die("poll");
		if (fds[0].revents & POLLIN)
			receive_all(r);
		if (fds[1].revents & POLLIN)
			send_due(r);
	}
}

int main(int argc, char **argv)
{
	static struct responder r;
	long delay_ms = -1, seconds = -1;
	int opt;

	while ((opt = getopt(argc, argv, "d:t:")) != -1) {
		if (opt == 'd')
			delay_ms = parse_arg(optarg, 10000, "delay in ms");
		else if (opt == 't')
			seconds = parse_arg(optarg, 300, "run time in seconds");
		else
			break;
	}
	if (delay_ms < 0 || seconds < 0 || optind != argc) {
		fprintf(stderr, "usage: delay_responder -d MS -t SECONDS\n");
		return 2;
	}
	r.delay_ns = delay_ms * 1000000L;
	r.sock = open_socket();
	r.timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r.timer < 0)
		die("timerfd_create");
	printf("ready\n");
	fflush(stdout);
	run(&r, seconds);
	fprintf(stderr, "delay_responder: answered %lu, dropped %lu, ignored %lu, still queued %zu\n",
		r.answered, r.dropped, r.ignored, r.count);
	return 0;
}
