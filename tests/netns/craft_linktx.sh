#!/usr/bin/env bash
# The packet-socket path (src/net/linktx.c) on the wire. Datagrams an
# IP_HDRINCL socket would rewrite (wrong header checksum, a total length
# other than the real one, id 0, source 0.0.0.0, ihl 4) must leave exactly
# as built: each is captured (tcpdump) where it arrives and compared byte for
# byte with what was sent, and its Ethernet destination must be the next
# hop's address. Also: a next hop with no neighbour entry is resolved (with
# NTF_USE when CAP_NET_ADMIN is there, else with the UDP datagram that makes
# the kernel send ARP), a gateway's address is used for a routed
# destination, a silent next hop gives one error line within the timeout,
# loopback works, blackhole/unreachable/prohibit routes are refused. Then
# `rawprobe craft` sends the same malformed fields and the wire shows them.
#
#   A 10.203.0.1 ---- B 10.203.0.2               (10.203.0.77: nobody)
#   A 10.203.1.1 ---- R 10.203.1.254 / 10.203.2.254 ---- C 10.203.2.2
#
#   craft_linktx.sh RAWPROBE LINKTX_SEND     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 send=${2:-} test=linktx
. "$(dirname "$0")/lib.sh"
rp_need tcpdump
[ -x "$send" ] || skip "the test driver linktx_send was not given"

rp_ns_into a a
rp_ns_into b b
rp_ns_into r r
rp_ns_into c c
rp_veth "$a" 10.203.0.1/24 "$b" 10.203.0.2/24 1
if_ab=$rp_veth_a if_b=$rp_veth_b
rp_veth "$a" 10.203.1.1/24 "$r" 10.203.1.254/24 2
if_ar=$rp_veth_a if_r=$rp_veth_b
rp_veth "$r" 10.203.2.254/24 "$c" 10.203.2.2/24 3
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 || fail "cannot make $r a router"
ip -n "$a" route add 10.203.2.0/24 via 10.203.1.254 || fail "route to C in $a"
ip -n "$c" route add default via 10.203.2.254 || fail "default route in $c"
ip -n "$a" route add 10.203.3.0/24 via 10.203.1.77 || fail "route through a silent gateway"
ip -n "$a" route add blackhole 10.203.50.0/24 || fail "blackhole route"
ip -n "$a" route add unreachable 10.203.51.0/24 || fail "unreachable route"
ip -n "$a" route add prohibit 10.203.52.0/24 || fail "prohibit route"
rp_wait_reachable "$a" 10.203.2.2
mac_b=$(ip netns exec "$b" cat "/sys/class/net/$if_b/address")
mac_r=$(ip netns exec "$r" cat "/sys/class/net/$if_r/address")

# The judge: builds datagrams and reads captures, with the standard library only.
cat >"$rp_work/judge.py" <<'PY'
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(a):
    return bytes(int(x) for x in a.split("."))

def build(args):
    """ICMP echo request, 8 data bytes; KEY=VALUE overrides: src dst id ihl len csum seq."""
    o = dict(a.split("=", 1) for a in args)
    seq = int(o.get("seq", "1"))
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, 0x4c54, seq) + b"linktx!!")
    struct.pack_into("!H", icmp, 2, csum(bytes(icmp)))
    ihl = int(o.get("ihl", "5"))
    total = int(o.get("len", str(20 + len(icmp))))
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, int(o.get("id", "0x4c54"), 0),
                              0, 64, 1, 0, ip4(o["src"]), ip4(o["dst"])))
    c = int(o["csum"], 0) if "csum" in o else csum(bytes(h))
    struct.pack_into("!H", h, 10, c)
    return (bytes(h) + bytes(icmp)).hex()

