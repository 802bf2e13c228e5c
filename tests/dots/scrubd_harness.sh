# What the tests of the DOTS edge inside scrubd share (sourced after
# coap_harness.sh): the development PKI, a free port, demo.json with client
# identities, and scrubd serving DOTS on 127.0.0.1. Expects $dir, $python,
# $dev_pki, $demo, $scrubd, $scrubctl and $yang.
"$dev_pki" "$dir/pki" >/dev/null
pki=$dir/pki
port=$(free_port)
log=$dir/scrubd.log
pid=
# At exit scrubd and the test's background observers ($observers) are
# stopped and $dir removed; a test with more to stop sets its own trap.
observers=
scrubd_cleanup() { for p in $pid $observers; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap scrubd_cleanup EXIT

# scrubd_config [monitor-only]: $dir/scrubd.json, demo.json with acme acting
# as client1.example (also owning the RFC 9132 examples' 2001:db8:6401::/48)
# and globex as client2.example; monitor-only: both counted, not filtered.
# The tenant whose identity is $gateway (if set) is a DOTS gateway; every
# tenant's conflict-policy is $conflict_policy (if set).
scrubd_config() {
  "$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
for t in c['scrub-config:scrub-config']['tenant']:
    t['identity'] = {'acme': 'client1.example', 'globex': 'client2.example'}[t['name']]
    if t['name'] == 'acme':
        t['protected-prefix'].append('2001:db8:6401::/48')
    if sys.argv[3]:
        t['monitor-only'] = True
    if t['identity'] == sys.argv[4]:
        t['gateway'] = True
    if sys.argv[5]:
        t['conflict-policy'] = sys.argv[5]
json.dump(c, open(sys.argv[2], 'w'))" "$demo" "$dir/scrubd.json" "${1:-}" "${gateway:-}" "${conflict_policy:-}"
}

# start_scrubd [scrubd options]: on the card model (-b overrides), with
# the signal channel on $address (default 127.0.0.1), the store and
# control socket in $dir; waits for it. A DELETE withdraws at once unless
# the test gives --dots-terminating-s (the active-but-terminating period).
start_scrubd() {
  [ -f "$dir/scrubd.json" ] || scrubd_config
  : >"$log"
  "$scrubd" -f "$dir/scrubd.json" -S "$dir/store.db" -s "$dir/ctl.sock" -b model --watchdog-ms 0 --stats-ms 200 \
    --dots-terminating-s 0 --dots-yang "$yang" --dots-ca "$pki/ca.crt" --dots-crl "$pki/ca.crl" --dots-cert "$pki/server.crt" \
    --dots-key "$pki/server.key" --dots-address "${address:-127.0.0.1}" --dots-port "$port" "$@" 2>"$log" &
  pid=$!
  for _ in $(seq 300); do grep -q "ready:" "$log" && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  cat "$log"
  echo "FAIL: scrubd did not start"
  exit 1
}

stop_scrubd() {
  kill "$pid"
  if wait "$pid"; then ok "scrubd stops cleanly"; else fail "scrubd exited $? (see its log)"; fi
  pid=
}

ctl() { "$scrubctl" -s "$dir/ctl.sock" "$@"; }
