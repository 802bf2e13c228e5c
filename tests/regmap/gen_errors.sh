#!/usr/bin/env bash
# A broken register map definition fails the build with the file, the line
# and the problem.
set -uo pipefail
gen=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
expect() { # expect NAME 'def text' 'message part'
  printf '%s\n' "$2" >"$work/$1.def"
  out=$(python3 "$gen" "$work/$1.def" "$work/o.h" "$work/o.vh" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] || [[ "$out" != *"$work/$1.def:"*"$3"* ]]; then
    echo "FAIL $1: rc=$rc, got: $out"
    fail=1
  else
    echo "ok $1: $out"
  fi
}
expect unaligned 'reg A 0x0002 rw 0 "a"' "is not 32-bit aligned"
expect twice $'reg A 0x0000 rw 0 "a"\nreg B 0x0000 rw 0 "b"' "used twice"
expect field_first 'field F 0 1 "f"' "field before any reg"
expect wide_field $'reg A 0x0000 rw 0 "a"\nfield F 20 16 "f"' "does not fit in 32 bits"
expect beyond_table $'table T 1 2 "t"\nentry E 1 0 64 "e"' "beyond the table"
expect crosses $'table T 1 2 "t"\nentry E 0 20 16 "e"' "crosses a word"
expect arity 'reg A 0x0000 rw "a"' "takes 5 values"
expect number 'const C zz "c"' "is not a number"
expect kind 'register A 0 rw 0 "a"' "unknown line kind"
expect duplicate $'const C 1 "c"\nconst C 2 "c"' "defined twice"
expect reg_overlap $'reg A 0x0000 rw 0 "a"\nfield F 0 4 "f"\nfield G 3 2 "g"' "overlaps another field of A"
expect entry_overlap $'table T 1 4 "t"\nentry E 0 0 64 "e"\nentry F 1 8 8 "f"' "overlaps another field in word 1"
exit $fail
