/* The store: every record type round trip through a reopen, refusals with
 * their reasons, rollback, migration from version 1, refusal of a newer or
 * foreign database. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "scrub_store.h"
#include "store_internal.h"
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

static void reopen(struct fixture *f)
{
    scrub_store_close(f->s);
    f->s = scrub_store_open(f->path, 1000, &f->err);
    if (!f->s)
        fail_msg("%s", f->err.msg);
}

#define OK(call)                                                                                                   \
    do {                                                                                                            \
        if ((call) != 0)                                                                                            \
            fail_msg("%s: %s", #call, f->err.msg);                                                                  \
    } while (0)

static void assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

/* A refusal: the call fails, the message holds each expected part, and the
 * transaction is gone. */
static void assert_refused(struct fixture *f, int r, const char *part1, const char *part2)
{
    assert_int_equal(r, -1);
    print_message("refused: %s\n", f->err.msg);
    if (!strstr(f->err.msg, part1) || (part2 && !strstr(f->err.msg, part2)))
        fail_msg("refusal '%s' lacks '%s'%s%s", f->err.msg, part1, part2 ? " or " : "", part2 ? part2 : "");
    assert_false(scrub_store_in_transaction(f->s));
}

/* --- Round trips. */

static const char *const acme_prefixes[] = {"198.51.100.7/24", "2001:db8:a::/48"};
static const char *const acme_prefixes_canonical[] = {"198.51.100.0/24", "2001:db8:a::/48"};

struct walk {
    size_t seen;
};

static int check_client(void *ctx, const struct scrub_store_client *c)
{
    struct walk *w = ctx;
    w->seen++;
    assert_string_equal(c->identity, "acme.example.net");
    assert_string_equal(c->profile, "strict");
    assert_int_equal(c->quotas.mitigations, 10);
    assert_int_equal(c->quotas.acl_entries, 20);
    assert_int_equal(c->quotas.source_entries, 30);
    assert_int_equal(c->quotas.aliases, 40);
    assert_int_equal(c->quotas.sessions, 5);
    assert_int_equal(c->created_at, 1700000000);
    assert_int_equal(c->n_prefixes, 2);
    /* Ordered as text: "198..." before "2001...". */
    for (size_t i = 0; i < 2; i++)
        assert_string_equal(c->prefixes[i], acme_prefixes_canonical[i]);
    return 0;
}

static const struct scrub_store_mitigation mitigations[] = {
    {.identity = "acme.example.net", .cuid = "cuid-acme", .mid = 7, .cdid = NULL,
     .scope = "{\"target-prefix\":[\"198.51.100.0/25\"],\"lifetime\":3600}", .profile = "standard", .lifetime = 3600,
     .status = SCRUB_STORE_ACTIVE, .created_at = 1700000100, .triggered_at = 1700000101, .expires_at = 1700003700,
     .boot_id = "5e1f0c2a-0000-4000-8000-000000000001", .expires_boottime_ms = 987654321, .terminating_s = 240},
    {.identity = "gw.example.net", .cuid = "cuid-gw", .mid = 4294967295, .cdid = "cdid-site-3",
     .scope = "{\"target-prefix\":[\"2001:db8:b::/64\"],\"trigger-mitigation\":false}", .profile = "standard",
     .lifetime = SCRUB_STORE_LIFETIME_INDEFINITE, .status = SCRUB_STORE_REQUESTED, .created_at = 1700000200,
     .triggered_at = 0, .expires_at = 0, .boot_id = "", .expires_boottime_ms = 0},
};

