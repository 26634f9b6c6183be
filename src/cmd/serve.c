/*
 * rawprobe serve: a stream, datagram or seqpacket server on any socket
 * address (echo, discard, sink, source, chat, reply). Options, then the
 * server engine of src/sock; this file only prints what the engine
 * reports. Everything goes to standard error: the readiness line, the
 * connection log (-v), and the totals when SIGINT or SIGTERM stops it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "rawprobe/privs.h"
#include "rawprobe/server.h"
#include "rawprobe/sockaddr.h"

#define SUB "serve"
#define QUIET_REPORTS 10 /* truncations and drops logged without -v before going quiet */

struct serve_opts {
	struct rp_sockaddr addr;
	struct rp_server_opts srv;
	int verbose;
	bool quiet;
	const char *mode_name;
};

struct log_state {
	int verbose;
	unsigned reports;
	enum rp_serve_mode mode;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void help(void)
{
	fputs("usage: rawprobe serve [options] ADDR\n"
	      "Serves ADDR: tcp:HOST:PORT, udp:HOST:PORT (HOST empty: every address, IPv6 and IPv4),\n"
	      "unix:PATH, unix-dgram:PATH, unix-seqpacket:PATH; PATH may be @NAME (abstract).\n\n"
	      "What it does with what comes in (one of):\n"
	      "      --echo          send it back (the default; datagrams to their sender)\n"
	      "      --discard       read and drop\n"
	      "      --sink          read and drop, count, print rates at the end\n"
	      "      --source        send chargen data until the client closes\n"
	      "      --chat          each line (message) from one client goes to all others\n"
	      "      --reply TEXT    answer each line (message) with TEXT\n\n"
	      "  -v, --verbose       log each connection (unix: peer pid/uid/gid) and its totals\n"
	      "  -q, --quiet         no readiness line\n"
	      "      --max-clients N refuse clients beyond N at once (closed at once)\n"
	      "      --idle-timeout S  close clients silent for S seconds\n"
	      "      --backlog N     listen backlog (default 4096)\n"
	      "      --mode OCTAL    permissions of the unix socket file, as 0660\n"
	      "  -s, --size BYTES    largest datagram or seqpacket message (default 65536);\n"
	      "                      larger ones are reported and dropped\n"
	      "      --queue BYTES   pending output per client before it is no longer read\n"
	      "                      (default 262144)\n"
	      "  -h, --help          this text\n\n"
	      "Ready when it prints 'listening on ADDR' on standard error. SIGINT or SIGTERM\n"
	      "stops it and prints the totals. Exit status: 0 stopped, 2 error.\n",
	      stdout);
}

static void set_mode(struct serve_opts *o, enum rp_serve_mode m, const char *name)
{
	if (o->mode_name && strcmp(o->mode_name, name) != 0)
		cmd_fail(SUB, "--%s and --%s both given: choose one mode", o->mode_name, name);
	o->srv.mode = m;
	o->mode_name = name;
}

static mode_t parse_file_mode(const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 8);
	if (*arg < '0' || *arg > '7' || *end || errno || v > 0777)
		cmd_fail(SUB, "--mode value '%s' is not an octal permission from 0 to 0777, as 0660", arg);
	return (mode_t)v;
}

