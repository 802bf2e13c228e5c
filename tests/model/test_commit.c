/* Hitless updates (docs/card.md, "Hitless updates: shadow and commit"):
 * for each kind of multi-register update, a set of probe packets is sent
 * after every single register write of the update and after the COMMIT.
 * Every probe must get exactly the verdict of a reference card holding the
 * whole old state until the COMMIT, and of one holding the whole new state
 * after it; the probes are chosen so that old and new differ. The
 * exact-match table is not shadowed: each command is atomic on its own. */
#include <string.h>

#include "card_test.h"

struct update {
    uint32_t addr[256], value[256];
    unsigned n;
};

static void add(struct update *u, uint32_t addr, uint32_t value)
{
    assert_true(u->n < 256);
    u->addr[u->n] = addr;
    u->value[u->n] = value;
    u->n++;
}

/* A table WRITE as software does it: select, index, the entry's words, the
 * command. */
static void add_write(struct update *u, uint32_t table, uint32_t index, const scrub_words w, unsigned words)
{
    add(u, SCRUB_REG_TBL_SELECT, table);
    add(u, SCRUB_REG_TBL_INDEX, index);
    for (unsigned i = 0; i < words; i++)
        add(u, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
    add(u, SCRUB_REG_TBL_CMD, SCRUB_CMD_WRITE);
}

static void apply(struct scrub_model *m, const struct update *u)
{
    for (unsigned i = 0; i < u->n; i++)
        scrub_model_write(m, u->addr[i], u->value[i]);
}

static bool same(const struct scrub_verdict *a, const struct scrub_verdict *b)
{
    return a->pass == b->pass && a->gstat == b->gstat && a->mal == b->mal && a->dest == b->dest && a->em == b->em &&
           a->acl == b->acl && a->policer == b->policer;
}

#define MAX_PROBES 8

static void verdicts(struct scrub_model *m, const struct pkt *probes, unsigned n, struct scrub_verdict *v)
{
    for (unsigned i = 0; i < n; i++)
        v[i] = card_send(m, &probes[i], 1000);
}

/* The card built by `old` receives `u` write by write, probed after each
 * write and after the COMMIT. commit: whether the update needs one (the
 * shadowed state) or is live at once (exact match). */
static void run(void (*old)(struct scrub_model *), const struct update *u, const struct pkt *probes, unsigned n,
                bool commit)
{
    struct scrub_verdict v_old[MAX_PROBES], v_new[MAX_PROBES], v[MAX_PROBES];
    struct scrub_model *ref = card_new();
    old(ref);
    verdicts(ref, probes, n, v_old);
    card_free(ref);
    ref = card_new();
    old(ref);
    apply(ref, u);
    if (commit)
        card_commit(ref);
    verdicts(ref, probes, n, v_new);
    card_free(ref);
    for (unsigned i = 0; i < n; i++)
        if (same(&v_old[i], &v_new[i]))
            fail_msg("probe %u does not tell the old state from the new", i);

    struct scrub_model *m = card_new();
    old(m);
    for (unsigned w = 0; w < u->n; w++) {
        scrub_model_write(m, u->addr[w], u->value[w]);
        if (u->addr[w] == SCRUB_REG_TBL_CMD)
            assert_int_equal(scrub_model_read(m, SCRUB_REG_TBL_STATUS), SCRUB_STATUS_OK);
        /* Live updates are new from their command on. */
        bool done = !commit && w >= u->n - 1;
        verdicts(m, probes, n, v);
        for (unsigned i = 0; i < n; i++)
            if (!same(&v[i], done ? &v_new[i] : &v_old[i]))
                fail_msg("after write %u of %u (register 0x%03x): probe %u gets gstat %u dest %d acl %d, the %s "
                         "state gives gstat %u dest %d acl %d",
                         w + 1, u->n, u->addr[w], i, v[i].gstat, v[i].dest, v[i].acl, done ? "new" : "old",
                         (done ? &v_new[i] : &v_old[i])->gstat, (done ? &v_new[i] : &v_old[i])->dest,
                         (done ? &v_new[i] : &v_old[i])->acl);
    }
    card_commit(m);
    verdicts(m, probes, n, v);
    for (unsigned i = 0; i < n; i++)
        if (!same(&v[i], &v_new[i]))
            fail_msg("after the commit: probe %u gets gstat %u, the new state gives %u", i, v[i].gstat, v_new[i].gstat);
    /* Another commit changes nothing: the shadow still holds the new state. */
    card_commit(m);
    verdicts(m, probes, n, v);
    for (unsigned i = 0; i < n; i++)
        assert_true(same(&v[i], &v_new[i]));
    card_free(m);
}

static struct pkt probe(const char *src, const char *dst, uint8_t proto, uint16_t dport)
{
    struct pkt p;
    struct pkt_spec s = pkt_spec(src, dst, proto);
    s.dport = dport;
    pkt_build(&p, &s);
    return p;
}

/* ---- a DEST entry ------------------------------------------------------------------- */

/* ACL entries tell tenants and profiles apart: each (tenant, profile)
 * combination is decided by its own entry. */
static void tenant_acl(struct scrub_model *m)
{
    uint32_t i = 0;
    for (uint16_t t = 1; t <= 2; t++)
        for (uint8_t pr = 1; pr <= 2; pr++) {
            struct scrub_acl_entry a = card_acl_entry(i % 2 ? SCRUB_ACTION_DROP : SCRUB_ACTION_ACCEPT, 30 + i);
            a.tenant_value = t, a.tenant_mask = 0xffff, a.profile_value = pr, a.profile_mask = 0xff;
            card_acl(m, i++, &a);
        }
}

static void dest_old(struct scrub_model *m)
{
    tenant_acl(m);
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 1, 10);
    card_dest(m, 0, &d);
    d = card_dest_entry("203.0.113.0", 120, 2, 1, 12);
    card_dest(m, 1, &d);
    card_commit(m);
}

