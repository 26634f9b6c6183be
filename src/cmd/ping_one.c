/*
 * One target, as iputils ping does it: probes on an absolute schedule
 * (start + n x interval), replies matched by id, sequence and stamp, the
 * lines and summary iputils prints.
 *
 * Above some ten thousand probes a second (root only) the probes are dealt
 * out to one worker per core, each with its own socket and identifier:
 * worker i sends probe numbers i+1, i+1+n, ... on the same schedule. Over
 * veth the target's echo work runs on the sending core, so this is what
 * lets a rate use more than one core. The summary adds the workers up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ping.h"
#include "rawprobe/frag.h"

#define TX_BATCH 64
#define FLOOD_GAP_NS 10000000 /* flood: a probe at least every 10 ms, as iputils */

struct one {
	struct ping_ctx *c;
	struct ping_opts *o;
	const char *name;    /* as given */
	char addr[16];       /* dotted quad */
	char *shown;         /* "name (addr)" or addr, for reply lines */
	uint32_t target, src;
	uint64_t ntransmitted, nreceived, nrepeats, nerrors, ncorrupted;
	struct rp_rtt rtt;
	int64_t ewma_ns;
	uint8_t seen[65536 / 8];   /* replied-to sequence numbers */
	int64_t *sent_at;          /* realtime ns per sequence number */
	uint64_t timeout_next;     /* the oldest probe not yet answered or timed out */
	int64_t start, next_send, last_send;
	uint8_t *tx;
	size_t probe_len;
	unsigned mtu;         /* the route's: larger probes are fragmented here (raw sockets do not) */
	uint8_t *frags;       /* room for one probe's fragments */
	size_t frags_cap;
	unsigned worker, nworkers; /* this one sends probe numbers worker + 1 + j * nworkers */
	uint64_t quota;            /* of -c, this worker's share */
	pthread_t thread;
};

/* The probe number (from 1; its sequence number is the low 16 bits) of this worker's j-th probe. */
static uint64_t probe_number(const struct one *p, uint64_t j)
{
	return p->worker + 1 + j * p->nworkers;
}

static bool seen_test(const struct one *p, uint16_t seq) { return p->seen[seq >> 3] & (1u << (seq & 7)); }
static void seen_set(struct one *p, uint16_t seq) { p->seen[seq >> 3] |= (uint8_t)(1u << (seq & 7)); }
static void seen_clear(struct one *p, uint16_t seq) { p->seen[seq >> 3] &= (uint8_t)~(1u << (seq & 7)); }

static void print_header(struct one *p)
{
	struct rp_out *out = &p->c->out;

	if (p->o->json)
		return;
	RP_OUT_LIT(out, "PING ");
	rp_out_str(out, p->name);
	RP_OUT_LIT(out, " (");
	rp_out_str(out, p->addr);
	RP_OUT_LIT(out, ") ");
	if (p->o->source || p->o->interface) {
		RP_OUT_LIT(out, "from ");
		rp_out_ip4(out, p->src);
		rp_out_char(out, ' ');
		if (p->o->interface)
			rp_out_str(out, p->o->interface);
		RP_OUT_LIT(out, ": ");
	}
	rp_out_u64(out, p->o->size);
	rp_out_char(out, '(');
	rp_out_u64(out, p->o->size + RP_IPV4_HDR + RP_ICMP_ECHO_HDR);
	RP_OUT_LIT(out, ") bytes of data.\n");
}

/* "name (addr)" when the target was given by name, as iputils prints it; the address otherwise. */
static void name_targets(struct one *p)
{
	char host[NI_MAXHOST];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = p->target };
	size_t n;

	inet_ntop(AF_INET, &p->target, p->addr, sizeof p->addr);
	if (p->o->numeric || !strcmp(p->name, p->addr)) {
		p->shown = strdup(p->addr);
	} else {
		if (getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, NULL, 0,
				NI_NAMEREQD) != 0)
			snprintf(host, sizeof host, "%s", p->name);
		n = strlen(host) + strlen(p->addr) + 4;
		p->shown = malloc(n);
		if (p->shown)
			snprintf(p->shown, n, "%s (%s)", host, p->addr);
	}
	if (!p->shown)
		cmd_fail(PING_SUB, "out of memory");
}

