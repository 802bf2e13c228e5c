/* The destination lookup (docs/card.md, step 3): the longest valid prefix
 * wins, equal prefixes go to the lower index, /0 and /128, unprotected and
 * monitor-only destinations, the offered/dropped counter pairs, and the
 * DEST entry checks. */
#include <string.h>

#include "card_test.h"

/* Installs a valid, enabled entry whose tenant is its index (so that a
 * verdict's dest names it) with the counter pair 2 * index. */
static void dest(struct scrub_model *m, uint32_t i, const char *prefix, unsigned plen)
{
    struct scrub_dest_entry e = card_dest_entry(prefix, plen, (uint16_t)i, 0, 2 * i);
    card_dest(m, i, &e);
}

static int32_t lookup(struct scrub_model *m, const char *src, const char *dst)
{
    struct pkt p;
    struct pkt_spec s = pkt_spec(src, dst, PROTO_UDP);
    pkt_build(&p, &s);
    struct scrub_verdict v = card_send(m, &p, 1);
    assert_int_equal(v.mal, SCRUB_MAL_NONE);
    assert_int_equal(v.gstat, v.dest < 0 ? SCRUB_GSTAT_PASS_UNPROTECTED : SCRUB_GSTAT_PASS_FILTERED);
    return v.dest;
}

#define V4(dst) lookup(m, "198.18.0.1", dst)
#define V6(dst) lookup(m, "2001:db8:ffff::1", dst)

static void longest_prefix_v4(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    dest(m, 5, "10.0.0.0", 96 + 8);
    dest(m, 3, "10.1.0.0", 96 + 16);
    dest(m, 7, "10.1.2.0", 96 + 24);
    dest(m, 9, "10.1.2.3", 128);
    dest(m, 1, "10.1.2.128", 96 + 25);
    dest(m, 8, "10.64.0.0", 96 + 10);
    card_commit(m);
    assert_int_equal(V4("10.1.2.3"), 9);
    assert_int_equal(V4("10.1.2.4"), 7);
    assert_int_equal(V4("10.1.2.127"), 7);
    assert_int_equal(V4("10.1.2.128"), 1);
    assert_int_equal(V4("10.1.2.255"), 1);
    assert_int_equal(V4("10.1.3.1"), 3);
    assert_int_equal(V4("10.2.0.1"), 5);
    assert_int_equal(V4("10.64.0.1"), 8);
    assert_int_equal(V4("10.127.255.255"), 8);
    assert_int_equal(V4("10.128.0.0"), 5);
    assert_int_equal(V4("10.63.255.255"), 5);
    assert_int_equal(V4("11.0.0.1"), -1);
    assert_int_equal(V4("9.255.255.255"), -1);
    /* IPv4 prefixes never cover IPv6 destinations. */
    assert_int_equal(V6("2001:db8::a01:203"), -1);
    card_free(m);
}

static void longest_prefix_v6(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    dest(m, 0, "2001:db8::", 32);
    dest(m, 1, "2001:db8:1::", 48);
    dest(m, 200, "2001:db8:1:2::", 64);
    dest(m, 255, "2001:db8:1:2::5", 128);
    dest(m, 100, "2001:db8:1:2::4", 127);
    dest(m, 50, "2001:db9::", 33);
    dest(m, 60, "2001:db8:1:2:8000::", 65);
    card_commit(m);
    assert_int_equal(V6("2001:db8:1:2::5"), 255);
    assert_int_equal(V6("2001:db8:1:2::4"), 100);
    assert_int_equal(V6("2001:db8:1:2::6"), 200);
    assert_int_equal(V6("2001:db8:1:2:7fff::1"), 200);
    assert_int_equal(V6("2001:db8:1:2:8000::1"), 60);
    assert_int_equal(V6("2001:db8:1:3::1"), 1);
    assert_int_equal(V6("2001:db8:2::1"), 0);
    assert_int_equal(V6("2001:db9::1"), 50);
    assert_int_equal(V6("2001:db9:7fff::1"), 50);
    assert_int_equal(V6("2001:db9:8000::1"), -1);
    assert_int_equal(V6("2001:dba::1"), -1);
    assert_int_equal(V4("10.0.0.1"), -1);
    card_free(m);
}

static void equal_prefixes_lower_index(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    dest(m, 10, "192.0.2.0", 120);
    dest(m, 4, "192.0.2.0", 120);
    dest(m, 30, "192.0.2.0", 120);
    dest(m, 11, "2001:db8:5::", 48);
    dest(m, 6, "2001:db8:5::", 48);
    card_commit(m);
    assert_int_equal(lookup(m, "198.51.100.1", "192.0.2.9"), 4);
    assert_int_equal(V6("2001:db8:5::9"), 6);
    struct scrub_dest_entry off = card_dest_entry("192.0.2.0", 120, 4, 0, 8);
    off.valid = false;
    card_dest(m, 4, &off);
    off = card_dest_entry("2001:db8:5::", 48, 6, 0, 12);
    off.valid = false;
    card_dest(m, 6, &off);
    /* Shadowed: no change until the commit. */
    assert_int_equal(lookup(m, "198.51.100.1", "192.0.2.9"), 4);
    card_commit(m);
    assert_int_equal(lookup(m, "198.51.100.1", "192.0.2.9"), 10);
    assert_int_equal(V6("2001:db8:5::9"), 11);
    /* A longer prefix at a higher index still wins. */
    dest(m, 40, "192.0.2.8", 125);
    card_commit(m);
    assert_int_equal(lookup(m, "198.51.100.1", "192.0.2.9"), 40);
    card_free(m);
}

