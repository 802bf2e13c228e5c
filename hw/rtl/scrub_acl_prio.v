// scrub_acl_prio: the ACL's priority encoder (docs/card.md, packet path
// step 5; the model's scrub_acl_search_linear in hw/model/acl.c is the
// reference). From the entries that matched (decisive and count-only hits,
// one bit per entry): the lowest-indexed decisive hit, the lowest
// SCRUB_COUNT_ONLY_MAX count-only hits below it in index order, and how
// many more count-only hits lie below it (lost).
//
// A pipelined tree, one level a clock. Stage 1 summarises blocks of four
// entries; each later stage merges two neighbouring summaries, the lower
// first: a decisive hit in the lower one decides alone; otherwise the
// decisive hit is the upper one's and the count-only lists concatenate,
// whatever passes the maximum adding to lost. A summary keeps the list
// slots from its count up at zero, so the concatenation is an OR with the
// upper list shifted by the lower count. Entries are padded with
// never-matching ones to four times a power of two.
// LATENCY = 1 + log2(leaves): 5 for 64 entries, 9 for 1,024.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_acl_prio #(
    parameter integer ENTRIES = 64,
    parameter integer LATENCY /*verilator public*/ = 5
) (
    input  wire                                     clk,
    input  wire                                     rst,

    input  wire                                     s_valid,
    input  wire [ENTRIES-1:0]                       s_decisive,
    input  wire [ENTRIES-1:0]                       s_count,

    output wire                                     m_valid,
    output wire                                     m_hit,          // a decisive entry matched
    output wire [$clog2(ENTRIES)-1:0]               m_index,        // the lowest such, with m_hit
    output wire [2:0]                               m_n_counted,    // 0..SCRUB_COUNT_ONLY_MAX
    output wire [4*$clog2(ENTRIES)-1:0]             m_counted,      // slot k at [k*IDX_W +: IDX_W], 0 from m_n_counted up
    output wire [$clog2(ENTRIES+1)-1:0]             m_lost
);

