/*
 * Privileges. The supported install gives the binary CAP_NET_RAW in its
 * permitted set only; commands that open no raw socket give up everything
 * before they read any input.
 */
#ifndef RAWPROBE_PRIVS_H
#define RAWPROBE_PRIVS_H

#include <stddef.h>

/*
 * Clears every capability from every set (effective, permitted,
 * inheritable, ambient) and, when run setuid or setgid, returns to the
 * real user and group for good.
 * 0 on success; -1 with err filled when something could not be dropped.
 */
int rp_privs_drop_all(char *err, size_t errlen);

#endif
