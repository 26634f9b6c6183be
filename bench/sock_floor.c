/*
 * sock_floor: the floor of the socket benchmark. A bare C send/recv loop
 * over one socket address, with a forked bare server: blocking calls, no
 * event loop, no option handling beyond the minimum. Nothing that moves
 * bytes through a socket the same way can be faster than this.
 *
 *   sock_floor stream ADDR [-b BYTES] [-s SIZE]   write BYTES in SIZE writes to a reading sink
 *   sock_floor rr     ADDR [-n COUNT] [-s SIZE]   COUNT round trips of SIZE bytes to an echo
 *   sock_floor msgs   ADDR [-n COUNT] [-s SIZE]   COUNT datagrams (or seqpackets) to a counter
 *
 * -S runs only the bare server (stream, rr: it prints "ready", serves one
 * client and exits), -R only the bare client against a server already
 * there: with rawprobe on the other side they tell whose cost is whose.
 *
 * ADDR is rawprobe's syntax (tcp:HOST:PORT, udp:HOST:PORT, unix:PATH,
 * unix-dgram:PATH, unix-seqpacket:PATH, @NAME for abstract names). It prints
 * one JSON line shaped like `rawprobe bench --json`, so the script reads both
 * the same way. Message counts are one-way: the sender batches with
 * sendmmsg, the receiver with recvmmsg, and the receiver's count is the one
 * reported (UDP may lose some).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64              /* messages per sendmmsg / recvmmsg */
#define MAX_SIZE (1u << 20)   /* largest write or message */
#define END_MARK 0xE5         /* first byte of the 1-byte end-of-run message */
#define LINGER_MS 200         /* UDP: how long the counter waits after the last message */
#define RCVBUF (4 << 20)      /* datagram receive buffer (the kernel caps it at rmem_max) */

struct addr {
	int family, type;
	struct sockaddr_storage ss;
	socklen_t len;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* to unlink, or "" */
};

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "sock_floor: %s: %s\n", what, strerror(errno));
	exit(2);
}

static _Noreturn void usage(void)
{
	fputs("usage: sock_floor stream|rr|msgs ADDR [-b BYTES] [-n COUNT] [-s SIZE] [-S | -R]\n",
	      stderr);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 4G, 256K, 1M or a plain number (powers of 1024, as rawprobe bench takes them). */
static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'K': case 'k': return v << 10;
	case 'M': case 'm': return v << 20;
	case 'G': case 'g': return v << 30;
	case '\0': return v;
	default: usage();
	}
}

static int parse_inet(struct addr *a, const char *hostport)
{
	struct addrinfo hints = {0}, *res;
	char host[256];
	const char *colon = strrchr(hostport, ':');

	if (!colon || (size_t)(colon - hostport) >= sizeof host)
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	hints.ai_socktype = a->type;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host[0] ? host : "127.0.0.1", colon + 1, &hints, &res) != 0)
		return -1;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	a->family = res->ai_family;
	freeaddrinfo(res);
	return 0;
}

static int parse_unix(struct addr *a, const char *path)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof sun->sun_path)
		return -1;
	a->family = AF_UNIX;
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n);
	if (path[0] == '@')
		sun->sun_path[0] = '\0'; /* abstract: the name is not NUL-terminated */
	else
		memcpy(a->path, path, n + 1);
	a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] != '@'));
	return 0;
}

static int parse_addr(struct addr *a, const char *s)
{
	static const struct {
		const char *prefix;
		int type;
		bool inet;
	} kinds[] = {
		{ "tcp:", SOCK_STREAM, true },       { "udp:", SOCK_DGRAM, true },
		{ "unix:", SOCK_STREAM, false },     { "unix-dgram:", SOCK_DGRAM, false },
		{ "unix-seqpacket:", SOCK_SEQPACKET, false },
	};
	size_t i;

	memset(a, 0, sizeof *a);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(s, kinds[i].prefix, n) != 0)
			continue;
		a->type = kinds[i].type;
		return kinds[i].inet ? parse_inet(a, s + n) : parse_unix(a, s + n);
	}
	return -1;
}

