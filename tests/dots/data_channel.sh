#!/usr/bin/env bash
# dots-data-server against curl (an independent HTTPS client) on loopback
# with the development PKI: host-meta; dots-client registration with POST
# (201, 409), PUT (201, 204), GET, DELETE (which takes the client's ACL and
# alias rows); capabilities; RESTCONF errors for bad bodies, media types,
# methods, paths, query parameters; 403 for another identity's cuid;
# expired, revoked, unknown-CA and unconfigured clients refused at the
# handshake with the reason in the log; TLS 1.2 and 1.3 only; a body over
# 1 MiB (413); oversized headers; every change audited on channel 'data';
# a store that cannot commit gets 500 and keeps nothing; the registrations
# survive a restart (on ::1, IPv6); a cdid refused (403) from an identity
# that is no gateway, and with the host core (--config, globex's
# client2.example a gateway) taken from the gateway, kept with the
# registration across a restart, given back in GET, its ACLs bound by the
# gateway's prefixes; an address that is not a literal is refused at start.
# Usage: data_channel.sh SERVER YANG_DIR DEV_PKI CURL PYTHON3 DEMO_JSON
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

# start ADDRESS COUNT: the server on ADDRESS and $port (its COUNTth start
# there), with $server_extra; data_host is how URLs name it.
server_extra=()
start() {
  "$server" --yang "$yang" --ca "$pki/ca.crt" --crl "$pki/ca.crl" --cert "$pki/server.crt" \
    --key "$pki/server.key" --address "$1" --port "$port" --store "$store" "${server_extra[@]}" \
    --identity client1.example --identity client2.example --identity cnonly.example \
    --identity expired.example --identity revoked.example --identity rogue.example 2>>"$log" &
  pid=$!
  for _ in $(seq 100); do [ "$(grep -c "listening on $1 port" "$log")" -ge "$2" ] && break; sleep 0.1; done
  [ "$(grep -c "listening on $1 port" "$log")" -ge "$2" ] || { cat "$log"; echo "FAIL: the server did not start"; exit 1; }
}
stop() {
  kill "$pid"
  if wait "$pid"; then ok "the server stops cleanly on SIGTERM"; else fail "the server exited $? (see its log)"; fi
  pid=
}
data_host=127.0.0.1
start 127.0.0.1 1

data_port=$port
source "$(dirname "$0")/restconf_harness.sh"

# --- host-meta (RFC 8040 section 3.1, RFC 8783 section 6)
req client1.example GET /.well-known/host-meta
status "GET host-meta" 200
same "host-meta media type" "$(header Content-Type)" application/xrd+xml
same "host-meta names the RESTCONF root" "$("$python" -c '
import sys, xml.etree.ElementTree as E
x = E.parse(sys.argv[1]).getroot()
print(x.tag, [(l.get("rel"), l.get("href")) for l in x])' "$dir/body")" \
  "{http://docs.oasis-open.org/ns/xri/xrd-1.0}XRD [('restconf', '/restconf')]"
req client1.example POST /.well-known/host-meta
error "POST host-meta" 405 operation-not-supported "GET, HEAD"

# --- registration (RFC 8783 section 7.1, RFC 8040 sections 4.4.1 and 4.5)
A=dz6pHjaADkaFTbjr0JGBpw B=paL8p4Zqo4SLv64TLPXrxA
send client1.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
status "POST a dots-client" 201
same "its Location" "$(header Location)" "$ROOT/dots-client=$A"
send client1.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
error "POST it again" 409 resource-denied "already registered"
same "the 409's error-path" "$(json "j['ietf-restconf:errors']['error'][0]['error-path']")" \
  "/ietf-dots-data-channel:dots-data/dots-client[cuid='$A']"
