#!/usr/bin/env bash
# 30% random loss: nftables in the target drops echo requests at random
# (`numgen random mod 100 < 30`; this kernel has no netem). 200 probes: the
# loss figure must lie in a wide range around 30% (15..45%: the chance of a
# fair run falling outside is about four in a million), and the transmitted and
# received counts must agree with the reply lines printed and with the loss.
#
#   ping_loss.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=loss
. "$(dirname "$0")/lib.sh"
rp_need ip nft

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.3.1/24 "$b" 10.200.3.2/24 2
rp_wait_reachable "$a" 10.200.3.2

ip netns exec "$b" nft -f - <<'NFT' || skip "nftables numgen is not available"
table ip rp_ping_loss {
	chain in {
		type filter hook input priority 0;
		icmp type echo-request numgen random mod 100 < 30 counter drop
	}
}
NFT

out=$rp_work/out
ip netns exec "$a" "${rp_ping[@]}" -n -c 200 -i 0.005 -W 1 10.200.3.2 >"$out" 2>"$rp_work/err"
rc=$?
tail -n 3 "$out"
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 ($(cat "$rp_work/err"))"

read -r tx rx <<<"$(rp_tx_rx "$out")"
[ -n "${rx:-}" ] || fail "no 'N packets transmitted, M received' line"
lines=$(grep -c '^64 bytes from 10.200.3.2: icmp_seq=[0-9]\+ ttl=64 time=' "$out")
uniq_seqs=$(sed -n 's/^64 bytes from .*icmp_seq=\([0-9]\+\) .*/\1/p' "$out" | sort -un | wc -l)
dropped=$(ip netns exec "$b" nft list table ip rp_ping_loss | sed -n 's/.*packets \([0-9]\+\).*/\1/p')
loss=$(sed -n 's/.* received, \([0-9.]\+\)% packet loss.*/\1/p' "$out")
note "transmitted $tx, received $rx, reply lines $lines ($uniq_seqs distinct), loss $loss%, nft dropped $dropped"

[ "$tx" -eq 200 ] || fail "$tx transmitted, expected 200"
[ "$rx" -eq "$lines" ] || fail "$rx received but $lines reply lines printed"
[ "$uniq_seqs" -eq "$lines" ] || fail "$lines reply lines but only $uniq_seqs distinct sequence numbers"
grep -q '(DUP!)' "$out" && fail "duplicates where nftables made none"
# Every probe nftables dropped is one lost, and no other was lost.
[ -n "$dropped" ] || fail "no counter in the nftables rule"
[ $((tx - rx)) -eq "$dropped" ] || fail "$((tx - rx)) lost but nftables dropped $dropped"
[ "$rx" -ge 110 ] && [ "$rx" -le 170 ] || fail "$rx of 200 received: loss outside 15..45%"
# The printed figure is the loss of these counts, however it is rounded.
awk -v l="$loss" -v t="$tx" -v r="$rx" 'BEGIN { e = 100 * (t - r) / t - l; exit !(e > -1 && e < 1) }' ||
	fail "loss printed as $loss%, but $tx transmitted and $rx received is $((100 * (tx - rx) / tx))%"
echo "ok: $rx of 200 received, loss $loss% within 15..45%, counts consistent"
