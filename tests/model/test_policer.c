/* Policers (docs/card.md, "Policers"): accuracy of the token bucket at
 * several loads, sizes and both units, bursts after idle time, per-source
 * groups, the semantics of a committed change (tokens kept and capped,
 * RESET, a change of unit), the counter pairs and the entry checks. The
 * bucket's state is read back through TOKENS and LAST where the spec makes
 * it exact. */
#include <stdio.h>
#include <string.h>

#include "card_test.h"

#define NS 1000000000ull
#define GROUP_COUNTER 1000

/* A card where every packet to a /0 destination is policed by policer
 * `first` (a group of 2^bits), ACL counter 0. */
static struct scrub_model *policed_card(uint32_t first, uint8_t bits)
{
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("::", 0, 1, 0, 2);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_POLICE, 0);
    a.policer = first;
    a.policer_bits = bits;
    card_acl(m, 0, &a);
    card_commit(m);
    return m;
}

/* Configures a policer and commits at time t (RESET: the bucket is full
 * at t). */
static void configure(struct scrub_model *m, uint32_t i, bool packets, uint64_t rate, uint32_t burst, uint32_t counter,
                      uint64_t t)
{
    struct scrub_policer_entry p = {.packets = packets, .reset = true, .rate = rate, .burst = burst, .counter = counter};
    card_policer(m, i, &p);
    scrub_model_set_time(m, t);
    card_commit(m);
}

/* A UDP packet of L3 length len from src. */
static void udp(struct pkt *p, const char *src, unsigned len)
{
    struct pkt_spec s = pkt_spec(src, strchr(src, ':') ? "2001:db8:ffff::1" : "198.51.100.1", PROTO_UDP);
    s.payload = len - (strchr(src, ':') ? 48 : 28);
    pkt_build(p, &s);
}

/* ---- accuracy ---------------------------------------------------------------------------- */

struct load {
    bool packets;
    unsigned size;      /* L3 bytes */
    unsigned load_x10;  /* offered load in tenths of the rate */
};

static void accuracy(void **state)
{
    (void)state;
    static const struct load loads[] = {
        {false, 64, 5},  {false, 64, 20},  {false, 64, 100},  {false, 1500, 5}, {false, 1500, 20},
        {false, 1500, 100}, {true, 64, 5}, {true, 64, 20}, {true, 64, 100}, {true, 1500, 5},
        {true, 1500, 20}, {true, 1500, 100},
    };
    for (size_t c = 0; c < sizeof(loads) / sizeof(*loads); c++) {
        const struct load *l = &loads[c];
        /* 1000 packets per second at 1x; a burst of 20 packets. */
        uint64_t rate = l->packets ? 1000 : 1000ull * l->size;
        uint32_t burst = l->packets ? 20 : 20 * l->size;
        struct scrub_model *m = policed_card(5, 0);
        uint64_t t0 = 10 * NS;
        configure(m, 5, l->packets, rate, burst, 10, t0);
        struct pkt p;
        udp(&p, "192.0.2.1", l->size);
        uint64_t interval = NS * 10 / (1000ull * l->load_x10), span = 1 * NS;
        uint64_t sent = 0, conform = 0;
        for (uint64_t t = t0; t < t0 + span; t += interval, sent++) {
            struct scrub_verdict v = card_send(m, &p, t);
            assert_int_equal(v.policer, 5);
            conform += v.pass;
            assert_int_equal(v.gstat, v.pass ? SCRUB_GSTAT_PASS_FILTERED : SCRUB_GSTAT_DROP_POLICER);
        }
        uint64_t last = t0 + (sent - 1) * interval;
        /* In units: the spec's bound over the time the bucket refilled. */
        uint64_t unit = l->packets ? 1 : l->size;
        uint64_t bound = (rate * (last - t0)) / NS + burst;
        uint64_t offered = sent * unit, got = conform * unit;
        print_message("%s %4u bytes at %2u.%ux: offered %llu, conforming %llu, rate x T + burst %llu\n",
                      l->packets ? "packets" : "bytes  ", l->size, l->load_x10 / 10, l->load_x10 % 10,
                      (unsigned long long)offered, (unsigned long long)got, (unsigned long long)bound);
        assert_true(got <= bound);
        uint64_t expect = offered < bound ? offered : bound;
        assert_true(got * 100 >= expect * 99);
        if (l->load_x10 < 10)
            assert_int_equal(conform, sent); /* below the rate nothing exceeds */
        /* The counter pair: conforming at COUNTER, exceeding at COUNTER+1,
         * in packets and L3 bytes. */
        card_snapshot(m);
        struct scrub_counter c_ok = card_counter(m, 10), c_exc = card_counter(m, 11);
        assert_int_equal(c_ok.packets, conform);
        assert_int_equal(c_ok.bytes, conform * l->size);
        assert_int_equal(c_exc.packets, sent - conform);
        assert_int_equal(c_exc.bytes, (sent - conform) * l->size);
        assert_int_equal(card_counter(m, 3).packets, sent - conform); /* the destination's dropped pair */
        card_free(m);
    }
}

