/* Mitigations: create, update, withdraw, list, expire (docs/mitigations.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"
#include "data_acls.h"

#define MID_MAX 4294967295ll

/* ---- checks ------------------------------------------------------------------------ */

/* Every prefix the client's (core_owns). */
static int authorize(const struct scrub_core *c, const struct core_tenant *t, const struct scrub_prefix *p, size_t n,
                     struct scrub_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (core_owns(c, t, &p[i], "", err))
            return -1;
    return 0;
}

static bool overlaps(const struct core_mitigation *m, const struct scrub_prefix *p, size_t n)
{
    for (size_t k = 0; k < m->n_prefixes; k++)
        for (size_t j = 0; j < n; j++)
            if (scrub_prefix_overlap(&m->prefixes[k], &p[j]))
                return true;
    return false;
}

/* A mid at or above this is reset to 0 by its client when none of its
 * mitigations is active: 3/4 of 2^32 - 1 (RFC 9132 section 4.4.1). */
#define MID_ROLLOVER (MID_MAX * 3 / 4)

/* A refusal by the mid rule, naming the other mid. */
static int mid_conflict(const struct core_mitigation *m, const char *why, struct scrub_mitigation_granted *g,
                        struct scrub_err *err)
{
    g->conflict = SCRUB_CONFLICT_OVERLAP;
    g->conflict_mid = m->mid;
    return scrub_err_set(err, EBUSY, "conflict: mitigation %s/%lld overlaps it; %s (RFC 9132 section 4.4.1)", m->cuid,
                         (long long)m->mid, why);
}

/* RFC 9132 section 4.4.1's mid rule within one cuid: the mitigations whose
 * prefixes overlap the request's are replaced (their indexes into c->mits
 * go to replaced) when their mid is lower, and refuse it when higher,
 * except that an immediate request replaces one waiting for its trigger
 * whatever its mid (never the reverse: a waiting request does not replace
 * one on the card), and that after a rollover (the cuid's mids reached
 * MID_ROLLOVER, none of its mitigations is active: peace time) a lower mid
 * replaces the higher ones. */
static int check_mids(const struct scrub_core *c, const struct scrub_mitigation_req *r, int64_t mid,
                      size_t *replaced, size_t *n_replaced, struct scrub_mitigation_granted *g,
                      struct scrub_err *err)
{
    *n_replaced = 0;
    int64_t highest = -1;
    bool at_peace = true;
    for (size_t i = 0; i < c->n_mits; i++)
        if (strcmp(c->mits[i].cuid, r->cuid) == 0) {
            highest = c->mits[i].mid > highest ? c->mits[i].mid : highest;
            at_peace &= !core_on_card(c->mits[i].status);
        }
    bool rollover = at_peace && highest >= MID_ROLLOVER && mid < highest;
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (strcmp(m->cuid, r->cuid) != 0 || m->mid == mid || !overlaps(m, r->prefixes, r->n_prefixes))
            continue;
        if (!r->trigger && core_on_card(m->status))
            return mid_conflict(m, "it is on the card, and a request with trigger-mitigation false does not replace "
                                   "one", g, err);
        if (m->mid > mid && !rollover && !(r->trigger && m->status == SCRUB_STORE_REQUESTED))
            return mid_conflict(m, "it has a higher mid; mids of one cuid only increase, and start again at 0 only "
                                   "from 3221225471 on and when none of the cuid's mitigations is active", g, err);
        replaced[(*n_replaced)++] = i;
    }
    return 0;
}

/* The request's conflict with an active mitigation m of another client
 * (RFC 9132 section 4.4.1): EBUSY, with what the answer's
 * conflict-information says. */
static int client_conflict(const struct scrub_core *c, const struct core_mitigation *m,
                           const struct scrub_mitigation_req *r, const char *why, struct scrub_mitigation_granted *g,
                           struct scrub_err *err)
{
    struct scrub_core_clock now;
    core_now(c, &now);
    int64_t left = core_remaining_ms(m, &now);
    g->conflict = SCRUB_CONFLICT_OVERLAP;
    g->conflict_mid = m->mid;
    g->conflict_other_client = true;
    g->conflict_retry_s = left == INT64_MAX ? -1 : (left + 999) / 1000;
    g->n_conflict_prefixes = 0;
    for (size_t k = 0; k < m->n_prefixes && g->n_conflict_prefixes < SCRUB_CONFLICT_PREFIXES; k++)
        for (size_t j = 0; j < r->n_prefixes; j++)
            if (scrub_prefix_overlap(&m->prefixes[k], &r->prefixes[j])) {
                g->conflict_prefixes[g->n_conflict_prefixes++] = m->prefixes[k];
                break;
            }
    return scrub_err_set(err, EBUSY, "conflict: mitigation %s/%lld of another DOTS client of '%s' is active on "
                                     "overlapping targets; %s (RFC 9132 section 4.4.1)",
                         m->cuid, (long long)m->mid, m->identity, why);
}

/* Conflicts between DOTS clients of one identity (scrub_core.h): the
 * indexes of the mitigations the request displaces go to displaced. */
