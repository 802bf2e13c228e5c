/* Clients added at run time: owned prefixes, default profile, quotas, and
 * the tenant id the card knows them by (docs/mitigations.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_internal.h"

/* Run-time clients take ids from the top down, configured tenants from 1
 * up, so that neither renumbers the other. */
static uint16_t free_tenant_id(const struct scrub_core *c)
{
    for (uint32_t id = UINT16_MAX; id > c->cfg->n_tenants; id--) {
        bool used = false;
        for (size_t i = 0; !used && i < c->n_tenants; i++)
            used = c->tenants[i].id == id;
        if (!used)
            return (uint16_t)id;
    }
    return 0;
}

struct add_ctx {
    const struct scrub_client_req *r;
    const char **texts;
    uint16_t id;
};

static int add_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct add_ctx *x = ctx;
    struct scrub_store_client sc = {.identity = x->r->identity,
                                    .profile = x->r->profile,
                                    .quotas = x->r->quotas,
                                    .prefixes = x->texts,
                                    .n_prefixes = x->r->n_prefixes,
                                    .created_at = time(NULL)};
    if (scrub_store_client_add(c->store, &sc, err))
        return -1;
    return scrub_store_tenant_id_put(c->store, x->r->identity, x->id, err);
}

static int add_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct add_ctx *x = ctx;
    return scrub_store_client_remove(c->store, x->r->identity, err);
}

int scrub_core_client_add(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_client_req *r,
                          struct scrub_err *err)
{
    char what[600], list[400] = "";
    *err = (struct scrub_err){0};
    for (size_t i = 0; i < r->n_prefixes; i++) {
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&r->prefixes[i], text, sizeof(text));
        size_t len = strlen(list);
        snprintf(list + len, sizeof(list) - len, "%s%s", i ? " " : "", text);
    }
    snprintf(what, sizeof(what), "client add %s prefixes=%s profile=%s quotas=%u/%u/%u/%u/%u",
             r->identity ? r->identity : "", list, r->profile ? r->profile : "", r->quotas.mitigations,
             r->quotas.acl_entries, r->quotas.source_entries, r->quotas.aliases, r->quotas.sessions);
    if (core_need_card(c, a, what, err) || core_load(c, err))
        return -1;
    if (!a->operator)
        scrub_err_set(err, EACCES, "not authorized: only the operator adds clients");
    else if (!r->identity || !*r->identity)
        scrub_err_set(err, EINVAL, "a client needs an identity (its certificate's DNS name or CN)");
    else if (core_tenant(c, r->identity))
        scrub_err_set(err, EEXIST, "client '%s' exists already (%s)", r->identity,
                      core_tenant(c, r->identity)->configured ? "a configured tenant" : "added at run time");
    else if (core_profile_index(c->cfg, r->profile) < 0)
        scrub_err_set(err, ENOENT, "unknown profile '%s'", r->profile ? r->profile : "");
    else if (r->n_prefixes == 0)
        scrub_err_set(err, EINVAL, "a client needs at least one owned prefix");
    for (size_t i = 0; !err->code && i < r->n_prefixes; i++)
        for (size_t t = 0; !err->code && t < c->n_tenants; t++)
            for (size_t k = 0; !err->code && k < c->tenants[t].n_prefixes; k++)
                if (scrub_prefix_overlap(&r->prefixes[i], &c->tenants[t].prefixes[k])) {
                    char mine[SCRUB_PREFIX_TEXT], theirs[SCRUB_PREFIX_TEXT];
                    scrub_prefix_format(&r->prefixes[i], mine, sizeof(mine));
                    scrub_prefix_format(&c->tenants[t].prefixes[k], theirs, sizeof(theirs));
                    scrub_err_set(err, EEXIST, "%s overlaps %s, which '%s' owns; owned prefixes do not overlap",
                                  mine, theirs, c->tenants[t].identity);
                }
    struct add_ctx x = {.r = r, .id = free_tenant_id(c)};
    if (!err->code && !x.id)
        scrub_err_set(err, ENOSPC, "no tenant id left (the card has 65535, the configuration takes %zu)",
                      c->cfg->n_tenants);
    if (err->code)
        return core_refuse(c, a, what, err);
    char(*texts)[SCRUB_PREFIX_TEXT] = calloc(r->n_prefixes, sizeof(*texts));
    x.texts = calloc(r->n_prefixes, sizeof(*x.texts));
    int rc = texts && x.texts ? 0 : scrub_err_set(err, ENOMEM, "out of memory adding a client");
    for (size_t i = 0; rc == 0 && i < r->n_prefixes; i++) {
        scrub_prefix_format(&r->prefixes[i], texts[i], sizeof(texts[i]));
        x.texts[i] = texts[i];
    }
    struct core_change ch = {.what = what, .do_it = add_do, .undo = add_undo, .ctx = &x};
    if (rc == 0)
        rc = core_change(c, a, &ch, err);
    free(texts);
    free(x.texts);
    return rc;
}

