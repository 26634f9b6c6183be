#!/usr/bin/env bash
# rawprobe bench over one address kind with its own server: the JSON objects
# have exactly the contract's keys, and the counts are exact where they must
# be (the sink read every byte sent; unix datagrams and seqpackets all arrive).
#   bench_kind.sh RAWPROBE KIND
. "$(dirname "$0")/lib.sh"
KIND=$2
case $KIND in
tcp | udp) ADDR=$KIND:127.0.0.1:0 ;;
*) ADDR=$KIND:@rp-measure-$$-$KIND ;;
esac
TPUT_KEYS="type addr bytes seconds mib_per_s"
MSG_KEYS="type addr size sent received msg_per_s"
RR_KEYS="type addr n p50_us p90_us p99_us p999_us"

case $KIND in
tcp | unix)
	run tput --json --bytes 8M "$ADDR"
	jcheck "$DIR/tput.out" throughput $TPUT_KEYS
	[ "$(jget "$DIR/tput.out" bytes)" = 8388608 ] || fail "bytes $(jget "$DIR/tput.out" bytes), wanted 8388608"
	# odd sizes, several connections: the sink must have read exactly what was sent
	run tput4 --bytes 8000003 --msg-size 1000 --parallel 4 "$ADDR"
	grep -q 'the sink read 8000003 bytes' "$DIR/tput4.out" || fail "sink count: $(cat "$DIR/tput4.out")"
	grep -q '^  4 connections, writes of 1000 bytes' "$DIR/tput4.out" || fail "human lines: $(cat "$DIR/tput4.out")"
	;;
*)
	run msgs --json --count 20000 "$ADDR"
	jcheck "$DIR/msgs.out" messages $MSG_KEYS
	[ "$(jget "$DIR/msgs.out" size)" = 64 ] || fail "size $(jget "$DIR/msgs.out" size), wanted 64"
	[ "$(jget "$DIR/msgs.out" sent)" = 20000 ] || fail "sent $(jget "$DIR/msgs.out" sent), wanted 20000"
	got=$(jget "$DIR/msgs.out" received)
	if [ "$KIND" = udp ]; then
		# udp may drop under load, never invent
		[ "$got" -gt 0 ] && [ "$got" -le 20000 ] || fail "udp received $got of 20000"
	else
		[ "$got" = 20000 ] || fail "$KIND received $got of 20000: unix datagrams are not lost"
	fi
	run msgs4 --json --count 10001 --msg-size 1000 --parallel 4 "$ADDR"
	[ "$(jget "$DIR/msgs4.out" sent)" = 10001 ] || fail "parallel sent $(jget "$DIR/msgs4.out" sent)"
	[ "$KIND" = udp ] || [ "$(jget "$DIR/msgs4.out" received)" = 10001 ] || fail "parallel received $(jget "$DIR/msgs4.out" received)"
	;;
esac

run rr --json --rr 200 "$ADDR"
jcheck "$DIR/rr.out" rr $RR_KEYS
[ "$(jget "$DIR/rr.out" n)" = 200 ] || fail "n $(jget "$DIR/rr.out" n), wanted 200"
"$PY" -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); assert 0 < o["p50_us"] <= o["p90_us"] <= o["p99_us"] <= o["p999_us"], o' "$DIR/rr.out" ||
	fail "percentiles out of order: $(cat "$DIR/rr.out")"

# the human form: percentiles and a histogram with one bar line or more, in 80 columns
LC_ALL=C run rrh --rr 200 --msg-size 100 "$ADDR"
grep -q "^round trips " "$DIR/rrh.out" && grep -q '^  200 of 100 bytes' "$DIR/rrh.out" ||
	fail "rr header: $(cat "$DIR/rrh.out")"
grep -q 'p50 .* p99.9 ' "$DIR/rrh.out" || fail "rr percentiles: $(cat "$DIR/rrh.out")"
grep -Eq '^ +[0-9.]+ - +[0-9.]+ us +[0-9]+ +[0-9.]+% #' "$DIR/rrh.out" || fail "no histogram: $(cat "$DIR/rrh.out")"
awk '{ if (length($0) > 80) bad = 1 } END { exit bad }' "$DIR/rrh.out" || fail "a line over 80 columns: $(cat "$DIR/rrh.out")"

# the bulk test and the round trips in one run: one object each
run both --json --bytes 1M --count 1000 --rr 100 "$ADDR"
[ "$(wc -l <"$DIR/both.out")" = 2 ] || fail "wanted 2 objects: $(cat "$DIR/both.out")"
echo "PASS: $KIND"
exit 0