static int open_server(struct addr *a)
{
	int one = 1, fd = socket(a->family, a->type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (a->path[0])
		unlink(a->path);
	if (bind(fd, (struct sockaddr *)&a->ss, a->len) < 0)
		die("bind");
	if (a->type != SOCK_DGRAM && listen(fd, 16) < 0)
		die("listen");
	if (a->type == SOCK_DGRAM) {
		int room = RCVBUF;

		/* the same room for bursts as rawprobe's server asks for */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
	}
	return fd;
}

static int open_client(const struct addr *a)
{
	int one = 1, fd = socket(a->family, a->type, 0);

	if (fd < 0)
		die("socket");
	if (a->family == AF_UNIX && a->type == SOCK_DGRAM) {
		struct sockaddr_un me = { .sun_family = AF_UNIX };

		/* autobind, so the counter could answer; costs nothing per message */
		if (bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) < 0)
			die("bind");
	}
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		die("connect");
	if (a->family != AF_UNIX && a->type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int accept_one(int lfd, const struct addr *a)
{
	int one = 1, fd;

	if (a->type == SOCK_DGRAM)
		return lfd;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	if (a->family != AF_UNIX && a->type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static bool use_recv; /* tcp: send/recv rather than write/read */

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = use_recv ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static void read_full(int fd, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = use_recv ? recv(fd, p, n, 0) : read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		p += r;
		n -= (size_t)r;
	}
}

/* ---- the servers: each serves one client, then exits ---- */

static void serve_sink(int fd, char *buf)
{
	ssize_t r;

	while ((r = read(fd, buf, MAX_SIZE)) > 0 || (r < 0 && errno == EINTR))
		;
}

static void serve_echo(int fd, const struct addr *a, char *buf)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	ssize_t r;

	for (;;) {
		plen = sizeof peer;
		r = recvfrom(fd, buf, MAX_SIZE, 0, (struct sockaddr *)&peer, &plen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r == 0 && a->type != SOCK_DGRAM))
			return;
		if (r == 1 && (unsigned char)buf[0] == END_MARK && a->type == SOCK_DGRAM)
			return;
		if (a->type == SOCK_STREAM)
			write_all(fd, buf, (size_t)r);
		else if (sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&peer, plen) < 0)
			die("sendto");
	}
}

/* Counts messages until the end mark (or, for UDP, LINGER_MS of silence). */
static void serve_count(int fd, const struct addr *a, char *buf, size_t size, int report)
{
	static struct mmsghdr m[BATCH];
	static struct iovec iov[BATCH];
	uint64_t got = 0;
	double last = 0;
	bool done = false;
	int i, n;

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf + (size_t)i * size;
		iov[i].iov_len = size;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (!done) {
		if (a->type == SOCK_DGRAM && a->family != AF_UNIX && got > 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, LINGER_MS) == 0)
				break;
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (m[i].msg_len == 1 && (unsigned char)buf[(size_t)i * size] == END_MARK) {
				done = true;
				break;
			}
			if (m[i].msg_len == 0 && a->type == SOCK_SEQPACKET) {
				done = true;
				break;
			}
			got++;
		}
		last = now();
	}
	if (write(report, &got, sizeof got) != sizeof got || write(report, &last, sizeof last) != sizeof last)
		die("report");
}

/* ---- the clients ---- */

