// scrub_acl_bv: every ACL entry matched against one key a clock, as bit
// vectors (docs/rtl.md, "ACL"; the model's scrub_acl_match in
// hw/model/acl.c is the reference).
//
// The key is cut into 4-bit chunks. Each chunk has a table with one row per
// chunk value and one bit per entry: the bit says whether the entry accepts
// that value of the chunk. A lookup reads the row of every chunk and ANDs
// them: what was 772 bits of comparison and flip-flops an entry becomes
// 127 bits of LUT RAM an entry and bank, which is what lets 1,024 entries
// fit. Every field becomes chunks:
// - the ternary fields (addresses, tenant, profile, protocol, DSCP,
//   fragment bits, VLAN, family, TCP flags, ICMP type and code) as
//   (key & mask) == value per chunk, which is exact because that test is
//   bitwise. Conditions that need a header become ternary bits of the key
//   too: has_tcp when the flags mask is not 0, has_icmp when an ICMP mask is
//   not 0, has_ports when a port range is not 0..65535; a zero TCP flags or
//   ICMP mask means no condition, so its value is taken as 0;
// - each bound of the port and length ranges as seven tables over the four
//   chunks of the 16-bit value from the top: strictly beyond the bound's
//   chunk, equal to it, three times, then the last chunk beyond or equal:
//   v >= lo is S0 | E0 & (S1 | E1 & (S2 | E2 & N3)), and v <= hi likewise.
//   A range of 0..65535 is true whatever the value, as the model's "no
//   condition" is.
//
// Each table holds two banks, the active one lookups read and the next one
// the load writes; s_swap exchanges them in one clock. The load takes the
// entries in index order from 0, every one at each commit (s_load_index 0
// starts over); every GW-th entry and the last start 16 clocks of row
// writes (m_load_busy), during which no entry may be loaded. The entries'
// VALID and COUNT_ONLY bits are flip-flops beside the tables. Reset clears
// both banks' VALID bits.
//
// Stages (LATENCY = 2, from a key registered upstream): the rows read and
// each group of four ternary rows and each range bound combined, then
// everything ANDed into a decisive hit and a count-only hit per entry.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_acl_bv #(
    parameter integer ENTRIES = 64,
    parameter integer MATCH_W = 772,          // E_MATCH_W of scrub_acl_entry.vh
    parameter integer LATENCY /*verilator public*/ = 2
) (
    input  wire                       clk,
    input  wire                       rst,

    input  wire                       s_load,        // load entry s_load_index into the next bank
    input  wire [$clog2(ENTRIES)-1:0] s_load_index,
    input  wire [MATCH_W-1:0]         s_load_entry,
    output wire                       m_load_busy,
    input  wire                       s_swap,        // the next bank becomes the active one

    input  wire                       s_v6,
    input  wire                       s_has_ports,
    input  wire                       s_has_tcp,
    input  wire                       s_has_icmp,
    input  wire [7:0]                 s_proto,
    input  wire [5:0]                 s_dscp,
    input  wire [4:0]                 s_frag,
    input  wire [7:0]                 s_tcp_flags,
    input  wire [7:0]                 s_icmp_type,
    input  wire [7:0]                 s_icmp_code,
    input  wire [12:0]                s_vlan,
    input  wire [15:0]                s_l3_len,
    input  wire [15:0]                s_sport,
    input  wire [15:0]                s_dport,
    input  wire [127:0]               s_src,
    input  wire [127:0]               s_dst,
    input  wire [15:0]                s_tenant,
    input  wire [7:0]                 s_profile,

    output reg  [ENTRIES-1:0]         m_decisive,    // a valid entry, not count-only, matched
    output reg  [ENTRIES-1:0]         m_count        // a valid count-only entry matched
);

`include "scrub_regmap.vh"
`include "scrub_acl_entry.vh"

