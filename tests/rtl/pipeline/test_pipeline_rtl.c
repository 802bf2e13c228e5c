/* The RTL card against the model, frame by frame: scrub_pipeline (through
 * sim/rtl) and hw/model get the same register writes and the same frames;
 * every frame's outcome and reasons, every byte the card passes, every
 * table command's answer and every counter must agree.
 *
 * Tables are random and made from the traffic (pipeline_entries.c); while
 * frames flow, the bench rewrites shadow entries and commits, inserts and
 * deletes exact-match entries, writes counters and takes snapshots. The
 * card says where each of these took effect between two frames (sim/rtl's
 * control points); the model gets the same change just before that frame
 * (the op queue below). Random idle cycles on the input, random
 * back-pressure on the output; the model is told which frames the RTL's
 * output FIFO dropped (its timing is the RTL's own). Before the traffic,
 * a directed phase reaches what random tables and traffic do not (refused
 * commands and entries, busy writes, a full exact-match table, corner
 * frames: directed()). Coverage bins are counted and checked at the end
 * against issue 3's minimums, each for the run on its own (docs/rtl.md,
 * "The pipeline scoreboard").
 *
 * usage: test_pipeline_rtl CAPTURE FRAMES SEED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "parse.h"
#include "pcap_io.h"
#include "pipeline_entries.h"
#include "scrub_model.h"
#include "scrub_rtl.h"

#define MAX_FRAMES_IN_CAPTURE 20000
#define BIG (SCRUB_MAX_FRAME + 200)
#define IN_FLIGHT 8192 /* frames sent and not yet settled, at most */
#define DEST_MAX 256   /* the simulation configuration's tables */
#define ACL_MAX 64

static uint64_t rng, seed;

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

static unsigned long long failing_frame;

static void fail(const char *fmt, unsigned long long a, unsigned long long b)
{
    fprintf(stderr, "MISMATCH at frame %llu (seed %llu): ", failing_frame, (unsigned long long)seed);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(1);
}

/* ---- the capture ------------------------------------------------------------------ */

struct capture {
    uint8_t **frames;
    uint32_t *lens;
    uint32_t n;
    struct scrub_pkt *ip; /* the parsed IP frames, for the tables */
    uint32_t n_ip;
};

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
    c->ip = calloc(MAX_FRAMES_IN_CAPTURE, sizeof(*c->ip));
    const uint8_t *f;
    uint32_t len;
    uint64_t ts;
    while (c->n < MAX_FRAMES_IN_CAPTURE && scrub_pcap_next(in, &f, &len, &ts, &err) == 1) {
        c->frames[c->n] = malloc(len);
        memcpy(c->frames[c->n], f, len);
        c->lens[c->n++] = len;
        scrub_parse(f, len, &c->ip[c->n_ip]);
        if (c->ip[c->n_ip].kind == SCRUB_PKT_IP)
            c->n_ip++;
    }
    scrub_pcap_close_in(in);
    if (c->n_ip == 0) {
        fprintf(stderr, "%s: no IP frames\n", path);
        exit(2);
    }
}

/* Which of the capture's frames comes next. A flood reaches the card in
 * bursts from one source: now and then a frame starts a burst and is sent
 * again, 2 to 16 times in a row (one exact-match or ACL entry, one policer
 * bucket, minimum-size frames in consecutive clocks). The frame that
 * starts a burst is any frame, as likely as any other, so the sizes keep
 * the capture's IMIX. */
#define BURST_START_PERCENT 8

static uint32_t capture_frame(const struct capture *c)
{
    static uint32_t burst_frame, burst_left;
    if (burst_left == 0 && below(100) < BURST_START_PERCENT) {
        burst_frame = below(c->n);
        burst_left = 2 + below(15);
    }
    if (burst_left == 0)
        return below(c->n);
    burst_left--;
    return burst_frame;
}

/* A frame for the card: mostly the generator's traffic, some of it
 * mutated; and frames the generator never makes: long ones whose IP length
 * runs past their end, giants, frames the parser gives up on, runts and
 * garbage. */
static uint32_t make_frame(const struct capture *c, uint8_t *buf)
{
    uint32_t i = capture_frame(c), pick = below(100), len = c->lens[i];
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
    if (pick < 97 && len + 12 <= BIG && len > 14) { /* three VLAN tags: more than the parser follows */
        memmove(buf + 24, buf + 12, len - 12);
        for (unsigned t = 0; t < 3; t++) {
            buf[12 + 4 * t] = 0x81, buf[13 + 4 * t] = 0x00;
            buf[14 + 4 * t] = (uint8_t)below(16), buf[15 + 4 * t] = (uint8_t)rnd();
        }
        return len + 12;
    }
    len = 1 + below(300); /* garbage, runts included (a MAC has no frame of no bytes) */
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)rnd();
    return len;
}

/* ---- the model's op queue ----------------------------------------------------------- */

/* A register access for the model, before frame `at`: a write, or a read
 * whose value must be what the card answered. Ops run in (at, order). */
enum op_kind { OP_WRITE, OP_CHECK, OP_TIME };

struct op {
    unsigned long long at, order;
    enum op_kind kind;
    uint32_t addr;
    uint64_t value;
};

struct bench {
    struct scrub_rtl *r;
    struct scrub_model *m;
    struct scrub_model_params p;
    struct entry_source src;
    uint8_t *sent[IN_FLIGHT];
    uint32_t sent_len[IN_FLIGHT];
    uint64_t sent_ts[IN_FLIGHT];
    unsigned long long seq, done, compared_out, overflows, late, bad_out;

    struct op *ops;
    size_t n_ops, cap_ops, head;
    unsigned long long last_at, order;

    /* the shadow entries the card took, to change them in place */
    struct scrub_dest_entry dest[DEST_MAX];
    struct scrub_acl_entry acl[ACL_MAX];

    /* coverage */
    unsigned long long outcomes[SCRUB_GSTAT_COUNT], kinds[4], actions[3], matched, commits_in_traffic,
        em_cmds, ctr_sets, snapshots, conform, exceed, table_checks;
    int32_t last_dest, dest_off; /* dest_off: the entry the last commit turned off, or -1 */
};

