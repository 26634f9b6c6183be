/*
 * rawprobe trace: options; two raw sockets (IPPROTO_RAW to send whole
 * datagrams, IPPROTO_ICMP to receive) opened with CAP_NET_RAW raised only
 * around socket(2), every privilege dropped; then every probe of 16 hops
 * sent at once, in TTL order (the next 16 once the path goes on), and each
 * hop printed as soon as it and all the hops before it are answered or
 * timed out.
 *
 * Linux routers limit the ICMP errors they send to one source: time
 * exceeded to a bucket of 6 refilled once a second (net.ipv4.icmp_ratelimit
 * 1000 ms), unreachables from the routing table to 5 (route.error_burst and
 * error_cost), one bucket for both. Each router sees only the -q probes
 * that expire at it, so up to 5 per hop are sent at once and the rest 1.1 s
 * apart (a margin over the refill), and only to hops up to the destination
 * once it has answered. The destination's port unreachables (UDP) are
 * limited the same way and every probe past it reaches it too; the probes
 * of its own hop, sent first, take its first answers, so its hop is whole,
 * and the later ones are wasted: a second UDP trace within a few seconds
 * finds its bucket empty. Echo replies (ICMP probes) are not limited.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "rawprobe/decode.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/privs.h"
#include "trace.h"

#define DLT_RAW_IPV4 228
#define TX_BATCH 64
#define RX_BATCH 64
#define ROUTER_BURST 5              /* errors a Linux router sends one source at once */
#define ROUTER_REFILL_NS 1100000000 /* and then one a second: probes past the burst this far apart */
#define WINDOW_HOPS 16              /* hops probed at once: a whole path, for most paths */
#define WINDOWS_MAX ((RP_TRACE_HOPS_MAX + WINDOW_HOPS - 1) / WINDOW_HOPS)

static const char usage_text[] =
	"usage: rawprobe trace [options] TARGET\n"
	"The path to TARGET, every hop probed at once; traceroute's output.\n"
	"  -I, --icmp             ICMP echo probes (the default)\n"
	"  -U, --udp              UDP probes to a closed port (33434, or -p)\n"
	"  -p, --port PORT        UDP destination port (with -U)\n"
	"  -q, --queries N        probes per hop (default 3, 1 to 10)\n"
	"  -m, --max-hops N       highest TTL (default 30, 1 to 255)\n"
	"  -f, --first N          first TTL (default 1)\n"
	"  -w, --wait MAX[,HERE,NEAR]  seconds to wait for an answer (default 5,3,10): at most\n"
	"                         MAX, or HERE times the round trip of an answer from the same\n"
	"                         hop, or NEAR times that of a later hop (as traceroute)\n"
	"  -s, --size BYTES       data bytes after the ICMP or UDP header (default 32)\n"
	"  -i, --interface DEV    send through interface DEV\n"
	"  -n, --numeric          addresses only (names are never looked up anyway)\n"
	"      --json             JSON Lines: reply, timeout and error events with \"hop\", a summary\n"
	"Needs CAP_NET_RAW (root, or: setcap cap_net_raw+p on the binary).\n";

enum { OPT_JSON = 256, OPT_HELP };

static const struct option longopts[] = {
	{ "icmp", no_argument, NULL, 'I' },
	{ "udp", no_argument, NULL, 'U' },
	{ "port", required_argument, NULL, 'p' },
	{ "queries", required_argument, NULL, 'q' },
	{ "max-hops", required_argument, NULL, 'm' },
	{ "first", required_argument, NULL, 'f' },
	{ "wait", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 's' },
	{ "interface", required_argument, NULL, 'i' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Everything the loop needs beyond what the output sees. */
struct trace_ctx {
	struct trace_run run;
	struct rp_icmp_sock tx, rx;  /* IPPROTO_RAW, IPPROTO_ICMP */
	struct rp_rx_batch batch;
	struct rp_packet pkt;
	uint8_t *txbuf;              /* TX_BATCH probes */
	int64_t *tx_ns;              /* per send key: transmit time */
	unsigned nsent;
	unsigned windows;            /* hops below windows x WINDOW_HOPS may be probed */
	int64_t window_open[WINDOWS_MAX]; /* when each window opened (monotonic) */
	bool tx_blocked;             /* the send buffer was full: wait for POLLOUT */
};

static volatile sig_atomic_t stop;
static sigset_t run_mask;

/* ------------------------------------------------------------ options */

/* A factor of -w: a number within [0, 1000]. */
static double parse_factor(const char *arg, const char *text)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !(v >= 0 && v <= 1000))
		cmd_fail(TRACE_SUB, "-w value '%s': expected MAX[,HERE,NEAR] with MAX in seconds "
			 "(0.001 to 3600) and HERE, NEAR factors from 0 to 1000", arg);
	return v;
}

