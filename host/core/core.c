/* The core object: the configuration, the store and the card, and the one
 * path a change takes (store, card, acknowledge). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "card_readback.h"
#include "core_internal.h"
#include "data_acls.h"

struct scrub_core *scrub_core_new(struct scrub_store *store, const struct scrub_core_options *opt,
                                  struct scrub_err *err)
{
    struct scrub_core *c = calloc(1, sizeof(*c));
    if (!c) {
        scrub_err_set(err, ENOMEM, "out of memory creating the core");
        return NULL;
    }
    c->store = store;
    if (opt)
        c->opt = *opt;
    c->next_expiry_ms = INT64_MAX;
    return c;
}

static void poll_free(struct scrub_core *c)
{
    free(c->poll_prev);
    free(c->poll_cur);
    free(c->poll_count);
    free(c->activity);
    c->poll_prev = c->poll_cur = NULL;
    c->poll_count = NULL;
    c->activity = NULL;
    c->poll_pairs = 0;
}

void scrub_core_free(struct scrub_core *c)
{
    if (!c)
        return;
    core_unload(c);
    card_image_free(&c->card);
    poll_free(c);
    free(c);
}

const struct card_image *scrub_core_image(const struct scrub_core *c)
{
    return c->hal ? &c->card : NULL;
}

/* ---- the desired image -------------------------------------------------------------- */

int core_build(struct scrub_core *c, struct card_image *out, struct scrub_err *err)
{
    return core_build_image(c, false, out, err);
}

int core_build_image(struct scrub_core *c, bool all_acls, struct card_image *out, struct scrub_err *err)
{
    struct core_data_input data;
    if (core_data_acls_input(c, all_acls, &data, err))
        return -1;
    struct image_mitigation *mits = calloc(c->n_mits + data.n_scopes + 1, sizeof(*mits));
    char(*names)[256] = calloc(c->n_mits ? c->n_mits : 1, sizeof(*names));
    struct image_source *srcs = calloc(c->n_sources ? c->n_sources : 1, sizeof(*srcs));
    int rc = mits && names && srcs ? 0 : scrub_err_set(err, ENOMEM, "out of memory building the card image");
    size_t n_mits = 0, n_srcs = 0;
    for (size_t i = 0; rc == 0 && i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (!core_on_card(m->status))
            continue;
        const struct core_tenant *t = core_tenant(c, m->identity);
        long profile = core_profile_index(c->cfg, m->profile);
        if (!t)
            rc = scrub_err_set(err, ENOENT, "mitigation %s/%lld belongs to '%s', which is no longer a tenant",
                               m->cuid, (long long)m->mid, m->identity);
        else if (profile < 0)
            rc = scrub_err_set(err, ENOENT, "mitigation %s/%lld uses profile '%s', which is not configured",
                               m->cuid, (long long)m->mid, m->profile);
        if (rc)
            break;
        core_mitigation_name(m->cuid, m->mid, names[n_mits], sizeof(names[n_mits]));
        mits[n_mits] = (struct image_mitigation){names[n_mits], t->id, (uint8_t)(profile + 1), m->mid, m->prefixes,
                                                 m->n_prefixes};
        n_mits++;
    }
    for (size_t i = 0; rc == 0 && i < c->n_sources; i++) {
        const struct core_source *s = &c->sources[i];
        const struct core_tenant *t = core_tenant(c, s->tenant);
        long policer = core_policer_index(c->cfg, s->policer);
        if (!t)
            rc = scrub_err_set(err, ENOENT, "source %s belongs to '%s', which is no longer a tenant", s->address,
                               s->tenant);
        else if (s->action == SCRUB_STORE_SOURCE_POLICE && policer < 0)
            rc = scrub_err_set(err, ENOENT, "source %s of '%s' names policer '%s', which is not configured",
                               s->address, s->tenant, s->policer);
        if (rc)
            break;
        static const uint8_t action[] = {SCRUB_ACTION_ACCEPT, SCRUB_ACTION_DROP, SCRUB_ACTION_POLICE};
        srcs[n_srcs++] = (struct image_source){t->identity, t->id, s->addr, action[s->action], (int)policer};
    }
    for (size_t i = 0; rc == 0 && i < data.n_scopes; i++)
        mits[n_mits++] = data.scopes[i];
    if (rc == 0) {
        struct image_input in = {c->cfg, mits, n_mits, srcs, n_srcs, data.aces, data.n_aces};
        rc = card_image_build(&in, &c->hal->caps, &c->card, out, err);
    }
    core_data_input_free(&data);
    free(mits);
    free(names);
    free(srcs);
    return rc;
}

