#!/usr/bin/env bash
# `rawprobe ping -c 3 --pcap FILE` saves what it sent and received: FILE must
# open with `rawprobe read --json` as LINKTYPE_RAW and hold exactly the 3 echo
# requests (10.200.14.1 -> .2) and 3 replies (back), all with one identifier,
# sequence numbers 1..3 each way, good checksums, every reply paired with its
# request; `read --stats --json` agrees (3 requests, 3 replies, 0 unanswered);
# the seqs printed by ping are the ones in the file; tcpdump -r reads it too
# (that check is skipped, and says so, when tcpdump is not installed).
#
#   ping_pcap.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=pcap
. "$(dirname "$0")/lib.sh"
rp_need ip
rp_need_rawprobe "--pcap is rawprobe's own"

rp_ns_into a a
rp_ns_into b b
rp_veth "$a" 10.200.14.1/24 "$b" 10.200.14.2/24 9
rp_wait_reachable "$a" 10.200.14.2

pcap=$rp_work/ping.pcap
ip netns exec "$a" "$bin" ping -n -c 3 -i 0.1 -W 2 --pcap "$pcap" 10.200.14.2 >"$rp_work/out" 2>"$rp_work/err"
rc=$?
cat "$rp_work/out"
[ "$rc" -eq 0 ] || fail "ping --pcap: exit $rc, expected 0 ($(cat "$rp_work/err"))"
[ -s "$pcap" ] || fail "ping --pcap wrote no file"

"$bin" read --json "$pcap" >"$rp_work/read.json" 2>"$rp_work/read.err" ||
	fail "rawprobe read --json: exit $? ($(cat "$rp_work/read.err"))"
"$bin" read --stats --json "$pcap" >"$rp_work/stats.json" 2>"$rp_work/stats.err" ||
	fail "rawprobe read --stats --json: exit $? ($(cat "$rp_work/stats.err"))"

"$rp_py" - "$rp_work" <<'PY' || { cat "$rp_work/read.json"; exit 1; }
import json, re, sys
work = sys.argv[1]
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
pkts = [json.loads(l) for l in open(f"{work}/read.json")]
if len(pkts) != 6:
    fail(f"{len(pkts)} packets in the file, expected 6 (3 requests, 3 replies)")
for p in pkts:
    if p["link"] != "RAW":
        fail(f"frame {p['frame']}: link {p['link']}, expected RAW")
    if "malformed" in p:
        fail(f"frame {p['frame']}: malformed: {p['malformed']}")
    if p["ip"]["checksum_ok"] is not True or p["icmp"]["checksum_ok"] is not True:
        fail(f"frame {p['frame']}: bad checksum")
    if not re.fullmatch(r"\d+\.\d{9}", p["ts"]):
        fail(f"frame {p['frame']}: ts {p['ts']!r}")
req = [p for p in pkts if p["icmp"]["type"] == 8]
rep = [p for p in pkts if p["icmp"]["type"] == 0]
if len(req) != 3 or len(rep) != 3:
    fail(f"{len(req)} requests and {len(rep)} replies, expected 3 and 3")
for p in req:
    if (p["ip"]["src"], p["ip"]["dst"]) != ("10.200.14.1", "10.200.14.2"):
        fail(f"request frame {p['frame']}: {p['ip']['src']} -> {p['ip']['dst']}")
for p in rep:
    if (p["ip"]["src"], p["ip"]["dst"]) != ("10.200.14.2", "10.200.14.1"):
        fail(f"reply frame {p['frame']}: {p['ip']['src']} -> {p['ip']['dst']}")
    if not p["icmp"].get("resptime_ms", -1) >= 0 or p["icmp"].get("dup"):
        fail(f"reply frame {p['frame']}: not paired with a request in the file")
ids = {p["icmp"]["id"] for p in pkts}
if len(ids) != 1:
    fail(f"identifiers {ids}: requests and replies should share one")
if sorted(p["icmp"]["seq"] for p in req) != [1, 2, 3] or sorted(p["icmp"]["seq"] for p in rep) != [1, 2, 3]:
    fail("sequence numbers are not 1..3 in each direction")
printed = sorted(int(s) for s in re.findall(r"icmp_seq=(\d+)", open(f"{work}/out").read()))
if printed != [1, 2, 3]:
    fail(f"ping printed seqs {printed}")
s = json.load(open(f"{work}/stats.json"))
e = s["icmp_echo"]
if (s["packets"], e["requests"], e["replies"], e["unanswered"], e["duplicates"]) != (6, 3, 3, 0, 0):
    fail(f"read --stats: {s}: expected 6 packets, 3 requests, 3 replies, 0 unanswered, 0 duplicates")
times = re.findall(r"time=([\d.]+) ms", open(f"{work}/out").read())
print(f"ok: read: 6 packets, id {ids.pop()}, seqs 1..3 both ways; "
      f"rtt in file {[p['icmp']['resptime_ms'] for p in sorted(rep, key=lambda p: p['icmp']['seq'])]} ms, "
      f"printed by ping {times} ms")
PY

if command -v tcpdump >/dev/null 2>&1; then
	tcpdump -n -r "$pcap" >"$rp_work/tcpdump" 2>"$rp_work/tcpdump.err" ||
		fail "tcpdump -r cannot read the file: $(cat "$rp_work/tcpdump.err")"
	cat "$rp_work/tcpdump"
	[ "$(grep -c '10.200.14.1 > 10.200.14.2: ICMP echo request, id [0-9]*, seq [123], length 64$' "$rp_work/tcpdump")" -eq 3 ] ||
		fail "tcpdump does not show the 3 echo requests"
	[ "$(grep -c '10.200.14.2 > 10.200.14.1: ICMP echo reply, id [0-9]*, seq [123], length 64$' "$rp_work/tcpdump")" -eq 3 ] ||
		fail "tcpdump does not show the 3 echo replies"
	[ "$(wc -l <"$rp_work/tcpdump")" -eq 6 ] || fail "tcpdump shows more than the 6 packets"
	note "tcpdump -r: 3 requests, 3 replies"
else
	note "tcpdump is not installed: its check is skipped"
fi

# A sweep's probes leave with source 0 for the kernel to fill in: the file must
# hold them as they went, with that source and a header checksum that is right.
sweep=$rp_work/sweep.pcap
ip netns exec "$a" "$bin" ping -c 1 -W 1 --pcap "$sweep" 10.200.14.2 10.200.14.1 >/dev/null 2>"$rp_work/err" ||
	fail "sweep --pcap: exit $? ($(cat "$rp_work/err"))"
"$bin" read --json "$sweep" >"$rp_work/sweep.json" || fail "rawprobe read --json of the sweep's file"
"$rp_py" - "$rp_work/sweep.json" <<'PY' || { cat "$rp_work/sweep.json"; exit 1; }
import json, sys
pkts = [json.loads(l) for l in open(sys.argv[1])]
req = [p for p in pkts if p["icmp"]["type"] == 8]
if len(req) != 2 or len(pkts) != 4:
    print(f"FAIL: sweep --pcap: {len(pkts)} packets, {len(req)} requests; expected 4 and 2"); sys.exit(1)
for p in req:
    if p["ip"]["src"] != "10.200.14.1" or p["ip"]["checksum_ok"] is not True:
        print(f"FAIL: sweep --pcap: request {p['ip']}: expected source 10.200.14.1, checksum ok"); sys.exit(1)
print("ok: sweep --pcap: both requests with the kernel's source and a good header checksum")
PY
echo "ok: the --pcap file holds the 3 probes and 3 replies, for rawprobe read and tcpdump; a sweep's too"
