#!/usr/bin/env bash
# A dots-client's aliases (RFC 8783) in scrubd on the card model, over
# HTTPS with curl, and their use in mitigation requests (RFC 9132's
# alias-name) over CoAP with coap-client-openssl: POST to the dots-client
# and to its aliases (201 with Location; 409 when one exists), PUT alias=NAME
# (201, then 204), GET of one and of all with pending-lifetime, with
# content and depth, PATCH as a plain merge (204; 404 for a missing alias,
# 415 for YANG Patch), DELETE (204; 404 when absent); a target-prefix outside the client's prefixes 403
# naming it, nothing stored; an alias without targets and a schema
# violation 400; an alias naming only a target-fqdn stored as it is;
# another client cannot read or change them (403); a run-time client's
# aliases quota (409 naming it); audit records; alias-name in a mitigation
# request installs the alias's prefixes (scrubctl mitigation list), merged
# with explicit ones, its port range and protocol in the scope; an unknown
# alias, another cuid's alias and an fqdn-only alias refused 4.00 naming
# it; the aliases survive a restart; removing the dots-client removes them.
# Usage: data_aliases.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR CURL
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7 curl=$8
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
dport=$(free_port)
start_scrubd --data-port "$dport"

data_port=$dport
source "$(dirname "$0")/restconf_harness.sh"
aliases() { https "$1" GET "$ROOT/dots-client=$2/aliases"; json "sorted(a['name'] for a in j['ietf-dots-data-channel:aliases'].get('alias', []))"; }
prefixes() { ctl -j mitigation list | jget "[m['prefixes'] for m in a['result']['mitigations'] if m['cuid'] == '$1' and m['mid'] == $2]"; }

A=acme-1 B=globex-1 G=gw-1
ctl client add gateway.example 192.0.2.0/24 --profile standard --max-aliases 2 >/dev/null || fail "client add"
https client1.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
status "register $A" 201
https client2.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$B\"}]}"
status "register $B" 201
https gateway.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$G\"}]}"
status "register $G (a client added at run time)" 201

# --- create, read, replace, delete
HTTPS='{"ietf-dots-data-channel:aliases":{"alias":[{"name":"https","target-prefix":["198.51.100.16/28"],"target-port-range":[{"lower-port":443}],"target-protocol":[6]}]}}'
https client1.example POST "$ROOT/dots-client=$A" "$HTTPS"
status "POST an alias to the dots-client" 201
same "its Location" "$(header Location)" "$ROOT/dots-client=$A/aliases/alias=https"
same "stored with its audit record" \
  "$(sql "SELECT count(*) FROM audit WHERE what = 'data-channel alias create cuid=$A aliases=1 names=https' AND result = 'ok' AND channel = 'data' AND who = 'client1.example'")" 1
https client1.example POST "$ROOT/dots-client=$A" "$HTTPS"
error "POST it again" 409 data-exists "alias 'https' of dots-client '$A' exists already"
https client1.example POST "$ROOT/dots-client=$A/aliases" '{"ietf-dots-data-channel:alias":[{"name":"dns","target-prefix":["198.51.100.53/32","2001:db8:6401::53/128"],"target-port-range":[{"lower-port":53,"upper-port":53}],"target-protocol":[17]}]}'
status "POST an alias to the aliases" 201
WEB='{"ietf-dots-data-channel:alias":[{"name":"web","target-prefix":["198.51.100.80/32"]}]}'
https client1.example PUT "$ROOT/dots-client=$A/aliases/alias=web" "$WEB"
status "PUT a new alias" 201
https client1.example PUT "$ROOT/dots-client=$A/aliases/alias=web" "${WEB/80\/32/64\/27}"
status "PUT it again (replace)" 204
https client1.example PUT "$ROOT/dots-client=$A/aliases/alias=other" "$WEB"
error "PUT with another name in the body" 400 invalid-value "the one alias the URI names, 'other'"
https client1.example GET "$ROOT/dots-client=$A/aliases"
status "GET the aliases" 200
same "all of them, by name, with pending-lifetime (minutes)" \
  "$(json "[(a['name'], a.get('target-prefix'), a['pending-lifetime']) for a in j['ietf-dots-data-channel:aliases']['alias']]")" \
  "[('dns', ['198.51.100.53/32', '2001:db8:6401::53/128'], 10080), ('https', ['198.51.100.16/28'], 10080), ('web', ['198.51.100.64/27'], 10080)]"
