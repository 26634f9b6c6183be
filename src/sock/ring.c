/* The byte ring: two iovecs at most on either side. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ring.h"

int rp_ring_init(struct rp_ring *r, size_t cap)
{
	r->data = malloc(cap);
	r->cap = r->data ? cap : 0;
	r->head = r->len = 0;
	return r->data ? 0 : -1;
}

void rp_ring_free(struct rp_ring *r)
{
	free(r->data);
	r->data = NULL;
	r->cap = r->head = r->len = 0;
}

/* The free space as up to two segments, in order. */
static int free_segments(const struct rp_ring *r, struct iovec iov[2])
{
	size_t tail = (r->head + r->len) % r->cap;
	size_t room = r->cap - r->len;

	if (room == 0)
		return 0;
	if (tail + room <= r->cap) {
		iov[0] = (struct iovec){ r->data + tail, room };
		return 1;
	}
	iov[0] = (struct iovec){ r->data + tail, r->cap - tail };
	iov[1] = (struct iovec){ r->data, room - (r->cap - tail) };
	return 2;
}

static int used_segments(const struct rp_ring *r, struct iovec iov[2])
{
	if (r->len == 0)
		return 0;
	if (r->head + r->len <= r->cap) {
		iov[0] = (struct iovec){ r->data + r->head, r->len };
		return 1;
	}
	iov[0] = (struct iovec){ r->data + r->head, r->cap - r->head };
	iov[1] = (struct iovec){ r->data, r->len - (r->cap - r->head) };
	return 2;
}

ssize_t rp_ring_read(struct rp_ring *r, int fd)
{
	struct iovec iov[2];
	int n = free_segments(r, iov);
	ssize_t got;

	if (n == 0)
		return 0;
	/* One segment (the usual case): read(2), cheaper than readv's iovec copy-in. */
	got = n == 1 ? read(fd, iov[0].iov_base, iov[0].iov_len) : readv(fd, iov, n);
	if (got > 0)
		r->len += (size_t)got;
	return got;
}

ssize_t rp_ring_write(struct rp_ring *r, int fd)
{
	struct iovec iov[2];
	int n = used_segments(r, iov);
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	ssize_t put;

	if (n == 0)
		return 0;
	/* send/sendmsg rather than write/writev: MSG_NOSIGNAL, no SIGPIPE from a gone client. */
	if (n == 1)
		put = send(fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	else
		put = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (put > 0) {
		r->head = (r->head + (size_t)put) % r->cap;
		r->len -= (size_t)put;
		if (r->len == 0)
			r->head = 0; /* keeps the next read in one segment */
	}
	return put;
}

bool rp_ring_put(struct rp_ring *r, const void *p, size_t n)
{
	struct iovec iov[2] = { { 0 } };
	int segs;
	size_t first;

	if (n > rp_ring_room(r))
		return false;
	if (n == 0)
		return true;
	segs = free_segments(r, iov);
	first = segs ? (n < iov[0].iov_len ? n : iov[0].iov_len) : 0;
	if (first)
		memcpy(iov[0].iov_base, p, first);
	if (n > first)
		memcpy(iov[1].iov_base, (const char *)p + first, n - first);
	r->len += n;
	return true;
}
