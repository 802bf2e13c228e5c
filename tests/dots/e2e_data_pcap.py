#!/usr/bin/env python3
"""Writes the captures of the data channel's end-to-end test
(e2e_data_simcard.sh): UDP from 192.0.2.50 to acme's 198.51.100.0/24,
every IPv4 packet L3_LEN bytes long, each frame tagged at the end of its
payload with b"E2E\\0", its flow's number and its index in the capture, so
that e2e_data_judge.py finds each frame's fate by its bytes. The flows:

  0 now     to 198.51.100.10 port 5000  (the immediate drop ACL)
  1 later   to 198.51.100.20 port 6000  (the activate-when-mitigating drop ACL)
  2 other   to 198.51.100.10 port 5001 and 198.51.100.20 port 6001 (no ACL)
  3 rate2   to 198.51.100.30 port 7000, 2x RATE bytes/s (a rate-limit ACL)
  4 rate10  to 198.51.100.31 port 7000, 10x RATE bytes/s (another)

  5 lead    to 192.0.2.1 (no tenant's), alone at the start with --lead

Flows 0-2 take turns, one frame every 2 ms, FILTER_FRAMES of each, from
1.8e9 s on. --rate RATE SECONDS: flows 3 and 4 beside them at their
offered loads for SECONDS (evenly spaced frames). --lead GAP: one lead
frame GAP seconds before them (a replay at real time starts its clock
with it: the others wait GAP seconds).
usage: e2e_data_pcap.py OUT.pcap FILTER_FRAMES [--lead GAP] [--rate RATE SECONDS]"""
import struct
import sys

L3_LEN = 500
SRC = bytes([192, 0, 2, 50])
FLOWS = {0: ([198, 51, 100, 10], 5000), 1: ([198, 51, 100, 20], 6000), 3: ([198, 51, 100, 30], 7000),
         4: ([198, 51, 100, 31], 7000), 5: ([192, 0, 2, 1], 9)}
START_NS = 1_800_000_000 * 10**9


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(flow, index, n):
    """The frame of flow `flow`, the capture's `index`-th; n: the flow's count so far."""
    if flow == 2:
        dst, port = ([198, 51, 100, 10], 5001) if n % 2 else ([198, 51, 100, 20], 6001)
    else:
        dst, port = FLOWS[flow]
    tag = b"E2E\0" + struct.pack("!BI", flow, index)
    payload = bytes(L3_LEN - 20 - 8 - len(tag)) + tag
    udp = struct.pack("!HHHH", 40000 + n % 1000, port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, L3_LEN, index & 0xFFFF, 0, 64, 17, 0, SRC, bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp


def main():
    out, filter_frames, options = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    events = [(START_NS + i * 2_000_000, i % 3) for i in range(3 * filter_frames)]
    if "--lead" in options:
        events.append((START_NS - round(float(options[options.index("--lead") + 1]) * 1e9), 5))
    if "--rate" in options:
        at = options.index("--rate")
        rate, seconds = float(options[at + 1]), float(options[at + 2])
        for flow, load in ((3, 2), (4, 10)):
            gap_ns = L3_LEN / (load * rate) * 1e9
            events += [(START_NS + round(k * gap_ns), flow) for k in range(int(seconds * 1e9 / gap_ns))]
    events.sort()
    counts = {}
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
        for index, (t, flow) in enumerate(events):
            b = frame(flow, index, counts.get(flow, 0))
            counts[flow] = counts.get(flow, 0) + 1
            f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(b), len(b)) + b)


main()
