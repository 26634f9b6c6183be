# Ping benchmark helpers. The script ping_bench runs rawprobe ping against iputils ping,
# hping3, nping, fping and nmap; see README-ping.md.
#   rp_ping_floor  raw ICMP echo with sendmmsg/recvmmsg and nothing else: the kernel's own
#                  echo rate for one core, the floor no pinger can beat
add_executable(rp_ping_floor rp_ping_floor.c)
