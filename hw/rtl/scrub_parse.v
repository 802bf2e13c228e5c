// scrub_parse: the card's parser (docs/card.md, "Parser"), bit for bit the
// C model's scrub_parse() (hw/model/parse.c).
//
// One frame window per clock, fixed latency LATENCY, in order. Valid-only
// pipeline: no back-pressure (the card never applies it); the synchronous
// reset clears the valid bits only. Byte i of the frame (wire order) is
// s_window[8*i +: 8]; bytes at or past s_len never change a result. Like
// the model, the parser knows a frame's length only as far as the window
// shows it: every s_len above WINDOW_BYTES reads the same, and GIANT and
// an IP length past the end of such a frame are the end of frame's checks
// (docs/card.md, packet path step 8), not the parser's.
//
// Stages (each ends in a register; outputs come straight from stage 10):
//  1  L2: RUNT, up to two VLAN tags, the ethertype; the L3 offset (14, 18
//     or 22 bytes).
//  2  align: the window shifted so that the IP header starts at byte 0.
//  3  L3 decode: IPv4/IPv6 fixed-header fields and length checks, address
//     flags, the IPv4 checksum's first adder level, and the IPv6 extension
//     header table: for each 8-byte offset a header can start at within the
//     window, its next header, where the header after it starts, whether
//     that is past the payload, and its fragment fields.
//  4-7  IPv6 extension-header walk, one header per stage, each a lookup in
//     that table (nothing to add or shift on the loop). In parallel: 4-6
//     the checksum's adder tree and fold, 7 the IP header's verdict.
//  8  walk end (a fifth header), the L4 offset, payload length and fragment
//     fields of either family; the 32-byte block holding the L4 header.
//  9  fragment bits and checks, L4 length and window checks; the L4 header
//     bytes from that block.
//  10 TCP/UDP/ICMP checks and the fields the model sets before it stops.
//
// The model sets fields as it goes and stops at the first problem, so every
// output is zero unless the model reached the point that sets it: the
// addresses (and IPv6) once the IP header's lengths and checksum are good,
// DSCP, the L3 length and the IP end once it is neither martian nor land,
// and so on.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_parse #(
    parameter integer WINDOW_BYTES = 256,
    parameter integer TAG_W = 1,
    // The latency its user plans with; it must equal the stages below, which
    // elaboration checks, so a change of the stages cannot go unnoticed.
    parameter integer LATENCY /*verilator public*/ = 10
) (
    input  wire                      clk,
    input  wire                      rst,

    input  wire                      s_valid,
    /* verilator lint_off UNUSEDSIGNAL */ // the MAC addresses are never read
    input  wire [WINDOW_BYTES*8-1:0] s_window,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [15:0]               s_len,
    input  wire [TAG_W-1:0]          s_tag,

    output wire                      m_valid,
    output wire [TAG_W-1:0]          m_tag,
    output wire [1:0]                m_kind,
    output wire [4:0]                m_mal,
    output wire                      m_v6,
    output wire                      m_has_ports,
    output wire                      m_has_tcp,
    output wire                      m_has_icmp,
    output wire [7:0]                m_proto,
    output wire [5:0]                m_dscp,
    output wire [4:0]                m_frag,
    output wire [7:0]                m_tcp_flags,
    output wire [7:0]                m_icmp_type,
    output wire [7:0]                m_icmp_code,
    output wire [12:0]               m_vlan,
    output wire [15:0]               m_l3_len,
    output wire [15:0]               m_ip_end,    // where the IP packet ends in the frame (16 bits, wrapping)
    output wire [15:0]               m_sport,
    output wire [15:0]               m_dport,
    output wire [127:0]              m_src,
    output wire [127:0]              m_dst
);

