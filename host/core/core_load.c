/* Tenants, mitigations and sources as the configuration and the store say
 * (docs/mitigations.md): configured tenants have the ids 1..n (their
 * position), run-time clients the ids the store keeps for them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "data_acls.h"

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

long core_profile_index(const struct scrub_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_profiles; i++)
        if (strcmp(cfg->profiles[i].name, name) == 0)
            return (long)i;
    return -1;
}

long core_policer_index(const struct scrub_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_policers; i++)
        if (strcmp(cfg->policers[i].name, name) == 0)
            return (long)i;
    return -1;
}

void core_mitigation_name(const char *cuid, int64_t mid, char *buf, size_t size)
{
    snprintf(buf, size, "mitigation %s/%lld", cuid, (long long)mid);
}

char *core_scope_json(const struct scrub_prefix *p, size_t n, const char *extra)
{
    json_object *o = extra ? json_tokener_parse(extra) : json_object_new_object(), *a = json_object_new_array();
    if (!o || !json_object_is_type(o, json_type_object) || !a) {
        json_object_put(o);
        json_object_put(a);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&p[i], text, sizeof(text));
        json_object_array_add(a, json_object_new_string(text));
    }
    json_object_object_add(o, "target-prefix", a);
    char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

/* The scope's target-prefix list (other members are the DOTS layer's). */
static int parse_scope(const char *scope, struct scrub_prefix **out, size_t *n, struct scrub_err *err)
{
    json_object *o = json_tokener_parse(scope), *a = NULL;
    if (!o || !json_object_object_get_ex(o, "target-prefix", &a) || !json_object_is_type(a, json_type_array)) {
        json_object_put(o);
        return scrub_err_set(err, EILSEQ, "stored scope %.100s has no target-prefix list", scope);
    }
    size_t len = json_object_array_length(a);
    *out = calloc(len ? len : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; *out && i < len; i++) {
        const char *text = json_object_get_string(json_object_array_get_idx(a, i));
        if (!text || !scrub_prefix_parse(text, &(*out)[(*n)++])) {
            json_object_put(o);
            return scrub_err_set(err, EILSEQ, "stored scope %.100s: '%s' is not a prefix", scope, text ? text : "");
        }
    }
    json_object_put(o);
    return *out ? 0 : scrub_err_set(err, ENOMEM, "out of memory loading mitigations");
}

void core_unload(struct scrub_core *c)
{
    for (size_t i = 0; i < c->n_tenants; i++) {
        struct core_tenant *t = &c->tenants[i];
        free(t->identity);
        free(t->profile_name);
        if (!t->configured)
            free(t->prefixes);
    }
    free(c->tenants);
    for (size_t i = 0; i < c->n_mits; i++) {
        core_mitigation_free_copy(&c->mits[i]);
        free(c->mits[i].prefixes);
    }
    free(c->mits);
    for (size_t i = 0; i < c->n_sources; i++) {
        free(c->sources[i].tenant);
        free(c->sources[i].address);
        free(c->sources[i].policer);
    }
    free(c->sources);
    core_data_acls_unload(c);
    c->tenants = NULL;
    c->mits = NULL;
    c->sources = NULL;
    c->n_tenants = c->n_mits = c->n_sources = 0;
}

/* Appends one element to a growing array. */
static void *grow(void *array, size_t n, size_t size)
{
    if (n & (n - 1))
        return array; /* room up to the next power of two */
    return realloc(array, (n ? 2 * n : 1) * size);
}

struct loader {
    struct scrub_core *c;
    struct scrub_err *err;
    struct {
        char *identity;
        uint16_t id;
    } *ids;
    size_t n_ids;
};

static int on_tenant_id(void *ctx, const char *identity, uint16_t id)
{
    struct loader *l = ctx;
    void *more = grow(l->ids, l->n_ids, sizeof(*l->ids));
    if (!more)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading tenants");
    l->ids = more;
    l->ids[l->n_ids].identity = strdup(identity);
    l->ids[l->n_ids++].id = id;
    return 0;
}

