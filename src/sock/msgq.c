/* The message queue: 4-byte length, then the message, records back to back. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "msgq.h"

#define REC_HDR sizeof(uint32_t)

void rp_msgq_init(struct rp_msgq *q, size_t cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap;
}

void rp_msgq_free(struct rp_msgq *q)
{
	free(q->data);
	q->data = NULL;
	q->head = q->tail = q->count = 0;
}

bool rp_msgq_put(struct rp_msgq *q, const void *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	if (!q->data && !(q->data = malloc(q->cap)))
		return false;
	if (q->cap - q->tail < REC_HDR + n && q->head > 0) {
		memmove(q->data, q->data + q->head, q->tail - q->head);
		q->tail -= q->head;
		q->head = 0;
	}
	if (q->cap - q->tail < REC_HDR + n)
		return false;
	memcpy(q->data + q->tail, &len, REC_HDR);
	memcpy(q->data + q->tail + REC_HDR, p, n);
	q->tail += REC_HDR + n;
	q->count++;
	return true;
}

ssize_t rp_msgq_send(struct rp_msgq *q, int fd, size_t *msgs)
{
	ssize_t total = 0;
	uint32_t len;

	*msgs = 0;
	while (q->count) {
		memcpy(&len, q->data + q->head, REC_HDR);
		if (send(fd, q->data + q->head + REC_HDR, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		q->head += REC_HDR + len;
		q->count--;
		total += len;
		(*msgs)++;
	}
	if (q->count == 0)
		q->head = q->tail = 0;
	return total;
}
