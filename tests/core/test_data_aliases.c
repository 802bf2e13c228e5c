/* The data channel's aliases through the core API (scrub_core.h) with a
 * store in a temporary directory, on the card model: create, replace,
 * list with parsed targets and pending-lifetime, delete, audit records;
 * tenant safety, bodies without targets or with unknown members, another
 * client, the quota of a run-time client over its cuids (nothing stored
 * by a refusal); the signal channel's lookup by owner; expiry; the card
 * untouched by all of it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scrub_core.h"
#include "scrub_hal_model.h"

struct fixture {
    char dir[64], path[128];
    struct scrub_model *model;
    struct scrub_hal *hal;
    struct scrub_config cfg;
    struct scrub_store *store;
    struct scrub_core *core;
    struct scrub_core_clock now;
};

static void test_clock(void *ctx, struct scrub_core_clock *now)
{
    *now = *(struct scrub_core_clock *)ctx;
}

static const struct scrub_actor operator = {SCRUB_STORE_WHO_LOCAL_USER, "uid 0 (root)", SCRUB_STORE_CHANNEL_CONTROL,
                                            true};
static const struct scrub_actor acme = {SCRUB_STORE_WHO_CERTIFICATE, "acme", SCRUB_STORE_CHANNEL_DATA, false};
static const struct scrub_actor globex = {SCRUB_STORE_WHO_CERTIFICATE, "globex", SCRUB_STORE_CHANNEL_DATA, false};

static void register_cuid(struct fixture *f, const char *cuid, const char *identity)
{
    struct scrub_err err = {0};
    struct scrub_store_data_client dc = {.cuid = cuid, .identity = identity, .registered_at = 1800000000};
    if (scrub_store_begin(f->store, &err) || scrub_store_data_client_put(f->store, &dc, &err) < 0 ||
        scrub_store_commit(f->store, &err))
        fail_msg("%s", err.msg);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_err err = {0};
    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_data_aliases.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    assert_non_null(f->model = scrub_model_new(&params));
    if (!(f->hal = scrub_hal_model_attach(f->model, &err)) || scrub_config_load(DEMO_JSON, NULL, &f->cfg, &err))
        fail_msg("%s", err.msg);
    f->now = (struct scrub_core_clock){.wall_s = 1800000000, .boottime_ms = 5000000, .boot_id = "boot-1"};
    struct scrub_core_options opt = {.clock = test_clock, .clock_ctx = &f->now};
    if (!(f->store = scrub_store_open(f->path, 1000, &err)) || !(f->core = scrub_core_new(f->store, &opt, &err)) ||
        scrub_core_set_config(f->core, &f->cfg, &err) || scrub_core_attach(f->core, f->hal, NULL, &err))
        fail_msg("%s", err.msg);
    register_cuid(f, "cuid-acme", "acme");
    register_cuid(f, "cuid-globex", "globex");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scrub_core_free(f->core);
    scrub_store_close(f->store);
    scrub_config_free(&f->cfg);
    scrub_hal_close(f->hal);
    scrub_model_free(f->model);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int put(struct fixture *f, const struct scrub_actor *a, const char *cuid, bool create, const char *alias,
               struct scrub_data_aliases_result *res, struct scrub_err *err)
{
    const char *aliases[1] = {alias};
    struct scrub_data_aliases_req r = {.cuid = cuid, .aliases = aliases, .n_aliases = 1, .create = create};
    return scrub_core_data_aliases_put(f->core, a, &r, res, err);
}

/* What a listing saw: "name prefixes... fqdns uris lifetime;" per alias. */
static int describe(void *ctx, const struct scrub_data_alias_view *v)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 600 - len, "%s", v->name);
    for (size_t i = 0; i < v->n_prefixes; i++) {
        char text[SCRUB_PREFIX_TEXT];
        scrub_prefix_format(&v->prefixes[i], text, sizeof(text));
        len = strlen(out);
        snprintf(out + len, 600 - len, " %s", text);
    }
    len = strlen(out);
    snprintf(out + len, 600 - len, " %zu %zu %lld;", v->n_fqdns, v->n_uris, (long long)v->pending_lifetime_s);
    return 0;
}

static const char *listing(struct fixture *f, const char *identity, const char *cuid, const char *name)
{
    static char out[600];
    struct scrub_err err = {0};
    out[0] = 0;
    if (scrub_core_data_aliases_each(f->core, identity, cuid, name, describe, out, &err) < 0)
        fail_msg("%s", err.msg);
    return out;
}

