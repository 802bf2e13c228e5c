/* The data channel's ACLs (RFC 8783) as card ACL entries: loaded from the
 * store and compiled for the owner's tenant, the image's input (which of
 * them are on), and the API of scrub_core.h (put, delete, list with
 * counters, capabilities). Changes take the one path of core_change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl_compile.h"
#include "data_acls.h"
#include "scrub_format.h"

/* ---- compiling ---------------------------------------------------------------------- */

static void free_aces(struct core_data_acl *a)
{
    for (size_t i = 0; i < a->n_aces; i++) {
        free(a->aces[i].name);
        free(a->aces[i].counter);
        free(a->aces[i].entries);
    }
    free(a->aces);
    a->aces = NULL;
    a->n_aces = a->n_entries = 0;
}

/* Tenant safety: a destination the ACE names is the tenant's (core_owns;
 * an ACE without one is held to the tenant's traffic by the tenant match). */
static int check_destination(const struct scrub_core *c, const struct core_tenant *t, const char *acl,
                             const struct scrub_ace *ace, struct scrub_err *err)
{
    if (!ace->matches.has_dst)
        return 0;
    char what[200];
    snprintf(what, sizeof(what), "ACL '%s', ACE '%s': destination ", acl, ace->name);
    return core_owns(c, t, &ace->matches.dst, what, err);
}

/* The ACL's body into card entries for tenant t: every entry matches the
 * tenant id, so it applies to the tenant's traffic only. */
static int compile(const struct scrub_core *c, const struct core_tenant *t, struct core_data_acl *a,
                   struct scrub_err *err)
{
    struct data_acl_parsed p;
    if (data_acl_parse(a->body, &p, err))
        return -1;
    int rc = 0;
    free(a->type);
    a->type = p.type;
    p.type = NULL;
    a->aces = calloc(p.n_aces ? p.n_aces : 1, sizeof(*a->aces));
    if (!a->aces)
        rc = scrub_err_set(err, ENOMEM, "out of memory compiling ACL '%s'", p.name);
    for (size_t i = 0; rc == 0 && i < p.n_aces; i++) {
        const struct scrub_ace *ace = &p.aces[i];
        struct core_data_ace *d = &a->aces[a->n_aces++];
        d->name = strdup(ace->name);
        d->counter = scrub_format("client %s / acl %s / ace %s", a->cuid, p.name, ace->name);
        if (!d->name || !d->counter) {
            rc = scrub_err_set(err, ENOMEM, "out of memory compiling ACL '%s'", p.name);
            break;
        }
        if ((rc = check_destination(c, t, p.name, ace, err)))
            break;
        d->accepts = ace->forwarding == SCRUB_FORWARD_ACCEPT && !ace->has_rate_limit;
        d->has_dst = ace->matches.has_dst;
        d->dst = ace->matches.dst;
        struct scrub_acl_entry base;
        scrub_acl_entry_any(&base);
        base.valid = true;
        base.tenant_value = t->id;
        base.tenant_mask = 0xffff;
        base.action = ace->forwarding == SCRUB_FORWARD_DROP ? SCRUB_ACTION_DROP : SCRUB_ACTION_ACCEPT;
        if (ace->has_rate_limit) {
            d->rate = scrub_ace_rate_limit_bytes(ace);
            if (d->rate == 0 || d->rate > SCRUB_POLICER_RATE_MAX) {
                rc = scrub_err_set(err, EINVAL,
                                   "ACL '%s', ACE '%s': a rate limit of %llu bytes per second is outside the card's "
                                   "1..%llu (to stop the traffic, drop it)",
                                   p.name, ace->name, (unsigned long long)d->rate, SCRUB_POLICER_RATE_MAX);
                break;
            }
            base.action = SCRUB_ACTION_POLICE;
        }
        int n = scrub_ace_compile(ace, p.family, &base, NULL, 0, err);
        if (n > 0 && !(d->entries = calloc((size_t)n, sizeof(*d->entries))))
            n = scrub_err_set(err, ENOMEM, "out of memory compiling ACL '%s'", p.name);
        if (n > 0)
            n = scrub_ace_compile(ace, p.family, &base, d->entries, (size_t)n, err);
        if (n < 0) {
            rc = scrub_err_prefix(err, "ACL '%s'", p.name);
            break;
        }
        d->n_entries = (size_t)n;
        a->n_entries += (size_t)n;
    }
    data_acl_parsed_free(&p);
    if (rc)
        free_aces(a);
    return rc;
}

/* ---- loading ------------------------------------------------------------------------ */

static void acl_free(struct core_data_acl *a)
{
    free_aces(a);
    free(a->cuid);
    free(a->identity);
    free(a->name);
    free(a->body);
    free(a->type);
    free(a->problem);
}

