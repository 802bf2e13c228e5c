/* The control socket's request handling without a socket or a card:
 * random request lines from a fixed seed (SCRUB_TEST_SEED overrides it)
 * always get one JSON answer of the right shape, never a crash; each kind
 * of refusal is counted so that a run that misses one fails. Also
 * scrubctl's human units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctl_show.h"
#include "requests.h"
#include "scrub_control.h"

static uint64_t rng_state;

static uint64_t next(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Pieces of requests, good and bad; config-reload is left out (it needs a
 * store and a file, the script test drives it). */
static const char *const tokens[] = {
    "{", "}", "[", "]", ":", ",", " ", "\"command\"", "\"status\"", "\"counters\"", "\"reboot\"", "\"x\"", "1",
    "-0.5e9", "null", "true", "\"\\u0000\"", "\"\\ud800\"", "\"", "\\", "\t", "\xff", "\xc3\xa9", "nul",
    "{\"command\":\"status\"}", "{\"command\":\"counters\"}",
};
enum { N_TOKENS = sizeof(tokens) / sizeof(tokens[0]) };

static size_t put(char *buf, size_t len, size_t cap, const char *t)
{
    size_t tl = strlen(t);
    if (len + tl > cap)
        return len;
    memcpy(buf + len, t, tl);
    return len + tl;
}

/* An object of random members, now and then with one byte changed or cut
 * short. */
static size_t random_object(char *buf, size_t cap)
{
    static const char *const keys[] = {"\"command\"", "\"x\"", "\"cmd\"", "\"Command\"", "1"};
    static const char *const values[] = {"\"status\"", "\"counters\"", "\"reboot\"", "\"\"", "7", "null",
                                         "[]", "{}", "\"status\\u0000\""};
    size_t len = put(buf, 0, cap, "{");
    unsigned members = (unsigned)(next() % 4);
    for (unsigned i = 0; i < members; i++) {
        if (i)
            len = put(buf, len, cap, ",");
        len = put(buf, len, cap, keys[next() % (sizeof(keys) / sizeof(keys[0]))]);
        len = put(buf, len, cap, ":");
        len = put(buf, len, cap, values[next() % (sizeof(values) / sizeof(values[0]))]);
    }
    len = put(buf, len, cap, "}");
    if (next() % 4 == 0) {
        char b = (char)(next() % 256);
        buf[next() % len] = b == '\n' ? ' ' : b;
    }
    if (next() % 8 == 0)
        len = (size_t)(next() % len);
    return len;
}

static size_t random_line(char *buf, size_t cap)
{
    if (next() % 2)
        return random_object(buf, cap);
    size_t len = 0;
    unsigned n = (unsigned)(next() % 24);
    if (next() % 16 == 0) /* deep nesting now and then */
        for (unsigned i = 0; i < 40 && len + 1 < cap; i++)
            buf[len++] = '[';
    for (unsigned i = 0; i < n; i++) {
        if (next() % 8 == 0) {
            char b = (char)(next() % 256);
            if (b != '\n' && len < cap)
                buf[len++] = b;
            continue;
        }
        len = put(buf, len, cap, tokens[next() % N_TOKENS]);
    }
    return len;
}

enum outcome { OK_STATUS, MALFORMED, NOT_A_REQUEST, EXTRA_MEMBERS, UNKNOWN_COMMAND, CARD_LOST, N_OUTCOMES };
static const char *const outcome_names[] = {"status answered", "malformed", "not a request", "extra members",
                                            "unknown command", "card lost"};

static enum outcome classify(const char *answer, const char *line, size_t len)
{
    json_object *a = json_tokener_parse(answer);
    if (!json_object_is_type(a, json_type_object))
        fail_msg("answer not a JSON object: %s (request %.*s)", answer, (int)len, line);
    json_object *ok = NULL, *error = NULL, *result = NULL;
    json_object_object_get_ex(a, "ok", &ok);
    json_object_object_get_ex(a, "error", &error);
    json_object_object_get_ex(a, "result", &result);
    assert_true(json_object_is_type(ok, json_type_boolean));
    assert_int_equal(json_object_object_length(a), 2);
    enum outcome o;
    if (json_object_get_boolean(ok)) {
        json_object *card = NULL;
        assert_true(json_object_object_get_ex(result, "card", &card));
        o = OK_STATUS;
    } else {
        const char *e = json_object_get_string(error);
        assert_non_null(e);
        o = strstr(e, "malformed request") ? MALFORMED
            : strstr(e, "a request is a JSON object") ? NOT_A_REQUEST
            : strstr(e, "a request has one member") ? EXTRA_MEMBERS
            : strstr(e, "unknown command") ? UNKNOWN_COMMAND
            : strstr(e, "the card is not reachable") ? CARD_LOST
            : N_OUTCOMES;
        if (o == N_OUTCOMES)
            fail_msg("unexpected error '%s' for request %.*s", e, (int)len, line);
    }
    json_object_put(a);
    return o;
}

static void random_requests_get_well_formed_answers(void **state)
{
    (void)state;
    const char *env = getenv("SCRUB_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20261123;
    rng_state = seed;
    print_message("seed %llu (SCRUB_TEST_SEED)\n", (unsigned long long)seed);
    /* No card, store or configuration: status says the card is lost,
     * counters is refused. */
    struct scrubd d = {0};
    d.opt.socket_path = "test.sock";
    d.opt.store_path = "test.db";
    d.opt.config_path = "test.json";
    d.opt.backend = "simcard";
    d.opt.wdog_kick_ms = 50;
    d.opt.wdog_timeout_ms = 400;
    snprintf(d.card_error, sizeof(d.card_error), "simcard backend: test: no card");
    struct peer p = {.uid = 0, .who = "test"};
    unsigned counts[N_OUTCOMES] = {0};
    static char line[4096];
    enum { LINES = 20000 };
    for (unsigned i = 0; i < LINES; i++) {
        size_t len = random_line(line, sizeof(line));
        char *answer = request_answer(&d, &p, line, len);
        assert_non_null(answer);
        assert_null(strchr(answer, '\n'));
        counts[classify(answer, line, len)]++;
        free(answer);
    }
    for (unsigned o = 0; o < N_OUTCOMES; o++) {
        print_message("%-16s %u\n", outcome_names[o], counts[o]);
        if (counts[o] == 0)
            fail_msg("seed %llu: no request ended as '%s' in %u: the generator misses a case",
                     (unsigned long long)seed, outcome_names[o], LINES);
    }
}

static void human_units(void **state)
{
    (void)state;
    static const struct {
        double n;
        const char *want;
    } cases[] = {
        {0, "0"}, {999, "999"}, {999.4, "999"}, {999.5, "1.00 k"}, {1234, "1.23 k"}, {45600000, "45.6 M"},
        {123456789, "123 M"}, {9.995e9, "10.0 G"}, {2e18, "2.00 E"}, {5e21, "5000 E"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[32];
        human_si(out, sizeof(out), cases[i].n);
        assert_string_equal(out, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_requests_get_well_formed_answers),
        cmocka_unit_test(human_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
