#!/usr/bin/env bash
# Mitigations end to end through scrubctl, scrubd and scrub-simcard
# (model core, or the Verilated card): NTP reflection replayed in real time towards globex, a
# monitor-only tenant in this test's configuration, passes while globex is
# counted only; a mitigation makes it drop (its own counters and rates say
# so), withdrawal restores passing and reports the final totals; refusals
# (authorization, quota, operator-only profile, unknown client) with their
# messages; two tenants' source lists with the same source, each applying
# to its own traffic only; the live view (top) and an online backup;
# run-time clients and sources; a restart that writes nothing;
# lifetimes expiring under the daemon and while it was down; the audit log.
# usage: mitigations.sh SCRUB-SIMCARD SCRUBD SCRUBCTL DEMO_JSON PYTHON3 ATTACK_PCAP_PY CORE
# CORE: the simcard's core, model or rtl.
set -euo pipefail
simcard=$1 scrubd=$2 scrubctl=$3 demo=$4 python=$5 attack=$6 core=$7
test=mitigations
source "$(dirname "$0")/lib.sh"
checks=0
ok() { checks=$((checks + 1)); }

# globex monitor-only: counted in peace time, filtered only while mitigated.
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
for t in c['scrub-config:scrub-config']['tenant']:
    if t['name'] == 'globex':
        t['monitor-only'] = True
json.dump(c, open(sys.argv[2], 'w'))" "$demo" "$config"
# 100 packets/s of NTP reflection to globex for 600 s: the simcard exits when
# its capture ends, so the capture must outlast the test (about a minute, more
# under load).
"$python" "$attack" "$work/attack.pcap" 60000 600

start_simcard() {
  "$simcard" --core "$core" "$@" >"$work/simcard.txt" 2>"$work/simcard.log" &
  simcard_pid=$!
  for _ in $(seq 200); do grep -q "ready:" "$work/simcard.log" && return 0; sleep 0.05; done
  fail "scrub-simcard not ready"
}
start_scrubd() {
  local log=$1; shift
  "$scrubd" -f "$config" -S "$store" -s "$sock" --watchdog-ms 0 --stats-ms 200 "$@" 2>"$work/$log" &
  scrubd_pid=$!
  for _ in $(seq 400); do
    grep -q "ready:" "$work/$log" && return 0
    kill -0 "$scrubd_pid" 2>/dev/null || fail "scrubd exited at start"
    sleep 0.05
  done
  fail "scrubd not ready after 20 s"
}
stop_scrubd() {
  kill -TERM "$scrubd_pid"
  wait "$scrubd_pid" || fail "scrubd exited with an error"
  scrubd_pid=
}

start_simcard --in-pcap "$work/attack.pcap" --speed 1
start_scrubd scrubd.log
grep -q "card: fresh from reset: programmed" "$work/scrubd.log" || fail "the fresh card was not programmed"

# --- Peace time: globex is monitor-only, the attack passes.
wait_for '[ "$(global pass_unprotected)" -ge 50 ]'
[ "$(global drop_acl)" = 0 ] || fail "dropped before any mitigation"
ok

# --- Refusals, each with what to do.
out=$(ctl mitigation add globex 198.51.100.0/24 2>&1) && fail "a prefix of acme's was accepted for globex"
[[ $out == *"not authorized: 198.51.100.0/24 is not inside the prefixes 'globex' owns (203.0.113.0/24 2001:db8:200::/48)"* ]] ||
  fail "authorization refusal: $out"
out=$(ctl mitigation add initech 192.0.2.0/25 2>&1) && fail "an unknown client was accepted"
[[ $out == *"unknown client 'initech': configure it as a tenant, or add it (scrubctl client add initech PREFIX...)"* ]] ||
  fail "unknown client: $out"
out=$(ctl mitigation add globex 203.0.113.0/25 --profile nope 2>&1) && fail "an unknown profile was accepted"
[[ $out == *"unknown profile 'nope'"* ]] || fail "unknown profile: $out"
out=$(ctl mitigation add globex not-a-prefix 2>&1) && fail "a bad prefix was accepted"
[[ $out == *'"prefixes"[0] not-a-prefix is not a prefix such as 198.51.100.0/26'* ]] || fail "bad prefix: $out"
ok

