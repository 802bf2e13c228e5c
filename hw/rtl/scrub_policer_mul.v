// scrub_policer_mul: unsigned p = a x b, pipelined, for the policers'
// arithmetic. The operands are cut into AC x BC-bit pieces (24 x 17 fits the
// unsigned 26 x 17 of a DSP48E2), every partial product is registered (one
// DSP each), then a binary tree of registered adders sums the shifted
// products. LATENCY = 1 + ceil(log2(pieces of a x pieces of b)): p in the
// clock LATENCY after a and b. No valid: the user carries its own.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_policer_mul #(
    parameter integer AW = 40,
    parameter integer BW = 63,
    parameter integer AC = 24,
    parameter integer BC = 17,
    parameter integer LATENCY = 4
) (
    input  wire             clk,
    input  wire [AW-1:0]    a,
    input  wire [BW-1:0]    b,
    output wire [AW+BW-1:0] p
);
    localparam integer NA = (AW + AC - 1) / AC;
    localparam integer NB = (BW + BC - 1) / BC;
    localparam integer N  = NA * NB;
    localparam integer L  = $clog2(N);
    localparam integer NP = 1 << L;
    localparam integer PW = AW + BW;

    generate
        if (LATENCY != 1 + L) begin : g_bad_latency
            $error("scrub_policer_mul: LATENCY must be %0d", 1 + L);
        end
        if (AC + BC > PW) begin : g_bad_pieces
            $error("scrub_policer_mul: pieces wider than the product");
        end
    endgenerate

    wire [NA*AC-1:0] a_ext = {{(NA*AC-AW){1'b0}}, a};
    wire [NB*BC-1:0] b_ext = {{(NB*BC-BW){1'b0}}, b};

    // sum[0][k]: partial product k, shifted into place; sum[l]: level l of the tree.
    reg [PW-1:0] sum [0:L][0:NP-1];

    genvar gi, gj;
    generate
        for (gi = 0; gi < NA; gi = gi + 1) begin : g_a
            for (gj = 0; gj < NB; gj = gj + 1) begin : g_b
                wire [AC+BC-1:0] pp = a_ext[gi*AC +: AC] * b_ext[gj*BC +: BC];
                always @(posedge clk)
                    sum[0][gi*NB+gj] <= {{(PW-AC-BC){1'b0}}, pp} << (gi * AC + gj * BC);
            end
        end
        for (gi = N; gi < NP; gi = gi + 1) begin : g_pad
            always @(posedge clk)
                sum[0][gi] <= {PW{1'b0}};
        end
        for (gi = 1; gi <= L; gi = gi + 1) begin : g_level
            for (gj = 0; gj < (NP >> gi); gj = gj + 1) begin : g_add
                always @(posedge clk)
                    sum[gi][gj] <= sum[gi-1][2*gj] + sum[gi-1][2*gj+1];
            end
        end
    endgenerate

    assign p = sum[L][0];
endmodule

`resetall
