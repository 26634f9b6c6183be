/* What the subcommand files share: entry points and option-parsing helpers. */
#ifndef RAWPROBE_CMD_H
#define RAWPROBE_CMD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Each subcommand: argv[0] is its name; returns the exit status. */
int cmd_read(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_caps(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_craft(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* Exit status: 0 success, 1 "ran but found a problem", 2 usage or any error. */
enum { RP_EXIT_OK = 0, RP_EXIT_FINDING = 1, RP_EXIT_ERROR = 2 };

/* One line on stderr, "rawprobe: SUB: message", then exit 2. */
_Noreturn void cmd_fail(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * After getopt_long (run with opterr = 0 and an optstring starting with ':')
 * returned '?' or ':': one line naming the option, then exit 2.
 */
_Noreturn void cmd_bad_option(const char *sub, int ch, char **argv);

/*
 * A whole number within [min, max], or cmd_fail naming the option, the
 * value and the range (OpenBSD ping's strtonum discipline).
 */
uint64_t cmd_parse_uint(const char *sub, const char *opt, const char *arg, uint64_t min,
			uint64_t max);
/* Seconds, decimals allowed, within [min, max]; returned in nanoseconds. */
int64_t cmd_parse_seconds(const char *sub, const char *opt, const char *arg, double min,
			  double max);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
int64_t cmd_mono_ns(void);
int64_t cmd_real_ns(void);

/*
 * Sends each of the n signals in sigs to handler and blocks them; *wait_mask
 * is the mask to wait with (ppoll, epoll_pwait), so they arrive only there
 * and a flag the handler sets is never missed between a check and a wait.
 */
void cmd_catch_signals(void (*handler)(int), const int *sigs, unsigned n, sigset_t *wait_mask);

/* The timeout from now to the monotonic deadline 'until' (never negative); NULL for INT64_MAX. */
struct timespec *cmd_timeout_until(int64_t until, struct timespec *ts);

/* This program's own path (for the setcap hint), or "rawprobe". */
const char *cmd_self_path(char *buf, size_t len);

#endif
