/* RESTCONF answers (RFC 8040): errors as ietf-restconf:errors (section
 * 7.1), bodies as application/yang-data+json (section 5.2), and request
 * bodies read, checked for their media type and validated with libyang
 * against ietf-dots-data-channel. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "dots_data_internal.h"

#define MEDIA_TYPE "application/yang-data+json"
#define YANG_PATCH_TYPE "application/yang-patch+json"

/* Every answer leaves here: onto the request's connection, or into the
 * answer of a request served without the network. */
static void send_answer(const struct dots_request *r, int status, struct evbuffer *body)
{
    if (!r->answer) {
        evhttp_send_reply(r->req, status, NULL, body);
        return;
    }
    r->answer->status = status;
    r->answer->answers++;
    if (body)
        evbuffer_add_buffer(r->answer->body, body);
}

static void send_internal_error(const struct dots_request *r)
{
    if (r->answer)
        send_answer(r, HTTP_INTERNAL, NULL);
    else
        evhttp_send_error(r->req, HTTP_INTERNAL, NULL);
}

void restconf_reply_text(const struct dots_request *r, int status, const char *media_type, const char *text)
{
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        send_internal_error(r);
        return;
    }
    evbuffer_add(out, text, strlen(text));
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Type", media_type);
    send_answer(r, status, out);
    evbuffer_free(out);
}

void restconf_reply_json(const struct dots_request *r, int status, json_object *body)
{
    const char *text = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE)
                            : NULL;
    if (!text)
        send_internal_error(r);
    else
        restconf_reply_text(r, status, MEDIA_TYPE, text);
    json_object_put(body);
}

void restconf_reply_empty(const struct dots_request *r, int status)
{
    send_answer(r, status, NULL);
}

static const char *method_name(struct evhttp_request *req)
{
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_PATCH: return "PATCH";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    default: return "request";
    }
}

void restconf_error(const struct dots_request *r, int status, const char *type, const char *tag, const char *path,
                    const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object *error = json_object_new_object(), *list = json_object_new_array(),
                *errors = json_object_new_object(), *top = json_object_new_object();
    json_object_object_add(error, "error-type", json_object_new_string(type));
    json_object_object_add(error, "error-tag", json_object_new_string(tag));
    if (path)
        json_object_object_add(error, "error-path", json_object_new_string(path));
    json_object_object_add(error, "error-message", json_object_new_string(msg));
    json_object_array_add(list, error);
    json_object_object_add(errors, "error", list);
    json_object_object_add(top, "ietf-restconf:errors", errors);
    dots_data_say(r->d, DOTS_LOG_INFO, "%s %s from %s: %d %s: %s", method_name(r->req), evhttp_request_get_uri(r->req),
                  r->identity, status, tag, msg);
    restconf_reply_json(r, status, top);
}

void restconf_not_allowed(const struct dots_request *r, const char *allow)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", allow);
    restconf_error(r, 405, "protocol", "operation-not-supported", NULL, "this resource takes %s only", allow);
}

void restconf_client_path(const char *cuid, const char *below, char *out, size_t size)
{
    /* an instance-identifier's key value is quoted with ' unless it holds one */
    char q = strchr(cuid, '\'') ? '"' : '\'';
    snprintf(out, size, "/ietf-dots-data-channel:dots-data/dots-client[cuid=%c%s%c]%s", q, cuid, q, below);
}

struct scrub_actor restconf_actor(const struct dots_request *r)
{
    return (struct scrub_actor){SCRUB_STORE_WHO_CERTIFICATE, r->identity, SCRUB_STORE_CHANNEL_DATA, false};
}

void restconf_refuse(const struct dots_request *r, const char *what, const char *path, const struct scrub_err *err)
{
    int status = 500;
    const char *type = "application", *tag = "operation-failed";
    switch (err->code) {
    case EACCES: status = 403, type = "protocol", tag = "access-denied"; break;
    case EEXIST: status = 409, tag = "data-exists"; break;
    case ENOENT: status = 404, type = "protocol", tag = "invalid-value"; break;
    case EDQUOT:
    case ENOSPC: status = 409, tag = "resource-denied"; break;
    case EINVAL:
    case ENOTSUP: status = 400, tag = "invalid-value"; break;
    case ENODEV: status = 503; break;
    default: dots_data_say(r->d, DOTS_LOG_ERROR, "%s of %s: %s", what, r->identity, err->msg);
    }
    restconf_error(r, status, type, tag, path, "%s", err->msg);
}

