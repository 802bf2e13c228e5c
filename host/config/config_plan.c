/* The placement rules of config_apply.h, computed without touching the
 * card: counts and fit first, then the entries. */
#include "config_plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_compile.h"
#include "scrub_format.h"

#define RATE_LIMIT_BURST_MIN 9000u   /* bytes: one jumbo frame */
#define RATE_LIMIT_BURST_DIVISOR 10u /* a tenth of a second at the rate */

/* Where each kind of thing starts, once everything is counted. */
struct bases {
    uint64_t named_policers;                             /* policers the named ones take */
    size_t n_named, n_aces, n_rate_limits, n_dest, n_em; /* things that get counters */
    uint64_t counter_aces, counter_anon, counter_dest, counter_em, counter_pairs;
};

struct planner {
    const struct scrub_config *cfg;
    const struct scrub_caps *caps;
    struct config_plan *plan;
    struct scrub_err *err;
    struct bases at;
    size_t acl_cap; /* entries allocated in plan->acl */
};

/* ---- small helpers ----------------------------------------------------------------- */

/* Appends to a message being built, ending it with "..." when it no
 * longer fits, so a long list is cut visibly. */
static void appendf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 4 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, size - len - 3, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size - len - 3)
        memcpy(buf + size - 4, "...", 4);
}

static int add_counter(struct planner *p, uint64_t index, unsigned pairs, enum scrub_counter_kind kind, char *name)
{
    struct scrub_layout *l = &p->plan->layout;
    if (!name)
        return scrub_err_set(p->err, ENOMEM, "out of memory naming counters");
    struct scrub_layout_counter *c = &l->counters[l->n_counters++];
    *c = (struct scrub_layout_counter){(uint32_t)index, pairs, kind, name};
    return 0;
}

static bool installed(const struct scrub_acl *acl)
{
    return acl->activation != SCRUB_DEACTIVATED;
}

/* Whether the ACE is policed by an anonymous policer of its own: an accept
 * with a rate-limit and no named policer (a count-only ACE decides
 * nothing, so polices nothing). */
static bool rate_limited(const struct scrub_ace *ace)
{
    return ace->has_rate_limit && !ace->count_only && ace->forwarding == SCRUB_FORWARD_ACCEPT && ace->policer < 0;
}

static uint64_t em_capacity(const struct scrub_caps *caps)
{
    return (uint64_t)caps->em_ways * caps->em_buckets * caps->em_slots + caps->em_stash;
}

/* ---- what the loader guarantees, checked again for configurations built
 * elsewhere ---------------------------------------------------------------- */

#define PROFILE_IDS 255u
#define TENANT_IDS 65535u
#define PER_SOURCE_BITS_MAX 16u

static bool policer_ok(const struct scrub_config *cfg, int policer)
{
    return policer >= 0 && (size_t)policer < cfg->n_policers;
}

static int check_references(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    if (cfg->n_profiles > PROFILE_IDS || cfg->n_tenants > TENANT_IDS)
        return scrub_err_set(p->err, ENOSPC, "%zu profiles and %zu tenants: ids allow at most %u and %u",
                             cfg->n_profiles, cfg->n_tenants, PROFILE_IDS, TENANT_IDS);
    for (size_t i = 0; i < cfg->n_policers; i++)
        if (cfg->policers[i].per_source_bits > PER_SOURCE_BITS_MAX || cfg->policers[i].rate > SCRUB_POLICER_RATE_MAX)
            return scrub_err_set(p->err, EINVAL, "policer '%s': groups of at most 2^%u, rates of at most %llu",
                                 cfg->policers[i].name, PER_SOURCE_BITS_MAX, SCRUB_POLICER_RATE_MAX);
    for (size_t i = 0; i < cfg->n_profiles; i++)
        for (size_t k = 0; k < cfg->profiles[i].n_acls; k++)
            for (size_t e = 0; e < cfg->profiles[i].acls[k].n_aces; e++) {
                const struct scrub_ace *ace = &cfg->profiles[i].acls[k].aces[e];
                if (ace->policer >= 0 && !policer_ok(cfg, ace->policer))
                    return scrub_err_set(p->err, EINVAL, "profile %s: ACE '%s' names policer %d of %zu",
                                         cfg->profiles[i].name, ace->name, ace->policer, cfg->n_policers);
            }
    for (size_t t = 0; t < cfg->n_tenants; t++) {
        const struct scrub_tenant *ten = &cfg->tenants[t];
        if (ten->profile >= cfg->n_profiles)
            return scrub_err_set(p->err, EINVAL, "tenant '%s' names profile %zu of %zu", ten->name, ten->profile,
                                 cfg->n_profiles);
        for (size_t k = 0; k < ten->n_prefixes; k++)
            if (ten->prefixes[k].plen > 128)
                return scrub_err_set(p->err, EINVAL, "tenant '%s': a prefix length of %u", ten->name,
                                     ten->prefixes[k].plen);
        for (size_t k = 0; k < ten->n_sources; k++) {
            const struct scrub_source *s = &ten->sources[k];
            if (s->action == SCRUB_SOURCE_POLICE &&
                (!policer_ok(cfg, s->policer) || cfg->policers[s->policer].per_source_bits))
                return scrub_err_set(p->err, EINVAL, "tenant '%s': a policed source needs a single policer",
                                     ten->name);
        }
    }
    return 0;
}

