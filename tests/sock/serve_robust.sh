#!/usr/bin/env bash
# The server under bad clients: one that never reads (memory stays bounded,
# the others are served), clients that vanish mid-transfer, half-close or
# say nothing; datagrams and seqpacket messages over --size (reported, not
# cut); --max-clients, --idle-timeout, -v with SO_PEERCRED, SIGINT.
#
#   serve_robust.sh RAWPROBE SOCK_TORTURE
. "$(dirname "$0")/lib.sh"
RSS_LIMIT_KB=65536 # the server's own buffers are well under this; an unbounded one is not

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

# --- a client that never reads ---
for addr in "unix:$DIR/stall.sock" tcp:127.0.0.1:0 "unix-seqpacket:$DIR/stallseq.sock"; do
	start_server "$DIR/stall.log" "$addr"
	rm -f "$DIR/hold"
	mkfifo "$DIR/hold"
	"$TORTURE" stall "$SRV_ADDR" <"$DIR/hold" >"$DIR/stall.out" &
	stall_pid=$!
	PIDS="$PIDS $stall_pid"
	exec 3>"$DIR/hold" # the staller waits for this to close before it exits
	for _ in $(seq 1 400); do
		grep -q stalled_after "$DIR/stall.out" && break
		kill -0 "$stall_pid" 2>/dev/null || break
		sleep 0.05 # bounded: 20 s
	done
	grep -q stalled_after "$DIR/stall.out" || fail "$addr: the never-reading client was never held back"
	written=$(sed -n 's/stalled_after=//p' "$DIR/stall.out")
	rss1=$(rss_kb "$SRV_PID")
	out=$("$TORTURE" "$SRV_ADDR" echo 50) || fail "$addr: others not served while one client stalls: $out"
	rss2=$(rss_kb "$SRV_PID")
	echo "$addr: staller wrote $written bytes before being held back; server RSS $rss1 kB, $rss2 kB after 50 more clients"
	[ "$written" -lt $((64 * 1024 * 1024)) ] || fail "$addr: the server read $written bytes from a client that does not read"
	[ "$rss2" -lt $RSS_LIMIT_KB ] || fail "$addr: server RSS $rss2 kB with a stalled client"
	exec 3>&-
	wait "$stall_pid" || fail "$addr: staller failed: $(cat "$DIR/stall.out")"
	stop_server
	[ "$SRV_RC" -eq 0 ] || fail "$addr: server exited $SRV_RC"
	echo "ok: $addr: memory bounded, others served"
done

# --- clients that vanish, half-close, or say nothing ---
for addr in "unix:$DIR/rude.sock" tcp:127.0.0.1:0 "unix-seqpacket:$DIR/rudeseq.sock"; do
	start_server "$DIR/rude.log" "$addr"
	"$TORTURE" rude "$SRV_ADDR" >/dev/null || fail "$addr: rude clients could not run"
	kill -0 "$SRV_PID" 2>/dev/null || fail "$addr: the server died of rude clients"
	out=$("$TORTURE" "$SRV_ADDR" echo 20) || fail "$addr: not served after rude clients: $out"
	stop_server
	[ "$SRV_RC" -eq 0 ] || fail "$addr: server exited $SRV_RC"
	echo "ok: $addr: survives rude clients"
done

# --- messages over --size: reported and counted, never cut and passed on ---
for spec in "unix-dgram:$DIR/tr.sock 100000 --size 65536" "unix-seqpacket:$DIR/trs.sock 100000 --size 65536" \
	"udp:127.0.0.1:0 5000 --size 1000"; do
	set -- $spec
	start_server "$DIR/trunc.log" "$3" "$4" "$1"
	out=$("$TORTURE" trunc "$SRV_ADDR" "$2") || fail "$1: $out"
	stop_server
	grep -q "of $2 bytes is larger than the $4-byte buffer" "$SRV_LOG" || fail "$1: truncation not reported"
	[ "$(server_total truncated)" = 1 ] || fail "$1: truncated count is $(server_total truncated), expected 1"
	echo "ok: $1: a $2-byte message over --size $4 reported, not echoed"
done

# --- --max-clients, -v with SO_PEERCRED ---
start_server "$DIR/max.log" -v --max-clients 2 "unix:$DIR/max.sock"
rm -f "$DIR/hold"
mkfifo "$DIR/hold"
"$RAWPROBE" connect "unix:$DIR/max.sock" <"$DIR/hold" >/dev/null &
c1=$!
"$RAWPROBE" connect "unix:$DIR/max.sock" <"$DIR/hold" >/dev/null &
c2=$!
PIDS="$PIDS $c1 $c2"
exec 3>"$DIR/hold"
for _ in $(seq 1 200); do
	[ "$(grep -c ' connected: ' "$SRV_LOG")" -ge 2 ] && break
	sleep 0.025
done
[ "$(grep -c ' connected: ' "$SRV_LOG")" -eq 2 ] || fail "two clients not both connected"
grep -q "connected: pid $c1 uid $(id -u) gid $(id -g)" "$SRV_LOG" || fail "-v does not show the peer's pid/uid/gid"
out=$(echo third | timeout 10 "$RAWPROBE" connect "unix:$DIR/max.sock")
rc=$?
# Closed at once: it sees the end (exit 0) or a broken pipe (exit 1), depending on timing.
[ $rc -le 1 ] && [ -z "$out" ] || fail "a third client over --max-clients 2 got '$out' (exit $rc)"
grep -q 'too many clients' "$SRV_LOG" || fail "refusal not logged"
exec 3>&-
wait "$c1" "$c2"
stop_server
grep -q '1 refused' "$SRV_LOG" || fail "refusal not counted"
echo "ok: --max-clients refuses the third client cleanly; -v shows pid/uid/gid"

# --- --idle-timeout; SIGINT stops as SIGTERM does ---
start_server "$DIR/idle.log" -v --idle-timeout 0.3 tcp:127.0.0.1:0
rm -f "$DIR/hold"
mkfifo "$DIR/hold"
exec 3<>"$DIR/hold" # stdin that never ends
timeout 10 "$RAWPROBE" connect "$SRV_ADDR" <"$DIR/hold" >/dev/null
rc=$?
exec 3>&-
[ $rc -eq 0 ] || fail "an idle client was not closed by --idle-timeout 0.3 (connect exit $rc)"
grep -q 'idle timeout' "$SRV_LOG" || fail "idle close not logged"
kill -INT "$SRV_PID"
wait "$SRV_PID"
[ $? -eq 0 ] || fail "SIGINT: server did not exit 0"
grep -q '1 idle-closed' "$SRV_LOG" || fail "idle close not counted in the totals"
echo "ok: --idle-timeout closes a silent client; SIGINT prints totals, exit 0"
echo "ok: all"
