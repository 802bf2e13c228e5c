#!/usr/bin/env bash
# Session configuration on /.well-known/dots/config (RFC 9132 section 4.5)
# against libcoap's own client (coap-client-openssl) over DTLS and, as
# dots_signal_session_config_tls, TLS (a few requests over the other), bodies
# written and answers read by Debian's python3-cbor2 (independent of our
# encoder and decoder): PUT with sid (2.01, then 2.04), GET back, a value
# outside the server's range refused with 4.22 and a diagnostic, a lower sid
# and a PUT without sid refused with 4.00, another identity does not see it,
# a restart keeps it (also over the other transport), DELETE restores the defaults and a
# restart keeps that too, and --range changes what is accepted: heartbeat-
# interval 0 (no heartbeats) is refused by the default minimum 15 and
# taken with --range heartbeat-interval=0-240.
# Usage: signal_session_config.sh SERVER YANG_DIR DEV_PKI COAP_CLIENT PYTHON3
set -euo pipefail
server=$1 yang=$2 dev_pki=$3 client=$4 python=$5
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
base=/.well-known/dots/config
source "$(dirname "$0")/coap_harness.sh"

"$dev_pki" "$dir/pki" >/dev/null
pki=$dir/pki
port=$(free_port)
log=$dir/server.log
# start [server options]: the server on the same store each time
start() {
  : >"$log"
  "$server" --yang "$yang" --ca "$pki/ca.crt" --crl "$pki/ca.crl" --cert "$pki/server.crt" --key "$pki/server.key" \
    --address 127.0.0.1 --port "$port" --store "$dir/store.db" "$@" 2>"$log" &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  grep -q "listening on" "$log" || { cat "$log"; echo "FAIL: the server did not start"; exit 1; }
}
stop() {
  kill "$pid"
  if wait "$pid"; then ok "the server stops cleanly"; else fail "the server exited $? (see its log)"; cat "$log"; fi
  pid=
}

# values WHAT NAME SCHEME PATH 'python expression on c' [options]: GET, decode with cbor2 (c: the signal-config), check
values() {
  local what=$1 name=$2 scheme=$3 path=$4 check=$5; shift 5
  request "$name" "$scheme" "$path" -m get "$@"
  decoded "$what" "c = c[30]; $check"
}
# keys: 30 signal-config, 32 mitigating-config, 44 idle-config, 33 heartbeat-interval,
# 37 missing-hb-allowed, 38 max-retransmit, 39 ack-timeout, 40 ack-random-factor,
# 50 probing-rate, 34/35/36 min/max/current-value, 41/42/43 the -decimal ones
defaults='c[32][33] == {34: 15, 35: 240, 36: 30} and c[32][37][36] == 15 and c[32][38][36] == 3 and c[32][50][36] == 5 and c[32][39][43] == D("2.00") and c[32][40][43] == D("1.50") and c[44][33][36] == 30'

body "$dir/a.cbor" '{30: {32: {33: {36: 91}, 37: {36: 5}, 39: {43: T(4, [-2, 250])}}, 44: {33: {36: 120}}}}'
body "$dir/b.cbor" '{30: {32: {33: {36: 92}, 40: {43: T(4, [-2, 200])}}, 44: {33: {36: 121}, 50: {36: 7}}}}'
body "$dir/low.cbor" '{30: {32: {33: {36: 10}}, 44: {33: {36: 30}}}}'
body "$dir/high.cbor" '{30: {44: {39: {43: T(4, [-2, 3001])}}}}'
body "$dir/minmax.cbor" '{30: {32: {33: {34: 1, 36: 30}}}}'
body "$dir/c.cbor" '{30: {32: {33: {36: 60}}}}'
body "$dir/hb101.cbor" '{30: {32: {33: {36: 101}}}}'
body "$dir/hb0.cbor" '{30: {32: {33: {36: 0}}, 44: {33: {36: 0}}}}'

start
values "GET without sid: the defaults" client1.example $signal "" "$defaults"
expect "PUT sid=5, new" client1.example $signal /sid=5 "2.01" -m put -t 271 -f "$dir/a.cbor"
values "GET sid=5: what was put, absent values at their defaults, with the ranges" client1.example $signal /sid=5 \
  'c[32][33] == {34: 15, 35: 240, 36: 91} and c[32][37][36] == 5 and c[32][39] == {41: D("1.00"), 42: D("30.00"), 43: D("2.50")} and c[32][38][36] == 3 and c[44][33][36] == 120 and c[44][37][36] == 15'
expect "PUT sid=5 again" client1.example $signal /sid=5 "2.04" -m put -t 271 -f "$dir/b.cbor"
values "GET sid=5: the update" client1.example $signal /sid=5 \
  'c[32][33][36] == 92 and c[32][37][36] == 15 and c[32][39][43] == D("2.00") and c[32][40][43] == D("2.00") and c[44][33][36] == 121 and c[44][50][36] == 7'
expect "PUT sid=4, lower than the stored 5" client1.example $signal /sid=4 \
  "4.00 sid 4 is lower than the stored sid 5" -m put -t 271 -f "$dir/a.cbor"
