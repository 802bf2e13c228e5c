/* The desired card image (card_image.h): the configuration's placement
 * (config_plan.h) plus the mitigations' DEST entries and the run-time
 * sources, with indexes and counter pairs kept from the previous image. */
#include "card_image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_plan.h"
#include "scrub_ace.h"
#include "scrub_format.h"

/* A counter owner: a DEST entry, an ACE (shared by its expanded entries),
 * a policer (shared by its group), an exact-match entry. */
struct entity {
    char *name;
    enum scrub_counter_kind kind;
    unsigned pairs;
    unsigned refs;   /* entries that count into it */
    int64_t adopt;   /* the pair its previous entry used, or -1 */
    int64_t counter; /* the pair it gets, or -1 */
};

struct want_dest {
    struct scrub_dest_entry e;
    size_t entity;
    bool mitigation;
    int64_t precedence;
    int64_t index; /* where it goes, -1 until placed */
};

/* An ACL or policer entry and its counter owner. */
struct want_acl {
    struct scrub_acl_entry e;
    size_t entity;
};

struct want_policer {
    struct scrub_policer_entry e;
    size_t entity;
};

struct want_em {
    struct scrub_em_entry e;
    size_t entity;
    bool runtime;
};

struct builder {
    const struct image_input *in;
    const struct scrub_caps *caps;
    const struct card_image *prev;
    struct card_image *out;
    struct scrub_err *err;
    struct config_plan plan;
    struct entity *ents;
    size_t n_ents, cap_ents;
    int64_t *plan_entity; /* plan counter index -> entity */
    struct want_dest *dest;
    size_t n_dest;
    struct want_em *em;
    size_t n_em;
    struct want_acl *acl; /* the data channel's entries, then the plan's */
    uint32_t n_acl;
    struct want_policer *policers; /* the plan's, then the data channel's rate limits */
    uint32_t n_policers;
    uint8_t *claimed; /* counter pairs taken in the new image */
};

/* ---- entry predicates ------------------------------------------------------------- */

bool card_dest_in_use(const struct scrub_dest_entry *e)
{
    return e->valid || e->tenant != 0;
}

bool card_policer_in_use(const struct scrub_policer_entry *e)
{
    return e->packets || e->rate || e->burst || e->counter;
}

bool card_policer_same(const struct scrub_policer_entry *a, const struct scrub_policer_entry *b)
{
    return a->packets == b->packets && a->rate == b->rate && a->burst == b->burst && a->counter == b->counter;
}

int card_em_key_cmp(const struct scrub_em_entry *a, const struct scrub_em_entry *b)
{
    if (a->tenant != b->tenant)
        return a->tenant < b->tenant ? -1 : 1;
    return memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b));
}

static int em_qsort_cmp(const void *a, const void *b)
{
    return card_em_key_cmp(a, b);
}

uint32_t card_actions_word(const struct scrub_card_actions *c)
{
    return (c->default_drop ? SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK : 0) |
           (c->nonip_drop ? SCRUB_CFG_ACTIONS_NONIP_MASK : 0) |
           (c->unparsed_drop ? SCRUB_CFG_ACTIONS_UNPARSED_MASK : 0) |
           (c->malformed_drop ? SCRUB_CFG_ACTIONS_MALFORMED_MASK : 0);
}

static bool dest_same(const struct scrub_dest_entry *a, const struct scrub_dest_entry *b)
{
    scrub_words wa = {0}, wb = {0};
    scrub_dest_pack(a, wa);
    scrub_dest_pack(b, wb);
    return memcmp(wa, wb, sizeof(wa)) == 0;
}

static bool acl_same(const struct scrub_acl_entry *a, const struct scrub_acl_entry *b)
{
    scrub_words wa = {0}, wb = {0};
    scrub_acl_pack(a, wa);
    scrub_acl_pack(b, wb);
    return memcmp(wa, wb, sizeof(wa)) == 0;
}

static bool em_same(const struct scrub_em_entry *a, const struct scrub_em_entry *b)
{
    return card_em_key_cmp(a, b) == 0 && a->action == b->action && a->policer == b->policer &&
           a->counter == b->counter;
}