void core_data_acls_unload(struct scrub_core *c)
{
    if (!c->dacls)
        return;
    for (size_t i = 0; i < c->dacls->n; i++)
        acl_free(&c->dacls->acls[i]);
    free(c->dacls->acls);
    free(c->dacls);
    c->dacls = NULL;
}

struct load_ctx {
    struct core_data_acls *all;
    struct scrub_err *err;
};

static int on_acl(void *ctx, const struct scrub_store_acl *sa)
{
    struct load_ctx *l = ctx;
    struct core_data_acls *all = l->all;
    struct core_data_acl *more = realloc(all->acls, (all->n + 1) * sizeof(*more));
    if (!more)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading ACLs");
    all->acls = more;
    struct core_data_acl *a = &all->acls[all->n++];
    *a = (struct core_data_acl){.cuid = strdup(sa->cuid),
                                .name = strdup(sa->name),
                                .body = strdup(sa->body),
                                .position = sa->position,
                                .expires_at = sa->expires_at,
                                .activation = sa->activation};
    if (!a->cuid || !a->name || !a->body)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading ACLs");
    return 0;
}

/* A stored ACL that does not compile any more stays stored, off the card,
 * with the reason shown in its listing. */
static int set_problem(struct core_data_acl *a, const char *msg, struct scrub_err *err)
{
    free_aces(a);
    if (!(a->problem = strdup(msg)))
        return scrub_err_set(err, ENOMEM, "out of memory loading ACLs");
    return 0;
}

int core_data_acls_load(struct scrub_core *c, struct scrub_err *err)
{
    core_data_acls_unload(c);
    if (!(c->dacls = calloc(1, sizeof(*c->dacls))))
        return scrub_err_set(err, ENOMEM, "out of memory loading ACLs");
    struct load_ctx l = {c->dacls, err};
    if (scrub_store_acls_each(c->store, NULL, on_acl, &l, err))
        return -1;
    char owner[256] = "";
    int found = 0;
    for (size_t i = 0; i < c->dacls->n; i++) {
        struct core_data_acl *a = &c->dacls->acls[i];
        /* They come by cuid: one owner lookup per cuid. */
        if ((i == 0 || strcmp(a->cuid, c->dacls->acls[i - 1].cuid) != 0) &&
            (found = scrub_store_cuid_owner(c->store, a->cuid, owner, sizeof(owner), err)) < 0)
            return -1;
        if (!(a->identity = strdup(found ? owner : "")))
            return scrub_err_set(err, ENOMEM, "out of memory loading ACLs");
        const struct core_tenant *t = core_tenant(c, a->identity);
        struct scrub_err e = {0};
        if (!t)
            scrub_err_set(&e, ENOENT, "its owner '%s' is not a tenant", a->identity);
        if (!t || compile(c, t, a, &e))
            if (set_problem(a, e.msg, err))
                return -1;
    }
    return 0;
}

/* ---- the image's input -------------------------------------------------------------- */

static bool mitigating(const struct scrub_core *c, const char *cuid)
{
    for (size_t i = 0; i < c->n_mits; i++)
        if (core_on_card(c->mits[i].status) && strcmp(c->mits[i].cuid, cuid) == 0)
            return true;
    return false;
}

/* RFC 8783 section 7.3: immediate, always; activate-when-mitigating,
 * while the DOTS client (the cuid) has an active mitigation; deactivate,
 * never. all: as if every client were mitigating (the fit check). */
static bool is_on(const struct scrub_core *c, const struct core_data_acl *a, bool all)
{
    if (a->problem || a->activation == SCRUB_STORE_DEACTIVATE)
        return false;
    return a->activation == SCRUB_STORE_ACTIVATE_IMMEDIATE || all || mitigating(c, a->cuid);
}

void core_data_input_free(struct core_data_input *in)
{
    for (size_t i = 0; i < in->n_names; i++)
        free(in->names[i]);
    free(in->names);
    free(in->aces);
    free(in->scopes);
    free(in->defaults);
    memset(in, 0, sizeof(*in));
}

/* Whether a run-time tenant has an ACL on (it then needs its scope). */
static bool needs_scope(const struct scrub_core *c, const struct core_tenant *t, bool all)
{
    for (size_t i = 0; !t->configured && c->dacls && i < c->dacls->n; i++)
        if (strcmp(c->dacls->acls[i].identity, t->identity) == 0 && is_on(c, &c->dacls->acls[i], all))
            return true;
    return false;
}

