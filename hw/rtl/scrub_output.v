// scrub_output: what happens to each frame as it leaves the delay line
// (docs/rtl.md, "Output stage"). Beats wait in a small elastic FIFO until
// their frame's verdict is there: with no idle clocks inside a frame's
// window the verdict always is, so nothing waits and the latency is fixed;
// idle clocks inside a window delay its verdict, and the frame waits as
// long. At its first beat the frame's verdict is taken: a dropped frame's beats are discarded; a passed frame enters the
// output FIFO if it fits whole (its length is known when its last beat has
// entered the card already, otherwise room for a longest frame is needed).
// At its last beat the end-of-frame checks run (docs/card.md, packet path,
// step 8), a frame they drop is marked bad on the beat that ends it in the
// FIFO, and the frame's counter event goes out. A frame longer than
// MAX_BEATS is cut there and marked bad: it is a giant.
module scrub_output #(
    parameter integer DATA_W     = 512,
    parameter integer FIFO_BEATS = 256,
    parameter integer MAX_BEATS  = 256,
    parameter integer LEN_DEPTH  = 64,
    parameter integer WAIT_DEPTH = 16
) (
    input  wire                clk,
    input  wire                rst,

    // the input stream as it enters the card: frame lengths, in beats
    input  wire                in_valid,
    input  wire                in_last,

    // the same stream out of the delay line
    input  wire                d_valid,
    input  wire [DATA_W-1:0]   d_tdata,
    input  wire [DATA_W/8-1:0] d_tkeep,
    input  wire                d_tlast,

    // the verdict queue's head: the verdict of the next frame to leave
    input  wire                v_valid,
    input  wire [48:0]         v_data,
    output wire                v_pop,

    output wire [DATA_W-1:0]   m_axis_tdata,
    output wire [DATA_W/8-1:0] m_axis_tkeep,
    output wire                m_axis_tvalid,
    output wire                m_axis_tlast,
    output wire                m_axis_tuser,   // on a last beat: the frame is bad, drop it
    input  wire                m_axis_tready,

    // one event per frame, at its last beat (scrub_gstat's inputs)
    output reg                 ev_valid,
    output reg  [31:0]         ev_len,
    output reg  [5:0]          ev_outcome,
    output reg                 ev_tx,
    output reg                 ev_seen_valid,
    output reg  [5:0]          ev_seen,
    output reg                 ev_late_valid,
    output reg  [5:0]          ev_late,
    output reg  [16:0]         ev_lost,

    output reg                 error            // a verdict missing, a queue overflowed: never
);
    `include "scrub_regmap.vh"
    `include "scrub_verdict.vh"

    localparam integer BEAT_BYTES = DATA_W / 8;
    localparam integer USED_W     = $clog2(FIFO_BEATS + 1);
    localparam integer BEATS_W    = $clog2(MAX_BEATS + 2);

    initial begin
        if (V_W != $bits(v_data) || LOST_W != $bits(ev_lost) || FIFO_BEATS < MAX_BEATS) begin
            $error("scrub_output: the verdict is %0d bits; FIFO_BEATS %0d must hold MAX_BEATS %0d",
                   V_W, FIFO_BEATS, MAX_BEATS);
            $finish;
        end
    end

    function [31:0] ones(input [DATA_W/8-1:0] keep);
        integer i;
        begin
            ones = 32'd0;
            for (i = 0; i < DATA_W / 8; i = i + 1)
                ones = ones + {31'd0, keep[i]};
        end
    endfunction

    // ---- frame lengths, learnt as frames enter the card -----------------------
    reg  [BEATS_W-1:0] in_beats;   // beats of the entering frame, saturating past MAX_BEATS
    wire [BEATS_W-1:0] in_count = in_beats == BEATS_W'(MAX_BEATS + 1) ? in_beats : in_beats + 1'b1;
    wire               len_known;
    wire [BEATS_W-1:0] len_beats;
    wire               len_overflow;

    always @(posedge clk) begin
        if (in_valid)
            in_beats <= in_last ? {BEATS_W{1'b0}} : in_count;
        if (rst)
            in_beats <= {BEATS_W{1'b0}};
    end

    // ---- beats waiting for their verdict -------------------------------------------
    wire                 w_valid, w_overflow;
    wire [DATA_W-1:0]    b_tdata;
    wire [DATA_W/8-1:0]  b_tkeep;
    wire                 b_tlast;
    reg                  in_frame; // between a frame's first and last beat
    wire                 b_valid = w_valid && (in_frame || v_valid);

    scrub_sync_fifo #(.WIDTH(DATA_W + DATA_W/8 + 1), .DEPTH(WAIT_DEPTH)) waiting (
        .clk(clk), .rst(rst),
        .s_valid(d_valid), .s_data({d_tdata, d_tkeep, d_tlast}),
        .m_valid(w_valid), .m_data({b_tdata, b_tkeep, b_tlast}), .m_pop(b_valid),
        .overflow(w_overflow));

    // ---- the frame leaving -------------------------------------------------------
    reg  [V_W-1:0]   verdict;
    reg              writing;      // its beats go into the FIFO
    reg  [31:0]      beats;        // its beats so far, saturating

    wire             first   = b_valid && !in_frame;
    wire [V_W-1:0]   v       = first ? v_data : verdict;
    wire [31:0]      idx     = first ? 32'd0 : beats;
    wire [USED_W-1:0] used;
    wire [BEATS_W-1:0] need  = len_known && len_beats <= BEATS_W'(MAX_BEATS) ? len_beats : BEATS_W'(MAX_BEATS);
    wire             admit   = v[V_PASS] && (USED_W+1)'(FIFO_BEATS) - {1'b0, used} >= (USED_W+1)'(need);
    wire             wr_now  = first ? admit : writing;
    wire             cut     = b_valid && wr_now && !b_tlast && idx == MAX_BEATS - 1;

    // the end-of-frame checks, valid at the last beat
    wire [31:0]      len     = idx * BEAT_BYTES + ones(b_tkeep);
    wire             giant   = len > SCRUB_MAX_FRAME;
    wire             short_  = v[V_IP_END +: 16] != 16'd0 && {16'd0, v[V_IP_END +: 16]} > len;
    wire             late    = v[V_LATE_OK] && (giant || short_);
    wire [5:0]       mal     = giant ? SCRUB_MAL_GIANT[5:0] : SCRUB_MAL_IP_TRUNCATED[5:0];
    wire [5:0]       outcome = late && is_pass(v[V_OUTCOME +: 6])
                               ? (giant || v[V_MAL_DROP] ? SCRUB_GSTAT_DROP_MALFORMED[5:0]
                                                         : SCRUB_GSTAT_PASS_EXCEPTION[5:0])
                               : v[V_OUTCOME +: 6];
    wire             passes  = is_pass(outcome);
    wire             last    = b_valid && b_tlast;

    assign v_pop = first;

    scrub_sync_fifo #(.WIDTH(BEATS_W), .DEPTH(LEN_DEPTH)) lengths (
        .clk(clk), .rst(rst),
        .s_valid(in_valid && in_last), .s_data(in_count),
        .m_valid(len_known), .m_data(len_beats), .m_pop(last),
        .overflow(len_overflow));

    scrub_out_fifo #(.WIDTH(DATA_W + DATA_W/8 + 2), .DEPTH(FIFO_BEATS)) out (
        .clk(clk), .rst(rst),
        .s_valid(b_valid && wr_now),
        .s_data({b_tdata, b_tkeep, b_tlast || cut, cut || (last && !passes)}),
        .used(used),
        .m_valid(m_axis_tvalid),
        .m_data({m_axis_tdata, m_axis_tkeep, m_axis_tlast, m_axis_tuser}),
        .m_ready(m_axis_tready));

    always @(posedge clk) begin
        ev_valid <= last;
        if (last) begin
            ev_len        <= len;
            ev_outcome    <= passes && !wr_now ? SCRUB_GSTAT_DROP_OVERFLOW[5:0] : outcome;
            ev_tx         <= passes && wr_now;
            ev_seen_valid <= v[V_SEEN_VALID];
            ev_seen       <= v[V_SEEN +: 6];
            ev_late_valid <= late;
            ev_late       <= SCRUB_GSTAT_MALFORMED_BASE[5:0] + mal;
            ev_lost       <= v[V_LOST +: LOST_W];
        end
        if (b_valid) begin
            in_frame <= !b_tlast;
            verdict  <= v;
            writing  <= wr_now && !cut;
            beats    <= idx == 32'hffffffff ? idx : idx + 1;
        end
        if (len_overflow || w_overflow)
            error <= 1'b1;
        if (rst) begin
            in_frame <= 1'b0;
            writing  <= 1'b0;
            ev_valid <= 1'b0;
            error    <= 1'b0;
        end
    end
endmodule
