# Shared helpers for the namespace and privilege tests of `rawprobe ping`.
# Source it after setting `bin` (the rawprobe binary) and `test` (a short name,
# used in the names of everything the test creates):
#
#   bin=$1 test=basic
#   . "$(dirname "$0")/lib.sh"          (tests/privs: "$(dirname "$0")/../netns/lib.sh")
#
# Everything made through these helpers is removed by its exact name on exit:
# namespaces (their veths go with them), processes by PID, the work directory.
# Safety: addresses used are inside 10.200.0.0/13, only in namespaces made here.
#
# Stand-in mode: if "$bin --version" does not say rawprobe, the binary is taken
# for a wrapper around iputils ping (used to develop these tests before
# `rawprobe ping` existed); rp_standin is then 1, the ping command is
# /usr/bin/ping without the subcommand word, and rawprobe-only checks skip.

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "--- $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"

# iputils ping checks every setup (rp_reachable) and is the peer in the concurrency test.
[ -x /usr/bin/ping ] || skip "iputils ping (/usr/bin/ping) is not installed"
command -v ip >/dev/null 2>&1 || skip "ip (iproute2) is not installed"

# In a sanitizer build a finding must not pass for the exit 1 some tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"

rp_py=/usr/bin/python3
[ -x "$rp_py" ] || rp_py=$(command -v python3) || skip "python3 is not installed"

if "$bin" --version 2>/dev/null | grep -q '^rawprobe'; then
	rp_standin=0
	rp_ping_file=$bin
	rp_ping_sub=(ping)
else
	rp_standin=1
	rp_ping_file=/usr/bin/ping
	rp_ping_sub=()
	note "stand-in mode: testing iputils ping, rawprobe-only checks are skipped"
fi
rp_ping=("$rp_ping_file" "${rp_ping_sub[@]}")

rp_namespaces=()
rp_pids=()
rp_work=$(mktemp -d) || skip "mktemp -d failed"

rp_cleanup() {
	local pid ns
	for pid in "${rp_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${rp_pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${rp_namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$rp_work"
}
trap rp_cleanup EXIT

rp_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
	done
}

rp_need_rawprobe() {
	[ "$rp_standin" -eq 0 ] || skip "$* (needs rawprobe itself, not the iputils stand-in)"
}

# rp_ns_into VAR SUFFIX: make namespace rp-p-<test>-<pid>-SUFFIX with lo up,
# registered for cleanup; its name goes to VAR (not printed: `a=$(...)` would
# register it in a subshell and lose it).
rp_ns_into() {
	local var=$1 name="rp-p-$test-$$-$2"
	ip netns add "$name" || skip "cannot create a network namespace here"
	rp_namespaces+=("$name")
	ip -n "$name" link set lo up || fail "lo up in $name"
	printf -v "$var" '%s' "$name"
}

# rp_veth NS_A ADDR_A/LEN NS_B ADDR_B/LEN TAG: a veth pair from A to B, made
# inside the namespaces (never in the caller's), addressed and up. Interface
# names are rp<TAG>a<pid> and rp<TAG>b<pid> (at most 15 characters), left in
# rp_veth_a and rp_veth_b.
rp_veth() {
	local ns_a=$1 addr_a=$2 ns_b=$3 addr_b=$4 tag=$5
	rp_veth_a="rp${tag}a$$" rp_veth_b="rp${tag}b$$"
	[ "${#rp_veth_a}" -le 15 ] || fail "interface name $rp_veth_a too long"
	ip link add "$rp_veth_a" netns "$ns_a" type veth peer name "$rp_veth_b" netns "$ns_b" ||
		fail "cannot create veth $rp_veth_a/$rp_veth_b"
	ip -n "$ns_a" addr add "$addr_a" dev "$rp_veth_a" || fail "address $addr_a"
	ip -n "$ns_b" addr add "$addr_b" dev "$rp_veth_b" || fail "address $addr_b"
	ip -n "$ns_a" link set "$rp_veth_a" up || fail "link up $rp_veth_a"
	ip -n "$ns_b" link set "$rp_veth_b" up || fail "link up $rp_veth_b"
}

