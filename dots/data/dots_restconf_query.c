/* RESTCONF query parameters (RFC 8040 section 4.8): read from the request
 * URI, each at most once and only where the method takes it; content and
 * depth (sections 4.8.1 and 4.8.2) applied to the answer's libyang tree;
 * insert and point (sections 4.8.5 and 4.8.6) read for the resource that
 * places its entries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>

#include "dots_data_internal.h"

static const char *const names[] = {"content", "depth", "insert", "point"};
static const unsigned bits[] = {RESTCONF_Q_CONTENT, RESTCONF_Q_DEPTH, RESTCONF_Q_INSERT, RESTCONF_Q_POINT};
#define N_PARAMS (sizeof names / sizeof names[0])

/* "content and depth are", "insert and point are", "none is" */
static void taken(unsigned allowed, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_PARAMS; i++)
        if (allowed & bits[i]) {
            size_t len = strlen(out);
            snprintf(out + len, size - len, "%s%s", n++ ? " and " : "", names[i]);
        }
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s", n ? " are" : "none is");
}

static int parse_content(const struct dots_request *r, const char *v, struct restconf_query *q)
{
    static const char *const contents[] = {"all", "config", "nonconfig"};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(v, contents[i]) == 0) {
            q->content = (enum restconf_content)i;
            return 0;
        }
    restconf_error(r, 400, "protocol", "invalid-value", NULL,
                   "content '%s' is not config, nonconfig or all (RFC 8040 section 4.8.1)", v);
    return -1;
}

static int parse_depth(const struct dots_request *r, const char *v, struct restconf_query *q)
{
    if (strcmp(v, "unbounded") == 0) {
        q->depth = 0;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long d = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
    if (d < 1 || d > 65535 || errno || *end) {
        restconf_error(r, 400, "protocol", "invalid-value", NULL,
                       "depth '%s' is not 1 to 65535 or unbounded (RFC 8040 section 4.8.2)", v);
        return -1;
    }
    q->depth = (uint32_t)d;
    return 0;
}

static int parse_insert(const struct dots_request *r, const char *v, struct restconf_query *q)
{
    static const char *const inserts[] = {"", "first", "last", "before", "after"};
    for (size_t i = 1; i < 5; i++)
        if (strcmp(v, inserts[i]) == 0) {
            q->insert = (enum scrub_data_insert)i;
            return 0;
        }
    restconf_error(r, 400, "protocol", "invalid-value", NULL, "insert '%s' is not first, last, before or after", v);
    return -1;
}

int restconf_query_read(const struct dots_request *r, unsigned allowed, struct restconf_query *q)
{
    *q = (struct restconf_query){.content = RESTCONF_CONTENT_ALL};
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
    if (!query)
        return 0;
    struct evkeyvalq params;
    if (evhttp_parse_query_str(query, &params) < 0) {
        restconf_error(r, 400, "protocol", "invalid-value", NULL, "the query '%s' does not parse", query);
        return -1;
    }
    unsigned seen = 0;
    int rc = 0;
    for (struct evkeyval *kv = params.tqh_first; rc == 0 && kv; kv = kv->next.tqe_next) {
        size_t i = 0;
        while (i < N_PARAMS && strcmp(kv->key, names[i]) != 0)
            i++;
        char what[80];
        if (i == N_PARAMS || !(allowed & bits[i])) {
            taken(allowed, what, sizeof what);
            rc = -1, restconf_error(r, 400, "protocol", "invalid-value", NULL,
                                    "query parameter '%s' is not supported here (%s)", kv->key, what);
        } else if (seen & bits[i]) {
            rc = -1, restconf_error(r, 400, "protocol", "invalid-value", NULL,
                                    "query parameter '%s' given twice (RFC 8040 section 4.8: at most once)", kv->key);
        } else if (bits[i] == RESTCONF_Q_CONTENT) {
            rc = parse_content(r, kv->value, q);
        } else if (bits[i] == RESTCONF_Q_DEPTH) {
            rc = parse_depth(r, kv->value, q);
        } else if (bits[i] == RESTCONF_Q_INSERT) {
            rc = parse_insert(r, kv->value, q);
        } else if (!(q->point = strdup(kv->value))) {
            rc = -1, restconf_error(r, 500, "application", "operation-failed", NULL, "out of memory");
        }
        seen |= i < N_PARAMS ? bits[i] : 0;
    }
    evhttp_clear_headers(&params);
    bool placed = q->insert == SCRUB_DATA_INSERT_BEFORE || q->insert == SCRUB_DATA_INSERT_AFTER;
    if (rc == 0 && (q->point != NULL) != placed) {
        restconf_error(r, 400, "protocol", q->point ? "invalid-value" : "missing-attribute", NULL,
                       "point goes with insert before or after, and only with them (RFC 8040 section 4.8.6)");
        rc = -1;
    }
    if (rc)
        restconf_query_free(q);
    return rc;
}

void restconf_query_free(struct restconf_query *q)
{
    free(q->point);
    q->point = NULL;
}

const char *restconf_query_point(const struct dots_request *r, const struct restconf_query *q, const char *prefix,
                                 const char *what)
{
    size_t n = strlen(prefix);
    if (!q->point)
        return NULL;
    if (strncmp(q->point, prefix, n) == 0 && q->point[n])
        return q->point + n;
    restconf_error(r, 400, "protocol", "invalid-value", NULL, "point must name %s: %sNAME", what, prefix);
    return NULL;
}

/* ---- content and depth on a tree ------------------------------------------------- */

static bool is_state(const struct lyd_node *node)
{
    return node->schema && (node->schema->flags & LYS_CONFIG_R);
}

/* content=config: every config-false node goes. */
static void keep_config(struct lyd_node *node)
{
    struct lyd_node *child, *next;
    LY_LIST_FOR_SAFE(lyd_child(node), next, child)
    {
        if (is_state(child))
            lyd_free_tree(child);
        else
            keep_config(child);
    }
}

/* content=nonconfig: config-false nodes, their ancestors and the keys of
 * the list entries among them stay; true when node holds any. */
static bool keep_nonconfig(struct lyd_node *node)
{
    if (is_state(node))
        return true;
    bool any = false;
    struct lyd_node *child, *next;
    LY_LIST_FOR_SAFE(lyd_child(node), next, child)
    {
        if (keep_nonconfig(child))
            any = true;
        else if (!lysc_is_key(child->schema))
            lyd_free_tree(child);
    }
    return any;
}

/* Nodes deeper than depth go (node is at level); a list entry keeps its
 * keys, which name it. */
static void keep_depth(struct lyd_node *node, uint32_t level, uint32_t depth)
{
    struct lyd_node *child, *next;
    LY_LIST_FOR_SAFE(lyd_child(node), next, child)
    {
        if (level >= depth && !lysc_is_key(child->schema))
            lyd_free_tree(child);
        else
            keep_depth(child, level + 1, depth);
    }
}

void restconf_query_filter(struct lyd_node *target, const struct restconf_query *q)
{
    if (q->content == RESTCONF_CONTENT_CONFIG)
        keep_config(target);
    else if (q->content == RESTCONF_CONTENT_NONCONFIG)
        keep_nonconfig(target);
    if (q->depth)
        keep_depth(target, 1, q->depth);
}
