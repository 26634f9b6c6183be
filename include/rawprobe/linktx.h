/*
 * Sending IPv4 datagrams exactly as built, below the IP layer: a packet
 * socket (AF_PACKET, SOCK_DGRAM, ETH_P_IP) with the next hop's link address
 * from the kernel's routing and neighbour tables (rtnetlink). Used where an
 * IP_HDRINCL raw socket would rewrite fields (raw(7)).
 */
#ifndef RAWPROBE_LINKTX_H
#define RAWPROBE_LINKTX_H

#include <stddef.h>
#include <stdint.h>

struct rp_link_tx {
	int fd;               /* AF_PACKET, SOCK_DGRAM */
	int ifindex;
	char ifname[16];
	uint32_t nexthop;     /* the gateway, or the destination itself (network order) */
	uint8_t lladdr[16];   /* the next hop's link address (empty on loopback, tun...) */
	uint8_t lladdr_len;
};

/* Opens the packet socket (CAP_NET_RAW raised around socket(2) only). */
int rp_link_tx_open(struct rp_link_tx *t, char *err, size_t errlen);

/*
 * Finds the route to dst (through device when not NULL), its output
 * interface and next hop, and the next hop's link address. When the
 * neighbour table has no valid entry it asks the kernel to resolve one and
 * waits for the answer (netlink notifications) up to timeout_ms.
 * -1 with err filled ("no route to ...", "10.200.0.2 did not answer ARP ...").
 * Needs no privilege. A destination of our own (127.0.0.0/8, a local
 * address) resolves to lo; what is sent there comes back in through the
 * input path, which drops a loopback destination or a local source as
 * martian unless lo has route_localnet=1 and accept_local=1.
 */
int rp_link_tx_resolve(struct rp_link_tx *t, uint32_t dst, const char *device, int timeout_ms,
		       char *err, size_t errlen);

/* Sends one datagram as is; returns bytes sent or -1 (errno set). */
long rp_link_tx_send(const struct rp_link_tx *t, const uint8_t *dg, size_t len);

/*
 * Sends n datagrams as they are (tx[i].dst is not used: all go to the
 * resolved next hop) with as few calls as possible (sendmmsg). Returns how
 * many went, -1 on error (errno set).
 */
struct rp_tx;
int rp_link_tx_send_batch(const struct rp_link_tx *t, const struct rp_tx *tx, unsigned n);

void rp_link_tx_close(struct rp_link_tx *t);

#endif
