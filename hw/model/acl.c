#include "acl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool addr_match(const struct scrub_addr *a, const struct scrub_addr *value, const struct scrub_addr *mask)
{
    for (unsigned i = 0; i < 16; i++)
        if ((a->b[i] & mask->b[i]) != value->b[i])
            return false;
    return true;
}

static bool range_match(bool present, uint16_t v, uint16_t lo, uint16_t hi)
{
    if (lo == 0 && hi == 0xffff)
        return true; /* no condition: matches packets without the field too */
    return present && lo <= v && v <= hi;
}

bool scrub_acl_match(const struct scrub_acl_entry *e, const struct scrub_pkt *p, uint16_t tenant, uint8_t profile)
{
    return e->valid && (tenant & e->tenant_mask) == e->tenant_value &&
           (profile & e->profile_mask) == e->profile_value && (p->proto & e->proto_mask) == e->proto_value &&
           range_match(p->has_ports, p->sport, e->sport_lo, e->sport_hi) &&
           range_match(p->has_ports, p->dport, e->dport_lo, e->dport_hi) &&
           (!e->flags_mask || (p->has_tcp && (p->tcp_flags & e->flags_mask) == e->flags_value)) &&
           (!e->itype_mask || (p->has_icmp && (p->icmp_type & e->itype_mask) == e->itype_value)) &&
           (!e->icode_mask || (p->has_icmp && (p->icmp_code & e->icode_mask) == e->icode_value)) &&
           (p->frag & e->frag_mask) == e->frag_value && e->len_lo <= p->l3_len && p->l3_len <= e->len_hi &&
           (p->dscp & e->dscp_mask) == e->dscp_value && (p->vlan & e->vlan_mask) == e->vlan_value &&
           ((uint8_t)p->v6 & e->v6_mask) == e->v6_value && addr_match(&p->src, &e->src_value, &e->src_mask) &&
           addr_match(&p->dst, &e->dst_value, &e->dst_mask);
}

/* Records one matching entry; true when the search is over. */
static bool take(const struct scrub_acl_entry *e, uint32_t i, struct scrub_acl_result *r)
{
    if (!e->count_only) {
        r->decisive = (int32_t)i;
        return true;
    }
    if (r->n_counted < SCRUB_COUNT_ONLY_MAX)
        r->counted[r->n_counted++] = i;
    else
        r->lost++;
    return false;
}

static void result_init(struct scrub_acl_result *r)
{
    r->decisive = -1;
    r->n_counted = 0;
    r->lost = 0;
}

void scrub_acl_search_linear(const struct scrub_acl_entry *entries, uint32_t n, const struct scrub_pkt *p,
                             uint16_t tenant, uint8_t profile, struct scrub_acl_result *r)
{
    result_init(r);
    for (uint32_t i = 0; i < n; i++)
        if (scrub_acl_match(&entries[i], p, tenant, profile) && take(&entries[i], i, r))
            return;
}

static uint32_t tenant_hash(uint16_t t, uint32_t slots)
{
    return (uint32_t)(t * 0x9e37u) & (slots - 1);
}

static int32_t tenant_find(const struct scrub_acl_index *x, uint16_t t)
{
    for (uint32_t s = tenant_hash(t, x->tenant_slots); x->tenant_used[s]; s = (s + 1) & (x->tenant_slots - 1))
        if (x->tenant_keys[s] == t)
            return (int32_t)s;
    return -1;
}

static void set_bit(uint64_t *bm, uint32_t i)
{
    bm[i / 64] |= 1ull << (i % 64);
}

void scrub_acl_index_free(struct scrub_acl_index *x)
{
    free(x->by_profile);
    free(x->by_proto);
    free(x->tenant_wild);
    free(x->tenant_keys);
    free(x->tenant_exact);
    free(x->tenant_used);
    memset(x, 0, sizeof(*x));
}

