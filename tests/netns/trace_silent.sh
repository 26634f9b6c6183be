#!/usr/bin/env bash
# Hops that do not answer, and paths that end before the target, over
# source - R1 - R2 - R3 - target (10.201.31-34.0/24):
#   - R2 drops its own time exceeded (nft, output chain): hop 2 is `* * *`,
#     hops 3 and 4 still appear, exit 0; with -w 30 it gives up on hop 2
#     a few round trips after hops 3 and 4 answered (traceroute's NEAR rule),
#     and with -w 1,0,0 (no such rule) it waits the whole -w;
#   - a blackhole route in R3: hops 1 and 2, then stars to -m, exit 1;
#   - an unreachable route in R2: hop 2 answers !H, the trace ends there
#     at once (no waiting), exit 1; --json says error 3/1 at hop 2;
#   - a prohibit route in R2: !X (3/13); no route in R3: !N (3/0).
# Linux routers limit ICMP errors per source (ip_error: 5 at once, then one a
# second, shared with icmp_send), so each error case runs from its own
# source namespace (10.201.41-44.1, hanging off R1): a fresh bucket each.
#
#   trace_silent.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=trs
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"
rp_need_rawprobe "trace"

trace_chain 3 30 s
src=$tr_src target=$tr_target r1=${tr_routers[1]} r2=${tr_routers[2]} r3=${tr_routers[3]}
out=$rp_work/out

# Extra sources, each on its own link to R1; R2 and R3 route them back.
probers=("")
for i in 1 2 3 4; do
	rp_ns_into ns "p$i"
	rp_veth "$ns" "10.201.$((40 + i)).1/24" "$r1" "10.201.$((40 + i)).2/24" "x$i"
	ip -n "$ns" route add default via "10.201.$((40 + i)).2" || fail "default route in $ns"
	probers+=("$ns")
done
ip -n "$r2" route add 10.201.40.0/21 via 10.201.32.1 || fail "route back in R2"
ip -n "$r3" route add 10.201.40.0/21 via 10.201.33.1 || fail "route back in R3"
ip -n "$r3" route add blackhole 10.201.38.0/24 || fail "blackhole route"
ip -n "$r2" route add unreachable 10.201.37.0/24 || fail "unreachable route"
ip -n "$r2" route add prohibit 10.201.36.0/24 || fail "prohibit route"
# 10.201.39.0/24: R1 and R2 pass it on, R3 has no route for it.
for i in 1 2 3 4; do
	rp_wait_reachable "${probers[$i]}" "$target"
done

# run NAME NS ARGS...: trace from NS, output in $out.NAME, exit status in $rc, time in $ms.
run() {
	local name=$1 ns=$2 t0
	shift 2
	t0=$(tr_ms)
	ip netns exec "$ns" "$bin" trace "$@" >"$out.$name" 2>"$out.$name.err"
	rc=$?
	ms=$(($(tr_ms) - t0))
	cat "$out.$name"
	[ ! -s "$out.$name.err" ] || fail "$name: stderr: $(cat "$out.$name.err")"
}

# hop_is NAME HOP REGEX: hop HOP's line of run NAME matches.
hop_is() {
	local line
	line=$(awk -v h="$2" '$1 == h' "$out.$1")
	[[ $line =~ $3 ]] || fail "$1: hop $2 is '$line', expected /$3/"
}

T='[0-9]+\.[0-9]{3} ms'

# --- a silent router: R2 drops the time exceeded it sends.
if command -v nft >/dev/null 2>&1; then
	ip netns exec "$r2" nft -f - <<'NFT' || fail "nft rules in R2"
table ip rp_trace_silent {
	chain out {
		type filter hook output priority 0; policy accept;
		icmp type time-exceeded drop
	}
}
NFT
	run silent "$src" -n -w 30 "$target"
	[ "$rc" -eq 0 ] || fail "silent hop: exit $rc, expected 0"
	[ "$(wc -l <"$out.silent")" -eq 5 ] || fail "silent hop: 5 lines expected"
	hop_is silent 1 "^ 1  10\\.201\\.31\\.2  $T  $T  $T\$"
	hop_is silent 2 '^ 2  \* \* \*$'
	hop_is silent 3 "^ 3  10\\.201\\.33\\.2  $T  $T  $T\$"
	hop_is silent 4 "^ 4  10\\.201\\.34\\.2  $T  $T  $T\$"
	# Bounds two orders of magnitude apart: not a timing test, a rule test.
	[ "$ms" -lt 15000 ] || fail "silent hop: took $ms ms with -w 30: the later hops' answers must end the wait"
	run silent_max "$src" -n -w 1,0,0 "$target"
	[ "$rc" -eq 0 ] || fail "silent hop -w 1,0,0: exit $rc, expected 0"
	hop_is silent_max 2 '^ 2  \* \* \*$'
	[ "$ms" -ge 900 ] || fail "silent hop -w 1,0,0: took $ms ms: without HERE and NEAR it must wait -w"
	run silent_json "$src" --json -w 1 "$target"
	[ "$rc" -eq 0 ] || fail "silent hop --json: exit $rc"
	"$rp_py" - "$out.silent_json" <<'PY' || fail "silent hop --json"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
t = sorted(e["seq"] for e in ev if e["type"] == "timeout")
if t != [4, 5, 6] or {e["hop"] for e in ev if e["type"] == "timeout"} != {2}:
    print(f"FAIL: timeouts {t}: expected seqs 4, 5, 6 at hop 2"); sys.exit(1)
