/* The core's commands on the control socket's request handler, with a
 * card model, a store in a temporary directory and the demo
 * configuration: 3,000 random requests from a fixed seed (SCRUB_TEST_SEED
 * overrides it) of every core command with members good, bad and of the
 * wrong type. Every answer is one JSON object of the right shape; every
 * command is both answered and refused at least once; every 100 requests
 * the card read back equals what the core says it holds; at the end a
 * restart on the same store and card writes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "card_readback.h"
#include "requests.h"

static uint64_t rng_state;

static uint64_t next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *pick(const char *const *a, size_t n)
{
    return a[next() % n];
}
#define PICK(a) pick(a, sizeof(a) / sizeof(a[0]))

static const char *const commands[] = {"mitigation-add", "mitigation-withdraw", "mitigation-list", "mitigation-show",
                                       "client-add",     "client-remove",       "client-list",     "source-add",
                                       "source-remove",  "source-list",         "audit"};
enum { N_COMMANDS = sizeof(commands) / sizeof(commands[0]) };

/* Values for each member: mostly sensible, some wrong. */
static const char *const clients[] = {"\"acme\"", "\"globex\"", "\"initech\"", "\"hooli\"", "\"\"", "7", "null"};
static const char *const prefix_lists[] = {
    "[\"198.51.100.0/26\"]", "[\"198.51.100.64/26\",\"198.51.100.128/25\"]", "[\"203.0.113.0/25\"]",
    "[\"192.0.2.128/26\"]",  "[\"192.0.2.192/27\"]",  "[\"2001:db8:100::/56\"]", "[\"10.0.0.0/8\"]", "[]",
    "[\"nope\"]",           "\"198.51.100.0/24\"",   "[\"198.51.100.0/24\"]",  "[\"192.0.2.128/25\"]",
    "[\"203.0.113.0/24\"]", "[1]"};
static const char *const cuids[] = {"\"c1\"", "\"c2\"", "\"c1\"", "\"c2\"", "\"scrubctl-acme\"", "\"\"", "3"};
static const char *const mids[] = {"0", "1", "2", "0", "1", "2", "3", "-1", "4294967296", "\"1\""};
static const char *const profiles[] = {"\"standard\"", "\"strict\"", "\"blackhole\"", "\"nope\"", "1"};
static const char *const lifetimes[] = {"60", "-1", "0", "3600", "-5", "\"x\""};
static const char *const bools[] = {"true", "false", "1"};
static const char *const addresses[] = {"\"198.18.0.1\"", "\"198.18.0.2\"", "\"2001:db8::1\"", "\"x\"", "5"};
static const char *const actions[] = {"\"drop\"", "\"accept\"", "\"police\"", "\"explode\""};
static const char *const policers[] = {"\"syn\"", "\"icmp\"", "\"nope\""};
static const char *const quotas[] = {"{\"mitigations\":1,\"source_entries\":1}", "{\"mitigations\":3}", "{\"x\":1}",
                                     "[]", "{\"mitigations\":-1}"};
static const char *const members[] = {"client", "prefixes", "cuid", "mid", "profile", "lifetime", "trigger",
                                      "withdraw", "tenant", "address", "action", "policer", "quotas", "limit",
                                      "bogus"};

static const char *value_of(const char *member)
{
    if (!strcmp(member, "client") || !strcmp(member, "tenant"))
        return PICK(clients);
    if (!strcmp(member, "prefixes"))
        return PICK(prefix_lists);
    if (!strcmp(member, "cuid"))
        return PICK(cuids);
    if (!strcmp(member, "mid") || !strcmp(member, "limit"))
        return PICK(mids);
    if (!strcmp(member, "profile"))
        return PICK(profiles);
    if (!strcmp(member, "lifetime"))
        return PICK(lifetimes);
    if (!strcmp(member, "trigger") || !strcmp(member, "withdraw"))
        return PICK(bools);
    if (!strcmp(member, "address"))
        return PICK(addresses);
    if (!strcmp(member, "action"))
        return PICK(actions);
    if (!strcmp(member, "policer"))
        return PICK(policers);
    if (!strcmp(member, "quotas"))
        return PICK(quotas);
    return "1";
}

/* The members a command needs, then now and then one more at random. */
static const char *const needs[N_COMMANDS][5] = {
    {"client", "prefixes", "profile", "cuid", "mid"},
    {"cuid", "mid"},
    {"client"},
    {"cuid", "mid"},
    {"client", "prefixes", "profile", "quotas"},
    {"client", "withdraw"},
    {NULL},
    {"tenant", "address", "action", "policer"},
    {"tenant", "address"},
    {"tenant"},
    {"limit"},
};

/* Requests that can succeed: a client with prefixes it owns. */
static const char *const good_adds[] = {
    "\"client\":\"acme\",\"prefixes\":[\"198.51.100.0/26\"]",
    "\"client\":\"acme\",\"prefixes\":[\"198.51.100.64/26\",\"2001:db8:100::/56\"]",
    "\"client\":\"globex\",\"prefixes\":[\"203.0.113.0/25\"]",
    "\"client\":\"initech\",\"prefixes\":[\"192.0.2.128/26\"]",
};
static const char *const good_clients[] = {
    "\"client\":\"initech\",\"prefixes\":[\"192.0.2.128/25\"],\"profile\":\"strict\"",
    "\"client\":\"hooli\",\"prefixes\":[\"192.0.2.0/25\"],\"profile\":\"standard\"",
};