# --- The mitigation: the attack drops, its own counters say so.
before=$(global drop_acl)
out=$(ctl mitigation add globex 203.0.113.0/25 --lifetime 600) || fail "mitigation add: $out"
[[ $out == "mitigation scrubctl-globex/0 created for globex, lifetime 10m 0s" ]] || fail "mitigation add: $out"
wait_for '[ "$(global drop_acl)" -ge $((before + 50)) ]'
wait_for '[ "$(ctl -j mitigation show scrubctl-globex 0 | jget "a[\"result\"][\"traffic\"][\"dropped\"][\"pps\"] or 0")" != 0 ]'
json=$(ctl -j mitigation show scrubctl-globex 0)
[ "$(jget 'a["result"]["installed"], a["result"]["status"], a["result"]["profile"], a["result"]["prefixes"]' <<<"$json")" \
  = "True active strict ['203.0.113.0/25']" ] || fail "mitigation show: $json"
read -r offered dropped pps < <(jget 'a["result"]["traffic"]["offered"]["packets"], a["result"]["traffic"]["dropped"]["packets"], a["result"]["traffic"]["dropped"]["pps"]' <<<"$json")
[ "$offered" -gt 0 ] && [ "$offered" = "$dropped" ] || fail "mitigation counters: offered $offered, dropped $dropped"
"$python" -c "import sys; sys.exit(0 if 5 < float(sys.argv[1]) < 500 else 1)" "$pps" || fail "drop rate $pps pps"
out=$(ctl mitigation list)
[[ $out == *"globex       scrubctl-globex/0      active    strict"*"203.0.113.0/25"* ]] || fail "mitigation list: $out"
[ "$(ctl -j status | jget 'a["result"]["card"]["tables"]["dest"]["used"]')" = 5 ] || fail "status dest fill"
ok

# --- Source lists are per tenant: acme blocking the attack's source
# (192.0.2.50) leaves globex's traffic from it to globex's rules (the
# mitigation's ACL); globex blocking it drops it before the ACL, and
# acme's removal leaves globex's entry alone.
src=$(global drop_src) acl=$(global drop_acl)
ctl source add acme 192.0.2.50 drop >/dev/null || fail "source add acme"
wait_for '[ "$(global drop_acl)" -ge $((acl + 30)) ]'
[ "$(global drop_src)" = "$src" ] || fail "acme's block list dropped globex's traffic"
ctl source add globex 192.0.2.50 drop >/dev/null || fail "source add globex"
src=$(global drop_src)
wait_for '[ "$(global drop_src)" -ge $((src + 30)) ]'
ctl source remove acme 192.0.2.50 >/dev/null || fail "source remove acme"
src=$(global drop_src) acl=$(global drop_acl)
wait_for '[ "$(global drop_src)" -ge $((src + 30)) ]'
[ $(($(global drop_acl) - acl)) -le 2 ] || fail "acme's removal undid globex's entry"
ctl source remove globex 192.0.2.50 >/dev/null || fail "source remove globex"
acl=$(global drop_acl)
wait_for '[ "$(global drop_acl)" -ge $((acl + 30)) ]'
ok

# --- The live view, without a terminal: two frames a second apart, each
# with the counters and the mitigation; with -j a JSON object a line whose
# drop counts grow.
out=$(ctl top --count 2)
[ "$(grep -c '^scrubd at .*, every 1 s$' <<<"$out")" = 2 ] || fail "top: not two frames: $out"
[ "$(grep -c 'globex       scrubctl-globex/0      active' <<<"$out")" = 2 ] || fail "top: the mitigation: $out"
[ "$(grep -c '^drop_acl ' <<<"$out")" = 2 ] || fail "top: the counters: $out"
ctl -j top --count 2 >"$work/top.jsonl"
"$python" -c "
import json, sys
frames = [json.loads(l) for l in open(sys.argv[1])]
d = [f['mitigations']['mitigations'][0]['traffic']['dropped']['packets'] for f in frames]
sys.exit(0 if len(frames) == 2 and 0 < d[0] < d[1] and frames[1]['counters']['global']['drop_acl']['packets'] > 0 else 1)
" "$work/top.jsonl" || fail "top -j: $(cat "$work/top.jsonl")"
out=$(ctl top --interval 0 2>&1) && fail "top --interval 0 was taken"
[[ $out == *"--interval '0': not a number from 1 to 3600"* ]] || fail "top --interval 0: $out"
ok

