/* The register side that is not a table (docs/card.md, "Register map",
 * "Time and the watchdog"): identification and capabilities, the reset
 * state, CTRL.ENABLE bypass, the watchdog, the TIME_LO/TIME_HI latch,
 * COMMIT_COUNT and the cookie, unmapped addresses, and the table port's
 * error codes. */
#include <errno.h>
#include <string.h>

#include "card_test.h"

#define MS 1000000ull

static void identification(void **state)
{
    (void)state;
    struct scrub_model_params sim = SCRUB_MODEL_PARAMS_SIM, deploy = SCRUB_MODEL_PARAMS_DEPLOY;
    const struct scrub_model_params *params[2] = {&sim, &deploy};
    for (int k = 0; k < 2; k++) {
        const struct scrub_model_params *p = params[k];
        struct scrub_model *m = card_new_reset(p);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_MAGIC), 0x53435242);
        uint32_t version = scrub_model_read(m, SCRUB_REG_VERSION);
        assert_int_equal(version >> SCRUB_VERSION_MAJOR_LSB, SCRUB_VERSION_MAJOR);
        assert_int_equal(version & SCRUB_VERSION_MINOR_MASK, SCRUB_VERSION_MINOR);
        assert_int_equal(version, 0x00010000);
        /* Every match field and every action of the spec. */
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_MATCH), 0x0001ffff);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_ACTION), 0x0000007f);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_DEST), p->dest_entries);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_EM_BUCKETS), p->em_buckets);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_EM_GEOM), 2u | 4u << 8 | 8u << 16);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_ACL), p->acl_entries);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_POLICERS), p->policers);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_COUNTERS), p->counters);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_FIFO_BEATS), p->fifo_beats);
        assert_true(p->fifo_beats * 64 >= SCRUB_MAX_FRAME);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_WINDOW), 256);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_COUNT_ONLY), 4);
        /* Read only. */
        for (uint32_t a = SCRUB_REG_MAGIC; a <= SCRUB_REG_CAP_COUNT_ONLY; a += 4)
            scrub_model_write(m, a, 0xdeadbeef);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_MAGIC), 0x53435242);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_VERSION), 0x00010000);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_ACL), p->acl_entries);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_WINDOW), 256);
        card_free(m);
    }
}

static void bad_params_refused(void **state)
{
    (void)state;
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    p.em_buckets = 500; /* not a power of two */
    errno = 0;
    assert_null(scrub_model_new(&p));
    assert_int_equal(errno, EINVAL);
    p = (struct scrub_model_params)SCRUB_MODEL_PARAMS_SIM;
    p.fifo_beats = 255; /* 16,320 bytes: not one longest frame */
    errno = 0;
    assert_null(scrub_model_new(&p));
    assert_int_equal(errno, EINVAL);
}

static void reset_state(void **state)
{
    (void)state;
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    struct scrub_model *m = card_new_reset(&p);
    static const uint32_t zero_regs[] = {SCRUB_REG_CTRL,       SCRUB_REG_STATUS,      SCRUB_REG_WDOG_TIMEOUT,
                                         SCRUB_REG_TIME_LO,    SCRUB_REG_TIME_HI,     SCRUB_REG_COMMIT_COUNT,
                                         SCRUB_REG_COOKIE_LO,  SCRUB_REG_COOKIE_HI,   SCRUB_REG_CFG_ACTIONS,
                                         SCRUB_REG_TBL_SELECT, SCRUB_REG_TBL_INDEX,   SCRUB_REG_TBL_STATUS,
                                         SCRUB_REG_TBL_RESULT, SCRUB_REG_TBL_DATA};
    for (size_t i = 0; i < sizeof(zero_regs) / sizeof(*zero_regs); i++)
        assert_int_equal(scrub_model_read(m, zero_regs[i]), 0);
    /* Disabled out of reset: a frame that anything would drop passes. */
    struct pkt p1;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.tcp_flags = 0;
    pkt_build(&p1, &s);
    scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, 0xf);
    card_commit(m);
    struct scrub_verdict v = card_send(m, &p1, 5);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_BYPASS);
    assert_int_equal(v.mal, SCRUB_MAL_NONE);
    card_free(m);
}