static int on_client(void *ctx, const struct scrub_store_client *sc)
{
    struct loader *l = ctx;
    struct scrub_core *c = l->c;
    void *more = grow(c->tenants, c->n_tenants, sizeof(*c->tenants));
    if (!more)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading tenants");
    c->tenants = more;
    struct core_tenant *t = &c->tenants[c->n_tenants++];
    long p = core_profile_index(c->cfg, sc->profile);
    *t = (struct core_tenant){.identity = strdup(sc->identity),
                              .profile = p < 0 ? SIZE_MAX : (size_t)p,
                              .profile_name = strdup(sc->profile),
                              .has_quotas = true,
                              .quotas = sc->quotas};
    t->prefixes = calloc(sc->n_prefixes ? sc->n_prefixes : 1, sizeof(*t->prefixes));
    if (!t->identity || !t->profile_name || !t->prefixes)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading tenants");
    for (size_t i = 0; i < sc->n_prefixes; i++)
        if (!scrub_prefix_parse(sc->prefixes[i], &t->prefixes[t->n_prefixes++]))
            return scrub_err_set(l->err, EILSEQ, "client '%s': stored prefix '%s' does not parse", sc->identity,
                                 sc->prefixes[i]);
    for (size_t i = 0; i < l->n_ids; i++)
        if (strcmp(l->ids[i].identity, sc->identity) == 0)
            t->id = l->ids[i].id;
    if (!t->id)
        return scrub_err_set(l->err, EILSEQ, "client '%s' has no tenant id in the store", sc->identity);
    return 0;
}

/* The stored record sm as loaded into *m. */
static int mitigation_from_store(struct core_mitigation *m, const struct scrub_store_mitigation *sm,
                                 struct scrub_err *err)
{
    *m = (struct core_mitigation){.identity = strdup(sm->identity),
                                  .cuid = strdup(sm->cuid),
                                  .profile = strdup(sm->profile),
                                  .boot_id = strdup(sm->boot_id ? sm->boot_id : ""),
                                  .scope = strdup(sm->scope),
                                  .cdid = dup_or_null(sm->cdid),
                                  .mid = sm->mid,
                                  .lifetime = sm->lifetime,
                                  .created_at = sm->created_at,
                                  .triggered_at = sm->triggered_at,
                                  .expires_at = sm->expires_at,
                                  .expires_boottime_ms = sm->expires_boottime_ms,
                                  .terminating_s = sm->terminating_s,
                                  .by_operator = sm->by_operator,
                                  .last_drop_at = sm->last_drop_at,
                                  .displaced_by = dup_or_null(sm->displaced_by),
                                  .displaced_by_mid = sm->displaced_by_mid,
                                  .status = sm->status};
    if (!m->identity || !m->cuid || !m->profile || !m->boot_id || !m->scope || (sm->displaced_by && !m->displaced_by))
        return scrub_err_set(err, ENOMEM, "out of memory loading mitigations");
    if (parse_scope(sm->scope, &m->prefixes, &m->n_prefixes, err))
        return scrub_err_prefix(err, "mitigation %s/%lld", sm->cuid, (long long)sm->mid);
    return 0;
}

static int on_mitigation(void *ctx, const struct scrub_store_mitigation *sm)
{
    struct loader *l = ctx;
    struct scrub_core *c = l->c;
    void *more = grow(c->mits, c->n_mits, sizeof(*c->mits));
    if (!more)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading mitigations");
    c->mits = more;
    return mitigation_from_store(&c->mits[c->n_mits++], sm, l->err);
}

static int on_source(void *ctx, const struct scrub_store_source *ss)
{
    struct loader *l = ctx;
    struct scrub_core *c = l->c;
    void *more = grow(c->sources, c->n_sources, sizeof(*c->sources));
    if (!more)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading sources");
    c->sources = more;
    struct core_source *s = &c->sources[c->n_sources++];
    *s = (struct core_source){.tenant = strdup(ss->tenant),
                              .address = strdup(ss->address),
                              .policer = dup_or_null(ss->policer),
                              .action = ss->action};
    if (!s->tenant || !s->address)
        return scrub_err_set(l->err, ENOMEM, "out of memory loading sources");
    if (!scrub_addr_parse(ss->address, &s->addr))
        return scrub_err_set(l->err, EILSEQ, "stored source '%s' of '%s' does not parse", ss->address, ss->tenant);
    return 0;
}

/* CLOCK_BOOTTIME of the next lifetime's end among what is loaded. */
static void next_expiry(struct scrub_core *c)
{
    struct scrub_core_clock now;
    core_now(c, &now);
    c->next_expiry_ms = INT64_MAX;
    for (size_t i = 0; i < c->n_mits; i++) {
        int64_t left = core_remaining_ms(&c->mits[i], &now);
        if (left != INT64_MAX && now.boottime_ms + left < c->next_expiry_ms)
            c->next_expiry_ms = now.boottime_ms + left;
    }
}

