/*
 * rawprobe ping: options, the socket (opened first, with CAP_NET_RAW raised
 * only around it), every privilege dropped, then the targets; one target
 * runs as iputils ping does (ping_one.c), several as fping does (ping_sweep.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "ping.h"
#include "rawprobe/decode.h"
#include "rawprobe/privs.h"

#define DLT_RAW_IPV4 228 /* LINKTYPE_IPV4: what the engine hands over */

atomic_int ping_stop, ping_status;

static const char usage_text[] =
	"usage: rawprobe ping [options] TARGET...\n"
	"One TARGET: iputils ping's output. Several, or a CIDR block: an fping-like sweep.\n"
	"  -c, --count N          stop after N probes (sweep: probes per target, default 1)\n"
	"  -i, --interval SECS    between probes (default 1; under 0.002 root only)\n"
	"  -s, --size BYTES       echo data bytes (default 56)\n"
	"  -t, --ttl N            IP time to live (default 64)\n"
	"  -Q, --tos N            IP type of service byte\n"
	"  -M, --pmtudisc do|dont|want  set DF (do), clear it (dont), default want\n"
	"  -W, --timeout SECS     time to wait for a reply (sweep: per probe, default 1)\n"
	"  -w, --deadline SECS    stop after SECS whatever else\n"
	"  -f, --flood            send as fast as replies come back (root only)\n"
	"  -l, --preload N        send N probes at once at the start\n"
	"  -q, --quiet            only the first line and the summary\n"
	"  -n, --numeric          no name lookups\n"
	"  -I, --interface IF|ADDR  send through interface IF, or from address ADDR\n"
	"  -p, --pattern HEX      fill the data with up to 16 bytes of pattern\n"
	"  -D, --timestamp        print the receive time before each line\n"
	"  -O, --outstanding      report probes still unanswered when the next one goes\n"
	"      --json             JSON Lines events (reply, timeout, error, summary)\n"
	"      --pcap FILE        save every probe and reply (raw IPv4, nanosecond times)\n"
	"      --rate PPS         probes per second (sweep default 10000)\n"
	"  -a, --alive            sweep: print only the targets that answered\n"
	"  -u, --unreachable      sweep: print only the targets that did not\n"
	"      --retries N        sweep: re-send an unanswered probe N times (default 1)\n"
	"Without CAP_NET_RAW it uses ICMP datagram sockets when net.ipv4.ping_group_range allows.\n";

enum { OPT_JSON = 256, OPT_PCAP, OPT_RATE, OPT_RETRIES, OPT_HELP };

static const struct option longopts[] = {
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "size", required_argument, NULL, 's' },
	{ "ttl", required_argument, NULL, 't' },
	{ "tos", required_argument, NULL, 'Q' },
	{ "pmtudisc", required_argument, NULL, 'M' },
	{ "timeout", required_argument, NULL, 'W' },
	{ "deadline", required_argument, NULL, 'w' },
	{ "flood", no_argument, NULL, 'f' },
	{ "preload", required_argument, NULL, 'l' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "interface", required_argument, NULL, 'I' },
	{ "pattern", required_argument, NULL, 'p' },
	{ "timestamp", no_argument, NULL, 'D' },
	{ "outstanding", no_argument, NULL, 'O' },
	{ "alive", no_argument, NULL, 'a' },
	{ "unreachable", no_argument, NULL, 'u' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void parse_pattern(struct ping_opts *o, const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || n > 32 || strspn(arg, "0123456789abcdefABCDEF") != n)
		cmd_fail(PING_SUB, "-p value '%s' is not a pattern of 1 to 16 hex bytes (e.g. -p ff00)", arg);
	/* An odd number of digits: the last one is a high nibble, as iputils reads it. */
	o->pattern_len = (n + 1) / 2;
	for (size_t i = 0; i < n; i += 2) {
		char pair[3] = { arg[i], i + 1 < n ? arg[i + 1] : '0', 0 };
		o->pattern[i / 2] = (uint8_t)strtoul(pair, NULL, 16);
	}
}

static uint8_t parse_byte_value(const char *opt, const char *arg, unsigned min)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0); /* decimal, or 0x.. as iputils takes -Q */
	if (arg[0] == '-' || end == arg || *end || errno || v < min || v > 255)
		cmd_fail(PING_SUB, "%s value '%s' is out of range (%u to 255)", opt, arg, min);
	return (uint8_t)v;
}

static void parse_interface(struct ping_opts *o, const char *arg)
{
	struct in_addr a;

	if (inet_pton(AF_INET, arg, &a) == 1)
		o->source = a.s_addr;
	else if (strlen(arg) >= 16)
		cmd_fail(PING_SUB, "-I value '%s' is neither an IPv4 address nor an interface name", arg);
	else
		o->interface = arg;
}