def frames(path):
    """(link type, destination MAC or None, IPv4 bytes) of every frame."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = data[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    out, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        f = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(f) < incl:
            break
        if linktype == 1:
            if len(f) >= 14 and f[12:14] == b"\x08\x00":
                out.append((1, f[:6].hex(":"), f[14:]))
        elif linktype in (12, 101, 228):
            out.append((linktype, None, f))
    return out

cmd = sys.argv[1]
if cmd == "build":
    print(build(sys.argv[2:]))
elif cmd == "count":       # count PCAP HEX [MAC]: frames carrying exactly HEX (to MAC)
    want = bytes.fromhex(sys.argv[3])
    mac = sys.argv[4] if len(sys.argv) > 4 else None
    print(sum(1 for _, m, ip in frames(sys.argv[2]) if ip == want and (mac is None or m == mac)))
elif cmd == "udp9":        # udp9 PCAP: UDP datagrams to port 9 (the ARP trigger)
    print(sum(1 for _, _, ip in frames(sys.argv[2])
              if len(ip) >= 24 and ip[9] == 17 and ip[(ip[0] & 15) * 4 + 2:(ip[0] & 15) * 4 + 4] == b"\0\x09"))
elif cmd == "first":       # first PCAP: the hex of the first IPv4 datagram
    f = frames(sys.argv[2])
    print(f[0][2].hex() if f else "")
elif cmd == "field":       # field HEX NAME: one IPv4 header field of a datagram
    ip = bytes.fromhex(sys.argv[2])
    print({"ihl": ip[0] & 15, "len": struct.unpack("!H", ip[2:4])[0], "id": struct.unpack("!H", ip[4:6])[0],
           "csum": struct.unpack("!H", ip[10:12])[0], "src": ".".join(map(str, ip[12:16]))}[sys.argv[3]])
PY
judge() { "$rp_py" "$rp_work/judge.py" "$@"; }
dgram() { judge build "$@"; }

# capture_start VAR NS IF NAME: tcpdump of IPv4 frames on IF in NS to $rp_work/NAME.pcap,
# returning once it listens; its PID goes to VAR.
capture_start() {
	local var=$1 ns=$2 ifc=$3 name=$4
	rp_bg "$var" ip netns exec "$ns" tcpdump -n -U --immediate-mode -i "$ifc" -w "$rp_work/$name.pcap" ip \
		2>"$rp_work/$name.err"
	rp_wait_until 5 grep -q 'listening on' "$rp_work/$name.err" ||
		fail "tcpdump on $ifc did not start: $(cat "$rp_work/$name.err")"
}

captured_once() { [ "$(judge count "$@")" = 1 ]; }

# expect_wire NAME PCAP HEX MAC: exactly one frame to MAC carries HEX, byte for byte
# (polled: tcpdump writes what it has read, a moment after it arrived).
expect_wire() {
	local name=$1 pcap=$2 hex=$3 mac=$4
	rp_wait_until 5 captured_once "$pcap" "$hex" "$mac" ||
		fail "$name: $(judge count "$pcap" "$hex" "$mac") frames to $mac carry $hex exactly (expected 1)"
}

# send_ok NAME EXPECTED_RESOLUTION ARGS...: the driver resolves as expected and sends.
send_ok() {
	local name=$1 want=$2 out=$rp_work/$1.out
	shift 2
	ip netns exec "$a" "$send" "$@" >"$out" 2>"$out.err" || fail "$name: linktx_send: $(cat "$out.err")"
	[ "$(cat "$out")" = "$want" ] || fail "$name: resolved '$(cat "$out")', expected '$want'"
}

capture_start cap_b "$b" "$if_b" b

# 1. A fresh next hop: no neighbour entry; with CAP_NET_ADMIN the kernel is asked with NTF_USE
#    (nothing but ARP is sent), without it (as rawprobe runs) with a UDP datagram to port 9.
ip -n "$a" neigh flush dev "$if_ab"
[ -z "$(ip -n "$a" neigh show 10.203.0.2 dev "$if_ab")" ] || fail "the neighbour entry survived the flush"
hex=$(dgram src=10.203.0.1 dst=10.203.0.2 seq=1)
send_ok fresh-admin "$if_ab 10.203.0.2 $mac_b" --admin 10.203.0.2 "$hex"
expect_wire fresh-admin "$rp_work/b.pcap" "$hex" "$mac_b"
[ "$(judge udp9 "$rp_work/b.pcap")" = 0 ] || fail "fresh-admin: a UDP datagram to port 9 where NTF_USE needs none"
note "fresh next hop resolved with NTF_USE: ok"
ip -n "$a" neigh flush dev "$if_ab"
hex=$(dgram src=10.203.0.1 dst=10.203.0.2 seq=2)
send_ok fresh "$if_ab 10.203.0.2 $mac_b" 10.203.0.2 "$hex"
expect_wire fresh "$rp_work/b.pcap" "$hex" "$mac_b"
[ "$(judge udp9 "$rp_work/b.pcap")" = 1 ] || fail "fresh: not the one UDP datagram to port 9 that starts ARP"
note "fresh next hop resolved without CAP_NET_ADMIN: ok"

# 2. Fields an IP_HDRINCL socket would rewrite, each on the wire as built.
seq=10
for spec in "csum=0x1234" "len=9999" "id=0" "src=0.0.0.0" "ihl=4"; do
	seq=$((seq + 1))
	hex=$(dgram src=10.203.0.1 dst=10.203.0.2 seq=$seq "$spec")
	send_ok "$spec" "$if_ab 10.203.0.2 $mac_b" 10.203.0.2 "$hex"
	expect_wire "$spec" "$rp_work/b.pcap" "$hex" "$mac_b"
	note "$spec: on the wire byte for byte"
done
send_ok device "$if_ab 10.203.0.2 $mac_b" -I "$if_ab" 10.203.0.2 "$(dgram src=10.203.0.1 dst=10.203.0.2 seq=30)"
expect_wire device "$rp_work/b.pcap" "$(dgram src=10.203.0.1 dst=10.203.0.2 seq=30)" "$mac_b"

# 3. A routed destination goes to the gateway's link address, and the router forwards it.
capture_start cap_r "$r" "$if_r" r
ip -n "$a" neigh flush dev "$if_ar"
echos=$(rp_echo_requests_in "$c")
hex=$(dgram src=10.203.1.1 dst=10.203.2.2 seq=40)
send_ok gateway "$if_ar 10.203.1.254 $mac_r" 10.203.2.2 "$hex"
expect_wire gateway "$rp_work/r.pcap" "$hex" "$mac_r"
rp_wait_until 5 eval '[ "$(rp_echo_requests_in "$c")" -gt "$echos" ]' ||
	fail "gateway: the echo request never reached C through the router"
note "gateway's link address, forwarded to C: ok"

# 4. Loopback: 127.0.0.1 and our own address go out lo, no link address, no ARP.
capture_start cap_lo "$a" lo lo
for dst in 127.0.0.1 10.203.0.1; do
	src=$dst
	hex=$(dgram src=$src dst=$dst seq=50 csum=0x1234)
	send_ok "lo-$dst" "lo $dst -" "$dst" "$hex"
	rp_wait_until 5 eval '[ "$(judge count "$rp_work/lo.pcap" "$hex")" -ge 1 ]' ||
		fail "lo-$dst: the datagram is not on lo byte for byte"
done
# Injected on lo, a datagram comes in through the input path, where a loopback destination
# and a local source are martians (dropped silently) unless these two allow them.
ip netns exec "$a" sysctl -qw net.ipv4.conf.lo.route_localnet=1 net.ipv4.conf.lo.accept_local=1 ||
	fail "cannot set route_localnet and accept_local on lo"
echos=$(rp_echo_requests_in "$a")
send_ok lo-echo "lo 127.0.0.1 -" 127.0.0.1 "$(dgram src=127.0.0.1 dst=127.0.0.1 seq=51)"
rp_wait_until 5 eval '[ "$(rp_echo_requests_in "$a")" -gt "$echos" ]' || fail "lo-echo: the kernel never got it"
note "loopback: ok"

# 5. Refusals: one line each, exit 2, at once or within the timeout.
# expect_refusal NAME TEXT MAX_MS ARGS...
expect_refusal() {
	local name=$1 text=$2 max_ms=$3 out=$rp_work/$1.out t0 ms rc
	shift 3
	t0=$(date +%s%N)
	ip netns exec "$a" "$send" "$@" >"$out" 2>"$out.err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2 ($(cat "$out.err"))"
	[ "$(wc -l <"$out.err")" -eq 1 ] || fail "$name: not one line: $(cat "$out.err")"
	grep -qxF "linktx_send: $text" "$out.err" || fail "$name: '$(cat "$out.err")', expected '$text'"
	[ "$ms" -le "$max_ms" ] || fail "$name: took $ms ms (at most $max_ms)"
	[ -s "$out" ] && fail "$name: resolved ($(cat "$out")) where it must not"
	echo "$name: $(cat "$out.err") (${ms} ms)"
}
any=$(dgram src=10.203.0.1 dst=10.203.0.77 seq=60)
expect_refusal silent "10.203.0.77: no ARP answer on $if_ab within 1 s; is the next hop up?" 1800 \
	-t 1000 10.203.0.77 "$any"
[ "$(judge count "$rp_work/b.pcap" "$any")" = 0 ] || fail "silent: the datagram went out anyway"
# With time to spare the kernel's own ARP retries end first (NUD_FAILED): the wait ends then.
t0=$(date +%s%N)
ip netns exec "$a" "$send" -t 20000 10.203.0.78 "$any" >/dev/null 2>"$rp_work/gaveup.err"
rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 2 ] || fail "silent-long: exit $rc, expected 2"
grep -qx "linktx_send: 10.203.0.78: no ARP answer on $if_ab within [0-9.]* s (the kernel stopped asking); is the next hop up?" \
	"$rp_work/gaveup.err" || fail "silent-long: $(cat "$rp_work/gaveup.err")"
[ "$ms" -lt 10000 ] || fail "silent-long: took $ms ms, the kernel's ARP retries end in a few seconds"
echo "silent-long: $(cat "$rp_work/gaveup.err") (${ms} ms)"
expect_refusal silent-gateway \
	"10.203.1.77 (the gateway to 10.203.3.2): no ARP answer on $if_ar within 0.5 s; is the next hop up?" 1300 \
	-t 500 10.203.3.2 "$any"
expect_refusal blackhole \
	"the route to 10.203.50.1 is a blackhole: the kernel discards what is sent there; check \`ip route get 10.203.50.1\`" \
	500 10.203.50.1 "$any"
expect_refusal unreachable \
	"the route to 10.203.51.1 is an unreachable route; check \`ip route get 10.203.51.1\`" 500 10.203.51.1 "$any"
expect_refusal prohibit \
	"the route to 10.203.52.1 is a prohibit route; check \`ip route get 10.203.52.1\`" 500 10.203.52.1 "$any"
expect_refusal noroute "no route to 10.203.99.1; add one or choose the interface with -I" 500 10.203.99.1 "$any"
expect_refusal nodevice "no interface named rpnosuch$$ (see ip link)" 500 -I "rpnosuch$$" 10.203.0.2 "$any"
note "refusals: ok"

# 6. `rawprobe craft` with the same fields: it must choose the packet socket, and what it
#    recorded as sent (--pcap) must be on the wire byte for byte, with the field as asked.
rp_need_rawprobe "craft"
"$bin" craft --help >/dev/null 2>&1 || fail "rawprobe craft --help fails: no craft command"
# craft_case NAME FIELD VALUE OPTIONS...
craft_case() {
	local name=$1 field=$2 value=$3 out=$rp_work/craft-$1 sent
	shift 3
	ip netns exec "$a" "$bin" craft --dst 10.203.0.2 -W 0 --pcap "$out.pcap" "$@" >"$out" 2>"$out.err" ||
		fail "craft $name: exit $? ($(cat "$out.err"))"
	head -n 1 "$out" | grep -q ', packet socket$' || fail "craft $name: not sent by packet socket: $(head -n 1 "$out")"
	sent=$(judge first "$out.pcap")
	[ -n "$sent" ] || fail "craft $name: its --pcap holds no datagram"
	[ "$(judge field "$sent" "$field")" = "$value" ] ||
		fail "craft $name: $field is $(judge field "$sent" "$field") in what it sent, expected $value"
	expect_wire "craft $name" "$rp_work/b.pcap" "$sent" "$mac_b"
	note "craft $*: $field $value on the wire byte for byte"
}
# The first one from a fresh neighbour table: craft resolves without CAP_NET_ADMIN.
ip -n "$a" neigh flush dev "$if_ab"
craft_case checksum csum 4660 --ip-checksum 0x1234 --icmp-seq 101
craft_case id id 0 --id 0 --icmp-seq 102
craft_case length len 9999 --ip-len 9999 --icmp-seq 103
craft_case source src 0.0.0.0 --src 0.0.0.0 --icmp-seq 104
craft_case ihl ihl 4 --ihl 4 --icmp-seq 105
echo "ok: packet-socket path byte for byte (driver and craft), fresh and gateway next hops, loopback, refusals"
