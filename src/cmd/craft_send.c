/*
 * rawprobe craft: sending on an absolute schedule and listening for the
 * answers.
 *
 * The datagram is built once; each probe is a copy renumbered in place
 * (rp_craft_renumber: IP id, ICMP or TCP sequence) and sent in batches
 * (sendmmsg) through an IP_HDRINCL raw socket, or a packet socket where the
 * raw socket would rewrite a field. Probe k leaves at start + k x interval;
 * between sends the loop sleeps in ppoll on the receiving sockets, so
 * answers are read as they come. Where one core cannot keep the pace, the
 * probes are dealt out to one worker thread per core (worker i sends
 * probes i, i + n, ...), each with its own socket; the main thread is
 * worker 0 and the only reader.
 *
 * Answers come from raw sockets (ICMP always, plus the probe's protocol),
 * reassembled by the kernel and stamped with its receive time; a socket
 * filter passes only what comes from the target, and ICMP errors. Each is
 * decoded as `read` decodes, matched by the core (rp_craft_match), and
 * tied to its probe by the field the probe changed: the ICMP sequence, the
 * TCP acknowledgment, the IP id the error quotes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd.h"
#include "craft.h"
#include "pcapw.h"
#include "rawprobe/checksum.h"
#include "rawprobe/decode.h"
#include "rawprobe/frag.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/stats.h"

#define TX_BATCH 64
#define RING_MAX 65536       /* send times kept: the ICMP sequence's period */
#define RX_BATCH 64
#define RX_ROUNDS 4          /* batches read per socket before the schedule is looked at again */
#define RETRY_NS 1000000     /* ENOBUFS: the device's queue was full; try again after 1 ms */
#define DRAIN_ROUNDS 64      /* batches of what queued before the run, at most: a flood must not stall it */

/* One probe's place in the ring: written by its sender, read by the receiver. */
struct slot {
	_Atomic uint64_t probe;   /* probe number + 1 sent last from this slot, 0 for none */
	_Atomic int64_t sent_ns;  /* when (CLOCK_REALTIME) */
	uint64_t answered;        /* probe number + 1 answered last (the receiver's alone) */
};

struct craft;

struct worker {
	struct craft *r;
	unsigned index;
	struct rp_icmp_sock sock;      /* the raw sender (only fd and mode are used) */
	struct rp_link_tx *link;       /* or the packet socket */
	uint8_t *buf;                  /* the batch's datagrams, or one datagram's fragments */
	uint8_t *whole;                /* fragmented runs: the datagram before it is cut */
	size_t buf_cap;
	struct rp_frag *fr;
	struct rp_tx *tx;
	unsigned per_batch;            /* probes per send call */
	unsigned frag_next, frag_n;    /* fragments of the current probe: sent so far, in all */
	uint64_t quota, sent;          /* this worker's probes: index, index + n, ... */
	int64_t retry_at;              /* monotonic: the device was full, wait until then */
	bool blocked;                  /* the socket's buffer was full: wait for POLLOUT */
	_Atomic uint64_t progress;     /* sent, as the receiver sees it */
	_Atomic uint64_t claimed;      /* stamped: sent, or on the way (answers can outrun sendmmsg) */
	_Atomic int64_t last_send;     /* monotonic */
	_Atomic bool done;
	pthread_t thread;
};

struct craft {
	struct craft_opts *o;
	const struct rp_craft *c;
	char target[INET_ADDRSTRLEN];
	uint8_t *dg;
	size_t len;
	unsigned frag_mtu;
	unsigned nfrags;               /* per probe, 1 when it goes whole */
	size_t frag_bytes;             /* one probe's fragments, headers included */
	bool use_link;
	struct worker w[CRAFT_WORKERS_MAX];
	unsigned nworkers;
	struct slot *ring;
	uint64_t ring_mask;
	int64_t start, end;            /* monotonic */
	/* listening */
	struct rp_icmp_sock rx[3];
	unsigned nrx;
	struct rp_rx_batch batch;
	struct rp_packet pkt;
	int done_fd;                   /* written by workers as they finish */
	/* results */
	uint64_t frames, replies, errors, dups;
	struct rp_rtt rtt;
	struct rp_out out;
	struct rp_pcapw *pcap;
};

/*
 * SIGINT and SIGTERM stay blocked in every thread; the main thread polls a
 * signalfd for them (a handler would wait for ppoll to return EINTR, which
 * it never does while answers keep a socket readable). It then sets the
 * flag and makes stop_fd readable, which wakes the send workers.
 */
