#!/usr/bin/env bash
# Every mode of `rawprobe serve` on one address kind, with one client (many
# sizes, several rounds) and with 1,000 at once: sock_torture checks every
# byte and message that comes back by length and hash; then the server's
# totals must match what was sent.
#
#   serve_matrix.sh RAWPROBE SOCK_TORTURE KIND    KIND: tcp udp unix unix-dgram unix-seqpacket
. "$(dirname "$0")/lib.sh"
kind=$3
case $kind in
tcp | udp) addr="$kind:127.0.0.1:0" ;;
*) addr="$kind:$DIR/s" ;;
esac

seed=$(date +%s)
echo "seed $seed"
for mode in echo discard sink source chat reply; do
	opt=--$mode
	[ $mode = reply ] && opt="--reply pong"
	start_server "$DIR/$mode.log" $opt "$addr"
	sent=0
	for n in 1 1000; do
		[ $mode = chat ] && [ $n = 1 ] && n=2
		out=$("$TORTURE" "$SRV_ADDR" $mode $n "$seed") || fail "$mode with $n clients: $out"
		bytes=$(echo "$out" | sed -n 's/.*sent_bytes=\([0-9]*\).*/\1/p')
		sent=$((sent + bytes))
		echo "ok: $kind $mode, $n clients, $bytes bytes checked"
	done
	stop_server
	[ "$SRV_RC" -eq 0 ] || fail "$mode: server exited $SRV_RC"
	kill -0 "$SRV_PID" 2>/dev/null && fail "server still running"
	in=$(server_total in_bytes)
	case $mode in
	echo)
		[ "$in" = "$sent" ] && [ "$(server_total out_bytes)" = "$sent" ] ||
			fail "echo: server counted in $in out $(server_total out_bytes), clients sent $sent" ;;
	discard | sink)
		[ "$in" = "$sent" ] || fail "$mode: server counted $in bytes in, clients sent $sent" ;;
	esac
	if [ $mode = sink ]; then
		grep -q 'sink: [0-9]* bytes, [0-9]* messages in .* MiB/s' "$SRV_LOG" || fail "sink printed no rate"
	fi
	case $kind in unix*) [ -e "$DIR/s" ] && fail "socket file left behind after SIGTERM" ;; esac
done
echo "ok: $kind: all modes"
