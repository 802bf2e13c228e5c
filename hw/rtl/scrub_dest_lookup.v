// scrub_dest_lookup: the destination lookup's tables, in two banks, and its
// pipeline. The build engine writes the bank that lookups do not use; swap
// makes it the one they use.
//
// A bank holds the elementary intervals the valid prefixes cut the address
// space into (scrub_dest_sweep): interval k starts at address S[k], S[0] = 0,
// and carries its winner (R[k]: hit and entry index); count intervals in
// all. A lookup of address a finds the last interval with S[k] <= a by a
// binary search over k, one bit of k a level, top bit first: level b keeps
// the starts S[k] of the k whose lowest set bit is bit b (2^(LEVELS-1-b)
// of them), so each level is one RAM read and one 128-bit compare; a probe
// at or past count is above every address. Then R[k], then the committed
// fields of its entry (a copy taken at the build, so that the shadow may
// change at once).
//
// Latency LEVELS + 2: a clock per level, one for R, one for the fields. A
// lookup uses the bank that is active when it is presented (with swap in
// the same clock: the new one) to its end. On a miss m_index and the
// fields read 0. Before the first count is written every lookup misses.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_dest_lookup #(
    parameter integer INDEX_W = 8,
    parameter integer LEVELS = 10
) (
    input  wire               clk,
    input  wire               rst,

    // build side: writes go to the bank lookups do not use
    input  wire               wr_interval,
    input  wire [LEVELS-1:0]  wr_pos,
    input  wire [127:0]       wr_start,
    input  wire               wr_hit,
    input  wire [INDEX_W-1:0] wr_index,
    input  wire               wr_count_valid,
    input  wire [LEVELS:0]    wr_count,
    input  wire               wr_fields,
    input  wire [INDEX_W-1:0] wr_fields_index,
    input  wire [56:0]        wr_fields_data,   // {enable, tenant, profile, counter}
    input  wire               swap,

    input  wire               s_valid,
    input  wire [127:0]       s_addr,

    output reg                m_valid,
    output reg                m_hit,
    output reg  [INDEX_W-1:0] m_index,
    output wire               m_enable,
    output wire [15:0]        m_tenant,
    output wire [7:0]         m_profile,
    output wire [31:0]        m_counter
);
    reg              active;
    reg  [LEVELS:0]  count_0, count_1;

    always @(posedge clk) begin
        if (wr_count_valid) begin
            if (active)
                count_0 <= wr_count;
            else
                count_1 <= wr_count;
        end
        if (swap)
            active <= !active;
        if (rst) begin
            active  <= 1'b0;
            count_0 <= {(LEVELS+1){1'b0}};
            count_1 <= {(LEVELS+1){1'b0}};
        end
    end

    // Stage j (0..LEVELS-1) searches bit LEVELS-1-j; its inputs are
    // st_*[j], its results st_*[j+1].
    wire [LEVELS:0]            st_valid, st_bank;
    wire [128*LEVELS-1:0]      st_addr;  // no level after the last compares
    wire [LEVELS*(LEVELS+1)-1:0] st_idx;

    assign st_valid[0] = s_valid;
    assign st_bank[0]  = swap ? !active : active;
    assign st_addr[0 +: 128] = s_addr;
    assign st_idx[0 +: LEVELS] = {LEVELS{1'b0}};

    genvar j;
    generate
        for (j = 0; j < LEVELS; j = j + 1) begin : g_level
            localparam integer B  = LEVELS - 1 - j;  // the bit this level decides
            localparam integer AW = LEVELS - B;      // bank bit and k's bits above B
            localparam [LEVELS-1:0] BIT = 1 << B;

            /* verilator lint_off UNUSEDSIGNAL */ // the bits above the level's address are 0
            wire [LEVELS:0]    rd_sh = {st_bank[j], st_idx[j*LEVELS +: LEVELS]} >> (B + 1);
            wire [LEVELS:0]    wr_sh = {!active, wr_pos} >> (B + 1);
            /* verilator lint_on UNUSEDSIGNAL */
            wire               wr_here = wr_interval && (wr_pos & ((BIT << 1) - 1'b1)) == BIT;
            reg  [127:0]       q;
            reg                valid, bank;
            reg  [127:0]       addr;
            reg  [LEVELS-1:0]  idx;

            if (AW >= 10) begin : g_block
                (* ram_style = "block" *) reg [127:0] mem [0:(1<<AW)-1];
                always @(posedge clk) begin
                    if (wr_here)
                        mem[wr_sh[AW-1:0]] <= wr_start;
                    q <= mem[rd_sh[AW-1:0]];
                end
            end else begin : g_small
                reg [127:0] mem [0:(1<<AW)-1];
                always @(posedge clk) begin
                    if (wr_here)
                        mem[wr_sh[AW-1:0]] <= wr_start;
                    q <= mem[rd_sh[AW-1:0]];
                end
            end

            always @(posedge clk) begin
                valid <= st_valid[j];
                bank  <= st_bank[j];
                addr  <= st_addr[j*128 +: 128];
                idx   <= st_idx[j*LEVELS +: LEVELS];
                if (rst)
                    valid <= 1'b0;
            end

            wire [LEVELS-1:0] probe = idx | BIT;
            wire [LEVELS:0]   count = bank ? count_1 : count_0;
            wire              take  = {1'b0, probe} < count && q <= addr;

            assign st_valid[j+1] = valid;
            assign st_bank[j+1]  = bank;
            if (j + 1 < LEVELS) begin : g_addr
                assign st_addr[(j+1)*128 +: 128] = addr;
            end
            assign st_idx[(j+1)*LEVELS +: LEVELS] = take ? probe : idx;
        end
    endgenerate

    // R: the winner of each interval.
    (* ram_style = "block" *) reg [INDEX_W:0] win_mem [0:(2<<LEVELS)-1];
    reg  [INDEX_W:0] win_q;
    reg              win_valid, win_nonempty, win_bank;

    always @(posedge clk) begin
        if (wr_interval)
            win_mem[{!active, wr_pos}] <= {wr_hit, wr_index};
        win_q        <= win_mem[{st_bank[LEVELS], st_idx[LEVELS*LEVELS +: LEVELS]}];
        win_valid    <= st_valid[LEVELS];
        win_bank     <= st_bank[LEVELS];
        win_nonempty <= (st_bank[LEVELS] ? count_1 : count_0) != 0;
        if (rst)
            win_valid <= 1'b0;
    end

    // The committed fields of each entry.
    (* ram_style = "block" *) reg [56:0] fields_mem [0:(2<<INDEX_W)-1];
    reg  [56:0] fields_q;

    always @(posedge clk) begin
        if (wr_fields)
            fields_mem[{!active, wr_fields_index}] <= wr_fields_data;
        fields_q <= fields_mem[{win_bank, win_q[INDEX_W-1:0]}];
        m_valid  <= win_valid;
        m_hit    <= win_nonempty && win_q[INDEX_W];
        m_index  <= win_nonempty && win_q[INDEX_W] ? win_q[INDEX_W-1:0] : {INDEX_W{1'b0}};
        if (rst)
            m_valid <= 1'b0;
    end

    assign {m_enable, m_tenant, m_profile, m_counter} = m_hit ? fields_q : 57'd0;
endmodule

`resetall