static void op_add(struct bench *b, unsigned long long at, enum op_kind kind, uint32_t addr, uint64_t value)
{
    if (at < b->done)
        fail("a change at frame %llu came after the model passed frame %llu", at, b->done);
    if (b->n_ops == b->cap_ops) {
        b->cap_ops = b->cap_ops ? 2 * b->cap_ops : 1024;
        b->ops = realloc(b->ops, b->cap_ops * sizeof(*b->ops));
    }
    size_t i = b->n_ops++;
    while (i > b->head && b->ops[i - 1].at > at) {
        b->ops[i] = b->ops[i - 1];
        i--;
    }
    b->ops[i] = (struct op){.at = at, .order = b->order++, .kind = kind, .addr = addr, .value = value};
    if (at > b->last_at)
        b->last_at = at;
}

/* The model runs every op due before frame `frame`. */
static void ops_run(struct bench *b, unsigned long long frame)
{
    while (b->head < b->n_ops && b->ops[b->head].at <= frame) {
        const struct op *o = &b->ops[b->head++];
        switch (o->kind) {
        case OP_WRITE:
            scrub_model_write(b->m, o->addr, (uint32_t)o->value);
            break;
        case OP_TIME:
            scrub_model_set_time(b->m, o->value);
            break;
        case OP_CHECK: {
            uint32_t v = scrub_model_read(b->m, o->addr);
            if (v != (uint32_t)o->value) {
                fprintf(stderr, "register 0x%03x: ", o->addr);
                fail("card 0x%llx, model 0x%llx", o->value, v);
            }
            b->table_checks++;
            break;
        }
        }
    }
    if (b->head == b->n_ops)
        b->head = b->n_ops = 0;
}

/* ---- register access on both -------------------------------------------------------- */

/* Where the model takes a change that no frame sees until a commit (or
 * that comes while no frame is in the card): after every change before it
 * and every frame settled. */
static unsigned long long anytime(const struct bench *b)
{
    return b->last_at > b->done ? b->last_at : b->done;
}

static void write_both(struct bench *b, uint32_t addr, uint32_t v)
{
    scrub_rtl_write(b->r, addr, v);
    op_add(b, anytime(b), OP_WRITE, addr, v);
}

static void check_read(struct bench *b, unsigned long long at, uint32_t addr)
{
    op_add(b, at, OP_CHECK, addr, scrub_rtl_read(b->r, addr));
}

static uint32_t status(struct bench *b)
{
    return scrub_rtl_read(b->r, SCRUB_REG_STATUS);
}

/* A commit or snapshot written to the card and not yet over. */
struct pending {
    bool active;
    enum scrub_rtl_point_kind point;
    uint32_t reg, busy_mask;
    uint64_t before;
};

/* Which control point a table command makes, if any. */
static int point_of(uint32_t table, uint32_t cmd)
{
    if (table == SCRUB_TABLE_EM)
        return SCRUB_RTL_EM_CMD;
    if (table == SCRUB_TABLE_COUNTER && cmd == SCRUB_CMD_WRITE)
        return SCRUB_RTL_COUNTER_SET;
    return -1;
}

static void finish(struct bench *b, struct pending *pd);

/* A table command on the card, traffic flowing meanwhile; the model runs
 * it where the card did, and every word of its answer must agree. With
 * `during` (a snapshot the card is running), the card holds the command
 * until that is over, and the model gets the snapshot first. Returns the
 * card's status. */
static uint32_t table_cmd_during(struct bench *b, struct pending *during, uint32_t table, uint32_t cmd,
                                 uint32_t index, const scrub_words w, unsigned words)
{
    int point = point_of(table, cmd);
    uint64_t before = 0, count, frame;
    if (point >= 0)
        scrub_rtl_point(b->r, (enum scrub_rtl_point_kind)point, &before, &frame);
    unsigned long long at = anytime(b);
    uint32_t regs[SCRUB_DATA_WORDS + 3];
    uint32_t vals[SCRUB_DATA_WORDS + 3];
    unsigned n = 0;
    for (unsigned i = 0; i < words; i++) {
        regs[n] = SCRUB_REG_TBL_DATA + 4 * i;
        vals[n++] = w[i];
    }
    regs[n] = SCRUB_REG_TBL_SELECT, vals[n++] = table;
    regs[n] = SCRUB_REG_TBL_INDEX, vals[n++] = index;
    for (unsigned i = 0; i < n; i++)
        scrub_rtl_write(b->r, regs[i], vals[i]);
    scrub_rtl_write(b->r, SCRUB_REG_TBL_CMD, cmd);
    for (unsigned spins = 0; scrub_rtl_read(b->r, SCRUB_REG_TBL_STATUS) & SCRUB_TBL_STATUS_BUSY_MASK; spins++)
        if (spins == 100000)
            fail("table %llu command %llu never finished", table, cmd);
    if (during) {
        finish(b, during);
        at = anytime(b);
    }
    if (point >= 0) {
        scrub_rtl_point(b->r, (enum scrub_rtl_point_kind)point, &count, &frame);
        if (count == before + 1)
            at = frame;
        else if (count != before || point == SCRUB_RTL_EM_CMD)
            fail("a command made %llu control points, not 1 (from %llu)", count, before);
    }
    for (unsigned i = 0; i < n; i++)
        op_add(b, at, OP_WRITE, regs[i], vals[i]);
    op_add(b, at, OP_WRITE, SCRUB_REG_TBL_CMD, cmd);
    uint32_t st = scrub_rtl_read(b->r, SCRUB_REG_TBL_STATUS);
    op_add(b, at, OP_CHECK, SCRUB_REG_TBL_STATUS, st);
    check_read(b, at, SCRUB_REG_TBL_RESULT);
    for (unsigned i = 0; i < words; i++)
        check_read(b, at, SCRUB_REG_TBL_DATA + 4 * i);
    return st & SCRUB_TBL_STATUS_RESULT_MASK;
}

static uint32_t table_cmd(struct bench *b, uint32_t table, uint32_t cmd, uint32_t index, const scrub_words w,
                          unsigned words)
{
    return table_cmd_during(b, NULL, table, cmd, index, w, words);
}

static void put_dest(struct bench *b, uint32_t i, const struct scrub_dest_entry *e)
{
    scrub_words w = {0};
    scrub_dest_pack(e, w);
    if (table_cmd(b, SCRUB_TABLE_DEST, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_DEST_WORDS) == SCRUB_STATUS_OK)
        b->dest[i] = *e;
}

static void put_acl(struct bench *b, uint32_t i, const struct scrub_acl_entry *e)
{
    scrub_words w = {0};
    scrub_acl_pack(e, w);
    if (table_cmd(b, SCRUB_TABLE_ACL, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_ACL_WORDS) == SCRUB_STATUS_OK)
        b->acl[i] = *e;
}