static atomic_int craft_stop;
static int sig_fd = -1;
static int stop_fd = -1;

/* ------------------------------------------------------------ signals and waits */

/* A signal is waiting in sig_fd: the run ends (with its summary), every worker told. */
static void signal_came(void)
{
	struct signalfd_siginfo si;

	if (read(sig_fd, &si, sizeof si) < 0) {
		/* Taken already: the flag is what counts. */
	}
	craft_stop = 1;
	if (write(stop_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
		/* Already readable. */
	}
}

void craft_catch_signals(void)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	/* Before any thread starts: they inherit the mask. */
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	sig_fd = signalfd(-1, &block, SFD_NONBLOCK | SFD_CLOEXEC);
	stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sig_fd < 0 || stop_fd < 0)
		cmd_fail(CRAFT_SUB, "signalfd/eventfd: %s", strerror(errno));
}

bool craft_wait_until(int64_t until, int fd)
{
	struct pollfd p[2] = { { .fd = sig_fd, .events = POLLIN }, { .fd = fd, .events = POLLOUT } };
	struct timespec ts;

	/* At least one look at the signalfd, even when 'until' has passed. */
	while (!atomic_load(&craft_stop)) {
		int rc = ppoll(p, fd >= 0 ? 2 : 1, cmd_timeout_until(until, &ts), NULL);
		if (rc > 0 && (p[0].revents & POLLIN)) {
			signal_came();
			return false;
		}
		if (rc == 0 || (rc > 0 && fd >= 0 && p[1].revents))
			return true;
		if (rc < 0 && errno != EINTR)
			cmd_fail(CRAFT_SUB, "ppoll: %s", strerror(errno));
	}
	return false;
}

/* ------------------------------------------------------------ sockets */

static _Noreturn void no_raw(const char *what)
{
	char self[PATH_MAX];

	cmd_fail(CRAFT_SUB, "%s needs CAP_NET_RAW: run as root, or as root: setcap cap_net_raw+p %s",
		 what, cmd_self_path(self, sizeof self));
}

void craft_open_senders(struct craft_socks *s, const struct craft_opts *o, bool raw, bool link,
			unsigned nworkers)
{
	char err[256] = "";

	memset(s, 0, sizeof *s);
	s->nworkers = nworkers;
	for (unsigned i = 0; i < CRAFT_WORKERS_MAX; i++) {
		s->raw[i] = -1;
		s->link[i].fd = -1;
	}
	for (unsigned i = 0; i < 3; i++)
		s->rx[i] = -1;
	for (unsigned i = 0; i < nworkers; i++) {
		if (raw) {
			s->raw[i] = rp_raw_socket(IPPROTO_RAW, o->interface, err, sizeof err);
			if (s->raw[i] < 0 && err[0])
				cmd_fail(CRAFT_SUB, "%s", err);
			if (s->raw[i] < 0 && (errno == EPERM || errno == EACCES))
				no_raw("a raw socket");
			if (s->raw[i] < 0)
				cmd_fail(CRAFT_SUB, "raw socket: %s", strerror(errno));
		}
		if (link && rp_link_tx_open(&s->link[i], err, sizeof err) != 0)
			cmd_fail(CRAFT_SUB, "%s", err);
	}
	s->have_link = link;
}

/* The probe's own protocol, where answers in it may come (a UDP reply, a SYN-ACK). */
static int answer_proto(const struct rp_craft *c)
{
	switch (c->l4) {
	case RP_CRAFT_UDP: return IPPROTO_UDP;
	case RP_CRAFT_TCP: return IPPROTO_TCP;
	case RP_CRAFT_RAW:
		return c->proto == IPPROTO_ICMP || c->proto == IPPROTO_RAW ? -1 : c->proto;
	default: return -1;
	}
}

void craft_open_receivers(struct craft_socks *s, const struct craft_opts *o)
{
	int proto = answer_proto(&o->spec);
	char err[256] = "";

	s->rx[0] = rp_raw_socket(IPPROTO_ICMP, NULL, err, sizeof err);
	if (s->rx[0] < 0 && (errno == EPERM || errno == EACCES))
		no_raw("listening for answers (a raw socket)");
	if (s->rx[0] < 0)
		cmd_fail(CRAFT_SUB, "raw ICMP socket: %s", strerror(errno));
	s->nrx = 1;
	/* Another protocol's socket is a bonus: its answers are rarer than ICMP's. */
	if (proto >= 0 && (s->rx[1] = rp_raw_socket(proto, NULL, err, sizeof err)) >= 0)
		s->nrx = 2;
}