/* -w MAX[,HERE[,NEAR]], traceroute's form; a plain number sets MAX only. */
static void parse_wait(struct trace_opts *o, const char *arg)
{
	char max[32], *here, *near;

	if (strlen(arg) >= sizeof max)
		parse_factor(arg, "");
	strcpy(max, arg);
	here = strchr(max, ',');
	if (here)
		*here++ = '\0';
	near = here ? strchr(here, ',') : NULL;
	if (near)
		*near++ = '\0';
	o->wait_ns = cmd_parse_seconds(TRACE_SUB, "-w", max, 0.001, 3600);
	if (here)
		o->here = parse_factor(arg, here);
	if (near)
		o->near = parse_factor(arg, near);
}

static void parse_opt(struct trace_opts *o, int ch, char **argv)
{
	switch (ch) {
	case 'I': o->proto = RP_TRACE_ICMP; break;
	case 'U': o->proto = RP_TRACE_UDP; break;
	case 'p':
		o->port = (unsigned)cmd_parse_uint(TRACE_SUB, "-p", optarg, 1, 65535);
		o->port_set = true;
		break;
	case 'q': o->per_hop = (unsigned)cmd_parse_uint(TRACE_SUB, "-q", optarg, 1, RP_TRACE_PER_HOP_MAX); break;
	case 'm': o->max_ttl = (unsigned)cmd_parse_uint(TRACE_SUB, "-m", optarg, 1, RP_TRACE_HOPS_MAX); break;
	case 'f': o->first_ttl = (unsigned)cmd_parse_uint(TRACE_SUB, "-f", optarg, 1, RP_TRACE_HOPS_MAX); break;
	case 'w': parse_wait(o, optarg); break;
	case 's': o->size = cmd_parse_uint(TRACE_SUB, "-s", optarg, 0, RP_TRACE_DATA_MAX); break;
	case 'i':
		if (strlen(optarg) >= IFNAMSIZ || !optarg[0])
			cmd_fail(TRACE_SUB, "-i value '%s' is not an interface name (1 to %d characters)",
				 optarg, IFNAMSIZ - 1);
		o->interface = optarg;
		break;
	case 'n': o->numeric = true; break;
	case OPT_JSON: o->json = true; break;
	case OPT_HELP:
		fputs(usage_text, stdout);
		exit(RP_EXIT_OK);
	default:
		cmd_bad_option(TRACE_SUB, ch, argv);
	}
}

static void check_opts(const struct trace_opts *o)
{
	if (o->first_ttl > o->max_ttl)
		cmd_fail(TRACE_SUB, "-f %u is beyond -m %u: the first TTL must not exceed the max hops",
			 o->first_ttl, o->max_ttl);
	if (o->proto == RP_TRACE_ICMP && o->size < RP_TRACE_ICMP_DATA_MIN)
		cmd_fail(TRACE_SUB, "-s %zu: ICMP probes need at least %d data bytes to keep their "
			 "checksum constant; use -s %d or more", o->size, RP_TRACE_ICMP_DATA_MIN,
			 RP_TRACE_ICMP_DATA_MIN);
	if (o->port_set && o->proto != RP_TRACE_UDP)
		cmd_fail(TRACE_SUB, "-p sets the UDP destination port; add -U");
}

