/* The session configuration's values, ranges and text forms (RFC 9132
 * section 4.5). */
#include "dots_session_config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define SC(hb, mhb, pr, mr, at, arf) {{hb, mhb, pr, mr, at, arf}}

const struct dots_sc dots_sc_defaults = {
    .mitigating = SC(30, 15, 5, 3, 200, 150),
    .idle = SC(30, 15, 5, 3, 200, 150),
};

const struct dots_sc_ranges dots_sc_default_ranges = {{
    [DOTS_SC_HEARTBEAT_INTERVAL] = {15, 240},
    [DOTS_SC_MISSING_HB_ALLOWED] = {3, 20},
    [DOTS_SC_PROBING_RATE] = {5, 20},
    [DOTS_SC_MAX_RETRANSMIT] = {2, 15},
    [DOTS_SC_ACK_TIMEOUT] = {100, 3000},
    [DOTS_SC_ACK_RANDOM_FACTOR] = {110, 400},
}};

static const char *const names[DOTS_SC_PARAMS] = {
    "heartbeat-interval", "missing-hb-allowed", "probing-rate", "max-retransmit", "ack-timeout", "ack-random-factor",
};

static bool is_decimal(enum dots_sc_param p)
{
    return p == DOTS_SC_ACK_TIMEOUT || p == DOTS_SC_ACK_RANDOM_FACTOR;
}

/* uint16 for the integers; the decimals are kept below 2^32 hundredths. */
static uint32_t type_max(enum dots_sc_param p)
{
    return is_decimal(p) ? UINT32_MAX : UINT16_MAX;
}

int dots_sc_param_by_name(const char *name)
{
    for (int p = 0; p < DOTS_SC_PARAMS; p++)
        if (strcmp(names[p], name) == 0)
            return p;
    return -1;
}

/* "30" or, for a decimal, "2", "2.5", "2.50" (libyang's canonical form
 * drops trailing zeros). Negative or too large: -1. */
static int parse_value(enum dots_sc_param p, const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    if (*text < '0' || *text > '9')
        return -1;
    unsigned long long whole = strtoull(text, &end, 10);
    int64_t v = (int64_t)whole;
    if (errno || whole > type_max(p))
        return -1;
    if (is_decimal(p)) {
        v *= 100;
        if (*end == '.') {
            const char *f = end + 1;
            if (f[0] < '0' || f[0] > '9' || (f[1] && (f[1] < '0' || f[1] > '9' || f[2])))
                return -1;
            v += (f[0] - '0') * 10 + (f[1] ? f[1] - '0' : 0);
            end = (char *)f + (f[1] ? 2 : 1);
        }
    }
    if (*end || v > (int64_t)type_max(p))
        return -1;
    *out = v;
    return 0;
}

static int format_value(enum dots_sc_param p, uint32_t v, char *buf, size_t size)
{
    return is_decimal(p) ? snprintf(buf, size, "\"%" PRIu32 ".%02" PRIu32 "\"", v / 100, v % 100)
                         : snprintf(buf, size, "%" PRIu32, v);
}

int dots_sc_parse_range(enum dots_sc_param p, const char *text, struct dots_sc_range *range, struct scrub_err *err)
{
    char min[32], max[32];
    const char *dash = strchr(text, '-');
    int64_t lo, hi;
    if (!dash || (size_t)(dash - text) >= sizeof min || strlen(dash + 1) >= sizeof max)
        return scrub_err_set(err, EINVAL, "range of %s: '%s' is not MIN-MAX", names[p], text);
    memcpy(min, text, (size_t)(dash - text));
    min[dash - text] = '\0';
    strcpy(max, dash + 1);
    if (parse_value(p, min, &lo) < 0 || parse_value(p, max, &hi) < 0)
        return scrub_err_set(err, EINVAL, "range of %s: '%s' is not MIN-MAX in %s", names[p], text,
                             is_decimal(p) ? "decimals with at most 2 fraction digits" : "0-65535");
    range->min = (uint32_t)lo;
    range->max = (uint32_t)hi;
    return 0;
}