static void dest_entry(void **state)
{
    (void)state;
    struct pkt probes[] = {
        probe("192.0.2.1", "198.51.100.5", PROTO_TCP, 80),     probe("2001:db8::1", "2001:db8:100::5", PROTO_TCP, 80),
        probe("192.0.2.1", "203.0.113.5", PROTO_TCP, 80),      probe("2001:db8::1", "2001:db8:100::ff05", PROTO_UDP, 53),
    };
    /* Entry 0 becomes another prefix of another family, length, tenant,
     * profile and counter; entry 1 changes only its profile. */
    struct update u = {.n = 0};
    scrub_words w;
    struct scrub_dest_entry d = card_dest_entry("2001:db8:100::", 112, 2, 2, 20);
    scrub_dest_pack(&d, w);
    add_write(&u, SCRUB_TABLE_DEST, 0, w, SCRUB_TABLE_DEST_WORDS);
    d = card_dest_entry("203.0.113.0", 120, 2, 2, 12);
    scrub_dest_pack(&d, w);
    add_write(&u, SCRUB_TABLE_DEST, 1, w, SCRUB_TABLE_DEST_WORDS);
    run(dest_old, &u, probes, 4, true);

    /* The shadow reads back what was written, before and after the commit. */
    struct scrub_model *m = card_new();
    dest_old(m);
    apply(m, &u);
    struct scrub_dest_entry got;
    card_read(m, SCRUB_TABLE_DEST, 0, w);
    scrub_dest_unpack(w, &got);
    assert_int_equal(got.tenant, 2);
    assert_int_equal(got.plen, 112);
    card_commit(m);
    card_read(m, SCRUB_TABLE_DEST, 0, w);
    scrub_dest_unpack(w, &got);
    assert_int_equal(got.tenant, 2);
    assert_int_equal(got.counter, 20);
    card_free(m);
}

/* ---- an ACL entry --------------------------------------------------------------------- */

static void acl_old(struct scrub_model *m)
{
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 1, 10);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_DROP, 40);
    a.src_value = card_addr("::ffff:192.0.2.0"), a.src_mask = scrub_addr_mask(120);
    a.proto_value = PROTO_TCP, a.proto_mask = 0xff;
    a.dport_lo = a.dport_hi = 80;
    card_acl(m, 0, &a);
    a = card_acl_entry(SCRUB_ACTION_ACCEPT, 41);
    a.proto_value = PROTO_UDP, a.proto_mask = 0xff;
    card_acl(m, 5, &a);
    card_actions(m, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);
}

