/* The sweep scheduler: fixed memory for any number of targets. */
#include <stdlib.h>
#include <string.h>

#include "rawprobe/sweep.h"

#define NIL UINT32_MAX

enum slot_state { SLOT_FREE, SLOT_WAITING, SLOT_FLYING, SLOT_ANSWERED, SLOT_DONE };

struct rp_sweep_slot {
	struct rp_sweep_result r;
	int64_t ready;        /* SLOT_WAITING: when the next send is due */
	int64_t deadline;     /* SLOT_FLYING: when the attempt times out */
	int64_t last_send;
	uint32_t prev, next;  /* the in-flight list */
	uint32_t heap_pos;
	uint16_t next_seq;    /* the sequence number the next send gets */
	uint16_t probe_seq;   /* the first sequence number of the current probe */
	uint16_t probe;       /* which probe, 0 to count - 1 */
	uint8_t attempt;      /* sends of the current probe so far */
	uint8_t state;
};

static uint32_t hash32(uint32_t a)
{
	a ^= a >> 16;
	a *= 0x7feb352dU;
	a ^= a >> 15;
	a *= 0x846ca68bU;
	return a ^ (a >> 16);
}

int rp_sweep_init(struct rp_sweep *sw, const struct rp_sweep_config *cfg)
{
	uint32_t n = cfg->window ? cfg->window : 1, tsize = 4;

	memset(sw, 0, sizeof *sw);
	sw->cfg = *cfg;
	sw->cfg.window = n;
	if (sw->cfg.count == 0)
		sw->cfg.count = 1;
	while (tsize < 2 * n)
		tsize <<= 1;
	sw->slots = calloc(n, sizeof *sw->slots);
	sw->free_list = malloc(n * sizeof *sw->free_list);
	sw->table = calloc(tsize, sizeof *sw->table);
	sw->heap = malloc(n * sizeof *sw->heap);
	sw->done = malloc(n * sizeof *sw->done);
	if (!sw->slots || !sw->free_list || !sw->table || !sw->heap || !sw->done) {
		rp_sweep_free(sw);
		return -1;
	}
	sw->table_mask = tsize - 1;
	for (uint32_t i = 0; i < n; i++)
		sw->free_list[i] = n - 1 - i;
	sw->nfree = n;
	sw->flight_head = sw->flight_tail = NIL;
	return 0;
}

void rp_sweep_free(struct rp_sweep *sw)
{
	free(sw->slots);
	free(sw->free_list);
	free(sw->table);
	free(sw->heap);
	free(sw->done);
	memset(sw, 0, sizeof *sw);
}

/* ------------------------------------------------------------ address table */

static uint32_t table_find(const struct rp_sweep *sw, uint32_t addr, uint32_t *pos)
{
	for (uint32_t i = hash32(addr) & sw->table_mask;; i = (i + 1) & sw->table_mask) {
		uint32_t e = sw->table[i];
		if (e == 0 || sw->slots[e - 1].r.addr == addr) {
			*pos = i;
			return e ? e - 1 : NIL;
		}
	}
}

/* Linear probing deletion: shift later members of the cluster back into the hole. */
static void table_remove(struct rp_sweep *sw, uint32_t pos)
{
	uint32_t hole = pos, i = pos;

	for (;;) {
		i = (i + 1) & sw->table_mask;
		if (sw->table[i] == 0)
			break;
		uint32_t home = hash32(sw->slots[sw->table[i] - 1].r.addr) & sw->table_mask;
		/* Move it if its home is not cyclically within (hole, i]. */
		if (((i - home) & sw->table_mask) >= ((i - hole) & sw->table_mask)) {
			sw->table[hole] = sw->table[i];
			hole = i;
		}
	}
	sw->table[hole] = 0;
}

/* ------------------------------------------------------------ ready heap */