static void print_from(struct one *p, uint32_t from)
{
	struct rp_out *out = &p->c->out;

	if (from == p->target)
		rp_out_str(out, p->shown);
	else
		rp_out_ip4(out, from);
}

static void print_stamp(struct one *p, int64_t ts_ns)
{
	struct rp_out *out = &p->c->out;

	if (!p->o->timestamps)
		return;
	rp_out_char(out, '[');
	rp_out_u64(out, (uint64_t)(ts_ns / 1000000000));
	rp_out_char(out, '.');
	rp_out_u64w(out, (uint64_t)(ts_ns % 1000000000) / 1000, 6);
	RP_OUT_LIT(out, "] ");
}

static void flood_mark(struct one *p, const char *s, size_t n)
{
	if (p->o->flood && !p->o->quiet && !p->o->json)
		rp_out_mem(&p->c->out, s, n);
}

/* ------------------------------------------------------------ sending */

/* Raw sockets refuse datagrams over the MTU: split them here, unless -M do forbids it. */
static bool too_big(const struct one *p)
{
	return p->c->sock.mode == RP_ICMP_RAW && p->probe_len > p->mtu;
}

static void local_error(struct one *p, uint16_t seq)
{
	struct rp_out *out = &p->c->out;

	p->nerrors++;
	seen_set(p, seq);
	if (p->o->json) {
		ping_json_error(out, p->addr, p->src, seq, RP_ICMP_UNREACH, 4);
		return;
	}
	/* On stderr, as iputils prints it: not a reply line. */
	rp_out_flush(out);
	fprintf(stderr, "rawprobe: ping: local error: message too long, mtu=%u\n", p->mtu);
}

/*
 * --pcap: what went, each datagram with the kernel's transmit time where it
 * reported one by now (probe i of the batch has key key + i, sequence number
 * seq + i * nworkers), else the time taken just before the send call.
 */
static void record_sent(struct one *p, const struct rp_tx *tx, unsigned n, uint32_t key,
			uint16_t seq)
{
	int64_t ts[TX_BATCH];
	bool fragments = too_big(p);

	if (!p->c->pcap)
		return;
	for (unsigned i = 0; i < n; i++)
		ts[i] = p->sent_at[fragments ? seq : (uint16_t)(seq + i * p->nworkers)];
	rp_icmp_tx_stamps(&p->c->sock, key, n, ts);
	for (unsigned i = 0; i < n; i++)
		rp_pcapw_write(p->c->pcap, tx[i].data, tx[i].len, ts[i]);
}

/* One probe larger than the MTU: its fragments in one batch. Returns 1 when it went. */
static int send_fragmented(struct one *p, const struct rp_tx *whole, uint16_t seq)
{
	struct rp_frag fr[TX_BATCH];
	struct rp_tx tx[TX_BATCH];
	uint8_t *dg = (uint8_t *)whole->data;
	uint32_t key;
	int n;

	if (p->o->pmtudisc == IP_PMTUDISC_DO) {
		local_error(p, seq);
		return 1;
	}
	dg[6] &= (uint8_t)~(RP_IP_DF >> 8); /* "want": the DF bit goes when we fragment */
	n = rp_ipv4_fragment(dg, whole->len, p->mtu, p->frags, p->frags_cap, fr, TX_BATCH);
	if (n < 0)
		cmd_fail(PING_SUB, "-s %zu does not fit in %d fragments of the route's MTU %u; use a smaller -s",
			 p->o->size, TX_BATCH, p->mtu);
	for (int i = 0; i < n; i++)
		tx[i] = (struct rp_tx){ .data = p->frags + fr[i].off, .len = fr[i].len, .dst = whole->dst };
	key = p->c->sock.tx_key;
	if (rp_icmp_send(&p->c->sock, tx, (unsigned)n) != n)
		return -1;
	record_sent(p, tx, (unsigned)n, key, seq);
	return 1;
}