static void parse_opt(struct ping_opts *o, int ch, char **argv)
{
	switch (ch) {
	case 'c': o->count = cmd_parse_uint(PING_SUB, "-c", optarg, 1, UINT64_MAX / 2); break;
	case 'i':
		o->interval_ns = cmd_parse_seconds(PING_SUB, "-i", optarg, 0, 3600 * 24);
		o->interval_set = true;
		break;
	case 's': o->size = cmd_parse_uint(PING_SUB, "-s", optarg, 0, RP_ECHO_DATA_MAX); break;
	case 't': o->ttl = parse_byte_value("-t", optarg, 1); break;
	case 'Q': o->tos = parse_byte_value("-Q", optarg, 0); break;
	case 'M':
		if (!strcmp(optarg, "do"))
			o->pmtudisc = IP_PMTUDISC_DO;
		else if (!strcmp(optarg, "dont"))
			o->pmtudisc = IP_PMTUDISC_DONT;
		else if (!strcmp(optarg, "want"))
			o->pmtudisc = -1;
		else
			cmd_fail(PING_SUB, "-M value '%s' is not one of do, dont, want", optarg);
		break;
	case 'W':
		o->timeout_ns = cmd_parse_seconds(PING_SUB, "-W", optarg, 0.001, 3600);
		o->timeout_set = true;
		break;
	case 'w': o->deadline_ns = cmd_parse_seconds(PING_SUB, "-w", optarg, 0.001, 3600 * 24 * 365); break;
	case 'f': o->flood = true; break;
	case 'l': o->preload = (unsigned)cmd_parse_uint(PING_SUB, "-l", optarg, 1, 65536); break;
	case 'q': o->quiet = true; break;
	case 'n': o->numeric = true; break;
	case 'I': parse_interface(o, optarg); break;
	case 'p': parse_pattern(o, optarg); break;
	case 'D': o->timestamps = true; break;
	case 'O': o->outstanding = true; break;
	case 'a': o->alive_only = true; break;
	case 'u': o->unreachable_only = true; break;
	case OPT_JSON: o->json = true; break;
	case OPT_PCAP: o->pcap_path = optarg; break;
	case OPT_RATE: o->rate = cmd_parse_uint(PING_SUB, "--rate", optarg, 1, 10000000); break;
	case OPT_RETRIES:
		o->retries = (unsigned)cmd_parse_uint(PING_SUB, "--retries", optarg, 0, 20);
		o->retries_set = true;
		break;
	case OPT_HELP:
		fputs(usage_text, stdout);
		exit(RP_EXIT_OK);
	default:
		cmd_bad_option(PING_SUB, ch, argv);
	}
}

/* iputils' rules: flooding and short intervals only for root; some options exclude others. */
static void check_opts(struct ping_opts *o)
{
	bool root = rp_privs_real_root();

	if (o->flood && !root)
		cmd_fail(PING_SUB, "-f (flood) is for root only, as in iputils ping; use -i 0.002 or more");
	if (o->rate && !o->interval_set)
		o->interval_ns = 1000000000 / (int64_t)o->rate;
	else if (o->rate)
		cmd_fail(PING_SUB, "-i and --rate both set the interval; give one of them");
	if (o->interval_set && o->interval_ns < 2000000 && !root)
		cmd_fail(PING_SUB, "-i %g: intervals under 2 ms are for root only, as in iputils ping; "
			 "use -i 0.002 or more", (double)o->interval_ns / 1e9);
	if (o->rate > 500 && !root)
		cmd_fail(PING_SUB, "--rate %llu: more than 500 probes per second is for root only; "
			 "use --rate 500 or less", (unsigned long long)o->rate);
	if (o->preload > 3 && !root)
		cmd_fail(PING_SUB, "-l %u: a preload of more than 3 is for root only, as in iputils ping",
			 o->preload);
	if (o->alive_only && o->unreachable_only)
		cmd_fail(PING_SUB, "-a and -u exclude each other; give one of them");
	if (o->flood && o->interval_set == false)
		o->interval_ns = 0;
}

