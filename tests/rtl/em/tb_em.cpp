/* tests/rtl/em: scrub_em (hw/rtl) against the C model, clock by clock.
 *
 * The command side runs against a whole scrub_model, driven through its
 * registers (scrub_model_write/read: TBL_SELECT = EM, the data window,
 * TBL_INDEX, TBL_CMD), so model.c's table_em and check_em decide every
 * status, TBL_RESULT and data window, and em.c every placement. Commands:
 * inserts (new keys, updates, bad entries of each field), deletes, lookups,
 * READs (in range, the stash, beyond), other command codes; garbage in every
 * bit the entry does not use. Phases alternate between filling and draining
 * a small table from a key pool larger than it, so walks of every length,
 * failed walks, the stash and FULL all happen.
 *
 * A lookup goes in on most clocks, a key of the pool (or not), and is
 * checked against the model's table (scrub_em_find on a copy) as it was at
 * the lookup's RAM read, the clock after it went in (r): before a command
 * if r is at or before the command's cmd_valid clock, after it if r is at
 * or after its cmd_done clock. In between, the contract's atomicity: the
 * result must be the key's result before or after the command (a moved key
 * at its old or its new slot, an updated key with its old or new value, a
 * new key absent or at its slot, a deleted key present or absent).
 *
 * Also checked: the table after every command (READ of every slot at the
 * end and at random points, through the command port), and that every
 * planned coverage bin was hit.
 *
 * Usage: tb_em [seed [commands]]. Prints em_rtl_commands=<n> mismatches=0
 * and the coverage, or the first mismatch (with the seed) and exits 1. */
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vscrub_em.h"
#include "verilated.h"

extern "C" {
#include "model_internal.h"
}

namespace {

constexpr uint32_t kBuckets = TB_EM_BUCKETS;
constexpr unsigned kLatency = TB_LATENCY;
constexpr uint32_t kPolicers = 256, kCounters = 4096;
constexpr uint32_t kStashBase = 2 * kBuckets * SCRUB_EM_SLOTS;
constexpr uint32_t kSize = kStashBase + SCRUB_EM_STASH;
constexpr uint32_t kWords = SCRUB_DATA_WORDS;

using Slots = std::vector<scrub_em_entry>;
using Window = std::array<uint32_t, kWords>;

struct Key {
    uint16_t tenant;
    scrub_addr addr;
};

struct Found {
    bool hit;
    uint32_t slot;
    scrub_em_entry e;
};

/* A command's effect: the table before and after, and its clocks. */
struct Span {
    uint64_t c0, c1; // cmd_valid and cmd_done clocks (c1 = ~0 while running)
    std::shared_ptr<Slots> before, after;
};

struct Lookup {
    uint64_t in; // the clock it went in
    Key key;
};

uint64_t g_seed;

[[noreturn]] void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(stderr, "tb_em (buckets %u, seed %" PRIu64 "): ", kBuckets, g_seed);
    std::vfprintf(stderr, fmt, ap);
    std::fprintf(stderr, "\n");
    va_end(ap);
    std::exit(1);
}

Found find(const Slots &slots, const Key &k)
{
    scrub_em em{kBuckets, kSize, const_cast<scrub_em_entry *>(slots.data())};
    int32_t s = scrub_em_find(&em, k.tenant, &k.addr);
    if (s < 0)
        return {false, 0, {}};
    return {true, (uint32_t)s, slots[(size_t)s]};
}

std::string key_text(const Key &k)
{
    char a[64];
    scrub_addr_format(&k.addr, a, sizeof(a));
    return std::to_string(k.tenant) + "/" + a;
}

class Bench {
public:
    Bench(uint64_t seed) : rng_(seed)
    {
        scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
        p.em_buckets = kBuckets;
        p.policers = kPolicers;
        p.counters = kCounters;
        model_ = scrub_model_new(&p);
        if (!model_)
            fail("scrub_model_new failed");
        scrub_model_write(model_, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_EM);
        top_ = std::make_unique<Vscrub_em>();
        make_pool();
        spans_.push_back({0, 0, snapshot(), snapshot()});
        top_->rst = 1;
        for (int i = 0; i < 3; i++)
            tick();
        top_->rst = 0;
    }
    ~Bench() { scrub_model_free(model_); }

