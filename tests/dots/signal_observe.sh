#!/usr/bin/env bash
# Observe on mitigations (RFC 7641, RFC 9132 section 4.4.2) in scrubd on
# the card model, with coap-client-openssl as the observer (-s) and answers
# decoded by python3-cbor2: a GET with Observe is registered (Observe in
# the answer); an update is notified with the new lifetime; while the
# mitigation is active fresh notifications come every --dots-notify-s,
# numbered upwards, NON with a CON among them; the cuid-wide observer sees
# a new mid; a mid replaced by a higher one of its cuid (RFC 9132 section
# 4.4.1) and a DELETE (with no active-but-terminating period here) are told
# as status 7 (attack-mitigation-withdrawn), an expiry as 6
# (attack-mitigation-terminated), each then ends the observer with 4.04.
# In peace time observers are told every --dots-observe-keepalive-s, a CON
# among the NONs.
# Usage: signal_observe.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
start_scrubd --dots-notify-s 1
m=/.well-known/dots/mitigate

# keys: 1 mitigation-scope, 2 scope, 5 mid, 6 target-prefix, 14 lifetime, 16 status
body "$dir/a.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
body "$dir/a2.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 900}]}}'
body "$dir/b.cbor" '{1: {2: [{6: ["198.51.100.128/26"], 14: 2}]}}'
body "$dir/r.cbor" '{1: {2: [{6: ["198.51.100.192/26"], 14: 600}]}}'

expect "PUT cuid=c1 mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/a.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
expect "PUT cuid=c2 mid=1" client1.example $signal "$m/cuid=c2/mid=1" "2.01" -m put -t 271 -f "$dir/r.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
observe "$m/cuid=c1/mid=1" mid1.out 10
observe "$m/cuid=c2/mid=1" replaced.out 6
observe "$m/cuid=c1" all.out 10
sleep 2
expect "PUT cuid=c2 mid=2, the same scope: replaces mid 1" client1.example $signal "$m/cuid=c2/mid=2" "2.01" -m put \
  -t 271 -f "$dir/r.cbor"
decoded "... its answer: mid 2, lifetime 600" 'c == {1: {2: [{5: 2, 14: 600}]}}'
expect "PUT mid=1 again, lifetime 900" client1.example $signal "$m/cuid=c1/mid=1" "2.04" -m put -t 271 -f "$dir/a2.cbor"
decoded "... its answer: mid 1, lifetime 900" 'c == {1: {2: [{5: 1, 14: 900}]}}'
sleep 1.5
expect "PUT mid=2, lifetime 2 s" client1.example $signal "$m/cuid=c1/mid=2" "2.01" -m put -t 271 -f "$dir/b.cbor"
decoded "... its answer: mid 2, lifetime 2" 'c == {1: {2: [{5: 2, 14: 2}]}}'
observe "$m/cuid=c1/mid=2" mid2.out 6
sleep 1.5
expect "DELETE mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.02" -m delete
for p in $observers; do wait "$p" || true; done
observers=

check "the registration is answered with an Observe number" mid1.out \
  'rows[0][1] == "2.05" and rows[0][2] is not None and rows[0][3][1][2][0][5] == 1 and 590 <= rows[0][3][1][2][0][14] <= 600'
check "the update is notified with the new lifetime" mid1.out \
  'any(r[1] == "2.05" and 890 <= r[3][1][2][0][14] <= 900 for r in rows[1:])'
check "fresh notifications every second, numbered upwards ($signal: types $notified)" mid1.out \
  "n = [r[2] for r in rows if r[1] == \"2.05\"]; len(n) >= 4 and n == sorted(set(n)) and $notified <= {r[0] for r in rows[1:]}"
check "the DELETE is told as status 7, then ends the observer with 4.04" mid1.out \
  'rows[-1][1] == "4.04" and rows[-2][1] == "2.05" and rows[-2][3][1][2] == [{5: 1, 14: 0, 16: 7}]'
check "the cuid-wide observer sees mid 2 come" all.out \
  'any(r[1] == "2.05" and [e[5] for e in r[3][1][2]] == [1, 2] for r in rows)'
check "the cuid-wide observer sees mid 1 go" all.out \
  'any(r[1] == "2.05" and [e[5] for e in r[3][1][2]] == [2] for r in rows) or rows[-1][1] == "4.04"'
check "the expiry of mid 2 is told as status 6, then ends its observer with 4.04" mid2.out \
  'rows[0][1] == "2.05" and rows[-1][1] == "4.04" and rows[-2][3][1][2] == [{5: 2, 14: 0, 16: 6}]'
check "the replaced mid 1 of cuid c2 is told as status 7, then its observer ends with 4.04" replaced.out \
  'rows[0][1] == "2.05" and rows[0][3][1][2][0][5] == 1 and rows[-1][1] == "4.04" and rows[-2][3][1][2] == [{5: 1, 14: 0, 16: 7}]'
grep -q "mitigation expired" <(ctl audit) && ok "mid 2 expired (audit)" ||
  fail "no expiry in the audit log"
stop_scrubd

# Peace time (nothing active: a mitigation waiting for a signal loss): with
# --dots-observe-keepalive-s 1 the observers are told every second all the
# same, and libcoap makes every fifth notification Confirmable; with the
# default keepalive (a fifth of 24 hours) that is a CON at least daily.
start_scrubd --dots-notify-s 1 --dots-observe-keepalive-s 1
body "$dir/w.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600, 45: False}]}}'
expect "PUT cuid=c3 mid=1, trigger-mitigation false" client1.example $signal "$m/cuid=c3/mid=1" "2.01" \
  -m put -t 271 -f "$dir/w.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
observe "$m/cuid=c3/mid=1" peace.out 8
for p in $observers; do wait "$p" || true; done
observers=
check "in peace time the observer is told every second, status 8 ($signal: types $notified)" peace.out \
  "n = [r for r in rows[1:] if r[1] == \"2.05\"]; len(n) >= 5 and all(r[3][1][2][0][16] == 8 for r in n) and $notified <= {r[0] for r in n}"
stop_scrubd
finish signal_observe
