/* tests/rtl/acl: scrub_acl (hw/rtl) against the C model, clock by clock.
 *
 * Every clock may carry a table command, a commit's start or swap, and a
 * lookup. Commands go to the model's table port when the bench gives them
 * to the RTL (a commit_start in the same clock first, as the RTL takes it);
 * their status, TBL_RESULT and data window are compared when the RTL says
 * done. A commit_start commits the model at once; lookups are compared with
 * scrub_acl_search_linear over the set the RTL must be using: the model's
 * active copy from the swap's clock on, the one before it until then.
 *
 * Inputs are biased so that things happen: field values come from small
 * pools, entries mix wildcards, exact values, prefixes and ranges, many are
 * count-only (some match everything, so that more than four count), some
 * are invalid, and a few carry out-of-range fields that must be refused
 * with the right word. The coverage printed at the end fails the run when a
 * planned bin stayed empty.
 *
 * Usage: tb_acl [seed [clocks]]. Prints acl_rtl_clocks=<n> and the coverage,
 * or the first mismatch (with the seed) and exits 1. TB_ACL_DEBUG=1 in the
 * environment traces commands and commits, and on a lookup mismatch every
 * entry's match in the active and shadow sets. */
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vscrub_acl.h"
#include "Vscrub_acl_scrub_acl.h"
#include "verilated.h"

extern "C" {
#include "acl.h"
#include "model_internal.h"
#include "scrub_model.h"
}

namespace {

constexpr uint32_t kWords = SCRUB_DATA_WORDS;
using Window = std::array<uint32_t, kWords>;

struct Result {
    bool hit = false;
    uint32_t index = 0, action = 0, policer = 0, policer_bits = 0, counter = 0;
    unsigned n_counted = 0, lost = 0;
    uint32_t counted[SCRUB_COUNT_ONLY_MAX] = {};

    bool operator==(const Result &o) const
    {
        if (hit != o.hit || n_counted != o.n_counted || lost != o.lost)
            return false;
        if (hit && (index != o.index || action != o.action || policer != o.policer ||
                    policer_bits != o.policer_bits || counter != o.counter))
            return false;
        for (unsigned k = 0; k < n_counted; k++)
            if (counted[k] != o.counted[k])
                return false;
        return true;
    }
};

struct Lookup {
    uint64_t due;
    scrub_pkt pkt;
    uint16_t tenant;
    uint8_t profile;
    Result expect;
};

struct Command {
    uint8_t cmd;
    uint32_t index;
    Window data;
    uint8_t status;
    uint32_t result;
    Window rdata;
    uint64_t issued;
};

class Bench {
  public:
    Bench(uint64_t seed) : seed_(seed), rng_(seed)
    {
        top_ = std::make_unique<Vscrub_acl>();
        model_new();
    }
    ~Bench()
    {
        top_->final();
        scrub_model_free(m_);
    }

    bool run(uint64_t clocks);
    bool report() const;

