#!/usr/bin/env bash
# dots-signal-server against libcoap's own client (coap-client-openssl) on
# loopback, over DTLS (coaps://) and TLS (coaps+tcp://), with the development
# PKI: GET /.well-known/dots/config answers the RFC 9132 defaults byte for
# byte as tests/dots/fixtures/session_config_get.cbor.hex; a client with a
# CN only is known by its CN; the DTLS handshake starts with a cookie
# exchange, and DTLS 1.2, TLS 1.2 and TLS 1.3 are negotiated (openssl
# s_client); expired, revoked, unknown-CA and unconfigured clients are
# refused and the server logs why, each over both transports; a body of
# another Content-Format gets 4.15, a bad CBOR body (a wrong type, a
# duplicate key, an unknown comprehension-required key) 4.00 with the
# decoder's diagnostic. coap-client exits 0 even on errors: its output is
# what is read.
# Usage: signal_transport.sh SERVER YANG_DIR DEV_PKI FIXTURE_HEX COAP_CLIENT PYTHON3
set -euo pipefail
server=$1 yang=$2 dev_pki=$3 fixture=$4 client=$5 python=$6
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
source "$(dirname "$0")/coap_harness.sh"

"$dev_pki" "$dir/pki" >/dev/null
pki=$dir/pki
"$python" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' "$fixture" \
  >"$dir/want.cbor"
port=$(free_port)
log=$dir/server.log
"$server" --yang "$yang" --ca "$pki/ca.crt" --crl "$pki/ca.crl" --cert "$pki/server.crt" --key "$pki/server.key" \
  --address 127.0.0.1 --port "$port" --store "$dir/store.db" --identity client1.example --identity client2.example \
  --identity cnonly.example --identity expired.example --identity revoked.example --identity rogue.example \
  2>"$log" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
grep -q "listening on" "$log" || { cat "$log"; echo "FAIL: the server did not start"; exit 1; }

# coap NAME OUT URL-SCHEME [coap-client options]: a request to /config as NAME.
coap() {
  local name=$1 out=$2 scheme=$3; shift 3
  rm -f "$out"
  timeout 20 "$client" -c "$pki/$name.crt" -j "$pki/$name.key" -C "$pki/ca.crt" -B 3 -o "$out" "$@" \
    "$scheme://127.0.0.1:$port/.well-known/dots/config" >"$dir/client.out" 2>&1 || true
}
# times TEXT: how many log lines hold TEXT so far
times() { grep -cF -- "$1" "$log" || true; }
hex() { "$python" -c 'import sys; print(open(sys.argv[1], "rb").read().hex())' "$1" 2>/dev/null || true; }

for case in "client1.example coaps" "client2.example coaps+tcp" "cnonly.example coaps" "cnonly.example coaps+tcp"; do
  set -- $case
  before=$(times "authenticated as $1")
  coap "$1" "$dir/got.cbor" "$2" -m get
  if [ -s "$dir/got.cbor" ] && cmp -s "$dir/got.cbor" "$dir/want.cbor"; then
    ok "$2 GET /config as $1: the RFC 9132 defaults, byte for byte"
  else
    fail "$2 GET /config as $1: $(hex "$dir/got.cbor") $(cat "$dir/client.out")"
  fi
  if [ "$(times "authenticated as $1")" -gt "$before" ]; then ok "$2: $1 authenticated as $1"
  else fail "$2: no new 'authenticated as $1'"; fi
done

# s_client ARGS...: openssl's client as client1 against the server's port
s_client() {
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -cert "$pki/client1.example.crt" \
    -key "$pki/client1.example.key" -CAfile "$pki/ca.crt" "$@" </dev/null 2>&1 || true
}
# DTLS cookies (RFC 6347 section 4.2.1): the first ClientHello is answered
# with a HelloVerifyRequest and its cookie, the ServerHello comes only after
# a ClientHello that returns it (the handshake as openssl -trace prints it).
hellos=$(s_client -dtls1_2 -trace | sed -nE 's/^ +(ClientHello|HelloVerifyRequest|ServerHello),.*/\1/p; s/^ +cookie \(len=[0-9]+\): ?(.*)/cookie \1./p' |
  tr '\n' ' ')
