/* /.well-known/dots/mitigate (RFC 9132 section 4.4): mitigation requests
 * from a client's certificate identity, made true through the host core
 * (scrub_core.h), which stores each one before the card and the answer.
 * docs/dots.md states the rules and the codes. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dots_mitigate_body.h"
#include "dots_signal_internal.h"
#include "scrub_core.h"

#define CUID_MAX 128 /* characters; RFC 9132's recommended cuid has 22 */

/* What the Uri-Paths after /.well-known/dots/mitigate name. */
struct mitigate_path {
    char cdid[CUID_MAX + 1], cuid[CUID_MAX + 1];
    bool has_cdid, has_cuid, has_mid;
    int64_t mid;
};

static bool segment(const uint8_t *v, size_t len, const char *name, const uint8_t **value, size_t *vlen)
{
    size_t n = strlen(name);
    if (len <= n || memcmp(v, name, n) != 0)
        return false;
    *value = v + n;
    *vlen = len - n;
    return true;
}

/* cdid=, cuid= and mid= in that order, each at most once (RFC 9132
 * section 4.4.1); -1 with a diagnostic otherwise. */
static int parse_path(const coap_pdu_t *request, struct mitigate_path *p, char *diagnostic, size_t size)
{
    static const char *const base[] = {".well-known", "dots", "mitigate"};
    coap_opt_filter_t filter;
    coap_opt_iterator_t it;
    coap_opt_t *opt;
    unsigned i = 0;
    memset(p, 0, sizeof *p);
    coap_option_filter_clear(&filter);
    coap_option_filter_set(&filter, COAP_OPTION_URI_PATH);
    coap_option_iterator_init(request, &it, &filter);
    while ((opt = coap_option_next(&it))) {
        const uint8_t *v = coap_opt_value(opt), *value;
        size_t len = coap_opt_length(opt), vlen;
        if (i++ < 3)
            continue; /* the dispatcher matched the three base segments */
        if (!p->has_cuid && !p->has_cdid && segment(v, len, "cdid=", &value, &vlen)) {
            if (vlen > CUID_MAX)
                goto too_long;
            memcpy(p->cdid, value, vlen);
            p->has_cdid = true;
        } else if (!p->has_cuid && segment(v, len, "cuid=", &value, &vlen)) {
            if (vlen > CUID_MAX)
                goto too_long;
            memcpy(p->cuid, value, vlen);
            p->has_cuid = true;
        } else if (p->has_cuid && !p->has_mid && segment(v, len, "mid=", &value, &vlen)) {
            uint64_t mid = 0;
            for (size_t k = 0; k < vlen && mid <= UINT32_MAX; k++)
                mid = value[k] >= '0' && value[k] <= '9' ? mid * 10 + (uint64_t)(value[k] - '0') : UINT64_MAX;
            if (vlen > 10 || mid > UINT32_MAX) {
                snprintf(diagnostic, size, "mid=%.*s: the mid is a number from 0 to 4294967295", (int)(vlen > 20 ? 20 : vlen),
                         (const char *)value);
                return -1;
            }
            p->mid = (int64_t)mid;
            p->has_mid = true;
        } else {
            snprintf(diagnostic, size,
                     "Uri-Path '%.*s' is not expected here: after /%s/%s/%s come cdid= (gateways only), cuid= and "
                     "mid=, in that order (RFC 9132 section 4.4.1)",
                     (int)(len > 60 ? 60 : len), (const char *)v, base[0], base[1], base[2]);
            return -1;
        }
    }
    return 0;
too_long:
    snprintf(diagnostic, size, "a cuid or cdid longer than %d characters", CUID_MAX);
    return -1;
}

/* With cuid_from_cert: the cuid must be the one derived from the client's
 * certificate; -1 after answering 4.03. */
static int check_derived_cuid(coap_session_t *session, coap_pdu_t *response, const char *cuid)
{
    char derived[DOTS_CUID_DERIVED_LEN + 1], diagnostic[320];
    if (dots_session_cuid(session, derived) < 0) {
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "no cuid can be derived from the session's certificate");
        return -1;
    }
    if (strcmp(cuid, derived) == 0)
        return 0;
    snprintf(diagnostic, sizeof diagnostic,
             "cuid %s is not the one derived from the client's certificate (%s; RFC 9132 section 4.4.1)", cuid, derived);
    dots_refuse(response, COAP_RESPONSE_CODE_FORBIDDEN, diagnostic);
    return -1;
}

