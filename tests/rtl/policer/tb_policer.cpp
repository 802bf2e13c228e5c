/* tests/rtl/policer: scrub_policer (hw/rtl) against the C model, clock by
 * clock.
 *
 * The reference is a whole scrub_model: commands go through its register
 * side (TBL_SELECT = POLICER, TBL_INDEX, TBL_DATA, TBL_CMD; COMMIT after
 * scrub_model_set_time(commit_now)), lookups through its policer function
 * on its own tables, as pipeline.c's police() does:
 * scrub_policer_conform(&m->pol[i], &m->pol_state[i], now, packets ? 1 :
 * len), counter pair COUNTER + !conform.
 *
 * Order of events, as the module's header defines it: a lookup presented
 * in clock c is applied to the model in c; a swap in c commits the model
 * before that clock's lookup; a WRITE is applied when its done is seen (it
 * was performed the clock before, and nothing else reads the shadow); a
 * READ is answered by the model at its PEEK clock (the first clock after
 * cmd_valid with no lookup in which a command may run: no sweep, and not
 * behind a pending commit), which this bench mirrors, with commit_ready.
 *
 * Traffic: phases of one policer every clock, short periodic patterns of
 * two or three policers (A B A B, A A B B, A B C ...), a few hot policers
 * with random idle clocks, and sparse traffic over all of them; time steps
 * of 0, small, large and huge (past the 2^62 clamp). Commands (READ, WRITE
 * with random packet/byte mode, rates 0..2^40-1 and beyond, bursts
 * 0..2^32-1, RESET, bad counters, bad commands and indexes) and commits
 * at random clocks.
 *
 * Usage: tb_policer [seed [clocks]]. Prints the coverage and
 * policer_rtl_clocks=<n> mismatches=0, or the first mismatch with the seed
 * and exits 1; exits 1 too if a planned coverage bin stayed empty. */
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "Vscrub_policer.h"
#include "Vscrub_policer_scrub_policer.h"
#include "verilated.h"

extern "C" {
#include "model_internal.h"
}

namespace {

constexpr uint32_t kPolicers = 256;
constexpr uint32_t kCounters = 4096;
constexpr uint32_t kWords = SCRUB_DATA_WORDS;
constexpr uint64_t kRateMax = (1ull << 40) - 1;

using Window = std::array<uint32_t, kWords>;

enum Bin {
    B_CONFORM,
    B_EXCEED,
    B_SAME_B2B,
    B_DIST2,
    B_DIST3,
    B_DIST5,
    B_DIST9,
    B_DIST10,
    B_CAP,
    B_DT_CLAMP,
    B_PACKET_MODE,
    B_COMMIT,
    B_RESET,
    B_UNIT_CHANGE,
    B_DEPTH_CUT,
    B_SWAP_STRADDLE,
    B_ON_THE_FLY,
    B_READ,
    B_READ_HELD,
    B_WRITE,
    B_BAD_RATE,
    B_BAD_COUNTER,
    B_BAD_CMD,
    B_BAD_INDEX,
    B_COUNT
};
const char *const kBinNames[B_COUNT] = {
    "conform", "exceed", "same_policer_back_to_back", "distance_2", "distance_3", "distance_5", "distance_9",
    "distance_10", "cap_reached", "dt_clamped", "packet_mode", "commits", "resets", "unit_changes", "depth_cut",
    "swap_straddle", "on_the_fly_reconfig", "reads", "reads_held_by_commit", "writes", "bad_rate", "bad_counter",
    "bad_cmd", "bad_index"};

struct Expected {
    uint64_t due;
    bool conform;
    uint32_t counter;
};

class Bench {
  public:
    Bench(uint64_t seed) : seed_(seed), rng_(seed)
    {
        struct scrub_model_params p = {16, 16, 16, kPolicers, kCounters, 256};
        m_ = scrub_model_new(&p);
        if (!m_)
            fail("scrub_model_new failed");
        top_.clk = 0;
        top_.rst = 1;
        for (int i = 0; i < 4; i++)
            edge();
        top_.rst = 0;
        top_.eval();
        scrub_model_write(m_, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_POLICER);
        last_seen_.assign(kPolicers, ~0ull);
    }
    ~Bench() { scrub_model_free(m_); }

