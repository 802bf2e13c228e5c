#!/usr/bin/env bash
# dots-client's mitigation requests (RFC 9132 section 4.4) as CoAP messages,
# against libcoap's own server (coap-server-openssl, which keeps what is PUT
# on a path and serves it back, observable), over DTLS and TLS: the PUT of
# RFC 9132's example request goes to /.well-known/dots/mitigate/cuid=C/mid=N
# with Content-Format application/dots+cbor and its body, read back by
# libcoap's client, equals the cbor2-made fixture byte for byte; an efficacy
# update carries an empty If-Match and attack-status; GET --observe prints
# the answer and each notification and deregisters (Observe 1) at the end;
# DELETE, then GET gives 4.04 and exit status 1. session --hold with a
# session configuration the server serves back: over DTLS Non-confirmable
# PUT /.well-known/dots/hb {49: {51: False}} every second (the server's
# log, decoded by cbor2), over TLS CoAP Pings.
# DOTS semantics (status, conflicts, lifetimes) are the server's and are not
# tested here: coap-server-openssl knows nothing of DOTS.
# Usage: client_mitigate.sh CLIENT COAP_SERVER COAP_CLIENT YANG_DIR DEV_PKI FIXTURE_HEX PYTHON3
set -euo pipefail
client=$1 coap_server=$2 coap_client=$3 yang=$4 dev_pki=$5 fixture=$6 python=$7
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
checks=0 failed=0
ok()   { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }

"$dev_pki" "$dir/pki" >/dev/null
pki=$dir/pki
# coap-server-openssl -p P listens for plain CoAP on P and for DTLS and TLS on P+1
base=$("$python" - <<'EOF'
import socket
while True:
    socks = []
    try:
        t = socket.socket(); t.bind(("127.0.0.1", 0)); socks.append(t); p = t.getsockname()[1]
        if p >= 65535:
            continue
        for q, kind in ((p, socket.SOCK_DGRAM), (p + 1, socket.SOCK_STREAM), (p + 1, socket.SOCK_DGRAM)):
            s = socket.socket(socket.AF_INET, kind); socks.append(s); s.bind(("127.0.0.1", q))
        break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
print(p)
EOF
)
port=$((base + 1))
log=$dir/server.log
"$coap_server" -v 7 -A 127.0.0.1 -p "$base" -d 20 -c "$pki/server.crt" -j "$pki/server.key" -C "$pki/ca.crt" >"$log" 2>&1 &
pids+=($!)
up=
for _ in $(seq 50); do
  if timeout 5 "$coap_client" -m get -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" -B 2 \
    "coaps://127.0.0.1:$port/" 2>/dev/null | grep -q .; then up=1; break; fi
  sleep 0.1
done
[ -n "$up" ] || { cat "$log"; echo "FAIL: coap-server-openssl did not start"; exit 1; }

# dc [options] COMMAND...: dots-client as client1; stdout in $dir/out, stderr in $dir/err, status in $rc
dc() {
  rc=0
  timeout 60 "$client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/client1.example.crt" \
    --key "$pki/client1.example.key" --yang "$yang" --timeout 10 "$@" >"$dir/out" 2>"$dir/err" || rc=$?
}
expect() {
  local what=$1 status=$2 file=$3 text=$4
  if [ "$rc" -eq "$status" ] && grep -qF -- "$text" "$dir/$file"; then
    ok "$what"
  else
    fail "$what: wanted exit $status and '$text' in std$file; got exit $rc, stdout: $(head -c 600 "$dir/out"), stderr: $(head -c 600 "$dir/err")"
  fi
}
# logged WHAT TEXT: the server's log shows a request with TEXT
logged() {
  if grep -qF -- "$2" "$log"; then ok "$1"; else fail "$1: the server's log has no '$2'"; fi
}

rfc_scope=(--target-prefix 2001:db8:6401::1/128 --target-prefix 2001:db8:6401::2/128 --target-port-range 80
  --target-port-range 443 --target-port-range 8080 --target-protocol 6 --lifetime 3600)