req client1.example GET "$ROOT/dots-client=$A"
status "GET it" 200
same "GET's body" "$(json "j")" "{'ietf-dots-data-channel:dots-client': [{'cuid': '$A'}]}"
same "GET's media type" "$(header Content-Type)" $MT
send client1.example PUT "$ROOT/dots-client=$B" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$B\"}]}"
status "PUT a new dots-client" 201
send client1.example PUT "$ROOT/dots-client=$B" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$B\"}]}"
status "PUT it again (replace)" 204
req client1.example GET $ROOT
status "GET dots-data" 200
same "dots-data: its own clients and the capabilities" "$(json "j")" \
  "{'ietf-dots-data-channel:dots-data': {'dots-client': [{'cuid': '$A'}, {'cuid': '$B'}], 'capabilities': {}}}"
req client1.example GET "$ROOT/capabilities"
status "GET capabilities" 200
same "capabilities promise nothing without a core" "$(json "j")" "{'ietf-dots-data-channel:capabilities': {}}"
req client1.example HEAD "$ROOT/dots-client=$A" -I
status "HEAD it" 200
req client1.example OPTIONS "$ROOT/dots-client=$A"
same "OPTIONS names the methods" "$(cat "$dir/status") $(header Allow)" "200 GET, HEAD, POST, PUT, DELETE, OPTIONS"

# --- refusals
send client1.example PUT "$ROOT/dots-client=$B" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
error "PUT with another cuid in the body" 400 invalid-value "is not the URI's"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1"'
error "POST bad JSON" 400 malformed-message "Unexpected"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1","colour":"red"}]}'
error "POST an unknown leaf" 400 unknown-element '"colour" not found'
same "its error-path" "$(json "j['ietf-restconf:errors']['error'][0]['error-path']")" \
  "/ietf-dots-data-channel:dots-data/dots-client[cuid='c1']"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cdid":"x"}]}'
error "POST without the key" 400 missing-attribute 'missing its key "cuid"'
send client1.example POST $ROOT '{"ietf-dots-data-channel:capabilities":{}}'
error "POST state data" 400 invalid-value ""
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1"},{"cuid":"c2"}]}'
error "POST two entries" 400 invalid-value "exactly one"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1","cdid":"g"}]}'
error "POST with a cdid, no gateway" 403 access-denied \
  "cdid is accepted from server-domain gateways only, and 'client1.example' is not one (RFC 8783 section 7.1)"
same "its error-path" "$(json "j['ietf-restconf:errors']['error'][0]['error-path']")" \
  "/ietf-dots-data-channel:dots-data/dots-client[cuid='c1']/cdid"
send client1.example PUT "$ROOT/dots-client=c1" '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1","cdid":"g"}]}'
error "PUT with a cdid, no gateway" 403 access-denied "gateways only"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1","aliases":{"alias":[{"name":"w","target-prefix":["192.0.2.0/24"]}]}}]}'
error "POST with aliases" 501 operation-not-supported "'aliases' is not taken here: register first, then POST them to it"
req client1.example POST $ROOT -H "Content-Type: application/json" --data-binary '{"ietf-dots-data-channel:dots-client":[{"cuid":"c1"}]}'
error "POST another media type" 415 invalid-value "$MT"
req client1.example POST $ROOT -H "Content-Type: $MT"
error "POST no body" 400 malformed-message "no body"
req client1.example GET "$ROOT/dots-client=nobody"
error "GET an unregistered cuid" 404 invalid-value "no dots-client nobody"
req client1.example DELETE "$ROOT/dots-client=nobody"
error "DELETE an unregistered cuid" 404 invalid-value "no dots-client nobody"
send client1.example PATCH "$ROOT/dots-client=$A" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
error "PATCH" 405 operation-not-supported "GET, HEAD, POST, PUT, DELETE, OPTIONS"
same "405's Allow" "$(header Allow)" "GET, HEAD, POST, PUT, DELETE, OPTIONS"
req client1.example GET "$ROOT/dots-client=$A/acls"
error "GET the ACLs without a core" 501 operation-not-supported "no card behind it"
req client1.example GET "$ROOT?depth=1"
error "a query parameter" 400 invalid-value "query parameters"
req client1.example GET /restconf/data/ietf-other:thing
error "another path" 404 invalid-value "no resource"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$dir/big.json"
req client1.example POST $ROOT -H "Content-Type: $MT" --data-binary "@$dir/big.json"
status "a body of 1 MiB + 1 byte" 413
printf '{"ietf-dots-data-channel:dots-client":[{"cuid":"big"}]}' >"$dir/fits.json"
head -c $((1024 * 1024 - $(wc -c <"$dir/fits.json"))) /dev/zero | tr '\0' ' ' >>"$dir/fits.json"
req client1.example POST $ROOT -H "Content-Type: $MT" --data-binary "@$dir/fits.json"
status "a body of exactly 1 MiB" 201
req client1.example GET $ROOT -H "X-Padding: $(head -c 9000 /dev/zero | tr '\0' 'p')"
status "headers over 8 KiB" 400

