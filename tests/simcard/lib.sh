# Shared by the simcard tests: a private channel name, a work directory,
# starting scrub-simcard in the background and stopping it.
set -euo pipefail
simcard=$1 client=$2 trafgen=$3 model=$4 config=$5
work=$(mktemp -d)
export SCRUB_SIMCARD_SHM=/scrub-simcard-test-$$
simcard_pid=
cleanup() {
  if [ -n "$simcard_pid" ] && kill -0 "$simcard_pid" 2>/dev/null; then kill -KILL "$simcard_pid"; fi
  rm -f "/dev/shm${SCRUB_SIMCARD_SHM}"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/simcard.log" ] && sed 's/^/  simcard: /' "$work/simcard.log"; exit 1; }

# start_simcard ARGS...: in the background, output in $work/simcard.{txt,log};
# returns once its channel is up.
start_simcard() {
  "$simcard" "$@" >"$work/simcard.txt" 2>"$work/simcard.log" &
  simcard_pid=$!
  for _ in $(seq 200); do
    grep -q "ready:" "$work/simcard.log" && return 0
    kill -0 "$simcard_pid" 2>/dev/null || fail "scrub-simcard exited at start"
    sleep 0.05
  done
  fail "scrub-simcard not ready after 10 s"
}

# wait_simcard: its exit status must be 0.
wait_simcard() {
  local rc=0
  wait "$simcard_pid" || rc=$?
  simcard_pid=
  [ "$rc" -eq 0 ] || fail "scrub-simcard exited with $rc"
}

# frames FILE: one line per frame (time, bytes in hex), for comparisons.
frames() { tcpdump -nn -tt --time-stamp-precision=nano -xx -r "$1" 2>/dev/null; }
