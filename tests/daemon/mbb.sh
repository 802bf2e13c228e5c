#!/usr/bin/env bash
# Make-before-break under traffic: one mitigation of globex (monitor-only
# in this test's configuration, so without the mitigation its traffic
# passes) updated 100 times through scrubctl, its profile alternating A
# (drop UDP) and B (drop UDP and ICMP; ACL entries only, no policers, so
# verdicts are per packet), while scrub-simcard replays UDP, ICMP and TCP
# to the mitigated prefixes. Every frame's verdict from the card must be
# scrub-model's under A or under B (mbb_judge.py): a UDP frame that passed
# means the mitigation was missing during an update (break before make).
# Also: the card saw every frame given to it, the updates alternated (the
# audit log), one commit each, and ICMP's verdict switched with them.
# usage: mbb.sh SCRUB-SIMCARD SCRUBD SCRUBCTL SCRUB-MODEL DEMO_JSON PYTHON3 TESTS_DIR CORE
# CORE: the simcard's core, model or rtl.
set -euo pipefail
simcard=$1 scrubd=$2 scrubctl=$3 model=$4 demo=$5 python=$6 dir=$7 core=$8
test=mbb wait_s=30
source "$dir/lib.sh"
updates=100

# scrubd's configuration (globex monitor-only, profiles A and B added), and
# the model's under A and under B (globex filtered with that profile).
"$python" -c "
import json, sys
c = json.load(open(sys.argv[1]))
s = c['scrub-config:scrub-config']
def drop(name, proto):
    return {'name': name, 'matches': {proto: {}}, 'actions': {'forwarding': 'ietf-access-control-list:drop'}}
s['profile'] += [
    {'name': 'mbb-a', 'description': 'drop UDP', 'acls': {'acl': [{'name': 'a', 'aces': {'ace': [drop('udp', 'udp')]}}]}},
    {'name': 'mbb-b', 'description': 'drop UDP and ICMP',
     'acls': {'acl': [{'name': 'b', 'aces': {'ace': [drop('udp', 'udp'), drop('icmp', 'icmp')]}}]}}]
globex = next(t for t in s['tenant'] if t['name'] == 'globex')
for out, profile, monitor in (('scrubd', 'mbb-a', True), ('a', 'mbb-a', False), ('b', 'mbb-b', False)):
    globex['profile'], globex['monitor-only'] = profile, monitor
    json.dump(c, open(sys.argv[2] + '/' + out + '.json', 'w'))" "$demo" "$work"

# The lead frame, then 20 s later a burst of 6 every 20 ms for 5 minutes
# (the test's timeout): scrubd starts and installs the mitigation before the
# bursts (checked), and the card is stopped after the updates (here about
# 20 s of them), long before the end.
"$python" "$dir/mbb_pcap.py" "$work/in.pcap" 20 15000 20
for r in a b; do
  "$model" --card sim --config "$work/$r.json" --in "$work/in.pcap" --out "$work/$r.pcap" >/dev/null ||
    fail "scrub-model under $r"
done

"$simcard" --core "$core" --in-pcap "$work/in.pcap" --speed 1 --out-pcap "$work/card.pcap" \
  >"$work/simcard.txt" 2>"$work/simcard.log" &
simcard_pid=$!
wait_for 'grep -q "ready:" "$work/simcard.log"'
"$scrubd" -f "$work/scrubd.json" -S "$work/scrubd.db" -s "$sock" --watchdog-ms 0 --stats-ms 0 2>"$work/scrubd.log" &
scrubd_pid=$!
wait_for 'grep -q "ready:" "$work/scrubd.log" || ! kill -0 $scrubd_pid'
grep -q "ready:" "$work/scrubd.log" || fail "scrubd exited at start"

mit() { ctl mitigation add globex 203.0.113.0/25 2001:db8:200::/49 --mid 0 --lifetime indefinite --profile "$1"; }
out=$(mit mbb-a) || fail "mitigation add: $out"
[[ $out == *created* ]] || fail "mitigation add: $out"
[ "$(global rx)" -le 1 ] || fail "traffic reached the card before the mitigation was installed (rx $(global rx)): raise the capture's lead time"
wait_for '[ "$(global rx)" -ge 100 ]'
commits=$(ctl -j status | jget 'a["result"]["card"]["commit_count"]')
rx0=$(global rx)
started=$(date +%s%N)
profile=mbb-a
for _ in $(seq $updates); do
  if [ $profile = mbb-a ]; then profile=mbb-b; else profile=mbb-a; fi
  out=$(mit $profile) || fail "update to $profile: $out"
  [[ $out == *updated* ]] || fail "update to $profile: $out"
done
took_ms=$((($(date +%s%N) - started) / 1000000))
commits=$(($(ctl -j status | jget 'a["result"]["card"]["commit_count"]') - commits))
rx1=$(global rx)
[ "$commits" = $updates ] || fail "$updates updates ran $commits commits"
# Some more frames under the last rule set (A), then the card stops.
wait_for '[ "$(global rx)" -ge $((rx1 + 120)) ]'
kill -0 "$simcard_pid" 2>/dev/null || fail "the capture ended before the updates did: lengthen it"

# The audit log: the creation, then the updates alternating B, A, B, ...
seq=$(ctl audit --limit 1000 | grep -o "mitigation put client=globex cuid=scrubctl-globex mid=0 .*profile=mbb-[ab] .*-> ok" |
  grep -o "profile=mbb-[ab]" | tr -d '\n')
want=profile=mbb-a$(for i in $(seq $updates); do [ $((i % 2)) = 1 ] && printf profile=mbb-b || printf profile=mbb-a; done)
[ "$seq" = "$want" ] || fail "the audit log's profiles are not A then B, A, ... $updates times: $seq"

kill -TERM "$scrubd_pid"
wait "$scrubd_pid" || fail "scrubd exited with an error"
scrubd_pid=
kill -TERM "$simcard_pid"
wait "$simcard_pid" || fail "scrub-simcard exited with an error"
simcard_pid=
read -r replayed card_rx < <(awk '$1 == "scrub-simcard:" {n = $4} $1 == "card" && $2 == "rx" {print n, $3}' "$work/simcard.txt")
[ -n "$card_rx" ] && [ "$card_rx" = "$replayed" ] || fail "the card counted rx $card_rx of $replayed frames given: $(cat "$work/simcard.txt")"
echo "mbb ($core): $updates updates in $took_ms ms ($commits commits) while the card took $((rx1 - rx0)) frames; $replayed frames replayed"
"$python" "$dir/mbb_judge.py" "$work/in.pcap" "$work/card.pcap" "$work/a.pcap" "$work/b.pcap" "$replayed" "$commits" $((updates / 2)) ||
  fail "verdicts"
echo "mbb ($core): pass"
