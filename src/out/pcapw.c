/* pcap output through libpcap's dumper: LINKTYPE_RAW, nanosecond timestamps. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapw.h"

struct rp_pcapw {
	pcap_t *dead;
	pcap_dumper_t *dumper;
};

struct rp_pcapw *rp_pcapw_open(const char *path, char *err, size_t errlen)
{
	struct rp_pcapw *w = calloc(1, sizeof *w);

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (w->dead)
		w->dumper = pcap_dump_open(w->dead, path);
	if (!w->dumper) {
		/* libpcap's message names the path already ("PATH: Permission denied"). */
		snprintf(err, errlen, "cannot write the capture %s",
			 w->dead ? pcap_geterr(w->dead) : pcap_lib_version());
		if (w->dead)
			pcap_close(w->dead);
		free(w);
		return NULL;
	}
	return w;
}

void rp_pcapw_write(struct rp_pcapw *w, const uint8_t *ip, size_t len, int64_t ts_ns)
{
	struct pcap_pkthdr h;

	/* With nanosecond precision the dumper takes tv_usec as nanoseconds. */
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dumper, &h, ip);
}

int rp_pcapw_close(struct rp_pcapw *w, char *err, size_t errlen)
{
	int rc = 0;

	if (pcap_dump_flush(w->dumper) != 0 || ferror(pcap_dump_file(w->dumper))) {
		snprintf(err, errlen, "writing the capture failed: %s", strerror(errno));
		rc = -1;
	}
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
	free(w);
	return rc;
}
