#!/usr/bin/env bash
# The supported install, `setcap cap_net_raw+p`, on a copy of the binary run
# as nobody (setpriv, no inheritable capability) inside a test namespace:
#   - `ping -c 5 -i 0.2` to a target in the namespace works: exit 0, 5 replies;
#   - while it runs, with its socket open and probes answered, /proc/PID/status
#     shows uid 65534 and every capability set (CapInh, CapPrm, CapEff, CapAmb)
#     empty, and it holds a raw socket (no ICMP datagram one);
#   - the root-only options stay root-only: `-f` and `-i 0.001` exit 2 with
#     one line on stderr and send nothing.
#
#   ping_setcap_nobody.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=capnb
. "$(dirname "$0")/../netns/lib.sh"
rp_need ip setcap setpriv

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.15.1/24 "$b" 10.200.15.2/24 p1
rp_wait_reachable "$a" 10.200.15.2
rp_copy_binary copy cap_net_raw+p
run=(ip netns exec "$a" "${rp_nobody[@]}" "$copy" "${rp_ping_sub[@]}")

rp_bg pid "${run[@]}" -n -c 5 -i 0.2 -W 2 10.200.15.2 >"$rp_work/out" 2>"$rp_work/err"
rp_wait_until 5 rp_has_socket "$pid" || { cat "$rp_work/err"; fail "no socket open within 5 s"; }
# 0.3 s after the socket appeared the first probes have been answered and
# read (0.2 s interval, sub-millisecond veth): every capability must be gone.
sleep 0.3
status=$(grep -E '^(Uid|CapInh|CapPrm|CapEff|CapAmb):' "/proc/$pid/status")
kinds=$(rp_socket_kinds "$pid" | sort -u | tr '\n' ' ')
[ -d "/proc/$pid" ] || fail "exited before its status could be read: $(cat "$rp_work/err")"
rp_reap "$pid"
rc=$?
echo "$status"
cat "$rp_work/out"
[ "$rc" -eq 0 ] || fail "exit $rc as nobody with cap_net_raw+p, expected 0 ($(cat "$rp_work/err"))"
[ "$(grep -c '^64 bytes from 10.200.15.2: icmp_seq=' "$rp_work/out")" -eq 5 ] || fail "not 5 replies"
echo "$status" | grep -q "^Uid:[[:space:]]*65534[[:space:]]" || fail "not running as nobody"
for set in CapInh CapPrm CapEff CapAmb; do
	echo "$status" | grep -q "^$set:[[:space:]]*0000000000000000$" || fail "$set is not empty while it runs"
done
note "sockets held: $kinds"
if [ "$rp_standin" -eq 0 ]; then
	case " $kinds" in *" raw "*) ;; *) fail "sockets '$kinds' with CAP_NET_RAW: no raw one" ;; esac
	case " $kinds" in *" icmp "*) fail "sockets '$kinds': a datagram ICMP socket although CAP_NET_RAW was there" ;; esac
fi
note "setcap copy as nobody: works, no capability left while running"

# refused NAME OPTIONS...: exit 2, exactly one stderr line, nothing sent.
refused() {
	local name=$1 rc before after
	shift
	before=$(rp_echo_requests_in "$b")
	timeout 10 "${run[@]}" "$@" -c 3 10.200.15.2 >"$rp_work/$name.out" 2>"$rp_work/$name.err"
	rc=$?
	after=$(rp_echo_requests_in "$b")
	cat "$rp_work/$name.err"
	[ "$rc" -eq 2 ] || fail "$name as nobody: exit $rc, expected 2 (root-only)"
	[ "$(wc -l <"$rp_work/$name.err")" -eq 1 ] || fail "$name as nobody: not exactly one line on stderr"
	[ "$before" = "$after" ] || fail "$name as nobody: refused, yet $((after - before)) probes reached the target"
}
refused flood -f
refused fast -i 0.001
echo "ok: setcap copy works as nobody with no capability left while running; -f and -i 0.001 refused"