if sorted({e["hop"] for e in ev if e["type"] == "reply"}) != [1, 3, 4]:
    print("FAIL: replies expected at hops 1, 3 and 4"); sys.exit(1)
s = ev[-1]
if (s["transmitted"], s["received"], s["reached"], s["hops"]) != (12, 9, True, 4):
    print(f"FAIL: summary {s}"); sys.exit(1)
PY
	ip netns exec "$r2" nft delete table ip rp_trace_silent || fail "nft delete table"
	note "silent hop: * * * for hop 2, hops 3 and 4 still found, in $ms ms"
else
	note "nft not installed: the silent-hop check was skipped"
fi

# --- a blackhole beyond R2: stars to -m, exit 1, one -w in all.
run blackhole "$src" -n -w 1 -m 5 10.201.38.2
[ "$rc" -eq 1 ] || fail "blackhole: exit $rc, expected 1"
[ "$(wc -l <"$out.blackhole")" -eq 6 ] || fail "blackhole: 6 lines expected"
hop_is blackhole 1 "^ 1  10\\.201\\.31\\.2  $T  $T  $T\$"
hop_is blackhole 2 "^ 2  10\\.201\\.32\\.2  $T  $T  $T\$"
for h in 3 4 5; do
	hop_is blackhole "$h" "^ $h  \\* \\* \\*\$"
done
[ "$ms" -lt 2900 ] || fail "blackhole: took $ms ms with -w 1 and 3 silent hops: they must wait at once, not in turn"
note "blackhole: stars from hop 3 to -m 5, exit 1, in $ms ms"

# While it waits for the blackhole, a trace run as nobody with cap_net_raw+p holds no capability.
if command -v setpriv >/dev/null && command -v setcap >/dev/null; then
	rp_copy_binary capped "cap_net_raw+p"
	rp_bg pid ip netns exec "$src" "${rp_nobody[@]}" "$capped" trace -n -w 3 -m 3 10.201.38.2 >"$out.caps"
	# Hop 1 printed: it has read an answer, so it has dropped everything by now.
	hop1_out() { grep -q '^ 1  ' "$out.caps"; }
	rp_wait_until 2 hop1_out || fail "the capped trace printed no hop 1"
	[ "$(rp_socket_kinds "$pid" | grep -c raw)" -eq 2 ] || fail "the capped trace does not hold two raw sockets"
	caps=$(grep -E '^Cap(Prm|Eff|Inh|Amb):' "/proc/$pid/status" | awk '{ print $2 }' | sort -u)
	[ "$caps" = "0000000000000000" ] || fail "capabilities left while tracing: $(grep ^Cap "/proc/$pid/status")"
	rp_reap "$pid"
	rc=$?
	[ "$rc" -eq 1 ] || fail "capped trace to the blackhole: exit $rc, expected 1"
	note "privileges: none left while the trace runs (CapPrm/CapEff/CapInh/CapAmb all 0)"
fi

# --- unreachable route in R2: !H at hop 2 ends the trace at once.
run unreach "${probers[1]}" -n -w 30 10.201.37.2
[ "$rc" -eq 1 ] || fail "unreachable: exit $rc, expected 1 (not reached)"
[ "$(wc -l <"$out.unreach")" -eq 3 ] || fail "unreachable: the trace must end at hop 2"
hop_is unreach 1 "^ 1  10\\.201\\.41\\.2  $T  $T  $T\$"
hop_is unreach 2 "^ 2  10\\.201\\.32\\.2  $T !H  $T !H  $T !H\$"
[ "$ms" -lt 15000 ] || fail "unreachable: took $ms ms with -w 30; an answered path must not wait for -w"
run unreach_json "${probers[2]}" --json -w 3 10.201.37.2
[ "$rc" -eq 1 ] || fail "unreachable --json: exit $rc, expected 1"
"$rp_py" - "$out.unreach_json" <<'PY' || fail "unreachable --json"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
err = [e for e in ev if e["type"] == "error"]
want = [{"type": "error", "target": "10.201.37.2", "hop": 2, "from": "10.201.32.2", "seq": s,
         "icmp_type": 3, "icmp_code": 1} for s in (4, 5, 6)]
if err != want:
    print(f"FAIL: errors {err}, expected {want}"); sys.exit(1)
s = ev[-1]
if (s["type"], s["errors"], s["received"], s["reached"], s["hops"]) != ("summary", 3, 3, False, 2):
    print(f"FAIL: summary {s}"); sys.exit(1)
PY
note "unreachable route: !H at hop 2, ended at once ($ms ms), exit 1"

# --- prohibit route in R2: !X; no route at all in R3: !N at hop 3.
run prohibit "${probers[3]}" -n -q 1 -w 3 10.201.36.2
[ "$rc" -eq 1 ] || fail "prohibit: exit $rc, expected 1"
hop_is prohibit 2 "^ 2  10\\.201\\.32\\.2  $T !X\$"
[ "$(wc -l <"$out.prohibit")" -eq 3 ] || fail "prohibit: the trace must end at hop 2"
run noroute "${probers[4]}" -n -q 2 -w 3 10.201.39.2
[ "$rc" -eq 1 ] || fail "no route: exit $rc, expected 1"
hop_is noroute 3 "^ 3  10\\.201\\.33\\.2  $T !N  $T !N\$"
[ "$(wc -l <"$out.noroute")" -eq 4 ] || fail "no route: the trace must end at hop 3"
note "prohibit route: !X; no route: !N"

echo "ok: silent hop, blackhole, unreachable, prohibited and unrouted destinations"
