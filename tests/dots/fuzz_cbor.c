/* The libFuzzer entry point of the signal channel's request bodies
 * (docs/dots.md, Fuzzing): what the server does with a CBOR body without the
 * network. Decode and validate it as scrubd does (default limits); if it is
 * accepted, check it as a session configuration (dots_sc_from_tree) and as
 * a mitigation request and an efficacy update (dots_put_request_from_tree),
 * and round-trip it: its encoding must decode again and re-encode to the
 * same bytes, and an accepted session configuration must survive its store
 * form.
 * A broken rule abort()s, which libFuzzer and the replay report as a crash.
 * Built with libFuzzer (scripts/fuzz-dots) and with fuzz_replay.c (ctest). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dots_cbor.h"
#include "dots_mitigate_body.h"
#include "dots_schema.h"
#include "dots_session_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok, const char *what, const struct dots_cbor_error *err)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_cbor: %s", what);
    if (err)
        fprintf(stderr, " (%s at %s: %s)", dots_cbor_status_name(err->status), err->path, err->msg);
    fputc('\n', stderr);
    abort();
}

/* Opened once for the process and never closed: loading the modules costs
 * far more than a run. */
static const struct dots_schema *schema_once(void)
{
    static struct dots_schema *schema;
    struct scrub_err err;
    if (!schema && dots_schema_open(DOTS_FUZZ_YANG_DIR, &schema, &err) < 0) {
        fprintf(stderr, "fuzz_cbor: cannot load the modules of %s: %s\n", DOTS_FUZZ_YANG_DIR, err.msg);
        abort();
    }
    return schema;
}

/* The refusal must say what and where in text that ends. */
static void check_refusal(const struct dots_cbor_error *err)
{
    require(err->status > DOTS_CBOR_OK && err->status <= DOTS_CBOR_INTERNAL, "refusal without a status", NULL);
    require(err->status != DOTS_CBOR_INTERNAL, "internal error on a body", err);
    require(memchr(err->path, '\0', sizeof err->path) && memchr(err->msg, '\0', sizeof err->msg) && err->msg[0],
            "refusal without a diagnostic", NULL);
}

/* What PUT /config does with a body (dots_signal.c put_config). */
static void session_config(const struct dots_schema *s, const struct lyd_node *tree)
{
    struct dots_sc sc, back;
    char diagnostic[640], json[4096];
    int code = 0;
    if (dots_sc_from_tree(tree, &dots_sc_default_ranges, &sc, &code, diagnostic, sizeof diagnostic) < 0) {
        require((code == 400 || code == 422) && diagnostic[0], "session configuration refused without a reason",
                NULL);
        return;
    }
    struct scrub_err err;
    require(dots_sc_store_json(&sc, json, sizeof json) == 0, "session configuration without a store form", NULL);
    require(dots_sc_from_store_json(json, &back, &err) == 0 && memcmp(&sc, &back, sizeof sc) == 0,
            "session configuration changed through the store", NULL);
    /* the GET answer of what was accepted, as dots_encode_json makes it */
    struct lyd_node *answer = NULL;
    struct dots_cbor_error cerr;
    uint8_t *cbor;
    size_t len;
    require(dots_sc_answer_json(&sc, &dots_sc_default_ranges, json, sizeof json) == 0 &&
                dots_schema_parse_json(s, json, &answer, &err) == 0,
            "session configuration answer is not valid", NULL);
    require(dots_cbor_encode(answer, &cbor, &len, &cerr) == 0, "session configuration answer does not encode", &cerr);
    free(cbor);
    lyd_free_all(answer);
}

/* What PUT /mitigate does with a body (dots_mitigate.c dots_mitigate_put),
 * as a request (efficacy false) or an efficacy update (true); whatever it
 * took is freed as the server frees it. True if accepted. */
