/* A dots-client's ACLs (RFC 8783 section 7.3) on the host core: POST to
 * the dots-client (or to its acls) creates, PUT acls/acl=NAME creates or
 * replaces, GET reads them with per-ACE statistics (the card's counters),
 * DELETE removes. Bodies are validated with libyang, then each acl goes to
 * the core as JSON; the core compiles, checks (tenant safety, quota, fit),
 * stores with its audit record and programs the card before the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>

#include "dots_data_internal.h"
#include "scrub_core.h"

/* The name (the list key, its first child) of the body's first acl. */
static const char *first_acl_name(const struct lyd_node *parent)
{
    const struct lyd_node *acls = parent, *node;
    if (strcmp(parent->schema->name, "dots-client") == 0) {
        acls = NULL;
        LY_LIST_FOR(lyd_child(parent), node)
        {
            if (strcmp(node->schema->name, "acls") == 0)
                acls = node;
        }
    }
    const struct lyd_node *acl = acls ? lyd_child(acls) : NULL;
    return acl ? lyd_get_value(lyd_child(acl)) : NULL;
}

static void set_location(const struct dots_request *r, const char *cuid, const char *name)
{
    char *c = evhttp_uriencode(cuid, -1, 0), *n = evhttp_uriencode(name, -1, 0), location[800];
    snprintf(location, sizeof location, DOTS_DATA_ROOT "/dots-client=%s/acls/acl=%s", c ? c : cuid, n ? n : name);
    free(c);
    free(n);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", location);
}

/* RFC 8040 sections 4.8.5 and 4.8.6: insert (first, last, before, after)
 * and point, the data-resource-identifier of an acl of this dots-client,
 * each at most once (section 4.8); req->point points into *point_name (the
 * caller frees it). Any other parameter is refused. 0, or -1 after
 * answering. */
static int read_insert(const struct dots_request *r, const char *cuid, struct scrub_data_acls_req *req,
                       char **point_name)
{
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
    struct evkeyvalq params;
    struct evkeyval *kv;
    *point_name = NULL;
    if (!query)
        return 0;
    if (evhttp_parse_query_str(query, &params) < 0) {
        restconf_error(r, 400, "protocol", "invalid-value", NULL, "the query '%s' does not parse", query);
        return -1;
    }
    static const char *const inserts[] = {"", "first", "last", "before", "after"};
    int rc = 0;
    bool insert_seen = false;
    for (kv = params.tqh_first; rc == 0 && kv; kv = kv->next.tqe_next) {
        bool again = strcmp(kv->key, "insert") == 0 ? insert_seen : strcmp(kv->key, "point") == 0 && *point_name;
        insert_seen = insert_seen || strcmp(kv->key, "insert") == 0;
        if (again) {
            rc = -1, restconf_error(r, 400, "protocol", "invalid-value", NULL,
                                    "query parameter '%s' given twice (RFC 8040 section 4.8: at most once)", kv->key);
        } else if (strcmp(kv->key, "insert") == 0) {
            size_t i = 1;
            while (i < 5 && strcmp(kv->value, inserts[i]) != 0)
                i++;
            if (i == 5)
                rc = -1, restconf_error(r, 400, "protocol", "invalid-value", NULL,
                                        "insert '%s' is not first, last, before or after", kv->value);
            else
                req->insert = (enum scrub_data_insert)i;
        } else if (strcmp(kv->key, "point") == 0) {
            char prefix[600];
            snprintf(prefix, sizeof prefix, "/ietf-dots-data-channel:dots-data/dots-client=%s/acls/acl=", cuid);
            if (strncmp(kv->value, prefix, strlen(prefix)) != 0 || !kv->value[strlen(prefix)])
                rc = -1, restconf_error(r, 400, "protocol", "invalid-value", NULL,
                                        "point must name an acl of this dots-client: %sNAME", prefix);
            else if (!(*point_name = strdup(kv->value + strlen(prefix))))
                rc = -1, restconf_error(r, 500, "application", "operation-failed", NULL, "out of memory");
        } else {
            rc = -1, restconf_error(r, 400, "protocol", "invalid-value", NULL,
                                    "query parameter '%s' is not supported here (insert and point are)", kv->key);
        }
    }
    evhttp_clear_headers(&params);
    if (rc == 0 && (*point_name != NULL) != (req->insert == SCRUB_DATA_INSERT_BEFORE ||
                                            req->insert == SCRUB_DATA_INSERT_AFTER)) {
        restconf_error(r, 400, "protocol", *point_name ? "invalid-value" : "missing-attribute", NULL,
                       "point goes with insert before or after, and only with them (RFC 8040 section 4.8.6)");
        rc = -1;
    }
    req->point = *point_name;
    return rc;
}