static void open_socket(struct ping_ctx *c)
{
	struct ping_opts *o = c->o;
	struct rp_icmp_sock_opts so = {
		.device = o->interface,
		.rcvbuf = 4 << 20,
		.ttl = o->ttl,
		.tos = o->tos,
		.pmtudisc = o->pmtudisc,
		.source = o->source,
	};
	char err[256], self[PATH_MAX];

	switch (rp_icmp_sock_open(&c->sock, &so, err, sizeof err)) {
	case RP_OPEN_OK:
		break;
	case RP_OPEN_NO_PRIVILEGE:
		cmd_fail(PING_SUB, "no permission for ICMP sockets: needs CAP_NET_RAW "
			 "(as root: setcap cap_net_raw+p %s) or a group in net.ipv4.ping_group_range",
			 cmd_self_path(self, sizeof self));
	case RP_OPEN_FAILED:
		cmd_fail(PING_SUB, "%s", err);
	}
	if (rp_icmp_sock_setup(&c->sock, &so, err, sizeof err) != 0)
		cmd_fail(PING_SUB, "%s", err);
}

/* Readable once a stop was seen: wakes every sweep worker from its wait, not only the signalled one. */
static int stop_fd = -1;

bool ping_keep_going(int64_t now, int64_t end, void (*status)(void *), void *arg)
{
	if (ping_stop) {
		if (stop_fd >= 0 && write(stop_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
			/* Already readable (the counter is full) or closed: either way it woke everyone. */
		}
		return false;
	}
	if (now >= end)
		return false;
	if (atomic_exchange(&ping_status, 0))
		status(arg);
	return true;
}

static sigset_t run_mask; /* what ppoll lets through: everything */

int ping_wait(struct ping_ctx *c, int64_t until)
{
	struct pollfd p[2] = { { .fd = c->sock.fd, .events = POLLIN }, { .fd = stop_fd, .events = POLLIN } };
	struct timespec ts;

	rp_out_flush(&c->out);
	/* Signals stay blocked except inside ppoll: a flag set by a handler is never missed. */
	return ppoll(p, stop_fd >= 0 ? 2 : 1, cmd_timeout_until(until, &ts), &run_mask);
}

static void on_signal(int sig)
{
	if (sig == SIGQUIT)
		ping_status = 1;
	else
		ping_stop = 1;
}

static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGQUIT };

	cmd_catch_signals(on_signal, sigs, 3, &run_mask);
	stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

size_t ping_build(struct ping_ctx *c, uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		  uint16_t seq, int64_t sent_ns)
{
	struct ping_opts *o = c->o;
	struct rp_echo_spec s = {
		.src = src,
		.dst = dst,
		.ip_id = c->ip_id++,
		.ttl = o->ttl,
		.tos = o->tos,
		.df = o->pmtudisc != IP_PMTUDISC_DONT,
		.id = c->sock.id,
		.seq = seq,
		.data_len = o->size,
		.pattern = o->pattern_len ? o->pattern : NULL,
		.pattern_len = o->pattern_len,
		.sent_ns = sent_ns,
		.key = &c->key,
	};

	return rp_echo_build(buf, cap, &s, true);
}

bool ping_match(struct ping_ctx *c, unsigned i, struct rp_reply *r)
{
	const uint8_t *d = c->rx.data[i];
	size_t n = c->rx.len[i];

	rp_decode(&c->pkt, DLT_RAW_IPV4, d, (uint32_t)n, (uint32_t)n, RP_DECODE_CHECKSUMS);
	if (c->pcap)
		rp_pcapw_write(c->pcap, d, n, c->rx.ts_ns[i]);
	return rp_reply_match(r, &c->pkt, d, n, c->sock.id, &c->key);
}

/* A single target is one host or address; anything with a '/' or several targets is a sweep. */
static bool is_sweep(int n, char **targets)
{
	return n > 1 || strchr(targets[0], '/') != NULL;
}

static uint32_t resolve_one(const char *name, char *canon, size_t canon_len)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_RAW };
	struct addrinfo *res;
	struct in_addr a;
	int rc;

	if (inet_pton(AF_INET, name, &a) == 1) {
		snprintf(canon, canon_len, "%s", name);
		return a.s_addr;
	}
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0)
		cmd_fail(PING_SUB, "%s: %s; give an IPv4 address or a name that resolves to one", name,
			 gai_strerror(rc));
	a = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	snprintf(canon, canon_len, "%s", name);
	freeaddrinfo(res);
	return a.s_addr;
}

/*
 * How many workers a sweep gets: one per core (at most PING_WORKERS_MAX)
 * when the rate is high enough to need more than one core, since the
 * target's echo work runs on the sending core; one when a single capture
 * file must hold everything in order.
 */
static unsigned sweep_workers(const struct ping_opts *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t rate = o->rate ? o->rate : 0;

	if (o->pcap_path || rate < 20000 || cpus < 2)
		return 1;
	return cpus > PING_WORKERS_MAX ? PING_WORKERS_MAX : (unsigned)cpus;
}

