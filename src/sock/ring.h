/*
 * A byte ring of fixed capacity: a stream client's pending output. Data
 * enters with readv straight from the socket (echo) or by copy (chat,
 * reply) and leaves with writev, so echo costs no copy in user space.
 */
#ifndef RAWPROBE_RING_H
#define RAWPROBE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct rp_ring {
	char *data;
	size_t cap, head, len; /* bytes [head, head+len) mod cap are queued */
};

/* 0, or -1 when out of memory. The memory is untouched until used. */
int rp_ring_init(struct rp_ring *r, size_t cap);
void rp_ring_free(struct rp_ring *r);

static inline size_t rp_ring_room(const struct rp_ring *r)
{
	return r->cap - r->len;
}

/* readv(fd) into the free space: what read returned (errno kept). */
ssize_t rp_ring_read(struct rp_ring *r, int fd);
/* writev(fd) of the queued bytes: what write returned (errno kept). */
ssize_t rp_ring_write(struct rp_ring *r, int fd);
/* Appends n bytes; false (nothing copied) when they do not fit. */
bool rp_ring_put(struct rp_ring *r, const void *p, size_t n);

#endif
