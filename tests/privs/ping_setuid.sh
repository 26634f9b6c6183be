#!/usr/bin/env bash
# Setuid root is not the supported install, but a setuid copy must still give
# up root: run as nobody, it opens its raw socket as root, then, while it
# runs, /proc/PID/status shows every uid back at 65534 (real, effective,
# saved, filesystem), every gid at 65534 and every capability set empty.
#
#   ping_setuid.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=suid
. "$(dirname "$0")/../netns/lib.sh"
rp_need ip setpriv
[ "$rp_standin" -eq 0 ] || skip "tests rawprobe's own privilege handling"

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.35.1/24 "$b" 10.200.35.2/24 s1
rp_wait_reachable "$a" 10.200.35.2
rp_copy_binary copy ""
chown root:root "$copy" && chmod 4755 "$copy" || skip "cannot make a setuid copy"

rp_bg pid ip netns exec "$a" "${rp_nobody[@]}" "$copy" ping -n -c 5 -i 0.2 -W 2 10.200.35.2 \
	>"$rp_work/out" 2>"$rp_work/err"
rp_wait_until 5 rp_has_socket "$pid" || { cat "$rp_work/err"; fail "no socket open within 5 s"; }
sleep 0.3 # the first probes answered and read: the drop is long done
status=$(grep -E '^(Uid|Gid|CapPrm|CapEff|CapAmb):' "/proc/$pid/status")
kinds=$(rp_socket_kinds "$pid" | sort -u | tr '\n' ' ')
rp_reap "$pid"
rc=$?
echo "$status"
[ "$rc" -eq 0 ] || fail "exit $rc from the setuid copy, expected 0 ($(cat "$rp_work/err"))"
[ "$(grep -c '^64 bytes from 10.200.35.2: icmp_seq=' "$rp_work/out")" -eq 5 ] || fail "not 5 replies"
[ "$kinds" = "raw " ] || fail "sockets held: '$kinds', expected one raw socket (opened as root)"
echo "$status" | grep -qE '^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$' ||
	fail "still root in some uid while it runs"
echo "$status" | grep -qE '^Gid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$' ||
	fail "a gid is not 65534 while it runs"
for set in CapPrm CapEff CapAmb; do
	echo "$status" | grep -q "^$set:[[:space:]]*0000000000000000$" || fail "$set is not empty while it runs"
done
echo "ok: the setuid copy opened a raw socket, then ran as 65534 with no capability"
