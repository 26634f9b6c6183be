/*
 * rawprobe caps: what this process may do on the network, and why.
 * main.c leaves the privileges the binary was started with untouched for this
 * command. Everything is looked at first, then every privilege is dropped,
 * and only then is anything printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cmd.h"
#include "outbuf.h"
#include "rawprobe/privs.h"

#define SUB "caps"
#define SELF_EXE "/proc/self/exe"
#define PING_RANGE_PATH "/proc/sys/net/ipv4/ping_group_range"
#define CAPS_MAX 64      /* the sets are kept as 64-bit masks, as the kernel shows them */
#define GID_MAX_RANGE 2147483647UL
#define OUT_BUFFER 8192

enum cap_set { SET_EFFECTIVE, SET_PERMITTED, SET_INHERITABLE, SET_AMBIENT, SET_COUNT };

static const char *const set_names[SET_COUNT] = { "effective", "permitted", "inheritable",
						   "ambient" };

struct sock_probe {
	bool ok;
	int err; /* errno when !ok */
};

/* What was seen, with the privileges the process was started with. */
struct caps_seen {
	char path[PATH_MAX];
	uid_t uid, euid;
	gid_t gid, egid;
	gid_t *groups; /* supplementary */
	int ngroups;
	uint64_t sets[SET_COUNT]; /* bit n: capability n */
	int ncaps;                /* capabilities the running kernel knows */
	bool bounding_net_raw;
	char *file_caps;   /* the binary's file capabilities as text, NULL when it has none */
	bool file_net_raw; /* they put cap_net_raw in the permitted set */
	bool no_new_privs;
	bool nosuid;       /* the binary's filesystem ignores file capabilities */
	struct sock_probe raw, dgram;
	bool range_known;
	unsigned long range_low, range_high;
	bool in_range;
};

enum ping_mode { PING_RAW, PING_DGRAM, PING_NONE };

/* What that allows, and what to change when it is not enough. */
struct caps_verdict {
	enum ping_mode ping;
	bool raw_tools;   /* craft and trace */
	bool root_only;   /* -f, intervals under 2 ms, spoofed craft sources */
	const char *why;  /* why raw sockets do not open; NULL when they do */
	bool want_setcap;
	bool want_range;
	unsigned long fix_low, fix_high;
};

static void help(void)
{
	fputs("usage: rawprobe caps [--json]\n"
	      "Shows what this process may do on the network and why: user and groups, the\n"
	      "capabilities in each set, the binary's file capabilities, no_new_privs, whether a\n"
	      "raw ICMP socket and an ICMP datagram socket open, net.ipv4.ping_group_range, and\n"
	      "what that allows ping, craft and trace to do, with the command that fixes it.\n\n"
	      "      --json      one JSON object instead of the text\n"
	      "  -h, --help      this text\n\n"
	      "Exit status: 0 reported (whatever it says), 2 error.\n",
	      stdout);
}

static bool parse_options(int argc, char **argv)
{
	enum { O_JSON = 256 };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_JSON: json = true; break;
		case 'h': help(); exit(RP_EXIT_OK);
		default: cmd_bad_option(SUB, ch, argv);
		}
	}
	if (optind < argc)
		cmd_fail(SUB, "unexpected argument '%s'; usage: rawprobe caps [--json]", argv[optind]);
	return json;
}

/* ------------------------------------------------------------ looking */

static void see_identity(struct caps_seen *s)
{
	int n;

	s->uid = getuid();
	s->euid = geteuid();
	s->gid = getgid();
	s->egid = getegid();
	n = getgroups(0, NULL);
	if (n < 0)
		cmd_fail(SUB, "getgroups: %s", strerror(errno));
	s->groups = calloc((size_t)n + 1, sizeof *s->groups);
	if (!s->groups)
		cmd_fail(SUB, "out of memory");
	s->ngroups = getgroups(n, s->groups);
	if (s->ngroups < 0)
		cmd_fail(SUB, "getgroups: %s", strerror(errno));
}

