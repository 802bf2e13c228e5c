#!/usr/bin/env bash
# scrubd and scrubctl against scrub-simcard (model or RTL core): start without a
# card, status, counters, the watchdog, config check and reload (SIGHUP and
# the socket, a bad file refused and the old configuration kept), bad and
# concurrent control requests, SIGTERM, SIGKILL and a restart that leaves
# the programmed card as it is.
# Then traffic replayed through the card while scrubd polls its counters:
# rates over the last interval, totals growing.
# usage: daemon.sh SCRUB-SIMCARD SCRUBD SCRUBCTL DEMO_JSON INVALID_DIR MAX_REQUEST PYTHON3 TRAFGEN CORE
# CORE: the simcard's core, model or rtl (the Verilated card).
set -euo pipefail
simcard=$1 scrubd=$2 scrubctl=$3 demo=$4 invalid=$5 max_request=$6 python=$7 trafgen=$8 core=$9
here=$(cd "$(dirname "$0")" && pwd)
test=daemon
source "$here/lib.sh"
cp "$demo" "$config"

# start_scrubd LOG ARGS...: in the background; returns once it is ready.
start_scrubd() {
  local log=$1; shift
  "$scrubd" -f "$config" -S "$store" -s "$sock" --watchdog-ms 400 --kick-ms 50 "$@" 2>"$work/$log" &
  scrubd_pid=$!
  for _ in $(seq 400); do
    grep -q "ready:" "$work/$log" && return 0
    kill -0 "$scrubd_pid" 2>/dev/null || fail "scrubd exited at start"
    sleep 0.05
  done
  fail "scrubd not ready after 20 s"
}
# stop_scrubd: SIGTERM; exit status 0 and the socket removed.
stop_scrubd() {
  kill -TERM "$scrubd_pid"
  local rc=0
  wait "$scrubd_pid" || rc=$?
  scrubd_pid=
  [ "$rc" -eq 0 ] || fail "scrubd exited with $rc after SIGTERM"
  [ ! -e "$sock" ] || fail "the control socket is still there after SIGTERM"
}
checks=0
ok() { checks=$((checks + 1)); }

# --- No simcard: a clear start error naming the channel, no socket left.
rc=0
"$scrubd" -f "$config" -S "$store" -s "$sock" 2>"$work/scrubd-nocard.log" || rc=$?
[ "$rc" -eq 1 ] || fail "scrubd without a simcard exited with $rc, not 1"
grep -q "not started: opening the card (backend 'simcard'): simcard backend: channel ${SCRUB_SIMCARD_SHM}: no scrub-simcard running" \
  "$work/scrubd-nocard.log" || fail "the start error does not name the channel"
[ ! -e "$sock" ] || fail "a socket was left by a failed start"
ok
# Nor is a bad configuration started with.
rc=0
"$scrubd" -f "$invalid/syntax.json" -S "$store" -s "$sock" 2>"$work/scrubd-badcfg.log" || rc=$?
[ "$rc" -eq 1 ] && grep -q "not started: .*syntax.json:5:" "$work/scrubd-badcfg.log" || fail "bad configuration at start"
ok
# And scrubctl says which socket it tried.
out=$(ctl status 2>&1) && fail "scrubctl status without a daemon succeeded"
[[ $out == *"cannot reach scrubd at $sock"*"is scrubd running?"* ]] || fail "scrubctl without a daemon: $out"
ok

# An unknown socket group is a start error naming it, and leaves no socket.
rc=0
"$scrubd" -f "$config" -S "$store" -s "$sock" -b model --socket-group no-such-group-$$ 2>"$work/scrubd-group.log" || rc=$?
[ "$rc" -eq 1 ] && grep -q "not started: control socket $sock: no group 'no-such-group-$$' (--socket-group)" \
  "$work/scrubd-group.log" || fail "unknown socket group"
[ ! -e "$sock" ] || fail "a socket was left by a failed start"
ok

# start_simcard ARGS...: a fresh card on the test's channel.
start_simcard() {
  rm -f "$work/simcard.log"
  "$simcard" --core "$core" "$@" >"$work/simcard.txt" 2>"$work/simcard.log" &
  simcard_pid=$!
  for _ in $(seq 200); do grep -q "ready:" "$work/simcard.log" && return 0; sleep 0.05; done
  fail "scrub-simcard not ready"
}

# --- The card and the daemon.
start_simcard
start_scrubd scrubd.log
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), not 660"
grep -q "card: fresh from reset: programmed with $config" "$work/scrubd.log" || fail "the fresh card was not programmed"
ok

out=$(ctl status) || fail "scrubctl status: $out"
for want in "backend       simcard (spec 'simcard')" "magic 0x53435242, register map 1.0, filtering on" \
  "  dest                  4 / 256" "  acl                  24 / 64" "tenants     acme, globex" \
  "watchdog      400 ms, kicked every 50 ms"; do
  [[ $out == *"$want"* ]] || fail "status lacks '$want': $out"
