# Shared by the bench_* tests: a scratch directory, the JSON checker, servers
# started as child processes and stopped by their PID.
#   jcheck FILE TYPE KEYS...     every line of FILE is one JSON object of TYPE with exactly KEYS
#   jget FILE KEY                KEY of the last object (as Python prints it)
set -u
RAWPROBE=$1
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed to check the JSON"
DIR=$(mktemp -d /tmp/rp-measure.XXXXXX)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT

jcheck() {
	"$PY" - "$@" <<'PYEOF' || fail "JSON check failed on $1: $(head -c 400 "$1")"
import json, sys
path, typ, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(path).read().splitlines()
assert lines, "no output"
for line in lines:
    o = json.loads(line)
    assert o.get("type") == typ, "type %r, wanted %r" % (o.get("type"), typ)
    assert list(o.keys()) == keys, "keys %s, wanted %s" % (list(o.keys()), keys)
PYEOF
}

jget() {
	"$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' "$1" "$2"
}

# run NAME ARGS...: rawprobe bench ARGS, stdout to $DIR/NAME.out, stderr to $DIR/NAME.err; fails on a non-zero exit
run() {
	local name=$1
	shift
	"$RAWPROBE" bench "$@" >"$DIR/$name.out" 2>"$DIR/$name.err" ||
		fail "rawprobe bench $* exited $?: $(cat "$DIR/$name.err")"
}

# expect_error NAME ARGS...: exit 2 and exactly one line on stderr, "rawprobe: bench: ..."
expect_error() {
	local name=$1 rc
	shift
	"$RAWPROBE" bench "$@" >"$DIR/$name.out" 2>"$DIR/$name.err"
	rc=$?
	[ "$rc" = 2 ] || fail "rawprobe bench $*: exit $rc, wanted 2 ($(cat "$DIR/$name.err"))"
	[ "$(wc -l <"$DIR/$name.err")" = 1 ] || fail "rawprobe bench $*: wanted one stderr line, got: $(cat "$DIR/$name.err")"
	grep -q '^rawprobe: bench: ' "$DIR/$name.err" || fail "rawprobe bench $*: stderr is not 'rawprobe: bench: ...': $(cat "$DIR/$name.err")"
}

. "$(dirname "${BASH_SOURCE[0]}")/../lib/serve.sh"