static int check_mitigation(void *ctx, const struct scrub_store_mitigation *m)
{
    struct walk *w = ctx;
    assert_true(w->seen < 2);
    const struct scrub_store_mitigation *e = &mitigations[w->seen++];
    assert_string_equal(m->identity, e->identity);
    assert_string_equal(m->cuid, e->cuid);
    assert_int_equal(m->mid, e->mid);
    assert_str_or_null(m->cdid, e->cdid);
    assert_string_equal(m->scope, e->scope);
    assert_string_equal(m->profile, e->profile);
    assert_int_equal(m->lifetime, e->lifetime);
    assert_int_equal(m->status, e->status);
    assert_int_equal(m->created_at, e->created_at);
    assert_int_equal(m->triggered_at, e->triggered_at);
    assert_int_equal(m->expires_at, e->expires_at);
    assert_string_equal(m->boot_id, e->boot_id);
    assert_int_equal(m->expires_boottime_ms, e->expires_boottime_ms);
    assert_int_equal(m->terminating_s, e->terminating_s);
    return 0;
}

static const struct scrub_store_acl acls[] = {
    {.cuid = "cuid-acme", .name = "block-ntp", .position = 1, .activation = SCRUB_STORE_ACTIVATE_IMMEDIATE,
     .body = "{\"name\":\"block-ntp\",\"type\":\"ipv4-acl-type\"}", .expires_at = 1700010000, .updated_at = 17},
    {.cuid = "cuid-acme", .name = "allow-dns", .position = 2, .activation = SCRUB_STORE_ACTIVATE_WHEN_MITIGATING,
     .body = "{\"name\":\"allow-dns\"}", .expires_at = 0, .updated_at = 18},
    {.cuid = "cuid-acme", .name = "parked", .position = 3, .activation = SCRUB_STORE_DEACTIVATE, .body = "{}",
     .expires_at = 0, .updated_at = 19},
};

static int check_acl(void *ctx, const struct scrub_store_acl *a)
{
    struct walk *w = ctx;
    assert_true(w->seen < 3);
    const struct scrub_store_acl *e = &acls[w->seen++];
    assert_string_equal(a->cuid, e->cuid);
    assert_string_equal(a->name, e->name);
    assert_int_equal(a->position, e->position);
    assert_int_equal(a->activation, e->activation);
    assert_string_equal(a->body, e->body);
    assert_int_equal(a->expires_at, e->expires_at);
    assert_int_equal(a->updated_at, e->updated_at);
    return 0;
}

static int check_alias(void *ctx, const struct scrub_store_alias *a)
{
    struct walk *w = ctx;
    w->seen++;
    assert_string_equal(a->cuid, "cuid-acme");
    assert_string_equal(a->name, "web-servers");
    assert_string_equal(a->body, "{\"target-prefix\":[\"198.51.100.10/32\"]}");
    assert_int_equal(a->expires_at, 1700020000);
    assert_int_equal(a->updated_at, 21);
    return 0;
}

static int check_config(void *ctx, const struct scrub_store_session_config *c)
{
    struct walk *w = ctx;
    w->seen++;
    assert_string_equal(c->identity, "acme.example.net");
    assert_int_equal(c->sid, 123);
    assert_string_equal(c->body, "{\"heartbeat-interval\":30}");
    assert_int_equal(c->updated_at, 22);
    return 0;
}

static const struct scrub_store_source sources[] = {
    {.tenant = "acme", .address = "192.0.2.1", .action = SCRUB_STORE_SOURCE_DROP, .policer = NULL, .updated_at = 1},
    {.tenant = "acme", .address = "2001:db8::9", .action = SCRUB_STORE_SOURCE_POLICE, .policer = "slow",
     .updated_at = 2},
    {.tenant = "beta", .address = "192.0.2.1", .action = SCRUB_STORE_SOURCE_ACCEPT, .policer = NULL, .updated_at = 3},
};

static int check_source(void *ctx, const struct scrub_store_source *e)
{
    struct walk *w = ctx;
    assert_true(w->seen < 3);
    const struct scrub_store_source *x = &sources[w->seen++];
    assert_string_equal(e->tenant, x->tenant);
    assert_string_equal(e->address, x->address);
    assert_int_equal(e->action, x->action);
    assert_str_or_null(e->policer, x->policer);
    assert_int_equal(e->updated_at, x->updated_at);
    return 0;
}

