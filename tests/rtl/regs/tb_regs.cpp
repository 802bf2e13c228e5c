/* tests/rtl/regs: scrub_regs (hw/rtl) against the register side of the C
 * model (hw/model/model.c), clock by clock.
 *
 * Two AXI4-Lite streams run at once, one of writes and one of reads, with
 * random VALID delays (AW before W, W before AW, both together), random
 * BREADY/RREADY, garbage on the buses while not VALID, and random register
 * operations. Every access is applied to the model in the clock the RTL
 * performs it (scrub_axil_regs: the handshake clock; a read before a write
 * of the same clock), and every read is compared with the model's answer.
 *
 * What the model cannot say is kept here:
 * - the global counters: frame-end events are random (every clock, any
 *   index, overlapping indexes too), counted by a small reference of
 *   scrub_gstat's rule; a GSTAT READ's data window is that reference's
 *   snapshot, written into the model's window so later reads compare;
 * - tables other than GSTAT go to the tbl_* interface: this bench answers
 *   it with the model's own result of the command (status, TBL_RESULT, the
 *   data window) after a random delay, and checks what the RTL passed on;
 * - a command's BUSY time (the model's commands finish at once): while
 *   BUSY, TBL_STATUS reads BUSY with RESULT 0, STATUS.TABLE_BUSY is set,
 *   TBL_RESULT reads 0, TBL_DATA the window as before the command, and
 *   writes to TBL_SELECT, TBL_INDEX, TBL_DATA and TBL_CMD are ignored;
 * - writes with WSTRB != 4'hf are ignored;
 * - the registered outputs (ctrl_*, cfg_actions, wdog_*, commit, snapshot)
 *   a clock after the state they show.
 * The card's time moves at random clocks: small steps, milliseconds, exactly
 * to the watchdog's deadline or one past it, and large jumps. A few resets
 * restart the RTL and the model together.
 *
 * Usage: tb_regs [seed [operations]]. Prints regs_rtl_ops=<n> mismatches=0,
 * or the first mismatch and exits 1. */
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "Vscrub_regs.h"
#include "verilated.h"

extern "C" {
#include "scrub_model.h"
}

namespace {

constexpr uint32_t kWords = SCRUB_DATA_WORDS;
constexpr uint32_t kGstat = SCRUB_GSTAT_COUNT;
constexpr uint32_t kAddrSpace = 1u << 12; // scrub_regs' default ADDR_W
constexpr uint64_t kNever = ~0ull;
constexpr uint64_t kNsPerMs = 1000000;

using Window = std::array<uint32_t, kWords>;

struct Counter {
    uint64_t packets = 0, bytes = 0;
};

struct RegName {
    uint32_t addr;
    const char *name;
};
const RegName kRegNames[] = SCRUB_REG_NAMES;

bool in_window(uint32_t addr)
{
    return addr >= SCRUB_REG_TBL_DATA && addr < SCRUB_REG_TBL_DATA + 4 * kWords && addr % 4 == 0;
}

bool is_named(uint32_t addr)
{
    for (const RegName &r : kRegNames)
        if (r.addr == addr)
            return true;
    return in_window(addr);
}

std::string reg_name(uint32_t addr)
{
    char buf[48];
    if (in_window(addr)) {
        snprintf(buf, sizeof(buf), "TBL_DATA[%u]", (addr - SCRUB_REG_TBL_DATA) / 4);
        return buf;
    }
    for (const RegName &r : kRegNames)
        if (r.addr == addr)
            return r.name;
    snprintf(buf, sizeof(buf), "0x%03x (unmapped)", addr);
    return buf;
}

/* One frame end, as scrub_gstat takes it. */
struct Event {
    bool valid = false;
    uint32_t len = 0;
    uint8_t outcome = 0, seen = 0, late = 0;
    uint32_t lost = 0;
    bool tx = false, seen_valid = false, late_valid = false;
};

struct Write {
    bool active = false;
    uint32_t addr = 0, data = 0;
    uint8_t strb = 0;
    unsigned aw_wait = 0, w_wait = 0;
    bool aw_done = false, w_done = false;
    uint64_t done_at = 0; // the clock both handshakes were done
};

struct Read {
    bool active = false;
    uint32_t addr = 0;
    unsigned ar_wait = 0;
    bool ar_done = false;
    uint64_t done_at = 0;
    uint32_t expect = 0;
    bool gstat_word = false; // a data window word from a GSTAT READ
};

/* The table command in flight: BUSY in the clocks after `issued` up to
 * `done`, both included. */
struct TableCmd {
    bool active = false, external = false;
    uint64_t issued = 0, done = 0;
    uint32_t cmd = 0, select = 0, index = 0, status = 0, result = 0;
    bool we = false;
    Window pre{}, post{};
};

/* The registered outputs, as they must read in the next clock. */
struct Outputs {
    bool enable = false, fail_closed = false, expired = false;
    uint32_t cfg = 0;
    uint64_t timeout_ns = 0, kicked = 0;
};

struct Stats {
    uint64_t reads = 0, writes = 0, unmapped_reads = 0, unaligned = 0, partial_writes = 0;
    uint64_t aw_first = 0, w_first = 0, aw_w_together = 0, same_clock_rw = 0;
    uint64_t commits = 0, snapshots = 0, kicks = 0, expired_reads = 0, deadline_steps = 0, time_lo_reads = 0;
    uint64_t gstat_reads = 0, gstat_words_checked = 0, bad_table = 0, bad_cmd = 0, bad_index = 0;
    uint64_t external_cmds = 0, wide_cmds = 0, busy_reads = 0, busy_writes_ignored = 0;
    uint64_t events = 0, events_with_snapshot = 0, resets = 0;
};

class Bench {
public:
    Bench(uint64_t seed, uint64_t target_ops);
    ~Bench();
    Bench(const Bench &) = delete;
    Bench &operator=(const Bench &) = delete;
    void run();

private:
    [[noreturn]] void fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    uint64_t r64() { return rng_(); }
    uint32_t r32() { return static_cast<uint32_t>(rng_()); }
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
    bool chance(unsigned permille) { return below(1000) < permille; }

