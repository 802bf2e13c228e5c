// scrub_window: captures the first WINDOW_BEATS beats of every frame and
// hands them on as one descriptor: the window, the frame's length as far as
// the window shows it, and the frame's timestamp. A descriptor leaves one
// clock after the beat that completes the window (the last window beat, or
// tlast if the frame is shorter), so at most one per clock.
//
// Input beats other than a frame's last are full (tkeep all ones); the last
// beat's tkeep is contiguous from byte 0. Bytes of the window past the
// frame's end are left over from earlier frames: undefined, and the parser
// never reads them.
module scrub_window #(
    parameter integer DATA_W       = 512,
    parameter integer WINDOW_BEATS = 4
) (
    input  wire                           clk,
    input  wire                           rst,

    input  wire [DATA_W-1:0]              s_tdata,
    input  wire [DATA_W/8-1:0]            s_tkeep,
    input  wire                           s_tvalid,
    input  wire                           s_tlast,
    input  wire [63:0]                    s_tuser,   // timestamp, on a frame's first beat

    output reg                            m_valid,
    output reg  [WINDOW_BEATS*DATA_W-1:0] m_window,  // byte i at [8*i +: 8]
    output reg  [15:0]                    m_len,     // frame bytes; LONG when the frame continues past the window
    output reg  [63:0]                    m_ts
);
    localparam integer BEAT_BYTES   = DATA_W / 8;
    localparam integer WINDOW_BYTES = WINDOW_BEATS * BEAT_BYTES;
    localparam integer IDX_W        = $clog2(WINDOW_BEATS + 1);
    localparam [15:0]  LONG         = 16'(WINDOW_BYTES + 1);
    localparam [IDX_W-1:0] LAST_IN  = IDX_W'(WINDOW_BEATS - 1);
    localparam [IDX_W-1:0] PAST     = IDX_W'(WINDOW_BEATS);

    initial begin
        if (DATA_W % 8 != 0 || WINDOW_BEATS < 1 || WINDOW_BYTES >= 65535) begin
            $error("scrub_window: bad DATA_W %0d or WINDOW_BEATS %0d", DATA_W, WINDOW_BEATS);
            $finish;
        end
    end

    // Which beat of the current frame comes next; WINDOW_BEATS once past
    // the window.
    reg [IDX_W-1:0]               beat;
    reg [WINDOW_BEATS*DATA_W-1:0] window;
    reg [63:0]                    ts;

    function [15:0] ones(input [DATA_W/8-1:0] keep);
        integer i;
        begin
            ones = 16'd0;
            for (i = 0; i < DATA_W / 8; i = i + 1)
                ones = ones + {15'd0, keep[i]};
        end
    endfunction

    wire                           in_window = beat < PAST;
    wire                           completes = s_tvalid && in_window && (s_tlast || beat == LAST_IN);
    wire [63:0]                    frame_ts  = beat == 0 ? s_tuser : ts;
    reg  [WINDOW_BEATS*DATA_W-1:0] with_beat;

    always @(*) begin
        with_beat = window;
        if (in_window)
            with_beat[beat*DATA_W +: DATA_W] = s_tdata;
    end

    always @(posedge clk) begin
        m_valid <= completes;
        if (completes) begin
            m_window <= with_beat;
            m_len    <= s_tlast ? {{(16-IDX_W){1'b0}}, beat} * BEAT_BYTES[15:0] + ones(s_tkeep) : LONG;
            m_ts     <= frame_ts;
        end
        if (s_tvalid) begin
            window <= with_beat;
            ts     <= frame_ts;
            if (s_tlast)
                beat <= {IDX_W{1'b0}};
            else if (in_window)
                beat <= beat + 1'b1;
        end
        if (rst) begin
            beat    <= {IDX_W{1'b0}};
            m_valid <= 1'b0;
        end
    end
endmodule
