#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "requests_core.h"

/* Quotas of a client added without naming them. */
static const struct scrub_store_quotas DEFAULT_QUOTAS = {16, 256, 1024, 64, 4};
/* A mitigation's lifetime when the request names none (RFC 9132's default). */
#define DEFAULT_LIFETIME_S 3600

struct args {
    const char *command;
    json_object *req;
    char error[512];
};

static int bad(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct args *a, const char *fmt, ...)
{
    if (a->error[0])
        return -1;
    int n = snprintf(a->error, sizeof(a->error), "%s: ", a->command);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->error + n, sizeof(a->error) - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Refuses members the command does not take (allowed: a comma-separated list). */
static int only(struct args *a, const char *allowed)
{
    json_object_object_foreach(a->req, key, val)
    {
        (void)val;
        if (strcmp(key, "command") == 0)
            continue;
        char pat[64];
        snprintf(pat, sizeof(pat), ",%s,", key);
        char list[300];
        snprintf(list, sizeof(list), ",%s,", allowed);
        if (!strstr(list, pat))
            return bad(a, "unknown member \"%.40s\" (it takes: %s)", key, *allowed ? allowed : "nothing");
    }
    return 0;
}

static const char *str(struct args *a, const char *key, bool required)
{
    json_object *v;
    if (!json_object_object_get_ex(a->req, key, &v)) {
        if (required)
            bad(a, "the member \"%s\" is missing", key);
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        bad(a, "\"%s\" must be a string", key);
        return NULL;
    }
    return json_object_get_string(v);
}

static int64_t num(struct args *a, const char *key, int64_t def, int64_t lo, int64_t hi)
{
    json_object *v;
    if (!json_object_object_get_ex(a->req, key, &v))
        return def;
    if (!json_object_is_type(v, json_type_int)) {
        bad(a, "\"%s\" must be an integer", key);
        return def;
    }
    int64_t n = json_object_get_int64(v);
    if (n < lo || n > hi) {
        bad(a, "\"%s\" %lld is out of range (%lld..%lld)", key, (long long)n, (long long)lo, (long long)hi);
        return def;
    }
    return n;
}

static bool flag(struct args *a, const char *key, bool def)
{
    json_object *v;
    if (!json_object_object_get_ex(a->req, key, &v))
        return def;
    if (!json_object_is_type(v, json_type_boolean)) {
        bad(a, "\"%s\" must be true or false", key);
        return def;
    }
    return json_object_get_boolean(v);
}

/* A list of prefixes; malloc'ed, *n set. */
static struct scrub_prefix *prefixes(struct args *a, const char *key, size_t *n)
{
    json_object *v;
    *n = 0;
    if (!json_object_object_get_ex(a->req, key, &v) || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0) {
        bad(a, "\"%s\" must be a non-empty list of prefixes, e.g. [\"198.51.100.0/26\"]", key);
        return NULL;
    }
    size_t len = json_object_array_length(v);
    struct scrub_prefix *p = calloc(len, sizeof(*p));
    for (size_t i = 0; p && i < len; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        const char *text = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
        if (!text || !scrub_prefix_parse(text, &p[i])) {
            bad(a, "\"%s\"[%zu] %.60s is not a prefix such as 198.51.100.0/26 or 2001:db8::/48", key, i,
                text ? text : "(not a string)");
            free(p);
            return NULL;
        }
    }
    *n = len;
    return p;
}

static struct scrub_actor actor(const struct peer *p)
{
    return (struct scrub_actor){SCRUB_STORE_WHO_LOCAL_USER, p->who, SCRUB_STORE_CHANNEL_CONTROL, true};
}

static char *failed(struct args *a, const struct scrub_err *err)
{
    if (a->error[0])
        return request_error(a->error);
    return request_error(err->msg);
}

/* ---- JSON of core views ---------------------------------------------------------------- */

static json_object *prefix_array(const struct scrub_prefix *p, size_t n)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&p[i], text, sizeof(text));
        json_object_array_add(arr, json_object_new_string(text));
    }
    return arr;
}

static json_object *pair(const struct scrub_counter *c, bool rates, double pps, double bps)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "packets", json_object_new_uint64(c->packets));
    json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
    json_object_object_add(o, "pps", rates ? json_object_new_double(pps) : NULL);
    json_object_object_add(o, "bps", rates ? json_object_new_double(bps) : NULL);
    return o;
}