static void send_due(struct one *p, int64_t now)
{
	struct ping_ctx *c = p->c;
	struct rp_tx tx[TX_BATCH];
	int64_t slot[TX_BATCH]; /* each probe's place in the schedule */
	unsigned n = 0, limit = too_big(p) ? 1 : TX_BATCH;
	int sent;

	while (n < limit && (p->o->count == 0 || p->ntransmitted + n < p->quota) &&
	       now >= p->next_send) {
		uint64_t k = probe_number(p, p->ntransmitted + n);
		uint16_t seq = (uint16_t)k;
		int64_t real = cmd_real_ns();
		uint8_t *buf = p->tx + n * p->probe_len;

		slot[n] = p->next_send;
		if (p->o->outstanding && !p->o->json && k > 1 && !seen_test(p, (uint16_t)(k - 1)) &&
		    !p->o->quiet) {
			RP_OUT_LIT(&c->out, "no answer yet for icmp_seq=");
			rp_out_u64(&c->out, (uint16_t)(k - 1));
			rp_out_char(&c->out, '\n');
		}
		ping_build(c, buf, p->probe_len, p->src, p->target, seq, real);
		seen_clear(p, seq);
		p->sent_at[seq] = real;
		tx[n] = (struct rp_tx){ .data = buf, .len = p->probe_len, .dst = p->target };
		n++;
		if (p->o->flood)
			p->next_send = now + FLOOD_GAP_NS;
		else if (k >= p->o->preload)
			p->next_send += p->o->interval_ns * (int64_t)p->nworkers;
	}
	if (n == 0)
		return;
	if (too_big(p)) {
		sent = send_fragmented(p, &tx[0], (uint16_t)probe_number(p, p->ntransmitted));
	} else {
		uint32_t key = c->sock.tx_key;
		sent = rp_icmp_send(&c->sock, tx, n);
		if (sent > 0)
			record_sent(p, tx, (unsigned)sent, key, (uint16_t)probe_number(p, p->ntransmitted));
	}
	if (sent < 0) {
		if (errno != EAGAIN && errno != ENOBUFS)
			cmd_fail(PING_SUB, "sendmsg to %s: %s", p->addr, strerror(errno));
		sent = 0;
	}
	/* The socket's queue was full: the probes that did not go keep their places in the schedule. */
	if ((unsigned)sent < n)
		p->next_send = slot[sent];
	for (int i = 0; i < sent; i++)
		flood_mark(p, ".", 1);
	p->ntransmitted += (uint64_t)sent;
	p->last_send = now;
}

/* ------------------------------------------------------------ receiving */

