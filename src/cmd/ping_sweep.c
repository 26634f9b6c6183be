/*
 * Many targets or CIDR blocks, as fping sweeps them: every target probed in
 * parallel at one global rate, addresses generated lazily, state only for
 * the targets in progress (rp_sweep), replies recognised by their stamp
 * alone. One line per target when it is done.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ping.h"
#include "rawprobe/checksum.h"

#define TX_BATCH 64
#define SWEEP_RATE_DEFAULT 10000
#define SWEEP_WINDOW_MIN 1024
#define SWEEP_WINDOW_MAX 32768

/* One command-line target: an address block, [first, last] in host order. */
struct span {
	uint32_t first, last;
	uint32_t source; /* the kernel's source address towards it, for --pcap records */
};

struct sweep_run {
	struct ping_ctx *c;
	struct ping_opts *o;
	struct rp_sweep sw;
	struct span *spans;  /* shared by the workers, read only */
	int nspans, cur;     /* the generator: spans[cur], next address 'next' */
	uint64_t next;
	uint64_t index;      /* addresses generated so far, every worker's included */
	unsigned worker, nworkers; /* this one takes the addresses with index % nworkers == worker */
	struct sweep_run *all;     /* every worker's run, for the interim status line */
	pthread_t thread;
	uint8_t *tx;
	struct rp_tx pending[TX_BATCH];
	unsigned npending;
	size_t probe_len;
	int64_t gap_ns, next_send;
	atomic_uint_fast64_t done, alive;
};

/* ------------------------------------------------------------ targets */

static bool parse_cidr(const char *spec, struct span *s)
{
	char buf[32];
	const char *slash = strchr(spec, '/');
	struct in_addr a;
	char *end;
	unsigned long bits;
	uint32_t base, mask;

	if (!slash || (size_t)(slash - spec) >= sizeof buf)
		return false;
	memcpy(buf, spec, (size_t)(slash - spec));
	buf[slash - spec] = '\0';
	bits = strtoul(slash + 1, &end, 10);
	if (inet_pton(AF_INET, buf, &a) != 1 || end == slash + 1 || *end || bits > 32)
		return false;
	mask = bits ? ~0u << (32 - bits) : 0;
	base = ntohl(a.s_addr) & mask;
	s->first = base;
	s->last = base | ~mask;
	return true;
}

static void resolve_span(const char *spec, struct span *s)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_RAW };
	struct addrinfo *res;
	struct in_addr a;
	int rc;

	if (strchr(spec, '/')) {
		if (!parse_cidr(spec, s))
			cmd_fail(PING_SUB, "'%s' is not an IPv4 block like 10.0.0.0/24", spec);
		return;
	}
	if (inet_pton(AF_INET, spec, &a) != 1) {
		rc = getaddrinfo(spec, NULL, &hints, &res);
		if (rc != 0)
			cmd_fail(PING_SUB, "%s: %s; give an IPv4 address, block or a name that resolves",
				 spec, gai_strerror(rc));
		a = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	s->first = s->last = ntohl(a.s_addr);
}

static struct span *plan_targets(const struct ping_opts *o, char **specs, int n)
{
	struct span *spans = calloc((size_t)n, sizeof *spans);
	char err[256];

	if (!spans)
		cmd_fail(PING_SUB, "out of memory");
	for (int i = 0; i < n; i++) {
		resolve_span(specs[i], &spans[i]);
		if (o->pcap_path &&
		    rp_route_source(htonl(spans[i].first), o->interface, &spans[i].source, NULL, err,
				    sizeof err) != 0)
			spans[i].source = 0;
	}
	return spans;
}

static bool next_any(struct sweep_run *r, uint32_t *addr, uint32_t *source)
{
	while (r->cur < r->nspans && r->next > r->spans[r->cur].last) {
		if (++r->cur < r->nspans)
			r->next = r->spans[r->cur].first;
	}
	if (r->cur >= r->nspans)
		return false;
	*addr = htonl((uint32_t)r->next++);
	*source = r->spans[r->cur].source;
	return true;
}

/* The next address of this worker's share: every nworkers-th of them. */
static bool next_target(struct sweep_run *r, uint32_t *addr, uint32_t *source)
{
	while (next_any(r, addr, source))
		if (r->index++ % r->nworkers == r->worker)
			return true;
	return false;
}

static bool targets_left(const struct sweep_run *r)
{
	return r->cur < r->nspans &&
	       (r->cur + 1 < r->nspans || r->next <= r->spans[r->cur].last);
}

