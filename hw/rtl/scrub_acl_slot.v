// scrub_acl_slot: one ACL entry, its two flip-flop copies and its match
// (docs/card.md, "ACL fields"; the model's scrub_acl_match in
// hw/model/acl.c is the reference).
//
// The "next" copy is loaded while a commit is prepared; s_swap copies it
// into the active copy in one clock, so at a swap every slot changes at
// once. The active copy is read in one clock only (stage 1), so a lookup
// sees one set whole. Reset clears both VALID bits (an empty table).
//
// The key comes every clock from a register upstream; the results, two
// LATENCY clocks later: stage 1 registers each field's match (the
// addresses in 32-bit quarters, to keep the logic shallow), stage 2 their
// AND, split into a decisive hit and a count-only hit.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_acl_slot #(
    parameter integer MATCH_W = 772,          // E_MATCH_W of scrub_acl_entry.vh
    parameter integer LATENCY /*verilator public*/ = 2
) (
    input  wire               clk,
    input  wire               rst,

    input  wire               s_load,          // next copy <= s_load_entry
    input  wire [MATCH_W-1:0] s_load_entry,
    input  wire               s_swap,          // active copy <= next copy

    input  wire               s_v6,
    input  wire               s_has_ports,
    input  wire               s_has_tcp,
    input  wire               s_has_icmp,
    input  wire [7:0]         s_proto,
    input  wire [5:0]         s_dscp,
    input  wire [4:0]         s_frag,
    input  wire [7:0]         s_tcp_flags,
    input  wire [7:0]         s_icmp_type,
    input  wire [7:0]         s_icmp_code,
    input  wire [12:0]        s_vlan,
    input  wire [15:0]        s_l3_len,
    input  wire [15:0]        s_sport,
    input  wire [15:0]        s_dport,
    input  wire [127:0]       s_src,
    input  wire [127:0]       s_dst,
    input  wire [15:0]        s_tenant,
    input  wire [7:0]         s_profile,

    output reg                m_decisive,      // a valid entry, not count-only, matched
    output reg                m_count          // a valid count-only entry matched
);

`include "scrub_regmap.vh"
`include "scrub_acl_entry.vh"

localparam integer STAGES = 2;

generate
    if (MATCH_W != E_MATCH_W) begin : g_bad_width
        $error("scrub_acl_slot: MATCH_W must be E_MATCH_W (%0d)", E_MATCH_W);
    end
    if (LATENCY != STAGES) begin : g_bad_latency
        $error("scrub_acl_slot: LATENCY must be the %0d stages", STAGES);
    end
endgenerate

reg [MATCH_W-1:0] next_e, act;

always @(posedge clk) begin
    if (s_load)
        next_e <= s_load_entry;
    if (s_swap)
        act <= next_e;
    if (rst) begin
        next_e[E_VALID] <= 1'b0;
        act[E_VALID] <= 1'b0;
    end
end

// A port or length range; "no condition" (0..65535) also matches packets
// without the field (the L3 length is always present).
function range_ok(input present, input [15:0] v, input [15:0] lo, input [15:0] hi);
    range_ok = (lo == 16'h0000 && hi == 16'hffff) || (present && lo <= v && v <= hi);
endfunction

// --- stage 1: each field's match, against the active copy ---------------------
localparam integer P_SRC = 0;     // 4 quarters
localparam integer P_DST = 4;     // 4 quarters
localparam integer P_TENANT = 8;
localparam integer P_PROFILE_PROTO = 9;
localparam integer P_SPORT = 10;
localparam integer P_DPORT = 11;
localparam integer P_LEN = 12;
localparam integer P_TCP = 13;
localparam integer P_ICMP = 14;
localparam integer P_SMALL = 15;  // fragment bits, DSCP, VLAN, family
localparam integer P_W = 16;

reg [P_W-1:0] part;
reg           valid1, count_only1;

wire [7:0] flags_mask = act[E_FLAGS_MASK +: 8];
wire [7:0] itype_mask = act[E_ITYPE_MASK +: 8];
wire [7:0] icode_mask = act[E_ICODE_MASK +: 8];

integer q;
always @(posedge clk) begin
    for (q = 0; q < 4; q = q + 1) begin
        part[P_SRC + q] <= (s_src[32*q +: 32] & act[E_SRC_MASK + 32*q +: 32]) == act[E_SRC_VALUE + 32*q +: 32];
        part[P_DST + q] <= (s_dst[32*q +: 32] & act[E_DST_MASK + 32*q +: 32]) == act[E_DST_VALUE + 32*q +: 32];
    end
    part[P_TENANT] <= (s_tenant & act[E_TENANT_MASK +: 16]) == act[E_TENANT_VALUE +: 16];
    part[P_PROFILE_PROTO] <= (s_profile & act[E_PROFILE_MASK +: 8]) == act[E_PROFILE_VALUE +: 8] &&
                             (s_proto & act[E_PROTO_MASK +: 8]) == act[E_PROTO_VALUE +: 8];
    part[P_SPORT] <= range_ok(s_has_ports, s_sport, act[E_SPORT_LO +: 16], act[E_SPORT_HI +: 16]);
    part[P_DPORT] <= range_ok(s_has_ports, s_dport, act[E_DPORT_LO +: 16], act[E_DPORT_HI +: 16]);
    part[P_LEN] <= range_ok(1'b1, s_l3_len, act[E_LEN_LO +: 16], act[E_LEN_HI +: 16]);
    // A TCP flags or ICMP condition (mask not 0) needs the header; a zero
    // mask is no condition whatever the value.
    part[P_TCP] <= flags_mask == 8'd0 || (s_has_tcp && (s_tcp_flags & flags_mask) == act[E_FLAGS_VALUE +: 8]);
    part[P_ICMP] <= (itype_mask == 8'd0 || (s_has_icmp && (s_icmp_type & itype_mask) == act[E_ITYPE_VALUE +: 8])) &&
                    (icode_mask == 8'd0 || (s_has_icmp && (s_icmp_code & icode_mask) == act[E_ICODE_VALUE +: 8]));
    part[P_SMALL] <= (s_frag & act[E_FRAG_MASK +: 5]) == act[E_FRAG_VALUE +: 5] &&
                     (s_dscp & act[E_DSCP_MASK +: 6]) == act[E_DSCP_VALUE +: 6] &&
                     (s_vlan & act[E_VLAN_MASK +: 13]) == act[E_VLAN_VALUE +: 13] &&
                     (s_v6 & act[E_V6_MASK]) == act[E_V6_VALUE];
    valid1 <= act[E_VALID];
    count_only1 <= act[E_COUNT_ONLY];
end

// --- stage 2: the entry matches ---------------------------------------------------
always @(posedge clk) begin
    m_decisive <= valid1 && !count_only1 && &part;
    m_count <= valid1 && count_only1 && &part;
end

endmodule

`resetall