/* Content-Type without parameters, compared case-insensitively. */
static int is_media_type(const char *value)
{
    size_t n = strlen(MEDIA_TYPE);
    if (!value || strncasecmp(value, MEDIA_TYPE, n) != 0)
        return 0;
    value += n;
    while (*value == ' ' || *value == '\t')
        value++;
    return *value == '\0' || *value == ';';
}

/* libyang 2.1 locates an error as 'Data location "/m:node[k='v']", line
 * number N.': the instance-identifier, relative to the node the body is
 * parsed below (base: dots-data, or a dots-client...), goes to error-path
 * and the line to the message. */
static void error_path(const char *where, const char *base, char *path, size_t psize, char *line, size_t lsize)
{
    static const char data[] = "Data location \"", module[] = "/ietf-dots-data-channel:",
                      top[] = "/ietf-dots-data-channel:dots-data";
    const char *start = strstr(where, data), *end, *n;
    if (!start)
        return;
    start += sizeof data - 1;
    end = strchr(start, '"');
    if (!end)
        return;
    int len = (int)(end - start);
    if (strncmp(start, module, sizeof module - 1) == 0 && strncmp(start, top, sizeof top - 1) != 0)
        snprintf(path, psize, "%s/%.*s", base, len - (int)(sizeof module - 1), start + sizeof module - 1);
    else
        snprintf(path, psize, "%.*s", len, start);
    if ((n = strstr(end, "line number ")) != NULL)
        snprintf(line, lsize, " (line %d)", atoi(n + 12));
}

/* libyang's last error as a RESTCONF error: a JSON syntax error is a
 * malformed message, a node the schema does not have an unknown element, a
 * missing key or mandatory node a missing attribute, anything else an
 * invalid value (RFC 8040 section 7, RFC 8783 section 7.1). */
static void refuse_parse(const struct dots_request *r, const char *base)
{
    const struct ly_err_item *e = ly_err_last(r->d->yang);
    const char *tag = "invalid-value";
    if (e && (e->vecode == LYVE_SYNTAX || e->vecode == LYVE_SYNTAX_JSON))
        tag = "malformed-message";
    else if (e && e->vecode == LYVE_REFERENCE)
        tag = "unknown-element";
    /* libyang has no code of its own for these two: its sentences tell */
    else if (e && e->msg && (strstr(e->msg, "is missing its key") || strncmp(e->msg, "Mandatory node", 14) == 0))
        tag = "missing-attribute";
    char path[1024] = "", line[64] = "";
    if (e && e->path)
        error_path(e->path, base, path, sizeof path, line, sizeof line);
    restconf_error(r, 400, "application", tag, *path ? path : NULL, "%s%s",
                   e && e->msg ? e->msg : "the body does not validate against ietf-dots-data-channel", line);
}

bool restconf_body_has(const struct dots_request *r, const char *member)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
    size_t len = evbuffer_get_length(in);
    char *text = len ? malloc(len + 1) : NULL;
    if (!text)
        return false;
    evbuffer_copyout(in, text, len);
    text[len] = '\0';
    json_object *o = json_tokener_parse(text);
    bool has = o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, member, NULL);
    json_object_put(o);
    free(text);
    return has;
}

int restconf_parse_body(const struct dots_request *r, struct lyd_node **root)
{
    return restconf_parse_body_below(r, NULL, root, NULL);
}

/* A new tree (*root, from dots-data) with the node at below (a data path;
 * NULL: dots-data itself) in *at. */
static LY_ERR new_below(const struct dots_request *r, const char *below, struct lyd_node **root, struct lyd_node **at)
{
    LY_ERR ret = below ? lyd_new_path(NULL, r->d->yang, below, NULL, 0, root)
                       : lyd_new_inner(NULL, r->d->module, "dots-data", 0, root);
    if (ret == LY_SUCCESS)
        ret = below ? lyd_find_path(*root, below, 0, at) : (*at = *root, LY_SUCCESS);
    return ret;
}

/* text parsed as children of at with the parser's options. */
static LY_ERR parse_text(const struct dots_request *r, struct lyd_node *at, const char *text, uint32_t options)
{
    struct ly_in *lin = NULL;
    LY_ERR ret = ly_in_new_memory(text, &lin);
    if (ret == LY_SUCCESS)
        ret = lyd_parse_data(r->d->yang, at, lin, LYD_JSON, options, 0, NULL);
    ly_in_free(lin, 0);
    return ret;
}