localparam integer N = ENTRIES;
localparam integer IDX_W = $clog2(N);
localparam integer STAGES = 2;
localparam integer C = 4;                          // chunk bits: 16 rows a bank
localparam integer ROWS = 1 << C;
localparam integer ROWS_LAST = ROWS - 1;
localparam integer N_LAST = N - 1;
localparam integer GW = 14;                        // entries a table RAM holds
localparam integer GW_LAST = GW - 1;
localparam integer GROUPS = (N + GW - 1) / GW;
localparam integer NP = GROUPS * GW;               // entries rounded up to whole groups
localparam integer TG_W = $clog2(GW);
localparam integer GI_W = $clog2(GROUPS + 1);
localparam integer TERN_W = 340;                   // the ternary key, below
localparam integer TERN_T = (TERN_W + C - 1) / C;  // its tables
localparam integer TERN_G = (TERN_T + 3) / 4;      // groups of four ANDed in stage 1
localparam integer BOUNDS = 6;                     // sport lo/hi, dport lo/hi, length lo/hi
localparam integer BOUND_T = 7;

generate
    if (MATCH_W != E_MATCH_W) begin : g_bad_width
        $error("scrub_acl_bv: MATCH_W must be E_MATCH_W (%0d)", E_MATCH_W);
    end
    if (LATENCY != STAGES) begin : g_bad_latency
        $error("scrub_acl_bv: LATENCY must be the %0d stages", STAGES);
    end
    if (N < 2) begin : g_bad_entries
        $error("scrub_acl_bv: ENTRIES must be at least 2");
    end
endgenerate

// ---- the ternary key and an entry's value and mask over it ------------------------
//
// From bit 0 up: src, dst, tenant, profile, proto, DSCP, fragment bits,
// VLAN, family, TCP flags, has_tcp, ICMP type, ICMP code, has_icmp,
// has_ports; padded to whole chunks with key 0, value 0, mask 0.

localparam integer TERN_PAD = TERN_T * C;

