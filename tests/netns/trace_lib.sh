# Shared by the trace_*.sh tests (source it after lib.sh): a chain of router
# namespaces between a source and a target, and the checks on trace's output.
#
# trace_chain N BASE TAG: source - R1 - ... - RN - target. Link i (1..N+1) is
# 10.201.(BASE+i).0/24, .1 on the source's side and .2 on the target's. Routers
# forward (ip_forward=1) with the per-source ICMP limit off (icmp_ratelimit=0)
# so that repeated runs are all answered; the target keeps the default limit.
# Routers send traffic for unknown places on towards the target, except RN,
# which has no default route (Net Unreachable). Sets:
#   tr_src tr_dst        the source's and the target's namespaces
#   tr_routers[1..N]     the routers' namespaces
#   tr_target            the target's address
#   tr_hops[1..N+1]      the address each hop answers from (towards the source)
#   tr_src_if            R1's interface facing the source (for captures)

trace_chain() {
	local n=$1 base=$2 tag=$3 i prev ns
	rp_ns_into tr_src s
	prev=$tr_src
	tr_routers=("")
	tr_hops=("")
	for ((i = 1; i <= n; i++)); do
		rp_ns_into ns "r$i"
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 ||
			fail "cannot make $ns a router"
		rp_veth "$prev" "10.201.$((base + i)).1/24" "$ns" "10.201.$((base + i)).2/24" "$tag$i"
		[ "$i" -ne 1 ] || tr_src_if=$rp_veth_b
		tr_routers+=("$ns")
		tr_hops+=("10.201.$((base + i)).2")
		prev=$ns
	done
	rp_ns_into tr_dst t
	rp_veth "$prev" "10.201.$((base + n + 1)).1/24" "$tr_dst" "10.201.$((base + n + 1)).2/24" "$tag$((n + 1))"
	tr_target=10.201.$((base + n + 1)).2
	tr_hops+=("$tr_target")
	ip -n "$tr_src" route add default via "10.201.$((base + 1)).2" || fail "default route in the source"
	ip -n "$tr_dst" route add default via "10.201.$((base + n + 1)).1" || fail "default route in the target"
	for ((i = 1; i <= n; i++)); do
		ns=${tr_routers[$i]}
		if [ "$i" -lt "$n" ]; then
			ip -n "$ns" route add default via "10.201.$((base + i + 1)).2" || fail "route in R$i"
		fi
		if [ "$i" -gt 1 ]; then
			ip -n "$ns" route add "10.201.$((base + 1)).0/24" via "10.201.$((base + i)).1" ||
				fail "route back in R$i"
		fi
	done
	rp_wait_reachable "$tr_src" "$tr_target"
}

# tr_ms: milliseconds since the epoch, for timing a run.
tr_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# tr_expect_path FILE HOP ADDR...: FILE is a text trace whose hop lines,
# from HOP on, are answered from exactly ADDR..., in that order, each line
# with three times and no star; nothing after the last.
tr_expect_path() {
	local file=$1 hop=$2 addr want line re
	shift 2
	want=$(($# + 1))
	[ "$(wc -l <"$file")" -eq "$want" ] || { cat "$file"; fail "$file: $want lines expected (header and $# hops)"; }
	head -n 1 "$file" | grep -Eq '^trace to [0-9.]+ \([0-9.]+\), [0-9]+ hops max, [0-9]+ byte packets$' ||
		{ cat "$file"; fail "$file: first line is not 'trace to A (A), N hops max, N byte packets'"; }
	for addr in "$@"; do
		line=$(awk -v h="$hop" '$1 == h' "$file")
		re="^ *$hop  ${addr//./\\.}  [0-9]+\\.[0-9]{3} ms  [0-9]+\\.[0-9]{3} ms  [0-9]+\\.[0-9]{3} ms\$"
		[[ $line =~ $re ]] || { cat "$file"; fail "$file: hop $hop is '$line', expected $addr with three times"; }
		hop=$((hop + 1))
	done
}
