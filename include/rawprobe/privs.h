/*
 * Privileges. The supported install gives the binary CAP_NET_RAW in its
 * permitted set only (`setcap cap_net_raw+p`), as iputils installs ping.
 * Commands that open raw sockets call rp_privs_keep_net_raw() first, raise
 * the capability only around socket(2) and SO_BINDTODEVICE, and call
 * rp_privs_drop_all() before they read the first packet. Every other
 * command drops everything before it reads any input.
 */
#ifndef RAWPROBE_PRIVS_H
#define RAWPROBE_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Empties the effective, inheritable and ambient sets and keeps at most
 * CAP_NET_RAW in the permitted set.
 * 0 on success; -1 with err filled.
 */
int rp_privs_keep_net_raw(char *err, size_t errlen);

/* The same for CAP_NET_BIND_SERVICE (serve: a port below 1024 for root). */
int rp_privs_keep_bind_service(char *err, size_t errlen);

/* True when CAP_NET_RAW is in the permitted set (so it can be raised). */
bool rp_privs_net_raw_permitted(void);

/*
 * Puts CAP_NET_RAW in the effective set / takes it out again. Raising
 * fails (-1, errno EPERM) when it is not permitted; lowering always works.
 */
int rp_privs_raise_net_raw(void);
int rp_privs_raise_bind_service(void);
/* Takes whichever of the two was raised out of the effective set again. */
void rp_privs_lower(void);

/*
 * Clears every capability from every set (effective, permitted,
 * inheritable, ambient) and, when run setuid or setgid, returns to the
 * real user and group for good.
 * 0 on success; -1 with err filled when something could not be dropped.
 */
int rp_privs_drop_all(char *err, size_t errlen);

/* True when the real user is root: the test for root-only options (-f, intervals under 2 ms). */
bool rp_privs_real_root(void);

#endif
