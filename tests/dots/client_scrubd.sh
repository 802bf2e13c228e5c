#!/usr/bin/env bash
# dots-client's mitigation requests (RFC 9132 section 4.4) against scrubd's
# /.well-known/dots/mitigate on the card model, over DTLS and TLS: RFC
# 9132's example request is created (2.01, the granted lifetime), read back
# decoded (human and JSON), is the core's (scrubctl), updated (2.04) and
# withdrawn (2.02, then 4.04 and exit 1); refusals come back with their
# code, the server's diagnostic or conflict-information, and exit status 1:
# a prefix the client does not own (4.03), lifetime 0 (4.00), another
# identity using the cuid (4.09 cuid-collision), a lower mid overlapping a
# higher one (4.09 naming it). Session configuration works on scrubd too.
# With --dots-cuid-from-cert only the cuid derived from the client's
# certificate is taken (4.03 otherwise, over DTLS and TLS), and dots-client
# uses it by default.
# Usage: client_scrubd.sh DOTS_CLIENT SCRUBD SCRUBCTL DEMO_JSON DEV_PKI YANG_DIR PYTHON3
set -euo pipefail
dots_client=$1 scrubd=$2 scrubctl=$3 demo=$4 dev_pki=$5 yang=$6 python=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
start_scrubd

# dc NAME [options] COMMAND...: dots-client as NAME; stdout in $dir/out, stderr in $dir/err, status in $rc
dc() {
  local name=$1; shift
  rc=0
  timeout 60 "$dots_client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/$name.crt" \
    --key "$pki/$name.key" --yang "$yang" --timeout 10 "$@" >"$dir/out" 2>"$dir/err" || rc=$?
}
# has WHAT STATUS FILE TEXT: the last dc exited STATUS and FILE (out or err) holds TEXT
has() {
  local what=$1 status=$2 file=$3 text=$4
  if [ "$rc" -eq "$status" ] && grep -qF -- "$text" "$dir/$file"; then
    ok "$what"
  else
    fail "$what: wanted exit $status and '$text' in std$file; got exit $rc, stdout: $(head -c 800 "$dir/out"), stderr: $(head -c 800 "$dir/err")"
  fi
}
# json WHAT 'python expression on j': the last dc's stdout is one JSON object for which it holds
json() {
  local what=$1 check=$2
  if "$python" -c 'import sys, json
j = json.loads(open(sys.argv[1]).read())
sys.exit(0 if eval(sys.argv[2]) else 1)' "$dir/out" "$check" 2>"$dir/py.err"; then
    ok "$what"
  else
    fail "$what: $check does not hold for $(cat "$dir/out" "$dir/py.err") (exit $rc, stderr $(cat "$dir/err"))"
  fi
}

rfc=(--target-prefix 2001:db8:6401::1/128 --target-prefix 2001:db8:6401::2/128 --target-port-range 80
  --target-port-range 443 --target-port-range 8080 --target-protocol 6)
