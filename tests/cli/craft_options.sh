#!/usr/bin/env bash
# rawprobe craft's option parsing and refusals: every bad value ends in exit 2,
# nothing on stdout and one line on stderr that names the option. Most checks
# need no privilege (--dry-run sends nothing and opens no socket); the
# root-only ones run as nobody with the file capability when this runs as
# root. Nothing is ever sent: the few runs that open sockets are refused
# before their first datagram, and aim at 127.0.0.1.
#
#   craft_options.sh RAWPROBE     exit 0 pass, 1 fail
set -u

bin=$1
fails=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# refuse WORD ARGS...: exit 2, empty stdout, one stderr line containing WORD.
refuse() {
	local word=$1 rc=0
	shift
	"$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	local lines
	lines=$(wc -l <"$work/err")
	if [ "$rc" -ne 2 ] || [ -s "$work/out" ] || [ "$lines" -ne 1 ] ||
		! grep -q -F -- "$word" "$work/err" || ! grep -q '^rawprobe: craft: ' "$work/err"; then
		echo "FAIL: $* -> exit $rc, stdout $(wc -c <"$work/out") bytes, stderr: $(cat "$work/err")"
		fails=$((fails + 1))
	fi
}

# accept ARGS...: exit 0, nothing on stderr (output left in $work/out).
accept() {
	local rc=0
	"$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$work/err" ]; then
		echo "FAIL: $* -> exit $rc, stderr: $(cat "$work/err")"
		fails=$((fails + 1))
		return 1
	fi
}

c=("$bin" craft --dst 127.0.0.1 --dry-run)

# ---- usage
refuse "no destination given" "$bin" craft --ttl 3
refuse "unknown option --bogus" "${c[@]}" --bogus
refuse "unknown option -Z" "${c[@]}" -Z
refuse "needs a value" "${c[@]}" --ttl
refuse "unexpected argument 'extra'" "${c[@]}" extra

# ---- IPv4 fields out of range
refuse "--ttl value is 256: too large (255 at most)" "${c[@]}" --ttl 256
refuse "--ttl value '-1'" "${c[@]}" --ttl -1
refuse "--tos value is 256" "${c[@]}" --tos 256
refuse "--dscp value is 64" "${c[@]}" --dscp 64
refuse "--ecn value is 4" "${c[@]}" --ecn 4
refuse "--tos and --dscp both set the TOS byte" "${c[@]}" --tos 4 --dscp 1
refuse "--id value is 65536" "${c[@]}" --id 65536
refuse "--frag-off value is 7: not a multiple of 8" "${c[@]}" --frag-off 7
refuse "--frag-off value is 65536: too large (65528 at most)" "${c[@]}" --frag-off 65536
refuse "--ihl value is 16: too large (15 at most)" "${c[@]}" --ihl 16
refuse "--ip-len value is 65536" "${c[@]}" --ip-len 65536
refuse "--ip-checksum value 'good'" "${c[@]}" --ip-checksum good
refuse "--ip-checksum value is 65536" "${c[@]}" --ip-checksum 65536
refuse "--proto value is 256" "${c[@]}" --proto 256
refuse "--src value '10.0.0' is not an IPv4 address" "${c[@]}" --src 10.0.0
refuse "--ip-opt" "${c[@]}" --ip-opt bogus
refuse "--ip-opt" "${c[@]}" --ip-opt hex:abc
l9=lsrr=10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9
refuse "--ip-opt" "${c[@]}" --ip-opt "$l9" --ip-opt "$l9" --ip-opt "$l9" --ip-opt "$l9" --ip-opt "$l9"
refuse "--ip-opt" "${c[@]}" --ip-opt "$l9" --ip-opt rr

# ---- ICMP
refuse "--icmp-type" "${c[@]}" --icmp-type 256
refuse "--icmp-type" "${c[@]}" --icmp-type echo-bogus
refuse "--icmp-code" "${c[@]}" --icmp-code 999
refuse "--icmp-code" "${c[@]}" --icmp-type dest-unreach --icmp-code no-such-code
refuse "--icmp-id value is 65536" "${c[@]}" --icmp-id 65536
refuse "--icmp-seq value is 65536" "${c[@]}" --icmp-seq 65536
refuse "--icmp-otime value is 4294967296" "${c[@]}" --icmp-type timestamp --icmp-otime 4294967296
refuse "--icmp-mask value '255.255.0' is not an IPv4 address" "${c[@]}" --icmp-type mask-request --icmp-mask 255.255.0
refuse "--icmp-pointer value is 256" "${c[@]}" --icmp-type param-problem --icmp-pointer 256
refuse "--icmp-mtu applies to destination unreachable" "${c[@]}" --icmp-mtu 1400
refuse "--icmp-otime applies to timestamp messages" "${c[@]}" --icmp-otime 5
refuse "--icmp-rest value '0102' is 2 bytes; it takes exactly 4" "${c[@]}" --icmp-rest 0102
refuse "--icmp-rest value" "${c[@]}" --icmp-rest 0102030405
refuse "--icmp-checksum value is 65536" "${c[@]}" --icmp-checksum 65536

