#!/usr/bin/env bash
# The data channel end to end through scrub-simcard's Verilated card: acme's
# client (client1.example, cuid acme-1) installs ACLs over HTTPS (curl,
# RFC 8783) in scrubd, asks for a mitigation with dots-client and changes
# an ACL's activation over the signal channel (coap-client-openssl, RFC
# 9133); the card's verdicts are read from the frames it passed
# (e2e_data_pcap.py writes the captures, e2e_data_judge.py matches them).
# Each replay is its own scrub-simcard; card time is the records'
# timestamps whatever the replay's pace.
#   1. immediate: the capture at real time (--speed 1): a lead frame, then
#      the flows GAP s later, by which time scrubd holds the card with the
#      ACLs: 'now' (drop UDP to .10 port 5000) drops its flow, 'later'
#      (activate-when-mitigating, drop UDP to .20 port 6000) drops nothing,
#      the other flows pass; the rate-limit ACLs 'rate2' and 'rate10'
#      (accept with rate-limit RATE bytes/s: byte policers) hold RATE within
#      2% in card time at 2x and 10x offered load after the first burst
#      (window: e2e_data_judge.py). scrubd still holds the card afterwards,
#      so each ACE's statistics (the data channel's GET) are compared with
#      scrubctl acl list and with the frames (drop: the dropped frames;
#      rate-limit: every frame of its flow; octets are L3 bytes).
#   2. mitigating: the card holds the capture (--wait-client) until scrubd
#      lets go; before, dots-client's mitigation of acme-1: 'later' drops
#      its flow too.
#   3. deactivate: likewise, after a mitigation request with acl-list
#      'later' deactivate (RFC 9133): 'later' passes again while the
#      mitigation stays active.
# Usage: e2e_data_simcard.sh SIMCARD SCRUBD SCRUBCTL DOTS_CLIENT COAP_CLIENT CURL DEMO_JSON DEV_PKI PYTHON3 YANG_DIR
set -euo pipefail
simcard=$1 scrubd=$2 scrubctl=$3 dots_client=$4 client=$5 curl=$6 demo=$7 dev_pki=$8 python=$9 yang=${10}
here=$(dirname "$0")
dir=$(mktemp -d)
source "$here/coap_harness.sh"
source "$here/scrubd_harness.sh"
export SCRUB_SIMCARD_SHM=/scrub-dots-data-e2e-$$
card=
cleanup() {
  for p in $pid $card; do kill -KILL "$p" 2>/dev/null || true; done
  rm -f "/dev/shm${SCRUB_SIMCARD_SHM}"
  rm -rf "$dir"
}
trap cleanup EXIT
die() { echo "FAIL: $*"; for f in "$dir"/*.log; do sed "s|^|  $(basename "$f"): |" "$f" | tail -30; done; exit 1; }
data_port=$(free_port)
source "$here/restconf_harness.sh"

RATE=50000 # bytes/s: the policer's burst is 9,000 bytes (its floor; a tenth of a second would be 5,000)
FRAMES=50  # of each of the flows now, later, other
GAP=20     # seconds of real time the first replay leaves for scrubd and the requests (they take about 7)
"$python" "$here/e2e_data_pcap.py" "$dir/rate.pcap" $FRAMES --lead $GAP --rate $RATE 1.3
"$python" "$here/e2e_data_pcap.py" "$dir/filter.pcap" $FRAMES

# start_card NAME CAPTURE OPTIONS...: a scrub-simcard replaying CAPTURE
start_card() {
  "$simcard" --core rtl --in-pcap "$2" "${@:3}" --out-pcap "$dir/$1.pcap" >"$dir/$1-card.txt" 2>"$dir/$1-card.log" &
  card=$!
  for _ in $(seq 300); do grep -q "ready:" "$dir/$1-card.log" && break; sleep 0.05; done
  grep -q "ready:" "$dir/$1-card.log" || die "scrub-simcard ($1) not ready"
}
# scrubd on the card, not polling it for rates (each poll is transactions
# the RTL runs between frames)
scrubd_on_card() { start_scrubd -b simcard --data-port "$data_port" --stats-ms 0; }
# through NAME: waits until the card has replayed its capture
through() {
  for _ in $(seq 1200); do grep -q "capture done" "$dir/$1-card.log" && return 0; sleep 0.1; done
  die "scrub-simcard ($1): the capture not through in 120 s"
}
# stop_card NAME CAPTURE: the card prints its counters and exits (at once
# or, with --wait-client, once through); its verdicts judged
stop_card() {
  kill -0 "$card" 2>/dev/null && grep -q "capture done" "$dir/$1-card.log" && kill "$card"
  wait "$card" || die "scrub-simcard ($1) exited $?"
  card=
  "$python" "$here/e2e_data_judge.py" "$2" "$dir/$1.pcap" >"$dir/$1.json" || die "judging $1"
  same "$1: every passed frame as it came, at its arrival time" \
    "$(jget 'a["altered"], a["untagged"], a["unknown"]' <"$dir/$1.json")" "0 0 0"
}
# flow NAME FLOW: "OFFERED PASSED" of a flow in replay NAME
flow() { jget "a['flows']['$2']['offered'], a['flows']['$2']['passed']" <"$dir/$1.json"; }
dc() {
  "$dots_client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/client1.example.crt" \
    --key "$pki/client1.example.key" --yang "$yang" "$@"
}
acl_rows() { ctl -j acl list acme-1 | jget "[(x['name'], x['activation'], x['installed']) for x in a['result']['acls']]"; }
acl_row() { ctl -j acl list acme-1 | jget "[(x['activation'], x['installed']) for x in a['result']['acls'] if x['name'] == '$1']"; }
mitigation_status() { ctl -j mitigation show $A 1 | jget 'a["result"]["status"]'; }
# in_time: the requests are in before the flows of a capture replayed at
# real time (only its lead frame through the card)
in_time() {
  local rx
  rx=$(ctl -j counters | jget 'a["result"]["global"]["rx"]["packets"]')
  [ "$rx" -le 1 ] || die "the requests took more than the $GAP s the capture leaves them ($rx frames in already)"
}
# statistics NAME CAPTURE OFF: once the card (replaying at real time, held
# by scrubd) is through, each ACE's "matched-packets/matched-octets" by the
# data channel's GET, by scrubctl acl list (the card's counter pairs, read
# by the core) and from the frames (drop: the frames dropped; rate-limit:
# every frame of its flow; octets: L3 bytes) agree; the ACE named OFF is off
# the card and has none. Then scrubd and the card stop.
statistics() {
  local dots ctl_stats frames
  through "$1"
  https client1.example GET "$ROOT/dots-client=$A/acls"
  status "$1: GET the ACLs" 200
  dots=$(json "' '.join('%s=%s/%s' % (e['name'], e['statistics']['matched-packets'], e['statistics']['matched-octets']) if 'statistics' in e else e['name'] + '=-' for a in j['ietf-dots-data-channel:acls']['acl'] for e in a['aces']['ace'])")
  ctl_stats=$(ctl -j acl list "$A" | jget "' '.join('%s=%s/%s' % (e['name'], e['matched']['packets'], e['matched']['bytes']) if 'matched' in e else e['name'] + '=-' for x in a['result']['acls'] for e in x['aces'])")
  stop_scrubd
  stop_card "$1" "$2"
  frames=$(jget "' '.join(n + '=' + ('-' if n == '${3:-}' else '%s/%s' % ((f['offered'], f['offered_octets']) if n.startswith('rate') else (f['dropped'], f['offered_octets'] - f['passed_octets']))) for n, f in ((m, a['flows'][m]) for m in ('now', 'later', 'rate2', 'rate10')))" <"$dir/$1.json")
  same "$1: per-ACE statistics (GET) equal the card's counters (scrubctl acl list)" "$dots" "$ctl_stats"
  same "$1: and the frames (drop ACEs: the frames dropped; rate-limit ACEs: every frame; octets: L3${3:+; $3 off the card})" \
    "$dots" "$frames"
}

# --- 1. immediate ACLs, and an activate-when-mitigating one without a
# mitigation. The card replays the capture at real time: its lead frame at
# once, the flows GAP s later, while scrubd holds the card (so that it
# reads the ACEs' counters afterwards); the requests must be in before.
start_card immediate "$dir/rate.pcap" --speed 1 --linger
scrubd_on_card
A=acme-1
https client1.example POST "$ROOT" "{\"ietf-dots-data-channel:dots-client\":[{\"cuid\":\"$A\"}]}"
status "register $A" 201
# acl NAME ACTIVATION DST PORT ACTIONS: an ACL of one UDP ACE of the same name
acl() {
  echo "{\"name\":\"$1\",\"type\":\"ietf-access-control-list:mixed-eth-ipv4-acl-type\",\"activation-type\":\"$2\",\"aces\":{\"ace\":[{\"name\":\"$1\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":\"$3\",\"fragment\":{\"type\":\"\"}},\"udp\":{\"destination-port-range-or-operator\":{\"operator\":\"eq\",\"port\":$4}}},\"actions\":$5}]}}"
}
DROP='{"forwarding":"ietf-access-control-list:drop"}'
LIMIT="{\"forwarding\":\"ietf-access-control-list:accept\",\"rate-limit\":\"$RATE.00\"}"
https client1.example POST "$ROOT/dots-client=$A" "{\"ietf-dots-data-channel:acls\":{\"acl\":[$(acl now immediate 198.51.100.10/32 5000 "$DROP"),$(acl later activate-when-mitigating 198.51.100.20/32 6000 "$DROP"),$(acl rate2 immediate 198.51.100.30/32 7000 "$LIMIT"),$(acl rate10 immediate 198.51.100.31/32 7000 "$LIMIT")]}}"
status "POST the ACLs now, later, rate2, rate10" 201
same "immediate: on the card now, rate2, rate10; later not (no mitigation)" "$(acl_rows)" \
  "[('now', 'immediate', True), ('later', 'activate-when-mitigating', False), ('rate2', 'immediate', True), ('rate10', 'immediate', True)]"
in_time
statistics immediate "$dir/rate.pcap" later
same "immediate: 'now' drops its flow at once" "$(flow immediate now)" "$FRAMES 0"
same "immediate: 'later' drops nothing without a mitigation" "$(flow immediate later)" "$FRAMES $FRAMES"
same "immediate: the other flows pass" "$(flow immediate other)" "$FRAMES $FRAMES"
for f in rate2 rate10; do
  read -r offered rate window burst < <(jget "a['flows']['$f']['offered_Bps'], a['flows']['$f'].get('rate_Bps', 0), a['flows']['$f'].get('window_s', 0), a['flows']['$f'].get('burst_octets', 0)" <"$dir/immediate.json")
  deviation=$("$python" -c "import sys; print('%+.2f' % (100 * (float(sys.argv[1]) / $RATE - 1)))" "$rate")
  line="offered $offered B/s, passed $rate B/s ($deviation%) over $window s after a first burst of $burst B"
  "$python" -c "import sys; sys.exit(0 if float(sys.argv[2]) >= 1 and abs(float(sys.argv[1])) <= 2 else 1)" "$deviation" \
    "$window" && ok "$f: $RATE B/s held within 2% in card time: $line" || fail "$f: $line"
done

# --- 2. a mitigation of acme-1 switches 'later' on (this card and the
# next hold their capture until scrubd lets go: --wait-client)
start_card mitigating "$dir/filter.pcap" --wait-client
scrubd_on_card
same "mitigating: before the request, 'later' off the card" "$(acl_row later)" "[('activate-when-mitigating', False)]"
dc mitigate put --cuid $A --mid 1 --target-prefix 198.51.100.0/24 --lifetime 600 >"$dir/put.out" ||
  die "the mitigation request: $(cat "$dir/put.out")"
same "mitigating: with the mitigation (dots-client), 'later' on the card" "$(mitigation_status) $(acl_row later)" \
  "active [('activate-when-mitigating', True)]"
stop_scrubd
stop_card mitigating "$dir/filter.pcap"
same "mitigating: 'later' drops its flow" "$(flow mitigating later)" "$FRAMES 0"
same "mitigating: 'now' still drops its flow" "$(flow mitigating now)" "$FRAMES 0"
same "mitigating: the other flows pass" "$(flow mitigating other)" "$FRAMES $FRAMES"

# --- 3. RFC 9133: the mitigation's acl-list deactivates 'later'
start_card deactivate "$dir/filter.pcap" --wait-client
scrubd_on_card
same "deactivate: the mitigation still active (from the store), 'later' on the card" \
  "$(mitigation_status) $(acl_row later)" "active [('activate-when-mitigating', True)]"
body "$dir/deactivate.cbor" '{1: {2: [{6: ["198.51.100.0/24"], 14: 600, 53: [{23: "later", 52: 3}]}]}}'
expect "deactivate: the mitigation updated with acl-list 'later' deactivate (coap-client)" client1.example coaps \
  "/.well-known/dots/mitigate/cuid=$A/mid=1" "2.04" -m put -t 271 -f "$dir/deactivate.cbor"
same "deactivate: the mitigation stays active, 'later' off the card" "$(mitigation_status) $(acl_row later)" \
  "active [('deactivate', False)]"
stop_scrubd
stop_card deactivate "$dir/filter.pcap"
same "deactivate: 'later' drops nothing any more" "$(flow deactivate later)" "$FRAMES $FRAMES"
same "deactivate: 'now' still drops its flow" "$(flow deactivate now)" "$FRAMES 0"
same "deactivate: the other flows pass" "$(flow deactivate other)" "$FRAMES $FRAMES"
finish dots_e2e_data_simcard