static int check_clients(const struct scrub_core *c, const struct scrub_actor *a, const struct core_tenant *t,
                         const struct scrub_mitigation_req *r, const struct core_mitigation *old, size_t *displaced,
                         size_t *n_displaced, struct scrub_mitigation_granted *g, struct scrub_err *err)
{
    *n_displaced = 0;
    if (a->operator || !r->trigger)
        return 0;
    if (old && old->status == SCRUB_STORE_DISPLACED) {
        const struct core_mitigation *by = core_mitigation(c, old->displaced_by, old->displaced_by_mid);
        if (by && by->status == SCRUB_STORE_ACTIVE)
            return client_conflict(c, by, r, "it displaced this one, which may be asked for again once it has ended",
                                   g, err);
    }
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (m->status != SCRUB_STORE_ACTIVE || m->by_operator || strcmp(m->identity, r->identity) != 0 ||
            strcmp(m->cuid, r->cuid) == 0 || !overlaps(m, r->prefixes, r->n_prefixes))
            continue;
        if (!t->conflict_newest)
            return client_conflict(c, m, r, "the client's conflict-policy is refuse", g, err);
        displaced[(*n_displaced)++] = i;
    }
    return 0;
}

static int check_quota(const struct scrub_core *c, const struct core_tenant *t, const struct scrub_mitigation_req *r,
                       int64_t mid, size_t n_replaced, struct scrub_err *err)
{
    if (!t->has_quotas)
        return 0;
    uint32_t used = 0;
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (strcmp(m->identity, t->identity) == 0 && !(m->mid == mid && strcmp(m->cuid, r->cuid) == 0))
            used++;
    }
    used -= (uint32_t)n_replaced;
    if (used >= t->quotas.mitigations)
        return scrub_err_set(err, EDQUOT,
                             "quota: client '%s' has %u mitigations of its quota of %u; withdraw one first, or "
                             "raise the quota (scrubctl client add with --max-mitigations)",
                             t->identity, used, t->quotas.mitigations);
    return 0;
}

/* The room left on the card, for a refusal that did not fit. */
static void room_left(const struct scrub_core *c, struct scrub_err *err)
{
    const struct scrub_layout *l = &c->card.layout;
    scrub_err_prefix(err, "does not fit on the card (room left: %u destination entries, %u counter pairs)",
                     l->dest.total - l->dest.used, l->counter_pairs.total - l->counter_pairs.used);
}

/* ---- put ----------------------------------------------------------------------------- */

struct put_ctx {
    struct scrub_store_mitigation next;
    struct core_mitigation *old; /* a copy of the record it updates, or NULL */
    struct core_mitigation old_copy;
    struct core_mitigation *replaced; /* copies of the lower mids it replaces */
    size_t n_replaced;
    /* other records it changes: those it displaces, and those displaced by
     * a mid it replaces (now displaced by this one); as they were, and as
     * they become */
    struct core_mitigation *rewrite_was, *rewrite_next;
    size_t n_rewrites;
    struct core_acl_switch *acls; /* RFC 9133's acl-list */
    size_t n_acls;
};

static int put_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct put_ctx *p = ctx;
    for (size_t i = 0; i < p->n_replaced; i++)
        if (scrub_store_mitigation_delete(c->store, p->replaced[i].cuid, p->replaced[i].mid, err))
            return -1;
    if (scrub_store_mitigation_put(c->store, &p->next, err))
        return -1;
    for (size_t i = 0; i < p->n_rewrites; i++) {
        struct scrub_store_mitigation m = core_mitigation_record(&p->rewrite_next[i]);
        if (scrub_store_mitigation_put(c->store, &m, err))
            return -1;
    }
    if (p->n_acls == 0)
        return 0;
    /* as a data-channel change: room for every ACL that is not deactivated */
    struct card_image all;
    if (core_acl_switches_write(c, p->acls, p->n_acls, false, err) || core_load(c, err) ||
        core_build_image(c, true, &all, err))
        return -1;
    card_image_free(&all);
    return 0;
}

struct scrub_store_mitigation core_mitigation_record(const struct core_mitigation *m)
{
    return (struct scrub_store_mitigation){.identity = m->identity,
                                           .cuid = m->cuid,
                                           .mid = m->mid,
                                           .cdid = m->cdid,
                                           .scope = m->scope,
                                           .profile = m->profile,
                                           .lifetime = m->lifetime,
                                           .status = m->status,
                                           .created_at = m->created_at,
                                           .triggered_at = m->triggered_at,
                                           .expires_at = m->expires_at,
                                           .boot_id = m->boot_id,
                                           .expires_boottime_ms = m->expires_boottime_ms,
                                           .terminating_s = m->terminating_s,
                                           .by_operator = m->by_operator,
                                           .last_drop_at = m->last_drop_at,
                                           .displaced_by = m->displaced_by,
                                           .displaced_by_mid = m->displaced_by_mid};
}

static int put_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct put_ctx *p = ctx;
    if (core_acl_switches_write(c, p->acls, p->n_acls, true, err))
        return -1;
    for (size_t i = 0; i < p->n_rewrites; i++) {
        struct scrub_store_mitigation m = core_mitigation_record(&p->rewrite_was[i]);
        if (scrub_store_mitigation_put(c->store, &m, err))
            return -1;
    }
    for (size_t i = 0; i < p->n_replaced; i++) {
        struct scrub_store_mitigation m = core_mitigation_record(&p->replaced[i]);
        if (scrub_store_mitigation_put(c->store, &m, err))
            return -1;
    }
    if (!p->old)
        return scrub_store_mitigation_delete(c->store, p->next.cuid, p->next.mid, err);
    struct scrub_store_mitigation m = core_mitigation_record(p->old);
    return scrub_store_mitigation_put(c->store, &m, err);
}