/* ---- audit and refusals ------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int core_audit(struct scrub_core *c, const struct scrub_actor *a, const char *what, const char *result,
               struct scrub_err *err)
{
    struct scrub_store_audit rec = {.at_ms = now_ms(),
                                    .who_kind = a->kind,
                                    .who = a->who,
                                    .channel = a->channel,
                                    .what = what,
                                    .result = result};
    return scrub_store_audit_append(c->store, &rec, err);
}

int core_refuse(struct scrub_core *c, const struct scrub_actor *a, const char *what, struct scrub_err *err)
{
    struct scrub_err e2 = {0};
    if (c->group.open && scrub_store_in_transaction(c->store)) {
        /* in the group's transaction, with the changes before it */
        if (core_audit(c, a, what, err->msg, &e2))
            core_group_fail(c, &e2);
        return -1;
    }
    if (scrub_store_in_transaction(c->store))
        scrub_store_rollback(c->store);
    if (scrub_store_begin(c->store, &e2) || core_audit(c, a, what, err->msg, &e2) ||
        scrub_store_commit(c->store, &e2))
        fprintf(stderr, "scrubd core: audit log: %s\n", e2.msg); /* the refusal stands either way */
    return -1;
}

int core_need_card(struct scrub_core *c, const struct scrub_actor *a, const char *what, struct scrub_err *err)
{
    if (c->hal && c->cfg)
        return 0;
    scrub_err_set(err, ENODEV, "the card is not reachable; nothing was changed, try again when scrubd has it back "
                               "(scrubctl status)");
    return core_refuse(c, a, what, err);
}

/* ---- one change -------------------------------------------------------------------- */

int core_resync_card(struct scrub_core *c, struct scrub_err *err)
{
    struct card_image back, want;
    if (core_load(c, err) || card_readback(c->hal, &back, err))
        return -1;
    card_image_free(&c->card);
    c->card = back;
    struct card_sync_stats st;
    if (core_build(c, &want, err))
        return -1;
    if (card_sync(c->hal, &c->card, &want, &st, NULL, NULL, err)) {
        card_image_free(&want);
        return -1;
    }
    card_image_free(&c->card);
    c->card = want;
    return 0;
}

/* After the card refused a stored change: the store gets back what it had,
 * the card is read back and synced to that. */
static void undo(struct scrub_core *c, const struct scrub_actor *a, struct core_change *ch, struct scrub_err *err)
{
    char result[600];
    snprintf(result, sizeof(result), "refused by the card, undone: %s", err->msg);
    struct scrub_err e2 = {0};
    int rc = scrub_store_begin(c->store, &e2);
    if (rc == 0)
        rc = ch->undo(c, ch->ctx, &e2);
    if (rc == 0)
        rc = core_audit(c, a, ch->what, result, &e2);
    if (rc == 0)
        rc = scrub_store_commit(c->store, &e2);
    if (rc == 0 && core_resync_card(c, &e2) == 0)
        return;
    scrub_err_prefix(err, "(undoing it failed too: %s; scrubd reconciles the card at its next start)", e2.msg);
}

