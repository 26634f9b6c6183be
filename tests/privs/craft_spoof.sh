#!/usr/bin/env bash
# `rawprobe craft` with the supported install, `setcap cap_net_raw+p`, run as
# nobody (setpriv, no inheritable capability) inside a fresh namespace with
# tcpdump on its lo:
#   - refused, exit 2, exactly one line on stderr, nothing on stdout, nothing
#     captured: a spoofed --src (also through the packet socket, --link), a
#     --from-pcap replay whose sources are not local (not rewritten, or
#     rewritten to a foreign address), --rate 1000, -i 0.001;
#   - allowed, exit 0, the probe captured: no --src, --src 127.0.0.1 (a local
#     address), a replay with --rewrite-src 127.0.0.1;
#   - an allowed run prints its answer (an echo reply read as nobody), and
#     while it listens it is nobody with every capability set empty.
# (Out-of-range values and oversize options are cli_craft_options' business.)
#
#   craft_spoof.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=crspf
. "$(dirname "$0")/../netns/lib.sh"
rp_need ip setcap setpriv
rp_need_rawprobe "craft is rawprobe's own"
. "$(dirname "$0")/../netns/craft_cap.sh"
"$bin" craft --help >/dev/null 2>&1 || fail "rawprobe craft --help: exit $?: no craft command in this build"

rp_ns_into n n
rp_copy_binary copy cap_net_raw+p
run=(ip netns exec "$n" "${rp_nobody[@]}" "$copy" craft)
# The replay fixture where nobody can read it (the refusals must be about the source).
fixture=$rp_work/replay.pcap
cp "$(dirname "$0")/../../pcaps/craft_replay.pcap" "$fixture" || fail "the fixture pcaps/craft_replay.pcap is missing"
chmod 644 "$fixture"

cap=$rp_work/lo.pcap
rp_cap_start "$n" lo "$cap" ip

failures=0
# refused NAME ARGS...: as nobody, exit 2, one line on stderr, nothing on stdout.
refused() {
	local name=$1 rc
	shift
	timeout 10 "${run[@]}" "$@" >"$rp_work/$name.out" 2>"$rp_work/$name.err"
	rc=$?
	if [ "$rc" -ne 2 ] || [ "$(wc -l <"$rp_work/$name.err")" -ne 1 ] || [ -s "$rp_work/$name.out" ] ||
		! grep -q '^rawprobe: craft: ' "$rp_work/$name.err"; then
		echo "FAIL: $name: \`craft $*\` as nobody with cap_net_raw+p: exit $rc, stderr $(wc -l <"$rp_work/$name.err") lines," \
			"stdout $(wc -c <"$rp_work/$name.out") bytes; expected exit 2, one 'rawprobe: craft: ' line, no output"
		cat "$rp_work/$name.err" "$rp_work/$name.out" | head -n 5
		failures=$((failures + 1))
	else
		note "$name refused: $(cat "$rp_work/$name.err")"
	fi
}
# allowed NAME ARGS...: as nobody, exit 0.
allowed() {
	local name=$1 rc
	shift
	timeout 10 "${run[@]}" "$@" >"$rp_work/$name.out" 2>"$rp_work/$name.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $name: \`craft $*\` as nobody with cap_net_raw+p: exit $rc, expected 0: $(head -n 3 "$rp_work/$name.err")"
		failures=$((failures + 1))
	fi
}

refused spoof --dst 127.0.0.1 --src 10.202.9.9 --icmp-id 5001 -W 0
refused spoof-link --dst 127.0.0.1 --src 10.202.9.9 --link --icmp-id 5002 -W 0
refused replay-foreign-src --from-pcap "$fixture" --rewrite-dst 127.0.0.1 -W 0
refused replay-spoofed-src --from-pcap "$fixture" --rewrite-dst 127.0.0.1 --rewrite-src 10.202.9.9 -W 0
refused rate --dst 127.0.0.1 --rate 1000 -c 3 --icmp-id 5003 -W 0
refused interval --dst 127.0.0.1 -i 0.001 -c 3 --icmp-id 5004 -W 0
refused replay-rate --from-pcap "$fixture" --rewrite-dst 127.0.0.1 --rewrite-src 127.0.0.1 --rate 1000 -W 0

