#!/usr/bin/env bash
# Sweep: the target namespace answers every address of 10.200.16.0/20
# (`route add local ... dev lo`) and silently drops 10.200.32.0/24 (blackhole);
# both are routed to it from the prober. `rawprobe ping 10.200.16.0/20
# 10.200.32.0/24` with the default -c 1 and --retries 1:
#   -a      prints exactly the 4096 addresses of the /20 (network and broadcast
#           addresses included: a routed block has none), exit 1;
#   -u      prints exactly the 256 addresses of the /24, exit 1;
#   default one fping-style line per target: 1 received for each alive one,
#           "2/0/100%" for each silent one (xmt counts the retry), exit 1;
#   --json  one summary object per target with the same counts, exit 1.
# Output comes in completion order, so it is sorted before comparing.
#
#   ping_sweep.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=sweep
. "$(dirname "$0")/lib.sh"
rp_need ip
rp_need_rawprobe "the sweep is rawprobe's own (iputils ping takes one target)"

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.13.1/24 "$b" 10.200.13.2/24 8
ip -n "$b" route add local 10.200.16.0/20 dev lo || fail "local route in $b"
ip -n "$b" route add blackhole 10.200.32.0/24 || fail "blackhole route in $b"
ip -n "$a" route add 10.200.16.0/20 via 10.200.13.2 || fail "route to the /20 in $a"
ip -n "$a" route add 10.200.32.0/24 via 10.200.13.2 || fail "route to the /24 in $a"
rp_wait_reachable "$a" 10.200.16.0
rp_wait_reachable "$a" 10.200.31.255
rp_reachable "$a" 10.200.32.7 && fail "the blackholed /24 answers: setup broken"

"$rp_py" -c '
import ipaddress, sys
for net, path in (("10.200.16.0/20", sys.argv[1]), ("10.200.32.0/24", sys.argv[2])):
    with open(path, "w") as f:
        f.writelines(f"{a}\n" for a in sorted(ipaddress.ip_network(net)))
' "$rp_work/want.alive" "$rp_work/want.unreach" || fail "python"
sort -V -o "$rp_work/want.alive" "$rp_work/want.alive"
sort -V -o "$rp_work/want.unreach" "$rp_work/want.unreach"

# sweep NAME OPTIONS...: run the sweep, stdout sorted into $rp_work/NAME; exit must be 1.
sweep() {
	local name=$1 rc start=$SECONDS
	shift
	ip netns exec "$a" "${rp_ping[@]}" "$@" 10.200.16.0/20 10.200.32.0/24 \
		>"$rp_work/$name.raw" 2>"$rp_work/$name.err"
	rc=$?
	sort -V "$rp_work/$name.raw" >"$rp_work/$name"
	note "$name: $(wc -l <"$rp_work/$name") lines in $((SECONDS - start)) s, exit $rc"
	[ "$rc" -eq 1 ] || { head -n 5 "$rp_work/$name.err"; fail "$name: exit $rc, expected 1 (some targets silent)"; }
}

sweep alive -a
cmp -s "$rp_work/alive" "$rp_work/want.alive" || {
	diff "$rp_work/want.alive" "$rp_work/alive" | head -n 10
	fail "-a: not exactly the 4096 addresses of 10.200.16.0/20 ($(wc -l <"$rp_work/alive") lines)"
}

# A fast sweep splits the targets among one worker per core (each with its own
# socket and id): still every address exactly once, and exactly the right ones.
sweep alive_fast -a --rate 50000
cmp -s "$rp_work/alive_fast" "$rp_work/want.alive" || {
	diff "$rp_work/want.alive" "$rp_work/alive_fast" | head -n 10
	fail "-a --rate 50000: not exactly the 4096 addresses of 10.200.16.0/20 ($(wc -l <"$rp_work/alive_fast") lines)"
}
sweep lines_fast --rate 50000
[ "$(cut -d' ' -f1 "$rp_work/lines_fast" | sort -u | wc -l)" -eq 4352 ] &&
	[ "$(wc -l <"$rp_work/lines_fast")" -eq 4352 ] ||
	fail "--rate 50000: not one line for each of the 4352 targets"
