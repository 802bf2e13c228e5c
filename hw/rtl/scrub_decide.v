// scrub_decide: the first stage of the lookup pipeline, one clock: a frame's
// verdict from its parse and the card's control state, sampled here: bypass
// (card disabled), the watchdog, the actions for malformed, unparsed and
// non-IP frames. An IP frame of an enabled card whose watchdog has not
// expired goes to the tables (m_filt); its record says PASS_UNPROTECTED
// until they decide, with the ACL default action sampled here too, so that
// a commit's swap at this stage splits frames for CFG_ACTIONS as for the
// tables.
// It also keeps the card's time: the largest of the free-running time input
// and every decided frame's timestamp, so that a frame is judged at its own
// time, exactly as the model judges it on arrival.
module scrub_decide (
    input  wire         clk,
    input  wire         rst,

    input  wire [63:0]  time_in,         // the MAC's free-running ns counter
    output reg  [63:0]  now,             // the card's time

    input  wire         ctrl_enable,
    input  wire         ctrl_fail_closed,
    input  wire [3:0]   cfg_actions,     // the active CFG_ACTIONS
    input  wire [63:0]  wdog_timeout_ns, // 0: off
    input  wire [63:0]  wdog_kicked,     // the card's time at the last kick

    input  wire         p_valid,
    input  wire [63:0]  p_ts,
    input  wire [1:0]   p_kind,          // 0 IP, 1 non-IP, 2 unparsed, 3 malformed
    input  wire [4:0]   p_mal,
    input  wire [15:0]  p_ip_end,

    output reg          m_valid,
    output reg  [48:0]  m_verdict,       // scrub_verdict.vh
    output reg          m_filt,          // the tables decide this frame
    output reg          m_default_drop,  // CFG_ACTIONS.ACL_DEFAULT
    output reg  [63:0]  m_time           // the card's time for this frame
);
    `include "scrub_regmap.vh"
    `include "scrub_verdict.vh"

    localparam [1:0] KIND_IP = 2'd0, KIND_NONIP = 2'd1, KIND_UNPARSED = 2'd2;

    wire [63:0] later   = p_ts > now ? p_ts : now;
    wire [63:0] t       = time_in > later ? time_in : later;
    wire        expired = wdog_timeout_ns != 64'd0 && t - wdog_kicked > wdog_timeout_ns;
    wire        drop    = p_kind == KIND_NONIP    ? cfg_actions[SCRUB_CFG_ACTIONS_NONIP_LSB]
                        : p_kind == KIND_UNPARSED ? cfg_actions[SCRUB_CFG_ACTIONS_UNPARSED_LSB]
                        :                           cfg_actions[SCRUB_CFG_ACTIONS_MALFORMED_LSB];

    reg  [5:0]     outcome, seen;
    reg            seen_valid, late_ok, filt;
    reg  [V_W-1:0] record;

    always @(*) begin
        seen_valid = 1'b0;
        seen       = 6'd0;
        late_ok    = 1'b0;
        filt       = 1'b0;
        if (!ctrl_enable) begin
            outcome = SCRUB_GSTAT_PASS_BYPASS[5:0];
        end else if (expired) begin
            outcome = ctrl_fail_closed ? SCRUB_GSTAT_DROP_WATCHDOG[5:0] : SCRUB_GSTAT_PASS_BYPASS[5:0];
        end else if (p_kind == KIND_IP) begin
            outcome = SCRUB_GSTAT_PASS_UNPROTECTED[5:0];
            late_ok = 1'b1;
            filt    = 1'b1;
        end else begin
            seen_valid = 1'b1;
            late_ok    = p_kind != 2'd3;
            case (p_kind)
                KIND_NONIP: begin
                    seen    = SCRUB_GSTAT_SEEN_NONIP[5:0];
                    outcome = drop ? SCRUB_GSTAT_DROP_NONIP[5:0] : SCRUB_GSTAT_PASS_EXCEPTION[5:0];
                end
                KIND_UNPARSED: begin
                    seen    = SCRUB_GSTAT_SEEN_UNPARSED[5:0];
                    outcome = drop ? SCRUB_GSTAT_DROP_UNPARSED[5:0] : SCRUB_GSTAT_PASS_EXCEPTION[5:0];
                end
                default: begin
                    seen    = SCRUB_GSTAT_MALFORMED_BASE[5:0] + {1'b0, p_mal};
                    outcome = drop ? SCRUB_GSTAT_DROP_MALFORMED[5:0] : SCRUB_GSTAT_PASS_EXCEPTION[5:0];
                end
            endcase
        end
    end

    always @(*) begin
        record                   = {V_W{1'b0}};
        record[V_PASS]           = is_pass(outcome);
        record[V_OUTCOME +: 6]   = outcome;
        record[V_LATE_OK]        = late_ok;
        record[V_MAL_DROP]       = cfg_actions[SCRUB_CFG_ACTIONS_MALFORMED_LSB];
        record[V_IP_END +: 16]   = late_ok ? p_ip_end : 16'd0;
        record[V_SEEN_VALID]     = seen_valid;
        record[V_SEEN +: 6]      = seen;
        record[V_LOST +: LOST_W] = {LOST_W{1'b0}}; // the ACL's, later
    end

    always @(posedge clk) begin
        m_valid <= p_valid;
        if (p_valid) begin
            now            <= t;
            m_verdict      <= record;
            m_filt         <= filt;
            m_default_drop <= cfg_actions[SCRUB_CFG_ACTIONS_ACL_DEFAULT_LSB];
            m_time         <= t;
        end else if (time_in > now) begin
            now <= time_in;
        end
        if (rst) begin
            m_valid <= 1'b0;
            now     <= 64'd0;
        end
    end
endmodule
