/* The core API (host/core/scrub_core.h) on the card model with a store in
 * a temporary directory and a clock the test moves: mitigations in the
 * card, refusals with their messages (authorization, quota, operator-only
 * profile, unknown client, card full), the audit log, expiry (also while
 * the daemon was down, across a restart on the same card), final totals
 * on withdrawal, clients and sources, a card that refuses a sync (the
 * store change undone), a restart that writes nothing, the status rule
 * and the average drop rates from counter polls, and a client's
 * withdrawal with its active-but-terminating period. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "card_readback.h"
#include "scrub_core.h"
#include "scrub_hal_exec.h"
#include "scrub_hal_model.h"

/* A model backend whose table commands can be made to fail, and whose
 * DROP_OVERFLOW counter reads as if the output FIFO had overflowed. */
struct flaky {
    struct scrub_model *m;
    bool fail;
    unsigned table_cmds;
    uint32_t select, index; /* the table port's, as last written */
    uint32_t overflows;     /* added to DROP_OVERFLOW's packets */
};

static bool flaky_read(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err)
{
    struct flaky *f = ctx;
    (void)err;
    *value = scrub_model_read(f->m, addr);
    if (addr == SCRUB_REG_TBL_DATA && f->select == SCRUB_TABLE_GSTAT && f->index == SCRUB_GSTAT_DROP_OVERFLOW)
        *value += f->overflows;
    return true;
}

static bool flaky_write(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    struct flaky *f = ctx;
    if (addr == SCRUB_REG_TBL_SELECT)
        f->select = value;
    if (addr == SCRUB_REG_TBL_INDEX)
        f->index = value;
    if (addr == SCRUB_REG_TBL_CMD && value != SCRUB_CMD_READ) {
        if (f->fail) {
            scrub_err_set(err, EIO, "flaky card: table command refused");
            return false;
        }
        f->table_cmds++;
    }
    scrub_model_write(f->m, addr, value);
    return true;
}

static bool flaky_wait(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
    return false;
}

static int flaky_run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct scrub_hal_regs regs = {.read = flaky_read, .write = flaky_write, .wait = flaky_wait, .ctx = ctx};
    return scrub_hal_exec(&regs, "flaky model", t, err);
}

static void flaky_close(void *ctx)
{
    (void)ctx;
}

static const struct scrub_hal_backend flaky_backend = {.name = "flaky", .run = flaky_run, .close = flaky_close};

struct fixture {
    char dir[64], path[128];
    struct scrub_model *model;
    struct flaky flaky;
    struct scrub_hal *hal;
    struct scrub_config cfg;
    struct scrub_store *store;
    struct scrub_core *core;
    struct scrub_core_clock now;
    int64_t quiet_s, bucket_s; /* the core's options; 0: its defaults */
};

static void test_clock(void *ctx, struct scrub_core_clock *now)
{
    *now = *(struct scrub_core_clock *)ctx;
}

static const struct scrub_actor operator = {SCRUB_STORE_WHO_LOCAL_USER, "uid 0 (root)", SCRUB_STORE_CHANNEL_CONTROL,
                                            true};

static void start_core(struct fixture *f)
{
    struct scrub_err err = {0};
    struct scrub_core_options opt = {.clock = test_clock, .clock_ctx = &f->now, .quiet_s = f->quiet_s,
                                     .bucket_s = f->bucket_s};
    f->store = scrub_store_open(f->path, 1000, &err);
    if (!f->store)
        fail_msg("%s", err.msg);
    f->core = scrub_core_new(f->store, &opt, &err);
    assert_non_null(f->core);
    if (scrub_core_set_config(f->core, &f->cfg, &err))
        fail_msg("%s", err.msg);
    struct card_sync_stats st;
    if (scrub_core_attach(f->core, f->hal, &st, &err))
        fail_msg("%s", err.msg);
}