static void see_sets(struct caps_seen *s)
{
	static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
	cap_t proc = cap_get_proc();

	if (!proc)
		cmd_fail(SUB, "cap_get_proc: %s", strerror(errno));
	s->ncaps = cap_max_bits();
	if (s->ncaps > CAPS_MAX)
		s->ncaps = CAPS_MAX;
	for (int c = 0; c < s->ncaps; c++) {
		for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
			cap_flag_value_t v = CAP_CLEAR;

			cap_get_flag(proc, (cap_value_t)c, flags[f], &v);
			if (v == CAP_SET)
				s->sets[f] |= UINT64_C(1) << c;
		}
		if (cap_get_ambient((cap_value_t)c) == 1)
			s->sets[SET_AMBIENT] |= UINT64_C(1) << c;
	}
	cap_free(proc);
	s->bounding_net_raw = cap_get_bound(CAP_NET_RAW) == 1;
}

static void see_binary(struct caps_seen *s)
{
	ssize_t n = readlink(SELF_EXE, s->path, sizeof s->path - 1);
	struct statvfs vfs;
	cap_t file;

	if (n < 0)
		snprintf(s->path, sizeof s->path, "%s", SELF_EXE);
	else
		s->path[n] = '\0';
	file = cap_get_file(SELF_EXE);
	if (file) {
		cap_flag_value_t v = CAP_CLEAR;

		cap_get_flag(file, CAP_NET_RAW, CAP_PERMITTED, &v);
		s->file_net_raw = v == CAP_SET;
		s->file_caps = cap_to_text(file, NULL);
		cap_free(file);
	}
	s->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	s->nosuid = statvfs(SELF_EXE, &vfs) == 0 && (vfs.f_flag & ST_NOSUID);
}

static struct sock_probe try_socket(int type)
{
	struct sock_probe p = { .ok = false, .err = 0 };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0) {
		p.err = errno;
		return p;
	}
	close(fd);
	p.ok = true;
	return p;
}

/* The raw socket with CAP_NET_RAW raised for the call only, as ping opens it. */
static void see_sockets(struct caps_seen *s)
{
	/* Raising fails when the capability is not permitted; the socket then says why. */
	bool raised = rp_privs_raise_net_raw() == 0;

	s->raw = try_socket(SOCK_RAW);
	if (raised)
		rp_privs_lower();
	s->dgram = try_socket(SOCK_DGRAM);
}

static bool gid_in(const struct caps_seen *s, gid_t g)
{
	return s->range_low <= s->range_high && g >= s->range_low && g <= s->range_high;
}

/* The kernel admits the effective group or any supplementary one (net/ipv4/ping.c). */
static void see_ping_range(struct caps_seen *s)
{
	FILE *f = fopen(PING_RANGE_PATH, "re");

	if (!f)
		return;
	s->range_known = fscanf(f, "%lu %lu", &s->range_low, &s->range_high) == 2;
	fclose(f);
	if (!s->range_known)
		return;
	s->in_range = gid_in(s, s->egid);
	for (int i = 0; i < s->ngroups && !s->in_range; i++)
		s->in_range = gid_in(s, s->groups[i]);
}

/* ------------------------------------------------------------ judging */

static bool has(const struct caps_seen *s, enum cap_set set, cap_value_t cap)
{
	return (s->sets[set] >> cap) & 1;
}

static const char *why_no_raw(const struct caps_seen *s)
{
	if (has(s, SET_PERMITTED, CAP_NET_RAW))
		return "CAP_NET_RAW was raised, but the kernel still refused the socket (a security "
		       "module or seccomp filter?)";
	if (s->file_net_raw && s->no_new_privs)
		return "the binary has cap_net_raw, but no_new_privs is set and the kernel did not "
		       "grant the file capabilities at exec";
	if (s->file_net_raw && s->nosuid)
		return "the binary has cap_net_raw, but its filesystem is mounted nosuid, which ignores "
		       "file capabilities";
	if (!s->bounding_net_raw)
		return "CAP_NET_RAW is not in the bounding set (taken away by a container or a service "
		       "manager), so neither root nor file capabilities can have it";
	if (s->file_net_raw)
		return "the binary has cap_net_raw, but this process did not get it (run under a "
		       "debugger, or in another user namespace?)";
	if (s->euid == 0)
		return "running as root, but CAP_NET_RAW is not in the permitted set";
	return "the binary has no cap_net_raw file capability and the user is not root";
}

