#!/usr/bin/env bash
# Both DOTS channels in one scrubd on the card model: the data channel
# (curl, RFC 8783) and the signal channel (coap-client-openssl, RFC 9132)
# share identities, cuids, the store and the core. A client registers a
# cuid and an activate-when-mitigating ACL over HTTPS: off the card; its
# mitigation over CoAP with the same cuid puts the ACL's entry on the card
# in the same commit, and its withdrawal takes it off; another identity
# cannot use that cuid on the signal channel (4.09 cuid-collision);
# scrubctl lists the ACL with its ACE's counter; an
# identity that is no tenant is refused at the data channel's handshake.
# Usage: scrubd_channels.sh SCRUBD SCRUBCTL DEMO_JSON DEV_PKI COAP_CLIENT PYTHON3 YANG_DIR CURL
set -euo pipefail
scrubd=$1 scrubctl=$2 demo=$3 dev_pki=$4 client=$5 python=$6 yang=$7 curl=$8
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
dport=$(free_port)
start_scrubd --data-port "$dport"
grep -q "dots data: listening on 127.0.0.1 port $dport" "$log" && ok "the data channel listens" ||
  fail "no data channel line: $(grep "dots data" "$log" | head -3)"

data_port=$dport
source "$(dirname "$0")/restconf_harness.sh"
acl_used() { ctl -j status | jget 'a["result"]["card"]["tables"]["acl"]["used"]'; }

https client1.example POST "$ROOT" '{"ietf-dots-data-channel:dots-client":[{"cuid":"acme-1"}]}'
status "register cuid acme-1 over HTTPS" 201
used0=$(acl_used)
https client1.example POST "$ROOT/dots-client=acme-1" '{"ietf-dots-data-channel:acls":{"acl":[{"name":"dns","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","activation-type":"activate-when-mitigating","aces":{"ace":[{"name":"no-dns","matches":{"ipv4":{"destination-ipv4-network":"198.51.100.10/32","fragment":{"type":""}},"udp":{"source-port-range-or-operator":{"operator":"eq","port":53}}},"actions":{"forwarding":"ietf-access-control-list:drop"}}]}}]}}'
status "an activate-when-mitigating ACL" 201
[ "$(acl_used)" = "$used0" ] && ok "in peace time it is off the card" || fail "ACL entries: $used0, then $(acl_used)"

body "$dir/m.cbor" '{1: {2: [{6: ["198.51.100.0/25"], 14: 600}]}}'
expect "a mitigation over CoAP with the same cuid" client1.example coaps /.well-known/dots/mitigate/cuid=acme-1/mid=1 \
  "2.01" -m put -t 271 -f "$dir/m.cbor"
[ "$(acl_used)" = $((used0 + 1)) ] && ok "the ACL's entry is on the card while mitigating" ||
  fail "ACL entries while mitigating: $(acl_used), wanted $((used0 + 1))"
out=$(ctl acl list) ace_row=$'\n +no-dns +yes +0 +0$'
[[ $out == *"acme-1               dns                  activate-when-mitigating yes"*"client1.example"* &&
   $out =~ $ace_row ]] &&
  ok "scrubctl acl list shows it on the card" || fail "scrubctl acl list: $out"
[ "$(ctl -j acl list acme-1 | jget '[(x["name"], x["installed"], x["card_entries"], [(e["name"], e["matched"]["packets"]) for e in x["aces"]]) for x in a["result"]["acls"]]')" \
  = "[('dns', True, 1, [('no-dns', 0)])]" ] && ok "scrubctl -j acl list CUID: the ACE and its counter" ||
  fail "scrubctl -j acl list: $(ctl -j acl list acme-1)"
[ "$(ctl -j acl list nobody | jget 'a["result"]["acls"]')" = "[]" ] && ok "no ACLs for another cuid" ||
  fail "acl list nobody: $(ctl -j acl list nobody)"
expect "client2 with cuid acme-1 on the signal channel" client2.example coaps \
  /.well-known/dots/mitigate/cuid=acme-1/mid=2 "4.09" -m put -t 271 -f "$dir/m.cbor"
decoded "cuid-collision" 'c[1][2][0][17][19] == 3'
expect "the mitigation withdrawn" client1.example coaps /.well-known/dots/mitigate/cuid=acme-1/mid=1 "2.02" -m delete
[ "$(acl_used)" = "$used0" ] && ok "the ACL's entry left the card with it" || fail "ACL entries after: $(acl_used)"

https cnonly.example GET "$ROOT"
grep -q "dots data: client .* refused: identity cnonly.example is not a tenant" "$log" &&
  ok "an identity that is no tenant is refused at the data channel's handshake" ||
  fail "cnonly.example on the data channel: $(cat "$dir/status") $(cat "$dir/curl.err")"
[ "$(ctl -j audit | jget 'sorted({e["channel"] for e in a["result"]["entries"] if e["who"] == "client1.example"})')" = "['data', 'signal']" ] &&
  ok "the audit log has both channels" || fail "audit: $(ctl audit | tail -5)"
stop_scrubd
finish scrubd_channels