/* The identity, then the path; -1 after answering the refusal. A cdid is
 * taken from a configured gateway only. */
static int mitigate_request(const struct dots_signal *s, coap_session_t *session, const coap_pdu_t *request,
                            coap_pdu_t *response, char *id, size_t size, struct mitigate_path *p, bool need_mid)
{
    char diagnostic[320];
    if (dots_request_identity(s, session, request, response, id, size) < 0)
        return -1;
    if (parse_path(request, p, diagnostic, sizeof diagnostic) < 0) {
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST, diagnostic);
        return -1;
    }
    if (p->has_cdid && !scrub_core_is_gateway(s->cfg.core, id)) {
        snprintf(diagnostic, sizeof diagnostic,
                 "cdid is accepted from server-domain gateways only, and '%s' is not one (RFC 9132 section 4.4.1)", id);
        dots_refuse(response, COAP_RESPONSE_CODE_FORBIDDEN, diagnostic);
        return -1;
    }
    if (!p->has_cuid || (need_mid && !p->has_mid)) {
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST,
                    need_mid ? "this request needs the Uri-Paths cuid=CUID and mid=MID (RFC 9132 section 4.4.1)"
                             : "this request needs the Uri-Path cuid=CUID (RFC 9132 section 4.4.2)");
        return -1;
    }
    /* behind a gateway the cuid is its client's, derived from a certificate the server never sees */
    return s->cfg.cuid_from_cert && !p->has_cdid ? check_derived_cuid(session, response, p->cuid) : 0;
}

/* ---- PUT ---------------------------------------------------------------------------- */

/* Appends v to the extra's list name unless an equal entry is there. */
static void add_unique(json_object *extra, const char *name, json_object *v)
{
    json_object *list;
    if (!json_object_object_get_ex(extra, name, &list)) {
        list = json_object_new_array();
        json_object_object_add(extra, name, list);
    }
    for (size_t i = 0; i < json_object_array_length(list); i++)
        if (json_object_equal(json_object_array_get_idx(list, i), v))
            return;
    json_object_array_add(list, json_object_get(v));
}

struct alias_targets {
    struct put_request *r;
    char *diagnostic;
    size_t size;
    bool found;
};

/* One alias's targets merged into the request: its target-prefix entries
 * (those not there already), its port ranges and protocols. */
static int merge_alias(void *ctx, const struct scrub_data_alias_view *v)
{
    struct alias_targets *t = ctx;
    t->found = true;
    if (v->n_prefixes == 0) {
        snprintf(t->diagnostic, t->size,
                 "scope/alias-name: alias '%s' names only target-fqdn or target-uri, which this server does not "
                 "resolve: give it a target-prefix on the data channel",
                 v->name);
        return -1;
    }
    for (size_t i = 0; i < v->n_prefixes; i++) {
        bool seen = false;
        for (size_t k = 0; k < t->r->n_prefixes && !seen; k++)
            seen = scrub_prefix_contains(&t->r->prefixes[k], &v->prefixes[i]) &&
                   scrub_prefix_contains(&v->prefixes[i], &t->r->prefixes[k]);
        if (seen)
            continue;
        struct scrub_prefix *p = realloc(t->r->prefixes, (t->r->n_prefixes + 1) * sizeof *p);
        if (!p) {
            snprintf(t->diagnostic, t->size, "out of memory");
            return -1;
        }
        t->r->prefixes = p;
        p[t->r->n_prefixes++] = v->prefixes[i];
    }
    json_object *body = json_tokener_parse(v->body), *list;
    static const char *const lists[] = {"target-port-range", "target-protocol"};
    for (size_t k = 0; body && k < 2; k++)
        if (json_object_object_get_ex(body, lists[k], &list))
            for (size_t i = 0; i < json_object_array_length(list); i++)
                add_unique(t->r->extra, lists[k], json_object_array_get_idx(list, i));
    json_object_put(body);
    return 0;
}

/* RFC 9132 section 4.4.1's alias-name: each name is an alias the client
 * made on the data channel (RFC 8783) under this cuid, resolved to its
 * targets now; one that does not exist is refused. Then the request must
 * have a prefix. 0, or the refusal's code with a diagnostic. */