void core_synced(struct scrub_core *c, struct card_image *want, struct card_image *before)
{
    if (before)
        *before = c->card;
    else
        card_image_free(&c->card);
    for (uint32_t i = 0; c->poll_count && i < c->poll_pairs; i++)
        if (want->pair_fresh[i]) {
            c->poll_count[i] = 0;
            c->activity[i] = (struct core_activity){0};
        }
    c->card = *want;
    if (c->on_change)
        c->on_change(c->on_change_ctx);
}

int core_reload(struct scrub_core *c, const struct core_change *ch, struct scrub_err *err)
{
    if (ch->reloads)
        return 0;
    if (!ch->mitigations)
        return core_load(c, err);
    for (size_t i = 0; i < ch->n_mitigations; i++)
        if (core_reload_mitigation(c, ch->mitigations[i].cuid, ch->mitigations[i].mid, err))
            return -1;
    return 0;
}

int core_change(struct scrub_core *c, const struct scrub_actor *a, struct core_change *ch, struct scrub_err *err)
{
    if (core_need_card(c, a, ch->what, err))
        return -1;
    if (c->group.open)
        return core_group_change(c, a, ch, err);
    struct card_image want;
    if (scrub_store_begin(c->store, err) || ch->do_it(c, ch->ctx, err) || core_audit(c, a, ch->what, "ok", err))
        goto refused;
    if (core_reload(c, ch, err) || core_build(c, &want, err))
        goto refused;
    if (scrub_store_commit(c->store, err)) {
        card_image_free(&want);
        core_load(c, err);
        return -1;
    }
    struct card_sync_stats st;
    if (card_sync(c->hal, &c->card, &want, &st, ch->finals, ch->n_finals, err)) {
        card_image_free(&want);
        undo(c, a, ch, err);
        scrub_err_prefix(err, "the card refused the change, so it was undone in the store");
        return -1;
    }
    core_synced(c, &want, ch->before);
    return 0;
refused : {
    struct scrub_err keep = *err;
    core_refuse(c, a, ch->what, err);
    struct scrub_err ignored = {0};
    core_load(c, &ignored);
    *err = keep;
    return -1;
}
}

/* ---- configuration and card --------------------------------------------------------- */

int scrub_core_set_config(struct scrub_core *c, const struct scrub_config *cfg, struct scrub_err *err)
{
    const struct scrub_config *old = c->cfg;
    c->cfg = cfg;
    uint16_t lowest = UINT16_MAX;
    int rc = core_load(c, err);
    for (size_t i = 0; rc == 0 && i < c->n_tenants; i++) {
        const struct core_tenant *t = &c->tenants[i];
        if (!t->configured && t->id <= cfg->n_tenants)
            rc = scrub_err_set(err, EEXIST,
                               "the configuration's %zu tenants take ids 1..%zu, and client '%s' added at run time "
                               "has id %u; remove that client first (scrubctl client remove)",
                               cfg->n_tenants, cfg->n_tenants, t->identity, t->id);
        if (!t->configured && t->id < lowest)
            lowest = t->id;
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (strcmp(c->tenants[k].identity, t->identity) == 0)
                rc = scrub_err_set(err, EEXIST,
                                   "tenant '%s' is configured and was also added at run time; remove the client "
                                   "first (scrubctl client remove %s)",
                                   t->identity, t->identity);
    }
    struct card_image want;
    if (rc == 0 && c->hal && core_build(c, &want, err) == 0) {
        struct card_sync_stats st;
        rc = card_sync(c->hal, &c->card, &want, &st, NULL, NULL, err);
        if (rc == 0) {
            card_image_free(&c->card);
            c->card = want;
        } else {
            card_image_free(&want);
        }
    } else if (rc == 0 && c->hal) {
        rc = -1;
    }
    if (rc) {
        c->cfg = old;
        struct scrub_err ignored = {0};
        if (old)
            core_load(c, &ignored);
    }
    return rc;
}

/* A card fresh from reset (filtering off, no commit since reset) holds
 * empty tables: reading them back would cost a table command per entry,
 * which a simulated card pays dearly, for nothing. */
