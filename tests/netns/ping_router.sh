#!/usr/bin/env bash
# A router namespace between prober and target (ip_forward=1, ICMP error rate
# limit off so every error is sent). Each ICMP error is asserted as the Linux
# router sends it (net/ipv4/route.c, ip_error):
#   -t 1                              Time to live exceeded        (type 11 code 0)
#   `unreachable` route on the router Destination Host Unreachable (3/1, EHOSTUNREACH)
#   no route at all on the router     Destination Net Unreachable  (3/0, ENETUNREACH)
#   `prohibit` route on the router    Packet filtered              (3/13, EACCES)
#   `blackhole` route on the router   nothing: timeouts, exit 1, 100% packet loss
# Each must come from the router's address towards the prober,
# count as an error and not as a reply, and end with exit 1 (no reply).
#
#   ping_router.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=router
. "$(dirname "$0")/lib.sh"
rp_need ip

# The router limits ICMP errors per destination (inet_peer tokens shared by
# icmp_send and ip_error; icmp_ratelimit=0 empties them for ip_error), so every
# case gets its own prober namespace, hence its own peer: no error is ever
# suppressed, whatever the order or speed of the runs.
# Prober i is 10.200.6.(64i+1)/26, the router 10.200.6.(64i+62) on its side.
rp_ns_into r r
rp_ns_into b b
rp_veth "$r" 10.200.7.254/24 "$b" 10.200.7.2/24 5
ip -n "$b" route add default via 10.200.7.254 || fail "default route in $b"
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 ||
	fail "cannot make $r a router"
probers=()
for i in 0 1 2 3; do
	rp_ns_into ns "a$i"
	rp_veth "$ns" "10.200.6.$((64 * i + 1))/26" "$r" "10.200.6.$((64 * i + 62))/26" "6$i"
	ip -n "$ns" route add default via "10.200.6.$((64 * i + 62))" || fail "default route in $ns"
	probers+=("$ns")
done
ip -n "$r" route add unreachable 10.200.8.0/24 || fail "unreachable route"
ip -n "$r" route add prohibit 10.200.9.0/24 || fail "prohibit route"
ip -n "$r" route add blackhole 10.200.10.0/24 || fail "blackhole route"
# 10.200.11.0/24 is routed by nobody on the router: Net Unreachable.
for i in 0 1 2 3; do
	rp_wait_reachable "${probers[$i]}" 10.200.7.2
done

# expect_error NAME PROBER_INDEX TARGET TTL TEXT ICMP_TYPE ICMP_CODE
expect_error() {
	local name=$1 a=${probers[$2]} router=10.200.6.$((64 * $2 + 62)) target=$3 ttl=$4 text=$5
	local itype=$6 icode=$7 out=$rp_work/$1 rc
	ip netns exec "$a" "${rp_ping[@]}" -n -c 1 -W 1 -t "$ttl" "$target" >"$out" 2>"$out.err"
	rc=$?
	cat "$out"
	[ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1 (no reply) ($(cat "$out.err"))"
	grep -qx "From $router icmp_seq=1 $text" "$out" ||
		fail "$name: no line 'From $router icmp_seq=1 $text'"
	grep -q ' bytes from ' "$out" && fail "$name: a reply line where only an error came"
	grep -q '^1 packets transmitted, 0 received, +1 errors, 100% packet loss' "$out" ||
		fail "$name: summary is not '1 packets transmitted, 0 received, +1 errors, 100% packet loss, ...'"
	[ "$rp_standin" -eq 0 ] || return 0
	ip netns exec "$a" "${rp_ping[@]}" --json -n -c 1 -W 1 -t "$ttl" "$target" >"$out.json" 2>"$out.err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$name --json: exit $rc, expected 1 ($(cat "$out.err"))"
	"$rp_py" - "$out.json" "$target" "$router" "$itype" "$icode" <<'PY' || { cat "$out.json"; fail "$name --json"; }
import json, sys
path, target, router, itype, icode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
ev = [json.loads(l) for l in open(path)]
err = [e for e in ev if e["type"] == "error"]
want = {"type": "error", "target": target, "from": router, "seq": 1, "icmp_type": itype, "icmp_code": icode}
if err != [want]:
    print(f"FAIL: error events {err}, expected [{want}]"); sys.exit(1)
if any(e["type"] == "reply" for e in ev):
    print("FAIL: a reply event where only an error came"); sys.exit(1)
s = [e for e in ev if e["type"] == "summary"]
if len(s) != 1 or (s[0]["transmitted"], s[0]["received"], s[0]["errors"]) != (1, 0, 1):
    print(f"FAIL: summary {s}: expected transmitted 1, received 0, errors 1"); sys.exit(1)
PY
}

expect_error ttl 0 10.200.7.2 1 "Time to live exceeded" 11 0
expect_error unreachable 1 10.200.8.2 64 "Destination Host Unreachable" 3 1
expect_error noroute 2 10.200.11.2 64 "Destination Net Unreachable" 3 0
expect_error prohibit 3 10.200.9.2 64 "Packet filtered" 3 13
note "ICMP errors: ok"

out=$rp_work/blackhole a=${probers[0]}
ip netns exec "$a" "${rp_ping[@]}" -n -c 2 -i 0.2 -W 1 10.200.10.2 >"$out" 2>"$out.err"
rc=$?
cat "$out"
[ "$rc" -eq 1 ] || fail "blackhole: exit $rc, expected 1 ($(cat "$out.err"))"
grep -q '^From \| bytes from ' "$out" && fail "blackhole: an answer from a silent destination"
grep -q '^2 packets transmitted, 0 received, 100% packet loss, time [0-9]\+ms$' "$out" ||
	fail "blackhole: summary is not '2 packets transmitted, 0 received, 100% packet loss, time Nms'"
if [ "$rp_standin" -eq 0 ]; then
	ip netns exec "$a" "${rp_ping[@]}" --json -n -c 2 -i 0.2 -W 1 10.200.10.2 >"$out.json" 2>"$out.err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "blackhole --json: exit $rc, expected 1 ($(cat "$out.err"))"
	"$rp_py" - "$out.json" <<'PY' || { cat "$out.json"; fail "blackhole --json"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
t = sorted(e["seq"] for e in ev if e["type"] == "timeout")
if t != [1, 2]:
    print(f"FAIL: timeout events for seqs {t}, expected [1, 2]"); sys.exit(1)
if any(e["type"] in ("reply", "error") for e in ev):
    print("FAIL: a reply or error event from a silent destination"); sys.exit(1)
s = [e for e in ev if e["type"] == "summary"]
if len(s) != 1 or (s[0]["transmitted"], s[0]["received"], s[0]["loss_pct"]) != (2, 0, 100):
    print(f"FAIL: summary {s}: expected transmitted 2, received 0, loss_pct 100"); sys.exit(1)
PY
fi
echo "ok: time exceeded, host/net unreachable, packet filtered from the router; blackhole times out with exit 1"
