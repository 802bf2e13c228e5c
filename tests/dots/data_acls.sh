#!/usr/bin/env bash
# A dots-client's ACLs (RFC 8783 section 7.3) through dots-data-server with
# the host core on a card model (--config), against curl on loopback with
# the development PKI (the published module makes an ipv4 match carry a
# fragment clause and a tcp match a flags-bitmask: an empty one is no
# condition, docs/acl-compile.md): capabilities from the card; POST of an ACL with a
# drop and a rate-limit ACE (201) whose entries are on the card (read back
# from the card in the server's process: SIGUSR1 prints them), again (409);
# another client's prefix refused 403 naming the ACE and the prefix;
# another client cannot read or change them (403); PUT acl=NAME (201, then
# 204); GET with per-ACE statistics; insert and point ordering on the card;
# GET with content and depth; PATCH as a plain merge (one ACE's leaf, two
# ACLs in one change; refusals: a result that does not validate, another
# client's prefix, a missing ACL 404, YANG Patch 415); single ACEs (POST,
# PUT, GET, DELETE of aces/ace=NAME, with insert and point, each change on
# the card in the ACL's order); an activate-when-mitigating ACL off
# the card until a mitigation of the cuid is active (written to the store,
# then the server restarted: the core reads it back), on after, off again
# once withdrawn; an ACL the card cannot hold refused whole (409); DELETE
# of one ACL and of the dots-client removes their entries.
# Usage: data_acls.sh SERVER YANG_DIR DEV_PKI CURL PYTHON3 DEMO_JSON
set -euo pipefail
server=$1 yang=$2 dev_pki=$3 curl=$4 python=$5 demo=$6
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
checks=0 failed=0
ok()   { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }

"$dev_pki" "$dir/pki" >/dev/null
pki=$dir/pki
store=$dir/store.db
log=$dir/server.log
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# client1.example acts for acme (198.51.100.0/24), client2.example for globex (203.0.113.0/24).
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
for t in c['scrub-config:scrub-config']['tenant']:
    t['identity'] = {'acme': 'client1.example', 'globex': 'client2.example'}[t['name']]
json.dump(c, open(sys.argv[2], 'w'))" "$demo" "$dir/scrubd.json"

starts=0
start() {
  "$server" --yang "$yang" --ca "$pki/ca.crt" --cert "$pki/server.crt" --key "$pki/server.key" \
    --address 127.0.0.1 --port "$port" --store "$store" --config "$dir/scrubd.json" 2>>"$log" &
  pid=$!
  starts=$((starts + 1))
  for _ in $(seq 100); do [ "$(grep -c "listening on" "$log")" -ge "$starts" ] && break; sleep 0.1; done
  [ "$(grep -c "listening on" "$log")" -ge "$starts" ] || { cat "$log"; echo "FAIL: the server did not start"; exit 1; }
}
stop() {
  kill "$pid"
  if wait "$pid"; then ok "the server stops cleanly on SIGTERM"; else fail "the server exited $? (see its log)"; fi
  pid=
}
# card: the card's tenant ACL entries, as the server reads them back (the
# dump after the ones in the log).
card() {
  local dumps
  dumps=$(($(grep -c "tenant ACL entries" "$log" || true) + 1))
  kill -USR1 "$pid"
  for _ in $(seq 50); do [ "$(grep -c "tenant ACL entries" "$log")" -ge "$dumps" ] && break; sleep 0.1; done
  awk -v n="$dumps" '/card acl /{if (seen == n - 1) print} /tenant ACL entries/{seen++}' "$log" |
    sed 's/^dots-data-server: card acl [0-9]*: //'
}

data_port=$port
source "$(dirname "$0")/restconf_harness.sh"

start
A=acme-cuid-1 B=globex-cuid-1
send client1.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
status "register $A" 201
send client2.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$B\"}]}"
status "register $B" 201

# --- capabilities: what the model card matches and does
req client1.example GET "$ROOT/capabilities"
status "GET capabilities" 200
same "families, actions, rate-limit, protocols" \
  "$(json "[j['ietf-dots-data-channel:capabilities'][k] for k in ('address-family', 'forwarding-actions', 'rate-limit', 'transport-protocols')]")" \
  "[['ipv4', 'ipv6'], ['ietf-access-control-list:accept', 'ietf-access-control-list:drop'], True, [1, 6, 17, 58]]"
