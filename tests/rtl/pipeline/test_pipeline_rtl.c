/* The RTL card against the model, frame by frame: scrub_pipeline (through
 * sim/rtl) and hw/model get the same register writes and the same frames;
 * every frame's outcome and reasons, every byte the card passes and every
 * global counter must agree. Random idle cycles on the input, random
 * back-pressure on the output; the model is told which frames the RTL's
 * output FIFO dropped (its timing is the RTL's own).
 *
 * usage: test_pipeline_rtl CAPTURE FRAMES SEED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_io.h"
#include "scrub_model.h"
#include "scrub_rtl.h"

#define MAX_FRAMES_IN_CAPTURE 20000
#define BIG (SCRUB_MAX_FRAME + 200)

struct capture {
    uint8_t **frames;
    uint32_t *lens;
    uint32_t n;
};

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static void fail(const char *fmt, unsigned long long a, unsigned long long b, unsigned long long frame)
{
    fprintf(stderr, "MISMATCH at frame %llu: ", frame);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(1);
}

static void load_capture(const char *path, struct capture *c)
{
    struct scrub_err err = {0};
    struct scrub_pcap_in *in = scrub_pcap_open_in(path, &err);
    if (!in) {
        fprintf(stderr, "%s\n", err.msg);
        exit(2);
    }
    c->frames = calloc(MAX_FRAMES_IN_CAPTURE, sizeof(*c->frames));
    c->lens = calloc(MAX_FRAMES_IN_CAPTURE, sizeof(*c->lens));
    const uint8_t *f;
    uint32_t len;
    uint64_t ts;
    while (c->n < MAX_FRAMES_IN_CAPTURE && scrub_pcap_next(in, &f, &len, &ts, &err) == 1) {
        c->frames[c->n] = malloc(len);
        memcpy(c->frames[c->n], f, len);
        c->lens[c->n++] = len;
    }
    scrub_pcap_close_in(in);
}

/* A frame for the card: mostly the generator's traffic, some of it
 * mutated; and frames the generator never makes: long ones whose IP length
 * runs past their end, giants, runts and garbage. */
static uint32_t make_frame(const struct capture *c, uint8_t *buf)
{
    uint32_t pick = below(100), i = below(c->n), len = c->lens[i];
    memcpy(buf, c->frames[i], len);
    if (pick < 70)
        return len;
    if (pick < 80) { /* flip bytes in the headers */
        for (unsigned k = below(3) + 1; k > 0; k--)
            buf[below(len < 128 ? len : 128)] ^= (uint8_t)(1u << below(8));
        return len;
    }
    if (pick < 85) /* cut short */
        return below(len) + 1;
    if (pick < 92) { /* longer than the window: the IP length may now fall short of the frame or past it */
        uint32_t more = below(3000) + 300;
        for (uint32_t k = len; k < len + more && k < BIG; k++)
            buf[k] = (uint8_t)k;
        len = len + more < BIG ? len + more : BIG;
        if (below(2))
            len = len > 300 ? 257 + below(len - 257) : len;
        return len;
    }
    if (pick < 95) { /* a giant, or the longest frame */
        len = SCRUB_MAX_FRAME - 2 + below(BIG - SCRUB_MAX_FRAME);
        for (uint32_t k = 64; k < len; k++)
            buf[k] = (uint8_t)(k * 7);
        return len;
    }
    len = 1 + below(300); /* garbage, runts included (a MAC has no frame of no bytes) */
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)rnd();
    return len;
}

static void both_write(struct scrub_rtl *r, struct scrub_model *m, uint32_t addr, uint32_t v)
{
    scrub_rtl_write(r, addr, v);
    scrub_model_write(m, addr, v);
}