int dots_sc_check_ranges(const struct dots_sc_ranges *ranges, struct scrub_err *err)
{
    for (int p = 0; p < DOTS_SC_PARAMS; p++) {
        const struct dots_sc_range *r = &ranges->r[p];
        uint32_t def = dots_sc_defaults.mitigating.v[p];
        if (r->min > r->max || r->max > type_max(p))
            return scrub_err_set(err, EINVAL, "range of %s: min %" PRIu32 " is above max %" PRIu32, names[p], r->min,
                                 r->max);
        if (def < r->min || def > r->max)
            return scrub_err_set(err, EINVAL,
                                 "range of %s: %" PRIu32 "-%" PRIu32 " does not hold the RFC 9132 default %" PRIu32
                                 "%s",
                                 names[p], r->min, r->max, def, is_decimal(p) ? " (hundredths)" : "");
    }
    return 0;
}

static const struct lyd_node *child(const struct lyd_node *parent, const char *name)
{
    const struct lyd_node *n;
    LY_LIST_FOR(lyd_child(parent), n)
        if (strcmp(LYD_NAME(n), name) == 0)
            return n;
    return NULL;
}

/* One of mitigating-config, idle-config into *values. */
static int config_from_tree(const struct lyd_node *config, const struct dots_sc_ranges *ranges,
                            struct dots_sc_values *values, int *code, char *diagnostic, size_t size)
{
    for (int p = 0; p < DOTS_SC_PARAMS; p++) {
        const struct lyd_node *param = child(config, names[p]), *n;
        if (!param)
            continue;
        LY_LIST_FOR(lyd_child(param), n) {
            const char *name = LYD_NAME(n);
            int64_t v;
            if (n->flags & LYD_DEFAULT)
                continue;
            if (strncmp(name, "current-value", 13) != 0) {
                *code = 400;
                snprintf(diagnostic, size, "%s/%s/%s: only the server sends min and max values (RFC 9132 section 4.5)",
                         LYD_NAME(config), names[p], name);
                return -1;
            }
            const struct dots_sc_range *r = &ranges->r[p];
            if (parse_value((enum dots_sc_param)p, lyd_get_value(n), &v) < 0 || v < r->min || v > r->max) {
                char lo[24], hi[24];
                format_value((enum dots_sc_param)p, r->min, lo, sizeof lo);
                format_value((enum dots_sc_param)p, r->max, hi, sizeof hi);
                *code = 422;
                snprintf(diagnostic, size, "%s/%s: %s is outside the server's range %s to %s", LYD_NAME(config),
                         names[p], lyd_get_value(n), lo, hi);
                return -1;
            }
            values->v[p] = (uint32_t)v;
        }
    }
    return 0;
}

int dots_sc_from_tree(const struct lyd_node *tree, const struct dots_sc_ranges *ranges, struct dots_sc *out,
                      int *code, char *diagnostic, size_t size)
{
    const struct lyd_node *n;
    bool seen = false;
    *out = dots_sc_defaults;
    LY_LIST_FOR(tree, n) {
        struct dots_sc_values *values = strcmp(LYD_NAME(n), "mitigating-config") == 0 ? &out->mitigating
                                        : strcmp(LYD_NAME(n), "idle-config") == 0     ? &out->idle
                                                                                      : NULL;
        if (!values) {
            *code = 400;
            snprintf(diagnostic, size, "%s: a session configuration body is a signal-config (key 30)", LYD_NAME(n));
            return -1;
        }
        if (config_from_tree(n, ranges, values, code, diagnostic, size) < 0)
            return -1;
        seen = true;
    }
    if (!seen) {
        *code = 400;
        snprintf(diagnostic, size, "signal-config: neither mitigating-config nor idle-config is given");
        return -1;
    }
    return 0;
}

