#!/usr/bin/env bash
# rawprobe ping's option parsing and refusals: every bad value ends in exit 2,
# nothing on stdout and one line on stderr that names the option. The
# root-only options are refused for another user (when this runs as root,
# through setpriv as nobody). No packet is sent by any of these.
#
#   ping_options.sh RAWPROBE     exit 0 pass, 1 fail
set -u

bin=$1
fails=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# refuse WORD ARGS...: exit 2, empty stdout, one stderr line containing WORD.
refuse() {
	local word=$1 rc=0
	shift
	"$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	local lines
	lines=$(wc -l <"$work/err")
	if [ "$rc" -ne 2 ] || [ -s "$work/out" ] || [ "$lines" -ne 1 ] ||
		! grep -q -- "^rawprobe: ping: .*$word" "$work/err"; then
		echo "FAIL: $* -> exit $rc, stdout $(wc -c <"$work/out") bytes, stderr: $(cat "$work/err")"
		fails=$((fails + 1))
	fi
}

refuse "no target" "$bin" ping
refuse "unknown option --bogus" "$bin" ping --bogus 127.0.0.1
refuse "unknown option -Z" "$bin" ping -Z 127.0.0.1
refuse "needs a value" "$bin" ping 127.0.0.1 -c
refuse "-c value is 0: too small" "$bin" ping -c 0 127.0.0.1
refuse "-c value 'x'" "$bin" ping -c x 127.0.0.1
refuse "-s value is 65508: too large" "$bin" ping -s 65508 127.0.0.1
refuse "-t value '0' is out of range (1 to 255)" "$bin" ping -t 0 127.0.0.1
refuse "-t value '256'" "$bin" ping -t 256 127.0.0.1
refuse "-Q value '0x100'" "$bin" ping -Q 0x100 127.0.0.1
refuse "-M value 'maybe' is not one of do, dont, want" "$bin" ping -M maybe 127.0.0.1
refuse "-p value 'zz'" "$bin" ping -p zz 127.0.0.1
refuse "-p value" "$bin" ping -p 00112233445566778899aabbccddeeff00 127.0.0.1
refuse "-W value" "$bin" ping -W 0 127.0.0.1
refuse "-i value is -1: out of range" "$bin" ping -i -1 127.0.0.1
refuse "-a and -u exclude each other" "$bin" ping -a -u 127.0.0.0/30
refuse "-i and --rate both" "$bin" ping -i 1 --rate 5 127.0.0.1
refuse "--retries value is 21: too large" "$bin" ping --retries 21 127.0.0.0/30
refuse "-I value" "$bin" ping -I this-name-is-far-too-long 127.0.0.1
if [ "$(id -u)" -eq 0 ]; then
	refuse "not an IPv4 block" "$bin" ping 127.0.0.0/33
	refuse "sweep sends at most" "$bin" ping -c 40000 --retries 1 127.0.0.0/30
fi

# --help is not an error.
if ! "$bin" ping --help | grep -q '^usage: rawprobe ping'; then
	echo "FAIL: ping --help"
	fails=$((fails + 1))
fi

# Root-only, as in iputils: another user with the capability is still refused.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && command -v setcap >/dev/null; then
	cp "$bin" "$work/rawprobe"
	setcap cap_net_raw+p "$work/rawprobe"
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$work/rawprobe")
	refuse "-f (flood) is for root only" "${nobody[@]}" ping -f -c 1 127.0.0.1
	refuse "intervals under 2 ms are for root only" "${nobody[@]}" ping -i 0.001 -c 1 127.0.0.1
	refuse "more than 500 probes per second is for root only" "${nobody[@]}" ping --rate 1000 -c 1 127.0.0.1
	refuse "preload of more than 3 is for root only" "${nobody[@]}" ping -l 4 -c 1 127.0.0.1
else
	echo "note: not root: the root-only refusals were not checked"
fi

[ "$fails" -eq 0 ] || exit 1
echo "PASS"
