/* tests/rtl/dest: scrub_dest (hw/rtl) against the model's DEST table
 * (hw/model/model.c: table_dest, check_dest, commit; hw/model/lpm.c:
 * scrub_lpm_lookup), clock by clock.
 *
 * Three streams run at once:
 * - table commands, one at a time as the register file sends them: WRITEs
 *   of prefixes drawn to nest (chains of children), repeat (duplicates at
 *   other indexes), neighbour (siblings), IPv4-mapped and IPv6, lengths 0
 *   and 128, at both ends of the space, disabled, invalid with garbage,
 *   and refused ones (each check, and several at once for the order);
 *   READs; other commands; indexes past the table. Each runs on the model
 *   in the clock the RTL receives it; status, TBL_RESULT and the data
 *   window must match at cmd_done. Phases fill the table, empty it, or
 *   write the worst case (every entry a disjoint prefix: 2n + 1 intervals);
 * - commits at random moments (not while commit_busy), swapped a random
 *   number of clocks after commit_ready, commands going on meanwhile;
 * - a lookup nearly every clock, on prefix starts and ends, one before and
 *   one after them, inside them, and at random, each compared LATENCY
 *   clocks later with scrub_lpm_lookup over the entries that were active
 *   when it was presented: the model's committed entries from the swap on,
 *   a copy of the previous ones before it.
 * Every build's clocks (commit_start to commit_ready) must equal the
 * formula in scrub_dest.v's header, with the number of valid entries v and
 * of distinct valid prefixes u.
 *
 * Usage: tb_dest [seed [commits]]. Prints the coverage and
 * dest_rtl_commits=<n> mismatches=0, or the first mismatch with the seed
 * and exits 1; an empty coverage bin fails too. */
#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "Vscrub_dest.h"
#include "Vscrub_dest_scrub_dest.h"
#include "verilated.h"

extern "C" {
#include "lpm.h"
#include "model_internal.h"
#include "scrub_model.h"
}