int core_load(struct scrub_core *c, struct scrub_err *err)
{
    core_unload(c);
    const struct scrub_config *cfg = c->cfg;
    for (size_t i = 0; i < cfg->n_tenants; i++) {
        void *more = grow(c->tenants, c->n_tenants, sizeof(*c->tenants));
        if (!more)
            return scrub_err_set(err, ENOMEM, "out of memory loading tenants");
        c->tenants = more;
        const struct scrub_tenant *ct = &cfg->tenants[i];
        c->tenants[c->n_tenants++] = (struct core_tenant){.identity = strdup(ct->identity ? ct->identity : ct->name),
                                                          .id = (uint16_t)(i + 1),
                                                          .configured = true,
                                                          .gateway = ct->gateway,
                                                          .conflict_newest = ct->conflict_newest,
                                                          .profile = ct->profile,
                                                          .profile_name = strdup(cfg->profiles[ct->profile].name),
                                                          .prefixes = ct->prefixes,
                                                          .n_prefixes = ct->n_prefixes};
    }
    struct loader l = {.c = c, .err = err};
    int rc = scrub_store_tenant_ids_each(c->store, on_tenant_id, &l, err);
    if (rc == 0)
        rc = scrub_store_clients_each(c->store, on_client, &l, err);
    if (rc == 0)
        rc = scrub_store_mitigations_each(c->store, NULL, on_mitigation, &l, err);
    if (rc == 0)
        rc = scrub_store_sources_each(c->store, NULL, on_source, &l, err);
    if (rc == 0)
        rc = core_data_acls_load(c, err);
    for (size_t i = 0; i < l.n_ids; i++)
        free(l.ids[i].identity);
    free(l.ids);
    if (rc)
        return -1;
    next_expiry(c);
    return 0;
}

/* Where (cuid, mid) is in c->mits, or would go: they are kept in the
 * store's order, by cuid then mid. */
static size_t mitigation_place(const struct scrub_core *c, const char *cuid, int64_t mid, bool *found)
{
    size_t lo = 0, hi = c->n_mits;
    while (lo < hi) {
        size_t i = lo + (hi - lo) / 2;
        int cmp = strcmp(c->mits[i].cuid, cuid);
        if (cmp == 0)
            cmp = c->mits[i].mid < mid ? -1 : c->mits[i].mid > mid;
        if (cmp == 0) {
            *found = true;
            return i;
        }
        if (cmp < 0)
            lo = i + 1;
        else
            hi = i;
    }
    *found = false;
    return lo;
}

struct reload {
    struct scrub_core *c;
    struct core_mitigation m;
    struct scrub_err *err;
};

static int on_reloaded(void *ctx, const struct scrub_store_mitigation *sm)
{
    struct reload *r = ctx;
    return mitigation_from_store(&r->m, sm, r->err);
}

int core_reload_mitigation(struct scrub_core *c, const char *cuid, int64_t mid, struct scrub_err *err)
{
    struct reload r = {.c = c, .err = err};
    int stored = scrub_store_mitigation_get(c->store, cuid, mid, on_reloaded, &r, err);
    if (stored < 0) {
        core_mitigation_free_copy(&r.m);
        free(r.m.prefixes);
        return -1;
    }
    bool found;
    size_t i = mitigation_place(c, cuid, mid, &found);
    if (found) {
        core_mitigation_free_copy(&c->mits[i]);
        free(c->mits[i].prefixes);
        if (stored) {
            c->mits[i] = r.m;
        } else {
            memmove(&c->mits[i], &c->mits[i + 1], (c->n_mits - i - 1) * sizeof(*c->mits));
            c->n_mits--;
        }
    } else if (stored) {
        void *more = grow(c->mits, c->n_mits, sizeof(*c->mits));
        if (!more) {
            core_mitigation_free_copy(&r.m);
            free(r.m.prefixes);
            return scrub_err_set(err, ENOMEM, "out of memory loading mitigations");
        }
        c->mits = more;
        memmove(&c->mits[i + 1], &c->mits[i], (c->n_mits - i) * sizeof(*c->mits));
        c->mits[i] = r.m;
        c->n_mits++;
    }
    next_expiry(c);
    return 0;
}

const struct core_tenant *core_tenant(const struct scrub_core *c, const char *identity)
{
    for (size_t i = 0; identity && i < c->n_tenants; i++)
        if (strcmp(c->tenants[i].identity, identity) == 0)
            return &c->tenants[i];
    return NULL;
}

struct core_mitigation *core_mitigation(const struct scrub_core *c, const char *cuid, int64_t mid)
{
    bool found = false;
    size_t i = cuid ? mitigation_place(c, cuid, mid, &found) : 0;
    return found ? &c->mits[i] : NULL;
}