    void step();
    void drive();
    void drive_table();
    void observe();
    void check_outputs();
    void check_protocol();
    void expect_outputs();
    void fresh_reference();

    void start_write();
    void start_read();
    uint32_t pick_addr(bool for_write);
    uint32_t pick_data(uint32_t addr);
    void advance_time();
    Event random_event();
    void count(const Event &e);
    bool busy(uint64_t clock) const { return tc_.active && tc_.issued < clock && clock <= tc_.done; }
    uint32_t expected_read(uint32_t addr);
    void apply_write(uint32_t addr, uint32_t data, uint8_t strb);
    void table_command(uint32_t data);
    Window model_window();

    VerilatedContext ctx_;
    std::unique_ptr<Vscrub_regs> dut_;
    std::mt19937_64 rng_;
    uint64_t seed_, target_ops_, ops_ = 0, cycle_ = 0, last_progress_ = 0;

    scrub_model *m_ = nullptr;
    const scrub_model_params params_ = SCRUB_MODEL_PARAMS_SIM;
    std::array<Counter, kGstat> live_{}, snap_{};
    uint64_t now_ = 0, kicked_ = 0;
    bool now_changed_ = false;
    uint32_t timeout_ms_ = 0, cfg_active_ = 0;
    uint64_t commit_at_ = kNever, snapshot_at_ = kNever;
    TableCmd tc_;
    bool window_from_gstat_ = false;
    Outputs out_;

    Write wr_;
    Read rd_;
    unsigned wr_gap_ = 0, rd_gap_ = 0;
    uint32_t macro_[4] = {};
    unsigned macro_len_ = 0, macro_pos_ = 0;
    Event ev_;
    unsigned ev_permille_ = 500, time_permille_ = 20;
    bool prev_bvalid_ = false, prev_bready_ = false, prev_rvalid_ = false, prev_rready_ = false;
    uint32_t prev_rdata_ = 0;
    unsigned reset_clocks_ = 0;
    bool want_reset_ = false;
    Stats st_;
};

Bench::Bench(uint64_t seed, uint64_t target_ops)
    : dut_(nullptr), rng_(seed), seed_(seed), target_ops_(target_ops)
{
    ctx_.randReset(2); // registers start random: only reset may matter
    ctx_.randSeed(static_cast<int>(seed & 0x7fffffff));
    dut_ = std::make_unique<Vscrub_regs>(&ctx_, "dut");
    reset_clocks_ = 3; // the reference starts when reset ends
}

Bench::~Bench()
{
    dut_->final();
    scrub_model_free(m_);
}

void Bench::fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "regs_rtl: MISMATCH at clock %" PRIu64 " (seed %" PRIu64 ", after %" PRIu64 " operations): ",
            cycle_, seed_, ops_);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* The model and every expectation as they are out of reset. */
void Bench::fresh_reference()
{
    scrub_model_free(m_);
    m_ = scrub_model_new(&params_);
    if (!m_) {
        fprintf(stderr, "regs_rtl: scrub_model_new failed\n");
        exit(1);
    }
    scrub_model_set_time(m_, now_);
    live_ = {};
    snap_ = {};
    kicked_ = 0;
    timeout_ms_ = 0;
    cfg_active_ = 0;
    commit_at_ = snapshot_at_ = kNever;
    tc_ = TableCmd{};
    window_from_gstat_ = false;
    expect_outputs();
}

