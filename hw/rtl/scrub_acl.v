// scrub_acl: the card's ternary ACL (docs/card.md, "ACL fields" and the
// packet path step 5; the model's table_acl, check_acl and commit in
// hw/model/model.c and scrub_acl_search_linear in hw/model/acl.c are the
// reference).
//
// Command side (the table-module interface): WRITE stores the data window
// into the shadow copy after scrub_acl_check (an entry that is not VALID is
// stored unchecked), READ returns the shadow entry; any other command is
// BAD_CMD, checked before BAD_INDEX. A refused command changes nothing. A
// command is done four clocks after cmd_valid, later while the table is
// cleared after reset or a commit is busy (it is held, then run).
//
// Where the copies live, and why:
// - the shadow, what commands read and write, is a RAM of whole entries:
//   one read and one write port serve both, where a shadow in flip-flops
//   would need an entry-wide multiplexer over every entry for READ;
// - the match fields live in the bit-vector matcher (scrub_acl_bv): one
//   small two-bank table per 4-bit chunk of the key, one bit per entry,
//   whose active bank every lookup reads; the commit loads the other bank
//   from the shadow RAM while lookups go on, and the swap exchanges the
//   banks in one clock;
// - the result fields (action, policer, counter) are read by index after
//   the priority encoder, from RAMs with two banks (the active bank and
//   the one the commit loads), one RAM per read: the decisive entry's
//   results and each counted entry's counter.
//
// Commit (two phases): commit_start (ignored while commit_busy) waits for a
// command in flight, then prepares the next bank of the matcher and of the
// results: three clocks an entry (its shadow read, its register, the
// load) and the matcher's 16 row writes after every 14 entries, about
// 4.2 clocks an entry (273 clocks at 64 entries, 4,257 at 1,024); commit_ready then holds until
// commit_swap. A lookup presented in the swap's clock or later sees the new
// set, earlier ones the old. After the swap, LATENCY clocks of drain (the
// old bank stays readable for the lookups in flight) end commit_busy.
// Commands are held from commit_start until then. A command and a
// commit_start in the same clock: the commit first.
//
// Lookup side: the packet's fields as scrub_parse outputs them, with the
// tenant and profile of its destination entry, one lookup a clock; after
// LATENCY clocks, the decisive entry (m_hit, its index and results), the
// counters of the counted count-only entries, lowest index first (slots
// from m_n_counted up are undefined), and the count-only hits lost beyond
// SCRUB_COUNT_ONLY_MAX. Without m_hit, m_index and the decisive results are
// undefined. Stages: the key register (1), the matcher (2), the
// priority encoder (scrub_acl_prio: 1 + log2(ceil(ACL_ENTRIES / 4)) rounded
// up to a power of two), the result RAM read and the output register (2):
// LATENCY = 10 for 64 entries, 14 for 1,024.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_acl #(
    parameter integer ACL_ENTRIES /*verilator public*/ = 64,
    parameter integer POLICERS /*verilator public*/ = 256,
    parameter integer COUNTERS /*verilator public*/ = 4096,
    parameter integer LATENCY /*verilator public*/ = 10
) (
    input  wire                               clk,
    input  wire                               rst,

    // command side
    input  wire                               cmd_valid,
    input  wire [7:0]                         cmd,
    input  wire [31:0]                        cmd_index,
    input  wire [32*32-1:0]                   cmd_data,
    output reg                                cmd_done,
    output reg  [7:0]                         cmd_status,
    output reg  [31:0]                        cmd_result,
    output reg  [32*32-1:0]                   cmd_rdata,
    output reg                                cmd_rdata_we,

    input  wire                               commit_start,
    output wire                               commit_ready,
    input  wire                               commit_swap,
    output wire                               commit_busy,

    // lookup side
    input  wire                               s_valid,
    input  wire                               s_v6,
    input  wire                               s_has_ports,
    input  wire                               s_has_tcp,
    input  wire                               s_has_icmp,
    input  wire [7:0]                         s_proto,
    input  wire [5:0]                         s_dscp,
    input  wire [4:0]                         s_frag,
    input  wire [7:0]                         s_tcp_flags,
    input  wire [7:0]                         s_icmp_type,
    input  wire [7:0]                         s_icmp_code,
    input  wire [12:0]                        s_vlan,
    input  wire [15:0]                        s_l3_len,
    input  wire [15:0]                        s_sport,
    input  wire [15:0]                        s_dport,
    input  wire [127:0]                       s_src,
    input  wire [127:0]                       s_dst,
    input  wire [15:0]                        s_tenant,
    input  wire [7:0]                         s_profile,

    output reg                                m_valid,
    output reg                                m_hit,
    output reg  [$clog2(ACL_ENTRIES)-1:0]     m_index,
    output reg  [1:0]                         m_action,
    output reg  [31:0]                        m_policer,
    output reg  [4:0]                         m_policer_bits,
    output reg  [31:0]                        m_counter,
    output reg  [2:0]                         m_n_counted,
    output reg  [4*32-1:0]                    m_counted,      // counter of counted entry k at [32*k +: 32]
    output reg  [$clog2(ACL_ENTRIES+1)-1:0]   m_lost
);

