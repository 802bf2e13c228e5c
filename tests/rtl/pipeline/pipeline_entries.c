#include "pipeline_entries.h"

#include <string.h>

#include "policer.h"

#define TENANTS 4
#define PROFILES 4

static uint32_t below(const struct entry_source *s, uint32_t n)
{
    return (uint32_t)(s->rnd() % n);
}

static const struct scrub_pkt *some_pkt(const struct entry_source *s)
{
    return &s->pkts[below(s, s->n_pkts)];
}

/* A pair of counters (entries with a dropped or exceeding twin), or one. */
static uint32_t counter(const struct entry_source *s, unsigned pairs)
{
    return below(s, s->p->counters - pairs + 1);
}

/* A prefix of addr: IPv4 ones between /8 and /32, IPv6 between /32 and /128. */
static uint8_t prefix_of(const struct entry_source *s, const struct scrub_addr *addr, struct scrub_addr *out)
{
    uint8_t plen = scrub_addr_is_v4(addr) ? (uint8_t)(96 + 8 + below(s, 25)) : (uint8_t)(32 + below(s, 97));
    struct scrub_addr mask = scrub_addr_mask(plen);
    *out = *addr;
    scrub_addr_and(out, &mask);
    return plen;
}

void random_dest(const struct entry_source *s, struct scrub_dest_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->valid = below(s, 10) != 0;
    e->enable = below(s, 8) != 0;
    e->plen = prefix_of(s, &some_pkt(s)->dst, &e->prefix);
    e->tenant = (uint16_t)(1 + below(s, TENANTS));
    e->profile = (uint8_t)below(s, PROFILES);
    e->counter = counter(s, 2);
    if (below(s, 50) == 0) /* refused: a bit past the prefix length */
        e->prefix.b[15] |= 1, e->plen = 120;
}

void random_em(const struct entry_source *s, struct scrub_em_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->valid = true;
    e->tenant = (uint16_t)(1 + below(s, TENANTS));
    e->addr = some_pkt(s)->src;
    e->action = (uint8_t)below(s, 3);
    e->policer = below(s, s->p->policers);
    e->counter = counter(s, 1);
    if (below(s, 50) == 0) /* refused */
        e->counter = s->p->counters;
}

/* A range around v, or everything. */
static void range(const struct entry_source *s, uint16_t v, uint16_t *lo, uint16_t *hi)
{
    if (below(s, 3) != 0) {
        *lo = 0, *hi = 0xffff;
        return;
    }
    uint16_t w = (uint16_t)below(s, 100);
    *lo = v > w ? (uint16_t)(v - w) : 0;
    *hi = v < 0xffff - w ? (uint16_t)(v + w) : 0xffff;
}

void random_acl(const struct entry_source *s, struct scrub_acl_entry *e)
{
    const struct scrub_pkt *p = some_pkt(s);
    scrub_acl_entry_any(e);
    e->valid = below(s, 10) != 0;
    if (below(s, 2)) {
        e->tenant_value = (uint16_t)(1 + below(s, TENANTS));
        e->tenant_mask = 0xffff;
    }
    if (below(s, 2)) {
        e->profile_value = (uint8_t)below(s, PROFILES);
        e->profile_mask = 0xff;
    }
    if (below(s, 2)) {
        e->proto_value = p->proto;
        e->proto_mask = 0xff;
    }
    if (below(s, 4) == 0) {
        uint8_t plen = prefix_of(s, &p->src, &e->src_value);
        e->src_mask = scrub_addr_mask(plen);
    }
    if (below(s, 4) == 0) {
        uint8_t plen = prefix_of(s, &p->dst, &e->dst_value);
        e->dst_mask = scrub_addr_mask(plen);
    }
    range(s, p->sport, &e->sport_lo, &e->sport_hi);
    range(s, p->dport, &e->dport_lo, &e->dport_hi);
    if (below(s, 5) == 0)
        range(s, p->l3_len, &e->len_lo, &e->len_hi);
    if (below(s, 8) == 0) {
        e->flags_value = p->tcp_flags;
        e->flags_mask = (uint8_t)(0x12 | below(s, 256));
        e->flags_value &= e->flags_mask;
    }
    if (below(s, 8) == 0) {
        e->v6_value = p->v6;
        e->v6_mask = 1;
    }
    e->count_only = below(s, 4) == 0;
    e->action = (uint8_t)below(s, 3);
    e->policer_bits = (uint8_t)(below(s, 3) == 0 ? below(s, 5) : 0);
    e->policer = below(s, s->p->policers >> e->policer_bits) << e->policer_bits;
    e->counter = counter(s, 1);
    if (below(s, 50) == 0) /* refused: low above high */
        e->dport_lo = 2, e->dport_hi = 1;
}

void random_policer(const struct entry_source *s, struct scrub_policer_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->packets = below(s, 2);
    /* Frames come every 20 to 220 ns (5 to 50 million a second), a bucket
     * sees a share of them: limits of 0.1 to 20 million packets or 10 MB
     * to 2 GB a second run some buckets dry and let others keep up. */
    if (e->packets) {
        e->rate = 100000 + below(s, 20000000);
        e->burst = 1 + below(s, 64);
    } else {
        e->rate = 10000000 + (uint64_t)below(s, 2000) * 1000000;
        e->burst = 1500 + below(s, 100000);
    }
    e->reset = below(s, 4) == 0;
    e->counter = counter(s, 2);
    if (below(s, 50) == 0) /* refused */
        e->rate = SCRUB_POLICER_RATE_MAX + 1;
}
