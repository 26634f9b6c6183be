/*
 * The ICMP socket engine: a raw socket that sends whole IPv4 datagrams
 * (IP_HDRINCL) and receives only the ICMP messages about our own
 * identifier (ICMP_FILTER plus a socket BPF program), or, without
 * CAP_NET_RAW, an unprivileged ICMP datagram socket (net.ipv4.ping_group_range).
 *
 * Either way received messages come out as whole IPv4 datagrams with the
 * kernel's receive timestamp: for datagram sockets the engine writes the IP
 * header the kernel kept to itself, and turns queued errors (IP_RECVERR)
 * into the ICMP error datagrams they came from, so that one decoder and one
 * matcher serve both.
 */
#ifndef RAWPROBE_ICMPSOCK_H
#define RAWPROBE_ICMPSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum rp_icmp_mode {
	RP_ICMP_RAW,   /* SOCK_RAW with IP_HDRINCL: we write the IPv4 header */
	RP_ICMP_DGRAM, /* SOCK_DGRAM, IPPROTO_ICMP: the kernel writes it and picks the id */
};

enum rp_open_error {
	RP_OPEN_OK,
	RP_OPEN_NO_PRIVILEGE, /* no CAP_NET_RAW and ping_group_range excludes us */
	RP_OPEN_FAILED,       /* anything else: err says what */
};

struct rp_icmp_sock {
	int fd;
	enum rp_icmp_mode mode;
	uint16_t id;    /* the echo identifier of this run */
	uint32_t local; /* datagram mode: the bound address, once known (network order) */
	bool tx_stamps; /* the kernel reports transmit times (rp_icmp_tx_stamps_on) */
	uint32_t tx_key; /* datagrams sent since then: the kernel's key for the next one */
};

struct rp_icmp_sock_opts {
	const char *device;   /* SO_BINDTODEVICE, or NULL */
	bool raw_only;        /* no datagram fallback (craft, trace) */
	int rcvbuf;           /* SO_RCVBUF bytes, 0 for the default */
	uint8_t ttl, tos;     /* datagram mode: set on the socket (raw: in each header) */
	int pmtudisc;         /* -1 default, else IP_PMTUDISC_DO / IP_PMTUDISC_DONT */
	uint32_t source;      /* datagram mode: bind to this address (network order), 0: any */
};

/*
 * Opens the socket: raw when CAP_NET_RAW can be raised (it is raised only
 * around socket(2) and SO_BINDTODEVICE), else a datagram socket unless
 * raw_only. Chooses the run's identifier. Call before dropping privileges.
 */
enum rp_open_error rp_icmp_sock_open(struct rp_icmp_sock *s, const struct rp_icmp_sock_opts *o,
				     char *err, size_t errlen);

/* Sets up what needs no privilege: filters, timestamps, TTL reporting. */
int rp_icmp_sock_setup(struct rp_icmp_sock *s, const struct rp_icmp_sock_opts *o, char *err,
		       size_t errlen);

void rp_icmp_sock_close(struct rp_icmp_sock *s);

/*
 * A non-blocking raw socket of protocol proto (IPPROTO_ICMP, IPPROTO_RAW...),
 * bound to device when not NULL, with CAP_NET_RAW raised only around
 * socket(2) and SO_BINDTODEVICE. -1 with errno set (EPERM: no privilege);
 * err is filled only when binding to the device failed.
 */
int rp_raw_socket(int proto, const char *device, char *err, size_t errlen);

/*
 * The classic BPF program the raw socket filters with: echo replies with
 * identifier id, and ICMP errors quoting an echo request with id; nothing
 * else. Writes RP_ID_FILTER_LEN instructions to out and returns the count.
 */
#define RP_ID_FILTER_LEN 18
struct sock_filter;
unsigned rp_icmp_id_filter(uint16_t id, struct sock_filter *out);

/*
 * The source address the kernel would choose to reach dst (network order)
 * and the path MTU it knows (mtu may be NULL), via a UDP connect.
 */
int rp_route_source(uint32_t dst, const char *device, uint32_t *src, unsigned *mtu, char *err,
		    size_t errlen);

/* An outgoing datagram: raw mode sends data whole, datagram mode sends data + 20 (the ICMP part). */
struct rp_tx {
	const uint8_t *data; /* starts with the IPv4 header in both modes */
	size_t len;
	uint32_t dst;        /* network order */
};

/* Sends n datagrams with as few calls as possible (sendmmsg). Returns how many went, -1 on error. */
int rp_icmp_send(struct rp_icmp_sock *s, const struct rp_tx *tx, unsigned n);

/*
 * Asks the kernel for the software transmit time of every datagram sent
 * (SO_TIMESTAMPING, keyed by a counter), for captures of what was sent.
 */
int rp_icmp_tx_stamps_on(struct rp_icmp_sock *s, char *err, size_t errlen);

/*
 * The transmit times waiting in the error queue, for the n datagrams keyed
 * first_key.. (s->tx_key before the send): ts_ns[i] is set for those the
 * kernel has reported and left alone for the others. Reports that belong
 * to no such datagram are dropped, so the queue never stays readable.
 */
void rp_icmp_tx_stamps(struct rp_icmp_sock *s, uint32_t first_key, unsigned n, int64_t *ts_ns);

#define RP_RX_HEADROOM 20 /* datagram mode writes the IPv4 header in front of what it received */

/* A batch of received datagrams, buffers allocated once. */
struct rp_rx_batch {
	unsigned cap, n;
	size_t slot;          /* bytes per buffer, headroom included */
	uint8_t *mem;
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_storage *from;
	uint8_t *ctl;         /* control buffers */
	/* results, per message */
	uint8_t **data;       /* the IPv4 datagram */
	size_t *len;
	int64_t *ts_ns;       /* kernel receive time, CLOCK_REALTIME */
	bool *truncated;
};

int rp_rx_batch_init(struct rp_rx_batch *b, unsigned cap, size_t max_datagram);
void rp_rx_batch_free(struct rp_rx_batch *b);

/*
 * Reads what is waiting, without blocking: up to max datagrams (b->cap
 * when 0; recvmmsg, or recvmsg when max is 1), plus in datagram mode the
 * queued errors. Returns b->n, 0 when nothing was waiting, -1 on error.
 */
int rp_icmp_recv(struct rp_icmp_sock *s, struct rp_rx_batch *b, unsigned max);

#endif