done
ok
json=$(ctl -j status)
[ "$(jget 'a["ok"], a["result"]["card"]["tables"]["em"]["used"], a["result"]["watchdog"]["timeout_ms"], a["result"]["config"]["generation"]' <<<"$json")" \
  = "True 3 400 1" ] || fail "status -j: $json"
ok
# The watchdog is kicked from the timer and has not expired.
for _ in $(seq 200); do
  kicks=$(ctl -j status | jget 'a["result"]["watchdog"]["kicks"]')
  [ "$kicks" -ge 5 ] && break
  sleep 0.05
done
[ "$kicks" -ge 5 ] || fail "the watchdog was kicked $kicks times"
[ "$(ctl -j status | jget 'a["result"]["watchdog"]["expired"], a["result"]["watchdog"]["kick_errors"]')" = "False 0" ] ||
  fail "watchdog state"
ok

out=$(ctl counters) || fail "scrubctl counters: $out"
[[ $out == *"rx                              0           0 B"* ]] || fail "counters: $out"
[ "$(ctl -j counters | jget 'a["result"]["global"]["rx"]["packets"], len(a["result"]["global"])')" = "0 18" ] ||
  fail "counters -j"
ok

# --- Configuration check (offline) and reload.
out=$(ctl config check "$demo") && [[ $out == "$demo: valid (2 tenants, 3 profiles, 4 policers)" ]] || fail "check: $out"
out=$(ctl config check "$invalid/range.json" 2>&1) && fail "range.json passed the check"
[[ $out == *"range.json:4: /scrub-config:scrub-config/policer[name='flood']/per-source-bits:"* ]] || fail "check: $out"
out=$(ctl -j config check "$invalid/overlap.json") && fail "overlap.json passed the check"
[ "$(jget 'a["ok"], "overlaps" in a["error"]' <<<"$out")" = "False True" ] || fail "check -j: $out"
ok

out=$(ctl config reload) && [[ $out == *"reloaded: generation 2; tenants acme, globex"* ]] || fail "reload: $out"
ok
# A bad file, by SIGHUP and by the socket: refused with its error, the
# running configuration kept.
cp "$invalid/unknown-leaf.json" "$config"
kill -HUP "$scrubd_pid"
for _ in $(seq 200); do grep -q "reload refused" "$work/scrubd.log" && break; sleep 0.05; done
grep -q "reload refused, the running configuration (generation 2) is kept: $config:5: .*\"colour\" not found" \
  "$work/scrubd.log" || fail "SIGHUP with a bad file: no refusal logged"
out=$(ctl config reload 2>&1) && fail "reload of a bad file succeeded"
[[ $out == *"reload refused, the running configuration (generation 2) is kept: $config:5:"* ]] || fail "reload: $out"
[ "$(ctl -j status | jget 'a["result"]["config"]["generation"], a["result"]["config"]["tenants"]')" = "2 ['acme', 'globex']" ] ||
  fail "the running configuration changed after a refused reload"
ok
# A good file by SIGHUP: taken (acme alone).
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
c['scrub-config:scrub-config']['tenant'] = [t for t in c['scrub-config:scrub-config']['tenant'] if t['name'] == 'acme']
json.dump(c, open(sys.argv[2], 'w'))" "$demo" "$config"
kill -HUP "$scrubd_pid"
for _ in $(seq 200); do
  [ "$(ctl -j status | jget 'a["result"]["config"]["generation"]')" = 3 ] && break
  sleep 0.05
done
[ "$(ctl -j status | jget 'a["result"]["config"]["generation"], a["result"]["config"]["tenants"]')" = "3 ['acme']" ] ||
  fail "SIGHUP with a good file was not taken"
