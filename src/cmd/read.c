/*
 * rawprobe read: offline analysis of pcap and pcapng files through libpcap.
 * Options, then a libpcap loop that decodes each packet with the core and
 * hands it to one output sink.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cmd.h"
#include "print.h"
#include "rawprobe/decode.h"
#include "rawprobe/echo.h"
#include "rawprobe/stats.h"

#define SUB "read"
#define ECHO_TABLE_SLOTS 16384     /* requests waiting for replies: fixed memory */
#define FILE_BUFFER (64 * 1024)   /* stdio buffer under libpcap */
#define OUT_BUFFER (256 * 1024)
#define PROGRESS_EVERY 16384       /* packets between looks at the clock */

enum output { OUT_LINES, OUT_JSON, OUT_STATS };

struct read_opts {
	const char *path;
	char *filter;
	uint64_t count; /* 0: all */
	enum output output;
	bool stats_json;
	bool strict;
	int64_t echo_window_ns;
	struct rp_text_opts text;
};

struct read_ctx {
	const struct read_opts *opt;
	pcap_t *pcap;
	FILE *file;
	int dlt;
	const char *link_name;
	unsigned decode_flags;
	struct bpf_program filter; /* applied here, so frame numbers are positions in the file */
	bool filtering;
	uint64_t frames;  /* frames read from the file */
	uint64_t matched; /* frames that passed the filter */
	struct rp_packet pkt;
	struct rp_echo_table echo;
	struct rp_capstats stats;
	struct rp_out out;
	struct rp_text_state text_state;
	/* progress on a terminal */
	bool progress;
	bool progress_shown;
	off_t file_size;
	struct timespec started, last_progress;
};

static char out_storage[OUT_BUFFER];
static char file_buffer[FILE_BUFFER];

static void help(void)
{
	fputs("usage: rawprobe read [options] FILE [FILTER...]\n"
	      "Reads a pcap or pcapng capture ('-' for standard input) and prints one line per\n"
	      "packet, JSON Lines, or statistics. FILTER is BPF syntax, as tcpdump takes it.\n\n"
	      "  -r FILE             the capture (instead of the first argument)\n"
	      "  -c, --count N       stop after N packets (counted after the filter)\n"
	      "  -v, --verbose       IP header detail, checksum verdicts, quoted datagrams\n"
	      "  -x                  hex dump from the network header (-xx: whole frame)\n"
	      "  -X                  hex and ASCII dump\n"
	      "  -e                  link-level header (MAC addresses, ethertype)\n"
	      "  -t                  no timestamp; -tt epoch; -ttt delta; -tttt date; -ttttt since first\n"
	      "      --nano          nanosecond timestamps\n"
	      "      --utc           timestamps in UTC rather than local time\n"
	      "  -n                  accepted for tcpdump habit (names are never resolved)\n"
	      "      --json          JSON Lines, one object per packet\n"
	      "      --stats         only the summary: counts, malformed, echo pairs and RTTs\n"
	      "      --strict        exit 1 when the capture holds malformed packets\n"
	      "      --echo-window S seconds a request waits for its reply (default 10)\n"
	      "  -h, --help          this text\n\n"
	      "Exit status: 0 read, 1 malformed packets with --strict, 2 error.\n",
	      stdout);
}

