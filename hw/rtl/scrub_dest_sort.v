// scrub_dest_sort: the sort of scrub_dest's build engine. Takes up to
// ENTRIES records (a key and an index) one a clock, then hands them back in
// ascending key order, equal keys in the order they came (stable), as a
// stream its consumer takes at its own pace.
//
// A merge sort on four tapes (RAMs of 2^ceil(log2 ENTRIES)/2 records, one write
// and one read port each), as on tape drives: the records come in
// alternately to tapes 0 and 1 (runs of one); each pass merges run 2i from
// one source tape with run 2i+1 from the other and writes the merged runs
// alternately to the two other tapes, so each tape is only ever read or
// written sequentially and every source run and every output run starts
// where the previous one ended. The pass whose runs cover every record
// (2r >= v) writes no tape: it is the output stream. The heads of both
// source runs are the tapes' read data: the read address is always the
// address of the next head, so a merge step a clock needs no prefetch.
//
// Clocks for v records: v to take them, then ceil(log2 v) passes (one for
// v = 1) of 1 + v clocks each, the last at the consumer's pace.
//
// start (one clock) forgets everything and takes records (s_valid) until
// s_end (one clock, after the last); then m_valid/m_key/m_index with
// m_ready; m_end rises once every record is taken and stays up until the
// next start.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_dest_sort #(
    parameter integer ENTRIES = 256,
    parameter integer KEY_W = 136,
    parameter integer INDEX_W = 8
) (
    input  wire               clk,
    input  wire               rst,

    input  wire               start,
    input  wire               s_valid,
    input  wire [KEY_W-1:0]   s_key,
    input  wire [INDEX_W-1:0] s_index,
    input  wire               s_end,

    output wire               m_valid,
    output wire [KEY_W-1:0]   m_key,
    output wire [INDEX_W-1:0] m_index,
    input  wire               m_ready,
    output wire               m_end
);
    localparam integer REC_W   = KEY_W + INDEX_W;
    // A pass that is not the last writes its merged runs (2r records each)
    // alternately to two tapes, so the first may get more than half of the
    // records (e.g. 32 + 4 records: 32 and 4); with runs and sizes powers of
    // two, half of ENTRIES rounded up to a power of two is always enough.
    localparam integer TAPE_N  = ENTRIES > 1 ? (1 << $clog2(ENTRIES)) / 2 : 1;
    localparam integer TAPE_AW = TAPE_N > 1 ? $clog2(TAPE_N) : 1;
    // Record counts and run lengths: up to 2 * ENTRIES.
    localparam integer CW = $clog2(ENTRIES + 1) + 1;

    generate
        if (ENTRIES < 1 || (1 << INDEX_W) < ENTRIES) begin : g_bad_entries
            $error("scrub_dest_sort: INDEX_W must number ENTRIES (at least 1) records");
        end
    endgenerate

    localparam [2:0] S_IDLE = 3'd0, S_LOAD = 3'd1, S_SETUP = 3'd2, S_MERGE = 3'd3, S_DONE = 3'd4;

    reg  [2:0]         state;
    reg  [CW-1:0]      count;     // records taken
    reg  [CW-1:0]      run;       // source run length of this pass
    reg  [CW-1:0]      left;      // records this pass has still to merge
    reg  [CW-1:0]      rem_a, rem_b;  // of the two runs being merged
    reg  [TAPE_AW-1:0] ptr_a, ptr_b;  // heads on the source tapes
    reg  [TAPE_AW-1:0] wp_0, wp_1;    // next writes on the destination tapes
    reg                src;       // source tapes: 0 = tapes 0 and 1, 1 = tapes 2 and 3
    reg                dst;       // destination of the current merged run: first or second tape
    reg                final_pass;

    function [CW-1:0] min_cw(input [CW-1:0] x, input [CW-1:0] y);
        min_cw = x < y ? x : y;
    endfunction

    // ---- the tapes ----------------------------------------------------------
    wire [4*REC_W-1:0] tape_q;
    reg  [3:0]         tape_we;
    reg  [TAPE_AW-1:0] tape_waddr;
    reg  [REC_W-1:0]   tape_wdata;
    wire [TAPE_AW-1:0] ptr_a_next, ptr_b_next;

    genvar t;
    generate
        for (t = 0; t < 4; t = t + 1) begin : g_tape
            (* ram_style = "block" *) reg [REC_W-1:0] mem [0:TAPE_N-1];
            reg [REC_W-1:0] q;
            always @(posedge clk) begin
                if (tape_we[t])
                    mem[tape_waddr] <= tape_wdata;
                q <= mem[t % 2 == 0 ? ptr_a_next : ptr_b_next];
            end
            assign tape_q[t*REC_W +: REC_W] = q;
        end
    endgenerate

    // ---- one merge step -----------------------------------------------------
    wire [REC_W-1:0] head_a = src ? tape_q[2*REC_W +: REC_W] : tape_q[0 +: REC_W];
    wire [REC_W-1:0] head_b = src ? tape_q[3*REC_W +: REC_W] : tape_q[REC_W +: REC_W];
    wire             take_a = rem_a != 0 && (rem_b == 0 || head_a[REC_W-1 -: KEY_W] <= head_b[REC_W-1 -: KEY_W]);
    wire [REC_W-1:0] head   = take_a ? head_a : head_b;
    wire             step   = state == S_MERGE && (!final_pass || m_ready);
    wire             group_last = rem_a + rem_b == 1;
    wire [CW-1:0]    left_next  = left - 1;
    wire [CW-1:0]    next_a     = min_cw(run, left_next);

    assign ptr_a_next = state == S_SETUP ? {TAPE_AW{1'b0}} : ptr_a + {{(TAPE_AW-1){1'b0}}, step && take_a};
    assign ptr_b_next = state == S_SETUP ? {TAPE_AW{1'b0}} : ptr_b + {{(TAPE_AW-1){1'b0}}, step && !take_a};

    always @(*) begin
        tape_we    = 4'b0000;
        tape_waddr = {TAPE_AW{1'b0}};
        tape_wdata = head;
        if (state == S_LOAD) begin
            tape_we[0] = s_valid && !count[0];
            tape_we[1] = s_valid && count[0];
            tape_waddr = count[TAPE_AW:1];
            tape_wdata = {s_key, s_index};
        end else if (step && !final_pass) begin
            tape_we[{!src, dst}] = 1'b1;
            tape_waddr = dst ? wp_1 : wp_0;
        end
    end

    always @(posedge clk) begin
        case (state)
            S_LOAD: begin
                if (s_valid)
                    count <= count + 1;
                if (s_end) begin
                    run   <= 1;
                    src   <= 1'b0;
                    state <= S_SETUP;
                end
            end
            S_SETUP: begin
                ptr_a      <= {TAPE_AW{1'b0}};
                ptr_b      <= {TAPE_AW{1'b0}};
                wp_0       <= {TAPE_AW{1'b0}};
                wp_1       <= {TAPE_AW{1'b0}};
                dst        <= 1'b0;
                left       <= count;
                rem_a      <= min_cw(run, count);
                rem_b      <= min_cw(run, count - min_cw(run, count));
                final_pass <= {run, 1'b0} >= {1'b0, count};
                state      <= count == 0 ? S_DONE : S_MERGE;
            end
            S_MERGE: begin
                if (step) begin
                    ptr_a <= ptr_a_next;
                    ptr_b <= ptr_b_next;
                    left  <= left_next;
                    if (!final_pass) begin
                        if (dst)
                            wp_1 <= wp_1 + 1'b1;
                        else
                            wp_0 <= wp_0 + 1'b1;
                    end
                    if (group_last) begin
                        rem_a <= next_a;
                        rem_b <= min_cw(run, left_next - next_a);
                        dst   <= !dst;
                    end else if (take_a) begin
                        rem_a <= rem_a - 1;
                    end else begin
                        rem_b <= rem_b - 1;
                    end
                    if (left_next == 0) begin
                        run   <= {run[CW-2:0], 1'b0};
                        src   <= !src;
                        state <= final_pass ? S_DONE : S_SETUP;
                    end
                end
            end
            default: ;
        endcase
        if (start) begin
            count <= {CW{1'b0}};
            state <= S_LOAD;
        end
        if (rst)
            state <= S_IDLE;
    end

    assign m_valid = state == S_MERGE && final_pass;
    assign m_key   = head[REC_W-1 -: KEY_W];
    assign m_index = head[INDEX_W-1:0];
    assign m_end   = state == S_DONE;
endmodule

`resetall