// ---- stimulus -----------------------------------------------------------------------------

uint32_t Bench::pick_addr(bool for_write)
{
    static const uint32_t port[] = {SCRUB_REG_TBL_SELECT, SCRUB_REG_TBL_INDEX, SCRUB_REG_TBL_STATUS,
                                    SCRUB_REG_TBL_RESULT, SCRUB_REG_STATUS};
    static const uint32_t control[] = {SCRUB_REG_CTRL,      SCRUB_REG_COMMIT,    SCRUB_REG_SNAPSHOT,
                                       SCRUB_REG_WDOG_TIMEOUT, SCRUB_REG_WDOG_KICK, SCRUB_REG_TIME_LO,
                                       SCRUB_REG_TIME_HI,   SCRUB_REG_COMMIT_COUNT, SCRUB_REG_COOKIE_LO,
                                       SCRUB_REG_COOKIE_HI, SCRUB_REG_CFG_ACTIONS};
    uint32_t r = below(100);
    if (r < 25)
        return control[below(sizeof(control) / sizeof(*control))];
    if (r < 40)
        return port[below(sizeof(port) / sizeof(*port))];
    if (r < (for_write ? 50u : 45u))
        return SCRUB_REG_TBL_CMD;
    if (r < 62) // the words a GSTAT entry uses, often
        return SCRUB_REG_TBL_DATA + 4 * below(4);
    if (r < 72)
        return SCRUB_REG_TBL_DATA + 4 * below(kWords);
    if (r < 88)
        return kRegNames[below(sizeof(kRegNames) / sizeof(*kRegNames))].addr;
    if (r < 96)
        return below(kAddrSpace) & ~3u;
    return below(kAddrSpace);
}

uint32_t Bench::pick_data(uint32_t addr)
{
    uint32_t r = below(100);
    switch (addr) {
    case SCRUB_REG_CTRL:
    case SCRUB_REG_CFG_ACTIONS:
        return r < 80 ? below(16) : r32();
    case SCRUB_REG_COMMIT:
    case SCRUB_REG_SNAPSHOT:
        return r < 80 ? 1 : r32();
    case SCRUB_REG_WDOG_TIMEOUT:
        return r < 10 ? 0 : r < 85 ? 1 + below(5) : r32();
    case SCRUB_REG_TBL_SELECT:
        return r < 45 ? SCRUB_TABLE_GSTAT : r < 90 ? below(9) : r32();
    case SCRUB_REG_TBL_INDEX:
        return r < 80 ? below(kGstat) : r < 90 ? kGstat - 1 + below(2) : r32();
    case SCRUB_REG_TBL_CMD:
        return r < 45 ? SCRUB_CMD_READ : r < 55 ? SCRUB_CMD_WRITE : r < 85 ? below(7) : r < 92 ? 0x100u | SCRUB_CMD_READ : r32();
    default:
        return r < 50 ? r32() : below(256);
    }
}

void Bench::start_write()
{
    wr_ = Write{};
    wr_.active = true;
    if (macro_pos_ == macro_len_ && chance(40)) {
        // A consistent GSTAT read: snapshot (mostly), select, index, READ.
        macro_len_ = macro_pos_ = 0;
        if (chance(700)) {
            macro_[macro_len_++] = SCRUB_REG_SNAPSHOT;
        }
        macro_[macro_len_++] = SCRUB_REG_TBL_SELECT;
        macro_[macro_len_++] = SCRUB_REG_TBL_INDEX;
        macro_[macro_len_++] = SCRUB_REG_TBL_CMD;
    }
    if (macro_pos_ < macro_len_) {
        wr_.addr = macro_[macro_pos_++];
        wr_.data = wr_.addr == SCRUB_REG_SNAPSHOT     ? 1
                   : wr_.addr == SCRUB_REG_TBL_SELECT ? SCRUB_TABLE_GSTAT
                   : wr_.addr == SCRUB_REG_TBL_INDEX  ? below(kGstat)
                                                      : SCRUB_CMD_READ;
        wr_.strb = 0xf;
    } else {
        wr_.addr = pick_addr(true);
        wr_.data = pick_data(wr_.addr);
        wr_.strb = chance(930) ? 0xf : static_cast<uint8_t>(below(16));
    }
    wr_.aw_wait = chance(500) ? 0 : below(4);
    wr_.w_wait = chance(500) ? 0 : below(4);
    st_.aw_first += wr_.aw_wait < wr_.w_wait;
    st_.w_first += wr_.w_wait < wr_.aw_wait;
    st_.aw_w_together += wr_.aw_wait == wr_.w_wait;
}

void Bench::start_read()
{
    rd_ = Read{};
    rd_.active = true;
    rd_.addr = pick_addr(false);
    rd_.ar_wait = chance(500) ? 0 : below(4);
}