/* A random entry at a random index; an index past the table is refused. */
static void write_dest(struct bench *b)
{
    struct scrub_dest_entry e;
    uint32_t i = below(b->p.dest_entries + 2);
    random_dest(&b->src, &e);
    if (i < b->p.dest_entries) {
        put_dest(b, i, &e);
        return;
    }
    scrub_words w = {0};
    scrub_dest_pack(&e, w);
    table_cmd(b, SCRUB_TABLE_DEST, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_DEST_WORDS);
}

static void write_acl(struct bench *b)
{
    struct scrub_acl_entry e;
    uint32_t i = below(b->p.acl_entries + 2);
    random_acl(&b->src, &e);
    if (i < b->p.acl_entries) {
        put_acl(b, i, &e);
        return;
    }
    scrub_words w = {0};
    scrub_acl_pack(&e, w);
    table_cmd(b, SCRUB_TABLE_ACL, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_ACL_WORDS);
}

/* Changes that the next frames see, so that a commit taking effect one
 * frame early or late shows. The destination entry of the last frame
 * settled: one commit in four turns it off (on if it was off), and the
 * next commit turns it back on, so that the busiest destinations stay
 * protected most of the time (a plain toggle leaves them off half of it).
 * The first ACL entry, which matches every frame: made valid or not, with
 * a new action. */
static void flip_dest(struct bench *b)
{
    if (b->dest_off >= 0) {
        struct scrub_dest_entry d = b->dest[b->dest_off];
        d.enable = true;
        put_dest(b, (uint32_t)b->dest_off, &d);
        b->dest_off = -1;
        return;
    }
    if (below(4) != 0)
        return;
    uint32_t i = b->last_dest >= 0 ? (uint32_t)b->last_dest : below(b->p.dest_entries);
    struct scrub_dest_entry d = b->dest[i];
    d.enable = !d.enable;
    put_dest(b, i, &d);
    if (!d.enable && b->dest[i].enable == d.enable)
        b->dest_off = (int32_t)i;
}

static void flip_acl(struct bench *b)
{
    struct scrub_acl_entry a;
    scrub_acl_entry_any(&a);
    a.valid = !b->acl[0].valid;
    a.action = (uint8_t)below(2); /* accept or drop: no policer */
    a.counter = below(b->p.counters);
    put_acl(b, 0, &a);
}

static void write_policer(struct bench *b)
{
    struct scrub_policer_entry e;
    scrub_words w = {0};
    random_policer(&b->src, &e);
    scrub_policer_pack(&e, w);
    table_cmd(b, SCRUB_TABLE_POLICER, SCRUB_CMD_WRITE, below(b->p.policers + 2), w, SCRUB_TABLE_POLICER_WORDS);
}

static void em_cmd(struct bench *b)
{
    struct scrub_em_entry e;
    scrub_words w = {0};
    random_em(&b->src, &e);
    scrub_em_pack(&e, w);
    uint32_t pick = below(10);
    uint32_t cmd = pick < 6 ? SCRUB_CMD_EM_INSERT : pick < 8 ? SCRUB_CMD_EM_DELETE
                 : pick < 9 ? SCRUB_CMD_EM_LOOKUP : SCRUB_CMD_READ;
    table_cmd(b, SCRUB_TABLE_EM, cmd, below(b->p.em_buckets * 8 + 10), w, SCRUB_TABLE_EM_WORDS);
    b->em_cmds++;
}

static void counter_write(struct bench *b)
{
    struct scrub_counter c = {.packets = rnd() >> below(64), .bytes = rnd() >> below(64)};
    scrub_words w = {0};
    scrub_counter_pack(&c, w);
    table_cmd(b, SCRUB_TABLE_COUNTER, SCRUB_CMD_WRITE, below(b->p.counters + 2), w, SCRUB_TABLE_COUNTER_WORDS);
    b->ctr_sets++;
}

static void read_entry(struct bench *b, uint32_t table, uint32_t index)
{
    scrub_words w = {0};
    table_cmd(b, table, SCRUB_CMD_READ, index, w, 0);
    unsigned words = table == SCRUB_TABLE_DEST      ? SCRUB_TABLE_DEST_WORDS
                     : table == SCRUB_TABLE_ACL     ? SCRUB_TABLE_ACL_WORDS
                     : table == SCRUB_TABLE_POLICER ? SCRUB_TABLE_POLICER_WORDS
                                                    : SCRUB_TABLE_COUNTER_WORDS;
    for (unsigned i = 0; i < words; i++)
        check_read(b, anytime(b), SCRUB_REG_TBL_DATA + 4 * i);
}

/* ---- commit and snapshot: a write, then a control point while traffic flows -------- */

static void start(struct bench *b, struct pending *pd, enum scrub_rtl_point_kind point, uint32_t reg,
                  uint32_t busy_mask)
{
    uint64_t frame;
    *pd = (struct pending){.active = true, .point = point, .reg = reg, .busy_mask = busy_mask};
    scrub_rtl_point(b->r, point, &pd->before, &frame);
    scrub_rtl_write(b->r, reg, 1);
}

/* true once the card is done; the model then gets the write at its point. */
static bool finished(struct bench *b, struct pending *pd)
{
    if (status(b) & pd->busy_mask)
        return false;
    uint64_t count, frame;
    scrub_rtl_point(b->r, pd->point, &count, &frame);
    if (count != pd->before + 1)
        fail("a commit or snapshot made %llu control points, not 1 (from %llu)", count, pd->before);
    op_add(b, frame, OP_WRITE, pd->reg, 1);
    pd->active = false;
    return true;
}

static void finish(struct bench *b, struct pending *pd)
{
    for (unsigned spins = 0; pd->active && !finished(b, pd); spins++)
        if (spins == 1000000)
            fail("register 0x%llx stayed busy (%llu)", pd->reg, 0);
}

static void prepare_commit(struct bench *b)
{
    flip_dest(b);
    if (below(2))
        flip_acl(b);
    for (unsigned k = below(6); k > 0; k--) {
        switch (below(3)) {
        case 0: write_dest(b); break;
        case 1: write_acl(b); break;
        default: write_policer(b); break;
        }
    }
    if (below(4) == 0)
        write_both(b, SCRUB_REG_CFG_ACTIONS, below(16));
}

/* ---- frames ----------------------------------------------------------------------------- */

