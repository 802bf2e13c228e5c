/* The HAL over the model backend: transactions, polls, table commands,
 * commit, counters, and discovery refusing what is not our card. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scrub_hal.h"
#include "scrub_hal_exec.h"
#include "scrub_hal_model.h"
#include "scrub_model.h"

struct fixture {
    struct scrub_model *m;
    struct scrub_hal *h;
    struct scrub_hal_txn t;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_err err = {0};
    f->m = scrub_model_new(&p);
    f->h = scrub_hal_model_attach(f->m, &err);
    assert_non_null(f->h);
    scrub_txn_init(&f->t);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    scrub_txn_free(&f->t);
    scrub_hal_close(f->h);
    scrub_model_free(f->m);
    free(f);
    return 0;
}

static void unknown_backend_is_named(void **state)
{
    (void)state;
    struct scrub_err err = {0};
    assert_null(scrub_hal_open("fpga9000", &err));
    assert_non_null(strstr(err.msg, "unknown card backend 'fpga9000'"));
}

static void open_discovers_the_sim_card(void **state)
{
    (void)state;
    struct scrub_err err = {0};
    struct scrub_hal *h = scrub_hal_open("model", &err);
    assert_non_null(h);
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    assert_int_equal(h->caps.dest, p.dest_entries);
    assert_int_equal(h->caps.acl, p.acl_entries);
    assert_int_equal(h->caps.em_buckets, p.em_buckets);
    assert_int_equal(h->caps.em_ways, SCRUB_EM_WAYS);
    assert_int_equal(h->caps.em_slots, SCRUB_EM_SLOTS);
    assert_int_equal(h->caps.em_stash, SCRUB_EM_STASH);
    assert_int_equal(h->caps.policers, p.policers);
    assert_int_equal(h->caps.counters, p.counters);
    assert_int_equal(h->caps.fifo_beats, p.fifo_beats);
    assert_int_equal(h->caps.window, SCRUB_WINDOW_BYTES);
    assert_int_equal(h->caps.count_only, SCRUB_COUNT_ONLY_MAX);
    assert_int_equal(h->caps.match, SCRUB_REG_CAP_MATCH_RESET);
    assert_int_equal(h->caps.actions, SCRUB_REG_CAP_ACTION_RESET);
    scrub_hal_close(h);
}

static void writes_and_reads_run_in_order(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    scrub_txn_write(&f->t, SCRUB_REG_COOKIE_LO, 0x1234);
    size_t first = scrub_txn_read(&f->t, SCRUB_REG_COOKIE_LO);
    scrub_txn_write(&f->t, SCRUB_REG_COOKIE_LO, 0x5678);
    size_t second = scrub_txn_read(&f->t, SCRUB_REG_COOKIE_LO);
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), 0);
    assert_int_equal(f->t.ops[first].value, 0x1234);
    assert_int_equal(f->t.ops[second].value, 0x5678);
}

static void failed_poll_stops_the_transaction(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    uint32_t commits = scrub_model_read(f->m, SCRUB_REG_COMMIT_COUNT);
    scrub_txn_write(&f->t, SCRUB_REG_COOKIE_HI, 1);
    scrub_txn_poll(&f->t, SCRUB_REG_COOKIE_HI, 0xff, 2, 50);
    scrub_txn_write(&f->t, SCRUB_REG_COOKIE_HI, 3);
    f->t.commit = true;
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), -1);
    assert_int_equal(f->t.failed, 1);
    assert_non_null(strstr(err.msg, "COOKIE_HI (0x0128) read 0x00000001, wanted 0x00000002 under mask 0x000000ff"));
    assert_int_equal(scrub_model_read(f->m, SCRUB_REG_COOKIE_HI), 1);
    assert_int_equal(scrub_model_read(f->m, SCRUB_REG_COMMIT_COUNT), commits);
}

static void poll_that_matches_passes(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    scrub_txn_write(&f->t, SCRUB_REG_COOKIE_HI, 0x102);
    scrub_txn_poll(&f->t, SCRUB_REG_COOKIE_HI, 0xff, 2, 0);
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), 0);
    assert_int_equal(f->t.ops[1].value, 0x102);
}

static void rejected_entry_names_table_index_and_status(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_dest_entry e = {.valid = true, .plen = 129};
    scrub_words w;
    scrub_dest_pack(&e, w);
    scrub_txn_table_write(&f->t, SCRUB_TABLE_DEST, 7, w, SCRUB_TABLE_DEST_WORDS);
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), -1);
    assert_non_null(strstr(err.msg, "dest table, entry 7: bad_entry (result register 4)"));
}

static void commit_makes_the_shadow_active(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    uint32_t commits = scrub_model_read(f->m, SCRUB_REG_COMMIT_COUNT);
    struct scrub_dest_entry e = {.valid = true, .enable = true, .plen = 120,
                                 .prefix = scrub_addr_v4(0xc6336400), .counter = 10};
    scrub_words w;
    scrub_dest_pack(&e, w);
    scrub_txn_table_write(&f->t, SCRUB_TABLE_DEST, 0, w, SCRUB_TABLE_DEST_WORDS);
    f->t.commit = true;
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), 0);
    assert_int_equal(scrub_model_read(f->m, SCRUB_REG_COMMIT_COUNT), commits + 1);

    scrub_txn_reset(&f->t);
    size_t at = scrub_txn_table_read(&f->t, SCRUB_TABLE_DEST, 0, SCRUB_TABLE_DEST_WORDS);
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), 0);
    scrub_words r = {0};
    for (unsigned i = 0; i < SCRUB_TABLE_DEST_WORDS; i++)
        r[i] = f->t.ops[at + i].value;
    struct scrub_dest_entry back;
    scrub_dest_unpack(r, &back);
    assert_true(back.valid && back.enable);
    assert_int_equal(back.plen, 120);
    assert_int_equal(back.counter, 10);
    assert_true(scrub_addr_eq(&back.prefix, &e.prefix));
}

static void em_command_returns_the_slot(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_em_entry e = {.tenant = 3, .addr = scrub_addr_v4(0x0a000001), .action = SCRUB_ACTION_DROP};
    scrub_words w;
    scrub_em_pack(&e, w);
    size_t slot = scrub_txn_em_command(&f->t, SCRUB_CMD_EM_INSERT, w);
    size_t found = scrub_txn_em_command(&f->t, SCRUB_CMD_EM_LOOKUP, w);
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), 0);
    assert_int_equal(f->t.ops[slot].value, f->t.ops[found].value);

    scrub_txn_reset(&f->t);
    scrub_txn_em_command(&f->t, SCRUB_CMD_EM_DELETE, w);
    scrub_txn_em_command(&f->t, SCRUB_CMD_EM_DELETE, w);
    assert_int_equal(scrub_hal_run(f->h, &f->t, &err), -1);
    assert_non_null(strstr(err.msg, "em table, em_delete: not_found"));
}

static void counters_are_read_from_the_snapshot(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    uint8_t frame[60] = {0};
    frame[12] = 0x08; /* ARP: non-IP, passed by default */
    frame[13] = 0x06;
    struct scrub_verdict v;
    for (int i = 0; i < 5; i++)
        scrub_model_packet(f->m, frame, sizeof(frame), 1000u * (uint64_t)i, &v);
    struct scrub_counter rx[2];
    assert_int_equal(scrub_hal_read_counters(f->h, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_RX, 2, rx, &err), 0);
    assert_int_equal(rx[0].packets, 0); /* no snapshot taken yet */
    assert_int_equal(scrub_hal_snapshot(f->h, &err), 0);
    scrub_model_packet(f->m, frame, sizeof(frame), 9000, &v);
    assert_int_equal(scrub_hal_read_counters(f->h, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_RX, 2, rx, &err), 0);
    assert_int_equal(rx[0].packets, 5);
    assert_int_equal(rx[0].bytes, 5 * sizeof(frame));
    assert_int_equal(rx[1].packets, 5); /* TX: the card is disabled, so everything passes */
}

