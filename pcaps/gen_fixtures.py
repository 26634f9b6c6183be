#!/usr/bin/env python3
"""(Re)writes every capture fixture in pcaps/ and pcaps/README.md.

Deterministic: fixed timestamps (from 1700000000.0 in fixed steps), fixed
addresses, ids, ports and payloads; no randomness, no name lookups. Run it
again and the files come out byte for byte the same.

The network and transport headers are built by hand (small helpers below) so
that malformed fields can be set exactly; scapy builds the link layers and
the non-IPv4 payloads (ARP, IPv6, LLC) and encodes TCP options and DNS. The
files are written by a small pcap / pcapng writer of our own, because scapy
cannot set every link type, byte order or timestamp precision used here.

Usage: python3 pcaps/gen_fixtures.py [OUTDIR]     (default: the script's directory)
"""

import os
import struct
import sys

try:
    import scapy  # noqa: F401
except ImportError:  # a python without scapy on PATH (pyenv): use Debian's python3-scapy
    sys.path.append("/usr/lib/python3/dist-packages")

from scapy.config import conf  # noqa: E402
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.layers.inet import TCP  # noqa: E402
from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest, ICMPv6EchoReply  # noqa: E402
from scapy.layers.l2 import ARP, LLC, STP, CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Dot3, Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

conf.verb = 0

T0 = 1700000000 * 10**9  # every capture starts here (ns)

# Addresses: documentation and private ranges only.
A, B, C = "10.0.0.1", "10.0.0.2", "10.0.0.3"
GW, GW2 = "10.0.0.254", "10.0.0.253"
FAR, FAR2 = "198.51.100.7", "203.0.113.5"
MAC_A, MAC_B, MAC_GW = "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:fe"
BCAST = "ff:ff:ff:ff:ff:ff"
V6A, V6B = "2001:db8::1", "2001:db8::2"

ECHO_DATA = bytes(range(0x10, 0x48))  # 56 bytes, like ping's default payload

# --------------------------------------------------------------------- helpers


def inet_aton(a):
    return bytes(int(x) for x in a.split("."))


