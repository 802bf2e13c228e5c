#!/usr/bin/env bash
# RFC 9133's filter control in scrubd on the card model: a client makes an
# activate-when-mitigating ACL over HTTPS (curl, RFC 8783), then changes its
# activation with the acl-list of mitigation requests over CoAP
# (coap-client-openssl). deactivate keeps the ACL's entry off the card while
# the mitigation is active, immediate puts it on; the data channel's GET and
# scrubctl acl list show the new activation-type, the mitigation's GET its
# acl-list, the audit log both on the signal channel. Refused with 4.00 and
# nothing changed: an acl-list in idle time (trigger-mitigation false), an
# ACL name the cuid has not, another client's ACL named under its own cuid.
# The activation survives the mitigation's withdrawal and a restart.
# Usage: filter_control.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR CURL
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7 curl=$8
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
dport=$(free_port)
start_scrubd --data-port "$dport"

data_port=$dport
source "$(dirname "$0")/restconf_harness.sh"
acl_used() { ctl -j status | jget 'a["result"]["card"]["tables"]["acl"]["used"]'; }
# the ACL as scrubctl lists it: activation, installed, card entries
acl_row() { ctl -j acl list "$1" | jget "[(x['activation'], x['installed'], x['card_entries']) for x in a['result']['acls'] if x['name'] == '$2']"; }
# its activation-type as the data channel's GET shows it
acl_activation() {
  https "$1" GET "$ROOT/dots-client=$2/acls/acl=$3"
  "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["ietf-dots-data-channel:acl"][0]["activation-type"])' \
    "$dir/body" 2>/dev/null || echo "(no JSON: $(cat "$dir/status") $(head -c 200 "$dir/body"))"
}
mitigations() { ctl -j mitigation list | jget "[(m['cuid'], m['mid']) for m in a['result']['mitigations']]"; }

A=acme-1 B=globex-1
https client1.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
status "register $A" 201
https client2.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$B\"}]}"
status "register $B" 201
ace() { echo "{\"name\":\"$1\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":\"$2\",\"fragment\":{\"type\":\"\"}},\"udp\":{\"source-port-range-or-operator\":{\"operator\":\"eq\",\"port\":53}}},\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}}"; }
https client1.example POST "$ROOT/dots-client=$A" "{\"ietf-dots-data-channel:acls\":{\"acl\":[{\"name\":\"sample-ipv4-acl\",\"type\":\"ietf-access-control-list:mixed-eth-ipv4-acl-type\",\"activation-type\":\"activate-when-mitigating\",\"aces\":{\"ace\":[$(ace no-dns 198.51.100.10/32)]}}]}}"
status "an activate-when-mitigating ACL of $A" 201
https client2.example POST "$ROOT/dots-client=$B" "{\"ietf-dots-data-channel:acls\":{\"acl\":[{\"name\":\"globex-acl\",\"type\":\"ietf-access-control-list:mixed-eth-ipv4-acl-type\",\"activation-type\":\"activate-when-mitigating\",\"aces\":{\"ace\":[$(ace no-dns 203.0.113.10/32)]}}]}}"
status "an ACL of $B" 201
used0=$(acl_used)
same "in peace time off the card" "$(acl_row $A sample-ipv4-acl)" "[('activate-when-mitigating', False, 1)]"

# --- idle time: the mitigation would wait for a signal loss
body "$dir/idle.cbor" '{1: {2: [{6: ["198.51.100.10/32"], 14: 3600, 45: False, 53: [{23: "sample-ipv4-acl", 52: 3}]}]}}'
expect "an acl-list in idle time (trigger-mitigation false)" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" \
  "4.00 acl-list in idle time" -m put -t 271 -f "$dir/idle.cbor"
same "nothing stored" "$(mitigations) $(acl_activation client1.example $A sample-ipv4-acl)" "[] activate-when-mitigating"

# --- deactivate: written by hand (RFC 8949 preferred serialisation):
# {1: {2: [{6: ["198.51.100.10/32"], 14: 3600, 53: [{23: "sample-ipv4-acl", 52: 3}]}]}}
# a1 01                      mitigation-scope
#   a1 02 81 a3              scope: [ {3 members}
#     06 81 70 ...           target-prefix: ["198.51.100.10/32"]
#     0e 19 0e10             lifetime: 3600
#     18 35 81 a2            ietf-dots-signal-control:acl-list: [ {2 members}
#       17 6f ...            acl-name: "sample-ipv4-acl"
#       18 34 03             activation-type: 3 (deactivate)
hex=a101a10281a3068170$(printf %s 198.51.100.10/32 | od -An -tx1 | tr -d ' \n')0e190e10183581a2176f$(printf %s sample-ipv4-acl | od -An -tx1 | tr -d ' \n')183403
"$python" -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(sys.argv[2]))' "$dir/deactivate.cbor" "$hex"
body "$dir/check.cbor" '{1: {2: [{6: ["198.51.100.10/32"], 14: 3600, 53: [{23: "sample-ipv4-acl", 52: 3}]}]}}'
cmp -s "$dir/deactivate.cbor" "$dir/check.cbor" && ok "the hand-written body is what python3-cbor2 makes of it" ||
  fail "hand-written $hex, cbor2 $(od -An -tx1 "$dir/check.cbor" | tr -d ' \n')"