  private:
    // random helpers
    uint32_t below(uint32_t n) { return (uint32_t)(rng_() % n); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    template <typename T, size_t N> T pick(const T (&pool)[N]) { return pool[below(N)]; }

    void model_new();
    scrub_addr pool_addr();
    scrub_addr mask_for(bool full_ok);
    void ternary8(uint8_t &value, uint8_t &mask, uint8_t pool_value, uint8_t width_mask);
    void ternary16(uint16_t &value, uint16_t &mask, uint16_t pool_value);
    void range(uint16_t &lo, uint16_t &hi, const uint16_t *pool, size_t n);
    scrub_acl_entry random_entry(uint32_t index);
    scrub_pkt random_packet(uint16_t *tenant, uint8_t *profile);
    Result search(const std::vector<scrub_acl_entry> &set, const scrub_pkt &p, uint16_t tenant, uint8_t profile);

    void issue_command();
    void drive_lookup(bool swapping);
    bool check_outputs();
    bool fail(const char *what, const std::string &detail);
    void clock_edge();

    uint64_t seed_;
    std::mt19937_64 rng_;
    std::unique_ptr<Vscrub_acl> top_;
    scrub_model *m_ = nullptr;
    uint32_t n_ = 0;
    uint64_t cycle_ = 0;

    std::vector<scrub_acl_entry> active_, pending_;
    std::deque<Lookup> in_flight_;
    bool cmd_busy_ = false;
    Command cmd_{};
    unsigned swap_wait_ = 0;
    bool prev_valid_ = false;
    Lookup prev_{};
    std::map<std::string, uint64_t> cover_;
};

const char *const kPlanned[] = {
    "decisive_accept", "decisive_drop", "decisive_police", "no_match", "counted_0", "counted_1", "counted_2",
    "counted_3", "counted_4", "lost_gt_0", "commits", "swap_clock_sees_new_differs", "clock_before_swap_sees_old_differs",
    "refused_src_value", "refused_dst_value", "refused_sport_lo", "refused_dport_lo", "refused_len_lo",
    "refused_action", "refused_policer_bits", "refused_policer", "refused_counter", "bad_cmd", "bad_index",
    "read_ok", "write_ok", "write_invalid", "command_during_commit", "command_with_commit_start",
    "resets",
};

void Bench::model_new()
{
    if (m_)
        scrub_model_free(m_);
    /* the simulation configuration with the RTL's sizes */
    scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    params.acl_entries = (uint32_t)Vscrub_acl_scrub_acl::ACL_ENTRIES;
    params.policers = (uint32_t)Vscrub_acl_scrub_acl::POLICERS;
    params.counters = (uint32_t)Vscrub_acl_scrub_acl::COUNTERS;
    m_ = scrub_model_new(&params);
    if (!m_) {
        std::perror("tb_acl: scrub_model_new");
        std::exit(2);
    }
    scrub_model_set_acl_linear(m_, true);
    n_ = params.acl_entries;
    active_.assign(m_->acl, m_->acl + n_);
    pending_ = active_;
}

/* ---- random entries and packets ---------------------------------------------------- */

scrub_addr Bench::pool_addr()
{
    static const char *const kPool[] = {"10.0.0.1", "10.0.1.7", "192.0.2.5", "2001:db8::1", "2001:db8::2:1",
                                        "2001:db8:ff::9"};
    scrub_addr a;
    if (!scrub_addr_parse(pick(kPool), &a))
        std::abort();
    return a;
}

/* A mask: a prefix (often /0 or full), sometimes random bits. */
scrub_addr Bench::mask_for(bool full_ok)
{
    static const unsigned kPlen[] = {0, 0, 0, 128, 120, 112, 104, 96, 64, 127};
    unsigned plen = pick(kPlen);
    if (!full_ok && plen == 128)
        plen = 120;
    scrub_addr mask = scrub_addr_mask(plen);
    if (chance(0.05))
        for (uint8_t &b : mask.b)
            b = (uint8_t)rng_();
    return mask;
}

void Bench::ternary8(uint8_t &value, uint8_t &mask, uint8_t pool_value, uint8_t width_mask)
{
    static const uint8_t kMasks[] = {0xff, 0xff, 0xf0, 0x0f, 0x01};
    mask = chance(0.55) ? 0 : (uint8_t)(pick(kMasks) & width_mask);
    value = pool_value & mask;
    if (chance(0.04))
        value = (uint8_t)(rng_() & width_mask); /* bits outside the mask: never matches, or mask 0 */
}

void Bench::ternary16(uint16_t &value, uint16_t &mask, uint16_t pool_value)
{
    static const uint16_t kMasks[] = {0xffff, 0xffff, 0xff00, 0x000f};
    mask = chance(0.55) ? 0 : pick(kMasks);
    value = pool_value & mask;
    if (chance(0.04))
        value = (uint16_t)rng_();
}

void Bench::range(uint16_t &lo, uint16_t &hi, const uint16_t *pool, size_t n)
{
    lo = 0;
    hi = 0xffff;
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    uint16_t v = pool[below((uint32_t)n)];
    if (r < 0.6)
        return;
    if (r < 0.8) {
        lo = hi = v;
    } else if (r < 0.95) {
        unsigned k = below(20);
        lo = (uint16_t)(v > k ? v - k : 0);
        hi = (uint16_t)(v + k > 0xffff ? 0xffff : v + k);
    } else {
        lo = (uint16_t)rng_();
        hi = (uint16_t)(lo + below(0x10000u - lo));
    }
}

const uint16_t kPorts[] = {0, 53, 80, 123, 443, 1024, 11211, 65535};
const uint16_t kLens[] = {40, 60, 64, 576, 1500, 65535};
const uint16_t kTenants[] = {0, 1, 2, 0x1234};
const uint8_t kProfiles[] = {0, 1, 2, 7};
const uint8_t kProtos[] = {1, 6, 6, 17, 17, 58, 47};
const uint8_t kFlags[] = {0x02, 0x12, 0x10, 0x04, 0x11, 0x18};
const uint8_t kItypes[] = {0, 3, 8, 11, 128};
const uint8_t kIcodes[] = {0, 1, 3};
const uint8_t kFrags[] = {0, 0, 1, 2 | 4, 2 | 8 | 16, 2 | 16};
const uint8_t kDscps[] = {0, 0, 46, 10};
const uint16_t kVlans[] = {0, 0, 0x1000 | 5, 0x1000 | 100, 0x1fff};

scrub_acl_entry Bench::random_entry(uint32_t index)
{
    scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.valid = chance(0.88);
    e.count_only = chance(0.35);
    e.action = (uint8_t)below(3);
    e.policer_bits = chance(0.7) ? 0 : (uint8_t)(1 + below(4));
    e.policer = below(m_->p.policers >> e.policer_bits) << e.policer_bits;
    /* distinct counters, so that a counter names its entry */
    e.counter = index + n_ * below(m_->p.counters / n_);
    if (chance(0.15)) {
        /* matches every packet: piles up count-only hits */
        e.count_only = chance(0.8);
        return e;
    }
    if (chance(0.5)) {
        e.src_mask = mask_for(true);
        e.src_value = pool_addr();
        scrub_addr_and(&e.src_value, &e.src_mask);
    }
    if (chance(0.5)) {
        e.dst_mask = mask_for(true);
        e.dst_value = pool_addr();
        scrub_addr_and(&e.dst_value, &e.dst_mask);
    }
    ternary16(e.tenant_value, e.tenant_mask, pick(kTenants));
    ternary8(e.profile_value, e.profile_mask, pick(kProfiles), 0xff);
    ternary8(e.proto_value, e.proto_mask, pick(kProtos), 0xff);
    range(e.sport_lo, e.sport_hi, kPorts, std::size(kPorts));
    range(e.dport_lo, e.dport_hi, kPorts, std::size(kPorts));
    range(e.len_lo, e.len_hi, kLens, std::size(kLens));
    ternary8(e.flags_value, e.flags_mask, pick(kFlags), 0xff);
    ternary8(e.itype_value, e.itype_mask, pick(kItypes), 0xff);
    ternary8(e.icode_value, e.icode_mask, pick(kIcodes), 0xff);
    ternary8(e.frag_value, e.frag_mask, pick(kFrags), 0x1f);
    ternary8(e.dscp_value, e.dscp_mask, pick(kDscps), 0x3f);
    uint16_t vlan_value, vlan_mask;
    ternary16(vlan_value, vlan_mask, pick(kVlans));
    e.vlan_value = vlan_value & 0x1fff;
    e.vlan_mask = vlan_mask & 0x1fff;
    uint8_t v6_value, v6_mask;
    ternary8(v6_value, v6_mask, (uint8_t)below(2), 0x01);
    e.v6_value = v6_value;
    e.v6_mask = v6_mask;

    /* Out-of-range fields, each now and then, several at once sometimes:
     * the first in check order must name its word. */
    const double bad = 0.025;
    if (chance(bad))
        e.src_value.b[below(16)] |= (uint8_t)(1u << below(8)), e.src_mask.b[0] &= 0x7f, e.src_value.b[0] |= 0x80;
    if (chance(bad))
        e.dst_value.b[15] |= 1, e.dst_mask.b[15] &= 0xfe;
    if (chance(bad)) {
        e.sport_hi = (uint16_t)below(0xffff);
        e.sport_lo = (uint16_t)(e.sport_hi + 1 + below(0xffffu - e.sport_hi));
    }
    if (chance(bad))
        e.dport_lo = 2, e.dport_hi = 1;
    if (chance(bad))
        e.len_lo = 1500, e.len_hi = (uint16_t)below(1500);
    if (chance(bad))
        e.action = 3;
    if (chance(bad))
        e.policer_bits = (uint8_t)(17 + below(15));
    if (chance(bad)) {
        e.action = SCRUB_ACTION_POLICE;
        e.policer = chance(0.5) ? m_->p.policers + below(5) : m_->p.policers - 1 - below(2);
        if (e.policer_bits == 0)
            e.policer_bits = 2;
    }
    if (chance(bad))
        e.counter = chance(0.5) ? m_->p.counters : 0xffffffffu - below(4);
    return e;
}

scrub_pkt Bench::random_packet(uint16_t *tenant, uint8_t *profile)
{
    scrub_pkt p{};
    p.proto = pick(kProtos);
    bool l4 = p.proto == 6 || p.proto == 17;
    p.has_ports = chance(l4 ? 0.8 : 0.08);
    p.has_tcp = p.proto == 6 ? p.has_ports && chance(0.95) : chance(0.03);
    p.has_icmp = chance(p.proto == 1 || p.proto == 58 ? 0.85 : 0.03);
    p.v6 = chance(0.5);
    p.dscp = pick(kDscps);
    p.frag = chance(0.9) ? pick(kFrags) : (uint8_t)below(32);
    p.tcp_flags = chance(0.9) ? pick(kFlags) : (uint8_t)rng_();
    p.icmp_type = chance(0.9) ? pick(kItypes) : (uint8_t)rng_();
    p.icmp_code = chance(0.9) ? pick(kIcodes) : (uint8_t)rng_();
    p.vlan = chance(0.9) ? pick(kVlans) : (uint16_t)(rng_() & 0x1fff);
    p.l3_len = chance(0.6) ? pick(kLens) : (uint16_t)(pick(kLens) + below(40) - 20);
    p.sport = chance(0.7) ? pick(kPorts) : (uint16_t)(pick(kPorts) + below(40) - 20);
    p.dport = chance(0.7) ? pick(kPorts) : (uint16_t)(pick(kPorts) + below(40) - 20);
    p.src = pool_addr();
    p.dst = pool_addr();
    if (chance(0.2))
        p.src.b[below(16)] ^= (uint8_t)(1u << below(8));
    if (chance(0.2))
        p.dst.b[15] ^= (uint8_t)below(256);
    if (chance(0.03))
        for (uint8_t &b : p.src.b)
            b = (uint8_t)rng_();
    *tenant = chance(0.9) ? pick(kTenants) : (uint16_t)rng_();
    *profile = chance(0.9) ? pick(kProfiles) : (uint8_t)rng_();
    return p;
}

Result Bench::search(const std::vector<scrub_acl_entry> &set, const scrub_pkt &p, uint16_t tenant, uint8_t profile)
{
    scrub_acl_result r;
    scrub_acl_search_linear(set.data(), n_, &p, tenant, profile, &r);
    Result x;
    x.hit = r.decisive >= 0;
    if (x.hit) {
        const scrub_acl_entry &e = set[(size_t)r.decisive];
        x.index = (uint32_t)r.decisive;
        x.action = e.action;
        x.policer = e.policer;
        x.policer_bits = e.policer_bits;
        x.counter = e.counter;
    }
    x.n_counted = r.n_counted;
    x.lost = r.lost;
    for (unsigned k = 0; k < r.n_counted; k++)
        x.counted[k] = set[r.counted[k]].counter;
    return x;
}

/* ---- the clock ---------------------------------------------------------------------- */

void Bench::issue_command()
{
    Command c{};
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    c.index = chance(0.95) ? below(n_) : (chance(0.5) ? n_ + below(100) : 0xffffffffu - below(4));
    if (r < 0.72) {
        c.cmd = SCRUB_CMD_WRITE;
        scrub_words w;
        scrub_acl_entry e = random_entry(c.index);
        scrub_acl_pack(&e, w);
        std::copy(w, w + kWords, c.data.begin());
        if (chance(0.04))
            for (uint32_t &x : c.data)
                x = (uint32_t)rng_(); /* reserved bits too: they read back as 0 */
    } else if (r < 0.92) {
        c.cmd = SCRUB_CMD_READ;
        for (uint32_t &x : c.data)
            x = (uint32_t)rng_(); /* READ ignores the window */
    } else {
        static const uint8_t kOther[] = {0, 3, 4, 5, 6, 0x80, 0xff};
        c.cmd = pick(kOther);
        for (uint32_t &x : c.data)
            x = (uint32_t)rng_();
    }

    scrub_model_write(m_, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_ACL);
    scrub_model_write(m_, SCRUB_REG_TBL_INDEX, c.index);
    for (uint32_t i = 0; i < kWords; i++)
        scrub_model_write(m_, SCRUB_REG_TBL_DATA + 4 * i, c.data[i]);
    scrub_model_write(m_, SCRUB_REG_TBL_CMD, c.cmd);
    c.status = (uint8_t)scrub_model_read(m_, SCRUB_REG_TBL_STATUS);
    c.result = scrub_model_read(m_, SCRUB_REG_TBL_RESULT);
    for (uint32_t i = 0; i < kWords; i++)
        c.rdata[i] = scrub_model_read(m_, SCRUB_REG_TBL_DATA + 4 * i);
    c.issued = cycle_;

    static const char *const kWordNames[] = {
        "src_value", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "dst_value", nullptr,
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "sport_lo", "dport_lo",
        nullptr, nullptr, "len_lo", nullptr, nullptr, "action", "policer", "counter"};
    bool invalid = !(c.data[SCRUB_ACL_VALID_WORD] >> SCRUB_ACL_VALID_LSB & 1);
    switch (c.status) {
    case SCRUB_STATUS_OK:
        cover_[c.cmd == SCRUB_CMD_READ ? "read_ok" : invalid ? "write_invalid" : "write_ok"]++;
        break;
    case SCRUB_STATUS_BAD_CMD:
        cover_["bad_cmd"]++;
        break;
    case SCRUB_STATUS_BAD_INDEX:
        cover_["bad_index"]++;
        break;
    case SCRUB_STATUS_BAD_ENTRY:
        if (c.result == SCRUB_ACL_ACTION_WORD)
            /* ACTION and POLICER_BITS share a word: tell them apart */
            cover_[(c.data[SCRUB_ACL_ACTION_WORD] >> SCRUB_ACL_ACTION_LSB & 3) > SCRUB_ACTION_POLICE
                       ? "refused_action"
                       : "refused_policer_bits"]++;
        else if (c.result < std::size(kWordNames) && kWordNames[c.result])
            cover_[std::string("refused_") + kWordNames[c.result]]++;
        break;
    default:
        break;
    }
    if (top_->commit_busy)
        cover_["command_during_commit"]++;
    if (getenv("TB_ACL_DEBUG"))
        std::fprintf(stderr, "clock %" PRIu64 ": cmd %u index %u status %u\n", cycle_, c.cmd, c.index, c.status);

    top_->cmd_valid = 1;
    top_->cmd = c.cmd;
    top_->cmd_index = c.index;
    for (uint32_t i = 0; i < kWords; i++)
        top_->cmd_data[i] = c.data[i];
    cmd_ = c;
    cmd_busy_ = true;
}

static void put_addr(VlWide<4> &w, const scrub_addr &a)
{
    for (unsigned i = 0; i < 4; i++) {
        const uint8_t *b = a.b + 12 - 4 * i;
        w[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    }
}

void Bench::drive_lookup(bool swapping)
{
    bool valid = chance(0.9);
    Lookup l{};
    l.pkt = random_packet(&l.tenant, &l.profile);
    l.due = cycle_ + Vscrub_acl_scrub_acl::LATENCY;
    if (swapping) {
        /* a lookup in this clock sees the new set; the last one the old set */
        if (valid && !(search(active_, l.pkt, l.tenant, l.profile) == search(pending_, l.pkt, l.tenant, l.profile)))
            cover_["swap_clock_sees_new_differs"]++;
        if (prev_valid_ && !(prev_.expect == search(pending_, prev_.pkt, prev_.tenant, prev_.profile)))
            cover_["clock_before_swap_sees_old_differs"]++;
        active_ = pending_;
    }
    prev_valid_ = valid;
    if (!valid) {
        top_->s_valid = 0;
        return;
    }
    l.expect = search(active_, l.pkt, l.tenant, l.profile);

    const scrub_pkt &p = l.pkt;
    top_->s_valid = 1;
    top_->s_v6 = p.v6;
    top_->s_has_ports = p.has_ports;
    top_->s_has_tcp = p.has_tcp;
    top_->s_has_icmp = p.has_icmp;
    top_->s_proto = p.proto;
    top_->s_dscp = p.dscp;
    top_->s_frag = p.frag;
    top_->s_tcp_flags = p.tcp_flags;
    top_->s_icmp_type = p.icmp_type;
    top_->s_icmp_code = p.icmp_code;
    top_->s_vlan = p.vlan;
    top_->s_l3_len = p.l3_len;
    top_->s_sport = p.sport;
    top_->s_dport = p.dport;
    put_addr(top_->s_src, p.src);
    put_addr(top_->s_dst, p.dst);
    top_->s_tenant = l.tenant;
    top_->s_profile = l.profile;
    in_flight_.push_back(l);
    prev_ = l;
}

bool Bench::fail(const char *what, const std::string &detail)
{
    std::fprintf(stderr, "acl_rtl: MISMATCH at clock %" PRIu64 " (seed %" PRIu64 "): %s\n%s", cycle_, seed_, what,
                 detail.c_str());
    return false;
}

static std::string describe(const Result &r)
{
    char buf[256];
    int n = std::snprintf(buf, sizeof(buf), "hit=%d index=%u action=%u policer=%u bits=%u counter=%u n=%u lost=%u counted=",
                          r.hit, r.index, r.action, r.policer, r.policer_bits, r.counter, r.n_counted, r.lost);
    for (unsigned k = 0; k < r.n_counted && n > 0 && (size_t)n < sizeof(buf); k++)
        n += std::snprintf(buf + n, sizeof(buf) - (size_t)n, "%u ", r.counted[k]);
    return std::string(buf) + "\n";
}

/* Outputs are sampled before the rising edge; a lookup driven at edge c is
 * due at edge c + LATENCY. */
bool Bench::check_outputs()
{
    bool due = !in_flight_.empty() && in_flight_.front().due == cycle_;
    if (top_->m_valid != due)
        return fail(due ? "no lookup result when one is due" : "a lookup result with none due", "");
    if (due) {
        Lookup l = in_flight_.front();
        in_flight_.pop_front();
        Result got;
        got.hit = top_->m_hit;
        got.index = top_->m_index;
        got.action = top_->m_action;
        got.policer = top_->m_policer;
        got.policer_bits = top_->m_policer_bits;
        got.counter = top_->m_counter;
        got.n_counted = top_->m_n_counted;
        got.lost = top_->m_lost;
        for (unsigned k = 0; k < SCRUB_COUNT_ONLY_MAX; k++)
            got.counted[k] = top_->m_counted[k];
        if (!(got == l.expect) && getenv("TB_ACL_DEBUG"))
            for (uint32_t i = 0; i < n_; i++)
                std::fprintf(stderr, "entry %u: active valid %d co %d match %d; shadow valid %d co %d match %d\n", i,
                             active_[i].valid, active_[i].count_only,
                             scrub_acl_match(&active_[i], &l.pkt, l.tenant, l.profile), m_->acl_shadow[i].valid,
                             m_->acl_shadow[i].count_only,
                             scrub_acl_match(&m_->acl_shadow[i], &l.pkt, l.tenant, l.profile));
        if (!(got == l.expect))
            return fail("lookup", "  rtl:   " + describe(got) + "  model: " + describe(l.expect));
        static const char *const kAction[] = {"decisive_accept", "decisive_drop", "decisive_police"};
        cover_[l.expect.hit ? kAction[l.expect.action] : "no_match"]++;
        cover_["counted_" + std::to_string(l.expect.n_counted)]++;
        if (l.expect.lost)
            cover_["lost_gt_0"]++;
    }

    if (top_->cmd_done) {
        if (!cmd_busy_)
            return fail("cmd_done with no command", "");
        cmd_busy_ = false;
        const Command &c = cmd_;
        char buf[160];
        std::snprintf(buf, sizeof(buf), "  cmd %u index %u: rtl status %u result %u rdata_we %u, model status %u result %u\n",
                      c.cmd, c.index, top_->cmd_status, top_->cmd_result, top_->cmd_rdata_we, c.status, c.result);
        bool read_ok = c.cmd == SCRUB_CMD_READ && c.status == SCRUB_STATUS_OK;
        if (top_->cmd_status != c.status || top_->cmd_result != c.result || top_->cmd_rdata_we != read_ok)
            return fail("command", buf);
        if (read_ok)
            for (uint32_t i = 0; i < kWords; i++)
                if (top_->cmd_rdata[i] != c.rdata[i]) {
                    std::snprintf(buf, sizeof(buf), "  READ %u word %u: rtl 0x%08x model 0x%08x\n", c.index, i,
                                  top_->cmd_rdata[i], c.rdata[i]);
                    return fail("READ data", buf);
                }
    }
    return true;
}

void Bench::clock_edge()
{
    top_->clk = 1;
    top_->eval();
    top_->clk = 0;
    cycle_++;
}

bool Bench::run(uint64_t clocks)
{
    top_->clk = 0;
    top_->rst = 1;
    top_->eval();
    for (int i = 0; i < 3; i++)
        clock_edge();
    top_->rst = 0;

    for (uint64_t t = 0; t < clocks; t++) {
        top_->cmd_valid = 0;
        top_->commit_start = 0;
        top_->commit_swap = 0;
        top_->rst = 0;

        /* a reset now and then: the table starts empty again */
        if (t > 0 && t % (clocks / 3 + 1) == 0) {
            top_->rst = 1;
            top_->s_valid = 0;
            top_->eval();
            clock_edge();
            top_->rst = 0;
            in_flight_.clear();
            cmd_busy_ = false;
            prev_valid_ = false;
            swap_wait_ = 0;
            model_new();
            cover_["resets"]++;
        }

        top_->eval(); /* commit_busy and commit_ready of this clock */
        bool start = !top_->commit_busy && chance(0.004);
        if (start) {
            scrub_model_write(m_, SCRUB_REG_COMMIT, 1);
            pending_.assign(m_->acl, m_->acl + n_);
            top_->commit_start = 1;
            if (getenv("TB_ACL_DEBUG"))
                std::fprintf(stderr, "clock %" PRIu64 ": commit_start\n", cycle_);
            swap_wait_ = below(3) == 0 ? 0 : below(40);
        }
        if (!cmd_busy_ && chance(0.25)) {
            if (start)
                cover_["command_with_commit_start"]++;
            issue_command();
        }
        bool swapping = false;
        if (top_->commit_ready) {
            if (swap_wait_ == 0) {
                swapping = true;
                top_->commit_swap = 1;
                cover_["commits"]++;
                if (getenv("TB_ACL_DEBUG"))
                    std::fprintf(stderr, "clock %" PRIu64 ": swap\n", cycle_);
            } else {
                swap_wait_--;
            }
        } else if (chance(0.01)) {
            top_->commit_swap = 1; /* not ready: ignored */
        }
        drive_lookup(swapping);

        top_->eval();
        if (!check_outputs())
            return false;
        clock_edge();
    }
    return true;
}

/* The coverage; false when a planned bin stayed empty. */
bool Bench::report() const
{
    std::printf("acl_rtl_clocks=%" PRIu64 " seed=%" PRIu64 " entries=%u latency=%d\n", cycle_, seed_, n_,
                (int)Vscrub_acl_scrub_acl::LATENCY);
    for (const auto &kv : cover_)
        std::printf("  %-36s %" PRIu64 "\n", kv.first.c_str(), kv.second);
    bool ok = true;
    for (const char *bin : kPlanned)
        if (!cover_.count(bin)) {
            std::fprintf(stderr, "acl_rtl: coverage bin %s is empty (seed %" PRIu64 ")\n", bin, seed_);
            ok = false;
        }
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
    uint64_t clocks = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 600000;
    Bench bench(seed);
    if (!bench.run(clocks))
        return 1;
    return bench.report() ? 0 : 1;
}
