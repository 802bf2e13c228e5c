#!/usr/bin/env bash
# Conflicts between two DOTS clients (cuids c1 and c2) of one identity
# (RFC 9132 section 4.4.1), in scrubd on the card model, against
# coap-client-openssl with answers decoded by python3-cbor2:
# - conflict-policy refuse (the default): c2's request overlapping c1's
#   active mitigation gets 4.09 with conflict-information {conflict-status
#   1, conflict-cause 1, retry-timer (c1's seconds left), conflict-scope
#   {target-prefix: c1's overlapping prefix}}; nothing changes; a request
#   beside it is accepted;
# - conflict-policy newest (after a restart): c2's overlapping request is
#   accepted and displaces c1's, off the card; c2's GET says so
#   (conflict-status 2, request-active); c1's observer is told status 7
#   with conflict-information (retry-timer, c2's prefix), as is its GET;
#   c1 asking again is refused 4.09 while c2's is active, and accepted once
#   c2 withdrew it (status 1, no conflict-information, on the card).
# And the mid rule within one cuid (c3): an immediate request replaces an
# overlapping waiting one whatever the mids, a waiting one never replaces an
# active one (4.09 naming its mid), mid 0 after 3221225471 only in peace
# time.
# Usage: signal_conflict.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
m=/.well-known/dots/mitigate
start_scrubd --dots-notify-s 1

# keys: 1 mitigation-scope, 2 scope, 5 mid, 6 target-prefix, 14 lifetime,
# 16 status, 17 conflict-information, 18 conflict-status, 19
# conflict-cause, 20 retry-timer, 21 conflict-scope
body "$dir/wide.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
body "$dir/inner.cbor" '{1: {2: [{6: ["198.51.100.0/26"], 14: 600}]}}'
body "$dir/beside.cbor" '{1: {2: [{6: ["198.51.100.128/26"], 14: 600}]}}'
# listed CUID MID 'python on the mitigation m of scrubctl -j mitigation list'
listed() {
  ctl -j mitigation list | jget "[$3 for m in a['result']['mitigations'] if m['cuid'] == '$1' and m['mid'] == $2][0]"
}

expect "c1 PUT mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/wide.cbor"
decoded "granted mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
expect "c2 PUT mid=1 overlapping c1's (policy refuse)" client1.example $signal "$m/cuid=c2/mid=1" "4.09" \
  -m put -t 271 -f "$dir/inner.cbor"
decoded "conflict-information: status 1, cause 1, retry-timer, c1's prefix as the scope" \
  'e = c[1][2][0]; i = e[17]; e[5] == 1 and i[18] == 1 and i[19] == 1 and 595 <= i[20] <= 600 and i[21] == {6: ["198.51.100.0/25"]} and set(i) == {18, 19, 20, 21}'
expect "c2 GET mid=1: nothing stored" client1.example $signal "$m/cuid=c2/mid=1" "4.04 no mitigation with cuid c2 and mid 1" -m get
grep -q "of another DOTS client of 'client1.example' is active on overlapping targets; the client's conflict-policy is refuse" "$log" &&
  ok "the refusal is logged" || fail "no log line for the refusal"
expect "c2 PUT mid=1 beside c1's" client1.example $signal "$m/cuid=c2/mid=1" "2.01" -m put -t 271 -f "$dir/beside.cbor"
decoded "granted mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'

stop_scrubd
conflict_policy=newest scrubd_config
start_scrubd --dots-notify-s 1
observe "$m/cuid=c1/mid=1" c1.out 5
sleep 1
expect "c2 PUT mid=2 overlapping c1's (policy newest)" client1.example $signal "$m/cuid=c2/mid=2" "2.01" \
  -m put -t 271 -f "$dir/inner.cbor"
[ "$(listed c1 1 "(m['status'], m.get('displaced_by'), m['installed'])")" = "('displaced', 'c2/2', False)" ] &&
  ok "c1/1 displaced by c2/2, off the card" || fail "c1/1: $(ctl -j mitigation list)"
[ "$(listed c2 2 "m['installed']")" = True ] && ok "c2/2 on the card" || fail "c2/2: $(ctl -j mitigation list)"
expect "c2 GET mid=2" client1.example $signal "$m/cuid=c2/mid=2" "2.05" -m get
decoded "active, with conflict-information: status 2 (request-active), cause 1, c1's prefix" \
  'e = c[1][2][0]; e[16] == 1 and e[17] == {18: 2, 19: 1, 21: {6: ["198.51.100.0/25"]}}'
expect "c1 GET mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "status 7 with conflict-information: status 1, cause 1, retry-timer, c2's prefix" \
  'e = c[1][2][0]; i = e[17]; e[16] == 7 and i[18] == 1 and i[19] == 1 and 595 <= i[20] <= 600 and i[21] == {6: ["198.51.100.0/26"]}'
