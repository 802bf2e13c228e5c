/* The data channel's ACLs through the core API (scrub_core.h, last
 * section) on the card model with a store in a temporary directory: the
 * entries on the card and their order, activation types following
 * mitigations, tenant safety, quota and card-full refusals (nothing
 * stored), a run-time client's scope, per-ACE counters, delete,
 * pending-lifetime and expiry, a restart that writes nothing, and the
 * accept-list conflicts of a mitigation. */
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
#include "scrub_hal_exec.h"
#include "scrub_hal_model.h"

/* The model behind the HAL, counting table writes, which can be made to
 * fail. */
struct counting {
    struct scrub_model *m;
    unsigned table_cmds;
    bool fail;
};

static bool c_read(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err)
{
    (void)err;
    *value = scrub_model_read(((struct counting *)ctx)->m, addr);
    return true;
}

static bool c_write(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    struct counting *k = ctx;
    if (addr == SCRUB_REG_TBL_CMD && value != SCRUB_CMD_READ) {
        if (k->fail) {
            scrub_err_set(err, EIO, "card: table command refused");
            return false;
        }
        k->table_cmds++;
    }
    scrub_model_write(k->m, addr, value);
    return true;
}

static bool c_wait(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
    return false;
}

static int c_run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct scrub_hal_regs regs = {.read = c_read, .write = c_write, .wait = c_wait, .ctx = ctx};
    return scrub_hal_exec(&regs, "counting model", t, err);
}

static void c_close(void *ctx)
{
    (void)ctx;
}

static const struct scrub_hal_backend counting_backend = {.name = "counting", .run = c_run, .close = c_close};

struct fixture {
    char dir[64], path[128];
    struct scrub_model *model;
    struct counting counting;
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

static void start_core(struct fixture *f)
{
    struct scrub_err err = {0};
    struct scrub_core_options opt = {.clock = test_clock, .clock_ctx = &f->now};
    f->store = scrub_store_open(f->path, 1000, &err);
    if (!f->store)
        fail_msg("%s", err.msg);
    f->core = scrub_core_new(f->store, &opt, &err);
    assert_non_null(f->core);
    if (scrub_core_set_config(f->core, &f->cfg, &err))
        fail_msg("%s", err.msg);
    if (scrub_core_attach(f->core, f->hal, NULL, &err))
        fail_msg("%s", err.msg);
}

static void stop_core(struct fixture *f)
{
    scrub_core_free(f->core);
    scrub_store_close(f->store);
    f->core = NULL;
    f->store = NULL;
}

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
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_data_acls.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    assert_non_null(f->model = scrub_model_new(&params));
    f->counting.m = f->model;
    f->hal = scrub_hal_attach(&counting_backend, &f->counting, &err);
    if (!f->hal)
        fail_msg("%s", err.msg);
    if (scrub_config_load(DEMO_JSON, NULL, &f->cfg, &err))
        fail_msg("%s", err.msg);
    f->now = (struct scrub_core_clock){.wall_s = 1800000000, .boottime_ms = 5000000, .boot_id = "boot-1"};
    start_core(f);
    register_cuid(f, "cuid-acme", "acme");
    register_cuid(f, "cuid-globex", "globex");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    stop_core(f);
    scrub_config_free(&f->cfg);
    scrub_hal_close(f->hal);
    scrub_model_free(f->model);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* drop DNS answers to one host, rate-limit TCP to 1 MB/s. */
static const char ACL_WEB[] =
    "{\"name\":\"web\",\"activation-type\":\"immediate\",\"aces\":{\"ace\":["
    "{\"name\":\"no-dns\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":\"198.51.100.10/32\"},"
    "\"udp\":{\"source-port-range-or-operator\":{\"operator\":\"eq\",\"port\":53}}},"
    "\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}},"
    "{\"name\":\"tcp-limit\",\"matches\":{\"tcp\":{\"destination-port-range-or-operator\":{\"operator\":\"neq\","
    "\"port\":22}}},\"actions\":{\"forwarding\":\"ietf-access-control-list:accept\",\"rate-limit\":\"1000000.00\"}}"
    "]}}";

static char *acl_json(const char *name, const char *activation, const char *dst)
{
    static char buf[8][600];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, 600,
             "{\"name\":\"%s\",\"activation-type\":\"%s\",\"aces\":{\"ace\":[{\"name\":\"a1\",\"matches\":{\"ipv4\":"
             "{\"destination-ipv4-network\":\"%s\",\"protocol\":17}},\"actions\":{\"forwarding\":"
             "\"ietf-access-control-list:drop\"}}]}}",
             name, activation, dst);
    return b;
}

static int put(struct fixture *f, const struct scrub_actor *a, const char *cuid, bool create, const char *acl,
               struct scrub_err *err)
{
    const char *acls[1] = {acl};
    struct scrub_data_acls_req r = {.cuid = cuid, .acls = acls, .n_acls = 1, .create = create};
    return scrub_core_data_acls_put(f->core, a, &r, NULL, err);
}

static void put_ok(struct fixture *f, const char *cuid, const char *acl)
{
    struct scrub_err err = {0};
    if (put(f, &operator, cuid, true, acl, &err))
        fail_msg("%s", err.msg);
}

/* The card's ACL entries that match tenant, in index order. */
static size_t tenant_entries(struct fixture *f, uint16_t tenant, struct scrub_acl_entry *out, size_t cap)
{
    const struct card_image *img = scrub_core_image(f->core);
    size_t n = 0;
    for (uint32_t i = 0; i < img->caps.acl; i++)
        if (img->acl[i].valid && img->acl[i].tenant_mask == 0xffff && img->acl[i].tenant_value == tenant) {
            if (n < cap)
                out[n] = img->acl[i];
            n++;
        }
    return n;
}

/* The index of the first ACL entry that matches a profile. */
static uint32_t first_profile_entry(struct fixture *f)
{
    const struct card_image *img = scrub_core_image(f->core);
    for (uint32_t i = 0; i < img->caps.acl; i++)
        if (img->acl[i].valid && img->acl[i].profile_mask)
            return i;
    return UINT32_MAX;
}

