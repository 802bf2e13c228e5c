#!/usr/bin/env bash
# End to end through scrub-simcard: scrubd serves DOTS, and the tenants'
# clients ask for mitigations with dots-client over DTLS and TLS; acme and
# globex are monitor-only in this test's configuration (counted, not
# filtered, in peace time), so only the mitigations filter. Two modes:
#  rtl:   the Verilated card holds the bundled mix (--wait-client) until
#         the requests are in and scrubd has stopped (the card keeps its
#         tables), then replays it as fast as it can, at the mix's own
#         density: the card drops the attack classes while the legitimate
#         ones pass (from the frames it passed, matched to the labels).
#         globex's request has trigger-mitigation false: it waits while
#         its client holds the session with heartbeats (1 s x 5), and the
#         loss of its signal once the client stops activates it.
#  model: the model card replays the mix in real time at 4,000 packets/s
#         while scrubd runs: before the requests the attack passes; the DOTS
#         status counters agree with the card's (scrubctl reads the same
#         pairs before and after, the DOTS figure lies between), the status
#         is attack-successfully-mitigated, and the signature classes are
#         dropped from 9 s on (the floods stay under the policers at this
#         rate); once the capture is through, the card lingers and the
#         status becomes attack-stopped after --dots-quiet-s (2 s here), with
#         pps-dropped the average of the whole buckets (--dots-bucket-s 2).
#         After the requests acme's client makes an immediate ACL
#         'partners' on the data channel (curl) accepting UDP from port 123
#         to its prefix: the ntp-reflection class passes the mitigation
#         (more than half of it from 9 s on: the ACL lands from about 4 to
#         8 s), and while the card drops the rest, the mitigation's GET
#         carries conflict-information conflict-with-acceptlist naming
#         'partners' (docs/dots.md "Accept-list conflicts"); once the drops
#         stop, not.
# Usage: e2e_simcard.sh MODE SIMCARD SCRUBD SCRUBCTL DOTS_CLIENT TRAFGEN DEMO_JSON DEV_PKI PYTHON3 YANG_DIR CURL
set -euo pipefail
mode=$1 simcard=$2 scrubd=$3 scrubctl=$4 dots_client=$5 trafgen=$6 demo=$7 dev_pki=$8 python=$9 yang=${10} curl=${11}
dir=$(mktemp -d)
client=/bin/false # coap_harness.sh's requests are not used here
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
export SCRUB_SIMCARD_SHM=/scrub-dots-e2e-$$
simcard_pid=
cleanup() {
  for p in $pid $simcard_pid; do kill -KILL "$p" 2>/dev/null || true; done
  rm -f "/dev/shm${SCRUB_SIMCARD_SHM}"
  rm -rf "$dir"
}
trap cleanup EXIT
die() { echo "FAIL: $*"; for f in "$dir"/*.log; do sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
scrubd_config monitor-only
if [ "$mode" = rtl ]; then
  # the demo's density: 20,000 packets in 100 ms
  "$trafgen" --packets 20000 --duration-ms 100 --seed 7 "$dir/mix.pcap" "$dir/mix.labels" >/dev/null
  replay=(--core rtl --wait-client)
else
  # 16 s at 4,000 packets/s: the requests and the ACL land in the first 8 s
  # even on a loaded machine, the checks look from 9 s on
  "$trafgen" --packets 64000 --duration-ms 16000 --seed 7 "$dir/mix.pcap" "$dir/mix.labels" >/dev/null
  replay=(--core model --speed 1 --linger)
fi
"$simcard" "${replay[@]}" --in-pcap "$dir/mix.pcap" --out-pcap "$dir/passed.pcap" >"$dir/simcard.txt" \
  2>"$dir/simcard.log" &
simcard_pid=$!
for _ in $(seq 300); do grep -q "ready:" "$dir/simcard.log" && break; sleep 0.05; done
grep -q "ready:" "$dir/simcard.log" || die "scrub-simcard not ready"
started=$(date +%s.%N)
data_port=$(free_port)
start_scrubd -b simcard --dots-range heartbeat-interval=1-240 --dots-range missing-hb-allowed=2-20 \
  --dots-quiet-s 2 --dots-bucket-s 2 --data-port "$data_port"
source "$(dirname "$0")/restconf_harness.sh"
# conflict: the acl-list of the GET's conflict-information, or "none"
conflict() {
  jget '[(c["conflict-status"], c["conflict-cause"], c["conflict-scope"]["acl-list"]) for c in [a["body"]["ietf-dots-signal-channel:scope"][0].get("conflict-information")] if c] or "none"' <"$dir/get.json"
}
dc() {
  local who=$1; shift
  "$dots_client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/$who.crt" --key "$pki/$who.key" \
    --yang "$yang" "$@"
}
first_at=$("$python" -c "import sys, time; print(time.time() - float(sys.argv[1]))" "$started")
dc client1.example mitigate put --cuid acme-1 --mid 1 --target-prefix 198.51.100.0/24 \
  --target-prefix 2001:db8:100::/48 --lifetime 600 >"$dir/put1.out" || die "acme's request: $(cat "$dir/put1.out")"
if [ "$mode" = rtl ]; then
  # 1 s x 5: the hold's first heartbeat must come within 5 s of the request
  # (a dots-client started and a TLS handshake on a loaded machine)
  dc client2.example --tcp config put --sid 1 --heartbeat-interval 1 --missing-hb-allowed 5 >"$dir/config2.out" ||
    die "globex's session configuration: $(cat "$dir/config2.out")"
  waiting=(--trigger-mitigation false)
else
  waiting=()
fi
dc client2.example --tcp mitigate put --cuid globex-1 --mid 1 --target-prefix 203.0.113.0/24 \
  --target-prefix 2001:db8:200::/48 --lifetime 600 "${waiting[@]}" >"$dir/put2.out" ||
  die "globex's request: $(cat "$dir/put2.out")"
in_at=$("$python" -c "import sys, time; print(time.time() - float(sys.argv[1]))" "$started")
ok "both mitigations accepted ($in_at s after scrub-simcard was ready)"
if [ "$mode" = rtl ]; then
  globex() { ctl -j mitigation show globex-1 1 | jget 'a["result"]["status"], a["result"]["installed"]'; }
  # looked at during the hold: after it the signal is lost 5 s on
  dc client2.example --tcp session --hold 6 --sid 1 >"$dir/hold.out" 2>&1 &
  holder=$!
  sleep 3
  during=$(globex)
  wait "$holder" || die "globex's hold: $(cat "$dir/hold.out")"
  [ "$during" = "requested False" ] && ok "globex's trigger-mitigation=false request waited while its session was held" ||
    fail "globex's request during the hold: $during"
  for _ in $(seq 150); do [ "$(globex)" = "active True" ] && break; sleep 0.1; done
  [ "$(globex)" = "active True" ] && ok "its client stopped: the signal lost, it is active on the card" ||
    fail "globex's request after the hold: $(globex)"
  dc client1.example --json mitigate get --cuid acme-1 --mid 1 >"$dir/get.json" || die "GET: $(cat "$dir/get.json")"
  jget 'a["body"]["ietf-dots-signal-channel:scope"][0]["pkts-dropped"] == "0"' <"$dir/get.json" | grep -q True &&
    ok "nothing dropped yet: the card holds the traffic" || fail "GET before the traffic: $(cat "$dir/get.json")"
  stop_scrubd
else
  "$python" -c "import sys; sys.exit(0 if float(sys.argv[1]) < 7 else 1)" "$in_at" ||
    die "the mitigations took $in_at s; the checks below look at the replay from 9 s on"
  https client1.example POST "$ROOT" '{"ietf-dots-data-channel:dots-client":[{"cuid":"acme-1"}]}'
  status "register acme-1 on the data channel" 201
  https client1.example POST "$ROOT/dots-client=acme-1" '{"ietf-dots-data-channel:acls":{"acl":[{"name":"partners","type":"ietf-access-control-list:mixed-eth-ipv4-acl-type","activation-type":"immediate","aces":{"ace":[{"name":"ntp","matches":{"ipv4":{"destination-ipv4-network":"198.51.100.0/24","fragment":{"type":""}},"udp":{"source-port-range-or-operator":{"operator":"eq","port":123}}},"actions":{"forwarding":"ietf-access-control-list:accept"}}]}}]}}'
  status "an immediate accept-list ACL 'partners' (UDP from port 123)" 201
  # The DOTS counters against the core's reading of the same card pairs.
  sleep 2
  ctl_dropped() { ctl -j mitigation show acme-1 1 | jget 'a["result"]["traffic"]["dropped"]["packets"]'; }
  before=$(ctl_dropped)
  dc client1.example --json mitigate get --cuid acme-1 --mid 1 >"$dir/get.json" || die "GET: $(cat "$dir/get.json")"
  after=$(ctl_dropped)
  read -r status dots_dropped < <(jget 'a["body"]["ietf-dots-signal-channel:scope"][0]["status"], a["body"]["ietf-dots-signal-channel:scope"][0]["pkts-dropped"]' <"$dir/get.json" || echo "? 0")
  [ "$before" -gt 0 ] && [ "$before" -le "$dots_dropped" ] && [ "$dots_dropped" -le "$after" ] &&
    ok "DOTS pkts-dropped $dots_dropped lies between the card's $before and $after" ||
    fail "DOTS pkts-dropped '$dots_dropped' against the card's $before .. $after ($(cat "$dir/get.json"))"
  [ "$status" = attack-successfully-mitigated ] && ok "status attack-successfully-mitigated while the card drops" ||
    fail "status: $status"
  want="[('request-active', 'conflict-with-acceptlist', [{'acl-name': 'partners', 'acl-type': 'ietf-access-control-list:mixed-eth-ipv4-acl-type'}])]"
  for _ in $(seq 20); do
    [ "$(conflict)" = "$want" ] && break
    sleep 0.2
    dc client1.example --json mitigate get --cuid acme-1 --mid 1 >"$dir/get.json" || die "GET: $(cat "$dir/get.json")"
  done
  [ "$(conflict)" = "$want" ] && ok "while the card drops, the GET names 'partners' in conflict-with-acceptlist" ||
    fail "the accept-list conflict: $(conflict) ($(cat "$dir/get.json"))"
  # The capture through, nothing more is dropped: attack-stopped after the
  # quiet time; pps-dropped is what the whole 2 s buckets dropped over their
  # time (the last one sampled at a poll after its end).
  for _ in $(seq 200); do grep -q "capture done" "$dir/simcard.log" && break; sleep 0.1; done
  grep -q "capture done" "$dir/simcard.log" || die "scrub-simcard did not finish its capture"
  for _ in $(seq 40); do
    dc client1.example --json mitigate get --cuid acme-1 --mid 1 >"$dir/get.json" || die "GET: $(cat "$dir/get.json")"
    status=$(jget 'a["body"]["ietf-dots-signal-channel:scope"][0]["status"]' <"$dir/get.json")
    [ "$status" = attack-stopped ] && break
    sleep 0.25
  done
  [ "$status" = attack-stopped ] && ok "status attack-stopped once the drops stopped for the quiet time" ||
    fail "status after the capture: $status"
  [ "$(conflict)" = none ] && ok "no accept-list conflict once the drops stopped" ||
    fail "the accept-list conflict after the capture: $(conflict)"
  sleep 1 # a bucket's end sampled after the last drop
  dc client1.example --json mitigate get --cuid acme-1 --mid 1 >"$dir/get.json" || die "GET: $(cat "$dir/get.json")"
  "$python" - "$dir/get.json" <<'PY' && ok "pps-dropped and bps-dropped: the whole buckets' drops over their time" ||
import json, sys, time
e = json.load(open(sys.argv[1]))["body"]["ietf-dots-signal-channel:scope"][0]
d, b, pps, bps = int(e["pkts-dropped"]), int(e["bytes-dropped"]), int(e["pps-dropped"]), int(e["bps-dropped"])
k = (int(time.time()) - int(e["mitigation-start"])) // 2
sys.exit(0 if d > 0 and any(pps == d // (2 * n) and bps == b // (2 * n) for n in (k, k - 1) if n > 0) else 1)
PY
    fail "the averages: $(cat "$dir/get.json")"
  kill -TERM "$simcard_pid"
fi

wait "$simcard_pid" || die "scrub-simcard failed"
simcard_pid=
# Per class, from the frames the card passed: "PHASE CLASS KIND OFFERED PASSED",
# PHASE before (before the first request was sent), after (from 9 s on; rtl: all).
"$python" - "$dir/mix.pcap" "$dir/passed.pcap" "$dir/mix.labels" "$mode" "$first_at" >"$dir/classes.txt" <<'PY' || die "class report"
import collections, struct, sys
def frames(path):
    data = open(path, "rb").read()
    out, off = [], 24
    while off < len(data):
        sec, frac, cap, _ = struct.unpack_from("<IIII", data, off)
        out.append((sec + frac / 1e9, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out
inp, passed = frames(sys.argv[1]), frames(sys.argv[2])
labels = [l.rstrip("\n").split("\t") for l in open(sys.argv[3])][1:]
rtl, asked = sys.argv[4] == "rtl", float(sys.argv[5])
left = collections.Counter(f for _, f in passed)
t0 = inp[0][0]
tally = collections.defaultdict(lambda: [0, 0])
for (t, f), (_, cls, kind) in zip(inp, labels):
    phase = "after" if rtl or t - t0 >= 9 else "before" if t - t0 < asked else None
    got = left[f] > 0
    left[f] -= got
    if phase:
        tally[(phase, cls, kind)][0] += 1
        tally[(phase, cls, kind)][1] += got
for (phase, cls, kind), (n, p) in sorted(tally.items()):
    print(phase, cls, kind, n, p)
PY
# sums PHASE KIND [CLASS-REGEX-TO-LEAVE-OUT]: "OFFERED PASSED"
sums() { awk -v ph="$1" -v k="$2" -v skip="${3:-^$}" '$1 == ph && $3 == k && $2 !~ skip { n += $4; p += $5 } END { print n + 0, p + 0 }' "$dir/classes.txt"; }
# Traffic to no tenant is never mitigated. The signature classes (reflection,
# fragments, malformed, blocklisted sources, the v6 flood the profile drops)
# are dropped whole; the policed floods (SYN, ACK, ICMP) lose what exceeds
# their policers, which at 4,000 packets/s (model mode) is nothing.
# (model: ntp-reflection is accepted by acme's accept-list, checked below)
skip='unprotected|syn-flood|ack-flood|icmp-flood'
[ "$mode" = model ] && skip="$skip|ntp-reflection"
read -r n p < <(sums after attack "$skip")
[ "$n" -gt 1000 ] && [ "$p" -le $((n / 100)) ] && ok "with the mitigations the card drops the signature attacks ($((n - p)) of $n)" ||
  fail "with the mitigations: signature attacks passed $p of $n: $(grep '^after .* attack' "$dir/classes.txt" | tr '\n' ';')"
if [ "$mode" = rtl ]; then
  read -r n p < <(sums after attack '^(unprotected|[a-z0-9-]*reflection|fragment-attack|malformed|blocklisted-source|v6-flood)$')
  [ "$n" -gt 1000 ] && [ "$p" -le $((n * 70 / 100)) ] && ok "the floods are policed ($((n - p)) of $n dropped)" ||
    fail "the floods: $p of $n passed"
fi
read -r n p < <(sums after legit)
[ "$n" -gt 1000 ] && [ "$p" -ge $((n * 80 / 100)) ] && ok "legitimate traffic passes ($p of $n)" ||
  fail "with the mitigations: legitimate passed $p of $n"
if [ "$mode" = model ]; then
  read -r n p < <(sums before attack "unprotected|malformed|fragment")
  [ "$n" -gt 100 ] && [ "$p" -ge $((n * 95 / 100)) ] && ok "before the mitigations the attack passes ($p of $n)" ||
    fail "before the mitigations: attack passed $p of $n"
  read -r n p < <(awk '$1 == "after" && $2 == "ntp-reflection" { n += $4; p += $5 } END { print n + 0, p + 0 }' "$dir/classes.txt")
  # (the ACL comes after the mitigations, from about 4 to 6 s into the replay)
  [ "$n" -gt 50 ] && [ "$p" -ge $((n / 2)) ] && ok "the accept-list ACL lets ntp-reflection past the mitigation ($p of $n)" ||
    fail "ntp-reflection with the accept-list: $p of $n passed"
fi
finish "dots_e2e_simcard ($mode)"
