/* rawprobe: one binary, subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>

#include <pcap/pcap.h>

#include "cmd.h"
#include "rawprobe/privs.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{ "read", cmd_read, "offline pcap/pcapng analysis: lines, JSON, statistics" },
	{ "ping", NULL, "ICMP echo probes to one target or a sweep" },
	{ "craft", NULL, "build any IPv4 packet by hand, send it, decode the replies" },
	{ "trace", NULL, "TTL-stepping path discovery" },
	{ "serve", NULL, "stream/datagram/seqpacket server" },
	{ "connect", NULL, "netcat-like client" },
	{ "bench", NULL, "throughput and latency over a socket address" },
	{ "caps", NULL, "what this process may do and why" },
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

int main(int argc, char **argv)
{
	char err[256];
	const char *name;

	/* Nothing in this build needs a privilege: drop them all before reading anything. */
	if (rp_privs_drop_all(err, sizeof err) != 0)
		cmd_fail(NULL, "cannot drop privileges (%s); refusing to run with them", err);
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
		if (!subcommands[i].run)
			cmd_fail(name, "not available in this build of rawprobe yet; see 'rawprobe --help'");
		return subcommands[i].run(argc - 1, argv + 1);
	}
	cmd_fail(NULL, "unknown command '%s'; 'rawprobe --help' lists the commands", name);
}
