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

/* --- dots_data_acls.c: a dots-client's ACLs on the host core. */

/* POST dots-client=CUID with acls; rest "/acls..." for the others. */
void dots_data_serve_acls(const struct dots_request *r, const char *cuid, const char *rest);
/* Every ACL of cuid off the card and out of the store (the dots-client's
 * removal); 0, or -1 after answering the failure. */
int dots_data_acls_remove_all(const struct dots_request *r, const char *cuid, const char *path);

/* --- dots_data_aliases.c: a dots-client's aliases through the host core. */

/* POST dots-client=CUID with aliases; rest "/aliases..." for the others. */
void dots_data_serve_aliases(const struct dots_request *r, const char *cuid, const char *rest);

#endif