/* The same ACL entry but for its counter. */
static bool acl_same_but_counter(const struct scrub_acl_entry *a, const struct scrub_acl_entry *b)
{
    struct scrub_acl_entry x = *a, y = *b;
    x.counter = y.counter = 0;
    return acl_same(&x, &y);
}

/* ---- images ----------------------------------------------------------------------- */

static uint64_t em_capacity(const struct scrub_caps *caps)
{
    return (uint64_t)caps->em_ways * caps->em_buckets * caps->em_slots + caps->em_stash;
}

int card_image_empty(const struct scrub_caps *caps, struct card_image *out, struct scrub_err *err)
{
    memset(out, 0, sizeof(*out));
    out->caps = *caps;
    out->dest = calloc(caps->dest ? caps->dest : 1, sizeof(*out->dest));
    out->acl = calloc(caps->acl ? caps->acl : 1, sizeof(*out->acl));
    out->policers = calloc(caps->policers ? caps->policers : 1, sizeof(*out->policers));
    out->em = calloc(1, sizeof(*out->em));
    out->pair_used = calloc(caps->counters ? caps->counters : 1, 1);
    out->pair_fresh = calloc(caps->counters ? caps->counters : 1, 1);
    if (!out->dest || !out->acl || !out->policers || !out->em || !out->pair_used || !out->pair_fresh) {
        card_image_free(out);
        return scrub_err_set(err, ENOMEM, "out of memory for a card image");
    }
    for (uint32_t i = 0; i < caps->acl; i++)
        scrub_acl_entry_any(&out->acl[i]);
    return 0;
}

void card_image_free(struct card_image *img)
{
    if (!img)
        return;
    free(img->dest);
    free(img->acl);
    free(img->policers);
    free(img->em);
    free(img->pair_used);
    free(img->pair_fresh);
    free(img->by_name);
    scrub_layout_free(&img->layout);
    memset(img, 0, sizeof(*img));
}

static void use_pairs(struct card_image *img, uint32_t first, unsigned pairs)
{
    for (unsigned k = 0; k < pairs; k++)
        if ((uint64_t)first + k < img->caps.counters)
            img->pair_used[first + k] = 1;
}

void card_image_index(struct card_image *img)
{
    if (img->n_em > 1)
        qsort(img->em, img->n_em, sizeof(*img->em), em_qsort_cmp);
    memset(img->pair_used, 0, img->caps.counters ? img->caps.counters : 1);
    for (uint32_t i = 0; i < img->dest_extent; i++)
        if (card_dest_in_use(&img->dest[i]))
            use_pairs(img, img->dest[i].counter, 2);
    for (uint32_t i = 0; i < img->caps.acl; i++)
        if (img->acl[i].valid)
            use_pairs(img, img->acl[i].counter, 1);
    for (uint32_t i = 0; i < img->policer_extent; i++)
        if (card_policer_in_use(&img->policers[i]))
            use_pairs(img, img->policers[i].counter, 2);
    for (size_t i = 0; i < img->n_em; i++)
        use_pairs(img, img->em[i].counter, 1);
}

