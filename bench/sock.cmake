# Socket benchmark helpers (rawprobe bench against socat and a bare loop).
#   rp_sock_floor  a bare blocking send/recv loop with a forked bare server: the floor
# The script sock_bench runs everything; see README-sock.md.

add_executable(rp_sock_floor sock_floor.c)
