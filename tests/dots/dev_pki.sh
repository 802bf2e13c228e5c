#!/usr/bin/env bash
# scripts/dev-pki: it makes every file, openssl verify accepts the good
# certificates and refuses the unknown CA, the expired and the revoked one
# for the reason expected, the server has its SANs, and a second run changes
# nothing. Usage: dev_pki.sh SCRIPT
set -euo pipefail
script=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
checks=0 failed=0
ok()   { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }

"$script" "$dir/pki"
pki=$dir/pki
for f in ca.crt ca.key ca.crl server.crt server.key rogue-ca.crt; do
  if [ -s "$pki/$f" ]; then ok "$f made"; else fail "$f missing"; fi
done

verify() { openssl verify -CAfile "$pki/ca.crt" -crl_check -CRLfile "$pki/ca.crl" "$pki/$1.crt" 2>&1; }
for name in server client1.example client2.example gateway.example cnonly.example; do
  if out=$(verify "$name"); then ok "$name accepted"; else fail "$name refused: $out"; fi
done
# refused NAME REASON: verification fails, and for REASON.
refused() {
  local out
  if out=$(verify "$1"); then fail "$1 accepted"; return; fi
  if grep -q "$2" <<<"$out"; then ok "$1 refused: $2"; else fail "$1 refused for another reason: $out"; fi
}
refused expired.example "certificate has expired"
refused revoked.example "certificate revoked"
refused rogue.example "unable to get local issuer certificate"
# The revoked certificate itself is sound: only the CRL refuses it.
if openssl verify -CAfile "$pki/ca.crt" "$pki/revoked.example.crt" >/dev/null 2>&1; then
  ok "revoked.example accepted without the CRL"; else fail "revoked.example refused without the CRL"; fi

san=$(openssl x509 -in "$pki/server.crt" -noout -ext subjectAltName)
for want in "DNS:localhost" "IP Address:127.0.0.1" "IP Address:0:0:0:0:0:0:0:1"; do
  if grep -qF "$want" <<<"$san"; then ok "server SAN $want"; else fail "server SAN $want missing: $san"; fi
done
for name in client1.example client2.example gateway.example; do
  if openssl x509 -in "$pki/$name.crt" -noout -ext subjectAltName | grep -qF "DNS:$name"; then
    ok "$name SAN"; else fail "$name has no DNS SAN $name"; fi
done
if openssl x509 -in "$pki/cnonly.example.crt" -noout -ext subjectAltName 2>/dev/null | grep -q DNS:; then
  fail "cnonly.example has a SAN"; else ok "cnonly.example has no SAN"; fi
for name in server client1.example; do
  if cmp -s <(openssl pkey -in "$pki/$name.key" -pubout) <(openssl x509 -in "$pki/$name.crt" -noout -pubkey); then
    ok "$name key matches"; else fail "$name key does not match its certificate"; fi
done

before=$(cd "$pki" && sha256sum ./*.crt ./*.key ./*.crl)
out=$("$script" "$pki")
after=$(cd "$pki" && sha256sum ./*.crt ./*.key ./*.crl)
if [ "$before" = "$after" ] && grep -q "already holds" <<<"$out"; then ok "second run changes nothing"
else fail "second run changed files or said: $out"; fi

# A missing file makes it whole again.
rm "$pki/client2.example.crt"
"$script" "$pki" >/dev/null
if [ -s "$pki/client2.example.crt" ] && verify client2.example >/dev/null; then ok "incomplete PKI made again"
else fail "incomplete PKI not repaired"; fi

if "$script" 2>/dev/null; then fail "no argument accepted"; else ok "no argument refused"; fi

echo "dev_pki: $((checks - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
