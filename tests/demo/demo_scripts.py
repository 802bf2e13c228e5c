"""scripts/demo's own piece: scripts/demo-report (the before/after table
and its cross-checks), on a small hand-made mix whose outcome is known,
then with each kind of disagreement the report must refuse.

    demo_scripts.py SCRIPTS_DIR
"""
import ipaddress
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

scripts = sys.argv[1]
py = sys.executable
tmp = tempfile.mkdtemp()
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += not ok


def path(name):
    return os.path.join(tmp, name)


def write_pcap(name, frames, t0=1700000000_000000000, step=5000):
    with open(path(name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            sec, ns = divmod(t0 + i * step, 1_000_000_000)
            f.write(struct.pack("<IIII", sec, ns, len(fr), len(fr)) + fr)
    return path(name)


def read_pcap(name):
    data = open(path(name), "rb").read()
    out, off = [], 24
    while off < len(data):
        sec, ns, cap, _ = struct.unpack_from("<IIII", data, off)
        out.append((sec * 1_000_000_000 + ns, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out


def eth(ethertype, payload, tags=()):
    head = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    for tpid, vid in tags:
        head += struct.pack(">HH", tpid, vid)
    return head + struct.pack(">H", ethertype) + payload


def ipv4(dst, n, tags=()):
    # the index n in the source keeps every frame distinct
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28, n, 0, 64, 17, 0, ipaddress.ip_address(f"100.64.{n // 256}.{n % 256}").packed,
                    ipaddress.ip_address(dst).packed)
    return eth(0x0800, h + b"\x00" * 8, tags)


def ipv6(dst, n):
    h = struct.pack(">IHBB16s16s", 0x60000000, 8, 17, 64, ipaddress.ip_address(f"2001:db8:f00::{n:x}").packed,
                    ipaddress.ip_address(dst).packed)
    return eth(0x86DD, h + b"\x00" * 8)


def run(*args):
    p = subprocess.run([py, *args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


# ---- demo-report ---------------------------------------------------------------------------
# The mix: 10 legit and 20 attack frames to the mitigated 198.51.100.0/24
# (the attack: 14 that the mitigation drops, 6 that it lets pass), 4 malformed
# ones the card drops always, 5 legit frames on VLAN 200 to the other tenant
# and 3 IPv6 attack frames to the mitigated 2001:db8:100::/48 (dropped).
classes = ([("legit-web", "legit", "198.51.100.10", ())] * 10 + [("syn-flood", "attack", "198.51.100.10", ())] * 20
           + [("malformed", "attack", "198.51.100.10", ())] * 4 + [("legit-vlan", "legit", "203.0.113.80", ((0x8100, 200),))] * 5
           + [("v6-flood", "attack", "2001:db8:100::10", ())] * 3)
frames = [ipv6(d, i) if ":" in d else ipv4(d, i, t) for i, (_, _, d, t) in enumerate(classes)]
write_pcap("mix.pcap", frames)
with open(path("mix.labels"), "w") as f:
    f.write("index\tclass\tkind\n")
    for i, (c, k, _, _) in enumerate(classes):
        f.write(f"{i}\t{c}\t{k}\n")
malformed = {i for i, c in enumerate(classes) if c[0] == "malformed"}
dropped_after = {i for i, c in enumerate(classes) if c[0] == "v6-flood"} | set(range(10, 24))
before = [f for i, f in enumerate(frames) if i not in malformed]
after = [f for i, f in enumerate(frames) if i not in malformed and i not in dropped_after]


def card(rx, tx, **drops):
    lines = ["scrub-simcard: rtl core, ...", "card counters (GSTAT: packets, frame bytes)",
             f"  card rx {rx:12} 1", f"  card tx {tx:12} 1"]
    lines += [f"  card {k} {v:12} 1" for k, v in drops.items()]
    return "\n".join(lines) + "\n"


def dots(dropped, code="2.05"):
    return json.dumps({"code": code, "body": {"ietf-dots-signal-channel:scope": [
        {"mid": 1, "status": "attack-successfully-mitigated", "pkts-dropped": str(dropped)}]}})


good = {"before.pcap": before, "after.pcap": after,
        "before-card.txt": card(42, 38, drop_malformed=4),
        "after-card.txt": card(42, 21, drop_malformed=4, drop_acl=3, drop_policer=14),
        "dots.json": dots(17)}


def report(**change):
    files = dict(good, **change)
    for name, content in files.items():
        if name.endswith(".pcap"):
            write_pcap(name, content)
        else:
            open(path(name), "w").write(content)
    return run(os.path.join(scripts, "demo-report"), "--prefix", "198.51.100.0/24", "--prefix", "2001:db8:100::/48",
               path("mix.pcap"), path("mix.labels"), path("before.pcap"), path("before-card.txt"), path("after.pcap"),
               path("after-card.txt"), path("dots.json"))


rc, out = report()
lines = out.splitlines()
row = {l.split()[0]: l.split() for l in lines if l.split() and l.split()[0] in ("syn-flood", "legit-vlan", "v6-flood")}
check(rc == 0 and "FAIL" not in out, "demo-report passes an agreeing run")
check(row.get("syn-flood") == ["syn-flood", "attack", "all", "20", "20", "6", "70.0%"]
      and row.get("legit-vlan") == ["legit-vlan", "legit", "none", "5", "5", "5", "0.0%"]
      and row.get("v6-flood") == ["v6-flood", "attack", "all", "3", "3", "0", "100.0%"],
      "per class: sent, passed before and after, % dropped; VLAN and IPv6 destinations told apart")
check("status attack-successfully-mitigated, pkts-dropped 17" in out, "the DOTS status is printed")
check("77.8% of the attack dropped, 0.0% of the legitimate" in out and "before it: 14.8% and 0.0%" in out,
      "the summary: 21 of 27 attack packets dropped, no legitimate one; before, the 4 malformed ones")
if rc or failures:
    print(out)

for what, change, text in (
        ("the card's tx disagrees with the frames passed", {"before-card.txt": card(42, 37, drop_malformed=5)},
         "FAIL before: the card's tx 37"),
        ("rx is not the mix (the held record went in)", {"after-card.txt": card(43, 21, drop_malformed=4, drop_acl=3,
                                                                                  drop_policer=14)},
         "FAIL after: the card received the 42 frames of the mix (rx 43)"),
        ("a malformed frame passed", {"before.pcap": frames, "before-card.txt": card(42, 42)},
         "FAIL before: drop_malformed"),
        ("a drop in peace time", {"before.pcap": before[1:], "before-card.txt": card(42, 37, drop_malformed=4, drop_acl=1)},
         "FAIL before: monitor-only"),
        ("DOTS disagrees with the card", {"dots.json": dots(16)}, "FAIL after: DOTS pkts-dropped 16"),
        ("DOTS answered an error", {"dots.json": dots(17, "4.04")}, "FAIL after: DOTS"),
        ("the mitigation dropped too little attack",
         {"after.pcap": after + [frames[i] for i in range(10, 20)],
          "after-card.txt": card(42, 31, drop_malformed=4, drop_acl=3, drop_policer=4), "dots.json": dots(7)},
         "FAIL after: 11 of the 27 attack packets"),
        ("the mitigation dropped legitimate traffic", {"after.pcap": after[3:], "after-card.txt": card(
            42, 18, drop_malformed=4, drop_acl=3, drop_policer=17), "dots.json": dots(20)},
         "FAIL after: 7 of the 10 legitimate packets"),
        ("another tenant's traffic changed", {"after.pcap": [f for f in after if f not in frames[34:36]],
                                              "after-card.txt": card(42, 19, drop_malformed=4, drop_acl=5,
                                                                     drop_policer=14)},
         "FAIL after: traffic to other destinations passed as before (2 frames differ)")):
    rc, out = report(**change)
    check(rc == 1 and text in out and "a cross-check failed" in out, f"demo-report fails when {what}")
    if rc != 1 or text not in out:
        print(out)

for what, change, text in (
        ("a passed frame is no frame of the mix", {"after.pcap": after + [ipv4("198.51.100.1", 999)]},
         "1 passed frames are not frames of the mix"),
        ("the counters are not a summary", {"after-card.txt": "hello\n"}, "no 'card rx' and 'card tx' lines"),
        ("the DOTS answer is not one", {"dots.json": "{}"}, "not dots-client --json's answer")):
    rc, out = report(**change)
    check(rc == 1 and text in out, f"demo-report refuses when {what}: {out.strip()}")
open(path("mix.labels"), "a").write("42\textra\tlegit\n")
rc, out = report()
check(rc == 1 and "43 labels for the 42 frames" in out, f"demo-report refuses labels that do not fit: {out.strip()}")
with open(path("mix.labels"), "w") as f:
    f.write("index\tclass\tkind\n0\tlegit-web\tfriendly\n")
rc, out = report()
check(rc == 1 and "mix.labels:2: expected '0<TAB>CLASS<TAB>legit|attack'" in out, f"and a bad label: {out.strip()}")

shutil.rmtree(tmp)
print(f"{'FAIL' if failures else 'PASS'}: demo_scripts ({failures} failures)")
sys.exit(1 if failures else 0)
