/* rawprobe: one binary, subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cmd.h"
#include "rawprobe/privs.h"

/* What a subcommand may keep of the privileges the binary was started with. */
enum keep { KEEP_NOTHING, KEEP_NET_RAW, KEEP_BIND, KEEP_ALL_TO_REPORT };

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	enum keep keep;
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "read", cmd_read, KEEP_NOTHING, "offline pcap/pcapng analysis: lines, JSON, statistics" },
	{ "ping", cmd_ping, KEEP_NET_RAW, "ICMP echo probes to one target or a sweep" },
	{ "craft", cmd_craft, KEEP_NET_RAW, "build any IPv4 packet by hand, send it, decode the replies" },
	{ "trace", cmd_trace, KEEP_NET_RAW, "TTL-stepping path discovery" },
	{ "serve", cmd_serve, KEEP_BIND, "stream/datagram/seqpacket server" },
	{ "connect", cmd_connect, KEEP_NOTHING, "netcat-like client" },
	{ "bench", cmd_bench, KEEP_NOTHING, "throughput and latency over a socket address" },
	{ "caps", cmd_caps, KEEP_ALL_TO_REPORT, "what this process may do and why" },
};

#define NSUB (sizeof subcommands / sizeof subcommands[0])

void cmd_fail(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(sub ? "rawprobe: " : "rawprobe", stderr);
	if (sub)
		fputs(sub, stderr);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(RP_EXIT_ERROR);
}

void cmd_bad_option(const char *sub, int ch, char **argv)
{
	const char *opt = argv[optind - 1];

	if (ch == ':')
		cmd_fail(sub, "option %s needs a value; 'rawprobe %s --help' lists the options", opt, sub);
	if (optopt && strncmp(opt, "--", 2) != 0)
		cmd_fail(sub, "unknown option -%c; 'rawprobe %s --help' lists the options", optopt, sub);
	cmd_fail(sub, "unknown option %s; 'rawprobe %s --help' lists the options", opt, sub);
}

int64_t cmd_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cmd_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void cmd_catch_signals(void (*handler)(int), const int *sigs, unsigned n, sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = handler };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (unsigned i = 0; i < n; i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	for (unsigned i = 0; i < n; i++)
		sigdelset(wait_mask, sigs[i]);
}

struct timespec *cmd_timeout_until(int64_t until, struct timespec *ts)
{
	int64_t left;

	if (until == INT64_MAX)
		return NULL;
	left = until - cmd_mono_ns();
	if (left < 0)
		left = 0;
	ts->tv_sec = left / 1000000000;
	ts->tv_nsec = left % 1000000000;
	return ts;
}

const char *cmd_self_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n <= 0)
		return "rawprobe";
	buf[n] = '\0';
	return buf;
}

uint64_t cmd_parse_uint(const char *sub, const char *opt, const char *arg, uint64_t min,
			uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '\0')
		cmd_fail(sub, "%s value '%s' is not a whole number from %llu to %llu", opt, arg,
			 (unsigned long long)min, (unsigned long long)max);
	v = strtoull(arg, &end, 10);
	if (*end != '\0')
		cmd_fail(sub, "%s value '%s' is not a whole number from %llu to %llu", opt, arg,
			 (unsigned long long)min, (unsigned long long)max);
	if (errno == ERANGE || v > max)
		cmd_fail(sub, "%s value is %s: too large (%llu at most)", opt, arg,
			 (unsigned long long)max);
	if (v < min)
		cmd_fail(sub, "%s value is %s: too small (%llu at least)", opt, arg,
			 (unsigned long long)min);
	return v;
}

int64_t cmd_parse_seconds(const char *sub, const char *opt, const char *arg, double min,
			  double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || isnan(v))
		cmd_fail(sub, "%s value '%s' is not a number of seconds from %g to %g", opt, arg,
			 min, max);
	if (v < min || v > max)
		cmd_fail(sub, "%s value is %s: out of range (%g to %g seconds)", opt, arg, min, max);
	return (int64_t)llround(v * 1e9);
}

static void usage(FILE *f)
{
	fputs("usage: rawprobe COMMAND [options] ...\n\ncommands:\n", f);
	for (size_t i = 0; i < NSUB; i++)
		fprintf(f, "  %-8s %s%s\n", subcommands[i].name, subcommands[i].summary,
			subcommands[i].run ? "" : " (not in this build yet)");
	fputs("\n'rawprobe COMMAND --help' describes a command; 'man rawprobe' has the rest.\n", f);
}

/*
 * Before any option is parsed: commands that open raw sockets keep CAP_NET_RAW
 * in the permitted set only (raised around socket(2), dropped before the first
 * packet); serve keeps CAP_NET_BIND_SERVICE the same way, for bind(2); caps
 * reports first and drops then; the rest give up everything.
 */
static void limit_privileges(const struct subcommand *sub)
{
	char err[256];
	int rc = 0;

	if (sub->keep == KEEP_NET_RAW)
		rc = rp_privs_keep_net_raw(err, sizeof err);
	else if (sub->keep == KEEP_BIND)
		rc = rp_privs_keep_bind_service(err, sizeof err);
	else if (sub->keep == KEEP_NOTHING)
		rc = rp_privs_drop_all(err, sizeof err);
	if (rc != 0)
		cmd_fail(sub->name, "cannot give up privileges (%s); refusing to run with them", err);
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return RP_EXIT_ERROR;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return RP_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("rawprobe %s (%s)\n", RAWPROBE_VERSION, pcap_lib_version());
		return RP_EXIT_OK;
	}
	for (size_t i = 0; i < NSUB; i++) {
		if (strcmp(name, subcommands[i].name) != 0)
			continue;
		limit_privileges(&subcommands[i]);
		if (!subcommands[i].run)
			cmd_fail(name, "not available in this build of rawprobe yet; see 'rawprobe --help'");
		return subcommands[i].run(argc - 1, argv + 1);
	}
	cmd_fail(NULL, "unknown command '%s'; 'rawprobe --help' lists the commands", name);
}
