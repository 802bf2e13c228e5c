// scrub_policer: the card's token-bucket policers (docs/card.md,
// "Policers"; hw/model/policer.c, model.c's table_policer and commit,
// pipeline.c's police()). POLICERS buckets, their configuration shadowed
// and committed in two phases, their state live.
//
// Storage (scrub_policer_ram, UltraRAM at the deployment size):
// - two configuration banks {counter, burst, rate, reset, packets}; bank
//   `sel` is active (lookups), the other is the shadow (commands);
// - the state {epoch, unit, last, tokens}: the bucket plus the commit epoch
//   it was last written in and the unit (packets bit) it was written under.
//
// Lookup side: s_valid, s_index, s_len (L3 bytes; 1 unit for a packet-mode
// policer), s_now (the frame's time, non-decreasing). LATENCY (= 9) clocks
// later m_valid, m_conform and m_counter (COUNTER if it conforms, else
// COUNTER + 1). One lookup a clock, any pattern of indices.
//
// The pipeline (stage k: the clock k after an op is presented). Every op
// is a read-modify-write of one bucket: a lookup (refill at s_now, take the
// cost), a TOUCH (the commit sweep's: reconfigure only) or a PEEK (a READ's:
// as a touch, and report the result). Touches and peeks use clocks without
// a lookup.
//   0  read both configuration banks and the state at the index
//   1  find the source: the nearest op ahead on the same index among the
//      FW = 9 ops whose write-back this read missed (else the RAM word)
//   2  the `last` chain: take the source's {last, unit, epoch} (an op ahead
//      computed them at its stage 2, so this is a one-clock loop), apply
//      the pending reconfiguration if the source's epoch is not the op's,
//      refill = now > last, new last
//   3  dt = now - last clamped to 2^62; 3..6 refill = rate x dt (40 x 63
//      bits, 8 DSP pieces, scrub_policer_mul); 4..6 depth = burst x 10^9;
//      5..6 cost = units x 10^9
//   7  saturate the refill at 2^63 - 1 (the depth is below 2^62, so only
//      "at least the room" matters); take the source's tokens if it is two
//      or more ops ahead (computed by now) or the RAM word
//   8  the `tokens` loop: the source one op ahead gives its result of the
//      previous clock; s = tokens + refill; capped = reset || s >= depth;
//      conform = (capped ? depth : s) >= cost; pay if conforming
//   9  write the state back; the result leaves (m_*, or the READ's data)
// Exactness under forwarding: the only feedback paths are the `last`
// chain at stage 2 and the `tokens` loop at stage 8, both closed in one
// clock, so every op sees exactly the state its predecessor on the same
// index left (whatever the distance: ops ahead by 1..9 are forwarded,
// older ones are in the RAM). The multiplier depends only on `last`, known
// at stage 2, so it is pipelined freely. min(depth, tokens + refill) also
// caps a stale bucket at a smaller new depth, which is the reconfiguration
// of a plain configuration change; on a current bucket (tokens <= depth,
// always) it changes nothing.
//
// Commit (two phases, see the table-module interface):
// - commit_start: pending; commit_ready the clock after, once the sweep of
//   the previous commit is done and a command that arrived before the
//   commit has finished.
// - commit_swap (with commit_ready): `sel` and the commit `epoch` flip and
//   commit_now is kept; an op presented in that clock or later reads the
//   new bank and belongs to the new epoch.
// - Reconfiguration, exact and lazy: a bucket whose stored epoch is not
//   the op's (stale) is reconfigured on the fly before the op, as
//   scrub_policer_reconfigure does at the commit: with the new bank's
//   RESET, or a packets bit other than the stored unit, tokens = depth and
//   last = commit_now; otherwise the tokens are capped at the new depth
//   (by the refill's min, above). Ops in flight across the swap forward
//   their epoch too, so the rule holds for forwarded values.
// - The sweep (commit_busy): after the swap a TOUCH of every policer, in
//   index order, in clocks without a lookup, so that every bucket is
//   current before the next swap (one epoch bit is then enough); at the
//   same time the active bank is copied into the shadow with RESET
//   cleared, one entry a clock, so that the shadow holds what was
//   committed. commit_busy = pending or sweeping. The sweep needs POLICERS
//   clocks without a lookup: a 100GbE MAC leaves more than half the clocks
//   of a 322 MHz, 512-bit bus idle even with minimum-size frames.
//
// Command side (SCRUB_TABLE_POLICER): READ and WRITE; anything else
// BAD_CMD, then BAD_INDEX, then (WRITE) BAD_ENTRY at RATE (over 2^40 - 1)
// or COUNTER (the pair not within COUNTERS), as the model's check_policer;
// a WRITE ignores TOKENS and LAST. A READ returns the shadow configuration
// with RESET 0 and the live TOKENS and LAST. A command runs when no sweep
// is running and it is not behind a pending commit (it waits otherwise):
// a WRITE completes the clock after; a READ takes the first such clock
// without a lookup for its PEEK and reports the state after every lookup
// presented before that clock; done when the PEEK leaves, LATENCY + 1
// clocks later.
//
// rst clears the pipeline, the command and a pending commit; the tables,
// the bank and epoch bits survive it (a sweep in progress starts again:
// touching and copying twice changes nothing).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_policer #(
    parameter integer POLICERS = 256,
    parameter integer COUNTERS = 4096,
    parameter integer LATENCY /*verilator public*/ = 9,
    parameter integer IDX_W    = $clog2(POLICERS),
    parameter integer CTR_W    = $clog2(COUNTERS)
) (
    input  wire              clk,
    input  wire              rst,

    input  wire              cmd_valid,
    input  wire [7:0]        cmd,
    input  wire [31:0]       cmd_index,
    /* verilator lint_off UNUSED */ // words past COUNTER (TOKENS, LAST) are ignored
    input  wire [32*32-1:0]  cmd_data,
    /* verilator lint_on UNUSED */
    output reg               cmd_done,
    output reg  [7:0]        cmd_status,
    output reg  [31:0]       cmd_result,
    output reg  [32*32-1:0]  cmd_rdata,
    output reg               cmd_rdata_we,

    input  wire              commit_start,
    output wire              commit_ready,
    input  wire              commit_swap,
    output wire              commit_busy,
    input  wire [63:0]       commit_now,

    input  wire              s_valid,
    input  wire [IDX_W-1:0]  s_index,
    input  wire [15:0]       s_len,
    input  wire [63:0]       s_now,
    output wire              m_valid,
    output wire              m_conform,
    output wire [CTR_W-1:0]  m_counter
);
    `include "scrub_regmap.vh"

    localparam integer ST_T  = 8;          // the tokens loop
    localparam integer ST_W  = ST_T + 1;   // write-back and result
    localparam integer FW    = ST_W;       // ops ahead whose write a read misses
    localparam integer NS    = 2 * ST_T;   // records kept, stages 1..NS
    localparam integer SRC_W = 4;
    localparam integer TOK_W = 62;         // tokens <= (2^32 - 1) x 10^9 < 2^62
    localparam integer CFG_W = CTR_W + 32 + 40 + 2;
    localparam integer ST_WD = 2 + 64 + TOK_W;
    localparam integer PTR_W = IDX_W + 1;
    localparam [PTR_W-1:0] PTR_END = POLICERS[PTR_W-1:0];

    localparam [1:0] K_LOOKUP = 2'd0, K_TOUCH = 2'd1, K_PEEK = 2'd2;
    localparam [1:0] C_IDLE = 2'd0, C_WAIT = 2'd1, C_PEEK = 2'd2;

    localparam [7:0] ST_OK        = SCRUB_STATUS_OK[7:0];
    localparam [7:0] ST_BAD_INDEX = SCRUB_STATUS_BAD_INDEX[7:0];
    localparam [7:0] ST_BAD_CMD   = SCRUB_STATUS_BAD_CMD[7:0];
    localparam [7:0] ST_BAD_ENTRY = SCRUB_STATUS_BAD_ENTRY[7:0];

    generate
        if (LATENCY != ST_W) begin : g_bad_latency
            $error("scrub_policer: LATENCY must be %0d", ST_W);
        end
        if (POLICERS < 2 || POLICERS > (1 << 24) || (1 << IDX_W) < POLICERS) begin : g_bad_policers
            $error("scrub_policer: POLICERS must be 2..2^24 and fit IDX_W bits");
        end
        if (COUNTERS < 2 || COUNTERS > (1 << 26) || (1 << CTR_W) < COUNTERS) begin : g_bad_counters
            $error("scrub_policer: COUNTERS must be 2..2^26 and fit CTR_W bits");
        end
        if (SCRUB_POLICER_RATE_WIDTH != 64 || SCRUB_POLICER_TOKENS_WIDTH != 64 || SCRUB_POLICER_LAST_WIDTH != 64 ||
            SCRUB_POLICER_BURST_WIDTH != 32 || SCRUB_POLICER_COUNTER_WIDTH != 32) begin : g_bad_layout
            $error("scrub_policer: the POLICER entry layout changed");
        end
    endgenerate

    // ---- commit state ----------------------------------------------------------
    reg              sel = 1'b0;        // active configuration bank
    reg              epoch = 1'b0;      // commit epoch (parity of the commit count)
    reg [63:0]       cnow_q = 64'd0;    // commit_now of the last swap
    reg              pending, sweeping = 1'b0;
    reg [PTR_W-1:0]  sweep_ptr = {PTR_W{1'b0}}, copy_ptr = {PTR_W{1'b0}};
    reg [IDX_W-1:0]  copy_wr_idx;
    reg              copy_wr;

    // ---- command state ---------------------------------------------------------
    reg [1:0]        c_state;
    reg [7:0]        c_cmd;
    reg [31:0]       c_idx;
    reg              c_before;          // ahead of any commit not yet swapped
    reg              c_cfg_take;
    reg [CFG_W-2:0]  c_cfg;             // the READ's shadow entry, without RESET

    wire can_exec = !sweeping && (!pending || c_before);
    assign commit_ready = pending && !sweeping && !(c_state != C_IDLE && c_before);
    assign commit_busy  = pending || sweeping;
    wire swap = commit_swap && commit_ready;

    wire c_rw       = c_cmd == SCRUB_CMD_READ[7:0] || c_cmd == SCRUB_CMD_WRITE[7:0];
    wire c_in_range = c_idx < POLICERS;
    wire c_write    = c_cmd == SCRUB_CMD_WRITE[7:0];

    wire [31:0] w_rate_hi = cmd_data[32*SCRUB_POLICER_RATE_WORD +: 32];
    wire [31:0] w_rate_lo = cmd_data[32*(SCRUB_POLICER_RATE_WORD+1) +: 32];
    wire [31:0] w_burst   = cmd_data[32*SCRUB_POLICER_BURST_WORD +: 32];
    wire [31:0] w_counter = cmd_data[32*SCRUB_POLICER_COUNTER_WORD +: 32];
    wire        w_packets = cmd_data[32*SCRUB_POLICER_PACKETS_WORD + SCRUB_POLICER_PACKETS_LSB];
    wire        w_reset   = cmd_data[32*SCRUB_POLICER_RESET_WORD + SCRUB_POLICER_RESET_LSB];
    wire        w_rate_ok = w_rate_hi[31:8] == 24'd0;
    wire        w_ctr_ok  = w_counter <= COUNTERS - 2;
    wire [CFG_W-1:0] w_cfg = {w_counter[CTR_W-1:0], w_burst, w_rate_hi[7:0], w_rate_lo, w_reset, w_packets};

    wire c_go      = c_state == C_WAIT && can_exec;
    wire write_go  = c_go && c_rw && c_in_range && c_write && w_rate_ok && w_ctr_ok;
    wire peek_go   = c_go && c_rw && c_in_range && !c_write && !s_valid;
    wire touch_go  = sweeping && sweep_ptr < PTR_END && !s_valid;
    wire copy_rd   = sweeping && copy_ptr < PTR_END;

    // ---- stage 0: the op ------------------------------------------------------
    wire             op_v     = s_valid || touch_go || peek_go;
    wire [1:0]       op_kind  = s_valid ? K_LOOKUP : touch_go ? K_TOUCH : K_PEEK;
    wire [IDX_W-1:0] op_idx   = s_valid ? s_index : touch_go ? sweep_ptr[IDX_W-1:0] : c_idx[IDX_W-1:0];
    wire [63:0]      op_now   = s_valid ? s_now : 64'd0;   // 0: no refill
    wire             op_bank  = swap ? ~sel : sel;
    wire             op_epoch = swap ? ~epoch : epoch;
    wire [63:0]      op_cnow  = swap ? commit_now : cnow_q;

    // ---- the tables -----------------------------------------------------------
    wire [CFG_W-1:0] cfg_a [0:1];
    wire [CFG_W-1:0] cfg_b [0:1];
    wire [ST_WD-1:0] st_a;
    // The state RAM's port B only writes.
    /* verilator lint_off UNUSED */
    wire [ST_WD-1:0] st_b_unused;
    /* verilator lint_on UNUSED */

    localparam [CFG_W-1:0] RESET_BIT = {{(CFG_W-2){1'b0}}, 2'b10};

    genvar gb;
    generate
        for (gb = 0; gb < 2; gb = gb + 1) begin : g_bank
            wire active = sel == gb[0];
            wire b_en   = active ? copy_rd : (copy_wr || write_go || peek_go);
            wire b_we   = !active && (copy_wr || write_go);
            wire [IDX_W-1:0] b_addr = active ? copy_ptr[IDX_W-1:0] : copy_wr ? copy_wr_idx : c_idx[IDX_W-1:0];
            wire [CFG_W-1:0] b_wdata = copy_wr ? (cfg_b[1-gb] & ~RESET_BIT) : w_cfg;
            scrub_policer_ram #(.WIDTH(CFG_W), .DEPTH(POLICERS), .AW(IDX_W)) u_cfg (
                .clk(clk), .a_addr(op_idx), .a_rdata(cfg_a[gb]),
                .b_en(b_en), .b_we(b_we), .b_addr(b_addr), .b_wdata(b_wdata), .b_rdata(cfg_b[gb]));
        end
    endgenerate

    // ---- the pipeline records, stages 1..NS --------------------------------------
    reg              r_v      [1:NS];
    reg [1:0]        r_kind   [1:NS];
    reg [IDX_W-1:0]  r_idx    [1:NS];
    reg [63:0]       r_now    [1:NS];
    reg [15:0]       r_len    [1:NS];
    reg              r_bank   [1:NS];
    reg              r_epoch  [1:NS];
    reg [63:0]       r_cnow   [1:NS];
    reg [SRC_W-1:0]  r_src    [1:NS];   // source: 0 RAM, d the op d ahead
    reg              r_pkts   [1:NS];   // configuration (from stage 2)
    reg              r_reset  [1:NS];
    reg [39:0]       r_rate   [1:NS];
    reg [31:0]       r_burst  [1:NS];
    reg [CTR_W-1:0]  r_ctr    [1:NS];
    reg [TOK_W-1:0]  r_ram_tok[1:NS];   // the RAM word (from stage 2)
    reg [63:0]       r_ram_last[1:NS];
    reg              r_ram_unit[1:NS];
    reg              r_ram_ep [1:NS];
    reg              r_rst_ap [1:NS];   // reset on the fly (from stage 3)
    reg              r_refill [1:NS];
    reg [63:0]       r_dt     [1:NS];
    reg [63:0]       r_last_o [1:NS];
    reg              r_unit_o [1:NS];
    reg              r_ep_o   [1:NS];
    reg [62:0]       r_fill   [1:NS];   // saturated refill (from stage 8)
    reg [TOK_W-1:0]  r_cap    [1:NS];
    reg [45:0]       r_cost   [1:NS];
    reg              r_cap_ok [1:NS];   // depth >= cost
    reg [TOK_W-1:0]  r_cap_t  [1:NS];   // tokens left if capped
    reg [TOK_W-1:0]  r_tin    [1:NS];   // source tokens unless one op ahead
    reg [CTR_W-1:0]  r_ctr1   [1:NS];
    reg [TOK_W-1:0]  r_tok_o  [1:NS];   // result (from stage 9)
    reg              r_conf_o [1:NS];
    reg [CTR_W-1:0]  r_ctr_o  [1:NS];

    // stage 1: the source
    reg [SRC_W-1:0] src1;
    integer d1;
    always @* begin
        src1 = {SRC_W{1'b0}};
        for (d1 = FW; d1 >= 1; d1 = d1 - 1)
            if (r_v[1+d1] && r_idx[1+d1] == r_idx[1])
                src1 = d1[SRC_W-1:0];
    end
    wire [CFG_W-1:0] cfg1 = r_bank[1] ? cfg_a[1] : cfg_a[0];

    // stage 2: the last chain
    reg [63:0] s2_last;
    reg        s2_unit, s2_ep;
    integer d2;
    always @* begin
        s2_last = r_ram_last[2];
        s2_unit = r_ram_unit[2];
        s2_ep   = r_ram_ep[2];
        for (d2 = 1; d2 <= FW; d2 = d2 + 1)
            if (r_src[2] == d2[SRC_W-1:0]) begin
                s2_last = r_last_o[2+d2];
                s2_unit = r_unit_o[2+d2];
                s2_ep   = r_ep_o[2+d2];
            end
    end
    wire        s2_rst_ap = s2_ep != r_epoch[2] && (r_reset[2] || r_pkts[2] != s2_unit);
    wire [63:0] s2_l      = s2_rst_ap ? r_cnow[2] : s2_last;
    wire [64:0] s2_diff   = {1'b0, r_now[2]} - {1'b0, s2_l};
    wire        s2_refill = !s2_diff[64] && s2_diff[63:0] != 64'd0;

    // stages 3..6: the products
    localparam [63:0] DT_MAX = 64'd1 << 62;
    wire [62:0]  s3_dt = !r_refill[3] ? 63'd0 : r_dt[3] > DT_MAX ? DT_MAX[62:0] : r_dt[3][62:0];
    wire [102:0] fill_p;
    wire [61:0]  cap_p;
    wire [45:0]  cost_p;
    wire [15:0]  s5_units = r_kind[5] != K_LOOKUP ? 16'd0 : r_pkts[5] ? 16'd1 : r_len[5];
    localparam [29:0] NS_PER_S = SCRUB_NS_PER_S[29:0];

    scrub_policer_mul #(.AW(40), .BW(63), .LATENCY(4)) u_fill (
        .clk(clk), .a(r_rate[3]), .b(s3_dt), .p(fill_p));
    scrub_policer_mul #(.AW(32), .BW(30), .LATENCY(3)) u_cap (
        .clk(clk), .a(r_burst[4]), .b(NS_PER_S), .p(cap_p));
    scrub_policer_mul #(.AW(16), .BW(30), .LATENCY(2)) u_cost (
        .clk(clk), .a(s5_units), .b(NS_PER_S), .p(cost_p));

    // stage 7: saturate; the source's tokens unless it is one op ahead
    wire [62:0] s7_fill = |fill_p[102:63] ? {63{1'b1}} : fill_p[62:0];
    wire        s7_cap_ok = cap_p >= {16'd0, cost_p};
    reg  [TOK_W-1:0] s7_tin;
    integer d7;
    always @* begin
        s7_tin = r_ram_tok[7];
        for (d7 = 2; d7 <= FW; d7 = d7 + 1)
            if (r_src[7] == d7[SRC_W-1:0])
                s7_tin = r_tok_o[7+d7];
    end

    // stage 8: the tokens loop
    wire [TOK_W-1:0] s8_tin   = r_src[8] == 4'd1 ? r_tok_o[9] : r_tin[8];
    wire [63:0]      s8_s     = {2'b00, s8_tin} + {1'b0, r_fill[8]};
    wire             s8_capped = r_rst_ap[8] || s8_s >= {2'b00, r_cap[8]};
    wire             s8_s_ok  = s8_s >= {18'd0, r_cost[8]};
    // not capped: s < depth < 2^62
    wire [TOK_W-1:0] s8_s_t   = s8_s_ok ? s8_s[TOK_W-1:0] - {16'd0, r_cost[8]} : s8_s[TOK_W-1:0];
    wire             s8_conf  = s8_capped ? r_cap_ok[8] : s8_s_ok;
    wire [TOK_W-1:0] s8_tok   = s8_capped ? r_cap_t[8] : s8_s_t;

    integer k;
    always @(posedge clk) begin
        for (k = NS; k >= 2; k = k - 1) begin
            r_v[k]        <= r_v[k-1];
            r_kind[k]     <= r_kind[k-1];
            r_idx[k]      <= r_idx[k-1];
            r_now[k]      <= r_now[k-1];
            r_len[k]      <= r_len[k-1];
            r_bank[k]     <= r_bank[k-1];
            r_epoch[k]    <= r_epoch[k-1];
            r_cnow[k]     <= r_cnow[k-1];
            r_src[k]      <= r_src[k-1];
            r_pkts[k]     <= r_pkts[k-1];
            r_reset[k]    <= r_reset[k-1];
            r_rate[k]     <= r_rate[k-1];
            r_burst[k]    <= r_burst[k-1];
            r_ctr[k]      <= r_ctr[k-1];
            r_ram_tok[k]  <= r_ram_tok[k-1];
            r_ram_last[k] <= r_ram_last[k-1];
            r_ram_unit[k] <= r_ram_unit[k-1];
            r_ram_ep[k]   <= r_ram_ep[k-1];
            r_rst_ap[k]   <= r_rst_ap[k-1];
            r_refill[k]   <= r_refill[k-1];
            r_dt[k]       <= r_dt[k-1];
            r_last_o[k]   <= r_last_o[k-1];
            r_unit_o[k]   <= r_unit_o[k-1];
            r_ep_o[k]     <= r_ep_o[k-1];
            r_fill[k]     <= r_fill[k-1];
            r_cap[k]      <= r_cap[k-1];
            r_cost[k]     <= r_cost[k-1];
            r_cap_ok[k]   <= r_cap_ok[k-1];
            r_cap_t[k]    <= r_cap_t[k-1];
            r_tin[k]      <= r_tin[k-1];
            r_ctr1[k]     <= r_ctr1[k-1];
            r_tok_o[k]    <= r_tok_o[k-1];
            r_conf_o[k]   <= r_conf_o[k-1];
            r_ctr_o[k]    <= r_ctr_o[k-1];
        end
        // stage 0 -> 1
        r_v[1]     <= op_v;
        r_kind[1]  <= op_kind;
        r_idx[1]   <= op_idx;
        r_now[1]   <= op_now;
        r_len[1]   <= s_len;
        r_bank[1]  <= op_bank;
        r_epoch[1] <= op_epoch;
        r_cnow[1]  <= op_cnow;
        // stage 1 -> 2
        r_src[2]      <= src1;
        {r_ctr[2], r_burst[2], r_rate[2], r_reset[2], r_pkts[2]} <= cfg1;
        {r_ram_ep[2], r_ram_unit[2], r_ram_last[2], r_ram_tok[2]} <= st_a;
        // stage 2 -> 3
        r_rst_ap[3] <= s2_rst_ap;
        r_refill[3] <= s2_refill;
        r_dt[3]     <= s2_diff[63:0];
        r_last_o[3] <= s2_refill ? r_now[2] : s2_l;
        r_unit_o[3] <= r_pkts[2];
        r_ep_o[3]   <= r_epoch[2];
        // stage 7 -> 8
        r_fill[8]   <= s7_fill;
        r_cap[8]    <= cap_p;
        r_cost[8]   <= cost_p;
        r_cap_ok[8] <= s7_cap_ok;
        r_cap_t[8]  <= s7_cap_ok ? cap_p - {16'd0, cost_p} : cap_p;
        r_tin[8]    <= s7_tin;
        r_ctr1[8]   <= r_ctr[7] + 1'b1;
        // stage 8 -> 9
        r_tok_o[9]  <= s8_tok;
        r_conf_o[9] <= s8_conf;
        r_ctr_o[9]  <= s8_conf ? r_ctr[8] : r_ctr1[8];
        if (rst) begin
            for (k = 1; k <= NS; k = k + 1)
                r_v[k] <= 1'b0;
        end
    end

    // stage 9: write back, results
    scrub_policer_ram #(.WIDTH(ST_WD), .DEPTH(POLICERS), .AW(IDX_W)) u_state (
        .clk(clk), .a_addr(op_idx), .a_rdata(st_a),
        .b_en(r_v[ST_W]), .b_we(1'b1), .b_addr(r_idx[ST_W]),
        .b_wdata({r_ep_o[ST_W], r_unit_o[ST_W], r_last_o[ST_W], r_tok_o[ST_W]}), .b_rdata(st_b_unused));

    assign m_valid   = r_v[ST_W] && r_kind[ST_W] == K_LOOKUP;
    assign m_conform = r_conf_o[ST_W];
    assign m_counter = r_ctr_o[ST_W];
    wire   peek_out  = r_v[ST_W] && r_kind[ST_W] == K_PEEK;

    // ---- commit -----------------------------------------------------------------
    always @(posedge clk) begin
        copy_wr     <= copy_rd;
        copy_wr_idx <= copy_ptr[IDX_W-1:0];
        if (commit_start)
            pending <= 1'b1;
        if (touch_go)
            sweep_ptr <= sweep_ptr + 1'b1;
        if (copy_rd)
            copy_ptr <= copy_ptr + 1'b1;
        if (sweeping && sweep_ptr == PTR_END && copy_ptr == PTR_END && !copy_wr)
            sweeping <= 1'b0;
        if (swap) begin
            pending   <= 1'b0;
            sel       <= ~sel;
            epoch     <= ~epoch;
            cnow_q    <= commit_now;
            sweeping  <= 1'b1;
            sweep_ptr <= {PTR_W{1'b0}};
            copy_ptr  <= {PTR_W{1'b0}};
        end
        if (rst) begin
            pending   <= 1'b0;
            copy_wr   <= 1'b0;
            sweep_ptr <= {PTR_W{1'b0}};
            copy_ptr  <= {PTR_W{1'b0}};
        end
    end

    // ---- commands ---------------------------------------------------------------
    function automatic [63:0] words64(input [63:0] v);   // most significant word first
        words64 = {v[31:0], v[63:32]};
    endfunction

    always @(posedge clk) begin
        cmd_done   <= 1'b0;
        c_cfg_take <= peek_go;
        if (c_cfg_take)
            c_cfg <= sel ? {cfg_b[0][CFG_W-1:2], cfg_b[0][0]} : {cfg_b[1][CFG_W-1:2], cfg_b[1][0]};
        if (swap)
            c_before <= 1'b1;
        case (c_state)
            C_IDLE:
                if (cmd_valid) begin
                    c_state  <= C_WAIT;
                    c_cmd    <= cmd;
                    c_idx    <= cmd_index;
                    c_before <= !pending || swap;
                end
            C_WAIT:
                if (c_go && (!c_rw || !c_in_range || c_write)) begin
                    c_state      <= C_IDLE;
                    cmd_done     <= 1'b1;
                    cmd_result   <= 32'd0;
                    cmd_rdata_we <= 1'b0;
                    if (!c_rw)
                        cmd_status <= ST_BAD_CMD;
                    else if (!c_in_range)
                        cmd_status <= ST_BAD_INDEX;
                    else if (!w_rate_ok) begin
                        cmd_status <= ST_BAD_ENTRY;
                        cmd_result <= SCRUB_POLICER_RATE_WORD;
                    end else if (!w_ctr_ok) begin
                        cmd_status <= ST_BAD_ENTRY;
                        cmd_result <= SCRUB_POLICER_COUNTER_WORD;
                    end else
                        cmd_status <= ST_OK;
                end else if (peek_go)
                    c_state <= C_PEEK;
            default:
                if (peek_out) begin
                    c_state      <= C_IDLE;
                    cmd_done     <= 1'b1;
                    cmd_status   <= ST_OK;
                    cmd_result   <= 32'd0;
                    cmd_rdata_we <= 1'b1;
                    cmd_rdata    <= {32*32{1'b0}};
                    cmd_rdata[32*SCRUB_POLICER_PACKETS_WORD + SCRUB_POLICER_PACKETS_LSB] <= c_cfg[0];
                    cmd_rdata[32*SCRUB_POLICER_RATE_WORD +: 64]    <= words64({24'd0, c_cfg[40:1]});
                    cmd_rdata[32*SCRUB_POLICER_BURST_WORD +: 32]   <= c_cfg[72:41];
                    cmd_rdata[32*SCRUB_POLICER_COUNTER_WORD +: 32] <= {{(32-CTR_W){1'b0}}, c_cfg[CFG_W-2:73]};
                    cmd_rdata[32*SCRUB_POLICER_TOKENS_WORD +: 64]  <= words64({{(64-TOK_W){1'b0}}, r_tok_o[ST_W]});
                    cmd_rdata[32*SCRUB_POLICER_LAST_WORD +: 64]    <= words64(r_last_o[ST_W]);
                end
        endcase
        if (rst) begin
            c_state  <= C_IDLE;
            cmd_done <= 1'b0;
        end
    end
endmodule

`resetall
