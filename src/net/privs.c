/* Privileges with libcap: CAP_NET_RAW raised only around the calls that need it, then nothing. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "rawprobe/privs.h"

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static int clear_ambient(char *err, size_t errlen)
{
	/* EINVAL: a kernel without ambient capabilities has none to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return fail(err, errlen, "clearing ambient capabilities");
	return 0;
}

static bool cap_permitted(cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t caps = cap_get_proc();

	if (!caps)
		return false;
	cap_get_flag(caps, cap, CAP_PERMITTED, &v);
	cap_free(caps);
	return v == CAP_SET;
}

/* Empties every set but the permitted one, which keeps cap if it had it. */
static int keep_only(cap_value_t cap, const char *name, char *err, size_t errlen)
{
	bool keep = cap_permitted(cap);
	cap_t caps;
	int rc = 0;

	if (clear_ambient(err, errlen) != 0)
		return -1;
	caps = cap_init();
	if (!caps)
		return fail(err, errlen, "cap_init");
	if (keep && cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET) != 0)
		rc = fail(err, errlen, "cap_set_flag");
	if (rc == 0 && cap_set_proc(caps) != 0)
		rc = fail(err, errlen, name);
	cap_free(caps);
	return rc;
}

int rp_privs_keep_net_raw(char *err, size_t errlen)
{
	return keep_only(CAP_NET_RAW, "limiting capabilities to CAP_NET_RAW", err, errlen);
}

int rp_privs_keep_bind_service(char *err, size_t errlen)
{
	return keep_only(CAP_NET_BIND_SERVICE, "limiting capabilities to CAP_NET_BIND_SERVICE", err,
			 errlen);
}

bool rp_privs_net_raw_permitted(void)
{
	return cap_permitted(CAP_NET_RAW);
}

/* The capabilities rawprobe ever raises: what rp_privs_lower takes back out. */
static const cap_value_t raised[] = { CAP_NET_RAW, CAP_NET_BIND_SERVICE };

static int set_effective(const cap_value_t *caps_v, int n, cap_flag_value_t v)
{
	cap_t caps = cap_get_proc();
	int rc = -1;

	if (!caps)
		return -1;
	if (cap_set_flag(caps, CAP_EFFECTIVE, n, caps_v, v) == 0)
		rc = cap_set_proc(caps);
	cap_free(caps);
	return rc;
}

static int raise_cap(cap_value_t cap)
{
	if (!cap_permitted(cap)) {
		errno = EPERM;
		return -1;
	}
	return set_effective(&cap, 1, CAP_SET);
}

int rp_privs_raise_net_raw(void)
{
	return raise_cap(CAP_NET_RAW);
}

int rp_privs_raise_bind_service(void)
{
	return raise_cap(CAP_NET_BIND_SERVICE);
}

void rp_privs_lower(void)
{
	int saved = errno;

	set_effective(raised, (int)(sizeof raised / sizeof raised[0]), CAP_CLEAR);
	errno = saved;
}

int rp_privs_drop_all(char *err, size_t errlen)
{
	uid_t ruid = getuid();
	gid_t rgid = getgid();
	cap_t none;

	/* Setuid/setgid installs: back to the real ids, saved ids included. */
	if (getegid() != rgid && setresgid(rgid, rgid, rgid) != 0)
		return fail(err, errlen, "setresgid");
	if (geteuid() != ruid && setresuid(ruid, ruid, ruid) != 0)
		return fail(err, errlen, "setresuid");
	if (clear_ambient(err, errlen) != 0)
		return -1;
	none = cap_init();
	if (!none)
		return fail(err, errlen, "cap_init");
	if (cap_set_proc(none) != 0) {
		cap_free(none);
		return fail(err, errlen, "clearing capabilities");
	}
	cap_free(none);
	return 0;
}

bool rp_privs_real_root(void)
{
	return getuid() == 0;
}