    void run(uint64_t commands)
    {
        for (uint64_t n = 0; n < commands; n++) {
            if (n % 300 == 0)
                filling_ = !filling_;
            command();
            unsigned gap = rng_() % 4;
            for (unsigned i = 0; i < gap; i++)
                tick();
        }
        for (uint32_t i = 0; i < kSize; i++)
            read_slot(i);
        draining_ = true;
        for (unsigned i = 0; i < kLatency + 2; i++)
            tick();
        if (!pending_.empty())
            fail("%zu lookups never came out", pending_.size());
    }

    void report() const
    {
        std::printf("em_rtl_buckets=%u latency=%u commands=%" PRIu64 " lookups=%" PRIu64 " mismatches=0\n",
                    kBuckets, kLatency, commands_, lookups_);
        std::printf("em_rtl_insert_clocks: bucket %u..%u, walk %u..%u, stash %u..%u, full %u..%u\n",
                    lo(clk_bucket_), hi(clk_bucket_), lo(clk_walk_), hi(clk_walk_), lo(clk_stash_),
                    hi(clk_stash_), lo(clk_full_), hi(clk_full_));
        std::printf("em_rtl_walks:");
        for (auto &w : walks_)
            std::printf(" %u:%" PRIu64, w.first, w.second);
        std::printf("\n");
        for (auto &c : cov_)
            std::printf("em_rtl_cov_%s=%" PRIu64 "\n", c.first.c_str(), c.second);
    }

    void check_coverage() const
    {
        static const char *const planned[] = {
            "insert_bucket", "insert_update",    "insert_walk",     "insert_stash",   "insert_full",
            "delete_ok",     "delete_not_found", "lookup_ok",       "lookup_not_found", "lookup_stash",
            "read_ok",       "read_stash",       "read_bad_index",  "bad_cmd",        "bad_action",
            "bad_policer",   "bad_counter",      "failed_walk_revisit", "hit_way0",
            "hit_way1",      "hit_stash",        "miss",            "overlap_checks", "overlap_differs",
            "done_clock_differs",
        };
        for (const char *b : planned) {
            auto it = cov_.find(b);
            if (it == cov_.end() || it->second == 0)
                fail("coverage bin %s stayed empty", b);
        }
        // a walk of all 16 steps that never comes back on itself is rare in 4 buckets a way
        if (kBuckets >= 16 && !cov_.count("failed_walk_16"))
            fail("coverage bin failed_walk_16 stayed empty");
        if (walks_.size() < 4 || walks_.rbegin()->first < 4)
            fail("walks seen of too few lengths (%zu lengths, longest %u)", walks_.size(),
                 walks_.empty() ? 0 : walks_.rbegin()->first);
    }

private:
    static unsigned lo(const std::pair<unsigned, unsigned> &p) { return p.first; }
    static unsigned hi(const std::pair<unsigned, unsigned> &p) { return p.second; }
    static void note(std::pair<unsigned, unsigned> &p, unsigned v)
    {
        if (p.second == 0 || v < p.first)
            p.first = v;
        if (v > p.second)
            p.second = v;
    }

    std::shared_ptr<Slots> snapshot() const
    {
        return std::make_shared<Slots>(model_->em.slots, model_->em.slots + kSize);
    }

    void make_pool()
    {
        // More keys than slots: the table fills up, overflows into the stash, gets FULL.
        unsigned n = kSize + kSize / 2;
        const uint16_t tenants[] = {0, 1, 7, 0xffff};
        for (unsigned i = 0; i < n; i++) {
            Key k{};
            k.tenant = tenants[rng_() % 4];
            for (auto &b : k.addr.b)
                b = (uint8_t)rng_();
            if (i % 3 == 0) // IPv4-mapped, like most real sources
                k.addr = scrub_addr_v4((uint32_t)rng_());
            pool_.push_back(k);
        }
    }

    Key random_key()
    {
        if (rng_() % 16 == 0) { // never inserted
            Key k{};
            k.tenant = (uint16_t)rng_();
            for (auto &b : k.addr.b)
                b = (uint8_t)rng_();
            return k;
        }
        return pool_[rng_() % pool_.size()];
    }