/* After idle time the bucket holds min(burst, rate x idle): a burst at one
 * instant gets exactly that many packets through. */
static void bursts_after_idle(void **state)
{
    (void)state;
    for (int packets = 0; packets < 2; packets++) {
        struct scrub_model *m = policed_card(6, 0);
        /* 64-byte packets; 1000 of them per second, a bucket of 20. */
        configure(m, 6, packets, packets ? 1000 : 64000, packets ? 20 : 1280, 10, NS);
        struct pkt p;
        udp(&p, "2001:db8::1", 64);
        static const struct {
            uint64_t idle_ns;
            unsigned want;
        } cycles[] = {{0, 20}, {5000000, 5}, {1000000, 1}, {999999, 0}, {1, 1}, {30 * NS, 20}, {10000000, 10},
                      {20000000, 20}, {200000000, 20}};
        uint64_t t = NS;
        for (size_t c = 0; c < sizeof(cycles) / sizeof(*cycles); c++) {
            t += cycles[c].idle_ns;
            unsigned through = 0;
            for (int i = 0; i < 60; i++)
                through += card_send(m, &p, t).pass;
            if (through != cycles[c].want)
                fail_msg("%s, burst %zu after %llu ns idle: %u through, want %u", packets ? "packets" : "bytes", c,
                         (unsigned long long)cycles[c].idle_ns, through, cycles[c].want);
        }
        card_free(m);
    }
}

/* ---- per-source groups ---------------------------------------------------------------------- */

static uint32_t group_member(const struct scrub_addr *src, unsigned bits)
{
    return card_crc32c(src->b, 16) & ((1u << bits) - 1);
}

static void per_source_group_choice(void **state)
{
    (void)state;
    for (uint8_t bits = 1; bits <= 6; bits++) {
        struct scrub_model *m = policed_card(64, bits);
        for (uint32_t i = 0; i < (1u << bits); i++)
            configure(m, 64 + i, true, 1000, 1000, GROUP_COUNTER + 2 * i, NS);
        uint64_t rng = 0x9000 + bits;
        unsigned seen[64] = {0};
        for (int n = 0; n < 300; n++) {
            char text[64];
            uint64_t r = card_rand(&rng);
            if (n % 2)
                snprintf(text, sizeof(text), "%u.%u.%u.%u", (unsigned)(1 + r % 126), (unsigned)(r >> 8) & 255,
                         (unsigned)(r >> 16) & 255, (unsigned)(r >> 24) & 255);
            else
                snprintf(text, sizeof(text), "2001:db8:%x::%x", (unsigned)(r >> 8) & 0xffff,
                         (unsigned)(r >> 24) & 0xffff);
            struct pkt p;
            udp(&p, text, 100);
            struct scrub_addr src = card_addr(text);
            struct scrub_verdict v = card_send(m, &p, 2 * NS);
            uint32_t want = group_member(&src, bits);
            if (v.policer != (int32_t)(64 + want))
                fail_msg("%u bits, source %s: policer %d, CRC-32C says %u", bits, text, v.policer, 64 + want);
            seen[want]++;
        }
        for (uint32_t i = 0; bits <= 4 && i < (1u << bits); i++) /* every member used */
            assert_true(seen[i] > 0);
        card_free(m);
    }
}

