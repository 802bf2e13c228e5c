/* The ietf-dots-data-channel:dots-data resources but the ACLs
 * (dots_data_acls.c): dots-client registration and removal (RFC 8783
 * section 7.1) and the capabilities.
 * A cuid belongs to the identity that first claimed it (the store's cuid
 * table, shared with the signal channel); another identity naming it gets
 * 403. A registration may carry a cdid only from a server-domain gateway
 * (the core's tenants say which); the cuid stays the gateway identity's.
 * Every change is committed with its audit record before the answer. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dots_data_internal.h"
#include "scrub_core.h"

enum change { REGISTER, REPLACE, REMOVE };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void store_failed(const struct dots_request *r, const char *path, const char *doing,
                         const struct scrub_err *err)
{
    dots_data_say(r->d, DOTS_LOG_ERROR, "%s for %s: %s", doing, r->identity, err->msg);
    restconf_error(r, 500, "application", "operation-failed", path, "%s failed in the store", doing);
}

int dots_data_check_owner(const struct dots_request *r, const char *cuid, const char *path)
{
    char owner[256];
    struct scrub_err err;
    int found = scrub_store_cuid_owner(r->d->cfg.store, cuid, owner, sizeof owner, &err);
    if (found < 0) {
        store_failed(r, path, "looking up the cuid's owner", &err);
        return -1;
    }
    if (found && strcmp(owner, r->identity) != 0) {
        restconf_error(r, 403, "protocol", "access-denied", path, "cuid %s belongs to another DOTS client", cuid);
        return -1;
    }
    return 0;
}

static int ignore(void *ctx, const struct scrub_store_data_client *c)
{
    (void)ctx;
    (void)c;
    return 0;
}

int dots_data_registered(const struct dots_request *r, const char *cuid, const char *path)
{
    struct scrub_err err;
    int found = scrub_store_data_client_get(r->d->cfg.store, cuid, ignore, NULL, &err);
    if (found < 0)
        store_failed(r, path, "looking up the registration", &err);
    return found;
}

/* Commits one change with its audit record (cdid: the registration's, or
 * NULL); answers a failure itself. */
static int commit(const struct dots_request *r, enum change c, const char *cuid, const char *cdid, const char *path)
{
    static const char *const names[] = {"register", "replace", "remove"};
    struct scrub_store *s = r->d->cfg.store;
    struct scrub_err err;
    struct scrub_store_data_client row = {
        .cuid = cuid, .identity = r->identity, .registered_at = time(NULL), .cdid = cdid};
    char what[600];
    snprintf(what, sizeof what, "dots-client %s cuid=%s%s%s", names[c], cuid, cdid ? " cdid=" : "", cdid ? cdid : "");
    struct scrub_store_audit audit = {.at_ms = now_ms(), .who_kind = SCRUB_STORE_WHO_CERTIFICATE, .who = r->identity,
                                      .channel = SCRUB_STORE_CHANNEL_DATA, .what = what, .result = "ok"};
    if (scrub_store_begin(s, &err) < 0 ||
        ((c == REMOVE || c == REPLACE) && scrub_store_data_client_remove(s, cuid, &err) < 0) ||
        ((c == REGISTER || c == REPLACE) && scrub_store_data_client_put(s, &row, &err) < 0) ||
        scrub_store_audit_append(s, &audit, &err) < 0 || scrub_store_commit(s, &err) < 0) {
        scrub_store_rollback(s);
        store_failed(r, path, what, &err);
        return -1;
    }
    dots_data_say(r->d, DOTS_LOG_INFO, "%s by %s: committed", what, r->identity);
    return 0;
}

/* A registration's cdid, from a server-domain gateway only (the module's
 * cdid is "conveyed by a server-domain DOTS gateway", RFC 8783 section
 * 7.1, as for the signal channel, RFC 9132 section 4.4.1); NULL when the
 * entry has none. -1 after answering the refusal. */
static int gateway_cdid(const struct dots_request *r, const struct lyd_node *entry, const char **cdid)
{
    const struct lyd_node *child;
    *cdid = NULL;
    LY_LIST_FOR(lyd_child(entry), child)
    {
        if (strcmp(child->schema->name, "cdid") == 0)
            *cdid = lyd_get_value(child);
    }
    if (!*cdid)
        return 0;
    char path[400];
    restconf_client_path(lyd_get_value(lyd_child(entry)), "/cdid", path, sizeof path);
    if (!r->d->cfg.core || !scrub_core_is_gateway(r->d->cfg.core, r->identity)) {
        restconf_error(r, 403, "protocol", "access-denied", path,
                       "cdid is accepted from server-domain gateways only, and '%s' is not one (RFC 8783 section 7.1)",
                       r->identity);
        return -1;
    }
    if (!**cdid) {
        restconf_error(r, 400, "application", "invalid-value", path, "cdid is empty: it names the client domain");
        return -1;
    }
    return 0;
}

