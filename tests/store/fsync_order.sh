#!/usr/bin/env bash
# Shows under strace that every acknowledgement comes after SQLite's fsync
# of the WAL for that commit: between two acknowledgements there is an
# fdatasync/fsync of the store's -wal file. Usage: fsync_order.sh PROBE
set -euo pipefail
probe=$1
n=50
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# LeakSanitizer cannot run under ptrace.
ASAN_OPTIONS=detect_leaks=0 strace -f -y -e trace=fdatasync,fsync,write -o "$dir/trace" \
  "$probe" "$dir/store.db" "$n" >/dev/null
awk -v n="$n" '
  /(fdatasync|fsync)\([0-9]+<[^>]*store\.db-wal>\) = 0/ { synced = 1 }
  /write\(1<[^>]*>, "ack [0-9]+\\n"/ || /write\(1, "ack [0-9]+\\n"/ {
    acks++
    if (!synced) { print "fsync_order: acknowledgement " acks - 1 " was written before any fsync of the WAL since the previous one:"; print; bad = 1 }
    synced = 0
  }
  END {
    if (acks != n) { print "fsync_order: saw " acks " acknowledgements in the trace, expected " n; exit 1 }
    if (bad) exit 1
    print "fsync_order: " acks " acknowledgements, each after an fsync of the WAL"
  }' "$dir/trace"