/* Finds an IPv4 source 10.x.y.z that lands in member g of a group of 8. */
static struct scrub_addr source_in(uint32_t g, uint32_t salt)
{
    for (uint32_t k = 0;; k++) {
        struct scrub_addr a = scrub_addr_v4(0x0a000000u + salt * 0x10000u + k);
        if (group_member(&a, 3) == g)
            return a;
    }
}

static void per_source_flood(void **state)
{
    (void)state;
    struct scrub_model *m = policed_card(16, 3);
    /* Each member: 100 packets per second of 100 bytes, bucket of 10 packets. */
    for (uint32_t i = 0; i < 8; i++)
        configure(m, 16 + i, false, 10000, 1000, GROUP_COUNTER + 2 * i, NS);
    /* Two flooders in members 1 and 6 at 10x, one light source in each
     * other member at half the rate. */
    struct scrub_addr src[8];
    for (uint32_t g = 0; g < 8; g++)
        src[g] = source_in(g, g);
    struct pkt pk[8];
    for (uint32_t g = 0; g < 8; g++) {
        struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
        s.src = src[g];
        s.payload = 100 - 28;
        pkt_build(&pk[g], &s);
    }
    uint64_t sent[8] = {0}, through[8] = {0};
    uint64_t t0 = NS, span = 2 * NS;
    for (uint64_t t = t0; t < t0 + span; t += NS / 1000) { /* a 1 ms tick */
        for (uint32_t g = 0; g < 8; g++) {
            bool flooder = g == 1 || g == 6;
            unsigned n = flooder ? 1 : (t - t0) % (20 * (NS / 1000)) == 0; /* 1000/s or 50/s */
            for (unsigned k = 0; k < n; k++) {
                struct scrub_verdict v = card_send(m, &pk[g], t);
                assert_int_equal(v.policer, 16 + g);
                sent[g]++;
                through[g] += v.pass;
            }
        }
    }
    for (uint32_t g = 0; g < 8; g++) {
        if (g == 1 || g == 6) {
            uint64_t bound = (10000 * (span - NS / 1000)) / NS + 1000; /* bytes */
            assert_true(through[g] * 100 <= bound);
            assert_true(through[g] * 100 * 100 >= bound * 99);
        } else {
            assert_int_equal(through[g], sent[g]);
        }
    }
    card_snapshot(m);
    for (uint32_t g = 0; g < 8; g++) {
        assert_int_equal(card_counter(m, GROUP_COUNTER + 2 * g).packets, through[g]);
        assert_int_equal(card_counter(m, GROUP_COUNTER + 2 * g + 1).packets, sent[g] - through[g]);
    }
    card_free(m);
}

/* ---- configuration changes -------------------------------------------------------------------- */

static void expect_state(struct scrub_model *m, uint32_t i, uint64_t tokens, uint64_t last)
{
    struct scrub_policer_entry e = card_policer_get(m, i);
    if (e.tokens != tokens || e.last != last)
        fail_msg("policer %u: TOKENS %llu LAST %llu, want %llu and %llu", i, (unsigned long long)e.tokens,
                 (unsigned long long)e.last, (unsigned long long)tokens, (unsigned long long)last);
}

static void starts_empty(void **state)
{
    (void)state;
    struct scrub_model *m = policed_card(100, 0);
    struct pkt p;
    udp(&p, "192.0.2.1", 40);
    for (uint64_t t = 1; t < 100 * NS; t += 7 * NS)
        assert_int_equal(card_send(m, &p, t).gstat, SCRUB_GSTAT_DROP_POLICER);
    struct scrub_policer_entry e = card_policer_get(m, 100);
    assert_int_equal(e.rate, 0);
    assert_int_equal(e.burst, 0);
    assert_int_equal(e.tokens, 0);
    card_free(m);
}

