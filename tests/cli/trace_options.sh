#!/usr/bin/env bash
# rawprobe trace's option parsing and refusals: every bad value ends in exit 2,
# nothing on stdout and one line on stderr that names the problem. No packet
# is sent by any of these (the targets are loopback or never resolved).
#
#   trace_options.sh RAWPROBE     exit 0 pass, 1 fail
set -u

bin=$1
fails=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# refuse WORDS ARGS...: exit 2, empty stdout, one stderr line containing WORDS.
refuse() {
	local word=$1 rc=0 lines
	shift
	"$bin" trace "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	lines=$(wc -l <"$work/err")
	if [ "$rc" -ne 2 ] || [ -s "$work/out" ] || [ "$lines" -ne 1 ] ||
		! grep -qF -- "$word" "$work/err" || ! grep -q '^rawprobe: trace: ' "$work/err"; then
		echo "FAIL: trace $* -> exit $rc, stdout $(wc -c <"$work/out") bytes, stderr: $(cat "$work/err")"
		fails=$((fails + 1))
	fi
}

refuse "no target given"
refuse "one target only, '127.0.0.2' is a second" 127.0.0.1 127.0.0.2
refuse "unknown option --bogus" --bogus 127.0.0.1
refuse "unknown option -Z" -Z 127.0.0.1
refuse "option -q needs a value" 127.0.0.1 -q
refuse "-q value is 0: too small (1 at least)" -q 0 127.0.0.1
refuse "-q value is 11: too large (10 at most)" -q 11 127.0.0.1
refuse "-q value 'x' is not a whole number" -q x 127.0.0.1
refuse "-m value is 0: too small" -m 0 127.0.0.1
refuse "-m value is 256: too large (255 at most)" -m 256 127.0.0.1
refuse "-f value is 0: too small" -f 0 127.0.0.1
refuse "-f 10 is beyond -m 5" -f 10 -m 5 127.0.0.1
refuse "-w value is -1: out of range" -w -1 127.0.0.1
refuse "-w value is 0: out of range" -w 0 127.0.0.1
refuse "-w value 'soon' is not a number of seconds" -w soon 127.0.0.1
refuse "-w value '1,x': expected MAX[,HERE,NEAR]" -w 1,x 127.0.0.1
refuse "-w value '1,2,3,4': expected MAX" -w 1,2,3,4 127.0.0.1
refuse "-w value '1,-2': expected MAX" -w 1,-2 127.0.0.1
refuse "-s value is 65508: too large (65507 at most)" -s 65508 127.0.0.1
refuse "-s value is 100000: too large" -s 100000 127.0.0.1
refuse "-s 1: ICMP probes need at least 2 data bytes" -s 1 127.0.0.1
refuse "-p value is 0: too small" -U -p 0 127.0.0.1
refuse "-p value is 65536: too large" -U -p 65536 127.0.0.1
refuse "-p sets the UDP destination port; add -U" -p 40000 127.0.0.1
refuse "-i value 'an-interface-name-too-long'" -i an-interface-name-too-long 127.0.0.1
refuse "'999.1.1.1' is not an IPv4 address" 999.1.1.1
refuse "'10.201.0.1.5' is not an IPv4 address" 10.201.0.1.5
refuse "the target is empty" ""
refuse "255.255.255.255 is not a unicast address" 255.255.255.255
refuse "224.0.0.1 is not a unicast address" 224.0.0.1
refuse "0.0.0.0 is not a unicast address" 0.0.0.0

# --help is not an error.
if ! "$bin" trace --help | grep -q '^usage: rawprobe trace'; then
	echo "FAIL: trace --help"
	fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] || exit 1
echo "PASS"
