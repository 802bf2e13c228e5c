#!/usr/bin/env bash
# The card against the model on the traffic generator's mix and the
# testbench's own frames, two seeds (different idle and stall patterns).
set -euo pipefail
trafgen=$1 bench=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$trafgen" --packets 20000 --seed 11 "$work/mix.pcap" "$work/mix.labels"
"$bench" "$work/mix.pcap" 120000 1
"$bench" "$work/mix.pcap" 60000 2
