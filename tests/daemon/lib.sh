# What the scrubd tests on scrub-simcard share, sourced once they have set
# $test (their name), $scrubctl and $python: a work directory, a channel
# name of their own, both processes killed and everything removed at exit,
# fail with the logs, scrubctl and JSON helpers.
work=$(mktemp -d)
export SCRUB_SIMCARD_SHM=/scrub-$test-test-$$
simcard_pid= scrubd_pid=
cleanup() {
  for p in $scrubd_pid $simcard_pid; do kill -KILL "$p" 2>/dev/null || true; done
  rm -f "/dev/shm${SCRUB_SIMCARD_SHM}"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for log in "$work"/scrubd*.log "$work/simcard.log"; do [ -f "$log" ] && sed "s|^|  $(basename "$log"): |" "$log"; done
  exit 1
}
sock=$work/ctl.sock store=$work/scrubd.db config=$work/scrubd.json
ctl() { "$scrubctl" -s "$sock" "$@"; }
# jget EXPR: evaluates a Python expression on the JSON answer `a` read from stdin.
jget() { "$python" -c "import json,sys; a=json.load(sys.stdin); print($1)"; }
# global NAME: the card's global packet counter NAME, through scrubctl.
global() { ctl -j counters | jget "a['result']['global']['$1']['packets']"; }
# wait_for EXPR: polls until the shell expression is true, for up to
# $wait_s seconds (default 20).
wait_for() {
  for _ in $(seq $((${wait_s:-20} * 20))); do eval "$1" && return 0; sleep 0.05; done
  fail "timed out waiting for: $1"
}