namespace {

constexpr uint32_t kEntries = TB_DEST_ENTRIES;
constexpr uint32_t kCounters = TB_COUNTERS;
constexpr uint32_t kWords = SCRUB_DATA_WORDS;
using u128 = unsigned __int128;
using Window = std::array<uint32_t, kWords>;

u128 to_u128(const scrub_addr &a)
{
    u128 v = 0;
    for (unsigned i = 0; i < 16; i++)
        v = v << 8 | a.b[i];
    return v;
}

scrub_addr to_addr(u128 v)
{
    scrub_addr a;
    for (int i = 15; i >= 0; i--) {
        a.b[i] = (uint8_t)v;
        v >>= 8;
    }
    return a;
}

u128 host_mask(unsigned plen) /* the bits below a prefix of plen bits */
{
    return plen >= 128 ? 0 : ~(u128)0 >> plen;
}

std::string hex(u128 v)
{
    char buf[40];
    snprintf(buf, sizeof(buf), "%016" PRIx64 "%016" PRIx64, (uint64_t)(v >> 64), (uint64_t)v);
    return buf;
}

const u128 kV4Space = (u128)0xffff << 32;

/* A set of active entries and the model's index over them. */
struct Table {
    std::vector<scrub_dest_entry> e;
    scrub_lpm lpm{};
    std::vector<bool> nested; /* a shorter valid prefix covers it */
    Table() : e(kEntries)
    {
        if (scrub_lpm_init(&lpm, kEntries) != 0)
            abort();
    }
    ~Table() { scrub_lpm_free(&lpm); }
    Table(const Table &) = delete;
    Table &operator=(const Table &) = delete;
    void load(const scrub_dest_entry *from)
    {
        std::copy(from, from + kEntries, e.begin());
        scrub_lpm_build(&lpm, e.data(), kEntries);
        nested.assign(kEntries, false);
        for (uint32_t i = 0; i < kEntries; i++)
            for (uint32_t j = 0; j < kEntries && e[i].valid; j++)
                if (e[j].valid && e[j].plen < e[i].plen &&
                    ((to_u128(e[i].prefix) ^ to_u128(e[j].prefix)) & ~host_mask(e[j].plen)) == 0)
                    nested[i] = true;
    }
};

struct Expect {
    uint64_t due;
    int32_t index;
    scrub_dest_entry entry;
    u128 addr;
};

struct Coverage {
    uint64_t hits_plen0 = 0, hits_short = 0, hits_mid = 0, hits_v4 = 0, hits_plen128 = 0;
    uint64_t misses = 0, nested_hits = 0, disabled_hits = 0, v6_hits = 0, v4_addr_hits = 0;
    uint64_t old_bank_during_build = 0, new_bank_at_swap = 0;
    uint64_t commits = 0, empty_commits = 0, worst_case_commits = 0, held_cmds = 0;
    uint64_t reads = 0, writes_ok = 0, writes_invalid = 0, bad_cmd = 0, bad_index = 0;
    uint64_t bad_plen = 0, bad_prefix = 0, bad_counter = 0, dup_prefixes = 0;
    uint64_t build_min = ~0ull, build_max = 0;
};

class Bench {
public:
    Bench(uint64_t seed, uint64_t commits);
    ~Bench();
    int run();

private:
    void fail(const char *what, ...) __attribute__((format(printf, 2, 3)));
    void clock();
    void check_lookup();
    void drive_lookup();
    void drive_command();
    void drive_commit();
    void start_command();
    scrub_dest_entry draw_entry(Window &w, uint32_t &index);
    u128 draw_addr();
    u128 draw_prefix(unsigned plen);
    uint64_t expected_build_clocks() const;
    bool coverage_ok();

    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Vscrub_dest> top_;
    scrub_model *model_;
    std::mt19937_64 rng_;
    uint64_t seed_, commits_target_, cycle_ = 0;
    bool failed_ = false;

    Table old_;                  /* the active entries before the pending swap */
    bool old_serves_ = false;    /* lookups see old_ (a commit started, no swap yet) */
    std::vector<bool> nested_now_;
    std::deque<Expect> in_flight_;

    /* command in progress */
    bool cmd_busy_ = false, cmd_held_ = false;
    uint64_t cmd_sent_ = 0;
    unsigned cmd_gap_ = 0;
    uint8_t exp_status_ = 0;
    uint32_t exp_result_ = 0;
    Window exp_data_{}, data_{};

    /* commit in progress */
    enum { IDLE, BUILDING, READY } commit_ = IDLE;
    uint64_t commit_at_ = 0, swap_at_ = 0;
    unsigned commands_left_ = 0, valid_at_commit_ = 0, unique_at_commit_ = 0;
    bool commit_waits_ = false;

