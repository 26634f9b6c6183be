/* Writing what a probing command sent and received as a pcap file (raw IPv4, nanoseconds). */
#ifndef RAWPROBE_PCAPW_H
#define RAWPROBE_PCAPW_H

#include <stddef.h>
#include <stdint.h>

struct rp_pcapw;

/* Opens path for writing ("-" for standard output); NULL with err filled on failure. */
struct rp_pcapw *rp_pcapw_open(const char *path, char *err, size_t errlen);
/* One IPv4 datagram with its time (CLOCK_REALTIME ns). */
void rp_pcapw_write(struct rp_pcapw *w, const uint8_t *ip, size_t len, int64_t ts_ns);
/* Flushes and closes; -1 with err filled when something could not be written. */
int rp_pcapw_close(struct rp_pcapw *w, char *err, size_t errlen);

#endif