static coap_pdu_code_t resolve_aliases(struct dots_signal *s, const char *identity, const char *cuid,
                                       struct put_request *r, char *diagnostic, size_t size)
{
    json_object *names;
    if (json_object_object_get_ex(r->extra, "alias-name", &names))
        for (size_t i = 0; i < json_object_array_length(names); i++) {
            const char *name = json_object_get_string(json_object_array_get_idx(names, i));
            struct alias_targets t = {r, diagnostic, size, false};
            struct scrub_err err;
            int rc = scrub_core_data_aliases_each(s->cfg.core, identity, cuid, name, merge_alias, &t, &err);
            if (rc == 0 && t.found)
                continue;
            if (t.found) /* merge_alias said why */
                return COAP_RESPONSE_CODE_BAD_REQUEST;
            if (rc < 0) {
                dots_say(s, DOTS_LOG_ERROR, "%s: aliases of cuid %s: %s", identity, cuid, err.msg);
                snprintf(diagnostic, size, "the aliases of cuid %s could not be read", cuid);
                return COAP_RESPONSE_CODE_INTERNAL_ERROR;
            }
            snprintf(diagnostic, size,
                     "scope/alias-name: no alias '%s' of cuid %s (make it on the data channel first, RFC 8783)", name,
                     cuid);
            return COAP_RESPONSE_CODE_BAD_REQUEST;
        }
    if (r->n_prefixes == 0) {
        snprintf(diagnostic, size, "scope has no target-prefix (nor an alias with one): this server mitigates "
                 "prefixes");
        return COAP_RESPONSE_CODE_BAD_REQUEST;
    }
    return 0;
}

static coap_pdu_code_t code_of(int err)
{
    switch (err) {
    case EINVAL: return COAP_RESPONSE_CODE_BAD_REQUEST;
    case EACCES:
    case ENOENT:
    case EDQUOT: return COAP_RESPONSE_CODE_FORBIDDEN;
    case EBUSY:
    case EEXIST: return COAP_RESPONSE_CODE_CONFLICT;
    case ENOSPC:
    case ENODEV: return COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE;
    default: return COAP_RESPONSE_CODE_INTERNAL_ERROR;
    }
}

/* Encodes json (dots_encode_json's form) and answers it with code. */
static void answer_json(const struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                        const coap_pdu_t *request, coap_pdu_t *response, coap_pdu_code_t code, json_object *json)
{
    uint8_t *cbor;
    size_t len;
    struct scrub_err err;
    const char *text = json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (dots_encode_json(s, text, &cbor, &len, &err) < 0) {
        dots_say(s, DOTS_LOG_ERROR, "an answer does not encode: %s (%.300s)", err.msg, text);
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the answer could not be encoded");
        return;
    }
    dots_answer_cbor(resource, session, request, response, code, cbor, len, -1);
    free(cbor);
}

/* The answer to an accepted change: once its group is durable and on the
 * card (dots_group.c), or now when there is no group. json NULL: no body. */
static void answer_accepted(const struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                            const coap_pdu_t *request, coap_pdu_t *response, coap_pdu_code_t code, json_object *json)
{
    uint8_t *cbor = NULL;
    size_t len = 0;
    struct scrub_err err;
    if (json) {
        const char *text =
            json_object_to_json_string_ext(json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (dots_encode_json(s, text, &cbor, &len, &err) < 0) {
            dots_say(s, DOTS_LOG_ERROR, "an answer does not encode: %s (%.300s)", err.msg, text);
            cbor = NULL;
            code = COAP_RESPONSE_CODE_INTERNAL_ERROR;
        }
    }
    int waits = dots_group_defer((struct dots_signal *)s, session, request, code, cbor, len);
    if (waits > 0)
        return;
    if (waits < 0)
        dots_refuse(response, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE,
                    "the change could not be stored or put on the card (the server's log says why)");
    else if (cbor)
        dots_answer_cbor(resource, session, request, response, code, cbor, len, -1);
    else
        coap_pdu_set_code(response, code);
    free(cbor);
}

/* {"ietf-dots-signal-channel:scope": [entry]} */
static json_object *scope_answer(json_object *entries)
{
    json_object *top = json_object_new_object();
    json_object_object_add(top, "ietf-dots-signal-channel:scope", entries);
    return top;
}

/* conflict-information of a request kept inactive by another that is
 * active (conflict-status request-inactive-other-active, 1): the cause,
 * the seconds until it may be asked for again (retry-timer; < 0: none
 * given) and the conflict-scope (scope NULL: none). */
static json_object *inactive_conflict(const char *cause, int64_t retry_s, json_object *scope)
{
    json_object *info = json_object_new_object();
    json_object_object_add(info, "conflict-status", json_object_new_string("request-inactive-other-active"));
    json_object_object_add(info, "conflict-cause", json_object_new_string(cause));
    if (retry_s >= 0)
        json_object_object_add(info, "retry-timer", json_object_new_int64(retry_s > UINT32_MAX ? UINT32_MAX : retry_s));
    if (scope)
        json_object_object_add(info, "conflict-scope", scope);
    return info;
}

/* A conflict-scope of another client's targets p (the YANG's mid is only
 * for a mid of the same client); with mine, only those that overlap mine. */
static json_object *target_scope(const struct scrub_prefix *p, size_t n, const struct scrub_prefix *mine,
                                 size_t n_mine)
{
    json_object *scope = json_object_new_object(), *list = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        bool overlaps = !mine;
        for (size_t k = 0; k < n_mine; k++)
            overlaps |= scrub_prefix_overlap(&p[i], &mine[k]);
        if (!overlaps)
            continue;
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&p[i], text, sizeof text);
        json_object_array_add(list, json_object_new_string(text));
    }
    json_object_object_add(scope, "target-prefix", list);
    return scope;
}