/* The one dots-client entry of a request body (RFC 8040 section 4.4.1: a
 * POST creates exactly one resource; section 4.5: a PUT carries its
 * target) and its cdid (gateway_cdid). What is not served here is refused,
 * not dropped: aliases and ACLs (POSTed to the registration). NULL after
 * the refusal is answered. */
static const struct lyd_node *one_client(const struct dots_request *r, const struct lyd_node *root, const char **cdid)
{
    const struct lyd_node *entry = NULL, *node;
    int n = 0;
    LY_LIST_FOR(lyd_child(root), node)
    {
        if (strcmp(node->schema->name, "dots-client") != 0) {
            restconf_error(r, 400, "application", "invalid-value", NULL,
                           "the body holds %s; it must hold one dots-client entry", node->schema->name);
            return NULL;
        }
        entry = node;
        n++;
    }
    if (n != 1) {
        restconf_error(r, 400, "application", "invalid-value", NULL,
                       "the body holds %d dots-client entries; it must hold exactly one", n);
        return NULL;
    }
    const struct lyd_node *child;
    LY_LIST_FOR(lyd_child(entry), child)
    {
        if (child->flags & LYD_DEFAULT || strcmp(child->schema->name, "cuid") == 0 ||
            strcmp(child->schema->name, "cdid") == 0)
            continue;
        /* aliases and ACLs are created below the registration (POST dots-client=CUID) */
        restconf_error(r, 501, "application", "operation-not-supported", NULL,
                       "'%s' is not taken here: register first, then POST them to it", child->schema->name);
        return NULL;
    }
    return gateway_cdid(r, entry, cdid) < 0 ? NULL : entry;
}

static int add_client(void *ctx, const struct scrub_store_data_client *c)
{
    json_object *entry = json_object_new_object();
    json_object_object_add(entry, "cuid", json_object_new_string(c->cuid));
    if (c->cdid)
        json_object_object_add(entry, "cdid", json_object_new_string(c->cdid));
    json_object_array_add(ctx, entry);
    return 0;
}

/* GET dots-data: the requester's own registrations and the capabilities. */
static void get_root(const struct dots_request *r)
{
    struct scrub_err err;
    json_object *list = json_object_new_array(), *data = json_object_new_object(), *top = json_object_new_object();
    if (scrub_store_data_clients_each(r->d->cfg.store, r->identity, add_client, list, &err) < 0) {
        json_object_put(list);
        json_object_put(data);
        json_object_put(top);
        store_failed(r, NULL, "listing the registrations", &err);
        return;
    }
    if (json_object_array_length(list) > 0)
        json_object_object_add(data, "dots-client", list);
    else
        json_object_put(list);
    json_object_object_add(data, "capabilities", dots_data_capabilities_json(r));
    json_object_object_add(top, "ietf-dots-data-channel:dots-data", data);
    restconf_reply_json(r, 200, top);
}

/* POST dots-data with a dots-client: 201 and Location, 409 if registered
 * (RFC 8040 section 4.4.1, RFC 8783 section 7.1). */
static void register_client(const struct dots_request *r)
{
    struct lyd_node *root;
    char path[400];
    if (restconf_parse_body(r, &root) < 0)
        return;
    const char *cdid_in_body;
    const struct lyd_node *entry = one_client(r, root, &cdid_in_body);
    if (!entry) {
        lyd_free_all(root);
        return;
    }
    char *cuid = strdup(lyd_get_value(lyd_child(entry))), *cdid = cdid_in_body ? strdup(cdid_in_body) : NULL;
    bool out_of_memory = !cuid || (cdid_in_body && !cdid);
    lyd_free_all(root);
    if (out_of_memory) {
        free(cuid);
        restconf_error(r, 500, "application", "operation-failed", NULL, "out of memory");
        return;
    }
    restconf_client_path(cuid, "", path, sizeof path);
    int found = dots_data_check_owner(r, cuid, path) < 0 ? -1 : dots_data_registered(r, cuid, path);
    if (found == 1)
        restconf_error(r, 409, "application", "resource-denied", path, "dots-client %s is already registered", cuid);
    if (found == 0 && commit(r, REGISTER, cuid, cdid, path) == 0) {
        char *encoded = evhttp_uriencode(cuid, -1, 0), location[600];
        snprintf(location, sizeof location, DOTS_DATA_ROOT "/dots-client=%s", encoded ? encoded : cuid);
        free(encoded);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", location);
        restconf_reply_empty(r, 201);
    }
    free(cuid);
    free(cdid);
}

static bool is_read(enum evhttp_cmd_type m)
{
    return m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD;
}

