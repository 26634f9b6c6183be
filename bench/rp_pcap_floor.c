/*
 * rp_pcap_floor: the floor of the `rawprobe read` benchmark. It opens a
 * capture with libpcap and only reads it: every packet's caplen is added
 * to a counter, nothing is decoded or printed. No reader built on libpcap
 * can be faster than this.
 *
 *   rp_pcap_floor [--next-ex] FILE      FILE '-' is standard input
 *
 * By default the packets come through pcap_dispatch() and a callback,
 * which measured faster than the pcap_next_ex() loop (--next-ex) on this
 * machine; see README.md.
 */
#include <pcap/pcap.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct tally {
	uint64_t packets, bytes;
};

static void count(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tally *t = (struct tally *)user;

	(void)bytes;
	t->packets++;
	t->bytes += h->caplen;
}

static int read_dispatch(pcap_t *p, struct tally *t)
{
	int n;

	/* On a savefile, cnt -1 means the whole file; loop anyway until EOF (0). */
	while ((n = pcap_dispatch(p, -1, count, (u_char *)t)) > 0)
		;
	return n;
}

static int read_next_ex(pcap_t *p, struct tally *t)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int r;

	while ((r = pcap_next_ex(p, &h, &bytes)) == 1)
		count((u_char *)t, h, bytes);
	return r == PCAP_ERROR_BREAK ? 0 : r;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct tally t = {0, 0};
	bool next_ex = false;
	const char *path = NULL;
	pcap_t *p;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--next-ex"))
			next_ex = true;
		else if (!path && (argv[i][0] != '-' || argv[i][1] == '\0'))
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (!path) {
		fputs("usage: rp_pcap_floor [--next-ex] FILE\n", stderr);
		return 2;
	}
	p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "rp_pcap_floor: %s\n", err);
		return 2;
	}
	r = next_ex ? read_next_ex(p, &t) : read_dispatch(p, &t);
	if (r < 0) {
		fprintf(stderr, "rp_pcap_floor: %s: %s\n", path, pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets, %" PRIu64 " bytes\n", t.packets, t.bytes);
	return 0;
}