int core_data_acls_input(const struct scrub_core *c, bool all, struct core_data_input *in, struct scrub_err *err)
{
    memset(in, 0, sizeof(*in));
    size_t count = 0, tenants = 0;
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++)
        count += is_on(c, &c->dacls->acls[i], all) ? c->dacls->acls[i].n_aces : 0;
    for (size_t i = 0; i < c->n_tenants; i++)
        tenants += needs_scope(c, &c->tenants[i], all);
    in->aces = calloc(count + tenants + 1, sizeof(*in->aces));
    in->scopes = calloc(tenants + 1, sizeof(*in->scopes));
    in->names = calloc(2 * tenants + 1, sizeof(*in->names));
    in->defaults = calloc(tenants + 1, sizeof(*in->defaults));
    if (!in->aces || !in->scopes || !in->names || !in->defaults) {
        core_data_input_free(in);
        return scrub_err_set(err, ENOMEM, "out of memory building the card image");
    }
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++) {
        const struct core_data_acl *a = &c->dacls->acls[i];
        for (size_t k = 0; is_on(c, a, all) && k < a->n_aces; k++)
            in->aces[in->n_aces++] = (struct image_data_ace){a->aces[k].counter, a->aces[k].entries,
                                                             a->aces[k].n_entries, a->aces[k].rate};
    }
    for (size_t i = 0; i < c->n_tenants; i++) {
        const struct core_tenant *t = &c->tenants[i];
        if (!needs_scope(c, t, all))
            continue;
        char *scope = scrub_format("client %s data-channel scope", t->identity);
        char *dflt = scrub_format("client %s data-channel default accept", t->identity);
        in->names[in->n_names++] = scope;
        in->names[in->n_names++] = dflt;
        if (!scope || !dflt) {
            core_data_input_free(in);
            return scrub_err_set(err, ENOMEM, "out of memory building the card image");
        }
        in->scopes[in->n_scopes++] = (struct image_mitigation){scope, t->id, 0, -1, t->prefixes, t->n_prefixes};
        struct scrub_acl_entry *e = &in->defaults[in->n_scopes - 1];
        scrub_acl_entry_any(e);
        e->valid = true;
        e->tenant_value = t->id;
        e->tenant_mask = 0xffff;
        e->profile_value = 0;
        e->profile_mask = 0xff;
        e->action = SCRUB_ACTION_ACCEPT;
        in->aces[in->n_aces++] = (struct image_data_ace){dflt, e, 1, 0};
    }
    return 0;
}

/* ---- put and delete ----------------------------------------------------------------- */

static struct core_data_acl *find(const struct scrub_core *c, const char *cuid, const char *name)
{
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++)
        if (strcmp(c->dacls->acls[i].cuid, cuid) == 0 && strcmp(c->dacls->acls[i].name, name) == 0)
            return &c->dacls->acls[i];
    return NULL;
}

/* One ACL's store record before and after the change. */
struct acl_change {
    struct scrub_store_acl next;
    bool existed, remove;
    struct scrub_store_acl old;
    char *old_body;
    char *own_body; /* a move's body (next and old) */
};

struct acls_ctx {
    struct acl_change *ch;
    size_t n;
};

static int acls_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct acls_ctx *x = ctx;
    for (size_t i = 0; i < x->n; i++) {
        const struct acl_change *ch = &x->ch[i];
        if (ch->remove ? scrub_store_acl_delete(c->store, ch->next.cuid, ch->next.name, err)
                       : scrub_store_acl_put(c->store, &ch->next, err))
            return -1;
    }
    /* Room for every ACL that is not deactivated, so that a mitigation
     * that switches them on later never finds the card full. The ACLs are
     * all that changed: only they are loaded again (core_change need not). */
    struct card_image all;
    if (core_data_acls_load(c, err) || core_build_image(c, true, &all, err))
        return -1;
    card_image_free(&all);
    return 0;
}

static int acls_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct acls_ctx *x = ctx;
    for (size_t i = 0; i < x->n; i++) {
        const struct acl_change *ch = &x->ch[i];
        if (ch->existed ? scrub_store_acl_put(c->store, &ch->old, err)
                        : scrub_store_acl_delete(c->store, ch->next.cuid, ch->next.name, err))
            return -1;
    }
    return 0;
}

static void remember(struct acl_change *ch, const struct core_data_acl *old)
{
    if (!old)
        return;
    ch->existed = true;
    ch->old = (struct scrub_store_acl){.cuid = old->cuid,
                                       .name = old->name,
                                       .position = old->position,
                                       .activation = old->activation,
                                       .expires_at = old->expires_at,
                                       .body = old->body,
                                       .updated_at = time(NULL)};
}