void core_mitigation_copy(const struct core_mitigation *m, struct core_mitigation *out)
{
    *out = *m;
    out->identity = strdup(m->identity);
    out->cuid = strdup(m->cuid);
    out->profile = strdup(m->profile);
    out->boot_id = strdup(m->boot_id);
    out->scope = strdup(m->scope);
    out->cdid = m->cdid ? strdup(m->cdid) : NULL;
    out->displaced_by = m->displaced_by ? strdup(m->displaced_by) : NULL;
    out->prefixes = NULL;
    out->n_prefixes = 0;
}

void core_mitigation_free_copy(struct core_mitigation *m)
{
    free(m->identity);
    free(m->cuid);
    free(m->profile);
    free(m->boot_id);
    free(m->scope);
    free(m->cdid);
    free(m->displaced_by);
}

static int64_t next_mid(const struct scrub_core *c, const char *cuid)
{
    int64_t mid = 0;
    for (size_t i = 0; i < c->n_mits; i++)
        if (strcmp(c->mits[i].cuid, cuid) == 0 && c->mits[i].mid >= mid)
            mid = c->mits[i].mid + 1;
    return mid;
}

/* RFC 9133's acl-list: only with a request that leaves the mitigation
 * active (not in idle time), and outside a group (it reloads the ACLs). */
static int check_acl_list(const struct scrub_core *c, const struct core_tenant *t, const struct scrub_mitigation_req *r,
                          struct core_acl_switch **out, struct scrub_err *err)
{
    *out = NULL;
    if (r->n_acls == 0)
        return 0;
    if (c->group.open)
        return scrub_err_set(err, EINVAL, "acl-list: a request that switches ACLs is not allowed inside a group of "
                                          "changes");
    if (!r->trigger)
        return scrub_err_set(err, EINVAL,
                             "acl-list in idle time: RFC 9133's filter control is for a mitigation that is active, "
                             "and this one waits for a signal loss (trigger-mitigation false)");
    return core_acl_switches_prepare(c, t, r->cuid, r->acls, r->n_acls, out, err);
}

int scrub_core_mitigation_put(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_mitigation_req *r,
                              struct scrub_mitigation_granted *g, struct scrub_err *err)
{
    char what[600], list[400], owner[256];
    struct scrub_mitigation_granted none;
    *err = (struct scrub_err){0};
    if (!g)
        g = &none;
    *g = (struct scrub_mitigation_granted){.conflict_mid = -1, .conflict_retry_s = -1};
    int64_t mid = r->mid >= 0 || !r->cuid ? r->mid : next_mid(c, r->cuid);
    core_prefix_list(r->prefixes, r->n_prefixes, list, sizeof(list));
    snprintf(what, sizeof(what), "mitigation put client=%s cuid=%s mid=%lld prefixes=%s profile=%s lifetime=%lld%s",
             r->identity ? r->identity : "", r->cuid ? r->cuid : "", (long long)mid, list,
             r->profile ? r->profile : "(default)", (long long)r->lifetime, r->trigger ? "" : " trigger=false");
    for (size_t i = 0; i < r->n_acls; i++) {
        size_t len = strlen(what);
        if (len < sizeof(what) - 100)
            snprintf(what + len, sizeof(what) - len, "%s%s:%s", i ? "," : " acl-list=", r->acls[i].name,
                     scrub_store_activation_name(r->acls[i].activation));
    }
    if (core_need_card(c, a, what, err))
        return -1;
    const struct core_tenant *t = core_tenant(c, r->identity);
    struct core_mitigation *old = core_mitigation(c, r->cuid, mid);
    size_t *replaced = calloc(c->n_mits ? c->n_mits : 1, sizeof(*replaced)), n_replaced = 0;
    /* indexes of the records it rewrites: first those it displaces */
    size_t *rewrites = calloc(c->n_mits ? c->n_mits : 1, sizeof(*rewrites)), n_displaced = 0;
    int owned = r->cuid ? scrub_store_cuid_owner(c->store, r->cuid, owner, sizeof(owner), err) : 0;
    if (!replaced || !rewrites || owned < 0) {
        free(replaced);
        free(rewrites);
        return replaced && rewrites ? scrub_err_prefix(err, "mitigation put")
                                     : scrub_err_set(err, ENOMEM, "out of memory");
    }
    struct core_acl_switch *acls = NULL;
    long profile = core_profile_index(c->cfg, r->profile ? r->profile : t ? t->profile_name : NULL);
    if (!r->identity || !r->cuid || !*r->cuid)
        scrub_err_set(err, EINVAL, "a mitigation needs a client identity and a cuid");
    else if (!t)
        scrub_err_set(err, ENOENT,
                      "unknown client '%s': configure it as a tenant, or add it (scrubctl client add %s PREFIX...)",
                      r->identity, r->identity);
    else if (!a->operator && (!a->who || strcmp(a->who, r->identity) != 0))
        scrub_err_set(err, EACCES, "not authorized: '%s' cannot request mitigations for '%s'", a->who ? a->who : "",
                      r->identity);
    else if (r->cdid && !t->gateway)
        scrub_err_set(err, EACCES, "not authorized: cdid %s: '%s' is not configured as a DOTS gateway", r->cdid,
                      r->identity);
    else if (mid < 0 || mid > MID_MAX)
        scrub_err_set(err, EINVAL, "mid %lld is out of range (0..%lld)", (long long)mid, MID_MAX);
    else if (r->n_prefixes == 0)
        scrub_err_set(err, EINVAL, "a mitigation needs at least one target prefix");
    else if (r->lifetime != SCRUB_STORE_LIFETIME_INDEFINITE && r->lifetime <= 0)
        scrub_err_set(err, EINVAL, "lifetime %lld: give seconds > 0, or -1 for indefinite", (long long)r->lifetime);
    else if (profile < 0)
        scrub_err_set(err, ENOENT, "unknown profile '%s' (configured: see scrubctl status)",
                      r->profile ? r->profile : t->profile_name);
    else if (c->cfg->profiles[profile].operator_only && !a->operator)
        scrub_err_set(err, EACCES, "not authorized: profile '%s' is for the operator only",
                      c->cfg->profiles[profile].name);
    else if (owned && strcmp(owner, r->identity) != 0) {
        g->conflict = SCRUB_CONFLICT_CUID;
        scrub_err_set(err, EEXIST, "cuid collision: cuid %s belongs to client '%s'", r->cuid, owner);
    } else if (authorize(c, t, r->prefixes, r->n_prefixes, err) == 0 &&
               check_mids(c, r, mid, replaced, &n_replaced, g, err) == 0 &&
               check_clients(c, a, t, r, old, rewrites, &n_displaced, g, err) == 0 &&
               check_quota(c, t, r, mid, n_replaced, err) == 0 && check_acl_list(c, t, r, &acls, err) == 0)
        err->code = 0;
    if (err->code) {
        free(replaced);
        free(rewrites);
        return core_refuse(c, a, what, err);
    }

