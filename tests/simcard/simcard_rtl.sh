#!/usr/bin/env bash
# scrub-simcard on its default core, the Verilated RTL: identification,
# control registers, the demo configuration applied and read back, global
# counters, and traffic: the mix
# through the RTL core and through the model core, given the same register
# writes over the channel, must come out the same, frame by frame.
source "$(dirname "$0")/lib.sh"

start_simcard
grep -q "ready: rtl core" "$work/simcard.log" || fail "the default core is not the RTL"
ident=$("$client" ident)
echo "$ident"
grep -q "^version 1\.0, dest 256, .* acl 64, policers 256, counters 4096" <<<"$ident" ||
  fail "the RTL card's identification: $ident"
"$client" write 0x124 0xcafe 0x100 1
[ "$("$client" read 0x124)" = 0x0000cafe ] || fail "COOKIE_LO not kept"
[ "$("$client" read 0x100)" = 0x00000001 ] || fail "CTRL not kept"
# The card must hold what the model holds for the same configuration.
"$client" apply "$config"
"$client" compare-tables "$config"
kill -TERM "$simcard_pid"
wait_simcard
grep -q "card rx  *0 " "$work/simcard.txt" || fail "counters of an idle card: $(cat "$work/simcard.txt")"

"$trafgen" --packets 3000 --seed 5 "$work/mix.pcap" "$work/mix.labels"
for core in rtl model; do
  start_simcard --core "$core" --in-pcap "$work/mix.pcap" --out-pcap "$work/$core.pcap" --wait-client
  # The demo configuration's tables and actions; applying it enables the card.
  "$client" apply "$config"
  wait_simcard
  grep '^  card' "$work/simcard.txt" >"$work/$core.counters"
  frames "$work/$core.pcap" >"$work/$core.frames"
done
cat "$work/rtl.counters"
cmp -s "$work/rtl.counters" "$work/model.counters" || {
  diff "$work/rtl.counters" "$work/model.counters"
  fail "the RTL core's counters differ from the model core's"
}
grep -q "card drop_malformed" "$work/rtl.counters" || fail "no frame dropped: the configuration did not take"
n=$(grep -c '^[0-9]' "$work/rtl.frames" || true)
[ "$n" -gt 1000 ] || fail "the RTL core passed only $n frames"
cmp -s "$work/rtl.frames" "$work/model.frames" || fail "the RTL core's passed frames differ from the model core's"
echo "simcard_rtl=pass frames_compared=$n"
