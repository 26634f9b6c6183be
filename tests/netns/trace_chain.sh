#!/usr/bin/env bash
# rawprobe trace over source - R1 - R2 - R3 - target (10.201.11-14.0/24):
#   - each hop in order, the target's hop ends the trace, exit 0, about one
#     round trip in all (every hop probed at once), not hops x wait;
#   - --json: three replies per hop 1..4 from the right address, a summary;
#   - -f, -q and -m: the first hop, probes per hop, the last hop (exit 1 when
#     the target is beyond it);
#   - a routing loop between R1 and R2 (a path as long as -m): hops beyond
#     the first window of 16 are probed too, every hop 1..40 answered;
#   - the same path as `traceroute -I -n` finds (when installed);
#   - as nobody: refused without CAP_NET_RAW (exit 2, the setcap hint), and
#     working with the file capability cap_net_raw+p.
#
#   trace_chain.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=trc
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"
rp_need_rawprobe "trace"

trace_chain 3 10 c
src=$tr_src target=$tr_target
out=$rp_work/text

t0=$(tr_ms)
ip netns exec "$src" "$bin" trace -n "$target" >"$out" 2>"$out.err"
rc=$?
t1=$(tr_ms)
cat "$out"
[ "$rc" -eq 0 ] || fail "exit $rc, expected 0 ($(cat "$out.err"))"
[ -s "$out.err" ] && fail "stderr: $(cat "$out.err")"
tr_expect_path "$out" 1 "${tr_hops[@]:1}"
grep -q "^trace to $target ($target), 30 hops max, 60 byte packets\$" "$out" ||
	fail "header line: $(head -n 1 "$out")"
# Every hop at once: one round trip and some scheduling, far below the 5 s wait.
[ $((t1 - t0)) -lt 1500 ] || fail "a 4-hop trace took $((t1 - t0)) ms; it should take about one round trip"
note "4 hops in $((t1 - t0)) ms (wall time of the whole command)"

# --json: per probe a reply with its hop, then the summary.
ip netns exec "$src" "$bin" trace --json "$target" >"$out.json" 2>"$out.err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$out.json"; fail "--json: exit $rc ($(cat "$out.err"))"; }
"$rp_py" - "$out.json" "$target" "${tr_hops[@]:1}" <<'PY' || { cat "$out.json"; fail "--json"; }
import json, sys
path, target, hops = sys.argv[1], sys.argv[2], sys.argv[3:]
ev = [json.loads(l) for l in open(path)]
replies = [e for e in ev if e["type"] == "reply"]
if [e for e in ev if e["type"] not in ("reply", "summary")]:
    print("FAIL: events other than replies and the summary"); sys.exit(1)
for e in replies:
    keys = ["type", "target", "hop", "from", "seq", "ttl", "bytes", "rtt_ms", "dup"]
    if list(e) != keys:
        print(f"FAIL: reply keys {list(e)}, expected {keys}"); sys.exit(1)
    if e["target"] != target or e["from"] != hops[e["hop"] - 1] or e["rtt_ms"] <= 0 or e["dup"]:
        print(f"FAIL: {e}"); sys.exit(1)
got = sorted((e["hop"], e["seq"]) for e in replies)
want = [(h, 3 * (h - 1) + j) for h in range(1, len(hops) + 1) for j in (1, 2, 3)]
if got != want:
    print(f"FAIL: (hop, seq) {got}, expected {want}"); sys.exit(1)
s = ev[-1]
if s["type"] != "summary" or (s["transmitted"], s["received"], s["errors"], s["hops"], s["reached"]) != (12, 12, 0, 4, True):
    print(f"FAIL: summary {s}"); sys.exit(1)
if s["rtt_ms"] is None or s["loss_pct"] != 0:
    print(f"FAIL: summary {s}: rtt_ms null or loss"); sys.exit(1)
PY
note "--json: ok"

# -f 2 -q 1: hops 2 to 4, one time each.
ip netns exec "$src" "$bin" trace -n -f 2 -q 1 "$target" >"$out.f" 2>"$out.err" ||
	{ cat "$out.f"; fail "-f 2 -q 1: exit $? ($(cat "$out.err"))"; }
cat "$out.f"
[ "$(wc -l <"$out.f")" -eq 4 ] || fail "-f 2 -q 1: 4 lines expected"
for h in 2 3 4; do
	grep -Eq "^ $h  ${tr_hops[$h]//./\\.}  [0-9]+\\.[0-9]{3} ms\$" "$out.f" || fail "-f 2 -q 1: hop $h"
done

# -m 2: the target is out of reach, exit 1, hops 1 and 2 only.
ip netns exec "$src" "$bin" trace -n -m 2 "$target" >"$out.m" 2>"$out.err"
rc=$?
cat "$out.m"
[ "$rc" -eq 1 ] || fail "-m 2: exit $rc, expected 1 ($(cat "$out.err"))"
tr_expect_path "$out.m" 1 "${tr_hops[1]}" "${tr_hops[2]}"

# -s larger than the route's MTU allows: refused before anything is sent.
ip netns exec "$src" "$bin" trace -n -s 1473 "$target" >"$out.s" 2>"$out.err"
rc=$?
[ "$rc" -eq 2 ] && [ ! -s "$out.s" ] && grep -q "^rawprobe: trace: -s 1473: probes of 1501 bytes do not fit the route's MTU of 1500; use -s 1472 or less\$" "$out.err" ||
	fail "-s 1473 over a 1500 MTU: exit $rc, $(cat "$out.err")"

# -U: the same path, ended by the target's port unreachable.
ip netns exec "$src" "$bin" trace -n -U "$target" >"$out.u" 2>"$out.err"
rc=$?
cat "$out.u"
[ "$rc" -eq 0 ] || fail "-U: exit $rc ($(cat "$out.err"))"
tr_expect_path "$out.u" 1 "${tr_hops[@]:1}"

