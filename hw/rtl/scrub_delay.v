// scrub_delay: every clock's input (a beat or an idle slot) comes out
// exactly DELAY clocks later: the output in cycle c + DELAY is the input of
// cycle c (a plain register is a delay of 1). A RAM ring of at least DELAY
// entries, written every clock and read DELAY - 1 entries behind the write
// pointer into the output register; the valid bits live apart in
// flip-flops so that reset empties the line.
module scrub_delay #(
    parameter integer WIDTH = 577,
    parameter integer DELAY = 16
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             s_valid,
    input  wire [WIDTH-1:0] s_data,
    output reg              m_valid,
    output reg  [WIDTH-1:0] m_data
);
    localparam integer ADDR_W = $clog2(DELAY);
    localparam integer DEPTH  = 1 << ADDR_W;

    initial begin
        if (DELAY < 2) begin
            $error("scrub_delay: DELAY %0d must be at least 2", DELAY);
            $finish;
        end
    end

    reg [WIDTH-1:0]  mem [0:DEPTH-1];
    reg [DEPTH-1:0]  valid;
    reg [ADDR_W-1:0] wr;

    wire [ADDR_W-1:0] rd = wr - ADDR_W'(DELAY - 1);

    always @(posedge clk) begin
        mem[wr]   <= s_data;
        valid[wr] <= s_valid;
        wr        <= wr + 1'b1;
        m_data    <= mem[rd];
        m_valid   <= valid[rd];
        if (rst) begin
            valid   <= {DEPTH{1'b0}};
            wr      <= {ADDR_W{1'b0}};
            m_valid <= 1'b0;
        end
    end
endmodule
