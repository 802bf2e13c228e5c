/* What a dots-client's ACLs and aliases share: their resources' paths,
 * the methods each takes, and the answers (RFC 8040 sections 4.3 to 4.7)
 * built on libyang trees of what the core has stored; a struct
 * dots_data_kind says how the core lists, puts and deletes each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_data_internal.h"

/* The methods a level takes (a POST to the dots-client is routed here
 * only when it creates acls or aliases). */
static const struct {
    const char *allow;
    unsigned methods;
} levels[] = {
    [DOTS_DATA_AT_CLIENT] = {"GET, HEAD, POST, PUT, DELETE, OPTIONS", EVHTTP_REQ_POST},
    [DOTS_DATA_AT_CONTAINER] = {"GET, HEAD, POST, PATCH, DELETE, OPTIONS",
                                EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST | EVHTTP_REQ_PATCH |
                                    EVHTTP_REQ_DELETE},
    [DOTS_DATA_AT_ENTRY] = {"GET, HEAD, PUT, PATCH, DELETE, OPTIONS",
                            EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE},
    [DOTS_DATA_AT_BELOW_LIST] = {"GET, HEAD, POST, OPTIONS", EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST},
    [DOTS_DATA_AT_BELOW_ENTRY] = {"GET, HEAD, PUT, DELETE, OPTIONS",
                                  EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE},
};

void dots_data_key_path(char *out, size_t size, const char *base, const char *list, const char *name)
{
    /* an instance-identifier's key value is quoted with ' unless it holds one */
    char q = strchr(name, '\'') ? '"' : '\'';
    snprintf(out, size, "%s/%s[name=%c%s%c]", base, list, q, name, q);
}

/* "NAME" or "NAME/..." into *name, decoded (RFC 8040 section 3.5.3), and
 * *rest after it: 0; 1 when it names nothing; -1 after answering. */
static int read_key(const struct dots_request *r, const char *from, char **name, const char **rest)
{
    const char *slash = strchr(from, '/');
    size_t raw = slash ? (size_t)(slash - from) : strlen(from), len = 0;
    char *encoded = strndup(from, raw);
    *name = encoded ? evhttp_uridecode(encoded, 0, &len) : NULL;
    free(encoded);
    if (!*name) {
        restconf_error(r, 500, "application", "operation-failed", NULL, "out of memory");
        return -1;
    }
    if (len == 0 || len != strlen(*name)) {
        free(*name);
        *name = NULL;
        return 1;
    }
    *rest = from + raw;
    return 0;
}

/* Whether rest begins with "/list=" and a key: 0 and the key in *name, 1
 * when it does not, -1 after answering. */
static int read_entry(const struct dots_request *r, const char *list, char **name, const char **rest)
{
    size_t n = strlen(list);
    if ((*rest)[0] != '/' || strncmp(*rest + 1, list, n) != 0 || (*rest)[n + 1] != '=')
        return 1;
    return read_key(r, *rest + n + 2, name, rest);
}

/* rest: "" (a POST to the dots-client), "/acls", "/acls/acl=NAME", and
 * below an entry "/aces", "/aces/ace=NAME" when the kind serves them. 0,
 * or -1 after answering (what the kind serves not: its unknown_status). */
static int read_target(const struct dots_request *r, struct dots_data_target *t, const char *rest)
{
    const struct dots_data_kind *k = t->kind;
    char client[400];
    size_t n = strlen(k->container);
    restconf_client_path(t->cuid, "", client, sizeof client);
    snprintf(t->container_path, sizeof t->container_path, "%s/%s", client, k->container);
    snprintf(t->path, sizeof t->path, "%s", *rest ? t->container_path : client);
    t->level = *rest ? DOTS_DATA_AT_CONTAINER : DOTS_DATA_AT_CLIENT;
    if (!*rest)
        return 0;
    int rc = rest[0] == '/' && strncmp(rest + 1, k->container, n) == 0 ? 0 : 1;
    rest += rc == 0 ? n + 1 : 0;
    if (rc == 0 && *rest && (rc = read_entry(r, k->entry, &t->name, &rest)) == 0) {
        t->level = DOTS_DATA_AT_ENTRY;
        dots_data_key_path(t->entry_path, sizeof t->entry_path, t->container_path, k->entry, t->name);
        snprintf(t->path, sizeof t->path, "%s", t->entry_path);
    }
    size_t below = k->below_container ? strlen(k->below_container) : 0;
    if (rc == 0 && *rest && (!below || rest[0] != '/' || strncmp(rest + 1, k->below_container, below) != 0))
        rc = 1;
    if (rc == 0 && *rest) {
        rest += below + 1;
        snprintf(t->path, sizeof t->path, "%s/%s", t->entry_path, k->below_container);
        t->level = DOTS_DATA_AT_BELOW_LIST;
    }
    if (rc == 0 && *rest && (rc = read_entry(r, k->below_entry, &t->below_name, &rest)) == 0) {
        t->level = DOTS_DATA_AT_BELOW_ENTRY;
        dots_data_key_path(t->path, sizeof t->path, t->entry_path, k->below_entry, t->below_name);
    }
    if (rc == 0 && *rest)
        rc = 1;
    if (rc == 1)
        restconf_error(r, k->unknown_status, k->unknown_status == 404 ? "protocol" : "application",
                       k->unknown_status == 404 ? "invalid-value" : "operation-not-supported", NULL, "%s",
                       k->unknown_path);
    return rc ? -1 : 0;
}