/* ------------------------------------------------------------ output */

static void print_result(struct sweep_run *r, const struct rp_sweep_result *res)
{
	struct rp_out *out = &r->c->out;
	char addr[16];
	bool alive = res->received > 0;

	r->done++;
	r->alive += alive;
	/* Room for the whole line now, so the buffer is only ever written out at line ends. */
	rp_out_reserve(out, 512);
	inet_ntop(AF_INET, &res->addr, addr, sizeof addr);
	if (r->o->json) {
		struct ping_summary s = {
			.target = addr, .transmitted = res->sent, .received = res->received,
			.duplicates = res->duplicates, .errors = res->errors, .rtt = &res->rtt,
		};
		ping_json_summary(out, &s);
		return;
	}
	if (r->o->alive_only || r->o->unreachable_only) {
		if (alive == r->o->alive_only) {
			rp_out_str(out, addr);
			rp_out_char(out, '\n');
		}
		return;
	}
	/* fping -c's line: "10.0.0.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.031/0.031/0.031" */
	rp_out_str(out, addr);
	RP_OUT_LIT(out, " : xmt/rcv/%loss = ");
	rp_out_u64(out, res->sent);
	rp_out_char(out, '/');
	rp_out_u64(out, res->received);
	rp_out_char(out, '/');
	rp_out_u64(out, res->sent ? (uint64_t)ping_loss_pct(res->sent, res->received) : 100);
	rp_out_char(out, '%');
	if (res->rtt.n) {
		RP_OUT_LIT(out, ", min/avg/max = ");
		rp_out_fixed(out, (double)res->rtt.min_ns / 1e6, 3);
		rp_out_char(out, '/');
		rp_out_fixed(out, rp_rtt_avg_ms(&res->rtt), 3);
		rp_out_char(out, '/');
		rp_out_fixed(out, (double)res->rtt.max_ns / 1e6, 3);
	}
	rp_out_char(out, '\n');
}

static void print_done(struct sweep_run *r)
{
	struct rp_sweep_result res;

	while (rp_sweep_pop_done(&r->sw, &res))
		print_result(r, &res);
}

/* ------------------------------------------------------------ sending */

static void queue_probes(struct sweep_run *r, int64_t now)
{
	struct ping_ctx *c = r->c;

	while (r->npending < TX_BATCH && r->next_send <= now) {
		uint32_t addr, source = 0;
		uint16_t seq;
		uint8_t *buf;

		if (!rp_sweep_next_probe(&r->sw, now, &addr, &seq)) {
			if (!rp_sweep_has_room(&r->sw) || !next_target(r, &addr, &source))
				break;
			rp_sweep_add(&r->sw, addr, now);
			continue;
		}
		buf = r->tx + r->npending * r->probe_len;
		ping_build(c, buf, r->probe_len, 0, addr, seq, cmd_real_ns());
		r->pending[r->npending++] = (struct rp_tx){ .data = buf, .len = r->probe_len, .dst = addr };
		r->next_send += r->gap_ns;
	}
	/* Behind schedule after an idle spell: start again from now rather than burst. */
	if (r->next_send < now - 10 * r->gap_ns - 1000000)
		r->next_send = now;
}

/* The source the kernel put in for dst (the header went with 0): what --pcap records. */
static uint32_t source_for(const struct sweep_run *r, uint32_t dst_be)
{
	uint32_t dst = ntohl(dst_be);

	for (int i = 0; i < r->nspans; i++)
		if (dst >= r->spans[i].first && dst <= r->spans[i].last)
			return r->spans[i].source;
	return 0;
}

/* --pcap: the n probes just sent (keys key..), with the kernel's transmit times where reported. */
static void record_sent(struct sweep_run *r, unsigned n, uint32_t key)
{
	int64_t ts[TX_BATCH], now = cmd_real_ns();

	if (!r->c->pcap)
		return;
	for (unsigned i = 0; i < n; i++)
		ts[i] = now;
	rp_icmp_tx_stamps(&r->c->sock, key, n, ts);
	for (unsigned i = 0; i < n; i++) {
		const struct rp_tx *t = &r->pending[i];
		uint8_t *hdr = (uint8_t *)t->data, sent[RP_IPV4_HDR];
		uint32_t src = source_for(r, t->dst);
		uint16_t csum;

		/* As the kernel sent it: its source in, the header checksum redone; then back. */
		memcpy(sent, hdr, sizeof sent);
		memcpy(hdr + 12, &src, 4);
		hdr[10] = hdr[11] = 0;
		csum = rp_csum(hdr, RP_IPV4_HDR);
		hdr[10] = (uint8_t)(csum >> 8);
		hdr[11] = (uint8_t)csum;
		rp_pcapw_write(r->c->pcap, t->data, t->len, ts[i]);
		memcpy(hdr, sent, sizeof sent);
	}
}

