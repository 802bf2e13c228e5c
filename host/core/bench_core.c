/* scrub-bench-core DIR CONFIG: issue 4's figures for the host core on the
 * model backend with the deployment table sizes, each printed as
 * key=value with its workload on the line before (scripts/bench-host):
 *   rule_inserts_per_s       single exact-match inserts through the HAL,
 *                            one transaction each (acl_inserts_per_s: one
 *                            ACL row and its commit per transaction)
 *   mitigation_apply_p99_us  scrub_core_mitigation_put of one mitigation
 *                            (two prefixes, the tenant's profile):
 *                            checks, store commit (durable), card sync;
 *                            on an idle core and beside 1,000 others
 *   restart_reprogram_ms     a new core on a store of 10,000 mitigations
 *                            (one prefix each) taking a card that lost
 *                            its tables: configuration, load, build, sync
 *   restart_reconcile_ms     the same against the card it programmed
 *   durable_changes_per_s    adds and withdrawals through the core API by
 *                            16 callers beside 1,000 mitigations, their
 *                            requests of a round grouped in one commit
 *                            (and _ungrouped: one commit each)
 * DIR holds the stores (on the disk under test, not tmpfs); CONFIG is a
 * configuration with the tenant "acme" owning 2001:db8:100::/48. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scrub_core.h"
#include "scrub_hal_model.h"

#define RESTART_MITIGATIONS 10000
#define APPLY_RUNS 1000
#define CALLERS 16

static const struct scrub_actor bench_actor = {SCRUB_STORE_WHO_LOCAL_USER, "scrub-bench-core",
                                               SCRUB_STORE_CHANNEL_CONTROL, true};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct scrub_err *err)
{
    fprintf(stderr, "scrub-bench-core: %s: %s\n", what, err->msg);
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double *v, size_t n, double p)
{
    qsort(v, n, sizeof(*v), cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

/* The i-th /128 inside acme's 2001:db8:100::/48. */
static struct scrub_prefix host_prefix(unsigned i)
{
    char text[64];
    snprintf(text, sizeof(text), "2001:db8:100::%x:%x/128", i >> 16, i & 0xffff);
    struct scrub_prefix p;
    scrub_prefix_parse(text, &p);
    return p;
}

/* The card model with the deployment table sizes, behind the model backend. */
struct bench_card {
    struct scrub_model *model;
    struct scrub_hal *hal;
};

static void card_open(struct bench_card *c)
{
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_DEPLOY;
    struct scrub_err err = {0};
    if (!(c->model = scrub_model_new(&params))) {
        fprintf(stderr, "scrub-bench-core: cannot create the card model\n");
        exit(1);
    }
    if (!(c->hal = scrub_hal_model_attach(c->model, &err)))
        die("model backend", &err);
}

static void card_close(struct bench_card *c)
{
    scrub_hal_close(c->hal);
    scrub_model_free(c->model);
}

/* DIR/NAME, with no store there yet. */
static void fresh_store(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    scrub_store_unlink(path);
}

struct bench_core {
    struct scrub_store *store;
    struct scrub_core *core;
};

/* What the daemon does at start: the store, a core, its configuration,
 * the card taken (st, if not NULL: what was written to it). */
static void core_open(struct bench_core *b, const char *path, const struct scrub_config *cfg, struct scrub_hal *h,
                      struct card_sync_stats *st)
{
    struct scrub_err err = {0};
    b->store = scrub_store_open(path, 1000, &err);
    if (!b->store)
        die(path, &err);
    b->core = scrub_core_new(b->store, NULL, &err);
    if (!b->core || scrub_core_set_config(b->core, cfg, &err) || scrub_core_attach(b->core, h, st, &err))
        die("starting the core", &err);
}

static void core_close(struct bench_core *b)
{
    scrub_core_free(b->core);
    scrub_store_close(b->store);
}

/* ---- rule inserts through the HAL ----------------------------------------------------- */

