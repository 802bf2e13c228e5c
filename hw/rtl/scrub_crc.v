// scrub_crc: a reflected CRC-32 over BYTES bytes, initial value and final
// xor 0xffffffff, as hw/model/hash.c computes it. POLY is the reflected
// polynomial: 32'h82f63b78 for CRC-32C (Castagnoli, the default),
// 32'hedb88320 for CRC-32 (IEEE 802.3). The bytes come in network order:
// s_data[8*BYTES-1 -: 8] is byte 0, the first one the CRC takes.
//
// Combinational: the loop below is constant-folded into one XOR tree per
// output bit (each bit of the result is the XOR of a fixed subset of the
// input bits and a constant). For 18 bytes that is at most 144 inputs a
// bit, three levels of 6-input LUTs; the user registers around it.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_crc #(
    parameter integer    BYTES = 18,
    parameter [31:0]     POLY  = 32'h82f63b78
) (
    input  wire [8*BYTES-1:0] s_data,
    output reg  [31:0]        m_crc
);
    generate
        if (BYTES < 1) begin : g_bad_bytes
            $error("scrub_crc: BYTES must be at least 1");
        end
    endgenerate

    integer byte_i, bit_i;
    reg [31:0] c;

    always @* begin
        c = 32'hffffffff;
        for (byte_i = 0; byte_i < BYTES; byte_i = byte_i + 1) begin
            c = c ^ {24'd0, s_data[8*(BYTES-byte_i)-1 -: 8]};
            for (bit_i = 0; bit_i < 8; bit_i = bit_i + 1)
                c = c[0] ? (c >> 1) ^ POLY : c >> 1;
        end
        m_crc = c ^ 32'hffffffff;
    end
endmodule
`resetall