static json_object *traffic_json(const struct scrub_traffic *t, bool rates)
{
    json_object *o = json_object_new_object();
    bool r = rates && t->rates_known;
    json_object_object_add(o, "offered", pair(&t->offered, r, t->offered_pps, t->offered_bps));
    json_object_object_add(o, "dropped", pair(&t->dropped, r, t->dropped_pps, t->dropped_bps));
    return o;
}


static int mitigation_json(void *ctx, const struct scrub_mitigation_view *m)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "client", json_object_new_string(m->identity));
    json_object_object_add(o, "cuid", json_object_new_string(m->cuid));
    if (m->cdid)
        json_object_object_add(o, "cdid", json_object_new_string(m->cdid));
    json_object_object_add(o, "mid", json_object_new_int64(m->mid));
    json_object_object_add(o, "status", json_object_new_string(scrub_store_status_name(m->status)));
    if (m->displaced_by) {
        char by[300];
        snprintf(by, sizeof(by), "%s/%lld", m->displaced_by, (long long)m->displaced_by_mid);
        json_object_object_add(o, "displaced_by", json_object_new_string(by));
    }
    json_object_object_add(o, "profile", json_object_new_string(m->profile));
    json_object_object_add(o, "prefixes", prefix_array(m->prefixes, m->n_prefixes));
    json_object_object_add(o, "lifetime", json_object_new_int64(m->lifetime));
    json_object_object_add(o, "remaining_s", json_object_new_int64(m->remaining_s));
    json_object_object_add(o, "created_at", json_object_new_int64(m->created_at));
    json_object_object_add(o, "triggered_at", m->triggered_at ? json_object_new_int64(m->triggered_at) : NULL);
    json_object_object_add(o, "expires_at", m->expires_at ? json_object_new_int64(m->expires_at) : NULL);
    json_object_object_add(o, "installed", json_object_new_boolean(m->installed));
    json_object_object_add(o, "traffic", traffic_json(&m->traffic, true));
    json_object_array_add(ctx, o);
    return 0;
}

/* ---- mitigations ------------------------------------------------------------------------ */

static char *mitigation_add(struct scrubd *d, const struct peer *p, struct args *a)
{
    size_t n = 0;
    struct scrub_prefix *pfx = NULL;
    if (only(a, "client,prefixes,cuid,mid,profile,lifetime,trigger") == 0)
        pfx = prefixes(a, "prefixes", &n);
    const char *client = str(a, "client", true);
    char cuid[300];
    const char *given = str(a, "cuid", false);
    snprintf(cuid, sizeof(cuid), "%s", given ? given : "");
    if (!given && client)
        snprintf(cuid, sizeof(cuid), "scrubctl-%s", client); /* the operator's cuid for this client */
    struct scrub_mitigation_req r = {.identity = client,
                                     .cuid = cuid,
                                     .mid = num(a, "mid", -1, 0, 4294967295ll),
                                     .prefixes = pfx,
                                     .n_prefixes = n,
                                     .profile = str(a, "profile", false),
                                     .lifetime = num(a, "lifetime", DEFAULT_LIFETIME_S, -1, INT32_MAX),
                                     .trigger = flag(a, "trigger", true)};
    struct scrub_err err = {0};
    struct scrub_actor who = actor(p);
    struct scrub_mitigation_granted g;
    int rc = a->error[0] ? -1 : scrub_core_mitigation_put(d->core, &who, &r, &g, &err);
    free(pfx);
    if (rc) {
        if (!a->error[0])
            log_info("control: %s: mitigation refused: %s", p->who, err.msg);
        return failed(a, &err);
    }
    log_info("control: %s: mitigation %s/%lld %s for %s (lifetime %lld)", p->who, cuid, (long long)g.mid,
             g.created ? "created" : "updated", client, (long long)g.lifetime);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "client", json_object_new_string(client));
    json_object_object_add(o, "cuid", json_object_new_string(cuid));
    json_object_object_add(o, "mid", json_object_new_int64(g.mid));
    json_object_object_add(o, "lifetime", json_object_new_int64(g.lifetime));
    json_object_object_add(o, "created", json_object_new_boolean(g.created));
    return request_ok(o);
}

