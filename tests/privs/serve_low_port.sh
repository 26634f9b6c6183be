#!/usr/bin/env bash
# `rawprobe serve` on a port below 1024, in a namespace of its own (so no port
# of the host is touched):
#   - as root it listens on tcp:127.0.0.1:7 and echoes, with every capability
#     set at 0 once it listens (CAP_NET_BIND_SERVICE was effective only
#     around bind(2));
#   - as nobody it is refused (exit 2, one line naming the port rule);
#   - port 7 as nobody through a copy with cap_net_bind_service+p works.
#
#   serve_low_port.sh RAWPROBE     exit 0 pass, 1 fail, 77 skip
set -u
bin=$1 test=slp
. "$(dirname "$0")/../netns/lib.sh"
rp_need_rawprobe "serve"
rp_need setpriv

rp_ns_into ns a
out=$rp_work/out

# listening NS PID: the server holds a listening TCP socket on port 7 in NS.
listening() {
	ip netns exec "$ns" awk 'NR > 1 && $4 == "0A" && $2 ~ /:0007$/ { f = 1 } END { exit !f }' /proc/net/tcp
}

rp_bg pid ip netns exec "$ns" "$bin" serve tcp:127.0.0.1:7
rp_wait_until 5 listening || fail "root: nothing listens on port 7"
caps=$(grep -E '^Cap(Prm|Eff|Inh|Amb):' "/proc/$pid/status" | awk '{ print $2 }' | sort -u)
[ "$caps" = "0000000000000000" ] || fail "root: capabilities left while serving: $(grep ^Cap "/proc/$pid/status")"
reply=$(printf 'hello\n' | ip netns exec "$ns" "$bin" connect --timeout 2 tcp:127.0.0.1:7)
[ "$reply" = "hello" ] || fail "root: echo on port 7 answered '$reply'"
kill "$pid"
rp_reap "$pid"
note "root: port 7 served, no capability left while serving"

ip netns exec "$ns" "${rp_nobody[@]}" "$bin" serve tcp:127.0.0.1:7 >"$out" 2>"$out.err" </dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "nobody: exit $rc, expected 2"
[ "$(wc -l <"$out.err")" -eq 1 ] && grep -q '^rawprobe: serve: .*below 1024' "$out.err" ||
	fail "nobody: stderr '$(cat "$out.err")'"
note "nobody: refused in one line"

if command -v setcap >/dev/null 2>&1; then
	rp_copy_binary capped "cap_net_bind_service+p"
	rp_bg pid ip netns exec "$ns" "${rp_nobody[@]}" "$capped" serve tcp:127.0.0.1:7
	rp_wait_until 5 listening || fail "nobody with cap_net_bind_service+p: nothing listens on port 7"
	caps=$(grep -E '^Cap(Prm|Eff|Inh|Amb):' "/proc/$pid/status" | awk '{ print $2 }' | sort -u)
	[ "$caps" = "0000000000000000" ] || fail "capabilities left: $(grep ^Cap "/proc/$pid/status")"
	kill "$pid"
	rp_reap "$pid"
	note "nobody with cap_net_bind_service+p: port 7 served, nothing left once listening"
fi
echo "ok: serve below 1024 with CAP_NET_BIND_SERVICE only around bind"