`include "scrub_regmap.vh"

localparam integer MAX = SCRUB_COUNT_ONLY_MAX;
localparam integer IDX_W = $clog2(ENTRIES);
localparam integer N_W = 3;
localparam integer LOST_W = $clog2(ENTRIES + 1);
localparam integer LEAF = 4;
localparam integer LEAVES = 1 << $clog2((ENTRIES + LEAF - 1) / LEAF);
localparam integer LEVELS = $clog2(LEAVES);
localparam integer PADDED = LEAF * LEAVES;
localparam integer STAGES = 1 + LEVELS;

generate
    if (ENTRIES < 2 || ENTRIES > 65536) begin : g_bad_entries
        $error("scrub_acl_prio: ENTRIES must be 2..65536");
    end
    if (MAX != 4) begin : g_bad_max
        $error("scrub_acl_prio: the ports are sized for SCRUB_COUNT_ONLY_MAX = 4");
    end
    if (LATENCY != STAGES) begin : g_bad_latency
        $error("scrub_acl_prio: LATENCY must be the %0d stages", STAGES);
    end
endgenerate

// A summary of a block of entries.
localparam integer N_HIT = 0;
localparam integer N_INDEX = 1;
localparam integer N_COUNT = N_INDEX + IDX_W;
localparam integer N_LOST = N_COUNT + N_W;
localparam integer N_LIST = N_LOST + LOST_W;
localparam integer NODE_W = N_LIST + MAX * IDX_W;
localparam [N_W:0] MAX_N = MAX[N_W:0];

/* verilator lint_off UNUSEDSIGNAL */
function [NODE_W-1:0] leaf(input [LEAF-1:0] dec, input [LEAF-1:0] cnt, input integer base);
    reg [NODE_W-1:0] s;
    reg [31:0]       index; // only its low IDX_W bits name an entry
    integer          j, n, lost;
    begin
        s = {NODE_W{1'b0}};
        n = 0;
        lost = 0;
        for (j = 0; j < LEAF; j = j + 1) begin
            index = base + j;
            if (!s[N_HIT]) begin
                if (dec[j]) begin
                    s[N_HIT] = 1'b1;
                    s[N_INDEX +: IDX_W] = index[IDX_W-1:0];
                end else if (cnt[j]) begin
                    if (n < MAX) begin
                        s[N_LIST + n * IDX_W +: IDX_W] = index[IDX_W-1:0];
                        n = n + 1;
                    end else begin
                        lost = lost + 1;
                    end
                end
            end
        end
        s[N_COUNT +: N_W] = n[N_W-1:0];
        s[N_LOST +: LOST_W] = lost[LOST_W-1:0];
        leaf = s;
    end
endfunction
/* verilator lint_on UNUSEDSIGNAL */

function [NODE_W-1:0] merge(input [NODE_W-1:0] lo, input [NODE_W-1:0] hi);
    reg [NODE_W-1:0]     s;
    reg [N_W:0]          total;
    reg [LOST_W-1:0]     over;
    reg [MAX*IDX_W-1:0]  list;
    begin
        total = {1'b0, lo[N_COUNT +: N_W]} + {1'b0, hi[N_COUNT +: N_W]};
        over = total > MAX_N ? {{(LOST_W-N_W-1){1'b0}}, total - MAX_N} : {LOST_W{1'b0}};
        list = lo[N_LIST +: MAX*IDX_W] | (hi[N_LIST +: MAX*IDX_W] << (lo[N_COUNT +: N_W] * IDX_W));
        s[N_HIT] = hi[N_HIT];
        s[N_INDEX +: IDX_W] = hi[N_INDEX +: IDX_W];
        s[N_COUNT +: N_W] = total > MAX_N ? MAX_N[N_W-1:0] : total[N_W-1:0];
        s[N_LOST +: LOST_W] = lo[N_LOST +: LOST_W] + hi[N_LOST +: LOST_W] + over;
        s[N_LIST +: MAX*IDX_W] = list;
        merge = lo[N_HIT] ? lo : s;
    end
endfunction

wire [PADDED-1:0] dec, cnt;
generate
    if (PADDED > ENTRIES) begin : g_pad
        assign dec = {{(PADDED - ENTRIES){1'b0}}, s_decisive};
        assign cnt = {{(PADDED - ENTRIES){1'b0}}, s_count};
    end else begin : g_no_pad
        assign dec = s_decisive;
        assign cnt = s_count;
    end
endgenerate

// The tree as a heap: node k's children are 2k+1 (lower entries) and 2k+2;
// leaf j (entries 4j..4j+3) is node LEAVES-1+j; node 0 is the root.
reg [(2*LEAVES-1)*NODE_W-1:0] tree;
reg [STAGES-1:0]              valid;

integer k;
always @(posedge clk) begin
    for (k = 0; k < LEAVES; k = k + 1)
        tree[(LEAVES - 1 + k) * NODE_W +: NODE_W] <= leaf(dec[LEAF*k +: LEAF], cnt[LEAF*k +: LEAF], LEAF * k);
    for (k = 0; k < LEAVES - 1; k = k + 1)
        tree[k * NODE_W +: NODE_W] <= merge(tree[(2*k + 1) * NODE_W +: NODE_W], tree[(2*k + 2) * NODE_W +: NODE_W]);
    valid[0] <= s_valid;
    for (k = 1; k < STAGES; k = k + 1)
        valid[k] <= valid[k - 1];
    if (rst)
        valid <= {STAGES{1'b0}};
end

assign m_valid = valid[STAGES-1];
assign m_hit = tree[N_HIT];
assign m_index = tree[N_INDEX +: IDX_W];
assign m_n_counted = tree[N_COUNT +: N_W];
assign m_counted = tree[N_LIST +: MAX*IDX_W];
assign m_lost = tree[N_LOST +: LOST_W];

endmodule

`resetall
