/*
 * Socket addresses: "tcp:HOST:PORT", "udp:HOST:PORT", "unix:PATH",
 * "unix-dgram:PATH", "unix-seqpacket:PATH", "@NAME" for the abstract namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rawprobe/sockaddr.h"

#define HOST_MAX 256

struct kind_info {
	const char *prefix;
	enum rp_sock_kind kind;
	int family, socktype, protocol;
};

/* Longest prefix first would not matter: each is followed by ':'. */
static const struct kind_info kinds[] = {
	{ "tcp", RP_SOCK_TCP, AF_INET6, SOCK_STREAM, IPPROTO_TCP },
	{ "udp", RP_SOCK_UDP, AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
	{ "unix", RP_SOCK_UNIX_STREAM, AF_UNIX, SOCK_STREAM, 0 },
	{ "unix-dgram", RP_SOCK_UNIX_DGRAM, AF_UNIX, SOCK_DGRAM, 0 },
	{ "unix-seqpacket", RP_SOCK_UNIX_SEQPACKET, AF_UNIX, SOCK_SEQPACKET, 0 },
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *rp_sock_kind_name(enum rp_sock_kind kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (kinds[i].kind == kind)
			return kinds[i].prefix;
	return "?";
}

bool rp_sockaddr_is_stream(const struct rp_sockaddr *a)
{
	return a->kind == RP_SOCK_TCP || a->kind == RP_SOCK_UNIX_STREAM;
}

bool rp_sockaddr_is_dgram(const struct rp_sockaddr *a)
{
	return a->kind == RP_SOCK_UDP || a->kind == RP_SOCK_UNIX_DGRAM;
}

bool rp_sockaddr_is_seqpacket(const struct rp_sockaddr *a)
{
	return a->kind == RP_SOCK_UNIX_SEQPACKET;
}

bool rp_sockaddr_is_connected(const struct rp_sockaddr *a)
{
	return !rp_sockaddr_is_dgram(a);
}

bool rp_sockaddr_is_file(const struct rp_sockaddr *a)
{
	return a->family == AF_UNIX && !a->abstract;
}

static const struct kind_info *find_kind(const char *spec, const char **rest)
{
	const char *colon = strchr(spec, ':');

	if (!colon)
		return NULL;
	for (size_t i = 0; i < NKINDS; i++) {
		size_t n = strlen(kinds[i].prefix);

		if ((size_t)(colon - spec) == n && strncmp(spec, kinds[i].prefix, n) == 0) {
			*rest = colon + 1;
			return &kinds[i];
		}
	}
	return NULL;
}

static int parse_unix(const char *path, struct rp_sockaddr *out, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t n = strlen(path);

	if (n == 0 || (path[0] == '@' && n == 1))
		return fail(err, errlen, "'%s' names no socket: give unix:PATH or unix:@NAME",
			    out->text);
	if (n > sizeof sun->sun_path - (path[0] == '@' ? 0 : 1))
		return fail(err, errlen, "unix socket path is %zu bytes, the limit is %zu: use a shorter path",
			    n, sizeof sun->sun_path - 1);
	sun->sun_family = AF_UNIX;
	out->abstract = path[0] == '@';
	if (out->abstract) {
		/* Abstract: a NUL, then the name, and the length says where it ends. */
		sun->sun_path[0] = '\0';
		memcpy(sun->sun_path + 1, path + 1, n - 1);
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		memcpy(sun->sun_path, path, n + 1);
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

/* Splits "HOST:PORT", "[V6]:PORT" or "V6:PORT" (the last colon ends the host). */
static int split_host_port(const char *s, char *host, const char **port, char *err,
			   size_t errlen)
{
	const char *colon, *end;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return fail(err, errlen, "'%s': an IPv6 host goes in brackets, as [::1]:7000", s);
		if ((size_t)(end - s - 1) >= HOST_MAX)
			return fail(err, errlen, "host name too long");
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		*port = end + 2;
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon)
		return fail(err, errlen, "'%s' has no port: give HOST:PORT, as 127.0.0.1:7000", s);
	if ((size_t)(colon - s) >= HOST_MAX)
		return fail(err, errlen, "host name too long");
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	*port = colon + 1;
	return 0;
}

static int parse_port(const char *s, bool listen, unsigned *port, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return fail(err, errlen, "port '%s' is not a number from %d to 65535", s, listen ? 0 : 1);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > 65535 || (!listen && v == 0))
		return fail(err, errlen, "port '%s' is not a number from %d to 65535", s, listen ? 0 : 1);
	*port = (unsigned)v;
	return 0;
}

static void set_wildcard(struct rp_sockaddr *out, unsigned port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_any;
	sin6->sin6_port = htons((uint16_t)port);
	out->family = AF_INET6;
	out->len = sizeof *sin6;
	out->wildcard = true;
}

static int resolve(const char *host, unsigned port, struct rp_sockaddr *out, char *err,
		   size_t errlen)
{
	struct addrinfo hints, *res;
	char portstr[8];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = out->socktype;
	hints.ai_protocol = out->protocol;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof portstr, "%u", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0)
		return fail(err, errlen, "cannot resolve host '%s': %s", host,
			    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	out->family = res->ai_family;
	freeaddrinfo(res);
	return 0;
}

static int parse_inet(const char *rest, int flags, struct rp_sockaddr *out, char *err,
		      size_t errlen)
{
	char host[HOST_MAX];
	const char *portstr;
	unsigned port;
	bool listen = flags & RP_ADDR_LISTEN;

	if (split_host_port(rest, host, &portstr, err, errlen) < 0)
		return -1;
	if (parse_port(portstr, listen, &port, err, errlen) < 0)
		return -1;
	if (host[0] == '\0') {
		if (!listen)
			return fail(err, errlen, "'%s' has no host: give one, as %s:127.0.0.1:%u",
				    out->text, rp_sock_kind_name(out->kind), port);
		set_wildcard(out, port);
		return 0;
	}
	return resolve(host, port, out, err, errlen);
}

int rp_sockaddr_parse(const char *spec, int flags, struct rp_sockaddr *out, char *err,
		      size_t errlen)
{
	const struct kind_info *k;
	const char *rest;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(out->text, sizeof out->text, "%s", spec);
	k = find_kind(spec, &rest);
	if (!k)
		return fail(err, errlen,
			    "'%s' is not a socket address: use tcp:HOST:PORT, udp:HOST:PORT, unix:PATH, "
			    "unix-dgram:PATH or unix-seqpacket:PATH (PATH may be @NAME)", spec);
	out->kind = k->kind;
	out->family = k->family;
	out->socktype = k->socktype;
	out->protocol = k->protocol;
	if (k->family == AF_UNIX)
		rc = parse_unix(rest, out, err, errlen);
	else
		rc = parse_inet(rest, flags, out, err, errlen);
	if (rc < 0)
		return -1;
	rp_sockaddr_format(out->kind, (struct sockaddr *)&out->ss, out->len, out->text,
			   sizeof out->text);
	return 0;
}

static void format_unix(const char *prefix, const struct sockaddr_un *sun, socklen_t len,
			char *buf, size_t buflen)
{
	size_t n = len > offsetof(struct sockaddr_un, sun_path)
			   ? len - offsetof(struct sockaddr_un, sun_path) : 0;

	if (n > sizeof sun->sun_path)
		n = sizeof sun->sun_path;
	if (n == 0) {
		snprintf(buf, buflen, "%s:(unnamed)", prefix);
	} else if (sun->sun_path[0] == '\0') {
		/* Autobound names are five hex digits; any NUL inside is shown as '@'. */
		char name[sizeof sun->sun_path + 1];

		for (size_t i = 1; i < n; i++)
			name[i - 1] = sun->sun_path[i] ? sun->sun_path[i] : '@';
		name[n - 1] = '\0';
		snprintf(buf, buflen, "%s:@%s", prefix, name);
	} else {
		snprintf(buf, buflen, "%s:%.*s", prefix, (int)strnlen(sun->sun_path, n), sun->sun_path);
	}
}

void rp_sockaddr_format(enum rp_sock_kind kind, const struct sockaddr *sa, socklen_t len,
			char *buf, size_t buflen)
{
	const char *prefix = rp_sock_kind_name(kind);
	char host[INET6_ADDRSTRLEN + 16];

	if (!buflen)
		return;
	if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNIX) {
		format_unix(prefix, (const struct sockaddr_un *)sa, len, buf, buflen);
	} else if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, buflen, "%s:%s:%u", prefix, host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		if (sin6->sin6_scope_id)
			snprintf(host + strlen(host), sizeof host - strlen(host), "%%%u",
				 sin6->sin6_scope_id);
		snprintf(buf, buflen, "%s:[%s]:%u", prefix, host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, buflen, "%s:?", prefix);
	}
}

int rp_sockaddr_local(enum rp_sock_kind kind, int fd, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	rp_sockaddr_format(kind, (struct sockaddr *)&ss, len, buf, buflen);
	return 0;
}