# A router at the kernel's default ICMP rate limit (6 at once, then 1/s): -q 8
# sends 5 probes per hop at once and the rest 1.1 s apart, so all 8 are
# answered. From a second source, so that R2's bucket for it starts full.
rp_ns_into p p
rp_veth "$p" 10.201.19.1/24 "${tr_routers[1]}" 10.201.19.2/24 c9
ip -n "$p" route add default via 10.201.19.2 || fail "default route in $p"
ip -n "${tr_routers[2]}" route add 10.201.19.0/24 via 10.201.12.1 || fail "route back in R2"
ip -n "${tr_routers[3]}" route add 10.201.19.0/24 via 10.201.13.1 || fail "route back in R3"
ip netns exec "${tr_routers[2]}" sysctl -qw net.ipv4.icmp_ratelimit=1000 || fail "sysctl in R2"
rp_wait_reachable "$p" "$target"
t0=$(tr_ms)
ip netns exec "$p" "$bin" trace -n -q 8 -w 1 "$target" >"$out.q8" 2>"$out.err"
rc=$?
t1=$(tr_ms)
cat "$out.q8"
[ "$rc" -eq 0 ] || fail "-q 8: exit $rc ($(cat "$out.err"))"
[ "$(wc -l <"$out.q8")" -eq 5 ] || fail "-q 8: 4 hops expected"
eight=""
for i in 1 2 3 4 5 6 7 8; do eight+="  [0-9]+\\.[0-9]{3} ms"; done
h=1
for addr in 10.201.19.2 "${tr_hops[2]}" "${tr_hops[3]}" "$target"; do
	grep -Eq "^ $h  ${addr//./\\.}$eight\$" "$out.q8" || fail "-q 8: hop $h is not 8 answers from $addr"
	h=$((h + 1))
done
[ $((t1 - t0)) -ge 3200 ] && [ $((t1 - t0)) -lt 4800 ] ||
	fail "-q 8 took $((t1 - t0)) ms: 3 probes per hop 1.1 s apart should take about 3.3 s"
note "-q 8 through a rate-limited router: every probe answered, in $((t1 - t0)) ms"
ip netns exec "${tr_routers[2]}" sysctl -qw net.ipv4.icmp_ratelimit=0 || fail "sysctl in R2"

# The judge: traceroute -I over the same chain.
# A loop: R2 sends 10.201.18.77 back to R1, whose default route is R2. Odd TTLs
# expire at R1, even ones at R2, for ever: 40 hops need three windows of 16.
ip -n "${tr_routers[2]}" route add 10.201.18.77/32 via 10.201.12.1 || fail "loop route in R2"
ip netns exec "$src" "$bin" trace -n -q 1 -m 40 10.201.18.77 >"$out.loop" 2>"$out.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$out.loop"; fail "loop: exit $rc, expected 1 (never reached)"; }
for h in 1 2 16 17 32 33 40; do
	a=${tr_hops[$((2 - h % 2))]}
	line=$(awk -v h="$h" '$1 == h' "$out.loop")
	[[ $line =~ ^\ *$h\ \ ${a//./\\.}\ \ [0-9]+\.[0-9]{3}\ ms$ ]] ||
		{ cat "$out.loop"; fail "loop: hop $h is '$line', expected $a answering"; }
done
[ "$(wc -l <"$out.loop")" -eq 41 ] || { cat "$out.loop"; fail "loop: 40 hops expected"; }
note "a routing loop: hops 1..40 all answered (the windows past 16 and 32 opened)"

if command -v traceroute >/dev/null 2>&1; then
	ip netns exec "$src" traceroute -I -n -q 1 -w 2 "$target" >"$out.tr" 2>&1 ||
		fail "traceroute -I failed: $(cat "$out.tr")"
	ours=$(awk 'NR > 1 { print $2 }' "$out")
	theirs=$(awk 'NR > 1 { print $2 }' "$out.tr")
	[ "$ours" = "$theirs" ] || { cat "$out.tr"; fail "traceroute -I found another path: $theirs"; }
	note "traceroute -I -n agrees"
else
	note "traceroute not installed: the cross-check was skipped"
fi

# Privileges: nobody without the capability is refused, with it the trace works.
if command -v setpriv >/dev/null && command -v setcap >/dev/null; then
	rp_copy_binary plain ""
	ip netns exec "$src" "${rp_nobody[@]}" "$plain" trace -n "$target" >"$out.np" 2>"$out.err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "nobody without CAP_NET_RAW: exit $rc, expected 2"
	[ -s "$out.np" ] && fail "nobody without CAP_NET_RAW: something on stdout"
	[ "$(wc -l <"$out.err")" -eq 1 ] && grep -q "^rawprobe: trace: .*CAP_NET_RAW.*setcap cap_net_raw+p $plain" "$out.err" ||
		fail "nobody without CAP_NET_RAW: $(cat "$out.err")"
	rp_copy_binary capped "cap_net_raw+p"
	ip netns exec "$src" "${rp_nobody[@]}" "$capped" trace -n "$target" >"$out.cap" 2>"$out.err" ||
		{ cat "$out.cap"; fail "nobody with cap_net_raw+p: exit $? ($(cat "$out.err"))"; }
	tr_expect_path "$out.cap" 1 "${tr_hops[@]:1}"
	note "privileges: refused without the capability, works with cap_net_raw+p"
else
	note "setpriv or setcap missing: the privilege checks were skipped"
fi

echo "ok: 4 hops in order, the target ends the trace, JSON, -f/-q/-m, -U, traceroute agrees"
