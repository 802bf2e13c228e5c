#!/usr/bin/env python3
"""Judges one replay of e2e_data_simcard.sh: the capture offered to the
card (e2e_data_pcap.py's) against the frames it passed, matched by their
tags. Prints JSON: per flow (now, later, other, rate2, rate10, lead) the frames
and L3 bytes offered, passed and dropped; for the rate flows the policer's
measured rate in card time (the records' timestamps):

  window: from the flow's first dropped frame (the policer's bucket, full
  at the start, is empty there: the first burst is what passed before it)
  to its last dropped frame (empty again). At both ends the bucket holds
  less than one frame, so the L3 bytes passed inside the window (after its
  start, up to its end) are rate x window within one frame's bytes.

Also the passed frames whose time or bytes differ from what was offered
(must be 0: a passed frame leaves as it came, at its arrival time).
usage: e2e_data_judge.py IN.pcap OUT.pcap"""
import json
import struct
import sys

NAMES = ["now", "later", "other", "rate2", "rate10", "lead"]


def records(path):
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data)[0]
    scale = 1 if magic == 0xA1B23C4D else 1000  # nanosecond or microsecond records
    out, off = [], 24
    while off < len(data):
        sec, frac, cap, _ = struct.unpack_from("<IIII", data, off)
        out.append((sec * 10**9 + frac * scale, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out


def tag(frame):
    """(flow, index) from the frame's tag, None for a frame without one."""
    if frame[-9:-5] != b"E2E\0":
        return None
    return struct.unpack("!BI", frame[-5:])


def l3_len(frame):
    return struct.unpack_from("!H", frame, 16)[0]


def main():
    offered = records(sys.argv[1])
    passed = {}
    altered = untagged = 0
    for t, f in records(sys.argv[2]):
        k = tag(f)
        if k is None:
            untagged += 1
            continue
        passed[k[1]] = (t, f)
    flows = {name: {"offered": 0, "offered_octets": 0, "passed": 0, "passed_octets": 0, "frames": []} for name in NAMES}
    for index, (t, f) in enumerate(offered):
        flow, _ = tag(f)
        st = flows[NAMES[flow]]
        got = passed.pop(index, None)
        if got and got != (t, f):
            altered += 1
        st["offered"] += 1
        st["offered_octets"] += l3_len(f)
        st["passed"] += got is not None
        st["passed_octets"] += l3_len(f) if got else 0
        st["frames"].append((t, l3_len(f), got is not None))
    for name, st in flows.items():
        st["dropped"] = st["offered"] - st["passed"]
        frames = st.pop("frames")
        if not name.startswith("rate") or len(frames) < 2:
            continue
        first_s, last_s = frames[0][0], frames[-1][0]
        st["offered_Bps"] = round(sum(n for _, n, _ in frames[1:]) / ((last_s - first_s) / 1e9), 1)
        drops = [t for t, _, ok in frames if not ok]
        if len(drops) < 2:
            continue
        start, end = drops[0], drops[-1]
        st["burst_octets"] = sum(n for t, n, ok in frames if ok and t < start)
        st["window_s"] = (end - start) / 1e9
        st["window_octets"] = sum(n for t, n, ok in frames if ok and start < t <= end)
        st["rate_Bps"] = round(st["window_octets"] / st["window_s"], 1)
    print(json.dumps({"flows": flows, "altered": altered, "untagged": untagged, "unknown": len(passed)}))


main()