static void check_unicast(const char *name, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (h == 0 || h == 0xffffffff || (h >> 28) == 14)
		cmd_fail(TRACE_SUB, "%s is not a unicast address; give one host's address", name);
}

/*
 * Before any socket: a target written as an address must be a unicast one;
 * digits and dots that make no address would otherwise go to the resolver.
 */
static void check_target_syntax(const char *name)
{
	struct in_addr a;

	if (!name[0])
		cmd_fail(TRACE_SUB, "the target is empty; give an IPv4 address or a host name");
	if (inet_pton(AF_INET, name, &a) == 1)
		check_unicast(name, a);
	else if (strspn(name, "0123456789.") == strlen(name))
		cmd_fail(TRACE_SUB, "'%s' is not an IPv4 address (four numbers 0 to 255)", name);
}

/* ------------------------------------------------------------ sockets and privileges */

static int open_raw(int proto, const struct trace_opts *o)
{
	char err[256] = "", self[PATH_MAX];
	int fd = rp_raw_socket(proto, o->interface, err, sizeof err);

	if (fd >= 0)
		return fd;
	if (err[0])
		cmd_fail(TRACE_SUB, "%s", err);
	if (errno == EPERM || errno == EACCES)
		cmd_fail(TRACE_SUB, "no permission for raw sockets: trace needs CAP_NET_RAW "
			 "(as root: setcap cap_net_raw+p %s)", cmd_self_path(self, sizeof self));
	cmd_fail(TRACE_SUB, "raw socket: %s", strerror(errno));
}

static void open_sockets(struct trace_ctx *c, const struct trace_opts *o)
{
	char err[256];

	c->tx = (struct rp_icmp_sock){ .fd = open_raw(IPPROTO_RAW, o), .mode = RP_ICMP_RAW };
	c->rx = (struct rp_icmp_sock){ .fd = open_raw(IPPROTO_ICMP, o), .mode = RP_ICMP_RAW };
	if (rp_privs_drop_all(err, sizeof err) != 0)
		cmd_fail(TRACE_SUB, "cannot drop privileges (%s); refusing to go on with them", err);
}