/* The smallest change to ping_group_range that admits the effective group. */
static void range_fix(const struct caps_seen *s, struct caps_verdict *v)
{
	v->want_range = true;
	v->fix_low = v->fix_high = s->egid;
	if (s->range_known && s->range_low <= s->range_high) {
		v->fix_low = s->range_low < s->egid ? s->range_low : s->egid;
		v->fix_high = s->range_high > s->egid ? s->range_high : s->egid;
	}
	if (v->fix_high > GID_MAX_RANGE)
		v->fix_high = GID_MAX_RANGE;
}

static void judge(const struct caps_seen *s, struct caps_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->ping = s->raw.ok ? PING_RAW : s->dgram.ok ? PING_DGRAM : PING_NONE;
	v->raw_tools = s->raw.ok;
	v->root_only = s->uid == 0;
	if (s->raw.ok)
		return;
	v->why = why_no_raw(s);
	v->want_setcap = !s->file_net_raw && !s->nosuid && s->bounding_net_raw;
	if (!s->dgram.ok)
		range_fix(s, v);
}

/* ------------------------------------------------------------ text */

static const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "?";
}

/* Capability names where the bit in mask equals want, comma-separated. */
static void text_names(const struct caps_seen *s, uint64_t mask, bool want)
{
	const char *sep = "";

	for (int c = 0; c < s->ncaps; c++) {
		char *name;

		if (((mask >> c) & 1) != want)
			continue;
		name = cap_to_name((cap_value_t)c);
		printf("%s%s", sep, name ? name : "?");
		cap_free(name);
		sep = ",";
	}
}

/* Root's sets hold nearly everything: name what is missing instead. */
static void text_set(const struct caps_seen *s, enum cap_set set)
{
	int n = __builtin_popcountll(s->sets[set]);

	printf("  %-12s ", set_names[set]);
	if (n == 0) {
		puts("none");
	} else if (n >= s->ncaps) {
		printf("all %d\n", s->ncaps);
	} else if (n > s->ncaps / 2) {
		printf("%d of %d, all but ", n, s->ncaps);
		text_names(s, s->sets[set], false);
		putchar('\n');
	} else {
		text_names(s, s->sets[set], true);
		putchar('\n');
	}
}

static void text_socket(const char *what, struct sock_probe p, const char *how)
{
	if (p.ok)
		printf("%-15s opens%s\n", what, how);
	else
		printf("%-15s refused: %s (%s)\n", what, strerror(p.err), errno_name(p.err));
}

static void text_identity(const struct caps_seen *s)
{
	printf("binary          %s\n", s->path);
	printf("uid             real %u, effective %u\n", (unsigned)s->uid, (unsigned)s->euid);
	printf("gid             real %u, effective %u, supplementary", (unsigned)s->gid,
	       (unsigned)s->egid);
	for (int i = 0; i < s->ngroups; i++)
		printf(" %u", (unsigned)s->groups[i]);
	puts(s->ngroups ? "" : " none");
}

static void text_privileges(const struct caps_seen *s)
{
	puts("capabilities");
	for (int set = 0; set < SET_COUNT; set++)
		text_set(s, set);
	printf("  %-12s cap_net_raw %s\n", "bounding", s->bounding_net_raw ? "yes" : "no");
	printf("file caps       %s\n", s->file_caps ? s->file_caps : "none");
	printf("no_new_privs    %s\n", s->no_new_privs ? "yes" : "no");
	if (s->nosuid)
		puts("nosuid mount    yes (file capabilities are ignored on this filesystem)");
}

