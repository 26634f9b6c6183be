#!/usr/bin/env bash
# Three pings at once from one namespace to one target: two rawprobe pings and
# one system (iputils) ping, 20 probes each, interleaved. Every reply reaches
# every raw ICMP socket in the namespace, so each process must keep only its
# own: each prints exactly 20 replies with sequence numbers 1..20 once each,
# no "(DUP!)", no error, and a summary of 20 transmitted, 20 received.
#
#   ping_concurrent.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=conc
. "$(dirname "$0")/lib.sh"
rp_need ip

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.12.1/24 "$b" 10.200.12.2/24 7
rp_wait_reachable "$a" 10.200.12.2

args=(-n -c 20 -i 0.05 -W 2 10.200.12.2)
rp_bg p1 ip netns exec "$a" "${rp_ping[@]}" "${args[@]}" >"$rp_work/rp1" 2>"$rp_work/rp1.err"
rp_bg p2 ip netns exec "$a" "${rp_ping[@]}" "${args[@]}" >"$rp_work/rp2" 2>"$rp_work/rp2.err"
rp_bg p3 ip netns exec "$a" /usr/bin/ping "${args[@]}" >"$rp_work/sys" 2>"$rp_work/sys.err"
rc1=0 rc2=0 rc3=0
rp_reap "$p1" || rc1=$?
rp_reap "$p2" || rc2=$?
rp_reap "$p3" || rc3=$?

want=$(seq 1 20 | tr '\n' ' ')
check() {
	local name=$1 out=$rp_work/$2 rc=$3 seqs
	[ "$rc" -eq 0 ] || { rp_show "$out" "$out.err"; fail "$name: exit $rc, expected 0"; }
	seqs=$(sed -n 's/^64 bytes from 10.200.12.2: icmp_seq=\([0-9]\+\) ttl=64 time=.*/\1/p' "$out" | sort -n | tr '\n' ' ')
	[ "$seqs" = "$want" ] || { rp_show "$out"; fail "$name: reply seqs '$seqs', expected each of 1..20 once"; }
	[ "$(grep -c ' bytes from \|^From ' "$out")" -eq 20 ] || { rp_show "$out"; fail "$name: lines other than its 20 replies"; }
	grep -q '(DUP!)' "$out" && { rp_show "$out"; fail "$name: (DUP!): it took another process's reply"; }
	grep -q '^20 packets transmitted, 20 received, 0% packet loss' "$out" ||
		{ rp_show "$out"; fail "$name: summary is not '20 packets transmitted, 20 received, 0% packet loss'"; }
	note "$name: 20 of its own replies, nothing else"
}
check "rawprobe #1" rp1 "$rc1"
check "rawprobe #2" rp2 "$rc2"
check "system ping" sys "$rc3"
echo "ok: three concurrent pings, each counted exactly its own 20 replies"