static void options(const struct dots_request *r, const char *allow)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", allow);
    restconf_reply_empty(r, 200);
}

void dots_data_serve_root(const struct dots_request *r)
{
    static const char allow[] = "GET, HEAD, POST, OPTIONS";
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    if (is_read(m))
        get_root(r);
    else if (m == EVHTTP_REQ_POST)
        register_client(r);
    else if (m == EVHTTP_REQ_OPTIONS)
        options(r, allow);
    else
        restconf_not_allowed(r, allow);
}

static void add_bools(json_object *o, const char *const *names, const bool *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_object_object_add(o, names[i], json_object_new_boolean(values[i]));
}

/* RFC 8783 section 7.1's capabilities: what the card matches and does as
 * the core compiles ACEs (scrub_core_data_capabilities), every field
 * named, so a client is never promised what the card cannot do; without
 * a core (or a card) nothing is promised. */
json_object *dots_data_capabilities_json(const struct dots_request *r)
{
    json_object *o = json_object_new_object();
    struct scrub_data_capabilities c;
    struct scrub_err err;
    if (!r->d->cfg.core || scrub_core_data_capabilities(r->d->cfg.core, &c, &err) < 0)
        return o;
    json_object *families = json_object_new_array(), *actions = json_object_new_array(),
                *protocols = json_object_new_array();
    if (c.ipv4)
        json_object_array_add(families, json_object_new_string("ipv4"));
    if (c.ipv6)
        json_object_array_add(families, json_object_new_string("ipv6"));
    if (c.accept)
        json_object_array_add(actions, json_object_new_string("ietf-access-control-list:accept"));
    if (c.drop)
        json_object_array_add(actions, json_object_new_string("ietf-access-control-list:drop"));
    static const int proto[] = {1, 6, 17, 58};
    for (size_t i = 0; c.protocol && i < sizeof proto / sizeof proto[0]; i++)
        if (proto[i] != 58 || c.ipv6)
            json_object_array_add(protocols, json_object_new_int(proto[i]));
    json_object_object_add(o, "address-family", families);
    json_object_object_add(o, "forwarding-actions", actions);
    json_object_object_add(o, "rate-limit", json_object_new_boolean(c.rate_limit && c.accept));
    json_object_object_add(o, "transport-protocols", protocols);
    /* ecn, ttl, ihl, flags, offset, identification, hoplimit, flow-label,
     * the TCP header's other fields, UDP length and ICMP rest-of-header:
     * the card cannot match them (docs/acl-compile.md) */
    static const char *const ip4[] = {"dscp", "ecn", "length", "ttl", "protocol", "ihl", "flags", "offset",
                                      "identification", "source-prefix", "destination-prefix", "fragment"};
    const bool v4[] = {c.dscp, false, c.length, false, c.protocol, false, false, false, false, c.source_prefix,
                       c.destination_prefix, c.fragment};
    static const char *const ip6[] = {"dscp", "ecn", "length", "hoplimit", "protocol", "destination-prefix",
                                      "source-prefix", "flow-label", "fragment"};
    const bool v6[] = {c.dscp && c.ipv6, false, c.length && c.ipv6, false, c.protocol && c.ipv6,
                       c.destination_prefix && c.ipv6, c.source_prefix && c.ipv6, false, c.fragment && c.ipv6};
    static const char *const tcp[] = {"sequence-number", "acknowledgement-number", "data-offset", "reserved", "flags",
                                      "window-size", "urgent-pointer", "options", "flags-bitmask", "source-port",
                                      "destination-port", "port-range"};
    const bool t[] = {false, false, false, false, false, false, false, false, c.tcp_flags_bitmask, c.source_port,
                      c.destination_port, c.source_port && c.destination_port};
    static const char *const udp[] = {"length", "source-port", "destination-port", "port-range"};
    const bool u[] = {false, c.source_port, c.destination_port, c.source_port && c.destination_port};
    static const char *const icmp[] = {"type", "code", "rest-of-header"};
    const bool ic[] = {c.icmp_type, c.icmp_code, false};
    json_object *o4 = json_object_new_object(), *o6 = json_object_new_object(), *ot = json_object_new_object(),
                *ou = json_object_new_object(), *oi = json_object_new_object();
    add_bools(o4, ip4, v4, sizeof ip4 / sizeof ip4[0]);
    add_bools(o6, ip6, v6, sizeof ip6 / sizeof ip6[0]);
    add_bools(ot, tcp, t, sizeof tcp / sizeof tcp[0]);
    add_bools(ou, udp, u, sizeof udp / sizeof udp[0]);
    add_bools(oi, icmp, ic, sizeof icmp / sizeof icmp[0]);
    json_object_object_add(o, "ipv4", o4);
    json_object_object_add(o, "ipv6", o6);
    json_object_object_add(o, "tcp", ot);
    json_object_object_add(o, "udp", ou);
    json_object_object_add(o, "icmp", oi);
    return o;
}

