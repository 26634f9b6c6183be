#!/usr/bin/python3
"""Compares a capture, packet by packet and field by field, with what was asked.

    craft_wire.py --pcap CAP --read READ.jsonl [--tshark TSHARK.json] [--ignore TEXT] CASES.jsonl
    craft_wire.py --pcap CAP --read READ.jsonl [--tshark TSHARK.json] [--ignore TEXT] \
                  --replay EXPECTED.pcap --rewrite SRC,DST

CAP is the capture (pcap, Ethernet or raw IPv4), READ.jsonl what
`rawprobe read --json CAP` printed for it, TSHARK.json what
`tshark -T json --no-duplicate-keys -o ip.defragment:FALSE -o ip.check_checksum:TRUE
 -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE -r CAP` printed (optional:
without it the tshark half is skipped, and said so). Each packet is judged three
ways: by rawprobe read, by tshark, and by the bytes themselves, decoded here.
Packets holding the bytes TEXT (--ignore: the test's own marker) are left out.

CASES.jsonl holds one JSON object a line:

    {"defaults": {...}, "match": {...}}    expectations and match keys for every later case
                                           (a case's own win)
    {"name": "ttl", "match": {"ip.id": 2001}, "expect": {"ip.ttl": 7, ...}}

"match" picks the case's packets out of the capture (every key equal); "expect"
says what each must hold. Keys:

    ip.* icmp.* udp.* tcp.* malformed   read's JSON (dotted path; numbers index lists:
                                        "ip.options.0.type")
    l4.checksum_ok                      the checksum_ok of whichever of icmp/udp/tcp is there
    raw.*                               decoded here from the bytes (see raw_fields)
    @count                              how many packets the case sent (default 1)
    @each                               a list: expectations for the 1st, 2nd... packet
    @same                               keys every packet of the case has the same value of
    @tshark                             more expectations in tshark's field names
    @tshark_auto                        false: do not map the read keys to tshark's
    @tshark_skip                        read keys not to map (tshark shows ip.dst as the
                                        last hop of a source route)
    @fragments                          {"mtu": N, "first_options": HEX, "later_options": HEX,
                                         "reassembled": {raw.* expectations}}: the packets are
                                        the fragments of one datagram; checks they are right

Read keys are also checked through tshark (ip.ttl -> ip.ttl, ip.tos -> ip.dsfield,
checksum_ok -> *.checksum.status...). A value is a JSON value to equal, or:

    {"any": 1}  {"absent": 1}  {"present": 1}  {"not": V}  {"range": [LO, HI]}
    {"one_of": [...]}  {"contains": [...]}  {"regex": "..."}  {"ms_today": TOLERANCE}
    {"hex": "..."} {"text": "..."} {"pattern": N} {"file": PATH}   bytes, compared as hex

With --replay, the cases are made from EXPECTED.pcap (`craft --from-pcap`'s
input, or the part of it a filter selects): its IPv4 datagrams, in order, must
be the packets captured from SRC to DST, in order: every byte the same but the
addresses (rewritten) and the IP, UDP and TCP checksums, which must be right
(read, tshark, bytes); fragments reassembled with a right transport checksum.

Prints one line per case ("ok: ..." or the failures); exit 0 when every case
passed, 1 otherwise.
"""

import argparse
import json
import re
import struct
import sys
import time

# --------------------------------------------------------------------- capture


