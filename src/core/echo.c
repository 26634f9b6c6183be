/*
 * Echo pairing in fixed memory: a ring of requests in arrival order (oldest
 * leaves first, by age or when the ring is full) indexed by a chained hash.
 * Entries are 24 bytes and the table is sized to stay in the CPU's cache: it
 * is touched for a quarter of the packets of a typical capture.
 */
#include <stdlib.h>
#include <string.h>

#include "rawprobe/echo.h"

#define NEXT_MASK 0x3fffffffu  /* ring index + 1 of the next entry in the bucket, 0 at the end */
#define F_LINKED 0x80000000u   /* findable: not superseded by a newer identical request */
#define F_ANSWERED 0x40000000u /* a reply has matched it */

struct rp_echo_entry {
	uint32_t src, dst; /* of the request */
	uint16_t id, seq;
	uint32_t link;     /* next in bucket, and the flags above */
	int64_t ts_ns;
};

static uint32_t key_hash(uint32_t src, uint32_t dst, uint16_t id, uint16_t seq)
{
	uint64_t k = ((uint64_t)src << 32 | dst) ^ ((uint64_t)id << 16 | seq) * 0x9e3779b97f4a7c15u;
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9u;
	return (uint32_t)(k >> 32);
}

int rp_echo_init(struct rp_echo_table *t, uint32_t capacity, int64_t window_ns)
{
	uint32_t cap = 16;

	while (cap < capacity && cap < (1u << 29))
		cap <<= 1;
	t->ring = malloc(cap * sizeof *t->ring);
	t->bucket = malloc((size_t)cap * 2 * sizeof *t->bucket);
	if (!t->ring || !t->bucket) {
		free(t->ring);
		free(t->bucket);
		t->ring = NULL;
		t->bucket = NULL;
		return -1;
	}
	/* Touched now, so the memory in use is the same for a short capture and a long one. */
	memset(t->ring, 0, cap * sizeof *t->ring);
	memset(t->bucket, 0, (size_t)cap * 2 * sizeof *t->bucket);
	t->cap = cap;
	t->nbucket = cap * 2;
	t->head = t->count = 0;
	t->window_ns = window_ns;
	t->unanswered = 0;
	return 0;
}

void rp_echo_free(struct rp_echo_table *t)
{
	free(t->ring);
	free(t->bucket);
	t->ring = NULL;
	t->bucket = NULL;
}

static uint32_t *bucket_of(struct rp_echo_table *t, const struct rp_echo_entry *e)
{
	return &t->bucket[key_hash(e->src, e->dst, e->id, e->seq) & (t->nbucket - 1)];
}

/*
 * Takes the entry in ring slot 'slot' out of its bucket's chain (chains are
 * short). Bucket heads hold no flags, so one masked walk serves heads and links.
 */
static void unlink_entry(struct rp_echo_table *t, uint32_t slot)
{
	struct rp_echo_entry *e = &t->ring[slot];
	uint32_t *at = bucket_of(t, e);

	while ((*at & NEXT_MASK) != slot + 1) {
		if ((*at & NEXT_MASK) == 0)
			return; /* not in its chain: cannot happen for a linked entry */
		at = &t->ring[(*at & NEXT_MASK) - 1].link;
	}
	*at = (*at & ~NEXT_MASK) | (e->link & NEXT_MASK);
	e->link &= ~F_LINKED;
	if (!(e->link & F_ANSWERED))
		t->unanswered++;
}

static void drop_oldest(struct rp_echo_table *t)
{
	if (t->ring[t->head].link & F_LINKED)
		unlink_entry(t, t->head);
	t->head = (t->head + 1) & (t->cap - 1);
	t->count--;
}

static void expire(struct rp_echo_table *t, int64_t now_ns)
{
	while (t->count && now_ns - t->ring[t->head].ts_ns > t->window_ns)
		drop_oldest(t);
}

static struct rp_echo_entry *find(struct rp_echo_table *t, uint32_t h, uint32_t src, uint32_t dst,
				  uint16_t id, uint16_t seq)
{
	for (uint32_t i = t->bucket[h & (t->nbucket - 1)]; i; i = t->ring[i - 1].link & NEXT_MASK) {
		struct rp_echo_entry *e = &t->ring[i - 1];
		if (e->src == src && e->dst == dst && e->id == id && e->seq == seq)
			return e;
	}
	return NULL;
}

void rp_echo_request(struct rp_echo_table *t, uint32_t src, uint32_t dst, uint16_t id,
		     uint16_t seq, int64_t ts_ns)
{
	uint32_t slot, h = key_hash(src, dst, id, seq), *head;
	struct rp_echo_entry *e, *old;

	expire(t, ts_ns);
	/* The same id and seq again: the new request replaces the old one. */
	old = find(t, h, src, dst, id, seq);
	if (old)
		unlink_entry(t, (uint32_t)(old - t->ring));
	if (t->count == t->cap)
		drop_oldest(t);
	slot = (t->head + t->count) & (t->cap - 1);
	e = &t->ring[slot];
	e->src = src;
	e->dst = dst;
	e->id = id;
	e->seq = seq;
	e->ts_ns = ts_ns;
	head = &t->bucket[h & (t->nbucket - 1)];
	e->link = *head | F_LINKED;
	*head = slot + 1;
	t->count++;
}

bool rp_echo_reply(struct rp_echo_table *t, uint32_t src, uint32_t dst, uint16_t id,
		   uint16_t seq, int64_t ts_ns, int64_t *rtt_ns, bool *dup)
{
	struct rp_echo_entry *e;

	expire(t, ts_ns);
	/* The reply travels the other way: its source was the request's destination. */
	e = find(t, key_hash(dst, src, id, seq), dst, src, id, seq);
	if (!e)
		return false;
	*rtt_ns = ts_ns - e->ts_ns;
	*dup = (e->link & F_ANSWERED) != 0;
	e->link |= F_ANSWERED;
	return true;
}

void rp_echo_finish(struct rp_echo_table *t)
{
	while (t->count)
		drop_oldest(t);
}

void rp_echo_packet(struct rp_echo_table *t, struct rp_packet *pkt)
{
	const struct rp_icmp *c = &pkt->icmp;
	int64_t ts = pkt->ts_sec * 1000000000 + pkt->ts_nsec;

	if (pkt->l4 != RP_L4_ICMP || !(c->have & RP_ICMP_REST) || !(pkt->ip.have & RP_IP_DST))
		return;
	if (c->type == RP_ICMP_ECHO)
		rp_echo_request(t, pkt->ip.src, pkt->ip.dst, rp_icmp_id(c), rp_icmp_seq(c), ts);
	else if (c->type == RP_ICMP_ECHOREPLY &&
		 !rp_echo_reply(t, pkt->ip.src, pkt->ip.dst, rp_icmp_id(c), rp_icmp_seq(c), ts,
				&pkt->resp_ns, &pkt->dup))
		pkt->resp_ns = -1;
}