static void receive_setup(struct trace_ctx *c)
{
	const struct rp_trace_spec *s = &c->run.spec;
	struct icmp_filter keep = { .data = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) |
					      (1u << ICMP_TIME_EXCEEDED) | (1u << ICMP_PARAMETERPROB)) };
	struct sock_filter code[RP_TRACE_FILTER_LEN];
	struct sock_fprog prog = { .len = (unsigned short)rp_trace_filter(s, code), .filter = code };
	int one = 1, rcvbuf = 1 << 20;
	char err[256];

	if (s->proto == RP_TRACE_UDP)
		keep.data |= 1u << ICMP_ECHOREPLY;
	if (setsockopt(c->rx.fd, SOL_RAW, ICMP_FILTER, &keep, sizeof keep) != 0 ||
	    setsockopt(c->rx.fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0 ||
	    setsockopt(c->rx.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0)
		cmd_fail(TRACE_SUB, "setting up the receiving socket: %s", strerror(errno));
	setsockopt(c->rx.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	/* Kernel transmit times when it gives them; the clock before each send otherwise. */
	rp_icmp_tx_stamps_on(&c->tx, err, sizeof err);
}

/* ------------------------------------------------------------ time */

/* ------------------------------------------------------------ sending */

static unsigned hop_of(const struct trace_run *r, unsigned k)
{
	return k / r->spec.per_hop;
}

/* When probe k may go: when its window opens, or past the routers' burst ROUTER_REFILL_NS apart. */
static int64_t due_at(const struct trace_ctx *c, unsigned k)
{
	unsigned j = k % c->run.spec.per_hop;
	int64_t open = c->window_open[hop_of(&c->run, k) / WINDOW_HOPS];

	return j < ROUTER_BURST ? open : open + (int64_t)(j - ROUTER_BURST + 1) * ROUTER_REFILL_NS;
}

static bool wanted(const struct trace_ctx *c, unsigned k)
{
	unsigned hop = hop_of(&c->run, k);

	return c->run.probes[k].state == PROBE_UNSENT && hop <= c->run.final_hop &&
	       hop < c->windows * WINDOW_HOPS;
}

static bool hop_resolved(struct trace_run *r, unsigned hop);

/*
 * Probes go out WINDOW_HOPS hops at a time: all of most paths at once, and
 * no flood of probes past a near destination. The next window opens once
 * the last hop of this one answered as a router (the path goes on), or
 * every hop of it is resolved without reaching the destination.
 */
static void open_windows(struct trace_ctx *c, int64_t now)
{
	struct trace_run *r = &c->run;

	while (c->windows < WINDOWS_MAX && c->windows * WINDOW_HOPS <= r->final_hop) {
		unsigned last = c->windows * WINDOW_HOPS - 1, hop;
		bool router = false;

		for (unsigned j = 0; j < r->spec.per_hop; j++) {
			const struct trace_probe *p = trace_hop_probe(r, last, j);
			router |= p->state == PROBE_ANSWERED && p->answer.kind == RP_TRACE_HOP;
		}
		for (hop = r->next_print; hop <= last && hop_resolved(r, hop); hop++)
			;
		if (!router && hop <= last)
			return;
		c->window_open[c->windows++] = now;
	}
}

static void tx_stamps_refresh(struct trace_ctx *c)
{
	rp_icmp_tx_stamps(&c->tx, 0, c->nsent, c->tx_ns);
}

static void mark_sent(struct trace_ctx *c, unsigned k, int64_t mono, int64_t real)
{
	struct trace_probe *p = &c->run.probes[k];

	p->state = PROBE_WAITING;
	p->sent_mono = mono;
	p->key = c->nsent;
	c->tx_ns[c->nsent++] = real;
}

/*
 * Sends up to TX_BATCH due probes in probe order. Returns false when
 * nothing more can go now (none due, or the socket's buffer is full).
 */
static bool send_batch(struct trace_ctx *c, int64_t now)
{
	struct trace_run *r = &c->run;
	size_t len = rp_trace_probe_len(&r->spec);
	struct rp_tx tx[TX_BATCH];
	unsigned idx[TX_BATCH], n = 0;
	int64_t real;
	int sent;

	for (unsigned k = 0; k < r->spec.nprobes && n < TX_BATCH; k++) {
		if (!wanted(c, k) || due_at(c, k) > now)
			continue;
		rp_trace_build(&r->spec, k, c->txbuf + n * len, len);
		tx[n] = (struct rp_tx){ .data = c->txbuf + n * len, .len = len, .dst = r->spec.dst };
		idx[n++] = k;
	}
	if (n == 0)
		return false;
	real = cmd_real_ns();
	sent = rp_icmp_send(&c->tx, tx, n);
	if (sent < 0 && errno == ENOBUFS)
		sent = 1; /* the device queue dropped it: a lost probe, as on the wire */
	else if (sent < 0 && errno != EAGAIN)
		cmd_fail(TRACE_SUB, "sending to %s: %s", r->addr, strerror(errno));
	if (sent < 0)
		sent = 0;
	for (int i = 0; i < sent; i++)
		mark_sent(c, idx[i], now, real);
	tx_stamps_refresh(c);
	c->tx_blocked = (unsigned)sent < n;
	return !c->tx_blocked;
}

static void send_due(struct trace_ctx *c, int64_t now)
{
	while (send_batch(c, now))
		;
}

/* ------------------------------------------------------------ receiving */

static void on_answer(struct trace_ctx *c, const struct rp_trace_answer *a, int64_t ts)
{
	struct trace_run *r = &c->run;
	struct trace_probe *p = &r->probes[a->probe];
	unsigned hop = hop_of(r, a->probe);
	int64_t sent = c->tx_ns[p->key];

	if (p->state == PROBE_ANSWERED) {
		r->duplicates++;
		return;
	}
	/* An answer read just after its timeout was noted still counts if it came in time. */
	if (p->state == PROBE_UNSENT || hop < r->next_print ||
	    (p->state == PROBE_TIMEOUT && ts - sent > r->o->wait_ns))
		return;
	p->state = PROBE_ANSWERED;
	p->recv_real = ts;
	p->answer = *a;
	if (a->kind != RP_TRACE_HOP && hop < r->final_hop)
		r->final_hop = hop;
}

/* Reads everything waiting. */
static void receive(struct trace_ctx *c)
{
	int n;

	do {
		n = rp_icmp_recv(&c->rx, &c->batch, 0);
		if (n < 0)
			cmd_fail(TRACE_SUB, "receiving: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			struct rp_trace_answer a;
			const uint8_t *d = c->batch.data[i];
			uint32_t len = (uint32_t)c->batch.len[i];

			rp_decode(&c->pkt, DLT_RAW_IPV4, d, len, len, RP_DECODE_CHECKSUMS);
			if (rp_trace_classify(&c->run.spec, &c->pkt, d, len, &a))
				on_answer(c, &a, c->batch.ts_ns[i]);
		}
	} while (n == (int)c->batch.cap && !stop);
}

/* ------------------------------------------------------------ timeouts, printing, waiting */

/* The round trip of the first answered probe of a hop, 0 when none answered. */
static int64_t hop_rtt(struct trace_ctx *c, unsigned hop)
{
	for (unsigned j = 0; j < c->run.spec.per_hop; j++) {
		const struct trace_probe *p = trace_hop_probe(&c->run, hop, j);
		if (p->state == PROBE_ANSWERED && p->recv_real > c->tx_ns[p->key])
			return p->recv_real - c->tx_ns[p->key];
	}
	return 0;
}

/*
 * traceroute's -w MAX,HERE,NEAR: a probe waits at most MAX, or HERE times
 * the round trip of an answer from its own hop, or else NEAR times that of
 * the nearest later hop that answered. A silent router thus costs a few
 * round trips once the hops beyond it have answered, not MAX.
 */
static void set_deadlines(struct trace_ctx *c)
{
	struct trace_run *r = &c->run;
	int64_t near_rtt = 0;

	for (unsigned hop = r->final_hop + 1; hop-- > r->next_print;) {
		int64_t here_rtt = hop_rtt(c, hop), wait = r->o->wait_ns;

		if (here_rtt && r->o->here > 0)
			wait = (int64_t)(r->o->here * (double)here_rtt);
		else if (near_rtt && r->o->near > 0)
			wait = (int64_t)(r->o->near * (double)near_rtt);
		if (wait > r->o->wait_ns)
			wait = r->o->wait_ns;
		for (unsigned j = 0; j < r->spec.per_hop; j++) {
			struct trace_probe *p = trace_hop_probe(r, hop, j);
			if (p->state == PROBE_WAITING)
				p->deadline = p->sent_mono + wait;
		}
		if (here_rtt)
			near_rtt = here_rtt;
	}
}

static void expire(struct trace_ctx *c, int64_t now)
{
	struct trace_run *r = &c->run;
	unsigned end = (r->final_hop + 1) * r->spec.per_hop;

	set_deadlines(c);
	for (unsigned k = r->next_print * r->spec.per_hop; k < end; k++) {
		struct trace_probe *p = &r->probes[k];
		if (p->state == PROBE_WAITING && now >= p->deadline)
			p->state = PROBE_TIMEOUT;
	}
}

static bool hop_resolved(struct trace_run *r, unsigned hop)
{
	for (unsigned j = 0; j < r->spec.per_hop; j++) {
		enum trace_probe_state st = trace_hop_probe(r, hop, j)->state;
		if (st != PROBE_ANSWERED && st != PROBE_TIMEOUT)
			return false;
	}
	return true;
}

static void sent_times(struct trace_ctx *c, unsigned hop)
{
	for (unsigned j = 0; j < c->run.spec.per_hop; j++) {
		struct trace_probe *p = trace_hop_probe(&c->run, hop, j);
		if (p->state != PROBE_UNSENT)
			p->sent_real = c->tx_ns[p->key];
	}
}

static void print_hop(struct trace_ctx *c, unsigned hop)
{
	sent_times(c, hop);
	trace_out_hop(&c->run, hop);
}

static void print_ready(struct trace_ctx *c)
{
	struct trace_run *r = &c->run;

	while (r->next_print <= r->final_hop && hop_resolved(r, r->next_print))
		print_hop(c, r->next_print++);
}

static bool done(const struct trace_run *r)
{
	return r->next_print > r->final_hop;
}

/* The next moment something happens: a paced probe is due, or a probe times out. */
static int64_t next_wake(struct trace_ctx *c)
{
	struct trace_run *r = &c->run;
	unsigned end = (r->final_hop + 1) * r->spec.per_hop;
	int64_t t = INT64_MAX;

	for (unsigned k = r->next_print * r->spec.per_hop; k < end; k++) {
		const struct trace_probe *p = &r->probes[k];
		int64_t at = INT64_MAX;
		if (p->state == PROBE_WAITING)
			at = p->deadline;
		else if (wanted(c, k) && !c->tx_blocked)
			at = due_at(c, k);
		if (at < t)
			t = at;
	}
	return t;
}

static void wait_for(struct trace_ctx *c, int64_t until)
{
	struct pollfd p[2] = { { .fd = c->rx.fd, .events = POLLIN },
			       { .fd = c->tx.fd, .events = POLLOUT } };
	struct timespec ts;

	rp_out_flush(&c->run.out);
	/* Signals stay blocked except inside ppoll: a flag set by a handler is never missed. */
	if (ppoll(p, c->tx_blocked ? 2 : 1, cmd_timeout_until(until, &ts), &run_mask) < 0 &&
	    errno != EINTR)
		cmd_fail(TRACE_SUB, "waiting: %s", strerror(errno));
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };

	cmd_catch_signals(on_signal, sigs, 2, &run_mask);
}

/* Interrupted: the hops still open, up to the last one anything answered at, as they stand. */
static void print_known(struct trace_ctx *c)
{
	struct trace_run *r = &c->run;
	unsigned last = r->next_print;

	for (unsigned k = r->next_print * r->spec.per_hop; k < (r->final_hop + 1) * r->spec.per_hop; k++)
		if (r->probes[k].state == PROBE_ANSWERED)
			last = hop_of(r, k) + 1;
	tx_stamps_refresh(c);
	while (r->next_print < last)
		print_hop(c, r->next_print++);
}

static bool reached(const struct trace_run *r)
{
	if (r->next_print == 0 || r->final_hop != r->next_print - 1)
		return false;
	for (unsigned j = 0; j < r->spec.per_hop; j++) {
		const struct trace_probe *p = &r->probes[r->final_hop * r->spec.per_hop + j];
		if (p->state == PROBE_ANSWERED && p->answer.kind != RP_TRACE_HOP &&
		    (p->answer.kind == RP_TRACE_ARRIVED || p->answer.from == r->spec.dst))
			return true;
	}
	return false;
}

static int run(struct trace_ctx *c)
{
	struct trace_run *r = &c->run;

	c->windows = 1;
	c->window_open[0] = cmd_mono_ns();
	while (!stop) {
		int64_t now = cmd_mono_ns();

		send_due(c, now);
		receive(c);
		tx_stamps_refresh(c);
		expire(c, cmd_mono_ns());
		open_windows(c, cmd_mono_ns());
		print_ready(c);
		if (done(r))
			break;
		wait_for(c, next_wake(c));
	}
	if (stop)
		print_known(c);
	trace_out_summary(r, reached(r));
	return reached(r) ? RP_EXIT_OK : RP_EXIT_FINDING;
}

/* ------------------------------------------------------------ the target and the run */

static uint32_t resolve(const char *name)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_RAW };
	struct addrinfo *res;
	struct in_addr a;
	int rc;

	if (inet_pton(AF_INET, name, &a) != 1) {
		rc = getaddrinfo(name, NULL, &hints, &res);
		if (rc != 0)
			cmd_fail(TRACE_SUB, "%s: %s; give an IPv4 address or a name that resolves to one",
				 name, gai_strerror(rc));
		a = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	check_unicast(name, a);
	return a.s_addr;
}