/* ---- remove -------------------------------------------------------------------------------- */

struct remove_ctx {
    const struct core_tenant *t;
    struct scrub_store_client client;
    const char **texts;
    struct scrub_store_mitigation *mits; /* copies to restore */
    size_t n_mits;
    struct scrub_store_source *sources;
    size_t n_sources;
};

static int remove_do(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct remove_ctx *x = ctx;
    for (size_t i = 0; i < x->n_mits; i++)
        if (scrub_store_mitigation_delete(c->store, x->mits[i].cuid, x->mits[i].mid, err))
            return -1;
    for (size_t i = 0; i < x->n_sources; i++)
        if (scrub_store_source_delete(c->store, x->sources[i].tenant, x->sources[i].address, err))
            return -1;
    return scrub_store_client_remove(c->store, x->client.identity, err);
}

static int remove_undo(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    struct remove_ctx *x = ctx;
    if (scrub_store_client_add(c->store, &x->client, err) ||
        scrub_store_tenant_id_put(c->store, x->client.identity, x->t->id, err))
        return -1;
    for (size_t i = 0; i < x->n_mits; i++)
        if (scrub_store_mitigation_put(c->store, &x->mits[i], err))
            return -1;
    for (size_t i = 0; i < x->n_sources; i++)
        if (scrub_store_source_put(c->store, &x->sources[i], err))
            return -1;
    return 0;
}

/* After a client's removal is on the card: its cuids' data-channel records
 * and claims go too (they put nothing on the card once it is no tenant, so
 * a refusal by the card never needs them back). A failure leaves them, as
 * before, and is logged: the removal itself stands. */
static void forget_data(struct scrub_core *c, const char *identity)
{
    struct scrub_err err = {0};
    int rc = scrub_store_begin(c->store, &err);
    if (rc == 0 && (scrub_store_client_data_remove(c->store, identity, &err) || scrub_store_commit(c->store, &err))) {
        if (scrub_store_in_transaction(c->store))
            scrub_store_rollback(c->store);
        rc = -1;
    }
    if (rc || core_load(c, &err))
        fprintf(stderr, "scrubd core: client %s removed, but %s\n", identity, err.msg);
}

