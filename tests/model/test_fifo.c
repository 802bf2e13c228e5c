/* The output FIFO (docs/card.md, step 7): CAP_FIFO_BEATS beats of 64
 * bytes, a frame takes ceil(len / 64) beats and at least one; a passed
 * frame that does not fit whole is dropped (DROP_OVERFLOW) while smaller
 * ones that fit are still taken; frames leave in order with their bytes and
 * timestamps. The output stalls while nobody pops. */
#include <string.h>

#include "card_test.h"

#define BEATS 256u

static uint32_t beats(uint32_t len)
{
    return len ? (len + 63) / 64 : 1;
}

/* A frame of len bytes whose content is derived from seq. With the card
 * disabled nothing is parsed, so any bytes pass. */
static void frame(uint8_t *f, uint32_t len, uint32_t seq)
{
    for (uint32_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seq * 131 + i * 7 + (i >> 8));
}

static struct scrub_model *bypass_card(void)
{
    struct scrub_model *m = card_new();
    scrub_model_write(m, SCRUB_REG_CTRL, 0);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_CAP_FIFO_BEATS), BEATS);
    return m;
}

static struct scrub_verdict push(struct scrub_model *m, uint32_t len, uint32_t seq, uint64_t ts)
{
    static uint8_t f[PKT_MAX];
    frame(f, len, seq);
    struct scrub_verdict v;
    scrub_model_packet(m, f, len, ts, &v);
    assert_int_equal(v.gstat, v.pass ? SCRUB_GSTAT_PASS_BYPASS : SCRUB_GSTAT_DROP_OVERFLOW);
    return v;
}

static void pop_expect(struct scrub_model *m, uint32_t len, uint32_t seq, uint64_t ts)
{
    static uint8_t got[PKT_MAX], want[PKT_MAX];
    uint64_t got_ts = 0;
    assert_int_equal(scrub_model_output_pop(m, got, sizeof(got), &got_ts), len);
    frame(want, len, seq);
    assert_memory_equal(got, want, len);
    assert_int_equal(got_ts, ts);
}

static void one_beat_minimum(void **state)
{
    (void)state;
    struct scrub_model *m = bypass_card();
    for (uint32_t i = 0; i < BEATS; i++)
        assert_true(push(m, i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 64, i, i).pass);
    assert_false(push(m, 0, 999, 1000).pass);
    assert_false(push(m, 1, 999, 1000).pass);
    pop_expect(m, 0, 0, 0);
    assert_true(push(m, 0, 1000, 1001).pass); /* the freed beat */
    assert_false(push(m, 0, 1001, 1002).pass);
    for (uint32_t i = 1; i < BEATS; i++)
        pop_expect(m, i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 64, i, i);
    pop_expect(m, 0, 1000, 1001);
    uint8_t buf[8];
    assert_int_equal(scrub_model_output_pop(m, buf, sizeof(buf), NULL), 0);
    card_snapshot(m);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_DROP_OVERFLOW).packets, 3);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_DROP_OVERFLOW).bytes, 1);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_TX).packets, BEATS + 1);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_PASS_BYPASS).packets, BEATS + 1);
    card_free(m);
}

static void whole_frames_only(void **state)
{
    (void)state;
    struct scrub_model *m = bypass_card();
    /* 254 beats in 127 frames of 65..128 bytes (two beats each). */
    for (uint32_t i = 0; i < 127; i++)
        assert_true(push(m, 65 + (i % 64), i, i).pass);
    assert_false(push(m, 129, 500, 500).pass); /* three beats */
    assert_false(push(m, 1500, 501, 501).pass);
    assert_true(push(m, 128, 502, 502).pass); /* two beats: the last two */
    assert_false(push(m, 1, 503, 503).pass);
    /* Popping frees exactly what the frame took. */
    pop_expect(m, 65, 0, 0);
    assert_false(push(m, 129, 504, 504).pass);
    pop_expect(m, 66, 1, 1);
    assert_true(push(m, 256, 505, 505).pass); /* four beats */
    assert_false(push(m, 1, 506, 506).pass);
    for (uint32_t i = 2; i < 127; i++)
        pop_expect(m, 65 + (i % 64), i, i);
    pop_expect(m, 128, 502, 502);
    pop_expect(m, 256, 505, 505);
    card_free(m);
}

static void longest_frame(void **state)
{
    (void)state;
    struct scrub_model *m = bypass_card();
    assert_true(BEATS * 64 >= SCRUB_MAX_FRAME);
    assert_true(push(m, SCRUB_MAX_FRAME, 1, 1).pass);
    assert_false(push(m, 1, 2, 2).pass);
    pop_expect(m, SCRUB_MAX_FRAME, 1, 1);
    assert_true(push(m, 1, 3, 3).pass);
    assert_false(push(m, SCRUB_MAX_FRAME, 4, 4).pass);
    assert_true(push(m, SCRUB_MAX_FRAME - 64, 5, 5).pass);
    pop_expect(m, 1, 3, 3);
    pop_expect(m, SCRUB_MAX_FRAME - 64, 5, 5);
    card_free(m);
}