Event Bench::random_event()
{
    Event e;
    uint32_t r = below(100);
    e.len = r < 60 ? 60 + below(1459) : r < 90 ? below(SCRUB_MAX_FRAME + 2) : r32();
    e.outcome = static_cast<uint8_t>(chance(850) ? SCRUB_GSTAT_PASS_UNPROTECTED + below(13) : below(kGstat));
    e.tx = chance(500);
    e.seen_valid = chance(300);
    r = below(100);
    e.seen = static_cast<uint8_t>(r < 30   ? SCRUB_GSTAT_SEEN_NONIP
                                  : r < 60 ? SCRUB_GSTAT_SEEN_UNPARSED
                                  : r < 90 ? SCRUB_GSTAT_MALFORMED_BASE + below(SCRUB_MAL_COUNT)
                                           : below(kGstat));
    e.late_valid = chance(100);
    e.late = static_cast<uint8_t>(chance(900) ? SCRUB_GSTAT_MALFORMED_BASE + (chance(500) ? SCRUB_MAL_GIANT
                                                                                           : SCRUB_MAL_IP_TRUNCATED)
                                              : below(kGstat));
    e.lost = chance(700) ? 0 : below(8) ? below(8) : below(1u << 17);
    return e;
}

void Bench::advance_time()
{
    uint32_t r = below(100);
    uint64_t deadline = kicked_ + static_cast<uint64_t>(timeout_ms_) * kNsPerMs;
    uint64_t next;
    if (r < 25 && timeout_ms_ && deadline + 1 > now_ && deadline - now_ < (1ull << 40)) {
        next = deadline + below(2); // the boundary: not yet, and just past
        st_.deadline_steps++;
    } else if (r < 50) {
        next = now_ + 1 + below(1000);
    } else if (r < 80) {
        next = now_ + below(3 * kNsPerMs);
    } else if (r < 97) {
        next = now_ + below(10 * kNsPerMs);
    } else {
        next = now_ + (r64() & ((1ull << 40) - 1));
    }
    if (next > now_ && next < (1ull << 62)) {
        now_ = next;
        now_changed_ = true;
    }
}

// ---- one clock ---------------------------------------------------------------------------

void Bench::step()
{
    drive();
    dut_->clk = 0;
    dut_->eval();
    observe();
    dut_->clk = 1;
    dut_->eval();
    ctx_.timeInc(1);
    cycle_++;
}

void Bench::drive()
{
    dut_->rst = reset_clocks_ > 0;
    if (!reset_clocks_ && chance(time_permille_))
        advance_time();
    dut_->now = now_;

    bool awvalid = wr_.active && !wr_.aw_done && wr_.aw_wait == 0;
    bool wvalid = wr_.active && !wr_.w_done && wr_.w_wait == 0;
    bool arvalid = rd_.active && !rd_.ar_done && rd_.ar_wait == 0;
    dut_->s_axil_awvalid = awvalid;
    dut_->s_axil_awaddr = static_cast<uint16_t>(awvalid ? wr_.addr : below(kAddrSpace));
    dut_->s_axil_wvalid = wvalid;
    dut_->s_axil_wdata = wvalid ? wr_.data : r32();
    dut_->s_axil_wstrb = static_cast<uint8_t>(wvalid ? wr_.strb : below(16));
    dut_->s_axil_bready = chance(700);
    dut_->s_axil_arvalid = arvalid;
    dut_->s_axil_araddr = static_cast<uint16_t>(arvalid ? rd_.addr : below(kAddrSpace));
    dut_->s_axil_rready = chance(700);

    // Frame ends: in reset too (they must not count), garbage when not valid.
    ev_ = random_event();
    ev_.valid = chance(ev_permille_);
    dut_->ev_valid = ev_.valid;
    dut_->ev_len = ev_.len;
    dut_->ev_outcome = ev_.outcome;
    dut_->ev_tx = ev_.tx;
    dut_->ev_seen_valid = ev_.seen_valid;
    dut_->ev_seen = ev_.seen;
    dut_->ev_late_valid = ev_.late_valid;
    dut_->ev_late = ev_.late;
    dut_->ev_lost = ev_.lost;
    // The pipeline's commit and snapshot are done at once here, and the
    // global snapshot is the register file's own pulse.
    dut_->commit_busy = 0;
    dut_->snapshot_busy = 0;
    dut_->gstat_snap = dut_->snapshot;

    drive_table();
}

/* The table side of tbl_*: the model's result of the command at the chosen
 * clock, garbage (tbl_done included) whenever no answer is due, and in
 * tbl_data_in when tbl_data_we is 0. */