static bool earlier(const struct rp_sweep *sw, uint32_t a, uint32_t b)
{
	return sw->slots[sw->heap[a]].ready < sw->slots[sw->heap[b]].ready;
}

static void heap_swap(struct rp_sweep *sw, uint32_t a, uint32_t b)
{
	uint32_t t = sw->heap[a];

	sw->heap[a] = sw->heap[b];
	sw->heap[b] = t;
	sw->slots[sw->heap[a]].heap_pos = a;
	sw->slots[sw->heap[b]].heap_pos = b;
}

static void heap_push(struct rp_sweep *sw, uint32_t s, int64_t ready)
{
	uint32_t i = sw->nheap++;

	sw->slots[s].ready = ready;
	sw->slots[s].state = SLOT_WAITING;
	sw->heap[i] = s;
	sw->slots[s].heap_pos = i;
	while (i > 0 && earlier(sw, i, (i - 1) / 2)) {
		heap_swap(sw, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static uint32_t heap_pop(struct rp_sweep *sw)
{
	uint32_t top = sw->heap[0], i = 0;

	heap_swap(sw, 0, --sw->nheap);
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < sw->nheap && earlier(sw, l, m))
			m = l;
		if (r < sw->nheap && earlier(sw, r, m))
			m = r;
		if (m == i)
			break;
		heap_swap(sw, i, m);
		i = m;
	}
	return top;
}

/* ------------------------------------------------------------ in-flight list */

static void flight_append(struct rp_sweep *sw, uint32_t s)
{
	struct rp_sweep_slot *sl = &sw->slots[s];

	sl->prev = sw->flight_tail;
	sl->next = NIL;
	if (sw->flight_tail != NIL)
		sw->slots[sw->flight_tail].next = s;
	else
		sw->flight_head = s;
	sw->flight_tail = s;
	sl->state = SLOT_FLYING;
}

static void flight_unlink(struct rp_sweep *sw, uint32_t s)
{
	struct rp_sweep_slot *sl = &sw->slots[s];

	if (sl->prev != NIL)
		sw->slots[sl->prev].next = sl->next;
	else
		sw->flight_head = sl->next;
	if (sl->next != NIL)
		sw->slots[sl->next].prev = sl->prev;
	else
		sw->flight_tail = sl->prev;
	sl->state = SLOT_ANSWERED;
}

/* ------------------------------------------------------------ targets */

bool rp_sweep_has_room(const struct rp_sweep *sw)
{
	return sw->nfree > 0;
}

bool rp_sweep_add(struct rp_sweep *sw, uint32_t addr, int64_t now)
{
	uint32_t pos, s;

	if (sw->nfree == 0 || table_find(sw, addr, &pos) != NIL)
		return false;
	s = sw->free_list[--sw->nfree];
	memset(&sw->slots[s], 0, sizeof sw->slots[s]);
	sw->slots[s].r.addr = addr;
	sw->table[pos] = s + 1;
	sw->active++;
	heap_push(sw, s, now);
	return true;
}

/* The current probe is over (answered or out of attempts): the next one, or done. */
static void probe_over(struct rp_sweep *sw, uint32_t s)
{
	struct rp_sweep_slot *sl = &sw->slots[s];
	uint32_t pos;

	sl->probe++;
	sl->attempt = 0;
	if (sl->probe < sw->cfg.count) {
		heap_push(sw, s, sl->last_send + sw->cfg.interval_ns);
		return;
	}
	table_find(sw, sl->r.addr, &pos);
	table_remove(sw, pos);
	sl->state = SLOT_DONE;
	sw->done[(sw->done_head + sw->done_n++) % sw->cfg.window] = s;
}

bool rp_sweep_next_probe(struct rp_sweep *sw, int64_t now, uint32_t *addr, uint16_t *seq)
{
	struct rp_sweep_slot *sl;
	uint32_t s;

	if (sw->nheap == 0 || sw->slots[sw->heap[0]].ready > now)
		return false;
	s = heap_pop(sw);
	sl = &sw->slots[s];
	if (sl->attempt == 0)
		sl->probe_seq = sl->next_seq;
	*addr = sl->r.addr;
	*seq = sl->next_seq++;
	sl->attempt++;
	sl->r.sent++;
	sl->last_send = now;
	sl->deadline = now + sw->cfg.timeout_ns;
	flight_append(sw, s);
	return true;
}

void rp_sweep_send_failed(struct rp_sweep *sw, uint32_t addr, int64_t now)
{
	uint32_t pos, s = table_find(sw, addr, &pos);

	(void)now;
	if (s == NIL || sw->slots[s].state != SLOT_FLYING)
		return;
	flight_unlink(sw, s);
	sw->slots[s].r.sent--;
	sw->slots[s].attempt = (uint8_t)(sw->cfg.retries + 1);
	probe_over(sw, s);
}

/*
 * Sequence numbers of a target count from 0 and never wrap: the caller
 * keeps count * (retries + 1) under 65536.
 */
static bool seq_current(const struct rp_sweep_slot *sl, uint16_t seq)
{
	return seq >= sl->probe_seq && seq < sl->next_seq;
}

enum rp_sweep_verdict rp_sweep_reply(struct rp_sweep *sw, uint32_t addr, uint16_t seq,
				     bool is_error, int64_t rtt_ns, uint32_t error_from,
				     uint8_t type, uint8_t code, int64_t now)
{
	uint32_t pos, s = table_find(sw, addr, &pos);
	struct rp_sweep_slot *sl;

	(void)now;
	if (s == NIL)
		return RP_SWEEP_UNKNOWN;
	sl = &sw->slots[s];
	if (!seq_current(sl, seq)) {
		/* An earlier probe of this target: answered already, or given up on. */
		if (seq >= sl->next_seq)
			return RP_SWEEP_UNKNOWN;
		if (!is_error)
			sl->r.duplicates++;
		return RP_SWEEP_DUP;
	}
	if (sl->state != SLOT_FLYING) {
		if (!is_error)
			sl->r.duplicates++;
		return RP_SWEEP_DUP;
	}
	flight_unlink(sw, s);
	if (is_error) {
		sl->r.errors++;
		sl->r.error_from = error_from;
		sl->r.error_type = type;
		sl->r.error_code = code;
	} else {
		sl->r.received++;
		if (rtt_ns >= 0)
			rp_rtt_add(&sl->r.rtt, rtt_ns);
	}
	probe_over(sw, s);
	return RP_SWEEP_FIRST;
}

void rp_sweep_expire(struct rp_sweep *sw, int64_t now)
{
	while (sw->flight_head != NIL && sw->slots[sw->flight_head].deadline <= now) {
		uint32_t s = sw->flight_head;
		struct rp_sweep_slot *sl = &sw->slots[s];

		flight_unlink(sw, s);
		if (sl->attempt <= sw->cfg.retries)
			heap_push(sw, s, now);
		else
			probe_over(sw, s);
	}
}

int64_t rp_sweep_next_event(const struct rp_sweep *sw)
{
	int64_t t = INT64_MAX;

	if (sw->nheap)
		t = sw->slots[sw->heap[0]].ready;
	if (sw->flight_head != NIL && sw->slots[sw->flight_head].deadline < t)
		t = sw->slots[sw->flight_head].deadline;
	return t;
}

bool rp_sweep_pop_done(struct rp_sweep *sw, struct rp_sweep_result *out)
{
	uint32_t s;

	if (sw->done_n == 0)
		return false;
	s = sw->done[sw->done_head];
	sw->done_head = (sw->done_head + 1) % sw->cfg.window;
	sw->done_n--;
	*out = sw->slots[s].r;
	sw->slots[s].state = SLOT_FREE;
	sw->free_list[sw->nfree++] = s;
	sw->active--;
	return true;
}