`include "scrub_regmap.vh"
`include "scrub_acl_entry.vh"

localparam integer N = ACL_ENTRIES;
localparam integer IDX_W = $clog2(N);
localparam integer LOST_W = $clog2(N + 1);
localparam integer MAX = SCRUB_COUNT_ONLY_MAX;
localparam integer SLOT_LATENCY = 2;
localparam integer PRIO_LATENCY = 1 + $clog2(1 << $clog2((N + 3) / 4));
localparam integer STAGES = 1 + SLOT_LATENCY + PRIO_LATENCY + 2;
localparam integer SWEEP_W = IDX_W + 1 > $clog2(STAGES + 1) ? IDX_W + 1 : $clog2(STAGES + 1);
localparam integer N_LAST = N - 1;
localparam integer DRAINED = STAGES - 1;

generate
    if (N < 2 || N > 65536) begin : g_bad_entries
        $error("scrub_acl: ACL_ENTRIES must be 2..65536");
    end
    if (MAX != 4) begin : g_bad_max
        $error("scrub_acl: the ports are sized for SCRUB_COUNT_ONLY_MAX = 4");
    end
    if ($bits(cmd_data) != 32 * SCRUB_DATA_WORDS || $bits(cmd_status) != SCRUB_TBL_STATUS_RESULT_WIDTH) begin : g_bad_tbl_w
        $error("scrub_acl: table port widths disagree with the register map");
    end
    if (LATENCY != STAGES) begin : g_bad_latency
        $error("scrub_acl: LATENCY must be the %0d stages", STAGES);
    end
endgenerate

// ---- command engine and commit ----------------------------------------------------

localparam [2:0] S_CLEAR = 3'd0;  // after reset: zero the shadow
localparam [2:0] S_IDLE = 3'd1;
localparam [2:0] S_CHECK = 3'd2;  // decode and check; WRITE stores, READ reads
localparam [2:0] S_FINISH = 3'd3; // cmd_done next clock
localparam [2:0] S_PREP = 3'd4;   // load the next copies from the shadow
localparam [2:0] S_READY = 3'd5;  // wait for the swap
localparam [2:0] S_DRAIN = 3'd6;  // lookups in flight read the old bank

reg [2:0]         state;
reg [SWEEP_W-1:0] sweep;
reg               cmd_pend, commit_pend, commit_first;
reg [7:0]         status_q;
reg [31:0]        result_q;
reg               read_we_q;
reg               bank;           // the active result bank

(* ram_style = "block" *) reg [E_W-1:0] shadow [0:N-1];
reg [E_W-1:0]     shadow_q;
reg               shadow_we;
reg [IDX_W-1:0]   shadow_wa, shadow_ra;
reg [E_W-1:0]     shadow_wd;

// The load of the next bank: the shadow read issued in PREP, then one
// register before the matcher and the result RAMs.
reg               rd_v, load_v;
reg [IDX_W-1:0]   rd_idx, load_idx;
reg [E_W-1:0]     load_entry;
wire              bv_busy;

wire              chk_bad;
wire [31:0]       chk_word;
scrub_acl_check #(.POLICERS(POLICERS), .COUNTERS(COUNTERS)) check (
    .s_data(cmd_data), .m_bad(chk_bad), .m_word(chk_word));

wire is_read = cmd == SCRUB_CMD_READ[7:0];
wire is_write = cmd == SCRUB_CMD_WRITE[7:0];
wire index_ok = cmd_index < N;
wire write_ok = is_write && index_ok && !chk_bad;
wire swap = state == S_READY && commit_swap;

assign commit_ready = state == S_READY;
assign commit_busy = commit_pend || state == S_PREP || state == S_READY || state == S_DRAIN;