static void change_keeps_tokens_capped(void **state)
{
    (void)state;
    struct scrub_model *m = policed_card(7, 0);
    configure(m, 7, false, 1000, 10000, 10, 1 * NS);
    expect_state(m, 7, 10000 * NS, 1 * NS);
    /* A smaller bucket: the tokens are capped at the new depth; the clock
     * is not restarted. */
    struct scrub_policer_entry e = {.rate = 1000, .burst = 4000, .counter = 10};
    card_policer(m, 7, &e);
    scrub_model_set_time(m, 2 * NS);
    expect_state(m, 7, 10000 * NS, 1 * NS); /* not before the commit */
    card_commit(m);
    expect_state(m, 7, 4000 * NS, 1 * NS);
    struct pkt p;
    udp(&p, "192.0.2.1", 100);
    assert_true(card_send(m, &p, 3 * NS).pass);
    expect_state(m, 7, 3900 * NS, 3 * NS);
    /* A bigger bucket keeps the tokens as they are. */
    e.burst = 50000;
    card_policer(m, 7, &e);
    card_commit(m);
    expect_state(m, 7, 3900 * NS, 3 * NS);
    /* A commit that changes nothing leaves the state alone. */
    scrub_model_set_time(m, 3 * NS + 500);
    card_commit(m);
    expect_state(m, 7, 3900 * NS, 3 * NS);
    card_free(m);
}

/* The new rate applies from the last refill, not from the commit. */
static void new_rate_from_last_refill(void **state)
{
    (void)state;
    struct pkt big, small;
    udp(&big, "192.0.2.1", 1000);
    udp(&small, "192.0.2.1", 100);
    for (int committed = 0; committed < 2; committed++) {
        struct scrub_model *m = policed_card(8, 0);
        configure(m, 8, false, 1000, 100000, 10, 10 * NS);
        for (int i = 0; i < 99; i++)
            assert_true(card_send(m, &big, 10 * NS).pass);
        expect_state(m, 8, 1000 * NS, 10 * NS);
        struct scrub_policer_entry e = {.rate = 5000, .burst = 100000, .counter = 10};
        card_policer(m, 8, &e);
        scrub_model_set_time(m, 20 * NS);
        if (committed)
            card_commit(m);
        expect_state(m, 8, 1000 * NS, 10 * NS);
        assert_true(card_send(m, &small, 21 * NS).pass);
        /* 1000 + 11 s at the new rate (or the old one without the commit), minus 100. */
        uint64_t rate = committed ? 5000 : 1000;
        expect_state(m, 8, (1000 + rate * 11 - 100) * NS, 21 * NS);
        card_free(m);
    }
}

static void reset_and_unit_change_refill(void **state)
{
    (void)state;
    struct scrub_model *m = policed_card(9, 0);
    configure(m, 9, false, 1000, 100000, 10, 10 * NS);
    struct pkt big;
    udp(&big, "192.0.2.1", 1000);
    for (int i = 0; i < 99; i++)
        assert_true(card_send(m, &big, 10 * NS).pass);
    expect_state(m, 9, 1000 * NS, 10 * NS);

    /* RESET reads 0, and refills only at the commit. */
    struct scrub_policer_entry e = {.rate = 1000, .burst = 100000, .counter = 10, .reset = true};
    card_policer(m, 9, &e);
    struct scrub_policer_entry got = card_policer_get(m, 9);
    assert_false(got.reset);
    assert_int_equal(got.rate, 1000);
    scrub_model_set_time(m, 30 * NS);
    expect_state(m, 9, 1000 * NS, 10 * NS);
    card_commit(m);
    expect_state(m, 9, 100000 * NS, 30 * NS);
    /* Once: the next commit does not refill again. */
    assert_true(card_send(m, &big, 30 * NS).pass);
    card_commit(m);
    expect_state(m, 9, 99000 * NS, 30 * NS);

    /* Bytes to packets: a change of unit refills. */
    e = (struct scrub_policer_entry){.packets = true, .rate = 10, .burst = 50, .counter = 10};
    card_policer(m, 9, &e);
    scrub_model_set_time(m, 40 * NS);
    card_commit(m);
    expect_state(m, 9, 50 * NS, 40 * NS);
    for (int i = 0; i < 50; i++)
        assert_true(card_send(m, &big, 40 * NS).pass);
    assert_false(card_send(m, &big, 40 * NS).pass);
    expect_state(m, 9, 0, 40 * NS);
    /* And back to bytes. */
    e = (struct scrub_policer_entry){.packets = false, .rate = 10, .burst = 3000, .counter = 10};
    card_policer(m, 9, &e);
    scrub_model_set_time(m, 41 * NS);
    card_commit(m);
    expect_state(m, 9, 3000 * NS, 41 * NS);
    card_free(m);
}