static int registered_cb(void *ctx, const struct scrub_store_data_client *r)
{
    (void)ctx;
    (void)r;
    return 0;
}

const struct core_tenant *core_data_owner(struct scrub_core *c, const struct scrub_actor *a, const char *cuid,
                                          struct scrub_err *err)
{
    char owner[256];
    int found = cuid && *cuid ? scrub_store_cuid_owner(c->store, cuid, owner, sizeof(owner), err) : 0;
    if (found < 0)
        return NULL;
    int registered = found ? scrub_store_data_client_get(c->store, cuid, registered_cb, NULL, err) : 0;
    if (registered < 0)
        return NULL;
    if (!registered) {
        scrub_err_set(err, ENOENT, "no dots-client '%s' is registered on the data channel", cuid ? cuid : "");
        return NULL;
    }
    if (!a->operator && (!a->who || strcmp(a->who, owner) != 0)) {
        scrub_err_set(err, EACCES, "not authorized: dots-client '%s' belongs to another client", cuid);
        return NULL;
    }
    const struct core_tenant *t = core_tenant(c, owner);
    if (!t)
        scrub_err_set(err, EACCES, "not authorized: '%s' is not a tenant (configure it, or scrubctl client add)", owner);
    return t;
}

/* Card entries the identity's ACLs that are not deactivated take, those
 * named in skip (by cuid and name) aside. */
static size_t entries_in_use(const struct scrub_core *c, const char *identity, const char *cuid,
                             const struct acl_change *skip, size_t n_skip)
{
    size_t used = 0;
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++) {
        const struct core_data_acl *a = &c->dacls->acls[i];
        bool skipped = false;
        for (size_t k = 0; k < n_skip && !skipped; k++)
            skipped = strcmp(a->cuid, cuid) == 0 && strcmp(a->name, skip[k].next.name) == 0;
        if (!skipped && a->activation != SCRUB_STORE_DEACTIVATE && strcmp(a->identity, identity) == 0)
            used += a->n_entries;
    }
    return used;
}

static void room_left(const struct scrub_core *c, struct scrub_err *err)
{
    const struct scrub_layout *l = &c->card.layout;
    scrub_err_prefix(err, "does not fit on the card (room left: %u ACL entries, %u policers, %u counter pairs)",
                     l->acl.total - l->acl.used, l->policers.total - l->policers.used,
                     l->counter_pairs.total - l->counter_pairs.used);
}

static void free_changes(struct acl_change *ch, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)ch[i].next.name);
        free(ch[i].old_body);
        free(ch[i].own_body);
    }
    free(ch);
}

/* Reads and checks every ACL of the request into ch; the sum of their
 * entries (those not deactivated) into *need. */
static int check_request(struct scrub_core *c, const struct core_tenant *t, const struct scrub_data_acls_req *r,
                         struct acl_change *ch, size_t *need, struct scrub_err *err)
{
    struct scrub_core_clock now;
    core_now(c, &now);
    int64_t lifetime = r->lifetime_s ? r->lifetime_s : SCRUB_DATA_ACL_LIFETIME_S;
    int64_t next_pos = 0;
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++)
        if (strcmp(c->dacls->acls[i].cuid, r->cuid) == 0 && c->dacls->acls[i].position >= next_pos)
            next_pos = c->dacls->acls[i].position + 1;
    *need = 0;
    if (r->lifetime_s < -1)
        return scrub_err_set(err, EINVAL, "a lifetime of %lld s: give seconds > 0, 0 for the default or -1 for none",
                             (long long)r->lifetime_s);
    for (size_t i = 0; i < r->n_acls; i++) {
        struct core_data_acl probe = {.cuid = (char *)r->cuid, .body = (char *)r->acls[i]};
        struct data_acl_parsed p;
        if (data_acl_parse(r->acls[i], &p, err))
            return -1;
        ch[i].next = (struct scrub_store_acl){.cuid = r->cuid, .name = p.name, .activation = p.activation,
                                              .body = r->acls[i], .updated_at = time(NULL),
                                              .expires_at = lifetime > 0 ? now.wall_s + lifetime : 0};
        p.name = NULL;
        data_acl_parsed_free(&p);
        for (size_t k = 0; k < i; k++)
            if (strcmp(ch[k].next.name, ch[i].next.name) == 0)
                return scrub_err_set(err, EINVAL, "ACL '%s' is twice in the request", ch[i].next.name);
        const struct core_data_acl *old = find(c, r->cuid, ch[i].next.name);
        if (old && r->create)
            return scrub_err_set(err, EEXIST, "ACL '%s' of dots-client '%s' exists already", old->name, r->cuid);
        remember(&ch[i], old);
        ch[i].next.position = old ? old->position : next_pos++;
        int rc = compile(c, t, &probe, err);
        size_t n = probe.n_entries;
        free_aces(&probe);
        free(probe.type);
        if (rc)
            return -1;
        if (ch[i].next.activation != SCRUB_STORE_DEACTIVATE)
            *need += n;
    }
    return 0;
}

