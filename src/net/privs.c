/* Giving up privileges with libcap: all of them, for good. */
#include <errno.h>
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
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return fail(err, errlen, "clearing ambient capabilities");
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