for transport in DTLS TLS; do
  if [ $transport = TLS ]; then tcp=(--tcp) scheme=coaps+tcp cuid=tls-cuid; else tcp=() scheme=coaps cuid=dz6pHjaADkaFTbjr0JGBpw; fi
  path=".well-known/dots/mitigate/cuid=$cuid/mid=123"
  dc "${tcp[@]}" mitigate put --cuid $cuid --mid 123 "${rfc_scope[@]}"
  expect "$transport: mitigate put (RFC 9132's example request)" 0 out "2.01 Created"
  logged "$transport: ... /mitigate/cuid=$cuid/mid=123 in application/dots+cbor" \
    "Uri-Path:.well-known, Uri-Path:dots, Uri-Path:mitigate, Uri-Path:cuid=$cuid, Uri-Path:mid=123, Content-Format:application/dots+cbor ] :: binary data length 73"
  rm -f "$dir/got"
  timeout 20 "$coap_client" -m get -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" -B 3 \
    -o "$dir/got" "$scheme://127.0.0.1:$port/$path" >/dev/null 2>&1 || true
  if [ "$(od -An -v -tx1 "$dir/got" 2>/dev/null | tr -d ' \n')" = "$(tr -d ' \n' <"$fixture")" ]; then
    ok "$transport: the body, read back by coap-client, equals the fixture byte for byte"
  else
    fail "$transport: the body read back is $(od -An -v -tx1 "$dir/got" | tr -d ' \n'), the fixture $(cat "$fixture")"
  fi

  # An observer for 8 s; an efficacy update while it watches.
  rc_obs=0
  timeout 60 "$client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/client1.example.crt" \
    --key "$pki/client1.example.key" --yang "$yang" --timeout 10 "${tcp[@]}" --json \
    mitigate get --cuid $cuid --mid 123 --observe 8 >"$dir/obs.out" 2>"$dir/obs.err" &
  obs=$!
  for _ in $(seq 100); do [ -s "$dir/obs.out" ] && break; sleep 0.1; done
  dc "${tcp[@]}" efficacy --cuid $cuid --mid 123 --attack-status under-attack --target-prefix 2001:db8:6401::1/128 \
    --lifetime 600
  expect "$transport: efficacy update" 0 out "2.04 Changed"
  logged "$transport: ... with an empty If-Match" \
    "[ If-Match:0x, Uri-Path:.well-known, Uri-Path:dots, Uri-Path:mitigate, Uri-Path:cuid=$cuid, Uri-Path:mid=123, Content-Format:application/dots+cbor ]"
  wait $obs || rc_obs=$?
  if [ "$rc_obs" -eq 0 ] && "$python" -c 'import sys, json
lines = [json.loads(l) for l in open(sys.argv[1])]
s = [l["body"]["ietf-dots-signal-channel:scope"][0] for l in lines]
ok = len(lines) == 2 and all(l["code"] == "2.05" and "observe" in l for l in lines) \
  and lines[1]["observe"] > lines[0]["observe"] and "attack-status" not in s[0] and s[0]["target-protocol"] == [6] \
  and s[1] == {"target-prefix": ["2001:db8:6401::1/128"], "lifetime": 600, "attack-status": "under-attack"}
sys.exit(0 if ok else 1)' "$dir/obs.out"; then
    ok "$transport: mitigate get --observe: the answer, then the efficacy update's notification, as JSON"
  else
    fail "$transport: mitigate get --observe exited $rc_obs: $(cat "$dir/obs.out" "$dir/obs.err")"
  fi
  logged "$transport: the observer deregistered at the end (Observe 1)" \
    "[ Observe:1, Uri-Path:.well-known, Uri-Path:dots, Uri-Path:mitigate, Uri-Path:cuid=$cuid, Uri-Path:mid=123 ]"

  dc "${tcp[@]}" mitigate delete --cuid $cuid --mid 123
  expect "$transport: mitigate delete" 0 out "2.02 Deleted"
  dc "${tcp[@]}" mitigate get --cuid $cuid --mid 123
  expect "$transport: mitigate get after the delete: 4.04, exit 1" 1 err \
    "GET /.well-known/dots/mitigate/cuid=$cuid/mid=123: 4.04 Not Found"