    /* what the table holds: phases of writes */
    enum { MIXED, FILL, EMPTY, WORST } phase_ = MIXED;
    uint32_t worst_next_ = 0;
    Coverage cov_;
};

Bench::Bench(uint64_t seed, uint64_t commits)
    : ctx_(new VerilatedContext), top_(new Vscrub_dest(ctx_.get())), rng_(seed), seed_(seed),
      commits_target_(commits)
{
    scrub_model_params p = {kEntries, 512, 64, 256, kCounters, 256};
    model_ = scrub_model_new(&p);
    if (!model_)
        abort();
    old_.load(model_->dest);
    nested_now_ = old_.nested;
    top_->clk = 0;
    top_->rst = 1;
    top_->cmd_valid = 0;
    top_->commit_start = 0;
    top_->commit_swap = 0;
    top_->s_valid = 0;
    for (int i = 0; i < 3; i++) {
        top_->clk = 0;
        top_->eval();
        top_->clk = 1;
        top_->eval();
    }
    top_->rst = 0;
}

Bench::~Bench()
{
    top_->final();
    scrub_model_free(model_);
}

void Bench::fail(const char *what, ...)
{
    if (failed_)
        return;
    failed_ = true;
    va_list ap;
    va_start(ap, what);
    fprintf(stderr, "tb_dest: seed %" PRIu64 " clock %" PRIu64 ": ", seed_, cycle_);
    vfprintf(stderr, what, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- prefixes and addresses ------------------------------------------------ */

u128 Bench::draw_prefix(unsigned plen)
{
    u128 r = (u128)rng_() << 64 | rng_();
    return r & ~host_mask(plen);
}

/* A prefix for entry i: most come from the shadow's valid entries (a child,
 * the same prefix, a sibling, a parent), so that chains and duplicates form;
 * the rest from clusters (IPv4-mapped, documentation IPv6, the ends of the
 * space, short prefixes). */
scrub_dest_entry Bench::draw_entry(Window &w, uint32_t &index)
{
    scrub_dest_entry e{};
    std::vector<uint32_t> valid;
    for (uint32_t i = 0; i < kEntries; i++)
        if (model_->dest_shadow[i].valid)
            valid.push_back(i);
    unsigned pick = rng_() % 100;
    u128 prefix = 0;
    unsigned plen = 0;
    if (phase_ == EMPTY)
        index = worst_next_++; /* every entry, invalid: an empty table */
    if (phase_ == WORST) {
        /* Disjoint prefixes, none touching another or either end: 2n + 1
         * intervals. */
        index = worst_next_++;
        plen = 120;
        prefix = kV4Space - ((u128)(index + 1) << 9);
    } else if (!valid.empty() && pick < 45) {
        const scrub_dest_entry &o = model_->dest_shadow[valid[rng_() % valid.size()]];
        u128 op = to_u128(o.prefix);
        unsigned k = rng_() % 4;
        if (k == 0 && o.plen < 128) { /* child */
            plen = std::min<unsigned>(128u, o.plen + 1u + (unsigned)(rng_() % 12));
            prefix = op | (draw_prefix(plen) & host_mask(o.plen));
        } else if (k == 1) { /* duplicate */
            plen = o.plen;
            prefix = op;
        } else if (k == 2 && o.plen > 0) { /* sibling */
            plen = o.plen;
            prefix = op ^ ((u128)1 << (128 - plen));
        } else { /* parent */
            plen = o.plen > 0 ? o.plen - 1 - (unsigned)(rng_() % std::min<unsigned>(o.plen, 8u)) : 0;
            prefix = op & ~host_mask(plen);
        }
    } else {
        switch (rng_() % 8) {
        case 0: /* IPv4, 10.0.0.0/14 */
            plen = 110 + (unsigned)(rng_() % 19);
            prefix = (kV4Space | (u128)0x0a000000 | (draw_prefix(plen) & (((u128)1 << 18) - 1))) & ~host_mask(plen);
            break;
        case 1: /* IPv4, anywhere */
            plen = 96 + (unsigned)(rng_() % 33);
            prefix = (kV4Space | (draw_prefix(plen) & 0xffffffffu)) & ~host_mask(plen);
            break;
        case 2: /* IPv6, 2001:db8::/32 */
            plen = 32 + (unsigned)(rng_() % 97);
            prefix = ((u128)0x20010db8 << 96 | (draw_prefix(plen) & (~(u128)0 >> 32))) & ~host_mask(plen);
            break;
        case 3: /* the top of the space */
            plen = (unsigned)(rng_() % 129);
            prefix = ~host_mask(plen) & (rng_() % 2 ? ~(u128)0 : draw_prefix(plen) | ((u128)0xff << 120));
            break;
        case 4: /* the bottom of the space, short prefixes covering the IPv4 space */
            plen = (unsigned)(rng_() % 97);
            prefix = 0;
            break;
        case 5: /* host routes and the default */
            plen = rng_() % 2 ? 128 : 0;
            prefix = rng_() % 2 ? kV4Space | (u128)0x0a000000 | (rng_() & 0xff) : draw_prefix(plen);
            prefix &= ~host_mask(plen);
            break;
        default: /* anything */
            plen = (unsigned)(rng_() % 129);
            prefix = draw_prefix(plen);
            break;
        }
    }
    e.prefix = to_addr(prefix);
    e.plen = (uint8_t)plen;
    e.valid = true;
    e.enable = rng_() % 4 != 0;
    e.tenant = (uint16_t)rng_();
    e.profile = (uint8_t)rng_();
    e.counter = (uint32_t)(rng_() % (kCounters - 1));
    if (rng_() % 20 == 0)
        e.counter = kCounters - 2; /* the last pair */

    /* Garbage around the fields, which the card ignores. */
    for (uint32_t &word : w)
        word = (uint32_t)rng_();
    unsigned bad = phase_ == WORST ? 100 : (unsigned)(rng_() % 100);
    if (phase_ == EMPTY || (bad < 8 && phase_ != FILL)) {
        e.valid = false; /* not checked: anything goes */
        e.plen = (uint8_t)rng_();
        e.prefix = to_addr((u128)rng_() << 64 | rng_());
        e.counter = (uint32_t)rng_();
    } else if (bad < 16) {
        unsigned which = (unsigned)(rng_() % 7);
        if (which & 1)
            e.plen = (uint8_t)(129 + rng_() % 127);
        if (which & 2) {
            unsigned p = e.plen > 127 ? 127 : e.plen;
            e.prefix = to_addr(to_u128(e.prefix) | (u128)1 << (rng_() % (128 - p)));
        }
        if (which & 4 || which == 0)
            e.counter = kCounters - 1 + (uint32_t)(rng_() % 3 == 0 ? 0 : rng_() % (0u - kCounters + 1));
    }
    scrub_words packed;
    scrub_dest_pack(&e, packed);
    /* Every field from the packed words; the rest of w stays garbage. */
    const uint32_t field_mask[SCRUB_TABLE_DEST_WORDS] = {~0u, ~0u, ~0u, ~0u, 0x3ff, 0xffffff, ~0u};
    for (unsigned i = 0; i < SCRUB_TABLE_DEST_WORDS; i++)
        w[i] = (w[i] & ~field_mask[i]) | packed[i];
    return e;
}

u128 Bench::draw_addr()
{
    unsigned pick = rng_() % 100;
    const Table &t = old_;
    const scrub_dest_entry *pool = rng_() % 2 ? model_->dest_shadow : (rng_() % 2 ? model_->dest : t.e.data());
    if (pick < 70) {
        const scrub_dest_entry &e = pool[rng_() % kEntries];
        u128 start = to_u128(e.prefix) & ~host_mask(e.plen > 128 ? 128 : e.plen);
        u128 end = start | host_mask(e.plen > 128 ? 128 : e.plen);
        switch (rng_() % 7) {
        case 0: return start;
        case 1: return end;
        case 2: return start - 1;
        case 3: return end + 1;
        default: return start | (((u128)rng_() << 64 | rng_()) & (end - start));
        }
    }
    if (pick < 80)
        return kV4Space | (rng_() & 0xffffffffu);
    if (pick < 85)
        return kV4Space | 0x0a000000 | (rng_() & 0x3ffff);
    if (pick < 88)
        return rng_() % 2 ? 0 : ~(u128)0;
    return (u128)rng_() << 64 | rng_();
}

/* ---- the streams ------------------------------------------------------------- */

void Bench::drive_lookup()
{
    top_->s_valid = rng_() % 16 != 0;
    u128 a = draw_addr();
    for (int i = 0; i < 4; i++)
        top_->s_addr[i] = (uint32_t)(a >> (32 * i));
    if (!top_->s_valid)
        return;
    /* From the swap's clock on, the model's committed entries. */
    bool from_old = old_serves_ && !top_->commit_swap;
    const scrub_dest_entry *entries = from_old ? old_.e.data() : model_->dest;
    scrub_addr addr = to_addr(a);
    int32_t idx = scrub_lpm_lookup(from_old ? &old_.lpm : &model_->lpm, &addr);
    Expect x{cycle_ + Vscrub_dest_scrub_dest::LATENCY, idx, idx >= 0 ? entries[idx] : scrub_dest_entry{}, a};
    in_flight_.push_back(x);
    if (idx < 0) {
        cov_.misses++;
        return;
    }
    unsigned plen = entries[idx].plen;
    if (plen == 0)
        cov_.hits_plen0++;
    else if (plen < 64)
        cov_.hits_short++;
    else if (plen < 96)
        cov_.hits_mid++;
    else if (plen < 128)
        cov_.hits_v4++;
    else
        cov_.hits_plen128++;
    if ((from_old ? old_.nested : nested_now_)[idx])
        cov_.nested_hits++;
    if (!entries[idx].enable)
        cov_.disabled_hits++;
    if (scrub_addr_is_v4(&addr))
        cov_.v4_addr_hits++;
    else
        cov_.v6_hits++;
    if (from_old && commit_ == BUILDING)
        cov_.old_bank_during_build++;
    if (top_->commit_swap)
        cov_.new_bank_at_swap++;
}

void Bench::check_lookup()
{
    bool due = !in_flight_.empty() && in_flight_.front().due == cycle_;
    if (!top_->m_valid) {
        if (due)
            fail("lookup of %s: m_valid low after LATENCY clocks", hex(in_flight_.front().addr).c_str());
        return;
    }
    if (!due) {
        fail("m_valid without a lookup due");
        return;
    }
    Expect x = in_flight_.front();
    in_flight_.pop_front();
    bool hit = x.index >= 0;
    const scrub_dest_entry &e = x.entry;
    uint32_t got_enable = top_->m_enable, got_tenant = top_->m_tenant, got_profile = top_->m_profile;
    uint32_t got_counter = top_->m_counter, got_index = top_->m_index;
    if (top_->m_hit != hit || got_index != (hit ? (uint32_t)x.index : 0) || got_enable != (hit && e.enable) ||
        got_tenant != (hit ? e.tenant : 0) || got_profile != (hit ? e.profile : 0) ||
        got_counter != (hit ? e.counter : 0))
        fail("lookup of %s: RTL hit %u index %u enable %u tenant %u profile %u counter %u, model %s %d "
             "(%s/%u) enable %u tenant %u profile %u counter %u",
             hex(x.addr).c_str(), top_->m_hit, got_index, got_enable, got_tenant, got_profile, got_counter,
             hit ? "hit" : "miss", x.index, hex(to_u128(e.prefix)).c_str(), e.plen, hit && e.enable, hit ? e.tenant : 0, hit ? e.profile : 0,
             hit ? e.counter : 0);
}

void Bench::start_command()
{
    Window w{};
    uint32_t index = (uint32_t)(rng_() % kEntries);
    uint32_t cmd = SCRUB_CMD_WRITE;
    unsigned pick = rng_() % 100;
    if (phase_ == WORST || phase_ == EMPTY) {
        draw_entry(w, index);
    } else if (pick < 10) {
        cmd = SCRUB_CMD_READ;
        for (uint32_t &word : w)
            word = (uint32_t)rng_();
    } else if (pick < 13) {
        do
            cmd = (uint32_t)(rng_() % 256);
        while (cmd == SCRUB_CMD_READ || cmd == SCRUB_CMD_WRITE);
        if (rng_() % 2)
            index = kEntries + (uint32_t)(rng_() % 4); /* BAD_CMD comes first */
        draw_entry(w, index);
    } else if (pick < 16) {
        index = rng_() % 2 ? kEntries : (uint32_t)rng_() | kEntries;
        if (rng_() % 2)
            cmd = SCRUB_CMD_READ;
        draw_entry(w, index);
    } else {
        draw_entry(w, index);
    }
    if (cmd == SCRUB_CMD_WRITE && index < kEntries) {
        scrub_dest_entry e;
        scrub_dest_unpack(w.data(), &e);
        for (uint32_t i = 0; i < kEntries && e.valid; i++)
            if (i != index && model_->dest_shadow[i].valid && model_->dest_shadow[i].plen == e.plen &&
                scrub_addr_eq(&model_->dest_shadow[i].prefix, &e.prefix)) {
                cov_.dup_prefixes++;
                break;
            }
    }

    /* The model runs it now. */
    scrub_model_write(model_, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_DEST);
    scrub_model_write(model_, SCRUB_REG_TBL_INDEX, index);
    for (uint32_t i = 0; i < kWords; i++)
        scrub_model_write(model_, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
    scrub_model_write(model_, SCRUB_REG_TBL_CMD, cmd);
    exp_status_ = (uint8_t)scrub_model_read(model_, SCRUB_REG_TBL_STATUS);
    exp_result_ = scrub_model_read(model_, SCRUB_REG_TBL_RESULT);
    for (uint32_t i = 0; i < kWords; i++)
        exp_data_[i] = scrub_model_read(model_, SCRUB_REG_TBL_DATA + 4 * i);
    data_ = w;

    top_->cmd_valid = 1;
    top_->cmd = (uint8_t)cmd;
    top_->cmd_index = index;
    for (uint32_t i = 0; i < kWords; i++)
        top_->cmd_data[i] = w[i];
    cmd_busy_ = true;
    cmd_held_ = top_->commit_busy;
    cmd_sent_ = cycle_;

    if (exp_status_ == SCRUB_STATUS_OK)
        (cmd == SCRUB_CMD_READ ? cov_.reads : (w[SCRUB_DEST_VALID_WORD] >> SCRUB_DEST_VALID_LSB & 1)
                                                  ? cov_.writes_ok
                                                  : cov_.writes_invalid)++;
    else if (exp_status_ == SCRUB_STATUS_BAD_CMD)
        cov_.bad_cmd++;
    else if (exp_status_ == SCRUB_STATUS_BAD_INDEX)
        cov_.bad_index++;
    else if (exp_result_ == SCRUB_DEST_PLEN_WORD)
        cov_.bad_plen++;
    else if (exp_result_ == SCRUB_DEST_PREFIX_WORD)
        cov_.bad_prefix++;
    else
        cov_.bad_counter++;
}

void Bench::drive_command()
{
    top_->cmd_valid = 0;
    if (cmd_busy_) {
        if (!top_->cmd_done) {
            if (cycle_ - cmd_sent_ > 4 * kEntries + 100)
                fail("command sent at clock %" PRIu64 " never done", cmd_sent_);
            return;
        }
        cmd_busy_ = false;
        if (cycle_ - cmd_sent_ > 3 && cmd_held_)
            cov_.held_cmds++;
        Window got_data = data_;
        if (top_->cmd_rdata_we)
            for (uint32_t i = 0; i < kWords; i++)
                got_data[i] = top_->cmd_rdata[i];
        if (top_->cmd_status != exp_status_ || top_->cmd_result != exp_result_ || got_data != exp_data_) {
            unsigned word = 0;
            while (word < kWords - 1 && got_data[word] == exp_data_[word])
                word++;
            fail("command %u index %u: RTL status %u result %u data[%u] %08x, model %u %u %08x", top_->cmd,
                 top_->cmd_index, top_->cmd_status, top_->cmd_result, word, got_data[word], exp_status_,
                 exp_result_, exp_data_[word]);
        }
        if (commands_left_ > 0)
            commands_left_--;
        cmd_gap_ = (unsigned)(rng_() % 3);
        return;
    }
    if (top_->cmd_done)
        fail("cmd_done without a command");
    if (cmd_gap_ > 0) {
        cmd_gap_--;
        return;
    }
    if ((phase_ == WORST || phase_ == EMPTY) && worst_next_ == kEntries)
        return; /* every entry is written: wait for the commit */
    start_command();
}

uint64_t Bench::expected_build_clocks() const
{
    uint64_t v = valid_at_commit_, passes = 1;
    while (v > 1 && ((uint64_t)1 << passes) < v)
        passes++;
    /* A command in commit_start's clock delays the shadow's read by one. */
    uint64_t wait = commit_waits_ ? 1 : 0;
    return kEntries + 6 + passes * (v + 1) + unique_at_commit_ + wait;
}

void Bench::drive_commit()
{
    top_->commit_start = 0;
    top_->commit_swap = 0;
    if (commit_ == BUILDING && top_->commit_ready) {
        uint64_t clocks = cycle_ - commit_at_;
        cov_.build_min = std::min(cov_.build_min, clocks);
        cov_.build_max = std::max(cov_.build_max, clocks);
        if (clocks != expected_build_clocks())
            fail("build of %u valid entries (%u distinct prefixes) took %" PRIu64 " clocks, the formula says "
                 "%" PRIu64,
                 valid_at_commit_, unique_at_commit_, clocks, expected_build_clocks());
        commit_ = READY;
        swap_at_ = cycle_ + (rng_() % 4 == 0 ? 0 : rng_() % 6);
    }
    if (commit_ == BUILDING && cycle_ - commit_at_ > 40ull * kEntries + 1000)
        fail("commit started at clock %" PRIu64 " never ready", commit_at_);
    if (commit_ == READY && cycle_ >= swap_at_) {
        if (!top_->commit_ready)
            fail("commit_ready fell before the swap");
        top_->commit_swap = 1;
        commit_ = IDLE;
        return; /* old_serves_ ends in this clock (drive_lookup reads commit_swap) */
    }
    if (commit_ == IDLE && old_serves_)
        old_serves_ = false;
    if (commit_ != IDLE || top_->commit_busy || commands_left_ > 0)
        return;

    /* A commit now: lookups keep the old entries until the swap. */
    old_.load(model_->dest);
    old_serves_ = true;
    scrub_model_write(model_, SCRUB_REG_COMMIT, 1);
    Table now;
    now.load(model_->dest);
    nested_now_ = now.nested;
    valid_at_commit_ = unique_at_commit_ = 0;
    std::set<std::pair<u128, unsigned>> distinct, bounds;
    std::set<u128> points = {0};
    for (const scrub_dest_entry &e : now.e) {
        if (!e.valid)
            continue;
        valid_at_commit_++;
        u128 s = to_u128(e.prefix);
        distinct.insert({s, e.plen});
        points.insert(s);
        if ((s | host_mask(e.plen)) != ~(u128)0)
            points.insert((s | host_mask(e.plen)) + 1);
    }
    unique_at_commit_ = (unsigned)distinct.size();
    cov_.commits++;
    if (valid_at_commit_ == 0)
        cov_.empty_commits++;
    if (points.size() == 2 * kEntries + 1)
        cov_.worst_case_commits++;
    top_->commit_start = 1;
    commit_ = BUILDING;
    commit_at_ = cycle_;
    commit_waits_ = cmd_busy_ && cmd_sent_ == cycle_;

    /* The next phase and how many commands until the next commit. */
    unsigned p = (unsigned)(rng_() % 100);
    phase_ = p < 55 ? MIXED : p < 88 ? FILL : p < 94 ? EMPTY : WORST;
    worst_next_ = 0;
    commands_left_ = phase_ == WORST || phase_ == EMPTY ? kEntries : (unsigned)(rng_() % 4 == 0 ? 0 : rng_() % (kEntries / 2 + 8));
}

void Bench::clock()
{
    top_->clk = 0;
    top_->eval();
    check_lookup();
    drive_command();
    drive_commit();
    drive_lookup();
    top_->eval();
    top_->clk = 1;
    top_->eval();
    cycle_++;
}

bool Bench::coverage_ok()
{
    const Coverage &c = cov_;
    printf("dest_rtl_coverage: hits plen0=%" PRIu64 " plen1-63=%" PRIu64 " plen64-95=%" PRIu64
           " plen96-127=%" PRIu64 " plen128=%" PRIu64 " nested=%" PRIu64 " disabled=%" PRIu64 " v4=%" PRIu64
           " v6=%" PRIu64 " misses=%" PRIu64 "\n",
           c.hits_plen0, c.hits_short, c.hits_mid, c.hits_v4, c.hits_plen128, c.nested_hits, c.disabled_hits,
           c.v4_addr_hits, c.v6_hits, c.misses);
    printf("dest_rtl_coverage: old bank while building=%" PRIu64 " new bank at the swap=%" PRIu64
           " commits=%" PRIu64 " empty=%" PRIu64 " 2n+1 intervals=%" PRIu64 " build clocks %" PRIu64 "..%" PRIu64
           "\n",
           c.old_bank_during_build, c.new_bank_at_swap, c.commits, c.empty_commits, c.worst_case_commits,
           c.build_min, c.build_max);
    printf("dest_rtl_coverage: commands read=%" PRIu64 " write=%" PRIu64 " invalid=%" PRIu64 " duplicate=%" PRIu64
           " held=%" PRIu64 " BAD_CMD=%" PRIu64 " BAD_INDEX=%" PRIu64 " BAD_ENTRY plen=%" PRIu64 " prefix=%" PRIu64
           " counter=%" PRIu64 "\n",
           c.reads, c.writes_ok, c.writes_invalid, c.dup_prefixes, c.held_cmds, c.bad_cmd, c.bad_index,
           c.bad_plen, c.bad_prefix, c.bad_counter);
    const uint64_t bins[] = {c.hits_plen0,   c.hits_short, c.hits_mid,     c.hits_v4,      c.hits_plen128,
                             c.nested_hits,  c.disabled_hits, c.v4_addr_hits, c.v6_hits,   c.misses,
                             c.old_bank_during_build, c.new_bank_at_swap, c.commits, c.empty_commits,
                             c.worst_case_commits, c.reads, c.writes_ok, c.writes_invalid, c.dup_prefixes,
                             c.held_cmds, c.bad_cmd, c.bad_index, c.bad_plen, c.bad_prefix, c.bad_counter};
    for (uint64_t b : bins)
        if (b == 0) {
            fprintf(stderr, "tb_dest: seed %" PRIu64 ": a coverage bin is empty (see above)\n", seed_);
            return false;
        }
    return true;
}

int Bench::run()
{
    while (!failed_ && cov_.commits < commits_target_)
        clock();
    /* The last commit's swap and the lookups in flight. */
    for (unsigned i = 0; !failed_ && i < 40 * kEntries + 1000 && (commit_ != IDLE || !in_flight_.empty()); i++) {
        commands_left_ = 1;
        clock();
    }
    if (failed_)
        return 1;
    if (!coverage_ok())
        return 1;
    printf("dest_rtl_commits=%" PRIu64 " clocks=%" PRIu64 " mismatches=0\n", cov_.commits, cycle_);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], nullptr, 0) : 1;
    uint64_t commits = argc > 2 ? strtoull(argv[2], nullptr, 0) : 300;
    printf("tb_dest: seed %" PRIu64 ", %u entries, %u counters, LATENCY %d\n", seed, kEntries, kCounters,
           (int)Vscrub_dest_scrub_dest::LATENCY);
    Bench bench(seed, commits);
    return bench.run();
}