void dots_data_serve_capabilities(const struct dots_request *r)
{
    static const char allow[] = "GET, HEAD, OPTIONS";
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    if (is_read(m)) {
        json_object *top = json_object_new_object();
        json_object_object_add(top, "ietf-dots-data-channel:capabilities", dots_data_capabilities_json(r));
        restconf_reply_json(r, 200, top);
    } else if (m == EVHTTP_REQ_OPTIONS) {
        options(r, allow);
    } else {
        restconf_not_allowed(r, allow);
    }
}

/* PUT dots-client=CUID: 201 on creation, 204 on replacement (RFC 8040
 * section 4.5). A replacement without aliases and ACLs leaves the client
 * none: they are removed with the old entry. */
static void put_client(const struct dots_request *r, const char *cuid, const char *path)
{
    struct lyd_node *root;
    if (restconf_parse_body(r, &root) < 0)
        return;
    const char *cdid_in_body = NULL;
    const struct lyd_node *entry = one_client(r, root, &cdid_in_body);
    if (entry && strcmp(lyd_get_value(lyd_child(entry)), cuid) != 0) {
        restconf_error(r, 400, "application", "invalid-value", path,
                       "the body's cuid %s is not the URI's %s (RFC 8040 section 4.5)", lyd_get_value(lyd_child(entry)),
                       cuid);
        entry = NULL;
    }
    char *cdid = entry && cdid_in_body ? strdup(cdid_in_body) : NULL;
    bool out_of_memory = entry && cdid_in_body && !cdid;
    lyd_free_all(root);
    if (out_of_memory)
        restconf_error(r, 500, "application", "operation-failed", path, "out of memory");
    int found = entry && !out_of_memory ? dots_data_registered(r, cuid, path) : -1;
    /* the replacement's cdid (or none) is the registration's from now on */
    if (found == 1 && dots_data_acls_remove_all(r, cuid, path) < 0)
        found = -1;
    if (found >= 0 && commit(r, found ? REPLACE : REGISTER, cuid, cdid, path) == 0)
        restconf_reply_empty(r, found ? 204 : 201);
    free(cdid);
}

void dots_data_serve_client(const struct dots_request *r, const char *cuid, const char *rest)
{
    static const char allow[] = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    char path[400];
    restconf_client_path(cuid, "", path, sizeof path);
    /* a POST to the dots-client creates what its body holds */
    if ((*rest == '\0' && m == EVHTTP_REQ_POST && restconf_body_has(r, "ietf-dots-data-channel:aliases")) ||
        strcmp(rest, "/aliases") == 0 || strncmp(rest, "/aliases/", 9) == 0) {
        dots_data_serve_kind(r, &dots_data_aliases, cuid, rest);
        return;
    }
    if ((*rest == '\0' && m == EVHTTP_REQ_POST) || strcmp(rest, "/acls") == 0 || strncmp(rest, "/acls/", 6) == 0) {
        dots_data_serve_kind(r, &dots_data_acls, cuid, rest);
        return;
    }
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
    if (query) {
        restconf_error(r, 400, "protocol", "invalid-value", NULL, "query parameters are not supported yet (got '%s')",
                       query);
        return;
    }
    if (*rest) {
        restconf_error(r, 404, "protocol", "invalid-value", NULL, "no resource %s below dots-client %s", rest, cuid);
        return;
    }
    if (m == EVHTTP_REQ_OPTIONS) {
        options(r, allow);
        return;
    }
    if (!is_read(m) && m != EVHTTP_REQ_PUT && m != EVHTTP_REQ_DELETE) {
        restconf_not_allowed(r, allow);
        return;
    }
    if (dots_data_check_owner(r, cuid, path) < 0)
        return;
    if (m == EVHTTP_REQ_PUT) {
        put_client(r, cuid, path);
        return;
    }
    struct scrub_err err;
    json_object *list = json_object_new_array();
    int found = scrub_store_data_client_get(r->d->cfg.store, cuid, add_client, list, &err);
    if (found < 0) {
        store_failed(r, path, "looking up the registration", &err);
    } else if (found == 0) {
        restconf_error(r, 404, "protocol", "invalid-value", path, "no dots-client %s is registered", cuid);
    } else if (is_read(m)) {
        json_object *top = json_object_new_object();
        json_object_object_add(top, "ietf-dots-data-channel:dots-client", list);
        restconf_reply_json(r, 200, top);
        list = NULL;
    } else if (dots_data_acls_remove_all(r, cuid, path) == 0 && commit(r, REMOVE, cuid, NULL, path) == 0) {
        restconf_reply_empty(r, 204);
    }
    json_object_put(list);
}