https client1.example GET "$ROOT/dots-client=$A/aliases/alias=https"
status "GET one alias" 200
same "its body" "$(json "j['ietf-dots-data-channel:alias'][0]['target-port-range'], j['ietf-dots-data-channel:alias'][0]['target-protocol']")" \
  "([{'lower-port': 443}], [6])"
https client1.example GET "$ROOT/dots-client=$A/aliases/alias=none"
error "GET a missing alias" 404 invalid-value "no alias 'none'"
https client1.example DELETE "$ROOT/dots-client=$A/aliases/alias=dns"
status "DELETE one alias" 204
https client1.example DELETE "$ROOT/dots-client=$A/aliases/alias=dns"
error "DELETE it again" 404 invalid-value "no alias 'dns' of dots-client '$A'"
same "the deletion audited" "$(sql "SELECT count(*) FROM audit WHERE what = 'data-channel alias delete cuid=$A name=dns' AND result = 'ok'")" 1

# --- GET with content and depth (RFC 8040 sections 4.8.1, 4.8.2)
https client1.example GET "$ROOT/dots-client=$A/aliases?content=config"
status "GET content=config" 200
same "no pending-lifetime (config false)" "$(json "[sorted(a) for a in j['ietf-dots-data-channel:aliases']['alias']]")" \
  "[['name', 'target-port-range', 'target-prefix', 'target-protocol'], ['name', 'target-prefix']]"
https client1.example GET "$ROOT/dots-client=$A/aliases?content=nonconfig"
same "content=nonconfig: the keys and pending-lifetime" "$(json "j['ietf-dots-data-channel:aliases']['alias']")" \
  "[{'name': 'https', 'pending-lifetime': 10080}, {'name': 'web', 'pending-lifetime': 10080}]"
https client1.example GET "$ROOT/dots-client=$A/aliases/alias=https?depth=1"
same "depth=1 of one alias: its key" "$(cat "$dir/body")" '{"ietf-dots-data-channel:alias":[{"name":"https"}]}'
https client1.example GET "$ROOT/dots-client=$A/aliases?depth=x"
error "depth=x" 400 invalid-value "depth 'x' is not 1 to 65535 or unbounded"
https client1.example GET "$ROOT/dots-client=$A/aliases?insert=first"
error "insert on a GET" 400 invalid-value "'insert' is not supported here (content and depth are)"

# --- PATCH, a plain merge (RFC 8040 section 4.6.1)
puts_of_web() { sql "SELECT count(*) FROM audit WHERE what = 'data-channel alias put cuid=$A aliases=1 names=web' AND result = 'ok'"; }
before=$(puts_of_web)
https client1.example PATCH "$ROOT/dots-client=$A/aliases/alias=web" \
  '{"ietf-dots-data-channel:alias":[{"name":"web","target-prefix":["198.51.100.96/27"],"target-port-range":[{"lower-port":80}]}]}'
status "PATCH an alias" 204
https client1.example GET "$ROOT/dots-client=$A/aliases/alias=web?content=config"
same "merged: a second prefix and a port range" "$(json "j['ietf-dots-data-channel:alias'][0]")" \
  "{'name': 'web', 'target-prefix': ['198.51.100.64/27', '198.51.100.96/27'], 'target-port-range': [{'lower-port': 80}]}"
same "committed with its audit record" "$(puts_of_web)" $((before + 1))
https client1.example PATCH "$ROOT/dots-client=$A/aliases" \
  '{"ietf-dots-data-channel:aliases":{"alias":[{"name":"https","target-protocol":[17]},{"name":"ntp","target-prefix":["198.51.100.123/32"]}]}}'
status "PATCH the aliases: one merged, one created, in one change" 204
https client1.example GET "$ROOT/dots-client=$A/aliases?content=config"
same "both there" "$(json "[(a['name'], a.get('target-protocol')) for a in j['ietf-dots-data-channel:aliases']['alias']]")" \
  "[('https', [6, 17]), ('ntp', None), ('web', None)]"