static void counters_past_the_pool_are_refused(void **state)
{
    struct fixture *f = *state;
    struct scrub_err err = {0};
    struct scrub_counter c[4];
    assert_int_equal(scrub_hal_read_counters(f->h, SCRUB_TABLE_COUNTER, f->h->caps.counters - 2, 4, c, &err), -1);
    assert_non_null(strstr(err.msg, "bad_index"));
}

/* A backend whose registers read a fixed pattern, to show discovery
 * refusing a device that is not a scrub card of our major version. */
static uint32_t fake_magic, fake_version;

static int fake_run(void *ctx, struct scrub_hal_txn *t, struct scrub_err *err)
{
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < t->n; i++)
        t->ops[i].value = t->ops[i].addr == SCRUB_REG_MAGIC ? fake_magic
                          : t->ops[i].addr == SCRUB_REG_VERSION ? fake_version : 0;
    return 0;
}

static void fake_close(void *ctx)
{
    (void)ctx;
}

static const struct scrub_hal_backend fake = {.name = "fake", .run = fake_run, .close = fake_close};

static void discovery_refuses_foreign_devices(void **state)
{
    (void)state;
    struct scrub_err err = {0};
    fake_magic = 0xdeadbeef;
    fake_version = SCRUB_REG_VERSION_RESET;
    assert_null(scrub_hal_attach(&fake, NULL, &err));
    assert_non_null(strstr(err.msg, "magic register reads 0xdeadbeef"));
    fake_magic = SCRUB_MAGIC_VALUE;
    fake_version = (SCRUB_VERSION_MAJOR + 1) << SCRUB_VERSION_MAJOR_LSB;
    assert_null(scrub_hal_attach(&fake, NULL, &err));
    assert_non_null(strstr(err.msg, "register map version 2.0"));
    fake_version = SCRUB_VERSION_MAJOR << SCRUB_VERSION_MAJOR_LSB | 7; /* a newer minor is fine */
    struct scrub_hal *h = scrub_hal_attach(&fake, NULL, &err);
    assert_non_null(h);
    scrub_hal_close(h);
}