same "IPv4 fields: the card's, not ttl or ecn" \
  "$(json "sorted(k for k, v in j['ietf-dots-data-channel:capabilities']['ipv4'].items() if v)")" \
  "['destination-prefix', 'dscp', 'fragment', 'length', 'protocol', 'source-prefix']"

# --- an ACL with a drop and a rate-limit ACE
WEB='{"ietf-dots-data-channel:acls":{"acl":[{"name":"web","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","activation-type":"immediate","aces":{"ace":[
 {"name":"no-dns","matches":{"ipv4":{"destination-ipv4-network":"198.51.100.10/32","fragment":{"type":""}},"udp":{"source-port-range-or-operator":{"operator":"eq","port":53}}},"actions":{"forwarding":"ietf-access-control-list:drop"}},
 {"name":"limit","matches":{"ipv4":{"destination-ipv4-network":"198.51.100.0/24","fragment":{"type":""}},"tcp":{"flags-bitmask":{"bitmask":0},"destination-port-range-or-operator":{"operator":"eq","port":443}}},"actions":{"forwarding":"ietf-access-control-list:accept","rate-limit":"125000.00"}}]}}]}}'
send client1.example POST "$ROOT/dots-client=$A" "$WEB"
status "POST the ACL" 201
same "its Location" "$(header Location)" "$ROOT/dots-client=$A/acls/acl=web"
on_card=$(card)
same "on the card: a drop and a policed entry for acme (tenant 1)" "$on_card" \
  "tenant 1 drop proto 17 dst 198.51.100.10 dport 0-65535
tenant 1 police proto 6 dst 198.51.100.0 dport 443-443 policer 21 rate 125000 bytes/s"
same "stored with its audit record" "$(sql "SELECT count(*) FROM audit WHERE what LIKE 'data-channel acl create cuid=$A%' AND result = 'ok' AND channel = 'data'")" 1
send client1.example POST "$ROOT/dots-client=$A" "$WEB"
error "POST it again" 409 data-exists "ACL 'web' of dots-client '$A' exists already"

# --- tenant safety and isolation
send client1.example POST "$ROOT/dots-client=$A" '{"ietf-dots-data-channel:acls":{"acl":[{"name":"steal","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","aces":{"ace":[{"name":"theirs","matches":{"ipv4":{"destination-ipv4-network":"203.0.113.0/24","fragment":{"type":""}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}}'
error "another client's prefix" 403 access-denied "ACE 'theirs': destination 203.0.113.0/24 is not inside the prefixes 'client1.example' owns"
same "nothing stored" "$(sql "SELECT count(*) FROM data_acl WHERE name = 'steal'")" 0
req client2.example GET "$ROOT/dots-client=$A/acls"
error "another client reads them" 403 access-denied "belongs to another DOTS client"
req client2.example DELETE "$ROOT/dots-client=$A/acls/acl=web"
error "another client deletes one" 403 access-denied "belongs to another DOTS client"
send client1.example POST "$ROOT/dots-client=$A" '{"ietf-dots-data-channel:acls":{"acl":[{"name":"t","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","aces":{"ace":[{"name":"ttl","matches":{"ipv4":{"ttl":1,"fragment":{"type":""}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}}'
error "a match the card cannot do" 400 invalid-value "ttl"
send client1.example POST "$ROOT/dots-client=$A" '{"ietf-dots-data-channel:acls":{"acl":[{"name":"bad","aces":{"ace":[{"name":"x","matches":{"ipv4":{"dscp":99,"fragment":{"type":""}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}}'
error "a schema violation" 400 invalid-value "out of the allowed range"
same "its error-path, below the dots-client" "$(json "j['ietf-restconf:errors']['error'][0]['error-path']")" \
  "/ietf-dots-data-channel:dots-data/dots-client[cuid='$A']/acls/acl[name='bad']/aces/ace[name='x']/matches/ipv4/dscp"
