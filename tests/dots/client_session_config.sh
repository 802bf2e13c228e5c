#!/usr/bin/env bash
# dots-client against dots-signal-server, over DTLS and over TLS: session
# configuration GET, PUT (2.01, then 2.04) and DELETE (2.02) with the
# decoded values, in human form and as JSON; what the client PUT is read
# back by libcoap's own client and Debian's python3-cbor2 (independent of
# ours); a value outside the server's range gives 4.22, the diagnostic and
# exit status 1; an unknown CA, a client the server refuses, a server whose
# certificate names another address, no server and a silent server each
# give exit status 3 and a sentence saying why; a name (localhost) and an
# IPv6 literal (::1) are checked against the certificate and accepted;
# usage errors exit 2.
# Usage: client_session_config.sh CLIENT SERVER YANG_DIR DEV_PKI COAP_CLIENT PYTHON3
set -euo pipefail
client=$1 server=$2 yang=$3 dev_pki=$4 coap_client=$5 python=$6
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
checks=0 failed=0
ok()   { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }

"$dev_pki" "$dir/pki" >/dev/null
pki=$dir/pki
# free_port: a port free on 127.0.0.1 for both UDP and TCP, and whether it
# is free on ::1 too ("PORT 1"; "PORT 0" where there is no IPv6 loopback)
free_port() {
  "$python" - <<'EOF'
import socket
def free(family, address, port):
    socks = []
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(family, kind); socks.append(s); s.bind((address, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks: s.close()
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]; t.close()
    if free(socket.AF_INET, "127.0.0.1", p):
        break
print(p, int(free(socket.AF_INET6, "::1", p)))
EOF
}
read -r port ipv6 < <(free_port)
# start ADDRESS LOG: a server on ADDRESS and $port
start() {
  "$server" --yang "$yang" --ca "$pki/ca.crt" --crl "$pki/ca.crl" --cert "$pki/server.crt" --key "$pki/server.key" \
    --address "$1" --port "$port" --store "$dir/store-$1.db" 2>"$2" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$2" && break; sleep 0.1; done
  grep -q "listening on" "$2" || { cat "$2"; echo "FAIL: the server on $1 did not start"; exit 1; }
}
log=$dir/server.log
start 127.0.0.1 "$log"

# dc [options] COMMAND...: dots-client as client1, its stdout in $dir/out,
# stderr in $dir/err, exit status in $rc
dc() {
  rc=0
  timeout 60 "$client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/client1.example.crt" \
    --key "$pki/client1.example.key" --yang "$yang" --timeout 10 "$@" >"$dir/out" 2>"$dir/err" || rc=$?
}
# expect WHAT STATUS FILE TEXT: the last dc exited STATUS and FILE (out or err) holds TEXT
expect() {
  local what=$1 status=$2 file=$3 text=$4
  if [ "$rc" -eq "$status" ] && grep -qF -- "$text" "$dir/$file"; then
    ok "$what"
  else
    fail "$what: wanted exit $status and '$text' in std$file; got exit $rc, stdout: $(head -c 600 "$dir/out"), stderr: $(head -c 600 "$dir/err")"
  fi
}
# json WHAT 'python expression on j' : the last dc's stdout is one JSON object for which it holds
json() {
  local what=$1 check=$2
  if "$python" -c 'import sys, json; from decimal import Decimal as D
j = json.loads(open(sys.argv[1]).read())
sys.exit(0 if eval(sys.argv[2]) else 1)' "$dir/out" "$check" 2>"$dir/py.err"; then
    ok "$what"
  else
    fail "$what: $check does not hold for $(cat "$dir/out" "$dir/py.err") (exit $rc, stderr $(cat "$dir/err"))"
  fi
}
# cbor WHAT SCHEME PATH 'python expression on c': libcoap's client GETs, cbor2 decodes signal-config (key 30)
cbor() {
  local what=$1 scheme=$2 path=$3 check=$4
  rm -f "$dir/got"
  timeout 20 "$coap_client" -m get -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" \
    -B 3 -o "$dir/got" "$scheme://127.0.0.1:$port/.well-known/dots/config$path" >/dev/null 2>&1 || true
  if [ -s "$dir/got" ] && "$python" -c 'import sys, cbor2; from decimal import Decimal as D
c = cbor2.loads(open(sys.argv[1], "rb").read())[30]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$dir/got" "$check" 2>"$dir/py.err"; then
    ok "$what"
  else
    fail "$what: $check does not hold for $("$python" -c 'import sys, cbor2; print(cbor2.loads(open(sys.argv[1], "rb").read()))' "$dir/got" 2>&1)"
  fi
}

for transport in DTLS TLS; do
  if [ $transport = TLS ]; then tcp=(--tcp) scheme=coaps+tcp sid=7; else tcp=() scheme=coaps sid=5; fi
  dc "${tcp[@]}" config get
  expect "$transport: config get" 0 out "2.05 Content"
  expect "$transport: config get shows the defaults with the ranges" 0 out "heartbeat-interval: 30 (min 15, max 240)"
  dc "${tcp[@]}" --json config get
  json "$transport: config get --json" \
    'j["code"] == "2.05" and j["body"]["ietf-dots-signal-channel:mitigating-config"]["heartbeat-interval"] == {"min-value": 15, "max-value": 240, "current-value": 30} and D(j["body"]["ietf-dots-signal-channel:idle-config"]["ack-timeout"]["current-value-decimal"]) == D("2.00")'
  dc "${tcp[@]}" config put --sid $sid --heartbeat-interval 91 --idle-missing-hb-allowed 5 --mitigating-ack-timeout 2.50
  expect "$transport: config put sid=$sid, new" 0 out "2.01 Created"
  cbor "$transport: what the client put, read by coap-client and cbor2" $scheme /sid=$sid \
    'c[32][33][36] == 91 and c[44][33][36] == 91 and c[44][37][36] == 5 and c[32][37][36] == 15 and c[32][39][43] == D("2.50") and c[44][39][43] == D("2.00")'
  dc "${tcp[@]}" config put --sid $sid --heartbeat-interval 92 --probing-rate 7
  expect "$transport: config put sid=$sid again" 0 out "2.04 Changed"
  dc "${tcp[@]}" --json config get --sid $sid
  json "$transport: config get --sid $sid --json: the update, absent values back at their defaults" \
    'j["code"] == "2.05" and [j["body"]["ietf-dots-signal-channel:" + t][p]["current-value"] for t in ("mitigating-config", "idle-config") for p in ("heartbeat-interval", "missing-hb-allowed", "probing-rate")] == [92, 15, 7] * 2 and D(j["body"]["ietf-dots-signal-channel:mitigating-config"]["ack-timeout"]["current-value-decimal"]) == D("2.00")'
  dc "${tcp[@]}" config get --sid $sid
  expect "$transport: config get --sid $sid" 0 out "    probing-rate: 7 (min 5, max 20)"
  dc "${tcp[@]}" config put --sid $((sid + 1)) --heartbeat-interval 10
  expect "$transport: heartbeat-interval 10 is refused with the diagnostic" 1 err \
    "4.22 Unprocessable Entity: mitigating-config/heartbeat-interval: 10 is outside the server's range 15 to 240"
  dc "${tcp[@]}" --json config put --sid $((sid + 1)) --idle-ack-timeout 30.01
  json "$transport: --json: 4.22 and the diagnostic as fields" \
    'j == {"code": "4.22", "diagnostic": "idle-config/ack-timeout: 30.01 is outside the server'"'"'s range \"1.00\" to \"30.00\""}'
  [ "$rc" -eq 1 ] && ok "$transport: --json 4.22 exits 1" || fail "$transport: --json 4.22 exited $rc"
  dc "${tcp[@]}" config put --sid $((sid - 1)) --heartbeat-interval 60
  expect "$transport: a lower sid is refused" 1 err "4.00 Bad Request: sid $((sid - 1)) is lower than the stored sid $sid"
  dc "${tcp[@]}" config delete --sid $sid
  expect "$transport: config delete --sid $sid" 0 out "2.02 Deleted"
  dc "${tcp[@]}" config get --sid $sid
  expect "$transport: config get after the delete" 1 err \
    "4.04 Not Found: client1.example has no session configuration with sid $sid"
  dc "${tcp[@]}" --ca "$pki/rogue-ca.crt" config get
  expect "$transport: a server certificate of an unknown CA is refused" 3 err \
    "handshake failed (OpenSSL: certificate verify failed; libcoap:"
  expect "$transport: ... naming the CA" 3 err "Unknown CA: 'scrub development CA'"
  dc "${tcp[@]}" --cert "$pki/rogue.example.crt" --key "$pki/rogue.example.key" config get
  expect "$transport: the server refuses a client of an unknown CA" 3 err "handshake failed (OpenSSL: tlsv1 alert unknown ca"
done

# The server's name is checked: a server on 127.0.0.2 with a certificate for
# 127.0.0.1, localhost and ::1; by name, localhost is accepted.
start 127.0.0.2 "$dir/server2.log"
for transport in DTLS TLS; do
  if [ $transport = TLS ]; then tcp=(--tcp); else tcp=(); fi
  dc "${tcp[@]}" --server 127.0.0.2 config get
  expect "$transport: a certificate that does not name the server is refused" 3 err \
    "the server's certificate does not name 127.0.0.2"
  dc "${tcp[@]}" --server localhost config get
  expect "$transport: --server localhost (a name in the certificate)" 0 out "2.05 Content"
done

# IPv6: a server on ::1 (an IP SAN of its certificate).
if [ "$ipv6" = 1 ]; then
  start ::1 "$dir/server3.log"
  for transport in DTLS TLS; do
    if [ $transport = TLS ]; then tcp=(--tcp); else tcp=(); fi
    dc "${tcp[@]}" --server ::1 config get
    expect "$transport: --server ::1" 0 out "2.05 Content"
  done
else
  echo "skip: no IPv6 loopback here, --server ::1 not tried"
fi

# No server: ICMP over DTLS, a refused connection over TCP; a silent server.
read -r unused _ < <(free_port)
dc --port "$unused" config get
expect "DTLS: no server" 3 err "DTLS to 127.0.0.1 port $unused: no secure session could be set up"
dc --tcp --port "$unused" config get
expect "TLS: no server" 3 err "TLS to 127.0.0.1 port $unused: the TCP connection failed"
"$python" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); time.sleep(30)' "$unused" &
pids+=($!)
sleep 0.3
dc --port "$unused" --timeout 1 config get
expect "DTLS: a server that never answers" 3 err "no answer within 1000 ms"

# Usage errors.
dc config put --heartbeat-interval 60
expect "config put without --sid" 2 err "config put needs --sid"
dc config get --heartbeat-interval 60
expect "a value with config get" 2 err "configuration values go with config put only"
dc config put --sid 9 --heartbeat-interval 60s
expect "a value that is not a number" 2 err "mitigating-config/heartbeat-interval: '60s' is not an unsigned integer"
dc --cert "$dir/none.crt" config get
expect "a certificate that is not there" 3 err "cannot read the certificate $dir/none.crt"

kill "${pids[0]}"
if wait "${pids[0]}"; then ok "the server stops cleanly"; else fail "the server exited $?"; cat "$log"; fi
if [ "$failed" -ne 0 ]; then echo "--- server log"; cat "$log"; fi
echo "client_session_config: $((checks - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
