#!/usr/bin/env bash
# Unix socket files: a stale socket is replaced; a live server's path is
# refused (exit 2, file untouched); a path that is not a socket is left as it
# is (exit 2); --mode sets the permissions; the file goes away on SIGTERM;
# abstract names work and leave no file.
#
#   serve_files.sh RAWPROBE SOCK_TORTURE
. "$(dirname "$0")/lib.sh"

for kind in unix unix-dgram unix-seqpacket; do
	path=$DIR/$kind.sock
	# A stale socket: its server was killed with no chance to clean up.
	start_server "$DIR/a.log" "$kind:$path"
	kill -KILL "$SRV_PID"
	wait "$SRV_PID" 2>/dev/null
	[ -S "$path" ] || fail "$kind: SIGKILL should have left the socket file"
	ln "$path" "$DIR/stale-link" # keeps the old inode allocated, so a new file has another
	stale_ino=$(stat -c %i "$path")
	start_server "$DIR/b.log" --mode 0640 "$kind:$path"
	[ "$(stat -c %i "$path")" != "$stale_ino" ] || fail "$kind: stale socket not replaced"
	[ "$(stat -c %a "$path")" = 640 ] || fail "$kind: --mode 0640 gave $(stat -c %a "$path")"
	rm -f "$DIR/stale-link"
	echo "ok: $kind: stale socket replaced, mode 640"

	# A live server holds the path: refused, the file stays the same one.
	live_ino=$(stat -c %i "$path")
	"$RAWPROBE" serve "$kind:$path" 2>"$DIR/c.err" &
	pid=$!
	PIDS="$PIDS $pid"
	wait "$pid"
	rc=$?
	[ $rc -eq 2 ] || fail "$kind: second server on a live path exited $rc, expected 2"
	grep -q 'already listening' "$DIR/c.err" || fail "$kind: no reason given: $(cat "$DIR/c.err")"
	[ "$(wc -l <"$DIR/c.err")" -eq 1 ] || fail "$kind: more than one error line"
	[ "$(stat -c %i "$path")" = "$live_ino" ] || fail "$kind: live server's file was replaced"
	out=$(echo hi | "$RAWPROBE" connect --timeout 5 "$kind:$path")
	[ "$out" = hi ] || fail "$kind: live server no longer answers after the refused start ($out)"
	echo "ok: $kind: live path refused, server still answers"

	stop_server
	[ "$SRV_RC" -eq 0 ] || fail "$kind: server exited $SRV_RC"
	[ -e "$path" ] && fail "$kind: socket file still there after SIGTERM"
	echo "ok: $kind: file removed on SIGTERM"
done

# Not a socket: a regular file and a directory stay exactly as they were.
echo precious >"$DIR/file"
before=$(stat -c '%i %s %Y %a' "$DIR/file")
"$RAWPROBE" serve "unix:$DIR/file" 2>"$DIR/d.err"
rc=$?
[ $rc -eq 2 ] || fail "serve on a regular file exited $rc, expected 2"
grep -q 'not a socket' "$DIR/d.err" || fail "no reason given: $(cat "$DIR/d.err")"
[ "$(stat -c '%i %s %Y %a' "$DIR/file")" = "$before" ] && [ "$(cat "$DIR/file")" = precious ] ||
	fail "the regular file was touched"
mkdir "$DIR/dir"
"$RAWPROBE" serve "unix-dgram:$DIR/dir" 2>/dev/null
[ $? -eq 2 ] && [ -d "$DIR/dir" ] || fail "serve on a directory did not exit 2 or touched it"
echo "ok: non-socket paths untouched, exit 2"

# A file replaced by someone else while we run is not ours to remove.
start_server "$DIR/e.log" "unix:$DIR/moved.sock"
mv "$DIR/moved.sock" "$DIR/elsewhere.sock"
echo other >"$DIR/moved.sock"
stop_server
[ "$(cat "$DIR/moved.sock")" = other ] || fail "removed a file that was no longer ours"
echo "ok: only our own inode is removed"

# Abstract names: served, answered, no file anywhere.
name="rp-test-$$-$RANDOM"
for kind in unix unix-dgram unix-seqpacket; do
	start_server "$DIR/f.log" "$kind:@$name"
	out=$(echo abstract | "$RAWPROBE" connect --timeout 5 "$kind:@$name")
	[ "$out" = abstract ] || fail "$kind:@$name did not echo ($out)"
	"$RAWPROBE" serve "$kind:@$name" 2>/dev/null
	[ $? -eq 2 ] || fail "$kind:@$name: a second server on a taken name did not exit 2"
	stop_server
	[ "$SRV_RC" -eq 0 ] || fail "$kind:@$name: server exited $SRV_RC"
	[ -e "@$name" ] && fail "an abstract name made a file"
	echo "ok: $kind:@$name"
done

# --mode on an address without a file is a usage error.
"$RAWPROBE" serve --mode 0600 unix:@x 2>/dev/null
[ $? -eq 2 ] || fail "--mode on an abstract name should exit 2"
"$RAWPROBE" serve --mode 0999 "unix:$DIR/m" 2>/dev/null
[ $? -eq 2 ] || fail "--mode 0999 should exit 2"
echo "ok: all"