# rp_wait_until SECONDS COMMAND...: poll COMMAND every 50 ms until it succeeds;
# 1 if it never did within SECONDS. Tests poll states, never sleep for a guess.
rp_wait_until() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# rp_reachable NS ADDR: one system ping from NS answered (also primes ARP).
rp_reachable() {
	ip netns exec "$1" /usr/bin/ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1
}

# rp_wait_reachable NS ADDR: bounded wait (5 s) for the path to answer.
rp_wait_reachable() {
	rp_wait_until 5 rp_reachable "$1" "$2" || fail "$2 does not answer system ping from $1: setup broken"
}

# rp_bg VAR COMMAND...: start COMMAND in the background, register its PID for
# cleanup and store it in VAR. `ip netns exec` and setpriv exec, so the PID is
# the final program's.
rp_bg() {
	local var=$1
	shift
	"$@" &
	rp_pids+=("$!")
	printf -v "$var" '%s' "$!"
}

# rp_reap PID: wait for a process started by rp_bg, forget its PID (so cleanup
# never signals a reused one) and return its exit status.
rp_reap() {
	local pid=$1 rc i
	wait "$pid"
	rc=$?
	for i in "${!rp_pids[@]}"; do
		[ "${rp_pids[$i]}" != "$pid" ] || unset 'rp_pids[i]'
	done
	return "$rc"
}

# rp_tx_rx FILE: "transmitted received" from an iputils-style summary.
rp_tx_rx() {
	sed -n 's/^\([0-9]\+\) packets transmitted, \([0-9]\+\) received.*/\1 \2/p' "$1"
}

# rp_show FILE...: print outputs, for the log of a failing run.
rp_show() {
	local f
	for f in "$@"; do
		echo "=== $f"
		head -n 40 "$f"
	done
}

# Running as nobody with no inheritable capability (the privilege tests).
rp_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# rp_copy_binary VAR CAPS: a copy of the program under test in a directory
# nobody can reach (mktemp -d, 755), with file capabilities CAPS ("" for none);
# its real path goes to VAR. Skips when file capabilities do not work here.
rp_copy_binary() {
	local var=$1 caps=$2 dir
	dir=$(mktemp -d -p "$rp_work") || fail "mktemp"
	chmod 755 "$rp_work" "$dir"
	cp "$rp_ping_file" "$dir/rawprobe" || fail "cannot copy $rp_ping_file"
	chmod 755 "$dir/rawprobe"
	if [ -n "$caps" ]; then
		setcap "$caps" "$dir/rawprobe" || skip "file capabilities do not work on $dir"
	fi
	printf -v "$var" '%s' "$(realpath "$dir/rawprobe")"
}

# rp_socket_kinds PID: one word per socket PID holds: raw (in /proc/net/raw),
# icmp (an ICMP datagram "ping" socket, in /proc/net/icmp) or other; read in
# PID's own network namespace.
rp_socket_kinds() {
	local pid=$1 fd link inode
	for fd in /proc/"$pid"/fd/*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		case $link in socket:\[*\]) ;; *) continue ;; esac
		inode=${link#socket:[}
		inode=${inode%]}
		if awk -v i="$inode" 'NR > 1 && $10 == i { f = 1 } END { exit !f }' "/proc/$pid/net/raw" 2>/dev/null; then
			echo raw
		elif awk -v i="$inode" 'NR > 1 && $10 == i { f = 1 } END { exit !f }' "/proc/$pid/net/icmp" 2>/dev/null; then
			echo icmp
		else
			echo other
		fi
	done
}

# rp_has_socket PID: PID holds at least one socket (a state to poll for).
rp_has_socket() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		case $(readlink "$fd" 2>/dev/null) in socket:*) return 0 ;; esac
	done
	return 1
}

# rp_echo_requests_in NS: how many echo requests NS has received (Icmp InEchos).
rp_echo_requests_in() {
	ip netns exec "$1" awk '/^Icmp:/ { if (!n) { for (i = 1; i <= NF; i++) col[$i] = i; n = 1 } else print $col["InEchos"] }' /proc/net/snmp
}