    struct scrub_core_clock now;
    core_now(c, &now);
    int64_t lifetime = r->lifetime;
    if (c->opt.max_lifetime_s > 0 && (lifetime == SCRUB_STORE_LIFETIME_INDEFINITE || lifetime > c->opt.max_lifetime_s))
        lifetime = c->opt.max_lifetime_s;
    char *scope = core_scope_json(r->prefixes, r->n_prefixes, r->scope_extra);
    struct core_mitigation *copies = calloc(n_replaced ? n_replaced : 1, sizeof(*copies));
    /* and those displaced by a mid it replaces */
    size_t n_rewrites = n_displaced;
    for (size_t i = 0; n_replaced && i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        for (size_t k = 0; m->status == SCRUB_STORE_DISPLACED && k < n_replaced; k++)
            if (strcmp(m->displaced_by, r->cuid) == 0 && m->displaced_by_mid == c->mits[replaced[k]].mid) {
                rewrites[n_rewrites++] = i;
                break;
            }
    }
    struct core_mitigation *was = calloc(n_rewrites ? n_rewrites : 1, sizeof(*was));
    struct core_mitigation *next = calloc(n_rewrites ? n_rewrites : 1, sizeof(*next));
    if (!scope || !copies || !was || !next) {
        core_acl_switches_free(acls, r->n_acls);
        free(scope);
        free(copies);
        free(was);
        free(next);
        free(replaced);
        free(rewrites);
        return scrub_err_set(err, r->scope_extra && !scope ? EINVAL : ENOMEM,
                             r->scope_extra && !scope ? "the scope's other members are not a JSON object"
                                                      : "out of memory storing the mitigation");
    }
    for (size_t i = 0; i < n_replaced; i++) {
        core_mitigation_copy(&c->mits[replaced[i]], &copies[i]);
        size_t len = strlen(what);
        if (len < sizeof(what) - 40)
            snprintf(what + len, sizeof(what) - len, "%s%lld", i ? "," : " replacing mid ", (long long)copies[i].mid);
    }
    for (size_t k = 0; k < n_rewrites; k++) {
        const struct core_mitigation *m = &c->mits[rewrites[k]];
        core_mitigation_copy(m, &was[k]);
        core_mitigation_copy(m, &next[k]);
        next[k].status = SCRUB_STORE_DISPLACED;
        free(next[k].displaced_by);
        next[k].displaced_by = strdup(r->cuid);
        next[k].displaced_by_mid = mid;
        size_t len = strlen(what);
        if (k < n_displaced && len < sizeof(what) - 80)
            snprintf(what + len, sizeof(what) - len, " displacing %s/%lld", m->cuid, (long long)m->mid);
    }
    free(replaced);
    free(rewrites);
    struct put_ctx p = {.next = {.identity = r->identity,
                                 .cuid = r->cuid,
                                 .cdid = r->cdid,
                                 .mid = mid,
                                 .scope = scope,
                                 .profile = c->cfg->profiles[profile].name,
                                 .lifetime = lifetime,
                                 .status = r->trigger ? SCRUB_STORE_ACTIVE : SCRUB_STORE_REQUESTED,
                                 .created_at = old ? old->created_at : now.wall_s,
                                 .triggered_at = old && old->triggered_at ? old->triggered_at
                                                 : r->trigger           ? now.wall_s
                                                                        : 0,
                                 .expires_at = lifetime > 0 ? now.wall_s + lifetime : 0,
                                 .boot_id = lifetime > 0 ? now.boot_id : "",
                                 .expires_boottime_ms = lifetime > 0 ? now.boottime_ms + lifetime * 1000 : 0,
                                 /* a request during the active-but-terminating period
                                  * makes it active again and keeps the period for the
                                  * next withdrawal to double */
                                 .terminating_s = old ? old->terminating_s : 0,
                                 .by_operator = a->operator,
                                 .last_drop_at = old ? old->last_drop_at : 0},
                     .replaced = copies,
                     .n_replaced = n_replaced,
                     .rewrite_was = was,
                     .rewrite_next = next,
                     .n_rewrites = n_rewrites,
                     .acls = acls,
                     .n_acls = acls ? r->n_acls : 0};
    if (old) {
        core_mitigation_copy(old, &p.old_copy);
        p.old = &p.old_copy;
    }
    int rc;
    struct core_key *keys = malloc((n_replaced + n_rewrites + 1) * sizeof(*keys));
    if (!keys) {
        rc = scrub_err_set(err, ENOMEM, "out of memory storing the mitigation");
        goto out;
    }
    keys[0] = (struct core_key){r->cuid, mid};
    for (size_t i = 0; i < n_replaced; i++)
        keys[i + 1] = (struct core_key){copies[i].cuid, copies[i].mid};
    for (size_t i = 0; i < n_rewrites; i++)
        keys[n_replaced + 1 + i] = (struct core_key){was[i].cuid, was[i].mid};
    /* switched ACLs are reloaded with everything else */
    struct core_change ch = {.what = what, .mitigations = p.n_acls ? NULL : keys,
                             .n_mitigations = n_replaced + n_rewrites + 1,
                             .do_it = put_do, .undo = put_undo, .ctx = &p};
    rc = core_change(c, a, &ch, err);
    free(keys);
    if (rc && err->code == ENOSPC)
        room_left(c, err);
out:
    if (old)
        core_mitigation_free_copy(&p.old_copy);
    for (size_t i = 0; i < n_replaced; i++)
        core_mitigation_free_copy(&copies[i]);
    for (size_t i = 0; i < n_rewrites; i++) {
        core_mitigation_free_copy(&was[i]);
        core_mitigation_free_copy(&next[i]);
    }
    free(copies);
    free(was);
    free(next);
    free(scope);
    core_acl_switches_free(acls, p.n_acls);
    if (rc == 0)
        *g = (struct scrub_mitigation_granted){.mid = mid, .lifetime = lifetime, .created = !old,
                                               .replaced = n_replaced, .displaced = n_displaced,
                                               .conflict_mid = -1};
    return rc;
}

