#!/usr/bin/env bash
# A copy of rawprobe with the supported install (setcap cap_net_raw+p), run as
# nobody: `read` must hold no capability in any set before it opens its input.
# The input is a fifo, so the process waits at the open and /proc can be read
# at exactly that point.
#
#   read_drops_caps.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip (not root, or no setcap/setpriv)
set -u

bin=$1
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to set file capabilities"
for tool in setcap setpriv; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

dir=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir" # nobody must reach the copy
cp "$bin" "$dir/rawprobe"
setcap cap_net_raw+p "$dir/rawprobe" || skip "file capabilities do not work on $dir"
mkfifo -m 666 "$dir/input"

setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$dir/rawprobe" read "$dir/input" >"$dir/out" 2>"$dir/err" &
pid=$!
# The reader blocks opening the fifo; wait for that state through /proc, bounded.
for _ in $(seq 1 100); do
	grep -q 'fifo_open\|pipe_wait\|wait_for_partner' "/proc/$pid/wchan" 2>/dev/null && break
	[ -d "/proc/$pid" ] || break
	sleep 0.05 # polls a state; nothing waits on a guess of time
done
[ -d "/proc/$pid" ] || fail "rawprobe exited early: $(cat "$dir/err")"
status=$(grep -E '^(Uid|CapInh|CapPrm|CapEff|CapAmb):' "/proc/$pid/status")
cat "$(dirname "$0")/../../pcaps/echo_rtt.pcap" >"$dir/input"
wait "$pid" || fail "rawprobe read exited $?: $(cat "$dir/err")"
pid=

echo "$status"
for set in CapInh CapPrm CapEff CapAmb; do
	echo "$status" | grep -q "^$set:[[:space:]]*0000000000000000$" || fail "$set is not empty while reading"
done
echo "$status" | grep -q "^Uid:[[:space:]]*65534" || fail "not running as nobody"
[ "$(wc -l <"$dir/out")" -eq 40 ] || fail "expected 40 lines of output, got $(wc -l <"$dir/out")"
echo "ok: no capability in any set while reading; 40 packets read"