static uint32_t last_tenant_entry(struct fixture *f)
{
    const struct card_image *img = scrub_core_image(f->core);
    uint32_t last = 0;
    for (uint32_t i = 0; i < img->caps.acl; i++)
        if (img->acl[i].valid && img->acl[i].tenant_mask)
            last = i;
    return last;
}

struct listing {
    size_t n;
    char names[8][64];
    bool installed[8];
    enum scrub_store_activation activation[8];
    struct scrub_data_ace_view aces[8];
    size_t n_aces;
};

static int list_cb(void *ctx, const struct scrub_data_acl_view *v)
{
    struct listing *l = ctx;
    if (l->n < 8) {
        snprintf(l->names[l->n], 64, "%s", v->name);
        l->installed[l->n] = v->installed;
        l->activation[l->n] = v->activation;
    }
    l->n++;
    for (size_t k = 0; k < v->n_aces && l->n_aces < 8; k++)
        l->aces[l->n_aces++] = v->aces[k];
    return 0;
}

static struct listing list(struct fixture *f, const char *cuid, bool counters)
{
    struct listing l = {0};
    struct scrub_err err = {0};
    if (scrub_core_data_acls_each(f->core, cuid, NULL, counters, list_cb, &l, &err))
        fail_msg("%s", err.msg);
    return l;
}