expect "PUT heartbeat-interval 10" client1.example $signal /sid=6 \
  "4.22 mitigating-config/heartbeat-interval: 10 is outside the server's range 15 to 240" -m put -t 271 -f "$dir/low.cbor"
expect "PUT heartbeat-interval 0 (no heartbeats): the default minimum 15 refuses it" client1.example $signal /sid=6 \
  "4.22 mitigating-config/heartbeat-interval: 0 is outside the server's range 15 to 240" -m put -t 271 -f "$dir/hb0.cbor"
expect "PUT ack-timeout 30.01" client1.example $signal /sid=6 \
  "4.22 idle-config/ack-timeout: 30.01 is outside the server's range \"1.00\" to \"30.00\"" -m put -t 271 \
  -f "$dir/high.cbor"
expect "PUT with a min-value" client1.example $signal /sid=6 \
  "4.00 mitigating-config/heartbeat-interval/min-value: only the server sends min and max values" -m put -t 271 \
  -f "$dir/minmax.cbor"
expect "PUT without sid" client1.example $signal "" "4.00 a PUT needs the Uri-Path sid=N" -m put -t 271 -f "$dir/a.cbor"
expect "PUT sid=x" client1.example $signal /sid=x "4.00 after /.well-known/dots/config only one Uri-Path sid=N" \
  -m put -t 271 -f "$dir/a.cbor"
expect "PUT sid=4294967296" client1.example $signal /sid=4294967296 \
  "4.00 after /.well-known/dots/config only one Uri-Path sid=N (N in 0-4294967295) may follow" -m put -t 271 -f "$dir/a.cbor"
values "GET sid=5 after the refusals: unchanged" client1.example $signal /sid=5 'c[32][33][36] == 92'
expect "GET sid=6 (refused, so never stored)" client1.example $signal /sid=6 \
  "4.04 client1.example has no session configuration with sid 6" -m get
expect "client2 GET sid=5" client2.example $signal /sid=5 "4.04 client2.example has no session configuration with sid 5" \
  -m get
values "client2 GET without sid: the defaults" client2.example $signal "" "$defaults"
expect "client2 PUT sid=1 (its own sids)" client2.example $signal /sid=1 "2.01" -m put -t 271 -f "$dir/a.cbor"
stop

start --range heartbeat-interval=15-100
values "after a restart, GET sid=5 over $signal: kept" client1.example $signal /sid=5 \
  'c[32][33][36] == 92 and c[44][50][36] == 7 and c[32][40][43] == D("2.00")'
values "after a restart, GET sid=5 over $other: kept" client1.example $other /sid=5 'c[32][33][36] == 92'
values "after a restart, client2's sid=1 kept" client2.example $signal /sid=1 'c[32][33][36] == 91'
values "--range heartbeat-interval=15-100: GET shows it" client1.example $signal "" 'c[32][33] == {34: 15, 35: 100, 36: 30}'
expect "--range heartbeat-interval=15-100: 101 refused" client1.example $signal /sid=7 \
  "4.22 mitigating-config/heartbeat-interval: 101 is outside the server's range 15 to 100" -m put -t 271 \
  -f "$dir/hb101.cbor"
expect "DELETE sid=5" client1.example $signal /sid=5 "2.02" -m delete
expect "GET sid=5 after DELETE" client1.example $signal /sid=5 "4.04 client1.example has no session configuration with sid 5" \
  -m get
values "GET without sid after DELETE: the defaults" client1.example $signal "" \
  "c[32][33] == {34: 15, 35: 100, 36: 30} and c[44][33][36] == 30"
expect "PUT sid=1 after DELETE: new (the lower-sid rule needs a stored sid)" client1.example $other /sid=1 "2.01" \
  -m put -t 271 -f "$dir/c.cbor"
expect "DELETE without sid" client1.example $other "" "2.02" -m delete
values "client2's configuration is untouched" client2.example $signal /sid=1 'c[32][33][36] == 91'
stop

start --range heartbeat-interval=0-240
expect "after a restart, client1's deleted configuration stays deleted" client1.example $signal /sid=1 \
  "4.04 client1.example has no session configuration with sid 1" -m get
values "after a restart, client2's is still there" client2.example $signal /sid=1 'c[32][33][36] == 91'
expect "--range heartbeat-interval=0-240: heartbeat-interval 0 taken" client1.example $signal /sid=2 "2.01" -m put \
  -t 271 -f "$dir/hb0.cbor"
values "... GET sid=2: 0 in both, the range from 0" client1.example $signal /sid=2 \
  'c[32][33] == {34: 0, 35: 240, 36: 0} and c[44][33][36] == 0'
stop

if "$server" --yang "$yang" --ca "$pki/ca.crt" --cert "$pki/server.crt" --key "$pki/server.key" --store "$dir/store.db" \
  --address 127.0.0.1 --port "$port" --range heartbeat-interval=40-60 2>"$dir/bad.log"; then
  fail "a range without the default 30 was accepted"
elif grep -qF "range of heartbeat-interval: 40-60 does not hold the RFC 9132 default 30" "$dir/bad.log"; then
  ok "a range without the default is refused at start"
else
  fail "a range without the default: $(cat "$dir/bad.log")"
fi

finish signal_session_config
