/* A dots-client's aliases (RFC 8783) through the host core: POST to the
 * dots-client (or to its aliases) creates, PUT aliases/alias=NAME creates
 * or replaces, GET reads one or all with pending-lifetime, DELETE
 * removes. Bodies are validated with libyang, then each alias goes to the
 * core as JSON; the core checks tenant safety and the quota and stores it
 * with its audit record before the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_data_internal.h"
#include "scrub_core.h"

/* The name of the body's first alias (the list key). */
static char *first_name(const char *body)
{
    json_object *o = json_tokener_parse(body), *name;
    char *out = o && json_object_object_get_ex(o, "name", &name) ? strdup(json_object_get_string(name)) : NULL;
    json_object_put(o);
    return out;
}

/* POST (create; 409 when one exists) or PUT of the one alias put_name
 * (201 on creation, 204 on replacement). below: where the body goes. */
static void put_aliases(const struct dots_request *r, const char *cuid, const char *below, const char *put_name,
                        const char *path)
{
    char at[600];
    struct lyd_node *root, *parent;
    restconf_client_path(cuid, below, at, sizeof at);
    if (restconf_parse_body_below(r, at, &root, &parent) < 0)
        return;
    size_t n;
    char **bodies = restconf_list_bodies(r, parent, "aliases", "alias", &n);
    lyd_free_all(root);
    char *first = bodies ? first_name(bodies[0]) : NULL;
    if (bodies && put_name && (n != 1 || !first || strcmp(first, put_name) != 0)) {
        restconf_error(r, 400, "application", "invalid-value", path,
                       "the body must hold the one alias the URI names, '%s' (RFC 8040 section 4.5)", put_name);
        restconf_free_bodies(bodies, n);
        bodies = NULL;
    }
    if (!bodies) {
        free(first);
        return;
    }
    struct scrub_actor a = restconf_actor(r);
    struct scrub_data_aliases_req req = {.cuid = cuid, .aliases = (const char *const *)bodies, .n_aliases = n,
                                         .create = put_name == NULL};
    struct scrub_data_aliases_result res;
    struct scrub_err err;
    if (scrub_core_data_aliases_put(r->d->cfg.core, &a, &req, &res, &err) < 0) {
        restconf_refuse(r, "aliases", path, &err);
    } else {
        dots_data_say(r->d, DOTS_LOG_INFO, "%zu aliases of %s created, %zu replaced by %s: committed", res.created,
                      cuid, res.replaced, r->identity);
        if (res.created && first) {
            char *c = evhttp_uriencode(cuid, -1, 0), *f = evhttp_uriencode(first, -1, 0), location[800];
            snprintf(location, sizeof location, DOTS_DATA_ROOT "/dots-client=%s/aliases/alias=%s", c ? c : cuid,
                     f ? f : first);
            free(c);
            free(f);
            evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", location);
        }
        restconf_reply_empty(r, res.created ? 201 : 204);
    }
    free(first);
    restconf_free_bodies(bodies, n);
}

struct listing {
    json_object *list;
    bool failed;
};

/* The stored alias with its pending-lifetime (minutes left, rounded up;
 * config false). */
static int add_alias(void *ctx, const struct scrub_data_alias_view *v)
{
    struct listing *l = ctx;
    json_object *alias = json_tokener_parse(v->body);
    if (!alias) {
        l->failed = true;
        return 1;
    }
    if (v->pending_lifetime_s >= 0)
        json_object_object_add(alias, "pending-lifetime",
                               json_object_new_int((int32_t)((v->pending_lifetime_s + 59) / 60)));
    json_object_array_add(l->list, alias);
    return 0;
}

static void get_aliases(const struct dots_request *r, const char *cuid, const char *name, const char *path)
{
    struct listing l = {json_object_new_array(), false};
    struct scrub_err err;
    if (scrub_core_data_aliases_each(r->d->cfg.core, NULL, cuid, name, add_alias, &l, &err) < 0 || l.failed) {
        json_object_put(l.list);
        if (l.failed)
            restconf_error(r, 500, "application", "operation-failed", path, "a stored alias is not JSON");
        else
            restconf_refuse(r, "aliases", path, &err);
        return;
    }
    if (name && json_object_array_length(l.list) == 0) {
        json_object_put(l.list);
        restconf_error(r, 404, "protocol", "invalid-value", path, "no alias '%s' of dots-client %s", name, cuid);
        return;
    }
    json_object *top = json_object_new_object();
    if (name) {
        json_object_object_add(top, "ietf-dots-data-channel:alias", l.list);
    } else {
        json_object *aliases = json_object_new_object();
        if (json_object_array_length(l.list))
            json_object_object_add(aliases, "alias", l.list);
        else
            json_object_put(l.list);
        json_object_object_add(top, "ietf-dots-data-channel:aliases", aliases);
    }
    restconf_reply_json(r, 200, top);
}

void dots_data_serve_aliases(const struct dots_request *r, const char *cuid, const char *rest)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    char path[900], below[600] = "";
    static const char one[] = "/aliases/alias=";
    char *name = NULL;
    if (strncmp(rest, one, sizeof one - 1) == 0) {
        size_t len = 0;
        name = evhttp_uridecode(rest + sizeof one - 1, 0, &len);
        if (!name || len == 0 || len != strlen(name) || strchr(name, '/')) {
            restconf_error(r, name ? 404 : 500, name ? "protocol" : "application",
                           name ? "invalid-value" : "operation-failed", NULL, "%s",
                           name ? "an alias is served whole (aliases, aliases/alias=NAME)" : "out of memory");
            free(name);
            return;
        }
    } else if (*rest && strcmp(rest, "/aliases") != 0) {
        restconf_error(r, 404, "protocol", "invalid-value", NULL, "an alias is served whole (aliases, aliases/alias=NAME)");
        return;
    }
    restconf_client_path(cuid, *rest ? "/aliases" : "", below, sizeof below);
    if (name)
        snprintf(path, sizeof path, "%s/alias[name='%s']", below, name);
    else
        snprintf(path, sizeof path, "%s", below);
    const char *allow = name ? "GET, HEAD, PUT, DELETE, OPTIONS" : "GET, HEAD, POST, DELETE, OPTIONS";
    bool ok_method = m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD || m == EVHTTP_REQ_DELETE ||
                     (m == EVHTTP_REQ_POST && !name) || (m == EVHTTP_REQ_PUT && name);
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
    if (m == EVHTTP_REQ_OPTIONS) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", allow);
        restconf_reply_empty(r, 200);
    } else if (!ok_method) {
        restconf_not_allowed(r, allow);
    } else if (query) {
        restconf_error(r, 400, "protocol", "invalid-value", NULL, "query parameters are not supported on aliases (got '%s')",
                       query);
    } else if (!r->d->cfg.core) {
        restconf_error(r, 501, "application", "operation-not-supported", NULL,
                       "this server has no host core behind it: aliases are not served");
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
            put_aliases(r, cuid, *rest ? "/aliases" : "", NULL, path);
        else if (m == EVHTTP_REQ_PUT)
            put_aliases(r, cuid, "/aliases", name, path);
        else if (m == EVHTTP_REQ_DELETE && scrub_core_data_alias_delete(r->d->cfg.core, &a, cuid, name, &err) < 0)
            restconf_refuse(r, "aliases", path, &err);
        else if (m == EVHTTP_REQ_DELETE)
            restconf_reply_empty(r, 204);
        else
            get_aliases(r, cuid, name, path);
    }
    free(name);
}