    void run(uint64_t clocks);
    bool report() const;

  private:
    [[noreturn]] void fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    uint64_t rnd(uint64_t n) { return n ? rng_() % n : 0; }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    uint64_t log_uniform(unsigned max_bits)
    {
        unsigned bits = (unsigned)rnd(max_bits + 1);
        return bits == 0 ? 0 : (1ull << (bits - 1)) | (rng_() & ((1ull << (bits - 1)) - 1));
    }
    void edge()
    {
        top_.clk = 1;
        top_.eval();
        top_.clk = 0;
        top_.eval();
    }
    uint32_t hot() { return hot_[rnd(hot_.size())]; }
    void new_phase();
    void traffic(bool &valid, uint32_t &idx);
    uint64_t time_step();
    void random_command();
    void model_command(uint8_t cmd, uint32_t idx, const Window *data, uint8_t &status, uint32_t &result, Window &win);
    void on_swap(uint64_t now);
    void check_outputs();

    uint64_t seed_;
    std::mt19937_64 rng_;
    Vscrub_policer top_;
    struct scrub_model *m_;
    const uint32_t latency_ = Vscrub_policer_scrub_policer::LATENCY;
    uint64_t cycle_ = 0, time_ = 0, commit_now_ = 0;
    std::deque<Expected> expected_;
    std::array<uint64_t, B_COUNT> cov_{};

    // traffic
    int phase_ = 0;
    uint64_t phase_left_ = 0;
    double idle_p_ = 0;
    std::vector<uint32_t> hot_, pattern_;
    size_t pattern_pos_ = 0;
    std::vector<uint64_t> last_seen_;
    uint64_t swap_cycle_ = ~0ull;