static void bench_rule_inserts(void)
{
    struct bench_card card;
    card_open(&card);
    struct scrub_hal *h = card.hal;
    struct scrub_err err = {0};
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    unsigned n = h->caps.em_buckets / 2; /* half full: the load an exact-match table is sized for */
    double start = now_s();
    for (unsigned i = 0; i < n; i++) {
        struct scrub_em_entry e = {.tenant = 1, .action = SCRUB_ACTION_DROP, .valid = true, .counter = 0};
        e.addr = host_prefix(i).addr;
        scrub_words w = {0};
        scrub_em_pack(&e, w);
        scrub_txn_reset(&t);
        scrub_txn_em_command(&t, SCRUB_CMD_EM_INSERT, w);
        if (scrub_hal_run(h, &t, &err))
            die("exact-match insert", &err);
    }
    double em = (double)n / (now_s() - start);
    unsigned acl = h->caps.acl;
    start = now_s();
    for (unsigned i = 0; i < acl; i++) {
        struct scrub_acl_entry e;
        scrub_acl_entry_any(&e);
        e.valid = true;
        e.tenant_value = (uint16_t)(i + 1);
        e.tenant_mask = 0xffff;
        e.action = SCRUB_ACTION_DROP;
        scrub_words w = {0};
        scrub_acl_pack(&e, w);
        scrub_txn_reset(&t);
        scrub_txn_table_write(&t, SCRUB_TABLE_ACL, i, w, SCRUB_TABLE_ACL_WORDS);
        scrub_txn_write(&t, SCRUB_REG_COMMIT, 1);
        scrub_txn_poll(&t, SCRUB_REG_STATUS, SCRUB_STATUS_COMMIT_BUSY_MASK, 0, 1000000);
        if (scrub_hal_run(h, &t, &err))
            die("ACL insert", &err);
    }
    double acl_rate = (double)acl / (now_s() - start);
    printf("# %u exact-match inserts (tenant, IPv6 source, drop) into %u buckets, one HAL transaction each\n", n,
           h->caps.em_buckets);
    printf("rule_inserts_per_s=%.0f\n", em);
    printf("# %u ACL entries, one transaction each: the row and a commit\n", acl);
    printf("acl_inserts_per_s=%.0f\n", acl_rate);
    scrub_txn_free(&t);
    card_close(&card);
}

/* ---- applying one mitigation ---------------------------------------------------------- */

static void put(struct scrub_core *c, const char *cuid, int64_t mid, const struct scrub_prefix *p, size_t n)
{
    struct scrub_err err = {0};
    struct scrub_mitigation_req r = {.identity = "acme", .cuid = cuid, .mid = mid, .prefixes = p,
                                     .n_prefixes = n, .lifetime = 3600, .trigger = true};
    if (scrub_core_mitigation_put(c, &bench_actor, &r, NULL, &err))
        die("mitigation put", &err);
}

static void withdraw(struct scrub_core *c, const char *cuid, int64_t mid)
{
    struct scrub_err err = {0};
    if (scrub_core_mitigation_withdraw(c, &bench_actor, cuid, mid, NULL, &err))
        die("mitigation withdraw", &err);
}

/* n mitigations of one /128 each, for the others beside a measurement. */
static void put_others(struct scrub_core *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct scrub_prefix p = host_prefix(i);
        put(c, "others", i, &p, 1);
    }
}

/* APPLY_RUNS puts of a new mitigation (each withdrawn before the next). */
static void apply_runs(struct scrub_core *c, const char *label, unsigned others)
{
    static double us[APPLY_RUNS];
    struct scrub_prefix p[2] = {host_prefix(0xfffff), host_prefix(0xffffe)};
    for (unsigned i = 0; i < APPLY_RUNS; i++) {
        double start = now_s();
        put(c, "apply", i, p, 2);
        us[i] = (now_s() - start) * 1e6;
        withdraw(c, "apply", i);
    }
    double p50 = percentile(us, APPLY_RUNS, 0.5), p99 = percentile(us, APPLY_RUNS, 0.99);
    printf("# %u puts of one mitigation (2 IPv6 prefixes, profile standard) beside %u others, each withdrawn "
           "before the next\n",
           APPLY_RUNS, others);
    printf("mitigation_apply_p50_us%s=%.0f\n", label, p50);
    printf("mitigation_apply_p99_us%s=%.0f\n", label, p99);
}

static void bench_apply(const char *dir, const struct scrub_config *cfg)
{
    char path[4096];
    fresh_store(dir, "bench-apply.db", path, sizeof(path));
    struct bench_card card;
    card_open(&card);
    struct bench_core b;
    core_open(&b, path, cfg, card.hal, NULL);
    apply_runs(b.core, "", 0);
    put_others(b.core, 1000);
    apply_runs(b.core, "_beside_1000", 1000);
    core_close(&b);
    card_close(&card);
}

/* ---- restart ----------------------------------------------------------------------------- */

/* RESTART_MITIGATIONS active mitigations written straight into the store
 * (what a running daemon would have left there). */