static int check_audit(void *ctx, const struct scrub_store_audit *a)
{
    struct walk *w = ctx;
    w->seen++;
    assert_int_equal(a->id, (int64_t)w->seen);
    assert_int_equal(a->at_ms, 1700000000123);
    assert_int_equal(a->who_kind, w->seen == 1 ? SCRUB_STORE_WHO_CERTIFICATE : SCRUB_STORE_WHO_LOCAL_USER);
    assert_string_equal(a->who, w->seen == 1 ? "acme.example.net" : "alice");
    assert_int_equal(a->channel, w->seen == 1 ? SCRUB_STORE_CHANNEL_SIGNAL : SCRUB_STORE_CHANNEL_CONTROL);
    assert_string_equal(a->what, w->seen == 1 ? "mitigation put cuid=cuid-acme mid=7" : "client add beta");
    assert_string_equal(a->result, w->seen == 1 ? "ok" : "refused: quota");
    return 0;
}

static void write_everything(struct fixture *f)
{
    struct scrub_store_client c = {
        .identity = "acme.example.net", .profile = "strict", .quotas = {10, 20, 30, 40, 5},
        .prefixes = acme_prefixes, .n_prefixes = 2, .created_at = 1700000000,
    };
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_client_add(f->s, &c, &f->err));
    for (size_t i = 0; i < 2; i++)
        OK(scrub_store_mitigation_put(f->s, &mitigations[i], &f->err));
    /* Put in reverse order: the walk orders by position. */
    for (size_t i = 3; i-- > 0;)
        OK(scrub_store_acl_put(f->s, &acls[i], &f->err));
    struct scrub_store_alias al = {.cuid = "cuid-acme", .name = "web-servers",
                                   .body = "{\"target-prefix\":[\"198.51.100.10/32\"]}", .expires_at = 1700020000,
                                   .updated_at = 21};
    OK(scrub_store_alias_put(f->s, &al, &f->err));
    struct scrub_store_session_config sc = {.identity = "acme.example.net", .sid = 123,
                                            .body = "{\"heartbeat-interval\":30}", .updated_at = 22};
    OK(scrub_store_session_config_put(f->s, &sc, &f->err));
    for (size_t i = 0; i < 3; i++)
        OK(scrub_store_source_put(f->s, &sources[i], &f->err));
    struct scrub_store_audit a1 = {.at_ms = 1700000000123, .who_kind = SCRUB_STORE_WHO_CERTIFICATE,
                                   .who = "acme.example.net", .channel = SCRUB_STORE_CHANNEL_SIGNAL,
                                   .what = "mitigation put cuid=cuid-acme mid=7", .result = "ok"};
    struct scrub_store_audit a2 = {.at_ms = 1700000000123, .who_kind = SCRUB_STORE_WHO_LOCAL_USER, .who = "alice",
                                   .channel = SCRUB_STORE_CHANNEL_CONTROL, .what = "client add beta",
                                   .result = "refused: quota"};
    OK(scrub_store_audit_append(f->s, &a1, &f->err));
    OK(scrub_store_audit_append(f->s, &a2, &f->err));
    OK(scrub_store_commit(f->s, &f->err));
}