expect "a mitigation with acl-list deactivate" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.01" \
  -m put -t 271 -f "$dir/deactivate.cbor"
decoded "... its answer: mid 1, lifetime 3600" 'c == {1: {2: [{5: 1, 14: 3600}]}}'
same "while mitigating, the ACL is off the card (scrubctl acl list)" "$(acl_row $A sample-ipv4-acl)" "[('deactivate', False, 1)]"
same "and the card's ACL table is as in peace time" "$(acl_used)" "$used0"
same "the data channel's GET says deactivate" "$(acl_activation client1.example $A sample-ipv4-acl)" deactivate
expect "GET the mitigation" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.05"
decoded "its scope carries the acl-list" 's = c[1][2][0]; s[53] == [{23: "sample-ipv4-acl", 52: 3}] and s[6] == ["198.51.100.10/32"]'
same "audited with the mitigation, on the signal channel" \
  "$(sql "SELECT count(*) FROM audit WHERE what LIKE 'mitigation put client=client1.example cuid=$A mid=1 %acl-list=sample-ipv4-acl:deactivate' AND result = 'ok' AND channel = 'signal'")" 1

# --- immediate: an update of the same mitigation
body "$dir/immediate.cbor" '{1: {2: [{6: ["198.51.100.10/32"], 14: 3600, 53: [{23: "sample-ipv4-acl", 52: 2}]}]}}'
expect "the same mitigation with acl-list immediate" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" \
  "2.04" -m put -t 271 -f "$dir/immediate.cbor"
same "the ACL is on the card" "$(acl_row $A sample-ipv4-acl)" "[('immediate', True, 1)]"
same "one more ACL entry on the card" "$(acl_used)" "$((used0 + 1))"
same "the data channel's GET says immediate" "$(acl_activation client1.example $A sample-ipv4-acl)" immediate

# --- refusals: nothing changes
body "$dir/unknown.cbor" '{1: {2: [{6: ["198.51.100.10/32"], 14: 3600, 53: [{23: "nope", 52: 3}]}]}}'
expect "an unknown acl-name" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" \
  "4.00 acl-list: no ACL 'nope' of dots-client '$A'" -m put -t 271 -f "$dir/unknown.cbor"
body "$dir/two.cbor" '{1: {2: [{6: ["198.51.100.10/32"], 14: 3600, 53: [{23: "sample-ipv4-acl", 52: 3}, {23: "nope", 52: 3}]}]}}'
expect "a known and an unknown acl-name" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" \
  "4.00 acl-list: no ACL 'nope' of dots-client '$A'" -m put -t 271 -f "$dir/two.cbor"
body "$dir/other.cbor" '{1: {2: [{6: ["203.0.113.10/32"], 14: 3600, 53: [{23: "sample-ipv4-acl", 52: 2}]}]}}'
expect "another client's ACL under its own cuid" client2.example $signal "/.well-known/dots/mitigate/cuid=$B/mid=1" \
  "4.00 acl-list: no ACL 'sample-ipv4-acl' of dots-client '$B'" -m put -t 271 -f "$dir/other.cbor"
same "after the refusals: the ACL still immediate and on the card, no mitigation of $B" \
  "$(acl_row $A sample-ipv4-acl) $(acl_used) $(mitigations)" "[('immediate', True, 1)] $((used0 + 1)) [('$A', 1)]"
expect "the mitigation's GET still has acl-list immediate" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.05"
decoded "its scope" 'c[1][2][0][53] == [{23: "sample-ipv4-acl", 52: 2}]'
same "the refusals audited" \
  "$(sql "SELECT count(*) FROM audit WHERE what LIKE 'mitigation put %acl-list=%' AND result LIKE 'acl-list%' AND channel = 'signal'")" 4

# --- the activation outlives the mitigation and a restart
expect "withdraw the mitigation" client1.example $signal "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.02" -m delete
same "immediate: still on the card" "$(acl_row $A sample-ipv4-acl)" "[('immediate', True, 1)]"
stop_scrubd
start_scrubd --data-port "$dport"
same "after a restart" "$(acl_activation client1.example $A sample-ipv4-acl) $(acl_row $A sample-ipv4-acl)" \
  "immediate [('immediate', True, 1)]"
stop_scrubd
finish filter_control