/* ---- counting and fit ------------------------------------------------------------- */

static void count(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    struct bases *at = &p->at;
    at->n_named = cfg->n_policers;
    for (size_t i = 0; i < cfg->n_policers; i++)
        at->named_policers += 1ull << cfg->policers[i].per_source_bits;
    for (size_t i = 0; i < cfg->n_profiles; i++)
        for (size_t k = 0; k < cfg->profiles[i].n_acls; k++) {
            const struct scrub_acl *acl = &cfg->profiles[i].acls[k];
            for (size_t e = 0; installed(acl) && e < acl->n_aces; e++) {
                at->n_aces++;
                at->n_rate_limits += rate_limited(&acl->aces[e]);
            }
        }
    for (size_t t = 0; t < cfg->n_tenants; t++) {
        at->n_dest += cfg->tenants[t].n_prefixes;
        at->n_em += cfg->tenants[t].n_sources;
    }
    at->counter_aces = 2ull * at->n_named;
    at->counter_anon = at->counter_aces + at->n_aces;
    at->counter_dest = at->counter_anon + 2ull * at->n_rate_limits;
    at->counter_em = at->counter_dest + 2ull * at->n_dest;
    at->counter_pairs = at->counter_em + at->n_em;
}

static int check_policers_fit(struct planner *p)
{
    uint64_t need = p->at.named_policers + p->at.n_rate_limits;
    if (need <= p->caps->policers)
        return 0;
    char list[400] = "";
    for (size_t i = 0; i < p->cfg->n_policers; i++)
        appendf(list, sizeof(list), "%s'%s' %llu", i ? ", " : "", p->cfg->policers[i].name,
                1ull << p->cfg->policers[i].per_source_bits);
    if (p->at.n_rate_limits)
        appendf(list, sizeof(list), "%srate limits %zu", p->cfg->n_policers ? ", " : "", p->at.n_rate_limits);
    return scrub_err_set(p->err, ENOSPC, "the policers need %llu, the card has %u: %s", (unsigned long long)need,
                         p->caps->policers, list);
}

static int check_tenants_fit(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    bool dest = p->at.n_dest > p->caps->dest;
    uint64_t room = em_capacity(p->caps);
    if (!dest && p->at.n_em <= room)
        return 0;
    char list[400] = "";
    for (size_t t = 0; t < cfg->n_tenants; t++)
        appendf(list, sizeof(list), "%s'%s' %zu", t ? ", " : "tenant ", cfg->tenants[t].name,
                dest ? cfg->tenants[t].n_prefixes : cfg->tenants[t].n_sources);
    if (dest)
        return scrub_err_set(p->err, ENOSPC,
                             "the protected prefixes need %zu destination entries, the card has %u: %s", p->at.n_dest,
                             p->caps->dest, list);
    return scrub_err_set(p->err, ENOSPC, "the sources need %zu exact-match entries, the card holds at most %llu: %s",
                         p->at.n_em, (unsigned long long)room, list);
}