# --- one client cannot read or change another's registration
send client2.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
error "client2 POSTs client1's cuid" 403 access-denied "belongs to another DOTS client"
req client2.example GET "$ROOT/dots-client=$A"
error "client2 GETs it" 403 access-denied "belongs to another DOTS client"
send client2.example PUT "$ROOT/dots-client=$A" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
error "client2 PUTs it" 403 access-denied "belongs to another DOTS client"
req client2.example DELETE "$ROOT/dots-client=$A"
error "client2 DELETEs it" 403 access-denied "belongs to another DOTS client"
req client2.example GET $ROOT
same "client2's dots-data holds none of client1's" "$(json "j")" \
  "{'ietf-dots-data-channel:dots-data': {'capabilities': {}}}"
send cnonly.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"cn-1"}]}'
status "a CN-only client registers" 201
same "owned by its CN" "$(sql "SELECT identity FROM data_client WHERE cuid = 'cn-1'")" cnonly.example
same "client1's cuid still client1's" "$(sql "SELECT identity FROM data_client WHERE cuid = '$A'")" client1.example

# --- the handshake: refusals with the reason logged; TLS 1.2 and 1.3 only
times() { grep -cF -- "$1" "$log" || true; }
refused() {
  local before; before=$(times "$2")
  req "$1" GET /.well-known/host-meta
  if [ "$(cat "$dir/status")" != "000" ]; then fail "$1: answered $(cat "$dir/status")"; return; fi
  if [ "$(times "$2")" -gt "$before" ]; then ok "$1 refused at the handshake: $2"
  else fail "$1 refused without '$2' in the log"; fi
}
refused expired.example "certificate has expired: 'expired.example'"
refused revoked.example "certificate revoked: 'revoked.example'"
refused rogue.example "unable to get local issuer certificate: 'rogue.example'"
refused gateway.example "identity gateway.example is not configured"
timeout 20 "$curl" -sS --cacert "$pki/ca.crt" -o /dev/null -w '%{http_code}' "https://$data_host:$port/.well-known/host-meta" \
  >"$dir/status" 2>"$dir/curl.err" || true
status "no client certificate" 000
req client1.example GET /.well-known/host-meta --tlsv1.2 --tls-max 1.2
status "TLS 1.2" 200
req client1.example GET /.well-known/host-meta --tlsv1.3
status "TLS 1.3" 200
# the client offers TLS 1.1 (allowed at security level 0); the server's alert refuses it
req client1.example GET /.well-known/host-meta --tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0
if [ "$(cat "$dir/status")" = 000 ] && grep -q "alert protocol version" "$dir/curl.err"; then
  ok "TLS 1.1 refused by the server: $(cat "$dir/curl.err")"
else fail "TLS 1.1: $(cat "$dir/status") $(cat "$dir/curl.err")"; fi