static void stop_core(struct fixture *f)
{
    scrub_core_free(f->core);
    scrub_store_close(f->store);
    f->core = NULL;
    f->store = NULL;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_err err = {0};
    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_core.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    assert_non_null(f->model = scrub_model_new(&params));
    f->flaky.m = f->model;
    f->hal = scrub_hal_attach(&flaky_backend, &f->flaky, &err);
    if (!f->hal)
        fail_msg("%s", err.msg);
    if (scrub_config_load(DEMO_JSON, NULL, &f->cfg, &err))
        fail_msg("%s", err.msg);
    f->now = (struct scrub_core_clock){.wall_s = 1800000000, .boottime_ms = 5000000, .boot_id = "boot-1"};
    start_core(f);
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

static struct scrub_prefix prefix(const char *text)
{
    struct scrub_prefix p;
    assert_true(scrub_prefix_parse(text, &p));
    return p;
}

static int put(struct fixture *f, const struct scrub_actor *a, const char *identity, const char *cuid, int64_t mid,
               const char *pfx, const char *profile, int64_t lifetime, struct scrub_err *err)
{
    struct scrub_prefix p = prefix(pfx);
    struct scrub_mitigation_req r = {
        .identity = identity, .cuid = cuid, .mid = mid, .prefixes = &p, .n_prefixes = 1, .profile = profile,
        .lifetime = lifetime, .trigger = true};
    struct scrub_mitigation_granted g;
    return scrub_core_mitigation_put(f->core, a, &r, &g, err);
}

static void put_ok(struct fixture *f, const char *identity, const char *cuid, int64_t mid, const char *pfx,
                   int64_t lifetime)
{
    struct scrub_err err = {0};
    if (put(f, &operator, identity, cuid, mid, pfx, NULL, lifetime, &err))
        fail_msg("%s", err.msg);
}

static void put_refused(struct fixture *f, const struct scrub_actor *a, const char *identity, const char *pfx,
                        const char *profile, int code, const char *msg)
{
    struct scrub_err err = {0};
    assert_int_equal(put(f, a, identity, "cuid-x", 1, pfx, profile, 600, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, msg);
}

/* The DEST entry of a prefix on the card (read back), or NULL. */
static bool on_card(struct fixture *f, const char *pfx, struct scrub_dest_entry *out)
{
    struct card_image img;
    struct scrub_err err = {0};
    if (card_readback(f->hal, &img, &err))
        fail_msg("%s", err.msg);
    struct scrub_prefix p = prefix(pfx);
    bool found = false;
    for (uint32_t i = 0; i < img.caps.dest; i++)
        if (img.dest[i].valid && img.dest[i].plen == p.plen && scrub_addr_eq(&img.dest[i].prefix, &p.addr)) {
            *out = img.dest[i];
            found = true;
        }
    card_image_free(&img);
    return found;
}

static int count_cb(void *ctx, const struct scrub_mitigation_view *m)
{
    (void)m;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t n_mitigations(struct fixture *f)
{
    size_t n = 0;
    struct scrub_err err = {0};
    if (scrub_core_mitigations_each(f->core, NULL, false, count_cb, &n, &err))
        fail_msg("%s", err.msg);
    return n;
}

static int last_audit_cb(void *ctx, const struct scrub_store_audit *a)
{
    snprintf(ctx, 600, "%s | %s | %s", a->who, a->what, a->result);
    return 0;
}

static void last_audit(struct fixture *f, char *out)
{
    struct scrub_err err = {0};
    out[0] = 0;
    if (scrub_store_audit_each(f->store, 0, 0, last_audit_cb, out, &err) < 0)
        fail_msg("%s", err.msg);
}

static void test_mitigation_installed_and_withdrawn(void **state)
{
    struct fixture *f = *state;
    struct scrub_dest_entry d;
    put_ok(f, "acme", "cuid-acme", 7, "198.51.100.0/26", 600);
    assert_true(on_card(f, "198.51.100.0/26", &d));
    assert_int_equal(d.tenant, 1);
    assert_int_equal(d.profile, 1); /* acme's default, standard */
    assert_true(d.enable);
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "uid 0 (root) | mitigation put client=acme cuid=cuid-acme mid=7 "
                               "prefixes=198.51.100.0/26 profile=(default) lifetime=600 | ok");
    /* Traffic into its pair, as the card would count it. */
    const struct scrub_layout_counter *lc =
        card_image_counter(scrub_core_image(f->core), "mitigation cuid-acme/7 198.51.100.0/26");
    assert_non_null(lc);
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words w = {0};
    struct scrub_counter offered = {100, 64000}, dropped = {40, 20000};
    scrub_counter_pack(&offered, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, lc->index, w, SCRUB_TABLE_COUNTER_WORDS);
    scrub_counter_pack(&dropped, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, lc->index + 1, w, SCRUB_TABLE_COUNTER_WORDS);
    struct scrub_err err = {0};
    assert_int_equal(scrub_hal_run(f->hal, &t, &err), 0);
    scrub_txn_free(&t);

    struct scrub_traffic final;
    if (scrub_core_mitigation_withdraw(f->core, &operator, "cuid-acme", 7, &final, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(final.offered.packets, 100);
    assert_int_equal(final.offered.bytes, 64000);
    assert_int_equal(final.dropped.packets, 40);
    assert_false(on_card(f, "198.51.100.0/26", &d));
    assert_int_equal(n_mitigations(f), 0);
    assert_int_equal(scrub_core_mitigation_withdraw(f->core, &operator, "cuid-acme", 7, NULL, &err), -1);
    assert_string_equal(err.msg, "no mitigation cuid-acme/7 (scrubctl mitigation list shows them)");
}

/* Updates keep the DEST entry (make-before-break in one commit). */
static void test_update_in_place(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.64/26", 600);
    const struct scrub_layout_counter *lc =
        card_image_counter(scrub_core_image(f->core), "mitigation cuid-acme/1 198.51.100.64/26");
    uint32_t pair = lc->index;
    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    f->flaky.table_cmds = 0;
    assert_int_equal(put(f, &operator, "acme", "cuid-acme", 1, "198.51.100.64/26", "strict", 600, &err), 0);
    assert_int_equal(f->flaky.table_cmds, 1); /* the one DEST entry rewritten */
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits + 1);
    struct scrub_dest_entry d;
    assert_true(on_card(f, "198.51.100.64/26", &d));
    assert_int_equal(d.profile, 2);
    assert_int_equal(d.counter, pair);
    assert_int_equal(n_mitigations(f), 1);
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    put_refused(f, &operator, "acme", "203.0.113.0/25", NULL, EACCES,
                "not authorized: 203.0.113.0/25 is not inside the prefixes 'acme' owns (198.51.100.0/24 "
                "2001:db8:100::/48)");
    put_refused(f, &operator, "nobody", "203.0.113.0/25", NULL, ENOENT,
                "unknown client 'nobody': configure it as a tenant, or add it (scrubctl client add nobody "
                "PREFIX...)");
    struct scrub_actor acme = {SCRUB_STORE_WHO_CERTIFICATE, "acme", SCRUB_STORE_CHANNEL_SIGNAL, false};
    put_refused(f, &acme, "acme", "198.51.100.0/25", "blackhole", EACCES,
                "not authorized: profile 'blackhole' is for the operator only");
    put_refused(f, &acme, "globex", "203.0.113.0/25", NULL, EACCES,
                "not authorized: 'acme' cannot request mitigations for 'globex'");
    put_refused(f, &operator, "acme", "198.51.100.0/25", "nope", ENOENT,
                "unknown profile 'nope' (configured: see scrubctl status)");
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "uid 0 (root) | mitigation put client=acme cuid=cuid-x mid=1 prefixes=198.51.100.0/25 "
                               "profile=nope lifetime=600 | unknown profile 'nope' (configured: see scrubctl status)");
    /* The operator may blackhole. */
    struct scrub_err err = {0};
    assert_int_equal(put(f, &operator, "acme", "cuid-x", 1, "198.51.100.0/25", "blackhole", 600, &err), 0);
    assert_int_equal(n_mitigations(f), 1);
}

static int scope_cb(void *ctx, const struct scrub_mitigation_view *m)
{
    snprintf(ctx, 300, "%s", m->scope);
    return 0;
}

/* RFC 9132's mid rule in one cuid: a higher mid replaces the lower one it
 * overlaps in one commit; a lower mid is refused naming the higher; a cuid
 * is its first identity's; the scope's other members are kept. */
static void test_mid_rule_and_cuids(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_actor acme = {SCRUB_STORE_WHO_CERTIFICATE, "acme", SCRUB_STORE_CHANNEL_SIGNAL, false};
    struct scrub_actor globex = {SCRUB_STORE_WHO_CERTIFICATE, "globex", SCRUB_STORE_CHANNEL_SIGNAL, false};
    struct scrub_prefix p = prefix("198.51.100.0/25");
    struct scrub_mitigation_req r = {.identity = "acme", .cuid = "c1", .mid = 5, .prefixes = &p, .n_prefixes = 1,
                                     .lifetime = 600, .trigger = true,
                                     .scope_extra = "{\"target-protocol\":[6]}"};
    struct scrub_mitigation_granted g;
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &r, &g, &err), 0);
    assert_true(g.created);
    char scope[300];
    assert_int_equal(scrub_core_mitigations_each(f->core, "acme", false, scope_cb, scope, &err), 0);
    assert_string_equal(scope, "{\"target-protocol\":[6],\"target-prefix\":[\"198.51.100.0/25\"]}");

    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    p = prefix("198.51.100.0/26");
    r.mid = 7;
    r.scope_extra = NULL;
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &r, &g, &err), 0);
    assert_int_equal(g.replaced, 1);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits + 1);
    assert_int_equal(n_mitigations(f), 1);
    struct scrub_dest_entry d;
    assert_false(on_card(f, "198.51.100.0/25", &d));
    assert_true(on_card(f, "198.51.100.0/26", &d));
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "acme | mitigation put client=acme cuid=c1 mid=7 prefixes=198.51.100.0/26 "
                               "profile=(default) lifetime=600 replacing mid 5 | ok");

    r.mid = 6;
    assert_int_equal(scrub_core_mitigation_put(f->core, &acme, &r, &g, &err), -1);
    assert_int_equal(err.code, EBUSY);
    assert_int_equal(g.conflict, SCRUB_CONFLICT_OVERLAP);
    assert_int_equal(g.conflict_mid, 7);
    assert_string_equal(err.msg, "conflict: mitigation c1/7 overlaps it; it has a higher mid; mids of one cuid only "
                                 "increase, and start again at 0 only from 3221225471 on and when none of the cuid's "
                                 "mitigations is active (RFC 9132 section 4.4.1)");

    p = prefix("203.0.113.0/25");
    struct scrub_mitigation_req theirs = {.identity = "globex", .cuid = "c1", .mid = 9, .prefixes = &p,
                                          .n_prefixes = 1, .lifetime = 600, .trigger = true};
    assert_int_equal(scrub_core_mitigation_put(f->core, &globex, &theirs, &g, &err), -1);
    assert_int_equal(err.code, EEXIST);
    assert_int_equal(g.conflict, SCRUB_CONFLICT_CUID);
    assert_string_equal(err.msg, "cuid collision: cuid c1 belongs to client 'acme'");
    assert_int_equal(n_mitigations(f), 1);
}