static int check_counters_fit(struct planner *p)
{
    const struct bases *at = &p->at;
    if (at->counter_pairs <= p->caps->counters)
        return 0;
    return scrub_err_set(p->err, ENOSPC,
                         "the configuration needs %llu counter pairs, the card has %u: named policers %llu, "
                         "ACEs %zu, rate limits %llu, protected prefixes %llu, sources %zu",
                         (unsigned long long)at->counter_pairs, p->caps->counters, 2ull * at->n_named, at->n_aces,
                         2ull * at->n_rate_limits, 2ull * at->n_dest, at->n_em);
}

/* ---- capabilities -------------------------------------------------------------------- */

static const struct {
    uint32_t cap;
    const char *what;
} match_fields[] = {
    {SCRUB_CAP_MATCH_TENANT_MASK, "the tenant"},
    {SCRUB_CAP_MATCH_PROFILE_MASK, "the profile"},
    {SCRUB_CAP_MATCH_SRC_ADDR_MASK, "source addresses"},
    {SCRUB_CAP_MATCH_DST_ADDR_MASK, "destination addresses"},
    {SCRUB_CAP_MATCH_PROTO_MASK, "the protocol"},
    {SCRUB_CAP_MATCH_SRC_PORT_MASK, "source ports"},
    {SCRUB_CAP_MATCH_DST_PORT_MASK, "destination ports"},
    {SCRUB_CAP_MATCH_TCP_FLAGS_MASK, "TCP flags"},
    {SCRUB_CAP_MATCH_ICMP_TYPE_MASK, "the ICMP type"},
    {SCRUB_CAP_MATCH_ICMP_CODE_MASK, "the ICMP code"},
    {SCRUB_CAP_MATCH_FRAG_MASK, "fragment bits"},
    {SCRUB_CAP_MATCH_LENGTH_MASK, "the L3 length"},
    {SCRUB_CAP_MATCH_DSCP_MASK, "DSCP"},
    {SCRUB_CAP_MATCH_VLAN_MASK, "the VLAN"},
    {SCRUB_CAP_MATCH_FAMILY_MASK, "the address family"},
    {SCRUB_CAP_MATCH_IPV6_MASK, "IPv6 traffic"},
};

static bool any_addr_bits(const struct scrub_addr *a)
{
    static const struct scrub_addr zero;
    return !scrub_addr_eq(a, &zero);
}

/* The CAP_MATCH bits an ACL entry relies on. */
static uint32_t match_needs(const struct scrub_acl_entry *e)
{
    uint32_t need = 0;
    need |= e->tenant_mask ? SCRUB_CAP_MATCH_TENANT_MASK : 0;
    need |= e->profile_mask ? SCRUB_CAP_MATCH_PROFILE_MASK : 0;
    need |= any_addr_bits(&e->src_mask) ? SCRUB_CAP_MATCH_SRC_ADDR_MASK : 0;
    need |= any_addr_bits(&e->dst_mask) ? SCRUB_CAP_MATCH_DST_ADDR_MASK : 0;
    need |= e->proto_mask ? SCRUB_CAP_MATCH_PROTO_MASK : 0;
    need |= e->sport_lo != 0 || e->sport_hi != 0xffff ? SCRUB_CAP_MATCH_SRC_PORT_MASK : 0;
    need |= e->dport_lo != 0 || e->dport_hi != 0xffff ? SCRUB_CAP_MATCH_DST_PORT_MASK : 0;
    need |= e->flags_mask ? SCRUB_CAP_MATCH_TCP_FLAGS_MASK : 0;
    need |= e->itype_mask ? SCRUB_CAP_MATCH_ICMP_TYPE_MASK : 0;
    need |= e->icode_mask ? SCRUB_CAP_MATCH_ICMP_CODE_MASK : 0;
    need |= e->frag_mask ? SCRUB_CAP_MATCH_FRAG_MASK : 0;
    need |= e->len_lo != 0 || e->len_hi != 0xffff ? SCRUB_CAP_MATCH_LENGTH_MASK : 0;
    need |= e->dscp_mask ? SCRUB_CAP_MATCH_DSCP_MASK : 0;
    need |= e->vlan_mask ? SCRUB_CAP_MATCH_VLAN_MASK : 0;
    need |= e->v6_mask ? SCRUB_CAP_MATCH_FAMILY_MASK : 0;
    need |= e->v6_mask && e->v6_value ? SCRUB_CAP_MATCH_IPV6_MASK : 0;
    return need;
}

