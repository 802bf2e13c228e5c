/* Group commit (scrub_core.h): the mitigation changes made between
 * scrub_core_group_begin and scrub_core_group_end share one store
 * transaction, one image build and one card sync. Each change is checked
 * and written when it is made, inside a savepoint, so that a refusal takes
 * back only it; the card's room is checked against what the group may add
 * at most (an exact build only when that bound does not fit). The records a
 * group touched are kept as they were before it, so that a card refusing
 * the sync can be undone in the store without the callers' contexts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* The changes a group may hold are mitigation changes that need no final
 * counter values (those are read by the sync that frees them). */
static bool groupable(const struct core_change *ch)
{
    return ch->mitigations && !ch->finals && !ch->before;
}

static void free_saved(struct core_group *g)
{
    for (size_t i = 0; i < g->n_saved; i++)
        core_mitigation_free_copy(&g->saved[i].rec);
    free(g->saved);
    g->saved = NULL;
    g->n_saved = g->saved_cap = 0;
}

/* Keeps the records ch touches as they were before the group. */
static int save_before(struct scrub_core *c, const struct core_change *ch, struct scrub_err *err)
{
    struct core_group *g = &c->group;
    for (size_t k = 0; k < ch->n_mitigations; k++) {
        const struct core_key *key = &ch->mitigations[k];
        bool seen = false;
        for (size_t i = 0; !seen && i < g->n_saved; i++)
            seen = g->saved[i].rec.mid == key->mid && strcmp(g->saved[i].rec.cuid, key->cuid) == 0;
        if (seen)
            continue;
        if (g->n_saved == g->saved_cap) {
            size_t cap = g->saved_cap ? 2 * g->saved_cap : 16;
            struct core_group_saved *more = realloc(g->saved, cap * sizeof(*more));
            if (!more)
                return scrub_err_set(err, ENOMEM, "out of memory grouping changes");
            g->saved = more;
            g->saved_cap = cap;
        }
        const struct core_mitigation *m = core_mitigation(c, key->cuid, key->mid);
        struct core_group_saved *s = &g->saved[g->n_saved];
        if (m) {
            core_mitigation_copy(m, &s->rec);
        } else {
            s->rec = (struct core_mitigation){.cuid = strdup(key->cuid), .mid = key->mid};
        }
        s->existed = m != NULL;
        if (!s->rec.cuid || (m && (!s->rec.identity || !s->rec.scope))) {
            core_mitigation_free_copy(&s->rec);
            return scrub_err_set(err, ENOMEM, "out of memory grouping changes");
        }
        g->n_saved++;
    }
    return 0;
}

/* DEST entries the touched mitigations hold now that they are loaded as
 * changed: each active prefix may be a new entry with a new counter pair
 * (2 counters), an upper bound that ignores what the change frees. */
static uint32_t may_add(const struct scrub_core *c, const struct core_change *ch)
{
    uint32_t n = 0;
    for (size_t k = 0; k < ch->n_mitigations; k++) {
        const struct core_mitigation *m = core_mitigation(c, ch->mitigations[k].cuid, ch->mitigations[k].mid);
        if (m && core_on_card(m->status))
            n += (uint32_t)m->n_prefixes;
    }
    return n;
}

static bool bound_fits(const struct scrub_core *c, uint32_t added)
{
    const struct scrub_layout *l = &c->card.layout;
    return (uint64_t)l->dest.used + added <= l->dest.total &&
           (uint64_t)l->counter_pairs.used + 2ull * added <= l->counter_pairs.total;
}

void core_group_fail(struct scrub_core *c, const struct scrub_err *why)
{
    struct core_group *g = &c->group;
    if (!g->failed) {
        g->failed = true;
        g->why = *why;
    }
    scrub_store_rollback(c->store);
    struct scrub_err ignored = {0};
    core_load(c, &ignored); /* what the store holds without the group */
}

/* Takes back the change just written (its savepoint) and refuses it. */
static int refuse_one(struct scrub_core *c, const struct scrub_actor *a, const struct core_change *ch,
                      struct scrub_err *err)
{
    scrub_store_rollback_to(c->store);
    struct scrub_err keep = *err, e2 = {0};
    if (!scrub_store_in_transaction(c->store)) { /* the whole transaction went */
        core_group_fail(c, err);
        return -1;
    }
    if (core_load(c, &e2)) {
        core_group_fail(c, &e2);
        *err = keep;
        return -1;
    }
    core_refuse(c, a, ch->what, err);
    *err = keep;
    return -1;
}