/* Waiting mitigations (trigger false) go on the card when the signal is
 * lost, in one commit, and only the identity's. */
static void test_trigger_on_signal_loss(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix a = prefix("198.51.100.0/25"), b = prefix("198.51.100.128/25"), g = prefix("203.0.113.0/25");
    struct scrub_mitigation_req r = {.identity = "acme", .cuid = "c1", .mid = 1, .prefixes = &a, .n_prefixes = 1,
                                     .lifetime = 600, .trigger = false};
    assert_int_equal(scrub_core_mitigation_put(f->core, &operator, &r, NULL, &err), 0);
    r.mid = 2;
    r.prefixes = &b;
    assert_int_equal(scrub_core_mitigation_put(f->core, &operator, &r, NULL, &err), 0);
    struct scrub_mitigation_req theirs = {.identity = "globex", .cuid = "c2", .mid = 1, .prefixes = &g,
                                          .n_prefixes = 1, .lifetime = 600, .trigger = false};
    assert_int_equal(scrub_core_mitigation_put(f->core, &operator, &theirs, NULL, &err), 0);
    struct scrub_dest_entry d;
    assert_false(on_card(f, "198.51.100.0/25", &d));
    assert_false(scrub_core_mitigating(f->core, "acme"));

    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    struct scrub_actor daemon = {SCRUB_STORE_WHO_DAEMON, "scrubd", SCRUB_STORE_CHANNEL_SIGNAL, true};
    assert_int_equal(scrub_core_mitigations_trigger(f->core, &daemon, "acme", &err), 2);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits + 1);
    assert_true(on_card(f, "198.51.100.0/25", &d));
    assert_true(on_card(f, "198.51.100.128/25", &d));
    assert_false(on_card(f, "203.0.113.0/25", &d));
    assert_true(scrub_core_mitigating(f->core, "acme"));
    assert_false(scrub_core_mitigating(f->core, "globex"));
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "scrubd | mitigation triggered (signal lost with acme): c1/1 c1/2 | ok");
    /* nothing left waiting: nothing written */
    assert_int_equal(scrub_core_mitigations_trigger(f->core, &daemon, "acme", &err), 0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits + 1);
}

/* The counters of a mitigation's prefix set, as the card would count. */
static void set_pair(struct fixture *f, const char *name, uint64_t offered, uint64_t dropped)
{
    const struct scrub_layout_counter *lc = card_image_counter(scrub_core_image(f->core), name);
    assert_non_null(lc);
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words w = {0};
    struct scrub_counter o = {offered, offered * 100}, d = {dropped, dropped * 100};
    scrub_counter_pack(&o, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, lc->index, w, SCRUB_TABLE_COUNTER_WORDS);
    scrub_counter_pack(&d, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_COUNTER, lc->index + 1, w, SCRUB_TABLE_COUNTER_WORDS);
    struct scrub_err err = {0};
    assert_int_equal(scrub_hal_run(f->hal, &t, &err), 0);
    scrub_txn_free(&t);
}

/* The clock moves on by seconds, then the daemon's poll runs. */
static void poll_after(struct fixture *f, int64_t seconds)
{
    struct scrub_err err = {0};
    f->now.wall_s += seconds;
    f->now.boottime_ms += seconds * 1000;
    if (scrub_core_poll(f->core, &err))
        fail_msg("%s", err.msg);
}

static int view_cb(void *ctx, const struct scrub_mitigation_view *m)
{
    struct scrub_mitigation_view *out = ctx;
    if (strcmp(m->cuid, out->cuid) != 0 || m->mid != out->mid)
        return 0;
    const char *cuid = out->cuid;
    *out = *m;
    out->cuid = cuid;
    return 1;
}

/* The view of cuid/mid with its traffic (its strings are not kept). */
static struct scrub_mitigation_view view(struct fixture *f, const char *cuid, int64_t mid)
{
    struct scrub_mitigation_view v = {.cuid = cuid, .mid = mid};
    struct scrub_err err = {0};
    if (scrub_core_mitigations_each(f->core, NULL, true, view_cb, &v, &err) != 1)
        fail_msg("no mitigation %s/%lld: %s", cuid, (long long)mid, err.msg);
    return v;
}

/* The status rule: in progress until drops are seen, mitigated from the
 * poll that sees them until quiet_s without any, then stopped, and
 * mitigated again when they come back; beyond capability while the card
 * overflows with its traffic rising; the last drop saved across a restart;
 * waiting while not triggered. */
static void test_status_rule(void **state)
{
    struct fixture *f = *state;
    stop_core(f);
    f->quiet_s = 10;
    start_core(f);
    const char *pair = "mitigation cuid-acme/1 198.51.100.0/26";
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/26", 600);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_IN_PROGRESS);
    poll_after(f, 1);
    set_pair(f, pair, 50, 0); /* traffic, nothing dropped */
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_IN_PROGRESS);
    set_pair(f, pair, 100, 30);
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);
    poll_after(f, 9); /* no new drops, 9 s since the last */
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_STOPPED);
    set_pair(f, pair, 150, 31);
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);
    /* the card's output FIFO overflows while its traffic rises: beyond capability */
    set_pair(f, pair, 200, 31);
    f->flaky.overflows += 5;
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_EXCEEDED);
    set_pair(f, pair, 250, 31); /* its traffic rises, no overflow */
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);
    f->flaky.overflows += 5; /* an overflow, its traffic steady: not its doing */
    poll_after(f, 1);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);

    /* when it last dropped (3 s ago) is saved: after a restart, before any
     * poll, it is still 2, and 3 once the quiet time has passed */
    struct scrub_err err = {0};
    if (scrub_core_activity_save(f->core, &err))
        fail_msg("%s", err.msg);
    stop_core(f);
    start_core(f);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);
    f->now.wall_s += 6;
    f->now.boottime_ms += 6000;
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_MITIGATED);
    f->now.wall_s += 1;
    f->now.boottime_ms += 1000;
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_STOPPED);

    struct scrub_prefix p = prefix("198.51.100.128/26");
    struct scrub_mitigation_req r = {.identity = "acme", .cuid = "cuid-acme", .mid = 2, .prefixes = &p,
                                     .n_prefixes = 1, .lifetime = 600, .trigger = false};
    assert_int_equal(scrub_core_mitigation_put(f->core, &operator, &r, NULL, &err), 0);
    assert_int_equal(view(f, "cuid-acme", 2).state, SCRUB_MIT_WAITING);
}