/* CTRL.ENABLE = 0 passes everything unfiltered and unparsed. */
static void disabled_bypass(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 0, 8);
    card_dest(m, 0, &d);
    struct scrub_acl_entry drop = card_acl_entry(SCRUB_ACTION_DROP, 10);
    card_acl(m, 0, &drop);
    card_actions(m, 0xf);
    struct pkt ok, bad, arp;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    pkt_build(&ok, &s);
    s.tcp_flags = 0;
    pkt_build(&bad, &s);
    struct pkt_spec a = {.family = 0, .ethertype = 0x0806, .payload = 28, .l4_bytes = -1};
    pkt_build(&arp, &a);
    assert_int_equal(card_send(m, &ok, 1).gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(card_send(m, &bad, 2).gstat, SCRUB_GSTAT_DROP_MALFORMED);
    assert_int_equal(card_send(m, &arp, 3).gstat, SCRUB_GSTAT_DROP_NONIP);
    /* CTRL is not shadowed: at once. */
    scrub_model_write(m, SCRUB_REG_CTRL, 0);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_CTRL), 0);
    const struct pkt *all[3] = {&ok, &bad, &arp};
    for (int i = 0; i < 3; i++) {
        struct scrub_verdict v = card_send(m, all[i], 10 + (uint64_t)i);
        assert_true(v.pass);
        assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_BYPASS);
        assert_int_equal(v.mal, SCRUB_MAL_NONE);
        assert_int_equal(v.dest, -1);
        assert_int_equal(v.acl, -1);
    }
    card_snapshot(m);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_BYPASS).packets, 3);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 6);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_TX).packets, 3);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_SEEN_NONIP).packets, 1);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_MALFORMED_BASE + SCRUB_MAL_TCP_FLAGS).packets, 1);
    assert_int_equal(card_counter(m, 8).packets, 1);
    assert_int_equal(card_counter(m, 10).packets, 1);
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);
    assert_int_equal(card_send(m, &ok, 20).gstat, SCRUB_GSTAT_DROP_ACL);
    card_free(m);
}

/* ---- the watchdog ------------------------------------------------------------------------ */

static bool expired(struct scrub_model *m)
{
    return scrub_model_read(m, SCRUB_REG_STATUS) & SCRUB_STATUS_WDOG_EXPIRED_MASK;
}

static struct scrub_model *watched_card(struct pkt *p)
{
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 0, 8);
    card_dest(m, 0, &d);
    struct scrub_acl_entry drop = card_acl_entry(SCRUB_ACTION_DROP, 10);
    card_acl(m, 0, &drop);
    card_commit(m);
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    pkt_build(p, &s);
    return m;
}

static void watchdog_off_by_default(void **state)
{
    (void)state;
    struct pkt p;
    struct scrub_model *m = watched_card(&p);
    scrub_model_set_time(m, 1ull << 50);
    assert_false(expired(m));
    assert_int_equal(card_send(m, &p, (1ull << 50) + 1).gstat, SCRUB_GSTAT_DROP_ACL);
    card_free(m);
}

