/* What the counter polls say of each mitigation on the card: when it last
 * dropped, whether its traffic rose while the card overflowed, and its drop
 * totals at whole buckets since it was triggered. From these come its state
 * (the DOTS status, docs/dots.md) and its average drop rates (the DOTS
 * module's bps-dropped and pps-dropped), and, with the data-channel ACEs'
 * pairs, its accept-list conflicts. Kept in memory by counter pair; when
 * each mitigation last dropped is also saved in the store
 * (scrub_core_activity_save), for its status after a restart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_acls.h"

static int64_t quiet_ms(const struct scrub_core *c)
{
    return (c->opt.quiet_s > 0 ? c->opt.quiet_s : SCRUB_QUIET_DEFAULT_S) * 1000;
}

static int64_t bucket_s(const struct scrub_core *c)
{
    return c->opt.bucket_s > 0 ? c->opt.bucket_s : SCRUB_BUCKET_DEFAULT_S;
}

/* The counter pair of a mitigation's prefix on the card, or NULL (it did
 * not fit). */
static const struct scrub_layout_counter *pair_of(const struct scrub_core *c, const struct core_mitigation *m,
                                                  size_t prefix)
{
    char name[256], text[SCRUB_PREFIX_TEXT], full[320];
    core_mitigation_name(m->cuid, m->mid, name, sizeof(name));
    scrub_prefix_format(&m->prefixes[prefix], text, sizeof(text));
    snprintf(full, sizeof(full), "%s %s", name, text);
    return card_image_counter(&c->card, full);
}

/* What the polls saw of a pair, or NULL before the first poll. */
static struct core_activity *activity_of(const struct scrub_core *c, const struct scrub_layout_counter *lc)
{
    return lc && c->activity && lc->index + 1 < c->poll_pairs ? &c->activity[lc->index] : NULL;
}

void core_activity_poll(struct scrub_core *c, const struct scrub_core_clock *now)
{
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (!core_on_card(m->status))
            continue;
        int64_t k = m->triggered_at > 0 && now->wall_s > m->triggered_at
                        ? (now->wall_s - m->triggered_at) / bucket_s(c)
                        : 0;
        for (size_t p = 0; p < m->n_prefixes; p++) {
            const struct scrub_layout_counter *lc = pair_of(c, m, p);
            struct core_activity *a = activity_of(c, lc);
            if (!a)
                continue;
            uint32_t x = lc->index;
            const struct scrub_counter *prev = &c->poll_prev[x], *cur = &c->poll_cur[x];
            bool two = c->poll_count[x] == 2 && c->poll_count[x + 1] == 2;
            a->offered_rose = two && cur[0].packets > prev[0].packets;
            a->dropping = two && cur[1].packets > prev[1].packets;
            if (a->dropping)
                a->drop_ms = now->boottime_ms;
            if (k > a->bucket_k) { /* the first poll past a bucket's end samples it */
                a->bucket_k = k;
                a->bucket = cur[1];
            }
        }
    }
}

/* When the card last dropped m's traffic, on the boot clock: what the
 * polls saw since scrubd started, else what was saved before; false when
 * neither saw any. */
static bool last_drop_ms(const struct scrub_core *c, const struct core_mitigation *m,
                         const struct scrub_core_clock *now, int64_t *ms)
{
    int64_t last = 0;
    for (size_t p = 0; c->hal && p < m->n_prefixes; p++) {
        const struct core_activity *a = activity_of(c, pair_of(c, m, p));
        if (a && a->drop_ms > last)
            last = a->drop_ms;
    }
    if (last) {
        *ms = last;
        return true;
    }
    if (m->last_drop_at <= 0)
        return false;
    *ms = now->boottime_ms - (now->wall_s - m->last_drop_at) * 1000;
    return true;
}

enum scrub_mitigation_state core_mitigation_state(const struct scrub_core *c, const struct core_mitigation *m,
                                                  const struct scrub_core_clock *now, bool from_polls)
{
    if (m->status == SCRUB_STORE_REQUESTED)
        return SCRUB_MIT_WAITING;
    if (m->status == SCRUB_STORE_WITHDRAWN)
        return SCRUB_MIT_TERMINATING;
    if (m->status == SCRUB_STORE_DISPLACED)
        return SCRUB_MIT_DISPLACED;
    if (!from_polls)
        return SCRUB_MIT_IN_PROGRESS;
    bool missing = false, offered_rose = false;
    for (size_t p = 0; c->hal && p < m->n_prefixes; p++) {
        const struct scrub_layout_counter *lc = pair_of(c, m, p);
        const struct core_activity *a = activity_of(c, lc);
        missing |= !lc;
        offered_rose |= a && a->offered_rose;
    }
    if (missing || (c->overflow_rose && offered_rose))
        return SCRUB_MIT_EXCEEDED;
    int64_t last_drop;
    if (!last_drop_ms(c, m, now, &last_drop))
        return SCRUB_MIT_IN_PROGRESS;
    return now->boottime_ms - last_drop < quiet_ms(c) ? SCRUB_MIT_MITIGATED : SCRUB_MIT_STOPPED;
}