def csum(data):
    """Internet checksum (RFC 1071) of data, as the value to put on the wire."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, *, ident=0x1000, ttl=64, tos=0, df=False, mf=False,
         frag=0, rf=False, options=b"", ihl=None, tot_len=None, version=4, checksum=None):
    """An IPv4 header plus payload. frag is the offset in bytes (multiple of 8 unless
    deliberately not). ihl/tot_len/checksum override the computed values."""
    if ihl is None:
        assert len(options) % 4 == 0, "pad the options to a multiple of 4"
        ihl = 5 + len(options) // 4
    if tot_len is None:
        tot_len = 20 + len(options) + len(payload)
    flags = (0x8000 if rf else 0) | (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, tos, tot_len, ident, flags, ttl,
                      proto, 0, inet_aton(src), inet_aton(dst)) + options
    if checksum is None:  # over the header as a reader will see it (ihl words), at least 20 bytes
        checksum = csum((hdr + payload)[: max(20, ihl * 4)] if ihl >= 5 else hdr[:20])
    hdr = hdr[:10] + struct.pack("!H", checksum) + hdr[12:]
    return hdr + payload


def icmp(typ, code, rest=0, body=b"", checksum=None):
    """An ICMP message; rest is bytes 4-7 (an int or 4 bytes)."""
    if isinstance(rest, int):
        rest = struct.pack("!I", rest)
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    if checksum is None:
        checksum = csum(msg)
    return msg[:2] + struct.pack("!H", checksum) + msg[4:]


def echo(typ, ident, seq, data=ECHO_DATA, checksum=None):
    return icmp(typ, 0, (ident << 16) | seq, data, checksum)


def pseudo(src, dst, proto, length):
    return inet_aton(src) + inet_aton(dst) + struct.pack("!BBH", 0, proto, length)


def udp(src, dst, sport, dport, payload, checksum=None, length=None):
    """A UDP header plus payload; checksum None = computed, else the value to write."""
    ulen = 8 + len(payload) if length is None else length
    seg = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    if checksum is None:
        checksum = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", checksum) + seg[8:]


def tcp(src, dst, sport, dport, *, seq=0, ack=0, flags="", win=65535, options=None,
        payload=b"", urgptr=0, checksum=None, doff=None, raw_options=None):
    """A TCP segment; scapy encodes the options, the checksum is ours."""
    opts = raw_options if raw_options is not None else \
        (bytes(TCP(options=options))[20:] if options else b"")
    hlen = 20 + len(opts)
    if doff is None:
        assert hlen % 4 == 0
        doff = hlen // 4
    fl = 0
    for ch, bit in zip("FSRPAUEC", (1, 2, 4, 8, 16, 32, 64, 128)):
        if ch in flags:
            fl |= bit
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, fl, win, 0, urgptr) + opts + payload
    if checksum is None:
        checksum = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", checksum) + seg[18:]


SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (100, 0)), ("NOP", None), ("WScale", 7)]


def dns_query(qid=0x1234, name="example.com"):
    return bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype="A")))


def dns_answer(qid=0x1234, name="example.com", addr="192.0.2.10"):
    return bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="A"),
                     an=DNSRR(rrname=name, type="A", ttl=300, rdata=addr)))


def eth(l3, src=MAC_A, dst=MAC_B, etype=0x0800, pad_to=0):
    f = bytes(Ether(src=src, dst=dst, type=etype) / Raw(l3))
    return f + b"\0" * max(0, pad_to - len(f))


def mac_for(ip_src):
    return {A: MAC_A, B: MAC_B}.get(ip_src, MAC_GW)


def eth_ip(l3, pad_to=0):
    """Ethernet frame for an IPv4 packet, MACs chosen from the source address."""
    src = inet_str(l3[12:16]) if len(l3) >= 16 else A
    s = mac_for(src)
    d = MAC_A if s != MAC_A else MAC_B
    return eth(l3, src=s, dst=d, pad_to=pad_to)


def inet_str(b):
    return ".".join(str(x) for x in b)


# ---------------------------------------------------------- the common packets

def p_echo_req(ident=0x1234, seq=1, src=A, dst=B, ipid=0x1001, data=ECHO_DATA, checksum=None, **kw):
    return ipv4(src, dst, 1, echo(8, ident, seq, data, checksum), ident=ipid, df=True, **kw)


def p_echo_rep(ident=0x1234, seq=1, src=B, dst=A, ipid=0x2001, data=ECHO_DATA, checksum=None, **kw):
    return ipv4(src, dst, 1, echo(0, ident, seq, data, checksum), ident=ipid, **kw)


def p_dns_query(src=A, dst=B, ipid=0x1002):
    return ipv4(src, dst, 17, udp(src, dst, 5353, 53, dns_query()), ident=ipid)


def p_dns_answer(src=B, dst=A, ipid=0x2002):
    return ipv4(src, dst, 17, udp(src, dst, 53, 5353, dns_answer()), ident=ipid)


def p_syn(src=A, dst=B, ipid=0x1003):
    return ipv4(src, dst, 6, tcp(src, dst, 40000, 80, seq=1000, flags="S", options=SYN_OPTS),
                ident=ipid, df=True)


def core_ipv4():
    """The four IPv4 packets every link-type fixture carries."""
    return [
        (p_echo_req(), "ICMP echo request 10.0.0.1 > 10.0.0.2 id 0x1234 seq 1"),
        (p_echo_rep(), "ICMP echo reply, 0.2 ms later"),
        (p_dns_query(), "UDP DNS query 10.0.0.1.5353 > 10.0.0.2.53"),
        (p_syn(), "TCP SYN 10.0.0.1.40000 > 10.0.0.2.80 with mss,sackOK,TS,nop,wscale"),
    ]


def v6_echo():
    return bytes(IPv6(src=V6A, dst=V6B, hlim=64) / ICMPv6EchoRequest(id=0x77, seq=1, data=b"rawprobe-v6"))


def v6_echo_reply():
    return bytes(IPv6(src=V6B, dst=V6A, hlim=64) / ICMPv6EchoReply(id=0x77, seq=1, data=b"rawprobe-v6"))


def arp_req():
    return bytes(ARP(op=1, hwsrc=MAC_A, psrc=A, hwdst="00:00:00:00:00:00", pdst=B))


def arp_rep():
    return bytes(ARP(op=2, hwsrc=MAC_B, psrc=B, hwdst=MAC_A, pdst=A))


# ------------------------------------------------------------------- writers

class Capture:
    """Records for one file: (ts_ns, captured bytes, wire length, note)."""

    def __init__(self, name, linktype, desc, step_us=1000):
        self.name, self.linktype, self.desc = name, linktype, desc
        self.records = []
        self.t = T0
        self.step = step_us * 1000
        self.first = True

    def add(self, data, note, *, wirelen=None, at=None, after_us=None, after_ns=None):
        """Appends a frame. Time: 'at' (ns since T0), or the previous time plus
        after_us/after_ns, or plus the default step; the first frame is at T0."""
        if at is not None:
            self.t = T0 + at
        elif after_ns is not None:
            self.t += after_ns
        elif after_us is not None:
            self.t += after_us * 1000
        elif not self.first:
            self.t += self.step
        self.first = False
        wl = len(data) if wirelen is None else wirelen
        self.records.append((self.t, bytes(data), wl, note))

    def cut(self, data, caplen, note, **kw):
        """The frame as a capture with snap length caplen would store it."""
        assert caplen < len(data)
        self.add(data[:caplen], note, wirelen=len(data), **kw)


def pcap_bytes(cap, *, nano=False, endian="<", snaplen=65535, linktype=None):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    lt = cap.linktype if linktype is None else linktype
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, lt)]
    for ts, data, wirelen, _ in cap.records:
        sec, ns = divmod(ts, 10**9)
        frac = ns if nano else ns // 1000
        assert nano or ns % 1000 == 0, "microsecond file with a sub-microsecond time"
        out.append(struct.pack(endian + "IIII", sec, frac, len(data), wirelen) + data)
    return b"".join(out)


def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng_bytes(cap, *, tsresol=6, truncate_last=None):
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                       pcapng_option(4, b"rawprobe gen_fixtures.py") + pcapng_option(0, b""))
    idb_opts = pcapng_option(2, b"eth0")
    if tsresol != 6:
        idb_opts += pcapng_option(9, bytes([tsresol]))
    idb = pcapng_block(1, struct.pack("<HHI", cap.linktype, 0, 262144) + idb_opts + pcapng_option(0, b""))
    blocks = [shb, idb]
    for ts, data, wirelen, _ in cap.records:
        units = ts // (10 ** (9 - tsresol))
        epb = struct.pack("<IIIII", 0, units >> 32, units & 0xFFFFFFFF, len(data), wirelen) + data
        blocks.append(pcapng_block(6, epb))
    # An interface statistics block at the end: readers must skip it.
    last = cap.records[-1][0] // (10 ** (9 - tsresol)) if cap.records else 0
    isb = struct.pack("<III", 0, last >> 32, last & 0xFFFFFFFF) + \
        pcapng_option(4, struct.pack("<Q", len(cap.records))) + \
        pcapng_option(5, struct.pack("<Q", 0)) + pcapng_option(0, b"")
    blocks.append(pcapng_block(5, isb))
    out = b"".join(blocks)
    if truncate_last is not None:
        out = out[:truncate_last]
    return out


# ------------------------------------------------------------------ fixtures

FIXTURES = []  # (file name, description, bytes, records or None)


def emit(fname, cap, data):
    FIXTURES.append((fname, cap.desc, data, cap.records))


def emit_raw(fname, desc, data):
    FIXTURES.append((fname, desc, data, None))


def ethernet_core(cap, wrap=lambda l3, src: eth_ip(l3)):
    for i, (l3, note) in enumerate(core_ipv4()):
        cap.add(wrap(l3, inet_str(l3[12:16])), note, after_us=200 if i == 1 else None)


def fx_eth_basic():
    cap = Capture("eth_basic", 1, "Ethernet (LINKTYPE_ETHERNET 1): the four common IPv4 packets, "
                  "ARP request/reply (padded to 60), an IPv6 ICMPv6 echo, an 802.3/LLC (STP) frame, "
                  "and a UDP datagram padded to 60 bytes (padding is not part of the datagram).")
    ethernet_core(cap)
    cap.add(eth(arp_req(), MAC_A, BCAST, 0x0806, pad_to=60), "ARP who-has 10.0.0.2 tell 10.0.0.1 (non-IPv4)")
    cap.add(eth(arp_rep(), MAC_B, MAC_A, 0x0806, pad_to=60), "ARP reply 10.0.0.2 is-at 02:00:00:00:00:02")
    cap.add(eth(v6_echo(), MAC_A, MAC_B, 0x86DD), "IPv6 ICMPv6 echo request (non-IPv4)")
    stp = bytes(Dot3(src=MAC_A, dst="01:80:c2:00:00:00") / LLC() / STP())
    cap.add(stp + b"\0" * max(0, 60 - len(stp)), "802.3 length field + LLC: STP BPDU (non-IPv4)")
    small = ipv4(A, B, 17, udp(A, B, 40000, 9, b"hi"), ident=0x1004)
    cap.add(eth_ip(small, pad_to=60), "UDP 10.0.0.1.40000 > 10.0.0.2.9 length 2, frame padded to 60")
    emit("eth_basic.pcap", cap, pcap_bytes(cap))


def fx_vlan():
    cap = Capture("vlan_8021q", 1, "Ethernet with one 802.1Q tag (VLAN 100, then priority 5 + DEI): "
                  "the four common packets and an ARP request.")

    def tag(l3, src, vid=100, prio=0, dei=0, etype=0x0800, pad_to=0):
        s = mac_for(src)
        d = MAC_A if s != MAC_A else MAC_B
        f = bytes(Ether(src=s, dst=d, type=0x8100) / Dot1Q(vlan=vid, prio=prio, id=dei, type=etype) / Raw(l3))
        return f + b"\0" * max(0, pad_to - len(f))

    ethernet_core(cap, lambda l3, src: tag(l3, src))
    cap.add(tag(p_echo_req(seq=2), A, vid=100, prio=5, dei=1), "echo request seq 2, VLAN 100 priority 5 DEI 1")
    cap.add(tag(arp_req(), A, etype=0x0806, pad_to=64), "ARP request in VLAN 100 (non-IPv4)")
    emit("vlan_8021q.pcap", cap, pcap_bytes(cap))

    cap = Capture("vlan_qinq", 1, "Ethernet with two tags: 802.1ad (0x88a8, S-VLAN 200) then 802.1Q "
                  "(C-VLAN 100); one old-style 0x8100+0x8100 double tag; an IPv6 frame double-tagged.")

    def qinq(l3, src, outer=0x88A8, etype=0x0800):
        s = mac_for(src)
        d = MAC_A if s != MAC_A else MAC_B
        if outer == 0x88A8:
            f = Ether(src=s, dst=d, type=0x88A8) / Dot1AD(vlan=200, type=0x8100) / Dot1Q(vlan=100, type=etype)
        else:
            f = Ether(src=s, dst=d, type=0x8100) / Dot1Q(vlan=300, type=0x8100) / Dot1Q(vlan=100, type=etype)
        return bytes(f / Raw(l3))

    ethernet_core(cap, lambda l3, src: qinq(l3, src))
    cap.add(qinq(p_echo_req(seq=2), A, outer=0x8100), "echo request seq 2 in 0x8100 VLAN 300 + 0x8100 VLAN 100")
    cap.add(qinq(v6_echo(), A, etype=0x86DD), "IPv6 ICMPv6 echo request, 802.1ad 200 + 802.1Q 100 (non-IPv4)")
    emit("vlan_qinq.pcap", cap, pcap_bytes(cap))


def fx_raw():
    for lt, fname, what in ((101, "raw_101.pcap", "LINKTYPE_RAW (101, read back as DLT_RAW)"),
                            (12, "raw_dlt12.pcap", "link type 12 (DLT_RAW on most systems)"),
                            (14, "raw_dlt14.pcap", "link type 14 (DLT_RAW on OpenBSD)")):
        cap = Capture(fname, lt, "Raw IP, %s: the four common packets and an IPv6 packet "
                      "(version nibble 6)." % what)
        for i, (l3, note) in enumerate(core_ipv4()):
            cap.add(l3, note, after_us=200 if i == 1 else None)
        cap.add(v6_echo(), "IPv6 ICMPv6 echo request (non-IPv4)")
        emit(fname, cap, pcap_bytes(cap))

    cap = Capture("ipv4_228", 228, "LINKTYPE_IPV4 (228): the four common packets, then an IPv6 packet, which "
                  "this link type should not carry (tshark and tcpdump decode it as IPv6 by its version nibble).")
    for i, (l3, note) in enumerate(core_ipv4()):
        cap.add(l3, note, after_us=200 if i == 1 else None)
    cap.add(v6_echo(), "IPv6 packet on the IPv4-only link type (version nibble 6)")
    emit("ipv4_228.pcap", cap, pcap_bytes(cap))


def fx_sll():
    def sll(l3, src, proto=0x0800, pkttype=0):
        mac = bytes.fromhex(mac_for(src).replace(":", ""))
        return bytes(CookedLinux(pkttype=pkttype, lladdrtype=1, lladdrlen=6, src=mac + b"\0\0", proto=proto) / Raw(l3))

    cap = Capture("sll", 113, "Linux cooked capture v1 (LINUX_SLL 113): the four common packets "
                  "(outgoing ones with packet type 4), an ARP request and an IPv6 packet.")
    for i, (l3, note) in enumerate(core_ipv4()):
        src = inet_str(l3[12:16])
        cap.add(sll(l3, src, pkttype=4 if src == A else 0), note, after_us=200 if i == 1 else None)
    cap.add(sll(arp_req(), A, 0x0806, 4), "ARP request (non-IPv4)")
    cap.add(sll(v6_echo(), A, 0x86DD, 4), "IPv6 ICMPv6 echo request (non-IPv4)")
    emit("sll.pcap", cap, pcap_bytes(cap))

    def sll2(l3, src, proto=0x0800, pkttype=0):
        mac = bytes.fromhex(mac_for(src).replace(":", ""))
        return bytes(CookedLinuxV2(proto=proto, ifindex=2, lladdrtype=1, pkttype=pkttype, lladdrlen=6,
                                   src=mac + b"\0\0") / Raw(l3))

    cap = Capture("sll2", 276, "Linux cooked capture v2 (LINUX_SLL2 276, interface index 2): the four "
                  "common packets, an ARP request and an IPv6 packet.")
    for i, (l3, note) in enumerate(core_ipv4()):
        src = inet_str(l3[12:16])
        cap.add(sll2(l3, src, pkttype=4 if src == A else 0), note, after_us=200 if i == 1 else None)
    cap.add(sll2(arp_req(), A, 0x0806, 4), "ARP request (non-IPv4)")
    cap.add(sll2(v6_echo(), A, 0x86DD, 4), "IPv6 ICMPv6 echo request (non-IPv4)")
    emit("sll2.pcap", cap, pcap_bytes(cap))


def fx_null_loop():
    cap = Capture("null", 0, "BSD loopback DLT_NULL (0): 4-byte address family in the capturing host's "
                  "byte order, here little-endian (AF_INET 2 = 02 00 00 00); IPv6 with family 30 (macOS).")
    for i, (l3, note) in enumerate(core_ipv4()):
        cap.add(struct.pack("<I", 2) + l3, note, after_us=200 if i == 1 else None)
    cap.add(struct.pack("<I", 30) + v6_echo(), "IPv6, family 30 little-endian (non-IPv4)")
    emit("null.pcap", cap, pcap_bytes(cap))

    cap = Capture("loop", 108, "OpenBSD loopback DLT_LOOP (108): 4-byte address family in network "
                  "byte order (AF_INET 2 = 00 00 00 02); IPv6 with family 24 (OpenBSD).")
    for i, (l3, note) in enumerate(core_ipv4()):
        cap.add(struct.pack(">I", 2) + l3, note, after_us=200 if i == 1 else None)
    cap.add(struct.pack(">I", 24) + v6_echo(), "IPv6, family 24 big-endian (non-IPv4)")
    emit("loop.pcap", cap, pcap_bytes(cap))


def fx_formats():
    cap = Capture("nano", 1, "Nanosecond pcap (magic 0xa1b23c4d), Ethernet: an echo pair 12.345 us "
                  "apart starting 1 ns after T0, a UDP datagram at .123456789, an IPv6 echo reply.")
    cap.add(eth_ip(p_echo_req()), "echo request at 1700000000.000000001", at=1)
    cap.add(eth_ip(p_echo_rep()), "echo reply 12345 ns later (rtt 0.012345 ms)", after_ns=12345)
    cap.add(eth_ip(p_dns_query()), "UDP DNS query at 1700000000.123456789", at=123456789)
    cap.add(eth(v6_echo_reply(), MAC_B, MAC_A, 0x86DD), "IPv6 echo reply at 1700000001.000000999 (non-IPv4)",
            at=10**9 + 999)
    emit("nano.pcap", cap, pcap_bytes(cap, nano=True))

    cap = Capture("bigendian", 1, "Microsecond pcap written big-endian (magic a1 b2 c3 d4 in that byte "
                  "order, as a SPARC or PowerPC host writes it): the four common packets.")
    ethernet_core(cap)
    emit("eth_bigendian.pcap", cap, pcap_bytes(cap, endian=">"))

    cap = Capture("pcapng", 1, "pcapng (SHB, IDB EN10MB with default microsecond resolution, EPBs, "
                  "a trailing ISB): the four common packets and an ARP request.")
    ethernet_core(cap)
    cap.add(eth(arp_req(), MAC_A, BCAST, 0x0806, pad_to=60), "ARP request (non-IPv4)")
    emit("eth.pcapng", cap, pcapng_bytes(cap))

    cap = Capture("pcapng_ns", 1, "pcapng with if_tsresol = 9 (nanoseconds): an echo pair 1.5 us "
                  "apart at sub-microsecond times, a DNS query.")
    cap.add(eth_ip(p_echo_req()), "echo request at 1700000000.000000250", at=250)
    cap.add(eth_ip(p_echo_rep()), "echo reply 1500 ns later", after_ns=1500)
    cap.add(eth_ip(p_dns_query()), "DNS query at 1700000000.100000001", at=100000001)
    emit("eth_ns.pcapng", cap, pcapng_bytes(cap, tsresol=9))

    cap = Capture("header_only", 1, "A valid pcap file header and no packets.")
    emit("header_only.pcap", cap, pcap_bytes(cap))


def fx_icmp_echo():
    cap = Capture("icmp_echo", 1, "ICMP echo pairing: normal pairs, a duplicate reply, a reply with a "
                  "wrong checksum, an unanswered request, a reply without request, a reply from the "
                  "wrong host, a request with a bad checksum, an empty echo, id reuse by two hosts.")
    e = eth_ip
    cap.add(e(p_echo_req(seq=1, ipid=0x1001)), "request id 0x1234 seq 1")
    cap.add(e(p_echo_rep(seq=1, ipid=0x2001)), "reply seq 1, rtt 0.5 ms", after_us=500)
    cap.add(e(p_echo_req(seq=2, ipid=0x1002)), "request seq 2")
    cap.add(e(p_echo_rep(seq=2, ipid=0x2002)), "reply seq 2, rtt 0.25 ms", after_us=250)
    cap.add(e(p_echo_rep(seq=2, ipid=0x2003)), "duplicate reply seq 2, rtt 0.75 ms (dup)", after_us=500)
    cap.add(e(p_echo_req(seq=3, ipid=0x1003)), "request seq 3")
    good = echo(0, 0x1234, 3)
    bad = (struct.unpack("!H", good[2:4])[0] ^ 0x0101)
    cap.add(e(p_echo_rep(seq=3, ipid=0x2004, checksum=bad)), "reply seq 3 with a wrong ICMP checksum, rtt 0.3 ms",
            after_us=300)
    cap.add(e(p_echo_req(seq=4, ipid=0x1004)), "request seq 4: never answered")
    cap.add(e(p_echo_rep(seq=99, ipid=0x2005)), "reply seq 99: no request for it")
    cap.add(e(p_echo_req(seq=5, ipid=0x1005)), "request seq 5 to 10.0.0.2")
    cap.add(e(p_echo_rep(seq=5, src=C, ipid=0x3001)), "reply seq 5 but from 10.0.0.3: does not match",
            after_us=100)
    cap.add(e(p_echo_rep(seq=5, ipid=0x2006)), "reply seq 5 from 10.0.0.2, rtt 1.1 ms", after_us=1000)
    good = echo(8, 0x1234, 6)
    bad = (struct.unpack("!H", good[2:4])[0] ^ 0x00FF)
    cap.add(e(p_echo_req(seq=6, ipid=0x1006, checksum=bad)), "request seq 6 with a wrong checksum")
    cap.add(e(p_echo_rep(seq=6, ipid=0x2007)), "reply seq 6, rtt 0.4 ms", after_us=400)
    cap.add(e(p_echo_req(ident=0x4321, seq=1, ipid=0x1007, data=b"")), "request id 0x4321 seq 1, no data (8 bytes)")
    cap.add(e(p_echo_rep(ident=0x4321, seq=1, ipid=0x2008, data=b"")), "reply id 0x4321 seq 1, rtt 0.05 ms",
            after_us=50)
    cap.add(e(p_echo_req(ident=0x1234, seq=7, src=C, dst=B, ipid=0x3002)), "request id 0x1234 seq 7 from 10.0.0.3")
    cap.add(e(p_echo_req(ident=0x1234, seq=7, ipid=0x1008)), "request id 0x1234 seq 7 from 10.0.0.1 (same id/seq)",
            after_us=10)
    cap.add(e(p_echo_rep(ident=0x1234, seq=7, dst=A, ipid=0x2009)), "reply to 10.0.0.1 seq 7, rtt 0.2 ms",
            after_us=200)
    cap.add(e(p_echo_rep(ident=0x1234, seq=7, dst=C, ipid=0x200A)), "reply to 10.0.0.3 seq 7, rtt 0.31 ms",
            after_us=100)
    emit("icmp_echo.pcap", cap, pcap_bytes(cap))


# Datagrams that ICMP errors quote.
def orig_udp(dst=FAR, ttl=64, ipid=0x2101, dport=33434, data=b"rawprobe udp probe payload 32 b!"):
    return ipv4(A, dst, 17, udp(A, dst, 40000, dport, data), ident=ipid, ttl=ttl)


def orig_tcp(dst=FAR, ipid=0x2102):
    return ipv4(A, dst, 6, tcp(A, dst, 40001, 80, seq=7000, flags="S", win=64240,
                               options=[("MSS", 1460)]), ident=ipid, df=True)


def orig_icmp(dst=FAR, ipid=0x2103):
    return ipv4(A, dst, 1, echo(8, 0x0777, 3), ident=ipid)


def icmp_error(frm, typ, code, quote, rest=0, to=A, ipid=0x5000, ttl=64):
    return ipv4(frm, to, 1, icmp(typ, code, rest, quote), ident=ipid, ttl=ttl)


UNREACH_CODES = ["net unreachable", "host unreachable", "protocol unreachable", "port unreachable",
                 "fragmentation needed (next-hop MTU 1400)", "source route failed",
                 "destination network unknown", "destination host unknown", "source host isolated",
                 "network administratively prohibited", "host administratively prohibited",
                 "network unreachable for TOS", "host unreachable for TOS",
                 "communication administratively prohibited", "host precedence violation",
                 "precedence cutoff in effect"]


def fx_icmp_unreach():
    cap = Capture("icmp_unreach", 1, "ICMP destination unreachable, codes 0 to 15 in order (each quoting "
                  "the whole UDP, TCP or ICMP datagram; code 4 carries next-hop MTU 1400), then code 3 "
                  "quoting only the IP header + 8 bytes, then an unassigned code 42.")
    quotes = [("UDP", orig_udp), ("TCP", orig_tcp), ("ICMP echo", orig_icmp)]
    for code in range(16):
        qname, qf = quotes[code % 3]
        if code == 4:
            qname, qf = "TCP (DF)", orig_tcp
        if code == 3:
            qname, qf = "UDP", orig_udp
        q = qf(ipid=0x2100 + code)
        rest = 1400 if code == 4 else 0
        frm = FAR if code in (2, 3) else GW
        cap.add(eth_ip(icmp_error(frm, 3, code, q, rest, ipid=0x5000 + code)),
                "type 3 code %d %s from %s, quoting %s (%d bytes)" % (code, UNREACH_CODES[code], frm, qname, len(q)))
    q = orig_udp(ipid=0x2120)
    cap.add(eth_ip(icmp_error(FAR, 3, 3, q[:28], ipid=0x5010)),
            "type 3 code 3 quoting only IP header + 8 bytes (28 of %d)" % len(q))
    cap.add(eth_ip(icmp_error(GW, 3, 42, orig_udp(ipid=0x2121), ipid=0x5011)),
            "type 3 code 42 (unassigned code), quoting UDP")
    emit("icmp_unreach.pcap", cap, pcap_bytes(cap))


def fx_icmp_errors():
    cap = Capture("icmp_errors", 1, "ICMP errors other than unreachable: source quench, redirect codes "
                  "0-3 with gateway 10.0.0.253, time exceeded codes 0 and 1, parameter problem codes 0-2 "
                  "with pointer, and a time exceeded whose quote is only IP header + 8 bytes.")
    cap.add(eth_ip(icmp_error(GW, 4, 0, orig_udp(ipid=0x2201), ipid=0x5101)),
            "type 4 source quench from 10.0.0.254, quoting UDP")
    names = ["redirect for network", "redirect for host", "redirect for TOS and network",
             "redirect for TOS and host"]
    for code in range(4):
        qf = (orig_udp, orig_tcp, orig_icmp, orig_udp)[code]
        q = qf(dst=FAR2, ipid=0x2210 + code)
        cap.add(eth_ip(icmp_error(GW, 5, code, q, rest=inet_aton(GW2), ipid=0x5110 + code)),
                "type 5 code %d %s to 203.0.113.5 via gateway 10.0.0.253" % (code, names[code]))
    q = orig_udp(ttl=1, ipid=0x2220)
    cap.add(eth_ip(icmp_error(GW, 11, 0, q, ipid=0x5120)), "type 11 code 0 TTL exceeded in transit, quoting UDP ttl 1")
    frag = ipv4(A, FAR, 17, udp(A, FAR, 40002, 33434, b"x" * 40)[:24], ident=0x2221, mf=True)
    cap.add(eth_ip(icmp_error(FAR, 11, 1, frag, ipid=0x5121)),
            "type 11 code 1 fragment reassembly time exceeded, quoting a first fragment (MF)")
    badopt = ipv4(A, FAR, 17, udp(A, FAR, 40003, 33435, b"q" * 12), ident=0x2230, options=b"\x9e\x04\x00\x00")
    cap.add(eth_ip(icmp_error(GW, 12, 0, badopt, rest=20 << 24, ipid=0x5130)),
            "type 12 code 0 pointer 20, quoting a header (ihl 6) with option 158 len 4 at byte 20")
    cap.add(eth_ip(icmp_error(GW, 12, 1, orig_udp(ipid=0x2231), rest=0, ipid=0x5131)),
            "type 12 code 1 missing a required option, pointer 0")
    cap.add(eth_ip(icmp_error(GW, 12, 2, orig_tcp(ipid=0x2232), rest=2 << 24, ipid=0x5132)),
            "type 12 code 2 bad length, pointer 2")
    q = orig_udp(ttl=1, ipid=0x2240)
    cap.add(eth_ip(icmp_error(GW, 11, 0, q[:28], ipid=0x5140)),
            "type 11 code 0 quoting only IP header + 8 bytes (RFC 792 minimum)")
    emit("icmp_errors.pcap", cap, pcap_bytes(cap))


def fx_icmp_info():
    cap = Capture("icmp_info", 1, "ICMP non-error types: router advertisement (2 entries) and "
                  "solicitation, timestamp request/reply, information request/reply, address mask "
                  "request/reply, and an unassigned type 99.")
    entries = struct.pack("!4si4si", inet_aton(GW), 10, inet_aton(GW2), -5)
    radv = icmp(9, 0, struct.pack("!BBH", 2, 2, 1800), entries)
    cap.add(eth(ipv4(GW, "224.0.0.1", 1, radv, ident=0x5201, ttl=1), MAC_GW, "01:00:5e:00:00:01"),
            "type 9 router advertisement to 224.0.0.1: 2 entries (10.0.0.254 pref 10, 10.0.0.253 pref -5), lifetime 1800")
    cap.add(eth(ipv4(A, "224.0.0.2", 1, icmp(10, 0, 0), ident=0x1201, ttl=1), MAC_A, "01:00:5e:00:00:02"),
            "type 10 router solicitation to 224.0.0.2")
    otime = (T0 // 10**9 % 86400) * 1000  # ms since midnight UT
    cap.add(eth_ip(ipv4(A, B, 1, icmp(13, 0, (0x0abc << 16) | 1, struct.pack("!III", otime, 0, 0)), ident=0x1202)),
            "type 13 timestamp request id 0x0abc seq 1, originate %d" % otime)
    cap.add(eth_ip(ipv4(B, A, 1, icmp(14, 0, (0x0abc << 16) | 1, struct.pack("!III", otime, otime + 5, otime + 6)),
                        ident=0x2202)), "type 14 timestamp reply, receive +5 ms transmit +6 ms")
    cap.add(eth_ip(ipv4(A, B, 1, icmp(15, 0, (0x0abd << 16) | 2), ident=0x1203)),
            "type 15 information request id 0x0abd seq 2")
    cap.add(eth_ip(ipv4(B, A, 1, icmp(16, 0, (0x0abd << 16) | 2), ident=0x2203)), "type 16 information reply")
    cap.add(eth_ip(ipv4(A, B, 1, icmp(17, 0, (0x0abe << 16) | 3, inet_aton("0.0.0.0")), ident=0x1204)),
            "type 17 address mask request id 0x0abe seq 3")
    cap.add(eth_ip(ipv4(B, A, 1, icmp(18, 0, (0x0abe << 16) | 3, inet_aton("255.255.255.0")), ident=0x2204)),
            "type 18 address mask reply 255.255.255.0")
    cap.add(eth_ip(ipv4(A, B, 1, icmp(99, 7, 0x01020304, b"unassigned"), ident=0x1205)),
            "type 99 code 7 (unassigned type), 18 bytes")
    emit("icmp_info.pcap", cap, pcap_bytes(cap))


def fx_ip_options():
    cap = Capture("ip_options", 1, "IPv4 options, each on an ICMP echo request 10.0.0.1 > 10.0.0.2 "
                  "(router alert on IGMP): NOP, EOL, RR, TS (3 flavours), LSRR, SSRR, RA, an unknown "
                  "option, several options together, then three malformed option areas.")

    def ereq(opts, seq, note, proto_payload=None, proto=1, dst=B):
        pl = echo(8, 0x0555, seq) if proto_payload is None else proto_payload
        cap.add(eth_ip(ipv4(A, dst, proto, pl, ident=0x1300 + seq, options=opts)), note)

    ereq(b"\x01\x01\x01\x01", 1, "4 x NOP (ihl 6)")
    ereq(b"\x01\x01\x01\x00", 2, "NOP NOP NOP EOL")
    ereq(b"\x00\x00\x00\x00", 3, "EOL then 3 bytes of padding")
    ereq(b"\x07\x27\x04" + b"\0" * 36 + b"\x00", 4, "RR len 39 ptr 4 (9 empty slots) + EOL (ihl 15)")
    ereq(b"\x07\x0f\x0c" + inet_aton(A) + inet_aton(GW) + b"\0" * 4 + b"\x00", 5,
         "RR len 15 ptr 12: 10.0.0.1, 10.0.0.254 recorded, 1 empty + EOL")
    ereq(b"\x44\x0c\x09\x00" + struct.pack("!II", 80000000, 0), 6,
         "TS len 12 ptr 9 flag 0 (timestamps only): one stamp 80000000")
    ereq(b"\x44\x14\x0d\x01" + inet_aton(GW) + struct.pack("!I", 80000001) + b"\0" * 8, 7,
         "TS len 20 ptr 13 flag 1 (address+timestamp): 10.0.0.254@80000001, 1 empty pair")
    ereq(b"\x44\x14\x05\x13" + inet_aton(GW) + b"\0" * 4 + inet_aton(B) + b"\0" * 4, 8,
         "TS len 20 ptr 5 flag 3 (prespecified 10.0.0.254, 10.0.0.2), overflow 1")
    ereq(b"\x83\x0b\x04" + inet_aton(GW) + inet_aton(FAR) + b"\x00", 9,
         "LSRR len 11 ptr 4: 10.0.0.254, 198.51.100.7 + EOL; dst field 10.0.0.2")
    ereq(b"\x89\x0b\x08" + inet_aton(GW) + inet_aton(FAR) + b"\x00", 10,
         "SSRR len 11 ptr 8: 10.0.0.254, 198.51.100.7 + EOL")
    igmp = struct.pack("!BBH4s", 0x16, 0, 0, inet_aton("239.1.2.3"))
    igmp = igmp[:2] + struct.pack("!H", csum(igmp)) + igmp[4:]
    cap.add(eth(ipv4(A, "239.1.2.3", 2, igmp, ident=0x130B, ttl=1, options=b"\x94\x04\x00\x00"),
                MAC_A, "01:00:5e:01:02:03"), "RA (router alert, 148) len 4 on an IGMPv2 report (proto 2)")
    ereq(b"\x9e\x04\xab\xcd", 12, "unknown option type 158 len 4")
    ereq(b"\x01\x94\x04\x00\x00\x83\x07\x04" + inet_aton(GW) + b"\x01\x00\x00\x00", 13,
         "NOP, RA, LSRR len 7 (10.0.0.254), NOP, EOL + padding (ihl 9)")
    ereq(b"\x07\x27\x04\x00", 14, "malformed: RR claims len 39 in a 4-byte option area (runs past the header)")
    ereq(b"\x01\x44\x00\x00", 15, "malformed: NOP then TS with length 0")
    ereq(b"\x01\x01\x01\x83", 16, "malformed: NOPs then LSRR type byte with no length byte")
    emit("ip_options.pcap", cap, pcap_bytes(cap))


def fx_fragments():
    cap = Capture("fragments", 1, "IPv4 fragments: an ICMP echo request (64-byte message) in 3 "
                  "fragments, a UDP datagram (48 bytes) in 2 fragments, the UDP fragments again in "
                  "reverse order, and a fragment reaching past 65535 (offset 65528 + 40 bytes).")
    msg = echo(8, 0x4242, 1)
    for off, ln, mf in ((0, 24, True), (24, 24, True), (48, 16, False)):
        cap.add(eth_ip(ipv4(A, B, 1, msg[off:off + ln], ident=0x1401, mf=mf, frag=off)),
                "echo id 0x4242 seq 1, fragment offset %d length %d%s" % (off, ln, " MF" if mf else ""))
    dg = udp(A, B, 40000, 9999, b"fragmented UDP payload, forty bytes long")
    assert len(dg) == 48
    f1 = ipv4(A, B, 17, dg[:24], ident=0x1402, mf=True, frag=0)
    f2 = ipv4(A, B, 17, dg[24:], ident=0x1402, frag=24)
    cap.add(eth_ip(f1), "UDP 40000 > 9999 first fragment: offset 0 length 24 MF (udp len 48)")
    cap.add(eth_ip(f2), "UDP last fragment: offset 24 length 24")
    f1b = ipv4(A, B, 17, dg[:24], ident=0x1403, mf=True, frag=0)
    f2b = ipv4(A, B, 17, dg[24:], ident=0x1403, frag=24)
    cap.add(eth_ip(f2b), "UDP (ip id 0x1403) last fragment first: offset 24 length 24")
    cap.add(eth_ip(f1b), "UDP (ip id 0x1403) first fragment second: offset 0 length 24 MF")
    cap.add(eth_ip(ipv4(A, B, 17, b"\xee" * 40, ident=0x1404, frag=65528)),
            "fragment offset 65528 (field 8191) + 40 bytes = 65568 > 65535 (ping of death)")
    cap.add(eth_ip(ipv4(A, B, 6, tcp(A, B, 40000, 80, seq=1, flags="PA", payload=b"y" * 40)[:32],
                        ident=0x1405, mf=True, df=False)), "TCP first fragment, 32 of 60 bytes, MF")
    emit("fragments.pcap", cap, pcap_bytes(cap))


def udp_ffff_payload():
    """A payload whose UDP checksum computes to 0, so 0xffff goes on the wire (RFC 768)."""
    base = b"sum-to-zero:"
    seg = udp(A, B, 40004, 7, base + b"\0\0", checksum=0)
    s = (~csum(pseudo(A, B, 17, len(seg)) + seg)) & 0xFFFF  # ones' complement sum so far
    fill = (~s) & 0xFFFF
    return base + struct.pack("!H", fill)


def fx_udp():
    cap = Capture("udp", 1, "UDP: DNS query and answer (correct checksums), checksum 0 (not "
                  "computed), a wrong checksum, an empty datagram, a checksum that computes to 0 and is "
                  "sent as 0xffff, a traceroute-style probe, and UDP to port 53 from port 53.")
    cap.add(eth_ip(p_dns_query()), "DNS query 10.0.0.1.5353 > 10.0.0.2.53 id 0x1234 A example.com")
    cap.add(eth_ip(p_dns_answer()), "DNS answer example.com A 192.0.2.10", after_us=300)
    cap.add(eth_ip(ipv4(A, B, 17, udp(A, B, 40000, 9, b"no checksum here", checksum=0), ident=0x1502)),
            "UDP 40000 > 9, checksum 0 (none)")
    good = udp(A, B, 40001, 7, b"wrong checksum!")
    bad = struct.unpack("!H", good[6:8])[0] ^ 0x1111
    cap.add(eth_ip(ipv4(A, B, 17, udp(A, B, 40001, 7, b"wrong checksum!", checksum=bad), ident=0x1503)),
            "UDP 40001 > 7, wrong checksum (0x%04x, correct 0x%04x)" % (bad, struct.unpack("!H", good[6:8])[0]))
    cap.add(eth_ip(ipv4(A, B, 17, udp(A, B, 40002, 9, b""), ident=0x1504)), "UDP 40002 > 9, no payload (length 8)")
    pl = udp_ffff_payload()
    seg = udp(A, B, 40004, 7, pl)
    assert seg[6:8] == b"\xff\xff"
    cap.add(eth_ip(ipv4(A, B, 17, seg, ident=0x1505)), "UDP 40004 > 7, checksum computes to 0: 0xffff on the wire (valid)")
    cap.add(eth_ip(ipv4(A, FAR, 17, udp(A, FAR, 40005, 33434, b"\0" * 24), ident=0x1506, ttl=1)),
            "UDP 40005 > 198.51.100.7.33434 ttl 1 (traceroute probe)")
    cap.add(eth_ip(ipv4(A, B, 17, udp(A, B, 53, 53, dns_query(0x0042, "example.org")), ident=0x1507)),
            "DNS query 53 > 53")
    emit("udp.pcap", cap, pcap_bytes(cap))


def fx_tcp():
    cap = Capture("tcp", 1, "TCP: handshake with options (mss, sackOK, TS, nop, wscale), data with "
                  "PSH|ACK, SACK, FIN, RST and RST|ACK, URG|ECE|CWR, an unknown option, a wrong "
                  "checksum, then malformed headers (data offset 4, options past the header, data "
                  "offset beyond the segment).")
    t = lambda *a, ipid, df=True, **kw: eth_ip(ipv4(a[0], a[1], 6, tcp(*a, **kw), ident=ipid, df=df))  # noqa: E731
    cap.add(t(A, B, 40000, 80, seq=1000, flags="S", options=SYN_OPTS, ipid=0x1601),
            "SYN seq 1000 win 65535 [mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7]")
    cap.add(t(B, A, 80, 40000, seq=5000, ack=1001, flags="SA", win=65160,
              options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (200, 100)), ("NOP", None), ("WScale", 7)],
              ipid=0x2601), "SYN-ACK seq 5000 ack 1001", after_us=150)
    cap.add(t(A, B, 40000, 80, seq=1001, ack=5001, flags="A", win=502,
              options=[("NOP", None), ("NOP", None), ("Timestamp", (101, 200))], ipid=0x1602),
            "ACK [nop,nop,TS val 101 ecr 200]")
    req = b"GET / HTTP/1.0\r\n\r\n"
    cap.add(t(A, B, 40000, 80, seq=1001, ack=5001, flags="PA", win=502,
              options=[("NOP", None), ("NOP", None), ("Timestamp", (102, 200))], payload=req, ipid=0x1603),
            "PSH|ACK seq 1001:1019 length 18 (HTTP request)")
    cap.add(t(B, A, 80, 40000, seq=5001, ack=1001, flags="A", win=509,
              options=[("NOP", None), ("NOP", None), ("SAck", (1005, 1019))], ipid=0x2602),
            "ACK with SACK block 1005-1019")
    cap.add(t(B, A, 80, 40000, seq=5001, ack=1019, flags="PA", win=509, payload=b"HTTP/1.0 200 OK\r\n\r\n",
              ipid=0x2603), "PSH|ACK data 19 bytes, no options")
    cap.add(t(A, B, 40000, 80, seq=1019, ack=5020, flags="FA", win=502, ipid=0x1604), "FIN|ACK")
    cap.add(t(B, A, 80, 40000, seq=5020, ack=0, flags="R", win=0, ipid=0x2604), "RST seq 5020")
    cap.add(t(B, A, 80, 40001, seq=0, ack=1, flags="RA", win=0, ipid=0x2605), "RST|ACK to port 40001")
    cap.add(t(A, B, 40002, 80, seq=2000, ack=3000, flags="UAEC", urgptr=5, payload=b"urgent", ipid=0x1605),
            "URG|ACK|ECE|CWR urgent pointer 5, 6 bytes")
    cap.add(t(A, B, 40003, 80, seq=3000, flags="S", raw_options=b"\x63\x04\xab\xcd" + b"\x02\x04\x05\xb4", ipid=0x1606),
            "SYN with an unassigned option (kind 99 len 4) then mss 1460")
    seg = tcp(A, B, 40000, 80, seq=1019, ack=5020, flags="PA", payload=b"bad sum")
    bad = struct.unpack("!H", seg[16:18])[0] ^ 0x0F0F
    cap.add(t(A, B, 40000, 80, seq=1019, ack=5020, flags="PA", payload=b"bad sum", checksum=bad, ipid=0x1607),
            "PSH|ACK 7 bytes with a wrong TCP checksum")
    cap.add(t(A, B, 40004, 80, seq=1, flags="S", doff=4, ipid=0x1608),
            "malformed: data offset 4 (header length 16 < 20)")
    cap.add(t(A, B, 40005, 80, seq=1, flags="S", raw_options=b"\x08\x0a\x00\x00", ipid=0x1609),
            "malformed: options area of 4 bytes holding TS (len 10): runs past the header")
    cap.add(t(A, B, 40006, 80, seq=1, flags="S", doff=15, ipid=0x160A),
            "malformed: data offset 15 (60 bytes) in a 20-byte segment")
    emit("tcp.pcap", cap, pcap_bytes(cap))


def fx_snaplen():
    cap = Capture("snaplen", 1, "Capture-length cuts (caplen < len): the same echo, UDP, TCP and "
                  "ICMP-error packets stored with a short snap length at several points. Nothing here "
                  "is malformed; every cut field must be null, not guessed.")
    req = eth_ip(p_echo_req(seq=1))
    opt = eth_ip(ipv4(A, B, 1, echo(8, 0x1234, 2), ident=0x1002, options=b"\x07\x0f\x04" + b"\0" * 12 + b"\x00"))
    dns = eth_ip(p_dns_query())
    syn = eth_ip(p_syn())
    err = eth_ip(icmp_error(FAR, 3, 3, orig_udp(ipid=0x2103), ipid=0x5003))
    cap.cut(req, 10, "echo request cut at 10: inside the Ethernet header (len %d)" % len(req))
    cap.cut(req, 14, "echo request cut at 14: Ethernet header only")
    cap.cut(req, 24, "echo request cut at 24: inside the IP header (10 bytes: ver..ttl/proto)")
    cap.cut(req, 28, "echo request cut at 28: IP header to the middle of the source address")
    cap.cut(req, 30, "echo request cut at 30: IP source address complete, destination missing")
    cap.cut(opt, 40, "echo with RR option (ihl 9) cut at 40: inside the IP options")
    cap.cut(req, 34, "echo request cut at 34: IP header complete, no ICMP")
    cap.cut(req, 36, "echo request cut at 36: ICMP type and code only")
    cap.cut(req, 40, "echo request cut at 40: ICMP type..id, seq missing")
    cap.cut(req, 50, "echo request cut at 50: ICMP header and 8 data bytes; checksum uncheckable")
    cap.cut(dns, 38, "DNS query cut at 38: UDP ports only")
    cap.cut(dns, 46, "DNS query cut at 46: UDP header and 4 payload bytes")
    cap.cut(syn, 44, "TCP SYN cut at 44: TCP ports, seq, ack missing... (10 bytes)")
    cap.cut(syn, 60, "TCP SYN cut at 60: inside the TCP options (6 of 20 option bytes)")
    cap.cut(err, 42, "port unreachable cut at 42: ICMP header, no quote")
    cap.cut(err, 52, "port unreachable cut at 52: inside the quoted IP header")
    cap.cut(err, 66, "port unreachable cut at 66: quoted IP header + 4 bytes of the quoted UDP header")
    cap.cut(err, 80, "port unreachable cut at 80: quoted IP + UDP header, part of the payload")
    cap.add(req, "echo request, complete (98 bytes)")
    emit("snaplen.pcap", cap, pcap_bytes(cap, snaplen=65535))


def fx_malformed():
    cap = Capture("malformed", 1, "Malformed packets between good ones: each breaks one rule of IPv4, "
                  "UDP or ICMP (or Ethernet) while the capture holds the whole frame.")
    e = eth_ip
    cap.add(e(p_echo_req(seq=1)), "good echo request")
    echo_msg = echo(8, 0x1234, 2)
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x1702, ihl=3)), "IP header length 12 < 20 (ihl 3)")
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x1703, version=5)), "IP version 5 with ethertype 0x0800")
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x1704, tot_len=200)),
            "total length 200 > 84 bytes in the frame (frame fully captured)")
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x1705, tot_len=16)), "total length 16 < header length 20")
    cap.add(b"", "zero-length frame (caplen 0, len 0)")
    cap.add(e(ipv4(A, B, 17, udp(A, B, 40000, 9, b"x" * 32, length=100), ident=0x1707)),
            "UDP length 100 > 40 bytes of IP payload")
    cap.add(e(ipv4(A, B, 17, udp(A, B, 40000, 9, b"x" * 32, length=4), ident=0x1708)), "UDP length 4 < 8")
    cap.add(e(ipv4(A, B, 1, icmp(8, 0, 0)[:4], ident=0x1709)), "ICMP message of 4 bytes (< 8)")
    cap.add(e(icmp_error(GW, 3, 1, orig_udp(ipid=0x2701)[:12], ipid=0x170A)),
            "host unreachable whose quote is 12 bytes (< an IP header)")
    inner_bad = ipv4(A, FAR, 17, udp(A, FAR, 40000, 33434, b"z" * 8), ident=0x2702, ihl=2)
    cap.add(e(icmp_error(GW, 3, 0, inner_bad, ipid=0x170B)), "net unreachable quoting an IP header with ihl 2")
    cap.add(eth(b"\x45\x00", MAC_A, MAC_B)[:10], "Ethernet runt: a 10-byte frame (len 10)")
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x170D, ihl=15)),
            "ihl 15 (60 bytes) but total length 84 and no options: header swallows the ICMP message")
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x170E, ihl=7, tot_len=24)), "ihl 7 (28 bytes) > total length 24")
    cap.add(e(ipv4(A, B, 1, echo_msg, ident=0x170F, version=6)), "IP version 6 inside ethertype 0x0800")
    cap.add(e(p_echo_rep(seq=1)), "good echo reply")
    emit("malformed.pcap", cap, pcap_bytes(cap))


def fx_echo_rtt():
    cap = Capture("echo_rtt", 1, "20 echo request/reply pairs 10.0.0.1 <-> 10.0.0.2, id 0x0042, seq "
                  "1..20, requests 1 s apart, reply i after exactly i ms: min 1, avg 10.5, max 20, "
                  "mdev sqrt(33.25) = 5.766 ms; 40 packets, 3920 bytes, nothing unanswered.")
    for i in range(1, 21):
        cap.add(eth_ip(p_echo_req(ident=0x42, seq=i, ipid=0x1800 + i)), "request seq %d" % i,
                at=(i - 1) * 10**9)
        cap.add(eth_ip(p_echo_rep(ident=0x42, seq=i, ipid=0x2800 + i)), "reply seq %d, rtt %d ms" % (i, i),
                after_us=i * 1000)
    emit("echo_rtt.pcap", cap, pcap_bytes(cap))


def fx_mixed():
    cap = Capture("mixed", 1, "A mixed Ethernet capture for --stats and filters: echo pairs (one "
                  "duplicate, one unanswered), DNS (including a port unreachable quoting a DNS query), "
                  "a TCP exchange, ARP, IPv6, ICMP errors, fragments, a malformed and a cut packet, and "
                  "a bad UDP checksum.", step_us=10000)
    e = eth_ip
    cap.add(eth(arp_req(), MAC_A, BCAST, 0x0806, pad_to=60), "ARP who-has 10.0.0.2")
    cap.add(eth(arp_rep(), MAC_B, MAC_A, 0x0806, pad_to=60), "ARP reply")
    for s in (1, 2, 3):
        cap.add(e(p_echo_req(ident=0x99, seq=s, ipid=0x1900 + s)), "echo request id 0x99 seq %d" % s)
        cap.add(e(p_echo_rep(ident=0x99, seq=s, ipid=0x2900 + s)), "echo reply, rtt %d.5 ms" % s,
                after_us=s * 1000 + 500)
    cap.add(e(p_echo_rep(ident=0x99, seq=3, ipid=0x2904)), "duplicate reply seq 3", after_us=100)
    cap.add(e(p_dns_query()), "DNS query 5353 > 53")
    cap.add(e(p_dns_answer()), "DNS answer", after_us=800)
    dq = ipv4(A, FAR, 17, udp(A, FAR, 5354, 53, dns_query(0x0101, "example.net")), ident=0x1910)
    cap.add(e(dq), "DNS query to 198.51.100.7")
    cap.add(e(icmp_error(FAR, 3, 3, dq, ipid=0x5910)), "port unreachable quoting that DNS query", after_us=900)
    cap.add(e(p_syn()), "TCP SYN")
    cap.add(e(ipv4(B, A, 6, tcp(B, A, 80, 40000, seq=5000, ack=1001, flags="SA", win=65160,
                                options=[("MSS", 1460)]), ident=0x2911, df=True)), "TCP SYN-ACK", after_us=120)
    cap.add(e(ipv4(A, B, 6, tcp(A, B, 40000, 80, seq=1001, ack=5001, flags="A"), ident=0x1912, df=True)), "TCP ACK",
            after_us=50)
    cap.add(e(ipv4(A, B, 6, tcp(A, B, 40000, 80, seq=1001, ack=5001, flags="PA", payload=b"GET / HTTP/1.0\r\n\r\n"),
                   ident=0x1913, df=True)), "TCP data 18 bytes")
    cap.add(e(ipv4(B, A, 6, tcp(B, A, 80, 40000, seq=5001, ack=1019, flags="FA"), ident=0x2913, df=True)),
            "TCP FIN-ACK")
    cap.add(eth(v6_echo(), MAC_A, MAC_B, 0x86DD), "IPv6 echo request")
    cap.add(e(p_echo_req(ident=0x99, seq=4, ipid=0x1904)), "echo request seq 4, unanswered")
    cap.add(e(icmp_error(GW, 11, 0, orig_udp(ttl=1, ipid=0x2920), ipid=0x5920)), "time exceeded quoting UDP")
    cap.add(e(icmp_error(GW, 5, 1, orig_icmp(dst=FAR2, ipid=0x2921), rest=inet_aton(GW2), ipid=0x5921)),
            "redirect for host via 10.0.0.253")
    msg = echo(8, 0x4242, 1)
    for off, ln, mf in ((0, 24, True), (24, 24, True), (48, 16, False)):
        cap.add(e(ipv4(A, B, 1, msg[off:off + ln], ident=0x1930, mf=mf, frag=off)), "echo fragment offset %d" % off,
                after_us=20)
    cap.add(e(ipv4(A, B, 1, echo(8, 0x1234, 2), ident=0x1931, ihl=3)), "malformed: ihl 3")
    full = e(p_echo_req(ident=0x99, seq=5, ipid=0x1905))
    cap.cut(full, 40, "echo request seq 5 cut at 40 bytes")
    good = udp(A, B, 40001, 7, b"wrong checksum!")
    bad = struct.unpack("!H", good[6:8])[0] ^ 0x1111
    cap.add(e(ipv4(A, B, 17, udp(A, B, 40001, 7, b"wrong checksum!", checksum=bad), ident=0x1932)),
            "UDP with a wrong checksum")
    cap.add(e(ipv4(A, B, 17, udp(A, B, 40000, 9, b"no checksum", checksum=0), ident=0x1933)), "UDP checksum 0")
    cap.add(e(ipv4(A, B, 253, b"experiment", ident=0x1934)), "IP protocol 253 (RFC 3692 experiment): other protocol")
    cap.add(e(p_echo_req(ident=0x99, seq=6, ipid=0x1906)), "echo request seq 6")
    cap.add(e(p_echo_rep(ident=0x99, seq=6, ipid=0x2906)), "echo reply seq 6, rtt 0.25 ms", after_us=250)
    emit("mixed.pcap", cap, pcap_bytes(cap))


def fx_broken():
    good = Capture("good", 1, "")
    ethernet_core(good)
    whole = pcap_bytes(good)
    rec_ends = []
    pos = 24
    for _, data, _, _ in good.records:
        pos += 16 + len(data)
        rec_ends.append(pos)

    emit_raw("broken_trunc_header.pcap", "Truncated file header: the first 10 of 24 bytes.", whole[:10])
    emit_raw("broken_empty.pcap", "An empty file (0 bytes).", b"")
    emit_raw("broken_trunc_record.pcap", "Three good packets (echo request, reply, DNS query), then only 7 "
             "bytes of the next record header.", whole[:rec_ends[2] + 7])
    emit_raw("broken_trunc_data.pcap", "Two good packets, then a record header announcing %d bytes and "
             "only 40 of them." % len(good.records[2][1]), whole[:rec_ends[1] + 16 + 40])
    absurd = struct.pack("<IIII", 1700000000, 3000, 0x7FFFFFFF, 0x7FFFFFFF) + b"\0" * 64
    emit_raw("broken_caplen.pcap", "Two good packets, then a record header with caplen 0x7fffffff "
             "(and 64 bytes of zeros).", whole[:rec_ends[1]] + absurd)
    g, x = [], 0x2545F491
    for _ in range(256):  # fixed linear congruential sequence: garbage, but always the same garbage
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        g.append((x >> 16) & 0xFF)
    garbage = b"GARBAGE!" + bytes(g)
    emit_raw("broken_garbage.pcap", "Pure garbage: 264 bytes that are no capture format.", garbage)
    ng = pcapng_bytes(good)
    emit_raw("broken_trunc.pcapng", "pcapng whose last packet block is cut in the middle.",
             ng[: len(ng) - 60 - 40])

    unk = Capture("unsupported", 147, "Link type 147 (USER0), which rawprobe does not decode: two frames.")
    unk.add(b"\x01\x02\x03\x04" + p_echo_req(), "opaque frame 1")
    unk.add(b"\x01\x02\x03\x04" + p_echo_rep(), "opaque frame 2")
    emit("unsupported_link.pcap", unk, pcap_bytes(unk))


# ------------------------------------------------------------------- main

def write_readme(outdir):
    lines = ["# Capture fixtures", "",
             "Written by `gen_fixtures.py` (python3 + scapy, deterministic: run it again and every file",
             "comes out byte for byte the same). Regenerate with `python3 pcaps/gen_fixtures.py`; then",
             "rerun `tests/replay/run.sh BUILD/rawprobe` and review any changed expected output.", "",
             "Timestamps start at 1700000000.0 (2023-11-14 22:13:20 UTC). Hosts: 10.0.0.1 (A, "
             "02:00:00:00:00:01),",
             "10.0.0.2 (B, 02:00:00:00:00:02), 10.0.0.3, router 10.0.0.254 (02:00:00:00:00:fe), gateway "
             "10.0.0.253,",
             "remote hosts 198.51.100.7 and 203.0.113.5, IPv6 2001:db8::1/2.", "",
             "The \"common packets\" in the link-type files are: an ICMP echo request 10.0.0.1 > 10.0.0.2",
             "(id 0x1234 seq 1, 56 data bytes), its reply 0.2 ms later, a DNS query 10.0.0.1.5353 > "
             "10.0.0.2.53,",
             "and a TCP SYN 10.0.0.1.40000 > 10.0.0.2.80 with options mss 1460, sackOK, TS val 100 ecr 0,",
             "nop, wscale 7.", "",
             "The replay tests (`tests/replay/TESTLIST`) run `rawprobe read` over these files; tshark is",
             "the independent judge used to review their expected output (`tshark -r FILE -V`).", "",
             "| file | bytes | frames | what |", "|---|---|---|---|"]
    for fname, desc, data, records in FIXTURES:
        short = desc.split(":")[0].split(". ")[0]
        lines.append("| %s | %d | %s | %s |" % (fname, len(data), len(records) if records is not None else "-", short))
    lines.append("")
    for fname, desc, data, records in FIXTURES:
        lines.append("## %s" % fname)
        lines.append("")
        lines.append(desc + " (%d bytes)" % len(data))
        lines.append("")
        if records:
            for i, (ts, d, wl, note) in enumerate(records, 1):
                cut = "" if wl == len(d) else " caplen %d of %d" % (len(d), wl)
                lines.append("%d. %d.%09d%s: %s" % (i, ts // 10**9, ts % 10**9, cut, note))
            lines.append("")
    with open(os.path.join(outdir, "README.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for fx in (fx_eth_basic, fx_vlan, fx_raw, fx_sll, fx_null_loop, fx_formats, fx_icmp_echo,
               fx_icmp_unreach, fx_icmp_errors, fx_icmp_info, fx_ip_options, fx_fragments, fx_udp,
               fx_tcp, fx_snaplen, fx_malformed, fx_echo_rtt, fx_mixed, fx_broken):
        fx()
    for fname, _, data, _ in FIXTURES:
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
    write_readme(outdir)
    print("wrote %d fixtures to %s" % (len(FIXTURES), outdir))


if __name__ == "__main__":
    main()