/*
 * One target: one worker per core only for rates beyond one core (root
 * only, under 50 us between probes), and never where the order of things
 * matters more than the rate: a flood, -O, one capture file.
 */
static unsigned one_workers(const struct ping_opts *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->flood || o->outstanding || o->pcap_path || o->interval_ns > 50000 || o->preload > 1 ||
	    cpus < 2)
		return 1;
	return cpus > PING_WORKERS_MAX ? PING_WORKERS_MAX : (unsigned)cpus;
}

/* Everything that needs a privilege first (the sockets), then none, then the rest. */
static void setup(struct ping_ctx *ctx, unsigned n, char *outmem, size_t outlen)
{
	struct ping_opts *o = ctx[0].o;
	char err[256];
	size_t max = RP_IPV4_HDR + RP_ICMP_ECHO_HDR + o->size;
	unsigned batch = max > 16384 ? 8 : 64;

	for (unsigned i = 0; i < n; i++)
		open_socket(&ctx[i]);
	if (rp_privs_drop_all(err, sizeof err) != 0)
		cmd_fail(PING_SUB, "cannot drop privileges (%s); refusing to go on with them", err);
	if (getrandom(&ctx[0].key, sizeof ctx[0].key, 0) != sizeof ctx[0].key)
		cmd_fail(PING_SUB, "no random numbers for the probe key: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		struct ping_ctx *c = &ctx[i];
		c->key = ctx[0].key;
		if (getrandom(&c->ip_id, sizeof c->ip_id, 0) != sizeof c->ip_id)
			c->ip_id = (uint16_t)(getpid() + i);
		if (rp_rx_batch_init(&c->rx, batch, max < 576 ? 576 : max) != 0)
			cmd_fail(PING_SUB, "out of memory");
		/*
		 * Several workers share standard output: each writes whole lines,
		 * at most PIPE_BUF bytes at a time, so lines never interleave.
		 */
		if (n > 1) {
			char *mem = malloc(PIPE_BUF);
			if (!mem)
				cmd_fail(PING_SUB, "out of memory");
			rp_out_init(&c->out, STDOUT_FILENO, mem, PIPE_BUF);
		} else {
			rp_out_init(&c->out, STDOUT_FILENO, outmem, outlen);
		}
	}
	if (o->pcap_path) {
		ctx[0].pcap = rp_pcapw_open(o->pcap_path, err, sizeof err);
		if (!ctx[0].pcap)
			cmd_fail(PING_SUB, "%s", err);
		/* Kernel transmit times for the probes; without them, the time before each send. */
		if (ctx[0].sock.mode == RP_ICMP_RAW)
			rp_icmp_tx_stamps_on(&ctx[0].sock, err, sizeof err);
	}
}

static void teardown(struct ping_ctx *ctx, unsigned n)
{
	char err[256];

	for (unsigned i = 0; i < n; i++) {
		rp_out_flush(&ctx[i].out);
		if (ctx[i].out.err)
			cmd_fail(PING_SUB, "writing the output failed: %s", strerror(ctx[i].out.err));
		if (n > 1)
			free(ctx[i].out.buf);
		rp_rx_batch_free(&ctx[i].rx);
		rp_icmp_sock_close(&ctx[i].sock);
	}
	if (ctx[0].pcap && rp_pcapw_close(ctx[0].pcap, err, sizeof err) != 0)
		cmd_fail(PING_SUB, "%s", err);
}

int cmd_ping(int argc, char **argv)
{
	static char outmem[1 << 16];
	static struct ping_ctx ctx[PING_WORKERS_MAX]; /* large (a decoded packet each): not on the stack */
	struct ping_opts o = { .size = 56, .ttl = 64, .pmtudisc = -1, .interval_ns = 1000000000 };
	unsigned n = 1;
	int ch, rc;
	bool sweep;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:i:s:t:Q:M:W:w:fl:qnI:p:DOau", longopts, NULL)) != -1)
		parse_opt(&o, ch, argv);
	if (optind >= argc)
		cmd_fail(PING_SUB, "no target given; usage: rawprobe ping [options] TARGET...");
	check_opts(&o);
	sweep = is_sweep(argc - optind, argv + optind);
	n = sweep ? sweep_workers(&o) : one_workers(&o);
	for (unsigned i = 0; i < n; i++)
		ctx[i].o = &o;
	setup(ctx, n, outmem, sizeof outmem);
	catch_signals();
	if (sweep) {
		rc = ping_sweep(ctx, n, argv + optind, argc - optind);
	} else {
		char name[NI_MAXHOST];
		uint32_t target = resolve_one(argv[optind], name, sizeof name);
		rc = ping_one(ctx, n, name, target);
	}
	teardown(ctx, n);
	return rc;
}