    // the module's command and commit state, mirrored
    bool cmd_out_ = false, needs_peek_ = false, peeked_ = false, before_ = false;
    uint8_t c_cmd_ = 0;
    uint32_t c_idx_ = 0;
    Window c_data_{};
    uint64_t c_start_ = 0;
    uint8_t peek_status_ = 0;
    Window peek_win_{};
    bool pending_ = false;
    int swap_wait_ = 0;
    bool sweeping_ = false, copy_wr_ = false;
    uint32_t sweep_ptr_ = 0, copy_ptr_ = 0;
};

void Bench::fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tb_policer: seed %" PRIu64 " clock %" PRIu64 ": ", seed_, cycle_);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

void Bench::new_phase()
{
    phase_ = (int)rnd(4);
    hot_.clear();
    pattern_.clear();
    size_t n = phase_ == 0 ? 1 : phase_ == 1 ? 2 + rnd(2) : 2 + rnd(7);
    for (size_t i = 0; i < n; i++)
        hot_.push_back((uint32_t)rnd(kPolicers));
    switch (phase_) {
    case 0: // one policer every clock
        phase_left_ = 1000 + rnd(2000);
        idle_p_ = 0;
        break;
    case 1: // a short periodic pattern: A B A B, A A B B, A B C, A B B B B B B B B B ...
        phase_left_ = 500 + rnd(1500);
        idle_p_ = chance(0.5) ? 0 : 0.05;
        for (size_t i = 0, len = 2 + rnd(11); i < len; i++)
            pattern_.push_back(hot_[i == 0 ? 0 : chance(0.3) ? 0 : rnd(hot_.size())]);
        pattern_pos_ = 0;
        break;
    case 2: // a few hot policers
        phase_left_ = 1000 + rnd(4000);
        idle_p_ = chance(0.3) ? 0 : 0.05 + 0.3 * std::uniform_real_distribution<double>(0, 1)(rng_);
        break;
    default: // sparse, over all policers
        phase_left_ = 500 + rnd(2500);
        idle_p_ = 0.5;
        break;
    }
}

void Bench::traffic(bool &valid, uint32_t &idx)
{
    if (phase_left_ == 0)
        new_phase();
    phase_left_--;
    valid = !chance(idle_p_);
    if (!valid)
        return;
    switch (phase_) {
    case 0:
        idx = hot_[0];
        break;
    case 1:
        idx = pattern_[pattern_pos_];
        pattern_pos_ = (pattern_pos_ + 1) % pattern_.size();
        break;
    case 2:
        idx = hot();
        break;
    default:
        idx = (uint32_t)rnd(kPolicers);
        break;
    }
}

uint64_t Bench::time_step()
{
    uint64_t r = rnd(100000);
    if (r < 40000)
        return 0;
    if (r < 70000)
        return 1 + rnd(100);
    if (r < 90000)
        return rnd(1000000);
    if (r < 99990)
        return rnd(2000000000);
    if (time_ < (1ull << 63) - (1ull << 61))
        return rnd(1ull << 58) + (chance(0.5) ? (1ull << 62) : 0);
    return 0;
}

void Bench::model_command(uint8_t cmd, uint32_t idx, const Window *data, uint8_t &status, uint32_t &result,
                          Window &win)
{
    if (data)
        for (uint32_t w = 0; w < kWords; w++)
            scrub_model_write(m_, SCRUB_REG_TBL_DATA + 4 * w, (*data)[w]);
    scrub_model_write(m_, SCRUB_REG_TBL_INDEX, idx);
    scrub_model_write(m_, SCRUB_REG_TBL_CMD, cmd);
    status = (uint8_t)scrub_model_read(m_, SCRUB_REG_TBL_STATUS);
    result = scrub_model_read(m_, SCRUB_REG_TBL_RESULT);
    for (uint32_t w = 0; w < kWords; w++)
        win[w] = scrub_model_read(m_, SCRUB_REG_TBL_DATA + 4 * w);
}

void Bench::random_command()
{
    uint64_t r = rnd(100);
    c_idx_ = chance(0.7) && !hot_.empty() ? hot() : (uint32_t)rnd(kPolicers);
    if (r < 45) {
        c_cmd_ = SCRUB_CMD_WRITE;
        struct scrub_policer_entry e = {};
        e.packets = chance(0.3);
        e.reset = chance(0.3);
        uint64_t k = rnd(10);
        e.rate = k == 0 ? 0 : k == 1 ? kRateMax : k == 2 ? kRateMax + 1 + rnd(1ull << 40) : log_uniform(40);
        if (chance(0.01))
            e.rate = ~0ull - rnd(1000);
        k = rnd(10);
        e.burst = k == 0 ? 0 : k == 1 ? 0xffffffffu : (uint32_t)log_uniform(k == 2 ? 32 : 16);
        k = rnd(20);
        e.counter = k == 0 ? kCounters - 1 + (uint32_t)rnd(3) : k == 1 ? (uint32_t)rng_() : (uint32_t)rnd(kCounters - 1);
        e.tokens = rng_();
        e.last = rng_();
        scrub_policer_pack(&e, c_data_.data());
        for (uint32_t w = SCRUB_TABLE_POLICER_WORDS; w < kWords; w++)
            c_data_[w] = chance(0.1) ? (uint32_t)rng_() : 0;
    } else if (r < 90) {
        c_cmd_ = SCRUB_CMD_READ;
        for (uint32_t &w : c_data_)
            w = (uint32_t)rng_();
    } else {
        static const uint8_t others[] = {0, SCRUB_CMD_EM_INSERT, SCRUB_CMD_EM_DELETE, SCRUB_CMD_EM_LOOKUP, 0x77, 0xff};
        c_cmd_ = r < 95 ? others[rnd(sizeof others)] : (chance(0.5) ? SCRUB_CMD_READ : SCRUB_CMD_WRITE);
        if (r >= 93)
            c_idx_ = kPolicers + (uint32_t)rnd(0x100000000ull - kPolicers);
    }
}

void Bench::on_swap(uint64_t now)
{
    cov_[B_COMMIT]++;
    for (uint32_t i = 0; i < kPolicers; i++) {
        const struct scrub_policer_entry *n = &m_->pol_shadow[i], *o = &m_->pol[i];
        if (n->reset)
            cov_[B_RESET]++;
        else if (n->packets != o->packets)
            cov_[B_UNIT_CHANGE]++;
        else if (m_->pol_state[i].tokens > (uint64_t)n->burst * SCRUB_NS_PER_S)
            cov_[B_DEPTH_CUT]++;
    }
    scrub_model_set_time(m_, now);
    if (m_->now != now)
        fail("commit_now %" PRIu64 " is behind the model's time %" PRIu64, now, m_->now);
    scrub_model_write(m_, SCRUB_REG_COMMIT, 1);
}

void Bench::check_outputs()
{
    uint64_t c = cycle_ + 1;
    if (top_.m_valid) {
        if (expected_.empty() || expected_.front().due != c)
            fail("m_valid without a lookup due (latency %u)", latency_);
        const Expected &e = expected_.front();
        if (top_.m_conform != e.conform || top_.m_counter != e.counter)
            fail("lookup: RTL conform %u counter %u, model conform %u counter %u", top_.m_conform, top_.m_counter,
                 e.conform, e.counter);
        expected_.pop_front();
    } else if (!expected_.empty() && expected_.front().due == c) {
        fail("lookup due and no m_valid");
    }

    if (!top_.cmd_done) {
        if (cmd_out_ && cycle_ - c_start_ > 40 * kPolicers + 100000)
            fail("command %u on %u not done after %" PRIu64 " clocks", c_cmd_, c_idx_, cycle_ - c_start_);
        return;
    }
    if (!cmd_out_)
        fail("cmd_done without a command");
    cmd_out_ = false;
    uint8_t status;
    uint32_t result;
    Window win;
    if (needs_peek_) {
        if (!peeked_)
            fail("READ done before its PEEK clock");
        status = peek_status_;
        result = 0;
        win = peek_win_;
        cov_[B_READ]++;
    } else {
        model_command(c_cmd_, c_idx_, &c_data_, status, result, win);
        cov_[B_WRITE] += status == SCRUB_STATUS_OK;
        cov_[B_BAD_CMD] += status == SCRUB_STATUS_BAD_CMD;
        cov_[B_BAD_INDEX] += status == SCRUB_STATUS_BAD_INDEX;
        cov_[B_BAD_RATE] += status == SCRUB_STATUS_BAD_ENTRY && result == SCRUB_POLICER_RATE_WORD;
        cov_[B_BAD_COUNTER] += status == SCRUB_STATUS_BAD_ENTRY && result == SCRUB_POLICER_COUNTER_WORD;
    }
    if (top_.cmd_status != status || top_.cmd_result != result)
        fail("command %u index %u: RTL status %u result %u, model %u %u", c_cmd_, c_idx_, top_.cmd_status,
             top_.cmd_result, status, result);
    if (top_.cmd_rdata_we != needs_peek_)
        fail("command %u index %u: cmd_rdata_we %u", c_cmd_, c_idx_, top_.cmd_rdata_we);
    if (needs_peek_)
        for (uint32_t w = 0; w < kWords; w++)
            if (top_.cmd_rdata[w] != win[w])
{
                for (uint32_t v = 0; v < SCRUB_TABLE_POLICER_WORDS; v++)
                    fprintf(stderr, "  word %u: RTL %08x model %08x\n", v, top_.cmd_rdata[v], win[v]);
                fail("READ %u word %u: RTL %08x, model %08x", c_idx_, w, top_.cmd_rdata[w], win[w]);
            }
}

void Bench::run(uint64_t clocks)
{
    // Every policer configured and reset, then committed.
    for (uint32_t i = 0; i < kPolicers; i++) {
        struct scrub_policer_entry e = {};
        e.packets = chance(0.3);
        e.reset = true;
        e.rate = log_uniform(40);
        e.burst = (uint32_t)log_uniform(20);
        e.counter = (uint32_t)rnd(kCounters - 1);
        scrub_policer_pack(&e, c_data_.data());
        for (uint32_t w = 0; w < kWords; w++)
            top_.cmd_data[w] = c_data_[w];
        top_.cmd_valid = 1;
        top_.cmd = SCRUB_CMD_WRITE;
        top_.cmd_index = i;
        edge();
        top_.cmd_valid = 0;
        while (!top_.cmd_done)
            edge();
        uint8_t st;
        uint32_t res;
        Window win;
        model_command(SCRUB_CMD_WRITE, i, &c_data_, st, res, win);
        if (st != SCRUB_STATUS_OK || top_.cmd_status != st)
            fail("setup write %u: RTL %u model %u", i, top_.cmd_status, st);
    }

    for (uint64_t n = 0; n < clocks; n++, cycle_++) {
        bool ready = top_.commit_ready, busy = top_.commit_busy;
        bool sweeping = sweeping_;
        if (busy != (pending_ || sweeping))
            fail("commit_busy %u, expected %u", busy, !busy);
        if (ready != (pending_ && !sweeping && !(cmd_out_ && before_)))
            fail("commit_ready %u, expected %u (pending %u sweeping %u)", ready, !ready, pending_, sweeping);

        bool start = !pending_ && n > 0 && chance(n < 20000 ? 1.0 / 3000 : 1.0 / 6000);
        bool swap = false;
        if (ready && swap_wait_-- <= 0)
            swap = true;
        bool valid;
        uint32_t idx = 0;
        traffic(valid, idx);
        uint16_t len = (uint16_t)(rnd(5) == 0 ? rnd(65536) : rnd(5) == 0 ? rnd(64) : 40 + rnd(1461));
        if (valid)
            time_ += time_step();
        bool new_cmd = !cmd_out_ && chance(1.0 / 40);

        // The model, in the module's order for this clock.
        bool pend_c = pending_, before_c = before_;
        if (swap) {
            uint64_t extra = chance(0.5) ? 0 : rnd(5000);
            commit_now_ = std::max(commit_now_, time_ + extra);
            top_.commit_now = commit_now_;
            on_swap(commit_now_);
            pending_ = false;
            before_ = true;
            swap_cycle_ = cycle_;
        }
        if (cmd_out_ && needs_peek_ && !peeked_ && !sweeping && (!pend_c || before_c) && !valid) {
            uint32_t result;
            model_command(SCRUB_CMD_READ, c_idx_, nullptr, peek_status_, result, peek_win_);
            peeked_ = true;
        }
        // The sweep: a TOUCH in every clock without a lookup, the copy in every clock.
        bool copy_rd = sweeping && copy_ptr_ < kPolicers;
        bool sweep_end = sweeping && sweep_ptr_ == kPolicers && copy_ptr_ == kPolicers && !copy_wr_;
        if (sweeping && !valid && sweep_ptr_ < kPolicers)
            sweep_ptr_++;
        copy_ptr_ += copy_rd;
        copy_wr_ = copy_rd;
        if (sweep_end)
            sweeping_ = false;
        if (valid) {
            bool packets_now = m_->pol[idx].packets;
            struct scrub_policer_entry *cfg = &m_->pol[idx];
            struct scrub_policer_state *st = &m_->pol_state[idx];
            uint64_t depth = (uint64_t)cfg->burst * SCRUB_NS_PER_S;
            if (time_ > st->last) {
                uint64_t dt = time_ - st->last;
                cov_[B_DT_CLAMP] += dt > (1ull << 62);
                unsigned __int128 fill = (unsigned __int128)cfg->rate * (dt > (1ull << 62) ? 1ull << 62 : dt);
                cov_[B_CAP] += depth > 0 && fill >= depth - st->tokens;
            }
            bool ok = scrub_policer_conform(cfg, st, time_, packets_now ? 1 : len);
            expected_.push_back({cycle_ + latency_, ok, cfg->counter + (ok ? 0u : 1u)});
            cov_[ok ? B_CONFORM : B_EXCEED]++;
            cov_[B_PACKET_MODE] += packets_now;
            uint64_t d = last_seen_[idx] == ~0ull ? 0 : cycle_ - last_seen_[idx];
            cov_[B_SAME_B2B] += d == 1;
            cov_[B_DIST2] += d == 2;
            cov_[B_DIST3] += d == 3;
            cov_[B_DIST5] += d == 5;
            cov_[B_DIST9] += d == 9;
            cov_[B_DIST10] += d == 10;
            cov_[B_SWAP_STRADDLE] += swap_cycle_ != ~0ull && last_seen_[idx] < swap_cycle_ &&
                                     cycle_ >= swap_cycle_ && cycle_ - last_seen_[idx] <= latency_;
            cov_[B_ON_THE_FLY] += swap || (sweeping && idx >= sweep_ptr_);
            last_seen_[idx] = cycle_;
        }
        if (new_cmd) {
            random_command();
            cmd_out_ = true;
            needs_peek_ = c_cmd_ == SCRUB_CMD_READ && c_idx_ < kPolicers;
            peeked_ = false;
            before_ = !pend_c || swap;
            c_start_ = cycle_;
            cov_[B_READ_HELD] += needs_peek_ && (pend_c || sweeping);
        }
        if (swap) {
            sweeping_ = true;
            sweep_ptr_ = copy_ptr_ = 0;
        }
        if (start) {
            pending_ = true;
            swap_wait_ = (int)rnd(12);
        }

        top_.commit_start = start;
        top_.commit_swap = swap;
        top_.s_valid = valid;
        top_.s_index = idx;
        top_.s_len = len;
        top_.s_now = valid ? time_ : rng_();
        top_.cmd_valid = new_cmd;
        if (new_cmd) {
            top_.cmd = c_cmd_;
            top_.cmd_index = c_idx_;
            for (uint32_t w = 0; w < kWords; w++)
                top_.cmd_data[w] = c_data_[w];
        }
        if (!swap)
            top_.commit_now = rng_();
        edge();
        check_outputs();
    }
}

bool Bench::report() const
{
    bool ok = true;
    for (int b = 0; b < B_COUNT; b++) {
        printf("coverage %-28s %" PRIu64 "\n", kBinNames[b], cov_[b]);
        if (cov_[b] == 0) {
            fprintf(stderr, "tb_policer: seed %" PRIu64 ": coverage bin %s is empty\n", seed_, kBinNames[b]);
            ok = false;
        }
    }
    if (cov_[B_SAME_B2B] < 1000) {
        fprintf(stderr, "tb_policer: seed %" PRIu64 ": fewer than 1000 back-to-back frames on one policer\n", seed_);
        ok = false;
    }
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    uint64_t seed = argc > 1 ? strtoull(argv[1], nullptr, 0) : 0x9e3779b97f4a7c15ull;
    uint64_t clocks = argc > 2 ? strtoull(argv[2], nullptr, 0) : 1000000;
    printf("tb_policer: seed %" PRIu64 ", %" PRIu64 " clocks\n", seed, clocks);
    auto bench = std::make_unique<Bench>(seed);
    bench->run(clocks);
    if (!bench->report())
        return 1;
    printf("policer_rtl_clocks=%" PRIu64 " mismatches=0\n", clocks);
    return 0;
}