# ---- UDP and TCP
refuse "--udp value ':65536'" "${c[@]}" --udp :65536
refuse "--udp value '53'" "${c[@]}" --udp 53
refuse "--tcp value '65536:80'" "${c[@]}" --tcp 65536:80
refuse "--udp and --tcp exclude each other" "${c[@]}" --udp :53 --tcp :80
refuse "--icmp-type is for ICMP probes" "${c[@]}" --icmp-type echo-request --udp :53
refuse "--udp-len needs --udp" "${c[@]}" --udp-len 8
refuse "--tcp-win needs --tcp" "${c[@]}" --tcp-win 8
refuse "--udp-len value is 65536" "${c[@]}" --udp :53 --udp-len 65536
refuse "--udp-checksum does not apply to this probe (TCP); use --tcp-checksum" "${c[@]}" --tcp :80 --udp-checksum bad
refuse "--tcp-flags" "${c[@]}" --tcp :80 --tcp-flags Z
refuse "--tcp-opt" "${c[@]}" --tcp :80 --tcp-opt ws=15
refuse "--tcp-opt" "${c[@]}" --tcp :80 --tcp-opt mss=65536
refuse "--tcp-seq value is 4294967296" "${c[@]}" --tcp :80 --tcp-seq 4294967296
refuse "--tcp-hlen value is 16" "${c[@]}" --tcp :80 --tcp-hlen 16
refuse "--tcp-win value is 65536" "${c[@]}" --tcp :80 --tcp-win 65536

# ---- payload
refuse "--hex" "${c[@]}" --hex abc
refuse "--hex" "${c[@]}" --hex zz
refuse "--data and --hex both give the payload" "${c[@]}" --data x --hex 00
refuse "--size and --file both give the payload" "${c[@]}" --size 3 --file /etc/hostname
refuse "--size: a payload of 65508 bytes does not fit" "${c[@]}" --size 65508
refuse "--size: a payload of 65496 bytes does not fit" "${c[@]}" --tcp :80 --size 65496
refuse "--size value is 65536" "${c[@]}" --size 65536
refuse "--file: cannot open '$work/none'" "${c[@]}" --file "$work/none"
refuse "--fragment value is 67: too small (68 at least)" "${c[@]}" --fragment 67
refuse "--fragment cannot split a datagram whose --ihl" "${c[@]}" --fragment 100 --ihl 6

# ---- pace, listening, replay
refuse "-c value is 0: too small" "${c[@]}" -c 0
refuse "-i and --rate both set the pace" "${c[@]}" -i 1 --rate 5
refuse "-W value is 3601" "${c[@]}" -W 3601
refuse "--rate value is 10000001" "${c[@]}" --rate 10000001
refuse "-I value" "${c[@]}" -I this-name-is-far-too-long
refuse "--rewrite-dst applies to --from-pcap" "${c[@]}" --rewrite-dst 127.0.0.2
refuse "--ttl does not apply to --from-pcap" "$bin" craft --from-pcap "$work/none" --ttl 3
refuse "instead of --dst" "$bin" craft --from-pcap "$work/none" --dst 127.0.0.1
refuse "a filter goes with --from-pcap" "${c[@]}" icmp

# ---- what --dry-run accepts and prints
accept "${c[@]}" --size 65507 && {
	grep -q '^IP .*127.0.0.1 > 127.0.0.1: ICMP echo request' "$work/out" &&
		grep -q $'^\t0x0000:  4500 ffff' "$work/out" ||
		{ echo "FAIL: --size 65507 --dry-run printed $(head -c 300 "$work/out")"; fails=$((fails + 1)); }
}
accept "${c[@]}" --json --size 3000 --fragment 1000 -c 2 && {
	n=$(grep -c '^{"type":"packet","frame":' "$work/out")
	[ "$n" -eq 8 ] || { echo "FAIL: 2 probes in fragments of 1000 bytes gave $n objects"; fails=$((fails + 1)); }
}
accept "${c[@]}" --json --ttl 7 --tos 16 --id 4660 --df --udp 1000:53 --data hello && {
	grep -q '"ttl":7' "$work/out" && grep -q '"tos":16' "$work/out" && grep -q '"id":4660' "$work/out" &&
		grep -q '"df":true' "$work/out" && grep -q '"udp":{"sport":1000,"dport":53,"len":13' "$work/out" ||
		{ echo "FAIL: --dry-run --json fields: $(cat "$work/out")"; fails=$((fails + 1)); }
}
if ! "$bin" craft --help | grep -q '^usage: rawprobe craft'; then
	echo "FAIL: craft --help"
	fails=$((fails + 1))
fi