/* ---- traffic --------------------------------------------------------------------------- */

/* The totals (snapshot taken by the caller) and last rates of a
 * mitigation's entries. */
static int traffic(struct scrub_core *c, const struct core_mitigation *m, const struct scrub_core_clock *now,
                   struct scrub_traffic *out, struct scrub_err *err)
{
    memset(out, 0, sizeof(*out));
    char name[256];
    core_mitigation_name(m->cuid, m->mid, name, sizeof(name));
    double seconds = (double)(c->poll_cur_ms - c->poll_prev_ms) / 1000;
    out->rates_known = c->poll_count && seconds > 0;
    for (size_t i = 0; i < m->n_prefixes; i++) {
        char text[SCRUB_PREFIX_TEXT], full[320];
        scrub_prefix_format(&m->prefixes[i], text, sizeof(text));
        snprintf(full, sizeof(full), "%s %s", name, text);
        const struct scrub_layout_counter *lc = card_image_counter(&c->card, full);
        if (!lc)
            continue;
        struct scrub_counter v[2];
        if (scrub_hal_read_counters(c->hal, SCRUB_TABLE_COUNTER, lc->index, 2, v, err))
            return scrub_err_prefix(err, "reading the counters of %s", full);
        out->offered.packets += v[0].packets;
        out->offered.bytes += v[0].bytes;
        out->dropped.packets += v[1].packets;
        out->dropped.bytes += v[1].bytes;
        if (!out->rates_known)
            continue;
        const struct scrub_counter *p = &c->poll_prev[lc->index], *q = &c->poll_cur[lc->index];
        if (c->poll_count[lc->index] < 2 || c->poll_count[lc->index + 1] < 2 || q[0].packets < p[0].packets ||
            q[1].packets < p[1].packets || q[0].bytes < p[0].bytes || q[1].bytes < p[1].bytes) {
            out->rates_known = false;
            continue;
        }
        out->offered_pps += (double)(q[0].packets - p[0].packets) / seconds;
        out->offered_bps += (double)(q[0].bytes - p[0].bytes) * 8 / seconds;
        out->dropped_pps += (double)(q[1].packets - p[1].packets) / seconds;
        out->dropped_bps += (double)(q[1].bytes - p[1].bytes) * 8 / seconds;
    }
    core_activity_averages(c, m, now, out);
    return 0;
}

/* The prefixes of the mitigations m displaced, in *out (malloc'd; NULL
 * and 0 when none). */
static int displacing_prefixes(const struct scrub_core *c, const struct core_mitigation *m, struct scrub_prefix **out,
                               size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *d = &c->mits[i];
        if (d->status != SCRUB_STORE_DISPLACED || d->displaced_by_mid != m->mid || strcmp(d->displaced_by, m->cuid))
            continue;
        if (*n + d->n_prefixes > cap) {
            cap = 2 * (*n + d->n_prefixes);
            struct scrub_prefix *more = realloc(*out, cap * sizeof(*more));
            if (!more) {
                free(*out);
                *out = NULL;
                return -1;
            }
            *out = more;
        }
        memcpy(*out + *n, d->prefixes, d->n_prefixes * sizeof(**out));
        *n += d->n_prefixes;
    }
    return 0;
}