static void prepare(struct trace_ctx *c, const struct trace_opts *o, const char *name)
{
	struct trace_run *r = &c->run;
	uint32_t dst = resolve(name), src;
	unsigned mtu;
	uint8_t rnd[8];
	char err[256];
	size_t len;

	if (rp_route_source(dst, o->interface, &src, &mtu, err, sizeof err) != 0)
		cmd_fail(TRACE_SUB, "%s: %s", name, err);
	if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
		cmd_fail(TRACE_SUB, "no random numbers for the probe identifiers: %s", strerror(errno));
	r->o = o;
	r->name = name;
	inet_ntop(AF_INET, &dst, r->addr, sizeof r->addr);
	r->nhops = o->max_ttl - o->first_ttl + 1;
	rp_trace_spec_init(&r->spec, o->proto, src, dst, o->first_ttl, r->nhops, o->per_hop, o->size, rnd);
	if (o->port_set)
		r->spec.dport = (uint16_t)o->port;
	len = rp_trace_probe_len(&r->spec);
	if (len > mtu)
		cmd_fail(TRACE_SUB, "-s %zu: probes of %zu bytes do not fit the route's MTU of %u; "
			 "use -s %u or less", o->size, len, mtu, mtu > 28 ? mtu - 28 : 0);
	r->final_hop = r->nhops - 1;
	r->probes = calloc(r->spec.nprobes, sizeof *r->probes);
	c->tx_ns = calloc(r->spec.nprobes, sizeof *c->tx_ns);
	c->txbuf = malloc(TX_BATCH * len);
	if (!r->probes || !c->tx_ns || !c->txbuf || rp_rx_batch_init(&c->batch, RX_BATCH, len < 576 ? 576 : len) != 0)
		cmd_fail(TRACE_SUB, "out of memory");
}

