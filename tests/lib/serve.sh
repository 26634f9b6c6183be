# `rawprobe serve` as a test's child process, for the sock_* and bench_* tests.
# Needs RAWPROBE, PIDS (the PIDs to kill at exit) and fail() from the caller.
#   start_server LOG ARGS...   runs `rawprobe serve ARGS` in the background, waits (bounded) for
#                              its readiness line; sets SRV_PID, SRV_ADDR (the port when 0 was asked)
#   stop_server                SIGTERM, waits (bounded), sets SRV_RC

start_server() {
	SRV_LOG=$1
	shift
	"$RAWPROBE" serve "$@" 2>"$SRV_LOG" &
	SRV_PID=$!
	PIDS="$PIDS $SRV_PID"
	for _ in $(seq 1 200); do
		grep -q 'listening on' "$SRV_LOG" 2>/dev/null && break
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.025 # polls the readiness line, bounded to 5 s
	done
	grep -q 'listening on' "$SRV_LOG" || fail "server $* not ready: $(cat "$SRV_LOG")"
	SRV_ADDR=$(sed -n 's/.*listening on \(.*\) ([a-z]*)$/\1/p' "$SRV_LOG" | head -1)
}

stop_server() {
	kill -TERM "$SRV_PID" 2>/dev/null
	for _ in $(seq 1 200); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.025
	done
	kill -0 "$SRV_PID" 2>/dev/null && fail "server did not stop within 5 s of SIGTERM"
	wait "$SRV_PID"
	SRV_RC=$?
}