static void text_sockets(const struct caps_seen *s)
{
	text_socket("raw socket", s->raw, " (SOCK_RAW, CAP_NET_RAW raised for the call)");
	if (!s->range_known)
		printf("ping group      %s unreadable\n", PING_RANGE_PATH);
	else
		printf("ping group      net.ipv4.ping_group_range %lu %lu%s; caller's groups inside: "
		       "%s\n", s->range_low, s->range_high,
		       s->range_low > s->range_high ? " (closed)" : "", s->in_range ? "yes" : "no");
	text_socket("dgram socket", s->dgram, " (SOCK_DGRAM, ICMP datagram: no privilege needed)");
}

static void text_ping(const struct caps_verdict *v)
{
	switch (v->ping) {
	case PING_RAW:
		puts("ping            yes, raw socket: every option");
		break;
	case PING_DGRAM:
		puts("ping            yes, ICMP datagram socket; -t -Q -M -s and sweeps work, but the\n"
		     "                kernel builds the IP header and picks the ICMP identifier, replies\n"
		     "                with bad checksums are dropped unseen, errors come from the\n"
		     "                socket's error queue, and --pcap cannot hold the headers as sent");
		break;
	case PING_NONE:
		puts("ping            no: neither a raw nor an ICMP datagram socket opens");
		break;
	}
}

static void text_verdict(const struct caps_seen *s, const struct caps_verdict *v)
{
	putchar('\n');
	text_ping(v);
	printf("craft, trace    %s\n", v->raw_tools ? "yes (CAP_NET_RAW)" : "no: they need CAP_NET_RAW");
	printf("root-only       %s: -f, intervals under 2 ms (--rate over 500), a spoofed craft "
	       "source\n", v->root_only ? "allowed (real uid 0)" : "refused (real uid is not 0)");
	if (v->why)
		printf("why             %s\n", v->why);
	if (v->want_setcap)
		printf("fix             as root: setcap cap_net_raw+p %s\n", s->path);
	if (v->want_range)
		printf("%s as root: sysctl -w net.ipv4.ping_group_range=\"%lu %lu\" (ping only)\n",
		       v->want_setcap ? "   or          " : "fix            ", v->fix_low,
		       v->fix_high);
}

static void print_text(const struct caps_seen *s, const struct caps_verdict *v)
{
	text_identity(s);
	text_privileges(s);
	text_sockets(s);
	text_verdict(s, v);
	fflush(stdout);
	if (ferror(stdout))
		cmd_fail(SUB, "writing the report: %s", strerror(errno));
}

/* ------------------------------------------------------------ JSON */

static void json_key(struct rp_out *o, const char *key)
{
	rp_out_char(o, ',');
	rp_out_json_str(o, key);
	rp_out_char(o, ':');
}

static void json_bool(struct rp_out *o, const char *key, bool v)
{
	json_key(o, key);
	rp_out_str(o, v ? "true" : "false");
}

static void json_set(struct rp_out *o, const struct caps_seen *s, enum cap_set set)
{
	const char *sep = "";

	json_key(o, set_names[set]);
	rp_out_char(o, '[');
	for (int c = 0; c < s->ncaps; c++) {
		char *name;

		if (!has(s, set, c))
			continue;
		name = cap_to_name((cap_value_t)c);
		rp_out_str(o, sep);
		rp_out_json_str(o, name ? name : "?");
		cap_free(name);
		sep = ",";
	}
	rp_out_char(o, ']');
}

static void json_socket(struct rp_out *o, const char *key, struct sock_probe p)
{
	json_key(o, key);
	RP_OUT_LIT(o, "{\"ok\":");
	rp_out_str(o, p.ok ? "true" : "false");
	RP_OUT_LIT(o, ",\"errno\":");
	if (p.ok)
		RP_OUT_LIT(o, "null");
	else
		rp_out_json_str(o, errno_name(p.err));
	rp_out_char(o, '}');
}

static void json_identity(struct rp_out *o, const struct caps_seen *s)
{
	RP_OUT_LIT(o, "{\"path\":");
	rp_out_json_str(o, s->path);
	json_key(o, "uid");
	rp_out_u64(o, s->uid);
	json_key(o, "euid");
	rp_out_u64(o, s->euid);
	json_key(o, "gid");
	rp_out_u64(o, s->gid);
	json_key(o, "egid");
	rp_out_u64(o, s->egid);
	json_key(o, "groups");
	rp_out_char(o, '[');
	for (int i = 0; i < s->ngroups; i++) {
		if (i)
			rp_out_char(o, ',');
		rp_out_u64(o, s->groups[i]);
	}
	rp_out_char(o, ']');
}