static void on_echo(struct one *p, const struct rp_reply *r, int64_t ts_ns)
{
	struct ping_ctx *c = p->c;
	struct rp_out *out = &c->out;
	int64_t sent = r->stamp == RP_STAMP_OK ? r->sent_ns : -1, rtt = -1;
	bool dup = false;

	/* Probes too short for a stamp: the send time we kept, as iputils keeps none. */
	if (r->stamp == RP_STAMP_ABSENT && p->ntransmitted > 0 && p->sent_at[r->seq])
		sent = p->sent_at[r->seq];
	if (sent >= 0) {
		rtt = ts_ns - sent;
		if (rtt < 0)
			rtt = 0;
	}
	if (r->checksum_bad) {
		p->ncorrupted++;
	} else if (seen_test(p, r->seq)) {
		dup = true;
		p->nrepeats++;
	} else {
		seen_set(p, r->seq);
		p->nreceived++;
		if (rtt >= 0) {
			rp_rtt_add(&p->rtt, rtt);
			p->ewma_ns = p->rtt.n == 1 ? rtt : p->ewma_ns + (rtt - p->ewma_ns) / 8;
		}
		flood_mark(p, "\b \b", 3);
	}
	/* Whole lines only in the buffer: with several workers each write is a set of lines. */
	rp_out_reserve(out, 512);
	if (p->o->json) {
		ping_json_reply(out, p->addr, r->from, r->seq, r->ttl, r->icmp_len, rtt, dup, r->checksum_bad);
		return;
	}
	if (p->o->quiet || p->o->flood)
		return;
	print_stamp(p, ts_ns);
	rp_out_u64(out, r->icmp_len);
	RP_OUT_LIT(out, " bytes from ");
	print_from(p, r->from);
	RP_OUT_LIT(out, ": icmp_seq=");
	rp_out_u64(out, r->seq);
	RP_OUT_LIT(out, " ttl=");
	rp_out_u64(out, r->ttl);
	if (rtt >= 0) {
		RP_OUT_LIT(out, " time=");
		ping_out_time(out, rtt);
		RP_OUT_LIT(out, " ms");
	}
	if (dup)
		RP_OUT_LIT(out, " (DUP!)");
	if (r->checksum_bad)
		RP_OUT_LIT(out, " (BAD CHECKSUM!)");
	rp_out_char(out, '\n');
}

static void on_error(struct one *p, const struct rp_reply *r, int64_t ts_ns)
{
	struct rp_out *out = &p->c->out;

	p->nerrors++;
	seen_set(p, r->seq); /* answered, if only by an error: not "no answer yet", no timeout */
	rp_out_reserve(out, 512);
	if (p->o->json) {
		ping_json_error(out, p->addr, r->from, r->seq, r->type, r->code);
		return;
	}
	flood_mark(p, "\bE", 2);
	if (p->o->quiet || p->o->flood)
		return;
	print_stamp(p, ts_ns);
	RP_OUT_LIT(out, "From ");
	print_from(p, r->from);
	RP_OUT_LIT(out, " icmp_seq=");
	rp_out_u64(out, r->seq);
	rp_out_char(out, ' ');
	ping_out_icmp_error(out, r->type, r->code, p->c->pkt.icmp.rest);
	rp_out_char(out, '\n');
}

/* Probes that may still be answered: how many replies to read at most in one go. */
static unsigned expected(const struct one *p)
{
	uint64_t answered = p->nreceived + p->nerrors;
	uint64_t out = p->ntransmitted > answered ? p->ntransmitted - answered : 1;

	return out > p->c->rx.cap ? p->c->rx.cap : (unsigned)out;
}

/* Reads and handles what is waiting, without blocking; returns how many datagrams came. */
static int receive(struct one *p)
{
	struct ping_ctx *c = p->c;
	int n, total = 0;
	unsigned want;

	do {
		want = expected(p);
		n = rp_icmp_recv(&c->sock, &c->rx, want);
		if (n < 0)
			cmd_fail(PING_SUB, "receiving: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			struct rp_reply r;
			if (!ping_match(c, (unsigned)i, &r) || r.target != p->target ||
			    r.stamp == RP_STAMP_BAD)
				continue;
			if (r.kind == RP_REPLY_ECHO)
				on_echo(p, &r, c->rx.ts_ns[i]);
			else
				on_error(p, &r, c->rx.ts_ns[i]);
		}
		total += n;
		/* A full batch may have left more behind, unless every probe is answered. */
	} while (n == (int)want && p->ntransmitted > p->nreceived + p->nerrors && !ping_stop);
	return total;
}

/* ------------------------------------------------------------ timeouts and the end */

static int64_t reply_wait(const struct one *p)
{
	return p->o->timeout_set ? p->o->timeout_ns : 10 * (int64_t)1000000000;
}