# metadata annotations: libyang 2.1.30 crashed on the first (the fuzzer's find)
send client1.example POST "$ROOT" '{"@ietf-dots-data-channel:dots-client":[{"cuid":"c9"}]}'
error "a metadata annotation of a list" 400 unknown-attribute "'@ietf-dots-data-channel:dots-client': metadata annotations (RFC 7951 section 5.2) are not taken"
send client1.example POST "$ROOT/dots-client=$A/acls" '{"ietf-dots-data-channel:acl":[{"name":"m","@name":{"ietf-netconf:operation":"x"}}]}'
error "a metadata annotation of a leaf" 400 unknown-attribute "'@name'"
send client1.example POST "$ROOT" '{"@ietf-dots-data-channel:dots-client":[{"cuid":"c9"}'
error "one in a body that is not JSON" 400 malformed-message "the body is not JSON"

# --- PUT and GET
LATER='{"ietf-dots-data-channel:acl":[{"name":"later","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","activation-type":"activate-when-mitigating","aces":{"ace":[{"name":"icmp","matches":{"ipv4":{"destination-ipv4-network":"198.51.100.20/32","protocol":1,"fragment":{"type":""}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}'
send client1.example PUT "$ROOT/dots-client=$A/acls/acl=later" "$LATER"
status "PUT a new ACL" 201
send client1.example PUT "$ROOT/dots-client=$A/acls/acl=later" "$LATER"
status "PUT it again (replace)" 204
send client1.example PUT "$ROOT/dots-client=$A/acls/acl=other" "$LATER"
error "PUT with another name in the body" 400 invalid-value "the one acl the URI names"
same "activate-when-mitigating: not on the card without a mitigation" "$(card | grep -c "dst 198.51.100.20" || true)" 0
req client1.example GET "$ROOT/dots-client=$A/acls"
status "GET the ACLs" 200
same "in order, with activation types and pending-lifetime (minutes)" \
  "$(json "[(a['name'], a['activation-type'], a['pending-lifetime']) for a in j['ietf-dots-data-channel:acls']['acl']]")" \
  "[('web', 'immediate', 10080), ('later', 'activate-when-mitigating', 10080)]"
same "per-ACE statistics from the card" \
  "$(json "j['ietf-dots-data-channel:acls']['acl'][0]['aces']['ace'][1]['statistics']")" \
  "{'matched-packets': '0', 'matched-octets': '0'}"
req client1.example GET "$ROOT/dots-client=$A/acls/acl=later"
status "GET one ACL" 200
same "its body" "$(json "[a['name'] for a in j['ietf-dots-data-channel:acl']]")" "['later']"
req client1.example GET "$ROOT/dots-client=$A/acls/acl=none"
error "GET a missing ACL" 404 invalid-value "no ACL 'none'"

# --- insert and point (RFC 8040 sections 4.8.5, 4.8.6)
FIRST='{"ietf-dots-data-channel:acl":[{"name":"first","activation-type":"immediate","aces":{"ace":[{"name":"f","matches":{"udp":{"destination-port-range-or-operator":{"port":7}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}'
send client1.example POST "$ROOT/dots-client=$A/acls?insert=first" "$FIRST"
status "POST with insert=first" 201
MID='{"ietf-dots-data-channel:acl":[{"name":"mid","activation-type":"immediate","aces":{"ace":[{"name":"m","matches":{"udp":{"destination-port-range-or-operator":{"port":9}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}'
send client1.example PUT "$ROOT/dots-client=$A/acls/acl=mid?insert=after&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=web" "$MID"
status "PUT with insert=after and a point" 201
req client1.example GET "$ROOT/dots-client=$A/acls"
same "the order" "$(json "[a['name'] for a in j['ietf-dots-data-channel:acls']['acl']]")" "['first', 'web', 'mid', 'later']"
same "on the card in that order (ports 7, then web's, then 9)" "$(card | sed -n 's/.*dport \([0-9]*-[0-9]*\).*/\1/p' | tr '\n' ' ')" \
  "7-7 0-65535 443-443 9-9 "
