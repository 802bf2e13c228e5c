/* A libyang tree of the dots-signal structure → CBOR in preferred
 * serialisation (RFC 8949 4.1): every head in its shortest form, definite
 * lengths only, map entries sorted by key. libcbor 0.8 writes integers in
 * the width it is handed, so the heads are written here. The top-level nodes are grouped under the key of their
 * message-type case (RFC 9132 section 6). */
#include "dots_cbor.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_cbor_keys.h"

struct enc {
    uint8_t *p;
    size_t len, cap;
    struct dots_cbor_error *err;
};

static int fail(struct enc *e, const struct lyd_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct enc *e, const struct lyd_node *node, const char *fmt, ...)
{
    va_list ap;
    e->err->status = DOTS_CBOR_INTERNAL;
    if (node) {
        char *path = lyd_path(node, LYD_PATH_STD, NULL, 0);
        snprintf(e->err->path, sizeof e->err->path, "%s", path ? path : "?");
        free(path);
    }
    va_start(ap, fmt);
    vsnprintf(e->err->msg, sizeof e->err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int put(struct enc *e, const void *s, size_t n)
{
    if (e->len + n > e->cap) {
        size_t cap = e->cap ? e->cap : 256;
        while (cap < e->len + n)
            cap *= 2;
        uint8_t *p = realloc(e->p, cap);
        if (!p)
            return fail(e, NULL, "out of memory");
        e->p = p;
        e->cap = cap;
    }
    memcpy(e->p + e->len, s, n);
    e->len += n;
    return 0;
}

/* A head: major type and argument in the fewest bytes. */
static int head(struct enc *e, unsigned major, uint64_t arg)
{
    uint8_t b[9];
    size_t n;
    b[0] = (uint8_t)(major << 5);
    if (arg < 24) {
        b[0] |= (uint8_t)arg;
        n = 1;
    } else if (arg <= UINT8_MAX) {
        b[0] |= 24;
        n = 2;
    } else if (arg <= UINT16_MAX) {
        b[0] |= 25;
        n = 3;
    } else if (arg <= UINT32_MAX) {
        b[0] |= 26;
        n = 5;
    } else {
        b[0] |= 27;
        n = 9;
    }
    for (size_t i = 1; i < n; i++)
        b[i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
    return put(e, b, n);
}

static int integer(struct enc *e, int64_t v)
{
    return v >= 0 ? head(e, 0, (uint64_t)v) : head(e, 1, (uint64_t)(-(v + 1)));
}

static int text(struct enc *e, const char *s)
{
    size_t n = strlen(s);
    return head(e, 3, n) < 0 ? -1 : put(e, s, n);
}

static int leaf(struct enc *e, const struct lyd_node *node)
{
    const struct lyd_value *v = &((const struct lyd_node_term *)node)->value;
    if (v->realtype->basetype == LY_TYPE_UNION)
        v = &v->subvalue->value;
    switch (v->realtype->basetype) {
    case LY_TYPE_UINT8: return head(e, 0, v->uint8);
    case LY_TYPE_UINT16: return head(e, 0, v->uint16);
    case LY_TYPE_UINT32: return head(e, 0, v->uint32);
    case LY_TYPE_UINT64: return head(e, 0, v->uint64);
    case LY_TYPE_INT8: return integer(e, v->int8);
    case LY_TYPE_INT16: return integer(e, v->int16);
    case LY_TYPE_INT32: return integer(e, v->int32);
    case LY_TYPE_INT64: return integer(e, v->int64);
    case LY_TYPE_BOOL: return put(e, v->boolean ? "\xf5" : "\xf4", 1);
    case LY_TYPE_ENUM: return integer(e, v->enum_item->value);
    case LY_TYPE_DEC64: {
        /* tag 4 [-fraction-digits, value scaled by 10^fraction-digits] */
        const struct lysc_type_dec *t = (const struct lysc_type_dec *)v->realtype;
        if (head(e, 6, 4) < 0 || head(e, 4, 2) < 0 || integer(e, -(int64_t)t->fraction_digits) < 0)
            return -1;
        return integer(e, v->dec64);
    }
    case LY_TYPE_STRING:
    case LY_TYPE_IDENT:
        return text(e, lyd_get_value(node));
    default:
        return fail(e, node, "%s has a type the encoder does not know", node->schema->name);
    }
}

/* The key of a node: module-qualified when its module differs from its
 * parent's (for a top-level node, from the structure's, which the message-type
 * choice above it belongs to). */
static const struct dots_cbor_key *key_of(const struct lyd_node *node)
{
    const struct lysc_node *sn = node->schema, *ref = lysc_data_parent(sn);
    if (!ref)
        for (ref = sn; ref->parent; ref = ref->parent)
            ;
    return dots_cbor_key_by_name(ref->module != sn->module ? sn->module->name : NULL, sn->name);
}

static const char *case_of(const struct lysc_node *sn)
{
    for (const struct lysc_node *p = sn->parent; p; p = p->parent)
        if (p->nodetype == LYS_CASE)
            return p->name;
    return NULL;
}

/* Siblings from first while they satisfy same(first, node): a run of one
 * schema node's instances, or of one case's top-level nodes. */
static size_t run_length(const struct lyd_node *first, int (*same)(const struct lyd_node *, const struct lyd_node *))
{
    size_t n = 0;
    for (const struct lyd_node *n2 = first; n2 && same(first, n2); n2 = n2->next)
        n++;
    return n;
}

static int same_schema(const struct lyd_node *a, const struct lyd_node *b)
{
    return a->schema == b->schema;
}

static int same_case(const struct lyd_node *a, const struct lyd_node *b)
{
    const char *ca = case_of(a->schema), *cb = case_of(b->schema);
    return ca && cb && strcmp(ca, cb) == 0;
}

static int members(struct enc *e, const struct lyd_node *first, size_t count);

/* The value of a run of n instances of one schema node. */
static int run_value(struct enc *e, const struct lyd_node *node, size_t n)
{
    switch (node->schema->nodetype) {
    case LYS_CONTAINER:
        return members(e, lyd_child(node), SIZE_MAX);
    case LYS_LIST:
        if (head(e, 4, n) < 0)
            return -1;
        for (size_t i = 0; i < n; i++, node = node->next)
            if (members(e, lyd_child(node), SIZE_MAX) < 0)
                return -1;
        return 0;
    case LYS_LEAFLIST:
        if (head(e, 4, n) < 0)
            return -1;
        for (size_t i = 0; i < n; i++, node = node->next)
            if (leaf(e, node) < 0)
                return -1;
        return 0;
    case LYS_LEAF:
        return leaf(e, node);
    default:
        return fail(e, node, "%s is of a node type the encoder does not know", node->schema->name);
    }
}

struct entry {
    const struct dots_cbor_key *key;
    const struct lyd_node *first;
    size_t len;
};

static int by_key(const void *a, const void *b)
{
    uint32_t ka = ((const struct entry *)a)->key->key, kb = ((const struct entry *)b)->key->key;
    return ka < kb ? -1 : ka > kb;
}

/* A map of the siblings from first (count of them, SIZE_MAX: all): one entry
 * per schema node, sorted by key (RFC 8949 4.2.1: for integer keys the
 * bytewise order of their encodings is their numeric order). */
static int members(struct enc *e, const struct lyd_node *first, size_t count)
{
    size_t entries = 0, seen = 0;
    for (const struct lyd_node *n = first; n && seen < count;) {
        size_t len = run_length(n, same_schema);
        entries += !(n->flags & LYD_DEFAULT);
        for (size_t i = 0; i < len; i++, n = n->next)
            seen++;
    }
    struct entry *list = calloc(entries ? entries : 1, sizeof *list);
    if (!list)
        return fail(e, NULL, "out of memory");
    int r = -1;
    seen = 0;
    size_t i = 0;
    for (const struct lyd_node *n = first; n && seen < count;) {
        size_t len = run_length(n, same_schema);
        if (!(n->flags & LYD_DEFAULT)) {
            /* what the schema supplied by default is not sent */
            list[i] = (struct entry){key_of(n), n, len};
            if (!list[i++].key) {
                fail(e, n, "%s:%s has no CBOR key", n->schema->module->name, n->schema->name);
                goto out;
            }
        }
        for (size_t k = 0; k < len; k++, n = n->next)
            seen++;
    }
    qsort(list, entries, sizeof *list, by_key);
    if (head(e, 5, entries) < 0)
        goto out;
    for (i = 0; i < entries; i++)
        if (head(e, 0, list[i].key->key) < 0 || run_value(e, list[i].first, list[i].len) < 0)
            goto out;
    r = 0;
out:
    free(list);
    return r;
}

int dots_cbor_encode(const struct lyd_node *tree, uint8_t **out, size_t *len, struct dots_cbor_error *err)
{
    struct enc e = {.err = err};
    size_t cases = 0;
    tree = lyd_first_sibling(tree);
    memset(err, 0, sizeof *err);
    *out = NULL;
    *len = 0;
    for (const struct lyd_node *n = tree; n; n = n->next)
        if (n == tree || !same_case(n->prev, n))
            cases++;
    if (head(&e, 5, cases) < 0)
        goto fail;
    for (const struct lyd_node *n = tree; n;) {
        const char *c = case_of(n->schema);
        const struct dots_cbor_key *k = c ? dots_cbor_key_by_name(n->schema->module->name, c) : NULL;
        size_t count = run_length(n, same_case);
        if (!k || !k->is_case) {
            fail(&e, n, "%s is in no message type of the CBOR key table", n->schema->name);
            goto fail;
        }
        if (head(&e, 0, k->key) < 0 || members(&e, n, count) < 0)
            goto fail;
        for (size_t i = 0; i < count; i++)
            n = n->next;
    }
    *out = e.p;
    *len = e.len;
    return 0;
fail:
    free(e.p);
    return -1;
}
