"""Kills scrubd with SIGKILL at random points of a stream of changes and
checks, after each restart, that every acknowledged change was kept.

One client streams mitigation adds (one IPv6 /128 each, in the tenant
acme's 2001:db8:100::/48) and withdrawals of the older ones over the
control socket, one request at a time, while a timer kills scrubd at a
random instant. A change is acknowledged when its answer line arrived with
"ok": true. After the restart, each acknowledged add not acknowledged as
withdrawn must be listed, each acknowledged withdrawal must not be; the one
request in flight at the kill may have taken effect or not.

usage: kill_restore.py SCRUBD CONFIG STORE SOCKET WORKDIR CYCLES SEED
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

scrubd, config, store, sock_path, work, cycles, seed = sys.argv[1:8]
cycles, rng = int(cycles), random.Random(int(seed))
CUID = "kill-restore"
KEEP = 40  # active mitigations at most: the simulation card has 256 destinations


proc = None  # the running scrubd


def fail(msg):
    print("FAIL: " + msg)
    if proc and proc.poll() is None:
        proc.kill()
    sys.exit(1)


def start(n):
    global proc
    log = open(os.path.join(work, "scrubd-%d.log" % n), "w")
    proc = subprocess.Popen([scrubd, "-f", config, "-S", store, "-s", sock_path, "--watchdog-ms", "0"],
                            stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            fail("scrubd exited at start %d (see %s)" % (n, log.name))
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            return s
        except OSError:
            time.sleep(0.02)
    fail("scrubd not ready after 30 s at start %d" % n)


def ask(s, f, request):
    """The answer, or None when the connection broke (scrubd killed)."""
    try:
        s.sendall((json.dumps(request) + "\n").encode())
        line = f.readline()
    except OSError:
        return None
    return json.loads(line) if line.endswith("\n") else None


def listed(s, f):
    a = ask(s, f, {"command": "mitigation-list", "client": "acme"})
    if not a or not a.get("ok"):
        fail("mitigation-list after a restart: %r" % a)
    return {m["mid"] for m in a["result"]["mitigations"] if m["cuid"] == CUID}


active = set()      # acknowledged adds, not acknowledged as withdrawn
withdrawn = set()   # acknowledged withdrawals
next_mid, acked_total, in_flight_seen = 0, 0, 0
s = start(0)
for cycle in range(cycles):
    f = s.makefile("r")
    killer = threading.Timer(rng.uniform(0.02, 0.4), lambda p=proc: p.send_signal(signal.SIGKILL))
    killer.start()
    in_flight = None
    while True:
        if len(active) > KEEP:
            mid = min(active)
            req = {"command": "mitigation-withdraw", "cuid": CUID, "mid": mid}
            in_flight = ("withdraw", mid)
        else:
            mid, next_mid = next_mid, next_mid + 1
            req = {"command": "mitigation-add", "client": "acme", "cuid": CUID, "mid": mid,
                   "prefixes": ["2001:db8:100::%x/128" % (mid + 1)], "lifetime": 3600}
            in_flight = ("add", mid)
        a = ask(s, f, req)
        if a is None:
            break
        if not a.get("ok"):
            fail("cycle %d: %s refused: %s" % (cycle, json.dumps(req), a.get("error")))
        acked_total += 1
        if in_flight[0] == "add":
            active.add(mid)
        else:
            active.discard(mid)
            withdrawn.add(mid)
        in_flight = None
    killer.join()
    proc.wait()
    if proc.returncode != -signal.SIGKILL:
        fail("cycle %d: scrubd ended with %s, not SIGKILL" % (cycle, proc.returncode))
    s.close()
    s = start(cycle + 1)
    f = s.makefile("r")
    now = listed(s, f)
    # The request in flight may have been committed before the kill.
    if in_flight and in_flight[1] in now and in_flight[0] == "add":
        active.add(in_flight[1])
        in_flight_seen += 1
    if in_flight and in_flight[1] not in now and in_flight[0] == "withdraw":
        active.discard(in_flight[1])
        withdrawn.add(in_flight[1])
        in_flight_seen += 1
    lost = active - now
    if lost:
        fail("cycle %d: acknowledged mitigations lost: %s" % (cycle, sorted(lost)))
    back = now & withdrawn
    if back:
        fail("cycle %d: acknowledged withdrawals undone: %s" % (cycle, sorted(back)))
    extra = now - active
    if extra:
        fail("cycle %d: mitigations nobody added: %s" % (cycle, sorted(extra)))
    s.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)

proc.send_signal(signal.SIGTERM)
proc.wait()
if acked_total < 5 * cycles:
    fail("only %d acknowledged changes in %d cycles: the kills came too early to test much" % (acked_total, cycles))
print("kill_restore: %d SIGKILLs, %d acknowledged changes all kept (%d in flight at a kill were committed), "
      "%d mitigations at the end" % (cycles, acked_total, in_flight_seen, len(active)))