send client1.example POST "$ROOT/dots-client=$A/acls?insert=before" "$FIRST"
error "insert=before without a point" 400 missing-attribute "point goes with insert before or after"
send client1.example POST "$ROOT/dots-client=$A/acls?insert=after&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=nope" "${FIRST/first/other}"
error "a point that is no ACL" 400 invalid-value "point: no such ACL"
send client1.example POST "$ROOT/dots-client=$A/acls?depth=1" "$FIRST"
error "another query parameter" 400 invalid-value "'depth' is not supported here"
req client1.example DELETE "$ROOT/dots-client=$A/acls/acl=first"
status "DELETE first" 204
req client1.example DELETE "$ROOT/dots-client=$A/acls/acl=mid"
status "DELETE mid" 204

# --- GET with content and depth (RFC 8040 sections 4.8.1, 4.8.2)
req client1.example GET "$ROOT/dots-client=$A/acls?content=config"
status "GET content=config" 200
same "no config-false node (pending-lifetime, statistics)" \
  "$(json "[(sorted(a), [sorted(e) for e in a['aces']['ace']]) for a in j['ietf-dots-data-channel:acls']['acl']][:1]")" \
  "[(['aces', 'activation-type', 'name', 'type'], [['actions', 'matches', 'name'], ['actions', 'matches', 'name']])]"
req client1.example GET "$ROOT/dots-client=$A/acls?content=nonconfig"
status "GET content=nonconfig" 200
same "only config-false nodes, their ancestors and keys" \
  "$(json "j['ietf-dots-data-channel:acls']['acl'][0]")" \
  "{'name': 'web', 'pending-lifetime': 10080, 'aces': {'ace': [{'name': 'no-dns', 'statistics': {'matched-packets': '0', 'matched-octets': '0'}}, {'name': 'limit', 'statistics': {'matched-packets': '0', 'matched-octets': '0'}}]}}"
req client1.example GET "$ROOT/dots-client=$A/acls?depth=1"
same "depth=1: the acls container alone" "$(cat "$dir/body")" '{"ietf-dots-data-channel:acls":{}}'
req client1.example GET "$ROOT/dots-client=$A/acls?depth=2"
same "depth=2: the ACLs by their keys" "$(json "j['ietf-dots-data-channel:acls']['acl']")" "[{'name': 'web'}, {'name': 'later'}]"
req client1.example GET "$ROOT/dots-client=$A/acls/acl=web?depth=2&content=config"
same "depth=2 of one ACL, config only" "$(json "j['ietf-dots-data-channel:acl'][0]")" \
  "{'name': 'web', 'type': 'ietf-access-control-list:mixed-eth-ipv4-acl-type', 'activation-type': 'immediate', 'aces': {}}"
req client1.example GET "$ROOT/dots-client=$A/acls?depth=unbounded"
same "depth=unbounded: all of it" "$(json "j['ietf-dots-data-channel:acls']['acl'][0]['aces']['ace'][1]['actions']['rate-limit']")" "125000.0"
req client1.example GET "$ROOT/dots-client=$A/acls?content=state"
error "content=state" 400 invalid-value "content 'state' is not config, nonconfig or all"
req client1.example GET "$ROOT/dots-client=$A/acls?depth=0"
error "depth=0" 400 invalid-value "depth '0' is not 1 to 65535 or unbounded"
req client1.example GET "$ROOT/dots-client=$A/acls?depth=65536"
error "depth=65536" 400 invalid-value "depth '65536'"
req client1.example GET "$ROOT/dots-client=$A/acls?depth=1&depth=2"
error "depth twice" 400 invalid-value "'depth' given twice"
req client1.example DELETE "$ROOT/dots-client=$A/acls/acl=web?content=config"
error "content on a DELETE" 400 invalid-value "'content' is not supported here (none is)"

# --- PATCH, a plain merge (RFC 8040 section 4.6.1)
send client1.example PATCH "$ROOT/dots-client=$A/acls/acl=web" \
  '{"ietf-dots-data-channel:acl":[{"name":"web","aces":{"ace":[{"name":"limit","actions":{"rate-limit":"250000.00"}}]}}]}'
status "PATCH one ACE's rate-limit" 204
same "merged: the policer's rate on the card, the other ACE as it was" "$(card)" \
  "tenant 1 drop proto 17 dst 198.51.100.10 dport 0-65535