static void compare_counters(struct scrub_rtl *r, struct scrub_model *m, unsigned long long frame)
{
    scrub_rtl_write(r, SCRUB_REG_SNAPSHOT, 1);
    scrub_model_write(m, SCRUB_REG_SNAPSHOT, 1);
    for (uint32_t i = 0; i < SCRUB_GSTAT_COUNT; i++) {
        both_write(r, m, SCRUB_REG_TBL_SELECT, SCRUB_TABLE_GSTAT);
        both_write(r, m, SCRUB_REG_TBL_INDEX, i);
        both_write(r, m, SCRUB_REG_TBL_CMD, SCRUB_CMD_READ);
        for (uint32_t w = 0; w < SCRUB_TABLE_GSTAT_WORDS; w++) {
            uint32_t a = scrub_rtl_read(r, SCRUB_REG_TBL_DATA + 4 * w), b = scrub_model_read(m, SCRUB_REG_TBL_DATA + 4 * w);
            if (a != b) {
                fprintf(stderr, "GSTAT[%u] word %u: ", i, w);
                fail("rtl 0x%llx, model 0x%llx", a, b, frame);
            }
        }
    }
    static const uint32_t regs[] = {SCRUB_REG_STATUS, SCRUB_REG_COMMIT_COUNT, SCRUB_REG_CFG_ACTIONS,
                                    SCRUB_REG_TIME_LO, SCRUB_REG_TIME_HI, SCRUB_REG_CTRL};
    for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++) {
        uint32_t a = scrub_rtl_read(r, regs[k]), b = scrub_model_read(m, regs[k]);
        if (a != b) {
            fprintf(stderr, "register 0x%03x: ", regs[k]);
            fail("rtl 0x%llx, model 0x%llx", a, b, frame);
        }
    }
}

/* A control setting both cards take, between two bursts of traffic. */
static void configure(struct scrub_rtl *r, struct scrub_model *m, uint64_t now)
{
    uint32_t ctrl = (below(10) ? SCRUB_CTRL_ENABLE_MASK : 0) | (below(2) ? SCRUB_CTRL_FAIL_CLOSED_MASK : 0);
    both_write(r, m, SCRUB_REG_CTRL, ctrl);
    both_write(r, m, SCRUB_REG_CFG_ACTIONS, below(16));
    if (below(4) == 0)
        both_write(r, m, SCRUB_REG_COMMIT, 1);
    /* A watchdog that expires within the burst, or none. */
    both_write(r, m, SCRUB_REG_WDOG_TIMEOUT, below(3) == 0 ? 1 + below(3) : 0);
    scrub_rtl_set_time(r, now);
    scrub_model_set_time(m, now);
}

/* The frames sent and not yet settled, by sequence number. */
#define IN_FLIGHT 4096

struct bench {
    struct scrub_rtl *r;
    struct scrub_model *m;
    uint8_t *sent[IN_FLIGHT];
    uint32_t sent_len[IN_FLIGHT];
    uint64_t sent_ts[IN_FLIGHT];
    unsigned long long done, compared_out, overflows, late, bad_out;
    unsigned outcomes[SCRUB_GSTAT_COUNT];
};

static void send(struct bench *b, const uint8_t *frame, uint32_t len, uint64_t ts, unsigned long long seq)
{
    uint32_t slot = (uint32_t)(seq % IN_FLIGHT);
    if (!scrub_rtl_send(b->r, frame, len, ts))
        fail("the card refused a frame of %llu bytes (%llu)", len, 0, seq);
    free(b->sent[slot]);
    b->sent[slot] = malloc(len ? len : 1);
    memcpy(b->sent[slot], frame, len);
    b->sent_len[slot] = len;
    b->sent_ts[slot] = ts;
}

/* Every frame the RTL has finished goes through the model now, in order,
 * and the two must agree on what happened to it. */
static void settle_events(struct bench *b)
{
    struct scrub_rtl_event e;
    while (scrub_rtl_event_pop(b->r, &e)) {
        uint32_t s = (uint32_t)(b->done % IN_FLIGHT);
        struct scrub_verdict v;
        bool overflow = e.outcome == SCRUB_GSTAT_DROP_OVERFLOW;
        scrub_model_packet_flags(b->m, b->sent[s], b->sent_len[s], b->sent_ts[s],
                                 overflow ? SCRUB_MODEL_OVERFLOW : 0, &v);
        if (e.outcome != v.gstat)
            fail("outcome rtl %llu, model %llu", e.outcome, v.gstat, b->done);
        if (e.len != b->sent_len[s])
            fail("length rtl %llu, sent %llu", e.len, b->sent_len[s], b->done);
        if (e.tx != v.pass)
            fail("tx rtl %llu, model pass %llu", e.tx, v.pass, b->done);
        uint8_t rtl_mal = e.late_valid ? (uint8_t)(e.late - SCRUB_GSTAT_MALFORMED_BASE)
                          : e.seen_valid && e.seen >= SCRUB_GSTAT_MALFORMED_BASE
                              ? (uint8_t)(e.seen - SCRUB_GSTAT_MALFORMED_BASE)
                              : SCRUB_MAL_NONE;
        if (rtl_mal != v.mal)
            fail("malformation rtl %llu, model %llu", rtl_mal, v.mal, b->done);
        b->outcomes[e.outcome]++;
        b->overflows += overflow;
        b->late += e.late_valid;
        b->done++;
    }
}