static void every_record_round_trips(void **state)
{
    struct fixture *f = *state;
    write_everything(f);
    reopen(f);
    struct walk w = {0};
    OK(scrub_store_clients_each(f->s, check_client, &w, &f->err));
    assert_int_equal(w.seen, 1);
    w.seen = 0;
    OK(scrub_store_mitigations_each(f->s, NULL, check_mitigation, &w, &f->err));
    assert_int_equal(w.seen, 2);
    w.seen = 1;
    assert_int_equal(scrub_store_mitigation_get(f->s, "cuid-gw", 4294967295, check_mitigation, &w, &f->err), 1);
    assert_int_equal(scrub_store_mitigation_get(f->s, "cuid-gw", 1, check_mitigation, &w, &f->err), 0);
    w.seen = 0;
    OK(scrub_store_acls_each(f->s, "cuid-acme", check_acl, &w, &f->err));
    assert_int_equal(w.seen, 3);
    w.seen = 0;
    OK(scrub_store_aliases_each(f->s, NULL, check_alias, &w, &f->err));
    assert_int_equal(w.seen, 1);
    w.seen = 0;
    OK(scrub_store_session_configs_each(f->s, check_config, &w, &f->err));
    assert_int_equal(w.seen, 1);
    w.seen = 0;
    OK(scrub_store_sources_each(f->s, NULL, check_source, &w, &f->err));
    assert_int_equal(w.seen, 3);
    w.seen = 0;
    OK(scrub_store_audit_each(f->s, 0, 0, check_audit, &w, &f->err));
    assert_int_equal(w.seen, 2);
    w.seen = 1;
    OK(scrub_store_audit_each(f->s, 1, 5, check_audit, &w, &f->err));
    assert_int_equal(w.seen, 2);
    char owner[64];
    assert_int_equal(scrub_store_cuid_owner(f->s, "cuid-gw", owner, sizeof(owner), &f->err), 1);
    assert_string_equal(owner, "gw.example.net");
}

static int count_mitigation(void *ctx, const struct scrub_store_mitigation *m)
{
    (void)m;
    (*(int *)ctx)++;
    return 0;
}

static void updates_and_deletes_round_trip(void **state)
{
    struct fixture *f = *state;
    write_everything(f);
    OK(scrub_store_begin(f->s, &f->err));
    /* Same mid, new scope and status: an update, not a second row. */
    struct scrub_store_mitigation m = mitigations[0];
    m.scope = "{\"target-prefix\":[\"198.51.100.0/24\"]}";
    m.status = SCRUB_STORE_WITHDRAWN;
    OK(scrub_store_mitigation_put(f->s, &m, &f->err));
    const char *const one[] = {"203.0.113.0/24"};
    struct scrub_store_client c = {.identity = "acme.example.net", .profile = "standard", .quotas = {1, 2, 3, 4, 5},
                                   .prefixes = one, .n_prefixes = 1, .created_at = 99};
    OK(scrub_store_client_update(f->s, &c, &f->err));
    OK(scrub_store_acl_delete(f->s, "cuid-acme", "allow-dns", &f->err));
    OK(scrub_store_alias_delete(f->s, "cuid-acme", "web-servers", &f->err));
    OK(scrub_store_session_config_delete(f->s, "acme.example.net", &f->err));
    /* Found however the address is written. */
    OK(scrub_store_source_delete(f->s, "acme", "2001:DB8:0::9", &f->err));
    OK(scrub_store_mitigation_delete(f->s, "cuid-gw", 4294967295, &f->err));
    OK(scrub_store_commit(f->s, &f->err));
    reopen(f);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM mitigation"), 1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM mitigation WHERE status = 'withdrawn'"
                                                 " AND scope = '{\"target-prefix\":[\"198.51.100.0/24\"]}'"),
                     1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT quota_mitigations FROM client"), 1);
    /* An update keeps the creation time. */
    assert_int_equal(store_test_sql_int(f->path, "SELECT created_at FROM client"), 1700000000);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM client_prefix"), 1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_acl"), 2);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM data_alias"), 0);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM session_config"), 0);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM source_entry"), 2);
    /* Removing a client takes its prefixes with it. */
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_client_remove(f->s, "acme.example.net", &f->err));
    OK(scrub_store_commit(f->s, &f->err));
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM client_prefix"), 0);
    int n = 0;
    OK(scrub_store_mitigations_each(f->s, "cuid-acme", count_mitigation, &n, &f->err));
    assert_int_equal(n, 1);
}

/* --- Refusals. */