/* The first member name of a JSON metadata annotation ("@...", RFC 7951
 * section 5.2) in o, or NULL. */
static const char *annotation(json_object *o)
{
    const char *found = NULL;
    if (json_object_is_type(o, json_type_array))
        for (size_t i = 0; !found && i < json_object_array_length(o); i++)
            found = annotation(json_object_array_get_idx(o, i));
    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, key, val)
        {
            if (!found)
                found = key[0] == '@' ? key : annotation(val);
        }
    }
    return found;
}

/* No data here takes metadata annotations, and libyang 2.1.30 crashes on
 * some ('{"@module:list":[...]}', found by the fuzzer): a body that may
 * hold one is read with json-c first and refused if it does (or is not
 * JSON). 0, or -1 after answering. */
static int refuse_annotations(const struct dots_request *r, const char *text)
{
    if (!strstr(text, "\"@"))
        return 0;
    enum json_tokener_error e;
    json_object *o = json_tokener_parse_verbose(text, &e);
    const char *name = o ? annotation(o) : NULL;
    int rc = 0;
    if (!o)
        rc = -1, restconf_error(r, 400, "protocol", "malformed-message", NULL, "the body is not JSON: %s",
                                json_tokener_error_desc(e));
    else if (name)
        rc = -1, restconf_error(r, 400, "application", "unknown-attribute", NULL,
                                "'%s': metadata annotations (RFC 7951 section 5.2) are not taken here", name);
    json_object_put(o);
    return rc;
}

/* The request body as text, checked for its media type (PATCH: YANG Patch
 * named as what is not served); NULL after answering. */
