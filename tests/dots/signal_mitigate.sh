#!/usr/bin/env bash
# Mitigation requests on /.well-known/dots/mitigate (RFC 9132 section 4.4)
# served by scrubd on the card model, against libcoap's own client
# (coap-client-openssl) over DTLS and TLS. Bodies are written and answers
# read by Debian's python3-cbor2 with the integer keys of RFC 9132 section 6
# written out here, independent of our encoder and decoder; RFC 9132's
# example request is sent byte for byte from tests/dots/fixtures.
# Shows: 2.01 with mid and lifetime, then 2.04; GET of one and of all with
# status and counters; the mitigation is on the card (scrubctl); refusals
# (4.00 for a missing or zero lifetime, two scopes, no cuid or mid, a server-only
# leaf, a target-fqdn or target-uri (not served); 4.03 for a prefix the
# client does not own, also beside one it owns (refused whole), and for a
# cdid from an identity that is no gateway (a gateway's is taken and
# stored); 4.09 with conflict-information for a cuid another identity
# uses; 4.04 for what is not there or not the client's; 4.15 for another
# Content-Format); an efficacy update (empty If-Match, attack-status) is
# answered 2.04 with the new lifetime, a non-empty If-Match 4.00; a higher
# mid replaces the lower one it overlaps, a lower one is refused naming the
# higher; identities that are no tenant are refused at the handshake; a
# restart keeps everything; DELETE withdraws (2.02) and the card entries
# go; a GET in blocks of 64 bytes (Block2) is reassembled to the same
# answer; the same over IPv6 (::1), where --max-lifetime caps what is granted.
# Usage: signal_mitigate.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR FIXTURES
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7 fixtures=$8
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
m=/.well-known/dots/mitigate
gateway=client2.example

# keys (RFC 9132 section 6): 1 mitigation-scope, 2 scope, 5 mid, 6 target-prefix, 7 target-port-range,
# 8 lower-port, 10 target-protocol, 11 target-fqdn, 12 target-uri, 14 lifetime, 15 mitigation-start, 16 status, 17 conflict-information,
# 18 conflict-status, 19 conflict-cause, 21 conflict-scope, 25 bytes-dropped, 27 pkts-dropped, 29 attack-status,
# 45 trigger-mitigation
body "$dir/a.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
body "$dir/a2.cbor" '{1: {2: [{6: ["198.51.100.0/25", "198.51.100.128/26"], 10: [17], 14: 900}]}}'
body "$dir/b.cbor" '{1: {2: [{6: ["198.51.100.0/26"], 14: -1}]}}'
body "$dir/c.cbor" '{1: {2: [{6: ["198.51.100.192/26"], 14: 60}]}}'
body "$dir/nolife.cbor" '{1: {2: [{6: ["198.51.100.0/25"]}]}}'
body "$dir/life0.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 0}]}}'
body "$dir/two.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 60}, {6: ["198.51.100.128/25"], 14: 60}]}}'
body "$dir/status.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 60, 16: 2}]}}'
body "$dir/attack.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 60, 29: 1}]}}'
body "$dir/theirs.cbor" '{1: {2: [{6: ["203.0.113.0/25"], 14: 60}]}}'
body "$dir/g.cbor" '{1: {2: [{6: ["203.0.113.0/25"], 14: 60}]}}'
body "$dir/half.cbor" '{1: {2: [{6: ["198.51.100.0/25", "203.0.113.0/25"], 14: 60}]}}'
body "$dir/fqdn.cbor" '{1: {2: [{11: ["www.example.com"], 14: 60}]}}'
body "$dir/uri.cbor" '{1: {2: [{12: ["https://www.example.com/"], 14: 60}]}}'
body "$dir/efficacy.cbor" '{1: {2: [{6: ["198.51.100.192/26"], 14: 120, 29: 1}]}}'
"$python" -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(open(sys.argv[1]).read()))' \
  "$fixtures/mitigation_request.cbor.hex" "$dir/rfc.cbor"

start_scrubd
grep -q "dots signal: listening on 127.0.0.1 port $port" "$log" && ok "the signal channel listens" ||
  fail "no listening line in the log"

expect "PUT cuid=c1 mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.01" -m put -t 271 -f "$dir/a.cbor"
decoded "PUT's answer: mid and the granted lifetime" 'c == {1: {2: [{5: 1, 14: 600}]}}'
[ "$(ctl -j mitigation list | jget 'a["result"]["mitigations"][0]["cuid"], a["result"]["mitigations"][0]["prefixes"]')" \
  = "c1 ['198.51.100.0/25']" ] && ok "the mitigation is the core's (scrubctl mitigation list)" ||
  fail "scrubctl mitigation list: $(ctl -j mitigation list)"
