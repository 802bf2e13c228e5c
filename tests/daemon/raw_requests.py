#!/usr/bin/env python3
"""Bad and concurrent requests on scrubd's control socket: every answer is
one JSON object with ok false and an error, the daemon stays up, several
clients are served at once, an oversized request closes its connection.
usage: raw_requests.py SOCKET MAX_REQUEST"""
import json
import socket
import sys
import threading
import time

path, max_request = sys.argv[1], int(sys.argv[2])
checked = 0


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    return s


def read_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit(f"FAIL: connection closed after {data!r}")
        data += chunk
    return data


def answer(s, raw):
    s.sendall(raw)
    line = read_line(s)
    assert line.count(b"\n") == 1, f"one answer line expected, got {line!r}"
    return json.loads(line)


def refused(raw, words):
    """One connection, several bad requests in a row: each gets its error."""
    global checked
    a = answer(conn, raw + b"\n")
    assert a["ok"] is False and words in a["error"], f"{raw[:60]!r}: {a}"
    assert set(a) == {"ok", "error"}, a
    checked += 1


conn = connect()
refused(b"not json", "malformed request")
refused(b"", "malformed request")
refused(b'{"command":"status"', "ends before it is complete")
refused(b'{"command":"status"} {}', "malformed request")
refused(b'{"command":"status"}\x00', "malformed request")
refused(b"[]", 'string member "command"')
refused(b'{"command":7}', 'string member "command"')
refused(b'{"cmd":"status"}', 'string member "command"')
refused(b'{"command":"status","extra":1}', 'one member, "command"')
refused(b'{"command":"reboot"}', "unknown command 'reboot' (known: status, counters, config-reload, mitigation-add, ")
refused(b"[" * 100 + b"]" * 100, "malformed request")
refused(b'{"command":"\xff\xfe"}', "malformed request")
# The same connection still answers a good request.
a = answer(conn, b'{"command":"status"}\n')
assert a["ok"] is True and a["result"]["card"]["magic"] == "0x53435242", a
checked += 1

# Several clients at once, each with a request split over two writes.
clients = [connect() for _ in range(8)]
for c in clients:
    c.sendall(b'{"command":')
for c in clients:
    c.sendall(b'"counters"}\n')
for c in clients:
    a = json.loads(read_line(c))
    assert a["ok"] is True and "rx" in a["result"]["global"], a
    checked += 1
for c in clients:
    c.close()

# A request longer than the bound, without a newline: an error, then the
# connection is closed; with a newline past the bound: the same.
for tail in (b"", b"\n"):
    s = connect()
    s.sendall(b'{"command":"' + b"x" * (max_request + 10) + b'"}' + tail)
    a = json.loads(read_line(s))
    assert a["ok"] is False and f"longer than {max_request} bytes" in a["error"], a
    assert s.recv(100) == b"", "the connection should be closed after an oversized request"
    s.close()
    checked += 1

# A client that sends many requests before reading any answer: the daemon
# stops reading it while its answers pile up (bounded memory), serves
# others meanwhile, and answers every request once it reads.
flood, n_flood = connect(), 20000
sender = threading.Thread(target=lambda: flood.sendall(b'{"command":"nope"}\n' * n_flood))
sender.start()
time.sleep(0.5)
a = answer(connect(), b'{"command":"status"}\n')
assert a["ok"] is True, a
data = b""
while data.count(b"\n") < n_flood:
    chunk = flood.recv(1 << 20)
    assert chunk, "flood: connection closed after %d answers" % data.count(b"\n")
    data += chunk
sender.join()
assert data.count(b"\n") == n_flood and all(b"unknown command 'nope'" in line for line in data.split(b"\n")[:-1])
checked += n_flood + 1

# The daemon is still alive and answers.
a = answer(connect(), b'{"command":"status"}\n')
assert a["ok"] is True, a
print(f"raw requests: {checked + 1} answers checked")