static char *body_text(const struct dots_request *r)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
    size_t len = evbuffer_get_length(in);
    const char *type = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Content-Type");
    if (evhttp_request_get_command(r->req) == EVHTTP_REQ_PATCH && type &&
        strncasecmp(type, YANG_PATCH_TYPE, strlen(YANG_PATCH_TYPE)) == 0) {
        restconf_error(r, 415, "protocol", "invalid-value", NULL,
                       "YANG Patch (%s, RFC 8072) is not served: PATCH with %s merges (RFC 8040 section 4.6.1)",
                       YANG_PATCH_TYPE, MEDIA_TYPE);
        return NULL;
    }
    if (!is_media_type(type)) {
        restconf_error(r, 415, "protocol", "invalid-value", NULL, "the body must be %s (RFC 8040 section 5.2)",
                       MEDIA_TYPE);
        return NULL;
    }
    if (len == 0) {
        restconf_error(r, 400, "protocol", "malformed-message", NULL, "the request has no body");
        return NULL;
    }
    char *text = malloc(len + 1);
    if (!text) {
        restconf_error(r, 500, "application", "operation-failed", NULL, "out of memory");
        return NULL;
    }
    evbuffer_copyout(in, text, len);
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        restconf_error(r, 400, "protocol", "malformed-message", NULL, "the body holds a NUL byte");
        return NULL;
    }
    if (refuse_annotations(r, text) < 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* RFC 8040 sections 4.4.1, 4.5 and 4.6.1: the body is the target resource
 * or the child to create, parsed below its parent; validated unless it
 * is a PATCH's, which is validated once merged. */
static int parse_request(const struct dots_request *r, const char *below, bool validate, struct lyd_node **root,
                         struct lyd_node **parent)
{
    char *text = body_text(r);
    if (!text)
        return -1;
    struct lyd_node *at = NULL;
    ly_err_clean(r->d->yang, NULL);
    *root = NULL;
    LY_ERR ret = new_below(r, below, root, &at);
    if (ret == LY_SUCCESS)
        ret = parse_text(r, at, text, LYD_PARSE_ONLY | LYD_PARSE_STRICT | LYD_PARSE_NO_STATE);
    if (ret == LY_SUCCESS && validate)
        ret = lyd_validate_all(root, r->d->yang, LYD_VALIDATE_PRESENT | LYD_VALIDATE_NO_STATE, NULL);
    free(text);
    if (ret != LY_SUCCESS) {
        refuse_parse(r, below ? below : "/ietf-dots-data-channel:dots-data");
        lyd_free_all(*root);
        *root = NULL;
        return -1;
    }
    if (parent)
        *parent = at;
    return 0;
}

int restconf_parse_body_below(const struct dots_request *r, const char *below, struct lyd_node **root,
                              struct lyd_node **parent)
{
    return parse_request(r, below, true, root, parent);
}

int restconf_parse_patch_below(const struct dots_request *r, const char *below, struct lyd_node **root,
                               struct lyd_node **parent)
{
    return parse_request(r, below, false, root, parent);
}

int restconf_parse_stored(const struct dots_request *r, struct lyd_node *parent, const char *text, bool with_state,
                          const char *path)
{
    uint32_t options = LYD_PARSE_ONLY | LYD_PARSE_STRICT | (with_state ? 0 : LYD_PARSE_NO_STATE);
    ly_err_clean(r->d->yang, NULL);
    if (parse_text(r, parent, text, options) == LY_SUCCESS)
        return 0;
    const struct ly_err_item *e = ly_err_last(r->d->yang);
    restconf_error(r, 500, "application", "operation-failed", path, "the stored data does not parse: %s",
                   e && e->msg ? e->msg : "libyang failed");
    return -1;
}

int restconf_validate(const struct dots_request *r, struct lyd_node **root, const char *base)
{
    ly_err_clean(r->d->yang, NULL);
    if (lyd_validate_all(root, r->d->yang, LYD_VALIDATE_PRESENT | LYD_VALIDATE_NO_STATE, NULL) == LY_SUCCESS)
        return 0;
    refuse_parse(r, base);
    return -1;
}

void restconf_reply_tree(const struct dots_request *r, const struct lyd_node *node)
{
    char *text = NULL;
    if (lyd_print_mem(&text, node, LYD_JSON, LYD_PRINT_SHRINK | LYD_PRINT_KEEPEMPTYCONT) != LY_SUCCESS || !text)
        restconf_error(r, 500, "application", "operation-failed", NULL, "the answer does not print as JSON");
    else
        restconf_reply_text(r, 200, MEDIA_TYPE, text);
    free(text);
}

char **restconf_list_bodies(const struct dots_request *r, const struct lyd_node *parent, const char *container,
                            const char *entry, size_t *n)
{
    const struct lyd_node *node, *list = parent;
    *n = 0;
    if (strcmp(parent->schema->name, "dots-client") == 0) {
        list = NULL;
        LY_LIST_FOR(lyd_child(parent), node)
        {
            if (strcmp(node->schema->name, container) == 0)
                list = node;
            else if (strcmp(node->schema->name, "cuid") != 0 && !(node->flags & LYD_DEFAULT)) {
                restconf_error(r, 400, "application", "invalid-value", NULL,
                               "'%s' cannot be created with %s: POST aliases and acls separately",
                               node->schema->name, container);
                return NULL;
            }
        }
    }
    size_t cap = 0;
    LY_LIST_FOR(list ? lyd_child(list) : NULL, node)
    cap++;
    char **out = calloc(cap ? cap : 1, sizeof *out);
    if (!out || cap == 0) {
        free(out);
        restconf_error(r, out ? 400 : 500, "application", out ? "missing-element" : "operation-failed", NULL,
                       out ? "the body holds no %s" : "out of memory%s", out ? entry : "");
        return NULL;
    }
    LY_LIST_FOR(lyd_child(list), node)
    {
        /* printed alone, the entry is {"module:entry": [{...}]} */
        char *text = NULL;
        json_object *o = NULL, *one = NULL;
        if (lyd_print_mem(&text, node, LYD_JSON, LYD_PRINT_SHRINK) == LY_SUCCESS && (o = json_tokener_parse(text))) {
            json_object_object_foreach(o, key, val)
            {
                (void)key;
                one = json_object_is_type(val, json_type_array) ? json_object_array_get_idx(val, 0) : val;
                break;
            }
        }
        out[*n] = one ? strdup(json_object_to_json_string_ext(one, JSON_C_TO_STRING_PLAIN)) : NULL;
        free(text);
        json_object_put(o);
        if (!out[(*n)++]) {
            restconf_free_bodies(out, *n);
            restconf_error(r, 500, "application", "operation-failed", NULL, "an %s does not print as JSON", entry);
            return NULL;
        }
    }
    return out;
}

void restconf_free_bodies(char **bodies, size_t n)
{
    for (size_t i = 0; bodies && i < n; i++)
        free(bodies[i]);
    free(bodies);
}