int scrub_core_client_remove(struct scrub_core *c, const struct scrub_actor *a, const char *identity, bool withdraw,
                             size_t *withdrawn, struct scrub_err *err)
{
    char what[300];
    *err = (struct scrub_err){0};
    snprintf(what, sizeof(what), "client remove %s%s", identity ? identity : "", withdraw ? " withdraw" : "");
    if (withdrawn)
        *withdrawn = 0;
    if (core_need_card(c, a, what, err) || core_load(c, err))
        return -1;
    const struct core_tenant *t = core_tenant(c, identity);
    size_t n_mits = 0, n_sources = 0;
    for (size_t i = 0; t && i < c->n_mits; i++)
        n_mits += strcmp(c->mits[i].identity, identity) == 0;
    for (size_t i = 0; t && i < c->n_sources; i++)
        n_sources += strcmp(c->sources[i].tenant, identity) == 0;
    if (!a->operator)
        scrub_err_set(err, EACCES, "not authorized: only the operator removes clients");
    else if (!t)
        scrub_err_set(err, ENOENT, "no client '%s' (scrubctl client list shows them)", identity ? identity : "");
    else if (t->configured)
        scrub_err_set(err, EPERM, "'%s' is a configured tenant: remove it from the configuration file and reload",
                      identity);
    else if (n_mits && !withdraw)
        scrub_err_set(err, EBUSY,
                      "client '%s' has %zu mitigations; withdraw them first, or remove the client with --withdraw "
                      "to withdraw them with it",
                      identity, n_mits);
    if (err->code)
        return core_refuse(c, a, what, err);

    struct remove_ctx x = {.t = t,
                           .client = {.identity = t->identity,
                                      .profile = t->profile_name,
                                      .quotas = t->quotas,
                                      .n_prefixes = t->n_prefixes,
                                      .created_at = time(NULL)},
                           .mits = calloc(n_mits + 1, sizeof(*x.mits)),
                           .sources = calloc(n_sources + 1, sizeof(*x.sources))};
    char(*texts)[SCRUB_PREFIX_TEXT] = calloc(t->n_prefixes + 1, sizeof(*texts));
    x.texts = calloc(t->n_prefixes + 1, sizeof(*x.texts));
    int rc = x.mits && x.sources && texts && x.texts ? 0 : scrub_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < t->n_prefixes; i++) {
        scrub_prefix_format(&t->prefixes[i], texts[i], sizeof(texts[i]));
        x.texts[i] = texts[i];
    }
    x.client.prefixes = x.texts;
    /* The records stay valid: nothing reloads c until the change is done,
     * except core_change itself, which is why the copies point into
     * memory of their own. */
    struct core_mitigation *mcopies = calloc(n_mits + 1, sizeof(*mcopies));
    struct core_source *scopies = calloc(n_sources + 1, sizeof(*scopies));
    rc = rc == 0 && mcopies && scopies ? 0 : scrub_err_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < c->n_mits; i++)
        if (strcmp(c->mits[i].identity, identity) == 0) {
            struct core_mitigation *m = &mcopies[x.n_mits];
            core_mitigation_copy(&c->mits[i], m);
            x.mits[x.n_mits++] = core_mitigation_record(m);
        }
    for (size_t i = 0; rc == 0 && i < c->n_sources; i++)
        if (strcmp(c->sources[i].tenant, identity) == 0) {
            struct core_source *s = &scopies[x.n_sources];
            s->tenant = strdup(c->sources[i].tenant);
            s->address = strdup(c->sources[i].address);
            s->policer = c->sources[i].policer ? strdup(c->sources[i].policer) : NULL;
            x.sources[x.n_sources++] = (struct scrub_store_source){.tenant = s->tenant,
                                                                   .address = s->address,
                                                                   .action = c->sources[i].action,
                                                                   .policer = s->policer,
                                                                   .updated_at = time(NULL)};
        }
    /* core_change reloads c: the tenant's strings must outlive that. */
    char *ident = strdup(t->identity), *profile = strdup(t->profile_name);
    struct core_tenant tcopy = *t;
    x.t = &tcopy;
    x.client.identity = ident;
    x.client.profile = profile;
    struct core_change ch = {.what = what, .do_it = remove_do, .undo = remove_undo, .ctx = &x};
    if (rc == 0)
        rc = core_change(c, a, &ch, err);
    if (rc == 0)
        forget_data(c, ident);
    if (rc == 0 && withdrawn)
        *withdrawn = x.n_mits;
    for (size_t i = 0; mcopies && i < x.n_mits; i++)
        core_mitigation_free_copy(&mcopies[i]);
    for (size_t i = 0; scopies && i < x.n_sources; i++) {
        free(scopies[i].tenant);
        free(scopies[i].address);
        free(scopies[i].policer);
    }
    free(mcopies);
    free(scopies);
    free(ident);
    free(profile);
    free(texts);
    free(x.texts);
    free(x.mits);
    free(x.sources);
    return rc;
}