tenant 1 police proto 6 dst 198.51.100.0 dport 443-443 policer 21 rate 250000 bytes/s"
same "committed with its audit record" \
  "$(sql "SELECT count(*) FROM audit WHERE what = 'data-channel acl put cuid=$A acls=1 names=web' AND result = 'ok'")" 1
send client1.example PATCH "$ROOT/dots-client=$A/acls" \
  '{"ietf-dots-data-channel:acls":{"acl":[{"name":"web","aces":{"ace":[{"name":"limit","actions":{"rate-limit":"125000.00"}}]}},{"name":"later","activation-type":"deactivate"}]}}'
status "PATCH the acls: two ACLs in one change" 204
req client1.example GET "$ROOT/dots-client=$A/acls?content=config"
same "both merged, in place" \
  "$(json "[(a['name'], a['activation-type'], len(a['aces']['ace'])) for a in j['ietf-dots-data-channel:acls']['acl']]")" \
  "[('web', 'immediate', 2), ('later', 'deactivate', 1)]"
send client1.example PATCH "$ROOT/dots-client=$A/acls/acl=later" \
  '{"ietf-dots-data-channel:acl":[{"name":"later","activation-type":"activate-when-mitigating"}]}'
status "PATCH it back" 204
send client1.example PATCH "$ROOT/dots-client=$A/acls/acl=web" \
  '{"ietf-dots-data-channel:acl":[{"name":"web","aces":{"ace":[{"name":"limit","actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}'
error "a merge that does not validate (rate-limit with drop)" 400 invalid-value "When condition"
same "nothing changed on the card" "$(card | grep -c "rate 125000" || true)" 1
send client1.example PATCH "$ROOT/dots-client=$A/acls/acl=web" \
  '{"ietf-dots-data-channel:acl":[{"name":"web","aces":{"ace":[{"name":"no-dns","matches":{"ipv4":{"destination-ipv4-network":"203.0.113.10/32"}}}]}}]}'
error "a merge reaching another client's prefix" 403 access-denied "ACE 'no-dns': destination 203.0.113.10/32"
send client1.example PATCH "$ROOT/dots-client=$A/acls/acl=none" '{"ietf-dots-data-channel:acl":[{"name":"none","activation-type":"deactivate"}]}'
error "PATCH a missing ACL (not created)" 404 invalid-value "no ACL 'none' of dots-client $A"
same "not created" "$(sql "SELECT count(*) FROM data_acl WHERE name = 'none'")" 0
send client1.example PATCH "$ROOT/dots-client=$A/acls/acl=web" '{"ietf-dots-data-channel:acl":[{"name":"later"}]}'
error "PATCH with another ACL in the body" 400 invalid-value "the one acl the URI names, 'web'"
send client1.example PATCH "$ROOT/dots-client=$A/acls" '{"ietf-dots-data-channel:acl":[{"name":"web"}]}'
error "PATCH of the acls with an acl body" 400 unknown-element ""
req client1.example PATCH "$ROOT/dots-client=$A/acls/acl=web" -H "Content-Type: application/yang-patch+json" \
  --data-binary '{"ietf-yang-patch:yang-patch":{"patch-id":"p","edit":[]}}'
error "YANG Patch" 415 invalid-value "YANG Patch (application/yang-patch+json, RFC 8072) is not served"
req client1.example PATCH "$ROOT/dots-client=$A/acls/acl=web" -H "Content-Type: text/plain" --data-binary '{}'
error "PATCH with another media type" 415 invalid-value "the body must be application/yang-data+json"
send client2.example PATCH "$ROOT/dots-client=$A/acls/acl=web" '{"ietf-dots-data-channel:acl":[{"name":"web"}]}'
error "another client patches one" 403 access-denied "belongs to another DOTS client"

# --- single ACEs: acls/acl=NAME/aces and aces/ace=NAME (ace is ordered by user)
ACE() { echo "{\"ietf-dots-data-channel:ace\":[{\"name\":\"$1\",\"matches\":{\"udp\":{\"destination-port-range-or-operator\":{\"port\":$2}}},\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}}]}"; }
send client1.example POST "$ROOT/dots-client=$A/acls" \
  '{"ietf-dots-data-channel:acl":[{"name":"ops","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","activation-type":"immediate","aces":{"ace":[{"name":"p100","matches":{"udp":{"destination-port-range-or-operator":{"port":100}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}'