# pcap_of FILE DLT GAP_US HEXFRAME...: a capture of the frames, GAP_US microseconds apart.
pcap_of() {
	python3 - "$@" <<'PY'
import struct, sys
path, dlt, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, dlt))
    for i, spec in enumerate(sys.argv[4:]):
        hexpart, _, pad = spec.partition("+")
        frame = bytes.fromhex(hexpart) + bytes(int(pad or 0))
        t = 1700000000 * 1000000 + i * gap
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)))
        f.write(frame)
PY
}
# An echo request 127.0.0.1 > 127.0.0.1 (checksums right), and a header whose total length is 0.
echo_lo=4500001c0001000040017cde7f0000017f0000010800f7ff00000000
len0_lo=4500000000010000401100007f0000017f000001

# ---- root: a namespace of its own (nothing leaves it), netfilter, odd captures
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && command -v python3 >/dev/null; then
	# A frame longer than any IPv4 datagram (snaplen 262144) whose length field says 0:
	# copied no further than 65535 bytes, then skipped (no route: lo is down in a new namespace).
	pcap_of "$work/huge.pcap" 228 10000 "$len0_lo+200000"
	accept unshare -n "$bin" craft --from-pcap "$work/huge.pcap" && {
		grep -q '0 packets sent, 1 skipped' "$work/out" ||
			{ echo "FAIL: a 200020-byte frame: $(cat "$work/out")"; fails=$((fails + 1)); }
	}
	# A firewall that drops what is sent (sendmsg: EPERM): one line, no first line on stdout.
	drop='ip link set lo up && nft add table ip rpt && nft add chain ip rpt out "{ type filter hook output priority 0; }" && nft add rule ip rpt out drop && exec "$@"'
	if command -v nft >/dev/null && unshare -n sh -c "$drop" sh true 2>/dev/null; then
		pcap_of "$work/echo.pcap" 228 10000 "$echo_lo"
		refuse "a firewall rule dropped the datagram" unshare -n sh -c "$drop" sh "$bin" craft --dst 127.0.0.1 -W 0
		refuse "a firewall rule dropped the datagram" unshare -n sh -c "$drop" sh "$bin" craft --from-pcap "$work/echo.pcap"
	else
		echo "note: no nft in a new namespace: the refusals of a firewall's EPERM were not checked"
	fi
fi

# ---- root only, as in iputils: another user with the capability is still refused
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && command -v setcap >/dev/null; then
	cp "$bin" "$work/rawprobe"
	if setcap cap_net_raw+p "$work/rawprobe" 2>/dev/null; then
		nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$work/rawprobe")
		refuse "--rate 0 (as fast as possible) is for root only" "${nobody[@]}" craft --dst 127.0.0.1 --rate 0
		refuse "--rate 1000: more than 500 packets per second is for root only" "${nobody[@]}" craft --dst 127.0.0.1 --rate 1000
		refuse "intervals under 2 ms are for root only" "${nobody[@]}" craft --dst 127.0.0.1 -i 0.001
		refuse "--src 192.0.2.1 is not an address of this host" "${nobody[@]}" craft --dst 127.0.0.1 --src 192.0.2.1 -W 0
		# bind(2) takes multicast sources, and any source with ip_nonlocal_bind: not ours for all that.
		refuse "--src 224.0.0.1 is not an address of this host" "${nobody[@]}" craft --dst 127.0.0.1 --src 224.0.0.1 -W 0
		if command -v unshare >/dev/null; then
			refuse "--src 192.0.2.1 is not an address of this host" unshare -n sh -c \
				'ip link set lo up && sysctl -qw net.ipv4.ip_nonlocal_bind=1 && exec "$@"' sh \
				"${nobody[@]}" craft --dst 127.0.0.1 --src 192.0.2.1 -W 0
		fi
		# A capture's own timing is a pace too: under 2 ms apart is root's.
		if command -v python3 >/dev/null; then
			pcap_of "$work/fast.pcap" 228 1000 "$echo_lo" "$echo_lo"
			chmod 644 "$work/fast.pcap"
			refuse "frames 1 and 2 are 1.000 ms apart" "${nobody[@]}" craft --from-pcap "$work/fast.pcap"
		fi
		# --file is read after the drop: a file only root may read is refused.
		echo secret >"$work/root-only"
		chmod 600 "$work/root-only"
		refuse "--file: cannot open" "${nobody[@]}" craft --dst 127.0.0.1 --file "$work/root-only" -W 0
		# --dry-run needs no capability at all.
		cp "$bin" "$work/plain"
		accept setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$work/plain" \
			craft --dst 127.0.0.1 --dry-run --tcp :80
		refuse "needs CAP_NET_RAW" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$work/plain" craft --dst 127.0.0.1
	else
		echo "note: file capabilities do not work in $work: the root-only refusals were not checked"
	fi
else
	echo "note: not root: the root-only refusals were not checked"
fi

[ "$fails" -eq 0 ] || exit 1
echo "PASS"
