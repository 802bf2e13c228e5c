/* The signal channel's session configuration (RFC 9132 section 4.5): its
 * six parameters for mitigating and idle time, the server's acceptable
 * ranges, the check of a client's PUT body against them, and its two text
 * forms: the RFC 7951 JSON a GET answers (min, max and current values) and
 * the JSON kept in the store (current values only). Values only; the
 * resource and the store are dots_signal.c's. */
#ifndef DOTS_SESSION_CONFIG_H
#define DOTS_SESSION_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <libyang/libyang.h>

#include "scrub_err.h"

enum dots_sc_param {
    DOTS_SC_HEARTBEAT_INTERVAL,  /* seconds; 0: no heartbeats */
    DOTS_SC_MISSING_HB_ALLOWED,
    DOTS_SC_PROBING_RATE,        /* bytes/second */
    DOTS_SC_MAX_RETRANSMIT,
    DOTS_SC_ACK_TIMEOUT,         /* decimal64, 2 fraction digits: in hundredths */
    DOTS_SC_ACK_RANDOM_FACTOR,   /* likewise */
    DOTS_SC_PARAMS
};

struct dots_sc_values {
    uint32_t v[DOTS_SC_PARAMS];
};

struct dots_sc {
    struct dots_sc_values mitigating, idle;
};

struct dots_sc_range {
    uint32_t min, max;
};

struct dots_sc_ranges {
    struct dots_sc_range r[DOTS_SC_PARAMS];
};

/* RFC 9132 section 4.5's defaults, for mitigating and idle time alike. */
extern const struct dots_sc dots_sc_defaults;
/* The ranges of RFC 9132 section 4.5.1's example answer. */
extern const struct dots_sc_ranges dots_sc_default_ranges;

/* The parameter of a YANG name ("heartbeat-interval"), or -1. */
int dots_sc_param_by_name(const char *name);
/* Parses "MIN-MAX" for p (decimals as "1.10-4.00") into *range. */
int dots_sc_parse_range(enum dots_sc_param p, const char *text, struct dots_sc_range *range, struct scrub_err *err);

/* Each range is min <= max, fits the YANG type, and holds the default. */
int dots_sc_check_ranges(const struct dots_sc_ranges *ranges, struct scrub_err *err);

/* A client's PUT body, decoded and validated (its top-level nodes): the
 * configuration it asks for, an absent parameter taking the default. -1
 * with a diagnostic and *code 400 (not a signal-config, or min/max values,
 * which only the server sends) or 422 (a value outside the server's range,
 * RFC 9132 section 4.5.2). */
int dots_sc_from_tree(const struct lyd_node *tree, const struct dots_sc_ranges *ranges, struct dots_sc *out,
                      int *code, char *diagnostic, size_t size);

/* The JSON of a GET answer's members (mitigating-config, idle-config), to be
 * parsed by dots_schema_parse_json. -1 if size is too small. */
int dots_sc_answer_json(const struct dots_sc *sc, const struct dots_sc_ranges *ranges, char *buf, size_t size);

/* The store's form and back. */
int dots_sc_store_json(const struct dots_sc *sc, char *buf, size_t size);
int dots_sc_from_store_json(const char *json, struct dots_sc *out, struct scrub_err *err);

#endif
