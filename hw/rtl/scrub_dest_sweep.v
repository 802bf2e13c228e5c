// scrub_dest_sweep: the second half of scrub_dest's build engine. Takes the
// valid prefixes sorted by (start address, length), equal prefixes by index
// (scrub_dest_sort's stream), and emits the elementary intervals they cut
// the address space into, in address order: interval k starts at
// m_start and belongs to entry m_index (m_hit) or to none. Interval 0
// starts at address 0; the intervals cover the whole space; k counts up
// from 0 and m_count (with m_done) is how many there are, at most 2n + 1
// for n prefixes.
//
// In this order a prefix comes after every prefix that covers it, and two
// prefixes either nest or are disjoint, so a stack of the open prefixes
// (innermost on top, each with its end address) decides every interval:
// the next prefix first closes every open one that ends before it starts
// (one a clock: the part of it not yet emitted is its interval), then the
// part before it belongs to the top of the stack (or to none), then it is
// pushed. A prefix equal to the one pushed just before is a duplicate with
// a higher index and loses: it is skipped. At the end the stack is closed
// the same way and the rest of the space up to the last address belongs to
// none. `cur` is the first address not yet emitted, 129 bits so that
// closing a prefix that ends at the last address leaves it past the end.
// Nesting depth is at most 129 (lengths 0..128, strictly growing up the
// stack once duplicates are gone).
//
// Clocks: one per prefix taken plus one per prefix closed, plus one.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_dest_sweep #(
    parameter integer ENTRIES = 256,
    parameter integer INDEX_W = 8,
    parameter integer POS_W = 10     // interval numbers: 2 * ENTRIES + 1 must fit
) (
    input  wire               clk,
    input  wire               rst,

    input  wire               start,       // one clock: forget everything, take prefixes
    input  wire               s_valid,
    input  wire [127:0]       s_prefix,
    input  wire [7:0]         s_plen,      // 0..128
    input  wire [INDEX_W-1:0] s_index,
    output wire               s_ready,
    input  wire               s_end,       // level: no prefix will follow

    output reg                m_valid,
    output reg  [POS_W-1:0]   m_pos,
    output reg  [127:0]       m_start,
    output reg                m_hit,
    output reg  [INDEX_W-1:0] m_index,
    output reg                m_done,      // one clock, after the last interval
    output reg  [POS_W:0]     m_count
);
    localparam integer STACK_W = 128 + INDEX_W;

    generate
        if ((1 << POS_W) < 2 * ENTRIES + 1 || (1 << INDEX_W) < ENTRIES) begin : g_bad_widths
            $error("scrub_dest_sweep: POS_W must number 2 * ENTRIES + 1 intervals, INDEX_W ENTRIES entries");
        end
    endgenerate

    reg                running;
    reg  [128:0]       cur;
    reg  [7:0]         sp;                 // entries on the stack
    reg  [127:0]       last_prefix;
    reg  [7:0]         last_plen;
    reg                have_last;
    reg  [POS_W-1:0]   pos;
    reg  [STACK_W-1:0] stack [0:128];      // {end, index}

    wire [STACK_W-1:0] top       = stack[sp - 8'd1];
    wire [127:0]       top_end   = top[STACK_W-1 -: 128];
    wire [INDEX_W-1:0] top_index = top[INDEX_W-1:0];
    wire               open      = sp != 8'd0;

    wire [127:0] s_last_addr = s_prefix | ({128{1'b1}} >> s_plen);
    wire         dup         = have_last && s_prefix == last_prefix && s_plen == last_plen;
    wire         closes      = open && (!s_valid || top_end < s_prefix);
    wire         push        = running && s_valid && !dup && !closes;

    assign s_ready = running && s_valid && (dup || !closes);

    always @(posedge clk) begin
        m_valid <= 1'b0;
        m_done  <= 1'b0;
        if (running && (s_valid || s_end)) begin
            if (closes) begin
                // The rest of the top prefix is one interval, if any is left.
                if (cur <= {1'b0, top_end}) begin
                    m_valid <= 1'b1;
                    m_hit   <= 1'b1;
                    m_index <= top_index;
                    pos     <= pos + 1'b1;
                end
                cur <= {1'b0, top_end} + 129'd1;
                sp  <= sp - 8'd1;
            end else if (push) begin
                // The part before it belongs to the enclosing prefix, or to none.
                if (cur < {1'b0, s_prefix}) begin
                    m_valid <= 1'b1;
                    m_hit   <= open;
                    m_index <= top_index;
                    pos     <= pos + 1'b1;
                end
                cur         <= {1'b0, s_prefix};
                stack[sp]   <= {s_last_addr, s_index};
                sp          <= sp + 8'd1;
                last_prefix <= s_prefix;
                last_plen   <= s_plen;
                have_last   <= 1'b1;
            end else if (!s_valid) begin
                // Stack empty, no prefix left: the rest of the space.
                if (!cur[128]) begin
                    m_valid <= 1'b1;
                    m_hit   <= 1'b0;
                    pos     <= pos + 1'b1;
                end
                m_count <= {1'b0, pos} + {{POS_W{1'b0}}, !cur[128]};
                m_done  <= 1'b1;
                running <= 1'b0;
            end
        end
        m_pos   <= pos;
        m_start <= cur[127:0];
        if (start) begin
            running   <= 1'b1;
            cur       <= 129'd0;
            sp        <= 8'd0;
            have_last <= 1'b0;
            pos       <= {POS_W{1'b0}};
        end
        if (rst) begin
            running <= 1'b0;
            m_valid <= 1'b0;
            m_done  <= 1'b0;
        end
    end
endmodule

`resetall