static void fill_store(const char *path)
{
    struct scrub_err err = {0};
    struct scrub_store *s = scrub_store_open(path, 1000, &err);
    if (!s || scrub_store_begin(s, &err))
        die(path, &err);
    int64_t now = time(NULL);
    for (unsigned i = 0; i < RESTART_MITIGATIONS; i++) {
        char scope[128], text[SCRUB_PREFIX_TEXT];
        struct scrub_prefix p = host_prefix(i);
        scrub_prefix_format(&p, text, sizeof(text));
        snprintf(scope, sizeof(scope), "{\"target-prefix\":[\"%s\"]}", text);
        struct scrub_store_mitigation m = {.identity = "acme", .cuid = "restart", .mid = i, .scope = scope,
                                           .profile = "standard", .lifetime = -1, .status = SCRUB_STORE_ACTIVE,
                                           .created_at = now, .triggered_at = now, .boot_id = ""};
        if (scrub_store_mitigation_put(s, &m, &err))
            die("filling the store", &err);
    }
    if (scrub_store_commit(s, &err))
        die("filling the store", &err);
    scrub_store_close(s);
}

static double restart_ms(const char *path, const struct scrub_config *cfg, struct scrub_hal *h, unsigned *writes)
{
    struct bench_core b;
    struct card_sync_stats st;
    double start = now_s();
    core_open(&b, path, cfg, h, &st);
    double ms = (now_s() - start) * 1e3;
    *writes = card_sync_writes(&st);
    core_close(&b);
    return ms;
}

static void bench_restart(const char *dir, const struct scrub_config *cfg)
{
    char path[4096];
    fresh_store(dir, "bench-restart.db", path, sizeof(path));
    fill_store(path);
    struct bench_card card;
    card_open(&card);
    unsigned writes;
    double reprogram = restart_ms(path, cfg, card.hal, &writes);
    printf("# a new core on a store of %u mitigations (one /128 each) taking a card that lost its tables "
           "(%u table writes)\n",
           RESTART_MITIGATIONS, writes);
    printf("restart_reprogram_ms=%.0f\n", reprogram);
    double reconcile = restart_ms(path, cfg, card.hal, &writes);
    printf("# the same against the card it programmed (%u table writes)\n", writes);
    printf("restart_reconcile_ms=%.0f\n", reconcile);
    card_close(&card);
}

/* ---- durable changes -------------------------------------------------------------------- */

/* CALLERS callers, each adding a mitigation (one /128) and withdrawing it
 * in turn; grouped: the CALLERS requests of a round arrive together and
 * share one commit (scrub_core_group_*), acknowledged after its end. */
static void bench_changes(const char *dir, const struct scrub_config *cfg, double seconds, bool grouped)
{
    char path[4096];
    fresh_store(dir, "bench-changes.db", path, sizeof(path));
    struct bench_card card;
    card_open(&card);
    struct bench_core b;
    core_open(&b, path, cfg, card.hal, NULL);
    put_others(b.core, 1000);
    int64_t mid[CALLERS] = {0};
    bool active[CALLERS] = {false};
    char cuid[CALLERS][16];
    for (unsigned i = 0; i < CALLERS; i++)
        snprintf(cuid[i], sizeof(cuid[i]), "caller-%u", i);
    unsigned long changes = 0;
    double start = now_s(), end = start;
    while (end - start < seconds) {
        if (grouped)
            scrub_core_group_begin(b.core);
        for (unsigned i = 0; i < CALLERS; i++) {
            if (active[i]) {
                withdraw(b.core, cuid[i], mid[i]);
                mid[i]++;
            } else {
                struct scrub_prefix p = host_prefix(0x10000 + i);
                put(b.core, cuid[i], mid[i], &p, 1);
            }
            active[i] = !active[i];
        }
        struct scrub_err err = {0};
        if (grouped && scrub_core_group_end(b.core, &err))
            die("group commit", &err);
        changes += CALLERS;
        end = now_s();
    }
    printf("# %u callers, each adding a mitigation (one /128) and withdrawing it in turn, beside 1000 others, "
           "for %.0f s: %s\n",
           CALLERS, seconds,
           grouped ? "each round's requests arrive together and share one commit and one card sync"
                   : "one change per commit");
    printf("durable_changes_per_s%s=%.0f\n", grouped ? "" : "_ungrouped", (double)changes / (end - start));
    core_close(&b);
    card_close(&card);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: scrub-bench-core DIR CONFIG\n");
        return 2;
    }
    struct scrub_config cfg;
    struct scrub_err err = {0};
    if (scrub_config_load(argv[2], NULL, &cfg, &err))
        die(argv[2], &err);
    bench_rule_inserts();
    bench_apply(argv[1], &cfg);
    bench_restart(argv[1], &cfg);
    bench_changes(argv[1], &cfg, 5, false);
    bench_changes(argv[1], &cfg, 5, true);
    scrub_config_free(&cfg);
    return 0;
}
