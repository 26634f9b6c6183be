/*
 * rawprobe connect: a netcat-like client on any socket address. Standard
 * input goes to the socket and the socket to standard output, both at
 * once (one poll). At the end of input a connection is half-closed
 * (shutdown SHUT_WR) and read until the peer closes it; a datagram socket
 * is read until it has been quiet for the idle time.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "rawprobe/sock.h"
#include "rawprobe/sockaddr.h"

#define SUB "connect"
#define IO_BUF (256 * 1024)
#define UDP_MAX 65507
#define UNIX_MSG_MAX 65536
#define DGRAM_LINGER_MS 1000 /* after the end of input, without --timeout */

struct connect_opts {
	struct rp_sockaddr addr;
	int timeout_ms; /* connect and idle; 0: none */
	bool lines;
	const char *bind_path;
	bool verbose;
};

struct conn {
	const struct connect_opts *o;
	int fd;
	bool msgs;      /* datagrams or seqpacket: boundaries matter */
	bool dgram;
	char *in;       /* from standard input, not yet sent */
	size_t in_off, in_len, unit_max;
	bool stdin_eof, shut;
	char *rx;
	int64_t last_io;
	struct rp_sock_file bound;
};

static void help(void)
{
	fputs("usage: rawprobe connect [options] ADDR\n"
	      "Connects to ADDR (tcp:HOST:PORT, udp:HOST:PORT, unix:PATH, unix-dgram:PATH,\n"
	      "unix-seqpacket:PATH, PATH may be @NAME) and copies standard input to it and\n"
	      "what comes back to standard output. At the end of input the connection is\n"
	      "half-closed and read until the peer closes it.\n\n"
	      "  -t, --timeout S     give up connecting after S seconds; end after S seconds\n"
	      "                      with nothing moving (datagrams: wait S seconds for the\n"
	      "                      last answers after the end of input; default 1)\n"
	      "      --lines         datagram and seqpacket: one message per line (the\n"
	      "                      default is one message per read of standard input)\n"
	      "      --bind PATH     unix-dgram: bind this path (or @NAME) for the answers\n"
	      "                      (default: an automatic abstract name)\n"
	      "  -v, --verbose       say when connected and when the peer closed\n"
	      "  -h, --help          this text\n\n"
	      "Exit status: 0 done, 1 refused or nobody there (or reset), 2 usage or other error.\n",
	      stdout);
}

static void parse_options(int argc, char **argv, struct connect_opts *o)
{
	enum { O_LINES = 256, O_BIND };
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "lines", no_argument, NULL, O_LINES },
		{ "bind", required_argument, NULL, O_BIND },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int ch;

	memset(o, 0, sizeof *o);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":t:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			o->timeout_ms = (int)(cmd_parse_seconds(SUB, "--timeout", optarg, 0.001, 86400) / 1000000);
			if (o->timeout_ms == 0)
				o->timeout_ms = 1;
			break;
		case O_LINES: o->lines = true; break;
		case O_BIND: o->bind_path = optarg; break;
		case 'v': o->verbose = true; break;
		case 'h': help(); exit(RP_EXIT_OK);
		default: cmd_bad_option(SUB, ch, argv);
		}
	}
	if (optind != argc - 1)
		cmd_fail(SUB, optind == argc ? "no address given: rawprobe connect [options] ADDR, as unix:/tmp/s"
				      : "one address only: rawprobe connect [options] ADDR");
	if (rp_sockaddr_parse(argv[optind], 0, &o->addr, err, sizeof err) < 0)
		cmd_fail(SUB, "%s", err);
	if (o->bind_path && o->addr.kind != RP_SOCK_UNIX_DGRAM)
		cmd_fail(SUB, "--bind is for unix-dgram addresses; %s needs none", o->addr.text);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static _Noreturn void finish(struct conn *c, int status)
{
	rp_sock_file_remove(&c->bound);
	exit(status);
}

/* The peer went away or never was: one line, exit 1. */
static _Noreturn void gone(struct conn *c, const char *what)
{
	fflush(stdout);
	fprintf(stderr, "rawprobe: connect: %s %s: %s\n", what, c->o->addr.text, strerror(errno));
	finish(c, RP_EXIT_FINDING);
}