static void test_install_and_order(void **state)
{
    struct fixture *f = *state;
    uint32_t profile_before = first_profile_entry(f);
    put_ok(f, "cuid-acme", ACL_WEB);
    struct scrub_acl_entry e[8];
    /* no-dns: 1 entry; tcp-limit: neq 22 gives 2. */
    assert_int_equal(tenant_entries(f, 1, e, 8), 3);
    assert_int_equal(e[0].action, SCRUB_ACTION_DROP);
    assert_int_equal(e[0].proto_value, 17);
    assert_int_equal(e[0].sport_lo, 53);
    assert_int_equal(e[1].action, SCRUB_ACTION_POLICE);
    assert_int_equal(e[1].dport_hi, 21);
    assert_int_equal(e[2].dport_lo, 23);
    assert_int_equal(e[1].policer, e[2].policer);
    const struct card_image *img = scrub_core_image(f->core);
    assert_int_equal(img->policers[e[1].policer].rate, 1000000);
    assert_int_equal(img->policers[e[1].policer].burst, 100000);
    assert_false(img->policers[e[1].policer].packets);
    /* Before every profile's rules. */
    assert_int_equal(first_profile_entry(f), profile_before + 3);
    assert_true(last_tenant_entry(f) < first_profile_entry(f));

    /* A second ACL goes after; replacing the first keeps its place. */
    put_ok(f, "cuid-acme", acl_json("second", "immediate", "198.51.100.20/32"));
    const char *acls[1] = {acl_json("web", "immediate", "198.51.100.30/32")};
    struct scrub_data_acls_req r = {.cuid = "cuid-acme", .acls = acls, .n_acls = 1};
    struct scrub_data_acls_result res;
    struct scrub_err err = {0};
    if (scrub_core_data_acls_put(f->core, &acme, &r, &res, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(res.replaced, 1);
    assert_int_equal(res.created, 0);
    assert_int_equal(tenant_entries(f, 1, e, 8), 2);
    struct scrub_prefix p30, p20;
    assert_true(scrub_prefix_parse("198.51.100.30/32", &p30));
    assert_true(scrub_prefix_parse("198.51.100.20/32", &p20));
    assert_true(scrub_addr_eq(&e[0].dst_value, &p30.addr));
    assert_true(scrub_addr_eq(&e[1].dst_value, &p20.addr));
    struct listing l = list(f, "cuid-acme", false);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.names[0], "web");
    assert_string_equal(l.names[1], "second");
    /* POST of an existing one is refused. */
    assert_int_equal(put(f, &acme, "cuid-acme", true, acls[0], &err), -1);
    assert_int_equal(err.code, EEXIST);
    assert_string_equal(err.msg, "ACL 'web' of dots-client 'cuid-acme' exists already");
}

static void test_activation_follows_mitigations(void **state)
{
    struct fixture *f = *state;
    struct scrub_acl_entry e[4];
    put_ok(f, "cuid-acme", acl_json("later", "activate-when-mitigating", "198.51.100.40/32"));
    put_ok(f, "cuid-acme", acl_json("never", "deactivate", "198.51.100.41/32"));
    assert_int_equal(tenant_entries(f, 1, e, 4), 0);
    struct listing l = list(f, "cuid-acme", false);
    assert_false(l.installed[0]);

    struct scrub_prefix p;
    assert_true(scrub_prefix_parse("198.51.100.0/26", &p));
    struct scrub_mitigation_req m = {.identity = "acme", .cuid = "cuid-acme", .mid = 1, .prefixes = &p,
                                     .n_prefixes = 1, .lifetime = 600, .trigger = true};
    struct scrub_err err = {0};
    if (scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(tenant_entries(f, 1, e, 4), 1);
    struct scrub_prefix p40;
    assert_true(scrub_prefix_parse("198.51.100.40/32", &p40));
    assert_true(scrub_addr_eq(&e[0].dst_value, &p40.addr));
    l = list(f, "cuid-acme", false);
    assert_true(l.installed[0]);
    assert_false(l.installed[1]);
    /* Another client's mitigation does not switch acme's ACL. */
    if (scrub_core_mitigation_withdraw(f->core, &acme, "cuid-acme", 1, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(tenant_entries(f, 1, e, 4), 0);
    put_ok(f, "cuid-globex", acl_json("g", "activate-when-mitigating", "203.0.113.9/32"));
    assert_true(scrub_prefix_parse("203.0.113.0/25", &p));
    m = (struct scrub_mitigation_req){.identity = "globex", .cuid = "cuid-globex", .mid = 1, .prefixes = &p,
                                      .n_prefixes = 1, .lifetime = 600, .trigger = true};
    if (scrub_core_mitigation_put(f->core, &globex, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(tenant_entries(f, 1, e, 4), 0);
    assert_int_equal(tenant_entries(f, 2, e, 4), 1);
}

/* RFC 9133: a mitigation request's acl-list switches ACLs of its cuid in
 * the same commit; refusals change nothing. */
static void test_acl_list(void **state)
{
    struct fixture *f = *state;
    struct scrub_acl_entry e[4];
    struct scrub_err err = {0};
    put_ok(f, "cuid-acme", acl_json("later", "activate-when-mitigating", "198.51.100.40/32"));
    put_ok(f, "cuid-acme", acl_json("never", "deactivate", "198.51.100.41/32"));
    put_ok(f, "cuid-globex", acl_json("g", "immediate", "203.0.113.9/32"));
    struct scrub_prefix p;
    assert_true(scrub_prefix_parse("198.51.100.0/26", &p));
    struct scrub_acl_activation switches[] = {{"later", SCRUB_STORE_DEACTIVATE},
                                              {"never", SCRUB_STORE_ACTIVATE_IMMEDIATE}};
    struct scrub_mitigation_req m = {.identity = "acme", .cuid = "cuid-acme", .mid = 1, .prefixes = &p,
                                     .n_prefixes = 1, .lifetime = 600, .trigger = false, .acls = switches,
                                     .n_acls = 2};
    /* idle time: the mitigation would wait for a signal loss */
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err), -1);
    assert_int_equal(err.code, EINVAL);
    assert_non_null(strstr(err.msg, "acl-list in idle time"));
    struct listing l = list(f, "cuid-acme", false);
    assert_int_equal(l.activation[0], SCRUB_STORE_ACTIVATE_WHEN_MITIGATING);
    assert_int_equal(l.activation[1], SCRUB_STORE_DEACTIVATE);
    /* an unknown ACL, one named twice, another cuid's: nothing changes */
    m.trigger = true;
    struct scrub_acl_activation unknown[] = {{"later", SCRUB_STORE_DEACTIVATE}, {"nope", SCRUB_STORE_DEACTIVATE}};
    m.acls = unknown;
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err), -1);
    assert_int_equal(err.code, EINVAL);
    assert_string_equal(err.msg, "acl-list: no ACL 'nope' of dots-client 'cuid-acme' (make it on the data channel "
                                 "first, RFC 8783)");
    struct scrub_acl_activation twice[] = {{"later", SCRUB_STORE_DEACTIVATE}, {"later", SCRUB_STORE_DEACTIVATE}};
    m.acls = twice;
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err), -1);
    assert_string_equal(err.msg, "acl-list: ACL 'later' is named twice");
    struct scrub_prefix gp;
    assert_true(scrub_prefix_parse("203.0.113.0/25", &gp));
    struct scrub_acl_activation acmes[] = {{"later", SCRUB_STORE_ACTIVATE_IMMEDIATE}};
    struct scrub_mitigation_req gm = {.identity = "globex", .cuid = "cuid-globex", .mid = 1, .prefixes = &gp,
                                      .n_prefixes = 1, .lifetime = 600, .trigger = true, .acls = acmes, .n_acls = 1};
    assert_int_equal(scrub_core_mitigation_put(f->core, &globex, &gm, NULL, &err), -1);
    assert_string_equal(err.msg, "acl-list: no ACL 'later' of dots-client 'cuid-globex' (make it on the data channel "
                                 "first, RFC 8783)");
    assert_int_equal(tenant_entries(f, 1, e, 4), 0);
    /* not inside a group of changes */
    m.acls = switches;
    scrub_core_group_begin(f->core);
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err), -1);
    assert_string_equal(err.msg, "acl-list: a request that switches ACLs is not allowed inside a group of changes");
    if (scrub_core_group_end(f->core, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(tenant_entries(f, 1, e, 4), 0);

    /* accepted: while mitigating, "later" is off the card and "never" on */
    if (scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(tenant_entries(f, 1, e, 4), 1);
    struct scrub_prefix p41;
    assert_true(scrub_prefix_parse("198.51.100.41/32", &p41));
    assert_true(scrub_addr_eq(&e[0].dst_value, &p41.addr));
    l = list(f, "cuid-acme", false);
    assert_int_equal(l.activation[0], SCRUB_STORE_DEACTIVATE);
    assert_false(l.installed[0]);
    assert_int_equal(l.activation[1], SCRUB_STORE_ACTIVATE_IMMEDIATE);
    assert_true(l.installed[1]);
    /* durable: after the withdrawal and a restart, "never" stays on */
    if (scrub_core_mitigation_withdraw(f->core, &acme, "cuid-acme", 1, NULL, &err))
        fail_msg("%s", err.msg);
    stop_core(f);
    start_core(f);
    l = list(f, "cuid-acme", false);
    assert_int_equal(l.activation[0], SCRUB_STORE_DEACTIVATE);
    assert_int_equal(l.activation[1], SCRUB_STORE_ACTIVATE_IMMEDIATE);
    assert_int_equal(tenant_entries(f, 1, e, 4), 1);
}

/* A card that refuses the sync: the mitigation and the ACL's activation
 * are both undone in the store. */
static void test_acl_list_card_refuses(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    put_ok(f, "cuid-acme", acl_json("later", "activate-when-mitigating", "198.51.100.40/32"));
    struct scrub_prefix p;
    assert_true(scrub_prefix_parse("198.51.100.0/26", &p));
    struct scrub_acl_activation off[] = {{"later", SCRUB_STORE_DEACTIVATE}};
    struct scrub_mitigation_req m = {.identity = "acme", .cuid = "cuid-acme", .mid = 1, .prefixes = &p,
                                     .n_prefixes = 1, .lifetime = 600, .trigger = true, .acls = off, .n_acls = 1};
    f->counting.fail = true;
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err), -1);
    f->counting.fail = false;
    assert_non_null(strstr(err.msg, "the card refused the change, so it was undone in the store"));
    assert_null(strstr(err.msg, "undoing it failed too"));
    stop_core(f);
    start_core(f);
    struct listing l = list(f, "cuid-acme", false);
    assert_int_equal(l.activation[0], SCRUB_STORE_ACTIVATE_WHEN_MITIGATING);
    assert_false(scrub_core_mitigating(f->core, "acme"));
}

