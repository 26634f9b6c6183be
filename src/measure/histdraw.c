#include <stdio.h>
#include <string.h>

#include "histdraw.h"

void rp_histdraw_us(char *buf, size_t len, uint64_t ns)
{
	double us = (double)ns / 1000.0;

	if (us < 10)
		snprintf(buf, len, "%.2f", us);
	else if (us < 100)
		snprintf(buf, len, "%.1f", us);
	else if (us < 100000)
		snprintf(buf, len, "%.0f", us);
	else
		snprintf(buf, len, "%.3gs", us / 1e6);
}

/* The bar: eighths of a column, so small differences still show. */
static void bar(char *out, size_t len, uint64_t count, uint64_t max_count, bool utf8)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c",
					       "\u258b", "\u258a", "\u2589" };
	unsigned units = max_count ? (unsigned)((count * RP_HISTDRAW_BAR * 8 + max_count / 2) / max_count) : 0;
	size_t used = 0;

	if (count && units == 0)
		units = 1;
	out[0] = '\0';
	if (!utf8) {
		unsigned cols = (units + 4) / 8;

		if (count && cols == 0)
			cols = 1;
		for (unsigned i = 0; i < cols && used + 1 < len; i++)
			out[used++] = '#';
		out[used] = '\0';
		return;
	}
	for (unsigned i = 0; i < units / 8 && used + 4 < len; i++) {
		memcpy(out + used, "\u2588", 3);
		used += 3;
	}
	out[used] = '\0';
	if (units % 8 && used + 4 < len)
		strcat(out, eighths[units % 8]);
}

int rp_histdraw_row(char *buf, size_t len, const struct rp_hist_row *row, uint64_t max_count,
		    uint64_t total, bool utf8)
{
	char lo[16], hi[16], b[RP_HISTDRAW_BAR * 3 + 4];

	rp_histdraw_us(lo, sizeof lo, row->lo_ns);
	rp_histdraw_us(hi, sizeof hi, row->hi_ns);
	bar(b, sizeof b, row->count, max_count, utf8);
	return snprintf(buf, len, "  %6s - %6s us %9llu %5.1f%% %s", lo, hi,
			(unsigned long long)row->count,
			total ? 100.0 * (double)row->count / (double)total : 0.0, b);
}
