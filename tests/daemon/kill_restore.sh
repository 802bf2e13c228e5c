#!/usr/bin/env bash
# Durability under SIGKILL: scrubd on scrub-simcard (model core) is killed
# at 100 random points of a stream of mitigation changes and restarted;
# every acknowledged change must be there after each restart
# (kill_restore.py says how).
# usage: kill_restore.sh SCRUB-SIMCARD SCRUBD SCRUBCTL DEMO_JSON PYTHON3 CYCLES
set -euo pipefail
simcard=$1 scrubd=$2 scrubctl=$3 demo=$4 python=$5 cycles=$6
test=kill-restore
source "$(dirname "$0")/lib.sh"
cp "$demo" "$config"
"$simcard" --core model >"$work/simcard.txt" 2>"$work/simcard.log" &
simcard_pid=$!
wait_for 'grep -q "ready:" "$work/simcard.log"'
seed=${SEED:-$RANDOM}
echo "seed $seed (SEED=$seed to repeat)"
"$python" "$(dirname "$0")/kill_restore.py" "$scrubd" "$config" "$store" "$sock" "$work" "$cycles" "$seed" ||
  fail "kill_restore.py (seed $seed)"
