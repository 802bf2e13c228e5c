/* The CBOR form of DOTS signal channel message bodies (RFC 9132 section 6):
 * a strict, bounded decoder from CBOR to a validated libyang tree of the
 * dots-signal structure, and an encoder from such a tree to CBOR in preferred
 * serialisation. Owns no state between calls; the caller owns the trees and
 * buffers it is given. */
#ifndef DOTS_CBOR_H
#define DOTS_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include <libyang/libyang.h>

#include "dots_schema.h"

/* Why a body was refused. Every refusal is a 4.00 Bad Request on the wire
 * except LIMIT (4.13 when the body is too large) and INTERNAL (5.00). */
enum dots_cbor_status {
    DOTS_CBOR_OK = 0,
    DOTS_CBOR_MALFORMED,      /* not well-formed CBOR, truncated, trailing bytes */
    DOTS_CBOR_LIMIT,          /* a limit of struct dots_cbor_limits exceeded */
    DOTS_CBOR_BAD_KEY,        /* a map key that is not an integer in 1..65535 */
    DOTS_CBOR_DUPLICATE_KEY,  /* the same key twice in one map */
    DOTS_CBOR_UNKNOWN_KEY,    /* comprehension-required key unknown, or not allowed here */
    DOTS_CBOR_WRONG_TYPE,     /* a value of a CBOR type the schema does not allow */
    DOTS_CBOR_INVALID,        /* well-typed, but the schema refuses it (range, mandatory...) */
    DOTS_CBOR_INTERNAL,       /* out of memory, or a tree the table cannot encode */
};

/* The refusal: its class, where (a path of names with their keys, e.g.
 * /mitigation-scope(1)/scope(2)[0]/lifetime(14)) and what. */
struct dots_cbor_error {
    enum dots_cbor_status status;
    char path[256];
    char msg[512];
};

/* Every bound is checked before the item it bounds is walked or copied. */
struct dots_cbor_limits {
    size_t max_input;        /* bytes of one body */
    unsigned max_depth;      /* nested arrays, maps and tags */
    size_t max_entries;      /* entries of one array or map */
    size_t max_items;        /* data items in one body */
    size_t max_string;       /* bytes of one text string (all chunks) */
};

/* 8 KiB bodies, depth 12, 256 entries, 2,048 items, 1 KiB strings. */
extern const struct dots_cbor_limits dots_cbor_default_limits;

struct dots_cbor_decode_opts {
    const struct dots_cbor_limits *limits;  /* NULL: the defaults */
    /* Told of each comprehension-optional key dropped (a debug log line). */
    void (*debug)(void *ctx, const char *msg);
    void *debug_ctx;
};

/* What a decode saw, for logs and tests. */
struct dots_cbor_decode_stats {
    size_t items;            /* data items walked */
    unsigned max_depth;      /* deepest nesting reached */
    unsigned dropped;        /* comprehension-optional keys dropped */
};

/* CBOR → JSON text (RFC 7951) of the dots-signal structure, unvalidated:
 * the first half of dots_cbor_decode. *json is malloc'd. */
int dots_cbor_to_json(const struct dots_schema *s, const uint8_t *buf, size_t len,
                      const struct dots_cbor_decode_opts *opts, char **json,
                      struct dots_cbor_decode_stats *stats, struct dots_cbor_error *err);

/* CBOR → a libyang tree of the dots-signal structure, validated against
 * ietf-dots-signal-channel. Returns 0, or -1 with err filled. stats may be
 * NULL. */
int dots_cbor_decode(const struct dots_schema *s, const uint8_t *buf, size_t len,
                     const struct dots_cbor_decode_opts *opts, struct lyd_node **tree,
                     struct dots_cbor_decode_stats *stats, struct dots_cbor_error *err);

/* A tree of the dots-signal structure → CBOR: integers in their smallest
 * width, definite lengths, decimal64 as tag 4 [-fraction-digits, mantissa],
 * map entries sorted by key (RFC 8949 4.2.1). *out is malloc'd. */
int dots_cbor_encode(const struct lyd_node *tree, uint8_t **out, size_t *len, struct dots_cbor_error *err);

const char *dots_cbor_status_name(enum dots_cbor_status status);

#endif