static void send(struct bench *b, const uint8_t *frame, uint32_t len, uint64_t ts)
{
    uint32_t slot = (uint32_t)(b->seq % IN_FLIGHT);
    if (b->seq - b->done >= IN_FLIGHT)
        fail("%llu frames unsettled (%llu)", b->seq - b->done, 0);
    if (!scrub_rtl_send(b->r, frame, len, ts))
        fail("the card refused a frame of %llu bytes (%llu)", len, 0);
    free(b->sent[slot]);
    b->sent[slot] = malloc(len ? len : 1);
    memcpy(b->sent[slot], frame, len);
    b->sent_len[slot] = len;
    b->sent_ts[slot] = ts;
    b->seq++;
}

static void cover(struct bench *b, const uint8_t *frame, uint32_t len, const struct scrub_verdict *v)
{
    struct scrub_pkt p;
    scrub_parse(frame, len, &p);
    b->kinds[p.kind]++;
    b->outcomes[v->gstat]++;
    const struct scrub_model *m = b->m;
    int action = -1;
    if (v->em >= 0)
        action = m->em.slots[v->em].action;
    else if (v->acl >= 0)
        action = m->acl[v->acl].action;
    if (action >= 0 && action < 3) {
        b->actions[action]++;
        b->matched++;
    }
    if (v->policer >= 0) {
        if (v->gstat == SCRUB_GSTAT_DROP_POLICER)
            b->exceed++;
        else
            b->conform++;
    }
    if (v->dest >= 0)
        b->last_dest = v->dest;
}

/* Every frame the RTL has finished goes through the model now, in order,
 * after the changes due before it, and the two must agree on it. */
static void settle_events(struct bench *b)
{
    struct scrub_rtl_event e;
    while (scrub_rtl_event_pop(b->r, &e)) {
        failing_frame = b->done;
        ops_run(b, b->done);
        uint32_t s = (uint32_t)(b->done % IN_FLIGHT);
        struct scrub_verdict v;
        bool overflow = e.outcome == SCRUB_GSTAT_DROP_OVERFLOW;
        scrub_model_packet_flags(b->m, b->sent[s], b->sent_len[s], b->sent_ts[s],
                                 overflow ? SCRUB_MODEL_OVERFLOW : 0, &v);
        if (e.outcome != v.gstat)
            fail("outcome rtl %llu, model %llu", e.outcome, v.gstat);
        if (e.len != b->sent_len[s])
            fail("length rtl %llu, sent %llu", e.len, b->sent_len[s]);
        if (e.tx != v.pass)
            fail("tx rtl %llu, model pass %llu", e.tx, v.pass);
        uint8_t rtl_mal = e.late_valid ? (uint8_t)(e.late - SCRUB_GSTAT_MALFORMED_BASE)
                          : e.seen_valid && e.seen >= SCRUB_GSTAT_MALFORMED_BASE
                              ? (uint8_t)(e.seen - SCRUB_GSTAT_MALFORMED_BASE)
                              : SCRUB_MAL_NONE;
        if (rtl_mal != v.mal)
            fail("malformation rtl %llu, model %llu", rtl_mal, v.mal);
        cover(b, b->sent[s], b->sent_len[s], &v);
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
            fail("output frame of %llu bytes differs from the model's (%llu bytes)", n, mn);
        b->compared_out++;
    }
}

/* A snapshot, then counters read from it: the global ones, every pair of
 * the pool when `all`, else a sample, and some policers' state. Traffic has
 * stopped: every frame is settled. */
static void compare_counters(struct bench *b, bool all)
{
    struct pending pd;
    start(b, &pd, SCRUB_RTL_SNAPSHOT, SCRUB_REG_SNAPSHOT, SCRUB_STATUS_SNAPSHOT_BUSY_MASK);
    finish(b, &pd);
    b->snapshots++;
    scrub_words none = {0};
    for (uint32_t i = 0; i < SCRUB_GSTAT_COUNT; i++) {
        table_cmd(b, SCRUB_TABLE_GSTAT, SCRUB_CMD_READ, i, none, 0);
        for (uint32_t w = 0; w < SCRUB_TABLE_GSTAT_WORDS; w++)
            check_read(b, anytime(b), SCRUB_REG_TBL_DATA + 4 * w);
    }
    for (uint32_t i = 0; i < b->p.counters; i += all ? 1 : 1 + below(64))
        read_entry(b, SCRUB_TABLE_COUNTER, i);
    for (unsigned k = 0; k < 16; k++)
        read_entry(b, SCRUB_TABLE_POLICER, below(b->p.policers));
    static const uint32_t regs[] = {SCRUB_REG_STATUS, SCRUB_REG_COMMIT_COUNT, SCRUB_REG_CFG_ACTIONS,
                                    SCRUB_REG_TIME_LO, SCRUB_REG_TIME_HI, SCRUB_REG_CTRL};
    for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++)
        check_read(b, anytime(b), regs[k]);
    ops_run(b, b->done);
    if (b->n_ops)
        fail("%llu changes left for the model after frame %llu", b->n_ops - b->head, b->done);
}

/* ---- directed: what random tables and traffic do not reach -------------------------- */

/* Every register the rest of the bench does not read, on both: the
 * identification and capability registers (CAP_FIFO_BEATS against the
 * simulation's size), the cookie (written first), the watchdog's timeout,
 * the card's time, the table port's own registers and addresses where no
 * register is. */
static void read_registers(struct bench *b)
{
    write_both(b, SCRUB_REG_COOKIE_LO, (uint32_t)rnd());
    write_both(b, SCRUB_REG_COOKIE_HI, (uint32_t)rnd());
    static const uint32_t regs[] = {
        SCRUB_REG_MAGIC,        SCRUB_REG_VERSION,        SCRUB_REG_CAP_MATCH,     SCRUB_REG_CAP_ACTION,
        SCRUB_REG_CAP_DEST,     SCRUB_REG_CAP_EM_BUCKETS, SCRUB_REG_CAP_EM_GEOM,   SCRUB_REG_CAP_ACL,
        SCRUB_REG_CAP_POLICERS, SCRUB_REG_CAP_COUNTERS,   SCRUB_REG_CAP_WINDOW,
        SCRUB_REG_CAP_COUNT_ONLY, SCRUB_REG_COOKIE_LO,    SCRUB_REG_COOKIE_HI,     SCRUB_REG_WDOG_TIMEOUT,
        SCRUB_REG_TIME_LO,      SCRUB_REG_TIME_HI,        SCRUB_REG_TBL_SELECT,    SCRUB_REG_TBL_INDEX,
        SCRUB_REG_TBL_RESULT,   SCRUB_REG_CAP_COUNT_ONLY + 4, SCRUB_REG_CFG_ACTIONS + 4, SCRUB_REG_TBL_RESULT + 4};
    for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++)
        check_read(b, anytime(b), regs[k]);
    /* The model's FIFO is made larger than the card's (main). */
    uint32_t beats = scrub_rtl_read(b->r, SCRUB_REG_CAP_FIFO_BEATS);
    if (beats != ((struct scrub_model_params)SCRUB_MODEL_PARAMS_SIM).fifo_beats)
        fail("CAP_FIFO_BEATS %llu, the simulation's output FIFO is %llu beats", beats,
             ((struct scrub_model_params)SCRUB_MODEL_PARAMS_SIM).fifo_beats);
}