always @* begin
    shadow_we = 1'b0;
    shadow_wa = cmd_index[IDX_W-1:0];
    shadow_wd = acl_entry_from_words(cmd_data);
    shadow_ra = cmd_index[IDX_W-1:0];
    case (state)
        S_CLEAR: begin
            shadow_we = 1'b1;
            shadow_wa = sweep[IDX_W-1:0];
            shadow_wd = {E_W{1'b0}};
        end
        S_CHECK: shadow_we = write_ok;
        S_PREP: shadow_ra = sweep[IDX_W-1:0];
        default: ;
    endcase
end

always @(posedge clk) begin
    if (shadow_we)
        shadow[shadow_wa] <= shadow_wd;
    shadow_q <= shadow[shadow_ra];
end

always @(posedge clk) begin
    cmd_done <= 1'b0;
    rd_v <= 1'b0;
    rd_idx <= sweep[IDX_W-1:0];
    load_v <= rd_v;
    load_idx <= rd_idx;
    load_entry <= shadow_q;
    if (cmd_valid)
        cmd_pend <= 1'b1;
    if (commit_start && !commit_busy) begin
        commit_pend <= 1'b1;
        commit_first <= !cmd_pend;
    end
    case (state)
        S_CLEAR: begin
            sweep <= sweep + 1'b1;
            if (sweep == N_LAST[SWEEP_W-1:0])
                state <= S_IDLE;
        end
        S_IDLE:
            if (commit_pend && (commit_first || !cmd_pend)) begin
                commit_pend <= 1'b0;
                sweep <= 0;
                state <= S_PREP;
            end else if (cmd_pend) begin
                cmd_pend <= 1'b0;
                state <= S_CHECK;
            end
        S_CHECK: begin
            status_q <= !is_read && !is_write ? SCRUB_STATUS_BAD_CMD[7:0]
                      : !index_ok            ? SCRUB_STATUS_BAD_INDEX[7:0]
                      : is_write && chk_bad  ? SCRUB_STATUS_BAD_ENTRY[7:0]
                      :                        SCRUB_STATUS_OK[7:0];
            result_q <= is_write && index_ok && chk_bad ? chk_word : 32'd0;
            read_we_q <= is_read && index_ok;
            state <= S_FINISH;
        end
        S_FINISH: begin
            cmd_done <= 1'b1;
            cmd_status <= status_q;
            cmd_result <= result_q;
            cmd_rdata <= acl_words_from_entry(shadow_q);
            cmd_rdata_we <= read_we_q;
            state <= S_IDLE;
        end
        S_PREP:
            // One entry at a time: its shadow read, then the matcher's load.
            if (!rd_v && !load_v && !bv_busy) begin
                if (sweep <= N_LAST[SWEEP_W-1:0]) begin
                    rd_v <= 1'b1;
                    sweep <= sweep + 1'b1;
                end else
                    state <= S_READY;
            end
        S_READY:
            if (commit_swap) begin
                bank <= !bank;
                sweep <= 0;
                state <= S_DRAIN;
            end
        S_DRAIN: begin
            sweep <= sweep + 1'b1;
            if (sweep == DRAINED[SWEEP_W-1:0])
                state <= S_IDLE;
        end
        default:
            state <= S_CLEAR;
    endcase
    if (rst) begin
        state <= S_CLEAR;
        sweep <= 0;
        cmd_pend <= 1'b0;
        commit_pend <= 1'b0;
        cmd_done <= 1'b0;
        rd_v <= 1'b0;
        load_v <= 1'b0;
        bank <= 1'b0;
    end
end

// ---- lookup: key, per-entry match, priority encoder --------------------------------

reg          key_v;
reg          key_v6, key_has_ports, key_has_tcp, key_has_icmp;
reg [7:0]    key_proto, key_tcp_flags, key_icmp_type, key_icmp_code, key_profile;
reg [5:0]    key_dscp;
reg [4:0]    key_frag;
reg [12:0]   key_vlan;
reg [15:0]   key_l3_len, key_sport, key_dport, key_tenant;
reg [127:0]  key_src, key_dst;

always @(posedge clk) begin
    key_v <= s_valid && !rst;
    key_v6 <= s_v6;
    key_has_ports <= s_has_ports;
    key_has_tcp <= s_has_tcp;
    key_has_icmp <= s_has_icmp;
    key_proto <= s_proto;
    key_dscp <= s_dscp;
    key_frag <= s_frag;
    key_tcp_flags <= s_tcp_flags;
    key_icmp_type <= s_icmp_type;
    key_icmp_code <= s_icmp_code;
    key_vlan <= s_vlan;
    key_l3_len <= s_l3_len;
    key_sport <= s_sport;
    key_dport <= s_dport;
    key_src <= s_src;
    key_dst <= s_dst;
    key_tenant <= s_tenant;
    key_profile <= s_profile;
end

wire [N-1:0] hit_decisive, hit_count;

scrub_acl_bv #(.ENTRIES(N), .MATCH_W(E_MATCH_W), .LATENCY(SLOT_LATENCY)) bv (
    .clk(clk), .rst(rst),
    .s_load(load_v), .s_load_index(load_idx), .s_load_entry(load_entry[E_MATCH_W-1:0]),
    .m_load_busy(bv_busy), .s_swap(swap),
    .s_v6(key_v6), .s_has_ports(key_has_ports), .s_has_tcp(key_has_tcp), .s_has_icmp(key_has_icmp),
    .s_proto(key_proto), .s_dscp(key_dscp), .s_frag(key_frag), .s_tcp_flags(key_tcp_flags),
    .s_icmp_type(key_icmp_type), .s_icmp_code(key_icmp_code), .s_vlan(key_vlan), .s_l3_len(key_l3_len),
    .s_sport(key_sport), .s_dport(key_dport), .s_src(key_src), .s_dst(key_dst),
    .s_tenant(key_tenant), .s_profile(key_profile),
    .m_decisive(hit_decisive), .m_count(hit_count));

// The valid bit through the matcher's two stages, and the result bank each
// lookup's matcher read (the swap switches both in one clock),
// carried to the result read.
reg [SLOT_LATENCY-1:0]              match_v;
reg [SLOT_LATENCY+PRIO_LATENCY-1:0] bank_pipe;

integer s;
always @(posedge clk) begin
    match_v[0] <= key_v;
    bank_pipe[0] <= bank;
    for (s = 1; s < SLOT_LATENCY; s = s + 1)
        match_v[s] <= match_v[s - 1];
    for (s = 1; s < SLOT_LATENCY + PRIO_LATENCY; s = s + 1)
        bank_pipe[s] <= bank_pipe[s - 1];
    if (rst)
        match_v <= {SLOT_LATENCY{1'b0}};
end

wire                 p_valid, p_hit;
wire [IDX_W-1:0]     p_index;
wire [2:0]           p_n_counted;
wire [MAX*IDX_W-1:0] p_counted;
wire [LOST_W-1:0]    p_lost;
wire                 p_bank = bank_pipe[SLOT_LATENCY+PRIO_LATENCY-1];

scrub_acl_prio #(.ENTRIES(N), .LATENCY(PRIO_LATENCY)) prio (
    .clk(clk), .rst(rst),
    .s_valid(match_v[SLOT_LATENCY-1]), .s_decisive(hit_decisive), .s_count(hit_count),
    .m_valid(p_valid), .m_hit(p_hit), .m_index(p_index), .m_n_counted(p_n_counted),
    .m_counted(p_counted), .m_lost(p_lost));

// ---- results by index: two banks, one RAM per read ---------------------------------

localparam integer RES_DEPTH = 2 << IDX_W;

(* ram_style = "block" *) reg [E_RESULT_W-1:0] result_mem [0:RES_DEPTH-1];
reg [E_RESULT_W-1:0] res_q;
reg                  r_valid, r_hit;
reg [IDX_W-1:0]      r_index;
reg [2:0]            r_n_counted;
reg [LOST_W-1:0]     r_lost;

always @(posedge clk) begin
    if (load_v)
        result_mem[{!bank, load_idx}] <= load_entry[E_MATCH_W +: E_RESULT_W];
    res_q <= result_mem[{p_bank, p_index}];
end

wire [4*32-1:0] counted_q;
genvar gi;
generate
    for (gi = 0; gi < MAX; gi = gi + 1) begin : g_counted
        (* ram_style = "block" *) reg [31:0] counter_mem [0:RES_DEPTH-1];
        reg [31:0] q;
        always @(posedge clk) begin
            if (load_v)
                counter_mem[{!bank, load_idx}] <= load_entry[E_MATCH_W + R_COUNTER +: 32];
            q <= counter_mem[{p_bank, p_counted[gi*IDX_W +: IDX_W]}];
        end
        assign counted_q[32*gi +: 32] = q;
    end
endgenerate

always @(posedge clk) begin
    r_valid <= p_valid;
    r_hit <= p_hit;
    r_index <= p_index;
    r_n_counted <= p_n_counted;
    r_lost <= p_lost;

    m_valid <= r_valid;
    m_hit <= r_hit;
    m_index <= r_index;
    m_action <= res_q[R_ACTION +: 2];
    m_policer_bits <= res_q[R_POLICER_BITS +: 5];
    m_policer <= res_q[R_POLICER +: 32];
    m_counter <= res_q[R_COUNTER +: 32];
    m_n_counted <= r_n_counted;
    m_counted <= counted_q;
    m_lost <= r_lost;
    if (rst) begin
        r_valid <= 1'b0;
        m_valid <= 1'b0;
    end
end

endmodule

`resetall