expect "PUT cuid=c1 mid=1 again, another scope" client1.example $other "$m/cuid=c1/mid=1" "2.04" -m put -t 271 \
  -f "$dir/a2.cbor"
decoded "its answer" 'c == {1: {2: [{5: 1, 14: 900}]}}'
expect "GET cuid=c1 mid=1" client1.example $signal "$m/cuid=c1/mid=1" "2.05" -m get
decoded "GET: the scope as put, remaining lifetime, status, start and counters" \
  's = c[1][2]; e = s[0]; len(s) == 1 and e[5] == 1 and e[6] == ["198.51.100.0/25", "198.51.100.128/26"] and e[10] == [17] and 890 <= e[14] <= 900 and e[16] == 1 and e[15] > 1700000000 and e[25] == 0 and e[27] == 0'
expect "PUT the RFC 9132 example, byte for byte" client1.example $signal "$m/cuid=dz6pHjaADkaFTbjr0JGBpw/mid=123" \
  "2.01" -m put -t 271 -f "$dir/rfc.cbor"
decoded "its answer" 'c == {1: {2: [{5: 123, 14: 3600}]}}'
expect "GET the RFC example back" client1.example $signal "$m/cuid=dz6pHjaADkaFTbjr0JGBpw" "2.05" -m get
decoded "target-port-range and target-protocol kept" \
  'e = c[1][2][0]; e[5] == 123 and e[6] == ["2001:db8:6401::1/128", "2001:db8:6401::2/128"] and e[7] == [{8: 80}, {8: 443}, {8: 8080}] and e[10] == [6]'

# The mid rule (RFC 9132 section 4.4.1) within one cuid.
expect "PUT cuid=c1 mid=3, overlapping mid 1: replaces it" client1.example $signal "$m/cuid=c1/mid=3" "2.01" -m put \
  -t 271 -f "$dir/b.cbor"
decoded "an indefinite lifetime is granted as such" 'c == {1: {2: [{5: 3, 14: -1}]}}'
expect "GET mid=1 after it was replaced" client1.example $signal "$m/cuid=c1/mid=1" "4.04 no mitigation with cuid c1 and mid 1" -m get
expect "PUT cuid=c1 mid=2, overlapping the higher mid 3" client1.example $signal "$m/cuid=c1/mid=2" "4.09" -m put -t 271 \
  -f "$dir/a.cbor"
decoded "4.09: conflict-information naming mid 3" \
  'c == {1: {2: [{5: 2, 17: {18: 1, 19: 1, 21: {5: 3}}}]}}'
expect "PUT cuid=c1 mid=4, not overlapping" client1.example $signal "$m/cuid=c1/mid=4" "2.01" -m put -t 271 -f "$dir/c.cbor"
decoded "its answer" 'c == {1: {2: [{5: 4, 14: 60}]}}'
expect "GET cuid=c1: all of them" client1.example $signal "$m/cuid=c1" "2.05" -m get
decoded "mids 3 and 4" '[e[5] for e in c[1][2]] == [3, 4] and c[1][2][0][14] == -1'
# Block-wise transfer (RFC 7959; RFC 8323 over TLS): the same answer in
# blocks of 64 bytes, reassembled by coap-client.
expect "GET cuid=c1 in blocks of 64 bytes" client1.example $signal "$m/cuid=c1" "2.05" -m get -b 64
n=$(grep -c " c:2.05 .*Block2:" "$dir/out" || true)
[ "$n" -ge 2 ] && ok "... answered in $n blocks (Block2)" || fail "... $n answers with Block2: $(grep ' c:2.05' "$dir/out" | head -3)"
decoded "... reassembled: mids 3 and 4" '[e[5] for e in c[1][2]] == [3, 4] and c[1][2][0][14] == -1'

# Refusals.
expect "PUT without lifetime" client1.example $signal "$m/cuid=c1/mid=9" "4.00 scope/lifetime is missing" -m put -t 271 \
  -f "$dir/nolife.cbor"
expect "PUT lifetime 0" client1.example $signal "$m/cuid=c1/mid=9" "4.00 scope/lifetime is 0" -m put -t 271 \
  -f "$dir/life0.cbor"
expect "PUT with two scopes" client1.example $signal "$m/cuid=c1/mid=9" "4.00 a mitigation request carries exactly one scope" \
  -m put -t 271 -f "$dir/two.cbor"
