#!/usr/bin/env python3
"""Writes the make-before-break test's capture: one lead frame at time 0
(TCP to 192.0.2.1, no tenant's; the replay's clock starts with it), then
from GAP seconds on a burst every INTERVAL ms of six frames with one
timestamp (back to back on the card, so several are in its pipeline):
UDP, ICMP echo and TCP (PSH-ACK to port 80) from 192.0.2.50 to
203.0.113.10, and the same three from 2001:db8:ffff::50 to
2001:db8:200::10. Every frame ends in b"MBB\\0" and its index in the
capture (4 bytes, big-endian): mbb_judge.py finds its verdicts by it.
usage: mbb_pcap.py OUT.pcap GAP_S BURSTS INTERVAL_MS"""
import struct
import sys

SRC4, DST4 = bytes([192, 0, 2, 50]), bytes([203, 0, 113, 10])
SRC6 = bytes.fromhex("20010db8ffff00000000000000000050")
DST6 = bytes.fromhex("20010db8020000000000000000000010")


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4(proto, seq):
    tag = b"MBB\0" + struct.pack("!I", seq)
    if proto == "udp":
        payload = bytes(24) + tag
        return 17, 17, struct.pack("!HHHH", 40000 + seq % 1000, 5000, 8 + len(payload), 0) + payload
    if proto == "icmp":
        return 1, 58, struct.pack("!BBHHH", 8, 0, 0, 1, seq & 0xFFFF) + bytes(24) + tag
    return 6, 6, struct.pack("!HHIIBBHHH", 50000 + seq % 1000, 80, seq, 1, 5 << 4, 0x18, 65535, 0, 0) + bytes(12) + tag


def frame(v6, proto, seq):
    p4, p6, body = l4(proto, seq)
    if v6:
        if proto == "icmp":
            body = bytes([128]) + body[1:]  # ICMPv6 echo request
        ip = struct.pack("!IHBB", 6 << 28, len(body), p6, 64) + SRC6 + DST6
        return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd" + ip + body
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), seq & 0xFFFF, 0, 64, p4, 0, SRC4, DST4)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + body


def lead():
    body = struct.pack("!HHIIBBHHH", 50000, 80, 0, 1, 5 << 4, 0x18, 65535, 0, 0) + bytes(12) + b"MBB\0" + bytes(4)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0, 64, 6, 0, SRC4, bytes([192, 0, 2, 1]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + body


out, gap, bursts, interval_ms = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
    start = 1_700_000_000 * 10**9

    def record(t, b):
        f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(b), len(b)) + b)

    record(start, lead())
    seq = 1
    for i in range(bursts):
        t = start + int(gap * 1e9) + int(i * interval_ms * 1e6)
        for v6 in (False, True):
            for proto in ("udp", "icmp", "tcp"):
                record(t, frame(v6, proto, seq))
                seq += 1