static void zero_and_full_length(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    dest(m, 20, "::", 0);
    card_commit(m);
    assert_int_equal(V4("203.0.113.1"), 20);
    assert_int_equal(V4("1.2.3.4"), 20);
    assert_int_equal(V6("2001:db8::1"), 20);
    assert_int_equal(V6("ff02::1"), 20);
    dest(m, 21, "::ffff:0.0.0.0", 96); /* all of IPv4 */
    dest(m, 22, "203.0.113.1", 128);
    dest(m, 23, "2001:db8::1", 128);
    card_commit(m);
    assert_int_equal(V4("203.0.113.1"), 22);
    assert_int_equal(V4("203.0.113.2"), 21);
    assert_int_equal(V4("1.2.3.4"), 21);
    assert_int_equal(V6("2001:db8::1"), 23);
    assert_int_equal(V6("2001:db8::2"), 20);
    card_free(m);
}

/* Invalid entries never match, whatever they hold. */
static void invalid_entries_ignored(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    dest(m, 1, "192.0.2.0", 120);
    struct scrub_dest_entry e = card_dest_entry("192.0.2.1", 128, 9, 0, 20);
    e.valid = false;
    card_dest(m, 0, &e);
    e = card_dest_entry("::", 0, 9, 0, 20);
    e.valid = false;
    card_dest(m, 2, &e);
    card_commit(m);
    assert_int_equal(V4("192.0.2.1"), 1);
    assert_int_equal(V4("198.51.100.1"), -1);
    card_free(m);
}

static struct pkt tcp_to(const char *dst)
{
    struct pkt p;
    struct pkt_spec s = pkt_spec("192.0.2.1", dst, PROTO_TCP);
    s.payload = 60; /* L3 length 100 */
    pkt_build(&p, &s);
    return p;
}

static void monitor_only_and_unprotected(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry e = card_dest_entry("198.51.100.0", 120, 1, 0, 10);
    card_dest(m, 0, &e);
    e = card_dest_entry("198.51.100.128", 121, 1, 0, 20);
    e.enable = false;
    card_dest(m, 1, &e);
    struct scrub_acl_entry drop = card_acl_entry(SCRUB_ACTION_DROP, 30);
    card_acl(m, 0, &drop);
    card_actions(m, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);

    struct pkt p = tcp_to("198.51.100.200");
    struct scrub_verdict v = card_send(m, &p, 1);
    assert_true(v.pass);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_UNPROTECTED);
    assert_int_equal(v.dest, 1);
    assert_int_equal(v.acl, -1);
    p = tcp_to("198.51.100.100");
    v = card_send(m, &p, 2);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_ACL);
    assert_int_equal(v.dest, 0);
    p = tcp_to("192.0.2.99");
    v = card_send(m, &p, 3);
    assert_int_equal(v.gstat, SCRUB_GSTAT_PASS_UNPROTECTED);
    assert_int_equal(v.dest, -1);

    card_snapshot(m);
    struct scrub_counter c = card_counter(m, 20);
    assert_int_equal(c.packets, 1);
    assert_int_equal(c.bytes, 100);
    assert_int_equal(card_counter(m, 21).packets, 0);
    assert_int_equal(card_counter(m, 10).packets, 1);
    assert_int_equal(card_counter(m, 11).packets, 1);
    assert_int_equal(card_counter(m, 11).bytes, 100);
    assert_int_equal(card_counter(m, 30).packets, 1);
    for (uint32_t i = 0; i < 4096; i++)
        if (i != 10 && i != 11 && i != 20 && i != 30)
            assert_int_equal(card_counter(m, i).packets, 0);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_UNPROTECTED).packets, 2);
    card_free(m);
}

/* Offered at COUNTER, dropped at COUNTER+1, for every kind of drop of
 * steps 4-6, in L3 bytes; passed packets count only as offered. */