https client1.example DELETE "$ROOT/dots-client=$A/aliases/alias=ntp"
status "DELETE the created one" 204
https client1.example PATCH "$ROOT/dots-client=$A/aliases/alias=web" '{"ietf-dots-data-channel:alias":[{"name":"web","target-prefix":["203.0.113.0/24"]}]}'
error "a merge reaching another client's prefix" 403 access-denied "target-prefix 203.0.113.0/24 is not inside"
https client1.example PATCH "$ROOT/dots-client=$A/aliases/alias=web" '{"ietf-dots-data-channel:alias":[{"name":"web","target-port-range":[{"lower-port":90,"upper-port":89}]}]}'
error "a merge that does not validate" 400 invalid-value "upper-port"
https client1.example PATCH "$ROOT/dots-client=$A/aliases/alias=none" '{"ietf-dots-data-channel:alias":[{"name":"none","target-prefix":["198.51.100.1/32"]}]}'
error "PATCH a missing alias (not created)" 404 invalid-value "no alias 'none' of dots-client $A"
req client1.example PATCH "$ROOT/dots-client=$A/aliases/alias=web" -H "Content-Type: application/yang-patch+json" --data-binary '{}'
error "YANG Patch" 415 invalid-value "YANG Patch"
https client1.example PATCH "$ROOT/dots-client=$A/aliases" '{"ietf-dots-data-channel:acls":{}}'
error "PATCH of the aliases with acls" 400 invalid-value "the body must be the target resource"
https client1.example PUT "$ROOT/dots-client=$A/aliases/alias=web" "${WEB/80\/32/64\/27}"
status "web as it was (PUT)" 204
https client1.example PUT "$ROOT/dots-client=$A/aliases/alias=https" '{"ietf-dots-data-channel:alias":[{"name":"https","target-prefix":["198.51.100.16/28"],"target-port-range":[{"lower-port":443}],"target-protocol":[6]}]}'
status "https as it was (PUT)" 204

# --- refusals
https client1.example POST "$ROOT/dots-client=$A/aliases" '{"ietf-dots-data-channel:alias":[{"name":"steal","target-prefix":["198.51.100.0/28","203.0.113.0/24"]}]}'
error "a target-prefix of another client" 403 access-denied "alias 'steal': target-prefix 203.0.113.0/24 is not inside the prefixes 'client1.example' owns (198.51.100.0/24 2001:db8:100::/48 2001:db8:6401::/48)"
same "nothing stored" "$(sql "SELECT count(*) FROM data_alias WHERE name = 'steal'")" 0
https client1.example POST "$ROOT/dots-client=$A/aliases" '{"ietf-dots-data-channel:alias":[{"name":"ports","target-protocol":[6]}]}'
error "an alias without a target" 400 invalid-value "alias 'ports' names no target-prefix, target-fqdn or target-uri"
https client1.example POST "$ROOT/dots-client=$A/aliases" '{"ietf-dots-data-channel:alias":[{"name":"bad","target-prefix":["198.51.100.1/32"],"target-port-range":[{"lower-port":80,"upper-port":79}]}]}'
error "a schema violation (upper-port below lower-port)" 400 invalid-value "upper-port"
https client1.example POST "$ROOT/dots-client=$A/aliases" '{"ietf-dots-data-channel:alias":[{"name":"named","target-fqdn":["www.example.com"],"target-uri":["https://www.example.com/"]}]}'
status "an alias naming only a target-fqdn and a target-uri is stored (not resolved)" 201
https client2.example GET "$ROOT/dots-client=$A/aliases"
error "another client reads them" 403 access-denied "belongs to another DOTS client"
https client2.example GET "$ROOT/dots-client=$A/aliases/alias=https"
error "another client reads one" 403 access-denied "belongs to another DOTS client"
https client2.example PUT "$ROOT/dots-client=$A/aliases/alias=web" "$WEB"
error "another client replaces one" 403 access-denied "belongs to another DOTS client"
https client2.example DELETE "$ROOT/dots-client=$A/aliases/alias=web"
error "another client deletes one" 403 access-denied "belongs to another DOTS client"
https client1.example GET "$ROOT/dots-client=nobody/aliases"
error "aliases of an unregistered cuid" 404 invalid-value "no dots-client nobody"
https client1.example POST "$ROOT/dots-client=$A/aliases/alias=web" "$WEB"
error "POST to an alias" 405 operation-not-supported "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"

