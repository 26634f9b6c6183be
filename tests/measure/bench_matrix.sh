#!/usr/bin/env bash
# rawprobe bench --matrix: a table row per address kind and the verdict lines;
# with --json, one throughput or messages object and one rr object per kind.
. "$(dirname "$0")/lib.sh"

run table --matrix --bytes 8M --count 20000 --rr 200
for kind in tcp udp unix unix-dgram unix-seqpacket; do
	grep -Eq "^$kind +" "$DIR/table.out" || fail "no $kind row: $(cat "$DIR/table.out")"
done
[ "$(grep -Ec '^(tcp|udp|unix|unix-dgram|unix-seqpacket) ' "$DIR/table.out")" = 5 ] || fail "not 5 rows: $(cat "$DIR/table.out")"
grep -Eq '^unix +[0-9.]+ GiB/s +- ' "$DIR/table.out" || fail "unix row has no throughput: $(cat "$DIR/table.out")"
grep -Eq '^unix-dgram +- +[0-9]+ ' "$DIR/table.out" || fail "unix-dgram row has no message rate: $(cat "$DIR/table.out")"
grep -q '^fastest bytes: ' "$DIR/table.out" || fail "no verdict: $(cat "$DIR/table.out")"
grep -q '^lowest latency: ' "$DIR/table.out" || fail "no verdict: $(cat "$DIR/table.out")"

run json --matrix --json --bytes 8M --count 20000 --rr 200
[ "$(wc -l <"$DIR/json.out")" = 10 ] || fail "wanted 10 objects: $(cat "$DIR/json.out")"
[ "$(grep -c '"type":"throughput"' "$DIR/json.out")" = 2 ] || fail "wanted 2 throughput objects"
[ "$(grep -c '"type":"messages"' "$DIR/json.out")" = 3 ] || fail "wanted 3 messages objects"
[ "$(grep -c '"type":"rr"' "$DIR/json.out")" = 5 ] || fail "wanted 5 rr objects"
"$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$DIR/json.out" || fail "not JSON Lines"
echo "PASS: matrix"
exit 0
