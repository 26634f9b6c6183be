/* The server engine's insides, shared by the loop and the per-kind handlers. */
#ifndef RAWPROBE_SERVER_INTERNAL_H
#define RAWPROBE_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "msgq.h"
#include "rawprobe/server.h"
#include "rawprobe/sock.h"
#include "ring.h"

#define RP_SCRATCH (256 * 1024) /* one read in sink/discard, one write in source */
#define RP_BATCH 64             /* messages per recvmmsg/sendmmsg */
#define RP_READ_BUDGET 16       /* reads per readiness event before others get a turn */
#define RP_DEFAULT_QUEUE (256 * 1024)
#define RP_DEFAULT_MSG 65536
#define RP_DGRAM_SOCKBUF (4 * 1024 * 1024) /* room for bursts; the kernel caps it at rmem_max */
#define RP_CHAT_PEERS_DEFAULT 1024
#define RP_CHAT_PEER_IDLE_NS (60 * 1000000000LL)
#define RP_PEER_TEXT 112

struct rp_client {
	struct rp_server *srv;
	int fd;
	uint64_t id;
	bool closed;
	bool rd_eof;          /* the client shut down its sending side */
	bool partial_line;    /* reply on streams: bytes after the last newline */
	uint32_t events;      /* what epoll watches now */
	struct rp_ring out;   /* streams: pending output */
	struct rp_msgq mq;    /* seqpacket: pending output, messages whole */
	char *line;           /* chat on streams: the line being assembled */
	size_t line_len;
	uint64_t replies_due; /* reply: answers owed but not yet queued */
	size_t source_off;    /* source: where in the chargen pattern the stream is */
	int64_t last_active;
	struct rp_client_stats st;
	struct rp_client *prev, *next; /* every client, least recently active first */
	char peer[RP_PEER_TEXT];
};

struct rp_dgram_peer {
	struct sockaddr_storage ss;
	socklen_t len;
	int64_t last;
};

struct rp_server {
	struct rp_sockaddr addr;
	struct rp_server_opts o;
	int fd, ep, spare_fd;
	struct rp_sock_file file;
	char text[RP_SOCKADDR_TEXTLEN];
	char *scratch;                  /* RP_SCRATCH bytes */
	char *slots;                    /* RP_BATCH messages of msg_max bytes */
	struct mmsghdr rmsg[RP_BATCH], smsg[RP_BATCH];
	struct iovec riov[RP_BATCH], siov[RP_BATCH];
	struct sockaddr_storage names[RP_BATCH];
	char *chargen;                  /* RP_SCRATCH + one period of RFC 864 lines */
	struct rp_client *first, *last; /* the activity list */
	struct rp_client *dead;         /* closed during this round, freed after it */
	uint64_t next_id;
	struct rp_server_totals t;
	struct rp_dgram_peer *peers;    /* chat over datagrams */
	size_t npeers, peers_cap;
};

/* server.c: the loop's services to the handlers. */
void rp_server_emit(struct rp_server *s, enum rp_server_event_type type, uint64_t id,
		    const char *peer, const char *detail, size_t size,
		    const struct rp_client_stats *st);
void rp_client_close(struct rp_client *c, const char *why);
/* Watches the client for reading and/or writing; with neither, closes it. */
void rp_client_settle(struct rp_client *c, bool want_in, bool want_out);
/* A read or write moved data: the client goes to the end of the idle list. */
void rp_client_touch(struct rp_client *c);
void rp_account_in(struct rp_server *s, struct rp_client *c, size_t bytes, size_t msgs);
void rp_account_out(struct rp_server *s, struct rp_client *c, size_t bytes, size_t msgs);
/* Error from read/write/send: EAGAIN/EINTR are not errors (false); anything else closes. */
bool rp_client_io_failed(struct rp_client *c, const char *what);

/* chargen.c */
#define RP_CHARGEN_PERIOD (95 * 74)
void rp_chargen_fill(char *buf, size_t len);

/* serve_stream.c: tcp and unix stream clients. */
int rp_stream_start(struct rp_client *c);
void rp_stream_io(struct rp_client *c, uint32_t events);

/* serve_seqpacket.c: unix-seqpacket clients. */
int rp_seq_start(struct rp_client *c);
void rp_seq_io(struct rp_client *c, uint32_t events);

/* serve_dgram.c: the one socket of udp and unix-dgram. */
void rp_dgram_io(struct rp_server *s);

#endif
