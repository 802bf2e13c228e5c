#!/usr/bin/env bash
# yosys 0.23 must accept the RTL as the synthesis flow will read it:
#   yosys_read.sh TOP INCLUDE_DIR... -- SOURCE...
set -euo pipefail
top=$1
shift
incs=()
while [ "$1" != "--" ]; do
  incs+=("-I$1")
  shift
done
shift
yosys -q -p "read_verilog -sv ${incs[*]} $*; hierarchy -check -top $top; proc; opt -fast"
echo "yosys_read=$top"
