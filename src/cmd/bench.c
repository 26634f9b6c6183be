/*
 * rawprobe bench: throughput, message rate and round-trip latency over any
 * socket address. Options, then for each measurement: start our own server
 * for the address (unless --remote), measure, stop the server and read its
 * counts, print. --matrix does the same over every address kind on loopback
 * and prints one table.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "histdraw.h"
#include "measure.h"
#include "peer.h"
#include "size.h"

#define SUB "bench"
#define DEFAULT_BYTES (1ull << 30)
#define DEFAULT_COUNT 1000000
#define DEFAULT_RR 10000
#define STREAM_WRITE (256 * 1024)
#define MESSAGE_SIZE 64
#define RR_SIZE 1
#define MAX_STREAM_WRITE (64u << 20)
#define MAX_MESSAGE 65507 /* the largest UDP payload; the server's buffer is 64 KiB */
#define MATRIX_BYTES (256ull << 20)
#define MATRIX_COUNT 200000
#define MATRIX_RR 2000
#define ERRLEN 512

struct bench_opts {
	struct rp_sockaddr addr;
	uint64_t bytes, count, rr;
	size_t msg_size; /* 0: the default of each test */
	unsigned parallel;
	bool bulk, want_rr; /* which measurements */
	bool remote, matrix, json, quiet;
	int timeout_ms;
};

/* One address's results, for the matrix table. */
struct bench_row {
	enum rp_sock_kind kind;
	bool has_tput, has_msgs, has_rr;
	double mib_per_s, msg_per_s, lost_pct, p50_us, p99_us;
};

static volatile sig_atomic_t stop_requested;
static int wake_pipe[2] = { -1, -1 };

static void on_stop(int sig)
{
	int saved = errno;
	char b = 1;

	(void)sig;
	stop_requested = 1;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &b, 1) < 0) {
		/* a full pipe: whoever waits on it is awake already */
	}
	errno = saved;
}

static void help(void)
{
	fputs("usage: rawprobe bench [options] ADDR\n"
	      "       rawprobe bench --matrix [options]\n"
	      "Measures a socket address: throughput for byte streams (tcp, unix), message rate\n"
	      "for udp, unix-dgram and unix-seqpacket, and request/response round trips. It\n"
	      "starts its own server for ADDR (a sink, or an echo for round trips) unless\n"
	      "--remote says one is running. Port 0 picks a free port. With no --bytes, --count\n"
	      "or --rr it runs the bulk test and 10000 round trips.\n\n"
	      "  -b, --bytes SIZE    throughput: bytes in all (default 1G; K M G T, powers of 1024)\n"
	      "  -c, --count N       message rate: messages in all (default 1000000)\n"
	      "  -s, --msg-size SIZE bytes per write (default 256K), per message (64), per round\n"
	      "                      trip (1)\n"
	      "  -P, --parallel N    connections at once for throughput and message rate (1)\n"
	      "      --rr N          N request/response round trips: percentiles and a histogram\n"
	      "      --remote        use the server already running at ADDR (rawprobe serve:\n"
	      "                      --sink for throughput, the default echo for the rest)\n"
	      "      --matrix        every address kind on loopback, one table (default 256M,\n"
	      "                      200000 messages, 2000 round trips each)\n"
	      "  -W, --timeout S     longest wait for the server (default 10)\n"
	      "      --json          JSON Lines: one object per measurement\n"
	      "  -q, --quiet         no histogram\n"
	      "  -h, --help          this text\n",
	      stdout);
}

static uint64_t parse_size(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (rp_size_parse(arg, &v) < 0)
		cmd_fail(SUB, "%s value '%s' is not a size: use a whole number with an optional K, M, G "
			 "or T suffix (powers of 1024: 4G is 4 GiB)", opt, arg);
	if (v < min || v > max)
		cmd_fail(SUB, "%s value is %s: out of range (%llu to %llu bytes)", opt, arg,
			 (unsigned long long)min, (unsigned long long)max);
	return v;
}

