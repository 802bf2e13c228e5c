// scrub_regs: the card's register file (docs/card.md, "Register map"; the
// C model's register side, hw/model/model.c, is the reference). Owns
// identification, CTRL, STATUS, the watchdog, TIME_LO/HI, COMMIT_COUNT, the
// cookie, CFG_ACTIONS (shadow and active), the table port registers, and the
// global counters (scrub_gstat). Tables other than GSTAT are reached through
// the tbl_* interface; until they exist the top ties it off (tbl_done = 1,
// tbl_status = BAD_TABLE, tbl_result = 0, tbl_data_we = 0).
//
// Timing, h being the clock of an AXI4-Lite handshake (scrub_axil_regs):
// - a write takes effect at the end of h; commit and snapshot pulse in h+1
//   (cfg_actions, the value the commit makes active, changes with the
//   commit pulse; the pipeline applies it at the commit's swap). COMMIT and
//   SNAPSHOT written while their busy input or their own pulse is up are
//   ignored (COMMIT_COUNT does not move); STATUS shows both as busy from
//   the write's next clock on. The global counters' snapshot is taken at
//   gstat_snap (the pipeline aligns it with the counter pool's): it holds
//   the frame ends of the clocks before gstat_snap's;
// - a read returns the state during h, before a write of the same clock;
//   reading TIME_LO latches TIME_HI at the end of h;
// - TBL_CMD written in h: TBL_STATUS reads BUSY (RESULT 0) from h+1 until the
//   command is done. GSTAT commands are done in h+1 (an error) or h+2 (READ);
//   other tables: tbl_cmd_valid in h+1, done in the first clock from h+1 on
//   with tbl_done high. While BUSY, writes to TBL_SELECT, TBL_INDEX,
//   TBL_DATA and TBL_CMD are ignored, so tbl_* stay stable for the command.
//   STATUS.TABLE_BUSY shows the same BUSY.
//
// Watchdog: the card's time `now` (from the datapath, never decreasing) is
// compared every clock; wdog_expired is set the clock after now passes the
// last kick by more than the timeout, and cleared by a kick. A STATUS read
// also sees a timeout passed in its own clock, as the model's read does.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_regs #(
    parameter integer ADDR_W       = 12,
    parameter integer DEST_ENTRIES = 256,
    parameter integer EM_BUCKETS   = 512,
    parameter integer ACL_ENTRIES  = 64,
    parameter integer POLICERS     = 256,
    parameter integer COUNTERS     = 4096,
    parameter integer FIFO_BEATS   = 256
) (
    input  wire              clk,
    input  wire              rst,

    input  wire [ADDR_W-1:0] s_axil_awaddr,
    input  wire              s_axil_awvalid,
    output wire              s_axil_awready,
    input  wire [31:0]       s_axil_wdata,
    input  wire [3:0]        s_axil_wstrb,
    input  wire              s_axil_wvalid,
    output wire              s_axil_wready,
    output wire [1:0]        s_axil_bresp,
    output wire              s_axil_bvalid,
    input  wire              s_axil_bready,
    input  wire [ADDR_W-1:0] s_axil_araddr,
    input  wire              s_axil_arvalid,
    output wire              s_axil_arready,
    output wire [31:0]       s_axil_rdata,
    output wire [1:0]        s_axil_rresp,
    output wire              s_axil_rvalid,
    input  wire              s_axil_rready,

    input  wire [63:0]       now,               // the card's time in ns

    output wire              ctrl_enable,
    output wire              ctrl_fail_closed,
    output wire [3:0]        cfg_actions,       // the last committed CFG_ACTIONS
    output wire              commit,            // one clock: COMMIT accepted
    output wire              snapshot,          // one clock: SNAPSHOT accepted
    input  wire              commit_busy,       // the pipeline's commit is running
    input  wire              snapshot_busy,     // the pipeline's snapshot is running
    input  wire              gstat_snap,        // one clock: snapshot the global counters
    output wire              wdog_expired,
    output wire [63:0]       wdog_timeout_ns,   // WDOG_TIMEOUT x 10^6, 0 = off
    output wire [63:0]       wdog_kicked,       // now at the last kick

    // frame ends, to the global counters (scrub_gstat)
    input  wire              ev_valid,
    input  wire [31:0]       ev_len,
    input  wire [5:0]        ev_outcome,
    input  wire              ev_tx,
    input  wire              ev_seen_valid,
    input  wire [5:0]        ev_seen,
    input  wire              ev_late_valid,
    input  wire [5:0]        ev_late,
    input  wire [16:0]       ev_lost,

    // table commands for every table but GSTAT
    output wire              tbl_cmd_valid,
    output wire [7:0]        tbl_cmd,           // a TBL_CMD value beyond 8 bits comes as 0: no command
    output wire [31:0]       tbl_select,
    output wire [31:0]       tbl_index,
    output wire [32*32-1:0]  tbl_data_out,      // TBL_DATA, word i at [32*i +: 32]
    input  wire              tbl_done,
    input  wire [7:0]        tbl_status,
    input  wire [31:0]       tbl_result,
    input  wire [32*32-1:0]  tbl_data_in,
    input  wire              tbl_data_we
);
    `include "scrub_regmap.vh"

    localparam integer DW          = SCRUB_DATA_WORDS;
    localparam integer WORD_W      = $clog2(DW);
    localparam integer GSTAT_IDX_W = $clog2(SCRUB_GSTAT_COUNT);

    // ---- parameters: the model's limits (params_ok in hw/model/model.c) ----------------
    localparam integer MAP_END = SCRUB_REG_TBL_DATA + 4 * DW; // the data window ends the map

    generate
        if (DEST_ENTRIES < 1 || DEST_ENTRIES > (1 << 24)) begin : g_bad_dest
            $error("scrub_regs: DEST_ENTRIES must be 1..2^24");
        end
        if (EM_BUCKETS < 1 || EM_BUCKETS > (1 << 24) || (EM_BUCKETS & (EM_BUCKETS - 1)) != 0) begin : g_bad_em
            $error("scrub_regs: EM_BUCKETS must be a power of two up to 2^24");
        end
        if (ACL_ENTRIES < 1 || ACL_ENTRIES > (1 << 16)) begin : g_bad_acl
            $error("scrub_regs: ACL_ENTRIES must be 1..2^16");
        end
        if (POLICERS < 1 || POLICERS > (1 << 24)) begin : g_bad_policers
            $error("scrub_regs: POLICERS must be 1..2^24");
        end
        if (COUNTERS < 2 || COUNTERS > (1 << 26)) begin : g_bad_counters
            $error("scrub_regs: COUNTERS must be 2..2^26");
        end
        if (FIFO_BEATS < 1 || FIFO_BEATS * SCRUB_BEAT_BYTES < SCRUB_MAX_FRAME) begin : g_bad_fifo
            $error("scrub_regs: FIFO_BEATS must hold the longest frame");
        end
        if (ADDR_W < 32 && MAP_END > (1 << ADDR_W)) begin : g_bad_addr_w
            $error("scrub_regs: ADDR_W too narrow for the register map");
        end
        // The ports' widths against the map.
        if ($bits(tbl_data_out) != 32 * DW || $bits(tbl_status) != SCRUB_TBL_STATUS_RESULT_WIDTH) begin : g_bad_tbl_w
            $error("scrub_regs: table port widths disagree with the register map");
        end
        if (SCRUB_CFG_ACTIONS_ACL_DEFAULT_LSB >= $bits(cfg_actions) || SCRUB_CFG_ACTIONS_NONIP_LSB >= $bits(cfg_actions) ||
            SCRUB_CFG_ACTIONS_UNPARSED_LSB >= $bits(cfg_actions) ||
            SCRUB_CFG_ACTIONS_MALFORMED_LSB >= $bits(cfg_actions)) begin : g_bad_cfg_w
            $error("scrub_regs: cfg_actions is too narrow for CFG_ACTIONS");
        end
        // tbl_cmd passes 0 for a value that does not fit: 0 must name no command.
        if (SCRUB_CMD_WRITE < 1 || SCRUB_CMD_WRITE > 255 || SCRUB_CMD_READ < 1 || SCRUB_CMD_READ > 255 ||
            SCRUB_CMD_EM_INSERT < 1 || SCRUB_CMD_EM_INSERT > 255 || SCRUB_CMD_EM_DELETE < 1 ||
            SCRUB_CMD_EM_DELETE > 255 || SCRUB_CMD_EM_LOOKUP < 1 || SCRUB_CMD_EM_LOOKUP > 255) begin : g_bad_cmd
            $error("scrub_regs: table commands must be 1..255");
        end
        if (SCRUB_GSTAT_PACKETS_WIDTH != 64 || SCRUB_GSTAT_BYTES_WIDTH != 64) begin : g_bad_gstat_entry
            $error("scrub_regs: GSTAT entries are two 64-bit fields");
        end
    endgenerate

    // ---- constants of the map ------------------------------------------------------
    localparam [31:0] CTRL_MASK =
        ((1 << SCRUB_CTRL_ENABLE_WIDTH) - 1) << SCRUB_CTRL_ENABLE_LSB |
        ((1 << SCRUB_CTRL_FAIL_CLOSED_WIDTH) - 1) << SCRUB_CTRL_FAIL_CLOSED_LSB;
    localparam [31:0] CFG_MASK =
        ((1 << SCRUB_CFG_ACTIONS_ACL_DEFAULT_WIDTH) - 1) << SCRUB_CFG_ACTIONS_ACL_DEFAULT_LSB |
        ((1 << SCRUB_CFG_ACTIONS_NONIP_WIDTH) - 1) << SCRUB_CFG_ACTIONS_NONIP_LSB |
        ((1 << SCRUB_CFG_ACTIONS_UNPARSED_WIDTH) - 1) << SCRUB_CFG_ACTIONS_UNPARSED_LSB |
        ((1 << SCRUB_CFG_ACTIONS_MALFORMED_WIDTH) - 1) << SCRUB_CFG_ACTIONS_MALFORMED_LSB;
    // CAP_EM_GEOM from the geometry constants, as the model builds it.
    localparam [31:0] EM_GEOM =
        SCRUB_EM_WAYS << SCRUB_CAP_EM_GEOM_WAYS_LSB | SCRUB_EM_SLOTS << SCRUB_CAP_EM_GEOM_SLOTS_LSB |
        SCRUB_EM_STASH << SCRUB_CAP_EM_GEOM_STASH_LSB;
    localparam [31:0] NS_PER_MS = SCRUB_NS_PER_S / 1000;
    localparam integer WINDOW_BYTES = 4 * DW;
    localparam [31:0] GSTAT_ENTRIES = SCRUB_GSTAT_COUNT;

    // ---- AXI4-Lite -------------------------------------------------------------------
    wire [ADDR_W-1:0] wr_addr, rd_addr;
    wire [31:0]       wr_data;
    wire              wr_en, rd_en;
    reg  [31:0]       rd_data;

    scrub_axil_regs #(.ADDR_W(ADDR_W), .RD_LATENCY(1)) axil (
        .clk(clk), .rst(rst),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
        .reg_wr_addr(wr_addr), .reg_wr_data(wr_data), .reg_wr_en(wr_en),
        .reg_rd_addr(rd_addr), .reg_rd_en(rd_en), .reg_rd_data(rd_data));

    // The data window: byte offsets from TBL_DATA, word aligned.
    wire [ADDR_W-1:0] wr_off     = wr_addr - SCRUB_REG_TBL_DATA[ADDR_W-1:0];
    wire [ADDR_W-1:0] rd_off     = rd_addr - SCRUB_REG_TBL_DATA[ADDR_W-1:0];
    wire              wr_data_win = wr_off < WINDOW_BYTES[ADDR_W-1:0] && wr_off[1:0] == 2'b00;
    wire              rd_data_win = rd_off < WINDOW_BYTES[ADDR_W-1:0] && rd_off[1:0] == 2'b00;
    wire [WORD_W-1:0] wr_word    = wr_off[2 +: WORD_W];
    wire [WORD_W-1:0] rd_word    = rd_off[2 +: WORD_W];

    // ---- state -------------------------------------------------------------------------
    reg  [31:0]     ctrl;
    reg  [31:0]     wdog_timeout;         // ms
    reg  [63:0]     wdog_ns;              // the same in ns
    reg  [63:0]     wdog_kick_time;
    reg             wdog_expired_q;
    reg  [31:0]     time_hi;
    reg  [31:0]     commit_count;
    reg  [31:0]     cookie_lo, cookie_hi;
    reg  [31:0]     cfg_shadow;
    reg  [3:0]      cfg_active;
    reg             commit_q, snapshot_q;

    reg  [31:0]     tbl_select_q, tbl_index_q, tbl_cmd_q, tbl_result_q;
    reg  [32*DW-1:0] tbl_data;
    reg             tbl_busy, tbl_start;
    reg  [7:0]      tbl_code;

    wire            wdog_due = wdog_timeout != 32'd0 && now - wdog_kick_time > wdog_ns;

    // ---- the GSTAT table -------------------------------------------------------------------
    wire            sel_gstat = tbl_select_q == SCRUB_TABLE_GSTAT;
    wire            cmd_read  = tbl_cmd_q == SCRUB_CMD_READ;
    wire            cmd_write = tbl_cmd_q == SCRUB_CMD_WRITE;
    // The model's order: a command neither READ nor WRITE, then the index,
    // then WRITE (GSTAT is read only).
    wire [7:0]      gstat_code = !cmd_read && !cmd_write       ? SCRUB_STATUS_BAD_CMD[7:0]
                               : tbl_index_q >= GSTAT_ENTRIES  ? SCRUB_STATUS_BAD_INDEX[7:0]
                               : cmd_write                     ? SCRUB_STATUS_BAD_CMD[7:0]
                               :                                 SCRUB_STATUS_OK[7:0];
    wire            gstat_rd   = tbl_start && sel_gstat && gstat_code == SCRUB_STATUS_OK[7:0];
    wire            gstat_valid;
    wire [63:0]     gstat_packets, gstat_bytes;

    scrub_gstat gstat (
        .clk(clk), .rst(rst),
        .ev_valid(ev_valid), .ev_len(ev_len), .ev_outcome(ev_outcome), .ev_tx(ev_tx),
        .ev_seen_valid(ev_seen_valid), .ev_seen(ev_seen), .ev_late_valid(ev_late_valid), .ev_late(ev_late),
        .ev_lost(ev_lost),
        .snapshot(gstat_snap),
        .rd_en(gstat_rd), .rd_index(tbl_index_q[GSTAT_IDX_W-1:0]),
        .rd_valid(gstat_valid), .rd_packets(gstat_packets), .rd_bytes(gstat_bytes));

    // A GSTAT entry in the data window: 64-bit fields most significant word
    // first, every other word 0 (the model packs a whole entry).
    reg [32*DW-1:0] gstat_window;
    always @(*) begin
        gstat_window = {32*DW{1'b0}};
        gstat_window[32*SCRUB_GSTAT_PACKETS_WORD +: 32]       = gstat_packets[63:32];
        gstat_window[32*(SCRUB_GSTAT_PACKETS_WORD + 1) +: 32] = gstat_packets[31:0];
        gstat_window[32*SCRUB_GSTAT_BYTES_WORD +: 32]         = gstat_bytes[63:32];
        gstat_window[32*(SCRUB_GSTAT_BYTES_WORD + 1) +: 32]   = gstat_bytes[31:0];
    end

    wire ext_done = tbl_busy && !sel_gstat && tbl_done;

    // ---- writes, table commands and the watchdog ------------------------------------------------
    always @(posedge clk) begin
        commit_q   <= 1'b0;
        snapshot_q <= 1'b0;
        tbl_start  <= 1'b0;

        if (wdog_due)
            wdog_expired_q <= 1'b1;

        // command completion (never in the clock a command is written: BUSY)
        if (tbl_start && sel_gstat && gstat_code != SCRUB_STATUS_OK[7:0]) begin
            tbl_busy <= 1'b0;
            tbl_code <= gstat_code;
        end
        if (gstat_valid) begin
            tbl_busy <= 1'b0;
            tbl_code <= SCRUB_STATUS_OK[7:0];
            tbl_data <= gstat_window;
        end
        if (ext_done) begin
            tbl_busy     <= 1'b0;
            tbl_code     <= tbl_status;
            tbl_result_q <= tbl_result;
            if (tbl_data_we)
                tbl_data <= tbl_data_in;
        end

        if (rd_en && rd_addr == SCRUB_REG_TIME_LO[ADDR_W-1:0])
            time_hi <= now[63:32];

        if (wr_en) begin
            if (wr_data_win && !tbl_busy)
                tbl_data[{wr_word, 5'd0} +: 32] <= wr_data;
            case (wr_addr)
                SCRUB_REG_CTRL[ADDR_W-1:0]:         ctrl <= wr_data & CTRL_MASK;
                SCRUB_REG_COMMIT[ADDR_W-1:0]:
                    if (wr_data[0] && !commit_busy && !commit_q) begin
                        cfg_active   <= cfg_shadow[3:0];
                        commit_count <= commit_count + 32'd1;
                        commit_q     <= 1'b1;
                    end
                SCRUB_REG_SNAPSHOT[ADDR_W-1:0]:     snapshot_q <= wr_data[0] && !snapshot_busy && !snapshot_q;
                SCRUB_REG_WDOG_TIMEOUT[ADDR_W-1:0]: begin
                    wdog_timeout   <= wr_data;
                    wdog_ns        <= {32'd0, wr_data} * {32'd0, NS_PER_MS};
                    wdog_kick_time <= now;
                    wdog_expired_q <= 1'b0;
                end
                SCRUB_REG_WDOG_KICK[ADDR_W-1:0]: begin
                    wdog_kick_time <= now;
                    wdog_expired_q <= 1'b0;
                end
                SCRUB_REG_COOKIE_LO[ADDR_W-1:0]:    cookie_lo <= wr_data;
                SCRUB_REG_COOKIE_HI[ADDR_W-1:0]:    cookie_hi <= wr_data;
                SCRUB_REG_CFG_ACTIONS[ADDR_W-1:0]:  cfg_shadow <= wr_data & CFG_MASK;
                SCRUB_REG_TBL_SELECT[ADDR_W-1:0]:   if (!tbl_busy) tbl_select_q <= wr_data;
                SCRUB_REG_TBL_INDEX[ADDR_W-1:0]:    if (!tbl_busy) tbl_index_q <= wr_data;
                SCRUB_REG_TBL_CMD[ADDR_W-1:0]:
                    if (!tbl_busy) begin
                        tbl_cmd_q    <= wr_data;
                        tbl_busy     <= 1'b1;
                        tbl_start    <= 1'b1;
                        tbl_code     <= 8'd0;
                        tbl_result_q <= 32'd0;
                    end
                default: ;
            endcase
        end

        if (rst) begin
            ctrl           <= SCRUB_REG_CTRL_RESET & CTRL_MASK;
            wdog_timeout   <= SCRUB_REG_WDOG_TIMEOUT_RESET;
            wdog_ns        <= {32'd0, SCRUB_REG_WDOG_TIMEOUT_RESET} * {32'd0, NS_PER_MS};
            wdog_kick_time <= 64'd0;
            wdog_expired_q <= 1'b0;
            time_hi        <= SCRUB_REG_TIME_HI_RESET;
            commit_count   <= SCRUB_REG_COMMIT_COUNT_RESET;
            cookie_lo      <= SCRUB_REG_COOKIE_LO_RESET;
            cookie_hi      <= SCRUB_REG_COOKIE_HI_RESET;
            cfg_shadow     <= SCRUB_REG_CFG_ACTIONS_RESET & CFG_MASK;
            cfg_active     <= SCRUB_REG_CFG_ACTIONS_RESET[3:0] & CFG_MASK[3:0];
            commit_q       <= 1'b0;
            snapshot_q     <= 1'b0;
            tbl_select_q   <= SCRUB_REG_TBL_SELECT_RESET;
            tbl_index_q    <= SCRUB_REG_TBL_INDEX_RESET;
            tbl_cmd_q      <= 32'd0;
            tbl_result_q   <= SCRUB_REG_TBL_RESULT_RESET;
            tbl_data       <= {DW{SCRUB_REG_TBL_DATA_RESET}};
            tbl_busy       <= 1'b0;
            tbl_start      <= 1'b0;
            tbl_code       <= SCRUB_REG_TBL_STATUS_RESET[7:0];
        end
    end

    // ---- reads ----------------------------------------------------------------------------
    always @(posedge clk) begin
        if (rd_en) begin
            rd_data <= 32'd0;
            if (rd_data_win)
                rd_data <= tbl_data[{rd_word, 5'd0} +: 32];
            case (rd_addr)
                SCRUB_REG_MAGIC[ADDR_W-1:0]:          rd_data <= SCRUB_MAGIC_VALUE;
                SCRUB_REG_VERSION[ADDR_W-1:0]:        rd_data <= SCRUB_REG_VERSION_RESET;
                SCRUB_REG_CAP_MATCH[ADDR_W-1:0]:      rd_data <= SCRUB_REG_CAP_MATCH_RESET;
                SCRUB_REG_CAP_ACTION[ADDR_W-1:0]:     rd_data <= SCRUB_REG_CAP_ACTION_RESET;
                SCRUB_REG_CAP_DEST[ADDR_W-1:0]:       rd_data <= DEST_ENTRIES;
                SCRUB_REG_CAP_EM_BUCKETS[ADDR_W-1:0]: rd_data <= EM_BUCKETS;
                SCRUB_REG_CAP_EM_GEOM[ADDR_W-1:0]:    rd_data <= EM_GEOM;
                SCRUB_REG_CAP_ACL[ADDR_W-1:0]:        rd_data <= ACL_ENTRIES;
                SCRUB_REG_CAP_POLICERS[ADDR_W-1:0]:   rd_data <= POLICERS;
                SCRUB_REG_CAP_COUNTERS[ADDR_W-1:0]:   rd_data <= COUNTERS;
                SCRUB_REG_CAP_FIFO_BEATS[ADDR_W-1:0]: rd_data <= FIFO_BEATS;
                SCRUB_REG_CAP_WINDOW[ADDR_W-1:0]:     rd_data <= SCRUB_WINDOW_BYTES;
                SCRUB_REG_CAP_COUNT_ONLY[ADDR_W-1:0]: rd_data <= SCRUB_COUNT_ONLY_MAX;
                SCRUB_REG_CTRL[ADDR_W-1:0]:           rd_data <= ctrl;
                SCRUB_REG_STATUS[ADDR_W-1:0]: begin
                    rd_data <= 32'd0;
                    rd_data[SCRUB_STATUS_WDOG_EXPIRED_LSB] <= wdog_expired_q || wdog_due;
                    rd_data[SCRUB_STATUS_TABLE_BUSY_LSB]   <= tbl_busy;
                    rd_data[SCRUB_STATUS_COMMIT_BUSY_LSB]  <= commit_busy || commit_q;
                    rd_data[SCRUB_STATUS_SNAPSHOT_BUSY_LSB] <= snapshot_busy || snapshot_q;
                end
                SCRUB_REG_WDOG_TIMEOUT[ADDR_W-1:0]:   rd_data <= wdog_timeout;
                SCRUB_REG_TIME_LO[ADDR_W-1:0]:        rd_data <= now[31:0];
                SCRUB_REG_TIME_HI[ADDR_W-1:0]:        rd_data <= time_hi;
                SCRUB_REG_COMMIT_COUNT[ADDR_W-1:0]:   rd_data <= commit_count;
                SCRUB_REG_COOKIE_LO[ADDR_W-1:0]:      rd_data <= cookie_lo;
                SCRUB_REG_COOKIE_HI[ADDR_W-1:0]:      rd_data <= cookie_hi;
                SCRUB_REG_CFG_ACTIONS[ADDR_W-1:0]:    rd_data <= cfg_shadow;
                SCRUB_REG_TBL_SELECT[ADDR_W-1:0]:     rd_data <= tbl_select_q;
                SCRUB_REG_TBL_INDEX[ADDR_W-1:0]:      rd_data <= tbl_index_q;
                SCRUB_REG_TBL_STATUS[ADDR_W-1:0]: begin
                    rd_data <= 32'd0;
                    rd_data[SCRUB_TBL_STATUS_BUSY_LSB] <= tbl_busy;
                    rd_data[SCRUB_TBL_STATUS_RESULT_LSB +: 8] <= tbl_code;
                end
                SCRUB_REG_TBL_RESULT[ADDR_W-1:0]:     rd_data <= tbl_result_q;
                default: ;
            endcase
        end
    end

    // ---- outputs ---------------------------------------------------------------------------
    assign ctrl_enable      = ctrl[SCRUB_CTRL_ENABLE_LSB];
    assign ctrl_fail_closed = ctrl[SCRUB_CTRL_FAIL_CLOSED_LSB];
    assign cfg_actions      = cfg_active;
    assign commit           = commit_q;
    assign snapshot         = snapshot_q;
    assign wdog_expired     = wdog_expired_q;
    assign wdog_timeout_ns  = wdog_ns;
    assign wdog_kicked      = wdog_kick_time;
    assign tbl_cmd_valid    = tbl_start && !sel_gstat;
    assign tbl_cmd          = |tbl_cmd_q[31:8] ? 8'd0 : tbl_cmd_q[7:0];
    assign tbl_select       = tbl_select_q;
    assign tbl_index        = tbl_index_q;
    assign tbl_data_out     = tbl_data;
endmodule

`resetall