status "an ACL for the ACE resources" 201
OPS="$ROOT/dots-client=$A/acls/acl=ops/aces"
ops_ports() { card | sed -n 's/.*dport \(1[0-9][0-9]\)-.*/\1/p' | tr '\n' ' '; }
send client1.example POST "$OPS" "$(ACE p101 101)"
status "POST an ACE" 201
same "its Location" "$(header Location)" "$OPS/ace=p101"
send client1.example POST "$OPS?insert=first" "$(ACE p102 102)"
status "POST an ACE with insert=first" 201
send client1.example PUT "$OPS/ace=p103?insert=after&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=ops/aces/ace=p102" "$(ACE p103 103)"
status "PUT a new ACE after a point" 201
send client1.example PUT "$OPS/ace=p104?insert=before&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=ops/aces/ace=p101" "$(ACE p104 104)"
status "PUT a new ACE before a point" 201
req client1.example GET "$OPS"
status "GET the aces" 200
same "in order" "$(json "[a['name'] for a in j['ietf-dots-data-channel:aces']['ace']]")" "['p102', 'p103', 'p100', 'p104', 'p101']"
same "the card in that order" "$(ops_ports)" "102 103 100 104 101 "
send client1.example PUT "$OPS/ace=p100" "$(ACE p100 105)"
status "PUT replaces an ACE in place" 204
same "the card: replaced where it was" "$(ops_ports)" "102 103 105 104 101 "
send client1.example PUT "$OPS/ace=p100?insert=last" "$(ACE p100 100)"
status "PUT with insert=last moves it" 204
same "the card: moved last" "$(ops_ports)" "102 103 104 101 100 "
req client1.example GET "$OPS/ace=p103"
status "GET one ACE" 200
same "its body" "$(json "[(a['name'], a['matches']['udp']['destination-port-range-or-operator']['port'], sorted(a['statistics'])) for a in j['ietf-dots-data-channel:ace']]")" \
  "[('p103', 103, ['matched-octets', 'matched-packets'])]"
req client1.example GET "$OPS/ace=p103?content=config"
same "content=config: no statistics" "$(json "'statistics' in j['ietf-dots-data-channel:ace'][0]")" "False"
req client1.example GET "$OPS/ace=none"
error "GET a missing ACE" 404 invalid-value "no ACE 'none' in ACL 'ops' of dots-client $A"
send client1.example POST "$OPS" "$(ACE p101 101)"
error "POST an ACE that exists" 409 data-exists "ACE 'p101' of ACL 'ops' exists already"
send client1.example PUT "$OPS/ace=p101" "$(ACE p109 109)"
error "PUT with another ACE in the body" 400 invalid-value "the one ace the URI names, 'p101'"
send client1.example POST "$OPS?insert=after&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=ops/aces/ace=nope" "$(ACE p110 110)"
error "a point that is no ACE" 400 invalid-value "point: no ACE 'nope' of ACL 'ops'"
send client1.example PUT "$OPS/ace=p101?insert=after&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=ops/aces/ace=p101" "$(ACE p101 101)"
error "a point that is the ACE itself" 400 invalid-value "point: ACE 'p101' is the one being placed"
send client1.example POST "$OPS?insert=after&point=/ietf-dots-data-channel:dots-data/dots-client=$A/acls/acl=web" "$(ACE p110 110)"
error "a point that is an ACL" 400 invalid-value "point must name an ace of this acl"
send client1.example POST "$OPS" '{"ietf-dots-data-channel:ace":[{"name":"far","matches":{"ipv4":{"destination-ipv4-network":"203.0.113.9/32","fragment":{"type":""}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}'
error "an ACE reaching another client's prefix" 403 access-denied "ACE 'far': destination 203.0.113.9/32"
send client1.example POST "$OPS" '{"ietf-dots-data-channel:ace":[{"name":"noact","matches":{"udp":{"destination-port-range-or-operator":{"port":111}}}}]}'
error "an ACE without its mandatory forwarding" 400 missing-attribute "forwarding"
send client1.example POST "$ROOT/dots-client=$A/acls/acl=none/aces" "$(ACE p1 1)"
error "an ACE of a missing ACL" 404 invalid-value "no ACL 'none' of dots-client $A"
req client1.example GET "$OPS/ace=p101/matches"
error "a path below an ACE" 501 operation-not-supported "ACLs and ACEs are served whole"
send client1.example PATCH "$OPS/ace=p101" "$(ACE p101 101)"
error "PATCH of an ACE" 405 operation-not-supported "GET, HEAD, PUT, DELETE, OPTIONS"
req client2.example GET "$OPS/ace=p101"
error "another client reads an ACE" 403 access-denied "belongs to another DOTS client"
req client1.example DELETE "$OPS/ace=p102"
status "DELETE an ACE" 204
same "the card without it" "$(ops_ports)" "103 104 101 100 "
req client1.example DELETE "$OPS/ace=p102"
error "DELETE it again" 404 invalid-value "no ACE 'p102' in ACL 'ops'"
same "each ACE change audited as a put of the ACL" \
  "$(sql "SELECT count(*) FROM audit WHERE what = 'data-channel acl put cuid=$A acls=1 names=ops' AND result = 'ok'")" 7
