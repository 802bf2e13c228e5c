/* The data channel's aliases (RFC 8783): named sets of targets of a
 * registered dots-client, checked against the owner's prefixes and its
 * quota, kept in the store with their audit record, read back for the
 * data channel's GET and the signal channel's alias-name. They never reach
 * the card, so a change is one store transaction and no sync. The API is
 * in scrub_core.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "data_acls.h"

/* ---- reading an alias's JSON ---------------------------------------------------------- */

struct alias_parsed {
    json_object *json; /* owns the strings below */
    const char *name;
    struct scrub_prefix *prefixes;
    size_t n_prefixes, n_fqdns, n_uris;
};

static void alias_parsed_free(struct alias_parsed *p)
{
    json_object_put(p->json);
    free(p->prefixes);
    *p = (struct alias_parsed){0};
}

static const char *local(const char *name)
{
    const char *colon = strchr(name, ':');
    return colon ? colon + 1 : name;
}

static bool is_uint(json_object *v, int64_t max)
{
    return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 && json_object_get_int64(v) <= max;
}

static int bad(struct scrub_err *err, const char *alias, const char *member, const char *what)
{
    return scrub_err_set(err, EINVAL, "alias '%s': %s: %s", alias, member, what);
}

/* One port range: lower-port, and upper-port not below it. */
static int read_range(json_object *range, const char *alias, struct scrub_err *err)
{
    json_object *lower = NULL, *upper = NULL;
    if (!json_object_is_type(range, json_type_object))
        return bad(err, alias, "target-port-range", "an entry is not an object");
    json_object_object_foreach(range, key, val)
    {
        if (strcmp(local(key), "lower-port") == 0)
            lower = val;
        else if (strcmp(local(key), "upper-port") == 0)
            upper = val;
        else
            return bad(err, alias, "target-port-range", "an entry holds other than lower-port and upper-port");
    }
    if (!lower || !is_uint(lower, 65535) || (upper && !is_uint(upper, 65535)))
        return bad(err, alias, "target-port-range", "lower-port (and upper-port) are port numbers");
    if (upper && json_object_get_int64(upper) < json_object_get_int64(lower))
        return bad(err, alias, "target-port-range", "upper-port is below lower-port");
    return 0;
}

/* The alias's members, as the data channel validated them (stored bodies
 * are read here too, so what is used is checked). */
static int alias_parse(const char *body, struct alias_parsed *p, struct scrub_err *err)
{
    *p = (struct alias_parsed){.json = json_tokener_parse(body)};
    json_object *name = NULL;
    if (!p->json || !json_object_is_type(p->json, json_type_object)) {
        alias_parsed_free(p);
        return scrub_err_set(err, EINVAL, "an alias is not a JSON object");
    }
    json_object_object_foreach(p->json, k, v) if (strcmp(local(k), "name") == 0) name = v;
    if (!name || !json_object_is_type(name, json_type_string) || !*json_object_get_string(name)) {
        alias_parsed_free(p);
        return scrub_err_set(err, EINVAL, "an alias has no name");
    }
    p->name = json_object_get_string(name);
    int rc = 0;
    json_object_object_foreach(p->json, key, val)
    {
        const char *m = local(key);
        size_t n = json_object_is_type(val, json_type_array) ? json_object_array_length(val) : 0;
        if (strcmp(m, "name") == 0)
            continue;
        if (!json_object_is_type(val, json_type_array)) {
            rc = bad(err, p->name, m, "not a list");
        } else if (strcmp(m, "target-prefix") == 0) {
            p->prefixes = calloc(n ? n : 1, sizeof(*p->prefixes));
            if (!p->prefixes)
                rc = scrub_err_set(err, ENOMEM, "out of memory reading alias '%s'", p->name);
            for (size_t i = 0; rc == 0 && i < n; i++) {
                json_object *e = json_object_array_get_idx(val, i);
                if (!json_object_is_type(e, json_type_string) ||
                    !scrub_prefix_parse(json_object_get_string(e), &p->prefixes[p->n_prefixes++]))
                    rc = scrub_err_set(err, EINVAL, "alias '%s': target-prefix '%s' is not a prefix", p->name,
                                       json_object_get_string(e));
            }
        } else if (strcmp(m, "target-port-range") == 0) {
            for (size_t i = 0; rc == 0 && i < n; i++)
                rc = read_range(json_object_array_get_idx(val, i), p->name, err);
        } else if (strcmp(m, "target-protocol") == 0) {
            for (size_t i = 0; rc == 0 && i < n; i++)
                if (!is_uint(json_object_array_get_idx(val, i), 255))
                    rc = bad(err, p->name, m, "a protocol is a number of 0..255");
        } else if (strcmp(m, "target-fqdn") == 0 || strcmp(m, "target-uri") == 0) {
            for (size_t i = 0; rc == 0 && i < n; i++)
                if (!json_object_is_type(json_object_array_get_idx(val, i), json_type_string))
                    rc = bad(err, p->name, m, "an entry is not a string");
            *(strcmp(m, "target-fqdn") == 0 ? &p->n_fqdns : &p->n_uris) += n;
        } else {
            rc = bad(err, p->name, m, "not a member of an alias");
        }
        if (rc)
            break;
    }
    if (rc == 0 && p->n_prefixes + p->n_fqdns + p->n_uris == 0)
        rc = scrub_err_set(err, EINVAL, "alias '%s' names no target-prefix, target-fqdn or target-uri", p->name);
    if (rc)
        alias_parsed_free(p);
    return rc;
}