static void teardown(struct trace_ctx *c)
{
	rp_out_flush(&c->run.out);
	if (c->run.out.err)
		cmd_fail(TRACE_SUB, "writing the output failed: %s", strerror(c->run.out.err));
	rp_rx_batch_free(&c->batch);
	rp_icmp_sock_close(&c->tx);
	rp_icmp_sock_close(&c->rx);
	free(c->run.probes);
	free(c->tx_ns);
	free(c->txbuf);
}

int cmd_trace(int argc, char **argv)
{
	static char outmem[1 << 16];
	static struct trace_ctx ctx; /* a decoded packet is large: not on the stack */
	struct trace_opts o = { .proto = RP_TRACE_ICMP, .per_hop = 3, .max_ttl = 30, .first_ttl = 1,
				.wait_ns = 5 * (int64_t)1000000000, .here = 3, .near = 10, .size = 32,
				.port = RP_TRACE_UDP_PORT };
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":IUp:q:m:f:w:s:i:n", longopts, NULL)) != -1)
		parse_opt(&o, ch, argv);
	if (optind >= argc)
		cmd_fail(TRACE_SUB, "no target given; usage: rawprobe trace [options] TARGET");
	if (argc - optind > 1)
		cmd_fail(TRACE_SUB, "one target only, '%s' is a second; usage: rawprobe trace "
			 "[options] TARGET", argv[optind + 1]);
	check_opts(&o);
	check_target_syntax(argv[optind]);
	open_sockets(&ctx, &o);
	prepare(&ctx, &o, argv[optind]);
	receive_setup(&ctx);
	rp_out_init(&ctx.run.out, STDOUT_FILENO, outmem, sizeof outmem);
	catch_signals();
	trace_out_header(&ctx.run);
	rc = run(&ctx);
	teardown(&ctx);
	return rc;
}
