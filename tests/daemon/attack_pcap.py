#!/usr/bin/env python3
"""Writes a pcap of NTP reflection: UDP from source port 123 of 192.0.2.50
to 203.0.113.10 (the demo's globex), PACKETS packets evenly over SECONDS.
usage: attack_pcap.py OUT.pcap PACKETS SECONDS"""
import struct
import sys


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + udp


out, packets, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
    start = 1_700_000_000 * 10**9
    for i in range(packets):
        t = start + int(i * seconds * 1e9 / packets)
        b = frame([192, 0, 2, 50], [203, 0, 113, 10], 123, 40000 + i % 1000, bytes(468))
        f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(b), len(b)) + b)