/* ---- the stored aliases of a cuid ----------------------------------------------------- */

struct stored {
    char *cuid, *name, *body;
    int64_t expires_at;
};

struct stored_list {
    struct stored *v;
    size_t n, cap;
    bool oom;
};

static int collect(void *ctx, const struct scrub_store_alias *a)
{
    struct stored_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        struct stored *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            l->oom = true;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    struct stored *s = &l->v[l->n];
    *s = (struct stored){strdup(a->cuid), strdup(a->name), strdup(a->body), a->expires_at};
    l->n++;
    if (!s->cuid || !s->name || !s->body) {
        l->oom = true;
        return 1;
    }
    return 0;
}

static void stored_free(struct stored_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].cuid);
        free(l->v[i].name);
        free(l->v[i].body);
    }
    free(l->v);
    *l = (struct stored_list){0};
}

/* The aliases of cuid (NULL: all) as stored, copied (the store's
 * callbacks may not call it again). */
static int load(struct scrub_core *c, const char *cuid, struct stored_list *l, struct scrub_err *err)
{
    *l = (struct stored_list){0};
    int rc = scrub_store_aliases_each(c->store, cuid, collect, l, err);
    if (rc == 0 && l->oom)
        rc = scrub_err_set(err, ENOMEM, "out of memory reading aliases");
    if (rc)
        stored_free(l);
    return rc ? -1 : 0;
}

static const struct stored *find(const struct stored_list *l, const char *cuid, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].cuid, cuid) == 0 && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static int count_cuid(void *ctx, const struct scrub_store_data_client *dc)
{
    struct stored_list *cuids = ctx;
    struct scrub_store_alias a = {.cuid = dc->cuid, .name = "", .body = ""};
    return collect(cuids, &a);
}

/* Aliases the identity has over all its registered cuids. */
static int aliases_of(struct scrub_core *c, const char *identity, size_t *n, struct scrub_err *err)
{
    struct stored_list cuids = {0};
    *n = 0;
    int rc = scrub_store_data_clients_each(c->store, identity, count_cuid, &cuids, err);
    if (rc == 0 && cuids.oom)
        rc = scrub_err_set(err, ENOMEM, "out of memory counting aliases");
    for (size_t i = 0; rc == 0 && i < cuids.n; i++) {
        struct stored_list l;
        if ((rc = load(c, cuids.v[i].cuid, &l, err)) == 0)
            *n += l.n;
        stored_free(&l);
    }
    stored_free(&cuids);
    return rc ? -1 : 0;
}

/* ---- put, delete, expire -------------------------------------------------------------- */

/* Every target-prefix the tenant's (core_owns). */
static int check_targets(const struct scrub_core *c, const struct core_tenant *t, const struct alias_parsed *p,
                         struct scrub_err *err)
{
    char what[200];
    snprintf(what, sizeof(what), "alias '%s': target-prefix ", p->name);
    for (size_t i = 0; i < p->n_prefixes; i++)
        if (core_owns(c, t, &p->prefixes[i], what, err))
            return -1;
    return 0;
}

/* Reads and checks the request's aliases: names into names[], how many
 * exist already into *existing. */