int core_group_change(struct scrub_core *c, const struct scrub_actor *a, struct core_change *ch,
                      struct scrub_err *err)
{
    struct core_group *g = &c->group;
    if (!groupable(ch))
        return scrub_err_set(err, EINVAL, "%s: not allowed inside a group of changes (only mitigation changes "
                                          "without final totals are)", ch->what);
    if (g->failed) {
        *err = g->why;
        return -1;
    }
    if (!scrub_store_in_transaction(c->store) && scrub_store_begin(c->store, err))
        return core_refuse(c, a, ch->what, err);
    if (save_before(c, ch, err))
        return core_refuse(c, a, ch->what, err);
    if (scrub_store_savepoint(c->store, err)) {
        core_group_fail(c, err);
        return -1;
    }
    if (ch->do_it(c, ch->ctx, err) || core_audit(c, a, ch->what, "ok", err)) {
        if (!scrub_store_in_transaction(c->store)) { /* a failed write takes the transaction with it */
            core_group_fail(c, err);
            return -1;
        }
        return refuse_one(c, a, ch, err);
    }
    if (core_reload(c, ch, err))
        return refuse_one(c, a, ch, err);
    uint32_t added = g->added + may_add(c, ch);
    if (!bound_fits(c, added)) { /* near full: the exact answer */
        struct card_image want;
        if (core_build(c, &want, err))
            return refuse_one(c, a, ch, err);
        card_image_free(&want);
    }
    if (scrub_store_release(c->store, err)) {
        core_group_fail(c, err);
        return -1;
    }
    g->added = added;
    g->changes++;
    return 0;
}

void scrub_core_group_begin(struct scrub_core *c)
{
    c->group = (struct core_group){.open = true};
}

size_t scrub_core_group_size(const struct scrub_core *c)
{
    return c->group.open ? c->group.changes : 0;
}

/* After the card refused the group's sync: the store gets back what the
 * group's records were, the card is read back and synced to that. */
static void undo_group(struct scrub_core *c, struct scrub_err *err)
{
    struct core_group *g = &c->group;
    struct scrub_actor daemon = {SCRUB_STORE_WHO_DAEMON, "scrubd", SCRUB_STORE_CHANNEL_SIGNAL, true};
    char what[80], result[600];
    snprintf(what, sizeof(what), "group of %zu changes", g->changes);
    snprintf(result, sizeof(result), "refused by the card, undone: %s", err->msg);
    struct scrub_err e2 = {0};
    int rc = scrub_store_begin(c->store, &e2);
    for (size_t i = 0; rc == 0 && i < g->n_saved; i++) {
        const struct core_group_saved *s = &g->saved[i];
        if (s->existed) {
            struct scrub_store_mitigation m = core_mitigation_record(&s->rec);
            rc = scrub_store_mitigation_put(c->store, &m, &e2);
        } else if (core_mitigation(c, s->rec.cuid, s->rec.mid)) {
            rc = scrub_store_mitigation_delete(c->store, s->rec.cuid, s->rec.mid, &e2);
        }
    }
    if (rc == 0)
        rc = core_audit(c, &daemon, what, result, &e2);
    if (rc == 0)
        rc = scrub_store_commit(c->store, &e2);
    if (rc == 0 && core_resync_card(c, &e2) == 0)
        return;
    scrub_err_prefix(err, "(undoing them failed too: %s; scrubd reconciles the card at its next start)", e2.msg);
}

static int commit_group(struct scrub_core *c, struct scrub_err *err)
{
    struct card_image want;
    struct scrub_err ignored = {0};
    if (core_build(c, &want, err)) {
        scrub_store_rollback(c->store);
        core_load(c, &ignored);
        return scrub_err_prefix(err, "the group of %zu changes", c->group.changes);
    }
    if (scrub_store_commit(c->store, err)) {
        card_image_free(&want);
        core_load(c, &ignored);
        return -1;
    }
    struct card_sync_stats st;
    if (card_sync(c->hal, &c->card, &want, &st, NULL, NULL, err)) {
        card_image_free(&want);
        undo_group(c, err);
        return scrub_err_prefix(err, "the card refused the group's %zu changes, so they were undone in the store",
                                c->group.changes);
    }
    core_synced(c, &want, NULL);
    return 0;
}

int scrub_core_group_end(struct scrub_core *c, struct scrub_err *err)
{
    struct core_group *g = &c->group;
    if (!g->open)
        return 0;
    g->open = false; /* what the end calls (on_change, refusals) is outside the group */
    int rc = 0;
    if (g->failed) {
        *err = g->why;
        rc = -1;
    } else if (g->changes) {
        rc = commit_group(c, err);
    } else if (scrub_store_in_transaction(c->store) && scrub_store_commit(c->store, err)) {
        rc = -1; /* only refusals' audit records were lost */
    }
    free_saved(g);
    *g = (struct core_group){0};
    return rc;
}