static bool mitigation_body(const struct lyd_node *tree, bool efficacy)
{
    struct put_request r = {0};
    char diagnostic[640];
    diagnostic[0] = '\0';
    bool accepted = dots_put_request_from_tree(tree, efficacy, &r, diagnostic, sizeof diagnostic) == 0;
    if (!accepted) {
        require(diagnostic[0] && memchr(diagnostic, '\0', sizeof diagnostic), "mitigation body refused without a reason",
                NULL);
        dots_put_request_release(&r);
        return false;
    }
    require(r.lifetime_given && r.lifetime != 0, "mitigation body accepted without a lifetime", NULL);
    require(memchr(r.attack_status, '\0', sizeof r.attack_status) && (r.attack_status[0] != '\0') == efficacy,
            "attack-status accepted outside an efficacy update, or missing from one", NULL);
    /* the core keeps the prefixes as text (scrub_store) */
    for (size_t i = 0; i < r.n_prefixes; i++) {
        char text[SCRUB_PREFIX_TEXT];
        struct scrub_prefix back;
        scrub_prefix_format(&r.prefixes[i], text, sizeof text);
        require(r.prefixes[i].plen <= 128 && scrub_prefix_parse(text, &back) && back.plen == r.prefixes[i].plen &&
                    memcmp(&back.addr, &r.prefixes[i].addr, sizeof back.addr) == 0,
                "an accepted target-prefix does not survive its text form", NULL);
    }
    for (size_t i = 0; i < r.n_acls; i++)
        require(r.acls[i].name && r.acls[i].activation <= SCRUB_STORE_DEACTIVATE, "acl-list entry without a name",
                NULL);
    /* the rest of the scope, stored as JSON and given back by a GET */
    json_object *back = json_tokener_parse(json_object_to_json_string_ext(r.extra, JSON_C_TO_STRING_PLAIN));
    require(json_object_is_type(r.extra, json_type_object) && json_object_equal(r.extra, back),
            "the scope's other members do not survive their JSON form", NULL);
    json_object_put(back);
    dots_put_request_release(&r);
    return true;
}

/* encode → decode → encode gives the same bytes. Re-encoding can outgrow
 * the body (definite lengths for indefinite ones), so the second decode
 * allows the encoding's own size; every other limit stays. */
static void round_trip(const struct dots_schema *s, const struct lyd_node *tree)
{
    struct dots_cbor_error err;
    uint8_t *once, *twice;
    size_t once_len, twice_len;
    struct lyd_node *again;
    require(dots_cbor_encode(tree, &once, &once_len, &err) == 0, "an accepted body does not encode", &err);
    struct dots_cbor_limits limits = dots_cbor_default_limits;
    if (once_len > limits.max_input)
        limits.max_input = once_len;
    struct dots_cbor_decode_opts opts = {.limits = &limits};
    require(dots_cbor_decode(s, once, once_len, &opts, &again, NULL, &err) == 0, "our encoding does not decode",
            &err);
    require(dots_cbor_encode(again, &twice, &twice_len, &err) == 0, "our decoding does not encode", &err);
    require(once_len == twice_len && memcmp(once, twice, once_len) == 0, "encode(decode(encode)) differs", NULL);
    lyd_free_all(again);
    free(once);
    free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct dots_schema *s = schema_once();
    const struct dots_cbor_limits *lim = &dots_cbor_default_limits;
    struct dots_cbor_decode_stats stats;
    struct dots_cbor_error err;
    struct lyd_node *tree;
    if (dots_cbor_decode(s, data, size, NULL, &tree, &stats, &err) < 0) {
        check_refusal(&err);
        return 0;
    }
    require(size <= lim->max_input && stats.items <= lim->max_items && stats.max_depth <= lim->max_depth,
            "an accepted body passed a limit", NULL);
    session_config(s, tree);
    /* attack-status makes an efficacy update and only that: never both */
    bool as_request = mitigation_body(tree, false), as_update = mitigation_body(tree, true);
    require(!(as_request && as_update),
            "one body accepted both as a mitigation request and as an efficacy update", NULL);
    round_trip(s, tree);
    lyd_free_all(tree);
    return 0;
}
