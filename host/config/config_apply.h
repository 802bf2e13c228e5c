/* Lays a loaded configuration (scrub_config.h) out on a card through the
 * HAL and says where everything went. Owns the placement: which index of
 * which table holds what, which counter pair counts what; the ACE
 * expansion itself is acl_compile.h's.
 *
 * Placement, in this order:
 * - policers: the named ones in list order, a per-source group taking 2^n
 *   consecutive policers; then one anonymous byte policer for every
 *   accept ACE with an RFC 8783 rate-limit (rate: the limit rounded up to
 *   whole bytes/s; burst: a tenth of a second at that rate, at least 9000
 *   bytes so one jumbo frame always fits, at most 2^32 - 1);
 * - ACL: every installed ACL (activation-type other than deactivate) of
 *   every profile, in profile, ACL and ACE order, each ACE expanded by
 *   scrub_ace_compile; profile value = the profile's id, mask 0xff; tenant
 *   wildcard (a profile's entries serve every tenant on it);
 * - DEST: every protected prefix of every tenant, tenant = its id,
 *   profile = its profile's id, enabled unless the tenant is monitor-only;
 * - EM: every source of every tenant, keyed by (tenant id, address);
 * - counter pairs, allocated in the order: named policers (2 pairs, shared
 *   by a group), ACEs (1 pair, shared by the ACE's entries), anonymous
 *   policers (2), DEST entries (2: offered, dropped), EM entries (1).
 *
 * Everything is checked against the card's capabilities first; when
 * something does not fit, nothing is written and the error says what and
 * how much room there is. The writing is host/core's one path to the card
 * (docs/mitigations.md): the card's shadow tables are read back, the
 * desired image of this configuration is built against them (a counter
 * pair or DEST index already holding an entity keeps it), and one
 * transaction writes the difference: CFG_ACTIONS, the newly allocated
 * counters zeroed, the changed policers (RESET when new), ACL and DEST
 * entries (entries past the configuration's written invalid, so the
 * shadowed tables hold exactly this configuration), every EM entry
 * inserted, then the commit (always one); a second transaction sets
 * CTRL.ENABLE. Exact-match entries of an earlier configuration are not
 * removed: apply is meant for a card fresh from reset, incremental updates
 * are the daemon's.
 */
#ifndef CONFIG_APPLY_H
#define CONFIG_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "scrub_config.h"
#include "scrub_hal.h"

enum scrub_counter_kind {
    SCRUB_COUNTER_DEST,    /* pairs: offered, dropped */
    SCRUB_COUNTER_EM,      /* pair: hits */
    SCRUB_COUNTER_ACL,     /* pair: packets the ACE decided (or counted) */
    SCRUB_COUNTER_POLICER, /* pairs: conforming, exceeding */
};

struct scrub_layout_counter {
    uint32_t index; /* the first pair */
    unsigned pairs; /* 2 for DEST and policers, 1 for EM and ACL */
    enum scrub_counter_kind kind;
    char *name; /* "tenant acme 198.51.100.0/24", "profile standard / acl reflection / ace ntp",
                   "policer syn", "tenant acme source 100.100.100.100" */
};

struct scrub_table_use {
    uint32_t used, total;
};

struct scrub_layout {
    struct scrub_layout_counter *counters; /* in index order */
    size_t n_counters;
    struct scrub_table_use dest, em, acl, policers, counter_pairs;
};

/* Lays cfg out on the card behind h, commits and enables filtering. On
 * success fills layout (scrub_layout_free releases it); on failure layout
 * is empty and err says what. */
int scrub_config_apply(struct scrub_hal *h, const struct scrub_config *cfg, struct scrub_layout *layout,
                       struct scrub_err *err);
void scrub_layout_free(struct scrub_layout *layout);
/* "dest", "em", "acl", "policer". */
const char *scrub_counter_kind_name(enum scrub_counter_kind kind);

#endif