enum { OPT_RR = 256, OPT_REMOTE, OPT_MATRIX, OPT_JSON };

static void parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "bytes", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "msg-size", required_argument, NULL, 's' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "rr", required_argument, NULL, OPT_RR },
		{ "remote", no_argument, NULL, OPT_REMOTE },
		{ "matrix", no_argument, NULL, OPT_MATRIX },
		{ "timeout", required_argument, NULL, 'W' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool bytes_set = false, count_set = false;
	char err[ERRLEN];
	int ch;

	memset(o, 0, sizeof *o);
	o->parallel = 1;
	o->timeout_ms = 10000;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":b:c:s:P:W:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': o->bytes = parse_size("--bytes", optarg, 1, 1ull << 50); bytes_set = true; break;
		case 'c': o->count = cmd_parse_uint(SUB, "--count", optarg, 1, 1000000000000ull); count_set = true; break;
		case 's': o->msg_size = (size_t)parse_size("--msg-size", optarg, 1, MAX_STREAM_WRITE); break;
		case 'P': o->parallel = (unsigned)cmd_parse_uint(SUB, "--parallel", optarg, 1, RP_BENCH_MAX_PARALLEL); break;
		case OPT_RR: o->rr = cmd_parse_uint(SUB, "--rr", optarg, 1, 1000000000000ull); break;
		case OPT_REMOTE: o->remote = true; break;
		case OPT_MATRIX: o->matrix = true; break;
		case 'W': o->timeout_ms = (int)(cmd_parse_seconds(SUB, "--timeout", optarg, 0.01, 3600) / 1000000); break;
		case OPT_JSON: o->json = true; break;
		case 'q': o->quiet = true; break;
		case 'h': help(); exit(RP_EXIT_OK);
		default: cmd_bad_option(SUB, ch, argv);
		}
	}
	o->bulk = bytes_set || count_set || !o->rr;
	o->want_rr = o->rr || (!bytes_set && !count_set);
	if (!o->rr)
		o->rr = o->matrix ? MATRIX_RR : DEFAULT_RR;
	if (!bytes_set)
		o->bytes = o->matrix ? MATRIX_BYTES : DEFAULT_BYTES;
	if (!count_set)
		o->count = o->matrix ? MATRIX_COUNT : DEFAULT_COUNT;
	if (o->matrix) {
		if (optind < argc)
			cmd_fail(SUB, "--matrix picks its own loopback addresses: drop '%s'", argv[optind]);
		if (o->remote)
			cmd_fail(SUB, "--matrix starts its own servers: it cannot be used with --remote");
		return;
	}
	if (optind >= argc)
		cmd_fail(SUB, "an address is missing, as in 'rawprobe bench unix:@x' or 'rawprobe bench "
			 "tcp:127.0.0.1:0'; see 'rawprobe bench --help'");
	if (optind + 1 < argc)
		cmd_fail(SUB, "one address at a time ('%s' is one too many)", argv[optind + 1]);
	if (rp_sockaddr_parse(argv[optind], o->remote ? 0 : RP_ADDR_LISTEN, &o->addr, err, sizeof err) < 0)
		cmd_fail(SUB, "%s", err);
}

/* The size each test uses: the user's, or the test's default; messages must fit a datagram. */
static size_t size_for(const struct bench_opts *o, const struct rp_sockaddr *a, bool rr)
{
	bool messages = !rp_sockaddr_is_stream(a);
	size_t s = o->msg_size ? o->msg_size : rr ? RR_SIZE : messages ? MESSAGE_SIZE : STREAM_WRITE;

	if (messages && s > MAX_MESSAGE)
		cmd_fail(SUB, "--msg-size %zu is too large for a %s message (%d bytes at most)", s,
			 rp_sock_kind_name(a->kind), MAX_MESSAGE);
	return s;
}

