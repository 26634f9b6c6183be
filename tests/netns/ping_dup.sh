#!/usr/bin/env bash
# Duplicated replies: nftables in the target sends the echo replies to probes
# 1..4 twice (`dup to`). The last probe's reply is left single: ping stops as
# soon as it has its count of replies, so a duplicate of the last one would
# race with the exit and N would not be known. Each of the 5 probes must show
# one plain reply line, probes 1..4 one more ending in "(DUP!)", and the
# summary says "5 received, +4 duplicates" (a duplicate is not a second
# reception). With --json the duplicates carry "dup":true and the summary
# counts them.
#
#   ping_dup.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=dup
. "$(dirname "$0")/lib.sh"
rp_need ip nft

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.5.1/24 "$b" 10.200.5.2/24 4
vb=$rp_veth_b
rp_wait_reachable "$a" 10.200.5.2

ip netns exec "$b" nft -f - <<NFT || skip "nftables dup is not available"
table ip rp_ping_dup {
	chain out {
		type filter hook output priority 0;
		icmp type echo-reply icmp sequence 1-4 counter dup to 10.200.5.1 device "$vb"
	}
}
NFT

out=$rp_work/out
ip netns exec "$a" "${rp_ping[@]}" -n -c 5 -i 0.1 -W 2 10.200.5.2 >"$out" 2>"$rp_work/err"
rc=$?
cat "$out"
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 ($(cat "$rp_work/err"))"

reply='^64 bytes from 10.200.5.2: icmp_seq=[0-9]\+ ttl=64 time=[0-9.]\+ ms'
firsts=$(grep "$reply\$" "$out" | sed 's/.*icmp_seq=\([0-9]*\) .*/\1/' | sort -n | tr '\n' ' ')
dups=$(grep "$reply (DUP!)\$" "$out" | sed 's/.*icmp_seq=\([0-9]*\) .*/\1/' | sort -n | tr '\n' ' ')
[ "$firsts" = "1 2 3 4 5 " ] || fail "plain reply lines for seqs '$firsts', expected '1 2 3 4 5 '"
[ "$dups" = "1 2 3 4 " ] || fail "(DUP!) lines for seqs '$dups', expected '1 2 3 4 '"
grep -q '^5 packets transmitted, 5 received, +4 duplicates, 0% packet loss, time [0-9]\+ms$' "$out" ||
	fail "summary is not '5 packets transmitted, 5 received, +4 duplicates, 0% packet loss, time Nms'"
note "text output: ok"

[ "$rp_standin" -eq 0 ] || skip "text output ok; --json needs rawprobe itself"
json=$rp_work/json
ip netns exec "$a" "${rp_ping[@]}" --json -n -c 5 -i 0.1 -W 2 10.200.5.2 >"$json" 2>"$rp_work/err"
rc=$?
[ "$rc" -eq 0 ] || fail "--json: exit $rc, expected 0 ($(cat "$rp_work/err"))"
"$rp_py" - "$json" <<'PY' || { cat "$json"; exit 1; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
rep = [e for e in ev if e["type"] == "reply"]
summ = [e for e in ev if e["type"] == "summary"]
def fail(m):
    print("FAIL: --json:", m); sys.exit(1)
if sorted(e["seq"] for e in rep if e["dup"] is False) != [1, 2, 3, 4, 5]:
    fail("first replies are not seqs 1..5 with dup false")
if sorted(e["seq"] for e in rep if e["dup"] is True) != [1, 2, 3, 4]:
    fail("duplicates are not seqs 1..4 with dup true")
if len(summ) != 1 or (summ[0]["transmitted"], summ[0]["received"], summ[0]["duplicates"]) != (5, 5, 4):
    fail(f"summary {summ}: expected transmitted 5, received 5, duplicates 4")
print("ok: --json: 5 replies, 4 more marked dup, summary 5/5/+4")
PY
echo "ok: replies 1..4 duplicated and marked (DUP!), summary +4 duplicates"
