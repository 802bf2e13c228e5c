/* The signal channel's CBOR mapping (dots/cbor): the key table against the
 * schema; the RFC 9132 examples decoded, validated and encoded byte for byte;
 * non-minimal and indefinite-length forms accepted; every refusal class with
 * its diagnostic; comprehension-optional keys dropped; and random and mutated
 * bodies from a fixed seed, which must never crash, never pass a limit, and
 * when accepted must survive encode → decode unchanged.
 * Usage: test_dots_cbor YANG_DIR FIXTURE_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dots_cbor.h"
#include "dots_cbor_keys.h"
#include "dots_schema.h"

static const char *yang_dir, *fixture_dir;
static struct dots_schema *schema;

static const char *const fixtures[] = {
    "mitigation_request", "mitigation_request_indefinite", "mitigation_status", "mitigation_conflict",
    "mitigation_acceptlist_conflict", /* scrubd's answer (docs/dots.md "Accept-list conflicts"), not the RFC's */
    "efficacy_update", "session_config_get", "session_config_put", "heartbeat",
    "filter_control", /* RFC 9133's acl-list, from the fact sheet (J1), not the RFC */
};
#define NFIXTURES (sizeof fixtures / sizeof fixtures[0])

struct bytes {
    uint8_t *p;
    size_t len;
};

static struct bytes from_hex(const char *hex)
{
    struct bytes b = {malloc(strlen(hex) / 2 + 1), 0};
    assert_non_null(b.p);
    for (const char *s = hex; *s;) {
        unsigned v;
        if (*s == ' ' || *s == '\n') {
            s++;
            continue;
        }
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        b.p[b.len++] = (uint8_t)v;
        s += 2;
    }
    return b;
}