static char *mitigation_withdraw(struct scrubd *d, const struct peer *p, struct args *a)
{
    only(a, "cuid,mid");
    const char *cuid = str(a, "cuid", true);
    int64_t mid = num(a, "mid", -1, 0, 4294967295ll);
    if (!a->error[0] && mid < 0)
        bad(a, "the member \"mid\" is missing");
    struct scrub_err err = {0};
    struct scrub_actor who = actor(p);
    struct scrub_traffic final = {0};
    if (a->error[0] || scrub_core_mitigation_withdraw(d->core, &who, cuid, mid, &final, &err))
        return failed(a, &err);
    log_info("control: %s: mitigation %s/%lld withdrawn", p->who, cuid, (long long)mid);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "cuid", json_object_new_string(cuid));
    json_object_object_add(o, "mid", json_object_new_int64(mid));
    json_object_object_add(o, "final", traffic_json(&final, false));
    return request_ok(o);
}

struct show_ctx {
    const char *cuid;
    int64_t mid;
    json_object *arr;
};

static int show_one(void *ctx, const struct scrub_mitigation_view *m)
{
    struct show_ctx *s = ctx;
    if (m->mid == s->mid && strcmp(m->cuid, s->cuid) == 0)
        mitigation_json(s->arr, m);
    return 0;
}

static char *mitigation_list(struct scrubd *d, struct args *a, bool one)
{
    only(a, one ? "cuid,mid" : "client");
    const char *client = one ? NULL : str(a, "client", false);
    struct show_ctx s = {.cuid = one ? str(a, "cuid", true) : NULL, .mid = one ? num(a, "mid", -1, 0, 4294967295ll) : 0};
    if (one && !a->error[0] && s.mid < 0)
        bad(a, "the member \"mid\" is missing");
    struct scrub_err err = {0};
    if (a->error[0])
        return failed(a, &err);
    s.arr = json_object_new_array();
    bool traffic = d->hal != NULL;
    if (scrub_core_mitigations_each(d->core, client, traffic, one ? show_one : mitigation_json, one ? (void *)&s
                                                                                                   : (void *)s.arr,
                                    &err)) {
        json_object_put(s.arr);
        return failed(a, &err);
    }
    if (one && json_object_array_length(s.arr) == 0) {
        json_object_put(s.arr);
        snprintf(err.msg, sizeof(err.msg), "no mitigation %s/%lld (scrubctl mitigation list shows them)", s.cuid,
                 (long long)s.mid);
        return request_error(err.msg);
    }
    if (one) {
        json_object *m = json_object_get(json_object_array_get_idx(s.arr, 0));
        json_object_put(s.arr);
        return request_ok(m);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "mitigations", s.arr);
    json_object_object_add(o, "counters", json_object_new_boolean(traffic));
    return request_ok(o);
}

/* ---- clients ------------------------------------------------------------------------------ */

static char *client_add(struct scrubd *d, const struct peer *p, struct args *a)
{
    size_t n = 0;
    struct scrub_prefix *pfx = NULL;
    if (only(a, "client,prefixes,profile,quotas") == 0)
        pfx = prefixes(a, "prefixes", &n);
    struct scrub_client_req r = {.identity = str(a, "client", true),
                                 .profile = str(a, "profile", true),
                                 .quotas = DEFAULT_QUOTAS,
                                 .prefixes = pfx,
                                 .n_prefixes = n};
    json_object *q;
    if (json_object_object_get_ex(a->req, "quotas", &q)) {
        if (!json_object_is_type(q, json_type_object)) {
            bad(a, "\"quotas\" must be an object such as {\"mitigations\": 4}");
        } else {
            struct args qa = {.command = a->command, .req = q};
            only(&qa, "mitigations,acl_entries,source_entries,aliases,sessions");
            r.quotas.mitigations = (uint32_t)num(&qa, "mitigations", r.quotas.mitigations, 0, UINT32_MAX);
            r.quotas.acl_entries = (uint32_t)num(&qa, "acl_entries", r.quotas.acl_entries, 0, UINT32_MAX);
            r.quotas.source_entries = (uint32_t)num(&qa, "source_entries", r.quotas.source_entries, 0, UINT32_MAX);
            r.quotas.aliases = (uint32_t)num(&qa, "aliases", r.quotas.aliases, 0, UINT32_MAX);
            r.quotas.sessions = (uint32_t)num(&qa, "sessions", r.quotas.sessions, 0, UINT32_MAX);
            if (qa.error[0])
                snprintf(a->error, sizeof(a->error), "%s", qa.error);
        }
    }
    struct scrub_err err = {0};
    struct scrub_actor who = actor(p);
    int rc = a->error[0] ? -1 : scrub_core_client_add(d->core, &who, &r, &err);
    free(pfx);
    if (rc)
        return failed(a, &err);
    log_info("control: %s: client %s added", p->who, r.identity);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "client", json_object_new_string(r.identity));
    return request_ok(o);
}

