// The verdict record a frame's lookups leave for its output stage: field
// positions in one vector, and what an outcome means. Include inside a
// module body, after scrub_regmap.vh.
/* verilator lint_off UNUSEDPARAM */
localparam integer V_PASS       = 0;  // the tables' outcome passes the frame
localparam integer V_OUTCOME    = 1;  // 6 bits: the SCRUB_GSTAT_* outcome
localparam integer V_LATE_OK    = 7;  // the end-of-frame checks apply
localparam integer V_MAL_DROP   = 8;  // CFG_ACTIONS.MALFORMED at the verdict
localparam integer V_IP_END     = 9;  // 16 bits: end of the IP packet in the frame, 0 unknown
localparam integer V_SEEN_VALID = 25; // the parser counted the frame as seen:
localparam integer V_SEEN       = 26; // 6 bits: SEEN_NONIP, SEEN_UNPARSED or MALFORMED_BASE + reason
localparam integer V_LOST       = 32; // LOST_W bits: count-only hits past the maximum
localparam integer LOST_W       = 17; // up to 2^16 ACL entries
localparam integer V_W          = 49;
/* verilator lint_on UNUSEDPARAM */

// Whether an outcome (a SCRUB_GSTAT_* index) passes the frame.
function is_pass(input [5:0] outcome);
    is_pass = outcome == SCRUB_GSTAT_PASS_UNPROTECTED[5:0] || outcome == SCRUB_GSTAT_PASS_BYPASS[5:0] ||
              outcome == SCRUB_GSTAT_PASS_EXCEPTION[5:0] || outcome == SCRUB_GSTAT_PASS_FILTERED[5:0];
endfunction