static const char *missing_match(uint32_t need, uint32_t have)
{
    for (size_t i = 0; i < sizeof(match_fields) / sizeof(match_fields[0]); i++)
        if ((need & match_fields[i].cap) && !(have & match_fields[i].cap))
            return match_fields[i].what;
    return NULL;
}

/* The CAP_ACTION bits a police action on a policer of this unit and
 * group size relies on. */
static uint32_t police_needs(bool packets, unsigned per_source_bits)
{
    return SCRUB_CAP_ACTION_POLICE_MASK |
           (packets ? SCRUB_CAP_ACTION_POLICE_PKTS_MASK : SCRUB_CAP_ACTION_POLICE_BYTES_MASK) |
           (per_source_bits ? SCRUB_CAP_ACTION_PER_SOURCE_MASK : 0);
}

static int check_action_on(const struct scrub_caps *caps, uint32_t need, const char *who, struct scrub_err *err)
{
    static const struct {
        uint32_t cap;
        const char *what;
    } actions[] = {
        {SCRUB_CAP_ACTION_ACCEPT_MASK, "accept"},
        {SCRUB_CAP_ACTION_DROP_MASK, "drop"},
        {SCRUB_CAP_ACTION_POLICE_MASK, "police"},
        {SCRUB_CAP_ACTION_COUNT_ONLY_MASK, "count only"},
        {SCRUB_CAP_ACTION_PER_SOURCE_MASK, "police per source"},
        {SCRUB_CAP_ACTION_POLICE_BYTES_MASK, "police bytes"},
        {SCRUB_CAP_ACTION_POLICE_PKTS_MASK, "police packets"},
    };
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        if ((need & actions[i].cap) && !(caps->actions & actions[i].cap))
            return scrub_err_set(err, ENOTSUP, "%s: this card cannot %s (CAP_ACTION 0x%08x)", who, actions[i].what,
                                 caps->actions);
    return 0;
}

static int check_action(struct planner *p, uint32_t need, const char *who)
{
    return check_action_on(p->caps, need, who, p->err);
}

int config_plan_check_entry(const struct scrub_acl_entry *e, const struct scrub_caps *caps, const char *who,
                            struct scrub_err *err)
{
    const char *missing = missing_match(match_needs(e), caps->match);
    if (missing)
        return scrub_err_set(err, ENOTSUP, "%s matches %s, which this card cannot (CAP_MATCH 0x%08x)", who, missing,
                             caps->match);
    uint32_t need = e->count_only                       ? SCRUB_CAP_ACTION_COUNT_ONLY_MASK
                    : e->action == SCRUB_ACTION_DROP   ? SCRUB_CAP_ACTION_DROP_MASK
                    : e->action == SCRUB_ACTION_POLICE ? police_needs(false, e->policer_bits)
                                                       : SCRUB_CAP_ACTION_ACCEPT_MASK;
    return check_action_on(caps, need, who, err);
}

uint32_t config_plan_rate_limit_burst(uint64_t rate)
{
    uint64_t burst = rate / RATE_LIMIT_BURST_DIVISOR;
    return burst < RATE_LIMIT_BURST_MIN ? RATE_LIMIT_BURST_MIN : burst > UINT32_MAX ? UINT32_MAX : (uint32_t)burst;
}

/* ---- the ACL ------------------------------------------------------------------------ */

static int reserve_acl(struct planner *p, size_t more)
{
    struct config_plan *plan = p->plan;
    if (plan->n_acl + more <= p->acl_cap)
        return 0;
    size_t cap = p->acl_cap ? 2 * p->acl_cap : 64;
    while (cap < plan->n_acl + more)
        cap *= 2;
    struct scrub_acl_entry *acl = realloc(plan->acl, cap * sizeof(*acl));
    if (!acl)
        return scrub_err_set(p->err, ENOMEM, "out of memory laying out the ACL");
    plan->acl = acl;
    p->acl_cap = cap;
    return 0;
}

/* The entry every expansion of the ACE starts from: its profile, action,
 * policer and counter. */