void card_image_find_extents(struct card_image *img)
{
    img->dest_extent = img->policer_extent = 0;
    for (uint32_t i = 0; i < img->caps.dest; i++)
        if (card_dest_in_use(&img->dest[i]))
            img->dest_extent = i + 1;
    for (uint32_t i = 0; i < img->caps.policers; i++)
        if (card_policer_in_use(&img->policers[i]))
            img->policer_extent = i + 1;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

bool card_image_equal(const struct card_image *a, const struct card_image *b)
{
    if (a->cfg_actions != b->cfg_actions || a->caps.dest != b->caps.dest || a->caps.acl != b->caps.acl ||
        a->caps.policers != b->caps.policers || a->n_em != b->n_em)
        return false;
    for (uint32_t i = 0; i < max_u32(a->dest_extent, b->dest_extent); i++)
        if (!dest_same(&a->dest[i], &b->dest[i]))
            return false;
    for (uint32_t i = 0; i < a->caps.acl; i++)
        if (a->acl[i].valid != b->acl[i].valid || (a->acl[i].valid && !acl_same(&a->acl[i], &b->acl[i])))
            return false;
    for (uint32_t i = 0; i < max_u32(a->policer_extent, b->policer_extent); i++)
        if (!card_policer_same(&a->policers[i], &b->policers[i]))
            return false;
    for (size_t i = 0; i < a->n_em; i++)
        if (!em_same(&a->em[i], &b->em[i]))
            return false;
    return true;
}

const struct scrub_layout_counter *card_image_counter(const struct card_image *img, const char *name)
{
    size_t lo = 0, hi = img->by_name ? img->layout.n_counters : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct scrub_layout_counter *c = &img->layout.counters[img->by_name[mid]];
        int cmp = strcmp(c->name, name);
        if (cmp == 0)
            return c;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct scrub_layout_counter *name_sort_counters; /* qsort has no context argument */

static int by_name_cmp(const void *a, const void *b)
{
    return strcmp(name_sort_counters[*(const size_t *)a].name, name_sort_counters[*(const size_t *)b].name);
}

/* ---- the builder ------------------------------------------------------------------ */

/* Adds an entity; takes name. Returns its index, or -1. */
static int64_t add_entity(struct builder *b, char *name, enum scrub_counter_kind kind, unsigned pairs)
{
    if (!name) {
        scrub_err_set(b->err, ENOMEM, "out of memory naming counters");
        return -1;
    }
    if (b->n_ents == b->cap_ents) {
        size_t cap = b->cap_ents ? 2 * b->cap_ents : 64;
        struct entity *e = realloc(b->ents, cap * sizeof(*e));
        if (!e) {
            free(name);
            scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
            return -1;
        }
        b->ents = e;
        b->cap_ents = cap;
    }
    b->ents[b->n_ents] = (struct entity){name, kind, pairs, 0, -1, -1};
    return (int64_t)b->n_ents++;
}

static int layout_index_cmp(const void *key, const void *elem)
{
    uint32_t k = *(const uint32_t *)key, i = ((const struct scrub_layout_counter *)elem)->index;
    return k < i ? -1 : k > i;
}

/* Whether the entity may take over a previous entry that counted into
 * counter: when the previous image names its counters (a built image),
 * only the owner of the same name may; a read-back image has no names, and
 * content decides. */
static bool may_adopt(const struct builder *b, size_t ent, uint32_t counter)
{
    const struct card_image *prev = b->prev;
    if (!prev || !prev->layout.n_counters)
        return true;
    const struct scrub_layout_counter *c = bsearch(&counter, prev->layout.counters, prev->layout.n_counters,
                                                   sizeof(*c), layout_index_cmp);
    return c && strcmp(c->name, b->ents[ent].name) == 0;
}

static void propose(struct builder *b, size_t ent, uint32_t counter)
{
    if (b->ents[ent].adopt < 0)
        b->ents[ent].adopt = counter;
}

/* The configuration's counters become entities; the plan's entries name
 * them by their plan index. */
static int config_entities(struct builder *b)
{
    const struct scrub_layout *l = &b->plan.layout;
    b->plan_entity = malloc(((size_t)b->plan.n_counter_pairs + 1) * sizeof(*b->plan_entity));
    if (!b->plan_entity)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (uint32_t i = 0; i <= b->plan.n_counter_pairs; i++)
        b->plan_entity[i] = -1;
    for (size_t i = 0; i < l->n_counters; i++) {
        char *name = strdup(l->counters[i].name);
        int64_t e = add_entity(b, name, l->counters[i].kind, l->counters[i].pairs);
        if (e < 0)
            return -1;
        b->plan_entity[l->counters[i].index] = e;
    }
    return 0;
}

static int collect_dest(struct builder *b)
{
    const struct image_input *in = b->in;
    size_t n = b->plan.n_dest;
    for (size_t i = 0; i < in->n_mitigations; i++)
        n += in->mitigations[i].n_prefixes;
    if (n > b->caps->dest)
        return scrub_err_set(b->err, ENOSPC,
                             "the destinations need %zu entries, the card has %u: the configuration's protected "
                             "prefixes %u, mitigations' prefixes %zu",
                             n, b->caps->dest, b->plan.n_dest, n - b->plan.n_dest);
    b->dest = calloc(n ? n : 1, sizeof(*b->dest));
    if (!b->dest)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (uint32_t i = 0; i < b->plan.n_dest; i++) {
        const struct scrub_dest_entry *e = &b->plan.dest[i];
        b->dest[b->n_dest++] = (struct want_dest){*e, (size_t)b->plan_entity[e->counter], false, 0, -1};
    }
    for (size_t i = 0; i < in->n_mitigations; i++) {
        const struct image_mitigation *m = &in->mitigations[i];
        for (size_t k = 0; k < m->n_prefixes; k++) {
            char text[SCRUB_PREFIX_TEXT];
            scrub_prefix_format(&m->prefixes[k], text, sizeof(text));
            int64_t ent = add_entity(b, scrub_format("%s %s", m->name, text), SCRUB_COUNTER_DEST, 2);
            if (ent < 0)
                return -1;
            struct scrub_dest_entry e = {.prefix = m->prefixes[k].addr,
                                         .plen = (uint8_t)m->prefixes[k].plen,
                                         .valid = true,
                                         .enable = true,
                                         .tenant = m->tenant,
                                         .profile = m->profile};
            b->dest[b->n_dest++] = (struct want_dest){e, (size_t)ent, true, m->precedence, -1};
        }
    }
    return 0;
}

static int by_prefix(const void *pa, const void *pb)
{
    const struct want_dest *a = *(const struct want_dest *const *)pa, *b = *(const struct want_dest *const *)pb;
    int c = memcmp(a->e.prefix.b, b->e.prefix.b, sizeof(a->e.prefix.b));
    if (c)
        return c;
    return a->e.plen < b->e.plen ? -1 : a->e.plen > b->e.plen;
}

/* Equal prefixes: while a mitigation covers a prefix, it alone is valid
 * (the highest precedence among mitigations); the entries it overrides
 * stay allocated, invalid, keeping their index and counters. */
static int resolve_overrides(struct builder *b)
{
    struct want_dest **order = malloc((b->n_dest ? b->n_dest : 1) * sizeof(*order));
    if (!order)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (size_t i = 0; i < b->n_dest; i++)
        order[i] = &b->dest[i];
    qsort(order, b->n_dest, sizeof(*order), by_prefix);
    for (size_t i = 0; i < b->n_dest;) {
        size_t j = i;
        struct want_dest *winner = NULL;
        while (j < b->n_dest && by_prefix(&order[i], &order[j]) == 0) {
            if (order[j]->mitigation && (!winner || order[j]->precedence > winner->precedence))
                winner = order[j];
            j++;
        }
        for (size_t k = i; winner && k < j; k++)
            order[k]->e.valid = order[k] == winner;
        i = j;
    }
    free(order);
    return 0;
}

static int dest_key_cmp(const struct scrub_dest_entry *a, const struct scrub_dest_entry *b)
{
    int c = memcmp(a->prefix.b, b->prefix.b, sizeof(a->prefix.b));
    if (c)
        return c;
    if (a->plen != b->plen)
        return a->plen < b->plen ? -1 : 1;
    return a->tenant < b->tenant ? -1 : a->tenant > b->tenant;
}

static const struct card_image *sort_image; /* qsort has no context argument */

static int prev_dest_cmp(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    int c = dest_key_cmp(&sort_image->dest[a], &sort_image->dest[b]);
    return c ? c : (a < b ? -1 : a > b);
}

/* DEST indexes: a wanted entry takes the index of the previous entry of
 * the same prefix, length and tenant (an identical one first); the rest
 * take the lowest free indexes. */
static int place_dest(struct builder *b)
{
    const struct card_image *prev = b->prev;
    uint32_t n_prev = 0;
    uint32_t *pidx = malloc(((size_t)b->caps->dest + 1) * sizeof(*pidx));
    uint8_t *taken = calloc((size_t)b->caps->dest + 1, 1);
    if (!pidx || !taken) {
        free(pidx);
        free(taken);
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    }
    if (prev && prev->caps.dest == b->caps->dest) {
        for (uint32_t i = 0; i < prev->dest_extent; i++)
            if (card_dest_in_use(&prev->dest[i]))
                pidx[n_prev++] = i;
        sort_image = prev;
        qsort(pidx, n_prev, sizeof(*pidx), prev_dest_cmp);
    }
    /* Configured entries pick first, so a mitigation's entry of the same
     * prefix and tenant does not take theirs. */
    for (int group = 0; group < 2; group++)
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < b->n_dest; i++) {
                struct want_dest *w = &b->dest[i];
                if (w->index >= 0 || w->mitigation != (group == 1))
                    continue;
                size_t lo = 0, hi = n_prev;
                while (lo < hi) { /* the first previous entry not below w's key */
                    size_t mid = (lo + hi) / 2;
                    if (dest_key_cmp(&prev->dest[pidx[mid]], &w->e) < 0)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                for (size_t k = lo; k < n_prev && dest_key_cmp(&prev->dest[pidx[k]], &w->e) == 0; k++) {
                    const struct scrub_dest_entry *p = &prev->dest[pidx[k]];
                    bool same = p->valid == w->e.valid && p->enable == w->e.enable && p->profile == w->e.profile;
                    if (taken[pidx[k]] || (pass == 0 && !same) || !may_adopt(b, w->entity, p->counter))
                        continue;
                    taken[pidx[k]] = 1;
                    w->index = pidx[k];
                    propose(b, w->entity, p->counter);
                    break;
                }
            }
    uint32_t next = 0;
    for (size_t i = 0; i < b->n_dest; i++) {
        struct want_dest *w = &b->dest[i];
        if (w->index >= 0)
            continue;
        while (taken[next])
            next++;
        taken[next] = 1;
        w->index = next;
    }
    for (size_t i = 0; i < b->n_dest; i++)
        b->ents[b->dest[i].entity].refs++;
    free(pidx);
    free(taken);
    return 0;
}

/* The data channel's ACEs before the plan's ACL entries, their rate-limit
 * policers after the plan's policers; each checked against the card. */
static int collect_acl(struct builder *b)
{
    const struct image_input *in = b->in;
    uint64_t n_acl = b->plan.n_acl, n_data = 0, n_rates = 0;
    for (size_t i = 0; i < in->n_data_aces; i++) {
        n_data += in->data_aces[i].n_entries;
        n_rates += in->data_aces[i].rate > 0;
    }
    if (n_acl + n_data > b->caps->acl)
        return scrub_err_set(b->err, ENOSPC,
                             "the ACL needs %llu entries, the card has %u: the profiles %u, the data channel's ACLs "
                             "%llu",
                             (unsigned long long)(n_acl + n_data), b->caps->acl, b->plan.n_acl,
                             (unsigned long long)n_data);
    if (b->plan.n_policers + n_rates > b->caps->policers)
        return scrub_err_set(b->err, ENOSPC,
                             "the policers need %llu, the card has %u: the configuration %u, the data channel's rate "
                             "limits %llu",
                             (unsigned long long)(b->plan.n_policers + n_rates), b->caps->policers,
                             b->plan.n_policers, (unsigned long long)n_rates);
    b->acl = calloc(n_acl + n_data + 1, sizeof(*b->acl));
    b->policers = calloc(b->plan.n_policers + n_rates + 1, sizeof(*b->policers));
    if (!b->acl || !b->policers)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (uint32_t i = 0; i < b->plan.n_policers; i++)
        b->policers[b->n_policers++] =
            (struct want_policer){b->plan.policers[i], (size_t)b->plan_entity[b->plan.policers[i].counter]};
    for (size_t i = 0; i < in->n_data_aces; i++) {
        const struct image_data_ace *d = &in->data_aces[i];
        int64_t ent = add_entity(b, strdup(d->name), SCRUB_COUNTER_ACL, 1);
        if (ent < 0)
            return -1;
        uint32_t policer = 0;
        if (d->rate) {
            int64_t pent = add_entity(b, scrub_format("%s / rate-limit", d->name), SCRUB_COUNTER_POLICER, 2);
            if (pent < 0)
                return -1;
            policer = b->n_policers;
            struct scrub_policer_entry pe = {.reset = true, .rate = d->rate, .burst = config_plan_rate_limit_burst(d->rate)};
            b->policers[b->n_policers++] = (struct want_policer){pe, (size_t)pent};
        }
        for (size_t k = 0; k < d->n_entries; k++) {
            struct scrub_acl_entry e = d->entries[k];
            e.policer = e.action == SCRUB_ACTION_POLICE ? policer : 0;
            if (config_plan_check_entry(&e, b->caps, d->name, b->err))
                return -1;
            b->acl[b->n_acl++] = (struct want_acl){e, (size_t)ent};
        }
    }
    for (uint32_t i = 0; i < b->plan.n_acl; i++)
        b->acl[b->n_acl++] = (struct want_acl){b->plan.acl[i], (size_t)b->plan_entity[b->plan.acl[i].counter]};
    return 0;
}

/* ACL and policer positions are collect_acl's; their counters follow what
 * the previous image held. */
static void adopt_acl_and_policers(struct builder *b)
{
    const struct card_image *prev = b->prev;
    bool same_acl = prev && prev->caps.acl == b->caps->acl;
    bool same_pol = prev && prev->caps.policers == b->caps->policers;
    for (uint32_t i = 0; i < b->n_acl; i++) {
        size_t ent = b->acl[i].entity;
        b->ents[ent].refs++;
        if (!same_acl || b->ents[ent].adopt >= 0)
            continue;
        const struct scrub_acl_entry *w = &b->acl[i].e;
        /* The same content at its position, else anywhere (a move), else
         * whatever was at its position (the ACE was edited). */
        int64_t found = -1;
        if (prev->acl[i].valid && acl_same_but_counter(&prev->acl[i], w) && may_adopt(b, ent, prev->acl[i].counter))
            found = i;
        for (uint32_t k = 0; found < 0 && k < prev->caps.acl; k++)
            if (prev->acl[k].valid && acl_same_but_counter(&prev->acl[k], w) && may_adopt(b, ent, prev->acl[k].counter))
                found = k;
        if (found < 0 && prev->acl[i].valid && may_adopt(b, ent, prev->acl[i].counter))
            found = i;
        if (found >= 0)
            propose(b, ent, prev->acl[found].counter);
    }
    for (uint32_t i = 0; i < b->n_policers; i++) {
        size_t ent = b->policers[i].entity;
        b->ents[ent].refs++;
        if (same_pol && card_policer_in_use(&prev->policers[i]) && may_adopt(b, ent, prev->policers[i].counter))
            propose(b, ent, prev->policers[i].counter);
    }
}

static int want_em_cmp(const void *pa, const void *pb)
{
    const struct want_em *a = pa, *b = pb;
    int c = card_em_key_cmp(&a->e, &b->e);
    if (c)
        return c;
    return (int)b->runtime - (int)a->runtime; /* the run-time entry first: it wins */
}

static uint32_t first_policer(const struct scrub_config *cfg, int policer)
{
    uint32_t first = 0;
    for (int i = 0; i < policer; i++)
        first += 1u << cfg->policers[i].per_source_bits;
    return first;
}

/* Configured and run-time sources; a run-time entry of the same key
 * replaces the configured one. */
static int collect_em(struct builder *b)
{
    const struct image_input *in = b->in;
    size_t n = b->plan.n_em + in->n_sources;
    b->em = calloc(n ? n : 1, sizeof(*b->em));
    if (!b->em)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (uint32_t i = 0; i < b->plan.n_em; i++)
        b->em[b->n_em++] = (struct want_em){b->plan.em[i], (size_t)b->plan_entity[b->plan.em[i].counter], false};
    for (size_t i = 0; i < in->n_sources; i++) {
        const struct image_source *s = &in->sources[i];
        char text[SCRUB_PREFIX_TEXT];
        scrub_addr_format(&s->addr, text, sizeof(text));
        int64_t ent = add_entity(b, scrub_format("tenant %s source %s", s->tenant_name, text), SCRUB_COUNTER_EM, 1);
        if (ent < 0)
            return -1;
        struct scrub_em_entry e = {.tenant = s->tenant, .addr = s->addr, .action = s->action, .valid = true};
        if (s->action == SCRUB_ACTION_POLICE)
            e.policer = first_policer(in->cfg, s->policer);
        b->em[b->n_em++] = (struct want_em){e, (size_t)ent, true};
    }
    qsort(b->em, b->n_em, sizeof(*b->em), want_em_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < b->n_em; i++)
        if (kept == 0 || card_em_key_cmp(&b->em[kept - 1].e, &b->em[i].e) != 0)
            b->em[kept++] = b->em[i];
    b->n_em = kept;
    if (b->n_em > em_capacity(b->caps))
        return scrub_err_set(b->err, ENOSPC,
                             "the sources need %zu exact-match entries, the card holds at most %llu: configured "
                             "%u, added at run time %zu",
                             b->n_em, (unsigned long long)em_capacity(b->caps), b->plan.n_em, in->n_sources);
    for (size_t i = 0; i < b->n_em; i++) {
        b->ents[b->em[i].entity].refs++;
        if (!b->prev)
            continue;
        struct scrub_em_entry *found =
            bsearch(&b->em[i].e, b->prev->em, b->prev->n_em, sizeof(*b->prev->em), em_qsort_cmp);
        if (found && may_adopt(b, b->em[i].entity, found->counter))
            propose(b, b->em[i].entity, found->counter);
    }
    return 0;
}

static bool run_free(const struct builder *b, uint64_t first, unsigned pairs, bool avoid_prev)
{
    if (first + pairs > b->caps->counters)
        return false;
    for (unsigned k = 0; k < pairs; k++) {
        if (b->claimed[first + k])
            return false;
        if (avoid_prev && b->prev && first + k < b->prev->caps.counters && b->prev->pair_used[first + k])
            return false;
    }
    return true;
}

static int allocate_counters(struct builder *b)
{
    uint64_t need = 0, dest = 0, em = 0;
    for (size_t i = 0; i < b->n_ents; i++) {
        const struct entity *e = &b->ents[i];
        if (!e->refs)
            continue;
        need += e->pairs;
        dest += e->kind == SCRUB_COUNTER_DEST ? e->pairs : 0;
        em += e->kind == SCRUB_COUNTER_EM ? e->pairs : 0;
    }
    if (need > b->caps->counters)
        return scrub_err_set(b->err, ENOSPC,
                             "the entries need %llu counter pairs, the card has %u: destinations %llu, sources "
                             "%llu, ACEs and policers %llu",
                             (unsigned long long)need, b->caps->counters, (unsigned long long)dest,
                             (unsigned long long)em, (unsigned long long)(need - dest - em));
    b->claimed = calloc((size_t)b->caps->counters + 1, 1);
    if (!b->claimed)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (size_t i = 0; i < b->n_ents; i++) {
        struct entity *e = &b->ents[i];
        if (!e->refs || e->adopt < 0 || !run_free(b, (uint64_t)e->adopt, e->pairs, false))
            continue;
        e->counter = e->adopt;
        memset(b->claimed + e->counter, 1, e->pairs);
    }
    /* The lowest candidate run per (avoiding the previous image's pairs or
     * not, run length): claims only grow, so each only moves forward. */
    uint64_t next[2][2] = {{0, 0}, {0, 0}};
    for (size_t i = 0; i < b->n_ents; i++) {
        struct entity *e = &b->ents[i];
        if (!e->refs || e->counter >= 0)
            continue;
        for (int avoid = 1; avoid >= 0 && e->counter < 0; avoid--) {
            uint64_t *at = &next[avoid][e->pairs - 1];
            while (*at + e->pairs <= b->caps->counters && !run_free(b, *at, e->pairs, avoid))
                (*at)++;
            if (*at + e->pairs <= b->caps->counters)
                e->counter = (int64_t)*at;
        }
        if (e->counter < 0)
            return scrub_err_set(b->err, ENOSPC, "no %u consecutive free counter pairs for %s (%u pairs)", e->pairs,
                                 e->name, b->caps->counters);
        memset(b->claimed + e->counter, 1, e->pairs);
        memset(b->out->pair_fresh + e->counter, 1, e->pairs);
    }
    return 0;
}

static int layout_cmp(const void *pa, const void *pb)
{
    const struct scrub_layout_counter *a = pa, *b = pb;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int fill(struct builder *b)
{
    struct card_image *out = b->out;
    for (size_t i = 0; i < b->n_dest; i++) {
        struct scrub_dest_entry e = b->dest[i].e;
        e.counter = (uint32_t)b->ents[b->dest[i].entity].counter;
        out->dest[b->dest[i].index] = e;
        if (b->dest[i].index >= out->dest_extent)
            out->dest_extent = (uint32_t)b->dest[i].index + 1;
    }
    out->policer_extent = b->n_policers;
    for (uint32_t i = 0; i < b->n_acl; i++) {
        out->acl[i] = b->acl[i].e;
        out->acl[i].counter = (uint32_t)b->ents[b->acl[i].entity].counter;
    }
    for (uint32_t i = 0; i < b->n_policers; i++) {
        out->policers[i] = b->policers[i].e;
        out->policers[i].counter = (uint32_t)b->ents[b->policers[i].entity].counter;
    }
    free(out->em);
    out->em = calloc(b->n_em ? b->n_em : 1, sizeof(*out->em));
    if (!out->em)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (size_t i = 0; i < b->n_em; i++) {
        out->em[i] = b->em[i].e;
        out->em[i].counter = (uint32_t)b->ents[b->em[i].entity].counter;
    }
    out->n_em = b->n_em;

    struct scrub_layout *l = &out->layout;
    l->counters = calloc(b->n_ents ? b->n_ents : 1, sizeof(*l->counters));
    if (!l->counters)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    uint32_t pairs = 0;
    for (size_t i = 0; i < b->n_ents; i++) {
        struct entity *e = &b->ents[i];
        if (!e->refs)
            continue;
        l->counters[l->n_counters++] =
            (struct scrub_layout_counter){(uint32_t)e->counter, e->pairs, e->kind, e->name};
        e->name = NULL;
        pairs += e->pairs;
    }
    qsort(l->counters, l->n_counters, sizeof(*l->counters), layout_cmp);
    out->by_name = malloc((l->n_counters ? l->n_counters : 1) * sizeof(*out->by_name));
    if (!out->by_name)
        return scrub_err_set(b->err, ENOMEM, "out of memory building the card image");
    for (size_t i = 0; i < l->n_counters; i++)
        out->by_name[i] = i;
    name_sort_counters = l->counters;
    qsort(out->by_name, l->n_counters, sizeof(*out->by_name), by_name_cmp);
    const struct scrub_caps *c = b->caps;
    l->dest = (struct scrub_table_use){(uint32_t)b->n_dest, c->dest};
    l->em = (struct scrub_table_use){(uint32_t)b->n_em, (uint32_t)em_capacity(c)};
    l->acl = (struct scrub_table_use){b->n_acl, c->acl};
    l->policers = (struct scrub_table_use){b->n_policers, c->policers};
    l->counter_pairs = (struct scrub_table_use){pairs, c->counters};
    card_image_index(out);
    return 0;
}

int card_image_build(const struct image_input *in, const struct scrub_caps *caps, const struct card_image *prev,
                     struct card_image *out, struct scrub_err *err)
{
    if (card_image_empty(caps, out, err))
        return -1;
    out->cfg_actions = card_actions_word(&in->cfg->card);
    struct builder b = {.in = in, .caps = caps, .prev = prev, .out = out, .err = err};
    int rc = config_plan_build(in->cfg, caps, &b.plan, err);
    if (rc == 0)
        rc = config_entities(&b);
    if (rc == 0)
        rc = collect_dest(&b);
    if (rc == 0)
        rc = resolve_overrides(&b);
    if (rc == 0)
        rc = place_dest(&b);
    if (rc == 0)
        rc = collect_acl(&b);
    if (rc == 0) {
        adopt_acl_and_policers(&b);
        rc = collect_em(&b);
    }
    if (rc == 0)
        rc = allocate_counters(&b);
    if (rc == 0)
        rc = fill(&b);
    for (size_t i = 0; i < b.n_ents; i++)
        free(b.ents[i].name);
    free(b.ents);
    free(b.plan_entity);
    free(b.dest);
    free(b.em);
    free(b.acl);
    free(b.policers);
    free(b.claimed);
    config_plan_free(&b.plan);
    if (rc)
        card_image_free(out);
    return rc;
}