static void refusals_name_the_record_and_reason(void **state)
{
    struct fixture *f = *state;
    write_everything(f);
    struct scrub_store_client dup = {.identity = "acme.example.net", .profile = "strict"};
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_client_add(f->s, &dup, &f->err), "add client 'acme.example.net'",
                   "UNIQUE constraint failed: client.identity");
    assert_int_equal(f->err.code, EEXIST);

    const char *const bad[] = {"198.51.100.0/33"};
    struct scrub_store_client c = {.identity = "new.example.net", .profile = "strict", .prefixes = bad,
                                   .n_prefixes = 1};
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_client_add(f->s, &c, &f->err), "owned prefix 1 '198.51.100.0/33'",
                   "rolled back");

    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_client_remove(f->s, "nobody", &f->err), "remove client 'nobody'",
                   "no such client");

    struct scrub_store_mitigation m = mitigations[0];
    m.identity = "mallory.example.net";
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_mitigation_put(f->s, &m, &f->err), "put mitigation (cuid 'cuid-acme', mid 7)",
                   "cuid 'cuid-acme' belongs to identity 'acme.example.net', not 'mallory.example.net'");
    assert_int_equal(f->err.code, EPERM);

    m = mitigations[0];
    m.lifetime = 0;
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_mitigation_put(f->s, &m, &f->err), "CHECK constraint failed: mitigation_lifetime",
                   NULL);
    m = mitigations[0];
    m.expires_at = 0;
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_mitigation_put(f->s, &m, &f->err), "mitigation_expiry_iff_finite", NULL);
    m = mitigations[0];
    m.scope = "{\"target-prefix\":";
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_mitigation_put(f->s, &m, &f->err), "mitigation_scope_json", NULL);
    m = mitigations[0];
    m.mid = -1;
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_mitigation_put(f->s, &m, &f->err), "mitigation_mid_range", NULL);
    m = mitigations[0];
    m.status = (enum scrub_store_mitigation_status)9;
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_mitigation_put(f->s, &m, &f->err), "status 9 is not a mitigation status", NULL);

    struct scrub_store_acl a = acls[0];
    a.cuid = "cuid-nobody";
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_acl_put(f->s, &a, &f->err), "put ACL 'block-ntp' of cuid 'cuid-nobody'",
                   "not claimed by any identity");
    struct scrub_store_alias al = {.cuid = "cuid-acme", .name = "", .body = "{}", .updated_at = 1};
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_alias_put(f->s, &al, &f->err), "data_alias_name_empty", NULL);

    struct scrub_store_source e = {.tenant = "acme", .address = "192.0.2.300", .action = SCRUB_STORE_SOURCE_DROP};
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_source_put(f->s, &e, &f->err), "'192.0.2.300' is not an IPv4 or IPv6 address",
                   NULL);
    e.address = "192.0.2.3";
    e.action = SCRUB_STORE_SOURCE_POLICE;
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_source_put(f->s, &e, &f->err), "source_entry_policer_iff_police", NULL);

    /* A cuid in use cannot be released. */
    OK(scrub_store_begin(f->s, &f->err));
    assert_refused(f, scrub_store_cuid_release(f->s, "cuid-acme", &f->err), "release cuid 'cuid-acme'",
                   "still named by 1 mitigations, 3 ACLs and 1 aliases");

    /* Writing needs a transaction; a second begin is refused. */
    assert_int_equal(scrub_store_mitigation_put(f->s, &mitigations[0], &f->err), -1);
    assert_non_null(strstr(f->err.msg, "no transaction is open"));
    OK(scrub_store_begin(f->s, &f->err));
    assert_int_equal(scrub_store_begin(f->s, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "a transaction is already open"));
    scrub_store_rollback(f->s);

    /* None of it changed the store. */
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM client"), 1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM mitigation WHERE lifetime = 3600"), 1);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM source_entry"), 3);
}

/* --- Rollback. */