    /* One clock: inputs for this clock (a lookup), the edge, then the outputs. */
    void tick()
    {
        if (!top_->rst && !draining_ && rng_() % 8 != 0) {
            Key k = random_key();
            top_->s_valid = 1;
            top_->s_tenant = k.tenant;
            for (unsigned w = 0; w < 4; w++)
                top_->s_addr[w] = (uint32_t)k.addr.b[15 - 4 * w - 3] << 24 |
                                  (uint32_t)k.addr.b[15 - 4 * w - 2] << 16 |
                                  (uint32_t)k.addr.b[15 - 4 * w - 1] << 8 | k.addr.b[15 - 4 * w];
            pending_.push_back({clock_, k});
        } else {
            top_->s_valid = 0;
            top_->s_tenant = (uint16_t)rng_();
            for (unsigned w = 0; w < 4; w++)
                top_->s_addr[w] = (uint32_t)rng_();
        }
        top_->clk = 0;
        top_->eval();
        top_->clk = 1;
        top_->eval();
        clock_++;
        if (top_->m_valid)
            check_lookup();
        else if (!pending_.empty() && pending_.front().in + kLatency <= clock_)
            fail("the lookup of clock %" PRIu64 " did not come out after %u clocks", pending_.front().in, kLatency);
    }

    /* The span whose table a lookup with its RAM read in clock r must see:
     * exact (one table) or either of two. */
    void expected(uint64_t r, const Key &k, std::vector<Found> &out)
    {
        for (auto it = spans_.rbegin(); it != spans_.rend(); ++it) {
            if (r >= it->c1) {
                out.push_back(find(*it->after, k));
                // read in the clock of the command's last write: only the write's forwarding shows it
                if (r == it->c1) {
                    Found b = find(*it->before, k);
                    if (!same(b, out[0].hit, out[0].slot, out[0].e.action, out[0].e.policer & (kPolicers - 1),
                              out[0].e.counter))
                        cov_["done_clock_differs"]++;
                }
                return;
            }
            if (r > it->c0) {
                out.push_back(find(*it->before, k));
                out.push_back(find(*it->after, k));
                return;
            }
        }
        fail("no table known for clock %" PRIu64, r);
    }

    static bool same(const Found &f, bool hit, uint32_t slot, uint32_t action, uint32_t policer, uint32_t counter)
    {
        if (!hit || !f.hit)
            return hit == f.hit && slot == 0 && action == 0 && policer == 0 && counter == 0;
        return slot == f.slot && action == f.e.action && policer == (f.e.policer & (kPolicers - 1)) &&
               counter == f.e.counter;
    }

    void check_lookup()
    {
        if (pending_.empty())
            fail("m_valid in clock %" PRIu64 " without a lookup", clock_);
        Lookup l = pending_.front();
        pending_.pop_front();
        if (l.in + kLatency != clock_)
            fail("the lookup of clock %" PRIu64 " came out after %" PRIu64 " clocks, not %u", l.in, clock_ - l.in,
                 kLatency);
        lookups_++;
        std::vector<Found> want;
        expected(l.in + 1, l.key, want);
        bool hit = top_->m_hit;
        uint32_t slot = top_->m_slot, action = top_->m_action, policer = top_->m_policer,
                 counter = top_->m_counter;
        bool ok = false;
        for (const Found &f : want)
            ok = ok || same(f, hit, slot, action, policer, counter);
        if (!ok) {
            for (const Span &sp : spans_) {
                Found b = find(*sp.before, l.key), a = find(*sp.after, l.key);
                std::fprintf(stderr, "  command clocks %" PRIu64 "..%" PRIu64 ": before hit %d slot %u, after hit %d slot %u\n",
                             sp.c0, sp.c1, b.hit, b.slot, a.hit, a.slot);
            }
        }
        if (!ok)
            fail("lookup %s in clock %" PRIu64 ": RTL hit %d slot %u action %u policer %u counter %u; model hit %d "
                 "slot %u action %u counter %u%s",
                 key_text(l.key).c_str(), l.in, hit, slot, action, policer, counter, want[0].hit, want[0].slot,
                 want[0].e.action, want[0].e.counter, want.size() > 1 ? " (or after the command)" : "");
        if (want.size() > 1) {
            cov_["overlap_checks"]++;
            if (!same(want[0], want[1].hit, want[1].slot, want[1].e.action, want[1].e.policer & (kPolicers - 1),
                      want[1].e.counter))
                cov_["overlap_differs"]++;
        }
        if (hit) {
            cov_[slot >= kStashBase ? "hit_stash" : slot >= kStashBase / 2 ? "hit_way1" : "hit_way0"]++;
        } else {
            cov_["miss"]++;
        }
    }

