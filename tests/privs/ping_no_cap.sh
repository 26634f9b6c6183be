#!/usr/bin/env bash
# A plain copy of the binary (no file capability) run as nobody inside a test
# namespace:
#   - with net.ipv4.ping_group_range closed ("1 0", a new namespace's default)
#     it exits 2 with exactly one stderr line naming CAP_NET_RAW and giving the
#     command "setcap cap_net_raw+p PATH" for this very binary, and sends nothing;
#   - with the range opened inside the namespace ("0 2147483647") it falls back
#     to an ICMP datagram socket (seen in /proc/net/icmp while it runs) and
#     works: exit 0, 3 replies with ttl=64 (read through IP_RECVTTL).
#
#   ping_no_cap.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=nocap
. "$(dirname "$0")/../netns/lib.sh"
rp_need ip setpriv

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.34.1/24 "$b" 10.200.34.2/24 p2
rp_wait_reachable "$a" 10.200.34.2
rp_copy_binary copy ""
run=(ip netns exec "$a" "${rp_nobody[@]}" "$copy" "${rp_ping_sub[@]}")

range=$(ip netns exec "$a" cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')
[ "$range" = "1 0" ] || fail "ping_group_range in a new namespace is '$range', expected the closed '1 0'"
before=$(rp_echo_requests_in "$b")
timeout 10 "${run[@]}" -n -c 3 -i 0.2 -W 1 10.200.34.2 >"$rp_work/closed.out" 2>"$rp_work/closed.err"
rc=$?
after=$(rp_echo_requests_in "$b")
cat "$rp_work/closed.err"
[ "$rc" -eq 2 ] || fail "no capability, range closed: exit $rc, expected 2"
[ "$before" = "$after" ] || fail "no capability, range closed: $((after - before)) probes reached the target"
if [ "$rp_standin" -eq 0 ]; then
	[ "$(wc -l <"$rp_work/closed.err")" -eq 1 ] || fail "no capability, range closed: not exactly one stderr line"
	grep -q 'CAP_NET_RAW' "$rp_work/closed.err" || fail "the error does not name CAP_NET_RAW"
	grep -qF "setcap cap_net_raw+p $copy" "$rp_work/closed.err" ||
		fail "the error does not give 'setcap cap_net_raw+p $copy'"
else
	note "stand-in: the one-line setcap hint is rawprobe's own, not checked"
fi
note "range closed: refused with one line"

ip netns exec "$a" sysctl -qw net.ipv4.ping_group_range="0 2147483647" || fail "cannot open ping_group_range"
rp_bg pid "${run[@]}" -n -c 3 -i 0.2 -W 2 10.200.34.2 >"$rp_work/open.out" 2>"$rp_work/open.err"
rp_wait_until 5 rp_has_socket "$pid" || { cat "$rp_work/open.err"; fail "no socket open within 5 s"; }
kinds=$(rp_socket_kinds "$pid" | sort -u | tr '\n' ' ')
rp_reap "$pid"
rc=$?
cat "$rp_work/open.out"
note "sockets held: $kinds"
[ "$rc" -eq 0 ] || fail "no capability, range open: exit $rc, expected 0 ($(cat "$rp_work/open.err"))"
[ "$(grep -c '^64 bytes from 10.200.34.2: icmp_seq=[0-9]\+ ttl=64 time=' "$rp_work/open.out")" -eq 3 ] ||
	fail "no capability, range open: not 3 replies with ttl=64"
case " $kinds" in *" icmp "*) ;; *) fail "sockets '$kinds': no ICMP datagram socket in the fallback" ;; esac
case " $kinds" in *" raw "*) fail "sockets '$kinds': a raw socket without CAP_NET_RAW?" ;; esac
echo "ok: without the capability: refused with the setcap hint when the range is closed, datagram fallback when open"