static char *client_remove(struct scrubd *d, const struct peer *p, struct args *a)
{
    only(a, "client,withdraw");
    const char *client = str(a, "client", true);
    bool withdraw = flag(a, "withdraw", false);
    struct scrub_err err = {0};
    struct scrub_actor who = actor(p);
    size_t withdrawn = 0;
    if (a->error[0] || scrub_core_client_remove(d->core, &who, client, withdraw, &withdrawn, &err))
        return failed(a, &err);
    log_info("control: %s: client %s removed (%zu mitigations withdrawn)", p->who, client, withdrawn);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "client", json_object_new_string(client));
    json_object_object_add(o, "withdrawn", json_object_new_int64((int64_t)withdrawn));
    return request_ok(o);
}

static int tenant_json(void *ctx, const struct scrub_tenant_view *t)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "client", json_object_new_string(t->identity));
    json_object_object_add(o, "tenant_id", json_object_new_int64(t->tenant_id));
    json_object_object_add(o, "origin", json_object_new_string(t->configured ? "configuration" : "run-time"));
    json_object_object_add(o, "profile", json_object_new_string(t->profile));
    json_object_object_add(o, "prefixes", prefix_array(t->prefixes, t->n_prefixes));
    json_object *q = NULL;
    if (t->has_quotas) {
        q = json_object_new_object();
        json_object_object_add(q, "mitigations", json_object_new_int64(t->quotas.mitigations));
        json_object_object_add(q, "acl_entries", json_object_new_int64(t->quotas.acl_entries));
        json_object_object_add(q, "source_entries", json_object_new_int64(t->quotas.source_entries));
        json_object_object_add(q, "aliases", json_object_new_int64(t->quotas.aliases));
        json_object_object_add(q, "sessions", json_object_new_int64(t->quotas.sessions));
    }
    json_object_object_add(o, "quotas", q);
    json_object_object_add(o, "mitigations", json_object_new_int64(t->mitigations));
    json_object_object_add(o, "sources", json_object_new_int64(t->sources));
    json_object_array_add(ctx, o);
    return 0;
}

static char *client_list(struct scrubd *d, struct args *a)
{
    struct scrub_err err = {0};
    if (only(a, ""))
        return failed(a, &err);
    json_object *arr = json_object_new_array();
    if (scrub_core_tenants_each(d->core, tenant_json, arr, &err)) {
        json_object_put(arr);
        return failed(a, &err);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "clients", arr);
    return request_ok(o);
}

/* ---- sources ------------------------------------------------------------------------------ */

static char *source_change(struct scrubd *d, const struct peer *p, struct args *a, bool add)
{
    only(a, add ? "tenant,address,action,policer" : "tenant,address");
    const char *tenant = str(a, "tenant", true), *address = str(a, "address", true);
    struct scrub_source_req r = {.tenant = tenant, .policer = add ? str(a, "policer", false) : NULL};
    if (address && !scrub_addr_parse(address, &r.addr))
        bad(a, "\"address\" %.60s is not an IPv4 or IPv6 address", address);
    if (add) {
        const char *action = str(a, "action", true);
        if (action && strcmp(action, "accept") == 0)
            r.action = SCRUB_STORE_SOURCE_ACCEPT;
        else if (action && strcmp(action, "drop") == 0)
            r.action = SCRUB_STORE_SOURCE_DROP;
        else if (action && strcmp(action, "police") == 0)
            r.action = SCRUB_STORE_SOURCE_POLICE;
        else if (action)
            bad(a, "\"action\" %.40s: one of accept, drop, police", action);
    }
    struct scrub_err err = {0};
    struct scrub_actor who = actor(p);
    if (a->error[0] || (add ? scrub_core_source_put(d->core, &who, &r, &err)
                            : scrub_core_source_remove(d->core, &who, tenant, &r.addr, &err)))
        return failed(a, &err);
    log_info("control: %s: source %s of %s %s", p->who, address, tenant, add ? "set" : "removed");
    json_object *o = json_object_new_object();
    json_object_object_add(o, "tenant", json_object_new_string(tenant));
    json_object_object_add(o, "address", json_object_new_string(address));
    return request_ok(o);
}