    void fill_entry(Window &w, const Key &k)
    {
        for (auto &x : w)
            x = (uint32_t)rng_();
        scrub_em_entry e{};
        e.tenant = k.tenant;
        e.addr = k.addr;
        e.valid = rng_() % 2;
        e.action = (uint8_t)(rng_() % 3);
        e.policer = e.action == SCRUB_ACTION_POLICE ? (uint32_t)(rng_() % kPolicers) : (uint32_t)rng_();
        e.counter = rng_() % 8 == 0 ? kCounters - 1 : (uint32_t)(rng_() % kCounters);
        switch (rng_() % 12) { // bad entries, each field at and beyond its bound
        case 0:
            e.action = 3;
            break;
        case 1:
            e.action = SCRUB_ACTION_POLICE;
            e.policer = rng_() % 2 ? kPolicers : (uint32_t)rng_() | kPolicers;
            break;
        case 2:
            e.counter = rng_() % 2 ? kCounters : (uint32_t)rng_() | kCounters;
            break;
        default:
            break;
        }
        scrub_words packed;
        scrub_em_pack(&e, packed);
        // garbage around the fields: words past the entry, and the unused bits of its words
        w[SCRUB_EM_TENANT_WORD] = (w[SCRUB_EM_TENANT_WORD] & 0xffff0000u) | packed[SCRUB_EM_TENANT_WORD];
        for (unsigned i = 0; i < 4; i++)
            w[SCRUB_EM_ADDR_WORD + i] = packed[SCRUB_EM_ADDR_WORD + i];
        w[SCRUB_EM_ACTION_WORD] = (w[SCRUB_EM_ACTION_WORD] & ~0x103u) | packed[SCRUB_EM_ACTION_WORD];
        w[SCRUB_EM_POLICER_WORD] = packed[SCRUB_EM_POLICER_WORD];
        w[SCRUB_EM_COUNTER_WORD] = packed[SCRUB_EM_COUNTER_WORD];
    }

    void read_slot(uint32_t i)
    {
        Window w;
        for (auto &x : w)
            x = (uint32_t)rng_();
        run_command(SCRUB_CMD_READ, i, w);
    }

    void command()
    {
        Window w;
        uint32_t cmd, index = (uint32_t)rng_();
        unsigned r = rng_() % 100;
        unsigned insert_share = filling_ ? 60 : 25;
        if (r < insert_share) {
            cmd = SCRUB_CMD_EM_INSERT;
        } else if (r < 70) {
            cmd = SCRUB_CMD_EM_DELETE;
        } else if (r < 82) {
            cmd = SCRUB_CMD_EM_LOOKUP;
        } else if (r < 94) {
            cmd = SCRUB_CMD_READ;
            index = rng_() % 4 == 0 ? kStashBase + (uint32_t)(rng_() % 12) : (uint32_t)(rng_() % (kSize + 2));
            if (rng_() % 16 == 0)
                index = (uint32_t)rng_();
        } else {
            const uint32_t others[] = {0, SCRUB_CMD_WRITE, 6, 7, 0x83, 0xff};
            cmd = others[rng_() % 6];
        }
        // inserted keys come from the pool only, so that deletes can drain the table
        fill_entry(w, cmd == SCRUB_CMD_EM_INSERT ? pool_[rng_() % pool_.size()] : random_key());
        run_command(cmd, index, w);
    }