# --- An online backup while traffic is counted: a new file only, relative
# paths made absolute; the copy holds the mitigation.
(cd "$work" && ctl backup copy.db) | grep -q "^store copied to $work/copy.db (schema version [0-9]*)" ||
  fail "backup: $(cd "$work" && ctl backup copy2.db 2>&1)"
"$python" -c "
import sqlite3, sys
n = sqlite3.connect(sys.argv[1]).execute('select count(*) from mitigation').fetchone()[0]
sys.exit(0 if n == 1 else 1)" "$work/copy.db" || fail "the backup does not hold the mitigation"
out=$(ctl backup "$work/copy.db" 2>&1) && fail "a backup over an existing file was taken"
[[ $out == *"path '$work/copy.db' exists; the copy never replaces a file"* ]] || fail "backup over a file: $out"
out=$(ctl backup "$work/no/such/dir/copy.db" 2>&1) && fail "a backup into a missing directory was taken"
[[ $out == *"$work/no/such/dir/copy.db"* ]] || fail "backup into a missing directory: $out"
ok

# --- An update (same cuid and mid, another profile) keeps its counters.
ctl mitigation add globex 203.0.113.0/25 --mid 0 --profile standard --lifetime 600 | grep -q "updated" ||
  fail "update"
after=$(ctl -j mitigation show scrubctl-globex 0 | jget 'a["result"]["traffic"]["offered"]["packets"]')
[ "$after" -ge "$offered" ] || fail "the update lost the counters ($offered, then $after)"
ok

# --- A restart next to the card writes nothing; the mitigation stays, and
# no attack packet passes while scrubd is away or coming back (the card
# keeps filtering; all the traffic is the attack).
passed=$(global pass_unprotected)
dropped=$(global drop_acl)
stop_scrubd
sleep 0.5
start_scrubd scrubd2.log
grep -q "reconciled with the store: 0 writes" "$work/scrubd2.log" || fail "restart wrote to the card"
[ "$(global pass_unprotected)" = "$passed" ] || fail "attack packets passed during the restart"
[ "$(global drop_acl)" -gt "$dropped" ] || fail "no traffic during the restart"
[ "$(ctl -j mitigation list | jget 'len(a["result"]["mitigations"])')" = 1 ] || fail "the mitigation is gone"
ok

# --- Reloads: one that takes away the profile the mitigation uses is
# refused (the running configuration kept); one that changes a policer is
# synced onto the card and the mitigation stays.
cp "$config" "$work/good.json"
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
c['scrub-config:scrub-config']['profile'] = [p for p in c['scrub-config:scrub-config']['profile'] if p['name'] != 'standard']
for t in c['scrub-config:scrub-config']['tenant']:
    t['profile'] = 'strict'
json.dump(c, open(sys.argv[1], 'w'))" "$config"
out=$(ctl config reload 2>&1) && fail "a reload without the mitigation's profile was taken"
[[ $out == *"reload refused, the running configuration (generation 1) is kept: mitigation scrubctl-globex/0 uses profile 'standard', which is not configured"* ]] ||
  fail "reload refusal: $out"
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
c['scrub-config:scrub-config']['policer'][0]['rate'] = '3000'
json.dump(c, open(sys.argv[2], 'w'))" "$work/good.json" "$config"
commits=$(ctl -j status | jget 'a["result"]["card"]["commit_count"]')
out=$(ctl -j config reload) || fail "reload: $out"
[ "$(jget 'a["result"]["generation"], a["result"]["card_synced"]' <<<"$out")" = "2 True" ] || fail "reload: $out"
[ "$(ctl -j status | jget 'a["result"]["card"]["commit_count"]')" = $((commits + 1)) ] || fail "the reload did not commit"
grep -q "reloaded (generation 2" "$work/scrubd2.log" || fail "reload not logged"
[ "$(ctl -j mitigation show scrubctl-globex 0 | jget 'a["result"]["installed"]')" = True ] || fail "the mitigation is gone after a reload"
ok

# --- Withdrawal: final totals, the attack passes again.
out=$(ctl mitigation withdraw scrubctl-globex 0) || fail "withdraw: $out"
[[ $out == "mitigation scrubctl-globex/0 withdrawn; in all it saw "*" pkt "*" and dropped "* ]] || fail "withdraw: $out"
passed=$(global pass_unprotected)
dropped=$(global drop_acl)
wait_for '[ "$(global pass_unprotected)" -ge $((passed + 50)) ]'
d2=$(global drop_acl)
[ $((d2 - dropped)) -le 2 ] || fail "still dropping after the withdrawal ($dropped, then $d2)"
out=$(ctl mitigation list)
[[ $out == "no mitigations"* ]] || fail "list after withdraw: $out"
ok

