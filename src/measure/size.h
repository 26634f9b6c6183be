/* Byte counts as users write them: 4G, 256K, 1M, 65536 (binary suffixes). */
#ifndef RAWPROBE_MEASURE_SIZE_H
#define RAWPROBE_MEASURE_SIZE_H

#include <stdint.h>

/*
 * A whole number with an optional suffix K, M, G or T (either case, powers
 * of 1024), optionally followed by "B" or "iB": "4G" and "4GiB" are 2^32.
 * 0 on success; -1 (nothing written) for anything else, overflow included.
 */
int rp_size_parse(const char *s, uint64_t *out);

#endif
