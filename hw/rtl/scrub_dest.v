// scrub_dest: the card's DEST table (docs/card.md, "Tables", and "The packet
// path", step 3): the shadow entries behind the table port, the two-phase
// commit, and the destination lookup: the longest valid prefix that covers
// the address, equal prefixes resolved by the lower index, as the model's
// table_dest, check_dest and scrub_lpm_lookup.
//
// Command side (READ, WRITE; other commands BAD_CMD, then BAD_INDEX, then
// the entry checks of a WRITE in the model's order): two clocks from
// cmd_valid to cmd_done when not held. A command waits while a commit reads
// the shadow (the build's first DEST_ENTRIES clocks).
//
// Commit: commit_start (only while commit_busy is low) reads the shadow
// once, copying each entry's fields into the lookup's inactive bank and
// feeding the valid prefixes to the build engine (scrub_dest_sort, then
// scrub_dest_sweep), which writes the elementary intervals into that bank
// (docs/rtl.md, "The tables"). commit_ready rises when it is done;
// commit_swap makes the bank active; commit_busy stays up LATENCY clocks
// more, until no lookup reads the old bank, which the next build rewrites.
// Build clocks, commit_start to commit_ready, for DEST_ENTRIES = n entries
// of which v are valid, u of them distinct prefixes: exactly
//   n + 6 + P * (v + 1) + u,  P = max(1, ceil(log2 v)) merge passes
// (n to read the shadow, v + 1 a pass, the last one slowed by the sweep's
// closing each distinct prefix once), one more when a command is completing
// in commit_start's clock. The testbench checks it on every commit. For
// n = v = u = 16,384: 16,384 + 6 + 14 * 16,385 + 16,384 = 262,164 clocks,
// 0.81 ms at 322 MHz.
//
// Lookup side: s_addr (IPv4 as ::ffff:a.b.c.d) to m_* after LATENCY clocks,
// one a clock: m_hit, the entry's index and its committed fields (0 on a
// miss).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_dest #(
    parameter integer DEST_ENTRIES = 256,
    parameter integer COUNTERS = 4096,
    parameter integer LATENCY /*verilator public*/ = 12
) (
    input  wire              clk,
    input  wire              rst,

    input  wire              cmd_valid,
    input  wire [7:0]        cmd,
    input  wire [31:0]       cmd_index,
    input  wire [32*32-1:0]  cmd_data,
    output reg               cmd_done,
    output reg  [7:0]        cmd_status,
    output reg  [31:0]       cmd_result,
    output reg  [32*32-1:0]  cmd_rdata,
    output reg               cmd_rdata_we,

    input  wire              commit_start,
    output wire              commit_ready,
    input  wire              commit_swap,
    output wire              commit_busy,

    input  wire              s_valid,
    input  wire [127:0]      s_addr,
    output wire              m_valid,
    output wire              m_hit,
    output wire [IW-1:0]     m_index,
    output wire              m_enable,
    output wire [15:0]       m_tenant,
    output wire [7:0]        m_profile,
    output wire [31:0]       m_counter
);
    `include "scrub_regmap.vh"

    localparam integer IW     = DEST_ENTRIES > 1 ? $clog2(DEST_ENTRIES) : 1;
    // Enough binary-search levels for 2 * DEST_ENTRIES + 1 intervals.
    localparam integer LEVELS = $clog2(2 * DEST_ENTRIES + 1);
    localparam integer STAGES = LEVELS + 2;
    localparam integer ENTRY_W = 128 + 8 + 1 + 57;  // prefix, plen, valid, {enable, tenant, profile, counter}

    generate
        if (DEST_ENTRIES < 1 || DEST_ENTRIES > (1 << 24)) begin : g_bad_entries
            $error("scrub_dest: DEST_ENTRIES must be 1..2^24 (the model's range)");
        end
        if (COUNTERS < 2 || COUNTERS > (1 << 26)) begin : g_bad_counters
            $error("scrub_dest: COUNTERS must be 2..2^26 (the model's range)");
        end
        if (LATENCY != STAGES) begin : g_bad_latency
            $error("scrub_dest: LATENCY must be the %0d stages", STAGES);
        end
    endgenerate

    // ---- the shadow -----------------------------------------------------------
    (* ram_style = "block" *) reg [ENTRY_W-1:0] shadow [0:DEST_ENTRIES-1];
    reg  [ENTRY_W-1:0] shadow_q;
    wire               shadow_we;
    reg  [IW-1:0]      shadow_raddr;

    // The entry in the data window, as the shadow keeps it (the model's unpack).
    function [31:0] word(input integer w);
        word = cmd_data[32*w +: 32];
    endfunction
    wire [127:0] d_prefix  = {word(SCRUB_DEST_PREFIX_WORD), word(SCRUB_DEST_PREFIX_WORD + 1),
                              word(SCRUB_DEST_PREFIX_WORD + 2), word(SCRUB_DEST_PREFIX_WORD + 3)};
    wire [7:0]   d_plen    = cmd_data[32*SCRUB_DEST_PLEN_WORD + SCRUB_DEST_PLEN_LSB +: 8];
    wire         d_valid   = cmd_data[32*SCRUB_DEST_VALID_WORD + SCRUB_DEST_VALID_LSB];
    wire         d_enable  = cmd_data[32*SCRUB_DEST_ENABLE_WORD + SCRUB_DEST_ENABLE_LSB];
    wire [15:0]  d_tenant  = cmd_data[32*SCRUB_DEST_TENANT_WORD + SCRUB_DEST_TENANT_LSB +: 16];
    wire [7:0]   d_profile = cmd_data[32*SCRUB_DEST_PROFILE_WORD + SCRUB_DEST_PROFILE_LSB +: 8];
    wire [31:0]  d_counter = cmd_data[32*SCRUB_DEST_COUNTER_WORD + SCRUB_DEST_COUNTER_LSB +: 32];
    wire [ENTRY_W-1:0] d_entry = {d_prefix, d_plen, d_valid, d_enable, d_tenant, d_profile, d_counter};

    always @(posedge clk) begin
        if (shadow_we)
            shadow[cmd_index[IW-1:0]] <= d_entry;
        shadow_q <= shadow[shadow_raddr];
    end

    // ---- commit state ------------------------------------------------------------
    localparam [2:0] C_IDLE = 3'd0, C_WAIT = 3'd1, C_LOAD = 3'd2, C_BUILD = 3'd3, C_READY = 3'd4,
                     C_DRAIN = 3'd5;
    reg  [2:0]  cstate;
    reg  [IW:0] load_ptr;      // next shadow read
    reg         load_q_valid;  // shadow_q holds entry load_q_index
    reg  [IW-1:0] load_q_index;
    reg         load_end;
    reg  [7:0]  drain;
    localparam integer LAST_ENTRY = DEST_ENTRIES - 1, LAST_DRAIN = LATENCY - 1;
    // A command received before commit_start (or in its clock) is in the
    // commit; one received later waits until the shadow has been read.
    wire        shadow_held = cstate == C_WAIT || cstate == C_LOAD;

    // ---- commands --------------------------------------------------------------
    reg         cmd_pending, cmd_busy;
    reg  [7:0]  code;
    reg  [31:0] bad_word;
    reg         is_write;
    wire        cmd_go = (cmd_valid || cmd_pending) && !cmd_busy && !shadow_held;
    assign      shadow_we = cmd_busy && is_write && code == SCRUB_STATUS_OK[7:0];

    wire        c_rw        = cmd == SCRUB_CMD_READ[7:0] || cmd == SCRUB_CMD_WRITE[7:0];
    wire        c_index_ok  = cmd_index < DEST_ENTRIES;
    wire        plen_bad    = d_plen > 8'd128;
    wire        prefix_bad  = (d_prefix << d_plen) != 128'd0;
    wire        counter_bad = {1'b0, d_counter} + 33'd2 > {1'b0, COUNTERS[31:0]};

    always @(*) begin
        shadow_raddr = cmd_index[IW-1:0];
        if (cstate == C_LOAD)
            shadow_raddr = load_ptr[IW-1:0];
    end

    always @(posedge clk) begin
        cmd_done     <= 1'b0;
        cmd_rdata_we <= 1'b0;
        if (cmd_valid)
            cmd_pending <= 1'b1;
        if (cmd_go) begin
            // Clock 1: the status; a READ's shadow read is under way.
            cmd_busy <= 1'b1;
            is_write <= cmd == SCRUB_CMD_WRITE[7:0];
            bad_word <= 32'd0;
            if (!c_rw) begin
                code <= SCRUB_STATUS_BAD_CMD[7:0];
            end else if (!c_index_ok) begin
                code <= SCRUB_STATUS_BAD_INDEX[7:0];
            end else if (cmd == SCRUB_CMD_WRITE[7:0] && d_valid && (plen_bad || prefix_bad || counter_bad)) begin
                code     <= SCRUB_STATUS_BAD_ENTRY[7:0];
                bad_word <= plen_bad   ? SCRUB_DEST_PLEN_WORD :
                            prefix_bad ? SCRUB_DEST_PREFIX_WORD : SCRUB_DEST_COUNTER_WORD;
            end else begin
                code <= SCRUB_STATUS_OK[7:0];
            end
        end
        if (cmd_busy) begin
            // Clock 2: done.
            cmd_busy    <= 1'b0;
            cmd_pending <= 1'b0;
            cmd_done    <= 1'b1;
            cmd_status  <= code;
            cmd_result  <= bad_word;
            if (code == SCRUB_STATUS_OK[7:0] && !is_write) begin
                    cmd_rdata_we <= 1'b1;
                    cmd_rdata    <= 1024'd0;
                    {cmd_rdata[32*SCRUB_DEST_PREFIX_WORD +: 32], cmd_rdata[32*(SCRUB_DEST_PREFIX_WORD+1) +: 32],
                     cmd_rdata[32*(SCRUB_DEST_PREFIX_WORD+2) +: 32], cmd_rdata[32*(SCRUB_DEST_PREFIX_WORD+3) +: 32]}
                        <= shadow_q[ENTRY_W-1 -: 128];
                    cmd_rdata[32*SCRUB_DEST_PLEN_WORD + SCRUB_DEST_PLEN_LSB +: 8]       <= shadow_q[58 +: 8];
                    cmd_rdata[32*SCRUB_DEST_VALID_WORD + SCRUB_DEST_VALID_LSB]          <= shadow_q[57];
                    cmd_rdata[32*SCRUB_DEST_ENABLE_WORD + SCRUB_DEST_ENABLE_LSB]        <= shadow_q[56];
                    cmd_rdata[32*SCRUB_DEST_TENANT_WORD + SCRUB_DEST_TENANT_LSB +: 16]  <= shadow_q[40 +: 16];
                    cmd_rdata[32*SCRUB_DEST_PROFILE_WORD + SCRUB_DEST_PROFILE_LSB +: 8] <= shadow_q[32 +: 8];
                    cmd_rdata[32*SCRUB_DEST_COUNTER_WORD + SCRUB_DEST_COUNTER_LSB +: 32] <= shadow_q[0 +: 32];
            end
        end
        if (rst) begin
            cmd_done     <= 1'b0;
            cmd_rdata_we <= 1'b0;
            cmd_pending  <= 1'b0;
            cmd_busy     <= 1'b0;
        end
    end

    // ---- the build engine ------------------------------------------------------
    wire             sort_valid, sort_end, sweep_ready;
    wire [135:0]     sort_key;
    wire [IW-1:0]    sort_index;
    wire             iv_valid, iv_hit, iv_done;
    wire [LEVELS-1:0] iv_pos;
    wire [127:0]     iv_start;
    wire [IW-1:0]    iv_index;
    wire [LEVELS:0]  iv_count;
    wire             build_start = cstate == C_WAIT && !cmd_busy;

    scrub_dest_sort #(.ENTRIES(DEST_ENTRIES), .KEY_W(136), .INDEX_W(IW)) u_sort (
        .clk(clk), .rst(rst),
        .start(build_start),
        .s_valid(load_q_valid && shadow_q[57]), .s_key(shadow_q[ENTRY_W-1 -: 136]), .s_index(load_q_index),
        .s_end(load_end),
        .m_valid(sort_valid), .m_key(sort_key), .m_index(sort_index), .m_ready(sweep_ready), .m_end(sort_end)
    );

    scrub_dest_sweep #(.ENTRIES(DEST_ENTRIES), .INDEX_W(IW), .POS_W(LEVELS)) u_sweep (
        .clk(clk), .rst(rst),
        .start(build_start),
        .s_valid(sort_valid), .s_prefix(sort_key[135:8]), .s_plen(sort_key[7:0]), .s_index(sort_index),
        .s_ready(sweep_ready), .s_end(sort_end),
        .m_valid(iv_valid), .m_pos(iv_pos), .m_start(iv_start), .m_hit(iv_hit), .m_index(iv_index),
        .m_done(iv_done), .m_count(iv_count)
    );

    always @(posedge clk) begin
        load_q_valid <= cstate == C_LOAD;
        load_q_index <= load_ptr[IW-1:0];
        load_end     <= 1'b0;
        case (cstate)
            C_IDLE:  if (commit_start) cstate <= C_WAIT;
            C_WAIT:  if (!cmd_busy) begin
                         load_ptr <= {(IW+1){1'b0}};
                         cstate   <= C_LOAD;
                     end
            C_LOAD: begin
                load_ptr <= load_ptr + 1'b1;
                if (load_ptr == LAST_ENTRY[IW:0])
                    cstate <= C_BUILD;
            end
            C_BUILD: begin
                // The last entry is in shadow_q in the first clock here.
                load_end <= load_q_valid;
                if (iv_done)
                    cstate <= C_READY;
            end
            C_READY: if (commit_swap) begin
                         drain  <= 8'd0;
                         cstate <= C_DRAIN;
                     end
            C_DRAIN: begin
                drain <= drain + 8'd1;
                if (drain == LAST_DRAIN[7:0])
                    cstate <= C_IDLE;
            end
            default: cstate <= C_IDLE;
        endcase
        if (rst) begin
            cstate       <= C_IDLE;
            load_q_valid <= 1'b0;
            load_end     <= 1'b0;
        end
    end

    assign commit_ready = cstate == C_READY;
    assign commit_busy  = cstate != C_IDLE;

    // ---- the lookup ---------------------------------------------------------------
    scrub_dest_lookup #(.INDEX_W(IW), .LEVELS(LEVELS)) u_lookup (
        .clk(clk), .rst(rst),
        .wr_interval(iv_valid), .wr_pos(iv_pos), .wr_start(iv_start), .wr_hit(iv_hit), .wr_index(iv_index),
        .wr_count_valid(iv_done), .wr_count(iv_count),
        .wr_fields(load_q_valid), .wr_fields_index(load_q_index), .wr_fields_data(shadow_q[56:0]),
        .swap(commit_swap && cstate == C_READY),
        .s_valid(s_valid), .s_addr(s_addr),
        .m_valid(m_valid), .m_hit(m_hit), .m_index(m_index),
        .m_enable(m_enable), .m_tenant(m_tenant), .m_profile(m_profile), .m_counter(m_counter)
    );
endmodule

`resetall
