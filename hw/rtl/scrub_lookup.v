// scrub_lookup: the lookup pipeline (docs/rtl.md, "The flow"; the model's
// classify and filter in hw/model/pipeline.c): from a frame's parse to its
// verdict and its counter updates, one frame a clock, LATENCY clocks.
//
// Stages, counted from the parse output (stage 0):
//   0        scrub_decide: bypass, watchdog, non-IP, unparsed and malformed
//            frames; the card's time; CRC-32C of the source address for a
//            per-source policer group
//   1        the destination lookup (scrub_dest, DEST_LAT clocks)
//   D        D = 1 + DEST_LAT: the source exact match (scrub_em) and the
//            ACL (scrub_acl), side by side with the destination's tenant and
//            profile, both ACL_LAT clocks
//   D + A    which policer, if any: the exact-match entry's, else the
//            decisive ACL entry's (plus the source's group offset)
//   D + A + 1  the policer (scrub_policer, POL_LAT clocks)
//   LATENCY - 1  the outcome; the verdict and the counter updates leave
//            registered at LATENCY (scrub_counters takes them there)
// Only a frame scrub_decide sends to the tables (m_filt) is counted or
// policed; every frame is looked up, which costs nothing and keeps each
// table's frame count equal to the card's.
//
// Commit: commit_swap in clock c (with every table's commit_ready) makes
// frames reaching stage 0 in clock c or later see the new tables: each
// table swaps when the first such frame reaches its stage, and the policers
// reconfigure at swap_now, the card's time at c. commit_start, commit_ready
// and commit_busy gather the three shadowed tables (DEST, ACL, POLICER).
//
// Table commands: cmd_table (TBL_SELECT) picks the module; a table the card
// does not have answers BAD_TABLE the next clock. cmd_* stay stable until
// cmd_done, as in the table-module interface.
//
// Control points for the monitor: em_cmd_done with em_frames, the frames
// looked up in the exact-match table before the first that sees the
// command's change; ctr_set / ctr_snap with ctr_frames, the frames whose
// counter updates were presented before the pool's write or snapshot;
// pol_lookup with pol_lookup_index, a lookup presented to the policer in
// this clock and its bucket (the scoreboard counts same-bucket lookups in
// consecutive clocks, the closest read-modify-write hazard).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_lookup #(
    parameter integer DEST_ENTRIES = 256,
    parameter integer EM_BUCKETS   = 512,
    parameter integer ACL_ENTRIES  = 64,
    parameter integer POLICERS     = 256,
    parameter integer COUNTERS     = 4096,
    parameter integer DEST_LAT     = 12,
    parameter integer ACL_LAT      = 10,
    parameter integer POL_LAT      = 9,
    parameter integer LATENCY /*verilator public*/ = 34
) (
    input  wire              clk,
    input  wire              rst,

    // control state, sampled at stage 0
    input  wire [63:0]       time_in,
    output wire [63:0]       now,
    input  wire              ctrl_enable,
    input  wire              ctrl_fail_closed,
    input  wire [3:0]        cfg_actions,
    input  wire [63:0]       wdog_timeout_ns,
    input  wire [63:0]       wdog_kicked,

    // the parser's output (stage 0)
    input  wire              p_valid,
    input  wire [63:0]       p_ts,
    input  wire [1:0]        p_kind,
    input  wire [4:0]        p_mal,
    input  wire [15:0]       p_ip_end,
    input  wire              p_v6,
    input  wire              p_has_ports,
    input  wire              p_has_tcp,
    input  wire              p_has_icmp,
    input  wire [7:0]        p_proto,
    input  wire [5:0]        p_dscp,
    input  wire [4:0]        p_frag,
    input  wire [7:0]        p_tcp_flags,
    input  wire [7:0]        p_icmp_type,
    input  wire [7:0]        p_icmp_code,
    input  wire [12:0]       p_vlan,
    input  wire [15:0]       p_l3_len,
    input  wire [15:0]       p_sport,
    input  wire [15:0]       p_dport,
    input  wire [127:0]      p_src,
    input  wire [127:0]      p_dst,

    // the two-phase commit of DEST, ACL and the policers
    input  wire              commit_start,
    output wire              commit_ready,
    input  wire              commit_swap,
    output wire              commit_busy,

    // table commands
    input  wire              cmd_valid,
    input  wire [31:0]       cmd_table,
    input  wire [7:0]        cmd,
    input  wire [31:0]       cmd_index,
    input  wire [32*32-1:0]  cmd_data,
    output reg               cmd_done,
    output reg  [7:0]        cmd_status,
    output reg  [31:0]       cmd_result,
    output reg  [32*32-1:0]  cmd_rdata,
    output reg               cmd_rdata_we,

    // the counter pool's snapshot
    input  wire              snap,
    output wire              snap_busy,

    // the verdict (scrub_verdict.vh)
    output reg               m_valid,
    output reg  [48:0]       m_verdict,

    // control points
    output wire              em_cmd_done,
    output reg  [31:0]       em_frames,
    output wire              ctr_set,
    output reg  [31:0]       ctr_frames,

    // the policer's lookups as it takes them, one a clock at most
    output wire              pol_lookup,
    output wire [31:0]       pol_lookup_index
);
    `include "scrub_regmap.vh"
    // scrub_decide, inside this module, includes the same function
    /* verilator lint_off VARHIDDEN */
    `include "scrub_verdict.vh"
    /* verilator lint_on VARHIDDEN */

    localparam integer CTR_W   = $clog2(COUNTERS);
    localparam integer POL_W   = $clog2(POLICERS);
    localparam integer IW      = DEST_ENTRIES > 1 ? $clog2(DEST_ENTRIES) : 1;
    localparam integer STAGE_D = 1 + DEST_LAT;            // exact match and ACL presented
    localparam integer STAGE_S = STAGE_D + ACL_LAT;       // the policer chosen
    localparam integer STAGE_P = STAGE_S + 1;             // the policer presented
    localparam integer STAGES  = STAGE_P + POL_LAT + 1;   // the verdict out
    localparam integer ROLES   = 8;

    generate
        if (LATENCY != STAGES) begin : g_bad_latency
            $error("scrub_lookup: LATENCY must be the %0d stages", STAGES);
        end
        if (POLICERS < 2 || COUNTERS < 2 || (COUNTERS & (COUNTERS - 1)) != 0 ||
            (POLICERS & (POLICERS - 1)) != 0) begin : g_bad_sizes
            $error("scrub_lookup: POLICERS and COUNTERS must be powers of two, at least 2");
        end
    endgenerate

    // ---- stage 0: the decision without tables, the lookup key ---------------------------
    wire         d_valid, d_filt, d_default_drop;
    wire [V_W-1:0] d_verdict;
    wire [63:0]  d_time;

    scrub_decide decide (
        .clk(clk), .rst(rst), .time_in(time_in), .now(now),
        .ctrl_enable(ctrl_enable), .ctrl_fail_closed(ctrl_fail_closed), .cfg_actions(cfg_actions),
        .wdog_timeout_ns(wdog_timeout_ns), .wdog_kicked(wdog_kicked),
        .p_valid(p_valid), .p_ts(p_ts), .p_kind(p_kind), .p_mal(p_mal), .p_ip_end(p_ip_end),
        .m_valid(d_valid), .m_verdict(d_verdict), .m_filt(d_filt), .m_default_drop(d_default_drop),
        .m_time(d_time));

    /* verilator lint_off UNUSEDSIGNAL */ // a per-source group takes at most 16 bits
    wire [31:0] src_crc;
    /* verilator lint_on UNUSEDSIGNAL */
    scrub_crc #(.BYTES(16), .POLY(32'h82f63b78)) u_src_crc (.s_data(p_src), .m_crc(src_crc));

    // The ACL's fields, in one vector from here to its stage.
    localparam integer KEY_W = 4 + 8 + 6 + 5 + 8 + 8 + 8 + 13 + 16 + 16 + 16 + 128 + 128;
    reg [KEY_W-1:0] k1_key;
    reg [15:0]      k1_crc;
    always @(posedge clk) begin
        k1_key <= {p_v6, p_has_ports, p_has_tcp, p_has_icmp, p_proto, p_dscp, p_frag, p_tcp_flags,
                   p_icmp_type, p_icmp_code, p_vlan, p_l3_len, p_sport, p_dport, p_src, p_dst};
        k1_crc <= src_crc[15:0];
    end
    wire [127:0] k1_dst = k1_key[127:0];

    // The swap reaches each stage with the first frame after it.
    localparam integer SW_N = STAGE_P;
    reg [SW_N-1:0] swap_at;   // swap_at[k]: the swap is at stage k + 1 in this clock
    reg [63:0]     swap_now;
    always @(posedge clk) begin
        swap_at <= {swap_at[SW_N-2:0], commit_swap};
        if (commit_swap)
            swap_now <= now;
        if (rst)
            swap_at <= {SW_N{1'b0}};
    end
    wire swap_dest = swap_at[0];
    wire swap_acl  = swap_at[STAGE_D-1];
    wire swap_pol  = swap_at[STAGE_P-1];

    // ---- table commands: which module -------------------------------------------------------
    wire sel_dest = cmd_table == SCRUB_TABLE_DEST;
    wire sel_em   = cmd_table == SCRUB_TABLE_EM;
    wire sel_acl  = cmd_table == SCRUB_TABLE_ACL;
    wire sel_pol  = cmd_table == SCRUB_TABLE_POLICER;
    wire sel_ctr  = cmd_table == SCRUB_TABLE_COUNTER;
    wire sel_none = !(sel_dest || sel_em || sel_acl || sel_pol || sel_ctr);

    wire [4:0]          t_done, t_we;
    wire [5*8-1:0]      t_status;
    wire [5*32-1:0]     t_result;
    wire [5*1024-1:0]   t_rdata;
    reg                 none_done;

    always @(posedge clk) begin
        none_done <= cmd_valid && sel_none;
        if (rst)
            none_done <= 1'b0;
    end

    // Module k's answer is at [k], [8k +: 8], [32k +: 32], [1024k +: 1024].
    wire [2:0] sel = sel_dest ? 3'd0 : sel_em ? 3'd1 : sel_acl ? 3'd2 : sel_pol ? 3'd3 : 3'd4;
    always @(*) begin
        cmd_done     = sel_none ? none_done : t_done[sel];
        cmd_status   = sel_none ? SCRUB_STATUS_BAD_TABLE[7:0] : t_status[8*sel +: 8];
        cmd_result   = sel_none ? 32'd0 : t_result[32*sel +: 32];
        cmd_rdata    = t_rdata[1024*sel +: 1024];
        cmd_rdata_we = !sel_none && t_we[sel];
    end

    // ---- stage 1: the destination ---------------------------------------------------------
    wire             ready_dest, busy_dest;
    wire             dst_valid, dst_hit, dst_enable;
    /* verilator lint_off UNUSEDSIGNAL */ // the entry's index is the model's report, not the card's
    wire [IW-1:0]    dst_index;
    wire [31:0]      dst_counter;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [15:0]      dst_tenant;
    wire [7:0]       dst_profile;

    scrub_dest #(.DEST_ENTRIES(DEST_ENTRIES), .COUNTERS(COUNTERS), .LATENCY(DEST_LAT)) dest (
        .clk(clk), .rst(rst),
        .cmd_valid(cmd_valid && sel_dest), .cmd(cmd), .cmd_index(cmd_index), .cmd_data(cmd_data),
        .cmd_done(t_done[0]), .cmd_status(t_status[0 +: 8]), .cmd_result(t_result[0 +: 32]),
        .cmd_rdata(t_rdata[0 +: 1024]), .cmd_rdata_we(t_we[0]),
        .commit_start(commit_start), .commit_ready(ready_dest), .commit_swap(swap_dest), .commit_busy(busy_dest),
        .s_valid(d_valid), .s_addr(k1_dst),
        .m_valid(dst_valid), .m_hit(dst_hit), .m_index(dst_index), .m_enable(dst_enable),
        .m_tenant(dst_tenant), .m_profile(dst_profile), .m_counter(dst_counter));

    // What the later stages need of the frame, beside the destination lookup.
    localparam integer A_W = KEY_W + 16 + V_W + 3 + 64;
    wire [A_W-1:0] a_in = {k1_key, k1_crc, d_verdict, d_filt, d_default_drop, 1'b0, d_time};
    wire [A_W-1:0] a_out;
    /* verilator lint_off UNUSEDSIGNAL */
    wire           a_valid;
    /* verilator lint_on UNUSEDSIGNAL */
    scrub_delay #(.WIDTH(A_W), .DELAY(DEST_LAT)) delay_a (
        .clk(clk), .rst(rst), .s_valid(d_valid), .s_data(a_in), .m_valid(a_valid), .m_data(a_out));

    wire [KEY_W-1:0] a_key = a_out[A_W-1 -: KEY_W];
    wire [15:0]      a_l3_len = a_key[256 + 32 +: 16];
    wire [127:0]     a_src    = a_key[128 +: 128];
    wire [15:0]      a_crc    = a_out[V_W + 3 + 64 +: 16];
    wire [V_W+2:0]   a_rest   = a_out[64 +: V_W + 3];   // verdict, filt, default drop, spare
    wire [63:0]      a_time   = a_out[63:0];

    // ---- stage D: exact match and ACL --------------------------------------------------------
    wire ready_acl, busy_acl;
    wire em_hit;
    /* verilator lint_off UNUSEDSIGNAL */
    wire em_valid;
    wire [$clog2(8*EM_BUCKETS+8)-1:0] em_slot;
    wire acl_valid;
    wire [$clog2(ACL_ENTRIES)-1:0] acl_index;
    wire [31:0] acl_policer, acl_counter;
    wire [4*32-1:0] acl_counted;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [1:0]       em_action, acl_action;
    wire [POL_W-1:0] em_policer;
    wire [CTR_W-1:0] em_counter;
    wire             acl_hit;
    wire [4:0]       acl_policer_bits;
    wire [2:0]       acl_n_counted;
    wire [$clog2(ACL_ENTRIES+1)-1:0] acl_lost;

    scrub_em #(.EM_BUCKETS(EM_BUCKETS), .POLICERS(POLICERS), .COUNTERS(COUNTERS), .LATENCY(ACL_LAT)) em (
        .clk(clk), .rst(rst),
        .s_valid(dst_valid), .s_tenant(dst_tenant), .s_addr(a_src),
        .m_valid(em_valid), .m_hit(em_hit), .m_slot(em_slot), .m_action(em_action), .m_policer(em_policer),
        .m_counter(em_counter),
        .cmd_valid(cmd_valid && sel_em), .cmd(cmd), .cmd_index(cmd_index), .cmd_data(cmd_data),
        .cmd_done(t_done[1]), .cmd_status(t_status[8 +: 8]), .cmd_result(t_result[32 +: 32]),
        .cmd_rdata(t_rdata[1024 +: 1024]), .cmd_rdata_we(t_we[1]));

    scrub_acl #(.ACL_ENTRIES(ACL_ENTRIES), .POLICERS(POLICERS), .COUNTERS(COUNTERS), .LATENCY(ACL_LAT)) acl (
        .clk(clk), .rst(rst),
        .cmd_valid(cmd_valid && sel_acl), .cmd(cmd), .cmd_index(cmd_index), .cmd_data(cmd_data),
        .cmd_done(t_done[2]), .cmd_status(t_status[16 +: 8]), .cmd_result(t_result[64 +: 32]),
        .cmd_rdata(t_rdata[2048 +: 1024]), .cmd_rdata_we(t_we[2]),
        .commit_start(commit_start), .commit_ready(ready_acl), .commit_swap(swap_acl), .commit_busy(busy_acl),
        .s_valid(dst_valid),
        .s_v6(a_key[KEY_W-1]), .s_has_ports(a_key[KEY_W-2]), .s_has_tcp(a_key[KEY_W-3]),
        .s_has_icmp(a_key[KEY_W-4]), .s_proto(a_key[KEY_W-5 -: 8]), .s_dscp(a_key[KEY_W-13 -: 6]),
        .s_frag(a_key[KEY_W-19 -: 5]), .s_tcp_flags(a_key[KEY_W-24 -: 8]), .s_icmp_type(a_key[KEY_W-32 -: 8]),
        .s_icmp_code(a_key[KEY_W-40 -: 8]), .s_vlan(a_key[KEY_W-48 -: 13]), .s_l3_len(a_l3_len),
        .s_sport(a_key[256 + 16 +: 16]), .s_dport(a_key[256 +: 16]), .s_src(a_src), .s_dst(a_key[127:0]),
        .s_tenant(dst_tenant), .s_profile(dst_profile),
        .m_valid(acl_valid), .m_hit(acl_hit), .m_index(acl_index), .m_action(acl_action),
        .m_policer(acl_policer), .m_policer_bits(acl_policer_bits), .m_counter(acl_counter),
        .m_n_counted(acl_n_counted), .m_counted(acl_counted), .m_lost(acl_lost));

    // Beside them: the destination's result and the frame.
    localparam integer B_W = 2 + CTR_W + 16 + 16 + V_W + 3 + 64;
    wire [B_W-1:0] b_in = {dst_hit, dst_enable, dst_counter[CTR_W-1:0], a_l3_len, a_crc, a_rest, a_time};
    wire [B_W-1:0] b_out;
    /* verilator lint_off UNUSEDSIGNAL */
    wire           b_valid;
    /* verilator lint_on UNUSEDSIGNAL */
    scrub_delay #(.WIDTH(B_W), .DELAY(ACL_LAT)) delay_b (
        .clk(clk), .rst(rst), .s_valid(dst_valid), .s_data(b_in), .m_valid(b_valid), .m_data(b_out));

    wire             b_dhit      = b_out[B_W-1];
    wire             b_denable   = b_out[B_W-2];
    wire [CTR_W-1:0] b_dcounter  = b_out[B_W-3 -: CTR_W];
    wire [15:0]      b_l3_len    = b_out[V_W + 3 + 64 + 16 +: 16];
    wire [15:0]      b_crc       = b_out[V_W + 3 + 64 +: 16];
    wire [V_W-1:0]   b_verdict   = b_out[64 + 3 +: V_W];
    wire             b_filt      = b_out[64 + 2];
    wire             b_def_drop  = b_out[64 + 1];
    wire [63:0]      b_time      = b_out[63:0];

    // ---- stage S: which policer ----------------------------------------------------------------
    wire        s_prot   = b_filt && b_dhit && b_denable;
    wire [1:0]  s_action = em_hit ? em_action : acl_action;
    wire        s_police = s_prot && (em_hit || acl_hit) && s_action == SCRUB_ACTION_POLICE[1:0];
    wire [15:0] s_group  = 16'((17'd1 << acl_policer_bits) - 17'd1);
    wire [POL_W-1:0] s_policer = em_hit ? em_policer
                               : acl_policer[POL_W-1:0] + POL_W'(b_crc & s_group);
    wire [LOST_W-1:0] s_lost = s_prot && !em_hit ? LOST_W'(acl_lost) : {LOST_W{1'b0}};

    // What the outcome needs beside the policer, from here to its stage.
    localparam integer C_W = 1 + 1 + 1 + CTR_W + 1 + 1 + 2 + CTR_W + 3 + 4 * CTR_W + LOST_W + 1 + V_W + 16;
    reg            p_valid_q, p_police;
    reg [POL_W-1:0] p_index;
    reg [63:0]     p_time;
    reg [15:0]     p_len;
    reg [C_W-1:0]  c_in;
    always @(posedge clk) begin
        p_valid_q <= b_valid;
        p_police  <= b_valid && s_police;
        p_index   <= s_policer;
        p_time    <= b_time;
        p_len     <= b_l3_len;
        c_in      <= {b_filt, s_prot, b_dhit, b_dcounter, em_hit, em_hit || acl_hit, s_action,
                      em_hit ? em_counter : acl_counter[CTR_W-1:0], em_hit ? 3'd0 : acl_n_counted,
                      acl_counted[96 +: CTR_W], acl_counted[64 +: CTR_W], acl_counted[32 +: CTR_W],
                      acl_counted[0 +: CTR_W], s_lost, b_def_drop, b_verdict, b_l3_len};
        if (rst) begin
            p_valid_q <= 1'b0;
            p_police  <= 1'b0;
        end
    end

    // ---- stage P: the policer -----------------------------------------------------------------
    wire             ready_pol, busy_pol;
    /* verilator lint_off UNUSEDSIGNAL */
    wire             pol_valid;
    /* verilator lint_on UNUSEDSIGNAL */
    wire             pol_conform;
    wire [CTR_W-1:0] pol_counter;

    scrub_policer #(.POLICERS(POLICERS), .COUNTERS(COUNTERS), .LATENCY(POL_LAT)) policer (
        .clk(clk), .rst(rst),
        .cmd_valid(cmd_valid && sel_pol), .cmd(cmd), .cmd_index(cmd_index), .cmd_data(cmd_data),
        .cmd_done(t_done[3]), .cmd_status(t_status[24 +: 8]), .cmd_result(t_result[96 +: 32]),
        .cmd_rdata(t_rdata[3072 +: 1024]), .cmd_rdata_we(t_we[3]),
        .commit_start(commit_start), .commit_ready(ready_pol), .commit_swap(swap_pol), .commit_busy(busy_pol),
        .commit_now(swap_now),
        .s_valid(p_police), .s_index(p_index), .s_len(p_len), .s_now(p_time),
        .m_valid(pol_valid), .m_conform(pol_conform), .m_counter(pol_counter));

    assign pol_lookup       = p_police;
    assign pol_lookup_index = {{(32 - POL_W){1'b0}}, p_index};

    wire [C_W-1:0] c_out;
    wire           c_valid, c_police;
    scrub_delay #(.WIDTH(C_W + 1), .DELAY(POL_LAT)) delay_c (
        .clk(clk), .rst(rst), .s_valid(p_valid_q), .s_data({p_police, c_in}),
        .m_valid(c_valid), .m_data({c_police, c_out}));

    // ---- the outcome ------------------------------------------------------------------------------
    wire             o_filt     = c_out[C_W-1];
    wire             o_prot     = c_out[C_W-2];
    wire             o_dhit     = c_out[C_W-3];
    wire [CTR_W-1:0] o_dcounter = c_out[C_W-4 -: CTR_W];
    wire             o_em       = c_out[C_W-4-CTR_W];               // the exact-match entry decides
    wire             o_decided  = c_out[C_W-5-CTR_W];               // it or an ACL entry does
    wire [1:0]       o_action   = c_out[C_W-6-CTR_W -: 2];
    wire [CTR_W-1:0] o_decisive = c_out[C_W-8-CTR_W -: CTR_W];
    wire [2:0]       o_n        = c_out[C_W-8-2*CTR_W -: 3];
    wire [4*CTR_W-1:0] o_counted = c_out[C_W-11-2*CTR_W -: 4*CTR_W]; // entry 3 on top
    wire [LOST_W-1:0] o_lost    = c_out[1 + V_W + 16 +: LOST_W];
    wire             o_def_drop = c_out[V_W + 16];
    wire [V_W-1:0]   o_verdict  = c_out[16 +: V_W];
    wire [15:0]      o_len      = c_out[15:0];

    reg [5:0] verdict_outcome;
    always @(*) begin
        if (!o_filt)
            verdict_outcome = o_verdict[V_OUTCOME +: 6];
        else if (!o_prot)
            verdict_outcome = SCRUB_GSTAT_PASS_UNPROTECTED[5:0];
        else if (!o_decided)
            verdict_outcome = o_def_drop ? SCRUB_GSTAT_DROP_DEFAULT[5:0] : SCRUB_GSTAT_PASS_FILTERED[5:0];
        else if (o_action == SCRUB_ACTION_DROP[1:0])
            verdict_outcome = o_em ? SCRUB_GSTAT_DROP_SRC[5:0] : SCRUB_GSTAT_DROP_ACL[5:0];
        else if (c_police && !pol_conform)
            verdict_outcome = SCRUB_GSTAT_DROP_POLICER[5:0];
        else
            verdict_outcome = SCRUB_GSTAT_PASS_FILTERED[5:0];
    end

    // ---- out: the verdict and the counter updates ------------------------------------------------
    reg  [ROLES-1:0]       u_valid;
    reg  [ROLES*CTR_W-1:0] u_index;
    reg  [15:0]            u_len;
    integer r;
    always @(posedge clk) begin
        m_valid <= c_valid;
        m_verdict <= o_verdict;
        m_verdict[V_PASS] <= is_pass(verdict_outcome);
        m_verdict[V_OUTCOME +: 6] <= verdict_outcome;
        m_verdict[V_LOST +: LOST_W] <= o_lost;
        u_len <= o_len;
        u_valid[0] <= c_valid && o_filt && o_dhit;                                     // offered
        u_valid[1] <= c_valid && o_prot && verdict_outcome != SCRUB_GSTAT_PASS_FILTERED[5:0];  // dropped
        u_valid[2] <= c_valid && o_prot && o_decided;                             // decisive entry
        for (r = 0; r < 4; r = r + 1)
            u_valid[3 + r] <= c_valid && o_prot && !o_em && 3'(r) < o_n;             // count-only
        u_valid[7] <= c_valid && c_police;                                             // policer
        u_index[0 +: CTR_W]         <= o_dcounter;
        u_index[CTR_W +: CTR_W]     <= o_dcounter + 1'b1;
        u_index[2*CTR_W +: CTR_W]   <= o_decisive;
        u_index[3*CTR_W +: 4*CTR_W] <= o_counted;
        u_index[7*CTR_W +: CTR_W]   <= pol_counter;
        if (rst) begin
            m_valid <= 1'b0;
            u_valid <= {ROLES{1'b0}};
        end
    end

    // ---- the counter pool -----------------------------------------------------------------------
    scrub_counters #(.COUNTERS(COUNTERS), .ROLES(ROLES)) counters (
        .clk(clk), .rst(rst),
        .u_valid(u_valid), .u_index(u_index), .u_bytes({ROLES{u_len}}),
        .snap(snap), .snap_busy(snap_busy),
        .cmd_valid(cmd_valid && sel_ctr), .cmd(cmd), .cmd_index(cmd_index), .cmd_data(cmd_data),
        .cmd_done(t_done[4]), .cmd_status(t_status[32 +: 8]), .cmd_result(t_result[128 +: 32]),
        .cmd_rdata(t_rdata[4096 +: 1024]), .cmd_rdata_we(t_we[4]), .set_applied(ctr_set));

    assign commit_ready = ready_dest && ready_acl && ready_pol;
    assign commit_busy  = busy_dest || busy_acl || busy_pol;

    // ---- control points ------------------------------------------------------------------------
    // An exact-match command's last write (in its cmd_done clock w) is seen
    // by lookups presented from clock w - 1 on.
    reg [31:0] em_seen;
    always @(posedge clk) begin
        em_seen   <= em_seen + {31'd0, dst_valid};
        em_frames <= em_seen;
        ctr_frames <= ctr_frames + {31'd0, m_valid};
        if (rst) begin
            em_seen    <= 32'd0;
            em_frames  <= 32'd0;
            ctr_frames <= 32'd0;
        end
    end
    assign em_cmd_done = t_done[1];
endmodule

`resetall
