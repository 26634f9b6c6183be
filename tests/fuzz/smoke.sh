#!/bin/sh
# The fuzz smoke test run by ctest (fuzz_decode_smoke):
#   smoke.sh FUZZER PCAP2SEEDS PCAPDIR WORKDIR SECONDS
# Seeds the corpus from every capture in PCAPDIR, fuzzes for SECONDS, and
# fails on any crash, sanitizer report, leak or slow input, printing the
# input that did it and how to replay it.
set -eu

fuzzer=$1 seeder=$2 pcapdir=$3 work=$4 secs=$5

rm -rf "$work"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"

set --
for f in "$pcapdir"/*.pcap "$pcapdir"/*.pcapng; do
	[ -f "$f" ] && set -- "$@" "$f"
done
"$seeder" "$work/seeds" "$@"

rc=0
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$work/seeds" || rc=$?

if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
	echo "fuzz_decode_smoke: FAILED (fuzzer exit $rc)"
	for a in "$work/artifacts"/*; do
		[ -f "$a" ] || continue
		echo "input $a ($(wc -c <"$a") bytes; format: link byte, 4-byte wire length, frame):"
		od -A x -t x1 -v "$a" | head -n 40
		echo "replay: $fuzzer $a"
	done
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
fi
echo "fuzz_decode_smoke: no crash in ${secs}s"