static size_t request(char *buf, size_t cap, unsigned *which)
{
    unsigned c = (unsigned)(next() % N_COMMANDS);
    *which = c;
    size_t len = (size_t)snprintf(buf, cap, "{\"command\":\"%s\"", commands[c]);
    if (next() % 2 && (c == 0 || c == 4)) { /* a good one, with more members at random */
        len += (size_t)snprintf(buf + len, cap - len, ",%s", c == 0 ? PICK(good_adds) : PICK(good_clients));
        if (c == 0)
            len += (size_t)snprintf(buf + len, cap - len, ",\"cuid\":%s,\"mid\":%s", PICK(cuids), PICK(mids));
        if (next() % 2)
            len += (size_t)snprintf(buf + len, cap - len, ",\"%s\":%s", c == 0 ? "lifetime" : "quotas",
                                    c == 0 ? PICK(lifetimes) : PICK(quotas));
        return len + (size_t)snprintf(buf + len, cap - len, "}");
    }
    const char *used[8];
    unsigned n_used = 0;
    for (unsigned i = 0; i < 5 && needs[c][i]; i++)
        if (next() % 8 != 0) /* now and then a needed member is missing */
            used[n_used++] = needs[c][i];
    if (next() % 6 == 0)
        used[n_used++] = PICK(members);
    for (unsigned i = 0; i < n_used; i++) {
        bool dup = false;
        for (unsigned k = 0; k < i; k++)
            dup |= strcmp(used[k], used[i]) == 0;
        if (!dup)
            len += (size_t)snprintf(buf + len, cap - len, ",\"%s\":%s", used[i], value_of(used[i]));
    }
    len += (size_t)snprintf(buf + len, cap - len, "}");
    return len;
}

struct fixture {
    char dir[64], path[128];
    struct scrubd d;
};

static void check_card(struct scrubd *d)
{
    struct card_image back;
    struct scrub_err err = {0};
    if (card_readback(d->hal, &back, &err))
        fail_msg("%s", err.msg);
    assert_true(card_image_equal(&back, scrub_core_image(d->core)));
    card_image_free(&back);
}

static void start_core(struct scrubd *d, struct card_sync_stats *st)
{
    struct scrub_err err = {0};
    d->core = scrub_core_new(d->store, NULL, &err);
    assert_non_null(d->core);
    if (scrub_core_set_config(d->core, &d->cfg, &err) || scrub_core_attach(d->core, d->hal, st, &err))
        fail_msg("%s", err.msg);
}

static void random_core_requests(void **state)
{
    (void)state;
    const char *env = getenv("SCRUB_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20261124;
    rng_state = seed;
    print_message("seed %llu (SCRUB_TEST_SEED)\n", (unsigned long long)seed);
    struct fixture f = {0};
    snprintf(f.dir, sizeof(f.dir), "/tmp/test_core_requests.XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    snprintf(f.path, sizeof(f.path), "%s/store.db", f.dir);
    struct scrubd *d = &f.d;
    struct scrub_err err = {0};
    d->opt.socket_path = "test.sock";
    d->opt.store_path = f.path;
    d->opt.config_path = DEMO_JSON;
    d->opt.backend = "model";
    if (scrub_config_load(DEMO_JSON, NULL, &d->cfg, &err))
        fail_msg("%s", err.msg);
    d->store = scrub_store_open(f.path, 1000, &err);
    d->hal = scrub_hal_open("model", &err);
    if (!d->store || !d->hal)
        fail_msg("%s", err.msg);
    struct card_sync_stats st;
    start_core(d, &st);

    struct peer p = {.uid = 0, .who = "uid 0 (test)"};
    unsigned ok[N_COMMANDS] = {0}, refused[N_COMMANDS] = {0};
    static char line[2048];
    enum { REQUESTS = 3000 };
    for (unsigned i = 0; i < REQUESTS; i++) {
        unsigned which;
        size_t len = request(line, sizeof(line), &which);
        char *answer = request_answer(d, &p, line, len);
        assert_non_null(answer);
        json_object *a = json_tokener_parse(answer), *okv = NULL, *v = NULL;
        if (!json_object_is_type(a, json_type_object) || !json_object_object_get_ex(a, "ok", &okv) ||
            json_object_object_length(a) != 2)
            fail_msg("answer %s to %s", answer, line);
        if (json_object_get_boolean(okv)) {
            assert_true(json_object_object_get_ex(a, "result", &v));
            ok[which]++;
        } else {
            assert_true(json_object_object_get_ex(a, "error", &v) && json_object_is_type(v, json_type_string));
            refused[which]++;
        }
        json_object_put(a);
        free(answer);
        if (i % 100 == 99)
            check_card(d);
    }
    for (unsigned c = 0; c < N_COMMANDS; c++) {
        print_message("%-20s %5u answered %5u refused\n", commands[c], ok[c], refused[c]);
        if (!ok[c] || (!refused[c] && strcmp(commands[c], "client-list") != 0))
            fail_msg("seed %llu: '%s' was never %s", (unsigned long long)seed, commands[c],
                     ok[c] ? "refused" : "answered");
    }
    check_card(d);
    /* A restart on the same store next to the same card: nothing to write. */
    scrub_core_free(d->core);
    start_core(d, &st);
    assert_int_equal(card_sync_writes(&st), 0);
    scrub_core_free(d->core);
    scrub_hal_close(d->hal);
    scrub_store_close(d->store);
    scrub_config_free(&d->cfg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f.dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(random_core_requests)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