grep -vqE '^[0-9.]+ : xmt/rcv/%loss = [0-9]+/[0-9]+/[0-9]+%(, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+)?$' \
	"$rp_work/lines_fast" && fail "--rate 50000: a line is cut or mixed with another"

sweep unreach -u
cmp -s "$rp_work/unreach" "$rp_work/want.unreach" || {
	diff "$rp_work/want.unreach" "$rp_work/unreach" | head -n 10
	fail "-u: not exactly the 256 addresses of 10.200.32.0/24 ($(wc -l <"$rp_work/unreach") lines)"
}

sweep lines
sweep json --json
"$rp_py" - "$rp_work" <<'PY' || exit 1
import json, re, sys
work = sys.argv[1]
alive = set(open(f"{work}/want.alive").read().split())
silent = set(open(f"{work}/want.unreach").read().split())
def fail(msg):
    print("FAIL:", msg); sys.exit(1)

line_re = re.compile(r"^(\S+) : xmt/rcv/%loss = (\d+)/(\d+)/(\d+)%(, min/avg/max = [\d.]+/[\d.]+/[\d.]+)?$")
seen, retried = set(), 0
for n, line in enumerate(open(f"{work}/lines"), 1):
    m = line_re.match(line.rstrip("\n"))
    if not m:
        fail(f"default output line {n} not fping-style: {line!r}")
    addr, xmt, rcv, loss, rtt = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5)
    if addr in seen:
        fail(f"{addr} reported twice")
    seen.add(addr)
    if addr in alive:
        if rcv != 1 or xmt not in (1, 2) or loss != round(100 * (xmt - rcv) / xmt) or not rtt:
            fail(f"alive {addr}: {line.strip()!r}, expected 1 received with min/avg/max")
        retried += xmt == 2
    elif addr in silent:
        if (xmt, rcv, loss) != (2, 0, 100) or rtt:
            fail(f"silent {addr}: {line.strip()!r}, expected 'xmt/rcv/%loss = 2/0/100%' (1 probe + 1 retry)")
    else:
        fail(f"line for {addr}, which is not a target")
if seen != alive | silent:
    fail(f"default output: {len(alive | silent - seen)} targets without a line")
print(f"ok: default output: 4352 lines, 4096 alive ({retried} needed the retry), 256 at 2/0/100%")

keys = {"type", "target", "transmitted", "received", "duplicates", "errors", "loss_pct", "rtt_ms"}
got = {}
for n, line in enumerate(open(f"{work}/json.raw"), 1):
    try:
        ev = json.loads(line)
    except ValueError as e:
        fail(f"--json line {n} is not JSON ({e}): {line!r}")
    if ev.get("type") != "summary":
        fail(f"--json line {n}: only summary objects expected in a sweep: {line!r}")
    if set(ev) != keys:
        fail(f"--json line {n}: keys {sorted(ev)}, expected {sorted(keys)}")
    if ev["target"] in got:
        fail(f"--json: {ev['target']} summarised twice")
    got[ev["target"]] = ev
if set(got) != alive | silent:
    fail(f"--json: {len(got)} summaries, expected one for each of the 4352 targets")
for a in alive:
    if got[a]["received"] != 1:
        fail(f"--json: alive {a}: {got[a]}")
for a in silent:
    e = got[a]
    no_rtt = e["rtt_ms"] is None or (isinstance(e["rtt_ms"], dict) and not any(v is not None for v in e["rtt_ms"].values()))
    if (e["transmitted"], e["received"], e["loss_pct"]) != (2, 0, 100) or not no_rtt:
        fail(f"--json: silent {a}: {e}, expected transmitted 2, received 0, loss_pct 100, rtt_ms null")
print("ok: --json: 4352 summaries, received 1 for the /20, 0 of 2 for the /24")
PY
echo "ok: sweep found all 4096 alive and all 256 silent addresses, exit 1"
