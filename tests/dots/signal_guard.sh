#!/usr/bin/env bash
# Self-protection of the signal channel in scrubd (--dots-rate 1
# --dots-burst 3 --dots-max-sessions 2), against coap-client-openssl: a
# client's requests beyond its bursts are answered 4.29 with Max-Age and a
# diagnostic, counted and logged, while another client is not touched; a
# third session of an identity that holds two is refused at the handshake,
# logged, another identity still gets in, and once its sessions close the
# identity gets in again; a run-time client whose sessions quota is 1
# (scrubctl client add --max-sessions 1) is refused a second session,
# logged as its quota; an identity that is no tenant is refused at the
# handshake, and scrubctl status counts the three kinds of refusal.
# Usage: signal_guard.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
start_scrubd --dots-rate 1 --dots-burst 3 --dots-max-sessions 2
c=/.well-known/dots/config m=/.well-known/dots/mitigate

# Rate: 14 requests as fast as coap-client goes (a handshake each, well
# under a second apiece): the bucket holds 3 and refills 1 a second.
codes=
: >"$dir/refusal"
for _ in $(seq 14); do
  request client1.example $signal $c -m get
  codes="$codes $(grep -oE ' c:[0-9.]+ ' "$dir/out" | tail -1 | tr -d ' c:')"
  grep -q " c:4.29 " "$dir/out" && cp "$dir/out" "$dir/refusal"
done
refused=$(tr ' ' '\n' <<<"$codes" | grep -c '^4\.29$' || true)
[ "$refused" -ge 2 ] && [[ $codes == " 2.05 2.05 2.05"* ]] && ok "beyond its burst client1 gets 4.29 ($codes)" ||
  fail "the rate: $codes"
grep -q "Max-Age" "$dir/refusal" && grep -qF "too many requests: 1 a second are allowed (bursts of 3)" "$dir/refusal" &&
  ok "4.29 with Max-Age and the diagnostic" || fail "the refusal: $(tail -3 "$dir/refusal")"
grep -qE "dots signal: client1.example: over its request rate of 1/s \(burst 3\): refused [0-9]+ so far" "$log" &&
  ok "counted and logged" || fail "no rate line in the log"
expect "client2 is not touched" client2.example $signal $c "2.05" -m get
sleep 3
expect "client1, a few seconds later" client1.example $signal $c "2.05" -m get

# Sessions: two observers hold two sessions of client1.
body "$dir/a.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
expect "a mitigation" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/a.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
sleep 2 # the bucket refills for the observers' registrations
for i in 1 2; do
  timeout 20 "$client" -v 6 -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" -B 8 -s 6 \
    "$signal://127.0.0.1:$port$m/cuid=c1/mid=1" >"$dir/observer$i.out" 2>&1 &
  observers="$observers $!"
done
sleep 2
request client1.example $signal $c -m get
! grep -q " c:2" "$dir/out" && grep -q "refused: identity client1.example has 2 sessions, the most allowed" "$log" &&
  ok "a third session of client1 is refused at the handshake, logged" || fail "the third session: $(tail -3 "$dir/out")"
expect "client2 still gets in" client2.example $signal $c "2.05" -m get
for p in $observers; do wait "$p" || true; done
observers=
sleep 1
expect "client1's sessions closed: it gets in again" client1.example $signal $c "2.05" -m get
# A run-time client's sessions quota, below the channel's cap of 2.
ctl client add gateway.example 192.0.2.0/25 --profile strict --max-sessions 1 >/dev/null &&
  ok "gateway.example added with a quota of 1 session" || fail "client add gateway.example"
body "$dir/g.cbor" '{1: {2: [{6: ["192.0.2.0/26"], 14: 600}]}}'
expect "gateway's mitigation" gateway.example $signal "$m/cuid=g1/mid=1" "2.01" -m put -t 271 -f "$dir/g.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
timeout 20 "$client" -v 6 -c "$pki/gateway.example.crt" -j "$pki/gateway.example.key" -C "$pki/ca.crt" -B 6 -s 4 \
  "$signal://127.0.0.1:$port$m/cuid=g1/mid=1" >"$dir/observer-g.out" 2>&1 &
observers=$!
sleep 2
request gateway.example $signal $c -m get
! grep -q " c:2" "$dir/out" &&
  grep -q "refused: identity gateway.example has 1 sessions, its quota (scrubctl client add --max-sessions)" "$log" &&
  ok "its second session is refused at the handshake, logged as its quota" ||
  fail "gateway's second session: $(tail -3 "$dir/out") $(grep gateway "$log" | tail -3)"
for p in $observers; do wait "$p" || true; done
observers=
sleep 1
expect "its session closed: it gets in again" gateway.example $signal $c "2.05" -m get
# An identity that is no tenant: its certificate is refused at the handshake.
request cnonly.example $signal $c -m get
! grep -q " c:2" "$dir/out" && ok "cnonly.example (no tenant) is refused at the handshake" || fail "cnonly: $(tail -3 "$dir/out")"
# The refusals, counted since the start, in scrubctl status.
counts=$(ctl -j status | jget 'a["result"]["dots_signal"]["refused"]')
"$python" -c 'import sys, ast
r = ast.literal_eval(sys.argv[1])
sys.exit(0 if r["handshakes"] >= 1 and r["sessions"] >= 2 and r["requests"] >= 2 else 1)' "$counts" &&
  ok "scrubctl status counts the refusals: $counts" || fail "scrubctl status: refused $counts"
ctl status | grep -qE "^dots signal +[0-9]+ sessions established; refused since the start: [1-9][0-9]* handshakes \(certificates\), [2-9][0-9]* sessions \(over a cap\), [1-9][0-9]* requests \(over a rate\)$" &&
  ok "... and says so in human form" || fail "scrubctl status: $(ctl status | grep dots)"
stop_scrubd
finish signal_guard