/* 4.09 with conflict-information (RFC 9132 section 4.4.1). */
static void answer_conflict(const struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                            const coap_pdu_t *request, coap_pdu_t *response, int64_t mid,
                            const struct scrub_mitigation_granted *g)
{
    json_object *entry = json_object_new_object(), *scope = NULL;
    json_object_object_add(entry, "mid", json_object_new_int64(mid));
    if (g->conflict_other_client) {
        scope = target_scope(g->conflict_prefixes, g->n_conflict_prefixes, NULL, 0);
    } else if (g->conflict_mid >= 0) {
        scope = json_object_new_object();
        json_object_object_add(scope, "mid", json_object_new_int64(g->conflict_mid));
    }
    json_object *info = inactive_conflict(g->conflict == SCRUB_CONFLICT_CUID ? "cuid-collision" : "overlapping-targets",
                                          g->conflict_other_client ? g->conflict_retry_s : -1, scope);
    json_object_object_add(entry, "conflict-information", info);
    json_object *entries = json_object_new_array(), *top = scope_answer(entries);
    json_object_array_add(entries, entry);
    answer_json(s, resource, session, request, response, COAP_RESPONSE_CODE_CONFLICT, top);
    json_object_put(top);
}

struct lookup {
    const struct mitigate_path *path;
    enum scrub_store_mitigation_status status;
};

static int is_it(void *arg, const struct scrub_mitigation_view *m)
{
    struct lookup *l = arg;
    if (strcmp(m->cuid, l->path->cuid) != 0 || m->mid != l->path->mid)
        return 0;
    l->status = m->status;
    return 1;
}

/* Whether identity has the mitigation p names, and its status. */
static bool owns(struct dots_signal *s, const char *identity, const struct mitigate_path *p,
                 enum scrub_store_mitigation_status *status)
{
    struct lookup l = {.path = p};
    struct scrub_err err;
    bool found = scrub_core_mitigations_each(s->cfg.core, identity, false, is_it, &l, &err) == 1;
    *status = l.status;
    return found;
}

