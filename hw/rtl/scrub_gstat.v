// scrub_gstat: the card's global counters (docs/card.md, "Counters and the
// snapshot"): SCRUB_GSTAT_COUNT pairs of 64-bit packets/bytes counters, live,
// and their snapshot bank. Owns the counting rule of a frame's end and the
// snapshot instant; everything in flip-flops (64 pairs are few), so every
// counter can change in every clock and the snapshot is one clock.
//
// A frame end (ev_valid, at most one a clock) counts its ev_len bytes and one
// packet at RX, at ev_outcome, at TX when ev_tx, at ev_seen when
// ev_seen_valid and at ev_late when ev_late_valid; and ev_lost packets, no
// bytes, at COUNT_ONLY_LOST. An index named twice counts twice. Counters wrap
// at 2^64 and only reset clears them.
//
// snapshot (one clock) copies every live pair as it stands at the start of
// that clock: a frame end in the same clock is not in the snapshot (it is
// ordered after the SNAPSHOT write, as in the model when the packet comes
// after the write).
//
// Read port: rd_en with rd_index; rd_valid, rd_packets, rd_bytes the next
// clock, from the snapshot bank (a read in a snapshot's clock sees the
// previous snapshot).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_gstat (
    input  wire        clk,
    input  wire        rst,

    input  wire        ev_valid,
    input  wire [31:0] ev_len,
    input  wire [5:0]  ev_outcome,
    input  wire        ev_tx,
    input  wire        ev_seen_valid,
    input  wire [5:0]  ev_seen,
    input  wire        ev_late_valid,
    input  wire [5:0]  ev_late,
    input  wire [16:0] ev_lost,

    input  wire        snapshot,

    input  wire        rd_en,
    input  wire [5:0]  rd_index,
    output reg         rd_valid,
    output reg  [63:0] rd_packets,
    output reg  [63:0] rd_bytes
);
    `include "scrub_regmap.vh"

    localparam integer N = SCRUB_GSTAT_COUNT;

    generate
        if ((1 << $bits(rd_index)) != N || $bits(ev_outcome) != $bits(rd_index) ||
            $bits(ev_seen) != $bits(rd_index) || $bits(ev_late) != $bits(rd_index)) begin : g_bad_index_w
            $error("scrub_gstat: the index ports must name exactly SCRUB_GSTAT_COUNT counters");
        end
    endgenerate

    // Bytes of a counter named k times (k <= 5: RX, TX, outcome, seen, late),
    // shared by all counters.
    wire [34:0] len1 = {3'b000, ev_len};
    wire [34:0] len2 = {2'b00, ev_len, 1'b0};
    wire [34:0] len4 = {1'b0, ev_len, 2'b00};
    wire [34:0] len3 = len1 + len2;
    wire [34:0] len5 = len1 + len4;

    wire [64*N-1:0] snap_packets, snap_bytes;

    genvar i;
    generate
        for (i = 0; i < N; i = i + 1) begin : g_ctr
            wire       is_rx   = i == SCRUB_GSTAT_RX;
            wire       is_tx   = i == SCRUB_GSTAT_TX;
            wire       is_lost = i == SCRUB_GSTAT_COUNT_ONLY_LOST;
            wire [2:0] hits    = {2'b00, is_rx} + {2'b00, ev_tx && is_tx} + {2'b00, ev_outcome == i} +
                                 {2'b00, ev_seen_valid && ev_seen == i} + {2'b00, ev_late_valid && ev_late == i};
            wire [17:0] packets_inc = {15'd0, hits} + (is_lost ? {1'b0, ev_lost} : 18'd0);
            reg  [34:0] bytes_inc;
            reg  [63:0] packets, bytes, packets_snap, bytes_snap;

            always @(*) begin
                case (hits)
                    3'd0:    bytes_inc = 35'd0;
                    3'd1:    bytes_inc = len1;
                    3'd2:    bytes_inc = len2;
                    3'd3:    bytes_inc = len3;
                    3'd4:    bytes_inc = len4;
                    default: bytes_inc = len5;
                endcase
            end

            always @(posedge clk) begin
                if (snapshot) begin
                    packets_snap <= packets;
                    bytes_snap   <= bytes;
                end
                if (ev_valid) begin
                    packets <= packets + {46'd0, packets_inc};
                    bytes   <= bytes + {29'd0, bytes_inc};
                end
                if (rst) begin
                    packets      <= 64'd0;
                    bytes        <= 64'd0;
                    packets_snap <= 64'd0;
                    bytes_snap   <= 64'd0;
                end
            end

            assign snap_packets[64*i +: 64] = packets_snap;
            assign snap_bytes[64*i +: 64]   = bytes_snap;
        end
    endgenerate

    always @(posedge clk) begin
        rd_valid <= rd_en;
        if (rd_en) begin
            rd_packets <= snap_packets[{rd_index, 6'd0} +: 64];
            rd_bytes   <= snap_bytes[{rd_index, 6'd0} +: 64];
        end
        if (rst)
            rd_valid <= 1'b0;
    end
endmodule

`resetall
