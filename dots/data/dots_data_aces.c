/* Single ACEs of a dots-client's ACL (RFC 8783 section 7.3's aces/ace,
 * ordered by user): POST to acls/acl=NAME/aces creates one (409 when it
 * exists), PUT .../aces/ace=NAME creates or replaces it, DELETE removes it,
 * with insert and point (RFC 8040 sections 4.8.5 and 4.8.6) naming another
 * ACE of the same ACL. Each change is made on a libyang tree of the stored
 * ACL, validated whole and given to the core as the ACL's replacement (in
 * place), which recompiles it in one change before the answer. GET is the
 * common one (dots_data_resource.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_data_internal.h"

/* The stored ACL the target names as a tree; *aces its aces container
 * (created when it has none). 0, or -1 after answering (404 when there is
 * no such ACL). */
static int load_acl(const struct dots_request *r, const struct dots_data_target *t, struct lyd_node **root,
                    struct lyd_node **container, struct lyd_node **aces)
{
    if (dots_data_load(r, t, false, root, container) < 0)
        return -1;
    struct lyd_node *acl = dots_data_find_entry(*container, "acl", t->name);
    if (acl && (*aces = dots_data_find_child(acl, "aces")))
        return 0;
    restconf_error(r, 500, "application", "operation-failed", t->path, "out of memory reading ACL '%s'", t->name);
    lyd_free_all(*root);
    return -1;
}

/* The body's one ace (unlinked from *body_root, which the caller frees),
 * named as the URI says for a PUT; NULL after answering. */
static struct lyd_node *body_ace(const struct dots_request *r, const struct dots_data_target *t,
                                 struct lyd_node **body_root)
{
    struct lyd_node *parent, *ace, *node;
    size_t n = 0;
    char at[sizeof t->entry_path + 8];
    snprintf(at, sizeof at, "%s/aces", t->entry_path);
    /* validated once in the ACL */
    if (restconf_parse_patch_below(r, at, body_root, &parent) < 0)
        return NULL;
    LY_LIST_FOR(lyd_child(parent), node)
    n++;
    ace = lyd_child(parent);
    if (n != 1 || (t->below_name && strcmp(lyd_get_value(lyd_child(ace)), t->below_name) != 0)) {
        if (t->below_name)
            restconf_error(r, 400, "application", "invalid-value", t->path,
                           "the body must hold the one ace the URI names, '%s' (RFC 8040 section 4.5)",
                           t->below_name);
        else
            restconf_error(r, 400, "application", "invalid-value", t->path,
                           "the body must hold one ace, {\"ietf-dots-data-channel:ace\":[{...}]} (RFC 8040 section "
                           "4.4.1)");
        return NULL;
    }
    lyd_unlink_tree(ace);
    return ace;
}

/* ace placed among the ACL's aces as insert says (section 4.8.5: by
 * default a new ACE goes last and a replaced one where the old one was),
 * the old one (or NULL) freed. 0, or -1 after answering. */
static int place(const struct dots_request *r, const struct dots_data_target *t, const struct restconf_query *q,
                 struct lyd_node *aces, struct lyd_node *ace, struct lyd_node *old)
{
    const char *name = lyd_get_value(lyd_child(ace));
    struct lyd_node *point = NULL, *first;
    if (q->point) {
        char prefix[1200];
        snprintf(prefix, sizeof prefix, "/ietf-dots-data-channel:dots-data/dots-client=%s/acls/acl=%s/aces/ace=",
                 t->cuid, t->name);
        const char *pname = restconf_query_point(r, q, prefix, "an ace of this acl");
        if (!pname)
            return -1;
        if (strcmp(pname, name) == 0) {
            restconf_error(r, 400, "protocol", "invalid-value", t->path, "point: ACE '%s' is the one being placed",
                           pname);
            return -1;
        }
        if (!(point = dots_data_find_entry(aces, "ace", pname))) {
            restconf_error(r, 400, "protocol", "invalid-value", t->path, "point: no ACE '%s' of ACL '%s'", pname,
                           t->name);
            return -1;
        }
    }
    LY_ERR ret;
    if (q->insert == SCRUB_DATA_INSERT_DEFAULT && old)
        ret = lyd_insert_before(old, ace);
    else if (q->insert == SCRUB_DATA_INSERT_BEFORE)
        ret = lyd_insert_before(point, ace);
    else if (q->insert == SCRUB_DATA_INSERT_AFTER)
        ret = lyd_insert_after(point, ace);
    else if (q->insert == SCRUB_DATA_INSERT_FIRST && (first = lyd_child(aces)) != NULL)
        ret = lyd_insert_before(first, ace);
    else
        ret = lyd_insert_child(aces, ace);
    if (ret != LY_SUCCESS) {
        restconf_error(r, 500, "application", "operation-failed", t->path, "libyang could not place ACE '%s'", name);
        return -1;
    }
    lyd_free_tree(old);
    return 0;
}

/* POST .../aces (create) and PUT .../aces/ace=NAME (create or replace). */
static void put_ace(const struct dots_request *r, const struct dots_data_target *t, const struct restconf_query *q)
{
    struct lyd_node *body_root = NULL, *root = NULL, *container, *aces;
    struct lyd_node *ace = body_ace(r, t, &body_root);
    if (!ace || load_acl(r, t, &root, &container, &aces) < 0) {
        lyd_free_tree(ace);
        lyd_free_all(body_root);
        return;
    }
    char name[256], client[400];
    snprintf(name, sizeof name, "%s", lyd_get_value(lyd_child(ace)));
    struct lyd_node *old = dots_data_find_entry(aces, "ace", name);
    restconf_client_path(t->cuid, "", client, sizeof client);
    size_t created = 0;
    struct dots_data_put how = {0};
    if (old && t->level == DOTS_DATA_AT_BELOW_LIST) {
        restconf_error(r, 409, "application", "data-exists", t->path, "ACE '%s' of ACL '%s' exists already", name,
                       t->name);
        lyd_free_tree(ace);
    } else if (place(r, t, q, aces, ace, old) < 0) {
        lyd_free_tree(ace);
    } else if (restconf_validate(r, &root, client) == 0 && dots_data_commit(r, t, container, &how, &created) == 0) {
        if (!old) {
            char what[700], *acl = evhttp_uriencode(t->name, -1, 0);
            snprintf(what, sizeof what, "acls/acl=%s/aces/ace", acl ? acl : t->name);
            free(acl);
            dots_data_set_location(r, t->cuid, what, name);
        }
        restconf_reply_empty(r, old ? 204 : 201);
    }
    lyd_free_all(root);
    lyd_free_all(body_root);
}

static void delete_ace(const struct dots_request *r, const struct dots_data_target *t)
{
    struct lyd_node *root, *container, *aces, *ace;
    size_t created;
    struct dots_data_put how = {0};
    if (load_acl(r, t, &root, &container, &aces) < 0)
        return;
    if (!(ace = dots_data_find_entry(aces, "ace", t->below_name))) {
        restconf_error(r, 404, "protocol", "invalid-value", t->path, "no ACE '%s' in ACL '%s' of dots-client %s",
                       t->below_name, t->name, t->cuid);
    } else {
        lyd_free_tree(ace);
        if (dots_data_commit(r, t, container, &how, &created) == 0)
            restconf_reply_empty(r, 204);
    }
    lyd_free_all(root);
}

void dots_data_serve_aces(const struct dots_request *r, const struct dots_data_target *t,
                          const struct restconf_query *q)
{
    if (evhttp_request_get_command(r->req) == EVHTTP_REQ_DELETE)
        delete_ace(r, t);
    else
        put_ace(r, t, q);
}
