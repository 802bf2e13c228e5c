// scrub_counters: the counter pool (docs/card.md, "Counters and the
// snapshot"; the plan in docs/rtl.md, "Counter pool"): COUNTERS pairs of
// 64-bit counters (packets, bytes), exact at one frame a clock.
//
// A frame updates up to ROLES pairs, one per role: the destination's offered
// and dropped pairs, the deciding exact-match or ACL entry, up to
// COUNT_ONLY_MAX count-only entries, the policer's pair. Any role may name
// any pair (entries share pairs freely), so a single RAM would need ROLES
// read-modify-writes a clock. Instead every role owns a replica of the whole
// pool in its own RAM, one read-modify-write a clock each, and a pair's value
// is the sum (mod 2^64) of its replicas. Only the snapshot read sums them.
//
// Per replica, a two-stage read-modify-write: s0 reads the word, s1 adds and
// writes it back; the one write that the s0 read can miss (the write of the
// same edge) is forwarded from a register, so back-to-back updates of one
// pair are exact.
//
// Snapshot: copy-on-write with an epoch bit per word. `snap` flips the epoch
// (an update presented in snap's clock or later is after the snapshot); the
// first access to a word of the old epoch copies its value into the
// replica's snapshot RAM before changing it. A sweep walks every word of every
// replica in the clocks its role has no update, so that all are copied;
// snap_busy lasts until the sweeps are done. A snap while busy is ignored
// (scrub_regs shows STATUS.SNAPSHOT_BUSY; software waits for it). At 100GbE
// line rate a role is idle in more than half the clocks; a role updated in
// every clock holds its sweep back, never its counts.
//
// Commands (the COUNTER table): READ sums the replicas' snapshot RAMs
// (held while snap_busy); WRITE sets the live pair, in the first clock in
// which no role updates (set_applied pulses then): replica 0 takes the value,
// the others 0. Order of checks as the model: BAD_CMD, then BAD_INDEX.
//
// Reset clears the pipelines and the command state, not the RAMs, the epoch
// or a sweep in progress: RAM contents survive it (they start at 0).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_counters #(
    parameter integer COUNTERS = 4096,
    parameter integer ROLES    = 8
) (
    input  wire                                  clk,
    input  wire                                  rst,

    input  wire [ROLES-1:0]                      u_valid,
    input  wire [ROLES*$clog2(COUNTERS)-1:0]     u_index,
    input  wire [ROLES*16-1:0]                   u_bytes,   // L3 length; one packet each

    input  wire                                  snap,
    output wire                                  snap_busy,

    input  wire                                  cmd_valid,
    input  wire [7:0]                            cmd,
    input  wire [31:0]                           cmd_index,
    /* verilator lint_off UNUSEDSIGNAL */ // a COUNTER entry uses four of its words
    input  wire [32*32-1:0]                      cmd_data,
    /* verilator lint_on UNUSEDSIGNAL */
    output reg                                   cmd_done,
    output reg  [7:0]                            cmd_status,
    output reg  [31:0]                           cmd_result,
    output reg  [32*32-1:0]                      cmd_rdata,
    output reg                                   cmd_rdata_we,
    output wire                                  set_applied
);
    `include "scrub_regmap.vh"

    localparam integer IW = $clog2(COUNTERS);
    localparam integer DW = SCRUB_DATA_WORDS;
    localparam integer RW = $clog2(ROLES);

    generate
        if (COUNTERS < 2 || COUNTERS > (1 << 26)) begin : g_bad_counters
            $error("scrub_counters: COUNTERS must be 2..2^26");
        end
        if (ROLES != SCRUB_COUNT_ONLY_MAX + 4 || (ROLES & (ROLES - 1)) != 0) begin : g_bad_roles
            $error("scrub_counters: ROLES must be COUNT_ONLY_MAX + 4, a power of two");
        end
        if (SCRUB_COUNTER_PACKETS_WIDTH != 64 || SCRUB_COUNTER_BYTES_WIDTH != 64 || $bits(cmd_data) != 32 * DW) begin : g_bad_entry
            $error("scrub_counters: COUNTER entries are two 64-bit fields in the data window");
        end
    endgenerate

    localparam [1:0] OP_ADD = 2'd0, OP_SET = 2'd1, OP_TOUCH = 2'd2;

    // ---- snapshot epoch (state kept across reset, like the RAMs) --------------------
    reg              epoch;
    wire [ROLES-1:0] sweeping;
    wire             snap_go = snap && !snap_busy;
    wire             epoch_now = snap_go ? !epoch : epoch; // the epoch of this clock's updates

    initial epoch = 1'b0;
    always @(posedge clk)
        if (snap_go)
            epoch <= !epoch;

    // ---- commands ------------------------------------------------------------------------
    localparam [2:0] C_IDLE = 3'd0, C_SET = 3'd1, C_READ_WAIT = 3'd2, C_READ = 3'd3, C_SUM = 3'd4;

    reg  [2:0]    c_state;
    reg  [IW-1:0] c_index;
    reg  [63:0]   c_packets, c_bytes;   // the WRITE's value; the READ's sum
    reg  [RW:0]   c_role;

    wire          set_go = c_state == C_SET && u_valid == {ROLES{1'b0}};
    wire          rd_go  = c_state == C_READ;
    wire [64*ROLES-1:0] snap_packets, snap_bytes;

    assign set_applied = set_go;

    // ---- one replica per role ----------------------------------------------------------------
    genvar r;
    generate
        for (r = 0; r < ROLES; r = r + 1) begin : g_role
            (* ram_style = "block" *) reg [128:0] live [0:COUNTERS-1];  // {epoch, packets, bytes}
            (* ram_style = "block" *) reg [127:0] frozen [0:COUNTERS-1]; // the snapshot

`ifndef SYNTHESIS
            // Block and ultra RAMs configure to zero; simulation says so here.
            // (yosys, which defines SYNTHESIS, unrolls such a loop far too slowly.)
            integer k;
            initial begin
                for (k = 0; k < COUNTERS; k = k + 1) begin
                    live[k]   = 129'd0;
                    frozen[k] = 128'd0;
                end
            end
