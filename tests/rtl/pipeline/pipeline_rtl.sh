#!/usr/bin/env bash
# The card against the model on the traffic generator's mix and the
# testbench's own frames, with random tables and changes under traffic.
#   pipeline_rtl.sh TRAFGEN BENCH FRAMES SEED
# Odd seeds put idle clocks between input beats, even seeds none.
set -euo pipefail
trafgen=$1 bench=$2 frames=$3 seed=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$trafgen" --packets 20000 --seed 11 "$work/mix.pcap" "$work/mix.labels"
"$bench" "$work/mix.pcap" "$frames" "$seed"