def read_pcap(path):
    """The frames of a pcap file, as (linktype, bytes)."""
    data = open(path, "rb").read()
    if len(data) < 24:
        raise SystemExit(f"FAIL: {path}: not a pcap file ({len(data)} bytes)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit(f"FAIL: {path}: not a pcap file (magic {magic.hex()})")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    frames, pos = [], 24
    while pos + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
        frames.append(data[pos + 16:pos + 16 + caplen])
        pos += 16 + caplen
    return linktype, frames


def ip_of(linktype, frame):
    """The IPv4 datagram a frame carries, or None."""
    if linktype == 1:  # Ethernet, VLAN tags skipped
        pos, etype = 12, None
        while pos + 2 <= len(frame):
            etype = struct.unpack("!H", frame[pos:pos + 2])[0]
            if etype not in (0x8100, 0x88A8):
                break
            pos += 4
        ip = frame[pos + 2:] if etype == 0x0800 else None
    elif linktype == 113:  # Linux cooked v1
        ip = frame[16:] if frame[14:16] == b"\x08\x00" else None
    elif linktype in (12, 14, 101, 228):  # raw IP
        ip = frame
    else:
        raise SystemExit(f"FAIL: link type {linktype} not handled here")
    if ip is None or len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    return ip


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def l4_csum_right(proto, src, dst, l4):
    """Whether the ICMP/UDP/TCP checksum of a whole transport message is right
    (None where there is nothing to judge: UDP checksum 0, other protocols)."""
    if proto == 1:
        return len(l4) >= 4 and csum(l4) == 0
    if proto not in (6, 17) or len(l4) < (8 if proto == 17 else 20):
        return None
    if proto == 17 and l4[6:8] == b"\0\0":
        return None
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    return csum(pseudo + l4) == 0


def ip_options(opts):
    """IPv4 options as a list of {"type", "len", ["ptr"], "data"}; parsing stops at EOL."""
    out, i = [], 0
    while i < len(opts):
        t = opts[i]
        if t in (0, 1):
            out.append({"type": t, "len": 1})
            i += 1
            if t == 0:
                break
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2 or i + opts[i + 1] > len(opts):
            out.append({"type": t, "len": None})
            break
        n = opts[i + 1]
        o = {"type": t, "len": n, "data": opts[i + 2:i + n].hex()}
        if t in (7, 68, 131, 137):
            o["ptr"] = opts[i + 2] if n > 2 else None
            o["data"] = opts[i + 3:i + n].hex()
        out.append(o)
        i += n
    return out


def transport_fields(d, proto, src, dst, l4, whole):
    """raw.* of a transport message (whole: not a fragment, checksums judgeable)."""
    d["raw.l4"] = l4.hex()
    d["raw.l4_csum_right"] = l4_csum_right(proto, src, dst, l4) if whole else None
    if proto == 1 and len(l4) >= 8:
        d["raw.icmp_type"], d["raw.icmp_code"] = l4[0], l4[1]
        d["raw.icmp_rest"] = l4[4:8].hex()
        d["raw.payload"] = l4[8:].hex()
    elif proto == 17 and len(l4) >= 8:
        d["raw.udp_len"] = struct.unpack("!H", l4[4:6])[0]
        d["raw.payload"] = l4[8:].hex()
    elif proto == 6 and len(l4) >= 20:
        hlen = (l4[12] >> 4) * 4
        d["raw.tcp_hlen"] = hlen
        d["raw.tcp_flags"] = l4[13]
        d["raw.tcp_urp"] = struct.unpack("!H", l4[18:20])[0]  # read's JSON has no urgent pointer
        d["raw.tcp_options"] = l4[20:hlen].hex()
        d["raw.payload"] = l4[hlen:].hex()


def raw_fields(ip):
    """What the bytes of one IPv4 datagram say, decoded here (no other tool)."""
    ihl = ip[0] & 15
    hl = ihl * 4
    tot, frag = struct.unpack("!H", ip[2:4])[0], struct.unpack("!H", ip[6:8])[0]
    proto, src, dst = ip[9], ip[12:16], ip[16:20]
    d = {
        "raw.version": ip[0] >> 4, "raw.ihl": ihl, "raw.ip_len_field": tot,
        "raw.ip_bytes": len(ip), "raw.ip_id": struct.unpack("!H", ip[4:6])[0],
        "raw.df": bool(frag & 0x4000), "raw.mf": bool(frag & 0x2000),
        "raw.frag_off": (frag & 0x1FFF) * 8, "raw.proto": proto,
        "raw.ip_checksum": struct.unpack("!H", ip[10:12])[0],
        "raw.ip_header": ip[:max(20, min(hl, len(ip)))].hex(),
        "raw.src": ".".join(str(b) for b in src), "raw.dst": ".".join(str(b) for b in dst),
    }
    if 20 <= hl <= len(ip):
        d["raw.ip_csum_right"] = csum(ip[:hl]) == 0
        d["raw.ip_options"] = ip[20:hl].hex()
        d["raw.opts"] = ip_options(ip[20:hl])
        rr = [o for o in d["raw.opts"] if o["type"] == 7 and o.get("ptr")]
        if rr:  # the addresses recorded so far (up to the pointer)
            o = rr[0]
            got = bytes.fromhex(o["data"])[:max(0, o["ptr"] - 4)]
            d["raw.rr"] = [".".join(str(b) for b in got[i:i + 4]) for i in range(0, len(got) - 3, 4)]
    else:
        d["raw.ip_csum_right"] = None
        return d
    # The datagram ends where its total length says, unless that runs past the bytes.
    end = tot if hl <= tot <= len(ip) else len(ip)
    d["raw.ip_data"] = ip[hl:end].hex()
    masked = bytearray(ip[:hl])
    masked[10:12] = b"\0\0"
    masked[12:20] = b"\0" * 8
    d["raw.ip_header_masked"] = masked.hex()  # without checksum and addresses
    data = bytearray(ip[hl:end])
    if frag & 0x1FFF == 0 and proto == 17 and len(data) >= 8:
        data[6:8] = b"\0\0"
    elif frag & 0x1FFF == 0 and proto == 6 and len(data) >= 18:
        data[16:18] = b"\0\0"
    d["raw.ip_data_masked"] = data.hex()  # without the UDP/TCP checksum (ICMP's has no addresses)
    if frag & 0x1FFF == 0:
        transport_fields(d, proto, src, dst, ip[hl:end], not frag & 0x2000)
    return d


# --------------------------------------------------------------------- tshark

BARE_LAYER = re.compile(r"[a-z0-9_]+")


def flatten(obj, out):
    """tshark's tree of one layer as field -> [values]; nested protocol layers
    (an ICMP error's quoted ip/udp, data) are left out."""
    for k, v in obj.items():
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, dict):
                if not BARE_LAYER.fullmatch(k):
                    flatten(item, out)
            else:
                out.setdefault(k, []).append(item)


