/*
 * The fuzz input format, shared by the harness (reads it) and pcap2seeds
 * (writes it): [link byte][wire length, 4 bytes big-endian][frame].
 */
#ifndef RAWPROBE_FUZZ_INPUT_H
#define RAWPROBE_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_FUZZ_HDR 5
#define RP_FUZZ_ECHO_BIT 0x80

/* The link types rp_decode understands, with the names libpcap gives them. */
static const struct rp_fuzz_link {
	int dlt;
	const char *name;
} rp_fuzz_links[] = {
	{ 1, "EN10MB" },       /* Ethernet */
	{ 12, "RAW" },         /* raw IP, Linux and most systems */
	{ 14, "RAW" },         /* raw IP, OpenBSD's value */
	{ 101, "RAW" },        /* LINKTYPE_RAW as written in files */
	{ 228, "IPV4" },
	{ 113, "LINUX_SLL" },
	{ 276, "LINUX_SLL2" },
	{ 0, "NULL" },         /* BSD loopback, host byte order family */
	{ 108, "LOOP" },       /* OpenBSD loopback, network byte order family */
};

#define RP_FUZZ_NLINKS (sizeof(rp_fuzz_links) / sizeof(rp_fuzz_links[0]))

struct rp_fuzz_input {
	int dlt;
	const char *link_name;
	bool echo_matched;
	uint32_t len;
	const uint8_t *frame;
	uint32_t caplen;
};

static inline bool rp_fuzz_parse(const uint8_t *data, size_t size, struct rp_fuzz_input *in)
{
	if (size < RP_FUZZ_HDR || size - RP_FUZZ_HDR > UINT32_MAX)
		return false;
	const struct rp_fuzz_link *l = &rp_fuzz_links[(data[0] & 0x7f) % RP_FUZZ_NLINKS];
	in->dlt = l->dlt;
	in->link_name = l->name;
	in->echo_matched = (data[0] & RP_FUZZ_ECHO_BIT) != 0;
	in->len = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
	in->frame = data + RP_FUZZ_HDR;
	in->caplen = (uint32_t)(size - RP_FUZZ_HDR);
	return true;
}

/* The link byte for a DLT, or -1 when the harness does not know it. */
static inline int rp_fuzz_link_byte(int dlt)
{
	for (size_t i = 0; i < RP_FUZZ_NLINKS; i++)
		if (rp_fuzz_links[i].dlt == dlt)
			return (int)i;
	return -1;
}

/* Writes the 5-byte header for a frame of link type index li. */
static inline void rp_fuzz_header(uint8_t hdr[RP_FUZZ_HDR], int li, uint32_t len)
{
	hdr[0] = (uint8_t)li;
	hdr[1] = (uint8_t)(len >> 24);
	hdr[2] = (uint8_t)(len >> 16);
	hdr[3] = (uint8_t)(len >> 8);
	hdr[4] = (uint8_t)len;
}

#endif