static void parse_options(int argc, char **argv, struct serve_opts *o)
{
	enum { O_ECHO = 256, O_DISCARD, O_SINK, O_SOURCE, O_CHAT, O_REPLY, O_MAX, O_IDLE,
	       O_BACKLOG, O_MODE, O_QUEUE };
	static const struct option longopts[] = {
		{ "echo", no_argument, NULL, O_ECHO },
		{ "discard", no_argument, NULL, O_DISCARD },
		{ "sink", no_argument, NULL, O_SINK },
		{ "source", no_argument, NULL, O_SOURCE },
		{ "chat", no_argument, NULL, O_CHAT },
		{ "reply", required_argument, NULL, O_REPLY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-clients", required_argument, NULL, O_MAX },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "backlog", required_argument, NULL, O_BACKLOG },
		{ "mode", required_argument, NULL, O_MODE },
		{ "size", required_argument, NULL, 's' },
		{ "queue", required_argument, NULL, O_QUEUE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int ch;

	memset(o, 0, sizeof *o);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":vqs:h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_ECHO: set_mode(o, RP_SERVE_ECHO, "echo"); break;
		case O_DISCARD: set_mode(o, RP_SERVE_DISCARD, "discard"); break;
		case O_SINK: set_mode(o, RP_SERVE_SINK, "sink"); break;
		case O_SOURCE: set_mode(o, RP_SERVE_SOURCE, "source"); break;
		case O_CHAT: set_mode(o, RP_SERVE_CHAT, "chat"); break;
		case O_REPLY:
			set_mode(o, RP_SERVE_REPLY, "reply");
			if (!*optarg)
				cmd_fail(SUB, "--reply needs a non-empty TEXT");
			o->srv.reply = optarg;
			o->srv.reply_len = strlen(optarg);
			break;
		case 'v': o->verbose++; break;
		case 'q': o->quiet = true; break;
		case O_MAX: o->srv.max_clients = (unsigned)cmd_parse_uint(SUB, "--max-clients", optarg, 1, 1000000); break;
		case O_IDLE: o->srv.idle_timeout_ns = cmd_parse_seconds(SUB, "--idle-timeout", optarg, 0.001, 31536000); break;
		case O_BACKLOG: o->srv.backlog = (int)cmd_parse_uint(SUB, "--backlog", optarg, 1, 65535); break;
		case O_MODE: o->srv.file_mode = parse_file_mode(optarg); o->srv.set_mode = true; break;
		case 's': o->srv.msg_max = cmd_parse_uint(SUB, "--size", optarg, 1, 16 << 20); break;
		case O_QUEUE: o->srv.queue_max = cmd_parse_uint(SUB, "--queue", optarg, 4096, 1 << 30); break;
		case 'h': help(); exit(RP_EXIT_OK);
		default: cmd_bad_option(SUB, ch, argv);
		}
	}
	if (optind != argc - 1)
		cmd_fail(SUB, optind == argc ? "no address given: rawprobe serve [options] ADDR, as unix:/tmp/s or tcp::7000"
				      : "one address only: rawprobe serve [options] ADDR");
	if (rp_sockaddr_parse(argv[optind], RP_ADDR_LISTEN, &o->addr, err, sizeof err) < 0)
		cmd_fail(SUB, "%s", err);
	if (o->srv.set_mode && !rp_sockaddr_is_file(&o->addr))
		cmd_fail(SUB, "--mode sets a unix socket file's permissions; %s has no file", o->addr.text);
	if (o->srv.mode == RP_SERVE_REPLY && o->addr.kind == RP_SOCK_UDP && o->srv.reply_len > 65507)
		cmd_fail(SUB, "--reply TEXT is longer than a UDP datagram can be (65507 bytes)");
	if (!o->mode_name)
		o->mode_name = "echo";
}

static double seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

static void print_rate(const char *who, uint64_t bytes, uint64_t msgs, int64_t ns)
{
	double s = seconds(ns > 0 ? ns : 1);

	fprintf(stderr, "rawprobe: serve: %s: %llu bytes, %llu messages in %.3f s: %.1f MiB/s, %.0f messages/s\n",
		who, (unsigned long long)bytes, (unsigned long long)msgs, s,
		(double)bytes / s / (1024 * 1024), (double)msgs / s);
}

static void log_event(void *arg, const struct rp_server_event *ev)
{
	struct log_state *ls = arg;
	const struct rp_client_stats *st = ev->stats;

	switch (ev->type) {
	case RP_EV_ACCEPT:
		if (ls->verbose && ev->id)
			fprintf(stderr, "rawprobe: serve: #%llu connected: %s\n", (unsigned long long)ev->id, ev->peer);
		else if (ls->verbose)
			fprintf(stderr, "rawprobe: serve: %s: %s\n", ev->detail, ev->peer);
		break;
	case RP_EV_CLOSE:
		if (!ls->verbose)
			break;
		fprintf(stderr, "rawprobe: serve: #%llu closed (%s): in %llu bytes/%llu msgs, out %llu bytes/%llu msgs, %.3f s\n",
			(unsigned long long)ev->id, ev->detail, (unsigned long long)st->bytes_in,
			(unsigned long long)st->msgs_in, (unsigned long long)st->bytes_out,
			(unsigned long long)st->msgs_out, seconds(st->end_ns - st->start_ns));
		if (ls->mode == RP_SERVE_SINK) {
			char who[32];

			snprintf(who, sizeof who, "#%llu sink", (unsigned long long)ev->id);
			print_rate(who, st->bytes_in, st->msgs_in, st->end_ns - st->start_ns);
		}
		break;
	case RP_EV_REFUSED:
	case RP_EV_IDLE:
		if (ls->verbose)
			fprintf(stderr, "rawprobe: serve: %s: %s\n", ev->peer, ev->detail);
		break;
	case RP_EV_TRUNCATED:
	case RP_EV_DROPPED:
		if (ls->verbose || ls->reports < QUIET_REPORTS)
			fprintf(stderr, "rawprobe: serve: %s: %s\n", ev->peer, ev->detail);
		if (!ls->verbose && ++ls->reports == QUIET_REPORTS)
			fputs("rawprobe: serve: further truncations and drops are only counted (-v logs them)\n", stderr);
		break;
	case RP_EV_ERROR:
		fprintf(stderr, "rawprobe: serve: %s\n", ev->detail);
		break;
	}
}

static void print_totals(const struct serve_opts *o, const struct rp_server_totals *t, int64_t now)
{
	if (rp_sockaddr_is_connected(&o->addr))
		fprintf(stderr, "rawprobe: serve: %llu connections (%u at most at once, %llu refused, %llu idle-closed)\n",
			(unsigned long long)t->connections, t->clients_peak,
			(unsigned long long)t->refused, (unsigned long long)t->idle_closed);
	fprintf(stderr, "rawprobe: serve: in %llu bytes/%llu messages, out %llu bytes/%llu messages, "
		"%llu truncated, %llu dropped\n",
		(unsigned long long)t->bytes_in, (unsigned long long)t->msgs_in,
		(unsigned long long)t->bytes_out, (unsigned long long)t->msgs_out,
		(unsigned long long)t->truncated, (unsigned long long)t->dropped);
	if (o->srv.mode == RP_SERVE_SINK)
		print_rate("sink", t->bytes_in, t->msgs_in,
			   t->last_in_ns > t->first_in_ns ? t->last_in_ns - t->first_in_ns : now - t->start_ns);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* SIGINT/SIGTERM only set a flag; they stay blocked except inside the wait. */
static void catch_signals(sigset_t *waitmask)
{
	static const int sigs[] = { SIGINT, SIGTERM };

	signal(SIGPIPE, SIG_IGN);
	cmd_catch_signals(on_stop, sigs, 2, waitmask);
}

/*
 * Root's ports below 1024: CAP_NET_BIND_SERVICE, kept permitted by main.c,
 * is effective only around opening the listener, and every capability is
 * gone before the first client is read.
 */
static void open_listener(struct rp_server **srv, struct serve_opts *o, char *err, size_t errlen)
{
	int rc;

	rp_privs_raise_bind_service(); /* not permitted: bind(2) says so, and the error explains */
	rc = rp_server_open(srv, &o->addr, &o->srv, err, errlen);
	rp_privs_lower();
	if (rc < 0)
		cmd_fail(SUB, "%s", err);
	if (rp_privs_drop_all(err, errlen) != 0)
		cmd_fail(SUB, "cannot give up privileges (%s); refusing to run with them", err);
}

int cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	struct log_state ls = { 0 };
	struct rp_server *srv;
	struct rp_server_totals t;
	sigset_t waitmask;
	char err[256];
	int rc;

	parse_options(argc, argv, &o);
	ls.verbose = o.verbose;
	ls.mode = o.srv.mode;
	o.srv.log = log_event;
	o.srv.log_arg = &ls;
	catch_signals(&waitmask);
	open_listener(&srv, &o, err, sizeof err);
	if (!o.quiet)
		fprintf(stderr, "rawprobe: serve: listening on %s (%s)\n", rp_server_address(srv), o.mode_name);
	rc = rp_server_run(srv, &stop_requested, &waitmask, err, sizeof err);
	rp_server_totals(srv, &t);
	rp_server_close(srv);
	print_totals(&o, &t, now_ns());
	if (rc < 0)
		cmd_fail(SUB, "%s", err);
	return RP_EXIT_OK;
}
