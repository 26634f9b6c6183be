#!/usr/bin/env bash
# Two namespaces over veth: `rawprobe ping -c 3 -s 100` gets three replies with
# the right sizes, sequence numbers and TTL in iputils' format; `--json` gives
# one valid object per event with exactly the contract's keys, and a summary
# whose counts match the events.
#
#   ping_basic.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=basic
. "$(dirname "$0")/lib.sh"
rp_need ip

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.2.1/24 "$b" 10.200.2.2/24 1
rp_wait_reachable "$a" 10.200.2.2

out=$rp_work/out
ip netns exec "$a" "${rp_ping[@]}" -n -c 3 -i 0.1 -W 2 -s 100 10.200.2.2 >"$out" 2>"$rp_work/err"
rc=$?
cat "$out"
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 ($(cat "$rp_work/err"))"

grep -qx 'PING 10.200.2.2 (10.200.2.2) 100(128) bytes of data.' "$out" ||
	fail "header line is not 'PING 10.200.2.2 (10.200.2.2) 100(128) bytes of data.'"
replies=$(grep -c '^108 bytes from 10.200.2.2: icmp_seq=[0-9]\+ ttl=64 time=[0-9.]\+ ms$' "$out")
[ "$replies" -eq 3 ] || fail "$replies lines '108 bytes from 10.200.2.2: icmp_seq=N ttl=64 time=T ms', expected 3"
seqs=$(sed -n 's/.*icmp_seq=\([0-9]\+\) .*/\1/p' "$out" | tr '\n' ' ')
[ "$seqs" = "1 2 3 " ] || fail "sequence numbers '$seqs', expected '1 2 3 '"
grep -q '(DUP!)' "$out" && fail "a duplicate where there is none"
grep -qx -- '--- 10.200.2.2 ping statistics ---' "$out" || fail "no statistics header"
grep -q '^3 packets transmitted, 3 received, 0% packet loss, time [0-9]\+ms$' "$out" ||
	fail "summary is not '3 packets transmitted, 3 received, 0% packet loss, time Nms'"
grep -q '^rtt min/avg/max/mdev = [0-9.]\+/[0-9.]\+/[0-9.]\+/[0-9.]\+ ms$' "$out" || fail "no rtt line"
note "text output: ok"

[ "$rp_standin" -eq 0 ] || skip "text output ok; --json needs rawprobe itself"

json=$rp_work/json
ip netns exec "$a" "${rp_ping[@]}" --json -n -c 3 -i 0.1 -W 2 -s 100 10.200.2.2 >"$json" 2>"$rp_work/err"
rc=$?
cat "$json"
[ "$rc" -eq 0 ] || fail "--json: exit $rc, expected 0 ($(cat "$rp_work/err"))"

"$rp_py" - "$json" <<'PY' || exit 1
import json, sys

def fail(msg):
    print("FAIL: --json:", msg)
    sys.exit(1)

keys = {
    "reply": {"type", "target", "from", "seq", "ttl", "bytes", "rtt_ms", "dup"},
    "timeout": {"type", "target", "seq"},
    "error": {"type", "target", "from", "seq", "icmp_type", "icmp_code"},
    "summary": {"type", "target", "transmitted", "received", "duplicates", "errors", "loss_pct", "rtt_ms"},
}
events = []
for n, line in enumerate(open(sys.argv[1]), 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        fail(f"line {n} is not JSON ({e}): {line!r}")
    if not isinstance(ev, dict) or ev.get("type") not in keys:
        fail(f"line {n}: not an event object: {line!r}")
    if set(ev) != keys[ev["type"]]:
        fail(f"line {n}: keys {sorted(ev)}, expected {sorted(keys[ev['type']])}")
    if ev["target"] != "10.200.2.2":
        fail(f"line {n}: target {ev['target']}")
    events.append(ev)

replies = [e for e in events if e["type"] == "reply"]
summaries = [e for e in events if e["type"] == "summary"]
if len(summaries) != 1 or events[-1]["type"] != "summary":
    fail(f"{len(summaries)} summary objects, expected exactly one, last")
if [e["seq"] for e in replies] != [1, 2, 3]:
    fail(f"reply seqs {[e['seq'] for e in replies]}, expected [1, 2, 3]")
for e in replies:
    if e["from"] != "10.200.2.2" or e["ttl"] != 64 or e["bytes"] != 108 or e["dup"] is not False:
        fail(f"reply {e}: expected from 10.200.2.2, ttl 64, bytes 108, dup false")
    if not isinstance(e["rtt_ms"], (int, float)) or not e["rtt_ms"] > 0:
        fail(f"reply {e}: rtt_ms not a positive number")
s = summaries[0]
want = {"transmitted": 3, "received": len(replies), "duplicates": 0, "errors": 0}
for k, v in want.items():
    if s[k] != v:
        fail(f"summary {k} = {s[k]}, expected {v}")
if s["loss_pct"] != 0:
    fail(f"summary loss_pct = {s['loss_pct']}, expected 0")
r = s["rtt_ms"]
if not isinstance(r, dict) or set(r) != {"min", "avg", "max", "mdev"}:
    fail(f"summary rtt_ms {r!r}: expected min/avg/max/mdev")
rtts = [e["rtt_ms"] for e in replies]
if abs(r["min"] - min(rtts)) > 0.002 or abs(r["max"] - max(rtts)) > 0.002:
    fail(f"summary min/max {r['min']}/{r['max']} differ from the replies' {min(rtts)}/{max(rtts)}")
if not r["min"] <= r["avg"] <= r["max"]:
    fail(f"summary avg {r['avg']} not within min..max")
print(f"ok: --json: {len(events)} events with the contract's keys, summary counts match")
PY

# Fast rates (root only) deal the probes out to one worker per core, each with
# its own socket: every probe still answered once, counted once, lines whole.
fast=$rp_work/fast
ip netns exec "$a" "${rp_ping[@]}" -n --rate 50000 -c 5000 -q -W 2 10.200.2.2 >"$fast" 2>"$rp_work/err"
rc=$?
[ "$rc" -eq 0 ] || fail "--rate 50000: exit $rc ($(cat "$rp_work/err"))"
grep -q '^5000 packets transmitted, 5000 received, 0% packet loss' "$fast" ||
	fail "--rate 50000 -c 5000: $(grep transmitted "$fast")"
ip netns exec "$a" "${rp_ping[@]}" -n --rate 50000 -c 301 -W 2 10.200.2.2 >"$fast" 2>"$rp_work/err" ||
	fail "--rate 50000 -c 301: exit $? ($(cat "$rp_work/err"))"
seqs=$(sed -n 's/^64 bytes from 10.200.2.2: icmp_seq=\([0-9]\+\) ttl=64 time=[0-9.]\+ ms$/\1/p' "$fast" | sort -n | uniq)
[ "$(echo "$seqs" | wc -l)" -eq 301 ] && [ "$(echo "$seqs" | head -1)" -eq 1 ] &&
	[ "$(echo "$seqs" | tail -1)" -eq 301 ] ||
	fail "--rate 50000 -c 301: not one whole reply line for each of icmp_seq 1..301"
[ "$(grep -c ' bytes from ' "$fast")" -eq 301 ] || fail "--rate 50000 -c 301: extra or cut reply lines"
grep -q '^301 packets transmitted, 301 received, 0% packet loss' "$fast" || fail "--rate 50000 -c 301: summary"
note "fast rate over several workers: ok"

echo "ok: 3 replies of 108 bytes, ttl 64, header 100(128), summary right; --rate 50000 counts right"