static void a_failure_rolls_back_the_whole_transaction(void **state)
{
    struct fixture *f = *state;
    const char *const p[] = {"203.0.113.0/24"};
    struct scrub_store_client c = {.identity = "beta.example.net", .profile = "strict", .prefixes = p,
                                   .n_prefixes = 1};
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_client_add(f->s, &c, &f->err));
    OK(scrub_store_mitigation_put(f->s, &mitigations[0], &f->err));
    struct scrub_store_audit a = {.at_ms = 1, .who_kind = SCRUB_STORE_WHO_DAEMON, .who = "scrubd",
                                  .channel = SCRUB_STORE_CHANNEL_CONFIG, .what = "x", .result = "ok"};
    OK(scrub_store_audit_append(f->s, &a, &f->err));
    struct scrub_store_mitigation bad = mitigations[1];
    bad.lifetime = -7;
    assert_refused(f, scrub_store_mitigation_put(f->s, &bad, &f->err), "mitigation_lifetime", "rolled back");
    /* Nothing of the group is there, nor can the caller go on writing into it. */
    assert_int_equal(scrub_store_audit_append(f->s, &a, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "no transaction is open"));
    reopen(f);
    static const char *const tables[] = {"client", "client_prefix", "cuid", "mitigation", "audit"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(store_test_sql_int(f->path, sql), 0);
    }
    /* An explicit rollback leaves nothing either; the next transaction works. */
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_client_add(f->s, &c, &f->err));
    scrub_store_rollback(f->s);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM client"), 0);
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_client_add(f->s, &c, &f->err));
    OK(scrub_store_commit(f->s, &f->err));
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM client"), 1);
}

/* Another connection holding the write lock: begin waits the busy
 * timeout, then fails saying the database is locked. */
static void a_held_lock_is_reported_after_the_busy_timeout(void **state)
{
    struct fixture *f = *state;
    reopen(f);
    scrub_store_close(f->s);
    f->s = scrub_store_open(f->path, 50, &f->err);
    assert_non_null(f->s);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(scrub_store_begin(f->s, &f->err), -1);
    print_message("refused: %s\n", f->err.msg);
    assert_non_null(strstr(f->err.msg, "begin: database is locked"));
    assert_int_equal(f->err.code, EBUSY);
    assert_false(scrub_store_in_transaction(f->s));
    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    /* Released: claiming and releasing a cuid works again. */
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_cuid_claim(f->s, "cuid-x", "x.example.net", 1, &f->err));
    OK(scrub_store_cuid_claim(f->s, "cuid-x", "x.example.net", 2, &f->err));
    OK(scrub_store_commit(f->s, &f->err));
    OK(scrub_store_begin(f->s, &f->err));
    OK(scrub_store_cuid_release(f->s, "cuid-x", &f->err));
    OK(scrub_store_commit(f->s, &f->err));
    char owner[64];
    assert_int_equal(scrub_store_cuid_owner(f->s, "cuid-x", owner, sizeof(owner), &f->err), 0);
}

/* --- Versions. */

