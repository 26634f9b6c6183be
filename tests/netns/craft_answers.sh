#!/usr/bin/env bash
# The answers `rawprobe craft` prints are the real kernel's, each tied to its
# probe, in text and in --json: A — R — B, R a forwarding namespace. From A:
#   - echo requests (-c 2): two echo replies, probe=1 and probe=2;
#   - a timestamp request: the timestamp reply (Linux answers them; if this
#     kernel did not, B's counters show none and craft must print none);
#   - UDP to a closed port (-c 3): port unreachable, errors quoting probes 1..3;
#   - TCP SYN to a closed port (-c 2): RST|ACK acknowledging each probe;
#   - TCP SYN to a listening port (`rawprobe serve` in B): SYN|ACK;
#   - UDP to an echo server: its datagram back, a reply;
#   - --size 3000 --fragment 1000: B reassembles, one reply of 3008 ICMP bytes;
#   - --ip-opt rr: the reply's record-route option, read from a capture in A
#     (craft's JSON has the option's type and length only), holds R's two
#     addresses (10.202.11.254 out, 10.202.10.254 back) and B's;
#   - TTL 1 (-c 2): R's time exceeded, errors with probe=1 and probe=2; the
#     same for a TCP SYN;
#   - with a system ping from A to B running at the same time (with TTL 1:
#     errors from R quoting its requests; then a normal one: echo replies),
#     craft prints its own answers only.
# Every output line must be the first line, an answer line or the summary;
# every JSON object an answer (keys type, probe, rtt_ms first, then read's,
# link RAW) or the summary at the end.
#
#   craft_answers.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=crans
. "$(dirname "$0")/lib.sh"
rp_need_rawprobe "craft is rawprobe's own"
. "$(dirname "$0")/craft_cap.sh"
"$bin" craft --help >/dev/null 2>&1 || fail "rawprobe craft --help: exit $?: no craft command in this build"

A=10.202.10.1 RA=10.202.10.254 RB=10.202.11.254 B=10.202.11.2
rp_ns_into a a
rp_ns_into r r
rp_ns_into b b
rp_veth "$a" $A/24 "$r" $RA/24 ca1
veth_a=$rp_veth_a
rp_veth "$r" $RB/24 "$b" $B/24 ca2
ip -n "$a" route add 10.202.11.0/24 via $RA || fail "route in A"
ip -n "$b" route add 10.202.10.0/24 via $RB || fail "route in B"
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 || fail "ip_forward in R"
# No ICMP rate limit: every probe here that asks for an error gets it.
for ns in "$r" "$b"; do ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 || fail "icmp_ratelimit"; done
rp_wait_reachable "$a" $B

# Servers in B: TCP listening on 8080, UDP echo on 7007 (rawprobe serve, ready when
# the kernel lists the socket: LISTEN (0A) for TCP).
rp_bg tcp_server ip netns exec "$b" "$bin" serve -q tcp:$B:8080 >"$rp_work/tcpd.out" 2>&1
rp_bg udp_server ip netns exec "$b" "$bin" serve -q udp:$B:7007 >"$rp_work/udpd.out" 2>&1
listening() { ip netns exec "$b" awk -v p="$2" -v s="$3" '$2 ~ ":" p "$" && (s == "" || $4 == s) { f = 1 } END { exit !f }' "/proc/net/$1"; }
rp_wait_until 5 listening tcp 1F90 0A || fail "rawprobe serve tcp:$B:8080 is not listening: $(cat "$rp_work/tcpd.out")"
rp_wait_until 5 listening udp 1B5F "" || fail "rawprobe serve udp:$B:7007 is not bound: $(cat "$rp_work/udpd.out")"

# What comes back to A, captured before A's IP stack (the RR option as it arrived).
cap=$rp_work/a.pcap
rp_cap_start "$a" "$veth_a" "$cap" ip

cat >"$rp_work/answers.py" <<'PY'
# answers.py NAME TEXT JSON SPEC: craft's text and JSON output against SPEC.
import json, re, sys
name, text, jsn, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
errors = []
def err(msg):
    errors.append(msg)
def get(obj, path):
    for part in path.split("."):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return "<absent>"
    return obj
target, answers = spec["target"], spec["answers"]