void Bench::drive_table()
{
    bool waiting = tc_.active && tc_.external && cycle_ > tc_.issued && cycle_ <= tc_.done;
    bool answer = waiting && cycle_ == tc_.done;
    dut_->tbl_done = answer || (!waiting && chance(500));
    dut_->tbl_status = static_cast<uint8_t>(answer ? tc_.status : r32());
    dut_->tbl_result = answer ? tc_.result : r32();
    dut_->tbl_data_we = answer ? tc_.we : chance(500);
    for (uint32_t w = 0; w < kWords; w++)
        dut_->tbl_data_in.at(w) = answer && tc_.we ? tc_.post[w] : r32();
}

void Bench::check_protocol()
{
    if (dut_->s_axil_bvalid) {
        if (!wr_.active || !wr_.aw_done || !wr_.w_done)
            fail("BVALID without a write awaiting its response");
        if (dut_->s_axil_bresp != 0)
            fail("BRESP %u, expected OKAY", dut_->s_axil_bresp);
        if (!prev_bvalid_ && cycle_ != wr_.done_at + 1)
            fail("BVALID %" PRIu64 " clocks after the write, expected 1", cycle_ - wr_.done_at);
    } else if (prev_bvalid_ && !prev_bready_) {
        fail("BVALID dropped before BREADY");
    }
    if (dut_->s_axil_rvalid) {
        if (!rd_.active || !rd_.ar_done)
            fail("RVALID without a read awaiting its data");
        if (dut_->s_axil_rresp != 0)
            fail("RRESP %u, expected OKAY", dut_->s_axil_rresp);
        if (!prev_rvalid_ && cycle_ != rd_.done_at + 2)
            fail("RVALID %" PRIu64 " clocks after the read, expected 2", cycle_ - rd_.done_at);
        if (prev_rvalid_ && !prev_rready_ && dut_->s_axil_rdata != prev_rdata_)
            fail("RDATA changed while RVALID waited for RREADY");
    } else if (prev_rvalid_ && !prev_rready_) {
        fail("RVALID dropped before RREADY");
    }
    prev_bvalid_ = dut_->s_axil_bvalid;
    prev_bready_ = dut_->s_axil_bready;
    prev_rvalid_ = dut_->s_axil_rvalid;
    prev_rready_ = dut_->s_axil_rready;
    prev_rdata_ = dut_->s_axil_rdata;
}

void Bench::check_outputs()
{
    if (dut_->ctrl_enable != out_.enable || dut_->ctrl_fail_closed != out_.fail_closed)
        fail("ctrl_enable/ctrl_fail_closed %u/%u, expected %u/%u", dut_->ctrl_enable, dut_->ctrl_fail_closed,
             out_.enable, out_.fail_closed);
    if (dut_->cfg_actions != out_.cfg)
        fail("cfg_actions 0x%x, expected the committed 0x%x", dut_->cfg_actions, out_.cfg);
    if (dut_->wdog_expired != out_.expired)
        fail("wdog_expired %u, expected %u (now %" PRIu64 ", kicked %" PRIu64 ", timeout %u ms)", dut_->wdog_expired,
             out_.expired, now_, kicked_, timeout_ms_);
    if (dut_->wdog_timeout_ns != out_.timeout_ns || dut_->wdog_kicked != out_.kicked)
        fail("wdog_timeout_ns/wdog_kicked %" PRIu64 "/%" PRIu64 ", expected %" PRIu64 "/%" PRIu64,
             static_cast<uint64_t>(dut_->wdog_timeout_ns), static_cast<uint64_t>(dut_->wdog_kicked), out_.timeout_ns,
             out_.kicked);
    if (dut_->commit != (commit_at_ == cycle_))
        fail("commit pulse %u, expected %u", dut_->commit, commit_at_ == cycle_);
    if (dut_->snapshot != (snapshot_at_ == cycle_))
        fail("snapshot pulse %u, expected %u", dut_->snapshot, snapshot_at_ == cycle_);

    bool cmd_due = tc_.active && tc_.external && cycle_ == tc_.issued + 1;
    if (dut_->tbl_cmd_valid != cmd_due)
        fail("tbl_cmd_valid %u, expected %u", dut_->tbl_cmd_valid, cmd_due);
    if (cmd_due) {
        uint32_t cmd8 = tc_.cmd > 0xff ? 0 : tc_.cmd;
        if (dut_->tbl_cmd != cmd8 || dut_->tbl_select != tc_.select || dut_->tbl_index != tc_.index)
            fail("table command %u select %u index %u passed on, expected %u %u %u", dut_->tbl_cmd,
                 dut_->tbl_select, dut_->tbl_index, cmd8, tc_.select, tc_.index);
        for (uint32_t w = 0; w < kWords; w++)
            if (dut_->tbl_data_out.at(w) != tc_.pre[w])
                fail("tbl_data_out word %u 0x%08x, expected 0x%08x", w, dut_->tbl_data_out.at(w), tc_.pre[w]);
    }
}

