#!/usr/bin/env python3
"""Judges the make-before-break run frame by frame: each frame of the
capture the card was given (index 1 to REPLAYED - 1; index 0 is the lead
frame, sent before scrubd programmed the card) passed the card (it is in
CARD.pcap, unchanged) or not, and that verdict must equal scrub-model's
under rule set A (A.pcap: what the model passed) or under B (B.pcap).
The references must be what the test means: UDP dropped under both, TCP
passed under both, ICMP passed under A and dropped under B. Prints how
many frames met A's verdicts, B's, both; ICMP's verdict changes in replay
order must be at least MIN_SWITCHES (the updates reached the traffic) and
at most COMMITS (the card committed no more often), and the first and
last ICMP frames saw A (the rule set before the first update and after
the last).
usage: mbb_judge.py IN.pcap CARD.pcap A.pcap B.pcap REPLAYED COMMITS MIN_SWITCHES"""
import struct
import sys


def frames(path):
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data)[0]
    if magic not in (0xA1B23C4D, 0xA1B2C3D4):
        sys.exit("%s: not a pcap" % path)
    off, out = 24, []
    while off < len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def index(b):
    if b[-8:-4] != b"MBB\0":
        sys.exit("a frame without the test's tag: %s" % b.hex())
    return struct.unpack("!I", b[-4:])[0]


def passed(path, sent):
    seen = set()
    for b in frames(path):
        i = index(b)
        if i >= len(sent) or b != sent[i]:
            sys.exit("%s: frame %d differs from the one sent" % (path, i))
        if i in seen:
            sys.exit("%s: frame %d passed twice" % (path, i))
        seen.add(i)
    return seen


def kind(b):
    ethertype = b[12:14]
    proto = b[23] if ethertype == b"\x08\x00" else b[20]
    return {17: "udp", 1: "icmp", 58: "icmp", 6: "tcp"}[proto]


sent = frames(sys.argv[1])
card, ref_a, ref_b = (passed(p, sent) for p in sys.argv[2:5])
replayed, commits, min_switches = (int(x) for x in sys.argv[5:8])
if not 1 < replayed <= len(sent):
    sys.exit("the card was given %d frames of the capture's %d" % (replayed, len(sent)))
if max(card, default=0) >= replayed:
    sys.exit("frame %d passed, but only %d were given to the card" % (max(card), replayed))

want = {"udp": (False, False), "tcp": (True, True), "icmp": (True, False)}
for i in range(1, len(sent)):
    k = kind(sent[i])
    if (i in ref_a, i in ref_b) != want[k]:
        sys.exit("scrub-model's reference is not the test's: %s frame %d passed under A %s, under B %s"
                 % (k, i, i in ref_a, i in ref_b))

met = {"A": 0, "B": 0, "both": 0}
bad, icmp = [], []
for i in range(1, replayed):
    c, a, b = i in card, i in ref_a, i in ref_b
    if c == a and c == b:
        met["both"] += 1
    elif c == a:
        met["A"] += 1
    elif c == b:
        met["B"] += 1
    else:
        bad.append("%s frame %d %s by the card, %s under both rule sets"
                   % (kind(sent[i]), i, "passed" if c else "dropped", "passed" if a else "dropped"))
    if kind(sent[i]) == "icmp":
        icmp.append(c)
switches = sum(1 for x, y in zip(icmp, icmp[1:]) if x != y)
print("mbb_judge: %d frames judged: %d met A's verdicts only, %d B's only, %d both; "
      "%d ICMP verdict switches, %d commits" % (replayed - 1, met["A"], met["B"], met["both"], switches, commits))
if bad:
    print("FAIL: %d frames met neither rule set's verdict, the first:\n  %s" % (len(bad), "\n  ".join(bad[:10])))
    sys.exit(1)
if not icmp or not icmp[0] or not icmp[-1]:
    sys.exit("FAIL: the first and the last ICMP frames must pass (rule set A before and after the updates)")
if not min_switches <= switches <= commits:
    sys.exit("FAIL: %d ICMP verdict switches, expected between %d and the %d commits" % (switches, min_switches, commits))