/* An explicit insert: the request's ACLs (ch[0..n_acls)) as one block
 * among the cuid's others, positions renumbered from 0; the others that
 * move are appended to ch as changes of their position alone. */
static int place(const struct scrub_core *c, const struct scrub_data_acls_req *r, struct acl_change *ch,
                 size_t *n_ch, struct scrub_err *err)
{
    if (r->insert == SCRUB_DATA_INSERT_DEFAULT)
        return 0;
    size_t n_others = 0, at = 0;
    const struct core_data_acl **others = calloc(c->dacls && c->dacls->n ? c->dacls->n : 1, sizeof(*others));
    if (!others)
        return scrub_err_set(err, ENOMEM, "out of memory");
    bool point_moves = false;
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++) {
        const struct core_data_acl *a = &c->dacls->acls[i];
        bool named = false;
        for (size_t k = 0; k < r->n_acls && !named; k++)
            named = strcmp(ch[k].next.name, a->name) == 0;
        if (strcmp(a->cuid, r->cuid) != 0)
            continue;
        point_moves |= named && r->point && strcmp(a->name, r->point) == 0;
        if (!named)
            others[n_others++] = a;
    }
    int rc = 0;
    if (r->insert == SCRUB_DATA_INSERT_LAST) {
        at = n_others;
    } else if (r->insert == SCRUB_DATA_INSERT_BEFORE || r->insert == SCRUB_DATA_INSERT_AFTER) {
        at = SIZE_MAX;
        for (size_t k = 0; r->point && k < n_others; k++)
            if (strcmp(others[k]->name, r->point) == 0)
                at = r->insert == SCRUB_DATA_INSERT_BEFORE ? k : k + 1;
        if (at == SIZE_MAX)
            rc = scrub_err_set(err, EINVAL, "point: %s", !r->point   ? "insert before or after needs a point"
                                                      : point_moves ? "it is one of the ACLs being placed"
                                                                    : "no such ACL of the dots-client");
    }
    for (size_t i = 0; rc == 0 && i < r->n_acls; i++)
        ch[i].next.position = (int64_t)(at + i);
    for (size_t k = 0; rc == 0 && k < n_others; k++) {
        int64_t pos = (int64_t)(k < at ? k : k + r->n_acls);
        if (pos == others[k]->position)
            continue;
        struct acl_change *m = &ch[(*n_ch)++];
        remember(m, others[k]);
        m->own_body = strdup(others[k]->body);
        char *name = strdup(others[k]->name);
        if (!m->own_body || !name) {
            free(name);
            rc = scrub_err_set(err, ENOMEM, "out of memory");
            break;
        }
        m->old.cuid = r->cuid;
        m->old.name = name;
        m->old.body = m->own_body;
        m->next = m->old;
        m->next.position = pos;
    }
    free(others);
    return rc;
}