`include "scrub_regmap.vh"

localparam integer STAGES = 10;

localparam integer WB = WINDOW_BYTES;
localparam integer WW = WB * 8;

// The whole IPv4 header behind two tags (22 + 60 bytes) must lie in the
// window, since the model reads it without a window check; blocks of 32
// bytes hold the L4 header candidates; positions fit the widths below.
generate
    if (WB % 32 != 0 || WB < 96 || WB > 1024) begin : g_bad_window
        $error("scrub_parse: WINDOW_BYTES must be a multiple of 32 in 96..1024");
    end
    if (WB != SCRUB_WINDOW_BYTES) begin : g_window_not_spec
        $error("scrub_parse: WINDOW_BYTES differs from the register map's SCRUB_WINDOW_BYTES");
    end
    if (TAG_W < 1) begin : g_bad_tag
        $error("scrub_parse: TAG_W must be at least 1");
    end
    if (LATENCY != STAGES) begin : g_bad_latency
        $error("scrub_parse: LATENCY must be the %0d stages", STAGES);
    end
endgenerate

localparam [1:0] KIND_IP = 2'd0;
localparam [1:0] KIND_NONIP = 2'd1;
localparam [1:0] KIND_UNPARSED = 2'd2;
localparam [1:0] KIND_MALFORMED = 2'd3;

localparam [4:0] MAL_NONE = SCRUB_MAL_NONE[4:0];
localparam [4:0] MAL_RUNT = SCRUB_MAL_RUNT[4:0];
localparam [4:0] MAL_IP_VERSION = SCRUB_MAL_IP_VERSION[4:0];
localparam [4:0] MAL_IPV4_IHL = SCRUB_MAL_IPV4_IHL[4:0];
localparam [4:0] MAL_IP_TRUNCATED = SCRUB_MAL_IP_TRUNCATED[4:0];
localparam [4:0] MAL_IPV4_CHECKSUM = SCRUB_MAL_IPV4_CHECKSUM[4:0];
localparam [4:0] MAL_MARTIAN = SCRUB_MAL_MARTIAN[4:0];
localparam [4:0] MAL_LAND = SCRUB_MAL_LAND[4:0];
localparam [4:0] MAL_IPV6_EXT = SCRUB_MAL_IPV6_EXT[4:0];
localparam [4:0] MAL_FRAG_OVERSIZE = SCRUB_MAL_FRAG_OVERSIZE[4:0];
localparam [4:0] MAL_FRAG_ALIGN = SCRUB_MAL_FRAG_ALIGN[4:0];
localparam [4:0] MAL_FRAG_TINY = SCRUB_MAL_FRAG_TINY[4:0];
localparam [4:0] MAL_FRAG_OVERLAP = SCRUB_MAL_FRAG_OVERLAP[4:0];
localparam [4:0] MAL_TCP_DOFF = SCRUB_MAL_TCP_DOFF[4:0];
localparam [4:0] MAL_L4_TRUNCATED = SCRUB_MAL_L4_TRUNCATED[4:0];
localparam [4:0] MAL_TCP_FLAGS = SCRUB_MAL_TCP_FLAGS[4:0];
localparam [4:0] MAL_UDP_LENGTH = SCRUB_MAL_UDP_LENGTH[4:0];

localparam [7:0] PROTO_ICMP = 8'd1;
localparam [7:0] PROTO_TCP = 8'd6;
localparam [7:0] PROTO_UDP = 8'd17;
localparam [7:0] PROTO_ICMPV6 = 8'd58;
localparam [7:0] V6_HOP_BY_HOP = 8'd0;
localparam [7:0] V6_ROUTING = 8'd43;
localparam [7:0] V6_FRAGMENT = 8'd44;
localparam [7:0] V6_DEST_OPTS = 8'd60;
localparam integer MAX_V6_EXT = 4;

// Positions and lengths are compared as 17-bit values (an IPv6 end of
// payload, 40 + payload length, needs 17 bits).
localparam integer LW = 17;
// m: an offset from the IP header in 8-byte units. Walked headers start
// within the window, so m stays below MPOS + 256.
localparam integer MW = 10;
// The extension-header table has an entry for every m at which a header
// can start with its first two bytes in the window behind a 14-byte L2
// header: 14 + 8m + 2 <= WB. Entries below 5 (inside the fixed header)
// are never looked up.
localparam integer MPOS = (WB - 16) / 8 + 1;
localparam integer MI_W = $clog2(MPOS);
localparam integer TE_W = 8 + MW + 1 + 13 + 1; // next header, next m, past payload, offset, M
localparam integer TBL_W = TE_W << MI_W;
// The L4 header: q, its offset in 4-byte units, picks a 32-byte block
// (q[QI_W-1:3]), then 4*q[2:0] bytes into it. Bytes 0-5 and 12-13 of the
// header are read, so a block is read with its next 10 bytes.
localparam integer QI_W = $clog2(WB / 4);
localparam integer L4_BLOCK = 42;

function ext_header(input [7:0] nh);
    ext_header = nh == V6_HOP_BY_HOP || nh == V6_ROUTING || nh == V6_FRAGMENT || nh == V6_DEST_OPTS;
endfunction

function is_tpid(input [15:0] ethertype);
    is_tpid = ethertype == 16'h8100 || ethertype == 16'h88a8;
endfunction

// Zero-extends a position or length for comparison.
function [LW-1:0] ext17(input [15:0] v);
    ext17 = {1'b0, v};
endfunction

// ---- valid and tag -------------------------------------------------------

reg [LATENCY-1:0] vld = {LATENCY{1'b0}};
reg [TAG_W*LATENCY-1:0] tag_dl;

always @(posedge clk) begin
    vld <= {vld[LATENCY-2:0], s_valid};
    tag_dl <= {tag_dl[TAG_W*(LATENCY-1)-1:0], s_tag};
    if (rst) begin
        vld <= {LATENCY{1'b0}};
    end
end

assign m_valid = vld[LATENCY-1];
assign m_tag = tag_dl[TAG_W*(LATENCY-1) +: TAG_W];

// ---- 1: L2 ---------------------------------------------------------------

wire [15:0] l2_type0 = {s_window[8*12 +: 8], s_window[8*13 +: 8]};
wire [11:0] l2_vid0 = {s_window[8*14 +: 4], s_window[8*15 +: 8]};
wire [15:0] l2_type1 = {s_window[8*16 +: 8], s_window[8*17 +: 8]};
wire [11:0] l2_vid1 = {s_window[8*18 +: 4], s_window[8*19 +: 8]};
wire [15:0] l2_type2 = {s_window[8*20 +: 8], s_window[8*21 +: 8]};

reg        l2_stop;
reg [1:0]  l2_kind;
reg [4:0]  l2_mal;
reg [1:0]  l2_l3sel; // L3 offset 14, 18, 22
reg [12:0] l2_vlan;
reg [15:0] l2_type;

always @* begin
    l2_stop = 1'b0;
    l2_kind = KIND_IP;
    l2_mal = MAL_NONE;
    l2_l3sel = 2'd0;
    l2_vlan = 13'd0;
    l2_type = l2_type0;
    if (s_len < 16'd14) begin
        l2_stop = 1'b1;
        l2_kind = KIND_MALFORMED;
        l2_mal = MAL_RUNT;
    end else if (is_tpid(l2_type0)) begin
        if (s_len < 16'd18) begin
            l2_stop = 1'b1;
            l2_kind = KIND_MALFORMED;
            l2_mal = MAL_RUNT;
        end else begin
            l2_vlan = {1'b1, l2_vid0};
            l2_l3sel = 2'd1;
            l2_type = l2_type1;
            if (is_tpid(l2_type1)) begin
                if (s_len < 16'd22) begin
                    l2_stop = 1'b1;
                    l2_kind = KIND_MALFORMED;
                    l2_mal = MAL_RUNT;
                end else begin
                    l2_vlan = {1'b1, l2_vid1};
                    l2_l3sel = 2'd2;
                    l2_type = l2_type2;
                    if (is_tpid(l2_type2)) begin
                        // a third tag, even cut
                        l2_stop = 1'b1;
                        l2_kind = KIND_UNPARSED;
                    end
                end
            end
        end
    end
    if (!l2_stop && l2_type != 16'h0800 && l2_type != 16'h86dd) begin
        l2_stop = 1'b1;
        l2_kind = KIND_NONIP;
    end
end

reg          s1_stop;
reg [1:0]    s1_kind;
reg [4:0]    s1_mal;
reg          s1_v6;
reg [1:0]    s1_l3sel;
reg [12:0]   s1_vlan;
reg [15:0]   s1_len;
reg          s1_long;       // longer than the window: its length is unknown
reg [WW-1:0] s1_win;        // from byte 14; the top 14 bytes zero

always @(posedge clk) begin
    s1_stop <= l2_stop;
    s1_kind <= l2_kind;
    s1_mal <= l2_mal;
    s1_v6 <= l2_type == 16'h86dd;
    s1_l3sel <= l2_l3sel;
    s1_vlan <= l2_vlan;
    s1_len <= s_len;
    s1_long <= s_len > WB[15:0];
    s1_win <= {{8*14{1'b0}}, s_window[WW-1:8*14]};
end

// ---- 2: align ------------------------------------------------------------

reg          s2_stop;
reg [1:0]    s2_kind;
reg [4:0]    s2_mal;
reg          s2_v6;
reg [12:0]   s2_vlan;
reg [4:0]    s2_l3;         // the IP header's offset
reg [15:0]   s2_avail;      // bytes from the IP header to the frame's end; 0xffff: unknown
reg [15:0]   s2_wrem;       // bytes from the IP header to the window's end
reg [WW-1:0] s2_w;          // byte 0 is the IP header's first

always @(posedge clk) begin
    s2_stop <= s1_stop;
    s2_kind <= s1_kind;
    s2_mal <= s1_mal;
    s2_v6 <= s1_v6;
    s2_vlan <= s1_vlan;
    case (s1_l3sel)
        2'd1: begin
            s2_l3 <= 5'd18;
            s2_avail <= s1_long ? 16'hffff : s1_len - 16'd18;
            s2_wrem <= WB[15:0] - 16'd18;
            s2_w <= s1_win >> 32;
        end
        2'd2: begin
            s2_l3 <= 5'd22;
            s2_avail <= s1_long ? 16'hffff : s1_len - 16'd22;
            s2_wrem <= WB[15:0] - 16'd22;
            s2_w <= s1_win >> 64;
        end
        default: begin
            s2_l3 <= 5'd14;
            s2_avail <= s1_long ? 16'hffff : s1_len - 16'd14;
            s2_wrem <= WB[15:0] - 16'd14;
            s2_w <= s1_win;
        end
    endcase
end

// ---- 3: L3 decode --------------------------------------------------------

// Header byte i.
function [7:0] hb(input integer i);
    hb = s2_w[8*i +: 8];
endfunction

wire [3:0]  ip_ver = s2_w[7:4];
wire [3:0]  ip_ihl = s2_w[3:0];
wire [15:0] ip_hlen = {10'd0, ip_ihl, 2'b00};
wire [15:0] ip_total = {hb(2), hb(3)};
wire [15:0] ip_plen = {hb(4), hb(5)};
wire [LW-1:0] ip_erel = ext17(ip_plen) + 17'd40; // IPv6: the payload's end
wire [15:0] ip_avail = s2_avail;
wire [15:0] ip_l3_len = s2_v6 ? ip_erel[15:0] : ip_total;

wire [127:0] ip_src6, ip_dst6;
genvar gi;
generate
    for (gi = 0; gi < 16; gi = gi + 1) begin : g_addr
        assign ip_src6[127 - 8*gi -: 8] = s2_w[8*(8 + gi) +: 8];
        assign ip_dst6[127 - 8*gi -: 8] = s2_w[8*(24 + gi) +: 8];
    end
endgenerate
wire [31:0]  ip_src4 = {hb(12), hb(13), hb(14), hb(15)};
wire [31:0]  ip_dst4 = {hb(16), hb(17), hb(18), hb(19)};
wire [127:0] ip_src = s2_v6 ? ip_src6 : {80'd0, 16'hffff, ip_src4};
wire [127:0] ip_dst = s2_v6 ? ip_dst6 : {80'd0, 16'hffff, ip_dst4};

// IPv4 checksum, level 1: the 16-bit words of each 32-bit header word,
// summed; words past the IHL count zero.
wire [17*15-1:0] cs_l1;
generate
    for (gi = 0; gi < 15; gi = gi + 1) begin : g_cs_l1
        localparam [3:0] K = gi;
        wire [16:0] sum = {1'b0, hb(4*gi), hb(4*gi + 1)} + {1'b0, hb(4*gi + 2), hb(4*gi + 3)};
        assign cs_l1[17*gi +: 17] = (K < 4'd5 || ip_ihl > K) ? sum : 17'd0;
    end
endgenerate

// IPv6 address pieces, combined in stage 4: the first 80 bits zero, the
// next 16 ones (so ::ffff:0:0/96), the last 48 bits 0 or 1 (so :: or ::1).
function [2:0] addr_flags(input [127:1] a);
    addr_flags = {a[127:48] == 80'd0, a[47:32] == 16'hffff, a[47:1] == 47'd0};
endfunction

// The extension-header table (see MPOS).
wire [TBL_W-1:0] ext_tbl;
generate
    for (gi = 0; gi < (1 << MI_W); gi = gi + 1) begin : g_ext_tbl
        if (gi >= 5 && gi < MPOS) begin : g_entry
            localparam [MW-1:0] M = gi;
            wire [7:0]    nh = hb(8*gi);
            wire [7:0]    len8 = hb(8*gi + 1); // Hdr Ext Len: 8-byte units past the first 8
            wire [MW-1:0] next = M + 1'b1 + {2'b00, len8};
            // 8 * next > 40 + payload length
            wire          past = {4'd0, next, 3'd0} > ip_erel;
            assign ext_tbl[TE_W*gi +: TE_W] = {s2_w[8*(8*gi + 3)], hb(8*gi + 2), s2_w[8*(8*gi + 3) + 3 +: 5],
                                               past, next, nh};
        end else begin : g_unused
            assign ext_tbl[TE_W*gi +: TE_W] = {TE_W{1'b0}};
        end
    end
endgenerate

// The IP header's checks before the checksum, in the model's order.
reg s3_short, s3_ver_bad, s3_ihl_bad, s3_len_bad;
reg s3_martian4;
reg [2:0] s3_src_flags, s3_dst_flags;
reg s3_src_mc;
reg [3:0] s3_addr_eq;
reg [17*15-1:0] s3_cs;
reg s3_stop;
reg [1:0] s3_kind;
reg [4:0] s3_mal;

always @(posedge clk) begin
    s3_stop <= s2_stop;
    s3_kind <= s2_kind;
    s3_mal <= s2_mal;
    if (s2_v6) begin
        s3_short <= ip_avail < 16'd40;
        s3_ver_bad <= ip_ver != 4'd6;
        s3_ihl_bad <= 1'b0;
        s3_len_bad <= ip_plen == 16'd0 || ip_erel > ext17(ip_avail);
    end else begin
        s3_short <= ip_avail < 16'd20;
        s3_ver_bad <= ip_ver != 4'd4;
        s3_ihl_bad <= ip_ihl < 4'd5;
        s3_len_bad <= ip_hlen > ip_avail || ip_total < ip_hlen || ip_total > ip_avail;
    end
    // sources in 0/8, 127/8, 224/4, 240/4; destinations in 0/8, 127/8
    s3_martian4 <= hb(12) == 8'd0 || hb(12) == 8'd127 || hb(12) >= 8'd224 || hb(16) == 8'd0 || hb(16) == 8'd127;
    s3_src_flags <= addr_flags(ip_src6[127:1]);
    s3_dst_flags <= addr_flags(ip_dst6[127:1]);
    s3_src_mc <= ip_src6[127:120] == 8'hff;
    s3_addr_eq <= {ip_src[127:96] == ip_dst[127:96], ip_src[95:64] == ip_dst[95:64],
                   ip_src[63:32] == ip_dst[63:32], ip_src[31:0] == ip_dst[31:0]};
    s3_cs <= cs_l1;
end

// Per-packet context from stage 3 to stage 8 (slice k after stage 3 + k):
// what the later stages read, unchanged on the way. The IPv6 end of
// payload fits 16 bits whenever the header's lengths are good, and is not
// used otherwise.
localparam integer CTX_W = 1 + 13 + 128 + 128 + 6 + 16 + 16 + 8 + 1 + 1 + 13 + 4 + 16 + 16 + 16;
wire [CTX_W-1:0] ctx_in = {
    s2_v6, s2_vlan, ip_src, ip_dst,
    s2_v6 ? {s2_w[3:0], s2_w[15:14]} : s2_w[15:10], // DSCP
    ip_l3_len, {11'd0, s2_l3} + ip_l3_len,          // L3 length, IP end
    hb(9),                                          // IPv4 protocol
    s2_w[8*6 + 6], s2_w[8*6 + 5],                   // IPv4 DF, MF
    s2_w[8*6 +: 5], hb(7),                          // IPv4 fragment offset
    ip_ihl, ip_total - ip_hlen,                     // IPv4 L4 offset, payload
    ip_erel[15:0], s2_wrem
};
reg [CTX_W*(MAX_V6_EXT+1)-1:0] ctx_dl;
reg [WW*(MAX_V6_EXT+1)-1:0] win_dl;
reg [TBL_W*MAX_V6_EXT-1:0] tbl_dl;

always @(posedge clk) begin
    ctx_dl <= {ctx_dl[CTX_W*MAX_V6_EXT-1:0], ctx_in};
    win_dl <= {win_dl[WW*MAX_V6_EXT-1:0], s2_w};
    tbl_dl <= {tbl_dl[TBL_W*(MAX_V6_EXT-1)-1:0], ext_tbl};
end

// ---- 4-7: IPv6 extension headers -------------------------------------------

// Walk state before header k at slice k: done (the walk ended well), stop
// (unp: unparsed, else IPV6_EXT), the next header, m of the header, and
// the fragment header's fields once one was seen.
reg [MAX_V6_EXT:0] wk_done, wk_stop, wk_unp, wk_fmore;
/* verilator lint_off UNUSEDSIGNAL */ // no header follows the last copy
reg [MAX_V6_EXT:0] wk_fseen;
/* verilator lint_on UNUSEDSIGNAL */
reg [8*(MAX_V6_EXT+1)-1:0] wk_nh;
reg [MW*(MAX_V6_EXT+1)-1:0] wk_m;
reg [13*(MAX_V6_EXT+1)-1:0] wk_foff;

always @(posedge clk) begin
    wk_done[0] <= 1'b0;
    wk_stop[0] <= 1'b0;
    wk_unp[0] <= 1'b0;
    wk_fseen[0] <= 1'b0;
    wk_fmore[0] <= 1'b0;
    wk_nh[7:0] <= hb(6);
    wk_m[MW-1:0] <= 10'd5;
    wk_foff[12:0] <= 13'd0;
end

generate
    for (gi = 0; gi < MAX_V6_EXT; gi = gi + 1) begin : g_walk
        wire          done = wk_done[gi];
        wire          stop = wk_stop[gi];
        wire [7:0]    nh = wk_nh[8*gi +: 8];
        wire [MW-1:0] m = wk_m[MW*gi +: MW];
        wire          frag = nh == V6_FRAGMENT;
        wire [LW-1:0] erel = ext17(ctx_dl[CTX_W*gi + 16 +: 16]);
        wire [LW-1:0] wrem = ext17(ctx_dl[CTX_W*gi +: 16]);
        // where the header's first bytes (2; 8 of a fragment header) end
        wire [LW-1:0] need_end = frag ? {4'd0, m + 1'b1, 3'd0} : {4'd0, m, 3'd2};
        wire [TE_W-1:0] ent = tbl_dl[TBL_W*gi + TE_W*m[MI_W-1:0] +: TE_W];
        wire [7:0]    ent_nh = ent[7:0];
        wire [MW-1:0] ent_next = ent[8 +: MW];
        wire          ent_past = ent[8 + MW];
        wire [12:0]   ent_foff = ent[9 + MW +: 13];
        wire          ent_fmore = ent[22 + MW];

        always @(posedge clk) begin
            wk_done[gi + 1] <= done;
            wk_stop[gi + 1] <= stop;
            wk_unp[gi + 1] <= wk_unp[gi];
            wk_fseen[gi + 1] <= wk_fseen[gi];
            wk_fmore[gi + 1] <= wk_fmore[gi];
            wk_nh[8*(gi + 1) +: 8] <= nh;
            wk_m[MW*(gi + 1) +: MW] <= m;
            wk_foff[13*(gi + 1) +: 13] <= wk_foff[13*gi +: 13];
            if (!done && !stop) begin
                if (!ext_header(nh)) begin
                    wk_done[gi + 1] <= 1'b1;
                end else if ((nh == V6_HOP_BY_HOP && gi > 0) || need_end > erel) begin
                    wk_stop[gi + 1] <= 1'b1;
                end else if (need_end > wrem) begin
                    wk_stop[gi + 1] <= 1'b1;
                    wk_unp[gi + 1] <= 1'b1;
                end else if (frag ? wk_fseen[gi] : ent_past) begin
                    wk_stop[gi + 1] <= 1'b1;
                end else begin
                    wk_nh[8*(gi + 1) +: 8] <= ent_nh;
                    if (frag) begin
                        wk_m[MW*(gi + 1) +: MW] <= m + 1'b1;
                        wk_fseen[gi + 1] <= 1'b1;
                        wk_fmore[gi + 1] <= ent_fmore;
                        wk_foff[13*(gi + 1) +: 13] <= ent_foff;
                        // nothing of ours past a later fragment's header
                        wk_done[gi + 1] <= ent_foff != 13'd0;
                    end else begin
                        wk_m[MW*(gi + 1) +: MW] <= ent_next;
                    end
                end
            end
        end
    end
endgenerate

// ---- 4-7: the IP header's verdict -------------------------------------------

wire s3_v6 = ctx_dl[CTX_W - 1];

// 4: the checks before the checksum resolved; martian and land; the
// checksum's second level.
reg        s4_stop, s4_v6;
reg [1:0]  s4_kind;
reg [4:0]  s4_mal;
reg        s4_martian, s4_land;
reg [19*5-1:0] s4_cs;

wire s3_src_mapped = s3_src_flags[2] && s3_src_flags[1];
wire s3_dst_mapped = s3_dst_flags[2] && s3_dst_flags[1];
wire s3_src_unspec = s3_src_flags[2] && s3_src_flags[0]; // :: or ::1
wire s3_dst_unspec = s3_dst_flags[2] && s3_dst_flags[0];

integer ci;
always @(posedge clk) begin
    s4_stop <= 1'b1;
    s4_kind <= KIND_MALFORMED;
    s4_mal <= s3_mal;
    if (s3_stop) begin
        s4_kind <= s3_kind;
    end else if (s3_short) begin
        s4_mal <= MAL_IP_TRUNCATED;
    end else if (s3_ver_bad) begin
        s4_mal <= MAL_IP_VERSION;
    end else if (s3_ihl_bad) begin
        s4_mal <= MAL_IPV4_IHL;
    end else if (s3_len_bad) begin
        s4_mal <= MAL_IP_TRUNCATED;
    end else begin
        s4_stop <= 1'b0;
        s4_kind <= KIND_IP;
    end
    s4_v6 <= s3_v6;
    s4_martian <= s3_v6 ? s3_src_unspec || s3_dst_unspec || s3_src_mc || s3_src_mapped || s3_dst_mapped
                        : s3_martian4;
    s4_land <= &s3_addr_eq;
    for (ci = 0; ci < 5; ci = ci + 1) begin
        s4_cs[19*ci +: 19] <= {2'b00, s3_cs[17*3*ci +: 17]} + {2'b00, s3_cs[17*(3*ci + 1) +: 17]} +
                              {2'b00, s3_cs[17*(3*ci + 2) +: 17]};
    end
end

// 5: the checksum's sum.
reg        s5_stop, s5_v6, s5_martian, s5_land;
reg [1:0]  s5_kind;
reg [4:0]  s5_mal;
reg [20:0] s5_cs;

always @(posedge clk) begin
    s5_stop <= s4_stop;
    s5_kind <= s4_kind;
    s5_mal <= s4_mal;
    s5_v6 <= s4_v6;
    s5_martian <= s4_martian;
    s5_land <= s4_land;
    s5_cs <= {2'b00, s4_cs[0 +: 19]} + {2'b00, s4_cs[19 +: 19]} + {2'b00, s4_cs[38 +: 19]} +
             {2'b00, s4_cs[57 +: 19]} + {2'b00, s4_cs[76 +: 19]};
end

// 6: the checksum folded once. At most 30 words make the sum at most
// 30 * 0xffff, so the model's fold loop ends in 0xffff exactly when the
// first fold gives 0xffff.
reg        s6_stop, s6_martian, s6_land, s6_cs_bad;
reg [1:0]  s6_kind;
reg [4:0]  s6_mal;

always @(posedge clk) begin
    s6_stop <= s5_stop;
    s6_kind <= s5_kind;
    s6_mal <= s5_mal;
    s6_martian <= s5_martian;
    s6_land <= s5_land;
    s6_cs_bad <= !s5_v6 && {1'b0, s5_cs[15:0]} + {12'd0, s5_cs[20:16]} != 17'h0ffff;
end

// 7: the verdict; addresses are set once the checksum is good, DSCP and
// the L3 length once the addresses are.
reg        s7_stop, s7_addr, s7_l3_ok;
reg [1:0]  s7_kind;
reg [4:0]  s7_mal;

always @(posedge clk) begin
    s7_stop <= 1'b1;
    s7_kind <= KIND_MALFORMED;
    s7_mal <= s6_mal;
    s7_addr <= 1'b0;
    s7_l3_ok <= 1'b0;
    if (s6_stop) begin
        s7_kind <= s6_kind;
    end else if (s6_cs_bad) begin
        s7_mal <= MAL_IPV4_CHECKSUM;
    end else begin
        s7_addr <= 1'b1;
        if (s6_martian) begin
            s7_mal <= MAL_MARTIAN;
        end else if (s6_land) begin
            s7_mal <= MAL_LAND;
        end else begin
            s7_stop <= 1'b0;
            s7_kind <= KIND_IP;
            s7_l3_ok <= 1'b1;
        end
    end
end

// ---- 8: walk end, L4 offset, payload, fragment fields ------------------------

wire            c8_v6;
wire [12:0]     c8_vlan;
wire [127:0]    c8_src, c8_dst;
wire [5:0]      c8_dscp;
wire [15:0]     c8_l3_len, c8_ip_end;
wire [7:0]      c8_proto4;
wire            c8_df4, c8_mf4;
wire [12:0]     c8_off4;
wire [3:0]      c8_ihl;
wire [15:0]     c8_pay4;
wire [15:0]     c8_erel;
wire [15:0]     c8_wrem;
assign {c8_v6, c8_vlan, c8_src, c8_dst, c8_dscp, c8_l3_len, c8_ip_end, c8_proto4, c8_df4, c8_mf4, c8_off4, c8_ihl,
        c8_pay4, c8_erel, c8_wrem} = ctx_dl[CTX_W*MAX_V6_EXT +: CTX_W];

wire [7:0]    w4_nh = wk_nh[8*MAX_V6_EXT +: 8];
wire [MW-1:0] w4_m = wk_m[MW*MAX_V6_EXT +: MW];
// A fifth extension header: unparsed, unless hop-by-hop (out of place).
wire w4_ok = wk_done[MAX_V6_EXT] || (!wk_stop[MAX_V6_EXT] && !ext_header(w4_nh));
wire w4_unp = wk_stop[MAX_V6_EXT] ? wk_unp[MAX_V6_EXT] : w4_nh != V6_HOP_BY_HOP;

wire [10:0] c8_q = c8_v6 ? {w4_m, 1'b0} : {7'd0, c8_ihl};
wire [8*(WB + L4_BLOCK - 32)-1:0] c8_wpad = {{8*(L4_BLOCK - 32){1'b0}}, win_dl[WW*MAX_V6_EXT +: WW]};

reg          s8_l4, s8_v6;
reg [1:0]    s8_kind;
reg [4:0]    s8_mal;
reg [12:0]   s8_vlan;
reg [127:0]  s8_src, s8_dst;
reg [5:0]    s8_dscp;
reg [15:0]   s8_l3_len, s8_ip_end;
reg          s8_df;
reg [7:0]    s8_proto;
reg [10:0]   s8_q;
reg [15:0]   s8_pay;
reg [12:0]   s8_off;
reg          s8_more;
reg [15:0]   s8_wrem;
reg [8*L4_BLOCK-1:0] s8_block;

always @(posedge clk) begin
    s8_kind <= s7_kind;
    s8_mal <= s7_mal;
    s8_l4 <= s7_l3_ok;
    if (!s7_stop && c8_v6 && !w4_ok) begin
        s8_kind <= w4_unp ? KIND_UNPARSED : KIND_MALFORMED;
        s8_mal <= w4_unp ? MAL_NONE : MAL_IPV6_EXT;
        s8_l4 <= 1'b0;
    end
    s8_v6 <= c8_v6 && s7_addr;
    s8_vlan <= c8_vlan;
    s8_src <= s7_addr ? c8_src : 128'd0;
    s8_dst <= s7_addr ? c8_dst : 128'd0;
    s8_dscp <= s7_l3_ok ? c8_dscp : 6'd0;
    s8_l3_len <= s7_l3_ok ? c8_l3_len : 16'd0;
    s8_ip_end <= s7_l3_ok ? c8_ip_end : 16'd0;
    s8_df <= s7_l3_ok && !c8_v6 && c8_df4;
    s8_proto <= c8_v6 ? w4_nh : c8_proto4;
    s8_q <= c8_q;
    s8_pay <= c8_v6 ? c8_erel - {3'd0, w4_m, 3'd0} : c8_pay4;
    s8_off <= c8_v6 ? wk_foff[13*MAX_V6_EXT +: 13] : c8_off4;
    s8_more <= c8_v6 ? wk_fmore[MAX_V6_EXT] : c8_mf4;
    s8_wrem <= c8_wrem;
    s8_block <= c8_wpad[256*c8_q[QI_W-1:3] +: 8*L4_BLOCK];
end

// ---- 9: fragments, L4 length and window ---------------------------------

wire c9_frag = s8_more || s8_off != 13'd0;
wire c9_tcp = s8_proto == PROTO_TCP;
wire c9_udp = s8_proto == PROTO_UDP;
wire c9_icmp = s8_proto == PROTO_ICMP || s8_proto == PROTO_ICMPV6;
wire [15:0] c9_need = c9_tcp ? 16'd20 : (c9_udp || c9_icmp) ? 16'd8 : 16'd0;
wire c9_oversize = {1'b0, s8_off, 3'd0} + {1'b0, s8_pay} > 17'h0ffff; // ends past 65535
// The L4 header's bytes 0-5, and the data offset and flags (byte 12's top
// nibble, byte 13).
wire [47:0] c9_hdr = s8_block[32*s8_q[2:0] +: 48];
wire [11:0] c9_tcp_hdr = s8_block[32*s8_q[2:0] + 8*12 + 4 +: 12];

reg          s9_read, s9_v6, s9_frag, s9_tcp, s9_udp;
reg [1:0]    s9_kind;
reg [4:0]    s9_mal;
reg [4:0]    s9_frag_bits;
reg [12:0]   s9_vlan;
reg [127:0]  s9_src, s9_dst;
reg [5:0]    s9_dscp;
reg [15:0]   s9_l3_len, s9_ip_end;
reg [7:0]    s9_proto;
reg [15:0]   s9_pay;
reg          s9_more;
reg [47:0]   s9_hdr;
reg [11:0]   s9_tcp_hdr;

always @(posedge clk) begin
    s9_kind <= s8_kind;
    s9_mal <= s8_mal;
    s9_read <= 1'b0;
    s9_frag_bits <= 5'd0;
    s9_frag_bits[SCRUB_FRAG_DF] <= s8_df;
    if (s8_l4) begin
        s9_frag_bits[SCRUB_FRAG_ISF] <= c9_frag;
        s9_frag_bits[SCRUB_FRAG_FF] <= c9_frag && s8_off == 13'd0;
        s9_frag_bits[SCRUB_FRAG_LATER] <= s8_off != 13'd0;
        s9_frag_bits[SCRUB_FRAG_LF] <= s8_off != 13'd0 && !s8_more;
        if (c9_frag && c9_oversize) begin
            s9_kind <= KIND_MALFORMED;
            s9_mal <= MAL_FRAG_OVERSIZE;
        end else if (s8_more && s8_pay[2:0] != 3'd0) begin
            s9_kind <= KIND_MALFORMED;
            s9_mal <= MAL_FRAG_ALIGN;
        end else if (s8_off != 13'd0) begin
            // a later fragment: no L4 header
            if (c9_tcp && s8_off == 13'd1) begin
                    s9_kind <= KIND_MALFORMED;
                s9_mal <= MAL_FRAG_OVERLAP;
            end
        end else if (c9_need == 16'd0) begin
            // no L4 fields for this protocol
        end else if (s8_pay < c9_need) begin
            s9_kind <= KIND_MALFORMED;
            s9_mal <= s8_more ? MAL_FRAG_TINY : MAL_L4_TRUNCATED;
        end else if ({4'd0, s8_q, 2'b00} + {1'b0, c9_need} > ext17(s8_wrem)) begin
            s9_kind <= KIND_UNPARSED;
        end else begin
            s9_read <= 1'b1;
        end
    end
    s9_v6 <= s8_v6;
    s9_frag <= c9_frag;
    s9_tcp <= c9_tcp;
    s9_udp <= c9_udp;
    s9_vlan <= s8_vlan;
    s9_src <= s8_src;
    s9_dst <= s8_dst;
    s9_dscp <= s8_dscp;
    s9_l3_len <= s8_l3_len;
    s9_ip_end <= s8_ip_end;
    s9_proto <= s8_l4 ? s8_proto : 8'd0;
    s9_pay <= s8_pay;
    s9_more <= s8_more;
    s9_hdr <= c9_hdr;
    s9_tcp_hdr <= c9_tcp_hdr;
end

// ---- 10: TCP, UDP, ICMP -----------------------------------------------------

wire [15:0] c10_sport = {s9_hdr[7:0], s9_hdr[15:8]};
wire [15:0] c10_dport = {s9_hdr[23:16], s9_hdr[31:24]};
wire [15:0] c10_ulen = {s9_hdr[39:32], s9_hdr[47:40]};
wire [3:0]  c10_doff = s9_tcp_hdr[3:0];
wire [7:0]  c10_flags = s9_tcp_hdr[11:4];
// of FIN SYN RST PSH ACK URG: none, SYN with FIN or RST, FIN without ACK
wire c10_flags_bad = c10_flags[5:0] == 6'd0 || (c10_flags[1] && (c10_flags[0] || c10_flags[2])) ||
                     (c10_flags[0] && !c10_flags[4]);

reg [1:0]   o_kind;
reg [4:0]   o_mal;
reg         o_v6, o_has_ports, o_has_tcp, o_has_icmp;
reg [7:0]   o_proto;
reg [5:0]   o_dscp;
reg [4:0]   o_frag;
reg [7:0]   o_tcp_flags, o_icmp_type, o_icmp_code;
reg [12:0]  o_vlan;
reg [15:0]  o_l3_len, o_ip_end, o_sport, o_dport;
reg [127:0] o_src, o_dst;

always @(posedge clk) begin
    o_kind <= s9_kind;
    o_mal <= s9_mal;
    o_has_ports <= 1'b0;
    o_has_tcp <= 1'b0;
    o_has_icmp <= 1'b0;
    o_tcp_flags <= 8'd0;
    o_icmp_type <= 8'd0;
    o_icmp_code <= 8'd0;
    o_sport <= 16'd0;
    o_dport <= 16'd0;
    if (s9_read) begin
        if (s9_tcp) begin
            if (c10_doff < 4'd5) begin
                o_kind <= KIND_MALFORMED;
                o_mal <= MAL_TCP_DOFF;
            end else if ({10'd0, c10_doff, 2'b00} > s9_pay) begin
                o_kind <= KIND_MALFORMED;
                o_mal <= s9_more ? MAL_FRAG_TINY : MAL_L4_TRUNCATED;
            end else begin
                o_tcp_flags <= c10_flags;
                if (c10_flags_bad) begin
                    o_kind <= KIND_MALFORMED;
                    o_mal <= MAL_TCP_FLAGS;
                end else begin
                    o_has_tcp <= 1'b1;
                    o_has_ports <= 1'b1;
                    o_sport <= c10_sport;
                    o_dport <= c10_dport;
                end
            end
        end else if (s9_udp) begin
            // a first fragment's UDP length covers the whole datagram
            if (!s9_frag && c10_ulen != s9_pay) begin
                o_kind <= KIND_MALFORMED;
                o_mal <= MAL_UDP_LENGTH;
            end else begin
                o_has_ports <= 1'b1;
                o_sport <= c10_sport;
                o_dport <= c10_dport;
            end
        end else begin
            o_has_icmp <= 1'b1;
            o_icmp_type <= s9_hdr[7:0];
            o_icmp_code <= s9_hdr[15:8];
        end
    end
    o_v6 <= s9_v6;
    o_proto <= s9_proto;
    o_dscp <= s9_dscp;
    o_frag <= s9_frag_bits;
    o_vlan <= s9_vlan;
    o_l3_len <= s9_l3_len;
    o_ip_end <= s9_ip_end;
    o_src <= s9_src;
    o_dst <= s9_dst;
end

assign m_kind = o_kind;
assign m_mal = o_mal;
assign m_v6 = o_v6;
assign m_has_ports = o_has_ports;
assign m_has_tcp = o_has_tcp;
assign m_has_icmp = o_has_icmp;
assign m_proto = o_proto;
assign m_dscp = o_dscp;
assign m_frag = o_frag;
assign m_tcp_flags = o_tcp_flags;
assign m_icmp_type = o_icmp_type;
assign m_icmp_code = o_icmp_code;
assign m_vlan = o_vlan;
assign m_l3_len = o_l3_len;
assign m_ip_end = o_ip_end;
assign m_sport = o_sport;
assign m_dport = o_dport;
assign m_src = o_src;
assign m_dst = o_dst;

endmodule

`resetall