# --- Run-time clients: quotas, sources, removal withdraws.
ctl client add initech 192.0.2.128/25 --profile strict --max-mitigations 1 --max-sources 1 >/dev/null ||
  fail "client add"
out=$(ctl client add hooli 203.0.113.128/25 --profile strict 2>&1) && fail "an overlapping client was added"
[[ $out == *"203.0.113.128/25 overlaps 203.0.113.0/24, which 'globex' owns"* ]] || fail "overlap: $out"
ctl mitigation add initech 192.0.2.128/26 >/dev/null || fail "initech's first mitigation"
out=$(ctl mitigation add initech 192.0.2.192/26 2>&1) && fail "the quota let a second one through"
[[ $out == *"quota: client 'initech' has 1 mitigations of its quota of 1"* ]] || fail "quota: $out"
out=$(ctl mitigation add initech 192.0.2.192/26 --profile blackhole --mid 0 --lifetime 60) || fail "operator blackhole: $out"
ctl source add initech 198.18.0.1 drop >/dev/null || fail "source add"
out=$(ctl source add initech 198.18.0.2 drop 2>&1) && fail "the source quota let a second one through"
[[ $out == *"quota: client 'initech' has 1 source entries of its quota of 1"* ]] || fail "source quota: $out"
out=$(ctl source list initech)
[[ $out == *"initech"*"198.18.0.1"*"drop"*"run-time"* ]] || fail "source list: $out"
out=$(ctl client list)
[[ $out == *"initech           65535 run-time      strict     1/256/1"*"1         1  192.0.2.128/25"* ]] || fail "client list: $out"
out=$(ctl client remove initech 2>&1) && fail "a client with mitigations was removed without --withdraw"
[[ $out == *"client 'initech' has 1 mitigations; withdraw them first, or remove the client with --withdraw"* ]] ||
  fail "client remove: $out"
ctl client remove initech --withdraw >/dev/null || fail "client remove --withdraw"
[ "$(ctl -j mitigation list | jget 'len(a["result"]["mitigations"])')" = 0 ] || fail "initech's mitigation stayed"
[ "$(ctl -j status | jget 'a["result"]["card"]["tables"]["em"]["used"], a["result"]["card"]["tables"]["dest"]["used"]')" = "3 4" ] ||
  fail "the card still holds initech's entries: $(ctl -j status)"
ok

# --- Lifetimes: one expires under the daemon, one while it is down.
ctl mitigation add acme 198.51.100.0/26 --lifetime 1 >/dev/null || fail "short mitigation"
wait_for '[ "$(ctl -j mitigation list | jget "len(a[\"result\"][\"mitigations\"])")" = 0 ]'
grep -q "mitigations: 1 expired and withdrawn" "$work/scrubd2.log" || fail "the expiry was not logged"
ctl mitigation add acme 198.51.100.64/26 --lifetime 2 >/dev/null || fail "short mitigation"
stop_scrubd
sleep 2.5
start_scrubd scrubd3.log
[ "$(ctl -j mitigation list | jget 'len(a["result"]["mitigations"])')" = 0 ] || fail "expired while down, still there"
[ "$(ctl -j status | jget 'a["result"]["card"]["tables"]["dest"]["used"]')" = 4 ] || fail "its entry is still on the card"
ok

# --- The audit log has every change and refusal, with who and channel.
out=$(ctl audit)
for want in "control  uid " "mitigation put client=globex cuid=scrubctl-globex mid=0 prefixes=203.0.113.0/25 profile=(default) lifetime=600 -> ok" \
  "-> not authorized: 198.51.100.0/24 is not inside" "mitigation withdraw cuid=scrubctl-globex mid=0 -> ok" \
  "client remove initech withdraw -> ok" "scrubd: mitigation expired scrubctl-acme/"; do
  [[ $out == *"$want"* ]] || fail "audit lacks '$want': $out"
done
ok

stop_scrubd
kill -TERM "$simcard_pid"
wait "$simcard_pid" || true
simcard_pid=
echo "mitigations ($core): $checks checks passed"