/* The filter words joined with spaces, as tcpdump joins them. */
static char *join_words(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = malloc(len);
	if (!s)
		cmd_fail(SUB, "out of memory");
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

static void parse_options(int argc, char **argv, struct read_opts *opt)
{
	enum { O_JSON = 256, O_STATS, O_STRICT, O_NANO, O_UTC, O_ECHO_WINDOW };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, O_JSON },
		{ "stats", no_argument, NULL, O_STATS },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "nano", no_argument, NULL, O_NANO },
		{ "utc", no_argument, NULL, O_UTC },
		{ "echo-window", required_argument, NULL, O_ECHO_WINDOW },
		{ NULL, 0, NULL, 0 },
	};
	int ch, tcount = 0;
	bool json = false, stats = false;

	memset(opt, 0, sizeof *opt);
	opt->echo_window_ns = 10 * 1000000000LL;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":r:c:vxXetnh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': opt->path = optarg; break;
		case 'c': opt->count = cmd_parse_uint(SUB, "-c", optarg, 1, UINT64_MAX); break;
		case 'v': opt->text.verbose++; break;
		case 'x': opt->text.hex = opt->text.hex < 2 ? opt->text.hex + 1 : 2; break;
		case 'X': opt->text.ascii = true; opt->text.hex = opt->text.hex ? opt->text.hex : 1; break;
		case 'e': opt->text.link = true; break;
		case 't': tcount++; break;
		case 'n': break;
		case 'h': help(); exit(RP_EXIT_OK);
		case O_JSON: json = true; break;
		case O_STATS: stats = true; break;
		case O_STRICT: opt->strict = true; break;
		case O_NANO: opt->text.nano = true; break;
		case O_UTC: opt->text.utc = true; break;
		case O_ECHO_WINDOW:
			opt->echo_window_ns = cmd_parse_seconds(SUB, "--echo-window", optarg, 0.001, 86400);
			break;
		default:
			cmd_bad_option(SUB, ch, argv);
		}
	}
	if (tcount > 5)
		cmd_fail(SUB, "-t given %d times: 5 at most (-ttttt)", tcount);
	opt->text.tsfmt = (enum rp_tsfmt[]){ RP_TS_TIME, RP_TS_NONE, RP_TS_EPOCH, RP_TS_DELTA,
					     RP_TS_DATE, RP_TS_SINCE_FIRST }[tcount];
	opt->output = stats ? OUT_STATS : json ? OUT_JSON : OUT_LINES;
	opt->stats_json = stats && json;
	if (!opt->path) {
		if (optind >= argc)
			cmd_fail(SUB, "no capture file given; usage: rawprobe read [options] FILE [FILTER]");
		opt->path = argv[optind++];
	}
	if (optind < argc)
		opt->filter = join_words(argv + optind, argc - optind);
}

/* ------------------------------------------------------------ progress */

static double seconds_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Progress only where a person watches stderr and the output does not go down a pipe. */
static bool want_progress(enum output output)
{
	struct stat st;

	if (!isatty(STDERR_FILENO))
		return false;
	if (isatty(STDOUT_FILENO))
		return output == OUT_STATS;
	return fstat(STDOUT_FILENO, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode);
}

static void show_progress(struct read_ctx *c)
{
	struct timespec now;
	double elapsed;
	long pos = ftell(c->file);

	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = seconds_since(&c->started, &now);
	if (elapsed < 1.0 || seconds_since(&c->last_progress, &now) < 0.25)
		return;
	c->last_progress = now;
	c->progress_shown = true;
	if (c->file_size > 0 && pos >= 0)
		fprintf(stderr, "\r%s: %.0f of %.0f MB (%.0f%%), %llu packets, %.0f packets/s  ",
			c->opt->path, pos / 1e6, c->file_size / 1e6, 100.0 * pos / c->file_size,
			(unsigned long long)c->frames, c->frames / elapsed);
	else
		fprintf(stderr, "\r%s: %.0f MB, %llu packets, %.0f packets/s  ", c->opt->path,
			pos >= 0 ? pos / 1e6 : 0.0, (unsigned long long)c->frames, c->frames / elapsed);
}

static void end_progress(struct read_ctx *c)
{
	if (c->progress_shown)
		fputs("\r\033[K", stderr);
}

/* ------------------------------------------------------------ the loop */

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct read_ctx *c = (struct read_ctx *)user;
	struct rp_packet *pkt = &c->pkt;

	pkt->frame = ++c->frames;
	if (c->progress && c->frames % PROGRESS_EVERY == 0)
		show_progress(c);
	if (c->filtering && !pcap_offline_filter(&c->filter, h, data))
		return;
	c->matched++;
	pkt->ts_sec = h->ts.tv_sec;
	pkt->ts_nsec = (uint32_t)h->ts.tv_usec; /* nanoseconds: the handle was opened that way */
	rp_decode(pkt, c->dlt, data, h->caplen, h->len, c->decode_flags);
	rp_echo_packet(&c->echo, pkt);
	rp_capstats_add(&c->stats, pkt);
	switch (c->opt->output) {
	case OUT_LINES:
		rp_text_packet(&c->out, &c->text_state, &c->opt->text, pkt, data);
		break;
	case OUT_JSON:
		rp_json_packet(&c->out, pkt, c->link_name);
		break;
	case OUT_STATS:
		break;
	}
	if (c->matched == c->opt->count || c->out.err)
		pcap_breakloop(c->pcap);
}

