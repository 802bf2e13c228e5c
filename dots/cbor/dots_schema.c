/* The signal channel's libyang context and its dots-signal structure. */
#include "dots_schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct dots_schema {
    struct ly_ctx *ctx;
    const struct lysc_ext_instance *signal;
};

static const struct lysc_ext_instance *find_structure(const struct lys_module *mod, const char *name)
{
    LY_ARRAY_COUNT_TYPE i;
    LY_ARRAY_FOR(mod->compiled->exts, i) {
        const struct lysc_ext_instance *e = &mod->compiled->exts[i];
        if (strcmp(e->def->name, "structure") == 0 && e->argument && strcmp(e->argument, name) == 0)
            return e;
    }
    return NULL;
}

int dots_schema_open(const char *yang_dir, struct dots_schema **out, struct scrub_err *err)
{
    struct dots_schema *s = calloc(1, sizeof *s);
    if (!s)
        return scrub_err_set(err, ENOMEM, "dots schema: out of memory");
    /* Messages are read back with ly_errmsg(), never printed by libyang. */
    ly_log_options(LY_LOSTORE_LAST);
    if (ly_ctx_new(yang_dir, LY_CTX_NO_YANGLIBRARY, &s->ctx) != LY_SUCCESS) {
        free(s);
        return scrub_err_set(err, EINVAL, "dots schema: cannot make a libyang context on %s", yang_dir);
    }
    const struct lys_module *mod = ly_ctx_load_module(s->ctx, "ietf-dots-signal-channel", "2021-09-02", NULL);
    if (!mod) {
        scrub_err_set(err, ENOENT, "dots schema: ietf-dots-signal-channel@2021-09-02 does not load from %s: %s",
                      yang_dir, ly_errmsg(s->ctx));
        dots_schema_close(s);
        return -1;
    }
    /* RFC 9133's acl-list in a mitigation scope (an augment-structure) */
    if (!ly_ctx_load_module(s->ctx, "ietf-dots-signal-control", "2021-09-02", NULL)) {
        scrub_err_set(err, ENOENT, "dots schema: ietf-dots-signal-control@2021-09-02 does not load from %s: %s",
                      yang_dir, ly_errmsg(s->ctx));
        dots_schema_close(s);
        return -1;
    }
    s->signal = find_structure(mod, "dots-signal");
    if (!s->signal) {
        dots_schema_close(s);
        return scrub_err_set(err, ENOENT, "dots schema: ietf-dots-signal-channel has no structure dots-signal");
    }
    *out = s;
    return 0;
}

void dots_schema_close(struct dots_schema *s)
{
    if (!s)
        return;
    ly_ctx_destroy(s->ctx);
    free(s);
}

struct ly_ctx *dots_schema_ctx(const struct dots_schema *s)
{
    return s->ctx;
}

const struct lysc_ext_instance *dots_schema_signal(const struct dots_schema *s)
{
    return s->signal;
}

/* libyang 2.1.30 loops for ever when one lyd_parse_ext_data() call, or
 * lyd_insert_sibling(), puts two top-level nodes into a structure's data
 * (two scope entries, or mitigating-config and idle-config). So each
 * top-level instance is parsed and validated alone, and the results are
 * linked here, in schema order. What libyang would check across top-level
 * nodes is then checked here: one message-type case only. */

static LY_ERR parse_one(const struct dots_schema *s, const char *json, struct lyd_node **tree)
{
    struct ly_in *in;
    *tree = NULL;
    if (ly_in_new_memory(json, &in) != LY_SUCCESS)
        return LY_EMEM;
    LY_ERR r = lyd_parse_ext_data(s->signal, NULL, in, LYD_JSON, LYD_PARSE_STRICT, LYD_VALIDATE_PRESENT, tree);
    ly_in_free(in, 0);
    return r;
}

/* The position of a top-level schema node among the structure's. */
static unsigned schema_rank(const struct dots_schema *s, const struct lysc_node *sn)
{
    unsigned rank = 0;
    for (const struct lysc_node *it = NULL; (it = lys_getnext_ext(it, NULL, s->signal, 0)); rank++)
        if (it == sn)
            return rank;
    return rank;
}