int scrub_core_data_acls_put(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_data_acls_req *r,
                             struct scrub_data_acls_result *res, struct scrub_err *err)
{
    char what[600];
    *err = (struct scrub_err){0};
    if (res)
        *res = (struct scrub_data_acls_result){0};
    snprintf(what, sizeof(what), "data-channel acl %s cuid=%s acls=%zu", r->create ? "create" : "put",
             r->cuid ? r->cuid : "", r->n_acls);
    if (core_need_card(c, a, what, err))
        return -1;
    size_t n_ch = r->n_acls;
    struct acl_change *ch = calloc(r->n_acls + (c->dacls ? c->dacls->n : 0) + 1, sizeof(*ch));
    if (!ch)
        return scrub_err_set(err, ENOMEM, "out of memory");
    size_t need = 0;
    const struct core_tenant *t = core_data_owner(c, a, r->cuid, err);
    if (t && r->n_acls == 0)
        scrub_err_set(err, EINVAL, "no ACL in the request");
    else if (t && check_request(c, t, r, ch, &need, err) == 0 && place(c, r, ch, &n_ch, err) == 0) {
        size_t used = entries_in_use(c, t->identity, r->cuid, ch, r->n_acls);
        if (t->has_quotas && used + need > t->quotas.acl_entries)
            scrub_err_set(err, EDQUOT,
                          "quota: client '%s' may have %u ACL entries (counted on the card, after expansion) and "
                          "has %zu; these ACLs need %zu, room left %zu",
                          t->identity, t->quotas.acl_entries, used, need,
                          used < t->quotas.acl_entries ? t->quotas.acl_entries - used : 0);
    }
    for (size_t i = 0; i < r->n_acls && ch[i].next.name; i++) {
        size_t len = strlen(what);
        if (len < sizeof(what) - 80)
            snprintf(what + len, sizeof(what) - len, "%s%s", i ? "," : " names=", ch[i].next.name);
    }
    static const char *const inserts[] = {"", " insert=first", " insert=last", " insert=before:", " insert=after:"};
    size_t len = strlen(what);
    if (len < sizeof(what) - 100)
        snprintf(what + len, sizeof(what) - len, "%s%s", inserts[r->insert <= SCRUB_DATA_INSERT_AFTER ? r->insert : 0],
                 r->insert >= SCRUB_DATA_INSERT_BEFORE && r->point ? r->point : "");
    if (err->code || !t) {
        free_changes(ch, n_ch);
        return core_refuse(c, a, what, err);
    }
    for (size_t i = 0; i < r->n_acls; i++) /* the old body outlives the reload in core_change */
        if (ch[i].existed && !(ch[i].old.body = ch[i].old_body = strdup(ch[i].old.body))) {
            free_changes(ch, n_ch);
            return scrub_err_set(err, ENOMEM, "out of memory");
        }
    for (size_t i = 0; i < r->n_acls; i++) {
        ch[i].old.cuid = r->cuid;
        ch[i].old.name = ch[i].next.name;
    }
    struct acls_ctx x = {ch, n_ch};
    struct core_change cc = {.what = what, .do_it = acls_do, .undo = acls_undo, .ctx = &x, .reloads = true};
    int rc = core_change(c, a, &cc, err);
    if (rc && err->code == ENOSPC)
        room_left(c, err);
    for (size_t i = 0; rc == 0 && res && i < r->n_acls; i++) {
        res->created += !ch[i].existed;
        res->replaced += ch[i].existed;
    }
    free_changes(ch, n_ch);
    return rc;
}

int scrub_core_data_acl_delete(struct scrub_core *c, const struct scrub_actor *a, const char *cuid, const char *name,
                               struct scrub_err *err)
{
    char what[400];
    *err = (struct scrub_err){0};
    snprintf(what, sizeof(what), "data-channel acl delete cuid=%s name=%s", cuid ? cuid : "", name ? name : "(all)");
    if (!core_data_owner(c, a, cuid, err))
        return core_refuse(c, a, what, err);
    size_t n = 0;
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++)
        n += strcmp(c->dacls->acls[i].cuid, cuid) == 0 && (!name || strcmp(c->dacls->acls[i].name, name) == 0);
    if (n == 0 && name) {
        scrub_err_set(err, ENOENT, "no ACL '%s' of dots-client '%s'", name, cuid);
        return core_refuse(c, a, what, err);
    }
    if (n == 0) /* all of none: nothing to do, with or without a card */
        return 0;
    if (core_need_card(c, a, what, err))
        return -1;
    struct acl_change *ch = calloc(n, sizeof(*ch));
    if (!ch)
        return scrub_err_set(err, ENOMEM, "out of memory");
    size_t k = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->dacls->n; i++) {
        const struct core_data_acl *d = &c->dacls->acls[i];
        if (strcmp(d->cuid, cuid) != 0 || (name && strcmp(d->name, name) != 0))
            continue;
        struct acl_change *x = &ch[k++];
        remember(x, d);
        x->remove = true;
        x->next = (struct scrub_store_acl){.cuid = cuid, .name = strdup(d->name)};
        x->old.cuid = cuid;
        x->old.name = x->next.name;
        x->old.body = x->old_body = strdup(d->body);
        if (!x->next.name || !x->old_body)
            rc = scrub_err_set(err, ENOMEM, "out of memory");
    }
    struct acls_ctx x = {ch, k};
    struct core_change cc = {.what = what, .do_it = acls_do, .undo = acls_undo, .ctx = &x, .reloads = true};
    if (rc == 0)
        rc = core_change(c, a, &cc, err);
    free_changes(ch, k);
    return rc;
}

