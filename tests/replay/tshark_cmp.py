#!/usr/bin/env python3
"""Review aid (not a ctest): compares `rawprobe read --json` with tshark field by field.

usage: tshark_cmp.py RAWPROBE_BINARY CAPTURE...

For every frame tshark decodes, the IPv4, ICMP, UDP and TCP fields (and those of the datagram an
ICMP error quotes) are compared with rawprobe's JSON; each disagreement is printed with
rawprobe's 'malformed' verdict. Known, accepted differences: tshark reassembles fragments (it
shows the transport on the last fragment, rawprobe on the first), gives ip.frag_offset in 8-byte
units in its JSON, does not verify checksums inside ICMP quotes, and decodes past layers that
rawprobe calls malformed.
"""
import json, subprocess, sys

BIN = None
PROTOS = {"ip", "udp", "tcp", "icmp", "eth", "frame", "vlan", "sll", "null", "ipv6", "arp", "dns", "data", "http", "igmp", "echo", "_ws.malformed", "_ws.expert", "ipv6.hopopts"}

def flat(d, out):
    for k, v in d.items():
        if isinstance(v, dict):
            if k in PROTOS:
                continue
            flat(v, out)
        elif isinstance(v, list):
            out.setdefault(k, v[0] if v and not isinstance(v[0], (dict, list)) else v)
        else:
            out.setdefault(k, v)
    return out

def num(v):
    if v is None: return None
    if isinstance(v, str) and v.startswith("0x"): return int(v, 16)
    try: return int(v)
    except ValueError: return v

def status(v, kind):
    if v is None: return "absent"
    v = int(v)
    return {1: True, 0: False}.get(v, None)

def tshark_ip(lay):
    f = flat(lay, {})
    r = {}
    if "ip.version" in f: r["version"] = num(f["ip.version"])
    if "ip.hdr_len" in f: r["ihl"] = num(f["ip.hdr_len"]) // 4
    if "ip.dsfield" in f: r["tos"] = num(f["ip.dsfield"])
    if "ip.len" in f: r["len"] = num(f["ip.len"])
    if "ip.id" in f: r["id"] = num(f["ip.id"])
    if "ip.flags.df" in f: r["df"] = f["ip.flags.df"] == "1"
    if "ip.flags.mf" in f: r["mf"] = f["ip.flags.mf"] == "1"
    if "ip.frag_offset" in f: r["frag_off"] = num(f["ip.frag_offset"]) * 8  # JSON holds 8-byte units
    if "ip.ttl" in f: r["ttl"] = num(f["ip.ttl"])
    if "ip.proto" in f: r["proto"] = num(f["ip.proto"])
    if "ip.checksum" in f: r["checksum"] = num(f["ip.checksum"])
    if "ip.checksum.status" in f: r["checksum_ok"] = status(f["ip.checksum.status"], "ip")
    if "ip.src" in f: r["src"] = f["ip.src"]
    if "ip.cur_rt" in f: r["dst"] = f["ip.cur_rt"]
    elif "ip.dst" in f: r["dst"] = f["ip.dst"]
    return r

def tshark_icmp(lay):
    f = flat(lay, {})
    r = {}
    for k, n in (("type", "icmp.type"), ("code", "icmp.code"), ("checksum", "icmp.checksum"),
                 ("id", "icmp.ident"), ("seq", "icmp.seq")):
        if n in f: r[k] = num(f[n])
    if "icmp.checksum.status" in f: r["checksum_ok"] = status(f["icmp.checksum.status"], "icmp")
    return r

def tshark_udp(lay):
    f = flat(lay, {})
    r = {}
    for k, n in (("sport", "udp.srcport"), ("dport", "udp.dstport"), ("len", "udp.length"), ("checksum", "udp.checksum")):
        if n in f: r[k] = num(f[n])
    if "udp.checksum.status" in f: r["checksum_ok"] = status(f["udp.checksum.status"], "udp")
    return r

def tshark_tcp(lay):
    f = flat(lay, {})
    r = {}
    for k, n in (("sport", "tcp.srcport"), ("dport", "tcp.dstport"), ("seq", "tcp.seq_raw"), ("ack", "tcp.ack_raw"),
                 ("hlen", "tcp.hdr_len"), ("flags", "tcp.flags"), ("win", "tcp.window_size_value"), ("checksum", "tcp.checksum")):
        if n in f: r[k] = num(f[n])
    if "tcp.checksum.status" in f: r["checksum_ok"] = status(f["tcp.checksum.status"], "tcp")
    return r

NCMP = [0]
def cmp(where, rp, ts, out):
    NCMP[0] += len(ts)
    for k, tv in ts.items():
        if k not in rp:
            out.append("%s.%s: rawprobe absent, tshark %r" % (where, k, tv)); continue
        rv = rp[k]
        if rv != tv:
            out.append("%s.%s: rawprobe %r, tshark %r" % (where, k, rv, tv))

def main(path, extra=()):
    tj = json.loads(subprocess.run(["tshark", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                                    "-o", "tcp.check_checksum:TRUE", "-T", "json", "-r", path, *extra],
                                   capture_output=True, text=True).stdout or "[]")
    rj = [json.loads(l) for l in subprocess.run([BIN, "read", "--json", path], capture_output=True, text=True).stdout.splitlines()]
    byframe = {o["frame"]: o for o in rj}
    for pkt in tj:
        lay = pkt["_source"]["layers"]
        fno = int(lay["frame"]["frame.number"])
        rp = byframe.get(fno)
        out = []
        if rp is None:
            print("%s #%d: missing in rawprobe" % (path, fno)); continue
        if "ip" in lay and isinstance(lay["ip"], dict):
            cmp("ip", rp.get("ip", {}), tshark_ip(lay["ip"]), out)
        for name, fn in (("icmp", tshark_icmp), ("udp", tshark_udp), ("tcp", tshark_tcp)):
            if name in lay and isinstance(lay[name], dict):
                cmp(name, rp.get(name, {}), fn(lay[name]), out)
        if "icmp" in lay and isinstance(lay["icmp"], dict):
            ic = lay["icmp"]
            inner = rp.get("icmp", {}).get("inner", {})
            if "ip" in ic: cmp("inner.ip", inner.get("ip", {}), tshark_ip(ic["ip"]), out)
            for name, fn in (("icmp", tshark_icmp), ("udp", tshark_udp), ("tcp", tshark_tcp)):
                if name in ic and isinstance(ic[name], dict):
                    cmp("inner." + name, inner.get(name, {}), fn(ic[name]), out)
        mal = rp.get("malformed")
        for l in out:
            print("%s #%d: %s%s" % (path.split("/")[-1], fno, l, "   [rp malformed: %s]" % mal if mal else ""))

if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: tshark_cmp.py RAWPROBE_BINARY CAPTURE...")
    BIN = sys.argv[1]
    for p in sys.argv[2:]:
        main(p)
    print("compared %d fields" % NCMP[0])
