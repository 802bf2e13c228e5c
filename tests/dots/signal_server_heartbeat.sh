#!/usr/bin/env bash
# scrubd's own heartbeats to its clients (RFC 9132 section 4.7) and the
# session configuration values in force (section 4.5), on the card model,
# seen by coap-client-openssl holding an observation open (its debug output
# shows every message it receives), heartbeat bodies decoded by
# python3-cbor2: over DTLS a Non-confirmable PUT /.well-known/dots/hb
# {49: {51: peer-hb-status}}, false while the client sends no heartbeats,
# true while it does (from other sessions: the status is the client's) and
# false again once they stop; over TLS CoAP Pings (RFC 8323), none of
# the PUTs. The interval is the idle-config one while the client has no
# active mitigation, the mitigating-config one while it has; the /config
# answers carry Max-Age.
# Usage: signal_server_heartbeat.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
hbpid=
cleanup() {
  [ -n "$hbpid" ] && kill "$hbpid" 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
m=/.well-known/dots/mitigate

# observe NAME SCHEME SECONDS: holds an observation of cuid c1 open for
# SECONDS with coap-client's debug output (every message received) in
# $dir/obs
observe() {
  timeout $(($3 + 20)) "$client" -v 7 -c "$pki/$1.crt" -j "$pki/$1.key" -C "$pki/ca.crt" -B $(($3 + 5)) -s "$3" \
    "$2://127.0.0.1:$port$m/cuid=c1" >"$dir/obs" 2>&1 || true
}
# heartbeats: the server's PUT /hb seen in $dir/obs, one a line: "TYPE HEX"
heartbeats() {
  awk '/ c:PUT .*Uri-Path:hb/ { split($2, t, ":"); type = t[2]; want = 1; next }
       want && /^<<[0-9a-f]+>>$/ { gsub(/[<>]/, ""); print type, $0; want = 0 }' "$dir/obs"
}
# hb_check WHAT 'python expression on the list b of decoded bodies and t of types'
hb_check() {
  local got
  got=$(heartbeats)
  if "$python" -c 'import sys, cbor2
rows = [l.split() for l in sys.argv[1].splitlines()]
t = [r[0] for r in rows]; b = [cbor2.loads(bytes.fromhex(r[1])) for r in rows]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$got" "$2"; then
    ok "$1"
  else
    fail "$1: $2 does not hold for: $got"
  fi
}
pings() { grep -c ' c:Ping ' "$dir/obs" || true; }

# keys: 30 signal-config, 32 mitigating-config, 44 idle-config, 33 heartbeat-interval, 37 missing-hb-allowed,
# 36 current-value; 49 heartbeat, 51 peer-hb-status; 1 mitigation-scope, 2 scope, 6 target-prefix, 14 lifetime,
# 45 trigger-mitigation
body "$dir/config.cbor" '{30: {32: {33: {36: 1}, 37: {36: 10}}, 44: {33: {36: 3}, 37: {36: 3}}}}'
body "$dir/hb.cbor" '{49: {51: True}}'
body "$dir/waiting.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 3600, 45: False}]}}'
body "$dir/active.cbor" '{1: {2: [{6: ["198.51.100.128/25"], 14: 3600}]}}'

start_scrubd --dots-range heartbeat-interval=1-240 --dots-range missing-hb-allowed=2-20
expect "client1: mitigating 1 s x 10, idle 3 s x 3" client1.example coaps /.well-known/dots/config/sid=1 "2.01" \
  -m put -t 271 -f "$dir/config.cbor"
expect "GET /config/sid=1" client1.example coaps /.well-known/dots/config/sid=1 "2.05" -m get
grep -q 'Max-Age:3600 ' "$dir/out" && ok "its answer has Max-Age 3600" || fail "no Max-Age: $(grep ' c:2.05' "$dir/out")"
decoded "idle 3 s x 3, mitigating 1 s x 10" 'm = c[30][32]; i = c[30][44]; (m[33][36], m[37][36], i[33][36], i[37][36]) == (1, 10, 3, 3)'
expect "GET /config (the defaults)" client2.example coaps+tcp /.well-known/dots/config "2.05" -m get
grep -q 'Max-Age:3600 ' "$dir/out" && ok "over TLS too, with Max-Age 3600" || fail "no Max-Age: $(grep ' c:2.05' "$dir/out")"
expect "client1: a waiting mitigation (not active)" client1.example coaps "$m/cuid=c1/mid=1" "2.01" -m put -t 271 \
  -f "$dir/waiting.cbor"
decoded "... its answer: mid 1, lifetime 3600" 'c == {1: {2: [{5: 1, 14: 3600}]}}'

# idle: the client sends no heartbeats; the observation is held 7 s
observe client1.example coaps 7
hb_check "idle, DTLS: 1 to 3 heartbeats in 7 s (every 3 s), Non-confirmable, {49: {51: False}}" \
  '1 <= len(b) <= 3 and set(t) == {"NON"} and all(x == {49: {51: False}} for x in b)'
grep -q ' c:PUT .*Uri-Path:\.well-known, Uri-Path:dots, Uri-Path:hb, Content-Format:application/dots+cbor' \
  "$dir/obs" && ok "to /.well-known/dots/hb in application/dots+cbor" || fail "path or format: $(grep ' c:PUT' "$dir/obs" | head -1)"

# the client's heartbeats every 0.5 s from other sessions: peer-hb-status true
(while :; do request client1.example coaps /.well-known/dots/hb -m put -t 271 -f "$dir/hb.cbor"; sleep 0.5; done) \
  >/dev/null 2>&1 &
hbpid=$!
sleep 1
observe client1.example coaps 7
hb_check "while the client sends heartbeats: {49: {51: True}}" '1 <= len(b) <= 3 and all(x == {49: {51: True}} for x in b)'
kill "$hbpid"; wait "$hbpid" 2>/dev/null || true; hbpid=
# its heartbeats stopped: false again once the idle loss time (9 s) has
# passed, though other requests came (signs of life, not heartbeats)
for _ in $(seq 5); do request client1.example coaps /.well-known/dots/config -m get; sleep 2; done
observe client1.example coaps 4
hb_check "heartbeats stopped for the loss time: {49: {51: False}} again" '1 <= len(b) and all(x == {49: {51: False}} for x in b)'

observe client1.example coaps+tcp 7
n=$(pings)
[ "$n" -ge 1 ] && [ "$n" -le 3 ] && ok "idle, TLS: $n CoAP Pings in 7 s" || fail "TLS: $n Pings in 7 s"
[ -z "$(heartbeats)" ] && ok "over TLS no PUT /hb" || fail "over TLS: $(heartbeats)"

# mitigating: an active mitigation makes the mitigating values (1 s) apply
expect "client1: an active mitigation" client1.example coaps "$m/cuid=c1/mid=2" "2.01" -m put -t 271 \
  -f "$dir/active.cbor"
decoded "... its answer: mid 2, lifetime 3600" 'c == {1: {2: [{5: 2, 14: 3600}]}}'
observe client1.example coaps 7
hb_check "mitigating, DTLS: 5 or more heartbeats in 7 s (every second)" '5 <= len(b) <= 8'
observe client1.example coaps+tcp 7
n=$(pings)
[ "$n" -ge 5 ] && ok "mitigating, TLS: $n CoAP Pings in 7 s" || fail "mitigating, TLS: $n Pings in 7 s"
[ "$(ctl -j mitigation show c1 1 | jget 'a["result"]["status"]')" = requested ] &&
  ok "the waiting mitigation still waits: the Pongs and the observations kept the signal" ||
  fail "c1/1: $(ctl mitigation show c1 1)"
stop_scrubd

finish signal_server_heartbeat