/* The frames the card passed, byte for byte, against the model's output;
 * bad-marked ones are drops the MAC makes. */
static void compare_outputs(struct bench *b)
{
    static uint8_t out_rtl[BIG], out_model[BIG];
    bool bad;
    uint32_t n;
    while ((n = scrub_rtl_output_pop(b->r, out_rtl, sizeof(out_rtl), &bad)) > 0) {
        if (bad) {
            b->bad_out++;
            continue;
        }
        uint32_t mn = scrub_model_output_pop(b->m, out_model, sizeof(out_model), NULL);
        if (mn != n || memcmp(out_rtl, out_model, n) != 0)
            fail("output frame of %llu bytes differs from the model's (%llu bytes)", n, mn, b->done);
        b->compared_out++;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_pipeline_rtl CAPTURE FRAMES SEED\n");
        return 2;
    }
    struct capture cap = {0};
    load_capture(argv[1], &cap);
    unsigned long long total = strtoull(argv[2], NULL, 10), seq = 0;
    rng = strtoull(argv[3], NULL, 10);

    static struct bench b;
    /* The RTL's output decides overflow; the model's FIFO is made too
     * large to ever fill, so it never decides on its own. */
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    p.fifo_beats = 1u << 16;
    struct scrub_rtl_params rp = {.idle_permille = 100, .stall_permille = 300, .seed = rng};
    b.m = scrub_model_new(&p);
    b.r = scrub_rtl_new(&rp);
    static uint8_t frame[BIG], spare[BIG];
    uint64_t ts = 1000000000ull;

    while (b.done < total) {
        configure(b.r, b.m, ts);
        for (uint32_t k = 500 + below(3000); k > 0; k--) {
            uint32_t len = make_frame(&cap, frame);
            ts += 20 + below(200) + (below(1000) == 0 ? 2000000 : 0); /* now and then a 2 ms gap */
            send(&b, frame, len, ts, seq++);
            /* Keep the RTL's input queue short, and check as frames finish. */
            while (scrub_rtl_pending(b.r) > 8)
                scrub_rtl_run(b.r, 16);
            settle_events(&b);
            compare_outputs(&b);
            if (scrub_rtl_error(b.r))
                fail("the card's error output is set (%llu, %llu)", 0, 0, b.done);
        }
        scrub_rtl_drain(b.r);
        settle_events(&b);
        compare_outputs(&b);
        if (scrub_model_output_pop(b.m, spare, sizeof(spare), NULL))
            fail("the model passed a frame the card did not (%llu, %llu)", 0, 0, b.done);
        if (b.done != seq)
            fail("%llu frames sent, %llu finished", seq, b.done, b.done);
        compare_counters(b.r, b.m, b.done);
    }

    static const char *const names[] = SCRUB_GSTAT_NAMES;
    printf("pipeline_rtl_frames=%llu outputs_compared=%llu overflow_drops=%llu late_malformed=%llu bad_marked=%llu "
           "cycles=%llu mismatches=0\n",
           b.done, b.compared_out, b.overflows, b.late, b.bad_out, (unsigned long long)scrub_rtl_cycles(b.r));
    for (unsigned i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++)
        if (b.outcomes[i])
            printf("  %-18s %u\n", names[i], b.outcomes[i]);
    scrub_rtl_free(b.r);
    scrub_model_free(b.m);
    for (uint32_t i = 0; i < cap.n; i++)
        free(cap.frames[i]);
    for (unsigned i = 0; i < IN_FLIGHT; i++)
        free(b.sent[i]);
    free(cap.frames);
    free(cap.lens);
    return 0;
}