static void offered_and_dropped_pairs(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry e = card_dest_entry("198.51.100.0", 120, 1, 0, 10);
    card_dest(m, 0, &e);
    /* Source 192.0.2.66 dropped by EM; UDP dropped by the ACL; ICMP policed
     * by an empty policer; TCP to port 22 left to the default drop; the
     * rest of TCP accepted. */
    struct scrub_em_entry em = {.tenant = 1, .addr = card_addr("192.0.2.66"), .action = SCRUB_ACTION_DROP, .counter = 40};
    assert_int_equal(card_em_insert(m, &em, NULL), SCRUB_STATUS_OK);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_DROP, 30);
    a.proto_value = PROTO_UDP, a.proto_mask = 0xff;
    card_acl(m, 0, &a);
    a = card_acl_entry(SCRUB_ACTION_POLICE, 31);
    a.proto_value = PROTO_ICMP, a.proto_mask = 0xff, a.policer = 3;
    card_acl(m, 1, &a);
    a = card_acl_entry(SCRUB_ACTION_ACCEPT, 32);
    a.proto_value = PROTO_TCP, a.proto_mask = 0xff, a.dport_lo = 23;
    card_acl(m, 2, &a);
    card_actions(m, SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);

    struct pkt p;
    struct pkt_spec s = pkt_spec("192.0.2.66", "198.51.100.1", PROTO_TCP);
    pkt_build(&p, &s); /* 40 */
    assert_int_equal(card_send(m, &p, 1).gstat, SCRUB_GSTAT_DROP_SRC);
    s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.payload = 2;
    pkt_build(&p, &s); /* 30 */
    assert_int_equal(card_send(m, &p, 2).gstat, SCRUB_GSTAT_DROP_ACL);
    s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_ICMP);
    s.payload = 100;
    pkt_build(&p, &s); /* 128 */
    assert_int_equal(card_send(m, &p, 3).gstat, SCRUB_GSTAT_DROP_POLICER);
    s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.dport = 22;
    s.payload = 1000;
    pkt_build(&p, &s); /* 1040 */
    assert_int_equal(card_send(m, &p, 4).gstat, SCRUB_GSTAT_DROP_DEFAULT);
    s.dport = 443;
    s.payload = 7;
    pkt_build(&p, &s); /* 47 */
    assert_int_equal(card_send(m, &p, 5).gstat, SCRUB_GSTAT_PASS_FILTERED);
    card_snapshot(m);
    struct scrub_counter offered = card_counter(m, 10), dropped = card_counter(m, 11);
    assert_int_equal(offered.packets, 5);
    assert_int_equal(offered.bytes, 40 + 30 + 128 + 1040 + 47);
    assert_int_equal(dropped.packets, 4);
    assert_int_equal(dropped.bytes, 40 + 30 + 128 + 1040);
    assert_int_equal(card_counter(m, 40).packets, 1);
    card_free(m);
}

static void bad_entries(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    dest(m, 3, "192.0.2.0", 120);
    scrub_words before, after;
    card_read(m, SCRUB_TABLE_DEST, 3, before);
    static const struct {
        const char *prefix;
        unsigned plen;
        uint32_t counter;
        uint32_t word;
    } bad[] = {
        {"::", 129, 0, SCRUB_DEST_PLEN_WORD},
        {"::", 255, 0, SCRUB_DEST_PLEN_WORD},
        {"192.0.2.1", 120, 0, SCRUB_DEST_PREFIX_WORD},
        {"2001:db8::1", 127, 0, SCRUB_DEST_PREFIX_WORD},
        {"2001:db8::", 16, 0, SCRUB_DEST_PREFIX_WORD},
        {"::1", 0, 0, SCRUB_DEST_PREFIX_WORD},
        {"192.0.2.0", 120, 4095, SCRUB_DEST_COUNTER_WORD}, /* its dropped counter would be 4096 */
        {"192.0.2.0", 120, 4096, SCRUB_DEST_COUNTER_WORD},
        {"192.0.2.0", 120, 0xffffffffu, SCRUB_DEST_COUNTER_WORD},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct scrub_dest_entry e = card_dest_entry(bad[i].prefix, 0, 1, 0, bad[i].counter);
        e.plen = (uint8_t)bad[i].plen;
        assert_int_equal(card_dest_try(m, 3, &e), SCRUB_STATUS_BAD_ENTRY);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_TBL_RESULT), bad[i].word);
        card_read(m, SCRUB_TABLE_DEST, 3, after);
        assert_memory_equal(before, after, sizeof(before));
        /* Not valid: not checked. */
        e.valid = false;
        assert_int_equal(card_dest_try(m, 4, &e), SCRUB_STATUS_OK);
    }
    struct scrub_dest_entry e = card_dest_entry("192.0.2.0", 120, 1, 0, 4094);
    assert_int_equal(card_dest_try(m, 5, &e), SCRUB_STATUS_OK);
    e = card_dest_entry("2001:db8::1", 128, 1, 0, 0);
    assert_int_equal(card_dest_try(m, 255, &e), SCRUB_STATUS_OK);
    assert_int_equal(card_dest_try(m, 256, &e), SCRUB_STATUS_BAD_INDEX);
    card_commit(m);
    assert_int_equal(V4("192.0.2.1"), 3);
    card_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(longest_prefix_v4),
        cmocka_unit_test(longest_prefix_v6),
        cmocka_unit_test(equal_prefixes_lower_index),
        cmocka_unit_test(zero_and_full_length),
        cmocka_unit_test(invalid_entries_ignored),
        cmocka_unit_test(monitor_only_and_unprotected),
        cmocka_unit_test(offered_and_dropped_pairs),
        cmocka_unit_test(bad_entries),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
