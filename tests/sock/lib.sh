# Shared by the sock_* tests: a scratch directory, servers started as child
# processes and waited for by their readiness line, cleanup of exactly what
# was started.
#   start_server LOG ARGS...   runs `rawprobe serve ARGS` in the background; sets SRV_PID, SRV_ADDR
#   stop_server                SIGTERM, waits (bounded), sets SRV_RC
set -u
RAWPROBE=$1
TORTURE=$2
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -n "${SRV_LOG:-}" ] && [ -f "$SRV_LOG" ] && sed 's/^/  server: /' "$SRV_LOG" | tail -20; exit 1; }

DIR=$(mktemp -d /tmp/rp-sock.XXXXXX)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT

# 1,000 clients and the server each need more than the usual 1024 descriptors.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge 2100 ] || skip "cannot raise the descriptor limit to 2100"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/serve.sh"

# total KEY from the server's last totals line: in_bytes out_bytes in_msgs
server_total() {
	local line
	line=$(grep 'serve: in [0-9]* bytes' "$SRV_LOG" | tail -1)
	case $1 in
	in_bytes) echo "$line" | sed 's/.*in \([0-9]*\) bytes.*/\1/' ;;
	out_bytes) echo "$line" | sed 's/.*out \([0-9]*\) bytes.*/\1/' ;;
	truncated) echo "$line" | sed 's/.* \([0-9]*\) truncated.*/\1/' ;;
	esac
}
