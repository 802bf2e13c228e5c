#include "policer.h"

static uint64_t depth(const struct scrub_policer_entry *cfg)
{
    return (uint64_t)cfg->burst * SCRUB_NS_PER_S;
}

bool scrub_policer_conform(const struct scrub_policer_entry *cfg, struct scrub_policer_state *st, uint64_t now,
                           uint32_t units)
{
    uint64_t cap = depth(cfg);
    if (now > st->last) {
        /* cap < 2^62, so clamping dt at 2^62 ns changes nothing and keeps
         * the product within 2^102: what the RTL's multiplier computes. */
        uint64_t dt = now - st->last;
        if (dt > (1ull << 62))
            dt = 1ull << 62;
        unsigned __int128 refill = (unsigned __int128)cfg->rate * dt;
        st->tokens = refill >= cap - st->tokens ? cap : st->tokens + (uint64_t)refill;
        st->last = now;
    }
    uint64_t cost = (uint64_t)units * SCRUB_NS_PER_S;
    if (st->tokens < cost)
        return false;
    st->tokens -= cost;
    return true;
}

void scrub_policer_reconfigure(const struct scrub_policer_entry *old_cfg, const struct scrub_policer_entry *new_cfg,
                               struct scrub_policer_state *st, uint64_t now)
{
    uint64_t cap = depth(new_cfg);
    if (new_cfg->reset || new_cfg->packets != old_cfg->packets) {
        st->tokens = cap;
        st->last = now;
    } else if (st->tokens > cap) {
        st->tokens = cap;
    }
}