static void run_stream(const struct addr *a, uint64_t bytes, size_t size, char *buf)
{
	int fd = open_client(a);
	uint64_t left = bytes;
	double t0 = now(), secs;

	while (left > 0) {
		size_t n = left < size ? (size_t)left : size;

		write_all(fd, buf, n);
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	serve_sink(fd, buf); /* the sink closes once it has read everything */
	secs = now() - t0;
	close(fd);
	printf("{\"type\":\"throughput\", \"bytes\":%llu, \"seconds\":%.6f, \"mib_per_s\":%.2f}\n",
	       (unsigned long long)bytes, secs, (double)bytes / secs / (1024.0 * 1024.0));
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static double pct(const double *v, uint64_t n, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * (double)n + 0.999999);

	return v[rank ? rank - 1 : 0];
}

static void run_rr(const struct addr *a, uint64_t count, size_t size, char *buf)
{
	int fd = open_client(a);
	double *us = calloc(count, sizeof *us);
	uint64_t i;

	if (!us)
		die("calloc");
	for (i = 0; i < count; i++) {
		double t0 = now();

		if (a->type == SOCK_STREAM) {
			/* tcp: send/recv, unix: write/read, the cheaper pair for each (README-sock.md) */
			write_all(fd, buf, size);
			read_full(fd, buf, size);
		} else {
			if (send(fd, buf, size, 0) < 0)
				die("send");
			if (recv(fd, buf, MAX_SIZE, 0) < 0)
				die("recv");
		}
		us[i] = (now() - t0) * 1e6;
	}
	if (a->type == SOCK_DGRAM) {
		buf[0] = (char)END_MARK;
		send(fd, buf, 1, 0);
	}
	close(fd);
	qsort(us, count, sizeof *us, cmp_double);
	printf("{\"type\":\"rr\", \"n\":%llu, \"p50_us\":%.3f, \"p90_us\":%.3f, \"p99_us\":%.3f, "
	       "\"p999_us\":%.3f, \"min_us\":%.3f, \"max_us\":%.3f}\n",
	       (unsigned long long)count, pct(us, count, 50), pct(us, count, 90), pct(us, count, 99),
	       pct(us, count, 99.9), us[0], us[count - 1]);
	free(us);
}

static void run_msgs(const struct addr *a, uint64_t count, size_t size, char *buf, int report)
{
	static struct mmsghdr m[BATCH];
	static struct iovec iov;
	int fd = open_client(a), i, n;
	uint64_t sent = 0, got = 0;
	double t0 = now(), last = 0;

	iov.iov_base = buf;
	iov.iov_len = size;
	for (i = 0; i < BATCH; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < count) {
		n = (int)(count - sent < BATCH ? count - sent : BATCH);
		n = sendmmsg(fd, m, (unsigned)n, 0);
		if (n < 0 && (errno == EINTR || errno == ENOBUFS))
			continue;
		if (n < 0)
			die("sendmmsg");
		sent += (uint64_t)n;
	}
	buf[0] = (char)END_MARK;
	for (i = 0; i < (a->family == AF_UNIX ? 1 : 3); i++)
		send(fd, buf, 1, 0);
	if (read(report, &got, sizeof got) != sizeof got || read(report, &last, sizeof last) != sizeof last)
		die("report");
	close(fd);
	printf("{\"type\":\"messages\", \"size\":%zu, \"sent\":%llu, \"received\":%llu, "
	       "\"seconds\":%.6f, \"msg_per_s\":%.0f}\n",
	       size, (unsigned long long)sent, (unsigned long long)got, last - t0,
	       (double)got / (last - t0));
}

static void serve_one(const char *mode, int lfd, const struct addr *a, char *buf, size_t size,
		      int report)
{
	int fd = accept_one(lfd, a);

	if (!strcmp(mode, "stream"))
		serve_sink(fd, buf);
	else if (!strcmp(mode, "rr"))
		serve_echo(fd, a, buf);
	else
		serve_count(fd, a, buf, size, report);
}

int main(int argc, char **argv)
{
	uint64_t bytes = 1ull << 30, count = 100000;
	size_t size = 0;
	bool server_only = false, client_only = false;
	struct addr a;
	int opt, lfd, report[2];
	pid_t child;
	char *buf;

	if (argc < 3)
		usage();
	while ((opt = getopt(argc - 2, argv + 2, "b:n:s:SR")) != -1) {
		if (opt == 'b')
			bytes = parse_size(optarg);
		else if (opt == 'n')
			count = parse_size(optarg);
		else if (opt == 's')
			size = (size_t)parse_size(optarg);
		else if (opt == 'S')
			server_only = true;
		else if (opt == 'R')
			client_only = true;
		else
			usage();
	}
	if (parse_addr(&a, argv[2]) < 0) {
		fprintf(stderr, "sock_floor: bad address %s\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "stream") && !size)
		size = 256 * 1024;
	else if (!strcmp(argv[1], "rr") && !size)
		size = 1;
	else if (!strcmp(argv[1], "msgs") && !size)
		size = 64;
	if (size == 0 || size > MAX_SIZE || count == 0 || bytes == 0 || (server_only && client_only) ||
	    (!strcmp(argv[1], "msgs") && (server_only || client_only)))
		usage();
	use_recv = a.family != AF_UNIX && a.type == SOCK_STREAM;
	buf = calloc(1, (size_t)BATCH * size > MAX_SIZE ? (size_t)BATCH * size : MAX_SIZE);
	if (!buf || pipe(report) < 0)
		die("setup");
	signal(SIGPIPE, SIG_IGN);
	child = -1;
	if (!client_only) {
		lfd = open_server(&a);
		if (server_only) {
			/* the bare server alone, for a rawprobe client: one client, then exit */
			printf("ready\n");
			fflush(stdout);
			serve_one(argv[1], lfd, &a, buf, size, report[1]);
			if (a.path[0])
				unlink(a.path);
			return 0;
		}
		child = fork();
		if (child < 0)
			die("fork");
		if (child == 0) {
			serve_one(argv[1], lfd, &a, buf, size, report[1]);
			_exit(0);
		}
		close(lfd);
	}
	if (!strcmp(argv[1], "stream"))
		run_stream(&a, bytes, size, buf);
	else if (!strcmp(argv[1], "rr"))
		run_rr(&a, count, size, buf);
	else if (!strcmp(argv[1], "msgs"))
		run_msgs(&a, count, size, buf, report[0]);
	else
		usage();
	if (child > 0)
		waitpid(child, NULL, 0);
	if (a.path[0] && !client_only)
		unlink(a.path);
	return 0;
}