static int check_request(struct scrub_core *c, const struct core_tenant *t, const struct scrub_data_aliases_req *r,
                         char **names, size_t *existing, struct scrub_err *err)
{
    struct stored_list mine;
    if (load(c, r->cuid, &mine, err))
        return -1;
    int rc = r->n_aliases ? 0 : scrub_err_set(err, EINVAL, "no alias in the request");
    *existing = 0;
    for (size_t i = 0; rc == 0 && i < r->n_aliases; i++) {
        struct alias_parsed p;
        if ((rc = alias_parse(r->aliases[i], &p, err)))
            break;
        if (!(names[i] = strdup(p.name)))
            rc = scrub_err_set(err, ENOMEM, "out of memory");
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (strcmp(names[k], names[i]) == 0)
                rc = scrub_err_set(err, EINVAL, "alias '%s' is twice in the request", names[i]);
        if (rc == 0)
            rc = check_targets(c, t, &p, err);
        bool exists = find(&mine, r->cuid, p.name) != NULL;
        if (rc == 0 && exists && r->create)
            rc = scrub_err_set(err, EEXIST, "alias '%s' of dots-client '%s' exists already", p.name, r->cuid);
        *existing += exists;
        alias_parsed_free(&p);
    }
    stored_free(&mine);
    size_t used = 0, adding = r->n_aliases - *existing;
    if (rc == 0 && t->has_quotas && adding && (rc = aliases_of(c, t->identity, &used, err)) == 0 &&
        used + adding > t->quotas.aliases)
        rc = scrub_err_set(err, EDQUOT, "quota: client '%s' may have %u aliases and has %zu; these add %zu, room left %zu",
                           t->identity, t->quotas.aliases, used, adding,
                           used < t->quotas.aliases ? t->quotas.aliases - used : 0);
    return rc;
}

static void append_names(char *what, size_t size, char *const *names, size_t n)
{
    for (size_t i = 0; i < n && names[i]; i++) {
        size_t len = strlen(what);
        if (len < size - 80)
            snprintf(what + len, size - len, "%s%s", i ? "," : " names=", names[i]);
    }
}

/* Writes inside a transaction of its own, with the audit record. */
static int commit(struct scrub_core *c, const struct scrub_actor *a, const char *what,
                  int (*write)(struct scrub_core *c, void *ctx, struct scrub_err *err), void *ctx,
                  struct scrub_err *err)
{
    if (scrub_store_begin(c->store, err) || write(c, ctx, err) || core_audit(c, a, what, "ok", err) ||
        scrub_store_commit(c->store, err)) {
        if (scrub_store_in_transaction(c->store))
            scrub_store_rollback(c->store);
        return -1;
    }
    return 0;
}

struct put_ctx {
    const struct scrub_data_aliases_req *r;
    char **names;
    int64_t expires_at, now;
};

static int write_put(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    const struct put_ctx *x = ctx;
    for (size_t i = 0; i < x->r->n_aliases; i++) {
        struct scrub_store_alias s = {.cuid = x->r->cuid, .name = x->names[i], .body = x->r->aliases[i],
                                      .expires_at = x->expires_at, .updated_at = x->now};
        if (scrub_store_alias_put(c->store, &s, err))
            return -1;
    }
    return 0;
}

/* Refuses inside a group commit: aliases are not among its changes. */
static int outside_group(struct scrub_core *c, struct scrub_err *err)
{
    if (!c->group.open)
        return 0;
    return scrub_err_set(err, EINVAL, "aliases are not changed inside a group commit");
}

int scrub_core_data_aliases_put(struct scrub_core *c, const struct scrub_actor *a,
                                const struct scrub_data_aliases_req *r, struct scrub_data_aliases_result *res,
                                struct scrub_err *err)
{
    *err = (struct scrub_err){0};
    if (res)
        *res = (struct scrub_data_aliases_result){0};
    if (!c->cfg)
        return scrub_err_set(err, EINVAL, "the core has no configuration yet");
    if (outside_group(c, err) || core_load(c, err))
        return -1;
    char what[600];
    snprintf(what, sizeof(what), "data-channel alias %s cuid=%s aliases=%zu", r->create ? "create" : "put",
             r->cuid ? r->cuid : "", r->n_aliases);
    char **names = calloc(r->n_aliases ? r->n_aliases : 1, sizeof(*names));
    if (!names)
        return scrub_err_set(err, ENOMEM, "out of memory");
    size_t existing = 0;
    const struct core_tenant *t = core_data_owner(c, a, r->cuid, err);
    int rc = t ? check_request(c, t, r, names, &existing, err) : -1;
    append_names(what, sizeof(what), names, r->n_aliases);
    if (rc) {
        core_refuse(c, a, what, err);
    } else {
        struct scrub_core_clock now;
        core_now(c, &now);
        struct put_ctx x = {r, names, now.wall_s + SCRUB_DATA_ALIAS_LIFETIME_S, now.wall_s};
        rc = commit(c, a, what, write_put, &x, err);
        if (rc == 0 && res)
            *res = (struct scrub_data_aliases_result){r->n_aliases - existing, existing};
    }
    for (size_t i = 0; i < r->n_aliases; i++)
        free(names[i]);
    free(names);
    return rc;
}