/* What the registered outputs show in the next clock: the state after this
 * clock's accesses. Reading STATUS makes the model update its watchdog,
 * which it did already when its time last moved. */
void Bench::expect_outputs()
{
    uint32_t ctrl = scrub_model_read(m_, SCRUB_REG_CTRL);
    out_.enable = ctrl & SCRUB_CTRL_ENABLE_MASK;
    out_.fail_closed = ctrl & SCRUB_CTRL_FAIL_CLOSED_MASK;
    out_.expired = scrub_model_read(m_, SCRUB_REG_STATUS) & SCRUB_STATUS_WDOG_EXPIRED_MASK;
    out_.cfg = cfg_active_;
    out_.timeout_ns = static_cast<uint64_t>(timeout_ms_) * kNsPerMs;
    out_.kicked = kicked_;
}

void Bench::count(const Event &e)
{
    auto add = [&](uint32_t i) {
        live_[i].packets++;
        live_[i].bytes += e.len;
    };
    add(SCRUB_GSTAT_RX);
    add(e.outcome);
    if (e.tx)
        add(SCRUB_GSTAT_TX);
    if (e.seen_valid)
        add(e.seen);
    if (e.late_valid)
        add(e.late);
    live_[SCRUB_GSTAT_COUNT_ONLY_LOST].packets += e.lost;
}

Window Bench::model_window()
{
    Window w;
    for (uint32_t i = 0; i < kWords; i++)
        w[i] = scrub_model_read(m_, SCRUB_REG_TBL_DATA + 4 * i);
    return w;
}

uint32_t Bench::expected_read(uint32_t addr)
{
    uint32_t v = scrub_model_read(m_, addr);
    // The pipeline's commit and snapshot are done at once here (their busy
    // inputs are 0), but STATUS shows them busy in their pulse's clock.
    if (addr == SCRUB_REG_STATUS) {
        v |= commit_at_ == cycle_ ? SCRUB_STATUS_COMMIT_BUSY_MASK : 0;
        v |= snapshot_at_ == cycle_ ? SCRUB_STATUS_SNAPSHOT_BUSY_MASK : 0;
    }
    if (busy(cycle_)) {
        st_.busy_reads++;
        if (addr == SCRUB_REG_STATUS)
            v |= SCRUB_STATUS_TABLE_BUSY_MASK;
        else if (addr == SCRUB_REG_TBL_STATUS)
            v = SCRUB_TBL_STATUS_BUSY_MASK;
        else if (addr == SCRUB_REG_TBL_RESULT)
            v = 0;
        else if (in_window(addr))
            v = tc_.pre[(addr - SCRUB_REG_TBL_DATA) / 4];
    }
    return v;
}

void Bench::table_command(uint32_t data)
{
    TableCmd t;
    t.active = true;
    t.issued = cycle_;
    t.cmd = data;
    t.select = scrub_model_read(m_, SCRUB_REG_TBL_SELECT);
    t.index = scrub_model_read(m_, SCRUB_REG_TBL_INDEX);
    t.pre = model_window();
    scrub_model_write(m_, SCRUB_REG_TBL_CMD, data);
    t.status = scrub_model_read(m_, SCRUB_REG_TBL_STATUS);
    t.result = scrub_model_read(m_, SCRUB_REG_TBL_RESULT);
    st_.bad_table += t.status == SCRUB_STATUS_BAD_TABLE;
    st_.bad_cmd += t.status == SCRUB_STATUS_BAD_CMD;
    st_.bad_index += t.status == SCRUB_STATUS_BAD_INDEX;
    st_.wide_cmds += data > 0xff;
    window_from_gstat_ = false;
    if (t.select == SCRUB_TABLE_GSTAT) {
        if (t.status == SCRUB_STATUS_OK) {
            // The model has no frames: its entry is the reference's snapshot.
            const Counter &c = snap_[t.index];
            scrub_model_write(m_, SCRUB_REG_TBL_DATA + 4 * SCRUB_GSTAT_PACKETS_WORD, static_cast<uint32_t>(c.packets >> 32));
            scrub_model_write(m_, SCRUB_REG_TBL_DATA + 4 * (SCRUB_GSTAT_PACKETS_WORD + 1), static_cast<uint32_t>(c.packets));
            scrub_model_write(m_, SCRUB_REG_TBL_DATA + 4 * SCRUB_GSTAT_BYTES_WORD, static_cast<uint32_t>(c.bytes >> 32));
            scrub_model_write(m_, SCRUB_REG_TBL_DATA + 4 * (SCRUB_GSTAT_BYTES_WORD + 1), static_cast<uint32_t>(c.bytes));
            t.done = cycle_ + 2;
            window_from_gstat_ = true;
            st_.gstat_reads++;
        } else {
            t.done = cycle_ + 1;
        }
    } else {
        t.external = true;
        t.post = model_window();
        uint32_t r = below(100);
        unsigned delay = r < 30 ? 0 : r < 90 ? 1 + below(8) : 20 + below(130);
        t.done = cycle_ + 1 + delay;
        t.we = t.post != t.pre || chance(500);
        st_.external_cmds++;
    }
    tc_ = t;
}

