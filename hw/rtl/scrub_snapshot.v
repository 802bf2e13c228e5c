// scrub_snapshot: one snapshot instant for the counter pool and the global
// counters (docs/rtl.md, "Control"). The pool takes its snapshot at the
// counter stage, in the clock of the SNAPSHOT pulse: the frames whose
// updates came before that clock (pool_frames of them) are in it. The
// global counters count a frame at its end, later; their snapshot is taken
// in the clock in which exactly those frames have ended (frames end in
// order), so both split the frames at the same place. busy covers both.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_snapshot (
    input  wire        clk,
    input  wire        rst,

    input  wire        snapshot,       // one clock: the pool's snapshot now
    input  wire [31:0] pool_frames,    // frames counted by the pool before this clock
    input  wire        pool_busy,
    input  wire        frame_end,      // a frame ends in this clock
    output wire        gstat_snap,     // one clock: the global counters' snapshot now
    output wire        busy
);
    reg [31:0] ended;                  // frames ended before this clock
    reg [31:0] target;
    reg        pending;

    assign gstat_snap = snapshot ? ended == pool_frames : pending && ended == target;
    assign busy       = pending || pool_busy;

    always @(posedge clk) begin
        ended <= ended + {31'd0, frame_end};
        if (snapshot) begin
            target  <= pool_frames;
            pending <= ended != pool_frames;
        end else if (gstat_snap) begin
            pending <= 1'b0;
        end
        if (rst) begin
            ended   <= 32'd0;
            pending <= 1'b0;
        end
    end
endmodule

`resetall