int scrub_core_data_acls_expire(struct scrub_core *c, struct scrub_err *err)
{
    static const struct scrub_actor daemon = {SCRUB_STORE_WHO_DAEMON, "scrubd", SCRUB_STORE_CHANNEL_DATA, true};
    *err = (struct scrub_err){0};
    if (!c->cfg || !c->hal)
        return 0;
    struct scrub_core_clock now;
    core_now(c, &now);
    size_t n = 0;
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++)
        n += c->dacls->acls[i].expires_at && c->dacls->acls[i].expires_at <= now.wall_s;
    if (n == 0)
        return 0;
    struct acl_change *ch = calloc(n, sizeof(*ch));
    char what[600] = "data-channel acl expired";
    if (!ch)
        return scrub_err_set(err, ENOMEM, "out of memory expiring ACLs");
    size_t k = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->dacls->n; i++) {
        const struct core_data_acl *d = &c->dacls->acls[i];
        if (!d->expires_at || d->expires_at > now.wall_s)
            continue;
        struct acl_change *x = &ch[k++];
        remember(x, d);
        x->remove = true;
        x->next = (struct scrub_store_acl){.cuid = strdup(d->cuid), .name = strdup(d->name)};
        x->old.cuid = x->next.cuid;
        x->old.name = x->next.name;
        x->old.body = x->old_body = strdup(d->body);
        if (!x->next.cuid || !x->next.name || !x->old_body)
            rc = scrub_err_set(err, ENOMEM, "out of memory expiring ACLs");
        size_t len = strlen(what);
        if (rc == 0 && len < sizeof(what) - 80)
            snprintf(what + len, sizeof(what) - len, " %s/%s", d->cuid, d->name);
    }
    struct acls_ctx x = {ch, k};
    struct core_change cc = {.what = what, .do_it = acls_do, .undo = acls_undo, .ctx = &x, .reloads = true};
    if (rc == 0)
        rc = core_change(c, &daemon, &cc, err);
    for (size_t i = 0; i < k; i++)
        free((char *)ch[i].next.cuid);
    free_changes(ch, k);
    return rc ? -1 : (int)k;
}

/* ---- RFC 9133: activation switched by a mitigation request ------------------------- */

void core_acl_switches_free(struct core_acl_switch *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].name);
        free(s[i].body);
    }
    free(s);
}

int core_acl_switches_prepare(const struct scrub_core *c, const struct core_tenant *t, const char *cuid,
                              const struct scrub_acl_activation *req, size_t n, struct core_acl_switch **out,
                              struct scrub_err *err)
{
    struct core_acl_switch *s = calloc(n ? n : 1, sizeof(*s));
    if (!s)
        return scrub_err_set(err, ENOMEM, "out of memory");
    size_t added = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct core_data_acl *d = find(c, cuid, req[i].name);
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (strcmp(req[k].name, req[i].name) == 0)
                rc = scrub_err_set(err, EINVAL, "acl-list: ACL '%s' is named twice", req[i].name);
        if (rc)
            break;
        /* another identity's cuid has no ACL of this client's either */
        if (!d || strcmp(d->identity, t->identity) != 0) {
            rc = scrub_err_set(err, EINVAL,
                               "acl-list: no ACL '%s' of dots-client '%s' (make it on the data channel first, "
                               "RFC 8783)",
                               req[i].name, cuid);
            break;
        }
        if (d->activation == SCRUB_STORE_DEACTIVATE && req[i].activation != SCRUB_STORE_DEACTIVATE)
            added += d->n_entries;
        s[i] = (struct core_acl_switch){.old = d->activation, .name = strdup(d->name), .body = strdup(d->body)};
        s[i].rec = (struct scrub_store_acl){.cuid = cuid, .name = s[i].name, .position = d->position,
                                            .activation = req[i].activation, .body = s[i].body,
                                            .expires_at = d->expires_at, .updated_at = time(NULL)};
        if (!s[i].name || !s[i].body)
            rc = scrub_err_set(err, ENOMEM, "out of memory");
    }
    size_t used = rc == 0 ? entries_in_use(c, t->identity, cuid, NULL, 0) : 0;
    if (rc == 0 && added && t->has_quotas && used + added > t->quotas.acl_entries)
        rc = scrub_err_set(err, EDQUOT,
                           "quota: client '%s' may have %u ACL entries (counted on the card, after expansion) and "
                           "has %zu; the ACLs acl-list switches on need %zu more",
                           t->identity, t->quotas.acl_entries, used, added);
    if (rc) {
        core_acl_switches_free(s, n);
        return -1;
    }
    *out = s;
    return 0;
}

int core_acl_switches_write(struct scrub_core *c, const struct core_acl_switch *s, size_t n, bool undo,
                            struct scrub_err *err)
{
    for (size_t i = 0; i < n; i++) {
        struct scrub_store_acl rec = s[i].rec;
        if (undo)
            rec.activation = s[i].old;
        if (scrub_store_acl_put(c->store, &rec, err))
            return -1;
    }
    return 0;
}

/* ---- listing with counters ---------------------------------------------------------- */

