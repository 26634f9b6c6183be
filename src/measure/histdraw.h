/* The latency histogram as terminal lines: log-spaced rows, bars in proportion to counts. */
#ifndef RAWPROBE_MEASURE_HISTDRAW_H
#define RAWPROBE_MEASURE_HISTDRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "hist.h"

#define RP_HISTDRAW_ROWS 16 /* at most, so the picture fits a screen */
#define RP_HISTDRAW_BAR 40  /* widest bar, in columns: a line stays under 80 */

/*
 * One line (no newline) for ROW: "  12.3 -   17.4 us     1234  12.3% ████▌".
 * The bar is RP_HISTDRAW_BAR columns for the fullest row (max_count); with
 * utf8 it is drawn in eighths of a block, otherwise in '#'. A row with any
 * sample gets at least a sliver. Returns what snprintf returns.
 */
int rp_histdraw_row(char *buf, size_t len, const struct rp_hist_row *row, uint64_t max_count,
		    uint64_t total, bool utf8);

/* "9.51", "117", "1.23k" ...: microseconds in at most 6 columns, from nanoseconds. */
void rp_histdraw_us(char *buf, size_t len, uint64_t ns);

#endif
