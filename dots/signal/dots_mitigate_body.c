/* A mitigation request's body as the parts of a scrub_mitigation_req
 * (dots_mitigate_body.h). */
#include "dots_mitigate_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_prefix(struct put_request *r, const char *text, char *diagnostic, size_t size)
{
    struct scrub_prefix *p = realloc(r->prefixes, (r->n_prefixes + 1) * sizeof *p);
    if (!p) {
        snprintf(diagnostic, size, "out of memory");
        return -1;
    }
    r->prefixes = p;
    if (!scrub_prefix_parse(text, &p[r->n_prefixes])) {
        snprintf(diagnostic, size, "scope/target-prefix: '%s' is not a prefix", text);
        return -1;
    }
    r->n_prefixes++;
    return 0;
}

/* Appends one target-port-range, target-protocol or alias-name entry to
 * extra. */
static void add_extra(json_object *extra, const struct lyd_node *n)
{
    json_object *list;
    if (!json_object_object_get_ex(extra, LYD_NAME(n), &list)) {
        list = json_object_new_array();
        json_object_object_add(extra, LYD_NAME(n), list);
    }
    if (strcmp(LYD_NAME(n), "target-protocol") == 0) {
        json_object_array_add(list, json_object_new_int(atoi(lyd_get_value(n))));
        return;
    }
    if (strcmp(LYD_NAME(n), "alias-name") == 0) {
        json_object_array_add(list, json_object_new_string(lyd_get_value(n)));
        return;
    }
    json_object *range = json_object_new_object();
    const struct lyd_node *port;
    LY_LIST_FOR(lyd_child(n), port)
        json_object_object_add(range, LYD_NAME(port), json_object_new_int(atoi(lyd_get_value(port))));
    json_object_array_add(list, range);
}

/* One entry of RFC 9133's acl-list: the ACL to switch, and the entry kept
 * in the scope (a GET gives it back). The schema has checked the
 * activation-type and filled in its default, activate-when-mitigating. */
static int add_acl(struct put_request *r, const struct lyd_node *n, char *diagnostic, size_t size)
{
    const char *name = "", *type = "activate-when-mitigating";
    const struct lyd_node *leaf;
    LY_LIST_FOR(lyd_child(n), leaf) {
        if (strcmp(LYD_NAME(leaf), "acl-name") == 0)
            name = lyd_get_value(leaf);
        else if (strcmp(LYD_NAME(leaf), "activation-type") == 0)
            type = lyd_get_value(leaf);
    }
    int activation = 0;
    while (activation <= SCRUB_STORE_DEACTIVATE &&
           strcmp(scrub_store_activation_name((enum scrub_store_activation)activation), type) != 0)
        activation++;
    if (activation > SCRUB_STORE_DEACTIVATE) {
        snprintf(diagnostic, size, "acl-list: ACL '%s': activation-type '%s' is not served", name, type);
        return -1;
    }
    struct scrub_acl_activation *more = realloc(r->acls, (r->n_acls + 1) * sizeof *more);
    if (more)
        r->acls = more;
    char *copy = more ? strdup(name) : NULL;
    if (!copy) {
        snprintf(diagnostic, size, "out of memory");
        return -1;
    }
    r->acls[r->n_acls++] = (struct scrub_acl_activation){copy, (enum scrub_store_activation)activation};
    json_object *list, *entry = json_object_new_object();
    if (!json_object_object_get_ex(r->extra, "ietf-dots-signal-control:acl-list", &list)) {
        list = json_object_new_array();
        json_object_object_add(r->extra, "ietf-dots-signal-control:acl-list", list);
    }
    json_object_object_add(entry, "acl-name", json_object_new_string(name));
    json_object_object_add(entry, "activation-type", json_object_new_string(type));
    json_object_array_add(list, entry);
    return 0;
}

int dots_put_request_from_tree(const struct lyd_node *tree, bool efficacy, struct put_request *r,
                               char *diagnostic, size_t size)
{
    const struct lyd_node *scope = NULL, *n;
    size_t scopes = 0;
    LY_LIST_FOR(tree, n) {
        if (strcmp(LYD_NAME(n), "scope") != 0) {
            snprintf(diagnostic, size, "%s: a mitigation request body is a mitigation-scope (key 1)", LYD_NAME(n));
            return -1;
        }
        scope = n;
        scopes++;
    }
    if (scopes != 1) {
        snprintf(diagnostic, size, "a mitigation request carries exactly one scope (RFC 9132 section 4.4.1); this one "
                 "has %zu", scopes);
        return -1;
    }
    *r = (struct put_request){.trigger = true, .extra = json_object_new_object()};
    LY_LIST_FOR(lyd_child(scope), n) {
        const char *name = LYD_NAME(n), *value = lyd_get_value(n);
        if (n->flags & LYD_DEFAULT)
            continue; /* a default the schema filled in, not the client's */
        if (strcmp(name, "target-prefix") == 0) {
            if (add_prefix(r, value, diagnostic, size) < 0)
                return -1;
        } else if (strcmp(name, "target-port-range") == 0 || strcmp(name, "target-protocol") == 0 ||
                   strcmp(name, "alias-name") == 0) {
            add_extra(r->extra, n);
        } else if (strcmp(name, "lifetime") == 0) {
            r->lifetime = strtoll(value, NULL, 10);
            r->lifetime_given = true;
        } else if (strcmp(name, "trigger-mitigation") == 0) {
            /* kept in the scope, so that a GET says it */
            r->trigger = strcmp(value, "true") == 0;
            r->trigger_given = true;
            json_object_object_add(r->extra, name, json_object_new_boolean(r->trigger));
        } else if (strcmp(name, "attack-status") == 0) {
            if (!efficacy) {
                snprintf(diagnostic, size, "scope/attack-status belongs to an efficacy update (a PUT with an empty "
                         "If-Match, RFC 9132 section 4.4.3)");
                return -1;
            }
            snprintf(r->attack_status, sizeof r->attack_status, "%s", value);
        } else if (strcmp(name, "acl-list") == 0 && strcmp(n->schema->module->name, "ietf-dots-signal-control") == 0) {
            if (add_acl(r, n, diagnostic, size) < 0)
                return -1;
        } else if (strcmp(name, "target-fqdn") == 0 || strcmp(name, "target-uri") == 0) {
            snprintf(diagnostic, size, "scope/%s is not served: name the targets with target-prefix or alias-name",
                     name);
            return -1;
        } else {
            snprintf(diagnostic, size, "scope/%s is not for a client to send", name);
            return -1;
        }
    }
    if (!r->lifetime_given || r->lifetime == 0) {
        snprintf(diagnostic, size, "scope/lifetime is %s: give seconds, or -1 for indefinite (RFC 9132 section 4.4.1)",
                 r->lifetime_given ? "0" : "missing");
        return -1;
    }
    if (efficacy && !r->attack_status[0]) {
        snprintf(diagnostic, size, "an efficacy update carries scope/attack-status (RFC 9132 section 4.4.3)");
        return -1;
    }
    return 0;
}

void dots_put_request_release(struct put_request *r)
{
    for (size_t i = 0; i < r->n_acls; i++)
        free((char *)r->acls[i].name);
    free(r->acls);
    free(r->prefixes);
    json_object_put(r->extra);
}