if [[ $hellos =~ ^ClientHello\ cookie\ \.\ HelloVerifyRequest\ cookie\ ([0-9A-F]+)\.\ ClientHello\ cookie\ ([0-9A-F]+)\.\ ServerHello ]] &&
  [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
  ok "DTLS: a HelloVerifyRequest with a cookie before the ServerHello"
else
  fail "DTLS cookie exchange: $hellos"
fi
# The versions: DTLS 1.2; TLS 1.3, and TLS 1.2 when the client offers no more.
for want in "-dtls1_2 DTLSv1.2" "-tls1_2 TLSv1.2" "-tls1_3 TLSv1.3"; do
  set -- $want
  got=$(s_client "$1" -brief | sed -n 's/^Protocol version: //p')
  [ "$got" = "$2" ] && ok "openssl s_client $1: $2 negotiated" || fail "openssl s_client $1: '$got', wanted $2"
done
[ "$(s_client -brief | sed -n 's/^Protocol version: //p')" = TLSv1.3 ] && ok "TLS: 1.3 when both offer it" ||
  fail "TLS: $(s_client -brief | grep -i version)"

# refused NAME SCHEME REASON: no answer, and the server logged the reason.
refused() {
  local before
  before=$(times "$3")
  coap "$1" "$dir/got.cbor" "$2" -m get
  if [ -s "$dir/got.cbor" ]; then fail "$2 $1: answered"; return; fi
  if [ "$(times "$3")" -gt "$before" ]; then ok "$2 $1 refused: $3"
  else fail "$2 $1 refused without '$3' in the log"; fi
}
for scheme in coaps coaps+tcp; do
  refused expired.example $scheme "certificate has expired: 'expired.example'"
  refused revoked.example $scheme "certificate revoked: 'revoked.example'"
  refused rogue.example $scheme "unable to get local issuer certificate: 'rogue.example'"
  refused gateway.example $scheme "identity gateway.example is not configured"
done

# answered NAME SCHEME WANT [options]: coap-client prints WANT.
answered() {
  local want=$3 scheme=$2 name=$1; shift 3
  coap "$name" "$dir/got" "$scheme" "$@"
  if grep -qF -- "$want" "$dir/client.out" "$dir/got" 2>/dev/null; then ok "$scheme $*: $want"
  else fail "$scheme $*: wanted '$want', got: $(cat "$dir/client.out" "$dir/got" 2>/dev/null)"; fi
}
printf '\xa1\x18\x31\xa1\x18\x33\x01' >"$dir/bad.cbor"
answered client1.example coaps "4.15 the body must be application/dots+cbor (Content-Format 271)" -m put -t 50 -e '{}'
answered client1.example coaps+tcp "4.15 the body must be application/dots+cbor (Content-Format 271)" -m put -e 'no content format'
answered client1.example coaps "4.00 wrong-type at /heartbeat(49)/peer-hb-status(51)" -m put -t 271 -f "$dir/bad.cbor"
answered client2.example coaps+tcp "4.00 wrong-type at /heartbeat(49)/peer-hb-status(51)" -m put -t 271 \
  -f "$dir/bad.cbor"
# {49: {51: true, 51: true}} and {49: {51: true, 100: 1}}: a duplicate key
# and an unknown comprehension-required key, each 4.00 with the diagnostic
printf '\xa1\x18\x31\xa2\x18\x33\xf5\x18\x33\xf5' >"$dir/duplicate.cbor"
printf '\xa1\x18\x31\xa2\x18\x33\xf5\x18\x64\x01' >"$dir/unknown.cbor"
for scheme in coaps coaps+tcp; do
  answered client1.example $scheme "4.00 duplicate-key at /heartbeat(49): key 51 appears twice" -m put -t 271 \
    -f "$dir/duplicate.cbor"
  answered client1.example $scheme "4.00 unknown-key at /heartbeat(49): unknown comprehension-required key 100" \
    -m put -t 271 -f "$dir/unknown.cbor"
done

kill "$pid"
if wait "$pid"; then ok "the server stops cleanly on SIGTERM"; else fail "the server exited $? (see its log)"; fi
pid=
finish signal_transport