/*
 * Socket filters, so that nothing but the target's datagrams and ICMP
 * errors wakes us: the kernel copies every datagram of a protocol to every
 * raw socket of it. Offsets are from the IPv4 header.
 */
static int attach_filter(int fd, uint32_t target, bool icmp)
{
	uint32_t t = ntohl(target);
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),            /* source address */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, t, 8, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),            /* X = header length */
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),             /* ICMP type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 5, 0),      /* destination unreachable */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 4, 0),      /* source quench */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 3, 0),      /* redirect */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 11, 2, 0),     /* time exceeded */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 12, 1, 0),     /* parameter problem */
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_filter other[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, t, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = icmp ? (struct sock_fprog){ sizeof code / sizeof code[0], code }
				      : (struct sock_fprog){ sizeof other / sizeof other[0], other };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* What the receivers need once the target is known; what they queued before is not ours. */
static void setup_receivers(struct craft *r, const struct craft_socks *s)
{
	int one = 1, rcvbuf = 4 << 20;

	for (unsigned i = 0; i < s->nrx; i++) {
		struct rp_icmp_sock *k = &r->rx[i];
		k->fd = s->rx[i];
		k->mode = RP_ICMP_RAW;
		if (setsockopt(k->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0 ||
		    attach_filter(k->fd, r->c->dst, i == 0) != 0)
			cmd_fail(CRAFT_SUB, "setting up the listening socket: %s", strerror(errno));
		setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
		for (unsigned round = 0; round < DRAIN_ROUNDS && rp_icmp_recv(k, &r->batch, 0) > 0; round++) {
		}
	}
	r->nrx = s->nrx;
}

/* ------------------------------------------------------------ sending */

static bool worker_finished(const struct worker *w)
{
	return w->sent >= w->quota;
}

static uint64_t probe_number(const struct worker *w, uint64_t j)
{
	return w->index + j * w->r->nworkers;
}

static int64_t due_at(const struct craft *r, uint64_t k)
{
	return r->start + (int64_t)k * r->o->interval_ns;
}

/* Fills the ring slot of probe k before it goes, so that no answer can outrun it. */
static void stamp(struct craft *r, uint64_t k, int64_t real)
{
	struct slot *s = &r->ring[k & r->ring_mask];

	atomic_store_explicit(&s->sent_ns, real, memory_order_relaxed);
	atomic_store_explicit(&s->probe, k + 1, memory_order_release);
}

static int transmit(struct worker *w, const struct rp_tx *tx, unsigned n)
{
	return w->link ? rp_link_tx_send_batch(w->link, tx, n) : rp_icmp_send(&w->sock, tx, n);
}

static void record_sent(struct worker *w, const struct rp_tx *tx, unsigned n, int64_t real)
{
	if (!w->r->pcap)
		return;
	for (unsigned i = 0; i < n; i++)
		rp_pcapw_write(w->r->pcap, tx[i].data, tx[i].len, real);
}

void craft_fail_send(const char *target, int err)
{
	if (err == EPERM) /* what the output hooks of nftables or iptables say when they drop */
		cmd_fail(CRAFT_SUB, "sending to %s: %s: a firewall rule dropped the datagram; see "
			 "`nft list ruleset` or `iptables -S OUTPUT`", target, strerror(err));
	cmd_fail(CRAFT_SUB, "sending to %s: %s", target, strerror(err));
}

/* A send that did not go: wait and retry, or give up with one line. */
static void send_failed(struct worker *w, int64_t now)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		w->blocked = true;
		return;
	}
	if (errno == ENOBUFS || errno == EINTR) {
		w->retry_at = now + RETRY_NS;
		return;
	}
	if (errno == EMSGSIZE)
		cmd_fail(CRAFT_SUB, "sending to %s: %s: the datagram is larger than the interface's MTU; "
			 "use --fragment MTU", w->r->target, strerror(errno));
	craft_fail_send(w->r->target, errno);
}

static void finish_probes(struct worker *w, unsigned n, int64_t now)
{
	w->sent += n;
	atomic_store_explicit(&w->progress, w->sent, memory_order_release);
	atomic_store_explicit(&w->last_send, now, memory_order_relaxed);
}

