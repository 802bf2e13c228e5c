// scrub_pipeline: the card's filter, top level (docs/rtl.md). AXI4-Stream
// 512-bit in and out, one beat every clock in and never back-pressured,
// AXI4-Lite control, one clock, synchronous active-high reset: window
// capture, parse, the lookup pipeline with the tables, the delay line, the
// output stage and FIFO, the register file, the commit and the snapshot.
module scrub_pipeline #(
    parameter integer DEST_ENTRIES = 256,
    parameter integer EM_BUCKETS   = 512,
    parameter integer ACL_ENTRIES  = 64,
    parameter integer POLICERS     = 256,
    parameter integer COUNTERS     = 4096,
    parameter integer FIFO_BEATS   = 256
) (
    input  wire          clk,
    input  wire          rst,
    input  wire [63:0]   time_ns,          // the MAC's free-running ns counter

    input  wire [511:0]  s_axis_tdata,
    input  wire [63:0]   s_axis_tkeep,
    input  wire          s_axis_tvalid,
    output wire          s_axis_tready,    // always 1
    input  wire          s_axis_tlast,
    input  wire [63:0]   s_axis_tuser,     // the frame's timestamp, on its first beat

    output wire [511:0]  m_axis_tdata,
    output wire [63:0]   m_axis_tkeep,
    output wire          m_axis_tvalid,
    input  wire          m_axis_tready,
    output wire          m_axis_tlast,
    output wire          m_axis_tuser,     // on a last beat: the frame is bad

    input  wire [11:0]   s_axil_awaddr,
    input  wire          s_axil_awvalid,
    output wire          s_axil_awready,
    input  wire [31:0]   s_axil_wdata,
    input  wire [3:0]    s_axil_wstrb,
    input  wire          s_axil_wvalid,
    output wire          s_axil_wready,
    output wire [1:0]    s_axil_bresp,
    output wire          s_axil_bvalid,
    input  wire          s_axil_bready,
    input  wire [11:0]   s_axil_araddr,
    input  wire          s_axil_arvalid,
    output wire          s_axil_arready,
    output wire [31:0]   s_axil_rdata,
    output wire [1:0]    s_axil_rresp,
    output wire          s_axil_rvalid,
    input  wire          s_axil_rready,

    // every frame's outcome at its last beat, in frame order: what the
    // global counters count (for telemetry and the scoreboard)
    output wire          mon_valid,
    output wire [31:0]   mon_len,
    output wire [5:0]    mon_outcome,
    output wire          mon_tx,
    output wire          mon_seen_valid,
    output wire [5:0]    mon_seen,
    output wire          mon_late_valid,
    output wire [5:0]    mon_late,
    output wire [16:0]   mon_lost,

    // control points, for the scoreboard: where each change took effect
    // between frames, as the number of frames before it (docs/rtl.md,
    // "Control"): a commit's swap at the first lookup stage, an exact-match
    // command at the exact-match stage, a COUNTER write and a snapshot at
    // the counter stage
    output wire          mon_swap,
    output wire [31:0]   mon_swap_frame,
    output wire          mon_em_cmd,
    output wire [31:0]   mon_em_cmd_frame,
    output wire          mon_ctr_set,
    output wire          mon_snap,
    output wire [31:0]   mon_ctr_frame,
    // a policer lookup presented in this clock and its bucket
    output wire          mon_pol_lookup,
    output wire [31:0]   mon_pol_index,

    output wire          error             // an internal queue broke its bound: never
);
    `include "scrub_regmap.vh"

    localparam integer WINDOW_BEATS = SCRUB_WINDOW_BYTES / 64;
    localparam integer MAX_BEATS    = (SCRUB_MAX_FRAME + 64) / 64;
    localparam integer PARSE_LATENCY  = 10; // scrub_parse checks it equals its stages
    // The tables' latencies, which each module checks against its stages.
    localparam integer DEST_LATENCY   = $clog2(2 * DEST_ENTRIES + 1) + 2;
    localparam integer ACL_LATENCY    = 1 + 2 + 1 + $clog2(1 << $clog2((ACL_ENTRIES + 3) / 4)) + 2;
    localparam integer POL_LATENCY    = 9;
    localparam integer LOOKUP_LATENCY = DEST_LATENCY + ACL_LATENCY + POL_LATENCY + 3;
    // A frame's verdict must wait at the head of the verdict queue when its
    // first beat leaves the delay line: the window's last beat comes at most
    // WINDOW_BEATS - 1 clocks after the first, then the window register, the
    // parser and the lookup pipeline.
    localparam integer DELAY        = WINDOW_BEATS - 1 + 1 + PARSE_LATENCY + LOOKUP_LATENCY + 1;
    localparam integer QUEUE_DEPTH  = 1 << $clog2(DELAY + 2);

    assign s_axis_tready = 1'b1;

    // ---- control ------------------------------------------------------------------
    wire        ctrl_enable, ctrl_fail_closed, commit, snapshot, commit_busy, snapshot_busy, gstat_snap;
    wire [3:0]  cfg_committed, cfg_actions;
    wire [63:0] wdog_timeout_ns, wdog_kicked, now;
    wire        ev_valid, ev_tx, ev_seen_valid, ev_late_valid;
    wire [31:0] ev_len;
    wire [5:0]  ev_outcome, ev_seen, ev_late;
    wire [16:0] ev_lost;

    wire             tbl_cmd_valid, tbl_done, tbl_data_we, cmd_valid;
    wire [7:0]       tbl_cmd, tbl_status;
    wire [31:0]      tbl_select, tbl_index, tbl_result;
    wire [32*32-1:0] tbl_data_out, tbl_data_in;

    /* verilator lint_off PINCONNECTEMPTY */
    scrub_regs #(
        .DEST_ENTRIES(DEST_ENTRIES), .EM_BUCKETS(EM_BUCKETS), .ACL_ENTRIES(ACL_ENTRIES),
        .POLICERS(POLICERS), .COUNTERS(COUNTERS), .FIFO_BEATS(FIFO_BEATS)
    ) regs (
        .clk(clk), .rst(rst),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready), .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
        .now(now),
        .ctrl_enable(ctrl_enable), .ctrl_fail_closed(ctrl_fail_closed), .cfg_actions(cfg_committed),
        .commit(commit), .snapshot(snapshot), .commit_busy(commit_busy), .snapshot_busy(snapshot_busy),
        .gstat_snap(gstat_snap), .wdog_expired(),
        .wdog_timeout_ns(wdog_timeout_ns), .wdog_kicked(wdog_kicked),
        .ev_valid(ev_valid), .ev_len(ev_len), .ev_outcome(ev_outcome), .ev_tx(ev_tx),
        .ev_seen_valid(ev_seen_valid), .ev_seen(ev_seen), .ev_late_valid(ev_late_valid), .ev_late(ev_late),
        .ev_lost(ev_lost),
        .tbl_cmd_valid(tbl_cmd_valid), .tbl_cmd(tbl_cmd), .tbl_select(tbl_select), .tbl_index(tbl_index),
        .tbl_data_out(tbl_data_out), .tbl_done(tbl_done), .tbl_status(tbl_status), .tbl_result(tbl_result),
        .tbl_data_in(tbl_data_in), .tbl_data_we(tbl_data_we));
    /* verilator lint_on PINCONNECTEMPTY */

    wire commit_start, commit_ready, commit_swap, tables_busy, pool_busy, pool_snap;

    scrub_commit #(.DRAIN(LOOKUP_LATENCY)) commit_ctl (
        .clk(clk), .rst(rst),
        .commit(commit), .cfg_committed(cfg_committed), .cfg_actions(cfg_actions),
        .s_cmd_valid(tbl_cmd_valid), .m_cmd_valid(cmd_valid), .m_cmd_done(tbl_done),
        .commit_start(commit_start), .commit_ready(commit_ready), .commit_swap(commit_swap),
        .tables_busy(tables_busy), .busy(commit_busy));

    wire [31:0] ctr_frames;
    assign pool_snap = snapshot;

    scrub_snapshot snapshot_ctl (
        .clk(clk), .rst(rst),
        .snapshot(pool_snap), .pool_frames(ctr_frames), .pool_busy(pool_busy), .frame_end(ev_valid),
        .gstat_snap(gstat_snap), .busy(snapshot_busy));

    // ---- verdict path ----------------------------------------------------------------
    wire                      w_valid;
    wire [SCRUB_WINDOW_BYTES*8-1:0] w_window;
    wire [15:0]               w_len;
    wire [63:0]               w_ts;

    scrub_window #(.DATA_W(512), .WINDOW_BEATS(WINDOW_BEATS)) capture (
        .clk(clk), .rst(rst),
        .s_tdata(s_axis_tdata), .s_tkeep(s_axis_tkeep), .s_tvalid(s_axis_tvalid), .s_tlast(s_axis_tlast),
        .s_tuser(s_axis_tuser),
        .m_valid(w_valid), .m_window(w_window), .m_len(w_len), .m_ts(w_ts));

    wire         p_valid, p_v6, p_has_ports, p_has_tcp, p_has_icmp;
    wire [63:0]  p_ts;
    wire [1:0]   p_kind;
    wire [4:0]   p_mal, p_frag;
    wire [7:0]   p_proto, p_tcp_flags, p_icmp_type, p_icmp_code;
    wire [5:0]   p_dscp;
    wire [12:0]  p_vlan;
    wire [15:0]  p_ip_end, p_l3_len, p_sport, p_dport;
    wire [127:0] p_src, p_dst;

    scrub_parse #(.WINDOW_BYTES(SCRUB_WINDOW_BYTES), .TAG_W(64), .LATENCY(PARSE_LATENCY)) parse (
        .clk(clk), .rst(rst),
        .s_valid(w_valid), .s_window(w_window), .s_len(w_len), .s_tag(w_ts),
        .m_valid(p_valid), .m_tag(p_ts), .m_kind(p_kind), .m_mal(p_mal), .m_ip_end(p_ip_end),
        .m_v6(p_v6), .m_has_ports(p_has_ports), .m_has_tcp(p_has_tcp), .m_has_icmp(p_has_icmp),
        .m_proto(p_proto), .m_dscp(p_dscp), .m_frag(p_frag), .m_tcp_flags(p_tcp_flags),
        .m_icmp_type(p_icmp_type), .m_icmp_code(p_icmp_code), .m_vlan(p_vlan), .m_l3_len(p_l3_len),
        .m_sport(p_sport), .m_dport(p_dport), .m_src(p_src), .m_dst(p_dst));

    wire        d_valid;
    wire [48:0] d_verdict;

    scrub_lookup #(
        .DEST_ENTRIES(DEST_ENTRIES), .EM_BUCKETS(EM_BUCKETS), .ACL_ENTRIES(ACL_ENTRIES),
        .POLICERS(POLICERS), .COUNTERS(COUNTERS), .DEST_LAT(DEST_LATENCY), .ACL_LAT(ACL_LATENCY),
        .POL_LAT(POL_LATENCY), .LATENCY(LOOKUP_LATENCY)
    ) lookup (
        .clk(clk), .rst(rst), .time_in(time_ns), .now(now),
        .ctrl_enable(ctrl_enable), .ctrl_fail_closed(ctrl_fail_closed), .cfg_actions(cfg_actions),
        .wdog_timeout_ns(wdog_timeout_ns), .wdog_kicked(wdog_kicked),
        .p_valid(p_valid), .p_ts(p_ts), .p_kind(p_kind), .p_mal(p_mal), .p_ip_end(p_ip_end),
        .p_v6(p_v6), .p_has_ports(p_has_ports), .p_has_tcp(p_has_tcp), .p_has_icmp(p_has_icmp),
        .p_proto(p_proto), .p_dscp(p_dscp), .p_frag(p_frag), .p_tcp_flags(p_tcp_flags),
        .p_icmp_type(p_icmp_type), .p_icmp_code(p_icmp_code), .p_vlan(p_vlan), .p_l3_len(p_l3_len),
        .p_sport(p_sport), .p_dport(p_dport), .p_src(p_src), .p_dst(p_dst),
        .commit_start(commit_start), .commit_ready(commit_ready), .commit_swap(commit_swap),
        .commit_busy(tables_busy),
        .cmd_valid(cmd_valid), .cmd_table(tbl_select), .cmd(tbl_cmd), .cmd_index(tbl_index),
        .cmd_data(tbl_data_out), .cmd_done(tbl_done), .cmd_status(tbl_status), .cmd_result(tbl_result),
        .cmd_rdata(tbl_data_in), .cmd_rdata_we(tbl_data_we),
        .snap(pool_snap), .snap_busy(pool_busy),
        .m_valid(d_valid), .m_verdict(d_verdict),
        .em_cmd_done(mon_em_cmd), .em_frames(mon_em_cmd_frame), .ctr_set(mon_ctr_set), .ctr_frames(ctr_frames),
        .pol_lookup(mon_pol_lookup), .pol_lookup_index(mon_pol_index));

    wire        q_valid, q_pop, q_overflow, out_error;
    wire [48:0] q_verdict;

    scrub_sync_fifo #(.WIDTH(49), .DEPTH(QUEUE_DEPTH)) verdicts (
        .clk(clk), .rst(rst), .s_valid(d_valid), .s_data(d_verdict),
        .m_valid(q_valid), .m_data(q_verdict), .m_pop(q_pop), .overflow(q_overflow));

    // ---- data path ---------------------------------------------------------------------
    wire         l_valid, l_tlast;
    wire [511:0] l_tdata;
    wire [63:0]  l_tkeep;

    scrub_delay #(.WIDTH(512 + 64 + 1), .DELAY(DELAY)) delay (
        .clk(clk), .rst(rst),
        .s_valid(s_axis_tvalid), .s_data({s_axis_tdata, s_axis_tkeep, s_axis_tlast}),
        .m_valid(l_valid), .m_data({l_tdata, l_tkeep, l_tlast}));

    scrub_output #(.DATA_W(512), .FIFO_BEATS(FIFO_BEATS), .MAX_BEATS(MAX_BEATS), .LEN_DEPTH(QUEUE_DEPTH)) out (
        .clk(clk), .rst(rst),
        .in_valid(s_axis_tvalid), .in_last(s_axis_tlast),
        .d_valid(l_valid), .d_tdata(l_tdata), .d_tkeep(l_tkeep), .d_tlast(l_tlast),
        .v_valid(q_valid), .v_data(q_verdict), .v_pop(q_pop),
        .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tlast(m_axis_tlast), .m_axis_tuser(m_axis_tuser), .m_axis_tready(m_axis_tready),
        .ev_valid(ev_valid), .ev_len(ev_len), .ev_outcome(ev_outcome), .ev_tx(ev_tx),
        .ev_seen_valid(ev_seen_valid), .ev_seen(ev_seen), .ev_late_valid(ev_late_valid), .ev_late(ev_late),
        .ev_lost(ev_lost), .error(out_error));

    // ---- the monitor -------------------------------------------------------------------
    reg [31:0] decided;   // frames past the first lookup stage before this clock
    always @(posedge clk) begin
        decided <= decided + {31'd0, p_valid};
        if (rst)
            decided <= 32'd0;
    end

    assign error          = q_overflow || out_error;
    assign mon_valid      = ev_valid;
    assign mon_len        = ev_len;
    assign mon_outcome    = ev_outcome;
    assign mon_tx         = ev_tx;
    assign mon_seen_valid = ev_seen_valid;
    assign mon_seen       = ev_seen;
    assign mon_late_valid = ev_late_valid;
    assign mon_late       = ev_late;
    assign mon_lost       = ev_lost;
    assign mon_swap       = commit_swap;
    assign mon_swap_frame = decided;
    assign mon_snap       = pool_snap;
    assign mon_ctr_frame  = ctr_frames;
endmodule

`resetall
