// scrub_em: the source exact-match table (docs/card.md, "Exact match"; the
// model is hw/model/em.c and model.c's table_em/check_em).
//
// Storage. Two ways of EM_BUCKETS buckets of four slots, each way one RAM
// with a bucket a row (4 x SLOT_W bits), and the stash of eight slots in
// flip-flops. A slot is {valid, tenant, address, action, policer (32 bits),
// counter (clog2(COUNTERS) bits)}; a free slot is all zeros, as the model's.
// The policer is kept whole because the model keeps and reads back any
// policer of an entry that does not police (check_em only bounds it for
// POLICE). Port A of each RAM serves lookups, port B the command engine.
// The table starts empty (the RAMs are zero after configuration, the stash
// flip-flops start at zero); rst restarts the lookup
// pipeline and the engine and leaves the contents alone, like the model,
// whose table only a new model clears.
//
// Lookup side: one key (s_tenant, s_addr) a clock, the result LATENCY
// clocks later. Stages: 1 both hashes (scrub_crc) into registers; 2 the
// bucket rows read from port A; 3 each slot compared with the key, the stash
// too; 4 the first match in the model's order (way 0, way 1, stash) gives
// m_slot and the entry; LATENCY - 4 more clocks of output registers.
// m_policer is the index width: a POLICE entry's policer is below POLICERS.
// On a miss m_hit is 0 and the other outputs 0.
//
// Command side: the table-module interface (hw/rtl/README.md); one command
// at a time, cmd_done one clock when it is over. Clocks from cmd_valid to
// cmd_done (measured by tests/rtl/em): 2 for a rejected command and a READ
// of the stash; 3 for a READ of a bucket slot, LOOKUP, DELETE, an update in
// place and an insert into a free bucket slot; an insert by a cuckoo walk
// of n moves 5 + 3n (8 to 53: 2 clocks a walk step, 1 a write); an insert
// into the stash or FULL after a walk that stopped after k steps 5 + 2k (at
// most 37). Best insert 3, worst 53.
//
// Atomicity (the contract's: a key present before and after a command is
// found with its value throughout; a new key only once its slot is written;
// a deleted key vanishes in one clock). The engine changes the table by one
// slot write a clock (wr_*), and every lookup sees the table as it is after
// the writes of one clock: its RAM read in clock t returns the rows after
// clock t's write (a write into the row read in the same clock is forwarded
// from the write register, so the RAMs' collision behaviour does not
// matter), and its stash compare in clock t + 1 sees the stash after clock
// t's write. So it suffices that every state between two writes keeps the
// property, and:
// - an update in place, a delete, an insert into a free slot or the stash
//   are one write: the old state, then the new;
// - a cuckoo insert copies the last victim into the free slot first, then
//   each earlier victim over the one it follows, the new key last over the
//   first victim. Between two writes every victim is in its old slot, its
//   new slot or both (both hold its whole entry, which the walk read from
//   the unchanged table, and both are buckets of its key), and the new key
//   appears only with the last write. A lookup hitting both copies reports
//   the first in the model's order, the old or the new slot.
// Nothing else moves a key: a walk that fails or ends in the stash or FULL
// writes nothing but the stash slot.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module scrub_em #(
    parameter integer EM_BUCKETS = 16,   // per way, a power of two
    parameter integer POLICERS   = 256,
    parameter integer COUNTERS   = 4096,
    parameter integer LATENCY /*verilator public*/ = 4
) (
    input  wire              clk,
    input  wire              rst,

    // lookup
    input  wire              s_valid,
    input  wire [15:0]       s_tenant,
    input  wire [127:0]      s_addr,
    output wire              m_valid,
    output wire              m_hit,
    output wire [$clog2(8*EM_BUCKETS+8)-1:0]         m_slot,     // SLOT_NUM_W
    output wire [1:0]                                m_action,
    output wire [(POLICERS > 1 ? $clog2(POLICERS) : 1)-1:0] m_policer,  // POL_W
    output wire [(COUNTERS > 1 ? $clog2(COUNTERS) : 1)-1:0] m_counter,  // CTR_W

    // commands
    input  wire              cmd_valid,
    input  wire [7:0]        cmd,
    input  wire [31:0]       cmd_index,
    /* verilator lint_off UNUSEDSIGNAL */ // only the EM entry's words are read
    input  wire [32*32-1:0]  cmd_data,
    /* verilator lint_on UNUSEDSIGNAL */
    output reg               cmd_done,
    output reg  [7:0]        cmd_status,
    output reg  [31:0]       cmd_result,
    output reg  [32*32-1:0]  cmd_rdata,
    output reg               cmd_rdata_we
);
    `include "scrub_regmap.vh"

    localparam integer B_W        = $clog2(EM_BUCKETS);
    localparam integer WAY_SLOTS  = 4 * EM_BUCKETS;
    localparam integer STASH_BASE = 2 * WAY_SLOTS;
    localparam integer SIZE       = STASH_BASE + 8;
    localparam integer SLOT_NUM_W = $clog2(SIZE);
    localparam integer POL_W      = POLICERS > 1 ? $clog2(POLICERS) : 1;
    localparam integer CTR_W      = COUNTERS > 1 ? $clog2(COUNTERS) : 1;
    localparam integer KEY_W      = 16 + 128;
    // a slot: {valid, key, action, policer (32), counter}
    localparam integer SLOT_W     = 1 + KEY_W + 2 + 32 + CTR_W;
    localparam integer ROW_W      = 4 * SLOT_W;
    // a place in a way: {way, bucket, slot}, which is also its slot number
    localparam integer POS_W      = B_W + 3;
    // what a lookup reports of an entry: {action, policer index, counter}
    localparam integer PAY_W      = 2 + POL_W + CTR_W;
    localparam integer STAGES     = 4;
    localparam integer MAX_KICKS  = SCRUB_EM_MAX_KICKS;

    generate
        if (SCRUB_EM_WAYS != 2 || SCRUB_EM_SLOTS != 4 || SCRUB_EM_STASH != 8) begin : g_geometry
            $error("scrub_em: built for 2 ways, 4 slots a bucket and a stash of 8 (the register map differs)");
        end
        if (EM_BUCKETS < 2 || (EM_BUCKETS & (EM_BUCKETS - 1)) != 0) begin : g_bad_buckets
            $error("scrub_em: EM_BUCKETS must be a power of two, at least 2");
        end
        if (POLICERS < 1 || COUNTERS < 1) begin : g_bad_sizes
            $error("scrub_em: POLICERS and COUNTERS must be at least 1");
        end
        if (LATENCY < STAGES) begin : g_bad_latency
            $error("scrub_em: LATENCY must be at least the %0d stages", STAGES);
        end
    endgenerate

    // ---- slot fields (each function takes one field of a whole slot) --------------------
    /* verilator lint_off UNUSEDSIGNAL */
    function automatic slot_valid(input [SLOT_W-1:0] s);
        slot_valid = s[SLOT_W-1];
    endfunction
    function automatic [KEY_W-1:0] slot_key(input [SLOT_W-1:0] s);
        slot_key = s[SLOT_W-2 -: KEY_W];
    endfunction
    function automatic [1:0] slot_action(input [SLOT_W-1:0] s);
        slot_action = s[32 + CTR_W +: 2];
    endfunction
    function automatic [31:0] slot_policer(input [SLOT_W-1:0] s);
        slot_policer = s[CTR_W +: 32];
    endfunction
    function automatic [CTR_W-1:0] slot_counter(input [SLOT_W-1:0] s);
        slot_counter = s[0 +: CTR_W];
    endfunction
    function automatic [PAY_W-1:0] slot_payload(input [SLOT_W-1:0] s);
        slot_payload = {slot_action(s), s[CTR_W +: POL_W], slot_counter(s)};
    endfunction
    /* verilator lint_on UNUSEDSIGNAL */
    function automatic holds(input [SLOT_W-1:0] s, input [KEY_W-1:0] key);
        holds = slot_valid(s) && slot_key(s) == key;
    endfunction

    // {none, index} of the lowest set bit
    function automatic [2:0] lowest4(input [3:0] v);
        lowest4 = v[0] ? 3'd0 : v[1] ? 3'd1 : v[2] ? 3'd2 : v[3] ? 3'd3 : 3'd4;
    endfunction
    function automatic [3:0] lowest8(input [7:0] v);
        lowest8 = v[3:0] != 4'd0 ? {1'b0, lowest4(v[3:0])} : v[7:4] != 4'd0 ? {1'b0, lowest4(v[7:4]) | 3'd4} : 4'd8;
    endfunction
    function automatic [4:0] lowest16(input [15:0] v);  // bit 4 = none
        integer i;
        begin
            lowest16 = 5'd16;
            for (i = 15; i >= 0; i = i - 1)
                if (v[i])
                    lowest16 = 5'(i);
        end
    endfunction

    // The data window of an entry (scrub_em_pack: every other bit 0).
    function automatic [32*32-1:0] pack(input [SLOT_W-1:0] s);
        reg [KEY_W-1:0] key;
        integer i;
        begin
            key = slot_key(s);
            pack = {32*32{1'b0}};
            pack[32*SCRUB_EM_TENANT_WORD + SCRUB_EM_TENANT_LSB +: 16] = key[KEY_W-1 -: 16];
            for (i = 0; i < 4; i = i + 1)
                pack[32*(SCRUB_EM_ADDR_WORD + i) +: 32] = key[127 - 32*i -: 32];
            pack[32*SCRUB_EM_ACTION_WORD + SCRUB_EM_ACTION_LSB +: 2] = slot_action(s);
            pack[32*SCRUB_EM_VALID_WORD + SCRUB_EM_VALID_LSB] = slot_valid(s);
            pack[32*SCRUB_EM_POLICER_WORD +: 32] = slot_policer(s);
            pack[32*SCRUB_EM_COUNTER_WORD +: CTR_W] = slot_counter(s);
        end
    endfunction

    // ---- the command's entry (scrub_em_unpack) and check_em ----------------------------
    wire [15:0]  d_tenant  = cmd_data[32*SCRUB_EM_TENANT_WORD + SCRUB_EM_TENANT_LSB +: 16];
    wire [127:0] d_addr    = {cmd_data[32*SCRUB_EM_ADDR_WORD +: 32], cmd_data[32*(SCRUB_EM_ADDR_WORD+1) +: 32],
                              cmd_data[32*(SCRUB_EM_ADDR_WORD+2) +: 32], cmd_data[32*(SCRUB_EM_ADDR_WORD+3) +: 32]};
    wire [1:0]   d_action  = cmd_data[32*SCRUB_EM_ACTION_WORD + SCRUB_EM_ACTION_LSB +: 2];
    wire [31:0]  d_policer = cmd_data[32*SCRUB_EM_POLICER_WORD +: 32];
    wire [31:0]  d_counter = cmd_data[32*SCRUB_EM_COUNTER_WORD +: 32];
    // An insert stores its entry valid whatever the VALID bit says.
    wire [SLOT_W-1:0] d_slot = {1'b1, d_tenant, d_addr, d_action, d_policer, d_counter[CTR_W-1:0]};
    wire [7:0] d_bad_word =
        d_action > SCRUB_ACTION_POLICE[1:0]                                     ? SCRUB_EM_ACTION_WORD[7:0]
      : d_action == SCRUB_ACTION_POLICE[1:0] && d_policer >= 32'(POLICERS)      ? SCRUB_EM_POLICER_WORD[7:0]
      : d_counter >= 32'(COUNTERS)                                              ? SCRUB_EM_COUNTER_WORD[7:0]
      : 8'd0;

    // ---- storage -------------------------------------------------------------------
    // The engine's write port: one slot a clock, registered.
    reg              wr_en, wr_stash;
    reg [POS_W-1:0]  wr_pos;      // {way, bucket, slot} when !wr_stash
    reg [2:0]        wr_stash_i;
    reg [SLOT_W-1:0] wr_data;
    wire             wr_way    = wr_pos[POS_W-1];
    wire [B_W-1:0]   wr_bucket = wr_pos[2 +: B_W];
    wire [1:0]       wr_slot   = wr_pos[1:0];

    // Per way w, at [w*ROW_W +: ROW_W] or [w*B_W +: B_W]: the engine's reads
    // (port B: e_rd, e_rd_bucket, e_rows) and the lookup's (port A).
    reg  [1:0]         e_rd;
    reg  [2*B_W-1:0]   e_rd_bucket;
    wire [2*ROW_W-1:0] e_rows;
    reg  [2*B_W-1:0]   l1_bucket;
    wire [2*ROW_W-1:0] l2_rows;

    genvar w, gs;
    generate
        for (w = 0; w < 2; w = w + 1) begin : g_way
            (* ram_style = "ultra" *) reg [ROW_W-1:0] mem [0:EM_BUCKETS-1];
            reg [ROW_W-1:0] a_q, b_q;
`ifndef SYNTHESIS
            // The device's block and ultra RAMs are all zeros after configuration;
            // the simulation starts the same. (Not for synthesis: yosys would spell
            // out every row of the deployment table, and UltraRAM takes no init.)
            integer i;
            initial
                for (i = 0; i < EM_BUCKETS; i = i + 1)
                    mem[i] = {ROW_W{1'b0}};
`endif

            always @(posedge clk)
                a_q <= mem[l1_bucket[w*B_W +: B_W]];

            always @(posedge clk) begin
                if (e_rd[w])
                    b_q <= mem[e_rd_bucket[w*B_W +: B_W]];
                if (wr_en && !wr_stash && wr_way == w)
                    mem[wr_bucket][SLOT_W*wr_slot +: SLOT_W] <= wr_data;
            end
            assign l2_rows[w*ROW_W +: ROW_W] = a_q;
            assign e_rows[w*ROW_W +: ROW_W]  = b_q;
        end
    endgenerate

    reg [SLOT_W-1:0] stash [0:7];
    integer si;
    initial
        for (si = 0; si < 8; si = si + 1)
            stash[si] = {SLOT_W{1'b0}};
    always @(posedge clk)
        if (wr_en && wr_stash)
            stash[wr_stash_i] <= wr_data;

    // ---- lookup pipeline -----------------------------------------------------------
    /* verilator lint_off UNUSEDSIGNAL */ // a bucket is the low bits of a CRC
    wire [31:0] l0_crc0, l0_crc1;
    /* verilator lint_on UNUSEDSIGNAL */
    scrub_crc #(.BYTES(18), .POLY(32'h82f63b78)) u_l0_crc0 (.s_data({s_tenant, s_addr}), .m_crc(l0_crc0));
    scrub_crc #(.BYTES(18), .POLY(32'hedb88320)) u_l0_crc1 (.s_data({s_tenant, s_addr}), .m_crc(l0_crc1));

    // stage 1: the key and its buckets
    reg             l1_valid;
    reg [KEY_W-1:0] l1_key;
    always @(posedge clk) begin
        l1_valid     <= s_valid;
        l1_key       <= {s_tenant, s_addr};
        l1_bucket    <= {l0_crc1[B_W-1:0], l0_crc0[B_W-1:0]};
        if (rst)
            l1_valid <= 1'b0;
    end

    // stage 2: the rows (l2_row, above) and the slots written in the same clock
    reg             l2_valid;
    reg [KEY_W-1:0] l2_key;
    reg [2*B_W-1:0] l2_bucket;
    reg [7:0]       l2_fwd;       // slot 4*w + s was written in the clock of the read
    reg [SLOT_W-1:0] l2_fwd_data;
    wire [1:0]      wr_row_hit = {wr_bucket == l1_bucket[B_W +: B_W], wr_bucket == l1_bucket[0 +: B_W]};
    always @(posedge clk) begin
        l2_valid    <= l1_valid;
        l2_key      <= l1_key;
        l2_bucket   <= l1_bucket;
        l2_fwd_data <= wr_data;
        l2_fwd      <= wr_en && !wr_stash && wr_row_hit[wr_way] ? 8'b1 << {wr_way, wr_slot} : 8'b0;
        if (rst)
            l2_valid <= 1'b0;
    end

    // stage 3: every slot against the key; 0..3 way 0, 4..7 way 1, 8..15 the stash
    reg              l3_valid;
    reg [15:0]       l3_match;
    reg [PAY_W-1:0]  l3_pay [0:15];
    reg [2*B_W-1:0]  l3_bucket;
    reg [8*SLOT_W-1:0] l2_slots;  // the rows as they are after the clock of the read
    integer cs;
    always @* begin
        for (cs = 0; cs < 8; cs = cs + 1)
            l2_slots[SLOT_W*cs +: SLOT_W] = l2_fwd[cs] ? l2_fwd_data : l2_rows[SLOT_W*cs +: SLOT_W];
    end
    always @(posedge clk) begin
        l3_valid  <= l2_valid;
        l3_bucket <= l2_bucket;
        for (cs = 0; cs < 8; cs = cs + 1) begin
            l3_match[cs] <= holds(l2_slots[SLOT_W*cs +: SLOT_W], l2_key);
            l3_pay[cs]   <= slot_payload(l2_slots[SLOT_W*cs +: SLOT_W]);
        end
        for (cs = 0; cs < 8; cs = cs + 1) begin
            l3_match[8 + cs] <= holds(stash[cs], l2_key);
            l3_pay[8 + cs]   <= slot_payload(stash[cs]);
        end
        if (rst)
            l3_valid <= 1'b0;
    end

    // stage 4: the first match
    reg                  l4_valid, l4_hit;
    reg [SLOT_NUM_W-1:0] l4_slot;
    reg [PAY_W-1:0]      l4_pay;
    wire [4:0] l3_first = lowest16(l3_match);
    always @(posedge clk) begin
        l4_valid <= l3_valid;
        l4_hit   <= !l3_first[4];
        l4_pay   <= l3_first[4] ? {PAY_W{1'b0}} : l3_pay[l3_first[3:0]];
        if (l3_first[4])
            l4_slot <= {SLOT_NUM_W{1'b0}};
        else if (l3_first[3])
            l4_slot <= SLOT_NUM_W'(STASH_BASE) + SLOT_NUM_W'(l3_first[2:0]);
        else
            l4_slot <= SLOT_NUM_W'({l3_first[2], l3_bucket[l3_first[2]*B_W +: B_W], l3_first[1:0]});
        if (rst)
            l4_valid <= 1'b0;
    end

    // LATENCY - STAGES more clocks
    localparam integer EXTRA = LATENCY - STAGES;
    localparam integer OUT_W = 1 + SLOT_NUM_W + PAY_W;
    wire [OUT_W-1:0] l4_out = {l4_hit, l4_slot, l4_pay};
    generate
        if (EXTRA <= 0) begin : g_out
            assign m_valid = l4_valid;
            assign {m_hit, m_slot, m_action, m_policer, m_counter} = l4_out;
        end else begin : g_out_delay
            reg [EXTRA-1:0] dly_valid;
            reg [OUT_W-1:0] dly_data [0:EXTRA-1];
            integer od;
            always @(posedge clk) begin
                dly_valid[0] <= l4_valid;
                dly_data[0]  <= l4_out;
                for (od = 1; od < EXTRA; od = od + 1) begin
                    dly_valid[od] <= dly_valid[od - 1];
                    dly_data[od]  <= dly_data[od - 1];
                end
                if (rst)
                    dly_valid <= {EXTRA{1'b0}};
            end
            assign m_valid = dly_valid[EXTRA - 1];
            assign {m_hit, m_slot, m_action, m_policer, m_counter} = dly_data[EXTRA - 1];
        end
    endgenerate

    // ---- command engine --------------------------------------------------------------
    localparam [3:0] ST_IDLE  = 4'd0,  // waiting for cmd_valid
                     ST_START = 4'd1,  // reject, or read the key's buckets or READ's row
                     ST_READ  = 4'd2,  // READ: the row is in e_row
                     ST_FOUND = 4'd3,  // the key's buckets are in e_row: find, or a free slot
                     ST_WALK  = 4'd4,  // the walk's current bucket is in e_row[cur_way]
                     ST_HASH  = 4'd5,  // read the victim's bucket in the other way
                     ST_APPLY = 4'd6,  // the moves, from the end of the path back
                     ST_STASH = 4'd7;  // the lowest free stash slot, else FULL

    reg [3:0]        state;
    reg [7:0]        c_cmd;
    reg [31:0]       c_index;
    reg [KEY_W-1:0]  e_key;           // the command's key, then the walk's victim
    reg [2*B_W-1:0]  key_bucket;      // the command key's bucket in way w at [w*B_W +: B_W]
    reg              cur_way;
    reg [B_W-1:0]    cur_bucket;
    reg [4:0]        k;               // walk steps taken; in ST_APPLY, the move to write
    reg [POS_W-1:0]  path [0:MAX_KICKS];
    reg [SLOT_W-1:0] victim [0:MAX_KICKS-1];

    /* verilator lint_off UNUSEDSIGNAL */ // a bucket is the low bits of a CRC
    wire [31:0] e_crc0, e_crc1;
    /* verilator lint_on UNUSEDSIGNAL */
    scrub_crc #(.BYTES(18), .POLY(32'h82f63b78)) u_e_crc0 (.s_data(e_key), .m_crc(e_crc0));
    scrub_crc #(.BYTES(18), .POLY(32'hedb88320)) u_e_crc1 (.s_data(e_key), .m_crc(e_crc1));

    // READ's place
    wire             rd_way    = c_index[B_W + 2];
    wire [B_W-1:0]   rd_bucket = c_index[2 +: B_W];
    wire [1:0]       rd_slot   = c_index[1:0];
    wire [2:0]       rd_stash  = c_index[2:0];

    // ST_FOUND: the key in its buckets or the stash, the lowest free slots
    reg [15:0]       f_match;
    reg [3:0]        f_free0, f_free1;
    reg [7:0]        s_free;
    integer fs;
    always @* begin
        for (fs = 0; fs < 4; fs = fs + 1) begin
            f_match[fs]     = holds(e_rows[SLOT_W*fs +: SLOT_W], e_key);
            f_match[4 + fs] = holds(e_rows[ROW_W + SLOT_W*fs +: SLOT_W], e_key);
            f_free0[fs]     = !slot_valid(e_rows[SLOT_W*fs +: SLOT_W]);
            f_free1[fs]     = !slot_valid(e_rows[ROW_W + SLOT_W*fs +: SLOT_W]);
        end
        for (fs = 0; fs < 8; fs = fs + 1) begin
            f_match[8 + fs] = holds(stash[fs], e_key);
            s_free[fs]      = !slot_valid(stash[fs]);
        end
    end

    wire [4:0] f_first = lowest16(f_match);
    wire [2:0] f_lo0   = lowest4(f_free0);
    wire [2:0] f_lo1   = lowest4(f_free1);
    wire [3:0] s_lo    = lowest8(s_free);
    // the place of a match in the buckets (f_first < 8)
    wire [POS_W-1:0] f_pos = {f_first[2], key_bucket[f_first[2]*B_W +: B_W], f_first[1:0]};
    wire [B_W-1:0]   key_bucket0 = key_bucket[0 +: B_W];
    wire [B_W-1:0]   key_bucket1 = key_bucket[B_W +: B_W];

    // ST_WALK: the free slot of the bucket just read, the victim of step k
    wire [ROW_W-1:0] cur_row  = e_rows[cur_way*ROW_W +: ROW_W];
    wire [3:0]       cur_free;
    for (gs = 0; gs < 4; gs = gs + 1) begin : g_cur_free
        assign cur_free[gs] = !slot_valid(cur_row[SLOT_W*gs +: SLOT_W]);
    end
    wire [2:0]       cur_lo   = lowest4(cur_free);
    wire [POS_W-1:0] step_pos = {cur_way, cur_bucket, k[1:0]};
    reg              revisit;
    integer rv;
    always @* begin
        revisit = 1'b0;
        for (rv = 0; rv < MAX_KICKS; rv = rv + 1)
            if (5'(rv) < k && path[rv] == step_pos)
                revisit = 1'b1;
    end

    function automatic [SLOT_NUM_W-1:0] pos_slot(input [POS_W-1:0] p);
        pos_slot = SLOT_NUM_W'(p);
    endfunction

    // port B reads
    always @* begin
        e_rd           = 2'b00;
        e_rd_bucket = {e_crc1[B_W-1:0], e_crc0[B_W-1:0]};
        case (state)
            ST_START:
                if (c_cmd == SCRUB_CMD_READ[7:0]) begin
                    e_rd[rd_way]                  = c_index < 32'(STASH_BASE);
                    e_rd_bucket[rd_way*B_W +: B_W] = rd_bucket;
                end else begin
                    e_rd = 2'b11;
                end
            ST_HASH:
                e_rd[cur_way] = 1'b1;
            default: ;
        endcase
    end

    task automatic finish(input [7:0] status, input [31:0] result, input [32*32-1:0] rdata, input rdata_we);
        begin
            state        <= ST_IDLE;
            cmd_done     <= 1'b1;
            cmd_status   <= status;
            cmd_result   <= result;
            cmd_rdata    <= rdata;
            cmd_rdata_we <= rdata_we;
        end
    endtask

    task automatic write_pos(input [POS_W-1:0] p, input [SLOT_W-1:0] data);
        begin
            wr_en    <= 1'b1;
            wr_stash <= 1'b0;
            wr_pos   <= p;
            wr_data  <= data;
        end
    endtask

    localparam [32*32-1:0] NO_DATA = {32*32{1'b0}};
    localparam [7:0] OK = SCRUB_STATUS_OK[7:0];

    always @(posedge clk) begin
        cmd_done <= 1'b0;
        wr_en    <= 1'b0;
        case (state)
            ST_IDLE:
                if (cmd_valid) begin
                    c_cmd   <= cmd;
                    c_index <= cmd_index;
                    e_key   <= {d_tenant, d_addr};
                    state   <= ST_START;
                end
            ST_START: begin
                key_bucket    <= {e_crc1[B_W-1:0], e_crc0[B_W-1:0]};
                state         <= ST_FOUND;
                case (c_cmd)
                    SCRUB_CMD_READ[7:0]:
                        if (c_index >= 32'(SIZE))
                            finish(SCRUB_STATUS_BAD_INDEX[7:0], 32'd0, NO_DATA, 1'b0);
                        else if (c_index >= 32'(STASH_BASE))
                            finish(OK, 32'd0, pack(stash[rd_stash]), 1'b1);
                        else
                            state <= ST_READ;
                    SCRUB_CMD_EM_INSERT[7:0]:
                        if (d_bad_word != 8'd0)
                            finish(SCRUB_STATUS_BAD_ENTRY[7:0], {24'd0, d_bad_word}, NO_DATA, 1'b0);
                    SCRUB_CMD_EM_DELETE[7:0], SCRUB_CMD_EM_LOOKUP[7:0]: ;
                    default:
                        finish(SCRUB_STATUS_BAD_CMD[7:0], 32'd0, NO_DATA, 1'b0);
                endcase
            end
            ST_READ:
                finish(OK, 32'd0, pack(e_rows[rd_way*ROW_W + SLOT_W*rd_slot +: SLOT_W]), 1'b1);
            ST_FOUND: begin
                cur_way    <= 1'b0;
                cur_bucket <= key_bucket0;
                k          <= 5'd0;
                if (c_cmd == SCRUB_CMD_EM_LOOKUP[7:0]) begin
                    if (f_first[4])
                        finish(SCRUB_STATUS_NOT_FOUND[7:0], 32'd0, NO_DATA, 1'b0);
                    else if (f_first[3])
                        finish(OK, 32'(STASH_BASE) + 32'(f_first[2:0]), pack(stash[f_first[2:0]]), 1'b1);
                    else
                        finish(OK, 32'(pos_slot(f_pos)),
                               pack(e_rows[f_first[2]*ROW_W + SLOT_W*f_first[1:0] +: SLOT_W]), 1'b1);
                end else if (f_first[4]) begin
                    if (c_cmd == SCRUB_CMD_EM_DELETE[7:0])
                        finish(SCRUB_STATUS_NOT_FOUND[7:0], 32'd0, NO_DATA, 1'b0);
                    else if (!f_lo0[2]) begin
                        write_pos({1'b0, key_bucket0, f_lo0[1:0]}, d_slot);
                        finish(OK, 32'(pos_slot({1'b0, key_bucket0, f_lo0[1:0]})), NO_DATA, 1'b0);
                    end else if (!f_lo1[2]) begin
                        write_pos({1'b1, key_bucket1, f_lo1[1:0]}, d_slot);
                        finish(OK, 32'(pos_slot({1'b1, key_bucket1, f_lo1[1:0]})), NO_DATA, 1'b0);
                    end else
                        state <= ST_WALK;
                end else begin
                    // DELETE frees the slot; INSERT updates in place
                    wr_en      <= 1'b1;
                    wr_stash   <= f_first[3];
                    wr_pos     <= f_pos;
                    wr_stash_i <= f_first[2:0];
                    wr_data    <= c_cmd == SCRUB_CMD_EM_DELETE[7:0] ? {SLOT_W{1'b0}} : d_slot;
                    finish(OK, c_cmd == SCRUB_CMD_EM_DELETE[7:0] ? 32'd0
                               : f_first[3] ? 32'(STASH_BASE) + 32'(f_first[2:0]) : 32'(pos_slot(f_pos)),
                           NO_DATA, 1'b0);
                end
            end
            ST_WALK:
                if (k != 5'd0 && !cur_lo[2]) begin
                    // the walk ends: path[k] is the free slot, then the moves
                    path[k] <= {cur_way, cur_bucket, cur_lo[1:0]};
                    state   <= ST_APPLY;
                end else if (k == 5'(MAX_KICKS) || revisit) begin
                    state <= ST_STASH;
                end else begin
                    path[k]        <= step_pos;
                    victim[k[3:0]] <= cur_row[SLOT_W*k[1:0] +: SLOT_W];
                    e_key          <= slot_key(cur_row[SLOT_W*k[1:0] +: SLOT_W]);
                    cur_way        <= !cur_way;
                    state          <= ST_HASH;
                end
            ST_HASH: begin
                cur_bucket <= cur_way ? e_crc1[B_W-1:0] : e_crc0[B_W-1:0];
                k          <= k + 5'd1;
                state      <= ST_WALK;
            end
            ST_APPLY:
                if (k != 5'd0) begin
                    write_pos(path[k], victim[k[3:0] - 4'd1]);
                    k <= k - 5'd1;
                end else begin
                    write_pos(path[0], d_slot);
                    finish(OK, 32'(pos_slot(path[0])), NO_DATA, 1'b0);
                end
            ST_STASH:
                if (!s_lo[3]) begin
                    wr_en      <= 1'b1;
                    wr_stash   <= 1'b1;
                    wr_stash_i <= s_lo[2:0];
                    wr_data    <= d_slot;
                    finish(OK, 32'(STASH_BASE) + 32'(s_lo[2:0]), NO_DATA, 1'b0);
                end else
                    finish(SCRUB_STATUS_FULL[7:0], 32'd0, NO_DATA, 1'b0);
            default:
                state <= ST_IDLE;
        endcase
        if (rst) begin
            state    <= ST_IDLE;
            cmd_done <= 1'b0;
            wr_en    <= 1'b0;
        end
    end
endmodule
`resetall