done

# The client's own heartbeats (session --hold), seen in the server's log and
# decoded by cbor2: a session configuration of 1 s x 2 PUT on the server
# first, for the hold's GET /config. The server sends no heartbeats.
"$python" -c 'import sys, cbor2; open(sys.argv[1], "wb").write(cbor2.dumps({30: {32: {33: {36: 1}, 37: {36: 2}}, 44: {33: {36: 1}, 37: {36: 2}}}}))' \
  "$dir/config.cbor"
timeout 20 "$coap_client" -m put -t 271 -f "$dir/config.cbor" -c "$pki/client1.example.crt" -j "$pki/client1.example.key" \
  -C "$pki/ca.crt" -B 3 "coaps://127.0.0.1:$port/.well-known/dots/config" >/dev/null 2>&1 || true
for transport in DTLS TLS; do
  if [ $transport = TLS ]; then tcp=(--tcp); else tcp=(); fi
  start=$(wc -l <"$log")
  dc "${tcp[@]}" --json session --hold 3.5
  if [ "$rc" -eq 0 ] && "$python" -c 'import sys, json
e = [json.loads(l) for l in open(sys.argv[1])]
s = e[-1]["sessions"]
sys.exit(0 if e[0]["heartbeat-interval"] == 1 and e[0]["missing-hb-allowed"] == 2 and len(s) == 1
         and s[0]["sent"] >= 3 and s[0]["answered"] == s[0]["sent"] and s[0]["server-heartbeats"] == 0 else 1)' "$dir/out"; then
    ok "$transport: session --hold 3.5: heartbeats every second (the configuration served), all answered"
  else
    fail "$transport: session --hold exited $rc: $(cat "$dir/out" "$dir/err")"
  fi
  # the heartbeats the server received: "TYPE HEX" a line
  tail -n +$((start + 1)) "$log" | awk '/ c:PUT .*Uri-Path:hb, Content-Format:application\/dots\+cbor/ {
      split($2, t, ":"); type = t[2]; want = 1; next }
    want && /^<<[0-9a-f]+>>$/ { gsub(/[<>]/, ""); print type, $0; want = 0 }' >"$dir/hb"
  pings=$(tail -n +$((start + 1)) "$log" | grep -c ' c:Ping ' || true)
  if [ $transport = DTLS ]; then
    "$python" -c 'import sys, cbor2
rows = [l.split() for l in open(sys.argv[1])]
sys.exit(0 if len(rows) >= 3 and all(r[0] == "NON" and cbor2.loads(bytes.fromhex(r[1])) == {49: {51: False}} for r in rows) else 1)' \
      "$dir/hb" && ok "DTLS: the server got 3 or more NON PUT /.well-known/dots/hb, each {49: {51: False}} (cbor2)" ||
      fail "DTLS: the heartbeats the server got: $(cat "$dir/hb")"
  else
    [ "$pings" -ge 3 ] && [ ! -s "$dir/hb" ] && ok "TLS: the server got $pings CoAP Pings and no PUT /hb" ||
      fail "TLS: $pings Pings, PUTs: $(cat "$dir/hb")"
  fi
done

# The cuid RFC 9132 section 4.4.1 recommends, derived by openssl's command
# line: SHA-256 of the DER SubjectPublicKeyInfo, 16 bytes, base64url
# without padding.
derived=$(openssl x509 -in "$pki/client1.example.crt" -noout -pubkey | openssl pkey -pubin -outform DER |
  openssl dgst -sha256 -binary | head -c 16 | base64 | tr '+/' '-_' | tr -d '=')