void Bench::apply_write(uint32_t addr, uint32_t data, uint8_t strb)
{
    st_.writes++;
    if (strb != 0xf) {
        st_.partial_writes++;
        return;
    }
    bool port = addr == SCRUB_REG_TBL_SELECT || addr == SCRUB_REG_TBL_INDEX || addr == SCRUB_REG_TBL_CMD ||
                in_window(addr);
    if (port && busy(cycle_)) {
        st_.busy_writes_ignored++;
        return;
    }
    if (addr == SCRUB_REG_TBL_CMD) {
        table_command(data);
        return;
    }
    // A COMMIT or SNAPSHOT in the clock of its own pulse finds it busy.
    if ((addr == SCRUB_REG_COMMIT && commit_at_ == cycle_) || (addr == SCRUB_REG_SNAPSHOT && snapshot_at_ == cycle_)) {
        st_.busy_writes_ignored++;
        return;
    }
    scrub_model_write(m_, addr, data);
    if (in_window(addr) && (addr - SCRUB_REG_TBL_DATA) / 4 < 4)
        window_from_gstat_ = false;
    switch (addr) {
    case SCRUB_REG_COMMIT:
        if (data & 1) {
            commit_at_ = cycle_ + 1;
            cfg_active_ = scrub_model_read(m_, SCRUB_REG_CFG_ACTIONS);
            st_.commits++;
        }
        break;
    case SCRUB_REG_SNAPSHOT:
        if (data & 1) {
            snapshot_at_ = cycle_ + 1;
            st_.snapshots++;
        }
        break;
    case SCRUB_REG_WDOG_TIMEOUT:
        timeout_ms_ = data;
        kicked_ = now_;
        st_.kicks++;
        break;
    case SCRUB_REG_WDOG_KICK:
        kicked_ = now_;
        st_.kicks++;
        break;
    default:
        break;
    }
}

void Bench::observe()
{
    if (reset_clocks_) { // the state is random until the first edge in reset
        prev_bvalid_ = prev_rvalid_ = false;
    } else {
        check_protocol();
    }
    bool aw_hs = dut_->s_axil_awvalid && dut_->s_axil_awready;
    bool w_hs = dut_->s_axil_wvalid && dut_->s_axil_wready;
    bool ar_hs = dut_->s_axil_arvalid && dut_->s_axil_arready;
    bool b_hs = dut_->s_axil_bvalid && dut_->s_axil_bready;
    bool r_hs = dut_->s_axil_rvalid && dut_->s_axil_rready;
    bool wr_now = (aw_hs || w_hs) && (aw_hs || wr_.aw_done) && (w_hs || wr_.w_done);

    if (reset_clocks_) {
        if (aw_hs || w_hs || ar_hs)
            fail("a handshake in reset");
        if (--reset_clocks_ == 0)
            fresh_reference();
        return;
    }
    check_outputs();

    // This clock's accesses, in the order the RTL serves them: the time,
    // the read, the snapshot and the frame end, the write.
    if (now_changed_) {
        scrub_model_set_time(m_, now_);
        now_changed_ = false;
    }
    if (ar_hs) {
        rd_.ar_done = true;
        rd_.done_at = cycle_;
        rd_.expect = expected_read(rd_.addr);
        rd_.gstat_word = window_from_gstat_ && !busy(cycle_) && in_window(rd_.addr) &&
                         (rd_.addr - SCRUB_REG_TBL_DATA) / 4 < 4 && rd_.expect != 0;
        st_.same_clock_rw += wr_now;
    }
    if (snapshot_at_ == cycle_) {
        snap_ = live_;
        st_.events_with_snapshot += ev_.valid;
    }
    if (ev_.valid) {
        count(ev_);
        st_.events++;
    }
    if (wr_now) {
        wr_.done_at = cycle_;
        apply_write(wr_.addr, wr_.data, wr_.strb);
    }
    if (tc_.active && cycle_ >= tc_.done)
        tc_.active = false;
    expect_outputs();

    // The master's side of the handshakes.
    if (aw_hs)
        wr_.aw_done = true;
    if (w_hs)
        wr_.w_done = true;
    if (wr_.active && !wr_.aw_done && wr_.aw_wait)
        wr_.aw_wait--;
    if (wr_.active && !wr_.w_done && wr_.w_wait)
        wr_.w_wait--;
    if (rd_.active && !rd_.ar_done && rd_.ar_wait)
        rd_.ar_wait--;
    if (b_hs) {
        wr_.active = false;
        wr_gap_ = chance(500) ? 0 : below(4);
        ops_++;
        last_progress_ = cycle_;
    }
    if (r_hs) {
        uint32_t got = dut_->s_axil_rdata;
        if (got != rd_.expect)
            fail("read %s (0x%03x) returned 0x%08x, the model says 0x%08x", reg_name(rd_.addr).c_str(), rd_.addr,
                 got, rd_.expect);
        st_.reads++;
        st_.unmapped_reads += !is_named(rd_.addr);
        st_.unaligned += rd_.addr % 4 != 0;
        st_.expired_reads += rd_.addr == SCRUB_REG_STATUS && (got & SCRUB_STATUS_WDOG_EXPIRED_MASK);
        st_.time_lo_reads += rd_.addr == SCRUB_REG_TIME_LO;
        st_.gstat_words_checked += rd_.gstat_word;
        rd_.active = false;
        rd_gap_ = chance(500) ? 0 : below(4);
        ops_++;
        last_progress_ = cycle_;
    }
}