/* Refused table commands: tables that do not exist, commands a table does
 * not take, indexes past each table, with the high bits of the select,
 * command and index words moving. */
static void refused_commands(struct bench *b)
{
    const uint32_t tables[] = {SCRUB_TABLE_DEST,    SCRUB_TABLE_EM,      SCRUB_TABLE_ACL,
                               SCRUB_TABLE_POLICER, SCRUB_TABLE_COUNTER, SCRUB_TABLE_GSTAT};
    const uint32_t sizes[] = {b->p.dest_entries, b->p.em_buckets * SCRUB_EM_WAYS * SCRUB_EM_SLOTS + SCRUB_EM_STASH,
                              b->p.acl_entries,  b->p.policers,
                              b->p.counters,     SCRUB_GSTAT_COUNT};
    scrub_words none = {0};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        uint32_t table = tables[t];
        table_cmd(b, table, 0, 0, none, 0);
        table_cmd(b, table, SCRUB_CMD_EM_LOOKUP + 1 + below(250), 0, none, 0);
        table_cmd(b, table, (uint32_t)rnd() | 0x100u, 0, none, 0); /* past the command byte */
        table_cmd(b, table, table == SCRUB_TABLE_EM ? SCRUB_CMD_WRITE : SCRUB_CMD_EM_INSERT + below(3), 0, none, 0);
        table_cmd(b, table, SCRUB_CMD_READ, sizes[t] + below(4), none, 0);
        table_cmd(b, table, SCRUB_CMD_READ, (uint32_t)rnd() | 0x80000000u, none, 0);
        table_cmd(b, table, SCRUB_CMD_READ, 0xffffffffu, none, 0);
    }
    table_cmd(b, SCRUB_TABLE_GSTAT, SCRUB_CMD_WRITE, below(SCRUB_GSTAT_COUNT), none, 0);
    table_cmd(b, 0, SCRUB_CMD_READ, 0, none, 0);
    table_cmd(b, SCRUB_TABLE_GSTAT + 1 + below(200), SCRUB_CMD_READ, 0, none, 0);
    table_cmd(b, (uint32_t)rnd() | 0x80000000u, SCRUB_CMD_READ, 0, none, 0);
    table_cmd(b, 0xffffffffu, SCRUB_CMD_READ, 0, none, 0);
}

/* An address value with a bit outside a random mask of fewer than 128
 * bits. */
static void outside_mask(struct scrub_addr *value, struct scrub_addr *mask)
{
    *mask = scrub_addr_mask((uint8_t)below(128));
    for (unsigned i = 0; i < 16; i++)
        value->b[i] = (uint8_t)(rnd() & mask->b[i]);
    value->b[15] |= 1;
}

/* A low bound above its high bound. */
static void upside_down(uint16_t *lo, uint16_t *hi)
{
    *lo = (uint16_t)(1 + below(0xffff));
    *hi = (uint16_t)below(*lo);
}

/* Entries refused for each reason of each table's check (scrub_acl_check
 * in its order; the destination, policer and exact-match checks), at
 * random indexes; ACL entry 0 is flip_acl's. */
static void refused_entries(struct bench *b)
{
    for (unsigned reason = 0; reason < 10; reason++) {
        struct scrub_acl_entry e;
        scrub_acl_entry_any(&e);
        e.valid = true;
        e.count_only = below(2);
        e.action = (uint8_t)below(2);
        e.counter = below(b->p.counters);
        switch (reason) {
        case 0: outside_mask(&e.src_value, &e.src_mask); break;
        case 1: outside_mask(&e.dst_value, &e.dst_mask); break;
        case 2: upside_down(&e.sport_lo, &e.sport_hi); break;
        case 3: upside_down(&e.dport_lo, &e.dport_hi); break;
        case 4: upside_down(&e.len_lo, &e.len_hi); break;
        case 5: e.action = 3; break;
        case 6: e.policer_bits = (uint8_t)(17 + below(15)); break;
        case 7: /* a policer past the card */
            e.action = SCRUB_ACTION_POLICE;
            e.policer = b->p.policers + below(1000) + (below(2) ? 0x80000000u : 0);
            break;
        case 8: { /* a group that runs past the last policer */
            e.action = SCRUB_ACTION_POLICE;
            e.policer_bits = (uint8_t)(1 + below(8));
            uint32_t group = 1u << e.policer_bits;
            e.policer = b->p.policers - 1 - below(group - 1);
            break;
        }
        default: e.counter = b->p.counters + below(2) * (uint32_t)rnd(); break;
        }
        put_acl(b, 1 + below(b->p.acl_entries - 1), &e);
    }
    for (unsigned reason = 0; reason < 3; reason++) {
        uint32_t i = below(b->p.dest_entries);
        struct scrub_dest_entry d = b->dest[i];
        d.valid = true;
        if (reason == 0)
            d.plen = (uint8_t)(129 + below(127));
        else if (reason == 1)
            outside_mask(&d.prefix, &(struct scrub_addr){0}), d.plen = (uint8_t)below(128);
        else
            d.counter = b->p.counters - 1 + below(2) * (uint32_t)rnd();
        put_dest(b, i, &d);
    }
    scrub_words w = {0};
    struct scrub_policer_entry pol;
    random_policer(&b->src, &pol);
    pol.counter = b->p.counters - 1 + below(2) * (uint32_t)rnd();
    scrub_policer_pack(&pol, w);
    table_cmd(b, SCRUB_TABLE_POLICER, SCRUB_CMD_WRITE, below(b->p.policers), w, SCRUB_TABLE_POLICER_WORDS);
    for (unsigned reason = 0; reason < 3; reason++) {
        struct scrub_em_entry e;
        random_em(&b->src, &e);
        if (reason == 0)
            e.action = 3;
        else if (reason == 1)
            e.action = SCRUB_ACTION_POLICE, e.policer = b->p.policers + below(2) * (uint32_t)rnd();
        else
            e.counter = b->p.counters + below(2) * (uint32_t)rnd();
        scrub_em_pack(&e, w);
        table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_EM_INSERT, 0, w, SCRUB_TABLE_EM_WORDS);
        b->em_cmds++;
    }
}

