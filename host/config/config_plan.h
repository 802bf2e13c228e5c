/* Inside host/config: the placement of a configuration on a card of given
 * capabilities, as table entries ready to write (config_apply.h states the
 * rules). Pure computation, no HAL; config_apply.c writes the plan. */
#ifndef CONFIG_PLAN_H
#define CONFIG_PLAN_H

#include "config_apply.h"

struct config_plan {
    struct scrub_policer_entry *policers; /* at index i */
    uint32_t n_policers;
    struct scrub_acl_entry *acl;
    uint32_t n_acl;
    struct scrub_dest_entry *dest;
    uint32_t n_dest;
    struct scrub_em_entry *em;
    uint32_t n_em;
    uint32_t n_counter_pairs;
    struct scrub_layout layout; /* the counters' names and the tables' use */
};

/* Places cfg on a card with caps; -1 with err saying what does not fit
 * and how much room there is. config_plan_free releases the plan either
 * way. */
int config_plan_build(const struct scrub_config *cfg, const struct scrub_caps *caps, struct config_plan *plan,
                      struct scrub_err *err);
void config_plan_free(struct config_plan *plan);

/* Whether the card can match and do what an ACL entry asks (a police
 * action: a byte policer); -1 with err naming who and what it lacks. The
 * core checks the data channel's entries with it. */
int config_plan_check_entry(const struct scrub_acl_entry *e, const struct scrub_caps *caps, const char *who,
                            struct scrub_err *err);
/* An RFC 8783 rate-limit's policer burst: a tenth of a second at the rate,
 * at least one jumbo frame. */
uint32_t config_plan_rate_limit_burst(uint64_t rate);

#endif
