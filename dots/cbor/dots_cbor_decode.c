/* CBOR → JSON text of the dots-signal structure, walking the schema with the
 * input: each map key is looked up in the key table and then among the
 * schema children of where the walk is, so a value's expected type is known
 * before it is read. libcbor's stateless decoder reads one item head at a
 * time straight from the buffer: nothing is allocated for the input, and
 * every count, length and depth is checked against the limits before the
 * walk goes into it. The JSON is then parsed and validated by libyang. */
#include "dots_cbor.h"

#include <cbor.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_cbor_keys.h"
#include "dots_json_buf.h"
#include "dots_utf8.h"

const struct dots_cbor_limits dots_cbor_default_limits = {
    .max_input = 8192,
    .max_depth = 12,
    .max_entries = 256,
    .max_items = 2048,
    .max_string = 1024,
};

enum kind {
    K_UINT, K_NEGINT, K_BYTES, K_BYTES_INDEF, K_TEXT, K_TEXT_INDEF, K_ARRAY, K_ARRAY_INDEF,
    K_MAP, K_MAP_INDEF, K_TAG, K_FLOAT, K_BOOL, K_NULL, K_UNDEFINED, K_BREAK,
};

static const char *const kind_names[] = {
    [K_UINT] = "an unsigned integer", [K_NEGINT] = "a negative integer",
    [K_BYTES] = "a byte string", [K_BYTES_INDEF] = "a byte string",
    [K_TEXT] = "a text string", [K_TEXT_INDEF] = "a text string",
    [K_ARRAY] = "an array", [K_ARRAY_INDEF] = "an array", [K_MAP] = "a map", [K_MAP_INDEF] = "a map",
    [K_TAG] = "a tag", [K_FLOAT] = "a float", [K_BOOL] = "a boolean", [K_NULL] = "null",
    [K_UNDEFINED] = "undefined", [K_BREAK] = "a break",
};

/* One item head, as libcbor's callbacks report it. */
struct head {
    enum kind kind;
    uint64_t value;       /* integer, tag number, or entry count */
    const uint8_t *data;  /* definite string bytes (in the input) */
    size_t len;
    bool boolean;
};

struct dec {
    const uint8_t *start;
    const uint8_t *p;
    size_t left;
    const struct dots_cbor_limits *lim;
    const struct dots_cbor_decode_opts *opts;
    const struct lysc_ext_instance *ext;
    struct dots_json_buf out;
    struct dots_cbor_decode_stats stats;
    char path[256];
    size_t path_len;
    struct dots_cbor_error *err;
};

