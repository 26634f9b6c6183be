# Captures for the craft tests (sourced after lib.sh): tcpdump in a namespace,
# started and known to be listening before anything is sent, stopped once the
# last packet sent is in its file; the file then decoded by `rawprobe read
# --json` and, when installed, tshark, for craft_wire.py.
#
#   rp_cap_start NS DEV FILE [FILTER...]   capture on DEV in NS into FILE
#   rp_sentinel NS DST                     send the marker (one system ping)
#   rp_cap_stop FILE                       wait for the marker in FILE, stop tcpdump
#   rp_cap_decode FILE                     FILE.read.json, FILE.tshark.json (or none)
#   rp_wire FILE CASES                     craft_wire.py over them

rp_need tcpdump
rp_wire_py="$(dirname "${BASH_SOURCE[0]}")/craft_wire.py"
# The marker is the payload pattern of one system ping: "rpsentinel".
rp_sentinel_text=rpsentinel
rp_sentinel_hex=72707365_6e74696e656c
rp_sentinel_hex=${rp_sentinel_hex//_/}
if command -v tshark >/dev/null 2>&1; then rp_tshark=1; else rp_tshark=0; fi

# tcpdump writes every packet as it comes (-U --immediate-mode); it prints
# "listening on" once its socket is bound and filtered: wait for that line.
rp_cap_start() {
	local ns=$1 dev=$2 file=$3
	shift 3
	rp_bg rp_cap_pid ip netns exec "$ns" tcpdump -n -U --immediate-mode -s 0 -i "$dev" -w "$file" "$@" \
		2>"$file.err"
	rp_wait_until 10 grep -q "listening on" "$file.err" ||
		fail "tcpdump in $ns on $dev did not start: $(cat "$file.err")"
}

rp_sentinel() {
	ip netns exec "$1" /usr/bin/ping -n -q -c 1 -W 1 -p "$rp_sentinel_hex" "$2" >/dev/null 2>&1
}

# Packets leave one veth queue in order and tcpdump writes them in order: once
# the marker is in the file, so is everything sent before it.
rp_cap_stop() {
	local file=$1
	rp_wait_until 10 grep -q -a -F "$rp_sentinel_text" "$file" ||
		fail "the marker packet never reached the capture $file: $(cat "$file.err")"
	kill -INT "$rp_cap_pid"
	rp_reap "$rp_cap_pid"
}

rp_cap_decode() {
	local file=$1
	"$bin" read --json "$file" >"$file.read.json" 2>"$file.read.err" ||
		fail "rawprobe read --json $file: exit $? ($(head -c 300 "$file.read.err"))"
	if [ "$rp_tshark" -eq 1 ]; then
		tshark -n -r "$file" -T json --no-duplicate-keys -o ip.defragment:FALSE \
			-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
			-o tcp.analyze_sequence_numbers:FALSE >"$file.tshark.json" 2>"$file.tshark.err" ||
			fail "tshark -r $file: exit $? ($(head -c 300 "$file.tshark.err"))"
	fi
}

rp_wire() {
	local file=$1 cases=$2 ts=()
	if [ "$rp_tshark" -eq 1 ]; then
		ts=(--tshark "$file.tshark.json")
	else
		note "tshark is not installed: the tshark cross-check is skipped"
	fi
	"$rp_py" "$rp_wire_py" --pcap "$file" --read "$file.read.json" "${ts[@]}" --ignore "$rp_sentinel_text" "$cases"
}