void dots_mitigate_put(struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                       const coap_pdu_t *request, coap_pdu_t *response)
{
    char id[256], diagnostic[640];
    struct mitigate_path p;
    coap_opt_iterator_t it;
    if (dots_group_answered(resource, session, request, response) ||
        mitigate_request(s, session, request, response, id, sizeof id, &p, true) < 0)
        return;
    /* an efficacy update: the PUT of an existing mitigation with an empty
     * If-Match (RFC 9132 section 4.4.3) */
    coap_opt_t *if_match = coap_check_option(request, COAP_OPTION_IF_MATCH, &it);
    if (if_match && coap_opt_length(if_match) != 0) {
        dots_refuse(response, COAP_RESPONSE_CODE_BAD_REQUEST,
                    "an efficacy update carries an empty If-Match (RFC 9132 section 4.4.3)");
        return;
    }
    struct lyd_node *tree = dots_request_body(s, request, response);
    if (!tree)
        return;
    struct put_request r = {0};
    bool regroup = false;
    int rc = dots_put_request_from_tree(tree, if_match != NULL, &r, diagnostic, sizeof diagnostic);
    lyd_free_all(tree);
    coap_pdu_code_t refusal = rc < 0 ? COAP_RESPONSE_CODE_BAD_REQUEST
                                     : resolve_aliases(s, id, p.cuid, &r, diagnostic, sizeof diagnostic);
    if (refusal) {
        dots_refuse(response, refusal, diagnostic);
        goto done;
    }
    if (if_match) {
        enum scrub_store_mitigation_status status;
        if (!owns(s, id, &p, &status)) {
            snprintf(diagnostic, sizeof diagnostic, "no mitigation with cuid %s and mid %lld to update", p.cuid,
                     (long long)p.mid);
            dots_refuse(response, COAP_RESPONSE_CODE_NOT_FOUND, diagnostic);
            goto done;
        }
        /* one still waiting for a signal loss keeps waiting unless told */
        if (!r.trigger_given && status == SCRUB_STORE_REQUESTED)
            r.trigger = false;
        dots_say(s, DOTS_LOG_INFO, "%s: efficacy update of mitigation %s/%lld: %s", id, p.cuid, (long long)p.mid,
                 r.attack_status);
    }
    /* An acl-list changes data-channel ACLs too, which the core commits on
     * their own, not in a group: the group so far ends first, and its
     * successor begins after this answer. */
    if (r.n_acls && s->group_open) {
        dots_group_end(s);
        regroup = true;
    }
    struct scrub_actor actor = {SCRUB_STORE_WHO_CERTIFICATE, id, SCRUB_STORE_CHANNEL_SIGNAL, false};
    struct scrub_mitigation_req req = {
        .identity = id,
        .cuid = p.cuid,
        .cdid = p.has_cdid ? p.cdid : NULL,
        .mid = p.mid,
        .prefixes = r.prefixes,
        .n_prefixes = r.n_prefixes,
        .lifetime = r.lifetime,
        .trigger = r.trigger,
        .scope_extra = json_object_object_length(r.extra)
                           ? json_object_to_json_string_ext(r.extra, JSON_C_TO_STRING_PLAIN)
                           : NULL,
        .acls = r.acls,
        .n_acls = r.n_acls,
    };
    struct scrub_mitigation_granted g;
    struct scrub_err err;
    if (scrub_core_mitigation_put(s->cfg.core, &actor, &req, &g, &err) < 0) {
        dots_say(s, DOTS_LOG_INFO, "%s: PUT mitigation %s/%lld refused: %s", id, p.cuid, (long long)p.mid, err.msg);
        if (g.conflict != SCRUB_CONFLICT_NONE)
            answer_conflict(s, resource, session, request, response, p.mid, &g);
        else
            dots_refuse(response, code_of(err.code), err.msg);
        goto done;
    }
    dots_say(s, DOTS_LOG_INFO, "%s: mitigation %s/%lld %s, lifetime %lld s%s", id, p.cuid, (long long)g.mid,
             g.created ? "created" : "updated", (long long)g.lifetime, g.replaced ? ", replacing lower mids" : "");
    json_object *entry = json_object_new_object(), *entries = json_object_new_array(), *top = scope_answer(entries);
    json_object_object_add(entry, "mid", json_object_new_int64(g.mid));
    json_object_object_add(entry, "lifetime", json_object_new_int64(g.lifetime));
    json_object_array_add(entries, entry);
    answer_accepted(s, resource, session, request, response,
                    g.created ? COAP_RESPONSE_CODE_CREATED : COAP_RESPONSE_CODE_CHANGED, top);
    json_object_put(top);
done:
    if (regroup)
        dots_group_begin(s);
    dots_put_request_release(&r);
}

/* ---- GET ---------------------------------------------------------------------------- */

struct get_ctx {
    const struct mitigate_path *path;
    json_object *entries;
};

/* The DOTS status of the core's state (the rule is the core's,
 * docs/dots.md "Status"; the names are iana-dots-signal-channel's). */
static const char *status_of(const struct scrub_mitigation_view *m)
{
    switch (m->state) {
    case SCRUB_MIT_WAITING: return "attack-mitigation-signal-loss";              /* 8 */
    case SCRUB_MIT_MITIGATED: return "attack-successfully-mitigated";            /* 2 */
    case SCRUB_MIT_STOPPED: return "attack-stopped";                             /* 3 */
    case SCRUB_MIT_EXCEEDED: return "attack-exceeded-capability";                /* 4 */
    case SCRUB_MIT_TERMINATING: return "dots-client-withdrawn-mitigation";       /* 5 */
    case SCRUB_MIT_DISPLACED: return "attack-mitigation-withdrawn";              /* 7 */
    case SCRUB_MIT_IN_PROGRESS: break;
    }
    return "attack-mitigation-in-progress"; /* 1 */
}

