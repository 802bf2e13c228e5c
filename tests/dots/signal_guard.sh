#!/usr/bin/env bash
# Self-protection of the signal channel in scrubd (--dots-rate 1
# --dots-burst 3 --dots-max-sessions 2), against coap-client-openssl: a
# client's requests beyond its bursts are answered 4.29 with Max-Age and a
# diagnostic, counted and logged, while another client is not touched; a
# third session of an identity that holds two is refused at the handshake,
# logged, another identity still gets in, and once its sessions close the
# identity gets in again.
# Usage: signal_guard.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
observers=
cleanup() { for p in $pid $observers; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
start_scrubd --dots-rate 1 --dots-burst 3 --dots-max-sessions 2
c=/.well-known/dots/config m=/.well-known/dots/mitigate

# Rate: 8 requests as fast as coap-client goes (a handshake each, well
# under a second apiece): the bucket holds 3 and refills 1 a second.
codes=
for _ in $(seq 8); do request client1.example coaps $c -m get; codes="$codes $(grep -oE ' c:[0-9.]+ ' "$dir/out" | tail -1 | tr -d ' c:')"; done
refused=$(tr ' ' '\n' <<<"$codes" | grep -c '^4\.29$' || true)
[ "$refused" -ge 2 ] && [[ $codes == " 2.05 2.05 2.05"* ]] && ok "beyond its burst client1 gets 4.29 ($codes)" ||
  fail "the rate: $codes"
request client1.example coaps $c -m get
grep -q " c:4.29 " "$dir/out" && grep -q "Max-Age" "$dir/out" && grep -qF "too many requests: 1 a second are allowed (bursts of 3)" "$dir/out" &&
  ok "4.29 with Max-Age and the diagnostic" || fail "the refusal: $(tail -3 "$dir/out")"
grep -qE "dots signal: client1.example: over its request rate of 1/s \(burst 3\): refused [0-9]+ so far" "$log" &&
  ok "counted and logged" || fail "no rate line in the log"
expect "client2 is not touched" client2.example coaps $c "2.05" -m get
sleep 3
expect "client1, a few seconds later" client1.example coaps $c "2.05" -m get

# Sessions: two observers hold two sessions of client1.
body "$dir/a.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
expect "a mitigation" client1.example coaps "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/a.cbor"
sleep 2 # the bucket refills for the observers' registrations
for i in 1 2; do
  timeout 20 "$client" -v 6 -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" -B 8 -s 6 \
    "coaps://127.0.0.1:$port$m/cuid=c1/mid=1" >"$dir/observer$i.out" 2>&1 &
  observers="$observers $!"
done
sleep 2
request client1.example coaps $c -m get
! grep -q " c:2" "$dir/out" && grep -q "refused: identity client1.example has 2 sessions, the most allowed" "$log" &&
  ok "a third session of client1 is refused at the handshake, logged" || fail "the third session: $(tail -3 "$dir/out")"
expect "client2 still gets in" client2.example coaps $c "2.05" -m get
for p in $observers; do wait "$p" || true; done
observers=
sleep 1
expect "client1's sessions closed: it gets in again" client1.example coaps $c "2.05" -m get
stop_scrubd
finish signal_guard