/* JSON: a timeout event for each probe unanswered after -W (all of them at the end). */
static void report_timeouts(struct one *p, bool all)
{
	int64_t now;

	if (!p->o->json)
		return; /* text output has no timeout lines (-O speaks when the next probe goes) */
	now = cmd_real_ns();

	while (p->timeout_next < p->ntransmitted) {
		uint16_t seq = (uint16_t)probe_number(p, p->timeout_next);
		if (!seen_test(p, seq)) {
			if (!all && now < p->sent_at[seq] + reply_wait(p))
				break;
			if (p->o->json) {
				rp_out_reserve(&p->c->out, 512);
				ping_json_timeout(&p->c->out, p->addr, seq);
			}
		}
		p->timeout_next++;
	}
}

static void interim_status(void *arg)
{
	struct one *p = arg;
	uint64_t loss = (uint64_t)ping_loss_pct(p->ntransmitted, p->nreceived);

	rp_out_flush(&p->c->out);
	if (p->nworkers > 1)
		fprintf(stderr, "\rworker %u of %u: ", p->worker + 1, p->nworkers);
	fprintf(stderr, "%s%llu/%llu packets, %llu%% loss", p->nworkers > 1 ? "" : "\r",
		(unsigned long long)p->nreceived,
		(unsigned long long)p->ntransmitted, (unsigned long long)loss);
	if (p->rtt.n)
		fprintf(stderr, ", min/avg/ewma/max = %.3f/%.3f/%.3f/%.3f ms", (double)p->rtt.min_ns / 1e6,
			rp_rtt_avg_ms(&p->rtt), (double)p->ewma_ns / 1e6, (double)p->rtt.max_ns / 1e6);
	fputc('\n', stderr);
}

/* After the last probe: iputils waits two of the longest round trips, or -W when nothing came back. */
static int64_t linger_end(const struct one *p)
{
	int64_t w = p->rtt.n ? 2 * p->rtt.max_ns : reply_wait(p);

	if (p->rtt.n && w < 1000000)
		w = 1000000;
	if (p->nreceived && !p->rtt.n)
		w = reply_wait(p);
	return p->last_send + w;
}

static bool sending_done(const struct one *p)
{
	return p->o->count && p->ntransmitted >= p->quota;
}

static int64_t next_wake(const struct one *p, int64_t end)
{
	int64_t t = end;

	if (!sending_done(p) && p->next_send < t)
		t = p->next_send;
	if (sending_done(p) && linger_end(p) < t)
		t = linger_end(p);
	if (p->o->json && p->timeout_next < p->ntransmitted) {
		uint16_t seq = (uint16_t)probe_number(p, p->timeout_next);
		int64_t due = p->sent_at[seq] + reply_wait(p) - cmd_real_ns() + cmd_mono_ns();
		if (due < t)
			t = due;
	}
	return t;
}

static void run(struct one *p)
{
	int64_t end = p->o->deadline_ns ? p->start + p->o->deadline_ns : INT64_MAX;

	for (;;) {
		int64_t now = cmd_mono_ns();

		if (!ping_keep_going(now, end, interim_status, p))
			break;
		if (!sending_done(p)) {
			bool flood_ready = p->o->flood && p->ntransmitted == p->nreceived + p->nerrors;
			if (flood_ready)
				p->next_send = now;
			send_due(p, now);
		}
		if (p->o->count && p->nreceived + p->nerrors >= p->quota)
			break;
		if (sending_done(p) && now >= linger_end(p))
			break;
		report_timeouts(p, false);
		/* Read first and sleep only when nothing is there: a flood's reply is usually waiting. */
		if (receive(p) == 0 && ping_wait(p->c, next_wake(p, end)) > 0)
			receive(p);
	}
}

/* The workers' counts in the first one's. */
static void merge(struct one *into, const struct one *w)
{
	into->ntransmitted += w->ntransmitted;
	into->nreceived += w->nreceived;
	into->nrepeats += w->nrepeats;
	into->nerrors += w->nerrors;
	into->ncorrupted += w->ncorrupted;
	rp_rtt_merge(&into->rtt, &w->rtt);
}