static void acl_entry(void **state)
{
    (void)state;
    struct pkt probes[] = {
        probe("192.0.2.1", "198.51.100.5", PROTO_TCP, 80),
        probe("2001:db8:aaaa::1", "2001:db8:100::5", PROTO_UDP, 53),
        probe("2001:db8:aaaa::1", "2001:db8:100::5", PROTO_TCP, 80),
    };
    /* Entry 0 changes every field it has: source family and prefix,
     * protocol, port, action, counter; it now takes precedence over 5. */
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_DROP, 42);
    a.src_value = card_addr("2001:db8:aaaa::"), a.src_mask = scrub_addr_mask(48);
    a.dport_lo = a.dport_hi = 53;
    a.proto_value = PROTO_UDP, a.proto_mask = 0xff;
    struct scrub_acl_entry tcp6 = card_acl_entry(SCRUB_ACTION_ACCEPT, 43);
    tcp6.v6_mask = tcp6.v6_value = 1;
    tcp6.proto_value = PROTO_TCP, tcp6.proto_mask = 0xff;
    struct update u = {.n = 0};
    scrub_words w;
    scrub_acl_pack(&a, w);
    add_write(&u, SCRUB_TABLE_ACL, 0, w, SCRUB_TABLE_ACL_WORDS);
    scrub_acl_pack(&tcp6, w);
    add_write(&u, SCRUB_TABLE_ACL, 1, w, SCRUB_TABLE_ACL_WORDS);
    run(acl_old, &u, probes, 3, true);
}

/* ---- a policer configuration -------------------------------------------------------- */

static void policer_old(struct scrub_model *m)
{
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 1, 10);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_POLICE, 40);
    a.policer = 5;
    card_acl(m, 0, &a);
    /* An empty bucket that never refills: everything exceeds. */
    struct scrub_policer_entry p = {.rate = 0, .burst = 0, .counter = 50};
    card_policer(m, 5, &p);
    card_commit(m);
}

static void policer_config(void **state)
{
    (void)state;
    struct pkt probes[] = {
        probe("192.0.2.1", "198.51.100.5", PROTO_TCP, 80),
        probe("2001:db8:aaaa::1", "2001:db8:100::5", PROTO_UDP, 53),
    };
    struct scrub_policer_entry p = {.packets = true, .reset = true, .rate = 1000000, .burst = 1000000, .counter = 60};
    struct update u = {.n = 0};
    scrub_words w;
    scrub_policer_pack(&p, w);
    add_write(&u, SCRUB_TABLE_POLICER, 5, w, SCRUB_TABLE_POLICER_WORDS);
    run(policer_old, &u, probes, 2, true);

    /* The counters show no probe counted under a mixed configuration: the
     * old counter pair saw only exceeding packets, the new one only
     * conforming ones. */
    struct scrub_model *m = card_new();
    policer_old(m);
    unsigned before = 0, after = 0;
    for (unsigned i = 0; i < u.n; i++) {
        scrub_model_write(m, u.addr[i], u.value[i]);
        verdicts(m, probes, 2, (struct scrub_verdict[2]){0});
        before += 2;
    }
    card_commit(m);
    for (int k = 0; k < 3; k++) {
        verdicts(m, probes, 2, (struct scrub_verdict[2]){0});
        after += 2;
    }
    card_snapshot(m);
    assert_int_equal(card_counter(m, 50).packets, 0);
    assert_int_equal(card_counter(m, 51).packets, before);
    assert_int_equal(card_counter(m, 60).packets, after);
    assert_int_equal(card_counter(m, 61).packets, 0);
    card_free(m);
}

/* ---- CFG_ACTIONS with entries ---------------------------------------------------------- */

static void mixed_old(struct scrub_model *m)
{
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 1, 10);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_ACCEPT, 40);
    a.proto_value = PROTO_UDP, a.proto_mask = 0xff;
    card_acl(m, 0, &a);
    card_actions(m, SCRUB_CFG_ACTIONS_NONIP_MASK);
}

