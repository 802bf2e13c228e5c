// scrub_acl_check: whether an ACL entry written to the table is refused
// (docs/card.md, "The table port"; the model's check_acl in
// hw/model/model.c is the reference). Combinational. An entry that is not
// VALID is never refused. Otherwise the checks run in the model's order and
// the first that fails names its data word:
//   a source / destination value bit outside its mask, a source port /
//   destination port / L3 length range with low > high, an action other
//   than accept/drop/police, POLICER_BITS > 16, a police action (count-only
//   or not) whose policer or group of 2^POLICER_BITS policers lies beyond
//   POLICERS, a counter at or beyond COUNTERS.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_acl_check #(
    parameter integer POLICERS = 256,
    parameter integer COUNTERS = 4096
) (
    /* verilator lint_off UNUSEDSIGNAL */ // the match fields no check reads
    input  wire [32*32-1:0] s_data,    // the table data window, word i at [32*i +: 32]
    /* verilator lint_on UNUSEDSIGNAL */
    output reg              m_bad,
    output reg  [31:0]      m_word     // the failing field's data word, with m_bad
);

`include "scrub_regmap.vh"

generate
    if ($bits(s_data) != 32 * SCRUB_DATA_WORDS) begin : g_bad_window
        $error("scrub_acl_check: the data window differs from the register map's SCRUB_DATA_WORDS");
    end
    if (POLICERS < 1 || COUNTERS < 1) begin : g_bad_sizes
        $error("scrub_acl_check: POLICERS and COUNTERS must be at least 1");
    end
endgenerate

// A field of the window by its register-map name; an address is four words,
// the most significant first.
`define ACL_FIELD(F) s_data[32*SCRUB_ACL_``F``_WORD + SCRUB_ACL_``F``_LSB +: SCRUB_ACL_``F``_WIDTH]
`define ACL_ADDR(F) {s_data[32*SCRUB_ACL_``F``_WORD +: 32], s_data[32*(SCRUB_ACL_``F``_WORD+1) +: 32], \
                     s_data[32*(SCRUB_ACL_``F``_WORD+2) +: 32], s_data[32*(SCRUB_ACL_``F``_WORD+3) +: 32]}

wire         valid = `ACL_FIELD(VALID);
wire [127:0] src_value = `ACL_ADDR(SRC_VALUE), src_mask = `ACL_ADDR(SRC_MASK);
wire [127:0] dst_value = `ACL_ADDR(DST_VALUE), dst_mask = `ACL_ADDR(DST_MASK);
wire [15:0]  sport_lo = `ACL_FIELD(SPORT_LO), sport_hi = `ACL_FIELD(SPORT_HI);
wire [15:0]  dport_lo = `ACL_FIELD(DPORT_LO), dport_hi = `ACL_FIELD(DPORT_HI);
wire [15:0]  len_lo = `ACL_FIELD(LEN_LO), len_hi = `ACL_FIELD(LEN_HI);
wire [1:0]   action = `ACL_FIELD(ACTION);
wire [4:0]   policer_bits = `ACL_FIELD(POLICER_BITS);
wire [31:0]  policer = `ACL_FIELD(POLICER);
wire [31:0]  counter = `ACL_FIELD(COUNTER);

`undef ACL_FIELD
`undef ACL_ADDR

// The model's policers_ok: the group fits below POLICERS (no wrap: the
// difference is taken only when policer < POLICERS; the group is checked
// only when POLICER_BITS <= 16).
localparam [31:0] P32 = POLICERS;
localparam [31:0] C32 = COUNTERS;
wire [31:0] group = 32'd1 << policer_bits;
wire policers_ok = policer < P32 && P32 - policer >= group;

always @* begin
    m_bad = 1'b1;
    m_word = 32'd0;
    if (!valid)
        m_bad = 1'b0;
    else if ((src_value & ~src_mask) != 128'd0)
        m_word = SCRUB_ACL_SRC_VALUE_WORD;
    else if ((dst_value & ~dst_mask) != 128'd0)
        m_word = SCRUB_ACL_DST_VALUE_WORD;
    else if (sport_lo > sport_hi)
        m_word = SCRUB_ACL_SPORT_LO_WORD;
    else if (dport_lo > dport_hi)
        m_word = SCRUB_ACL_DPORT_LO_WORD;
    else if (len_lo > len_hi)
        m_word = SCRUB_ACL_LEN_LO_WORD;
    else if (action > SCRUB_ACTION_POLICE[1:0])
        m_word = SCRUB_ACL_ACTION_WORD;
    else if (policer_bits > 5'd16)
        m_word = SCRUB_ACL_POLICER_BITS_WORD;
    else if (action == SCRUB_ACTION_POLICE[1:0] && !policers_ok)
        m_word = SCRUB_ACL_POLICER_WORD;
    else if (counter >= C32)
        m_word = SCRUB_ACL_COUNTER_WORD;
    else
        m_bad = 1'b0;
end

endmodule

`resetall