int scrub_acl_index_init(struct scrub_acl_index *x, uint32_t n)
{
    memset(x, 0, sizeof(*x));
    x->n = n;
    x->words = (n + 63) / 64;
    x->tenant_slots = 16;
    while (x->tenant_slots < 2 * n)
        x->tenant_slots <<= 1;
    size_t w = x->words;
    x->by_profile = calloc(256 * w, sizeof(uint64_t));
    x->by_proto = calloc(256 * w, sizeof(uint64_t));
    x->tenant_wild = calloc(w, sizeof(uint64_t));
    x->tenant_keys = calloc(x->tenant_slots, sizeof(uint16_t));
    x->tenant_exact = calloc(x->tenant_slots * w, sizeof(uint64_t));
    x->tenant_used = calloc(x->tenant_slots, sizeof(bool));
    if (!x->by_profile || !x->by_proto || !x->tenant_wild || !x->tenant_keys || !x->tenant_exact ||
        !x->tenant_used) {
        scrub_acl_index_free(x);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static void clear_bit(uint64_t *bm, uint32_t i)
{
    bm[i / 64] &= ~(1ull << (i % 64));
}

/* Sets (or clears) entry i's bits for e. False, changing nothing, when e
 * needs a new tenant slot and the table is three quarters full: stale
 * tenants of changed entries keep their slots until the next build. */
static bool index_entry(struct scrub_acl_index *x, const struct scrub_acl_entry *e, uint32_t i, bool set)
{
    if (!e->valid)
        return true;
    size_t w = x->words;
    void (*apply)(uint64_t *, uint32_t) = set ? set_bit : clear_bit;
    uint64_t *bitmap = x->tenant_wild;
    if (e->tenant_mask == 0xffff) {
        uint32_t s = tenant_hash(e->tenant_value, x->tenant_slots);
        while (x->tenant_used[s] && x->tenant_keys[s] != e->tenant_value)
            s = (s + 1) & (x->tenant_slots - 1);
        if (!x->tenant_used[s]) {
            if (!set)
                return true; /* never indexed: nothing to clear */
            if (4 * (x->tenant_count + 1) > 3 * x->tenant_slots)
                return false;
            x->tenant_used[s] = true;
            x->tenant_keys[s] = e->tenant_value;
            x->tenant_count++;
        }
        bitmap = x->tenant_exact + s * w;
    }
    apply(bitmap, i);
    for (unsigned v = 0; v < 256; v++) {
        if ((v & e->profile_mask) == e->profile_value)
            apply(x->by_profile + v * w, i);
        if ((v & e->proto_mask) == e->proto_value)
            apply(x->by_proto + v * w, i);
    }
    return true;
}

void scrub_acl_index_build(struct scrub_acl_index *x, const struct scrub_acl_entry *entries)
{
    size_t w = x->words;
    memset(x->by_profile, 0, 256 * w * sizeof(uint64_t));
    memset(x->by_proto, 0, 256 * w * sizeof(uint64_t));
    memset(x->tenant_wild, 0, w * sizeof(uint64_t));
    memset(x->tenant_exact, 0, x->tenant_slots * w * sizeof(uint64_t));
    memset(x->tenant_used, 0, x->tenant_slots * sizeof(bool));
    x->tenant_count = 0;
    for (uint32_t i = 0; i < x->n; i++)
        index_entry(x, &entries[i], i, true); /* at most n tenants: always room */
}

int scrub_acl_index_change(struct scrub_acl_index *x, uint32_t i, const struct scrub_acl_entry *before,
                           const struct scrub_acl_entry *after)
{
    index_entry(x, before, i, false);
    return index_entry(x, after, i, true) ? 0 : -1;
}

void scrub_acl_search(const struct scrub_acl_entry *entries, const struct scrub_acl_index *x,
                      const struct scrub_pkt *p, uint16_t tenant, uint8_t profile, struct scrub_acl_result *r)
{
    result_init(r);
    const uint64_t *prof = x->by_profile + (size_t)profile * x->words;
    const uint64_t *proto = x->by_proto + (size_t)p->proto * x->words;
    int32_t ts = tenant_find(x, tenant);
    const uint64_t *exact = ts >= 0 ? x->tenant_exact + (size_t)ts * x->words : NULL;
    for (uint32_t k = 0; k < x->words; k++) {
        uint64_t cand = prof[k] & proto[k] & (x->tenant_wild[k] | (exact ? exact[k] : 0));
        while (cand) {
            uint32_t i = k * 64 + (uint32_t)__builtin_ctzll(cand);
            cand &= cand - 1;
            if (scrub_acl_match(&entries[i], p, tenant, profile) && take(&entries[i], i, r))
                return;
        }
    }
}
