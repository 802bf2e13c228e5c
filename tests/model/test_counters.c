/* Counters (docs/card.md, "Counters and the snapshot"): the shared pool,
 * reads that return the snapshot until the next SNAPSHOT, COUNTER writes
 * that set the live pair, wrapping at 2^64, L3 versus frame bytes, and the
 * global counters: every frame in RX and in exactly one outcome, TX the
 * sum of the PASS_* outcomes. */
#include <string.h>

#include "card_test.h"

static struct pkt tcp(const char *src, const char *dst, unsigned payload)
{
    struct pkt p;
    struct pkt_spec s = pkt_spec(src, dst, PROTO_TCP);
    s.payload = payload;
    pkt_build(&p, &s);
    return p;
}

/* Entries of every kind share counter 50: DEST offered (its dropped pair
 * is 51), an ACL entry, an EM entry and a policer's conforming pair. */
static void shared_pool(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 0, 50);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_POLICE, 50);
    a.policer = 3;
    card_acl(m, 0, &a);
    struct scrub_policer_entry pol = {.packets = true, .rate = 0, .burst = 100, .counter = 50, .reset = true};
    card_policer(m, 3, &pol);
    card_commit(m);
    struct scrub_em_entry e = {.tenant = 1, .addr = card_addr("192.0.2.9"), .action = SCRUB_ACTION_ACCEPT, .counter = 50};
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_OK);

    struct pkt p = tcp("192.0.2.1", "198.51.100.1", 10); /* 50 bytes: DEST, ACL, policer */
    assert_int_equal(card_send(m, &p, 1).gstat, SCRUB_GSTAT_PASS_FILTERED);
    p = tcp("192.0.2.9", "198.51.100.1", 60); /* 100 bytes: DEST, EM */
    assert_int_equal(card_send(m, &p, 2).gstat, SCRUB_GSTAT_PASS_FILTERED);
    card_snapshot(m);
    struct scrub_counter c = card_counter(m, 50);
    assert_int_equal(c.packets, 3 + 2);
    assert_int_equal(c.bytes, 3 * 50 + 2 * 100);
    assert_int_equal(card_counter(m, 51).packets, 0);
    card_free(m);
}

static void snapshot_consistency(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 0, 8);
    card_dest(m, 0, &d);
    card_commit(m);
    struct pkt p = tcp("192.0.2.1", "198.51.100.1", 0);
    /* Before any snapshot the bank reads 0. */
    card_send(m, &p, 1);
    assert_int_equal(card_counter(m, 8).packets, 0);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 0);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).packets, 1);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 1);
    /* Traffic after the snapshot does not show, however often it is read. */
    for (int i = 0; i < 5; i++)
        card_send(m, &p, 2 + (uint64_t)i);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(card_counter(m, 8).packets, 1);
        assert_int_equal(card_counter(m, 8).bytes, 40);
        assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 1);
        assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_FILTERED).packets, 1);
    }
    /* One snapshot: the pool and the global counters of one instant. */
    card_snapshot(m);
    for (int i = 0; i < 4; i++)
        card_send(m, &p, 10 + (uint64_t)i);
    assert_int_equal(card_counter(m, 8).packets, 6);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 6);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_TX).packets, 6);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_FILTERED).packets, 6);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).packets, 10);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 10);
    /* SNAPSHOT wants a 1. */
    card_send(m, &p, 20);
    scrub_model_write(m, SCRUB_REG_SNAPSHOT, 0);
    assert_int_equal(card_counter(m, 8).packets, 10);
    card_free(m);
}

static void counter_writes_set_live_pair(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 0, 8);
    card_dest(m, 0, &d);
    card_commit(m);
    struct pkt p = tcp("192.0.2.1", "198.51.100.1", 0);
    card_send(m, &p, 1);
    card_snapshot(m);
    card_counter_set(m, 8, 1000, 2000);
    /* The write went to the live pair; the snapshot still says 1. */
    assert_int_equal(card_counter(m, 8).packets, 1);
    card_send(m, &p, 2);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).packets, 1001);
    assert_int_equal(card_counter(m, 8).bytes, 2040);
    /* Reuse: zero. */
    card_counter_set(m, 8, 0, 0);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).packets, 0);
    assert_int_equal(card_counter(m, 8).bytes, 0);
    /* Wrapping at 2^64. */
    card_counter_set(m, 8, UINT64_MAX, UINT64_MAX - 10);
    card_send(m, &p, 3);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).packets, 0);
    assert_int_equal(card_counter(m, 8).bytes, 29);
    /* Other pairs untouched by all this. */
    assert_int_equal(card_counter(m, 9).packets, 0);
    assert_int_equal(card_counter(m, 7).packets, 0);

    scrub_words w = {0};
    assert_int_equal(card_write(m, SCRUB_TABLE_COUNTER, 4095, w), SCRUB_STATUS_OK);
    assert_int_equal(card_write(m, SCRUB_TABLE_COUNTER, 4096, w), SCRUB_STATUS_BAD_INDEX);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_COUNTER, 4096, SCRUB_CMD_READ), SCRUB_STATUS_BAD_INDEX);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_COUNTER, 0, SCRUB_CMD_EM_INSERT), SCRUB_STATUS_BAD_CMD);
    /* Global counters are read only. */
    assert_int_equal(card_write(m, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_RX, w), SCRUB_STATUS_BAD_CMD);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_COUNT - 1, SCRUB_CMD_READ), SCRUB_STATUS_OK);
    assert_int_equal(card_cmd(m, SCRUB_TABLE_GSTAT, SCRUB_GSTAT_COUNT, SCRUB_CMD_READ), SCRUB_STATUS_BAD_INDEX);
    card_snapshot(m);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 3);
    card_free(m);
}

