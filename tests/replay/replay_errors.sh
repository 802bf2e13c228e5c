#!/usr/bin/env bash
# Bad input to scrub-model: a clear message naming the file and the
# problem, and a non-zero exit; never a crash.
set -uo pipefail
bin=$1 config=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
expect() { # expect NAME 'message part' command...
  local name=$1 want=$2
  shift 2
  out=$("$@" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -eq 0 ] || [ $rc -ge 128 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL $name: rc=$rc, stderr: $out"
    fail=1
  else
    echo "ok $name: $out"
  fi
}
"$bin/scrub-trafgen" --packets 50 "$work/good.pcap" "$work/good.labels"

printf 'not a capture at all\n' >"$work/text.pcap"
expect not_pcap "$work/text.pcap: not a readable pcap capture" \
  "$bin/scrub-model" --config "$config" --in "$work/text.pcap"
head -c 1000 "$work/good.pcap" >"$work/cut.pcap"
expect truncated_record "$work/cut.pcap: record" "$bin/scrub-model" --config "$config" --in "$work/cut.pcap"
expect missing_pcap "$work/none.pcap" "$bin/scrub-model" --config "$config" --in "$work/none.pcap"

head -n 20 "$work/good.labels" >"$work/short.labels"
expect labels_short "labels 19 packets, but $work/good.pcap has more" \
  "$bin/scrub-model" --config "$config" --in "$work/good.pcap" --labels "$work/short.labels"
sed '3s/legit$/benign/; 3s/attack$/benign/' "$work/good.labels" >"$work/kind.labels"
expect labels_kind "$work/kind.labels:3: kind 'benign' is neither legit nor attack" \
  "$bin/scrub-model" --config "$config" --in "$work/good.pcap" --labels "$work/kind.labels"

printf '{ "scrub-config:scrub-config": {\n  "card": { "malformed": "drop" \n}\n' >"$work/syntax.json"
expect config_syntax "$work/syntax.json:" "$bin/scrub-model" --config "$work/syntax.json" --in "$work/good.pcap"
expect config_missing "$work/absent.json" "$bin/scrub-model" --config "$work/absent.json" --in "$work/good.pcap"
expect no_config "--config and --in are required" "$bin/scrub-model" --in "$work/good.pcap"
expect bad_card "--card 'huge': expected deploy or sim" \
  "$bin/scrub-model" --config "$config" --in "$work/good.pcap" --card huge
expect unwritable_out "/nonexistent/dir/out.pcap" \
  "$bin/scrub-model" --config "$config" --in "$work/good.pcap" --out /nonexistent/dir/out.pcap
exit $fail
