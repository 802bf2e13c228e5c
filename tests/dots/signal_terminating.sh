#!/usr/bin/env bash
# RFC 9132 section 4.4.4's active-but-terminating period in scrubd on the
# card model (--dots-terminating-s 4), against coap-client-openssl with
# answers decoded by python3-cbor2: a DELETE is answered 2.02 at once, the
# mitigation stays on the card with status 5 (dots-client-withdrawn-
# mitigation) and its remaining period as lifetime, its observer is told 5
# and, at the end, 6 (attack-mitigation-terminated) before 4.04, and then it
# is gone from the card; a PUT of the same mid during the period makes it
# active again (2.04) and the next DELETE gets twice the period; a restart
# during the period keeps it terminating (the deadline is in the store) and
# it ends at the deadline; a period that ran out while scrubd was down ends
# it at the start; the operator's withdrawal during a period is told as 7
# (attack-mitigation-withdrawn). Also the configured Max-Age of /config.
# Usage: signal_terminating.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
m=/.well-known/dots/mitigate
terminating=(--dots-terminating-s 4 --dots-notify-s 1 --dots-config-max-age 45)
start_scrubd "${terminating[@]}"

# keys: 1 mitigation-scope, 2 scope, 5 mid, 6 target-prefix, 14 lifetime, 16 status
body "$dir/a.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
body "$dir/b.cbor" '{1: {2: [{6: ["198.51.100.128/26"], 14: 600}]}}'
# on_card PREFIX: whether the mitigation's DEST entry is on the card
on_card() { ctl -j mitigation list | jget "any(m['installed'] and '$1' in m['prefixes'] for m in a['result']['mitigations'])"; }

expect "PUT mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/a.cbor"
decoded "... its answer: mid 1, lifetime 600" 'c == {1: {2: [{5: 1, 14: 600}]}}'
observe "$m/cuid=c1/mid=1" mid1.out 9
sleep 1
expect "DELETE mid=1: answered at once" client1.example $signal "$m/cuid=c1/mid=1" "2.02" -m delete
expect "GET mid=1 during the period" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "status 5, the period's remaining seconds as lifetime" 'e = c[1][2][0]; e[16] == 5 and 1 <= e[14] <= 4'
[ "$(on_card 198.51.100.0/25)" = True ] && ok "still on the card" || fail "not on the card: $(ctl -j mitigation list)"
grep -q "withdrawn, active but terminating for 4 s" "$log" && ok "logged with its period" || fail "no log line"
sleep 5
expect "GET mid=1 after the period" client1.example $signal "$m/cuid=c1/mid=1" "4.04 no mitigation with cuid c1 and mid 1" \
  -m get
[ "$(on_card 198.51.100.0/25)" = False ] && ok "off the card after the period" || fail "still there: $(ctl -j mitigation list)"
for p in $observers; do wait "$p" || true; done
observers=
check "the observer is told 1, then 5, then 6 at the end, then 4.04" mid1.out \
  's = [r[3][1][2][0][16] for r in rows if r[1] == "2.05"]; s[0] == 1 and 5 in s and s[-1] == 6 and s.index(5) < len(s) - 1 and rows[-1][1] == "4.04"'

# asked again during the period: active again, and the next period doubles
expect "PUT mid=2" client1.example $signal "$m/cuid=c1/mid=2" "2.01" -m put -t 271 -f "$dir/b.cbor"
decoded "... its answer: mid 2, lifetime 600" 'c == {1: {2: [{5: 2, 14: 600}]}}'
expect "DELETE mid=2" client1.example $signal "$m/cuid=c1/mid=2" "2.02" -m delete
expect "PUT mid=2 during its period: an update" client1.example $signal "$m/cuid=c1/mid=2" "2.04" -m put -t 271 -f "$dir/b.cbor"
decoded "... its answer: mid 2, lifetime 600" 'c == {1: {2: [{5: 2, 14: 600}]}}'
expect "GET mid=2" client1.example $signal "$m/cuid=c1/mid=2" "2.05" -m get
decoded "active again (status 1), its lifetime back" 'e = c[1][2][0]; e[16] == 1 and 595 <= e[14] <= 600'
expect "DELETE mid=2 again" client1.example $signal "$m/cuid=c1/mid=2" "2.02" -m delete
expect "GET mid=2" client1.example $signal "$m/cuid=c1/mid=2" "2.05" -m get
decoded "status 5 for twice the period" 'e = c[1][2][0]; e[16] == 5 and 7 <= e[14] <= 8'

# a restart during the period: still terminating, ended at the deadline
stop_scrubd
start_scrubd "${terminating[@]}"
expect "GET mid=2 after a restart" client1.example $signal "$m/cuid=c1/mid=2" "2.05" -m get
decoded "still status 5" 'e = c[1][2][0]; e[16] == 5 and e[14] <= 8'
[ "$(on_card 198.51.100.128/26)" = True ] && ok "still on the card after the restart" || fail "not on the card"
sleep 8.5
expect "GET mid=2 after its deadline" client1.example $signal "$m/cuid=c1/mid=2" \
  "4.04 no mitigation with cuid c1 and mid 2" -m get
[ "$(on_card 198.51.100.128/26)" = False ] && ok "off the card at the deadline" || fail "still there"

# a deadline that passed while scrubd was down
expect "PUT mid=3" client1.example $signal "$m/cuid=c1/mid=3" "2.01" -m put -t 271 -f "$dir/a.cbor"
decoded "... its answer: mid 3, lifetime 600" 'c == {1: {2: [{5: 3, 14: 600}]}}'
expect "DELETE mid=3" client1.example $signal "$m/cuid=c1/mid=3" "2.02" -m delete
stop_scrubd
sleep 4.5
start_scrubd "${terminating[@]}"
expect "GET mid=3 after the restart" client1.example $signal "$m/cuid=c1/mid=3" \
  "4.04 no mitigation with cuid c1 and mid 3" -m get
[ "$(on_card 198.51.100.0/25)" = False ] && ok "ended at the start" || fail "still there"
ctl audit | grep -q "mitigation withdraw cuid=c1 mid=3: active but terminating for 4 s" &&
  ok "the withdrawal with its period is in the audit log" || fail "no audit record"

# the operator's withdrawal during the period: withdrawn (7), not terminated
expect "PUT mid=4" client1.example $signal "$m/cuid=c1/mid=4" "2.01" -m put -t 271 -f "$dir/b.cbor"
observe "$m/cuid=c1/mid=4" mid4.out 4
sleep 1
expect "DELETE mid=4" client1.example $signal "$m/cuid=c1/mid=4" "2.02" -m delete
ctl mitigation withdraw c1 4 >/dev/null && ok "the operator withdraws mid=4 during its period" || fail "scrubctl withdraw"
for p in $observers; do wait "$p" || true; done
observers=
check "the observer is told 5, then 7 (withdrawn by the operator), then 4.04" mid4.out \
  's = [r[3][1][2][0][16] for r in rows if r[1] == "2.05"]; 5 in s and s[-1] == 7 and rows[-1][1] == "4.04"'

# the configured Max-Age of /config
expect "GET /config" client1.example $signal /.well-known/dots/config "2.05" -m get
grep -q 'Max-Age:45 ' "$dir/out" && ok "Max-Age 45 as configured" || fail "Max-Age: $(grep ' c:2.05' "$dir/out")"

stop_scrubd
finish signal_terminating