def tshark_frames(path):
    frames = {}
    for pkt in json.load(open(path)):
        layers = pkt["_source"]["layers"]
        fields = {}
        for name in ("frame", "ip", "icmp", "udp", "tcp"):
            layer = layers.get(name)
            if isinstance(layer, list):  # IP in ICMP and so on: the outer one
                layer = layer[0]
            if isinstance(layer, dict):
                flatten(layer, fields)
        frames[int(fields["frame.number"][0])] = fields
    return frames


def bool01(v):
    return {True: 1, False: 0}.get(v, v) if isinstance(v, bool) else v


STATUS = {True: 1, False: 0}  # tshark's checksum.status: 0 bad, 1 good, 2 unverified, 3 absent

# read key -> (tshark field, value converter)
TSHARK = {
    "ip.version": ("ip.version", None), "ip.ihl": ("ip.hdr_len", lambda v: v * 4),
    "ip.tos": ("ip.dsfield", None), "ip.len": ("ip.len", None), "ip.id": ("ip.id", None),
    "ip.df": ("ip.flags.df", bool01), "ip.mf": ("ip.flags.mf", bool01),
    "ip.frag_off": ("ip.frag_offset", lambda v: v // 8), "ip.ttl": ("ip.ttl", None),
    "ip.proto": ("ip.proto", None), "ip.checksum": ("ip.checksum", None),
    "ip.checksum_ok": ("ip.checksum.status", None), "ip.src": ("ip.src", None),
    "ip.dst": ("ip.dst", None),
    "icmp.type": ("icmp.type", None), "icmp.code": ("icmp.code", None),
    "icmp.checksum": ("icmp.checksum", None), "icmp.checksum_ok": ("icmp.checksum.status", None),
    "icmp.id": ("icmp.ident", None), "icmp.seq": ("icmp.seq", None),
    "icmp.originate": ("icmp.originate_timestamp", None),
    "icmp.receive": ("icmp.receive_timestamp", None),
    "icmp.transmit": ("icmp.transmit_timestamp", None),
    "icmp.mask": ("icmp.address_mask", None), "icmp.pointer": ("icmp.pointer", None),
    "icmp.gateway": ("icmp.redir_gw", None), "icmp.mtu": ("icmp.mtu", None),
    "udp.sport": ("udp.srcport", None), "udp.dport": ("udp.dstport", None),
    "udp.len": ("udp.length", None), "udp.checksum": ("udp.checksum", None),
    "udp.checksum_ok": ("udp.checksum.status", None),
    "tcp.sport": ("tcp.srcport", None), "tcp.dport": ("tcp.dstport", None),
    "tcp.seq": ("tcp.seq_raw", None), "tcp.ack": ("tcp.ack_raw", None),
    "tcp.hlen": ("tcp.hdr_len", None), "tcp.flags": ("tcp.flags", None),
    "tcp.win": ("tcp.window_size_value", None), "tcp.urp": ("tcp.urgent_pointer", None),
    "tcp.checksum": ("tcp.checksum", None), "tcp.checksum_ok": ("tcp.checksum.status", None),
}


def to_tshark(key, want):
    """(field, expected value in tshark's terms) for a read expectation, or None."""
    field, conv = TSHARK.get(key, (None, None))
    if field is None:
        return None
    if field.endswith("checksum.status"):
        conv = None
        if want is None:  # not judgeable: unverified or absent
            return field, {"one_of": [2, 3]}
        if isinstance(want, bool):
            return field, STATUS[want]
    if isinstance(want, dict):
        if "not" in want:
            v = to_tshark(key, want["not"])
            return (field, {"not": v[1]}) if v else None
        if "one_of" in want:
            return field, {"one_of": [to_tshark(key, w)[1] for w in want["one_of"]]}
        if "range" in want:
            return field, {"range": [conv(w) if conv else w for w in want["range"]]}
        return None  # any/absent/present and the byte forms: read's business
    return field, conv(want) if conv and want is not None else want


def tshark_norm(v):
    """tshark's strings as numbers where they are numbers ("0x00b8", "64")."""
    if isinstance(v, str):
        if re.fullmatch(r"\d+", v):
            return int(v)
        if re.fullmatch(r"0x[0-9a-fA-F]+", v):
            return int(v, 16)
    return v


# --------------------------------------------------------------------- values

MISSING = object()


def get(obj, path):
    for part in path.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return MISSING
    return obj


def as_hex(spec):
    if "hex" in spec:
        return re.sub(r"[^0-9a-fA-F]", "", spec["hex"]).lower()
    if "text" in spec:
        return spec["text"].encode().hex()
    if "pattern" in spec:
        return bytes(i & 0xFF for i in range(spec["pattern"])).hex()
    return open(spec["file"], "rb").read().hex()


def short(v):
    s = json.dumps(v) if v is not MISSING else "absent"
    return s if len(s) <= 90 else s[:60] + f"...({len(s)} chars)"


def judge(got, want):
    """None when got satisfies want, else a description of what was wanted."""
    if isinstance(want, dict):
        if "any" in want:
            return None
        if "absent" in want:
            return None if got is MISSING else "absent"
        if got is MISSING:
            return short(want)
        if "present" in want:
            return None
        if "not" in want:
            return None if got != want["not"] else f"not {short(want['not'])}"
        if "range" in want:
            lo, hi = want["range"]
            ok = isinstance(got, (int, float)) and not isinstance(got, bool) and lo <= got <= hi
            return None if ok else f"in {lo}..{hi}"
        if "one_of" in want:
            return None if got in want["one_of"] else f"one of {short(want['one_of'])}"
        if "contains" in want:
            ok = isinstance(got, list) and all(w in got for w in want["contains"])
            return None if ok else f"a list holding {short(want['contains'])}"
        if "regex" in want:
            ok = isinstance(got, str) and re.fullmatch(want["regex"], got)
            return None if ok else f"matching /{want['regex']}/"
        if "ms_today" in want:  # a time of day in ms since midnight UTC, near now
            now = int(time.time() * 1000) % 86400000
            ok = isinstance(got, int) and min(abs(got - now), 86400000 - abs(got - now)) <= want["ms_today"]
            return None if ok else f"ms since midnight UTC within {want['ms_today']} of {now}"
        if {"hex", "text", "pattern", "file"} & want.keys():
            h = as_hex(want)
            return None if got == h else short(h)
    if got is MISSING:
        return short(want)
    if type(got) is bool or type(want) is bool or got is None or want is None:
        return None if got is want or got == want and type(got) is type(want) else short(want)
    return None if got == want else short(want)


def value(pkt, key):
    """A key's value in a packet (read's JSON plus raw.*)."""
    if key.startswith("raw."):
        return pkt["raw"].get(key, MISSING)
    if key == "l4.checksum_ok":
        for layer in ("icmp", "udp", "tcp"):
            if layer in pkt["read"]:
                return pkt["read"][layer].get("checksum_ok", MISSING)
        return MISSING
    return get(pkt["read"], key)


def tshark_value(fields, field):
    vals = fields.get(field)
    if vals is None:
        return MISSING
    vals = [tshark_norm(v) for v in vals]
    return vals[0] if len(vals) == 1 else vals


def l4_tshark_field(pkt):
    for layer in ("icmp", "udp", "tcp"):
        if layer in pkt["read"]:
            return layer + ".checksum_ok"
    return None


# --------------------------------------------------------------------- cases


class Case:
    def __init__(self, spec, defaults, match_defaults, packets, tshark):
        self.name = spec["name"]
        self.spec = spec
        self.expect = dict(defaults)
        self.expect.update(spec.get("expect", {}))
        self.tshark = tshark
        self.errors = []
        self.checked = self.tchecked = 0
        match = dict(match_defaults)
        match.update(spec.get("match", {}))
        self.match = match
        self.packets = [p for p in packets if p["ip"] is not None and not p["ignored"] and
                        all(judge(value(p, k), w) is None for k, w in match.items())]

    def err(self, pkt, msg):
        where = f"frame {pkt['frame']}: " if pkt else ""
        self.errors.append(f"{where}{msg}")

    def check_keys(self, pkt, expect):
        for key, want in expect.items():
            if key.startswith("@"):
                continue
            got = value(pkt, key)
            why = judge(got, want)
            self.checked += 1
            if why is not None:
                self.err(pkt, f"{key} is {short(got)}, expected {why} (read/raw)")
            if self.tshark is None or not self.expect.get("@tshark_auto", True):
                continue
            tkey = key
            if key == "l4.checksum_ok":
                tkey = l4_tshark_field(pkt)
                if tkey is None:
                    continue
            if key in self.expect.get("@tshark_skip", []):
                continue
            mapped = to_tshark(tkey, want)
            if mapped is not None:
                self.check_tshark(pkt, *mapped)

    def check_tshark(self, pkt, field, want):
        fields = self.tshark.get(pkt["frame"])
        if fields is None:
            self.err(pkt, "tshark did not list this frame")
            return
        got = tshark_value(fields, field)
        if isinstance(want, dict) and {"hex", "text", "pattern", "file"} & want.keys() and isinstance(got, str):
            got = got.replace(":", "").lower()  # tshark shows bytes as 83:0b:04...
        if isinstance(want, list):
            want = [tshark_norm(w) if isinstance(w, str) else w for w in want]
            if not isinstance(got, list) and got is not MISSING:
                got = [got]
        why = judge(got, want)
        self.tchecked += 1
        if why is not None:
            self.err(pkt, f"tshark {field} is {short(got)}, expected {why}")

    def run(self):
        pk = self.packets
        count = self.expect.get("@count", 1)
        if judge(len(pk), count) is not None:
            self.err(None, f"{len(pk)} packets matched {short(self.match)}, "
                     f"expected {judge(len(pk), count)}")
            if not pk:
                return
        each = self.expect.get("@each", [])
        for i, p in enumerate(pk):
            self.check_keys(p, self.expect)
            if i < len(each):
                self.check_keys(p, each[i])
            if self.tshark is not None:
                for field, want in self.expect.get("@tshark", {}).items():
                    self.check_tshark(p, field, want)
        if len(each) > len(pk):
            self.err(None, f"@each lists {len(each)} packets, only {len(pk)} came")
        for key in self.expect.get("@same", []):
            vals = {json.dumps(value(p, key), default=str) for p in pk}
            if len(vals) != 1:
                self.err(None, f"{key} differs between the packets: {sorted(vals)}")
        if "@fragments" in self.expect:
            self.check_fragments(self.expect["@fragments"])

    def check_fragments(self, spec):
        pk, mtu = self.packets, spec["mtu"]
        pieces = []
        for i, p in enumerate(pk):
            ip, r = p["ip"], p["raw"]
            if r["raw.ip_len_field"] > mtu:
                self.err(p, f"fragment of {r['raw.ip_len_field']} bytes > MTU {mtu}")
            if r["raw.ip_len_field"] != len(ip):
                self.err(p, f"total length {r['raw.ip_len_field']} but {len(ip)} bytes captured")
            last = i == len(pk) - 1
            if r["raw.mf"] == last:
                self.err(p, f"MF is {r['raw.mf']} on fragment {i + 1} of {len(pk)}")
            data = bytes.fromhex(r.get("raw.ip_data", ""))
            if not last and len(data) % 8:
                self.err(p, f"{len(data)} data bytes: not a multiple of 8 in a fragment before the last")
            opts = r.get("raw.ip_options")
            want = spec.get("first_options" if i == 0 else "later_options")
            if want is not None and opts != want:
                self.err(p, f"options {opts}, expected {want} ({'first' if i == 0 else 'later'} fragment)")
            pieces.append((r["raw.frag_off"], data, p))
        expected_off = 0
        for off, data, p in pieces:  # sent in order: each starts where the last ended
            if off != expected_off:
                self.err(p, f"offset {off}, expected {expected_off} (gap, overlap or out of order)")
            expected_off = off + len(data)
        if not pieces:
            return
        first = pk[0]["ip"]
        hl = (first[0] & 15) * 4
        whole = b"".join(d for _, d, _ in pieces)
        hdr = bytearray(first[:hl])
        hdr[2:4] = struct.pack("!H", hl + len(whole))
        hdr[6:8] = struct.pack("!H", struct.unpack("!H", first[6:8])[0] & 0x4000)
        hdr[10:12] = b"\0\0"
        hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
        rebuilt = {"raw": raw_fields(bytes(hdr) + whole)}
        for key, want in spec.get("reassembled", {}).items():
            got = value(rebuilt, key)
            why = judge(got, want)
            self.checked += 1
            if why is not None:
                self.err(None, f"reassembled datagram: {key} is {short(got)}, expected {why}")
        self.note = f"{len(pk)} fragments, offsets {[o for o, _, _ in pieces]}, {len(whole)} bytes reassembled"

    def report(self):
        if self.errors:
            for e in self.errors:
                print(f"FAIL: {self.name}: {e}")
            return False
        extra = getattr(self, "note", "")
        t = f", {self.tchecked} by tshark" if self.tshark is not None else ""
        print(f"ok: {self.name}: {len(self.packets)} packet(s), {self.checked} checks{t}"
              f"{'; ' + extra if extra else ''}")
        return True


def replay_specs(expected_pcap, src, dst, packets):
    """Cases for a replay: the IPv4 datagrams of expected_pcap, in order, must be
    the packets captured from src to dst, in order, each the same but for the
    rewritten addresses and the checksums, which must be right."""
    lt, frames = read_pcap(expected_pcap)
    want = []
    for frame in frames:
        ip = ip_of(lt, frame)
        if ip is not None:
            tot = struct.unpack("!H", ip[2:4])[0]
            want.append(raw_fields(ip[:tot] if 20 <= tot <= len(ip) else ip))
    got = [p for p in packets if p["ip"] is not None and not p["ignored"] and
           p["raw"]["raw.src"] == src and p["raw"]["raw.dst"] == dst]
    specs, errors = [], []
    if len(got) != len(want):
        errors.append(f"{len(got)} IPv4 packets {src} > {dst} captured, expected {len(want)} "
                      f"(the IPv4 packets of {expected_pcap})")
    for i, (w, g) in enumerate(zip(want, got), 1):
        no_csum = w.get("raw.l4_csum_right", 0) is None and not w["raw.mf"]
        if w["raw.frag_off"] or w["raw.proto"] not in (1, 6, 17):
            l4 = {"any": 1}  # no transport header here, or none checked
        elif w["raw.mf"]:
            l4 = None  # a first fragment: not judgeable alone
        elif no_csum:
            l4 = {"one_of": [None, True]}
        else:
            l4 = True
        expect = {
            "ip.src": src, "ip.dst": dst, "ip.checksum_ok": True, "raw.ip_csum_right": True,
            "raw.ip_header_masked": w["raw.ip_header_masked"],
            "raw.ip_data_masked": w["raw.ip_data_masked"],
            "l4.checksum_ok": l4, "raw.l4_csum_right": l4, "malformed": {"absent": 1},
        }
        if no_csum:  # UDP checksum 0 in the original: kept 0 or recomputed, both right
            expect["@tshark_skip"] = ["l4.checksum_ok"]
        specs.append({"name": f"replay #{i} (id {w['raw.ip_id']}, offset {w['raw.frag_off']})",
                      "match": {"frame": g["frame"]}, "expect": expect})
    ids = {w["raw.ip_id"] for w in want if w["raw.mf"] or w["raw.frag_off"]}
    for ident in sorted(ids):
        pieces = [w for w in want if w["raw.ip_id"] == ident]
        whole = bytes.fromhex("".join(w["raw.ip_data"] for w in sorted(pieces, key=lambda w: w["raw.frag_off"])))
        tail = {17: 8, 6: 20, 1: 8}.get(pieces[0]["raw.proto"], 0)
        specs.append({"name": f"replay: fragments of id {ident} reassembled",
                      "match": {"raw.ip_id": ident, "raw.src": src, "raw.dst": dst},
                      "expect": {"@count": len(pieces), "@fragments": {"mtu": 65535, "reassembled": {
                          "raw.l4_csum_right": True, "raw.payload": {"hex": whole[tail:].hex()}}}}})
    return specs, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--read", required=True)
    ap.add_argument("--tshark")
    ap.add_argument("--replay", metavar="EXPECTED_PCAP",
                    help="instead of CASES: the capture holds these IPv4 packets, in order, rewritten")
    ap.add_argument("--rewrite", metavar="SRC,DST", help="with --replay: the addresses they were given")
    ap.add_argument("--ignore", metavar="TEXT", help="leave out packets holding TEXT (the test's marker)")
    ap.add_argument("cases", nargs="?")
    a = ap.parse_args()
    if (a.cases is None) == (a.replay is None) or (a.replay and not a.rewrite):
        ap.error("give CASES, or --replay with --rewrite")

    linktype, frames = read_pcap(a.pcap)
    read = {}
    for line in open(a.read):
        if line.strip():
            obj = json.loads(line)
            read[obj["frame"]] = obj
    if len(read) != len(frames):
        print(f"FAIL: rawprobe read listed {len(read)} frames, the file holds {len(frames)}")
        return 1
    packets = []
    for n, frame in enumerate(frames, 1):
        ip = ip_of(linktype, frame)
        packets.append({"frame": n, "ip": ip, "read": read[n], "raw": raw_fields(ip) if ip else {},
                        "ignored": bool(a.ignore and ip and a.ignore.encode() in ip)})
    tshark = tshark_frames(a.tshark) if a.tshark else None
    if tshark is not None and len(tshark) != len(frames):
        print(f"FAIL: tshark listed {len(tshark)} frames, the file holds {len(frames)}")
        return 1

    defaults, match_defaults, ok, n = {}, {}, True, 0
    if a.replay:
        specs, errors = replay_specs(a.replay, *a.rewrite.split(","), packets)
        for e in errors:
            print(f"FAIL: {e}")
        ok = not errors
    else:
        specs = []
        for lineno, line in enumerate(open(a.cases), 1):
            try:
                specs += [json.loads(line)] if line.strip() else []
            except json.JSONDecodeError as e:
                print(f"FAIL: {a.cases} line {lineno}: {e}: {line.strip()}")
                return 1
    for spec in specs:
        if "defaults" in spec:
            defaults = spec["defaults"]
            match_defaults = spec.get("match", {})
            continue
        case = Case(spec, defaults, match_defaults, packets, tshark)
        case.run()
        ok &= case.report()
        n += 1
    if tshark is None:
        print("--- tshark output not given: the tshark cross-check was skipped")
    print(f"{'ok' if ok else 'FAIL'}: {n} cases against {len(frames)} captured frames")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