static const char *case_of(const struct lysc_node *sn)
{
    for (const struct lysc_node *p = sn->parent; p; p = p->parent)
        if (p->nodetype == LYS_CASE)
            return p->name;
    return "";
}

/* Appends node (one top-level node) to the sibling list *first, after every
 * sibling of the same or an earlier schema rank. */
static void link_sorted(const struct dots_schema *s, struct lyd_node **first, struct lyd_node *node)
{
    unsigned rank = schema_rank(s, node->schema);
    struct lyd_node *after = NULL;
    for (struct lyd_node *it = *first; it && schema_rank(s, it->schema) <= rank; it = it->next)
        after = it;
    if (!*first) {
        node->prev = node;
        node->next = NULL;
        *first = node;
    } else if (!after) {
        node->next = *first;
        node->prev = (*first)->prev;
        (*first)->prev = node;
        *first = node;
    } else {
        node->next = after->next;
        node->prev = after;
        if (after->next)
            after->next->prev = node;
        else
            (*first)->prev = node;
        after->next = node;
    }
}

/* Parses one {"name": value} document and links its node into *tree. */
static int parse_member(const struct dots_schema *s, const char *name, json_object *value, struct lyd_node **tree,
                        struct scrub_err *err)
{
    json_object *doc = json_object_new_object();
    struct lyd_node *node;
    if (!doc || json_object_object_add(doc, name, json_object_get(value)) != 0) {
        json_object_put(doc);
        return scrub_err_set(err, ENOMEM, "out of memory");
    }
    LY_ERR r = parse_one(s, json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN), &node);
    json_object_put(doc);
    if (r != LY_SUCCESS) {
        const char *path = ly_errpath(s->ctx);
        scrub_err_set(err, EINVAL, "%s%s%s", ly_errmsg(s->ctx), path ? " at " : "", path ? path : "");
        /* one line: the message may go into a log or a diagnostic payload */
        for (char *c = err->msg; *c; c++)
            if (*c == '\n')
                *c = ' ';
        lyd_free_all(node);
        return -1;
    }
    struct lyd_node *last = node ? node->prev : NULL;
    while (node) {
        /* detach the first node of what was parsed */
        struct lyd_node *next = node->next;
        if (*tree && strcmp(case_of((*tree)->schema), case_of(node->schema)) != 0) {
            scrub_err_set(err, EINVAL, "data of two message types: %s and %s", case_of((*tree)->schema),
                          case_of(node->schema));
            lyd_free_all(node);
            return -1;
        }
        node->next = NULL;
        node->prev = node;
        if (next)
            next->prev = last;
        link_sorted(s, tree, node);
        node = next;
    }
    return 0;
}

int dots_schema_parse_json(const struct dots_schema *s, const char *json, struct lyd_node **tree,
                           struct scrub_err *err)
{
    enum json_tokener_error jerr;
    json_object *top = json_tokener_parse_verbose(json, &jerr);
    int r = 0;
    *tree = NULL;
    if (!top || !json_object_is_type(top, json_type_object)) {
        json_object_put(top);
        return scrub_err_set(err, EINVAL, "not a JSON object: %s",
                             top ? "another value" : json_tokener_error_desc(jerr));
    }
    json_object_object_foreach(top, name, value) {
        if (json_object_is_type(value, json_type_array)) {
            /* each list entry or leaf-list value alone */
            for (size_t i = 0; r == 0 && i < json_object_array_length(value); i++) {
                json_object *one = json_object_new_array();
                if (!one || json_object_array_add(one, json_object_get(json_object_array_get_idx(value, i))) != 0)
                    r = scrub_err_set(err, ENOMEM, "out of memory");
                else
                    r = parse_member(s, name, one, tree, err);
                json_object_put(one);
            }
        } else {
            r = parse_member(s, name, value, tree, err);
        }
        if (r < 0)
            break;
    }
    json_object_put(top);
    if (r < 0) {
        lyd_free_all(*tree);
        *tree = NULL;
        return -1;
    }
    if (!*tree)
        return scrub_err_set(err, EINVAL, "the message holds no data");
    return 0;
}
