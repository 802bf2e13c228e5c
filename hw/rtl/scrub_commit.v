// scrub_commit: the card's two-phase commit (docs/rtl.md, "Control"). A
// COMMIT the register file accepted (commit, one clock) waits for a table
// command in flight, then starts every shadowed table's preparation
// (commit_start); when all are ready, the swap enters the lookup pipeline
// at its first stage (commit_swap, one clock), where CFG_ACTIONS changes in
// the same clock; busy lasts until the swap has left the last stage
// (DRAIN clocks) and no table is busy any more. Table commands that come
// while a commit is running wait for its end, so that the shadow the
// tables prepare from stays still.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_commit #(
    parameter integer DRAIN = 34       // clocks from the swap to its last stage
) (
    input  wire       clk,
    input  wire       rst,

    input  wire       commit,          // one clock: COMMIT accepted
    input  wire [3:0] cfg_committed,   // the CFG_ACTIONS that commit makes active
    output wire [3:0] cfg_actions,     // the active CFG_ACTIONS, for stage 0

    // table commands from the register file, to the tables
    input  wire       s_cmd_valid,
    output wire       m_cmd_valid,
    input  wire       m_cmd_done,

    output reg        commit_start,
    input  wire       commit_ready,    // every shadowed table is prepared
    output reg        commit_swap,
    input  wire       tables_busy,

    output wire       busy
);
    `include "scrub_regmap.vh"

    localparam [1:0] IDLE = 2'd0, WAIT = 2'd1, PREP = 2'd2, DRAIN_ = 2'd3;
    localparam integer CNT_W = $clog2(DRAIN + 1);

    reg [1:0]       state;
    reg [CNT_W-1:0] drained;
    reg             held, in_flight;
    reg [3:0]       cfg_active;

    wire free = state == IDLE && !commit;
    assign m_cmd_valid = (s_cmd_valid || held) && free;
    assign cfg_actions = commit_swap ? cfg_committed : cfg_active;
    assign busy        = state != IDLE;

    always @(posedge clk) begin
        commit_start <= 1'b0;
        commit_swap  <= 1'b0;
        if (s_cmd_valid && !free)
            held <= 1'b1;
        if (m_cmd_valid) begin
            held      <= 1'b0;
            in_flight <= 1'b1;
        end
        if (m_cmd_done)
            in_flight <= 1'b0;
        if (commit_swap)
            cfg_active <= cfg_committed;

        case (state)
            IDLE: if (commit) state <= WAIT;
            WAIT: if (!in_flight) begin
                commit_start <= 1'b1;
                state        <= PREP;
            end
            PREP: if (!commit_start && commit_ready) begin
                commit_swap <= 1'b1;
                drained     <= {CNT_W{1'b0}};
                state       <= DRAIN_;
            end
            default: begin
                if (drained != DRAIN[CNT_W-1:0])
                    drained <= drained + 1'b1;
                else if (!tables_busy)
                    state <= IDLE;
            end
        endcase

        if (rst) begin
            state        <= IDLE;
            held         <= 1'b0;
            in_flight    <= 1'b0;
            commit_start <= 1'b0;
            commit_swap  <= 1'b0;
            cfg_active   <= SCRUB_REG_CFG_ACTIONS_RESET[3:0];
        end
    end
endmodule

`resetall