static void actions_with_entries(void **state)
{
    (void)state;
    struct pkt probes[6];
    probes[0] = probe("192.0.2.1", "198.51.100.5", PROTO_TCP, 80);  /* the default */
    probes[1] = probe("192.0.2.1", "198.51.100.5", PROTO_UDP, 53);  /* entry 0 */
    probes[2] = probe("192.0.2.1", "203.0.113.5", PROTO_UDP, 53);   /* a new destination */
    probes[3] = probe("192.0.2.1", "198.51.100.5", PROTO_TCP, 0);   /* made malformed below */
    probes[3].b[probes[3].l4 + 13] = 0;
    struct pkt_spec s = {.family = 0, .ethertype = 0x0806, .payload = 28, .l4_bytes = -1};
    pkt_build(&probes[4], &s);
    s = pkt_spec("192.0.2.1", "198.51.100.5", PROTO_TCP);
    s.vlans = 3;
    s.tpid[0] = s.tpid[1] = s.tpid[2] = 0x8100;
    pkt_build(&probes[5], &s);
    /* Every action flips, entry 0 turns into a drop, a destination appears. */
    struct update u = {.n = 0};
    add(&u, SCRUB_REG_CFG_ACTIONS,
        SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK | SCRUB_CFG_ACTIONS_MALFORMED_MASK | SCRUB_CFG_ACTIONS_UNPARSED_MASK);
    scrub_words w;
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_DROP, 41);
    a.proto_value = PROTO_UDP, a.proto_mask = 0xff;
    scrub_acl_pack(&a, w);
    add_write(&u, SCRUB_TABLE_ACL, 0, w, SCRUB_TABLE_ACL_WORDS);
    struct scrub_dest_entry d = card_dest_entry("203.0.113.0", 120, 1, 1, 12);
    scrub_dest_pack(&d, w);
    add_write(&u, SCRUB_TABLE_DEST, 7, w, SCRUB_TABLE_DEST_WORDS);
    run(mixed_old, &u, probes, 6, true);
}

/* ---- exact match: atomic per command ------------------------------------------------------ */

static void em_old(struct scrub_model *m)
{
    struct scrub_dest_entry d = card_dest_entry("::", 0, 4, 1, 10);
    card_dest(m, 0, &d);
    card_actions(m, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);
    struct scrub_em_entry e = {.tenant = 4, .addr = card_addr("192.0.2.2"), .action = SCRUB_ACTION_ACCEPT, .counter = 20};
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_OK);
    e = (struct scrub_em_entry){.tenant = 4, .addr = card_addr("192.0.2.3"), .action = SCRUB_ACTION_ACCEPT, .counter = 21};
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_OK);
}

static void add_em(struct update *u, uint32_t cmd, const struct scrub_em_entry *e)
{
    scrub_words w;
    scrub_em_pack(e, w);
    add(u, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_EM);
    for (unsigned i = 0; i < SCRUB_TABLE_EM_WORDS; i++)
        add(u, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
    add(u, SCRUB_REG_TBL_CMD, cmd);
}

static void em_commands(void **state)
{
    (void)state;
    struct pkt probes[] = {
        probe("192.0.2.1", "198.51.100.5", PROTO_TCP, 80),
        probe("192.0.2.2", "198.51.100.5", PROTO_TCP, 80),
        probe("192.0.2.3", "198.51.100.5", PROTO_TCP, 80),
    };
    /* An insert of a new key. */
    struct update u = {.n = 0};
    struct scrub_em_entry e = {.tenant = 4, .addr = card_addr("192.0.2.1"), .action = SCRUB_ACTION_ACCEPT, .counter = 22};
    add_em(&u, SCRUB_CMD_EM_INSERT, &e);
    run(em_old, &u, probes, 1, false);
    /* An update in place: accept becomes drop. */
    u.n = 0;
    e = (struct scrub_em_entry){.tenant = 4, .addr = card_addr("192.0.2.2"), .action = SCRUB_ACTION_DROP, .counter = 23};
    add_em(&u, SCRUB_CMD_EM_INSERT, &e);
    run(em_old, &u, probes + 1, 1, false);
    /* A delete. */
    u.n = 0;
    e = (struct scrub_em_entry){.tenant = 4, .addr = card_addr("192.0.2.3")};
    add_em(&u, SCRUB_CMD_EM_DELETE, &e);
    run(em_old, &u, probes + 2, 1, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dest_entry),       cmocka_unit_test(acl_entry),     cmocka_unit_test(policer_config),
        cmocka_unit_test(actions_with_entries), cmocka_unit_test(em_commands),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
