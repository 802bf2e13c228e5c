/* The desired card image and its sync on the card model (host/core):
 * a fresh card programmed as config_apply lays it out, reconciliation that
 * writes nothing when the card holds the image, one tampered entry
 * rewritten alone, a mitigation that writes only its own entries, stable
 * indexes and counters, and random add/withdraw sequences checked against
 * an image built from scratch. Writes are counted at the register port. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "card_image.h"
#include "card_readback.h"
#include "card_sync.h"
#include "config_apply.h"
#include "scrub_hal_exec.h"
#include "scrub_hal_model.h"

/* A model backend that counts the table commands and commits it runs. */
struct counting {
    struct scrub_model *m;
    unsigned table_writes, em_inserts, em_deletes, counter_writes, commits;
    uint32_t select;
};

static bool count_read(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err)
{
    (void)err;
    *value = scrub_model_read(((struct counting *)ctx)->m, addr);
    return true;
}

static bool count_write(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    (void)err;
    struct counting *c = ctx;
    if (addr == SCRUB_REG_TBL_SELECT)
        c->select = value;
    if (addr == SCRUB_REG_TBL_CMD && value == SCRUB_CMD_WRITE)
        c->select == SCRUB_TABLE_COUNTER ? c->counter_writes++ : c->table_writes++;
    if (addr == SCRUB_REG_TBL_CMD && value == SCRUB_CMD_EM_INSERT)
        c->em_inserts++;
    if (addr == SCRUB_REG_TBL_CMD && value == SCRUB_CMD_EM_DELETE)
        c->em_deletes++;
    if (addr == SCRUB_REG_COMMIT)
        c->commits++;
    scrub_model_write(c->m, addr, value);
    return true;
}

static bool count_wait(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
    return false;
}

static int count_run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    struct scrub_hal_regs regs = {.read = count_read, .write = count_write, .wait = count_wait, .ctx = ctx};
    return scrub_hal_exec(&regs, "counting model", t, err);
}

static void count_close(void *ctx)
{
    (void)ctx;
}

static const struct scrub_hal_backend counting_backend = {.name = "counting", .run = count_run, .close = count_close};