struct lyd_node *dots_data_find_entry(const struct lyd_node *parent, const char *list, const char *name)
{
    struct lyd_node *node;
    LY_LIST_FOR(lyd_child(parent), node)
    {
        /* a list entry's key is its first child */
        if (strcmp(node->schema->name, list) == 0 && strcmp(lyd_get_value(lyd_child(node)), name) == 0)
            return node;
    }
    return NULL;
}

struct lyd_node *dots_data_find_child(struct lyd_node *parent, const char *name)
{
    struct lyd_node *node;
    LY_LIST_FOR(lyd_child(parent), node)
    {
        if (strcmp(node->schema->name, name) == 0)
            return node;
    }
    return lyd_new_inner(parent, NULL, name, 0, &node) == LY_SUCCESS ? node : NULL;
}

int dots_data_load(const struct dots_request *r, const struct dots_data_target *t, bool with_state,
                   struct lyd_node **root, struct lyd_node **container)
{
    const struct dots_data_kind *k = t->kind;
    json_object *list = json_object_new_array();
    if (k->list(r, t->cuid, t->name, with_state, list, t->path) < 0) {
        json_object_put(list);
        return -1;
    }
    if (t->name && json_object_array_length(list) == 0) {
        json_object_put(list);
        restconf_error(r, 404, "protocol", "invalid-value", t->path, "no %s '%s' of dots-client %s", k->title,
                       t->name, t->cuid);
        return -1;
    }
    /* {"ietf-dots-data-channel:acls":{"acl":[...]}} below the dots-client */
    json_object *top = json_object_new_object(), *inner = json_object_new_object();
    char member[80];
    snprintf(member, sizeof member, "ietf-dots-data-channel:%s", k->container);
    if (json_object_array_length(list))
        json_object_object_add(inner, k->entry, list);
    else
        json_object_put(list);
    json_object_object_add(top, member, inner);
    /* built by its key value, not a path: a cuid may hold both quotes */
    struct lyd_node *client = NULL;
    *root = NULL;
    int rc = lyd_new_inner(NULL, r->d->module, "dots-data", 0, root) == LY_SUCCESS &&
                     lyd_new_list(*root, NULL, "dots-client", 0, &client, t->cuid) == LY_SUCCESS
                 ? 0
                 : -1;
    if (rc < 0)
        restconf_error(r, 500, "application", "operation-failed", t->path, "out of memory");
    else
        rc = restconf_parse_stored(r, client, json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN),
                                   with_state, t->path);
    json_object_put(top);
    if (rc == 0 && !(*container = dots_data_find_child(client, k->container))) {
        restconf_error(r, 500, "application", "operation-failed", t->path, "out of memory");
        rc = -1;
    }
    if (rc < 0)
        lyd_free_all(*root);
    return rc;
}

int dots_data_commit(const struct dots_request *r, const struct dots_data_target *t, const struct lyd_node *container,
                     const struct dots_data_put *how, size_t *created)
{
    size_t n;
    char **bodies = restconf_list_bodies(r, container, t->kind->container, t->kind->entry, &n);
    if (!bodies)
        return -1;
    struct dots_data_put p = *how;
    p.cuid = t->cuid, p.bodies = (const char *const *)bodies, p.n = n;
    int rc = t->kind->put(r, &p, created, t->path);
    restconf_free_bodies(bodies, n);
    return rc;
}

