/*
 * rawprobe craft --from-pcap: the IPv4 datagrams of a capture sent again,
 * at layer 3, with the capture's timing (or a pace given), optionally to
 * another destination or from another source.
 *
 * A rewritten address changes the IP header checksum and the UDP and TCP
 * pseudo-header checksums; they are updated incrementally (RFC 1624), so a
 * checksum that was right stays right and one the capture had wrong stays
 * exactly as wrong. Datagrams the raw socket would change (a wrong header
 * checksum, a total length that is not the datagram's, id or source 0)
 * leave through the packet socket as they are. What cannot be sent is
 * skipped and counted: frames that carry no IPv4, datagrams the capture's
 * snaplen cut short, datagrams over the MTU with DF set, datagrams with no
 * route, and (for anyone but root) datagrams from a source not of this host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd.h"
#include "craft.h"
#include "pcapw.h"
#include "print.h"
#include "rawprobe/bytes.h"
#include "rawprobe/checksum.h"
#include "rawprobe/decode.h"
#include "rawprobe/frag.h"
#include "rawprobe/icmpsock.h"
#include "rawprobe/privs.h"


struct replay {
	struct craft_opts *o;
	struct craft_socks *s;
	pcap_t *pcap;
	int dlt;
	const char *link_name;
	struct bpf_program filter;
	bool filtering;
	struct rp_icmp_sock raw;
	/* per destination, cached: the last one looked up */
	uint32_t route_dst, link_dst;
	unsigned route_mtu;
	bool have_route, have_link;
	/* one datagram, and its fragments */
	uint8_t dg[65536];
	uint8_t *frags;
	size_t frags_cap;
	struct rp_frag fr[CRAFT_FRAGS_MAX];
	struct rp_tx tx[CRAFT_FRAGS_MAX];
	struct rp_packet pkt;
	/* pace */
	int64_t start, first_ts;
	bool started;
	/* counts */
	uint64_t frames, sent, via_link, filtered, not_ipv4, cut, too_big, short_hdr, no_route, spoofed;
	bool root;
	uint32_t checked_src;          /* the last source looked at, and whether it is ours */
	bool have_checked, src_ours;
	struct rp_out out;
	struct rp_pcapw *save;
};

/* RFC 1624, for a 32-bit field (an address, network order) changed from 'from' to 'to'. */
static uint16_t csum_update32(uint16_t check, uint32_t from, uint32_t to)
{
	const uint8_t *f = (const uint8_t *)&from, *t = (const uint8_t *)&to;

	check = rp_csum_update(check, rp_load_be16(f), rp_load_be16(t));
	return rp_csum_update(check, rp_load_be16(f + 2), rp_load_be16(t + 2));
}

/* ------------------------------------------------------------ opening */

