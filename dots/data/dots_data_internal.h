/* What the data channel's files share: the server, one request in hand,
 * the RESTCONF answers (dots_restconf.c) and the resources
 * (dots_data_clients.c, dots_data_acls.c, dots_data_aliases.c). */
#ifndef DOTS_DATA_INTERNAL_H
#define DOTS_DATA_INTERNAL_H

#include <event2/http.h>
#include <json-c/json.h>
#include <libyang/libyang.h>
#include <openssl/ssl.h>

#include "dots_data.h"
#include "scrub_core.h"

struct dots_data {
    struct event_base *base;
    struct dots_data_config cfg;
    SSL_CTX *tls;
    struct evhttp *http;
    struct ly_ctx *yang;
    const struct lys_module *module; /* ietf-dots-data-channel */
};

/* A request of an authenticated client. */
struct dots_request {
    struct dots_data *d;
    struct evhttp_request *req;
    const char *identity;
    struct dots_data_answer *answer; /* NULL: answered on req's connection */
};

#define DOTS_DATA_ROOT "/restconf/data/ietf-dots-data-channel:dots-data"

void dots_data_say(const struct dots_data *d, enum dots_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- dots_restconf.c: RESTCONF answers (RFC 8040). */

/* An ietf-restconf:errors body (section 7.1) with one error; path NULL
 * leaves error-path out. */
void restconf_error(const struct dots_request *r, int status, const char *type, const char *tag, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* 405 with the Allow header naming what the resource takes. */
void restconf_not_allowed(const struct dots_request *r, const char *allow);
/* A body of the media type, text. */
void restconf_reply_text(const struct dots_request *r, int status, const char *media_type, const char *text);
/* A status and no body. */
void restconf_reply_empty(const struct dots_request *r, int status);
/* A body of application/yang-data+json; takes body. */
void restconf_reply_json(const struct dots_request *r, int status, json_object *body);
/* The request body, application/yang-data+json, parsed as children of a
 * new dots-data node and validated with libyang; *root is that node. Else
 * the refusal has been answered and -1 returned. */
int restconf_parse_body(const struct dots_request *r, struct lyd_node **root);
/* The same with the body parsed as children of the node at below (a data
 * path, "/ietf-dots-data-channel:dots-data/dots-client[cuid='c']/acls");
 * *parent, if not NULL, is that node in *root's tree. */
int restconf_parse_body_below(const struct dots_request *r, const char *below, struct lyd_node **root,
                              struct lyd_node **parent);
/* The same, not validated: a PATCH's (RFC 8040 section 4.6.1), validated
 * once merged; YANG Patch (application/yang-patch+json) is answered 415. */
int restconf_parse_patch_below(const struct dots_request *r, const char *below, struct lyd_node **root,
                               struct lyd_node **parent);
/* Stored data (JSON text, as the core keeps it) parsed as children of
 * parent, not validated; with_state allows config-false nodes. -1 after
 * answering 500 (path: the error-path). */
int restconf_parse_stored(const struct dots_request *r, struct lyd_node *parent, const char *text, bool with_state,
                          const char *path);
/* The whole tree validated as configuration; -1 after answering the
 * failure as restconf_parse_body_below does (base: where relative error
 * paths start). */
int restconf_validate(const struct dots_request *r, struct lyd_node **root, const char *base);
/* 200 with node and what is below it, application/yang-data+json. */
void restconf_reply_tree(const struct dots_request *r, const struct lyd_node *node);
/* Whether the body is a JSON object with the member named (module-
 * qualified, "ietf-dots-data-channel:aliases"); a peek that answers
 * nothing, to route a POST. */
bool restconf_body_has(const struct dots_request *r, const char *member);
/* Every entry (an acl, an alias) of the body as a JSON object's text:
 * parent is the container (acls, aliases) or a dots-client holding it,
 * whose other members but cuid are refused. NULL after answering a
 * refusal (none there: 400 missing-element). */
char **restconf_list_bodies(const struct dots_request *r, const struct lyd_node *parent, const char *container,
                            const char *entry, size_t *n);
void restconf_free_bodies(char **bodies, size_t n);
/* The instance-identifier of a dots-client entry, and below (what
 * follows it, "" or "/acls..."), into out. */
void restconf_client_path(const char *cuid, const char *below, char *out, size_t size);
/* The requester as the core's audit names it. */
struct scrub_actor restconf_actor(const struct dots_request *r);
/* The core's refusal as a RESTCONF error (RFC 8040 section 7); what
 * ("ACLs", "aliases") names the resource when the failure is logged. */
void restconf_refuse(const struct dots_request *r, const char *what, const char *path, const struct scrub_err *err);

/* --- dots_restconf_query.c: query parameters (RFC 8040 section 4.8). */

enum restconf_content { RESTCONF_CONTENT_ALL, RESTCONF_CONTENT_CONFIG, RESTCONF_CONTENT_NONCONFIG };
#define RESTCONF_Q_CONTENT 1u
#define RESTCONF_Q_DEPTH 2u
#define RESTCONF_Q_INSERT 4u
#define RESTCONF_Q_POINT 8u

struct restconf_query {
    enum restconf_content content; /* section 4.8.1 */
    uint32_t depth; /* section 4.8.2; 0 unbounded */
    enum scrub_data_insert insert; /* section 4.8.5 */
    char *point; /* section 4.8.6, as given; with insert before or after only */
};
/* The request's query parameters, refusing (400) any the mask does not
 * allow, any given twice, invalid values, and point without insert before
 * or after (or those without point). 0, or -1 after answering. */
int restconf_query_read(const struct dots_request *r, unsigned allowed, struct restconf_query *q);
void restconf_query_free(struct restconf_query *q);
/* What follows prefix (the data-resource-identifier of the list's entries,
 * ".../acls/acl=") in point: the entry's name. NULL when there is no
 * point, or after answering 400 when it is not such (q->point tells). */
const char *restconf_query_point(const struct dots_request *r, const struct restconf_query *q, const char *prefix,
                                 const char *what);
/* content and depth applied to target and what is below it (target is
 * depth 1; a list entry kept keeps its keys). */
void restconf_query_filter(struct lyd_node *target, const struct restconf_query *q);

/* --- dots_data_clients.c: the ietf-dots-data-channel:dots-data resources. */

/* {+restconf}/data/ietf-dots-data-channel:dots-data */
void dots_data_serve_root(const struct dots_request *r);
/* .../dots-data/capabilities */
void dots_data_serve_capabilities(const struct dots_request *r);
/* .../dots-data/dots-client=CUID; rest is what follows the key ("" or "/..."). */
void dots_data_serve_client(const struct dots_request *r, const char *cuid, const char *rest);
/* 0 when cuid is unclaimed or the requester's; else the refusal is
 * answered (403 for another identity's cuid) and -1 returned. */
int dots_data_check_owner(const struct dots_request *r, const char *cuid, const char *path);
/* 1 registered, 0 not, -1 answered with the store's failure. */
int dots_data_registered(const struct dots_request *r, const char *cuid, const char *path);
/* The capabilities' JSON (RFC 8783 section 7.1) from the core's. */
json_object *dots_data_capabilities_json(const struct dots_request *r);

/* --- dots_data_resource.c: what a dots-client's ACLs and aliases share. */

/* Where a request goes: the dots-client (a POST of acls or aliases to it),
 * the container (acls), one entry (acl=NAME), and below an entry its own
 * list (aces) and one entry of that (ace=NAME). */
enum dots_data_level {
    DOTS_DATA_AT_CLIENT,
    DOTS_DATA_AT_CONTAINER,
    DOTS_DATA_AT_ENTRY,
    DOTS_DATA_AT_BELOW_LIST,
    DOTS_DATA_AT_BELOW_ENTRY,
};

struct dots_data_target;

/* Entries for the core: a POST creates (create), a PUT or PATCH creates
 * or replaces. */
struct dots_data_put {
    const char *cuid;
    const char *const *bodies; /* JSON entry objects */
    size_t n;
    bool create;
    enum scrub_data_insert insert;
    const char *point;
};

/* What differs between ACLs and aliases. */
struct dots_data_kind {
    const char *container, *entry; /* "acls", "acl" */
    const char *title; /* "ACL": in messages */
    bool ordered; /* ordered by user: insert and point on POST and PUT */
    const char *below_container, *below_entry, *below_title; /* "aces", "ace", "ACE", or NULL */
    int unknown_status; /* for a path below what is served */
    const char *unknown_path, *no_core; /* the messages of that and of a server without a core */
    /* Appends the stored entries of cuid (name NULL: all of them) to list
     * as JSON objects, with their config-false nodes when with_state; 0,
     * or -1 after answering. */
    int (*list)(const struct dots_request *r, const char *cuid, const char *name, bool with_state,
                json_object *list, const char *path);
    /* Through the core, in one change; *created how many were new. 0, or
     * -1 after answering. */
    int (*put)(const struct dots_request *r, const struct dots_data_put *p, size_t *created, const char *path);
    /* One entry (name) or all; 0, or -1 after answering. */
    int (*remove)(const struct dots_request *r, const char *cuid, const char *name, const char *path);
    /* POST, PUT and DELETE below an entry (GET is the common one). */
    void (*below)(const struct dots_request *r, const struct dots_data_target *t, const struct restconf_query *q);
};

struct dots_data_target {
    const struct dots_data_kind *kind;
    const char *cuid;
    char *name, *below_name; /* the entry's key, and the one below it */
    enum dots_data_level level;
    char container_path[600], entry_path[800]; /* data paths (instance-identifiers) */
    char path[1000]; /* the target's: the error-path */
};

/* Serves a request for the kind's resources of cuid; rest "" (a POST to
 * the dots-client) or what follows the dots-client ("/acls..."). */
void dots_data_serve_kind(const struct dots_request *r, const struct dots_data_kind *k, const char *cuid,
                          const char *rest);
/* base + "/list[name='NAME']" into out. */
void dots_data_key_path(char *out, size_t size, const char *base, const char *list, const char *name);
/* The stored entries of the target's dots-client (only t->name's when set:
 * 404 when there is none) as a tree (*root, from dots-data) whose
 * *container (acls) holds them; with_state adds the config-false nodes. 0,
 * or -1 after answering. */
int dots_data_load(const struct dots_request *r, const struct dots_data_target *t, bool with_state,
                   struct lyd_node **root, struct lyd_node **container);
/* Every entry of container through the kind's put, as how says (cuid and
 * bodies filled in). 0, or -1 after answering. */
int dots_data_commit(const struct dots_request *r, const struct dots_data_target *t, const struct lyd_node *container,
                     const struct dots_data_put *how, size_t *created);
/* parent's child entry of the list whose key is name, or NULL. */
struct lyd_node *dots_data_find_entry(const struct lyd_node *parent, const char *list, const char *name);
/* parent's child container name, created when there is none (NULL: out of
 * memory). */
struct lyd_node *dots_data_find_child(struct lyd_node *parent, const char *name);
/* Location: ROOT/dots-client=CUID/WHAT=NAME (what "acls/acl"), encoded. */
void dots_data_set_location(const struct dots_request *r, const char *cuid, const char *what, const char *name);

/* --- dots_data_acls.c: a dots-client's ACLs on the host core. */

extern const struct dots_data_kind dots_data_acls;
/* Every ACL of cuid off the card and out of the store (the dots-client's
 * removal); 0, or -1 after answering the failure. */
int dots_data_acls_remove_all(const struct dots_request *r, const char *cuid, const char *path);

/* --- dots_data_aces.c: single ACEs of an ACL (POST to aces, PUT and
 * DELETE of ace=NAME), each a change of the whole ACL. */
void dots_data_serve_aces(const struct dots_request *r, const struct dots_data_target *t,
                          const struct restconf_query *q);

/* --- dots_data_aliases.c: a dots-client's aliases through the host core. */

extern const struct dots_data_kind dots_data_aliases;

#endif
