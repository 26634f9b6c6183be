#!/usr/bin/env bash
# Live traffic through `rawprobe read -`: two namespaces over veth, a real
# ping between them, nftables duplicating every echo reply, captured with
# `tcpdump -w -` and piped into rawprobe. Checks that the kernel's own
# packets decode with good checksums, that every reply pairs with its
# request, and that the duplicates are marked.
#
#   read_live.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip (not root, or a tool is missing)
set -u

bin=$1
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for tool in ip nft tcpdump ping python3; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

# Names of our own, removed by exact name on every exit.
a=rp-read-a-$$ b=rp-read-b-$$ va=rpra$$ vb=rprb$$
work=$(mktemp -d)
tcpdump_pid=
reader_pid=
cleanup() {
	[ -z "$tcpdump_pid" ] || kill "$tcpdump_pid" 2>/dev/null
	[ -z "$reader_pid" ] || kill "$reader_pid" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$a" || skip "cannot create a network namespace here"
ip netns add "$b"
ip link add "$va" netns "$a" type veth peer name "$vb" netns "$b"
ip -n "$a" addr add 10.200.1.1/24 dev "$va"
ip -n "$b" addr add 10.200.1.2/24 dev "$vb"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set "$va" up
ip -n "$b" link set "$vb" up

# B sends every echo reply twice: the second one is a duplicate for A.
ip netns exec "$b" nft -f - <<NFT || skip "nftables dup is not available"
table ip rp_read_live {
	chain out {
		type filter hook output priority 0;
		icmp type echo-reply dup to 10.200.1.1 device "$vb"
	}
}
NFT

# The capture runs through a fifo into `rawprobe read -` (standard input), as
# `tcpdump -w - | rawprobe read -` would; `ip netns exec` execs, so $! is tcpdump.
mkfifo "$work/capture" "$work/tcpdump.err"
"$bin" read --json - <"$work/capture" >"$work/out.json" 2>"$work/read.err" &
reader_pid=$!
# It stops by itself after the 15 packets expected (5 requests, 5 replies, 5 duplicates);
# the timeout only bounds a failure.
timeout 20 ip netns exec "$a" tcpdump -n -U --immediate-mode -c 15 -i "$va" -w "$work/capture" \
	icmp 2>"$work/tcpdump.err" &
tcpdump_pid=$!
# tcpdump says "listening on" once it captures: wait for that line, not for a time.
# fd 3 stays open to the end, so tcpdump's closing statistics always have a reader.
exec 3<"$work/tcpdump.err"
read -r -t 10 ready <&3 || fail "tcpdump did not start"
case $ready in *"listening on"*) ;; *) fail "tcpdump: $ready" ;; esac

ip netns exec "$a" ping -c 5 -i 0.05 -W 1 -q 10.200.1.2 >/dev/null
wait "$tcpdump_pid" || fail "tcpdump did not see the 15 packets in 20 s"
tcpdump_pid=
wait "$reader_pid" || fail "rawprobe read exited $? ($(cat "$work/read.err"))"

python3 - "$work/out.json" <<'PY' || exit 1
import json, sys
pkts = [json.loads(line) for line in open(sys.argv[1])]
req = [p for p in pkts if p.get("icmp", {}).get("type") == 8]
rep = [p for p in pkts if p.get("icmp", {}).get("type") == 0]
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
if len(req) != 5:
    fail(f"{len(req)} echo requests captured, expected 5")
if len(rep) != 10:
    fail(f"{len(rep)} echo replies captured, expected 10 (5 and their duplicates)")
for p in pkts:
    if "malformed" in p:
        fail(f"frame {p['frame']} malformed: {p['malformed']}")
    if p["ip"]["checksum_ok"] is not True or p["icmp"]["checksum_ok"] is not True:
        fail(f"frame {p['frame']}: a kernel-made checksum judged wrong")
    if p["link"] != "EN10MB":
        fail(f"frame {p['frame']}: link {p['link']}")
for p in rep:
    if p["ip"]["src"] != "10.200.1.2" or p["ip"]["dst"] != "10.200.1.1":
        fail(f"frame {p['frame']}: reply from {p['ip']['src']} to {p['ip']['dst']}")
    if not p["icmp"].get("resptime_ms", -1) > 0:
        fail(f"frame {p['frame']}: reply not paired with its request")
dups = [p for p in rep if p["icmp"].get("dup")]
if len(dups) != 5:
    fail(f"{len(dups)} replies marked dup, expected 5")
if sorted(p["icmp"]["seq"] for p in dups) != sorted(p["icmp"]["seq"] for p in req):
    fail("the duplicates are not one per request")
print(f"ok: 5 requests, 10 replies, 5 duplicates, rtt {min(p['icmp']['resptime_ms'] for p in rep)}..{max(p['icmp']['resptime_ms'] for p in rep)} ms")
PY