ok
# Every reload is in the store's audit log.
audit=$("$python" -c "
import sqlite3, sys
for who, ch, res in sqlite3.connect(sys.argv[1]).execute('select who, channel, result from audit order by id'):
    print(who.split(' ')[0], ch, 'ok' if res == 'ok' else 'refused' if 'reload refused' in res else res)" "$store")
[ "$audit" = "$(printf 'uid control ok\nSIGHUP config refused\nuid control refused\nSIGHUP config ok')" ] ||
  fail "audit log: $audit"
ok

# --- Bad, oversized and concurrent control requests.
"$python" "$here/raw_requests.py" "$sock" "$max_request" || fail "raw requests"
kill -0 "$scrubd_pid" || fail "scrubd died on bad requests"
ok

# --- The card lost and back: the simcard killed, status says the card is
# not reachable (the daemon still answers), a new simcard (fresh from
# reset) is reopened and programmed again.
kill -KILL "$simcard_pid"
wait "$simcard_pid" || true
simcard_pid=
for _ in $(seq 200); do grep -q "card: lost: " "$work/scrubd.log" && break; sleep 0.05; done
grep -q "card: lost: simcard backend: channel ${SCRUB_SIMCARD_SHM}: " "$work/scrubd.log" || fail "the lost card was not noticed"
[ "$(ctl -j status | jget 'a["ok"], a["result"]["card"]["reachable"], "not reachable" in a["result"]["card"]["error"]')" \
  = "True False True" ] || fail "status while the card is lost: $(ctl -j status)"
out=$(ctl counters 2>&1) && fail "counters while the card is lost succeeded"
[[ $out == *"the card is not reachable (simcard backend: channel ${SCRUB_SIMCARD_SHM}: "*"scrubd tries to reopen it every 50 ms"* ]] ||
  fail "counters while the card is lost: $out"
[[ $(ctl status) == *"card          NOT REACHABLE: the card is not reachable"* ]] || fail "status (human) while lost"
start_simcard
for _ in $(seq 200); do [ "$(grep -c "card: fresh from reset: programmed" "$work/scrubd.log")" = 2 ] && break; sleep 0.05; done
grep -q "card: reopened after" "$work/scrubd.log" || fail "the card was not reopened"
[ "$(ctl -j status | jget 'a["result"]["card"]["reachable"], a["result"]["card"]["enabled"], a["result"]["card"]["programmed_by_scrubd"]')" \
  = "True True True" ] || fail "status after the card came back: $(ctl -j status)"
[ "$(grep -c "card: fresh from reset: programmed" "$work/scrubd.log")" = 2 ] || fail "the new card was not programmed"
ok

# --- SIGTERM: clean exit, socket removed; the card keeps filtering.
stop_scrubd
ok
# SIGKILL leaves the socket; the next start replaces it, and finds the card
# programmed: it is read back and holds what the store says, so nothing is
# written (no commit, still filtering).
start_scrubd scrubd2.log --socket-mode 0600 --socket-group "$(id -gn)"
[ "$(stat -c '%a %G' "$sock")" = "600 $(id -gn)" ] || fail "socket mode and group: $(stat -c '%a %G' "$sock")"
grep -q "card: already programmed (filtering on, 1 commits): reconciled with the store: 0 writes" "$work/scrubd2.log" ||
  fail "restart did not leave the card as it is"
[ "$(ctl -j status | jget 'a["result"]["card"]["enabled"], a["result"]["card"]["commit_count"], a["result"]["card"]["tables"]["dest"]["used"]')" \
  = "True 1 2" ] || fail "status after restart"
kill -KILL "$scrubd_pid"
wait "$scrubd_pid" || true
scrubd_pid=
[ -S "$sock" ] || fail "SIGKILL should leave the socket file"
start_scrubd scrubd3.log
grep -q "removed the stale socket $sock" "$work/scrubd3.log" || fail "the stale socket was not replaced"
ctl status >/dev/null || fail "status after a stale socket"
stop_scrubd
ok

kill -TERM "$simcard_pid"
wait "$simcard_pid" || fail "scrub-simcard exited with an error"
simcard_pid=

# --- Rates: a fresh card replaying 500 packets/s of the demo mix for 20 s
# (stopped well before its end); scrubd polls its counters every 200 ms.
"$trafgen" --packets 10000 --duration-ms 20000 "$work/mix.pcap" "$work/mix.labels" >/dev/null
rm -f "$store"*
start_simcard --in-pcap "$work/mix.pcap" --speed 1
start_scrubd scrubd4.log --stats-ms 200
rates='a["result"]["global"]["rx"]["packets"], bool(a["result"]["rates"]) and all(a["result"]["rates"]["global"][k]["pps"] > 0 for k in ("rx", "tx", "drop_acl"))'
for _ in $(seq 200); do
  read -r rx1 moving < <(ctl -j counters | jget "$rates")
  [ "$moving" = True ] && break
  sleep 0.05
done
[ "$moving" = True ] || fail "no rates while traffic flows: $(ctl -j counters)"
for _ in $(seq 200); do
  read -r rx2 moving < <(ctl -j counters | jget "$rates")
  [ "$rx2" -gt "$rx1" ] && break
  sleep 0.05
done
[ "$rx2" -gt "$rx1" ] || fail "rx does not grow while traffic flows ($rx1, then $rx2)"
out=$(ctl counters)
[[ $out == *"rates over the daemon's last poll interval"* ]] || fail "counters without rates: $out"
ok
stop_scrubd
kill -TERM "$simcard_pid"
wait "$simcard_pid" || fail "scrub-simcard exited with an error"
simcard_pid=
echo "daemon: $checks checks passed"
