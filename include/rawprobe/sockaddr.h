/*
 * Socket addresses as users write them (CONTRACT.md, "Socket addresses"):
 *
 *   tcp:HOST:PORT  udp:HOST:PORT     HOST: IPv4, IPv6 ([::1] or bare ::1), or a name
 *   unix:PATH  unix-dgram:PATH  unix-seqpacket:PATH
 *   unix:@NAME ...                   Linux abstract namespace (no file on disk)
 *
 * Parsing never prints and never touches the network beyond getaddrinfo(3)
 * for host names.
 */
#ifndef RAWPROBE_SOCKADDR_H
#define RAWPROBE_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

enum rp_sock_kind {
	RP_SOCK_TCP,
	RP_SOCK_UDP,
	RP_SOCK_UNIX_STREAM,
	RP_SOCK_UNIX_DGRAM,
	RP_SOCK_UNIX_SEQPACKET,
};

/* Flags of rp_sockaddr_parse. */
enum {
	/*
	 * The address is to be listened on (serve): an empty HOST means every
	 * address. It is parsed as [::] with `wildcard` set; rp_sock_listen
	 * makes that socket dual-stack (IPV6_V6ONLY off) and falls back to
	 * 0.0.0.0 when the kernel has no IPv6. Without this flag an empty HOST
	 * is an error, and so is port 0.
	 */
	RP_ADDR_LISTEN = 1 << 0,
};

/* Room for the printable form: "unix-seqpacket:" + a 107-byte path, or tcp:[v6%scope]:port. */
#define RP_SOCKADDR_TEXTLEN 160

struct rp_sockaddr {
	enum rp_sock_kind kind;
	int family;   /* AF_INET, AF_INET6, AF_UNIX */
	int socktype; /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int protocol; /* IPPROTO_TCP, IPPROTO_UDP, 0 */
	struct sockaddr_storage ss;
	socklen_t len;  /* of ss as bind/connect take it (unix: exact length, abstract names unpadded) */
	bool abstract;  /* unix @NAME */
	bool wildcard;  /* empty HOST under RP_ADDR_LISTEN */
	char text[RP_SOCKADDR_TEXTLEN]; /* printable: "tcp:127.0.0.1:7000", "unix:@name", "udp:[::1]:53" */
};

/*
 * Parses SPEC into OUT. Host names go through getaddrinfo; the first
 * address it returns is taken (IPv4 before IPv6 for "localhost" follows the
 * system's gai.conf). 0 on success; -1 with err filled with one line that
 * says what is wrong and what form is expected.
 */
int rp_sockaddr_parse(const char *spec, int flags, struct rp_sockaddr *out, char *err,
		      size_t errlen);

/* "tcp", "udp", "unix", "unix-dgram", "unix-seqpacket": the prefix of the kind. */
const char *rp_sock_kind_name(enum rp_sock_kind kind);

/* Byte streams: tcp and unix (stream). */
bool rp_sockaddr_is_stream(const struct rp_sockaddr *a);
/* Connectionless datagrams: udp and unix-dgram (one socket serves every peer). */
bool rp_sockaddr_is_dgram(const struct rp_sockaddr *a);
/* Connections with message boundaries: unix-seqpacket. */
bool rp_sockaddr_is_seqpacket(const struct rp_sockaddr *a);
/* Accepting kinds (listen/accept): streams and seqpacket. */
bool rp_sockaddr_is_connected(const struct rp_sockaddr *a);
/* A unix address that names a file on disk (not abstract). */
bool rp_sockaddr_is_file(const struct rp_sockaddr *a);

/*
 * Prints a peer address (as accept/recvfrom returned it) into buf in the
 * same form as `text`, with KIND's prefix: "tcp:[::1]:41234",
 * "unix-dgram:/tmp/c", "unix:@name", "unix:(unnamed)". Never fails; buf is
 * always terminated.
 */
void rp_sockaddr_format(enum rp_sock_kind kind, const struct sockaddr *sa, socklen_t len,
			char *buf, size_t buflen);

/* The local address of fd (with the port the kernel chose for port 0) as text. */
int rp_sockaddr_local(enum rp_sock_kind kind, int fd, char *buf, size_t buflen);

#endif