static int card_is_fresh(struct scrub_hal *h, bool *fresh, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    size_t ctrl = scrub_txn_read(&t, SCRUB_REG_CTRL), commits = scrub_txn_read(&t, SCRUB_REG_COMMIT_COUNT);
    int rc = scrub_hal_run(h, &t, err);
    if (rc == 0)
        *fresh = !(t.ops[ctrl].value & SCRUB_CTRL_ENABLE_MASK) && t.ops[commits].value == 0;
    else
        scrub_err_prefix(err, "reading the card's state");
    scrub_txn_free(&t);
    return rc;
}

int scrub_core_attach(struct scrub_core *c, struct scrub_hal *h, struct card_sync_stats *stats,
                      struct scrub_err *err)
{
    struct card_sync_stats st;
    if (!c->cfg)
        return scrub_err_set(err, EINVAL, "the core has no configuration yet");
    c->hal = h;
    card_image_free(&c->card);
    poll_free(c);
    struct card_image want;
    bool fresh = false;
    int rc = card_is_fresh(h, &fresh, err);
    if (rc == 0)
        rc = fresh ? card_image_empty(&h->caps, &c->card, err) : card_readback(h, &c->card, err);
    if (rc == 0)
        rc = core_load(c, err); /* the lifetimes as stored now */
    if (rc == 0 && scrub_core_expire(c, err) < 0)
        rc = -1;
    if (rc == 0)
        rc = core_load(c, err);
    if (rc == 0)
        rc = core_build(c, &want, err);
    if (rc == 0) {
        rc = card_sync(h, &c->card, &want, &st, NULL, NULL, err);
        if (rc == 0) {
            card_image_free(&c->card);
            c->card = want;
            if (stats)
                *stats = st;
        } else {
            card_image_free(&want);
        }
    }
    if (rc) {
        card_image_free(&c->card);
        c->hal = NULL;
    }
    return rc;
}

void scrub_core_detach(struct scrub_core *c)
{
    c->hal = NULL;
    card_image_free(&c->card);
    poll_free(c);
}

/* ---- tenants ------------------------------------------------------------------------ */

void scrub_core_on_change(struct scrub_core *c, void (*fn)(void *ctx), void *ctx)
{
    c->on_change = fn;
    c->on_change_ctx = ctx;
}

bool scrub_core_knows(const struct scrub_core *c, const char *identity)
{
    return core_tenant(c, identity) != NULL;
}

bool scrub_core_is_gateway(const struct scrub_core *c, const char *identity)
{
    const struct core_tenant *t = core_tenant(c, identity);
    return t && t->gateway;
}

uint32_t scrub_core_session_quota(const struct scrub_core *c, const char *identity)
{
    const struct core_tenant *t = core_tenant(c, identity);
    return t && t->has_quotas ? t->quotas.sessions : UINT32_MAX;
}

int scrub_core_tenants_each(struct scrub_core *c, scrub_tenant_fn fn, void *ctx, struct scrub_err *err)
{
    if (!c->cfg)
        return scrub_err_set(err, EINVAL, "the core has no configuration yet");
    if (core_load(c, err))
        return -1;
    for (size_t i = 0; i < c->n_tenants; i++) {
        const struct core_tenant *t = &c->tenants[i];
        struct scrub_tenant_view v = {.identity = t->identity,
                                      .tenant_id = t->id,
                                      .configured = t->configured,
                                      .profile = t->profile_name,
                                      .prefixes = t->prefixes,
                                      .n_prefixes = t->n_prefixes,
                                      .has_quotas = t->has_quotas,
                                      .quotas = t->quotas};
        for (size_t k = 0; k < c->n_mits; k++)
            v.mitigations += strcmp(c->mits[k].identity, t->identity) == 0;
        for (size_t k = 0; k < c->n_sources; k++)
            v.sources += strcmp(c->sources[k].tenant, t->identity) == 0;
        int r = fn(ctx, &v);
        if (r)
            return r;
    }
    return 0;
}