/* A short buffer gets the frame's first bytes and its full length; the
 * frame is gone either way. */
static void short_pop_buffer(void **state)
{
    (void)state;
    struct scrub_model *m = bypass_card();
    assert_true(push(m, 100, 1, 1).pass);
    assert_true(push(m, 50, 2, 2).pass);
    uint8_t buf[20], want[100];
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(scrub_model_output_pop(m, buf, 10, NULL), 100);
    frame(want, 100, 1);
    assert_memory_equal(buf, want, 10);
    for (int i = 10; i < 20; i++)
        assert_int_equal(buf[i], 0xee);
    pop_expect(m, 50, 2, 2);
    card_free(m);
}

/* Random sizes, random pops, many trips round the ring, against the
 * beat arithmetic of the spec. */
static void random_against_beat_count(void **state)
{
    (void)state;
    struct scrub_model *m = bypass_card();
    enum { Q = 4096 };
    static uint32_t q_len[Q], q_seq[Q];
    unsigned head = 0, count = 0;
    uint32_t used = 0, seq = 0, dropped = 0, popped = 0;
    uint64_t rng = 0xf1f0;
    for (unsigned step = 0; step < 40000; step++) {
        if (card_rand_below(&rng, 100) < 55) {
            uint32_t r = card_rand_below(&rng, 100);
            uint32_t len = r < 10 ? card_rand_below(&rng, 2) : r < 80 ? card_rand_below(&rng, 300)
                                                              : card_rand_below(&rng, SCRUB_MAX_FRAME + 1);
            bool fits = used + beats(len) <= BEATS;
            struct scrub_verdict v = push(m, len, seq, seq);
            assert_int_equal(v.pass, fits);
            if (fits) {
                q_len[(head + count) % Q] = len;
                q_seq[(head + count) % Q] = seq;
                count++;
                used += beats(len);
            } else {
                dropped++;
            }
            seq++;
        } else if (count) {
            pop_expect(m, q_len[head], q_seq[head], q_seq[head]);
            used -= beats(q_len[head]);
            head = (head + 1) % Q;
            count--;
            popped++;
        } else {
            uint8_t b[1];
            assert_int_equal(scrub_model_output_pop(m, b, 1, NULL), 0);
        }
    }
    assert_true(dropped > 1000 && popped > 10000);
    card_free(m);
}

/* With the filter on: a protected frame lost to the FIFO was counted by its
 * entries but not as dropped by the filter; the others keep flowing. */
static void overflow_of_filtered_traffic(void **state)
{
    (void)state;
    struct scrub_model *m = card_new();
    struct scrub_dest_entry d = card_dest_entry("198.51.100.0", 120, 1, 0, 8);
    card_dest(m, 0, &d);
    struct scrub_acl_entry a = card_acl_entry(SCRUB_ACTION_ACCEPT, 10);
    card_acl(m, 0, &a);
    card_commit(m);
    struct pkt p;
    struct pkt_spec s = pkt_spec("192.0.2.1", "198.51.100.1", PROTO_UDP);
    s.payload = 1500 - 28; /* 1514-byte frame: 24 beats */
    pkt_build(&p, &s);
    unsigned passed = 0;
    for (int i = 0; i < 11; i++) {
        struct scrub_verdict v;
        scrub_model_packet(m, p.b, p.len, (uint64_t)i, &v);
        assert_int_equal(v.gstat, i < 10 ? SCRUB_GSTAT_PASS_FILTERED : SCRUB_GSTAT_DROP_OVERFLOW);
        assert_int_equal(v.acl, 0);
        passed += v.pass;
    }
    assert_int_equal(passed, 10);
    /* 16 beats left: a 1024-byte frame fits, a 1025-byte one does not. */
    s.payload = 1024 - 14 - 28;
    pkt_build(&p, &s);
    struct scrub_verdict v;
    scrub_model_packet(m, p.b, p.len, 20, &v);
    assert_true(v.pass);
    s.payload++;
    pkt_build(&p, &s);
    scrub_model_packet(m, p.b, p.len, 21, &v);
    assert_int_equal(v.gstat, SCRUB_GSTAT_DROP_OVERFLOW);
    card_snapshot(m);
    assert_int_equal(card_counter(m, 8).packets, 13);
    assert_int_equal(card_counter(m, 9).packets, 0);
    assert_int_equal(card_counter(m, 10).packets, 13);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_TX).packets, 11);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_DROP_OVERFLOW).packets, 2);
    assert_int_equal(card_gstat(m, SCRUB_GSTAT_RX).packets, 13);
    uint8_t buf[PKT_MAX];
    unsigned out = 0;
    uint64_t ts, last = 0;
    while (scrub_model_output_pop(m, buf, sizeof(buf), &ts)) {
        assert_true(out == 0 || ts > last);
        last = ts;
        out++;
    }
    assert_int_equal(out, 11);
    card_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_beat_minimum),
        cmocka_unit_test(whole_frames_only),
        cmocka_unit_test(longest_frame),
        cmocka_unit_test(short_pop_buffer),
        cmocka_unit_test(random_against_beat_count),
        cmocka_unit_test(overflow_of_filtered_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, card_free_all);
}