/* Switching a deactivated ACL on counts against the acl_entries quota. */
static void test_acl_list_quota(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix owned;
    assert_true(scrub_prefix_parse("192.0.2.128/25", &owned));
    struct scrub_client_req c = {"initech", "strict", {1, 2, 1, 1, 1}, &owned, 1};
    if (scrub_core_client_add(f->core, &operator, &c, &err))
        fail_msg("%s", err.msg);
    register_cuid(f, "cuid-i", "initech");
    put_ok(f, "cuid-i", acl_json("one", "activate-when-mitigating", "192.0.2.130/32"));
    put_ok(f, "cuid-i", acl_json("off1", "deactivate", "192.0.2.131/32"));
    put_ok(f, "cuid-i", acl_json("off2", "deactivate", "192.0.2.132/32"));
    struct scrub_actor initech = {SCRUB_STORE_WHO_CERTIFICATE, "initech", SCRUB_STORE_CHANNEL_SIGNAL, false};
    struct scrub_acl_activation on[] = {{"off1", SCRUB_STORE_ACTIVATE_IMMEDIATE},
                                        {"off2", SCRUB_STORE_ACTIVATE_IMMEDIATE}};
    struct scrub_mitigation_req m = {.identity = "initech", .cuid = "cuid-i", .mid = 1, .prefixes = &owned,
                                     .n_prefixes = 1, .lifetime = 600, .trigger = true, .acls = on, .n_acls = 2};
    assert_int_equal(scrub_core_mitigation_put(f->core, &initech, &m, NULL, &err), -1);
    assert_int_equal(err.code, EDQUOT);
    assert_string_equal(err.msg, "quota: client 'initech' may have 2 ACL entries (counted on the card, after "
                                 "expansion) and has 1; the ACLs acl-list switches on need 2 more");
    m.n_acls = 1;
    if (scrub_core_mitigation_put(f->core, &initech, &m, NULL, &err))
        fail_msg("%s", err.msg);
    struct listing l = list(f, "cuid-i", false);
    assert_true(l.installed[0] && l.installed[1] && !l.installed[2]);
}

