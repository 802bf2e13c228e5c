/* A dots-client's ACLs (RFC 8783 section 7.3) on the host core, as a
 * kind of dots_data_resource.c: POST to the dots-client (or to its acls)
 * creates, PUT acls/acl=NAME creates or replaces, PATCH merges, GET reads
 * them with per-ACE statistics (the card's counters), DELETE removes;
 * their ACEs have resources of their own (dots_data_aces.c). Bodies are
 * validated with libyang, then each acl goes to the core as JSON; the core
 * compiles, checks (tenant safety, quota, fit), stores with its audit
 * record and programs the card before the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_data_internal.h"
#include "scrub_core.h"

static int put_acls(const struct dots_request *r, const struct dots_data_put *p, size_t *created, const char *path)
{
    struct scrub_actor a = restconf_actor(r);
    struct scrub_data_acls_req req = {.cuid = p->cuid, .acls = p->bodies, .n_acls = p->n, .create = p->create,
                                      .insert = p->insert, .point = p->point};
    struct scrub_data_acls_result res;
    struct scrub_err err;
    if (scrub_core_data_acls_put(r->d->cfg.core, &a, &req, &res, &err) < 0) {
        restconf_refuse(r, "ACLs", path, &err);
        return -1;
    }
    dots_data_say(r->d, DOTS_LOG_INFO, "%zu ACLs of %s created, %zu replaced by %s: on the card", res.created, p->cuid,
                  res.replaced, r->identity);
    *created = res.created;
    return 0;
}

/* ---- GET --------------------------------------------------------------------------- */

struct listing {
    json_object *list;
    bool with_state, failed;
};

static char *u64(uint64_t v, char *buf, size_t size)
{
    snprintf(buf, size, "%llu", (unsigned long long)v);
    return buf;
}

/* The stored acl with its activation-type as the core has it (RFC 9133
 * may have changed it) and, with_state, its pending-lifetime (minutes,
 * config false) and each ACE's statistics (ietf-access-control-list's
 * acl-counters: config false nodes of the data channel's ace). */
static int add_acl(void *ctx, const struct scrub_data_acl_view *v)
{
    struct listing *l = ctx;
    json_object *acl = json_tokener_parse(v->body), *aces = NULL, *list = NULL;
    if (!acl) {
        l->failed = true;
        return 1;
    }
    json_object_object_add(acl, "activation-type", json_object_new_string(scrub_store_activation_name(v->activation)));
    json_object_array_add(l->list, acl);
    if (!l->with_state)
        return 0;
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
    return 0;
}

static int list_acls(const struct dots_request *r, const char *cuid, const char *name, bool with_state,
                     json_object *list, const char *path)
{
    struct listing l = {list, with_state, false};
    struct scrub_err err;
    if (scrub_core_data_acls_each(r->d->cfg.core, cuid, name, with_state, add_acl, &l, &err) < 0 || l.failed) {
        if (l.failed)
            restconf_error(r, 500, "application", "operation-failed", path, "a stored ACL is not JSON");
        else
            restconf_refuse(r, "ACLs", path, &err);
        return -1;
    }
    return 0;
}

static int remove_acls(const struct dots_request *r, const char *cuid, const char *name, const char *path)
{
    struct scrub_actor a = restconf_actor(r);
    struct scrub_err err;
    if (scrub_core_data_acl_delete(r->d->cfg.core, &a, cuid, name, &err) < 0) {
        restconf_refuse(r, "ACLs", path, &err);
        return -1;
    }
    return 0;
}

int dots_data_acls_remove_all(const struct dots_request *r, const char *cuid, const char *path)
{
    return r->d->cfg.core ? remove_acls(r, cuid, NULL, path) : 0;
}

const struct dots_data_kind dots_data_acls = {
    .container = "acls",
    .entry = "acl",
    .title = "ACL",
    .ordered = true,
    .below_container = "aces",
    .below_entry = "ace",
    .below_title = "ACE",
    .unknown_status = 501,
    .unknown_path = "ACLs and ACEs are served whole (acls, acls/acl=NAME, acls/acl=NAME/aces, "
                    "acls/acl=NAME/aces/ace=NAME)",
    .no_core = "this server has no card behind it: ACLs are not served",
    .list = list_acls,
    .put = put_acls,
    .remove = remove_acls,
    .below = dots_data_serve_aces,
};
