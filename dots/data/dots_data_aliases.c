/* A dots-client's aliases (RFC 8783) through the host core, as a kind of
 * dots_data_resource.c: POST to the dots-client (or to its aliases)
 * creates, PUT aliases/alias=NAME creates or replaces, PATCH merges, GET
 * reads one or all with pending-lifetime, DELETE removes. Bodies are
 * validated with libyang, then each alias goes to the core as JSON; the
 * core checks tenant safety and the quota and stores it with its audit
 * record before the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_data_internal.h"
#include "scrub_core.h"

static int put_aliases(const struct dots_request *r, const struct dots_data_put *p, size_t *created,
                       const char *path)
{
    struct scrub_actor a = restconf_actor(r);
    struct scrub_data_aliases_req req = {.cuid = p->cuid, .aliases = p->bodies, .n_aliases = p->n,
                                         .create = p->create};
    struct scrub_data_aliases_result res;
    struct scrub_err err;
    if (scrub_core_data_aliases_put(r->d->cfg.core, &a, &req, &res, &err) < 0) {
        restconf_refuse(r, "aliases", path, &err);
        return -1;
    }
    dots_data_say(r->d, DOTS_LOG_INFO, "%zu aliases of %s created, %zu replaced by %s: committed", res.created,
                  p->cuid, res.replaced, r->identity);
    *created = res.created;
    return 0;
}

struct listing {
    json_object *list;
    bool with_state, failed;
};

/* The stored alias with, with_state, its pending-lifetime (minutes left,
 * rounded up; config false). */
static int add_alias(void *ctx, const struct scrub_data_alias_view *v)
{
    struct listing *l = ctx;
    json_object *alias = json_tokener_parse(v->body);
    if (!alias) {
        l->failed = true;
        return 1;
    }
    if (l->with_state && v->pending_lifetime_s >= 0)
        json_object_object_add(alias, "pending-lifetime",
                               json_object_new_int((int32_t)((v->pending_lifetime_s + 59) / 60)));
    json_object_array_add(l->list, alias);
    return 0;
}

static int list_aliases(const struct dots_request *r, const char *cuid, const char *name, bool with_state,
                        json_object *list, const char *path)
{
    struct listing l = {list, with_state, false};
    struct scrub_err err;
    if (scrub_core_data_aliases_each(r->d->cfg.core, NULL, cuid, name, add_alias, &l, &err) < 0 || l.failed) {
        if (l.failed)
            restconf_error(r, 500, "application", "operation-failed", path, "a stored alias is not JSON");
        else
            restconf_refuse(r, "aliases", path, &err);
        return -1;
    }
    return 0;
}

static int remove_aliases(const struct dots_request *r, const char *cuid, const char *name, const char *path)
{
    struct scrub_actor a = restconf_actor(r);
    struct scrub_err err;
    if (scrub_core_data_alias_delete(r->d->cfg.core, &a, cuid, name, &err) < 0) {
        restconf_refuse(r, "aliases", path, &err);
        return -1;
    }
    return 0;
}

const struct dots_data_kind dots_data_aliases = {
    .container = "aliases",
    .entry = "alias",
    .title = "alias",
    .unknown_status = 404,
    .unknown_path = "an alias is served whole (aliases, aliases/alias=NAME)",
    .no_core = "this server has no host core behind it: aliases are not served",
    .list = list_aliases,
    .put = put_aliases,
    .remove = remove_aliases,
};
