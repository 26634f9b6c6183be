/* rawprobe trace: what its two files share (options, the run, output). */
#ifndef RAWPROBE_CMD_TRACE_H
#define RAWPROBE_CMD_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "outbuf.h"
#include "rawprobe/trace.h"

#define TRACE_SUB "trace"

struct trace_opts {
	enum rp_trace_proto proto;
	unsigned per_hop, max_ttl, first_ttl;
	int64_t wait_ns;        /* -w MAX: the longest any probe waits */
	double here, near;      /* -w ,HERE,NEAR: or that many times a known round trip (0: off) */
	const char *interface;
	size_t size;            /* data bytes after the ICMP or UDP header */
	unsigned port;          /* UDP destination port */
	bool port_set, numeric, json;
};

enum trace_probe_state {
	PROBE_UNSENT,
	PROBE_WAITING,
	PROBE_ANSWERED,
	PROBE_TIMEOUT,
};

struct trace_probe {
	enum trace_probe_state state;
	unsigned key;          /* its place in the send order (transmit timestamps) */
	int64_t sent_mono;     /* for the -w timeout */
	int64_t deadline;      /* monotonic: when a waiting probe times out */
	int64_t sent_real;     /* the kernel's transmit time, else the clock just before the send */
	int64_t recv_real;     /* the kernel's receive time of the answer */
	struct rp_trace_answer answer;
};

/* The run as the output sees it. */
struct trace_run {
	const struct trace_opts *o;
	struct rp_trace_spec spec;
	const char *name;      /* the target as given */
	char addr[16];         /* dotted quad */
	unsigned nhops;        /* first_ttl .. max_ttl */
	struct trace_probe *probes; /* spec.nprobes, hop by hop */
	unsigned final_hop;    /* the lowest hop with a final answer, else nhops - 1 */
	unsigned next_print;   /* the first hop not printed yet */
	uint64_t duplicates;   /* second answers to one probe */
	struct rp_out out;
};

static inline struct trace_probe *trace_hop_probe(struct trace_run *r, unsigned hop, unsigned j)
{
	return &r->probes[hop * r->spec.per_hop + j];
}

/* trace_out.c: the first line, one hop (text line or JSON objects), the end. */
void trace_out_header(struct trace_run *r);
void trace_out_hop(struct trace_run *r, unsigned hop);
/* JSON: the summary object; text: nothing (traceroute prints none). */
void trace_out_summary(struct trace_run *r, bool reached);

#endif