/* Probes that go whole: up to a batch of those due, renumbered in place, one sendmmsg. */
static void send_whole(struct worker *w, int64_t now)
{
	struct craft *r = w->r;
	unsigned n = 0;
	int64_t real;
	int sent;

	while (n < w->per_batch && w->sent + n < w->quota &&
	       due_at(r, probe_number(w, w->sent + n)) <= now) {
		uint8_t *d = w->buf + n * r->len;
		rp_craft_renumber(r->c, d, r->len, (uint32_t)probe_number(w, w->sent + n));
		w->tx[n] = (struct rp_tx){ .data = d, .len = r->len, .dst = r->c->dst };
		n++;
	}
	if (n == 0)
		return;
	real = cmd_real_ns();
	for (unsigned i = 0; i < n; i++)
		stamp(r, probe_number(w, w->sent + i), real);
	atomic_store_explicit(&w->claimed, w->sent + n, memory_order_release);
	sent = transmit(w, w->tx, n);
	if (sent < 0) {
		send_failed(w, now);
		return;
	}
	record_sent(w, w->tx, (unsigned)sent, real);
	/* Probes the socket did not take keep their places in the schedule. */
	finish_probes(w, (unsigned)sent, now);
}

/* A probe larger than the MTU: renumbered whole, cut, its fragments sent in order. */
static void send_fragments(struct worker *w, int64_t now)
{
	struct craft *r = w->r;
	uint64_t k = probe_number(w, w->sent);
	int64_t real;
	int sent;

	if (w->frag_n == 0) {
		int n;
		if (due_at(r, k) > now)
			return;
		rp_craft_renumber(r->c, w->whole, r->len, (uint32_t)k);
		n = rp_ipv4_fragment(w->whole, r->len, r->frag_mtu, w->buf, w->buf_cap, w->fr,
				     CRAFT_FRAGS_MAX);
		if (n < 0)
			cmd_fail(CRAFT_SUB, "MTU %u is too small for this datagram's header and 8 bytes of "
				 "data; use a larger --fragment", r->frag_mtu);
		for (int i = 0; i < n; i++)
			w->tx[i] = (struct rp_tx){ .data = w->buf + w->fr[i].off, .len = w->fr[i].len,
						   .dst = r->c->dst };
		w->frag_n = (unsigned)n;
		w->frag_next = 0;
		stamp(r, k, cmd_real_ns());
		atomic_store_explicit(&w->claimed, w->sent + 1, memory_order_release);
	}
	real = cmd_real_ns();
	sent = transmit(w, w->tx + w->frag_next, w->frag_n - w->frag_next);
	if (sent < 0) {
		send_failed(w, now);
		return;
	}
	record_sent(w, w->tx + w->frag_next, (unsigned)sent, real);
	w->frag_next += (unsigned)sent;
	if (w->frag_next < w->frag_n)
		return;
	w->frag_n = 0;
	finish_probes(w, 1, now);
}

static void send_due(struct worker *w, int64_t now)
{
	if (worker_finished(w) || now < w->retry_at || w->blocked)
		return;
	if (w->r->nfrags > 1)
		send_fragments(w, now);
	else
		send_whole(w, now);
}

/* When this worker has something to do next (monotonic), INT64_MAX when it waits for the socket. */
static int64_t worker_wake(const struct worker *w)
{
	int64_t t;

	if (worker_finished(w) || w->blocked)
		return INT64_MAX;
	t = w->frag_n ? 0 : due_at(w->r, probe_number(w, w->sent));
	return t > w->retry_at ? t : w->retry_at;
}

static int worker_fd(const struct worker *w)
{
	return w->link ? w->link->fd : w->sock.fd;
}

/* Workers 1..n-1: send their share, sleeping in ppoll (signals stay blocked here). */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct craft *r = w->r;

	while (!worker_finished(w) && !atomic_load(&craft_stop)) {
		struct pollfd p[2] = { { .fd = stop_fd, .events = POLLIN },
				       { .fd = worker_fd(w), .events = POLLOUT } };
		struct timespec ts;
		int64_t now = cmd_mono_ns();

		send_due(w, now);
		if (worker_finished(w))
			break;
		if (worker_wake(w) <= cmd_mono_ns() && !w->blocked)
			continue;
		if (ppoll(p, w->blocked ? 2 : 1, cmd_timeout_until(worker_wake(w), &ts), NULL) > 0 &&
		    (p[1].revents & (POLLOUT | POLLERR)))
			w->blocked = false;
	}
	atomic_store_explicit(&w->done, true, memory_order_release);
	if (write(r->done_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
		/* The counter is full: the main thread is awake anyway. */
	}
	return NULL;
}

/* ------------------------------------------------------------ answers */

