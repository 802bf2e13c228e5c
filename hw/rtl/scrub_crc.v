// scrub_crc: a reflected CRC-32 over BYTES bytes, initial value and final
// xor 0xffffffff, as hw/model/hash.c computes it. POLY is the reflected
// polynomial: 32'h82f63b78 for CRC-32C (Castagnoli, the default),
// 32'hedb88320 for CRC-32 (IEEE 802.3). The bytes come in network order:
// s_data[8*BYTES-1 -: 8] is byte 0, the first one the CRC takes.
//
// Combinational. The CRC is affine in its input: each result bit is the
// XOR of a fixed subset of the input bits and a constant, both computed at
// elaboration by running the bitwise CRC on zero and on each one-hot input.
// In hardware that is the same XOR tree as the bitwise loop (for 18 bytes
// at most 144 inputs a bit, three levels of 6-input LUTs; the user
// registers around it); in simulation it is 32 masked parities instead of
// a loop of 8 * BYTES steps every evaluation.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_crc #(
    parameter integer    BYTES = 18,
    parameter [31:0]     POLY  = 32'h82f63b78
) (
    input  wire [8*BYTES-1:0] s_data,
    output wire [31:0]        m_crc
);
    localparam integer W = 8 * BYTES;

    generate
        if (BYTES < 1) begin : g_bad_bytes
            $error("scrub_crc: BYTES must be at least 1");
        end
    endgenerate

    // The bitwise CRC, for elaboration only.
    function automatic [31:0] crc_of(input [W-1:0] data);
        integer byte_i, bit_i;
        reg [31:0] c;
        begin
            c = 32'hffffffff;
            for (byte_i = 0; byte_i < BYTES; byte_i = byte_i + 1) begin
                c = c ^ {24'd0, data[8*(BYTES-byte_i)-1 -: 8]};
                for (bit_i = 0; bit_i < 8; bit_i = bit_i + 1)
                    c = c[0] ? (c >> 1) ^ POLY : c >> 1;
            end
            crc_of = c ^ 32'hffffffff;
        end
    endfunction

    // MASKS[W*k +: W]: the input bits result bit k depends on.
    function automatic [32*W-1:0] masks_of(input integer unused);
        integer in_bit, out_bit;
        reg [31:0] zero, one;
        begin
            masks_of = {32*W{1'b0}};
            zero = crc_of({W{1'b0}});
            for (in_bit = 0; in_bit < W; in_bit = in_bit + 1) begin
                one = crc_of({{(W-1){1'b0}}, 1'b1} << in_bit) ^ zero;
                for (out_bit = 0; out_bit < 32; out_bit = out_bit + 1)
                    masks_of[W*out_bit + in_bit] = one[out_bit];
            end
        end
    endfunction

    localparam [31:0]     ZERO  = crc_of({W{1'b0}});
    localparam [32*W-1:0] MASKS = masks_of(0);

    genvar gk;
    generate
        for (gk = 0; gk < 32; gk = gk + 1) begin : g_bit
            assign m_crc[gk] = ^(s_data & MASKS[W*gk +: W]) ^ ZERO[gk];
        end
    endgenerate
endmodule
`resetall