/* Entry counters count L3 bytes, global counters frame bytes. */
static void l3_and_frame_bytes(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("2001:db8:100::", 48, 1, 0, 8);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_ACCEPT, 10);
    card_acl(m, 0, &a);
    card_commit(m);
    struct pkt p;
    struct pkt_spec s = pkt_spec("2001:db8::1", "2001:db8:100::1", PROTO_UDP);
    s.vlans = 2, s.tpid[0] = 0x88a8, s.tpid[1] = 0x8100;
    s.payload = 100;
    s.pad = 17;
    pkt_build(&p, &s);
    assert_int_equal(p.len, 14 + 8 + 40 + 8 + 100 + 17);
    assert_int_equal(card_send(m, &p, 1).gstat, SCRUB_GSTAT_PASS_FILTERED);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).bytes, 148);
    assert_int_equal(card_counter(m, 10).bytes, 148);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).bytes, p.len);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_TX).bytes, p.len);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_FILTERED).bytes, p.len);
    card_free(m);
}

/* ---- every outcome ---------------------------------------------------------------- */

static uint64_t want_pkts[SCRUB_GSTAT_COUNT], want_bytes[SCRUB_GSTAT_COUNT];

/* Sends without draining the output; checks the outcome and books it. */
static void send(struct scrub_model *m, const struct pkt *p, uint64_t ts, uint8_t outcome)
{
    struct scrub_verdict v;
    scrub_model_packet(m, p->b, p->len, ts, &v);
    assert_int_equal(v.gstat, outcome);
    want_pkts[outcome]++;
    want_bytes[outcome] += p->len;
}

static void drain(struct scrub_model *m)
{
    static uint8_t buf[PKT_MAX];
    while (scrub_model_output_pop(m, buf, sizeof(buf), NULL))
        ;
}

static bool is_outcome(uint32_t i)
{
    return i >= SCRUB_GSTAT_PASS_UNPROTECTED && i <= SCRUB_GSTAT_DROP_WATCHDOG;
}

static bool is_pass(uint32_t i)
{
    return i >= SCRUB_GSTAT_PASS_UNPROTECTED && i <= SCRUB_GSTAT_PASS_FILTERED;
}