/* bps-dropped and pps-dropped: the partial first bucket's average until
 * one is whole, then what whole buckets dropped over their time, changing
 * only when the next one is whole. */
static void test_average_buckets(void **state)
{
    struct fixture *f = *state;
    stop_core(f);
    f->bucket_s = 10;
    start_core(f);
    const char *pair = "mitigation cuid-acme/1 198.51.100.0/26";
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/26", 600);
    poll_after(f, 1);
    set_pair(f, pair, 1000, 400);
    poll_after(f, 3); /* 4 s in: 400 dropped packets, 40,000 bytes */
    struct scrub_mitigation_view v = view(f, "cuid-acme", 1);
    assert_int_equal(v.traffic.avg_buckets, 0);
    assert_int_equal(v.traffic.avg_dropped_packets_s, 100);
    assert_int_equal(v.traffic.avg_dropped_bytes_s, 10000);
    set_pair(f, pair, 2000, 1000);
    poll_after(f, 7); /* 11 s in: the first bucket (10 s) sampled with 1,000 */
    set_pair(f, pair, 9000, 5000);
    poll_after(f, 5); /* 16 s in, within the second bucket: not counted yet */
    v = view(f, "cuid-acme", 1);
    assert_int_equal(v.traffic.avg_buckets, 1);
    assert_int_equal(v.traffic.avg_dropped_packets_s, 100);
    assert_int_equal(v.traffic.avg_dropped_bytes_s, 10000);
    poll_after(f, 5); /* 21 s in: two buckets, 5,000 packets */
    v = view(f, "cuid-acme", 1);
    assert_int_equal(v.traffic.avg_buckets, 2);
    assert_int_equal(v.traffic.avg_dropped_packets_s, 250);
    assert_int_equal(v.traffic.dropped.packets, 5000);
}

static int64_t terminate(struct fixture *f, const char *identity, const char *cuid, int64_t mid, int64_t period)
{
    struct scrub_actor client = {SCRUB_STORE_WHO_CERTIFICATE, identity, SCRUB_STORE_CHANNEL_SIGNAL, false};
    struct scrub_err err = {0};
    int64_t granted = -1;
    if (scrub_core_mitigation_terminate(f->core, &client, cuid, mid, period, &granted, &err))
        fail_msg("%s", err.msg);
    return granted;
}

/* A client's withdrawal keeps the mitigation on the card for its period,
 * across a restart, and ends it at the deadline; asking again during the
 * period makes it active and doubles the next period; a deadline passed
 * while scrubd was down ends it at the start. */
static void test_active_but_terminating(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_dest_entry d;
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/26", 600);
    assert_int_equal(terminate(f, "acme", "cuid-acme", 1, 2), 2);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_TERMINATING);
    assert_int_equal(view(f, "cuid-acme", 1).remaining_s, 2);
    assert_true(on_card(f, "198.51.100.0/26", &d));
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "acme | mitigation withdraw cuid=cuid-acme mid=1: active but terminating for 2 s | ok");
    /* a second DELETE keeps the deadline */
    f->now.wall_s += 1;
    f->now.boottime_ms += 1000;
    assert_int_equal(terminate(f, "acme", "cuid-acme", 1, 2), 1);
    /* a restart keeps it, terminating */
    stop_core(f);
    start_core(f);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_TERMINATING);
    assert_true(on_card(f, "198.51.100.0/26", &d));
    /* asked again: active, and the next withdrawal gets twice as long */
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/26", 600);
    assert_int_equal(view(f, "cuid-acme", 1).state, SCRUB_MIT_IN_PROGRESS);
    assert_int_equal(view(f, "cuid-acme", 1).remaining_s, 600);
    assert_int_equal(terminate(f, "acme", "cuid-acme", 1, 2), 4);
    f->now.wall_s += 3;
    f->now.boottime_ms += 3000;
    assert_int_equal(scrub_core_expire(f->core, &err), 0);
    f->now.wall_s += 1;
    f->now.boottime_ms += 1000;
    assert_int_equal(scrub_core_expire(f->core, &err), 1);
    assert_false(on_card(f, "198.51.100.0/26", &d));
    assert_int_equal(n_mitigations(f), 0);

    /* the deadline passes while scrubd is down: ended at the start */
    put_ok(f, "acme", "cuid-acme", 2, "198.51.100.64/26", 600);
    assert_int_equal(terminate(f, "acme", "cuid-acme", 2, 2), 2);
    stop_core(f);
    f->now.wall_s += 5;
    f->now.boottime_ms += 5000;
    start_core(f);
    assert_false(on_card(f, "198.51.100.64/26", &d));
    assert_int_equal(n_mitigations(f), 0);

    /* never beyond its lifetime; with no period, or not yet triggered, at once */
    put_ok(f, "acme", "cuid-acme", 3, "198.51.100.128/26", 1);
    assert_int_equal(terminate(f, "acme", "cuid-acme", 3, 120), 1);
    put_ok(f, "acme", "cuid-acme", 4, "198.51.100.192/26", 600);
    assert_int_equal(terminate(f, "acme", "cuid-acme", 4, 0), 0);
    assert_false(on_card(f, "198.51.100.192/26", &d));
    /* only its owner may */
    struct scrub_actor other = {SCRUB_STORE_WHO_CERTIFICATE, "globex", SCRUB_STORE_CHANNEL_SIGNAL, false};
    int64_t granted;
    assert_int_equal(scrub_core_mitigation_terminate(f->core, &other, "cuid-acme", 3, 120, &granted, &err), -1);
    assert_int_equal(err.code, EACCES);
}

/* A configured tenant acts under its identity leaf. */
static void test_configured_identity(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    free(f->cfg.tenants[1].identity);
    f->cfg.tenants[1].identity = strdup("dots.globex.example");
    assert_int_equal(scrub_core_set_config(f->core, &f->cfg, &err), 0);
    put_ok(f, "dots.globex.example", "cuid-g", 1, "203.0.113.0/25", 600);
    struct scrub_dest_entry d;
    assert_true(on_card(f, "203.0.113.0/25", &d));
    assert_int_equal(d.tenant, 2);
    put_refused(f, &operator, "globex", "203.0.113.0/25", NULL, ENOENT,
                "unknown client 'globex': configure it as a tenant, or add it (scrubctl client add globex "
                "PREFIX...)");
}

