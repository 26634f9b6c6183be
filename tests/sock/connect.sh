#!/usr/bin/env bash
# rawprobe connect: both directions at once with half-close (an echo server
# returns everything after the end of input), message kinds with --lines and
# --bind, exit 1 when nobody is there, exit 2 on a bad address.
#
#   connect.sh RAWPROBE SOCK_TORTURE
. "$(dirname "$0")/lib.sh"

head -c 3000000 /dev/urandom >"$DIR/data"
for addr in "unix:$DIR/e.sock" tcp:127.0.0.1:0 "tcp:[::1]:0"; do
	if [ "$addr" = "tcp:[::1]:0" ] && ! [ -f /proc/net/if_inet6 ]; then
		echo "skip: no IPv6"
		continue
	fi
	start_server "$DIR/e.log" "$addr"
	timeout 30 "$RAWPROBE" connect "$SRV_ADDR" <"$DIR/data" >"$DIR/back" || fail "$addr: connect exited $?"
	cmp -s "$DIR/data" "$DIR/back" || fail "$addr: 3 MB through echo came back different ($(stat -c %s "$DIR/back") bytes)"
	stop_server
	echo "ok: $addr: 3 MB out, all back after the half-close"
done

printf 'a\nbb\nccc\n' >"$DIR/lines"
for addr in "unix-seqpacket:$DIR/q.sock" "unix-dgram:$DIR/d.sock" udp:127.0.0.1:0; do
	start_server "$DIR/m.log" -v "$addr"
	out=$(timeout 10 "$RAWPROBE" connect --lines "$SRV_ADDR" <"$DIR/lines")
	[ "$out" = "$(cat "$DIR/lines")" ] || fail "$addr: --lines echo gave '$out'"
	stop_server
	[ "$(grep -o 'in [0-9]* bytes/[0-9]* messages' "$SRV_LOG")" = "in 9 bytes/3 messages" ] ||
		fail "$addr: three lines are not three messages: $(grep 'serve: in' "$SRV_LOG")"
	echo "ok: $addr: one message per line, boundaries kept"
done

start_server "$DIR/b.log" -v "unix-dgram:$DIR/d2.sock"
out=$(echo bound | timeout 10 "$RAWPROBE" connect --bind "$DIR/me.sock" "$SRV_ADDR")
[ "$out" = bound ] || fail "--bind: no answer ('$out')"
[ -e "$DIR/me.sock" ] && fail "--bind left its socket file behind"
out=$(echo auto | timeout 10 "$RAWPROBE" connect "$SRV_ADDR")
[ "$out" = auto ] || fail "autobind: no answer ('$out')"
stop_server
echo "ok: unix-dgram answers reach a --bind path and an autobound name"

start_server "$DIR/s.log" --source "unix:$DIR/src.sock"
n=$(timeout 10 "$RAWPROBE" connect "$SRV_ADDR" </dev/null | head -c 100000 | wc -c)
[ "$n" -eq 100000 ] || fail "--source through connect | head gave $n bytes"
stop_server
echo "ok: source keeps sending after our half-close; | head ends it quietly"

# Nobody there: exit 1, one line.
start_server "$DIR/x.log" tcp:127.0.0.1:0
free=$SRV_ADDR
stop_server
start_server "$DIR/y.log" udp:127.0.0.1:0
free_udp=$SRV_ADDR
stop_server
start_server "$DIR/z.log" "unix:$DIR/stale.sock"
kill -KILL "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
for addr in "$free" "unix:$DIR/missing.sock" "unix:$DIR/stale.sock" "unix-seqpacket:$DIR/missing" \
	"unix-dgram:$DIR/missing" "$free_udp"; do
	echo hello | timeout 10 "$RAWPROBE" connect "$addr" >/dev/null 2>"$DIR/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$addr with nobody there: exit $rc, expected 1 ($(cat "$DIR/err"))"
	[ "$(wc -l <"$DIR/err")" -eq 1 ] || fail "$addr: expected one line on stderr: $(cat "$DIR/err")"
	echo "ok: $addr: nobody there, exit 1: $(cat "$DIR/err")"
done

# Usage errors: exit 2, one line naming the problem.
for args in "foo:bar" "tcp:127.0.0.1" "tcp:127.0.0.1:99999" "tcp::7000" "unix:" "udp:[::1:53" \
	"--bind /tmp/x tcp:127.0.0.1:7" "--timeout -1 unix:/x" "--nonsense unix:/x" "" "unix:/a unix:/b"; do
	"$RAWPROBE" connect $args </dev/null >/dev/null 2>"$DIR/err"
	rc=$?
	[ $rc -eq 2 ] || fail "connect $args: exit $rc, expected 2"
	[ "$(wc -l <"$DIR/err")" -eq 1 ] && grep -q '^rawprobe: connect: ' "$DIR/err" ||
		fail "connect $args: expected one 'rawprobe: connect:' line: $(cat "$DIR/err")"
done
echo "ok: bad addresses and options exit 2 with one line"
echo "ok: all"