expect "c1 PUT mid=1 again while c2/2 is active" client1.example $signal "$m/cuid=c1/mid=1" "4.09" \
  -m put -t 271 -f "$dir/wide.cbor"
decoded "refused with the retry-timer and c2's prefix" \
  'i = c[1][2][0][17]; i[18] == 1 and i[19] == 1 and 595 <= i[20] <= 600 and i[21] == {6: ["198.51.100.0/26"]}'
for p in $observers; do wait "$p" || true; done
observers=
check "c1's observer is told 1, then 7 with the conflict" c1.out \
  's = [r[3][1][2][0] for r in rows if r[1] == "2.05"]; s[0][16] == 1 and 17 not in s[0] and s[-1][16] == 7 and s[-1][17][18] == 1 and s[-1][17][21] == {6: ["198.51.100.0/26"]}'

expect "c2 DELETE mid=2" client1.example $signal "$m/cuid=c2/mid=2" "2.02" -m delete
expect "c1 GET mid=1 after c2/2 ended" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "still status 7, no retry-timer now" 'e = c[1][2][0]; e[16] == 7 and e[17] == {18: 1, 19: 1}'
expect "c1 PUT mid=1 again" client1.example $signal "$m/cuid=c1/mid=1" "2.04" -m put -t 271 -f "$dir/wide.cbor"
decoded "granted mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
expect "c1 GET mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "active (status 1), no conflict-information" 'e = c[1][2][0]; e[16] == 1 and 17 not in e'
[ "$(listed c1 1 "(m['status'], m['installed'])")" = "('active', True)" ] && ok "c1/1 back on the card" ||
  fail "c1/1: $(ctl -j mitigation list)"
ctl audit | grep -q "mitigation put client=client1.example cuid=c2 mid=2 .* displacing c1/1" &&
  ok "the displacement is in the audit log" || fail "no audit record of the displacement"

# the mid rule within one cuid: an immediate request replaces an
# overlapping waiting one (trigger-mitigation false, key 45) whatever their
# mids, never the reverse; mid 0 again after 3221225471, in peace time only
body "$dir/waiting.cbor" '{1: {2: [{6: ["198.51.100.128/25"], 14: 600, 45: False}]}}'
body "$dir/now.cbor" '{1: {2: [{6: ["198.51.100.128/26"], 14: 600}]}}'
expect "c3 PUT mid=10, waiting" client1.example $signal "$m/cuid=c3/mid=10" "2.01" -m put -t 271 -f "$dir/waiting.cbor"
expect "c3 PUT mid=5, immediate: replaces it" client1.example $signal "$m/cuid=c3/mid=5" "2.01" -m put -t 271 -f "$dir/now.cbor"
decoded "granted mid 5" 'c[1][2][0][5] == 5'
expect "c3 GET mid=10: replaced" client1.example $signal "$m/cuid=c3/mid=10" "4.04 no mitigation with cuid c3 and mid 10" -m get
expect "c3 PUT mid=11, waiting, over the immediate mid=5" client1.example $signal "$m/cuid=c3/mid=11" "4.09" \
  -m put -t 271 -f "$dir/waiting.cbor"
decoded "refused naming mid 5" 'i = c[1][2][0][17]; i[18] == 1 and i[19] == 1 and i[21] == {5: 5}'
expect "c3 PUT mid=3221225471" client1.example $signal "$m/cuid=c3/mid=3221225471" "2.01" -m put -t 271 -f "$dir/now.cbor"
expect "c3 PUT mid=0 while mid=3221225471 is active" client1.example $signal "$m/cuid=c3/mid=0" "4.09" \
  -m put -t 271 -f "$dir/now.cbor"
decoded "refused naming mid 3221225471" 'c[1][2][0][17][21] == {5: 3221225471}'
expect "c3 DELETE mid=3221225471" client1.example $signal "$m/cuid=c3/mid=3221225471" "2.02" -m delete
expect "c3 PUT mid=3221225472, waiting" client1.example $signal "$m/cuid=c3/mid=3221225472" "2.01" \
  -m put -t 271 -f "$dir/waiting.cbor"
expect "c3 PUT mid=0 in peace time: the rollover" client1.example $signal "$m/cuid=c3/mid=0" "2.01" \
  -m put -t 271 -f "$dir/waiting.cbor"
expect "c3 GET" client1.example $signal "$m/cuid=c3" "2.05" -m get
decoded "only mid 0 is left, waiting (status 8)" 'e = c[1][2]; [x[5] for x in e] == [0] and e[0][16] == 8'

stop_scrubd
finish signal_conflict