/* The probe (from 0) whose number is k modulo period, the latest one sent; -1 for none. */
static int64_t latest_with(uint64_t hi, uint64_t k, uint64_t period)
{
	if (k >= hi)
		return -1;
	return (int64_t)(k + period * ((hi - 1 - k) / period));
}

/* One past the highest probe number any worker has sent or is sending. */
static uint64_t sent_high(const struct craft *r)
{
	uint64_t hi = 0;

	for (unsigned i = 0; i < r->nworkers; i++) {
		uint64_t n = atomic_load_explicit(&r->w[i].claimed, memory_order_acquire);
		uint64_t top = n ? i + (n - 1) * r->nworkers + 1 : 0;
		if (top > hi)
			hi = top;
	}
	return hi;
}

static uint64_t sent_total(const struct craft *r)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < r->nworkers; i++)
		n += atomic_load_explicit(&r->w[i].progress, memory_order_acquire);
	return n;
}

/* What the TCP peer acknowledges of a probe: its data, SYN and FIN (RFC 9293 section 3.4). */
static uint32_t tcp_consumed(const struct rp_craft *c)
{
	return (uint32_t)c->payload_len + !!(c->tcp.flags & RP_TH_SYN) + !!(c->tcp.flags & RP_TH_FIN);
}

static bool icmp_seq_varies(const struct rp_craft *c)
{
	return c->l4 == RP_CRAFT_ICMP && rp_icmp_has_idseq(c->icmp.type) && !(c->set & RP_CS_ICMP_REST);
}

/* An ICMP error: by the IP id its quote keeps, else by the quoted sequence. */
static int64_t probe_of_error(const struct craft *r, const struct rp_inner *in, uint64_t hi)
{
	const struct rp_craft *c = r->c;

	if (!(c->set & RP_CS_ID) && c->id && (in->ip.have & RP_IP_ID) && in->ip.id)
		return latest_with(hi, (uint64_t)((in->ip.id - c->id + 65535u) % 65535u), 65535);
	if (icmp_seq_varies(c) && in->l4 == RP_L4_ICMP && (in->icmp.have & RP_ICMP_SEQ))
		return latest_with(hi, (uint16_t)(rp_icmp_seq(&in->icmp) - c->icmp.seq), 65536);
	if (c->l4 == RP_CRAFT_TCP && in->l4 == RP_L4_TCP && (in->tcp.have & RP_TCP_SEQ))
		return latest_with(hi, (uint32_t)(in->tcp.seq - c->tcp.seq), 1ull << 32);
	return (int64_t)hi - 1;
}

/* Which probe an answer is about; answers that carry nothing of it go to the latest. */
static int64_t probe_of(const struct craft *r, const struct rp_packet *p, enum rp_craft_answer kind)
{
	const struct rp_craft *c = r->c;
	uint64_t hi = sent_high(r);

	if (hi == 0)
		return -1;
	if (kind == RP_ANSWER_ERROR)
		return probe_of_error(r, &p->inner, hi);
	if (p->l4 == RP_L4_ICMP && icmp_seq_varies(c) && (p->icmp.have & RP_ICMP_SEQ))
		return latest_with(hi, (uint16_t)(rp_icmp_seq(&p->icmp) - c->icmp.seq), 65536);
	if (p->l4 == RP_L4_TCP && c->l4 == RP_CRAFT_TCP && (p->tcp.flags & RP_TH_ACK) &&
	    (p->tcp.have & RP_TCP_ACK))
		return latest_with(hi, (uint32_t)(p->tcp.ack - c->tcp.seq - tcp_consumed(c)), 1ull << 32);
	return (int64_t)hi - 1;
}

/*
 * Checksums that cannot be judged from what a raw socket hands over, said
 * so (null) rather than "bad". A TCP or UDP checksum Linux left for the
 * hardware to finish (veth and loopback never do: CHECKSUM_PARTIAL) holds
 * the pseudo-header's sum, not inverted: that datagram was never summed.
 */