void dots_data_set_location(const struct dots_request *r, const char *cuid, const char *what, const char *name)
{
    char *c = evhttp_uriencode(cuid, -1, 0), *n = evhttp_uriencode(name, -1, 0), location[1200];
    snprintf(location, sizeof location, DOTS_DATA_ROOT "/dots-client=%s/%s=%s", c ? c : cuid, what, n ? n : name);
    free(c);
    free(n);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", location);
}

/* ---- the methods ------------------------------------------------------------------ */

/* GET and HEAD (RFC 8040 section 4.3) with content and depth: the stored
 * entries as a tree with their config-false nodes, the target cut from
 * it. */
static void get(const struct dots_request *r, const struct dots_data_target *t, const struct restconf_query *q)
{
    const struct dots_data_kind *k = t->kind;
    struct lyd_node *root, *target;
    if (dots_data_load(r, t, true, &root, &target) < 0)
        return;
    /* dots_data_load answered 404 for a missing entry */
    if (t->name)
        target = dots_data_find_entry(target, k->entry, t->name);
    if (target && t->level >= DOTS_DATA_AT_BELOW_LIST)
        target = dots_data_find_child(target, k->below_container);
    if (target && t->level == DOTS_DATA_AT_BELOW_ENTRY)
        target = dots_data_find_entry(target, k->below_entry, t->below_name);
    if (target) {
        restconf_query_filter(target, q);
        restconf_reply_tree(r, target);
    } else {
        restconf_error(r, 404, "protocol", "invalid-value", t->path, "no %s '%s' in %s '%s' of dots-client %s",
                       k->below_title, t->below_name ? t->below_name : "", k->title, t->name, t->cuid);
    }
    lyd_free_all(root);
}

/* The name of the body's first entry (the list key). */
static char *first_name(const char *body)
{
    json_object *o = json_tokener_parse(body), *name;
    char *out = o && json_object_object_get_ex(o, "name", &name) ? strdup(json_object_get_string(name)) : NULL;
    json_object_put(o);
    return out;
}

/* POST (create; 409 when one exists) or PUT of the entry the URI names
 * (201 on creation, 204 on replacement), with insert and point when the
 * entries are ordered by user. */
static void put(const struct dots_request *r, const struct dots_data_target *t, const struct restconf_query *q)
{
    const struct dots_data_kind *k = t->kind;
    struct dots_data_put p = {.cuid = t->cuid, .create = t->level != DOTS_DATA_AT_ENTRY, .insert = q->insert};
    char prefix[600];
    snprintf(prefix, sizeof prefix, "/ietf-dots-data-channel:dots-data/dots-client=%s/%s/%s=", t->cuid, k->container,
             k->entry);
    if (q->point && !(p.point = restconf_query_point(r, q, prefix, "an acl of this dots-client")))
        return;
    char client[400];
    struct lyd_node *root, *parent;
    restconf_client_path(t->cuid, "", client, sizeof client);
    if (restconf_parse_body_below(r, t->level == DOTS_DATA_AT_CLIENT ? client : t->container_path, &root, &parent) < 0)
        return;
    size_t n;
    char **bodies = restconf_list_bodies(r, parent, k->container, k->entry, &n);
    lyd_free_all(root);
    char *first = bodies ? first_name(bodies[0]) : NULL;
    if (bodies && t->name && (n != 1 || !first || strcmp(first, t->name) != 0)) {
        restconf_error(r, 400, "application", "invalid-value", t->path,
                       "the body must hold the one %s the URI names, '%s' (RFC 8040 section 4.5)", k->entry, t->name);
        restconf_free_bodies(bodies, n);
        bodies = NULL;
    }
    size_t created = 0;
    if (bodies) {
        p.bodies = (const char *const *)bodies, p.n = n;
        if (k->put(r, &p, &created, t->path) == 0) {
            char what[100];
            snprintf(what, sizeof what, "%s/%s", k->container, k->entry);
            if (created && first)
                dots_data_set_location(r, t->cuid, what, first);
            restconf_reply_empty(r, created ? 201 : 204);
        }
    }
    free(first);
    restconf_free_bodies(bodies, n);
}

/* PATCH (RFC 8040 section 4.6.1, a plain patch): the body merged into the
 * stored target with libyang, the whole validated, and the entries the
 * body names replaced through the core in one change. 404 when the target
 * entry does not exist (a plain patch does not create it). */
