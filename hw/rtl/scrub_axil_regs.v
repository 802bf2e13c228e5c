// scrub_axil_regs: an AXI4-Lite slave (32-bit data) turned into a simple
// register interface: one write strobe with address and data, and one read
// strobe whose data the register file returns RD_LATENCY clocks later. Owns
// the AXI handshakes only; what the addresses mean is the register file's.
//
// - The slave waits for both AWVALID and WVALID, then raises AWREADY and
//   WREADY together for one clock (registered: the payload is taken the
//   clock before, which AXI keeps stable while VALID waits), so AW and W may
//   come in either order. One write and one read are in flight at most; the
//   next handshake can come the clock after its predecessor's response.
// - reg_wr_en is high in the clock of the AW/W handshake: the write takes
//   effect at the end of that clock. BVALID rises the clock after.
// - A write whose WSTRB is not 4'hf is acknowledged and ignored: the register
//   map has no byte-wide fields, and a partial write to a command register
//   (COMMIT, TBL_CMD...) would have no defined meaning.
// - reg_rd_en is high in the clock of the AR handshake. The register file
//   returns reg_rd_data RD_LATENCY clocks later; it is captured then and
//   RVALID rises the clock after. A read and a write in the same clock: the
//   register file serves the read from the state before the write.
// - Responses are always OKAY (docs/card.md: unmapped addresses read 0 and
//   ignore writes).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_axil_regs #(
    parameter integer ADDR_W     = 12,
    parameter integer RD_LATENCY = 1
) (
    input  wire              clk,
    input  wire              rst,

    input  wire [ADDR_W-1:0] s_axil_awaddr,
    input  wire              s_axil_awvalid,
    output wire              s_axil_awready,
    input  wire [31:0]       s_axil_wdata,
    input  wire [3:0]        s_axil_wstrb,
    input  wire              s_axil_wvalid,
    output wire              s_axil_wready,
    output wire [1:0]        s_axil_bresp,
    output wire              s_axil_bvalid,
    input  wire              s_axil_bready,
    input  wire [ADDR_W-1:0] s_axil_araddr,
    input  wire              s_axil_arvalid,
    output wire              s_axil_arready,
    output wire [31:0]       s_axil_rdata,
    output wire [1:0]        s_axil_rresp,
    output wire              s_axil_rvalid,
    input  wire              s_axil_rready,

    output wire [ADDR_W-1:0] reg_wr_addr,
    output wire [31:0]       reg_wr_data,
    output wire              reg_wr_en,
    output wire [ADDR_W-1:0] reg_rd_addr,
    output wire              reg_rd_en,
    input  wire [31:0]       reg_rd_data
);
    generate
        if (ADDR_W < 2 || ADDR_W > 32) begin : g_bad_addr_w
            $error("scrub_axil_regs: ADDR_W must be 2..32");
        end
        if (RD_LATENCY < 1) begin : g_bad_rd_latency
            $error("scrub_axil_regs: RD_LATENCY must be at least 1");
        end
    endgenerate

    localparam [1:0] RESP_OKAY = 2'b00;

    // ---- write ------------------------------------------------------------------
    // wr_take: AWREADY and WREADY, one clock; the address and data were
    // captured the clock before, when both VALIDs were seen (a VALID stays up,
    // its payload stable, until its handshake).
    reg              wr_take;
    reg [ADDR_W-1:0] wr_addr;
    reg [31:0]       wr_data;
    reg              wr_full;
    reg              bvalid;

    wire wr_start = s_axil_awvalid && s_axil_wvalid && !wr_take && (!bvalid || s_axil_bready);

    always @(posedge clk) begin
        wr_take <= wr_start;
        if (wr_start) begin
            wr_addr <= s_axil_awaddr;
            wr_data <= s_axil_wdata;
            wr_full <= &s_axil_wstrb;
        end
        if (wr_take)
            bvalid <= 1'b1;
        else if (s_axil_bready)
            bvalid <= 1'b0;
        if (rst) begin
            wr_take <= 1'b0;
            bvalid  <= 1'b0;
        end
    end

    assign s_axil_awready = wr_take;
    assign s_axil_wready  = wr_take;
    assign s_axil_bresp   = RESP_OKAY;
    assign s_axil_bvalid  = bvalid;
    assign reg_wr_addr    = wr_addr;
    assign reg_wr_data    = wr_data;
    assign reg_wr_en      = wr_take && wr_full;

    // ---- read -------------------------------------------------------------------
    reg                  rd_take;    // ARREADY, one clock, as wr_take
    reg [ADDR_W-1:0]     rd_addr;
    reg [RD_LATENCY-1:0] rd_pipe;    // the read strobe on its way to the data
    reg [31:0]           rdata;
    reg                  rvalid;
    integer              i;

    wire rd_start = s_axil_arvalid && !rd_take && !(|rd_pipe) && (!rvalid || s_axil_rready);

    always @(posedge clk) begin
        rd_take <= rd_start;
        if (rd_start)
            rd_addr <= s_axil_araddr;
        rd_pipe[0] <= rd_take;
        for (i = 1; i < RD_LATENCY; i = i + 1)
            rd_pipe[i] <= rd_pipe[i-1];
        if (rd_pipe[RD_LATENCY-1]) begin
            rdata  <= reg_rd_data;
            rvalid <= 1'b1;
        end else if (s_axil_rready) begin
            rvalid <= 1'b0;
        end
        if (rst) begin
            rd_take <= 1'b0;
            rd_pipe <= {RD_LATENCY{1'b0}};
            rvalid  <= 1'b0;
        end
    end

    assign s_axil_arready = rd_take;
    assign s_axil_rdata   = rdata;
    assign s_axil_rresp   = RESP_OKAY;
    assign s_axil_rvalid  = rvalid;
    assign reg_rd_addr    = rd_addr;
    assign reg_rd_en      = rd_take;
endmodule

`resetall