static void watchdog_expiry_and_kick(void **state)
{
    (void)state;
    struct pkt p;
    struct scrub_model *m = watched_card(&p);
    uint64_t t0 = 5000 * MS;
    scrub_model_set_time(m, t0);
    scrub_model_write(m, SCRUB_REG_WDOG_TIMEOUT, 10);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_WDOG_TIMEOUT), 10);
    /* Expired only when the time passes the kick by more than 10 ms. */
    scrub_model_set_time(m, t0 + 10 * MS);
    assert_false(expired(m));
    assert_int_equal(card_send(m, &p, t0 + 10 * MS).gstat, SCRUB_GSTAT_DROP_ACL);
    scrub_model_set_time(m, t0 + 10 * MS + 1);
    assert_true(expired(m));
    struct scrub_verdict v = card_send(m, &p, t0 + 10 * MS + 2);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_BYPASS);
    assert_true(v.pass);
    assert_int_equal(v.dest, -1);
    /* Failing closed, read at each frame. */
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK | SCRUB_CTRL_FAIL_CLOSED_MASK);
    v = card_send(m, &p, t0 + 11 * MS);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_WATCHDOG);
    assert_false(v.pass);
    /* Set until the next kick, however long. */
    scrub_model_set_time(m, t0 + 100000 * MS);
    assert_true(expired(m));
    scrub_model_write(m, SCRUB_REG_WDOG_KICK, 0);
    assert_false(expired(m));
    assert_int_equal(card_send(m, &p, t0 + 100000 * MS).gstat, SCRUB_GSTAT_DROP_ACL);
    /* Counted from the kick. */
    uint64_t kick = t0 + 100000 * MS;
    assert_int_equal(card_send(m, &p, kick + 10 * MS).gstat, SCRUB_GSTAT_DROP_ACL);
    /* A frame whose own timestamp passes the deadline already meets the
     * expired card. */
    assert_int_equal(card_send(m, &p, kick + 10 * MS + 1).gstat, SCRUB_GSTAT_DROP_WATCHDOG);
    assert_true(expired(m));
    /* Writing WDOG_TIMEOUT kicks too. */
    scrub_model_write(m, SCRUB_REG_WDOG_TIMEOUT, 20);
    assert_false(expired(m));
    kick = kick + 10 * MS + 1;
    assert_int_equal(card_send(m, &p, kick + 20 * MS).gstat, SCRUB_GSTAT_DROP_ACL);
    scrub_model_set_time(m, kick + 20 * MS + 1);
    assert_true(expired(m));
    /* Turning it off. */
    scrub_model_write(m, SCRUB_REG_WDOG_TIMEOUT, 0);
    assert_false(expired(m));
    scrub_model_set_time(m, kick + 1000000 * MS);
    assert_false(expired(m));
    assert_int_equal(card_send(m, &p, kick + 1000000 * MS).gstat, SCRUB_GSTAT_DROP_ACL);
    card_snapshot(m);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_DROP_WATCHDOG).packets, 2);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_BYPASS).packets, 1);
    card_free(m);
}

/* ---- time ---------------------------------------------------------------------------------- */

static void time_latch(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    scrub_model_set_time(m, 0x123456789ull);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_HI), 0); /* nothing latched yet */
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_LO), 0x23456789);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_HI), 0x1);
    scrub_model_set_time(m, 0x200000005ull);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_HI), 0x1); /* still the latched word */
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_LO), 0x5);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_HI), 0x2);
    /* Never backwards: neither by the simulator nor by an older frame. */
    scrub_model_set_time(m, 0x100000000ull);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_LO), 0x5);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_HI), 0x2);
    struct pkt p;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    pkt_build(&p, &s);
    card_send(m, &p, 7);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_LO), 0x5);
    /* Frames move it forwards. */
    card_send(m, &p, 0xfedcba9876543210ull);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_LO), 0x76543210);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TIME_HI), 0xfedcba98);
    card_free(m);
}

