# What the signal channel's shell tests share (sourced): checks, a free
# port, CBOR bodies and answers through Debian's python3-cbor2, requests
# with coap-client-openssl. Expects $dir, $pki, $port, $client and $python.
checks=0 failed=0
# The signal channel's transports for the tests that run over both
# (tests/dots/CMakeLists.txt registers them twice): $signal is the one a
# test's requests use, $other the one its few cross-transport requests use.
# DOTS_TRANSPORT=tls: CoAP over TLS (coaps+tcp) first; else DTLS (coaps).
# $notified: the message types a run of notifications shows, as Python: NON
# with a CON among them over DTLS (libcoap makes every fifth a CON), none
# over TLS (RFC 8323 messages have no type).
if [ "${DOTS_TRANSPORT:-dtls}" = tls ]; then
  signal=coaps+tcp other=coaps notified='set()'
else
  signal=coaps other=coaps+tcp notified='{"NON", "CON"}'
fi
ok()   { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }

# A port free on 127.0.0.1 for both UDP and TCP.
free_port() {
  "$python" - <<'PY'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); break
    except OSError:
        pass
    finally:
        t.close(); u.close()
print(p)
PY
}

# body FILE 'python expression': its CBOR, by cbor2 (T is CBORTag)
body() {
  "$python" -c 'import sys, cbor2; from cbor2 import CBORTag as T; open(sys.argv[1], "wb").write(cbor2.dumps(eval(sys.argv[2])))' \
    "$1" "$2"
}

# request NAME SCHEME PATH [coap-client options]: as NAME's certificate,
# to $host (default 127.0.0.1; [::1] for IPv6) at $base (if set) followed
# by PATH; coap-client's verbose output in
# $dir/out, the payload in $dir/got
request() {
  local name=$1 scheme=$2 path=$3; shift 3
  rm -f "$dir/got"
  timeout 20 "$client" -v 6 -c "$pki/$name.crt" -j "$pki/$name.key" -C "$pki/ca.crt" -B 3 -o "$dir/got" "$@" \
    "$scheme://${host:-127.0.0.1}:$port${base:-}$path" >"$dir/out" 2>&1 || true
}

# expect WHAT NAME SCHEME PATH WANT [options]: the answer's code (and the
# start of its diagnostic) is WANT. coap-client exits 0 even on errors.
expect() {
  local what=$1 name=$2 scheme=$3 path=$4 want=$5; shift 5
  request "$name" "$scheme" "$path" "$@"
  if grep -q " c:${want%% *} " "$dir/out" && { [ "$want" = "${want%% *}" ] || grep -qF -- "$want" "$dir/out"; }; then
    ok "$what: $want"
  else
    fail "$what: wanted '$want', got: $(grep -E ' c:[0-9]|^[0-9]\.[0-9]{2}' "$dir/out" | head -3)"
  fi
}

# payload: the last answer's payload as hex. coap-client writes it to -o
# only for success codes; its verbose output shows every one as <<hex>>.
payload() {
  if [ -s "$dir/got" ]; then
    "$python" -c 'import sys; print(open(sys.argv[1], "rb").read().hex())' "$dir/got"
  else
    grep -oE '^<<[0-9a-f]+>>$' "$dir/out" | tail -1 | tr -d '<>'
  fi
}

# decoded WHAT 'python statements; last an expression on c': checks the
# last answer's payload, decoded by cbor2 into c.
decoded() {
  local what=$1 check=$2 hex
  hex=$(payload)
  if [ -n "$hex" ] && "$python" -c 'import sys, cbor2; from decimal import Decimal as D
c = cbor2.loads(bytes.fromhex(sys.argv[1]))
*statements, last = sys.argv[2].split("; ")
for _statement in statements: exec(_statement)
sys.exit(0 if eval(last) else 1)' "$hex" "$check" 2>"$dir/py.err"; then
    ok "$what"
  else
    fail "$what: $check does not hold for $("$python" -c 'import sys, cbor2; print(cbor2.loads(bytes.fromhex(sys.argv[1])))' "$hex" 2>&1) $(cat "$dir/py.err" "$dir/out" | tail -3)"
  fi
}

# jget 'python expression on a': reads JSON on stdin
jget() { "$python" -c "import json,sys; a=json.load(sys.stdin); print($1)"; }

# finish NAME: the summary line and the exit status
finish() {
  if [ "$failed" -ne 0 ] && [ -n "${log:-}" ]; then echo "--- log"; cat "$log"; fi
  echo "$1: $((checks - failed)) passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# observe PATH OUT SECONDS: a background observer as client1 for SECONDS,
# its output in $dir/OUT, its pid added to $observers
observe() {
  timeout $(($3 + 10)) "$client" -v 6 -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" \
    -B $(($3 + 2)) -s "$3" "$signal://127.0.0.1:$port$1" >"$dir/$2" 2>&1 &
  observers="$observers $!"
}
# answers OUT: one line per answer the observer got: "TYPE CODE OBSERVE HEX"
answers() {
  "$python" - "$dir/$1" <<'PY'
import re, sys
lines = open(sys.argv[1], "rb").read().decode("latin-1").split("\n")
for i, line in enumerate(lines):
    m = re.search(r"t:(CON|NON|ACK) c:(\d\.\d\d) .*?(?:Observe:(\d+))?[,\] ]", line)
    if not m or "c:GET" in line:
        continue
    obs = re.search(r"Observe:(\d+)", line)
    payload = re.search(r"<<([0-9a-f]+)>>", lines[i + 1]) if i + 1 < len(lines) else None
    print(m.group(1), m.group(2), obs.group(1) if obs else "-", payload.group(1) if payload else "-")
PY
}
# check WHAT OUT 'python on rows, each (type, code, observe or None, decoded payload or None)'
check() {
  local what=$1 out=$2 expr=$3
  if answers "$out" | "$python" -c 'import sys, cbor2
rows = []
for l in sys.stdin:
    t, code, o, h = l.split()
    rows.append((t, code, None if o == "-" else int(o), None if h == "-" else cbor2.loads(bytes.fromhex(h))))
*statements, last = sys.argv[1].split("; ")
for _statement in statements: exec(_statement)
sys.exit(0 if eval(last) else 1)' "$expr"; then
    ok "$what"
  else
    fail "$what: $expr does not hold for: $(answers "$out" | cut -c1-120)"
  fi
}