    void run_command(uint32_t cmd, uint32_t index, const Window &w)
    {
        commands_++;
        // the model first: the tables before and after
        auto before = snapshot();
        for (uint32_t i = 0; i < kWords; i++)
            scrub_model_write(model_, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
        scrub_model_write(model_, SCRUB_REG_TBL_INDEX, index);
        scrub_model_write(model_, SCRUB_REG_TBL_CMD, cmd);
        uint32_t status = scrub_model_read(model_, SCRUB_REG_TBL_STATUS) & 0xff;
        uint32_t result = scrub_model_read(model_, SCRUB_REG_TBL_RESULT);
        Window data;
        for (uint32_t i = 0; i < kWords; i++)
            data[i] = scrub_model_read(model_, SCRUB_REG_TBL_DATA + 4 * i);
        auto after = snapshot();

        top_->cmd_valid = 1;
        top_->cmd = (uint8_t)cmd;
        top_->cmd_index = index;
        for (uint32_t i = 0; i < kWords; i++)
            top_->cmd_data[i] = w[i];
        uint64_t c0 = clock_;
        spans_.push_back({c0, ~0ull, before, after});
        if (spans_.size() > 8)
            spans_.pop_front();
        tick();
        top_->cmd_valid = 0;
        top_->cmd = (uint8_t)rng_();
        top_->cmd_index = (uint32_t)rng_();
        while (!top_->cmd_done) {
            if (clock_ - c0 > 100)
                fail("command %u did not finish in 100 clocks", cmd);
            tick();
        }
        uint64_t c1 = clock_; // the clock cmd_done is high in (after the edge just taken)
        spans_.back().c1 = c1;
        unsigned clocks = (unsigned)(c1 - c0);

        if (top_->cmd_status != status || top_->cmd_result != result)
            fail("command %u index %u (clock %" PRIu64 "): RTL status %u result %u, model status %u result %u", cmd,
                 index, c0, top_->cmd_status, top_->cmd_result, status, result);
        for (uint32_t i = 0; i < kWords; i++) {
            uint32_t rtl = top_->cmd_rdata_we ? top_->cmd_rdata[i] : w[i];
            if (rtl != data[i])
                fail("command %u index %u (clock %" PRIu64 "): data word %u RTL %08x (rdata_we %d) model %08x", cmd,
                     index, c0, i, rtl, top_->cmd_rdata_we, data[i]);
        }
        classify(cmd, index, w, status, result, *before, *after, clocks);
    }

    static Key window_key(const Window &w)
    {
        scrub_em_entry e;
        scrub_em_unpack(w.data(), &e);
        return {e.tenant, e.addr};
    }

    void classify(uint32_t cmd, uint32_t index, const Window &w, uint32_t status, uint32_t result, const Slots &before,
                  const Slots &after, unsigned clocks)
    {
        unsigned changed = 0;
        for (uint32_t i = 0; i < kSize; i++)
            changed += std::memcmp(&before[i], &after[i], sizeof(scrub_em_entry)) != 0;
        switch (cmd) {
        case SCRUB_CMD_EM_INSERT:
            if (status == SCRUB_STATUS_BAD_ENTRY) {
                cov_[result == SCRUB_EM_ACTION_WORD    ? "bad_action"
                     : result == SCRUB_EM_POLICER_WORD ? "bad_policer"
                                                       : "bad_counter"]++;
            } else if (status == SCRUB_STATUS_FULL) {
                cov_["insert_full"]++;
                note(clk_full_, clocks);
            } else if (find(before, window_key(w)).hit) {
                cov_["insert_update"]++;
            } else if (result >= kStashBase) {
                cov_["insert_stash"]++;
                note(clk_stash_, clocks);
                // the walk before it came back on itself, or took all its steps
                // (scrub_em: 5 clocks + 2 a step before the stash)
                cov_[clocks < 5 + 2 * SCRUB_EM_MAX_KICKS ? "failed_walk_revisit" : "failed_walk_16"]++;
            } else if (changed > 1) {
                cov_["insert_walk"]++;
                walks_[changed - 1]++;
                note(clk_walk_, clocks);
            } else {
                cov_["insert_bucket"]++;
                note(clk_bucket_, clocks);
            }
            break;
        case SCRUB_CMD_EM_DELETE:
            cov_[status == SCRUB_STATUS_OK ? "delete_ok" : "delete_not_found"]++;
            break;
        case SCRUB_CMD_EM_LOOKUP:
            cov_[status == SCRUB_STATUS_OK ? "lookup_ok" : "lookup_not_found"]++;
            if (status == SCRUB_STATUS_OK && result >= kStashBase)
                cov_["lookup_stash"]++;
            break;
        case SCRUB_CMD_READ:
            cov_[status == SCRUB_STATUS_BAD_INDEX ? "read_bad_index" : index >= kStashBase ? "read_stash" : "read_ok"]++;
            break;
        default:
            cov_["bad_cmd"]++;
            break;
        }
    }

    std::mt19937_64 rng_;
    scrub_model *model_;
    std::unique_ptr<Vscrub_em> top_;
    std::vector<Key> pool_;
    std::deque<Span> spans_;
    std::deque<Lookup> pending_;
    uint64_t clock_ = 0, commands_ = 0, lookups_ = 0;
    bool filling_ = false, draining_ = false;
    std::map<std::string, uint64_t> cov_;
    std::map<unsigned, uint64_t> walks_;
    std::pair<unsigned, unsigned> clk_bucket_{0, 0}, clk_walk_{0, 0}, clk_stash_{0, 0}, clk_full_{0, 0};
};

} // namespace

int main(int argc, char **argv)
{
    g_seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
    uint64_t commands = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 100000;
    Verilated::commandArgs(argc, argv);
    Bench b(g_seed);
    b.run(commands);
    b.report();
    b.check_coverage();
    return 0;
}
