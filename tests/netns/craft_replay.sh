#!/usr/bin/env bash
# `rawprobe craft --from-pcap` replays pcaps/craft_replay.pcap (written by
# pcaps/gen_craft_replay.py: ICMP echo, UDP, TCP, a UDP fragment pair, a UDP
# datagram without checksum, an ARP and an IPv6 frame) from namespace A to B;
# tcpdump on B's end captures what arrives, and craft_wire.py --replay compares
# it with the fixture: the same IPv4 packets in the same order (ARP and IPv6
# skipped), every byte the same but the rewritten addresses and the
# checksums, which rawprobe read, tshark (when installed) and the bytes all
# judge right (the fragments reassembled for the UDP checksum). Runs:
#   - the whole file, --rewrite-dst B --rewrite-src A --rate 1000;
#   - with the BPF filter `udp`: only what `tcpdump -r FIXTURE udp` selects;
#   - with -c 3: the first 3 IPv4 packets;
#   - with the filter `icmp` and only --rewrite-dst, original timing: the
#     source stays the fixture's (a spoofed source, allowed to root).
# Timing is not asserted (order is).
#
#   craft_replay.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=crrep
. "$(dirname "$0")/lib.sh"
rp_need_rawprobe "craft is rawprobe's own"
. "$(dirname "$0")/craft_cap.sh"
"$bin" craft --help >/dev/null 2>&1 || fail "rawprobe craft --help: exit $?: no craft command in this build"
fixture=$(realpath "$(dirname "$0")/../../pcaps/craft_replay.pcap")
[ -r "$fixture" ] || fail "the fixture $fixture is missing (pcaps/gen_craft_replay.py writes it)"

A=10.202.20.1 B=10.202.20.2 orig_src=10.202.99.1
rp_ns_into a a
rp_ns_into b b
rp_veth "$a" $A/24 "$b" $B/24 cr
rp_wait_reachable "$a" $B

# The fixture is what this test was written for: 12 frames, 10 of them IPv4.
n_ip=$(tcpdump -n -r "$fixture" ip 2>/dev/null | wc -l)
n_all=$(tcpdump -n -r "$fixture" 2>/dev/null | wc -l)
[ "$n_ip" -eq 10 ] && [ "$n_all" -eq 12 ] || fail "$fixture: $n_all frames, $n_ip IPv4: expected 12 and 10"

failures=0
# replay NAME EXPECTED_PCAP SRC CRAFT_ARGS...: one replay into a fresh capture in B,
# judged against EXPECTED_PCAP (its IPv4 packets, addresses SRC > B).
replay() {
	local name=$1 expected=$2 src=$3 cap=$rp_work/$1.pcap rc
	shift 3
	rp_cap_start "$b" "$rp_veth_b" "$cap" ip
	timeout 20 ip netns exec "$a" "$bin" craft "$@" >"$rp_work/$name.out" 2>"$rp_work/$name.err"
	rc=$?
	rp_sentinel "$a" "$B" || fail "the marker ping from A to B was not answered"
	rp_cap_stop "$cap"
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $name: \`rawprobe craft $*\`: exit $rc, expected 0: $(head -n 3 "$rp_work/$name.err")"
		failures=$((failures + 1))
		return
	fi
	rp_cap_decode "$cap"
	local ts=()
	[ "$rp_tshark" -eq 0 ] || ts=(--tshark "$cap.tshark.json")
	echo "--- $name: rawprobe craft $*"
	if ! "$rp_py" "$rp_wire_py" --pcap "$cap" --read "$cap.read.json" "${ts[@]}" \
		--replay "$expected" --rewrite "$src,$B" --ignore "$rp_sentinel_text"; then
		failures=$((failures + 1))
		"$bin" read -n "$cap" | head -n 20
	fi
}

[ "$rp_tshark" -eq 1 ] || note "tshark is not installed: the tshark cross-check is skipped"

replay all "$fixture" "$A" --from-pcap "$fixture" --rewrite-dst "$B" --rewrite-src "$A" --rate 1000

# What the filter selects, by tcpdump's reading of it (fragments included: BPF `udp` is the protocol field).
tcpdump -n -r "$fixture" -w "$rp_work/udp.expected.pcap" udp 2>/dev/null || fail "tcpdump -r $fixture udp"
replay udp "$rp_work/udp.expected.pcap" "$A" --from-pcap "$fixture" udp --rewrite-dst "$B" --rewrite-src "$A" --rate 1000

tcpdump -n -r "$fixture" -c 3 -w "$rp_work/first3.expected.pcap" ip 2>/dev/null || fail "tcpdump -r $fixture -c 3 ip"
replay count "$rp_work/first3.expected.pcap" "$A" --from-pcap "$fixture" -c 3 --rewrite-dst "$B" --rewrite-src "$A" --rate 1000

tcpdump -n -r "$fixture" -w "$rp_work/icmp.expected.pcap" icmp 2>/dev/null || fail "tcpdump -r $fixture icmp"
replay icmp-dst-only "$rp_work/icmp.expected.pcap" "$orig_src" --from-pcap "$fixture" icmp --rewrite-dst "$B"

[ "$failures" -eq 0 ] || fail "$failures of 4 replays did not put the fixture on the wire as it should (above)"
echo "ok: --from-pcap replays the fixture's IPv4 packets in order, rewritten, checksums right; filter and -c obeyed"