static int source_json(void *ctx, const struct scrub_store_source *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "tenant", json_object_new_string(s->tenant));
    json_object_object_add(o, "address", json_object_new_string(s->address));
    json_object_object_add(o, "action", json_object_new_string(scrub_store_source_action_name(s->action)));
    json_object_object_add(o, "policer", s->policer ? json_object_new_string(s->policer) : NULL);
    json_object_object_add(o, "origin", json_object_new_string("run-time"));
    json_object_array_add(ctx, o);
    return 0;
}

static char *source_list(struct scrubd *d, struct args *a)
{
    struct scrub_err err = {0};
    only(a, "tenant");
    const char *tenant = str(a, "tenant", false);
    if (a->error[0])
        return failed(a, &err);
    static const char *const actions[] = {"accept", "drop", "police"};
    json_object *arr = json_object_new_array();
    for (size_t t = 0; t < d->cfg.n_tenants; t++) {
        const struct scrub_tenant *ten = &d->cfg.tenants[t];
        if (tenant && strcmp(tenant, ten->identity) != 0)
            continue;
        for (size_t k = 0; k < ten->n_sources; k++) {
            const struct scrub_source *s = &ten->sources[k];
            char addr[SCRUB_PREFIX_TEXT];
            scrub_addr_format(&s->addr, addr, sizeof(addr));
            json_object *o = json_object_new_object();
            json_object_object_add(o, "tenant", json_object_new_string(ten->identity));
            json_object_object_add(o, "address", json_object_new_string(addr));
            json_object_object_add(o, "action", json_object_new_string(actions[s->action]));
            json_object_object_add(o, "policer",
                                   s->policer >= 0 ? json_object_new_string(d->cfg.policers[s->policer].name) : NULL);
            json_object_object_add(o, "origin", json_object_new_string("configuration"));
            json_object_array_add(arr, o);
        }
    }
    if (scrub_store_sources_each(d->store, tenant, source_json, arr, &err) < 0) {
        json_object_put(arr);
        return failed(a, &err);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "sources", arr);
    return request_ok(o);
}

/* ---- data-channel ACLs ------------------------------------------------------------------------ */

static int acl_json(void *ctx, const struct scrub_data_acl_view *v)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "cuid", json_object_new_string(v->cuid));
    json_object_object_add(o, "client", json_object_new_string(v->identity));
    json_object_object_add(o, "name", json_object_new_string(v->name));
    json_object_object_add(o, "activation", json_object_new_string(scrub_store_activation_name(v->activation)));
    json_object_object_add(o, "position", json_object_new_int64(v->position));
    json_object_object_add(o, "pending_lifetime_s", json_object_new_int64(v->pending_lifetime_s));
    json_object_object_add(o, "installed", json_object_new_boolean(v->installed));
    json_object_object_add(o, "card_entries", json_object_new_int64((int64_t)v->n_entries));
    if (v->problem)
        json_object_object_add(o, "problem", json_object_new_string(v->problem));
    json_object *aces = json_object_new_array();
    for (size_t i = 0; i < v->n_aces; i++) {
        const struct scrub_data_ace_view *e = &v->aces[i];
        json_object *ace = json_object_new_object();
        json_object_object_add(ace, "name", json_object_new_string(e->name));
        json_object_object_add(ace, "card_entries", json_object_new_int64((int64_t)e->n_entries));
        json_object_object_add(ace, "installed", json_object_new_boolean(e->installed));
        if (e->counters_known)
            json_object_object_add(ace, "matched", pair(&e->matched, false, 0, 0));
        json_object_array_add(aces, ace);
    }
    json_object_object_add(o, "aces", aces);
    json_object_array_add(ctx, o);
    return 0;
}