for transport in DTLS TLS; do
  if [ $transport = TLS ]; then tcp=(--tcp) cuid=c-tls; else tcp=() cuid=dz6pHjaADkaFTbjr0JGBpw; fi
  dc client1.example "${tcp[@]}" mitigate put --cuid $cuid --mid 123 "${rfc[@]}" --lifetime 3600
  has "$transport: mitigate put of RFC 9132's example request" 0 out "2.01 Created"
  has "$transport: ... its answer: mid and the granted lifetime" 0 out "    mid: 123
    lifetime: 3600"
  [ "$(ctl -j mitigation list | jget "[m['prefixes'] for m in a['result']['mitigations'] if m['cuid'] == '$cuid']")" \
    = "[['2001:db8:6401::1/128', '2001:db8:6401::2/128']]" ] && ok "$transport: the mitigation is the core's (scrubctl)" ||
    fail "$transport: scrubctl mitigation list: $(ctl -j mitigation list)"
  dc client1.example "${tcp[@]}" --json mitigate get --cuid $cuid --mid 123
  json "$transport: mitigate get --json: the scope as put, status, remaining lifetime" \
    'j["code"] == "2.05" and (lambda e: e["mid"] == 123 and e["target-prefix"] == ["2001:db8:6401::1/128", "2001:db8:6401::2/128"] and e["target-port-range"] == [{"lower-port": 80}, {"lower-port": 443}, {"lower-port": 8080}] and e["target-protocol"] == [6] and 3500 <= e["lifetime"] <= 3600 and "status" in e)(j["body"]["ietf-dots-signal-channel:scope"][0])'
  dc client1.example "${tcp[@]}" mitigate get --cuid $cuid
  has "$transport: mitigate get of all the cuid's, for people" 0 out "    target-port-range
      lower-port: 80"
  dc client1.example "${tcp[@]}" mitigate put --cuid $cuid --mid 123 "${rfc[@]}" --lifetime 600
  has "$transport: mitigate put again, another lifetime" 0 out "2.04 Changed"
  dc client1.example "${tcp[@]}" efficacy --cuid $cuid --mid 123 --attack-status under-attack "${rfc[@]}" \
    --lifetime 900
  has "$transport: an efficacy update (empty If-Match): 2.04 with the new lifetime" 0 out "2.04 Changed"
  grep -q "efficacy update of mitigation $cuid/123: under-attack" "$log" && ok "$transport: ... logged" ||
    fail "$transport: no efficacy line in the log"
  dc client1.example "${tcp[@]}" efficacy --cuid $cuid --mid 99 --attack-status under-attack "${rfc[@]}"
  has "$transport: an efficacy update of no mitigation: 4.04" 1 err "4.04 Not Found: no mitigation with cuid $cuid and mid 99 to update"
  dc client1.example "${tcp[@]}" mitigate put --cuid $cuid --mid 122 --target-prefix 2001:db8:6401::1/128
  has "$transport: a lower mid overlapping the higher: 4.09, exit 1" 1 err \
    "PUT /.well-known/dots/mitigate/cuid=$cuid/mid=122: 4.09 Conflict"
  has "$transport: ... with conflict-information naming mid 123" 1 err "    conflict-information
      conflict-status: request-inactive-other-active
      conflict-cause: overlapping-targets
      conflict-scope
        mid: 123"
  dc client1.example "${tcp[@]}" mitigate put --cuid $cuid --mid 124 --target-prefix 203.0.113.0/25
  has "$transport: a prefix the client does not own: 4.03, exit 1" 1 err \
    "4.03 Forbidden: not authorized: 203.0.113.0/25 is not inside the prefixes 'client1.example' owns"
  dc client1.example "${tcp[@]}" --json mitigate put --cuid $cuid --mid 124 --target-prefix 2001:db8:6401::9/128 \
    --lifetime 0
  json "$transport: lifetime 0: 4.00 and the diagnostic, as JSON" \
    'set(j) == {"code", "diagnostic"} and j["code"] == "4.00" and j["diagnostic"].startswith("scope/lifetime is 0")'
  [ "$rc" -eq 1 ] && ok "$transport: ... exit 1" || fail "$transport: lifetime 0 exited $rc"
  dc client2.example "${tcp[@]}" mitigate put --cuid $cuid --mid 200 --target-prefix 203.0.113.0/25
  has "$transport: another identity with this cuid: 4.09 cuid-collision" 1 err "conflict-cause: cuid-collision"
  dc client1.example "${tcp[@]}" mitigate delete --cuid $cuid --mid 123
  has "$transport: mitigate delete" 0 out "2.02 Deleted"
  dc client1.example "${tcp[@]}" mitigate get --cuid $cuid --mid 123
  has "$transport: mitigate get after the delete: 4.04, exit 1" 1 err \
    "GET /.well-known/dots/mitigate/cuid=$cuid/mid=123: 4.04 Not Found"
done
dc client1.example config get
has "config get on scrubd" 0 out "heartbeat-interval: 30 (min 15, max 240)"
stop_scrubd

# --dots-cuid-from-cert: a cuid must be the one RFC 9132 section 4.4.1
# derives from the client's certificate, which dots-client uses without --cuid.
start_scrubd --dots-cuid-from-cert
derived=$("$dots_client" --cert "$pki/client1.example.crt" cuid)
dc client1.example mitigate put --mid 5 --target-prefix 2001:db8:6401::5/128
has "cuid from the certificate: a request under the derived cuid is taken" 0 out "2.01 Created"
[ "$(ctl -j mitigation list | jget "[(m['cuid'], m['mid']) for m in a['result']['mitigations']]")" = "[('$derived', 5)]" ] &&
  ok "... it is the core's under cuid $derived" || fail "... scrubctl mitigation list: $(ctl -j mitigation list)"
dc client1.example mitigate put --cuid chosen-by-hand --mid 6 --target-prefix 2001:db8:6401::6/128
has "... another cuid: 4.03 naming the derived one" 1 err \
  "4.03 Forbidden: cuid chosen-by-hand is not the one derived from the client's certificate ($derived; RFC 9132 section 4.4.1)"
dc client1.example --tcp mitigate put --cuid chosen-by-hand --mid 6 --target-prefix 2001:db8:6401::6/128
has "... over TLS too" 1 err \
  "4.03 Forbidden: cuid chosen-by-hand is not the one derived from the client's certificate ($derived; RFC 9132 section 4.4.1)"
dc client1.example --tcp mitigate get
has "... GET under the derived cuid over TLS" 0 out "mid: 5"
stop_scrubd
finish client_scrubd