struct fixture {
    struct scrub_model *model;
    struct counting count;
    struct scrub_hal *hal;
    struct scrub_config cfg;
    struct card_image card; /* what the card holds, as last synced */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_err err = {0};
    assert_non_null(f);
    assert_non_null(f->model = scrub_model_new(&params));
    f->count.m = f->model;
    f->hal = scrub_hal_attach(&counting_backend, &f->count, &err);
    if (!f->hal)
        fail_msg("%s", err.msg);
    if (scrub_config_load(DEMO_JSON, NULL, &f->cfg, &err))
        fail_msg("%s", err.msg);
    if (card_readback(f->hal, &f->card, &err))
        fail_msg("%s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    card_image_free(&f->card);
    scrub_config_free(&f->cfg);
    scrub_hal_close(f->hal);
    scrub_model_free(f->model);
    free(f);
    return 0;
}

static void reset_counts(struct fixture *f)
{
    struct scrub_model *m = f->count.m;
    memset(&f->count, 0, sizeof(f->count));
    f->count.m = m;
}

/* Mitigations of the tests: tenant acme (id 1), profile strict (id 2). */
#define MAX_MIT 64
struct mits {
    struct image_mitigation m[MAX_MIT];
    struct scrub_prefix p[MAX_MIT];
    char names[MAX_MIT][32];
    size_t n;
};

static void mit_add(struct mits *s, int64_t mid, const char *prefix, uint8_t profile)
{
    assert_true(s->n < MAX_MIT);
    size_t i = s->n++;
    assert_true(scrub_prefix_parse(prefix, &s->p[i]));
    snprintf(s->names[i], sizeof(s->names[i]), "mitigation c/%lld", (long long)mid);
    s->m[i] = (struct image_mitigation){s->names[i], 1, profile, mid, &s->p[i], 1};
}

static void mit_remove(struct mits *s, size_t i)
{
    s->n--;
    for (size_t k = i; k < s->n; k++) {
        s->p[k] = s->p[k + 1];
        memcpy(s->names[k], s->names[k + 1], sizeof(s->names[k]));
        s->m[k] = s->m[k + 1];
    }
    for (size_t k = 0; k < s->n; k++) {
        s->m[k].name = s->names[k];
        s->m[k].prefixes = &s->p[k];
    }
}

static int build(struct fixture *f, const struct mits *s, const struct card_image *prev, struct card_image *out,
                 struct scrub_err *err)
{
    struct image_input in = {.cfg = &f->cfg, .mitigations = s ? s->m : NULL, .n_mitigations = s ? s->n : 0};
    return card_image_build(&in, &f->hal->caps, prev, out, err);
}

/* Builds against what the card holds, syncs, keeps the new image. */
static struct card_sync_stats step(struct fixture *f, const struct mits *s)
{
    struct scrub_err err = {0};
    struct card_image want;
    struct card_sync_stats st;
    if (build(f, s, &f->card, &want, &err) || card_sync(f->hal, &f->card, &want, &st, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    card_image_free(&f->card);
    f->card = want;
    return st;
}

static void readback_equals(struct fixture *f, const struct card_image *want)
{
    struct scrub_err err = {0};
    struct card_image back;
    if (card_readback(f->hal, &back, &err))
        fail_msg("%s", err.msg);
    assert_true(card_image_equal(&back, want));
    card_image_free(&back);
}

/* A fresh card gets what config_apply lays out: the same counters at the
 * same indexes, the same tables. */
static void test_fresh_card_as_config_apply(void **state)
{
    struct fixture *f = *state;
    step(f, NULL);
    readback_equals(f, &f->card);
    struct scrub_model_params params = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_model *other = scrub_model_new(&params);
    struct scrub_err err = {0};
    struct scrub_hal *h = scrub_hal_model_attach(other, &err);
    struct scrub_layout layout;
    if (!h || scrub_config_apply(h, &f->cfg, &layout, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(layout.n_counters, f->card.layout.n_counters);
    for (size_t i = 0; i < layout.n_counters; i++) {
        assert_string_equal(layout.counters[i].name, f->card.layout.counters[i].name);
        assert_int_equal(layout.counters[i].index, f->card.layout.counters[i].index);
    }
    struct card_image applied;
    if (card_readback(h, &applied, &err))
        fail_msg("%s", err.msg);
    assert_true(card_image_equal(&applied, &f->card));
    card_image_free(&applied);
    scrub_layout_free(&layout);
    scrub_hal_close(h);
    scrub_model_free(other);
}

/* The card already holds the image: a restart reads it back and writes
 * nothing, not even a commit. */
static void test_reconcile_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct mits s = {0};
    mit_add(&s, 1, "198.51.100.0/26", 2);
    step(f, &s);
    card_image_free(&f->card);
    struct scrub_err err = {0};
    if (card_readback(f->hal, &f->card, &err))
        fail_msg("%s", err.msg);
    uint32_t commits = scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT);
    reset_counts(f);
    struct card_sync_stats st = step(f, &s);
    assert_int_equal(card_sync_writes(&st), 0);
    assert_int_equal(f->count.table_writes + f->count.counter_writes + f->count.em_inserts + f->count.em_deletes +
                         f->count.commits,
                     0);
    assert_int_equal(scrub_model_read(f->model, SCRUB_REG_COMMIT_COUNT), commits);
}

/* One DEST entry changed behind the daemon's back: exactly that entry is
 * rewritten, then committed. The same for an ACL entry and a source. */
static void test_tampered_entries_rewritten(void **state)
{
    struct fixture *f = *state;
    step(f, NULL);
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_words w = {0};
    struct scrub_dest_entry d = f->card.dest[2];
    d.enable = !d.enable;
    scrub_dest_pack(&d, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_DEST, 2, w, SCRUB_TABLE_DEST_WORDS);
    struct scrub_acl_entry a = f->card.acl[5];
    a.action = a.action == SCRUB_ACTION_DROP ? SCRUB_ACTION_ACCEPT : SCRUB_ACTION_DROP;
    memset(w, 0, sizeof(w));
    scrub_acl_pack(&a, w);
    scrub_txn_table_write(&t, SCRUB_TABLE_ACL, 5, w, SCRUB_TABLE_ACL_WORDS);
    memset(w, 0, sizeof(w));
    scrub_em_pack(&f->card.em[0], w);
    scrub_txn_em_command(&t, SCRUB_CMD_EM_DELETE, w);
    t.commit = true;
    struct scrub_err err = {0};
    if (scrub_hal_run(f->hal, &t, &err))
        fail_msg("%s", err.msg);
    scrub_txn_free(&t);
    card_image_free(&f->card);
    if (card_readback(f->hal, &f->card, &err))
        fail_msg("%s", err.msg);
    reset_counts(f);
    struct card_sync_stats st = step(f, NULL);
    assert_int_equal(st.dest, 1);
    assert_int_equal(st.acl, 1);
    assert_int_equal(st.em_inserts, 1);
    assert_int_equal(st.counters_zeroed, 1); /* the deleted source's pair is lost; the others are found */
    assert_int_equal(f->count.table_writes, 2);
    assert_int_equal(f->count.em_inserts, 1);
    assert_int_equal(f->count.commits, 1);
    readback_equals(f, &f->card);
}

/* A mitigation writes its DEST entry and zeroes its two pairs; nothing
 * else moves. Withdrawing it frees exactly those, and reports their final
 * values. An equal prefix overrides the configured entry while active. */
static void test_mitigation_writes_only_its_own(void **state)
{
    struct fixture *f = *state;
    step(f, NULL);
    struct card_image before;
    struct scrub_err err = {0};
    assert_int_equal(build(f, NULL, &f->card, &before, &err), 0);
    struct mits s = {0};
    mit_add(&s, 7, "198.51.100.0/26", 2);
    reset_counts(f);
    struct card_sync_stats st = step(f, &s);
    assert_int_equal(st.dest, 1);
    assert_int_equal(st.counters_zeroed, 2);
    assert_int_equal(st.acl + st.policers + st.em_inserts + st.em_deletes + st.cfg_actions, 0);
    assert_int_equal(f->count.table_writes, 1);
    assert_int_equal(f->count.counter_writes, 2);
    for (size_t i = 0; i < before.layout.n_counters; i++) {
        const struct scrub_layout_counter *c = card_image_counter(&f->card, before.layout.counters[i].name);
        assert_non_null(c);
        assert_int_equal(c->index, before.layout.counters[i].index);
    }
    const struct scrub_layout_counter *mine = card_image_counter(&f->card, "mitigation c/7 198.51.100.0/26");
    assert_non_null(mine);
    for (uint32_t i = 0; i < f->card.caps.dest; i++)
        if (card_dest_in_use(&before.dest[i]))
            assert_memory_equal(&before.dest[i], &f->card.dest[i], sizeof(before.dest[i]));

    /* Withdrawn: its entry freed, its pairs read. */
    struct card_image back;
    struct card_final *finals;
    size_t n_finals;
    assert_int_equal(build(f, NULL, &f->card, &back, &err), 0);
    reset_counts(f);
    if (card_sync(f->hal, &f->card, &back, &st, &finals, &n_finals, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(st.dest, 1);
    assert_int_equal(st.counters_zeroed, 0);
    assert_int_equal(n_finals, 2);
    assert_int_equal(finals[0].index, mine->index);
    assert_int_equal(finals[1].index, mine->index + 1);
    free(finals);
    assert_true(card_image_equal(&back, &before));
    card_image_free(&back);

    /* acme's configured 198.51.100.0/24 (monitor or not) is overridden by an
     * equal prefix, kept invalid at its index with its counters. */
    const struct scrub_layout_counter *base = card_image_counter(&before, "tenant acme 198.51.100.0/24");
    assert_non_null(base);
    struct mits eq = {0};
    mit_add(&eq, 8, "198.51.100.0/24", 2);
    st = step(f, &eq);
    assert_int_equal(st.dest, 2);
    bool found_base = false, found_mit = false;
    for (uint32_t i = 0; i < f->card.caps.dest; i++) {
        const struct scrub_dest_entry *d = &f->card.dest[i];
        if (!card_dest_in_use(d) || d->plen != 120 || d->tenant != 1)
            continue;
        if (d->counter == base->index) {
            found_base = true;
            assert_false(d->valid);
            assert_memory_equal(&before.dest[i].prefix, &d->prefix, sizeof(d->prefix));
        } else {
            found_mit = true;
            assert_true(d->valid && d->enable);
            assert_int_equal(d->profile, 2);
        }
    }
    assert_true(found_base && found_mit);
    card_image_free(&before);
}

static void test_destinations_full(void **state)
{
    struct fixture *f = *state;
    struct mits s = {0};
    for (int i = 0; i < MAX_MIT; i++) {
        char p[32];
        snprintf(p, sizeof(p), "198.51.100.%d/32", i);
        mit_add(&s, i, p, 2);
    }
    /* Five copies of the 64 fill more than the card's 256 entries. */
    struct image_mitigation many[5 * MAX_MIT];
    for (int i = 0; i < 5 * MAX_MIT; i++)
        many[i] = s.m[i % MAX_MIT];
    struct image_input in = {.cfg = &f->cfg, .mitigations = many, .n_mitigations = 5 * MAX_MIT};
    struct card_image out;
    struct scrub_err err = {0};
    assert_int_equal(card_image_build(&in, &f->hal->caps, &f->card, &out, &err), -1);
    assert_int_equal(err.code, ENOSPC);
    assert_string_equal(err.msg, "the destinations need 324 entries, the card has 256: the configuration's "
                                 "protected prefixes 4, mitigations' prefixes 320");
}

/* The canonical content of an image, placement aside: the DEST entries
 * as a sorted list without index and counter, the ACL by position without
 * counters, exact match without counters. */
static int dest_cmp(const void *pa, const void *pb)
{
    scrub_words a = {0}, b = {0};
    scrub_dest_pack(pa, a);
    scrub_dest_pack(pb, b);
    return memcmp(a, b, sizeof(a));
}

static void same_content(const struct card_image *x, const struct card_image *y)
{
    size_t n = x->caps.dest;
    struct scrub_dest_entry *dx = calloc(n, sizeof(*dx)), *dy = calloc(n, sizeof(*dy));
    for (size_t i = 0; i < n; i++) {
        dx[i] = x->dest[i];
        dy[i] = y->dest[i];
        dx[i].counter = dy[i].counter = 0;
    }
    qsort(dx, n, sizeof(*dx), dest_cmp);
    qsort(dy, n, sizeof(*dy), dest_cmp);
    assert_memory_equal(dx, dy, n * sizeof(*dx));
    free(dx);
    free(dy);
    for (uint32_t i = 0; i < x->caps.acl; i++) {
        assert_int_equal(x->acl[i].valid, y->acl[i].valid);
        assert_int_equal(x->acl[i].action, y->acl[i].action);
    }
    assert_int_equal(x->n_em, y->n_em);
    for (size_t i = 0; i < x->n_em; i++)
        assert_int_equal(card_em_key_cmp(&x->em[i], &y->em[i]), 0);
    assert_int_equal(x->layout.n_counters, y->layout.n_counters);
}

/* No two owners share a pair; every entry's pairs are owned. */
static void pairs_disjoint(const struct card_image *img)
{
    uint8_t *owner = calloc(img->caps.counters, 1);
    for (size_t i = 0; i < img->layout.n_counters; i++)
        for (unsigned k = 0; k < img->layout.counters[i].pairs; k++) {
            uint32_t p = img->layout.counters[i].index + k;
            assert_true(p < img->caps.counters);
            assert_int_equal(owner[p], 0);
            owner[p] = 1;
        }
    for (uint32_t p = 0; p < img->caps.counters; p++)
        assert_int_equal(owner[p], img->pair_used[p]);
    free(owner);
}

static void test_random_sequences(void **state)
{
    struct fixture *f = *state;
    unsigned seed = getenv("SCRUB_CORE_SEED") ? (unsigned)atoi(getenv("SCRUB_CORE_SEED")) : 4242;
    printf("test_random_sequences: seed %u (SCRUB_CORE_SEED)\n", seed);
    srand(seed);
    struct mits s = {0};
    int64_t next_mid = 1;
    unsigned adds = 0, withdraws = 0, updates = 0, restarts = 0, steps = 300;
    step(f, NULL);
    for (unsigned n = 0; n < steps; n++) {
        struct card_image prev;
        struct scrub_err err = {0};
        assert_int_equal(build(f, &s, &f->card, &prev, &err), 0); /* the same image again: for stability checks */
        int r = rand() % 10;
        if (s.n > 0 && (r < 4 || s.n == MAX_MIT)) {
            mit_remove(&s, (size_t)rand() % s.n);
            withdraws++;
        } else if (s.n > 0 && r < 5) {
            s.m[rand() % s.n].profile = (uint8_t)(1 + rand() % 3); /* an update of the profile */
            updates++;
        } else {
            char p[32];
            int plen = 24 + rand() % 9;
            snprintf(p, sizeof(p), "198.51.100.%d/%d", (rand() % 256) & ~((1 << (32 - plen)) - 1) & 0xff, plen);
            mit_add(&s, next_mid++, p, (uint8_t)(1 + rand() % 3));
            adds++;
        }
        step(f, &s);
        readback_equals(f, &f->card);
        pairs_disjoint(&f->card);
        /* Stable: whoever stays keeps its counters. */
        for (size_t i = 0; i < prev.layout.n_counters; i++) {
            const struct scrub_layout_counter *c = card_image_counter(&f->card, prev.layout.counters[i].name);
            if (c && strncmp(c->name, "mitigation", 10) != 0)
                assert_int_equal(c->index, prev.layout.counters[i].index);
        }
        if (n % 25 == 24) { /* a restart: read back, nothing to write */
            card_image_free(&f->card);
            if (card_readback(f->hal, &f->card, &err))
                fail_msg("%s", err.msg);
            struct card_sync_stats st = step(f, &s);
            assert_int_equal(card_sync_writes(&st), 0);
            restarts++;
        }
        struct card_image scratch;
        assert_int_equal(build(f, &s, NULL, &scratch, &err), 0);
        same_content(&scratch, &f->card);
        card_image_free(&scratch);
        card_image_free(&prev);
    }
    printf("test_random_sequences: %u steps: %u adds, %u withdrawals, %u updates, %u restarts, %zu active at the "
           "end\n", steps, adds, withdraws, updates, restarts, s.n);
    assert_true(adds > 50 && withdraws > 30 && updates > 10);
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        TEST(test_fresh_card_as_config_apply), TEST(test_reconcile_writes_nothing),
        TEST(test_tampered_entries_rewritten), TEST(test_mitigation_writes_only_its_own),
        TEST(test_destinations_full),          TEST(test_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