static int cdid_cb(void *ctx, const struct scrub_mitigation_view *m)
{
    snprintf(ctx, 64, "%s %s/%lld", m->cdid ? m->cdid : "-", m->cuid, (long long)m->mid);
    return 0;
}

/* A cdid (RFC 9132) is taken from a tenant configured as a DOTS gateway
 * only, and is kept with the mitigation across a restart. */
static void test_gateway_cdid(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix p = prefix("203.0.113.0/25");
    struct scrub_mitigation_req r = {.identity = "globex", .cuid = "cuid-gw", .cdid = "site-3", .mid = 1,
                                     .prefixes = &p, .n_prefixes = 1, .lifetime = 600, .trigger = true};
    const struct scrub_actor globex = {SCRUB_STORE_WHO_CERTIFICATE, "globex", SCRUB_STORE_CHANNEL_SIGNAL, false};
    assert_false(scrub_core_is_gateway(f->core, "globex"));
    assert_int_equal(scrub_core_mitigation_put(f->core, &globex, &r, NULL, &err), -1);
    assert_int_equal(err.code, EACCES);
    assert_string_equal(err.msg, "not authorized: cdid site-3: 'globex' is not configured as a DOTS gateway");
    assert_int_equal(n_mitigations(f), 0);

    f->cfg.tenants[1].gateway = true;
    assert_int_equal(scrub_core_set_config(f->core, &f->cfg, &err), 0);
    assert_true(scrub_core_is_gateway(f->core, "globex"));
    assert_false(scrub_core_is_gateway(f->core, "acme"));
    if (scrub_core_mitigation_put(f->core, &globex, &r, NULL, &err))
        fail_msg("%s", err.msg);
    stop_core(f);
    start_core(f);
    char seen[64] = "";
    if (scrub_core_mitigations_each(f->core, "globex", false, cdid_cb, seen, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(seen, "site-3 cuid-gw/1");
}

/* Which mitigation displaced which prefixes (only one does, of one), in
 * ctx (128 bytes). */
static int displacing_cb(void *ctx, const struct scrub_mitigation_view *m)
{
    char text[SCRUB_PREFIX_TEXT];
    if (m->n_displacing_prefixes != 1)
        return 0;
    scrub_prefix_format(&m->displacing_prefixes[0], text, sizeof(text));
    snprintf(ctx, 128, "%s/%lld %s", m->cuid, (long long)m->mid, text);
    return 0;
}

static int client_put(struct fixture *f, const char *cuid, int64_t mid, const char *pfx, bool trigger,
                      struct scrub_mitigation_granted *g, struct scrub_err *err)
{
    const struct scrub_actor acme = {SCRUB_STORE_WHO_CERTIFICATE, "acme", SCRUB_STORE_CHANNEL_SIGNAL, false};
    struct scrub_prefix p = prefix(pfx);
    struct scrub_mitigation_req r = {.identity = "acme", .cuid = cuid, .mid = mid, .prefixes = &p, .n_prefixes = 1,
                                     .lifetime = 600, .trigger = trigger};
    *err = (struct scrub_err){0};
    return scrub_core_mitigation_put(f->core, &acme, &r, g, err);
}

/* Conflicts between two DOTS clients (cuids) of one identity: refused
 * under conflict-policy refuse, with the other's mid, prefixes and time
 * left; under newest the newer request displaces the older, which stays
 * displaced across a restart and a replacement of its displacer's mid,
 * is refused while that is active and comes back when asked for after it
 * ended. The operator's mitigations and waiting requests are outside. */
static void test_client_conflicts(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err;
    struct scrub_mitigation_granted g;
    struct scrub_dest_entry d;
    char text[SCRUB_PREFIX_TEXT], audit[600];
    assert_int_equal(client_put(f, "ca", 1, "198.51.100.0/25", true, &g, &err), 0);
    f->now.wall_s += 100;
    f->now.boottime_ms += 100000;
    assert_int_equal(client_put(f, "cb", 1, "198.51.100.0/26", true, &g, &err), -1);
    assert_int_equal(err.code, EBUSY);
    assert_string_equal(err.msg, "conflict: mitigation ca/1 of another DOTS client of 'acme' is active on overlapping "
                                 "targets; the client's conflict-policy is refuse (RFC 9132 section 4.4.1)");
    assert_int_equal(g.conflict, SCRUB_CONFLICT_OVERLAP);
    assert_true(g.conflict_other_client);
    assert_int_equal(g.conflict_mid, 1);
    assert_int_equal(g.conflict_retry_s, 500);
    assert_int_equal(g.n_conflict_prefixes, 1);
    scrub_prefix_format(&g.conflict_prefixes[0], text, sizeof(text));
    assert_string_equal(text, "198.51.100.0/25");
    assert_int_equal(n_mitigations(f), 1);
    /* beside it, a waiting request, and the operator's over both */
    assert_int_equal(client_put(f, "cb", 1, "198.51.100.128/25", true, &g, &err), 0);
    assert_int_equal(client_put(f, "cb", 2, "198.51.100.0/26", false, &g, &err), 0);
    put_ok(f, "acme", "scrubctl-acme", 1, "198.51.100.0/24", 600);
    assert_int_equal(client_put(f, "ca", 1, "198.51.100.0/25", true, &g, &err), 0);

    f->cfg.tenants[0].conflict_newest = true;
    assert_int_equal(scrub_core_set_config(f->core, &f->cfg, &err), 0);
    assert_int_equal(client_put(f, "cb", 3, "198.51.100.0/26", true, &g, &err), 0);
    assert_int_equal(g.displaced, 1);
    last_audit(f, audit);
    assert_string_equal(audit, "acme | mitigation put client=acme cuid=cb mid=3 prefixes=198.51.100.0/26 "
                               "profile=(default) lifetime=600 replacing mid 2 displacing ca/1 | ok");
    assert_false(on_card(f, "198.51.100.0/25", &d));
    assert_true(on_card(f, "198.51.100.0/26", &d));
    struct scrub_mitigation_view v = view(f, "ca", 1);
    assert_int_equal(v.state, SCRUB_MIT_DISPLACED);
    assert_int_equal(v.status, SCRUB_STORE_DISPLACED);
    assert_string_equal(v.displaced_by, "cb");
    assert_int_equal(v.displaced_by_mid, 3);
    assert_int_equal(v.displaced_retry_s, 600);
    assert_int_equal(v.n_displaced_by_prefixes, 1);
    char which[128] = "";
    if (scrub_core_mitigations_each(f->core, "acme", false, displacing_cb, which, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(which, "cb/3 198.51.100.0/25");

    /* asked for again while cb/3 is active: refused, naming it */
    assert_int_equal(client_put(f, "ca", 1, "198.51.100.0/25", true, &g, &err), -1);
    assert_int_equal(err.code, EBUSY);
    assert_string_equal(err.msg, "conflict: mitigation cb/3 of another DOTS client of 'acme' is active on overlapping "
                                 "targets; it displaced this one, which may be asked for again once it has ended "
                                 "(RFC 9132 section 4.4.1)");
    assert_int_equal(g.conflict_mid, 3);
    assert_int_equal(g.conflict_retry_s, 600);

    /* across a restart, and cb's next mid replacing cb/3 */
    stop_core(f);
    start_core(f);
    assert_int_equal(view(f, "ca", 1).state, SCRUB_MIT_DISPLACED);
    assert_int_equal(client_put(f, "cb", 4, "198.51.100.0/27", true, &g, &err), 0);
    assert_int_equal(g.replaced, 1);
    assert_int_equal(g.displaced, 0);
    assert_int_equal(view(f, "ca", 1).displaced_by_mid, 4);
    assert_int_equal(client_put(f, "ca", 1, "198.51.100.0/25", true, &g, &err), -1);
    assert_int_equal(g.conflict_mid, 4);

    /* cb/4 ends: ca/1 stays displaced until asked for, then is active */
    assert_int_equal(terminate(f, "acme", "cb", 4, 0), 0);
    v = view(f, "ca", 1);
    assert_int_equal(v.state, SCRUB_MIT_DISPLACED);
    assert_int_equal(v.displaced_retry_s, -1);
    assert_null(v.displaced_by_prefixes);
    assert_int_equal(client_put(f, "ca", 1, "198.51.100.0/25", true, &g, &err), 0);
    assert_int_equal(g.displaced, 0);
    v = view(f, "ca", 1);
    assert_int_equal(v.state, SCRUB_MIT_IN_PROGRESS);
    assert_null(v.displaced_by);
    assert_true(on_card(f, "198.51.100.0/25", &d));
}

/* The rest of the mid rule: an immediate request replaces an overlapping
 * waiting one (trigger false) whatever their mids, never the reverse; mids
 * start again at 0 after 3/4 of 2^32 - 1, in peace time only. */
static void test_mid_rule_trigger_and_rollover(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_mitigation_granted g;
    assert_int_equal(client_put(f, "c1", 10, "198.51.100.0/25", false, &g, &err), 0);
    assert_int_equal(client_put(f, "c1", 5, "198.51.100.0/26", true, &g, &err), 0); /* immediate, lower mid */
    assert_int_equal(g.replaced, 1);
    assert_int_equal(client_put(f, "c1", 11, "198.51.100.0/25", false, &g, &err), -1); /* waiting, higher */
    assert_int_equal(err.code, EBUSY);
    assert_int_equal(g.conflict_mid, 5);
    assert_string_equal(err.msg, "conflict: mitigation c1/5 overlaps it; it is on the card, and a request with "
                                 "trigger-mitigation false does not replace one (RFC 9132 section 4.4.1)");
    assert_int_equal(n_mitigations(f), 1);

    /* rollover: refused while c1/3221225471 is active, taken once none is */
    assert_int_equal(client_put(f, "c1", 3221225471, "198.51.100.0/25", true, &g, &err), 0);
    assert_int_equal(g.replaced, 1);
    assert_int_equal(client_put(f, "c1", 0, "198.51.100.0/25", true, &g, &err), -1);
    assert_int_equal(g.conflict_mid, 3221225471);
    assert_int_equal(terminate(f, "acme", "c1", 3221225471, 0), 0);
    assert_int_equal(client_put(f, "c1", 3221225472, "198.51.100.0/25", false, &g, &err), 0);
    assert_int_equal(client_put(f, "c1", 0, "198.51.100.0/25", false, &g, &err), 0); /* both waiting */
    assert_int_equal(g.replaced, 1);
    assert_int_equal(n_mitigations(f), 1);
    assert_int_equal(view(f, "c1", 0).state, SCRUB_MIT_WAITING);
    /* below the rollover mark a lower mid is still refused */
    assert_int_equal(client_put(f, "c1", 7, "198.51.100.0/25", false, &g, &err), 0);
    assert_int_equal(client_put(f, "c1", 6, "198.51.100.0/25", false, &g, &err), -1);
    assert_int_equal(g.conflict_mid, 7);
}

/* globex nested in acme (198.51.100.128/25 inside acme's 198.51.100.0/24,
 * as scrub-config's nested-in allows): each mitigates what is its own,
 * acme's wider scope beside globex's without a conflict, and acme is
 * refused where globex wins. */
static void test_nested_tenants(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_tenant *globex = &f->cfg.tenants[1];
    globex->prefixes = realloc(globex->prefixes, (globex->n_prefixes + 1) * sizeof(*globex->prefixes));
    assert_non_null(globex->prefixes);
    globex->prefixes[globex->n_prefixes++] = prefix("198.51.100.128/25");
    assert_int_equal(scrub_core_set_config(f->core, &f->cfg, &err), 0);
    put_ok(f, "acme", "cuid-a", 1, "198.51.100.0/24", 600);
    put_ok(f, "globex", "cuid-g", 1, "198.51.100.128/26", 600);
    struct scrub_dest_entry d;
    assert_true(on_card(f, "198.51.100.0/24", &d));
    assert_int_equal(d.tenant, 1);
    assert_true(on_card(f, "198.51.100.128/26", &d));
    assert_int_equal(d.tenant, 2);
    put_refused(f, &operator, "acme", "198.51.100.192/26", NULL, EACCES,
                "not authorized: 198.51.100.192/26 lies in 198.51.100.128/25, which 'globex' owns inside "
                "198.51.100.0/24: 'globex' wins there (nested-in)");
    put_refused(f, &operator, "globex", "198.51.100.0/25", NULL, EACCES,
                "not authorized: 198.51.100.0/25 is not inside the prefixes 'globex' owns (203.0.113.0/24 "
                "2001:db8:200::/48 198.51.100.128/25)");
    assert_int_equal(n_mitigations(f), 2);
}

static void test_card_full(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    /* The card has 256 destination entries, the configuration takes 4. */
    for (int i = 0; i < 252; i++) {
        char p[32];
        snprintf(p, sizeof(p), "198.51.100.%d/32", i);
        if (put(f, &operator, "acme", "cuid-acme", i, p, NULL, -1, &err))
            fail_msg("%d: %s", i, err.msg);
    }
    assert_int_equal(put(f, &operator, "acme", "cuid-acme", 300, "198.51.100.252/32", NULL, -1, &err), -1);
    assert_int_equal(err.code, ENOSPC);
    assert_string_equal(err.msg, "does not fit on the card (room left: 0 destination entries, 3548 counter pairs): "
                                 "the destinations need 257 entries, the card has 256: the configuration's "
                                 "protected prefixes 4, mitigations' prefixes 253");
    assert_int_equal(n_mitigations(f), 252);
}

static int count_acl(void *ctx, const struct scrub_store_acl *row)
{
    (void)row;
    (*(size_t *)ctx)++;
    return 0;
}

static int count_alias(void *ctx, const struct scrub_store_alias *row)
{
    (void)row;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_clients_and_quotas(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_prefix owned[2] = {prefix("192.0.2.128/25"), prefix("2001:db8:300::/48")};
    struct scrub_client_req r = {"initech", "strict", {1, 10, 1, 5, 2}, owned, 2};
    if (scrub_core_client_add(f->core, &operator, &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(scrub_core_client_add(f->core, &operator, &r, &err), -1);
    assert_string_equal(err.msg, "client 'initech' exists already (added at run time)");
    struct scrub_prefix clash = prefix("198.51.100.128/25");
    struct scrub_client_req r2 = {"hooli", "strict", {1, 1, 1, 1, 1}, &clash, 1};
    assert_int_equal(scrub_core_client_add(f->core, &operator, &r2, &err), -1);
    assert_string_equal(err.msg, "198.51.100.128/25 overlaps 198.51.100.0/24, which 'acme' owns; owned prefixes do "
                                 "not overlap");

    put_ok(f, "initech", "cuid-i", 1, "192.0.2.128/26", 600);
    struct scrub_dest_entry d;
    assert_true(on_card(f, "192.0.2.128/26", &d));
    assert_int_equal(d.tenant, 65535); /* run-time clients count down from the top */
    assert_int_equal(d.profile, 2);
    assert_int_equal(put(f, &operator, "initech", "cuid-i", 2, "192.0.2.192/26", NULL, 600, &err), -1);
    assert_int_equal(err.code, EDQUOT);
    assert_string_equal(err.msg, "quota: client 'initech' has 1 mitigations of its quota of 1; withdraw one first, "
                                 "or raise the quota (scrubctl client add with --max-mitigations)");

    struct scrub_source_req s = {"initech", {{0}}, SCRUB_STORE_SOURCE_DROP, NULL};
    assert_true(scrub_addr_parse("198.18.0.1", &s.addr));
    if (scrub_core_source_put(f->core, &operator, &s, &err))
        fail_msg("%s", err.msg);
    assert_true(scrub_addr_parse("198.18.0.2", &s.addr));
    assert_int_equal(scrub_core_source_put(f->core, &operator, &s, &err), -1);
    assert_string_equal(err.msg, "quota: client 'initech' has 1 source entries of its quota of 1; remove one first, "
                                 "or raise the quota");
    const struct card_image *img = scrub_core_image(f->core);
    assert_int_equal(img->n_em, 4); /* acme's three and initech's one */

    /* a data-channel registration and ACL of its cuid, and another cuid's alias */
    assert_int_equal(scrub_store_begin(f->store, &err), 0);
    struct scrub_store_data_client dc = {.cuid = "cuid-i", .identity = "initech", .registered_at = 1};
    struct scrub_store_acl acl = {.cuid = "cuid-i", .name = "a", .position = 1, .body = "{}", .updated_at = 1};
    struct scrub_store_data_client dc2 = {.cuid = "cuid-j", .identity = "initech", .registered_at = 1};
    struct scrub_store_alias alias = {.cuid = "cuid-j", .name = "b", .body = "{}", .updated_at = 1};
    if (scrub_store_data_client_put(f->store, &dc, &err) < 0 || scrub_store_acl_put(f->store, &acl, &err) ||
        scrub_store_data_client_put(f->store, &dc2, &err) < 0 || scrub_store_alias_put(f->store, &alias, &err) ||
        scrub_store_commit(f->store, &err))
        fail_msg("%s", err.msg);

    size_t withdrawn;
    assert_int_equal(scrub_core_client_remove(f->core, &operator, "initech", false, &withdrawn, &err), -1);
    assert_string_equal(err.msg, "client 'initech' has 1 mitigations; withdraw them first, or remove the client "
                                 "with --withdraw to withdraw them with it");
    if (scrub_core_client_remove(f->core, &operator, "initech", true, &withdrawn, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(withdrawn, 1);
    assert_false(on_card(f, "192.0.2.128/26", &d));
    assert_int_equal(scrub_core_image(f->core)->n_em, 3);
    assert_int_equal(n_mitigations(f), 0);
    /* its cuids and what they held on the data channel went with it */
    char owner[64];
    assert_int_equal(scrub_store_cuid_owner(f->store, "cuid-i", owner, sizeof(owner), &err), 0);
    assert_int_equal(scrub_store_cuid_owner(f->store, "cuid-j", owner, sizeof(owner), &err), 0);
    size_t n = 0;
    assert_int_equal(scrub_store_acls_each(f->store, NULL, count_acl, &n, &err), 0);
    assert_int_equal(scrub_store_aliases_each(f->store, "cuid-j", count_alias, &n, &err), 0);
    assert_int_equal(n, 0);
}

static void test_expiry_and_restart(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_dest_entry d;
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/28", 30);
    put_ok(f, "acme", "cuid-acme", 2, "198.51.100.16/28", 300);
    put_ok(f, "acme", "cuid-acme", 3, "198.51.100.32/28", -1);
    f->now.wall_s += 29;
    f->now.boottime_ms += 29000;
    assert_int_equal(scrub_core_expire(f->core, &err), 0);
    f->now.wall_s += 1;
    f->now.boottime_ms += 1000;
    assert_int_equal(scrub_core_expire(f->core, &err), 1);
    assert_false(on_card(f, "198.51.100.0/28", &d));
    assert_true(on_card(f, "198.51.100.16/28", &d));
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "scrubd | mitigation expired cuid-acme/1 | ok");

    /* The daemon stops; the wall clock jumps back an hour, the boot clock
     * runs on 300 s: within the same boot the boot clock decides. */
    stop_core(f);
    f->now.wall_s -= 3600;
    f->now.boottime_ms += 300000;
    f->flaky.table_cmds = 0;
    start_core(f);
    assert_false(on_card(f, "198.51.100.16/28", &d));
    assert_true(on_card(f, "198.51.100.32/28", &d));
    assert_int_equal(n_mitigations(f), 1);
    assert_int_equal(f->flaky.table_cmds, 1); /* the expired entry's DEST entry cleared, nothing else */

    /* After a reboot the wall clock decides. */
    put_ok(f, "acme", "cuid-acme", 4, "198.51.100.48/28", 100);
    stop_core(f);
    snprintf(f->now.boot_id, sizeof(f->now.boot_id), "boot-2");
    f->now.boottime_ms = 1000;
    f->now.wall_s += 101;
    start_core(f);
    assert_false(on_card(f, "198.51.100.48/28", &d));
    assert_int_equal(n_mitigations(f), 1);
}

/* A restart next to a programmed card writes nothing. */
static void test_restart_writes_nothing(void **state)
{
    struct fixture *f = *state;
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/26", -1);
    put_ok(f, "globex", "cuid-globex", 1, "203.0.113.0/24", -1); /* overrides globex's configured entry */
    stop_core(f);
    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    f->flaky.table_cmds = 0;
    start_core(f);
    assert_int_equal(f->flaky.table_cmds, 0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits);
    assert_int_equal(n_mitigations(f), 2);
}

/* The card refuses the sync: the stored change is undone and audited. */
static void test_card_refuses(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    f->flaky.fail = true;
    assert_int_equal(put(f, &operator, "acme", "cuid-acme", 1, "198.51.100.0/26", NULL, 600, &err), -1);
    f->flaky.fail = false;
    assert_non_null(strstr(err.msg, "flaky card: table command refused"));
    assert_non_null(strstr(err.msg, "the card refused the change, so it was undone in the store: syncing the card"));
    assert_null(strstr(err.msg, "undoing it failed too")); /* the failed sync left the card as it was */
    /* Once the card works, the store holds nothing of it and the card neither. */
    assert_int_equal(n_mitigations(f), 0);
    char audit[600];
    last_audit(f, audit);
    assert_non_null(strstr(audit, "| refused by the card, undone: syncing the card"));
    stop_core(f);
    start_core(f);
    struct scrub_dest_entry d;
    assert_false(on_card(f, "198.51.100.0/26", &d));
}

static void count_change(void *ctx)
{
    (*(unsigned *)ctx)++;
}

static int client_add(struct fixture *f, struct scrub_err *err)
{
    struct scrub_prefix p = prefix("192.0.2.0/24");
    struct scrub_client_req r = {.identity = "initech", .profile = "standard", .prefixes = &p, .n_prefixes = 1,
                                 .quotas = {.mitigations = 4}};
    return scrub_core_client_add(f->core, &operator, &r, err);
}

/* Group commit: a group's changes are checked one by one (a refusal is
 * its own), seen by lookups, and reach the store and the card in one
 * commit at the end, which tells on_change once. */
static void test_group_commit(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_dest_entry d;
    unsigned changes = 0;
    scrub_core_on_change(f->core, count_change, &changes);
    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    scrub_core_group_begin(f->core);
    put_ok(f, "acme", "cuid-g", 1, "198.51.100.1/32", 600);
    put_ok(f, "acme", "cuid-g", 2, "198.51.100.2/32", 600);
    put_refused(f, &operator, "acme", "203.0.113.0/25", NULL, EACCES,
                "not authorized: 203.0.113.0/25 is not inside the prefixes 'acme' owns (198.51.100.0/24 "
                "2001:db8:100::/48)");
    put_ok(f, "globex", "cuid-h", 1, "203.0.113.7/32", 600);
    if (scrub_core_mitigation_withdraw(f->core, &operator, "cuid-g", 2, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(client_add(f, &err), -1);
    assert_int_equal(err.code, EINVAL);
    assert_int_equal(scrub_core_mitigation_withdraw(f->core, &operator, "cuid-g", 1, &(struct scrub_traffic){0},
                                                    &err),
                     -1);
    assert_int_equal(err.code, EINVAL);
    assert_int_equal(scrub_core_group_size(f->core), 4);
    assert_int_equal(n_mitigations(f), 2); /* lookups see the group */
    assert_false(on_card(f, "198.51.100.1/32", &d)); /* the card does not, yet */
    assert_int_equal(changes, 0);
    if (scrub_core_group_end(f->core, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits + 1);
    assert_int_equal(changes, 1);
    assert_true(on_card(f, "198.51.100.1/32", &d));
    assert_true(on_card(f, "203.0.113.7/32", &d));
    assert_false(on_card(f, "198.51.100.2/32", &d));
    char audit[600];
    last_audit(f, audit);
    assert_string_equal(audit, "uid 0 (root) | mitigation withdraw cuid=cuid-g mid=2 | ok");
    /* Durable: a new core finds them, and the card needs nothing. */
    stop_core(f);
    start_core(f);
    assert_int_equal(n_mitigations(f), 2);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits + 1);
    assert_int_equal(client_add(f, &err), 0); /* outside a group, anything */
}

/* Near a full card the group checks each change exactly: the one that
 * does not fit is refused alone. */
static void test_group_card_full(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    for (int i = 0; i < 251; i++) {
        char p[32];
        snprintf(p, sizeof(p), "198.51.100.%d/32", i);
        if (put(f, &operator, "acme", "cuid-acme", i, p, NULL, -1, &err))
            fail_msg("%d: %s", i, err.msg);
    }
    scrub_core_group_begin(f->core);
    put_ok(f, "acme", "cuid-acme", 251, "198.51.100.251/32", -1);
    assert_int_equal(put(f, &operator, "acme", "cuid-acme", 252, "198.51.100.252/32", NULL, -1, &err), -1);
    assert_int_equal(err.code, ENOSPC);
    assert_non_null(strstr(err.msg, "the destinations need 257 entries, the card has 256"));
    if (scrub_core_mitigation_withdraw(f->core, &operator, "cuid-acme", 0, NULL, &err))
        fail_msg("%s", err.msg);
    if (scrub_core_group_end(f->core, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n_mitigations(f), 251);
    struct scrub_dest_entry d;
    assert_true(on_card(f, "198.51.100.251/32", &d));
    assert_false(on_card(f, "198.51.100.0/32", &d));
}

/* The card refusing the group's sync undoes every change of the group in
 * the store, and the card is left as it was. */
static void test_group_card_refuses(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    put_ok(f, "acme", "cuid-acme", 1, "198.51.100.0/26", 600);
    scrub_core_group_begin(f->core);
    put_ok(f, "acme", "cuid-acme", 2, "198.51.100.64/26", 600);
    if (scrub_core_mitigation_withdraw(f->core, &operator, "cuid-acme", 1, NULL, &err))
        fail_msg("%s", err.msg);
    f->flaky.fail = true;
    assert_int_equal(scrub_core_group_end(f->core, &err), -1);
    f->flaky.fail = false;
    assert_non_null(strstr(err.msg, "the card refused the group's 2 changes, so they were undone in the store: "
                                    "syncing the card"));
    assert_null(strstr(err.msg, "undoing them failed too"));
    assert_int_equal(n_mitigations(f), 1);
    char audit[600];
    last_audit(f, audit);
    assert_non_null(strstr(audit, "scrubd | group of 2 changes | refused by the card, undone: syncing the card"));
    stop_core(f);
    start_core(f);
    assert_int_equal(n_mitigations(f), 1);
    struct scrub_dest_entry d;
    assert_true(on_card(f, "198.51.100.0/26", &d));
    assert_false(on_card(f, "198.51.100.64/26", &d));
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_mitigation_installed_and_withdrawn),
        TEST(test_update_in_place),
        TEST(test_refusals),
        TEST(test_mid_rule_and_cuids),
        TEST(test_trigger_on_signal_loss),
        TEST(test_configured_identity),
        TEST(test_gateway_cdid),
        TEST(test_client_conflicts),
        TEST(test_mid_rule_trigger_and_rollover),
        TEST(test_nested_tenants),
        TEST(test_card_full),
        TEST(test_clients_and_quotas),
        TEST(test_expiry_and_restart),
        TEST(test_restart_writes_nothing),
        TEST(test_card_refuses),
        TEST(test_group_commit),
        TEST(test_group_card_full),
        TEST(test_group_card_refuses),
        TEST(test_status_rule),
        TEST(test_average_buckets),
        TEST(test_active_but_terminating),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