static int last_audit_cb(void *ctx, const struct scrub_store_audit *a)
{
    snprintf(ctx, 600, "%s | %s | %s | %s", a->who, scrub_store_channel_name(a->channel), a->what, a->result);
    return 0;
}

static const char *last_audit(struct fixture *f)
{
    static char out[600];
    struct scrub_err err = {0};
    if (scrub_store_audit_each(f->store, 0, 0, last_audit_cb, out, &err) < 0)
        fail_msg("%s", err.msg);
    return out;
}

static const char HTTPS[] = "{\"name\":\"https\",\"target-prefix\":[\"198.51.100.16/28\",\"198.51.100.200/32\"],"
                            "\"target-port-range\":[{\"lower-port\":443}],\"target-protocol\":[6]}";

static void test_put_list_delete(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_data_aliases_result res;
    assert_int_equal(put(f, &acme, "cuid-acme", true, HTTPS, &res, &err), 0);
    assert_int_equal(res.created, 1);
    assert_string_equal(last_audit(f), "acme | data | data-channel alias create cuid=cuid-acme aliases=1 names=https | ok");
    assert_int_equal(put(f, &acme, "cuid-acme", true, HTTPS, &res, &err), -1);
    assert_int_equal(err.code, EEXIST);
    assert_string_equal(err.msg, "alias 'https' of dots-client 'cuid-acme' exists already");
    assert_int_equal(put(f, &acme, "cuid-acme", true,
                         "{\"name\":\"named\",\"target-fqdn\":[\"www.example.com\"],\"target-uri\":[\"https://x/\"]}",
                         &res, &err),
                     0);
    assert_string_equal(listing(f, NULL, "cuid-acme", NULL),
                        "https 198.51.100.16/28 198.51.100.200/32 0 0 604800;named 1 1 604800;");
    f->now.wall_s += 60;
    assert_int_equal(put(f, &acme, "cuid-acme", false, "{\"name\":\"https\",\"target-prefix\":[\"198.51.100.0/24\"]}",
                         &res, &err),
                     0);
    assert_int_equal(res.replaced, 1);
    assert_string_equal(listing(f, NULL, "cuid-acme", "https"), "https 198.51.100.0/24 0 0 604800;");
    assert_string_equal(listing(f, NULL, "cuid-acme", "named"), "named 1 1 604740;");
    assert_int_equal(scrub_core_data_alias_delete(f->core, &acme, "cuid-acme", "named", &err), 0);
    assert_string_equal(last_audit(f), "acme | data | data-channel alias delete cuid=cuid-acme name=named | ok");
    assert_int_equal(scrub_core_data_alias_delete(f->core, &acme, "cuid-acme", "named", &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.msg, "no alias 'named' of dots-client 'cuid-acme'");
    assert_int_equal(scrub_core_data_alias_delete(f->core, &acme, "cuid-acme", NULL, &err), 0);
    assert_string_equal(listing(f, NULL, "cuid-acme", NULL), "");
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    assert_int_equal(put(f, &acme, "cuid-acme", true,
                         "{\"name\":\"steal\",\"target-prefix\":[\"198.51.100.0/25\",\"203.0.113.0/24\"]}", NULL, &err),
                     -1);
    assert_int_equal(err.code, EACCES);
    assert_string_equal(err.msg, "not authorized: alias 'steal': target-prefix 203.0.113.0/24 is not inside the "
                                 "prefixes 'acme' owns (198.51.100.0/24 2001:db8:100::/48)");
    assert_string_equal(last_audit(f), "acme | data | data-channel alias create cuid=cuid-acme aliases=1 names=steal | "
                                       "not authorized: alias 'steal': target-prefix 203.0.113.0/24 is not inside "
                                       "the prefixes 'acme' owns (198.51.100.0/24 2001:db8:100::/48)");
    assert_int_equal(put(f, &acme, "cuid-acme", true, "{\"name\":\"p\",\"target-protocol\":[6]}", NULL, &err), -1);
    assert_int_equal(err.code, EINVAL);
    assert_string_equal(err.msg, "alias 'p' names no target-prefix, target-fqdn or target-uri");
    assert_int_equal(put(f, &acme, "cuid-acme", true, "{\"name\":\"x\",\"target-prefix\":[\"198.51.100.1/32\"],"
                                                      "\"ttl\":[1]}", NULL, &err),
                     -1);
    assert_string_equal(err.msg, "alias 'x': ttl: not a member of an alias");
    assert_int_equal(put(f, &acme, "cuid-acme", true, "{\"name\":\"r\",\"target-prefix\":[\"198.51.100.1/32\"],"
                                                      "\"target-port-range\":[{\"lower-port\":9,\"upper-port\":8}]}",
                         NULL, &err),
                     -1);
    assert_string_equal(err.msg, "alias 'r': target-port-range: upper-port is below lower-port");
    assert_int_equal(put(f, &globex, "cuid-acme", true, HTTPS, NULL, &err), -1);
    assert_int_equal(err.code, EACCES);
    assert_int_equal(put(f, &acme, "cuid-none", true, HTTPS, NULL, &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(listing(f, NULL, "cuid-acme", NULL), "");
}

/* A run-time client's quota counts the aliases of all its cuids; a
 * replacement adds none. */
static void test_quota(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix owned;
    assert_true(scrub_prefix_parse("192.0.2.128/25", &owned));
    struct scrub_client_req c = {"initech", "strict", {1, 3, 1, 2, 1}, &owned, 1};
    if (scrub_core_client_add(f->core, &operator, &c, &err))
        fail_msg("%s", err.msg);
    register_cuid(f, "cuid-i1", "initech");
    register_cuid(f, "cuid-i2", "initech");
    struct scrub_actor initech = {SCRUB_STORE_WHO_CERTIFICATE, "initech", SCRUB_STORE_CHANNEL_DATA, false};
    const char *a = "{\"name\":\"a\",\"target-prefix\":[\"192.0.2.130/32\"]}";
    assert_int_equal(put(f, &initech, "cuid-i1", true, a, NULL, &err), 0);
    assert_int_equal(put(f, &initech, "cuid-i2", true, a, NULL, &err), 0);
    assert_int_equal(put(f, &initech, "cuid-i2", false, a, NULL, &err), 0);
    assert_int_equal(put(f, &initech, "cuid-i2", true, "{\"name\":\"b\",\"target-prefix\":[\"192.0.2.131/32\"]}", NULL,
                         &err),
                     -1);
    assert_int_equal(err.code, EDQUOT);
    assert_string_equal(err.msg, "quota: client 'initech' may have 2 aliases and has 2; these add 1, room left 0");
    assert_string_equal(listing(f, NULL, "cuid-i2", NULL), "a 192.0.2.130/32 0 0 604800;");
}

/* The signal channel asks with the requester's identity: another's cuid
 * has none. */
static void test_lookup_by_owner(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    assert_int_equal(put(f, &acme, "cuid-acme", true, HTTPS, NULL, &err), 0);
    assert_string_equal(listing(f, "acme", "cuid-acme", "https"),
                        "https 198.51.100.16/28 198.51.100.200/32 0 0 604800;");
    assert_string_equal(listing(f, "globex", "cuid-acme", "https"), "");
    assert_string_equal(listing(f, "acme", "cuid-unknown", "https"), "");
}

static void test_expiry(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    assert_int_equal(put(f, &acme, "cuid-acme", true, HTTPS, NULL, &err), 0);
    f->now.wall_s += 3600;
    assert_int_equal(put(f, &acme, "cuid-acme", true, "{\"name\":\"w\",\"target-prefix\":[\"198.51.100.9/32\"]}",
                         NULL, &err),
                     0);
    assert_int_equal(scrub_core_data_aliases_expire(f->core, &err), 0);
    f->now.wall_s += SCRUB_DATA_ALIAS_LIFETIME_S - 3600;
    /* ended: not listed, then deleted */
    assert_string_equal(listing(f, NULL, "cuid-acme", NULL), "w 198.51.100.9/32 0 0 3600;");
    assert_int_equal(scrub_core_data_aliases_expire(f->core, &err), 1);
    assert_string_equal(last_audit(f), "scrubd | data | data-channel alias expired cuid-acme/https | ok");
    f->now.wall_s += 3600;
    assert_int_equal(scrub_core_data_aliases_expire(f->core, &err), 1);
    assert_int_equal(scrub_core_data_aliases_expire(f->core, &err), 0);
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_put_list_delete), TEST(test_refusals), TEST(test_quota), TEST(test_lookup_by_owner),
        TEST(test_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