expect "PUT with a status" client1.example $signal "$m/cuid=c1/mid=9" "4.00 scope/status is not for a client to send" \
  -m put -t 271 -f "$dir/status.cbor"
expect "PUT with attack-status, no If-Match" client1.example $signal "$m/cuid=c1/mid=9" \
  "4.00 scope/attack-status belongs to an efficacy update" -m put -t 271 -f "$dir/attack.cbor"
expect "PUT without mid" client1.example $signal "$m/cuid=c1" "4.00 this request needs the Uri-Paths cuid=CUID and mid=MID" \
  -m put -t 271 -f "$dir/a.cbor"
expect "PUT without cuid" client1.example $signal "$m" "4.00 this request needs the Uri-Paths cuid=CUID and mid=MID" -m put -t 271 -f "$dir/a.cbor"
expect "PUT mid=x" client1.example $signal "$m/cuid=c1/mid=x" "4.00 mid=x: the mid is a number" -m put -t 271 -f "$dir/a.cbor"
expect "PUT with another Content-Format" client1.example $signal "$m/cuid=c1/mid=9" "4.15 the body must be application/dots+cbor (Content-Format 271)" \
  -m put -t 50 -f "$dir/a.cbor"
expect "PUT of a prefix acme does not own" client1.example $signal "$m/cuid=c1/mid=9" \
  "4.03 not authorized: 203.0.113.0/25 is not inside the prefixes 'client1.example' owns" -m put -t 271 \
  -f "$dir/theirs.cbor"
expect "PUT of a scope acme owns only in part: refused whole" client1.example $signal "$m/cuid=c1/mid=9" \
  "4.03 not authorized: 203.0.113.0/25 is not inside the prefixes 'client1.example' owns" -m put -t 271 \
  -f "$dir/half.cbor"
expect "... nothing of it stored" client1.example $signal "$m/cuid=c1/mid=9" "4.04 no mitigation with cuid c1 and mid 9" \
  -m get
expect "PUT with a target-fqdn" client1.example $signal "$m/cuid=c1/mid=9" \
  "4.00 scope/target-fqdn is not served: name the targets with target-prefix or alias-name" -m put -t 271 \
  -f "$dir/fqdn.cbor"
expect "PUT with a target-uri" client1.example $signal "$m/cuid=c1/mid=9" "4.00 scope/target-uri is not served" \
  -m put -t 271 -f "$dir/uri.cbor"
# Efficacy updates (RFC 9132 section 4.4.3): If-Match (option 1) empty.
expect "an efficacy update of mid 4 (empty If-Match, attack-status)" client1.example $signal "$m/cuid=c1/mid=4" "2.04" \
  -m put -t 271 -f "$dir/efficacy.cbor" -O 1,
decoded "its answer: mid and the new lifetime" 'c == {1: {2: [{5: 4, 14: 120}]}}'
grep -q "client1.example: efficacy update of mitigation c1/4: under-attack" "$log" && ok "... logged with its attack-status" ||
  fail "no efficacy line in the log"
expect "an efficacy update with a non-empty If-Match" client1.example $signal "$m/cuid=c1/mid=4" \
  "4.00 an efficacy update carries an empty If-Match (RFC 9132 section 4.4.3)" -m put -t 271 -f "$dir/efficacy.cbor" \
  -O 1,0x01
expect "an efficacy update of no mitigation" client1.example $signal "$m/cuid=c1/mid=99" \
  "4.04 no mitigation with cuid c1 and mid 99 to update" -m put -t 271 -f "$dir/efficacy.cbor" -O 1,
expect "PUT with a cdid from a client" client1.example $signal "$m/cdid=x/cuid=c1/mid=9" \
  "4.03 cdid is accepted from server-domain gateways only" -m put -t 271 -f "$dir/a.cbor"
# client2.example (globex) is configured as a gateway: a cdid is taken from it
expect "a gateway's PUT with a cdid" client2.example $signal "$m/cdid=site-3/cuid=gw-c1/mid=1" "2.01" \
  -m put -t 271 -f "$dir/g.cbor"