static void open_capture(struct replay *p)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *path = p->o->from_pcap;

	p->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p->pcap)
		cmd_fail(CRAFT_SUB, "--from-pcap: cannot read '%s' (%s); give a pcap or pcapng file", path,
			 errbuf);
	p->dlt = pcap_datalink(p->pcap);
	p->link_name = pcap_datalink_val_to_name(p->dlt);
	if (!p->link_name && (p->dlt == 14 || p->dlt == 101))
		p->link_name = "RAW";
	if (!rp_dlt_supported(p->dlt))
		cmd_fail(CRAFT_SUB, "--from-pcap: '%s' has link type %d (%s), which rawprobe does not "
			 "decode; convert it (e.g. editcap -T) or give another capture", path, p->dlt,
			 p->link_name ? p->link_name : "unknown");
	if (!p->o->filter || p->filtering)
		return;
	if (pcap_compile(p->pcap, &p->filter, p->o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		cmd_fail(CRAFT_SUB, "bad filter '%s': %s (see pcap-filter(7))", p->o->filter,
			 pcap_geterr(p->pcap));
	p->filtering = true;
}

/* ------------------------------------------------------------ one datagram */

/*
 * The datagram inside a frame: its total length when the frame holds it
 * (link padding dropped), what there is when the frame is shorter than its
 * length field says (malformed, sent as it is). 0 when the capture cut it.
 */
static size_t datagram_of(struct replay *p, const struct pcap_pkthdr *h, const uint8_t *frame)
{
	const uint8_t *ip = frame + p->pkt.l3_offset;
	size_t avail, total, hlen;

	if (p->pkt.l3_offset > h->caplen)
		return 0;
	/* A capture may hold more than any IPv4 datagram can (snaplen 262144): the rest is not its. */
	avail = h->caplen - p->pkt.l3_offset;
	if (avail > RP_CRAFT_MAX)
		avail = RP_CRAFT_MAX;
	if (avail < 20) {
		if (h->caplen < h->len)
			return 0;
		memcpy(p->dg, ip, avail);
		return avail;
	}
	total = rp_load_be16(ip + 2);
	hlen = (ip[0] & 0x0f) * 4u;
	if (total > avail && h->caplen < h->len)
		return 0;
	if (total > avail || total < hlen || total < 20)
		total = avail;
	memcpy(p->dg, ip, total);
	return total;
}

/* Where the UDP or TCP checksum lies, when this datagram carries it whole; 0 otherwise. */
static size_t l4_checksum_at(const uint8_t *dg, size_t len)
{
	size_t hlen = (dg[0] & 0x0f) * 4u;

	if (hlen < 20 || (rp_load_be16(dg + 6) & RP_IP_OFFMASK))
		return 0; /* a later fragment: the checksum is in the first */
	if (dg[9] == IPPROTO_UDP && hlen + 8 <= len)
		return hlen + 6;
	if (dg[9] == IPPROTO_TCP && hlen + 18 <= len)
		return hlen + 16;
	return 0;
}

static void rewrite_addr(uint8_t *dg, size_t len, size_t at, uint32_t to)
{
	size_t l4 = l4_checksum_at(dg, len);
	uint32_t from;

	memcpy(&from, dg + at, 4);
	if (from == to)
		return;
	memcpy(dg + at, &to, 4);
	rp_store_be16(dg + 10, csum_update32(rp_load_be16(dg + 10), from, to));
	if (!l4 || (dg[9] == IPPROTO_UDP && rp_load_be16(dg + l4) == 0))
		return; /* UDP without a checksum keeps none */
	rp_store_be16(dg + l4, csum_update32(rp_load_be16(dg + l4), from, to));
	if (dg[9] == IPPROTO_UDP && rp_load_be16(dg + l4) == 0)
		rp_store_be16(dg + l4, 0xffff);
}

static void rewrite(struct replay *p, size_t len)
{
	if (len < 20)
		return;
	if (p->o->rewrite_dst_set)
		rewrite_addr(p->dg, len, 16, p->o->rewrite_dst);
	if (p->o->rewrite_src_set)
		rewrite_addr(p->dg, len, 12, p->o->rewrite_src);
}

/* Whether an IP_HDRINCL raw socket would send these bytes other than they are (raw(7)). */
static bool kernel_would_change(const uint8_t *dg, size_t len)
{
	size_t hlen;

	if (len < 20)
		return true;
	hlen = (dg[0] & 0x0f) * 4u;
	if ((dg[0] >> 4) != 4 || hlen < 20 || hlen > len || rp_load_be16(dg + 2) != len)
		return true;
	if (rp_csum(dg, hlen) != 0)
		return true;
	return rp_load_be16(dg + 4) == 0 || !memcmp(dg + 12, "\0\0\0\0", 4);
}

static uint32_t dst_of(const uint8_t *dg, size_t len)
{
	uint32_t d = 0;

	if (len >= 20)
		memcpy(&d, dg + 16, 4);
	return d;
}

/*
 * Whether this user may send from src: root may send from anywhere; anyone
 * else only from one of this host's addresses (CONTRACT.md: spoofing is
 * root's). The capture's own sources are not ours, as a rule.
 */
static bool source_allowed(struct replay *p, const uint8_t *dg)
{
	uint32_t src;

	if (p->root)
		return true;
	memcpy(&src, dg + 12, 4);
	if (p->have_checked && p->checked_src == src)
		return p->src_ours;
	p->src_ours = craft_source_is_local(src);
	p->checked_src = src;
	p->have_checked = true;
	return p->src_ours;
}

/* The route's MTU to dst; 0 when there is no route (the datagram is skipped). */
static unsigned route_mtu(struct replay *p, uint32_t dst)
{
	char err[256];
	uint32_t src;

	if (p->have_route && p->route_dst == dst)
		return p->route_mtu;
	if (rp_route_source(dst, p->o->interface, &src, &p->route_mtu, err, sizeof err) != 0)
		p->route_mtu = 0;
	p->route_dst = dst;
	p->have_route = true;
	return p->route_mtu;
}

static struct rp_link_tx *link_to(struct replay *p, uint32_t dst)
{
	struct rp_link_tx *t = &p->s->link[0];
	char err[256], a[INET_ADDRSTRLEN];

	if (p->have_link && p->link_dst == dst)
		return t;
	if (rp_link_tx_resolve(t, dst, p->o->interface, 3000, err, sizeof err) != 0)
		cmd_fail(CRAFT_SUB, "--from-pcap: packet socket to %s: %s",
			 inet_ntop(AF_INET, &dst, a, sizeof a), err);
	p->link_dst = dst;
	p->have_link = true;
	return t;
}

/* Sends n datagrams of p->tx, waiting for room in the socket's buffer as needed. */
static void transmit(struct replay *p, struct rp_link_tx *link, unsigned n, int64_t real)
{
	unsigned done = 0;

	while (done < n) {
		int k = link ? rp_link_tx_send_batch(link, p->tx + done, n - done)
			     : rp_icmp_send(&p->raw, p->tx + done, n - done);
		if (k < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
			/* Room in the socket's buffer is worth polling for; a full device queue (ENOBUFS) is not. */
			int fd = errno == EAGAIN && !link ? p->raw.fd : -1;
			if (!craft_wait_until(cmd_mono_ns() + 1000000, fd))
				return; /* a signal: the summary says what went */
			continue;
		}
		if (k < 0) {
			char a[INET_ADDRSTRLEN];
			int err = errno;
			craft_fail_send(inet_ntop(AF_INET, &p->tx[done].dst, a, sizeof a), err);
		}
		if (p->save)
			for (int i = 0; i < k; i++)
				rp_pcapw_write(p->save, p->tx[done + i].data, p->tx[done + i].len, real);
		done += (unsigned)k;
	}
}

static void show(struct replay *p, const uint8_t *d, size_t n)
{
	rp_decode(&p->pkt, CRAFT_DLT_RAW, d, (uint32_t)n, (uint32_t)n, RP_DECODE_CHECKSUMS);
	p->pkt.frame = p->sent;
	if (p->o->json) {
		static const char lead[] = "\"type\":\"packet\",";
		craft_print_json(&p->out, &p->pkt, lead, sizeof lead - 1);
		return;
	}
	craft_print_line(&p->out, &p->pkt, p->o->verbose, false);
	rp_out_char(&p->out, '\n');
}

/* One datagram out: whole, in fragments when over the MTU, or skipped. */
static void send_one(struct replay *p, size_t len)
{
	uint32_t dst = dst_of(p->dg, len);
	bool exact = kernel_would_change(p->dg, len);
	unsigned mtu;
	int n = 1;

	if (len < 20) {
		p->short_hdr++;
		return;
	}
	if (!source_allowed(p, p->dg)) {
		p->spoofed++;
		return;
	}
	mtu = route_mtu(p, dst);
	if (mtu == 0) {
		p->no_route++;
		return;
	}
	if (len > mtu && (exact || (rp_load_be16(p->dg + 6) & RP_IP_DF))) {
		p->too_big++;
		return;
	}
	if (len > mtu) {
		n = rp_ipv4_fragment(p->dg, len, mtu, p->frags, p->frags_cap, p->fr, CRAFT_FRAGS_MAX);
		if (n < 0) {
			p->too_big++;
			return;
		}
		for (int i = 0; i < n; i++)
			p->tx[i] = (struct rp_tx){ p->frags + p->fr[i].off, p->fr[i].len, dst };
	} else {
		p->tx[0] = (struct rp_tx){ p->dg, len, dst };
	}
	transmit(p, exact ? link_to(p, dst) : NULL, (unsigned)n, cmd_real_ns());
	p->sent++;
	p->via_link += exact;
	if (p->o->verbose)
		show(p, p->dg, len);
}

/* When the frame was captured, in ns: the capture is opened with nanosecond precision. */
static int64_t frame_ns(const struct pcap_pkthdr *h)
{
	return (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
}

/* The capture's own timing from its first datagram sent, or the pace asked for. */
static bool wait_turn(struct replay *p, const struct pcap_pkthdr *h)
{
	int64_t ts = frame_ns(h), due;

	if (!p->started) {
		p->started = true;
		p->start = cmd_mono_ns();
		p->first_ts = ts;
		return true;
	}
	if (p->o->rate_set || p->o->interval_set)
		due = p->start + (int64_t)p->sent * p->o->interval_ns;
	else
		due = p->start + (ts > p->first_ts ? ts - p->first_ts : 0);
	if (due > cmd_mono_ns())
		rp_out_flush(&p->out);
	return craft_wait_until(due, -1);
}

/*
 * The next datagram to send, copied to p->dg and rewritten: its length, or
 * 0 at the end of the capture. Frames skipped on the way are counted.
 */
static size_t next_datagram(struct replay *p, struct pcap_pkthdr **h)
{
	const u_char *frame;
	int rc;

	while ((rc = pcap_next_ex(p->pcap, h, &frame)) == 1) {
		size_t len;

		p->frames++;
		if (p->filtering && !pcap_offline_filter(&p->filter, *h, frame)) {
			p->filtered++;
			continue;
		}
		rp_decode(&p->pkt, p->dlt, frame, (*h)->caplen, (*h)->len, 0);
		if (p->pkt.l3 != RP_L3_IPV4) {
			p->not_ipv4++;
			continue;
		}
		len = datagram_of(p, *h, frame);
		if (len == 0) {
			p->cut++;
			continue;
		}
		rewrite(p, len);
		return len;
	}
	if (rc == PCAP_ERROR)
		cmd_fail(CRAFT_SUB, "--from-pcap: reading '%s' after %llu frames: %s", p->o->from_pcap,
			 (unsigned long long)p->frames, pcap_geterr(p->pcap));
	return 0;
}

static void replay_all(struct replay *p)
{
	uint64_t limit = p->o->count_set ? p->o->count : UINT64_MAX;
	struct pcap_pkthdr *h;
	size_t len;

	while (p->sent < limit && (len = next_datagram(p, &h)) > 0) {
		if (!wait_turn(p, h))
			return;
		send_one(p, len);
	}
}

static void refuse_source(uint64_t frame, const uint8_t *dg)
{
	char a[INET_ADDRSTRLEN];

	cmd_fail(CRAFT_SUB, "--from-pcap: frame %llu comes from %s, not an address of this host: replaying "
		 "it (spoofing) is for root only; give --rewrite-src with one of this host's addresses",
		 (unsigned long long)frame, inet_ntop(AF_INET, dg + 12, a, sizeof a));
}

static void refuse_timing(uint64_t prev_frame, uint64_t frame, int64_t gap)
{
	cmd_fail(CRAFT_SUB, "--from-pcap: frames %llu and %llu are %.3f ms apart in the capture; replaying "
		 "at intervals under 2 ms is for root only, as in iputils ping; give -i 0.002 or more, or "
		 "--rate 500 or less", (unsigned long long)prev_frame, (unsigned long long)frame,
		 (double)(gap > 0 ? gap : 0) / 1e6);
}

/*
 * Anyone but root may send only from this host's addresses (CONTRACT.md),
 * and no faster than one datagram per 2 ms (as iputils ping), also when the
 * capture's own timing sets the pace: the datagrams about to be replayed are
 * looked over first, so that a refusal sends nothing. (send_one checks the
 * source again, should the run go past what was looked over.)
 */
static void check_unprivileged(struct replay *p)
{
	uint64_t limit = p->o->count_set ? p->o->count : UINT64_MAX, n = 0, prev_frame = 0;
	bool sources = !p->o->rewrite_src_set, timing = !p->o->rate_set && !p->o->interval_set;
	struct pcap_pkthdr *h;
	int64_t prev_ts = 0;
	size_t len;

	if (p->root)
		return;
	if (!sources) {
		uint8_t hdr[20] = { 0 };
		char a[INET_ADDRSTRLEN];
		memcpy(hdr + 12, &p->o->rewrite_src, 4);
		if (!source_allowed(p, hdr))
			cmd_fail(CRAFT_SUB, "--rewrite-src %s is not an address of this host: sending from it "
				 "(spoofing) is for root only", inet_ntop(AF_INET, &p->o->rewrite_src, a, sizeof a));
	}
	if (!sources && !timing)
		return;
	while (n < limit && (len = next_datagram(p, &h)) > 0) {
		if (sources && len >= 20 && !source_allowed(p, p->dg))
			refuse_source(p->frames, p->dg);
		if (timing && n > 0 && frame_ns(h) - prev_ts < CRAFT_USER_INTERVAL_MIN_NS)
			refuse_timing(prev_frame, p->frames, frame_ns(h) - prev_ts);
		prev_ts = frame_ns(h);
		prev_frame = p->frames;
		n++;
	}
	/* From the start again, counts and all. */
	pcap_close(p->pcap);
	p->frames = p->filtered = p->not_ipv4 = p->cut = 0;
	open_capture(p);
}

/* ------------------------------------------------------------ output */

static void print_first_line(struct replay *p)
{
	struct rp_out *o = &p->out;

	if (p->o->json)
		return;
	RP_OUT_LIT(o, "REPLAY ");
	rp_out_str(o, p->o->from_pcap);
	RP_OUT_LIT(o, ": link ");
	rp_out_str(o, p->link_name ? p->link_name : "unknown");
	if (p->o->filter) {
		RP_OUT_LIT(o, ", filter '");
		rp_out_str(o, p->o->filter);
		rp_out_char(o, '\'');
	}
	if (p->o->rewrite_dst_set) {
		RP_OUT_LIT(o, ", dst -> ");
		rp_out_ip4(o, p->o->rewrite_dst);
	}
	if (p->o->rewrite_src_set) {
		RP_OUT_LIT(o, ", src -> ");
		rp_out_ip4(o, p->o->rewrite_src);
	}
	RP_OUT_LIT(o, "\n");
}

static void reason(struct rp_out *o, bool *first, uint64_t n, const char *what)
{
	if (!n)
		return;
	if (!*first)
		RP_OUT_LIT(o, ", ");
	*first = false;
	rp_out_u64(o, n);
	rp_out_char(o, ' ');
	rp_out_str(o, what);
}

static void summary_text(struct replay *p, int64_t elapsed)
{
	struct rp_out *o = &p->out;
	uint64_t skipped = p->not_ipv4 + p->cut + p->too_big + p->short_hdr + p->no_route + p->spoofed;
	bool first = true;

	RP_OUT_LIT(o, "\n--- ");
	rp_out_str(o, p->o->from_pcap);
	RP_OUT_LIT(o, " replay statistics ---\n");
	rp_out_u64(o, p->sent);
	RP_OUT_LIT(o, " packets sent");
	if (p->via_link) {
		RP_OUT_LIT(o, " (");
		rp_out_u64(o, p->via_link);
		RP_OUT_LIT(o, " as captured, through the packet socket)");
	}
	RP_OUT_LIT(o, ", ");
	rp_out_u64(o, skipped);
	RP_OUT_LIT(o, " skipped");
	if (skipped) {
		RP_OUT_LIT(o, " (");
		reason(o, &first, p->not_ipv4, "not IPv4");
		reason(o, &first, p->cut, "cut short by the capture's snaplen");
		reason(o, &first, p->too_big, "larger than the MTU with DF set");
		reason(o, &first, p->short_hdr, "shorter than an IPv4 header");
		reason(o, &first, p->no_route, "with no route to their destination");
		reason(o, &first, p->spoofed, "from a source not of this host (root only)");
		rp_out_char(o, ')');
	}
	if (p->filtered) {
		RP_OUT_LIT(o, ", ");
		rp_out_u64(o, p->filtered);
		RP_OUT_LIT(o, " filtered out");
	}
	RP_OUT_LIT(o, ", time ");
	rp_out_u64(o, (uint64_t)(elapsed / 1000000));
	RP_OUT_LIT(o, "ms\n");
}

static void summary_json(struct replay *p)
{
	struct rp_out *o = &p->out;

	RP_OUT_LIT(o, "{\"type\":\"summary\",\"file\":");
	rp_out_json_str(o, p->o->from_pcap);
	RP_OUT_LIT(o, ",\"frames\":");
	rp_out_u64(o, p->frames);
	RP_OUT_LIT(o, ",\"sent\":");
	rp_out_u64(o, p->sent);
	RP_OUT_LIT(o, ",\"packet_socket\":");
	rp_out_u64(o, p->via_link);
	RP_OUT_LIT(o, ",\"skipped\":");
	rp_out_u64(o, p->not_ipv4 + p->cut + p->too_big + p->short_hdr + p->no_route + p->spoofed);
	RP_OUT_LIT(o, ",\"not_ipv4\":");
	rp_out_u64(o, p->not_ipv4);
	RP_OUT_LIT(o, ",\"cut\":");
	rp_out_u64(o, p->cut);
	RP_OUT_LIT(o, ",\"too_big\":");
	rp_out_u64(o, p->too_big);
	RP_OUT_LIT(o, ",\"short\":");
	rp_out_u64(o, p->short_hdr);
	RP_OUT_LIT(o, ",\"no_route\":");
	rp_out_u64(o, p->no_route);
	RP_OUT_LIT(o, ",\"spoofed\":");
	rp_out_u64(o, p->spoofed);
	RP_OUT_LIT(o, ",\"filtered\":");
	rp_out_u64(o, p->filtered);
	RP_OUT_LIT(o, "}\n");
}

int craft_replay(struct craft_opts *o, struct craft_socks *s)
{
	static char outmem[1 << 16];
	static struct replay p;
	char err[256];
	int64_t t0;

	p.o = o;
	p.s = s;
	p.root = rp_privs_real_root();
	p.raw.fd = s->raw[0];
	p.raw.mode = RP_ICMP_RAW;
	p.frags_cap = CRAFT_FRAGS_BYTES(sizeof p.dg);
	p.frags = malloc(p.frags_cap);
	if (!p.frags)
		cmd_fail(CRAFT_SUB, "out of memory");
	rp_out_init(&p.out, STDOUT_FILENO, outmem, sizeof outmem);
	open_capture(&p);
	check_unprivileged(&p);
	if (o->pcap_path && !(p.save = rp_pcapw_open(o->pcap_path, err, sizeof err)))
		cmd_fail(CRAFT_SUB, "--pcap: %s", err);
	craft_catch_signals();
	print_first_line(&p); /* flushed once a datagram went: a send that fails leaves no output */
	t0 = cmd_mono_ns();
	replay_all(&p);
	if (o->json)
		summary_json(&p);
	else
		summary_text(&p, cmd_mono_ns() - t0);
	rp_out_flush(&p.out);
	if (p.filtering)
		pcap_freecode(&p.filter);
	pcap_close(p.pcap);
	if (p.save && rp_pcapw_close(p.save, err, sizeof err) != 0)
		cmd_fail(CRAFT_SUB, "%s", err);
	if (p.out.err)
		cmd_fail(CRAFT_SUB, "writing the output failed: %s", strerror(p.out.err));
	return RP_EXIT_OK;
}