static int ace_base(struct planner *p, const struct scrub_ace *ace, unsigned profile_id, uint64_t counter,
                    uint64_t *next_anon, struct scrub_acl_entry *base, const char *who)
{
    const struct scrub_config *cfg = p->cfg;
    scrub_acl_entry_any(base);
    base->valid = true;
    base->profile_value = (uint8_t)profile_id;
    base->profile_mask = 0xff;
    base->counter = (uint32_t)counter;
    uint32_t need;
    if (ace->count_only) {
        base->count_only = true;
        base->action = SCRUB_ACTION_ACCEPT;
        need = SCRUB_CAP_ACTION_COUNT_ONLY_MASK;
    } else if (ace->forwarding == SCRUB_FORWARD_DROP) {
        base->action = SCRUB_ACTION_DROP;
        need = SCRUB_CAP_ACTION_DROP_MASK;
    } else if (ace->policer >= 0) {
        const struct scrub_policer_config *pc = &cfg->policers[ace->policer];
        uint64_t first = 0;
        for (int i = 0; i < ace->policer; i++)
            first += 1ull << cfg->policers[i].per_source_bits;
        base->action = SCRUB_ACTION_POLICE;
        base->policer = (uint32_t)first;
        base->policer_bits = (uint8_t)pc->per_source_bits;
        need = police_needs(pc->packets, pc->per_source_bits);
    } else if (rate_limited(ace)) {
        base->action = SCRUB_ACTION_POLICE;
        base->policer = (uint32_t)(*next_anon)++;
        need = police_needs(false, 0);
    } else {
        base->action = SCRUB_ACTION_ACCEPT;
        need = SCRUB_CAP_ACTION_ACCEPT_MASK;
    }
    return check_action(p, need, who);
}

static int plan_ace(struct planner *p, const struct scrub_acl *acl, const struct scrub_ace *ace, unsigned profile_id,
                    uint64_t counter, uint64_t *next_anon, const char *who)
{
    struct config_plan *plan = p->plan;
    struct scrub_acl_entry base;
    if (ace_base(p, ace, profile_id, counter, next_anon, &base, who))
        return -1;
    if (reserve_acl(p, SCRUB_ACE_MAX_ENTRIES))
        return -1;
    int n = scrub_ace_compile(ace, acl->type_family, &base, plan->acl + plan->n_acl, SCRUB_ACE_MAX_ENTRIES, p->err);
    if (n < 0)
        return scrub_err_prefix(p->err, "%s", who);
    for (int i = 0; i < n; i++) {
        const char *missing = missing_match(match_needs(&plan->acl[plan->n_acl + i]), p->caps->match);
        if (missing)
            return scrub_err_set(p->err, ENOTSUP, "%s matches %s, which this card cannot (CAP_MATCH 0x%08x)", who,
                                 missing, p->caps->match);
    }
    plan->n_acl += (uint32_t)n;
    return 0;
}

/* Every installed ACE into plan->acl, with its counter and, for a
 * rate-limit, its anonymous policer; then whether the ACL fits. */
static int plan_acl(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    uint64_t counter = p->at.counter_aces, next_anon = p->at.named_policers;
    uint32_t *per_profile = calloc(cfg->n_profiles ? cfg->n_profiles : 1, sizeof(*per_profile));
    if (!per_profile)
        return scrub_err_set(p->err, ENOMEM, "out of memory laying out the ACL");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->n_profiles; i++) {
        const struct scrub_profile *prof = &cfg->profiles[i];
        uint32_t before = p->plan->n_acl;
        for (size_t k = 0; rc == 0 && k < prof->n_acls; k++) {
            const struct scrub_acl *acl = &prof->acls[k];
            for (size_t e = 0; rc == 0 && installed(acl) && e < acl->n_aces; e++) {
                char *who = scrub_format("profile %s / acl %s / ace %s", prof->name, acl->name, acl->aces[e].name);
                rc = add_counter(p, counter, 1, SCRUB_COUNTER_ACL, who);
                if (rc == 0)
                    rc = plan_ace(p, acl, &acl->aces[e], (unsigned)i + 1, counter++, &next_anon, who);
            }
        }
        per_profile[i] = p->plan->n_acl - before;
    }
    if (rc == 0 && p->plan->n_acl > p->caps->acl) {
        char list[400] = "";
        for (size_t i = 0; i < cfg->n_profiles; i++)
            appendf(list, sizeof(list), "%s'%s' %u", i ? ", " : "profile ", cfg->profiles[i].name, per_profile[i]);
        rc = scrub_err_set(p->err, ENOSPC, "the profiles need %u ACL entries, the card has %u: %s", p->plan->n_acl,
                           p->caps->acl, list);
    }
    free(per_profile);
    return rc;
}

