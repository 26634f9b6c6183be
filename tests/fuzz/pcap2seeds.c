/*
 * pcap2seeds OUTDIR CAPTURE...
 *
 * Writes every packet of every capture (pcap or pcapng, through libpcap) as
 * one seed file in the fuzz harness's input format, named CAPTURE.N in
 * OUTDIR. Captures of a link type the harness does not know, and captures
 * libpcap cannot open (pcaps/ holds damaged ones on purpose), are skipped
 * with a note; a capture damaged midway gives the packets before the damage.
 * Exit 0, or 1 when OUTDIR cannot be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_input.h"

#define MAX_SEEDS_PER_FILE 5000

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_seed(const char *path, int li, const struct pcap_pkthdr *h, const uint8_t *data)
{
	uint8_t hdr[RP_FUZZ_HDR];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	rp_fuzz_header(hdr, li, h->len);
	int rc = write_all(fd, hdr, sizeof(hdr));
	if (rc == 0)
		rc = write_all(fd, data, h->caplen);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* Seeds from one capture; -1 only when the output cannot be written. */
static int seeds_from(const char *outdir, const char *capture, unsigned long *count)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(capture, errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcap2seeds: %s: skipped: %s\n", capture, errbuf);
		return 0;
	}
	int dlt = pcap_datalink(p);
	int li = rp_fuzz_link_byte(dlt);
	if (li < 0) {
		fprintf(stderr, "pcap2seeds: %s: skipped: link type %d not in the harness\n", capture,
			dlt);
		pcap_close(p);
		return 0;
	}

	char namebuf[PATH_MAX];
	snprintf(namebuf, sizeof(namebuf), "%s", capture);
	const char *base = basename(namebuf);

	int rc = 0;
	unsigned n = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = 1;
	while (n < MAX_SEEDS_PER_FILE && (r = pcap_next_ex(p, &h, &data)) == 1) {
		char path[PATH_MAX];
		n++;
		if (snprintf(path, sizeof(path), "%s/%s.%u", outdir, base, n) >= (int)sizeof(path) ||
		    write_seed(path, li, h, data) != 0) {
			fprintf(stderr, "pcap2seeds: %s: %s\n", path, strerror(errno));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && n < MAX_SEEDS_PER_FILE && r == PCAP_ERROR)
		fprintf(stderr, "pcap2seeds: %s: stopped after %u packets: %s\n", capture, n,
			pcap_geterr(p));
	*count += n;
	pcap_close(p);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pcap2seeds OUTDIR CAPTURE...\n");
		return 2;
	}
	const char *outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "pcap2seeds: %s: %s\n", outdir, strerror(errno));
		return 1;
	}
	unsigned long count = 0;
	for (int i = 2; i < argc; i++)
		if (seeds_from(outdir, argv[i], &count) != 0)
			return 1;
	printf("pcap2seeds: %lu seeds from %d captures in %s\n", count, argc - 2, outdir);
	return 0;
}