int scrub_core_mitigations_each(struct scrub_core *c, const char *identity, bool with_traffic,
                                scrub_mitigation_fn fn, void *ctx, struct scrub_err *err)
{
    if (!c->cfg)
        return scrub_err_set(err, EINVAL, "the core has no configuration yet");
    if (with_traffic && !c->hal)
        return scrub_err_set(err, ENODEV, "the card is not reachable: no counters (scrubctl status says why)");
    if (with_traffic && scrub_hal_snapshot(c->hal, err))
        return scrub_err_prefix(err, "reading the mitigations' counters");
    struct scrub_core_clock now;
    core_now(c, &now);
    size_t n_displaced = 0;
    for (size_t i = 0; i < c->n_mits; i++)
        n_displaced += c->mits[i].status == SCRUB_STORE_DISPLACED;
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (identity && strcmp(m->identity, identity) != 0)
            continue;
        int64_t left = core_remaining_ms(m, &now);
        char name[256], full[320], text[SCRUB_PREFIX_TEXT];
        core_mitigation_name(m->cuid, m->mid, name, sizeof(name));
        scrub_prefix_format(&m->prefixes[0], text, sizeof(text));
        snprintf(full, sizeof(full), "%s %s", name, text);
        struct scrub_mitigation_view v = {.identity = m->identity,
                                          .cuid = m->cuid,
                                          .cdid = m->cdid,
                                          .profile = m->profile,
                                          .mid = m->mid,
                                          .status = m->status,
                                          .lifetime = m->lifetime,
                                          .created_at = m->created_at,
                                          .triggered_at = m->triggered_at,
                                          .expires_at = m->expires_at,
                                          .remaining_s = left == INT64_MAX ? -1 : (left + 999) / 1000,
                                          .prefixes = m->prefixes,
                                          .n_prefixes = m->n_prefixes,
                                          .scope = m->scope,
                                          .installed = c->hal && card_image_counter(&c->card, full) != NULL,
                                          .state = core_mitigation_state(c, m, &now, with_traffic),
                                          .displaced_by_mid = -1,
                                          .displaced_retry_s = -1};
        const struct core_mitigation *by =
            m->status == SCRUB_STORE_DISPLACED ? core_mitigation(c, m->displaced_by, m->displaced_by_mid) : NULL;
        if (m->status == SCRUB_STORE_DISPLACED) {
            v.displaced_by = m->displaced_by;
            v.displaced_by_mid = m->displaced_by_mid;
        }
        if (by) {
            int64_t by_left = core_remaining_ms(by, &now);
            v.displaced_retry_s = by_left == INT64_MAX ? -1 : (by_left + 999) / 1000;
            v.displaced_by_prefixes = by->prefixes;
            v.n_displaced_by_prefixes = by->n_prefixes;
        }
        if (with_traffic && traffic(c, m, &now, &v.traffic, err))
            return -1;
        struct scrub_acl_ref *conflicts = NULL;
        if (with_traffic && core_acceptlist_conflicts(c, m, &conflicts, &v.n_acceptlist_conflicts))
            return scrub_err_set(err, ENOMEM, "out of memory reading the accept-list conflicts of %s", name);
        v.acceptlist_conflicts = conflicts;
        struct scrub_prefix *displacing = NULL;
        if (n_displaced && displacing_prefixes(c, m, &displacing, &v.n_displacing_prefixes)) {
            free(conflicts);
            return scrub_err_set(err, ENOMEM, "out of memory listing what %s displaced", name);
        }
        v.displacing_prefixes = displacing;
        int r = fn(ctx, &v);
        free(conflicts);
        free(displacing);
        if (r)
            return r;
    }
    return 0;
}

/* ---- withdraw and expire ---------------------------------------------------------------- */

struct withdraw_ctx {
    struct core_mitigation **gone; /* copies of the records removed */
    size_t n;
};

static int withdraw_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct withdraw_ctx *w = ctx;
    for (size_t i = 0; i < w->n; i++)
        if (scrub_store_mitigation_delete(c->store, w->gone[i]->cuid, w->gone[i]->mid, err))
            return -1;
    return 0;
}

static int withdraw_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct withdraw_ctx *w = ctx;
    for (size_t i = 0; i < w->n; i++) {
        struct scrub_store_mitigation m = core_mitigation_record(w->gone[i]);
        if (scrub_store_mitigation_put(c->store, &m, err))
            return -1;
    }
    return 0;
}

/* Sums a removed mitigation's final values from the pairs the sync freed. */
static void final_traffic(const struct card_image *before, const struct core_mitigation *m,
                          const struct card_final *finals, size_t n_finals, struct scrub_traffic *out)
{
    memset(out, 0, sizeof(*out));
    char name[256];
    core_mitigation_name(m->cuid, m->mid, name, sizeof(name));
    for (size_t i = 0; i < m->n_prefixes; i++) {
        char text[SCRUB_PREFIX_TEXT], full[320];
        scrub_prefix_format(&m->prefixes[i], text, sizeof(text));
        snprintf(full, sizeof(full), "%s %s", name, text);
        const struct scrub_layout_counter *lc = card_image_counter(before, full);
        for (size_t k = 0; lc && k < n_finals; k++) {
            struct scrub_counter *into = finals[k].index == lc->index       ? &out->offered
                                         : finals[k].index == lc->index + 1 ? &out->dropped
                                                                            : NULL;
            if (into) {
                into->packets += finals[k].value.packets;
                into->bytes += finals[k].value.bytes;
            }
        }
    }
}

/* Removes the mitigations in w (a change of its own). */
static int remove_mitigations(struct scrub_core *c, const struct scrub_actor *a, const char *what,
                              struct withdraw_ctx *w, struct scrub_traffic *final, struct scrub_err *err)
{
    struct card_image before = {0};
    struct card_final *finals = NULL;
    size_t n_finals = 0;
    struct core_key *keys = malloc((w->n ? w->n : 1) * sizeof(*keys));
    if (!keys)
        return scrub_err_set(err, ENOMEM, "out of memory withdrawing mitigations");
    for (size_t i = 0; i < w->n; i++)
        keys[i] = (struct core_key){w->gone[i]->cuid, w->gone[i]->mid};
    struct core_change ch = {.what = what,
                             .mitigations = keys,
                             .n_mitigations = w->n,
                             .do_it = withdraw_do,
                             .undo = withdraw_undo,
                             .ctx = w,
                             .before = final ? &before : NULL,
                             .finals = final ? &finals : NULL,
                             .n_finals = final ? &n_finals : NULL};
    int rc = core_change(c, a, &ch, err);
    if (rc == 0 && final && w->n == 1)
        final_traffic(&before, w->gone[0], finals, n_finals, final);
    card_image_free(&before);
    free(finals);
    free(keys);
    return rc;
}