static char *read_text(const char *name, const char *suffix)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s%s", fixture_dir, name, suffix);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static int setup(void **state)
{
    struct scrub_err err;
    (void)state;
    if (dots_schema_open(yang_dir, &schema, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dots_schema_close(schema);
    return 0;
}

/* The table is sorted and unambiguous; every data node of the dots-signal
 * structure has a key (else the encoder could not write it); every key names
 * a node, but for those the loaded schema does not carry in a body. */
static void walk_schema(const struct lysc_node *parent, unsigned *nodes)
{
    const struct lysc_node *sn = NULL;
    while ((sn = lys_getnext_ext(sn, parent, dots_schema_signal(schema), 0))) {
        const struct lysc_node *ref = lysc_data_parent(sn);
        if (!ref)
            for (ref = sn; ref->parent; ref = ref->parent)
                ;
        const char *module = ref->module != sn->module ? sn->module->name : NULL;
        const struct dots_cbor_key *k = dots_cbor_key_by_name(module, sn->name);
        if (!k)
            fail_msg("schema node %s:%s has no CBOR key", sn->module->name, sn->name);
        (*nodes)++;
        if (sn->nodetype & (LYS_CONTAINER | LYS_LIST))
            walk_schema(sn, nodes);
    }
}

static void test_key_table(void **state)
{
    unsigned count, nodes = 0, absent = 0;
    const struct dots_cbor_key *keys = dots_cbor_keys(&count);
    (void)state;
    for (unsigned i = 0; i < count; i++) {
        if (i > 0)
            assert_true(keys[i - 1].key < keys[i].key);
        assert_ptr_equal(dots_cbor_key_by_value(keys[i].key), &keys[i]);
        assert_ptr_equal(dots_cbor_key_by_name(keys[i].module, keys[i].name), &keys[i]);
        assert_false(dots_cbor_key_optional(keys[i].key));
    }
    walk_schema(NULL, &nodes);
    /* Not in a body: cdid, cuid and sid travel in Uri-Path options. RFC
     * 9133's acl-list (53) with its activation-type (52) is in the schema
     * (ietf-dots-signal-control augments the scope), so the walk has them. */
    const char *const absentees[] = {"cdid", "cuid", "sid"};
    for (size_t i = 0; i < sizeof absentees / sizeof absentees[0]; i++)
        if (dots_cbor_key_by_name(NULL, absentees[i]))
            absent++;
    assert_int_equal(absent, 3);
    assert_true(dots_cbor_key_optional(32768) && dots_cbor_key_optional(65535));
    assert_false(dots_cbor_key_optional(32767) || dots_cbor_key_optional(65536));
    printf("key table: %u keys; %u schema nodes, each with a key\n", count, nodes);
}

static struct lyd_node *decode_ok(const struct bytes *b, struct dots_cbor_decode_stats *stats)
{
    struct lyd_node *tree;
    struct dots_cbor_error err;
    if (dots_cbor_decode(schema, b->p, b->len, NULL, &tree, stats, &err) < 0)
        fail_msg("refused (%s) at %s: %s", dots_cbor_status_name(err.status), err.path, err.msg);
    return tree;
}

static void assert_encodes_to(const struct lyd_node *tree, const struct bytes *want, const char *what)
{
    uint8_t *out;
    size_t len;
    struct dots_cbor_error err;
    if (dots_cbor_encode(tree, &out, &len, &err) < 0)
        fail_msg("%s: encode failed at %s: %s", what, err.path, err.msg);
    if (len != want->len || memcmp(out, want->p, len) != 0) {
        fprintf(stderr, "%s: encoded ", what);
        for (size_t i = 0; i < len; i++)
            fprintf(stderr, "%02x", out[i]);
        fprintf(stderr, "\n");
        fail_msg("%s: the encoding differs from the fixture", what);
    }
    free(out);
}

static void assert_same_tree(const struct lyd_node *a, const struct lyd_node *b, const char *what)
{
    if (lyd_compare_siblings(a, b, LYD_COMPARE_FULL_RECURSION) != LY_SUCCESS) {
        char *ta = NULL, *tb = NULL;
        lyd_print_mem(&ta, a, LYD_JSON, LYD_PRINT_WITHSIBLINGS);
        lyd_print_mem(&tb, b, LYD_JSON, LYD_PRINT_WITHSIBLINGS);
        fprintf(stderr, "%s:\n%s\nversus\n%s\n", what, ta, tb);
        free(ta);
        free(tb);
        fail_msg("%s: the trees differ", what);
    }
}

/* Each RFC example: CBOR → tree equals the RFC's JSON → tree; both trees
 * encode to the fixture's bytes exactly. */
static void test_fixtures(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFIXTURES; i++) {
        char *hex = read_text(fixtures[i], ".cbor.hex"), *json = read_text(fixtures[i], ".json");
        struct bytes b = from_hex(hex);
        struct lyd_node *from_cbor = decode_ok(&b, NULL), *from_json;
        struct scrub_err err;
        if (dots_schema_parse_json(schema, json, &from_json, &err) < 0)
            fail_msg("%s.json: %s", fixtures[i], err.msg);
        assert_same_tree(from_cbor, from_json, fixtures[i]);
        assert_encodes_to(from_cbor, &b, fixtures[i]);
        assert_encodes_to(from_json, &b, fixtures[i]);
        lyd_free_all(from_cbor);
        lyd_free_all(from_json);
        free(b.p);
        free(hex);
        free(json);
    }
    printf("fixtures: %zu examples decoded, validated and encoded byte for byte\n", NFIXTURES);
}

/* Other encodings of a fixture that must decode to the same tree and
 * re-encode to the fixture: integers and lengths wider than needed,
 * indefinite-length arrays, maps and chunked text strings. */
static void test_other_encodings(void **state)
{
    (void)state;
    static const struct {
        const char *fixture, *hex;
    } cases[] = {
        /* {49: {51: true}} with 16-, 32- and 64-bit keys and a 1-byte map length */
        {"heartbeat", "b8 01 19 0031 b8 01 1a 00000033 f5"},
        {"heartbeat", "a1 1b 0000000000000031 a1 18 33 f5"},
        /* the mitigation request: lifetime 3600 in 64 bits, lower-port 80 in 32 */
        {"mitigation_request", "a1 01 a1 02 81 a4 06 82 74 323030313a6462383a363430313a3a312f313238"
                               " 74 323030313a6462383a363430313a3a322f313238 07 83 a1 08 1a 00000050"
                               " a1 08 19 01bb a1 08 19 1f90 0a 81 06 0e 1b 0000000000000e10"},
        /* the same with indefinite maps and arrays, and a prefix in two chunks */
        {"mitigation_request", "bf 01 bf 02 9f bf 06 9f 7f 6a 323030313a6462383a36 6a 3430313a3a312f313238 ff"
                               " 74 323030313a6462383a363430313a3a322f313238 ff 07 9f a1 08 18 50"
                               " a1 08 19 01bb bf 08 19 1f90 ff ff 0a 9f 06 ff 0e 19 0e10 ff ff ff ff"},
        /* keys in another order */
        {"mitigation_request", "a1 01 a1 02 81 a4 0e 19 0e10 0a 81 06 07 83 a1 08 18 50 a1 08 19 01bb"
                               " a1 08 19 1f90 06 82 74 323030313a6462383a363430313a3a312f313238"
                               " 74 323030313a6462383a363430313a3a322f313238"},
        /* lifetime -1 as a 16-bit negative integer; ack-timeout 2.00 as 2.0 (tag 4 [-1, 20]) */
        {"mitigation_request_indefinite", "a1 01 a1 02 81 a5 06 81 74 323030313a6462383a363430313a3a312f313238"
                                          " 07 81 a2 08 19 03e8 09 19 07d0 0a 81 11 0e 39 0000 18 2d f4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *hex = read_text(cases[i].fixture, ".cbor.hex");
        struct bytes want = from_hex(hex), other = from_hex(cases[i].hex);
        struct lyd_node *a = decode_ok(&want, NULL), *b = decode_ok(&other, NULL);
        assert_same_tree(a, b, cases[i].fixture);
        assert_encodes_to(b, &want, cases[i].fixture);
        lyd_free_all(a);
        lyd_free_all(b);
        free(want.p);
        free(other.p);
        free(hex);
    }
    /* decimal64 written with another exponent than the schema's fraction digits */
    struct bytes alt = from_hex("a1 18 1e a1 18 20 a1 18 27 a1 18 2b c4 82 20 14"), canon =
        from_hex("a1 18 1e a1 18 20 a1 18 27 a1 18 2b c4 82 21 18 c8");
    struct lyd_node *t = decode_ok(&alt, NULL);
    assert_encodes_to(t, &canon, "ack-timeout 2.0");
    lyd_free_all(t);
    free(alt.p);
    free(canon.p);
    printf("other encodings: %zu non-minimal, indefinite-length or reordered forms accepted\n",
           sizeof cases / sizeof cases[0] + 1);
}

struct refusal {
    const char *what, *hex;
    enum dots_cbor_status status;
    const char *path, *msg;  /* substrings the diagnostic must hold */
};

/* {49: {51: true}} is "a1 1831 a1 1833 f5"; a scope entry is under
 * "a1 01 a1 02 81". */
static const struct refusal refusals[] = {
    {"truncated", "a1 18 31 a1 18 33", DOTS_CBOR_MALFORMED, "/heartbeat(49)", "truncated"},
    {"truncated string", "a1 01 a1 02 81 a1 0d 81 7a ffffffff 41", DOTS_CBOR_MALFORMED, "", "truncated"},
    {"text of 2^64-1 bytes", "a1 01 a1 02 81 a1 0d 81 7b ffffffffffffffff 41", DOTS_CBOR_MALFORMED,
     "/alias-name(13)[0]", "runs past the end"},
    {"bytes of 2^64-1 bytes", "a1 01 a1 02 81 a1 0d 81 5b ffffffffffffffff 41", DOTS_CBOR_MALFORMED,
     "/alias-name(13)[0]", "runs past the end"},
    {"trailing bytes", "a1 18 31 a1 18 33 f5 00", DOTS_CBOR_MALFORMED, "/", "1 bytes after the message"},
    {"reserved additional information", "a1 1c", DOTS_CBOR_MALFORMED, "/", "not well-formed"},
    {"break in a definite map", "a1 18 31 a1 ff", DOTS_CBOR_BAD_KEY, "/heartbeat(49)", "a break"},
    {"indefinite map without break", "a1 18 31 bf 18 33 f5", DOTS_CBOR_MALFORMED, "/heartbeat(49)", "no break"},
    {"duplicate key", "a1 18 31 a2 18 33 f5 18 33 f5", DOTS_CBOR_DUPLICATE_KEY, "/heartbeat(49)",
     "key 51 appears twice"},
    {"duplicate top-level key", "a2 18 31 a1 18 33 f5 18 31 a1 18 33 f5", DOTS_CBOR_DUPLICATE_KEY, "/",
     "key 49 appears twice"},
    {"duplicate key in a list entry", "a1 01 a1 02 81 a2 0e 01 0e 02", DOTS_CBOR_DUPLICATE_KEY,
     "/mitigation-scope(1)/scope(2)[0]", "key 14 appears twice"},
    {"unknown comprehension-required key", "a1 18 31 a2 18 33 f5 18 64 01", DOTS_CBOR_UNKNOWN_KEY,
     "/heartbeat(49)", "unknown comprehension-required key 100"},
    {"unknown key 32767", "a1 18 31 a2 18 33 f5 19 7fff 01", DOTS_CBOR_UNKNOWN_KEY, "/heartbeat(49)",
     "key 32767"},
    {"key out of place", "a1 18 31 a1 0e 01", DOTS_CBOR_UNKNOWN_KEY, "/heartbeat(49)",
     "key 14 (lifetime) is not allowed here"},
    {"message type nested", "a1 18 31 a1 18 31 a0", DOTS_CBOR_UNKNOWN_KEY, "/heartbeat(49)",
     "key 49 (heartbeat) is not allowed here"},
    {"top level not a message type", "a1 02 80", DOTS_CBOR_UNKNOWN_KEY, "/", "key 2 (scope) is not a message type"},
    {"cuid in a body", "a1 01 a1 02 81 a1 04 61 78", DOTS_CBOR_UNKNOWN_KEY, "/mitigation-scope(1)/scope(2)[0]",
     "key 4 (cuid) is not allowed here"},
    {"text key", "a1 61 61 01", DOTS_CBOR_BAD_KEY, "/", "a text string"},
    {"key 0", "a1 00 01", DOTS_CBOR_BAD_KEY, "/", "out of range"},
    {"key 65536", "a1 1a 00010000 01", DOTS_CBOR_BAD_KEY, "/", "out of range"},
    {"negative key", "a1 20 01", DOTS_CBOR_BAD_KEY, "/", "a negative integer"},
    {"body not a map", "82 01 02", DOTS_CBOR_WRONG_TYPE, "/", "an array, not a map"},
    {"boolean as integer", "a1 18 31 a1 18 33 01", DOTS_CBOR_WRONG_TYPE, "/heartbeat(49)/peer-hb-status(51)",
     "peer-hb-status is an unsigned integer"},
    {"lifetime as text", "a1 01 a1 02 81 a1 0e 63 313230", DOTS_CBOR_WRONG_TYPE,
     "/mitigation-scope(1)/scope(2)[0]/lifetime(14)", "lifetime is a text string"},
    {"scope as map", "a1 01 a1 02 a0", DOTS_CBOR_WRONG_TYPE, "/mitigation-scope(1)/scope(2)", "not an array"},
    {"list entry not a map", "a1 01 a1 02 81 01", DOTS_CBOR_WRONG_TYPE, "/scope(2)[0]", "not a map"},
    {"leaf-list as scalar", "a1 01 a1 02 81 a1 0a 06", DOTS_CBOR_WRONG_TYPE, "/target-protocol(10)",
     "not an array"},
    {"container as array", "a1 18 1e a1 18 20 80", DOTS_CBOR_WRONG_TYPE, "/mitigating-config(32)",
     "not a map"},
    {"decimal64 as integer", "a1 18 1e a1 18 20 a1 18 27 a1 18 2b 02", DOTS_CBOR_WRONG_TYPE,
     "/current-value-decimal(43)", "unsigned integer"},
    {"decimal64 with 3 entries", "a1 18 1e a1 18 20 a1 18 27 a1 18 2b c4 83 21 18 c8 00", DOTS_CBOR_WRONG_TYPE,
     "/current-value-decimal(43)", "more than 2 entries"},
    {"decimal64 as bigfloat", "a1 18 1e a1 18 20 a1 18 27 a1 18 2b c5 82 21 18 c8", DOTS_CBOR_WRONG_TYPE,
     "/current-value-decimal(43)", "a tag"},
    {"float", "a1 01 a1 02 81 a1 0e fa 45610000", DOTS_CBOR_WRONG_TYPE, "/lifetime(14)", "a float"},
    {"byte string", "a1 01 a1 02 81 a1 0d 81 41 61", DOTS_CBOR_WRONG_TYPE, "/alias-name(13)[0]", "a byte string"},
    {"null", "a1 18 31 a1 18 33 f6", DOTS_CBOR_WRONG_TYPE, "/peer-hb-status(51)", "null"},
    {"invalid UTF-8", "a1 01 a1 02 81 a1 0d 81 62 c3 28", DOTS_CBOR_WRONG_TYPE, "/alias-name(13)[0]", "UTF-8"},
    {"overlong UTF-8", "a1 01 a1 02 81 a1 0d 81 62 c0 af", DOTS_CBOR_WRONG_TYPE, "/alias-name(13)[0]", "UTF-8"},
    {"lifetime -2", "a1 01 a1 02 81 a1 0e 21", DOTS_CBOR_INVALID, "/", "-2"},
    {"status 99", "a1 01 a1 02 81 a1 10 18 63", DOTS_CBOR_INVALID, "/status(16)", "99 is not a value"},
    {"protocol 300", "a1 01 a1 02 81 a1 0a 81 19 012c", DOTS_CBOR_INVALID, "/", "300"},
    {"port 70000", "a1 01 a1 02 81 a1 07 81 a1 08 1a 00011170", DOTS_CBOR_INVALID, "/", "70000"},
    {"3 fraction digits", "a1 18 1e a1 18 20 a1 18 27 a1 18 2b c4 82 22 19 04d2", DOTS_CBOR_INVALID, "/",
     "1.234"},
    {"bad prefix", "a1 01 a1 02 81 a1 06 81 63 783a79", DOTS_CBOR_INVALID, "/", "x:y"},
    {"upper-port below lower-port", "a1 01 a1 02 81 a1 07 81 a2 08 19 01bb 09 18 50", DOTS_CBOR_INVALID, "/",
     "upper-port"},
    {"two message types", "a2 01 a1 02 81 a1 0e 01 18 31 a1 18 33 f5", DOTS_CBOR_INVALID, "/", ""},
    {"empty message", "a0", DOTS_CBOR_INVALID, "/", "no data"},
    {"acl-list activation-type 9", "a1 01 a1 02 81 a1 18 35 81 a2 17 61 61 18 34 09", DOTS_CBOR_INVALID,
     "/acl-list(53)[0]/activation-type(52)", "9 is not a value"},
    {"acl-list without acl-name", "a1 01 a1 02 81 a1 18 35 81 a1 18 34 03", DOTS_CBOR_INVALID, "/",
     "missing its key \"acl-name\""},
    {"string longer than 1 KiB", NULL, DOTS_CBOR_LIMIT, "/alias-name(13)[0]", "a string of 1025 bytes"},
    {"array of 2^60 entries", "a1 18 31 a2 18 33 f5 19 8000 9b 1000000000000000", DOTS_CBOR_LIMIT,
     "/heartbeat(49)", "entries (at most 256)"},
    {"indefinite array of 257 entries", NULL, DOTS_CBOR_LIMIT, "/heartbeat(49)/32768", "more than 256 entries"},
    {"nested 13 deep", "a1 18 31 a2 18 33 f5 19 8000 81 81 81 81 81 81 81 81 81 81 81 81 80", DOTS_CBOR_LIMIT,
     "/heartbeat(49)/32768", "nested deeper than 12"},
    {"more than 2,048 items", NULL, DOTS_CBOR_LIMIT, "/heartbeat(49)/32768", "more than 2048 data items"},
    {"body over 8 KiB", NULL, DOTS_CBOR_LIMIT, "/", "a body of 8193 bytes"},
};

/* The bodies too long to write as hex. */
static struct bytes long_refusal(const char *what)
{
    struct bytes b = {malloc(16384), 0};
    assert_non_null(b.p);
#define ADD(...) \
    do { const uint8_t x[] = {__VA_ARGS__}; memcpy(b.p + b.len, x, sizeof x); b.len += sizeof x; } while (0)
    if (strcmp(what, "string longer than 1 KiB") == 0) {
        ADD(0xa1, 0x01, 0xa1, 0x02, 0x81, 0xa1, 0x0d, 0x81, 0x79, 0x04, 0x01);
        memset(b.p + b.len, 'a', 1025);
        b.len += 1025;
    } else if (strcmp(what, "indefinite array of 257 entries") == 0) {
        ADD(0xa1, 0x18, 0x31, 0xa2, 0x18, 0x33, 0xf5, 0x19, 0x80, 0x00, 0x9f);
        memset(b.p + b.len, 0x00, 257);
        b.len += 257;
        ADD(0xff);
    } else if (strcmp(what, "more than 2,048 items") == 0) {
        /* 10 arrays of 250 zeros, inside a dropped value */
        ADD(0xa1, 0x18, 0x31, 0xa2, 0x18, 0x33, 0xf5, 0x19, 0x80, 0x00, 0x8a);
        for (int i = 0; i < 10; i++) {
            ADD(0x98, 250);
            memset(b.p + b.len, 0x00, 250);
            b.len += 250;
        }
    } else {
        ADD(0xa1, 0x18, 0x31, 0xa2, 0x18, 0x33, 0xf5, 0x19, 0x80, 0x00, 0x79, 0x1f, 0xf6);
        memset(b.p + b.len, 'a', 8193 - b.len);
        b.len = 8193;
    }
#undef ADD
    return b;
}

static void test_refusals(void **state)
{
    unsigned by_status[DOTS_CBOR_INTERNAL + 1] = {0};
    (void)state;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const struct refusal *r = &refusals[i];
        struct bytes b = r->hex ? from_hex(r->hex) : long_refusal(r->what);
        struct lyd_node *tree;
        struct dots_cbor_error err;
        int rc = dots_cbor_decode(schema, b.p, b.len, NULL, &tree, NULL, &err);
        if (rc == 0)
            fail_msg("%s: accepted", r->what);
        if (err.status != r->status || !strstr(err.path, r->path) || !strstr(err.msg, r->msg))
            fail_msg("%s: refused as %s at %s: %s; expected %s at ...%s...: ...%s...", r->what,
                     dots_cbor_status_name(err.status), err.path, err.msg, dots_cbor_status_name(r->status),
                     r->path, r->msg);
        assert_null(tree);
        by_status[err.status]++;
        printf("refused %-36s %-13s %s: %s\n", r->what, dots_cbor_status_name(err.status), err.path, err.msg);
        free(b.p);
    }
    printf("refusals: %zu bodies refused with the diagnostic expected:", sizeof refusals / sizeof refusals[0]);
    for (int s = DOTS_CBOR_MALFORMED; s < DOTS_CBOR_INTERNAL; s++) {
        assert_true(by_status[s] > 0);
        printf(" %s %u", dots_cbor_status_name(s), by_status[s]);
    }
    printf("\n");
}

static unsigned debug_lines;

static void count_debug(void *ctx, const char *msg)
{
    (void)ctx;
    assert_non_null(strstr(msg, "comprehension-optional key"));
    debug_lines++;
}

/* Unknown keys 32768-65535 are dropped, wherever they are, whatever they
 * hold, and said at debug; what remains is validated as usual. */
static void test_optional_keys_dropped(void **state)
{
    static const char *const bodies[] = {
        /* {49: {51: true, 32768: {1: 2}}, 65535: "x"} */
        "a2 18 31 a2 18 33 f5 19 8000 a1 01 02 19 ffff 61 78",
        /* the mitigation request with 49152: [1, [2, {3: 4}]] in its scope entry and 40000: tag 4 at the top */
        "a2 01 a1 02 81 a5 06 82 74 323030313a6462383a363430313a3a312f313238"
        " 74 323030313a6462383a363430313a3a322f313238 07 83 a1 08 18 50 a1 08 19 01bb a1 08 19 1f90"
        " 0a 81 06 0e 19 0e10 19 c000 82 01 82 02 a1 03 04 19 9c40 c4 82 21 18 c8",
    };
    static const char *const same_as[] = {"heartbeat", "mitigation_request"};
    struct dots_cbor_decode_opts opts = {.debug = count_debug};
    unsigned dropped = 0;
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        char *hex = read_text(same_as[i], ".cbor.hex");
        struct bytes b = from_hex(bodies[i]), want = from_hex(hex);
        struct lyd_node *tree;
        struct dots_cbor_error err;
        struct dots_cbor_decode_stats stats;
        if (dots_cbor_decode(schema, b.p, b.len, &opts, &tree, &stats, &err) < 0)
            fail_msg("refused (%s) at %s: %s", dots_cbor_status_name(err.status), err.path, err.msg);
        assert_int_equal(stats.dropped, 2);
        dropped += stats.dropped;
        assert_encodes_to(tree, &want, same_as[i]);
        lyd_free_all(tree);
        free(b.p);
        free(want.p);
        free(hex);
    }
    assert_int_equal(debug_lines, dropped);
    printf("optional keys: %u dropped, %u debug lines\n", dropped, debug_lines);
}