/* COMMIT and SNAPSHOT written again while the card is busy with them (it
 * ignores them: one control point each, COMMIT_COUNT moves once) and with
 * bit 0 clear (ignored too); a counter read issued while a snapshot runs,
 * after a counter write, so that it reads the new snapshot. */
static void busy_writes(struct bench *b)
{
    struct pending pd;
    prepare_commit(b);
    start(b, &pd, SCRUB_RTL_SWAP, SCRUB_REG_COMMIT, SCRUB_STATUS_COMMIT_BUSY_MASK);
    scrub_rtl_write(b->r, SCRUB_REG_COMMIT, 1);
    finish(b, &pd);
    write_both(b, SCRUB_REG_COMMIT, (uint32_t)rnd() & ~1u);
    write_both(b, SCRUB_REG_SNAPSHOT, (uint32_t)rnd() & ~1u);
    check_read(b, anytime(b), SCRUB_REG_COMMIT_COUNT);

    struct scrub_counter c = {.packets = rnd(), .bytes = rnd()};
    scrub_words w = {0};
    uint32_t i = below(b->p.counters);
    scrub_counter_pack(&c, w);
    table_cmd(b, SCRUB_TABLE_COUNTER, SCRUB_CMD_WRITE, i, w, SCRUB_TABLE_COUNTER_WORDS);
    b->ctr_sets++;
    start(b, &pd, SCRUB_RTL_SNAPSHOT, SCRUB_REG_SNAPSHOT, SCRUB_STATUS_SNAPSHOT_BUSY_MASK);
    scrub_rtl_write(b->r, SCRUB_REG_SNAPSHOT, 1);
    memset(w, 0, sizeof(w));
    table_cmd_during(b, &pd, SCRUB_TABLE_COUNTER, SCRUB_CMD_READ, i, w, 0);
    for (unsigned k = 0; k < SCRUB_TABLE_COUNTER_WORDS; k++)
        check_read(b, anytime(b), SCRUB_REG_TBL_DATA + 4 * k);
    b->snapshots++;
}

/* More count-only entries that match every frame than a frame's result
 * holds (the rest are counted as lost), until random writes replace them. */
static void count_only_overflow(struct bench *b)
{
    for (unsigned k = 0; k < SCRUB_COUNT_ONLY_MAX + 2; k++) {
        struct scrub_acl_entry e;
        scrub_acl_entry_any(&e);
        e.valid = e.count_only = true;
        e.action = (uint8_t)below(3);
        e.policer = below(b->p.policers);
        e.counter = below(b->p.counters);
        put_acl(b, 1 + below(b->p.acl_entries - 1), &e);
    }
}

/* The exact-match table filled with keys no frame carries (tenants the
 * destination table never gives) until an insert is refused FULL: cuckoo
 * walks, their moves and the stash on the way; then those keys deleted
 * again, and the traffic's own keys the walks moved stay where they are,
 * the stash included. */
static void em_fill(struct bench *b)
{
    uint32_t size = b->p.em_buckets * SCRUB_EM_WAYS * SCRUB_EM_SLOTS + SCRUB_EM_STASH;
    struct scrub_em_entry *mine = calloc(size, sizeof(*mine));
    uint32_t n = 0, st = SCRUB_STATUS_OK;
    scrub_words w = {0};
    for (uint32_t tries = 0; st != SCRUB_STATUS_FULL && tries < 2 * size; tries++) {
        struct scrub_em_entry e = {.tenant = (uint16_t)(0x8000u | rnd()), .valid = true,
                                   .action = (uint8_t)below(2), .counter = below(b->p.counters)};
        for (unsigned k = 0; k < 16; k++)
            e.addr.b[k] = (uint8_t)rnd();
        scrub_em_pack(&e, w);
        st = table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_EM_INSERT, 0, w, SCRUB_TABLE_EM_WORDS);
        b->em_cmds++;
        if (st == SCRUB_STATUS_OK && n < size)
            mine[n++] = e;
    }
    if (st != SCRUB_STATUS_FULL)
        fail("the exact-match table took %llu keys of %llu and never refused one", n, size);
    for (uint32_t k = 0; k < n; k++) {
        if (k % 64 == 0) { /* the stash and the buckets read back while full */
            table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_READ, size - 1 - below(SCRUB_EM_STASH), w, 0);
            table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_READ, below(size), w, 0);
        }
        scrub_em_pack(&mine[k], w);
        if (k % 4 == 0)
            table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_EM_LOOKUP, 0, w, SCRUB_TABLE_EM_WORDS);
        table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_EM_DELETE, 0, w, SCRUB_TABLE_EM_WORDS);
        if (k % 8 == 0) /* NOT_FOUND */
            table_cmd(b, SCRUB_TABLE_EM, SCRUB_CMD_EM_DELETE, 0, w, SCRUB_TABLE_EM_WORDS);
        b->em_cmds++;
    }
    free(mine);
}

static void send_directed(struct bench *b, const uint8_t *frame, uint32_t len, uint64_t *ts)
{
    send(b, frame, len, *ts += 100);
    while (scrub_rtl_pending(b->r) > 8)
        scrub_rtl_run(b->r, 16);
}

/* Frames the generator never makes, each against the model like any
 * other: two VLAN tags in fewer than 22 bytes; IPv6 with chains of
 * destination options 1 to 10 long (past the parser's walk), a hop-by-hop
 * header after the first, one whose hop-by-hop header runs past the
 * window; IPv4 fragments, not the last, whose payload is no multiple of 8. */