static void json_privileges(struct rp_out *o, const struct caps_seen *s)
{
	for (int set = 0; set < SET_COUNT; set++)
		json_set(o, s, set);
	json_bool(o, "bounding_net_raw", s->bounding_net_raw);
	json_key(o, "file_caps");
	if (s->file_caps)
		rp_out_json_str(o, s->file_caps);
	else
		RP_OUT_LIT(o, "null");
	json_bool(o, "no_new_privs", s->no_new_privs);
	json_bool(o, "nosuid", s->nosuid);
}

static void json_sockets(struct rp_out *o, const struct caps_seen *s)
{
	json_socket(o, "raw_socket", s->raw);
	json_key(o, "ping_group_range");
	if (!s->range_known) {
		RP_OUT_LIT(o, "null");
	} else {
		RP_OUT_LIT(o, "[");
		rp_out_u64(o, s->range_low);
		rp_out_char(o, ',');
		rp_out_u64(o, s->range_high);
		rp_out_char(o, ']');
	}
	json_bool(o, "in_ping_group", s->in_range);
	json_socket(o, "dgram_socket", s->dgram);
}

static void json_fix(struct rp_out *o, const struct caps_seen *s, const struct caps_verdict *v)
{
	char line[PATH_MAX + 64];

	json_key(o, "why");
	if (v->why)
		rp_out_json_str(o, v->why);
	else
		RP_OUT_LIT(o, "null");
	json_key(o, "fix_setcap");
	if (v->want_setcap) {
		snprintf(line, sizeof line, "setcap cap_net_raw+p %s", s->path);
		rp_out_json_str(o, line);
	} else {
		RP_OUT_LIT(o, "null");
	}
	json_key(o, "fix_ping_group");
	if (v->want_range) {
		snprintf(line, sizeof line, "sysctl -w net.ipv4.ping_group_range=\"%lu %lu\"",
			 v->fix_low, v->fix_high);
		rp_out_json_str(o, line);
	} else {
		RP_OUT_LIT(o, "null");
	}
}

static void json_verdict(struct rp_out *o, const struct caps_seen *s, const struct caps_verdict *v)
{
	static const char *const modes[] = { "raw", "dgram", "none" };

	json_key(o, "ping");
	rp_out_json_str(o, modes[v->ping]);
	json_bool(o, "craft", v->raw_tools);
	json_bool(o, "trace", v->raw_tools);
	json_bool(o, "root_only_options", v->root_only);
	json_fix(o, s, v);
}

static void print_json(const struct caps_seen *s, const struct caps_verdict *v)
{
	static char storage[OUT_BUFFER];
	struct rp_out o;

	rp_out_init(&o, STDOUT_FILENO, storage, sizeof storage);
	json_identity(&o, s);
	json_privileges(&o, s);
	json_sockets(&o, s);
	json_verdict(&o, s, v);
	RP_OUT_LIT(&o, "}\n");
	if (rp_out_flush(&o) != 0)
		cmd_fail(SUB, "writing the report: %s", strerror(o.err));
}

/* ------------------------------------------------------------ the command */

int cmd_caps(int argc, char **argv)
{
	struct caps_seen seen = { 0 };
	struct caps_verdict verdict;
	bool json = parse_options(argc, argv);
	char err[256];

	see_identity(&seen);
	see_sets(&seen);
	see_binary(&seen);
	see_sockets(&seen);
	see_ping_range(&seen);
	if (rp_privs_drop_all(err, sizeof err) != 0)
		cmd_fail(SUB, "cannot give up privileges (%s); refusing to print with them", err);
	judge(&seen, &verdict);
	if (json)
		print_json(&seen, &verdict);
	else
		print_text(&seen, &verdict);
	cap_free(seen.file_caps);
	free(seen.groups);
	return RP_EXIT_OK;
}