wire [TERN_PAD-1:0] key_tern = {{TERN_PAD - TERN_W{1'b0}},
    s_has_ports, s_has_icmp, s_icmp_code, s_icmp_type, s_has_tcp, s_tcp_flags, s_v6, s_vlan, s_frag, s_dscp,
    s_proto, s_profile, s_tenant, s_dst, s_src};

function [2*TERN_PAD-1:0] tern_of(input [MATCH_W-1:0] e); // {mask, value}
    reg [7:0]  flags_m, itype_m, icode_m;
    reg        tcp_need, icmp_need, ports_need;
    reg [TERN_PAD-1:0] v, m;
    begin
        flags_m = e[E_FLAGS_MASK +: 8];
        itype_m = e[E_ITYPE_MASK +: 8];
        icode_m = e[E_ICODE_MASK +: 8];
        tcp_need = flags_m != 8'd0;
        icmp_need = itype_m != 8'd0 || icode_m != 8'd0;
        ports_need = !(e[E_SPORT_LO +: 16] == 16'h0000 && e[E_SPORT_HI +: 16] == 16'hffff &&
                       e[E_DPORT_LO +: 16] == 16'h0000 && e[E_DPORT_HI +: 16] == 16'hffff);
        v = {{TERN_PAD - TERN_W{1'b0}},
             ports_need, icmp_need,
             icode_m == 8'd0 ? 8'd0 : e[E_ICODE_VALUE +: 8], itype_m == 8'd0 ? 8'd0 : e[E_ITYPE_VALUE +: 8],
             tcp_need, tcp_need ? e[E_FLAGS_VALUE +: 8] : 8'd0,
             e[E_V6_VALUE], e[E_VLAN_VALUE +: 13], e[E_FRAG_VALUE +: 5], e[E_DSCP_VALUE +: 6],
             e[E_PROTO_VALUE +: 8], e[E_PROFILE_VALUE +: 8], e[E_TENANT_VALUE +: 16],
             e[E_DST_VALUE +: 128], e[E_SRC_VALUE +: 128]};
        m = {{TERN_PAD - TERN_W{1'b0}},
             ports_need, icmp_need, icode_m, itype_m, tcp_need, flags_m,
             e[E_V6_MASK], e[E_VLAN_MASK +: 13], e[E_FRAG_MASK +: 5], e[E_DSCP_MASK +: 6],
             e[E_PROTO_MASK +: 8], e[E_PROFILE_MASK +: 8], e[E_TENANT_MASK +: 16],
             e[E_DST_MASK +: 128], e[E_SRC_MASK +: 128]};
        tern_of = {m, v};
    end
endfunction

// ---- the range bounds ---------------------------------------------------------------

// Bound b: the key's value (and ld_bounds, the entry's bound); even b are
// low bounds (v >= lo), odd b high bounds (v <= hi).
wire [16*BOUNDS-1:0] key_bound = {s_l3_len, s_l3_len, s_dport, s_dport, s_sport, s_sport};

// Table t of a bound (0..6: S0, E0, S1, E1, S2, E2, N3) at chunk value x.
function bound_bit(input high, input [15:0] bound, input integer t, input [C-1:0] x);
    reg [C-1:0] b;
    begin
        b = bound[4*(3 - t/2) +: 4];
        if (t == 6)
            bound_bit = high ? x <= b : x >= b;
        else if (t % 2 == 1)
            bound_bit = x == b;
        else
            bound_bit = high ? x < b : x > b;
    end
endfunction

// ---- the banks, the load and the swap -------------------------------------------
//
// Each table is cut into groups of GW entries, each group a 2*ROWS x GW
// RAM written a whole row at a time (a LUT RAM with one write port and one
// read port: 14 bits a row is what a device's 8-LUT RAM holds at 32 rows).
// The load gathers a group's entries, then writes the group's row of every
// table for each of the 16 chunk values.

reg              bank;          // the active bank
reg [TG_W-1:0]   gather;        // the group's next slot
reg [GI_W-1:0]   group;         // the group being gathered
reg              wr_busy;       // writing a gathered group's rows
reg [C-1:0]      wr_row;
reg [GI_W-1:0]   wr_group;
wire [GW*2*TERN_PAD-1:0] slot_tern;     // slot k's {mask, value} at [2*TERN_PAD*k +: 2*TERN_PAD]
wire [GW*16*BOUNDS-1:0]  slot_bounds;   // slot k's bounds at [16*BOUNDS*k +: 16*BOUNDS]
reg [N-1:0]      valid_next, valid_act, co_next, co_act;

assign m_load_busy = wr_busy;

wire first = s_load_index == {IDX_W{1'b0}};
wire [TG_W-1:0] slot = first ? {TG_W{1'b0}} : gather;
wire [GI_W-1:0] slot_group = first ? {GI_W{1'b0}} : group;
wire group_full = slot == GW_LAST[TG_W-1:0] || s_load_index == N_LAST[IDX_W-1:0];

always @(posedge clk) begin
    if (s_load) begin
        valid_next[s_load_index] <= s_load_entry[E_VALID];
        co_next[s_load_index] <= s_load_entry[E_COUNT_ONLY];
        gather <= group_full ? {TG_W{1'b0}} : slot + 1'b1;
        group <= group_full ? slot_group + 1'b1 : slot_group;
        if (group_full) begin
            wr_busy <= 1'b1;
            wr_row <= {C{1'b0}};
            wr_group <= slot_group;
        end
    end
    if (wr_busy) begin
        wr_row <= wr_row + 1'b1;
        if (wr_row == ROWS_LAST[C-1:0])
            wr_busy <= 1'b0;
    end
    if (s_swap) begin
        bank <= !bank;
        valid_act <= valid_next;
        co_act <= co_next;
    end
    if (rst) begin
        wr_busy <= 1'b0;
        bank <= 1'b0;
        valid_next <= {N{1'b0}};
        valid_act <= {N{1'b0}};
    end
end

// The gathered entries, one register a slot.
wire [2*TERN_PAD-1:0] load_tern = tern_of(s_load_entry);
wire [16*BOUNDS-1:0]  load_bounds = {s_load_entry[E_LEN_HI +: 16], s_load_entry[E_LEN_LO +: 16],
                                     s_load_entry[E_DPORT_HI +: 16], s_load_entry[E_DPORT_LO +: 16],
                                     s_load_entry[E_SPORT_HI +: 16], s_load_entry[E_SPORT_LO +: 16]};
genvar gk;
generate
    for (gk = 0; gk < GW; gk = gk + 1) begin : g_gather
        reg [2*TERN_PAD-1:0] tern;
        reg [16*BOUNDS-1:0]  bounds;
        always @(posedge clk)
            if (s_load && slot == gk) begin
                tern <= load_tern;
                bounds <= load_bounds;
            end
        assign slot_tern[2*TERN_PAD*gk +: 2*TERN_PAD] = tern;
        assign slot_bounds[16*BOUNDS*gk +: 16*BOUNDS] = bounds;
    end
endgenerate

// ---- stage 1: the rows, combined in groups ---------------------------------------

// Tables 0..TERN_T-1 are the ternary chunks, then seven a range bound.
localparam integer TABLES = TERN_T + BOUNDS * BOUND_T;

/* verilator lint_off UNUSEDSIGNAL */ // the last group's slots beyond the entries
wire [NP-1:0] row [0:TABLES-1];       // each table's row for the key
/* verilator lint_on UNUSEDSIGNAL */

genvar gt, gg, gs;
generate
    for (gt = 0; gt < TABLES; gt = gt + 1) begin : g_table
        wire [GW-1:0] wr_bits;         // the gathered entries' bits at wr_row
        wire [C-1:0]  key;             // the chunk of the key the table is read by
        if (gt < TERN_T) begin : g_tern
            for (gs = 0; gs < GW; gs = gs + 1) begin : g_slot
                wire [C-1:0] m = slot_tern[2*TERN_PAD*gs + TERN_PAD + C*gt +: C];
                wire [C-1:0] v = slot_tern[2*TERN_PAD*gs + C*gt +: C];
                assign wr_bits[gs] = (wr_row & m) == v;
            end
            assign key = key_tern[C*gt +: C];
        end else begin : g_bound
            localparam integer B = (gt - TERN_T) / BOUND_T, T = (gt - TERN_T) % BOUND_T;
            for (gs = 0; gs < GW; gs = gs + 1) begin : g_slot
                assign wr_bits[gs] = bound_bit(B % 2 == 1, slot_bounds[16*BOUNDS*gs + 16*B +: 16], T, wr_row);
            end
            assign key = key_bound[16*B + 4*(3 - T/2) +: 4];
        end
        for (gg = 0; gg < GROUPS; gg = gg + 1) begin : g_group
            reg [GW-1:0] tab [0:2*ROWS-1];
            always @(posedge clk)
                if (wr_busy && wr_group == gg)
                    tab[{!bank, wr_row}] <= wr_bits;
            assign row[gt][GW*gg +: GW] = tab[{bank, key}];
        end
    end
endgenerate

// Stage 1 registers each group of four ternary rows ANDed and each range
// bound ("terms", N bits each); stage 2 ANDs them all with VALID.
localparam integer TERMS = TERN_G + BOUNDS;
reg [N-1:0] valid1, co1;
wire [N*TERMS-1:0] terms;

genvar gq;
generate
    for (gq = 0; gq < TERN_G; gq = gq + 1) begin : g_tern_part
        // The last group may have fewer than four rows: ANDing one twice is harmless.
        localparam integer K0 = 4 * gq;
        localparam integer K1 = K0 + 1 < TERN_T ? K0 + 1 : K0;
        localparam integer K2 = K0 + 2 < TERN_T ? K0 + 2 : K0;
        localparam integer K3 = K0 + 3 < TERN_T ? K0 + 3 : K0;
        reg [N-1:0] part;
        always @(posedge clk)
            part <= row[K0][N-1:0] & row[K1][N-1:0] & row[K2][N-1:0] & row[K3][N-1:0];
        assign terms[N*gq +: N] = part;
    end
    for (gq = 0; gq < BOUNDS; gq = gq + 1) begin : g_bound_ok
        localparam integer R = TERN_T + BOUND_T * gq;
        reg [N-1:0] ok;
        always @(posedge clk)
            ok <= row[R][N-1:0] | row[R+1][N-1:0] & (row[R+2][N-1:0] | row[R+3][N-1:0] &
                  (row[R+4][N-1:0] | row[R+5][N-1:0] & row[R+6][N-1:0]));
        assign terms[N*(TERN_G+gq) +: N] = ok;
    end
endgenerate

always @(posedge clk) begin
    valid1 <= valid_act;
    co1 <= co_act;
end

// ---- stage 2: the entries that matched -------------------------------------------

reg [N-1:0] all;
integer t;
always @* begin
    all = valid1;
    for (t = 0; t < TERMS; t = t + 1)
        all = all & terms[N*t +: N];
end

always @(posedge clk) begin
    m_decisive <= all & ~co1;
    m_count <= all & co1;
end

endmodule

`resetall