static void a_version_1_file_migrates_forward(void **state)
{
    struct fixture *f = *state;
    scrub_store_close(f->s);
    f->s = NULL;
    const char *v1 = store_test_path(f->dir, "v1.db");
    char path[1024];
    snprintf(path, sizeof(path), "%s", v1);
    /* What a version-1 scrubd left: its schema and some of its records. */
    store_test_sql_exec(path, "PRAGMA journal_mode = WAL");
    store_test_sql_exec(path, store_migrations[0].sql);
    store_test_sql_exec(path,
                        "PRAGMA user_version = 1;"
                        "INSERT INTO client VALUES ('old.example.net', 'standard', 1, 2, 3, 4, 5, 1600000000);"
                        "INSERT INTO client_prefix VALUES ('old.example.net', '192.0.2.0/24');"
                        "INSERT INTO cuid VALUES ('cuid-old', 'old.example.net', 1600000000);"
                        "INSERT INTO mitigation VALUES ('cuid-old', 3, 'old.example.net', NULL, '{}', 'standard',"
                        " -1, 'active', 1600000001, 1600000001, NULL, '', NULL);"
                        "INSERT INTO audit (at_ms, who_kind, who, channel, what, result)"
                        " VALUES (1, 'local-user', 'root', 'control', 'client add', 'ok');");
    assert_int_equal(store_test_sql_int(path, "PRAGMA user_version"), 1);
    struct scrub_store *s = scrub_store_open(path, 1000, &f->err);
    if (!s)
        fail_msg("%s", f->err.msg);
    assert_int_equal(store_test_sql_int(path, "PRAGMA user_version"), scrub_store_schema_version());
    assert_true(scrub_store_schema_version() >= 2);
    /* The old records are there, and the new tables take records. */
    int n = 0;
    assert_int_equal(scrub_store_mitigations_each(s, "cuid-old", count_mitigation, &n, &f->err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_test_sql_int(path, "SELECT count(*) FROM audit"), 1);
    assert_int_equal(scrub_store_begin(s, &f->err), 0);
    struct scrub_store_acl a = {.cuid = "cuid-old", .name = "a", .position = 1, .body = "{}", .updated_at = 1};
    if (scrub_store_acl_put(s, &a, &f->err))
        fail_msg("%s", f->err.msg);
    assert_int_equal(scrub_store_commit(s, &f->err), 0);
    scrub_store_close(s);
    /* Reopening at the current version changes nothing. */
    s = scrub_store_open(path, 1000, &f->err);
    assert_non_null(s);
    scrub_store_close(s);
    assert_int_equal(store_test_sql_int(path, "SELECT count(*) FROM data_acl"), 1);
}

static void a_newer_database_is_refused(void **state)
{
    struct fixture *f = *state;
    scrub_store_close(f->s);
    f->s = NULL;
    store_test_sql_exec(f->path, "PRAGMA user_version = 99");
    assert_null(scrub_store_open(f->path, 1000, &f->err));
    char want[160];
    snprintf(want, sizeof(want), "schema version 99, newer than this scrubd's version %d",
             scrub_store_schema_version());
    if (!strstr(f->err.msg, want) || !strstr(f->err.msg, f->path))
        fail_msg("refusal '%s' lacks '%s' or the path", f->err.msg, want);
    assert_int_equal(f->err.code, EPROTO);
    /* And left untouched. */
    assert_int_equal(store_test_sql_int(f->path, "PRAGMA user_version"), 99);
    assert_int_equal(store_test_sql_int(f->path, "SELECT count(*) FROM mitigation"), 0);
}

static void a_foreign_database_is_refused(void **state)
{
    struct fixture *f = *state;
    char path[1024];
    snprintf(path, sizeof(path), "%s", store_test_path(f->dir, "other.db"));
    store_test_sql_exec(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    assert_null(scrub_store_open(path, 1000, &f->err));
    assert_non_null(strstr(f->err.msg, "not a scrubd store"));
    /* Refused before anything was written: still in its own journal mode. */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "delete");
    sqlite3_finalize(st);
    sqlite3_close(db);
    FILE *junk = fopen(store_test_path(f->dir, "junk.db"), "w");
    fputs("this is not a database, not even SQLite's kind of one, and long enough to have a header\n", junk);
    fclose(junk);
    snprintf(path, sizeof(path), "%s", store_test_path(f->dir, "junk.db"));
    assert_null(scrub_store_open(path, 1000, &f->err));
    assert_non_null(strstr(f->err.msg, "file is not a database"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_record_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(updates_and_deletes_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_name_the_record_and_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failure_rolls_back_the_whole_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(a_held_lock_is_reported_after_the_busy_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(a_version_1_file_migrates_forward, setup, teardown),
        cmocka_unit_test_setup_teardown(a_newer_database_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_foreign_database_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
