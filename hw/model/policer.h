/* Token buckets (docs/card.md, "Policers"). Tokens are kept in units x
 * 10^9 (nano-units) so that a rate in units per second times an interval
 * in ns is exact in integers: refill = rate * dt, cost = length * 10^9,
 * depth = burst * 10^9. */
#ifndef SCRUB_POLICER_H
#define SCRUB_POLICER_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_entry.h"

#define SCRUB_POLICER_RATE_MAX ((1ull << 40) - 1)

struct scrub_policer_state {
    uint64_t tokens, last;
};

/* One packet of `units` (L3 bytes, or 1 in packet mode) at time now:
 * true if it conforms (and the tokens are taken). */
bool scrub_policer_conform(const struct scrub_policer_entry *cfg, struct scrub_policer_state *st, uint64_t now,
                           uint32_t units);

/* A committed configuration change: a reset or a change of unit refills
 * the bucket and restarts its clock at now; otherwise the tokens are kept,
 * capped at the new depth, and the new rate applies from the last refill. */
void scrub_policer_reconfigure(const struct scrub_policer_entry *old_cfg, const struct scrub_policer_entry *new_cfg,
                               struct scrub_policer_state *st, uint64_t now);

#endif