static void directed_frames(struct bench *b, uint64_t *ts)
{
    static const uint8_t mac[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    uint8_t f[600];
    memset(f, 0, sizeof(f));
    memcpy(f, mac, 12);
    for (uint32_t len = 16; len < 22; len++) {
        static const uint8_t tags[8] = {0x81, 0x00, 0x00, 0x05, 0x88, 0xa8, 0x00, 0x06};
        memcpy(f + 12, tags, 8);
        send_directed(b, f, len, ts);
    }
    for (unsigned chain = 1; chain <= 12; chain++) {
        memset(f + 12, 0, sizeof(f) - 12);
        f[12] = 0x86, f[13] = 0xdd;
        uint8_t *ip = f + 14;
        ip[0] = 0x60;
        ip[7] = 64;
        ip[8] = 0x20, ip[9] = 0x01, ip[23] = 1;   /* 2001::1 */
        ip[24] = 0x20, ip[25] = 0x01, ip[39] = 2; /* 2001::2 */
        uint32_t off = 40, ext_len = chain == 12 ? 31 : 0; /* 12: one hop-by-hop of 256 bytes */
        ip[6] = chain == 12 ? 0 : 60;
        for (unsigned k = 0; k < (chain == 12 ? 1 : chain); k++) {
            bool last = chain == 12 || k + 1 == chain;
            ip[off] = last ? 17 : chain == 11 && k == 4 ? 0 : 60; /* 11: hop-by-hop fifth */
            ip[off + 1] = (uint8_t)ext_len;
            off += 8 * (ext_len + 1);
        }
        ip[off + 1] = 53, ip[off + 3] = 53, ip[off + 5] = 16; /* UDP, 8 bytes of payload */
        uint32_t pay = off - 40 + 16;
        ip[4] = (uint8_t)(pay >> 8), ip[5] = (uint8_t)pay;
        send_directed(b, f, 14 + 40 + pay, ts);
    }
    for (uint32_t pay = 9; pay < 24; pay += 2) {
        memset(f + 12, 0, sizeof(f) - 12);
        f[12] = 0x08;
        uint8_t *ip = f + 14;
        uint32_t total = 20 + pay;
        ip[0] = 0x45, ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total;
        ip[6] = 0x20; /* more fragments, offset 0 */
        ip[8] = 64, ip[9] = 17;
        ip[12] = 8, ip[13] = 8, ip[14] = 8, ip[15] = 8, ip[16] = 1, ip[17] = 2, ip[18] = 3, ip[19] = 4;
        uint32_t sum = 0;
        for (unsigned k = 0; k < 20; k += 2)
            sum += (uint32_t)ip[k] << 8 | ip[k + 1];
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        ip[10] = (uint8_t)(~sum >> 8), ip[11] = (uint8_t)~sum;
        send_directed(b, f, 14 + total < 60 ? 60 : 14 + total, ts);
    }
    scrub_rtl_drain(b->r);
    settle_events(b);
    compare_outputs(b);
    if (b->done != b->seq)
        fail("%llu frames sent, %llu finished", b->seq, b->done);
}

/* Once, before the traffic: each of the above, then a commit, so that the
 * first burst's frames see the count-only entries. */
static void directed(struct bench *b, uint64_t *ts)
{
    write_both(b, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);
    directed_frames(b, ts);
    read_registers(b);
    refused_commands(b);
    refused_entries(b);
    busy_writes(b);
    em_fill(b);
    count_only_overflow(b);
    struct pending pd;
    start(b, &pd, SCRUB_RTL_SWAP, SCRUB_REG_COMMIT, SCRUB_STATUS_COMMIT_BUSY_MASK);
    finish(b, &pd);
}

/* The tables at the start: most entries written, then committed. */
static void fill_tables(struct bench *b)
{
    for (uint32_t i = 0; i < b->p.dest_entries * 3 / 4; i++)
        write_dest(b);
    for (uint32_t i = 0; i < b->p.acl_entries * 3 / 4; i++)
        write_acl(b);
    for (uint32_t i = 0; i < b->p.policers * 3 / 4; i++)
        write_policer(b);
    for (uint32_t i = 0; i < b->p.em_buckets * 2; i++)
        em_cmd(b);
    write_both(b, SCRUB_REG_CFG_ACTIONS, below(16));
    struct pending pd;
    start(b, &pd, SCRUB_RTL_SWAP, SCRUB_REG_COMMIT, SCRUB_STATUS_COMMIT_BUSY_MASK);
    finish(b, &pd);
}

/* Control between bursts: CTRL (the card enabled in 19 bursts of 20), a
 * watchdog that expires within the burst (one burst in 4) or none, the
 * MAC's time. Disabled and expired bursts pass or drop every frame before
 * the tables; more of them would starve the tables' bins. */
static void configure(struct bench *b, uint64_t now)
{
    uint32_t ctrl = (below(20) ? SCRUB_CTRL_ENABLE_MASK : 0) | (below(2) ? SCRUB_CTRL_FAIL_CLOSED_MASK : 0);
    write_both(b, SCRUB_REG_CTRL, ctrl);
    if (below(4) == 0) /* the timeout's write kicks too */
        write_both(b, SCRUB_REG_WDOG_KICK, (uint32_t)rnd());
    write_both(b, SCRUB_REG_WDOG_TIMEOUT, below(4) == 0 ? 1 + below(3) : 0);
    scrub_rtl_set_time(b->r, now);
    op_add(b, anytime(b), OP_TIME, 0, now);
}

/* One change while frames flow: blocking commands at once, commits and
 * snapshots through `pd`. */
static void change(struct bench *b, struct pending *pd)
{
    uint32_t pick = below(100);
    if (pick < 30) {
        prepare_commit(b);
        start(b, pd, SCRUB_RTL_SWAP, SCRUB_REG_COMMIT, SCRUB_STATUS_COMMIT_BUSY_MASK);
        b->commits_in_traffic++;
    } else if (pick < 70) {
        em_cmd(b);
    } else if (pick < 80) {
        counter_write(b);
    } else if (pick < 90) {
        start(b, pd, SCRUB_RTL_SNAPSHOT, SCRUB_REG_SNAPSHOT, SCRUB_STATUS_SNAPSHOT_BUSY_MASK);
        b->snapshots++;
    } else {
        read_entry(b, below(2) ? SCRUB_TABLE_DEST : SCRUB_TABLE_ACL, below(b->p.acl_entries));
    }
}

static void check_minimum(const char *what, unsigned long long have, unsigned long long need, bool *ok)
{
    if (have < need) {
        fprintf(stderr, "coverage: %s %llu, below the minimum %llu\n", what, have, need);
        *ok = false;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_pipeline_rtl CAPTURE FRAMES SEED\n");
        return 2;
    }
    static struct capture cap;
    load_capture(argv[1], &cap);
    unsigned long long total = strtoull(argv[2], NULL, 10);
    rng = seed = strtoull(argv[3], NULL, 10);

    static struct bench b;
    /* The RTL's output decides overflow; the model's FIFO is made too
     * large to ever fill, so it never decides on its own. */
    b.p = (struct scrub_model_params)SCRUB_MODEL_PARAMS_SIM;
    b.p.fifo_beats = 1u << 16;
    b.src = (struct entry_source){.p = &b.p, .pkts = cap.ip, .n_pkts = cap.n_ip, .rnd = rnd};
    b.last_dest = b.dest_off = -1;
    /* Odd seeds: idle clocks between beats; even seeds: none, so that
     * frames of one beat come every clock around the control points. */
    struct scrub_rtl_params rp = {.idle_permille = seed % 2 ? 100 : 0, .stall_permille = 300, .seed = rng};
    if (b.p.dest_entries > DEST_MAX || b.p.acl_entries > ACL_MAX)
        return 2;
    b.m = scrub_model_new(&b.p);
    b.r = scrub_rtl_new(&rp);
    static uint8_t frame[BIG], spare[BIG];
    uint64_t ts = 1000000000ull;

    fill_tables(&b);
    directed(&b, &ts);
    struct pending pd = {0};
    while (b.done < total) {
        configure(&b, ts);
        for (uint32_t k = 500 + below(3000); k > 0; k--) {
            uint32_t len = make_frame(&cap, frame);
            ts += 20 + below(200) + (below(1000) == 0 ? 2000000 : 0); /* now and then a 2 ms gap */
            send(&b, frame, len, ts);
            /* Keep the RTL's input queue short. */
            while (scrub_rtl_pending(b.r) > 8)
                scrub_rtl_run(b.r, 16);
            if (pd.active)
                finished(&b, &pd);
            else if (below(40) == 0)
                change(&b, &pd);
            /* Frames are settled only when no change waits for its point. */
            if (!pd.active) {
                settle_events(&b);
                compare_outputs(&b);
            }
            if (scrub_rtl_error(b.r))
                fail("the card's error output is set (%llu, %llu)", 0, 0);
        }
        finish(&b, &pd);
        scrub_rtl_drain(b.r);
        settle_events(&b);
        compare_outputs(&b);
        if (scrub_model_output_pop(b.m, spare, sizeof(spare), NULL))
            fail("the model passed a frame the card did not (%llu, %llu)", 0, 0);
        if (b.done != b.seq)
            fail("%llu frames sent, %llu finished", b.seq, b.done);
        compare_counters(&b, below(8) == 0);
    }
    compare_counters(&b, true);

    struct scrub_rtl_policer_stats pol;
    scrub_rtl_policer_stats_get(b.r, &pol);
    static const char *const names[] = SCRUB_GSTAT_NAMES;
    printf("pipeline_rtl_frames=%llu outputs_compared=%llu overflow_drops=%llu late_malformed=%llu bad_marked=%llu "
           "cycles=%llu table_checks=%llu mismatches=0\n",
           b.done, b.compared_out, b.overflows, b.late, b.bad_out, (unsigned long long)scrub_rtl_cycles(b.r),
           b.table_checks);
    printf("  commits_in_traffic=%llu em_commands=%llu counter_writes=%llu snapshots=%llu matched=%llu "
           "(%.1f%%) accept=%llu drop=%llu police=%llu conform=%llu exceed=%llu policer_lookups=%llu "
           "same_bucket_back_to_back=%llu\n",
           b.commits_in_traffic, b.em_cmds, b.ctr_sets, b.snapshots, b.matched,
           100.0 * (double)b.matched / (double)(b.done ? b.done : 1), b.actions[0], b.actions[1], b.actions[2],
           b.conform, b.exceed, (unsigned long long)pol.lookups, (unsigned long long)pol.same_bucket_back_to_back);
    printf("  kinds: ip=%llu nonip=%llu unparsed=%llu malformed=%llu\n", b.kinds[0], b.kinds[1], b.kinds[2],
           b.kinds[3]);
    for (unsigned i = 0; i < SCRUB_GSTAT_NAMES_LEN; i++)
        if (b.outcomes[i])
            printf("  %-18s %llu\n", names[i], b.outcomes[i]);

    /* Issue 3's minimums, absolute, for this run alone (the ctests run
     * 500,000 frames each). */
    bool ok = true;
    static const char *const kind_names[] = {"ip", "nonip", "unparsed", "malformed"};
    for (unsigned k = 0; k < 4; k++)
        check_minimum(kind_names[k], b.kinds[k], 1000, &ok);
    static const char *const action_names[] = {"accept", "drop", "police"};
    for (unsigned k = 0; k < 3; k++)
        check_minimum(action_names[k], b.actions[k], 1000, &ok);
    for (unsigned i = SCRUB_GSTAT_DROP_SRC; i <= SCRUB_GSTAT_DROP_WATCHDOG; i++)
        check_minimum(names[i], b.outcomes[i], 1000, &ok);
    /* 30% of the frames decided by an exact-match or ACL entry (not by the
     * default action, nor before the tables): 10 x matched >= 3 x frames. */
    check_minimum("frames decided by a non-default entry", b.matched, (3 * b.done + 9) / 10, &ok);
    check_minimum("commits in traffic", b.commits_in_traffic, 100, &ok);
    /* The issue asks for both outcomes seen; exceeding is every drop_policer,
     * held to 1,000 above, and conforming gets the same bar. */
    check_minimum("policed conforming", b.conform, 1000, &ok);
    check_minimum("policed exceeding", b.exceed, 1000, &ok);
    /* Back-to-back packets on one bucket as the policer sees them: a lookup
     * presented to scrub_policer in the clock right after a lookup on the
     * same bucket (sim/rtl counts them at the policer's input), the one
     * case the `tokens` loop at stage 8 forwards from the op one clock
     * ahead. In both runs: the idle input clocks part only some pairs. */
    check_minimum("same-bucket policer lookups in consecutive clocks", pol.same_bucket_back_to_back, 1000, &ok);
    scrub_rtl_free(b.r);
    scrub_model_free(b.m);
    for (uint32_t i = 0; i < cap.n; i++)
        free(cap.frames[i]);
    for (unsigned i = 0; i < IN_FLIGHT; i++)
        free(b.sent[i]);
    free(cap.frames);
    free(cap.lens);
    free(cap.ip);
    free(b.ops);
    return ok ? 0 : 1;
}
