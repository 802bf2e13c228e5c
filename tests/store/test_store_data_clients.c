/* Data channel registrations: created once per cuid, owned by the
 * identity that owns the cuid, durable across a reopen, and removed with
 * the cuid's ACLs and aliases while the cuid stays its owner's. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scrub_store.h"
#include "store_test_util.h"

struct fixture {
    const char *dir;
    char path[1024];
    struct scrub_store *s;
    struct scrub_err err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = strdup(store_test_dir());
    snprintf(f->path, sizeof(f->path), "%s", store_test_path(f->dir, "scrubd.db"));
    f->s = scrub_store_open(f->path, 1000, &f->err);
    if (!f->s)
        fail_msg("%s", f->err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scrub_store_close(f->s);
    store_test_remove_dir(f->dir);
    free((char *)f->dir);
    free(f);
    return 0;
}

/* One registration in a transaction of its own: put's return value. */
static int put(struct fixture *f, const char *cuid, const char *identity, int64_t at)
{
    struct scrub_store_data_client c = {.cuid = cuid, .identity = identity, .registered_at = at};
    if (scrub_store_begin(f->s, &f->err))
        fail_msg("%s", f->err.msg);
    int r = scrub_store_data_client_put(f->s, &c, &f->err);
    if (r >= 0 && scrub_store_commit(f->s, &f->err))
        fail_msg("%s", f->err.msg);
    return r;
}

struct seen {
    char text[512];
    int n;
};

static int remember(void *ctx, const struct scrub_store_data_client *c)
{
    struct seen *seen = ctx;
    size_t used = strlen(seen->text);
    snprintf(seen->text + used, sizeof(seen->text) - used, "%s%s/%s/%lld", seen->n ? " " : "", c->cuid, c->identity,
             (long long)c->registered_at);
    seen->n++;
    return 0;
}

static void registrations_are_owned_and_durable(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(put(f, "cuid-a", "client1.example", 100), 1);
    assert_int_equal(put(f, "cuid-a", "client1.example", 200), 0); /* again: exists, first time kept */
    assert_int_equal(put(f, "cuid-b", "client1.example", 300), 1);
    assert_int_equal(put(f, "cuid-c", "client2.example", 400), 1);
    /* another identity's cuid is refused, naming the owner */
    assert_int_equal(put(f, "cuid-a", "client2.example", 500), -1);
    assert_int_equal(f->err.code, EPERM);
    assert_non_null(strstr(f->err.msg, "cuid 'cuid-a' belongs to identity 'client1.example', not 'client2.example'"));
    /* a cuid the signal channel claimed is registered by its owner only */
    assert_int_equal(scrub_store_begin(f->s, &f->err), 0);
    assert_int_equal(scrub_store_cuid_claim(f->s, "cuid-d", "client2.example", 1, &f->err), 0);
    assert_int_equal(scrub_store_commit(f->s, &f->err), 0);
    assert_int_equal(put(f, "cuid-d", "client1.example", 600), -1);
    assert_int_equal(put(f, "cuid-d", "client2.example", 700), 1);

    scrub_store_close(f->s);
    f->s = scrub_store_open(f->path, 1000, &f->err);
    assert_non_null(f->s);
    struct seen seen = {0};
    assert_int_equal(scrub_store_data_clients_each(f->s, "client1.example", remember, &seen, &f->err), 0);
    assert_string_equal(seen.text, "cuid-a/client1.example/100 cuid-b/client1.example/300");
    memset(&seen, 0, sizeof seen);
    assert_int_equal(scrub_store_data_clients_each(f->s, NULL, remember, &seen, &f->err), 0);
    assert_int_equal(seen.n, 4);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(scrub_store_data_client_get(f->s, "cuid-c", remember, &seen, &f->err), 1);
    assert_string_equal(seen.text, "cuid-c/client2.example/400");
    assert_int_equal(scrub_store_data_client_get(f->s, "cuid-x", remember, &seen, &f->err), 0);
}

static int remember_cdid(void *ctx, const struct scrub_store_data_client *c)
{
    snprintf(ctx, 64, "%s", c->cdid ? c->cdid : "(none)");
    return 0;
}

/* A gateway's registration keeps its client domain across a reopen; one
 * without a cdid reads back as none; an empty cdid is refused. */
