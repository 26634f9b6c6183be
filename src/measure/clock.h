/* CLOCK_MONOTONIC in nanoseconds: every interval bench reports comes from it. */
#ifndef RAWPROBE_MEASURE_CLOCK_H
#define RAWPROBE_MEASURE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t rp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
