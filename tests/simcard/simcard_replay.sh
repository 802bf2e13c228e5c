#!/usr/bin/env bash
# The generator's mix through scrub-simcard (model core), programmed with the
# demo configuration through the simcard HAL backend while the traffic is
# held: the passed frames must equal scrub-model's for the same capture and
# configuration, frame by frame, and the counters it prints must agree.
source "$(dirname "$0")/lib.sh"
"$trafgen" --packets 20000 --seed 7 "$work/mix.pcap" "$work/mix.labels"
"$model" --card sim --config "$config" --in "$work/mix.pcap" --out "$work/model.pcap" >"$work/model.txt"

start_simcard --core model --in-pcap "$work/mix.pcap" --out-pcap "$work/simcard.pcap" --wait-client
"$client" apply "$config"
wait_simcard
cat "$work/simcard.txt"

frames "$work/model.pcap" >"$work/model.frames"
frames "$work/simcard.pcap" >"$work/simcard.frames"
n=$(grep -c '^[0-9]' "$work/model.frames")
[ "$n" -gt 1000 ] || fail "scrub-model passed only $n frames: the comparison would prove little"
cmp -s "$work/model.frames" "$work/simcard.frames" || {
  diff "$work/model.frames" "$work/simcard.frames" | head -20
  fail "scrub-simcard's passed frames differ from scrub-model's"
}
model_tx=$(awk '$1 == "tx" {print $2; exit}' "$work/model.txt")
card_tx=$(awk '$1 == "card" && $2 == "tx" {print $3}' "$work/simcard.txt")
card_rx=$(awk '$1 == "card" && $2 == "rx" {print $3}' "$work/simcard.txt")
[ "$card_tx" = "$model_tx" ] || fail "card tx $card_tx, scrub-model tx $model_tx"
[ "$card_rx" = 20000 ] || fail "card rx $card_rx, 20000 frames replayed"
[ ! -e "/dev/shm${SCRUB_SIMCARD_SHM}" ] || fail "the channel was not unlinked at exit"
echo "simcard_replay=pass frames_compared=$n card_rx=$card_rx card_tx=$card_tx"

# --linger: after the capture the card stays up and serves its channel
# until a signal, then prints the same counters.
start_simcard --core model --in-pcap "$work/mix.pcap" --linger
for _ in $(seq 200); do grep -q "lingering until a signal" "$work/simcard.log" && break; sleep 0.05; done
grep -q "capture done (20000 frames in" "$work/simcard.log" || fail "no 'capture done' after the capture"
"$client" ident >/dev/null || fail "the lingering card did not answer on its channel"
kill -0 "$simcard_pid" || fail "scrub-simcard did not linger"
kill -TERM "$simcard_pid"
wait_simcard
[ "$(awk '$1 == "card" && $2 == "rx" {print $3}' "$work/simcard.txt")" = 20000 ] ||
  fail "the lingering card's counters: $(cat "$work/simcard.txt")"
echo "simcard_replay linger=pass"