static int finish(struct one *p, int64_t elapsed_ns)
{
	struct ping_summary s = {
		.target = p->addr,
		.transmitted = p->ntransmitted,
		.received = p->nreceived,
		.duplicates = p->nrepeats,
		.corrupted = p->ncorrupted,
		.errors = p->nerrors,
		.rtt = &p->rtt,
		.elapsed_ns = elapsed_ns,
		.ipg = p->o->flood || p->o->interval_ns == 0,
		.ewma_ns = p->ewma_ns,
	};

	if (p->o->json) {
		ping_json_summary(&p->c->out, &s);
	} else {
		s.target = p->name;
		ping_text_summary(&p->c->out, &s);
	}
	if (p->nreceived == 0)
		return RP_EXIT_FINDING;
	if (p->o->count && p->o->deadline_ns && p->nreceived < p->o->count)
		return RP_EXIT_FINDING;
	return RP_EXIT_OK;
}

static void *worker_main(void *arg)
{
	struct one *p = arg;

	run(p);
	report_timeouts(p, true);
	rp_out_flush(&p->c->out);
	return NULL;
}

/* What every worker shares: the target, its name, the route's source and MTU. */
static void prepare_target(struct one *p, struct ping_ctx *c, const char *name, uint32_t target)
{
	char err[256];
	uint32_t route_src;

	p->c = c;
	p->o = c->o;
	p->name = name;
	p->target = target;
	/* The route's source, unless -I named ours; its MTU either way. */
	if (rp_route_source(target, c->o->interface, &route_src, &p->mtu, err, sizeof err) != 0)
		cmd_fail(PING_SUB, "%s: %s", name, err);
	p->src = c->o->source ? c->o->source : route_src;
	p->probe_len = RP_IPV4_HDR + RP_ICMP_ECHO_HDR + c->o->size;
	name_targets(p);
}

static void prepare_worker(struct one *p, struct ping_ctx *c, unsigned i, unsigned n, int64_t start)
{
	uint64_t count = c->o->count;

	p->c = c;
	p->worker = i;
	p->nworkers = n;
	/* Probe numbers i+1, i+1+n, ... up to count: how many are there. */
	p->quota = count > i ? (count - i - 1) / n + 1 : 0;
	if (c->sock.mode == RP_ICMP_DGRAM && !c->sock.local)
		c->sock.local = p->src;
	p->tx = malloc(TX_BATCH * p->probe_len);
	p->frags_cap = p->probe_len + TX_BATCH * 64;
	p->frags = malloc(p->frags_cap);
	p->sent_at = calloc(65536, sizeof *p->sent_at);
	if (!p->tx || !p->sent_at || !p->frags)
		cmd_fail(PING_SUB, "out of memory");
	p->start = start;
	p->next_send = start + (int64_t)i * c->o->interval_ns;
}

int ping_one(struct ping_ctx *ctx, unsigned n, const char *name, uint32_t target)
{
	struct one *w = calloc(n, sizeof *w);
	int64_t start;
	int rc;

	if (!w)
		cmd_fail(PING_SUB, "out of memory");
	prepare_target(&w[0], &ctx[0], name, target);
	for (unsigned i = 1; i < n; i++)
		w[i] = w[0];
	print_header(&w[0]);
	rp_out_flush(&ctx[0].out);
	start = cmd_mono_ns();
	for (unsigned i = 0; i < n; i++)
		prepare_worker(&w[i], &ctx[i], i, n, start);
	for (unsigned i = 1; i < n; i++) {
		int err = pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		if (err != 0)
			cmd_fail(PING_SUB, "cannot start a worker: %s", strerror(err));
	}
	worker_main(&w[0]);
	for (unsigned i = 1; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		merge(&w[0], &w[i]);
	}
	rc = finish(&w[0], cmd_mono_ns() - start);
	for (unsigned i = 0; i < n; i++) {
		free(w[i].tx);
		free(w[i].frags);
		free(w[i].sent_at);
	}
	free(w[0].shown);
	free(w);
	return rc;
}
