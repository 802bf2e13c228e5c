/* The packet side of the model: one frame through parse, destination
 * lookup, source exact-match, ACL, policers, counters and the output FIFO
 * (docs/card.md, "The packet path"). */
#include "hash.h"
#include "model_internal.h"

static void count(struct scrub_counter *c, uint32_t bytes)
{
    c->packets++;
    c->bytes += bytes;
}

static bool cfg(const struct scrub_model *m, uint32_t mask)
{
    return (m->cfg_actions & mask) != 0;
}

/* The policer a packet uses: the first of the group, plus the low bits of
 * CRC-32C of its source address for a per-source group. */
static uint32_t policer_of(uint32_t first, unsigned bits, const struct scrub_addr *src)
{
    if (bits == 0)
        return first;
    return first + (scrub_crc32c(src->b, 16) & ((1u << bits) - 1));
}

/* true: conforming. Counts the policer's conforming or exceeding pair. */
static bool police(struct scrub_model *m, uint32_t i, const struct scrub_pkt *p, struct scrub_verdict *v)
{
    const struct scrub_policer_entry *cfg_ = &m->pol[i];
    bool ok = scrub_policer_conform(cfg_, &m->pol_state[i], m->now, cfg_->packets ? 1 : p->l3_len);
    count(&m->ctr[cfg_->counter + (ok ? 0 : 1)], p->l3_len);
    v->policer = (int32_t)i;
    return ok;
}

/* The verdict of a protected packet: source list, then ACL, then default.
 * Returns the GSTAT index that counts it. */
static uint8_t filter(struct scrub_model *m, const struct scrub_dest_entry *d, const struct scrub_pkt *p,
                      struct scrub_verdict *v)
{
    int32_t slot = scrub_em_find(&m->em, d->tenant, &p->src);
    if (slot >= 0) {
        const struct scrub_em_entry *e = &m->em.slots[slot];
        v->em = slot;
        count(&m->ctr[e->counter], p->l3_len);
        if (e->action == SCRUB_ACTION_DROP)
            return SCRUB_GSTAT_DROP_SRC;
        if (e->action == SCRUB_ACTION_POLICE && !police(m, e->policer, p, v))
            return SCRUB_GSTAT_DROP_POLICER;
        return SCRUB_GSTAT_PASS_FILTERED;
    }

    struct scrub_acl_result r;
    if (m->acl_linear)
        scrub_acl_search_linear(m->acl, m->p.acl_entries, p, d->tenant, d->profile, &r);
    else
        scrub_acl_search(m->acl, &m->acl_index, p, d->tenant, d->profile, &r);
    for (unsigned k = 0; k < r.n_counted; k++)
        count(&m->ctr[m->acl[r.counted[k]].counter], p->l3_len);
    m->gstat[SCRUB_GSTAT_COUNT_ONLY_LOST].packets += r.lost;
    if (r.decisive < 0)
        return cfg(m, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK) ? SCRUB_GSTAT_DROP_DEFAULT : SCRUB_GSTAT_PASS_FILTERED;

    const struct scrub_acl_entry *e = &m->acl[r.decisive];
    v->acl = r.decisive;
    count(&m->ctr[e->counter], p->l3_len);
    if (e->action == SCRUB_ACTION_DROP)
        return SCRUB_GSTAT_DROP_ACL;
    if (e->action == SCRUB_ACTION_POLICE &&
        !police(m, policer_of(e->policer, e->policer_bits, &p->src), p, v))
        return SCRUB_GSTAT_DROP_POLICER;
    return SCRUB_GSTAT_PASS_FILTERED;
}

bool scrub_outcome_passes(uint8_t gstat)
{
    return gstat == SCRUB_GSTAT_PASS_UNPROTECTED || gstat == SCRUB_GSTAT_PASS_BYPASS ||
           gstat == SCRUB_GSTAT_PASS_EXCEPTION || gstat == SCRUB_GSTAT_PASS_FILTERED;
}

/* What only the frame's end tells (the card knows it at the last beat,
 * after the verdict): a frame longer than MAX_FRAME, or shorter than its IP
 * header says when that lies past the window. The tables have counted the
 * frame already; only its outcome changes. A giant is always dropped: no
 * buffer of the card holds it. */
