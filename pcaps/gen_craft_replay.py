#!/usr/bin/env python3
"""Writes pcaps/craft_replay.pcap, the fixture `rawprobe craft --from-pcap` replays
in tests/netns/craft_replay.sh.

Deterministic: fixed timestamps (1700000000.0, then 10 ms apart), addresses,
ids, ports and payloads; scapy builds the packets, the file is written here
(microsecond pcap, little-endian, LINKTYPE_ETHERNET), so the same bytes come
out every time. Original hosts 10.202.99.1 (A) and 10.202.99.2 (B), inside
10.200.0.0/13; the replay rewrites them.

    1  ICMP echo request A > B, id 0x7001 seq 1, 32 pattern bytes
    2  UDP A.40000 > B.9 "replay udp one"
    3  ARP who-has B tell A                         (not IPv4: skipped)
    4  TCP SYN A.40001 > B.80 seq 1000, mss 1460, sackOK, wscale 7
    5  ICMP echo request seq 2, TTL 5, TOS 0x10, DF
    6  IPv6 ICMPv6 echo request                      (not IPv4: skipped)
    7  UDP A.40002 > B.9, 40 data bytes, first fragment (24 bytes, MF), id 0x7777
    8  the same datagram, last fragment (offset 24, 24 bytes)
    9  UDP A.40003 > B.7 "no checksum", UDP checksum 0
    10 TCP A.40004 > B.443 PSH|ACK seq 2000 ack 3000 "replay tcp data"
    11 ICMP echo request seq 3 with a router alert option
    12 UDP A.40005 > B.9 "replay udp last"

Usage: python3 pcaps/gen_craft_replay.py [OUTFILE]    (default: craft_replay.pcap beside it)
"""

import os
import struct
import sys

try:
    import scapy  # noqa: F401
except ImportError:  # a python without scapy on PATH: use Debian's python3-scapy
    sys.path.append("/usr/lib/python3/dist-packages")

from scapy.config import conf  # noqa: E402
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_Router_Alert, fragment  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

conf.verb = 0

A, B = "10.202.99.1", "10.202.99.2"
MAC_A, MAC_B = "02:00:00:00:63:01", "02:00:00:00:63:02"
T0_US = 1700000000 * 10**6
STEP_US = 10000


def eth(payload, src=MAC_A, dst=MAC_B):
    return Ether(src=src, dst=dst) / payload


def packets():
    pattern = bytes(range(32))
    udp_frag = IP(src=A, dst=B, id=0x7777) / UDP(sport=40002, dport=9) / bytes(range(0x40, 0x68))
    frags = fragment(udp_frag, fragsize=24)
    assert len(frags) == 2
    no_csum = IP(src=A, dst=B, id=0x7009) / UDP(sport=40003, dport=7, chksum=0) / b"no checksum"
    return [
        eth(IP(src=A, dst=B, id=0x7001) / ICMP(id=0x7001, seq=1) / pattern),
        eth(IP(src=A, dst=B, id=0x7002) / UDP(sport=40000, dport=9) / b"replay udp one"),
        eth(ARP(op=1, hwsrc=MAC_A, psrc=A, pdst=B), dst="ff:ff:ff:ff:ff:ff"),
        eth(IP(src=A, dst=B, id=0x7004, flags="DF") /
            TCP(sport=40001, dport=80, seq=1000, flags="S", window=64240,
                options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])),
        eth(IP(src=A, dst=B, id=0x7005, ttl=5, tos=0x10, flags="DF") / ICMP(id=0x7001, seq=2) / pattern),
        Ether(src=MAC_A, dst="33:33:00:00:00:02", type=0x86DD) /
        IPv6(src="fd00::1", dst="fd00::2") / ICMPv6EchoRequest(id=7, seq=1),
        eth(frags[0]),
        eth(frags[1]),
        eth(no_csum),
        eth(IP(src=A, dst=B, id=0x700a, flags="DF") /
            TCP(sport=40004, dport=443, seq=2000, ack=3000, flags="PA", window=502) / b"replay tcp data"),
        eth(IP(src=A, dst=B, id=0x700b, options=[IPOption_Router_Alert()]) / ICMP(id=0x7001, seq=3) / pattern),
        eth(IP(src=A, dst=B, id=0x700c) / UDP(sport=40005, dport=9) / Raw(b"replay udp last")),
    ]


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            t = T0_US + i * STEP_US
            f.write(struct.pack("<IIII", t // 10**6, t % 10**6, len(frame), len(frame)))
            f.write(frame)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                            "craft_replay.pcap")
    frames = [bytes(p) for p in packets()]
    write_pcap(out, frames)
    print(f"{out}: {len(frames)} frames, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
