#!/usr/bin/env bash
# The parser's scoreboard on a fresh capture from the traffic generator.
set -euo pipefail
trafgen=$1 tb=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$trafgen" --packets 40000 --seed 11 "$work/mix.pcap" "$work/mix.labels"
"$tb" "$work/mix.pcap" 11