allowed plain --dst 127.0.0.1 --icmp-id 5101 -W 1
grep -q "ICMP echo reply, id 5101, seq 1, .*  probe=1 " "$rp_work/plain.out" ||
	{ echo "FAIL: craft as nobody printed no echo reply from 127.0.0.1: $(cat "$rp_work/plain.out")"; failures=$((failures + 1)); }
allowed local-src --dst 127.0.0.1 --src 127.0.0.1 --icmp-id 5102 -W 0
allowed replay-local-src --from-pcap "$fixture" --rewrite-dst 127.0.0.1 --rewrite-src 127.0.0.1 -c 2 -W 0

# While it listens for answers (3 s: Linux does not answer an information
# request) it must hold nothing: the capability is raised only to open its
# socket, and every set is cleared before it reads.
rp_bg pid "${run[@]}" --dst 127.0.0.1 --icmp-type info-request --icmp-id 5103 -W 3 \
	>"$rp_work/listen.out" 2>"$rp_work/listen.err"
caps_gone() {
	grep -Eq '^CapEff:[[:space:]]*0+$' "/proc/$pid/status" 2>/dev/null &&
		grep -Eq '^CapPrm:[[:space:]]*0+$' "/proc/$pid/status" 2>/dev/null && rp_has_socket "$pid"
}
rp_wait_until 2 caps_gone
status=$(grep -E '^(Uid|CapInh|CapPrm|CapEff|CapAmb):' "/proc/$pid/status" 2>/dev/null)
rp_has_socket "$pid" || fail "the listening craft run holds no socket, or ended early: $(cat "$rp_work/listen.err")"
rp_reap "$pid" || { echo "FAIL: craft -W 3 as nobody: exit $?: $(cat "$rp_work/listen.err")"; failures=$((failures + 1)); }
echo "$status"
echo "$status" | grep -q "^Uid:[[:space:]]*65534[[:space:]]" || fail "the listening craft run is not nobody"
for set in CapInh CapPrm CapEff CapAmb; do
	echo "$status" | grep -q "^$set:[[:space:]]*0000000000000000$" ||
		{ echo "FAIL: $set is not empty while craft listens"; failures=$((failures + 1)); }
done

# The capture: what the allowed runs sent is there, nothing of the refused ones.
rp_sentinel "$n" 127.0.0.1 || fail "the marker ping to 127.0.0.1 in the namespace was not answered"
rp_cap_stop "$cap"
rp_cap_decode "$cap"
cat >"$rp_work/cases.jsonl" <<'JSON'
{"name": "nothing from the spoofed source 10.202.9.9", "match": {"ip.src": "10.202.9.9"}, "expect": {"@count": 0}}
{"name": "nothing from the replay's own source 10.202.99.1", "match": {"ip.src": "10.202.99.1"}, "expect": {"@count": 0}}
{"name": "no probe of the refused --rate, -i runs", "match": {"icmp.type": 8, "icmp.id": {"one_of": [5001, 5002, 5003, 5004]}}, "expect": {"@count": 0}}
{"name": "the plain probe", "match": {"icmp.type": 8, "icmp.id": 5101}, "expect": {"ip.src": "127.0.0.1", "ip.checksum_ok": true, "l4.checksum_ok": true}}
{"name": "the probe with --src 127.0.0.1", "match": {"icmp.type": 8, "icmp.id": 5102}, "expect": {"ip.src": "127.0.0.1"}}
{"name": "the listening run's probe", "match": {"icmp.type": 15, "icmp.id": 5103}, "expect": {"ip.src": "127.0.0.1"}}
{"name": "the replay's 2 datagrams, rewritten", "match": {"ip.id": {"one_of": [28673, 28674]}, "ip.src": "127.0.0.1", "ip.dst": "127.0.0.1"}, "expect": {"@count": 2, "ip.checksum_ok": true, "l4.checksum_ok": true}}
JSON
rp_wire "$cap" "$rp_work/cases.jsonl" || failures=$((failures + 1))
[ "$failures" -eq 0 ] || fail "$failures privilege checks failed (above)"
echo "ok: as nobody with cap_net_raw+p, craft refuses spoofed sources and flooding, sends the rest, holds no capability while listening"
