#!/usr/bin/env bash
# Paris traceroute's flow stability, checked on the wire, and UDP mode:
#   - `trace -U` ends on the target's port unreachable at the right hop, with
#     every probe of the target's hop answered although the target limits its
#     port unreachables (6 at once, then 1/s, its default) and receives all
#     the probes past it too: its own hop's probes reach it first;
#   - a capture at R1's ingress (tcpdump) of every probe: UDP probes all have
#     the same ports and distinct checksums (the probe number) and IP ids;
#     -p moves the destination port; ICMP probes all have the same identifier
#     and the same checksum, and distinct sequence numbers;
#   - --json -U: the target's answer is a reply from the target at hop 4.
# Addresses 10.201.21-24.0/24.
#
#   trace_udp.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=tru
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/trace_lib.sh"
rp_need_rawprobe "trace"
rp_need tcpdump

trace_chain 3 20 u
src=$tr_src target=$tr_target
out=$rp_work/out
cap=$rp_work/probes.pcap

ip netns exec "${tr_routers[1]}" tcpdump -i "$tr_src_if" -nn -U -s 128 -w "$cap" \
	"src host 10.201.21.1 and (udp or icmp[icmptype] == icmp-echo)" 2>"$rp_work/tcpdump.err" &
rp_pids+=("$!")
tcpdump_pid=$!
rp_wait_until 5 grep -qs "listening on" "$rp_work/tcpdump.err" || fail "tcpdump did not start: $(cat "$rp_work/tcpdump.err")"

# The target's own limit is untouched: this first UDP trace must still get its hop whole.
ip netns exec "$src" "$bin" trace -U -n "$target" >"$out" 2>"$out.err"
rc=$?
cat "$out"
[ "$rc" -eq 0 ] || fail "-U: exit $rc, expected 0 ($(cat "$out.err"))"
tr_expect_path "$out" 1 "${tr_hops[@]:1}"
note "-U: 4 hops, the target's hop answered in full under its default rate limit"

# From here on the target answers every probe, so the next runs do not depend on its bucket.
ip netns exec "$tr_dst" sysctl -qw net.ipv4.icmp_ratelimit=0 || fail "sysctl in the target"

ip netns exec "$src" "$bin" trace -n "$target" >"$out.icmp" 2>"$out.err" ||
	{ cat "$out.icmp"; fail "ICMP: exit $? ($(cat "$out.err"))"; }
tr_expect_path "$out.icmp" 1 "${tr_hops[@]:1}"

ip netns exec "$src" "$bin" trace -U -p 40000 -q 1 -m 6 -n "$target" >"$out.p" 2>"$out.err" ||
	{ cat "$out.p"; fail "-U -p 40000: exit $? ($(cat "$out.err"))"; }
cat "$out.p"

ip netns exec "$src" "$bin" trace -U --json "$target" >"$out.json" 2>"$out.err" ||
	{ cat "$out.json"; fail "-U --json: exit $? ($(cat "$out.err"))"; }
"$rp_py" - "$out.json" "$target" <<'PY' || { cat "$out.json"; fail "-U --json"; }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
last = [e for e in ev if e.get("hop") == 4]
if len(last) != 3 or any(e["type"] != "reply" or e["from"] != sys.argv[2] for e in last):
    print(f"FAIL: hop 4 events {last}: three replies from the target expected"); sys.exit(1)
if max(e.get("hop", 0) for e in ev) != 4 or not ev[-1]["reached"]:
    print("FAIL: events past hop 4, or not reached"); sys.exit(1)
PY

# Every probe sent: the first window of 16 hops x 3, three times, and 6: 48 + 48 + 6 + 48. Wait until tcpdump has written them all, then stop it.
captured() { [ "$(tcpdump -r "$cap" 2>/dev/null | wc -l)" -ge 150 ]; }
rp_wait_until 5 captured || note "tcpdump wrote $(tcpdump -r "$cap" 2>/dev/null | wc -l) of 150 probes"
kill -TERM "$tcpdump_pid"
rp_reap "$tcpdump_pid"

"$rp_py" - "$cap" <<'PY' || fail "flow fields in the capture"
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
link = struct.unpack(end + "I", data[20:24])[0]
off, pkts = 24, []
while off + 16 <= len(data):
    caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
    pkts.append(data[off + 16:off + 16 + caplen])
    off += 16 + caplen
l2 = 14 if link == 1 else 0
udp, udp_p, icmp = [], [], []
for p in pkts:
    ip = p[l2:]
    hl = (ip[0] & 15) * 4
    ipid, ttl, proto = struct.unpack(">H", ip[4:6])[0], ip[8], ip[9]
    l4 = ip[hl:hl + 8]
    if proto == 17:
        sport, dport, _, csum = struct.unpack(">HHHH", l4)
        (udp if dport == 33434 else udp_p).append((sport, dport, csum, ipid, ttl))
    elif proto == 1 and l4[0] == 8:
        _, _, csum, ident, seq = struct.unpack(">BBHHH", l4)
        icmp.append((ident, csum, seq, ipid, ttl))
def check(name, rows, flow, ident, n):
    if len(rows) != n:
        print(f"FAIL: {name}: {len(rows)} probes captured, expected {n}"); sys.exit(1)
    flows = {tuple(r[i] for i in flow) for r in rows}
    if len(flows) != 1:
        print(f"FAIL: {name}: flow fields vary: {sorted(flows)[:5]}"); sys.exit(1)
    for i in ident:
        if len({r[i] for r in rows}) != n:
            print(f"FAIL: {name}: field {i} repeats between probes"); sys.exit(1)
    ttls = sorted(r[-1] for r in rows)
    print(f"{name}: {n} probes, flow {flows.pop()}, TTL {ttls[0]}..{ttls[-1]}")
# -U and -U --json: 2 runs x 30 hops x 3; ports fixed per run, checksum and IP id per probe.
runs = sorted({r[0] for r in udp})
if len(runs) != 2:
    print(f"FAIL: UDP source ports {runs}: one per run (2 runs) expected"); sys.exit(1)
for sp in runs:
    check(f"UDP sport {sp}", [r for r in udp if r[0] == sp], (0, 1), (2, 3), 48)
check("UDP -p 40000", udp_p, (0, 1), (2, 3), 6)
if {r[1] for r in udp_p} != {40000}:
    print("FAIL: -p 40000 not the destination port"); sys.exit(1)
check("ICMP", icmp, (0, 1), (2, 3), 48)
PY
note "flow fields constant on the wire (ports; ICMP id and checksum), probe numbers distinct"
echo "ok: -U ends on the target's port unreachable; Paris flow fields hold on the wire"
