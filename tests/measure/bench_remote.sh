#!/usr/bin/env bash
# rawprobe bench --remote against a running `rawprobe serve`: a sink counts
# exactly the bytes bench sent; an echo answers every round trip and every
# seqpacket message; a server that never answers, or is not there, is one
# error line and exit 2.
. "$(dirname "$0")/lib.sh"

# tcp to a sink: serve's totals say it read exactly what bench sent
start_server "$DIR/sink.log" --sink tcp:127.0.0.1:0
run tput --json --remote --bytes 8000003 --msg-size 65536 --parallel 3 "$SRV_ADDR"
stop_server
[ "$(jget "$DIR/tput.out" bytes)" = 8000003 ] || fail "bench sent $(jget "$DIR/tput.out" bytes)"
in=$(grep 'serve: in [0-9]* bytes' "$DIR/sink.log" | tail -1 | sed 's/.*serve: in \([0-9]*\) bytes.*/\1/')
[ "$in" = 8000003 ] || fail "the sink read '$in' bytes of 8000003: $(cat "$DIR/sink.log")"

# unix stream to an echo: everything comes back, and bench says so
start_server "$DIR/echo.log" unix:"$DIR/echo.sock"
run techo --remote --bytes 4M unix:"$DIR/echo.sock"
grep -q '4194304 bytes came back' "$DIR/techo.out" || fail "echoed bytes: $(cat "$DIR/techo.out")"
run rr --json --remote --rr 200 unix:"$DIR/echo.sock"
[ "$(jget "$DIR/rr.out" n)" = 200 ] || fail "rr n $(jget "$DIR/rr.out" n)"
stop_server
[ -e "$DIR/echo.sock" ] && fail "serve left its socket file"

# seqpacket to an echo: every message counted back
start_server "$DIR/seq.log" unix-seqpacket:@rp-measure-$$-seq
run msgs --json --remote --count 5000 unix-seqpacket:@rp-measure-$$-seq
stop_server
[ "$(jget "$DIR/msgs.out" sent)" = 5000 ] || fail "sent $(jget "$DIR/msgs.out" sent)"
[ "$(jget "$DIR/msgs.out" received)" = 5000 ] || fail "echoed back $(jget "$DIR/msgs.out" received) of 5000"

# udp to a sink: nothing comes back, so received is null, not a guess
start_server "$DIR/usink.log" --sink udp:127.0.0.1:0
run umsgs --json --remote --count 2000 "$SRV_ADDR"
stop_server
[ "$(jget "$DIR/umsgs.out" received)" = None ] || fail "received should be null: $(cat "$DIR/umsgs.out")"

# a server that reads and never answers: the round trips end after --timeout, one line, exit 2
start_server "$DIR/discard.log" --discard unix:@rp-measure-$$-discard
expect_error silent --remote --rr 10 --timeout 1 unix:@rp-measure-$$-discard
grep -q 'did not move for 1000 ms (--timeout)' "$DIR/silent.err" || fail "not a timeout: $(cat "$DIR/silent.err")"
stop_server

# nobody there
expect_error gone --remote --bytes 1M unix:"$DIR/nobody.sock"
expect_error gone_tcp --remote --rr 10 tcp:127.0.0.1:1
echo "PASS: remote"
exit 0
