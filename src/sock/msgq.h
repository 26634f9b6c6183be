/*
 * A message queue of fixed capacity: a seqpacket client's pending output,
 * messages kept whole. Records (length, bytes) in one linear buffer that
 * empties completely before the client is read again (echo) or is compacted
 * when a new message does not fit at the end (chat, reply).
 */
#ifndef RAWPROBE_MSGQ_H
#define RAWPROBE_MSGQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct rp_msgq {
	char *data;
	size_t cap, head, tail; /* records in [head, tail) */
	size_t count;
};

/* The buffer is allocated on first use: most clients never queue anything. */
void rp_msgq_init(struct rp_msgq *q, size_t cap);
void rp_msgq_free(struct rp_msgq *q);

static inline bool rp_msgq_empty(const struct rp_msgq *q)
{
	return q->count == 0;
}

/* Appends one message; false when it does not fit (or memory ran out). */
bool rp_msgq_put(struct rp_msgq *q, const void *p, size_t n);
/* Sends queued messages with send(2) until the queue empties or the socket is full.
 * Returns bytes sent (>= 0) or -1 on an error other than EAGAIN; *msgs counts messages. */
ssize_t rp_msgq_send(struct rp_msgq *q, int fd, size_t *msgs);

#endif