/* Appends to buf at *len; false once it does not fit. */
static bool put(char *buf, size_t size, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    if (*len >= size)
        return false;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size - *len)
        return false;
    *len += (size_t)n;
    return true;
}

/* {"heartbeat-interval":{...},...}: with ranges, min, max and current
 * (the GET answer); without, current only (the store). */
static bool put_values(char *buf, size_t size, size_t *len, const struct dots_sc_values *values,
                       const struct dots_sc_ranges *ranges)
{
    bool ok = put(buf, size, len, "{");
    for (int p = 0; ok && p < DOTS_SC_PARAMS; p++) {
        const char *dec = is_decimal((enum dots_sc_param)p) ? "-decimal" : "";
        char cur[24], lo[24], hi[24];
        format_value((enum dots_sc_param)p, values->v[p], cur, sizeof cur);
        ok = put(buf, size, len, "%s\"%s\":{", p ? "," : "", names[p]);
        if (ok && ranges) {
            format_value((enum dots_sc_param)p, ranges->r[p].min, lo, sizeof lo);
            format_value((enum dots_sc_param)p, ranges->r[p].max, hi, sizeof hi);
            ok = put(buf, size, len, "\"max-value%s\":%s,\"min-value%s\":%s,", dec, hi, dec, lo);
        }
        ok = ok && put(buf, size, len, "\"current-value%s\":%s}", dec, cur);
    }
    return ok && put(buf, size, len, "}");
}

static int sc_json(const struct dots_sc *sc, const struct dots_sc_ranges *ranges, const char *prefix, char *buf,
                   size_t size)
{
    size_t len = 0;
    bool ok = put(buf, size, &len, "{\"%smitigating-config\":", prefix) &&
              put_values(buf, size, &len, &sc->mitigating, ranges) &&
              put(buf, size, &len, ",\"%sidle-config\":", prefix) && put_values(buf, size, &len, &sc->idle, ranges) &&
              put(buf, size, &len, "}");
    return ok ? 0 : -1;
}

int dots_sc_answer_json(const struct dots_sc *sc, const struct dots_sc_ranges *ranges, char *buf, size_t size)
{
    return sc_json(sc, ranges, "ietf-dots-signal-channel:", buf, size);
}

int dots_sc_store_json(const struct dots_sc *sc, char *buf, size_t size)
{
    return sc_json(sc, NULL, "", buf, size);
}

static int values_from_json(json_object *config, const char *which, struct dots_sc_values *values,
                            struct scrub_err *err)
{
    for (int p = 0; p < DOTS_SC_PARAMS; p++) {
        json_object *param, *cur;
        const char *key = is_decimal((enum dots_sc_param)p) ? "current-value-decimal" : "current-value";
        int64_t v;
        if (!json_object_object_get_ex(config, names[p], &param) || !json_object_object_get_ex(param, key, &cur))
            return scrub_err_set(err, EINVAL, "%s/%s/%s is missing", which, names[p], key);
        const char *text = json_object_get_string(cur);
        if (!text || parse_value((enum dots_sc_param)p, text, &v) < 0)
            return scrub_err_set(err, EINVAL, "%s/%s/%s: '%s' is not a value", which, names[p], key,
                                 text ? text : "");
        values->v[p] = (uint32_t)v;
    }
    return 0;
}

int dots_sc_from_store_json(const char *json, struct dots_sc *out, struct scrub_err *err)
{
    json_object *root = json_tokener_parse(json), *m, *i;
    int r;
    if (!root)
        return scrub_err_set(err, EINVAL, "not JSON");
    if (!json_object_object_get_ex(root, "mitigating-config", &m) || !json_object_object_get_ex(root, "idle-config", &i))
        r = scrub_err_set(err, EINVAL, "mitigating-config or idle-config is missing");
    else
        r = values_from_json(m, "mitigating-config", &out->mitigating, err) < 0 ||
                    values_from_json(i, "idle-config", &out->idle, err) < 0
                ? -1
                : 0;
    json_object_put(root);
    return r;
}