/* ---- policers, destinations, sources ------------------------------------------- */

static int plan_named_policers(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    struct config_plan *plan = p->plan;
    plan->n_policers = (uint32_t)(p->at.named_policers + p->at.n_rate_limits);
    plan->policers = calloc(plan->n_policers ? plan->n_policers : 1, sizeof(*plan->policers));
    if (!plan->policers)
        return scrub_err_set(p->err, ENOMEM, "out of memory laying out the policers");
    uint32_t at = 0;
    for (size_t i = 0; i < cfg->n_policers; i++) {
        const struct scrub_policer_config *pc = &cfg->policers[i];
        char who[128];
        snprintf(who, sizeof(who), "policer '%s'", pc->name);
        if (check_action(p, police_needs(pc->packets, pc->per_source_bits), who) ||
            add_counter(p, 2 * i, 2, SCRUB_COUNTER_POLICER, scrub_format("policer %s", pc->name)))
            return -1;
        for (uint32_t k = 0; k < 1u << pc->per_source_bits; k++)
            plan->policers[at++] = (struct scrub_policer_entry){.packets = pc->packets,
                                                                .reset = true,
                                                                .rate = pc->rate,
                                                                .burst = pc->burst,
                                                                .counter = 2 * (uint32_t)i};
    }
    return 0;
}

/* One byte policer per rate-limit ACE, in the order plan_acl numbered
 * them. */
static int plan_rate_limits(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    struct config_plan *plan = p->plan;
    uint64_t at = p->at.named_policers, counter = p->at.counter_anon;
    for (size_t i = 0; i < cfg->n_profiles; i++)
        for (size_t k = 0; k < cfg->profiles[i].n_acls; k++) {
            const struct scrub_acl *acl = &cfg->profiles[i].acls[k];
            for (size_t e = 0; installed(acl) && e < acl->n_aces; e++) {
                const struct scrub_ace *ace = &acl->aces[e];
                if (!rate_limited(ace))
                    continue;
                uint64_t rate = scrub_ace_rate_limit_bytes(ace);
                plan->policers[at++] = (struct scrub_policer_entry){
                    .reset = true, .rate = rate, .burst = config_plan_rate_limit_burst(rate), .counter = (uint32_t)counter};
                if (add_counter(p, counter, 2, SCRUB_COUNTER_POLICER,
                                scrub_format("profile %s / acl %s / ace %s / rate-limit", cfg->profiles[i].name, acl->name,
                                        ace->name)))
                    return -1;
                counter += 2;
            }
        }
    return 0;
}

static int plan_destinations(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    struct config_plan *plan = p->plan;
    plan->dest = calloc(p->at.n_dest ? p->at.n_dest : 1, sizeof(*plan->dest));
    if (!plan->dest)
        return scrub_err_set(p->err, ENOMEM, "out of memory laying out the destinations");
    uint64_t counter = p->at.counter_dest;
    for (size_t t = 0; t < cfg->n_tenants; t++) {
        const struct scrub_tenant *ten = &cfg->tenants[t];
        for (size_t k = 0; k < ten->n_prefixes; k++) {
            char text[SCRUB_PREFIX_TEXT];
            scrub_prefix_format(&ten->prefixes[k], text, sizeof(text));
            if (!scrub_addr_is_v4(&ten->prefixes[k].addr) && !(p->caps->match & SCRUB_CAP_MATCH_IPV6_MASK))
                return scrub_err_set(p->err, ENOTSUP, "tenant '%s' protects %s, but this card does not match IPv6",
                                     ten->name, text);
            plan->dest[plan->n_dest++] = (struct scrub_dest_entry){.prefix = ten->prefixes[k].addr,
                                                                   .plen = (uint8_t)ten->prefixes[k].plen,
                                                                   .valid = true,
                                                                   .enable = !ten->monitor_only,
                                                                   .tenant = (uint16_t)(t + 1),
                                                                   .profile = (uint8_t)(ten->profile + 1),
                                                                   .counter = (uint32_t)counter};
            if (add_counter(p, counter, 2, SCRUB_COUNTER_DEST, scrub_format("tenant %s %s", ten->name, text)))
                return -1;
            counter += 2;
        }
    }
    return 0;
}