static char *acl_list(struct scrubd *d, struct args *a)
{
    struct scrub_err err = {0};
    only(a, "cuid");
    const char *cuid = str(a, "cuid", false);
    if (a->error[0])
        return failed(a, &err);
    json_object *arr = json_object_new_array();
    bool counters = d->hal != NULL;
    if (scrub_core_data_acls_each(d->core, cuid, NULL, counters, acl_json, arr, &err)) {
        json_object_put(arr);
        return failed(a, &err);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "acls", arr);
    json_object_object_add(o, "counters", json_object_new_boolean(counters));
    return request_ok(o);
}

/* ---- online backup ------------------------------------------------------------------------------ */

/* The store copied to path, an absolute path of a file that does not exist
 * yet (the daemon may run with more rights than the asker: it never
 * replaces a file). The copy is one read snapshot; changes go on. */
static char *store_backup(struct scrubd *d, const struct peer *p, struct args *a)
{
    struct scrub_err err = {0};
    only(a, "path");
    const char *path = str(a, "path", true);
    if (!a->error[0]) {
        if (path[0] != '/')
            bad(a, "path '%.200s': give an absolute path (scrubd's working directory is not yours)", path);
        else if (access(path, F_OK) == 0)
            bad(a, "path '%.200s' exists; the copy never replaces a file: remove it or name another", path);
        else if (errno != ENOENT)
            bad(a, "path '%.200s': %s", path, strerror(errno));
    }
    if (a->error[0])
        return failed(a, &err);
    if (scrub_store_backup(d->store, path, &err))
        return failed(a, &err);
    log_info("control: %s copied the store to %s", p->who, path);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "schema_version", json_object_new_int64(scrub_store_schema_version()));
    return request_ok(o);
}

/* ---- audit ----------------------------------------------------------------------------------- */

static int audit_json(void *ctx, const struct scrub_store_audit *e)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(e->id));
    json_object_object_add(o, "at_ms", json_object_new_int64(e->at_ms));
    json_object_object_add(o, "who_kind", json_object_new_string(scrub_store_who_name(e->who_kind)));
    json_object_object_add(o, "who", json_object_new_string(e->who));
    json_object_object_add(o, "channel", json_object_new_string(scrub_store_channel_name(e->channel)));
    json_object_object_add(o, "what", json_object_new_string(e->what));
    json_object_object_add(o, "result", json_object_new_string(e->result));
    json_object_array_add(ctx, o);
    return 0;
}

static char *audit(struct scrubd *d, struct args *a)
{
    struct scrub_err err = {0};
    only(a, "after,limit");
    int64_t after = num(a, "after", 0, 0, INT64_MAX), limit = num(a, "limit", 0, 0, 100000);
    if (a->error[0])
        return failed(a, &err);
    json_object *arr = json_object_new_array();
    if (scrub_store_audit_each(d->store, after, (size_t)limit, audit_json, arr, &err) < 0) {
        json_object_put(arr);
        return failed(a, &err);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "entries", arr);
    return request_ok(o);
}

char *request_core(struct scrubd *d, const struct peer *p, const char *name, json_object *req)
{
    struct args a = {.command = name, .req = req};
    if (strcmp(name, "mitigation-add") == 0)
        return mitigation_add(d, p, &a);
    if (strcmp(name, "mitigation-withdraw") == 0)
        return mitigation_withdraw(d, p, &a);
    if (strcmp(name, "mitigation-list") == 0)
        return mitigation_list(d, &a, false);
    if (strcmp(name, "mitigation-show") == 0)
        return mitigation_list(d, &a, true);
    if (strcmp(name, "client-add") == 0)
        return client_add(d, p, &a);
    if (strcmp(name, "client-remove") == 0)
        return client_remove(d, p, &a);
    if (strcmp(name, "client-list") == 0)
        return client_list(d, &a);
    if (strcmp(name, "source-add") == 0)
        return source_change(d, p, &a, true);
    if (strcmp(name, "source-remove") == 0)
        return source_change(d, p, &a, false);
    if (strcmp(name, "source-list") == 0)
        return source_list(d, &a);
    if (strcmp(name, "acl-list") == 0)
        return acl_list(d, &a);
    if (strcmp(name, "store-backup") == 0)
        return store_backup(d, p, &a);
    if (strcmp(name, "audit") == 0)
        return audit(d, &a);
    return NULL;
}