static void write_stdout(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EAGAIN) {
			poll(&(struct pollfd){ .fd = STDOUT_FILENO, .events = POLLOUT }, 1, -1);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			finish(c, RP_EXIT_OK); /* the reader had enough, as `| head` does */
		if (w < 0) {
			rp_sock_file_remove(&c->bound);
			cmd_fail(SUB, "cannot write standard output: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/* The next unit to send from the input buffer: its length (0: wait for more input). */
static size_t next_unit(const struct conn *c)
{
	size_t avail = c->in_len - c->in_off;
	const char *nl;

	if (!c->msgs)
		return avail;
	if (!c->o->lines)
		return avail < c->unit_max ? avail : c->unit_max;
	nl = memchr(c->in + c->in_off, '\n', avail);
	if (nl)
		return (size_t)(nl - (c->in + c->in_off)) + 1;
	if (c->stdin_eof || avail >= c->unit_max)
		return avail < c->unit_max ? avail : c->unit_max;
	return 0; /* a line not yet complete */
}

/* Sends what it can; false when the socket is full. */
static bool send_pending(struct conn *c)
{
	size_t n;

	while ((n = next_unit(c)) > 0) {
		ssize_t w = send(c->fd, c->in + c->in_off, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		if (w < 0)
			gone(c, "cannot send to");
		c->in_off += (size_t)w;
		c->last_io = now_ms();
	}
	/* Keep a partial line at the front; room for more input behind it. */
	memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
	c->in_len -= c->in_off;
	c->in_off = 0;
	return true;
}

static void read_stdin(struct conn *c)
{
	size_t room = IO_BUF - c->in_len;
	ssize_t n;

	if (c->msgs && !c->o->lines && room > c->unit_max)
		room = c->unit_max; /* one read, one message */
	n = read(STDIN_FILENO, c->in + c->in_len, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		rp_sock_file_remove(&c->bound);
		cmd_fail(SUB, "cannot read standard input: %s", strerror(errno));
	}
	if (n == 0)
		c->stdin_eof = true;
	c->in_len += (size_t)n;
}

/* Reads what the socket has; false when the peer closed the connection. */
static bool read_socket(struct conn *c)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->fd, c->rx, IO_BUF, MSG_DONTWAIT | (c->msgs ? MSG_TRUNC : 0));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n < 0)
			gone(c, errno == ECONNREFUSED ? "nobody answers at" : "connection lost with");
		if (n == 0 && !c->dgram)
			return false;
		c->last_io = now_ms();
		if ((size_t)n > IO_BUF) {
			fprintf(stderr, "rawprobe: connect: a message of %zd bytes was cut to %d\n", n, IO_BUF);
			n = IO_BUF;
		}
		write_stdout(c, c->rx, (size_t)n);
	}
	return true;
}

static void open_conn(struct conn *c, const struct connect_opts *o)
{
	char err[256];

	memset(c, 0, sizeof *c);
	c->o = o;
	c->dgram = rp_sockaddr_is_dgram(&o->addr);
	c->msgs = !rp_sockaddr_is_stream(&o->addr);
	c->unit_max = o->addr.kind == RP_SOCK_UDP ? UDP_MAX : c->msgs ? UNIX_MSG_MAX : IO_BUF;
	c->in = malloc(IO_BUF);
	c->rx = malloc(IO_BUF);
	if (!c->in || !c->rx)
		cmd_fail(SUB, "out of memory");
	c->fd = rp_sock_connect(&o->addr, o->timeout_ms, o->bind_path, &c->bound, err, sizeof err);
	if (c->fd < 0) {
		if (rp_sock_errno_refused(errno)) {
			fprintf(stderr, "rawprobe: connect: %s\n", err);
			exit(RP_EXIT_FINDING);
		}
		cmd_fail(SUB, "%s", err);
	}
	if (o->verbose)
		fprintf(stderr, "rawprobe: connect: connected to %s\n", o->addr.text);
	c->last_io = now_ms();
}

/* How long poll may wait: until the idle time runs out, or forever. */
static int wait_ms(const struct conn *c)
{
	int idle = c->o->timeout_ms;

	if (!idle && c->dgram && c->stdin_eof && c->in_len == 0)
		idle = DGRAM_LINGER_MS;
	if (!idle)
		return -1;
	int64_t left = c->last_io + idle - now_ms();

	return left > 0 ? (int)left : 0;
}

static void end_of_input(struct conn *c)
{
	if (c->shut || !c->stdin_eof || c->in_len)
		return;
	c->shut = true;
	/* A datagram socket has nothing to shut: it waits for the last answers. */
	if (!c->dgram && shutdown(c->fd, SHUT_WR) < 0 && errno != ENOTCONN)
		gone(c, "cannot half-close the connection to");
}

static void run(struct conn *c)
{
	for (;;) {
		bool pending = c->in_len > 0 && next_unit(c) > 0;
		struct pollfd p[2] = {
			{ .fd = (c->stdin_eof || pending || c->in_len == IO_BUF) ? -1 : STDIN_FILENO,
			  .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN | (pending ? POLLOUT : 0) },
		};
		int n = poll(p, 2, wait_ms(c));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			cmd_fail(SUB, "poll: %s", strerror(errno));
		if (n == 0) {
			if (c->o->verbose)
				fprintf(stderr, "rawprobe: connect: nothing moved for the idle time; closing\n");
			return;
		}
		if (p[0].revents)
			read_stdin(c);
		if (c->in_len)
			send_pending(c);
		end_of_input(c);
		if (p[1].revents && !read_socket(c)) {
			if (c->o->verbose)
				fprintf(stderr, "rawprobe: connect: %s closed the connection\n", c->o->addr.text);
			return;
		}
	}
}

int cmd_connect(int argc, char **argv)
{
	struct connect_opts o;
	struct conn c;

	parse_options(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	open_conn(&c, &o);
	run(&c);
	close(c.fd);
	free(c.in);
	free(c.rx);
	finish(&c, RP_EXIT_OK);
}
