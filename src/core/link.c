/*
 * Link layers: Ethernet (with 802.1Q/802.1ad tags), raw IP, Linux cooked
 * (SLL, SLL2), BSD loopback (NULL, LOOP). Each finds where the network layer
 * starts and what it is.
 */
#include <stdio.h>

#include "rawprobe/decode.h"

/* DLT values as libpcap reports them on Linux. */
enum {
	DLT_NULL_ = 0,
	DLT_EN10MB_ = 1,
	DLT_RAW_ = 12,
	DLT_RAW_OPENBSD_ = 14,
	DLT_RAW_LINKTYPE_ = 101,
	DLT_LOOP_ = 108,
	DLT_LINUX_SLL_ = 113,
	DLT_IPV4_ = 228,
	DLT_LINUX_SLL2_ = 276,
};

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_MIN 0x0600 /* below: an 802.3 length field */
#define AF_INET_ALL 2        /* AF_INET is 2 on every system that writes captures */

bool rp_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL_: case DLT_EN10MB_: case DLT_RAW_: case DLT_RAW_OPENBSD_:
	case DLT_RAW_LINKTYPE_: case DLT_LOOP_: case DLT_LINUX_SLL_: case DLT_IPV4_:
	case DLT_LINUX_SLL2_:
		return true;
	default:
		return false;
	}
}

/* A header of hlen bytes must be there: malformed if the frame is shorter, cut if not captured. */
static enum rp_status need_header(const struct rp_buf *f, size_t hlen, const char *name, char *why)
{
	switch (rp_buf_avail(f, 0, hlen)) {
	case RP_AVAIL:
		return RP_DEC_OK;
	case RP_UNCAPTURED:
		return RP_DEC_CUT;
	default:
		snprintf(why, RP_MALFORMED_MAX, "%s: frame length %zu < %zu", name, f->wire, hlen);
		return RP_DEC_MALFORMED;
	}
}

static void set_payload(struct rp_packet *pkt, uint32_t ethertype, const struct rp_buf *f,
			size_t off, struct rp_buf *l3)
{
	pkt->ethertype = ethertype;
	pkt->l3_offset = (uint32_t)off;
	*l3 = rp_buf_tail(f, off);
	if (ethertype == ETHERTYPE_IPV4) {
		pkt->l3 = RP_L3_IPV4;
	} else {
		pkt->l3 = RP_L3_OTHER;
		pkt->other_kind = RP_OTHER_ETHERTYPE;
	}
}

static bool is_vlan_tpid(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

static enum rp_status ether_decode(struct rp_packet *pkt, const struct rp_buf *f,
				   struct rp_buf *l3, char *why)
{
	enum rp_status st = need_header(f, 14, "eth", why);
	size_t off = 12;
	uint16_t type;

	if (st != RP_DEC_OK)
		return st;
	pkt->mac = f->data;
	rp_get_be16(f, off, &type);
	while (is_vlan_tpid(type)) {
		uint16_t tci;
		if ((st = need_header(f, off + 6, "vlan", why)) != RP_DEC_OK)
			return st;
		rp_get_be16(f, off + 2, &tci);
		if (pkt->nvlan < RP_VLAN_MAX) {
			pkt->vlan_tpid[pkt->nvlan] = type;
			pkt->vlan[pkt->nvlan++] = tci;
		}
		off += 4;
		rp_get_be16(f, off, &type);
	}
	set_payload(pkt, type, f, off + 2, l3);
	if (type < ETHERTYPE_MIN) /* an 802.3 length field, not a type: an LLC frame */
		pkt->other_kind = RP_OTHER_8023;
	return RP_DEC_OK;
}

static enum rp_status raw_decode(struct rp_packet *pkt, const struct rp_buf *f,
				 struct rp_buf *l3, bool v4_only)
{
	uint8_t vhl;

	pkt->l3_offset = 0;
	*l3 = *f;
	if (!rp_get_u8(f, 0, &vhl) || v4_only || vhl >> 4 != 6) {
		/* IPv4, or not readable: the IPv4 decoder says which. */
		pkt->ethertype = ETHERTYPE_IPV4;
		pkt->l3 = RP_L3_IPV4;
		return RP_DEC_OK;
	}
	pkt->l3 = RP_L3_OTHER;
	pkt->other_kind = RP_OTHER_IPVER;
	pkt->ethertype = 6;
	return RP_DEC_OK;
}

static enum rp_status sll_decode(struct rp_packet *pkt, const struct rp_buf *f,
				 struct rp_buf *l3, bool v2, char *why)
{
	size_t hlen = v2 ? 20 : 16;
	enum rp_status st = need_header(f, hlen, v2 ? "sll2" : "sll", why);
	uint16_t proto;

	if (st != RP_DEC_OK)
		return st;
	rp_get_be16(f, v2 ? 0 : 14, &proto);
	/* Values below 0x600 are Linux's own protocol codes here, not lengths: shown as types. */
	set_payload(pkt, proto, f, hlen, l3);
	return RP_DEC_OK;
}

static enum rp_status loopback_decode(struct rp_packet *pkt, const struct rp_buf *f,
				      struct rp_buf *l3, bool network_order, char *why)
{
	enum rp_status st = need_header(f, 4, network_order ? "loop" : "null", why);
	uint32_t family;

	if (st != RP_DEC_OK)
		return st;
	if (network_order) {
		rp_get_be32(f, 0, &family);
	} else {
		/* Host order of the machine that captured: take whichever reading is small. */
		rp_get_le32(f, 0, &family);
		if (family > 0xffff)
			rp_get_be32(f, 0, &family);
	}
	pkt->l3_offset = 4;
	*l3 = rp_buf_tail(f, 4);
	pkt->ethertype = family;
	if (family == AF_INET_ALL) {
		pkt->l3 = RP_L3_IPV4;
	} else {
		pkt->l3 = RP_L3_OTHER;
		pkt->other_kind = RP_OTHER_FAMILY;
	}
	return RP_DEC_OK;
}

enum rp_status rp_link_decode(struct rp_packet *pkt, int dlt, const struct rp_buf *frame,
			      struct rp_buf *l3, char *why)
{
	switch (dlt) {
	case DLT_EN10MB_:
		return ether_decode(pkt, frame, l3, why);
	case DLT_RAW_: case DLT_RAW_OPENBSD_: case DLT_RAW_LINKTYPE_:
		return raw_decode(pkt, frame, l3, false);
	case DLT_IPV4_:
		return raw_decode(pkt, frame, l3, true);
	case DLT_LINUX_SLL_:
		return sll_decode(pkt, frame, l3, false, why);
	case DLT_LINUX_SLL2_:
		return sll_decode(pkt, frame, l3, true, why);
	case DLT_NULL_:
		return loopback_decode(pkt, frame, l3, false, why);
	case DLT_LOOP_:
		return loopback_decode(pkt, frame, l3, true, why);
	default:
		pkt->l3 = RP_L3_NONE;
		return RP_DEC_OK;
	}
}