# --- quota: gateway.example may have 2 aliases
https gateway.example POST "$ROOT/dots-client=$G/aliases" '{"ietf-dots-data-channel:alias":[{"name":"a","target-prefix":["192.0.2.1/32"]},{"name":"b","target-prefix":["192.0.2.2/32"]}]}'
status "two aliases within the quota, in one POST" 201
https gateway.example PUT "$ROOT/dots-client=$G/aliases/alias=b" '{"ietf-dots-data-channel:alias":[{"name":"b","target-prefix":["192.0.2.3/32"]}]}'
status "replacing one adds none" 204
https gateway.example POST "$ROOT/dots-client=$G/aliases" '{"ietf-dots-data-channel:alias":[{"name":"c","target-prefix":["192.0.2.4/32"]}]}'
error "a third one" 409 resource-denied "quota: client 'gateway.example' may have 2 aliases and has 2; these add 1, room left 0"
same "the refusal audited" "$(sql "SELECT count(*) FROM audit WHERE what LIKE 'data-channel alias create cuid=$G%names=c' AND result LIKE 'quota:%'")" 1
https gateway.example DELETE "$ROOT/dots-client=$G/aliases"
status "DELETE all of them" 204
same "none left" "$(sql "SELECT count(*) FROM data_alias WHERE cuid = '$G'")" 0

# --- alias-name on the signal channel (CBOR key 13)
body "$dir/m.cbor" '{1: {2: [{13: ["https"], 14: 600}]}}'
expect "a mitigation naming the alias" client1.example coaps "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.01" \
  -m put -t 271 -f "$dir/m.cbor"
same "the alias's prefix is the mitigation's (scrubctl)" "$(prefixes $A 1)" "[['198.51.100.16/28']]"
expect "GET it" client1.example coaps "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.05"
decoded "its scope: the prefix, the alias's port range and protocol, the alias-name" \
  's = c[1][2][0]; s[6] == ["198.51.100.16/28"] and s[7] == [{8: 443}] and s[10] == [6] and s[13] == ["https"]'
body "$dir/m2.cbor" '{1: {2: [{6: ["198.51.100.128/25"], 13: ["https", "web"], 14: 600}]}}'
expect "explicit targets and two aliases" client1.example coaps "/.well-known/dots/mitigate/cuid=$A/mid=2" "2.01" \
  -m put -t 271 -f "$dir/m2.cbor"
same "merged (mid 1 replaced: it overlaps)" "$(prefixes $A 2) $(prefixes $A 1)" \
  "[['198.51.100.128/25', '198.51.100.16/28', '198.51.100.64/27']] []"
body "$dir/m3.cbor" '{1: {2: [{13: ["nope"], 14: 600}]}}'
expect "an unknown alias" client1.example coaps "/.well-known/dots/mitigate/cuid=$A/mid=3" \
  "4.00 scope/alias-name: no alias 'nope' of cuid $A" -m put -t 271 -f "$dir/m3.cbor"
body "$dir/m4.cbor" '{1: {2: [{13: ["named"], 14: 600}]}}'
expect "an alias with only target-fqdn and target-uri" client1.example coaps "/.well-known/dots/mitigate/cuid=$A/mid=3" \
  "4.00 scope/alias-name: alias 'named' names only target-fqdn or target-uri" -m put -t 271 -f "$dir/m4.cbor"
expect "another client's alias under its own cuid" client2.example coaps "/.well-known/dots/mitigate/cuid=$B/mid=1" \
  "4.00 scope/alias-name: no alias 'https' of cuid $B" -m put -t 271 -f "$dir/m.cbor"
same "nothing installed by the refusals" "$(prefixes $A 3)$(prefixes $B 1)" "[][]"
expect "withdrawn" client1.example coaps "/.well-known/dots/mitigate/cuid=$A/mid=2" "2.02" -m delete

# --- durable across a restart; removal of the dots-client
stop_scrubd
start_scrubd --data-port "$dport"
same "after a restart" "$(aliases client1.example $A)" "['https', 'named', 'web']"
https client1.example DELETE "$ROOT/dots-client=$A"
status "DELETE the dots-client" 204
same "its aliases are gone" "$(sql "SELECT count(*) FROM data_alias WHERE cuid = '$A'")" 0
https client1.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
status "registered again" 201
same "with no aliases" "$(aliases client1.example $A)" "[]"
stop_scrubd
finish data_aliases