struct delete_ctx {
    const struct stored_list *l;
    const char *name; /* NULL: every alias of l */
};

static int write_delete(struct scrub_core *c, void *ctx, struct scrub_err *err)
{
    const struct delete_ctx *x = ctx;
    for (size_t i = 0; i < x->l->n; i++) {
        const struct stored *s = &x->l->v[i];
        if (x->name && strcmp(s->name, x->name) != 0)
            continue;
        if (scrub_store_alias_delete(c->store, s->cuid, s->name, err))
            return -1;
    }
    return 0;
}

int scrub_core_data_alias_delete(struct scrub_core *c, const struct scrub_actor *a, const char *cuid,
                                 const char *name, struct scrub_err *err)
{
    *err = (struct scrub_err){0};
    if (!c->cfg)
        return scrub_err_set(err, EINVAL, "the core has no configuration yet");
    if (outside_group(c, err) || core_load(c, err))
        return -1;
    char what[400];
    snprintf(what, sizeof(what), "data-channel alias delete cuid=%s name=%s", cuid ? cuid : "", name ? name : "(all)");
    if (!core_data_owner(c, a, cuid, err))
        return core_refuse(c, a, what, err);
    struct stored_list l;
    if (load(c, cuid, &l, err))
        return -1;
    int rc = 0;
    if (name && !find(&l, cuid, name)) {
        scrub_err_set(err, ENOENT, "no alias '%s' of dots-client '%s'", name, cuid);
        rc = core_refuse(c, a, what, err);
    } else if (l.n) {
        struct delete_ctx x = {&l, name};
        rc = commit(c, a, what, write_delete, &x, err);
    }
    stored_free(&l);
    return rc;
}

int scrub_core_data_aliases_expire(struct scrub_core *c, struct scrub_err *err)
{
    static const struct scrub_actor daemon = {SCRUB_STORE_WHO_DAEMON, "scrubd", SCRUB_STORE_CHANNEL_DATA, true};
    *err = (struct scrub_err){0};
    if (c->group.open)
        return 0;
    struct stored_list all, ended = {0};
    if (load(c, NULL, &all, err))
        return -1;
    struct scrub_core_clock now;
    core_now(c, &now);
    char what[600] = "data-channel alias expired";
    for (size_t i = 0; i < all.n; i++) {
        const struct stored *s = &all.v[i];
        if (!s->expires_at || s->expires_at > now.wall_s)
            continue;
        struct scrub_store_alias key = {.cuid = s->cuid, .name = s->name, .body = ""};
        collect(&ended, &key);
        size_t len = strlen(what);
        if (len < sizeof(what) - 80)
            snprintf(what + len, sizeof(what) - len, " %s/%s", s->cuid, s->name);
    }
    int rc = ended.oom ? scrub_err_set(err, ENOMEM, "out of memory expiring aliases") : 0;
    struct delete_ctx x = {&ended, NULL};
    if (rc == 0 && ended.n)
        rc = commit(c, &daemon, what, write_delete, &x, err);
    size_t n = ended.n;
    stored_free(&all);
    stored_free(&ended);
    return rc ? -1 : (int)n;
}

/* ---- listing -------------------------------------------------------------------------- */

int scrub_core_data_aliases_each(struct scrub_core *c, const char *identity, const char *cuid, const char *name,
                                 scrub_data_alias_fn fn, void *ctx, struct scrub_err *err)
{
    if (identity) {
        char owner[256];
        int found = scrub_store_cuid_owner(c->store, cuid, owner, sizeof(owner), err);
        if (found <= 0 || strcmp(owner, identity) != 0)
            return found < 0 ? -1 : 0;
    }
    struct stored_list l;
    if (load(c, cuid, &l, err))
        return -1;
    struct scrub_core_clock now;
    core_now(c, &now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const struct stored *s = &l.v[i];
        if ((name && strcmp(s->name, name) != 0) || (s->expires_at && s->expires_at <= now.wall_s))
            continue;
        struct alias_parsed p;
        if (alias_parse(s->body, &p, err)) {
            rc = scrub_err_prefix(err, "the stored alias '%s' of cuid '%s'", s->name, s->cuid);
            break;
        }
        struct scrub_data_alias_view v = {.cuid = s->cuid,
                                          .name = s->name,
                                          .body = s->body,
                                          .pending_lifetime_s = s->expires_at ? s->expires_at - now.wall_s : -1,
                                          .prefixes = p.prefixes,
                                          .n_prefixes = p.n_prefixes,
                                          .n_fqdns = p.n_fqdns,
                                          .n_uris = p.n_uris};
        rc = fn(ctx, &v);
        alias_parsed_free(&p);
    }
    stored_free(&l);
    return rc;
}