static void send_pending(struct sweep_run *r, int64_t now)
{
	uint32_t key = r->c->sock.tx_key;
	int sent;

	if (r->npending == 0)
		return;
	sent = rp_icmp_send(&r->c->sock, r->pending, r->npending);
	if (sent < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return; /* the socket's queue is full: the same probes at the next wake-up */
	if (sent < 0) {
		/* This destination is refused (no route...): it counts as lost, the rest go on. */
		rp_sweep_send_failed(&r->sw, r->pending[0].dst, now);
		sent = 1;
	} else {
		record_sent(r, (unsigned)sent, key);
	}
	r->npending -= (unsigned)sent;
	memmove(r->pending, r->pending + sent, r->npending * sizeof r->pending[0]);
	/* The unsent ones keep their buffers: move them to the front too. */
	for (unsigned i = 0; i < r->npending; i++) {
		uint8_t *to = r->tx + i * r->probe_len;
		if (to != r->pending[i].data) {
			memmove(to, r->pending[i].data, r->probe_len);
			r->pending[i].data = to;
		}
	}
}

/* ------------------------------------------------------------ receiving */

static void on_reply(struct sweep_run *r, const struct rp_reply *rep, int64_t ts_ns, int64_t now)
{
	int64_t rtt = -1;
	bool stamped = r->o->size >= RP_STAMP_LEN;

	/* Without a verified stamp a reply proves nothing: forged, foreign or cut short. */
	if (stamped ? rep->stamp != RP_STAMP_OK : rep->stamp == RP_STAMP_BAD)
		return;
	if (rep->kind == RP_REPLY_ECHO && rep->checksum_bad)
		return;
	if (rep->stamp == RP_STAMP_OK && rep->kind == RP_REPLY_ECHO)
		rtt = ts_ns > rep->sent_ns ? ts_ns - rep->sent_ns : 0;
	/* An answer for a target already done (or never asked) changes nothing: fping drops it too. */
	rp_sweep_reply(&r->sw, rep->target, rep->seq, rep->kind == RP_REPLY_ERROR, rtt, rep->from,
		       rep->type, rep->code, now);
}

static int receive(struct sweep_run *r)
{
	struct ping_ctx *c = r->c;
	int n, total = 0;

	do {
		int64_t now = cmd_mono_ns();
		n = rp_icmp_recv(&c->sock, &c->rx, 0);
		if (n < 0)
			cmd_fail(PING_SUB, "receiving: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			struct rp_reply rep;
			if (ping_match(c, (unsigned)i, &rep))
				on_reply(r, &rep, c->rx.ts_ns[i], now);
		}
		total += n;
	} while (n == (int)c->rx.cap && !ping_stop);
	return total;
}

/* ------------------------------------------------------------ the loop */

static int64_t next_wake(const struct sweep_run *r)
{
	int64_t t = rp_sweep_next_event(&r->sw);

	if (r->npending || (targets_left(r) && rp_sweep_has_room(&r->sw)))
		t = r->next_send < t ? r->next_send : t;
	else if (t != INT64_MAX && t < r->next_send)
		t = r->next_send; /* what is due can only go at the rate */
	if (rp_sweep_next_event(&r->sw) < t && rp_sweep_next_event(&r->sw) > cmd_mono_ns())
		t = rp_sweep_next_event(&r->sw);
	return t;
}

static void interim_status(void *arg)
{
	struct sweep_run *r = arg;
	uint64_t done = 0, alive = 0;

	rp_out_flush(&r->c->out);
	for (unsigned i = 0; i < r->nworkers; i++) {
		done += r->all[i].done;
		alive += r->all[i].alive;
	}
	fprintf(stderr, "%llu targets done, %llu alive\n", (unsigned long long)done,
		(unsigned long long)alive);
}

static void run(struct sweep_run *r)
{
	int64_t end = r->o->deadline_ns ? cmd_mono_ns() + r->o->deadline_ns : INT64_MAX;

	r->next_send = cmd_mono_ns();
	for (;;) {
		int64_t now = cmd_mono_ns();

		if (!ping_keep_going(now, end, interim_status, r))
			break;
		rp_sweep_expire(&r->sw, now);
		print_done(r);
		queue_probes(r, now);
		send_pending(r, now);
		print_done(r);
		if (!targets_left(r) && rp_sweep_active(&r->sw) == 0 && r->npending == 0)
			break;
		if (receive(r) == 0 && ping_wait(r->c, next_wake(r)) > 0)
			receive(r);
	}
}

static unsigned window_for(const struct ping_opts *o, uint64_t rate, int64_t timeout_ns)
{
	double in_flight = (double)rate * (double)timeout_ns / 1e9 * (o->retries + 1);
	uint64_t w = (uint64_t)in_flight + SWEEP_WINDOW_MIN;

	return w > SWEEP_WINDOW_MAX ? SWEEP_WINDOW_MAX : (unsigned)w;
}

static void *worker_main(void *arg)
{
	struct sweep_run *r = arg;

	run(r);
	print_done(r);
	rp_out_flush(&r->c->out);
	return NULL;
}

static struct rp_sweep_config sweep_config(const struct ping_opts *o, uint64_t rate, unsigned n)
{
	struct rp_sweep_config cfg = {
		.count = o->count ? (unsigned)o->count : 1,
		.retries = o->retries_set ? o->retries : 1,
		.timeout_ns = o->timeout_set ? o->timeout_ns : 1000000000,
		.interval_ns = o->interval_set ? o->interval_ns : 1000000000,
	};

	if ((uint64_t)cfg.count * (cfg.retries + 1) > 60000)
		cmd_fail(PING_SUB, "-c %u with --retries %u: a sweep sends at most 60000 probes per target",
			 cfg.count, cfg.retries);
	cfg.window = window_for(o, rate / n, cfg.timeout_ns);
	return cfg;
}

/*
 * Each worker sweeps its share (every n-th address) with its own socket,
 * scheduler and output buffer, on its own thread: over veth the target's
 * echo work runs on the core that sends, so two senders use two cores.
 */
int ping_sweep(struct ping_ctx *ctx, unsigned n, char **specs, int nspecs)
{
	struct ping_opts *o = ctx[0].o;
	uint64_t rate = o->rate ? o->rate : SWEEP_RATE_DEFAULT;
	struct rp_sweep_config cfg = sweep_config(o, rate, n);
	struct sweep_run runs[PING_WORKERS_MAX];
	struct span *spans;
	uint64_t unfinished = 0, done = 0, alive = 0;

	if (o->flood)
		cmd_fail(PING_SUB, "-f floods one target; for a sweep set --rate PPS instead");
	spans = plan_targets(o, specs, nspecs);
	memset(runs, 0, sizeof runs);
	for (unsigned i = 0; i < n; i++) {
		struct sweep_run *r = &runs[i];
		r->c = &ctx[i];
		r->o = o;
		r->spans = spans;
		r->nspans = nspecs;
		r->next = spans[0].first;
		r->worker = i;
		r->nworkers = n;
		r->all = runs;
		r->gap_ns = (int64_t)(1000000000 * (uint64_t)n / rate);
		r->probe_len = RP_IPV4_HDR + RP_ICMP_ECHO_HDR + o->size;
		r->tx = malloc(TX_BATCH * r->probe_len);
		if (!r->tx || rp_sweep_init(&r->sw, &cfg) != 0)
			cmd_fail(PING_SUB, "out of memory");
	}
	for (unsigned i = 1; i < n; i++) {
		int rc = pthread_create(&runs[i].thread, NULL, worker_main, &runs[i]);
		if (rc != 0)
			cmd_fail(PING_SUB, "cannot start a sweep worker: %s", strerror(rc));
	}
	worker_main(&runs[0]);
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			pthread_join(runs[i].thread, NULL);
		unfinished += rp_sweep_active(&runs[i].sw) + (targets_left(&runs[i]) ? 1 : 0);
		done += runs[i].done;
		alive += runs[i].alive;
		rp_sweep_free(&runs[i].sw);
		free(runs[i].tx);
	}
	free(spans);
	if (unfinished)
		fprintf(stderr, "rawprobe: ping: stopped with targets not finished\n");
	return unfinished || alive < done ? RP_EXIT_FINDING : RP_EXIT_OK;
}