dc cuid
if [ "$rc" -eq 0 ] && [ "$(cat "$dir/out")" = "$derived" ] && [ ${#derived} -eq 22 ]; then
  ok "dots-client cuid prints $derived, as openssl derives it"
else
  fail "dots-client cuid: exit $rc, '$(cat "$dir/out")' against openssl's '$derived'; $(cat "$dir/err")"
fi
rc=0; "$client" --cert "$dir/none.crt" cuid >"$dir/out" 2>"$dir/err" || rc=$?
expect "dots-client cuid of a missing file" 2 err "--cert $dir/none.crt: No such file or directory"

# Without --cuid, a mitigation request goes under the derived cuid; its
# scope carries alias-name (key 13) and RFC 9133's acl-list (key 53, each
# acl-name 23 and activation-type 52: 1 activate-when-mitigating, 2
# immediate, 3 deactivate), as libcoap's client reads it back.
dc mitigate put --mid 7 --alias-name web --alias-name dns --acl http=deactivate --acl dns-in \
  --acl ntp=immediate --lifetime 60
expect "mitigate put under the derived cuid, with aliases and an acl-list" 0 out "2.01 Created"
rm -f "$dir/got"
timeout 20 "$coap_client" -m get -c "$pki/client1.example.crt" -j "$pki/client1.example.key" -C "$pki/ca.crt" -B 3 \
  -o "$dir/got" "coaps://127.0.0.1:$port/.well-known/dots/mitigate/cuid=$derived/mid=7" >/dev/null 2>&1 || true
if "$python" -c 'import sys, cbor2
body = cbor2.loads(open(sys.argv[1], "rb").read())
scope = body[1][2][0]
sys.exit(0 if scope == {13: ["web", "dns"], 53: [{23: "http", 52: 3}, {23: "dns-in"}, {23: "ntp", 52: 2}], 14: 60} else 1)' \
  "$dir/got" 2>/dev/null; then
  ok "the body under cuid=$derived holds alias-name and the acl-list (cbor2)"
else
  fail "the body under cuid=$derived: $(od -An -v -tx1 "$dir/got" 2>&1 | tr -d ' \n')"
fi

# Usage errors of the mitigation commands.
dc mitigate put --cuid c --mid 1
expect "mitigate put without a target" 2 err "mitigate put needs at least one --target-prefix or --alias-name"
dc mitigate delete --cuid c
expect "mitigate delete without --mid" 2 err "mitigate delete needs --mid"
dc mitigate put --mid 1 --target-prefix 10.0.0.0/8 --acl =immediate
expect "an --acl without a name" 2 err "--acl =immediate: want NAME or NAME=immediate|activate-when-mitigating|deactivate"
dc mitigate put --mid 1 --target-prefix 10.0.0.0/8 --acl web=now
expect "an --acl with an unknown activation" 2 err "--acl web=now: want NAME or NAME="
dc mitigate put --cuid c --mid 1 --target-prefix 10.0.0.300/32
expect "an invalid prefix" 2 err 'the mitigation request is not valid: Invalid union value "10.0.0.300/32"'
dc mitigate put --cuid c --mid 1 --target-prefix 10.0.0.0/8 --target-port-range 90-80
expect "a port range upside down" 2 err "--target-port-range 90-80: the upper port is below the lower one"
dc efficacy --cuid c --mid 1 --attack-status fine
expect "an attack-status that is not one" 2 err "attack-status"
dc --cert "$dir/none.crt" mitigate get --mid 1
expect "no --cuid and no certificate to derive it from" 2 err "no cuid can be derived from it (give --cuid)"

echo "client_mitigate: $((checks - failed)) passed, $failed failed"
if [ "$failed" -ne 0 ]; then echo "--- coap-server-openssl's log (requests)"; grep -E "^v:1" "$log" | tail -40; fi
[ "$failed" -eq 0 ]
