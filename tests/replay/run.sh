#!/usr/bin/env bash
# Replay tests: runs `rawprobe read` over the captures in pcaps/ as listed in
# TESTLIST and compares what it prints with expected/NAME.out.
#
# usage: run.sh RAWPROBE_BINARY [--update] [-v] [NAME...]
#   --update   rewrite expected/NAME.out from the current output (review the diff before committing!)
#   -v         also show each case's command line and standard error
#   NAME...    run only these cases (default: every case)
# Exit: 0 all selected cases passed, 1 some failed, 2 usage or TESTLIST error.
#
# Each case runs in pcaps/ (FILE is a relative name) with TZ=UTC and LC_ALL=C. It passes when
#   - the exit status is the one TESTLIST gives,
#   - standard output equals expected/NAME.out byte for byte,
#   - standard error is exactly one line when the expected status is 2, and at most one line
#     (a warning) otherwise: a sanitizer report or a stray message fails the case,
#   - for cases with --json, every output line is a JSON object (JSON Lines).
# See TESTLIST for the format of a case.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pcaps=$(cd "$here/../../pcaps" && pwd)
testlist=$here/TESTLIST
expdir=$here/expected

usage() {
	echo "usage: $0 RAWPROBE_BINARY [--update] [-v] [NAME...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
bin=$1
shift
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac
[ -x "$bin" ] || { echo "$0: $bin is not an executable" >&2; exit 2; }

update=0
verbose=0
want=()
for a in "$@"; do
	case $a in
	--update) update=1 ;;
	-v) verbose=1 ;;
	-*) usage ;;
	*) want+=("$a") ;;
	esac
done

have_python=1
command -v python3 >/dev/null 2>&1 || have_python=0
have_timeout=1
command -v timeout >/dev/null 2>&1 || have_timeout=0

# ------------------------------------------------------------------ read TESTLIST
names=()
declare -A line_of=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	line=${line%%#*}
	read -r -a w <<<"$line"
	[ ${#w[@]} -eq 0 ] && continue
	if [ ${#w[@]} -lt 3 ]; then
		echo "TESTLIST:$lineno: need at least NAME CAPTURE EXIT" >&2
		exit 2
	fi
	n=${w[0]}
	if ! [[ $n =~ ^[A-Za-z0-9_.-]+$ ]]; then
		echo "TESTLIST:$lineno: bad case name '$n'" >&2
		exit 2
	fi
	if [ -n "${line_of[$n]+x}" ]; then
		echo "TESTLIST:$lineno: case '$n' already defined" >&2
		exit 2
	fi
	if ! [[ ${w[2]} =~ ^[0-9]+$ ]]; then
		echo "TESTLIST:$lineno: exit status '${w[2]}' is not a number" >&2
		exit 2
	fi
	names+=("$n")
	line_of[$n]=$line
done <"$testlist"

if [ ${#want[@]} -eq 0 ]; then
	want=("${names[@]}")
else
	for n in "${want[@]}"; do
		[ -n "${line_of[$n]+x}" ] || { echo "$0: no case '$n' in TESTLIST" >&2; exit 2; }
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rp-replay.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# ------------------------------------------------------------------ run one case
# Sets: why (empty when it passed).
run_case() {
	local n=$1 w capture status opts=() filter=() args=() infile=/dev/null
	local seen_dd=0 file_arg used_file=0 json=0 rc errlines
	read -r -a w <<<"${line_of[$n]}"
	capture=${w[1]}
	status=${w[2]}
	for x in "${w[@]:3}"; do
		if [ $seen_dd -eq 1 ]; then
			filter+=("$x")
		elif [ "$x" = "--" ]; then
			seen_dd=1
		else
			opts+=("$x")
			[ "$x" = "--json" ] && json=1
		fi
	done

	case $capture in
	none) file_arg= ;;
	stdin:*) file_arg=-; infile=$pcaps/${capture#stdin:} ;;
	*) file_arg=$capture ;; # relative: the case runs in pcaps/, so output never names the checkout
	esac
	for x in "${opts[@]}"; do
		if [ "$x" = "@FILE" ]; then
			args+=("$file_arg")
			used_file=1
		else
			args+=("$x")
		fi
	done
	if [ $used_file -eq 0 ] && [ -n "$file_arg" ]; then
		args+=("$file_arg")
	fi
	args+=("${filter[@]}")

	if [ $verbose -eq 1 ]; then
		echo "  \$ (cd pcaps && rawprobe read ${args[*]}$([ "$infile" != /dev/null ] && echo " < ${capture#stdin:}"))"
	fi

	local out=$tmp/$n.out err=$tmp/$n.err
	local tmo=()
	[ $have_timeout -eq 1 ] && tmo=(timeout 30)
	(cd "$pcaps" && TZ=UTC LC_ALL=C "${tmo[@]}" "$bin" read "${args[@]}" <"$infile" >"$out" 2>"$err")
	rc=$?

	why=
	if [ $verbose -eq 1 ] && [ -s "$err" ]; then
		sed 's/^/  stderr: /' "$err"
	fi
	if [ $rc -ne "$status" ]; then
		why="exit status $rc, expected $status"
		[ $rc -eq 124 ] && [ $have_timeout -eq 1 ] && why="$why (timed out after 30 s)"
		[ -s "$err" ] && why="$why; stderr: $(head -c 300 "$err")"
	fi
	errlines=$(wc -l <"$err")
	# A last line without a newline still counts as a line.
	[ -s "$err" ] && [ -n "$(tail -c 1 "$err")" ] && errlines=$((errlines + 1))
	if [ -z "$why" ]; then
		case $status in
		0 | 1) [ "$errlines" -le 1 ] || why="standard error has $errlines lines, at most 1 expected: $(head -c 300 "$err")" ;;
		*) if [ "$errlines" -ne 1 ] || ! grep -q '[^[:space:]]' "$err"; then
			why="standard error has $errlines lines, exactly 1 non-empty line expected: $(head -c 300 "$err")"
		fi ;;
		esac
	fi
	if [ -z "$why" ] && [ $json -eq 1 ]; then
		if [ $have_python -eq 1 ]; then
			local jerr
			if ! jerr=$(python3 -c '
import json, sys
for i, l in enumerate(sys.stdin, 1):
    try:
        v = json.loads(l)
    except ValueError as e:
        sys.exit("line %d is not JSON: %s" % (i, e))
    if not isinstance(v, dict):
        sys.exit("line %d is not a JSON object" % i)
' <"$out" 2>&1); then
				why="invalid JSON Lines: $jerr"
			fi
		else
			echo "  (python3 not found: JSON Lines check of $n skipped)"
		fi
	fi

	local exp=$expdir/$n.out
	if [ $update -eq 1 ]; then
		mkdir -p "$expdir"
		if ! cmp -s "$out" "$exp" 2>/dev/null; then
			cp "$out" "$exp"
			echo "  updated expected/$n.out"
		fi
	elif [ ! -f "$exp" ]; then
		why="${why:+$why; }no expected/$n.out (run with --update, then review it)"
	elif ! cmp -s "$out" "$exp"; then
		why="${why:+$why; }output differs from expected/$n.out"
		diff -u --label "expected/$n.out" --label "actual" "$exp" "$out" | head -n 200
	fi
}

pass=0
fail=0
failed=()
for n in "${want[@]}"; do
	run_case "$n"
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "PASS $n"
	else
		fail=$((fail + 1))
		failed+=("$n")
		echo "FAIL $n: $why"
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
exit 0