# --- removal takes the client's ACL and alias rows (put there as the next
# slice will), and every change is audited on channel 'data'
"$python" - "$store" "$A" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("INSERT INTO data_acl VALUES (?, 'acl1', 1, 'immediate', '{}', NULL, 1)", (sys.argv[2],))
db.execute("INSERT INTO data_alias VALUES (?, 'web', '{}', NULL, 1)", (sys.argv[2],))
db.commit()
PY
req client1.example DELETE "$ROOT/dots-client=$A"
status "DELETE it" 204
same "its ACLs and aliases are gone" \
  "$(sql "SELECT (SELECT count(*) FROM data_acl WHERE cuid = '$A') + (SELECT count(*) FROM data_alias WHERE cuid = '$A')")" 0
req client1.example GET "$ROOT/dots-client=$A"
error "GET after DELETE" 404 invalid-value "no dots-client"
send client2.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
error "the cuid stays client1's after removal" 403 access-denied "belongs to another DOTS client"
same "audit records" "$(sql "SELECT group_concat(who || ' ' || what, '; ') FROM (SELECT who, what FROM audit WHERE channel = 'data' ORDER BY id)")" \
  "client1.example dots-client register cuid=$A; client1.example dots-client register cuid=$B; client1.example dots-client replace cuid=$B; client1.example dots-client register cuid=big; cnonly.example dots-client register cuid=cn-1; client1.example dots-client remove cuid=$A"
same "nothing refused was stored" "$(sql "SELECT count(*) FROM data_client")" 3

# --- a store that cannot commit (another writer holds it past the busy
# timeout): 500, nothing kept; the same request succeeds afterwards
"$python" - "$store" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[1] + ".locked", "w").close()
time.sleep(3)
db.execute("ROLLBACK")
PY
locker=$!
for _ in $(seq 50); do [ -e "$store.locked" ] && break; sleep 0.1; done
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"late"}]}'
error "POST while another writer holds the store" 500 operation-failed "failed in the store"
wait "$locker"
same "nothing of it kept" "$(sql "SELECT count(*) FROM data_client WHERE cuid = 'late'")" 0
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"late"}]}'
status "the same POST once the store is free" 201

# --- durability: restart (on ::1) and the registrations are there
stop
data_host='[::1]'
start ::1 1
req client1.example GET $ROOT
same "after a restart, over IPv6" "$(json "j")" \
  "{'ietf-dots-data-channel:dots-data': {'dots-client': [{'cuid': 'big'}, {'cuid': 'late'}, {'cuid': '$B'}], 'capabilities': {}}}"
req client2.example GET "$ROOT/dots-client=$B"
error "and still client1's" 403 access-denied "belongs to another DOTS client"
stop

# --- DOTS gateways (RFC 8783 section 7.1's cdid): with the host core,
# client1.example acts for acme (198.51.100.0/24) and client2.example for
# globex (203.0.113.0/24), a server-domain gateway; a store of their own
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
for t in c['scrub-config:scrub-config']['tenant']:
    t['identity'] = {'acme': 'client1.example', 'globex': 'client2.example'}[t['name']]
    if t['name'] == 'globex':
        t['gateway'] = True
json.dump(c, open(sys.argv[2], 'w'))" "$demo" "$dir/scrubd.json"
store=$dir/gateways.db
server_extra=(--config "$dir/scrubd.json")
data_host=127.0.0.1
start 127.0.0.1 2
G=gw-cuid-1 H=gw-cuid-2
send client2.example POST $ROOT "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$G\",\"cdid\":\"customer.example\"}]}"
status "the gateway POSTs a dots-client with a cdid" 201
req client2.example GET "$ROOT/dots-client=$G"
same "GET gives the cdid back" "$(json "j")" \
  "{'ietf-dots-data-channel:dots-client': [{'cuid': '$G', 'cdid': 'customer.example'}]}"