static void a_gateways_registration_keeps_its_cdid(void **state)
{
    struct fixture *f = *state;
    struct scrub_store_data_client c = {
        .cuid = "cuid-g", .identity = "client2.example", .registered_at = 100, .cdid = "customer.example"};
    assert_int_equal(scrub_store_begin(f->s, &f->err), 0);
    assert_int_equal(scrub_store_data_client_put(f->s, &c, &f->err), 1);
    assert_int_equal(scrub_store_commit(f->s, &f->err), 0);
    assert_int_equal(put(f, "cuid-a", "client1.example", 200), 1);
    c.cuid = "cuid-e";
    c.cdid = "";
    assert_int_equal(scrub_store_begin(f->s, &f->err), 0);
    assert_int_equal(scrub_store_data_client_put(f->s, &c, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "data_client_cdid_empty"));

    scrub_store_close(f->s);
    f->s = scrub_store_open(f->path, 1000, &f->err);
    assert_non_null(f->s);
    char cdid[64] = "";
    assert_int_equal(scrub_store_data_client_get(f->s, "cuid-g", remember_cdid, cdid, &f->err), 1);
    assert_string_equal(cdid, "customer.example");
    assert_int_equal(scrub_store_data_client_get(f->s, "cuid-a", remember_cdid, cdid, &f->err), 1);
    assert_string_equal(cdid, "(none)");
    assert_int_equal(scrub_store_data_client_get(f->s, "cuid-e", remember_cdid, cdid, &f->err), 0);
}

static void removal_takes_acls_and_aliases_and_keeps_the_claim(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(put(f, "cuid-a", "client1.example", 100), 1);
    assert_int_equal(put(f, "cuid-b", "client1.example", 100), 1);
    assert_int_equal(scrub_store_begin(f->s, &f->err), 0);
    for (const char *const *cuid = (const char *const[]){"cuid-a", "cuid-b", NULL}; *cuid; cuid++) {
        struct scrub_store_acl acl = {.cuid = *cuid, .name = "acl1", .position = 1, .body = "{}", .updated_at = 1};
        struct scrub_store_alias alias = {.cuid = *cuid, .name = "web", .body = "{}", .updated_at = 1};
        assert_int_equal(scrub_store_acl_put(f->s, &acl, &f->err), 0);
        assert_int_equal(scrub_store_alias_put(f->s, &alias, &f->err), 0);
    }
    assert_int_equal(scrub_store_data_client_remove(f->s, "cuid-a", &f->err), 0);
    assert_int_equal(scrub_store_commit(f->s, &f->err), 0);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_acl WHERE cuid = 'cuid-a'"), 0);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_alias WHERE cuid = 'cuid-a'"), 0);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_acl WHERE cuid = 'cuid-b'"), 1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_alias WHERE cuid = 'cuid-b'"), 1);
    struct seen seen = {0};
    assert_int_equal(scrub_store_data_client_get(f->s, "cuid-a", remember, &seen, &f->err), 0);
    char owner[64];
    assert_int_equal(scrub_store_cuid_owner(f->s, "cuid-a", owner, sizeof owner, &f->err), 1);
    assert_string_equal(owner, "client1.example");
    /* removing it again: not registered; the transaction is rolled back */
    assert_int_equal(scrub_store_begin(f->s, &f->err), 0);
    assert_int_equal(scrub_store_data_client_remove(f->s, "cuid-a", &f->err), -1);
    assert_int_equal(f->err.code, ENOENT);
    assert_non_null(strstr(f->err.msg, "the cuid is not registered"));
    assert_false(scrub_store_in_transaction(f->s));
    /* and the owner may register it again, another identity still not */
    assert_int_equal(put(f, "cuid-a", "client2.example", 200), -1);
    assert_int_equal(put(f, "cuid-a", "client1.example", 200), 1);
    /* a registered cuid is not released, and the refusal says why */
    assert_int_equal(scrub_store_begin(f->s, &f->err), 0);
    assert_int_equal(scrub_store_cuid_release(f->s, "cuid-a", &f->err), -1);
    assert_int_equal(f->err.code, EBUSY);
    assert_non_null(strstr(f->err.msg, "still named by 0 mitigations, 0 ACLs and 0 aliases, and registered on the "
                                       "data channel"));
    assert_false(scrub_store_in_transaction(f->s));
}

static void outside_a_transaction_nothing_is_written(void **state)
{
    struct fixture *f = *state;
    struct scrub_store_data_client c = {.cuid = "cuid-a", .identity = "client1.example", .registered_at = 1};
    assert_int_equal(scrub_store_data_client_put(f->s, &c, &f->err), -1);
    assert_int_equal(scrub_store_data_client_remove(f->s, "cuid-a", &f->err), -1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_client"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(registrations_are_owned_and_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(a_gateways_registration_keeps_its_cdid, setup, teardown),
        cmocka_unit_test_setup_teardown(removal_takes_acls_and_aliases_and_keeps_the_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(outside_a_transaction_nothing_is_written, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