static void free_gone(struct withdraw_ctx *w)
{
    for (size_t i = 0; i < w->n; i++) {
        core_mitigation_free_copy(w->gone[i]);
        free(w->gone[i]->prefixes);
        free(w->gone[i]);
    }
    free(w->gone);
}

static struct core_mitigation *keep_copy(const struct core_mitigation *m)
{
    struct core_mitigation *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    core_mitigation_copy(m, k);
    k->prefixes = malloc((m->n_prefixes ? m->n_prefixes : 1) * sizeof(*k->prefixes));
    if (k->prefixes) {
        memcpy(k->prefixes, m->prefixes, m->n_prefixes * sizeof(*k->prefixes));
        k->n_prefixes = m->n_prefixes;
    }
    return k;
}

/* The mitigation (cuid, mid) when the actor may withdraw it; else NULL
 * after the refusal (no card, none such, another client's). */
static const struct core_mitigation *actors_mitigation(struct scrub_core *c, const struct scrub_actor *a,
                                                       const char *what, const char *cuid, int64_t mid,
                                                       struct scrub_err *err)
{
    if (core_need_card(c, a, what, err))
        return NULL;
    const struct core_mitigation *m = core_mitigation(c, cuid, mid);
    if (!m)
        scrub_err_set(err, ENOENT, "no mitigation %s/%lld (scrubctl mitigation list shows them)", cuid ? cuid : "",
                      (long long)mid);
    else if (!a->operator && (!a->who || strcmp(a->who, m->identity) != 0))
        scrub_err_set(err, EACCES, "not authorized: mitigation %s/%lld belongs to '%s'", cuid, (long long)mid,
                      m->identity);
    else
        return m;
    core_refuse(c, a, what, err);
    return NULL;
}

int scrub_core_mitigation_withdraw(struct scrub_core *c, const struct scrub_actor *a, const char *cuid, int64_t mid,
                                   struct scrub_traffic *final, struct scrub_err *err)
{
    char what[300];
    snprintf(what, sizeof(what), "mitigation withdraw cuid=%s mid=%lld", cuid ? cuid : "", (long long)mid);
    const struct core_mitigation *m = actors_mitigation(c, a, what, cuid, mid, err);
    if (!m)
        return -1;
    struct core_mitigation *copy = keep_copy(m);
    struct withdraw_ctx w = {.gone = malloc(sizeof(*w.gone)), .n = 1};
    if (!copy || !w.gone) {
        free(copy);
        free(w.gone);
        return scrub_err_set(err, ENOMEM, "out of memory withdrawing a mitigation");
    }
    w.gone[0] = copy;
    int rc = remove_mitigations(c, a, what, &w, final, err);
    free_gone(&w);
    return rc;
}

/* ---- a client's withdrawal: active but terminating (RFC 9132 section 4.4.4) --------- */

struct terminate_ctx {
    struct core_mitigation was; /* a copy of the record as it was */
    struct scrub_store_mitigation next;
};

static int terminate_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    return scrub_store_mitigation_put(c->store, &((struct terminate_ctx *)ctx)->next, err);
}

static int terminate_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct scrub_store_mitigation m = core_mitigation_record(&((struct terminate_ctx *)ctx)->was);
    return scrub_store_mitigation_put(c->store, &m, err);
}

/* The period a withdrawal gets: period_s the first time; after the client
 * asked again during a period, twice the last one, up to the larger of
 * SCRUB_TERMINATING_MAX_S and period_s. */
static int64_t terminating_period(const struct core_mitigation *m, int64_t period_s)
{
    int64_t cap = period_s > SCRUB_TERMINATING_MAX_S ? period_s : SCRUB_TERMINATING_MAX_S;
    if (m->terminating_s <= 0)
        return period_s;
    return m->terminating_s * 2 < cap ? m->terminating_s * 2 : cap;
}

int scrub_core_mitigation_terminate(struct scrub_core *c, const struct scrub_actor *a, const char *cuid, int64_t mid,
                                    int64_t period_s, int64_t *granted_s, struct scrub_err *err)
{
    char what[300];
    *granted_s = 0;
    snprintf(what, sizeof(what), "mitigation withdraw cuid=%s mid=%lld", cuid ? cuid : "", (long long)mid);
    const struct core_mitigation *m = actors_mitigation(c, a, what, cuid, mid, err);
    if (!m)
        return -1;
    struct scrub_core_clock now;
    core_now(c, &now);
    if (m->status == SCRUB_STORE_WITHDRAWN) { /* withdrawn already: its period runs on */
        int64_t left = core_remaining_ms(m, &now);
        *granted_s = (left + 999) / 1000;
        return 0;
    }
    if (period_s <= 0 || m->status != SCRUB_STORE_ACTIVE) /* nothing on the card to keep */
        return scrub_core_mitigation_withdraw(c, a, cuid, mid, NULL, err);

    int64_t period = terminating_period(m, period_s);
    struct terminate_ctx t;
    core_mitigation_copy(m, &t.was);
    t.next = core_mitigation_record(&t.was);
    t.next.status = SCRUB_STORE_WITHDRAWN;
    t.next.terminating_s = period;
    /* it ends with its period, or sooner with its lifetime */
    int64_t left = core_remaining_ms(m, &now);
    if (left == INT64_MAX || left > period * 1000) {
        t.next.lifetime = period;
        t.next.expires_at = now.wall_s + period;
        t.next.boot_id = now.boot_id;
        t.next.expires_boottime_ms = now.boottime_ms + period * 1000;
        *granted_s = period;
    } else {
        *granted_s = (left + 999) / 1000;
    }
    size_t len = strlen(what);
    snprintf(what + len, sizeof(what) - len, ": active but terminating for %lld s", (long long)*granted_s);
    struct core_key key = {t.was.cuid, t.was.mid};
    struct core_change ch = {.what = what, .mitigations = &key, .n_mitigations = 1, .do_it = terminate_do,
                             .undo = terminate_undo, .ctx = &t};
    int rc = core_change(c, a, &ch, err);
    core_mitigation_free_copy(&t.was);
    return rc;
}

