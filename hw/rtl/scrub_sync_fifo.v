// scrub_sync_fifo: a small show-ahead FIFO (the head is readable before it
// is popped) for per-frame records that wait for their frame: verdicts and
// lengths. Its users size it so it cannot overflow; `overflow` says if it
// ever did, for the testbenches.
module scrub_sync_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 16
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             s_valid,
    input  wire [WIDTH-1:0] s_data,
    output wire             m_valid,
    output wire [WIDTH-1:0] m_data,
    input  wire             m_pop,
    output reg              overflow
);
    localparam integer ADDR_W = $clog2(DEPTH);

    reg [WIDTH-1:0] mem [0:(1<<ADDR_W)-1];
    reg [ADDR_W:0]  wr, rd;

    assign m_valid = wr != rd;
    assign m_data  = mem[rd[ADDR_W-1:0]];

    always @(posedge clk) begin
        if (s_valid) begin
            mem[wr[ADDR_W-1:0]] <= s_data;
            wr <= wr + 1'b1;
            if (wr - rd == (ADDR_W+1)'(1 << ADDR_W) && !m_pop)
                overflow <= 1'b1;
        end
        if (m_pop && m_valid)
            rd <= rd + 1'b1;
        if (rst) begin
            wr       <= {(ADDR_W+1){1'b0}};
            rd       <= {(ADDR_W+1){1'b0}};
            overflow <= 1'b0;
        end
    end
endmodule
