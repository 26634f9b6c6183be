/*
 * libFuzzer harness for the decoders and both output sinks.
 *
 * Input format (pcap2seeds writes it from real captures):
 *   byte 0      link type: bits 0-6 modulo the table below pick the DLT;
 *               bit 7 set marks the packet as a matched echo reply
 *               (resp_ns set, so the printers' RTT paths run too)
 *   bytes 1-4   the claimed wire length, big-endian; it may be smaller or
 *               far larger than the frame, as a damaged capture can claim
 *   bytes 5-    the captured frame (caplen = what is left)
 *
 * The frame is copied into a buffer of exactly caplen bytes so that ASan
 * sees any read past the capture. Printing goes to an rp_out with fd -1,
 * which discards.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"
#include "print.h"
#include "rawprobe/decode.h"
#include "rawprobe/packet.h"
#include "rawprobe/craft.h"
#include "rawprobe/probe.h"
#include "rawprobe/trace.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A craft probe and a trace from the packet's destination to its source, of a kind the length picks. */
static void match_as_answer(const struct rp_packet *pkt, const uint8_t *ip, size_t caplen,
			    uint32_t salt)
{
	static const enum rp_craft_l4 kinds[] = { RP_CRAFT_ICMP, RP_CRAFT_UDP, RP_CRAFT_TCP, RP_CRAFT_RAW };
	static const uint8_t rnd[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct rp_craft c;
	struct rp_trace_spec t;
	struct rp_trace_answer a;

	rp_craft_init(&c);
	c.dst = pkt->ip.src;
	c.l4 = kinds[salt % 4];
	c.proto = (uint8_t)(salt >> 8);
	c.icmp.type = (uint8_t)(salt >> 16);
	rp_craft_match(&c, pkt->ip.dst, pkt);
	rp_trace_spec_init(&t, salt & 1 ? RP_TRACE_UDP : RP_TRACE_ICMP, pkt->ip.dst, pkt->ip.src, 1,
			   30, 3, 32, rnd);
	rp_trace_classify(&t, pkt, ip, caplen, &a);
}

static char out_storage[1 << 16];

static void check_packet(const struct rp_packet *pkt)
{
	/* The reason must be a terminated string that fits its buffer. */
	if (pkt->malformed != NULL && strnlen(pkt->malformed, RP_MALFORMED_MAX) >= RP_MALFORMED_MAX)
		abort();
	if (pkt->nvlan > RP_VLAN_MAX || pkt->ip.nopts > RP_IPOPT_MAX ||
	    pkt->tcp.nopts > RP_TCPOPT_MAX || pkt->icmp.radv_kept > RP_RADV_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rp_packet pkt; /* large: keep it off the stack */
	struct rp_fuzz_input in;

	if (!rp_fuzz_parse(data, size, &in))
		return 0;

	uint8_t *frame = malloc(in.caplen);
	if (frame == NULL && in.caplen != 0)
		return 0;
	if (in.caplen != 0)
		memcpy(frame, in.frame, in.caplen);

	memset(&pkt, 0, sizeof(pkt));
	pkt.caplen = in.caplen;
	pkt.len = in.len;
	pkt.dlt = in.dlt;
	rp_decode(&pkt, in.dlt, frame, in.caplen, in.len, RP_DECODE_CHECKSUMS);
	check_packet(&pkt);
	/* ping's reply matcher reads the same bytes again (stamps in replies and quotes). */
	if (pkt.l3 == RP_L3_IPV4 && pkt.l3_offset <= in.caplen) {
		static const struct rp_sipkey key = { 1, 2 };
		struct rp_reply r;
		rp_reply_match(&r, &pkt, frame + pkt.l3_offset, in.caplen - pkt.l3_offset,
			       (uint16_t)in.len, &key);
	}
	/* craft's and trace's answer matchers, for probes the packet could answer. */
	if (pkt.l3 == RP_L3_IPV4 && pkt.l3_offset <= in.caplen)
		match_as_answer(&pkt, frame + pkt.l3_offset, in.caplen - pkt.l3_offset, in.len);
	/* What the reading loop fills around the decoder. */
	pkt.frame = 1;
	pkt.ts_sec = 1700000000;
	pkt.ts_nsec = 123456789;
	pkt.resp_ns = in.echo_matched ? 45123 : -1;
	pkt.dup = in.echo_matched && (in.len & 1) != 0;

	struct rp_out o;
	rp_out_init(&o, -1, out_storage, sizeof(out_storage));

	struct rp_text_state st;
	rp_text_state_init(&st);
	struct rp_text_opts opt = {
		.tsfmt = RP_TS_TIME,
		.nano = false,
		.utc = true,
		.verbose = 2,
		.hex = 2,
		.ascii = true,
		.link = true,
	};
	rp_text_packet(&o, &st, &opt, &pkt, frame);
	rp_json_packet(&o, &pkt, in.link_name);
	rp_out_flush(&o);

	free(frame);
	return 0;
}
