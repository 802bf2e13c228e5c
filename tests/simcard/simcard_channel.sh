#!/usr/bin/env bash
# The control channel under traffic (model core, the demo configuration,
# the mix replayed in real time): errors at start and connect, a second
# client refused naming the holder, malformed requests refused whole,
# clients killed before and after posting, tables and registers kept
# across sessions, a clean stop on SIGTERM. Through all of it the card keeps
# filtering: the frames it passed until the stop are exactly the first
# frames scrub-model passes for the whole capture.
source "$(dirname "$0")/lib.sh"
"$trafgen" --packets 20000 --seed 3 --duration-ms 40000 "$work/mix.pcap" "$work/mix.labels"
"$model" --card sim --config "$config" --in "$work/mix.pcap" --out "$work/model.pcap" >/dev/null

start_simcard --core model --in-pcap "$work/mix.pcap" --out-pcap "$work/simcard.pcap" --speed 1 --wait-client

# Clear errors at start and at connect.
expect_fail() { # expect_fail TEXT CMD...: CMD fails and says TEXT
  local text=$1 out rc=0; shift
  out=$("$@" 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || fail "'$*' succeeded"
  grep -qF -- "$text" <<<"$out" || fail "'$*' said '$out', not '$text'"
  echo "refused as expected: $out"
}
expect_fail "in use by scrub-simcard pid $simcard_pid" "$simcard" --core model
expect_fail "$work/none.pcap" "$simcard" --core model --shm /scrub-simcard-test-none-$$ --in-pcap "$work/none.pcap"
expect_fail "interface 'nope-if0': no such interface" \
  "$simcard" --core model --shm /scrub-simcard-test-none-$$ --outside nope-if0 --inside lo
expect_fail "channel /scrub-simcard-test-none-$$: no scrub-simcard running" \
  env SCRUB_SIMCARD_SHM=/scrub-simcard-test-none-$$ "$client" read 0x124
"$client" version-mismatch

"$client" apply "$config" # the traffic starts when this session ends
"$client" compare-tables "$config"
"$client" write 0x124 0x1234
[ "$("$client" read 0x124)" = 0x00001234 ] || fail "COOKIE_LO not kept across sessions"

# One client at a time.
"$client" hold 30 >"$work/hold.txt" &
hold_pid=$!
for _ in $(seq 100); do grep -q holding "$work/hold.txt" && break; sleep 0.05; done
expect_fail "busy: held by pid $hold_pid" "$client" read 0x124
kill "$hold_pid"
wait "$hold_pid" || true # killed while holding: the next client takes the session over

"$client" raw-bad # its last, valid, request adds 1 to COOKIE_LO
rc=0; "$client" die-before-post || rc=$?
[ "$rc" -eq 137 ] || fail "die-before-post ended with $rc, not by SIGKILL"
[ "$("$client" read 0x124)" = 0x00001235 ] || fail "the card lost COOKIE_LO after a client died"
rc=0; "$client" die-after-post 0xfeed || rc=$?
[ "$rc" -eq 137 ] || fail "die-after-post ended with $rc, not by SIGKILL"
[ "$("$client" read 0x128)" = 0x0000feed ] || fail "a posted transaction of a client that died did not run whole"
"$client" compare-tables "$config"
"$client" bench 2000

kill -0 "$simcard_pid" || fail "scrub-simcard stopped before the end of the checks"
kill -TERM "$simcard_pid"
wait_simcard
cat "$work/simcard.txt"
grep -q "stopping on signal 15" "$work/simcard.log" || fail "no clean stop on SIGTERM"
[ ! -e "/dev/shm${SCRUB_SIMCARD_SHM}" ] || fail "the channel was not unlinked at exit"

frames "$work/model.pcap" >"$work/model.frames"
frames "$work/simcard.pcap" >"$work/simcard.frames"
n=$(grep -c '^[0-9]' "$work/simcard.frames" || true)
[ "$n" -gt 100 ] || fail "only $n frames passed before the stop: the traffic did not flow"
head -c "$(stat -c %s "$work/simcard.frames")" "$work/model.frames" | cmp -s - "$work/simcard.frames" ||
  fail "the frames passed differ from scrub-model's first $n"
refused=$(awk '/transactions run/ {print $(NF-1)}' "$work/simcard.txt")
[ "$refused" = 9 ] || fail "the simcard counted $refused refused requests, not 9"
echo "simcard_channel=pass frames_compared=$n"