/* The refill product at the largest rate over a huge interval saturates at
 * the depth instead of wrapping. */
static void largest_rate_and_interval(void **state)
{
    (void)state;
    struct scrub_model *m = policed_card(10, 0);
    const uint64_t rate_max = (1ull << 40) - 1;
    configure(m, 10, false, rate_max, 0xffffffffu, 10, 1);
    struct pkt p;
    udp(&p, "192.0.2.1", 1500);
    for (int i = 0; i < 1000; i++)
        assert_true(card_send(m, &p, 1).pass);
    uint64_t cap = 0xffffffffull * NS;
    expect_state(m, 10, cap - 1000 * 1500 * NS, 1);
    assert_true(card_send(m, &p, 1ull << 63).pass);
    expect_state(m, 10, cap - 1500 * NS, 1ull << 63);
    assert_true(card_send(m, &p, UINT64_MAX).pass);
    expect_state(m, 10, cap - 1500 * NS, UINT64_MAX);
    card_free(m);
}

static void bad_entries(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_policer_entry good = {.rate = 12345, .burst = 678, .counter = 90};
    card_policer(m, 4, &good);
    static const struct {
        uint64_t rate;
        uint32_t counter, word;
    } bad[] = {
        {1ull << 40, 0, SCRUB_POLICER_RATE_WORD},
        {UINT64_MAX, 0, SCRUB_POLICER_RATE_WORD},
        {1ull << 63, 0, SCRUB_POLICER_RATE_WORD},
        {0, 4095, SCRUB_POLICER_COUNTER_WORD}, /* its exceeding counter would be 4096 */
        {0, 4096, SCRUB_POLICER_COUNTER_WORD},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct scrub_policer_entry e = {.rate = bad[i].rate, .burst = 1, .counter = bad[i].counter};
        assert_int_equal(card_policer_try(m, 4, &e), SCRUB_STATUS_BAD_ENTRY);
        assert_int_equal(scrub_model_read(m, SCRUB_REG_TBL_RESULT), bad[i].word);
        struct scrub_policer_entry got = card_policer_get(m, 4);
        assert_int_equal(got.rate, 12345);
        assert_int_equal(got.burst, 678);
        assert_int_equal(got.counter, 90);
    }
    struct scrub_policer_entry e = {.rate = (1ull << 40) - 1, .burst = 0xffffffffu, .counter = 4094};
    assert_int_equal(card_policer_try(m, 255, &e), SCRUB_STATUS_OK);
    assert_int_equal(card_policer_try(m, 256, &e), SCRUB_STATUS_BAD_INDEX);
    struct scrub_policer_entry got = card_policer_get(m, 255);
    assert_int_equal(got.rate, (1ull << 40) - 1);
    assert_int_equal(got.burst, 0xffffffffu);
    card_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accuracy),
        cmocka_unit_test(bursts_after_idle),
        cmocka_unit_test(per_source_group_choice),
        cmocka_unit_test(per_source_flood),
        cmocka_unit_test(starts_empty),
        cmocka_unit_test(change_keeps_tokens_capped),
        cmocka_unit_test(new_rate_from_last_refill),
        cmocka_unit_test(reset_and_unit_change_refill),
        cmocka_unit_test(largest_rate_and_interval),
        cmocka_unit_test(bad_entries),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
