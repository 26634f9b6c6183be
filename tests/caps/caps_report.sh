#!/usr/bin/env bash
# rawprobe caps, as root and as nobody: what each setup gets told.
#   root                      CAP_NET_RAW effective and permitted, raw socket opens, ping raw
#   setcap +p copy, nobody    permitted cap_net_raw only, raw socket opens, root-only refused,
#                             and nothing held any more while it prints
#   plain copy, nobody        (fresh netns, ping_group_range closed) no socket: the setcap hint
#   plain copy, nobody        (fresh netns, range opened) datagram socket: ping dgram
#   setcap copy on nosuid fs  the reason is the nosuid mount, no setcap hint
#   root without CAP_NET_RAW in the bounding set: the reason is the bounding set
#   usage errors              exit 2, one line
#
#   caps_report.sh RAWPROBE    exit 0 pass, 1 fail, 77 skip (not root, setcap/setpriv/unshare missing)
set -u

bin=$1
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to set file capabilities"
for tool in setcap setpriv unshare "$py"; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

dir=$(mktemp -d)
nosuid_mnt=
cleanup() {
	[ -z "$nosuid_mnt" ] || umount "$nosuid_mnt" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir" # nobody must reach the copies
cp "$bin" "$dir/capped"
cp "$bin" "$dir/plain"
setcap cap_net_raw+p "$dir/capped" || skip "file capabilities do not work on $dir"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# check NAME JSONFILE PYTHON-EXPRESSION: the expression over j (the parsed object) must be true.
check() {
	local name=$1 file=$2 expr=$3
	"$py" -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$file" "$expr" ||
		fail "$name: expected $expr in $(cat "$file")"
}

# run NAME CMD...: the command's JSON and text reports into $dir/NAME.json, $dir/NAME.txt, exit 0 each.
run() {
	local name=$1
	shift
	"$@" caps --json >"$dir/$name.json" 2>"$dir/$name.err" ||
		fail "$name: caps --json exited $?: $(cat "$dir/$name.err")"
	"$@" caps >"$dir/$name.txt" 2>"$dir/$name.err" ||
		fail "$name: caps exited $?: $(cat "$dir/$name.err")"
	[ "$(wc -l <"$dir/$name.json")" -eq 1 ] || fail "$name: --json is not one line"
}

grep_text() { # NAME REGEX
	grep -qE "$2" "$dir/$1.txt" || fail "$1: no line matching '$2' in:
$(cat "$dir/$1.txt")"
}

keys="path uid euid gid egid groups effective permitted inheritable ambient bounding_net_raw
file_caps no_new_privs nosuid raw_socket ping_group_range in_ping_group dgram_socket ping craft
trace root_only_options why fix_setcap fix_ping_group"

# --- root
run root "$bin"
check root "$dir/root.json" "set(j) == set('''$keys'''.split())"
check root "$dir/root.json" "j['uid'] == 0 and 'cap_net_raw' in j['effective'] and 'cap_net_raw' in j['permitted']"
check root "$dir/root.json" "j['raw_socket'] == {'ok': True, 'errno': None} and j['ping'] == 'raw'"
check root "$dir/root.json" "j['craft'] and j['trace'] and j['root_only_options'] and j['why'] is None"
check root "$dir/root.json" "j['fix_setcap'] is None and j['bounding_net_raw'] is True"
grep_text root '^raw socket +opens'
grep_text root '^ping +yes, raw socket'
grep_text root '^root-only +allowed'
echo "ok: root: CAP_NET_RAW effective and permitted, raw socket opens"

# --- the supported install, run as nobody
run capped "${nobody[@]}" "$dir/capped"
check capped "$dir/capped.json" "j['uid'] == 65534 and j['euid'] == 65534 and j['groups'] == []"
check capped "$dir/capped.json" "j['permitted'] == ['cap_net_raw'] and j['effective'] == [] and j['ambient'] == []"
check capped "$dir/capped.json" "j['file_caps'] == 'cap_net_raw=p' and j['path'] == '$dir/capped'"
check capped "$dir/capped.json" "j['raw_socket']['ok'] and j['ping'] == 'raw' and j['craft']"
check capped "$dir/capped.json" "j['root_only_options'] is False and j['fix_setcap'] is None"
grep_text capped '^  permitted +cap_net_raw$'
grep_text capped '^file caps +cap_net_raw=p$'
grep_text capped '^root-only +refused'
status=$("$py" "$here/status_while_printing.py" "${nobody[@]}" "$dir/capped" caps) ||
	fail "capped: could not catch caps while printing"
for set in CapInh CapPrm CapEff CapAmb; do
	echo "$status" | grep -q "^$set:[[:space:]]*0000000000000000$" ||
		fail "capped: $set not empty while printing: $status"
done
echo "ok: setcap copy as nobody: permitted cap_net_raw, raw socket opens, nothing held while printing"

# --- no capability, ping_group_range closed (a fresh network namespace starts with "1 0")
run plain unshare -n "${nobody[@]}" "$dir/plain"
check plain "$dir/plain.json" "j['permitted'] == [] and j['file_caps'] is None"
check plain "$dir/plain.json" "j['raw_socket'] == {'ok': False, 'errno': 'EPERM'}"
check plain "$dir/plain.json" "j['ping_group_range'] == [1, 0] and not j['in_ping_group']"
check plain "$dir/plain.json" "j['dgram_socket'] == {'ok': False, 'errno': 'EACCES'} and j['ping'] == 'none'"
check plain "$dir/plain.json" "not j['craft'] and not j['trace'] and j['why']"
check plain "$dir/plain.json" "j['fix_setcap'] == 'setcap cap_net_raw+p $dir/plain'"
check plain "$dir/plain.json" "j['fix_ping_group'] == 'sysctl -w net.ipv4.ping_group_range=\"65534 65534\"'"
grep_text plain '^raw socket +refused: .*EPERM'
grep_text plain "setcap cap_net_raw\+p $dir/plain\$"
grep_text plain '^ping +no:'
echo "ok: plain copy as nobody: no socket, the setcap hint names the binary"

# --- no capability, ping_group_range opened inside the namespace: the datagram fallback
run dgram unshare -n sh -c 'sysctl -qw net.ipv4.ping_group_range="0 2147483647" && exec "$@"' sh \
	"${nobody[@]}" "$dir/plain"
check dgram "$dir/dgram.json" "j['ping_group_range'] == [0, 2147483647] and j['in_ping_group']"
check dgram "$dir/dgram.json" "j['dgram_socket'] == {'ok': True, 'errno': None} and not j['raw_socket']['ok']"
check dgram "$dir/dgram.json" "j['ping'] == 'dgram' and not j['craft'] and j['fix_ping_group'] is None"
check dgram "$dir/dgram.json" "j['fix_setcap'] == 'setcap cap_net_raw+p $dir/plain'"
grep_text dgram '^dgram socket +opens'
grep_text dgram '^ping +yes, ICMP datagram socket'
echo "ok: range opened: datagram socket opens, ping falls back to it"

# --- file capability on a nosuid filesystem: not granted, and caps says why
mkdir "$dir/nosuid"
if mount -t tmpfs -o nosuid,mode=755,size=64m rpcaps "$dir/nosuid" 2>/dev/null; then
	nosuid_mnt=$dir/nosuid
	cp "$bin" "$dir/nosuid/capped"
	if setcap cap_net_raw+p "$dir/nosuid/capped" 2>/dev/null; then
		run nosuid "${nobody[@]}" "$dir/nosuid/capped"
		check nosuid "$dir/nosuid.json" "j['nosuid'] and j['file_caps'] == 'cap_net_raw=p' and j['permitted'] == []"
		check nosuid "$dir/nosuid.json" "not j['raw_socket']['ok'] and 'nosuid' in j['why'] and j['fix_setcap'] is None"
		echo "ok: nosuid mount: the reason given is the mount, no setcap hint"
	else
		echo "skipped: tmpfs here takes no security.capability xattr"
	fi
	umount "$dir/nosuid" && nosuid_mnt=
else
	echo "skipped: cannot mount a tmpfs for the nosuid case"
fi

# --- root whose bounding set lacks CAP_NET_RAW (a container that took it away)
run bounding setpriv --bounding-set=-net_raw "$bin"
check bounding "$dir/bounding.json" "j['uid'] == 0 and not j['bounding_net_raw'] and 'cap_net_raw' not in j['permitted']"
check bounding "$dir/bounding.json" "j['raw_socket'] == {'ok': False, 'errno': 'EPERM'} and 'bounding set' in j['why']"
check bounding "$dir/bounding.json" "j['fix_setcap'] is None and j['root_only_options']"
grep_text bounding '^  bounding +cap_net_raw no$'
echo "ok: bounding set without CAP_NET_RAW: the reason given is the bounding set"

# --- usage errors
for args in "--bogus" "extra"; do
	"$bin" caps $args >"$dir/usage.out" 2>"$dir/usage.err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "caps $args exited $rc, expected 2"
	[ "$(wc -l <"$dir/usage.err")" -eq 1 ] && [ ! -s "$dir/usage.out" ] ||
		fail "caps $args: expected one stderr line and no output"
done
"$bin" caps --help | grep -q '^usage: rawprobe caps' || fail "caps --help prints no usage"
echo "ok: usage errors exit 2 with one line"