static void unfinished_checksum(struct rp_packet *p)
{
	uint16_t want_partial;
	int8_t *ok;
	uint16_t field;
	uint8_t proto;

	/*
	 * Our own kernel wrote itself into a record-route or timestamp option
	 * on the way in (ip_options_compile) and left the header checksum as
	 * it was: the header seen here is not the one on the wire.
	 */
	for (unsigned i = 0; i < p->ip.nopts && p->ip.checksum_ok == RP_CHECK_BAD; i++)
		if (p->ip.opts[i].type == RP_IPOPT_RR || p->ip.opts[i].type == RP_IPOPT_TS)
			p->ip.checksum_ok = RP_CHECK_NONE;
	if (p->l4 == RP_L4_TCP) {
		ok = &p->tcp.checksum_ok;
		field = p->tcp.checksum;
		proto = IPPROTO_TCP;
	} else if (p->l4 == RP_L4_UDP) {
		ok = &p->udp.checksum_ok;
		field = p->udp.checksum;
		proto = IPPROTO_UDP;
	} else {
		return;
	}
	if (*ok != RP_CHECK_BAD || p->ip.len < p->ip.ihl * 4u)
		return;
	want_partial = (uint16_t)~rp_csum_fold(rp_csum_pseudo4(p->ip.src, p->ip.dst, proto,
							       p->ip.len - p->ip.ihl * 4u));
	if (field == want_partial)
		*ok = RP_CHECK_NONE;
}

static void on_datagram(struct craft *r, const uint8_t *d, size_t n, int64_t ts)
{
	struct rp_packet *p = &r->pkt;
	enum rp_craft_answer kind;
	struct slot *s;
	int64_t k, rtt = -1;
	bool dup = false;

	rp_decode(p, CRAFT_DLT_RAW, d, (uint32_t)n, (uint32_t)n, RP_DECODE_CHECKSUMS);
	kind = rp_craft_match(r->c, r->c->src, p);
	if (kind == RP_ANSWER_NONE || (k = probe_of(r, p, kind)) < 0)
		return;
	unfinished_checksum(p);
	s = &r->ring[(uint64_t)k & r->ring_mask];
	if (atomic_load_explicit(&s->probe, memory_order_acquire) == (uint64_t)k + 1) {
		rtt = ts - atomic_load_explicit(&s->sent_ns, memory_order_relaxed);
		if (rtt < 0)
			rtt = 0;
		dup = s->answered == (uint64_t)k + 1;
		s->answered = (uint64_t)k + 1;
	}
	if (dup) {
		r->dups++;
	} else if (kind == RP_ANSWER_REPLY) {
		r->replies++;
		if (rtt >= 0)
			rp_rtt_add(&r->rtt, rtt);
	} else {
		r->errors++;
	}
	p->frame = ++r->frames;
	p->ts_sec = ts / 1000000000;
	p->ts_nsec = (uint32_t)(ts % 1000000000);
	if (r->pcap)
		rp_pcapw_write(r->pcap, d, n, ts);
	craft_out_answer(&r->out, r->o, p, d, n, &(struct craft_answer){ .probe = (uint64_t)k + 1,
		.rtt_ns = rtt, .dup = dup, .error = kind == RP_ANSWER_ERROR });
}

static void receive(struct craft *r, const struct pollfd *p)
{
	for (unsigned i = 0; i < r->nrx; i++) {
		if (!(p[i].revents & POLLIN))
			continue;
		for (int round = 0; round < RX_ROUNDS; round++) {
			int n = rp_icmp_recv(&r->rx[i], &r->batch, 0);
			if (n < 0)
				cmd_fail(CRAFT_SUB, "receiving: %s", strerror(errno));
			for (int j = 0; j < n; j++)
				on_datagram(r, r->batch.data[j], r->batch.len[j], r->batch.ts_ns[j]);
			if ((unsigned)n < r->batch.cap)
				break;
		}
	}
}

/* ------------------------------------------------------------ the loop */

static bool all_sent(const struct craft *r)
{
	for (unsigned i = 0; i < r->nworkers; i++)
		if (!atomic_load_explicit(&r->w[i].done, memory_order_acquire))
			return false;
	return true;
}

/* When listening ends: -W after the last datagram went. */
static int64_t linger_end(const struct craft *r)
{
	int64_t last = 0;

	for (unsigned i = 0; i < r->nworkers; i++) {
		int64_t t = atomic_load_explicit(&r->w[i].last_send, memory_order_relaxed);
		if (t > last)
			last = t;
	}
	return last + r->o->wait_ns;
}

/* Every probe has its answer (a reply or an error): nothing more to wait for. */
static bool all_answered(const struct craft *r)
{
	return r->replies + r->errors >= sent_total(r);
}

