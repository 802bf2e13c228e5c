#!/usr/bin/env bash
# The main job end to end: the generator's mix through scrub-model with the
# demo configuration. The per-class tallies must agree with the card's
# counters (scrub-model exits non-zero otherwise), the passed capture must
# hold exactly the delivered frames, and every reflection, blocklisted and
# malformed packet must be dropped.
set -euo pipefail
bin=$1 config=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/scrub-trafgen" --packets 20000 --seed 7 "$work/mix.pcap" "$work/mix.labels"
"$bin/scrub-model" --config "$config" --in "$work/mix.pcap" --labels "$work/mix.labels" \
  --out "$work/passed.pcap" >"$work/report.txt"
cat "$work/report.txt"

grep -q "cross-check: .*: agree" "$work/report.txt"
tx=$(awk '$1 == "tx" {print $2}' "$work/report.txt")
frames=$(tcpdump -nn -r "$work/passed.pcap" 2>/dev/null | wc -l)
[ "$tx" -eq "$frames" ] || { echo "card TX $tx but the passed capture holds $frames frames"; exit 1; }
for class in dns-reflection ntp-reflection memcached-reflection ssdp-reflection cldap-reflection \
             blocklisted-source malformed fragment-attack v6-flood; do
  awk -v c="$class" '$1 == c && $2 == "attack" { if ($5 != 0) { print c " delivered " $5; exit 1 } }' \
    "$work/report.txt"
done
for class in legit-dns legit-game legit-fragments unprotected; do
  awk -v c="$class" '$1 == c && $2 == "legit" { if ($4 != 0) { print c " dropped " $4; exit 1 } }' \
    "$work/report.txt"
done
echo "replay_e2e=pass"