static uint8_t late_checks(struct scrub_model *m, const struct scrub_pkt *p, uint32_t len, uint8_t outcome,
                           struct scrub_verdict *v)
{
    uint8_t mal = scrub_parse_late(p, len);
    if (mal == SCRUB_MAL_NONE)
        return outcome;
    v->mal = mal;
    count(&m->gstat[SCRUB_GSTAT_MALFORMED_BASE + mal], len);
    if (!scrub_outcome_passes(outcome))
        return outcome;
    return mal == SCRUB_MAL_GIANT || cfg(m, SCRUB_CFG_ACTIONS_MALFORMED_MASK) ? SCRUB_GSTAT_DROP_MALFORMED
                                                                               : SCRUB_GSTAT_PASS_EXCEPTION;
}

/* Everything the tables decide, from the parsed frame. */
static uint8_t classify(struct scrub_model *m, const struct scrub_pkt *p, uint32_t len, struct scrub_verdict *v)
{
    v->mal = p->mal;
    switch (p->kind) {
    case SCRUB_PKT_MALFORMED:
        count(&m->gstat[SCRUB_GSTAT_MALFORMED_BASE + p->mal], len);
        return cfg(m, SCRUB_CFG_ACTIONS_MALFORMED_MASK) ? SCRUB_GSTAT_DROP_MALFORMED : SCRUB_GSTAT_PASS_EXCEPTION;
    case SCRUB_PKT_UNPARSED:
        count(&m->gstat[SCRUB_GSTAT_SEEN_UNPARSED], len);
        return cfg(m, SCRUB_CFG_ACTIONS_UNPARSED_MASK) ? SCRUB_GSTAT_DROP_UNPARSED : SCRUB_GSTAT_PASS_EXCEPTION;
    case SCRUB_PKT_NONIP:
        count(&m->gstat[SCRUB_GSTAT_SEEN_NONIP], len);
        return cfg(m, SCRUB_CFG_ACTIONS_NONIP_MASK) ? SCRUB_GSTAT_DROP_NONIP : SCRUB_GSTAT_PASS_EXCEPTION;
    default:
        break;
    }

    int32_t di = scrub_lpm_lookup(&m->lpm, &p->dst);
    if (di < 0)
        return SCRUB_GSTAT_PASS_UNPROTECTED;
    const struct scrub_dest_entry *d = &m->dest[di];
    v->dest = di;
    count(&m->ctr[d->counter], p->l3_len);
    if (!d->enable)
        return SCRUB_GSTAT_PASS_UNPROTECTED;
    uint8_t outcome = filter(m, d, p, v);
    if (outcome != SCRUB_GSTAT_PASS_FILTERED)
        count(&m->ctr[d->counter + 1], p->l3_len);
    return outcome;
}

void scrub_model_packet(struct scrub_model *m, const uint8_t *frame, uint32_t len, uint64_t ts_ns,
                        struct scrub_verdict *v)
{
    scrub_model_packet_flags(m, frame, len, ts_ns, 0, v);
}

void scrub_model_packet_flags(struct scrub_model *m, const uint8_t *frame, uint32_t len, uint64_t ts_ns,
                              unsigned flags, struct scrub_verdict *v)
{
    *v = (struct scrub_verdict){.dest = -1, .em = -1, .acl = -1, .policer = -1};
    scrub_model_set_time(m, ts_ns);
    count(&m->gstat[SCRUB_GSTAT_RX], len);
    uint8_t outcome;
    if (!(m->ctrl & SCRUB_CTRL_ENABLE_MASK)) {
        outcome = SCRUB_GSTAT_PASS_BYPASS;
    } else if (m->wdog_expired) {
        outcome = m->ctrl & SCRUB_CTRL_FAIL_CLOSED_MASK ? SCRUB_GSTAT_DROP_WATCHDOG : SCRUB_GSTAT_PASS_BYPASS;
    } else {
        struct scrub_pkt p;
        scrub_parse(frame, len, &p);
        outcome = classify(m, &p, len, v);
        if (p.kind != SCRUB_PKT_MALFORMED)
            outcome = late_checks(m, &p, len, outcome, v);
    }
    if (scrub_outcome_passes(outcome) &&
        ((flags & SCRUB_MODEL_OVERFLOW) || !scrub_fifo_push(&m->fifo, frame, len, ts_ns)))
        outcome = SCRUB_GSTAT_DROP_OVERFLOW;
    v->gstat = outcome;
    v->pass = scrub_outcome_passes(outcome);
    count(&m->gstat[outcome], len);
    if (v->pass)
        count(&m->gstat[SCRUB_GSTAT_TX], len);
}
