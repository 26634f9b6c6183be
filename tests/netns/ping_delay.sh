#!/usr/bin/env bash
# A target 20 ms away: its kernel's echo replies are off
# (icmp_echo_ignore_all=1) and the suite's own delay_responder answers every
# request 20 ms after it arrived. The average RTT must be within a few ms of 20
# (19..30 ms, loose for a loaded machine), no reply faster than 19 ms, and
# every probe answered exactly once.
#
#   ping_delay.sh RAWPROBE DELAY_RESPONDER     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 responder=${2:-} test=delay
. "$(dirname "$0")/lib.sh"
rp_need ip
[ -x "$responder" ] || fail "delay_responder not given or not executable: '$responder'"

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.4.1/24 "$b" 10.200.4.2/24 3
rp_wait_reachable "$a" 10.200.4.2
ip netns exec "$b" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 || fail "cannot turn echo replies off in $b"
rp_reachable "$a" 10.200.4.2 && fail "the kernel in $b still answers echo requests"

rp_bg resp_pid ip netns exec "$b" "$responder" -d 20 -t 25 >"$rp_work/resp.out" 2>"$rp_work/resp.err"
rp_wait_until 5 grep -q '^ready$' "$rp_work/resp.out" ||
	fail "delay_responder did not start: $(cat "$rp_work/resp.err")"

out=$rp_work/out
ip netns exec "$a" "${rp_ping[@]}" -n -c 10 -i 0.05 -W 2 10.200.4.2 >"$out" 2>"$rp_work/err"
rc=$?
cat "$out"
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 ($(cat "$rp_work/err"))"

read -r tx rx <<<"$(rp_tx_rx "$out")"
[ "${tx:-}" = 10 ] && [ "${rx:-}" = 10 ] || fail "transmitted/received ${tx:-?}/${rx:-?}, expected 10/10"
grep -q '(DUP!)' "$out" && fail "a duplicate where there is none"
read -r min avg max <<<"$(sed -n 's|^rtt min/avg/max/mdev = \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\1 \2 \3|p' "$out")"
[ -n "${avg:-}" ] || fail "no rtt line"
awk -v v="$min" 'BEGIN { exit !(v >= 19) }' || fail "min rtt $min ms: faster than the 20 ms the responder waits"
awk -v v="$avg" 'BEGIN { exit !(v >= 19 && v <= 30) }' || fail "avg rtt $avg ms, expected 19..30 ms"
echo "ok: 10/10 answered, rtt min/avg/max $min/$avg/$max ms against a 20 ms responder"