/* ---- output ---- */

static bool stdout_utf8(void)
{
	const char *cs;

	if (!setlocale(LC_CTYPE, ""))
		return false;
	cs = nl_langinfo(CODESET);
	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* "256 KiB" when it is a whole number of KiB, else "1000 bytes". */
static const char *size_text(char *buf, size_t len, uint64_t n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(buf, len, "%llu byte%s", (unsigned long long)n, plural(n));
	return buf;
}

/* Microseconds with three or four significant digits: 9.86, 55.6, 1853. */
static const char *us_text(char *buf, size_t len, uint64_t ns)
{
	double us = (double)ns / 1e3;

	snprintf(buf, len, us < 10 ? "%.2f" : us < 1000 ? "%.1f" : "%.0f", us);
	return buf;
}

static void print_tput(const struct bench_opts *o, const char *addr, size_t size,
		       const struct rp_tput_result *r, const struct rp_server_totals *t)
{
	double mib = rp_tput_mib_per_s(r);
	char line[1024], sz[32];

	if (o->json) {
		rp_json_throughput(line, sizeof line, addr, r);
		fputs(line, stdout);
		return;
	}
	printf("throughput %s%s\n", addr, r->interrupted ? " (interrupted)" : "");
	printf("  %.2f GiB in %.3f s: %.1f MiB/s (%.2f GiB/s)\n", (double)r->bytes / (1 << 30),
	       r->seconds, mib, mib / 1024);
	printf("  %u connection%s, writes of %s\n", o->parallel, plural(o->parallel),
	       size_text(sz, sizeof sz, size));
	if (t)
		printf("  the sink read %llu bytes\n", (unsigned long long)t->bytes_in);
	if (r->bytes_back)
		printf("  %llu bytes came back\n", (unsigned long long)r->bytes_back);
}

static void print_msgs(const struct bench_opts *o, const char *addr, size_t size,
		       const struct rp_msgs_result *r)
{
	char line[1024], sz[32];

	if (o->json) {
		rp_json_messages(line, sizeof line, addr, size, r);
		fputs(line, stdout);
		return;
	}
	printf("messages %s%s\n", addr, r->interrupted ? " (interrupted)" : "");
	printf("  %llu of %s sent", (unsigned long long)r->sent, size_text(sz, sizeof sz, size));
	if (r->received_known) {
		uint64_t lost = r->received < r->sent ? r->sent - r->received : 0;

		printf(", %llu received (%.2f%% lost)", (unsigned long long)r->received,
		       r->sent ? 100.0 * (double)lost / (double)r->sent : 0.0);
	}
	printf("\n  %.0f msg/s over %.3f s, %u connection%s\n", rp_msgs_per_s(r), r->seconds,
	       o->parallel, plural(o->parallel));
	if (!r->received_known)
		printf("  nothing came back from the server: the rate counts messages sent\n");
}

static void print_histogram(const struct rp_hist *h)
{
	struct rp_hist_row rows[RP_HISTDRAW_ROWS];
	size_t n = rp_hist_rows(h, rows, RP_HISTDRAW_ROWS);
	uint64_t max = 0;
	bool utf8 = stdout_utf8();
	char line[256];

	for (size_t i = 0; i < n; i++)
		if (rows[i].count > max)
			max = rows[i].count;
	printf("  %-18s %9s %6s\n", "round trip", "count", "share");
	for (size_t i = 0; i < n; i++) {
		rp_histdraw_row(line, sizeof line, &rows[i], max, h->n, utf8);
		puts(line);
	}
}

static void print_rr(const struct bench_opts *o, const char *addr, size_t size,
		     const struct rp_rr_result *r)
{
	const struct rp_hist *h = &r->hist;
	char line[1024], sz[32], v[6][24];

	if (o->json) {
		rp_json_rr(line, sizeof line, addr, r);
		fputs(line, stdout);
		return;
	}
	printf("round trips %s%s\n", addr, r->interrupted ? " (interrupted)" : "");
	printf("  %llu of %s", (unsigned long long)r->n, size_text(sz, sizeof sz, size));
	if (r->lost)
		printf(", %llu lost (no answer within 1 s)", (unsigned long long)r->lost);
	printf("\n");
	if (!h->n)
		return;
	printf("  min %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s us\n",
	       us_text(v[0], sizeof v[0], h->min_ns), us_text(v[1], sizeof v[1], rp_hist_percentile(h, 50)),
	       us_text(v[2], sizeof v[2], rp_hist_percentile(h, 90)),
	       us_text(v[3], sizeof v[3], rp_hist_percentile(h, 99)),
	       us_text(v[4], sizeof v[4], rp_hist_percentile(h, 99.9)),
	       us_text(v[5], sizeof v[5], h->max_ns));
	if (!o->quiet)
		print_histogram(h);
}

/* ---- one measurement against our server or the remote one ---- */

struct run {
	const struct bench_opts *o;
	const struct rp_bench_ctl *ctl;
	struct rp_peer peer;
	const struct rp_sockaddr *target; /* where the clients connect */
	char err[ERRLEN];
};

static int server_up(struct run *run, const struct rp_sockaddr *a, enum rp_serve_mode mode)
{
	run->target = a;
	if (run->o->remote)
		return 0;
	if (rp_peer_start(&run->peer, a, mode, run->o->timeout_ms, run->err, sizeof run->err) < 0)
		return -1;
	run->target = &run->peer.addr;
	return 0;
}

/* Stops our server (if any) and reads its counts; T is NULL with --remote. */
static int server_down(struct run *run, struct rp_server_totals **t, struct rp_server_totals *store,
		       int measured)
{
	char err[ERRLEN];

	*t = NULL;
	if (run->o->remote)
		return measured;
	if (measured < 0) {
		rp_peer_kill(&run->peer);
		return -1;
	}
	if (rp_peer_finish(&run->peer, store, run->o->timeout_ms, err, sizeof err) < 0) {
		snprintf(run->err, sizeof run->err, "%s", err);
		return -1;
	}
	*t = store;
	return 0;
}

static int bench_throughput(struct run *run, const struct rp_sockaddr *a, struct bench_row *row)
{
	struct rp_tput_opts to = { .bytes = run->o->bytes, .parallel = run->o->parallel };
	struct rp_server_totals store, *t;
	struct rp_tput_result r;
	int rc;

	to.msg_size = size_for(run->o, a, false);
	if (server_up(run, a, RP_SERVE_SINK) < 0)
		return -1;
	rc = rp_measure_throughput(run->target, &to, run->ctl, &r, run->err, sizeof run->err);
	if (server_down(run, &t, &store, rc) < 0)
		return -1;
	if (t && t->bytes_in != r.bytes && !r.interrupted) {
		snprintf(run->err, sizeof run->err, "the sink read %llu bytes of the %llu sent",
			 (unsigned long long)t->bytes_in, (unsigned long long)r.bytes);
		return -1;
	}
	if (row) {
		row->has_tput = true;
		row->mib_per_s = rp_tput_mib_per_s(&r);
	} else {
		print_tput(run->o, run->target->text, to.msg_size, &r, t);
	}
	return 0;
}

static int bench_messages(struct run *run, const struct rp_sockaddr *a, struct bench_row *row)
{
	struct rp_msgs_opts mo = { .count = run->o->count, .parallel = run->o->parallel };
	struct rp_server_totals store, *t;
	struct rp_msgs_result r;
	int rc;

	mo.msg_size = size_for(run->o, a, false);
	if (server_up(run, a, RP_SERVE_SINK) < 0)
		return -1;
	rc = rp_measure_messages(run->target, &mo, run->ctl, &r, run->err, sizeof run->err);
	if (server_down(run, &t, &store, rc) < 0)
		return -1;
	if (t) {
		/* Our sink's count is the one that matters, and its last arrival ends the clock. */
		r.received = t->msgs_in;
		r.received_known = true;
		if (t->last_in_ns > r.start_ns)
			r.seconds = (double)(t->last_in_ns - r.start_ns) / 1e9;
	}
	if (row) {
		row->has_msgs = true;
		row->msg_per_s = rp_msgs_per_s(&r);
		row->lost_pct = r.sent && r.received < r.sent ? 100.0 * (double)(r.sent - r.received) / (double)r.sent : 0;
	} else {
		print_msgs(run->o, run->target->text, mo.msg_size, &r);
	}
	return 0;
}

static int bench_rr(struct run *run, const struct rp_sockaddr *a, struct bench_row *row)
{
	struct rp_rr_opts ro = { .count = run->o->rr };
	struct rp_server_totals store, *t;
	struct rp_rr_result *r = malloc(sizeof *r);
	int rc;

	if (!r) {
		snprintf(run->err, sizeof run->err, "out of memory for the histogram");
		return -1;
	}
	ro.msg_size = size_for(run->o, a, true);
	rc = server_up(run, a, RP_SERVE_ECHO);
	if (rc == 0) {
		rc = rp_measure_rr(run->target, &ro, run->ctl, r, run->err, sizeof run->err);
		rc = server_down(run, &t, &store, rc);
	}
	if (rc == 0 && row) {
		row->has_rr = r->hist.n > 0;
		row->p50_us = (double)rp_hist_percentile(&r->hist, 50) / 1e3;
		row->p99_us = (double)rp_hist_percentile(&r->hist, 99) / 1e3;
	} else if (rc == 0) {
		print_rr(run->o, run->target->text, ro.msg_size, r);
	}
	free(r);
	return rc;
}

/* Everything asked for, on one address; ROW collects results instead of printing them. */
static void bench_addr(const struct bench_opts *o, const struct rp_bench_ctl *ctl,
		       const struct rp_sockaddr *a, struct bench_row *row)
{
	struct run run = { .o = o, .ctl = ctl, .peer = { .pid = -1, .fd = -1 } };

	if (o->bulk && !stop_requested) {
		int rc = rp_sockaddr_is_stream(a) ? bench_throughput(&run, a, row)
						  : bench_messages(&run, a, row);
		if (rc < 0)
			cmd_fail(SUB, "%s", run.err);
		fflush(stdout);
	}
	if (o->want_rr && !stop_requested) {
		if (bench_rr(&run, a, row) < 0)
			cmd_fail(SUB, "%s", run.err);
		fflush(stdout);
	}
}

/* ---- --matrix ---- */

static void matrix_header(const struct bench_opts *o)
{
	size_t msg = o->msg_size ? o->msg_size : MESSAGE_SIZE, rr = o->msg_size ? o->msg_size : RR_SIZE;
	char sz[32];

	if (o->json)
		return;
	printf("rawprobe bench --matrix: every address kind on loopback\n");
	if (o->bulk)
		printf("  %s per stream, %llu messages of %zu byte%s\n", size_text(sz, sizeof sz, o->bytes),
		       (unsigned long long)o->count, msg, plural(msg));
	if (o->want_rr)
		printf("  %llu round trips of %zu byte%s\n", (unsigned long long)o->rr, rr, plural(rr));
	printf("%-16s %12s %12s %7s %10s %10s\n", "kind", "throughput", "messages/s", "lost",
	       "rr p50", "rr p99");
}

static void matrix_row(const struct bench_row *r)
{
	char tput[32] = "-", msgs[32] = "-", lost[16] = "-", p50[32] = "-", p99[32] = "-";

	if (r->has_tput)
		snprintf(tput, sizeof tput, "%.2f GiB/s", r->mib_per_s / 1024);
	if (r->has_msgs) {
		snprintf(msgs, sizeof msgs, "%.0f", r->msg_per_s);
		snprintf(lost, sizeof lost, "%.1f%%", r->lost_pct);
	}
	if (r->has_rr) {
		snprintf(p50, sizeof p50, "%.1f us", r->p50_us);
		snprintf(p99, sizeof p99, "%.1f us", r->p99_us);
	}
	printf("%-16s %12s %12s %7s %10s %10s\n", rp_sock_kind_name(r->kind), tput, msgs, lost, p50, p99);
	fflush(stdout);
}

/* The winners of each column: the answer to "which IPC is fastest here". */
static void matrix_verdict(const struct bench_row *rows, size_t n)
{
	const struct bench_row *tput = NULL, *msgs = NULL, *rr = NULL;

	for (size_t i = 0; i < n; i++) {
		if (rows[i].has_tput && (!tput || rows[i].mib_per_s > tput->mib_per_s))
			tput = &rows[i];
		if (rows[i].has_msgs && (!msgs || rows[i].msg_per_s > msgs->msg_per_s))
			msgs = &rows[i];
		if (rows[i].has_rr && (!rr || rows[i].p50_us < rr->p50_us))
			rr = &rows[i];
	}
	if (tput)
		printf("fastest bytes:    %s (%.2f GiB/s)\n", rp_sock_kind_name(tput->kind), tput->mib_per_s / 1024);
	if (msgs)
		printf("fastest messages: %s (%.0f msg/s)\n", rp_sock_kind_name(msgs->kind), msgs->msg_per_s);
	if (rr)
		printf("lowest latency:   %s (p50 %.1f us)\n", rp_sock_kind_name(rr->kind), rr->p50_us);
}

static int run_matrix(const struct bench_opts *o, const struct rp_bench_ctl *ctl)
{
	static const char *const kinds[] = { "tcp:127.0.0.1:0", "udp:127.0.0.1:0", "unix:@",
					     "unix-dgram:@", "unix-seqpacket:@" };
	struct bench_row rows[sizeof kinds / sizeof kinds[0]];
	char base[64], spec[128], err[ERRLEN];
	size_t n = 0;

	snprintf(base, sizeof base, "rawprobe-bench-%ld", (long)getpid());
	matrix_header(o);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !stop_requested; i++) {
		struct rp_sockaddr a;
		struct bench_row *row = &rows[n];

		/* abstract names for the unix kinds: nothing on disk to clean up */
		if (strchr(kinds[i], '@'))
			snprintf(spec, sizeof spec, "%s%s-%zu", kinds[i], base, i);
		else
			snprintf(spec, sizeof spec, "%s", kinds[i]);
		if (rp_sockaddr_parse(spec, RP_ADDR_LISTEN, &a, err, sizeof err) < 0)
			cmd_fail(SUB, "%s", err);
		memset(row, 0, sizeof *row);
		row->kind = a.kind;
		bench_addr(o, ctl, &a, o->json ? NULL : row);
		if (!o->json && (row->has_tput || row->has_msgs || row->has_rr)) {
			matrix_row(row);
			n++;
		}
	}
	if (!o->json) {
		if (stop_requested)
			printf("(interrupted)\n");
		matrix_verdict(rows, n);
	}
	return RP_EXIT_OK;
}

static void catch_stops(void)
{
	struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART: blocked calls return */

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		cmd_fail(SUB, "pipe: %s", strerror(errno));
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_bench(int argc, char **argv)
{
	struct bench_opts o;
	struct rp_bench_ctl ctl;

	parse_args(argc, argv, &o);
	catch_stops();
	ctl = (struct rp_bench_ctl){ .stop = &stop_requested, .wake_fd = wake_pipe[0],
				     .timeout_ms = o.timeout_ms, .remote = o.remote };
	if (o.matrix)
		return run_matrix(&o, &ctl);
	bench_addr(&o, &ctl, &o.addr, NULL);
	return RP_EXIT_OK;
}