/* ---- counters ----------------------------------------------------------------------- */

/* Reads the pairs of the counter owners of that kind whose names start
 * with prefix (the mitigations', the data-channel ACEs') into the last two
 * readings. Each kind's pairs lie close together (lowest free first): one
 * read of the span they cover, in the HAL's batches, rather than a
 * transaction per owner. */
static int poll_span(struct scrub_core *c, enum scrub_counter_kind kind, const char *prefix, struct scrub_err *err)
{
    const struct scrub_layout *l = &c->card.layout;
    size_t plen = strlen(prefix);
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < l->n_counters; i++) {
        const struct scrub_layout_counter *lc = &l->counters[i];
        if (lc->kind != kind || strncmp(lc->name, prefix, plen) != 0)
            continue;
        lo = lc->index < lo ? lc->index : lo;
        hi = lc->index + lc->pairs > hi ? lc->index + lc->pairs : hi;
    }
    if (lo >= hi)
        return 0;
    struct scrub_counter *v = malloc((hi - lo) * sizeof(*v));
    if (!v)
        return scrub_err_set(err, ENOMEM, "out of memory polling counters");
    if (scrub_hal_read_counters(c->hal, SCRUB_TABLE_COUNTER, lo, hi - lo, v, err)) {
        free(v);
        return scrub_err_prefix(err, "polling the counters %u..%u of the %s", lo, hi - 1,
                                kind == SCRUB_COUNTER_DEST ? "mitigations" : "data-channel ACEs");
    }
    for (size_t i = 0; i < l->n_counters; i++) {
        const struct scrub_layout_counter *lc = &l->counters[i];
        if (lc->kind != kind || strncmp(lc->name, prefix, plen) != 0)
            continue;
        for (unsigned k = 0; k < lc->pairs; k++) {
            c->poll_prev[lc->index + k] = c->poll_cur[lc->index + k];
            if (c->poll_count[lc->index + k] < 2)
                c->poll_count[lc->index + k]++;
            c->poll_cur[lc->index + k] = v[lc->index + k - lo];
        }
    }
    free(v);
    return 0;
}

int scrub_core_poll(struct scrub_core *c, struct scrub_err *err)
{
    if (!c->hal)
        return 0;
    uint32_t n = c->hal->caps.counters;
    if (c->poll_pairs != n) {
        poll_free(c);
        c->poll_prev = calloc(n ? n : 1, sizeof(*c->poll_prev));
        c->poll_cur = calloc(n ? n : 1, sizeof(*c->poll_cur));
        c->poll_count = calloc(n ? n : 1, 1);
        c->activity = calloc(n ? n : 1, sizeof(*c->activity));
        if (!c->poll_prev || !c->poll_cur || !c->poll_count || !c->activity) {
            poll_free(c);
            return scrub_err_set(err, ENOMEM, "out of memory polling counters");
        }
        c->poll_pairs = n;
    }
    struct scrub_core_clock now;
    core_now(c, &now);
    if (scrub_hal_snapshot(c->hal, err))
        return scrub_err_prefix(err, "polling the mitigations' counters");
    if (poll_span(c, SCRUB_COUNTER_DEST, "mitigation ", err) || poll_span(c, SCRUB_COUNTER_ACL, "client ", err))
        return -1;
    c->poll_prev_ms = c->poll_cur_ms;
    c->poll_cur_ms = now.boottime_ms;
    struct scrub_counter overflow;
    if (scrub_hal_read_counters(c->hal, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_DROP_OVERFLOW, 1, &overflow, err))
        return scrub_err_prefix(err, "polling the card's output FIFO overflows");
    c->overflow_rose = c->overflow_known && overflow.packets > c->overflow_packets;
    c->overflow_packets = overflow.packets;
    c->overflow_known = true;
    core_activity_poll(c, &now);
    return 0;
}