static int plan_sources(struct planner *p)
{
    const struct scrub_config *cfg = p->cfg;
    struct config_plan *plan = p->plan;
    plan->em = calloc(p->at.n_em ? p->at.n_em : 1, sizeof(*plan->em));
    if (!plan->em)
        return scrub_err_set(p->err, ENOMEM, "out of memory laying out the sources");
    uint64_t counter = p->at.counter_em;
    for (size_t t = 0; t < cfg->n_tenants; t++) {
        const struct scrub_tenant *ten = &cfg->tenants[t];
        for (size_t k = 0; k < ten->n_sources; k++) {
            const struct scrub_source *s = &ten->sources[k];
            char text[SCRUB_PREFIX_TEXT], who[256];
            scrub_addr_format(&s->addr, text, sizeof(text));
            snprintf(who, sizeof(who), "tenant '%s' source %s", ten->name, text);
            if (!scrub_addr_is_v4(&s->addr) && !(p->caps->match & SCRUB_CAP_MATCH_IPV6_MASK))
                return scrub_err_set(p->err, ENOTSUP, "%s: this card does not match IPv6", who);
            struct scrub_em_entry *e = &plan->em[plan->n_em++];
            *e = (struct scrub_em_entry){
                .tenant = (uint16_t)(t + 1), .addr = s->addr, .valid = true, .counter = (uint32_t)counter};
            uint32_t need;
            if (s->action == SCRUB_SOURCE_POLICE) {
                const struct scrub_policer_config *pc = &cfg->policers[s->policer];
                for (int i = 0; i < s->policer; i++)
                    e->policer += 1u << cfg->policers[i].per_source_bits;
                e->action = SCRUB_ACTION_POLICE;
                need = police_needs(pc->packets, 0);
            } else {
                e->action = s->action == SCRUB_SOURCE_DROP ? SCRUB_ACTION_DROP : SCRUB_ACTION_ACCEPT;
                need = s->action == SCRUB_SOURCE_DROP ? SCRUB_CAP_ACTION_DROP_MASK : SCRUB_CAP_ACTION_ACCEPT_MASK;
            }
            if (check_action(p, need, who) ||
                add_counter(p, counter++, 1, SCRUB_COUNTER_EM, scrub_format("tenant %s source %s", ten->name, text)))
                return -1;
        }
    }
    return 0;
}

int config_plan_build(const struct scrub_config *cfg, const struct scrub_caps *caps, struct config_plan *plan,
                      struct scrub_err *err)
{
    memset(plan, 0, sizeof(*plan));
    struct planner p = {.cfg = cfg, .caps = caps, .plan = plan, .err = err};
    if (check_references(&p))
        return -1;
    count(&p);
    if (check_policers_fit(&p) || check_tenants_fit(&p) || check_counters_fit(&p))
        return -1;
    size_t n_counters = p.at.n_named + p.at.n_aces + p.at.n_rate_limits + p.at.n_dest + p.at.n_em;
    plan->layout.counters = calloc(n_counters ? n_counters : 1, sizeof(*plan->layout.counters));
    if (!plan->layout.counters)
        return scrub_err_set(err, ENOMEM, "out of memory laying out the counters");
    /* In counter index order, so the layout lists them so. */
    if (plan_named_policers(&p) || plan_acl(&p) || plan_rate_limits(&p) || plan_destinations(&p) || plan_sources(&p))
        return -1;
    plan->n_counter_pairs = (uint32_t)p.at.counter_pairs;
    struct scrub_layout *l = &plan->layout;
    l->dest = (struct scrub_table_use){plan->n_dest, caps->dest};
    l->em = (struct scrub_table_use){plan->n_em, (uint32_t)em_capacity(caps)};
    l->acl = (struct scrub_table_use){plan->n_acl, caps->acl};
    l->policers = (struct scrub_table_use){plan->n_policers, caps->policers};
    l->counter_pairs = (struct scrub_table_use){plan->n_counter_pairs, caps->counters};
    return 0;
}

void config_plan_free(struct config_plan *plan)
{
    free(plan->policers);
    free(plan->acl);
    free(plan->dest);
    free(plan->em);
    scrub_layout_free(&plan->layout);
    memset(plan, 0, sizeof(*plan));
}