# Text: the first line, one line per answer, the summary; nothing else.
lines = open(text).read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
if not lines or not re.fullmatch(spec["first"], lines[0]):
    err(f"first line {lines[0] if lines else None!r}, expected /{spec['first']}/")
got, summary, rtt = [], None, None
for line in lines[1:]:
    m = re.fullmatch(r"(.*)  probe=(\d+) time=\d+\.\d{3} ms", line)
    if m:
        got.append((m.group(1), int(m.group(2))))
    elif line in ("", f"--- {target} craft statistics ---"):
        pass
    elif re.fullmatch(r"\d+ packets? sent, .*", line):
        summary = line
    elif re.fullmatch(r"rtt min/avg/max/mdev = [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms", line):
        rtt = line
    else:
        err(f"text: a line that is neither an answer nor the summary: {line!r}")
if len(got) != len(answers):
    err(f"text: {len(got)} answer lines, expected {len(answers)}: {[g[0] for g in got]}")
for (line, probe), want in zip(got, answers):
    if not re.fullmatch(want["line"], line) or probe != want["probe"]:
        err(f"text: answer {line!r} probe={probe}, expected /{want['line']}/ probe={want['probe']}")
replies = sum(1 for a in answers if a["json"]["type"] == "reply")
errs = len(answers) - replies
m = summary and re.fullmatch(r"(\d+) packets? sent, (\d+) answers? \((\d+) repl(?:y|ies), (\d+) errors?\), time \d+ms", summary)
if not m or tuple(map(int, m.groups())) != (spec["sent"], len(answers), replies, errs):
    err(f"text: summary {summary!r}, expected {spec['sent']} sent, {len(answers)} answers "
        f"({replies} replies, {errs} errors)")
if (rtt is None) != (replies == 0):
    err(f"text: rtt line {rtt!r} with {replies} replies (one only when there were replies)")

# JSON: one object per answer, then the summary.
objs = []
for n, line in enumerate(open(jsn), 1):
    try:
        objs.append(json.loads(line))
    except json.JSONDecodeError as e:
        err(f"json: line {n} is not JSON ({e}): {line.strip()!r}")
if not objs or objs[-1].get("type") != "summary":
    err("json: the last object is not the summary")
else:
    s = objs.pop()
    want = {"target": target, "sent": spec["sent"], "replies": replies, "errors": errs}
    if {k: s.get(k) for k in want} != want:
        err(f"json: summary {s}, expected {want}")
    r = s.get("rtt_ms")
    if replies and not (isinstance(r, dict) and all(isinstance(r.get(k), (int, float)) for k in ("min", "avg", "max", "mdev"))):
        err(f"json: summary rtt_ms {r!r} with {replies} replies")
if len(objs) != len(answers):
    err(f"json: {len(objs)} answer objects, expected {len(answers)}: {[o.get('type') for o in objs]}")
for o, a in zip(objs, answers):
    if list(o)[:3] != ["type", "probe", "rtt_ms"] or o.get("link") != "RAW":
        err(f"json: keys {list(o)[:6]}, link {o.get('link')!r}: expected type, probe, rtt_ms first, link RAW")
    if not isinstance(o.get("rtt_ms"), (int, float)) or o["rtt_ms"] < 0:
        err(f"json: rtt_ms {o.get('rtt_ms')!r}")
    want = dict(a["json"], probe=a["probe"])
    for k, v in want.items():
        if get(o, k) != v:
            err(f"json: answer for probe {a['probe']}: {k} is {get(o, k)!r}, expected {v!r}")
for e in errors:
    print(f"FAIL: {name}: {e}")
if errors:
    print(f"=== {name} text:\n{open(text).read()}=== {name} json:\n{open(jsn).read()}", end="")
    sys.exit(1)
print(f"ok: {name}: {len(answers)} answers as expected, text and JSON")
PY