/* xorshift64*: the same bodies on every run. */
static uint64_t rng = 0x5eed0dd5ca1ab1e5ULL;

static uint64_t next_random(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

/* A random, mostly well-formed item: keys from the table or the optional
 * range, values of every major type, some indefinite. */
static void random_item(struct bytes *b, size_t cap, unsigned depth)
{
    unsigned count, choice = (unsigned)(next_random() % (depth > 6 ? 6 : 11));
    const struct dots_cbor_key *keys = dots_cbor_keys(&count);
    if (b->len + 16 > cap)
        return;
    switch (choice) {
    case 0: case 1:
        b->p[b->len++] = (uint8_t)(next_random() % 24);
        break;
    case 2:
        b->p[b->len++] = 0x19;
        b->p[b->len++] = (uint8_t)next_random();
        b->p[b->len++] = (uint8_t)next_random();
        break;
    case 3:
        b->p[b->len++] = 0x20 | (uint8_t)(next_random() % 3);
        break;
    case 4: {
        unsigned n = (unsigned)(next_random() % 8);
        b->p[b->len++] = (uint8_t)(0x60 | n);
        for (unsigned i = 0; i < n; i++)
            b->p[b->len++] = (uint8_t)("0123456789abcdef:./"[next_random() % 19]);
        break;
    }
    case 5:
        b->p[b->len++] = (uint8_t)(0xf4 + next_random() % 3);
        break;
    case 6: case 7: case 8: {
        unsigned n = (unsigned)(next_random() % 4);
        bool indef = next_random() % 4 == 0;
        b->p[b->len++] = indef ? 0xbf : (uint8_t)(0xa0 | n);
        for (unsigned i = 0; i < n && b->len + 16 < cap; i++) {
            uint32_t key = next_random() % 8 == 0 ? 32768 + (uint32_t)(next_random() % 32768)
                                                  : keys[next_random() % count].key;
            b->p[b->len++] = 0x19;
            b->p[b->len++] = (uint8_t)(key >> 8);
            b->p[b->len++] = (uint8_t)key;
            random_item(b, cap, depth + 1);
        }
        if (indef)
            b->p[b->len++] = 0xff;
        break;
    }
    case 9: {
        unsigned n = (unsigned)(next_random() % 4);
        b->p[b->len++] = (uint8_t)(0x80 | n);
        for (unsigned i = 0; i < n; i++)
            random_item(b, cap, depth + 1);
        break;
    }
    default:
        b->p[b->len++] = 0xc4;
        b->p[b->len++] = 0x82;
        b->p[b->len++] = 0x21;
        b->p[b->len++] = (uint8_t)(next_random() % 24);
        break;
    }
}

static void mutate(struct bytes *b, size_t cap)
{
    unsigned edits = 1 + (unsigned)(next_random() % 4);
    for (unsigned e = 0; e < edits && b->len > 0; e++) {
        size_t at = next_random() % b->len;
        switch (next_random() % 5) {
        case 0:
            b->p[at] ^= (uint8_t)(1u << (next_random() % 8));
            break;
        case 1:
            b->p[at] = (uint8_t)next_random();
            break;
        case 2:
            b->len = at;
            break;
        case 3:
            if (b->len < cap) {
                memmove(b->p + at + 1, b->p + at, b->len - at);
                b->p[at] = (uint8_t)next_random();
                b->len++;
            }
            break;
        default:
            memmove(b->p + at, b->p + at + 1, b->len - at - 1);
            b->len--;
            break;
        }
    }
}

/* Accepted bodies must encode, and the encoding must decode to the same
 * tree and encode to the same bytes. */
static void round_trip(const struct lyd_node *tree, uint64_t seed_at)
{
    uint8_t *out, *again;
    size_t len, len2;
    struct dots_cbor_error err;
    struct lyd_node *back;
    if (dots_cbor_encode(tree, &out, &len, &err) < 0)
        fail_msg("body %#llx: accepted but not encodable: %s", (unsigned long long)seed_at, err.msg);
    if (dots_cbor_decode(schema, out, len, NULL, &back, NULL, &err) < 0)
        fail_msg("body %#llx: its encoding is refused: %s", (unsigned long long)seed_at, err.msg);
    assert_same_tree(tree, back, "round trip");
    assert_int_equal(dots_cbor_encode(back, &again, &len2, &err), 0);
    assert_memory_equal(out, again, len);
    assert_int_equal(len, len2);
    lyd_free_all(back);
    free(out);
    free(again);
}

static void test_random_and_mutated(void **state)
{
    enum { ROUNDS = 60000, CAP = 2048 };
    unsigned by_status[DOTS_CBOR_INTERNAL + 1] = {0}, accepted = 0, round_trips = 0;
    struct dots_cbor_limits small = {.max_input = 512, .max_depth = 5, .max_entries = 8, .max_items = 64,
                                     .max_string = 16};
    struct bytes seeds[NFIXTURES];
    uint8_t *buf = malloc(CAP);
    (void)state;
    assert_non_null(buf);
    printf("random and mutated: seed %#llx\n", (unsigned long long)rng);
    for (size_t i = 0; i < NFIXTURES; i++) {
        char *hex = read_text(fixtures[i], ".cbor.hex");
        seeds[i] = from_hex(hex);
        free(hex);
    }
    for (unsigned round = 0; round < ROUNDS; round++) {
        uint64_t at = rng;
        struct bytes b = {buf, 0};
        switch (round % 3) {
        case 0: /* a fixture, mutated */
            b.len = seeds[round / 3 % NFIXTURES].len;
            memcpy(buf, seeds[round / 3 % NFIXTURES].p, b.len);
            mutate(&b, CAP);
            break;
        case 1: /* a random item under a message-type key */
            buf[b.len++] = 0xa1;
            buf[b.len++] = (uint8_t)(round % 2 ? 0x01 : 0x18);
            if (round % 2 == 0)
                buf[b.len++] = (uint8_t)(30 + next_random() % 20);
            random_item(&b, CAP, 0);
            break;
        default: /* random bytes */
            b.len = next_random() % 64;
            for (size_t i = 0; i < b.len; i++)
                buf[i] = (uint8_t)next_random();
            break;
        }
        const struct dots_cbor_limits *lim = round % 7 == 0 ? &small : &dots_cbor_default_limits;
        struct dots_cbor_decode_opts opts = {.limits = lim};
        struct lyd_node *tree;
        struct dots_cbor_error err;
        struct dots_cbor_decode_stats stats;
        int rc = dots_cbor_decode(schema, b.p, b.len, &opts, &tree, &stats, &err);
        if (stats.items > lim->max_items || stats.max_depth > lim->max_depth)
            fail_msg("body %#llx passed a limit: %zu items, depth %u", (unsigned long long)at, stats.items,
                     stats.max_depth);
        if (rc == 0) {
            accepted++;
            if (lim != &small) {
                round_trip(tree, at);
                round_trips++;
            }
            lyd_free_all(tree);
        } else {
            if (err.status == DOTS_CBOR_INTERNAL || err.status == DOTS_CBOR_OK || err.msg[0] == '\0')
                fail_msg("body %#llx: refused as %s: %s", (unsigned long long)at, dots_cbor_status_name(err.status),
                         err.msg);
            by_status[err.status]++;
        }
    }
    printf("random and mutated: %u bodies, %u accepted (%u round trips exact), refused:", ROUNDS, accepted,
           round_trips);
    for (int s = DOTS_CBOR_MALFORMED; s < DOTS_CBOR_INTERNAL; s++)
        printf(" %s %u", dots_cbor_status_name(s), by_status[s]);
    printf("\n");
    /* a generator that reaches neither outcome would test nothing */
    assert_true(accepted > 100);
    for (int s = DOTS_CBOR_MALFORMED; s < DOTS_CBOR_INTERNAL; s++)
        assert_true(by_status[s] > 0);
    for (size_t i = 0; i < NFIXTURES; i++)
        free(seeds[i].p);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s YANG_DIR FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    yang_dir = argv[1];
    fixture_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_table),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_other_encodings),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_optional_keys_dropped),
        cmocka_unit_test(test_random_and_mutated),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