static int fail(struct dec *d, enum dots_cbor_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct dec *d, enum dots_cbor_status status, const char *fmt, ...)
{
    va_list ap;
    d->err->status = status;
    snprintf(d->err->path, sizeof d->err->path, "%s", d->path_len ? d->path : "/");
    va_start(ap, fmt);
    vsnprintf(d->err->msg, sizeof d->err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* The path grows by one step while a value is walked; it is cut back after. */
static size_t path_push(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(struct dec *d, const char *fmt, ...)
{
    size_t saved = d->path_len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(d->path + d->path_len, sizeof d->path - d->path_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        d->path_len += (size_t)n < sizeof d->path - d->path_len ? (size_t)n : sizeof d->path - d->path_len - 1;
    return saved;
}

static void path_pop(struct dec *d, size_t saved)
{
    d->path_len = saved;
    d->path[saved] = '\0';
}

/* libcbor's callbacks: each fills the head. */
#define H ((struct head *)ctx)
static void cb_u8(void *ctx, uint8_t v) { H->kind = K_UINT; H->value = v; }
static void cb_u16(void *ctx, uint16_t v) { H->kind = K_UINT; H->value = v; }
static void cb_u32(void *ctx, uint32_t v) { H->kind = K_UINT; H->value = v; }
static void cb_u64(void *ctx, uint64_t v) { H->kind = K_UINT; H->value = v; }
static void cb_n8(void *ctx, uint8_t v) { H->kind = K_NEGINT; H->value = v; }
static void cb_n16(void *ctx, uint16_t v) { H->kind = K_NEGINT; H->value = v; }
static void cb_n32(void *ctx, uint32_t v) { H->kind = K_NEGINT; H->value = v; }
static void cb_n64(void *ctx, uint64_t v) { H->kind = K_NEGINT; H->value = v; }
static void cb_bytes(void *ctx, cbor_data p, size_t n) { H->kind = K_BYTES; H->data = p; H->len = n; }
static void cb_bytes_indef(void *ctx) { H->kind = K_BYTES_INDEF; }
static void cb_text(void *ctx, cbor_data p, size_t n) { H->kind = K_TEXT; H->data = p; H->len = n; }
static void cb_text_indef(void *ctx) { H->kind = K_TEXT_INDEF; }
static void cb_array(void *ctx, size_t n) { H->kind = K_ARRAY; H->value = n; }
static void cb_array_indef(void *ctx) { H->kind = K_ARRAY_INDEF; }
static void cb_map(void *ctx, size_t n) { H->kind = K_MAP; H->value = n; }
static void cb_map_indef(void *ctx) { H->kind = K_MAP_INDEF; }
static void cb_tag(void *ctx, uint64_t v) { H->kind = K_TAG; H->value = v; }
static void cb_float(void *ctx, float v) { (void)v; H->kind = K_FLOAT; }
static void cb_double(void *ctx, double v) { (void)v; H->kind = K_FLOAT; }
static void cb_null(void *ctx) { H->kind = K_NULL; }
static void cb_undefined(void *ctx) { H->kind = K_UNDEFINED; }
static void cb_bool(void *ctx, bool v) { H->kind = K_BOOL; H->boolean = v; }
static void cb_break(void *ctx) { H->kind = K_BREAK; }
#undef H

static const struct cbor_callbacks callbacks = {
    .uint8 = cb_u8, .uint16 = cb_u16, .uint32 = cb_u32, .uint64 = cb_u64,
    .negint8 = cb_n8, .negint16 = cb_n16, .negint32 = cb_n32, .negint64 = cb_n64,
    .byte_string = cb_bytes, .byte_string_start = cb_bytes_indef,
    .string = cb_text, .string_start = cb_text_indef,
    .array_start = cb_array, .indef_array_start = cb_array_indef,
    .map_start = cb_map, .indef_map_start = cb_map_indef,
    .tag = cb_tag, .float2 = cb_float, .float4 = cb_float, .float8 = cb_double,
    .null = cb_null, .undefined = cb_undefined, .boolean = cb_bool, .indef_break = cb_break,
};

/* Reads the next item head (for a definite string, its bytes too). */
static int next_head(struct dec *d, struct head *h)
{
    if (d->left == 0)
        return fail(d, DOTS_CBOR_MALFORMED, "truncated: an item is missing at the end of the body");
    memset(h, 0, sizeof *h);
    struct cbor_decoder_result r = cbor_stream_decode(d->p, d->left, &callbacks, h);
    if (r.status == CBOR_DECODER_NEDATA)
        /* (libcbor 0.8's r.required wraps for lengths near 2^64: not quoted) */
        return fail(d, DOTS_CBOR_MALFORMED, "truncated: the item at byte %zu runs past the end of the body",
                    (size_t)(d->p - d->start));
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || r.read > d->left)
        return fail(d, DOTS_CBOR_MALFORMED, "not well-formed CBOR (initial byte 0x%02x)", d->p[0]);
    d->p += r.read;
    d->left -= r.read;
    if (d->stats.items == d->lim->max_items)
        return fail(d, DOTS_CBOR_LIMIT, "more than %zu data items", d->lim->max_items);
    d->stats.items++;
    if ((h->kind == K_BYTES || h->kind == K_TEXT) && h->len > d->lim->max_string)
        return fail(d, DOTS_CBOR_LIMIT, "a string of %zu bytes (at most %zu)", h->len, d->lim->max_string);
    if ((h->kind == K_ARRAY || h->kind == K_MAP) && h->value > d->lim->max_entries)
        return fail(d, DOTS_CBOR_LIMIT, "%s of %" PRIu64 " entries (at most %zu)", kind_names[h->kind], h->value,
                    d->lim->max_entries);
    return 0;
}

static int enter(struct dec *d, unsigned depth)
{
    if (depth > d->lim->max_depth)
        return fail(d, DOTS_CBOR_LIMIT, "nested deeper than %u", d->lim->max_depth);
    if (depth > d->stats.max_depth)
        d->stats.max_depth = depth;
    return 0;
}

static bool is_array(const struct head *h) { return h->kind == K_ARRAY || h->kind == K_ARRAY_INDEF; }
static bool is_map(const struct head *h) { return h->kind == K_MAP || h->kind == K_MAP_INDEF; }
static bool is_text(const struct head *h) { return h->kind == K_TEXT || h->kind == K_TEXT_INDEF; }

/* Entry iteration over a definite or indefinite array or map: returns 1 when
 * another entry follows, 0 at the end, -1 on error. For an indefinite
 * container the break is consumed here. */
static int more(struct dec *d, const struct head *h, size_t *done)
{
    if (h->kind == K_ARRAY || h->kind == K_MAP) {
        if (*done >= h->value)
            return 0;
        (*done)++;
        return 1;
    }
    if (d->left == 0)
        return fail(d, DOTS_CBOR_MALFORMED, "truncated: an indefinite-length %s has no break",
                    h->kind == K_MAP_INDEF ? "map" : "array");
    if (d->p[0] == 0xff) {
        d->p++;
        d->left--;
        return 0;
    }
    if (*done >= d->lim->max_entries)
        return fail(d, DOTS_CBOR_LIMIT, "%s of more than %zu entries", kind_names[h->kind], d->lim->max_entries);
    (*done)++;
    return 1;
}

/* Walks and discards one item whose head was read (a dropped value). */
static int skip(struct dec *d, const struct head *h, unsigned depth)
{
    struct head in;
    size_t n = 0;
    int r;
    switch (h->kind) {
    case K_BYTES_INDEF:
    case K_TEXT_INDEF:
        for (;;) {
            if (next_head(d, &in) < 0)
                return -1;
            if (in.kind == K_BREAK)
                return 0;
            if (in.kind != (h->kind == K_BYTES_INDEF ? K_BYTES : K_TEXT))
                return fail(d, DOTS_CBOR_MALFORMED, "a chunk of an indefinite-length string is %s",
                            kind_names[in.kind]);
        }
    case K_ARRAY:
    case K_ARRAY_INDEF:
    case K_MAP:
    case K_MAP_INDEF:
        if (enter(d, depth + 1) < 0)
            return -1;
        while ((r = more(d, h, &n)) == 1) {
            for (int half = 0; half < (is_map(h) ? 2 : 1); half++)
                if (next_head(d, &in) < 0 || skip(d, &in, depth + 1) < 0)
                    return -1;
        }
        return r;
    case K_TAG:
        if (enter(d, depth + 1) < 0 || next_head(d, &in) < 0)
            return -1;
        return skip(d, &in, depth + 1);
    case K_BREAK:
        return fail(d, DOTS_CBOR_MALFORMED, "a break outside an indefinite-length item");
    default:
        return 0;
    }
}

static int emit(struct dec *d, const char *s, size_t n)
{
    if (dots_json_buf_add(&d->out, s, n) < 0)
        return fail(d, d->out.oom ? DOTS_CBOR_INTERNAL : DOTS_CBOR_LIMIT,
                    d->out.oom ? "out of memory" : "the decoded message outgrows %zu bytes", d->out.max);
    return 0;
}

static int emits(struct dec *d, const char *s)
{
    return emit(d, s, strlen(s));
}

static int emitf(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int emitf(struct dec *d, const char *fmt, ...)
{
    char tmp[96];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return emit(d, tmp, (size_t)n);
}

/* A text string (definite, or the chunks of an indefinite one) as a JSON
 * string. Every chunk must be valid UTF-8 by itself (RFC 8949 3.2.3). */
static int text_value(struct dec *d, const struct head *h)
{
    size_t total = 0;
    struct head chunk = *h;
    if (emits(d, "\"") < 0)
        return -1;
    for (;;) {
        if (h->kind == K_TEXT_INDEF) {
            if (next_head(d, &chunk) < 0)
                return -1;
            if (chunk.kind == K_BREAK)
                break;
            if (chunk.kind != K_TEXT)
                return fail(d, DOTS_CBOR_MALFORMED, "a chunk of an indefinite-length text string is %s",
                            kind_names[chunk.kind]);
        }
        total += chunk.len;
        if (total > d->lim->max_string)
            return fail(d, DOTS_CBOR_LIMIT, "a string of more than %zu bytes", d->lim->max_string);
        if (!dots_utf8_valid(chunk.data, chunk.len))
            return fail(d, DOTS_CBOR_WRONG_TYPE, "a text string that is not valid UTF-8");
        for (size_t i = 0; i < chunk.len; i++) {
            unsigned char c = chunk.data[i];
            int r = c == '"' ? emits(d, "\\\"") : c == '\\' ? emits(d, "\\\\")
                  : c < 0x20 ? emitf(d, "\\u%04x", c) : emit(d, (const char *)&chunk.data[i], 1);
            if (r < 0)
                return -1;
        }
        if (h->kind == K_TEXT)
            break;
    }
    return emits(d, "\"");
}

static int int_of(struct dec *d, const struct head *h, int64_t *v)
{
    if (h->value > INT64_MAX)
        return fail(d, DOTS_CBOR_INVALID, "the integer is out of range");
    *v = h->kind == K_UINT ? (int64_t)h->value : -1 - (int64_t)h->value;
    return 0;
}

/* decimal64 as tag 4 [exponent, mantissa] (RFC 8949 3.4.4) → "digits". */
static int decimal_value(struct dec *d, unsigned depth)
{
    struct head arr, e, m;
    size_t n = 0;
    int64_t exp = 0;
    if (enter(d, depth + 1) < 0 || next_head(d, &arr) < 0)
        return -1;
    if (!is_array(&arr))
        return fail(d, DOTS_CBOR_WRONG_TYPE, "a decimal fraction (tag 4) holds %s, not [exponent, mantissa]",
                    kind_names[arr.kind]);
    if (more(d, &arr, &n) != 1 || next_head(d, &e) < 0 || more(d, &arr, &n) != 1 || next_head(d, &m) < 0)
        return d->err->status ? -1
                              : fail(d, DOTS_CBOR_WRONG_TYPE, "a decimal fraction (tag 4) of fewer than 2 entries");
    if (more(d, &arr, &n) != 0)
        return d->err->status ? -1 : fail(d, DOTS_CBOR_WRONG_TYPE, "a decimal fraction (tag 4) of more than 2 entries");
    if ((e.kind != K_UINT && e.kind != K_NEGINT) || (m.kind != K_UINT && m.kind != K_NEGINT))
        return fail(d, DOTS_CBOR_WRONG_TYPE, "a decimal fraction (tag 4) whose exponent or mantissa is not an integer");
    int64_t mant = 0;
    if (int_of(d, &e, &exp) < 0 || int_of(d, &m, &mant) < 0)
        return -1;
    if (exp < -18 || exp > 18)
        return fail(d, DOTS_CBOR_INVALID, "a decimal fraction exponent of %" PRId64 " (decimal64 holds -18..18)", exp);
    /* the magnitude, without overflowing at INT64_MIN */
    uint64_t mag = mant < 0 ? (uint64_t)(-(mant + 1)) + 1 : (uint64_t)mant;
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, mag);
    if (emits(d, mant < 0 ? "\"-" : "\"") < 0)
        return -1;
    if (exp >= 0) {
        if (emit(d, digits, (size_t)len) < 0)
            return -1;
        for (int64_t i = 0; i < exp; i++)
            if (emits(d, "0") < 0)
                return -1;
        return emits(d, "\"");
    }
    /* digits with the point -exp places from the right: 15, -1 → 1.5; 5, -2 → 0.05 */
    int frac = (int)-exp, whole = len - frac;
    if (whole > 0) {
        if (emit(d, digits, (size_t)whole) < 0)
            return -1;
    } else if (emits(d, "0") < 0) {
        return -1;
    }
    if (emits(d, ".") < 0)
        return -1;
    for (int i = whole; i < 0; i++)
        if (emits(d, "0") < 0)
            return -1;
    if (emit(d, whole > 0 ? digits + whole : digits, (size_t)(whole > 0 ? frac : len)) < 0)
        return -1;
    return emits(d, "\"");
}

/* Whether a scalar of this type may be written as this CBOR item. */
static bool accepts(const struct lysc_type *t, const struct head *h)
{
    switch (t->basetype) {
    case LY_TYPE_UINT8: case LY_TYPE_UINT16: case LY_TYPE_UINT32: case LY_TYPE_UINT64:
        return h->kind == K_UINT;
    case LY_TYPE_INT8: case LY_TYPE_INT16: case LY_TYPE_INT32: case LY_TYPE_INT64: case LY_TYPE_ENUM:
        return h->kind == K_UINT || h->kind == K_NEGINT;
    case LY_TYPE_DEC64:
        return h->kind == K_TAG && h->value == 4;
    case LY_TYPE_BOOL:
        return h->kind == K_BOOL;
    case LY_TYPE_STRING: case LY_TYPE_IDENT:
        return is_text(h);
    case LY_TYPE_LEAFREF:
        return accepts(((const struct lysc_type_leafref *)t)->realtype, h);
    case LY_TYPE_UNION: {
        const struct lysc_type_union *u = (const struct lysc_type_union *)t;
        LY_ARRAY_COUNT_TYPE i;
        LY_ARRAY_FOR(u->types, i)
            if (accepts(u->types[i], h))
                return true;
        return false;
    }
    default:
        return false;
    }
}

/* One scalar leaf value whose head was read, as JSON (RFC 7951: 64-bit
 * integers and decimal64 as strings, enumerations by name). */
static int scalar_value(struct dec *d, const struct lysc_type *t, const struct head *h, unsigned depth)
{
    int64_t v = 0;
    switch (t->basetype) {
    case LY_TYPE_UINT64:
        return emitf(d, "\"%" PRIu64 "\"", h->value);
    case LY_TYPE_UINT8: case LY_TYPE_UINT16: case LY_TYPE_UINT32:
        return emitf(d, "%" PRIu64, h->value);
    case LY_TYPE_INT8: case LY_TYPE_INT16: case LY_TYPE_INT32: case LY_TYPE_INT64:
        if (int_of(d, h, &v) < 0)
            return -1;
        return emitf(d, t->basetype == LY_TYPE_INT64 ? "\"%" PRId64 "\"" : "%" PRId64, v);
    case LY_TYPE_ENUM: {
        const struct lysc_type_enum *en = (const struct lysc_type_enum *)t;
        LY_ARRAY_COUNT_TYPE i;
        if (int_of(d, h, &v) < 0)
            return -1;
        LY_ARRAY_FOR(en->enums, i)
            if (en->enums[i].value == v)
                return emitf(d, "\"%s\"", en->enums[i].name);
        return fail(d, DOTS_CBOR_INVALID, "%" PRId64 " is not a value of the enumeration", v);
    }
    case LY_TYPE_DEC64:
        return decimal_value(d, depth);
    case LY_TYPE_BOOL:
        return emits(d, h->boolean ? "true" : "false");
    case LY_TYPE_STRING: case LY_TYPE_IDENT:
        return text_value(d, h);
    case LY_TYPE_LEAFREF:
        return scalar_value(d, ((const struct lysc_type_leafref *)t)->realtype, h, depth);
    case LY_TYPE_UNION: {
        const struct lysc_type_union *u = (const struct lysc_type_union *)t;
        LY_ARRAY_COUNT_TYPE i;
        LY_ARRAY_FOR(u->types, i)
            if (accepts(u->types[i], h))
                return scalar_value(d, u->types[i], h, depth);
        break;
    }
    default:
        break;
    }
    return fail(d, DOTS_CBOR_INTERNAL, "the schema has a type the decoder does not know");
}

static int leaf_value(struct dec *d, const struct lysc_node *sn, unsigned depth)
{
    const struct lysc_type *t = sn->nodetype == LYS_LEAF ? ((const struct lysc_node_leaf *)sn)->type
                                                         : ((const struct lysc_node_leaflist *)sn)->type;
    struct head h;
    if (next_head(d, &h) < 0)
        return -1;
    if (!accepts(t, &h))
        return fail(d, DOTS_CBOR_WRONG_TYPE, "%s is %s, which its type does not allow", sn->name,
                    kind_names[h.kind]);
    return scalar_value(d, t, &h, depth);
}

static const char *case_of(const struct lysc_node *sn)
{
    for (const struct lysc_node *p = sn->parent; p; p = p->parent)
        if (p->nodetype == LYS_CASE)
            return p->name;
    return NULL;
}

/* The schema child of parent (or of the structure, in case top_case) that
 * the key entry names, or NULL. */
static const struct lysc_node *find_child(const struct dec *d, const struct lysc_node *parent,
                                          const struct dots_cbor_key *k, const char *top_case)
{
    const struct lysc_node *sn = NULL;
    while ((sn = lys_getnext_ext(sn, parent, d->ext, 0))) {
        if (strcmp(sn->name, k->name) != 0)
            continue;
        if (k->module ? strcmp(sn->module->name, k->module) != 0
                      : parent && sn->module != parent->module)
            continue;
        if (!parent && (!top_case || !case_of(sn) || strcmp(case_of(sn), top_case) != 0))
            continue;
        return sn;
    }
    return NULL;
}

static int members(struct dec *d, const struct head *map, const struct lysc_node *parent, const char *top_case,
                   unsigned depth, bool *first);

/* The value of one schema node: container → map, list → array of maps,
 * leaf-list → array, leaf → scalar. */
static int node_value(struct dec *d, const struct lysc_node *sn, unsigned depth)
{
    struct head h;
    size_t n = 0;
    int r;
    bool first = true;
    if (sn->nodetype == LYS_LEAF)
        return leaf_value(d, sn, depth);
    if (next_head(d, &h) < 0)
        return -1;
    if (sn->nodetype == LYS_CONTAINER) {
        if (!is_map(&h))
            return fail(d, DOTS_CBOR_WRONG_TYPE, "container %s is %s, not a map", sn->name, kind_names[h.kind]);
        if (emits(d, "{") < 0 || members(d, &h, sn, NULL, depth + 1, &first) < 0)
            return -1;
        return emits(d, "}");
    }
    if (!is_array(&h))
        return fail(d, DOTS_CBOR_WRONG_TYPE, "%s %s is %s, not an array",
                    sn->nodetype == LYS_LIST ? "list" : "leaf-list", sn->name, kind_names[h.kind]);
    if (enter(d, depth + 1) < 0 || emits(d, "[") < 0)
        return -1;
    while ((r = more(d, &h, &n)) == 1) {
        size_t saved = path_push(d, "[%zu]", n - 1);
        if (n > 1 && emits(d, ",") < 0)
            return -1;
        if (sn->nodetype == LYS_LIST) {
            struct head entry;
            first = true;
            if (next_head(d, &entry) < 0)
                return -1;
            if (!is_map(&entry))
                return fail(d, DOTS_CBOR_WRONG_TYPE, "an entry of list %s is %s, not a map", sn->name,
                            kind_names[entry.kind]);
            if (emits(d, "{") < 0 || members(d, &entry, sn, NULL, depth + 2, &first) < 0 || emits(d, "}") < 0)
                return -1;
        } else if (leaf_value(d, sn, depth + 1) < 0) {
            return -1;
        }
        path_pop(d, saved);
    }
    if (r < 0)
        return -1;
    return emits(d, "]");
}

static const char *json_name(const struct lysc_node *sn, const struct lysc_node *parent, char *buf, size_t size)
{
    if (parent && parent->module == sn->module)
        return sn->name;
    snprintf(buf, size, "%s:%s", sn->module->name, sn->name);
    return buf;
}

/* The entries of a map whose head was read, as JSON members of the object
 * being written. parent NULL: the map of a top-level message-type case. */
static int members(struct dec *d, const struct head *map, const struct lysc_node *parent, const char *top_case,
                   unsigned depth, bool *first)
{
    uint32_t seen[64];
    uint32_t *keys = seen;
    size_t nkeys = 0, n = 0;
    int r, ret = -1;
    if (enter(d, depth) < 0)
        return -1;
    while ((r = more(d, map, &n)) == 1) {
        struct head kh;
        if (next_head(d, &kh) < 0)
            goto out;
        if (kh.kind != K_UINT || kh.value < DOTS_CBOR_KEY_MIN || kh.value > DOTS_CBOR_KEY_MAX) {
            fail(d, DOTS_CBOR_BAD_KEY, "a map key is %s%s, not an integer key in %u..%u", kind_names[kh.kind],
                 kh.kind == K_UINT ? " out of range" : "", DOTS_CBOR_KEY_MIN, DOTS_CBOR_KEY_MAX);
            goto out;
        }
        uint32_t key = (uint32_t)kh.value;
        for (size_t i = 0; i < nkeys; i++)
            if (keys[i] == key) {
                fail(d, DOTS_CBOR_DUPLICATE_KEY, "key %" PRIu32 " appears twice in this map", key);
                goto out;
            }
        if (nkeys == sizeof seen / sizeof seen[0] && keys == seen) {
            keys = malloc(d->lim->max_entries * sizeof *keys);
            if (!keys) {
                keys = seen;
                fail(d, DOTS_CBOR_INTERNAL, "out of memory");
                goto out;
            }
            memcpy(keys, seen, sizeof seen);
        }
        keys[nkeys++] = key;

        const struct dots_cbor_key *k = dots_cbor_key_by_value(key);
        const struct lysc_node *sn = NULL;
        if (k && !parent && !top_case) {
            /* the top level names message-type cases only */
            if (!k->is_case) {
                fail(d, DOTS_CBOR_UNKNOWN_KEY, "key %" PRIu32 " (%s) is not a message type", key, k->name);
                goto out;
            }
        } else if (k && !k->is_case) {
            sn = find_child(d, parent, k, top_case);
        }
        if ((k && k->is_case && (parent || top_case)) || (k && !k->is_case && !sn) || !k) {
            struct head vh;
            if (!dots_cbor_key_optional(key)) {
                if (k)
                    fail(d, DOTS_CBOR_UNKNOWN_KEY, "key %" PRIu32 " (%s) is not allowed here", key, k->name);
                else
                    fail(d, DOTS_CBOR_UNKNOWN_KEY, "unknown comprehension-required key %" PRIu32, key);
                goto out;
            }
            size_t saved = path_push(d, "/%" PRIu32, key);
            if (next_head(d, &vh) < 0 || skip(d, &vh, depth) < 0)
                goto out;
            d->stats.dropped++;
            if (d->opts && d->opts->debug) {
                char msg[320];
                snprintf(msg, sizeof msg, "dropped unknown comprehension-optional key %" PRIu32 " at %s", key, d->path);
                d->opts->debug(d->opts->debug_ctx, msg);
            }
            path_pop(d, saved);
            continue;
        }

        size_t saved = path_push(d, "/%s(%" PRIu32 ")", k->name, key);
        if (k->is_case) {
            /* a message type: its members are the structure's top level */
            struct head vh;
            if (next_head(d, &vh) < 0)
                goto out;
            if (!is_map(&vh)) {
                fail(d, DOTS_CBOR_WRONG_TYPE, "message type %s is %s, not a map", k->name, kind_names[vh.kind]);
                goto out;
            }
            if (members(d, &vh, NULL, k->name, depth + 1, first) < 0)
                goto out;
        } else {
            char name[160];
            if (!*first && emits(d, ",") < 0)
                goto out;
            *first = false;
            if (emitf(d, "\"%s\":", json_name(sn, parent, name, sizeof name)) < 0 || node_value(d, sn, depth) < 0)
                goto out;
        }
        path_pop(d, saved);
    }
    ret = r;
out:
    if (keys != seen)
        free(keys);
    return ret;
}

int dots_cbor_to_json(const struct dots_schema *s, const uint8_t *buf, size_t len,
                      const struct dots_cbor_decode_opts *opts, char **json,
                      struct dots_cbor_decode_stats *stats, struct dots_cbor_error *err)
{
    struct dec d = {
        .start = buf, .p = buf, .left = len, .opts = opts, .ext = dots_schema_signal(s), .err = err,
        .lim = opts && opts->limits ? opts->limits : &dots_cbor_default_limits,
    };
    struct head top;
    bool first = true;
    memset(err, 0, sizeof *err);
    *json = NULL;
    /* JSON text outgrows its CBOR by escapes (6 bytes for 1) and names. */
    dots_json_buf_init(&d.out, 8 * d.lim->max_input + 4096);
    int r = -1;
    if (len > d.lim->max_input)
        fail(&d, DOTS_CBOR_LIMIT, "a body of %zu bytes (at most %zu)", len, d.lim->max_input);
    else if (next_head(&d, &top) == 0) {
        if (!is_map(&top))
            fail(&d, DOTS_CBOR_WRONG_TYPE, "the body is %s, not a map", kind_names[top.kind]);
        else if (emits(&d, "{") == 0 && members(&d, &top, NULL, NULL, 1, &first) == 0 && emits(&d, "}") == 0) {
            if (d.left)
                fail(&d, DOTS_CBOR_MALFORMED, "%zu bytes after the message", d.left);
            else
                r = 0;
        }
    }
    if (stats)
        *stats = d.stats;
    if (r < 0 || dots_json_buf_finish(&d.out, json) < 0) {
        dots_json_buf_free(&d.out);
        return r < 0 ? -1 : fail(&d, DOTS_CBOR_INTERNAL, "out of memory");
    }
    return 0;
}

int dots_cbor_decode(const struct dots_schema *s, const uint8_t *buf, size_t len,
                     const struct dots_cbor_decode_opts *opts, struct lyd_node **tree,
                     struct dots_cbor_decode_stats *stats, struct dots_cbor_error *err)
{
    char *json;
    struct scrub_err serr;
    *tree = NULL;
    if (dots_cbor_to_json(s, buf, len, opts, &json, stats, err) < 0)
        return -1;
    int r = dots_schema_parse_json(s, json, tree, &serr);
    free(json);
    if (r < 0) {
        err->status = DOTS_CBOR_INVALID;
        snprintf(err->path, sizeof err->path, "/");
        snprintf(err->msg, sizeof err->msg, "%s", serr.msg);
        return -1;
    }
    return 0;
}

const char *dots_cbor_status_name(enum dots_cbor_status status)
{
    static const char *const names[] = {
        [DOTS_CBOR_OK] = "ok", [DOTS_CBOR_MALFORMED] = "malformed", [DOTS_CBOR_LIMIT] = "limit",
        [DOTS_CBOR_BAD_KEY] = "bad-key", [DOTS_CBOR_DUPLICATE_KEY] = "duplicate-key",
        [DOTS_CBOR_UNKNOWN_KEY] = "unknown-key", [DOTS_CBOR_WRONG_TYPE] = "wrong-type",
        [DOTS_CBOR_INVALID] = "invalid", [DOTS_CBOR_INTERNAL] = "internal",
    };
    return (unsigned)status < sizeof names / sizeof names[0] ? names[status] : "?";
}