static json_object *u64(uint64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, v); /* RFC 7951: 64-bit numbers are strings */
    return json_object_new_string(text);
}

/* The core's accept-list conflict (docs/dots.md "Accept-list conflicts"):
 * this request stays active (iana-dots-signal-channel's conflict-status
 * request-active, 2; conflict-cause conflict-with-acceptlist, 2) and the
 * scope names the client's ACLs its targets are attacked through. */
static json_object *acceptlist_conflict(const struct scrub_mitigation_view *m)
{
    json_object *info = json_object_new_object(), *scope = json_object_new_object(), *list = json_object_new_array();
    json_object_object_add(info, "conflict-status", json_object_new_string("request-active"));
    json_object_object_add(info, "conflict-cause", json_object_new_string("conflict-with-acceptlist"));
    for (size_t i = 0; i < m->n_acceptlist_conflicts; i++) {
        const struct scrub_acl_ref *r = &m->acceptlist_conflicts[i];
        json_object *acl = json_object_new_object();
        json_object_object_add(acl, "acl-name", json_object_new_string(r->name));
        if (r->type)
            json_object_object_add(acl, "acl-type", json_object_new_string(r->type));
        json_object_array_add(list, acl);
    }
    json_object_object_add(scope, "acl-list", list);
    json_object_object_add(info, "conflict-scope", scope);
    return info;
}

/* An active request that displaced others (conflict-status request-active,
 * 2; conflict-cause overlapping-targets, 1) and their targets it overlaps. */
static json_object *active_conflict(const struct scrub_mitigation_view *m)
{
    json_object *info = json_object_new_object();
    json_object_object_add(info, "conflict-status", json_object_new_string("request-active"));
    json_object_object_add(info, "conflict-cause", json_object_new_string("overlapping-targets"));
    json_object_object_add(info, "conflict-scope", target_scope(m->displacing_prefixes, m->n_displacing_prefixes,
                                                                m->prefixes, m->n_prefixes));
    return info;
}

static int add_entry(void *arg, const struct scrub_mitigation_view *m)
{
    struct get_ctx *g = arg;
    if (strcmp(m->cuid, g->path->cuid) != 0 || (g->path->has_mid && m->mid != g->path->mid))
        return 0;
    json_object *entry = json_tokener_parse(m->scope);
    if (!entry)
        return -1;
    json_object_object_add(entry, "mid", json_object_new_int64(m->mid));
    json_object_object_add(entry, "lifetime", json_object_new_int64(m->remaining_s));
    json_object_object_add(entry, "status", json_object_new_string(status_of(m)));
    if (m->triggered_at > 0) {
        /* totals since triggered; the averages over whole buckets (the core's) */
        const struct scrub_counter *d = &m->traffic.dropped;
        json_object_object_add(entry, "mitigation-start", u64((uint64_t)m->triggered_at));
        json_object_object_add(entry, "bytes-dropped", u64(d->bytes));
        json_object_object_add(entry, "pkts-dropped", u64(d->packets));
        json_object_object_add(entry, "bps-dropped", u64(m->traffic.avg_dropped_bytes_s));
        json_object_object_add(entry, "pps-dropped", u64(m->traffic.avg_dropped_packets_s));
    }
    if (m->n_acceptlist_conflicts)
        json_object_object_add(entry, "conflict-information", acceptlist_conflict(m));
    else if (m->n_displacing_prefixes)
        json_object_object_add(entry, "conflict-information", active_conflict(m));
    if (m->state == SCRUB_MIT_DISPLACED)
        json_object_object_add(entry, "conflict-information",
                               inactive_conflict("overlapping-targets", m->displaced_retry_s,
                                                 m->displaced_by_prefixes
                                                     ? target_scope(m->displaced_by_prefixes,
                                                                    m->n_displaced_by_prefixes, m->prefixes,
                                                                    m->n_prefixes)
                                                     : NULL));
    json_object_array_add(g->entries, entry);
    return 0;
}