/* Sleeps until 'until' (monotonic), an answer, a finished worker or a signal. */
static int wait_events(struct craft *r, int64_t until, struct pollfd *p)
{
	struct worker *w0 = &r->w[0];
	struct timespec ts;
	unsigned n = r->nrx;
	int rc;

	for (unsigned i = 0; i < r->nrx; i++)
		p[i] = (struct pollfd){ .fd = r->rx[i].fd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = r->done_fd, .events = POLLIN };
	if (w0->blocked)
		p[n++] = (struct pollfd){ .fd = worker_fd(w0), .events = POLLOUT };
	/* Nothing, not even the first line, before a datagram went: a failed send leaves no output. */
	if (until != 0 && sent_total(r) > 0)
		rp_out_flush(&r->out);
	rc = ppoll(p, n, cmd_timeout_until(until, &ts), NULL);
	if (rc > 0 && (p[r->nrx].revents & POLLIN))
		signal_came();
	return rc;
}

static void run(struct craft *r)
{
	struct worker *w0 = &r->w[0];
	struct pollfd p[8];
	uint64_t drained;

	for (;;) {
		int64_t now = cmd_mono_ns(), until;

		if (atomic_load(&craft_stop))
			break;
		if (!atomic_load_explicit(&w0->done, memory_order_relaxed)) {
			send_due(w0, now);
			if (worker_finished(w0))
				atomic_store_explicit(&w0->done, true, memory_order_release);
		}
		if (all_sent(r) && (r->nrx == 0 || now >= linger_end(r) || all_answered(r)))
			break;
		until = all_sent(r) ? linger_end(r) : worker_wake(w0);
		if (until != INT64_MAX && until <= now)
			until = 0;
		if (wait_events(r, until, p) <= 0)
			continue;
		receive(r, p);
		if (p[r->nrx + 1].revents & POLLIN && read(r->done_fd, &drained, sizeof drained) < 0) {
			/* Another wake-up took it: the workers' flags say the rest. */
		}
		if (w0->blocked && (p[r->nrx + 2].revents & (POLLOUT | POLLERR)))
			w0->blocked = false;
	}
}

/* ------------------------------------------------------------ setup and summary */

static uint64_t ring_size(uint64_t count)
{
	uint64_t n = 1;

	while (n < count && n < RING_MAX)
		n <<= 1;
	return n;
}

static void *zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		cmd_fail(CRAFT_SUB, "out of memory");
	return p;
}

static void prepare_worker(struct craft *r, struct worker *w, unsigned i, struct craft_socks *s)
{
	uint64_t count = r->o->count;

	w->r = r;
	w->index = i;
	w->quota = count > i ? (count - i - 1) / r->nworkers + 1 : 0;
	w->sock.fd = s->raw[i];
	w->sock.mode = RP_ICMP_RAW;
	if (r->use_link) {
		w->link = &s->link[i];
		if (i > 0) { /* one next hop for all: copy where worker 0's socket was resolved to */
			int fd = w->link->fd;
			*w->link = s->link[0];
			w->link->fd = fd;
		}
	}
	if (r->nfrags > 1) {
		w->per_batch = 1;
		w->buf_cap = r->frag_bytes;
		w->buf = zalloc(w->buf_cap);
		w->whole = zalloc(r->len);
		memcpy(w->whole, r->dg, r->len);
		w->fr = zalloc(CRAFT_FRAGS_MAX * sizeof *w->fr);
		w->tx = zalloc(CRAFT_FRAGS_MAX * sizeof *w->tx);
	} else {
		w->per_batch = TX_BATCH;
		w->buf = zalloc(TX_BATCH * r->len);
		for (unsigned j = 0; j < TX_BATCH; j++)
			memcpy(w->buf + j * r->len, r->dg, r->len);
		w->tx = zalloc(TX_BATCH * sizeof *w->tx);
	}
	atomic_store(&w->done, w->quota == 0);
}

/* The packet socket's next hop, found now that nothing privileged is left. */
static void resolve_link(struct craft *r, struct craft_socks *s)
{
	char err[256];

	if (rp_link_tx_resolve(&s->link[0], r->c->dst, r->o->interface, 3000, err, sizeof err) != 0)
		cmd_fail(CRAFT_SUB, "packet socket to %s: %s", r->target, err);
}

