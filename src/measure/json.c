/*
 * The `bench --json` objects of CONTRACT.md, keys exactly as written there.
 * A value we could not measure is null, never a guess.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "measure.h"

struct jbuf {
	char *p;
	size_t len;
	int total; /* what the whole line needs, as snprintf counts */
};

static void put(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct jbuf *b, const char *fmt, ...)
{
	size_t used = (size_t)b->total < b->len ? (size_t)b->total : b->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + used, b->len - used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->total += n;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_str(struct jbuf *b, const char *s)
{
	put(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(b, "\\%c", c);
		else if (c < 0x20)
			put(b, "\\u%04x", c);
		else
			put(b, "%c", c);
	}
	put(b, "\"");
}

static void put_num(struct jbuf *b, const char *key, double v, int decimals)
{
	if (isfinite(v))
		put(b, ", \"%s\":%.*f", key, decimals, v);
	else
		put(b, ", \"%s\":null", key);
}

static void begin(struct jbuf *b, char *buf, size_t len, const char *type, const char *addr)
{
	b->p = buf;
	b->len = len;
	b->total = 0;
	if (len)
		buf[0] = '\0';
	put(b, "{\"type\":\"%s\", \"addr\":", type);
	put_str(b, addr);
}

static double per_second(double v, double seconds)
{
	return seconds > 0 ? v / seconds : NAN;
}

double rp_tput_mib_per_s(const struct rp_tput_result *r)
{
	return per_second((double)r->bytes / (1024.0 * 1024.0), r->seconds);
}

double rp_msgs_per_s(const struct rp_msgs_result *r)
{
	return per_second((double)(r->received_known ? r->received : r->sent), r->seconds);
}

int rp_json_throughput(char *buf, size_t len, const char *addr, const struct rp_tput_result *r)
{
	struct jbuf b;

	begin(&b, buf, len, "throughput", addr);
	put(&b, ", \"bytes\":%llu", (unsigned long long)r->bytes);
	put_num(&b, "seconds", r->seconds, 6);
	put_num(&b, "mib_per_s", rp_tput_mib_per_s(r), 2);
	put(&b, "}\n");
	return b.total;
}

int rp_json_messages(char *buf, size_t len, const char *addr, size_t size,
		     const struct rp_msgs_result *r)
{
	struct jbuf b;

	begin(&b, buf, len, "messages", addr);
	put(&b, ", \"size\":%zu, \"sent\":%llu", size, (unsigned long long)r->sent);
	if (r->received_known)
		put(&b, ", \"received\":%llu", (unsigned long long)r->received);
	else
		put(&b, ", \"received\":null");
	put_num(&b, "msg_per_s", rp_msgs_per_s(r), 1);
	put(&b, "}\n");
	return b.total;
}

static double us_at(const struct rp_hist *h, double p)
{
	return h->n ? (double)rp_hist_percentile(h, p) / 1000.0 : NAN;
}

int rp_json_rr(char *buf, size_t len, const char *addr, const struct rp_rr_result *r)
{
	struct jbuf b;

	begin(&b, buf, len, "rr", addr);
	put(&b, ", \"n\":%llu", (unsigned long long)r->n);
	put_num(&b, "p50_us", us_at(&r->hist, 50), 3);
	put_num(&b, "p90_us", us_at(&r->hist, 90), 3);
	put_num(&b, "p99_us", us_at(&r->hist, 99), 3);
	put_num(&b, "p999_us", us_at(&r->hist, 99.9), 3);
	put(&b, "}\n");
	return b.total;
}