int scrub_core_activity_save(struct scrub_core *c, struct scrub_err *err)
{
    struct scrub_core_clock now;
    core_now(c, &now);
    /* written in one transaction, then kept in memory once committed */
    int64_t *at = calloc(c->n_mits ? c->n_mits : 1, sizeof(*at));
    if (!at)
        return scrub_err_set(err, ENOMEM, "out of memory saving when mitigations last dropped");
    bool begun = false;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        int64_t ms;
        if (!core_on_card(m->status) || !last_drop_ms(c, m, &now, &ms))
            continue;
        int64_t t = now.wall_s - (now.boottime_ms - ms) / 1000;
        if (t <= m->last_drop_at) /* saved already, within the second */
            continue;
        if (!begun && (rc = scrub_store_begin(c->store, err)) != 0)
            break;
        begun = true;
        if ((rc = scrub_store_mitigation_last_drop(c->store, m->cuid, m->mid, t, err)) != 0)
            scrub_store_rollback(c->store);
        at[i] = t;
    }
    if (rc == 0 && begun)
        rc = scrub_store_commit(c->store, err);
    for (size_t i = 0; rc == 0 && i < c->n_mits; i++)
        if (at[i])
            c->mits[i].last_drop_at = at[i];
    free(at);
    return rc ? scrub_err_prefix(err, "saving when mitigations last dropped") : 0;
}

void core_activity_averages(const struct scrub_core *c, const struct core_mitigation *m,
                            const struct scrub_core_clock *now, struct scrub_traffic *out)
{
    int64_t k = 0;
    struct scrub_counter sum = {0};
    for (size_t p = 0; p < m->n_prefixes; p++) {
        const struct core_activity *a = activity_of(c, pair_of(c, m, p));
        if (!a || a->bucket_k == 0 || a->bucket_k < k)
            continue;
        if (a->bucket_k > k) { /* a pair sampled later than the others counts alone */
            k = a->bucket_k;
            sum = (struct scrub_counter){0};
        }
        sum.packets += a->bucket.packets;
        sum.bytes += a->bucket.bytes;
    }
    out->avg_buckets = k;
    int64_t seconds = k ? k * bucket_s(c) : now->wall_s - m->triggered_at;
    if (!k)
        sum = out->dropped;
    if (m->triggered_at <= 0 || seconds <= 0) {
        out->avg_dropped_bytes_s = out->avg_dropped_packets_s = 0;
        return;
    }
    out->avg_dropped_bytes_s = sum.bytes / (uint64_t)seconds;
    out->avg_dropped_packets_s = sum.packets / (uint64_t)seconds;
}

/* Its own counters saw drops over the last poll interval: the attack is on. */
static bool dropping(const struct scrub_core *c, const struct core_mitigation *m)
{
    for (size_t p = 0; p < m->n_prefixes; p++) {
        const struct core_activity *a = activity_of(c, pair_of(c, m, p));
        if (a && a->dropping)
            return true;
    }
    return false;
}

/* The ACE's pair (on the card) counted packets over the last poll interval. */
static bool matched(const struct scrub_core *c, const struct core_data_ace *d)
{
    const struct scrub_layout_counter *lc = card_image_counter(&c->card, d->counter);
    if (!lc || !c->poll_count || lc->index >= c->poll_pairs || c->poll_count[lc->index] < 2)
        return false;
    return c->poll_cur[lc->index].packets > c->poll_prev[lc->index].packets;
}

/* An ACE without a destination is held to its tenant's prefixes, which
 * hold the mitigation's targets. */
static bool overlaps(const struct core_mitigation *m, const struct core_data_ace *d)
{
    for (size_t p = 0; p < m->n_prefixes; p++)
        if (!d->has_dst || scrub_prefix_overlap(&m->prefixes[p], &d->dst))
            return true;
    return false;
}

int core_acceptlist_conflicts(const struct scrub_core *c, const struct core_mitigation *m,
                              struct scrub_acl_ref **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!c->hal || !c->dacls || !core_on_card(m->status) || !dropping(c, m))
        return 0;
    for (size_t i = 0; i < c->dacls->n; i++) {
        const struct core_data_acl *acl = &c->dacls->acls[i];
        if (strcmp(acl->cuid, m->cuid) != 0)
            continue;
        for (size_t k = 0; k < acl->n_aces; k++) {
            const struct core_data_ace *d = &acl->aces[k];
            if (!d->accepts || !overlaps(m, d) || !matched(c, d))
                continue;
            struct scrub_acl_ref *grown = realloc(*out, (*n + 1) * sizeof(**out));
            if (!grown) {
                free(*out);
                *out = NULL;
                *n = 0;
                return -1;
            }
            *out = grown;
            (*out)[(*n)++] = (struct scrub_acl_ref){.name = acl->name, .type = acl->type};
            break; /* the ACL once */
        }
    }
    return 0;
}
