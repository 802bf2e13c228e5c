/* The DOTS client's request bodies and answer printing (dots/client): the
 * mitigation request of RFC 9132 section 4.4.1 and the session
 * configuration PUT of section 4.5.2, built from the values a user gives,
 * encode byte for byte to the fixtures (python3-cbor2's encodings of the
 * RFC examples); bad values are refused naming the value; an answer prints
 * as people and programs expect.
 * Usage: test_dots_client_msg YANG_DIR FIXTURE_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dots_cbor.h"
#include "dots_client.h"
#include "dots_client_msg.h"
#include "dots_client_print.h"

static const char *yang_dir, *fixture_dir;
static struct dots_schema *schema;

/* The fixture's bytes, from its hex file. */
static uint8_t *fixture(const char *name, size_t *len)
{
    char path[512], hex[8192];
    snprintf(path, sizeof path, "%s/%s.cbor.hex", fixture_dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    hex[n] = '\0';
    uint8_t *b = malloc(n / 2 + 1);
    assert_non_null(b);
    *len = 0;
    for (const char *s = hex; *s && *s != '\n'; s += 2) {
        unsigned v;
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        b[(*len)++] = (uint8_t)v;
    }
    return b;
}

static void assert_encodes_to(const struct lyd_node *tree, const char *name)
{
    uint8_t *got;
    size_t got_len, want_len;
    struct dots_cbor_error err;
    uint8_t *want = fixture(name, &want_len);
    if (dots_cbor_encode(tree, &got, &got_len, &err) < 0)
        fail_msg("%s does not encode: %s", name, err.msg);
    if (got_len != want_len || memcmp(got, want, want_len) != 0) {
        fprintf(stderr, "%s: got ", name);
        for (size_t i = 0; i < got_len; i++)
            fprintf(stderr, "%02x", got[i]);
        fprintf(stderr, "\n");
        fail_msg("%s: the client's encoding differs from the fixture (%zu bytes, want %zu)", name, got_len, want_len);
    }
    free(got);
    free(want);
}

/* RFC 9132 section 4.4.1's example: two /128 targets, ports 80, 443 and
 * 8080 (each a lower-port alone), TCP, lifetime 3600. */
static void test_mitigation_request_fixture(void **state)
{
    static const char *const prefixes[] = {"2001:db8:6401::1/128", "2001:db8:6401::2/128"};
    static const struct dots_port_range ports[] = {{80, 80}, {443, 443}, {8080, 8080}};
    static const uint8_t protocols[] = {6};
    struct dots_mitigation_scope scope = {
        .prefixes = prefixes, .nprefixes = 2, .ports = ports, .nports = 3, .protocols = protocols, .nprotocols = 1,
        .lifetime = 3600, .trigger_mitigation = -1,
    };
    struct lyd_node *tree;
    struct scrub_err err;
    (void)state;
    if (dots_client_mitigation_tree(schema, &scope, &tree, &err) < 0)
        fail_msg("%s", err.msg);
    assert_encodes_to(tree, "mitigation_request");
    lyd_free_all(tree);
}

/* RFC 9132 section 4.5.2's example: the defaults, for mitigating and idle
 * time, without probing-rate. */
static void test_session_config_fixture(void **state)
{
    static const char *const values[] = {"30", "15", "3", "2.00", "1.50", NULL};
    struct dots_client_sc_request req = {0};
    struct lyd_node *tree;
    struct scrub_err err;
    (void)state;
    for (int t = 0; t < DOTS_CLIENT_SC_TIMES; t++)
        for (int p = 0; p < DOTS_CLIENT_SC_PARAMS; p++)
            req.value[t][p] = values[p];
    if (dots_client_config_tree(schema, &req, &tree, &err) < 0)
        fail_msg("%s", err.msg);
    assert_encodes_to(tree, "session_config_put");
    lyd_free_all(tree);
}

/* Other scopes: a port range, trigger-mitigation false, an indefinite
 * lifetime, an efficacy update's attack-status; each read back. */
static void test_other_scopes(void **state)
{
    static const char *const prefixes[] = {"198.51.100.0/24"};
    static const struct dots_port_range ports[] = {{1000, 2000}};
    struct dots_mitigation_scope scope = {
        .prefixes = prefixes, .nprefixes = 1, .ports = ports, .nports = 1, .lifetime = -1, .trigger_mitigation = 0,
        .attack_status = "attack-successfully-mitigated",
    };
    struct lyd_node *tree;
    struct scrub_err err;
    char *json;
    (void)state;
    if (dots_client_mitigation_tree(schema, &scope, &tree, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(lyd_print_mem(&json, tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_SHRINK), LY_SUCCESS);
    assert_string_equal(json, "{\"ietf-dots-signal-channel:scope\":[{\"target-prefix\":[\"198.51.100.0/24\"],"
                              "\"target-port-range\":[{\"lower-port\":1000,\"upper-port\":2000}],\"lifetime\":-1,"
                              "\"trigger-mitigation\":false,\"attack-status\":\"attack-successfully-mitigated\"}]}");
    free(json);
    lyd_free_all(tree);
}

static void assert_refused(int r, const struct scrub_err *err, const char *want)
{
    assert_int_equal(r, -1);
    if (!strstr(err->msg, want))
        fail_msg("refusal '%s' does not say '%s'", err->msg, want);
}

static void test_refusals(void **state)
{
    static const char *const bad_prefix[] = {"10.0.0.300/32"};
    struct dots_mitigation_scope scope = {.prefixes = bad_prefix, .nprefixes = 1, .lifetime = 3600,
                                          .trigger_mitigation = -1};
    struct dots_client_sc_request req = {0};
    struct lyd_node *tree = NULL;
    struct scrub_err err;
    (void)state;
    assert_refused(dots_client_mitigation_tree(schema, &scope, &tree, &err), &err, "10.0.0.300/32");
    scope.prefixes = (const char *const[]){"\"}]}"};  /* JSON in a value stays a value */
    assert_refused(dots_client_mitigation_tree(schema, &scope, &tree, &err), &err, "target-prefix");
    scope.prefixes = (const char *const[]){"2001:db8::/32"};
    scope.attack_status = "over";
    assert_refused(dots_client_mitigation_tree(schema, &scope, &tree, &err), &err, "attack-status");
    assert_refused(dots_client_config_tree(schema, &req, &tree, &err), &err, "at least one value");
    req.value[DOTS_CLIENT_IDLE][DOTS_CLIENT_HEARTBEAT_INTERVAL] = "30s";
    assert_refused(dots_client_config_tree(schema, &req, &tree, &err), &err,
                   "idle-config/heartbeat-interval: '30s' is not an unsigned integer");
    req.value[DOTS_CLIENT_IDLE][DOTS_CLIENT_HEARTBEAT_INTERVAL] = "70000";  /* uint16 */
    assert_refused(dots_client_config_tree(schema, &req, &tree, &err), &err, "heartbeat-interval");
    req.value[DOTS_CLIENT_IDLE][DOTS_CLIENT_HEARTBEAT_INTERVAL] = NULL;
    req.value[DOTS_CLIENT_MITIGATING][DOTS_CLIENT_ACK_TIMEOUT] = "2.5.1";
    assert_refused(dots_client_config_tree(schema, &req, &tree, &err), &err,
                   "mitigating-config/ack-timeout: '2.5.1' is not a decimal number");
    req.value[DOTS_CLIENT_MITIGATING][DOTS_CLIENT_ACK_TIMEOUT] = "2.001";
    assert_refused(dots_client_config_tree(schema, &req, &tree, &err), &err, "fraction digits");
    assert_null(tree);
}

static char *print_to_string(int (*print)(FILE *, const struct dots_client_answer *),
                             const struct dots_client_answer *answer)
{
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(print(f, answer), 0);
    fclose(f);
    return text;
}

/* RFC 9132's mitigation status answer, and a refusal. */
static void test_printing(void **state)
{
    size_t len;
    uint8_t *b = fixture("mitigation_status", &len);
    struct dots_cbor_error cerr;
    struct dots_client_answer answer = {.code = 205, .has_observe = true, .observe = 7};
    (void)state;
    if (dots_cbor_decode(schema, b, len, NULL, &answer.tree, NULL, &cerr) < 0)
        fail_msg("%s", cerr.msg);
    free(b);
    char *human = print_to_string(dots_client_print_human, &answer);
    /* schema order; the defaults validation adds (trigger-mitigation) left out */
    assert_string_equal(human, "2.05 Content (observe 7)\n  scope\n    target-prefix: 2001:db8:6401::1/128\n"
                               "    target-prefix: 2001:db8:6401::2/128\n    target-protocol: 17\n"
                               "    lifetime: 1756\n    mid: 12332\n    mitigation-start: 1507818434\n"
                               "    status: attack-successfully-mitigated\n    bytes-dropped: 134334555\n"
                               "    bps-dropped: 43344\n    pkts-dropped: 333334444\n    pps-dropped: 432432\n");
    char *json = print_to_string(dots_client_print_json, &answer);
    assert_string_equal(json, "{\"code\":\"2.05\",\"observe\":7,\"body\":{\"ietf-dots-signal-channel:scope\":"
                              "[{\"target-prefix\":[\"2001:db8:6401::1/128\",\"2001:db8:6401::2/128\"],"
                              "\"target-protocol\":[17],\"lifetime\":1756,\"mid\":12332,"
                              "\"mitigation-start\":\"1507818434\",\"status\":\"attack-successfully-mitigated\","
                              "\"bytes-dropped\":\"134334555\",\"bps-dropped\":\"43344\","
                              "\"pkts-dropped\":\"333334444\",\"pps-dropped\":\"432432\"}]}}\n");
    free(human);
    free(json);
    dots_client_answer_free(&answer);

    answer = (struct dots_client_answer){.code = 422, .text = strdup("a \"quoted\" diagnostic")};
    human = print_to_string(dots_client_print_human, &answer);
    assert_string_equal(human, "4.22 Unprocessable Entity: a \"quoted\" diagnostic\n");
    json = print_to_string(dots_client_print_json, &answer);
    assert_string_equal(json, "{\"code\":\"4.22\",\"diagnostic\":\"a \\\"quoted\\\" diagnostic\"}\n");
    free(human);
    free(json);
    dots_client_answer_free(&answer);
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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s YANG_DIR FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    yang_dir = argv[1];
    fixture_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mitigation_request_fixture), cmocka_unit_test(test_session_config_fixture),
        cmocka_unit_test(test_other_scopes), cmocka_unit_test(test_refusals), cmocka_unit_test(test_printing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