static FILE *open_capture(const char *path, off_t *size)
{
	FILE *f;
	struct stat st;

	*size = 0;
	if (!strcmp(path, "-"))
		return stdin;
	f = fopen(path, "rb");
	if (!f)
		cmd_fail(SUB, "cannot open '%s': %s%s", path, strerror(errno),
			 errno == ENOENT ? " (check the path)" : errno == EACCES ? " (check its permissions)" : "");
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		cmd_fail(SUB, "'%s' is a directory; give a pcap or pcapng file", path);
	if (S_ISREG(st.st_mode))
		*size = st.st_size;
	setvbuf(f, file_buffer, _IOFBF, sizeof file_buffer); /* glibc ignores the size without a buffer */
	return f;
}

static void open_pcap(struct read_ctx *c, const struct read_opts *opt)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	c->file = open_capture(opt->path, &c->file_size);
	c->pcap = pcap_fopen_offline_with_tstamp_precision(c->file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->pcap)
		cmd_fail(SUB, "'%s' is not a capture libpcap can read (%s); give a pcap or pcapng file",
			 opt->path, errbuf);
	c->dlt = pcap_datalink(c->pcap);
	c->link_name = pcap_datalink_val_to_name(c->dlt);
	if (!c->link_name && (c->dlt == 14 || c->dlt == 101))
		c->link_name = "RAW"; /* DLT_RAW's OpenBSD value and LINKTYPE_RAW: libpcap names neither here */
	if (!rp_dlt_supported(c->dlt))
		fprintf(stderr, "rawprobe: read: link type %d (%s) is not decoded; frames are listed by length\n",
			c->dlt, c->link_name ? c->link_name : "unknown");
	if (opt->filter) {
		if (pcap_compile(c->pcap, &c->filter, opt->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
			cmd_fail(SUB, "bad filter '%s': %s (see pcap-filter(7))", opt->filter,
				 pcap_geterr(c->pcap));
		c->filtering = true;
	}
}

static void print_summary(struct read_ctx *c, const struct read_opts *opt)
{
	c->stats.echo_unanswered = c->echo.unanswered;
	if (opt->stats_json)
		rp_json_stats(&c->out, &c->stats);
	else
		rp_text_stats(&c->out, &c->stats, !strcmp(opt->path, "-") ? "stdin" : opt->path);
}

int cmd_read(int argc, char **argv)
{
	static struct read_ctx ctx;
	struct read_opts opt;
	struct read_ctx *c = &ctx;
	int rc;

	parse_options(argc, argv, &opt);
	c->opt = &opt;
	/* --stats needs no checksum verdicts: skip the pass over every payload. */
	c->decode_flags = opt.output == OUT_STATS ? 0 : RP_DECODE_CHECKSUMS;
	if (rp_echo_init(&c->echo, ECHO_TABLE_SLOTS, opt.echo_window_ns) != 0)
		cmd_fail(SUB, "out of memory");
	rp_out_init(&c->out, STDOUT_FILENO, out_storage, sizeof out_storage);
	rp_text_state_init(&c->text_state);
	open_pcap(c, &opt);

	c->progress = want_progress(opt.output);
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->last_progress = c->started;
	do {
		rc = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c);
	} while (rc > 0);
	end_progress(c);

	rp_echo_finish(&c->echo);
	if (opt.output == OUT_STATS && rc != PCAP_ERROR)
		print_summary(c, &opt);
	rp_out_flush(&c->out);
	if (c->out.err)
		cmd_fail(SUB, "cannot write the output: %s", strerror(c->out.err));
	if (rc == PCAP_ERROR) {
		if (opt.output == OUT_STATS) {
			print_summary(c, &opt);
			rp_out_flush(&c->out);
		}
		cmd_fail(SUB, "'%s' is damaged after packet %llu (%s); the packets before it were read", opt.path,
			 (unsigned long long)c->frames, pcap_geterr(c->pcap));
	}
	if (c->filtering)
		pcap_freecode(&c->filter);
	pcap_close(c->pcap); /* closes the file too */
	rp_echo_free(&c->echo);
	free(opt.filter);
	if (opt.strict && c->stats.malformed)
		return RP_EXIT_FINDING;
	return RP_EXIT_OK;
}