int scrub_core_data_acls_each(struct scrub_core *c, const char *cuid, const char *name, bool with_counters,
                              scrub_data_acl_fn fn, void *ctx, struct scrub_err *err)
{
    if (!c->cfg)
        return scrub_err_set(err, EINVAL, "the core has no configuration yet");
    if (with_counters && c->hal && scrub_hal_snapshot(c->hal, err))
        return scrub_err_prefix(err, "reading the ACEs' counters");
    for (size_t i = 0; c->dacls && i < c->dacls->n; i++) {
        const struct core_data_acl *d = &c->dacls->acls[i];
        if ((cuid && strcmp(d->cuid, cuid) != 0) || (name && strcmp(d->name, name) != 0))
            continue;
        struct scrub_data_ace_view *aces = calloc(d->n_aces ? d->n_aces : 1, sizeof(*aces));
        if (!aces)
            return scrub_err_set(err, ENOMEM, "out of memory listing ACLs");
        bool installed = d->n_aces > 0 && c->hal;
        for (size_t k = 0; k < d->n_aces; k++) {
            const struct scrub_layout_counter *lc = c->hal ? card_image_counter(&c->card, d->aces[k].counter) : NULL;
            aces[k] = (struct scrub_data_ace_view){.name = d->aces[k].name, .n_entries = d->aces[k].n_entries,
                                                   .installed = lc != NULL};
            installed = installed && lc;
            if (lc && with_counters) {
                if (scrub_hal_read_counters(c->hal, SCRUB_TABLE_COUNTER, lc->index, 1, &aces[k].matched, err)) {
                    free(aces);
                    return scrub_err_prefix(err, "reading the counters of %s", lc->name);
                }
                aces[k].counters_known = true;
            }
        }
        struct scrub_core_clock now;
        core_now(c, &now);
        int64_t left = d->expires_at ? d->expires_at - now.wall_s : -1;
        struct scrub_data_acl_view v = {.pending_lifetime_s = left < 0 && d->expires_at ? 0 : left,
                                        .cuid = d->cuid,
                                        .identity = d->identity,
                                        .name = d->name,
                                        .body = d->body,
                                        .activation = d->activation,
                                        .position = d->position,
                                        .installed = installed,
                                        .n_entries = d->n_entries,
                                        .problem = d->problem,
                                        .aces = aces,
                                        .n_aces = d->n_aces};
        int r = fn(ctx, &v);
        free(aces);
        if (r)
            return r;
    }
    return 0;
}

/* ---- capabilities ------------------------------------------------------------------- */

int scrub_core_data_capabilities(const struct scrub_core *c, struct scrub_data_capabilities *out,
                                 struct scrub_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!c->hal)
        return scrub_err_set(err, ENODEV, "the card is not reachable: its capabilities are not known now");
    uint32_t m = c->hal->caps.match, act = c->hal->caps.actions;
    /* Every entry of the data channel matches the tenant: without it, none. */
    if (!(m & SCRUB_CAP_MATCH_TENANT_MASK))
        return 0;
    out->ipv4 = true;
    out->ipv6 = (m & SCRUB_CAP_MATCH_IPV6_MASK) && (m & SCRUB_CAP_MATCH_FAMILY_MASK);
    out->accept = act & SCRUB_CAP_ACTION_ACCEPT_MASK;
    out->drop = act & SCRUB_CAP_ACTION_DROP_MASK;
    out->rate_limit = (act & SCRUB_CAP_ACTION_POLICE_MASK) && (act & SCRUB_CAP_ACTION_POLICE_BYTES_MASK);
    out->protocol = m & SCRUB_CAP_MATCH_PROTO_MASK;
    out->dscp = m & SCRUB_CAP_MATCH_DSCP_MASK;
    out->length = m & SCRUB_CAP_MATCH_LENGTH_MASK;
    out->source_prefix = m & SCRUB_CAP_MATCH_SRC_ADDR_MASK;
    out->destination_prefix = m & SCRUB_CAP_MATCH_DST_ADDR_MASK;
    out->fragment = m & SCRUB_CAP_MATCH_FRAG_MASK;
    out->tcp_flags_bitmask = out->protocol && (m & SCRUB_CAP_MATCH_TCP_FLAGS_MASK);
    out->source_port = out->protocol && (m & SCRUB_CAP_MATCH_SRC_PORT_MASK);
    out->destination_port = out->protocol && (m & SCRUB_CAP_MATCH_DST_PORT_MASK);
    out->icmp_type = out->protocol && (m & SCRUB_CAP_MATCH_ICMP_TYPE_MASK);
    out->icmp_code = out->protocol && (m & SCRUB_CAP_MATCH_ICMP_CODE_MASK);
    return 0;
}
