#!/usr/bin/env bash
# The generated Verilog include must be accepted by both tools the RTL
# must satisfy: Verilator 5.006 (lint, all warnings) and yosys 0.23.
set -euo pipefail
vh=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$vh" "$work/scrub_regmap.vh"
cat >"$work/regmap_probe.v" <<'V'
module regmap_probe (output wire [31:0] magic);
`include "scrub_regmap.vh"
  assign magic = SCRUB_REG_MAGIC_RESET;
endmodule
V
cd "$work"
verilator --lint-only -Wall regmap_probe.v
yosys -q -p 'read_verilog -sv regmap_probe.v; hierarchy -top regmap_probe; proc; opt; stat' >/dev/null
echo "regmap_vh=pass"