/* ---- trigger on signal loss ------------------------------------------------------------ */

bool scrub_core_mitigating(const struct scrub_core *c, const char *identity)
{
    for (size_t i = 0; i < c->n_mits; i++)
        if (core_on_card(c->mits[i].status) && strcmp(c->mits[i].identity, identity) == 0)
            return true;
    return false;
}

struct trigger_ctx {
    struct core_mitigation *waiting; /* copies of the records as they were */
    size_t n;
    int64_t now;
};

static int trigger_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct trigger_ctx *t = ctx;
    for (size_t i = 0; i < t->n; i++) {
        struct scrub_store_mitigation m = core_mitigation_record(&t->waiting[i]);
        m.status = SCRUB_STORE_ACTIVE;
        m.triggered_at = t->now;
        if (scrub_store_mitigation_put(c->store, &m, err))
            return -1;
    }
    return 0;
}

static int trigger_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct trigger_ctx *t = ctx;
    for (size_t i = 0; i < t->n; i++) {
        struct scrub_store_mitigation m = core_mitigation_record(&t->waiting[i]);
        if (scrub_store_mitigation_put(c->store, &m, err))
            return -1;
    }
    return 0;
}

int scrub_core_mitigations_trigger(struct scrub_core *c, const struct scrub_actor *a, const char *identity,
                                   struct scrub_err *err)
{
    char what[600];
    snprintf(what, sizeof(what), "mitigation triggered (signal lost with %s):", identity);
    struct trigger_ctx t = {.waiting = calloc(c->n_mits ? c->n_mits : 1, sizeof(*t.waiting))};
    if (!t.waiting)
        return scrub_err_set(err, ENOMEM, "out of memory triggering mitigations");
    for (size_t i = 0; i < c->n_mits; i++) {
        const struct core_mitigation *m = &c->mits[i];
        if (m->status != SCRUB_STORE_REQUESTED || strcmp(m->identity, identity) != 0)
            continue;
        core_mitigation_copy(m, &t.waiting[t.n++]);
        size_t len = strlen(what);
        if (len < sizeof(what) - 80)
            snprintf(what + len, sizeof(what) - len, " %s/%lld", m->cuid, (long long)m->mid);
    }
    int rc = 0;
    if (t.n) {
        struct scrub_core_clock now;
        core_now(c, &now);
        t.now = now.wall_s;
        struct core_key *keys = malloc(t.n * sizeof(*keys));
        for (size_t i = 0; keys && i < t.n; i++)
            keys[i] = (struct core_key){t.waiting[i].cuid, t.waiting[i].mid};
        struct core_change ch = {.what = what, .mitigations = keys, .n_mitigations = t.n, .do_it = trigger_do,
                                 .undo = trigger_undo, .ctx = &t};
        rc = keys ? core_change(c, a, &ch, err) : scrub_err_set(err, ENOMEM, "out of memory triggering mitigations");
        free(keys);
    }
    for (size_t i = 0; i < t.n; i++)
        core_mitigation_free_copy(&t.waiting[i]);
    free(t.waiting);
    return rc ? -1 : (int)t.n;
}

int scrub_core_expire(struct scrub_core *c, struct scrub_err *err)
{
    struct scrub_core_clock now;
    core_now(c, &now);
    if (c->next_expiry_ms > now.boottime_ms && c->hal)
        return 0;
    if (!c->hal) /* at attach: load first, the card is not reachable yet for a change */
        return 0;
    struct withdraw_ctx w = {.gone = calloc(c->n_mits ? c->n_mits : 1, sizeof(*w.gone))};
    if (!w.gone)
        return scrub_err_set(err, ENOMEM, "out of memory expiring mitigations");
    char what[600] = "mitigation expired";
    for (size_t i = 0; i < c->n_mits; i++)
        if (core_expired(&c->mits[i], &now)) {
            w.gone[w.n++] = keep_copy(&c->mits[i]);
            size_t len = strlen(what);
            if (len < sizeof(what) - 80)
                snprintf(what + len, sizeof(what) - len, " %s/%lld", c->mits[i].cuid, (long long)c->mits[i].mid);
        }
    if (!w.n) {
        free_gone(&w);
        return 0;
    }
    struct scrub_actor daemon = {SCRUB_STORE_WHO_DAEMON, "scrubd", SCRUB_STORE_CHANNEL_SIGNAL, true};
    int rc = remove_mitigations(c, &daemon, what, &w, NULL, err);
    size_t n = w.n;
    free_gone(&w);
    return rc ? -1 : (int)n;
}