same "stored with the gateway's identity" \
  "$(sql "SELECT identity || ' ' || cdid FROM data_client WHERE cuid = '$G'")" "client2.example customer.example"
send client2.example PUT "$ROOT/dots-client=$H" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$H\",\"cdid\":\"other.example\"}]}"
status "the gateway PUTs a new one with a cdid" 201
send client2.example PUT "$ROOT/dots-client=$G" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$G\"}]}"
status "a replacement without a cdid" 204
same "leaves it none" "$(sql "SELECT cdid IS NULL FROM data_client WHERE cuid = '$G'")" 1
send client2.example PUT "$ROOT/dots-client=$G" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$G\",\"cdid\":\"customer.example\"}]}"
status "a replacement with one" 204
send client2.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"gw-empty","cdid":""}]}'
error "an empty cdid" 400 invalid-value "cdid is empty"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"acme-gw","cdid":"customer.example"}]}'
error "a tenant that is no gateway" 403 access-denied "and 'client1.example' is not one"
send client1.example PUT "$ROOT/dots-client=acme-gw" '{"ietf-dots-data-channel:dots-client":[{"cuid":"acme-gw","cdid":"customer.example"}]}'
error "its PUT" 403 access-denied "and 'client1.example' is not one"
send client1.example POST $ROOT '{"ietf-dots-data-channel:dots-client":[{"cuid":"acme-1"}]}'
status "it registers without one" 201
req client1.example GET "$ROOT/dots-client=$G"
error "the gateway's cuid is its own" 403 access-denied "belongs to another DOTS client"
acl() { echo "{\"ietf-dots-data-channel:acls\":{\"acl\":[{\"name\":\"$1\",\"type\":\"ietf-access-control-list:mixed-eth-ipv4-acl-type\",\"activation-type\":\"immediate\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":\"$2\",\"fragment\":{\"type\":\"\"}}},\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}}]}}]}}"; }
send client2.example POST "$ROOT/dots-client=$G" "$(acl own 203.0.113.0/25)"
status "an ACL inside the gateway's prefixes" 201
send client2.example POST "$ROOT/dots-client=$G" "$(acl theirs 198.51.100.0/25)"
error "an ACL outside them" 403 access-denied "is not inside the prefixes 'client2.example' owns"
same "nothing of the refusals stored" \
  "$(sql "SELECT group_concat(cuid, ' ') FROM (SELECT cuid FROM data_client ORDER BY cuid)")" "acme-1 $G $H"
same "audited with the cdid" \
  "$(sql "SELECT group_concat(what, '; ') FROM (SELECT what FROM audit WHERE channel = 'data' AND what LIKE 'dots-client %' AND who = 'client2.example' ORDER BY id)")" \
  "dots-client register cuid=$G cdid=customer.example; dots-client register cuid=$H cdid=other.example; dots-client replace cuid=$G; dots-client replace cuid=$G cdid=customer.example"
stop
start 127.0.0.1 3
req client2.example GET $ROOT
same "after a restart the gateway's registrations keep their cdids" \
  "$(json "j['ietf-dots-data-channel:dots-data']['dots-client']")" \
  "[{'cuid': '$G', 'cdid': 'customer.example'}, {'cuid': '$H', 'cdid': 'other.example'}]"
stop

# --- the address must be an IPv4 or IPv6 literal
if "$server" --yang "$yang" --ca "$pki/ca.crt" --cert "$pki/server.crt" --key "$pki/server.key" \
    --address localhost --port "$port" --store "$store" 2>"$dir/start.err"; then
  fail "--address localhost: the server started"
elif grep -q "localhost is not an IPv4 or IPv6 address" "$dir/start.err"; then
  ok "--address localhost refused: $(cat "$dir/start.err")"
else fail "--address localhost: $(cat "$dir/start.err")"; fi

if [ "$failed" -ne 0 ]; then echo "--- server log"; cat "$log"; fi
echo "data_channel: $((checks - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