// ---- the run ------------------------------------------------------------------------------

void Bench::run()
{
    const uint64_t reset_every = target_ops_ / 4 + 1;
    uint64_t next_reset = reset_every;
    while (ops_ < target_ops_ || wr_.active || rd_.active) {
        if (cycle_ % 4096 == 0) { // traffic and time move in phases
            static const unsigned rates[] = {0, 100, 500, 900, 1000};
            ev_permille_ = rates[below(5)];
            time_permille_ = chance(500) ? 5 : 60;
        }
        if (ops_ >= next_reset) {
            want_reset_ = true;
            next_reset += reset_every;
        }
        bool stop = want_reset_ || ops_ >= target_ops_;
        // A write's pulses come before its response: idle streams have none due.
        if (want_reset_ && !wr_.active && !rd_.active && !tc_.active && !reset_clocks_) {
            want_reset_ = false;
            reset_clocks_ = 1 + below(3);
            st_.resets++;
        }
        if (!stop && !reset_clocks_) {
            if (!wr_.active && !wr_gap_)
                start_write();
            else if (!wr_.active)
                wr_gap_--;
            if (!rd_.active && !rd_gap_)
                start_read();
            else if (!rd_.active)
                rd_gap_--;
        }
        step();
        if (cycle_ - last_progress_ > 100000)
            fail("no AXI response for 100000 clocks");
    }

    struct {
        const char *name;
        uint64_t n;
    } const cover[] = {
        {"unmapped reads", st_.unmapped_reads},
        {"unaligned accesses", st_.unaligned},
        {"partial writes", st_.partial_writes},
        {"AW before W", st_.aw_first},
        {"W before AW", st_.w_first},
        {"AW with W", st_.aw_w_together},
        {"read and write in one clock", st_.same_clock_rw},
        {"commits", st_.commits},
        {"snapshots", st_.snapshots},
        {"frame ends in a snapshot's clock", st_.events_with_snapshot},
        {"kicks", st_.kicks},
        {"expired STATUS reads", st_.expired_reads},
        {"steps to the deadline", st_.deadline_steps},
        {"TIME_LO reads", st_.time_lo_reads},
        {"GSTAT reads", st_.gstat_reads},
        {"GSTAT words checked", st_.gstat_words_checked},
        {"BAD_TABLE", st_.bad_table},
        {"BAD_CMD", st_.bad_cmd},
        {"BAD_INDEX", st_.bad_index},
        {"external commands", st_.external_cmds},
        {"commands beyond 8 bits", st_.wide_cmds},
        {"reads while BUSY", st_.busy_reads},
        {"writes ignored while BUSY", st_.busy_writes_ignored},
        {"resets", st_.resets},
    };
    printf("regs_rtl: seed %" PRIu64 ", %" PRIu64 " clocks, %" PRIu64 " reads, %" PRIu64 " writes, %" PRIu64
           " frame ends\n",
           seed_, cycle_, st_.reads, st_.writes, st_.events);
    bool holes = false;
    for (const auto &c : cover) {
        printf("regs_rtl:   %-34s %" PRIu64 "\n", c.name, c.n);
        if (c.n == 0) {
            fprintf(stderr, "regs_rtl: coverage hole: no %s\n", c.name);
            holes = true;
        }
    }
    if (holes)
        exit(1);
    printf("regs_rtl_ops=%" PRIu64 " mismatches=0\n", ops_);
}

} // namespace

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], nullptr, 0) : 1;
    uint64_t ops = argc > 2 ? strtoull(argv[2], nullptr, 0) : 1000000;
    Bench bench(seed, ops);
    bench.run();
    return 0;
}