/* What ended with the last change, for its observers' last notification
 * (dots_ended.c): mid, lifetime 0 and status 6 or 7. */
static void add_ended(const struct dots_signal *s, const char *identity, struct get_ctx *g)
{
    for (size_t i = 0; i < s->nended; i++) {
        const struct dots_ended *e = &s->ended[i];
        if (strcmp(e->identity, identity) != 0 || strcmp(e->cuid, g->path->cuid) != 0 ||
            (g->path->has_mid && e->mid != g->path->mid))
            continue;
        json_object *entry = json_object_new_object();
        json_object_object_add(entry, "mid", json_object_new_int64(e->mid));
        json_object_object_add(entry, "lifetime", json_object_new_int64(0));
        json_object_object_add(entry, "status", json_object_new_string(e->terminated ? "attack-mitigation-terminated"
                                                                                     : "attack-mitigation-withdrawn"));
        json_object_array_add(g->entries, entry);
    }
}

void dots_mitigate_get(struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                       const coap_pdu_t *request, coap_pdu_t *response)
{
    char id[256], diagnostic[320];
    struct mitigate_path p;
    struct scrub_err err;
    if (mitigate_request(s, session, request, response, id, sizeof id, &p, false) < 0)
        return;
    dots_group_flush(s); /* only what is durable is told */
    struct get_ctx g = {.path = &p, .entries = json_object_new_array()};
    /* counters need the card; without it the answer says what is stored */
    bool card = scrub_core_image(s->cfg.core) != NULL;
    int rc = scrub_core_mitigations_each(s->cfg.core, id, card, add_entry, &g, &err);
    if (rc != 0) {
        json_object_put(g.entries);
        dots_say(s, DOTS_LOG_ERROR, "%s: GET mitigations of cuid %s: %s", id, p.cuid, rc < 0 ? err.msg : "no memory");
        dots_refuse(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "the mitigations could not be read");
        return;
    }
    add_ended(s, id, &g);
    if (json_object_array_length(g.entries) == 0) {
        json_object_put(g.entries);
        if (p.has_mid)
            snprintf(diagnostic, sizeof diagnostic, "no mitigation with cuid %s and mid %lld", p.cuid,
                     (long long)p.mid);
        else
            snprintf(diagnostic, sizeof diagnostic, "no mitigation with cuid %s", p.cuid);
        dots_refuse(response, COAP_RESPONSE_CODE_NOT_FOUND, diagnostic);
        return;
    }
    json_object *top = scope_answer(g.entries);
    answer_json(s, resource, session, request, response, COAP_RESPONSE_CODE_CONTENT, top);
    json_object_put(top);
}

/* ---- DELETE ------------------------------------------------------------------------- */

void dots_mitigate_delete(struct dots_signal *s, coap_resource_t *resource, coap_session_t *session,
                          const coap_pdu_t *request, coap_pdu_t *response)
{
    char id[256], diagnostic[320];
    struct mitigate_path p;
    struct scrub_err err;
    if (dots_group_answered(resource, session, request, response) ||
        mitigate_request(s, session, request, response, id, sizeof id, &p, true) < 0)
        return;
    struct scrub_actor actor = {SCRUB_STORE_WHO_CERTIFICATE, id, SCRUB_STORE_CHANNEL_SIGNAL, false};
    int64_t granted;
    if (scrub_core_mitigation_terminate(s->cfg.core, &actor, p.cuid, p.mid, s->cfg.terminating_s, &granted, &err) <
        0) {
        dots_say(s, DOTS_LOG_INFO, "%s: DELETE mitigation %s/%lld refused: %s", id, p.cuid, (long long)p.mid,
                 err.msg);
        /* another client's mitigation is not named to this one */
        if (err.code == ENOENT || err.code == EACCES) {
            snprintf(diagnostic, sizeof diagnostic, "no mitigation with cuid %s and mid %lld", p.cuid,
                     (long long)p.mid);
            dots_refuse(response, COAP_RESPONSE_CODE_NOT_FOUND, diagnostic);
        } else {
            dots_refuse(response, code_of(err.code), err.msg);
        }
        return;
    }
    dots_say(s, DOTS_LOG_INFO, "%s: mitigation %s/%lld withdrawn, active but terminating for %lld s", id, p.cuid,
             (long long)p.mid, (long long)granted);
    answer_accepted(s, resource, session, request, response, COAP_RESPONSE_CODE_DELETED, NULL);
}
