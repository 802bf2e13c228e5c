#!/usr/bin/env bash
# dots-client holding a session with heartbeats (RFC 9132 section 4.7)
# against scrubd on the card model, on short timers (1 s x 2), over DTLS
# and TLS: while it holds the session a trigger-mitigation=false mitigation
# keeps waiting, and once it stops the signal is lost and the mitigation is
# activated; the server's heartbeats are seen and answered (over DTLS with
# peer-hb-status true: the client sends its own), ours all answered; when
# scrubd is stopped (SIGSTOP) the client's heartbeats go unanswered, it
# keeps the session and opens another in parallel, which is up once scrubd
# runs again (SIGCONT), and the first session's heartbeats are answered
# again; scrubctl status counts the sessions. An observation (mitigate get
# --observe) holds its session with heartbeats the same way. Usage errors
# and a missing server.
# Usage: client_heartbeat.sh DOTS_CLIENT SCRUBD SCRUBCTL DEMO_JSON DEV_PKI YANG_DIR PYTHON3
set -euo pipefail
dots_client=$1 scrubd=$2 scrubctl=$3 demo=$4 dev_pki=$5 yang=$6 python=$7
dir=$(mktemp -d)
source "$(dirname "$0")/coap_harness.sh"
source "$(dirname "$0")/scrubd_harness.sh"
hold=
cleanup() {
  [ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
  [ -n "$hold" ] && kill "$hold" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
c1() {
  "$dots_client" --server 127.0.0.1 --port "$port" --ca "$pki/ca.crt" --cert "$pki/client1.example.crt" \
    --key "$pki/client1.example.key" --timeout 5 "$@"
}
state() { ctl -j mitigation show c1 "$1" | jget 'a["result"]["status"], a["result"]["installed"]'; }
wait_state() {
  for _ in $(seq $(($3 * 10))); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
# held CHECK: a python expression on e, the JSON lines of $dir/hold.out
held() {
  "$python" -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$dir/hold.out" "$1"
}

start_scrubd --dots-range heartbeat-interval=1-240 --dots-range missing-hb-allowed=2-20
c1 config put --sid 1 --heartbeat-interval 1 --missing-hb-allowed 2 --max-retransmit 4 --ack-timeout 3.5 \
  --ack-random-factor 1.75 >/dev/null && ok "client1: 1 s x 2, max-retransmit 4, ack-timeout 3.5, ack-random-factor 1.75 (sid 1)" ||
  fail "config put"

n=0
for transport in dtls tls; do
  n=$((n + 1))
  tcp=; [ "$transport" = tls ] && tcp=--tcp
  c1 $tcp mitigate put --cuid c1 --mid "$n" --target-prefix "198.51.100.$(((n - 1) * 128))/25" \
    --trigger-mitigation false >/dev/null && ok "$transport: a waiting mitigation c1/$n" || fail "$transport: mitigate put"
  c1 $tcp --json session --hold 6 --sid 1 >"$dir/hold.out" 2>"$dir/hold.err" &
  hold=$!
  sleep 4
  [ "$(state "$n")" = "requested False" ] && ok "$transport: while the session is held it waits, off the card" ||
    fail "$transport: while held: $(state "$n")"
  held_now=$(ctl -j status | jget 'a["result"]["dots_signal"]["sessions"]')
  [ "$held_now" -ge 1 ] && ok "$transport: scrubctl status counts the held session ($held_now)" ||
    fail "$transport: scrubctl status: $held_now sessions"
  ctl status | grep -qE "^dots signal +[1-9][0-9]* sessions established; refused since the start: " && ok "$transport: and says so in human form" ||
    fail "$transport: scrubctl status: $(ctl status | tail -2)"
  if wait "$hold"; then ok "$transport: session --hold 6 exits 0"; else fail "$transport: exit $?: $(cat "$dir/hold.err")"; fi
  hold=
  want='{"event": "hold", "seconds": 6, "heartbeat-interval": 1, "missing-hb-allowed": 2, "server-loss": 2}'
  # over DTLS the session takes the configuration's transmission parameters; over TLS none apply
  [ "$transport" = dtls ] && want="${want%\}}, \"max-retransmit\": 4, \"ack-timeout\": 3.5, \"ack-random-factor\": 1.75}"
  held "e[0] == $want" &&
    ok "$transport: it holds with heartbeat-interval 1, missing-hb-allowed 2 (and the rest over DTLS)" ||
    fail "$transport: $(head -1 "$dir/hold.out")"
  held 'e[-1]["event"] == "held" and len(e[-1]["sessions"]) == 1 and e[-1]["sessions"][0]["sent"] >= 4 and e[-1]["sessions"][0]["answered"] >= e[-1]["sessions"][0]["sent"] - 1' &&
    ok "$transport: its heartbeats were answered, one session" || fail "$transport: $(tail -1 "$dir/hold.out")"
  if [ "$transport" = dtls ]; then
    held 'len([x for x in e if x["event"] == "server-heartbeat" and x["peer-hb-status"] is True and x["session"] == 1]) >= 3 and not any(x["event"] in ("server-heartbeat", "server-ping") and x.get("peer-hb-status") is not True for x in e)' &&
      ok "dtls: 3 or more heartbeats from the server, each with peer-hb-status true" || fail "dtls: $(cat "$dir/hold.out")"
  else
    held 'len([x for x in e if x["event"] == "server-ping"]) >= 3 and not any(x["event"] == "server-heartbeat" for x in e)' &&
      ok "tls: 3 or more heartbeats from the server, as CoAP Pings" || fail "tls: $(cat "$dir/hold.out")"
  fi
  wait_state "$n" "active True" 10 && ok "$transport: the session ended: the mitigation is active and on the card" ||
    fail "$transport: after the hold: $(state "$n")"
done
grep -q "signal with client1.example lost (nothing heard for .* ms): 1 waiting mitigations triggered" "$log" &&
  ok "the losses are logged" || fail "no loss line"

# An observation holds its session with heartbeats too (sid 1's, 1 s x 2):
# a waiting mitigation of another cuid stays waiting while it lasts.
c1 mitigate put --cuid c2 --mid 1 --target-prefix 2001:db8:6401::/64 --trigger-mitigation false >/dev/null &&
  ok "a waiting mitigation c2/1" || fail "mitigate put c2/1"
c1 --json mitigate get --cuid c2 --mid 1 --observe 6 --sid 1 >"$dir/hold.out" 2>"$dir/hold.err" &
hold=$!
sleep 4
c2_state() { ctl -j mitigation show c2 1 | jget 'a["result"]["status"], a["result"]["installed"]'; }
[ "$(c2_state)" = "requested False" ] && ok "while it is observed it waits, off the card" ||
  fail "while observed: $(c2_state)"
if wait "$hold"; then ok "mitigate get --observe 6 exits 0"; else fail "observe: exit $?: $(cat "$dir/hold.err")"; fi
hold=
held 'e[0]["code"] == "2.05" and "observe" in e[0] and e[0]["body"]["ietf-dots-signal-channel:scope"][0]["status"] == "attack-mitigation-signal-loss" and len([x for x in e if x.get("event") == "server-heartbeat" and x["peer-hb-status"] is True]) >= 3' &&
  ok "the answer (status 8), then 3 or more heartbeats from the server, each with peer-hb-status true" ||
  fail "observe: $(cat "$dir/hold.out")"
activated=
for _ in $(seq 100); do [ "$(c2_state)" = "active True" ] && activated=1 && break; sleep 0.1; done
[ -n "$activated" ] && ok "the observation ended: the mitigation is active and on the card" ||
  fail "after the observation: $(c2_state)"

# section 4.7: scrubd stopped for 5 s while the session is held
for transport in dtls tls; do
  tcp=; [ "$transport" = tls ] && tcp=--tcp
  sessions=$(grep -c "authenticated as client1.example" "$log")
  c1 $tcp session --hold 15 --sid 1 >"$dir/hold.out" 2>"$dir/hold.err" &
  hold=$!
  sleep 3
  kill -STOP "$pid"
  sleep 5
  kill -CONT "$pid"
  if wait "$hold"; then ok "$transport: the hold through the stop exits 0"; else fail "$transport: exit $?: $(cat "$dir/hold.err")"; fi
  hold=
  out=$(cat "$dir/hold.out")
  grep -qx "session 1: 2 heartbeats unanswered: keeping it, opening another session in parallel (RFC 9132 section 4.7)" \
    "$dir/hold.out" && ok "$transport: 2 heartbeats unanswered: the session is kept, another opened" ||
    fail "$transport: $out"
  grep -qx "session 2: opening (attempt 1)" "$dir/hold.out" && grep -qx "session 2: up" "$dir/hold.out" &&
    ok "$transport: the parallel session is up" || fail "$transport: $out"
  grep -qx "session 1: heartbeats answered again" "$dir/hold.out" &&
    ok "$transport: the first session's heartbeats are answered again" || fail "$transport: $out"
  "$python" -c 'import sys
lines = open(sys.argv[1]).read().splitlines()
again = lines.index("session 1: heartbeats answered again")
sys.exit(0 if any(l.startswith("session 1: heartbeat from the server") for l in lines[again:]) and
         any(l.startswith("session 2: heartbeat from the server") for l in lines) else 1)' "$dir/hold.out" &&
    ok "$transport: afterwards the server's heartbeats come on both sessions" || fail "$transport: $out"
  grep -Eq "^held 15 s: session 1: [0-9]+ heartbeats sent, [0-9]+ answered, [0-9]+ from the server; session 2: " \
    "$dir/hold.out" && ok "$transport: held to the end on both sessions" || fail "$transport: $(tail -1 "$dir/hold.out")"
  [ "$(grep -c "authenticated as client1.example" "$log")" -ge $((sessions + 2)) ] &&
    ok "$transport: scrubd saw the two sessions" || fail "$transport: sessions $(grep -c "authenticated as client1" "$log") after $sessions"
done

# usage REASON ARGS...: exit 2
usage() {
  local what=$1 r=0; shift
  c1 "$@" >/dev/null 2>&1 || r=$?
  [ $r -eq 2 ] && ok "$what: exit 2" || fail "$what: exit $r"
}
usage "session without --hold" session
usage "session with --cuid" session --hold 1 --cuid x
usage "--hold with config get" config get --hold 1
stop_scrubd
r=0
c1 --timeout 1 session --hold 1 >/dev/null 2>"$dir/err" || r=$?
[ $r -eq 3 ] && ok "no server: exit 3 ($(cat "$dir/err"))" || fail "no server: exit $r"

finish client_heartbeat
