#!/usr/bin/env bash
# scrub-simcard on live interfaces (model core, AF_PACKET) across network
# namespaces the test makes:
#
#   client 10.9.0.1 ─┐
#                    ├─ bridge (outside segment) ── out [scrub-simcard] in ── server 10.9.0.2
#   flooder 10.9.0.3 ┘
#
# A UDP flood first reaches the server through the card (nothing
# installed: the path works); then the rule that drops it is installed
# through the simcard HAL backend (tests/simcard/live.json), and a real TCP
# conversation (curl fetching a file from a Python HTTP server) goes through
# the card while the same flood, from the third namespace, is dropped.
# Needs root and ip netns: otherwise skipped (exit 77).
source "$(dirname "$0")/lib.sh"
ip netns list >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] || { echo "skipped: needs root and ip netns"; exit 77; }

ns=(c f o s w)
pfx=sclive$$
server_pids=()
live_cleanup() {
  for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # Whatever still runs in the test's namespaces was started here.
  for n in "${ns[@]}"; do
    for p in $(ip netns pids "$pfx$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$pfx$n" 2>/dev/null || true
  done
  cleanup
}
trap live_cleanup EXIT
in_ns() { local n=$1; shift; ip netns exec "$pfx$n" "$@"; }
# The interpreter itself, not a wrapper that would outlive a kill.
py=$(python3 -c 'import sys; print(sys.executable)')

for n in "${ns[@]}"; do
  ip netns add "$pfx$n"
  in_ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_ns "$n" ip link set lo up
done
ip -n "${pfx}o" link add br0 type bridge
ip link add c0 netns "${pfx}c" type veth peer name cb netns "${pfx}o"
ip link add f0 netns "${pfx}f" type veth peer name fb netns "${pfx}o"
ip link add ob netns "${pfx}o" type veth peer name out netns "${pfx}s"
ip link add in netns "${pfx}s" type veth peer name w0 netns "${pfx}w"
for port in cb fb ob; do ip -n "${pfx}o" link set "$port" master br0 up; done
ip -n "${pfx}o" link set br0 up
ip -n "${pfx}s" link set out up
ip -n "${pfx}s" link set in up
for host in c:c0:10.9.0.1 f:f0:10.9.0.3 w:w0:10.9.0.2; do
  IFS=: read -r n dev addr <<<"$host"
  ip -n "$pfx$n" addr add "$addr/24" dev "$dev"
  ip -n "$pfx$n" link set "$dev" up
  # Checksums in software and no segmentation offload: frames leave whole
  # and checked, as on a wire (AF_PACKET hands the card what it gets).
  in_ns "$n" ethtool -K "$dev" tx off tso off gso off >/dev/null 2>&1
done

# The card, in its own namespace, between "out" and "in".
ip netns exec "${pfx}s" "$simcard" --core model --outside out --inside in \
  >"$work/simcard.txt" 2>"$work/simcard.log" &
simcard_pid=$!
for _ in $(seq 200); do grep -q "ready:" "$work/simcard.log" && break; sleep 0.05; done
grep -q "ready:" "$work/simcard.log" || fail "scrub-simcard not ready"

# The server: HTTP on 8080, and a UDP sink on 9999 that counts.
mkdir "$work/www"
head -c 1000000 /dev/urandom >"$work/www/blob"
in_ns w "$py" -m http.server 8080 --bind 10.9.0.2 --directory "$work/www" >/dev/null 2>&1 &
server_pids+=($!)
sink() { # sink SECONDS FILE: counts datagrams to 10.9.0.2:9999
  in_ns w "$py" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.9.0.2", 9999)); s.settimeout(0.1)
n, end = 0, time.time() + float(sys.argv[1])
while time.time() < end:
    try: s.recv(2048); n += 1
    except socket.timeout: pass
open(sys.argv[2], "w").write(str(n))' "$1" "$2"
}
flood() { # flood N: N datagrams from the flooder
  in_ns f "$py" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])): s.sendto(b"x" * 200, ("10.9.0.2", 9999))' "$1"
}

# Nothing installed: the flood gets through.
sink 3 "$work/before" &
sink_pid=$!
sleep 0.5
flood 200
wait "$sink_pid"
[ "$(cat "$work/before")" -gt 0 ] || fail "no datagram reached the server through an empty card: the path is broken"
echo "before the rule: $(cat "$work/before") of 200 flood datagrams reached the server"

# The rule, through the simcard HAL backend; then the conversation under flood.
"$client" apply "$config"
sink 8 "$work/after" &
sink_pid=$!
sleep 0.5
flood 20000 &
flood_pid=$!
in_ns c curl -sS --max-time 20 -o "$work/got" http://10.9.0.2:8080/blob || fail "curl through the card failed"
wait "$flood_pid"
wait "$sink_pid"
cmp -s "$work/got" "$work/www/blob" || fail "the file fetched through the card differs"
[ "$(cat "$work/after")" -eq 0 ] || fail "$(cat "$work/after") flood datagrams reached the server past the rule"

kill -TERM "$simcard_pid"
wait_simcard
cat "$work/simcard.txt"
drops=$(awk '$1 == "card" && $2 == "drop_acl" {print $3}' "$work/simcard.txt")
[ "${drops:-0}" -gt 0 ] || fail "the card counted no ACL drop"
grep -q "^host return path" "$work/simcard.txt" || fail "no host counters"
echo "simcard_live=pass fetched=1000000 bytes flood_dropped_by_card=$drops"