/* A card that refuses its third access: the transaction stops at that op,
 * names it, and nothing after it (the commit neither) reaches the card. */
struct refusing_card {
    unsigned accesses, writes_done;
};

static bool refuse_third(struct refusing_card *c, struct scrub_err *err)
{
    if (++c->accesses != 3)
        return true;
    scrub_err_set(err, EPERM, "test card: access refused");
    return false;
}

static bool refusing_read(void *ctx, uint32_t addr, uint32_t *value, struct scrub_err *err)
{
    (void)addr;
    *value = 0;
    return refuse_third(ctx, err);
}

static bool refusing_write(void *ctx, uint32_t addr, uint32_t value, struct scrub_err *err)
{
    (void)addr;
    (void)value;
    struct refusing_card *c = ctx;
    if (!refuse_third(c, err))
        return false;
    c->writes_done++;
    return true;
}

static bool refusing_wait(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
    return false;
}

static void refused_access_stops_the_transaction_at_its_op(void **state)
{
    (void)state;
    struct refusing_card card = {0};
    struct scrub_hal_regs regs = {refusing_read, refusing_write, refusing_wait, &card};
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    scrub_txn_write(&t, SCRUB_REG_COOKIE_LO, 1);
    scrub_txn_read(&t, SCRUB_REG_MAGIC);
    scrub_txn_write(&t, SCRUB_REG_COOKIE_HI, 2); /* the third access */
    scrub_txn_write(&t, SCRUB_REG_CTRL, 1);
    t.commit = true;
    struct scrub_err err = {0};
    assert_int_equal(scrub_hal_exec(&regs, "test", &t, &err), -1);
    assert_int_equal(t.failed, 2);
    assert_int_equal(err.code, EPERM);
    assert_string_equal(err.msg, "test card: access refused (op 2)");
    assert_int_equal(card.accesses, 3);
    assert_int_equal(card.writes_done, 1);
    scrub_txn_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_backend_is_named),
        cmocka_unit_test(open_discovers_the_sim_card),
        cmocka_unit_test_setup_teardown(writes_and_reads_run_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_poll_stops_the_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(poll_that_matches_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_entry_names_table_index_and_status, setup, teardown),
        cmocka_unit_test_setup_teardown(commit_makes_the_shadow_active, setup, teardown),
        cmocka_unit_test_setup_teardown(em_command_returns_the_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(counters_are_read_from_the_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(counters_past_the_pool_are_refused, setup, teardown),
        cmocka_unit_test(discovery_refuses_foreign_devices),
        cmocka_unit_test(refused_access_stops_the_transaction_at_its_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
