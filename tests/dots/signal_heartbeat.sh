#!/usr/bin/env bash
# Heartbeats and signal loss (RFC 9132 section 4.7) in scrubd on the card
# model, against coap-client-openssl with python3-cbor2 bodies, on short
# timers (--dots-range lets a client set heartbeat-interval 1 s and
# missing-hb-allowed 2): PUT /hb answers 2.04 (a body that is no heartbeat
# 4.00); a trigger-mitigation=false request waits (status 8, not on the
# card) while the client's heartbeats come, and is activated once they stop
# for 2 intervals (on the card, scrubctl says active, the log says why);
# another client with the default 30 s x 15 is not touched; after a
# restart a waiting request of a client that stays silent is activated too.
# Usage: signal_heartbeat.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
start() { start_scrubd --dots-range heartbeat-interval=1-240 --dots-range missing-hb-allowed=2-20; }
# state CUID MID: "status installed" as scrubctl sees it
state() { ctl -j mitigation show "$1" "$2" | jget 'a["result"]["status"], a["result"]["installed"]'; }
# wait_state CUID MID WANT SECONDS
wait_state() {
  for _ in $(seq $(($4 * 10))); do [ "$(state "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  return 1
}
m=/.well-known/dots/mitigate

# keys: 30 signal-config, 32 mitigating-config, 44 idle-config, 33 heartbeat-interval, 37 missing-hb-allowed,
# 36 current-value; 49 heartbeat, 51 peer-hb-status; 1 mitigation-scope, 2 scope, 6 target-prefix,
# 14 lifetime, 45 trigger-mitigation, 16 status
body "$dir/config.cbor" '{30: {32: {33: {36: 1}, 37: {36: 2}}, 44: {33: {36: 1}, 37: {36: 2}}}}'
body "$dir/hb.cbor" '{49: {51: True}}'
body "$dir/wait1.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 3600, 45: False}]}}'
body "$dir/wait2.cbor" '{1: {2: [{6: ["203.0.113.0/25"], 14: 3600, 45: False}]}}'
body "$dir/wait3.cbor" '{1: {2: [{6: ["198.51.100.128/25"], 14: 3600, 45: False}]}}'

start
expect "heartbeat over $signal" client1.example $signal /.well-known/dots/hb "2.04" -m put -t 271 -f "$dir/hb.cbor"
expect "heartbeat over $other" client1.example $other /.well-known/dots/hb "2.04" -m put -t 271 -f "$dir/hb.cbor"
expect "a heartbeat whose body is a session configuration" client1.example $signal /.well-known/dots/hb \
  "4.00 a heartbeat body is a heartbeat (key 49)" -m put -t 271 -f "$dir/config.cbor"
expect "client2: a waiting mitigation (default timers)" client2.example $signal "$m/cuid=c2/mid=1" "2.01" -m put -t 271 \
  -f "$dir/wait2.cbor"
decoded "... its answer: mid 1, lifetime 3600" 'c == {1: {2: [{5: 1, 14: 3600}]}}'
expect "client1: heartbeat-interval 1, missing-hb-allowed 2" client1.example $signal /.well-known/dots/config/sid=1 \
  "2.01" -m put -t 271 -f "$dir/config.cbor"
expect "client1: a waiting mitigation" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 \
  -f "$dir/wait1.cbor"
decoded "... its answer: mid 1, lifetime 3600" 'c == {1: {2: [{5: 1, 14: 3600}]}}'
expect "client1: GET it" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "status 8 (attack-mitigation-signal-loss)" 'c[1][2][0][16] == 8 and c[1][2][0][45] is False'
# heartbeats every 0.5 s for 4 s: twice the loss time
for _ in $(seq 8); do request client1.example $signal /.well-known/dots/hb -m put -t 271 -f "$dir/hb.cbor"; sleep 0.5; done
[ "$(state c1 1)" = "requested False" ] && ok "while heartbeats come it waits, off the card" ||
  fail "with heartbeats: $(state c1 1)"
wait_state c1 1 "active True" 10 && ok "heartbeats stopped: it is active and on the card" ||
  fail "after the heartbeats stopped: $(state c1 1)"
grep -q "dots signal: signal with client1.example lost (nothing heard for .* ms): 1 waiting mitigations triggered" \
  "$log" && ok "the loss is logged" || fail "no loss line in the log"
[ "$(state c2 1)" = "requested False" ] && ok "client2 (30 s x 15) still waits" || fail "client2: $(state c2 1)"
expect "client1 is back: GET" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "status 1, triggered (mitigation-start)" 'e = c[1][2][0]; e[16] == 1 and e[15] > 1700000000'
grep -q "signal with client1.example is back" "$log" && ok "the return is logged" || fail "no return line"
[ "$(ctl -j audit | jget 'sum(1 for e in a["result"]["entries"] if e["what"].startswith("mitigation triggered (signal lost with client1.example): c1/1"))')" = 1 ] &&
  ok "the trigger is in the audit log" || fail "audit: $(ctl audit | tail -3)"
expect "client1: another waiting mitigation" client1.example $signal "$m/cuid=c1/mid=2" "2.01" -m put -t 271 \
  -f "$dir/wait3.cbor"
decoded "... its answer: mid 2, lifetime 3600" 'c == {1: {2: [{5: 2, 14: 3600}]}}'
stop_scrubd

start
wait_state c1 2 "active True" 15 && ok "after a restart, the silent client1's waiting mitigation is activated" ||
  fail "after a restart: $(state c1 2)"
[ "$(state c2 1)" = "requested False" ] && ok "client2 still waits after the restart" || fail "client2: $(state c2 1)"
stop_scrubd

finish signal_heartbeat