static void every_outcome_rx_tx(void **state)
{
    (void)state;
    memset(want_pkts, 0, sizeof(want_pkts));
    memset(want_bytes, 0, sizeof(want_bytes));
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 0, 8);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_DROP, 10);
    a.proto_value = PROTO_UDP, a.proto_mask = 0xff;
    card_acl(m, 0, &a);
    a = card_acl_entry(SCRUB_ACTION_POLICE, 11);
    a.proto_value = PROTO_ICMP, a.proto_mask = 0xff, a.policer = 1;
    card_acl(m, 1, &a);
    a = card_acl_entry(SCRUB_ACTION_ACCEPT, 12);
    a.dport_lo = a.dport_hi = 443;
    card_acl(m, 2, &a);
    struct scrub_em_entry e = {.tenant = 1, .addr = card_addr("192.0.2.66"), .action = SCRUB_ACTION_DROP, .counter = 13};
    assert_int_equal(card_em_insert(m, &e, NULL), SCRUB_STATUS_OK);

    struct pkt ok = tcp("192.0.2.1", "198.51.100.1", 0), https, udp, icmp, src, unprot, bad, arp, tags, big;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.dport = 443;
    s.payload = 33;
    pkt_build(&https, &s);
    s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.payload = 5;
    pkt_build(&udp, &s);
    s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_ICMP);
    pkt_build(&icmp, &s);
    src = tcp("192.0.2.66", "198.51.100.1", 7);
    unprot = tcp("192.0.2.1", "203.0.113.1", 9);
    s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_TCP);
    s.tcp_flags = TCP_FIN;
    pkt_build(&bad, &s);
    struct pkt_spec sa = {.family = 0, .ethertype = 0x0806, .payload = 46, .l4_bytes = -1};
    pkt_build(&arp, &sa);
    s = pkt_spec("192.0.2.1", "203.0.113.1", PROTO_UDP);
    s.vlans = 3, s.tpid[0] = s.tpid[1] = s.tpid[2] = 0x8100;
    pkt_build(&tags, &s);
    s = pkt_spec("192.0.2.1", "203.0.113.1", PROTO_UDP);
    s.payload = SCRUB_MAX_FRAME - 14 - 28;
    pkt_build(&big, &s);

    uint64_t t = 1;
    /* Disabled: everything bypasses, even malformed frames. */
    scrub_model_write(m, SCRUB_REG_CTRL, 0);
    send(m, &ok, t++, SCRUB_GSTAT_PASS_BYPASS);
    send(m, &bad, t++, SCRUB_GSTAT_PASS_BYPASS);
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);
    drain(m);

    card_actions(m, 0);
    send(m, &bad, t++, SCRUB_GSTAT_PASS_EXCEPTION);
    send(m, &arp, t++, SCRUB_GSTAT_PASS_EXCEPTION);
    send(m, &tags, t++, SCRUB_GSTAT_PASS_EXCEPTION);
    send(m, &ok, t++, SCRUB_GSTAT_PASS_FILTERED);
    send(m, &unprot, t++, SCRUB_GSTAT_PASS_UNPROTECTED);
    drain(m);
    card_actions(m, SCRUB_CFG_ACTIONS_MALFORMED_MASK | SCRUB_CFG_ACTIONS_NONIP_MASK | SCRUB_CFG_ACTIONS_UNPARSED_MASK |
                        SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK);
    send(m, &bad, t++, SCRUB_GSTAT_DROP_MALFORMED);
    send(m, &arp, t++, SCRUB_GSTAT_DROP_NONIP);
    send(m, &tags, t++, SCRUB_GSTAT_DROP_UNPARSED);
    send(m, &ok, t++, SCRUB_GSTAT_DROP_DEFAULT);
    send(m, &https, t++, SCRUB_GSTAT_PASS_FILTERED);
    send(m, &udp, t++, SCRUB_GSTAT_DROP_ACL);
    send(m, &icmp, t++, SCRUB_GSTAT_DROP_POLICER);
    send(m, &src, t++, SCRUB_GSTAT_DROP_SRC);
    drain(m);
    /* A stalled output: the second longest frame overflows. */
    send(m, &big, t++, SCRUB_GSTAT_PASS_UNPROTECTED);
    send(m, &big, t++, SCRUB_GSTAT_DROP_OVERFLOW);
    send(m, &https, t++, SCRUB_GSTAT_DROP_OVERFLOW);
    drain(m);
    /* The watchdog, failing closed, then open. */
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK | SCRUB_CTRL_FAIL_CLOSED_MASK);
    scrub_model_write(m, SCRUB_REG_WDOG_TIMEOUT, 1);
    t += 2000000;
    send(m, &ok, t++, SCRUB_GSTAT_DROP_WATCHDOG);
    send(m, &arp, t++, SCRUB_GSTAT_DROP_WATCHDOG);
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);
    send(m, &udp, t++, SCRUB_GSTAT_PASS_BYPASS);
    drain(m);

    card_snapshot(m);
    uint64_t rx = 0, tx = 0, rx_bytes = 0, tx_bytes = 0, frames = 0, frame_bytes = 0;
    for (uint32_t i = 0; i < SCRUB_GSTAT_COUNT; i++) {
        if (!is_outcome(i))
            continue;
        struct scrub_counter c = card_gstat(m, i);
        assert_int_equal(c.packets, want_pkts[i]);
        assert_int_equal(c.bytes, want_bytes[i]);
        assert_true(c.packets > 0); /* this traffic reaches every outcome */
        rx += c.packets, rx_bytes += c.bytes;
        if (is_pass(i))
            tx += c.packets, tx_bytes += c.bytes;
        frames += want_pkts[i], frame_bytes += want_bytes[i];
    }
    struct scrub_counter crx = card_gstat(m, SCRUB_GSTAT_RX), ctx = card_gstat(m, SCRUB_GSTAT_TX);
    assert_int_equal(crx.packets, frames);
    assert_int_equal(crx.packets, rx);
    assert_int_equal(crx.bytes, rx_bytes);
    assert_int_equal(crx.bytes, frame_bytes);
    assert_int_equal(ctx.packets, tx);
    assert_int_equal(ctx.bytes, tx_bytes);
    /* Seen counters: every non-IP, unparsed and malformed frame the parser
     * saw, whatever the action; not those the disabled card or the
     * watchdog passed by. */
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_SEEN_NONIP).packets, 2);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_SEEN_UNPARSED).packets, 2);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_MALFORMED_BASE + SCRUB_MAL_TCP_FLAGS).packets, 2);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_MALFORMED_BASE + SCRUB_MAL_TCP_FLAGS).bytes, 2 * bad.len);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_COUNT_ONLY_LOST).packets, 0);
    /* The destination's pairs: offered ok x2, https x2 (one of them lost
     * to the FIFO), udp, icmp, src; dropped by the filter: the default,
     * the ACL, the policer and the source list, not the overflow. */
    struct scrub_counter offered = card_counter(m, 8), dropped = card_counter(m, 9);
    assert_int_equal(offered.packets, 7);
    assert_int_equal(dropped.packets, 4);
    assert_int_equal(card_counter(m, 12).packets, 2);
    card_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_pool),
        cmocka_unit_test(snapshot_consistency),
        cmocka_unit_test(counter_writes_set_live_pair),
        cmocka_unit_test(l3_and_frame_bytes),
        cmocka_unit_test(every_outcome_rx_tx),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