req client1.example DELETE "$ROOT/dots-client=$A/acls/acl=ops"
status "DELETE the ACL" 204

# --- activate-when-mitigating follows a mitigation of the cuid (the store's,
# read back by the core at start)
stop
sql "INSERT INTO mitigation (cuid, mid, identity, cdid, scope, profile, lifetime, status, created_at, triggered_at, expires_at, boot_id, expires_boottime_ms) VALUES ('$A', 1, 'client1.example', NULL, '{\"target-prefix\":[\"198.51.100.0/26\"]}', 'standard', -1, 'active', 1800000000, 1800000000, NULL, '', NULL)" >/dev/null
start
same "mitigating: 'later' is on the card" "$(card | grep "dst 198.51.100.20")" \
  "tenant 1 drop proto 1 dst 198.51.100.20 dport 0-65535"
stop
# waiting for a trigger (off the card); 'withdrawn' is a client's withdrawal
# still on the card during its active-but-terminating period
sql "UPDATE mitigation SET status = 'requested' WHERE cuid = '$A'" >/dev/null
start
same "not active: 'later' is off again" "$(card | grep -c "dst 198.51.100.20" || true)" 0
same "'web' stays (immediate)" "$(card | grep -c "tenant 1" || true)" 2

# --- card full: the model card has 64 ACL entries in all (quotas are run-time
# clients', which need scrubd: tests/core/test_data_acls covers them)
BIG=$("$python" -c '
import json
aces = [{"name": "a%d" % i, "matches": {"ipv4": {"destination-ipv4-network": "203.0.113.%d/32" % i, "fragment": {"type": ""}}},
         "actions": {"forwarding": "ietf-access-control-list:drop"}} for i in range(64)]
print(json.dumps({"ietf-dots-data-channel:acls": {"acl": [{"name": "big", "type": "ietf-access-control-list:mixed-eth-ipv4-acl-type", "aces": {"ace": aces}}]}}))')
send client2.example POST "$ROOT/dots-client=$B" "$BIG"
error "an ACL the card cannot hold" 409 resource-denied "does not fit on the card (room left:"
same "nothing of it stored" "$(sql "SELECT count(*) FROM data_acl WHERE cuid = '$B'")" 0

# --- DELETE
req client1.example DELETE "$ROOT/dots-client=$A/acls/acl=web"
status "DELETE one ACL" 204
same "its entries are gone" "$(card | grep -c "tenant 1" || true)" 0
req client1.example DELETE "$ROOT/dots-client=$A/acls/acl=web"
error "DELETE it again" 404 invalid-value "no ACL 'web'"
send client1.example POST "$ROOT/dots-client=$A" "$WEB"
status "POST it anew" 201
same "on the card again" "$(card | grep -c "tenant 1" || true)" 2
req client1.example DELETE "$ROOT/dots-client=$A"
status "DELETE the dots-client" 204
same "its ACLs' entries are gone" "$(card | grep -c "tenant 1" || true)" 0
same "and its ACLs" "$(sql "SELECT count(*) FROM data_acl WHERE cuid = '$A'")" 0
stop

echo "data_acls: $((checks - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