static void test_tenant_safety(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    assert_int_equal(put(f, &acme, "cuid-acme", true, acl_json("steal", "immediate", "203.0.113.0/24"), &err), -1);
    assert_int_equal(err.code, EACCES);
    assert_string_equal(err.msg, "not authorized: ACL 'steal', ACE 'a1': destination 203.0.113.0/24 is not inside "
                                 "the prefixes 'acme' owns (198.51.100.0/24 2001:db8:100::/48)");
    /* Nor on another client's cuid. */
    assert_int_equal(put(f, &acme, "cuid-globex", true, acl_json("x", "immediate", "203.0.113.0/24"), &err), -1);
    assert_int_equal(err.code, EACCES);
    assert_string_equal(err.msg, "not authorized: dots-client 'cuid-globex' belongs to another client");
    assert_int_equal(put(f, &acme, "cuid-none", true, acl_json("x", "immediate", "198.51.100.1/32"), &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_int_equal(list(f, NULL, false).n, 0);
    /* An ACE without a destination is held to the tenant. */
    put_ok(f, "cuid-acme",
           "{\"name\":\"all-udp\",\"activation-type\":\"immediate\",\"aces\":{\"ace\":[{\"name\":\"u\","
           "\"matches\":{\"udp\":{}},\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}}]}}");
    struct scrub_acl_entry e[2];
    assert_int_equal(tenant_entries(f, 1, e, 2), 1);
    assert_int_equal(e[0].tenant_value, 1);
    assert_int_equal(e[0].tenant_mask, 0xffff);
    /* What the card cannot match is refused, naming the leaf. */
    assert_int_equal(put(f, &acme, "cuid-acme", true,
                         "{\"name\":\"ttl\",\"aces\":{\"ace\":[{\"name\":\"t\",\"matches\":{\"ipv4\":{\"ttl\":3}},"
                         "\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}}]}}",
                         &err),
                     -1);
    assert_non_null(strstr(err.msg, "ttl"));
}

static void test_quota(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix owned;
    assert_true(scrub_prefix_parse("192.0.2.128/25", &owned));
    struct scrub_client_req c = {"initech", "strict", {1, 3, 1, 1, 1}, &owned, 1};
    if (scrub_core_client_add(f->core, &operator, &c, &err))
        fail_msg("%s", err.msg);
    register_cuid(f, "cuid-i", "initech");
    put_ok(f, "cuid-i", acl_json("one", "activate-when-mitigating", "192.0.2.130/32"));
    /* neq gives 2 entries: 1 + 2 > 3. A deactivated one does not count. */
    const char *neq = "{\"name\":\"two\",\"aces\":{\"ace\":[{\"name\":\"n\",\"matches\":{\"udp\":{"
                      "\"destination-port-range-or-operator\":{\"operator\":\"neq\",\"port\":80}}},"
                      "\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}},{\"name\":\"m\","
                      "\"matches\":{\"ipv4\":{\"protocol\":1}},\"actions\":{\"forwarding\":"
                      "\"ietf-access-control-list:drop\"}}]}}";
    struct scrub_actor initech = {SCRUB_STORE_WHO_CERTIFICATE, "initech", SCRUB_STORE_CHANNEL_DATA, false};
    assert_int_equal(put(f, &initech, "cuid-i", true, neq, &err), -1);
    assert_int_equal(err.code, EDQUOT);
    assert_string_equal(err.msg, "quota: client 'initech' may have 3 ACL entries (counted on the card, after "
                                 "expansion) and has 1; these ACLs need 3, room left 2");
    assert_int_equal(list(f, "cuid-i", false).n, 1);
    put_ok(f, "cuid-i", acl_json("off", "deactivate", "192.0.2.131/32"));
    put_ok(f, "cuid-i", acl_json("three", "immediate", "192.0.2.132/32"));
    put_ok(f, "cuid-i", acl_json("four", "immediate", "192.0.2.133/32"));
    assert_int_equal(put(f, &initech, "cuid-i", true, acl_json("five", "immediate", "192.0.2.134/32"), &err), -1);
    assert_int_equal(err.code, EDQUOT);
}

/* A run-time client has no peace-time DEST entry: while one of its ACLs
 * is on, its owned prefixes get one of profile 0, and its traffic that no
 * ACE decides is accepted (the card's default aside). */
static void test_runtime_client_scope(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix owned;
    assert_true(scrub_prefix_parse("192.0.2.128/25", &owned));
    struct scrub_client_req c = {"initech", "strict", {1, 10, 1, 1, 1}, &owned, 1};
    if (scrub_core_client_add(f->core, &operator, &c, &err))
        fail_msg("%s", err.msg);
    register_cuid(f, "cuid-i", "initech");
    put_ok(f, "cuid-i", acl_json("later", "activate-when-mitigating", "192.0.2.130/32"));
    const struct card_image *img = scrub_core_image(f->core);
    assert_null(card_image_counter(img, "client initech data-channel scope 192.0.2.128/25"));
    put_ok(f, "cuid-i", acl_json("now", "immediate", "192.0.2.131/32"));
    img = scrub_core_image(f->core);
    const struct scrub_layout_counter *lc = card_image_counter(img, "client initech data-channel scope 192.0.2.128/25");
    assert_non_null(lc);
    bool found = false;
    for (uint32_t i = 0; i < img->dest_extent; i++)
        if (img->dest[i].valid && img->dest[i].counter == lc->index) {
            assert_int_equal(img->dest[i].tenant, 65535);
            assert_int_equal(img->dest[i].profile, 0);
            assert_int_equal(img->dest[i].plen, 96 + 25);
            assert_true(img->dest[i].enable);
            found = true;
        }
    assert_true(found);
    struct scrub_acl_entry e[4];
    assert_int_equal(tenant_entries(f, 65535, e, 4), 2);
    assert_int_equal(e[0].action, SCRUB_ACTION_DROP);
    assert_int_equal(e[1].action, SCRUB_ACTION_ACCEPT);
    assert_int_equal(e[1].profile_mask, 0xff);
    assert_int_equal(e[1].profile_value, 0);
    if (scrub_core_data_acl_delete(f->core, &operator, "cuid-i", "now", &err))
        fail_msg("%s", err.msg);
    assert_null(card_image_counter(scrub_core_image(f->core), "client initech data-channel scope 192.0.2.128/25"));
    assert_int_equal(tenant_entries(f, 65535, e, 4), 0);
}

/* Bodies the data channel would not pass, given to the core directly:
 * each refused with a message, nothing stored (and no crash). */
static void test_bad_bodies(void **state)
{
    struct fixture *f = *state;
    static const char *const bad[][2] = {
        {"[]", "an ACL is not a JSON object"},
        {"{\"aces\":{}}", "an ACL has no name"},
        {"{\"name\":\"x\",\"type\":\"ietf-access-control-list:nope\"}", "ACL 'x': type 'ietf-access-control-list:nope'"},
        {"{\"name\":\"x\",\"activation-type\":\"sometimes\"}", "ACL 'x': activation-type 'sometimes'"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":{}}}", "ACL 'x': aces/ace is not a list"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[7]}}", "ACL 'x': ACE 1 has no name"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"actions\":{\"forwarding\":"
         "\"ietf-access-control-list:drop\"}},{\"name\":\"a\"}]}}",
         "two ACEs are named 'a'"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"ipv4\":null}}]}}",
         "ACL 'x', ACE 'a': ipv4: not an object"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"ipv4\":{\"dscp\":\"64\"}}}]}}",
         "ACL 'x', ACE 'a': dscp: not a number of 0..63"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":1}}}]}}",
         "destination-ipv4-network: not a prefix"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"udp\":{\"source-port-range-or-operator\":"
         "{\"lower-port\":9,\"upper-port\":8}}}}]}}",
         "lower-port is above upper-port"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"ipv4\":{},\"ipv6\":{}}}]}}",
         "a second l3 match"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"matches\":{\"eth\":{}}}]}}",
         "eth: not a match this software knows"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"actions\":{}}]}}", "no forwarding action"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"actions\":{\"forwarding\":"
         "\"ietf-access-control-list:reject\"}}]}}",
         "forwarding 'ietf-access-control-list:reject' is not supported"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"actions\":{\"forwarding\":"
         "\"ietf-access-control-list:drop\",\"rate-limit\":\"10.00\"}}]}}",
         "rate-limit: only valid with forwarding accept"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"actions\":{\"forwarding\":"
         "\"ietf-access-control-list:accept\",\"rate-limit\":\"fast\"}}]}}",
         "rate-limit: not a rate of bytes per second"},
        {"{\"name\":\"x\",\"aces\":{\"ace\":[{\"name\":\"a\",\"actions\":{\"forwarding\":"
         "\"ietf-access-control-list:accept\",\"rate-limit\":\"0.00\"}}]}}",
         "a rate limit of 0 bytes per second is outside the card's"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct scrub_err err = {0};
        assert_int_equal(put(f, &acme, "cuid-acme", true, bad[i][0], &err), -1);
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("%s: got '%s', wanted '%s'", bad[i][0], err.msg, bad[i][1]);
    }
    assert_int_equal(list(f, NULL, false).n, 0);
}

static void test_card_full(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    const struct card_image *img = scrub_core_image(f->core);
    uint32_t room = img->layout.acl.total - img->layout.acl.used;
    /* One ACE per entry, one more than the room. */
    size_t size = 200 + 200 * (room + 1);
    char *body = malloc(size);
    assert_non_null(body);
    int len = snprintf(body, size, "{\"name\":\"big\",\"activation-type\":\"activate-when-mitigating\",\"aces\":"
                                   "{\"ace\":[");
    for (uint32_t i = 0; i <= room; i++)
        len += snprintf(body + len, size - (size_t)len,
                        "%s{\"name\":\"a%u\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":\"198.51.100.%u/32\"}},"
                        "\"actions\":{\"forwarding\":\"ietf-access-control-list:drop\"}}",
                        i ? "," : "", i, i);
    snprintf(body + len, size - (size_t)len, "]}}");
    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    assert_int_equal(put(f, &acme, "cuid-acme", true, body, &err), -1);
    assert_int_equal(err.code, ENOSPC);
    char want[300];
    snprintf(want, sizeof(want),
             "does not fit on the card (room left: %u ACL entries, %u policers, %u counter pairs): the ACL needs %u "
             "entries, the card has 64: the profiles %u, the data channel's ACLs %u",
             room, img->layout.policers.total - img->layout.policers.used,
             img->layout.counter_pairs.total - img->layout.counter_pairs.used, 64 + 1, 64 - room, room + 1);
    assert_string_equal(err.msg, want);
    assert_int_equal(list(f, NULL, false).n, 0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits);
    free(body);
}

static void test_counters_and_delete(void **state)
{
    struct fixture *f = *state;
    put_ok(f, "cuid-acme", ACL_WEB);
    const struct scrub_layout_counter *lc =
        card_image_counter(scrub_core_image(f->core), "client cuid-acme / acl web / ace tcp-limit");
    assert_non_null(lc);
    assert_int_equal(lc->pairs, 1);
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words w = {0};
    struct scrub_counter v = {7, 7000};
    scrub_counter_pack(&v, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, lc->index, w, SCRUB_TABLE_COUNTER_WORDS);
    struct scrub_err err = {0};
    assert_int_equal(scrub_hal_run(f->hal, &t, &err), 0);
    scrub_txn_free(&t);
    struct listing l = list(f, "cuid-acme", true);
    assert_int_equal(l.n_aces, 2);
    assert_string_equal(l.aces[1].name, "tcp-limit");
    assert_true(l.aces[1].counters_known);
    assert_int_equal(l.aces[1].n_entries, 2);
    assert_int_equal(l.aces[1].matched.packets, 7);
    assert_int_equal(l.aces[1].matched.bytes, 7000);
    assert_int_equal(l.aces[0].matched.packets, 0);

    assert_int_equal(scrub_core_data_acl_delete(f->core, &globex, "cuid-acme", "web", &err), -1);
    assert_int_equal(err.code, EACCES);
    if (scrub_core_data_acl_delete(f->core, &acme, "cuid-acme", "web", &err))
        fail_msg("%s", err.msg);
    struct scrub_acl_entry e[2];
    assert_int_equal(tenant_entries(f, 1, e, 2), 0);
    assert_null(card_image_counter(scrub_core_image(f->core), "client cuid-acme / acl web / ace tcp-limit"));
    assert_int_equal(scrub_core_data_acl_delete(f->core, &acme, "cuid-acme", "web", &err), -1);
    assert_int_equal(err.code, ENOENT);
    assert_string_equal(err.msg, "no ACL 'web' of dots-client 'cuid-acme'");
}

static int last_audit_cb(void *ctx, const struct scrub_store_audit *a)
{
    snprintf(ctx, 600, "%s | %s | %s", a->who, a->what, a->result);
    return 0;
}

/* Stored, audited, and a restart next to the programmed card writes
 * nothing. */
static void test_restart_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    const char *acls[2] = {ACL_WEB, acl_json("later", "activate-when-mitigating", "198.51.100.40/32")};
    struct scrub_data_acls_req r = {.cuid = "cuid-acme", .acls = acls, .n_acls = 2, .create = true};
    if (scrub_core_data_acls_put(f->core, &acme, &r, NULL, &err))
        fail_msg("%s", err.msg);
    char audit[600];
    if (scrub_store_audit_each(f->store, 0, 0, last_audit_cb, audit, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(audit, "acme | data-channel acl create cuid=cuid-acme acls=2 names=web,later | ok");
    stop_core(f);
    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    f->counting.table_cmds = 0;
    start_core(f);
    assert_int_equal(f->counting.table_cmds, 0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits);
    struct scrub_acl_entry e[4];
    assert_int_equal(tenant_entries(f, 1, e, 4), 3);
    assert_int_equal(list(f, "cuid-acme", false).n, 2);
}

static int put_at(struct fixture *f, const char *acl, bool create, enum scrub_data_insert insert, const char *point,
                  struct scrub_err *err)
{
    const char *acls[1] = {acl};
    struct scrub_data_acls_req r = {.cuid = "cuid-acme", .acls = acls, .n_acls = 1, .create = create, .insert = insert, .point = point};
    return scrub_core_data_acls_put(f->core, &acme, &r, NULL, err);
}

static void order_is(struct fixture *f, const char *want)
{
    struct listing l = list(f, "cuid-acme", false);
    char got[200] = "";
    for (size_t i = 0; i < l.n && i < 8; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", l.names[i]);
    assert_string_equal(got, want);
    /* The card's entries in the same order: each ACL's one ACE matches
     * 198.51.100.<its letter>. */
    struct scrub_acl_entry e[8];
    size_t n = tenant_entries(f, 1, e, 8);
    char card[200] = "";
    for (size_t i = 0; i < n && i < 8; i++) {
        char text[64];
        scrub_addr_format(&e[i].dst_value, text, sizeof(text));
        snprintf(card + strlen(card), sizeof(card) - strlen(card), "%s%c", i ? " " : "",
                 (char)('a' + atoi(strrchr(text, '.') + 1) - 1));
    }
    assert_string_equal(card, want);
}

static const char *letter(char c)
{
    char name[2] = {c, 0}, dst[32];
    snprintf(dst, sizeof(dst), "198.51.100.%d/32", c - 'a' + 1);
    return acl_json(name, "immediate", dst);
}

/* insert and point (RFC 8040 section 4.8.5): the ACLs and their card
 * entries in the order asked. */
static void test_insert_and_point(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    put_ok(f, "cuid-acme", letter('a'));
    put_ok(f, "cuid-acme", letter('b'));
    put_ok(f, "cuid-acme", letter('c'));
    order_is(f, "a b c");
    assert_int_equal(put_at(f, letter('d'), true, SCRUB_DATA_INSERT_FIRST, NULL, &err), 0);
    order_is(f, "d a b c");
    assert_int_equal(put_at(f, letter('e'), true, SCRUB_DATA_INSERT_BEFORE, "b", &err), 0);
    order_is(f, "d a e b c");
    assert_int_equal(put_at(f, letter('a'), false, SCRUB_DATA_INSERT_LAST, NULL, &err), 0); /* a move */
    order_is(f, "d e b c a");
    assert_int_equal(put_at(f, letter('d'), false, SCRUB_DATA_INSERT_AFTER, "c", &err), 0);
    order_is(f, "e b c d a");
    assert_int_equal(put_at(f, letter('f'), true, SCRUB_DATA_INSERT_AFTER, "zz", &err), -1);
    assert_int_equal(err.code, EINVAL);
    assert_string_equal(err.msg, "point: no such ACL of the dots-client");
    assert_int_equal(put_at(f, letter('b'), false, SCRUB_DATA_INSERT_AFTER, "b", &err), -1);
    assert_string_equal(err.msg, "point: it is one of the ACLs being placed");
    order_is(f, "e b c d a");
    char audit[600];
    if (scrub_store_audit_each(f->store, 0, 0, last_audit_cb, audit, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(audit, "acme | data-channel acl put cuid=cuid-acme acls=1 names=b insert=after:b | "
                               "point: it is one of the ACLs being placed");
}

static int lifetime_cb(void *ctx, const struct scrub_data_acl_view *v)
{
    *(int64_t *)ctx = v->pending_lifetime_s;
    return 0;
}

static int64_t lifetime_of(struct fixture *f, const char *name)
{
    int64_t left = -2;
    struct scrub_err err = {0};
    if (scrub_core_data_acls_each(f->core, "cuid-acme", name, false, lifetime_cb, &left, &err))
        fail_msg("%s", err.msg);
    return left;
}

/* pending-lifetime: a week unless put again; expiry takes the ACL off the
 * card and out of the store, audited as the daemon. */
static void test_pending_lifetime(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    put_ok(f, "cuid-acme", ACL_WEB);
    put_ok(f, "cuid-acme", acl_json("other", "immediate", "198.51.100.50/32"));
    assert_int_equal(lifetime_of(f, "web"), 10080 * 60);
    f->now.wall_s += 3600;
    assert_int_equal(lifetime_of(f, "web"), 10080 * 60 - 3600);
    assert_int_equal(put(f, &acme, "cuid-acme", false, ACL_WEB, &err), 0); /* the refresh */
    assert_int_equal(lifetime_of(f, "web"), 10080 * 60);
    assert_int_equal(scrub_core_data_acls_expire(f->core, &err), 0);
    f->now.wall_s += 10080 * 60 - 3600;
    assert_int_equal(scrub_core_data_acls_expire(f->core, &err), 1); /* "other" ended, "web" has an hour */
    struct listing l = list(f, "cuid-acme", false);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.names[0], "web");
    struct scrub_acl_entry e[4];
    assert_int_equal(tenant_entries(f, 1, e, 4), 3);
    char audit[600];
    if (scrub_store_audit_each(f->store, 0, 0, last_audit_cb, audit, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(audit, "scrubd | data-channel acl expired cuid-acme/other | ok");
    f->now.wall_s += 3600;
    assert_int_equal(scrub_core_data_acls_expire(f->core, &err), 1);
    assert_int_equal(tenant_entries(f, 1, e, 4), 0);
    assert_int_equal(list(f, NULL, false).n, 0);
}

static void test_capabilities(void **state)
{
    struct fixture *f = *state;
    struct scrub_data_capabilities caps;
    struct scrub_err err = {0};
    if (scrub_core_data_capabilities(f->core, &caps, &err))
        fail_msg("%s", err.msg);
    assert_true(caps.ipv4 && caps.ipv6 && caps.drop && caps.accept && caps.rate_limit);
    assert_true(caps.fragment && caps.tcp_flags_bitmask && caps.destination_port);
    scrub_core_detach(f->core);
    assert_int_equal(scrub_core_data_capabilities(f->core, &caps, &err), -1);
    assert_int_equal(err.code, ENODEV);
    if (scrub_core_attach(f->core, f->hal, NULL, &err))
        fail_msg("%s", err.msg);
}

/* ---- accept-list conflicts (docs/dots.md "Accept-list conflicts") */

/* An ACL of one ACE: its matches and actions as JSON members; type NULL
 * for none. */
static char *acl_one(const char *name, const char *type, const char *matches, const char *actions)
{
    static char buf[8][600];
    static int next;
    char *b = buf[next++ % 8], typed[80] = "";
    if (type)
        snprintf(typed, sizeof(typed), "\"type\":\"%s\",", type);
    snprintf(b, 600,
             "{\"name\":\"%s\",%s\"activation-type\":\"immediate\",\"aces\":{\"ace\":[{\"name\":\"a1\","
             "\"matches\":{%s},\"actions\":{%s}}]}}",
             name, typed, matches, actions);
    return b;
}

/* Adds packets to counter k of the pair name owns (the live counter: the
 * next snapshot reads it). */
static void count(struct fixture *f, const char *name, unsigned k, uint64_t packets)
{
    const struct scrub_layout_counter *lc = card_image_counter(scrub_core_image(f->core), name);
    if (!lc)
        fail_msg("no counter pair '%s' on the card", name);
    struct scrub_err err = {0};
    struct scrub_counter v;
    if (scrub_hal_read_counters(f->hal, SCRUB_TABLE_COUNTER, lc->index + k, 1, &v, &err))
        fail_msg("%s", err.msg);
    v.packets += packets;
    v.bytes += packets * 100;
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words w = {0};
    scrub_counter_pack(&v, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, lc->index + k, w, SCRUB_TABLE_COUNTER_WORDS);
    if (scrub_hal_run(f->hal, &t, &err))
        fail_msg("%s", err.msg);
    scrub_txn_free(&t);
}

static void poll_core(struct fixture *f)
{
    struct scrub_err err = {0};
    f->now.boottime_ms += 1000;
    f->now.wall_s += 1;
    if (scrub_core_poll(f->core, &err))
        fail_msg("%s", err.msg);
}

struct conflicts {
    size_t n;
    char text[256]; /* "name:type name:-" */
};

static int conflicts_cb(void *ctx, const struct scrub_mitigation_view *v)
{
    struct conflicts *x = ctx;
    if (v->mid != 1)
        return 0;
    x->n = v->n_acceptlist_conflicts;
    for (size_t i = 0; i < v->n_acceptlist_conflicts; i++) {
        size_t used = strlen(x->text);
        snprintf(x->text + used, sizeof(x->text) - used, "%s%s:%s", i ? " " : "", v->acceptlist_conflicts[i].name,
                 v->acceptlist_conflicts[i].type ? v->acceptlist_conflicts[i].type : "-");
    }
    return 0;
}

static struct conflicts conflicts_of(struct fixture *f)
{
    struct conflicts x = {0};
    struct scrub_err err = {0};
    if (scrub_core_mitigations_each(f->core, "acme", true, conflicts_cb, &x, &err))
        fail_msg("%s", err.msg);
    return x;
}

#define ACE(acl) "client cuid-acme / acl " acl " / ace a1"
#define MIT_PAIR "mitigation cuid-acme/1 198.51.100.0/26"
#define ACCEPT "\"forwarding\":\"ietf-access-control-list:accept\""

static void test_acceptlist_conflict(void **state)
{
    struct fixture *f = *state;
    struct scrub_prefix p;
    assert_true(scrub_prefix_parse("198.51.100.0/26", &p));
    struct scrub_mitigation_req m = {.identity = "acme", .cuid = "cuid-acme", .mid = 1, .prefixes = &p,
                                     .n_prefixes = 1, .lifetime = 600, .trigger = true};
    struct scrub_err err = {0};
    if (scrub_core_mitigation_put(f->core, &acme, &m, NULL, &err))
        fail_msg("%s", err.msg);
    /* Two that let attack traffic through: an accept ACE on a target, and
     * one without destination (the tenant's prefixes, the target's too). */
    put_ok(f, "cuid-acme",
           acl_one("allow", "ipv4-acl-type", "\"ipv4\":{\"destination-ipv4-network\":\"198.51.100.10/32\"}", ACCEPT));
    put_ok(f, "cuid-acme", acl_one("anywhere", NULL, "\"ipv4\":{\"protocol\":6}", ACCEPT));
    /* And three that do not: rate-limited, a drop, another destination. */
    put_ok(f, "cuid-acme",
           acl_one("limited", NULL, "\"ipv4\":{\"destination-ipv4-network\":\"198.51.100.11/32\"}",
                   ACCEPT ",\"rate-limit\":\"1000.00\""));
    put_ok(f, "cuid-acme",
           acl_one("blocked", NULL, "\"ipv4\":{\"destination-ipv4-network\":\"198.51.100.12/32\"}",
                   "\"forwarding\":\"ietf-access-control-list:drop\""));
    put_ok(f, "cuid-acme",
           acl_one("elsewhere", NULL, "\"ipv4\":{\"destination-ipv4-network\":\"198.51.100.200/32\"}", ACCEPT));
    static const char *const all[] = {ACE("allow"), ACE("anywhere"), ACE("limited"), ACE("blocked"),
                                      ACE("elsewhere")};

    poll_core(f); /* the first readings */
    assert_int_equal(conflicts_of(f).n, 0);
    for (size_t i = 0; i < 5; i++)
        count(f, all[i], 0, 10);
    count(f, MIT_PAIR, 1, 50); /* the mitigation drops: the attack is on */
    poll_core(f);
    struct conflicts x = conflicts_of(f);
    assert_int_equal(x.n, 2);
    assert_string_equal(x.text, "allow:ipv4-acl-type anywhere:-");

    /* A poll without matches clears it. */
    count(f, MIT_PAIR, 1, 50);
    poll_core(f);
    assert_int_equal(conflicts_of(f).n, 0);

    /* Matches while the mitigation drops nothing: no conflict. */
    for (size_t i = 0; i < 5; i++)
        count(f, all[i], 0, 10);
    poll_core(f);
    assert_int_equal(conflicts_of(f).n, 0);

    /* It comes back with the next poll that sees both. */
    count(f, ACE("allow"), 0, 1);
    count(f, MIT_PAIR, 1, 1);
    poll_core(f);
    x = conflicts_of(f);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.text, "allow:ipv4-acl-type");

    /* Deactivated (RFC 9133 or the data channel), the ACL is off the
     * card: no conflict even while the mitigation drops. */
    const char *acls[1] = {"{\"name\":\"allow\",\"type\":\"ipv4-acl-type\",\"activation-type\":\"deactivate\","
                           "\"aces\":{\"ace\":[{\"name\":\"a1\",\"matches\":{\"ipv4\":{\"destination-ipv4-network\":"
                           "\"198.51.100.10/32\"}},\"actions\":{" ACCEPT "}}]}}"};
    struct scrub_data_acls_req r = {.cuid = "cuid-acme", .acls = acls, .n_acls = 1};
    if (scrub_core_data_acls_put(f->core, &acme, &r, NULL, &err))
        fail_msg("%s", err.msg);
    assert_null(card_image_counter(scrub_core_image(f->core), ACE("allow")));
    count(f, MIT_PAIR, 1, 1);
    poll_core(f);
    assert_int_equal(conflicts_of(f).n, 0);
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_install_and_order),
        TEST(test_activation_follows_mitigations),
        TEST(test_acl_list),
        TEST(test_acl_list_quota),
        TEST(test_acl_list_card_refuses),
        TEST(test_tenant_safety),
        TEST(test_quota),
        TEST(test_runtime_client_scope),
        TEST(test_bad_bodies),
        TEST(test_card_full),
        TEST(test_counters_and_delete),
        TEST(test_restart_writes_nothing),
        TEST(test_pending_lifetime),
        TEST(test_insert_and_point),
        TEST(test_capabilities),
        TEST(test_acceptlist_conflict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
