#!/usr/bin/env bash
# Every mistake a user can make is one line on stderr and exit 2; bench's own
# server refuses a path that is not a socket and touches nothing; the socket
# file it makes is gone afterwards; SIGINT prints what was measured so far.
. "$(dirname "$0")/lib.sh"

expect_error noaddr
expect_error badkind bogus:thing
expect_error badhost tcp:no.such.host.invalid:7
expect_error noport tcp:127.0.0.1
expect_error two unix:@a unix:@b
expect_error suffix --bytes 4X unix:@a
expect_error decimal --bytes 1.5G unix:@a
expect_error zero --bytes 0 unix:@a
expect_error size --msg-size 70000 udp:127.0.0.1:0
expect_error par --parallel 65 unix:@a
expect_error rrn --rr 0 unix:@a
expect_error unknown --frobnicate unix:@a
expect_error needs --bytes
expect_error matrix_remote --matrix --remote
expect_error matrix_addr --matrix unix:@a

# a regular file where the server should listen: refused, left as it was
echo keep >"$DIR/file"
expect_error notsock --bytes 1M unix:"$DIR/file"
grep -q 'cannot start the bench server' "$DIR/notsock.err" || fail "not the server's error: $(cat "$DIR/notsock.err")"
[ "$(cat "$DIR/file")" = keep ] || fail "the regular file was touched"

# the server's socket file is removed when bench is done
run clean --bytes 1M --rr 10 unix:"$DIR/s.sock"
[ -e "$DIR/s.sock" ] && fail "bench left $DIR/s.sock behind"
run cleand --count 100 --rr 10 unix-dgram:"$DIR/d.sock"
[ -e "$DIR/d.sock" ] && fail "bench left $DIR/d.sock behind"

# SIGINT in the middle of a transfer that would take minutes: it stops, says so, exits 0,
# and its server is gone (the socket file removed)
"$RAWPROBE" bench --bytes 1T unix:"$DIR/int.sock" >"$DIR/int.out" 2>"$DIR/int.err" &
pid=$!
PIDS="$PIDS $pid"
for _ in $(seq 1 100); do
	[ -S "$DIR/int.sock" ] && break
	sleep 0.02 # bounded: until the server is up
done
sleep 0.3 # some bytes move
kill -INT "$pid"
for _ in $(seq 1 250); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.02
done
kill -0 "$pid" 2>/dev/null && fail "bench still running 5 s after SIGINT"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || fail "exit $rc after SIGINT: $(cat "$DIR/int.err")"
grep -q '^throughput .*(interrupted)$' "$DIR/int.out" || fail "no interrupted result: $(cat "$DIR/int.out" "$DIR/int.err")"
[ -e "$DIR/int.sock" ] && fail "the server's socket file survived SIGINT"
echo "PASS: errors"
exit 0
