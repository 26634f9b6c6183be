/*
 * libpcap, loaded when first used. Debian's libpcap pulls in libdbus,
 * libsystemd and libgcrypt; mapping and relocating them costs 0.66 ms on
 * every start (bench/README.md, "Start-up"), more than a whole `trace` of a
 * ten-hop path. So the binary does not link libpcap: the functions rawprobe
 * uses are defined here and forward to the real ones, which are loaded on
 * the first call: `read`, `craft --from-pcap` and `--pcap` pay for it, and
 * only after their privileges are gone.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#ifndef RAWPROBE_PCAP_SONAME
#define RAWPROBE_PCAP_SONAME "libpcap.so.0.8"
#endif

/* Every libpcap function rawprobe calls: name, return type, parameters. */
#define PCAP_FUNCTIONS(X)                                                                          \
	X(pcap_geterr, char *, (pcap_t *))                                                         \
	X(pcap_close, void, (pcap_t *))                                                            \
	X(pcap_offline_filter, int,                                                                \
	  (const struct bpf_program *, const struct pcap_pkthdr *, const u_char *))                \
	X(pcap_freecode, void, (struct bpf_program *))                                             \
	X(pcap_datalink_val_to_name, const char *, (int))                                          \
	X(pcap_datalink, int, (pcap_t *))                                                          \
	X(pcap_compile, int, (pcap_t *, struct bpf_program *, const char *, int, bpf_u_int32))    \
	X(pcap_open_offline_with_tstamp_precision, pcap_t *, (const char *, u_int, char *))        \
	X(pcap_fopen_offline_with_tstamp_precision, pcap_t *, (FILE *, u_int, char *))             \
	X(pcap_open_dead_with_tstamp_precision, pcap_t *, (int, int, u_int))                       \
	X(pcap_next_ex, int, (pcap_t *, struct pcap_pkthdr **, const u_char **))                   \
	X(pcap_lib_version, const char *, (void))                                                  \
	X(pcap_dump_open, pcap_dumper_t *, (pcap_t *, const char *))                               \
	X(pcap_dump_flush, int, (pcap_dumper_t *))                                                 \
	X(pcap_dump_file, FILE *, (pcap_dumper_t *))                                               \
	X(pcap_dump_close, void, (pcap_dumper_t *))                                                \
	X(pcap_dump, void, (u_char *, const struct pcap_pkthdr *, const u_char *))                 \
	X(pcap_dispatch, int, (pcap_t *, int, pcap_handler, u_char *))                             \
	X(pcap_breakloop, void, (pcap_t *))

#define POINTER(name, ret, params) ret(*name) params;
static struct {
	PCAP_FUNCTIONS(POINTER)
} real;

static char load_error[200];

/* Loads libpcap and finds every function; false (with load_error) when it cannot. */
static bool loaded(void)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	void *lib;

	if (state)
		return state > 0;
	state = -1;
	lib = dlopen(RAWPROBE_PCAP_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_error, sizeof load_error, "cannot load libpcap: %s", dlerror());
		return false;
	}
#define RESOLVE(name, ret, params)                                                                 \
	if (!(*(void **)&real.name = dlsym(lib, #name))) {                                         \
		snprintf(load_error, sizeof load_error, "libpcap has no %s", #name);                \
		return false;                                                                      \
	}
	PCAP_FUNCTIONS(RESOLVE)
	state = 1;
	return true;
}

/* The functions that create a handle report a failed load the way they report their own errors. */
pcap_t *pcap_open_offline_with_tstamp_precision(const char *path, u_int precision, char *errbuf)
{
	if (!loaded()) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", load_error);
		return NULL;
	}
	return real.pcap_open_offline_with_tstamp_precision(path, precision, errbuf);
}

pcap_t *pcap_fopen_offline_with_tstamp_precision(FILE *f, u_int precision, char *errbuf)
{
	if (!loaded()) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", load_error);
		return NULL;
	}
	return real.pcap_fopen_offline_with_tstamp_precision(f, precision, errbuf);
}

pcap_t *pcap_open_dead_with_tstamp_precision(int linktype, int snaplen, u_int precision)
{
	return loaded() ? real.pcap_open_dead_with_tstamp_precision(linktype, snaplen, precision)
			: NULL;
}

/* Also what a failed load said, for pcap_open_dead's callers (it has no error buffer). */
const char *pcap_lib_version(void)
{
	return loaded() ? real.pcap_lib_version() : load_error;
}

const char *pcap_datalink_val_to_name(int dlt)
{
	return loaded() ? real.pcap_datalink_val_to_name(dlt) : NULL;
}

/* The rest take a handle or a program made with one, so libpcap is loaded by then. */
char *pcap_geterr(pcap_t *p) { return real.pcap_geterr(p); }
void pcap_close(pcap_t *p) { real.pcap_close(p); }
int pcap_datalink(pcap_t *p) { return real.pcap_datalink(p); }
void pcap_breakloop(pcap_t *p) { real.pcap_breakloop(p); }
void pcap_freecode(struct bpf_program *prog) { real.pcap_freecode(prog); }

int pcap_offline_filter(const struct bpf_program *prog, const struct pcap_pkthdr *h,
			const u_char *pkt)
{
	return real.pcap_offline_filter(prog, h, pkt);
}

int pcap_compile(pcap_t *p, struct bpf_program *prog, const char *text, int optimize,
		 bpf_u_int32 netmask)
{
	return real.pcap_compile(p, prog, text, optimize, netmask);
}

int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **h, const u_char **data)
{
	return real.pcap_next_ex(p, h, data);
}

int pcap_dispatch(pcap_t *p, int cnt, pcap_handler cb, u_char *user)
{
	return real.pcap_dispatch(p, cnt, cb, user);
}

pcap_dumper_t *pcap_dump_open(pcap_t *p, const char *path) { return real.pcap_dump_open(p, path); }
int pcap_dump_flush(pcap_dumper_t *d) { return real.pcap_dump_flush(d); }
FILE *pcap_dump_file(pcap_dumper_t *d) { return real.pcap_dump_file(d); }
void pcap_dump_close(pcap_dumper_t *d) { real.pcap_dump_close(d); }

void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	real.pcap_dump(user, h, data);
}