`endif

            // s0: choose this clock's operation
            reg           sweep_on;
            reg  [IW-1:0] sweep_at;
            initial begin
                sweep_on = 1'b0;
                sweep_at = {IW{1'b0}};
            end

            wire          upd   = u_valid[r];
            wire          touch = !upd && !set_go && sweep_on;
            wire          op0   = upd || set_go || touch;
            wire [1:0]    kind0 = upd ? OP_ADD : set_go ? OP_SET : OP_TOUCH;
            wire [IW-1:0] idx0  = upd ? u_index[r*IW +: IW] : set_go ? c_index : sweep_at;

            always @(posedge clk) begin
                if (snap_go) begin
                    sweep_on <= 1'b1;
                    sweep_at <= {IW{1'b0}};
                end else if (touch) begin
                    sweep_at <= sweep_at + 1'b1;
                    if (sweep_at == COUNTERS[IW-1:0] - 1'b1)
                        sweep_on <= 1'b0;
                end
            end

            // s1: add, copy on write, write back
            reg           v1;
            reg  [1:0]    kind1;
            reg  [IW-1:0] idx1;
            reg  [15:0]   bytes1;
            reg           epoch1;
            reg  [128:0]  ram_q;
            reg           fwd_v;
            reg  [IW-1:0] fwd_idx;
            reg  [128:0]  fwd_word;

            always @(posedge clk) begin
                ram_q  <= live[idx0];
                v1     <= op0;
                kind1  <= kind0;
                idx1   <= idx0;
                bytes1 <= u_bytes[r*16 +: 16];
                epoch1 <= epoch_now;
                if (rst)
                    v1 <= 1'b0;
            end

            wire [128:0] old      = fwd_v && fwd_idx == idx1 ? fwd_word : ram_q;
            wire         stale    = old[128] != epoch1;
            wire [63:0]  set_pkts = r == 0 ? c_packets : 64'd0;
            wire [63:0]  set_byts = r == 0 ? c_bytes : 64'd0;
            reg  [128:0] new_word;

            always @(*) begin
                case (kind1)
                    OP_ADD:  new_word = {epoch1, old[127:64] + 64'd1, old[63:0] + {48'd0, bytes1}};
                    OP_SET:  new_word = {epoch1, set_pkts, set_byts};
                    default: new_word = {epoch1, old[127:0]};
                endcase
            end

            always @(posedge clk) begin
                if (v1) begin
                    live[idx1] <= new_word;
                    if (stale)
                        frozen[idx1] <= old[127:0];
                end
                fwd_v    <= v1;
                fwd_idx  <= idx1;
                fwd_word <= new_word;
                if (rst)
                    fwd_v <= 1'b0;
            end

            // snapshot reads for the READ command
            reg [127:0] frozen_q;
            always @(posedge clk)
                if (rd_go)
                    frozen_q <= frozen[c_index];

            assign snap_packets[64*r +: 64] = frozen_q[127:64];
            assign snap_bytes[64*r +: 64]   = frozen_q[63:0];
            assign sweeping[r] = sweep_on || (v1 && kind1 == OP_TOUCH);
        end
    endgenerate

    assign snap_busy = |sweeping;

    // ---- command sequencing ------------------------------------------------------------------
    wire in_range = cmd_index < COUNTERS;

    always @(posedge clk) begin
        cmd_done     <= 1'b0;
        cmd_rdata_we <= 1'b0;
        case (c_state)
            C_IDLE:
                if (cmd_valid) begin
                    c_index    <= cmd_index[IW-1:0];
                    cmd_result <= 32'd0;
                    if (cmd != SCRUB_CMD_READ[7:0] && cmd != SCRUB_CMD_WRITE[7:0]) begin
                        cmd_done   <= 1'b1;
                        cmd_status <= SCRUB_STATUS_BAD_CMD[7:0];
                    end else if (!in_range) begin
                        cmd_done   <= 1'b1;
                        cmd_status <= SCRUB_STATUS_BAD_INDEX[7:0];
                    end else if (cmd == SCRUB_CMD_WRITE[7:0]) begin
                        c_packets <= {cmd_data[32*SCRUB_COUNTER_PACKETS_WORD +: 32],
                                      cmd_data[32*(SCRUB_COUNTER_PACKETS_WORD + 1) +: 32]};
                        c_bytes   <= {cmd_data[32*SCRUB_COUNTER_BYTES_WORD +: 32],
                                      cmd_data[32*(SCRUB_COUNTER_BYTES_WORD + 1) +: 32]};
                        c_state   <= C_SET;
                    end else begin
                        c_state <= C_READ_WAIT;
                    end
                end
            C_SET:
                if (set_go) begin
                    cmd_done   <= 1'b1;
                    cmd_status <= SCRUB_STATUS_OK[7:0];
                    c_state    <= C_IDLE;
                end
            C_READ_WAIT:
                if (!snap_busy)
                    c_state <= C_READ;
            C_READ: begin
                c_packets <= 64'd0;
                c_bytes   <= 64'd0;
                c_role    <= {(RW + 1){1'b0}};
                c_state   <= C_SUM;
            end
            default: // C_SUM: one replica a clock
                if (c_role == ROLES[RW:0]) begin
                    cmd_done   <= 1'b1;
                    cmd_status <= SCRUB_STATUS_OK[7:0];
                    cmd_rdata  <= {32*DW{1'b0}};
                    cmd_rdata[32*SCRUB_COUNTER_PACKETS_WORD +: 32]       <= c_packets[63:32];
                    cmd_rdata[32*(SCRUB_COUNTER_PACKETS_WORD + 1) +: 32] <= c_packets[31:0];
                    cmd_rdata[32*SCRUB_COUNTER_BYTES_WORD +: 32]         <= c_bytes[63:32];
                    cmd_rdata[32*(SCRUB_COUNTER_BYTES_WORD + 1) +: 32]   <= c_bytes[31:0];
                    cmd_rdata_we <= 1'b1;
                    c_state      <= C_IDLE;
                end else begin
                    c_packets <= c_packets + snap_packets[{c_role[RW-1:0], 6'd0} +: 64];
                    c_bytes   <= c_bytes + snap_bytes[{c_role[RW-1:0], 6'd0} +: 64];
                    c_role    <= c_role + 1'b1;
                end
        endcase
        if (rst) begin
            c_state  <= C_IDLE;
            cmd_done <= 1'b0;
        end
    end
endmodule

`resetall