static void patch(const struct dots_request *r, const struct dots_data_target *t)
{
    const struct dots_data_kind *k = t->kind;
    char client[400];
    struct lyd_node *proot, *pparent, *root = NULL, *container, *node, *next;
    restconf_client_path(t->cuid, "", client, sizeof client);
    bool entry = t->level == DOTS_DATA_AT_ENTRY;
    if (restconf_parse_patch_below(r, entry ? t->container_path : client, &proot, &pparent) < 0)
        return;
    /* the body is the target resource: the container, or the one entry
     * (patched: the container holding what is merged) */
    struct lyd_node *patched = entry ? pparent : NULL;
    bool other = false;
    LY_LIST_FOR(entry ? NULL : lyd_child(pparent), node)
    {
        if (strcmp(node->schema->name, k->container) == 0)
            patched = node;
        else if (!lysc_is_key(node->schema))
            other = true;
    }
    size_t n = 0;
    LY_LIST_FOR(patched ? lyd_child(patched) : NULL, node)
    n++;
    if (entry && (n != 1 || strcmp(lyd_get_value(lyd_child(lyd_child(patched))), t->name) != 0)) {
        restconf_error(r, 400, "application", "invalid-value", t->path,
                       "the body must hold the one %s the URI names, '%s' (RFC 8040 section 4.6.1)", k->entry,
                       t->name);
    } else if (other || !patched) {
        restconf_error(r, 400, "application", "invalid-value", t->path,
                       "the body must be the target resource, {\"ietf-dots-data-channel:%s\":{...}} (RFC 8040 "
                       "section 4.6.1)",
                       k->container);
    } else if (dots_data_load(r, t, false, &root, &container) == 0) {
        size_t created = 0;
        struct dots_data_put how = {0};
        if (lyd_merge_siblings(&root, proot, 0) != LY_SUCCESS) {
            restconf_error(r, 500, "application", "operation-failed", t->path, "libyang's merge failed");
        } else if (restconf_validate(r, &root, client) == 0) {
            /* what the body does not name stays as it is */
            LY_LIST_FOR_SAFE(lyd_child(container), next, node)
            {
                if (!dots_data_find_entry(patched, k->entry, lyd_get_value(lyd_child(node))))
                    lyd_free_tree(node);
            }
            if (n == 0 || dots_data_commit(r, t, container, &how, &created) == 0)
                restconf_reply_empty(r, 204);
        }
    }
    lyd_free_all(root);
    lyd_free_all(proot);
}

static void remove_entries(const struct dots_request *r, const struct dots_data_target *t)
{
    if (t->kind->remove(r, t->cuid, t->name, t->path) == 0)
        restconf_reply_empty(r, 204);
}

/* The query parameters the method takes at the target. */
static unsigned parameters(const struct dots_data_target *t, enum evhttp_cmd_type m)
{
    if (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
        return RESTCONF_Q_CONTENT | RESTCONF_Q_DEPTH;
    bool ordered = t->level >= DOTS_DATA_AT_BELOW_LIST || t->kind->ordered;
    return (m == EVHTTP_REQ_POST || m == EVHTTP_REQ_PUT) && ordered ? RESTCONF_Q_INSERT | RESTCONF_Q_POINT : 0;
}

void dots_data_serve_kind(const struct dots_request *r, const struct dots_data_kind *k, const char *cuid,
                          const char *rest)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    struct dots_data_target t = {.kind = k, .cuid = cuid};
    struct restconf_query q;
    if (read_target(r, &t, rest) < 0) {
        /* answered */
    } else if (m == EVHTTP_REQ_OPTIONS) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", levels[t.level].allow);
        restconf_reply_empty(r, 200);
    } else if (!(levels[t.level].methods & m)) {
        restconf_not_allowed(r, levels[t.level].allow);
    } else if (restconf_query_read(r, parameters(&t, m), &q) == 0) {
        if (!r->d->cfg.core) {
            restconf_error(r, 501, "application", "operation-not-supported", NULL, "%s", k->no_core);
        } else if (dots_data_check_owner(r, cuid, t.path) == 0) {
            int found = dots_data_registered(r, cuid, t.path);
            if (found == 0)
                restconf_error(r, 404, "protocol", "invalid-value", t.path, "no dots-client %s is registered", cuid);
            else if (found == 1 && (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD))
                get(r, &t, &q);
            else if (found == 1 && t.level >= DOTS_DATA_AT_BELOW_LIST)
                k->below(r, &t, &q);
            else if (found == 1 && (m == EVHTTP_REQ_POST || m == EVHTTP_REQ_PUT))
                put(r, &t, &q);
            else if (found == 1 && m == EVHTTP_REQ_PATCH)
                patch(r, &t);
            else if (found == 1)
                remove_entries(r, &t);
        }
        restconf_query_free(&q);
    }
    free(t.name);
    free(t.below_name);
}
