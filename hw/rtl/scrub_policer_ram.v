// scrub_policer_ram: the policers' tables, DEPTH words of WIDTH bits, in
// UltraRAM at the deployment size. Port A reads; port B reads or writes
// (a write does not read). Reads are registered: data the clock after the
// address. A read of the word port B writes in the same clock returns
// either word: the users never rely on it (the policer pipeline forwards
// that case). The contents start at zero and survive rst: block and ultra
// RAM configure to zero without INIT values, simulation clears them in the
// initial block (left out of synthesis, where a 65,536-step loop only
// slows the front end down).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_policer_ram #(
    parameter integer WIDTH = 128,
    parameter integer DEPTH = 256,
    parameter integer AW    = $clog2(DEPTH)
) (
    input  wire             clk,
    input  wire [AW-1:0]    a_addr,
    output reg  [WIDTH-1:0] a_rdata,
    input  wire             b_en,
    input  wire             b_we,
    input  wire [AW-1:0]    b_addr,
    input  wire [WIDTH-1:0] b_wdata,
    output reg  [WIDTH-1:0] b_rdata
);
    (* ram_style = "ultra" *)
    reg [WIDTH-1:0] mem [0:DEPTH-1];

`ifndef SYNTHESIS
    integer i;
    initial begin
        for (i = 0; i < DEPTH; i = i + 1)
            mem[i] = {WIDTH{1'b0}};
    end
`endif

    always @(posedge clk)
        a_rdata <= mem[a_addr];

    always @(posedge clk) begin
        if (b_en) begin
            if (b_we)
                mem[b_addr] <= b_wdata;
            else
                b_rdata <= mem[b_addr];
        end
    end
endmodule

`resetall
