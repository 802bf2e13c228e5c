// scrub_out_fifo: the card's output FIFO, in beats. One write port (the
// output stage decides what may enter: it never writes into a full FIFO)
// and an AXI4-Stream read port. The RAM is read through a register so that
// it maps to block RAM; `used` counts the beats held, that register
// included, against a capacity of DEPTH.
module scrub_out_fifo #(
    parameter integer WIDTH = 578,
    parameter integer DEPTH = 256
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             s_valid,
    input  wire [WIDTH-1:0] s_data,
    output wire [$clog2(DEPTH+1)-1:0] used,
    output reg              m_valid,
    output reg  [WIDTH-1:0] m_data,
    input  wire             m_ready
);
    localparam integer ADDR_W = $clog2(DEPTH);

    initial begin
        if (DEPTH < 2 || (1 << ADDR_W) != DEPTH) begin
            $error("scrub_out_fifo: DEPTH %0d must be a power of two, at least 2", DEPTH);
            $finish;
        end
    end

    reg [WIDTH-1:0] mem [0:DEPTH-1];
    reg [ADDR_W:0]  wr, rd;

    wire [ADDR_W:0] in_ram = wr - rd;
    wire            load   = (!m_valid || m_ready) && in_ram != 0;

    assign used = in_ram + {{ADDR_W{1'b0}}, m_valid};

    always @(posedge clk) begin
        if (s_valid) begin
            mem[wr[ADDR_W-1:0]] <= s_data;
            wr <= wr + 1'b1;
        end
        if (load) begin
            m_data  <= mem[rd[ADDR_W-1:0]];
            rd      <= rd + 1'b1;
            m_valid <= 1'b1;
        end else if (m_ready) begin
            m_valid <= 1'b0;
        end
        if (rst) begin
            wr      <= {(ADDR_W+1){1'b0}};
            rd      <= {(ADDR_W+1){1'b0}};
            m_valid <= 1'b0;
        end
    end
endmodule