decoded "... its answer" 'c == {1: {2: [{5: 1, 14: 60}]}}'
got=$(ctl -j mitigation list | jget "[(m['client'], m.get('cdid'), m['mid']) for m in a['result']['mitigations'] if m['cuid'] == 'gw-c1']")
[ "$got" = "[('client2.example', 'site-3', 1)]" ] && ok "... stored with its cdid (scrubctl)" || fail "... scrubctl: $got"
expect "... GET through the gateway" client2.example $signal "$m/cdid=site-3/cuid=gw-c1" "2.05" -m get
decoded "... its scope" 'c[1][2][0][5] == 1 and c[1][2][0][6] == ["203.0.113.0/25"]'
expect "... DELETE through the gateway" client2.example $signal "$m/cdid=site-3/cuid=gw-c1/mid=1" "2.02" -m delete
expect "client2 PUT with client1's cuid" client2.example $signal "$m/cuid=c1/mid=20" "4.09" -m put -t 271 -f "$dir/g.cbor"
decoded "4.09: cuid-collision" 'c == {1: {2: [{5: 20, 17: {18: 1, 19: 3}}]}}'
expect "client2 GET client1's cuid" client2.example $signal "$m/cuid=c1" "4.04 no mitigation with cuid c1" -m get
expect "client2 DELETE client1's mitigation" client2.example $signal "$m/cuid=c1/mid=3" \
  "4.04 no mitigation with cuid c1 and mid 3" -m delete
expect "GET of a cuid with nothing" client1.example $signal "$m/cuid=nothing" "4.04 no mitigation with cuid nothing" -m get
request cnonly.example $signal "$m/cuid=c9" -m get
grep -q "identity cnonly.example is not a tenant" "$log" && ok "an identity that is no tenant is refused at the handshake" ||
  fail "cnonly.example: $(tail -3 "$dir/out")"
[ "$(ctl -j audit | jget 'sum(1 for e in a["result"]["entries"] if e["channel"] == "signal" and e["who"] == "client1.example" and e["result"] != "ok")')" -ge 2 ] &&
  ok "refusals are in the audit log, channel signal" || fail "audit: $(ctl audit | tail -5)"
stop_scrubd

start_scrubd
expect "after a restart, GET cuid=c1" client1.example $other "$m/cuid=c1" "2.05" -m get
decoded "mids 3 and 4 kept" '[e[5] for e in c[1][2]] == [3, 4]'
grep -q "reconciled with the store: 0 writes\|fresh from reset: programmed" "$log" && ok "the card was reconciled at start" ||
  fail "no reconciliation line"
dest_before=$(ctl -j status | jget 'a["result"]["card"]["tables"]["dest"]["used"]')
expect "DELETE cuid=c1 mid=3" client1.example $signal "$m/cuid=c1/mid=3" "2.02" -m delete
expect "GET mid=3 after DELETE" client1.example $signal "$m/cuid=c1/mid=3" "4.04 no mitigation with cuid c1 and mid 3" \
  -m get
[ "$(ctl -j status | jget 'a["result"]["card"]["tables"]["dest"]["used"]')" = $((dest_before - 1)) ] &&
  ok "its destination entry left the card" || fail "dest used: $dest_before, then $(ctl -j status)"
expect "DELETE it again" client1.example $signal "$m/cuid=c1/mid=3" "4.04 no mitigation with cuid c1 and mid 3" \
  -m delete
stop_scrubd

# IPv6: the same server on ::1, over DTLS and TLS, granting at most 1000 s
# (--max-lifetime).
address=::1 host=[::1]
start_scrubd --max-lifetime 1000
grep -q "dots signal: listening on ::1 port $port" "$log" && ok "IPv6: the signal channel listens on ::1" ||
  fail "IPv6: no listening line"
expect "IPv6 ($signal): GET cuid=c1" client1.example $signal "$m/cuid=c1" "2.05" -m get
decoded "IPv6: mid 4 is there" '[e[5] for e in c[1][2]] == [4]'
expect "IPv6 ($other): PUT cuid=c1 mid=5, lifetime -1" client1.example $other "$m/cuid=c1/mid=5" "2.01" -m put -t 271 \
  -f "$dir/b.cbor"
decoded "--max-lifetime 1000: an indefinite lifetime is granted as 1000 s" 'c == {1: {2: [{5: 5, 14: 1000}]}}'
body "$dir/long.cbor" '{1: {2: [{6: ["198.51.100.192/26"], 14: 5000}]}}'
expect "PUT cuid=c1 mid=6, lifetime 5000" client1.example $signal "$m/cuid=c1/mid=6" "2.01" -m put -t 271 \
  -f "$dir/long.cbor"
decoded "... granted 1000 s" 'c == {1: {2: [{5: 6, 14: 1000}]}}'
stop_scrubd

finish signal_mitigate