static void commit_count_and_cookie(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    for (uint32_t i = 1; i <= 5; i++) {
        scrub_model_write(m, SCRUB_REG_COMMIT, 1);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_COMMIT_COUNT), i);
    }
    /* Only a 1 commits. */
    scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, SCRUB_CFG_ACTIONS_NONIP_MASK);
    scrub_model_write(m, SCRUB_REG_COMMIT, 0);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_COMMIT_COUNT), 5);
    struct pkt arp;
    struct pkt_spec a = {.family = 0, .ethertype = 0x0806, .payload = 28, .l4_bytes = -1};
    pkt_build(&arp, &a);
    assert_int_equal(card_send(m, &arp, 1).gstat, SCRUB_GSTAT_PASS_EXCEPTION);
    scrub_model_write(m, SCRUB_REG_COOKIE_LO, 0x89abcdef);
    scrub_model_write(m, SCRUB_REG_COOKIE_HI, 0x01234567);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_COOKIE_LO), 0x89abcdef);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_COOKIE_HI), 0x01234567);
    /* The cookie is not configuration: a commit leaves it. */
    card_commit(m);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_COOKIE_LO), 0x89abcdef);
    assert_int_equal(card_send(m, &arp, 2).gstat, SCRUB_GSTAT_DROP_NONIP);
    card_free(m);
}

/* ---- unmapped addresses -------------------------------------------------------------------- */

static const uint32_t mapped_rw[] = {SCRUB_REG_CTRL,       SCRUB_REG_WDOG_TIMEOUT, SCRUB_REG_COOKIE_LO,
                                     SCRUB_REG_COOKIE_HI,  SCRUB_REG_CFG_ACTIONS,  SCRUB_REG_TBL_SELECT,
                                     SCRUB_REG_TBL_INDEX,  SCRUB_REG_STATUS,       SCRUB_REG_COMMIT_COUNT,
                                     SCRUB_REG_TBL_STATUS, SCRUB_REG_TBL_RESULT,   SCRUB_REG_MAGIC};

static void unmapped_addresses(void **state)
{
    (void)state;
    static const uint32_t unmapped[] = {0x034,  0x038, 0x0fc, 0x12c, 0x130, 0x1fc, 0x204, 0x2fc, 0x314,
                                        0x37c,  0x400, 0x404, 0x800, 0xffc, 0x1000, 0x10000, 0xfffffffc,
                                        0x001,  0x101, 0x102, 0x103, 0x201, 0x381, 0x3fd, 0x3ff};
    struct scrub_model *m = card_new();
    scrub_model_write(m, SCRUB_REG_COOKIE_LO, 0x11);
    scrub_model_write(m, SCRUB_REG_COOKIE_HI, 0x22);
    scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, SCRUB_CFG_ACTIONS_NONIP_MASK);
    scrub_model_write(m, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_ACL);
    scrub_model_write(m, SCRUB_REG_TBL_INDEX, 3);
    for (uint32_t i = 0; i < SCRUB_DATA_WORDS; i++)
        scrub_model_write(m, SCRUB_REG_TBL_DATA + 4 * i, 0x100 + i);
    uint32_t before[sizeof(mapped_rw) / sizeof(*mapped_rw)], data[SCRUB_DATA_WORDS];
    for (size_t i = 0; i < sizeof(mapped_rw) / sizeof(*mapped_rw); i++)
        before[i] = scrub_model_read(m, mapped_rw[i]);
    for (size_t i = 0; i < sizeof(unmapped) / sizeof(*unmapped); i++) {
        scrub_model_write(m, unmapped[i], 0xffffffff);
        assert_int_equal(scrub_model_read(m, unmapped[i]), 0);
    }
    for (size_t i = 0; i < sizeof(mapped_rw) / sizeof(*mapped_rw); i++)
        assert_int_equal(scrub_model_read(m, mapped_rw[i]), before[i]);
    card_data_get(m, data);
    for (uint32_t i = 0; i < SCRUB_DATA_WORDS; i++)
        assert_int_equal(data[i], 0x100 + i);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_COMMIT_COUNT), 0);
    card_free(m);
}

/* ---- the table port -------------------------------------------------------------------------- */