/* POST (create; 409 when one exists) or PUT of one named ACL (201 on
 * creation, 204 on replacement). below: where the body goes. */
static void put_acls(const struct dots_request *r, const char *cuid, const char *below, const char *put_name,
                     const char *path)
{
    char *point = NULL;
    struct scrub_data_acls_req req = {.cuid = cuid, .create = put_name == NULL};
    if (read_insert(r, cuid, &req, &point) < 0) {
        free(point);
        return;
    }
    char at[600];
    struct lyd_node *root, *parent;
    restconf_client_path(cuid, below, at, sizeof at);
    if (restconf_parse_body_below(r, at, &root, &parent) < 0) {
        free(point);
        return;
    }
    size_t n;
    char **bodies = restconf_list_bodies(r, parent, "acls", "acl", &n);
    const char *first = bodies ? first_acl_name(parent) : NULL;
    if (bodies && put_name && (n != 1 || !first || strcmp(first, put_name) != 0)) {
        restconf_error(r, 400, "application", "invalid-value", path,
                       "the body must hold the one acl the URI names, '%s' (RFC 8040 section 4.5)", put_name);
        restconf_free_bodies(bodies, n);
        bodies = NULL;
    }
    char *name = first ? strdup(first) : NULL;
    lyd_free_all(root);
    if (!bodies) {
        free(name);
        free(point);
        return;
    }
    struct scrub_actor a = restconf_actor(r);
    req.acls = (const char *const *)bodies;
    req.n_acls = n;
    struct scrub_data_acls_result res;
    struct scrub_err err;
    if (scrub_core_data_acls_put(r->d->cfg.core, &a, &req, &res, &err) < 0) {
        restconf_refuse(r, "ACLs", path, &err);
    } else {
        dots_data_say(r->d, DOTS_LOG_INFO, "%zu ACLs of %s created, %zu replaced by %s: on the card", res.created,
                      cuid, res.replaced, r->identity);
        if (res.created && name)
            set_location(r, cuid, name);
        restconf_reply_empty(r, res.created ? 201 : 204);
    }
    free(name);
    free(point);
    restconf_free_bodies(bodies, n);
}

/* ---- GET --------------------------------------------------------------------------- */

struct listing {
    json_object *list;
    bool failed;
};

static char *u64(uint64_t v, char *buf, size_t size)
{
    snprintf(buf, size, "%llu", (unsigned long long)v);
    return buf;
}

/* The stored acl with its activation-type as the core has it, its
 * pending-lifetime (minutes, config false) and each ACE's statistics (ietf-access-control-list's acl-counters: config false
 * nodes of the data channel's ace). */
static int add_acl(void *ctx, const struct scrub_data_acl_view *v)
{
    struct listing *l = ctx;
    json_object *acl = json_tokener_parse(v->body), *aces = NULL, *list = NULL;
    if (!acl) {
        l->failed = true;
        return 1;
    }
    json_object_object_add(acl, "activation-type", json_object_new_string(scrub_store_activation_name(v->activation)));
    if (v->pending_lifetime_s >= 0) /* minutes left, rounded up: 0 only once it ended */
        json_object_object_add(acl, "pending-lifetime", json_object_new_int((int32_t)((v->pending_lifetime_s + 59) / 60)));
    if (json_object_object_get_ex(acl, "aces", &aces) && json_object_object_get_ex(aces, "ace", &list))
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *ace = json_object_array_get_idx(list, i), *name;
            if (!json_object_object_get_ex(ace, "name", &name))
                continue;
            for (size_t k = 0; k < v->n_aces; k++) {
                if (strcmp(v->aces[k].name, json_object_get_string(name)) != 0 || !v->aces[k].counters_known)
                    continue;
                char b[24];
                json_object *st = json_object_new_object();
                json_object_object_add(st, "matched-packets",
                                       json_object_new_string(u64(v->aces[k].matched.packets, b, sizeof b)));
                json_object_object_add(st, "matched-octets",
                                       json_object_new_string(u64(v->aces[k].matched.bytes, b, sizeof b)));
                json_object_object_add(ace, "statistics", st);
            }
        }
    json_object_array_add(l->list, acl);
    return 0;
}