failures=0
# answers NAME SPEC ARGS...: craft from A to B, once for text and once with --json;
# both must exit 0 and show what SPEC says.
answers() {
	local name=$1 spec=$2 rc
	shift 2
	timeout 20 ip netns exec "$a" "$bin" craft --dst $B "$@" >"$rp_work/$name.txt" 2>"$rp_work/$name.err"
	rc=$?
	timeout 20 ip netns exec "$a" "$bin" craft --dst $B --json "$@" >"$rp_work/$name.json" 2>>"$rp_work/$name.err"
	rc=$((rc + $?))
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $name: \`rawprobe craft --dst $B [--json] $*\`: exit status not 0: $(head -n 3 "$rp_work/$name.err")"
		failures=$((failures + 1))
		return
	fi
	"$rp_py" "$rp_work/answers.py" "$name" "$rp_work/$name.txt" "$rp_work/$name.json" "${spec//$'\n'/ }" ||
		failures=$((failures + 1))
}
from_b="${B//./[.]} > ${A//./[.]}"
# B's own UDP and TCP segments leave with the checksum left to the "hardware"
# (veth offload, passed along as such): A's raw socket gets them with a partial
# sum, which craft rightly shows as read would: "[bad udp cksum ...]".
offload=' ?(\\[bad (udp|tcp) cksum 0x[0-9a-f]+ -> 0x[0-9a-f]+!\\])?'

answers echo '{"target": "'$B'", "sent": 2, "first": "CRAFT 10\\.202\\.11\\.2: 28 bytes, ICMP echo request id 4101 seq 1, raw socket",
 "answers": [
  {"line": "'"$from_b"': ICMP echo reply, id 4101, seq 1, length 8", "probe": 1,
   "json": {"type": "reply", "ip.src": "'$B'", "icmp.type": 0, "icmp.id": 4101, "icmp.seq": 1}},
  {"line": "'"$from_b"': ICMP echo reply, id 4101, seq 2, length 8", "probe": 2,
   "json": {"type": "reply", "ip.src": "'$B'", "icmp.type": 0, "icmp.id": 4101, "icmp.seq": 2}}]}' \
	--icmp-id 4101 --size 0 -c 2 -i 0.2 -W 1

# Whether this kernel answers timestamp requests: B's count of the ICMP messages
# it sent (Icmp OutMsgs; OutTimestampReps is not it: Linux counts its timestamp
# replies as echo replies), around one request sent without listening, when
# nothing else makes B send ICMP.
icmp_out_ts() {
	ip netns exec "$b" awk '/^Icmp:/ { if (!n) { for (i = 1; i <= NF; i++) c[$i] = i; n = 1 } else print $c["OutMsgs"] }' /proc/net/snmp
}
ts_before=$(icmp_out_ts)
ip netns exec "$a" "$bin" craft --dst $B --icmp-type timestamp --icmp-id 4199 -W 0 >/dev/null 2>&1 ||
	fail "craft --icmp-type timestamp -W 0: exit $?"
ts_answered() { [ "$(icmp_out_ts)" -gt "$ts_before" ]; }
if rp_wait_until 2 ts_answered; then
	ts_answers='[{"line": "'"$from_b"': ICMP timestamp reply, id 4102, seq 1, org 12345, recv \\d+, xmit \\d+, length 20", "probe": 1,
	   "json": {"type": "reply", "icmp.type": 14, "icmp.id": 4102, "icmp.originate": 12345}}]'
	ts_count=2
else
	note "this kernel does not answer ICMP timestamp requests: craft must print no answer to one"
	ts_answers='[]' ts_count=0
fi
answers timestamp '{"target": "'$B'", "sent": 1, "first": "CRAFT .*ICMP timestamp request id 4102 seq 1, raw socket",
 "answers": '"$ts_answers"'}' --icmp-type timestamp --icmp-id 4102 --icmp-otime 12345 -W 1

# Three probes of one flow: each error tied to its own probe (by what it quotes).
unreach='{"line": "'"$from_b"': ICMP 10\\.202\\.11\\.2 udp port 9999 unreachable, length \\d+", "probe": N,
   "json": {"type": "error", "ip.src": "'$B'", "icmp.type": 3, "icmp.code": 3, "icmp.inner.ip.dst": "'$B'",
    "icmp.inner.udp.sport": 40100, "icmp.inner.udp.dport": 9999}}'
answers udp-closed '{"target": "'$B'", "sent": 3, "first": "CRAFT .*UDP 40100 > 9999, raw socket",
 "answers": ['"${unreach/N/1}, ${unreach/N/2}, ${unreach/N/3}"']}' \
	--udp 40100:9999 -c 3 -i 0.1 -W 1

answers udp-echo '{"target": "'$B'", "sent": 1, "first": "CRAFT .*UDP 40400 > 7007, raw socket",
 "answers": [{"line": "10\\.202\\.11\\.2\\.7007 > 10\\.202\\.10\\.1\\.40400: UDP, length 10'"$offload"'", "probe": 1,
   "json": {"type": "reply", "udp.sport": 7007, "udp.dport": 40400, "udp.len": 18}}]}' \
	--udp 40400:7007 --data hello-echo -W 1

answers tcp-syn-ack '{"target": "'$B'", "sent": 1, "first": "CRAFT .*TCP 40300 > 8080 \\[S\\] seq 5000, raw socket",
 "answers": [{"line": "10\\.202\\.11\\.2\\.8080 > 10\\.202\\.10\\.1\\.40300: Flags \\[S\\.\\], seq \\d+, ack 5001, win \\d+, options \\[.*\\], length 0'"$offload"'", "probe": 1,
   "json": {"type": "reply", "tcp.sport": 8080, "tcp.dport": 40300, "tcp.flags": 18, "tcp.ack": 5001}}]}' \
	--tcp 40300:8080 --tcp-seq 5000 -W 1

answers reassembly '{"target": "'$B'", "sent": 1, "first": "CRAFT 10\\.202\\.11\\.2: 3028 bytes.*ICMP echo request id 4106 seq 1, raw socket",
 "answers": [{"line": "'"$from_b"': ICMP echo reply, id 4106, seq 1, length 3008", "probe": 1,
   "json": {"type": "reply", "ip.len": 3028, "ip.mf": false, "ip.frag_off": 0, "icmp.type": 0, "icmp.id": 4106,
    "icmp.checksum_ok": true}}]}' \
	--icmp-id 4106 --size 3000 --fragment 1000 -W 1

# A's kernel writes its own address into the reply's record-route option as it
# takes the datagram in, and leaves the header checksum as it was: the raw
# socket's copy has a stale one ("[bad ip cksum ...]"); the capture has the
# datagram as it came, checked below.
answers record-route '{"target": "'$B'", "sent": 1, "first": "CRAFT .*ICMP echo request id 4107 seq 1, raw socket",
 "answers": [{"line": "'"$from_b"': ICMP echo reply, id 4107, seq 1, length 8( \\[bad ip cksum 0x[0-9a-f]+ -> 0x[0-9a-f]+!\\])?", "probe": 1,
   "json": {"type": "reply", "icmp.type": 0, "icmp.id": 4107, "ip.options.0.type": 7, "ip.options.0.len": 39}}]}' \
	--icmp-id 4107 --ip-opt rr=9 -W 1

from_r="${RA//./[.]} > ${A//./[.]}"
# A system ping with TTL 1 runs beside: R's time exceeded errors quoting its
# echo requests reach craft's socket too, and must not be printed.
rp_bg pinger ip netns exec "$a" /usr/bin/ping -n -e 999 -t 1 -c 30 -i 0.05 $B >"$rp_work/ping-ttl.out" 2>&1
answers ttl-1 '{"target": "'$B'", "sent": 2, "first": "CRAFT .*ICMP echo request id 4108 seq 1, raw socket",
 "answers": [
  {"line": "'"$from_r"': ICMP time exceeded in-transit, length \\d+", "probe": 1,
   "json": {"type": "error", "ip.src": "'$RA'", "icmp.type": 11, "icmp.code": 0, "icmp.inner.icmp.id": 4108, "icmp.inner.icmp.seq": 1}},
  {"line": "'"$from_r"': ICMP time exceeded in-transit, length \\d+", "probe": 2,
   "json": {"type": "error", "ip.src": "'$RA'", "icmp.type": 11, "icmp.code": 0, "icmp.inner.icmp.id": 4108, "icmp.inner.icmp.seq": 2}}]}' \
	--icmp-id 4108 --ttl 1 -c 2 -i 0.2 -W 1
answers ttl-1-tcp '{"target": "'$B'", "sent": 1, "first": "CRAFT .*TCP 40500 > 80 \\[S\\] seq \\d+, raw socket",
 "answers": [{"line": "'"$from_r"': ICMP time exceeded in-transit, length \\d+", "probe": 1,
   "json": {"type": "error", "ip.src": "'$RA'", "icmp.type": 11, "icmp.inner.tcp.sport": 40500, "icmp.inner.tcp.dport": 80}}]}' \
	--tcp 40500:80 --ttl 1 -W 1
rp_reap "$pinger"
grep -q "Time to live exceeded" "$rp_work/ping-ttl.out" ||
	fail "the system ping with TTL 1 beside craft got no time exceeded: the check proved nothing ($(tail -n 3 "$rp_work/ping-ttl.out"))"

# A system ping to B runs all through these: its replies reach craft's raw
# socket too, and must not be printed (its identifier, 998, is not craft's).
rp_bg pinger ip netns exec "$a" /usr/bin/ping -n -e 998 -q -c 60 -i 0.05 $B >"$rp_work/ping.out" 2>&1
answers echo-beside-ping '{"target": "'$B'", "sent": 3, "first": "CRAFT .*ICMP echo request id 4109 seq 1, raw socket",
 "answers": [
  {"line": "'"$from_b"': ICMP echo reply, id 4109, seq 1, length \\d+", "probe": 1, "json": {"type": "reply", "icmp.id": 4109, "icmp.seq": 1}},
  {"line": "'"$from_b"': ICMP echo reply, id 4109, seq 2, length \\d+", "probe": 2, "json": {"type": "reply", "icmp.id": 4109, "icmp.seq": 2}},
  {"line": "'"$from_b"': ICMP echo reply, id 4109, seq 3, length \\d+", "probe": 3, "json": {"type": "reply", "icmp.id": 4109, "icmp.seq": 3}}]}' \
	--icmp-id 4109 -c 3 -i 0.1 -W 0.5
answers tcp-rst-beside-ping '{"target": "'$B'", "sent": 2, "first": "CRAFT .*TCP 40200 > 81 \\[S\\] seq 1000, raw socket",
 "answers": [
  {"line": "10\\.202\\.11\\.2\\.81 > 10\\.202\\.10\\.1\\.40200: Flags \\[R\\.\\], seq 0, ack 1001, win 0, length 0", "probe": 1,
   "json": {"type": "reply", "tcp.flags": 20, "tcp.ack": 1001}},
  {"line": "10\\.202\\.11\\.2\\.81 > 10\\.202\\.10\\.1\\.40200: Flags \\[R\\.\\], seq 0, ack \\d+, win 0, length 0", "probe": 2,
   "json": {"type": "reply", "tcp.flags": 20}}]}' \
	--tcp 40200:81 --tcp-seq 1000 -c 2 -i 0.2 -W 0.5
rp_reap "$pinger" || fail "the system ping beside craft failed: $(cat "$rp_work/ping.out")"
read -r sent got < <(rp_tx_rx "$rp_work/ping.out")
[ "${got:-0}" -gt 0 ] || fail "the system ping beside craft got no replies: the check proved nothing"
note "the system ping beside craft: $sent sent, $got replies, none printed by craft"

# The capture in A: the record-route reply as it arrived, judged by its bytes
# and tshark; the timestamp reply, to tell a kernel that does not answer.
rp_sentinel "$a" "$B" || fail "the marker ping from A to B was not answered"
rp_cap_stop "$cap"
rp_cap_decode "$cap"
cat >"$rp_work/cases.jsonl" <<JSON
{"name": "record route reply in A's capture", "match": {"ip.src": "$B", "icmp.type": 0, "icmp.id": 4107}, "expect": {"@count": 2, "ip.checksum_ok": true, "raw.ip_csum_right": true, "ip.options.0.type": 7, "raw.rr": {"contains": ["$RB", "$B", "$RA"]}, "@tshark": {"ip.rec_rt": {"contains": ["$RB", "$B", "$RA"]}}}}
{"name": "timestamp replies in A's capture", "match": {"ip.src": "$B", "icmp.type": 14, "icmp.id": 4102}, "expect": {"@count": $ts_count}}
JSON
if ! rp_wire "$cap" "$rp_work/cases.jsonl"; then
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || fail "$failures checks of craft's answers failed (above)"
echo "ok: craft prints the kernel's answers, each with its probe, in text and JSON, and nothing else"