/* Fragments: how many per probe and how many bytes they take, by cutting the datagram once. */
static void plan_fragments(struct craft *r, unsigned route_mtu)
{
	struct rp_frag *fr;
	uint8_t *tmp;
	size_t cap;
	int n;

	r->nfrags = 1;
	r->frag_mtu = craft_frag_mtu(r->o, r->len, route_mtu);
	if (!r->frag_mtu)
		return;
	cap = CRAFT_FRAGS_BYTES(r->len);
	tmp = zalloc(cap);
	fr = zalloc(CRAFT_FRAGS_MAX * sizeof *fr);
	n = rp_ipv4_fragment(r->dg, r->len, r->frag_mtu, tmp, cap, fr, CRAFT_FRAGS_MAX);
	if (n < 0)
		cmd_fail(CRAFT_SUB, "--fragment %u is too small for this datagram's header and 8 bytes of "
			 "data", r->frag_mtu);
	r->nfrags = (unsigned)n;
	r->frag_bytes = cap;
	free(tmp);
	free(fr);
}

static void start_workers(struct craft *r)
{
	for (unsigned i = 1; i < r->nworkers; i++) {
		int err = pthread_create(&r->w[i].thread, NULL, worker_main, &r->w[i]);
		if (err != 0)
			cmd_fail(CRAFT_SUB, "cannot start a send worker: %s", strerror(err));
	}
}

static void stop_workers(struct craft *r)
{
	if (!all_sent(r)) {
		craft_stop = 1;
		if (write(stop_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
			/* Already readable. */
		}
	}
	for (unsigned i = 1; i < r->nworkers; i++)
		pthread_join(r->w[i].thread, NULL);
}

static void setup(struct craft *r, struct craft_socks *s, unsigned route_mtu)
{
	char err[256];

	inet_ntop(AF_INET, &r->c->dst, r->target, sizeof r->target);
	r->use_link = r->o->link || rp_craft_needs_link_send(r->c);
	if (r->use_link && !s->have_link)
		cmd_fail(CRAFT_SUB, "this datagram needs the packet socket, which was not opened; "
			 "add --link");
	r->len = rp_craft_size(r->c);
	r->dg = zalloc(r->len);
	if (rp_craft_build(r->c, r->dg, r->len) != r->len)
		cmd_fail(CRAFT_SUB, "the datagram could not be built");
	plan_fragments(r, route_mtu);
	if (r->use_link)
		resolve_link(r, s);
	if (s->nrx && rp_rx_batch_init(&r->batch, RX_BATCH, RP_CRAFT_MAX) != 0)
		cmd_fail(CRAFT_SUB, "out of memory");
	setup_receivers(r, s);
	r->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->done_fd < 0)
		cmd_fail(CRAFT_SUB, "eventfd: %s", strerror(errno));
	r->ring_mask = ring_size(r->o->count) - 1;
	r->ring = zalloc((r->ring_mask + 1) * sizeof *r->ring);
	/*
	 * Fragments from several cores at once trip the target's reassembly
	 * (ipfrag_max_dist: a queue that saw 64 other fragments from its source
	 * between two of its own is dropped): fragmented runs keep one sender.
	 */
	r->nworkers = r->nfrags > 1 ? 1 : s->nworkers;
	for (unsigned i = 0; i < r->nworkers; i++)
		prepare_worker(r, &r->w[i], i, s);
	if (r->o->pcap_path) {
		r->pcap = rp_pcapw_open(r->o->pcap_path, err, sizeof err);
		if (!r->pcap)
			cmd_fail(CRAFT_SUB, "--pcap: %s", err);
	}
}

int craft_run(struct craft_opts *o, struct craft_socks *s, uint32_t route_mtu)
{
	static char outmem[1 << 16];
	static struct craft r; /* a decoded packet and the rest: not on the stack */
	char err[256];

	r.o = o;
	r.c = &o->spec;
	rp_out_init(&r.out, STDOUT_FILENO, outmem, sizeof outmem);
	setup(&r, s, route_mtu);
	craft_catch_signals();
	if (!o->json)
		craft_out_first_line(&r.out, r.target, r.c, r.len, r.nfrags, r.use_link);
	r.start = cmd_mono_ns();
	start_workers(&r);
	run(&r);
	r.end = cmd_mono_ns();
	stop_workers(&r);
	craft_out_summary(&r.out, o->json, &(struct craft_tally){ .target = r.target,
		.sent = sent_total(&r), .replies = r.replies, .errors = r.errors, .dups = r.dups,
		.rtt = &r.rtt, .elapsed_ns = r.end - r.start });
	rp_out_flush(&r.out);
	if (r.out.err)
		cmd_fail(CRAFT_SUB, "writing the output failed: %s", strerror(r.out.err));
	if (r.pcap && rp_pcapw_close(r.pcap, err, sizeof err) != 0)
		cmd_fail(CRAFT_SUB, "%s", err);
	return RP_EXIT_OK;
}