static void table_port_errors(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    static const uint32_t no_table[] = {0, 7, 8, 255, 0xffffffff};
    for (size_t i = 0; i < sizeof(no_table) / sizeof(*no_table); i++) {
        assert_int_equal(card_cmd(m, no_table[i], 0, SCRUB_CMD_READ), SCRUB_STATUS_BAD_TABLE);
        assert_int_equal(card_cmd(m, no_table[i], 0, SCRUB_CMD_WRITE), SCRUB_STATUS_BAD_TABLE);
    }
    assert_int_equal(scrub_model_read(m, SCRUB_REG_TBL_SELECT), 0xffffffff);
    static const struct {
        uint32_t table, size;
    } sizes[] = {{SCRUB_TABLE_DEST, 256}, {SCRUB_TABLE_ACL, 64},        {SCRUB_TABLE_POLICER, 256},
                 {SCRUB_TABLE_COUNTER, 4096}, {SCRUB_TABLE_GSTAT, SCRUB_GSTAT_COUNT}, {SCRUB_TABLE_EM, 4104}};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
        assert_int_equal(card_cmd(m, sizes[i].table, sizes[i].size - 1, SCRUB_CMD_READ), SCRUB_STATUS_OK);
        assert_int_equal(card_cmd(m, sizes[i].table, sizes[i].size, SCRUB_CMD_READ), SCRUB_STATUS_BAD_INDEX);
        assert_int_equal(card_cmd(m, sizes[i].table, 0xffffffff, SCRUB_CMD_READ), SCRUB_STATUS_BAD_INDEX);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_TBL_INDEX), 0xffffffff);
    }
    /* Commands a table does not have. */
    static const struct {
        uint32_t table, cmd;
    } bad[] = {{SCRUB_TABLE_DEST, SCRUB_CMD_EM_INSERT},   {SCRUB_TABLE_DEST, SCRUB_CMD_EM_LOOKUP},
               {SCRUB_TABLE_ACL, SCRUB_CMD_EM_DELETE},    {SCRUB_TABLE_POLICER, SCRUB_CMD_EM_INSERT},
               {SCRUB_TABLE_COUNTER, SCRUB_CMD_EM_LOOKUP}, {SCRUB_TABLE_GSTAT, SCRUB_CMD_WRITE},
               {SCRUB_TABLE_EM, SCRUB_CMD_WRITE},         {SCRUB_TABLE_DEST, 0},
               {SCRUB_TABLE_ACL, 6},                      {SCRUB_TABLE_POLICER, 0xff}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(card_cmd(m, bad[i].table, 0, bad[i].cmd), SCRUB_STATUS_BAD_CMD);
    /* A write that failed for its index changed no entry. */
    struct scrub_dest_entry d = card_dest_entry("192.0.2.0", 120, 1, 0, 0);
    assert_int_equal(card_dest_try(m, 256, &d), SCRUB_STATUS_BAD_INDEX);
    for (uint32_t i = 0; i < 256; i++) {
        scrub_words w;
        card_read(m, SCRUB_TABLE_DEST, i, w);
        struct scrub_dest_entry got;
        scrub_dest_unpack(w, &got);
        assert_false(got.valid);
    }
    /* The data window is read-write and a READ fills it. */
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_DROP, 12);
    card_acl(m, 9, &a);
    scrub_words w, packed;
    for (uint32_t i = 0; i < SCRUB_DATA_WORDS; i++)
        scrub_model_write(m, SCRUB_REG_TBL_DATA + 4 * i, 0xa5a5a5a5);
    card_read(m, SCRUB_TABLE_ACL, 9, w);
    scrub_acl_pack(&a, packed);
    assert_memory_equal(w, packed, SCRUB_TABLE_ACL_WORDS * 4);
    card_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identification),     cmocka_unit_test(bad_params_refused),
        cmocka_unit_test(reset_state),        cmocka_unit_test(disabled_bypass),
        cmocka_unit_test(watchdog_off_by_default), cmocka_unit_test(watchdog_expiry_and_kick),
        cmocka_unit_test(time_latch),         cmocka_unit_test(commit_count_and_cookie),
        cmocka_unit_test(unmapped_addresses), cmocka_unit_test(table_port_errors),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