static void get_acls(const struct dots_request *r, const char *cuid, const char *name, const char *path)
{
    struct listing l = {json_object_new_array(), false};
    struct scrub_err err;
    if (scrub_core_data_acls_each(r->d->cfg.core, cuid, name, true, add_acl, &l, &err) < 0 || l.failed) {
        json_object_put(l.list);
        if (l.failed)
            restconf_error(r, 500, "application", "operation-failed", path, "a stored ACL is not JSON");
        else
            restconf_refuse(r, "ACLs", path, &err);
        return;
    }
    json_object *top = json_object_new_object();
    if (name && json_object_array_length(l.list) == 0) {
        json_object_put(l.list);
        json_object_put(top);
        restconf_error(r, 404, "protocol", "invalid-value", path, "no ACL '%s' of dots-client %s", name, cuid);
        return;
    }
    if (name) {
        json_object_object_add(top, "ietf-dots-data-channel:acl", l.list);
    } else {
        json_object *acls = json_object_new_object();
        if (json_object_array_length(l.list))
            json_object_object_add(acls, "acl", l.list);
        else
            json_object_put(l.list);
        json_object_object_add(top, "ietf-dots-data-channel:acls", acls);
    }
    restconf_reply_json(r, 200, top);
}

/* ---- routing ----------------------------------------------------------------------- */

int dots_data_acls_remove_all(const struct dots_request *r, const char *cuid, const char *path)
{
    if (!r->d->cfg.core)
        return 0;
    struct scrub_actor a = restconf_actor(r);
    struct scrub_err err;
    if (scrub_core_data_acl_delete(r->d->cfg.core, &a, cuid, NULL, &err) < 0) {
        restconf_refuse(r, "ACLs", path, &err);
        return -1;
    }
    return 0;
}

void dots_data_serve_acls(const struct dots_request *r, const char *cuid, const char *rest)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    char path[900], below[600] = "";
    static const char one[] = "/acls/acl=";
    char *name = NULL;
    if (strncmp(rest, one, sizeof one - 1) == 0) {
        size_t len = 0;
        name = evhttp_uridecode(rest + sizeof one - 1, 0, &len);
        if (!name || len == 0 || len != strlen(name) || strchr(name, '/')) {
            free(name);
            restconf_error(r, name ? 501 : 500, "application", name ? "operation-not-supported" : "operation-failed",
                           NULL, "%s", name ? "only whole ACLs are served (acls, acls/acl=NAME)" : "out of memory");
            return;
        }
    } else if (*rest && strcmp(rest, "/acls") != 0) {
        restconf_error(r, 501, "application", "operation-not-supported", NULL,
                       "only whole ACLs are served (acls, acls/acl=NAME)");
        return;
    }
    restconf_client_path(cuid, *rest ? "/acls" : "", below, sizeof below);
    if (name)
        snprintf(path, sizeof path, "%s/acl[name='%s']", below, name);
    else
        snprintf(path, sizeof path, "%s", below);
    const char *allow = !*rest ? "GET, HEAD, POST, PUT, DELETE, OPTIONS"
                        : name ? "GET, HEAD, PUT, DELETE, OPTIONS"
                               : "GET, HEAD, POST, DELETE, OPTIONS";
    bool ok_method = m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD || m == EVHTTP_REQ_DELETE ||
                     (m == EVHTTP_REQ_POST && !name) || (m == EVHTTP_REQ_PUT && name);
    if (m == EVHTTP_REQ_OPTIONS) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", allow);
        restconf_reply_empty(r, 200);
    } else if (!ok_method) {
        restconf_not_allowed(r, allow);
    } else if (m != EVHTTP_REQ_POST && m != EVHTTP_REQ_PUT && evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req))) {
        restconf_error(r, 400, "protocol", "invalid-value", NULL, "query parameters are not supported yet (got '%s')",
                       evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req)));
    } else if (!r->d->cfg.core) {
        restconf_error(r, 501, "application", "operation-not-supported", NULL,
                       "this server has no card behind it: ACLs are not served");
    } else if (dots_data_check_owner(r, cuid, path) == 0) {
        int found = dots_data_registered(r, cuid, path);
        if (found == 0)
            restconf_error(r, 404, "protocol", "invalid-value", path, "no dots-client %s is registered", cuid);
        if (found != 1) {
            free(name);
            return;
        }
        struct scrub_actor a = restconf_actor(r);
        struct scrub_err err;
        if (m == EVHTTP_REQ_POST)
            put_acls(r, cuid, *rest ? "/acls" : "", NULL, path);
        else if (m == EVHTTP_REQ_PUT)
            put_acls(r, cuid, "/acls", name, path);
        else if (m == EVHTTP_REQ_DELETE && scrub_core_data_acl_delete(r->d->cfg.core, &a, cuid, name, &err) < 0)
            restconf_refuse(r, "ACLs", path, &err);
        else if (m == EVHTTP_REQ_DELETE)
            restconf_reply_empty(r, 204);
        else
            get_acls(r, cuid, name, path);
    }
    free(name);
}
