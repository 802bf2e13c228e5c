#!/usr/bin/env bash
# SIGHUP reloads both channels' certificates without dropping sessions
# (scrubd on the card model, coap-client-openssl, curl, openssl CLI):
# client2.example revoked in a new CRL is still let in before the SIGHUP and
# refused after it, on the signal and the data channel; a new server
# certificate is what a new TLS handshake on either sees after it (openssl
# s_client); an observer's session opened before the SIGHUP still gets
# notifications after it; a broken certificate file is refused by name on
# both and the old certificates stay.
# Usage: signal_reload.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR CURL
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7 curl=$8
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
observer=
cleanup() { for p in $pid $observer; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
dport=$(free_port)
start_scrubd --dots-notify-s 1 --data-port "$dport"
m=/.well-known/dots/mitigate
# server_subject [PORT]: the subject of the certificate a new TLS handshake
# gets (the signal channel's TLS port by default)
server_subject() {
  timeout 10 openssl s_client -connect "127.0.0.1:${1:-$port}" -CAfile "$pki/ca.crt" -cert "$pki/client1.example.crt" \
    -key "$pki/client1.example.key" </dev/null 2>/dev/null | sed -n 's/^subject=//p'
}
# data_status NAME: the HTTP status of NAME's GET of the data channel's root
data_status() {
  timeout 20 "$curl" -sS -o /dev/null -w '%{http_code}' --cacert "$pki/ca.crt" --cert "$pki/$1.crt" \
    --key "$pki/$1.key" "https://127.0.0.1:$dport/restconf/data/ietf-dots-data-channel:dots-data" 2>/dev/null || true
}
hups=0
hup() {
  hups=$((hups + 1))
  kill -HUP "$pid"
  for _ in $(seq 100); do
    [ "$(grep -c "dots signal: certificates reloaded\|dots signal: certificates not reloaded" "$log")" -ge "$hups" ] &&
      [ "$(grep -c "dots data: certificates reloaded\|dots data: certificates not reloaded" "$log")" -ge "$hups" ] && return
    sleep 0.1
  done
  fail "no reload lines after SIGHUP $hups"
}

body "$dir/a.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
expect "a mitigation" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/a.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
timeout 30 "$client" -v 6 -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" -B 14 -s 12 \
  "$signal://127.0.0.1:$port$m/cuid=c1/mid=1" >"$dir/observer.out" 2>&1 &
observer=$!
first=$(server_subject)
[ -n "$first" ] && ok "the server's certificate at start: $first" || fail "no TLS handshake"

# client2 revoked in a new CRL; a new server certificate from the same key
cnf=$pki/ca/openssl.cnf
export DEV_PKI_SAN=unused # the CA configuration names it
openssl ca -config "$cnf" -revoke "$pki/client2.example.crt" >/dev/null 2>&1 || fail "openssl ca -revoke"
openssl ca -config "$cnf" -gencrl -out "$pki/ca.crl" >/dev/null 2>&1 || fail "openssl ca -gencrl"
openssl req -new -key "$pki/server.key" -subj /CN=reloaded.example -out "$dir/new.csr" 2>/dev/null
printf 'subjectAltName = IP:127.0.0.1\n' >"$dir/san.ext" # what curl checks the data channel's server by
openssl x509 -req -in "$dir/new.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -days 30 -extfile "$dir/san.ext" \
  -out "$dir/new.crt" 2>/dev/null
expect "before the SIGHUP, client2 is let in" client2.example $signal /.well-known/dots/config "2.05" -m get
[ "$(data_status client2.example)" = 200 ] && ok "before the SIGHUP, client2 is let in on the data channel" ||
  fail "client2 on the data channel before the SIGHUP: $(data_status client2.example)"

cp "$pki/server.crt" "$dir/old.crt"
echo "not a certificate" >"$pki/server.crt"
hup
grep -q "dots signal: certificates not reloaded, the old ones stay: dots signal: $pki/server.crt holds no PEM certificate" "$log" &&
  ok "a broken certificate file is refused by name" || fail "the broken file: $(grep "reloaded" "$log")"
grep -q "dots data: certificates not reloaded, the old ones stay: dots data: the certificate $pki/server.crt and key $pki/server.key do not load" "$log" &&
  ok "the data channel refuses it by name too" || fail "the broken file on the data channel: $(grep "dots data" "$log")"
expect "the old certificates still serve" client1.example $signal /.well-known/dots/config "2.05" -m get
[ "$(data_status client1.example)" = 200 ] && ok "and on the data channel" ||
  fail "the data channel after a refused reload: $(data_status client1.example)"

cp "$dir/new.crt" "$pki/server.crt"
hup
grep -q "dots signal: certificates reloaded" "$log" && ok "SIGHUP: reloaded" || fail "no reload"
[[ $(server_subject) == *"CN = reloaded.example"* ]] && ok "a new handshake gets the new certificate" ||
  fail "after the reload the server presents: $(server_subject)"
[[ $(server_subject "$dport") == *"CN = reloaded.example"* ]] && ok "on the data channel too" ||
  fail "after the reload the data channel presents: $(server_subject "$dport")"
[ "$(data_status client2.example)" = 000 ] && grep -q "dots data: client .* refused: certificate revoked: 'client2.example'" "$log" &&
  ok "after the SIGHUP client2 is refused as revoked at the data channel's handshake" ||
  fail "client2 on the data channel after the reload: $(data_status client2.example)"
[ "$(data_status client1.example)" = 200 ] && ok "client1 still gets in on the data channel" ||
  fail "client1 on the data channel after the reload: $(data_status client1.example)"
request client2.example $signal /.well-known/dots/config -m get
! grep -q " c:2" "$dir/out" && grep -q "certificate revoked: 'client2.example'" "$log" &&
  ok "after the SIGHUP client2 is refused as revoked" || fail "client2 after the reload: $(tail -3 "$dir/out")"
expect "client1 still gets in" client1.example $signal /.well-known/dots/config "2.05" -m get
body "$dir/a2.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 900}]}}'
expect "an update after the reload" client1.example $signal "$m/cuid=c1/mid=1" "2.04" -m put -t 271 -f "$dir/a2.cbor"
decoded "... its answer: mid 1, lifetime 900" 'c == {1: {2: [{5: 1, 14: 900}]}}'
wait "$observer" || true
observer=
"$python" - "$dir/observer.out" <<'PY' && ok "the observer opened before the SIGHUP got the update after it" || fail "observer: $(grep -a 'c:2.05' "$dir/observer.out" | tail -3)"
import re, sys, cbor2
text = open(sys.argv[1], "rb").read().decode("latin-1")
lifetimes = [cbor2.loads(bytes.fromhex(h))[1][2][0][14] for h in re.findall(r"^<<([0-9a-f]+)>>$", text, re.M)]
sys.exit(0 if lifetimes and lifetimes[0] <= 600 and any(890 <= l <= 900 for l in lifetimes) else 1)
PY
stop_scrubd
finish signal_reload
